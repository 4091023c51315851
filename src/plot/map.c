/* Choropleth, cluster, coefficient and panel maps drawn with cairo from the layer's GEOS
 * geometries, with labels, overlay outlines and the furniture (legend, north arrow, scale
 * bar in m/km, CRS). */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "map_internal.h"
#include "agglo/discretize.h"
#include "agglo/table.h"
#include "../core/core_internal.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- frame */

int plot_frame_fit(agglo_ctx *ctx, const agglo_layer *layer, double x, double y, double w,
                   double h, map_frame *f)
{
    double e[4];
    if (agglo_layer_extent(layer, e) != AGGLO_OK)
        return agglo_error(ctx, AGGLO_E_EMPTY, "%s: no geometries to draw",
                           agglo_layer_path(layer) ? agglo_layer_path(layer) : "layer");
    return plot_frame_fit_extent(e, agglo_layer_is_geographic(layer), x, y, w, h, f);
}

int plot_frame_fit_extent(const double e_in[4], int geographic, double x, double y, double w,
                          double h, map_frame *f)
{
    double e[4] = {e_in[0], e_in[1], e_in[2], e_in[3]};
    double dx = e[2] - e[0], dy = e[3] - e[1];
    if (!(dx > 0) && !(dy > 0)) {
        dx = dy = 1;
        e[0] -= 0.5; e[2] += 0.5; e[1] -= 0.5; e[3] += 0.5;
    }
    f->xscale = 1.0;
    f->centre_lat = 0.5 * (e[1] + e[3]);
    if (geographic)
        f->xscale = fmax(cos(f->centre_lat * M_PI / 180.0), 0.05);
    double sx = w / fmax(dx * f->xscale, 1e-300), sy = h / fmax(dy, 1e-300);
    if (!(dx > 0))
        sx = sy;
    if (!(dy > 0))
        sy = sx;
    f->scale = fmin(sx, sy);
    f->pw = dx * f->xscale * f->scale;
    f->ph = dy * f->scale;
    f->ox = x + (w - f->pw) / 2;
    f->oy = y + (h - f->ph) / 2;
    f->minx = e[0]; f->miny = e[1]; f->maxx = e[2]; f->maxy = e[3];
    return AGGLO_OK;
}

/* height / width of the layer's extent as drawn */
double plot_layer_aspect(const agglo_layer *layer)
{
    double e[4];
    if (agglo_layer_extent(layer, e) != AGGLO_OK)
        return 0.75;
    double xs = 1;
    if (agglo_layer_is_geographic(layer))
        xs = fmax(cos(0.5 * (e[1] + e[3]) * M_PI / 180.0), 0.05);
    double dx = (e[2] - e[0]) * xs, dy = e[3] - e[1];
    if (!(dx > 0) || !(dy > 0))
        return 0.75;
    return dy / dx;
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
        plot_to_px(f, x, y, &px, &py);
        if (k == 0)
            cairo_move_to(cr, px, py);
        else
            cairo_line_to(cr, px, py);
    }
}

/* Path of g's polygons (rings closed; lines as open paths). */
void plot_geom_path(GEOSContextHandle_t h, const GEOSGeometry *g, const map_frame *f,
                    cairo_t *cr)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g))
            return;
        ring_path(h, GEOSGetExteriorRing_r(h, g), f, cr);
        cairo_close_path(cr);
        int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int k = 0; k < nh; k++) {
            ring_path(h, GEOSGetInteriorRingN_r(h, g, k), f, cr);
            cairo_close_path(cr);
        }
    } else if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
        ring_path(h, g, f, cr);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_MULTILINESTRING ||
               type == GEOS_GEOMETRYCOLLECTION) {
        for (int k = 0; k < GEOSGetNumGeometries_r(h, g); k++)
            plot_geom_path(h, GEOSGetGeometryN_r(h, g, k), f, cr);
    }
}

