/* Choropleth and cluster maps drawn with cairo from the layer's GEOS geometries, plus the
 * helpers shared by the plotting files (atomic PNG output, text, legends). */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "agglo/output.h"
#include "../core/core_internal.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- shared helpers */

static cairo_status_t png_write_fn(void *closure, const unsigned char *data, unsigned int length)
{
    FILE *fp = closure;
    return fwrite(data, 1, length, fp) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int agglo_plot_write_png(agglo_ctx *ctx, cairo_surface_t *surface, const char *path)
{
    if (!path || !*path)
        return agglo_error(ctx, AGGLO_E_USAGE, "plot: no output path");
    cairo_surface_flush(surface);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        return agglo_error(ctx, AGGLO_E_NUMERIC, "%s: drawing failed (%s)", path,
                           cairo_status_to_string(cairo_surface_status(surface)));
    agglo_output *out = agglo_output_open(ctx, path);
    if (!out)
        return agglo_ctx_errcode(ctx);
    cairo_status_t st = cairo_surface_write_to_png_stream(surface, png_write_fn,
                                                          agglo_output_stream(out));
    if (st != CAIRO_STATUS_SUCCESS) {
        agglo_output_abort(out);
        return agglo_error(ctx, AGGLO_E_IO, "%s: cannot write PNG (%s)", path,
                           cairo_status_to_string(st));
    }
    return agglo_output_commit(ctx, out);
}

cairo_surface_t *agglo_plot_surface(agglo_ctx *ctx, int w, int h, cairo_t **cr)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        agglo_error(ctx, AGGLO_E_NOMEM, "plot: cannot create a %dx%d image", w, h);
        return NULL;
    }
    *cr = cairo_create(s);
    cairo_set_source_rgb(*cr, 1, 1, 1);
    cairo_paint(*cr);
    return s;
}

void agglo_plot_text(cairo_t *cr, double x, double y, double size, int bold, int anchor,
                     const char *text)
{
    if (!text)
        return;
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
    cairo_text_extents_t te;
    cairo_text_extents(cr, text, &te);
    double dx = anchor == 1 ? -te.x_advance / 2 : anchor == 2 ? -te.x_advance : 0;
    cairo_move_to(cr, x + dx, y);
    cairo_show_text(cr, text);
}

void agglo_plot_text_vertical(cairo_t *cr, double x, double y, double size, const char *text)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -M_PI / 2);
    agglo_plot_text(cr, 0, 0, size, 0, 1, text);
    cairo_restore(cr);
}

void agglo_plot_legend(cairo_t *cr, double x, double y, const char *heading, int n,
                       const agglo_rgb *colours, const char *const *labels)
{
    double sw = 26, sh = 20, gap = 8;
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (heading && *heading) {
        agglo_plot_text(cr, x, y + 16, 17, 1, 0, heading);
        y += 28;
    }
    for (int k = 0; k < n; k++) {
        double yy = y + k * (sh + gap);
        cairo_rectangle(cr, x, yy, sw, sh);
        cairo_set_source_rgb(cr, colours[k].r, colours[k].g, colours[k].b);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        agglo_plot_text(cr, x + sw + 10, yy + sh - 4, 16, 0, 0, labels[k]);
    }
}

double agglo_plot_nice_step(double range, int nticks)
{
    if (!(range > 0) || !isfinite(range))
        return 1.0;
    double raw = range / (nticks > 0 ? nticks : 5);
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nice * mag;
}

/* Diagonal grey hatching over white: "no data" (told apart from light classes). */
static cairo_pattern_t *hatch_pattern(void)
{
    cairo_surface_t *t = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 8, 8);
    cairo_t *c = cairo_create(t);
    cairo_set_source_rgb(c, 1, 1, 1);
    cairo_paint(c);
    cairo_set_source_rgb(c, 0.55, 0.55, 0.55);
    cairo_set_line_width(c, 1.2);
    cairo_move_to(c, -1, 9);
    cairo_line_to(c, 9, -1);
    cairo_stroke(c);
    cairo_destroy(c);
    cairo_pattern_t *p = cairo_pattern_create_for_surface(t);
    cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
    cairo_surface_destroy(t);
    return p;
}

