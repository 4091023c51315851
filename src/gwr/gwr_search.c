/* Bandwidth selection: golden-section search (mgwr's golden_section, integer bandwidths when
 * adaptive) and equal-interval search, on the model's criterion. */
#define _GNU_SOURCE
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "gwr_internal.h"

static int trace_find(const gwr_trace *t, double bw, double *crit)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->bw[i] == bw) {
            *crit = t->crit[i];
            return 1;
        }
    return 0;
}

/* The criterion at bw, evaluated once per bandwidth (mgwr caches them too). */
static int eval(agglo_ctx *ctx, gwr_score_fn score, void *ud, gwr_trace *t, double bw,
                double *crit)
{
    if (trace_find(t, bw, crit))
        return AGGLO_OK;
    int rc = score(ud, bw, crit);
    if (rc)
        return rc;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        double *b = realloc(t->bw, cap * sizeof(double));
        if (!b)
            return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        t->bw = b;
        double *c = realloc(t->crit, cap * sizeof(double));
        if (!c)
            return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        t->crit = c;
        t->cap = cap;
    }
    t->bw[t->n] = bw;
    t->crit[t->n] = *crit;
    t->n++;
    return AGGLO_OK;
}

void agglo__gwr_trace_free(gwr_trace *t)
{
    free(t->bw);
    free(t->crit);
    memset(t, 0, sizeof *t);
}

/* mgwr's golden_section (delta 0.38197; integer bandwidths when adaptive; stop when
 * |f(b) - f(d)| <= tol; optimum rounded to 2 decimals) or the equal-interval search (o->search)
 * of the bandwidth in [a, c] minimising score; every evaluation is recorded in t. *best is NaN
 * and *best_score +Inf when no bandwidth scores finite. */
int agglo__gwr_search_range(agglo_ctx *ctx, const agglo_gwr_options *o, double a, double c,
                     gwr_score_fn score, void *ud, gwr_trace *t, double *best, double *best_score)
{
    int integer = !o->fixed, rc;
    double opt_val = NAN, opt_score = INFINITY;
    if (o->search == AGGLO_GWR_GOLDEN) {
        const double delta = 0.38197;
        double tol = o->tol > 0 ? o->tol : 1e-6;
        int max_iter = o->max_iter > 0 ? o->max_iter : 200;
        double b = a + delta * fabs(c - a), d = c - delta * fabs(c - a);
        double diff = 1.0e9;
        for (int iters = 0; fabs(diff) > tol && iters < max_iter; iters++) {
            if (integer) {
                b = nearbyint(b);
                d = nearbyint(d);
            }
            double sb, sd;
            if ((rc = eval(ctx, score, ud, t, b, &sb)) || (rc = eval(ctx, score, ud, t, d, &sd)))
                return rc;
            if (sb <= sd) {
                opt_val = b;
                opt_score = sb;
                c = d;
                d = b;
                b = a + delta * fabs(c - a);
            } else {
                opt_val = d;
                opt_score = sd;
                a = b;
                b = d;
                d = c - delta * fabs(c - a);
            }
            diff = sb - sd;
            if (isnan(diff) || (isinf(sb) && isinf(sd)))
                diff = isinf(sb) && isinf(sd) ? 1e9 : diff;
        }
        opt_val = nearbyint(opt_val * 100.0) / 100.0;
    } else {
        double step = o->interval;
        if (!(step > 0))
            step = (c - a) / 20.0;
        if (integer) {
            a = nearbyint(a);
            c = nearbyint(c);
            step = nearbyint(step);
            if (step < 1)
                step = 1;
        }
        double sa, sc;
        if ((rc = eval(ctx, score, ud, t, a, &sa)) || (rc = eval(ctx, score, ud, t, c, &sc)))
            return rc;
        if (sa < sc) {
            opt_val = a;
            opt_score = sa;
        } else {
            opt_val = c;
            opt_score = sc;
        }
        for (double b = a + step; b < c; b += step) {
            double sb;
            if ((rc = eval(ctx, score, ud, t, b, &sb)))
                return rc;
            if (sb < opt_score) {
                opt_val = b;
                opt_score = sb;
            }
        }
    }
    if (!isfinite(opt_score))
        opt_val = NAN;
    *best = opt_val;
    *best_score = opt_score;
    return AGGLO_OK;
}

/* Smallest distance between two observations (through the grid's 2nd-nearest distances) and
 * the largest (the convex hull's diameter); mgwr's fixed search range is [min / 2, 2 max]. */
typedef struct pt {
    double x, y;
} pt;

static int cmp_pt(const void *a, const void *b)
{
    const pt *p = a, *q = b;
    if (p->x != q->x)
        return (p->x > q->x) - (p->x < q->x);
    return (p->y > q->y) - (p->y < q->y);
}

