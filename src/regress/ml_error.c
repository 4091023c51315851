/* Spatial error (SEM) and spatial Durbin error (SDEM) models by maximum likelihood (Anselin
 * 1988, ch. 12; spatialreg errorsarlm): lambda maximises
 *   L(lambda) = log|I - lambda W| - n/2 log(2 pi) - n/2 log(SSE(lambda)/n) - n/2,
 * SSE(lambda) from the OLS of (I - lambda W) y on (I - lambda W) X, evaluated from cross
 * products computed once (each evaluation costs O(k^3)). The coefficients' SEs are those of
 * that regression with sigma^2 = SSE/n (block-diagonal information matrix); lambda's SE from
 * the information matrix with eigen (Anselin 1988), else from the Hessian in (lambda, b) with
 * sigma^2 concentrated out (what spatialreg's fdHess approximates). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logdet_internal.h"

#define LOG_2PI 1.8378770664093453

typedef struct err_data {
    rg_logdet *ld;
    agglo_ctx *ctx;
    size_t n, p;
    double *XX, *XWX, *WXWX, *Xy, *XWy, *WXy, *WXWy; /* cross products */
    double yy, yWy, WyWy;
    double *A, *b; /* work */
    int failed;
} err_data;

/* SSE of the filtered regression at lambda; beta (may be NULL) receives the coefficients,
 * A the inverse of X_l'X_l */
static double err_sse(err_data *d, double lam, double *beta)
{
    size_t p = d->p;
    double *A = d->A, *b = d->b;
    for (size_t j = 0; j < p; j++) {
        for (size_t i = 0; i < p; i++)
            A[i + j * p] = d->XX[i + j * p] - lam * (d->XWX[i + j * p] + d->XWX[j + i * p]) +
                           lam * lam * d->WXWX[i + j * p];
        b[j] = d->Xy[j] - lam * (d->XWy[j] + d->WXy[j]) + lam * lam * d->WXWy[j];
    }
    if (rg_spd_inverse(d->ctx, A, p)) {
        d->failed = 1;
        return NAN;
    }
    double yy = d->yy - 2 * lam * d->yWy + lam * lam * d->WyWy, fit = 0;
    for (size_t i = 0; i < p; i++) {
        double s = 0;
        for (size_t j = 0; j < p; j++)
            s += A[i + j * p] * b[j];
        if (beta)
            beta[i] = s;
        fit += s * b[i];
    }
    return yy - fit;
}

