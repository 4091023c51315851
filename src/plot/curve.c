/* L(r) - r curve with its CSR envelope (points --png). */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int agglo_plot_lcurve(agglo_ctx *ctx, const double *r, const double *l, const double *lo,
                      const double *hi, size_t n, const char *xlabel, const char *title,
                      const char *path, const agglo_plot_style *style)
{
    if (n < 2)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: curve needs at least 2 points", path);
    double xmin = r[0], xmax = r[n - 1], ymin = 0, ymax = 0;
    for (size_t i = 0; i < n; i++) {
        double v[3] = {l ? l[i] - r[i] : NAN, lo ? lo[i] - r[i] : NAN, hi ? hi[i] - r[i] : NAN};
        for (int k = 0; k < 3; k++)
            if (isfinite(v[k])) {
                ymin = fmin(ymin, v[k]);
                ymax = fmax(ymax, v[k]);
            }
    }
    if (!(ymax > ymin)) {
        ymin -= 1;
        ymax += 1;
    }
    double pad = 0.05 * (ymax - ymin);
    ymin -= pad;
    ymax += pad;
    if (!(xmax > xmin))
        xmax = xmin + 1;
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title);
    /* the distance unit: the style's, else the CRS's */
    char unit[64] = "";
    if (st.distance_unit && *st.distance_unit)
        snprintf(unit, sizeof unit, "%.60s", st.distance_unit);
    else if (st.crs) {
        plot_crs c;
        plot_crs_of(&st, NULL, &c);
        if (c.geographic)
            snprintf(unit, sizeof unit, "degrees");
        else if (c.unit_m == 1)
            snprintf(unit, sizeof unit, "m");
        else if (c.unit_m > 0)
            snprintf(unit, sizeof unit, "%.6g m", c.unit_m);
    }
    char xl[256];
    if (*unit)
        snprintf(xl, sizeof xl, "%.180s (%s)", xlabel ? xlabel : "r", unit);
    else
        snprintf(xl, sizeof xl, "%.180s", xlabel ? xlabel : "r");
    double W, H;
    plot_layout(&st, title, 900, 600, &W, &H, NULL);
    const double ml = 90, mr = 30, mt = 10, mb = 60;
    double pw = W - ml - mr, ph = H - mt - mb;
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv)
        return agglo_ctx_errcode(ctx);
    cairo_t *cr = cv->cr;
#define PX(x) (ml + ((x) - xmin) / (xmax - xmin) * pw)
#define PY(y) (mt + (ymax - (y)) / (ymax - ymin) * ph)
    /* envelope */
    if (lo && hi) {
        int started = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(hi[i]))
                continue;
            if (!started)
                cairo_move_to(cr, PX(r[i]), PY(hi[i] - r[i]));
            else
                cairo_line_to(cr, PX(r[i]), PY(hi[i] - r[i]));
            started = 1;
        }
        for (size_t i = n; i-- > 0;) {
            if (!isfinite(lo[i]))
                continue;
            cairo_line_to(cr, PX(r[i]), PY(lo[i] - r[i]));
        }
        cairo_close_path(cr);
        cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
        cairo_fill(cr);
    }
    /* CSR reference */
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    cairo_set_line_width(cr, 1.2);
    double dash[2] = {6, 4};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, PX(xmin), PY(0));
    cairo_line_to(cr, PX(xmax), PY(0));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    /* observed */
    if (l) {
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_set_line_width(cr, 1.8);
        int started = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(l[i])) {
                started = 0;
                continue;
            }
            if (!started)
                cairo_move_to(cr, PX(r[i]), PY(l[i] - r[i]));
            else
                cairo_line_to(cr, PX(r[i]), PY(l[i] - r[i]));
            started = 1;
        }
        cairo_stroke(cr);
    }
    /* axes */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, ml, mt, pw, ph);
    cairo_stroke(cr);
    char buf[64];
    double sx = agglo_plot_nice_step(xmax - xmin, 6), sy = agglo_plot_nice_step(ymax - ymin, 6);
    for (double v = ceil(xmin / sx) * sx; v <= xmax + 1e-9 * (xmax - xmin); v += sx) {
        cairo_move_to(cr, PX(v), mt + ph);
        cairo_line_to(cr, PX(v), mt + ph + 5);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.*f", sx < 1 ? (int)ceil(-log10(sx) - 1e-9) : 0, v);
        agglo_plot_text(cr, PX(v), mt + ph + 19, 11, 0, 1, buf);
    }
    for (double v = ceil(ymin / sy) * sy; v <= ymax + 1e-9 * (ymax - ymin); v += sy) {
        cairo_move_to(cr, ml - 5, PY(v));
        cairo_line_to(cr, ml, PY(v));
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%.*f", sy < 1 ? (int)ceil(-log10(sy) - 1e-9) : 0,
                 fabs(v) < 1e-12 * (ymax - ymin) ? 0.0 : v);
        agglo_plot_text(cr, ml - 8, PY(v) + 4, 11, 0, 2, buf);
    }
    agglo_plot_text(cr, ml + pw / 2, H - 15, 14, 0, 1, xl);
    agglo_plot_text_vertical(cr, 22, mt + ph / 2, 14, *unit ? "L(r) − r" : "L(r) - r");
    /* legend */
    double lx = ml + 12, ly = mt + 14;
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.8);
    cairo_move_to(cr, lx, ly);
    cairo_line_to(cr, lx + 24, ly);
    cairo_stroke(cr);
    agglo_plot_text(cr, lx + 30, ly + 4, 11, 0, 0, "observed");
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    cairo_set_line_width(cr, 1.2);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, lx, ly + 18);
    cairo_line_to(cr, lx + 24, ly + 18);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    agglo_plot_text(cr, lx + 30, ly + 22, 11, 0, 0, "CSR");
    if (lo && hi) {
        cairo_set_source_rgb(cr, 0.82, 0.82, 0.82);
        cairo_rectangle(cr, lx, ly + 30, 24, 10);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0, 0, 0);
        agglo_plot_text(cr, lx + 30, ly + 40, 11, 0, 0, "CSR envelope");
    }
#undef PX
#undef PY
    return plot_end(cv);
}
