/* Concentration indices across regions (see include/agglo/concentration.h). */
#include "agglo/concentration.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"

void agglo_concentration_free(agglo_concentration *c)
{
    if (!c)
        return;
    free(c->share_count);
    free(c->share_base);
    free(c->lq);
    free(c);
}

typedef struct lqidx {
    double lq;
    size_t i;
} lqidx;

static int cmp_lq(const void *a, const void *b)
{
    const lqidx *p = a, *q = b;
    /* NaN (0/0: region with neither activity nor base) first; +inf last */
    int pn = isnan(p->lq), qn = isnan(q->lq);
    if (pn != qn)
        return pn ? -1 : 1;
    if (p->lq < q->lq) return -1;
    if (p->lq > q->lq) return 1;
    return (p->i > q->i) - (p->i < q->i);
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

static void eg_finish(agglo_concentration *c, const double *s)
{
    double G = 0, sx2 = 0;
    for (size_t i = 0; i < c->n; i++) {
        G += (s[i] - c->share_base[i]) * (s[i] - c->share_base[i]);
        sx2 += c->share_base[i] * c->share_base[i];
    }
    c->eg_G = G;
    c->eg_sum_x2 = sx2;
    double H = c->eg_H;
    c->eg_gamma = (G - (1 - sx2) * H) / ((1 - sx2) * (1 - H));
}

/* Every index left NaN or infinite says why (one warning each, naming a region). */
static void warn_gamma(agglo_ctx *ctx, const agglo_concentration *c, const char *source)
{
    if (isfinite(c->eg_gamma) || isnan(c->eg_H))
        return;
    if (c->eg_H >= 1)
        agglo_warn(ctx, "%s: Ellison-Glaeser gamma is NA: a single plant holds all the activity "
                   "(H = 1)", source);
    else if (c->eg_sum_x2 >= 1)
        agglo_warn(ctx, "%s: Ellison-Glaeser gamma is NA: a single region holds the whole base "
                   "(sum of squared base shares = 1)", source);
    else
        agglo_warn(ctx, "%s: Ellison-Glaeser gamma is NA (G = %g, H = %g, sum x^2 = %g)", source,
                   c->eg_G, c->eg_H, c->eg_sum_x2);
}

static void warn_undefined(agglo_ctx *ctx, const agglo_concentration *c, const double *count,
                           const double *base, const char *source, int integral)
{
    size_t zero_base = 0, first = 0, inf_first = 0, inf = 0;
    for (size_t i = 0; i < c->n; i++)
        if (!(base[i] > 0)) {
            if (!zero_base++)
                first = i;
            if (count[i] > 0 && !inf++)
                inf_first = i;
        }
    if (zero_base)
        agglo_warn(ctx, "%s: location quotient is NA in %zu region(s) with a zero base (first: "
                   "region %zu)", source, zero_base, first + 1);
    if (inf)
        agglo_warn(ctx, "%s: Theil index is infinite: %zu region(s) have activity but a zero base "
                   "(first: region %zu, count %g)", source, inf, inf_first + 1, count[inf_first]);
    if (c->n < 2)
        agglo_warn(ctx, "%s: normalised HHI is NA: it needs at least 2 regions", source);
    if (!integral)
        agglo_warn(ctx, "%s: Ellison-Glaeser gamma from unit-size plants is NA: the counts are not "
                   "whole numbers (give plants with --shops)", source);
    else
        warn_gamma(ctx, c, source);
}

agglo_concentration *agglo_concentration_compute(agglo_ctx *ctx, const double *count,
                                                 const double *base, size_t n, int cr_k,
                                                 const char *source)
{
    if (!source)
        source = "concentration";
    if (n == 0) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: no regions", source);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(count[i]) || count[i] < 0) {
            agglo_error(ctx, AGGLO_E_MISSING, "%s: count of region %zu is %g (needs a finite "
                        "value >= 0)", source, i + 1, count[i]);
            return NULL;
        }
        if (!isfinite(base[i]) || base[i] < 0) {
            agglo_error(ctx, AGGLO_E_MISSING, "%s: base of region %zu is %g (needs a finite "
                        "value >= 0)", source, i + 1, base[i]);
            return NULL;
        }
    }
    double E = agglo_sum(count, n), B = agglo_sum(base, n);
    if (!(E > 0) || !(B > 0)) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: the %s total is 0", source, E > 0 ? "base" : "count");
        return NULL;
    }
    agglo_concentration *c = agglo_calloc(ctx, 1, sizeof *c);
    if (!c)
        return NULL;
    c->n = n;
    c->total_count = E;
    c->total_base = B;
    c->share_count = agglo_malloc(ctx, n * sizeof(double));
    c->share_base = agglo_malloc(ctx, n * sizeof(double));
    c->lq = agglo_malloc(ctx, n * sizeof(double));
    lqidx *ord = agglo_malloc(ctx, n * sizeof *ord);
    double *sorted = agglo_malloc(ctx, n * sizeof(double));
    if (!c->share_count || !c->share_base || !c->lq || !ord || !sorted) {
        free(ord);
        free(sorted);
        agglo_concentration_free(c);
        return NULL;
    }
    double hhi = 0, theil = 0, ent = 0;
    for (size_t i = 0; i < n; i++) {
        double s = count[i] / E, x = base[i] / B;
        c->share_count[i] = s;
        c->share_base[i] = x;
        c->lq[i] = x > 0 ? s / x : NAN;
        ord[i].lq = x > 0 ? s / x : (s > 0 ? INFINITY : NAN);
        ord[i].i = i;
        sorted[i] = s;
        hhi += s * s;
        if (s > 0) {
            ent -= s * log(s);
            theil += x > 0 ? s * log(s / x) : INFINITY;
        }
    }
    c->hhi = hhi;
    c->hhi_normalised = n > 1 ? (hhi - 1.0 / (double)n) / (1 - 1.0 / (double)n) : NAN;
    c->theil = theil;
    c->entropy = ent;
    /* Lorenz curve ranked by LQ ascending */
    qsort(ord, n, sizeof *ord, cmp_lq);
    double X = 0, Y = 0, area = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = ord[k].i;
        double X1 = X + c->share_base[i], Y1 = Y + c->share_count[i];
        area += (X1 - X) * (Y1 + Y);
        X = X1;
        Y = Y1;
    }
    c->gini = 1 - area;
    c->g_raw = 0;
    for (size_t i = 0; i < n; i++)
        c->g_raw += (c->share_count[i] - c->share_base[i]) * (c->share_count[i] - c->share_base[i]);
    qsort(sorted, n, sizeof(double), cmp_desc);
    if (cr_k < 1)
        cr_k = 1;
    if ((size_t)cr_k > n)
        cr_k = (int)n;
    c->cr_k = cr_k;
    c->cr = 0;
    for (int k = 0; k < cr_k; k++)
        c->cr += sorted[k];
    free(ord);
    free(sorted);
    /* EG with unit-size plants */
    int integral = 1;
    for (size_t i = 0; i < n; i++)
        if (count[i] != floor(count[i]))
            integral = 0;
    c->eg_from_plants = 0;
    c->eg_plants = integral ? (size_t)E : 0;
    c->eg_H = integral ? 1.0 / E : NAN;
    eg_finish(c, c->share_count);
    if (!integral)
        c->eg_gamma = NAN;
    warn_undefined(ctx, c, count, base, source, integral);
    return c;
}

