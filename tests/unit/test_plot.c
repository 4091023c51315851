/* Plots: every figure type is rendered, read back (PNG with cairo; SVG/PDF by their headers)
 * and checked for its size, a non-empty drawing and its text (Pango's count of characters
 * without a glyph, reported as a warning, must be 0 for Chinese titles and labels with the
 * fonts the set-up script installs). Bad input is refused and leaves no file behind. */
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
    if (getenv("AGGLO_KEEP_PLOTS"))
        return 0;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
    return system(cmd);
}

/* Warnings counted per test; glyph warnings counted separately. */
typedef struct warn_count {
    int all, glyph;
} warn_count;

static void on_warning(const char *msg, void *ud)
{
    warn_count *w = ud;
    w->all++;
    if (strstr(msg, "no glyph"))
        w->glyph++;
}

static agglo_ctx *new_ctx(warn_count *w)
{
    agglo_ctx *ctx = agglo_ctx_create();
    memset(w, 0, sizeof *w);
    agglo_ctx_set_warning_handler(ctx, on_warning, w);
    return ctx;
}

/* Reads the PNG back; fraction of pixels that are not white, -1 if unreadable. When rgb is
 * given, *count gets the number of pixels of exactly that colour (0xRRGGBB). */
static double png_ink_rgb(const char *path, int *w, int *h, uint32_t rgb, size_t *count)
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
    size_t ink = 0, c = 0;
    for (int y = 0; y < *h; y++)
        for (int x = 0; x < *w; x++) {
            uint32_t px = *(const uint32_t *)(d + (size_t)y * stride + 4 * (size_t)x) & 0xffffff;
            ink += px != 0xffffff;
            c += px == rgb;
        }
    cairo_surface_destroy(s);
    if (count)
        *count = c;
    return (double)ink / ((double)*w * *h);
}

/* Pixels that differ between two PNGs of the same size (-1 if not comparable). */
static long png_diff(const char *a, const char *b)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(a);
    cairo_surface_t *t = cairo_image_surface_create_from_png(b);
    long d = -1;
    if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS &&
        cairo_surface_status(t) == CAIRO_STATUS_SUCCESS &&
        cairo_image_surface_get_width(s) == cairo_image_surface_get_width(t) &&
        cairo_image_surface_get_height(s) == cairo_image_surface_get_height(t)) {
        int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
        int ss = cairo_image_surface_get_stride(s), ts = cairo_image_surface_get_stride(t);
        const unsigned char *p = cairo_image_surface_get_data(s), *q = cairo_image_surface_get_data(t);
        d = 0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                d += (*(const uint32_t *)(p + (size_t)y * ss + 4 * (size_t)x) & 0xffffff) !=
                     (*(const uint32_t *)(q + (size_t)y * ts + 4 * (size_t)x) & 0xffffff);
    }
    cairo_surface_destroy(s);
    cairo_surface_destroy(t);
    return d;
}

/* Pixels with red > 180 and green, blue < 70. */
static size_t png_red(const char *path)
{
    cairo_surface_t *s = cairo_image_surface_create_from_png(path);
    size_t c = 0;
    if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
        int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
        int st = cairo_image_surface_get_stride(s);
        const unsigned char *d = cairo_image_surface_get_data(s);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                uint32_t px = *(const uint32_t *)(d + (size_t)y * st + 4 * (size_t)x);
                c += ((px >> 16) & 255) > 180 && ((px >> 8) & 255) < 70 && (px & 255) < 70;
            }
    }
    cairo_surface_destroy(s);
    return c;
}

static double png_ink(const char *path, int *w, int *h)
{
    return png_ink_rgb(path, w, h, 0, NULL);
}

static char *spath(const char *name)
{
    static char buf[8][400];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", scratch, name);
    return buf[k];
}

/* PLOT_NODATA grey 0.72 -> 184 */
#define NODATA_GREY 0xb8b8b8u

