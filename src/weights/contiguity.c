/* Queen and rook contiguity from polygon vertices in linear time.
 *
 * Every ring of every polygon part contributes its vertices (the closing vertex dropped).
 * Vertices are bucketed in a hash of grid cells of side >= snap; two vertices of different
 * features match when |dx| <= snap, |dy| <= snap and hypot(dx, dy) <= snap (spdep poly2nb's
 * test), which only needs comparisons within a cell and its 8 neighbours. With snap = 0 the
 * cells are exact coordinates.
 * Queen: features with a matching vertex pair are neighbours.
 * Rook: matching vertices are merged (union-find) and features sharing an edge, a pair of
 * consecutive merged vertices in either direction, are neighbours. */
#define _GNU_SOURCE
#include "weights_internal.h"
#include "../core/core_internal.h"

#include <float.h>
#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double *x, *y;
    int32_t *f;      /* feature of each vertex */
    size_t n, cap;
    uint32_t *e0, *e1; /* edges as vertex pairs (rook only) */
    int32_t *ef;
    size_t ne, ecap;
    double *buf;     /* coordinate buffer */
    size_t bufcap;
} vset;

static int vset_reserve(vset *V, size_t extra)
{
    if (V->n + extra <= V->cap)
        return 0;
    size_t cap = V->cap ? V->cap : 4096;
    while (cap < V->n + extra)
        cap *= 2;
    double *x = realloc(V->x, cap * sizeof(double));
    if (!x)
        return -1;
    V->x = x;
    double *y = realloc(V->y, cap * sizeof(double));
    if (!y)
        return -1;
    V->y = y;
    int32_t *f = realloc(V->f, cap * sizeof(int32_t));
    if (!f)
        return -1;
    V->f = f;
    V->cap = cap;
    return 0;
}

static int eset_reserve(vset *V, size_t extra)
{
    if (V->ne + extra <= V->ecap)
        return 0;
    size_t cap = V->ecap ? V->ecap : 4096;
    while (cap < V->ne + extra)
        cap *= 2;
    uint32_t *a = realloc(V->e0, cap * sizeof(uint32_t));
    if (!a)
        return -1;
    V->e0 = a;
    uint32_t *b = realloc(V->e1, cap * sizeof(uint32_t));
    if (!b)
        return -1;
    V->e1 = b;
    int32_t *f = realloc(V->ef, cap * sizeof(int32_t));
    if (!f)
        return -1;
    V->ef = f;
    V->ecap = cap;
    return 0;
}

static void vset_free(vset *V)
{
    free(V->x);
    free(V->y);
    free(V->f);
    free(V->e0);
    free(V->e1);
    free(V->ef);
    free(V->buf);
}

static int add_ring(GEOSContextHandle_t gh, const GEOSGeometry *ring, int32_t feat, int rook,
                    vset *V)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(gh, ring);
    unsigned int m = 0;
    if (!cs || !GEOSCoordSeq_getSize_r(gh, cs, &m))
        return -2;
    if (m == 0)
        return 0;
    if (m > V->bufcap) {
        double *b = realloc(V->buf, 2 * (size_t)m * sizeof(double));
        if (!b)
            return -1;
        V->buf = b;
        V->bufcap = m;
    }
    if (!GEOSCoordSeq_copyToBuffer_r(gh, cs, V->buf, 0, 0))
        return -2;
    size_t k = m;
    if (k > 1 && V->buf[0] == V->buf[2 * (k - 1)] && V->buf[1] == V->buf[2 * (k - 1) + 1])
        k--; /* closing vertex */
    if (V->n + k > (size_t)UINT32_MAX)
        return -1;
    if (vset_reserve(V, k))
        return -1;
    size_t first = V->n;
    for (size_t i = 0; i < k; i++) {
        V->x[V->n] = V->buf[2 * i] + 0.0; /* -0.0 -> 0.0 */
        V->y[V->n] = V->buf[2 * i + 1] + 0.0;
        V->f[V->n++] = feat;
    }
    if (rook && k > 1) {
        if (eset_reserve(V, k))
            return -1;
        for (size_t i = 0; i < k; i++) {
            if (k == 2 && i == 1)
                break; /* a two-vertex ring has one edge */
            V->e0[V->ne] = (uint32_t)(first + i);
            V->e1[V->ne] = (uint32_t)(first + (i + 1) % k);
            V->ef[V->ne++] = feat;
        }
    }
    return 0;
}

