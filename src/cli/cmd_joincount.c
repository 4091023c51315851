/* agglo joincount: join counts of a categorical variable (same colour per level, different
 * colour per pair of levels, total), analytic (spdep joincount.test / joincount.multi) and
 * permutation inference. */
#include "esda2_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo joincount INPUT --var FIELD [--weights SPEC|FILE] [--transform B]\n"
            "                       [--permutations N] [--seed S] [--alternative A]\n\n"
            "Join counts of a categorical field (numeric or string; 2 to 64 levels): for each\n"
            "level a the same-colour joins a:a, for each pair a:b the different-colour joins,\n"
            "and their total Jtot. A join count is half the weighted sum over ordered\n"
            "neighbour pairs; with binary weights (the default here, --transform B) the number\n"
            "of neighbour pairs. For a 0/1 field, 1:1 is BB, 0:0 WW and 1:0 BW.\n"
            "Expected value, variance and z under non-free sampling as R spdep joincount.test\n"
            "(same colour) and joincount.multi (different colour, Jtot); observations without\n"
            "neighbours are left out of n (spdep adjust.n; --no-adjust-n keeps them). The\n"
            "alternative defaults to greater (more joins than expected), as spdep.\n"
            "--permutations N permutes the labels over the observations (pseudo p with ties\n"
            "counted in both tails; the same results for any --threads).\n"
            "\n%s\n",
            ac_help_common);
    cli_common_help_print(fp, AC_COMMON_GLOBAL);
}

int cmd_joincount(int argc, char **argv)
{
    ac_cli a;
    int rc = ac_parse(&a, "joincount", argc, argv, usage, AC_COMMON_GLOBAL, 0);
    if (rc >= 0)
        return rc;
    if (!e2_given(argc, argv, "--transform"))
        a.transform = 'B';
    if (!e2_given(argc, argv, "--alternative"))
        a.opt.alternative = AGGLO_ALT_GREATER;
    e2_data d;
    rc = e2_load(&a, &d, 1, 0);
    if (rc) {
        e2_free(&d);
        ac_free(&a);
        return rc;
    }
    agglo_joincount_result *r = agglo_joincount(a.ctx, a.w, d.codes, d.nlevels, &a.opt);
    if (!r) {
        rc = cli_fail(a.ctx);
        e2_free(&d);
        ac_free(&a);
        return rc;
    }
    cli_report *rep = cli_report_create("Join counts");
    ac_report_header(&a, rep);
    if (r->n_used != r->n)
        cli_report_int(rep, "n_used", (long long)r->n_used);
    cli_report_str(rep, "sampling", "nonfree");
    cli_report_str(rep, "alternative", agglo_alternative_name(r->alternative));
    cli_report_num(rep, "S0", r->s0);
    cli_report_num(rep, "S1", r->s1);
    cli_report_num(rep, "S2", r->s2);
    if (r->permutations > 0) {
        cli_report_int(rep, "permutations", r->permutations);
        cli_report_int(rep, "seed", (long long)r->seed);
    }
    cli_report_section(rep, "levels");
    for (size_t l = 0; l < r->nlevels; l++)
        cli_report_int(rep, d.labels[l], (long long)r->level_count[l]);
    for (size_t q = 0; q < r->nstats; q++) {
        const agglo_joincount_stat *s = &r->stats[q];
        char name[512];
        if (s->a < 0)
            snprintf(name, sizeof name, "jtot");
        else
            snprintf(name, sizeof name, "%s:%s", d.labels[s->a], d.labels[s->b]);
        cli_report_section(rep, name);
        cli_report_num(rep, "joins", s->joins);
        cli_report_num(rep, "expected", s->expected);
        cli_report_num(rep, "variance", s->variance);
        cli_report_num(rep, "z", s->z);
        cli_report_num(rep, "p", s->p);
        if (r->permutations > 0) {
            cli_report_num(rep, "pseudo_p", s->p_sim);
            cli_report_num(rep, "p_perm", s->p_perm);
            cli_report_num(rep, "sim_mean", s->sim_mean);
            cli_report_num(rep, "sim_variance", s->sim_var);
            cli_report_int(rep, "n_greater_equal", s->n_greater_equal);
            cli_report_int(rep, "n_less_equal", s->n_less_equal);
        }
    }
    cli_report_section(rep, NULL);
    cli_report_print(rep, stdout, a.c.format);
    cli_report_free(rep);
    agglo_joincount_result_free(r);
    e2_free(&d);
    ac_free(&a);
    return CLI_OK;
}
