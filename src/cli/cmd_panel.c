/* agglo panel: spatial panel models (options, one agglo_panel_fit call, an xsmle-like report:
 * Main, Wx, Spatial, Variance, LR_Direct/LR_Indirect/LR_Total; --out the region effects and
 * mean residuals on the polygons). */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

enum { PN_TIME = 3000, PN_Y, PN_X, PN_WEIGHTS, PN_REGIONS, PN_REGION_ID, PN_MODEL, PN_EFFECTS,
       PN_LEEYU, PN_NOLEEYU, PN_IMPACTS, PN_DRAWS, PN_METHOD, PN_WIDE, PN_TRANSFORM,
       PN_NOTESTS, PN_TRACES };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo panel TABLE --id F --time F --y F --x F1,F2,... --weights SPEC|FILE\n"
            "                   [--regions POLYGONS --region-id F] [options]\n"
            "Spatial panel models by maximum likelihood after the within transformation\n"
            "(Elhorst 2014; Lee & Yu 2010); docs/panel.md.\n"
            "  --id FIELD            region id of the table\n"
            "  --time FIELD          period (any sortable value; numeric order when numbers)\n"
            "  --wide                one row per region, columns VAR_PERIOD (no --time)\n"
            "  --y FIELD, --x F,...  dependent variable and regressors\n"
            "  --weights SPEC|FILE   a .gal/.gwt file with the region ids, or a spec (queen,\n"
            "                        rook, knn:K, ...) built from --regions\n"
            "  --regions POLYGONS    the regions' polygons (with --region-id FIELD)\n"
            "  --transform T         W row-standardised (default), B, C, S, U, minmax, V\n"
            "  --model M             ols, sar, sem, sdm (default), sdem, slx\n"
            "  --effects E           none, individual, time, twoways (default), random\n"
            "  --lee-yu, --no-lee-yu Lee-Yu transformation (default: on for twoways)\n"
            "  --method M            log-determinant: auto, eigen, sparse, lu, chebyshev, mc\n"
            "  --impacts             direct, indirect and total effects\n"
            "  --draws R             simulated inference for the impacts (--seed)\n"
            "  --traces              trace-based impacts even when exact ones are possible\n"
            "  --no-tests            skip the LM, Wald and LR tests\n"
            "  --out FILE            region effects (fe, fe_se) and mean residuals on the\n"
            "                        --regions polygons\n"
            "%s",
            cli_common_help);
}

static void coef_rows(cli_report *rep, const agglo_panel_result *r, size_t from, size_t to)
{
    char key[512];
    for (size_t j = from; j < to; j++) {
        snprintf(key, sizeof key, "%s", r->names[j]);
        cli_report_num(rep, key, r->coef[j]);
        snprintf(key, sizeof key, "%s_se", r->names[j]);
        cli_report_num(rep, key, r->se[j]);
        snprintf(key, sizeof key, "%s_%s", r->names[j], isnan(r->df) ? "z" : "t");
        cli_report_num(rep, key, r->stat[j]);
        snprintf(key, sizeof key, "%s_p", r->names[j]);
        cli_report_num(rep, key, r->p[j]);
    }
}

static void impact_block(cli_report *rep, const agglo_panel_result *r, const char *sec,
                         const double *v, const double *se, const double *z, const double *p)
{
    char key[512];
    cli_report_section(rep, sec);
    for (size_t j = 0; j < r->nimpacts; j++) {
        cli_report_num(rep, r->impact_names[j], v[j]);
        if (se) {
            snprintf(key, sizeof key, "%s_se", r->impact_names[j]);
            cli_report_num(rep, key, se[j]);
            snprintf(key, sizeof key, "%s_z", r->impact_names[j]);
            cli_report_num(rep, key, z[j]);
            snprintf(key, sizeof key, "%s_p", r->impact_names[j]);
            cli_report_num(rep, key, p[j]);
        }
    }
}

