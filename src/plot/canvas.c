/* The canvas shared by every figure: output format from the extension (PNG through an image
 * surface at the style's dpi, SVG and PDF through cairo's vector surfaces), header (title,
 * subtitle) and footer (caption), text through Pango + fontconfig (so any installed font
 * with the glyph is used, CJK included), legends and map furniture. */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "agglo/discretize.h"
#include "../core/core_internal.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>
#include <cpl_error.h>
#include <ogr_srs_api.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_FONT "DejaVu Sans, WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif"

/* ---------------------------------------------------------------- style */

void agglo_plot_style_init(agglo_plot_style *s)
{
    memset(s, 0, sizeof *s);
    s->dpi = 150;
    s->size_unit = AGGLO_PLOT_UNIT_PX;
    s->format = AGGLO_PLOT_FORMAT_AUTO;
    s->scale_bar = 1;
    s->north_arrow = 1;
    s->show_crs = 1;
    s->breaks_method = -1;
    s->label_size = 11;
    s->line_width = 0.6;
}

void plot_style_resolve(const agglo_plot_style *style, agglo_plot_style *out)
{
    if (style)
        *out = *style;
    else
        agglo_plot_style_init(out);
    if (!(out->dpi > 0) || !isfinite(out->dpi))
        out->dpi = 150;
    if (!out->font || !*out->font)
        out->font = DEFAULT_FONT;
    if (!(out->label_size > 0))
        out->label_size = 11;
    if (!(out->line_width > 0))
        out->line_width = 0.6;
}

agglo_plot_format agglo_plot_format_of(const agglo_plot_style *style, const char *path)
{
    if (style && style->format != AGGLO_PLOT_FORMAT_AUTO)
        return style->format;
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (dot && strcasecmp(dot, ".svg") == 0)
        return AGGLO_PLOT_FORMAT_SVG;
    if (dot && strcasecmp(dot, ".pdf") == 0)
        return AGGLO_PLOT_FORMAT_PDF;
    return AGGLO_PLOT_FORMAT_PNG;
}

const char *plot_title(const agglo_plot_style *st, const char *deflt)
{
    return st && st->title ? st->title : deflt;
}

void plot_bands(const agglo_plot_style *st, const char *title, double *header, double *footer)
{
    int has_title = title && *title, has_sub = st->subtitle && *st->subtitle;
    *header = has_title ? 62 : 14;
    if (has_sub)
        *header += has_title ? 26 : 34;
    *footer = st->caption && *st->caption ? 34 : 0;
}

/* figure units per size unit */
static double size_to_units(const agglo_plot_style *st, double v)
{
    if (st->size_unit == AGGLO_PLOT_UNIT_MM)
        return v / 25.4 * 150.0; /* figure units are 1/150 inch */
    return v * 150.0 / st->dpi;  /* pixels at dpi */
}

void plot_layout(const agglo_plot_style *st, const char *title, double defw, double defh,
                 double *w, double *h, int *fixed_h)
{
    double hd, ft;
    plot_bands(st, title, &hd, &ft);
    *w = st->width > 0 ? size_to_units(st, st->width) : defw;
    *h = st->height > 0 ? size_to_units(st, st->height) - hd - ft : defh;
    if (*w < 200)
        *w = 200;
    if (*h < 150)
        *h = 150;
    if (fixed_h)
        *fixed_h = st->height > 0;
}

/* ---------------------------------------------------------------- canvas */

static const cairo_user_data_key_t CANVAS_KEY;

