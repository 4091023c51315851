/* The uniform grid over planar points (index_internal.h): the cells a disc meets, as one run
 * of stored points per grid row, the exact k-th nearest distance and the nearest point.
 *
 * Points are stored cell by cell with cells numbered row by row, so the cells of one row
 * that meet a disc hold a contiguous run of points. Geometry is conservative: the
 * runs for radius r include every observation within r (the radius is padded by 1e-9
 * relative, far above rounding), and the cells counted as "wholly inside" radius r are
 * shrunk by the same margin, so which observations are near is always decided on their
 * computed squared distances, the same numbers the kernels use. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "index_internal.h"

#define GRID_PAD 1e-9

void agglo__index_grid_cell(const agglo__index_grid *g, double px, double py, long *ix,
                            long *iy)
{
    double fx = floor((px - g->x0) / g->cs), fy = floor((py - g->y0) / g->cs);
    if (!(fx >= 0))
        fx = 0;
    if (!(fy >= 0))
        fy = 0;
    if (fx > (double)(g->nx - 1))
        fx = (double)(g->nx - 1);
    if (fy > (double)(g->ny - 1))
        fy = (double)(g->ny - 1);
    *ix = (long)fx;
    *iy = (long)fy;
}

/* The automatic cell side over a box wx x wy holding n points (see the header). */
static void auto_side(agglo__index_grid *g, const double *x, const double *y, size_t npts,
                      size_t n, double wx, double wy)
{
    double ext = wx > wy ? wx : wy;
    double cs;
    if (!(ext > 0)) {
        cs = 1.0;
    } else {
        double area = (wx > 0 ? wx : ext / (double)n) * (wy > 0 ? wy : ext / (double)n);
        cs = sqrt(2.0 * area / (double)n);
        if (!(cs > 0))
            cs = ext;
    }
    long nx = (long)floor(wx / cs) + 1, ny = (long)floor(wy / cs) + 1;
    while ((double)nx * (double)ny > 4.0 * (double)n + 16) {
        cs *= 1.5;
        nx = (long)floor(wx / cs) + 1;
        ny = (long)floor(wy / cs) + 1;
    }
    /* Clustered points (shops around a few towns) crowd a bounding-box grid: while the
     * occupancy a point sees in its own cell, sum c^2 / n, exceeds 8 and the grid may have 4
     * times the cells, halve the cell side. */
    for (int pass = 0; pass < 8; pass++) {
        double half = cs / 2;
        long hx = (long)floor(wx / half) + 1, hy = (long)floor(wy / half) + 1;
        if ((double)hx * (double)hy > 4.0 * (double)n + 16)
            break;
        size_t ncell = (size_t)nx * (size_t)ny;
        size_t *count = calloc(ncell, sizeof *count);
        if (!count)
            break; /* keep the current side: a coarser grid is still correct */
        g->cs = cs;
        g->inv_cs = 1.0 / cs;
        g->nx = nx;
        g->ny = ny;
        double seen = 0;
        for (size_t i = 0; i < npts; i++) {
            if (!isfinite(x[i]) || !isfinite(y[i]))
                continue;
            long ix, iy;
            agglo__index_grid_cell(g, x[i], y[i], &ix, &iy);
            count[(size_t)iy * (size_t)nx + (size_t)ix]++;
        }
        for (size_t c = 0; c < ncell; c++)
            seen += (double)count[c] * (double)count[c];
        free(count);
        if (seen / (double)n <= 8.0)
            break;
        cs = half;
        nx = hx;
        ny = hy;
    }
    g->cs = cs;
    g->nx = nx;
    g->ny = ny;
}

