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

/* What a command does with coordinates, for agglo_lonlat_check. */
typedef enum {
    AGGLO_COORDS_ANY = 0,   /* nothing metric (contiguity, attributes): any CRS */
    AGGLO_COORDS_DISTANCES, /* planar distances (kde, point patterns, distance weights) */
    AGGLO_COORDS_AREAS      /* polygon areas */
} agglo_coords_need;

/* Flags of agglo_lonlat_check. */
enum {
    AGGLO_LONLAT_ARC_AVAILABLE = 1u << 0, /* the command offers great-circle distances (--arc) */
    AGGLO_LONLAT_ARC = 1u << 1            /* and they were asked for */
};

/* The one coordinate policy of every command: whether a layer's coordinates serve `need`.
 * AGGLO_OK when they do; AGGLO_E_CRS with one wording when they do not:
 *   "<path>: coordinates are longitude/latitude (degrees); distances need a projected CRS:
 *    reproject with --to EPSG:xxxx (e.g. a UTM zone)[, or use great-circle distances (--arc)]"
 *   ("areas need ..." for AGGLO_COORDS_AREAS), and
 *   "<path>: --arc needs longitude/latitude coordinates but the CRS is projected".
 * With --arc on a layer without a CRS it warns "<path>: has no CRS; --arc takes its
 * coordinates as longitude/latitude (degrees)" and returns AGGLO_OK. */
int agglo_lonlat_check(agglo_ctx *ctx, const agglo_layer *layer, agglo_coords_need need,
                       unsigned flags);

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
