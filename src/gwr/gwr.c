/* Geographically weighted regression: model set-up, local solvers, the score and fit passes.
 *
 * Each local regression accumulates X'W X and X'W y over the observations inside the kernel
 * (gwr_grid.c finds them for planar coordinates, all observations otherwise; gwr_accum.c and
 * gwr_moments.c sum them), solves with a Cholesky factorisation of the equilibrated matrix
 * (LAPACK dpotrf/dpotrs; singular when its reciprocal condition number is below 1e-12) and
 * keeps only O(p^2) per location, so memory is O(n p). The bandwidth search is gwr_search.c. */
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


#define RCOND_MIN 1e-12 /* reciprocal 1-norm condition of the equilibrated X'WX */

void agglo_gwr_options_init(agglo_gwr_options *o)
{
    memset(o, 0, sizeof *o);
    o->family = AGGLO_GWR_FAMILY_GAUSSIAN;
    o->kernel = AGGLO_GWR_BISQUARE;
    o->criterion = AGGLO_GWR_AICC;
    o->search = AGGLO_GWR_GOLDEN;
    o->sigma2_ml_df = 1;
}

const char *agglo_gwr_kernel_name(agglo_gwr_kernel k)
{
    switch (k) {
    case AGGLO_GWR_BISQUARE: return "bisquare";
    case AGGLO_GWR_GAUSSIAN: return "gaussian";
    case AGGLO_GWR_EXPONENTIAL: return "exponential";
    case AGGLO_GWR_BOXCAR: return "boxcar";
    case AGGLO_GWR_TRICUBE: return "tricube";
    }
    return "?";
}

const char *agglo_gwr_criterion_name(agglo_gwr_criterion c)
{
    switch (c) {
    case AGGLO_GWR_AICC: return "AICc";
    case AGGLO_GWR_AIC: return "AIC";
    case AGGLO_GWR_BIC: return "BIC";
    case AGGLO_GWR_CV: return "CV";
    }
    return "?";
}

int agglo__gwr_kernel_bounded(agglo_gwr_kernel k)
{
    return k == AGGLO_GWR_BISQUARE || k == AGGLO_GWR_BOXCAR || k == AGGLO_GWR_TRICUBE;
}

/* GLM pieces: mean from the linear predictor (offset included) and variance function. */
static inline double glm_mu(agglo_gwr_family f, double eta)
{
    return f == AGGLO_GWR_FAMILY_BINOMIAL ? 1.0 / (1.0 + exp(-eta)) : exp(eta);
}

static inline double glm_var(agglo_gwr_family f, double mu)
{
    return f == AGGLO_GWR_FAMILY_BINOMIAL ? mu * (1.0 - mu) : mu;
}

/* ---- per-thread scratch ---- */

typedef struct scratch {
    gwr_nbrs nb;      /* the kernel's observations and weights */
    agglo__index_row_span *sp; /* rows of the disc (grid; m->grid.ny) */
    double *A, *B, *b, *s, *z, *u, *work, *Ainv, *tmp;
    double *glm; /* local GLM: neighbours' y, log offset, IRLS w and z, covariate columns */
    size_t gcap;
} scratch;

static void scratch_free(scratch *s)
{
    if (!s)
        return;
    agglo__gwr_nbrs_free(&s->nb);
    free(s->A);
    free(s->sp);
    free(s->glm);
    memset(s, 0, sizeof *s);
}

static int scratch_init(scratch *s, const agglo_gwr_model *m)
{
    memset(s, 0, sizeof *s);
    size_t p = m->p, pp = p * p;
    s->A = malloc(sizeof(double) * (4 * pp + 8 * p + 8));
    if (m->use_grid)
        s->sp = malloc((size_t)m->grid.ny * sizeof *s->sp);
    if (!s->A || (m->use_grid && !s->sp) || agglo__gwr_nbrs_init(&s->nb, m)) {
        scratch_free(s);
        return -1;
    }
    s->B = s->A + pp;
    s->Ainv = s->B + pp;
    s->tmp = s->Ainv + pp;
    s->b = s->tmp + pp;
    s->s = s->b + p;
    s->z = s->s + p;
    s->u = s->z + p;
    s->work = s->u + p; /* 3p + ... */
    return 0;
}

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

static inline void acc_outer(double *A, const double *x, double w, size_t p)
{
    for (size_t j = 0; j < p; j++) {
        double wxj = w * x[j];
        double *col = A + j * p;
        for (size_t i = 0; i <= j; i++)
            col[i] += wxj * x[i];
    }
}


/* Full-fit accumulation: A += w x x', B += w^2 x x', b += w y x, and sum w, w y, w y^2. */
static inline __attribute__((always_inline)) void acc_full_p(const double *X, const double *Y,
                                                             const size_t *idx, const double *w,
                                                             size_t nn, double *A, double *B,
                                                             double *b, double *sums, size_t P)
{
    double acc[8 * 9 / 2 + 8] = {0}, acc2[8 * 9 / 2] = {0};
    double sw = 0, swy = 0, swy2 = 0;
    for (size_t t = 0; t < nn; t++) {
        const double *xj = X + idx[t] * P;
        double wt = w[t], yj = Y[idx[t]], wy = wt * yj, w2 = wt * wt;
        sw += wt;
        swy += wy;
        swy2 += wy * yj;
        size_t q = 0, q2 = 0;
#pragma GCC unroll 8
        for (size_t j = 0; j < P; j++) {
            double wxj = wt * xj[j], w2xj = w2 * xj[j];
#pragma GCC unroll 8
            for (size_t i = 0; i <= j; i++) {
                acc[q++] += wxj * xj[i];
                acc2[q2++] += w2xj * xj[i];
            }
            acc[q++] += wy * xj[j];
        }
    }
    size_t q = 0, q2 = 0;
    for (size_t j = 0; j < P; j++) {
        for (size_t i = 0; i <= j; i++) {
            A[i + j * P] += acc[q++];
            B[i + j * P] += acc2[q2++];
        }
        b[j] += acc[q++];
    }
    sums[0] += sw;
    sums[1] += swy;
    sums[2] += swy2;
}

static void acc_full(const double *X, const double *Y, const size_t *idx, const double *w,
                     size_t nn, double *A, double *B, double *b, double *sums, size_t p)
{
    switch (p) {
    case 2: acc_full_p(X, Y, idx, w, nn, A, B, b, sums, 2); break;
    case 3: acc_full_p(X, Y, idx, w, nn, A, B, b, sums, 3); break;
    case 4: acc_full_p(X, Y, idx, w, nn, A, B, b, sums, 4); break;
    case 5: acc_full_p(X, Y, idx, w, nn, A, B, b, sums, 5); break;
    case 6: acc_full_p(X, Y, idx, w, nn, A, B, b, sums, 6); break;
    case 7: acc_full_p(X, Y, idx, w, nn, A, B, b, sums, 7); break;
    case 8: acc_full_p(X, Y, idx, w, nn, A, B, b, sums, 8); break;
    default:
        for (size_t t = 0; t < nn; t++) {
            const double *xj = X + idx[t] * p;
            double wt = w[t], yj = Y[idx[t]];
            acc_outer(A, xj, wt, p);
            acc_outer(B, xj, wt * wt, p);
            for (size_t a = 0; a < p; a++)
                b[a] += wt * yj * xj[a];
            sums[0] += wt;
            sums[1] += wt * yj;
            sums[2] += wt * yj * yj;
        }
        break;
    }
}


static void symmetrise(double *A, size_t p)
{
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < j; i++)
            A[j + i * p] = A[i + j * p];
}

