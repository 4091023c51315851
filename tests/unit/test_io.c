/* Ingestion and output: formats, CRS, field errors, atomic writes, reprojection. */
#include "test_util.h"
#include "agglo/agglo.h"

#include <dirent.h>
#include <geos_c.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char scratch[256];

static int setup(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/agglo_test_io_XXXXXX");
    return mkdtemp(scratch) ? 0 : -1;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0);
    if (d)
        closedir(d);
    return n;
}

static void test_read_shapefile(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), NULL);
    assert_non_null(L);
    assert_int_equal(agglo_layer_count(L), 49);
    assert_int_equal(agglo_layer_kind(L), AGGLO_GEOM_POLYGON);
    assert_null(agglo_layer_crs_wkt(L)); /* columbus ships without .prj */
    double *crime = agglo_table_get_complete(ctx, agglo_layer_table(L), "CRIME", "columbus.shp");
    assert_non_null(crime);
    /* spData columbus: CRIME of the first tract */
    assert_close(crime[0], 15.72598, 1e-6);
    free(crime);
    agglo_layer_free(L);

    L = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), NULL);
    assert_non_null(L);
    assert_int_equal(agglo_layer_epsg(L), 4267);
    assert_true(agglo_layer_is_geographic(L));
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_missing_field_lists_available(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), NULL);
    double *x = agglo_table_get_numeric(ctx, agglo_layer_table(L), "CRIMES", "columbus.shp");
    assert_null(x);
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_FIELD);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "columbus.shp: no field 'CRIMES'"));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "HOVAL"));
    /* case-insensitive match for DBF upper-case names */
    x = agglo_table_get_numeric(ctx, agglo_layer_table(L), "crime", "columbus.shp");
    assert_non_null(x);
    free(x);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_missing_file_and_sidecars(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    assert_null(agglo_layer_read(ctx, "/nonexistent/x.shp", NULL));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_IO);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "/nonexistent/x.shp: no such file"));

    char path[512];
    snprintf(path, sizeof path, "%s/lonely.shp", scratch);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp %s %s", TEST_DATA("columbus/columbus.shp"), path);
    assert_int_equal(system(cmd), 0);
    assert_null(agglo_layer_read(ctx, path, NULL));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "missing .shx"));
    snprintf(cmd, sizeof cmd, "cp %s %s/lonely.shx", TEST_DATA("columbus/columbus.shx"), scratch);
    assert_int_equal(system(cmd), 0);
    assert_null(agglo_layer_read(ctx, path, NULL));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "missing .dbf"));
    /* a .dbf with another record count (nc's 100 records vs columbus's 49 shapes) */
    snprintf(cmd, sizeof cmd, "cp %s %s/lonely.dbf", TEST_DATA("nc/nc.dbf"), scratch);
    assert_int_equal(system(cmd), 0);
    assert_null(agglo_layer_read(ctx, path, NULL));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "record counts differ"));
    agglo_ctx_free(ctx);
}

