/* The regression entry point: checks the inputs, builds the design (constant, regressors,
 * their spatial lags for the Durbin/SLX forms), fits OLS and dispatches to the ML fits. */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "regress_internal.h"

static const char *const model_names[] = {"ols", "lag", "error", "durbin", "sdem", "sac", "slx"};

int agglo_regress_model_parse(const char *name, agglo_regress_model *model)
{
    for (int i = 0; i < 7; i++)
        if (!strcasecmp(name, model_names[i])) {
            *model = (agglo_regress_model)i;
            return 0;
        }
    if (!strcasecmp(name, "sarar")) {
        *model = AGGLO_REG_SAC;
        return 0;
    }
    return -1;
}

const char *agglo_regress_model_name(agglo_regress_model model)
{
    return (unsigned)model < 7 ? model_names[model] : NULL;
}

void agglo_regress_options_init(agglo_regress_options *o)
{
    memset(o, 0, sizeof *o);
    o->model = AGGLO_REG_OLS;
    o->method = AGGLO_LOGDET_AUTO;
    o->auto_eigen_max_n = 1000;
    o->trace_order = 30;
    o->seed = 12345;
    o->cheb_order = 5;
    o->mc_vectors = 16;
    o->mc_order = 30;
}

void agglo_regress_result_free(agglo_regress_result *r)
{
    if (!r)
        return;
    if (r->names)
        for (size_t j = 0; j < r->k; j++)
            free(r->names[j]);
    free(r->names);
    free(r->coef);
    free(r->se);
    free(r->stat);
    free(r->p);
    free(r->fitted);
    free(r->resid);
    free(r->naive_resid);
    free(r->impact_names);
    double **imp[] = {&r->direct, &r->indirect, &r->total, &r->direct_se, &r->indirect_se,
                      &r->total_se, &r->direct_z, &r->indirect_z, &r->total_z, &r->direct_p,
                      &r->indirect_p, &r->total_p};
    for (size_t i = 0; i < sizeof imp / sizeof imp[0]; i++)
        free(*imp[i]);
    memset(r, 0, sizeof *r);
}

static void result_init(agglo_regress_result *r)
{
    memset(r, 0, sizeof *r);
    double *nan_fields[] = {
        &r->sse, &r->sigma2, &r->r2, &r->adj_r2, &r->f, &r->f_p, &r->loglik, &r->aic, &r->sc,
        &r->cond, &r->jb, &r->jb_p, &r->bp, &r->bp_p, &r->kb, &r->kb_p, &r->white, &r->white_p,
        &r->moran_i, &r->moran_e, &r->moran_var, &r->moran_z, &r->moran_p, &r->lm_err,
        &r->lm_err_p, &r->lm_lag, &r->lm_lag_p, &r->rlm_err, &r->rlm_err_p, &r->rlm_lag,
        &r->rlm_lag_p, &r->sarma, &r->sarma_p, &r->rho, &r->rho_se, &r->rho_z, &r->rho_p,
        &r->lambda, &r->lambda_se, &r->lambda_z, &r->lambda_p, &r->loglik_ols, &r->aic_ols,
        &r->lr, &r->lr_df, &r->lr_p, &r->wald, &r->wald_p, &r->lm_resid, &r->lm_resid_p,
        &r->rho_lower, &r->rho_upper, &r->logdet_se};
    for (size_t i = 0; i < sizeof nan_fields / sizeof nan_fields[0]; i++)
        *nan_fields[i] = NAN;
}

/* 1 when every row of w sums to 1 (up to rounding) or w carries the W style */
static int row_standardised(const agglo_weights *w)
{
    if (agglo_weights_transform_style(w) == AGGLO_TRANSFORM_W)
        return 1;
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const double *v = agglo_weights_values(w);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = rp[i]; k < rp[i + 1]; k++)
            s += v[k];
        if (fabs(s - 1.0) > 1e-10)
            return 0;
    }
    return 1;
}

