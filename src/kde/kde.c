/* Kernel density: kernels, bandwidth rules, exact and FFT evaluation, polygon mask. */
#define _GNU_SOURCE
#include "agglo/kde.h"

#include <fftw3.h>
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../core/core_internal.h"
#include "kde_internal.h"

/* ---- kernels ---- */

int agglo_kde_kernel_parse(const char *name)
{
    if (!name)
        return -1;
    if (!strcasecmp(name, "quartic") || !strcasecmp(name, "biweight"))
        return AGGLO_KDE_KERNEL_QUARTIC;
    if (!strcasecmp(name, "gaussian") || !strcasecmp(name, "normal"))
        return AGGLO_KDE_KERNEL_GAUSSIAN;
    if (!strcasecmp(name, "epanechnikov"))
        return AGGLO_KDE_KERNEL_EPANECHNIKOV;
    if (!strcasecmp(name, "triangular"))
        return AGGLO_KDE_KERNEL_TRIANGULAR;
    if (!strcasecmp(name, "uniform") || !strcasecmp(name, "disc"))
        return AGGLO_KDE_KERNEL_UNIFORM;
    return -1;
}

const char *agglo_kde_kernel_name(agglo_kde_kernel k)
{
    switch (k) {
    case AGGLO_KDE_KERNEL_QUARTIC: return "quartic";
    case AGGLO_KDE_KERNEL_GAUSSIAN: return "gaussian";
    case AGGLO_KDE_KERNEL_EPANECHNIKOV: return "epanechnikov";
    case AGGLO_KDE_KERNEL_TRIANGULAR: return "triangular";
    case AGGLO_KDE_KERNEL_UNIFORM: return "uniform";
    }
    return "?";
}

/* kernel value from r2 = d^2 / h^2, without the 1/h^2 factor */
static inline double kern_r2(agglo_kde_kernel k, double r2, double cut2)
{
    switch (k) {
    case AGGLO_KDE_KERNEL_QUARTIC: return r2 < 1 ? (3.0 / M_PI) * (1 - r2) * (1 - r2) : 0;
    case AGGLO_KDE_KERNEL_EPANECHNIKOV: return r2 < 1 ? (2.0 / M_PI) * (1 - r2) : 0;
    case AGGLO_KDE_KERNEL_TRIANGULAR: return r2 < 1 ? (3.0 / M_PI) * (1 - sqrt(r2)) : 0;
    case AGGLO_KDE_KERNEL_UNIFORM: return r2 <= 1 ? 1.0 / M_PI : 0;
    case AGGLO_KDE_KERNEL_GAUSSIAN: return r2 <= cut2 ? exp(-0.5 * r2) / (2 * M_PI) : 0;
    }
    return 0;
}

double agglo_kde_kernel_value(agglo_kde_kernel k, double d, double h)
{
    if (!(h > 0))
        return NAN;
    double r2 = (d / h) * (d / h);
    return kern_r2(k, r2, INFINITY) / (h * h);
}

double agglo_kde_kernel_support(agglo_kde_kernel k)
{
    return k == AGGLO_KDE_KERNEL_GAUSSIAN ? INFINITY : 1.0;
}

/* ---- bandwidth rules ---- */

int agglo_bw_rule_parse(const char *name)
{
    if (!name)
        return -1;
    if (!strcasecmp(name, "silverman"))
        return AGGLO_BW_SILVERMAN;
    if (!strcasecmp(name, "scott"))
        return AGGLO_BW_SCOTT;
    if (!strcasecmp(name, "arcgis"))
        return AGGLO_BW_ARCGIS;
    if (!strcasecmp(name, "ppl"))
        return AGGLO_BW_PPL;
    if (!strcasecmp(name, "diggle"))
        return AGGLO_BW_DIGGLE;
    return -1;
}

const char *agglo_bw_rule_name(agglo_bw_rule r)
{
    switch (r) {
    case AGGLO_BW_FIXED: return "fixed";
    case AGGLO_BW_SILVERMAN: return "silverman";
    case AGGLO_BW_SCOTT: return "scott";
    case AGGLO_BW_ARCGIS: return "arcgis";
    case AGGLO_BW_PPL: return "ppl";
    case AGGLO_BW_DIGGLE: return "diggle";
    }
    return "?";
}

