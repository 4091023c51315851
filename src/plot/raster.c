/* Density image with a colour-bar legend (kde --png). */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "../core/core_internal.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* viridis, dark (low) ... light (high) would hide low values against the white page; we use
 * light = low as the choropleths do. */
static const agglo_rgb RAMP[6] = {{0.993, 0.906, 0.144}, {0.478, 0.821, 0.318},
                                  {0.135, 0.659, 0.518}, {0.164, 0.471, 0.558},
                                  {0.255, 0.267, 0.529}, {0.267, 0.005, 0.329}};

static agglo_rgb ramp(double t)
{
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    double u = t * 5;
    int k = (int)floor(u);
    if (k > 4)
        k = 4;
    double a = u - k;
    agglo_rgb c = {RAMP[k].r + a * (RAMP[k + 1].r - RAMP[k].r),
                   RAMP[k].g + a * (RAMP[k + 1].g - RAMP[k].g),
                   RAMP[k].b + a * (RAMP[k + 1].b - RAMP[k].b)};
    return c;
}

typedef struct frame {
    double x0, y1, sc, ox, oy; /* map (x0, y1) -> pixel (ox, oy); sc px per unit */
} frame;

static void outline_geom(cairo_t *cr, GEOSContextHandle_t h, const GEOSGeometry *g, const frame *f)
{
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            outline_geom(cr, h, GEOSGetGeometryN_r(h, g, i), f);
        return;
    }
    if (t != GEOS_POLYGON)
        return;
    int nh = GEOSGetNumInteriorRings_r(h, g);
    for (int k = -1; k < nh; k++) {
        const GEOSGeometry *ring = k < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, k);
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
        unsigned int np = 0;
        if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &np))
            continue;
        for (unsigned int i = 0; i < np; i++) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
            double px = f->ox + (x - f->x0) * f->sc, py = f->oy + (f->y1 - y) * f->sc;
            if (i == 0)
                cairo_move_to(cr, px, py);
            else
                cairo_line_to(cr, px, py);
        }
        cairo_close_path(cr);
    }
}

static void fmt(char *buf, size_t size, double v)
{
    if (v == 0)
        snprintf(buf, size, "0");
    else
        snprintf(buf, size, "%.3g", v);
}

