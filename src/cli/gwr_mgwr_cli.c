/* `agglo gwr INPUT --y F --x F1,F2 --multiscale`: multiscale GWR (agglo_mgwr_fit), its
 * mgwr-like summary and per-observation outputs. Called from cmd_gwr.c. */
#define _GNU_SOURCE
#include "gwr_mgwr_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agglo/mgwr.h"

int gwr_mgwr_parse_list(const char *opt, const char *s, size_t p, double *out)
{
    size_t k = 0;
    char **v = cli_split(s, &k);
    int rc = 0;
    if (!v || (k != 1 && k != p)) {
        rc = -1;
        cli_usage("gwr", "%s: give one value or %zu comma-separated values (intercept first)",
                  opt, p);
    }
    for (size_t j = 0; j < k && !rc; j++)
        if (cli_parse_double("gwr", opt, v[j], &out[j]))
            rc = -1;
        else if (!(out[j] > 0))
            rc = -1, cli_usage("gwr", "%s: bandwidths must be positive", opt);
    if (!rc && k == 1)
        for (size_t j = 1; j < p; j++)
            out[j] = out[0];
    if (v)
        for (size_t j = 0; j < k; j++)
            free(v[j]);
    free(v);
    return rc;
}

int gwr_cli_add_col(agglo_ctx *ctx, agglo_table *t, const char *name, const double *v,
                    agglo_col_type type)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", name);
    while (agglo_table_find(t, buf) >= 0) {
        size_t len = strlen(buf);
        if (len + 5 >= sizeof buf)
            break;
        strcat(buf, "_gwr");
    }
    long c = agglo_table_add_numeric(ctx, t, buf, type, v, NULL);
    return c < 0 ? (int)c : AGGLO_OK;
}

int gwr_cli_coef_cols(agglo_ctx *ctx, agglo_table *t, const gwr_cli_coefs *k)
{
    size_t n = k->n, p = k->p;
    double *v = malloc((n ? n : 1) * sizeof(double));
    if (!v)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    int rc = AGGLO_OK;
    char name[256];
    for (size_t j = 0; j < p && !rc; j++) {
        const double *src[3] = {k->beta, k->se, k->tval};
        const char *pre[3] = {"b_", "se_", "t_"};
        for (int q = 0; q < (k->tval ? 3 : 1) && !rc; q++) {
            for (size_t i = 0; i < n; i++)
                v[i] = src[q][i * p + j];
            snprintf(name, sizeof name, "%s%s", pre[q], k->names[j]);
            rc = gwr_cli_add_col(ctx, t, name, v, AGGLO_COL_REAL);
        }
        if (rc || !k->tval)
            continue;
        for (size_t i = 0; i < n; i++) {
            double tv = k->tval[i * p + j];
            v[i] = isnan(tv) ? NAN : (fabs(tv) > k->tcrit[j] ? (tv > 0 ? 1 : -1) : 0);
        }
        snprintf(name, sizeof name, "sig_%s", k->names[j]);
        rc = gwr_cli_add_col(ctx, t, name, v, AGGLO_COL_INTEGER);
    }
    free(v);
    return rc;
}

int gwr_cli_coef_maps(agglo_ctx *ctx, const agglo_layer *L, const gwr_cli_coefs *k,
                      const char *png)
{
    char stem[1024];
    snprintf(stem, sizeof stem, "%s", png);
    char *dot = strrchr(stem, '.');
    char *slash = strrchr(stem, '/');
    if (dot && (!slash || dot > slash))
        *dot = '\0';
    size_t n = k->n, p = k->p;
    double *v = malloc((n ? n : 1) * sizeof(double));
    if (!v)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    int rc = AGGLO_OK;
    for (size_t j = 0; j < p && !rc; j++) {
        char path[1200], title[512];
        for (size_t i = 0; i < n; i++)
            v[i] = k->beta[i * p + j];
        snprintf(path, sizeof path, "%s_%s.png", stem, k->names[j]);
        if (k->bw)
            snprintf(title, sizeof title, "%s local coefficient: %s (bandwidth %g)", k->model,
                     k->names[j], k->bw[j]);
        else
            snprintf(title, sizeof title, "%s local coefficient: %s", k->model, k->names[j]);
        rc = agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_DIVERGING, 7, title, path, NULL);
        if (rc || !k->tval)
            continue;
        for (size_t i = 0; i < n; i++)
            if (!(fabs(k->tval[i * p + j]) > k->tcrit[j]))
                v[i] = NAN;
        snprintf(path, sizeof path, "%s_%s_sig.png", stem, k->names[j]);
        snprintf(title, sizeof title, "%s where |t| > %.3f (adjusted alpha %.4g)", k->names[j],
                 k->tcrit[j], k->alpha[j]);
        rc = agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_DIVERGING, 7, title, path, NULL);
    }
    free(v);
    return rc;
}

