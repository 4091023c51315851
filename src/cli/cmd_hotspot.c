/* agglo hotspot: local Getis-Ord Gi* (or Gi) z-scores with ArcGIS-style hot/cold-spot bins. */
#include "autocorr_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options hotspot uses */
#define ACCEPTS (AC_COMMON_LOCAL)

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo hotspot INPUT --var FIELD [--weights SPEC|FILE] [--gi]\n"
            "                     [--permutations N [--seed S]]\n"
            "                     [--p-adjust none|fdr|bonferroni] [--out FILE.gpkg|FILE.csv]\n"
            "                     [--png hotspots.png]\n\n"
            "Getis-Ord Gi* z-scores (each region included in its own neighbourhood; --gi for Gi\n"
            "without it), as R spdep localG (include.self for Gi*). The weights get the diagonal\n"
            "before --transform is applied (so W weights are 1/(k+1)). Hot/cold spot bins as\n"
            "ArcGIS Gi_Bin: +/-3 at 99 %%, +/-2 at 95 %%, +/-1 at 90 %% confidence (two-sided),\n"
            "with --p-adjust fdr applied at each level.\n"
            "--permutations N adds conditional permutation inference (esda G_Local, spdep\n"
            "localG_perm): the value of each region stays in place, the n-1 others are permuted\n"
            "among its neighbours; GiPSim is the folded pseudo p (M+1)/(N+1), M = min(#sim >= Gi,\n"
            "#sim < Gi), and Gi_Bin / GiPAdj / --p-adjust then use GiPSim instead of the\n"
            "analytic GiPValue (which is still reported). Same result for any thread count.\n"
            "Output fields: GiZScore GiPValue GiPAdj Gi_Bin GiLabel, with permutations also\n"
            "Gi (the ratio), GiPSim, GiSimMean, GiSimSD, GiSimZ = (Gi - GiSimMean)/GiSimSD.\n"
            "  --png FILE            hot-spot map (red hot, blue cold, pale not significant)\n"
            "\n%s%s\n",
            ac_help_common, ac_help_local);
    cli_common_help_print(fp, ACCEPTS);
}

static const char *bin_label(int b)
{
    static const char *const names[] = {"Cold Spot - 99% Confidence", "Cold Spot - 95% Confidence",
                                        "Cold Spot - 90% Confidence", "Not Significant",
                                        "Hot Spot - 90% Confidence",  "Hot Spot - 95% Confidence",
                                        "Hot Spot - 99% Confidence"};
    return b >= -3 && b <= 3 ? names[b + 3] : "undefined";
}

