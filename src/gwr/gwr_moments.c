/* Large-bandwidth bisquare sums by polynomial moments.
 *
 * Inside the kernel disc the bisquare weight is a polynomial in the neighbour's coordinates:
 * with u = p_j - a for an anchor a, q' = q - a, e = |u|^2 and Q = |q'|^2,
 *   d^2 = e - 2 q'.u + Q,   w = (1 - d^2/h^2)^2 = sum_b c_b(q', h) f_b(u),
 * f = (1, ux, uy, e, ux^2, ux uy, uy^2, e ux, e uy, e^2). So for the observations of grid cells
 * wholly inside the disc, sum_j w_j g_j (g_j any product x_r x_c or y x_c) is
 * sum_b c_b sum_j f_b(u_j) g_j, and with prefix sums of f_b g along each grid row (anchor: the
 * grid's centre column, the row's centre line) a row's inside cells cost 10 x (number of sums)
 * operations however many observations they hold. The cells the disc's edge crosses are summed
 * directly (agglo__gwr_acc_ranges). This turns the O(bandwidth) work per location into O(perimeter)
 * for the large bandwidths of the first golden-section steps (0.62 n, 0.38 n, ...).
 *
 * Rounding: the expansion cancels terms of size up to (R/h)^4 times the result (R: the grid's
 * half extent) and the prefix differences lose the ratio of a row's total to the cells used;
 * it is used only for h >= (grid extent) / 8, where both stay within ~1e4, i.e. relative
 * errors ~1e-12, against the 1e-8 agreement with the references. */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gwr_internal.h"

/* Prefix sums are kept every STRIDE cells along a row (the cells between a stored boundary and
 * the disc's inside cells are summed directly): 1/STRIDE of the memory, so the table stays in
 * cache, for at most 2 STRIDE extra cells per row. */
enum { NBASIS = 10, MAXACC = 8 * 9 / 2 + 8, STRIDE = 8 };
#define MOMENTS_MAX_BYTES (768.0 * 1024 * 1024)

static size_t nacc_of(size_t p)
{
    return p * (p + 1) / 2 + p;
}

static void basis(double ux, double uy, double *f)
{
    double e = ux * ux + uy * uy;
    f[0] = 1.0;
    f[1] = ux;
    f[2] = uy;
    f[3] = e;
    f[4] = ux * ux;
    f[5] = ux * uy;
    f[6] = uy * uy;
    f[7] = e * ux;
    f[8] = e * uy;
    f[9] = e * e;
}

/* The products summed for X'WX and X'Wy, in agglo__gwr_acc_ranges' layout: A00, b0, then for
 * c = 1..p-1: A0c, A1c..Acc, bc. */
static void products(const agglo_gwr_model *m, size_t j, double *v)
{
    size_t p = m->p, q = 0;
    const double *x = m->X + j * p;
    double y = m->y[j];
    v[q++] = 1.0;
    v[q++] = y;
    for (size_t c = 1; c < p; c++) {
        v[q++] = x[c];
        for (size_t r = 1; r <= c; r++)
            v[q++] = x[c] * x[r];
        v[q++] = y * x[c];
    }
}

double agglo__gwr_moments_min_bandwidth(const agglo_gwr_model *m)
{
    double ext = (double)(m->grid.nx > m->grid.ny ? m->grid.nx : m->grid.ny) * m->grid.cs;
    return ext / 8.0;
}

int agglo__gwr_moments_build(agglo_gwr_model *m)
{
    if (m->mom)
        return 0;
    size_t p = m->p, nacc = nacc_of(p), gnx = (size_t)m->grid.nx, gny = (size_t)m->grid.ny;
    if (p > 8 || !m->use_grid)
        return -1;
    size_t per = NBASIS * nacc; /* doubles per stored boundary */
    size_t nbnd = (gnx + STRIDE - 1) / STRIDE + 1;
    if ((double)gny * (double)nbnd * (double)per * 8.0 > MOMENTS_MAX_BYTES)
        return -1;
    double *P = calloc(gny * nbnd * per, sizeof(double));
    if (!P)
        return -1;
    double ax = m->grid.x0 + 0.5 * (double)gnx * m->grid.cs;
    double f[NBASIS], v[MAXACC];
    for (size_t row = 0; row < gny; row++) {
        double ay = m->grid.y0 + ((double)row + 0.5) * m->grid.cs;
        double *cur = P + row * nbnd * per; /* boundary 0: zeros */
        for (size_t t0 = 0; t0 < gnx; t0 += STRIDE) {
            double *next = cur + per;
            memcpy(next, cur, per * sizeof(double));
            size_t t1 = t0 + STRIDE < gnx ? t0 + STRIDE : gnx;
            for (size_t j = m->grid.cstart[row * gnx + t0]; j < m->grid.cstart[row * gnx + t1]; j++) {
                basis(m->cx[j] - ax, m->cy[j] - ay, f);
                products(m, j, v);
                for (size_t b = 0; b < NBASIS; b++)
                    for (size_t q = 0; q < nacc; q++)
                        next[b * nacc + q] += f[b] * v[q];
            }
            cur = next;
        }
    }
    m->mom = P;
    m->mom_ax = ax;
    return 0;
}