static void dot_path(GEOSContextHandle_t h, const GEOSGeometry *g, const map_frame *f,
                     cairo_t *cr, double r)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POINT) {
        double x, y, px, py;
        if (GEOSisEmpty_r(h, g) || !GEOSGeomGetX_r(h, g, &x) || !GEOSGeomGetY_r(h, g, &y))
            return;
        plot_to_px(f, x, y, &px, &py);
        cairo_new_sub_path(cr);
        cairo_arc(cr, px, py, r, 0, 2 * M_PI);
    } else if (type == GEOS_MULTIPOINT || type == GEOS_GEOMETRYCOLLECTION) {
        for (int k = 0; k < GEOSGetNumGeometries_r(h, g); k++)
            dot_path(h, GEOSGetGeometryN_r(h, g, k), f, cr, r);
    }
}

static int is_lineal(int type)
{
    return type == GEOS_LINESTRING || type == GEOS_LINEARRING || type == GEOS_MULTILINESTRING;
}

/* Draws feature g filled with fill (polygons), as a dot (points) or stroked (lines); hatch_over
 * (may be NULL) is painted over the fill (not significant). */
static void draw_feature(GEOSContextHandle_t h, const GEOSGeometry *g, const map_frame *f,
                         cairo_t *cr, agglo_rgb fill, double dot, double lw,
                         cairo_pattern_t *hatch, cairo_pattern_t *hatch_over)
{
    int type = GEOSGeomTypeId_r(h, g);
    cairo_new_path(cr);
    if (type == GEOS_POINT || type == GEOS_MULTIPOINT) {
        dot_path(h, g, f, cr, dot);
        plot_set_fill(cr, fill, hatch);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
        return;
    }
    plot_geom_path(h, g, f, cr);
    if (is_lineal(type)) {
        plot_set_fill(cr, fill, hatch);
        cairo_set_line_width(cr, 2);
        cairo_stroke(cr);
        return;
    }
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    plot_set_fill(cr, fill, hatch);
    cairo_fill_preserve(cr);
    if (hatch_over) {
        cairo_set_source(cr, hatch_over);
        cairo_fill_preserve(cr);
    }
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    cairo_set_line_width(cr, lw);
    cairo_stroke(cr);
}

/* Dark diagonal lines on a transparent background (over a fill). */
static cairo_pattern_t *hatch_over_pattern(void)
{
    cairo_surface_t *t = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 9, 9);
    cairo_t *c = cairo_create(t);
    cairo_set_source_rgba(c, 0.15, 0.15, 0.15, 0.8);
    cairo_set_line_width(c, 1.1);
    cairo_move_to(c, -1, 10);
    cairo_line_to(c, 10, -1);
    cairo_stroke(c);
    cairo_destroy(c);
    cairo_pattern_t *p = cairo_pattern_create_for_surface(t);
    cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
    cairo_surface_destroy(t);
    return p;
}

void plot_outline_layer(agglo_ctx *ctx, cairo_t *cr, const agglo_layer *layer,
                        const map_frame *f, double lw)
{
    GEOSContextHandle_t h = agglo_ctx_geos(ctx);
    cairo_new_path(cr);
    for (size_t i = 0; i < agglo_layer_count(layer); i++) {
        const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(layer, i);
        if (g)
            plot_geom_path(h, g, f, cr);
    }
    cairo_set_source_rgba(cr, 0.1, 0.1, 0.1, 0.9);
    cairo_set_line_width(cr, lw);
    cairo_stroke(cr);
}

/* ---------------------------------------------------------------- labels */

typedef struct lab_item {
    size_t i;
    double area;
} lab_item;

