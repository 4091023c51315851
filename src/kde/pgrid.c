/* Uniform bucket grid of points (see kde_internal.h). */
#include "kde_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"

int kde_pgrid_build(agglo_ctx *ctx, kde_pgrid *g, const double *x, const double *y, size_t n,
                    double bs)
{
    memset(g, 0, sizeof *g);
    g->x = x;
    g->y = y;
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        m++;
        if (x[i] < x0) x0 = x[i];
        if (x[i] > x1) x1 = x[i];
        if (y[i] < y0) y0 = y[i];
        if (y[i] > y1) y1 = y[i];
    }
    if (m == 0) {
        x0 = y0 = 0;
        x1 = y1 = 1;
    }
    double wx = x1 - x0, wy = y1 - y0;
    if (!(bs > 0) || !isfinite(bs))
        bs = fmax(wx, wy) > 0 ? fmax(wx, wy) : 1.0;
    /* at most ~4M buckets */
    const double maxb = 4194304.0;
    if ((wx / bs + 1) * (wy / bs + 1) > maxb)
        bs = fmax(bs, sqrt(wx * wy / maxb) * 1.01 + fmax(wx, wy) / 2048.0);
    g->bs = bs;
    g->x0 = x0;
    g->y0 = y0;
    g->nx = (size_t)floor(wx / bs) + 1;
    g->ny = (size_t)floor(wy / bs) + 1;
    g->n = m;
    size_t nb = g->nx * g->ny;
    g->start = agglo_calloc(ctx, nb + 1, sizeof(size_t));
    g->idx = agglo_malloc(ctx, (m ? m : 1) * sizeof(size_t));
    size_t *cell = agglo_malloc(ctx, (n ? n : 1) * sizeof(size_t));
    if (!g->start || !g->idx || !cell) {
        free(cell);
        kde_pgrid_free(g);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            cell[i] = (size_t)-1;
            continue;
        }
        long bx, by;
        kde_pgrid_cell(g, x[i], y[i], &bx, &by);
        cell[i] = (size_t)by * g->nx + (size_t)bx;
        g->start[cell[i] + 1]++;
    }
    for (size_t b = 0; b < nb; b++)
        g->start[b + 1] += g->start[b];
    size_t *fill = agglo_malloc(ctx, nb * sizeof(size_t));
    if (!fill) {
        free(cell);
        kde_pgrid_free(g);
        return AGGLO_E_NOMEM;
    }
    memcpy(fill, g->start, nb * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        if (cell[i] != (size_t)-1)
            g->idx[fill[cell[i]]++] = i;
    free(fill);
    free(cell);
    return AGGLO_OK;
}

void kde_pgrid_free(kde_pgrid *g)
{
    if (!g)
        return;
    free(g->start);
    free(g->idx);
    g->start = g->idx = NULL;
}

void kde_pgrid_cell(const kde_pgrid *g, double px, double py, long *bx, long *by)
{
    double fx = floor((px - g->x0) / g->bs), fy = floor((py - g->y0) / g->bs);
    if (!(fx >= 0)) fx = 0;
    if (!(fy >= 0)) fy = 0;
    if (fx > (double)(g->nx - 1)) fx = (double)(g->nx - 1);
    if (fy > (double)(g->ny - 1)) fy = (double)(g->ny - 1);
    *bx = (long)fx;
    *by = (long)fy;
}

double kde_pgrid_nn(const kde_pgrid *g, double px, double py, size_t exclude, size_t *j)
{
    long cx, cy;
    kde_pgrid_cell(g, px, py, &cx, &cy);
    double best2 = INFINITY;
    size_t bj = (size_t)-1;
    /* distance from the point to the border of its own bucket block: when the point lies
     * outside the grid box, account for the offset */
    double ox = fmax(0.0, fmax(g->x0 - px, px - (g->x0 + (double)g->nx * g->bs)));
    double oy = fmax(0.0, fmax(g->y0 - py, py - (g->y0 + (double)g->ny * g->bs)));
    double off = fmax(ox, oy);
    long kmax = (long)(g->nx > g->ny ? g->nx : g->ny);
    for (long k = 0; k <= kmax; k++) {
        for (long by = cy - k; by <= cy + k; by++) {
            if (by < 0 || by >= (long)g->ny)
                continue;
            long step = (by == cy - k || by == cy + k) ? 1 : 2 * k;
            for (long bx = cx - k; bx <= cx + k; bx += step ? step : 1) {
                if (bx < 0 || bx >= (long)g->nx)
                    continue;
                size_t b = (size_t)by * g->nx + (size_t)bx;
                for (size_t s = g->start[b]; s < g->start[b + 1]; s++) {
                    size_t i = g->idx[s];
                    if (i == exclude)
                        continue;
                    double dx = g->x[i] - px, dy = g->y[i] - py;
                    double d2 = dx * dx + dy * dy;
                    if (d2 < best2 || (d2 == best2 && i < bj)) {
                        best2 = d2;
                        bj = i;
                    }
                }
                if (step == 0)
                    break;
            }
        }
        double reach = (double)k * g->bs - off;
        if (bj != (size_t)-1 && reach > 0 && best2 <= reach * reach)
            break;
    }
    if (j)
        *j = bj;
    return bj == (size_t)-1 ? INFINITY : sqrt(best2);
}
