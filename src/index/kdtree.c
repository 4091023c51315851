/* 2-D kd-tree (3-D on the unit sphere for great-circle distances).
 *
 * Planar trees store (x, y). Great-circle trees store unit vectors (X, Y, Z) of (lon, lat):
 * the chord length between two unit vectors is a monotone function of the great-circle angle
 * (d = 2 R asin(chord / 2)), so nearest neighbours and radius queries are exact in chord
 * space and distances are converted on output.
 *
 * The tree is built by median splits on the dimension of largest spread down to leaves of at
 * most LEAF points; every node keeps its bounding box, and queries prune a node when the
 * squared distance from the query to its box exceeds the current bound (strictly, so that
 * ties at equal distance are still visited and broken by lower index). */
#include "agglo/index.h"
#include "../core/core_internal.h"
#include "index_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define LEAF 8
#define MAXDIM 3

typedef struct kd_node {
    double lo[MAXDIM], hi[MAXDIM];
    uint32_t start, end;   /* range in the permuted point arrays */
    int32_t left, right;   /* children (-1 for a leaf) */
} kd_node;

struct agglo_kdtree {
    size_t n;        /* points in the tree */
    int dim;         /* 2 planar, 3 great circle */
    int great_circle;
    double *pts;     /* dim * n, permuted into tree order */
    size_t *orig;    /* original index of each permuted point */
    kd_node *nodes;
    size_t nnodes, capnodes;
};

/* Quickselect on the permutation perm[lo..hi) by coordinate d so that element k is in place
 * (Hoare partition around a median-of-three pivot kept off the last position, so every
 * round shrinks the range). */
#define KEY(t) P[perm[t] * dim + d]
#define SWAP(a, b)                                                                                \
    do {                                                                                          \
        size_t t_ = perm[a];                                                                      \
        perm[a] = perm[b];                                                                        \
        perm[b] = t_;                                                                             \
    } while (0)
static void select_k(const double *P, int dim, size_t *perm, size_t lo, size_t hi, size_t k, int d)
{
    while (hi - lo > 1) {
        size_t last = hi - 1, mid = lo + (last - lo) / 2;
        if (KEY(mid) < KEY(lo))
            SWAP(mid, lo);
        if (KEY(last) < KEY(lo))
            SWAP(last, lo);
        if (KEY(last) < KEY(mid))
            SWAP(last, mid);
        double pivot = KEY(mid);
        size_t i = lo - 1, j = hi; /* lo - 1 may wrap; only used after ++ */
        for (;;) {
            do
                i++;
            while (KEY(i) < pivot);
            do
                j--;
            while (KEY(j) > pivot);
            if (i >= j)
                break;
            SWAP(i, j);
        }
        /* [lo, j] <= pivot <= [j + 1, hi), lo <= j < hi - 1 */
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
}
#undef KEY
#undef SWAP

static int32_t build_node(agglo_kdtree *T, const double *P, size_t *perm, size_t lo, size_t hi)
{
    int dim = T->dim;
    int32_t id = (int32_t)T->nnodes++;
    kd_node *nd = &T->nodes[id];
    nd->start = (uint32_t)lo;
    nd->end = (uint32_t)hi;
    nd->left = nd->right = -1;
    for (int d = 0; d < dim; d++) {
        nd->lo[d] = INFINITY;
        nd->hi[d] = -INFINITY;
    }
    for (size_t i = lo; i < hi; i++)
        for (int d = 0; d < dim; d++) {
            double v = P[perm[i] * dim + d];
            if (v < nd->lo[d])
                nd->lo[d] = v;
            if (v > nd->hi[d])
                nd->hi[d] = v;
        }
    if (hi - lo <= LEAF)
        return id;
    int best = 0;
    double spread = -1.0;
    for (int d = 0; d < dim; d++)
        if (nd->hi[d] - nd->lo[d] > spread) {
            spread = nd->hi[d] - nd->lo[d];
            best = d;
        }
    if (spread <= 0.0)
        return id; /* all points coincide: keep as one (large) leaf */
    size_t mid = lo + (hi - lo) / 2;
    select_k(P, dim, perm, lo, hi, mid, best);
    int32_t l = build_node(T, P, perm, lo, mid);
    int32_t r = build_node(T, P, perm, mid, hi);
    T->nodes[id].left = l; /* nodes never reallocated during the build */
    T->nodes[id].right = r;
    return id;
}

agglo_kdtree *agglo_kdtree_build(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                 int great_circle)
{
    if (n > (size_t)INT32_MAX) {
        agglo_error(ctx, AGGLO_E_USAGE, "kdtree: too many points (%zu)", n);
        return NULL;
    }
    agglo_kdtree *T = agglo_calloc(ctx, 1, sizeof *T);
    if (!T)
        return NULL;
    T->great_circle = great_circle != 0;
    T->dim = great_circle ? 3 : 2;
    int dim = T->dim;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += isfinite(x[i]) && isfinite(y[i]);
    T->n = m;
    double *P = agglo_malloc(ctx, (m ? m : 1) * dim * sizeof(double));
    size_t *perm = agglo_malloc(ctx, (m ? m : 1) * sizeof(size_t));
    size_t *src = agglo_malloc(ctx, (m ? m : 1) * sizeof(size_t));
    T->pts = agglo_malloc(ctx, (m ? m : 1) * dim * sizeof(double));
    T->orig = agglo_malloc(ctx, (m ? m : 1) * sizeof(size_t));
    /* a binary tree with leaves of at most LEAF points has fewer than 4 m / LEAF + 2 nodes */
    T->capnodes = 4 * (m / LEAF + 1) + 2;
    T->nodes = agglo_malloc(ctx, T->capnodes * sizeof(kd_node));
    if (!P || !perm || !src || !T->pts || !T->orig || !T->nodes) {
        free(P);
        free(perm);
        free(src);
        agglo_kdtree_free(T);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(isfinite(x[i]) && isfinite(y[i])))
            continue;
        if (great_circle)
            agglo__index_unit_vector(x[i], y[i], P + k * dim);
        else {
            P[k * dim] = x[i];
            P[k * dim + 1] = y[i];
        }
        src[k] = i;
        perm[k] = k;
        k++;
    }
    if (m > 0)
        build_node(T, P, perm, 0, m);
    for (size_t i = 0; i < m; i++) {
        memcpy(T->pts + i * dim, P + perm[i] * dim, dim * sizeof(double));
        T->orig[i] = src[perm[i]];
    }
    free(P);
    free(perm);
    free(src);
    return T;
}

