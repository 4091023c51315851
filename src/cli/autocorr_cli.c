/* Shared parts of the autocorrelation commands: options, loading with missing-value policy,
 * reports and outputs. */
#define _GNU_SOURCE
#include "autocorr_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    AC_VAR = 2000, AC_WEIGHTS, AC_TRANSFORM, AC_PERMS, AC_ALT, AC_DROP, AC_BIV, AC_RATE, AC_ALPHA,
    AC_CORR, AC_TABLE, AC_SCATTER, AC_SIG, AC_GI, AC_TOTAL, AC_NOADJ, AC_GWTVAL, AC_WMATCH, AC_PADJ,
    AC_HIST
};

const char *const ac_help_common =
    "Variables and weights:\n"
    "  --var FIELD           the variable (numeric field)\n"
    "  --weights SPEC|FILE   queen (default), rook, knn:K, band:D, idw:P[:D], kernel:NAME:BW,\n"
    "                        or a .gal/.gwt/.kwt/.csv file (ids matched with --id)\n"
    "  --gwt-values V        a weights file's third column: binary (default for .gwt, as GeoDa's\n"
    "                        Moran), weights (default for .kwt/.csv) or distances (w = 1/d)\n"
    "  --weights-match M     id (default: file ids equal the --id field as strings) or order\n"
    "                        (the file's k-th record is the k-th feature)\n"
    "  --transform T         W row-standardised (default, as GeoDa), B binary, C global,\n"
    "                        S variance-stabilising, U (C/n: all weights sum to 1), minmax\n"
    "                        (divided by min(max row sum, max column sum)), V values as built\n"
    "  --drop-missing        analyse the rows where the variables are present (the weights are\n"
    "                        subset consistently); default: refuse, naming the ids\n"
    "Inference:\n"
    "  --permutations N      permutation inference with N permutations (default 0 = none;\n"
    "                        999 is usual); --seed S fixes them (default 12345)\n"
    "  --alternative A       two-sided (default), greater (positive autocorrelation), less\n";

const char *const ac_help_local =
    "Local inference:\n"
    "  --p-adjust C          multiple-testing adjustment: none (default), bonferroni, fdr\n"
    "                        (Benjamini-Hochberg); --correction is its deprecated name\n"
    "  --out FILE.csv        the per-observation results as CSV (id + result fields); --out\n"
    "                        with a layer format (.gpkg, .shp, ...) writes the input layer with\n"
    "                        the result fields (so does a .csv with -f or --lco); --table\n"
    "                        FILE.csv is the deprecated spelling of --out FILE.csv\n";

/* Which AC_ACCEPT_* bit an option needs (0: every autocorrelation command's). */
static unsigned ac_bit(int opt)
{
    switch (opt) {
    case AC_BIV: return AC_ACCEPT_BIVARIATE;
    case AC_RATE: return AC_ACCEPT_RATE;
    case AC_ALPHA: return AC_ACCEPT_ALPHA;
    case AC_CORR: case AC_PADJ: return AC_ACCEPT_CORRECTION;
    case AC_TABLE: return AC_ACCEPT_TABLE;
    case AC_SCATTER: return AC_ACCEPT_SCATTER;
    case AC_SIG: return AC_ACCEPT_SIG;
    case AC_GI: return AC_ACCEPT_GI;
    case AC_TOTAL: return AC_ACCEPT_TOTAL;
    case AC_NOADJ: return AC_ACCEPT_NOADJ;
    case AC_HIST: return AC_ACCEPT_HIST;
    default: return 0;
    }
}

