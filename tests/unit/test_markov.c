/* Markov chains of distribution dynamics on libpysal's usjoin example (48 US states,
 * 1929-2009) against PySAL giddy: scripts/reference/markov_giddy.py (giddy + mapclassify +
 * esda code, reference/dynamics/markov_giddy.csv) for classes, counts, probabilities and the
 * tests, and the numbers printed in giddy's documentation (markov.py docstrings, run there
 * with quantecon) for steady states and first mean passage times. */
#include "test_util.h"
#include "agglo/agglo.h"

static double ref(const char *cs, const char *key)
{
    FILE *f = fopen(TEST_DATA("reference/dynamics/markov_giddy.csv"), "r");
    assert_non_null(f);
    char line[256];
    double v = NAN;
    while (fgets(line, sizeof line, f)) {
        char c[64], k[64];
        double x;
        if (sscanf(line, "%63[^,],%63[^,],%lf", c, k, &x) == 3 && !strcmp(c, cs) &&
            !strcmp(k, key)) {
            v = x;
            break;
        }
    }
    fclose(f);
    if (isnan(v))
        fail_msg("no reference %s %s", cs, key);
    return v;
}

static void check_mat(const char *cs, const char *name, const double *M, size_t k, double tol)
{
    char key[64];
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            snprintf(key, sizeof key, "%s %zu %zu", name, i, j);
            assert_close(M[i * k + j], ref(cs, key), tol);
        }
}

static agglo_markov_panel *usjoin(agglo_ctx *ctx, agglo_weights **w)
{
    agglo_table *t = agglo_table_read(ctx, TEST_DATA("reference/dynamics/usjoin.csv"), NULL);
    assert_non_null(t);
    char names[81][8];
    const char *cols[81];
    for (int y = 1929; y <= 2009; y++) {
        snprintf(names[y - 1929], sizeof names[0], "%d", y);
        cols[y - 1929] = names[y - 1929];
    }
    agglo_markov_panel *p = agglo_markov_panel_wide(ctx, t, "usjoin.csv", "STATE_FIPS", cols, 81, 0);
    if (!p)
        fail_msg("%s", agglo_ctx_errmsg(ctx));
    assert_int_equal(p->n, 48);
    assert_int_equal(p->t, 81);
    agglo_table_free(t);
    if (w) {
        agglo_weights *raw =
            agglo_weights_read(ctx, TEST_DATA("reference/dynamics/states48_fips.gal"), NULL);
        assert_non_null(raw);
        *w = agglo_weights_match_ids(ctx, raw, (const char *const *)p->ids, p->n, "gal");
        assert_non_null(*w);
        agglo_weights_free(raw);
    }
    return p;
}

static void test_classic(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_markov_panel *p = usjoin(ctx, NULL);
    agglo_markov_options o;
    agglo_markov_options_init(&o);
    o.per_period = 1; /* giddy doc: quintiles of each year's incomes */
    agglo_markov *m = agglo_markov_classic(ctx, p, &o);
    assert_non_null(m);
    check_mat("markov_per_period", "transitions", m->chain.transitions, 5, 0);
    check_mat("markov_per_period", "p", m->chain.p, 5, 1e-12);
    /* giddy doc: m.steady_state */
    const double ss[5] = {0.20774716, 0.18725774, 0.20740537, 0.18821787, 0.20937187};
    for (int i = 0; i < 5; i++)
        assert_close(m->chain.steady[i], ss[i], 1e-8);
    agglo_markov_free(m);
    /* relative incomes, pooled quintiles */
    assert_int_equal(agglo_markov_panel_relative(ctx, p), 0);
    o.per_period = 0;
    m = agglo_markov_classic(ctx, p, &o);
    assert_non_null(m);
    check_mat("markov", "transitions", m->chain.transitions, 5, 0);
    check_mat("markov", "p", m->chain.p, 5, 1e-12);
    const double sq[5] = {0.17957376, 0.21631443, 0.21499942, 0.21134662, 0.17776576};
    for (int i = 0; i < 5; i++)
        assert_close(m->chain.steady[i], sq[i], 1e-8);
    assert_true(m->chain.irreducible);
    agglo_markov_free(m);
    agglo_markov_panel_free(p);
    agglo_ctx_free(ctx);
}

