/* Internal helpers shared by the plotting files (not installed): the canvas (surface of the
 * chosen format, header with title/subtitle, footer with the caption, atomic output), text
 * through Pango, legends, map furniture (scale bar, north arrow, CRS). Implemented in
 * canvas.c. */
#ifndef AGGLO_PLOT_INTERNAL_H
#define AGGLO_PLOT_INTERNAL_H

#include <cairo.h>
#include "agglo/plot.h"
#include "agglo/output.h"

/* Default canvas size of maps and plots, figure units (= pixels at 150 dpi). */
#define AGGLO_PLOT_WIDTH 1200
#define AGGLO_PLOT_HEIGHT 900

/* Colour marker for a hatched fill (legend swatches and features). */
#define PLOT_HATCH ((agglo_rgb){-1, -1, -1})
/* "no data" grey and "not significant" grey. */
#define PLOT_NODATA ((agglo_rgb){0.72, 0.72, 0.72})

typedef struct plot_canvas {
    agglo_ctx *ctx;
    agglo_plot_style st; /* resolved copy (defaults filled) */
    const char *path;
    agglo_plot_format format;
    cairo_surface_t *surface;
    cairo_t *cr;
    agglo_output *out;  /* open output (all formats) */
    double W, H;        /* content size, figure units; content origin after the header */
    double header, footer;
    double k;           /* device units per figure unit */
    int unknown;        /* characters without a glyph in any font */
} plot_canvas;

/* The style with defaults filled (style may be NULL). */
void plot_style_resolve(const agglo_plot_style *style, agglo_plot_style *out);

/* Header and footer heights for this title/style, figure units. */
void plot_bands(const agglo_plot_style *st, const char *title, double *header, double *footer);

/* Content size: the style's width/height (converted to figure units, minus header and
 * footer) where set, else defw/defh. *fixed_h tells whether the height was imposed. */
void plot_layout(const agglo_plot_style *st, const char *title, double defw, double defh,
                 double *w, double *h, int *fixed_h);

/* The title to draw: style->title when set, else deflt. */
const char *plot_title(const agglo_plot_style *st, const char *deflt);

/* Opens the output and the surface for a content area w x h (figure units) plus the header
 * (title, subtitle) and footer (caption), paints white, draws header and footer and
 * translates the context to the content origin. NULL + ctx error on failure. */
plot_canvas *plot_begin(agglo_ctx *ctx, const agglo_plot_style *st, const char *path,
                        const char *title, double w, double h);
/* Finishes and commits the file (or aborts on error); frees cv. Returns AGGLO_OK or the
 * error code. */
int plot_end(plot_canvas *cv);
/* Discards the canvas and its temporary file. */
void plot_abort(plot_canvas *cv);

/* Text through Pango with the canvas's font: anchor 0 = left, 1 = centre, 2 = right of x;
 * y is the baseline. Characters without glyphs are counted on the canvas. */
void agglo_plot_text(cairo_t *cr, double x, double y, double size, int bold, int anchor,
                     const char *text);
/* Text rotated 90 degrees counter-clockwise centred on (x, y) (y-axis labels). */
void agglo_plot_text_vertical(cairo_t *cr, double x, double y, double size, const char *text);
/* Logical width and height of text. */
void plot_text_extent(cairo_t *cr, double size, int bold, const char *text, double *w,
                      double *h);
/* Text centred on (x, y) with a white halo (labels over maps). */
void plot_text_halo(cairo_t *cr, double x, double y, double size, const char *text);

/* Legend box of n swatches with labels, top-left corner at (x, y); optional heading;
 * PLOT_HATCH colours are drawn hatched. Returns the y below the legend. */
double agglo_plot_legend(cairo_t *cr, double x, double y, const char *heading, int n,
                         const agglo_rgb *colours, const char *const *labels);

/* Diagonal grey hatching over white (caller destroys). */
cairo_pattern_t *plot_hatch_pattern(void);
void plot_set_fill(cairo_t *cr, agglo_rgb c, cairo_pattern_t *hatch);

/* "Nice" tick step for a range covering about nticks ticks. */
double agglo_plot_nice_step(double range, int nticks);
/* Number for a legend or tick: no trailing noise. */
void plot_fmt_num(char *buf, size_t size, double v);

/* What the furniture needs to know of a CRS. */
typedef struct plot_crs {
    int known;       /* a CRS was given and understood */
    int geographic;
    double unit_m;   /* metres per map unit (projected), 0 if unknown */
    char name[160];  /* "WGS 84 / UTM zone 50N (EPSG:32650)" */
} plot_crs;

/* From the style's crs when set, else the layer's (layer may be NULL). */
void plot_crs_of(const agglo_plot_style *st, const agglo_layer *layer, plot_crs *c);

/* North arrow with its top at (x, y); returns the height used. */
double plot_north_arrow(cairo_t *cr, double x, double y);
/* Scale bar at (x, y) for px_per_unit figure units per map unit (for a geographic CRS per
 * degree of longitude, valid at centre_lat); at most max_len long. Returns the height used
 * (0 when no bar could be drawn; a note is written instead for an unknown unit). */
double plot_scale_bar(cairo_t *cr, const plot_crs *c, double px_per_unit, double centre_lat,
                      double x, double y, double max_len);
/* "CRS: name" in small grey text at (x, y), wrapped to width; returns the height used. */
double plot_crs_text(cairo_t *cr, const plot_crs *c, double x, double y, double width);

/* Class breaks of the finite values of v (n) for the style: explicit breaks, else the style's
 * method, else deflt_method; k classes. Natural breaks on more than 4000 values use an
 * evenly spaced sample of the sorted values (as ArcGIS samples). */
int plot_breaks(agglo_ctx *ctx, const double *v, size_t n, const agglo_plot_style *st,
                int deflt_method, int k, double **breaks, size_t *nbreaks);

#endif