/* Eigenvalues of the symmetric p x p matrix a (column-major, destroyed) by cyclic Jacobi
 * rotations: deterministic to the last bit (LAPACK's dsyev through OpenBLAS may take
 * different kernels with different memory alignment, which would make MPI ranks differ). */
static void jacobi_eigenvalues(double *a, size_t p, double *ev)
{
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (size_t j = 0; j < p; j++)
            for (size_t i = 0; i < j; i++)
                off += a[i + j * p] * a[i + j * p];
        if (off < 1e-300)
            break;
        for (size_t q = 1; q < p; q++)
            for (size_t r = 0; r < q; r++) {
                double arq = a[r + q * p];
                if (fabs(arq) < 1e-300)
                    continue;
                double arr = a[r + r * p], aqq = a[q + q * p];
                double theta = (aqq - arr) / (2.0 * arq);
                double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
                double c = 1.0 / sqrt(t * t + 1.0), sn = t * c;
                for (size_t k = 0; k < p; k++) {
                    double akr = a[k + r * p], akq = a[k + q * p];
                    a[k + r * p] = c * akr - sn * akq;
                    a[k + q * p] = sn * akr + c * akq;
                }
                for (size_t k = 0; k < p; k++) {
                    double ark = a[r + k * p], aqk = a[q + k * p];
                    a[r + k * p] = c * ark - sn * aqk;
                    a[q + k * p] = sn * ark + c * aqk;
                }
            }
    }
    for (size_t j = 0; j < p; j++)
        ev[j] = a[j + j * p];
}

/* Local condition number as mgwr's local_collinearity: singular values of the column-
 * normalised W X, i.e. sqrt of the eigenvalue ratio of D^-1/2 (X'W^2 X) D^-1/2. */
static double local_cond(const double *B, size_t p, double *tmp, double *ev)
{
    for (size_t j = 0; j < p; j++)
        if (!(B[j + j * p] > 0))
            return INFINITY;
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < p; i++) {
            const double v = i <= j ? B[i + j * p] : B[j + i * p];
            tmp[i + j * p] = v / sqrt(B[i + i * p] * B[j + j * p]);
        }
    jacobi_eigenvalues(tmp, p, ev);
    double lo = INFINITY, hi = 0;
    for (size_t j = 0; j < p; j++) {
        if (ev[j] < lo)
            lo = ev[j];
        if (ev[j] > hi)
            hi = ev[j];
    }
    if (!(lo > 0))
        return INFINITY;
    return sqrt(hi / lo);
}

/* ---- one local regression ---- */

typedef struct local_out {
    double yhat, hat;  /* fitted value (mu for Poisson) and S_ii */
    double *beta;      /* p, optional */
    double *cct;       /* p, optional: diag(A^-1 B A^-1) */
    double sts;        /* ||S_i||^2 (GLM: row i of tr(S' V S V^-1)) */
    double vself;      /* GLM: variance function at the fitted mean of the point */
    double cond;
    double sw, swy, swy2;
} local_out;

/* Fits at (qx, qy) (self = internal index of the location, or SIZE_MAX for a prediction
 * point; xq the covariate row at the point). full: also beta, cct, sts, cond.
 * Returns 0, 1 singular / not converged, -1 out of memory. */
static int local_fit(const agglo_gwr_model *m, double qx, double qy, const double *xq,
                     size_t self, double bw, int full, scratch *s, local_out *o)
{
    size_t p = m->p, pp = p * p;
    /* the search's Gaussian score on the grid: kernel and sums in one vector pass */
    int fused = !full && m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN && m->use_grid;
    agglo__gwr_neighbours(m, qx, qy, bw, &s->nb, !fused);
    size_t nn = s->nb.nn;
    double *A = s->A, *b = s->b, *B = s->B;
    double wself = self == SIZE_MAX ? 0.0 : 1.0; /* kernel(0) = 1 */
    if (fused && m->mom && s->nb.h >= agglo__gwr_moments_min_bandwidth(m))
        nn = agglo__gwr_acc_moments(m, qx, qy, s->nb.h, A, b, s->sp, s->nb.rg, s->nb.w);
    else if (fused)
        nn = agglo__gwr_acc_ranges(m, s->nb.rg, s->nb.nrg, qx, qy, s->nb.h, A, b, s->nb.w);
    if (nn < p)
        return 1;
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        if (!fused) {
            double sums[3] = {0, 0, 0};
            memset(A, 0, pp * sizeof *A);
            memset(b, 0, p * sizeof *b);
            memset(B, 0, pp * sizeof *B);
            acc_full(m->X, m->y, s->nb.idx, s->nb.w, nn, A, B, b, sums, p);
            if (full) {
                symmetrise(B, p);
                o->sw = sums[0];
                o->swy = sums[1];
                o->swy2 = sums[2];
            }
        }
        if (agglo__core_chol_factor(A, s->s, p, s->tmp, RCOND_MIN))
            return 1;
        agglo__core_inv_apply(s->tmp, s->s, p, b, s->work);  /* b = beta */
        memcpy(s->z, xq, p * sizeof(double));
        agglo__core_inv_apply(s->tmp, s->s, p, s->z, s->work); /* z = A^-1 x_i */
        double yh = 0, xz = 0;
        for (size_t a = 0; a < p; a++) {
            yh += xq[a] * b[a];
            xz += xq[a] * s->z[a];
        }
        o->yhat = yh;
        o->hat = wself * xz;
    } else {
        /* Poisson / binomial: local IRLS to convergence from the global estimate, over the
         * neighbours gathered once into contiguous columns. */
        agglo_gwr_family fam = m->o.family;
        double *beta = s->u;
        if (s->gcap < nn) {
            double *g = realloc(s->glm, (p + 3) * nn * sizeof *g);
            if (!g)
                return -1;
            s->glm = g;
            s->gcap = nn;
        }
        double *gy = s->glm, *goff = gy + nn, *gwz = goff + nn, *gx = gwz + 2 * nn;
        for (size_t t = 0; t < nn; t++) {
            size_t j = s->nb.idx[t];
            gy[t] = m->y[j];
            goff[t] = m->loff ? m->loff[j] : 0.0;
            for (size_t c = 1; c < p; c++)
                gx[(c - 1) * nn + t] = m->X[j * p + c];
        }
        memcpy(beta, m->gbeta, p * sizeof(double));
        int conv = 0;
        for (int it = 0; it < 100 && !conv; it++) {
            if (agglo__gwr_acc_glm(fam, p, nn, gx, gy, goff, s->nb.w, beta, A, b, NULL, gwz))
                return 1; /* fitted probability 0 or 1: separation */
            if (agglo__core_chol_factor(A, s->s, p, s->tmp, RCOND_MIN))
                return 1;
            agglo__core_chol_solve(A, s->s, p, b);
            double dmax = 0, bmax = 0;
            for (size_t a = 0; a < p; a++) {
                double d = fabs(b[a] - beta[a]);
                if (d > dmax)
                    dmax = d;
                if (fabs(b[a]) > bmax)
                    bmax = fabs(b[a]);
                beta[a] = b[a];
            }
            if (!isfinite(dmax))
                return 1;
            if (dmax <= 1e-10 * (1.0 + bmax))
                conv = 1;
        }
        if (!conv)
            return 1;
        /* final A, B at the converged beta */
        if (agglo__gwr_acc_glm(fam, p, nn, gx, gy, goff, s->nb.w, beta, A, b, full ? B : NULL, gwz))
            return 1;
        if (full)
            symmetrise(B, p);
        if (agglo__core_chol_factor(A, s->s, p, s->tmp, RCOND_MIN))
            return 1;
        memcpy(b, beta, p * sizeof(double));
        memcpy(s->z, xq, p * sizeof(double));
        agglo__core_chol_solve(A, s->s, p, s->z);
        double eta = 0, xz = 0;
        for (size_t a = 0; a < p; a++) {
            eta += xq[a] * b[a];
            xz += xq[a] * s->z[a];
        }
        double lo = (self != SIZE_MAX && m->loff) ? m->loff[self] : 0.0;
        double mu = glm_mu(fam, eta + lo);
        o->yhat = mu;
        o->hat = wself * glm_var(fam, mu) * xz;
        o->sw = o->swy = o->swy2 = NAN;
        o->vself = glm_var(fam, mu);
    }
    if (!full)
        return 0;
    memcpy(o->beta, b, p * sizeof(double));
    /* Gaussian: ||S_i||^2 = z' B z. GLM (S_ij = x_i' A^-1 x_j w_ij v_j on the working
     * response, V = diag(v)): row i of tr(S' V S V^-1), sum_j S_ij^2 v_i / v_j = v_i z' B z
     * with B = sum_j w_ij^2 v_j x_j x_j' (GWR4's variance-based trace; mgwr's tr_STS). */
    double sts = 0;
    for (size_t a = 0; a < p; a++) {
        double t = 0;
        for (size_t c = 0; c < p; c++)
            t += B[a + c * p] * s->z[c];
        sts += s->z[a] * t;
    }
    o->sts = m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN ? sts : o->vself * sts;
    agglo__core_chol_inverse(s->tmp, s->s, p, s->Ainv);
    /* cct = diag(Ainv B Ainv) */
    for (size_t a = 0; a < p; a++) {
        double v = 0;
        for (size_t c = 0; c < p; c++) {
            double t = 0;
            for (size_t d = 0; d < p; d++)
                t += B[c + d * p] * s->Ainv[d + a * p];
            v += s->Ainv[a + c * p] * t;
        }
        o->cct[a] = v;
    }
    /* for Poisson, the collinearity of the kernel-weighted X uses the kernel weights only */
    if (m->o.family != AGGLO_GWR_FAMILY_GAUSSIAN) {
        memset(B, 0, pp * sizeof *B);
        for (size_t t = 0; t < nn; t++)
            acc_outer(B, m->X + s->nb.idx[t] * p, s->nb.w[t] * s->nb.w[t], p);
        symmetrise(B, p);
    }
    o->cond = local_cond(B, p, s->tmp, s->work);
    return 0;
}