static cairo_status_t stream_write(void *closure, const unsigned char *data, unsigned int length)
{
    FILE *fp = closure;
    return fwrite(data, 1, length, fp) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

plot_canvas *plot_begin(agglo_ctx *ctx, const agglo_plot_style *style, const char *path,
                        const char *title, double w, double h)
{
    if (!path || !*path) {
        agglo_error(ctx, AGGLO_E_USAGE, "plot: no output path");
        return NULL;
    }
    plot_canvas *cv = agglo_calloc(ctx, 1, sizeof *cv);
    if (!cv)
        return NULL;
    cv->ctx = ctx;
    plot_style_resolve(style, &cv->st);
    cv->path = path;
    cv->format = agglo_plot_format_of(style, path);
    /* a size the figure chose itself (a map's height from the layer's aspect) is a whole
     * number of figure units, so that --dpi 300 gives exactly twice the pixels of 150 */
    if (!(cv->st.width > 0))
        w = round(w);
    if (!(cv->st.height > 0))
        h = round(h);
    cv->W = w;
    cv->H = h;
    plot_bands(&cv->st, title, &cv->header, &cv->footer);
    double tw = w, th = cv->header + h + cv->footer;
    if (cv->format == AGGLO_PLOT_FORMAT_PNG) {
        cv->k = cv->st.dpi / 150.0;
        /* nearest pixel: 180 mm at 300 dpi is 2126 px (2125.98), 120 mm 1417 (1417.32) */
        double pw = fmax(1, round(tw * cv->k)), ph = fmax(1, round(th * cv->k));
        if (!(pw >= 1 && ph >= 1 && pw <= 32767 && ph <= 32767)) {
            agglo_error(ctx, AGGLO_E_USAGE, "%s: a %.0f x %.0f pixel image is too large", path,
                        pw, ph);
            free(cv);
            return NULL;
        }
        cv->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)pw, (int)ph);
        if (cairo_surface_status(cv->surface) != CAIRO_STATUS_SUCCESS) {
            cairo_surface_destroy(cv->surface);
            agglo_error(ctx, AGGLO_E_NOMEM, "%s: cannot create a %.0fx%.0f image", path, pw, ph);
            free(cv);
            return NULL;
        }
    } else {
        cv->out = agglo_output_open(ctx, path);
        if (!cv->out) {
            free(cv);
            return NULL;
        }
        cv->k = 72.0 / 150.0; /* points */
        FILE *fp = agglo_output_stream(cv->out);
        if (cv->format == AGGLO_PLOT_FORMAT_SVG)
            cv->surface = cairo_svg_surface_create_for_stream(stream_write, fp, tw * cv->k,
                                                              th * cv->k);
        else
            cv->surface = cairo_pdf_surface_create_for_stream(stream_write, fp, tw * cv->k,
                                                              th * cv->k);
        if (cairo_surface_status(cv->surface) != CAIRO_STATUS_SUCCESS) {
            agglo_error(ctx, AGGLO_E_IO, "%s: cannot start the %s surface (%s)", path,
                        cv->format == AGGLO_PLOT_FORMAT_SVG ? "SVG" : "PDF",
                        cairo_status_to_string(cairo_surface_status(cv->surface)));
            cairo_surface_destroy(cv->surface);
            agglo_output_abort(cv->out);
            free(cv);
            return NULL;
        }
        if (cv->format == AGGLO_PLOT_FORMAT_PDF)
            cairo_pdf_surface_set_metadata(cv->surface, CAIRO_PDF_METADATA_CREATOR, "agglo");
    }
    cv->cr = cairo_create(cv->surface);
    cairo_set_user_data(cv->cr, &CANVAS_KEY, cv, NULL);
    cairo_scale(cv->cr, cv->k, cv->k);
    cairo_set_source_rgb(cv->cr, 1, 1, 1);
    cairo_paint(cv->cr);
    cairo_set_line_join(cv->cr, CAIRO_LINE_JOIN_ROUND);
    /* header */
    cairo_set_source_rgb(cv->cr, 0, 0, 0);
    double y = 0;
    if (title && *title) {
        agglo_plot_text(cv->cr, tw / 2, 42, 24, 1, 1, title);
        y = 62;
    }
    if (cv->st.subtitle && *cv->st.subtitle) {
        cairo_set_source_rgb(cv->cr, 0.25, 0.25, 0.25);
        agglo_plot_text(cv->cr, tw / 2, y + (y > 0 ? 12 : 30), 16, 0, 1, cv->st.subtitle);
    }
    /* footer */
    if (cv->footer > 0) {
        cairo_set_source_rgb(cv->cr, 0.3, 0.3, 0.3);
        agglo_plot_text(cv->cr, 16, th - 12, 12, 0, 0, cv->st.caption);
    }
    cairo_set_source_rgb(cv->cr, 0, 0, 0);
    cairo_translate(cv->cr, 0, cv->header);
    return cv;
}

void plot_abort(plot_canvas *cv)
{
    if (!cv)
        return;
    if (cv->cr)
        cairo_destroy(cv->cr);
    if (cv->surface) {
        if (cv->format != AGGLO_PLOT_FORMAT_PNG)
            cairo_surface_finish(cv->surface);
        cairo_surface_destroy(cv->surface);
    }
    if (cv->out)
        agglo_output_abort(cv->out);
    free(cv);
}