int agglo__index_grid_build(agglo_ctx *ctx, agglo__index_grid *g, const double *x,
                            const double *y, size_t npts, double side)
{
    memset(g, 0, sizeof *g);
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    size_t n = 0;
    for (size_t i = 0; i < npts; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        n++;
        x0 = x[i] < x0 ? x[i] : x0;
        x1 = x[i] > x1 ? x[i] : x1;
        y0 = y[i] < y0 ? y[i] : y0;
        y1 = y[i] > y1 ? y[i] : y1;
    }
    if (n == 0) {
        x0 = y0 = 0;
        x1 = y1 = 1;
    }
    double wx = x1 - x0, wy = y1 - y0;
    g->x0 = x0;
    g->y0 = y0;
    g->n = n;
    if (side > 0 && isfinite(side)) {
        /* at most ~4M cells */
        const double maxb = 4194304.0;
        if ((wx / side + 1) * (wy / side + 1) > maxb)
            side = fmax(side, sqrt(wx * wy / maxb) * 1.01 + fmax(wx, wy) / 2048.0);
        g->cs = side;
        g->nx = (long)floor(wx / side) + 1;
        g->ny = (long)floor(wy / side) + 1;
    } else if (n > 0) {
        auto_side(g, x, y, npts, n, wx, wy);
    } else {
        g->cs = 1.0;
        g->nx = g->ny = 1;
    }
    g->inv_cs = 1.0 / g->cs;
    size_t nc = (size_t)g->nx * (size_t)g->ny;
    g->cstart = agglo_calloc(ctx, nc + 1, sizeof(size_t));
    g->order = agglo_malloc(ctx, (n ? n : 1) * sizeof(size_t));
    g->xs = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    g->ys = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    size_t *cell = agglo_malloc(ctx, (npts ? npts : 1) * sizeof(size_t));
    size_t *pos = agglo_malloc(ctx, nc * sizeof(size_t));
    if (!g->cstart || !g->order || !g->xs || !g->ys || !cell || !pos) {
        free(cell);
        free(pos);
        agglo__index_grid_free(g);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < npts; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) {
            cell[i] = (size_t)-1;
            continue;
        }
        long ix, iy;
        agglo__index_grid_cell(g, x[i], y[i], &ix, &iy);
        cell[i] = (size_t)iy * (size_t)g->nx + (size_t)ix;
        g->cstart[cell[i] + 1]++;
    }
    for (size_t c = 0; c < nc; c++)
        g->cstart[c + 1] += g->cstart[c];
    memcpy(pos, g->cstart, nc * sizeof(size_t));
    for (size_t i = 0; i < npts; i++)
        if (cell[i] != (size_t)-1) {
            size_t t = pos[cell[i]]++;
            g->order[t] = i;
            g->xs[t] = x[i];
            g->ys[t] = y[i];
        }
    free(pos);
    free(cell);
    return AGGLO_OK;
}

void agglo__index_grid_free(agglo__index_grid *g)
{
    if (!g)
        return;
    free(g->cstart);
    free(g->order);
    free(g->xs);
    free(g->ys);
    memset(g, 0, sizeof *g);
}

/* Nearest stored point by rings of cells about the query's cell, stopping when the ring
 * reached lies beyond the best distance found. */
