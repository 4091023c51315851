/* Internal pieces of the points module (not installed; agglo__points_*: private, double
 * underscore). */
#ifndef AGGLO_POINTS_INTERNAL_H
#define AGGLO_POINTS_INTERNAL_H

#include <stddef.h>

#include "agglo/core.h"
#include "agglo/points.h"
#include "../kde/kde_internal.h"

/* The finite points of x, y copied to *px, *py (*m of them; free both), and the window:
 * a copy of `window`, refused when empty or when a point lies outside it, or, when NULL, the
 * points' bounding box (refused without area). At least 2 points. `what` names the measure in
 * the messages. src/points/window.c */
int agglo__points_prepare(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                          const double *window, double **px, double **py, size_t *m,
                          double win[4], const char *what);

/* ---- pair iterator ----
 * The skeleton shared by the K estimators (Ripley's K in kest.c, the translation/uncorrected K
 * of bw.diggle in bw_diggle.c): every unordered pair of points at distance d < rmax (spatstat's
 * rectangle engines), visited once as (i, t) with t > i in bucket order. The points are split
 * into AGGLO__POINTS_PAIR_BLOCKS blocks of consecutive bucket-order indices; each block adds
 * into its own accumulators, which the caller combines in block order afterwards, so the sums
 * are the same whatever the thread count. Each estimator keeps its own binning of d on its r
 * grid. Usage:
 *
 *   agglo__points_pairs pp;
 *   rc = agglo__points_pairs_init(ctx, &pp, x, y, n, rmax);   // free: agglo__points_pairs_free
 *   #pragma omp parallel for schedule(dynamic, 1) num_threads(agglo_threads_for(ctx))
 *   for (int blk = 0; blk < AGGLO__POINTS_PAIR_BLOCKS; blk++)
 *       agglo__points_pairs_block(&pp, blk, on_point, on_pair, &state);
 *
 * The callbacks are static functions of the caller: agglo__points_pairs_block is inlined into
 * the parallel loop's body and they into it, so the inner loop costs no indirect call. */
enum { AGGLO__POINTS_PAIR_BLOCKS = 64 };

typedef struct agglo__points_pairs {
    agglo__index_grid g; /* buckets of side rmax / 3 */
    const double *px, *py; /* coordinates in bucket order: g.xs, g.ys (g.order[t] is the
                              input index of t) */
    size_t m;            /* points stored (finite coordinates) */
    size_t per;          /* points per block */
    double rmax, r2max;
} agglo__points_pairs;

/* Points i (bucket order) and t > i at distance d < rmax; dx = px[t] - px[i], dy likewise. */
typedef void (*agglo__points_pair_fn)(void *ud, int blk, size_t i, size_t t, double dx,
                                      double dy, double d);
/* Point i of block blk, called before its pairs. */
typedef void (*agglo__points_point_fn)(void *ud, int blk, size_t i);

/* Free with agglo__points_pairs_free (also after a failed init). src/points/pairs.c */
int agglo__points_pairs_init(agglo_ctx *ctx, agglo__points_pairs *pp, const double *x,
                             const double *y, size_t n, double rmax);
void agglo__points_pairs_free(agglo__points_pairs *pp);

/* Visits the points of block blk and their pairs; point may be NULL. */
static inline __attribute__((always_inline)) void
agglo__points_pairs_block(const agglo__points_pairs *pp, int blk, agglo__points_point_fn point,
                          agglo__points_pair_fn pair, void *ud)
{
    const agglo__index_grid *g = &pp->g;
    const double *px = pp->px, *py = pp->py;
    double rmax = pp->rmax, r2max = pp->r2max;
    size_t i0 = (size_t)blk * pp->per, i1 = i0 + pp->per < pp->m ? i0 + pp->per : pp->m;
    for (size_t i = i0; i < i1; i++) {
        double xi = px[i], yi = py[i];
        if (point)
            point(ud, blk, i);
        long bx0, by0, bx1, by1;
        agglo__index_grid_cell(g, xi - rmax, yi - rmax, &bx0, &by0);
        agglo__index_grid_cell(g, xi + rmax, yi + rmax, &bx1, &by1);
        for (long by = by0; by <= by1; by++) {
            size_t t0 = g->cstart[(size_t)by * (size_t)g->nx + (size_t)bx0];
            size_t t1 = g->cstart[(size_t)by * (size_t)g->nx + (size_t)bx1 + 1];
            if (t0 <= i)
                t0 = i + 1;
            for (size_t t = t0; t < t1; t++) {
                double dx = px[t] - xi, dy = py[t] - yi;
                double d2 = dx * dx + dy * dy;
                if (d2 >= r2max) /* spatstat's rectangle engines: d < rmax */
                    continue;
                pair(ud, blk, i, t, dx, dy, sqrt(d2));
            }
        }
    }
}

/* Translation-corrected K (spatstat Kest correction = "translate", rectangle window win =
 * {xmin, ymin, xmax, ymax}) on r = seq(0, rmax, length = nr) into K (nr values): pair weight
 * area / ((W - |dx|) (H - |dy|)), capped at 100; pairs with d < rmax. translate = 0 gives
 * the uncorrected K (correction = "none", weight 1). src/points/bw_diggle.c */
int agglo__points_kest_trans(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                             const double *win, double rmax, size_t nr, int translate, double *K);
/* spatstat bw.diggle(X) with its defaults for n points in the rectangle win; sigma = the
 * chosen bandwidth. Used by agglo_kde_bandwidth (AGGLO_BW_DIGGLE). src/points/bw_diggle.c */
int agglo__points_bw_diggle(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                            const double *win, double *sigma);

/* Polygonal windows (src/points/polywin.c): Ripley's isotropic weight 1 / (share of the circle
 * inside), capped at 100 (spatstat maxedgewt), 1 at d = 0; and the check that every point lies
 * inside the window (AGGLO_E_USAGE naming the first outside). */
double agglo__window_ripley_weight(const agglo_window *w, double x, double y, double d);
int agglo__window_check_points(agglo_ctx *ctx, const agglo_window *w, const double *x,
                               const double *y, size_t n, const char *what);

#endif
