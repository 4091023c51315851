/* Dagum (1997) Gini decomposition by groups into within, net between and transvariation
 * contributions, and the Theil index with its within/between decomposition. */
#include "detect_internal.h"
#include "../core/core_internal.h"
#include "agglo/inequality.h"
#include "agglo/layer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void agglo_dagum_free(agglo_dagum *d)
{
    if (!d)
        return;
    free(d->period);
    if (d->groups)
        agglo_strings_free(d->groups, d->ngroups);
    free(d->count);
    free(d->mean);
    free(d->Gjj);
    free(d->Gjh);
    free(d->Djh);
    free(d);
}

void agglo_dagum_free_all(agglo_dagum **d, size_t n)
{
    if (!d)
        return;
    for (size_t i = 0; i < n; i++)
        agglo_dagum_free(d[i]);
    free(d);
}

agglo_dagum *agglo_dagum_compute(agglo_ctx *ctx, const double *y, const int *group, size_t n,
                                 const char *const *labels, size_t ngroups)
{
    if (n < 2 || ngroups < 1) {
        agglo_error(ctx, AGGLO_E_EMPTY, "dagum: fewer than 2 observations");
        return NULL;
    }
    size_t k = ngroups;
    agglo_dagum *d = agglo_calloc(ctx, 1, sizeof *d);
    if (!d)
        return NULL;
    d->n = n;
    d->ngroups = k;
    d->groups = agglo_calloc(ctx, k, sizeof *d->groups);
    d->count = agglo_calloc(ctx, k, sizeof *d->count);
    d->mean = agglo_calloc(ctx, k, sizeof *d->mean);
    d->Gjj = agglo_calloc(ctx, k, sizeof *d->Gjj);
    d->Gjh = agglo_calloc(ctx, k * k, sizeof *d->Gjh);
    d->Djh = agglo_calloc(ctx, k * k, sizeof *d->Djh);
    /* sums of |differences| and positive parts between groups j and h */
    double *sabs = agglo_calloc(ctx, k * k, sizeof *sabs);
    double *spos = agglo_calloc(ctx, k * k, sizeof *spos); /* sum (y_j - y_h)_+ */
    double *sum = agglo_calloc(ctx, k, sizeof *sum);
    if (!d->groups || !d->count || !d->mean || !d->Gjj || !d->Gjh || !d->Djh || !sabs || !spos ||
        !sum)
        goto fail;
    for (size_t j = 0; j < k; j++)
        if (!(d->groups[j] = agglo_strdup(ctx, labels[j])))
            goto fail;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        if (group[i] < 0 || (size_t)group[i] >= k || !isfinite(y[i])) {
            agglo_error(ctx, AGGLO_E_USAGE, "dagum: bad value or group at row %zu", i + 1);
            goto fail;
        }
        d->count[group[i]]++;
        sum[group[i]] += y[i];
        total += y[i];
    }
    d->mean_all = total / (double)n;
    if (!(d->mean_all > 0)) {
        agglo_error(ctx, AGGLO_E_NUMERIC, "dagum: the mean is not positive");
        goto fail;
    }
    for (size_t j = 0; j < k; j++)
        d->mean[j] = d->count[j] ? sum[j] / (double)d->count[j] : NAN;
    for (size_t i = 0; i < n; i++)
        for (size_t r = 0; r < n; r++) {
            double diff = y[i] - y[r];
            size_t a = (size_t)group[i], b = (size_t)group[r];
            sabs[a * k + b] += fabs(diff);
            if (diff > 0)
                spos[a * k + b] += diff;
        }
    double gsum = 0;
    for (size_t j = 0; j < k; j++)
        for (size_t h = 0; h < k; h++)
            gsum += sabs[j * k + h];
    double nn = (double)n, m = d->mean_all;
    d->G = gsum / (2 * nn * nn * m);
    d->Gw = d->Gnb = d->Gt = 0;
    for (size_t j = 0; j < k; j++) {
        double nj = (double)d->count[j];
        if (!d->count[j]) {
            d->Gjj[j] = NAN;
            continue;
        }
        double pj = nj / nn, sj = nj * d->mean[j] / (nn * m);
        d->Gjj[j] = sabs[j * k + j] / (2 * nj * nj * d->mean[j]);
        d->Gjh[j * k + j] = d->Gjj[j];
        d->Djh[j * k + j] = NAN;
        d->Gw += d->Gjj[j] * pj * sj;
    }
    for (size_t j = 0; j < k; j++)
        for (size_t h = j + 1; h < k; h++) {
            if (!d->count[j] || !d->count[h])
                continue;
            double nj = (double)d->count[j], nh = (double)d->count[h];
            double gjh = sabs[j * k + h] / (nj * nh * (d->mean[j] + d->mean[h]));
            /* d: positive differences of the richer group over the poorer; p: the reverse */
            size_t hi = d->mean[j] >= d->mean[h] ? j : h, lo = hi == j ? h : j;
            double djh = spos[hi * k + lo], pjh = spos[lo * k + hi];
            double D = djh + pjh > 0 ? (djh - pjh) / (djh + pjh) : 0;
            double pj = nj / nn, ph = nh / nn;
            double sj = nj * d->mean[j] / (nn * m), sh = nh * d->mean[h] / (nn * m);
            double w = gjh * (pj * sh + ph * sj);
            d->Gjh[j * k + h] = d->Gjh[h * k + j] = gjh;
            d->Djh[j * k + h] = d->Djh[h * k + j] = D;
            d->Gnb += w * D;
            d->Gt += w * (1 - D);
        }
    /* Theil */
    double th = 0;
    int pos = 1;
    for (size_t i = 0; i < n; i++) {
        if (!(y[i] > 0)) {
            pos = 0;
            break;
        }
        double r = y[i] / m;
        th += r * log(r);
    }
    if (pos) {
        d->theil = th / nn;
        double tw = 0, tb = 0;
        double *tj = sum; /* reuse: within-group Theil sums */
        for (size_t j = 0; j < k; j++)
            tj[j] = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = (size_t)group[i];
            double r = y[i] / d->mean[j];
            tj[j] += r * log(r);
        }
        for (size_t j = 0; j < k; j++) {
            if (!d->count[j])
                continue;
            double nj = (double)d->count[j], sj = nj * d->mean[j] / (nn * m);
            tw += sj * tj[j] / nj;
            tb += sj * log(d->mean[j] / m);
        }
        d->theil_within = tw;
        d->theil_between = tb;
    } else {
        d->theil = d->theil_within = d->theil_between = NAN;
    }
    free(sabs);
    free(spos);
    free(sum);
    return d;
fail:
    free(sabs);
    free(spos);
    free(sum);
    agglo_dagum_free(d);
    return NULL;
}