static int check_islands(agglo_ctx *ctx, const agglo_weights *w)
{
    size_t isl = agglo_weights_islands(w);
    if (!isl)
        return AGGLO_OK;
    char buf[512];
    size_t len = 0, shown = 0, n = agglo_weights_n(w);
    buf[0] = 0;
    for (size_t i = 0; i < n && shown < 10; i++)
        if (agglo_weights_cardinality(w, i) == 0) {
            int m = snprintf(buf + len, sizeof buf - len, "%s%s", shown ? ", " : "",
                             agglo_weights_id(w, i));
            if (m < 0 || (size_t)m >= sizeof buf - len)
                break;
            len += (size_t)m;
            shown++;
        }
    return agglo_error(ctx, AGGLO_E_NONEIGHBOURS,
                       "regression: %zu observation(s) have no neighbours (ids %s%s); spatial "
                       "regression needs every observation linked: choose other weights or "
                       "subset the layer",
                       isl, buf, isl > shown ? ", ..." : "");
}

static char *xstrdup(const char *s)
{
    char *d = malloc(strlen(s) + 1);
    if (d)
        strcpy(d, s);
    return d;
}

int agglo_regress_fit(agglo_ctx *ctx, const double *y, const double *const *x,
                      const char *const *xnames, size_t n, size_t nx, const agglo_weights *w,
                      const agglo_regress_options *opts, agglo_regress_result *out)
{
    agglo_regress_options defaults;
    if (!opts) {
        agglo_regress_options_init(&defaults);
        opts = &defaults;
    }
    result_init(out);
    agglo_regress_model model = opts->model;
    if ((unsigned)model > AGGLO_REG_SLX)
        return agglo_error(ctx, AGGLO_E_USAGE, "regression: unknown model %d", (int)model);
    if (!y || (nx && (!x || !xnames)))
        return agglo_error(ctx, AGGLO_E_USAGE, "regression: missing data");
    if (model != AGGLO_REG_OLS && !w)
        return agglo_error(ctx, AGGLO_E_USAGE, "regression: the %s model needs weights",
                           agglo_regress_model_name(model));
    if (w && agglo_weights_n(w) != n)
        return agglo_error(ctx, AGGLO_E_MISMATCH,
                           "regression: the weights have %zu observations, the data %zu",
                           agglo_weights_n(w), n);
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(y[t]))
            return agglo_error(ctx, AGGLO_E_MISSING, "regression: dependent variable missing "
                               "or not finite at row %zu (id %s)", t + 1,
                               w ? agglo_weights_id(w, t) : "?");
        for (size_t j = 0; j < nx; j++)
            if (!isfinite(x[j][t]))
                return agglo_error(ctx, AGGLO_E_MISSING, "regression: %s missing or not "
                                   "finite at row %zu (id %s)", xnames[j], t + 1,
                                   w ? agglo_weights_id(w, t) : "?");
    }
    int rc;
    if (w && (rc = check_islands(ctx, w)))
        return rc;
    int lagx = model == AGGLO_REG_DURBIN || model == AGGLO_REG_SDEM || model == AGGLO_REG_SLX;
    /* spatialreg's rule: the lagged constant enters unless W is row-standardised */
    int lag_const = lagx && !row_standardised(w);
    size_t p = 1 + nx + (lagx ? nx + (size_t)lag_const : 0);
    out->model = model;
    out->n = n;
    out->k = p;
    out->names = calloc(p, sizeof(char *));
    out->coef = calloc(p, sizeof(double));
    out->se = calloc(p, sizeof(double));
    out->stat = calloc(p, sizeof(double));
    out->p = calloc(p, sizeof(double));
    double *X = malloc(n * p * sizeof(double));
    if (!out->names || !out->coef || !out->se || !out->stat || !out->p || !X) {
        free(X);
        agglo_regress_result_free(out);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    out->names[0] = xstrdup("CONSTANT");
    for (size_t t = 0; t < n; t++)
        X[t] = 1.0;
    for (size_t j = 0; j < nx; j++) {
        out->names[1 + j] = xstrdup(xnames[j]);
        memcpy(X + (1 + j) * n, x[j], n * sizeof(double));
    }
    if (lagx) {
        size_t c = 1 + nx;
        if (lag_const) {
            out->names[c] = xstrdup("W_CONSTANT");
            agglo_weights_lag(w, X, X + c * n);
            c++;
        }
        for (size_t j = 0; j < nx; j++, c++) {
            size_t len = strlen(xnames[j]) + 3;
            out->names[c] = malloc(len);
            if (out->names[c])
                snprintf(out->names[c], len, "W_%s", xnames[j]);
            agglo_weights_lag(w, x[j], X + c * n);
        }
    }
    for (size_t j = 0; j < p; j++)
        if (!out->names[j]) {
            free(X);
            agglo_regress_result_free(out);
            return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        }
    rg_ols o;
    rc = rg_ols_fit(ctx, X, n, p, y, &o);
    if (rc) {
        free(X);
        agglo_regress_result_free(out);
        return rc;
    }
    if (model == AGGLO_REG_OLS || model == AGGLO_REG_SLX) {
        rc = rg_ols_report(ctx, &o, y, out);
        if (!rc)
            rc = rg_ols_diagnostics(ctx, X, n, p, &o, out);
        if (!rc && w)
            rc = rg_lm_tests(ctx, X, n, p, y, &o, w, out);
        out->fitted = o.fitted;
        out->resid = o.resid;
        o.fitted = o.resid = NULL;
        if (!rc && model == AGGLO_REG_SLX) {
            /* impacts: direct b, indirect t (the W X coefficient), total b + t, with the
             * OLS covariance (spatialreg impacts of lmSLX) */
            size_t m = nx, off = 1 + nx + (size_t)lag_const;
            out->nimpacts = m;
            out->impacts_exact = 1;
            out->impact_names = calloc(m ? m : 1, sizeof(char *));
            double **arr[] = {&out->direct, &out->indirect, &out->total, &out->direct_se,
                              &out->indirect_se, &out->total_se, &out->direct_z,
                              &out->indirect_z, &out->total_z, &out->direct_p,
                              &out->indirect_p, &out->total_p};
            for (size_t a = 0; a < 12; a++)
                *arr[a] = calloc(m ? m : 1, sizeof(double));
            double s2 = o.sse / (double)(n - p), df = (double)(n - p);
            for (size_t j = 0; j < m && out->total_p; j++) {
                size_t b = 1 + j, t = off + j;
                out->impact_names[j] = out->names[b];
                out->direct[j] = o.beta[b];
                out->indirect[j] = o.beta[t];
                out->total[j] = o.beta[b] + o.beta[t];
                out->direct_se[j] = sqrt(s2 * o.xtxi[b + b * p]);
                out->indirect_se[j] = sqrt(s2 * o.xtxi[t + t * p]);
                out->total_se[j] = sqrt(s2 * (o.xtxi[b + b * p] + o.xtxi[t + t * p] +
                                              2 * o.xtxi[b + t * p]));
                out->direct_z[j] = out->direct[j] / out->direct_se[j];
                out->indirect_z[j] = out->indirect[j] / out->indirect_se[j];
                out->total_z[j] = out->total[j] / out->total_se[j];
                out->direct_p[j] = agglo_pt_two_sided(out->direct_z[j], df);
                out->indirect_p[j] = agglo_pt_two_sided(out->indirect_z[j], df);
                out->total_p[j] = agglo_pt_two_sided(out->total_z[j], df);
            }
            if (!out->total_p || !out->impact_names)
                rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        }
        rg_ols_free(&o);
        free(X);
        if (rc)
            agglo_regress_result_free(out);
        return rc;
    }
    /* maximum likelihood */
    out->loglik_ols = rg_loglik(n, o.sse);
    out->aic_ols = -2.0 * out->loglik_ols + 2.0 * (double)(p + 1);
    rg_ols_free(&o);
    double *WX = malloc(n * p * sizeof(double)), *Wy = malloc(n * sizeof(double));
    rg_logdet *ld = NULL;
    if (!WX || !Wy)
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    else {
        rg_lag_cols(w, X, n, p, WX);
        agglo_weights_lag(w, y, Wy);
        ld = rg_logdet_create(ctx, w, opts->method, opts);
        if (!ld)
            rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
    }
    if (!rc) {
        rg_model m = {ctx, w, n, p, X, WX, y, Wy, ld, opts, 0};
        out->method = rg_logdet_method(ld);
        rg_logdet_interval(ld, &out->rho_lower, &out->rho_upper);
        if (model == AGGLO_REG_LAG || model == AGGLO_REG_DURBIN)
            rc = rg_ml_lag(&m, out);
        else if (model == AGGLO_REG_ERROR || model == AGGLO_REG_SDEM)
            rc = rg_ml_error(&m, out);
        else
            rc = rg_ml_sac(&m, out);
        if (!rc && out->lr_df > 0) {
            out->lr = 2.0 * (out->loglik - out->loglik_ols);
            out->lr_p = agglo_pchisq_upper(out->lr, out->lr_df);
        }
    }
    rg_logdet_free(ld);
    free(WX);
    free(Wy);
    free(X);
    if (rc)
        agglo_regress_result_free(out);
    return rc;
}
