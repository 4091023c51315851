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

/* ---- grouping by cell: 32-bit hashes of cells, radix-sorted ----
 * Sorting (hash, vertex) pairs groups the vertices of a cell (and the rare hash collisions,
 * which the distance test rejects) in runs, with sequential memory access; a hash table
 * with random probes is several times slower on large layers. */

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint32_t cell_key(int64_t cx, int64_t cy)
{
    return (uint32_t)(mix64((uint64_t)cx * 0x9e3779b97f4a7c15ULL ^ mix64((uint64_t)cy)) >> 32);
}

/* LSD radix sort of (key, val) by key, 3 passes of 11 bits; the result ends in (tk, tv). */
static void radix3(uint32_t *k, uint32_t *v, uint32_t *tk, uint32_t *tv, size_t n)
{
    static const int bits = 11;
    size_t cnt[1 << 11];
    uint32_t *sk = k, *sv = v, *dk = tk, *dv = tv;
    for (int pass = 0; pass < 3; pass++) {
        int sh = pass * bits;
        memset(cnt, 0, sizeof cnt);
        for (size_t i = 0; i < n; i++)
            cnt[(sk[i] >> sh) & 2047]++;
        size_t sum = 0;
        for (size_t b = 0; b < 2048; b++) {
            size_t c = cnt[b];
            cnt[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t p = cnt[(sk[i] >> sh) & 2047]++;
            dk[p] = sk[i];
            dv[p] = sv[i];
        }
        uint32_t *t = sk;
        sk = dk;
        dk = t;
        t = sv;
        sv = dv;
        dv = t;
    }
    /* three swaps: the sorted data is in (tk, tv) */
}

/* First position of key in sorted keys[0..n), or n. */
static size_t lower_bound(const uint32_t *keys, size_t n, uint32_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
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

/* Growable list of feature pairs. */
typedef struct {
    int32_t *p; /* 2 per link */
    size_t n, cap;
} plist;

static int plist_push(plist *P, int32_t a, int32_t b)
{
    if (P->n == P->cap) {
        size_t cap = P->cap ? 2 * P->cap : 4096;
        int32_t *np = realloc(P->p, 2 * cap * sizeof(int32_t));
        if (!np)
            return -1;
        P->p = np;
        P->cap = cap;
    }
    P->p[2 * P->n] = a;
    P->p[2 * P->n + 1] = b;
    P->n++;
    return 0;
}

/* Symmetric binary CSR from feature pairs (duplicates merged). */
static agglo_weights *pairs_to_weights(agglo_ctx *ctx, size_t n, const plist *P,
                                       const char *const *ids)
{
    size_t *rp = agglo_calloc(ctx, n + 2, sizeof(size_t));
    int32_t *col = agglo_malloc(ctx, (P->n > 0 ? 2 * P->n : 1) * sizeof(int32_t));
    if (!rp || !col) {
        free(rp);
        free(col);
        return NULL;
    }
    for (size_t k = 0; k < 2 * P->n; k++)
        rp[P->p[k] + 2]++;
    for (size_t i = 0; i < n; i++)
        rp[i + 2] += rp[i + 1];
    for (size_t k = 0; k < P->n; k++) {
        int32_t a = P->p[2 * k], b = P->p[2 * k + 1];
        col[rp[a + 1]++] = b;
        col[rp[b + 1]++] = a;
    }
    /* rows are rp[i] .. rp[i + 1]; sort (insertion: rows are short), dedupe, compact */
    size_t nnz = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        size_t a = start, b = rp[i + 1];
        start = b;
        int32_t *c = col + a;
        size_t len = b - a;
        for (size_t x = 1; x < len; x++) {
            int32_t t = c[x];
            size_t y = x;
            while (y > 0 && c[y - 1] > t) {
                c[y] = c[y - 1];
                y--;
            }
            c[y] = t;
        }
        for (size_t x = 0; x < len; x++)
            if (x == 0 || c[x] != c[x - 1])
                col[nnz++] = c[x];
        rp[i] = nnz;
    }
    for (size_t i = n; i > 0; i--)
        rp[i] = rp[i - 1];
    rp[0] = 0;
    return agglo__weights_adopt(ctx, n, rp, col, NULL, ids);
}

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
    plist P = {0};
    uint32_t *k0 = NULL, *v0 = NULL, *k1 = NULL, *v1 = NULL, *parent = NULL;
    uint64_t *ekey = NULL;
    agglo_weights *W = NULL;
    size_t nonpoly = 0, firstnonpoly = 0;

    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(layer, i);
        int c = g ? GEOSGetNumCoordinates_r(gh, g) : 0;
        if (c > 0)
            total += (size_t)c;
    }
    if (vset_reserve(&V, total) || (rook && eset_reserve(&V, total))) {
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto out;
    }
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

    size_t nv = V.n, ne = V.ne;
    size_t m = nv > ne ? nv : ne;
    k0 = agglo_malloc(ctx, (m ? m : 1) * sizeof(uint32_t));
    v0 = agglo_malloc(ctx, (m ? m : 1) * sizeof(uint32_t));
    k1 = agglo_malloc(ctx, (m ? m : 1) * sizeof(uint32_t));
    v1 = agglo_malloc(ctx, (m ? m : 1) * sizeof(uint32_t));
    if (rook) {
        parent = agglo_malloc(ctx, (nv ? nv : 1) * sizeof(uint32_t));
        ekey = agglo_malloc(ctx, (ne ? ne : 1) * sizeof(uint64_t));
    }
    if (!k0 || !v0 || !k1 || !v1 || (rook && (!parent || !ekey)))
        goto out;

    /* cells of 1024 snaps (never finer than the coordinates' resolution allows) */
    double maxabs = 0.0;
    for (size_t v = 0; v < nv; v++) {
        double a = fmax(fabs(V.x[v]), fabs(V.y[v]));
        if (a > maxabs)
            maxabs = a;
    }
    int exact = snap == 0.0;
    double csize = exact ? 1.0 : fmax(snap * 1024.0, maxabs * 0x1p-40);
    double inv = 1.0 / csize;
    for (size_t v = 0; v < nv; v++) {
        int64_t cx, cy;
        if (exact) {
            memcpy(&cx, &V.x[v], sizeof cx);
            memcpy(&cy, &V.y[v], sizeof cy);
        } else {
            cx = (int64_t)floor(V.x[v] * inv);
            cy = (int64_t)floor(V.y[v] * inv);
        }
        k0[v] = cell_key(cx, cy);
        v0[v] = (uint32_t)v;
        if (rook)
            parent[v] = (uint32_t)v;
    }
    radix3(k0, v0, k1, v1, nv); /* sorted in (k1, v1) */
    const double *gxv = V.x, *gyv = V.y;
    const int32_t *gfv = V.f;

