/* agglo weights: spatial weights in CSR form (n, row_ptr, col, w) with observation ids.
 *
 * Row i's neighbours are col[row_ptr[i] .. row_ptr[i+1]-1] with weights w[...], columns sorted
 * ascending. An island has an empty row. The diagonal appears only when a builder was asked
 * to include it (kernel weights for Gi*). */
#ifndef AGGLO_WEIGHTS_H
#define AGGLO_WEIGHTS_H

#include "agglo/core.h"
#include "agglo/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_weights agglo_weights;

/* Transform styles, as spdep's nb2listw(style=): B binary, W row-standardised,
 * C globally standardised (sum of weights = n), S variance-stabilising (Tiefelsdorf et al.
 * 1999), U = C / n (all weights sum to 1), MINMAX = divided by min(largest row sum,
 * largest column sum) (Kelejian & Prucha 2010, spdep style "minmax"), and V = the values as
 * built (e.g. inverse distance, kernel). C, S, U and minmax start from the values as built
 * (spdep's glist), so general weights keep their proportions. */
typedef enum {
    AGGLO_TRANSFORM_V = 0,
    AGGLO_TRANSFORM_B = 'B',
    AGGLO_TRANSFORM_W = 'W',
    AGGLO_TRANSFORM_C = 'C',
    AGGLO_TRANSFORM_S = 'S',
    AGGLO_TRANSFORM_U = 'U',
    AGGLO_TRANSFORM_MINMAX = 'M'
} agglo_transform;

/* Parses a style name: "B", "W", "C", "S", "U", "V" (case-insensitive) or "minmax" (also
 * "M"). Returns 0, or -1 for anything else. */
int agglo_transform_parse(const char *name, agglo_transform *style);
/* "B", "W", "C", "S", "U", "minmax" or "V"; NULL for an unknown value. */
const char *agglo_transform_name(agglo_transform style);

/* Creates weights from CSR arrays (copied). w may be NULL (all 1). ids may be NULL (1..n).
 * Columns in each row are sorted here; duplicate (i,j) pairs are an error. The constructors
 * below (create, copy, subset, the builders, higher_order, symmetrize, the readers,
 * match_ids, build, from_spec) return weights the caller frees with agglo_weights_free. */
agglo_weights *agglo_weights_create(agglo_ctx *ctx, size_t n, const size_t *row_ptr,
                                    const int32_t *col, const double *w,
                                    const char *const *ids);
/* A deep copy (values, transform, ids, bandwidths). Free with agglo_weights_free. */
agglo_weights *agglo_weights_copy(agglo_ctx *ctx, const agglo_weights *w);
/* Frees weights; NULL is a no-op. */
void agglo_weights_free(agglo_weights *w);

size_t agglo_weights_n(const agglo_weights *w);
size_t agglo_weights_nnz(const agglo_weights *w);
const size_t *agglo_weights_row_ptr(const agglo_weights *w);
const int32_t *agglo_weights_col(const agglo_weights *w);
const double *agglo_weights_values(const agglo_weights *w);
const char *agglo_weights_id(const agglo_weights *w, size_t i);
/* Number of neighbours of i (excluding the diagonal). */
size_t agglo_weights_cardinality(const agglo_weights *w, size_t i);
/* Number of observations without neighbours. */
size_t agglo_weights_islands(const agglo_weights *w);
/* 1 if w[i][j] == w[j][i] for every pair (within 1e-12 relative). */
int agglo_weights_is_symmetric(const agglo_weights *w);
/* Current transform. */
agglo_transform agglo_weights_transform_style(const agglo_weights *w);

/* Applies a transform in place from the binary/original values kept at creation, so
 * transforms do not compound. Islands keep empty rows. */
int agglo_weights_transform(agglo_ctx *ctx, agglo_weights *w, agglo_transform style);

/* Weights restricted to the observations keep[0..nkeep-1] (links to dropped observations
 * removed), re-transformed with the current style. Free with agglo_weights_free. */
agglo_weights *agglo_weights_subset(agglo_ctx *ctx, const agglo_weights *w, const size_t *keep,
                                    size_t nkeep);

