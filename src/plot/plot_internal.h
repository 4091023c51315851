/* Internal helpers shared by the cairo plotting files (not installed).
 * Implemented in map.c. */
#ifndef AGGLO_PLOT_INTERNAL_H
#define AGGLO_PLOT_INTERNAL_H

#include <cairo.h>
#include "agglo/plot.h"

/* Default canvas size of maps and plots, pixels. */
#define AGGLO_PLOT_WIDTH 1200
#define AGGLO_PLOT_HEIGHT 900

/* Writes surface as PNG to path atomically (temporary file beside path + rename). */
int agglo_plot_write_png(agglo_ctx *ctx, cairo_surface_t *surface, const char *path);

/* Creates an RGB surface of w x h filled white; NULL + AGGLO_E_NOMEM on failure. */
cairo_surface_t *agglo_plot_surface(agglo_ctx *ctx, int w, int h, cairo_t **cr);

/* Text drawn with DejaVu/sans: anchor 0 = left, 1 = centre, 2 = right of x; y is the baseline. */
void agglo_plot_text(cairo_t *cr, double x, double y, double size, int bold, int anchor,
                     const char *text);
/* Text rotated 90 degrees counter-clockwise centred on (x, y) (y-axis labels). */
void agglo_plot_text_vertical(cairo_t *cr, double x, double y, double size, const char *text);

/* Legend box of n swatches with labels, top-left corner at (x, y); optional heading. */
void agglo_plot_legend(cairo_t *cr, double x, double y, const char *heading, int n,
                       const agglo_rgb *colours, const char *const *labels);

/* "Nice" tick step for a range covering about nticks ticks. */
double agglo_plot_nice_step(double range, int nticks);

#endif