/* Adds to s the bisquare-weighted sums over the observations of the cells between stored
 * boundaries b0 < b1 of a row (cells b0 STRIDE .. b1 STRIDE - 1), all strictly inside the disc
 * of radius h about (qx, qy). */
static void add_inside(const agglo_gwr_model *m, long row, size_t b0, size_t b1, double qx,
                       double qy, double h, double *s)
{
    size_t nacc = nacc_of(m->p), gnx = (size_t)m->grid.nx, per = NBASIS * nacc;
    size_t nbnd = (gnx + STRIDE - 1) / STRIDE + 1;
    double a = qx - m->mom_ax, b = qy - (m->grid.y0 + ((double)row + 0.5) * m->grid.cs);
    double Q = a * a + b * b, ih2 = 1.0 / (h * h), ih4 = ih2 * ih2;
    double c[NBASIS] = {
        1.0 - 2.0 * Q * ih2 + Q * Q * ih4, /* 1 */
        4.0 * a * ih2 - 4.0 * a * Q * ih4, /* ux */
        4.0 * b * ih2 - 4.0 * b * Q * ih4, /* uy */
        -2.0 * ih2 + 2.0 * Q * ih4,        /* e */
        4.0 * a * a * ih4,                 /* ux^2 */
        8.0 * a * b * ih4,                 /* ux uy */
        4.0 * b * b * ih4,                 /* uy^2 */
        -4.0 * a * ih4,                    /* e ux */
        -4.0 * b * ih4,                    /* e uy */
        ih4,                               /* e^2 */
    };
    const double *lo = m->mom + ((size_t)row * nbnd + b0) * per;
    const double *hi = m->mom + ((size_t)row * nbnd + b1) * per;
    for (size_t k = 0; k < NBASIS; k++)
        for (size_t q = 0; q < nacc; q++)
            s[q] += c[k] * (hi[k * nacc + q] - lo[k * nacc + q]);
}

size_t agglo__gwr_acc_moments(const agglo_gwr_model *m, double qx, double qy, double h, double *A,
                       double *b, agglo__index_row_span *sp, agglo__index_run *rg, double *wbuf)
{
    const size_t p = m->p, nacc = nacc_of(p), gnx = (size_t)m->grid.nx, *cst = m->grid.cstart;
    size_t nsp = agglo__index_grid_disc_spans(&m->grid, qx, qy, h, sp), nr = 0, inside = 0;
    double s[MAXACC] = {0};
    for (size_t t = 0; t < nsp; t++) {
        size_t base = (size_t)sp[t].row * gnx;
        size_t o0 = cst[base + (size_t)sp[t].o0], o1 = cst[base + (size_t)sp[t].o1 + 1];
        /* stored boundaries within the inside cells: b0 at or after i0, b1 at or before
         * i1 + 1 (the last boundary is the row's end, gnx) */
        size_t b0 = 1, b1 = 0;
        if (sp[t].i0 <= sp[t].i1) {
            size_t c0 = (size_t)sp[t].i0, c1 = (size_t)sp[t].i1 + 1;
            b0 = (c0 + STRIDE - 1) / STRIDE;
            b1 = c1 == gnx ? (gnx + STRIDE - 1) / STRIDE : c1 / STRIDE;
        }
        if (b0 < b1) {
            size_t cb0 = b0 * STRIDE, cb1 = b1 * STRIDE < gnx ? b1 * STRIDE : gnx;
            size_t i0 = cst[base + cb0], i1 = cst[base + cb1];
            if (i1 > i0) {
                add_inside(m, sp[t].row, b0, b1, qx, qy, h, s);
                inside += i1 - i0;
            }
            if (i0 > o0)
                rg[nr++] = (agglo__index_run){o0, i0};
            if (o1 > i1)
                rg[nr++] = (agglo__index_run){i1, o1};
        } else if (o1 > o0) {
            rg[nr++] = (agglo__index_run){o0, o1};
        }
    }
    size_t nn = agglo__gwr_acc_ranges(m, rg, nr, qx, qy, h, A, b, wbuf);
    size_t q = 0;
    A[0] += s[q++];
    b[0] += s[q++];
    for (size_t c = 1; c < p; c++) {
        for (size_t r = 0; r <= c; r++)
            A[r + c * p] += s[q++];
        b[c] += s[q++];
    }
    (void)nacc;
    return nn + inside;
}
