/* Moran scatter plot (Anselin 1996) with the LISA colours and labels of the most extreme
 * points, and the permutation reference distribution of a statistic (as GeoDa shows). */
#define _GNU_SOURCE
#include "plot_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void tick_label(char *buf, size_t size, double v, double step)
{
    if (fabs(v) < step * 1e-9)
        v = 0;
    snprintf(buf, size, "%g", v);
}

typedef struct far_item {
    size_t i;
    double d;
} far_item;

static int cmp_far(const void *a, const void *b)
{
    const far_item *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int agglo_plot_moran_scatter(agglo_ctx *ctx, const double *z, const double *lag, size_t n,
                             double slope, const char *xlabel, const char *ylabel,
                             const char *title, const char *path,
                             const int *category, int ncategories,
                             const char *const *category_labels, const agglo_rgb *colours,
                             const agglo_plot_style *style)
{
    if (category && (ncategories <= 0 || !colours))
        return agglo_error(ctx, AGGLO_E_USAGE, "plot: scatter categories need colours");
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title ? title : "Moran scatter plot");
    double xmax = 0, ymax = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(z[i]) && isfinite(lag[i])) {
            xmax = fmax(xmax, fabs(z[i]));
            ymax = fmax(ymax, fabs(lag[i]));
            m++;
            if (category && (category[i] < -1 || category[i] >= ncategories))
                return agglo_error(ctx, AGGLO_E_USAGE,
                                   "plot: category %d of point %zu out of range", category[i],
                                   i + 1);
        }
    if (m == 0)
        return agglo_error(ctx, AGGLO_E_EMPTY, "plot: no finite values for the scatter plot");
    if (!(xmax > 0))
        xmax = 1;
    if (!(ymax > 0))
        ymax = 1;
    xmax *= 1.08;
    ymax *= 1.08;
    double W, H;
    plot_layout(&st, title, 1000, 830, &W, &H, NULL);
    double legend_w = category && category_labels ? 250 : 0;
    double L = 110, R = W - 40 - legend_w, T = 46, B = H - 90;
    double sx = (R - L) / (2 * xmax), sy = (B - T) / (2 * ymax);
    double cx = (L + R) / 2, cy = (T + B) / 2;
