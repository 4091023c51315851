/* Ordinary least squares: coefficients through the Cholesky inverse of X'X, the coefficient
 * table (t tests on n - k degrees of freedom) and the fit measures. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "regress_internal.h"

#define LOG_2PI 1.8378770664093453

void rg_ols_free(rg_ols *o)
{
    if (!o)
        return;
    free(o->beta);
    free(o->xtxi);
    free(o->fitted);
    free(o->resid);
    memset(o, 0, sizeof *o);
}

int rg_ols_fit(agglo_ctx *ctx, const double *X, size_t n, size_t p, const double *y, rg_ols *o)
{
    memset(o, 0, sizeof *o);
    if (n <= p)
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "regression: %zu observations for %zu coefficients", n, p);
    o->n = n;
    o->p = p;
    o->beta = calloc(p, sizeof(double));
    o->xtxi = calloc(p * p, sizeof(double));
    o->fitted = calloc(n, sizeof(double));
    o->resid = calloc(n, sizeof(double));
    double *xty = calloc(p, sizeof(double));
    if (!o->beta || !o->xtxi || !o->fitted || !o->resid || !xty) {
        free(xty);
        rg_ols_free(o);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    /* Householder QR of X (as R's lm): beta = R^-1 Q'y, (X'X)^-1 = R^-1 R^-T */
    double *qr = malloc(n * p * sizeof(double)), *tau = malloc(p * sizeof(double));
    double *qty = malloc(n * sizeof(double));
    int rc = (!qr || !tau || !qty) ? agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory")
                                   : AGGLO_OK;
    if (!rc) {
        memcpy(qr, X, n * p * sizeof(double));
        memcpy(qty, y, n * sizeof(double));
        lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)p, qr,
                                         (lapack_int)n, tau);
        if (!info)
            info = LAPACKE_dormqr(LAPACK_COL_MAJOR, 'L', 'T', (lapack_int)n, 1, (lapack_int)p,
                                  qr, (lapack_int)n, tau, qty, (lapack_int)n);
        double rmax = 0;
        for (size_t j = 0; j < p; j++)
            rmax = fmax(rmax, fabs(qr[j + j * n]));
        for (size_t j = 0; j < p && !info; j++)
            if (!(fabs(qr[j + j * n]) > 1e-12 * rmax))
                info = (lapack_int)j + 1;
        if (!info)
            info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', 'N', 'N', (lapack_int)p, 1, qr,
                                  (lapack_int)n, qty, (lapack_int)n);
        if (!info) {
            for (size_t j = 0; j < p; j++) {
                o->beta[j] = qty[j];
                for (size_t i = 0; i <= j; i++)
                    o->xtxi[i + j * p] = qr[i + j * n];
            }
            info = LAPACKE_dpotri(LAPACK_COL_MAJOR, 'U', (lapack_int)p, o->xtxi, (lapack_int)p);
        }
        if (info)
            rc = agglo_error(ctx, AGGLO_E_SINGULAR, "regression: the regressors are collinear "
                             "(column %d depends on the others)", (int)info);
        for (size_t j = 0; j < p && !rc; j++)
            for (size_t i = j + 1; i < p; i++)
                o->xtxi[i + j * p] = o->xtxi[j + i * p];
    }
    free(qr);
    free(tau);
    free(qty);
    free(xty);
    if (rc) {
        rg_ols_free(o);
        return rc;
    }
    double sse = 0;
    for (size_t t = 0; t < n; t++) {
        double f = 0;
        for (size_t j = 0; j < p; j++)
            f += X[t + j * n] * o->beta[j];
        o->fitted[t] = f;
        o->resid[t] = y[t] - f;
        sse += o->resid[t] * o->resid[t];
    }
    o->sse = sse;
    return AGGLO_OK;
}

double rg_loglik(size_t n, double sse)
{
    double dn = (double)n;
    return -0.5 * dn * (LOG_2PI + log(sse / dn) + 1.0);
}

int rg_ols_report(agglo_ctx *ctx, const rg_ols *o, const double *y, agglo_regress_result *r)
{
    (void)ctx;
    size_t n = o->n, p = o->p;
    double df = (double)(n - p), s2 = o->sse / df;
    for (size_t j = 0; j < p; j++) {
        r->coef[j] = o->beta[j];
        r->se[j] = sqrt(s2 * o->xtxi[j + j * p]);
        r->stat[j] = r->coef[j] / r->se[j];
        r->p[j] = agglo_pt_two_sided(r->stat[j], df);
    }
    double mean = 0;
    for (size_t t = 0; t < n; t++)
        mean += y[t];
    mean /= (double)n;
    double sst = 0;
    for (size_t t = 0; t < n; t++)
        sst += (y[t] - mean) * (y[t] - mean);
    r->sse = o->sse;
    r->sigma2 = s2;
    r->r2 = 1.0 - o->sse / sst;
    r->adj_r2 = 1.0 - (1.0 - r->r2) * (double)(n - 1) / df;
    if (p > 1) {
        r->f = (r->r2 / (double)(p - 1)) / ((1.0 - r->r2) / df);
        r->f_p = agglo_pf_upper(r->f, (double)(p - 1), df);
    }
    r->loglik = rg_loglik(n, o->sse);
    /* parameters counted as R's AIC/BIC do: the coefficients and sigma^2 */
    r->aic = -2.0 * r->loglik + 2.0 * (double)(p + 1);
    r->sc = -2.0 * r->loglik + log((double)n) * (double)(p + 1);
    r->loglik_ols = r->loglik;
    r->aic_ols = r->aic;
    return AGGLO_OK;
}
