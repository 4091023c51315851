/* The shared input policy (include/agglo/check.h): number parsing and the variable check.
 * Expected values are IEEE-754 facts (the smallest subnormal 2^-1074, DBL_MAX), not outputs of
 * another implementation. */
#include "test_util.h"
#include "agglo/agglo.h"

#include <float.h>

static void test_parse_double(void **state)
{
    (void)state;
    double v = -1;
    /* subnormals are finite numbers */
    assert_int_equal(agglo_parse_double("1e-320", &v), 0);
    assert_true(v > 0 && v < DBL_MIN && fpclassify(v) == FP_SUBNORMAL);
    assert_true(fabs(v - 1e-320) <= 0x1p-1074);
    assert_int_equal(agglo_parse_double("4.9406564584124654e-324", &v), 0);
    assert_true(v == 0x1p-1074);
    assert_int_equal(agglo_parse_double("-2.5e-310", &v), 0);
    assert_true(v < 0 && fpclassify(v) == FP_SUBNORMAL);
    /* a finite number whose nearest double is 0 */
    assert_int_equal(agglo_parse_double("1e-400", &v), 0);
    assert_true(v == 0.0);
    /* the largest finite values */
    assert_int_equal(agglo_parse_double("1.7976931348623157e308", &v), 0);
    assert_true(v == DBL_MAX);
    assert_int_equal(agglo_parse_double("  0.25 ", &v), 0);
    assert_true(v == 0.25);
    assert_int_equal(agglo_parse_double("0x1p-3", &v), 0);
    assert_true(v == 0.125);
    /* refused: overflow, NaN, infinities (-2); garbage, empty (-1) */
    v = 7;
    const char *nonfinite[] = {"1e999", "-1e400000", "nan", "NaN", "inf", "-Infinity"};
    for (size_t i = 0; i < sizeof nonfinite / sizeof *nonfinite; i++) {
        if (agglo_parse_double(nonfinite[i], &v) != -2) {
            print_error("'%s' not refused as non-finite (%g)\n", nonfinite[i], v);
            fail();
        }
    }
    const char *garbage[] = {"1x", "x1", "", "  ", "1 2", "--1", "wide"};
    for (size_t i = 0; i < sizeof garbage / sizeof *garbage; i++) {
        if (agglo_parse_double(garbage[i], &v) != -1) {
            print_error("'%s' not refused as garbage (%g)\n", garbage[i], v);
            fail();
        }
    }
    assert_true(v == 7); /* untouched on failure */
    assert_int_equal(agglo_parse_double(NULL, &v), -1);
}

static const char *name_of(const void *obj, size_t i)
{
    return ((const char *const *)obj)[i];
}