/* ---- model ---- */

void agglo_gwr_model_free(agglo_gwr_model *m)
{
    if (!m)
        return;
    free(m->X);
    free(m->xcol);
    free(m->y);
    free(m->loff);
    free(m->cx);
    free(m->cy);
    free(m->orig);
    if (m->names)
        for (size_t j = 0; j < m->p; j++)
            free(m->names[j]);
    free(m->names);
    free(m->xmean);
    free(m->xsd);
    free(m->gbeta);
    agglo__index_grid_free(&m->grid);
    agglo_kdtree_free(m->tree);
    free(m->mom);
    free(m);
}

/* Global fit (OLS or Poisson GLM) on the model's data: beta (p), and Ainv (p x p). */
static int global_fit(agglo_ctx *ctx, const agglo_gwr_model *m, double *beta, double *Ainv)
{
    size_t n = m->n, p = m->p, pp = p * p;
    scratch s;
    if (scratch_init(&s, m))
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    int rc = AGGLO_OK;
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        memset(s.A, 0, pp * sizeof(double));
        memset(beta, 0, p * sizeof(double));
        for (size_t j = 0; j < n; j++) {
            acc_outer(s.A, m->X + j * p, 1.0, p);
            for (size_t a = 0; a < p; a++)
                beta[a] += m->X[j * p + a] * m->y[j];
        }
        if (agglo__core_chol_factor(s.A, s.s, p, s.tmp, RCOND_MIN)) {
            rc = agglo_error(ctx, AGGLO_E_SINGULAR,
                             "the global regression is singular: the covariates are collinear "
                             "or constant");
            goto done;
        }
        agglo__core_chol_solve(s.A, s.s, p, beta);
    } else {
        /* start as R's glm: mu = y + 0.1 */
        double *b = s.b;
        int conv = 0;
        for (int it = 0; it < 100 && !conv; it++) {
            memset(s.A, 0, pp * sizeof(double));
            memset(b, 0, p * sizeof(double));
            for (size_t j = 0; j < n; j++) {
                const double *xj = m->X + j * p;
                double lo = m->loff ? m->loff[j] : 0.0, mu, eta;
                agglo_gwr_family fam = m->o.family;
                if (it == 0) { /* R's glm starting values */
                    if (fam == AGGLO_GWR_FAMILY_BINOMIAL) {
                        mu = (m->y[j] + 0.5) / 2.0;
                        eta = log(mu / (1.0 - mu));
                    } else {
                        mu = m->y[j] + 0.1;
                        eta = log(mu) - lo;
                    }
                } else {
                    eta = 0;
                    for (size_t a = 0; a < p; a++)
                        eta += xj[a] * beta[a];
                    mu = glm_mu(fam, eta + lo);
                }
                double v = glm_var(fam, mu);
                if (!(v > 0)) {
                    rc = agglo_error(ctx, AGGLO_E_NUMERIC,
                                     "the global regression diverges (fitted probabilities 0 or "
                                     "1: the response is separated by the covariates)");
                    goto done;
                }
                double zj = eta + (m->y[j] - mu) / v;
                acc_outer(s.A, xj, v, p);
                for (size_t a = 0; a < p; a++)
                    b[a] += v * zj * xj[a];
            }
            if (agglo__core_chol_factor(s.A, s.s, p, s.tmp, RCOND_MIN)) {
                rc = agglo_error(ctx, AGGLO_E_SINGULAR,
                                 "the global GLM regression is singular or diverges");
                goto done;
            }
            agglo__core_chol_solve(s.A, s.s, p, b);
            double dmax = 0, bmax = 0;
            for (size_t a = 0; a < p; a++) {
                double d = it == 0 ? INFINITY : fabs(b[a] - beta[a]);
                if (d > dmax)
                    dmax = d;
                if (fabs(b[a]) > bmax)
                    bmax = fabs(b[a]);
                beta[a] = b[a];
            }
            if (it > 0 && dmax <= 1e-12 * (1.0 + bmax))
                conv = 1;
        }
        if (!conv) {
            rc = agglo_error(ctx, AGGLO_E_NUMERIC,
                             "the global GLM regression did not converge in 100 iterations");
            goto done;
        }
        memset(s.A, 0, pp * sizeof(double));
        for (size_t j = 0; j < n; j++) {
            const double *xj = m->X + j * p;
            double eta = 0;
            for (size_t a = 0; a < p; a++)
                eta += xj[a] * beta[a];
            acc_outer(s.A, xj,
                      glm_var(m->o.family, glm_mu(m->o.family, eta + (m->loff ? m->loff[j] : 0.0))),
                      p);
        }
        if (agglo__core_chol_factor(s.A, s.s, p, s.tmp, RCOND_MIN)) {
            rc = agglo_error(ctx, AGGLO_E_SINGULAR, "the global GLM regression is singular");
            goto done;
        }
    }
    if (Ainv)
        agglo__core_chol_inverse(s.tmp, s.s, p, Ainv);
done:
    scratch_free(&s);
    return rc;
}