static int cmp_area_desc(const void *a, const void *b)
{
    const lab_item *x = a, *y = b;
    if (x->area != y->area)
        return x->area < y->area ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* The label text of each feature (malloc'd array of malloc'd strings; NULL = no label), or
 * NULL when the style asks for none. */
char **plot_feature_labels(agglo_ctx *ctx, const agglo_layer *layer, const agglo_plot_style *st,
                           int *rc)
{
    *rc = AGGLO_OK;
    size_t n = agglo_layer_count(layer);
    if (!st->labels && !(st->label_field && *st->label_field))
        return NULL;
    long col = -1;
    const agglo_table *t = agglo_layer_table(layer);
    if (!st->labels) {
        col = t ? agglo_table_find(t, st->label_field) : -1;
        if (col < 0) {
            *rc = agglo_error(ctx, AGGLO_E_USAGE, "%s: no field '%s' to label the map with",
                              agglo_layer_path(layer) ? agglo_layer_path(layer) : "layer",
                              st->label_field);
            return NULL;
        }
    }
    char **out = agglo_calloc(ctx, n ? n : 1, sizeof *out);
    if (!out) {
        *rc = AGGLO_E_NOMEM;
        return NULL;
    }
    const unsigned char *nulls = col >= 0 ? agglo_table_nulls(t, (size_t)col) : NULL;
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        if (st->labels) {
            if (!st->labels[i])
                continue;
            snprintf(buf, sizeof buf, "%s", st->labels[i]);
        } else {
            if (nulls && nulls[i])
                continue;
            agglo_table_cell_text(t, i, (size_t)col, buf, sizeof buf);
        }
        if (!*buf)
            continue;
        out[i] = strdup(buf);
    }
    return out;
}

/* Writes labels at point-on-surface positions, largest features first, skipping any that
 * would overlap a placed one or leave the map area. Returns the number placed. */
size_t plot_draw_labels(agglo_ctx *ctx, cairo_t *cr, const agglo_layer *layer, char **labels,
                        const map_frame *f, double size, double clip_x0, double clip_y0,
                        double clip_x1, double clip_y1)
{
    size_t n = agglo_layer_count(layer);
    if (!labels || n == 0)
        return 0;
    GEOSContextHandle_t h = agglo_ctx_geos(ctx);
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    lab_item *it = malloc(n * sizeof *it);
    double *box = malloc(4 * n * sizeof *box);
    size_t placed = 0;
    if (!x || !y || !it || !box || agglo_layer_coords(ctx, layer, 1, x, y) != AGGLO_OK)
        goto out;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(layer, i);
        if (!labels[i] || !g || !isfinite(x[i]) || !isfinite(y[i]))
            continue;
        double a = 0;
        if (GEOSArea_r(h, g, &a) != 1)
            a = 0;
        it[m].i = i;
        it[m].area = a;
        m++;
    }
    qsort(it, m, sizeof *it, cmp_area_desc);
    for (size_t t = 0; t < m; t++) {
        size_t i = it[t].i;
        double px, py, w, hh;
        plot_to_px(f, x[i], y[i], &px, &py);
        plot_text_extent(cr, size, 0, labels[i], &w, &hh);
        double b0 = px - w / 2 - 1, b1 = py - hh / 2, b2 = px + w / 2 + 1, b3 = py + hh / 2;
        if (b0 < clip_x0 || b2 > clip_x1 || b1 < clip_y0 || b3 > clip_y1)
            continue;
        int clash = 0;
        for (size_t q = 0; q < placed && !clash; q++) {
            const double *o = box + 4 * q;
            clash = !(b2 < o[0] || b0 > o[2] || b3 < o[1] || b1 > o[3]);
        }
        if (clash)
            continue;
        double *o = box + 4 * placed++;
        o[0] = b0; o[1] = b1; o[2] = b2; o[3] = b3;
        plot_text_halo(cr, px, py, size, labels[i]);
    }
out:
    free(x);
    free(y);
    free(it);
    free(box);
    return placed;
}

void plot_free_labels(char **labels, size_t n)
{
    if (!labels)
        return;
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
}

/* ---------------------------------------------------------------- the map figure */