#define PX(x) (cx + (x) * sx)
#define PY(y) (cy - (y) * sy)
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv)
        return agglo_ctx_errcode(ctx);
    cairo_t *cr = cv->cr;
    char buf[96];
    if (isfinite(slope)) {
        snprintf(buf, sizeof buf, "Moran's I (slope) = %.4f", slope);
        cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
        agglo_plot_text(cr, (L + R) / 2, 26, 17, 0, 1, buf);
    }
    /* quadrant names */
    cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
    agglo_plot_text(cr, R - 10, T + 26, 20, 1, 2, "High-High");
    agglo_plot_text(cr, L + 10, B - 12, 20, 1, 0, "Low-Low");
    agglo_plot_text(cr, L + 10, T + 26, 20, 1, 0, "Low-High");
    agglo_plot_text(cr, R - 10, B - 12, 20, 1, 2, "High-Low");
    /* frame and ticks */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1.5);
    cairo_rectangle(cr, L, T, R - L, B - T);
    cairo_stroke(cr);
    double xs = agglo_plot_nice_step(2 * xmax, 8), ys = agglo_plot_nice_step(2 * ymax, 8);
    cairo_set_line_width(cr, 1);
    for (double v = -floor(xmax / xs) * xs; v <= xmax + 1e-12; v += xs) {
        cairo_move_to(cr, PX(v), B);
        cairo_line_to(cr, PX(v), B + 8);
        cairo_stroke(cr);
        tick_label(buf, sizeof buf, v, xs);
        agglo_plot_text(cr, PX(v), B + 28, 15, 0, 1, buf);
    }
    for (double v = -floor(ymax / ys) * ys; v <= ymax + 1e-12; v += ys) {
        cairo_move_to(cr, L - 8, PY(v));
        cairo_line_to(cr, L, PY(v));
        cairo_stroke(cr);
        tick_label(buf, sizeof buf, v, ys);
        agglo_plot_text(cr, L - 12, PY(v) + 5, 15, 0, 2, buf);
    }
    double dash[] = {8, 6};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
    cairo_move_to(cr, PX(0), T);
    cairo_line_to(cr, PX(0), B);
    cairo_move_to(cr, L, PY(0));
    cairo_line_to(cr, R, PY(0));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    /* points: not-significant / uncategorised first so coloured ones stay on top */
    double r = m > 20000 ? 1.5 : m > 2000 ? 2.5 : 4.5;
    cairo_save(cr);
    cairo_rectangle(cr, L, T, R - L, B - T);
    cairo_clip(cr);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++) {
            if (!(isfinite(z[i]) && isfinite(lag[i])))
                continue;
            int c = category ? category[i] : -1;
            int top = category && c > 0;
            if (top != pass)
                continue;
            cairo_new_path(cr);
            cairo_arc(cr, PX(z[i]), PY(lag[i]), r, 0, 2 * M_PI);
            if (category && c >= 0)
                cairo_set_source_rgba(cr, colours[c].r, colours[c].g, colours[c].b, 0.9);
            else if (category)
                cairo_set_source_rgba(cr, 0.72, 0.72, 0.72, 0.9);
            else
                cairo_set_source_rgba(cr, 0.15, 0.35, 0.7, 0.55);
            cairo_fill_preserve(cr);
            cairo_set_source_rgba(cr, 0.1, 0.1, 0.1, 0.8);
            cairo_set_line_width(cr, 0.8);
            cairo_stroke(cr);
        }
    if (isfinite(slope)) {
        cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
        cairo_set_line_width(cr, 2.5);
        cairo_move_to(cr, PX(-xmax), PY(-slope * xmax));
        cairo_line_to(cr, PX(xmax), PY(slope * xmax));
        cairo_stroke(cr);
    }
    /* labels of the most extreme points (distance from the origin), skipping overlaps */
    if (st.labels) {
        far_item *it = malloc(n * sizeof *it);
        double *box = malloc(4 * 12 * sizeof *box);
        if (it && box) {
            size_t q = 0;
            for (size_t i = 0; i < n; i++)
                if (isfinite(z[i]) && isfinite(lag[i]) && st.labels[i]) {
                    it[q].i = i;
                    it[q].d = hypot(z[i], lag[i]);
                    q++;
                }
            qsort(it, q, sizeof *it, cmp_far);
            size_t placed = 0;
            for (size_t t = 0; t < q && t < 40 && placed < 10; t++) {
                size_t i = it[t].i;
                double w, hh;
                plot_text_extent(cr, st.label_size + 1, 0, st.labels[i], &w, &hh);
                double px = PX(z[i]), py = PY(lag[i]) - r - hh / 2 - 1;
                double b0 = px - w / 2, b1 = py - hh / 2, b2 = px + w / 2, b3 = py + hh / 2;
                if (b0 < L) { b2 += L - b0; px += L - b0; b0 = L; }
                if (b2 > R) { b0 -= b2 - R; px -= b2 - R; b2 = R; }
                if (b1 < T) { py = PY(lag[i]) + r + hh / 2 + 1; b1 = py - hh / 2; b3 = py + hh / 2; }
                int clash = 0;
                for (size_t o = 0; o < placed && !clash; o++) {
                    const double *ob = box + 4 * o;
                    clash = !(b2 < ob[0] || b0 > ob[2] || b3 < ob[1] || b1 > ob[3]);
                }
                if (clash)
                    continue;
                double *ob = box + 4 * placed++;
                ob[0] = b0; ob[1] = b1; ob[2] = b2; ob[3] = b3;
                plot_text_halo(cr, px, py, st.label_size + 1, st.labels[i]);
            }
        }
        free(it);
        free(box);
    }
    cairo_restore(cr);
    /* legend of categories with counts */
    if (legend_w > 0) {
        agglo_rgb *lc = malloc(((size_t)ncategories + 1) * sizeof *lc);
        char **lab = calloc((size_t)ncategories + 1, sizeof *lab);
        size_t *cnt = calloc((size_t)ncategories + 1, sizeof *cnt);
        if (lc && lab && cnt) {
            for (size_t i = 0; i < n; i++)
                if (isfinite(z[i]) && isfinite(lag[i]) && category[i] >= 0)
                    cnt[category[i]]++;
            int nl = 0;
            for (int k = 0; k < ncategories; k++) {
                if (asprintf(&lab[nl], "%s (%zu)", category_labels[k] ? category_labels[k] : "",
                             cnt[k]) < 0) {
                    lab[nl] = NULL;
                    break;
                }
                lc[nl++] = k == 0 && colours[0].r > 0.99 && colours[0].g > 0.99 &&
                                   colours[0].b > 0.99
                               ? (agglo_rgb){0.72, 0.72, 0.72}
                               : colours[k];
            }
            agglo_plot_legend(cr, R + 24, T + 4, NULL, nl, lc, (const char *const *)lab);
            for (int k = 0; k < nl; k++)
                free(lab[k]);
        }
        free(lc);
        free(lab);
        free(cnt);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    agglo_plot_text(cr, (L + R) / 2, H - 30, 18, 0, 1, xlabel ? xlabel : "standardised value");
    agglo_plot_text_vertical(cr, 34, (T + B) / 2, 18, ylabel ? ylabel : "spatial lag");
#undef PX
#undef PY
    return plot_end(cv);
}

