/* The panel entry point: checks, the design (constant for pooled models, regressors, their
 * spatial lags for SDM/SDEM/SLX), the within transformation, the likelihood's dimensions
 * (direct approach or Lee-Yu), dispatch to the fits, the fixed effects, tests and impacts. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel_internal.h"

static const char *const model_names[] = {"ols", "sar", "sem", "sdm", "sdem", "slx"};
static const char *const effects_names[] = {"none", "individual", "time", "twoways", "random"};

int agglo_panel_model_parse(const char *name, agglo_panel_model *m)
{
    for (int i = 0; i < 6; i++)
        if (!strcasecmp(name, model_names[i])) {
            *m = (agglo_panel_model)i;
            return 0;
        }
    static const char *const alias[] = {"lag", "error", "durbin"};
    for (int i = 0; i < 3; i++)
        if (!strcasecmp(name, alias[i])) {
            *m = (agglo_panel_model)(i + 1);
            return 0;
        }
    return -1;
}

const char *agglo_panel_model_name(agglo_panel_model m)
{
    return (unsigned)m < 6 ? model_names[m] : NULL;
}

int agglo_panel_effects_parse(const char *name, agglo_panel_effects *e)
{
    for (int i = 0; i < 5; i++)
        if (!strcasecmp(name, effects_names[i])) {
            *e = (agglo_panel_effects)i;
            return 0;
        }
    if (!strcasecmp(name, "pooled")) {
        *e = AGGLO_PANEL_POOLED;
        return 0;
    }
    if (!strcasecmp(name, "twoway") || !strcasecmp(name, "both")) {
        *e = AGGLO_PANEL_TWOWAYS;
        return 0;
    }
    return -1;
}

const char *agglo_panel_effects_name(agglo_panel_effects e)
{
    return (unsigned)e < 5 ? effects_names[e] : NULL;
}

void agglo_panel_options_init(agglo_panel_options *o)
{
    memset(o, 0, sizeof *o);
    o->model = AGGLO_PANEL_SDM;
    o->effects = AGGLO_PANEL_TWOWAYS;
    o->lee_yu = -1;
    o->tests = 1;
    agglo_regress_options_init(&o->reg);
}

void agglo_panel_result_free(agglo_panel_result *r)
{
    if (!r)
        return;
    if (r->names)
        for (size_t j = 0; j < r->k; j++)
            free(r->names[j]);
    free(r->names);
    double **a[] = {&r->coef, &r->se, &r->stat, &r->p, &r->resid, &r->fitted, &r->mean_resid,
                    &r->mu, &r->mu_se, &r->tau, &r->tau_se, &r->direct, &r->indirect,
                    &r->total, &r->direct_se, &r->indirect_se, &r->total_se, &r->direct_z,
                    &r->indirect_z, &r->total_z, &r->direct_p, &r->indirect_p, &r->total_p};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++)
        free(*a[i]);
    free(r->impact_names);
    memset(r, 0, sizeof *r);
}

static void result_init(agglo_panel_result *r)
{
    memset(r, 0, sizeof *r);
    double *nan_fields[] = {
        &r->rho, &r->rho_se, &r->rho_z, &r->rho_p, &r->lambda, &r->lambda_se, &r->lambda_z,
        &r->lambda_p, &r->rho_lower, &r->rho_upper, &r->sse, &r->sigma2, &r->df, &r->loglik,
        &r->aic, &r->bic, &r->r2, &r->corr_r2, &r->r2_within, &r->intercept,
        &r->intercept_se, &r->sigma2_mu, &r->sigma2_e, &r->theta, &r->phi, &r->phi_se, &r->lm_lag, &r->lm_lag_p,
        &r->lm_err, &r->lm_err_p, &r->rlm_lag, &r->rlm_lag_p, &r->rlm_err, &r->rlm_err_p,
        &r->wald_sar, &r->wald_sar_p, &r->wald_sem, &r->wald_sem_p, &r->lr_sar, &r->lr_sar_p,
        &r->lr_sem, &r->lr_sem_p, &r->hausman, &r->hausman_p};
    for (size_t i = 0; i < sizeof nan_fields / sizeof nan_fields[0]; i++)
        *nan_fields[i] = NAN;
}

static void work_free(pn_work *k)
{
    free(k->Zr);
    free(k->Z);
    free(k->WZ);
    free(k->yr);
    free(k->Wyr);
    free(k->y);
    free(k->Wy);
    rg_logdet_free(k->ld);
}

static int row_standardised(const agglo_weights *w)
{
    const size_t *rp = agglo_weights_row_ptr(w);
    const double *v = agglo_weights_values(w);
    for (size_t i = 0; i < agglo_weights_n(w); i++) {
        double s = 0;
        for (size_t a = rp[i]; a < rp[i + 1]; a++)
            s += v[a];
        if (fabs(s - 1) > 1e-10)
            return 0;
    }
    return 1;
}

/* the design and its transformation */
static int work_build(agglo_ctx *ctx, const agglo_panel *p, const agglo_weights *w,
                      const agglo_panel_options *o, int lee_yu, pn_work *k)
{
    size_t N = p->N, T = p->T, n = N * T, nx = p->nx;
    memset(k, 0, sizeof *k);
    k->ctx = ctx;
    k->p = p;
    k->w = w;
    k->opts = o;
    k->N = N;
    k->T = T;
    k->n = n;
    k->eff = o->effects;
    k->lee_yu = lee_yu;
    k->has_const = o->effects == AGGLO_PANEL_POOLED || o->effects == AGGLO_PANEL_RANDOM;
    int wx = o->model == AGGLO_PANEL_SDM || o->model == AGGLO_PANEL_SDEM ||
             o->model == AGGLO_PANEL_SLX;
    k->q = (size_t)k->has_const + nx * (wx ? 2 : 1);
    size_t q = k->q;
    double dN = (double)N, dT = (double)T;
    k->n_eff = dN * dT;
    k->t_eff = dT;
    if (lee_yu) {
        if (o->effects == AGGLO_PANEL_INDIVIDUAL) {
            k->n_eff = dN * (dT - 1);
            k->t_eff = dT - 1;
        } else if (o->effects == AGGLO_PANEL_TIME) {
            k->n_eff = (dN - 1) * dT;
            k->ly_row = 1;
        } else if (o->effects == AGGLO_PANEL_TWOWAYS) {
            k->n_eff = (dN - 1) * (dT - 1);
            k->t_eff = dT - 1;
            k->ly_row = 1;
        }
    }
    k->Zr = malloc(n * q * sizeof(double));
    k->Z = malloc(n * q * sizeof(double));
    k->yr = malloc(n * sizeof(double));
    k->Wyr = malloc(n * sizeof(double));
    k->y = malloc(n * sizeof(double));
    k->Wy = malloc(n * sizeof(double));
    double *work = malloc((N ? N : 1) * sizeof(double));
    int err = o->model == AGGLO_PANEL_SEM || o->model == AGGLO_PANEL_SDEM;
    if (err)
        k->WZ = malloc(n * q * sizeof(double));
    if (!k->Zr || !k->Z || !k->yr || !k->Wyr || !k->y || !k->Wy || !work || (err && !k->WZ)) {
        free(work);
        return agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory for the %zu x %zu design",
                           n, q);
    }
    size_t c = (size_t)k->has_const;
    if (c)
        for (size_t i = 0; i < n; i++)
            k->Zr[i] = 1.0;
    for (size_t j = 0; j < nx; j++) {
        memcpy(k->Zr + (c + j) * n, p->x[j], n * sizeof(double));
        if (wx)
            pn_lag(w, p->x[j], N, T, k->Zr + (c + nx + j) * n);
    }
    memcpy(k->yr, p->y, n * sizeof(double));
    if (w)
        pn_lag(w, p->y, N, T, k->Wyr);
    else
        memset(k->Wyr, 0, n * sizeof(double));
    memcpy(k->Z, k->Zr, n * q * sizeof(double));
    memcpy(k->y, k->yr, n * sizeof(double));
    memcpy(k->Wy, k->Wyr, n * sizeof(double));
    agglo_panel_effects e = o->effects;
    pn_demean(k->y, N, T, e, work);
    pn_demean(k->Wy, N, T, e, work);
    for (size_t j = 0; j < q; j++) {
        pn_demean(k->Z + j * n, N, T, e, work);
        if (err) {
            pn_lag(w, k->Zr + j * n, N, T, k->WZ + j * n);
            pn_demean(k->WZ + j * n, N, T, e, work);
        }
    }
    free(work);
    return AGGLO_OK;
}

