/* agglo regress: options, one agglo_regress_fit call, the GeoDa-like report (cli_report),
 * --out (fitted values and residuals as fields) and --png (residual map). */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* the common options regress uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_ID | CLI_ACCEPT_VECTOR_OUT | CLI_ACCEPT_PNG | CLI_ACCEPT_SEED | CLI_ACCEPT_COMPUTE)

enum { RG_Y = 3000, RG_X, RG_WEIGHTS, RG_TRANSFORM, RG_MODEL, RG_METHOD, RG_IMPACTS, RG_DRAWS,
       RG_DROP, RG_TRACES };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo regress INPUT --y FIELD --x F1,F2,... [options]\n"
            "Spatial regression: OLS with its diagnostics and the LM tests for spatial\n"
            "dependence, or a spatial model by maximum likelihood (docs/regression.md).\n"
            "  --y FIELD             dependent variable\n"
            "  --x F1,F2,...         regressors (a constant is added)\n"
            "  --weights SPEC|FILE   queen (default), rook, knn:K, band:D, ... or a weights file\n"
            "  --transform T         W row-standardised (default), B binary, C, S, U, minmax, V\n"
            "  --model M             ols (default), lag, error, durbin, sdem, sac, slx\n"
            "  --method M            log-determinant: auto (default), eigen, sparse, lu,\n"
            "                        chebyshev, mc\n"
            "  --impacts             direct, indirect and total effects (lag, durbin, sac)\n"
            "  --traces              trace-based impacts even when exact ones are possible\n"
            "  --draws R             simulated inference for the impacts with R draws (--seed)\n"
            "  --drop-missing        drop rows with missing values (weights subset); default:\n"
            "                        refuse, naming the rows\n"
            "");
    cli_common_help_print(fp, ACCEPTS);
}

static void coef_table(cli_report *rep, const agglo_regress_result *r)
{
    int z = r->model != AGGLO_REG_OLS && r->model != AGGLO_REG_SLX;
    for (size_t j = 0; j < r->k; j++) {
        cli_report_section_path(rep, "coefficients", r->names[j], (const char *)NULL);
        cli_report_num(rep, "coefficient", r->coef[j]);
        cli_report_num(rep, "std_error", r->se[j]);
        cli_report_num(rep, z ? "z" : "t", r->stat[j]);
        cli_report_num(rep, "p", r->p[j]);
    }
}

static const char *hint_text(agglo_regress_hint h)
{
    switch (h) {
    case AGGLO_HINT_NONE: return "no spatial dependence detected at 5%: OLS";
    case AGGLO_HINT_LAG: return "LM tests point to the spatial lag model (--model lag)";
    case AGGLO_HINT_ERROR: return "LM tests point to the spatial error model (--model error)";
    default: return "both robust LM tests significant: consider --model sac or durbin";
    }
}

/* GeoDa's regression report (Anselin 2005, Exploring Spatial Data with GeoDa, ch. 22-24):
 * title block, coefficient table, regression diagnostics, diagnostics for spatial dependence
 * (test, MI/DF, value, probability) with the decision-rule hint. --json/--csv keep the keyed
 * sections of report(). */
static const char *model_title(agglo_regress_model m)
{
    switch (m) {
    case AGGLO_REG_OLS: return "ORDINARY LEAST SQUARES ESTIMATION";
    case AGGLO_REG_LAG: return "SPATIAL LAG MODEL - MAXIMUM LIKELIHOOD ESTIMATION";
    case AGGLO_REG_ERROR: return "SPATIAL ERROR MODEL - MAXIMUM LIKELIHOOD ESTIMATION";
    case AGGLO_REG_DURBIN: return "SPATIAL DURBIN MODEL - MAXIMUM LIKELIHOOD ESTIMATION";
    case AGGLO_REG_SDEM: return "SPATIAL DURBIN ERROR MODEL - MAXIMUM LIKELIHOOD ESTIMATION";
    case AGGLO_REG_SAC: return "SPATIAL LAG AND ERROR (SAC) MODEL - MAXIMUM LIKELIHOOD "
                               "ESTIMATION";
    default: return "SPATIAL LAG OF X (SLX) MODEL - ORDINARY LEAST SQUARES ESTIMATION";
    }
}