/* ---------------------------------------------------------------- reference distribution */

int agglo_plot_permutation_histogram(agglo_ctx *ctx, const double *sims, size_t nsim,
                                     double observed, double expected, double pseudo_p,
                                     const char *statistic, const char *title,
                                     const char *path, const agglo_plot_style *style)
{
    double lo = INFINITY, hi = -INFINITY, sum = 0, sum2 = 0;
    size_t m = 0;
    for (size_t i = 0; i < nsim; i++)
        if (isfinite(sims[i])) {
            lo = fmin(lo, sims[i]);
            hi = fmax(hi, sims[i]);
            sum += sims[i];
            m++;
        }
    if (m < 2)
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "plot: a reference distribution needs at least 2 finite values");
    double mean = sum / (double)m;
    for (size_t i = 0; i < nsim; i++)
        if (isfinite(sims[i]))
            sum2 += (sims[i] - mean) * (sims[i] - mean);
    double sd = sqrt(sum2 / (double)(m - 1));
    const char *stat = statistic && *statistic ? statistic : "I";
    agglo_plot_style st;
    plot_style_resolve(style, &st);
    title = plot_title(&st, title ? title : "Reference distribution");
    /* the axis covers the simulations and the observed value */
    double xlo = lo, xhi = hi;
    if (isfinite(observed)) {
        xlo = fmin(xlo, observed);
        xhi = fmax(xhi, observed);
    }
    if (!(xhi > xlo)) {
        xlo -= 0.5;
        xhi += 0.5;
    }
    double pad = 0.04 * (xhi - xlo);
    xlo -= pad;
    xhi += pad;
    /* bins: Freedman-Diaconis-like count, 20..80 */
    int nbins = (int)fmin(80, fmax(20, sqrt((double)m) * 1.2));
    double bw = (hi - lo) / nbins;
    if (!(bw > 0))
        bw = (xhi - xlo) / nbins;
    size_t *cnt = agglo_calloc(ctx, (size_t)nbins, sizeof *cnt);
    if (!cnt)
        return AGGLO_E_NOMEM;
    size_t cmax = 0;
    for (size_t i = 0; i < nsim; i++)
        if (isfinite(sims[i])) {
            int b = (int)((sims[i] - lo) / bw);
            if (b >= nbins)
                b = nbins - 1;
            if (b < 0)
                b = 0;
            cnt[b]++;
            if (cnt[b] > cmax)
                cmax = cnt[b];
        }
    double W, H;
    plot_layout(&st, title, 1000, 640, &W, &H, NULL);
    double L = 90, R = W - 30, T = 80, B = H - 80;
    double ymax = cmax * 1.1;
