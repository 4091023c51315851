/* Private parts of the index module (src/index/), shared with gwr, weights and kde: the
 * uniform grid, the k-th-value selection and the kd-tree's internal order. Names
 * agglo__index_* (double underscore: not in include/agglo/). */
#ifndef AGGLO_INDEX_INTERNAL_H
#define AGGLO_INDEX_INTERNAL_H

#include <stddef.h>

#include "agglo/core.h"

/* ---- earth models (earth.c) ---- */
#define AGGLO__EARTH_CHORD_RADIUS_KM 6371.0088
/* Unit vector (X, Y, Z) of (lon, lat) in degrees. */
void agglo__index_unit_vector(double lon, double lat, double *v);
/* Arc in km on the 6371.0088 km sphere of a chord between unit vectors. */
double agglo__index_chord_to_km(double chord);

/* ---- kd-tree (kdtree.c) ---- */
struct agglo_kdtree;
/* Original indices of the tree's points in tree (spatial) order; *m = how many. Querying in
 * this order keeps the tree's nodes in cache. */
const size_t *agglo__index_kdtree_order(const struct agglo_kdtree *T, size_t *m);

/* ---- k-th value (select.c) ---- */
/* Quickselect (Hoare partition): the k-th smallest (1-based) of v[0..n-1]; reorders v. */
double agglo__index_select_kth(double *v, size_t n, size_t k);
/* The same when every value lies in [lo, hi]: one counting pass over 32 equal buckets, then
 * quickselect within the bucket holding the k-th (values near uniform in [lo, hi], as
 * squared distances in an annulus). Reorders v. */
double agglo__index_select_kth_bucketed(double *v, size_t n, size_t k, double lo, double hi);

/* ---- uniform grid (grid.c) ----
 * Points bucketed in square cells numbered row by row (cell c = iy * nx + ix), stored cell by
 * cell (ascending caller index within a cell), so the cells of one grid row that meet a disc
 * hold one contiguous run of stored points. Geometry is conservative: runs for radius r
 * include every point within r (the radius padded by 1e-9 relative, far above rounding),
 * and cells counted "wholly inside" are shrunk by the same margin, so which points are near
 * is always decided on their computed squared distances. */
typedef struct agglo__index_grid {
    double x0, y0;       /* origin (lower-left corner of the bounding box) */
    double cs, inv_cs;   /* cell side and its inverse */
    long nx, ny;         /* cells per axis */
    size_t n;            /* points stored (those with finite coordinates) */
    size_t *cstart;      /* nx*ny + 1: the stored points of cell c are [cstart[c], cstart[c+1]) */
    size_t *order;       /* n: stored position -> caller's index */
    double *xs, *ys;     /* n: coordinates in stored order */
} agglo__index_grid;

/* A run [j0, j1) of stored points. */
typedef struct agglo__index_run {
    size_t j0, j1;
} agglo__index_run;

/* The cells of one grid row meeting a disc [o0, o1] and wholly inside it [i0, i1]. */
typedef struct agglo__index_row_span {
    long row, o0, o1, i0, i1;
} agglo__index_row_span;

/* Per-thread state of the k-th-distance search: the last answer bounds the next query (the
 * k-th nearest distance is 1-Lipschitz in the query location); a buffer of n squared
 * distances for the selection. Init with agglo__index_knn_init, free with
 * agglo__index_knn_free. */
typedef struct agglo__index_knn {
    double *d2; /* n */
    size_t k;   /* k of the last answer (0: none) */
    double qx, qy, dk;
} agglo__index_knn;

/* Builds the grid over the finite points of (x, y); free with agglo__index_grid_free.
 * side > 0: cells of that side, enlarged so there are at most ~4M cells (kernel density's
 * buckets); side <= 0: the automatic side sqrt(2 * area / n), two points per cell on average,
 * at most 4n + 16 cells, halved while clustered points crowd the cells (sum c^2 / n > 8).
 * Returns AGGLO_OK or AGGLO_E_NOMEM (error set in ctx). */
int agglo__index_grid_build(agglo_ctx *ctx, agglo__index_grid *g, const double *x,
                            const double *y, size_t n, double side);
void agglo__index_grid_free(agglo__index_grid *g);
/* Cell coordinates of (px, py), clamped to the grid. */
void agglo__index_grid_cell(const agglo__index_grid *g, double px, double py, long *ix,
                            long *iy);
/* One run per grid row of the cells meeting the disc of radius r about (qx, qy), rows in
 * increasing order; out has room for g->ny runs. Every point within r lies in a run;
 * r = INFINITY gives every point. Returns the number of runs. */
size_t agglo__index_grid_disc_runs(const agglo__index_grid *g, double qx, double qy, double r,
                                   agglo__index_run *out);
/* Per grid row meeting the disc: the cells meeting it and those wholly inside (i0 > i1 when
 * none); out has room for g->ny rows. Returns the number of rows. */
size_t agglo__index_grid_disc_spans(const agglo__index_grid *g, double qx, double qy, double r,
                                    agglo__index_row_span *out);
int agglo__index_knn_init(agglo__index_knn *st, size_t n);
void agglo__index_knn_free(agglo__index_knn *st);
/* The k-th smallest squared distance from (qx, qy) to the stored points (1 <= k <= n), exact. */
double agglo__index_grid_kth_dist2(const agglo__index_grid *g, double qx, double qy, size_t k,
                                   agglo__index_knn *st);
/* Distance from (px, py) to its nearest stored point other than caller's index `exclude`;
 * *j gets that point's caller index ((size_t)-1 when none), ties to the lower index. */
double agglo__index_grid_nearest(const agglo__index_grid *g, double px, double py,
                                 size_t exclude, size_t *j);

#endif