/* Furniture column: north arrow, scale bar, CRS from y downwards at x (width w); returns y. */
double plot_furniture(cairo_t *cr, const agglo_plot_style *st, const plot_crs *c,
                      const map_frame *f, double x, double y, double w)
{
    if (st->north_arrow)
        y += plot_north_arrow(cr, x + 20, y) + 12;
    if (st->scale_bar && c->known) {
        double used = plot_scale_bar(cr, c, f->scale * f->xscale, f->centre_lat, x + 4, y,
                                     fmin(w - 60, 0.45 * f->pw));
        y += used + (used > 0 ? 12 : 0);
    } else if (st->scale_bar && !c->known) {
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        agglo_plot_text(cr, x, y + 12, 12, 0, 0, "no scale bar: no CRS");
        y += 26;
    }
    if (st->show_crs)
        y += plot_crs_text(cr, c, x, y, w - 10) + 6;
    return y;
}

/* Draws the map with feature i filled fills[i] (PLOT_HATCH allowed), over[i] non-zero
 * hatched over the fill, and the given legend; writes path. */
static int draw_map(agglo_ctx *ctx, const agglo_layer *layer, const agglo_rgb *fills,
                    const unsigned char *over, const char *title, const char *legend_heading,
                    int nlegend, const agglo_rgb *legend_colours,
                    const char *const *legend_labels, const char *path,
                    const agglo_plot_style *style)
{
    GEOSContextHandle_t h = agglo_ctx_geos(ctx);
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title);
    const double legend_w = 340, margin = 20;
    double W, H;
    int fixed_h;
    plot_layout(&st, title, AGGLO_PLOT_WIDTH, AGGLO_PLOT_HEIGHT, &W, &H, &fixed_h);
    double need_legend = (legend_heading ? 28 : 0) + nlegend * 28.0 + 40 + 80 + 70 + 60;
    if (!fixed_h) {
        /* height follows the layer's aspect (no empty bands), with room for the legend */
        double aw = W - legend_w - 2 * margin;
        double need_map = aw * plot_layer_aspect(layer) + 2 * margin;
        H = fmax(fmin(need_map, 1.4 * W), fmax(need_legend, 420));
    }
    int rc;
    char **labels = plot_feature_labels(ctx, layer, &st, &rc);
    if (rc)
        return rc;
    map_frame f;
    double mx = margin, my = margin, mw = W - legend_w - 2 * margin, mh = H - 2 * margin;
    if ((rc = plot_frame_fit(ctx, layer, mx, my, mw, mh, &f))) {
        plot_free_labels(labels, agglo_layer_count(layer));
        return rc;
    }
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv) {
        plot_free_labels(labels, agglo_layer_count(layer));
        return agglo_ctx_errcode(ctx);
    }
    cairo_t *cr = cv->cr;
    size_t n = agglo_layer_count(layer);
    double dot = n > 5000 ? 1.8 : n > 1000 ? 3 : 5;
    cairo_pattern_t *hatch = plot_hatch_pattern(), *hover = hatch_over_pattern();
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(layer, i);
        if (g)
            draw_feature(h, g, &f, cr, fills[i], dot, st.line_width, hatch,
                         over && over[i] ? hover : NULL);
    }
    cairo_pattern_destroy(hatch);
    cairo_pattern_destroy(hover);
    if (st.overlay)
        plot_outline_layer(ctx, cr, st.overlay, &f, 1.6);
    plot_draw_labels(ctx, cr, layer, labels, &f, st.label_size, mx, my, mx + mw, my + mh);
    plot_free_labels(labels, n);
    double lx = W - legend_w;
    double y = agglo_plot_legend(cr, lx, margin + 10, legend_heading, nlegend, legend_colours,
                                 legend_labels);
    plot_crs c;
    plot_crs_of(&st, layer, &c);
    plot_furniture(cr, &st, &c, &f, lx, y + 24, legend_w - 10);
    return plot_end(cv);
}

