/* agglo distribution TABLE --var F [--time F] [--group F] [--png curves.png] */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options distribution uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_PNG | CLI_ACCEPT_READ | CLI_ACCEPT_COMPUTE)

enum { OPT_VAR = 1, OPT_TIME, OPT_GROUP, OPT_BANDWIDTH, OPT_POINTS, OPT_DENSITY, OPT_DROP };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo distribution TABLE --var FIELD [--time FIELD] [--group FIELD]\n"
            "                          [--bandwidth H] [--points N] [--density FILE.csv]\n"
            "                          [--png curves.png] [--drop-missing]\n\n"
            "The distribution of a variable across regions over time: the Gaussian kernel\n"
            "density of each period (bandwidth by Silverman's rule as R's bw.nrd0, or --bandwidth)\n"
            "drawn as one curve per period on one figure, and per period the Theil index with\n"
            "its within/between-group parts (and the Gini).\n\n"
            "  --var FIELD      the variable (a field or an expression)\n"
            "  --time FIELD     the period (one density and one Theil per value)\n"
            "  --group FIELD    the groups of the Theil decomposition\n"
            "  --bandwidth H    one bandwidth for every period (default: bw.nrd0 of each)\n"
            "  --points N       evaluation points of the densities (default 512)\n"
            "  --density FILE   write the densities as CSV (x, one column per period)\n"
            "  --drop-missing   drop rows with NULLs (default: refuse)\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

static int write_density(agglo_ctx *ctx, const agglo_distribution *d, const char *path)
{
    agglo_table *t = agglo_table_create(ctx, d->npoints);
    int rc = t ? AGGLO_OK : agglo_ctx_errcode(ctx);
    if (!rc && agglo_table_add_numeric(ctx, t, "x", AGGLO_COL_REAL, d->x, NULL) < 0)
        rc = agglo_ctx_errcode(ctx);
    for (size_t p = 0; !rc && p < d->nperiods; p++)
        if (agglo_table_add_numeric(ctx, t, d->periods[p], AGGLO_COL_REAL,
                                    d->density + p * d->npoints, NULL) < 0)
            rc = agglo_ctx_errcode(ctx);
    if (!rc)
        rc = cli_write_table_csv(ctx, t, path);
    agglo_table_free(t);
    return rc;
}

int cmd_distribution(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        CLI_PLOT_LONG_OPTIONS,
        {"var", required_argument, 0, OPT_VAR},
        {"time", required_argument, 0, OPT_TIME},
        {"group", required_argument, 0, OPT_GROUP},
        {"bandwidth", required_argument, 0, OPT_BANDWIDTH},
        {"points", required_argument, 0, OPT_POINTS},
        {"density", required_argument, 0, OPT_DENSITY},
        {"drop-missing", no_argument, 0, OPT_DROP},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *var = NULL, *time = NULL, *group = NULL, *dens_path = NULL;
    double bw = NAN;
    long npts = 512;
    int drop = 0, opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "distribution", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_VAR: var = optarg; break;
        case OPT_TIME: time = optarg; break;
        case OPT_GROUP: group = optarg; break;
        case OPT_BANDWIDTH:
            if (cli_parse_double("distribution", "--bandwidth", optarg, &bw))
                return CLI_USAGE;
            if (!(bw > 0))
                return cli_usage("distribution", "--bandwidth must be > 0");
            break;
        case OPT_POINTS:
            if (cli_parse_int("distribution", "--points", optarg, 2, 1000000, &npts))
                return CLI_USAGE;
            break;
        case OPT_DENSITY: dens_path = optarg; break;
        case OPT_DROP: drop = 1; break;
        default: {
            if (opt >= CLI_OPT_TITLE && opt <= CLI_OPT_CLASSES) {
                if (cli_plot_option(&c, "distribution", opt, optarg))
                    return CLI_USAGE;
                break;
            }
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0)
                return r < 0 ? CLI_USAGE : cli_usage("distribution", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("distribution", "expects one TABLE");
    if (!var)
        return cli_usage("distribution", "--var FIELD is required");
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    agglo_distribution *d = NULL;
    cli_report *r = cli_report_create("distribution");
    cli_need(&c, var);
    cli_need(&c, time);
    cli_need(&c, group);
    agglo_table *table = cli_read_table(ctx, path, &c);
    if (!table)
        goto fail;
    d = agglo_distribution_table(ctx, table, path, var, time, group, bw, (size_t)npts, drop);
    if (!d)
        goto fail;
    cli_report_str(r, "input", path);
    cli_report_str(r, "variable", var);
    if (time)
        cli_report_str(r, "time", time);
    if (group)
        cli_report_str(r, "group", group);
    cli_report_str(r, "kernel", "gaussian");
    for (size_t p = 0; p < d->nperiods; p++) {
        const agglo_dagum *q = d->ineq[p];
        cli_report_section(r, d->periods[p]);
        cli_report_int(r, "n", (long long)d->n[p]);
        cli_report_num(r, "mean", q->mean_all);
        cli_report_num(r, "bandwidth", d->bandwidth[p]);
        cli_report_num(r, "theil", q->theil);
        if (group) {
            cli_report_num(r, "theil_within", q->theil_within);
            cli_report_num(r, "theil_between", q->theil_between);
        }
        cli_report_num(r, "gini", q->G);
    }
    if (dens_path && write_density(ctx, d, dens_path))
        goto fail;
    if (c.png) {
        char title[256];
        snprintf(title, sizeof title, "Distribution of %s", var);
        cli_style st;
        int prc = cli_plot_style(ctx, &c, NULL, NULL, &st);
        if (!prc)
            prc = agglo_plot_curves(ctx, d->x, d->density, d->nperiods, d->npoints,
                                    (const char *const *)d->periods, var, "density", title,
                                    c.png, &st.style);
        cli_style_free(&st);
        if (prc)
            goto fail;
    }
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    cli_report_free(r);
    agglo_distribution_free(d);
    agglo_table_free(table);
    agglo_ctx_free(ctx);
    return rc;
}
