/* weights_gen N OUT.shp [SEED]: a benchmark polygon layer of N Voronoi cells of uniform random
 * points in the square [0, 1000 sqrt(N)]^2, clipped to the square (GEOS Voronoi diagram),
 * written with the points' ids (field ID = 1..N in point order after GEOS's cell order). */
#include "agglo/agglo.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: weights_gen N OUT.shp [SEED]\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    unsigned long long seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1;
    if (n < 2) {
        fprintf(stderr, "weights_gen: N must be >= 2\n");
        return 2;
    }
    agglo_ctx *ctx = agglo_ctx_create();
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    double side = 1000.0 * sqrt((double)n);
    agglo_rng r;
    agglo_rng_init(&r, seed, 0);
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(gh, (unsigned)n, 2);
    for (long i = 0; i < n; i++) {
        /* coordinates rounded to 1 mm, as real data usually is */
        double x = round(agglo_rng_uniform(&r) * side * 1000.0) / 1000.0;
        double y = round(agglo_rng_uniform(&r) * side * 1000.0) / 1000.0;
        GEOSCoordSeq_setXY_r(gh, cs, (unsigned)i, x, y);
    }
    GEOSGeometry *mp = GEOSGeom_createLineString_r(gh, cs); /* a carrier for the points */
    GEOSGeometry *env = GEOSGeom_createRectangle_r(gh, 0, 0, side, side);
    GEOSGeometry *vor = GEOSVoronoiDiagram_r(gh, mp, env, 0.0, 0);
    if (!vor) {
        fprintf(stderr, "weights_gen: Voronoi diagram failed\n");
        return 1;
    }
    int m = GEOSGetNumGeometries_r(gh, vor);
    GEOSGeometry **cells = calloc((size_t)m, sizeof *cells);
    size_t k = 0;
    for (int i = 0; i < m; i++) {
        GEOSGeometry *c = GEOSIntersection_r(gh, GEOSGetGeometryN_r(gh, vor, i), env);
        if (c && !GEOSisEmpty_r(gh, c) && GEOSGeomTypeId_r(gh, c) == GEOS_POLYGON)
            cells[k++] = c;
        else if (c)
            GEOSGeom_destroy_r(gh, c);
    }
    agglo_table *t = agglo_table_create(ctx, k);
    double *ids = malloc(k * sizeof(double));
    for (size_t i = 0; i < k; i++)
        ids[i] = (double)(i + 1);
    agglo_table_add_numeric(ctx, t, "ID", AGGLO_COL_INTEGER, ids, NULL);
    agglo_layer *L = agglo_layer_create(ctx, k, (struct GEOSGeom_t **)cells, t, "EPSG:3857");
    int rc = L ? agglo_layer_write(ctx, L, argv[2], NULL) : agglo_ctx_errcode(ctx);
    if (rc != AGGLO_OK)
        fprintf(stderr, "weights_gen: %s\n", agglo_ctx_errmsg(ctx));
    else
        fprintf(stderr, "weights_gen: %zu cells -> %s\n", k, argv[2]);
    agglo_layer_free(L);
    free(cells);
    free(ids);
    GEOSGeom_destroy_r(gh, vor);
    GEOSGeom_destroy_r(gh, env);
    GEOSGeom_destroy_r(gh, mp);
    agglo_ctx_free(ctx);
    return rc == AGGLO_OK ? 0 : 1;
}