#define PX(x) (L + ((x) - xlo) / (xhi - xlo) * (R - L))
#define PY(y) (B - (y) / ymax * (B - T))
    plot_canvas *cv = plot_begin(ctx, &st, path, title, W, H);
    if (!cv) {
        free(cnt);
        return agglo_ctx_errcode(ctx);
    }
    cairo_t *cr = cv->cr;
    for (int b = 0; b < nbins; b++) {
        double x0 = lo + b * bw;
        cairo_rectangle(cr, PX(x0), PY((double)cnt[b]), PX(x0 + bw) - PX(x0), B - PY((double)cnt[b]));
        cairo_set_source_rgb(cr, 0.55, 0.65, 0.8);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.25, 0.3, 0.45);
        cairo_set_line_width(cr, 0.6);
        cairo_stroke(cr);
    }
    char buf[200];
    if (isfinite(expected)) {
        double dash[] = {6, 4};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_set_line_width(cr, 1.5);
        cairo_move_to(cr, PX(expected), T);
        cairo_line_to(cr, PX(expected), B);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    if (isfinite(observed)) {
        cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
        cairo_set_line_width(cr, 3);
        cairo_move_to(cr, PX(observed), T - 10);
        cairo_line_to(cr, PX(observed), B);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "observed %s = %.4f", stat, observed);
        int right = PX(observed) > (L + R) / 2;
        agglo_plot_text(cr, PX(observed) + (right ? -6 : 6), T - 16, 15, 1, right ? 2 : 0, buf);
    }
    /* axes */
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, L, T - 20);
    cairo_line_to(cr, L, B);
    cairo_line_to(cr, R, B);
    cairo_stroke(cr);
    double sx = agglo_plot_nice_step(xhi - xlo, 8), sy = agglo_plot_nice_step(ymax, 6);
    for (double v = ceil(xlo / sx) * sx; v <= xhi + 1e-12; v += sx) {
        cairo_move_to(cr, PX(v), B);
        cairo_line_to(cr, PX(v), B + 6);
        cairo_stroke(cr);
        tick_label(buf, sizeof buf, v, sx);
        agglo_plot_text(cr, PX(v), B + 22, 13, 0, 1, buf);
    }
    for (double v = 0; v <= ymax + 1e-12; v += sy) {
        cairo_move_to(cr, L - 6, PY(v));
        cairo_line_to(cr, L, PY(v));
        cairo_stroke(cr);
        tick_label(buf, sizeof buf, v, sy);
        agglo_plot_text(cr, L - 10, PY(v) + 5, 13, 0, 2, buf);
    }
    snprintf(buf, sizeof buf, "%s under random permutations", stat);
    agglo_plot_text(cr, (L + R) / 2, H - 30, 16, 0, 1, buf);
    agglo_plot_text_vertical(cr, 30, (T + B) / 2, 16, "frequency");
    /* summary line as GeoDa prints it */
    char p[48] = "";
    if (isfinite(pseudo_p))
        snprintf(p, sizeof p, "   pseudo p = %.4g", pseudo_p);
    snprintf(buf, sizeof buf, "%zu permutations   E[%s] = %.4f   mean = %.4f   sd = %.4f%s%s", m,
             stat, expected, mean, sd, isfinite(observed) && sd > 0 ? "   z = " : "", "");
    if (isfinite(observed) && sd > 0) {
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%.3f", (observed - mean) / sd);
    }
    size_t len = strlen(buf);
    snprintf(buf + len, sizeof buf - len, "%s", p);
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    agglo_plot_text(cr, (L + R) / 2, 26, 15, 0, 1, buf);
#undef PX
#undef PY
    free(cnt);
    return plot_end(cv);
}