static void report(cli_report *rep, const agglo_panel_result *r, const agglo_panel *p)
{
    cli_report_section(rep, "model");
    cli_report_str(rep, "model", agglo_panel_model_name(r->model));
    cli_report_str(rep, "effects", agglo_panel_effects_name(r->effects));
    cli_report_str(rep, "lee_yu", r->lee_yu ? "yes" : "no");
    cli_report_str(rep, "dependent", p->yname);
    cli_report_int(rep, "regions", (long long)r->N);
    cli_report_int(rep, "periods", (long long)r->T);
    cli_report_str(rep, "first_period", p->times[0]);
    cli_report_str(rep, "last_period", p->times[p->T - 1]);
    cli_report_int(rep, "observations", (long long)r->nobs);
    cli_report_num(rep, "n_eff", r->n_eff);
    if (!isnan(r->rho_lower))
        cli_report_str(rep, "logdet_method", agglo_logdet_method_name(r->method));
    cli_report_num(rep, "log_likelihood", r->loglik);
    cli_report_num(rep, "aic", r->aic);
    cli_report_num(rep, "bic", r->bic);
    cli_report_num(rep, "r2", r->r2);
    cli_report_num(rep, "corr_r2", r->corr_r2);
    cli_report_num(rep, "r2_within", r->r2_within);
    if (!isnan(r->df))
        cli_report_num(rep, "df_residual", r->df);
    size_t c = r->k - r->nx * ((r->model == AGGLO_PANEL_SDM || r->model == AGGLO_PANEL_SDEM ||
                                r->model == AGGLO_PANEL_SLX) ? 2 : 1);
    cli_report_section(rep, "Main");
    coef_rows(rep, r, 0, c + r->nx);
    if (c + r->nx < r->k) {
        cli_report_section(rep, "Wx");
        coef_rows(rep, r, c + r->nx, r->k);
    }
    if (!isnan(r->rho) || !isnan(r->lambda)) {
        int lag = !isnan(r->rho);
        const char *nm = lag ? "rho" : "lambda";
        char key[64];
        cli_report_section(rep, "Spatial");
        cli_report_num(rep, nm, lag ? r->rho : r->lambda);
        snprintf(key, sizeof key, "%s_se", nm);
        cli_report_num(rep, key, lag ? r->rho_se : r->lambda_se);
        snprintf(key, sizeof key, "%s_z", nm);
        cli_report_num(rep, key, lag ? r->rho_z : r->lambda_z);
        snprintf(key, sizeof key, "%s_p", nm);
        cli_report_num(rep, key, lag ? r->rho_p : r->lambda_p);
        cli_report_str(rep, "se_from", "hessian");
    }
    cli_report_section(rep, "Variance");
    cli_report_num(rep, "sigma2_e", r->sigma2);
    if (r->effects == AGGLO_PANEL_RANDOM) {
        cli_report_num(rep, "sigma2_idiosyncratic", r->sigma2_e);
        cli_report_num(rep, "sigma2_mu", r->sigma2_mu);
        cli_report_num(rep, "theta", r->theta);
        if (!isnan(r->phi)) {
            cli_report_num(rep, "phi", r->phi);
            cli_report_num(rep, "phi_se", r->phi_se);
        }
    }
    if (!isnan(r->intercept)) {
        cli_report_num(rep, "intercept", r->intercept);
        cli_report_num(rep, "intercept_se", r->intercept_se);
    }
    if (r->nimpacts) {
        impact_block(rep, r, "LR_Direct", r->direct, r->direct_se, r->direct_z, r->direct_p);
        impact_block(rep, r, "LR_Indirect", r->indirect, r->indirect_se, r->indirect_z,
                     r->indirect_p);
        impact_block(rep, r, "LR_Total", r->total, r->total_se, r->total_z, r->total_p);
        cli_report_section(rep, "impacts");
        cli_report_str(rep, "kind", r->impacts_exact ? "exact" : "traces");
        cli_report_int(rep, "draws", (long long)r->draws);
    }
    if (!isnan(r->lm_lag) || !isnan(r->wald_sar) || !isnan(r->hausman)) {
        cli_report_section(rep, "tests");
        if (!isnan(r->lm_lag)) {
            cli_report_num(rep, "lm_lag", r->lm_lag);
            cli_report_num(rep, "lm_lag_p", r->lm_lag_p);
            cli_report_num(rep, "robust_lm_lag", r->rlm_lag);
            cli_report_num(rep, "robust_lm_lag_p", r->rlm_lag_p);
            cli_report_num(rep, "lm_error", r->lm_err);
            cli_report_num(rep, "lm_error_p", r->lm_err_p);
            cli_report_num(rep, "robust_lm_error", r->rlm_err);
            cli_report_num(rep, "robust_lm_error_p", r->rlm_err_p);
        }
        if (!isnan(r->wald_sar)) {
            cli_report_num(rep, "wald_sdm_vs_sar", r->wald_sar);
            cli_report_num(rep, "wald_sdm_vs_sar_p", r->wald_sar_p);
            cli_report_num(rep, "wald_sdm_vs_sem", r->wald_sem);
            cli_report_num(rep, "wald_sdm_vs_sem_p", r->wald_sem_p);
            cli_report_num(rep, "lr_sdm_vs_sar", r->lr_sar);
            cli_report_num(rep, "lr_sdm_vs_sar_p", r->lr_sar_p);
            cli_report_num(rep, "lr_sdm_vs_sem", r->lr_sem);
            cli_report_num(rep, "lr_sdm_vs_sem_p", r->lr_sem_p);
            cli_report_int(rep, "df", r->wald_df);
        }
        if (!isnan(r->hausman)) {
            cli_report_num(rep, "hausman", r->hausman);
            cli_report_int(rep, "hausman_df", r->hausman_df);
            cli_report_num(rep, "hausman_p", r->hausman_p);
        }
    }
    if (r->tau) {
        cli_report_section(rep, "time_effects");
        for (size_t t = 0; t < r->T; t++)
            cli_report_num(rep, p->times[t], r->tau[t]);
    }
}