const size_t *agglo__index_kdtree_order(const agglo_kdtree *T, size_t *m)
{
    *m = T->n;
    return T->orig;
}

void agglo_kdtree_free(agglo_kdtree *T)
{
    if (!T)
        return;
    free(T->pts);
    free(T->orig);
    free(T->nodes);
    free(T);
}

static inline double box_dist2(const kd_node *nd, const double *q, int dim)
{
    double s = 0.0;
    for (int d = 0; d < dim; d++) {
        double t = 0.0;
        if (q[d] < nd->lo[d])
            t = nd->lo[d] - q[d];
        else if (q[d] > nd->hi[d])
            t = q[d] - nd->hi[d];
        s += t * t;
    }
    return s;
}

static inline double pt_dist2(const double *p, const double *q, int dim)
{
    double s = 0.0;
    for (int d = 0; d < dim; d++) {
        double t = p[d] - q[d];
        s += t * t;
    }
    return s;
}

/* Max-heap of (d2, idx) ordered lexicographically: the root is the worst candidate. */
typedef struct {
    double *d2;
    size_t *idx;
    size_t n, k;
} kheap;

static inline int worse(double da, size_t ia, double db, size_t ib)
{
    return da > db || (da == db && ia > ib);
}

static void heap_push(kheap *h, double d2, size_t idx)
{
    if (h->n < h->k) {
        size_t i = h->n++;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!worse(d2, idx, h->d2[p], h->idx[p]))
                break;
            h->d2[i] = h->d2[p];
            h->idx[i] = h->idx[p];
            i = p;
        }
        h->d2[i] = d2;
        h->idx[i] = idx;
        return;
    }
    if (!worse(h->d2[0], h->idx[0], d2, idx))
        return;
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        double md = d2;
        size_t mi = idx;
        if (l < h->n && worse(h->d2[l], h->idx[l], md, mi)) {
            m = l;
            md = h->d2[l];
            mi = h->idx[l];
        }
        if (r < h->n && worse(h->d2[r], h->idx[r], md, mi))
            m = r;
        if (m == i)
            break;
        h->d2[i] = h->d2[m];
        h->idx[i] = h->idx[m];
        i = m;
    }
    h->d2[i] = d2;
    h->idx[i] = idx;
}

