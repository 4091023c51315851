/* GWR model set-up: options, names, the model (data in the grid's internal order,
 * standardisation, the spatial index) and the global regression it starts from. */
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

void agglo_gwr_options_init(agglo_gwr_options *o)
{
    memset(o, 0, sizeof *o);
    o->family = AGGLO_GWR_FAMILY_GAUSSIAN;
    o->kernel = AGGLO_GWR_BISQUARE;
    o->criterion = AGGLO_GWR_AICC;
    o->search = AGGLO_GWR_GOLDEN;
    o->sigma2_ml_df = 1;
}

const char *agglo_gwr_kernel_name(agglo_gwr_kernel k)
{
    switch (k) {
    case AGGLO_GWR_BISQUARE: return "bisquare";
    case AGGLO_GWR_GAUSSIAN: return "gaussian";
    case AGGLO_GWR_EXPONENTIAL: return "exponential";
    case AGGLO_GWR_BOXCAR: return "boxcar";
    case AGGLO_GWR_TRICUBE: return "tricube";
    }
    return "?";
}

const char *agglo_gwr_criterion_name(agglo_gwr_criterion c)
{
    switch (c) {
    case AGGLO_GWR_AICC: return "AICc";
    case AGGLO_GWR_AIC: return "AIC";
    case AGGLO_GWR_BIC: return "BIC";
    case AGGLO_GWR_CV: return "CV";
    }
    return "?";
}

int agglo__gwr_kernel_bounded(agglo_gwr_kernel k)
{
    return k == AGGLO_GWR_BISQUARE || k == AGGLO_GWR_BOXCAR || k == AGGLO_GWR_TRICUBE;
}

/* GLM pieces: mean from the linear predictor (offset included) and variance function. */
void agglo_gwr_model_free(agglo_gwr_model *m)
{
    if (!m)
        return;
    free(m->X);
    free(m->xcol);
    free(m->y);
    free(m->loff);
    free(m->cx);
    free(m->cy);
    free(m->orig);
    if (m->names)
        for (size_t j = 0; j < m->p; j++)
            free(m->names[j]);
    free(m->names);
    free(m->xmean);
    free(m->xsd);
    free(m->gbeta);
    agglo__index_grid_free(&m->grid);
    agglo_kdtree_free(m->tree);
    free(m->mom);
    free(m);
}

/* Global fit (OLS or Poisson GLM) on the model's data: beta (p), and Ainv (p x p). */
int agglo__gwr_global_fit(agglo_ctx *ctx, const agglo_gwr_model *m, double *beta, double *Ainv)
{
    size_t n = m->n, p = m->p, pp = p * p;
    scratch s;
    if (agglo__gwr_scratch_init(&s, m))
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    int rc = AGGLO_OK;
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        memset(s.A, 0, pp * sizeof(double));
        memset(beta, 0, p * sizeof(double));
        for (size_t j = 0; j < n; j++) {
            acc_outer(s.A, m->X + j * p, 1.0, p);
            for (size_t a = 0; a < p; a++)
                beta[a] += m->X[j * p + a] * m->y[j];
        }
        if (agglo__core_chol_factor(s.A, s.s, p, s.tmp, RCOND_MIN)) {
            rc = agglo_error(ctx, AGGLO_E_SINGULAR,
                             "the global regression is singular: the covariates are collinear "
                             "or constant");
            goto done;
        }
        agglo__core_chol_solve(s.A, s.s, p, beta);
    } else {
        /* start as R's glm: mu = y + 0.1 */
        double *b = s.b;
        int conv = 0;
        for (int it = 0; it < 100 && !conv; it++) {
            memset(s.A, 0, pp * sizeof(double));
            memset(b, 0, p * sizeof(double));
            for (size_t j = 0; j < n; j++) {
                const double *xj = m->X + j * p;
                double lo = m->loff ? m->loff[j] : 0.0, mu, eta;
                agglo_gwr_family fam = m->o.family;
                if (it == 0) { /* R's glm starting values */
                    if (fam == AGGLO_GWR_FAMILY_BINOMIAL) {
                        mu = (m->y[j] + 0.5) / 2.0;
                        eta = log(mu / (1.0 - mu));
                    } else {
                        mu = m->y[j] + 0.1;
                        eta = log(mu) - lo;
                    }
                } else {
                    eta = 0;
                    for (size_t a = 0; a < p; a++)
                        eta += xj[a] * beta[a];
                    mu = glm_mu(fam, eta + lo);
                }
                double v = glm_var(fam, mu);
                if (!(v > 0)) {
                    rc = agglo_error(ctx, AGGLO_E_NUMERIC,
                                     "the global regression diverges (fitted probabilities 0 or "
                                     "1: the response is separated by the covariates)");
                    goto done;
                }
                double zj = eta + (m->y[j] - mu) / v;
                acc_outer(s.A, xj, v, p);
                for (size_t a = 0; a < p; a++)
                    b[a] += v * zj * xj[a];
            }
            if (agglo__core_chol_factor(s.A, s.s, p, s.tmp, RCOND_MIN)) {
                rc = agglo_error(ctx, AGGLO_E_SINGULAR,
                                 "the global GLM regression is singular or diverges");
                goto done;
            }
            agglo__core_chol_solve(s.A, s.s, p, b);
            double dmax = 0, bmax = 0;
            for (size_t a = 0; a < p; a++) {
                double d = it == 0 ? INFINITY : fabs(b[a] - beta[a]);
                if (d > dmax)
                    dmax = d;
                if (fabs(b[a]) > bmax)
                    bmax = fabs(b[a]);
                beta[a] = b[a];
            }
            if (it > 0 && dmax <= 1e-12 * (1.0 + bmax))
                conv = 1;
        }
        if (!conv) {
            rc = agglo_error(ctx, AGGLO_E_NUMERIC,
                             "the global GLM regression did not converge in 100 iterations");
            goto done;
        }
        memset(s.A, 0, pp * sizeof(double));
        for (size_t j = 0; j < n; j++) {
            const double *xj = m->X + j * p;
            double eta = 0;
            for (size_t a = 0; a < p; a++)
                eta += xj[a] * beta[a];
            acc_outer(s.A, xj,
                      glm_var(m->o.family, glm_mu(m->o.family, eta + (m->loff ? m->loff[j] : 0.0))),
                      p);
        }
        if (agglo__core_chol_factor(s.A, s.s, p, s.tmp, RCOND_MIN)) {
            rc = agglo_error(ctx, AGGLO_E_SINGULAR, "the global GLM regression is singular");
            goto done;
        }
    }
    if (Ainv)
        agglo__core_chol_inverse(s.tmp, s.s, p, Ainv);
