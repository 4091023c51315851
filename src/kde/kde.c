/* Kernel density, the driver: grid from an extent, options, the points that count, the
 * representability check, the choice between the exact and FFT paths, edge correction and
 * scaling. The kernels are in kernel.c, the bandwidth rules in bandwidth.c, the two paths in
 * exact.c and fft.c; the polygon mask rasteriser is src/geom/mask.c. */
#define _GNU_SOURCE
#include "agglo/kde.h"

#include "agglo/geom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "kde_internal.h"

int agglo__kde_collect(agglo_ctx *ctx, const double *x, const double *y, const double *w,
                       size_t n, agglo__kde_pts *p)
{
    memset(p, 0, sizeof *p);
    p->x = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    p->y = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    p->w = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!p->x || !p->y || !p->w) {
        free(p->x);
        free(p->y);
        free(p->w);
        return AGGLO_E_NOMEM;
    }
    p->unweighted = w == NULL;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (!isfinite(x[i]) || !isfinite(y[i]) || !isfinite(wi))
            continue;
        if (wi < 0) {
            free(p->x);
            free(p->y);
            free(p->w);
            return agglo_error(ctx, AGGLO_E_USAGE, "negative weight %g at point %zu", wi, i + 1);
        }
        p->x[p->m] = x[i];
        p->y[p->m] = y[i];
        p->w[p->m] = wi;
        p->m++;
    }
    double *ws = p->w;
    p->wsum = agglo_sum(ws, p->m);
    return AGGLO_OK;
}

void agglo__kde_pts_free(agglo__kde_pts *p)
{
    free(p->x);
    free(p->y);
    free(p->w);
}

/* ---- points, grid, options ---- */

int agglo_grid_from_extent(agglo_ctx *ctx, const double extent[4], double cell, agglo_grid *g)
{
    if (!(cell > 0) || !isfinite(cell))
        return agglo_error(ctx, AGGLO_E_USAGE, "grid: cell size must be positive (got %g)", cell);
    double wx = extent[2] - extent[0], wy = extent[3] - extent[1];
    if (!isfinite(wx) || !isfinite(wy) || wx < 0 || wy < 0)
        return agglo_error(ctx, AGGLO_E_USAGE, "grid: invalid extent %g,%g,%g,%g", extent[0],
                           extent[1], extent[2], extent[3]);
    double nc = ceil(wx / cell - 1e-9), nr = ceil(wy / cell - 1e-9);
    if (nc < 1) nc = 1;
    if (nr < 1) nr = 1;
    if (nc * nr > 4e8)
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "grid: %.0f x %.0f cells is too large; use a larger cell size", nc, nr);
    g->xmin = extent[0];
    g->ymax = extent[3];
    g->cell = cell;
    g->ncols = (size_t)nc;
    g->nrows = (size_t)nr;
    return AGGLO_OK;
}

void agglo_kde_options_init(agglo_kde_options *o)
{
    memset(o, 0, sizeof *o);
    o->kernel = AGGLO_KDE_KERNEL_QUARTIC;
    o->method = AGGLO_KDE_AUTO;
    o->binning = AGGLO_KDE_BIN_NEAREST;
    o->scale = AGGLO_KDE_SCALE_INTENSITY;
    o->gauss_cutoff = 8.0;
}


/* How well cells of side `cell` represent a kernel of bandwidth h: the density of one point
 * of weight 1 sampled at the cell centres, times the cell area, summed over the cells. That
 * is the weight the raster shows for the point; it depends on where the point lies relative
 * to the centres. *lo and *hi get its smallest and largest value over an 11 x 11 lattice of
 * positions in a quarter cell (by symmetry the whole cell), which holds the cell's centre and
 * corner, where the extremes lie. Below h = cell / 20 no kernel (gaussian cut at <= 8 sigma)
 * reaches a centre from a cell corner: lo = 0 without summing. Wide
 * kernels (h >= 3 cells) are within 2% of 1 for every kernel: not evaluated. */
