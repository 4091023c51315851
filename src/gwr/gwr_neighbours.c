/* The observations inside a location's kernel, for GWR and MGWR: from the planar grid
 * (src/index/grid.c) or, on great-circle distances, from the kd-tree on the sphere or a scan
 * of every observation. */
#define _GNU_SOURCE
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../core/core_internal.h"
#include "gwr_internal.h"

int agglo__gwr_nbrs_init(gwr_nbrs *s, const agglo_gwr_model *m)
{
    memset(s, 0, sizeof *s);
    size_t n = m->n;
    s->idx = malloc(n * sizeof *s->idx);
    s->w = malloc(n * sizeof *s->w);
    if (!s->idx || !s->w)
        goto fail;
    if (m->use_grid) {
        s->rg = malloc(2 * (size_t)m->grid.ny * sizeof *s->rg);
        if (!s->rg || agglo__index_knn_init(&s->knn, n))
            goto fail;
    } else if (!(s->d = malloc(n * sizeof *s->d))) {
        goto fail;
    }
    return 0;
fail:
    agglo__gwr_nbrs_free(s);
    return -1;
}

void agglo__gwr_nbrs_free(gwr_nbrs *s)
{
    agglo__index_knn_free(&s->knn);
    free(s->idx);
    free(s->w);
    free(s->rg);
    free(s->d);
    free(s->ci);
    free(s->cd);
    memset(s, 0, sizeof *s);
}

/* Great-circle kernel through the kd-tree on the sphere, the same numbers as the scan of
 * every observation: the tree's chord metric orders points as the haversine does (its km
 * differ by the radius ratio 6371.0088 / 6371 and rounding), so its candidates within a
 * margin of the k-th (or of the bandwidth) hold every observation the scan would select, and
 * the selection and kernel weights are computed on their haversine distances, in ascending
 * index order as the scan. Unbounded kernels weight every observation: the caller scans.
 * Returns 0 (caller scans) when the kernel is unbounded, the adaptive bandwidth takes a
 * quarter of the data or more, or memory runs out. */
#define GC_SCALE (AGGLO__EARTH_CHORD_RADIUS_KM / 6371.0)
#define GC_MARGIN(r) ((r) * GC_SCALE * (1.0 + 1e-6) + 1e-9)
static int gc_neighbours(const agglo_gwr_model *m, double qx, double qy, double bw, size_t k,
                         gwr_nbrs *s)
{
    const agglo_gwr_kernel kern = m->o.kernel;
    if (!agglo__gwr_kernel_bounded(kern) || (!m->o.fixed && 4 * k > m->n))
        return 0; /* unbounded, or a quarter of the data or more: the scan is faster */
    if (m->o.fixed) {
        s->h = bw;
    } else {
        /* s->idx and s->d (n room each) hold the k nearest in the tree's metric */
        size_t got = agglo_kdtree_knn(m->tree, qx, qy, k, (size_t)-1, s->idx, s->d);
        if (got < k)
            return 0;
        double r = s->d[got - 1] * (1.0 + 1e-6) + 1e-9;
        size_t c = agglo_kdtree_radius(m->tree, qx, qy, r, (size_t)-1, &s->ci, &s->cd, &s->ccap);
        if (c == (size_t)-1 || c < k)
            return 0;
        for (size_t t = 0; t < c; t++)
            s->w[t] = agglo_earth_haversine_km(qx, qy, m->cx[s->ci[t]], m->cy[s->ci[t]]);
        s->h = agglo__index_select_kth(s->w, c, k) * GWR_EPS;
    }
    size_t c = agglo_kdtree_radius(m->tree, qx, qy, GC_MARGIN(s->h), (size_t)-1, &s->ci, &s->cd,
                                   &s->ccap);
    if (c == (size_t)-1)
        return 0;
    double inv_h2 = 1.0 / (s->h * s->h);
    size_t kept = 0;
    for (size_t t = 0; t < c; t++) {
        size_t j = s->ci[t];
        double d = agglo_earth_haversine_km(qx, qy, m->cx[j], m->cy[j]);
        double w = agglo__gwr_kernel_w2(kern, d * d, inv_h2);
        if (w > 0) {
            s->idx[kept] = j;
            s->w[kept++] = w;
        }
    }
    s->nn = kept;
    return 1;
}

/* The kernel about (qx, qy) at bandwidth bw (adaptive: a neighbour count): s->h, on the grid
 * the runs s->rg of its disc (every observation for unbounded kernels), and with compact the
 * observations of positive weight s->idx / s->w in a fixed order. */
void agglo__gwr_neighbours(const agglo_gwr_model *m, double qx, double qy, double bw, gwr_nbrs *s,
                    int compact)
{
    size_t n = m->n, k = (size_t)bw < n ? (size_t)bw : n, kept = 0;
    const agglo_gwr_kernel kern = m->o.kernel;
    if (k < 1)
        k = 1;
    if (!m->use_grid) {
        if (m->tree && gc_neighbours(m, qx, qy, bw, k, s))
            return;
        /* great-circle distances: every observation, k-th distance by selection on a copy */
        for (size_t j = 0; j < n; j++)
            s->d[j] = s->w[j] = agglo_earth_haversine_km(qx, qy, m->cx[j], m->cy[j]);
        s->h = m->o.fixed ? bw : agglo__index_select_kth(s->w, n, k) * GWR_EPS;
        double inv_h2 = 1.0 / (s->h * s->h);
        for (size_t j = 0; j < n; j++) {
            double w = agglo__gwr_kernel_w2(kern, s->d[j] * s->d[j], inv_h2);
            if (w > 0) {
                s->idx[kept] = j;
                s->w[kept++] = w;
            }
        }
        s->nn = kept;
        return;
    }
    s->h = m->o.fixed ? bw : sqrt(agglo__index_grid_kth_dist2(&m->grid, qx, qy, k, &s->knn)) * GWR_EPS;
    if (agglo__gwr_kernel_bounded(kern)) {
        s->nrg = agglo__index_grid_disc_runs(&m->grid, qx, qy, s->h, s->rg);
    } else {
        s->rg[0].j0 = 0;
        s->rg[0].j1 = n;
        s->nrg = 1;
    }
    s->nn = 0;
    if (!compact)
        return;
    double inv_h2 = 1.0 / (s->h * s->h);
    for (size_t r = 0; r < s->nrg; r++)
        for (size_t j = s->rg[r].j0; j < s->rg[r].j1; j++) {
            double dx = qx - m->cx[j], dy = qy - m->cy[j];
            double w = agglo__gwr_kernel_w2(kern, dx * dx + dy * dy, inv_h2);
            if (w > 0) {
                s->idx[kept] = j;
                s->w[kept++] = w;
            }
        }
    s->nn = kept;
}
