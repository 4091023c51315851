/* agglo geometry helpers shared by the modules: rasterising a polygon mask onto a grid and
 * building simple shapes as GEOS geometries (in the ctx's GEOS handle). */
#ifndef AGGLO_GEOM_H
#define AGGLO_GEOM_H

#include "agglo/core.h"
#include "agglo/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sets the cells of a north-up grid (top-left corner (xmin, ymax), square cells of side cell,
 * ncols x nrows values row-major with row 0 at the top) whose centre lies outside every polygon
 * of the layer to nodata: even-odd rule per feature (holes excluded), a centre on an edge
 * counted by the half-open rule. The number of cells kept goes to *kept (may be NULL). */
int agglo_geom_mask_grid(agglo_ctx *ctx, double xmin, double ymax, double cell, size_t ncols,
                         size_t nrows, const agglo_layer *polygons, double *values, double nodata,
                         size_t *kept);

struct GEOSGeom_t;

/* Ellipse centred at (cx, cy) with semi-axes a (along the direction `rotation`, degrees
 * clockwise from north) and b, as a GEOS polygon of nvertices (at least 8) points plus the
 * closing one, in the ctx's GEOS handle (free with GEOSGeom_destroy_r). NULL on failure. */
struct GEOSGeom_t *agglo_geom_ellipse(agglo_ctx *ctx, double cx, double cy, double a, double b,
                                      double rotation, int nvertices);

#ifdef __cplusplus
}
#endif
#endif
