/* Spatial panel models: data checks (balance, strays, duplicates), the individual-effects SAR
 * against spatialreg (scripts/reference/panel.R: lagsarlm on the demeaned stacked data with
 * I_T x W), and Lee & Yu's (2010) result that for individual effects their transformation
 * leaves rho and b unchanged and scales sigma2 by T/(T-1). */
#include "test_util.h"
#include "agglo/agglo.h"

static double ref_value(const char *cs, const char *key)
{
    FILE *f = fopen(TEST_DATA("reference/panel/panel_reference.csv"), "r");
    assert_non_null(f);
    char line[256], c[64], k[64];
    double v, out = NAN;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%63[^,],%63[^,],%lf", c, k, &v) == 3 && !strcmp(c, cs) && !strcmp(k, key))
            out = v;
    fclose(f);
    assert_false(isnan(out));
    return out;
}

static agglo_layer *read_counties(agglo_ctx *ctx)
{
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.x_field = "year"; /* the table's geometry is not used */
    o.y_field = "y";
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("../../sample_shapes/counties_panel.csv"), &o);
    assert_non_null(L);
    return L;
}

static void test_individual_sar(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = read_counties(ctx);
    agglo_weights *w = agglo_weights_read(ctx, TEST_DATA("../../sample_shapes/counties_queen.gal"), NULL);
    assert_non_null(w);
    assert_int_equal(agglo_weights_transform(ctx, w, AGGLO_TRANSFORM_W), 0);
    const char *xs[] = {"x1", "x2"};
    agglo_panel *p = agglo_panel_from_long(ctx, agglo_layer_table(L), "counties", "code", "year",
                                           "y", xs, 2, w);
    assert_non_null(p);
    assert_int_equal(p->N, 189);
    assert_int_equal(p->T, 10);
    agglo_panel_options o;
    agglo_panel_options_init(&o);
    o.model = AGGLO_PANEL_SAR;
    o.effects = AGGLO_PANEL_INDIVIDUAL;
    o.lee_yu = 0;
    o.tests = 0;
    agglo_panel_result r, ly;
    assert_int_equal(agglo_panel_fit(ctx, p, w, &o, &r), 0);
    assert_true(fabs(r.rho - ref_value("counties_sar_individual", "rho")) < 1e-7);
    assert_true(fabs(r.coef[0] - ref_value("counties_sar_individual", "x1")) < 1e-7);
    assert_true(fabs(r.loglik - ref_value("counties_sar_individual", "loglik")) < 1e-6);
    o.lee_yu = 1;
    assert_int_equal(agglo_panel_fit(ctx, p, w, &o, &ly), 0);
    assert_true(fabs(ly.rho - r.rho) < 1e-7);
    assert_true(fabs(ly.sigma2 / r.sigma2 - 10.0 / 9.0) < 1e-7);
    assert_non_null(r.mu);
    agglo_panel_result_free(&r);
    agglo_panel_result_free(&ly);
    agglo_panel_free(p);
    agglo_weights_free(w);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_data_checks(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_table *t = agglo_table_create(ctx, 5);
    const char *id[] = {"a", "b", "a", "b", "a"};
    double tm[] = {2001, 2001, 2002, 2002, 2003}, y[] = {1, 2, 3, 4, 5};
    agglo_table_add_string(ctx, t, "id", id);
    agglo_table_add_numeric(ctx, t, "t", AGGLO_COL_INTEGER, tm, NULL);
    agglo_table_add_numeric(ctx, t, "y", AGGLO_COL_REAL, y, NULL);
    const char *xs[] = {"y"};
    assert_null(agglo_panel_from_long(ctx, t, "tab", "id", "t", "y", xs, 1, NULL));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "(b, 2003)"));
    /* a weights object without region b */
    size_t rp[] = {0, 1, 2};
    int32_t col[] = {1, 0};
    double v[] = {1, 1};
    const char *wid[] = {"a", "c"};
    agglo_weights *w = agglo_weights_create(ctx, 2, rp, col, v, wid);
    assert_non_null(w);
    assert_null(agglo_panel_from_long(ctx, t, "tab", "id", "t", "y", xs, 1, w));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "not in the weights: b"));
    agglo_weights_free(w);
    agglo_table_free(t);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_individual_sar),
                                       cmocka_unit_test(test_data_checks)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