#define gx(p) gxv[v1[p]]
#define gy(p) gyv[v1[p]]
#define gf(p) gfv[v1[p]]
#define MATCH(p, q)                                                                              \
    do {                                                                                         \
        if (gf(p) != gf(q)) {                                                                    \
            double dx_ = gx(p) - gx(q), dy_ = gy(p) - gy(q);                                     \
            if (!(fabs(dx_) > snap || fabs(dy_) > snap || hypot(dx_, dy_) > snap)) {             \
                if (rook)                                                                        \
                    uf_union(parent, v1[p], v1[q]);                                              \
                else if (plist_push(&P, gf(p), gf(q))) {                                         \
                    agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");                            \
                    goto out;                                                                    \
                }                                                                                \
            }                                                                                    \
        }                                                                                        \
    } while (0)

    /* Within each run of equal cell keys, every pair once; then, for a vertex within snap of
     * a side of its cell (rare: cells are much larger than snap), the neighbouring cell's
     * run. A pair can be found twice; links are merged later. */
    for (size_t a = 0; a < nv;) {
        size_t b = a + 1;
        while (b < nv && k1[b] == k1[a])
            b++;
        for (size_t p = a; p < b; p++)
            for (size_t q = p + 1; q < b; q++)
                MATCH(p, q);
        if (!exact) {
            for (size_t p = a; p < b; p++) {
                double xp = gx(p), yp = gy(p);
                int64_t cx = (int64_t)floor(xp * inv), cy = (int64_t)floor(yp * inv);
                double x0 = (double)cx * csize, y0 = (double)cy * csize;
                /* conservative margins: rounding of x0 and csize must not hide a neighbour */
                double mx = snap * (1.0 + 1e-9) + fabs(xp) * 4 * DBL_EPSILON;
                double my = snap * (1.0 + 1e-9) + fabs(yp) * 4 * DBL_EPSILON;
                int lo_x = xp - x0 <= mx, hi_x = x0 + csize - xp <= mx;
                int lo_y = yp - y0 <= my, hi_y = y0 + csize - yp <= my;
                if (!(lo_x | hi_x | lo_y | hi_y))
                    continue;
                for (int ox = -1; ox <= 1; ox++) {
                    if ((ox == -1 && !lo_x) || (ox == 1 && !hi_x))
                        continue;
                    for (int oy = -1; oy <= 1; oy++) {
                        if ((ox == 0 && oy == 0) || (oy == -1 && !lo_y) || (oy == 1 && !hi_y))
                            continue;
                        uint32_t key = cell_key(cx + ox, cy + oy);
                        for (size_t q = lower_bound(k1, nv, key); q < nv && k1[q] == key; q++)
                            MATCH(p, q);
                    }
                }
            }
        }
        a = b;
    }
#undef MATCH
#undef gx
#undef gy
#undef gf

    if (rook) {
        /* edges keyed by their merged end vertices, in either direction */
        for (size_t e = 0; e < ne; e++) {
            uint64_t a = uf_find(parent, V.e0[e]), b = uf_find(parent, V.e1[e]);
            ekey[e] = a == b ? UINT64_MAX : (a < b ? a << 32 | b : b << 32 | a);
            k0[e] = (uint32_t)(mix64(ekey[e]) >> 32);
            v0[e] = (uint32_t)e;
        }
        radix3(k0, v0, k1, v1, ne);
        for (size_t a = 0; a < ne;) {
            size_t b = a + 1;
            while (b < ne && k1[b] == k1[a])
                b++;
            for (size_t p = a; p < b; p++) {
                uint32_t ep = v1[p];
                if (ekey[ep] == UINT64_MAX)
                    continue; /* an edge collapsed by snapping */
                for (size_t q = p + 1; q < b; q++) {
                    uint32_t eq = v1[q];
                    if (ekey[eq] == ekey[ep] && V.ef[eq] != V.ef[ep] &&
                        plist_push(&P, V.ef[ep], V.ef[eq])) {
                        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                        goto out;
                    }
                }
            }
            a = b;
        }
    }
    W = pairs_to_weights(ctx, n, &P, ids);
out:
    vset_free(&V);
    free(P.p);
    free(k0);
    free(v0);
    free(k1);
    free(v1);
    free(ekey);
    free(parent);
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
