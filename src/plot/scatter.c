/* Moran scatter plot (Anselin 1996): standardised value against its spatial lag. */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void tick_label(char *buf, size_t size, double v, double step)
{
    if (fabs(v) < step * 1e-9)
        v = 0;
    snprintf(buf, size, "%g", v);
}

int agglo_plot_moran_scatter(agglo_ctx *ctx, const double *z, const double *lag, size_t n,
                             double slope, const char *xlabel, const char *ylabel,
                             const char *title, const char *path)
{
    const int W = 1000, H = 900;
    double xmax = 0, ymax = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(z[i]) && isfinite(lag[i])) {
            xmax = fmax(xmax, fabs(z[i]));
            ymax = fmax(ymax, fabs(lag[i]));
            m++;
        }
    if (m == 0)
        return agglo_error(ctx, AGGLO_E_EMPTY, "plot: no finite values for the scatter plot");
    if (!(xmax > 0))
        xmax = 1;
    if (!(ymax > 0))
        ymax = 1;
    xmax *= 1.08;
    ymax *= 1.08;
    /* plot area */
    double L = 110, R = W - 40, T = 90, B = H - 100;
    double sx = (R - L) / (2 * xmax), sy = (B - T) / (2 * ymax);
    double cx = (L + R) / 2, cy = (T + B) / 2;
#define PX(x) (cx + (x) * sx)
#define PY(y) (cy - (y) * sy)
    cairo_t *cr;
    cairo_surface_t *s = agglo_plot_surface(ctx, W, H, &cr);
    if (!s)
        return agglo_ctx_errcode(ctx);
    /* quadrant shading labels */
    cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
    agglo_plot_text(cr, R - 10, T + 28, 22, 1, 2, "High-High");
    agglo_plot_text(cr, L + 10, B - 12, 22, 1, 0, "Low-Low");
    agglo_plot_text(cr, L + 10, T + 28, 22, 1, 0, "Low-High");
    agglo_plot_text(cr, R - 10, B - 12, 22, 1, 2, "High-Low");
    /* frame and ticks */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.5);
    cairo_rectangle(cr, L, T, R - L, B - T);
    cairo_stroke(cr);
    char buf[64];
    double xs = agglo_plot_nice_step(2 * xmax, 8), ys = agglo_plot_nice_step(2 * ymax, 8);
    cairo_set_line_width(cr, 1);
    for (double v = -floor(xmax / xs) * xs; v <= xmax + 1e-12; v += xs) {
        cairo_move_to(cr, PX(v), B);
        cairo_line_to(cr, PX(v), B + 8);
        cairo_stroke(cr);
        tick_label(buf, sizeof buf, v, xs);
        agglo_plot_text(cr, PX(v), B + 28, 16, 0, 1, buf);
    }
    for (double v = -floor(ymax / ys) * ys; v <= ymax + 1e-12; v += ys) {
        cairo_move_to(cr, L - 8, PY(v));
        cairo_line_to(cr, L, PY(v));
        cairo_stroke(cr);
        tick_label(buf, sizeof buf, v, ys);
        agglo_plot_text(cr, L - 12, PY(v) + 6, 16, 0, 2, buf);
    }
    /* quadrant lines */
    double dash[] = {8, 6};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_move_to(cr, PX(0), T);
    cairo_line_to(cr, PX(0), B);
    cairo_move_to(cr, L, PY(0));
    cairo_line_to(cr, R, PY(0));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    /* points */
    double r = m > 20000 ? 1.5 : m > 2000 ? 2.5 : 4.5;
    cairo_save(cr);
    cairo_rectangle(cr, L, T, R - L, B - T);
    cairo_clip(cr);
    for (size_t i = 0; i < n; i++) {
        if (!(isfinite(z[i]) && isfinite(lag[i])))
            continue;
        cairo_new_path(cr);
        cairo_arc(cr, PX(z[i]), PY(lag[i]), r, 0, 2 * M_PI);
        cairo_set_source_rgba(cr, 0.15, 0.35, 0.7, 0.55);
        cairo_fill_preserve(cr);
        cairo_set_source_rgba(cr, 0.05, 0.15, 0.4, 0.9);
        cairo_set_line_width(cr, 0.8);
        cairo_stroke(cr);
    }
    /* regression line through the origin, slope = Moran's I (row-standardised weights) */
    if (isfinite(slope)) {
        cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
        cairo_set_line_width(cr, 3);
        cairo_move_to(cr, PX(-xmax), PY(-slope * xmax));
        cairo_line_to(cr, PX(xmax), PY(slope * xmax));
        cairo_stroke(cr);
    }
    cairo_restore(cr);
    /* labels */
    cairo_set_source_rgb(cr, 0, 0, 0);
    agglo_plot_text(cr, W / 2.0, 40, 26, 1, 1, title ? title : "Moran scatter plot");
    if (isfinite(slope)) {
        snprintf(buf, sizeof buf, "slope = %.4f", slope);
        cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
        agglo_plot_text(cr, W / 2.0, 72, 18, 0, 1, buf);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    agglo_plot_text(cr, (L + R) / 2, H - 40, 19, 0, 1, xlabel ? xlabel : "standardised value");
    agglo_plot_text_vertical(cr, 36, (T + B) / 2, 19, ylabel ? ylabel : "spatial lag");
#undef PX
#undef PY
    cairo_destroy(cr);
    int rc = agglo_plot_write_png(ctx, s, path);
    cairo_surface_destroy(s);
    return rc;
}
