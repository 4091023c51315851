/* An ellipse as a GEOS polygon (the standard deviational ellipse of src/points/centrography.c). */
#define _GNU_SOURCE
#include "agglo/geom.h"

#include <geos_c.h>
#include <math.h>

#include "../core/core_internal.h"

struct GEOSGeom_t *agglo_geom_ellipse(agglo_ctx *ctx, double cx, double cy, double a, double b,
                                      double rotation, int nvertices)
{
    GEOSContextHandle_t h = agglo_ctx_geos(ctx);
    if (nvertices < 8)
        nvertices = 8;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)nvertices + 1, 2);
    if (!cs) {
        agglo_error(ctx, AGGLO_E_GEOMETRY, "ellipse: cannot create coordinates");
        return NULL;
    }
    double phi = (90.0 - rotation) * M_PI / 180.0;
    double cp = cos(phi), sp = sin(phi);
    for (int t = 0; t <= nvertices; t++) {
        double th = 2 * M_PI * (double)(t % nvertices) / nvertices;
        double u = a * cos(th), v = b * sin(th);
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)t, cx + u * cp - v * sp, cy + u * sp + v * cp);
    }
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, cs);
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
    if (!poly) {
        agglo_error(ctx, AGGLO_E_GEOMETRY, "ellipse: cannot create the polygon");
        return NULL;
    }
    return (struct GEOSGeom_t *)poly;
}
