/* Rank-size rule: ln(rank - 1/2) on ln(size) with Gabaix & Ibragimov's standard error, and
 * the classic OLS regression ln(rank) on ln(size). */
#include "agglo/describe.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    double v;
    size_t row;
} sized;

static int by_size_desc(const void *a, const void *b)
{
    const sized *p = a, *q = b;
    if (p->v != q->v)
        return p->v < q->v ? 1 : -1;
    return p->row < q->row ? -1 : (p->row > q->row);
}

/* OLS of yv on xv (n): intercept, slope, its usual standard error and R2. */
static void ols(const double *xv, const double *yv, size_t n, agglo_ranksize_fit *f)
{
    long double sx = 0, sy = 0;
    for (size_t i = 0; i < n; i++) {
        sx += xv[i];
        sy += yv[i];
    }
    double mx = (double)(sx / (long double)n), my = (double)(sy / (long double)n);
    long double sxx = 0, sxy = 0, syy = 0;
    for (size_t i = 0; i < n; i++) {
        double dx = xv[i] - mx, dy = yv[i] - my;
        sxx += (long double)dx * dx;
        sxy += (long double)dx * dy;
        syy += (long double)dy * dy;
    }
    f->slope = (double)(sxy / sxx);
    f->intercept = my - f->slope * mx;
    long double sse = 0;
    for (size_t i = 0; i < n; i++) {
        double e = yv[i] - f->intercept - f->slope * xv[i];
        sse += (long double)e * e;
    }
    f->se = sqrt((double)(sse / (long double)(n - 2) / sxx));
    f->r2 = syy > 0 ? 1.0 - (double)(sse / syy) : NAN;
    f->zipf_exponent = -f->slope;
}

void agglo_ranksize_free(agglo_ranksize *r)
{
    if (!r)
        return;
    free(r->row);
    free(r->size);
    free(r->rank);
    free(r);
}

agglo_ranksize *agglo_ranksize_compute(agglo_ctx *ctx, const double *sizes, size_t n,
                                       size_t top, int drop_invalid, const char *source,
                                       const char *field)
{
    if (!source)
        source = "ranksize";
    if (!field)
        field = "size";
    sized *s = agglo_malloc(ctx, (n ? n : 1) * sizeof *s);
    if (!s)
        return NULL;
    size_t m = 0, dropped = 0;
    for (size_t i = 0; i < n; i++) {
        double v = sizes[i];
        if (isnan(v) || !(v > 0) || !isfinite(v)) {
            if (!drop_invalid) {
                free(s);
                if (isnan(v))
                    agglo_error(ctx, AGGLO_E_MISSING,
                                "%s: %s is missing in row %zu (--drop-missing leaves such rows "
                                "out)", source, field, i + 1);
                else
                    agglo_error(ctx, AGGLO_E_NUMERIC,
                                "%s: %s is %g in row %zu; a rank-size fit needs positive finite "
                                "sizes (--drop-missing leaves such rows out)",
                                source, field, v, i + 1);
                return NULL;
            }
            dropped++;
            continue;
        }
        s[m].v = v;
        s[m].row = i;
        m++;
    }
    if (dropped)
        agglo_warn(ctx, "%s: %zu rows with a missing, zero or negative %s left out", source,
                   dropped, field);
    qsort(s, m, sizeof *s, by_size_desc);
    if (top > 0 && top < m)
        m = top;
    if (m < 3 || s[0].v == s[m - 1].v) {
        free(s);
        agglo_error(ctx, AGGLO_E_EMPTY,
                    "%s: a rank-size fit needs at least 3 sizes, not all equal (%zu usable)",
                    source, m);
        return NULL;
    }
    agglo_ranksize *r = agglo_calloc(ctx, 1, sizeof *r);
    double *lx = agglo_malloc(ctx, m * sizeof *lx), *ly = agglo_malloc(ctx, m * sizeof *ly);
    if (!r || !lx || !ly || !(r->row = agglo_malloc(ctx, m * sizeof *r->row)) ||
        !(r->size = agglo_malloc(ctx, m * sizeof *r->size)) ||
        !(r->rank = agglo_malloc(ctx, m * sizeof *r->rank))) {
        free(s);
        free(lx);
        free(ly);
        agglo_ranksize_free(r);
        return NULL;
    }
    r->n = m;
    r->dropped = dropped;
    for (size_t i = 0; i < m; i++) {
        r->row[i] = s[i].row;
        r->size[i] = s[i].v;
        r->rank[i] = (double)(i + 1);
        lx[i] = log(s[i].v);
    }
    for (size_t i = 0; i < m; i++)
        ly[i] = log(r->rank[i] - 0.5);
    ols(lx, ly, m, &r->gi);
    /* Gabaix & Ibragimov (2011): the standard error of the slope is sqrt(2 / n) |b| */
    r->gi.se = sqrt(2.0 / (double)m) * fabs(r->gi.slope);
    for (size_t i = 0; i < m; i++)
        ly[i] = log(r->rank[i]);
    ols(lx, ly, m, &r->ols);
    r->gi.t = r->gi.slope / r->gi.se;
    r->ols.t = r->ols.slope / r->ols.se;
    free(s);
    free(lx);
    free(ly);
    return r;
}