static int is_nodata_label(const char *s) { return s && strncmp(s, "no data", 7) == 0; }

/* ---------------------------------------------------------------- map frame */

typedef struct map_frame {
    double minx, miny, maxx, maxy; /* data extent */
    double scale, xscale;          /* pixels per unit; x stretch (cos lat for lon/lat) */
    double ox, oy;                 /* pixel of (minx, maxy) */
    double pw, ph;                 /* pixel size of the drawn extent */
    double legend_x;
} map_frame;

static int frame_setup(agglo_ctx *ctx, const agglo_layer *layer, map_frame *f, int width,
                       int height)
{
    double e[4];
    if (agglo_layer_extent(layer, e) != AGGLO_OK)
        return agglo_error(ctx, AGGLO_E_EMPTY, "%s: no geometries to draw",
                           agglo_layer_path(layer) ? agglo_layer_path(layer) : "layer");
    double dx = e[2] - e[0], dy = e[3] - e[1];
    if (!(dx > 0) && !(dy > 0)) {
        dx = dy = 1;
        e[0] -= 0.5; e[2] += 0.5; e[1] -= 0.5; e[3] += 0.5;
    }
    f->xscale = 1.0;
    if (agglo_layer_is_geographic(layer)) {
        double lat = 0.5 * (e[1] + e[3]) * M_PI / 180.0;
        f->xscale = fmax(cos(lat), 0.05);
    }
    double top = 70, bottom = 30, left = 30, legend_w = 330;
    double aw = width - left - legend_w - 20, ah = height - top - bottom;
    double sx = aw / fmax(dx * f->xscale, 1e-300), sy = ah / fmax(dy, 1e-300);
    if (!(dx > 0))
        sx = sy;
    if (!(dy > 0))
        sy = sx;
    f->scale = fmin(sx, sy);
    f->pw = dx * f->xscale * f->scale;
    f->ph = dy * f->scale;
    f->ox = left + (aw - f->pw) / 2;
    f->oy = top + (ah - f->ph) / 2;
    f->minx = e[0]; f->miny = e[1]; f->maxx = e[2]; f->maxy = e[3];
    f->legend_x = width - legend_w;
    return AGGLO_OK;
}

static inline void to_px(const map_frame *f, double x, double y, double *px, double *py)
{
    *px = f->ox + (x - f->minx) * f->xscale * f->scale;
    *py = f->oy + (f->maxy - y) * f->scale; /* north up */
}

static void ring_path(GEOSContextHandle_t h, const GEOSGeometry *ring, const map_frame *f,
                      cairo_t *cr)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &n) || n == 0)
        return;
    for (unsigned int k = 0; k < n; k++) {
        double x, y, px, py;
        GEOSCoordSeq_getXY_r(h, cs, k, &x, &y);
        to_px(f, x, y, &px, &py);
        if (k == 0)
            cairo_move_to(cr, px, py);
        else
            cairo_line_to(cr, px, py);
    }
}

