/* agglo plot: figures drawn with cairo and Pango (maps, scatter plots, density images, curves,
 * histograms, ellipses, panels) as PNG, SVG or PDF chosen by the output file's extension.
 * Every function writes atomically (temporary file + rename) and takes an optional
 * agglo_plot_style (NULL = defaults) so that a paper's figure settings (title, size,
 * resolution, font, labels, furniture, class breaks) are set in one place. */
#ifndef AGGLO_PLOT_H
#define AGGLO_PLOT_H

#include "agglo/core.h"
#include "agglo/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_rgb {
    double r, g, b; /* 0..1 */
} agglo_rgb;

typedef enum {
    AGGLO_PLOT_FORMAT_AUTO = 0, /* from the path's extension: .svg, .pdf, anything else PNG */
    AGGLO_PLOT_FORMAT_PNG = 1,
    AGGLO_PLOT_FORMAT_SVG = 2,
    AGGLO_PLOT_FORMAT_PDF = 3
} agglo_plot_format;

typedef enum {
    AGGLO_PLOT_UNIT_PX = 0, /* width/height in pixels at `dpi` */
    AGGLO_PLOT_UNIT_MM = 1  /* width/height in millimetres (pixels = mm / 25.4 * dpi) */
} agglo_plot_unit;

/* How a figure looks. Fill with agglo_plot_style_init() then set fields; every pointer is
 * borrowed for the duration of the call. Sizes are in "figure units": 1 unit = 1 pixel at
 * 150 dpi (text sizes, line widths and margins scale with dpi / 150, so --dpi 300 gives the
 * same figure with twice the pixels). */
typedef struct agglo_plot_style {
    const char *title;    /* replaces the function's own title (NULL: keep it; "" none) */
    const char *subtitle; /* second line under the title (NULL: none) */
    const char *caption;  /* source / caption line at the bottom left (NULL: none) */
    double dpi;           /* PNG resolution; default 150 (300 for print) */
    double width, height; /* figure size in size_unit; 0 = the figure's own default (maps:
                             height follows the layer's aspect when only width is set) */
    agglo_plot_unit size_unit;
    const char *font;     /* Pango family list, default "DejaVu Sans, WenQuanYi Micro Hei,
                             Noto Sans CJK SC, sans-serif"; fontconfig falls back per glyph */
    agglo_plot_format format; /* default AUTO (from the extension) */
    /* feature labels on maps (point-on-surface positions, overlapping ones skipped,
     * largest features first); labels[] (one per feature, NULL entries skipped) wins over
     * label_field (a field of the drawn layer, any type) */
    const char *label_field;
    const char *const *labels;
    double label_size;    /* label font size in figure units; default 11 */
    int scale_bar;        /* 1 (default) draws a scale bar in m/km from the CRS's unit */
    int north_arrow;      /* 1 (default) */
    int show_crs;         /* 1 (default) writes the CRS under the legend */
    const char *crs;      /* CRS (WKT, "EPSG:n", PROJ string) of figures drawn without a
                             layer (rasters) or to override the layer's; NULL: layer's */
    const agglo_layer *overlay; /* polygon outlines drawn over maps and rasters (study area) */
    int breaks_method;    /* class breaks of continuous maps and rasters: an
                             agglo_disc_method (agglo/discretize.h: equal, natural, quantile,
                             geometric, sd) or -1 (default) = the figure's own (quantile for
                             maps, natural breaks for density rasters) */
    int nclasses;         /* number of classes; 0 = the figure's own default */
    const double *breaks; /* explicit ascending breaks b_0..b_k (k classes) win over
                             breaks_method: give the coefficient map's breaks to its
                             significance map so both share classes */
    size_t nbreaks;
    const char *value_label;   /* legend heading / colour-bar label, e.g. "shops per km²" */
    const char *distance_unit; /* distance axis unit when no CRS says it (Ripley's L) */
    double line_width;    /* feature outline width in figure units; default 0.6 */
} agglo_plot_style;