static void test_style_and_formats(void **state)
{
    (void)state;
    agglo_plot_style st;
    agglo_plot_style_init(&st);
    assert_true(st.dpi == 150 && st.scale_bar == 1 && st.north_arrow == 1 && st.show_crs == 1);
    assert_int_equal(st.breaks_method, -1);
    assert_null(st.title);
    assert_int_equal(agglo_plot_format_of(NULL, "a/b.PDF"), AGGLO_PLOT_FORMAT_PDF);
    assert_int_equal(agglo_plot_format_of(NULL, "x.svg"), AGGLO_PLOT_FORMAT_SVG);
    assert_int_equal(agglo_plot_format_of(NULL, "x.png"), AGGLO_PLOT_FORMAT_PNG);
    assert_int_equal(agglo_plot_format_of(NULL, "noext"), AGGLO_PLOT_FORMAT_PNG);
    st.format = AGGLO_PLOT_FORMAT_SVG;
    assert_int_equal(agglo_plot_format_of(&st, "x.png"), AGGLO_PLOT_FORMAT_SVG);

    /* the same map as PNG at 150 and 300 dpi, in mm, as SVG and as PDF */
    warn_count wc;
    agglo_ctx *ctx = new_ctx(&wc);
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), NULL);
    assert_non_null(L);
    double *v = agglo_table_get_numeric(ctx, agglo_layer_table(L), "CRIME", "columbus");
    assert_non_null(v);
    int w1, h1, w2, h2;
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME",
                                           spath("d150.png"), NULL), AGGLO_OK);
    assert_true(png_ink(spath("d150.png"), &w1, &h1) > 0.1);
    assert_int_equal(w1, 1200); /* today's default width */
    agglo_plot_style_init(&st);
    st.dpi = 300;
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME",
                                           spath("d300.png"), &st), AGGLO_OK);
    assert_true(png_ink(spath("d300.png"), &w2, &h2) > 0.1);
    assert_int_equal(w2, 2 * w1);
    assert_true(abs(h2 - 2 * h1) <= 2);
    /* 180 mm wide at 300 dpi = 2126 px; 120 mm high = 1417 px */
    st.width = 180;
    st.height = 120;
    st.size_unit = AGGLO_PLOT_UNIT_MM;
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME",
                                           spath("mm.png"), &st), AGGLO_OK);
    assert_true(png_ink(spath("mm.png"), &w2, &h2) > 0.1);
    assert_true(abs(w2 - 2126) <= 1 && abs(h2 - 1417) <= 1);
    /* pixels at the default dpi */
    agglo_plot_style_init(&st);
    st.width = 800;
    st.height = 600;
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME",
                                           spath("px.png"), &st), AGGLO_OK);
    assert_true(png_ink(spath("px.png"), &w2, &h2) > 0.1);
    assert_true(w2 == 800 && h2 == 600);
    /* vector formats by extension */
    agglo_plot_style_init(&st);
    st.subtitle = "subtitle";
    st.caption = "Source: Anselin (1988)";
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME",
                                           spath("m.svg"), &st), AGGLO_OK);
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME",
                                           spath("m.pdf"), &st), AGGLO_OK);
    char *svg = test_read_file(spath("m.svg"));
    assert_non_null(svg);
    assert_non_null(strstr(svg, "<svg"));
    assert_true(strlen(svg) > 20000); /* 49 polygons, legend, text */
    free(svg);
    FILE *fp = fopen(spath("m.pdf"), "rb");
    assert_non_null(fp);
    char head[8] = {0};
    assert_int_equal(fread(head, 1, 5, fp), 5);
    fseek(fp, 0, SEEK_END);
    long pdf_size = ftell(fp);
    fclose(fp);
    assert_memory_equal(head, "%PDF-", 5);
    assert_true(pdf_size > 5000);
    assert_int_equal(wc.glyph, 0);
    free(v);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_map_values_and_categories(void **state)
{
    (void)state;
    warn_count wc;
    agglo_ctx *ctx = new_ctx(&wc);
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), NULL);
    assert_non_null(L);
    size_t n = agglo_layer_count(L);
    double *v = agglo_table_get_numeric(ctx, agglo_layer_table(L), "CRIME", "columbus");
    assert_non_null(v);
    /* without missing values, no "no data" grey anywhere */
    int w, h;
    size_t grey = 0;
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME",
                                           spath("full.png"), NULL), AGGLO_OK);
    assert_true(png_ink_rgb(spath("full.png"), &w, &h, NODATA_GREY, &grey) > 0.1);
    assert_true(grey < 100);
    v[3] = NAN; /* a no-data feature is drawn grey, not left out */
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "CRIME",
                                           spath("crime.png"), NULL), AGGLO_OK);
    double ink = png_ink_rgb(spath("crime.png"), &w, &h, NODATA_GREY, &grey);
    assert_true(ink > 0.10 && ink < 0.95);
    assert_true(w >= 800 && h >= 500);
    assert_true(grey > 400);

    for (size_t i = 0; i < n; i++)
        v[i] = isfinite(v[i]) ? v[i] - 35 : v[i];
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_DIVERGING, 6, "t",
                                           spath("div.png"), NULL), AGGLO_OK);
    assert_true(png_ink(spath("div.png"), &w, &h) > 0.10);
    /* natural breaks, equal interval, explicit breaks; unsorted breaks refused */
    agglo_plot_style st;
    agglo_plot_style_init(&st);
    for (int m = 0; m < 3; m++) {
        st.breaks_method = m;
        assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "m",
                                               spath("meth.png"), &st), AGGLO_OK);
    }
    double *b = NULL;
    size_t nb = 0;
    st.breaks_method = AGGLO_DISC_NATURAL;
    assert_int_equal(agglo_plot_value_breaks(ctx, v, n, AGGLO_PALETTE_SEQUENTIAL, 5, &st, &b,
                                             &nb), AGGLO_OK);
    assert_int_equal(nb, 6);
    for (size_t k = 1; k < nb; k++)
        assert_true(b[k] > b[k - 1]);
    free(b);
    double bad[3] = {0, 2, 1};
    st.breaks = bad;
    st.nbreaks = 3;
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "x",
                                           spath("badbreaks.png"), &st), AGGLO_E_USAGE);
    assert_int_not_equal(access(spath("badbreaks.png"), F_OK), 0);

    int *cat = malloc(n * sizeof(int));
    for (size_t i = 0; i < n; i++)
        cat[i] = (int)(i % 3) - 1;
    const char *labels[] = {"a", "b"};
    agglo_rgb cols[] = {{1, 0, 0}, {0, 0, 1}};
    assert_int_equal(agglo_plot_map_categories(ctx, L, cat, 2, labels, cols, "cats",
                                               spath("cat.png"), NULL), AGGLO_OK);
    assert_true(png_ink_rgb(spath("cat.png"), &w, &h, NODATA_GREY, &grey) > 0.05);
    assert_true(grey > 1000); /* a third of the features are no data */
    /* an out-of-range category is refused and leaves no file */
    cat[0] = 7;
    assert_int_equal(agglo_plot_map_categories(ctx, L, cat, 2, labels, cols, "cats",
                                               spath("bad.png"), NULL), AGGLO_E_USAGE);
    assert_int_not_equal(access(spath("bad.png"), F_OK), 0);
    /* an unwritable destination fails with an I/O error */
    assert_int_not_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "x",
                                               "/nonexistent_dir/x.png", NULL),
                         AGGLO_OK);
    assert_int_not_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "x",
                                               "/nonexistent_dir/x.svg", NULL),
                         AGGLO_OK);
    free(cat);
    free(v);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* Chinese title, subtitle, caption and township labels: every character has a glyph; a
 * character no installed font covers is reported (so the check can fail). */
