/* agglo geodetector INPUT --y F --factors A,B,C [--discretize SPEC] [--continuous A,B] */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options geodetector uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_PNG | CLI_ACCEPT_COMPUTE)

enum { OPT_Y = 1, OPT_FACTORS, OPT_DISC, OPT_CONT, OPT_DROP, OPT_ALPHA, OPT_TOL };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo geodetector INPUT --y FIELD --factors A,B,C\n"
            "                         [--discretize SPEC [--continuous A,B]] [--png FILE]\n\n"
            "Geographical detector (Wang et al. 2010): factor detector (q and its non-central F\n"
            "p-value), interaction detector (q of the overlaid strata of each pair and its\n"
            "class), risk detector (stratum means, Welch t-tests between strata) and ecological\n"
            "detector (F test of the within-strata sums of squares of each pair).\n\n"
            "  --y FIELD          the explained variable (a field or an expression)\n"
            "  --factors A,B,C    stratifications: each distinct value a stratum\n"
            "  --discretize SPEC  cut continuous factors first: equal:K, natural:K, quantile:K,\n"
            "                     geometric:K, sd:K, or optimal[:K] (the method and 3..K classes,\n"
            "                     default 7, with the largest q; every class >= 2 observations)\n"
            "  --continuous A,B   the factors to discretise (default: all of --factors)\n"
            "  --drop-missing     drop rows with NULL in y or a factor (default: refuse)\n"
            "  --alpha A          significance level of the risk and ecological tests (0.05)\n"
            "  --tol T            tolerance of the interaction classes (1e-10)\n"
            "  --png FILE         the interaction q matrix as a picture\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

static int parse_disc(const char *spec, agglo_gd_factor_spec *sp)
{
    char name[32];
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (len >= sizeof name)
        return -1;
    memcpy(name, spec, len);
    name[len] = 0;
    long k = 7;
    if (colon) {
        char *end;
        k = strtol(colon + 1, &end, 10);
        if (*end || k < 2 || k > 100)
            return -1;
    }
    if (strcmp(name, "optimal") == 0) {
        if (k < 3)
            return -1;
        sp->discretize = 2;
    } else {
        int m = agglo_disc_method_parse(name);
        if (m < 0 || !colon)
            return -1;
        sp->discretize = 1;
        sp->method = (agglo_disc_method)m;
    }
    sp->k = (int)k;
    return 0;
}

static void report(cli_report *r, const agglo_geodetector *g, const char *path, const char *y,
                   double alpha)
{
    char key[512];
    cli_report_str(r, "input", path);
    cli_report_str(r, "dependent", y);
    cli_report_int(r, "n", (long long)g->n);
    for (size_t f = 0; f < g->nfactors; f++) {
        const agglo_gd_factor *fa = &g->factor[f];
        cli_report_section_path(r, "factor", g->names[f], (const char *)NULL);
        cli_report_num(r, "q", fa->q);
        cli_report_num(r, "p", fa->p);
        cli_report_num(r, "F", fa->F);
        cli_report_num(r, "lambda", fa->lambda);
        cli_report_int(r, "strata", (long long)fa->nstrata);
        if (g->disc_method[f] >= 0) {
            cli_report_str(r, "discretisation",
                           agglo_disc_method_name((agglo_disc_method)g->disc_method[f]));
            cli_report_int(r, "classes", g->disc_k[f]);
            cli_report_nums(r, "breaks", g->disc_breaks[f], g->disc_nbreaks[f]);
        }
    }
    if (g->npairs) {
        for (size_t k = 0; k < g->npairs; k++) {
            const agglo_gd_interaction *it = &g->interaction[k];
            snprintf(key, sizeof key, "%s:%s", g->names[it->a], g->names[it->b]);
            cli_report_section_path(r, "interaction", key, (const char *)NULL);
            cli_report_num(r, "q", it->q_ab);
            cli_report_str(r, "class", agglo_gd_interaction_name(it->cls));
        }
        for (size_t k = 0; k < g->npairs; k++) {
            const agglo_gd_ecological *e = &g->ecological[k];
            snprintf(key, sizeof key, "%s:%s", g->names[e->a], g->names[e->b]);
            cli_report_section_path(r, "ecological", key, (const char *)NULL);
            cli_report_num(r, "F", e->F);
            cli_report_num(r, "p", e->p);
            cli_report_bool(r, "significant", e->sig);
            cli_report_bool(r, "q_ratio_flag", e->qratio_sig);
        }
    }
    for (size_t f = 0; f < g->nfactors; f++) {
        const agglo_gd_risk *rk = &g->risk[f];
        cli_report_section_path(r, "risk", g->names[f], "mean", (const char *)NULL);
        for (size_t l = 0; l < rk->nlevels; l++)
            cli_report_num(r, rk->labels[l], rk->mean[l]);
        cli_report_section_path(r, "risk", g->names[f], "n", (const char *)NULL);
        for (size_t l = 0; l < rk->nlevels; l++)
            cli_report_int(r, rk->labels[l], (long long)rk->count[l]);
        size_t L = rk->nlevels;
        cli_report_section_path(r, "risk", g->names[f], "p", (const char *)NULL);
        for (size_t i = 0; i < L; i++)
            for (size_t j = i + 1; j < L; j++) {
                snprintf(key, sizeof key, "%s:%s", rk->labels[i], rk->labels[j]);
                cli_report_num(r, key, rk->p[i * L + j]);
            }
        cli_report_section_path(r, "risk", g->names[f], (const char *)NULL);
        cli_report_num(r, "alpha", alpha);
        snprintf(key, sizeof key, "significant_pairs");
        size_t ns = 0;
        for (size_t i = 0; i < L; i++)
            for (size_t j = i + 1; j < L; j++)
                ns += (size_t)rk->sig[i * L + j];
        cli_report_int(r, key, (long long)ns);
    }
}