/* Defaults: dpi 150, size 0 (figure default), px, AUTO format, scale bar, north arrow and
 * CRS on, breaks_method -1, label_size 11, everything else NULL/0. */
void agglo_plot_style_init(agglo_plot_style *style);

/* The format a path would be written in (AUTO resolved from the extension). */
agglo_plot_format agglo_plot_format_of(const agglo_plot_style *style, const char *path);

/* Warnings: a figure whose text contained characters no installed font has a glyph for is
 * still written, and agglo_warn() reports "<path>: N characters have no glyph ..." so that a
 * missing CJK font does not go unnoticed (Pango's unknown-glyph count). */

/* Categorical choropleth: feature i is filled with colours[category[i]]; category -1 = no
 * data (grey, "no data (n)" in the legend). A legend lists labels[k] with colours[k]. */
int agglo_plot_map_categories(agglo_ctx *ctx, const agglo_layer *layer, const int *category,
                              int ncategories, const char *const *labels,
                              const agglo_rgb *colours, const char *title, const char *path,
                              const agglo_plot_style *style);

typedef enum {
    AGGLO_PALETTE_SEQUENTIAL = 0, /* light to dark (viridis-like) */
    AGGLO_PALETTE_DIVERGING = 1   /* blue - white - red, centred on 0 */
} agglo_palette;

/* Continuous choropleth in nclasses classes (style->nclasses wins when set): quantiles by
 * default (diverging: symmetric quantiles of |v| around 0), or style->breaks_method /
 * style->breaks; NaN values drawn grey with "no data" in the legend. */
int agglo_plot_map_values(agglo_ctx *ctx, const agglo_layer *layer, const double *values,
                          agglo_palette palette, int nclasses, const char *title,
                          const char *path, const agglo_plot_style *style);

/* Class breaks agglo_plot_map_values would use for these values (so that a second map can
 * share them through style->breaks): *breaks malloc'd, *nbreaks = classes + 1. */
int agglo_plot_value_breaks(agglo_ctx *ctx, const double *values, size_t n,
                            agglo_palette palette, int nclasses, const agglo_plot_style *style,
                            double **breaks, size_t *nbreaks);

/* Local-coefficient map as GWR papers print it: coefficient classes in the diverging palette
 * where significant[i] is non-zero, grey with "not significant (n)" in the legend elsewhere
 * (significant NULL = all significant); NaN values are "no data" (hatched). */
int agglo_plot_map_coefficient(agglo_ctx *ctx, const agglo_layer *layer, const double *values,
                               const unsigned char *significant, int nclasses,
                               const char *title, const char *path,
                               const agglo_plot_style *style);

/* All k local-coefficient maps of one model on one figure (values[j] has one value per
 * feature; significant may be NULL or hold NULL entries), each panel with its own symmetric
 * classes, legend and name; one scale bar and north arrow for the figure. */
int agglo_plot_map_panel(agglo_ctx *ctx, const agglo_layer *layer, const double *const *values,
                         const unsigned char *const *significant, const char *const *names,
                         size_t k, const char *title, const char *path,
                         const agglo_plot_style *style);

/* Moran scatter plot: standardised z against its spatial lag, slope line through the origin
 * with slope `slope`, quadrant lines, axis labels. category (may be NULL) colours point i
 * with colours[category[i]] (LISA: 0 = not significant, grey) and names the categories in a
 * legend; the points furthest from the origin are labelled with style->labels when given. */
int agglo_plot_moran_scatter(agglo_ctx *ctx, const double *z, const double *lag, size_t n,
                             double slope, const char *xlabel, const char *ylabel,
                             const char *title, const char *path,
                             const int *category, int ncategories,
                             const char *const *category_labels, const agglo_rgb *colours,
                             const agglo_plot_style *style);

/* Reference distribution of a permutation test (GeoDa's Moran's I histogram): histogram of
 * the nsim simulated statistics, the observed value as a red line, the expected value
 * dashed, and "I = .., E[I] = .., mean, sd, pseudo p" written on the figure. */
