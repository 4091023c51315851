/* Several curves y_c(x) on shared axes, one colour per curve from dark blue (first) to red
 * (last) with a legend (the distribution-dynamics figure: one density per period). */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void axis_ticks(cairo_t *cr, double lo, double hi, int vertical, double ml, double mt,
                       double pw, double ph)
{
    char buf[64];
    double s = agglo_plot_nice_step(hi - lo, 6);
    for (double v = ceil(lo / s) * s; v <= hi + 1e-9 * (hi - lo); v += s) {
        double vv = fabs(v) < 1e-12 * (hi - lo) ? 0.0 : v;
        snprintf(buf, sizeof buf, "%.*f", s < 1 ? (int)ceil(-log10(s) - 1e-9) : 0, vv);
        if (!vertical) {
            double px = ml + (v - lo) / (hi - lo) * pw;
            cairo_move_to(cr, px, mt + ph);
            cairo_line_to(cr, px, mt + ph + 5);
            cairo_stroke(cr);
            agglo_plot_text(cr, px, mt + ph + 19, 11, 0, 1, buf);
        } else {
            double py = mt + (hi - v) / (hi - lo) * ph;
            cairo_move_to(cr, ml - 5, py);
            cairo_line_to(cr, ml, py);
            cairo_stroke(cr);
            agglo_plot_text(cr, ml - 8, py + 4, 11, 0, 2, buf);
        }
    }
}

int agglo_plot_curves(agglo_ctx *ctx, const double *x, const double *y, size_t ncurves,
                      size_t n, const char *const *labels, const char *xlabel,
                      const char *ylabel, const char *title, const char *path,
                      const agglo_plot_style *style)
{
    if (n < 2 || ncurves < 1)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: curves need at least 2 points", path);
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            xmin = fmin(xmin, x[i]);
            xmax = fmax(xmax, x[i]);
        }
    for (size_t i = 0; i < n * ncurves; i++)
        if (isfinite(y[i])) {
            ymin = fmin(ymin, y[i]);
            ymax = fmax(ymax, y[i]);
        }
    if (!isfinite(xmin) || !isfinite(ymin))
        return agglo_error(ctx, AGGLO_E_NUMERIC, "%s: no finite values to plot", path);
    if (ymin > 0)
        ymin = 0;
    if (!(ymax > ymin))
        ymax = ymin + 1;
    if (!(xmax > xmin))
        xmax = xmin + 1;
    ymax += 0.05 * (ymax - ymin);
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title);
    double W, H;
    plot_layout(&st, title, 900, 600, &W, &H, NULL);
    const double ml = 90, mr = 130, mt = 10, mb = 60;
    double pw = W - ml - mr, ph = H - mt - mb;
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv)
        return agglo_ctx_errcode(ctx);
    cairo_t *cr = cv->cr;
    cairo_set_line_width(cr, 1.4);
    for (size_t c = 0; c < ncurves; c++) {
        double f = ncurves > 1 ? (double)c / (double)(ncurves - 1) : 0;
        cairo_set_source_rgb(cr, 0.1 + 0.8 * f, 0.2 * (1 - f) + 0.1, 0.6 * (1 - f) + 0.1);
        int started = 0;
        for (size_t i = 0; i < n; i++) {
            double v = y[c * n + i];
            if (!isfinite(v) || !isfinite(x[i])) {
                started = 0;
                continue;
            }
            double px = ml + (x[i] - xmin) / (xmax - xmin) * pw;
            double py = mt + (ymax - v) / (ymax - ymin) * ph;
            if (started)
                cairo_line_to(cr, px, py);
            else
                cairo_move_to(cr, px, py);
            started = 1;
        }
        cairo_stroke(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, ml, mt, pw, ph);
    cairo_stroke(cr);
    axis_ticks(cr, xmin, xmax, 0, ml, mt, pw, ph);
    axis_ticks(cr, ymin, ymax, 1, ml, mt, pw, ph);
    agglo_plot_text(cr, ml + pw / 2, H - 15, 14, 0, 1, xlabel ? xlabel : "x");
    agglo_plot_text_vertical(cr, 22, mt + ph / 2, 14, ylabel ? ylabel : "y");
    /* legend: every curve up to 20, else about 10 evenly spaced */
    if (labels) {
        size_t step = ncurves <= 20 ? 1 : (ncurves + 9) / 10;
        double lx = ml + pw + 12, ly = mt + 14;
        for (size_t c = 0; c < ncurves; c += step) {
            double f = ncurves > 1 ? (double)c / (double)(ncurves - 1) : 0;
            cairo_set_source_rgb(cr, 0.1 + 0.8 * f, 0.2 * (1 - f) + 0.1, 0.6 * (1 - f) + 0.1);
            cairo_set_line_width(cr, 2);
            cairo_move_to(cr, lx, ly);
            cairo_line_to(cr, lx + 24, ly);
            cairo_stroke(cr);
            cairo_set_source_rgb(cr, 0, 0, 0);
            agglo_plot_text(cr, lx + 30, ly + 4, 11, 0, 0, labels[c] ? labels[c] : "");
            ly += 18;
        }
    }
    return plot_end(cv);
}