int plot_end(plot_canvas *cv)
{
    agglo_ctx *ctx = cv->ctx;
    const char *path = cv->path;
    int unknown = cv->unknown;
    cairo_destroy(cv->cr);
    cv->cr = NULL;
    int rc = AGGLO_OK;
    if (cv->format == AGGLO_PLOT_FORMAT_PNG) {
        cairo_surface_flush(cv->surface);
        if (cairo_surface_status(cv->surface) != CAIRO_STATUS_SUCCESS) {
            rc = agglo_error(ctx, AGGLO_E_NUMERIC, "%s: drawing failed (%s)", path,
                             cairo_status_to_string(cairo_surface_status(cv->surface)));
            plot_abort(cv);
            return rc;
        }
        cv->out = agglo_output_open(ctx, path);
        if (!cv->out) {
            rc = agglo_ctx_errcode(ctx);
            plot_abort(cv);
            return rc;
        }
        cairo_status_t st = cairo_surface_write_to_png_stream(cv->surface, stream_write,
                                                              agglo_output_stream(cv->out));
        if (st != CAIRO_STATUS_SUCCESS) {
            rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot write PNG (%s)", path,
                             cairo_status_to_string(st));
            plot_abort(cv);
            return rc;
        }
    } else {
        cairo_surface_finish(cv->surface);
        cairo_status_t st = cairo_surface_status(cv->surface);
        if (st != CAIRO_STATUS_SUCCESS) {
            rc = agglo_error(ctx, AGGLO_E_IO, "%s: cannot write %s (%s)", path,
                             cv->format == AGGLO_PLOT_FORMAT_SVG ? "SVG" : "PDF",
                             cairo_status_to_string(st));
            plot_abort(cv);
            return rc;
        }
    }
    cairo_surface_destroy(cv->surface);
    agglo_output *out = cv->out;
    free(cv);
    rc = agglo_output_commit(ctx, out);
    if (rc == AGGLO_OK && unknown > 0)
        agglo_warn(ctx,
                   "%s: %d character%s of the figure's text %s no glyph in any installed font "
                   "(install a font that has them, e.g. Debian's fonts-wqy-microhei or "
                   "fonts-noto-cjk for Chinese, or choose one with --font)",
                   path, unknown, unknown == 1 ? "" : "s", unknown == 1 ? "has" : "have");
    return rc;
}

/* ---------------------------------------------------------------- text */

static PangoLayout *make_layout(cairo_t *cr, double size, int bold, const char *text)
{
    plot_canvas *cv = cairo_get_user_data(cr, &CANVAS_KEY);
    PangoLayout *lay = pango_cairo_create_layout(cr);
    /* metrics independent of the device scale: the same layout at any dpi and in vectors */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(pango_layout_get_context(lay), fo);
    cairo_font_options_destroy(fo);
    pango_layout_context_changed(lay);
    PangoFontDescription *fd = pango_font_description_from_string(cv ? cv->st.font : DEFAULT_FONT);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(lay, fd);
    pango_font_description_free(fd);
    pango_layout_set_text(lay, text, -1);
    if (cv)
        cv->unknown += pango_layout_get_unknown_glyphs_count(lay);
    return lay;
}

void agglo_plot_text(cairo_t *cr, double x, double y, double size, int bold, int anchor,
                     const char *text)
{
    if (!text || !*text)
        return;
    PangoLayout *lay = make_layout(cr, size, bold, text);
    PangoRectangle lr;
    pango_layout_get_extents(lay, NULL, &lr);
    double w = (double)lr.width / PANGO_SCALE;
    double base = (double)pango_layout_get_baseline(lay) / PANGO_SCALE;
    double dx = anchor == 1 ? -w / 2 : anchor == 2 ? -w : 0;
    cairo_move_to(cr, x + dx, y - base);
    pango_cairo_show_layout(cr, lay);
    cairo_new_path(cr);
    g_object_unref(lay);
}

void plot_text_extent(cairo_t *cr, double size, int bold, const char *text, double *w,
                      double *h)
{
    *w = *h = 0;
    if (!text || !*text)
        return;
    PangoLayout *lay = make_layout(cr, size, bold, text);
    PangoRectangle lr;
    pango_layout_get_extents(lay, NULL, &lr);
    *w = (double)lr.width / PANGO_SCALE;
    *h = (double)lr.height / PANGO_SCALE;
    g_object_unref(lay);
}