static void knn_rec(const agglo_kdtree *T, int32_t id, const double *q, size_t exclude, kheap *h)
{
    const kd_node *nd = &T->nodes[id];
    int dim = T->dim;
    if (nd->left < 0) {
        for (uint32_t i = nd->start; i < nd->end; i++) {
            size_t o = T->orig[i];
            if (o == exclude)
                continue;
            double d2 = pt_dist2(T->pts + (size_t)i * dim, q, dim);
            heap_push(h, d2, o);
        }
        return;
    }
    const kd_node *L = &T->nodes[nd->left], *R = &T->nodes[nd->right];
    double dl = box_dist2(L, q, dim), dr = box_dist2(R, q, dim);
    int32_t first = nd->left, second = nd->right;
    double df = dl, ds = dr;
    if (dr < dl) {
        first = nd->right;
        second = nd->left;
        df = dr;
        ds = dl;
    }
    if (h->n < h->k || df <= h->d2[0])
        knn_rec(T, first, q, exclude, h);
    if (h->n < h->k || ds <= h->d2[0])
        knn_rec(T, second, q, exclude, h);
}

static void query_point(const agglo_kdtree *T, double qx, double qy, double *q)
{
    if (T->great_circle)
        agglo__index_unit_vector(qx, qy, q);
    else {
        q[0] = qx;
        q[1] = qy;
    }
}

static double out_dist(const agglo_kdtree *T, double d2)
{
    double c = sqrt(d2);
    return T->great_circle ? agglo__index_chord_to_km(c) : c;
}

size_t agglo_kdtree_knn(const agglo_kdtree *T, double qx, double qy, size_t k, size_t exclude,
                        size_t *idx, double *dist)
{
    if (k == 0 || T->n == 0 || !isfinite(qx) || !isfinite(qy))
        return 0;
    double q[MAXDIM];
    query_point(T, qx, qy, q);
    double stack_d2[64];
    double *d2 = k <= 64 ? stack_d2 : malloc(k * sizeof(double));
    if (!d2)
        return 0;
    kheap h = {d2, idx, 0, k};
    knn_rec(T, 0, q, exclude, &h);
    /* heap sort in place: repeatedly move the worst to the end */
    size_t m = h.n;
    while (h.n > 1) {
        double wd = h.d2[0];
        size_t wi = h.idx[0];
        size_t last = --h.n;
        double ld = h.d2[last];
        size_t li = h.idx[last];
        /* sift the last element down from the root over the shrunk heap */
        size_t i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, c = i;
            double cd = ld;
            size_t ci = li;
            if (l < h.n && worse(h.d2[l], h.idx[l], cd, ci)) {
                c = l;
                cd = h.d2[l];
                ci = h.idx[l];
            }
            if (r < h.n && worse(h.d2[r], h.idx[r], cd, ci))
                c = r;
            if (c == i)
                break;
            h.d2[i] = h.d2[c];
            h.idx[i] = h.idx[c];
            i = c;
        }
        h.d2[i] = ld;
        h.idx[i] = li;
        h.d2[last] = wd;
        h.idx[last] = wi;
    }
    if (dist)
        for (size_t i = 0; i < m; i++)
            dist[i] = out_dist(T, d2[i]);
    if (d2 != stack_d2)
        free(d2);
    return m;
}

typedef struct {
    size_t *idx;
    double *d;
    size_t n, cap;
    int oom;
} rbuf;

static void radius_rec(const agglo_kdtree *T, int32_t id, const double *q, double r2,
                       size_t exclude, rbuf *b)
{
    const kd_node *nd = &T->nodes[id];
    int dim = T->dim;
    if (b->oom || box_dist2(nd, q, dim) > r2)
        return;
    if (nd->left >= 0) {
        radius_rec(T, nd->left, q, r2, exclude, b);
        radius_rec(T, nd->right, q, r2, exclude, b);
        return;
    }
    for (uint32_t i = nd->start; i < nd->end; i++) {
        size_t o = T->orig[i];
        if (o == exclude)
            continue;
        double d2 = pt_dist2(T->pts + (size_t)i * dim, q, dim);
        if (d2 > r2)
            continue;
        if (b->n == b->cap) {
            size_t cap = b->cap ? 2 * b->cap : 16;
            size_t *ni = realloc(b->idx, cap * sizeof(size_t));
            if (!ni) {
                b->oom = 1;
                return;
            }
            b->idx = ni;
            double *nd2 = realloc(b->d, cap * sizeof(double));
            if (!nd2) {
                b->oom = 1;
                return;
            }
            b->d = nd2;
            b->cap = cap;
        }
        b->idx[b->n] = o;
        b->d[b->n++] = d2;
    }
}