int cmd_panel(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"time", required_argument, 0, PN_TIME},
        {"y", required_argument, 0, PN_Y},
        {"x", required_argument, 0, PN_X},
        {"weights", required_argument, 0, PN_WEIGHTS},
        {"regions", required_argument, 0, PN_REGIONS},
        {"region-id", required_argument, 0, PN_REGION_ID},
        {"model", required_argument, 0, PN_MODEL},
        {"effects", required_argument, 0, PN_EFFECTS},
        {"lee-yu", no_argument, 0, PN_LEEYU},
        {"no-lee-yu", no_argument, 0, PN_NOLEEYU},
        {"impacts", no_argument, 0, PN_IMPACTS},
        {"draws", required_argument, 0, PN_DRAWS},
        {"method", required_argument, 0, PN_METHOD},
        {"wide", no_argument, 0, PN_WIDE},
        {"transform", required_argument, 0, PN_TRANSFORM},
        {"no-tests", no_argument, 0, PN_NOTESTS},
        {"traces", no_argument, 0, PN_TRACES},
        {0, 0, 0, 0}};
    const char *cmd = "panel", *time = NULL, *yname = NULL, *xlist = NULL, *wspec = NULL;
    const char *regions = NULL, *region_id = NULL;
    int wide = 0, opt;
    long v;
    agglo_transform tr = AGGLO_TRANSFORM_W;
    cli_common c;
    cli_common_init(&c);
    agglo_panel_options o;
    agglo_panel_options_init(&o);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case PN_TIME: time = optarg; break;
        case PN_Y: yname = optarg; break;
        case PN_X: xlist = optarg; break;
        case PN_WEIGHTS: wspec = optarg; break;
        case PN_REGIONS: regions = optarg; break;
        case PN_REGION_ID: region_id = optarg; break;
        case PN_MODEL:
            if (agglo_panel_model_parse(optarg, &o.model))
                return cli_usage(cmd, "--model: '%s' is not ols, sar, sem, sdm, sdem or slx",
                                 optarg);
            break;
        case PN_EFFECTS:
            if (agglo_panel_effects_parse(optarg, &o.effects))
                return cli_usage(cmd, "--effects: '%s' is not none, individual, time, twoways "
                                 "or random", optarg);
            break;
        case PN_LEEYU: o.lee_yu = 1; break;
        case PN_NOLEEYU: o.lee_yu = 0; break;
        case PN_IMPACTS: o.reg.impacts = 1; break;
        case PN_TRACES: o.reg.impacts_traces = 1; break;
        case PN_NOTESTS: o.tests = 0; break;
        case PN_WIDE: wide = 1; break;
        case PN_DRAWS:
            if (cli_parse_int(cmd, "--draws", optarg, 0, 10000000, &v))
                return CLI_USAGE;
            o.reg.draws = (size_t)v;
            break;
        case PN_METHOD:
            if (agglo_logdet_method_parse(optarg, &o.reg.method))
                return cli_usage(cmd, "--method: '%s' is not auto, eigen, sparse, lu, "
                                 "chebyshev or mc", optarg);
            break;
        case PN_TRANSFORM:
            if (agglo_transform_parse(optarg, &tr))
                return cli_usage(cmd, "--transform: '%s' is not one of B, W, C, S, U, minmax, V",
                                 optarg);
            break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r < 0)
                return CLI_USAGE;
            if (r == 0)
                return cli_usage(cmd, "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage(cmd, "expects one TABLE");
    if (!c.id_field || !yname || !xlist || (!time && !wide))
        return cli_usage(cmd, "--id, --time (or --wide), --y and --x are required");
    if (o.model != AGGLO_PANEL_OLS && !wspec)
        return cli_usage(cmd, "--weights is required for the %s model",
                         agglo_panel_model_name(o.model));
    if (regions && !region_id)
        return cli_usage(cmd, "--regions needs --region-id FIELD");
    if (c.out && !regions)
        return cli_usage(cmd, "--out writes onto the --regions polygons");
    if (o.reg.draws)
        o.reg.impacts = 1;
    o.reg.seed = c.seed;
    const char *input = argv[optind];
    size_t nx = 0;
    char **xn = cli_split(xlist, &nx);
    if (!xn || !nx) {
        agglo_strings_free(xn, nx);
        return cli_usage(cmd, "--x lists no field");
    }
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx) {
        agglo_strings_free(xn, nx);
        return CLI_FAIL;
    }
    int rc = CLI_OK;
    agglo_layer *R = NULL;
    agglo_table *L = NULL;
    agglo_weights *w = NULL;
    agglo_panel *p = NULL;
    agglo_panel_result res;
    memset(&res, 0, sizeof res);
    /* the table: the attributes of any source (a CSV needs no coordinates; --x-field and
     * --y-field are accepted and ignored); ids repeat over the periods, so --id is not a key.
     * A long table reads only the fields the model uses; a wide one every VAR_PERIOD field. */
    cli_common ct = c;
    ct.id_field = NULL;
    ct.skip_validity = 1;
    if (!wide) {
        cli_need(&ct, c.id_field);
        cli_need(&ct, time);
        cli_need(&ct, yname);
        for (size_t j = 0; j < nx; j++)
            cli_need(&ct, xn[j]);
    }
    if (!(L = cli_read_table(ctx, input, &ct)))
        goto fail;
    if (wspec) {
        struct stat st;
        if (regions) {
            cli_common cr = c;
            cr.id_field = region_id;
            if (!(R = cli_read_layer(ctx, regions, &cr)) ||
                !(w = agglo_weights_from_spec(ctx, R, wspec, region_id, 0)))
                goto fail;
        } else if (stat(wspec, &st) == 0) {
            if (!(w = agglo_weights_read(ctx, wspec, NULL)))
                goto fail;
        } else {
            agglo_strings_free(xn, nx);
            agglo_table_free(L);
            agglo_ctx_free(ctx);
            return cli_usage(cmd, "--weights %s: not a file; a spec needs --regions POLYGONS "
                             "--region-id FIELD", wspec);
        }
        if (agglo_weights_transform(ctx, w, tr))
            goto fail;
    }
    p = wide ? agglo_panel_from_wide(ctx, L, input, c.id_field, yname,
                                     (const char *const *)xn, nx, w)
             : agglo_panel_from_long(ctx, L, input, c.id_field, time, yname,
                                     (const char *const *)xn, nx, w);
    if (!p)
        goto fail;
    if (!w)
        o.tests = 0;
    if (agglo_panel_fit(ctx, p, w, &o, &res))
        goto fail;
    if (!c.quiet || c.format != CLI_FORMAT_TEXT) {
        cli_report *rep = cli_report_create("Spatial panel");
        report(rep, &res, p);
        cli_report_print(rep, stdout, c.format);
        cli_report_free(rep);
    }
    if (c.out) {
        /* the regions' layer rows are the weights' (and the panel's) order */
        agglo_table *t = agglo_layer_table_mut(R);
        size_t N = p->N;
        double *fe = malloc(N * sizeof(double)), *fse = malloc(N * sizeof(double));
        if (!fe || !fse) {
            free(fe);
            free(fse);
            agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
            goto fail;
        }
        for (size_t i = 0; i < N; i++) {
            fe[i] = res.mu ? res.mu[i] : NAN;
            fse[i] = res.mu_se ? res.mu_se[i] : NAN;
        }
        int bad = agglo_table_add_numeric(ctx, t, "fe", AGGLO_COL_REAL, fe, NULL) < 0 ||
                  agglo_table_add_numeric(ctx, t, "fe_se", AGGLO_COL_REAL, fse, NULL) < 0 ||
                  agglo_table_add_numeric(ctx, t, "mean_resid", AGGLO_COL_REAL,
                                          res.mean_resid, NULL) < 0 ||
                  agglo_layer_write(ctx, R, c.out, NULL);
        free(fe);
        free(fse);
        if (bad)
            goto fail;
    }
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    agglo_panel_result_free(&res);
    agglo_panel_free(p);
    agglo_weights_free(w);
    agglo_table_free(L);
    agglo_layer_free(R);
    agglo_strings_free(xn, nx);
    agglo_ctx_free(ctx);
    return rc;
}