/* Draws g filled with fill (polygons), as a dot (points) or stroked (lines). */
static void draw_geom(GEOSContextHandle_t h, const GEOSGeometry *g, const map_frame *f,
                      cairo_t *cr, agglo_rgb fill, double dot_radius, cairo_pattern_t *hatch)
{
    int type = GEOSGeomTypeId_r(h, g);
    switch (type) {
    case GEOS_POINT: {
        double x, y, px, py;
        if (GEOSisEmpty_r(h, g) || !GEOSGeomGetX_r(h, g, &x) || !GEOSGeomGetY_r(h, g, &y))
            return;
        to_px(f, x, y, &px, &py);
        cairo_new_path(cr);
        cairo_arc(cr, px, py, dot_radius, 0, 2 * M_PI);
        cairo_set_source_rgb(cr, fill.r, fill.g, fill.b);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        return;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        cairo_new_path(cr);
        ring_path(h, g, f, cr);
        cairo_set_source_rgb(cr, fill.r, fill.g, fill.b);
        cairo_set_line_width(cr, 2);
        cairo_stroke(cr);
        return;
    case GEOS_POLYGON: {
        if (GEOSisEmpty_r(h, g))
            return;
        cairo_new_path(cr);
        ring_path(h, GEOSGetExteriorRing_r(h, g), f, cr);
        cairo_close_path(cr);
        int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int k = 0; k < nh; k++) {
            ring_path(h, GEOSGetInteriorRingN_r(h, g, k), f, cr);
            cairo_close_path(cr);
        }
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        if (hatch)
            cairo_set_source(cr, hatch);
        else
            cairo_set_source_rgb(cr, fill.r, fill.g, fill.b);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
        return;
    }
    default: {
        int ng = GEOSGetNumGeometries_r(h, g);
        for (int k = 0; k < ng; k++)
            draw_geom(h, GEOSGetGeometryN_r(h, g, k), f, cr, fill, dot_radius, hatch);
    }
    }
}

static void draw_north_arrow(cairo_t *cr, double x, double y)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_new_path(cr);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x - 10, y + 30);
    cairo_line_to(cr, x, y + 22);
    cairo_line_to(cr, x + 10, y + 30);
    cairo_close_path(cr);
    cairo_fill(cr);
    agglo_plot_text(cr, x, y - 6, 16, 1, 1, "N");
}

/* Scale bar for projected layers, labelled in map units (metres for most projected CRS). */
static void draw_scale_bar(cairo_t *cr, const map_frame *f, double x, double y)
{
    double target = (f->maxx - f->minx) / 4;
    double step = agglo_plot_nice_step(target, 1);
    double len = step * f->scale;
    if (!(len > 4) || !isfinite(len))
        return;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 2);
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + len, y);
    cairo_move_to(cr, x, y - 5);
    cairo_line_to(cr, x, y + 5);
    cairo_move_to(cr, x + len, y - 5);
    cairo_line_to(cr, x + len, y + 5);
    cairo_stroke(cr);
    char buf[64];
    snprintf(buf, sizeof buf, "%.10g map units", step);
    agglo_plot_text(cr, x, y + 22, 14, 0, 0, buf);
}

/* Draws the map with feature i filled fills[i] (NULL entry pointer = fills all white) and
 * the given legend; writes path. */
