/* Spatial join: counts per region against R sf::st_join (scripts/reference/join_counts.R),
 * and the boundary rule on a hand-made case. */
#include "test_util.h"
#include "agglo/agglo.h"

#include <geos_c.h>

static void test_nc_counts_match_sf(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *nc = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), NULL);
    assert_non_null(nc);
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.assign_crs = "EPSG:4267"; /* the points were drawn in nc's own NAD27 coordinates */
    agglo_layer *pts = agglo_layer_read(ctx, TEST_DATA("join/nc_points.csv"), &o);
    assert_non_null(pts);
    const char *sums[] = {"value", NULL};
    agglo_join_options jo = {"n", sums, sums, 0};
    agglo_join_stats st;
    assert_int_equal(agglo_join_layers(ctx, nc, pts, &jo, &st), AGGLO_OK);
    assert_int_equal(st.points, 5000);
    assert_int_equal(st.reprojected, 0);

    const agglo_table *t = agglo_layer_table(nc);
    const double *cnt = agglo_table_numeric(t, (size_t)agglo_table_find(t, "n"));
    const double *sum = agglo_table_numeric(t, (size_t)agglo_table_find(t, "sum_value"));
    const double *mean = agglo_table_numeric(t, (size_t)agglo_table_find(t, "mean_value"));
    const char *const *fips = agglo_table_strings(t, (size_t)agglo_table_find(t, "FIPS"));

    /* Reference: sf 1.0 st_join(st_within) in R 4.2 */
    FILE *f = fopen(TEST_DATA("reference/join/nc_counts.csv"), "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    size_t rows = 0, total = 0;
    while (fgets(line, sizeof line, f)) {
        char code[16], meanbuf[64];
        int c;
        double s;
        assert_int_equal(sscanf(line, "%15[^,],%d,%lf,%63s", code, &c, &s, meanbuf), 4);
        assert_string_equal(code, fips[rows]);
        assert_int_equal((int)cnt[rows], c);
        assert_close(sum[rows], s, 1e-9);
        if (strcmp(meanbuf, "NA") == 0)
            assert_true(isnan(mean[rows]));
        else
            assert_close(mean[rows], atof(meanbuf), 1e-9);
        total += (size_t)c;
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 100);
    assert_int_equal(st.outside, 5000 - total);
    agglo_layer_free(pts);
    agglo_layer_free(nc);
    agglo_ctx_free(ctx);
}

static GEOSGeometry *wkt(agglo_ctx *ctx, const char *s)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    GEOSWKTReader *r = GEOSWKTReader_create_r(gh);
    GEOSGeometry *g = GEOSWKTReader_read_r(gh, r, s);
    GEOSWKTReader_destroy_r(gh, r);
    return g;
}

static void test_boundary_point_counted_once(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    GEOSGeometry *polys[2] = {wkt(ctx, "POLYGON((0 0,1 0,1 1,0 1,0 0))"),
                              wkt(ctx, "POLYGON((1 0,2 0,2 1,1 1,1 0))")};
    agglo_layer *P = agglo_layer_create(ctx, 2, polys, NULL, "EPSG:32650");
    /* inside first, inside second, on the shared edge, on the shared vertex, outside */
    GEOSGeometry *pts[5] = {wkt(ctx, "POINT(0.5 0.5)"), wkt(ctx, "POINT(1.5 0.5)"),
                            wkt(ctx, "POINT(1 0.5)"), wkt(ctx, "POINT(1 1)"),
                            wkt(ctx, "POINT(3 3)")};
    agglo_layer *Q = agglo_layer_create(ctx, 5, pts, NULL, "EPSG:32650");
    assert_non_null(P);
    assert_non_null(Q);
    long region[5];
    assert_int_equal(agglo_join_assign(ctx, P, Q, region), AGGLO_OK);
    assert_int_equal(region[0], 0);
    assert_int_equal(region[1], 1);
    assert_int_equal(region[2], 0); /* lowest index among the regions that cover it */
    assert_int_equal(region[3], 0);
    assert_int_equal(region[4], -1);
    agglo_join_stats st;
    assert_int_equal(agglo_join_layers(ctx, P, Q, NULL, &st), AGGLO_OK);
    assert_int_equal(st.outside, 1);
    const agglo_table *t = agglo_layer_table(P);
    const double *cnt = agglo_table_numeric(t, (size_t)agglo_table_find(t, "count"));
    assert_int_equal((int)cnt[0], 3);
    assert_int_equal((int)cnt[1], 1);
    agglo_layer_free(Q);
    agglo_layer_free(P);
    agglo_ctx_free(ctx);
}

static void test_refuses_missing_crs_and_wrong_kinds(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    GEOSGeometry *polys[1] = {wkt(ctx, "POLYGON((0 0,1 0,1 1,0 1,0 0))")};
    GEOSGeometry *pts[1] = {wkt(ctx, "POINT(0.5 0.5)")};
    agglo_layer *P = agglo_layer_create(ctx, 1, polys, NULL, NULL);
    agglo_layer *Q = agglo_layer_create(ctx, 1, pts, NULL, NULL);
    assert_int_equal(agglo_join_layers(ctx, P, Q, NULL, NULL), AGGLO_E_CRS);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "--assume-same-crs"));
    agglo_join_options jo = {NULL, NULL, NULL, 1};
    assert_int_equal(agglo_join_layers(ctx, P, Q, &jo, NULL), AGGLO_OK);
    long region[1];
    assert_int_equal(agglo_join_assign(ctx, Q, P, region), AGGLO_E_GEOMETRY);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "not a polygon layer"));
    agglo_layer_free(Q);
    agglo_layer_free(P);
    agglo_ctx_free(ctx);
}

static void test_sum_of_missing_field_lists_fields(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *nc = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), NULL);
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.assign_crs = "EPSG:4267";
    agglo_layer *pts = agglo_layer_read(ctx, TEST_DATA("join/nc_points.csv"), &o);
    const char *sums[] = {"sales", NULL};
    agglo_join_options jo = {NULL, sums, NULL, 0};
    assert_int_equal(agglo_join_layers(ctx, nc, pts, &jo, NULL), AGGLO_E_FIELD);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "no field 'sales'"));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "value"));
    agglo_layer_free(pts);
    agglo_layer_free(nc);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nc_counts_match_sf),
        cmocka_unit_test(test_boundary_point_counted_once),
        cmocka_unit_test(test_refuses_missing_crs_and_wrong_kinds),
        cmocka_unit_test(test_sum_of_missing_field_lists_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
