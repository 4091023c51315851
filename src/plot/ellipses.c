/* Standard deviational ellipses of several periods on one map with their mean centres joined
 * by arrows (the "centre of gravity migration" figure). */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "map_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ColorBrewer Dark2 then Set1 */
static const agglo_rgb PERIOD[12] = {
    {0.106, 0.620, 0.467}, {0.851, 0.373, 0.008}, {0.459, 0.439, 0.702}, {0.906, 0.161, 0.541},
    {0.400, 0.651, 0.118}, {0.902, 0.671, 0.008}, {0.651, 0.463, 0.114}, {0.400, 0.400, 0.400},
    {0.894, 0.102, 0.110}, {0.216, 0.494, 0.722}, {0.302, 0.686, 0.290}, {0.596, 0.306, 0.639}};

static void ellipse_point(const agglo_plot_ellipse *e, double t, double *x, double *y)
{
    double th = e->rotation * M_PI / 180;
    double u = e->major * cos(t), v = e->minor * sin(t);
    *x = e->cx + u * sin(th) + v * cos(th);
    *y = e->cy + u * cos(th) - v * sin(th);
}

static void arrow(cairo_t *cr, double x0, double y0, double x1, double y1, double head)
{
    double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
    if (!(len > 1e-9))
        return;
    double ux = dx / len, uy = dy / len;
    double hl = fmin(head, 0.6 * len);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1 - ux * hl * 0.8, y1 - uy * hl * 0.8);
    cairo_stroke(cr);
    cairo_move_to(cr, x1, y1);
    cairo_line_to(cr, x1 - ux * hl - uy * hl * 0.45, y1 - uy * hl + ux * hl * 0.45);
    cairo_line_to(cr, x1 - ux * hl + uy * hl * 0.45, y1 - uy * hl - ux * hl * 0.45);
    cairo_close_path(cr);
    cairo_fill(cr);
}

