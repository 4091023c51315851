/* agglo ranksize INPUT --size F [--top N] [--png plot.png] [--drop-missing] */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* the common options ranksize uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_PNG)

enum { OPT_SIZE = 1, OPT_TOP, OPT_DROP };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo ranksize INPUT --size FIELD [--top N] [--png FILE] [--drop-missing]\n\n"
            "The rank-size rule (Zipf's law) of a size (city population, firm employment):\n"
            "sizes sorted in decreasing order with ranks 1..n, and\n"
            "  - Gabaix & Ibragimov (2011): OLS of ln(rank - 1/2) on ln(size), with their\n"
            "    standard error of the slope sqrt(2/n) |slope|;\n"
            "  - the classic Zipf regression: OLS of ln(rank) on ln(size), usual OLS standard\n"
            "    error (too small: the ranks are not independent).\n"
            "zipf_exponent = -slope (Zipf's law: 1).\n\n"
            "  --size FIELD     the size (a field or an expression); sizes must be > 0\n"
            "  --top N          only the N largest sizes (the upper tail)\n"
            "  --png FILE       ln(rank) against ln(size) with both fitted lines\n"
            "  --drop-missing   leave out missing, zero and negative sizes (default: refuse)\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

static void report_fit(cli_report *r, const char *sec, const agglo_ranksize_fit *f)
{
    cli_report_section(r, sec);
    cli_report_num(r, "intercept", f->intercept);
    cli_report_num(r, "slope", f->slope);
    cli_report_num(r, "se", f->se);
    cli_report_num(r, "t", f->t);
    cli_report_num(r, "r2", f->r2);
    cli_report_num(r, "zipf_exponent", f->zipf_exponent);
}

int cmd_ranksize(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        CLI_PLOT_LONG_OPTIONS,
        {"size", required_argument, 0, OPT_SIZE},
        {"top", required_argument, 0, OPT_TOP},
        {"drop-missing", no_argument, 0, OPT_DROP},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *size = NULL;
    long top = 0;
    int drop = 0, opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "ranksize", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_SIZE: size = optarg; break;
        case OPT_TOP:
            if (cli_parse_int("ranksize", "--top", optarg, 3, 1000000000L, &top))
                return CLI_USAGE;
            break;
        case OPT_DROP: drop = 1; break;
        default: return cli_usage("ranksize", "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage("ranksize", "expects one INPUT");
    if (!size)
        return cli_usage("ranksize", "--size FIELD is required");
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    double *v = NULL;
    agglo_ranksize *rs = NULL;
    cli_report *r = cli_report_create("rank-size rule");
    cli_need(&c, size);
    agglo_table *table = cli_read_table(ctx, path, &c);
    if (!table)
        goto fail;
    size_t n = agglo_table_nrows(table);
    if (!(v = agglo_table_get_numeric(ctx, table, size, path)))
        goto fail;
    if (!(rs = agglo_ranksize_compute(ctx, v, n, (size_t)top, drop, path, size)))
        goto fail;
    cli_report_str(r, "input", path);
    cli_report_str(r, "variable", size);
    cli_report_int(r, "n", (long long)rs->n);
    if (drop)
        cli_report_int(r, "dropped", (long long)rs->dropped);
    if (top)
        cli_report_int(r, "top", top);
    cli_report_num(r, "size_max", rs->size[0]);
    cli_report_num(r, "size_min", rs->size[rs->n - 1]);
    report_fit(r, "gabaix_ibragimov", &rs->gi);
    report_fit(r, "ols", &rs->ols);
    if (c.png) {
        char title[256];
        snprintf(title, sizeof title, "Rank-size: %s", size);
        cli_style st;
        int prc = cli_plot_style(ctx, &c, NULL, NULL, &st);
        if (!prc)
            prc = agglo_plot_ranksize(ctx, rs->size, rs->rank, rs->n, rs->gi.intercept,
                                      rs->gi.slope, rs->ols.intercept, rs->ols.slope, size, title,
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
    agglo_ranksize_free(rs);
    free(v);
    agglo_table_free(table);
    agglo_ctx_free(ctx);
    return rc;
}