static void test_write_roundtrip_formats(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), NULL);
    assert_non_null(L);
    const char *exts[] = {"gpkg", "shp", "geojson", "csv"};
    for (size_t k = 0; k < 4; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/out.%s", scratch, exts[k]);
        assert_int_equal(agglo_layer_write(ctx, L, path, NULL), AGGLO_OK);
        agglo_layer *R = agglo_layer_read(ctx, path, NULL);
        assert_non_null(R);
        assert_int_equal(agglo_layer_count(R), 100);
        double *a = agglo_table_get_numeric(ctx, agglo_layer_table(L), "BIR74", "a");
        double *b = agglo_table_get_numeric(ctx, agglo_layer_table(R), "BIR74", "b");
        assert_non_null(b);
        for (size_t i = 0; i < 100; i++)
            assert_close(b[i], a[i], 1e-12);
        free(a);
        free(b);
        if (k != 3) /* CSV keeps WKT geometry; the others keep the CRS */
            assert_int_equal(agglo_layer_epsg(R), 4267);
        agglo_layer_free(R);
    }
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_unwritable_directory_leaves_nothing(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), NULL);
    assert_int_equal(agglo_layer_write(ctx, L, "/nonexistent-dir/out.gpkg", NULL), AGGLO_E_IO);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "/nonexistent-dir/out.gpkg"));
    /* an unknown extension is refused before anything is written */
    char path[512];
    snprintf(path, sizeof path, "%s/sub", scratch);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/sub/out.xyz", scratch);
    assert_int_equal(agglo_layer_write(ctx, L, path, NULL), AGGLO_E_USAGE);
    snprintf(path, sizeof path, "%s/sub", scratch);
    assert_int_equal(count_entries(path), 0);
    /* atomic text output: abort leaves no file */
    snprintf(path, sizeof path, "%s/sub/t.txt", scratch);
    agglo_output *o = agglo_output_open(ctx, path);
    assert_non_null(o);
    fputs("half", agglo_output_stream(o));
    agglo_output_abort(o);
    snprintf(path, sizeof path, "%s/sub", scratch);
    assert_int_equal(count_entries(path), 0);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_reproject_and_csv_points(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.to_crs = "EPSG:32617";
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), &o);
    assert_non_null(L);
    assert_int_equal(agglo_layer_epsg(L), 32617);
    assert_false(agglo_layer_is_geographic(L));
    double ext[4];
    assert_int_equal(agglo_layer_extent(L, ext), AGGLO_OK);
    /* UTM 17N eastings of North Carolina are a few hundred km to ~1,200 km */
    assert_true(ext[0] > 100000 && ext[2] < 1500000 && ext[1] > 3.7e6 && ext[3] < 4.1e6);
    agglo_layer_free(L);

    agglo_layer *P = agglo_layer_read(ctx, TEST_DATA("join/nc_points.csv"), NULL);
    assert_non_null(P);
    assert_int_equal(agglo_layer_kind(P), AGGLO_GEOM_POINT);
    assert_int_equal(agglo_layer_epsg(P), 4326); /* lon/lat CSV without CRS */
    double x[5000], y[5000];
    assert_int_equal(agglo_layer_coords(ctx, P, 0, x, y), AGGLO_OK);
    assert_close(x[0], -78.6213204245, 1e-12);
    assert_close(y[0], 34.5018433525, 1e-12);
    /* NULL attribute values are tracked, not zero */
    const agglo_table *t = agglo_layer_table(P);
    assert_int_equal(agglo_table_null_count(t, (size_t)agglo_table_find(t, "value")), 50);
    assert_null(agglo_table_get_complete(ctx, t, "value", "nc_points.csv"));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_MISSING);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "50 NULL/NaN values"));
    agglo_layer_free(P);
    agglo_ctx_free(ctx);
}

static void test_ids_unique(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), NULL);
    char **ids = agglo_layer_ids(ctx, L, "FIPS");
    assert_non_null(ids);
    assert_string_equal(ids[0], "37009");
    agglo_strings_free(ids, 100);
    assert_null(agglo_layer_ids(ctx, L, "SID74")); /* repeats */
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "not unique"));
    ids = agglo_layer_ids(ctx, L, NULL);
    assert_string_equal(ids[99], "100");
    agglo_strings_free(ids, 100);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_rng_streams(void **state)
{
    (void)state;
    agglo_rng a, b;
    agglo_rng_init(&a, 1, 7);
    agglo_rng_init(&b, 1, 7);
    for (int i = 0; i < 100; i++)
        assert_true(agglo_rng_next(&a) == agglo_rng_next(&b));
    agglo_rng_init(&b, 1, 8);
    assert_true(agglo_rng_next(&a) != agglo_rng_next(&b));
    /* agglo_rng_below: chi-square on 10 cells, 100,000 draws, fixed seed (df 9: 99.9% = 27.9) */
    long cells[10] = {0};
    agglo_rng_init(&a, 42, 0);
    for (int i = 0; i < 100000; i++)
        cells[agglo_rng_below(&a, 10)]++;
    double chi = 0;
    for (int k = 0; k < 10; k++)
        chi += (cells[k] - 10000.0) * (cells[k] - 10000.0) / 10000.0;
    assert_true(chi < 27.9);
}

static void count_warning(const char *msg, void *userdata)
{
    (void)msg;
    ++*(int *)userdata;
}

