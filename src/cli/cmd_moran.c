/* agglo moran: global Moran's I (analytic normality/randomisation moments, permutations),
 * bivariate Moran (--bivariate Y) and Empirical-Bayes rate Moran (--rate EVENTS,BASE);
 * --png draws the Moran scatter plot. */
#include "autocorr_cli.h"

#include <stdlib.h>
#include <string.h>

/* the common options moran uses */
#define ACCEPTS (AC_COMMON_GLOBAL | CLI_ACCEPT_PNG)

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo moran INPUT --var FIELD [--weights SPEC|FILE] [--permutations N]\n"
            "                   [--seed S] [--bivariate Y | --rate EVENTS,BASE] [--png FILE]\n"
            "                   [--hist-png FILE] [--json|--csv]\n\n"
            "Global Moran's I with its expectation, variance, z and p under normality and under\n"
            "randomisation (as R spdep moran.test), and with --permutations a permutation test:\n"
            "pseudo_p = (M+1)/(N+1) with M the permutations at least as extreme on the observed\n"
            "side (GeoDa/PySAL), and p for the chosen --alternative.\n"
            "  --bivariate Y         Moran of --var against the spatial lag of Y (permutation only)\n"
            "  --rate EVENTS,BASE    Empirical-Bayes Moran of EVENTS/BASE (Assuncao-Reis; spdep\n"
            "                        EBImoran.mc), e.g. --rate shops,pop\n"
            "  --png FILE            Moran scatter plot (standardised value vs spatial lag,\n"
            "                        slope = I for row-standardised weights); the points\n"
            "                        furthest from the origin are labelled with --label or ids\n"
            "  --hist-png FILE       reference distribution of the --permutations (histogram,\n"
            "                        observed I in red, E[I] dashed, pseudo p)\n"
            "  --no-adjust-n         keep observations without neighbours in n (spdep adjust.n)\n\n"
            "%s\n",
            ac_help_common);
    cli_common_help_print(fp, ACCEPTS);
}

int cmd_moran(int argc, char **argv)
{
    ac_cli a;
    int rc = ac_parse(&a, "moran", argc, argv, usage, ACCEPTS,
                      AC_ACCEPT_BIVARIATE | AC_ACCEPT_RATE | AC_ACCEPT_NOADJ | AC_ACCEPT_HIST);
    if (rc >= 0)
        return rc;
    if (a.hist_png && a.opt.permutations < 1)
        return cli_usage("moran", "--hist-png draws the permutations' distribution: give --permutations N");
    if (ac_load(&a, 1)) {
        ac_free(&a);
        return CLI_FAIL;
    }
    agglo_global_result g;
    int st;
    double *sims = NULL;
    if (a.hist_png) {
        sims = malloc((size_t)a.opt.permutations * sizeof(double));
        if (!sims) {
            ac_free(&a);
            fprintf(stderr, "agglo: out of memory\n");
            return CLI_FAIL;
        }
        a.opt.simulated = sims;
    }
    cli_style ms;
    if (cli_plot_style(a.ctx, &a.c, a.layer, NULL, &ms) != AGGLO_OK) {
        rc = cli_fail(a.ctx);
        cli_style_free(&ms);
        free(sims);
        ac_free(&a);
        return rc;
    }
    if (a.rate)
        st = agglo_moran_eb(a.ctx, a.w, a.events, a.y, &a.opt, &g);
    else if (a.bivariate)
        st = agglo_moran_bivariate(a.ctx, a.w, a.x, a.y, &a.opt, &g);
    else
        st = agglo_moran_global(a.ctx, a.w, a.x, &a.opt, &g);
    if (st == AGGLO_OK && a.hist_png) {
        char title[320];
        snprintf(title, sizeof title, "%s: %s (%ld permutations)",
                 a.rate ? "EB Moran's I" : a.bivariate ? "Bivariate Moran's I" : "Moran's I",
                 a.label, g.permutations);
        st = agglo_plot_permutation_histogram(a.ctx, sims, (size_t)g.permutations, g.statistic,
                                              g.expected, g.p_sim, "I", title, a.hist_png,
                                              &ms.style);
    }
    free(sims);
    a.opt.simulated = NULL;
    if (st != AGGLO_OK) {
        rc = cli_fail(a.ctx);
        cli_style_free(&ms);
        ac_free(&a);
        return rc;
    }
    if (a.c.png) {
        /* standardised values and their lags come from the local statistic */
        agglo_autocorr_options o = a.opt;
        o.permutations = 0;
        agglo_local_result *l = NULL;
        double *z = NULL;
        if (a.rate) {
            z = malloc(a.n * sizeof(double));
            if (z && agglo_eb_standardise(a.ctx, a.events, a.y, a.n, z) == AGGLO_OK)
                l = agglo_moran_local(a.ctx, a.w, z, &o);
        } else if (a.bivariate) {
            agglo_ctx_set_warning_handler(a.ctx, NULL, NULL);
            l = agglo_moran_local_bivariate(a.ctx, a.w, a.x, a.y, &o);
        } else {
            l = agglo_moran_local(a.ctx, a.w, a.x, &o);
        }
        free(z);
        if (!l) {
            rc = cli_fail(a.ctx);
            cli_style_free(&ms);
            ac_free(&a);
            return rc;
        }
        double szl = 0, szz = 0;
        for (size_t i = 0; i < a.n; i++) {
            szl += l->value_z[i] * l->lag_z[i];
            szz += l->value_z[i] * l->value_z[i];
        }
        char title[320], xl[300], yl[300];
        snprintf(title, sizeof title, "%s: %s", a.rate ? "EB Moran scatter plot"
                                                : a.bivariate ? "Bivariate Moran scatter plot"
                                                              : "Moran scatter plot",
                 a.label);
        snprintf(xl, sizeof xl, "%s (standardised)", a.rate ? "EB rate" : a.var);
        snprintf(yl, sizeof yl, "spatial lag of %s", a.bivariate ? a.bivariate : a.rate ? "EB rate" : a.var);
        char **ids = agglo_layer_ids(a.ctx, a.layer, a.c.id_field);
        st = ids ? cli_plot_point_labels(a.ctx, &a.c, a.layer, (const char *const *)ids, NULL,
                                         a.n, &ms)
                 : agglo_ctx_errcode(a.ctx);
        if (st == AGGLO_OK)
            st = agglo_plot_moran_scatter(a.ctx, l->value_z, l->lag_z, a.n, szl / szz, xl, yl,
                                          title, a.c.png, NULL, 0, NULL, NULL, &ms.style);
        if (ids)
            agglo_strings_free(ids, a.n);
        agglo_local_result_free(l);
        if (st != AGGLO_OK) {
            rc = cli_fail(a.ctx);
            cli_style_free(&ms);
            ac_free(&a);
            return rc;
        }
    }
    cli_style_free(&ms);
    cli_report *r = cli_report_create(a.rate ? "Empirical-Bayes Moran's I (Assuncao-Reis)"
                                      : a.bivariate ? "Bivariate Moran's I"
                                                    : "Global Moran's I");
    ac_report_header(&a, r);
    ac_report_global(r, &g, "I");
    cli_report_print(r, stdout, a.c.format);
    cli_report_free(r);
    ac_free(&a);
    return CLI_OK;
}