static int add_geom(GEOSContextHandle_t gh, const GEOSGeometry *g, int32_t feat, int rook, vset *V)
{
    int type = GEOSGeomTypeId_r(gh, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(gh, g) == 1)
            return 0;
        const GEOSGeometry *r = GEOSGetExteriorRing_r(gh, g);
        if (!r)
            return -2;
        int rc = add_ring(gh, r, feat, rook, V);
        if (rc)
            return rc;
        int nh = GEOSGetNumInteriorRings_r(gh, g);
        for (int h = 0; h < nh; h++) {
            r = GEOSGetInteriorRingN_r(gh, g, h);
            if (!r)
                return -2;
            rc = add_ring(gh, r, feat, rook, V);
            if (rc)
                return rc;
        }
        return 0;
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int np = GEOSGetNumGeometries_r(gh, g);
        for (int p = 0; p < np; p++) {
            int rc = add_geom(gh, GEOSGetGeometryN_r(gh, g, p), feat, rook, V);
            if (rc)
                return rc;
        }
    }
    return 0; /* points and lines contribute nothing */
}

/* ---- hash of cells ---- */

typedef struct {
    int64_t cx, cy;
    uint32_t head; /* first vertex of the cell's chain + 1; 0 = empty slot */
} hslot;

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t cell_hash(int64_t cx, int64_t cy)
{
    return mix64((uint64_t)cx * 0x9e3779b97f4a7c15ULL ^ mix64((uint64_t)cy));
}

static const hslot *hfind(const hslot *H, size_t mask, int64_t cx, int64_t cy)
{
    size_t p = cell_hash(cx, cy) & mask;
    while (H[p].head) {
        if (H[p].cx == cx && H[p].cy == cy)
            return &H[p];
        p = (p + 1) & mask;
    }
    return NULL;
}

static size_t uf_find(uint32_t *parent, size_t a)
{
    while (parent[a] != a) {
        parent[a] = parent[parent[a]];
        a = parent[a];
    }
    return a;
}

static void uf_union(uint32_t *parent, size_t a, size_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a == b)
        return;
    if (a < b)
        parent[b] = (uint32_t)a;
    else
        parent[a] = (uint32_t)b;
}

typedef struct {
    uint64_t key; /* (min root) << 32 | (max root), + 1 so that 0 = empty */
    uint32_t head; /* first edge + 1 */
} eslot;