int agglo_plot_permutation_histogram(agglo_ctx *ctx, const double *sims, size_t nsim,
                                     double observed, double expected, double pseudo_p,
                                     const char *statistic, const char *title,
                                     const char *path, const agglo_plot_style *style);

/* ---- density images and point-pattern curves ---- */

/* A grid of values (nrows x ncols, row 0 at the top, cell size `cell`, top-left corner
 * (xmin, ymax)) drawn in classes (natural breaks by default; style->breaks_method, nclasses)
 * of a yellow-orange-red ramp (higher = darker, warmer) with the class legend labelled
 * `legend`; cells equal to nodata or NaN are left white. Polygon outlines from `outline` and
 * style->overlay (both may be NULL) are drawn over the image; scale bar, north arrow and CRS
 * come from style->crs, else the outline's CRS. */
int agglo_plot_raster(agglo_ctx *ctx, const double *values, size_t ncols, size_t nrows,
                      double xmin, double ymax, double cell, double nodata,
                      const agglo_layer *outline, const char *legend, const char *title,
                      const char *path, const agglo_plot_style *style);

/* L(r) - r against r with the simulation envelope (lo/hi may be NULL) shaded grey, the
 * observed curve in black and the CSR line at 0 dashed red. Values are L, not K. The x axis
 * reads "xlabel (unit)" with the unit from style->distance_unit or style->crs. */
int agglo_plot_lcurve(agglo_ctx *ctx, const double *r, const double *l, const double *lo,
                      const double *hi, size_t n, const char *xlabel, const char *title,
                      const char *path, const agglo_plot_style *style);

/* A square n x n matrix of values in [0, 1] (row-major; NaN grey) as coloured cells with the
 * values printed and labels on both axes (the geographical detector's interaction q). */
int agglo_plot_matrix(agglo_ctx *ctx, const double *values, size_t n, const char *const *labels,
                      const char *title, const char *path, const agglo_plot_style *style);

/* One standard deviational ellipse of a period (agglo_centrography's fields, in the CRS of
 * the base layer). */
typedef struct agglo_plot_ellipse {
    const char *label;        /* "2015" */
    double cx, cy;            /* mean centre */
    double major, minor;      /* semi-axes */
    double rotation;          /* major axis, degrees clockwise from north */
} agglo_plot_ellipse;

/* "Centre of gravity migration": the ellipses of several periods over the base layer's
 * polygons (may be NULL), each in its own colour, mean centres joined in order by arrows,
 * a legend of periods (heading style->value_label, default "Period"; the shift arrow only
 * with two or more), scale bar, north arrow and CRS. */
int agglo_plot_ellipses(agglo_ctx *ctx, const agglo_layer *base, const agglo_plot_ellipse *e,
                        size_t n, const char *title, const char *path,
                        const agglo_plot_style *style);

/* ncurves curves y[c * n + i] over the shared x[0..n-1] on one plot, coloured from dark blue
 * (first) to red (last), labelled in a legend (labels may be NULL); the y axis starts at 0
 * for non-negative values (densities). The distribution-dynamics figure. */
int agglo_plot_curves(agglo_ctx *ctx, const double *x, const double *y, size_t ncurves,
                      size_t n, const char *const *labels, const char *xlabel,
                      const char *ylabel, const char *title, const char *path,
                      const agglo_plot_style *style);

/* Rank-size plot: ln(rank) against ln(size) of n sizes (decreasing, ranks 1..n) as points,
 * with the Gabaix-Ibragimov line ln(rank - 1/2) = gi_a + gi_b ln(size) (red) and the OLS
 * line ln(rank) = ols_a + ols_b ln(size) (blue, dashed), a legend with both slopes. */
int agglo_plot_ranksize(agglo_ctx *ctx, const double *size, const double *rank, size_t n,
                        double gi_a, double gi_b, double ols_a, double ols_b,
                        const char *xlabel, const char *title, const char *path,
                        const agglo_plot_style *style);

#ifdef __cplusplus
}
#endif
#endif