static double cross(pt o, pt a, pt b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

int agglo__gwr_distance_range(agglo_ctx *ctx, const agglo_gwr_model *m, double *dmin, double *dmax)
{
    size_t n = m->n;
    double lo = INFINITY, hi = 0;
    if (!m->use_grid) {
        /* great-circle: brute force (such data sets are modest in practice) */
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                double d = agglo_earth_haversine_km(m->cx[i], m->cy[i], m->cx[j], m->cy[j]);
                lo = d < lo ? d : lo;
                hi = d > hi ? d : hi;
            }
        *dmin = lo;
        *dmax = hi;
        return AGGLO_OK;
    }
    agglo__index_knn st;
    pt *P = agglo_malloc(ctx, n * sizeof(pt)), *H = agglo_malloc(ctx, (2 * n + 2) * sizeof(pt));
    if (!P || !H || agglo__index_knn_init(&st, n)) {
        free(P);
        free(H);
        return agglo_error(ctx, AGGLO_E_NOMEM, "gwr: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        double d = sqrt(agglo__index_grid_kth_dist2(&m->grid, m->cx[i], m->cy[i], 2, &st));
        lo = d < lo ? d : lo;
        P[i].x = m->cx[i];
        P[i].y = m->cy[i];
    }
    agglo__index_knn_free(&st);
    qsort(P, n, sizeof(pt), cmp_pt);
    size_t k = 0; /* Andrew's monotone chain */
    for (size_t i = 0; i < n; i++) {
        while (k >= 2 && cross(H[k - 2], H[k - 1], P[i]) <= 0)
            k--;
        H[k++] = P[i];
    }
    for (size_t i = n - 1, t = k + 1; i-- > 0;) {
        while (k >= t && cross(H[k - 2], H[k - 1], P[i]) <= 0)
            k--;
        H[k++] = P[i];
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++) {
            double dx = H[j].x - H[i].x, dy = H[j].y - H[i].y, d = sqrt(dx * dx + dy * dy);
            hi = d > hi ? d : hi;
        }
    free(P);
    free(H);
    *dmin = lo;
    *dmax = hi;
    return AGGLO_OK;
}

void agglo_gwr_search_result_free(agglo_gwr_search_result *s)
{
    if (!s)
        return;
    free(s->bw);
    free(s->crit);
    s->bw = s->crit = NULL;
    s->nevals = 0;
}

typedef struct score_ud {
    agglo_ctx *ctx;
    agglo_gwr_model *m;
} score_ud;

static int gwr_score_cb(void *ud, double bw, double *score)
{
    score_ud *u = ud;
    return agglo_gwr_score(u->ctx, u->m, bw, score);
}

int agglo_gwr_select(agglo_ctx *ctx, agglo_gwr_model *m, agglo_gwr_search_result *out)
{
    score_ud ud = {ctx, m};
    memset(out, 0, sizeof *out);
    const agglo_gwr_options *o = &m->o;
    int integer = !o->fixed;
    double a, c;
    if (integer) {
        a = 40.0 + 2.0 * (double)m->p;
        c = (double)m->n;
    } else {
        double dmin, dmax;
        int rc = agglo__gwr_distance_range(ctx, m, &dmin, &dmax);
        if (rc)
            return rc;
        a = dmin / 2.0;
        c = dmax * 2.0;
    }
    if (o->bw_min > 0 && o->bw_max > 0 && o->bw_min > o->bw_max)
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "gwr: empty bandwidth search range: minimum %g is larger than maximum %g",
                           o->bw_min, o->bw_max);
    if (o->bw_min > 0)
        a = o->bw_min;
    if (o->bw_max > 0)
        c = o->bw_max;
    double a0 = a, c0 = c;
    if (integer && c > (double)m->n)
        c = (double)m->n;
    if (integer && a > c)
        a = c; /* small n: the lower limit exceeds n */
    if (integer && a == c && a0 != c0)
        agglo_warn(ctx,
                   "gwr: the bandwidth search range [%g, %g] collapses to the single bandwidth "
                   "%g (n = %zu observations%s); no search was made",
                   a0, c0, a, m->n, o->bw_min > 0 ? "" : ", default lower limit 40 + 2p");
    if (!(a > 0) || !(c >= a))
        return agglo_error(ctx, AGGLO_E_USAGE, "gwr: invalid bandwidth search range [%g, %g]", a,
                           c);
    out->lo = a;
    out->hi = c;
    gwr_trace t = {0};
    double opt_val, opt_score;
    int rc = agglo__gwr_search_range(ctx, o, a, c, gwr_score_cb, &ud, &t, &opt_val, &opt_score);
    if (rc == AGGLO_OK && !isfinite(opt_score))
        rc = agglo_error(ctx, AGGLO_E_SINGULAR,
                         "gwr: no bandwidth in [%g, %g] gives non-singular local regressions at "
                         "every observation (too few neighbours or collinear covariates)",
                         out->lo, out->hi);
    if (rc) {
        agglo__gwr_trace_free(&t);
        return rc;
    }
    out->bandwidth = opt_val;
    out->score = opt_score;
    out->nevals = t.n;
    out->bw = t.bw;
    out->crit = t.crit;
    return AGGLO_OK;
}

int agglo_gwr_bandwidth_at_edge(const agglo_gwr_model *m, const agglo_gwr_search_result *s)
{
    double bw = s->bandwidth, span = s->hi - s->lo, tolb = m->o.fixed ? 1e-3 * span : 1.0;
    if (!(s->hi > s->lo))
        return 0;
    if (bw - s->lo <= tolb)
        return -1;
    return s->hi - bw <= tolb ? 1 : 0;
}
