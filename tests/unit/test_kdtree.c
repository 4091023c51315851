/* kd-tree tests against brute force: planar and great-circle knn (with ties to the lower
 * index, exclusion, NaN points), radius queries (inclusive bound, ascending indices),
 * degenerate inputs (all points equal, empty tree). Great-circle distances are checked
 * against the haversine formula on the 6371.0088 km sphere the header documents. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "agglo/agglo.h"
#include "agglo/index.h"

static double haversine(double lon1, double lat1, double lon2, double lat2)
{
    const double r = M_PI / 180.0;
    double a = sin((lat2 - lat1) * r / 2), b = sin((lon2 - lon1) * r / 2);
    double h = a * a + cos(lat1 * r) * cos(lat2 * r) * b * b;
    return 2 * 6371.0088 * asin(sqrt(h));
}

typedef double (*metric)(double, double, double, double);

static double planar(double x1, double y1, double x2, double y2) { return hypot(x1 - x2, y1 - y2); }

/* Brute-force k nearest with ties to the lower index. */
static size_t brute_knn(const double *x, const double *y, size_t n, double qx, double qy, size_t k,
                        size_t exclude, metric m, size_t *idx, double *d)
{
    size_t found = 0;
    for (size_t j = 0; j < n; j++) {
        if (j == exclude || isnan(x[j]) || isnan(y[j]))
            continue;
        double dj = m(qx, qy, x[j], y[j]);
        if (found == k && !(dj < d[k - 1]))
            continue;
        size_t p = found < k ? found++ : k - 1;
        while (p > 0 && dj < d[p - 1]) {
            d[p] = d[p - 1];
            idx[p] = idx[p - 1];
            p--;
        }
        d[p] = dj;
        idx[p] = j;
    }
    return found;
}

static void check_tree(int great_circle, size_t n, int grid)
{
    agglo_ctx *ctx = agglo_ctx_create();
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    agglo_rng r;
    agglo_rng_init(&r, 42 + (uint64_t)grid, (uint64_t)great_circle);
    for (size_t i = 0; i < n; i++) {
        if (great_circle) {
            x[i] = grid ? (double)agglo_rng_below(&r, 36) * 10 - 180 : agglo_rng_uniform(&r) * 360 - 180;
            y[i] = grid ? (double)agglo_rng_below(&r, 17) * 10 - 80 : agglo_rng_uniform(&r) * 170 - 85;
        } else {
            x[i] = grid ? (double)agglo_rng_below(&r, 30) : agglo_rng_uniform(&r) * 100;
            y[i] = grid ? (double)agglo_rng_below(&r, 30) : agglo_rng_uniform(&r) * 100;
        }
    }
    x[3] = NAN; /* never returned */
    metric m = great_circle ? haversine : planar;
    agglo_kdtree *T = agglo_kdtree_build(ctx, x, y, n, great_circle);
    assert_non_null(T);
    size_t k = 9, idx[9], bi[9];
    double d[9], bd[9];
    for (size_t i = 0; i < n; i += 13) {
        if (isnan(x[i]))
            continue;
        size_t got = agglo_kdtree_knn(T, x[i], y[i], k, i, idx, d);
        size_t want = brute_knn(x, y, n, x[i], y[i], k, i, m, bi, bd);
        assert_int_equal(got, want);
        for (size_t q = 0; q < got; q++) {
            /* great circle: chord vs haversine rounding may reorder exact ties only */
            if (!great_circle || fabs(d[q] - bd[q]) > 1e-9 * fmax(1.0, bd[q]))
                assert_int_equal(idx[q], bi[q]);
            assert_true(fabs(d[q] - bd[q]) <= 1e-9 * fmax(1.0, bd[q]));
            assert_true(fabs(agglo_kdtree_distance(T, x[i], y[i], x[idx[q]], y[idx[q]]) - d[q]) <=
                        1e-12 * fmax(1.0, d[q]));
        }
        /* radius: every point within the k-th distance (inclusive), ascending indices */
        double rr = got ? d[got - 1] : 0;
        size_t *ri = NULL, cap = 0;
        double *rd = NULL;
        size_t rm = agglo_kdtree_radius(T, x[i], y[i], rr, i, &ri, &rd, &cap);
        assert_true(rm >= got);
        size_t expect = 0;
        for (size_t j = 0; j < n; j++)
            if (j != i && !isnan(x[j]) && m(x[i], y[i], x[j], y[j]) <= rr * (1 - 1e-12))
                expect++;
        assert_true(rm >= expect);
        for (size_t q = 0; q < rm; q++) {
            assert_true(rd[q] <= rr);
            assert_int_not_equal(ri[q], 3);
            if (q)
                assert_true(ri[q] > ri[q - 1]);
        }
        free(ri);
        free(rd);
    }
    /* a query with no exclusion finds the point itself first */
    assert_int_equal(agglo_kdtree_knn(T, x[0], y[0], 1, (size_t)-1, idx, d), 1);
    assert_int_equal(idx[0], 0);
    assert_true(d[0] == 0.0);
    agglo_kdtree_free(T);
    free(x);
    free(y);
    agglo_ctx_free(ctx);
}

