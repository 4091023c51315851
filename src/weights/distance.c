/* Distance-based weights through the kd-tree: k nearest neighbours, distance band, inverse
 * distance, kernels. Queries run in parallel (OpenMP) with each thread writing its own
 * contiguous block of rows, so the result does not depend on the thread count. */
#define _GNU_SOURCE
#include "weights_internal.h"
#include "agglo/index.h"
#include "../index/index_internal.h"
#include "../core/core_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define LIBPYSAL_EPS 1.0000001
/* The sphere of the kd-tree and the WGS84 ellipsoid differ by less than 0.34 %: candidates
 * found on the sphere within this factor of a radius contain every ellipsoidal answer. */
#define ARC_MARGIN 1.01

/* k nearest neighbours of observation i: planar straight from the tree; great circle by
 * ellipsoidal distance among the sphere candidates within ARC_MARGIN of the k-th.
 * Results nearest first, ties to the lower index. *ci, *cd, *cap: scratch buffers. */
static size_t knn_one(const agglo_kdtree *T, int gc, const double *x, const double *y, size_t i,
                      size_t k, size_t *idx, double *d, size_t **ci, double **cd, size_t *cap)
{
    size_t m = agglo_kdtree_knn(T, x[i], y[i], k, i, idx, d);
    if (!gc || m == 0)
        return m;
    double r = d[m - 1] * ARC_MARGIN + 1e-9;
    size_t c = agglo_kdtree_radius(T, x[i], y[i], r, i, ci, cd, cap);
    if (c == (size_t)-1)
        return (size_t)-1;
    size_t *I = *ci;
    double *D = *cd;
    for (size_t a = 0; a < c; a++)
        D[a] = agglo_earth_spdep_km(x[i], y[i], x[I[a]], y[I[a]]);
    /* selection of the k smallest (d, index) pairs, c is small */
    size_t take = c < k ? c : k;
    for (size_t a = 0; a < take; a++) {
        size_t best = a;
        for (size_t b = a + 1; b < c; b++)
            if (D[b] < D[best] || (D[b] == D[best] && I[b] < I[best]))
                best = b;
        size_t ti = I[a];
        I[a] = I[best];
        I[best] = ti;
        double td = D[a];
        D[a] = D[best];
        D[best] = td;
        idx[a] = I[a];
        d[a] = D[a];
    }
    return take;
}

static int check_coords(agglo_ctx *ctx, const double *x, const double *y, size_t n, int gc)
{
    if (n > (size_t)INT32_MAX)
        return agglo_error(ctx, AGGLO_E_USAGE, "weights: too many observations (%zu)", n);
    if (gc)
        for (size_t i = 0; i < n; i++)
            if (isfinite(x[i]) && isfinite(y[i]) && (fabs(y[i]) > 90.0 || fabs(x[i]) > 360.0))
                return agglo_error(ctx, AGGLO_E_CRS,
                                   "weights: observation %zu: (%g, %g) is not a longitude/latitude "
                                   "in degrees (great-circle distances need lon/lat)",
                                   i + 1, x[i], y[i]);
    return AGGLO_OK;
}