static void kde_sampled_mass(agglo_kde_kernel k, double h, double cell, double cutoff, double *lo,
                             double *hi)
{
    double hc = h / cell;
    *lo = *hi = 1;
    if (hc >= 3)
        return;
    if (hc < 0.05) { /* nothing reaches a centre from a corner (8 x 0.05 < 1/sqrt 2) */
        *lo = 0;
        *hi = INFINITY;
        return;
    }
    double reach = k == AGGLO_KDE_KERNEL_GAUSSIAN ? cutoff * hc : hc;
    int T = (int)ceil(reach) + 1;
    double ih2 = 1 / (hc * hc), cut2 = cutoff * cutoff, mn = INFINITY, mx = 0;
    for (int a = 0; a <= 10; a++)
        for (int b = 0; b <= 10; b++) {
            double fx = 0.05 * a, fy = 0.05 * b, sum = 0;
            for (int ty = -T; ty <= T; ty++)
                for (int tx = -T; tx <= T; tx++) {
                    double dx = tx - fx, dy = ty - fy;
                    sum += agglo__kde_kern_r2(k, (dx * dx + dy * dy) * ih2, cut2);
                }
            sum *= ih2;
            mn = fmin(mn, sum);
            mx = fmax(mx, sum);
        }
    *lo = mn;
    *hi = mx;
}

int agglo_kde_compute(agglo_ctx *ctx, const double *x, const double *y, const double *w,
                      size_t n, const agglo_grid *g, const agglo_kde_options *opts,
                      double *out, agglo_kde_info *info)
{
    agglo_kde_options o;
    if (opts)
        o = *opts;
    else
        agglo_kde_options_init(&o);
    if (!(o.bandwidth > 0) || !isfinite(o.bandwidth))
        return agglo_error(ctx, AGGLO_E_USAGE, "kde: bandwidth must be positive (got %g)",
                           o.bandwidth);
    if (!(o.gauss_cutoff > 0))
        o.gauss_cutoff = 8.0;
    if ((int)o.kernel < 0 || o.kernel > AGGLO_KDE_KERNEL_UNIFORM)
        return agglo_error(ctx, AGGLO_E_USAGE, "kde: unknown kernel %d", (int)o.kernel);
    if (!g || g->ncols == 0 || g->nrows == 0 || !(g->cell > 0))
        return agglo_error(ctx, AGGLO_E_USAGE, "kde: empty grid");
    agglo__kde_pts p;
    int rc = agglo__kde_collect(ctx, x, y, w, n, &p);
    if (rc)
        return rc;
    if (p.m == 0) {
        agglo__kde_pts_free(&p);
        return agglo_error(ctx, AGGLO_E_EMPTY, "kde: no points with finite coordinates");
    }
    /* the raster must be able to represent the kernel (see kde_sampled_mass) */
    double mlo, mhi;
    kde_sampled_mass(o.kernel, o.bandwidth, g->cell, o.gauss_cutoff, &mlo, &mhi);
    if (!(mlo >= 0.5 && mhi <= 2)) {
        agglo__kde_pts_free(&p);
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "kde: bandwidth %g is too small for cells of %g: sampled at the cell "
                           "centres, one point's %s kernel sums to between %.3g and %.3g of its "
                           "weight depending on where the point lies (at most 2 and at least "
                           "0.5 needed), so the raster cannot represent the density; use a "
                           "cell of at most about h/2 (h/5 or finer for an accurate surface)",
                           o.bandwidth, g->cell, agglo_kde_kernel_name(o.kernel), mlo, mhi);
    }
    double xmax = g->xmin + (double)g->ncols * g->cell, ymin = g->ymax - (double)g->nrows * g->cell;
    size_t outside = 0, left_out = 0, used = p.m;
    for (size_t i = 0; i < p.m; i++)
        if (p.x[i] < g->xmin || p.x[i] > xmax || p.y[i] < ymin || p.y[i] > g->ymax)
            outside++;
    if (o.edge && outside && !o.window_only) {
        agglo__kde_pts_free(&p);
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "kde: the edge correction compensates for points that cannot be seen "
                           "beyond the grid, but %zu point(s) lie outside it and would be "
                           "counted twice; leave them out explicitly (window-only, as spatstat "
                           "density.ppp with the grid as the window) or drop the edge correction",
                           outside);
    }
    if (o.window_only && outside) {
        /* spatstat's ppp semantics: only the points inside the window (the grid) */
        size_t k = 0;
        double ws = 0;
        for (size_t i = 0; i < p.m; i++) {
            if (p.x[i] < g->xmin || p.x[i] > xmax || p.y[i] < ymin || p.y[i] > g->ymax)
                continue;
            p.x[k] = p.x[i];
            p.y[k] = p.y[i];
            p.w[k] = p.w[i];
            ws += p.w[i];
            k++;
        }
        left_out = p.m - k;
        p.m = k;
        p.wsum = ws;
    }
    agglo_kde_method method = o.method;
    double R = o.kernel == AGGLO_KDE_KERNEL_GAUSSIAN ? o.gauss_cutoff * o.bandwidth : o.bandwidth;
    if (method == AGGLO_KDE_AUTO) {
        /* exact cost ~ cells * points within reach of a cell; FFT ~ 60 per padded cell (the
         * grid grown by the kernel's reach on each side, window-only: on one side) */
        double area = ((double)g->ncols * g->cell + 2 * R) * ((double)g->nrows * g->cell + 2 * R);
        double reach = fmin(1.0, 4 * R * R / area);
        double exact_cost = (double)g->ncols * (double)g->nrows * ((double)p.m * reach + 1);
        double grow = (o.window_only ? 1 : 2) * R / g->cell;
        double pad = ((double)g->ncols + grow) * ((double)g->nrows + grow);
        method = exact_cost < 60 * pad ? AGGLO_KDE_EXACT : AGGLO_KDE_FFT;
    }
    if (p.m == 0) { /* window-only and no point inside: a zero surface */
        memset(out, 0, g->ncols * g->nrows * sizeof(double));
    } else if (method == AGGLO_KDE_EXACT) {
        rc = agglo__kde_exact(ctx, &p, g, &o, out);
    } else {
        size_t o1, o2;
        rc = agglo__kde_fft(ctx, &p, g, &o, out, &o1, &o2, NULL);
    }
    if (rc == AGGLO_OK && o.edge)
        rc = agglo__kde_edge_correct(ctx, g, &o, out);
    if (rc == AGGLO_OK) {
        double f = 1;
        switch (o.scale) {
        case AGGLO_KDE_SCALE_INTENSITY: f = 1; break;
        case AGGLO_KDE_SCALE_KM2: f = 1e6; break;
        case AGGLO_KDE_SCALE_CELL: f = g->cell * g->cell; break;
        case AGGLO_KDE_SCALE_PROBABILITY: f = p.wsum > 0 ? 1.0 / p.wsum : 0; break;
        }
        if (f != 1) {
            size_t nn = g->ncols * g->nrows;
            for (size_t t = 0; t < nn; t++)
                out[t] *= f;
        }
        if (info) {
            info->method = method;
            info->points_used = used;
            info->points_outside = outside;
            info->points_left_out = left_out;
            info->total_weight = p.wsum;
        }
    }
    agglo__kde_pts_free(&p);
    return rc;
}

