/* The uniform grid over planar GWR coordinates: the cells a disc meets, as one run of
 * observations per grid row, and the exact k-th nearest distance from a point.
 *
 * Observations are stored cell by cell with cells numbered row by row, so the cells of one
 * row that meet a disc hold a contiguous run of observations. Geometry is conservative: the
 * runs for radius r include every observation within r (the radius is padded by 1e-9
 * relative, far above rounding), and the cells counted as "wholly inside" radius r are
 * shrunk by the same margin, so which observations are near is always decided on their
 * computed squared distances, the same numbers the kernels use. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gwr_internal.h"

#define GRID_PAD 1e-9

static void cell_of(const agglo_gwr_model *m, double x, double y, long *ix, long *iy)
{
    double fx = floor((x - m->gx0) / m->cs), fy = floor((y - m->gy0) / m->cs);
    if (!(fx >= 0))
        fx = 0;
    if (!(fy >= 0))
        fy = 0;
    if (fx > (double)(m->gnx - 1))
        fx = (double)(m->gnx - 1);
    if (fy > (double)(m->gny - 1))
        fy = (double)(m->gny - 1);
    *ix = (long)fx;
    *iy = (long)fy;
}

/* Cell side sqrt(2 * area / n): two observations per cell on average, at most 4n + 16 cells
 * (a thin strip widens the cells). Fills m->cstart and the internal order (cell_order[t] =
 * the caller's index of the t-th observation). */
