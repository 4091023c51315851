/* agglo localgeary: local Geary (univariate or multivariate) with conditional permutation
 * inference, GeoDa's cluster classes, output layer/CSV and a cluster map. */
#include "esda2_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo localgeary INPUT --var FIELD[,FIELD2...] [--weights SPEC|FILE]\n"
            "                        [--permutations N] [--seed S] [--alpha A]\n"
            "                        [--correction none|bonferroni|fdr] [--out FILE.gpkg]\n"
            "                        [--table FILE.csv] [--png clusters.png]\n\n"
            "Local Geary c_i = (1/k) sum_v sum_j w_ij (z_vi - z_vj)^2 of k variables, each\n"
            "standardised with the sample sd (as R spdep localC; PySAL esda's Geary_Local uses\n"
            "the population sd, so its values are n/(n-1) times these). Inference: conditional\n"
            "permutation (the n-1 other observations drawn without replacement into the\n"
            "neighbour positions, as GeoDa and esda; default 999 permutations), folded pseudo p\n"
            "with ties in both tails; z and p of (c_i - mean)/sd of the draws as spdep's Z.Ci.\n"
            "Clusters when significant at --alpha after --correction (GeoDa): one variable:\n"
            "High-High, Low-Low, Other Positive (low value, high neighbours), Negative (high\n"
            "value, low neighbours); several: Positive (c_i at most the permutation mean) or\n"
            "Negative; 'no neighbours' for islands.\n"
            "Output fields (--out, --table): LG_C LG_EC LG_SDC LG_Z LG_P LG_PSIM LG_PADJ\n"
            "  LG_Q (1 HH 2 LL 3 LH 4 HL) LG_CL (0 not significant, 1 High-High, 2 Low-Low,\n"
            "  3 Other Positive, 4 Negative, 5 no neighbours, 6 Positive) LG_LABEL.\n"
            "--png: the cluster map.\n"
            "\n%s%s\n",
            ac_help_common, ac_help_local);
    cli_common_help_print(fp, AC_COMMON_LOCAL);
}

/* GeoDa's local Geary colours */
static const agglo_rgb GRAY = {0.933, 0.933, 0.933}, WHITE = {1.0, 1.0, 1.0};
static const agglo_rgb UNI[4] = {{0.698, 0.094, 0.169}, {0.937, 0.541, 0.384},
                                 {0.992, 0.859, 0.780}, {0.404, 0.678, 0.780}};