/* The coefficient columns and maps of an MGWR result (critical t and alpha per covariate). */
static gwr_cli_coefs coefs_of(const agglo_mgwr_result *r, double *alpha95)
{
    for (size_t j = 0; j < r->p; j++)
        alpha95[j] = r->adj_alpha[j * 3 + 1];
    gwr_cli_coefs k = {r->n,       r->p,   (const char *const *)r->names,
                       r->beta,    r->se,  r->inference ? r->tval : NULL,
                       r->critical_t, alpha95, r->bw,
                       "MGWR"};
    return k;
}

static int add_results(agglo_ctx *ctx, agglo_table *t, const agglo_mgwr_result *r)
{
    double *alpha95 = malloc((r->p ? r->p : 1) * sizeof(double));
    if (!alpha95)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    gwr_cli_coefs k = coefs_of(r, alpha95);
    int rc = gwr_cli_coef_cols(ctx, t, &k);
    if (!rc)
        rc = gwr_cli_add_col(ctx, t, "yhat", r->yhat, AGGLO_COL_REAL);
    if (!rc)
        rc = gwr_cli_add_col(ctx, t, "resid", r->resid, AGGLO_COL_REAL);
    free(alpha95);
    return rc;
}

static int draw_maps(agglo_ctx *ctx, const agglo_layer *L, const agglo_mgwr_result *r,
                     const char *png)
{
    double *alpha95 = malloc((r->p ? r->p : 1) * sizeof(double));
    if (!alpha95)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    gwr_cli_coefs k = coefs_of(r, alpha95);
    int rc = gwr_cli_coef_maps(ctx, L, &k, png);
    free(alpha95);
    return rc;
}

static void report(cli_report *rep, const agglo_mgwr_result *r, const agglo_gwr_options *o,
                   int trace)
{
    char key[400];
    cli_report_section(rep, "mgwr");
    cli_report_int(rep, "n", (long long)r->n);
    cli_report_str(rep, "kernel", agglo_gwr_kernel_name(r->kernel));
    cli_report_str(rep, "type", r->fixed ? "fixed (distance)" : "adaptive (nearest neighbours)");
    cli_report_str(rep, "criterion", agglo_gwr_criterion_name(r->criterion));
    cli_report_str(rep, "search", o->search == AGGLO_GWR_GOLDEN ? "golden section" : "interval");
    cli_report_num(rep, "initial_gwr_bandwidth", r->bw_init);
    cli_report_int(rep, "iterations", (long long)r->niter);
    cli_report_str(rep, "converged", r->converged ? "yes" : "no");
    cli_report_num(rep, "final_soc", r->niter ? r->soc[r->niter - 1] : NAN);
    cli_report_int(rep, "criterion_evaluations", (long long)r->nevals);
    cli_report_str(rep, "inference", r->inference ? "yes" : "no (--no-inference)");

    cli_report_section(rep, "covariates");
    for (size_t j = 0; j < r->p; j++) {
        const char *nm = r->names[j];
        snprintf(key, sizeof key, "%s_bandwidth", nm);
        cli_report_num(rep, key, r->bw[j]);
        snprintf(key, sizeof key, "%s_search_min", nm);
        cli_report_num(rep, key, r->bw_lo[j]);
        snprintf(key, sizeof key, "%s_search_max", nm);
        cli_report_num(rep, key, r->bw_hi[j]);
        if (r->inference) {
            snprintf(key, sizeof key, "%s_enp", nm);
            cli_report_num(rep, key, r->enp[j]);
            snprintf(key, sizeof key, "%s_adj_alpha_95", nm);
            cli_report_num(rep, key, r->adj_alpha[j * 3 + 1]);
            snprintf(key, sizeof key, "%s_adj_t_95", nm);
            cli_report_num(rep, key, r->critical_t[j]);
        }
    }

    cli_report_section(rep, "diagnostics");
    cli_report_num(rep, "rss", r->rss);
    cli_report_num(rep, "log_likelihood", r->llf);
    cli_report_num(rep, "r2", r->r2);
    if (r->inference) {
        cli_report_num(rep, "tr_s", r->tr_s);
        cli_report_num(rep, "sigma", r->sigma);
        cli_report_num(rep, "aic", r->aic);
        cli_report_num(rep, "aicc", r->aicc);
        cli_report_num(rep, "bic", r->bic);
        cli_report_num(rep, "adj_r2", r->adj_r2);
    }

    cli_report_section(rep, "local estimates");
    static const char *st[7] = {"mean", "sd", "min", "q1", "median", "q3", "max"};
    for (size_t j = 0; j < r->p; j++)
        for (int q = 0; q < 7; q++) {
            snprintf(key, sizeof key, "%s_%s", r->names[j], st[q]);
            cli_report_num(rep, key, r->coef_summary[j * 7 + q]);
        }
    if (r->inference)
        for (size_t j = 0; j < r->p; j++) {
            size_t pos = 0, neg = 0;
            for (size_t i = 0; i < r->n; i++) {
                double tv = r->tval[i * r->p + j];
                if (fabs(tv) > r->critical_t[j])
                    *(tv > 0 ? &pos : &neg) += 1;
            }
            snprintf(key, sizeof key, "%s_significant_positive", r->names[j]);
            cli_report_int(rep, key, (long long)pos);
            snprintf(key, sizeof key, "%s_significant_negative", r->names[j]);
            cli_report_int(rep, key, (long long)neg);
        }
    if (trace) {
        cli_report_section(rep, "back-fitting");
        for (size_t it = 0; it < r->niter; it++) {
            snprintf(key, sizeof key, "iter_%zu_soc", it + 1);
            cli_report_num(rep, key, r->soc[it]);
            for (size_t j = 0; j < r->p; j++) {
                snprintf(key, sizeof key, "iter_%zu_bw_%s", it + 1, r->names[j]);
                cli_report_num(rep, key, r->bw_hist[it * r->p + j]);
            }
        }
    }
}