agglo_gwr_model *agglo_gwr_model_create(agglo_ctx *ctx, size_t n, const double *cx,
                                        const double *cy, const double *y,
                                        const double *const *x, size_t k,
                                        const char *const *names, const double *offset,
                                        const agglo_gwr_options *opts)
{
    agglo_gwr_options o;
    if (opts)
        o = *opts;
    else
        agglo_gwr_options_init(&o);
    size_t p = k + 1;
    if (o.family != AGGLO_GWR_FAMILY_GAUSSIAN && o.criterion == AGGLO_GWR_CV) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: the CV criterion is defined for Gaussian GWR only");
        return NULL;
    }
    if ((unsigned)o.family > AGGLO_GWR_FAMILY_BINOMIAL) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: unknown family");
        return NULL;
    }
    if (o.family == AGGLO_GWR_FAMILY_BINOMIAL && offset) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: an offset is for Poisson GWR only");
        return NULL;
    }
    if ((unsigned)o.kernel > AGGLO_GWR_TRICUBE || (unsigned)o.criterion > AGGLO_GWR_CV) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: unknown kernel or criterion");
        return NULL;
    }
    if (n >= (size_t)UINT32_MAX) {
        agglo_error(ctx, AGGLO_E_USAGE, "gwr: %zu observations exceed the supported 2^32 - 1", n);
        return NULL;
    }
    if (n < p + 2) {
        agglo_error(ctx, AGGLO_E_EMPTY, "gwr: %zu observations are too few for %zu coefficients",
                    n, p);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(cx[i]) || !isfinite(cy[i])) {
            agglo_error(ctx, AGGLO_E_GEOMETRY,
                        "gwr: observation %zu has no coordinates (NULL/empty geometry)", i + 1);
            return NULL;
        }
        if (!isfinite(y[i])) {
            agglo_error(ctx, AGGLO_E_MISSING, "gwr: the response is missing at row %zu", i + 1);
            return NULL;
        }
        for (size_t j = 0; j < k; j++)
            if (!isfinite(x[j][i])) {
                agglo_error(ctx, AGGLO_E_MISSING, "gwr: covariate %s is missing at row %zu",
                            names && names[j] ? names[j] : "?", i + 1);
                return NULL;
            }
        if (o.family == AGGLO_GWR_FAMILY_BINOMIAL && !(y[i] >= 0 && y[i] <= 1)) {
            agglo_error(ctx, AGGLO_E_FORMAT,
                        "gwr: binomial (logistic) response must be 0/1 (or a proportion in "
                        "[0, 1]); row %zu has %g",
                        i + 1, y[i]);
            return NULL;
        }
        if (o.family == AGGLO_GWR_FAMILY_POISSON) {
            if (y[i] < 0 || y[i] != floor(y[i])) {
                agglo_error(ctx, AGGLO_E_FORMAT,
                            "gwr: Poisson response must be a non-negative count; row %zu has %g",
                            i + 1, y[i]);
                return NULL;
            }
            if (offset && !(offset[i] > 0 && isfinite(offset[i]))) {
                agglo_error(ctx, AGGLO_E_FORMAT,
                            "gwr: the offset must be positive; row %zu has %g", i + 1, offset[i]);
                return NULL;
            }
        }
        if (o.great_circle && (fabs(cy[i]) > 90 || fabs(cx[i]) > 360)) {
            agglo_error(ctx, AGGLO_E_CRS,
                        "gwr: great-circle distances need lon/lat degrees; row %zu has (%g, %g)",
                        i + 1, cx[i], cy[i]);
            return NULL;
        }
    }
    if (o.family != AGGLO_GWR_FAMILY_POISSON && n > 0) {
        size_t i = 1;
        while (i < n && y[i] == y[0])
            i++;
        if (i == n) {
            agglo_error(ctx, AGGLO_E_FORMAT,
                        "gwr: the response is constant (every value is %g): there is nothing "
                        "to regress",
                        y[0]);
            return NULL;
        }
    }
    agglo_gwr_model *m = agglo_calloc(ctx, 1, sizeof *m);
    if (!m)
        return NULL;
    m->o = o;
    m->n = n;
    m->p = p;
    m->X = agglo_malloc(ctx, n * p * sizeof(double));
    m->xcol = agglo_malloc(ctx, n * (p - 1) * sizeof(double) + 1);
    m->y = agglo_malloc(ctx, n * sizeof(double));
    m->cx = agglo_malloc(ctx, n * sizeof(double));
    m->cy = agglo_malloc(ctx, n * sizeof(double));
    m->orig = agglo_malloc(ctx, n * sizeof(size_t));
    m->names = agglo_calloc(ctx, p, sizeof(char *));
    m->xmean = agglo_calloc(ctx, p, sizeof(double));
    m->xsd = agglo_calloc(ctx, p, sizeof(double));
    m->gbeta = agglo_calloc(ctx, p, sizeof(double));
    if (o.family == AGGLO_GWR_FAMILY_POISSON && offset)
        m->loff = agglo_malloc(ctx, n * sizeof(double));
    if (!m->X || !m->xcol || !m->y || !m->cx || !m->cy || !m->orig || !m->names || !m->xmean || !m->xsd ||
        !m->gbeta || (o.family == AGGLO_GWR_FAMILY_POISSON && offset && !m->loff))
        goto fail;
    m->names[0] = agglo_strdup(ctx, "Intercept");
    if (!m->names[0])
        goto fail;
    for (size_t j = 0; j < k; j++) {
        char buf[32];
        snprintf(buf, sizeof buf, "x%zu", j + 1);
        m->names[j + 1] = agglo_strdup(ctx, names && names[j] ? names[j] : buf);
        if (!m->names[j + 1])
            goto fail;
    }
    /* order */
    m->use_grid = !o.great_circle;
    if (m->use_grid) {
        if (agglo__index_grid_build(ctx, &m->grid, cx, cy, n, 0) != AGGLO_OK)
            goto fail;
        memcpy(m->orig, m->grid.order, n * sizeof(size_t));
    } else {
        for (size_t i = 0; i < n; i++)
            m->orig[i] = i;
        int on_sphere = 1;
        for (size_t i = 0; i < n; i++)
            on_sphere &= fabs(cy[i]) <= 90.0;
        /* small data: scanning every observation is as fast */
        if (n >= 512 && on_sphere && !(m->tree = agglo_kdtree_build(ctx, cx, cy, n, 1)))
            goto fail;
    }
    /* standardisation */
    m->ymean = 0;
    m->ysd = 1;
    m->xmean[0] = 0;
    m->xsd[0] = 1;
    for (size_t j = 0; j < k; j++) {
        m->xmean[j + 1] = 0;
        m->xsd[j + 1] = 1;
    }
    if (o.standardize) {
        double *tmp = agglo_malloc(ctx, n * sizeof(double));
        if (!tmp)
            goto fail;
        for (size_t j = 0; j <= k; j++) {
            const double *v = j == 0 ? y : x[j - 1];
            if (j == 0 && o.family != AGGLO_GWR_FAMILY_GAUSSIAN)
                continue;
            double mean = agglo_sum(v, n) / (double)n;
            for (size_t i = 0; i < n; i++)
                tmp[i] = (v[i] - mean) * (v[i] - mean);
            double sd = sqrt(agglo_sum(tmp, n) / (double)n);
            if (!(sd > 0)) {
                free(tmp);
                agglo_error(ctx, AGGLO_E_NUMERIC, "gwr: %s is constant and cannot be standardised",
                            j == 0 ? "the response" : m->names[j]);
                goto fail;
            }
            if (j == 0) {
                m->ymean = mean;
                m->ysd = sd;
            } else {
                m->xmean[j] = mean;
                m->xsd[j] = sd;
            }
        }
        free(tmp);
    }
    for (size_t t = 0; t < n; t++) {
        size_t i = m->orig[t];
        m->cx[t] = cx[i];
        m->cy[t] = cy[i];
        m->y[t] = (y[i] - m->ymean) / m->ysd;
        double *row = m->X + t * p;
        row[0] = 1.0;
        for (size_t j = 0; j < k; j++) {
            row[j + 1] = (x[j][i] - m->xmean[j + 1]) / m->xsd[j + 1];
            m->xcol[j * n + t] = row[j + 1];
        }
        if (m->loff)
            m->loff[t] = log(offset[i]);
    }
    if (global_fit(ctx, m, m->gbeta, NULL))
        goto fail;
    return m;