static void coef_row(FILE *fp, const char *name, double b, double se, double t, double p)
{
    fprintf(fp, "%18s %14.6g %14.6g %14.6g %12.5f\n", name, b, se, t, p);
}

static void test_row(FILE *fp, const char *name, const char *df, double v, double p)
{
    fprintf(fp, "%-30s %8s %14.4f %12.5f\n", name, df, v, p);
}

static void text_report(FILE *fp, const agglo_regress_result *r, const char *input,
                        const char *yname, const double *y, const char *wspec,
                        agglo_transform tr)
{
    static const char rule[] =
        "-----------------------------------------------------------------------------\n";
    int ml = r->model != AGGLO_REG_OLS && r->model != AGGLO_REG_SLX;
    double dn = (double)r->n, mean = 0, ss = 0;
    for (size_t i = 0; i < r->n; i++)
        mean += y[i];
    mean /= dn;
    for (size_t i = 0; i < r->n; i++)
        ss += (y[i] - mean) * (y[i] - mean);
    double sd = r->n > 1 ? sqrt(ss / (dn - 1)) : NAN;
    size_t npar = r->k + (isnan(r->rho) ? 0 : 1) + (isnan(r->lambda) ? 0 : 1);
    fprintf(fp, "SUMMARY OF OUTPUT: %s\n", model_title(r->model));
    fprintf(fp, "Data set            : %s\n", input);
    if (r->model != AGGLO_REG_OLS || !isnan(r->lm_err))
        fprintf(fp, "Weights             : %s (%s)\n", wspec, agglo_transform_name(tr));
    fprintf(fp, "Dependent Variable  : %12s  Number of Observations: %6zu\n", yname, r->n);
    fprintf(fp, "Mean dependent var  : %12.6g  Number of Variables   : %6zu\n", mean, npar);
    fprintf(fp, "S.D. dependent var  : %12.6g  Degrees of Freedom    : %6lld\n", sd,
            (long long)r->n - (long long)npar);
    if (ml)
        fprintf(fp, "Log-determinant     : %s\n", agglo_logdet_method_name(r->method));
    fprintf(fp, "\n");
    if (!ml) {
        fprintf(fp, "R-squared           : %12.6f  F-statistic           : %12.6g\n", r->r2, r->f);
        fprintf(fp, "Adjusted R-squared  : %12.6f  Prob(F-statistic)     : %12.6g\n",
                r->adj_r2, r->f_p);
        fprintf(fp, "Sum squared residual: %12.6g  Log likelihood        : %12.6g\n", r->sse,
                r->loglik);
        fprintf(fp, "Sigma-square        : %12.6g  Akaike info criterion : %12.6g\n",
                r->sigma2, r->aic);
        fprintf(fp, "S.E. of regression  : %12.6g  Schwarz criterion     : %12.6g\n",
                sqrt(r->sigma2), r->sc);
        fprintf(fp, "Sigma-square ML     : %12.6g\n", r->sse / dn);
        fprintf(fp, "S.E of regression ML: %12.6g\n", sqrt(r->sse / dn));
    } else {
        if (!isnan(r->rho))
            fprintf(fp, "Spatial lag         : W_%s\n", yname);
        double pr2 = 1.0 - r->sse / ss;
        fprintf(fp, "Pseudo R-squared    : %12.6f  Log likelihood        : %12.6g\n", pr2,
                r->loglik);
        fprintf(fp, "Sigma-square        : %12.6g  Akaike info criterion : %12.6g\n",
                r->sigma2, r->aic);
        fprintf(fp, "S.E of regression   : %12.6g  Schwarz criterion     : %12.6g\n",
                sqrt(r->sigma2), r->sc);
    }
    fprintf(fp, "\n%s%18s %14s %14s %14s %12s\n%s", rule, "Variable", "Coefficient",
            "Std.Error", ml ? "z-value" : "t-Statistic", "Probability", rule);
    if (!isnan(r->rho)) {
        char nm[128];
        snprintf(nm, sizeof nm, "W_%s", yname);
        coef_row(fp, nm, r->rho, r->rho_se, r->rho_z, r->rho_p);
    }
    for (size_t j = 0; j < r->k; j++)
        coef_row(fp, r->names[j], r->coef[j], r->se[j], r->stat[j], r->p[j]);
    if (!isnan(r->lambda))
        coef_row(fp, "LAMBDA", r->lambda, r->lambda_se, r->lambda_z, r->lambda_p);
    fprintf(fp, "%s", rule);
    if (ml)
        fprintf(fp, "Standard errors from the %s.\n",
                r->hessian_se ? "Hessian of the log-likelihood" : "asymptotic information matrix");
    if (!isnan(r->cond)) {
        fprintf(fp, "\nREGRESSION DIAGNOSTICS\n");
        fprintf(fp, "MULTICOLLINEARITY CONDITION NUMBER %12.6f\n", r->cond);
        fprintf(fp, "TEST ON NORMALITY OF ERRORS\n");
        fprintf(fp, "%-30s %8s %14s %12s\n", "TEST", "DF", "VALUE", "PROB");
        test_row(fp, "Jarque-Bera", "2", r->jb, r->jb_p);
        fprintf(fp, "\nDIAGNOSTICS FOR HETEROSKEDASTICITY\nRANDOM COEFFICIENTS\n");
        fprintf(fp, "%-30s %8s %14s %12s\n", "TEST", "DF", "VALUE", "PROB");
        char df[32];
        snprintf(df, sizeof df, "%d", r->bp_df);
        test_row(fp, "Breusch-Pagan test", df, r->bp, r->bp_p);
        test_row(fp, "Koenker-Bassett test", df, r->kb, r->kb_p);
        fprintf(fp, "SPECIFICATION ROBUST TEST\n");
        fprintf(fp, "%-30s %8s %14s %12s\n", "TEST", "DF", "VALUE", "PROB");
        snprintf(df, sizeof df, "%d", r->white_df);
        test_row(fp, "White", df, r->white, r->white_p);
    }
    if (!isnan(r->lm_err)) {
        fprintf(fp, "\nDIAGNOSTICS FOR SPATIAL DEPENDENCE\n");
        fprintf(fp, "FOR WEIGHT MATRIX : %s (%s)\n", wspec, agglo_transform_name(tr));
        fprintf(fp, "%-30s %8s %14s %12s\n", "TEST", "MI/DF", "VALUE", "PROB");
        char mi[32];
        snprintf(mi, sizeof mi, "%.4f", r->moran_i);
        test_row(fp, "Moran's I (error)", mi, r->moran_z, r->moran_p);
        test_row(fp, "Lagrange Multiplier (lag)", "1", r->lm_lag, r->lm_lag_p);
        test_row(fp, "Robust LM (lag)", "1", r->rlm_lag, r->rlm_lag_p);
        test_row(fp, "Lagrange Multiplier (error)", "1", r->lm_err, r->lm_err_p);
        test_row(fp, "Robust LM (error)", "1", r->rlm_err, r->rlm_err_p);
        test_row(fp, "Lagrange Multiplier (SARMA)", "2", r->sarma, r->sarma_p);
        fprintf(fp, "(Moran's I: z-value, one-sided probability)\n");
        if (r->model == AGGLO_REG_OLS)
            fprintf(fp, "Decision rule (Anselin 2005): %s\n", hint_text(r->hint));
    }
    if (!isnan(r->lr) || !isnan(r->lm_resid)) {
        fprintf(fp, "\nDIAGNOSTICS FOR SPATIAL DEPENDENCE\n");
        fprintf(fp, "SPATIAL %s DEPENDENCE FOR WEIGHT MATRIX : %s (%s)\n",
                r->model == AGGLO_REG_SAC ? "LAG AND ERROR"
                : isnan(r->rho)           ? "ERROR"
                                          : "LAG",
                wspec, agglo_transform_name(tr));
        fprintf(fp, "%-30s %8s %14s %12s\n", "TEST", "DF", "VALUE", "PROB");
        char df[32];
        snprintf(df, sizeof df, "%g", r->lr_df);
        if (!isnan(r->lr))
            test_row(fp, "Likelihood Ratio Test", df, r->lr, r->lr_p);
        if (!isnan(r->wald))
            test_row(fp, "Wald Test", "1", r->wald, r->wald_p);
        if (!isnan(r->lm_resid))
            test_row(fp, "LM test (residual autocorr.)", "1", r->lm_resid, r->lm_resid_p);
        if (!isnan(r->loglik_ols))
            fprintf(fp, "(log likelihood of OLS: %.6g)\n", r->loglik_ols);
        if (!isnan(r->logdet_se))
            fprintf(fp, "(Monte Carlo log-determinant SE at the estimate: %.4g)\n",
                    r->logdet_se);
    }
    if (r->nimpacts) {
        fprintf(fp, "\nIMPACTS (%s%s)\n", r->impacts_exact ? "exact" : "trace-based",
                r->direct_se && r->draws ? ", simulated standard errors" : "");
        fprintf(fp, "%s%18s %14s %14s %14s\n%s", rule, "Variable", "Direct", "Indirect",
                "Total", rule);
        for (size_t j = 0; j < r->nimpacts; j++) {
            fprintf(fp, "%18s %14.6g %14.6g %14.6g\n", r->impact_names[j], r->direct[j],
                    r->indirect[j], r->total[j]);
            if (r->direct_se)
                fprintf(fp, "%18s %14.6g %14.6g %14.6g\n", "(std. error)", r->direct_se[j],
                        r->indirect_se[j], r->total_se[j]);
        }
        fprintf(fp, "%s", rule);
        if (r->direct_se && r->draws)
            fprintf(fp, "(%zu draws)\n", r->draws);
    }
    fprintf(fp, "================================ END OF REPORT "
                "==============================\n");
}