typedef struct wv {
    double v, w;
} wv;

static int cmp_wv(const void *a, const void *b)
{
    double x = ((const wv *)a)->v, y = ((const wv *)b)->v;
    return (x > y) - (x < y);
}

/* Quantile p of sorted values: R type 7 when unweighted (all w = 1); weighted: the value at
 * which the cumulative weight reaches p * W, linearly interpolated on positions
 * (c_k - w_k/2) / W ... kept simple: type-7 on the weight-expanded sample. */
static double wquantile(const wv *s, size_t m, double wsum, int unweighted, double p)
{
    if (m == 0)
        return NAN;
    if (unweighted) {
        double h = (double)(m - 1) * p;
        size_t lo = (size_t)floor(h);
        size_t hi = lo + 1 < m ? lo + 1 : lo;
        return s[lo].v + (h - (double)lo) * (s[hi].v - s[lo].v);
    }
    /* weights as frequencies: position h = (W - 1) p in the expanded sample */
    double h = (wsum - 1) * p;
    if (h < 0)
        h = 0;
    double c = 0;
    for (size_t k = 0; k < m; k++) {
        double c1 = c + s[k].w; /* expanded positions [c, c1) hold s[k].v */
        if (h < c1 - 1 || k + 1 == m)
            return s[k].v;
        if (h < c1) /* between the last copy of s[k] and the first of s[k+1] */
            return s[k].v + (h - (c1 - 1)) * (s[k + 1].v - s[k].v);
        c = c1;
    }
    return s[m - 1].v;
}

typedef struct pts {
    double *x, *y, *w;
    size_t m;
    double wsum;
    int unweighted;
} pts;

static int collect(agglo_ctx *ctx, const double *x, const double *y, const double *w, size_t n,
                   pts *p)
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

static void pts_free(pts *p)
{
    free(p->x);
    free(p->y);
    free(p->w);
}

static double wmean(const double *v, const double *w, size_t m, double wsum)
{
    double s = 0, c = 0;
    for (size_t i = 0; i < m; i++) {
        double t = s + v[i] * w[i];
        c += fabs(s) >= fabs(v[i] * w[i]) ? (s - t) + v[i] * w[i] : (v[i] * w[i] - t) + s;
        s = t;
    }
    return (s + c) / wsum;
}

/* weighted variance with frequency weights: sum w (v - m)^2 / (W - 1) */
static double wvar(const double *v, const double *w, size_t m, double wsum, double mean)
{
    double s = 0;
    for (size_t i = 0; i < m; i++)
        s += w[i] * (v[i] - mean) * (v[i] - mean);
    return s / (wsum - 1);
}

static double nrd0_axis(agglo_ctx *ctx, const pts *p, const double *v, int *err)
{
    double mean = wmean(v, p->w, p->m, p->wsum);
    double sd = sqrt(wvar(v, p->w, p->m, p->wsum, mean));
    wv *s = agglo_malloc(ctx, p->m * sizeof *s);
    if (!s) {
        *err = AGGLO_E_NOMEM;
        return NAN;
    }
    for (size_t i = 0; i < p->m; i++) {
        s[i].v = v[i];
        s[i].w = p->w[i];
    }
    qsort(s, p->m, sizeof *s, cmp_wv);
    double iqr = wquantile(s, p->m, p->wsum, p->unweighted, 0.75) -
                 wquantile(s, p->m, p->wsum, p->unweighted, 0.25);
    free(s);
    /* R bw.nrd0 */
    double lo = fmin(sd, iqr / 1.34);
    if (!(lo > 0)) {
        lo = sd;
        if (!(lo > 0))
            lo = fabs(v[0]);
        if (!(lo > 0))
            lo = 1;
    }
    return 0.9 * lo * pow(p->wsum, -0.2);
}