fail:
    agglo_gwr_model_free(m);
    return NULL;
}

/* ---- passes over all observations ---- */

typedef struct pass_arrays {
    double *yhat, *hat;              /* n (internal order) */
    double *beta, *cct, *sts, *cond; /* full only */
    double *sw, *swy, *swy2;
    unsigned char *singular;
} pass_arrays;

static int check_bw(agglo_ctx *ctx, const agglo_gwr_model *m, double bw)
{
    if (!(bw > 0) || !isfinite(bw))
        return agglo_error(ctx, AGGLO_E_USAGE, "gwr: bandwidth %g is not positive", bw);
    if (!m->o.fixed) {
        if (bw < 1 || floor(bw) > (double)m->n)
            return agglo_error(ctx, AGGLO_E_USAGE,
                               "gwr: adaptive bandwidth %g must be between 1 and the number of "
                               "observations (%zu)",
                               bw, m->n);
    }
    return AGGLO_OK;
}

static int run_pass(agglo_ctx *ctx, const agglo_gwr_model *m, double bw, int full,
                    pass_arrays *a, size_t *nsing)
{
    size_t n = m->n, p = m->p;
    int nomem = 0;
    size_t ns = 0;
    int nth = agglo_threads_for(ctx);
    (void)nth;
    agglo__core_part part = agglo__core_mpi_partition(n);
    size_t lo = part.lo, hi = part.hi;
#ifdef _OPENMP
#pragma omp parallel num_threads(nth) reduction(+ : ns)
#endif
    {
        scratch s;
        int ok = scratch_init(&s, m) == 0;
        if (!ok) {
            AGGLO_FLAG_SET(nomem);
        }
        local_out o;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 32)
#endif
        for (size_t i = lo; i < hi; i++) {
            if (!ok)
                continue;
            memset(&o, 0, sizeof o);
            if (full) {
                o.beta = a->beta + i * p;
                o.cct = a->cct + i * p;
            }
            int r = local_fit(m, m->cx[i], m->cy[i], m->X + i * p, i, bw, full, &s, &o);
            if (r < 0) {
                AGGLO_FLAG_SET(nomem);
                continue;
            }
            if (a->singular)
                a->singular[i] = (unsigned char)(r == 1);
            if (r == 1) {
                ns++;
                a->yhat[i] = NAN;
                a->hat[i] = NAN;
                if (full) {
                    for (size_t j = 0; j < p; j++)
                        a->beta[i * p + j] = a->cct[i * p + j] = NAN;
                    a->sts[i] = a->cond[i] = NAN;
                    a->sw[i] = a->swy[i] = a->swy2[i] = NAN;
                }
                continue;
            }
            a->yhat[i] = o.yhat;
            a->hat[i] = o.hat;
            if (full) {
                a->sts[i] = o.sts;
                a->cond[i] = o.cond;
                a->sw[i] = o.sw;
                a->swy[i] = o.swy;
                a->swy2[i] = o.swy2;
            }
        }
        scratch_free(&s);
    }
    if (part.size > 1) {
        nomem = (int)agglo__core_mpi_allsum(&part, (size_t)nomem, 1);
        ns = agglo__core_mpi_allsum(&part, ns, 0);
        int bad = agglo__core_mpi_allgather(&part, n, a->yhat, 1, 0) || agglo__core_mpi_allgather(&part, n, a->hat, 1, 0);
        if (a->singular)
            bad = bad || agglo__core_mpi_allgather(&part, n, a->singular, 1, 1);
        if (full)
            bad = bad || agglo__core_mpi_allgather(&part, n, a->beta, p, 0) ||
                  agglo__core_mpi_allgather(&part, n, a->cct, p, 0) || agglo__core_mpi_allgather(&part, n, a->sts, 1, 0) ||
                  agglo__core_mpi_allgather(&part, n, a->cond, 1, 0) || agglo__core_mpi_allgather(&part, n, a->sw, 1, 0) ||
                  agglo__core_mpi_allgather(&part, n, a->swy, 1, 0) || agglo__core_mpi_allgather(&part, n, a->swy2, 1, 0);
        if (bad)
            return agglo_error(ctx, AGGLO_E_NUMERIC, "gwr: MPI communication failed");
    }
    *nsing = ns;
    if (nomem)
        return agglo_error(ctx, AGGLO_E_NOMEM, "gwr: out of memory in the local regressions");
    return AGGLO_OK;
}

/* Unit deviance of the GLM family (Poisson or binomial). */
static double dev_term(agglo_gwr_family f, double y, double mu)
{
    if (f == AGGLO_GWR_FAMILY_BINOMIAL)
        return 2.0 * ((y > 0 ? y * log(y / mu) : 0.0) +
                      (y < 1 ? (1.0 - y) * log((1.0 - y) / (1.0 - mu)) : 0.0));
    return 2.0 * ((y > 0 ? y * log(y / mu) : 0.0) - (y - mu));
}

/* Criterion of a Gaussian fit from the responses y, fitted values and hat diagonal (GWR, and
 * MGWR's univariate searches): CV = mean squared leave-one-out residual; AIC/AICc/BIC from
 * -2 log L = n (log(2 pi RSS / n) + 1) with tr S + 1 parameters (FBC 2002). */
double agglo__gwr_gaussian_criterion(agglo_gwr_criterion crit, const double *y, const double *yhat,
                              const double *hat, size_t n, double *tmp)
{
    double dn = (double)n, trs = agglo_sum(hat, n);
    if (crit == AGGLO_GWR_CV) {
        for (size_t i = 0; i < n; i++) {
            double e = (y[i] - yhat[i]) / (1.0 - hat[i]);
            tmp[i] = e * e;
        }
        return agglo_sum(tmp, n) / dn;
    }
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - yhat[i];
        tmp[i] = e * e;
    }
    double rss = agglo_sum(tmp, n);
    double m2llf = dn * (log(2.0 * M_PI * rss / dn) + 1.0);
    switch (crit) {
    case AGGLO_GWR_AICC: return m2llf + 2.0 * dn * (trs + 1.0) / (dn - trs - 2.0);
    case AGGLO_GWR_AIC: return m2llf + 2.0 * (trs + 1.0);
    case AGGLO_GWR_BIC: return m2llf + (trs + 1.0) * log(dn);
    default: return NAN;
    }
}

/* Criterion from fitted values and hat diagonal (all observations non-singular). */
static double criterion_value(const agglo_gwr_model *m, const double *yhat, const double *hat,
                              double *tmp, agglo_gwr_criterion crit)
{
    size_t n = m->n;
    double dn = (double)n;
    double trs = agglo_sum(hat, n);
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN)
        return agglo__gwr_gaussian_criterion(crit, m->y, yhat, hat, n, tmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = dev_term(m->o.family, m->y[i], yhat[i]);
    double dev = agglo_sum(tmp, n);
    switch (crit) {
    case AGGLO_GWR_AICC: return dev + 2.0 * trs + 2.0 * trs * (trs + 1.0) / (dn - trs - 1.0);
    case AGGLO_GWR_AIC: return dev + 2.0 * trs;
    case AGGLO_GWR_BIC: return dev + trs * log(dn);
    default: return NAN;
    }
}