static void test_gbk_names_decode_to_utf8(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    /* sample_shapes: the same counties written in UTF-8 and in GBK (with a .cpg saying GBK) */
    agglo_layer *u = agglo_layer_read(ctx, AGGLO_SAMPLE_DATA "/counties.shp", NULL);
    agglo_layer *g = agglo_layer_read(ctx, AGGLO_SAMPLE_DATA "/counties_gbk.shp", NULL);
    assert_non_null(u);
    assert_non_null(g);
    const agglo_table *tu = agglo_layer_table(u), *tg = agglo_layer_table(g);
    const char *const *nu = agglo_table_strings(tu, (size_t)agglo_table_find(tu, "name"));
    const char *const *ng = agglo_table_strings(tg, (size_t)agglo_table_find(tg, "name"));
    assert_int_equal(agglo_layer_count(u), agglo_layer_count(g));
    for (size_t i = 0; i < agglo_layer_count(u); i++)
        assert_string_equal(nu[i], ng[i]);
    agglo_layer_free(u);
    agglo_layer_free(g);

    /* GBK without .cpg: decoded as GB18030 with a warning */
    int warnings = 0;
    agglo_ctx_set_warning_handler(ctx, count_warning, &warnings);
    agglo_layer *b = agglo_layer_read(ctx, TEST_DATA("bad/gbk_no_cpg/squares.shp"), NULL);
    assert_non_null(b);
    assert_true(warnings >= 1);
    char *expected = test_read_file(TEST_DATA("bad/gbk_no_cpg/expected_names_utf8.txt"));
    assert_non_null(expected);
    const agglo_table *tb = agglo_layer_table(b);
    const char *const *nb = agglo_table_strings(tb, (size_t)agglo_table_find(tb, "name"));
    char *line = strtok(expected, "\n");
    for (size_t i = 0; i < 9 && line; i++, line = strtok(NULL, "\n"))
        assert_string_equal(nb[i], line);
    free(expected);
    agglo_layer_free(b);

    /* lon/lat coordinates without .prj: a warning, no CRS assumed */
    warnings = 0;
    agglo_layer *l = agglo_layer_read(ctx, TEST_DATA("bad/latlon_no_prj/squares.shp"), NULL);
    assert_non_null(l);
    assert_int_equal(warnings, 1);
    assert_null(agglo_layer_crs_wkt(l));
    agglo_layer_free(l);
    agglo_ctx_free(ctx);
}

static void test_bad_geometries(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    /* invalid polygons are read (with a warning) by default, refused with strict */
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("bad/bowtie/squares.shp"), NULL);
    assert_non_null(L);
    assert_int_equal(agglo_layer_invalid_geometries(L), 1);
    agglo_layer_free(L);
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.strict = 1;
    L = agglo_layer_read(ctx, TEST_DATA("bad/bowtie/squares.shp"), &o);
    assert_null(L);
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_GEOMETRY);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "first is feature 5: Self-intersection"));
    agglo_read_options_init(&o);
    o.make_valid = 1;
    L = agglo_layer_read(ctx, TEST_DATA("bad/bowtie/squares.shp"), &o);
    assert_non_null(L);
    agglo_layer_free(L);
    L = agglo_layer_read(ctx, TEST_DATA("bad/empty_geom/squares.shp"), NULL);
    assert_non_null(L);
    assert_int_equal(agglo_layer_null_geometries(L), 1);
    assert_null(agglo_layer_geometry(L, 4));
    agglo_layer_free(L);
    L = agglo_layer_read(ctx, TEST_DATA("bad/empty_layer/squares.gpkg"), NULL);
    assert_null(L);
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_EMPTY);
    L = agglo_layer_read(ctx, TEST_DATA("bad/multipart/squares.gpkg"), NULL);
    assert_non_null(L);
    assert_int_equal(agglo_layer_count(L), 7);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* Corruption is an error naming the file and the record, never a smaller layer. */
