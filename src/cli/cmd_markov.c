/* agglo markov TABLE --id F (--time F --var F | --wide COLS | --prefix P) [--spatial|--lisa] */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* the common options markov uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_ID | CLI_ACCEPT_COMPUTE)

enum {
    OPT_TIME = 1, OPT_VAR, OPT_WIDE, OPT_PREFIX, OPT_CLASSES, OPT_LAG_CLASSES, OPT_PER_PERIOD,
    OPT_RELATIVE, OPT_SPATIAL, OPT_LISA, OPT_WEIGHTS, OPT_REGIONS, OPT_REGION_ID, OPT_DROP
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo markov TABLE --id FIELD (--time FIELD --var FIELD | --wide F1,F2,... |\n"
            "                          --prefix P) [--classes K] [--relative] [--per-period]\n"
            "                          [--spatial [--lag-classes M] | --lisa]\n"
            "                          [--weights FILE | --regions POLYGONS --region-id F\n"
            "                           --weights SPEC] [--drop-missing]\n\n"
            "Markov chains of a panel's quantile classes (PySAL giddy): transition counts and\n"
            "probabilities, steady state, first mean passage times. --spatial conditions the\n"
            "chain on the class of the spatial lag (Rey 2001) with the Q and LR homogeneity\n"
            "tests and chi-square tests per lag class; --lisa runs the chain of the Moran\n"
            "scatter-plot quadrants (Rey & Janikas 2006) with the independence test.\n\n"
            "  --id FIELD           region id (long: with --time; wide: one row per region)\n"
            "  --time FIELD         period of a long table (one row per region and period)\n"
            "  --var FIELD          the variable of a long table (a field or an expression)\n"
            "  --wide LIST          the period columns of a wide table, in time order\n"
            "  --prefix P           the wide table's columns whose names start with P\n"
            "  --classes K          quantile classes of the values (default 5)\n"
            "  --lag-classes M      quantile classes of the spatial lag (default 5)\n"
            "  --per-period         quantiles of each period (default: of all values pooled)\n"
            "  --relative           divide each period by its mean first (relative values)\n"
            "  --weights FILE|SPEC  .gal/.gwt/.kwt/.csv matched by id, or with --regions a spec\n"
            "                       (queen, rook, knn:K, ...); row-standardised\n"
            "  --regions POLYGONS   the regions' layer for a --weights spec\n"
            "  --region-id FIELD    the field of POLYGONS holding the panel's ids\n"
            "  --drop-missing       drop regions with NULLs or missing periods (default: refuse)\n"
            "\n");
    cli_common_help_print(fp, ACCEPTS);
}

static void report_chain(cli_report *r, const char *section, const agglo_markov_chain *c)
{
    char key[64];
    cli_report_section(r, section);
    size_t k = c->k;
    cli_report_int(r, "classes", (long long)k);
    cli_report_bool(r, "irreducible", c->irreducible);
    cli_report_int(r, "recurrent_classes", (long long)c->nrecurrent);
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            snprintf(key, sizeof key, "transitions_%zu_%zu", i, j);
            cli_report_num(r, key, c->transitions[i * k + j]);
        }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            snprintf(key, sizeof key, "p_%zu_%zu", i, j);
            cli_report_num(r, key, c->p[i * k + j]);
        }
    for (size_t i = 0; i < k; i++) {
        snprintf(key, sizeof key, "steady_%zu", i);
        cli_report_num(r, key, c->steady[i]);
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            snprintf(key, sizeof key, "fmpt_%zu_%zu", i, j);
            cli_report_num(r, key, c->fmpt[i * k + j]);
        }
}

static void report_cutoffs(cli_report *r, const char *name, const double *cut, size_t k)
{
    char key[64];
    if (!cut)
        return;
    for (size_t c = 0; c + 1 < k; c++) {
        snprintf(key, sizeof key, "%s_%zu", name, c);
        cli_report_num(r, key, cut[c]);
    }
}

/* The weights of the panel's regions, row-standardised. */
static agglo_weights *panel_weights(agglo_ctx *ctx, const agglo_markov_panel *p, const char *spec,
                                    const char *regions, const char *region_id)
{
    agglo_weights *raw = NULL, *w = NULL;
    agglo_layer *layer = NULL;
    const char *src = spec;
    if (regions) {
        agglo_read_options ro;
        agglo_read_options_init(&ro);
        ro.skip_validity = 1;
        if (!(layer = agglo_layer_read(ctx, regions, &ro)))
            return NULL;
        raw = agglo_weights_from_spec(ctx, layer, spec, region_id, 0);
        src = regions;
    } else {
        raw = agglo_weights_read(ctx, spec, NULL);
    }
    if (raw)
        w = agglo_weights_match_ids(ctx, raw, (const char *const *)p->ids, p->n, src);
    if (w && agglo_weights_transform(ctx, w, AGGLO_TRANSFORM_W)) {
        agglo_weights_free(w);
        w = NULL;
    }
    agglo_weights_free(raw);
    agglo_layer_free(layer);
    return w;
}

