/* Polygonal study windows for point patterns (spatstat owin of type "polygonal"): the union
 * of a polygon layer, or rings given directly; area, perimeter, point-in-window, distance to
 * the boundary, the fraction of a circle inside (Ripley's isotropic edge correction for
 * polygons, spatstat edge.Ripley) and uniform sampling. */
#define _GNU_SOURCE
#include "agglo/points.h"
#include "agglo/layer.h"
#include "agglo/rng.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "points_internal.h"

struct agglo_window {
    size_t nrings;
    size_t *start; /* ring r: vertices start[r] .. start[r+1]-1, first not repeated */
    double *x, *y;
    int *hole;
    double bb[4];
    double area, perimeter;
};

void agglo_window_free(agglo_window *w)
{
    if (!w)
        return;
    free(w->start);
    free(w->x);
    free(w->y);
    free(w->hole);
    free(w);
}

static double ring_area(const double *x, const double *y, size_t m)
{
    double s = 0;
    for (size_t k = 0; k < m; k++) {
        size_t k1 = k + 1 == m ? 0 : k + 1;
        s += (x[k] - x[0]) * (y[k1] - y[0]) - (x[k1] - x[0]) * (y[k] - y[0]);
    }
    return 0.5 * s;
}

/* Builds the window from rings (a ring's closing vertex equal to its first is dropped). */
agglo_window *agglo_window_from_rings(agglo_ctx *ctx, size_t nrings, const size_t *ring_len,
                                      const double *x, const double *y, const int *is_hole)
{
    size_t total = 0;
    for (size_t r = 0; r < nrings; r++)
        total += ring_len[r];
    if (nrings == 0 || total == 0) {
        agglo_error(ctx, AGGLO_E_EMPTY, "window: no polygon");
        return NULL;
    }
    agglo_window *w = agglo_calloc(ctx, 1, sizeof *w);
    if (!w)
        return NULL;
    w->start = agglo_malloc(ctx, (nrings + 1) * sizeof(size_t));
    w->x = agglo_malloc(ctx, total * sizeof(double));
    w->y = agglo_malloc(ctx, total * sizeof(double));
    w->hole = agglo_calloc(ctx, nrings, sizeof(int));
    if (!w->start || !w->x || !w->y || !w->hole) {
        agglo_window_free(w);
        return NULL;
    }
    w->bb[0] = w->bb[1] = INFINITY;
    w->bb[2] = w->bb[3] = -INFINITY;
    size_t in = 0, out = 0, kept = 0;
    double shells = 0, holes = 0;
    for (size_t r = 0; r < nrings; r++) {
        size_t m = ring_len[r];
        const double *rx = x + in, *ry = y + in;
        in += m;
        if (m >= 2 && rx[0] == rx[m - 1] && ry[0] == ry[m - 1])
            m--;
        for (size_t k = 0; k < m; k++)
            if (!isfinite(rx[k]) || !isfinite(ry[k])) {
                agglo_error(ctx, AGGLO_E_GEOMETRY, "window: ring %zu has a non-finite vertex",
                            r + 1);
                agglo_window_free(w);
                return NULL;
            }
        if (m < 3)
            continue;
        w->start[kept] = out;
        memcpy(w->x + out, rx, m * sizeof(double));
        memcpy(w->y + out, ry, m * sizeof(double));
        double a = fabs(ring_area(rx, ry, m));
        w->hole[kept] = is_hole ? is_hole[r] != 0 : 0;
        if (w->hole[kept])
            holes += a;
        else
            shells += a;
        for (size_t k = 0; k < m; k++) {
            size_t k1 = k + 1 == m ? 0 : k + 1;
            w->perimeter += hypot(rx[k1] - rx[k], ry[k1] - ry[k]);
            w->bb[0] = fmin(w->bb[0], rx[k]);
            w->bb[1] = fmin(w->bb[1], ry[k]);
            w->bb[2] = fmax(w->bb[2], rx[k]);
            w->bb[3] = fmax(w->bb[3], ry[k]);
        }
        out += m;
        kept++;
    }
    w->nrings = kept;
    w->start[kept] = out;
    w->area = shells - holes;
    if (kept == 0 || !(w->area > 0)) {
        agglo_error(ctx, AGGLO_E_GEOMETRY, "window: the polygons have no area");
        agglo_window_free(w);
        return NULL;
    }
    return w;
}

/* ---- from a layer: GEOS union of its polygons ---- */

typedef struct ringbuf {
    double *x, *y;
    size_t n, cap;
    size_t *len;
    int *hole;
    size_t nr, rcap;
} ringbuf;

