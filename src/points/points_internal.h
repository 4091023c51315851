/* Internal pieces of the points module (not installed; agglo__points_*: private, double
 * underscore). */
#ifndef AGGLO_POINTS_INTERNAL_H
#define AGGLO_POINTS_INTERNAL_H

#include <stddef.h>

#include "agglo/core.h"

/* The finite points of x, y copied to *px, *py (*m of them; free both), and the window:
 * a copy of `window`, refused when empty or when a point lies outside it, or, when NULL, the
 * points' bounding box (refused without area). At least 2 points. `what` names the measure in
 * the messages. src/points/window.c */
int agglo__points_prepare(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                          const double *window, double **px, double **py, size_t *m,
                          double win[4], const char *what);

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

#endif
