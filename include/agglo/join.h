/* agglo join: points in polygons (GEOS STRtree + prepared geometries).
 *
 * Boundary rule: a point is counted in exactly one region. Candidates come from the STRtree;
 * a point strictly inside a polygon belongs to it; a point on the boundary of several
 * polygons (a shared edge or vertex) belongs to the one with the lowest feature index among
 * those that cover it (GEOSPreparedCovers). Points covered by no polygon are "outside". */
#ifndef AGGLO_JOIN_H
#define AGGLO_JOIN_H

#include "agglo/core.h"
#include "agglo/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* For each point (agglo_layer_count(points) entries) the index of the polygon containing it,
 * or -1 if none (or NULL geometry). Both layers must share the CRS (see agglo_join_layers). */
int agglo_join_assign(agglo_ctx *ctx, const agglo_layer *polygons, const agglo_layer *points,
                      long *region_of_point);

typedef struct agglo_join_options {
    const char *count_name;       /* name of the count field (default "count") */
    const char *const *sum_fields;  /* point fields to sum per region; NULL-terminated or NULL */
    const char *const *mean_fields; /* point fields to average per region */
    int assume_same_crs;          /* accept layers without CRS */
} agglo_join_options;

typedef struct agglo_join_stats {
    size_t points;          /* points read */
    size_t outside;         /* points in no region */
    size_t null_points;     /* points with NULL/empty geometry */
    size_t regions_empty;   /* regions with no point */
    int reprojected;        /* points were reprojected to the polygons' CRS */
} agglo_join_stats;

/* Adds the count (and sum_<f>, mean_<f>) fields to the polygons' table. The points layer is
 * reprojected in place to the polygons' CRS when the CRSs differ; layers without a CRS are
 * refused unless assume_same_crs. NULL attribute values are skipped in sums and means. */
int agglo_join_layers(agglo_ctx *ctx, agglo_layer *polygons, agglo_layer *points,
                      const agglo_join_options *opts, agglo_join_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