static int names_build(agglo_ctx *ctx, const agglo_panel *p, const pn_work *k,
                       agglo_panel_result *r)
{
    size_t nx = p->nx, c = (size_t)k->has_const;
    r->names = calloc(k->q, sizeof(char *));
    if (!r->names)
        return agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    r->k = k->q;
    for (size_t j = 0; j < k->q; j++) {
        int ok;
        if (c && j == 0)
            ok = (r->names[j] = strdup("CONSTANT")) != NULL;
        else if (j < c + nx)
            ok = (r->names[j] = strdup(p->xnames[j - c])) != NULL;
        else
            ok = asprintf(&r->names[j], "W_%s", p->xnames[j - c - nx]) >= 0;
        if (!ok) {
            r->names[j] = NULL;
            return agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        }
    }
    return AGGLO_OK;
}

int agglo_panel_fit(agglo_ctx *ctx, const agglo_panel *p, const agglo_weights *w,
                    const agglo_panel_options *o, agglo_panel_result *r)
{
    result_init(r);
    agglo_panel_model model = o->model;
    agglo_panel_effects eff = o->effects;
    int spatial = model == AGGLO_PANEL_SAR || model == AGGLO_PANEL_SEM ||
                  model == AGGLO_PANEL_SDM || model == AGGLO_PANEL_SDEM;
    if ((unsigned)model > AGGLO_PANEL_SLX || (unsigned)eff > AGGLO_PANEL_RANDOM)
        return agglo_error(ctx, AGGLO_E_USAGE, "panel: unknown model or effects");
    if (eff == AGGLO_PANEL_RANDOM && model == AGGLO_PANEL_SLX)
        return agglo_error(ctx, AGGLO_E_USAGE, "panel: random effects are available for the "
                           "ols, sar, sdm, sem and sdem models");
    if (!w && (model != AGGLO_PANEL_OLS || (o->tests && eff != AGGLO_PANEL_RANDOM)))
        return agglo_error(ctx, AGGLO_E_USAGE, "panel: the %s model needs weights",
                           agglo_panel_model_name(model));
    if (w && agglo_weights_n(w) != p->N)
        return agglo_error(ctx, AGGLO_E_MISMATCH, "panel: the weights have %zu regions, the "
                           "panel %zu", agglo_weights_n(w), p->N);
    if (w && agglo_weights_islands(w) && (spatial || o->tests))
        return agglo_error(ctx, AGGLO_E_NONEIGHBOURS, "panel: %zu region(s) without "
                           "neighbours (first: %s); the spatial panel models need every region "
                           "connected", agglo_weights_islands(w), agglo_weights_id(w, 0));
    if (p->T < 2 && eff != AGGLO_PANEL_POOLED)
        return agglo_error(ctx, AGGLO_E_EMPTY, "panel: effects need at least two periods");
    int lee_yu = o->lee_yu < 0 ? eff == AGGLO_PANEL_TWOWAYS : o->lee_yu;
    if (eff == AGGLO_PANEL_POOLED || eff == AGGLO_PANEL_RANDOM || !spatial)
        lee_yu = 0;
    if (lee_yu && (eff == AGGLO_PANEL_TIME || eff == AGGLO_PANEL_TWOWAYS) &&
        !row_standardised(w))
        return agglo_error(ctx, AGGLO_E_USAGE, "panel: the Lee-Yu transformation with time "
                           "effects needs row-standardised weights (or --no-lee-yu)");
    pn_work k;
    int rc = work_build(ctx, p, w, o, lee_yu, &k);
    r->model = model;
    r->effects = eff;
    r->lee_yu = lee_yu;
    r->N = p->N;
    r->T = p->T;
    r->nobs = k.n;
    r->n_eff = k.n_eff;
    r->nx = p->nx;
    size_t q = k.q, q1 = q + 1, n = k.n;
    double *cov = calloc(q1 * q1, sizeof(double));
    if (!rc && !cov)
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    if (!rc)
        rc = names_build(ctx, p, &k, r);
    if (!rc) {
        r->coef = calloc(q, sizeof(double));
        r->se = calloc(q, sizeof(double));
        r->stat = calloc(q, sizeof(double));
        r->p = calloc(q, sizeof(double));
        r->resid = calloc(n, sizeof(double));
        r->fitted = calloc(n, sizeof(double));
        r->mean_resid = calloc(p->N, sizeof(double));
        if (!r->coef || !r->se || !r->stat || !r->p || !r->resid || !r->fitted ||
            !r->mean_resid)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    }
    if (!rc && spatial) {
        k.ld = rg_logdet_create(ctx, w, o->reg.method, &o->reg);
        if (!k.ld)
            rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
        else {
            r->method = rg_logdet_method(k.ld);
            rg_logdet_interval(k.ld, &r->rho_lower, &r->rho_upper);
            double width = r->rho_upper - r->rho_lower;
            k.rho_lo = r->rho_lower + 1e-9 * width;
            k.rho_hi = r->rho_upper - 1e-9 * width;
        }
    }
    if (!rc) {
        if (eff == AGGLO_PANEL_RANDOM && (model == AGGLO_PANEL_SAR || model == AGGLO_PANEL_SDM))
            rc = pn_re_lag(&k, r, cov);
        else if (eff == AGGLO_PANEL_RANDOM && spatial)
            rc = pn_re_error(&k, r, cov);
        else if (eff == AGGLO_PANEL_RANDOM)
            rc = pn_random(&k, r);
        else if (model == AGGLO_PANEL_SAR || model == AGGLO_PANEL_SDM)
            rc = pn_ml_lag(&k, r, cov);
        else if (spatial)
            rc = pn_ml_error(&k, r, cov);
        else
            rc = pn_ols(&k, r, cov);
    }
    if (!rc && spatial) {
        for (size_t j = 0; j < q; j++) {
            r->stat[j] = r->coef[j] / r->se[j];
            r->p[j] = 2 * agglo_pnorm_upper(fabs(r->stat[j]));
        }
    }
    if (!rc && !isnan(r->loglik)) {
        double npar = (double)q + 1 + (spatial ? 1 : 0) + (eff == AGGLO_PANEL_RANDOM ? 1 : 0);
        r->aic = -2 * r->loglik + 2 * npar;
        r->bic = -2 * r->loglik + log((double)n) * npar;
    }
    if (!rc && eff != AGGLO_PANEL_RANDOM)
        rc = pn_fixed_effects(&k, r, cov);
    if (!rc && o->tests && w)
        rc = pn_lm_tests(&k, r);
    if (!rc && o->tests && model == AGGLO_PANEL_SDM) {
        rc = pn_sdm_tests(&k, r, cov);
        /* LR against the lag and error models fitted on the same data */
        for (int m = 0; m < 2 && !rc; m++) {
            agglo_panel_options oo = *o;
            oo.model = m == 0 ? AGGLO_PANEL_SAR : AGGLO_PANEL_SEM;
            oo.tests = 0;
            oo.reg.impacts = 0;
            oo.reg.draws = 0;
            oo.lee_yu = lee_yu;
            agglo_panel_result rr;
            rc = agglo_panel_fit(ctx, p, w, &oo, &rr);
            if (!rc) {
                double lr = 2 * (r->loglik - rr.loglik), pv = agglo_pchisq_upper(lr, (double)p->nx);
                if (m == 0) {
                    r->lr_sar = lr;
                    r->lr_sar_p = pv;
                } else {
                    r->lr_sem = lr;
                    r->lr_sem_p = pv;
                }
            }
            agglo_panel_result_free(&rr);
        }
    }
    if (!rc && (o->reg.impacts || o->reg.draws) && model != AGGLO_PANEL_OLS &&
        model != AGGLO_PANEL_SEM)
        rc = pn_impacts(&k, r, cov);
    free(cov);
    work_free(&k);
    if (rc) {
        agglo_panel_result_free(r);
        result_init(r);
    }
    return rc;
}