static void report(cli_report *rep, const agglo_regress_result *r, const char *y)
{
    cli_report_section(rep, "model");
    cli_report_str(rep, "model", agglo_regress_model_name(r->model));
    cli_report_str(rep, "dependent", y);
    cli_report_int(rep, "n", (long long)r->n);
    cli_report_int(rep, "k", (long long)r->k);
    if (r->model != AGGLO_REG_OLS && r->model != AGGLO_REG_SLX)
        cli_report_str(rep, "logdet_method", agglo_logdet_method_name(r->method));
    cli_report_num(rep, "sigma2", r->sigma2);
    cli_report_num(rep, "log_likelihood", r->loglik);
    cli_report_num(rep, "aic", r->aic);
    cli_report_num(rep, "schwarz", r->sc);
    if (!isnan(r->r2)) {
        cli_report_num(rep, "r2", r->r2);
        cli_report_num(rep, "adj_r2", r->adj_r2);
        cli_report_num(rep, "f", r->f);
        cli_report_num(rep, "f_p", r->f_p);
    }
    if (!isnan(r->rho)) {
        cli_report_section(rep, "rho");
        cli_report_num(rep, "estimate", r->rho);
        cli_report_num(rep, "std_error", r->rho_se);
        cli_report_num(rep, "z", r->rho_z);
        cli_report_num(rep, "p", r->rho_p);
    }
    if (!isnan(r->lambda)) {
        cli_report_section(rep, "lambda");
        cli_report_num(rep, "estimate", r->lambda);
        cli_report_num(rep, "std_error", r->lambda_se);
        cli_report_num(rep, "z", r->lambda_z);
        cli_report_num(rep, "p", r->lambda_p);
    }
    coef_table(rep, r);
    if (!isnan(r->cond)) {
        cli_report_section(rep, "diagnostics");
        cli_report_num(rep, "condition_number", r->cond);
        cli_report_num(rep, "jarque_bera", r->jb);
        cli_report_num(rep, "jarque_bera_p", r->jb_p);
        cli_report_num(rep, "breusch_pagan", r->bp);
        cli_report_int(rep, "breusch_pagan_df", r->bp_df);
        cli_report_num(rep, "breusch_pagan_p", r->bp_p);
        cli_report_num(rep, "koenker_bassett", r->kb);
        cli_report_num(rep, "koenker_bassett_p", r->kb_p);
        cli_report_num(rep, "white", r->white);
        cli_report_int(rep, "white_df", r->white_df);
        cli_report_num(rep, "white_p", r->white_p);
    }
    if (!isnan(r->lm_err)) {
        cli_report_section(rep, "spatial_dependence");
        cli_report_num(rep, "moran_i", r->moran_i);
        cli_report_num(rep, "moran_z", r->moran_z);
        cli_report_num(rep, "moran_p", r->moran_p);
        cli_report_num(rep, "lm_error", r->lm_err);
        cli_report_num(rep, "lm_error_p", r->lm_err_p);
        cli_report_num(rep, "robust_lm_error", r->rlm_err);
        cli_report_num(rep, "robust_lm_error_p", r->rlm_err_p);
        cli_report_num(rep, "lm_lag", r->lm_lag);
        cli_report_num(rep, "lm_lag_p", r->lm_lag_p);
        cli_report_num(rep, "robust_lm_lag", r->rlm_lag);
        cli_report_num(rep, "robust_lm_lag_p", r->rlm_lag_p);
        cli_report_num(rep, "sarma", r->sarma);
        cli_report_num(rep, "sarma_p", r->sarma_p);
        if (r->model == AGGLO_REG_OLS)
            cli_report_str(rep, "hint", hint_text(r->hint));
    }
    if (!isnan(r->lr)) {
        cli_report_section(rep, "tests");
        cli_report_num(rep, "log_likelihood_ols", r->loglik_ols);
        cli_report_num(rep, "lr", r->lr);
        cli_report_num(rep, "lr_df", r->lr_df);
        cli_report_num(rep, "lr_p", r->lr_p);
        if (!isnan(r->wald)) {
            cli_report_num(rep, "wald", r->wald);
            cli_report_num(rep, "wald_p", r->wald_p);
        }
        if (!isnan(r->lm_resid)) {
            cli_report_num(rep, "lm_residual_autocorrelation", r->lm_resid);
            cli_report_num(rep, "lm_residual_autocorrelation_p", r->lm_resid_p);
        }
        cli_report_str(rep, "se_from", r->hessian_se ? "hessian" : "information_matrix");
        if (!isnan(r->logdet_se))
            cli_report_num(rep, "logdet_mc_se", r->logdet_se);
    }
    for (size_t j = 0; j < r->nimpacts; j++) {
        cli_report_section_path(rep, "impacts", r->impact_names[j], (const char *)NULL);
        cli_report_str(rep, "kind", r->impacts_exact ? "exact" : "traces");
        cli_report_num(rep, "direct", r->direct[j]);
        cli_report_num(rep, "indirect", r->indirect[j]);
        cli_report_num(rep, "total", r->total[j]);
        if (r->direct_se) {
            cli_report_num(rep, "direct_se", r->direct_se[j]);
            cli_report_num(rep, "indirect_se", r->indirect_se[j]);
            cli_report_num(rep, "total_se", r->total_se[j]);
            cli_report_num(rep, "direct_p", r->direct_p[j]);
            cli_report_num(rep, "indirect_p", r->indirect_p[j]);
            cli_report_num(rep, "total_p", r->total_p[j]);
            if (r->draws)
                cli_report_int(rep, "draws", (long long)r->draws);
        }
    }
}

