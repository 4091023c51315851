/* Internal helpers of the kde module (not installed): a bucket grid of points for neighbour
 * searches (nearest neighbour, all pairs within r), shared by kde.c and points.c.
 * We use our own uniform bucket grid rather than the kd-tree: pair counting within a fixed r
 * over a bounded window is exactly what a uniform grid does best, and it keeps the summation
 * order fixed (deterministic whatever the thread count). */
#ifndef AGGLO_KDE_INTERNAL_H
#define AGGLO_KDE_INTERNAL_H

#include <stddef.h>
#include "agglo/core.h"

typedef struct kde_pgrid {
    double x0, y0, bs;   /* origin and bucket side */
    size_t nx, ny;       /* buckets per axis */
    size_t *start;       /* nx*ny+1 offsets into idx (bucket b = by*nx + bx) */
    size_t *idx;         /* point indices sorted by bucket, ascending index within a bucket */
    size_t n;            /* points stored (finite coordinates) */
    const double *x, *y; /* borrowed */
} kde_pgrid;

/* Buckets of side about bs (enlarged so there are at most ~4M buckets) over the bounding box
 * of the finite points. */
int kde_pgrid_build(agglo_ctx *ctx, kde_pgrid *g, const double *x, const double *y, size_t n,
                    double bs);
void kde_pgrid_free(kde_pgrid *g);
/* Bucket coordinates of (px, py), clamped to the grid. */
void kde_pgrid_cell(const kde_pgrid *g, double px, double py, long *bx, long *by);
/* Distance from (px, py) to its nearest stored point other than `exclude`; *j gets its index
 * ((size_t)-1 when none). */
double kde_pgrid_nn(const kde_pgrid *g, double px, double py, size_t exclude, size_t *j);

/* Standard normal CDF. */
double kde_pnorm(double z);

/* Translation-corrected K (spatstat Kest correction = "translate", rectangle window win =
 * {xmin, ymin, xmax, ymax}) on r = seq(0, rmax, length = nr) into K (nr values): pair weight
 * area / ((W - |dx|) (H - |dy|)), capped at 100; pairs with d < rmax. translate = 0 gives
 * the uncorrected K (correction = "none", weight 1). src/kde/bw_diggle.c */
int kde_kest_trans(agglo_ctx *ctx, const double *x, const double *y, size_t n, const double *win,
                   double rmax, size_t nr, int translate, double *K);
/* spatstat bw.diggle(X) with its defaults for n points in the rectangle win; sigma = the
 * chosen bandwidth. src/kde/bw_diggle.c */
int kde_bw_diggle(agglo_ctx *ctx, const double *x, const double *y, size_t n, const double *win,
                  double *sigma);

#endif
