/* Tests: LM and robust LM tests for a spatial lag and a spatial error on the OLS residuals
 * of the transformed panel (Anselin 1988; Anselin, Bera, Florax & Yoon 1996; for panels
 * Debarsy & Ertur 2010, Elhorst 2014 ch. 3.4, his LMsarsem_panel): with e the residuals of
 * the transformed y on the transformed X, sigma2 = e'e / N T, T_W = tr(W'W + W W),
 *   LM_err = (e'W e / sigma2)^2 / (T T_W),  LM_lag = (e'W y / sigma2)^2 / J,
 *   J = [(W X b)' M (W X b) + T T_W sigma2] / sigma2,
 * and the robust forms; W applies per period. Wald tests of the Durbin model against the
 * lag (theta = 0) and the error model (theta + rho b = 0, delta method). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panel_internal.h"

static double dotv(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

int pn_lm_tests(pn_work *k, agglo_panel_result *r)
{
    agglo_ctx *ctx = k->ctx;
    size_t n = k->n, N = k->N, T = k->T, p = (size_t)k->has_const + k->p->nx;
    rg_ols o = {0}, om = {0};
    double *wxb = malloc(n * sizeof(double)), *we = malloc(n * sizeof(double));
    double *wy = malloc(n * sizeof(double));
    int rc = (!wxb || !we || !wy) ? agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory")
                                  : rg_ols_fit(ctx, k->Z, n, p, k->y, &o);
    if (!rc) {
        pn_lag(k->w, o.fitted, N, T, wxb);
        pn_lag(k->w, o.resid, N, T, we);
        pn_lag(k->w, k->y, N, T, wy);
        rc = rg_ols_fit(ctx, k->Z, n, p, wxb, &om);
    }
    if (!rc) {
        const size_t *rp = agglo_weights_row_ptr(k->w);
        const int32_t *col = agglo_weights_col(k->w);
        const double *v = agglo_weights_values(k->w);
        double tw = 0;
        for (size_t i = 0; i < N; i++)
            for (size_t a = rp[i]; a < rp[i + 1]; a++) {
                size_t j = (size_t)col[a];
                tw += v[a] * v[a];
                for (size_t b = rp[j]; b < rp[j + 1]; b++)
                    if ((size_t)col[b] == i)
                        tw += v[a] * v[b];
            }
        double TT = (double)T * tw, s2 = o.sse / (double)n;
        double le = dotv(o.resid, we, n) / s2, ll = dotv(o.resid, wy, n) / s2;
        double J = (om.sse + TT * s2) / s2;
        r->lm_err = le * le / TT;
        r->lm_lag = ll * ll / J;
        r->rlm_lag = (ll - le) * (ll - le) / (J - TT);
        r->rlm_err = (le - TT / J * ll) * (le - TT / J * ll) / (TT * (1 - TT / J));
        r->lm_err_p = agglo_pchisq_upper(r->lm_err, 1);
        r->lm_lag_p = agglo_pchisq_upper(r->lm_lag, 1);
        r->rlm_lag_p = agglo_pchisq_upper(r->rlm_lag, 1);
        r->rlm_err_p = agglo_pchisq_upper(r->rlm_err, 1);
    }
    rg_ols_free(&o);
    rg_ols_free(&om);
    free(wxb);
    free(we);
    free(wy);
    return rc;
}

int pn_sdm_tests(pn_work *k, agglo_panel_result *r, const double *cov)
{
    size_t nx = k->p->nx, c = (size_t)k->has_const, q1 = k->q + 1;
    if (!nx)
        return AGGLO_OK;
    double *V = malloc(nx * nx * sizeof(double)), *R = malloc(nx * sizeof(double));
    double *G = calloc(nx * q1, sizeof(double));
    if (!V || !R || !G) {
        free(V);
        free(R);
        free(G);
        return agglo_error(k->ctx, AGGLO_E_NOMEM, "panel: out of memory");
    }
    r->wald_df = (int)nx;
    for (int which = 0; which < 2; which++) {
        /* G: nx x q1 Jacobian of the restrictions in (rho, b) */
        memset(G, 0, nx * q1 * sizeof(double));
        for (size_t j = 0; j < nx; j++) {
            size_t b = 1 + c + j, t = 1 + c + nx + j;
            G[j + t * nx] = 1;
            R[j] = r->coef[t - 1];
            if (which == 1) {
                G[j] = r->coef[b - 1];
                G[j + b * nx] = r->rho;
                R[j] += r->rho * r->coef[b - 1];
            }
        }
        for (size_t i = 0; i < nx; i++)
            for (size_t j = 0; j < nx; j++) {
                double s = 0;
                for (size_t a = 0; a < q1; a++)
                    for (size_t b = 0; b < q1; b++)
                        s += G[i + a * nx] * cov[a + b * q1] * G[j + b * nx];
                V[i + j * nx] = s;
            }
        double w = NAN;
        if (rg_inverse(k->ctx, V, nx) == AGGLO_OK) {
            w = 0;
            for (size_t i = 0; i < nx; i++)
                for (size_t j = 0; j < nx; j++)
                    w += R[i] * V[i + j * nx] * R[j];
        }
        if (which == 0) {
            r->wald_sar = w;
            r->wald_sar_p = agglo_pchisq_upper(w, (double)nx);
        } else {
            r->wald_sem = w;
            r->wald_sem_p = agglo_pchisq_upper(w, (double)nx);
        }
    }
    free(V);
    free(R);
    free(G);
    return AGGLO_OK;
}
