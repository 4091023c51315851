/* The GWR grid (src/gwr/gwr_grid.c): the exact k-th nearest distance and the disc runs,
 * against brute force over every observation (the reference is a sort of the same squared
 * distances, so agreement must be exact), on uniform, clustered, duplicated and strip-shaped
 * point sets, for observations and for query points outside the data. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agglo/agglo.h"
#include "../../src/gwr/gwr_internal.h"

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The model's own (grid) order and coordinates are what the grid functions see. */
static agglo_gwr_model *make_model(agglo_ctx *ctx, size_t n, const double *x, const double *y)
{
    double *resp = malloc(n * sizeof(double)), *cov = malloc(n * sizeof(double));
    agglo_rng rng;
    agglo_rng_init(&rng, 5, 0);
    for (size_t i = 0; i < n; i++) {
        cov[i] = agglo_rng_normal(&rng);
        resp[i] = 1.0 + cov[i] + agglo_rng_normal(&rng);
    }
    const double *xs[1] = {cov};
    agglo_gwr_model *m = agglo_gwr_model_create(ctx, n, x, y, resp, xs, 1, NULL, NULL, NULL);
    free(resp);
    free(cov);
    if (!m)
        fail_msg("%s", agglo_ctx_errmsg(ctx));
    return m;
}

static void check_point_set(size_t n, const double *x, const double *y)
{
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_gwr_model *m = make_model(ctx, n, x, y);
    assert_true(m->use_grid);
    gwr_knn st;
    assert_int_equal(gwr_knn_init(&st, n), 0);
    double *d2 = malloc(n * sizeof(double));
    gwr_range *rg = malloc((size_t)m->gny * sizeof *rg);
    const size_t ks[] = {1, 2, 3, 7, 50, n / 3, n - 1, n};
    /* observations (consecutive queries use the previous bracket), then points outside */
    for (size_t kk = 0; kk < sizeof ks / sizeof ks[0]; kk++) {
        size_t k = ks[kk];
        if (k < 1 || k > n)
            continue;
        for (size_t q = 0; q < n + 20; q++) {
            double qx, qy;
            if (q < n) {
                qx = m->cx[q];
                qy = m->cy[q];
            } else { /* around and beyond the grid's corners */
                double t = (double)(q - n);
                qx = m->gx0 + (t - 5.0) * m->cs * 7.0;
                qy = m->gy0 + (double)m->gny * m->cs * (t / 10.0 - 0.5);
            }
            for (size_t j = 0; j < n; j++) {
                double dx = qx - m->cx[j], dy = qy - m->cy[j];
                d2[j] = dx * dx + dy * dy;
            }
            qsort(d2, n, sizeof(double), cmp_d);
            double got = gwr_kth_dist2(m, qx, qy, k, &st);
            if (got != d2[k - 1])
                fail_msg("n=%zu k=%zu query %zu: k-th squared distance %.17g, brute force %.17g",
                         n, k, q, got, d2[k - 1]);
            /* every observation within the k-th distance lies in a run of that disc */
            double r = sqrt(d2[k - 1]);
            size_t nr = gwr_disc_ranges(m, qx, qy, r, rg), inside = 0;
            for (size_t t = 0; t < nr; t++)
                for (size_t j = rg[t].j0; j < rg[t].j1; j++) {
                    double dx = qx - m->cx[j], dy = qy - m->cy[j];
                    inside += dx * dx + dy * dy <= d2[k - 1];
                }
            size_t want = 0;
            while (want < n && d2[want] <= d2[k - 1])
                want++;
            if (inside != want)
                fail_msg("n=%zu k=%zu query %zu: runs hold %zu of the %zu observations within "
                         "the disc",
                         n, k, q, inside, want);
        }
    }
    free(rg);
    free(d2);
    gwr_knn_free(&st);
    agglo_gwr_model_free(m);
    agglo_ctx_free(ctx);
}

static void test_uniform(void **state)
{
    (void)state;
    size_t n = 600;
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    agglo_rng rng;
    agglo_rng_init(&rng, 11, 0);
    for (size_t i = 0; i < n; i++) {
        x[i] = 500000.0 + 20000.0 * agglo_rng_uniform(&rng); /* UTM-like magnitudes */
        y[i] = 3400000.0 + 15000.0 * agglo_rng_uniform(&rng);
    }
    check_point_set(n, x, y);
    free(x);
    free(y);
}

/* Shops around a few towns, with repeated locations (several shops at one address). */
static void test_clustered_with_duplicates(void **state)
{
    (void)state;
    size_t n = 700;
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    agglo_rng rng;
    agglo_rng_init(&rng, 12, 0);
    for (size_t i = 0; i < n; i++) {
        if (i % 9 == 8) { /* a duplicate of an earlier point */
            size_t j = (size_t)agglo_rng_below(&rng, (uint32_t)i);
            x[i] = x[j];
            y[i] = y[j];
            continue;
        }
        double cx = (i % 3) * 1000.0, cy = (i % 3 == 1) ? 5000.0 : 0.0;
        x[i] = cx + 3.0 * agglo_rng_normal(&rng);
        y[i] = cy + 3.0 * agglo_rng_normal(&rng);
    }
    check_point_set(n, x, y);
    free(x);
    free(y);
}

/* A thin strip (points along a road) and a grid of exactly spaced points (ties). */
static void test_strip_and_lattice(void **state)
{
    (void)state;
    size_t n = 400;
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    agglo_rng rng;
    agglo_rng_init(&rng, 13, 0);
    for (size_t i = 0; i < n; i++) {
        x[i] = 10000.0 * agglo_rng_uniform(&rng);
        y[i] = 0.001 * agglo_rng_uniform(&rng);
    }
    check_point_set(n, x, y);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)(i % 20) * 100.0;
        y[i] = (double)(i / 20) * 100.0;
    }
    check_point_set(n, x, y);
    free(x);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_clustered_with_duplicates),
        cmocka_unit_test(test_strip_and_lattice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