int agglo_plot_map_categories(agglo_ctx *ctx, const agglo_layer *layer, const int *category,
                              int ncategories, const char *const *labels,
                              const agglo_rgb *colours, const char *title, const char *path,
                              const agglo_plot_style *style)
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
        fills[i] = c < 0 ? PLOT_NODATA : colours[c];
        counts[c < 0 ? ncategories : c]++;
    }
    int nl = 0;
    for (int k = 0; k <= ncategories; k++) {
        if (k == ncategories && counts[k] == 0)
            break;
        lc[nl] = k < ncategories ? colours[k] : PLOT_NODATA;
        if (asprintf(&lab[nl], "%s (%zu)", k < ncategories ? labels[k] : "no data", counts[k]) < 0) {
            lab[nl] = NULL;
            goto out;
        }
        nl++;
    }
    rc = draw_map(ctx, layer, fills, NULL, title, NULL, nl, lc, (const char *const *)lab, path,
                  style);
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

/* Symmetric classes around 0 from quantiles of |v| (the diverging default). */
static int symmetric_breaks(agglo_ctx *ctx, const double *values, size_t n, int nclasses,
                            double **breaks, size_t *nbreaks)
{
    double *s = agglo_malloc(ctx, (n ? n : 1) * sizeof *s);
    double *b = agglo_malloc(ctx, 30 * sizeof *b);
    if (!s || !b) {
        free(s);
        free(b);
        return AGGLO_E_NOMEM;
    }
    size_t m = 0;
    double amax = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(values[i])) {
            s[m++] = fabs(values[i]);
            amax = fmax(amax, fabs(values[i]));
        }
    if (m == 0) {
        free(s);
        free(b);
        return agglo_error(ctx, AGGLO_E_EMPTY, "plot: no finite values to classify");
    }
    qsort(s, m, sizeof *s, cmp_double);
    int odd = nclasses % 2, h = nclasses / 2;
    double t[13];
    int nt = 0;
    if (odd)
        for (int k = 1; k <= h; k++)
            t[nt++] = quantile(s, m, (double)k / (h + 1));
    else
        for (int k = 1; k < h; k++)
            t[nt++] = quantile(s, m, (double)k / h);
    int w = 0;
    for (int k = 0; k < nt; k++)
        if (t[k] > 0 && t[k] < amax && (w == 0 || t[k] > t[w - 1]))
            t[w++] = t[k];
    nt = w;
    double top = amax > 0 ? amax : 1;
    size_t nb = 0;
    b[nb++] = -top;
    for (int k = nt - 1; k >= (odd ? 0 : 0); k--)
        b[nb++] = -t[k];
    if (!odd)
        b[nb++] = 0;
    for (int k = 0; k < nt; k++)
        b[nb++] = t[k];
    b[nb++] = top;
    /* odd: the middle class is (-t0, t0], already there; drop repeated */
    size_t u = 0;
    for (size_t i = 0; i < nb; i++)
        if (u == 0 || b[i] > b[u - 1])
            b[u++] = b[i];
    free(s);
    *breaks = b;
    *nbreaks = u;
    return AGGLO_OK;
}

int agglo_plot_value_breaks(agglo_ctx *ctx, const double *values, size_t n,
                            agglo_palette palette, int nclasses, const agglo_plot_style *style,
                            double **breaks, size_t *nbreaks)
{
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    if (st.nclasses > 0)
        nclasses = st.nclasses;
    if (nclasses <= 0)
        nclasses = 5;
    if (nclasses > 12)
        nclasses = 12;
    if (palette == AGGLO_PALETTE_DIVERGING && !(st.breaks && st.nbreaks >= 2) &&
        st.breaks_method < 0)
        return symmetric_breaks(ctx, values, n, nclasses, breaks, nbreaks);
    return plot_breaks(ctx, values, n, &st, AGGLO_DISC_QUANTILE, nclasses, breaks, nbreaks);
}

static int class_of(double v, const double *b, size_t nb)
{
    size_t K = nb - 1;
    for (size_t k = 0; k < K; k++)
        if (v <= b[k + 1])
            return (int)k;
    return (int)K - 1;
}