static void test_planar_random(void **s) { (void)s; check_tree(0, 5000, 0); }
static void test_planar_grid_ties(void **s) { (void)s; check_tree(0, 5000, 1); }
static void test_great_circle(void **s) { (void)s; check_tree(1, 4000, 0); }

static void test_degenerate(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double x[100], y[100];
    for (int i = 0; i < 100; i++)
        x[i] = y[i] = 1.5; /* all equal: ties everywhere */
    agglo_kdtree *T = agglo_kdtree_build(ctx, x, y, 100, 0);
    size_t idx[5];
    double d[5];
    assert_int_equal(agglo_kdtree_knn(T, 1.5, 1.5, 5, 2, idx, d), 5);
    size_t want[5] = {0, 1, 3, 4, 5};
    for (int q = 0; q < 5; q++) {
        assert_int_equal(idx[q], want[q]);
        assert_true(d[q] == 0.0);
    }
    size_t *ri = NULL, cap = 0;
    double *rd = NULL;
    assert_int_equal(agglo_kdtree_radius(T, 1.5, 1.5, 0.0, (size_t)-1, &ri, &rd, &cap), 100);
    assert_int_equal(agglo_kdtree_radius(T, 9, 9, 1.0, (size_t)-1, &ri, &rd, &cap), 0);
    free(ri);
    free(rd);
    agglo_kdtree_free(T);
    /* empty and all-NaN trees */
    double nx[2] = {NAN, NAN};
    T = agglo_kdtree_build(ctx, nx, nx, 2, 0);
    assert_non_null(T);
    assert_int_equal(agglo_kdtree_knn(T, 0, 0, 3, (size_t)-1, idx, d), 0);
    agglo_kdtree_free(T);
    T = agglo_kdtree_build(ctx, x, y, 0, 1);
    assert_non_null(T);
    assert_int_equal(agglo_kdtree_knn(T, 0, 0, 3, (size_t)-1, idx, d), 0);
    agglo_kdtree_free(T);
    agglo_kdtree_free(NULL);
    /* fewer points than k */
    T = agglo_kdtree_build(ctx, x, y, 3, 0);
    assert_int_equal(agglo_kdtree_knn(T, 0, 0, 5, 1, idx, d), 2);
    agglo_kdtree_free(T);
    /* great circle: antipodes are half the circumference apart */
    double lon[2] = {0, 180}, lat[2] = {0, 0};
    T = agglo_kdtree_build(ctx, lon, lat, 2, 1);
    assert_true(fabs(agglo_kdtree_distance(T, 0, 0, 180, 0) - M_PI * 6371.0088) < 1e-6);
    assert_int_equal(agglo_kdtree_knn(T, 0, 0, 1, 0, idx, d), 1);
    assert_true(fabs(d[0] - M_PI * 6371.0088) < 1e-6);
    agglo_kdtree_free(T);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planar_random),
        cmocka_unit_test(test_planar_grid_ties),
        cmocka_unit_test(test_great_circle),
        cmocka_unit_test(test_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