int agglo_kde_default_extent(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                             double pad, double cell, double ext[4])
{
    ext[0] = ext[1] = INFINITY;
    ext[2] = ext[3] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        ext[0] = fmin(ext[0], x[i]);
        ext[1] = fmin(ext[1], y[i]);
        ext[2] = fmax(ext[2], x[i]);
        ext[3] = fmax(ext[3], y[i]);
    }
    if (!isfinite(ext[0]))
        return agglo_error(ctx, AGGLO_E_EMPTY, "no point has coordinates");
    ext[0] -= pad;
    ext[1] -= pad;
    ext[2] += pad;
    ext[3] += pad;
    if (ext[2] - ext[0] < cell)
        ext[2] = ext[0] + cell;
    if (ext[3] - ext[1] < cell)
        ext[3] = ext[1] + cell;
    return AGGLO_OK;
}

void agglo_kde_summarise(const agglo_grid *g, const double *values, double nodata, double *max,
                         double *sum)
{
    double vmax = 0, mass = 0;
    for (size_t t = 0; t < g->ncols * g->nrows; t++)
        if (values[t] != nodata && isfinite(values[t])) {
            vmax = fmax(vmax, values[t]);
            mass += values[t];
        }
    *max = vmax;
    *sum = mass;
}

/* ---- mask ---- */

int agglo_kde_mask(agglo_ctx *ctx, const agglo_grid *g, const agglo_layer *polygons,
                   double *values, double nodata, size_t *kept)
{
    return agglo_geom_mask_grid(ctx, g->xmin, g->ymax, g->cell, g->ncols, g->nrows, polygons,
                                values, nodata, kept);
}
