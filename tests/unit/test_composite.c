/* Composite indices against independent references (scripts/reference/composite.R):
 * TOPSIS as CRAN's topsis 1.0 on Hwang & Yoon's (1981) fighter-aircraft example (data and
 * weights 0.2, 0.1, 0.1, 0.1, 0.2, 0.3 of the textbook; the book's printed closeness values
 * could not be checked here, the expected values are the R package's), entropy weights as the R
 * package mathmodels' entropy_weight() on agglo's min-max + shift standardisation, and the
 * classic and Wang Shujia et al. (2021) coupling degrees as mathmodels' coupling_degree(). */
#include "test_util.h"
#include "agglo/agglo.h"

#include <math.h>

/* Column `name` of a CSV (first line the header), up to max values; returns the count. */
static size_t csv_column(const char *path, const char *name, double *out, size_t max)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[4096];
    assert_non_null(fgets(line, sizeof line, f));
    long col = -1, c = 0;
    for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n"), c++)
        if (strcmp(tok, name) == 0)
            col = c;
    assert_true(col >= 0);
    size_t n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        char *p = line;
        for (long k = 0; k < col; k++)
            p = strchr(p, ',') + 1;
        out[n++] = strtod(p, NULL);
    }
    fclose(f);
    return n;
}

#define AIR TEST_DATA("reference/detect/composite_aircraft.csv")
static const char *const air_names[6] = {"speed", "range", "payload", "cost", "reliability",
                                         "maneuver"};
static const unsigned char air_neg[6] = {0, 0, 0, 1, 0, 0};

static void air_matrix(double *x)
{
    double col[4];
    for (size_t j = 0; j < 6; j++) {
        assert_int_equal(csv_column(AIR, air_names[j], col, 4), 4);
        for (size_t i = 0; i < 4; i++)
            x[i * 6 + j] = col[i];
    }
}

static void test_topsis_textbook(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double x[24], r[24], dp[4], dm[4], c[4], ref[4];
    const double w[6] = {0.2, 0.1, 0.1, 0.1, 0.2, 0.3};
    air_matrix(x);
    assert_int_equal(agglo_ci_vector(ctx, x, 4, 6, air_names, r), AGGLO_OK);
    assert_int_equal(agglo_topsis(ctx, r, 4, 6, w, air_neg, dp, dm, c), AGGLO_OK);
    csv_column(TEST_DATA("reference/detect/composite_aircraft_scores.csv"), "topsis_textbook_w",
               ref, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_close(c[i], ref[i], 1e-13);
        assert_close(c[i], dm[i] / (dp[i] + dm[i]), 1e-15);
    }
    /* weights are normalised: scaling them changes nothing */
    double w10[6], c10[4];
    for (size_t j = 0; j < 6; j++)
        w10[j] = 10 * w[j];
    assert_int_equal(agglo_topsis(ctx, r, 4, 6, w10, air_neg, NULL, NULL, c10), AGGLO_OK);
    for (size_t i = 0; i < 4; i++)
        assert_close(c10[i], c[i], 1e-14);
    agglo_ctx_free(ctx);
}

static void test_entropy(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double x[24], z[24], e[6], d[6], w[6], ref[6], w2[6], ref2[6];
    air_matrix(x);
    assert_int_equal(agglo_ci_minmax(ctx, x, 4, 6, air_neg, 1e-4, air_names, z), AGGLO_OK);
    assert_int_equal(agglo_entropy_weights(ctx, z, 4, 6, air_names, e, d, w), AGGLO_OK);
    csv_column(TEST_DATA("reference/detect/composite_aircraft_weights.csv"), "w_entropy", ref, 6);
    double sum = 0;
    for (size_t j = 0; j < 6; j++) {
        assert_close(w[j], ref[j], 1e-13);
        assert_close(d[j], 1 - e[j], 1e-15);
        assert_true(e[j] > 0 && e[j] < 1);
        sum += w[j];
    }
    assert_close(sum, 1, 1e-15);
    /* the shift matters: 0.01 gives mathmodels' other weights */
    assert_int_equal(agglo_ci_minmax(ctx, x, 4, 6, air_neg, 0.01, air_names, z), AGGLO_OK);
    assert_int_equal(agglo_entropy_weights(ctx, z, 4, 6, air_names, NULL, NULL, w2), AGGLO_OK);
    csv_column(TEST_DATA("reference/detect/composite_aircraft_weights.csv"),
               "w_entropy_shift001", ref2, 6);
    for (size_t j = 0; j < 6; j++)
        assert_close(w2[j], ref2[j], 1e-13);
    /* shift 0: the minimum's share is 0 and 0 ln 0 = 0 (finite weights) */
    assert_int_equal(agglo_ci_minmax(ctx, x, 4, 6, air_neg, 0, air_names, z), AGGLO_OK);
    assert_int_equal(agglo_entropy_weights(ctx, z, 4, 6, air_names, NULL, NULL, w2), AGGLO_OK);
    for (size_t j = 0; j < 6; j++)
        assert_true(isfinite(w2[j]) && w2[j] > 0);
    /* a constant indicator is refused by name */
    for (size_t i = 0; i < 4; i++)
        x[i * 6 + 2] = 7;
    assert_int_equal(agglo_ci_minmax(ctx, x, 4, 6, air_neg, 1e-4, air_names, z), AGGLO_E_NUMERIC);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "indicator payload is constant"));
    agglo_ctx_free(ctx);
}

static void test_coupling(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    enum { N = 98 };
    const char *ref = TEST_DATA("reference/detect/composite_panel_scores.csv");
    double u1[N], u2[N], U[2 * N], C[N], T[N], D[N], rc[N], rd[N], rt[N];
    assert_int_equal(csv_column(ref, "U1", u1, N), N);
    csv_column(ref, "U2", u2, N);
    for (size_t i = 0; i < N; i++) {
        U[2 * i] = u1[i];
        U[2 * i + 1] = u2[i];
    }
    assert_int_equal(agglo_coupling(ctx, U, N, 2, NULL, AGGLO_COUPLING_CLASSIC, C, T, D),
                     AGGLO_OK);
    csv_column(ref, "C_classic", rc, N);
    csv_column(ref, "D_classic", rd, N);
    csv_column(ref, "T", rt, N);
    for (size_t i = 0; i < N; i++) {
        assert_close(C[i], rc[i], 1e-13);
        assert_close(D[i], rd[i], 1e-13);
        assert_close(T[i], rt[i], 1e-13);
    }
    assert_int_equal(agglo_coupling(ctx, U, N, 2, NULL, AGGLO_COUPLING_WANG, C, T, D), AGGLO_OK);
    csv_column(ref, "C_wang", rc, N);
    csv_column(ref, "D_wang", rd, N);
    for (size_t i = 0; i < N; i++) {
        assert_close(C[i], rc[i], 1e-13);
        assert_close(D[i], rd[i], 1e-13);
    }
    /* equal subsystems couple perfectly under both definitions */
    double Ue[3] = {0.4, 0.4, 0.4};
    assert_int_equal(agglo_coupling(ctx, Ue, 1, 3, NULL, AGGLO_COUPLING_CLASSIC, C, T, D),
                     AGGLO_OK);
    assert_close(C[0], 1, 1e-15);
    assert_int_equal(agglo_coupling(ctx, Ue, 1, 3, NULL, AGGLO_COUPLING_WANG, C, T, D),
                     AGGLO_OK);
    assert_close(C[0], 1, 1e-15);
    assert_close(D[0], sqrt(0.4), 1e-15);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_topsis_textbook),
                                       cmocka_unit_test(test_entropy),
                                       cmocka_unit_test(test_coupling)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