static int draw_map(agglo_ctx *ctx, const agglo_layer *layer, const agglo_rgb *fills,
                    const unsigned char *nodata, const char *title, const char *legend_heading, int nlegend,
                    const agglo_rgb *legend_colours, const char *const *legend_labels,
                    const char *path)
{
    GEOSContextHandle_t h = agglo_ctx_geos(ctx);
    map_frame f;
    /* canvas height follows the layer's aspect (no empty bands), but leaves room for the
     * legend, the north arrow and the scale bar */
    int H = AGGLO_PLOT_HEIGHT;
    int rc = frame_setup(ctx, layer, &f, AGGLO_PLOT_WIDTH, H);
    if (rc)
        return rc;
    double need_map = f.ph * (AGGLO_PLOT_WIDTH - 380.0) / fmax(f.pw, 1e-9) + 100;
    if (f.pw < AGGLO_PLOT_WIDTH - 381.0)
        need_map = AGGLO_PLOT_HEIGHT;
    double need_legend = 110 + 40 + nlegend * 28.0 + 40 + 160;
    H = (int)fmax(fmin(need_map, 1400), fmax(need_legend, 500));
    if (H != AGGLO_PLOT_HEIGHT && (rc = frame_setup(ctx, layer, &f, AGGLO_PLOT_WIDTH, H)))
        return rc;
    cairo_t *cr;
    cairo_surface_t *s = agglo_plot_surface(ctx, AGGLO_PLOT_WIDTH, H, &cr);
    if (!s)
        return agglo_ctx_errcode(ctx);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    size_t n = agglo_layer_count(layer);
    double dot = n > 5000 ? 1.8 : n > 1000 ? 3 : 5;
    cairo_pattern_t *hatch = hatch_pattern();
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(layer, i);
        if (g)
            draw_geom(h, g, &f, cr, fills[i], dot, nodata && nodata[i] ? hatch : NULL);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    agglo_plot_text(cr, AGGLO_PLOT_WIDTH / 2.0, 44, 26, 1, 1, title ? title : "");
    agglo_plot_legend(cr, f.legend_x, 110, legend_heading, nlegend, legend_colours,
                      legend_labels);
    /* hatch the "no data" swatch like the features */
    for (int k = 0; k < nlegend; k++)
        if (is_nodata_label(legend_labels[k])) {
            double y0 = 110 + (legend_heading && *legend_heading ? 28 : 0) + k * 28.0;
            cairo_rectangle(cr, f.legend_x + 1, y0 + 1, 24, 18);
            cairo_set_source(cr, hatch);
            cairo_fill(cr);
        }
    cairo_pattern_destroy(hatch);
    double ny = 110 + 40 + nlegend * 28.0 + 40;
    draw_north_arrow(cr, f.legend_x + 20, ny);
    if (!agglo_layer_is_geographic(layer))
        draw_scale_bar(cr, &f, f.legend_x, ny + 80);
    const char *crs = agglo_layer_crs_name(layer);
    if (crs && *crs) {
        char buf[160];
        snprintf(buf, sizeof buf, "CRS: %.120s", crs);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        agglo_plot_text(cr, f.legend_x, H - 20, 13, 0, 0, buf);
    }
    cairo_destroy(cr);
    rc = agglo_plot_write_png(ctx, s, path);
    cairo_surface_destroy(s);
    return rc;
}

static const agglo_rgb NODATA = {1, 1, 1};

int agglo_plot_map_categories(agglo_ctx *ctx, const agglo_layer *layer, const int *category,
                              int ncategories, const char *const *labels,
                              const agglo_rgb *colours, const char *title, const char *path)
{
    size_t n = agglo_layer_count(layer);
    if (ncategories < 0 || (ncategories > 0 && (!labels || !colours)))
        return agglo_error(ctx, AGGLO_E_USAGE, "plot: bad category legend");
    agglo_rgb *fills = agglo_malloc(ctx, (n ? n : 1) * sizeof *fills);
    size_t *counts = agglo_calloc(ctx, (size_t)ncategories + 1, sizeof *counts);
    agglo_rgb *lc = agglo_malloc(ctx, ((size_t)ncategories + 1) * sizeof *lc);
    char **lab = agglo_calloc(ctx, (size_t)ncategories + 1, sizeof *lab);
    int rc = AGGLO_E_NOMEM;
    if (!fills || !counts || !lc || !lab)
        goto out;
    for (size_t i = 0; i < n; i++) {
        int c = category[i];
        if (c < -1 || c >= ncategories) {
            rc = agglo_error(ctx, AGGLO_E_USAGE, "plot: category %d of feature %zu out of range",
                             c, i + 1);
            goto out;
        }
        fills[i] = c < 0 ? NODATA : colours[c];
        counts[c < 0 ? ncategories : c]++;
    }
    int nl = 0;
    for (int k = 0; k <= ncategories; k++) {
        if (k == ncategories && counts[k] == 0)
            break;
        lc[nl] = k < ncategories ? colours[k] : NODATA;
        if (asprintf(&lab[nl], "%s (%zu)", k < ncategories ? labels[k] : "no data", counts[k]) < 0) {
            lab[nl] = NULL;
            goto out;
        }
        nl++;
    }
    unsigned char *nd = agglo_calloc(ctx, n ? n : 1, 1);
    if (!nd)
        goto out;
    for (size_t i = 0; i < n; i++)
        nd[i] = category[i] < 0;
    rc = draw_map(ctx, layer, fills, nd, title, NULL, nl, lc, (const char *const *)lab, path);
    free(nd);
out:
    if (lab)
        for (int k = 0; k <= ncategories; k++)
            free(lab[k]);
    free(lab);
    free(lc);
    free(counts);
    free(fills);
    return rc;
}