/* spatstat bw.ppl with edge = FALSE: criterion sum_i log lambda_{-i}(x_i) - int_W lambda. */
static int bw_ppl(agglo_ctx *ctx, const pts *p, const double *win, double *out)
{
    size_t m = p->m;
    if (m > 50000)
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "bandwidth ppl: %zu points is too many for likelihood "
                           "cross-validation (all pairs); use --bandwidth arcgis or scott",
                           m);
    kde_pgrid g;
    double ext = fmax(win[2] - win[0], win[3] - win[1]);
    int rc = kde_pgrid_build(ctx, &g, p->x, p->y, m, ext / sqrt((double)m + 1));
    if (rc)
        return rc;
    double dmin = INFINITY;
    for (size_t i = 0; i < m; i++) {
        size_t j;
        double d = kde_pgrid_nn(&g, p->x[i], p->y[i], i, &j);
        if (d > 0 && d < dmin)
            dmin = d;
        if (d == 0) {
            /* duplicates: spatstat takes the minimum positive nn distance; search all */
            for (size_t k = 0; k < m; k++) {
                if (k == i)
                    continue;
                double dd = hypot(p->x[k] - p->x[i], p->y[k] - p->y[i]);
                if (dd > 0 && dd < dmin)
                    dmin = dd;
            }
        }
    }
    kde_pgrid_free(&g);
    double diam = hypot(win[2] - win[0], win[3] - win[1]);
    if (!isfinite(dmin) || !(diam / 2 > dmin))
        return agglo_error(ctx, AGGLO_E_NUMERIC,
                           "bandwidth ppl: cannot form a search range (points coincide?)");
    enum { NS = 16 };
    double sig[NS], cv[NS];
    for (int k = 0; k < NS; k++)
        sig[k] = exp(log(dmin) + (log(diam / 2) - log(dmin)) * k / (NS - 1));
    double *lam = agglo_calloc(ctx, m * NS, sizeof(double));
    if (!lam)
        return AGGLO_E_NOMEM;
    double inv2s2[NS];
    for (int k = 0; k < NS; k++)
        inv2s2[k] = 1.0 / (2 * sig[k] * sig[k]);
#pragma omp parallel for schedule(dynamic, 16) num_threads(agglo_threads_for(ctx))
    for (size_t i = 0; i < m; i++) {
        double *li = lam + i * NS;
        for (size_t j = 0; j < m; j++) {
            if (j == i)
                continue;
            double dx = p->x[i] - p->x[j], dy = p->y[i] - p->y[j];
            double d2 = dx * dx + dy * dy;
            for (int k = 0; k < NS; k++)
                li[k] += p->w[j] * exp(-d2 * inv2s2[k]);
        }
    }
    int best = 0;
    for (int k = 0; k < NS; k++) {
        double s = 0, integ = 0;
        double c = 1.0 / (2 * M_PI * sig[k] * sig[k]);
        for (size_t i = 0; i < m; i++)
            s += log(lam[i * NS + k] * c);
        for (size_t j = 0; j < m; j++) {
            double fx = kde_pnorm((win[2] - p->x[j]) / sig[k]) - kde_pnorm((win[0] - p->x[j]) / sig[k]);
            double fy = kde_pnorm((win[3] - p->y[j]) / sig[k]) - kde_pnorm((win[1] - p->y[j]) / sig[k]);
            integ += p->w[j] * fx * fy;
        }
        cv[k] = s - integ;
        if (isnan(cv[k]))
            cv[k] = -INFINITY;
        if (cv[k] > cv[best])
            best = k;
    }
    free(lam);
    if (best == 0 || best == NS - 1)
        agglo_warn(ctx, "bandwidth ppl: optimum %g at the end of the search range [%g, %g]",
                   sig[best], sig[0], sig[NS - 1]);
    *out = sig[best];
    return AGGLO_OK;
}

