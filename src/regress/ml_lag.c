/* Spatial lag (SAR) and spatial Durbin models by maximum likelihood (Ord 1975; Anselin 1988,
 * ch. 12; spatialreg lagsarlm): rho maximises the concentrated log-likelihood
 *   L(rho) = log|I - rho W| - n/2 log(2 pi) - n/2 log(SSE(rho)/n) - n/2,
 *   SSE(rho) = (e0 - rho eL)'(e0 - rho eL), e0, eL the OLS residuals of y and W y on X.
 * Standard errors: with eigen, the asymptotic information matrix (Anselin 1988, p. 65, as
 * spatialreg builds it, an n x n inverse); otherwise the inverse of the Hessian of the
 * log-likelihood in (rho, b) with sigma^2 concentrated out, the quantity spatialreg's
 * numerical fdHess approximates, here analytic but for the second derivative of the
 * log-determinant. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logdet_internal.h"

#define LOG_2PI 1.8378770664093453

void rg_ztable(agglo_regress_result *r)
{
    for (size_t j = 0; j < r->k; j++) {
        r->stat[j] = r->coef[j] / r->se[j];
        r->p[j] = 2.0 * agglo_pnorm_upper(fabs(r->stat[j]));
    }
}

int rg_solve_irw(agglo_ctx *ctx, const agglo_weights *w, double rho, const double *b, double *z)
{
    size_t n = agglo_weights_n(w);
    double *t = malloc(n * sizeof(double));
    if (!t)
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    memcpy(z, b, n * sizeof(double));
    /* diverging (steps growing 30 times running, or not finite) or too slow: LU */
    int converged = 0, grew = 0;
    double dprev = INFINITY;
    for (int it = 0; it < 200000 && grew < 30; it++) {
        agglo_weights_lag(w, z, t);
        double d = 0, s = 0;
        for (size_t i = 0; i < n; i++) {
            double v = b[i] + rho * t[i];
            d += (v - z[i]) * (v - z[i]);
            s += v * v;
            z[i] = v;
        }
        if (d <= 1e-28 * s) {
            converged = 1;
            break;
        }
        if (!isfinite(d))
            break;
        grew = d > dprev ? grew + 1 : 0;
        dprev = d;
    }
    free(t);
    if (!converged)
        return rg_umfpack_solve(ctx, w, rho, b, z);
    return AGGLO_OK;
}

double *rg_dense_aw(agglo_ctx *ctx, const agglo_weights *w, double rho)
{
    size_t n = agglo_weights_n(w);
    double *M = rg_dense_w(w, NULL), *Z = rg_dense_w(w, NULL);
    lapack_int *piv = malloc(n * sizeof(lapack_int));
    if (!M || !Z || !piv) {
        free(M);
        free(Z);
        free(piv);
        agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory for the %zu x %zu "
                    "information matrix terms", n, n);
        return NULL;
    }
    for (size_t i = 0; i < n * n; i++)
        M[i] = -rho * M[i];
    for (size_t i = 0; i < n; i++)
        M[i + i * n] += 1.0;
    lapack_int info = LAPACKE_dgesv(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)n, M,
                                    (lapack_int)n, piv, Z, (lapack_int)n);
    free(M);
    free(piv);
    if (info != 0) {
        free(Z);
        agglo_error(ctx, AGGLO_E_SINGULAR, "regression: I - rho W is singular at rho = %g", rho);
        return NULL;
    }
    return Z;
}

typedef struct lag_data {
    rg_logdet *ld;
    size_t n;
    double ea, eb, ec;
    int failed;
} lag_data;

static double lag_f(double rho, void *vd)
{
    lag_data *d = vd;
    double ld, sse = d->ea - 2 * rho * d->eb + rho * rho * d->ec;
    if (rg_logdet_eval(d->ld, rho, &ld)) {
        d->failed = 1;
        return -INFINITY;
    }
    double dn = (double)d->n;
    return ld - 0.5 * dn * (LOG_2PI + log(sse / dn) + 1.0);
}

static double dotv(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* tr(W W A) and tr(W' W A) for dense A (column-major), W sparse */
static void traces_tw(const agglo_weights *w, const double *A, double *twwa, double *twtwa)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *v = agglo_weights_values(w);
    double s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = rp[i]; k < rp[i + 1]; k++) {
            size_t m = (size_t)col[k];
            /* (W W A)_ii = sum_m w_im sum_l w_ml A_li */
            for (size_t q = rp[m]; q < rp[m + 1]; q++)
                s1 += v[k] * v[q] * A[(size_t)col[q] + i * n];
            /* (W A W')_ii = sum_m sum_l w_im A_ml w_il */
            for (size_t q = rp[i]; q < rp[i + 1]; q++)
                s2 += v[k] * A[m + (size_t)col[q] * n] * v[q];
        }
    *twwa = s1;
    *twtwa = s2;
}