static void test_corrupt_inputs_fail(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    static const struct {
        const char *file;
        int code;
        const char *msg;
    } cases[] = {
        {"bad/truncated_shp/squares.shp", AGGLO_E_FORMAT,
         "truncated or corrupt at record 7 (offset 1052 beyond the file's 976 bytes)"},
        {"bad/swapped_shx/squares.shp", AGGLO_E_FORMAT, "corrupt at record 2"},
        {"bad/short_dbf/squares.shp", AGGLO_E_FORMAT, "truncated or corrupt .dbf at record 6"},
        {"bad/truncated_dbf/squares.shp", AGGLO_E_FORMAT, "truncated or corrupt .dbf at record 6"},
        {"bad/text_numeric/squares.shp", AGGLO_E_FORMAT, "record 4: numeric field 'value' holds 'abc'"},
        {"bad/text_numeric/squares.gpkg", AGGLO_E_FORMAT, "fid 4: numeric column 'count' holds text 'abc'"},
        {"bad/bad_field_length/squares.shp", AGGLO_E_FORMAT, "field lengths add up to 200"},
        {"bad/binary_cpg/squares.shp", AGGLO_E_FORMAT, "corrupt .cpg"},
        {"bad/damaged_gpkg/shops.gpkg", AGGLO_E_FORMAT, "malformed"},
        {"bad/broken_json/squares.geojson", AGGLO_E_FORMAT, "not a vector data source"},
        {"bad/count_mismatch/squares.shp", AGGLO_E_FORMAT, "record counts differ"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", AGGLO_TEST_DATA, cases[k].file);
        agglo_layer *L = agglo_layer_read(ctx, path, NULL);
        if (L)
            fail_msg("%s: read with %zu features", cases[k].file, agglo_layer_count(L));
        assert_int_equal(agglo_ctx_errcode(ctx), cases[k].code);
        if (!strstr(agglo_ctx_errmsg(ctx), cases[k].msg) || !strstr(agglo_ctx_errmsg(ctx), path))
            fail_msg("%s: message '%s' lacks '%s'", cases[k].file, agglo_ctx_errmsg(ctx), cases[k].msg);
    }
    /* the text check only looks at the fields asked for */
    agglo_read_options o;
    agglo_read_options_init(&o);
    const char *only_count[] = {"count", NULL};
    o.fields = only_count;
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("bad/text_numeric/squares.shp"), &o);
    assert_non_null(L);
    assert_int_equal(agglo_table_ncols(agglo_layer_table(L)), 1);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_fifo_refused(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/pipe.gpkg", scratch);
    assert_int_equal(mkfifo(path, 0600), 0);
    agglo_ctx *ctx = agglo_ctx_create();
    assert_null(agglo_layer_read(ctx, path, NULL)); /* would block forever if opened */
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_IO);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "not a regular file (a FIFO)"));
    unlink(path);
    agglo_ctx_free(ctx);
}

static int nwarn;
static char lastwarn[2048];
static void keep_warning(const char *msg, void *userdata)
{
    (void)userdata;
    nwarn++;
    snprintf(lastwarn, sizeof lastwarn, "%s", msg);
}

static void test_real_world_inputs(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_ctx_set_warning_handler(ctx, keep_warning, NULL);
    /* undefined GeoPackage SRS: no CRS, no warning (the coordinates are metres) */
    nwarn = 0;
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("bad/undefined_srs/squares.gpkg"), NULL);
    assert_non_null(L);
    assert_null(agglo_layer_crs_wkt(L));
    assert_false(agglo_layer_is_geographic(L));
    assert_int_equal(nwarn, 0);
    agglo_layer_free(L);
    /* geographic CRS over metres: dropped with a warning; an error with strict */
    nwarn = 0;
    L = agglo_layer_read(ctx, TEST_DATA("bad/geographic_planar/squares.shp"), NULL);
    assert_non_null(L);
    assert_null(agglo_layer_crs_wkt(L));
    assert_int_equal(nwarn, 1);
    assert_non_null(strstr(lastwarn, "treating them as planar"));
    agglo_layer_free(L);
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.strict = 1;
    assert_null(agglo_layer_read(ctx, TEST_DATA("bad/geographic_planar/squares.shp"), &o));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_CRS);
    /* --crs overrides the layer's own CRS, with a warning */
    agglo_read_options_init(&o);
    o.assign_crs = "EPSG:4326";
    nwarn = 0;
    L = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), &o);
    assert_non_null(L);
    assert_int_equal(agglo_layer_epsg(L), 4326);
    assert_int_equal(nwarn, 1);
    assert_non_null(strstr(lastwarn, "overrides the layer's own CRS (NAD27)"));
    agglo_layer_free(L);
    /* zipped Shapefile, directly and through /vsizip/ */
    L = agglo_layer_read(ctx, TEST_DATA("bad/zipped/squares.zip"), NULL);
    assert_non_null(L);
    assert_int_equal(agglo_layer_count(L), 9);
    assert_int_equal(agglo_layer_epsg(L), 32650);
    agglo_layer_free(L);
    L = agglo_layer_read(ctx, "/vsizip/" TEST_DATA("bad/zipped/squares.zip") "/squares.shp", NULL);
    assert_non_null(L);
    assert_int_equal(agglo_layer_count(L), 9);
    agglo_layer_free(L);
    /* self-intersecting census polygons: one warning, kept; skip_validity reads them silently */
    nwarn = 0;
    L = agglo_layer_read(ctx, TEST_DATA("bad/selfintersect/squares.shp"), NULL);
    assert_non_null(L);
    assert_int_equal(nwarn, 1);
    assert_int_equal(agglo_layer_invalid_geometries(L), 2);
    assert_non_null(strstr(lastwarn, "first is feature 2: Self-intersection"));
    agglo_layer_free(L);
    agglo_read_options_init(&o);
    o.skip_validity = 1;
    nwarn = 0;
    L = agglo_layer_read(ctx, TEST_DATA("bad/selfintersect/squares.shp"), &o);
    assert_non_null(L);
    assert_int_equal(nwarn, 0);
    agglo_layer_free(L);
    /* where + fields: 16 counties have BIR74 > 5000 (R sf, see tests/cli/io.sh) */
    agglo_read_options_init(&o);
    const char *want[] = {"BIR74", "name", NULL};
    o.where = "BIR74 > 5000";
    o.fields = want;
    L = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), &o);
    assert_non_null(L);
    assert_int_equal(agglo_layer_count(L), 16);
    assert_int_equal(agglo_table_ncols(agglo_layer_table(L)), 2);
    agglo_layer_free(L);
    const char *missing[] = {"pop", NULL};
    o.fields = missing;
    assert_null(agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), &o));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_FIELD);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "no field 'pop' (fields: AREA, PERIMETER"));
    agglo_ctx_free(ctx);
}