static void test_spatial(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_weights *w = NULL;
    agglo_markov_panel *p = usjoin(ctx, &w);
    assert_int_equal(agglo_weights_transform(ctx, w, AGGLO_TRANSFORM_W), 0);
    assert_int_equal(agglo_markov_panel_relative(ctx, p), 0);
    agglo_markov_options o;
    agglo_markov_options_init(&o);
    for (size_t m = 4; m <= 5; m++) {
        char cs[32], key[64];
        snprintf(cs, sizeof cs, "spatial_k5_m%zu", m);
        o.m = m;
        agglo_spatial_markov *s = agglo_spatial_markov_compute(ctx, p, w, &o);
        assert_non_null(s);
        assert_int_equal(s->k, 5);
        assert_int_equal(s->m, m);
        for (size_t c = 0; c + 1 < s->k; c++) {
            snprintf(key, sizeof key, "cutoffs %zu", c);
            assert_close(s->cutoffs[c], ref(cs, key), 1e-12);
        }
        for (size_t c = 0; c + 1 < s->m; c++) {
            snprintf(key, sizeof key, "lag_cutoffs %zu", c);
            assert_close(s->lag_cutoffs[c], ref(cs, key), 1e-12);
        }
        check_mat(cs, "transitions", s->global.transitions, 5, 0);
        check_mat(cs, "p", s->global.p, 5, 1e-12);
        for (size_t r = 0; r < m; r++) {
            snprintf(key, sizeof key, "T%zu", r);
            check_mat(cs, key, s->cond[r].transitions, 5, 0);
            snprintf(key, sizeof key, "P%zu", r);
            check_mat(cs, key, s->cond[r].p, 5, 1e-12);
            snprintf(key, sizeof key, "chi2 %zu", r);
            assert_close(s->chi2[r], ref(cs, key), 1e-9);
            snprintf(key, sizeof key, "chi2_df %zu", r);
            assert_close(s->chi2_df[r], ref(cs, key), 0);
        }
        assert_close(s->Q, ref(cs, "Q"), 1e-9);
        assert_close(s->LR, ref(cs, "LR"), 1e-9);
        assert_close(s->dof, ref(cs, "dof"), 0);
        assert_close(s->x2, ref(cs, "x2"), 1e-9);
        assert_close(s->LR_p, ref(cs, "LR_p"), 1e-6);
        if (m == 5) {
            /* giddy doc: LR 170.659, Q 200.624, dof 60; sm.S; sm.F[0] */
            assert_close(s->LR, 170.659, 5e-4 / 170.659);
            assert_close(s->Q, 200.624, 5e-4 / 200.624);
            assert_close(s->dof, 60, 0);
            const double S[5][5] = {
                {0.43509425, 0.2635327, 0.20363044, 0.06841983, 0.02932278},
                {0.13391287, 0.33993305, 0.25153036, 0.23343016, 0.04119356},
                {0.12124869, 0.21137444, 0.2635101, 0.29013417, 0.1137326},
                {0.0776413, 0.19748806, 0.25352636, 0.22480415, 0.24654013},
                {0.01776781, 0.19964349, 0.19009833, 0.25524697, 0.3372434}};
            for (int r = 0; r < 5; r++)
                for (int j = 0; j < 5; j++)
                    assert_true(fabs(s->cond[r].steady[j] - S[r][j]) <= 1e-8);
            const double F0[5][5] = {
                {2.29835259, 28.95614035, 46.14285714, 80.80952381, 279.42857143},
                {33.86549708, 3.79459555, 22.57142857, 57.23809524, 255.85714286},
                {43.60233918, 9.73684211, 4.91085714, 34.66666667, 233.28571429},
                {46.62865497, 12.76315789, 6.25714286, 14.61564626, 198.61904762},
                {52.62865497, 18.76315789, 12.25714286, 6., 34.1031746}};
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 5; j++)
                    assert_true(fabs(s->cond[0].fmpt[i * 5 + j] - F0[i][j]) <= 1e-7);
            const double F4[5] = {56.2815534, 1.5, 10.57236842, 27.02173913, 110.54347826};
            for (int j = 0; j < 5; j++)
                assert_true(fabs(s->cond[4].fmpt[j] - F4[j]) <= 1e-7);
        }
        agglo_spatial_markov_free(s);
    }
    agglo_weights_free(w);
    agglo_markov_panel_free(p);
    agglo_ctx_free(ctx);
}