int cmd_localgeary(int argc, char **argv)
{
    ac_cli a;
    int rc = ac_parse(&a, "localgeary", argc, argv, usage, AC_COMMON_LOCAL, AC_ACCEPT_ALPHA | AC_ACCEPT_TABLE);
    if (rc >= 0)
        return rc;
    if (a.bivariate || a.rate)
        return cli_usage("localgeary", "--bivariate and --rate are not local Geary options "
                                       "(give several fields to --var)");
    if (!e2_given(argc, argv, "--permutations"))
        a.opt.permutations = 999;
    e2_data d;
    rc = e2_load(&a, &d, 0, AGGLO_CHECK_NONCONSTANT);
    if (rc) {
        e2_free(&d);
        ac_free(&a);
        return rc;
    }
    agglo_local_result *l =
        agglo_geary_local(a.ctx, a.w, (const double *const *)d.x, d.nv, &a.opt);
    if (!l) {
        rc = cli_fail(a.ctx);
        e2_free(&d);
        ac_free(&a);
        return rc;
    }
    size_t n = a.n;
    const char **labels = malloc((n ? n : 1) * sizeof(char *));
    int *cat = malloc((n ? n : 1) * sizeof(int));
    if (!labels || !cat) {
        free(labels);
        free(cat);
        agglo_local_result_free(l);
        e2_free(&d);
        ac_free(&a);
        return CLI_FAIL;
    }
    for (size_t i = 0; i < n; i++)
        labels[i] = agglo_geary_local_cluster_name(l->cluster[i]);
    const char *cols[16];
    size_t nc = 0;
    rc = 0;
#define ADD(name, arr)                                                                            \
    do {                                                                                          \
        if ((arr) && !rc) {                                                                       \
            rc = ac_add_col(&a, name, arr, AGGLO_COL_REAL);                                       \
            cols[nc++] = name;                                                                    \
        }                                                                                         \
    } while (0)
    ADD("LG_C", l->stat);
    ADD("LG_EC", l->sim_mean);
    ADD("LG_SDC", l->sim_sd);
    if (l->p_sim) {
        ADD("LG_Z", l->z);
        ADD("LG_P", l->p);
    }
    ADD("LG_PSIM", l->p_sim);
    if (l->p_sim)
        ADD("LG_PADJ", l->p_adjusted);
#undef ADD
    if (!rc) {
        rc = ac_add_int_col(&a, "LG_Q", l->quadrant);
        cols[nc++] = "LG_Q";
    }
    if (!rc) {
        rc = ac_add_int_col(&a, "LG_CL", l->cluster);
        cols[nc++] = "LG_CL";
    }
    if (!rc) {
        rc = ac_add_str_col(&a, "LG_LABEL", labels);
        cols[nc++] = "LG_LABEL";
    }
    if (!rc)
        rc = ac_write_outputs(&a, cols, nc);
    if (!rc && a.c.png) {
        /* categories in map order: not significant, the classes, no neighbours */
        static const int uni_codes[6] = {0, 1, 2, 3, 4, 5}, multi_codes[4] = {0, 6, 4, 5};
        const int *codes = d.nv == 1 ? uni_codes : multi_codes;
        int ncat = d.nv == 1 ? 6 : 4;
        const char *names[6];
        agglo_rgb colours[6];
        for (int k = 0; k < ncat; k++) {
            names[k] = agglo_geary_local_cluster_name(codes[k]);
            colours[k] = codes[k] == 0 ? GRAY : codes[k] == 5 ? WHITE
                         : codes[k] == 6 ? UNI[0] : UNI[codes[k] - 1];
        }
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < ncat; k++)
                if (codes[k] == l->cluster[i])
                    cat[i] = k;
        char title[400];
        snprintf(title, sizeof title, "Local Geary clusters: %s (p <= %g%s%s)", a.label,
                 a.opt.alpha, a.opt.correction ? ", " : "",
                 a.opt.correction ? agglo_correction_name(a.opt.correction) : "");
        if (agglo_plot_map_categories(a.ctx, a.layer, cat, ncat, names, colours, title, a.c.png,
                                      NULL) != AGGLO_OK)
            rc = cli_fail(a.ctx);
    }
    if (!rc) {
        cli_report *r = cli_report_create(d.nv > 1 ? "Multivariate local Geary" : "Local Geary");
        ac_report_header(&a, r);
        cli_report_int(r, "variables", (long long)d.nv);
        cli_report_str(r, "inference", l->p_sim ? "conditional permutation" : "none");
        if (l->p_sim) {
            cli_report_int(r, "permutations", l->permutations);
            cli_report_int(r, "seed", (long long)l->seed);
            cli_report_num(r, "alpha", l->alpha);
            cli_report_str(r, "correction", agglo_correction_name(l->correction));
            cli_report_int(r, "all_permutations_tied", (long long)l->all_ties);
            cli_report_section(r, "clusters");
            static const int order[7] = {0, 1, 2, 3, 6, 4, 5};
            for (int k = 0; k < 7; k++) {
                int c = order[k];
                if (d.nv == 1 ? c == 6 : (c >= 1 && c <= 3))
                    continue;
                cli_report_int(r, agglo_geary_local_cluster_name(c), (long long)l->counts[c]);
            }
            cli_report_section(r, NULL);
        }
        cli_report_print(r, stdout, a.c.format);
        cli_report_free(r);
    }
    free(labels);
    free(cat);
    agglo_local_result_free(l);
    e2_free(&d);
    ac_free(&a);
    return rc ? CLI_FAIL : CLI_OK;
}