void plot_text_halo(cairo_t *cr, double x, double y, double size, const char *text)
{
    if (!text || !*text)
        return;
    PangoLayout *lay = make_layout(cr, size, 0, text);
    PangoRectangle lr;
    pango_layout_get_extents(lay, NULL, &lr);
    double w = (double)lr.width / PANGO_SCALE, h = (double)lr.height / PANGO_SCALE;
    cairo_save(cr);
    cairo_move_to(cr, x - w / 2, y - h / 2);
    pango_cairo_layout_path(cr, lay);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_set_line_width(cr, fmax(2.0, size / 4));
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    cairo_move_to(cr, x - w / 2, y - h / 2);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
    pango_cairo_show_layout(cr, lay);
    cairo_new_path(cr);
    cairo_restore(cr);
    g_object_unref(lay);
}

void agglo_plot_text_vertical(cairo_t *cr, double x, double y, double size, const char *text)
{
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_rotate(cr, -M_PI / 2);
    agglo_plot_text(cr, 0, 0, size, 0, 1, text);
    cairo_restore(cr);
}

/* ---------------------------------------------------------------- legend and fills */

cairo_pattern_t *plot_hatch_pattern(void)
{
    cairo_surface_t *t = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 8, 8);
    cairo_t *c = cairo_create(t);
    cairo_set_source_rgb(c, 1, 1, 1);
    cairo_paint(c);
    cairo_set_source_rgb(c, 0.5, 0.5, 0.5);
    cairo_set_line_width(c, 1.2);
    cairo_move_to(c, -1, 9);
    cairo_line_to(c, 9, -1);
    cairo_move_to(c, 7, 9);
    cairo_line_to(c, 9, 7);
    cairo_move_to(c, -1, 1);
    cairo_line_to(c, 1, -1);
    cairo_stroke(c);
    cairo_destroy(c);
    cairo_pattern_t *p = cairo_pattern_create_for_surface(t);
    cairo_pattern_set_extend(p, CAIRO_EXTEND_REPEAT);
    cairo_surface_destroy(t);
    return p;
}

void plot_set_fill(cairo_t *cr, agglo_rgb c, cairo_pattern_t *hatch)
{
    if (c.r < 0 && hatch)
        cairo_set_source(cr, hatch);
    else if (c.r < 0)
        cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    else
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

double agglo_plot_legend(cairo_t *cr, double x, double y, const char *heading, int n,
                         const agglo_rgb *colours, const char *const *labels)
{
    double sw = 26, sh = 20, gap = 8;
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (heading && *heading) {
        agglo_plot_text(cr, x, y + 16, 16, 1, 0, heading);
        y += 28;
    }
    cairo_pattern_t *hatch = plot_hatch_pattern();
    for (int k = 0; k < n; k++) {
        double yy = y + k * (sh + gap);
        cairo_rectangle(cr, x, yy, sw, sh);
        plot_set_fill(cr, colours[k], hatch);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        agglo_plot_text(cr, x + sw + 10, yy + sh - 4, 15, 0, 0, labels[k]);
    }
    cairo_pattern_destroy(hatch);
    return y + n * (sh + gap);
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

void plot_fmt_num(char *buf, size_t size, double v)
{
    if (fabs(v) < 1e-12)
        v = 0; /* rounding noise of densities and coefficients */
    if (v == 0)
        snprintf(buf, size, "0");
    else if (fabs(v) >= 1e4 && fabs(v) < 1e10)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%.4g", v);
}

/* ---------------------------------------------------------------- CRS and furniture */

void plot_crs_of(const agglo_plot_style *st, const agglo_layer *layer, plot_crs *c)
{
    memset(c, 0, sizeof *c);
    const char *def = st && st->crs && *st->crs ? st->crs : layer ? agglo_layer_crs_wkt(layer) : NULL;
    if (!def || !*def)
        return;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs)
        return;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    OGRErr e = OSRSetFromUserInput(srs, def);
    CPLPopErrorHandler();
    if (e == OGRERR_NONE) {
        c->known = 1;
        c->geographic = OSRIsGeographic(srs);
        if (!c->geographic && OSRIsProjected(srs))
            c->unit_m = OSRGetLinearUnits(srs, NULL);
        const char *name = OSRGetName(srs);
        const char *auth = OSRGetAuthorityName(srs, NULL);
        const char *code = OSRGetAuthorityCode(srs, NULL);
        if (!auth || !code) {
            OSRAutoIdentifyEPSG(srs);
            auth = OSRGetAuthorityName(srs, NULL);
            code = OSRGetAuthorityCode(srs, NULL);
        }
        if (auth && code)
            snprintf(c->name, sizeof c->name, "%.110s (%s:%s)", name ? name : "unnamed", auth,
                     code);
        else
            snprintf(c->name, sizeof c->name, "%.150s", name ? name : "unnamed");
    }
    OSRDestroySpatialReference(srs);
}

double plot_north_arrow(cairo_t *cr, double x, double y)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    agglo_plot_text(cr, x, y + 16, 17, 1, 1, "N");
    double t = y + 22;
    cairo_new_path(cr);
    cairo_move_to(cr, x, t);
    cairo_line_to(cr, x - 11, t + 36);
    cairo_line_to(cr, x, t + 27);
    cairo_close_path(cr);
    cairo_fill(cr);
    cairo_move_to(cr, x, t);
    cairo_line_to(cr, x + 11, t + 36);
    cairo_line_to(cr, x, t + 27);
    cairo_close_path(cr);
    cairo_set_line_width(cr, 1.2);
    cairo_stroke(cr);
    return 66;
}

