/* The uniform grid of the index module (src/index/grid.c), as GWR uses it: the exact k-th nearest distance and the disc runs,
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
#include "../../src/index/index_internal.h"

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
    agglo__index_knn st;
    assert_int_equal(agglo__index_knn_init(&st, n), 0);
    double *d2 = malloc(n * sizeof(double));
    agglo__index_run *rg = malloc((size_t)m->grid.ny * sizeof *rg);
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
                qx = m->grid.x0 + (t - 5.0) * m->grid.cs * 7.0;
                qy = m->grid.y0 + (double)m->grid.ny * m->grid.cs * (t / 10.0 - 0.5);
            }
            for (size_t j = 0; j < n; j++) {
                double dx = qx - m->cx[j], dy = qy - m->cy[j];
                d2[j] = dx * dx + dy * dy;
            }
            qsort(d2, n, sizeof(double), cmp_d);
            double got = agglo__index_grid_kth_dist2(&m->grid, qx, qy, k, &st);
            if (got != d2[k - 1])
                fail_msg("n=%zu k=%zu query %zu: k-th squared distance %.17g, brute force %.17g",
                         n, k, q, got, d2[k - 1]);
            /* every observation within the k-th distance lies in a run of that disc */
            double r = sqrt(d2[k - 1]);
            size_t nr = agglo__index_grid_disc_runs(&m->grid, qx, qy, r, rg), inside = 0;
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
    agglo__index_knn_free(&st);
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

/* The grid's nearest point (the query kernel density's Diggle bandwidth needs) against brute
 * force with ties to the lower index, for both cell-side rules, NaN points left out,
 * queries at the points (excluded) and outside the box. */
static void test_grid_nearest(void **state)
{
    (void)state;
    size_t n = 500;
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    agglo_rng rng;
    agglo_rng_init(&rng, 14, 0);
    for (size_t i = 0; i < n; i++) {
        x[i] = floor(100.0 * agglo_rng_uniform(&rng)); /* integer lattice: many ties */
        y[i] = floor(60.0 * agglo_rng_uniform(&rng));
    }
    x[7] = NAN;
    y[9] = INFINITY;
    agglo_ctx *ctx = agglo_ctx_create();
    double sides[3] = {0, 3.0, 1e-6}; /* automatic, given, enlarged to the 4M-cell cap */
    for (int t = 0; t < 3; t++) {
        agglo__index_grid g;
        assert_int_equal(agglo__index_grid_build(ctx, &g, x, y, n, sides[t]), AGGLO_OK);
        assert_int_equal(g.n, n - 2);
        assert_true((double)g.nx * (double)g.ny <= 4194304.0 * 1.01);
        for (size_t q = 0; q < n + 20; q++) {
            double qx = q < n ? x[q] : -50.0 + 10.0 * (double)(q - n);
            double qy = q < n ? y[q] : 200.0 - 7.0 * (double)(q - n);
            if (!isfinite(qx) || !isfinite(qy))
                continue;
            size_t ex = q < n ? q : (size_t)-1, bj = (size_t)-1, j;
            double best = INFINITY;
            for (size_t i = 0; i < n; i++) {
                if (i == ex || !isfinite(x[i]) || !isfinite(y[i]))
                    continue;
                double dx = x[i] - qx, dy = y[i] - qy, d2 = dx * dx + dy * dy;
                if (d2 < best) {
                    best = d2;
                    bj = i;
                }
            }
            double d = agglo__index_grid_nearest(&g, qx, qy, ex, &j);
            assert_int_equal(j, bj);
            assert_true(d == sqrt(best));
        }
        agglo__index_grid_free(&g);
    }
    agglo_ctx_free(ctx);
    free(x);
    free(y);
}

/* The k-th value selections against a sort. */
static void test_select_kth(void **state)
{
    (void)state;
    size_t n = 300;
    double *v = malloc(n * sizeof(double)), *w = malloc(n * sizeof(double)),
           *s = malloc(n * sizeof(double));
    agglo_rng rng;
    agglo_rng_init(&rng, 15, 0);
    for (size_t i = 0; i < n; i++)
        s[i] = floor(50.0 * agglo_rng_uniform(&rng));
    memcpy(v, s, n * sizeof(double));
    qsort(s, n, sizeof(double), cmp_d);
    for (size_t k = 1; k <= n; k += 7) {
        memcpy(w, v, n * sizeof(double));
        assert_true(agglo__index_select_kth(w, n, k) == s[k - 1]);
        memcpy(w, v, n * sizeof(double));
        assert_true(agglo__index_select_kth_bucketed(w, n, k, 0.0, 49.0) == s[k - 1]);
    }
    free(v);
    free(w);
    free(s);
}

/* The earth models: the named entry point gives each formula; the ellipsoid and the 6371 km sphere
 * agree to 0.6 % (the WGS84 radii of curvature span 6335-6400 km), the two spheres to their radii; a quarter meridian on the 6371 km sphere is
 * pi/2 * 6371 km, and spdep's ellipsoid gives the WGS84 quarter meridian 10001.97 km (to the
 * Andoyer-Lambert approximation's 0.1 km). */
static void test_earth_models(void **state)
{
    (void)state;
    double pts[4][4] = {{-84.4, 33.7, -81.1, 32.1}, {0, 0, 0, 90}, {179.5, 10, -179.5, -10},
                        {12.5, 41.9, 12.5000001, 41.9}};
    for (int t = 0; t < 4; t++) {
        const double *p = pts[t];
        double h = agglo_earth_haversine_km(p[0], p[1], p[2], p[3]);
        double e = agglo_earth_spdep_km(p[0], p[1], p[2], p[3]);
        double c = agglo_earth_chord_km(p[0], p[1], p[2], p[3]);
        assert_true(agglo_earth_distance(AGGLO_EARTH_HAVERSINE, p[0], p[1], p[2], p[3]) == h);
        assert_true(agglo_earth_distance(AGGLO_EARTH_SPDEP_ELLIPSOID, p[0], p[1], p[2], p[3]) == e);
        assert_true(agglo_earth_distance(AGGLO_EARTH_CHORD, p[0], p[1], p[2], p[3]) == c);
        assert_true(fabs(e - h) <= 0.006 * h + 1e-9);
        assert_true(fabs(c * 6371.0 / 6371.0088 - h) <= 1e-6 * h + 1e-9);
    }
    assert_true(fabs(agglo_earth_haversine_km(0, 0, 0, 90) - M_PI / 2 * 6371.0) < 1e-9);
    assert_true(fabs(agglo_earth_spdep_km(0, 0, 0, 90) - 10001.966) < 0.1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_clustered_with_duplicates),
        cmocka_unit_test(test_strip_and_lattice),
        cmocka_unit_test(test_grid_nearest),
        cmocka_unit_test(test_select_kth),
        cmocka_unit_test(test_earth_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
