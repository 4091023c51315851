/* Small dense algebra through LAPACK (core_internal.h): equilibrated Cholesky factor,
 * solve and inverse of the p x p systems of local and global regressions. */
#define _GNU_SOURCE
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "core_internal.h"

/* 1-norm (largest column sum of magnitudes) of a symmetric matrix held in its upper triangle
 * (upper) or in full. */
double agglo__core_one_norm_sym(const double *A, size_t p, int upper)
{
    double norm = 0;
    for (size_t j = 0; j < p; j++) {
        double cs = 0;
        for (size_t i = 0; i < p; i++)
            cs += fabs(upper && i > j ? A[j + i * p] : A[i + j * p]);
        norm = cs > norm ? cs : norm;
    }
    return norm;
}

/* Factorises the symmetric A (p x p, column-major, upper triangle used) after equilibration
 * (A <- S A S, S = diag(1/sqrt(A_jj))); inv (p x p) receives the equilibrated inverse.
 * Returns 0, or 1 when singular / ill-conditioned (reciprocal condition below RCOND_MIN). */
int agglo__core_chol_factor(double *A, double *sc, size_t p, double *inv, double rcond_min)
{
    for (size_t j = 0; j < p; j++) {
        double a = A[j + j * p];
        if (!(a > 0) || !isfinite(a))
            return 1;
        sc[j] = 1.0 / sqrt(a);
    }
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i <= j; i++)
            A[i + j * p] *= sc[i] * sc[j];
    double anorm = agglo__core_one_norm_sym(A, p, 1);
    lapack_int info = 0;
    AGGLO_LAPACK(info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)p, A,
                                            (lapack_int)p));
    if (info != 0)
        return 1;
    /* Reciprocal condition number in the 1-norm, 1 / (||A||_1 ||A^-1||_1), of the
     * equilibrated matrix: what LAPACK's dpocon estimates, here exact, with the inverse formed
     * from the factor by one solve on the identity (dpotrs) -- on these p x p systems that is
     * a fraction of dpocon's cost. */
    memset(inv, 0, p * p * sizeof *inv);
    for (size_t j = 0; j < p; j++)
        inv[j + j * p] = 1.0;
    AGGLO_LAPACK(LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'U', (lapack_int)p, (lapack_int)p, A,
                                     (lapack_int)p, inv, (lapack_int)p));
    double rcond = 1.0 / (anorm * agglo__core_one_norm_sym(inv, p, 0));
    if (!(rcond >= rcond_min))
        return 1;
    return 0;
}

/* Solves A x = v in place with the factor from chol_factor. */
void agglo__core_chol_solve(const double *F, const double *sc, size_t p, double *v)
{
    for (size_t j = 0; j < p; j++)
        v[j] *= sc[j];
    AGGLO_LAPACK(LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'U', (lapack_int)p, 1, F, (lapack_int)p, v,
                                     (lapack_int)p));
    for (size_t j = 0; j < p; j++)
        v[j] *= sc[j];
}

/* v <- A^-1 v with the equilibrated inverse inv from chol_factor: A^-1 = S inv S. */
void agglo__core_inv_apply(const double *inv, const double *sc, size_t p, double *v, double *tmp)
{
    for (size_t j = 0; j < p; j++)
        tmp[j] = v[j] * sc[j];
    for (size_t i = 0; i < p; i++) {
        double t = 0;
        for (size_t j = 0; j < p; j++)
            t += inv[i + j * p] * tmp[j];
        v[i] = t * sc[i];
    }
}

/* Full inverse of A (p x p column-major, symmetric filled) from the equilibrated inverse
 * inv that chol_factor formed: A^-1 = S inv S. */
void agglo__core_chol_inverse(const double *inv, const double *sc, size_t p, double *Ainv)
{
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < p; i++)
            Ainv[i + j * p] = inv[i + j * p] * sc[i] * sc[j];
}

/* Inverse of the symmetric positive definite p x p matrix A (column-major, upper used) through
 * an equilibrated Cholesky factorisation; 1 when singular. */
int agglo__core_spd_inverse(double *A, double *sc, size_t p)
{
    for (size_t j = 0; j < p; j++) {
        double a = A[j + j * p];
        if (!(a > 0) || !isfinite(a))
            return 1;
        sc[j] = 1.0 / sqrt(a);
    }
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i <= j; i++)
            A[i + j * p] *= sc[i] * sc[j];
    lapack_int info = 0;
    AGGLO_LAPACK(info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', (lapack_int)p, A,
                                            (lapack_int)p);
                 if (info == 0) info = LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'U', (lapack_int)p,
                                                          A, (lapack_int)p));
    if (info != 0)
        return 1;
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i <= j; i++) {
            double v = A[i + j * p] * sc[i] * sc[j];
            A[i + j * p] = v;
            A[j + i * p] = v;
        }
    return 0;
}
