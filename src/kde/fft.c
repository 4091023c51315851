/* Kernel density, the FFT path: points binned to cells (nearest or linear), convolved with the
 * sampled kernel by FFTW; and spatstat's uniform edge correction, which convolves the window's
 * indicator with the same discrete kernel. */
#define _GNU_SOURCE
#include "agglo/kde.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "kde_internal.h"

/* ---- FFT ---- */

static size_t fast_size(size_t n)
{
    for (size_t m = n;; m++) {
        size_t t = m;
        while (t % 2 == 0) t /= 2;
        while (t % 3 == 0) t /= 3;
        while (t % 5 == 0) t /= 5;
        while (t % 7 == 0) t /= 7;
        if (t == 1)
            return m;
    }
}

/* 2-D real FFT of a my x mx array done as 1-D transforms, so that (1) the zero padding rows
 * are skipped on the way in and the unused rows on the way out, and (2) the rows and column
 * blocks run in parallel (new-array execution of one plan is thread-safe in FFTW; the plans
 * are made before the parallel loops with FFTW_UNALIGNED so any row/column offset is valid).
 * Each 1-D transform is the same computation whatever the thread count. */
enum { FFT_COLS = 8 };

typedef struct fft2 {
    size_t mx, my, mxc;
    fftw_plan rf, rb, cf, cb, cf1, cb1;
} fft2;

static int fft2_plan(fft2 *p, size_t mx, size_t my, double *a, fftw_complex *fa)
{
    memset(p, 0, sizeof *p);
    p->mx = mx;
    p->my = my;
    p->mxc = mx / 2 + 1;
    int n = (int)my;
    unsigned fl = FFTW_ESTIMATE | FFTW_UNALIGNED;
    p->rf = fftw_plan_dft_r2c_1d((int)mx, a, fa, fl);
    p->rb = fftw_plan_dft_c2r_1d((int)mx, fa, a, fl | FFTW_DESTROY_INPUT);
    p->cf = fftw_plan_many_dft(1, &n, FFT_COLS, fa, NULL, (int)p->mxc, 1, fa, NULL, (int)p->mxc, 1,
                               FFTW_FORWARD, fl);
    p->cb = fftw_plan_many_dft(1, &n, FFT_COLS, fa, NULL, (int)p->mxc, 1, fa, NULL, (int)p->mxc, 1,
                               FFTW_BACKWARD, fl);
    p->cf1 = fftw_plan_many_dft(1, &n, 1, fa, NULL, (int)p->mxc, 1, fa, NULL, (int)p->mxc, 1,
                                FFTW_FORWARD, fl);
    p->cb1 = fftw_plan_many_dft(1, &n, 1, fa, NULL, (int)p->mxc, 1, fa, NULL, (int)p->mxc, 1,
                                FFTW_BACKWARD, fl);
    return p->rf && p->rb && p->cf && p->cb && p->cf1 && p->cb1 ? 0 : -1;
}

static void fft2_destroy(fft2 *p)
{
    fftw_plan *pl[6] = {&p->rf, &p->rb, &p->cf, &p->cb, &p->cf1, &p->cb1};
    for (int i = 0; i < 6; i++)
        if (*pl[i])
            fftw_destroy_plan(*pl[i]);
}

static void fft2_cols(const fft2 *p, fftw_complex *fa, int forward, int nthreads)
{
    long nblk = (long)(p->mxc / FFT_COLS);
    (void)nthreads; /* used by the pragma only */
#pragma omp parallel for schedule(static) num_threads(nthreads)
    for (long b = 0; b < nblk; b++) {
        fftw_complex *c = fa + (size_t)b * FFT_COLS;
        fftw_execute_dft(forward ? p->cf : p->cb, c, c);
    }
    for (size_t c = (size_t)nblk * FFT_COLS; c < p->mxc; c++)
        fftw_execute_dft(forward ? p->cf1 : p->cb1, fa + c, fa + c);
}

/* forward: rows r0..r1-1 of a hold data, the others are zero */
static void fft2_forward(const fft2 *p, double *a, fftw_complex *fa, size_t r0, size_t r1,
                         int nthreads)
{
#pragma omp parallel for schedule(static) num_threads(nthreads)
    for (size_t r = 0; r < p->my; r++) {
        if (r >= r0 && r < r1)
            fftw_execute_dft_r2c(p->rf, a + r * p->mx, fa + r * p->mxc);
        else
            memset(fa + r * p->mxc, 0, p->mxc * sizeof(fftw_complex));
    }
    fft2_cols(p, fa, 1, nthreads);
}

