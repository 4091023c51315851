/* Point patterns: the finite points of a pattern and its rectangular window, shared by
 * Clark-Evans and Ripley's K. */
#define _GNU_SOURCE
#include "agglo/points.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "points_internal.h"

int agglo__points_prepare(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                          const double *window, double **px, double **py, size_t *m,
                          double win[4], const char *what)
{
    *px = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    *py = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!*px || !*py) {
        free(*px);
        free(*py);
        return AGGLO_E_NOMEM;
    }
    size_t k = 0;
    double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        (*px)[k] = x[i];
        (*py)[k] = y[i];
        k++;
        bb[0] = fmin(bb[0], x[i]);
        bb[1] = fmin(bb[1], y[i]);
        bb[2] = fmax(bb[2], x[i]);
        bb[3] = fmax(bb[3], y[i]);
    }
    *m = k;
    int rc = AGGLO_OK;
    if (k < 2) {
        rc = agglo_error(ctx, AGGLO_E_EMPTY, "%s: needs at least 2 points with coordinates (got %zu)",
                         what, k);
    } else if (window) {
        memcpy(win, window, 4 * sizeof(double));
        if (!(win[2] > win[0]) || !(win[3] > win[1]))
            rc = agglo_error(ctx, AGGLO_E_USAGE, "%s: empty window %g,%g,%g,%g", what, win[0],
                             win[1], win[2], win[3]);
        else
            for (size_t i = 0; i < k && !rc; i++)
                if ((*px)[i] < win[0] || (*px)[i] > win[2] || (*py)[i] < win[1] || (*py)[i] > win[3])
                    rc = agglo_error(ctx, AGGLO_E_USAGE,
                                     "%s: point (%g, %g) lies outside the window %g,%g,%g,%g",
                                     what, (*px)[i], (*py)[i], win[0], win[1], win[2], win[3]);
    } else {
        memcpy(win, bb, sizeof bb);
        if (!(win[2] > win[0]) || !(win[3] > win[1]))
            rc = agglo_error(ctx, AGGLO_E_USAGE,
                             "%s: the points' bounding box has no area (all on a line); give a "
                             "window", what);
    }
    if (rc) {
        free(*px);
        free(*py);
        *px = *py = NULL;
    }
    return rc;
}

