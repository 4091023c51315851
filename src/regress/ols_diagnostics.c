/* OLS diagnostics as GeoDa and spreg print them: the multicollinearity condition number,
 * Jarque-Bera normality, Breusch-Pagan and Koenker-Bassett heteroskedasticity (lmtest bptest
 * with studentize = FALSE / TRUE), White's test (Koenker's form on the regressors, their
 * squares and cross products). Formulas: docs/regression.md. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "regress_internal.h"

/* Fitted values of the regression of v on the columns of Z (n x q), dropping columns that
 * are linear combinations of earlier ones (modified Gram-Schmidt, twice). *rank receives the
 * number of columns kept. */
static int aux_fitted(const double *Z, size_t n, size_t q, const double *v, double *fit,
                      size_t *rank)
{
    size_t nq = n * q;
    double *Q = malloc((nq ? nq : 1) * sizeof(double));
    if (!Q)
        return -1;
    size_t r = 0;
    for (size_t j = 0; j < q; j++) {
        double *c = Q + r * n;
        memcpy(c, Z + j * n, n * sizeof(double));
        double norm0 = 0;
        for (size_t t = 0; t < n; t++)
            norm0 += c[t] * c[t];
        for (int pass = 0; pass < 2; pass++)
            for (size_t k = 0; k < r; k++) {
                const double *qk = Q + k * n;
                double d = 0;
                for (size_t t = 0; t < n; t++)
                    d += qk[t] * c[t];
                for (size_t t = 0; t < n; t++)
                    c[t] -= d * qk[t];
            }
        double norm = 0;
        for (size_t t = 0; t < n; t++)
            norm += c[t] * c[t];
        if (!(norm > 1e-18 * norm0) || norm == 0)
            continue;
        norm = sqrt(norm);
        for (size_t t = 0; t < n; t++)
            c[t] /= norm;
        r++;
    }
    memset(fit, 0, n * sizeof(double));
    for (size_t k = 0; k < r; k++) {
        const double *qk = Q + k * n;
        double d = 0;
        for (size_t t = 0; t < n; t++)
            d += qk[t] * v[t];
        for (size_t t = 0; t < n; t++)
            fit[t] += d * qk[t];
    }
    free(Q);
    *rank = r;
    return 0;
}

static double sumsq(const double *v, size_t n)
{
    double s = 0;
    for (size_t t = 0; t < n; t++)
        s += v[t] * v[t];
    return s;
}

int rg_ols_diagnostics(agglo_ctx *ctx, const double *X, size_t n, size_t p, const rg_ols *o,
                       agglo_regress_result *r)
{
    const double *e = o->resid;
    double dn = (double)n;
    /* condition number: sqrt(max/min eigenvalue) of X'X scaled to unit diagonal */
    double *c = malloc(p * p * sizeof(double)), *ev = malloc(p * sizeof(double));
    if (!c || !ev) {
        free(c);
        free(ev);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    rg_crossprod(X, n, p, X, p, c);
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < p; i++)
            if (i != j)
                c[i + j * p] /= sqrt(c[i + i * p] * c[j + j * p]);
    for (size_t j = 0; j < p; j++)
        c[j + j * p] = 1.0;
    if (LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)p, c, (lapack_int)p, ev) == 0)
        r->cond = sqrt(ev[p - 1] / ev[0]);
    else
        r->cond = NAN;
    free(c);
    free(ev);
    /* Jarque-Bera from the residual moments */
    double m2 = 0, m3 = 0, m4 = 0;
    for (size_t t = 0; t < n; t++) {
        double e2 = e[t] * e[t];
        m2 += e2;
        m3 += e2 * e[t];
        m4 += e2 * e2;
    }
    m2 /= dn;
    m3 /= dn;
    m4 /= dn;
    double S = m3 / pow(m2, 1.5), K = m4 / (m2 * m2);
    r->jb = dn * (S * S / 6.0 + (K - 3.0) * (K - 3.0) / 24.0);
    r->jb_p = agglo_pchisq_upper(r->jb, 2);
    /* Breusch-Pagan and Koenker-Bassett on Z = X */
    double *g = calloc(n, sizeof(double)), *fit = calloc(n, sizeof(double));
    size_t q = p + p * (p - 1) / 2 + (p - 1);
    double *Z = malloc(n * (q + 1) * sizeof(double));
    if (!g || !fit || !Z) {
        free(g);
        free(fit);
        free(Z);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    double s2 = o->sse / dn;
    size_t rank;
    for (size_t t = 0; t < n; t++)
        g[t] = e[t] * e[t] / s2 - 1.0;
    int bad = aux_fitted(X, n, p, g, fit, &rank);
    r->bp = 0.5 * sumsq(fit, n);
    r->bp_df = (int)rank - 1;
    r->bp_p = agglo_pchisq_upper(r->bp, r->bp_df);
    for (size_t t = 0; t < n; t++)
        g[t] = e[t] * e[t] - s2;
    bad |= aux_fitted(X, n, p, g, fit, &rank);
    r->kb = dn * sumsq(fit, n) / sumsq(g, n);
    r->kb_p = agglo_pchisq_upper(r->kb, r->bp_df);
    /* White: X (with its constant, assumed column 0), squares and cross products of the others */
    memcpy(Z, X, n * p * sizeof(double));
    size_t nz = p;
    for (size_t a = 1; a < p; a++)
        for (size_t b = a; b < p; b++, nz++)
            for (size_t t = 0; t < n; t++)
                Z[t + nz * n] = X[t + a * n] * X[t + b * n];
    bad |= aux_fitted(Z, n, nz, g, fit, &rank);
    r->white = dn * sumsq(fit, n) / sumsq(g, n);
    r->white_df = (int)rank - 1;
    r->white_p = agglo_pchisq_upper(r->white, r->white_df);
    free(g);
    free(fit);
    free(Z);
    if (bad)
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    return AGGLO_OK;
}