double agglo__index_grid_nearest(const agglo__index_grid *g, double px, double py,
                                 size_t exclude, size_t *j)
{
    long cx, cy;
    agglo__index_grid_cell(g, px, py, &cx, &cy);
    double best2 = INFINITY;
    size_t bj = (size_t)-1;
    /* distance from the point to the border of its own cell block: when the point lies
     * outside the grid box, account for the offset */
    double ox = fmax(0.0, fmax(g->x0 - px, px - (g->x0 + (double)g->nx * g->cs)));
    double oy = fmax(0.0, fmax(g->y0 - py, py - (g->y0 + (double)g->ny * g->cs)));
    double off = fmax(ox, oy);
    long kmax = g->nx > g->ny ? g->nx : g->ny;
    for (long k = 0; k <= kmax; k++) {
        for (long by = cy - k; by <= cy + k; by++) {
            if (by < 0 || by >= g->ny)
                continue;
            long step = (by == cy - k || by == cy + k) ? 1 : 2 * k;
            for (long bx = cx - k; bx <= cx + k; bx += step ? step : 1) {
                if (bx < 0 || bx >= g->nx)
                    continue;
                size_t b = (size_t)by * (size_t)g->nx + (size_t)bx;
                for (size_t s = g->cstart[b]; s < g->cstart[b + 1]; s++) {
                    size_t i = g->order[s];
                    if (i == exclude)
                        continue;
                    double dx = g->xs[s] - px, dy = g->ys[s] - py;
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
        double reach = (double)k * g->cs - off;
        if (bj != (size_t)-1 && reach > 0 && best2 <= reach * reach)
            break;
    }
    if (j)
        *j = bj;
    return bj == (size_t)-1 ? INFINITY : sqrt(best2);
}

/* floor(v) clamped to [-1, hi + 1] (v may be infinite): without SSE4.1 the libm floor is a
 * call, and these run twice per grid row per query. */
static inline long floor_clamped(double v, long hi)
{
    if (!(v > -1.0))
        return -1;
    if (v >= (double)hi + 1.0)
        return hi + 1;
    long i = (long)v; /* truncation: floor for v >= 0, 0 for v in (-1, 0) */
    return (double)i > v ? i - 1 : i;
}

/* ceil(v) clamped to [-1, hi + 1], likewise. */
static inline long ceil_clamped(double v, long hi)
{
    if (!(v > -1.0))
        return -1;
    if (v > (double)hi + 1.0)
        return hi + 1;
    long i = (long)v; /* truncation: ceil for v in (-1, 0], below ceil by one otherwise */
    return (double)i < v ? i + 1 : i;
}

/* Column range [*c0, *c1] (clamped to the grid) of the cells of row yy that meet the disc of
 * radius r (outer) or lie wholly inside it (!outer). Returns 0 when none. */
static int row_cells(const agglo__index_grid *g, double qx, double qy, double r, long yy, int outer,
                     long *c0, long *c1)
{
    const double cs = g->cs, inv = g->inv_cs;
    const long hi = g->nx - 1;
    double ylo = g->y0 + (double)yy * cs, yhi = ylo + cs;
    long a, b;
    if (outer) {
        double dy = qy < ylo ? ylo - qy : (qy > yhi ? qy - yhi : 0.0);
        if (dy > r)
            return 0;
        double s = r == INFINITY ? INFINITY : sqrt(r * r - dy * dy);
        a = floor_clamped((qx - s - g->x0) * inv, hi);
        b = floor_clamped((qx + s - g->x0) * inv, hi);
    } else {
        double dlo = fabs(qy - ylo), dhi = fabs(qy - yhi), dy = dlo > dhi ? dlo : dhi;
        if (!(dy < r))
            return 0;
        double s = sqrt(r * r - dy * dy);
        a = ceil_clamped((qx - s - g->x0) * inv, hi);
        b = floor_clamped((qx + s - g->x0) * inv, hi) - 1;
    }
    if (a < 0)
        a = 0;
    if (b > hi)
        b = hi;
    if (a > b)
        return 0;
    *c0 = a;
    *c1 = b;
    return 1;
}

/* Grid rows [*y0, *y1] within distance r of qy (clamped). Returns 0 when none. */
static int disc_rows(const agglo__index_grid *g, double qy, double r, long *y0, long *y1)
{
    double a = floor((qy - r - g->y0) * g->inv_cs), b = floor((qy + r - g->y0) * g->inv_cs);
    if (!(a >= 0))
        a = 0;
    if (!(b <= (double)(g->ny - 1)))
        b = (double)(g->ny - 1);
    if (!(a <= b))
        return 0;
    *y0 = (long)a;
    *y1 = (long)b;
    return 1;
}

static double pad_out(double r)
{
    return r * (1.0 + GRID_PAD) + 0.0;
}

/* One run per grid row of the cells that meet the disc of radius r about (qx, qy), rows in
 * increasing order; out has room for g->ny runs. Every observation within distance r lies
 * in a run. r = INFINITY gives every observation. Returns the number of runs. */
size_t agglo__index_grid_disc_runs(const agglo__index_grid *g, double qx, double qy, double r, agglo__index_run *out)
{
    const size_t *cst = g->cstart, gnx = (size_t)g->nx;
    size_t nr = 0;
    long y0, y1;
    double rp = pad_out(r) + GRID_PAD * g->cs;
    if (!disc_rows(g, qy, rp, &y0, &y1))
        return 0;
    for (long yy = y0; yy <= y1; yy++) {
        long c0, c1;
        if (!row_cells(g, qx, qy, rp, yy, 1, &c0, &c1))
            continue;
        size_t row = (size_t)yy * gnx;
        size_t j0 = cst[row + (size_t)c0], j1 = cst[row + (size_t)c1 + 1];
        if (j1 > j0) {
            out[nr].j0 = j0;
            out[nr].j1 = j1;
            nr++;
        }
    }
    return nr;
}

/* Per grid row meeting the disc of radius r: the cells meeting it [o0, o1] and the cells
 * wholly inside it [i0, i1] (i0 > i1 when none), with the margins of agglo__index_grid_disc_runs and
 * disc_count; out has room for g->ny rows. Returns the number of rows. */
size_t agglo__index_grid_disc_spans(const agglo__index_grid *g, double qx, double qy, double r,
                      agglo__index_row_span *out)
{
    size_t nr = 0;
    long y0, y1;
    double ro = pad_out(r) + GRID_PAD * g->cs;
    double ri = r * (1.0 - GRID_PAD) - GRID_PAD * g->cs;
    if (!disc_rows(g, qy, ro, &y0, &y1))
        return 0;
    for (long yy = y0; yy <= y1; yy++) {
        agglo__index_row_span *sp = out + nr;
        if (!row_cells(g, qx, qy, ro, yy, 1, &sp->o0, &sp->o1))
            continue;
        sp->row = yy;
        if (!(ri > 0) || !row_cells(g, qx, qy, ri, yy, 0, &sp->i0, &sp->i1) || sp->i0 < sp->o0 ||
            sp->i1 > sp->o1) {
            sp->i0 = 1;
            sp->i1 = 0;
        }
        nr++;
    }
    return nr;
}

/* Number of observations in the cells wholly inside (inner) or meeting (!inner) the disc of
 * radius r: a lower or upper bound on the number within distance r. */
static size_t disc_count(const agglo__index_grid *g, double qx, double qy, double r, int inner)
{
    const size_t *cst = g->cstart, gnx = (size_t)g->nx;
    double rr = inner ? r * (1.0 - GRID_PAD) - GRID_PAD * g->cs
                      : pad_out(r) + GRID_PAD * g->cs;
    long y0, y1;
    if (!(rr > 0) && inner)
        return 0;
    if (!disc_rows(g, qy, rr, &y0, &y1))
        return 0;
    size_t cnt = 0;
    for (long yy = y0; yy <= y1; yy++) {
        long c0, c1;
        if (!row_cells(g, qx, qy, rr, yy, !inner, &c0, &c1))
            continue;
        size_t row = (size_t)yy * gnx;
        cnt += cst[row + (size_t)c1 + 1] - cst[row + (size_t)c0];
    }
    return cnt;
}

int agglo__index_knn_init(agglo__index_knn *st, size_t n)
{
    memset(st, 0, sizeof *st);
    st->d2 = malloc((n ? n : 1) * sizeof(double));
    return st->d2 ? 0 : -1;
}

void agglo__index_knn_free(agglo__index_knn *st)
{
    free(st->d2);
    memset(st, 0, sizeof *st);
}

/* A bracket [lo, hi] of the k-th nearest distance from the cell counts alone: hi where the
 * cells wholly inside already hold k observations, lo where the cells meeting the disc hold
 * fewer than k (lo < 0: none). Doubling then six bisection steps (about 1.5% of the radius). */
static void bracket_by_counts(const agglo__index_grid *g, double qx, double qy, size_t k,
                              double *lo_out, double *hi_out)
{
    double dens = (double)g->n / ((double)g->nx * (double)g->ny);
    double r = g->cs * sqrt((double)k / (M_PI * dens));
    /* farthest grid corner: every observation is within it */
    double fx = fmax(fabs(qx - g->x0), fabs(qx - (g->x0 + (double)g->nx * g->cs)));
    double fy = fmax(fabs(qy - g->y0), fabs(qy - (g->y0 + (double)g->ny * g->cs)));
    double rmax = 2.0 * hypot(fx, fy) + 2.0 * g->cs;
    if (!(r > 0))
        r = g->cs;
    double lo = 0, hi;
    if (disc_count(g, qx, qy, r, 1) >= k) {
        hi = r;
        for (lo = r / 2; lo > 1e-9 * g->cs && disc_count(g, qx, qy, lo, 1) >= k; lo /= 2)
            hi = lo;
        if (!(lo > 1e-9 * g->cs))
            lo = 0;
    } else {
        lo = r;
        for (hi = 2 * r; hi < rmax && disc_count(g, qx, qy, hi, 1) < k; hi *= 2)
            lo = hi;
        if (!(hi < rmax))
            hi = rmax;
    }
    for (int it = 0; it < 6; it++) {
        double mid = 0.5 * (lo + hi);
        if (disc_count(g, qx, qy, mid, 1) >= k)
            hi = mid;
        else
            lo = mid;
    }
    double u = hi;
    /* lower bound: cells meeting the disc hold fewer than k */
    lo = -1;
    double r2 = u;
    for (int it = 0; it < 60; it++) {
        r2 /= 2;
        if (r2 < 1e-9 * g->cs)
            break;
        if (disc_count(g, qx, qy, r2, 0) < k) {
            lo = r2;
            break;
        }
    }
    if (lo >= 0) {
        double top = 2 * lo < u ? 2 * lo : u;
        for (int it = 0; it < 6; it++) {
            double mid = 0.5 * (lo + top);
            if (disc_count(g, qx, qy, mid, 0) < k)
                lo = mid;
            else
                top = mid;
        }
    }
    *lo_out = lo;
    *hi_out = u;
}

/* Squared distances of the observations in [j0, j1) to (qx, qy): those below lo2 are counted,
 * those in [lo2, hi2] kept in buf. */
static size_t sweep_run(const agglo__index_grid *g, double qx, double qy, size_t j0, size_t j1,
                        double lo2, double hi2, double *buf, size_t nb, size_t *below)
{
    const double *cx = g->xs, *cy = g->ys;
    size_t cnt = 0;
    for (size_t j = j0; j < j1; j++) {
        double dx = qx - cx[j], dy = qy - cy[j], d2 = dx * dx + dy * dy;
        cnt += d2 < lo2;
        buf[nb] = d2;
        nb += (d2 >= lo2) & (d2 <= hi2);
    }
    *below += cnt;
    return nb;
}

/* Observations strictly nearer than lo (counted from whole cells where possible) and the
 * squared distances within [lo, hi] (lo < 0: none nearer); returns how many were kept. */
static size_t sweep_annulus(const agglo__index_grid *g, double qx, double qy, double lo, double hi,
                            double *buf, size_t *below)
{
    const size_t *cst = g->cstart, gnx = (size_t)g->nx;
    double lo2 = lo < 0 ? -1.0 : lo * lo, hi2 = hi * hi;
    double ro = pad_out(hi) + GRID_PAD * g->cs;
    double ri = lo * (1.0 - GRID_PAD) - GRID_PAD * g->cs;
    size_t nb = 0;
    *below = 0;
    long y0, y1;
    if (!disc_rows(g, qy, ro, &y0, &y1))
        return 0;
    for (long yy = y0; yy <= y1; yy++) {
        long o0, o1, i0, i1;
        if (!row_cells(g, qx, qy, ro, yy, 1, &o0, &o1))
            continue;
        size_t row = (size_t)yy * gnx;
        size_t a = cst[row + (size_t)o0], d = cst[row + (size_t)o1 + 1];
        if (ri > 0 && row_cells(g, qx, qy, ri, yy, 0, &i0, &i1) && i0 >= o0 && i1 <= o1) {
            size_t b = cst[row + (size_t)i0], c = cst[row + (size_t)i1 + 1];
            *below += c - b;
            nb = sweep_run(g, qx, qy, a, b, lo2, hi2, buf, nb, below);
            nb = sweep_run(g, qx, qy, c, d, lo2, hi2, buf, nb, below);
        } else {
            nb = sweep_run(g, qx, qy, a, d, lo2, hi2, buf, nb, below);
        }
    }
    return nb;
}

/* The k-th smallest squared distance from (qx, qy) to the observations (1 <= k <= n), exact:
 * a bracket [lo, hi] of the k-th distance (from the previous query, |d_k(q) - d_k(q')| <=
 * |q - q'|, else from cell counts), then one sweep counts the observations below lo and
 * selects among those in the bracket. */
double agglo__index_grid_kth_dist2(const agglo__index_grid *g, double qx, double qy, size_t k, agglo__index_knn *st)
{
    size_t n = g->n;
    if (k > n)
        k = n;
    double lo, hi;
    int have = 0;
    if (st->k == k) {
        double step = hypot(qx - st->qx, qy - st->qy);
        if (step <= 0.5 * st->dk) {
            double slack = GRID_PAD * (st->dk + step) + GRID_PAD * g->cs;
            lo = st->dk - step - slack;
            hi = st->dk + step + slack;
            have = 1;
        }
    }
    if (!have)
        bracket_by_counts(g, qx, qy, k, &lo, &hi);
    size_t below;
    size_t nb = sweep_annulus(g, qx, qy, lo, hi, st->d2, &below);
    if (below >= k || below + nb < k) /* cannot happen with exact bounds; be safe */
        nb = sweep_annulus(g, qx, qy, -1.0, INFINITY, st->d2, &below);
    double d2 = agglo__index_select_kth_bucketed(st->d2, nb, k - below, lo > 0 ? lo * lo : 0.0, hi * hi);
    st->k = k;
    st->qx = qx;
    st->qy = qy;
    st->dk = sqrt(d2);
    return d2;
}