static void test_check_variable(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_var_info vi;
    double x[6] = {1, 2, NAN, 4, INFINITY, 6};
    const char *ids[6] = {"a", "b", "c", "d", "e", "f"};
    assert_int_equal(agglo_check_variable(ctx, x, 6, 0, "f.shp", "POP", name_of, ids, &vi),
                     AGGLO_E_MISSING);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "f.shp: field 'POP' has 2 missing values"));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "ids c, e"));
    assert_int_equal(agglo_check_variable(ctx, x, 6, 0, "f.shp", "POP", NULL, NULL, &vi),
                     AGGLO_E_MISSING);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "ids 3, 5"));
    /* constant: refused only when asked */
    double c[4] = {5, 5, 5, 5};
    assert_int_equal(agglo_check_variable(ctx, c, 4, 0, "f.shp", "K", NULL, NULL, &vi), AGGLO_OK);
    assert_int_equal(agglo_check_variable(ctx, c, 4, AGGLO_CHECK_NONCONSTANT, "f.shp", "K", NULL,
                                          NULL, &vi),
                     AGGLO_E_NUMERIC);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "field 'K' is constant (all 4 values are 5)"));
    /* negative values */
    double g[3] = {1, -2, 3};
    assert_int_equal(agglo_check_variable(ctx, g, 3, AGGLO_CHECK_NONNEGATIVE, "f.shp", "G",
                                          name_of, ids, &vi),
                     AGGLO_E_USAGE);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "negative value -2 (id b)"));
    assert_int_equal(agglo_check_variable(ctx, g, 0, 0, "f.shp", "G", NULL, NULL, &vi),
                     AGGLO_E_EMPTY);
    /* the rescaling exponent: 0 in the safe range, else it brings max |x| into [0.5, 1) */
    double o[3] = {-3, 0.5, 1e50};
    assert_int_equal(agglo_check_variable(ctx, o, 3, AGGLO_CHECK_NONCONSTANT, "s", "v", NULL,
                                          NULL, &vi),
                     AGGLO_OK);
    assert_int_equal(vi.exponent, 0);
    assert_true(vi.min == -3 && vi.max == 1e50 && vi.n == 3);
    double h[3] = {1e308, -DBL_MAX, 3};
    assert_int_equal(agglo_check_variable(ctx, h, 3, 0, "s", "v", NULL, NULL, &vi), AGGLO_OK);
    assert_int_equal(vi.exponent, -1024);
    double *hs = agglo_scaled_copy(ctx, h, 3, vi.exponent);
    assert_non_null(hs);
    assert_true(fabs(hs[1]) >= 0.5 && fabs(hs[1]) < 1 && hs[1] == -DBL_MAX * 0x1p-1000 * 0x1p-24);
    free(hs);
    double s[3] = {0x1p-1074, 3 * 0x1p-1074, 0};
    assert_int_equal(agglo_check_variable(ctx, s, 3, AGGLO_CHECK_NONCONSTANT, "s", "v", NULL,
                                          NULL, &vi),
                     AGGLO_OK);
    assert_int_equal(vi.exponent, 1072); /* 3 x 2^-1074 = 0.75 x 2^-1072 */
    double *ss = agglo_scaled_copy(ctx, s, 3, vi.exponent);
    assert_true(ss[0] == 0.25 && ss[1] == 0.75 && ss[2] == 0);
    free(ss);
    agglo_ctx_free(ctx);
}

static void warn_copy(const char *msg, void *userdata)
{
    snprintf((char *)userdata, 512, "%s", msg);
}

/* The --drop-missing policy: a NaN in a variable or a flagged row is missing; refused with
 * the count, the variables and the first ids, or dropped with one warning. */
static void test_missing_rows(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    char warned[512] = "";
    agglo_ctx_set_warning_handler(ctx, warn_copy, warned);
    double a[5] = {1, NAN, 3, 4, 5}, b[5] = {1, 2, 3, INFINITY, 5};
    const double *vars[3] = {a, b, NULL};
    const char *names[3] = {"a", "b", "g"};
    const char *ids[5] = {"r1", "r2", "r3", "r4", "r5"};
    unsigned char flag[5] = {0, 0, 0, 0, 1};
    size_t keep[5], nkeep = 99;
    assert_int_equal(agglo_missing_rows(ctx, "t.csv", 5, vars, names, 3, flag, name_of, ids, 0,
                                        keep, &nkeep), AGGLO_E_MISSING);
    assert_string_equal(agglo_ctx_errmsg(ctx), "t.csv: 3 rows with missing values in a, b, g "
                        "(ids r2, r4, r5); use --drop-missing to analyse the complete rows");
    assert_string_equal(warned, "");
    assert_int_equal(agglo_missing_rows(ctx, "t.csv", 5, vars, names, 3, flag, NULL, NULL, 1,
                                        keep, &nkeep), AGGLO_OK);
    assert_int_equal(nkeep, 2);
    assert_int_equal(keep[0], 0);
    assert_int_equal(keep[1], 2);
    assert_string_equal(warned, "t.csv: dropped 3 rows with missing values in a, b, g (rows 2, 4, 5)");
    /* complete rows: no message, every row kept */
    warned[0] = '\0';
    double c[3] = {1, 2, 3};
    const double *cv[1] = {c};
    assert_int_equal(agglo_missing_rows(ctx, NULL, 3, cv, NULL, 1, NULL, NULL, NULL, 0, keep,
                                        &nkeep), AGGLO_OK);
    assert_int_equal(nkeep, 3);
    assert_int_equal(keep[2], 2);
    assert_string_equal(warned, "");
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_double),
        cmocka_unit_test(test_check_variable),
        cmocka_unit_test(test_missing_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