/* Sums of weights used by the Cliff-Ord moments: S0 = sum_ij w_ij,
 * S1 = 1/2 sum_ij (w_ij + w_ji)^2, S2 = sum_i (w_i. + w_.i)^2. */
int agglo_weights_moments(agglo_ctx *ctx, const agglo_weights *w, double *s0, double *s1,
                          double *s2);

/* Spatial lag: lag[i] = sum_j w_ij x[j]. */
void agglo_weights_lag(const agglo_weights *w, const double *x, double *lag);

/* ---- builders ----
 * ids: observation ids (n strings, copied) or NULL for 1..n. Coordinates with NaN (NULL
 * geometries) give islands. great_circle: x = longitude, y = latitude in degrees and
 * distances in km on the WGS84 ellipsoid by the Andoyer-Lambert formula of sp/spdep's gcdist
 * (knearneigh, dnearneigh, nbdists with longlat = TRUE), so neighbour sets and distances
 * match spdep's on lon/lat data; the kd-tree's sphere only pre-selects candidates.
 * Distance-based builders run in parallel (ctx threads) with results independent of the
 * thread count. Every builder returns weights to free with agglo_weights_free (NULL on error,
 * the context holding why). */

/* Contiguity from polygon vertices (linear time through a hash of snapped coordinates).
 * Queen: two polygons are neighbours when a vertex of one lies within `snap` of a vertex of
 * the other (spdep poly2nb's test, Euclidean distance <= snap). Rook: they share an edge, a
 * pair of consecutive vertices (either direction), vertices compared within snap. Interior
 * rings and every part of a multipolygon count. snap < 0 = spdep's default sqrt(DBL_EPSILON).
 * Non-polygon and NULL geometries become islands. */
agglo_weights *agglo_weights_queen(agglo_ctx *ctx, const agglo_layer *layer, double snap,
                                   const char *const *ids);
agglo_weights *agglo_weights_rook(agglo_ctx *ctx, const agglo_layer *layer, double snap,
                                  const char *const *ids);

/* k nearest neighbours (kd-tree). Ties at the k-th distance go to the lower index (as
 * spdep's knearneigh). Not symmetric in general. k must be below n (k = n - 1 gives everybody
 * else); k >= n is refused (AGGLO_E_USAGE), as spdep's knearneigh does. */
agglo_weights *agglo_weights_knn(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                 size_t k, int great_circle, const char *const *ids);

/* Smallest distance band that leaves nobody without a neighbour (the largest
 * nearest-neighbour distance, as GeoDa proposes). */
int agglo_weights_min_threshold(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                int great_circle, double *threshold);

/* Distance band: j is a neighbour of i when 0 < d_ij <= threshold (binary weights; spdep
 * dnearneigh(0, d) includes d itself). Coincident points (d = 0) are neighbours too. */
agglo_weights *agglo_weights_band(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                  double threshold, int great_circle, const char *const *ids);

/* Inverse distance w_ij = d_ij^-power for 0 < d_ij <= threshold; threshold <= 0 = all pairs
 * (dense; refused above 5000 observations). Coincident points are an error. */
agglo_weights *agglo_weights_idw(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                 double power, double threshold, int great_circle,
                                 const char *const *ids);

typedef enum {
    AGGLO_KERNEL_UNIFORM = 0,      /* 1/2 */
    AGGLO_KERNEL_TRIANGULAR = 1,   /* 1 - z */
    AGGLO_KERNEL_EPANECHNIKOV = 2, /* 3/4 (1 - z^2) */
    AGGLO_KERNEL_QUARTIC = 3,      /* 15/16 (1 - z^2)^2, also called bisquare */
    AGGLO_KERNEL_GAUSSIAN = 4      /* exp(-z^2/2) / sqrt(2 pi) */
} agglo_kernel;

/* Parses "uniform", "triangular", "epanechnikov"/"quadratic", "quartic"/"bisquare",
 * "gaussian". Returns 0 or -1. */
int agglo_kernel_parse(const char *name, agglo_kernel *kernel);
const char *agglo_kernel_name(agglo_kernel kernel);

