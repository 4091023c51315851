/* MGWR inference: the covariate-specific hat matrices R_j of mgwr's MGWR.fit
 * (_chunk_compute_R), replayed through the back-fitting history on column chunks of the
 * identity so that memory stays bounded. */
#define _GNU_SOURCE
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../core/core_internal.h"
#include "mgwr_internal.h"

#define DENSE_FRAC 4 /* a block with >= 1/DENSE_FRAC nonzero weights goes through dgemm */

/* Applies the univariate smoother of x at bandwidth bw to the n x mc matrix old:
 * out[i, :] = sum_k w_ik x_k old[k, :] / sum_k w_ik x_k^2, rows in blocks of rb whose smoother
 * rows are formed densely in Wb (rb x n). A dense block (a quarter or more of its weights
 * nonzero: large bandwidths) is multiplied with BLAS dgemm, a sparse one row by row. */
static int smooth_rows(mg *g, const double *x, double bw, const double *old, size_t mc,
                       double *out, double *Wb, size_t rb)
{
    const agglo_gwr_model *m = g->m;
    size_t n = m->n;
    int nomem = 0;
    for (size_t i0 = 0; i0 < n; i0 += rb) {
        size_t nb = i0 + rb <= n ? rb : n - i0, nnz = 0;
#ifdef _OPENMP
#pragma omp parallel num_threads(g->nth) reduction(+ : nnz)
#endif
        {
            gwr_nbrs s;
            int ok = agglo__gwr_nbrs_init(&s, m) == 0;
            if (!ok) {
                AGGLO_FLAG_SET(nomem);
            }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 8)
#endif
            for (size_t r = 0; r < nb; r++) {
                if (!ok)
                    continue;
                double *row = Wb + r * n;
                memset(row, 0, n * sizeof(double));
                agglo__gwr_neighbours(m, m->cx[i0 + r], m->cy[i0 + r], bw, &s, 1);
                double sxx = 0;
                for (size_t t = 0; t < s.nn; t++) {
                    size_t k = s.idx[t];
                    double wx = s.w[t] * x[k];
                    sxx += wx * x[k];
                    row[k] = wx;
                }
                double inv = 1.0 / sxx;
                for (size_t t = 0; t < s.nn; t++)
                    row[s.idx[t]] *= inv;
                nnz += s.nn;
            }
            agglo__gwr_nbrs_free(&s);
        }
        if (nomem)
            return -1;
        double *dst = out + i0 * mc;
        if (DENSE_FRAC * nnz >= nb * n) {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)nb, (int)mc,
                        (int)n, 1.0, Wb, (int)n, old, (int)mc, 0.0, dst,
                        (int)mc);
            continue;
        }
#ifdef _OPENMP
#pragma omp parallel for num_threads(g->nth) schedule(dynamic, 8)
#endif
        for (size_t r = 0; r < nb; r++) {
            const double *wr = Wb + r * n;
            double *o = dst + r * mc;
            memset(o, 0, mc * sizeof(double));
            for (size_t k = 0; k < n; k++) {
                double w = wr[k];
                if (w == 0)
                    continue;
                const double *ok2 = old + k * mc;
                for (size_t c = 0; c < mc; c++)
                    o[c] += w * ok2[c];
            }
        }
    }
    return 0;
}

/* Replays the back-fitting on the identity columns [c0, c0 + mc): C[j] (n x mc, row-major) is
 * the coefficient operator of covariate j restricted to those columns (R_j = diag(x_j) C_j).
 * Adds sum_c C_j[i, c]^2 to cct[i * p + j] and x_{c0+c, j} C_j[c0 + c, c] to enp[j]. */