/* The columnar (Arrow) GeoPackage read gives the same layer as the feature-by-feature one. */
/* Tables without geometry (agglo_table_read): a CSV without coordinates, a .dbf alone, a
 * GeoPackage attribute table, and any layer with its geometry ignored. */
static void test_table_read(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    int nwarn = 0;
    agglo_ctx_set_warning_handler(ctx, count_warning, &nwarn);
    /* a long table: types detected, an empty cell is NULL, a .csvt wins over detection */
    char csv[300], csvt[300];
    snprintf(csv, sizeof csv, "%s/panel.csv", scratch);
    FILE *fp = fopen(csv, "w");
    assert_non_null(fp);
    fputs("region,year,gdp,code\nA,2001,1.5,0330\nA,2002,,0331\nB,2001,2.25,0332\n", fp);
    fclose(fp);
    agglo_table *t = agglo_table_read(ctx, csv, NULL);
    assert_non_null(t);
    assert_int_equal(agglo_table_nrows(t), 3);
    assert_int_equal(agglo_table_ncols(t), 4);
    long gdp = agglo_table_find(t, "gdp"), year = agglo_table_find(t, "year");
    long code = agglo_table_find(t, "code"), region = agglo_table_find(t, "region");
    assert_true(gdp >= 0 && year >= 0 && code >= 0 && region >= 0);
    assert_int_equal(agglo_table_col_type(t, (size_t)gdp), AGGLO_COL_REAL);
    assert_int_equal(agglo_table_col_type(t, (size_t)year), AGGLO_COL_INTEGER);
    assert_int_equal(agglo_table_col_type(t, (size_t)region), AGGLO_COL_STRING);
    assert_int_equal(agglo_table_nulls(t, (size_t)gdp)[1], 1);
    assert_close(agglo_table_numeric(t, (size_t)gdp)[2], 2.25, 0);
    agglo_table_free(t);
    snprintf(csvt, sizeof csvt, "%s/panel.csvt", scratch);
    fp = fopen(csvt, "w");
    assert_non_null(fp);
    fputs("String,Integer,Real,String\n", fp);
    fclose(fp);
    t = agglo_table_read(ctx, csv, NULL);
    assert_non_null(t);
    code = agglo_table_find(t, "code");
    assert_int_equal(agglo_table_col_type(t, (size_t)code), AGGLO_COL_STRING);
    assert_string_equal(agglo_table_strings(t, (size_t)code)[0], "0330");
    agglo_table_free(t);
    unlink(csvt);
    /* the same CSV as a layer: one line saying it has no geometry */
    assert_null(agglo_layer_read(ctx, csv, NULL));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_FIELD);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "a table without geometry"));
    unlink(csv);

    /* a GeoPackage attribute table and a lone .dbf (tests/data/bad/tables) */
    const char *sources[] = {TEST_DATA("bad/tables/squares.gpkg"), TEST_DATA("bad/tables/squares.dbf")};
    for (int k = 0; k < 2; k++) {
        t = agglo_table_read(ctx, sources[k], NULL);
        assert_non_null(t);
        assert_int_equal(agglo_table_nrows(t), 9);
        long v = agglo_table_find(t, "value"), c = agglo_table_find(t, "count");
        assert_true(v >= 0 && c >= 0);
        /* value = 10 + 2.5 k^2 / 9 rounded to 2 decimals, count = 3 k (make_bad_inputs.sh) */
        assert_close(agglo_table_numeric(t, (size_t)v)[0], 10.28, 1e-12);
        assert_close(agglo_table_numeric(t, (size_t)c)[8], 27, 0);
        assert_string_equal(agglo_table_strings(t, (size_t)agglo_table_find(t, "name"))[7], "佛堂镇");
        agglo_table_free(t);
        assert_null(agglo_layer_read(ctx, sources[k], NULL));
        assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_GEOMETRY);
        assert_non_null(strstr(agglo_ctx_errmsg(ctx), "has no geometry (a table)"));
    }
    /* a layer with geometry read as a table: its geometry is not read, so a layer without CRS
     * or with invalid polygons gives no warning; --where applies */
    nwarn = 0;
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.where = "CRIME > 40";
    t = agglo_table_read(ctx, TEST_DATA("columbus/columbus.shp"), &o);
    assert_non_null(t);
    /* R: sum(st_read(system.file("shapes/columbus.shp", package = "spData"))$CRIME > 40) */
    assert_int_equal(agglo_table_nrows(t), 19);
    agglo_table_free(t);
    t = agglo_table_read(ctx, TEST_DATA("bad/selfintersect/squares.shp"), NULL);
    assert_non_null(t);
    agglo_table_free(t);
    assert_int_equal(nwarn, 0);
    /* geometry options do not apply to a table */
    o.where = NULL;
    o.to_crs = "EPSG:4326";
    assert_null(agglo_table_read(ctx, TEST_DATA("bad/tables/squares.gpkg"), &o));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_USAGE);
    agglo_ctx_free(ctx);
}