/* Kernel weights as libpysal.weights.Kernel (and GeoDa): z = d_ij / h_i, w_ij = K(z) for
 * d_ij <= h_i (every kernel, the gaussian too, is truncated at the bandwidth; entries with
 * K = 0 exactly at the boundary are dropped).
 * Bandwidth: opts.bandwidth > 0 gives a fixed h; otherwise with adaptive = 0 the fixed
 * h = max_i (distance from i to its k-th nearest neighbour) * 1.0000001 and with adaptive = 1
 * h_i = (distance from i to its k-th nearest neighbour) * 1.0000001 (libpysal's eps), so
 * the k-th neighbour is in. diagonal: 0 none, 1 w_ii = K(0) (libpysal's default),
 * 2 w_ii = 1 (libpysal diagonal=True, GeoDa). */
typedef struct agglo_kernel_options {
    agglo_kernel kernel;
    double bandwidth; /* > 0: fixed bandwidth in distance units */
    size_t k;         /* neighbours that define a data-driven bandwidth (default 2, libpysal) */
    int adaptive;     /* 1: per-observation bandwidth = distance to the k-th neighbour */
    int diagonal;     /* 0, 1 or 2 as above (default 0) */
    int great_circle;
} agglo_kernel_options;
void agglo_kernel_options_init(agglo_kernel_options *o);
agglo_weights *agglo_weights_kernel(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                    const agglo_kernel_options *opts, const char *const *ids);
/* Bandwidth per observation of kernel weights w (borrowed; NULL for other weights). */
const double *agglo_weights_bandwidths(const agglo_weights *w);

/* Higher-order contiguity: j is an order-k neighbour of i when the shortest path between them
 * in w's graph has k links (spdep nblag). inclusive: orders 1..k (spdep nblag_cumul). Free
 * with agglo_weights_free. */
agglo_weights *agglo_weights_higher_order(agglo_ctx *ctx, const agglo_weights *w, int order,
                                          int inclusive);

/* Union with the transpose (binary), as spdep make.sym.nb. Free with agglo_weights_free. */
agglo_weights *agglo_weights_symmetrize(agglo_ctx *ctx, const agglo_weights *w);

/* Connected components of the graph (links taken as undirected): label[i] in
 * 0..count-1 (labels by first appearance) when label != NULL. Returns the count. */
size_t agglo_weights_components(const agglo_weights *w, int32_t *label);

/* Neighbour structure of weights (what `agglo weights --summary` prints). */
typedef struct agglo_weights_summary {
    size_t n, nnz;            /* observations, links (excluding the diagonal) */
    double pct_nonzero;       /* 100 * links / n^2 */
    size_t min_card, max_card;
    double mean_card, median_card;
    size_t islands;           /* ids via agglo_weights_id() of rows with cardinality 0 */
    int symmetric;
    size_t components;
    double min_w, max_w, mean_w; /* of the current values */
    size_t *histogram;        /* histogram[c] = observations with c neighbours, c <= max_card */
    char *island_ids;         /* the islands' ids joined by ", " ("" when none) */
    double bandwidth_min, bandwidth_max; /* kernel weights: range of the finite bandwidths
                                            (+inf/-inf when none is finite); NaN otherwise */
} agglo_weights_summary;
/* Fills s (histogram and island_ids allocated); release it with agglo_weights_summary_free,
 * also after a failure. */
int agglo_weights_summarize(agglo_ctx *ctx, const agglo_weights *w, agglo_weights_summary *s);
void agglo_weights_summary_free(agglo_weights_summary *s);

/* ---- files ----
 * GAL (GeoDa/PySAL): header "0 n shapefile idfield" (GeoDa) or "n" (PySAL), then per
 * observation "id k" and a line of k neighbour ids. GWT: header "0 n shapefile idfield", then
 * "i j d" lines. KWT: as GWT, with the diagonal (GeoDa kernel weights). CSV: "focal,neighbor,
 * weight" with a header row. Write: format from the extension (.gal .gwt .kwt .csv); the
 * header names layer_name (a shapefile stem) and id_field ("" -> none). Atomic. */
int agglo_weights_write(agglo_ctx *ctx, const agglo_weights *w, const char *path,
                        const char *layer_name, const char *id_field);
