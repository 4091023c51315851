/* Internal interfaces of the regression module (src/regress). */
#ifndef AGGLO_REGRESS_INTERNAL_H
#define AGGLO_REGRESS_INTERNAL_H

#include <stddef.h>

#include "agglo/regress.h"
#include "agglo/rng.h"
#include "agglo/distribution.h"


/* ---- linalg.c: small dense helpers (column-major) */
/* a (k x k symmetric positive definite) -> its inverse, in place. */
int rg_spd_inverse(agglo_ctx *ctx, double *a, size_t k);
/* a (k x k) -> its inverse, in place (LU). */
int rg_inverse(agglo_ctx *ctx, double *a, size_t k);
/* c = a' b for a (n x p), b (n x q), column-major; c is p x q. */
void rg_crossprod(const double *a, size_t n, size_t p, const double *b, size_t q, double *c);
/* lag of each of the p columns of x (n x p) into wx. */
void rg_lag_cols(const agglo_weights *w, const double *x, size_t n, size_t p, double *wx);
/* Maximises f on [lo, hi] (Brent's golden-section/parabolic search) to tolerance tol. */
double rg_maximise(double (*f)(double, void *), void *data, double lo, double hi, double tol,
                   double *fmax);
/* Draws a standard normal. */
double rg_normal(agglo_rng *rng);

/* ---- ols.c */
typedef struct rg_ols {
    size_t n, p;
    double *beta;   /* p */
    double *xtxi;   /* p x p: (X'X)^-1 */
    double *fitted; /* n */
    double *resid;  /* n */
    double sse;
} rg_ols;
int rg_ols_fit(agglo_ctx *ctx, const double *X, size_t n, size_t p, const double *y, rg_ols *o);
void rg_ols_free(rg_ols *o);
/* Gaussian log-likelihood with sigma2 = sse/n. */
double rg_loglik(size_t n, double sse);
/* Fills coef/se/t/p, R2, F, log-likelihood, AIC, SC of an OLS fit (t tests). */
int rg_ols_report(agglo_ctx *ctx, const rg_ols *o, const double *y, agglo_regress_result *r);

/* ---- ols_diagnostics.c: condition number, Jarque-Bera, Breusch-Pagan, Koenker-Bassett, White */
int rg_ols_diagnostics(agglo_ctx *ctx, const double *X, size_t n, size_t p, const rg_ols *o,
                       agglo_regress_result *r);

/* ---- lm_tests.c: Moran's I of the residuals and the LM tests */
int rg_lm_tests(agglo_ctx *ctx, const double *X, size_t n, size_t p, const double *y,
                const rg_ols *o, const agglo_weights *w, agglo_regress_result *r);

/* ---- logdet.c and friends */
typedef struct rg_logdet rg_logdet;
rg_logdet *rg_logdet_create(agglo_ctx *ctx, const agglo_weights *w, agglo_logdet_method method,
                            const agglo_regress_options *opts);
void rg_logdet_free(rg_logdet *l);
agglo_logdet_method rg_logdet_method(const rg_logdet *l);
/* Maximises f(rho) (a likelihood calling rg_logdet_eval) over (a, b) by Brent's method to
 * 1e-10. Sparse and lu with n >= RG_GUIDE_MIN_N, where each evaluation is a factorisation:
 * the maximiser with the Chebyshev log-determinant first, then the exact search within
 * RG_GUIDE_HALF_WIDTH of it (the full interval again if the maximum lands on that bracket's
 * edge). */
#define RG_GUIDE_MIN_N 5000
#define RG_GUIDE_HALF_WIDTH 0.05
double rg_logdet_search(rg_logdet *l, double (*f)(double, void *), void *data, double a,
                        double b, double *fmax);
/* log det(I - rho W); AGGLO_E_NUMERIC when the factorisation fails (rho outside the range). */
int rg_logdet_eval(rg_logdet *l, double rho, double *ld);
/* Standard error of the last evaluation (Monte Carlo), NaN otherwise. */
double rg_logdet_last_se(const rg_logdet *l);
/* Second derivative of the log-determinant at rho: exact from eigenvalues, else central
 * differences with Richardson extrapolation. */