static void class_colours(agglo_palette palette, const double *b, size_t nb, agglo_rgb *col)
{
    size_t K = nb - 1;
    if (palette == AGGLO_PALETTE_DIVERGING) {
        double top = fmax(fabs(b[0]), fabs(b[nb - 1]));
        if (!(top > 0))
            top = 1;
        for (size_t k = 0; k < K; k++) {
            double mid = 0.5 * (b[k] + b[k + 1]) / top;
            col[k] = lerp_stops(RDBU, 5, 0.5 + 0.5 * mid);
        }
    } else {
        for (size_t k = 0; k < K; k++)
            col[k] = lerp_stops(VIRIDIS, 5, K == 1 ? 0.5 : (double)k / (double)(K - 1));
    }
}

static const char *breaks_heading(agglo_palette palette, const agglo_plot_style *st)
{
    if (st->value_label && *st->value_label)
        return st->value_label;
    if (st->breaks && st->nbreaks >= 2)
        return "Classes";
    if (st->breaks_method >= 0 && st->breaks_method < AGGLO_DISC_NMETHODS) {
        static const char *const names[] = {"Classes (equal interval)", "Classes (natural breaks)",
                                            "Classes (quantiles)", "Classes (geometric)",
                                            "Classes (standard deviation)"};
        return names[st->breaks_method];
    }
    return palette == AGGLO_PALETTE_DIVERGING ? "Classes (symmetric quantiles)"
                                              : "Classes (quantiles)";
}

/* Shared by the value and coefficient maps: classes of values (significant[i] == 0 ->
 * hatched over, counted as "not significant"). */
static int classed_map(agglo_ctx *ctx, const agglo_layer *layer, const double *values,
                       const unsigned char *significant, agglo_palette palette, int nclasses,
                       const char *title, const char *path, const agglo_plot_style *style)
{
    size_t n = agglo_layer_count(layer);
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    double *b = NULL;
    size_t nb = 0;
    int rc = agglo_plot_value_breaks(ctx, values, n, palette, nclasses, &st, &b, &nb);
    if (rc == AGGLO_E_EMPTY) {
        /* nothing finite: every feature is "no data" */
        agglo_ctx_clear_error(ctx);
        rc = AGGLO_OK;
        b = agglo_malloc(ctx, 2 * sizeof *b);
        if (!b)
            return AGGLO_E_NOMEM;
        b[0] = 0;
        b[1] = 1;
        nb = 2;
    }
    if (rc)
        return rc;
    size_t K = nb - 1;
    agglo_rgb *col = agglo_malloc(ctx, (K + 2) * sizeof *col);
    char **lab = agglo_calloc(ctx, K + 2, sizeof *lab);
    size_t *counts = agglo_calloc(ctx, K + 2, sizeof *counts);
    agglo_rgb *fills = agglo_malloc(ctx, (n ? n : 1) * sizeof *fills);
    unsigned char *over = agglo_calloc(ctx, n ? n : 1, 1);
    int nl = 0;
    rc = AGGLO_E_NOMEM;
    if (!col || !lab || !counts || !fills || !over)
        goto out;
    class_colours(palette, b, nb, col);
    size_t nnodata = 0, nnotsig = 0;
    for (size_t i = 0; i < n; i++) {
        double v = values[i];
        if (!isfinite(v)) {
            fills[i] = PLOT_NODATA;
            nnodata++;
            continue;
        }
        int c = class_of(v, b, nb);
        fills[i] = col[c];
        if (significant && !significant[i]) {
            over[i] = 1;
            nnotsig++;
        } else
            counts[c]++;
    }
    for (size_t k = 0; k < K; k++) {
        char a[32], z[32];
        plot_fmt_num(a, sizeof a, b[k]);
        plot_fmt_num(z, sizeof z, b[k + 1]);
        if (asprintf(&lab[nl], "%s to %s (%zu)", a, z, counts[k]) < 0) {
            lab[nl] = NULL;
            goto out;
        }
        nl++;
    }
    if (significant) {
        col[nl] = PLOT_HATCH;
        if (asprintf(&lab[nl], "not significant (%zu)", nnotsig) < 0) {
            lab[nl] = NULL;
            goto out;
        }
        nl++;
    }
    if (nnodata) {
        col[nl] = PLOT_NODATA;
        if (asprintf(&lab[nl], "no data (%zu)", nnodata) < 0) {
            lab[nl] = NULL;
            goto out;
        }
        nl++;
    }
    rc = draw_map(ctx, layer, fills, significant ? over : NULL, title,
                  breaks_heading(palette, &st), nl, col, (const char *const *)lab, path, &st);
out:
    if (lab)
        for (int k = 0; k < nl; k++)
            free(lab[k]);
    free(lab);
    free(col);
    free(counts);
    free(fills);
    free(over);
    free(b);
    return rc;
}

