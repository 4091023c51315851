/* Plots: each function writes a valid PNG (checked by reading it back with cairo and looking
 * at pixels), refuses bad input, and never leaves a file behind on failure. */
#include "test_util.h"
#include "agglo/agglo.h"

#include <cairo.h>
#include <unistd.h>

static char scratch[256];

static int setup(void **state)
{
    (void)state;
    snprintf(scratch, sizeof scratch, "/tmp/agglo_test_plot_%ld", (long)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", scratch);
    return system(cmd);
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    return system(cmd);
}

/* Reads the PNG back; returns the fraction of pixels that are not white, -1 if unreadable. */
static double png_ink(const char *path, int *w, int *h)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return -1;
    }
    *w = cairo_image_surface_get_width(s);
    *h = cairo_image_surface_get_height(s);
    int stride = cairo_image_surface_get_stride(s);
    const unsigned char *d = cairo_image_surface_get_data(s);
    size_t ink = 0;
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++) {
            uint32_t px = *(const uint32_t *)(d + (size_t)y * stride + 4 * (size_t)x);
            ink += (px & 0xffffff) != 0xffffff;
        }
    cairo_surface_destroy(s);
    return (double)ink / ((double)*w * *h);
}

static void test_map_values_and_categories(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), NULL);
    assert_non_null(L);
    size_t n = agglo_layer_count(L);
    double *v = agglo_table_get_numeric(ctx, agglo_layer_table(L), "CRIME", "columbus");
    assert_non_null(v);
    v[3] = NAN; /* a no-data feature */
    char path[400];
    snprintf(path, sizeof path, "%s/crime.png", scratch);
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME", path),
                     AGGLO_OK);
    int w, h;
    double ink = png_ink(path, &w, &h);
    assert_true(ink > 0.10 && ink < 0.95);
    assert_true(w >= 800 && h >= 500);

    for (size_t i = 0; i < n; i++)
        v[i] = isfinite(v[i]) ? v[i] - 35 : v[i];
    snprintf(path, sizeof path, "%s/div.png", scratch);
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_DIVERGING, 6, "t", path),
                     AGGLO_OK);
    assert_true(png_ink(path, &w, &h) > 0.10);

    int *cat = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++)
        cat[i] = (int)(i % 3) - 1;
    const char *labels[] = {"a", "b"};
    agglo_rgb cols[] = {{1, 0, 0}, {0, 0, 1}};
    snprintf(path, sizeof path, "%s/cat.png", scratch);
    assert_int_equal(agglo_plot_map_categories(ctx, L, cat, 2, labels, cols, "cats", path),
                     AGGLO_OK);
    assert_true(png_ink(path, &w, &h) > 0.05);
    /* an out-of-range category is refused and leaves no file */
    cat[0] = 7;
    snprintf(path, sizeof path, "%s/bad.png", scratch);
    assert_int_equal(agglo_plot_map_categories(ctx, L, cat, 2, labels, cols, "cats", path),
                     AGGLO_E_USAGE);
    assert_int_not_equal(access(path, F_OK), 0);
    /* an unwritable destination fails with an I/O error */
    assert_int_not_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "x",
                                               "/nonexistent_dir/x.png"),
                         AGGLO_OK);
    free(cat);
    free(v);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_points_map(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("baltim/baltim.shp"), NULL);
    assert_non_null(L);
    double *v = agglo_table_get_numeric(ctx, agglo_layer_table(L), "PRICE", "baltim");
    assert_non_null(v);
    char path[400];
    snprintf(path, sizeof path, "%s/baltim.png", scratch);
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "PRICE", path),
                     AGGLO_OK);
    int w, h;
    double ink = png_ink(path, &w, &h);
    assert_true(ink > 0.01);
    free(v);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_scatter(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double z[50], lag[50];
    for (int i = 0; i < 50; i++) {
        z[i] = (i - 25) / 10.0;
        lag[i] = 0.5 * z[i] + ((i * 7) % 5 - 2) * 0.1;
    }
    char path[400];
    snprintf(path, sizeof path, "%s/scatter.png", scratch);
    assert_int_equal(agglo_plot_moran_scatter(ctx, z, lag, 50, 0.5, "z", "lag", "Moran", path),
                     AGGLO_OK);
    int w, h;
    assert_true(png_ink(path, &w, &h) > 0.01);
    for (int i = 0; i < 50; i++)
        z[i] = NAN;
    assert_int_equal(agglo_plot_moran_scatter(ctx, z, lag, 50, 0.5, "z", "lag", "M", path),
                     AGGLO_E_EMPTY);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_values_and_categories),
        cmocka_unit_test(test_points_map),
        cmocka_unit_test(test_scatter),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