static const char *weights_id(const void *w, size_t i) { return agglo_weights_id(w, i); }

int cmd_regress(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        CLI_PLOT_LONG_OPTIONS,
        {"y", required_argument, 0, RG_Y},
        {"x", required_argument, 0, RG_X},
        {"weights", required_argument, 0, RG_WEIGHTS},
        {"transform", required_argument, 0, RG_TRANSFORM},
        {"model", required_argument, 0, RG_MODEL},
        {"method", required_argument, 0, RG_METHOD},
        {"impacts", no_argument, 0, RG_IMPACTS},
        {"traces", no_argument, 0, RG_TRACES},
        {"draws", required_argument, 0, RG_DRAWS},
        {"drop-missing", no_argument, 0, RG_DROP},
        {0, 0, 0, 0}};
    const char *cmd = "regress", *yname = NULL, *xlist = NULL, *wspec = "queen";
    agglo_transform tr = AGGLO_TRANSFORM_W;
    int drop = 0;
    cli_common c;
    cli_common_init(&c);
    agglo_regress_options o;
    agglo_regress_options_init(&o);
    int opt;
    long v;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "regress", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case RG_Y: yname = optarg; break;
        case RG_X: xlist = optarg; break;
        case RG_WEIGHTS: wspec = optarg; break;
        case RG_TRANSFORM:
            if (agglo_transform_parse(optarg, &tr))
                return cli_usage(cmd, "--transform: '%s' is not one of B, W, C, S, U, minmax, V",
                                 optarg);
            break;
        case RG_MODEL:
            if (agglo_regress_model_parse(optarg, &o.model))
                return cli_usage(cmd, "--model: '%s' is not ols, lag, error, durbin, sdem, sac "
                                 "or slx", optarg);
            break;
        case RG_METHOD:
            if (agglo_logdet_method_parse(optarg, &o.method))
                return cli_usage(cmd, "--method: '%s' is not auto, eigen, sparse, lu, chebyshev "
                                 "or mc", optarg);
            break;
        case RG_IMPACTS: o.impacts = 1; break;
        case RG_TRACES: o.impacts_traces = 1; break;
        case RG_DRAWS:
            if (cli_parse_int(cmd, "--draws", optarg, 0, 10000000, &v))
                return CLI_USAGE;
            o.draws = (size_t)v;
            break;
        case RG_DROP: drop = 1; break;
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
        return cli_usage(cmd, "expects one input file");
    if (!yname || !xlist)
        return cli_usage(cmd, "--y FIELD and --x F1,F2,... are required");
    if (o.draws)
        o.impacts = 1;
    o.seed = c.seed;
    const char *input = argv[optind];
    size_t nx = 0;
    char **xn = cli_split(xlist, &nx);
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx || !xn || !nx) {
        agglo_strings_free(xn, nx);
        agglo_ctx_free(ctx);
        return nx ? CLI_FAIL : cli_usage(cmd, "--x lists no field");
    }
    int rc = CLI_OK;
    agglo_layer *L = cli_read_layer(ctx, input, &c);
    agglo_weights *w = NULL;
    double *y = NULL, **x = calloc(nx, sizeof(double *));
    agglo_regress_result res;
    memset(&res, 0, sizeof res);
    if (!L || !x)
        rc = cli_fail(ctx);
    size_t n = L ? agglo_layer_count(L) : 0;
    if (!rc) {
        const agglo_table *t = agglo_layer_table(L);
        y = agglo_table_get_numeric(ctx, t, yname, input);
        for (size_t j = 0; j < nx && y; j++)
            if (!(x[j] = agglo_table_get_numeric(ctx, t, xn[j], input)))
                break;
        if (!y || !x[nx - 1])
            rc = cli_fail(ctx);
    }
    if (!rc && !(w = agglo_weights_from_spec(ctx, L, wspec, c.id_field, 0)))
        rc = cli_fail(ctx);
    if (!rc) {
        /* missing values: refuse naming the rows, or drop them and subset the weights */
        size_t *keep = malloc((n ? n : 1) * sizeof(size_t)), nkeep = 0;
        const double **vars = malloc((nx + 1) * sizeof *vars);
        const char **vnames = malloc((nx + 1) * sizeof *vnames);
        if (vars && vnames) {
            vars[0] = y;
            vnames[0] = yname;
            for (size_t j = 0; j < nx; j++) {
                vars[j + 1] = x[j];
                vnames[j + 1] = xn[j];
            }
        }
        if (!keep || !vars || !vnames) {
            rc = CLI_FAIL;
        } else if (agglo_missing_rows(ctx, input, n, (const double *const *)vars,
                                      (const char *const *)vnames, nx + 1, NULL, weights_id, w,
                                      drop, keep, &nkeep) != AGGLO_OK) {
            rc = cli_fail(ctx);
        } else if (nkeep < n) {
            agglo_weights *ws = agglo_weights_subset(ctx, w, keep, nkeep);
            agglo_layer *ls = ws ? agglo_layer_subset(ctx, L, keep, nkeep) : NULL;
            if (!ws || !ls) {
                agglo_weights_free(ws);
                rc = cli_fail(ctx);
            } else {
                agglo_weights_free(w);
                agglo_layer_free(L);
                w = ws;
                L = ls;
                for (size_t k = 0; k < nkeep; k++) {
                    y[k] = y[keep[k]];
                    for (size_t j = 0; j < nx; j++)
                        x[j][k] = x[j][keep[k]];
                }
                n = nkeep;
            }
        }
        free(keep);
        free(vars);
        free(vnames);
    }
    if (!rc && agglo_weights_transform(ctx, w, tr))
        rc = cli_fail(ctx);
    if (!rc && agglo_regress_fit(ctx, y, (const double *const *)x, (const char *const *)xn, n,
                                 nx, w, &o, &res))
        rc = cli_fail(ctx);
    if (!rc && !c.quiet) {
        if (c.format == CLI_FORMAT_TEXT) {
            text_report(stdout, &res, input, yname, y, wspec, tr);
        } else {
            cli_report *rep = cli_report_create("Spatial regression");
            report(rep, &res, yname);
            cli_report_print(rep, stdout, c.format);
            cli_report_free(rep);
        }
    }
    if (!rc && c.out) {
        agglo_table *t = agglo_layer_table_mut(L);
        if (agglo_table_add_numeric(ctx, t, "predicted", AGGLO_COL_REAL, res.fitted, NULL) < 0 ||
            agglo_table_add_numeric(ctx, t, "residual", AGGLO_COL_REAL, res.resid, NULL) < 0 ||
            (res.naive_resid && agglo_table_add_numeric(ctx, t, "prediction_error",
                                                        AGGLO_COL_REAL, res.naive_resid,
                                                        NULL) < 0) ||
            agglo_layer_write(ctx, L, c.out, NULL))
            rc = cli_fail(ctx);
    }
    if (!rc && c.png) {
        cli_style st;
        if (cli_plot_style(ctx, &c, L, NULL, &st) ||
            agglo_plot_map_values(ctx, L, res.resid, AGGLO_PALETTE_DIVERGING, 7,
                                  "Regression residuals", c.png, &st.style))
            rc = cli_fail(ctx);
        cli_style_free(&st);
    }
    agglo_regress_result_free(&res);
    agglo_weights_free(w);
    agglo_layer_free(L);
    free(y);
    for (size_t j = 0; j < nx; j++)
        if (x)
            free(x[j]);
    free(x);
    agglo_strings_free(xn, nx);
    agglo_ctx_free(ctx);
    return rc;
}