/* As agglo_weights_write, with flags. A .gal holds neighbour lists only, so writing weights
 * whose values are not all 1 (inverse distance, kernel, a W/C/S/U/minmax transform) to .gal
 * is refused (AGGLO_E_USAGE, pointing to .gwt/.kwt/.csv) unless flags has
 * AGGLO_WRITE_GAL_BINARY (then the values are dropped on purpose). Ids, and the id field
 * named in a GAL/GWT/KWT header, must be single tokens: one with whitespace is refused
 * (AGGLO_E_USAGE naming the observation) since GeoDa, libpysal and spdep split these files on
 * whitespace; .csv quotes such ids and round-trips them. */
#define AGGLO_WRITE_GAL_BINARY 1u
int agglo_weights_write_ex(agglo_ctx *ctx, const agglo_weights *w, const char *path,
                           const char *layer_name, const char *id_field, unsigned flags);
/* As agglo_weights_write_ex for weights built for a layer: the header names the layer's
 * file stem (its path without directory and extension, as GeoDa writes) and id_field. */
int agglo_weights_write_for_layer(agglo_ctx *ctx, const agglo_weights *w, const char *path,
                                  const agglo_layer *layer, const char *id_field, unsigned flags);

/* What the third column of a .gwt/.kwt/.csv file means. GeoDa writes distances there for
 * its k-nearest-neighbour and distance-band .gwt files, and its own Moran and LISA take any
 * .gwt as binary neighbours (row-standardised); spdep's read.gwt2nb also keeps the values
 * aside as distances and returns binary neighbours; libpysal takes them as weights.
 * DEFAULT: a .gwt is read as BINARY (reproducing GeoDa's Moran on a GeoDa-written .gwt), with
 * a warning when the file holds values other than 1; .kwt and .csv are read as WEIGHTS.
 * DISTANCES: w = 1 / value (inverse distance, power 1; a value <= 0 is an error). */
typedef enum {
    AGGLO_GWT_VALUES_DEFAULT = 0,
    AGGLO_GWT_VALUES_WEIGHTS,
    AGGLO_GWT_VALUES_DISTANCES,
    AGGLO_GWT_VALUES_BINARY
} agglo_gwt_values;
/* "weights", "distances", "binary" (or "default"); 0, or -1 for anything else. */
int agglo_gwt_values_parse(const char *name, agglo_gwt_values *v);

typedef struct agglo_weights_read_options {
    agglo_gwt_values values;
    /* 0: the file's ids are matched exactly, as strings ("1" is not "01" nor "1.0"), to the
     * layer's ids; 1: matched by feature order: the k-th record of a .gal (k-th distinct focal
     * id of a .gwt/.kwt/.csv) is the layer's k-th feature, whatever its id */
    int match_order;
} agglo_weights_read_options;
void agglo_weights_read_options_init(agglo_weights_read_options *o);

/* Reads a weights file, its rows in file order with the file's ids. *id_field_out (optional)
 * receives a malloc'd copy of the header's id field (the caller free()s it) or NULL. Free the
 * weights with agglo_weights_free. */
agglo_weights *agglo_weights_read(agglo_ctx *ctx, const char *path, char **id_field_out);
/* With options (NULL = defaults; match_order does not apply without a layer). */
agglo_weights *agglo_weights_read_ex(agglo_ctx *ctx, const char *path,
                                     const agglo_weights_read_options *o, char **id_field_out);

/* Reads a weights file and matches it to the layer's observations: the ids in the file are
 * matched to agglo_layer_ids(layer, id_field), where id_field is the argument, else the id
 * field named in the file header when the layer has it, else 1..n feature order. Unknown or
 * duplicated ids and count mismatches are errors naming the file and line. Free with
 * agglo_weights_free. */
agglo_weights *agglo_weights_read_for_layer(agglo_ctx *ctx, const char *path,
                                            const agglo_layer *layer, const char *id_field);
agglo_weights *agglo_weights_read_for_layer_ex(agglo_ctx *ctx, const char *path,
                                               const agglo_layer *layer, const char *id_field,
                                               const agglo_weights_read_options *o);

/* Same matching for weights already in memory: reorders w's rows to the given ids. Free the
 * result with agglo_weights_free. */