int agglo__mgwr_r_chunk(mg *g, const double *X, const double *xc, double bw_init, const double *hist,
                 size_t niter, size_t c0, size_t mc, double *C, double *err, double *old,
                 double *Wb, size_t rb, double *cct, double *enp)
{
    const agglo_gwr_model *m = g->m;
    size_t n = m->n, p = m->p;
    int nomem = 0, sing = 0;
    size_t sing_i = SIZE_MAX;
    memset(C, 0, p * n * mc * sizeof(double));
    /* initial GWR: C_j[i, c] = ((X' W_i X)^-1 x_c w_ic)_j */
#ifdef _OPENMP
#pragma omp parallel num_threads(g->nth) reduction(min : sing_i)
#endif
    {
        gwr_nbrs s;
        double *A = malloc((p * p + 2 * p) * sizeof(double));
        int ok = agglo__gwr_nbrs_init(&s, m) == 0 && A;
        if (!ok) {
            AGGLO_FLAG_SET(nomem);
        }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 16)
#endif
        for (size_t i = 0; i < n; i++) {
            if (!ok)
                continue;
            agglo__gwr_neighbours(m, m->cx[i], m->cy[i], bw_init, &s, 1);
            memset(A, 0, p * p * sizeof(double));
            for (size_t t = 0; t < s.nn; t++) {
                const double *xk = X + s.idx[t] * p;
                for (size_t b = 0; b < p; b++)
                    for (size_t a = 0; a <= b; a++)
                        A[a + b * p] += s.w[t] * xk[a] * xk[b];
            }
            if (agglo__core_spd_inverse(A, A + p * p, p)) {
                if (i < sing_i)
                    sing_i = i;
                continue;
            }
            double *v = A + p * p + p;
            for (size_t t = 0; t < s.nn; t++) {
                size_t k = s.idx[t];
                if (k < c0 || k >= c0 + mc)
                    continue;
                const double *xk = X + k * p;
                for (size_t a = 0; a < p; a++) {
                    double acc = 0;
                    for (size_t b = 0; b < p; b++)
                        acc += A[a + b * p] * xk[b];
                    v[a] = acc * s.w[t];
                }
                for (size_t a = 0; a < p; a++)
                    C[(a * n + i) * mc + (k - c0)] = v[a];
            }
        }
        free(A);
        agglo__gwr_nbrs_free(&s);
    }
    if (nomem)
        return agglo_error(g->ctx, AGGLO_E_NOMEM, "mgwr: out of memory in the inference");
    if (sing_i != SIZE_MAX) {
        sing = 1;
        return agglo_error(g->ctx, AGGLO_E_SINGULAR,
                           "mgwr: the initial GWR is singular at observation %zu",
                           m->orig[sing_i] + 1);
    }
    (void)sing;
    /* err = I - sum_j x_j C_j */
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < mc; c++) {
            double v = (i == c0 + c) ? 1.0 : 0.0;
            for (size_t j = 0; j < p; j++)
                v -= X[i * p + j] * C[(j * n + i) * mc + c];
            err[i * mc + c] = v;
        }
    for (size_t it = 0; it < niter; it++)
        for (size_t j = 0; j < p; j++) {
            const double *x = xc + j * n;
            double *Cj = C + j * n * mc;
            for (size_t i = 0; i < n; i++)
                for (size_t c = 0; c < mc; c++)
                    old[i * mc + c] = x[i] * Cj[i * mc + c] + err[i * mc + c];
            double bw = hist[it * p + j];
            if (smooth_rows(g, x, bw, old, mc, Cj, Wb, rb))
                return agglo_error(g->ctx, AGGLO_E_NOMEM, "mgwr: out of memory in the inference");
            for (size_t i = 0; i < n; i++)
                for (size_t c = 0; c < mc; c++)
                    err[i * mc + c] = old[i * mc + c] - x[i] * Cj[i * mc + c];
        }
    for (size_t j = 0; j < p; j++) {
        const double *Cj = C + j * n * mc;
        for (size_t i = 0; i < n; i++) {
            double s2 = 0;
            for (size_t c = 0; c < mc; c++)
                s2 += Cj[i * mc + c] * Cj[i * mc + c];
            cct[i * p + j] += s2;
        }
        double tr = 0;
        for (size_t c = 0; c < mc; c++)
            tr += xc[j * n + c0 + c] * Cj[(c0 + c) * mc + c];
        enp[j] += tr;
    }
    return AGGLO_OK;
}
