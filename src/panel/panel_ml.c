/* Maximum likelihood of the spatial panel models after the within transformation (Elhorst
 * 2014, ch. 3.3; Lee & Yu 2010). With y, W y, Z transformed:
 *   L(rho) = t_eff log|I_N - rho W| - n_eff/2 (log(2 pi) + log(SSE(rho)/n_eff) + 1)
 * where n_eff = N T and t_eff = T (direct approach), or after the Lee-Yu transformation n_eff
 * = N(T-1), (N-1)T, (N-1)(T-1) for individual, time, two-way effects, t_eff = T-1 (or T for
 * time effects) and, with time effects, log|I - rho W| - log(1 - rho) (row-standardised W:
 * the transformed W* lacks W's unit eigenvalue). The log-determinant is always the N x N one.
 * Lag type: SSE(rho) = (e0 - rho e1)'(e0 - rho e1), e0, e1 the OLS residuals of y and W y on
 * Z. Error type: SSE(lambda) of the OLS of y - lambda W y on Z - lambda W Z. Standard errors
 * from the Hessian of the log-likelihood in (rho, b) with sigma^2 concentrated out (analytic
 * but for the log-determinant's second derivative, exact with eigenvalues). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panel_internal.h"

#define LOG_2PI 1.8378770664093453

static double dotv(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

int pn_logdet(pn_work *k, double rho, double *ld)
{
    double v;
    int rc = rg_logdet_eval(k->ld, rho, &v);
    if (rc)
        return rc;
    if (k->ly_row)
        v -= log(1.0 - rho);
    *ld = k->t_eff * v;
    return AGGLO_OK;
}

static int logdet_d2(pn_work *k, double rho, double *d2)
{
    int rc = rg_logdet_d2(k->ld, rho, d2);
    if (!rc)
        *d2 = k->t_eff * (*d2 + (k->ly_row ? 1.0 / ((1 - rho) * (1 - rho)) : 0.0));
    return rc;
}

typedef struct lag_data {
    pn_work *k;
    double ea, eb, ec;
    int failed;
} lag_data;

static double lag_f(double rho, void *vd)
{
    lag_data *d = vd;
    double ld = 0, sse = d->ea - 2 * rho * d->eb + rho * rho * d->ec;
    if (pn_logdet(d->k, rho, &ld)) {
        d->failed = 1;
        return -INFINITY;
    }
    double n = d->k->n_eff;
    return ld - 0.5 * n * (LOG_2PI + log(sse / n) + 1.0);
}

static int finish_rho(pn_work *k, agglo_panel_result *r, double rho, int failed)
{
    double lo = r->rho_lower, hi = r->rho_upper, width = hi - lo;
    if (failed)
        return agglo_ctx_errcode(k->ctx) ? agglo_ctx_errcode(k->ctx) : AGGLO_E_NUMERIC;
    if (fabs(rho - lo) < 1e-6 * width || fabs(hi - rho) < 1e-6 * width)
        agglo_warn(k->ctx, "panel: the spatial parameter %g is on the bound of its interval; "
                   "the results should not be used", rho);
    return AGGLO_OK;
}

/* -Hessian of L(a, b) = ld(a) - n/2 log SSE with G the derivative columns of -e: h (q1 x q1)
 * receives its inverse. gg: G'G (q1 x q1), ge: G'e, extra: d2 SSE/2 cross terms added to gg */
static int hessian_cov(pn_work *k, double *gg, const double *ge, double sse, double d2,
                       size_t q1, double *cov)
{
    double n = k->n_eff;
    for (size_t i = 0; i < q1; i++)
        for (size_t j = 0; j < q1; j++) {
            double h = -n * gg[i + j * q1] / sse + 2.0 * n * ge[i] * ge[j] / (sse * sse);
            if (i == 0 && j == 0)
                h += d2;
            cov[i + j * q1] = -h;
        }
    return rg_inverse(k->ctx, cov, q1);
}