agglo_weights *agglo_weights_knn(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                 size_t k, int great_circle, const char *const *ids)
{
    if (check_coords(ctx, x, y, n, great_circle))
        return NULL;
    if (k == 0) {
        agglo_error(ctx, AGGLO_E_USAGE, "weights: knn needs k >= 1");
        return NULL;
    }
    if (k >= n) {
        agglo_error(ctx, AGGLO_E_USAGE,
                    "weights: knn:%zu asks for %zu neighbours but there are %zu observations "
                    "(k must be at most %zu)",
                    k, k, n, n ? n - 1 : 0);
        return NULL;
    }
    agglo_kdtree *T = agglo_kdtree_build(ctx, x, y, n, great_circle);
    if (!T)
        return NULL;
    size_t *rp = agglo_malloc(ctx, (n + 1) * sizeof(size_t));
    int32_t *col = agglo_malloc(ctx, (n * k > 0 ? n * k : 1) * sizeof(int32_t));
    size_t *cnt = agglo_calloc(ctx, n ? n : 1, sizeof(size_t));
    agglo_weights *W = NULL;
    int oom = 0;
    if (!rp || !col || !cnt)
        goto out;
    size_t m_tree;
    const size_t *order = agglo__index_kdtree_order(T, &m_tree);
    int nt = agglo_threads_for(ctx);
    (void)nt;
#pragma omp parallel num_threads(nt)
    {
        size_t *idx = malloc((k ? k : 1) * sizeof(size_t));
        double *d = malloc((k ? k : 1) * sizeof(double));
        size_t *ci = NULL, cap = 0;
        double *cd = NULL;
        if (!idx || !d) {
            AGGLO_FLAG_SET(oom);
        }
        /* queries in the tree's spatial order (cache-friendly); each row has its own slot, so
         * the result does not depend on the schedule */
#pragma omp for schedule(dynamic, 1024)
        for (size_t t = 0; t < m_tree; t++) {
            size_t i = order[t];
            if (!idx || !d)
                continue;
            size_t m = knn_one(T, great_circle, x, y, i, k, idx, d, &ci, &cd, &cap);
            if (m == (size_t)-1) {
                AGGLO_FLAG_SET(oom);
                continue;
            }
            /* sort the found neighbours by index (they come nearest first) */
            for (size_t a = 1; a < m; a++) {
                size_t v = idx[a], b = a;
                while (b > 0 && idx[b - 1] > v) {
                    idx[b] = idx[b - 1];
                    b--;
                }
                idx[b] = v;
            }
            for (size_t a = 0; a < m; a++)
                col[i * k + a] = (int32_t)idx[a];
            cnt[i] = m;
        }
        free(idx);
        free(d);
        free(ci);
        free(cd);
    }
    if (oom) {
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto out;
    }
    /* compact rows in place */
    size_t nnz = 0;
    rp[0] = 0;
    for (size_t i = 0; i < n; i++) {
        if (nnz != i * k)
            memmove(col + nnz, col + i * k, cnt[i] * sizeof(int32_t));
        nnz += cnt[i];
        rp[i + 1] = nnz;
    }
    W = agglo__weights_adopt(ctx, n, rp, col, NULL, ids);
    rp = NULL;
    col = NULL;
out:
    agglo_kdtree_free(T);
    free(rp);
    free(col);
    free(cnt);
    return W;
}

/* Distance to the k-th nearest neighbour of every observation (NaN for NaN coordinates or
 * when fewer than k others exist). */
static int kth_distances(agglo_ctx *ctx, const agglo_kdtree *T, int gc, const double *x,
                         const double *y, size_t n, size_t k, double *out)
{
    int oom = 0;
    int nt = agglo_threads_for(ctx);
    (void)nt;
#pragma omp parallel num_threads(nt)
    {
        size_t *idx = malloc(k * sizeof(size_t));
        double *d = malloc(k * sizeof(double));
        size_t *ci = NULL, cap = 0;
        double *cd = NULL;
        if (!idx || !d) {
            AGGLO_FLAG_SET(oom);
        }
#pragma omp for schedule(dynamic, 256)
        for (size_t i = 0; i < n; i++) {
            out[i] = NAN;
            if (!idx || !d)
                continue;
            size_t m = knn_one(T, gc, x, y, i, k, idx, d, &ci, &cd, &cap);
            if (m == (size_t)-1) {
                AGGLO_FLAG_SET(oom);
                continue;
            }
            if (m == k)
                out[i] = d[k - 1];
        }
        free(idx);
        free(d);
        free(ci);
        free(cd);
    }
    if (oom)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    return AGGLO_OK;
}

