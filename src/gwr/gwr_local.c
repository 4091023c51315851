/* One local regression: kernel-weighted X'WX and X'Wy over the observations inside the
 * kernel (gwr_accum.c and gwr_moments.c sum them on the grid), solved with a Cholesky
 * factorisation of the equilibrated matrix (src/core/lapack.c; singular when its reciprocal
 * condition number is below 1e-12), Gaussian or IRLS (Poisson, logistic); O(p^2) kept per
 * location, so memory is O(n p). */
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

void agglo__gwr_scratch_free(scratch *s)
{
    if (!s)
        return;
    agglo__gwr_nbrs_free(&s->nb);
    free(s->A);
    free(s->sp);
    free(s->glm);
    memset(s, 0, sizeof *s);
}

int agglo__gwr_scratch_init(scratch *s, const agglo_gwr_model *m)
{
    memset(s, 0, sizeof *s);
    size_t p = m->p, pp = p * p;
    s->A = malloc(sizeof(double) * (4 * pp + 8 * p + 8));
    if (m->use_grid)
        s->sp = malloc((size_t)m->grid.ny * sizeof *s->sp);
    if (!s->A || (m->use_grid && !s->sp) || agglo__gwr_nbrs_init(&s->nb, m)) {
        agglo__gwr_scratch_free(s);
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

int agglo__gwr_local_fit(const agglo_gwr_model *m, double qx, double qy, const double *xq,
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
