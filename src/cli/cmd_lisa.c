/* agglo lisa: local Moran (LISA) with conditional permutation inference, cluster and
 * significance classes, output layer/CSV and the GeoDa-style maps. */
#include "autocorr_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options lisa uses */
#define ACCEPTS (AC_COMMON_LOCAL)

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo lisa INPUT --var FIELD [--weights SPEC|FILE] [--permutations N]\n"
            "                  [--seed S] [--alpha A] [--p-adjust none|bonferroni|fdr]\n"
            "                  [--out FILE.gpkg|FILE.csv] [--png clusters.png]\n"
            "                  [--sig-png significance.png] [--scatter-png scatter.png]\n\n"
            "Local Moran's I_i = (z_i / m2) sum_j w_ij z_j with E(I_i), Var(I_i), Z(I_i) and p as R\n"
            "spdep localmoran (conditional randomisation; --total-randomisation for the\n"
            "unconditional moments). --permutations N adds the conditional permutation pseudo p\n"
            "(the other n-1 values permuted, as GeoDa and PySAL esda), which is then used for\n"
            "significance. Clusters: High-High, Low-Low, Low-High, High-Low when significant at\n"
            "--alpha after --p-adjust; 'no neighbours' for islands.\n"
            "  --alpha A             significance level (default 0.05)\n"
            "  --bivariate Y         bivariate LISA: --var against the spatial lag of Y\n"
            "                        (needs --permutations)\n"
            "  --rate EVENTS,BASE    LISA of the Empirical-Bayes standardised rate\n"
            "Output fields (--out): LISA_I LISA_E LISA_VAR LISA_Z LISA_P [LISA_PSIM]\n"
            "  LISA_PADJ LISA_Q (1 HH 2 LL 3 LH 4 HL) LISA_CL (0 not significant, 1-4 as LISA_Q,\n"
            "  5 no neighbours) LISA_LABEL Z_VALUE Z_LAG.\n"
            "Pictures: --png cluster map (HH red, LL blue, LH light blue, HL pink, not significant\n"
            "  grey, no neighbours white), --sig-png significance map, --scatter-png Moran scatter.\n"
            "\n%s%s\n",
            ac_help_common, ac_help_local);
    cli_common_help_print(fp, ACCEPTS);
}

static const agglo_rgb LISA_COLOURS[6] = {
    {0.933, 0.933, 0.933}, {1.0, 0.0, 0.0}, {0.0, 0.0, 1.0},
    {0.655, 0.678, 0.976}, {0.957, 0.678, 0.659}, {1.0, 1.0, 1.0}};

