/* agglo plot: PNG pictures drawn with cairo (maps, scatter plots, density images, curves).
 * Every function writes atomically (temporary file + rename). */
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

/* Categorical choropleth: feature i is filled with colours[category[i]]; category -1 = no
 * data (white). A legend lists labels[k] with colours[k]. */
int agglo_plot_map_categories(agglo_ctx *ctx, const agglo_layer *layer, const int *category,
                              int ncategories, const char *const *labels,
                              const agglo_rgb *colours, const char *title, const char *path);

typedef enum {
    AGGLO_PALETTE_SEQUENTIAL = 0, /* light to dark (viridis-like) */
    AGGLO_PALETTE_DIVERGING = 1   /* blue - white - red, centred on 0 */
} agglo_palette;

/* Continuous choropleth in nclasses quantile classes (diverging: symmetric around 0);
 * NaN values drawn white with "no data" in the legend. */
int agglo_plot_map_values(agglo_ctx *ctx, const agglo_layer *layer, const double *values,
                          agglo_palette palette, int nclasses, const char *title,
                          const char *path);

/* Moran scatter plot: standardised z against its spatial lag, slope line through the origin
 * with slope `slope`, quadrant lines, axis labels. */
int agglo_plot_moran_scatter(agglo_ctx *ctx, const double *z, const double *lag, size_t n,
                             double slope, const char *xlabel, const char *ylabel,
                             const char *title, const char *path);


/* ---- density images and point-pattern curves (kde module: src/plot/raster.c, curve.c) ---- */

/* A grid of values (nrows x ncols, row 0 at the top, cell size `cell`, top-left corner
 * (xmin, ymax)) drawn as a coloured image (viridis, light = low; values equal to nodata or
 * NaN transparent/white) with a colour bar legend labelled `legend`, a title and map-unit axis
 * ticks. Optional polygon outlines from `outline` (may be NULL). */
int agglo_plot_raster(agglo_ctx *ctx, const double *values, size_t ncols, size_t nrows,
                      double xmin, double ymax, double cell, double nodata,
                      const agglo_layer *outline, const char *legend, const char *title,
                      const char *path);

/* L(r) - r against r with the simulation envelope (lo/hi may be NULL) shaded grey, the
 * observed curve in black and the CSR line at 0 dashed red. Values are L, not K. */
int agglo_plot_lcurve(agglo_ctx *ctx, const double *r, const double *l, const double *lo,
                      const double *hi, size_t n, const char *xlabel, const char *title,
                      const char *path);

/* A square n x n matrix of values in [0, 1] (row-major; NaN grey) as coloured cells with the
 * values printed and labels on both axes (src/plot/matrix.c: the interaction q matrix). */
int agglo_plot_matrix(agglo_ctx *ctx, const double *values, size_t n, const char *const *labels,
                      const char *title, const char *path);

#ifdef __cplusplus
}
#endif
#endif