static int plot(agglo_ctx *ctx, const agglo_geodetector *g, const char *y, const char *png,
                const cli_common *c)
{
    size_t n = g->nfactors;
    double *m = malloc(n * n * sizeof *m);
    if (!m)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    for (size_t f = 0; f < n; f++)
        m[f * n + f] = g->factor[f].q;
    for (size_t k = 0; k < g->npairs; k++) {
        const agglo_gd_interaction *it = &g->interaction[k];
        m[it->a * n + it->b] = m[it->b * n + it->a] = it->q_ab;
    }
    char title[256];
    snprintf(title, sizeof title, "Interaction detector: q of %s", y);
    cli_style st;
    int rc = cli_plot_style(ctx, c, NULL, NULL, &st);
    if (rc == AGGLO_OK)
        rc = agglo_plot_matrix(ctx, m, n, (const char *const *)g->names, title, png, &st.style);
    cli_style_free(&st);
    free(m);
    return rc;
}

int cmd_geodetector(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        CLI_PLOT_LONG_OPTIONS,
        {"y", required_argument, 0, OPT_Y},
        {"factors", required_argument, 0, OPT_FACTORS},
        {"discretize", required_argument, 0, OPT_DISC},
        {"continuous", required_argument, 0, OPT_CONT},
        {"drop-missing", no_argument, 0, OPT_DROP},
        {"alpha", required_argument, 0, OPT_ALPHA},
        {"tol", required_argument, 0, OPT_TOL},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *y = NULL, *factors = NULL, *disc = NULL, *cont = NULL;
    int drop = 0, opt;
    agglo_gd_options go;
    agglo_gd_options_init(&go);
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "geodetector", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_Y: y = optarg; break;
        case OPT_FACTORS: factors = optarg; break;
        case OPT_DISC: disc = optarg; break;
        case OPT_CONT: cont = optarg; break;
        case OPT_DROP: drop = 1; break;
        case OPT_ALPHA:
            if (cli_parse_double("geodetector", "--alpha", optarg, &go.alpha))
                return CLI_USAGE;
            if (!(go.alpha > 0 && go.alpha < 1))
                return cli_usage("geodetector", "--alpha must be in (0, 1)");
            break;
        case OPT_TOL:
            if (cli_parse_double("geodetector", "--tol", optarg, &go.tol))
                return CLI_USAGE;
            if (!(go.tol >= 0))
                return cli_usage("geodetector", "--tol must be >= 0");
            break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0)
                return r < 0 ? CLI_USAGE : cli_usage("geodetector", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("geodetector", "expects one INPUT");
    if (!y || !factors)
        return cli_usage("geodetector", "--y FIELD and --factors A,B,... are required");
    if (cont && !disc)
        return cli_usage("geodetector", "--continuous needs --discretize");
    agglo_gd_factor_spec dspec = {0};
    if (disc && parse_disc(disc, &dspec))
        return cli_usage("geodetector", "--discretize: '%s' is not METHOD:K (equal, natural, "
                         "quantile, geometric, sd; K >= 2) or optimal[:K] (K >= 3)", disc);
    size_t nf = 0, nc = 0;
    char **fl = cli_split(factors, &nf), **cl = cont ? cli_split(cont, &nc) : NULL;
    agglo_gd_factor_spec *sp = calloc(nf ? nf : 1, sizeof *sp);
    int rc = CLI_OK;
    if (!fl || !sp || nf == 0 || (cont && !cl)) {
        rc = cli_usage("geodetector", "--factors: no factor names");
        goto free_lists;
    }
    for (size_t i = 0; i < nc; i++) {
        size_t f = 0;
        while (f < nf && strcmp(fl[f], cl[i]) != 0)
            f++;
        if (f == nf) {
            rc = cli_usage("geodetector", "--continuous: %s is not in --factors", cl[i]);
            goto free_lists;
        }
    }
    for (size_t f = 0; f < nf; f++) {
        int is_cont = disc && !cont;
        for (size_t i = 0; i < nc; i++)
            is_cont |= strcmp(fl[f], cl[i]) == 0;
        sp[f] = is_cont ? dspec : (agglo_gd_factor_spec){0};
        sp[f].name = fl[f];
    }
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx) {
        rc = CLI_FAIL;
        goto free_lists;
    }
    cli_report *r = cli_report_create("geodetector");
    agglo_geodetector *g = NULL;
    cli_need(&c, y); /* only the fields the detectors use are read */
    cli_need(&c, factors);
    agglo_table *table = cli_read_table(ctx, path, &c);
    if (!table)
        goto fail;
    g = agglo_geodetector_table(ctx, table, path, y, sp, nf, drop, &go);
    if (!g)
        goto fail;
    report(r, g, path, y, go.alpha);
    if (c.png) {
        if (plot(ctx, g, y, c.png, &c))
            goto fail;
        cli_report_section(r, NULL);
        cli_report_str(r, "png", c.png);
    }
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    cli_report_free(r);
    agglo_geodetector_free(g);
    agglo_table_free(table);
    agglo_ctx_free(ctx);
free_lists:
    if (fl)
        for (size_t i = 0; i < nf; i++)
            free(fl[i]);
    if (cl)
        for (size_t i = 0; i < nc; i++)
            free(cl[i]);
    free(fl);
    free(cl);
    free(sp);
    return rc;
}
