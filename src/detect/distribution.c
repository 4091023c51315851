/* Kernel densities of a variable per period and the Theil/Gini decomposition per period. */
#include "agglo/check.h"
#include "detect_internal.h"
#include "../core/core_internal.h"
#include "agglo/dynamics.h"
#include "agglo/layer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile7(const double *s, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return s[n - 1];
    return s[lo] + (h - (double)lo) * (s[lo + 1] - s[lo]);
}

double agglo_bw_nrd0(const double *x, size_t n)
{
    if (n < 2)
        return NAN;
    double mean, ss;
    detect_moments(x, n, &mean, &ss);
    double sd = sqrt(ss / (double)(n - 1));
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NAN;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double iqr = quantile7(s, n, 0.75) - quantile7(s, n, 0.25);
    free(s);
    double lo = fmin(sd, iqr / 1.34);
    if (!(lo > 0)) {
        lo = sd;
        if (!(lo > 0))
            lo = fabs(x[0]);
        if (!(lo > 0))
            lo = 1;
    }
    return 0.9 * lo * pow((double)n, -0.2);
}

void agglo_kde1d(const double *x, size_t n, double bw, const double *at, size_t m, double *dens)
{
    const double c = 1.0 / (sqrt(2 * M_PI) * bw * (double)n);
    for (size_t j = 0; j < m; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            double u = (at[j] - x[i]) / bw;
            s += exp(-0.5 * u * u);
        }
        dens[j] = s * c;
    }
}

void agglo_distribution_free(agglo_distribution *d)
{
    if (!d)
        return;
    if (d->periods)
        agglo_strings_free(d->periods, d->nperiods);
    free(d->n);
    free(d->bandwidth);
    free(d->x);
    free(d->density);
    if (d->ineq)
        agglo_dagum_free_all(d->ineq, d->nperiods);
    free(d);
}

static long need_field(agglo_ctx *ctx, const agglo_table *t, const char *name, const char *source)
{
    long c = agglo_table_find(t, name);
    if (c < 0)
        free(agglo_table_field_numeric(ctx, t, name, source));
    return c;
}

agglo_distribution *agglo_distribution_table(agglo_ctx *ctx, const agglo_table *t,
                                             const char *source, const char *var,
                                             const char *time, const char *group,
                                             double bandwidth, size_t npoints,
                                             int drop_missing)
{
    size_t nr = agglo_table_nrows(t), nt = 1, ng = 1;
    if (!npoints)
        npoints = 512;
    agglo_distribution *d = agglo_calloc(ctx, 1, sizeof *d);
    int *tc = agglo_malloc(ctx, (nr ? nr : 1) * sizeof *tc);
    int *gc = agglo_malloc(ctx, (nr ? nr : 1) * sizeof *gc);
    int *sg = agglo_malloc(ctx, (nr ? nr : 1) * sizeof *sg);
    double *sy = agglo_malloc(ctx, (nr ? nr : 1) * sizeof *sy), *y = NULL;
    char **gl = NULL;
    if (!d || !tc || !gc || !sg || !sy)
        goto fail;
    if (!(y = agglo_table_get_numeric(ctx, t, var, source)))
        goto fail;
    long tcol = -1, gcol = -1;
    if (time && (tcol = need_field(ctx, t, time, source)) < 0)
        goto fail;
    if (group && (gcol = need_field(ctx, t, group, source)) < 0)
        goto fail;
    if (time) {
        if (agglo_strata_from_column(ctx, t, (size_t)tcol, tc, &nt, &d->periods))
            goto fail;
    } else {
        if (!(d->periods = agglo_calloc(ctx, 1, sizeof *d->periods)) ||
            !(d->periods[0] = agglo_strdup(ctx, "all")))
            goto fail;
        memset(tc, 0, nr * sizeof *tc);
    }
    d->nperiods = nt;
    if (group) {
        if (agglo_strata_from_column(ctx, t, (size_t)gcol, gc, &ng, &gl))
            goto fail;
    } else {
        memset(gc, 0, nr * sizeof *gc);
        if (!(gl = agglo_calloc(ctx, 1, sizeof *gl)) || !(gl[0] = agglo_strdup(ctx, "all")))
            goto fail;
    }
    /* the shared --drop-missing policy: a NULL value, period or group */
    unsigned char *miss = agglo_calloc(ctx, nr ? nr : 1, 1);
    if (!miss)
        goto fail;
    for (size_t i = 0; i < nr; i++)
        miss[i] = isnan(y[i]) || tc[i] < 0 || gc[i] < 0;
    const double *dv[3] = {y, NULL, NULL};
    const char *dn[3] = {var, time, group};
    size_t nkeep;
    int mrc = agglo_missing_rows(ctx, source, nr, dv, dn, 3, miss, NULL, NULL, drop_missing, NULL,
                                 &nkeep);
    for (size_t i = 0; i < nr; i++)
        if (miss[i])
            tc[i] = -1;
    free(miss);
    if (mrc)
        goto fail;
    d->npoints = npoints;
    d->n = agglo_calloc(ctx, nt, sizeof *d->n);
    d->bandwidth = agglo_malloc(ctx, nt * sizeof *d->bandwidth);
    d->x = agglo_malloc(ctx, npoints * sizeof *d->x);
    d->density = agglo_malloc(ctx, nt * npoints * sizeof *d->density);
    d->ineq = agglo_calloc(ctx, nt, sizeof *d->ineq);
    if (!d->n || !d->bandwidth || !d->x || !d->density || !d->ineq)
        goto fail;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t p = 0; p < nt; p++) {
        size_t m = 0;
        for (size_t i = 0; i < nr; i++)
            if (tc[i] == (int)p)
                sy[m++] = y[i];
        d->n[p] = m;
        if (m < 2) {
            agglo_error(ctx, AGGLO_E_EMPTY, "%s: period %s has %zu values (a density needs 2)",
                        source, d->periods[p], m);
            goto fail;
        }
        double bw = bandwidth > 0 ? bandwidth : agglo_bw_nrd0(sy, m);
        d->bandwidth[p] = bw;
        for (size_t i = 0; i < m; i++) {
            lo = fmin(lo, sy[i] - 3 * bw);
            hi = fmax(hi, sy[i] + 3 * bw);
        }
    }
    for (size_t j = 0; j < npoints; j++)
        d->x[j] = npoints > 1 ? lo + (hi - lo) * (double)j / (double)(npoints - 1) : lo;
    for (size_t p = 0; p < nt; p++) {
        size_t m = 0;
        for (size_t i = 0; i < nr; i++)
            if (tc[i] == (int)p) {
                sg[m] = gc[i];
                sy[m++] = y[i];
            }
        agglo_kde1d(sy, m, d->bandwidth[p], d->x, npoints, d->density + p * npoints);
        d->ineq[p] = agglo_dagum_compute(ctx, sy, sg, m, (const char *const *)gl, ng);
        if (!d->ineq[p]) {
            agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: period %s: %s", source, d->periods[p],
                        agglo_ctx_errmsg(ctx));
            goto fail;
        }
        if (!(d->ineq[p]->period = agglo_strdup(ctx, d->periods[p])))
            goto fail;
    }
    agglo_strings_free(gl, ng);
    free(tc);
    free(gc);
    free(sg);
    free(sy);
    free(y);
    return d;
fail:
    if (gl)
        agglo_strings_free(gl, ng);
    free(tc);
    free(gc);
    free(sg);
    free(sy);
    free(y);
    agglo_distribution_free(d);
    return NULL;
}
