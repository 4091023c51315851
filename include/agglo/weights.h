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
 * 1999), and V = the values as built (e.g. inverse distance, kernel). */
typedef enum {
    AGGLO_TRANSFORM_V = 0,
    AGGLO_TRANSFORM_B = 'B',
    AGGLO_TRANSFORM_W = 'W',
    AGGLO_TRANSFORM_C = 'C',
    AGGLO_TRANSFORM_S = 'S'
} agglo_transform;

/* Creates weights from CSR arrays (copied). w may be NULL (all 1). ids may be NULL (1..n).
 * Columns in each row are sorted; duplicate (i,j) pairs are an error. */
agglo_weights *agglo_weights_create(agglo_ctx *ctx, size_t n, const size_t *row_ptr,
                                    const int32_t *col, const double *w,
                                    const char *const *ids);
agglo_weights *agglo_weights_copy(agglo_ctx *ctx, const agglo_weights *w);
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
 * removed), re-transformed with the current style. */
agglo_weights *agglo_weights_subset(agglo_ctx *ctx, const agglo_weights *w, const size_t *keep,
                                    size_t nkeep);

/* Sums of weights used by the Cliff-Ord moments: S0 = sum_ij w_ij,
 * S1 = 1/2 sum_ij (w_ij + w_ji)^2, S2 = sum_i (w_i. + w_.i)^2. */
int agglo_weights_moments(agglo_ctx *ctx, const agglo_weights *w, double *s0, double *s1,
                          double *s2);

/* Spatial lag: lag[i] = sum_j w_ij x[j]. */
void agglo_weights_lag(const agglo_weights *w, const double *x, double *lag);

/* Builds weights from a spec or a file, as every statistics command's --weights does:
 * "queen", "rook", "knn:K", "band:D", "idw:P[:D]", "kernel:NAME:BW" (see docs/weights.md),
 * or a path to a .gal/.gwt/.kwt/.csv file (ids matched against id_field, or 1..n).
 * The result is row-standardised when row_standardise != 0, else as built. */
agglo_weights *agglo_weights_from_spec(agglo_ctx *ctx, const agglo_layer *layer,
                                       const char *spec, const char *id_field,
                                       int row_standardise);

#ifdef __cplusplus
}
#endif
#endif