static void test_chinese_text_and_labels(void **state)
{
    (void)state;
    warn_count wc;
    agglo_ctx *ctx = new_ctx(&wc);
    agglo_layer *L = agglo_layer_read(ctx, AGGLO_SAMPLE_DATA "/counties.shp", NULL);
    assert_non_null(L);
    double *v = agglo_table_get_numeric(ctx, agglo_layer_table(L), "pop", "counties");
    assert_non_null(v);
    agglo_plot_style st;
    agglo_plot_style_init(&st);
    st.title = "金华市乡镇人口";
    st.subtitle = "乡镇名称（中文）";
    st.caption = "资料来源：模拟数据";
    int w, h;
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, NULL,
                                           spath("zh_nolabel.png"), &st), AGGLO_OK);
    double ink0 = png_ink(spath("zh_nolabel.png"), &w, &h);
    st.label_field = "name";
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, NULL,
                                           spath("zh_label.png"), &st), AGGLO_OK);
    double ink1 = png_ink(spath("zh_label.png"), &w, &h);
    assert_int_equal(wc.glyph, 0);
    assert_true(ink0 > 0.3 && ink1 > 0.3);
    /* labels were written: over 100 of 189 names, each some 40 x 12 pixels */
    assert_true(png_diff(spath("zh_nolabel.png"), spath("zh_label.png")) > 20000);
    assert_true(w == 1200 && h > 700);
    /* an unknown field is a usage error naming it */
    st.label_field = "nosuchfield";
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, NULL,
                                           spath("zh_bad.png"), &st), AGGLO_E_USAGE);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "nosuchfield"));
    /* Egyptian hieroglyphs: no installed font has them -> counted, warned, still written */
    st.label_field = NULL;
    st.title = "\xF0\x93\x80\x80\xF0\x93\x80\x81";
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, NULL,
                                           spath("nofont.png"), &st), AGGLO_OK);
    assert_int_equal(wc.glyph, 1);
    free(v);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_points_map(void **state)
{
    (void)state;
    warn_count wc;
    agglo_ctx *ctx = new_ctx(&wc);
    agglo_layer *L = agglo_layer_read(ctx, TEST_DATA("baltim/baltim.shp"), NULL);
    assert_non_null(L);
    double *v = agglo_table_get_numeric(ctx, agglo_layer_table(L), "PRICE", "baltim");
    assert_non_null(v);
    assert_int_equal(agglo_plot_map_values(ctx, L, v, AGGLO_PALETTE_SEQUENTIAL, 5, "PRICE",
                                           spath("baltim.png"), NULL), AGGLO_OK);
    int w, h;
    assert_true(png_ink(spath("baltim.png"), &w, &h) > 0.01);
    free(v);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_coefficient_and_panel(void **state)
{
    (void)state;
    warn_count wc;
    agglo_ctx *ctx = new_ctx(&wc);
    agglo_layer *L = agglo_layer_read(ctx, AGGLO_SAMPLE_DATA "/counties_utm.gpkg", NULL);
    assert_non_null(L);
    size_t n = agglo_layer_count(L);
    double *b1 = malloc(n * sizeof *b1), *b2 = malloc(n * sizeof *b2), *b3 = malloc(n * sizeof *b3);
    unsigned char *s1 = malloc(n), *s2 = malloc(n);
    double x[200], y[200];
    assert_true(n <= 200);
    assert_int_equal(agglo_layer_coords(ctx, L, 1, x, y), AGGLO_OK);
    for (size_t i = 0; i < n; i++) {
        b1[i] = (x[i] - 560000) / 20000.0;
        b2[i] = (y[i] - 3240000) / 30000.0;
        b3[i] = sin(x[i] / 8000.0);
        s1[i] = fabs(b1[i]) > 0.8;
        s2[i] = fabs(b2[i]) > 0.5;
    }
    b1[5] = NAN;
    int w, h;
    size_t grey;
    assert_int_equal(agglo_plot_map_coefficient(ctx, L, b1, s1, 7, "beta1", spath("coef.png"),
                                                NULL), AGGLO_OK);
    assert_true(png_ink_rgb(spath("coef.png"), &w, &h, NODATA_GREY, &grey) > 0.1);
    assert_true(grey > 50); /* the NaN township */
    /* the significance map shares the coefficient map's breaks */
    double *br = NULL;
    size_t nbr = 0;
    assert_int_equal(agglo_plot_value_breaks(ctx, b1, n, AGGLO_PALETTE_DIVERGING, 7, NULL, &br,
                                             &nbr), AGGLO_OK);
    assert_true(nbr >= 3);
    agglo_plot_style st;
    agglo_plot_style_init(&st);
    st.breaks = br;
    st.nbreaks = nbr;
    double *b1s = malloc(n * sizeof *b1s);
    for (size_t i = 0; i < n; i++)
        b1s[i] = s1[i] ? b1[i] : NAN;
    double *br2 = NULL;
    size_t nbr2 = 0;
    assert_int_equal(agglo_plot_value_breaks(ctx, b1s, n, AGGLO_PALETTE_DIVERGING, 7, &st, &br2,
                                             &nbr2), AGGLO_OK);
    assert_int_equal(nbr2, nbr);
    for (size_t k = 0; k < nbr; k++)
        assert_true(br2[k] == br[k]);
    assert_int_equal(agglo_plot_map_coefficient(ctx, L, b1, s1, 7, "beta1 significance",
                                                spath("coef_sig.png"), &st), AGGLO_OK);
    free(br2);
    free(br);
    free(b1s);

    const double *vals[3] = {b1, b2, b3};
    const unsigned char *sig[3] = {s1, s2, NULL};
    const char *names[3] = {"Intercept", "internet", "roads"};
    assert_int_equal(agglo_plot_map_panel(ctx, L, vals, sig, names, 3, "GWR coefficients",
                                          spath("panel.png"), NULL), AGGLO_OK);
    assert_true(png_ink(spath("panel.png"), &w, &h) > 0.1);
    assert_true(w == 2100 && h > 500);
    assert_int_equal(agglo_plot_map_panel(ctx, L, vals, sig, names, 0, "x", spath("p0.png"),
                                          NULL), AGGLO_E_USAGE);
    assert_int_equal(wc.glyph, 0);
    free(b1);
    free(b2);
    free(b3);
    free(s1);
    free(s2);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_scatter_and_histogram(void **state)
{
    (void)state;
    warn_count wc;
    agglo_ctx *ctx = new_ctx(&wc);
    double z[50], lag[50];
    int cat[50];
    const char *labs[50];
    char names[50][16];
    for (int i = 0; i < 50; i++) {
        z[i] = (i - 25) / 10.0;
        lag[i] = 0.5 * z[i] + ((i * 7) % 5 - 2) * 0.1;
        cat[i] = fabs(z[i]) > 1.8 ? (z[i] > 0 ? 1 : 2) : 0;
        snprintf(names[i], sizeof names[i], "乡%d", i);
        labs[i] = names[i];
    }
    int w, h;
    assert_int_equal(agglo_plot_moran_scatter(ctx, z, lag, 50, 0.5, "z", "lag", "Moran",
                                              spath("scatter.png"), NULL, 0, NULL, NULL, NULL),
                     AGGLO_OK);
    assert_true(png_ink(spath("scatter.png"), &w, &h) > 0.01);
    const char *cl[3] = {"not significant", "High-High", "Low-Low"};
    agglo_rgb cc[3] = {{0.85, 0.85, 0.85}, {1, 0, 0}, {0, 0, 1}};
    agglo_plot_style st;
    agglo_plot_style_init(&st);
    st.labels = labs;
    assert_int_equal(agglo_plot_moran_scatter(ctx, z, lag, 50, 0.5, "z", "lag", "Moran",
                                              spath("scatter_lisa.png"), cat, 3, cl, cc, &st),
                     AGGLO_OK);
    size_t red = 0;
    assert_true(png_ink_rgb(spath("scatter_lisa.png"), &w, &h, 0xff0000, &red) > 0.01);
    assert_true(red > 50); /* High-High points and their legend swatch */
    cat[0] = 5;
    assert_int_equal(agglo_plot_moran_scatter(ctx, z, lag, 50, 0.5, "z", "lag", "M",
                                              spath("bad.png"), cat, 3, cl, cc, &st),
                     AGGLO_E_USAGE);
    for (int i = 0; i < 50; i++)
        z[i] = NAN;
    assert_int_equal(agglo_plot_moran_scatter(ctx, z, lag, 50, 0.5, "z", "lag", "M",
                                              spath("nan.png"), NULL, 0, NULL, NULL, NULL),
                     AGGLO_E_EMPTY);

    double sims[999];
    agglo_rng rng;
    agglo_rng_init(&rng, 42, 0);
    for (int i = 0; i < 999; i++)
        sims[i] = -1.0 / 48 + 0.08 * agglo_rng_normal(&rng);
    assert_int_equal(agglo_plot_permutation_histogram(ctx, sims, 999, 0.35, -1.0 / 48, 0.001,
                                                      "I", "Moran's I", spath("hist.png"), NULL),
                     AGGLO_OK);
    assert_true(png_ink(spath("hist.png"), &w, &h) > 0.02);
    assert_true(w == 1000 && h > 600);
    assert_true(png_red(spath("hist.png")) > 500); /* the observed line and its value */
    assert_int_equal(agglo_plot_permutation_histogram(ctx, sims, 1, 0.35, 0, 0.5, "I", "x",
                                                      spath("h1.png"), NULL), AGGLO_E_EMPTY);
    assert_int_equal(wc.glyph, 0);
    agglo_ctx_free(ctx);
}

static void test_raster_curve_matrix(void **state)
{
    (void)state;
    warn_count wc;
    agglo_ctx *ctx = new_ctx(&wc);
    agglo_layer *L = agglo_layer_read(ctx, AGGLO_SAMPLE_DATA "/counties_utm.gpkg", NULL);
    assert_non_null(L);
    double e[4];
    assert_int_equal(agglo_layer_extent(L, e), AGGLO_OK);
    size_t nc = 120, nr = 100;
    double cell = (e[2] - e[0]) / nc;
    double *g = malloc(nc * nr * sizeof *g);
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++) {
            double dx = (double)c - 40, dy = (double)r - 50;
            g[r * nc + c] = 100 * exp(-(dx * dx + dy * dy) / 200) + 20 * exp(-((c - 90.0) * (c - 90.0) + (r - 30.0) * (r - 30.0)) / 50);
        }
    g[0] = -9999;
    agglo_plot_style st;
    agglo_plot_style_init(&st);
    st.overlay = L;
    st.value_label = "shops per km²";
    assert_int_equal(agglo_plot_raster(ctx, g, nc, nr, e[0], e[3], cell, -9999, NULL, "density",
                                       "KDE", spath("kde.png"), &st), AGGLO_OK);
    int w, h;
    size_t dark = 0;
    /* the densest class is YlOrRd's darkest (128, 0, 38) */
    double ink = png_ink_rgb(spath("kde.png"), &w, &h, 0x800026, &dark);
    assert_true(ink > 0.2);
    assert_true(w == 1200 && h > 400);
    assert_true(dark > 100);
    for (int m = 0; m < 3; m++) {
        st.breaks_method = m;
        assert_int_equal(agglo_plot_raster(ctx, g, nc, nr, e[0], e[3], cell, -9999, L, "d", "KDE",
                                           spath("kde_m.png"), &st), AGGLO_OK);
    }
    assert_int_equal(agglo_plot_raster(ctx, g, 0, nr, e[0], e[3], cell, -9999, NULL, "d", "KDE",
                                       spath("kde0.png"), NULL), AGGLO_E_USAGE);
    free(g);

    double rr[30], l[30], lo[30], hi[30];
    for (int i = 0; i < 30; i++) {
        rr[i] = i * 100.0;
        l[i] = rr[i] + 40 * sin(i / 5.0);
        lo[i] = rr[i] - 20;
        hi[i] = rr[i] + 20;
    }
    agglo_plot_style_init(&st);
    st.crs = "EPSG:32650";
    assert_int_equal(agglo_plot_lcurve(ctx, rr, l, lo, hi, 30, "distance r", "Ripley's L",
                                       spath("L.png"), &st), AGGLO_OK);
    assert_true(png_ink(spath("L.png"), &w, &h) > 0.02);
    assert_true(w == 900 && h > 600);
    assert_int_equal(agglo_plot_lcurve(ctx, rr, l, lo, hi, 1, "r", "x", spath("L1.png"), NULL),
                     AGGLO_E_USAGE);

    double q[9] = {0.2, 0.5, 0.6, 0.5, 0.3, 0.7, 0.6, 0.7, NAN};
    const char *mn[3] = {"人口", "道路", "internet"};
    assert_int_equal(agglo_plot_matrix(ctx, q, 3, mn, "交互探测", spath("q.png"), NULL),
                     AGGLO_OK);
    assert_true(png_ink(spath("q.png"), &w, &h) > 0.05);
    assert_int_equal(wc.glyph, 0);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_ellipses(void **state)
{
    (void)state;
    warn_count wc;
    agglo_ctx *ctx = new_ctx(&wc);
    agglo_layer *L = agglo_layer_read(ctx, AGGLO_SAMPLE_DATA "/counties_utm.gpkg", NULL);
    assert_non_null(L);
    double ex[4];
    assert_int_equal(agglo_layer_extent(L, ex), AGGLO_OK);
    double cx = 0.5 * (ex[0] + ex[2]), cy = 0.5 * (ex[1] + ex[3]);
    agglo_plot_ellipse e[3] = {
        {"2015", cx - 12000, cy + 6000, 40000, 22000, 60},
        {"2018", cx - 4000, cy + 2000, 42000, 25000, 70},
        {"2021", cx + 9000, cy - 5000, 45000, 28000, 80}};
    agglo_plot_style st;
    agglo_plot_style_init(&st);
    st.label_field = "name";
    assert_int_equal(agglo_plot_ellipses(ctx, L, e, 3, "重心迁移", spath("sde.png"), &st),
                     AGGLO_OK);
    int w, h;
    size_t teal = 0;
    /* the first period's outline colour (Dark2 #1b9e77) */
    assert_true(png_ink_rgb(spath("sde.png"), &w, &h, 0x1b9e77, &teal) > 0.1);
    assert_true(teal > 200);
    assert_true(w == 1200 && h > 500);
    e[1].major = NAN;
    assert_int_equal(agglo_plot_ellipses(ctx, L, e, 3, "x", spath("sde_bad.png"), NULL),
                     AGGLO_E_USAGE);
    assert_int_not_equal(access(spath("sde_bad.png"), F_OK), 0);
    assert_int_equal(wc.glyph, 0);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_style_and_formats),
        cmocka_unit_test(test_map_values_and_categories),
        cmocka_unit_test(test_chinese_text_and_labels),
        cmocka_unit_test(test_points_map),
        cmocka_unit_test(test_coefficient_and_panel),
        cmocka_unit_test(test_scatter_and_histogram),
        cmocka_unit_test(test_raster_curve_matrix),
        cmocka_unit_test(test_ellipses),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
