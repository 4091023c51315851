/* The full GWR fit and its diagnostics: local estimates, standard errors, t, influence,
 * Cook's distance, local R2, condition numbers, the global regression's summary. */
#define _GNU_SOURCE
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../core/core_internal.h"
#include "gwr_internal.h"

void agglo_gwr_result_free(agglo_gwr_result *r)
{
    if (!r)
        return;
    if (r->names)
        for (size_t j = 0; j < r->p; j++)
            free(r->names[j]);
    free(r->names);
    free(r->beta);
    free(r->se);
    free(r->tval);
    free(r->yhat);
    free(r->resid);
    free(r->std_resid);
    free(r->influence);
    free(r->cooks_d);
    free(r->local_r2);
    free(r->cond);
    free(r->singular);
    free(r->g_beta);
    free(r->g_se);
    free(r->g_t);
    free(r->coef_summary);
    free(r);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile7(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

/* Mean, sd (n - 1), min, quartiles (R's type 7) and max of v[0..c-1] into cs[7]; sorts v,
 * tmp: c doubles of scratch. */
void agglo__gwr_coef_summary(double *v, size_t c, double *tmp, double *cs)
{
    double mean = agglo_sum(v, c) / (double)c;
    for (size_t k = 0; k < c; k++)
        tmp[k] = (v[k] - mean) * (v[k] - mean);
    cs[0] = mean;
    cs[1] = c > 1 ? sqrt(agglo_sum(tmp, c) / (double)(c - 1)) : NAN;
    qsort(v, c, sizeof(double), cmp_double);
    cs[2] = v[0];
    cs[3] = quantile7(v, c, 0.25);
    cs[4] = quantile7(v, c, 0.5);
    cs[5] = quantile7(v, c, 0.75);
    cs[6] = v[c - 1];
}

/* Global regression diagnostics into r. */
static int global_diagnostics(agglo_ctx *ctx, const agglo_gwr_model *m, agglo_gwr_result *r,
                              double *tmp)
{
    size_t n = m->n, p = m->p;
    double dn = (double)n, dp = (double)p;
    double *Ainv = agglo_malloc(ctx, p * p * sizeof(double));
    if (!Ainv)
        return AGGLO_E_NOMEM;
    int rc = agglo__gwr_global_fit(ctx, m, r->g_beta, Ainv);
    if (rc) {
        free(Ainv);
        return rc;
    }
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        double *cvt = agglo_malloc(ctx, n * sizeof(double));
        if (!cvt) {
            free(Ainv);
            return AGGLO_E_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            const double *xi = m->X + i * p;
            double yh = 0, h = 0;
            for (size_t a = 0; a < p; a++) {
                yh += xi[a] * r->g_beta[a];
                double t = 0;
                for (size_t c = 0; c < p; c++)
                    t += Ainv[a + c * p] * xi[c];
                h += xi[a] * t;
            }
            double e = m->y[i] - yh;
            tmp[i] = e * e;
            cvt[i] = (e / (1.0 - h)) * (e / (1.0 - h));
        }
        double rss = agglo_sum(tmp, n);
        r->g_rss = rss;
        r->g_cv = agglo_sum(cvt, n) / dn;
        free(cvt);
        r->g_sigma_ml = sqrt(rss / dn);
        r->g_sigma = sqrt(rss / (dn - dp));
        r->g_llf = -0.5 * dn * (log(2.0 * M_PI * rss / dn) + 1.0);
        r->g_aic = -2.0 * r->g_llf + 2.0 * (dp + 1.0);
        r->g_aicc = -2.0 * r->g_llf + 2.0 * dn * (dp + 1.0) / (dn - dp - 2.0);
        r->g_bic = -2.0 * r->g_llf + (dp + 1.0) * log(dn);
        double ym = agglo_sum(m->y, n) / dn;
        for (size_t i = 0; i < n; i++)
            tmp[i] = (m->y[i] - ym) * (m->y[i] - ym);
        double tss = agglo_sum(tmp, n);
        r->g_r2 = 1.0 - rss / tss;
        r->g_adj_r2 = 1.0 - (1.0 - r->g_r2) * (dn - 1.0) / (dn - dp - 1.0);
        r->g_deviance = rss;
        for (size_t a = 0; a < p; a++) {
            r->g_se[a] = sqrt(r->g_sigma * r->g_sigma * Ainv[a + a * p]);
            r->g_t[a] = r->g_beta[a] / r->g_se[a];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            const double *xi = m->X + i * p;
            double eta = m->loff ? m->loff[i] : 0.0;
            for (size_t a = 0; a < p; a++)
                eta += xi[a] * r->g_beta[a];
            tmp[i] = agglo__gwr_dev_term(m->o.family, m->y[i], glm_mu(m->o.family, eta));
        }
        double dev = agglo_sum(tmp, n);
        r->g_deviance = dev;
        r->g_aic = dev + 2.0 * dp;
        r->g_aicc = r->g_aic + 2.0 * dp * (dp + 1.0) / (dn - dp - 1.0);
        r->g_bic = dev + dp * log(dn);
        r->g_rss = r->g_sigma = r->g_sigma_ml = r->g_llf = r->g_cv = r->g_r2 = r->g_adj_r2 = NAN;
        for (size_t a = 0; a < p; a++) {
            r->g_se[a] = sqrt(Ainv[a + a * p]);
            r->g_t[a] = r->g_beta[a] / r->g_se[a];
        }
    }
    free(Ainv);
    return AGGLO_OK;
}

agglo_gwr_result *agglo_gwr_fit(agglo_ctx *ctx, agglo_gwr_model *m, double bw)
{
    if (agglo__gwr_check_bw(ctx, m, bw))
        return NULL;
    if (!m->o.fixed)
        bw = floor(bw);
    size_t n = m->n, p = m->p;
    double dn = (double)n, dp = (double)p;
    agglo_gwr_result *r = agglo_calloc(ctx, 1, sizeof *r);
    if (!r)
        return NULL;
    r->n = n;
    r->p = p;
    r->family = m->o.family;
    r->kernel = m->o.kernel;
    r->fixed = m->o.fixed;
    r->bandwidth = bw;
    r->names = agglo_calloc(ctx, p, sizeof(char *));
    r->beta = agglo_malloc(ctx, n * p * sizeof(double));
    r->se = agglo_malloc(ctx, n * p * sizeof(double));
    r->tval = agglo_malloc(ctx, n * p * sizeof(double));
    r->yhat = agglo_malloc(ctx, n * sizeof(double));
    r->resid = agglo_malloc(ctx, n * sizeof(double));
    r->std_resid = agglo_malloc(ctx, n * sizeof(double));
    r->influence = agglo_malloc(ctx, n * sizeof(double));
    r->cooks_d = agglo_malloc(ctx, n * sizeof(double));
    r->local_r2 = agglo_malloc(ctx, n * sizeof(double));
    r->cond = agglo_malloc(ctx, n * sizeof(double));
    r->singular = agglo_calloc(ctx, n, 1);
    r->g_beta = agglo_malloc(ctx, p * sizeof(double));
    r->g_se = agglo_malloc(ctx, p * sizeof(double));
    r->g_t = agglo_malloc(ctx, p * sizeof(double));
    r->coef_summary = agglo_malloc(ctx, p * 7 * sizeof(double));
    /* internal-order work arrays */
    double *wk = agglo_malloc(ctx, (n * (2 * p + 9)) * sizeof(double));
    unsigned char *sing = agglo_calloc(ctx, n, 1);
    if (!r->names || !r->beta || !r->se || !r->tval || !r->yhat || !r->resid || !r->std_resid ||
        !r->influence || !r->cooks_d || !r->local_r2 || !r->cond || !r->singular || !r->g_beta ||
        !r->g_se || !r->g_t || !r->coef_summary || !wk || !sing)
        goto fail;
    for (size_t j = 0; j < p; j++) {
        r->names[j] = agglo_strdup(ctx, m->names[j]);
        if (!r->names[j])
            goto fail;
    }
    pass_arrays a;
    a.beta = wk;
    a.cct = wk + n * p;
    a.yhat = wk + 2 * n * p;
    a.hat = a.yhat + n;
    a.sts = a.hat + n;
    a.cond = a.sts + n;
    a.sw = a.cond + n;
    a.swy = a.sw + n;
    a.swy2 = a.swy + n;
    double *tmp = a.swy2 + n, *tmp2 = tmp + n;
    a.singular = sing;
    size_t ns = 0;
    if (agglo__gwr_run_pass(ctx, m, bw, 1, &a, &ns))
        goto fail;
    r->nsingular = ns;
    if (ns == n) {
        agglo_error(ctx, AGGLO_E_SINGULAR,
                    "gwr: every local regression is singular at bandwidth %g (too few "
                    "neighbours or collinear covariates); use a larger bandwidth",
                    bw);
        goto fail;
    }
    if (ns > 0) {
        char list[256];
        size_t len = 0, shown = 0;
        list[0] = '\0';
        size_t *ids = malloc(ns * sizeof(size_t));
        if (ids) {
            size_t c2 = 0;
            for (size_t i = 0; i < n; i++)
                if (sing[i])
                    ids[c2++] = m->orig[i];
            qsort(ids, c2, sizeof(size_t), cmp_size);
            for (size_t t = 0; t < c2 && shown < 10 && len < sizeof list; t++) {
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%zu", shown ? ", " : "",
                                        ids[t] + 1);
                shown++;
            }
            free(ids);
        }
        agglo_warn(ctx,
                   "gwr: %zu local regression(s) singular at bandwidth %g (observations %s%s): "
                   "too few neighbours or locally collinear covariates; their estimates are NaN "
                   "and the diagnostics use the other observations",
                   ns, bw, list, ns > shown ? ", ..." : "");
    }
    /* residuals, global sums over non-singular observations */
    size_t nok = n - ns;
    double *e = tmp; /* internal order residuals */
    size_t c = 0;
    double *buf1 = tmp2;
    for (size_t i = 0; i < n; i++)
        e[i] = sing[i] ? NAN : m->y[i] - a.yhat[i];
    /* tr(S), tr(S'S), RSS */
    c = 0;
    for (size_t i = 0; i < n; i++)
        if (!sing[i])
            buf1[c++] = a.hat[i];
    r->tr_s = agglo_sum(buf1, c);
    c = 0;
    for (size_t i = 0; i < n; i++)
        if (!sing[i])
            buf1[c++] = a.sts[i];
    r->tr_sts = agglo_sum(buf1, c);
    double dno = (double)nok;
    double trs = r->tr_s, trsts = r->tr_sts;
    r->df_model = dno - trs;
    r->df_resid = dno - 2.0 * trs + trsts;
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = e[i] * e[i];
        double rss = agglo_sum(buf1, c);
        r->rss = rss;
        r->sigma_ml = sqrt(rss / dno);
        r->sigma = sqrt(rss / r->df_resid);
        r->sigma2_se = m->o.sigma2_ml_df ? rss / (dno - trs) : rss / r->df_resid;
        r->enp = m->o.sigma2_ml_df ? trs : 2.0 * trs - trsts;
        r->llf = -0.5 * dno * (log(2.0 * M_PI * rss / dno) + 1.0);
        r->aic = -2.0 * r->llf + 2.0 * (trs + 1.0);
        r->aicc = -2.0 * r->llf + 2.0 * dno * (trs + 1.0) / (dno - trs - 2.0);
        r->bic = -2.0 * r->llf + (trs + 1.0) * log(dno);
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i]) {
                double t = e[i] / (1.0 - a.hat[i]);
                buf1[c++] = t * t;
            }
        r->cv = agglo_sum(buf1, c) / dno;
        c = 0;
        double ym = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = m->y[i];
        ym = agglo_sum(buf1, c) / dno;
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = (m->y[i] - ym) * (m->y[i] - ym);
        double tss = agglo_sum(buf1, c);
        r->r2 = 1.0 - rss / tss;
        if (rss <= 1e-20 * tss)
            agglo_warn(ctx,
                       "gwr: the local regressions reproduce the response exactly (RSS %g, "
                       "total sum of squares %g): standard errors and t values are numerically "
                       "degenerate",
                       rss, tss);
        r->adj_r2 = 1.0 - (1.0 - r->r2) * (dno - 1.0) / (dno - r->enp - 1.0);
        r->deviance = rss;
        r->null_deviance = tss;
        r->pct_dev = r->r2;
    } else {
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = agglo__gwr_dev_term(m->o.family, m->y[i], a.yhat[i]);
        double dev = agglo_sum(buf1, c);
        r->deviance = dev;
        r->sigma2_se = 1.0;
        r->enp = m->o.sigma2_ml_df ? trs : 2.0 * trs - trsts;
        r->aic = dev + 2.0 * trs;
        r->aicc = r->aic + 2.0 * trs * (trs + 1.0) / (dno - trs - 1.0);
        r->bic = dev + trs * log(dno);
        r->llf = r->rss = r->sigma = r->sigma_ml = r->cv = r->r2 = r->adj_r2 = NAN;
        /* null deviance: intercept + offset model, mu_i = offset_i * sum(y) / sum(offset) */
        double sy = 0, so = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i]) {
                sy += m->y[i];
                so += m->loff ? exp(m->loff[i]) : 1.0;
            }
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = agglo__gwr_dev_term(m->o.family, m->y[i], (m->loff ? exp(m->loff[i]) : 1.0) * sy / so);
        r->null_deviance = agglo_sum(buf1, c);
        r->pct_dev = 1.0 - dev / r->null_deviance;
    }
    static const double alphas[3] = {0.1, 0.05, 0.001};
    for (int t = 0; t < 3; t++)
        r->adj_alpha[t] = alphas[t] * dp / r->enp;
    r->critical_t = agglo_t_critical(r->adj_alpha[1], dn - 1.0);

    /* local R2 (Gaussian): second pass for sum_j w_ij e_j^2 */
    double *swe2 = buf1;
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        int nomem = 0;
        int nth = agglo_threads_for(ctx);
        (void)nth;
        agglo__core_part part = agglo__core_mpi_partition(n);
        size_t plo = part.lo, phi = part.hi;