int cmd_markov(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"time", required_argument, 0, OPT_TIME},
        {"var", required_argument, 0, OPT_VAR},
        {"wide", required_argument, 0, OPT_WIDE},
        {"prefix", required_argument, 0, OPT_PREFIX},
        {"classes", required_argument, 0, OPT_CLASSES},
        {"lag-classes", required_argument, 0, OPT_LAG_CLASSES},
        {"per-period", no_argument, 0, OPT_PER_PERIOD},
        {"relative", no_argument, 0, OPT_RELATIVE},
        {"spatial", no_argument, 0, OPT_SPATIAL},
        {"lisa", no_argument, 0, OPT_LISA},
        {"weights", required_argument, 0, OPT_WEIGHTS},
        {"regions", required_argument, 0, OPT_REGIONS},
        {"region-id", required_argument, 0, OPT_REGION_ID},
        {"drop-missing", no_argument, 0, OPT_DROP},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *time = NULL, *var = NULL, *wide = NULL, *prefix = NULL, *wspec = NULL,
               *regions = NULL, *region_id = NULL;
    int drop = 0, relative = 0, spatial = 0, lisa = 0, opt;
    long v;
    agglo_markov_options mo;
    agglo_markov_options_init(&mo);
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "markov", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_TIME: time = optarg; break;
        case OPT_VAR: var = optarg; break;
        case OPT_WIDE: wide = optarg; break;
        case OPT_PREFIX: prefix = optarg; break;
        case OPT_CLASSES:
            if (cli_parse_int("markov", "--classes", optarg, 2, 100, &v))
                return CLI_USAGE;
            mo.k = (size_t)v;
            break;
        case OPT_LAG_CLASSES:
            if (cli_parse_int("markov", "--lag-classes", optarg, 2, 100, &v))
                return CLI_USAGE;
            mo.m = (size_t)v;
            break;
        case OPT_PER_PERIOD: mo.per_period = 1; break;
        case OPT_RELATIVE: relative = 1; break;
        case OPT_SPATIAL: spatial = 1; break;
        case OPT_LISA: lisa = 1; break;
        case OPT_WEIGHTS: wspec = optarg; break;
        case OPT_REGIONS: regions = optarg; break;
        case OPT_REGION_ID: region_id = optarg; break;
        case OPT_DROP: drop = 1; break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0)
                return r < 0 ? CLI_USAGE : cli_usage("markov", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("markov", "expects one TABLE");
    int nform = (time || var) + (wide != NULL) + (prefix != NULL);
    if (nform != 1 || ((time || var) && !(time && var)))
        return cli_usage("markov", "give --time FIELD --var FIELD (long table), --wide LIST or "
                                   "--prefix P (wide table)");
    if ((time || var) && !c.id_field)
        return cli_usage("markov", "a long table needs --id FIELD");
    if (spatial && lisa)
        return cli_usage("markov", "--spatial and --lisa are separate analyses");
    if ((spatial || lisa) && !wspec)
        return cli_usage("markov", "--spatial and --lisa need --weights");
    if (!(spatial || lisa) && (wspec || regions))
        return cli_usage("markov", "--weights and --regions only apply with --spatial or --lisa");
    if (regions && !region_id)
        return cli_usage("markov", "--regions needs --region-id FIELD");
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    char **cols = NULL;
    size_t ncols = 0;
    agglo_table *table = NULL;
    agglo_markov_panel *panel = NULL;
    agglo_weights *w = NULL;
    agglo_markov *mk = NULL;
    agglo_spatial_markov *sm = NULL;
    agglo_lisa_markov *lm = NULL;
    cli_report *r = cli_report_create("markov");
    if (time) {
        cli_need(&c, time);
        cli_need(&c, var);
    } else if (wide) {
        cli_need(&c, wide);
    }
    table = cli_read_table(ctx, path, &c);
    if (!table)
        goto fail;
    if (wide) {
        cols = cli_split(wide, &ncols);
    } else if (prefix) {
        size_t nc = agglo_table_ncols(table), plen = strlen(prefix);
        cols = calloc(nc + 1, sizeof *cols);
        for (size_t j = 0; cols && j < nc; j++) {
            const char *name = agglo_table_col_name(table, j);
            if (!strncmp(name, prefix, plen) && (!c.id_field || strcmp(name, c.id_field)))
                cols[ncols++] = strdup(name);
        }
        if (cols && ncols < 2) {
            agglo_error(ctx, AGGLO_E_FIELD, "%s: %zu columns start with '%s' (a panel needs 2 "
                        "or more periods)", path, ncols, prefix);
            goto fail;
        }
    }
    if (time)
        panel = agglo_markov_panel_long(ctx, table, path, c.id_field, time, var, drop);
    else if (cols)
        panel = agglo_markov_panel_wide(ctx, table, path, c.id_field, (const char *const *)cols, ncols,
                                 drop);
    else
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    if (!panel)
        goto fail;
    if (relative && agglo_markov_panel_relative(ctx, panel)) {
        agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s", path, agglo_ctx_errmsg(ctx));
        goto fail;
    }
    if (wspec && !(w = panel_weights(ctx, panel, wspec, regions, region_id)))
        goto fail;
    cli_report_str(r, "input", path);
    cli_report_int(r, "regions", (long long)panel->n);
    cli_report_int(r, "periods", (long long)panel->t);
    cli_report_str(r, "first_period", panel->periods[0]);
    cli_report_str(r, "last_period", panel->periods[panel->t - 1]);
    cli_report_str(r, "quantiles", mo.per_period ? "per period" : "pooled");
    cli_report_bool(r, "relative", relative);
    if (lisa) {
        if (!(lm = agglo_lisa_markov_compute(ctx, panel, w)))
            goto fail;
        cli_report_str(r, "analysis", "lisa");
        cli_report_str(r, "states", "1 HH, 2 LH, 3 LL, 4 HL (classes 0..3)");
        report_chain(r, "lisa", &lm->chain);
        cli_report_section(r, "independence");
        char key[64];
        for (size_t i = 0; i < 4; i++)
            for (size_t j = 0; j < 4; j++) {
                snprintf(key, sizeof key, "expected_%zu_%zu", i, j);
                cli_report_num(r, key, lm->expected[i * 4 + j]);
            }
        cli_report_num(r, "chi2", lm->chi2);
        cli_report_num(r, "df", lm->chi2_df);
        cli_report_num(r, "p_value", lm->chi2_p);
        /* giddy's LISA_Markov chi_2 (its orientation; docs/dynamics.md) */
        cli_report_num(r, "chi2_giddy", lm->chi2_giddy);
        cli_report_num(r, "df_giddy", lm->chi2_giddy_df);
        cli_report_num(r, "p_giddy", lm->chi2_giddy_p);
    } else if (spatial) {
        if (!(sm = agglo_spatial_markov_compute(ctx, panel, w, &mo)))
            goto fail;
        cli_report_str(r, "analysis", "spatial");
        report_cutoffs(r, "cutoff", sm->cutoffs, sm->k);
        report_cutoffs(r, "lag_cutoff", sm->lag_cutoffs, sm->m);
        report_chain(r, "global", &sm->global);
        char sec[64];
        for (size_t l = 0; l < sm->m; l++) {
            snprintf(sec, sizeof sec, "lag_class_%zu", l);
            report_chain(r, sec, &sm->cond[l]);
            cli_report_num(r, "chi2", sm->chi2[l]);
            cli_report_num(r, "chi2_df", sm->chi2_df[l]);
            cli_report_num(r, "chi2_p_value", sm->chi2_p[l]);
        }
        cli_report_section(r, "homogeneity");
        cli_report_num(r, "Q", sm->Q);
        cli_report_num(r, "Q_p_value", sm->Q_p);
        cli_report_num(r, "LR", sm->LR);
        cli_report_num(r, "LR_p_value", sm->LR_p);
        cli_report_num(r, "df", sm->dof);
        cli_report_num(r, "x2", sm->x2);
        cli_report_num(r, "x2_df", sm->x2_df);
        cli_report_num(r, "x2_p_value", sm->x2_p);
    } else {
        if (!(mk = agglo_markov_classic(ctx, panel, &mo)))
            goto fail;
        cli_report_str(r, "analysis", "classic");
        report_cutoffs(r, "cutoff", mk->cutoffs, mk->k);
        report_chain(r, "markov", &mk->chain);
    }
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    cli_report_free(r);
    if (cols)
        for (size_t j = 0; j < ncols; j++)
            free(cols[j]);
    free(cols);
    agglo_markov_free(mk);
    agglo_spatial_markov_free(sm);
    agglo_lisa_markov_free(lm);
    agglo_weights_free(w);
    agglo_markov_panel_free(panel);
    agglo_table_free(table);
    agglo_ctx_free(ctx);
    return rc;
}