/* backward (unnormalised): only rows r0..r1-1 of a are produced; fa is destroyed */
static void fft2_backward(const fft2 *p, fftw_complex *fa, double *a, size_t r0, size_t r1,
                          int nthreads)
{
    fft2_cols(p, fa, 0, nthreads);
#pragma omp parallel for schedule(static) num_threads(nthreads)
    for (size_t r = r0; r < r1; r++)
        fftw_execute_dft_c2r(p->rb, fa + r * p->mxc, a + r * p->mx);
}

/* Binned FFT density of the points p, or, when binned is not NULL, the convolution of that
 * nr x nc grid of masses with the same discrete kernel (used for the edge correction).
 *
 * Every point within the kernel's reach of the grid counts (as on the exact path, ArcGIS and
 * QGIS): the points are binned into the grid padded on each side by the kernel's reach in
 * cells, u = ceil(R / cell) (no band when every point lies inside the grid), and the padded
 * array is convolved with the kernel sampled at offsets up to u. A cell at padded position i receives from positions j with |i - j| <= u
 * only; stored positions run over n + 2u and the circular convolution of length
 * M >= n + 2u + 1 cannot wrap one onto another.
 * With o->window_only (spatstat: only the points inside the window) or for the edge factor,
 * only the points inside the grid are binned, there is no padding (one cell for linear
 * binning, whose shares of a point near the border fall just outside), and the kernel offsets
 * stop at the grid size as before, so the result is spatstat's density.ppp.
 * *outside counts the points outside the grid, *left_out those not binned because of
 * window_only. */