int rg_ml_lag(rg_model *m, agglo_regress_result *r)
{
    agglo_ctx *ctx = m->ctx;
    size_t n = m->n, p = m->p;
    rg_ols o0, oL;
    int rc = rg_ols_fit(ctx, m->X, n, p, m->y, &o0);
    if (rc)
        return rc;
    if ((rc = rg_ols_fit(ctx, m->X, n, p, m->Wy, &oL))) {
        rg_ols_free(&o0);
        return rc;
    }
    lag_data d = {m->ld, n, dotv(o0.resid, o0.resid, n), dotv(oL.resid, o0.resid, n),
                  dotv(oL.resid, oL.resid, n), 0};
    double lo = r->rho_lower, hi = r->rho_upper, width = hi - lo;
    double LL, rho = rg_logdet_search(m->ld, lag_f, &d, lo + 1e-9 * width, hi - 1e-9 * width, &LL);
    if (d.failed) {
        rg_ols_free(&o0);
        rg_ols_free(&oL);
        return agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
    }
    if (fabs(rho - lo) < 1e-6 * width || fabs(hi - rho) < 1e-6 * width)
        agglo_warn(ctx, "regression: rho = %g is on the bound of its interval; the results "
                   "should not be used", rho);
    r->rho = rho;
    r->loglik = LL;
    r->logdet_se = rg_logdet_last_se(m->ld);
    r->fitted = malloc(n * sizeof(double));
    r->resid = malloc(n * sizeof(double));
    r->naive_resid = malloc(n * sizeof(double));
    double *xb = malloc(n * sizeof(double));
    double *H = calloc((p + 2) * (p + 2), sizeof(double));
    if (!r->fitted || !r->resid || !r->naive_resid || !xb || !H) {
        rg_ols_free(&o0);
        rg_ols_free(&oL);
        free(xb);
        free(H);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    for (size_t j = 0; j < p; j++)
        r->coef[j] = o0.beta[j] - rho * oL.beta[j];
    double sse = 0;
    for (size_t t = 0; t < n; t++) {
        double f = 0;
        for (size_t j = 0; j < p; j++)
            f += m->X[t + j * n] * r->coef[j];
        xb[t] = f;
        r->resid[t] = m->y[t] - rho * m->Wy[t] - f;
        r->fitted[t] = m->y[t] - r->resid[t];
        sse += r->resid[t] * r->resid[t];
    }
    rg_ols_free(&o0);
    rg_ols_free(&oL);
    double s2 = sse / (double)n;
    r->sse = sse;
    r->sigma2 = s2;
    size_t npar = p + 1; /* rho and b */
    r->aic = -2.0 * LL + 2.0 * (double)(npar + 1);
    r->sc = -2.0 * LL + log((double)n) * (double)(npar + 1);
    r->lr_df = 1;
    double *XtX = malloc(p * p * sizeof(double));
    if (!XtX)
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    else
        rg_crossprod(m->X, n, p, m->X, p, XtX);
    const double *eig = rg_logdet_eigen(m->ld, NULL);
    if (!rc && eig) {
        /* information matrix, parameters (sigma2, rho, b) */
        r->hessian_se = 0;
        double *Z = rg_dense_aw(ctx, m->w, rho);
        double *v = malloc(n * sizeof(double)), *xv = malloc(p * sizeof(double));
        if (!Z || !v || !xv) {
            rc = Z ? agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory")
                   : agglo_ctx_errcode(ctx);
        } else {
            double trZ = 0, omega = 0, fro = 0;
            for (size_t i = 0; i < n; i++) {
                trZ += Z[i + i * n];
                for (size_t j = 0; j < n; j++) {
                    omega += Z[i + j * n] * Z[j + i * n];
                    fro += Z[i + j * n] * Z[i + j * n];
                }
            }
            for (size_t i = 0; i < n; i++) {
                double s = 0;
                for (size_t j = 0; j < n; j++)
                    s += Z[i + j * n] * xb[j];
                v[i] = s;
            }
            rg_crossprod(m->X, n, p, v, 1, xv);
            size_t q = p + 2;
            H[0] = (double)n / 2.0;
            H[1] = H[q] = s2 * trZ;
            H[1 + q] = s2 * (s2 * fro + dotv(v, v, n)) + omega * s2 * s2;
            for (size_t j = 0; j < p; j++) {
                H[1 + (2 + j) * q] = H[(2 + j) + q] = s2 * xv[j];
                for (size_t i = 0; i < p; i++)
                    H[(2 + i) + (2 + j) * q] = s2 * XtX[i + j * p];
            }
            rc = rg_inverse(ctx, H, q);
            if (!rc) {
                for (size_t i = 0; i < q * q; i++)
                    H[i] *= s2 * s2;
                r->rho_se = sqrt(H[1 + q]);
                for (size_t j = 0; j < p; j++)
                    r->se[j] = sqrt(H[(2 + j) + (2 + j) * q]);
                /* LM test for residual autocorrelation (spatialreg's LMtest) */
                double T22 = 0, twwa, twtwa;
                const size_t *rp = agglo_weights_row_ptr(m->w);
                const int32_t *col = agglo_weights_col(m->w);
                const double *wv = agglo_weights_values(m->w);
                for (size_t i = 0; i < n; i++)
                    for (size_t k = rp[i]; k < rp[i + 1]; k++) {
                        size_t j = (size_t)col[k];
                        T22 += wv[k] * wv[k];
                        for (size_t l = rp[j]; l < rp[j + 1]; l++)
                            if ((size_t)col[l] == i)
                                T22 += wv[k] * wv[l];
                    }
                /* A = I + rho Z */
                traces_tw(m->w, Z, &twwa, &twtwa);
                double T21A = T22 + rho * (twwa + twtwa);
                double *We = v;
                agglo_weights_lag(m->w, r->resid, We);
                double stat = dotv(r->resid, We, n) / s2;
                r->lm_resid = stat * stat / (T22 - T21A * T21A * r->rho_se * r->rho_se);
                r->lm_resid_p = agglo_pchisq_upper(r->lm_resid, 1);
            }
        }
        free(Z);
        free(v);
        free(xv);
    } else if (!rc) {
        /* Hessian of L(rho, b) = ld(rho) - n/2 log SSE + const, G = [Wy, X] */
        r->hessian_se = 1;
        double d2;
        rc = rg_logdet_d2(m->ld, rho, &d2);
        size_t q = p + 1;
        double *Ge = malloc(q * sizeof(double));
        if (!rc && !Ge)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        if (!rc) {
            double dn = (double)n;
            Ge[0] = dotv(m->Wy, r->resid, n);
            for (size_t j = 0; j < p; j++)
                Ge[1 + j] = dotv(m->X + j * n, r->resid, n);
            double *G0 = malloc(p * sizeof(double));
            if (!G0) {
                rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
            } else {
                rg_crossprod(m->X, n, p, m->Wy, 1, G0);
                double gg00 = dotv(m->Wy, m->Wy, n);
                for (size_t i = 0; i < q; i++)
                    for (size_t j = 0; j < q; j++) {
                        double gg = i == 0 && j == 0 ? gg00
                                    : i == 0         ? G0[j - 1]
                                    : j == 0         ? G0[i - 1]
                                                     : XtX[(i - 1) + (j - 1) * p];
                        double h = -dn * gg / sse + 2.0 * dn * Ge[i] * Ge[j] / (sse * sse);
                        if (i == 0 && j == 0)
                            h += d2;
                        H[i + j * q] = -h;
                    }
                free(G0);
                rc = rg_inverse(ctx, H, q);
                if (!rc) {
                    r->rho_se = sqrt(H[0]);
                    for (size_t j = 0; j < p; j++)
                        r->se[j] = sqrt(H[(1 + j) + (1 + j) * q]);
                }
            }
        }
        free(Ge);
    }
    free(XtX);
    if (!rc) {
        r->rho_z = rho / r->rho_se;
        r->rho_p = 2.0 * agglo_pnorm_upper(fabs(r->rho_z));
        r->wald = r->rho_z * r->rho_z;
        r->wald_p = agglo_pchisq_upper(r->wald, 1);
        rg_ztable(r);
        rc = rg_solve_irw(ctx, m->w, rho, xb, r->naive_resid);
        for (size_t t = 0; t < n && !rc; t++)
            r->naive_resid[t] = m->y[t] - r->naive_resid[t];
    }
    /* covariance of (rho, b) for the impacts' draws */
    if (!rc && (m->opts->impacts || m->opts->draws)) {
        size_t q = p + 1;
        double *cov = malloc(q * q * sizeof(double));
        if (!cov)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        else {
            size_t off = eig ? 1 : 0, qq = eig ? p + 2 : p + 1;
            for (size_t i = 0; i < q; i++)
                for (size_t j = 0; j < q; j++)
                    cov[i + j * q] = H[(i + off) + (j + off) * qq];
            rc = rg_impacts_model(m, r, cov);
            free(cov);
        }
    }
    free(xb);
    free(H);
    return rc;
}
