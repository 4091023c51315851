/* Kernel density, the bandwidth rules and selectors: silverman (R bw.nrd0), scott (spatstat
 * bw.scott), arcgis (ArcGIS Kernel Density), ppl (spatstat bw.ppl); diggle (spatstat bw.diggle)
 * is a point-pattern method built on Ripley's K and lives in src/points/bw_diggle.c. */
#define _GNU_SOURCE
#include "agglo/kde.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/core_internal.h"
#include "../points/points_internal.h"
#include "kde_internal.h"

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

static double nrd0_axis(agglo_ctx *ctx, const agglo__kde_pts *p, const double *v, int *err)
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
static int bw_ppl(agglo_ctx *ctx, const agglo__kde_pts *p, const double *win, double *out)
{
    size_t m = p->m;
    if (m > 50000)
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "bandwidth ppl: %zu points is too many for likelihood "
                           "cross-validation (all pairs); use --bandwidth arcgis or scott",
                           m);
    agglo__index_grid g;
    double ext = fmax(win[2] - win[0], win[3] - win[1]);
    int rc = agglo__index_grid_build(ctx, &g, p->x, p->y, m, ext / sqrt((double)m + 1));
    if (rc)
        return rc;
    double dmin = INFINITY;
    for (size_t i = 0; i < m; i++) {
        size_t j;
        double d = agglo__index_grid_nearest(&g, p->x[i], p->y[i], i, &j);
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
    agglo__index_grid_free(&g);
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
            double fx = agglo__kde_pnorm((win[2] - p->x[j]) / sig[k]) - agglo__kde_pnorm((win[0] - p->x[j]) / sig[k]);
            double fy = agglo__kde_pnorm((win[3] - p->y[j]) / sig[k]) - agglo__kde_pnorm((win[1] - p->y[j]) / sig[k]);
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
    agglo__kde_pts p;
    int rc = agglo__kde_collect(ctx, x, y, w, n, &p);
    if (rc)
        return rc;
    if (p.m < 2 || !(p.wsum > 1)) {
        agglo__kde_pts_free(&p);
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
        err = agglo__points_bw_diggle(ctx, p.x, p.y, p.m, bb, &h);
        break;
    }
    default: err = agglo_error(ctx, AGGLO_E_USAGE, "bandwidth: unknown rule %d", (int)rule);
    }
    agglo__kde_pts_free(&p);
    if (err)
        return err;
    if (!(h > 0) || !isfinite(h))
        return agglo_error(ctx, AGGLO_E_NUMERIC,
                           "bandwidth %s: rule gives %g (points all at one place?)",
                           agglo_bw_rule_name(rule), h);
    *bandwidth = h;
    return AGGLO_OK;
}