/* metres per degree of longitude at latitude lat (WGS84 ellipsoid) */
static double m_per_deg_lon(double lat)
{
    const double a = 6378137.0, e2 = 0.00669437999014;
    double phi = lat * M_PI / 180;
    return M_PI * a * cos(phi) / (180 * sqrt(1 - e2 * sin(phi) * sin(phi)));
}

double plot_scale_bar(cairo_t *cr, const plot_crs *c, double px_per_unit, double centre_lat,
                      double x, double y, double max_len)
{
    char buf[96];
    double px_per_m;
    if (c->geographic) {
        double m = m_per_deg_lon(centre_lat);
        if (!(m > 1))
            return 0;
        px_per_m = px_per_unit / m;
    } else if (c->unit_m > 0) {
        px_per_m = px_per_unit / c->unit_m;
    } else {
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        agglo_plot_text(cr, x, y + 12, 12, 0, 0, "no scale bar: the CRS's unit is unknown");
        return 22;
    }
    if (!(px_per_m > 0) || !isfinite(px_per_m))
        return 0;
    double maxm = max_len / px_per_m;
    double step = agglo_plot_nice_step(maxm * 0.9, 1);
    while (step * px_per_m > max_len)
        step /= 2;
    /* four segments when the step splits nicely, else two */
    double len = step * px_per_m;
    int nseg = 4;
    double seg = len / nseg;
    cairo_set_line_width(cr, 1);
    for (int s = 0; s < nseg; s++) {
        cairo_rectangle(cr, x + s * seg, y + 16, seg, 7);
        if (s % 2 == 0)
            cairo_set_source_rgb(cr, 0, 0, 0);
        else
            cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_stroke(cr);
    }
    int km = step >= 1000;
    double v = km ? step / 1000 : step;
    cairo_set_source_rgb(cr, 0, 0, 0);
    agglo_plot_text(cr, x, y + 12, 12, 0, 1, "0");
    snprintf(buf, sizeof buf, "%.6g", v / 2);
    agglo_plot_text(cr, x + len / 2, y + 12, 12, 0, 1, buf);
    snprintf(buf, sizeof buf, "%.6g %s", v, km ? "km" : "m");
    agglo_plot_text(cr, x + len, y + 12, 12, 0, 1, buf);
    double used = 30;
    if (c->geographic) {
        snprintf(buf, sizeof buf, "scale true at %.1f°%s", fabs(centre_lat),
                 centre_lat >= 0 ? "N" : "S");
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        agglo_plot_text(cr, x, y + 42, 11, 0, 0, buf);
        used += 16;
    }
    return used;
}

