/* Density image in classes of a yellow-orange-red ramp (higher = darker, warmer) with the
 * class legend, overlay outlines and map furniture (kde --png). */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "map_internal.h"
#include "agglo/discretize.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ColorBrewer YlOrRd (9 classes), light to dark. */
static const agglo_rgb YLORRD[9] = {
    {1.000, 1.000, 0.800}, {1.000, 0.929, 0.627}, {0.996, 0.851, 0.463},
    {0.996, 0.698, 0.298}, {0.992, 0.553, 0.235}, {0.988, 0.306, 0.165},
    {0.890, 0.102, 0.110}, {0.741, 0.000, 0.149}, {0.502, 0.000, 0.149}};

static agglo_rgb ramp(double t)
{
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    double u = t * 8;
    int k = (int)floor(u);
    if (k > 7)
        k = 7;
    double a = u - k;
    agglo_rgb c = {YLORRD[k].r + a * (YLORRD[k + 1].r - YLORRD[k].r),
                   YLORRD[k].g + a * (YLORRD[k + 1].g - YLORRD[k].g),
                   YLORRD[k].b + a * (YLORRD[k + 1].b - YLORRD[k].b)};
    return c;
}

int agglo_plot_raster(agglo_ctx *ctx, const double *values, size_t ncols, size_t nrows,
                      double xmin, double ymax, double cell, double nodata,
                      const agglo_layer *outline, const char *legend, const char *title,
                      const char *path, const agglo_plot_style *style)
{
    if (ncols == 0 || nrows == 0)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: empty raster", path);
    if (ncols > 32767 || nrows > 32767)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: raster too large to draw", path);
    if (!(cell > 0))
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: cell size must be positive", path);
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title);
    size_t nn = ncols * nrows;
    /* class breaks over the drawn cells */
    double *v = agglo_malloc(ctx, nn * sizeof *v);
    if (!v)
        return AGGLO_E_NOMEM;
    for (size_t t = 0; t < nn; t++)
        v[t] = (!isfinite(values[t]) || values[t] == nodata) ? NAN : values[t];
    int K = st.nclasses > 0 ? st.nclasses : 7;
    if (K > 9 && !(st.breaks && st.nbreaks >= 2))
        K = 9;
    double *b = NULL;
    size_t nb = 0;
    int rc = plot_breaks(ctx, v, nn, &st, AGGLO_DISC_NATURAL, K, &b, &nb);
    if (rc == AGGLO_E_EMPTY) {
        agglo_ctx_clear_error(ctx);
        b = agglo_malloc(ctx, 2 * sizeof *b);
        if (!b) {
            free(v);
            return AGGLO_E_NOMEM;
        }
        b[0] = 0;
        b[1] = 1;
        nb = 2;
        rc = AGGLO_OK;
    }
    if (rc) {
        free(v);
        return rc;
    }
    K = (int)nb - 1;
    agglo_rgb col[64];
    if (K > 63)
        K = 63;
    for (int k = 0; k < K; k++)
        col[k] = ramp(K == 1 ? 0.5 : (double)k / (K - 1));
    size_t counts[64] = {0};
    /* the image */
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ncols, (int)nrows);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        free(v);
        free(b);
        return agglo_error(ctx, AGGLO_E_NOMEM, "%s: cannot allocate the image", path);
    }
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (size_t r = 0; r < nrows; r++) {
        uint32_t *row = (uint32_t *)(data + r * (size_t)stride);
        for (size_t c = 0; c < ncols; c++) {
            double x = v[r * ncols + c];
            if (isnan(x)) {
                row[c] = 0; /* transparent */
                continue;
            }
            int k = 0;
            while (k < K - 1 && x > b[k + 1])
                k++;
            counts[k]++;
            agglo_rgb q = col[k];
            row[c] = 0xff000000u | ((uint32_t)(q.r * 255 + 0.5) << 16) |
                     ((uint32_t)(q.g * 255 + 0.5) << 8) | (uint32_t)(q.b * 255 + 0.5);
        }
    }
    cairo_surface_mark_dirty(img);
    free(v);
    /* layout: image on the left, legend + furniture column on the right */
    const double ml = 90, mt = 16, mb = 50, legend_w = 330;
    double W, H;
    int fixed_h;
    plot_layout(&st, title, 1200, 0, &W, &H, &fixed_h);
    double aw = W - ml - legend_w - 20;
    double sc = aw / (double)ncols;
    if (fixed_h)
        sc = fmin(sc, (H - mt - mb) / (double)nrows);
    else {
        double need_legend = 40 + 28.0 * (K + 1) + 260;
        sc = fmin(sc, 1100.0 / (double)nrows);
        H = fmax(mt + sc * (double)nrows + mb, need_legend);
    }
    double iw = sc * (double)ncols, ih = sc * (double)nrows;
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv) {
        cairo_surface_destroy(img);
        free(b);
        return agglo_ctx_errcode(ctx);
    }
    cairo_t *cr = cv->cr;
    cairo_save(cr);
    cairo_translate(cr, ml, mt);
    cairo_scale(cr, sc, sc);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), sc >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    double e[4] = {xmin, ymax - (double)nrows * cell, xmin + (double)ncols * cell, ymax};
    map_frame f;
    plot_frame_fit_extent(e, 0, ml, mt, iw, ih, &f);
    cairo_save(cr);
    cairo_rectangle(cr, ml, mt, iw, ih);
    cairo_clip(cr);
    if (outline)
        plot_outline_layer(ctx, cr, outline, &f, 0.8);
    if (st.overlay)
        plot_outline_layer(ctx, cr, st.overlay, &f, 1.1);
    cairo_restore(cr);
    /* frame + ticks in map units */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, ml, mt, iw, ih);
    cairo_stroke(cr);
    double wx = (double)ncols * cell, wy = (double)nrows * cell;
    char buf[96];
    double stx = agglo_plot_nice_step(wx, 5), sty = agglo_plot_nice_step(wy, 5);
    for (double t = ceil(xmin / stx) * stx; t <= xmin + wx + 1e-9 * wx; t += stx) {
        double px = ml + (t - xmin) * f.scale;
        cairo_move_to(cr, px, mt + ih);
        cairo_line_to(cr, px, mt + ih + 5);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.10g", t);
        agglo_plot_text(cr, px, mt + ih + 19, 11, 0, 1, buf);
    }
    double ymin = ymax - wy;
    for (double t = ceil(ymin / sty) * sty; t <= ymax + 1e-9 * wy; t += sty) {
        double py = mt + (ymax - t) * f.scale;
        cairo_move_to(cr, ml - 5, py);
        cairo_line_to(cr, ml, py);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.10g", t);
        agglo_plot_text_vertical(cr, ml - 12, py, 11, buf);
    }
    /* legend: highest class on top */
    double lx = W - legend_w;
    const char *heading = st.value_label && *st.value_label ? st.value_label : legend;
    char *lab[64];
    agglo_rgb lc[64];
    static const char *const method_names[] = {"equal interval", "natural breaks", "quantiles",
                                               "geometric", "standard deviation"};
    int method = st.breaks && st.nbreaks >= 2 ? -2 : st.breaks_method >= 0 ? st.breaks_method
                                                                             : AGGLO_DISC_NATURAL;
    int nl = 0;
    for (int k = K - 1; k >= 0; k--) {
        char a[32], z[32];
        double span = b[K] - b[0];
        plot_fmt_num(a, sizeof a, fabs(b[k]) < 1e-9 * span ? 0 : b[k]);
        plot_fmt_num(z, sizeof z, b[k + 1]);
        if (asprintf(&lab[nl], "%s – %s", a, z) < 0)
            lab[nl] = NULL;
        lc[nl++] = col[k];
    }
    double y = agglo_plot_legend(cr, lx, mt + 6, heading, nl, lc, (const char *const *)lab);
    for (int k = 0; k < nl; k++)
        free(lab[k]);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    if (method >= 0 && method < AGGLO_DISC_NMETHODS) {
        snprintf(buf, sizeof buf, "classes: %s", method_names[method]);
        agglo_plot_text(cr, lx, y + 8, 12, 0, 0, buf);
        y += 18;
    }
    plot_crs c;
    plot_crs_of(&st, outline ? outline : st.overlay, &c);
    if (!st.crs && !outline && st.overlay)
        plot_crs_of(&st, st.overlay, &c);
    plot_furniture(cr, &st, &c, &f, lx, y + 20, legend_w - 10);
    free(b);
    return plot_end(cv);
}