int gwr_grid_build(agglo_gwr_model *m, const double *cx, const double *cy, size_t *cell_order)
{
    size_t n = m->n;
    double x0 = cx[0], x1 = cx[0], y0 = cy[0], y1 = cy[0];
    for (size_t i = 1; i < n; i++) {
        x0 = cx[i] < x0 ? cx[i] : x0;
        x1 = cx[i] > x1 ? cx[i] : x1;
        y0 = cy[i] < y0 ? cy[i] : y0;
        y1 = cy[i] > y1 ? cy[i] : y1;
    }
    double wx = x1 - x0, wy = y1 - y0, ext = wx > wy ? wx : wy;
    double cs;
    if (!(ext > 0)) {
        cs = 1.0;
    } else {
        double area = (wx > 0 ? wx : ext / (double)n) * (wy > 0 ? wy : ext / (double)n);
        cs = sqrt(2.0 * area / (double)n);
        if (!(cs > 0))
            cs = ext;
    }
    long gnx = (long)floor(wx / cs) + 1, gny = (long)floor(wy / cs) + 1;
    while ((double)gnx * (double)gny > 4.0 * (double)n + 16) {
        cs *= 1.5;
        gnx = (long)floor(wx / cs) + 1;
        gny = (long)floor(wy / cs) + 1;
    }
    /* Clustered points (shops around a few towns) crowd a bounding-box grid: while the
     * occupancy an observation sees in its own cell, sum c^2 / n, exceeds 8 and the grid may
     * have 4 times the cells, halve the cell side. */
    m->gx0 = x0;
    m->gy0 = y0;
    for (int pass = 0; pass < 8; pass++) {
        double half = cs / 2;
        long hx = (long)floor(wx / half) + 1, hy = (long)floor(wy / half) + 1;
        if ((double)hx * (double)hy > 4.0 * (double)n + 16)
            break;
        size_t ncell = (size_t)gnx * (size_t)gny;
        size_t *count = calloc(ncell, sizeof *count);
        if (!count)
            return -1;
        m->cs = cs;
        m->inv_cs = 1.0 / cs;
        m->gnx = gnx;
        m->gny = gny;
        double seen = 0;
        for (size_t i = 0; i < n; i++) {
            long ix, iy;
            cell_of(m, cx[i], cy[i], &ix, &iy);
            count[(size_t)iy * (size_t)gnx + (size_t)ix]++;
        }
        for (size_t c = 0; c < ncell; c++)
            seen += (double)count[c] * (double)count[c];
        free(count);
        if (seen / (double)n <= 8.0)
            break;
        cs = half;
        gnx = hx;
        gny = hy;
    }
    m->gx0 = x0;
    m->gy0 = y0;
    m->cs = cs;
    m->inv_cs = 1.0 / cs;
    m->gnx = gnx;
    m->gny = gny;
    size_t nc = (size_t)gnx * (size_t)gny;
    m->cstart = calloc(nc + 1, sizeof(size_t));
    size_t *cell = malloc(n * sizeof(size_t));
    size_t *pos = malloc(nc * sizeof(size_t));
    if (!m->cstart || !cell || !pos) {
        free(cell);
        free(pos);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        long ix, iy;
        cell_of(m, cx[i], cy[i], &ix, &iy);
        cell[i] = (size_t)iy * (size_t)gnx + (size_t)ix;
        m->cstart[cell[i] + 1]++;
    }
    for (size_t c = 0; c < nc; c++)
        m->cstart[c + 1] += m->cstart[c];
    memcpy(pos, m->cstart, nc * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        cell_order[pos[cell[i]]++] = i;
    free(pos);
    free(cell);
    return 0;
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
static int row_cells(const agglo_gwr_model *m, double qx, double qy, double r, long yy, int outer,
                     long *c0, long *c1)
{
    const double cs = m->cs, inv = m->inv_cs;
    const long hi = m->gnx - 1;
    double ylo = m->gy0 + (double)yy * cs, yhi = ylo + cs;
    long a, b;
    if (outer) {
        double dy = qy < ylo ? ylo - qy : (qy > yhi ? qy - yhi : 0.0);
        if (dy > r)
            return 0;
        double s = r == INFINITY ? INFINITY : sqrt(r * r - dy * dy);
        a = floor_clamped((qx - s - m->gx0) * inv, hi);
        b = floor_clamped((qx + s - m->gx0) * inv, hi);
    } else {
        double dlo = fabs(qy - ylo), dhi = fabs(qy - yhi), dy = dlo > dhi ? dlo : dhi;
        if (!(dy < r))
            return 0;
        double s = sqrt(r * r - dy * dy);
        a = ceil_clamped((qx - s - m->gx0) * inv, hi);
        b = floor_clamped((qx + s - m->gx0) * inv, hi) - 1;
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
static int disc_rows(const agglo_gwr_model *m, double qy, double r, long *y0, long *y1)
{
    double a = floor((qy - r - m->gy0) * m->inv_cs), b = floor((qy + r - m->gy0) * m->inv_cs);
    if (!(a >= 0))
        a = 0;
    if (!(b <= (double)(m->gny - 1)))
        b = (double)(m->gny - 1);
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
 * increasing order; out has room for m->gny runs. Every observation within distance r lies
 * in a run. r = INFINITY gives every observation. Returns the number of runs. */
size_t gwr_disc_ranges(const agglo_gwr_model *m, double qx, double qy, double r, gwr_range *out)
{
    const size_t *cst = m->cstart, gnx = (size_t)m->gnx;
    size_t nr = 0;
    long y0, y1;
    double rp = pad_out(r) + GRID_PAD * m->cs;
    if (!disc_rows(m, qy, rp, &y0, &y1))
        return 0;
    for (long yy = y0; yy <= y1; yy++) {
        long c0, c1;
        if (!row_cells(m, qx, qy, rp, yy, 1, &c0, &c1))
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
 * wholly inside it [i0, i1] (i0 > i1 when none), with the margins of gwr_disc_ranges and
 * disc_count; out has room for m->gny rows. Returns the number of rows. */
size_t gwr_disc_spans(const agglo_gwr_model *m, double qx, double qy, double r,
                      gwr_row_span *out)
{
    size_t nr = 0;
    long y0, y1;
    double ro = pad_out(r) + GRID_PAD * m->cs;
    double ri = r * (1.0 - GRID_PAD) - GRID_PAD * m->cs;
    if (!disc_rows(m, qy, ro, &y0, &y1))
        return 0;
    for (long yy = y0; yy <= y1; yy++) {
        gwr_row_span *sp = out + nr;
        if (!row_cells(m, qx, qy, ro, yy, 1, &sp->o0, &sp->o1))
            continue;
        sp->row = yy;
        if (!(ri > 0) || !row_cells(m, qx, qy, ri, yy, 0, &sp->i0, &sp->i1) || sp->i0 < sp->o0 ||
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
static size_t disc_count(const agglo_gwr_model *m, double qx, double qy, double r, int inner)
{
    const size_t *cst = m->cstart, gnx = (size_t)m->gnx;
    double rr = inner ? r * (1.0 - GRID_PAD) - GRID_PAD * m->cs
                      : pad_out(r) + GRID_PAD * m->cs;
    long y0, y1;
    if (!(rr > 0) && inner)
        return 0;
    if (!disc_rows(m, qy, rr, &y0, &y1))
        return 0;
    size_t cnt = 0;
    for (long yy = y0; yy <= y1; yy++) {
        long c0, c1;
        if (!row_cells(m, qx, qy, rr, yy, !inner, &c0, &c1))
            continue;
        size_t row = (size_t)yy * gnx;
        cnt += cst[row + (size_t)c1 + 1] - cst[row + (size_t)c0];
    }
    return cnt;
}

/* Quickselect (Hoare partition): the k-th smallest (1-based) of v[0..n-1]; reorders v. */
double gwr_select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1, target = k - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (target <= j)
            hi = j;
        else if (target >= i)
            lo = i;
        else
            return v[target];
    }
    return v[target];
}

/* The k-th smallest of v[0..n-1], all within [lo, hi]: one counting pass over 32 equal
 * buckets of [lo, hi] (the values are squared distances in an annulus, near uniform), then
 * quickselect among the bucket holding the k-th only. Reorders v. */
static double select_kth_bucketed(double *v, size_t n, size_t k, double lo, double hi)
{
    enum { NB = 32 };
    if (n < 48 || !(hi > lo) || !isfinite(hi - lo))
        return gwr_select_kth(v, n, k);
    size_t cnt[NB] = {0};
    double scale = (double)NB / (hi - lo);
    for (size_t i = 0; i < n; i++) {
        double f = (v[i] - lo) * scale;
        size_t b = f <= 0 ? 0 : (f >= NB - 1 ? NB - 1 : (size_t)f);
        cnt[b]++;
    }
    size_t b = 0, before = 0;
    while (before + cnt[b] < k)
        before += cnt[b++];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double f = (v[i] - lo) * scale;
        size_t bi = f <= 0 ? 0 : (f >= NB - 1 ? NB - 1 : (size_t)f);
        if (bi == b)
            v[m++] = v[i];
    }
    return gwr_select_kth(v, m, k - before);
}

int gwr_knn_init(gwr_knn *st, size_t n)
{
    memset(st, 0, sizeof *st);
    st->d2 = malloc((n ? n : 1) * sizeof(double));
    return st->d2 ? 0 : -1;
}

void gwr_knn_free(gwr_knn *st)
{
    free(st->d2);
    memset(st, 0, sizeof *st);
}

/* A bracket [lo, hi] of the k-th nearest distance from the cell counts alone: hi where the
 * cells wholly inside already hold k observations, lo where the cells meeting the disc hold
 * fewer than k (lo < 0: none). Doubling then six bisection steps (about 1.5% of the radius). */
static void bracket_by_counts(const agglo_gwr_model *m, double qx, double qy, size_t k,
                              double *lo_out, double *hi_out)
{
    double dens = (double)m->n / ((double)m->gnx * (double)m->gny);
    double r = m->cs * sqrt((double)k / (M_PI * dens));
    /* farthest grid corner: every observation is within it */
    double fx = fmax(fabs(qx - m->gx0), fabs(qx - (m->gx0 + (double)m->gnx * m->cs)));
    double fy = fmax(fabs(qy - m->gy0), fabs(qy - (m->gy0 + (double)m->gny * m->cs)));
    double rmax = 2.0 * hypot(fx, fy) + 2.0 * m->cs;
    if (!(r > 0))
        r = m->cs;
    double lo = 0, hi;
    if (disc_count(m, qx, qy, r, 1) >= k) {
        hi = r;
        for (lo = r / 2; lo > 1e-9 * m->cs && disc_count(m, qx, qy, lo, 1) >= k; lo /= 2)
            hi = lo;
        if (!(lo > 1e-9 * m->cs))
            lo = 0;
    } else {
        lo = r;
        for (hi = 2 * r; hi < rmax && disc_count(m, qx, qy, hi, 1) < k; hi *= 2)
            lo = hi;
        if (!(hi < rmax))
            hi = rmax;
    }
    for (int it = 0; it < 6; it++) {
        double mid = 0.5 * (lo + hi);
        if (disc_count(m, qx, qy, mid, 1) >= k)
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
        if (r2 < 1e-9 * m->cs)
            break;
        if (disc_count(m, qx, qy, r2, 0) < k) {
            lo = r2;
            break;
        }
    }
    if (lo >= 0) {
        double top = 2 * lo < u ? 2 * lo : u;
        for (int it = 0; it < 6; it++) {
            double mid = 0.5 * (lo + top);
            if (disc_count(m, qx, qy, mid, 0) < k)
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
static size_t sweep_run(const agglo_gwr_model *m, double qx, double qy, size_t j0, size_t j1,
                        double lo2, double hi2, double *buf, size_t nb, size_t *below)
{
    const double *cx = m->cx, *cy = m->cy;
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
static size_t sweep_annulus(const agglo_gwr_model *m, double qx, double qy, double lo, double hi,
                            double *buf, size_t *below)
{
    const size_t *cst = m->cstart, gnx = (size_t)m->gnx;
    double lo2 = lo < 0 ? -1.0 : lo * lo, hi2 = hi * hi;
    double ro = pad_out(hi) + GRID_PAD * m->cs;
    double ri = lo * (1.0 - GRID_PAD) - GRID_PAD * m->cs;
    size_t nb = 0;
    *below = 0;
    long y0, y1;
    if (!disc_rows(m, qy, ro, &y0, &y1))
        return 0;
    for (long yy = y0; yy <= y1; yy++) {
        long o0, o1, i0, i1;
        if (!row_cells(m, qx, qy, ro, yy, 1, &o0, &o1))
            continue;
        size_t row = (size_t)yy * gnx;
        size_t a = cst[row + (size_t)o0], d = cst[row + (size_t)o1 + 1];
        if (ri > 0 && row_cells(m, qx, qy, ri, yy, 0, &i0, &i1) && i0 >= o0 && i1 <= o1) {
            size_t b = cst[row + (size_t)i0], c = cst[row + (size_t)i1 + 1];
            *below += c - b;
            nb = sweep_run(m, qx, qy, a, b, lo2, hi2, buf, nb, below);
            nb = sweep_run(m, qx, qy, c, d, lo2, hi2, buf, nb, below);
        } else {
            nb = sweep_run(m, qx, qy, a, d, lo2, hi2, buf, nb, below);
        }
    }
    return nb;
}

/* The k-th smallest squared distance from (qx, qy) to the observations (1 <= k <= n), exact:
 * a bracket [lo, hi] of the k-th distance (from the previous query, |d_k(q) - d_k(q')| <=
 * |q - q'|, else from cell counts), then one sweep counts the observations below lo and
 * selects among those in the bracket. */
double gwr_kth_dist2(const agglo_gwr_model *m, double qx, double qy, size_t k, gwr_knn *st)
{
    size_t n = m->n;
    if (k > n)
        k = n;
    double lo, hi;
    int have = 0;
    if (st->k == k) {
        double step = hypot(qx - st->qx, qy - st->qy);
        if (step <= 0.5 * st->dk) {
            double slack = GRID_PAD * (st->dk + step) + GRID_PAD * m->cs;
            lo = st->dk - step - slack;
            hi = st->dk + step + slack;
            have = 1;
        }
    }
    if (!have)
        bracket_by_counts(m, qx, qy, k, &lo, &hi);
    size_t below;
    size_t nb = sweep_annulus(m, qx, qy, lo, hi, st->d2, &below);
    if (below >= k || below + nb < k) /* cannot happen with exact bounds; be safe */
        nb = sweep_annulus(m, qx, qy, -1.0, INFINITY, st->d2, &below);
    double d2 = select_kth_bucketed(st->d2, nb, k - below, lo > 0 ? lo * lo : 0.0, hi * hi);
    st->k = k;
    st->qx = qx;
    st->qy = qy;
    st->dk = sqrt(d2);
    return d2;
}
