/* agglo geary: Geary's C (spdep geary.test) with permutation inference. */
#include "autocorr_cli.h"

/* the common options geary uses */
#define ACCEPTS (AC_COMMON_GLOBAL)

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo geary INPUT --var FIELD [--weights SPEC|FILE] [--permutations N]\n"
            "                   [--seed S] [--json|--csv]\n\n"
            "Geary's C with E[C] = 1 and its variance under normality and randomisation (as R\n"
            "spdep geary.test); z = (1 - C)/sd, so 'greater' means positive autocorrelation\n"
            "(C < 1). With --permutations the pseudo p of a permutation test.\n\n%s\n",
            ac_help_common);
    cli_common_help_print(fp, ACCEPTS);
}

int cmd_geary(int argc, char **argv)
{
    ac_cli a;
    int rc = ac_parse(&a, "geary", argc, argv, usage, ACCEPTS,
                      AC_ACCEPT_NOADJ);
    if (rc >= 0)
        return rc;
    if (ac_load(&a, 1)) {
        ac_free(&a);
        return CLI_FAIL;
    }
    agglo_global_result g;
    if (agglo_geary_global(a.ctx, a.w, a.x, &a.opt, &g) != AGGLO_OK) {
        rc = cli_fail(a.ctx);
        ac_free(&a);
        return rc;
    }
    cli_report *r = cli_report_create("Geary's C");
    ac_report_header(&a, r);
    ac_report_global(r, &g, "C");
    cli_report_print(r, stdout, a.c.format);
    cli_report_free(r);
    ac_free(&a);
    return CLI_OK;
}