int agglo_kde_bandwidth(agglo_ctx *ctx, agglo_bw_rule rule, const double *x, const double *y,
                        const double *w, size_t n, const double *window, double *bandwidth)
{
    if (rule == AGGLO_BW_FIXED)
        return agglo_error(ctx, AGGLO_E_USAGE, "bandwidth: a fixed bandwidth needs a value");
    pts p;
    int rc = collect(ctx, x, y, w, n, &p);
    if (rc)
        return rc;
    if (p.m < 2 || !(p.wsum > 1)) {
        pts_free(&p);
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "bandwidth %s: needs at least 2 points with positive weight",
                           agglo_bw_rule_name(rule));
    }
    double h = NAN;
    int err = 0;
    switch (rule) {
    case AGGLO_BW_SILVERMAN: {
        double hx = nrd0_axis(ctx, &p, p.x, &err);
        double hy = err ? NAN : nrd0_axis(ctx, &p, p.y, &err);
        h = sqrt(hx * hy);
        break;
    }
    case AGGLO_BW_SCOTT: {
        double mx = wmean(p.x, p.w, p.m, p.wsum), my = wmean(p.y, p.w, p.m, p.wsum);
        double sx = sqrt(wvar(p.x, p.w, p.m, p.wsum, mx));
        double sy = sqrt(wvar(p.y, p.w, p.m, p.wsum, my));
        sx = fmax(sx, 2.220446049250313e-16);
        sy = fmax(sy, 2.220446049250313e-16);
        h = exp(0.5 * (log(sx) + log(sy))) * pow(p.wsum, -1.0 / 6.0);
        break;
    }
    case AGGLO_BW_ARCGIS: {
        double mx = wmean(p.x, p.w, p.m, p.wsum), my = wmean(p.y, p.w, p.m, p.wsum);
        wv *s = agglo_malloc(ctx, p.m * sizeof *s);
        if (!s) {
            err = AGGLO_E_NOMEM;
            break;
        }
        double ss = 0;
        for (size_t i = 0; i < p.m; i++) {
            double dx = p.x[i] - mx, dy = p.y[i] - my;
            ss += p.w[i] * (dx * dx + dy * dy);
            s[i].v = sqrt(dx * dx + dy * dy);
            s[i].w = p.w[i];
        }
        qsort(s, p.m, sizeof *s, cmp_wv);
        double sd = sqrt(ss / p.wsum);
        double dm;
        if (p.unweighted) {
            dm = wquantile(s, p.m, p.wsum, 1, 0.5);
        } else { /* weighted median: first value where the cumulative weight reaches W/2 */
            double c = 0;
            dm = s[p.m - 1].v;
            for (size_t k = 0; k < p.m; k++) {
                c += s[k].w;
                if (c >= p.wsum / 2) {
                    dm = s[k].v;
                    break;
                }
            }
        }
        free(s);
        h = 0.9 * fmin(sd, sqrt(1.0 / M_LN2) * dm) * pow(p.wsum, -0.2);
        break;
    }
    case AGGLO_BW_PPL: {
        double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        if (window) {
            memcpy(bb, window, sizeof bb);
        } else {
            for (size_t i = 0; i < p.m; i++) {
                bb[0] = fmin(bb[0], p.x[i]);
                bb[1] = fmin(bb[1], p.y[i]);
                bb[2] = fmax(bb[2], p.x[i]);
                bb[3] = fmax(bb[3], p.y[i]);
            }
        }
        err = bw_ppl(ctx, &p, bb, &h);
        break;
    }
    case AGGLO_BW_DIGGLE: {
        /* spatstat bw.diggle: a point-pattern method, weights play no part */
        if (w)
            agglo_warn(ctx, "bandwidth diggle: weights are ignored (spatstat bw.diggle uses the "
                            "point locations only)");
        double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        if (window) {
            memcpy(bb, window, sizeof bb);
        } else {
            for (size_t i = 0; i < p.m; i++) {
                bb[0] = fmin(bb[0], p.x[i]);
                bb[1] = fmin(bb[1], p.y[i]);
                bb[2] = fmax(bb[2], p.x[i]);
                bb[3] = fmax(bb[3], p.y[i]);
            }
        }
        err = kde_bw_diggle(ctx, p.x, p.y, p.m, bb, &h);
        break;
    }
    default: err = agglo_error(ctx, AGGLO_E_USAGE, "bandwidth: unknown rule %d", (int)rule);
    }
    pts_free(&p);
    if (err)
        return err;
    if (!(h > 0) || !isfinite(h))
        return agglo_error(ctx, AGGLO_E_NUMERIC,
                           "bandwidth %s: rule gives %g (points all at one place?)",
                           agglo_bw_rule_name(rule), h);
    *bandwidth = h;
    return AGGLO_OK;
}

/* ---- grid ---- */

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

/* ---- exact ---- */

