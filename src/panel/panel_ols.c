/* Non-spatial panel regressions as plm fits them: pooled OLS and the within (fixed effects)
 * estimator with plm's residual degrees of freedom (N T - k minus N, T or N + T - 1 for the
 * effects); the random-effects GLS with Swamy and Arora's variance components (plm's
 * default random.method = "swar"), and Hausman's test of the within against the random
 * effects coefficients (plm phtest). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panel_internal.h"

#define LOG_2PI 1.8378770664093453

int pn_ols(pn_work *k, agglo_panel_result *r, double *cov)
{
    size_t n = k->n, q = k->q, q1 = q + 1;
    rg_ols o;
    int rc = rg_ols_fit(k->ctx, k->Z, n, q, k->y, &o);
    if (rc)
        return rc;
    double lost = k->eff == AGGLO_PANEL_INDIVIDUAL ? (double)k->N
                  : k->eff == AGGLO_PANEL_TIME     ? (double)k->T
                  : k->eff == AGGLO_PANEL_TWOWAYS  ? (double)(k->N + k->T - 1)
                                                   : 0.0;
    r->df = (double)n - (double)q - lost;
    r->sse = o.sse;
    r->sigma2 = o.sse / r->df;
    r->loglik = -0.5 * k->n_eff * (LOG_2PI + log(o.sse / k->n_eff) + 1.0);
    memset(cov, 0, q1 * q1 * sizeof(double));
    for (size_t j = 0; j < q; j++) {
        r->coef[j] = o.beta[j];
        r->se[j] = sqrt(r->sigma2 * o.xtxi[j + j * q]);
        for (size_t i = 0; i < q; i++)
            cov[(1 + i) + (1 + j) * q1] = r->sigma2 * o.xtxi[i + j * q];
    }
    rg_ols_free(&o);
    for (size_t j = 0; j < q; j++) {
        r->stat[j] = r->coef[j] / r->se[j];
        r->p[j] = agglo_pt_two_sided(r->stat[j], r->df);
    }
    return AGGLO_OK;
}

/* x columns (nx of them, raw) into a n x (c + nx) matrix with the constant c */
static int gls_fit(agglo_ctx *ctx, const agglo_panel *p, const double *ym, const double *const *xm,
                   double theta, int within, rg_ols *o, double **Xout)
{
    size_t N = p->N, T = p->T, n = N * T, nx = p->nx, c = within ? 0 : 1, q = c + nx;
    double *X = malloc(n * q * sizeof(double)), *y = malloc(n * sizeof(double));
    if (!X || !y) {
        free(X);
        free(y);
        return agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    }
    for (size_t o2 = 0; o2 < n; o2++) {
        size_t i = o2 % N;
        if (c)
            X[o2] = 1.0 - theta;
        y[o2] = p->y[o2] - theta * ym[i];
        for (size_t j = 0; j < nx; j++)
            X[o2 + (c + j) * n] = p->x[j][o2] - theta * xm[j][i];
    }
    int rc = rg_ols_fit(ctx, X, n, q, y, o);
    free(y);
    if (Xout && !rc)
        *Xout = X;
    else
        free(X);
    return rc;
}

int pn_random(pn_work *k, agglo_panel_result *r)
{
    agglo_ctx *ctx = k->ctx;
    const agglo_panel *p = k->p;
    size_t N = p->N, T = p->T, n = N * T, nx = p->nx, q = nx + 1;
    double *ym = calloc(N, sizeof(double)), *xmem = calloc(N * (nx ? nx : 1), sizeof(double));
    const double **xm = malloc((nx ? nx : 1) * sizeof(double *));
    double *Xb = malloc(N * q * sizeof(double));
    rg_ols ow = {0}, ob = {0}, og = {0};
    int rc = (!ym || !xmem || !xm || !Xb) ? agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory")
                                          : AGGLO_OK;
    if (!rc) {
        for (size_t o = 0; o < n; o++) {
            ym[o % N] += p->y[o] / (double)T;
            for (size_t j = 0; j < nx; j++)
                xmem[j * N + o % N] += p->x[j][o] / (double)T;
        }
        for (size_t j = 0; j < nx; j++)
            xm[j] = xmem + j * N;
        rc = gls_fit(ctx, p, ym, xm, 1.0, 1, &ow, NULL); /* within */
    }
    if (!rc) {
        for (size_t i = 0; i < N; i++) {
            Xb[i] = 1;
            for (size_t j = 0; j < nx; j++)
                Xb[i + (1 + j) * N] = xm[j][i];
        }
        rc = rg_ols_fit(ctx, Xb, N, q, ym, &ob); /* between */
    }
    if (!rc) {
        double s2e = ow.sse / (double)(n - N - nx), s21 = (double)T * ob.sse / (double)(N - q);
        r->sigma2_e = s2e;
        r->sigma2_mu = (s21 - s2e) / (double)T;
        r->theta = s21 > s2e ? 1.0 - sqrt(s2e / s21) : 0.0;
        if (r->sigma2_mu < 0) {
            agglo_warn(ctx, "panel: the Swamy-Arora region variance is negative (%g); set to "
                       "0 (pooled OLS)", r->sigma2_mu);
            r->sigma2_mu = 0;
        }
        rc = gls_fit(ctx, p, ym, xm, r->theta, 0, &og, NULL);
    }
    if (!rc) {
        r->df = (double)(n - q);
        r->sse = og.sse;
        r->sigma2 = og.sse / r->df;
        r->loglik = NAN;
        for (size_t j = 0; j < q; j++) {
            r->coef[j] = og.beta[j];
            r->se[j] = sqrt(r->sigma2 * og.xtxi[j + j * q]);
            r->stat[j] = r->coef[j] / r->se[j];
            r->p[j] = agglo_pt_two_sided(r->stat[j], r->df);
        }
        /* Hausman: (b_w - b_r)' (V_w - V_r)^-1 (b_w - b_r) over the slopes */
        double *D = malloc(nx * nx * sizeof(double) + 1), s2w = ow.sse / (double)(n - N - nx);
        if (!D) {
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        } else if (nx) {
            for (size_t i = 0; i < nx; i++)
                for (size_t j = 0; j < nx; j++)
                    D[i + j * nx] = s2w * ow.xtxi[i + j * nx] -
                                    r->sigma2 * og.xtxi[(1 + i) + (1 + j) * q];
            if (rg_inverse(ctx, D, nx) == AGGLO_OK) {
                double h = 0;
                for (size_t i = 0; i < nx; i++)
                    for (size_t j = 0; j < nx; j++)
                        h += (ow.beta[i] - og.beta[1 + i]) * D[i + j * nx] *
                             (ow.beta[j] - og.beta[1 + j]);
                h = fabs(h); /* as plm's phtest: V_w - V_r need not be definite */
                r->hausman = h;
                r->hausman_df = (int)nx;
                r->hausman_p = agglo_pchisq_upper(h, (double)nx);
            } else {
                agglo_warn(ctx, "panel: the Hausman variance difference is singular; no test");
            }
        }
        free(D);
        /* residuals of the GLS model in the original scale: y - X b */
        for (size_t o = 0; o < n && !rc; o++) {
            double f = r->coef[0];
            for (size_t j = 0; j < nx; j++)
                f += p->x[j][o] * r->coef[1 + j];
            r->fitted[o] = f;
            r->resid[o] = p->y[o] - f;
        }
    }
    rg_ols_free(&ow);
    rg_ols_free(&ob);
    rg_ols_free(&og);
    free(ym);
    free(xmem);
    free(xm);
    free(Xb);
    return rc;
}