int agglo_concentration_eg(agglo_ctx *ctx, agglo_concentration *c, const double *size,
                           const long *region, size_t nplants, const char *source)
{
    if (!source)
        source = "plants";
    double *s = agglo_calloc(ctx, c->n, sizeof(double));
    if (!s)
        return AGGLO_E_NOMEM;
    double tot = 0, h = 0;
    size_t used = 0, outside = 0, missing = 0;
    for (size_t j = 0; j < nplants; j++) {
        if (region[j] < 0 || (size_t)region[j] >= c->n) {
            outside++;
            continue;
        }
        if (!isfinite(size[j])) {
            missing++;
            continue;
        }
        if (size[j] < 0) {
            free(s);
            return agglo_error(ctx, AGGLO_E_USAGE, "%s: negative size %g at row %zu", source,
                               size[j], j + 1);
        }
        s[region[j]] += size[j];
        tot += size[j];
        used++;
    }
    if (outside)
        agglo_warn(ctx, "%s: %zu plant(s) outside every region left out of Ellison-Glaeser",
                   source, outside);
    if (missing)
        agglo_warn(ctx, "%s: %zu plant(s) with a NULL size left out of Ellison-Glaeser", source,
                   missing);
    if (!(tot > 0)) {
        free(s);
        return agglo_error(ctx, AGGLO_E_EMPTY, "%s: no plant with a positive size inside the "
                           "regions", source);
    }
    for (size_t j = 0; j < nplants; j++)
        if (region[j] >= 0 && (size_t)region[j] < c->n && isfinite(size[j])) {
            double z = size[j] / tot;
            h += z * z;
        }
    for (size_t i = 0; i < c->n; i++)
        s[i] /= tot;
    c->eg_from_plants = 1;
    c->eg_plants = used;
    c->eg_H = h;
    eg_finish(c, s);
    free(s);
    warn_gamma(ctx, c, source);
    return AGGLO_OK;
}