/* CSV column types come from every row: GDAL's default looks at the first 1 MB (this file
 * has 1.4 MB) and truncates a later 2.5 to the integer 2. */
static void test_csv_types_from_every_row(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    char csv[300];
    snprintf(csv, sizeof csv, "%s/late_real.csv", scratch);
    FILE *fp = fopen(csv, "w");
    assert_non_null(fp);
    fputs("lon,lat,v\n", fp);
    for (int i = 0; i < 60000; i++)
        fprintf(fp, "%.6f,%.6f,%d\n", 120 + i * 1e-5, 30 + i * 1e-5, i % 7);
    fputs("121.5,31.5,2.5\n", fp);
    fclose(fp);
    agglo_layer *L = agglo_layer_read(ctx, csv, NULL);
    assert_non_null(L);
    const agglo_table *t = agglo_layer_table(L);
    long v = agglo_table_find(t, "v");
    assert_int_equal(agglo_table_col_type(t, (size_t)v), AGGLO_COL_REAL);
    assert_close(agglo_table_numeric(t, (size_t)v)[60000], 2.5, 0);
    agglo_layer_free(L);
    agglo_table *T = agglo_table_read(ctx, csv, NULL);
    assert_non_null(T);
    assert_close(agglo_table_numeric(T, (size_t)agglo_table_find(T, "v"))[60000], 2.5, 0);
    agglo_table_free(T);
    unlink(csv);
    agglo_ctx_free(ctx);
}

/* Directories: read when GDAL opens them as a vector dataset, one layer or --layer. */
static void test_directory_sources(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("bad/shp_dir/one"), NULL);
    assert_non_null(L);
    assert_int_equal(agglo_layer_count(L), 9);
    assert_int_equal(agglo_layer_epsg(L), 32650);
    agglo_layer_free(L);
    assert_null(agglo_layer_read(ctx, TEST_DATA("bad/shp_dir/two"), NULL));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "a directory of 2 layers"));
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.layer_name = "grid";
    L = agglo_layer_read(ctx, TEST_DATA("bad/shp_dir/two"), &o);
    assert_non_null(L);
    assert_string_equal(agglo_layer_name(L), "grid");
    agglo_layer_free(L);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/nodata", scratch);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_null(agglo_layer_read(ctx, dir, NULL));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "a directory GDAL does not read as a vector dataset"));
    rmdir(dir);
    agglo_ctx_free(ctx);
}