int agglo_gwr_score(agglo_ctx *ctx, agglo_gwr_model *m, double bw, double *score)
{
    int rc = check_bw(ctx, m, bw);
    if (rc)
        return rc;
    size_t n = m->n;
    double *buf = agglo_malloc(ctx, 3 * n * sizeof(double));
    if (!buf)
        return AGGLO_E_NOMEM;
    pass_arrays a;
    memset(&a, 0, sizeof a);
    a.yhat = buf;
    a.hat = buf + n;
    size_t ns = 0;
    /* large Gaussian bisquare bandwidths: moment tables make the bulk of each disc O(rows)
     * (built once, on the first such bandwidth; without memory for them, sums stay direct) */
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN && m->o.kernel == AGGLO_GWR_BISQUARE &&
        m->use_grid && !m->mom && !m->mom_failed &&
        (m->o.fixed ? bw >= agglo__gwr_moments_min_bandwidth(m) : bw >= (double)n / 16.0))
        m->mom_failed = agglo__gwr_moments_build(m) != 0;
    rc = run_pass(ctx, m, bw, 0, &a, &ns);
    if (rc == AGGLO_OK) {
        if (ns > 0) {
            *score = INFINITY;
        } else {
            double v = criterion_value(m, a.yhat, a.hat, buf + 2 * n, m->o.criterion);
            *score = isfinite(v) ? v : INFINITY;
        }
    }
    free(buf);
    return rc;
}

/* ---- full fit ---- */

