/* The fixed effects recovered after the within fit (Elhorst 2014, ch. 3.3.2): with a = y -
 * rho W y - X b (lag models) or y - X b (others), region effects mu_i = mean over t of a_it,
 * period effects tau_t = mean over i, for two-way effects an intercept (the grand mean) and
 * the effects as deviations from it. Their variances: sigma2 / T (regions), sigma2 / N
 * (periods), sigma2 / (N T) (intercept) plus g' C g, g the derivative of the effect in (rho,
 * b), C the estimates' covariance. Then the residuals with the effects, each region's mean
 * residual, R2 = 1 - e'e / sum (y - mean y)^2 and the corrected R2, the squared correlation
 * between the transformed y and the fit without the effects (lag models: (I - rho W)^-1 Z b
 * per period), as Elhorst's code reports them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panel_internal.h"

static double qform(const double *v, const double *c, size_t q)
{
    double s = 0;
    for (size_t i = 0; i < q; i++)
        for (size_t j = 0; j < q; j++)
            s += v[i] * c[i + j * q] * v[j];
    return s;
}

int pn_fixed_effects(pn_work *k, agglo_panel_result *r, const double *cov)
{
    agglo_ctx *ctx = k->ctx;
    size_t N = k->N, T = k->T, n = k->n, q = k->q, q1 = q + 1;
    int lag = r->model == AGGLO_PANEL_SAR || r->model == AGGLO_PANEL_SDM;
    double rho = lag ? r->rho : 0;
    double *a = malloc(n * sizeof(double)), *g = calloc(q1, sizeof(double));
    double *gi = calloc((N + T) * q1, sizeof(double)), *gt = gi + N * q1;
    if (!a || !g || !gi) {
        free(a);
        free(g);
        free(gi);
        return agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    }
    /* g rows: derivative of a's means, in (rho, b): -Wy, -Z (raw) */
    for (size_t o = 0; o < n; o++) {
        size_t i = o % N, t = o / N;
        double f = 0;
        for (size_t j = 0; j < q; j++)
            f += k->Zr[o + j * n] * r->coef[j];
        a[o] = k->yr[o] - rho * k->Wyr[o] - f;
        double *ri = gi + i * q1, *rt = gt + t * q1;
        if (lag) {
            ri[0] -= k->Wyr[o] / (double)T;
            rt[0] -= k->Wyr[o] / (double)N;
            g[0] -= k->Wyr[o] / (double)n;
        }
        for (size_t j = 0; j < q; j++) {
            ri[1 + j] -= k->Zr[o + j * n] / (double)T;
            rt[1 + j] -= k->Zr[o + j * n] / (double)N;
            g[1 + j] -= k->Zr[o + j * n] / (double)n;
        }
    }
    int ind = k->eff == AGGLO_PANEL_INDIVIDUAL || k->eff == AGGLO_PANEL_TWOWAYS;
    int tim = k->eff == AGGLO_PANEL_TIME || k->eff == AGGLO_PANEL_TWOWAYS;
    int two = k->eff == AGGLO_PANEL_TWOWAYS;
    double s2 = r->sigma2;
    double grand = 0;
    for (size_t o = 0; o < n; o++)
        grand += a[o];
    grand /= (double)n;
    if (two) {
        r->intercept = grand;
        r->intercept_se = sqrt(s2 / (double)n + qform(g, cov, q1));
    }
    int rc = AGGLO_OK;
    if (ind) {
        r->mu = calloc(N, sizeof(double));
        r->mu_se = calloc(N, sizeof(double));
        if (!r->mu || !r->mu_se)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        for (size_t o = 0; o < n && !rc; o++)
            r->mu[o % N] += a[o] / (double)T;
        for (size_t i = 0; i < N && !rc; i++) {
            double *v = gi + i * q1;
            if (two) {
                r->mu[i] -= grand;
                for (size_t j = 0; j < q1; j++)
                    v[j] -= g[j];
            }
            r->mu_se[i] = sqrt(s2 / (double)T + qform(v, cov, q1));
        }
    }
    if (tim && !rc) {
        r->tau = calloc(T, sizeof(double));
        r->tau_se = calloc(T, sizeof(double));
        if (!r->tau || !r->tau_se)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        for (size_t o = 0; o < n && !rc; o++)
            r->tau[o / N] += a[o] / (double)N;
        for (size_t t = 0; t < T && !rc; t++) {
            double *v = gt + t * q1;
            if (two) {
                r->tau[t] -= grand;
                for (size_t j = 0; j < q1; j++)
                    v[j] -= g[j];
            }
            r->tau_se[t] = sqrt(s2 / (double)N + qform(v, cov, q1));
        }
    }
    /* residuals with the effects, fit, R2s */
    double ym = 0, tss = 0, sse = 0;
    for (size_t o = 0; o < n; o++)
        ym += k->yr[o];
    ym /= (double)n;
    for (size_t o = 0; o < n && !rc; o++) {
        double e = a[o] - (ind ? r->mu[o % N] : 0) - (tim ? r->tau[o / N] : 0) -
                   (two ? grand : 0);
        r->resid[o] = e;
        r->fitted[o] = k->yr[o] - e;
        r->mean_resid[o % N] += e / (double)T;
        sse += e * e;
        tss += (k->yr[o] - ym) * (k->yr[o] - ym);
    }
    r->r2 = 1 - sse / tss;
    /* corrected R2 */
    double *fit = a; /* reuse */
    for (size_t o = 0; o < n && !rc; o++) {
        double f = 0;
        for (size_t j = 0; j < q; j++)
            f += k->Z[o + j * n] * r->coef[j];
        fit[o] = f;
    }
    if (lag && !rc) {
        double *z = malloc(N * sizeof(double));
        if (!z)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        for (size_t t = 0; t < T && !rc; t++) {
            rc = rg_solve_irw(ctx, k->w, rho, fit + t * N, z);
            memcpy(fit + t * N, z, N * sizeof(double));
        }
        free(z);
    }
    if (!rc) {
        double my = 0, mf = 0, sxy = 0, sxx = 0, syy = 0, rs = 0, ts = 0;
        for (size_t o = 0; o < n; o++) {
            my += k->y[o];
            mf += fit[o];
        }
        my /= (double)n;
        mf /= (double)n;
        for (size_t o = 0; o < n; o++) {
            sxy += (k->y[o] - my) * (fit[o] - mf);
            sxx += (fit[o] - mf) * (fit[o] - mf);
            syy += (k->y[o] - my) * (k->y[o] - my);
        }
        r->corr_r2 = sxy * sxy / (sxx * syy);
        /* R2 of the transformed regression: 1 - e'e / y'y (demeaned) */
        for (size_t o = 0; o < n; o++)
            ts += (k->y[o] - my) * (k->y[o] - my);
        rs = r->sse;
        r->r2_within = 1 - rs / ts;
    }
    free(a);
    free(g);
    free(gi);
    return rc;
}