agglo_weights *agglo_weights_match_ids(agglo_ctx *ctx, const agglo_weights *w,
                                       const char *const *ids, size_t n, const char *source);

/* ---- one description for every kind of weights (CLI options and --weights specs) ---- */
typedef enum {
    AGGLO_WSPEC_QUEEN = 1,
    AGGLO_WSPEC_ROOK,
    AGGLO_WSPEC_KNN,
    AGGLO_WSPEC_BAND,
    AGGLO_WSPEC_IDW,
    AGGLO_WSPEC_KERNEL,
    AGGLO_WSPEC_FILE
} agglo_wspec_kind;

typedef struct agglo_weights_spec {
    agglo_wspec_kind kind;
    double snap;          /* contiguity: < 0 = spdep default sqrt(DBL_EPSILON) */
    int order;            /* contiguity: higher order (default 1) */
    int cumulative;       /* contiguity: orders 1..order */
    size_t k;             /* knn */
    double threshold;     /* band / idw: <= 0 = band: smallest threshold without islands,
                             idw: all pairs */
    double power;         /* idw (default 1) */
    agglo_kernel_options kernel;
    int arc;              /* great-circle distances on lon/lat */
    int on_surface;       /* point-on-surface instead of centroid for polygons */
    char path[4096];      /* file */
    agglo_weights_read_options read; /* file: meaning of the values, id matching */
} agglo_weights_spec;

void agglo_weights_spec_init(agglo_weights_spec *s);
/* "queen", "rook", "knn", "distance band", "inverse distance", "kernel", "file"; "?" for an
 * unknown value. */
const char *agglo_wspec_kind_name(agglo_wspec_kind kind);
/* Parses "queen", "rook" (options ":snap=S", ":order=K", ":cumulative"), "knn:K", "band[:D]",
 * "idw:P[:D]", "kernel:NAME[:BW]" (options ":adaptive=K", ":k=K", ":diag", ":diag=1"), with
 * ":arc" and ":surface" accepted by the distance kinds; anything else naming an existing file
 * (.gal .gwt .kwt .csv) is a weights file. */
int agglo_weights_spec_parse(agglo_ctx *ctx, const char *text, agglo_weights_spec *s);
/* Builds the weights for a layer (ids from id_field, else 1..n; files matched to them).
 * Distance-based kinds on a geographic CRS need arc (great circle) and fail otherwise,
 * suggesting a projection. Free with agglo_weights_free. */
agglo_weights *agglo_weights_build(agglo_ctx *ctx, const agglo_layer *layer,
                                   const agglo_weights_spec *s, const char *id_field);

/* Builds weights as `agglo weights` does: agglo_weights_build, then the transform (V = keep
 * the values as built). Islands are reported through the warning handler, naming the layer's
 * path and up to 20 ids. *threshold_used (optional) receives the distance band the weights
 * were built with: band: the spec's, or the automatic one (the smallest without islands);
 * idw: its band; NaN for other kinds and idw over all pairs. Free with agglo_weights_free. */
agglo_weights *agglo_weights_make(agglo_ctx *ctx, const agglo_layer *layer,
                                  const agglo_weights_spec *s, const char *id_field,
                                  agglo_transform transform, double *threshold_used);

/* Builds weights from a spec or a file, as every statistics command's --weights does:
 * "queen", "rook", "knn:K", "band:D", "idw:P[:D]", "kernel:NAME:BW" (see docs/weights.md),
 * or a path to a .gal/.gwt/.kwt/.csv file (ids matched against id_field, or 1..n).
 * The result is row-standardised when row_standardise != 0, else as built. Islands are
 * reported through the warning handler. Free with agglo_weights_free. */
agglo_weights *agglo_weights_from_spec(agglo_ctx *ctx, const agglo_layer *layer,
                                       const char *spec, const char *id_field,
                                       int row_standardise);
/* With file-reading options (NULL = defaults). */
agglo_weights *agglo_weights_from_spec_ex(agglo_ctx *ctx, const agglo_layer *layer,
                                          const char *spec, const char *id_field,
                                          int row_standardise,
                                          const agglo_weights_read_options *o);

#ifdef __cplusplus
}
#endif
#endif