void agglo_gwr_result_free(agglo_gwr_result *r)
{
    if (!r)
        return;
    if (r->names)
        for (size_t j = 0; j < r->p; j++)
            free(r->names[j]);
    free(r->names);
    free(r->beta);
    free(r->se);
    free(r->tval);
    free(r->yhat);
    free(r->resid);
    free(r->std_resid);
    free(r->influence);
    free(r->cooks_d);
    free(r->local_r2);
    free(r->cond);
    free(r->singular);
    free(r->g_beta);
    free(r->g_se);
    free(r->g_t);
    free(r->coef_summary);
    free(r);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile7(const double *sorted, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

/* Mean, sd (n - 1), min, quartiles (R's type 7) and max of v[0..c-1] into cs[7]; sorts v,
 * tmp: c doubles of scratch. */
void agglo__gwr_coef_summary(double *v, size_t c, double *tmp, double *cs)
{
    double mean = agglo_sum(v, c) / (double)c;
    for (size_t k = 0; k < c; k++)
        tmp[k] = (v[k] - mean) * (v[k] - mean);
    cs[0] = mean;
    cs[1] = c > 1 ? sqrt(agglo_sum(tmp, c) / (double)(c - 1)) : NAN;
    qsort(v, c, sizeof(double), cmp_double);
    cs[2] = v[0];
    cs[3] = quantile7(v, c, 0.25);
    cs[4] = quantile7(v, c, 0.5);
    cs[5] = quantile7(v, c, 0.75);
    cs[6] = v[c - 1];
}

/* Global regression diagnostics into r. */
static int global_diagnostics(agglo_ctx *ctx, const agglo_gwr_model *m, agglo_gwr_result *r,
                              double *tmp)
{
    size_t n = m->n, p = m->p;
    double dn = (double)n, dp = (double)p;
    double *Ainv = agglo_malloc(ctx, p * p * sizeof(double));
    if (!Ainv)
        return AGGLO_E_NOMEM;
    int rc = global_fit(ctx, m, r->g_beta, Ainv);
    if (rc) {
        free(Ainv);
        return rc;
    }
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        double *cvt = agglo_malloc(ctx, n * sizeof(double));
        if (!cvt) {
            free(Ainv);
            return AGGLO_E_NOMEM;
        }
        for (size_t i = 0; i < n; i++) {
            const double *xi = m->X + i * p;
            double yh = 0, h = 0;
            for (size_t a = 0; a < p; a++) {
                yh += xi[a] * r->g_beta[a];
                double t = 0;
                for (size_t c = 0; c < p; c++)
                    t += Ainv[a + c * p] * xi[c];
                h += xi[a] * t;
            }
            double e = m->y[i] - yh;
            tmp[i] = e * e;
            cvt[i] = (e / (1.0 - h)) * (e / (1.0 - h));
        }
        double rss = agglo_sum(tmp, n);
        r->g_rss = rss;
        r->g_cv = agglo_sum(cvt, n) / dn;
        free(cvt);
        r->g_sigma_ml = sqrt(rss / dn);
        r->g_sigma = sqrt(rss / (dn - dp));
        r->g_llf = -0.5 * dn * (log(2.0 * M_PI * rss / dn) + 1.0);
        r->g_aic = -2.0 * r->g_llf + 2.0 * (dp + 1.0);
        r->g_aicc = -2.0 * r->g_llf + 2.0 * dn * (dp + 1.0) / (dn - dp - 2.0);
        r->g_bic = -2.0 * r->g_llf + (dp + 1.0) * log(dn);
        double ym = agglo_sum(m->y, n) / dn;
        for (size_t i = 0; i < n; i++)
            tmp[i] = (m->y[i] - ym) * (m->y[i] - ym);
        double tss = agglo_sum(tmp, n);
        r->g_r2 = 1.0 - rss / tss;
        r->g_adj_r2 = 1.0 - (1.0 - r->g_r2) * (dn - 1.0) / (dn - dp - 1.0);
        r->g_deviance = rss;
        for (size_t a = 0; a < p; a++) {
            r->g_se[a] = sqrt(r->g_sigma * r->g_sigma * Ainv[a + a * p]);
            r->g_t[a] = r->g_beta[a] / r->g_se[a];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            const double *xi = m->X + i * p;
            double eta = m->loff ? m->loff[i] : 0.0;
            for (size_t a = 0; a < p; a++)
                eta += xi[a] * r->g_beta[a];
            tmp[i] = dev_term(m->o.family, m->y[i], glm_mu(m->o.family, eta));
        }
        double dev = agglo_sum(tmp, n);
        r->g_deviance = dev;
        r->g_aic = dev + 2.0 * dp;
        r->g_aicc = r->g_aic + 2.0 * dp * (dp + 1.0) / (dn - dp - 1.0);
        r->g_bic = dev + dp * log(dn);
        r->g_rss = r->g_sigma = r->g_sigma_ml = r->g_llf = r->g_cv = r->g_r2 = r->g_adj_r2 = NAN;
        for (size_t a = 0; a < p; a++) {
            r->g_se[a] = sqrt(Ainv[a + a * p]);
            r->g_t[a] = r->g_beta[a] / r->g_se[a];
        }
    }
    free(Ainv);
    return AGGLO_OK;
}

agglo_gwr_result *agglo_gwr_fit(agglo_ctx *ctx, agglo_gwr_model *m, double bw)
{
    if (check_bw(ctx, m, bw))
        return NULL;
    if (!m->o.fixed)
        bw = floor(bw);
    size_t n = m->n, p = m->p;
    double dn = (double)n, dp = (double)p;
    agglo_gwr_result *r = agglo_calloc(ctx, 1, sizeof *r);
    if (!r)
        return NULL;
    r->n = n;
    r->p = p;
    r->family = m->o.family;
    r->kernel = m->o.kernel;
    r->fixed = m->o.fixed;
    r->bandwidth = bw;
    r->names = agglo_calloc(ctx, p, sizeof(char *));
    r->beta = agglo_malloc(ctx, n * p * sizeof(double));
    r->se = agglo_malloc(ctx, n * p * sizeof(double));
    r->tval = agglo_malloc(ctx, n * p * sizeof(double));
    r->yhat = agglo_malloc(ctx, n * sizeof(double));
    r->resid = agglo_malloc(ctx, n * sizeof(double));
    r->std_resid = agglo_malloc(ctx, n * sizeof(double));
    r->influence = agglo_malloc(ctx, n * sizeof(double));
    r->cooks_d = agglo_malloc(ctx, n * sizeof(double));
    r->local_r2 = agglo_malloc(ctx, n * sizeof(double));
    r->cond = agglo_malloc(ctx, n * sizeof(double));
    r->singular = agglo_calloc(ctx, n, 1);
    r->g_beta = agglo_malloc(ctx, p * sizeof(double));
    r->g_se = agglo_malloc(ctx, p * sizeof(double));
    r->g_t = agglo_malloc(ctx, p * sizeof(double));
    r->coef_summary = agglo_malloc(ctx, p * 7 * sizeof(double));
    /* internal-order work arrays */
    double *wk = agglo_malloc(ctx, (n * (2 * p + 9)) * sizeof(double));
    unsigned char *sing = agglo_calloc(ctx, n, 1);
    if (!r->names || !r->beta || !r->se || !r->tval || !r->yhat || !r->resid || !r->std_resid ||
        !r->influence || !r->cooks_d || !r->local_r2 || !r->cond || !r->singular || !r->g_beta ||
        !r->g_se || !r->g_t || !r->coef_summary || !wk || !sing)
        goto fail;
    for (size_t j = 0; j < p; j++) {
        r->names[j] = agglo_strdup(ctx, m->names[j]);
        if (!r->names[j])
            goto fail;
    }
    pass_arrays a;
    a.beta = wk;
    a.cct = wk + n * p;
    a.yhat = wk + 2 * n * p;
    a.hat = a.yhat + n;
    a.sts = a.hat + n;
    a.cond = a.sts + n;
    a.sw = a.cond + n;
    a.swy = a.sw + n;
    a.swy2 = a.swy + n;
    double *tmp = a.swy2 + n, *tmp2 = tmp + n;
    a.singular = sing;
    size_t ns = 0;
    if (run_pass(ctx, m, bw, 1, &a, &ns))
        goto fail;
    r->nsingular = ns;
    if (ns == n) {
        agglo_error(ctx, AGGLO_E_SINGULAR,
                    "gwr: every local regression is singular at bandwidth %g (too few "
                    "neighbours or collinear covariates); use a larger bandwidth",
                    bw);
        goto fail;
    }
    if (ns > 0) {
        char list[256];
        size_t len = 0, shown = 0;
        list[0] = '\0';
        size_t *ids = malloc(ns * sizeof(size_t));
        if (ids) {
            size_t c2 = 0;
            for (size_t i = 0; i < n; i++)
                if (sing[i])
                    ids[c2++] = m->orig[i];
            qsort(ids, c2, sizeof(size_t), cmp_size);
            for (size_t t = 0; t < c2 && shown < 10 && len < sizeof list; t++) {
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%zu", shown ? ", " : "",
                                        ids[t] + 1);
                shown++;
            }
            free(ids);
        }
        agglo_warn(ctx,
                   "gwr: %zu local regression(s) singular at bandwidth %g (observations %s%s): "
                   "too few neighbours or locally collinear covariates; their estimates are NaN "
                   "and the diagnostics use the other observations",
                   ns, bw, list, ns > shown ? ", ..." : "");
    }
    /* residuals, global sums over non-singular observations */
    size_t nok = n - ns;
    double *e = tmp; /* internal order residuals */
    size_t c = 0;
    double *buf1 = tmp2;
    for (size_t i = 0; i < n; i++)
        e[i] = sing[i] ? NAN : m->y[i] - a.yhat[i];
    /* tr(S), tr(S'S), RSS */
    c = 0;
    for (size_t i = 0; i < n; i++)
        if (!sing[i])
            buf1[c++] = a.hat[i];
    r->tr_s = agglo_sum(buf1, c);
    c = 0;
    for (size_t i = 0; i < n; i++)
        if (!sing[i])
            buf1[c++] = a.sts[i];
    r->tr_sts = agglo_sum(buf1, c);
    double dno = (double)nok;
    double trs = r->tr_s, trsts = r->tr_sts;
    r->df_model = dno - trs;
    r->df_resid = dno - 2.0 * trs + trsts;
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = e[i] * e[i];
        double rss = agglo_sum(buf1, c);
        r->rss = rss;
        r->sigma_ml = sqrt(rss / dno);
        r->sigma = sqrt(rss / r->df_resid);
        r->sigma2_se = m->o.sigma2_ml_df ? rss / (dno - trs) : rss / r->df_resid;
        r->enp = m->o.sigma2_ml_df ? trs : 2.0 * trs - trsts;
        r->llf = -0.5 * dno * (log(2.0 * M_PI * rss / dno) + 1.0);
        r->aic = -2.0 * r->llf + 2.0 * (trs + 1.0);
        r->aicc = -2.0 * r->llf + 2.0 * dno * (trs + 1.0) / (dno - trs - 2.0);
        r->bic = -2.0 * r->llf + (trs + 1.0) * log(dno);
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i]) {
                double t = e[i] / (1.0 - a.hat[i]);
                buf1[c++] = t * t;
            }
        r->cv = agglo_sum(buf1, c) / dno;
        c = 0;
        double ym = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = m->y[i];
        ym = agglo_sum(buf1, c) / dno;
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = (m->y[i] - ym) * (m->y[i] - ym);
        double tss = agglo_sum(buf1, c);
        r->r2 = 1.0 - rss / tss;
        if (rss <= 1e-20 * tss)
            agglo_warn(ctx,
                       "gwr: the local regressions reproduce the response exactly (RSS %g, "
                       "total sum of squares %g): standard errors and t values are numerically "
                       "degenerate",
                       rss, tss);
        r->adj_r2 = 1.0 - (1.0 - r->r2) * (dno - 1.0) / (dno - r->enp - 1.0);
        r->deviance = rss;
        r->null_deviance = tss;
        r->pct_dev = r->r2;
    } else {
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = dev_term(m->o.family, m->y[i], a.yhat[i]);
        double dev = agglo_sum(buf1, c);
        r->deviance = dev;
        r->sigma2_se = 1.0;
        r->enp = m->o.sigma2_ml_df ? trs : 2.0 * trs - trsts;
        r->aic = dev + 2.0 * trs;
        r->aicc = r->aic + 2.0 * trs * (trs + 1.0) / (dno - trs - 1.0);
        r->bic = dev + trs * log(dno);
        r->llf = r->rss = r->sigma = r->sigma_ml = r->cv = r->r2 = r->adj_r2 = NAN;
        /* null deviance: intercept + offset model, mu_i = offset_i * sum(y) / sum(offset) */
        double sy = 0, so = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i]) {
                sy += m->y[i];
                so += m->loff ? exp(m->loff[i]) : 1.0;
            }
        c = 0;
        for (size_t i = 0; i < n; i++)
            if (!sing[i])
                buf1[c++] = dev_term(m->o.family, m->y[i], (m->loff ? exp(m->loff[i]) : 1.0) * sy / so);
        r->null_deviance = agglo_sum(buf1, c);
        r->pct_dev = 1.0 - dev / r->null_deviance;
    }
    static const double alphas[3] = {0.1, 0.05, 0.001};
    for (int t = 0; t < 3; t++)
        r->adj_alpha[t] = alphas[t] * dp / r->enp;
    r->critical_t = agglo_t_critical(r->adj_alpha[1], dn - 1.0);

    /* local R2 (Gaussian): second pass for sum_j w_ij e_j^2 */
    double *swe2 = buf1;
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        int nomem = 0;
        int nth = agglo_threads_for(ctx);
        (void)nth;
        agglo__core_part part = agglo__core_mpi_partition(n);
        size_t plo = part.lo, phi = part.hi;