static int kde_exact(agglo_ctx *ctx, const pts *p, const agglo_grid *g,
                     const agglo_kde_options *o, double *out)
{
    double h = o->bandwidth;
    double R = o->kernel == AGGLO_KDE_KERNEL_GAUSSIAN ? o->gauss_cutoff * h : h;
    double cut2 = o->gauss_cutoff * o->gauss_cutoff;
    kde_pgrid pg;
    int rc = kde_pgrid_build(ctx, &pg, p->x, p->y, p->m, R);
    if (rc)
        return rc;
    double ih2 = 1.0 / (h * h);
    agglo_kde_kernel k = o->kernel;
    long nr = (long)g->nrows, nc = (long)g->ncols;
#pragma omp parallel for schedule(dynamic, 1) num_threads(agglo_threads_for(ctx))
    for (long r = 0; r < nr; r++) {
        double cy = g->ymax - ((double)r + 0.5) * g->cell;
        double *row = out + (size_t)r * (size_t)nc;
        for (long c = 0; c < nc; c++) {
            double cx = g->xmin + ((double)c + 0.5) * g->cell;
            double s = 0;
            long bx0, by0, bx1, by1;
            if (cx + R < pg.x0 || cy + R < pg.y0 || cx - R > pg.x0 + (double)pg.nx * pg.bs ||
                cy - R > pg.y0 + (double)pg.ny * pg.bs) {
                row[c] = 0;
                continue;
            }
            kde_pgrid_cell(&pg, cx - R, cy - R, &bx0, &by0);
            kde_pgrid_cell(&pg, cx + R, cy + R, &bx1, &by1);
            for (long by = by0; by <= by1; by++) {
                for (long bx = bx0; bx <= bx1; bx++) {
                    size_t b = (size_t)by * pg.nx + (size_t)bx;
                    for (size_t t = pg.start[b]; t < pg.start[b + 1]; t++) {
                        size_t i = pg.idx[t];
                        double dx = p->x[i] - cx, dy = p->y[i] - cy;
                        double r2 = (dx * dx + dy * dy) * ih2;
                        if (r2 <= cut2)
                            s += p->w[i] * kern_r2(k, r2, cut2);
                    }
                }
            }
            row[c] = s * ih2;
        }
    }
    kde_pgrid_free(&pg);
    return AGGLO_OK;
}

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
static int kde_fft(agglo_ctx *ctx, const pts *p, const agglo_grid *g, const agglo_kde_options *o,
                   double *out, size_t *outside, size_t *left_out, const double *binned)
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
                double v = kern_r2(o->kernel, (dx * dx + dy * dy) * ih2, cut2);
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
                    sum += kern_r2(k, (dx * dx + dy * dy) * ih2, cut2);
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
    pts p;
    int rc = collect(ctx, x, y, w, n, &p);
    if (rc)
        return rc;
    if (p.m == 0) {
        pts_free(&p);
        return agglo_error(ctx, AGGLO_E_EMPTY, "kde: no points with finite coordinates");
    }
    /* the raster must be able to represent the kernel (see kde_sampled_mass) */
    double mlo, mhi;
    kde_sampled_mass(o.kernel, o.bandwidth, g->cell, o.gauss_cutoff, &mlo, &mhi);
    if (!(mlo >= 0.5 && mhi <= 2)) {
        pts_free(&p);
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
        pts_free(&p);
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
        rc = kde_exact(ctx, &p, g, &o, out);
    } else {
        size_t o1, o2;
        rc = kde_fft(ctx, &p, g, &o, out, &o1, &o2, NULL);
    }
    if (rc == AGGLO_OK && o.edge) {
        /* spatstat's uniform edge correction with the grid rectangle as the window: divide
         * by e(u) = sum over window cells of the discrete kernel (the kernel mass inside) */
        size_t nn = g->ncols * g->nrows;
        double *ones = agglo_malloc(ctx, nn * sizeof(double));
        double *e = agglo_malloc(ctx, nn * sizeof(double));
        if (!ones || !e) {
            rc = AGGLO_E_NOMEM;
        } else {
            for (size_t t = 0; t < nn; t++)
                ones[t] = 1;
            size_t d1, d2;
            rc = kde_fft(ctx, NULL, g, &o, e, &d1, &d2, ones);
            double c2 = g->cell * g->cell;
            for (size_t t = 0; rc == AGGLO_OK && t < nn; t++)
                out[t] = e[t] > 0 ? out[t] / (e[t] * c2) : out[t];
        }
        free(ones);
        free(e);
    }
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
    pts_free(&p);
    return rc;
}