int rg_logdet_d2(rg_logdet *l, double rho, double *d2);
/* Search interval for rho: (1/lambda_min, 1/lambda_max) of W's eigenvalues. */
void rg_logdet_interval(const rg_logdet *l, double *lo, double *hi);
/* Eigenvalues (real, imaginary parts; im may be NULL when all real) when the method computed
 * them (eigen), else NULL. */
const double *rg_logdet_eigen(const rg_logdet *l, const double **im);

/* Symmetric matrix similar to W (D^1/2 W D^-1/2 with S_ij = sign * sqrt(w_ij w_ji)): returns 1
 * and the values in CSR order of w in s (nnz) when W is symmetric or diagonally similar to a
 * symmetric matrix, 0 otherwise. */
int rg_similar_symmetric(const agglo_weights *w, double *s);
/* Largest and smallest real eigenvalue of W (power iterations; W similar to symmetric or
 * non-negative). */
int rg_eigen_range(agglo_ctx *ctx, const agglo_weights *w, double *lmin, double *lmax);

/* sparse backends (logdet_cholmod.c, logdet_lu.c, logdet_approx.c) */
typedef struct rg_sparse_ld rg_sparse_ld;
rg_sparse_ld *rg_cholmod_create(agglo_ctx *ctx, const agglo_weights *w, const double *s);
int rg_cholmod_eval(rg_sparse_ld *c, double rho, double *ld);
void rg_cholmod_free(rg_sparse_ld *c);
rg_sparse_ld *rg_umfpack_create(agglo_ctx *ctx, const agglo_weights *w);
int rg_umfpack_eval(rg_sparse_ld *c, double rho, double *ld);
void rg_umfpack_free(rg_sparse_ld *c);

/* ---- traces of powers of W (impacts.c): tr[j] = tr(W^(j+1)), j < m */
int rg_traces(agglo_ctx *ctx, const agglo_weights *w, const double *eig_re, const double *eig_im,
              int m, size_t mc_vectors, uint64_t seed, double *tr);

/* ---- ML fits */
typedef struct rg_model {
    agglo_ctx *ctx;
    const agglo_weights *w;
    size_t n, p;
    const double *X, *WX, *y, *Wy; /* WX: lag of every column of X */
    rg_logdet *ld;
    const agglo_regress_options *opts;
    int no_constant; /* 1: no constant column first (the panel fits' within-transformed
                        designs; only the impacts read it) */
} rg_model;
int rg_ml_lag(rg_model *m, agglo_regress_result *r);
int rg_ml_error(rg_model *m, agglo_regress_result *r);
int rg_ml_sac(rg_model *m, agglo_regress_result *r);

/* dense n x n helpers for the information matrix (eigen method): Z = (I - rho W)^-1 W */
double *rg_dense_aw(agglo_ctx *ctx, const agglo_weights *w, double rho);

/* z = (I - rho W)^-1 b by the fixed point z = b + rho W z while it converges (|rho| times
 * the spectral radius of W below 1), else by a sparse LU (rg_umfpack_solve): inside the
 * search interval (1/lambda_min, 1/lambda_max) a negative rho can exceed 1/lambda_max in
 * size (binary W, or row-standardised W with lambda_min > -1) */
int rg_solve_irw(agglo_ctx *ctx, const agglo_weights *w, double rho, const double *b, double *z);
/* z = (I - rho W)^-1 b by UMFPACK's LU */
int rg_umfpack_solve(agglo_ctx *ctx, const agglo_weights *w, double rho, const double *b,
                     double *z);
/* Fills stat (z) and p (two-sided normal) from coef and se for the k coefficients. */
void rg_ztable(agglo_regress_result *r);

/* ---- impacts.c: direct, indirect and total effects of the lag-type models (lag, durbin,
 * sac) into r; cov: covariance of (rho, coefficients), (1 + k) x (1 + k), for the draws. */
int rg_impacts_model(rg_model *m, agglo_regress_result *r, const double *cov);

#endif
