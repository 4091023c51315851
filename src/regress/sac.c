/* SAC/SARAR model (Kelejian & Prucha 1998; LeSage & Pace 2009 ch. 2; spatialreg sacsarlm):
 * y = rho W y + X b + u, u = lambda W u + e, by maximum likelihood of
 *   L(rho, lambda) = log|I - rho W| + log|I - lambda W| - n/2 log(2 pi SSE/n) - n/2,
 * SSE the OLS residual sum of squares of (I - lambda W)(I - rho W) y on (I - lambda W) X,
 * from cross products of y, Wy, W^2 y, X, WX computed once. The maximum is found by nested
 * Brent searches (lambda profiled out for each rho). Standard errors: the inverse of the
 * Hessian of the log-likelihood in (rho, lambda, b) with sigma^2 concentrated out, by central
 * differences (as spatialreg's fdHess). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logdet_internal.h"

#define LOG_2PI 1.8378770664093453

typedef struct sac_data {
    rg_model *m;
    size_t n, p;
    /* V = [y, Wy, W2y] (3 columns), U = [X, WX] (2p columns); cross products */
    double VV[9], *UV, *UU; /* UV: 2p x 3, UU: 2p x 2p */
    double *A, *b;
    double rho_cur, ld_rho, best_lambda;
    int failed;
} sac_data;

/* X_l'X_l, X_l'y_l and y_l'y_l at (rho, lambda) */
static void sac_forms(sac_data *d, double rho, double lam, double *XX, double *Xy, double *yy)
{
    size_t p = d->p, P = 2 * p;
    double cv[3] = {1, -(rho + lam), rho * lam}, cu[2] = {1, -lam};
    for (size_t i = 0; i < p; i++) {
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    s += cu[a] * cu[b] * d->UU[(i + (size_t)a * p) + (j + (size_t)b * p) * P];
            XX[i + j * p] = s;
        }
        double s = 0;
        for (int a = 0; a < 2; a++)
            for (int c = 0; c < 3; c++)
                s += cu[a] * cv[c] * d->UV[(i + (size_t)a * p) + (size_t)c * P];
        Xy[i] = s;
    }
    double s = 0;
    for (int a = 0; a < 3; a++)
        for (int c = 0; c < 3; c++)
            s += cv[a] * cv[c] * d->VV[a + 3 * c];
    *yy = s;
}

static double sac_sse(sac_data *d, double rho, double lam, double *beta)
{
    size_t p = d->p;
    double yy;
    sac_forms(d, rho, lam, d->A, d->b, &yy);
    if (rg_spd_inverse(d->m->ctx, d->A, p)) {
        d->failed = 1;
        return NAN;
    }
    double fit = 0;
    for (size_t i = 0; i < p; i++) {
        double s = 0;
        for (size_t j = 0; j < p; j++)
            s += d->A[i + j * p] * d->b[j];
        if (beta)
            beta[i] = s;
        fit += s * d->b[i];
    }
    return yy - fit;
}

static double sac_inner(double lam, void *vd)
{
    sac_data *d = vd;
    double ld, sse = sac_sse(d, d->rho_cur, lam, NULL);
    if (d->failed || rg_logdet_eval(d->m->ld, lam, &ld)) {
        d->failed = 1;
        return -INFINITY;
    }
    double dn = (double)d->n;
    return d->ld_rho + ld - 0.5 * dn * (LOG_2PI + log(sse / dn) + 1.0);
}

static double sac_outer(double rho, void *vd)
{
    sac_data *d = vd;
    if (rg_logdet_eval(d->m->ld, rho, &d->ld_rho)) {
        d->failed = 1;
        return -INFINITY;
    }
    d->rho_cur = rho;
    double lo = d->m->ld ? 0 : 0, hi;
    (void)lo;
    double a, b;
    rg_logdet_interval(d->m->ld, &a, &b);
    hi = b - 1e-9 * (b - a);
    double f, lam = rg_maximise(sac_inner, d, a + 1e-9 * (b - a), hi, 1e-11, &f);
    d->best_lambda = lam;
    return f;
}