/* ---------------------------------------------------------------- continuous maps */

static agglo_rgb lerp_stops(const agglo_rgb *stops, int nstops, double t)
{
    if (t <= 0)
        return stops[0];
    if (t >= 1)
        return stops[nstops - 1];
    double u = t * (nstops - 1);
    int k = (int)floor(u);
    if (k >= nstops - 1)
        k = nstops - 2;
    double a = u - k;
    agglo_rgb c = {stops[k].r + a * (stops[k + 1].r - stops[k].r),
                   stops[k].g + a * (stops[k + 1].g - stops[k].g),
                   stops[k].b + a * (stops[k + 1].b - stops[k].b)};
    return c;
}

/* viridis at 0, .25, .5, .75, 1 (reversed so that light = low). */
static const agglo_rgb VIRIDIS[5] = {{0.993, 0.906, 0.144}, {0.369, 0.788, 0.384},
                                     {0.128, 0.567, 0.551}, {0.231, 0.322, 0.545},
                                     {0.267, 0.005, 0.329}};
/* RdBu diverging, blue (negative) - white - red (positive). */
static const agglo_rgb RDBU[5] = {{0.129, 0.400, 0.675}, {0.573, 0.773, 0.871},
                                  {0.97, 0.97, 0.97}, {0.957, 0.647, 0.510},
                                  {0.698, 0.094, 0.169}};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile of sorted v[0..n-1] at p (type 7). */