double plot_crs_text(cairo_t *cr, const plot_crs *c, double x, double y, double width)
{
    if (!c->known)
        return 0;
    char buf[200];
    snprintf(buf, sizeof buf, "CRS: %s", c->name);
    PangoLayout *lay = make_layout(cr, 12, 0, buf);
    pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
    PangoRectangle lr;
    pango_layout_get_extents(lay, NULL, &lr);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, lay);
    cairo_new_path(cr);
    g_object_unref(lay);
    return (double)lr.height / PANGO_SCALE;
}

/* ---------------------------------------------------------------- class breaks */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int plot_breaks(agglo_ctx *ctx, const double *v, size_t n, const agglo_plot_style *st,
                int deflt_method, int k, double **breaks, size_t *nbreaks)
{
    *breaks = NULL;
    *nbreaks = 0;
    if (st && st->breaks && st->nbreaks >= 2) {
        for (size_t i = 1; i < st->nbreaks; i++)
            if (!(st->breaks[i] > st->breaks[i - 1]))
                return agglo_error(ctx, AGGLO_E_USAGE,
                                   "plot: class breaks must be strictly ascending (break %zu)",
                                   i + 1);
        double *b = agglo_malloc(ctx, st->nbreaks * sizeof *b);
        if (!b)
            return AGGLO_E_NOMEM;
        memcpy(b, st->breaks, st->nbreaks * sizeof *b);
        *breaks = b;
        *nbreaks = st->nbreaks;
        return AGGLO_OK;
    }
    int method = st && st->breaks_method >= 0 ? st->breaks_method : deflt_method;
    if (method >= AGGLO_DISC_NMETHODS)
        return agglo_error(ctx, AGGLO_E_USAGE, "plot: unknown class-break method %d", method);
    double *x = agglo_malloc(ctx, (n ? n : 1) * sizeof *x);
    if (!x)
        return AGGLO_E_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            x[m++] = v[i];
    if (m == 0) {
        free(x);
        return agglo_error(ctx, AGGLO_E_EMPTY, "plot: no finite values to classify");
    }
    qsort(x, m, sizeof *x, cmp_double);
    if (x[0] == x[m - 1]) {
        double *b = agglo_malloc(ctx, 2 * sizeof *b);
        if (!b) {
            free(x);
            return AGGLO_E_NOMEM;
        }
        b[0] = x[0];
        b[1] = x[0] + (x[0] == 0 ? 1 : fabs(x[0]) * 1e-9);
        free(x);
        *breaks = b;
        *nbreaks = 2;
        return AGGLO_OK;
    }
    const size_t cap = 4000;
    size_t use = m;
    double lo = x[0], hi = x[m - 1];
    if (method == AGGLO_DISC_NATURAL && m > cap) {
        /* evenly spaced order statistics keep the distribution's shape; the extremes stay */
        for (size_t t = 0; t < cap; t++)
            x[t] = x[(size_t)((double)t * (double)(m - 1) / (double)(cap - 1) + 0.5)];
        use = cap;
    }
    /* distinct values bound the number of classes */
    size_t distinct = 1;
    for (size_t i = 1; i < use && distinct <= (size_t)k; i++)
        distinct += x[i] != x[i - 1];
    if ((size_t)k > distinct)
        k = (int)distinct;
    if (k < 2)
        k = 2;
    int rc = agglo_discretize_breaks(ctx, x, use, (agglo_disc_method)method, k, breaks, nbreaks);
    free(x);
    if (rc)
        return rc;
    /* drop repeated breaks; the ends cover every value */
    size_t w = 0;
    double *b = *breaks;
    for (size_t i = 0; i < *nbreaks; i++)
        if (w == 0 || b[i] > b[w - 1])
            b[w++] = b[i];
    if (w < 2) {
        b[0] = lo;
        b[1] = hi;
        w = 2;
    }
    b[0] = fmin(b[0], lo);
    b[w - 1] = fmax(b[w - 1], hi);
    *nbreaks = w;
    return AGGLO_OK;
}

#if defined(__SANITIZE_ADDRESS__)
/* fontconfig, Pango and GLib keep process-lifetime caches that LeakSanitizer reports as
 * leaks at exit; they are not ours. Executables linking the plotting code in a sanitizer
 * build get these suppressions (LSan looks the hook up by name). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\nleak:libpango-1.0.so\nleak:libpangoft2-1.0.so\n"
           "leak:libpangocairo-1.0.so\nleak:libglib-2.0.so\nleak:libgobject-2.0.so\n"
           "leak:libharfbuzz.so\n";
}
#endif