/* Sorts (idx, d) pairs by idx: insertion sort for short lists, else a merge-free heap sort. */
static void sort_pairs(size_t *idx, double *d, size_t n)
{
    if (n < 32) {
        for (size_t i = 1; i < n; i++) {
            size_t ki = idx[i];
            double kd = d[i];
            size_t j = i;
            while (j > 0 && idx[j - 1] > ki) {
                idx[j] = idx[j - 1];
                d[j] = d[j - 1];
                j--;
            }
            idx[j] = ki;
            d[j] = kd;
        }
        return;
    }
    /* heap sort by idx */
    for (size_t s = n / 2; s-- > 0;) {
        size_t i = s;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < n && idx[l] > idx[m])
                m = l;
            if (r < n && idx[r] > idx[m])
                m = r;
            if (m == i)
                break;
            size_t ti = idx[i]; idx[i] = idx[m]; idx[m] = ti;
            double td = d[i]; d[i] = d[m]; d[m] = td;
            i = m;
        }
    }
    for (size_t e = n; e-- > 1;) {
        size_t ti = idx[0]; idx[0] = idx[e]; idx[e] = ti;
        double td = d[0]; d[0] = d[e]; d[e] = td;
        size_t i = 0;
        for (;;) {
            size_t l = 2 * i + 1, r = l + 1, m = i;
            if (l < e && idx[l] > idx[m])
                m = l;
            if (r < e && idx[r] > idx[m])
                m = r;
            if (m == i)
                break;
            ti = idx[i]; idx[i] = idx[m]; idx[m] = ti;
            td = d[i]; d[i] = d[m]; d[m] = td;
            i = m;
        }
    }
}

size_t agglo_kdtree_radius(const agglo_kdtree *T, double qx, double qy, double r, size_t exclude,
                           size_t **idx, double **dist, size_t *cap)
{
    if (T->n == 0 || !isfinite(qx) || !isfinite(qy) || !(r >= 0))
        return 0;
    double q[MAXDIM], r2;
    query_point(T, qx, qy, q);
    if (T->great_circle) {
        double a = r / (2.0 * AGGLO__EARTH_CHORD_RADIUS_KM);
        double c = a >= M_PI / 2 ? 2.0 : 2.0 * sin(a);
        r2 = c * c * (1.0 + 1e-12);
        if (a >= M_PI / 2)
            r2 = INFINITY;
    } else {
        r2 = r * r * (1.0 + 1e-12); /* widened; the exact test sqrt(d2) <= r follows */
    }
    rbuf b = {*idx, *dist, 0, *cap, 0};
    radius_rec(T, 0, q, r2, exclude, &b);
    *idx = b.idx;
    *dist = b.d;
    *cap = b.cap;
    if (b.oom)
        return (size_t)-1;
    size_t m = b.n;
    if (T->great_circle) {
        /* chord tests near the boundary can disagree with the arc by rounding: re-check */
        size_t k = 0;
        for (size_t i = 0; i < m; i++) {
            double dkm = agglo__index_chord_to_km(sqrt(b.d[i]));
            if (dkm <= r) {
                b.idx[k] = b.idx[i];
                b.d[k++] = dkm;
            }
        }
        m = k;
    } else {
        size_t k = 0;
        for (size_t i = 0; i < m; i++) {
            double d = sqrt(b.d[i]);
            if (d <= r) {
                b.idx[k] = b.idx[i];
                b.d[k++] = d;
            }
        }
        m = k;
    }
    sort_pairs(b.idx, b.d, m);
    return m;
}

double agglo_kdtree_distance(const agglo_kdtree *T, double x1, double y1, double x2, double y2)
{
    if (T->great_circle) {
        double a[3], b[3];
        agglo__index_unit_vector(x1, y1, a);
        agglo__index_unit_vector(x2, y2, b);
        return agglo__index_chord_to_km(sqrt(pt_dist2(a, b, 3)));
    }
    return hypot(x1 - x2, y1 - y2);
}