static double quantile(const double *v, size_t n, double p)
{
    double h = (n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return v[n - 1];
    return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

static void fmt_num(char *buf, size_t size, double v)
{
    if (v == 0)
        snprintf(buf, size, "0");
    else if (fabs(v) >= 1e4 && fabs(v) < 1e10)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.4g", v);
}

int agglo_plot_map_values(agglo_ctx *ctx, const agglo_layer *layer, const double *values,
                          agglo_palette palette, int nclasses, const char *title,
                          const char *path)
{
    size_t n = agglo_layer_count(layer);
    if (nclasses <= 0)
        nclasses = 5;
    if (nclasses > 12)
        nclasses = 12;
    int rc = AGGLO_E_NOMEM;
    double *sorted = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    double *upper = agglo_malloc(ctx, ((size_t)nclasses + 1) * sizeof(double));
    double *lower = agglo_malloc(ctx, ((size_t)nclasses + 1) * sizeof(double));
    int *cat = agglo_malloc(ctx, (n ? n : 1) * sizeof(int));
    agglo_rgb *col = agglo_malloc(ctx, ((size_t)nclasses + 1) * sizeof(agglo_rgb));
    char **lab = agglo_calloc(ctx, (size_t)nclasses + 1, sizeof(char *));
    if (!sorted || !upper || !lower || !cat || !col || !lab)
        goto out;
    size_t m = 0;
    double amax = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) {
            sorted[m++] = palette == AGGLO_PALETTE_DIVERGING ? fabs(values[i]) : values[i];
            amax = fmax(amax, fabs(values[i]));
        }
    int K = 0; /* classes actually used */
    if (m > 0) {
        qsort(sorted, m, sizeof(double), cmp_double);
        if (palette == AGGLO_PALETTE_DIVERGING) {
            /* Symmetric classes: thresholds at quantiles of |v| mirrored around 0. */
            int odd = nclasses % 2, h = nclasses / 2;
            double t[13];
            int nt = 0;
            if (odd) {
                for (int k = 1; k <= h; k++)
                    t[nt++] = quantile(sorted, m, (double)k / (h + 1));
            } else {
                for (int k = 1; k < h; k++)
                    t[nt++] = quantile(sorted, m, (double)k / h);
            }
            /* drop duplicate / zero thresholds */
            int w = 0;
            for (int k = 0; k < nt; k++)
                if (t[k] > 0 && (w == 0 || t[k] > t[w - 1]))
                    t[w++] = t[k];
            nt = w;
            double top = amax > 0 ? amax : 1;
            /* build classes from most negative upward */
            K = 0;
            lower[K] = -top;
            for (int k = nt - 1; k >= 0; k--) {
                upper[K] = -t[k];
                lower[++K] = -t[k];
            }
            if (odd) {
                upper[K] = nt ? t[0] : top;
                if (nt)
                    lower[++K] = t[0];
            } else {
                upper[K] = 0;
                lower[++K] = 0;
            }
            for (int k = odd ? 1 : 0; k < nt; k++) {
                upper[K] = t[k];
                lower[++K] = t[k];
            }
            upper[K] = top;
            K++;
            if (!odd && nt == 0 && K > 2)
                K = 2;
            for (int k = 0; k < K; k++) {
                double mid = 0.5 * (lower[k] + upper[k]) / top;
                col[k] = lerp_stops(RDBU, 5, 0.5 + 0.5 * mid);
            }
        } else {
            double prev = sorted[0];
            lower[0] = sorted[0];
            K = 0;
            for (int k = 1; k <= nclasses; k++) {
                double q = k == nclasses ? sorted[m - 1] : quantile(sorted, m, (double)k / nclasses);
                if (q > prev || k == nclasses) {
                    if (q <= prev && K > 0) {
                        upper[K - 1] = q;
                        break;
                    }
                    upper[K] = q;
                    lower[K + 1] = q;
                    K++;
                    prev = q;
                }
            }
            if (K == 0) {
                upper[0] = sorted[0];
                K = 1;
            }
            for (int k = 0; k < K; k++)
                col[k] = lerp_stops(VIRIDIS, 5, K == 1 ? 0.5 : (double)k / (K - 1));
        }
    }
    size_t *counts = agglo_calloc(ctx, (size_t)K + 1, sizeof(size_t));
    if (!counts)
        goto out;
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        if (!isfinite(v)) {
            cat[i] = -1;
            counts[K]++;
            continue;
        }
        int c = K - 1;
        for (int k = 0; k < K; k++)
            if (v <= upper[k]) {
                c = k;
                break;
            }
        cat[i] = c;
        counts[c]++;
    }
    agglo_rgb *fills = agglo_malloc(ctx, (n ? n : 1) * sizeof *fills);
    if (!fills) {
        free(counts);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        fills[i] = cat[i] < 0 ? NODATA : col[cat[i]];
    int nl = 0;
    for (int k = 0; k < K; k++) {
        char a[32], b[32];
        fmt_num(a, sizeof a, lower[k]);
        fmt_num(b, sizeof b, upper[k]);
        if (asprintf(&lab[nl], "%s to %s (%zu)", a, b, counts[k]) < 0)
            lab[nl] = NULL;
        nl++;
    }
    if (counts[K]) {
        col[nl] = NODATA;
        if (asprintf(&lab[nl], "no data (%zu)", counts[K]) < 0)
            lab[nl] = NULL;
        nl++;
    }
    unsigned char *nd = agglo_calloc(ctx, n ? n : 1, 1);
    if (!nd) {
        free(fills);
        free(counts);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        nd[i] = cat[i] < 0;
    rc = draw_map(ctx, layer, fills, nd, title,
                  palette == AGGLO_PALETTE_DIVERGING ? "Classes (symmetric quantiles)"
                                                     : "Classes (quantiles)",
                  nl, col, (const char *const *)lab, path);
    free(nd);
    free(fills);
    free(counts);
out:
    if (lab)
        for (int k = 0; k <= nclasses; k++)
            free(lab[k]);
    free(lab);
    free(col);
    free(cat);
    free(lower);
    free(upper);
    free(sorted);
    return rc;
}

#if defined(__SANITIZE_ADDRESS__)
/* fontconfig (reached through cairo's toy font API) keeps allocations that LeakSanitizer
 * reports as leaks at exit; they are not ours. Executables linking the plotting code in a
 * sanitizer build get this suppression (LSan looks the hook up by name). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
#endif
