/* Bandwidth selection: golden-section search (mgwr's golden_section, integer bandwidths when
 * adaptive) and equal-interval search, on the model's criterion. */
#define _GNU_SOURCE
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "gwr_internal.h"

typedef struct trace {
    double *bw, *crit;
    size_t n, cap;
} trace;

static int trace_find(const trace *t, double bw, double *crit)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->bw[i] == bw) {
            *crit = t->crit[i];
            return 1;
        }
    return 0;
}

static int eval(agglo_ctx *ctx, agglo_gwr_model *m, trace *t, double bw, double *crit)
{
    if (trace_find(t, bw, crit))
        return AGGLO_OK;
    int rc = agglo_gwr_score(ctx, m, bw, crit);
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

/* Diameter of the point set (largest pairwise distance) through the convex hull, and the
 * smallest distance between two observations through the grid neighbours. */
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

static int distance_range(agglo_ctx *ctx, const agglo_gwr_model *m, double *dmin, double *dmax)
{
    size_t n = m->n;
    if (m->o.great_circle) {
        /* brute force (great-circle data sets are modest in practice) */
        double lo = INFINITY, hi = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                double dlat = (m->cy[j] - m->cy[i]) * M_PI / 180, dlon = (m->cx[j] - m->cx[i]) * M_PI / 180;
                double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
                double a = s1 * s1 + cos(m->cy[i] * M_PI / 180) * cos(m->cy[j] * M_PI / 180) * s2 * s2;
                double d = 6371.0 * 2.0 * asin(sqrt(a > 1 ? 1 : a));
                if (d < lo)
                    lo = d;
                if (d > hi)
                    hi = d;
            }
        *dmin = lo;
        *dmax = hi;
        return AGGLO_OK;
    }
    pt *P = agglo_malloc(ctx, n * sizeof(pt));
    pt *H = agglo_malloc(ctx, (2 * n + 2) * sizeof(pt));
    if (!P || !H) {
        free(P);
        free(H);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        P[i].x = m->cx[i];
        P[i].y = m->cy[i];
    }
    qsort(P, n, sizeof(pt), cmp_pt);
    /* minimum distance: sweep over x-sorted points */
    double lo = INFINITY;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n && P[j].x - P[i].x < lo; j++) {
            double dx = P[j].x - P[i].x, dy = P[j].y - P[i].y, d = sqrt(dx * dx + dy * dy);
            if (d < lo)
                lo = d;
        }
    /* Andrew's monotone chain */
    size_t k = 0;
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
    double hi = 0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = i + 1; j < k; j++) {
            double dx = H[j].x - H[i].x, dy = H[j].y - H[i].y, d = sqrt(dx * dx + dy * dy);
            if (d > hi)
                hi = d;
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

int agglo_gwr_select(agglo_ctx *ctx, agglo_gwr_model *m, agglo_gwr_search_result *out)
{
    memset(out, 0, sizeof *out);
    const agglo_gwr_options *o = &m->o;
    int integer = !o->fixed;
    double a, c;
    if (integer) {
        a = 40.0 + 2.0 * (double)m->p;
        c = (double)m->n;
    } else {
        double dmin, dmax;
        int rc = distance_range(ctx, m, &dmin, &dmax);
        if (rc)
            return rc;
        a = dmin / 2.0;
        c = dmax * 2.0;
    }
    if (o->bw_min > 0)
        a = o->bw_min;
    if (o->bw_max > 0)
        c = o->bw_max;
    if (integer && c > (double)m->n)
        c = (double)m->n;
    if (integer && a > c)
        a = c; /* small n: the default lower limit exceeds n */
    if (!(a > 0) || !(c >= a))
        return agglo_error(ctx, AGGLO_E_USAGE, "gwr: invalid bandwidth search range [%g, %g]", a,
                           c);
    out->lo = a;
    out->hi = c;
    trace t = {0};
    int rc = AGGLO_OK;
    double opt_val = NAN, opt_score = INFINITY;
    if (o->search == AGGLO_GWR_GOLDEN) {
        const double delta = 0.38197;
        double tol = o->tol > 0 ? o->tol : 1e-6;
        int max_iter = o->max_iter > 0 ? o->max_iter : 200;
        double b = a + delta * fabs(c - a), d = c - delta * fabs(c - a);
        double diff = 1.0e9;
        int iters = 0;
        while (fabs(diff) > tol && iters < max_iter) {
            iters++;
            if (integer) {
                b = nearbyint(b);
                d = nearbyint(d);
            }
            double sb, sd;
            if ((rc = eval(ctx, m, &t, b, &sb)) || (rc = eval(ctx, m, &t, d, &sd)))
                goto done;
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
        double b = a + step, sa, sc;
        if ((rc = eval(ctx, m, &t, a, &sa)) || (rc = eval(ctx, m, &t, c, &sc)))
            goto done;
        if (sa < sc) {
            opt_val = a;
            opt_score = sa;
        } else {
            opt_val = c;
            opt_score = sc;
        }
        while (b < c) {
            double sb;
            if ((rc = eval(ctx, m, &t, b, &sb)))
                goto done;
            if (sb < opt_score) {
                opt_val = b;
                opt_score = sb;
            }
            b += step;
        }
    }
    if (!isfinite(opt_score)) {
        rc = agglo_error(ctx, AGGLO_E_SINGULAR,
                         "gwr: no bandwidth in [%g, %g] gives non-singular local regressions at "
                         "every observation (too few neighbours or collinear covariates)",
                         out->lo, out->hi);
        goto done;
    }
    out->bandwidth = opt_val;
    out->score = opt_score;
    out->nevals = t.n;
    out->bw = t.bw;
    out->crit = t.crit;
    return AGGLO_OK;
done:
    free(t.bw);
    free(t.crit);
    return rc;
}
