/* Residual spatial dependence after OLS: Moran's I of the residuals with its normal
 * approximation (Cliff & Ord 1981; spdep lm.morantest) and the Lagrange multiplier tests
 * LM-error, LM-lag, their robust forms and SARMA (Anselin 1988; Anselin, Bera, Florax & Yoon
 * 1996; spdep lm.LMtests). O(nnz(W) k + n k^2): no n x n matrix. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "regress_internal.h"

/* xt = W' x */
static void lag_transpose(const agglo_weights *w, const double *x, double *xt)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *v = agglo_weights_values(w);
    memset(xt, 0, n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        for (size_t k = rp[i]; k < rp[i + 1]; k++)
            xt[col[k]] += v[k] * x[i];
}

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t t = 0; t < n; t++)
        s += a[t] * b[t];
    return s;
}

/* trace of A B for p x p matrices */
static double trace_prod(const double *a, const double *b, size_t p)
{
    double s = 0;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            s += a[i + j * p] * b[j + i * p];
    return s;
}

int rg_lm_tests(agglo_ctx *ctx, const double *X, size_t n, size_t p, const double *y,
                const rg_ols *o, const agglo_weights *w, agglo_regress_result *r)
{
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *v = agglo_weights_values(w);
    double *Z = malloc(n * p * sizeof(double)), *tmp = malloc(n * sizeof(double));
    double *We = malloc(n * sizeof(double)), *Wy = malloc(n * sizeof(double));
    double *Wf = malloc(n * sizeof(double));
    double *C1 = malloc(p * p * sizeof(double)), *C2 = malloc(p * p * sizeof(double));
    double *C3 = malloc(p * p * sizeof(double)), *xwf = malloc(p * sizeof(double));
    if (!Z || !tmp || !We || !Wy || !Wf || !C1 || !C2 || !C3 || !xwf) {
        free(Z); free(tmp); free(We); free(Wy); free(Wf); free(C1); free(C2); free(C3); free(xwf);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    /* weight sums and traces */
    double S0 = 0, trW = 0, trWW = 0, trWtW = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = rp[i]; k < rp[i + 1]; k++) {
            size_t j = (size_t)col[k];
            S0 += v[k];
            trWtW += v[k] * v[k];
            if (j == i) {
                trW += v[k];
                trWW += v[k] * v[k];
                continue;
            }
            /* w_ji by binary search in row j */
            size_t lo = rp[j], hi = rp[j + 1];
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if ((size_t)col[mid] < i)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < rp[j + 1] && (size_t)col[lo] == i)
                trWW += v[k] * v[lo];
        }
    double S1 = trWtW + trWW; /* 1/2 sum (w_ij + w_ji)^2 */
    /* Z = U X with U = (W + W') / 2 */
    for (size_t j = 0; j < p; j++) {
        agglo_weights_lag(w, X + j * n, Z + j * n);
        lag_transpose(w, X + j * n, tmp);
        for (size_t t = 0; t < n; t++)
            Z[t + j * n] = 0.5 * (Z[t + j * n] + tmp[t]);
    }
    const double *A = o->xtxi, *e = o->resid;
    rg_crossprod(X, n, p, Z, p, C1);
    rg_crossprod(Z, n, p, Z, p, C2);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = 0; k < p; k++)
                s += A[i + k * p] * C1[k + j * p];
            C3[i + j * p] = s;
        }
    double trA = 0;
    for (size_t i = 0; i < p; i++)
        trA += C3[i + i * p];
    double trA2 = trace_prod(C3, C3, p), trB = 4.0 * trace_prod(A, C2, p);
    double dn = (double)n, dnp = (double)(n - p);
    agglo_weights_lag(w, e, We);
    double ee = o->sse, eWe = dot(e, We, n);
    r->moran_i = dn / S0 * eWe / ee;
    r->moran_e = dn * (trW - trA) / (dnp * S0);
    r->moran_var = dn * dn / (S0 * S0 * dnp * (dnp + 2.0)) *
                       (S1 + 2.0 * trA2 - trB + (trW - trA) * (trW - trA)) -
                   r->moran_e * r->moran_e;
    r->moran_z = (r->moran_i - r->moran_e) / sqrt(r->moran_var);
    r->moran_p = agglo_pnorm_upper(r->moran_z);
    /* LM tests */
    double s2 = ee / dn, T = trWW + trWtW;
    agglo_weights_lag(w, y, Wy);
    agglo_weights_lag(w, o->fitted, Wf);
    double dutmu = eWe / s2, dutmy = dot(e, Wy, n) / s2;
    rg_crossprod(X, n, p, Wf, 1, xwf);
    double q = 0;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            q += xwf[i] * A[i + j * p] * xwf[j];
    double WfMWf = dot(Wf, Wf, n) - q;
    double nJ = (WfMWf + T * s2) / s2;
    r->lm_err = dutmu * dutmu / T;
    r->lm_lag = dutmy * dutmy / nJ;
    r->rlm_err = (dutmu - T / nJ * dutmy) * (dutmu - T / nJ * dutmy) / (T * (1.0 - T / nJ));
    r->rlm_lag = (dutmy - dutmu) * (dutmy - dutmu) / (nJ - T);
    r->sarma = r->rlm_lag + r->lm_err;
    r->lm_err_p = agglo_pchisq_upper(r->lm_err, 1);
    r->lm_lag_p = agglo_pchisq_upper(r->lm_lag, 1);
    r->rlm_err_p = agglo_pchisq_upper(r->rlm_err, 1);
    r->rlm_lag_p = agglo_pchisq_upper(r->rlm_lag, 1);
    r->sarma_p = agglo_pchisq_upper(r->sarma, 2);
    /* Anselin's decision rule (Anselin 2005, Exploring spatial data with GeoDa, p. 199) */
    const double alpha = 0.05;
    int se = r->lm_err_p < alpha, sl = r->lm_lag_p < alpha;
    if (!se && !sl)
        r->hint = AGGLO_HINT_NONE;
    else if (se != sl)
        r->hint = sl ? AGGLO_HINT_LAG : AGGLO_HINT_ERROR;
    else {
        int re = r->rlm_err_p < alpha, rl = r->rlm_lag_p < alpha;
        if (re != rl)
            r->hint = rl ? AGGLO_HINT_LAG : AGGLO_HINT_ERROR;
        else if (re && rl)
            r->hint = AGGLO_HINT_BOTH;
        else
            r->hint = r->rlm_lag >= r->rlm_err ? AGGLO_HINT_LAG : AGGLO_HINT_ERROR;
    }
    free(Z); free(tmp); free(We); free(Wy); free(Wf); free(C1); free(C2); free(C3); free(xwf);
    return AGGLO_OK;
}