int agglo__kde_fft(agglo_ctx *ctx, const agglo__kde_pts *p, const agglo_grid *g,
                   const agglo_kde_options *o, double *out, size_t *outside, size_t *left_out,
                   const double *binned)
{
    size_t nr = g->nrows, nc = g->ncols;
    double h = o->bandwidth, cell = g->cell;
    double R = o->kernel == AGGLO_KDE_KERNEL_GAUSSIAN ? o->gauss_cutoff * h : h;
    double rc_d = ceil(R / cell);
    int wo = o->window_only || binned;
    size_t pad, ux, uy;
    if (wo) {
        pad = !binned && o->binning == AGGLO_KDE_BIN_LINEAR ? 1 : 0;
        ux = rc_d >= (double)(nc - 1) ? nc - 1 : (size_t)rc_d;
        uy = rc_d >= (double)(nr - 1) ? nr - 1 : (size_t)rc_d;
    } else {
        if (rc_d > 1e6 || ((double)nc + 2 * rc_d + 1) * ((double)nr + 2 * rc_d + 1) > 4e8)
            return agglo_error(ctx, AGGLO_E_USAGE,
                               "kde: the kernel reaches %.0f cells, too far for an FFT over the "
                               "%zu x %zu grid padded by it: use the exact method or a larger "
                               "cell",
                               rc_d, nc, nr);
        ux = uy = (size_t)rc_d;
        /* the padding band is needed only when some point lies outside the grid (one cell for
         * the linear shares of points near the border otherwise) */
        double xmx = g->xmin + (double)nc * cell, ymn = g->ymax - (double)nr * cell;
        int any_out = 0;
        for (size_t i = 0; i < p->m && !any_out; i++)
            any_out = p->x[i] < g->xmin || p->x[i] > xmx || p->y[i] < ymn || p->y[i] > g->ymax;
        pad = any_out ? ux : (o->binning == AGGLO_KDE_BIN_LINEAR ? 1 : 0);
    }
    size_t mx = fast_size(nc + pad + (pad > ux ? pad : ux) + 1);
    size_t my = fast_size(nr + pad + (pad > uy ? pad : uy) + 1);
    size_t mxc = mx / 2 + 1;
    double *a = fftw_alloc_real(mx * my);
    fftw_complex *fa = fftw_alloc_complex(mxc * my);
    double *kern = NULL;
    fftw_complex *fk = NULL;
    int rc = AGGLO_OK;
    if (!a || !fa) {
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "kde: out of memory for a %zu x %zu FFT", mx, my);
        goto done;
    }
    memset(a, 0, mx * my * sizeof(double));
    /* grid cell (r, c) (row 0 at the top) is stored at (r + pad, c + pad); padded cells from
     * -pad to n + pad - 1 */
    size_t nout = 0, nleft = 0;
    size_t row0 = pad, row1 = pad + nr; /* rows of a that hold data */
    double xmax = g->xmin + (double)nc * cell, ymin = g->ymax - (double)nr * cell;
    double lo_c = -(double)pad, hi_c = (double)(nc + pad), lo_r = -(double)pad,
           hi_r = (double)(nr + pad);
    if (binned)
        for (size_t r = 0; r < nr; r++)
            memcpy(a + (r + pad) * mx + pad, binned + r * nc, nc * sizeof(double));
    for (size_t i = 0; !binned && i < p->m; i++) {
        double x = p->x[i], y = p->y[i], w = p->w[i];
        int in = !(x < g->xmin || x > xmax || y < ymin || y > g->ymax);
        if (!in) {
            nout++;
            if (wo) {
                nleft++;
                continue;
            }
        }
        if (o->binning == AGGLO_KDE_BIN_LINEAR) {
            double fx = (x - g->xmin) / cell - 0.5, fy = (g->ymax - y) / cell - 0.5;
            double x0 = floor(fx), y0 = floor(fy);
            double tx = fx - x0, ty = fy - y0;
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    double cx = x0 + dx, cy = y0 + dy;
                    if (cx < lo_c || cy < lo_r || cx >= hi_c || cy >= hi_r)
                        continue; /* beyond the kernel's reach of every grid cell */
                    double share = (dx ? tx : 1 - tx) * (dy ? ty : 1 - ty);
                    size_t rr = (size_t)(cy + (double)pad);
                    a[rr * mx + (size_t)(cx + (double)pad)] += w * share;
                    if (rr < row0) row0 = rr;
                    if (rr + 1 > row1) row1 = rr + 1;
                }
        } else {
            /* nearest cell centre, ties to even, as spatstat's nearest.raster.point (R's
             * round); rows counted from the bottom there. A point inside the grid goes to a
             * grid cell (spatstat clamps), one outside to its padded cell. */
            double cc = nearbyint((x - (g->xmin + 0.5 * cell)) / cell);
            double rb = nearbyint((y - (ymin + 0.5 * cell)) / cell);
            if (in) {
                if (cc < 0) cc = 0;
                if (cc > (double)(nc - 1)) cc = (double)(nc - 1);
                if (rb < 0) rb = 0;
                if (rb > (double)(nr - 1)) rb = (double)(nr - 1);
            }
            double rt = (double)(nr - 1) - rb;
            if (cc < lo_c || rt < lo_r || cc >= hi_c || rt >= hi_r)
                continue; /* beyond the kernel's reach of every grid cell */
            size_t rr = (size_t)(rt + (double)pad);
            a[rr * mx + (size_t)(cc + (double)pad)] += w;
            if (rr < row0) row0 = rr;
            if (rr + 1 > row1) row1 = rr + 1;
        }
    }
    *outside = nout;
    *left_out = nleft;
    int nth = agglo_threads_for(ctx);
    fft2 plan;
    if (fft2_plan(&plan, mx, my, a, fa)) {
        fft2_destroy(&plan);
        rc = agglo_error(ctx, AGGLO_E_NUMERIC, "kde: cannot plan the FFT");
        goto done;
    }
    fft2_forward(&plan, a, fa, row0, row1, nth);
    double ih2 = 1.0 / (h * h), cut2 = o->gauss_cutoff * o->gauss_cutoff;
    if (o->kernel == AGGLO_KDE_KERNEL_GAUSSIAN) {
        /* separable: the 2-D transform of the sampled kernel is the outer product of two
         * 1-D transforms (real, the kernel being symmetric) */
        size_t mm = mx > my ? mx : my;
        double *k1 = fftw_alloc_real(mm);
        fftw_complex *f1 = fftw_alloc_complex(mm / 2 + 1);
        double *fx = malloc(mxc * sizeof(double)), *fy = malloc(my * sizeof(double));
        if (!k1 || !f1 || !fx || !fy) {
            fftw_free(k1);
            fftw_free(f1);
            free(fx);
            free(fy);
            fft2_destroy(&plan);
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "kde: out of memory");
            goto done;
        }
        for (int axis = 0; axis < 2; axis++) {
            size_t len = axis == 0 ? mx : my, u = axis == 0 ? ux : uy;
            memset(k1, 0, len * sizeof(double));
            double s = 0;
            for (size_t t = 0; t <= u; t++) {
                double d = (double)t * cell / h;
                double v = d * d <= cut2 ? exp(-0.5 * d * d) : 0;
                k1[t] = v;
                s += t ? 2 * v : v;
                if (t)
                    k1[len - t] = v;
            }
            fftw_plan p1 = fftw_plan_dft_r2c_1d((int)len, k1, f1, FFTW_ESTIMATE);
            fftw_execute(p1);
            fftw_destroy_plan(p1);
            if (axis == 0)
                for (size_t t = 0; t < mxc; t++)
                    fx[t] = f1[t][0] / s;
            else
                for (size_t t = 0; t < my; t++) {
                    size_t tt = t <= my / 2 ? t : my - t; /* real symmetric spectrum */
                    fy[t] = f1[tt][0] / s;
                }
        }
        for (size_t r = 0; r < my; r++)
            for (size_t c = 0; c < mxc; c++) {
                double f = fy[r] * fx[c];
                fa[r * mxc + c][0] *= f;
                fa[r * mxc + c][1] *= f;
            }
        fftw_free(k1);
        fftw_free(f1);
        free(fx);
        free(fy);
    } else {
        kern = fftw_alloc_real(mx * my);
        fk = fftw_alloc_complex(mxc * my);
        if (!kern || !fk) {
            fft2_destroy(&plan);
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "kde: out of memory");
            goto done;
        }
        memset(kern, 0, mx * my * sizeof(double));
        double s = 0;
        for (size_t ty = 0; ty <= uy; ty++)
            for (size_t tx = 0; tx <= ux; tx++) {
                double dx = (double)tx * cell, dy = (double)ty * cell;
                double v = agglo__kde_kern_r2(o->kernel, (dx * dx + dy * dy) * ih2, cut2);
                if (v == 0)
                    continue;
                size_t rows[2] = {ty, ty ? my - ty : ty}, cols[2] = {tx, tx ? mx - tx : tx};
                for (int i = 0; i < (ty ? 2 : 1); i++)
                    for (int j = 0; j < (tx ? 2 : 1); j++) {
                        kern[rows[i] * mx + cols[j]] = v;
                        s += v;
                    }
            }
        if (!(s > 0)) {
            /* kernel narrower than a cell: all mass on the cell itself */
            kern[0] = 1;
            s = 1;
        }
        fft2_forward(&plan, kern, fk, 0, my, nth);
        for (size_t t = 0; t < mxc * my; t++) {
            double re = fa[t][0] * fk[t][0] - fa[t][1] * fk[t][1];
            double im = fa[t][0] * fk[t][1] + fa[t][1] * fk[t][0];
            fa[t][0] = re / s;
            fa[t][1] = im / s;
        }
    }
    fft2_backward(&plan, fa, a, pad, pad + nr, nth);
    fft2_destroy(&plan);
    double norm = 1.0 / ((double)mx * (double)my * cell * cell);
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++) {
            double v = a[(r + pad) * mx + c + pad] * norm;
            out[r * nc + c] = v < 0 ? 0 : v; /* FFT round-off below zero */
        }
done:
    fftw_free(a);
    fftw_free(fa);
    fftw_free(kern);
    fftw_free(fk);
    return rc;
}

/* ---- edge correction ---- */

int agglo__kde_edge_correct(agglo_ctx *ctx, const agglo_grid *g, const agglo_kde_options *o,
                            double *out)
{
    /* spatstat's uniform edge correction with the grid rectangle as the window: divide
     * by e(u) = sum over window cells of the discrete kernel (the kernel mass inside) */
    int rc;
    size_t nn = g->ncols * g->nrows;
    double *ones = agglo_malloc(ctx, nn * sizeof(double));
    double *e = agglo_malloc(ctx, nn * sizeof(double));
    if (!ones || !e) {
        rc = AGGLO_E_NOMEM;
    } else {
        for (size_t t = 0; t < nn; t++)
            ones[t] = 1;
        size_t d1, d2;
        rc = agglo__kde_fft(ctx, NULL, g, o, e, &d1, &d2, ones);
        double c2 = g->cell * g->cell;
        for (size_t t = 0; rc == AGGLO_OK && t < nn; t++)
            out[t] = e[t] > 0 ? out[t] / (e[t] * c2) : out[t];
    }
    free(ones);
    free(e);
    return rc;
}
