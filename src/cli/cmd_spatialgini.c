/* agglo spatialgini: the Rey-Smith spatial decomposition of the Gini coefficient (PySAL
 * inequality Gini_Spatial) with permutation inference. */
#include "esda2_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo spatialgini INPUT --var FIELD [--weights SPEC|FILE]\n"
            "                         [--permutations N] [--seed S]\n\n"
            "Gini coefficient of a non-negative field split (Rey and Smith 2013, PySAL\n"
            "inequality Gini_Spatial) into the sum of absolute differences between neighbours\n"
            "(W, every listed neighbour pair, whatever its weight value) and between the other\n"
            "pairs (WC = D - W); WC's share of 2 n^2 mean; the polarization index\n"
            "(WC / W)(neighbour pairs / other pairs), 1 when neighbours differ as much as other\n"
            "pairs. Inference (default 999 permutations of the values over the\n"
            "observations): pseudo p of WC (ties in both tails), its permutation mean, sd, z\n"
            "and upper normal p, and the upper pseudo p of the polarization index.\n"
            "\n%s\n",
            ac_help_common);
    cli_common_help_print(fp, AC_COMMON_GLOBAL);
}

int cmd_spatialgini(int argc, char **argv)
{
    ac_cli a;
    int rc = ac_parse(&a, "spatialgini", argc, argv, usage, AC_COMMON_GLOBAL, 0);
    if (rc >= 0)
        return rc;
    if (a.bivariate || a.rate)
        return cli_usage("spatialgini", "--bivariate and --rate are not options of spatialgini");
    if (!e2_given(argc, argv, "--transform"))
        a.transform = 'B';
    if (!e2_given(argc, argv, "--permutations"))
        a.opt.permutations = 999;
    e2_data d;
    rc = e2_load(&a, &d, 0, AGGLO_CHECK_NONCONSTANT | AGGLO_CHECK_NONNEGATIVE);
    if (rc) {
        e2_free(&d);
        ac_free(&a);
        return rc;
    }
    if (d.nv != 1) {
        e2_free(&d);
        ac_free(&a);
        return cli_usage("spatialgini", "--var takes one field");
    }
    agglo_spatial_gini_result g;
    if (agglo_spatial_gini(a.ctx, a.w, d.x[0], &a.opt, &g) != AGGLO_OK) {
        rc = cli_fail(a.ctx);
        e2_free(&d);
        ac_free(&a);
        return rc;
    }
    cli_report *r = cli_report_create("Spatial Gini decomposition (Rey-Smith)");
    ac_report_header(&a, r);
    cli_report_num(r, "gini", g.gini);
    cli_report_num(r, "sad_total", g.sad_total);
    cli_report_num(r, "sad_neighbours", g.sad_neighbours);
    cli_report_num(r, "sad_nonneighbours", g.sad_nonneighbours);
    cli_report_num(r, "nonneighbour_share", g.nonneighbour_share);
    cli_report_num(r, "neighbour_pairs", g.neighbour_pairs);
    cli_report_num(r, "nonneighbour_pairs", g.nonneighbour_pairs);
    cli_report_num(r, "polarization", g.polarization);
    if (g.permutations > 0) {
        cli_report_section(r, "permutation");
        cli_report_int(r, "permutations", g.permutations);
        cli_report_int(r, "seed", (long long)g.seed);
        cli_report_num(r, "pseudo_p", g.p_sim);
        cli_report_num(r, "mean", g.sim_mean);
        cli_report_num(r, "sd", g.sim_sd);
        cli_report_num(r, "z", g.z);
        cli_report_num(r, "p_z", g.p_z);
        cli_report_int(r, "n_greater_equal", g.n_greater_equal);
        cli_report_int(r, "n_less_equal", g.n_less_equal);
        cli_report_num(r, "polarization_pseudo_p", g.polarization_p_sim);
        cli_report_section(r, NULL);
    }
    cli_report_print(r, stdout, a.c.format);
    cli_report_free(r);
    e2_free(&d);
    ac_free(&a);
    return CLI_OK;
}