int agglo_plot_raster(agglo_ctx *ctx, const double *values, size_t ncols, size_t nrows,
                      double xmin, double ymax, double cell, double nodata,
                      const agglo_layer *outline, const char *legend, const char *title,
                      const char *path)
{
    if (ncols == 0 || nrows == 0)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: empty raster", path);
    if (ncols > 32767 || nrows > 32767)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: raster too large to draw", path);
    double vmin = INFINITY, vmax = -INFINITY;
    size_t nn = ncols * nrows;
    for (size_t t = 0; t < nn; t++) {
        double v = values[t];
        if (!isfinite(v) || v == nodata)
            continue;
        vmin = fmin(vmin, v);
        vmax = fmax(vmax, v);
    }
    if (!isfinite(vmin)) {
        vmin = 0;
        vmax = 1;
    }
    if (vmin > 0)
        vmin = 0; /* densities: scale from 0 */
    if (!(vmax > vmin))
        vmax = vmin + 1;
    /* the image */
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)ncols, (int)nrows);
    if (cairo_surface_status(img) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(img);
        return agglo_error(ctx, AGGLO_E_NOMEM, "%s: cannot allocate the image", path);
    }
    cairo_surface_flush(img);
    unsigned char *data = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    for (size_t r = 0; r < nrows; r++) {
        uint32_t *row = (uint32_t *)(data + r * (size_t)stride);
        for (size_t c = 0; c < ncols; c++) {
            double v = values[r * ncols + c];
            if (!isfinite(v) || v == nodata) {
                row[c] = 0; /* transparent */
                continue;
            }
            agglo_rgb col = ramp((v - vmin) / (vmax - vmin));
            row[c] = 0xff000000u | ((uint32_t)(col.r * 255 + 0.5) << 16) |
                     ((uint32_t)(col.g * 255 + 0.5) << 8) | (uint32_t)(col.b * 255 + 0.5);
        }
    }
    cairo_surface_mark_dirty(img);
    /* canvas */
    const double ml = 80, mr = 190, mt = 50, mb = 50, maxw = 900, maxh = 800;
    double sc = fmin(maxw / (double)ncols, maxh / (double)nrows);
    double iw = sc * (double)ncols, ih = sc * (double)nrows;
    int W = (int)ceil(ml + iw + mr), H = (int)ceil(mt + ih + mb);
    cairo_t *cr;
    cairo_surface_t *s = agglo_plot_surface(ctx, W, H, &cr);
    if (!s) {
        cairo_surface_destroy(img);
        return agglo_ctx_errcode(ctx);
    }
    cairo_save(cr);
    cairo_translate(cr, ml, mt);
    cairo_scale(cr, sc, sc);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), sc >= 1 ? CAIRO_FILTER_NEAREST : CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    frame f = {xmin, ymax, sc / cell, ml, mt};
    if (outline) {
        GEOSContextHandle_t h = agglo_ctx_geos(ctx);
        cairo_save(cr);
        cairo_rectangle(cr, ml, mt, iw, ih);
        cairo_clip(cr);
        for (size_t i = 0; i < agglo_layer_count(outline); i++) {
            const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(outline, i);
            if (g)
                outline_geom(cr, h, g, &f);
        }
        cairo_set_source_rgba(cr, 0.2, 0.2, 0.2, 0.8);
        cairo_set_line_width(cr, 0.7);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
    /* frame + ticks in map units */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, ml, mt, iw, ih);
    cairo_stroke(cr);
    double wx = (double)ncols * cell, wy = (double)nrows * cell;
    char buf[64];
    double stx = agglo_plot_nice_step(wx, 5), sty = agglo_plot_nice_step(wy, 5);
    for (double v = ceil(xmin / stx) * stx; v <= xmin + wx + 1e-9 * wx; v += stx) {
        double px = ml + (v - xmin) * f.sc;
        cairo_move_to(cr, px, mt + ih);
        cairo_line_to(cr, px, mt + ih + 5);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.10g", v);
        agglo_plot_text(cr, px, mt + ih + 18, 10, 0, 1, buf);
    }
    double ymin = ymax - wy;
    for (double v = ceil(ymin / sty) * sty; v <= ymax + 1e-9 * wy; v += sty) {
        double py = mt + (ymax - v) * f.sc;
        cairo_move_to(cr, ml - 5, py);
        cairo_line_to(cr, ml, py);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.10g", v);
        agglo_plot_text(cr, ml - 8, py + 4, 10, 0, 2, buf);
    }
    if (title)
        agglo_plot_text(cr, ml + iw / 2, 30, 16, 1, 1, title);
    /* colour bar */
    double bx = ml + iw + 30, by = mt + 20, bw = 22, bh = fmin(ih - 40, 400);
    if (bh < 100)
        bh = 100;
    for (int k = 0; k < 200; k++) {
        agglo_rgb c = ramp(1.0 - (k + 0.5) / 200.0);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        cairo_rectangle(cr, bx, by + bh * k / 200.0, bw, bh / 200.0 + 0.5);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_rectangle(cr, bx, by, bw, bh);
    cairo_stroke(cr);
    double step = agglo_plot_nice_step(vmax - vmin, 5);
    for (double v = ceil(vmin / step) * step; v <= vmax * (1 + 1e-9); v += step) {
        double py = by + bh * (1 - (v - vmin) / (vmax - vmin));
        cairo_move_to(cr, bx + bw, py);
        cairo_line_to(cr, bx + bw + 4, py);
        cairo_stroke(cr);
        fmt(buf, sizeof buf, v);
        agglo_plot_text(cr, bx + bw + 7, py + 4, 10, 0, 0, buf);
    }
    if (legend)
        agglo_plot_text_vertical(cr, bx + bw + 75, by + bh / 2, 11, legend);
    cairo_destroy(cr);
    int rc = agglo_plot_write_png(ctx, s, path);
    cairo_surface_destroy(s);
    return rc;
}