int agglo_plot_map_values(agglo_ctx *ctx, const agglo_layer *layer, const double *values,
                          agglo_palette palette, int nclasses, const char *title,
                          const char *path, const agglo_plot_style *style)
{
    return classed_map(ctx, layer, values, NULL, palette, nclasses, title, path, style);
}

int agglo_plot_map_coefficient(agglo_ctx *ctx, const agglo_layer *layer, const double *values,
                               const unsigned char *significant, int nclasses,
                               const char *title, const char *path,
                               const agglo_plot_style *style)
{
    return classed_map(ctx, layer, values, significant, AGGLO_PALETTE_DIVERGING,
                       nclasses > 0 ? nclasses : 7, title, path, style);
}

/* ---------------------------------------------------------------- panel */

int agglo_plot_map_panel(agglo_ctx *ctx, const agglo_layer *layer, const double *const *values,
                         const unsigned char *const *significant, const char *const *names,
                         size_t k, const char *title, const char *path,
                         const agglo_plot_style *style)
{
    if (k == 0 || !values)
        return agglo_error(ctx, AGGLO_E_USAGE, "plot: a panel needs at least one map");
    GEOSContextHandle_t h = agglo_ctx_geos(ctx);
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title);
    size_t n = agglo_layer_count(layer);
    int cols = k <= 3 ? (int)k : k == 4 ? 2 : 3;
    int rows = (int)((k + (size_t)cols - 1) / (size_t)cols);
    const double legend_w = 230, gap = 16, name_h = 34, foot_h = 120;
    double W, H;
    int fixed_h;
    plot_layout(&st, title, cols == 1 ? 900 : cols == 2 ? 1500 : 2100, 0, &W, &H, &fixed_h);

    double cell_w = (W - gap) / cols;
    double mapw = cell_w - legend_w - gap;
    double maph = mapw * plot_layer_aspect(layer);
    if (maph < 7 * 24 + 60)
        maph = 7 * 24 + 60;
    if (maph > 1.3 * mapw)
        maph = 1.3 * mapw;
    double cell_h = name_h + maph + gap;
    if (fixed_h) {
        cell_h = (H - foot_h) / rows;
        maph = cell_h - name_h - gap;
    } else
        H = rows * cell_h + foot_h;
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv)
        return agglo_ctx_errcode(ctx);
    cairo_t *cr = cv->cr;
    int rc = AGGLO_OK;
    agglo_rgb col[16];
    map_frame f = {0};
    cairo_pattern_t *hatch = plot_hatch_pattern(), *hover = hatch_over_pattern();
    double dot = n > 5000 ? 1.5 : n > 1000 ? 2.5 : 4;
    for (size_t j = 0; j < k && !rc; j++) {
        int r = (int)(j / (size_t)cols), c = (int)(j % (size_t)cols);
        double x0 = gap + c * cell_w, y0 = r * cell_h;
        double *b = NULL;
        size_t nb = 0;
        rc = agglo_plot_value_breaks(ctx, values[j], n, AGGLO_PALETTE_DIVERGING, 7, &st, &b, &nb);
        if (rc == AGGLO_E_EMPTY) {
            agglo_ctx_clear_error(ctx);
            rc = AGGLO_OK;
            cairo_set_source_rgb(cr, 0, 0, 0);
            agglo_plot_text(cr, x0 + mapw / 2, y0 + name_h + maph / 2, 16, 0, 1,
                            "no finite values");
            continue;
        }
        if (rc)
            break;
        if (nb - 1 > 14)
            nb = 15;
        class_colours(AGGLO_PALETTE_DIVERGING, b, nb, col);
        if ((rc = plot_frame_fit(ctx, layer, x0, y0 + name_h, mapw, maph, &f))) {
            free(b);
            break;
        }
        const unsigned char *sig = significant ? significant[j] : NULL;
        size_t nnd = 0, nns = 0;
        for (size_t i = 0; i < n; i++) {
            const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(layer, i);
            double v = values[j][i];
            agglo_rgb fill = isfinite(v) ? col[class_of(v, b, nb)] : PLOT_NODATA;
            nnd += !isfinite(v);
            int ns = isfinite(v) && sig && !sig[i];
            nns += ns;
            if (g)
                draw_feature(h, g, &f, cr, fill, dot, 0.4 * st.line_width / 0.6, hatch,
                             ns ? hover : NULL);
        }
        if (st.overlay)
            plot_outline_layer(ctx, cr, st.overlay, &f, 1.2);
        cairo_set_source_rgb(cr, 0, 0, 0);
        agglo_plot_text(cr, x0 + mapw / 2, y0 + name_h - 10, 18, 1, 1,
                        names && names[j] ? names[j] : "");
        /* compact legend */
        double ly = y0 + name_h + 4;
        for (size_t q = 0; q + 1 < nb; q++) {
            char a[32], z[32], buf[80];
            plot_fmt_num(a, sizeof a, b[q]);
            plot_fmt_num(z, sizeof z, b[q + 1]);
            snprintf(buf, sizeof buf, "%s to %s", a, z);
            cairo_rectangle(cr, x0 + mapw + gap, ly, 20, 15);
            cairo_set_source_rgb(cr, col[q].r, col[q].g, col[q].b);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
            cairo_set_line_width(cr, 0.8);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            agglo_plot_text(cr, x0 + mapw + gap + 26, ly + 12, 12, 0, 0, buf);
            ly += 21;
        }
        struct { size_t count; const char *what; agglo_rgb c; } extra[2] = {
            {nns, "not significant", PLOT_HATCH}, {nnd, "no data", PLOT_NODATA}};
        for (int e = 0; e < 2; e++) {
            if (!extra[e].count && !(e == 0 && sig))
                continue;
            char buf[80];
            snprintf(buf, sizeof buf, "%s (%zu)", extra[e].what, extra[e].count);
            cairo_rectangle(cr, x0 + mapw + gap, ly, 20, 15);
            plot_set_fill(cr, extra[e].c, hatch);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            agglo_plot_text(cr, x0 + mapw + gap + 26, ly + 12, 12, 0, 0, buf);
            ly += 21;
        }
        free(b);
    }
    cairo_pattern_destroy(hatch);
    cairo_pattern_destroy(hover);
    if (rc) {
        plot_abort(cv);
        return rc;
    }
    /* one set of furniture for the figure, along the bottom (scale of the last panel: all
     * panels share one scale) */
    plot_crs c;
    plot_crs_of(&st, layer, &c);
    double fy = H - foot_h + 6;
    if (st.north_arrow)
        plot_north_arrow(cr, gap + 20, fy);
    if (st.scale_bar && c.known)
        plot_scale_bar(cr, &c, f.scale * f.xscale, f.centre_lat, gap + 70, fy + 20,
                       fmin(300, 0.45 * f.pw));
    if (st.show_crs)
        plot_crs_text(cr, &c, gap + 420, fy + 24, W - gap - 440);
    return plot_end(cv);
}