int pn_ml_lag(pn_work *k, agglo_panel_result *r, double *cov)
{
    agglo_ctx *ctx = k->ctx;
    size_t n = k->n, q = k->q, q1 = q + 1;
    rg_ols o0, o1;
    int rc = rg_ols_fit(ctx, k->Z, n, q, k->y, &o0);
    if (rc)
        return rc;
    if ((rc = rg_ols_fit(ctx, k->Z, n, q, k->Wy, &o1))) {
        rg_ols_free(&o0);
        return rc;
    }
    lag_data d = {k, dotv(o0.resid, o0.resid, n), dotv(o1.resid, o0.resid, n),
                  dotv(o1.resid, o1.resid, n), 0};
    double lo = r->rho_lower, hi = r->rho_upper, width = hi - lo, LL;
    double rho = rg_maximise(lag_f, &d, lo + 1e-9 * width, hi - 1e-9 * width, 1e-10, &LL);
    if ((rc = finish_rho(k, r, rho, d.failed))) {
        rg_ols_free(&o0);
        rg_ols_free(&o1);
        return rc;
    }
    for (size_t j = 0; j < q; j++)
        r->coef[j] = o0.beta[j] - rho * o1.beta[j];
    rg_ols_free(&o0);
    rg_ols_free(&o1);
    double *e = malloc(n * sizeof(double)), *gg = calloc(q1 * q1, sizeof(double));
    double *ge = malloc(q1 * sizeof(double));
    if (!e || !gg || !ge) {
        free(e);
        free(gg);
        free(ge);
        return agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    }
    for (size_t o = 0; o < n; o++) {
        double f = 0;
        for (size_t j = 0; j < q; j++)
            f += k->Z[o + j * n] * r->coef[j];
        e[o] = k->y[o] - rho * k->Wy[o] - f;
    }
    double sse = dotv(e, e, n);
    r->rho = rho;
    r->sse = sse;
    r->sigma2 = sse / k->n_eff;
    r->loglik = LL;
    /* G = [W y, Z] */
    double *zz = malloc(q * q * sizeof(double)), *zw = malloc(q * sizeof(double));
    rc = (!zz || !zw) ? agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory") : AGGLO_OK;
    double d2 = 0;
    if (!rc)
        rc = logdet_d2(k, rho, &d2);
    if (!rc) {
        rg_crossprod(k->Z, n, q, k->Z, q, zz);
        rg_crossprod(k->Z, n, q, k->Wy, 1, zw);
        gg[0] = dotv(k->Wy, k->Wy, n);
        ge[0] = dotv(k->Wy, e, n);
        for (size_t j = 0; j < q; j++) {
            gg[1 + j] = gg[(1 + j) * q1] = zw[j];
            ge[1 + j] = dotv(k->Z + j * n, e, n);
            for (size_t i = 0; i < q; i++)
                gg[(1 + i) + (1 + j) * q1] = zz[i + j * q];
        }
        rc = hessian_cov(k, gg, ge, sse, d2, q1, cov);
    }
    if (!rc) {
        r->hessian_se = 1;
        r->rho_se = sqrt(cov[0]);
        r->rho_z = rho / r->rho_se;
        r->rho_p = 2 * agglo_pnorm_upper(fabs(r->rho_z));
        for (size_t j = 0; j < q; j++)
            r->se[j] = sqrt(cov[(1 + j) + (1 + j) * q1]);
    }
    free(zz);
    free(zw);
    free(e);
    free(gg);
    free(ge);
    return rc;
}

typedef struct err_data {
    pn_work *k;
    size_t q;
    double *XX, *XWX, *WXWX, *Xy, *XWy, *WXy, *WXWy, yy, yWy, WyWy, *A, *b;
    int failed;
} err_data;

static double err_sse(err_data *d, double lam)
{
    size_t p = d->q;
    double *A = d->A, *b = d->b;
    for (size_t j = 0; j < p; j++) {
        for (size_t i = 0; i < p; i++)
            A[i + j * p] = d->XX[i + j * p] - lam * (d->XWX[i + j * p] + d->XWX[j + i * p]) +
                           lam * lam * d->WXWX[i + j * p];
        b[j] = d->Xy[j] - lam * (d->XWy[j] + d->WXy[j]) + lam * lam * d->WXWy[j];
    }
    if (rg_spd_inverse(d->k->ctx, A, p)) {
        d->failed = 1;
        return NAN;
    }
    double fit = 0;
    for (size_t i = 0; i < p; i++) {
        double s = 0;
        for (size_t j = 0; j < p; j++)
            s += A[i + j * p] * b[j];
        fit += s * b[i];
    }
    return d->yy - 2 * lam * d->yWy + lam * lam * d->WyWy - fit;
}

static double err_f(double lam, void *vd)
{
    err_data *d = vd;
    double ld = 0, sse = err_sse(d, lam);
    if (d->failed || pn_logdet(d->k, lam, &ld)) {
        d->failed = 1;
        return -INFINITY;
    }
    double n = d->k->n_eff;
    return ld - 0.5 * n * (LOG_2PI + log(sse / n) + 1.0);
}