static int rb_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, int hole, ringbuf *b)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int np = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(h, cs, &np))
        return -1;
    if (b->n + np > b->cap) {
        size_t cap = (b->n + np) * 2;
        double *nx = realloc(b->x, cap * sizeof(double));
        if (!nx)
            return -1;
        b->x = nx;
        double *ny = realloc(b->y, cap * sizeof(double));
        if (!ny)
            return -1;
        b->y = ny;
        b->cap = cap;
    }
    if (b->nr == b->rcap) {
        size_t cap = b->rcap ? 2 * b->rcap : 16;
        size_t *nl = realloc(b->len, cap * sizeof(size_t));
        if (!nl)
            return -1;
        b->len = nl;
        int *nh = realloc(b->hole, cap * sizeof(int));
        if (!nh)
            return -1;
        b->hole = nh;
        b->rcap = cap;
    }
    for (unsigned int k = 0; k < np; k++)
        GEOSCoordSeq_getXY_r(h, cs, k, &b->x[b->n + k], &b->y[b->n + k]);
    b->n += np;
    b->len[b->nr] = np;
    b->hole[b->nr++] = hole;
    return 0;
}

static int rb_polys(GEOSContextHandle_t h, const GEOSGeometry *g, ringbuf *b)
{
    int t = GEOSGeomTypeId_r(h, g);
    if (t == GEOS_MULTIPOLYGON || t == GEOS_GEOMETRYCOLLECTION) {
        int ng = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < ng; i++)
            if (rb_polys(h, GEOSGetGeometryN_r(h, g, i), b))
                return -1;
        return 0;
    }
    if (t != GEOS_POLYGON)
        return 0;
    if (rb_ring(h, GEOSGetExteriorRing_r(h, g), 0, b))
        return -1;
    int ni = GEOSGetNumInteriorRings_r(h, g);
    for (int i = 0; i < ni; i++)
        if (rb_ring(h, GEOSGetInteriorRingN_r(h, g, i), 1, b))
            return -1;
    return 0;
}

agglo_window *agglo_window_from_layer(agglo_ctx *ctx, const agglo_layer *polygons)
{
    if (!polygons) {
        agglo_error(ctx, AGGLO_E_USAGE, "window: no polygon layer");
        return NULL;
    }
    if (agglo_layer_kind(polygons) != AGGLO_GEOM_POLYGON) {
        agglo_error(ctx, AGGLO_E_GEOMETRY, "window: the layer does not hold polygons");
        return NULL;
    }
    GEOSContextHandle_t h = agglo_ctx_geos(ctx);
    size_t n = agglo_layer_count(polygons), k = 0;
    GEOSGeometry **parts = agglo_malloc(ctx, (n ? n : 1) * sizeof *parts);
    if (!parts)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(polygons, i);
        if (g) {
            parts[k] = GEOSGeom_clone_r(h, g);
            if (parts[k])
                k++;
        }
    }
    if (k == 0) {
        free(parts);
        agglo_error(ctx, AGGLO_E_EMPTY, "window: the layer has no polygon");
        return NULL;
    }
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts,
                                                     (unsigned int)k);
    free(parts);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    if (!u) {
        agglo_error(ctx, AGGLO_E_GEOMETRY,
                    "window: the union of the polygons failed (invalid polygons? try "
                    "--make-valid)");
        return NULL;
    }
    ringbuf b = {0};
    agglo_window *w = NULL;
    if (rb_polys(h, u, &b))
        agglo_error(ctx, AGGLO_E_NOMEM, "window: out of memory");
    else
        w = agglo_window_from_rings(ctx, b.nr, b.len, b.x, b.y, b.hole);
    GEOSGeom_destroy_r(h, u);
    free(b.x);
    free(b.y);
    free(b.len);
    free(b.hole);
    return w;
}

double agglo_window_area(const agglo_window *w) { return w->area; }
double agglo_window_perimeter(const agglo_window *w) { return w->perimeter; }
void agglo_window_bbox(const agglo_window *w, double bb[4]) { memcpy(bb, w->bb, sizeof w->bb); }

int agglo_window_contains(const agglo_window *w, double px, double py)
{
    if (px < w->bb[0] || px > w->bb[2] || py < w->bb[1] || py > w->bb[3])
        return 0;
    int in = 0;
    for (size_t r = 0; r < w->nrings; r++) {
        size_t a = w->start[r], m = w->start[r + 1] - a;
        const double *x = w->x + a, *y = w->y + a;
        for (size_t k = 0, j = m - 1; k < m; j = k++)
            if ((y[k] > py) != (y[j] > py) &&
                px < (x[j] - x[k]) * (py - y[k]) / (y[j] - y[k]) + x[k])
                in = !in;
    }
    return in;
}