int cmd_hotspot(int argc, char **argv)
{
    ac_cli a;
    int rc = ac_parse(&a, "hotspot", argc, argv, usage, ACCEPTS,
                      AC_ACCEPT_CORRECTION | AC_ACCEPT_TABLE | AC_ACCEPT_GI);
    if (rc >= 0)
        return rc;
    if (ac_load(&a, 1)) {
        ac_free(&a);
        return CLI_FAIL;
    }
    agglo_weights *ws = NULL;
    if (!a.gi) {
        /* include.self on the weights as built, then the transform */
        if (agglo_weights_transform(a.ctx, a.w, AGGLO_TRANSFORM_V) == AGGLO_OK)
            ws = agglo_getis_star_weights(a.ctx, a.w, 1.0);
        if (!ws || agglo_weights_transform(a.ctx, ws, a.transform == 'V'
                                                          ? AGGLO_TRANSFORM_V
                                                          : (agglo_transform)a.transform)) {
            rc = cli_fail(a.ctx);
            agglo_weights_free(ws);
            ac_free(&a);
            return rc;
        }
    }
    agglo_local_result *l = agglo_getis_local(a.ctx, ws ? ws : a.w, a.x, !a.gi, &a.opt);
    agglo_weights_free(ws);
    if (!l) {
        rc = cli_fail(a.ctx);
        ac_free(&a);
        return rc;
    }
    size_t n = a.n;
    const char **labels = malloc((n ? n : 1) * sizeof(char *));
    int *cat = malloc((n ? n : 1) * sizeof(int));
    const char *cols[] = {"GiZScore", "GiPValue", "GiPAdj", "Gi_Bin", "GiLabel",
                          "Gi",       "GiPSim",   "GiSimMean", "GiSimSD", "GiSimZ"};
    size_t ncols = l->p_sim ? 10 : 5;
    double *simz = malloc((n ? n : 1) * sizeof(double));
    if (!labels || !cat || !simz) {
        free(labels);
        free(cat);
        free(simz);
        agglo_local_result_free(l);
        ac_free(&a);
        fprintf(stderr, "agglo: out of memory\n");
        return CLI_FAIL;
    }
    for (size_t i = 0; i < n; i++) {
        labels[i] = l->island[i]   ? "no neighbours"
                    : isnan(l->z[i]) ? "undefined (no variance)"
                                     : bin_label(l->cluster[i]);
        cat[i] = l->island[i] ? 7 : l->cluster[i] + 3;
    }
    for (size_t i = 0; i < n; i++)
        simz[i] = l->p_sim && l->sim_sd[i] > 0 ? (l->g_value[i] - l->sim_mean[i]) / l->sim_sd[i]
                                               : NAN;
    rc = ac_add_col(&a, "GiZScore", l->z, AGGLO_COL_REAL);
    if (!rc)
        rc = ac_add_col(&a, "GiPValue", l->p, AGGLO_COL_REAL);
    if (!rc)
        rc = ac_add_col(&a, "GiPAdj", l->p_adjusted, AGGLO_COL_REAL);
    if (!rc)
        rc = ac_add_int_col(&a, "Gi_Bin", l->cluster);
    if (!rc)
        rc = ac_add_str_col(&a, "GiLabel", labels);
    if (!rc && l->p_sim) {
        rc = ac_add_col(&a, "Gi", l->g_value, AGGLO_COL_REAL);
        if (!rc)
            rc = ac_add_col(&a, "GiPSim", l->p_sim, AGGLO_COL_REAL);
        if (!rc)
            rc = ac_add_col(&a, "GiSimMean", l->sim_mean, AGGLO_COL_REAL);
        if (!rc)
            rc = ac_add_col(&a, "GiSimSD", l->sim_sd, AGGLO_COL_REAL);
        if (!rc)
            rc = ac_add_col(&a, "GiSimZ", simz, AGGLO_COL_REAL);
    }
    if (!rc)
        rc = ac_write_outputs(&a, cols, ncols);
    if (!rc && a.c.png) {
        static const agglo_rgb colours[8] = {
            {0.271, 0.459, 0.710}, {0.518, 0.620, 0.729}, {0.753, 0.800, 0.745},
            {1.0, 1.0, 0.749},     {0.980, 0.725, 0.518}, {0.929, 0.459, 0.318},
            {0.839, 0.184, 0.153}, {1.0, 1.0, 1.0}};
        const char *names[8];
        for (int k = 0; k < 7; k++)
            names[k] = bin_label(k - 3);
        names[7] = "no neighbours";
        char title[400];
        snprintf(title, sizeof title, "%s hot spots: %s%s%s", a.gi ? "Gi" : "Gi*", a.label,
                 l->p_sim ? " (permutation p)" : "",
                 a.opt.correction == AGGLO_CORRECT_FDR          ? " (FDR-corrected)"
                 : a.opt.correction == AGGLO_CORRECT_BONFERRONI ? " (Bonferroni-corrected)"
                                                                : "");
        cli_style ms;
        int *mcat = NULL;
        if (ac_plot_style(&a, &ms) != AGGLO_OK || !(mcat = ac_map_categories(&a, cat)) ||
            agglo_plot_map_categories(a.ctx, ac_map_layer(&a), mcat, 8, names, colours, title,
                                      a.c.png, &ms.style) != AGGLO_OK)
            rc = cli_fail(a.ctx);
        free(mcat);
        cli_style_free(&ms);
    }
    if (!rc) {
        cli_report *r = cli_report_create(a.gi ? "Getis-Ord Gi" : "Getis-Ord Gi*");
        ac_report_header(&a, r);
        cli_report_str(r, "alternative", agglo_alternative_name(l->alternative));
        cli_report_str(r, "p_adjust", agglo_correction_name(l->correction));
        if (l->p_sim) {
            cli_report_int(r, "permutations", l->permutations);
            cli_report_int(r, "seed", (long long)l->seed);
            cli_report_str(r, "bins_from", "permutation pseudo p (folded)");
        } else {
            cli_report_str(r, "bins_from", "analytic p");
        }
        cli_report_int(r, "no_neighbours", (long long)l->islands);
        cli_report_int(r, "undefined", (long long)l->undefined);
        if (l->p_sim)
            cli_report_int(r, "all_permutations_tied", (long long)l->all_ties);
        cli_report_section(r, "bins");
        /* Not Significant counts only testable regions (islands and undefined are apart) */
        static const char *const bin_keys[] = {"cold_99", "cold_95", "cold_90", "not_significant",
                                               "hot_90", "hot_95", "hot_99"};
        for (int b = 3; b >= -3; b--)
            cli_report_int(r, bin_keys[b + 3],
                           (long long)(l->counts[b + 3] - (b == 0 ? l->islands + l->undefined : 0)));
        cli_report_print(r, stdout, a.c.format);
        cli_report_free(r);
    }
    free(labels);
    free(cat);
    free(simz);
    agglo_local_result_free(l);
    ac_free(&a);
    return rc ? CLI_FAIL : CLI_OK;
}