/* Strict mode: a warning is sticky and every output commit refuses, leaving nothing. */
static void test_strict_mode_refuses_outputs(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    int nwarn = 0;
    agglo_ctx_set_warning_handler(ctx, count_warning, &nwarn);
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), NULL);
    assert_non_null(L);
    agglo_ctx_set_strict(ctx, 1);
    assert_int_equal(agglo_ctx_check_strict(ctx), AGGLO_OK);
    char dir[300], path[320], gpkg[320];
    snprintf(dir, sizeof dir, "%s/strict", scratch);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof path, "%s/strict.csv", dir);
    snprintf(gpkg, sizeof gpkg, "%s/strict.gpkg", dir);
    /* before a warning, outputs are written */
    agglo_output *out = agglo_output_open(ctx, path);
    assert_non_null(out);
    fputs("a\n1\n", agglo_output_stream(out));
    assert_int_equal(agglo_output_commit(ctx, out), AGGLO_OK);
    assert_int_equal(unlink(path), 0);
    agglo_warn(ctx, "weights: %d island(s)", 2);
    agglo_warn(ctx, "a second one");
    assert_int_equal(nwarn, 2); /* the handler still sees them */
    assert_int_equal(agglo_ctx_warning_count(ctx), 2);
    assert_int_equal(agglo_ctx_check_strict(ctx), AGGLO_E_STRICT);
    assert_string_equal(agglo_ctx_errmsg(ctx), "weights: 2 island(s) (an error with --strict)");
    out = agglo_output_open(ctx, path);
    assert_non_null(out);
    fputs("a\n1\n", agglo_output_stream(out));
    assert_int_equal(agglo_output_commit(ctx, out), AGGLO_E_STRICT);
    assert_int_equal(agglo_layer_write(ctx, L, gpkg, NULL), AGGLO_E_STRICT);
    assert_int_equal(count_entries(dir), 0);
    rmdir(dir);
    /* the readers fail at their own warnings (nc has none; columbus has no .prj) */
    agglo_layer *C = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), NULL);
    assert_null(C);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "has no CRS"));
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* Declared variables: only the fields they read (plus --where's and a CSV's coordinates). */
static void test_read_declared_variables(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_read_options o;
    agglo_read_options_init(&o);
    assert_int_equal(agglo_read_options_add_variable(ctx, &o, "log(inc) + CRIME / 2"), AGGLO_OK);
    assert_int_equal(agglo_read_options_add_variable(ctx, &o, "POLYID"), AGGLO_OK);
    assert_int_equal(agglo_read_options_add_variable(ctx, &o, "POLYID"), AGGLO_OK);
    o.where = "\"HOVAL\" > 0 AND CRIME > 40 AND 'EW' <> 'x'";
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), &o);
    assert_non_null(L);
    const agglo_table *t = agglo_layer_table(L);
    /* INC, CRIME, POLYID and HOVAL (named by the filter; EW is inside a string) */
    assert_int_equal(agglo_table_ncols(t), 4);
    assert_true(agglo_table_find(t, "INC") >= 0 && agglo_table_find(t, "HOVAL") >= 0);
    assert_true(agglo_table_find(t, "EW") < 0 && agglo_table_find(t, "AREA") < 0);
    assert_int_equal(agglo_layer_count(L), 19); /* as without the field list (test_table_read) */
    double *v = agglo_table_get_numeric(ctx, t, "log(inc) + CRIME / 2", "columbus");
    assert_non_null(v);
    free(v);
    agglo_layer_free(L);
    /* a field the expression reads that the layer lacks: one line naming the file */
    assert_int_equal(agglo_read_options_add_variable(ctx, &o, "NOPE * 2"), AGGLO_OK);
    assert_null(agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), &o));
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "columbus.shp: no field 'NOPE' (fields: AREA"));
    agglo_read_options_clear(&o);
    /* a syntax error is the parser's message, prefixed with the file */
    assert_int_equal(agglo_read_options_add_variable(ctx, &o, "INC *"), AGGLO_OK);
    assert_null(agglo_table_read(ctx, TEST_DATA("columbus/columbus.shp"), &o));
    assert_string_equal(agglo_ctx_errmsg(ctx), TEST_DATA("columbus/columbus.shp") ": expression "
                                               "'INC *': unexpected end at character 6");
    agglo_read_options_clear(&o);
    /* a CSV keeps its coordinate columns, so its points are still made */
    char csv[300];
    snprintf(csv, sizeof csv, "%s/pts.csv", scratch);
    FILE *fp = fopen(csv, "w");
    assert_non_null(fp);
    fputs("name,lon,lat,v,w\na,120.1,30.2,1,5\nb,120.3,30.1,2,6\n", fp);
    fclose(fp);
    agglo_read_options_init(&o);
    assert_int_equal(agglo_read_options_add_variable(ctx, &o, "w"), AGGLO_OK);
    L = agglo_layer_read(ctx, csv, &o);
    assert_non_null(L);
    assert_int_equal(agglo_table_ncols(agglo_layer_table(L)), 3);
    assert_int_equal(agglo_layer_null_geometries(L), 0);
    double x[2], y[2];
    assert_int_equal(agglo_layer_coords(ctx, L, 0, x, y), AGGLO_OK);
    assert_close(x[1], 120.3, 0);
    assert_close(y[1], 30.1, 0);
    agglo_layer_free(L);
    agglo_read_options_clear(&o);
    unlink(csv);
    agglo_ctx_free(ctx);
}

