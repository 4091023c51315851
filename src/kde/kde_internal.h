/* Internal helpers of the kde module (not installed): a bucket grid of points for neighbour
 * searches (nearest neighbour, all pairs within r), shared by src/kde and src/points; and the
 * pieces the kde files share (agglo__kde_*: private, double underscore).
 * We use our own uniform bucket grid rather than the kd-tree: pair counting within a fixed r
 * over a bounded window is exactly what a uniform grid does best, and it keeps the summation
 * order fixed (deterministic whatever the thread count). */
#ifndef AGGLO_KDE_INTERNAL_H
#define AGGLO_KDE_INTERNAL_H

#include <stddef.h>
#include <math.h>

#include "agglo/core.h"
#include "agglo/kde.h"
#include "../index/index_internal.h" /* the shared uniform grid */

/* Standard normal CDF. src/kde/kernel.c */
double agglo__kde_pnorm(double z);

/* Kernel value from r2 = d^2 / h^2, without the 1/h^2 factor; the gaussian is cut beyond
 * r2 > cut2. */
static inline double agglo__kde_kern_r2(agglo_kde_kernel k, double r2, double cut2)
{
    switch (k) {
    case AGGLO_KDE_KERNEL_QUARTIC: return r2 < 1 ? (3.0 / M_PI) * (1 - r2) * (1 - r2) : 0;
    case AGGLO_KDE_KERNEL_EPANECHNIKOV: return r2 < 1 ? (2.0 / M_PI) * (1 - r2) : 0;
    case AGGLO_KDE_KERNEL_TRIANGULAR: return r2 < 1 ? (3.0 / M_PI) * (1 - sqrt(r2)) : 0;
    case AGGLO_KDE_KERNEL_UNIFORM: return r2 <= 1 ? 1.0 / M_PI : 0;
    case AGGLO_KDE_KERNEL_GAUSSIAN: return r2 <= cut2 ? exp(-0.5 * r2) / (2 * M_PI) : 0;
    }
    return 0;
}

/* The points that count for a density or a bandwidth rule: finite coordinates and weight,
 * copied; w = NULL means all 1 (unweighted). */
typedef struct agglo__kde_pts {
    double *x, *y, *w;
    size_t m;
    double wsum;
    int unweighted;
} agglo__kde_pts;

/* Refuses negative weights. Free with agglo__kde_pts_free. src/kde/kde.c */
int agglo__kde_collect(agglo_ctx *ctx, const double *x, const double *y, const double *w,
                       size_t n, agglo__kde_pts *p);
void agglo__kde_pts_free(agglo__kde_pts *p);

/* Exact path: the kernel at every cell centre into out. src/kde/exact.c */
int agglo__kde_exact(agglo_ctx *ctx, const agglo__kde_pts *p, const agglo_grid *g,
                     const agglo_kde_options *o, double *out);
/* FFT path (see the comment at its definition); binned != NULL convolves that grid of masses
 * instead of the points. src/kde/fft.c */
int agglo__kde_fft(agglo_ctx *ctx, const agglo__kde_pts *p, const agglo_grid *g,
                   const agglo_kde_options *o, double *out, size_t *outside, size_t *left_out,
                   const double *binned);
/* spatstat's uniform edge correction of a density on g, in place. src/kde/fft.c */
int agglo__kde_edge_correct(agglo_ctx *ctx, const agglo_grid *g, const agglo_kde_options *o,
                            double *out);

#endif
