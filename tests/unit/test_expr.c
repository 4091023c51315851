/* Expressions over fields: precedence, functions, NULL and undefined rows, quoted names, errors.
 * Expected values are the same arithmetic written directly in C (libm), the semantics R gives
 * these expressions (R's precedence: -x^2 = -(x^2), 2^3^2 = 2^(3^2)); no other reference is
 * needed for arithmetic. */
#include "test_util.h"
#include "agglo/agglo.h"

static agglo_table *small_table(agglo_ctx *ctx)
{
    const double shops[] = {10, 0, 5, 7};
    const double pop[] = {1000, 200, 0, 350};
    const unsigned char pop_null[] = {0, 0, 0, 1};
    const double neg[] = {-4, 9, 16, -1};
    agglo_table *t = agglo_table_create(ctx, 4);
    assert_non_null(t);
    assert_true(agglo_table_add_numeric(ctx, t, "shops", AGGLO_COL_INTEGER, shops, NULL) >= 0);
    assert_true(agglo_table_add_numeric(ctx, t, "pop", AGGLO_COL_REAL, pop, pop_null) >= 0);
    assert_true(agglo_table_add_numeric(ctx, t, "pop 2020", AGGLO_COL_REAL, neg, NULL) >= 0);
    assert_true(agglo_table_add_numeric(ctx, t, "人口", AGGLO_COL_REAL, neg, NULL) >= 0);
    return t;
}

static void test_rate_and_precedence(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_table *t = small_table(ctx);
    double *r = agglo_table_get_numeric(ctx, t, "shops / pop * 10000", "t");
    assert_non_null(r);
    assert_close(r[0], 10.0 / 1000 * 10000, 1e-15);
    assert_close(r[1], 0.0, 1e-15);
    assert_true(isnan(r[2])); /* division by zero: undefined, counted as missing */
    assert_true(isnan(r[3])); /* NULL pop */
    free(r);

    r = agglo_table_get_numeric(ctx, t, "-shops^2 + 2^3^2 - (1 - 2) * 3", "t");
    assert_non_null(r);
    assert_close(r[0], -(10.0 * 10.0) + pow(2, 9) + 3, 1e-15);
    free(r);

    r = agglo_table_get_numeric(ctx, t, "log(shops) + log1p(shops) + sqrt(abs(`pop 2020`)) + exp(0) + log10(100)", "t");
    assert_non_null(r);
    assert_close(r[0], log(10) + log1p(10) + sqrt(4) + 1 + 2, 1e-15);
    assert_true(isnan(r[1])); /* log(0) */
    free(r);

    r = agglo_table_get_numeric(ctx, t, "sqrt(\"pop 2020\")", "t");
    assert_non_null(r);
    assert_true(isnan(r[0]));
    assert_close(r[1], 3.0, 1e-15);
    free(r);

    r = agglo_table_get_numeric(ctx, t, "人口 * 2", "t"); /* UTF-8 field names */
    assert_non_null(r);
    assert_close(r[2], 32.0, 1e-15);
    free(r);

    /* A plain field with a space is still read as the field. */
    r = agglo_table_get_numeric(ctx, t, "pop 2020", "t");
    assert_non_null(r);
    assert_close(r[1], 9.0, 1e-15);
    free(r);
    agglo_table_free(t);
    agglo_ctx_free(ctx);
}

static void test_errors(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_table *t = small_table(ctx);
    assert_null(agglo_table_get_numeric(ctx, t, "nosuch", "t.shp"));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_FIELD);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "no field 'nosuch'"));

    assert_null(agglo_table_get_numeric(ctx, t, "shops / nosuch", "t.shp"));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_FIELD);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "nosuch"));

    assert_null(agglo_table_get_numeric(ctx, t, "shops / (pop", "t.shp"));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_USAGE);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "expected ')'"));

    assert_null(agglo_table_get_numeric(ctx, t, "lg(shops)", "t.shp"));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "unknown function"));

    assert_null(agglo_table_get_numeric(ctx, t, "shops *", "t.shp"));
    assert_null(agglo_table_get_numeric(ctx, t, "shops pop", "t.shp"));

    agglo_expr *e = agglo_expr_parse(ctx, "shops / pop + shops");
    assert_non_null(e);
    assert_int_equal(agglo_expr_field_count(e), 2);
    assert_string_equal(agglo_expr_field(e, 0), "shops");
    assert_string_equal(agglo_expr_field(e, 1), "pop");
    agglo_expr_free(e);
    agglo_expr_free(NULL);
    agglo_table_free(t);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rate_and_precedence),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