static agglo_weights *contiguity(agglo_ctx *ctx, const agglo_layer *layer, double snap, int rook,
                                 const char *const *ids)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    size_t n = agglo_layer_count(layer);
    if (n > (size_t)INT32_MAX) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: too many features", agglo_layer_path(layer));
        return NULL;
    }
    if (snap < 0 || !isfinite(snap))
        snap = sqrt(DBL_EPSILON);
    vset V;
    memset(&V, 0, sizeof V);
    wi_links L;
    memset(&L, 0, sizeof L);
    hslot *H = NULL;
    uint32_t *next = NULL, *parent = NULL, *enext = NULL;
    eslot *E = NULL;
    agglo_weights *W = NULL;
    size_t nonpoly = 0, firstnonpoly = 0;

    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(layer, i);
        if (!g)
            continue;
        int t = GEOSGeomTypeId_r(gh, g);
        if (t != GEOS_POLYGON && t != GEOS_MULTIPOLYGON && t != GEOS_GEOMETRYCOLLECTION) {
            if (!nonpoly++)
                firstnonpoly = i;
            continue;
        }
        int rc = add_geom(gh, g, (int32_t)i, rook, &V);
        if (rc == -1) {
            agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            goto out;
        }
        if (rc == -2) {
            agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: feature %zu: cannot read the polygon's rings",
                        agglo_layer_path(layer), i + 1);
            goto out;
        }
    }
    if (nonpoly == n && n > 0) {
        agglo_error(ctx, AGGLO_E_GEOMETRY,
                    "%s: contiguity weights need polygons (use knn, band or kernel weights for points)",
                    agglo_layer_path(layer));
        goto out;
    }
    if (nonpoly)
        agglo_warn(ctx, "%s: %zu non-polygon feature(s) (first: %zu) left without contiguity neighbours",
                   agglo_layer_path(layer), nonpoly, firstnonpoly + 1);

    /* cell size */
    double maxabs = 0.0;
    for (size_t v = 0; v < V.n; v++) {
        double a = fmax(fabs(V.x[v]), fabs(V.y[v]));
        if (a > maxabs)
            maxabs = a;
    }
    int exact = snap == 0.0;
    double csize = exact ? 1.0 : fmax(snap, maxabs * 0x1p-52);
    double inv = 1.0 / csize;

    size_t hcap = 16;
    while (hcap < 2 * V.n + 16)
        hcap *= 2;
    size_t mask = hcap - 1;
    H = agglo_calloc(ctx, hcap, sizeof(hslot));
    next = agglo_malloc(ctx, (V.n ? V.n : 1) * sizeof(uint32_t));
    if (rook)
        parent = agglo_malloc(ctx, (V.n ? V.n : 1) * sizeof(uint32_t));
    if (!H || !next || (rook && !parent))
        goto out;
    for (size_t v = 0; v < V.n; v++) {
        int64_t cx, cy;
        if (exact) {
            memcpy(&cx, &V.x[v], sizeof cx);
            memcpy(&cy, &V.y[v], sizeof cy);
        } else {
            cx = (int64_t)floor(V.x[v] * inv);
            cy = (int64_t)floor(V.y[v] * inv);
        }
        size_t p = cell_hash(cx, cy) & mask;
        while (H[p].head && !(H[p].cx == cx && H[p].cy == cy))
            p = (p + 1) & mask;
        if (!H[p].head) {
            H[p].cx = cx;
            H[p].cy = cy;
            next[v] = 0;
        } else {
            next[v] = H[p].head;
        }
        H[p].head = (uint32_t)(v + 1);
        if (rook)
            parent[v] = (uint32_t)v;
    }

    /* compare within each cell and with 4 of its 8 neighbours (each cell pair once) */
    static const int nb[5][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}, {-1, 1}};
    int ncells = exact ? 1 : 5;
    for (size_t s = 0; s < hcap; s++) {
        if (!H[s].head)
            continue;
        for (int q = 0; q < ncells; q++) {
            const hslot *o = q == 0 ? &H[s] : hfind(H, mask, H[s].cx + nb[q][0], H[s].cy + nb[q][1]);
            if (!o)
                continue;
            for (uint32_t a = H[s].head; a; a = next[a - 1]) {
                size_t u = a - 1;
                uint32_t bstart = q == 0 ? next[u] : o->head;
                for (uint32_t b = bstart; b; b = next[b - 1]) {
                    size_t v = b - 1;
                    if (V.f[u] == V.f[v])
                        continue;
                    double dx = V.x[u] - V.x[v], dy = V.y[u] - V.y[v];
                    if (fabs(dx) > snap || fabs(dy) > snap || hypot(dx, dy) > snap)
                        continue;
                    if (rook)
                        uf_union(parent, u, v);
                    else if (wi_links_push(&L, V.f[u], V.f[v], 1.0)) {
                        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                        goto out;
                    }
                }
            }
        }
    }

    if (rook) {
        size_t ecap = 16;
        while (ecap < 2 * V.ne + 16)
            ecap *= 2;
        size_t emask = ecap - 1;
        E = agglo_calloc(ctx, ecap, sizeof(eslot));
        enext = agglo_malloc(ctx, (V.ne ? V.ne : 1) * sizeof(uint32_t));
        if (!E || !enext)
            goto out;
        for (size_t e = 0; e < V.ne; e++) {
            uint64_t a = uf_find(parent, V.e0[e]), b = uf_find(parent, V.e1[e]);
            enext[e] = 0;
            if (a == b)
                continue; /* degenerate edge after snapping */
            uint64_t key = ((a < b ? a : b) << 32 | (a < b ? b : a)) + 1;
            size_t p = mix64(key) & emask;
            while (E[p].key && E[p].key != key)
                p = (p + 1) & emask;
            if (!E[p].key)
                E[p].key = key;
            else {
                /* link with every other feature already on this edge */
                for (uint32_t c = E[p].head; c; c = enext[c - 1])
                    if (V.ef[c - 1] != V.ef[e] && wi_links_push(&L, V.ef[c - 1], V.ef[e], 1.0)) {
                        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                        goto out;
                    }
                enext[e] = E[p].head;
            }
            E[p].head = (uint32_t)(e + 1);
        }
    }
    W = wi_from_links(ctx, n, &L, 1, ids);
out:
    vset_free(&V);
    wi_links_free(&L);
    free(H);
    free(next);
    free(parent);
    free(E);
    free(enext);
    return W;
}

agglo_weights *agglo_weights_queen(agglo_ctx *ctx, const agglo_layer *layer, double snap,
                                   const char *const *ids)
{
    return contiguity(ctx, layer, snap, 0, ids);
}

agglo_weights *agglo_weights_rook(agglo_ctx *ctx, const agglo_layer *layer, double snap,
                                  const char *const *ids)
{
    return contiguity(ctx, layer, snap, 1, ids);
}
