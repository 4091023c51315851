/* agglo getis: Getis-Ord General G (spdep globalG.test) with permutation inference. */
#include "autocorr_cli.h"

/* the common options getis uses */
#define ACCEPTS (AC_COMMON_GLOBAL)

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo getis INPUT --var FIELD [--weights SPEC|FILE] [--transform B]\n"
            "                   [--permutations N] [--seed S] [--json|--csv]\n\n"
            "Getis-Ord General G = sum_ij w_ij x_i x_j / sum_(i!=j) x_i x_j for a non-negative\n"
            "variable, with E[G], the randomisation variance, z and p (as R spdep globalG.test;\n"
            "binary weights, --transform B, are the usual choice). 'greater' = high values\n"
            "cluster. With --permutations the pseudo p of a permutation test.\n\n%s\n",
            ac_help_common);
    cli_common_help_print(fp, ACCEPTS);
}

int cmd_getis(int argc, char **argv)
{
    ac_cli a;
    int rc = ac_parse(&a, "getis", argc, argv, usage, ACCEPTS,
                      AC_ACCEPT_NOADJ);
    if (rc >= 0)
        return rc;
    if (ac_load(&a, 1)) {
        ac_free(&a);
        return CLI_FAIL;
    }
    agglo_global_result g;
    if (agglo_getis_global(a.ctx, a.w, a.x, &a.opt, &g) != AGGLO_OK) {
        rc = cli_fail(a.ctx);
        ac_free(&a);
        return rc;
    }
    cli_report *r = cli_report_create("Getis-Ord General G");
    ac_report_header(&a, r);
    ac_report_global(r, &g, "G");
    cli_report_print(r, stdout, a.c.format);
    cli_report_free(r);
    ac_free(&a);
    return CLI_OK;
}
