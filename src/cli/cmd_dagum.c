/* agglo dagum TABLE --var F --group F [--time F] */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* the common options dagum uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_COMPUTE)

enum { OPT_VAR = 1, OPT_GROUP, OPT_TIME, OPT_DROP };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo dagum TABLE --var FIELD --group FIELD [--time FIELD] [--drop-missing]\n\n"
            "Dagum (1997) Gini decomposition by groups (regions): overall Gini G, within-group\n"
            "G_w, net between-group G_nb and transvariation G_t (G = G_w + G_nb + G_t), the\n"
            "group Ginis G_jj and pairwise G_jh, D_jh; and the Theil index with its within- and\n"
            "between-group parts. One decomposition per value of --time.\n\n"
            "  --var FIELD      the variable (a field or an expression)\n"
            "  --group FIELD    the grouping (each distinct value a group)\n"
            "  --time FIELD     the period of a panel (one decomposition per value)\n"
            "  --drop-missing   drop rows with NULLs (default: refuse)\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

static void report(cli_report *r, const agglo_dagum *d)
{
    char key[512];
    cli_report_section(r, d->period ? d->period : "dagum");
    cli_report_int(r, "n", (long long)d->n);
    cli_report_num(r, "mean", d->mean_all);
    cli_report_num(r, "G", d->G);
    cli_report_num(r, "G_within", d->Gw);
    cli_report_num(r, "G_between_net", d->Gnb);
    cli_report_num(r, "G_transvariation", d->Gt);
    cli_report_num(r, "share_within", d->Gw / d->G);
    cli_report_num(r, "share_between_net", d->Gnb / d->G);
    cli_report_num(r, "share_transvariation", d->Gt / d->G);
    cli_report_num(r, "theil", d->theil);
    cli_report_num(r, "theil_within", d->theil_within);
    cli_report_num(r, "theil_between", d->theil_between);
    size_t k = d->ngroups;
    const char *sec = d->period ? d->period : "dagum";
    cli_report_section_path(r, sec, "G_jj", (const char *)NULL);
    for (size_t j = 0; j < k; j++)
        cli_report_num(r, d->groups[j], d->Gjj[j]);
    for (int m = 0; m < 2; m++) {
        cli_report_section_path(r, sec, m ? "D_jh" : "G_jh", (const char *)NULL);
        for (size_t j = 0; j < k; j++)
            for (size_t h = j + 1; h < k; h++) {
                snprintf(key, sizeof key, "%s:%s", d->groups[j], d->groups[h]);
                cli_report_num(r, key, m ? d->Djh[j * k + h] : d->Gjh[j * k + h]);
            }
    }
}

int cmd_dagum(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"var", required_argument, 0, OPT_VAR},
        {"group", required_argument, 0, OPT_GROUP},
        {"time", required_argument, 0, OPT_TIME},
        {"drop-missing", no_argument, 0, OPT_DROP},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *var = NULL, *group = NULL, *time = NULL;
    int drop = 0, opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "dagum", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_VAR: var = optarg; break;
        case OPT_GROUP: group = optarg; break;
        case OPT_TIME: time = optarg; break;
        case OPT_DROP: drop = 1; break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0)
                return r < 0 ? CLI_USAGE : cli_usage("dagum", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("dagum", "expects one TABLE");
    if (!var || !group)
        return cli_usage("dagum", "--var FIELD and --group FIELD are required");
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    size_t np = 0;
    agglo_dagum **d = NULL;
    cli_report *r = cli_report_create("dagum");
    cli_need(&c, var); /* only the fields the decomposition uses are read */
    cli_need(&c, group);
    cli_need(&c, time);
    agglo_table *table = cli_read_table(ctx, path, &c);
    if (!table)
        goto fail;
    d = agglo_dagum_table(ctx, table, path, var, group, time, drop, &np);
    if (!d)
        goto fail;
    cli_report_str(r, "input", path);
    cli_report_str(r, "variable", var);
    cli_report_str(r, "group", group);
    if (time)
        cli_report_str(r, "time", time);
    for (size_t p = 0; p < np; p++)
        report(r, d[p]);
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    cli_report_free(r);
    agglo_dagum_free_all(d, np);
    agglo_table_free(table);
    agglo_ctx_free(ctx);
    return rc;
}