double agglo_window_boundary_distance(const agglo_window *w, double px, double py)
{
    double best = INFINITY;
    for (size_t r = 0; r < w->nrings; r++) {
        size_t a = w->start[r], m = w->start[r + 1] - a;
        const double *x = w->x + a, *y = w->y + a;
        for (size_t k = 0, j = m - 1; k < m; j = k++) {
            double ex = x[k] - x[j], ey = y[k] - y[j], l2 = ex * ex + ey * ey;
            double t = l2 > 0 ? ((px - x[j]) * ex + (py - y[j]) * ey) / l2 : 0;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            double dx = x[j] + t * ex - px, dy = y[j] + t * ey - py;
            double d2 = dx * dx + dy * dy;
            if (d2 < best)
                best = d2;
        }
    }
    return sqrt(best);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double agglo_window_circle_fraction(const agglo_window *w, double cx, double cy, double r)
{
    if (!(r > 0))
        return agglo_window_contains(w, cx, cy) ? 1.0 : 0.0;
    if (agglo_window_boundary_distance(w, cx, cy) >= r)
        return agglo_window_contains(w, cx + r, cy) ? 1.0 : 0.0;
    /* angles where the circle crosses an edge, then the arcs between them whose midpoint is
     * inside */
    size_t cap = 64, na = 0;
    double stack[64], *ang = stack;
    for (size_t q = 0; q < w->nrings; q++) {
        size_t a = w->start[q], m = w->start[q + 1] - a;
        const double *x = w->x + a, *y = w->y + a;
        for (size_t k = 0, j = m - 1; k < m; j = k++) {
            double ex = x[k] - x[j], ey = y[k] - y[j];
            double fx = x[j] - cx, fy = y[j] - cy;
            /* |f + t e|^2 = r^2 */
            double A = ex * ex + ey * ey, B = 2 * (fx * ex + fy * ey), C = fx * fx + fy * fy - r * r;
            if (A <= 0)
                continue;
            double disc = B * B - 4 * A * C;
            if (disc < 0)
                continue;
            double sq = sqrt(disc);
            double ts[2] = {(-B - sq) / (2 * A), (-B + sq) / (2 * A)};
            for (int s = 0; s < 2; s++) {
                if (ts[s] < 0 || ts[s] > 1 || (s == 1 && sq == 0))
                    continue;
                if (na == cap) {
                    size_t nc = cap * 2;
                    double *nb = malloc(nc * sizeof(double));
                    if (!nb)
                        goto done;
                    memcpy(nb, ang, na * sizeof(double));
                    if (ang != stack)
                        free(ang);
                    ang = nb;
                    cap = nc;
                }
                ang[na++] = atan2(fy + ts[s] * ey, fx + ts[s] * ex);
            }
        }
    }
done:;
    double inside = 0;
    if (na == 0) {
        inside = agglo_window_contains(w, cx + r, cy) ? 2 * M_PI : 0;
    } else {
        qsort(ang, na, sizeof(double), cmp_d);
        for (size_t k = 0; k < na; k++) {
            double a0 = ang[k], a1 = k + 1 < na ? ang[k + 1] : ang[0] + 2 * M_PI;
            double len = a1 - a0;
            if (len <= 0)
                continue;
            double mid = 0.5 * (a0 + a1);
            if (agglo_window_contains(w, cx + r * cos(mid), cy + r * sin(mid)))
                inside += len;
        }
    }
    if (ang != stack)
        free(ang);
    return inside / (2 * M_PI);
}

int agglo_window_sample(const agglo_window *w, agglo_rng *rng, double *x, double *y)
{
    double W = w->bb[2] - w->bb[0], H = w->bb[3] - w->bb[1];
    for (long tries = 0; tries < 100000000L; tries++) {
        double px = w->bb[0] + agglo_rng_uniform(rng) * W;
        double py = w->bb[1] + agglo_rng_uniform(rng) * H;
        if (agglo_window_contains(w, px, py)) {
            *x = px;
            *y = py;
            return 0;
        }
    }
    return -1;
}

double agglo__window_ripley_weight(const agglo_window *w, double x, double y, double d)
{
    if (!(d > 0))
        return 1;
    double f = agglo_window_circle_fraction(w, x, y, d);
    double wt = f > 0 ? 1 / f : INFINITY;
    return wt > 100 ? 100 : wt;
}

int agglo__window_check_points(agglo_ctx *ctx, const agglo_window *w, const double *x,
                               const double *y, size_t n, const char *what)
{
    size_t out = 0, first = 0;
    for (size_t i = 0; i < n; i++)
        if (!agglo_window_contains(w, x[i], y[i]) && out++ == 0)
            first = i;
    if (out)
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "%s: %zu point(s) lie outside the window polygons (the first at "
                           "(%g, %g)); the window must contain the pattern",
                           what, out, x[first], y[first]);
    return AGGLO_OK;
}