static void test_lisa(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_weights *w = NULL;
    agglo_markov_panel *p = usjoin(ctx, &w);
    assert_int_equal(agglo_weights_transform(ctx, w, AGGLO_TRANSFORM_W), 0);
    agglo_lisa_markov *l = agglo_lisa_markov_compute(ctx, p, w);
    assert_non_null(l);
    check_mat("lisa", "transitions", l->chain.transitions, 4, 0);
    check_mat("lisa", "p", l->chain.p, 4, 1e-12);
    check_mat("lisa", "expected", l->expected, 4, 1e-9);
    /* giddy doc: lm.steady_state; lm.q[0:5, 0] = 3 2 3 1 4 */
    const double ss[4] = {0.28561505, 0.14190226, 0.40493672, 0.16754598};
    for (int i = 0; i < 4; i++)
        assert_close(l->chain.steady[i], ss[i], 1e-8);
    const int q[5] = {3, 2, 3, 1, 4};
    for (int i = 0; i < 5; i++)
        assert_int_equal(l->quadrant[(size_t)i * p->t], q[i]);
    assert_close(l->chi2, ref("lisa", "chi2"), 1e-9);
    assert_close(l->chi2_df, 9, 0);
    /* giddy's own chi_2 (its docstring, giddy/markov.py LISA_Markov: "Chi2: 1058.208, p: 0.00,
     * dof: 9") and its expected_t printed there to 8 decimals */
    assert_true(fabs(l->chi2_giddy - 1058.208) <= 0.0005);
    assert_close(l->chi2_giddy_df, 9, 0);
    assert_true(l->chi2_giddy_p < 0.005);
    const double et[16] = {1123.2809778, 11.53773565, 0.34752216, 33.83376439,
                           3.50272664, 528.47388155, 15.917888, 0.10550381,
                           0.15387808, 23.21635562, 1466.90710117, 9.72266513,
                           9.60775143, 0.09868563, 6.23537392, 607.05818902};
    for (int i = 0; i < 16; i++)
        assert_true(fabs(l->expected_giddy[i] - et[i]) <= 1e-6);
    agglo_lisa_markov_free(l);
    agglo_weights_free(w);
    agglo_markov_panel_free(p);
    agglo_ctx_free(ctx);
}

static void test_panel_errors(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_table *t = agglo_table_create(ctx, 5);
    const double id[5] = {1, 1, 2, 2, 3}, tm[5] = {2000, 2001, 2000, 2001, 2000},
                 v[5] = {1, 2, 3, NAN, 5};
    agglo_table_add_numeric(ctx, t, "id", AGGLO_COL_INTEGER, id, NULL);
    agglo_table_add_numeric(ctx, t, "year", AGGLO_COL_INTEGER, tm, NULL);
    agglo_table_add_numeric(ctx, t, "v", AGGLO_COL_REAL, v, NULL);
    assert_null(agglo_markov_panel_long(ctx, t, "t.csv", "id", "year", "v", 0));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_MISSING);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "ids 2, 3"));
    agglo_markov_panel *p = agglo_markov_panel_long(ctx, t, "t.csv", "id", "year", "v", 1);
    assert_null(p); /* one complete region is no panel */
    agglo_table_free(t);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic),
        cmocka_unit_test(test_spatial),
        cmocka_unit_test(test_lisa),
        cmocka_unit_test(test_panel_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