/* full concentrated log-likelihood at theta = (rho, lambda, b) */
static double sac_full(sac_data *d, const double *th)
{
    size_t p = d->p;
    double *XX = malloc(p * p * sizeof(double)), *Xy = malloc(p * sizeof(double)), yy;
    if (!XX || !Xy) {
        free(XX);
        free(Xy);
        d->failed = 1;
        return NAN;
    }
    sac_forms(d, th[0], th[1], XX, Xy, &yy);
    const double *b = th + 2;
    double sse = yy;
    for (size_t i = 0; i < p; i++) {
        sse -= 2 * b[i] * Xy[i];
        for (size_t j = 0; j < p; j++)
            sse += b[i] * XX[i + j * p] * b[j];
    }
    free(XX);
    free(Xy);
    double l1, l2;
    if (rg_logdet_eval(d->m->ld, th[0], &l1) || rg_logdet_eval(d->m->ld, th[1], &l2)) {
        d->failed = 1;
        return NAN;
    }
    double dn = (double)d->n;
    return l1 + l2 - 0.5 * dn * (LOG_2PI + log(sse / dn) + 1.0);
}

int rg_ml_sac(rg_model *m, agglo_regress_result *r)
{
    agglo_ctx *ctx = m->ctx;
    size_t n = m->n, p = m->p, P = 2 * p, q = p + 2;
    sac_data d = {0};
    d.m = m;
    d.n = n;
    d.p = p;
    double *V = malloc(3 * n * sizeof(double)), *U = malloc(P * n * sizeof(double));
    d.UV = malloc(P * 3 * sizeof(double));
    d.UU = malloc(P * P * sizeof(double));
    d.A = malloc(p * p * sizeof(double));
    d.b = malloc(p * sizeof(double));
    double *H = malloc(q * q * sizeof(double)), *th = malloc(q * sizeof(double));
    int rc = AGGLO_OK;
    if (!V || !U || !d.UV || !d.UU || !d.A || !d.b || !H || !th)
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    if (!rc) {
        memcpy(V, m->y, n * sizeof(double));
        memcpy(V + n, m->Wy, n * sizeof(double));
        agglo_weights_lag(m->w, m->Wy, V + 2 * n);
        memcpy(U, m->X, n * p * sizeof(double));
        memcpy(U + n * p, m->WX, n * p * sizeof(double));
        rg_crossprod(V, n, 3, V, 3, d.VV);
        rg_crossprod(U, n, P, V, 3, d.UV);
        rg_crossprod(U, n, P, U, P, d.UU);
        double lo = r->rho_lower, hi = r->rho_upper, width = hi - lo, LL;
        double rho = rg_maximise(sac_outer, &d, lo + 1e-9 * width, hi - 1e-9 * width, 1e-10, &LL);
        if (d.failed)
            rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
        if (!rc) {
            sac_outer(rho, &d);
            double lam = d.best_lambda;
            r->rho = rho;
            r->lambda = lam;
            sac_sse(&d, rho, lam, r->coef);
            r->loglik = LL;
        }
    }
    if (!rc) {
        r->fitted = malloc(n * sizeof(double));
        r->resid = malloc(n * sizeof(double));
        r->naive_resid = malloc(n * sizeof(double));
        if (!r->fitted || !r->resid || !r->naive_resid)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    double *xb = NULL;
    if (!rc) {
        /* e = (I - lambda W)((I - rho W) y - X b) */
        xb = malloc(n * sizeof(double));
        double *u = r->naive_resid, *Wu = r->fitted;
        if (!xb)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        for (size_t t = 0; t < n && !rc; t++) {
            double f = 0;
            for (size_t j = 0; j < p; j++)
                f += m->X[t + j * n] * r->coef[j];
            xb[t] = f;
            u[t] = m->y[t] - r->rho * m->Wy[t] - f;
        }
        if (!rc) {
            agglo_weights_lag(m->w, u, Wu);
            double sse = 0;
            for (size_t t = 0; t < n; t++) {
                r->resid[t] = u[t] - r->lambda * Wu[t];
                r->fitted[t] = m->y[t] - r->resid[t];
                sse += r->resid[t] * r->resid[t];
            }
            r->sse = sse;
            r->sigma2 = sse / (double)n;
            rc = rg_solve_irw(ctx, m->w, r->rho, xb, r->naive_resid);
            for (size_t t = 0; t < n && !rc; t++)
                r->naive_resid[t] = m->y[t] - r->naive_resid[t];
        }
    }
    if (!rc) {
        r->aic = -2.0 * r->loglik + 2.0 * (double)(p + 3);
        r->sc = -2.0 * r->loglik + log((double)n) * (double)(p + 3);
        r->lr_df = 2;
        r->hessian_se = 1;
        /* central-difference Hessian */
        th[0] = r->rho;
        th[1] = r->lambda;
        memcpy(th + 2, r->coef, p * sizeof(double));
        double f0 = sac_full(&d, th);
        double *h = malloc(q * sizeof(double));
        if (!h)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        for (size_t i = 0; i < q && !rc; i++)
            h[i] = 1e-4 * fmax(fabs(th[i]), 1e-2);
        for (size_t i = 0; i < q && !rc; i++)
            for (size_t j = 0; j <= i; j++) {
                double v;
                if (i == j) {
                    double t = th[i];
                    th[i] = t + h[i];
                    double fp = sac_full(&d, th);
                    th[i] = t - h[i];
                    double fm = sac_full(&d, th);
                    th[i] = t;
                    v = (fp - 2 * f0 + fm) / (h[i] * h[i]);
                } else {
                    double ti = th[i], tj = th[j], f[4];
                    int sg[4][2] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
                    for (int k = 0; k < 4; k++) {
                        th[i] = ti + sg[k][0] * h[i];
                        th[j] = tj + sg[k][1] * h[j];
                        f[k] = sac_full(&d, th);
                    }
                    th[i] = ti;
                    th[j] = tj;
                    v = (f[0] - f[1] - f[2] + f[3]) / (4 * h[i] * h[j]);
                }
                H[i + j * q] = H[j + i * q] = -v;
            }
        free(h);
        if (!rc && d.failed)
            rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
        if (!rc)
            rc = rg_inverse(ctx, H, q);
        if (!rc) {
            r->rho_se = sqrt(H[0]);
            r->lambda_se = sqrt(H[1 + q]);
            for (size_t j = 0; j < p; j++)
                r->se[j] = sqrt(H[(2 + j) + (2 + j) * q]);
            r->rho_z = r->rho / r->rho_se;
            r->rho_p = 2 * agglo_pnorm_upper(fabs(r->rho_z));
            r->lambda_z = r->lambda / r->lambda_se;
            r->lambda_p = 2 * agglo_pnorm_upper(fabs(r->lambda_z));
            rg_ztable(r);
        }
    }
    if (!rc && (m->opts->impacts || m->opts->draws)) {
        /* covariance of (rho, b): drop lambda */
        size_t qq = p + 1;
        double *cov = malloc(qq * qq * sizeof(double));
        if (!cov)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        else {
            for (size_t i = 0; i < qq; i++)
                for (size_t j = 0; j < qq; j++) {
                    size_t a = i == 0 ? 0 : i + 1, b = j == 0 ? 0 : j + 1;
                    cov[i + j * qq] = H[a + b * q];
                }
            rc = rg_impacts_model(m, r, cov);
            free(cov);
        }
    }
    free(xb);
    free(V);
    free(U);
    free(d.UV);
    free(d.UU);
    free(d.A);
    free(d.b);
    free(H);
    free(th);
    return rc;
}