int gwr_mgwr_run(agglo_ctx *ctx, agglo_layer *L, agglo_gwr_model *m, const char *path,
                 const char *yname, const char *xlist, const cli_common *c,
                 const agglo_gwr_options *o, const gwr_mgwr_cli *a)
{
    size_t k = 0;
    char **xs = cli_split(xlist, &k);
    if (xs) {
        for (size_t j = 0; j < k; j++)
            free(xs[j]);
        free(xs);
    }
    size_t p = k + 1;
    double *lo = calloc(p, sizeof(double)), *hi = calloc(p, sizeof(double));
    if (!lo || !hi) {
        free(lo);
        free(hi);
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    }
    int rc = AGGLO_OK;
    /* lists were validated by the caller: parsing cannot fail here */
    if (a->bw_min && gwr_mgwr_parse_list("--bw-min", a->bw_min, p, lo))
        rc = agglo_error(ctx, AGGLO_E_USAGE, "gwr: bad --bw-min");
    if (!rc && a->bw_max && gwr_mgwr_parse_list("--bw-max", a->bw_max, p, hi))
        rc = agglo_error(ctx, AGGLO_E_USAGE, "gwr: bad --bw-max");
    agglo_mgwr_options mo;
    agglo_mgwr_options_init(&mo);
    mo.bw_min = lo;
    mo.bw_max = hi;
    mo.init_bw = a->init_bw;
    if (a->tol > 0)
        mo.tol = a->tol;
    if (a->max_iter > 0)
        mo.max_iter = (int)a->max_iter;
    if (a->mem_mb > 0)
        mo.mem_mb = a->mem_mb;
    mo.inference = !a->no_inference;
    agglo_mgwr_result *r = rc ? NULL : agglo_mgwr_fit(ctx, m, &mo);
    cli_report *rep = NULL;
    if (!rc && !r) {
        rc = agglo_ctx_errcode(ctx);
        char *msg = strdup(agglo_ctx_errmsg(ctx));
        agglo_error(ctx, rc, "%s: %s", path, msg ? msg : agglo_strerror(rc));
        free(msg);
    }
    if (!rc && r) {
        /* the upper end (n neighbours, twice the largest distance) is a global covariate, a
         * legitimate MGWR answer; the lower end may mean the range is too narrow */
        for (size_t j = 0; j < p; j++) {
            double span = r->bw_hi[j] - r->bw_lo[j], tolb = r->fixed ? 1e-3 * span : 1.0;
            if (span > 0 && r->bw[j] - r->bw_lo[j] <= tolb)
                agglo_warn(ctx,
                           "%s: the bandwidth of %s (%g) is at the lower end of its search "
                           "range [%g, %g] (see --bw-min)",
                           path, r->names[j], r->bw[j], r->bw_lo[j], r->bw_hi[j]);
        }
    }
    if (a->no_output) {
        agglo_mgwr_result_free(r);
        free(lo);
        free(hi);
        return rc;
    }
    /* outputs first so a failure leaves nothing half-done on stdout */
    if (!rc && c->out) {
        rc = add_results(ctx, agglo_layer_table_mut(L), r);
        if (!rc) {
            char ext[16];
            agglo_path_ext(c->out, ext, sizeof ext);
            rc = strcmp(ext, "csv") == 0
                     ? cli_write_table_csv(ctx, agglo_layer_table(L), c->out)
                     : agglo_layer_write(ctx, L, c->out, NULL);
        }
    }
    if (!rc && c->png)
        rc = draw_maps(ctx, L, r, c->png);
    if (!rc) {
        char title[512];
        snprintf(title, sizeof title, "MGWR (Gaussian, multiscale) of %s on %s: %s", yname,
                 xlist, path);
        rep = cli_report_create(title);
        cli_report_str(rep, "file", path);
        cli_report_str(rep, "y", yname);
        cli_report_str(rep, "x", xlist);
        cli_report_str(rep, "standardized", o->standardize ? "yes" : "no");
        cli_report_str(rep, "distance", o->great_circle ? "great circle (km)" : "planar");
        report(rep, r, o, a->trace);
        cli_report_print(rep, stdout, c->format);
        if (fflush(stdout) != 0)
            rc = agglo_error(ctx, AGGLO_E_IO, "stdout: write failed");
    }
    cli_report_free(rep);
    agglo_mgwr_result_free(r);
    free(lo);
    free(hi);
    return rc;
}
