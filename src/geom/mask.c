/* Polygon mask rasteriser: which cells of a north-up grid have their centre inside a polygon
 * layer, by scanline crossings (even-odd rule per feature, so holes are excluded). */
#define _GNU_SOURCE
#include "agglo/geom.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"

typedef struct xs {
    double *v;
    size_t n, cap;
} xs;

static int ring_crossings(GEOSContextHandle_t hg, const GEOSGeometry *ring, double y, xs *out)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(hg, ring);
    unsigned int np = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(hg, cs, &np) || np < 2)
        return 0;
    double px, py;
    GEOSCoordSeq_getXY_r(hg, cs, 0, &px, &py);
    for (unsigned int k = 1; k < np; k++) {
        double qx, qy;
        GEOSCoordSeq_getXY_r(hg, cs, k, &qx, &qy);
        /* half-open rule: edge crosses the scanline if exactly one end is above */
        if ((py > y) != (qy > y)) {
            if (out->n == out->cap) {
                size_t cap = out->cap ? out->cap * 2 : 64;
                double *v = realloc(out->v, cap * sizeof(double));
                if (!v)
                    return -1;
                out->v = v;
                out->cap = cap;
            }
            out->v[out->n++] = px + (y - py) * (qx - px) / (qy - py);
        }
        px = qx;
        py = qy;
    }
    return 0;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int poly_crossings(GEOSContextHandle_t hg, const GEOSGeometry *poly, double y, xs *out)
{
    int t = GEOSGeomTypeId_r(hg, poly);
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int ng = GEOSGetNumGeometries_r(hg, poly);
        for (int i = 0; i < ng; i++)
            if (poly_crossings(hg, GEOSGetGeometryN_r(hg, poly, i), y, out))
                return -1;
        return 0;
    }
    if (t != GEOS_POLYGON)
        return 0;
    if (ring_crossings(hg, GEOSGetExteriorRing_r(hg, poly), y, out))
        return -1;
    int nh = GEOSGetNumInteriorRings_r(hg, poly);
    for (int i = 0; i < nh; i++)
        if (ring_crossings(hg, GEOSGetInteriorRingN_r(hg, poly, i), y, out))
            return -1;
    return 0;
}

int agglo_geom_mask_grid(agglo_ctx *ctx, double xmin, double ymax, double cell, size_t ncols,
                         size_t nrows, const agglo_layer *polygons, double *values, double nodata,
                         size_t *kept)
{
    if (agglo_layer_kind(polygons) != AGGLO_GEOM_POLYGON)
        return agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: mask layer must hold polygons",
                           agglo_layer_path(polygons));
    GEOSContextHandle_t hg = agglo_ctx_geos(ctx);
    size_t nr = nrows, nc = ncols, nf = agglo_layer_count(polygons);
    unsigned char *in = agglo_calloc(ctx, nc, 1);
    if (!in)
        return AGGLO_E_NOMEM;
    xs cr = {0};
    size_t nkept = 0;
    int rc = AGGLO_OK;
    for (size_t r = 0; r < nr; r++) {
        double y = ymax - ((double)r + 0.5) * cell;
        memset(in, 0, nc);
        for (size_t f = 0; f < nf; f++) {
            const GEOSGeometry *geom = (const GEOSGeometry *)agglo_layer_geometry(polygons, f);
            if (!geom)
                continue;
            cr.n = 0;
            if (poly_crossings(hg, geom, y, &cr)) {
                rc = agglo_error(ctx, AGGLO_E_NOMEM, "mask: out of memory");
                goto done;
            }
            if (cr.n < 2)
                continue;
            qsort(cr.v, cr.n, sizeof(double), cmp_d);
            for (size_t k = 0; k + 1 < cr.n; k += 2) {
                /* cells whose centre x lies in [v[k], v[k+1]) */
                double c0 = ceil((cr.v[k] - xmin) / cell - 0.5);
                double c1 = ceil((cr.v[k + 1] - xmin) / cell - 0.5) - 1;
                if (c0 < 0) c0 = 0;
                if (c1 > (double)nc - 1) c1 = (double)nc - 1;
                for (double c = c0; c <= c1; c++)
                    in[(size_t)c] = 1;
            }
        }
        for (size_t c = 0; c < nc; c++) {
            if (in[c])
                nkept++;
            else
                values[r * nc + c] = nodata;
        }
    }
    if (kept)
        *kept = nkept;
done:
    free(cr.v);
    free(in);
    return rc;
}