/* ---- mask ---- */

typedef struct xs {
    double *v;
    size_t n, cap;
} xs;

static int ring_crossings(GEOSContextHandle_t hg, const GEOSGeometry *ring, double y, xs *out)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(hg, ring);
    unsigned int np = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(hg, cs, &np) || np < 2)
        return 0;
    double px, py;
    GEOSCoordSeq_getXY_r(hg, cs, 0, &px, &py);
    for (unsigned int k = 1; k < np; k++) {
        double qx, qy;
        GEOSCoordSeq_getXY_r(hg, cs, k, &qx, &qy);
        /* half-open rule: edge crosses the scanline if exactly one end is above */
        if ((py > y) != (qy > y)) {
            if (out->n == out->cap) {
                size_t cap = out->cap ? out->cap * 2 : 64;
                double *v = realloc(out->v, cap * sizeof(double));
                if (!v)
                    return -1;
                out->v = v;
                out->cap = cap;
            }
            out->v[out->n++] = px + (y - py) * (qx - px) / (qy - py);
        }
        px = qx;
        py = qy;
    }
    return 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int poly_crossings(GEOSContextHandle_t hg, const GEOSGeometry *poly, double y, xs *out)
{
    int t = GEOSGeomTypeId_r(hg, poly);
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int ng = GEOSGetNumGeometries_r(hg, poly);
        for (int i = 0; i < ng; i++)
            if (poly_crossings(hg, GEOSGetGeometryN_r(hg, poly, i), y, out))
                return -1;
        return 0;
    }
    if (t != GEOS_POLYGON)
        return 0;
    if (ring_crossings(hg, GEOSGetExteriorRing_r(hg, poly), y, out))
        return -1;
    int nh = GEOSGetNumInteriorRings_r(hg, poly);
    for (int i = 0; i < nh; i++)
        if (ring_crossings(hg, GEOSGetInteriorRingN_r(hg, poly, i), y, out))
            return -1;
    return 0;
}

int agglo_kde_mask(agglo_ctx *ctx, const agglo_grid *g, const agglo_layer *polygons,
                   double *values, double nodata, size_t *kept)
{
    if (agglo_layer_kind(polygons) != AGGLO_GEOM_POLYGON)
        return agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: mask layer must hold polygons",
                           agglo_layer_path(polygons));
    GEOSContextHandle_t hg = agglo_ctx_geos(ctx);
    size_t nr = g->nrows, nc = g->ncols, nf = agglo_layer_count(polygons);
    unsigned char *in = agglo_calloc(ctx, nc, 1);
    if (!in)
        return AGGLO_E_NOMEM;
    xs cr = {0};
    size_t nkept = 0;
    int rc = AGGLO_OK;
    for (size_t r = 0; r < nr; r++) {
        double y = g->ymax - ((double)r + 0.5) * g->cell;
        memset(in, 0, nc);
        for (size_t f = 0; f < nf; f++) {
            const GEOSGeometry *geom = (const GEOSGeometry *)agglo_layer_geometry(polygons, f);
            if (!geom)
                continue;
            cr.n = 0;
            if (poly_crossings(hg, geom, y, &cr)) {
                rc = agglo_error(ctx, AGGLO_E_NOMEM, "kde mask: out of memory");
                goto done;
            }
            if (cr.n < 2)
                continue;
            qsort(cr.v, cr.n, sizeof(double), cmp_d);
            for (size_t k = 0; k + 1 < cr.n; k += 2) {
                /* cells whose centre x lies in [v[k], v[k+1]) */
                double c0 = ceil((cr.v[k] - g->xmin) / g->cell - 0.5);
                double c1 = ceil((cr.v[k + 1] - g->xmin) / g->cell - 0.5) - 1;
                if (c0 < 0) c0 = 0;
                if (c1 > (double)nc - 1) c1 = (double)nc - 1;
                for (double c = c0; c <= c1; c++)
                    in[(size_t)c] = 1;
            }
        }
        for (size_t c = 0; c < nc; c++) {
            if (in[c])
                nkept++;
            else
                values[r * nc + c] = nodata;
        }
    }
    if (kept)
        *kept = nkept;
done:
    free(cr.v);
    free(in);
    return rc;
}