int agglo_weights_min_threshold(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                int great_circle, double *threshold)
{
    int rc = check_coords(ctx, x, y, n, great_circle);
    if (rc)
        return rc;
    agglo_kdtree *T = agglo_kdtree_build(ctx, x, y, n, great_circle);
    if (!T)
        return agglo_ctx_errcode(ctx);
    double *d = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!d) {
        agglo_kdtree_free(T);
        return AGGLO_E_NOMEM;
    }
    rc = kth_distances(ctx, T, great_circle, x, y, n, 1, d);
    double mx = -1.0;
    for (size_t i = 0; rc == AGGLO_OK && i < n; i++)
        if (isfinite(d[i]) && d[i] > mx)
            mx = d[i];
    agglo_kdtree_free(T);
    free(d);
    if (rc)
        return rc;
    if (mx < 0)
        return agglo_error(ctx, AGGLO_E_EMPTY, "weights: fewer than two observations with coordinates");
    *threshold = mx;
    return AGGLO_OK;
}

/* ---- radius-based builders ---- */

typedef enum { RB_BAND, RB_IDW, RB_KERNEL } rb_kind;

typedef struct {
    rb_kind kind;
    double power;              /* idw */
    agglo_kernel kernel;       /* kernel */
    const double *h;           /* per-observation radius (kernel), else NULL */
    double r;                  /* common radius */
    int diagonal;              /* kernel: 0 none, 1 K(0), 2 one */
    int gc;                    /* ellipsoidal great-circle distances */
} rb_params;

static double kernel_value(agglo_kernel K, double z)
{
    switch (K) {
    case AGGLO_KERNEL_UNIFORM: return 0.5;
    case AGGLO_KERNEL_TRIANGULAR: return 1.0 - z;
    case AGGLO_KERNEL_EPANECHNIKOV: return 0.75 * (1.0 - z * z);
    case AGGLO_KERNEL_QUARTIC: {
        double t = 1.0 - z * z;
        return (15.0 / 16.0) * t * t;
    }
    case AGGLO_KERNEL_GAUSSIAN: return exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
    }
    return 0.0;
}

typedef struct {
    int32_t *col;
    double *w;
    size_t n, cap;
} tbuf;

static int tbuf_push(tbuf *b, int32_t c, double w)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 1024;
        int32_t *nc = realloc(b->col, cap * sizeof(int32_t));
        if (!nc)
            return -1;
        b->col = nc;
        double *nw = realloc(b->w, cap * sizeof(double));
        if (!nw)
            return -1;
        b->w = nw;
        b->cap = cap;
    }
    b->col[b->n] = c;
    b->w[b->n++] = w;
    return 0;
}