#ifdef _OPENMP
#pragma omp parallel num_threads(nth)
#endif
        {
            scratch s;
            int ok = scratch_init(&s, m) == 0;
            if (!ok) {
                AGGLO_FLAG_SET(nomem);
            }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 32)
#endif
            for (size_t i = plo; i < phi; i++) {
                if (!ok)
                    continue;
                if (sing[i]) {
                    swe2[i] = NAN;
                    continue;
                }
                agglo__gwr_neighbours(m, m->cx[i], m->cy[i], bw, &s.nb, 1);
                double v = 0, tss = 0, ybar = a.swy[i] / a.sw[i];
                for (size_t t = 0; t < s.nb.nn; t++) {
                    size_t j = s.nb.idx[t];
                    double ej = e[j], dy = m->y[j] - ybar;
                    if (!isnan(ej))
                        v += s.nb.w[t] * ej * ej;
                    tss += s.nb.w[t] * dy * dy;
                }
                swe2[i] = v;
                a.swy2[i] = tss;
            }
            scratch_free(&s);
        }
        if (part.size > 1) {
            nomem = (int)agglo__core_mpi_allsum(&part, (size_t)nomem, 1);
            if (agglo__core_mpi_allgather(&part, n, swe2, 1, 0) || agglo__core_mpi_allgather(&part, n, a.swy2, 1, 0)) {
                agglo_error(ctx, AGGLO_E_NUMERIC, "gwr: MPI communication failed");
                goto fail;
            }
        }
        if (nomem) {
            agglo_error(ctx, AGGLO_E_NOMEM, "gwr: out of memory");
            goto fail;
        }
    }
    /* per observation, back to the caller's order and scale */
    for (size_t i = 0; i < n; i++) {
        size_t t = m->orig[i];
        r->singular[t] = sing[i];
        double h = a.hat[i];
        for (size_t j = 0; j < p; j++) {
            double b = a.beta[i * p + j], se = sqrt(a.cct[i * p + j] * r->sigma2_se);
            r->beta[t * p + j] = b;
            r->se[t * p + j] = se;
            r->tval[t * p + j] = b / se;
        }
        r->influence[t] = h;
        r->cond[t] = a.cond[i];
        if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
            r->yhat[t] = a.yhat[i];
            r->resid[t] = e[i];
            double sr = e[i] / sqrt(r->sigma2_se * (1.0 - h));
            r->std_resid[t] = sr;
            r->cooks_d[t] = sr * sr * h / (trs * (1.0 - h));
            double tss = a.swy2[i];
            r->local_r2[t] = sing[i] ? NAN : (tss - swe2[i]) / tss;
        } else {
            r->yhat[t] = a.yhat[i];
            r->resid[t] = sing[i] ? NAN : m->y[i] - a.yhat[i];
            /* Pearson residual scaled by the leverage */
            double sr = r->resid[t] / sqrt(glm_var(m->o.family, a.yhat[i]) * (1.0 - h));
            r->std_resid[t] = sr;
            r->cooks_d[t] = sr * sr * h / (trs * (1.0 - h));
            r->local_r2[t] = NAN;
        }
    }
    /* back-transform standardised estimates? No: with standardize the coefficients are on
     * the standardised scale (as mgwr); fitted values and residuals go back to y's scale. */
    if (m->o.standardize && m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN) {
        for (size_t t = 0; t < n; t++) {
            r->yhat[t] = r->yhat[t] * m->ysd + m->ymean;
            r->resid[t] *= m->ysd;
        }
    }
    if (global_diagnostics(ctx, m, r, tmp))
        goto fail;
    /* coefficient summaries */
    for (size_t j = 0; j < p; j++) {
        c = 0;
        for (size_t t = 0; t < n; t++)
            if (!r->singular[t])
                tmp[c++] = r->beta[t * p + j];
        agglo__gwr_coef_summary(tmp, c, tmp2, r->coef_summary + j * 7);
    }
    free(wk);
    free(sing);
    return r;
fail:
    free(wk);
    free(sing);
    agglo_gwr_result_free(r);
    return NULL;
}

/* ---- prediction ---- */

int agglo_gwr_predict(agglo_ctx *ctx, agglo_gwr_model *m, double bw, size_t npts,
                      const double *px, const double *py, const double *const *xnew,
                      double *beta, double *yhat, size_t *nsingular)
{
    int rc = check_bw(ctx, m, bw);
    if (rc)
        return rc;
    if (!m->o.fixed)
        bw = floor(bw);
    size_t p = m->p;
    for (size_t i = 0; i < npts; i++) {
        if (!isfinite(px[i]) || !isfinite(py[i]))
            return agglo_error(ctx, AGGLO_E_GEOMETRY,
                               "gwr: prediction point %zu has no coordinates", i + 1);
        if (xnew)
            for (size_t j = 0; j + 1 < p; j++)
                if (!isfinite(xnew[j][i]))
                    return agglo_error(ctx, AGGLO_E_MISSING,
                                       "gwr: covariate %s is missing at prediction point %zu",
                                       m->names[j + 1], i + 1);
    }
    int nomem = 0;
    size_t ns = 0;
    int nth = agglo_threads_for(ctx);
    (void)nth;
#ifdef _OPENMP
#pragma omp parallel num_threads(nth) reduction(+ : ns)
#endif
    {
        scratch s;
        int ok = scratch_init(&s, m) == 0;
        double *xq = malloc(p * sizeof(double));
        if (!ok || !xq) {
            ok = 0;
            AGGLO_FLAG_SET(nomem);
        }
        double *bb = malloc(2 * p * sizeof(double));
        if (!bb && ok) {
            ok = 0;
            AGGLO_FLAG_SET(nomem);
        }
        local_out o;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 32)
#endif
        for (size_t i = 0; i < npts; i++) {
            if (!ok)
                continue;
            xq[0] = 1.0;
            for (size_t j = 1; j < p; j++)
                xq[j] = xnew ? (xnew[j - 1][i] - m->xmean[j]) / m->xsd[j] : 0.0;
            memset(&o, 0, sizeof o);
            o.beta = beta ? beta + i * p : bb;
            o.cct = bb + p;
            int r = local_fit(m, px[i], py[i], xq, SIZE_MAX, bw, 1, &s, &o);
            if (r < 0) {
                AGGLO_FLAG_SET(nomem);
                continue;
            }
            if (r == 1) {
                ns++;
                if (beta)
                    for (size_t j = 0; j < p; j++)
                        beta[i * p + j] = NAN;
                if (yhat)
                    yhat[i] = NAN;
                continue;
            }
            if (yhat) {
                double v = o.yhat;
                if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN)
                    v = v * m->ysd + m->ymean;
                yhat[i] = xnew ? v : NAN;
            }
        }
        free(xq);
        free(bb);
        scratch_free(&s);
    }
    if (nsingular)
        *nsingular = ns;
    if (nomem)
        return agglo_error(ctx, AGGLO_E_NOMEM, "gwr: out of memory");
    return AGGLO_OK;
}
