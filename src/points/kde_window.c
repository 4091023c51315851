/* Kernel density in a polygonal window (spatstat density.ppp with a polygonal owin): only the
 * points inside the window, the edge correction divides by the kernel mass inside the
 * window (the convolution of the window's pixel mask with the kernel), cells whose centre
 * lies outside the window are nodata. */
#define _GNU_SOURCE
#include "agglo/kde.h"
#include "agglo/points.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "points_internal.h"

int agglo_kde_compute_window(agglo_ctx *ctx, const double *x, const double *y, const double *w,
                             size_t n, const agglo_grid *g, const agglo_kde_options *opts,
                             const agglo_window *win, double nodata, double *out,
                             agglo_kde_info *info, size_t *kept)
{
    if (!win || !g || !opts || !out)
        return agglo_error(ctx, AGGLO_E_USAGE, "kde: no window, grid, options or output");
    double bb[4];
    agglo_window_bbox(win, bb);
    double gxmax = g->xmin + (double)g->ncols * g->cell, gymin = g->ymax - (double)g->nrows * g->cell;
    if (bb[0] < g->xmin || bb[2] > gxmax || bb[1] < gymin || bb[3] > g->ymax)
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "kde: the grid %g,%g,%g,%g does not cover the window %g,%g,%g,%g "
                           "(the edge correction needs the whole window)",
                           g->xmin, gymin, gxmax, g->ymax, bb[0], bb[1], bb[2], bb[3]);
    /* the points inside the window (spatstat: a ppp's points lie in its window) */
    double *fx = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    double *fy = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    double *fw = w ? agglo_malloc(ctx, (n ? n : 1) * sizeof(double)) : NULL;
    if (!fx || !fy || (w && !fw)) {
        free(fx);
        free(fy);
        free(fw);
        return AGGLO_E_NOMEM;
    }
    size_t m = 0, outside = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        if (!agglo_window_contains(win, x[i], y[i])) {
            outside++;
            continue;
        }
        fx[m] = x[i];
        fy[m] = y[i];
        if (fw)
            fw[m] = w[i];
        m++;
    }
    if (outside && !opts->window_only) {
        free(fx);
        free(fy);
        free(fw);
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "kde: %zu point(s) lie outside the window polygons; leave them out "
                           "explicitly (window-only, as spatstat's ppp) or give a window that "
                           "contains them", outside);
    }
    agglo_kde_options o = *opts;
    o.edge = 0;
    o.window_only = 1;
    int rc = agglo_kde_compute(ctx, fx, fy, fw, m, g, &o, out, info);
    free(fx);
    free(fy);
    free(fw);
    if (rc)
        return rc;
    if (info) {
        info->points_outside = outside;
        info->points_left_out = outside;
    }
    size_t nn = g->ncols * g->nrows, in = 0;
    double *mask = agglo_malloc(ctx, nn * sizeof(double));
    if (!mask)
        return AGGLO_E_NOMEM;
    for (size_t r = 0; r < g->nrows; r++) {
        double cy = g->ymax - ((double)r + 0.5) * g->cell;
        for (size_t c = 0; c < g->ncols; c++) {
            double cx = g->xmin + ((double)c + 0.5) * g->cell;
            mask[r * g->ncols + c] = agglo_window_contains(win, cx, cy) ? 1.0 : 0.0;
        }
    }
    if (opts->edge) {
        double *e = agglo_malloc(ctx, nn * sizeof(double));
        size_t d1, d2;
        if (!e)
            rc = AGGLO_E_NOMEM;
        else
            rc = agglo__kde_fft(ctx, NULL, g, opts, e, &d1, &d2, mask);
        double c2 = g->cell * g->cell;
        for (size_t t = 0; rc == AGGLO_OK && t < nn; t++)
            if (mask[t] > 0 && e[t] > 0)
                out[t] /= e[t] * c2;
        free(e);
    }
    for (size_t t = 0; rc == AGGLO_OK && t < nn; t++) {
        if (mask[t] > 0)
            in++;
        else
            out[t] = nodata;
    }
    free(mask);
    if (kept)
        *kept = in;
    return rc;
}