static agglo_weights *radius_build(agglo_ctx *ctx, const agglo_kdtree *T, const double *x,
                                   const double *y, size_t n, const rb_params *P,
                                   const char *const *ids)
{
    int nt = agglo_threads_for(ctx);
    if (nt < 1)
        nt = 1;
    size_t *cnt = agglo_calloc(ctx, n + 1, sizeof(size_t));
    tbuf *tb = agglo_calloc(ctx, (size_t)nt, sizeof(tbuf));
    agglo_weights *W = NULL;
    int err = 0; /* 1 oom, 2 coincident points under idw */
    size_t err_i = 0, err_j = 0;
    if (!cnt || !tb)
        goto out;
#pragma omp parallel num_threads(nt)
    {
        int t = 0;
#ifdef _OPENMP
        t = omp_get_thread_num();
#endif
        size_t *idx = NULL, cap = 0;
        double *d = NULL;
        tbuf *b = &tb[t];
        /* static schedule without chunk size: thread t gets one contiguous block of rows, in
         * thread order, so concatenating the buffers gives the rows in order */
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            if (err)
                continue;
            double r = P->h ? P->h[i] : P->r;
            if (!isfinite(x[i]) || !isfinite(y[i]) || !(r >= 0))
                continue;
            size_t self = P->kind == RB_KERNEL && P->diagonal ? (size_t)-1 : i;
            size_t m = agglo_kdtree_radius(T, x[i], y[i], P->gc ? r * ARC_MARGIN + 1e-9 : r, self,
                                           &idx, &d, &cap);
            if (m == (size_t)-1) {
                AGGLO_FLAG_SET(err);
                continue;
            }
            if (P->gc) {
                size_t keep = 0;
                for (size_t a = 0; a < m; a++) {
                    double g = agglo_earth_spdep_km(x[i], y[i], x[idx[a]], y[idx[a]]);
                    if (g <= r) {
                        idx[keep] = idx[a];
                        d[keep++] = g;
                    }
                }
                m = keep;
            }
            size_t c0 = b->n;
            for (size_t a = 0; a < m; a++) {
                double w = 1.0;
                size_t j = idx[a];
                if (P->kind == RB_IDW) {
                    if (d[a] == 0.0) {
#pragma omp critical(agglo_idw_err)
                        {
                            if (!err) {
                                err = 2;
                                err_i = i;
                                err_j = j;
                            }
                        }
                        break;
                    }
                    w = pow(d[a], -P->power);
                } else if (P->kind == RB_KERNEL) {
                    if (j == i)
                        w = P->diagonal == 2 ? 1.0 : kernel_value(P->kernel, 0.0);
                    else {
                        w = kernel_value(P->kernel, r > 0 ? d[a] / r : 0.0);
                        if (w == 0.0)
                            continue;
                    }
                }
                if (tbuf_push(b, (int32_t)j, w)) {
                    AGGLO_FLAG_SET(err);
                    break;
                }
            }
            cnt[i] = b->n - c0;
        }
        free(idx);
        free(d);
    }
    if (err == 1) {
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto out;
    }
    if (err == 2) {
        agglo_error(ctx, AGGLO_E_GEOMETRY,
                    "weights: observations %zu and %zu are at the same place: inverse distance "
                    "is infinite",
                    err_i + 1, err_j + 1);
        goto out;
    }
    size_t total = 0;
    for (int t = 0; t < nt; t++)
        total += tb[t].n;
    int32_t *col = agglo_malloc(ctx, (total ? total : 1) * sizeof(int32_t));
    double *w = agglo_malloc(ctx, (total ? total : 1) * sizeof(double));
    size_t *rp = agglo_malloc(ctx, (n + 1) * sizeof(size_t));
    if (col && w && rp) {
        size_t p = 0;
        for (int t = 0; t < nt; t++) {
            if (tb[t].n) {
                memcpy(col + p, tb[t].col, tb[t].n * sizeof(int32_t));
                memcpy(w + p, tb[t].w, tb[t].n * sizeof(double));
            }
            p += tb[t].n;
        }
        rp[0] = 0;
        for (size_t i = 0; i < n; i++)
            rp[i + 1] = rp[i] + cnt[i];
        W = agglo_weights_create(ctx, n, rp, col, w, ids);
    }
    free(col);
    free(w);
    free(rp);
out:
    if (tb)
        for (int t = 0; t < nt; t++) {
            free(tb[t].col);
            free(tb[t].w);
        }
    free(tb);
    free(cnt);
    return W;
}

agglo_weights *agglo_weights_band(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                  double threshold, int great_circle, const char *const *ids)
{
    if (check_coords(ctx, x, y, n, great_circle))
        return NULL;
    if (!(threshold >= 0) || !isfinite(threshold)) {
        agglo_error(ctx, AGGLO_E_USAGE, "weights: distance band must be a non-negative number");
        return NULL;
    }
    agglo_kdtree *T = agglo_kdtree_build(ctx, x, y, n, great_circle);
    if (!T)
        return NULL;
    rb_params P = {RB_BAND, 0, 0, NULL, threshold, 0, great_circle};
    agglo_weights *W = radius_build(ctx, T, x, y, n, &P, ids);
    agglo_kdtree_free(T);
    return W;
}

agglo_weights *agglo_weights_idw(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                 double power, double threshold, int great_circle,
                                 const char *const *ids)
{
    if (check_coords(ctx, x, y, n, great_circle))
        return NULL;
    if (!isfinite(power) || power <= 0) {
        agglo_error(ctx, AGGLO_E_USAGE, "weights: inverse distance power must be > 0");
        return NULL;
    }
    if (!(threshold > 0)) {
        if (n > 5000) {
            agglo_error(ctx, AGGLO_E_USAGE,
                        "weights: inverse distance between all %zu x %zu pairs is too dense; give a "
                        "distance band (idw:P:D, --band D)",
                        n, n);
            return NULL;
        }
        threshold = INFINITY;
    }
    agglo_kdtree *T = agglo_kdtree_build(ctx, x, y, n, great_circle);
    if (!T)
        return NULL;
    if (isinf(threshold))
        threshold = great_circle ? 4.1e4 : 1e308;
    rb_params P = {RB_IDW, power, 0, NULL, threshold, 0, great_circle};
    agglo_weights *W = radius_build(ctx, T, x, y, n, &P, ids);
    agglo_kdtree_free(T);
    return W;
}