static void assert_same_layer(agglo_ctx *ctx, const agglo_layer *a, const agglo_layer *b)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    assert_int_equal(agglo_layer_count(a), agglo_layer_count(b));
    assert_int_equal(agglo_layer_kind(a), agglo_layer_kind(b));
    assert_int_equal(agglo_layer_null_geometries(a), agglo_layer_null_geometries(b));
    const agglo_table *ta = agglo_layer_table(a), *tb = agglo_layer_table(b);
    assert_int_equal(agglo_table_ncols(ta), agglo_table_ncols(tb));
    for (size_t j = 0; j < agglo_table_ncols(ta); j++) {
        assert_string_equal(agglo_table_col_name(ta, j), agglo_table_col_name(tb, j));
        assert_int_equal(agglo_table_col_type(ta, j), agglo_table_col_type(tb, j));
        for (size_t i = 0; i < agglo_layer_count(a); i++) {
            char x[256], y[256];
            assert_int_equal(agglo_table_nulls(ta, j)[i], agglo_table_nulls(tb, j)[i]);
            agglo_table_cell_text(ta, i, j, x, sizeof x);
            agglo_table_cell_text(tb, i, j, y, sizeof y);
            assert_string_equal(x, y);
        }
    }
    for (size_t i = 0; i < agglo_layer_count(a); i++) {
        const GEOSGeometry *ga = (const GEOSGeometry *)agglo_layer_geometry(a, i),
                           *gb = (const GEOSGeometry *)agglo_layer_geometry(b, i);
        assert_int_equal(ga == NULL, gb == NULL);
        if (ga)
            assert_int_equal(GEOSEqualsExact_r(gh, ga, gb, 0.0), 1);
    }
}

static void test_gpkg_columnar_matches_features(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    char nc_gpkg[512], pts_gpkg[512];
    snprintf(nc_gpkg, sizeof nc_gpkg, "%s/nc_arrow.gpkg", scratch);
    snprintf(pts_gpkg, sizeof pts_gpkg, "%s/pts_arrow.gpkg", scratch);
    agglo_layer *nc = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), NULL);
    assert_non_null(nc);
    assert_int_equal(agglo_layer_write(ctx, nc, nc_gpkg, NULL), AGGLO_OK);
    agglo_layer_free(nc);
    agglo_layer *pts = agglo_layer_read(ctx, TEST_DATA("join/nc_points.csv"), NULL);
    assert_non_null(pts);
    assert_int_equal(agglo_layer_write(ctx, pts, pts_gpkg, NULL), AGGLO_OK);
    agglo_layer_free(pts);
    const char *files[] = {nc_gpkg, pts_gpkg, TEST_DATA("bad/null_values/squares.gpkg"),
                           TEST_DATA("bad/multipart/squares.gpkg"),
                           TEST_DATA("bad/undefined_srs/squares.gpkg")};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        unsetenv("AGGLO_NO_ARROW");
        agglo_layer *a = agglo_layer_read(ctx, files[k], NULL);
        setenv("AGGLO_NO_ARROW", "1", 1);
        agglo_layer *b = agglo_layer_read(ctx, files[k], NULL);
        unsetenv("AGGLO_NO_ARROW");
        assert_non_null(a);
        assert_non_null(b);
        assert_same_layer(ctx, a, b);
        agglo_layer_free(a);
        agglo_layer_free(b);
    }
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_shapefile),
        cmocka_unit_test(test_missing_field_lists_available),
        cmocka_unit_test(test_missing_file_and_sidecars),
        cmocka_unit_test(test_write_roundtrip_formats),
        cmocka_unit_test(test_unwritable_directory_leaves_nothing),
        cmocka_unit_test(test_reproject_and_csv_points),
        cmocka_unit_test(test_ids_unique),
        cmocka_unit_test(test_rng_streams),
        cmocka_unit_test(test_gbk_names_decode_to_utf8),
        cmocka_unit_test(test_bad_geometries),
        cmocka_unit_test(test_corrupt_inputs_fail),
        cmocka_unit_test(test_fifo_refused),
        cmocka_unit_test(test_real_world_inputs),
        cmocka_unit_test(test_gpkg_columnar_matches_features),
        cmocka_unit_test(test_table_read),
        cmocka_unit_test(test_csv_types_from_every_row),
        cmocka_unit_test(test_directory_sources),
        cmocka_unit_test(test_strict_mode_refuses_outputs),
        cmocka_unit_test(test_read_declared_variables),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