done:
    agglo__gwr_scratch_free(&s);
    return rc;
}

agglo_gwr_model *agglo_gwr_model_create(agglo_ctx *ctx, size_t n, const double *cx,
                                        const double *cy, const double *y,
                                        const double *const *x, size_t k,
                                        const char *const *names, const double *offset,
                                        const agglo_gwr_options *opts)
{
    agglo_gwr_options o;
    if (opts)
        o = *opts;
    else
        agglo_gwr_options_init(&o);
    size_t p = k + 1;
    if (o.family != AGGLO_GWR_FAMILY_GAUSSIAN && o.criterion == AGGLO_GWR_CV) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: the CV criterion is defined for Gaussian GWR only");
        return NULL;
    }
    if ((unsigned)o.family > AGGLO_GWR_FAMILY_BINOMIAL) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: unknown family");
        return NULL;
    }
    if (o.family == AGGLO_GWR_FAMILY_BINOMIAL && offset) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: an offset is for Poisson GWR only");
        return NULL;
    }
    if ((unsigned)o.kernel > AGGLO_GWR_TRICUBE || (unsigned)o.criterion > AGGLO_GWR_CV) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: unknown kernel or criterion");
        return NULL;
    }
    if (n >= (size_t)UINT32_MAX) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: %zu observations exceed the supported 2^32 - 1", n);
        return NULL;
    }
    if (n < p + 2) {
        agglo_error(ctx, AGGLO_E_EMPTY, "gwr: %zu observations are too few for %zu coefficients",
                    n, p);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(cx[i]) || !isfinite(cy[i])) {
            agglo_error(ctx, AGGLO_E_GEOMETRY,
                        "gwr: observation %zu has no coordinates (NULL/empty geometry)", i + 1);
            return NULL;
        }
        if (!isfinite(y[i])) {
            agglo_error(ctx, AGGLO_E_MISSING, "gwr: the response is missing at row %zu", i + 1);
            return NULL;
        }
        for (size_t j = 0; j < k; j++)
            if (!isfinite(x[j][i])) {
                agglo_error(ctx, AGGLO_E_MISSING, "gwr: covariate %s is missing at row %zu",
                            names && names[j] ? names[j] : "?", i + 1);
                return NULL;
            }
        if (o.family == AGGLO_GWR_FAMILY_BINOMIAL && !(y[i] >= 0 && y[i] <= 1)) {
            agglo_error(ctx, AGGLO_E_FORMAT,
                        "gwr: binomial (logistic) response must be 0/1 (or a proportion in "
                        "[0, 1]); row %zu has %g",
                        i + 1, y[i]);
            return NULL;
        }
        if (o.family == AGGLO_GWR_FAMILY_POISSON) {
            if (y[i] < 0 || y[i] != floor(y[i])) {
                agglo_error(ctx, AGGLO_E_FORMAT,
                            "gwr: Poisson response must be a non-negative count; row %zu has %g",
                            i + 1, y[i]);
                return NULL;
            }
            if (offset && !(offset[i] > 0 && isfinite(offset[i]))) {
                agglo_error(ctx, AGGLO_E_FORMAT,
                            "gwr: the offset must be positive; row %zu has %g", i + 1, offset[i]);
                return NULL;
            }
        }
        if (o.great_circle && (fabs(cy[i]) > 90 || fabs(cx[i]) > 360)) {
            agglo_error(ctx, AGGLO_E_CRS,
                        "gwr: great-circle distances need lon/lat degrees; row %zu has (%g, %g)",
                        i + 1, cx[i], cy[i]);
            return NULL;
        }
    }
    if (o.family != AGGLO_GWR_FAMILY_POISSON && n > 0) {
        size_t i = 1;
        while (i < n && y[i] == y[0])
            i++;
        if (i == n) {
            agglo_error(ctx, AGGLO_E_FORMAT,
                        "gwr: the response is constant (every value is %g): there is nothing "
                        "to regress",
                        y[0]);
            return NULL;
        }
    }
    agglo_gwr_model *m = agglo_calloc(ctx, 1, sizeof *m);
    if (!m)
        return NULL;
    m->o = o;
    m->n = n;
    m->p = p;
    m->X = agglo_malloc(ctx, n * p * sizeof(double));
    m->xcol = agglo_malloc(ctx, n * (p - 1) * sizeof(double) + 1);
    m->y = agglo_malloc(ctx, n * sizeof(double));
    m->cx = agglo_malloc(ctx, n * sizeof(double));
    m->cy = agglo_malloc(ctx, n * sizeof(double));
    m->orig = agglo_malloc(ctx, n * sizeof(size_t));
    m->names = agglo_calloc(ctx, p, sizeof(char *));
    m->xmean = agglo_calloc(ctx, p, sizeof(double));
    m->xsd = agglo_calloc(ctx, p, sizeof(double));
    m->gbeta = agglo_calloc(ctx, p, sizeof(double));
    if (o.family == AGGLO_GWR_FAMILY_POISSON && offset)
        m->loff = agglo_malloc(ctx, n * sizeof(double));
    if (!m->X || !m->xcol || !m->y || !m->cx || !m->cy || !m->orig || !m->names || !m->xmean || !m->xsd ||
        !m->gbeta || (o.family == AGGLO_GWR_FAMILY_POISSON && offset && !m->loff))
        goto fail;
    m->names[0] = agglo_strdup(ctx, "Intercept");
    if (!m->names[0])
        goto fail;
    for (size_t j = 0; j < k; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, "x%zu", j + 1);
        m->names[j + 1] = agglo_strdup(ctx, names && names[j] ? names[j] : buf);
        if (!m->names[j + 1])
            goto fail;
    }
    /* order */
    m->use_grid = !o.great_circle;
    if (m->use_grid) {
        if (agglo__index_grid_build(ctx, &m->grid, cx, cy, n, 0) != AGGLO_OK)
            goto fail;
        memcpy(m->orig, m->grid.order, n * sizeof(size_t));
    } else {
        for (size_t i = 0; i < n; i++)
            m->orig[i] = i;
        int on_sphere = 1;
        for (size_t i = 0; i < n; i++)
            on_sphere &= fabs(cy[i]) <= 90.0;
        /* small data: scanning every observation is as fast */
        if (n >= 512 && on_sphere && !(m->tree = agglo_kdtree_build(ctx, cx, cy, n, 1)))
            goto fail;
    }
    /* standardisation */
    m->ymean = 0;
    m->ysd = 1;
    m->xmean[0] = 0;
    m->xsd[0] = 1;
    for (size_t j = 0; j < k; j++) {
        m->xmean[j + 1] = 0;
        m->xsd[j + 1] = 1;
    }
    if (o.standardize) {
        double *tmp = agglo_malloc(ctx, n * sizeof(double));
        if (!tmp)
            goto fail;
        for (size_t j = 0; j <= k; j++) {
            const double *v = j == 0 ? y : x[j - 1];
            if (j == 0 && o.family != AGGLO_GWR_FAMILY_GAUSSIAN)
                continue;
            double mean = agglo_sum(v, n) / (double)n;
            for (size_t i = 0; i < n; i++)
                tmp[i] = (v[i] - mean) * (v[i] - mean);
            double sd = sqrt(agglo_sum(tmp, n) / (double)n);
            if (!(sd > 0)) {
                free(tmp);
                agglo_error(ctx, AGGLO_E_NUMERIC, "gwr: %s is constant and cannot be standardised",
                            j == 0 ? "the response" : m->names[j]);
                goto fail;
            }
            if (j == 0) {
                m->ymean = mean;
                m->ysd = sd;
            } else {
                m->xmean[j] = mean;
                m->xsd[j] = sd;
            }
        }
        free(tmp);
    }
    for (size_t t = 0; t < n; t++) {
        size_t i = m->orig[t];
        m->cx[t] = cx[i];
        m->cy[t] = cy[i];
        m->y[t] = (y[i] - m->ymean) / m->ysd;
        double *row = m->X + t * p;
        row[0] = 1.0;
        for (size_t j = 0; j < k; j++) {
            row[j + 1] = (x[j][i] - m->xmean[j + 1]) / m->xsd[j + 1];
            m->xcol[j * n + t] = row[j + 1];
        }
        if (m->loff)
            m->loff[t] = log(offset[i]);
    }
    if (agglo__gwr_global_fit(ctx, m, m->gbeta, NULL))
        goto fail;
    return m;
fail:
    agglo_gwr_model_free(m);
    return NULL;
}
