/* Centrography: (weighted) mean centre, standard distance, standard deviational ellipse. */
#define _GNU_SOURCE
#include "agglo/points.h"
#include "agglo/geom.h"

#include <math.h>
#include <string.h>

#include "../core/core_internal.h"

int agglo_centrography_compute(agglo_ctx *ctx, const double *x, const double *y,
                               const double *w, size_t n, double axis_scale, double stdevs,
                               agglo_centrography *out)
{
    memset(out, 0, sizeof *out);
    double sw = 0, sx = 0, sy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (!isfinite(x[i]) || !isfinite(y[i]) || !isfinite(wi))
            continue;
        if (wi < 0)
            return agglo_error(ctx, AGGLO_E_USAGE, "centrography: negative weight %g at point %zu",
                               wi, i + 1);
        sw += wi;
        sx += wi * x[i];
        sy += wi * y[i];
        m++;
    }
    if (m < 2 || !(sw > 0))
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "centrography: needs at least 2 points with positive weight");
    double mx = sx / sw, my = sy / sw;
    /* second pass for the centred moments (exact centring) */
    double cxx = 0, cyy = 0, cxy = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (!isfinite(x[i]) || !isfinite(y[i]) || !isfinite(wi))
            continue;
        double dx = x[i] - mx, dy = y[i] - my;
        cxx += wi * dx * dx;
        cyy += wi * dy * dy;
        cxy += wi * dx * dy;
    }
    cxx /= sw;
    cyy /= sw;
    cxy /= sw;
    if (!(axis_scale > 0))
        axis_scale = M_SQRT2;
    if (!(stdevs > 0))
        stdevs = 1;
    out->n = m;
    out->weight_sum = sw;
    out->mean_x = mx;
    out->mean_y = my;
    out->standard_distance = sqrt(cxx + cyy);
    double half = 0.5 * (cxx + cyy), dif = sqrt(0.25 * (cxx - cyy) * (cxx - cyy) + cxy * cxy);
    double l1 = half + dif, l2 = fmax(half - dif, 0);
    out->sde_major = axis_scale * stdevs * sqrt(l1);
    out->sde_minor = axis_scale * stdevs * sqrt(l2);
    double phi = 0.5 * atan2(2 * cxy, cxx - cyy); /* major axis, ccw from east */
    double rot = 90.0 - phi * 180.0 / M_PI;       /* clockwise from north */
    rot = fmod(rot, 180.0);
    if (rot < 0)
        rot += 180.0;
    out->rotation = rot;
    out->axis_scale = axis_scale;
    out->stdevs = stdevs;
    return AGGLO_OK;
}

struct GEOSGeom_t *agglo_centrography_ellipse(agglo_ctx *ctx, const agglo_centrography *c,
                                              int nvertices)
{
    return agglo_geom_ellipse(ctx, c->mean_x, c->mean_y, c->sde_major, c->sde_minor, c->rotation,
                              nvertices);
}
