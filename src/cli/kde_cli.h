/* Helpers shared by the kde, points and concentration commands (static, header only). */
#ifndef AGGLO_KDE_CLI_H
#define AGGLO_KDE_CLI_H

#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Coordinates of every feature (points; centroids for polygons). Refuses lon/lat coordinates
 * (agglo_lonlat_check): distances in degrees are meaningless. NULL on failure (error in ctx). */
static inline int kde_cli_coords(agglo_ctx *ctx, const agglo_layer *layer, const char *path,
                                 double **x, double **y, size_t *n)
{
    if (agglo_lonlat_check(ctx, layer, AGGLO_COORDS_DISTANCES, 0))
        return agglo_ctx_errcode(ctx);
    *n = agglo_layer_count(layer);
    *x = malloc((*n ? *n : 1) * sizeof(double));
    *y = malloc((*n ? *n : 1) * sizeof(double));
    if (!*x || !*y) {
        free(*x);
        free(*y);
        return agglo_error(ctx, AGGLO_E_NOMEM, "%s: out of memory", path);
    }
    int rc = agglo_layer_coords(ctx, layer, 0, *x, *y);
    if (rc) {
        free(*x);
        free(*y);
    }
    return rc;
}

/* "xmin,ymin,xmax,ymax" -> ext; 0 ok, -1 after a usage message. */
static inline int kde_cli_extent(const char *cmd, const char *opt, const char *arg, double ext[4])
{
    size_t k = 0;
    char **parts = cli_split(arg, &k);
    int ok = parts && k == 4;
    /* the shared number policy: every finite number (subnormals too), nothing else */
    for (size_t i = 0; ok && i < 4; i++)
        if (agglo_parse_double(parts[i], &ext[i]) != 0)
            ok = 0;
    if (parts)
        agglo_strings_free(parts, k);
    if (!ok || !(ext[2] > ext[0]) || !(ext[3] > ext[1])) {
        cli_usage(cmd, "%s: '%s' is not xmin,ymin,xmax,ymax with xmin < xmax, ymin < ymax", opt, arg);
        return -1;
    }
    return 0;
}

/* Reads a polygon layer and brings it to the CRS of `ref` (reprojecting when they differ). */
static inline agglo_layer *kde_cli_read_polygons(agglo_ctx *ctx, const char *path,
                                                 const agglo_layer *ref, const cli_common *c)
{
    cli_common pc = *c;
    cli_need_reset(&pc); /* the points' fields are not the polygons' */
    pc.x_field = pc.y_field = NULL;
    pc.assign_crs = NULL;
    pc.to_crs = NULL;
    agglo_layer *poly = cli_read_layer(ctx, path, &pc);
    if (!poly)
        return NULL;
    if (agglo_layer_kind(poly) != AGGLO_GEOM_POLYGON) {
        agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: expected polygons", path);
        agglo_layer_free(poly);
        return NULL;
    }
    if (!agglo_layer_same_crs(poly, ref)) {
        const char *wkt = agglo_layer_crs_wkt(ref);
        if (!wkt || !agglo_layer_crs_wkt(poly)) {
            agglo_error(ctx, AGGLO_E_CRS, "%s: CRS differs from the points' and one of them has "
                        "none", path);
            agglo_layer_free(poly);
            return NULL;
        }
        if (agglo_layer_transform(ctx, poly, wkt) != AGGLO_OK) {
            agglo_layer_free(poly);
            return NULL;
        }
    }
    return poly;
}

#endif