static const struct {
    const char *name;
    agglo_kernel k;
} kernel_names[] = {
    {"uniform", AGGLO_KERNEL_UNIFORM},       {"triangular", AGGLO_KERNEL_TRIANGULAR},
    {"epanechnikov", AGGLO_KERNEL_EPANECHNIKOV}, {"quadratic", AGGLO_KERNEL_EPANECHNIKOV},
    {"quartic", AGGLO_KERNEL_QUARTIC},       {"bisquare", AGGLO_KERNEL_QUARTIC},
    {"gaussian", AGGLO_KERNEL_GAUSSIAN},
};

int agglo_kernel_parse(const char *name, agglo_kernel *kernel)
{
    for (size_t i = 0; i < sizeof kernel_names / sizeof kernel_names[0]; i++)
        if (name && strcasecmp(name, kernel_names[i].name) == 0) {
            *kernel = kernel_names[i].k;
            return 0;
        }
    return -1;
}

const char *agglo_kernel_name(agglo_kernel kernel)
{
    for (size_t i = 0; i < sizeof kernel_names / sizeof kernel_names[0]; i++)
        if (kernel_names[i].k == kernel)
            return kernel_names[i].name;
    return "?";
}

void agglo_kernel_options_init(agglo_kernel_options *o)
{
    memset(o, 0, sizeof *o);
    o->kernel = AGGLO_KERNEL_TRIANGULAR;
    o->k = 2;
}

agglo_weights *agglo_weights_kernel(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                    const agglo_kernel_options *o, const char *const *ids)
{
    if (check_coords(ctx, x, y, n, o->great_circle))
        return NULL;
    if ((int)o->kernel < 0 || o->kernel > AGGLO_KERNEL_GAUSSIAN) {
        agglo_error(ctx, AGGLO_E_USAGE, "weights: unknown kernel");
        return NULL;
    }
    if (o->bandwidth < 0 || !isfinite(o->bandwidth)) {
        agglo_error(ctx, AGGLO_E_USAGE, "weights: kernel bandwidth must be a positive number");
        return NULL;
    }
    agglo_kdtree *T = agglo_kdtree_build(ctx, x, y, n, o->great_circle);
    if (!T)
        return NULL;
    double *h = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    agglo_weights *W = NULL;
    if (!h)
        goto out;
    if (o->bandwidth > 0) {
        for (size_t i = 0; i < n; i++)
            h[i] = o->bandwidth;
    } else {
        size_t k = o->k ? o->k : 2;
        if (n < 2 || k > n - 1) {
            agglo_error(ctx, AGGLO_E_USAGE,
                        "weights: kernel bandwidth from the %zu-th neighbour needs more than %zu "
                        "observations",
                        k, k);
            goto out;
        }
        if (kth_distances(ctx, T, o->great_circle, x, y, n, k, h))
            goto out;
        if (!o->adaptive) {
            double mx = 0.0;
            for (size_t i = 0; i < n; i++)
                if (isfinite(h[i]) && h[i] > mx)
                    mx = h[i];
            for (size_t i = 0; i < n; i++)
                h[i] = mx * LIBPYSAL_EPS;
        } else {
            for (size_t i = 0; i < n; i++)
                h[i] *= LIBPYSAL_EPS;
        }
    }
    rb_params P = {RB_KERNEL, 0, o->kernel, h, 0, o->diagonal, o->great_circle};
    W = radius_build(ctx, T, x, y, n, &P, ids);
    if (W && agglo__weights_set_bandwidths(ctx, W, h)) {
        agglo_weights_free(W);
        W = NULL;
    }
out:
    free(h);
    agglo_kdtree_free(T);
    return W;
}