int ac_parse(ac_cli *a, const char *cmd, int argc, char **argv, ac_usage_fn usage,
             unsigned common, unsigned own)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"var", required_argument, 0, AC_VAR},
        {"weights", required_argument, 0, AC_WEIGHTS},
        {"transform", required_argument, 0, AC_TRANSFORM},
        {"permutations", required_argument, 0, AC_PERMS},
        {"alternative", required_argument, 0, AC_ALT},
        {"drop-missing", no_argument, 0, AC_DROP},
        {"bivariate", required_argument, 0, AC_BIV},
        {"rate", required_argument, 0, AC_RATE},
        {"alpha", required_argument, 0, AC_ALPHA},
        {"correction", required_argument, 0, AC_CORR},
        {"p-adjust", required_argument, 0, AC_PADJ},
        {"table", required_argument, 0, AC_TABLE},
        {"scatter-png", required_argument, 0, AC_SCATTER},
        {"sig-png", required_argument, 0, AC_SIG},
        {"hist-png", required_argument, 0, AC_HIST},
        CLI_PLOT_LONG_OPTIONS,
        {"gi", no_argument, 0, AC_GI},
        {"total-randomisation", no_argument, 0, AC_TOTAL},
        {"no-adjust-n", no_argument, 0, AC_NOADJ},
        {"gwt-values", required_argument, 0, AC_GWTVAL},
        {"weights-match", required_argument, 0, AC_WMATCH},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    cli_common_init(&a->c);
    agglo_autocorr_options_init(&a->opt);
    a->cmd = cmd;
    a->weights = "queen";
    agglo_weights_read_options_init(&a->wread);
    a->transform = 'W';
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "hv:w:", longopts, &a->c, cmd, common)) != -1) {
        long v;
        double d;
        if (ac_bit(opt) && !(own & ac_bit(opt))) {
            const struct option *o = longopts;
            while (o->name && o->val != opt)
                o++;
            return cli_not_accepted(cmd, o->name ? o->name : "?");
        }
        switch (opt) {
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case 'v':
        case AC_VAR: a->var = optarg; break;
        case 'w':
        case AC_WEIGHTS: a->weights = optarg; break;
        case AC_TRANSFORM:
        {
            agglo_transform t;
            if (agglo_transform_parse(optarg, &t))
                return cli_usage(cmd, "--transform: '%s' is not one of B, W, C, S, U, minmax, V",
                                 optarg);
            a->transform = t == AGGLO_TRANSFORM_V ? 'V' : (char)t;
            break;
        }
        case AC_PERMS:
            if (cli_parse_int(cmd, "--permutations", optarg, 0, 100000000, &v))
                return CLI_USAGE;
            a->opt.permutations = v;
            break;
        case AC_ALT:
            if (!strcmp(optarg, "two-sided") || !strcmp(optarg, "two.sided"))
                a->opt.alternative = AGGLO_ALT_TWO_SIDED;
            else if (!strcmp(optarg, "greater"))
                a->opt.alternative = AGGLO_ALT_GREATER;
            else if (!strcmp(optarg, "less"))
                a->opt.alternative = AGGLO_ALT_LESS;
            else
                return cli_usage(cmd, "--alternative: '%s' is not two-sided, greater or less", optarg);
            break;
        case AC_DROP: a->drop_missing = 1; break;
        case AC_BIV: a->bivariate = optarg; break;
        case AC_RATE: a->rate = optarg; break;
        case AC_ALPHA:
            if (cli_parse_double(cmd, "--alpha", optarg, &d))
                return CLI_USAGE;
            if (!(d > 0 && d < 1))
                return cli_usage(cmd, "--alpha: %g is not in (0, 1)", d);
            a->opt.alpha = d;
            break;
        case AC_CORR:
            cli_deprecated(cmd, "correction", "p-adjust");
            /* fall through */
        case AC_PADJ:
            if (!strcmp(optarg, "none"))
                a->opt.correction = AGGLO_CORRECT_NONE;
            else if (!strcmp(optarg, "bonferroni"))
                a->opt.correction = AGGLO_CORRECT_BONFERRONI;
            else if (!strcmp(optarg, "fdr") || !strcmp(optarg, "bh"))
                a->opt.correction = AGGLO_CORRECT_FDR;
            else
                return cli_usage(cmd, "--p-adjust: '%s' is not none, bonferroni or fdr", optarg);
            break;
        case AC_TABLE:
            cli_deprecated(cmd, "table", "out FILE.csv");
            a->table = optarg;
            break;
        case AC_SCATTER: a->scatter_png = optarg; break;
        case AC_SIG: a->sig_png = optarg; break;
        case AC_HIST: a->hist_png = optarg; break;
        case AC_GI: a->gi = 1; break;
        case AC_TOTAL: a->opt.conditional = 0; break;
        case AC_NOADJ: a->opt.adjust_n = 0; break;
        case AC_GWTVAL:
            if (agglo_gwt_values_parse(optarg, &a->wread.values))
                return cli_usage(cmd, "--gwt-values: '%s' is not weights, distances or binary", optarg);
            break;
        case AC_WMATCH:
            if (strcmp(optarg, "id") && strcmp(optarg, "order"))
                return cli_usage(cmd, "--weights-match: '%s' is not id or order", optarg);
            a->wread.match_order = !strcmp(optarg, "order");
            break;
        default: return cli_usage(cmd, "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage(cmd, "expects one input file");
    a->input = argv[optind];
    a->opt.seed = a->c.seed;
    if (a->rate && a->bivariate)
        return cli_usage(cmd, "--rate and --bivariate cannot be combined");
    if (a->rate) {
        if (!strchr(a->rate, ',') || strchr(a->rate, ',') == a->rate || !strchr(a->rate, ',')[1])
            return cli_usage(cmd, "--rate expects EVENTS,BASE (two field names)");
    } else if (!a->var) {
        return cli_usage(cmd, "--var FIELD is required");
    }
    return -1;
}

/* ---------------------------------------------------------------- loading */

static int fail(ac_cli *a) { return cli_fail(a->ctx); }

static const char *weights_id(const void *w, size_t i) { return agglo_weights_id(w, i); }

int ac_load(ac_cli *a, int need_var)
{
    (void)need_var;
    a->ctx = cli_ctx_create(&a->c);
    if (!a->ctx)
        return CLI_FAIL;
    agglo_ctx *ctx = a->ctx;
    /* Read only the analysed fields (cli_need), unless --out writes the input layer with its
     * fields, or a weights file may name its id field in its header (.gal). */
    int weights_file = a->weights && access(a->weights, F_OK) == 0;
    if ((!a->c.out || ac_out_is_csv(a)) && !weights_file) {
        cli_need(&a->c, a->var);
        cli_need(&a->c, a->bivariate);
        cli_need(&a->c, a->rate);
        if (!a->var && !a->bivariate && !a->rate)
            a->c.need_all = 1;
    }
    a->layer = cli_read_layer(ctx, a->input, &a->c);
    if (!a->layer)
        return fail(a);
    size_t n = agglo_layer_count(a->layer);
    const agglo_table *t = agglo_layer_table(a->layer);
    char *f1 = NULL, *f2 = NULL;
    if (a->rate) {
        const char *comma = strchr(a->rate, ',');
        f1 = strndup(a->rate, (size_t)(comma - a->rate));
        f2 = strdup(comma + 1);
        a->events = agglo_table_get_numeric(ctx, t, f1, a->input);
        if (a->events)
            a->y = agglo_table_get_numeric(ctx, t, f2, a->input);
        snprintf(a->label, sizeof a->label, "%s/%s", f1, f2);
        if (!a->events || !a->y) {
            free(f1);
            free(f2);
            return fail(a);
        }
    } else {
        a->x = agglo_table_get_numeric(ctx, t, a->var, a->input);
        if (!a->x)
            return fail(a);
        if (a->bivariate) {
            a->y = agglo_table_get_numeric(ctx, t, a->bivariate, a->input);
            if (!a->y)
                return fail(a);
            snprintf(a->label, sizeof a->label, "%s x lag(%s)", a->var, a->bivariate);
        } else {
            snprintf(a->label, sizeof a->label, "%s", a->var);
        }
    }
    a->w = agglo_weights_from_spec_ex(ctx, a->layer, a->weights, a->c.id_field, 0, &a->wread);
    if (!a->w) {
        free(f1);
        free(f2);
        return fail(a);
    }
    if (agglo_weights_n(a->w) != n) {
        free(f1);
        free(f2);
        agglo_error(ctx, AGGLO_E_MISMATCH, "%s: weights have %zu observations, the layer %zu",
                    a->weights, agglo_weights_n(a->w), n);
        return fail(a);
    }
    /* missing values */
    const double *vars[2] = {a->rate ? a->events : a->x, a->y};
    const char *names[2] = {a->rate ? f1 : a->var, a->rate ? f2 : a->bivariate};
    size_t *keep = malloc((n ? n : 1) * sizeof(size_t));
    size_t nkeep = 0;
    int rc = 0;
    if (!keep)
        rc = fail(a);
    else if (agglo_missing_rows(ctx, a->input, n, vars, names, 2, NULL, weights_id, a->w,
                                a->drop_missing, keep, &nkeep) != AGGLO_OK)
        rc = fail(a);
    else if (nkeep < n) {
        a->dropped = n - nkeep;
        agglo_weights *ws = agglo_weights_subset(ctx, a->w, keep, nkeep);
        agglo_layer *ls = ws ? agglo_layer_subset(ctx, a->layer, keep, nkeep) : NULL;
        if (!ws || !ls) {
            agglo_weights_free(ws);
            rc = fail(a);
        } else {
            agglo_weights_free(a->w);
            a->full = a->layer; /* kept for the maps: dropped rows drawn as "no data" */
            a->kept = keep;
            keep = NULL;
            a->w = ws;
            a->layer = ls;
            double *arrs[3] = {a->x, a->y, a->events};
            for (int k = 0; k < 3; k++)
                if (arrs[k])
                    for (size_t j = 0; j < nkeep; j++)
                        arrs[k][j] = arrs[k][a->kept[j]];
            size_t isl = agglo_weights_islands(a->w);
            if (isl)
                agglo_warn(ctx, "%s: after dropping, %zu observation%s have no neighbours",
                           a->input, isl, isl == 1 ? "" : "s");
        }
    }
    free(keep);
    free(f1);
    free(f2);
    if (rc)
        return rc;
    a->n = nkeep;
    /* the shared variable check on the rows analysed, naming the file and the field: a
     * constant variable has no autocorrelation and no hot spots (refused in every command) */
    if (!a->rate) {
        const double *cv[2] = {a->x, a->y};
        const char *cn[2] = {a->var, a->bivariate};
        for (int k = 0; k < 2; k++)
            if (cv[k] && agglo_autocorr_check_variable(ctx, cv[k], a->n, a->w,
                                                       AGGLO_CHECK_NONCONSTANT, cn[k],
                                                       a->input, NULL) != AGGLO_OK)
                return fail(a);
    }
    if (agglo_weights_transform(ctx, a->w, a->transform == 'V' ? AGGLO_TRANSFORM_V
                                                              : (agglo_transform)a->transform))
        return fail(a);
    return 0;
}

void ac_free(ac_cli *a)
{
    agglo_weights_free(a->w);
    agglo_layer_free(a->layer);
    agglo_layer_free(a->full);
    free(a->kept);
    free(a->x);
    free(a->y);
    free(a->events);
    agglo_ctx_free(a->ctx);
}

/* ---------------------------------------------------------------- reports */

void ac_report_header(ac_cli *a, cli_report *r)
{
    cli_report_str(r, "input", a->input);
    cli_report_str(r, "variable", a->label);
    cli_report_str(r, "weights", a->weights);
    const char *t = agglo_transform_name(a->transform == 'V' ? AGGLO_TRANSFORM_V
                                                              : (agglo_transform)a->transform);
    cli_report_str(r, "transform", t ? t : "?");
    cli_report_int(r, "n", (long long)a->n);
    if (a->dropped)
        cli_report_int(r, "dropped_missing", (long long)a->dropped);
    cli_report_int(r, "islands", (long long)agglo_weights_islands(a->w));
}

void ac_report_global(cli_report *r, const agglo_global_result *g, const char *stat_name)
{
    cli_report_num(r, stat_name, g->statistic);
    cli_report_num(r, "expected", g->expected);
    cli_report_str(r, "alternative", agglo_alternative_name(g->alternative));
    if (g->n_used != g->n)
        cli_report_int(r, "n_used", (long long)g->n_used);
    cli_report_num(r, "S0", g->s0);
    cli_report_num(r, "S1", g->s1);
    cli_report_num(r, "S2", g->s2);
    if (!isnan(g->var_norm)) {
        cli_report_section(r, "normality");
        cli_report_num(r, "variance", g->var_norm);
        cli_report_num(r, "z", g->z_norm);
        cli_report_num(r, "p", g->p_norm);
    }
    if (!isnan(g->var_rand)) {
        cli_report_section(r, "randomisation");
        cli_report_num(r, "variance", g->var_rand);
        cli_report_num(r, "z", g->z_rand);
        cli_report_num(r, "p", g->p_rand);
        if (!isnan(g->kurtosis))
            cli_report_num(r, "kurtosis", g->kurtosis);
    }
    if (g->permutations > 0) {
        cli_report_section(r, "permutation");
        cli_report_int(r, "permutations", g->permutations);
        cli_report_int(r, "seed", (long long)g->seed);
        cli_report_num(r, "pseudo_p", g->p_sim);
        cli_report_num(r, "p", g->p_perm);
        cli_report_num(r, "mean", g->perm_mean);
        cli_report_num(r, "sd", g->perm_sd);
        cli_report_num(r, "z", g->perm_z);
        cli_report_int(r, "n_greater_equal", g->n_greater_equal);
        cli_report_int(r, "n_less_equal", g->n_less_equal);
    }
    cli_report_section(r, NULL);
}

/* ---------------------------------------------------------------- outputs */

int ac_add_col(ac_cli *a, const char *name, const double *v, agglo_col_type type)
{
    if (agglo_table_add_numeric(a->ctx, agglo_layer_table_mut(a->layer), name, type, v, NULL) < 0)
        return fail(a);
    return 0;
}

int ac_add_int_col(ac_cli *a, const char *name, const int *v)
{
    double *d = malloc((a->n ? a->n : 1) * sizeof(double));
    if (!d)
        return CLI_FAIL;
    for (size_t i = 0; i < a->n; i++)
        d[i] = v[i];
    int rc = ac_add_col(a, name, d, AGGLO_COL_INTEGER);
    free(d);
    return rc;
}

int ac_add_str_col(ac_cli *a, const char *name, const char *const *v)
{
    if (agglo_table_add_string(a->ctx, agglo_layer_table_mut(a->layer), name, v) < 0)
        return fail(a);
    return 0;
}

static int ac_write_table(ac_cli *a, const char *const *cols, size_t ncols, const char *path);

int ac_write_outputs(ac_cli *a, const char *const *cols, size_t ncols)
{
    agglo_ctx *ctx = a->ctx;
    /* --out FILE.csv: the per-observation table (id + results), as --table wrote it */
    const char *csv = a->table;
    if (a->c.out && ac_out_is_csv(a)) {
        if (a->table && strcmp(a->table, a->c.out) != 0 &&
            ac_write_table(a, cols, ncols, a->table))
            return CLI_FAIL;
        csv = a->c.out;
    } else if (a->c.out && agglo_layer_write(ctx, a->layer, a->c.out, NULL) != AGGLO_OK) {
        return fail(a);
    }
    if (!csv)
        return 0;
    return ac_write_table(a, cols, ncols, csv);
}

int ac_out_is_csv(const ac_cli *a)
{
    char ext[16];
    if (!a->c.out)
        return 0;
    agglo_path_ext(a->c.out, ext, sizeof ext);
    return strcmp(ext, "csv") == 0 && !a->c.out_format && !a->c.nlco; /* -f/--lco: the layer */
}

static int ac_write_table(ac_cli *a, const char *const *cols, size_t ncols, const char *path)
{
    agglo_ctx *ctx = a->ctx;
    const agglo_table *src = agglo_layer_table(a->layer);
    agglo_table *t = agglo_table_create(ctx, a->n);
    char **ids = agglo_layer_ids(ctx, a->layer, a->c.id_field);
    int rc = 0;
    if (!t || !ids) {
        rc = fail(a);
        goto out;
    }
    if (agglo_table_add_string(ctx, t, a->c.id_field ? a->c.id_field : "id",
                               (const char *const *)ids) < 0) {
        rc = fail(a);
        goto out;
    }
    for (size_t k = 0; k < ncols; k++) {
        long c = agglo_table_find(src, cols[k]);
        if (c < 0)
            continue;
        long r;
        if (agglo_table_col_type(src, (size_t)c) == AGGLO_COL_STRING)
            r = agglo_table_add_string(ctx, t, cols[k], agglo_table_strings(src, (size_t)c));
        else
            r = agglo_table_add_numeric(ctx, t, cols[k], agglo_table_col_type(src, (size_t)c),
                                        agglo_table_numeric(src, (size_t)c),
                                        agglo_table_nulls(src, (size_t)c));
        if (r < 0) {
            rc = fail(a);
            goto out;
        }
    }
    if (cli_write_table_csv(ctx, t, path) != AGGLO_OK)
        rc = fail(a);
out:
    if (ids)
        agglo_strings_free(ids, a->n);
    agglo_table_free(t);
    return rc;
}

const agglo_layer *ac_map_layer(const ac_cli *a)
{
    return a->full ? a->full : a->layer;
}

int *ac_map_categories(ac_cli *a, const int *cat)
{
    size_t n = agglo_layer_count(ac_map_layer(a));
    int *out = malloc((n ? n : 1) * sizeof(int));
    if (!out) {
        agglo_error(a->ctx, AGGLO_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!a->full) {
        memcpy(out, cat, n * sizeof(int));
        return out;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = -1;
    for (size_t j = 0; j < a->n; j++)
        out[a->kept[j]] = cat[j];
    return out;
}

int ac_plot_style(ac_cli *a, cli_style *s)
{
    return cli_plot_style(a->ctx, &a->c, ac_map_layer(a), NULL, s);
}
