/* The log-determinant object shared by logdet.c, logdet_sparse.c and logdet_approx.c. */
#ifndef AGGLO_LOGDET_INTERNAL_H
#define AGGLO_LOGDET_INTERNAL_H

#include "regress_internal.h"

struct rg_logdet {
    agglo_ctx *ctx;
    const agglo_weights *w;
    const agglo_regress_options *opts;
    size_t n;
    agglo_logdet_method method;
    double lo, hi;       /* search interval for rho */
    double *re, *im;     /* eigen: eigenvalues */
    rg_sparse_ld *sp;    /* sparse / lu */
    int cheb_q;          /* chebyshev: terms and traces of T_j(W) */
    double *cheb_tr;
    size_t mc_p;         /* mc: vectors, series length, x' W^k x / x'x per vector and k */
    int mc_m;
    double *mc_t;
    double last_se;
    int guide;           /* sparse/lu: evaluate with the Chebyshev terms (cheb_tr) */
    double cache_rho, cache_ld; /* sparse/lu: the last factorisation */
    int cached;
    int guide_q;         /* terms of the guide (3: only W^2 is formed) */
};

double *rg_dense_w(const agglo_weights *w, const double *s);
int rg_cheb_setup(agglo_ctx *ctx, rg_logdet *l, const double *s);
double rg_cheb_eval(const rg_logdet *l, double rho);
int rg_mc_setup(agglo_ctx *ctx, rg_logdet *l);
double rg_mc_eval(const rg_logdet *l, double rho, double *se);
/* exact traces tr(W^j), j = 1..m, by sparse matrix powers (m small) */
int rg_exact_traces(agglo_ctx *ctx, const agglo_weights *w, int m, double *tr);

#endif