int cmd_lisa(int argc, char **argv)
{
    ac_cli a;
    int rc = ac_parse(&a, "lisa", argc, argv, usage, ACCEPTS,
                      AC_ACCEPT_BIVARIATE | AC_ACCEPT_RATE | AC_ACCEPT_ALPHA | AC_ACCEPT_CORRECTION | AC_ACCEPT_TABLE | AC_ACCEPT_SCATTER | AC_ACCEPT_SIG | AC_ACCEPT_TOTAL);
    if (rc >= 0)
        return rc;
    if (a.bivariate && a.opt.permutations == 0)
        return cli_usage("lisa", "--bivariate has no analytic inference: give --permutations N");
    if (ac_load(&a, 1)) {
        ac_free(&a);
        return CLI_FAIL;
    }
    agglo_local_result *l = NULL;
    if (a.rate) {
        a.x = malloc(a.n * sizeof(double));
        if (a.x && agglo_eb_standardise(a.ctx, a.events, a.y, a.n, a.x) == AGGLO_OK)
            l = agglo_moran_local(a.ctx, a.w, a.x, &a.opt);
    } else if (a.bivariate) {
        l = agglo_moran_local_bivariate(a.ctx, a.w, a.x, a.y, &a.opt);
    } else {
        l = agglo_moran_local(a.ctx, a.w, a.x, &a.opt);
    }
    if (!l) {
        rc = cli_fail(a.ctx);
        ac_free(&a);
        return rc;
    }
    size_t n = a.n;
    const char **labels = malloc((n ? n : 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        labels[i] = agglo_lisa_cluster_name(l->cluster[i]);
    const char *cols[16];
    size_t nc = 0;
#define ADD(name, arr, type)                                                                      \
    do {                                                                                          \
        if ((arr) && !rc) {                                                                       \
            rc = ac_add_col(&a, name, arr, type);                                                 \
            cols[nc++] = name;                                                                    \
        }                                                                                         \
    } while (0)
    rc = 0;
    ADD("LISA_I", l->stat, AGGLO_COL_REAL);
    ADD("LISA_E", l->expected, AGGLO_COL_REAL);
    ADD("LISA_VAR", l->variance, AGGLO_COL_REAL);
    if (!a.bivariate) {
        ADD("LISA_Z", l->z, AGGLO_COL_REAL);
        ADD("LISA_P", l->p, AGGLO_COL_REAL);
    }
    ADD("LISA_PSIM", l->p_sim, AGGLO_COL_REAL);
    ADD("LISA_PADJ", l->p_adjusted, AGGLO_COL_REAL);
    if (!rc) {
        rc = ac_add_int_col(&a, "LISA_Q", l->quadrant);
        cols[nc++] = "LISA_Q";
    }
    if (!rc) {
        rc = ac_add_int_col(&a, "LISA_CL", l->cluster);
        cols[nc++] = "LISA_CL";
    }
    if (!rc) {
        rc = ac_add_str_col(&a, "LISA_LABEL", labels);
        cols[nc++] = "LISA_LABEL";
    }
    ADD("Z_VALUE", l->value_z, AGGLO_COL_REAL);
    ADD("Z_LAG", l->lag_z, AGGLO_COL_REAL);
#undef ADD
    if (!rc)
        rc = ac_write_outputs(&a, cols, nc);
    char title[400];
    cli_style ms; /* the maps' style; the scatter adds point labels to it */
    memset(&ms, 0, sizeof ms);
    if (!rc && (rc = ac_plot_style(&a, &ms)) != AGGLO_OK)
        rc = cli_fail(a.ctx);
    if (!rc && a.c.png) {
        const char *names[6];
        for (int k = 0; k < 6; k++)
            names[k] = agglo_lisa_cluster_name(k);
        snprintf(title, sizeof title, "LISA clusters: %s (p <= %g%s%s)", a.label, a.opt.alpha,
                 a.opt.correction ? ", " : "",
                 a.opt.correction ? agglo_correction_name(a.opt.correction) : "");
        int *mcat = ac_map_categories(&a, l->cluster);
        if (!mcat || agglo_plot_map_categories(a.ctx, ac_map_layer(&a), mcat, 6, names,
                                               LISA_COLOURS, title, a.c.png,
                                               &ms.style) != AGGLO_OK)
            rc = cli_fail(a.ctx);
        free(mcat);
    }
    if (!rc && a.sig_png) {
        /* categories: 0 not significant, then p <= alpha, 0.01, 0.001, 0.0001 (only levels
         * not above alpha, and only those the permutations can reach: a pseudo p is at least
         * 1/(permutations+1), so with 999 permutations p <= 0.0001 never happens), last: no
         * neighbours */
        double levels[5] = {a.opt.alpha, 0.01, 0.001, 0.0001, 0};
        double pmin = l->p_sim ? 1.0 / ((double)l->permutations + 1.0) : 0.0;
        int nl = 1;
        for (int k = 1; k < 4; k++)
            if (levels[k] < a.opt.alpha && levels[k] >= pmin * (1 - 1e-12))
                levels[nl++] = levels[k];
        static const agglo_rgb greens[4] = {
            {0.518, 0.961, 0.463}, {0.325, 0.773, 0.235}, {0.204, 0.506, 0.141}, {0.0, 0.267, 0.0}};
        agglo_rgb colours[6];
        char lab[6][48];
        const char *labp[6];
        colours[0] = LISA_COLOURS[0];
        snprintf(lab[0], sizeof lab[0], "not significant");
        for (int k = 0; k < nl; k++) {
            colours[k + 1] = greens[k];
            snprintf(lab[k + 1], sizeof lab[k + 1], "p <= %g", levels[k]);
        }
        colours[nl + 1] = LISA_COLOURS[5];
        snprintf(lab[nl + 1], sizeof lab[nl + 1], "no neighbours");
        for (int k = 0; k < nl + 2; k++)
            labp[k] = lab[k];
        int *cat = malloc((n ? n : 1) * sizeof(int));
        for (size_t i = 0; i < n; i++) {
            double p = l->p_adjusted[i];
            int c = 0;
            if (l->island[i])
                c = nl + 1;
            else
                for (int k = 0; k < nl; k++)
                    if (!isnan(p) && p <= levels[k])
                        c = k + 1;
            cat[i] = c;
        }
        snprintf(title, sizeof title, "LISA significance: %s (%s p%s)", a.label,
                 l->p_sim ? "pseudo" : "analytic",
                 a.opt.correction ? ", corrected" : "");
        int *mcat = ac_map_categories(&a, cat);
        if (!mcat || agglo_plot_map_categories(a.ctx, ac_map_layer(&a), mcat, nl + 2, labp,
                                               colours, title, a.sig_png,
                                               &ms.style) != AGGLO_OK)
            rc = cli_fail(a.ctx);
        free(mcat);
        free(cat);
    }
    if (!rc && a.scatter_png) {
        double szl = 0, szz = 0;
        for (size_t i = 0; i < n; i++) {
            szl += l->value_z[i] * l->lag_z[i];
            szz += l->value_z[i] * l->value_z[i];
        }
        char xl[300], yl[300];
        snprintf(title, sizeof title, "Moran scatter plot: %s", a.label);
        snprintf(xl, sizeof xl, "%s (standardised)", a.rate ? "EB rate" : a.var);
        snprintf(yl, sizeof yl, "spatial lag of %s",
                 a.bivariate ? a.bivariate : a.rate ? "EB rate" : a.var);
        char **ids = agglo_layer_ids(a.ctx, a.layer, a.c.id_field);
        if (!ids ||
            cli_plot_point_labels(a.ctx, &a.c, a.layer, (const char *const *)ids, NULL, n, &ms) ||
            agglo_plot_moran_scatter(a.ctx, l->value_z, l->lag_z, n, szl / szz, xl, yl, title,
                                     a.scatter_png, l->cluster, 6, NULL, LISA_COLOURS,
                                     &ms.style) != AGGLO_OK)
            rc = cli_fail(a.ctx);
        if (ids)
            agglo_strings_free(ids, n);
    }
    if (!rc) {
        cli_report *r = cli_report_create(a.bivariate ? "Bivariate local Moran (LISA)"
                                                      : "Local Moran (LISA)");
        ac_report_header(&a, r);
        cli_report_str(r, "inference", l->p_sim ? "conditional permutation" : "analytic");
        if (l->p_sim) {
            cli_report_int(r, "permutations", l->permutations);
            cli_report_int(r, "seed", (long long)l->seed);
        } else {
            cli_report_str(r, "alternative", agglo_alternative_name(l->alternative));
            cli_report_str(r, "moments", a.opt.conditional ? "conditional" : "total");
        }
        cli_report_num(r, "alpha", l->alpha);
        cli_report_str(r, "p_adjust", agglo_correction_name(l->correction));
        cli_report_int(r, "undefined", (long long)l->undefined);
        if (l->p_sim)
            cli_report_int(r, "all_permutations_tied", (long long)l->all_ties);
        cli_report_section(r, "clusters");
        static const char *const cluster_keys[] = {"not_significant", "high_high", "low_low",
                                                   "low_high", "high_low", "no_neighbours"};
        for (int k = 0; k < 6; k++)
            cli_report_int(r, cluster_keys[k], (long long)l->counts[k]);
        cli_report_print(r, stdout, a.c.format);
        cli_report_free(r);
    }
    cli_style_free(&ms);
    free(labels);
    agglo_local_result_free(l);
    ac_free(&a);
    return rc ? CLI_FAIL : CLI_OK;
}
