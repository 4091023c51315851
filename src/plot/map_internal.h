/* Map frame and layer drawing shared by the map, raster and ellipse figures (not installed).
 * Implemented in map.c. */
#ifndef AGGLO_PLOT_MAP_INTERNAL_H
#define AGGLO_PLOT_MAP_INTERNAL_H

#include "plot_internal.h"
#include <geos_c.h>

typedef struct map_frame {
    double minx, miny, maxx, maxy; /* data extent */
    double scale, xscale;          /* figure units per map unit; x stretch (cos lat, lon/lat) */
    double ox, oy;                 /* figure position of (minx, maxy) */
    double pw, ph;                 /* size of the drawn extent */
    double centre_lat;             /* of the extent (geographic scale bar) */
} map_frame;

static inline void plot_to_px(const map_frame *f, double x, double y, double *px, double *py)
{
    *px = f->ox + (x - f->minx) * f->xscale * f->scale;
    *py = f->oy + (f->maxy - y) * f->scale; /* north up */
}

/* Fits the layer's extent (or extent e) into the box (x, y, w, h), centred. */
int plot_frame_fit(agglo_ctx *ctx, const agglo_layer *layer, double x, double y, double w,
                   double h, map_frame *f);
int plot_frame_fit_extent(const double e[4], int geographic, double x, double y, double w,
                          double h, map_frame *f);
double plot_layer_aspect(const agglo_layer *layer);
void plot_geom_path(GEOSContextHandle_t h, const GEOSGeometry *g, const map_frame *f,
                    cairo_t *cr);
/* Strokes every polygon outline of layer (overlay, study area). */
void plot_outline_layer(agglo_ctx *ctx, cairo_t *cr, const agglo_layer *layer,
                        const map_frame *f, double lw);
char **plot_feature_labels(agglo_ctx *ctx, const agglo_layer *layer, const agglo_plot_style *st,
                           int *rc);
size_t plot_draw_labels(agglo_ctx *ctx, cairo_t *cr, const agglo_layer *layer, char **labels,
                        const map_frame *f, double size, double clip_x0, double clip_y0,
                        double clip_x1, double clip_y1);
void plot_free_labels(char **labels, size_t n);
/* North arrow, scale bar, CRS down a column at x from y; returns the y below. */
double plot_furniture(cairo_t *cr, const agglo_plot_style *st, const plot_crs *c,
                      const map_frame *f, double x, double y, double w);

#endif