int agglo_plot_ellipses(agglo_ctx *ctx, const agglo_layer *base, const agglo_plot_ellipse *e,
                        size_t n, const char *title, const char *path,
                        const agglo_plot_style *style)
{
    if (n == 0 || !e)
        return agglo_error(ctx, AGGLO_E_USAGE, "plot: no ellipses to draw");
    for (size_t k = 0; k < n; k++)
        if (!(isfinite(e[k].cx) && isfinite(e[k].cy) && e[k].major >= 0 && e[k].minor >= 0 &&
              isfinite(e[k].major) && isfinite(e[k].minor) && isfinite(e[k].rotation)))
            return agglo_error(ctx, AGGLO_E_USAGE, "plot: ellipse %zu (%s) is not finite", k + 1,
                               e[k].label ? e[k].label : "unnamed");
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title ? title : "Standard deviational ellipses");
    /* extent: the base layer and every ellipse */
    double ext[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    if (base && agglo_layer_extent(base, ext) != AGGLO_OK)
        ext[0] = ext[1] = INFINITY, ext[2] = ext[3] = -INFINITY;
    for (size_t k = 0; k < n; k++)
        for (int t = 0; t < 72; t++) {
            double x, y;
            ellipse_point(&e[k], t * M_PI / 36, &x, &y);
            ext[0] = fmin(ext[0], x);
            ext[1] = fmin(ext[1], y);
            ext[2] = fmax(ext[2], x);
            ext[3] = fmax(ext[3], y);
        }
    int geographic = base ? agglo_layer_is_geographic(base) : 0;
    const double legend_w = 320, margin = 20;
    double W, H;
    int fixed_h;
    plot_layout(&st, title, AGGLO_PLOT_WIDTH, 0, &W, &H, &fixed_h);
    double mw = W - legend_w - 2 * margin;
    if (!fixed_h) {
        double xs = geographic ? fmax(cos(0.5 * (ext[1] + ext[3]) * M_PI / 180), 0.05) : 1;
        double asp = (ext[3] - ext[1]) / fmax((ext[2] - ext[0]) * xs, 1e-300);
        if (!(asp > 0) || !isfinite(asp))
            asp = 0.75;
        H = fmax(fmin(mw * asp + 2 * margin, 1.4 * W), 40 + 28.0 * (double)n + 60 + 260);
    }
    map_frame f;
    plot_frame_fit_extent(ext, geographic, margin, margin, mw, H - 2 * margin, &f);
    int rc;
    char **labels = base ? plot_feature_labels(ctx, base, &st, &rc) : NULL;
    if (base && rc)
        return rc;
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv) {
        plot_free_labels(labels, base ? agglo_layer_count(base) : 0);
        return agglo_ctx_errcode(ctx);
    }
    cairo_t *cr = cv->cr;
    if (base) {
        GEOSContextHandle_t h = agglo_ctx_geos(ctx);
        cairo_new_path(cr);
        for (size_t i = 0; i < agglo_layer_count(base); i++) {
            const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(base, i);
            if (g)
                plot_geom_path(h, g, &f, cr);
        }
        cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
        cairo_set_source_rgb(cr, 0.95, 0.95, 0.93);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
        cairo_set_line_width(cr, st.line_width);
        cairo_stroke(cr);
    }
    if (st.overlay)
        plot_outline_layer(ctx, cr, st.overlay, &f, 1.4);
    if (base)
        plot_draw_labels(ctx, cr, base, labels, &f, st.label_size, margin, margin,
                         margin + mw, H - margin);
    plot_free_labels(labels, base ? agglo_layer_count(base) : 0);
    for (size_t k = 0; k < n; k++) {
        agglo_rgb c = PERIOD[k % 12];
        cairo_new_path(cr);
        for (int t = 0; t <= 180; t++) {
            double x, y, px, py;
            ellipse_point(&e[k], t * M_PI / 90, &x, &y);
            plot_to_px(&f, x, y, &px, &py);
            if (t == 0)
                cairo_move_to(cr, px, py);
            else
                cairo_line_to(cr, px, py);
        }
        cairo_close_path(cr);
        cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.12);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        cairo_set_line_width(cr, 2.2);
        cairo_stroke(cr);
    }
    /* mean centres joined by arrows in period order */
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 1.8);
    for (size_t k = 0; k + 1 < n; k++) {
        double x0, y0, x1, y1;
        plot_to_px(&f, e[k].cx, e[k].cy, &x0, &y0);
        plot_to_px(&f, e[k + 1].cx, e[k + 1].cy, &x1, &y1);
        arrow(cr, x0, y0, x1, y1, 12);
    }
    for (size_t k = 0; k < n; k++) {
        agglo_rgb c = PERIOD[k % 12];
        double px, py;
        plot_to_px(&f, e[k].cx, e[k].cy, &px, &py);
        cairo_new_path(cr);
        cairo_arc(cr, px, py, 5, 0, 2 * M_PI);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 1);
        cairo_stroke(cr);
    }
    /* legend */
    double lx = W - legend_w, y = margin + 10;
    cairo_set_source_rgb(cr, 0, 0, 0);
    /* heading: style->value_label (e.g. the period field), else "Period" */
    agglo_plot_text(cr, lx, y + 16, 16, 1, 0,
                    st.value_label && *st.value_label ? st.value_label : "Period");
    y += 32;
    for (size_t k = 0; k < n; k++) {
        agglo_rgb c = PERIOD[k % 12];
        cairo_rectangle(cr, lx, y, 26, 18);
        cairo_set_source_rgba(cr, c.r, c.g, c.b, 0.12);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        cairo_set_line_width(cr, 2.2);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        char buf[160];
        snprintf(buf, sizeof buf, "%.100s", e[k].label ? e[k].label : "");
        agglo_plot_text(cr, lx + 36, y + 15, 15, 0, 0, buf);
        y += 28;
    }
    if (n > 1) { /* one ellipse: no shift arrow, none in the legend */
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        cairo_set_line_width(cr, 1.8);
        arrow(cr, lx, y + 10, lx + 26, y + 10, 9);
        agglo_plot_text(cr, lx + 36, y + 15, 15, 0, 0, "mean centre shift");
        y += 34;
    } else {
        y += 6;
    }
    plot_crs c;
    plot_crs_of(&st, base, &c);
    plot_furniture(cr, &st, &c, &f, lx, y + 10, legend_w - 10);
    return plot_end(cv);
}
