/* A labelled square matrix of values in [0, 1] (the geographical detector's interaction q)
 * drawn as coloured cells with the values printed in them. */
#include "plot_internal.h"

#include <math.h>
#include <stdio.h>

static agglo_rgb ramp(double t)
{
    /* white to dark blue */
    if (!(t >= 0))
        t = 0;
    if (t > 1)
        t = 1;
    agglo_rgb c = {1 - 0.85 * t, 1 - 0.65 * t, 1 - 0.35 * t};
    return c;
}

int agglo_plot_matrix(agglo_ctx *ctx, const double *values, size_t n, const char *const *labels,
                      const char *title, const char *path, const agglo_plot_style *style)
{
    if (n == 0)
        return agglo_error(ctx, AGGLO_E_EMPTY, "plot: empty matrix");
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title);
    double W, H;
    plot_layout(&st, title, 1000, 840, &W, &H, NULL);
    double L = 220, T = 50, size = fmin(W - L - 60, H - T - 180);
    double cell = size / (double)n;
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv)
        return agglo_ctx_errcode(ctx);
    cairo_t *cr = cv->cr;
    cairo_set_source_rgb(cr, 0, 0, 0);
    double fs = fmin(20, cell / 4);
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            double v = values[i * n + j];
            double x = L + (double)j * cell, y = T + (double)i * cell;
            if (isnan(v))
                cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
            else {
                agglo_rgb c = ramp(v);
                cairo_set_source_rgb(cr, c.r, c.g, c.b);
            }
            cairo_rectangle(cr, x, y, cell, cell);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_set_line_width(cr, 2);
            cairo_stroke(cr);
            if (!isnan(v)) {
                snprintf(buf, sizeof buf, "%.3f", v);
                if (v > 0.55)
                    cairo_set_source_rgb(cr, 1, 1, 1);
                else
                    cairo_set_source_rgb(cr, 0, 0, 0);
                agglo_plot_text(cr, x + cell / 2, y + cell / 2 + fs / 3, fs, i == j, 1, buf);
            }
        }
        cairo_set_source_rgb(cr, 0, 0, 0);
        agglo_plot_text(cr, L - 12, T + ((double)i + 0.5) * cell + 6, 16, 0, 2, labels[i]);
        agglo_plot_text(cr, L + ((double)i + 0.5) * cell, T + (double)n * cell + 28, 16, 0, 1,
                        labels[i]);
    }
    /* colour bar 0..1 */
    double bx = L, by = T + (double)n * cell + 60, bw = size, bh = 20;
    for (int k = 0; k < 100; k++) {
        agglo_rgb c = ramp(k / 99.0);
        cairo_set_source_rgb(cr, c.r, c.g, c.b);
        cairo_rectangle(cr, bx + k * bw / 100, by, bw / 100 + 1, bh);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int k = 0; k <= 4; k++) {
        snprintf(buf, sizeof buf, "%.2f", k / 4.0);
        agglo_plot_text(cr, bx + k * bw / 4, by + bh + 20, 14, 0, 1, buf);
    }
    return plot_end(cv);
}