#ifdef _OPENMP
#pragma omp parallel num_threads(nth)
#endif
        {
            scratch s;
            int ok = agglo__gwr_scratch_init(&s, m) == 0;
            if (!ok) {
                AGGLO_FLAG_SET(nomem);
            }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 32)
#endif
            for (size_t i = plo; i < phi; i++) {
                if (!ok)
                    continue;
                if (sing[i]) {
                    swe2[i] = NAN;
                    continue;
                }
                agglo__gwr_neighbours(m, m->cx[i], m->cy[i], bw, &s.nb, 1);
                double v = 0, tss = 0, ybar = a.swy[i] / a.sw[i];
                for (size_t t = 0; t < s.nb.nn; t++) {
                    size_t j = s.nb.idx[t];
                    double ej = e[j], dy = m->y[j] - ybar;
                    if (!isnan(ej))
                        v += s.nb.w[t] * ej * ej;
                    tss += s.nb.w[t] * dy * dy;
                }
                swe2[i] = v;
                a.swy2[i] = tss;
            }
            agglo__gwr_scratch_free(&s);
        }
        if (part.size > 1) {
            nomem = (int)agglo__core_mpi_allsum(&part, (size_t)nomem, 1);
            if (agglo__core_mpi_allgather(&part, n, swe2, 1, 0) || agglo__core_mpi_allgather(&part, n, a.swy2, 1, 0)) {
                agglo_error(ctx, AGGLO_E_NUMERIC, "gwr: MPI communication failed");
                goto fail;
            }
        }
        if (nomem) {
            agglo_error(ctx, AGGLO_E_NOMEM, "gwr: out of memory");
            goto fail;
        }
    }
    /* per observation, back to the caller's order and scale */
    for (size_t i = 0; i < n; i++) {
        size_t t = m->orig[i];
        r->singular[t] = sing[i];
        double h = a.hat[i];
        for (size_t j = 0; j < p; j++) {
            double b = a.beta[i * p + j], se = sqrt(a.cct[i * p + j] * r->sigma2_se);
            r->beta[t * p + j] = b;
            r->se[t * p + j] = se;
            r->tval[t * p + j] = b / se;
        }
        r->influence[t] = h;
        r->cond[t] = a.cond[i];
        if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
            r->yhat[t] = a.yhat[i];
            r->resid[t] = e[i];
            double sr = e[i] / sqrt(r->sigma2_se * (1.0 - h));
            r->std_resid[t] = sr;
            r->cooks_d[t] = sr * sr * h / (trs * (1.0 - h));
            double tss = a.swy2[i];
            r->local_r2[t] = sing[i] ? NAN : (tss - swe2[i]) / tss;
        } else {
            r->yhat[t] = a.yhat[i];
            r->resid[t] = sing[i] ? NAN : m->y[i] - a.yhat[i];
            /* Pearson residual scaled by the leverage */
            double sr = r->resid[t] / sqrt(glm_var(m->o.family, a.yhat[i]) * (1.0 - h));
            r->std_resid[t] = sr;
            r->cooks_d[t] = sr * sr * h / (trs * (1.0 - h));
            r->local_r2[t] = NAN;
        }
    }
    /* back-transform standardised estimates? No: with standardize the coefficients are on
     * the standardised scale (as mgwr); fitted values and residuals go back to y's scale. */
    if (m->o.standardize && m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        for (size_t t = 0; t < n; t++) {
            r->yhat[t] = r->yhat[t] * m->ysd + m->ymean;
            r->resid[t] *= m->ysd;
        }
    }
    if (global_diagnostics(ctx, m, r, tmp))
        goto fail;
    /* coefficient summaries */
    for (size_t j = 0; j < p; j++) {
        c = 0;
        for (size_t t = 0; t < n; t++)
            if (!r->singular[t])
                tmp[c++] = r->beta[t * p + j];
        agglo__gwr_coef_summary(tmp, c, tmp2, r->coef_summary + j * 7);
    }
    free(wk);
    free(sing);
    return r;
fail:
    free(wk);
    free(sing);
    agglo_gwr_result_free(r);
    return NULL;
}

void agglo_gwr_significance_counts(const agglo_gwr_result *r, size_t *pos, size_t *neg)
{
    for (size_t j = 0; j < r->p; j++) {
        pos[j] = neg[j] = 0;
        for (size_t i = 0; i < r->n; i++) {
            double tv = r->tval[i * r->p + j];
            if (fabs(tv) > r->critical_t)
                *(tv > 0 ? &pos[j] : &neg[j]) += 1;
        }
    }
}
