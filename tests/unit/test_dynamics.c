/* Kernel densities of a distribution per period against R's bw.nrd0 and density() (gaussian)
 * on usjoin incomes: scripts/reference/distribution.R -> reference/dynamics/distribution_R.csv. */
#include "test_util.h"
#include "agglo/agglo.h"

static double ref(const char *year, const char *key)
{
    FILE *f = fopen(TEST_DATA("reference/dynamics/distribution_R.csv"), "r");
    assert_non_null(f);
    char line[256];
    double v = NAN;
    while (fgets(line, sizeof line, f)) {
        char y[16], k[64];
        double x;
        if (sscanf(line, "%15[^,],%63[^,],%lf", y, k, &x) == 3 && !strcmp(y, year) &&
            !strcmp(k, key))
            v = x;
    }
    fclose(f);
    if (isnan(v))
        fail_msg("no reference %s %s", year, key);
    return v;
}

static void test_density_r(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_table *t = agglo_table_read(ctx, TEST_DATA("reference/dynamics/usjoin.csv"), NULL);
    assert_non_null(t);
    const char *years[3] = {"1929", "1969", "2009"};
    for (int y = 0; y < 3; y++) {
        double *x = agglo_table_get_numeric(ctx, t, years[y], "usjoin.csv");
        assert_non_null(x);
        double bw = agglo_bw_nrd0(x, 48);
        assert_close(bw, ref(years[y], "bandwidth"), 1e-14);
        for (int i = 1; i <= 5; i++) {
            char k[32];
            snprintf(k, sizeof k, "at %d", i);
            double at = ref(years[y], k), d;
            agglo_kde1d(x, 48, bw, &at, 1, &d);
            snprintf(k, sizeof k, "density %d", i);
            assert_close(d, ref(years[y], k), 1e-5);
        }
        free(x);
    }
    agglo_table_free(t);
    agglo_ctx_free(ctx);
}

static void test_bw_degenerate(void **state)
{
    (void)state;
    /* all equal: R's bw.nrd0(c(2, 2, 2)) = 1.4449348111684153 (the |x1| fallback) */
    const double a[3] = {2, 2, 2};
    assert_close(agglo_bw_nrd0(a, 3), 1.4449348111684153, 1e-14);
    assert_true(isnan(agglo_bw_nrd0(a, 1)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_density_r),
        cmocka_unit_test(test_bw_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
