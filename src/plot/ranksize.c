/* Rank-size (Zipf) plot: ln(rank) against ln(size) with the two fitted lines. */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void ticks(cairo_t *cr, double lo, double hi, int vertical, double ml, double mt,
                  double pw, double ph)
{
    char buf[64];
    double s = agglo_plot_nice_step(hi - lo, 6);
    for (double v = ceil(lo / s) * s; v <= hi + 1e-9 * (hi - lo); v += s) {
        double vv = fabs(v) < 1e-12 * (hi - lo) ? 0.0 : v;
        plot_fmt_num(buf, sizeof buf, vv);
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

int agglo_plot_ranksize(agglo_ctx *ctx, const double *size, const double *rank, size_t n,
                        double gi_a, double gi_b, double ols_a, double ols_b,
                        const char *xlabel, const char *title, const char *path,
                        const agglo_plot_style *style)
{
    if (n < 2)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: a rank-size plot needs at least 2 sizes", path);
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (!(size[i] > 0) || !(rank[i] > 0))
            continue;
        double lx = log(size[i]), ly = log(rank[i]);
        xmin = fmin(xmin, lx);
        xmax = fmax(xmax, lx);
        ymin = fmin(ymin, ly);
        ymax = fmax(ymax, ly);
    }
    if (!isfinite(xmin) || !isfinite(ymin))
        return agglo_error(ctx, AGGLO_E_NUMERIC, "%s: no positive sizes to plot", path);
    if (!(xmax > xmin))
        xmax = xmin + 1;
    if (!(ymax > ymin))
        ymax = ymin + 1;
    double dx = 0.04 * (xmax - xmin), dy = 0.04 * (ymax - ymin);
    xmin -= dx;
    xmax += dx;
    ymin -= dy;
    ymax += dy;
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title);
    double W, H;
    plot_layout(&st, title, 800, 650, &W, &H, NULL);
    const double ml = 80, mr = 20, mt = 10, mb = 60;
    double pw = W - ml - mr, ph = H - mt - mb;
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv)
        return agglo_ctx_errcode(ctx);
    cairo_t *cr = cv->cr;
    cairo_save(cr);
    cairo_rectangle(cr, ml, mt, pw, ph);
    cairo_clip(cr);
    cairo_set_source_rgba(cr, 0.15, 0.15, 0.15, 0.75);
    for (size_t i = 0; i < n; i++) {
        if (!(size[i] > 0) || !(rank[i] > 0))
            continue;
        double px = ml + (log(size[i]) - xmin) / (xmax - xmin) * pw;
        double py = mt + (ymax - log(rank[i])) / (ymax - ymin) * ph;
        cairo_arc(cr, px, py, 3, 0, 2 * M_PI);
        cairo_fill(cr);
    }
    /* the GI line is drawn as ln(rank) = ln(exp(gi_a + gi_b x) + 1/2), its fit on the ranks */
    const int steps = 200;
    for (int line = 0; line < 2; line++) {
        if (line == 0) {
            cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
            cairo_set_dash(cr, NULL, 0, 0);
        } else {
            double d[2] = {8, 5};
            cairo_set_source_rgb(cr, 0.1, 0.3, 0.8);
            cairo_set_dash(cr, d, 2, 0);
        }
        cairo_set_line_width(cr, 2);
        for (int s = 0; s <= steps; s++) {
            double lx = xmin + (xmax - xmin) * s / steps;
            double ly = line == 0 ? log(exp(gi_a + gi_b * lx) + 0.5) : ols_a + ols_b * lx;
            double px = ml + (lx - xmin) / (xmax - xmin) * pw;
            double py = mt + (ymax - ly) / (ymax - ymin) * ph;
            if (s == 0)
                cairo_move_to(cr, px, py);
            else
                cairo_line_to(cr, px, py);
        }
        cairo_stroke(cr);
    }
    cairo_restore(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, ml, mt, pw, ph);
    cairo_stroke(cr);
    ticks(cr, xmin, xmax, 0, ml, mt, pw, ph);
    ticks(cr, ymin, ymax, 1, ml, mt, pw, ph);
    char xl[300];
    snprintf(xl, sizeof xl, "ln %s", xlabel ? xlabel : "size");
    agglo_plot_text(cr, ml + pw / 2, H - 15, 14, 0, 1, xl);
    agglo_plot_text_vertical(cr, 22, mt + ph / 2, 14, "ln rank");
    /* legend, top right (the points fall from top left to bottom right) */
    char l1[96], l2[96];
    snprintf(l1, sizeof l1, "ln(rank - 1/2), slope %.3f (Gabaix-Ibragimov)", gi_b);
    snprintf(l2, sizeof l2, "ln(rank), slope %.3f (OLS)", ols_b);
    double lx = ml + pw - 330, ly = mt + 20;
    cairo_set_line_width(cr, 2);
    cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
    cairo_move_to(cr, lx, ly);
    cairo_line_to(cr, lx + 28, ly);
    cairo_stroke(cr);
    double d[2] = {8, 5};
    cairo_set_dash(cr, d, 2, 0);
    cairo_set_source_rgb(cr, 0.1, 0.3, 0.8);
    cairo_move_to(cr, lx, ly + 20);
    cairo_line_to(cr, lx + 28, ly + 20);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    agglo_plot_text(cr, lx + 34, ly + 4, 11, 0, 0, l1);
    agglo_plot_text(cr, lx + 34, ly + 24, 11, 0, 0, l2);
    return plot_end(cv);
}