static double err_f(double lam, void *vd)
{
    err_data *d = vd;
    double ld, sse = err_sse(d, lam, NULL);
    if (d->failed || rg_logdet_eval(d->ld, lam, &ld)) {
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

int rg_ml_error(rg_model *m, agglo_regress_result *r)
{
    agglo_ctx *ctx = m->ctx;
    size_t n = m->n, p = m->p;
    err_data d = {0};
    d.ld = m->ld;
    d.ctx = ctx;
    d.n = n;
    d.p = p;
    double *mem = calloc(6 * p * p + 8 * p + 4 * n, sizeof(double));
    if (!mem)
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    d.XX = mem;
    d.XWX = d.XX + p * p;
    d.WXWX = d.XWX + p * p;
    d.A = d.WXWX + p * p;
    double *H = d.A + p * p; /* (p + 1)^2 <= 2 p^2 for p >= 3; sized below */
    d.Xy = H + 2 * p * p;
    d.XWy = d.Xy + p;
    d.WXy = d.XWy + p;
    d.WXWy = d.WXy + p;
    d.b = d.WXWy + p;
    double *u = d.b + p, *Wu = u + n, *ge = Wu + n;
    double *Hq = malloc((p + 1) * (p + 1) * sizeof(double));
    if (!Hq) {
        free(mem);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    const double *X = m->X, *WX = m->WX, *y = m->y, *Wy = m->Wy;
    rg_crossprod(X, n, p, X, p, d.XX);
    rg_crossprod(X, n, p, WX, p, d.XWX);
    rg_crossprod(WX, n, p, WX, p, d.WXWX);
    rg_crossprod(X, n, p, y, 1, d.Xy);
    rg_crossprod(X, n, p, Wy, 1, d.XWy);
    rg_crossprod(WX, n, p, y, 1, d.WXy);
    rg_crossprod(WX, n, p, Wy, 1, d.WXWy);
    d.yy = dotv(y, y, n);
    d.yWy = dotv(y, Wy, n);
    d.WyWy = dotv(Wy, Wy, n);
    double lo = r->rho_lower, hi = r->rho_upper, width = hi - lo;
    double LL, lam = rg_logdet_search(m->ld, err_f, &d, lo + 1e-9 * width, hi - 1e-9 * width, &LL);
    int rc = AGGLO_OK;
    if (d.failed) {
        free(mem);
        free(Hq);
        return agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
    }
    if (fabs(lam - lo) < 1e-6 * width || fabs(hi - lam) < 1e-6 * width)
        agglo_warn(ctx, "regression: lambda = %g is on the bound of its interval; the results "
                   "should not be used", lam);
    r->lambda = lam;
    r->logdet_se = rg_logdet_last_se(m->ld);
    /* final coefficients from the filtered data by QR (the cross-product form used in the
     * search loses digits to cancellation) */
    {
        double *Xl = malloc(n * p * sizeof(double)), *yl = malloc(n * sizeof(double));
        rg_ols ol;
        if (!Xl || !yl) {
            free(Xl);
            free(yl);
            free(mem);
            free(Hq);
            return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        }
        for (size_t t = 0; t < n * p; t++)
            Xl[t] = X[t] - lam * WX[t];
        for (size_t t = 0; t < n; t++)
            yl[t] = y[t] - lam * Wy[t];
        rc = rg_ols_fit(ctx, Xl, n, p, yl, &ol);
        free(Xl);
        free(yl);
        if (rc) {
            free(mem);
            free(Hq);
            return rc;
        }
        memcpy(r->coef, ol.beta, p * sizeof(double));
        memcpy(d.A, ol.xtxi, p * p * sizeof(double));
        rg_ols_free(&ol);
    }
    r->fitted = malloc(n * sizeof(double));
    r->resid = malloc(n * sizeof(double));
    r->naive_resid = malloc(n * sizeof(double));
    if (!r->fitted || !r->resid || !r->naive_resid) {
        free(mem);
        free(Hq);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    for (size_t t = 0; t < n; t++) {
        double f = 0;
        for (size_t j = 0; j < p; j++)
            f += X[t + j * n] * r->coef[j];
        u[t] = y[t] - f;
    }
    agglo_weights_lag(m->w, u, Wu);
    double sse = 0;
    for (size_t t = 0; t < n; t++) {
        r->naive_resid[t] = u[t];
        r->resid[t] = u[t] - lam * Wu[t];
        r->fitted[t] = y[t] - r->resid[t];
        sse += r->resid[t] * r->resid[t];
    }
    double dn = (double)n, s2 = sse / dn, ldv;
    rg_logdet_eval(m->ld, lam, &ldv);
    LL = ldv - 0.5 * dn * (LOG_2PI + log(s2) + 1.0);
    r->loglik = LL;
    r->sse = sse;
    r->sigma2 = s2;
    r->aic = -2.0 * LL + 2.0 * (double)(p + 2);
    r->sc = -2.0 * LL + log(dn) * (double)(p + 2);
    r->lr_df = 1;
    for (size_t j = 0; j < p; j++)
        r->se[j] = sqrt(s2 * d.A[j + j * p]);
    const double *eig = rg_logdet_eigen(m->ld, NULL);
    if (eig) {
        r->hessian_se = 0;
        double *Z = rg_dense_aw(ctx, m->w, lam);
        if (!Z) {
            rc = agglo_ctx_errcode(ctx);
        } else {
            double trZ = 0, omega = 0, fro = 0;
            for (size_t i = 0; i < n; i++) {
                trZ += Z[i + i * n];
                for (size_t j = 0; j < n; j++) {
                    omega += Z[i + j * n] * Z[j + i * n];
                    fro += Z[i + j * n] * Z[i + j * n];
                }
            }
            free(Z);
            double a11 = dn / (2 * s2 * s2), a12 = trZ / s2, a22 = omega + fro;
            r->lambda_se = sqrt(a11 / (a11 * a22 - a12 * a12));
        }
    } else {
        /* Hessian of L(lambda, b) = ld(lambda) - n/2 log SSE + const with e = y_l - X_l b:
         * de/dlambda = -W u, de/db = -X_l, d2e/dlambda db = W X */
        r->hessian_se = 1;
        double d2;
        rc = rg_logdet_d2(m->ld, lam, &d2);
        size_t q = p + 1;
        if (!rc) {
            const double *e = r->resid;
            double g[64], *gp = p + 1 <= 64 ? g : malloc((p + 1) * sizeof(double));
            if (!gp) {
                rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
            } else {
                gp[0] = -dotv(Wu, e, n);
                for (size_t j = 0; j < p; j++) {
                    for (size_t t = 0; t < n; t++)
                        ge[t] = X[t + j * n] - lam * WX[t + j * n];
                    gp[1 + j] = -dotv(ge, e, n);
                }
                /* J'J */
                for (size_t i = 0; i < q; i++)
                    for (size_t j = 0; j <= i; j++) {
                        double s = 0, cross = 0;
                        for (size_t t = 0; t < n; t++) {
                            double ji = i == 0 ? -Wu[t] : -(X[t + (i - 1) * n] - lam * WX[t + (i - 1) * n]);
                            double jj = j == 0 ? -Wu[t] : -(X[t + (j - 1) * n] - lam * WX[t + (j - 1) * n]);
                            s += ji * jj;
                        }
                        if (j == 0 && i > 0)
                            cross = dotv(WX + (i - 1) * n, e, n);
                        double hs = 2 * s + 2 * cross; /* Hessian of SSE */
                        double h = -dn / (2 * sse) * hs + dn / (2 * sse * sse) * (2 * gp[i]) * (2 * gp[j]);
                        if (i == 0 && j == 0)
                            h += d2;
                        Hq[i + j * q] = Hq[j + i * q] = -h;
                    }
                if (gp != g)
                    free(gp);
                rc = rg_inverse(ctx, Hq, q);
                if (!rc)
                    r->lambda_se = sqrt(Hq[0]);
            }
        }
    }
    if (!rc) {
        r->lambda_z = lam / r->lambda_se;
        r->lambda_p = 2.0 * agglo_pnorm_upper(fabs(r->lambda_z));
        r->wald = r->lambda_z * r->lambda_z;
        r->wald_p = agglo_pchisq_upper(r->wald, 1);
        rg_ztable(r);
    }
    /* SDEM impacts: direct b, indirect t, total b + t with the coefficients' covariance
     * s2 (X_l'X_l)^-1 (spatialreg impactSDEM) */
    if (!rc && m->opts->model == AGGLO_REG_SDEM) {
        size_t nx = (p - 1) / 2, lc = (p - 1) % 2, off = 1 + nx + lc;
        r->nimpacts = nx;
        r->impacts_exact = 1;
        r->impact_names = calloc(nx ? nx : 1, sizeof(char *));
        double **arr[] = {&r->direct, &r->indirect, &r->total, &r->direct_se, &r->indirect_se,
                          &r->total_se, &r->direct_z, &r->indirect_z, &r->total_z,
                          &r->direct_p, &r->indirect_p, &r->total_p};
        for (size_t a = 0; a < 12; a++)
            *arr[a] = calloc(nx ? nx : 1, sizeof(double));
        if (!r->impact_names || !r->total_p)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        for (size_t j = 0; j < nx && !rc; j++) {
            size_t b = 1 + j, t = off + j;
            r->impact_names[j] = r->names[b];
            r->direct[j] = r->coef[b];
            r->indirect[j] = r->coef[t];
            r->total[j] = r->coef[b] + r->coef[t];
            r->direct_se[j] = r->se[b];
            r->indirect_se[j] = r->se[t];
            r->total_se[j] = sqrt(s2 * (d.A[b + b * p] + d.A[t + t * p] + 2 * d.A[b + t * p]));
            r->direct_z[j] = r->direct[j] / r->direct_se[j];
            r->indirect_z[j] = r->indirect[j] / r->indirect_se[j];
            r->total_z[j] = r->total[j] / r->total_se[j];
            r->direct_p[j] = 2 * agglo_pnorm_upper(fabs(r->direct_z[j]));
            r->indirect_p[j] = 2 * agglo_pnorm_upper(fabs(r->indirect_z[j]));
            r->total_p[j] = 2 * agglo_pnorm_upper(fabs(r->total_z[j]));
        }
    }
    free(mem);
    free(Hq);
    return rc;
}