int pn_ml_error(pn_work *k, agglo_panel_result *r, double *cov)
{
    agglo_ctx *ctx = k->ctx;
    size_t n = k->n, p = k->q, q1 = p + 1;
    const double *X = k->Z, *WX = k->WZ, *y = k->y, *Wy = k->Wy;
    double *mem = calloc(5 * p * p + 6 * p + 4 * n + 2 * q1 * q1 + q1, sizeof(double));
    if (!mem)
        return agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    err_data d = {0};
    d.k = k;
    d.q = p;
    d.XX = mem;
    d.XWX = d.XX + p * p;
    d.WXWX = d.XWX + p * p;
    d.A = d.WXWX + p * p;
    double *XlXl = d.A + p * p;
    d.Xy = XlXl + p * p;
    d.XWy = d.Xy + p;
    d.WXy = d.XWy + p;
    d.WXWy = d.WXy + p;
    d.b = d.WXWy + p;
    double *u = d.b + p, *Wu = u + n, *e = Wu + n, *col = e + n, *gg = col + n,
           *ge = gg + q1 * q1;
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
    double lo = r->rho_lower, hi = r->rho_upper, width = hi - lo, LL;
    double lam = rg_maximise(err_f, &d, lo + 1e-9 * width, hi - 1e-9 * width, 1e-10, &LL);
    int rc = finish_rho(k, r, lam, d.failed);
    /* final coefficients by QR on the filtered data */
    double *Xl = rc ? NULL : malloc(n * p * sizeof(double));
    if (!rc && !Xl)
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    if (!rc) {
        for (size_t t = 0; t < n * p; t++)
            Xl[t] = X[t] - lam * WX[t];
        for (size_t t = 0; t < n; t++)
            e[t] = y[t] - lam * Wy[t];
        rg_ols ol;
        rc = rg_ols_fit(ctx, Xl, n, p, e, &ol);
        if (!rc) {
            memcpy(r->coef, ol.beta, p * sizeof(double));
            memcpy(XlXl, ol.xtxi, p * p * sizeof(double));
            rg_ols_free(&ol);
        }
    }
    if (!rc) {
        for (size_t t = 0; t < n; t++) {
            double f = 0;
            for (size_t j = 0; j < p; j++)
                f += X[t + j * n] * r->coef[j];
            u[t] = y[t] - f;
            Wu[t] = Wy[t];
            for (size_t j = 0; j < p; j++)
                Wu[t] -= WX[t + j * n] * r->coef[j];
            e[t] = u[t] - lam * Wu[t];
        }
        double sse = dotv(e, e, n), ld = 0;
        rc = pn_logdet(k, lam, &ld);
        r->lambda = lam;
        r->sse = sse;
        r->sigma2 = sse / k->n_eff;
        r->loglik = ld - 0.5 * k->n_eff * (LOG_2PI + log(r->sigma2) + 1.0);
        for (size_t j = 0; j < p; j++)
            r->se[j] = sqrt(r->sigma2 * XlXl[j + j * p]);
        /* Hessian in (lambda, b): -e derivatives G = [W u, X_l]; d2 e / dlambda db = W X */
        double d2 = 0;
        if (!rc)
            rc = logdet_d2(k, lam, &d2);
        if (!rc) {
            gg[0] = dotv(Wu, Wu, n);
            ge[0] = dotv(Wu, e, n);
            for (size_t j = 0; j < p; j++) {
                double s0 = 0, sw = 0;
                for (size_t t = 0; t < n; t++) {
                    s0 += Wu[t] * Xl[t + j * n];
                    sw += WX[t + j * n] * e[t];
                }
                /* SSE's Hessian/2: G'G + e' d2e; d2 e/dlambda db_j = W x_j */
                gg[1 + j] = gg[(1 + j) * q1] = s0 + sw;
                ge[1 + j] = dotv(Xl + j * n, e, n);
            }
            double *xx = malloc(p * p * sizeof(double));
            if (!xx) {
                rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
            } else {
                rg_crossprod(Xl, n, p, Xl, p, xx);
                for (size_t j = 0; j < p; j++)
                    for (size_t i = 0; i < p; i++)
                        gg[(1 + i) + (1 + j) * q1] = xx[i + j * p];
                free(xx);
                rc = hessian_cov(k, gg, ge, sse, d2, q1, cov);
            }
        }
        if (!rc) {
            r->hessian_se = 1;
            r->lambda_se = sqrt(cov[0]);
            r->lambda_z = lam / r->lambda_se;
            r->lambda_p = 2 * agglo_pnorm_upper(fabs(r->lambda_z));
            /* the coefficients' block: sigma2 (X_l'X_l)^-1 as spatialreg errorsarlm */
            for (size_t i = 0; i < p; i++)
                for (size_t j = 0; j < p; j++)
                    cov[(1 + i) + (1 + j) * q1] = r->sigma2 * XlXl[i + j * p];
            for (size_t j = 0; j < p; j++)
                cov[1 + j] = cov[(1 + j) * q1] = 0;
        }
    }
    free(Xl);
    free(mem);
    return rc;
}
