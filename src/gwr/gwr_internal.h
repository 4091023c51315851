/* Internal declarations of the gwr module. */
#ifndef AGGLO_GWR_INTERNAL_H
#define AGGLO_GWR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "agglo/gwr.h"
#include "agglo/index.h"
#include "../index/index_internal.h"


struct agglo_gwr_model {
    agglo_gwr_options o;
    size_t n, p;
    double *X;    /* n x p row-major, internal (grid) order, column 0 = 1 */
    double *xcol; /* (p - 1) x n: columns 1..p-1 of X, one after another (vector loops) */
    double *y;    /* n */
    double *loff; /* log offset (Poisson) or NULL */
    double *cx, *cy;
    size_t *orig; /* internal index -> caller's index */
    char **names; /* p */
    double ymean, ysd, *xmean, *xsd; /* standardisation (sd 1, mean 0 when off) */
    double *gbeta; /* global fit (internal scale), start of the local IRLS */
    /* grid index (planar only): the internal order is its stored order */
    int use_grid;
    agglo__index_grid grid;
    /* kd-tree on the sphere (great circle; NULL when planar or latitudes beyond +-90) */
    agglo_kdtree *tree;
    /* bisquare moment prefix sums per grid row (gwr_moments.c), NULL until built */
    double *mom, mom_ax;
    int mom_failed;
};

/* gwr_neighbours.c: the observations inside a location's kernel (GWR and MGWR) */
#define GWR_EPS 1.0000001 /* mgwr: adaptive bandwidth = k-th distance * eps */
typedef struct gwr_nbrs {
    size_t *idx;   /* observations of positive kernel weight (compact queries), n room */
    double *w;     /* their kernel weights; n room (a work buffer otherwise) */
    size_t nn;
    double h;      /* kernel bandwidth of the last query */
    agglo__index_run *rg; /* grid: runs of the last disc (2 gny room) */
    size_t nrg;
    agglo__index_knn knn;   /* grid: k-th distance search */
    double *d;     /* great circle: distances of the last query (n) */
    size_t *ci;    /* great circle: kd-tree candidates (grown by agglo_kdtree_radius) */
    double *cd;
    size_t ccap;
} gwr_nbrs;
int agglo__gwr_nbrs_init(gwr_nbrs *s, const agglo_gwr_model *m);
void agglo__gwr_nbrs_free(gwr_nbrs *s);
int agglo__gwr_kernel_bounded(agglo_gwr_kernel k);
void agglo__gwr_neighbours(const agglo_gwr_model *m, double qx, double qy, double bw, gwr_nbrs *s,
                    int compact);

/* gwr_score.c */
double agglo__gwr_gaussian_criterion(agglo_gwr_criterion crit, const double *y, const double *yhat,
                              const double *hat, size_t n, double *tmp);
/* gwr_fit.c */
void agglo__gwr_coef_summary(double *v, size_t c, double *tmp, double *cs);

/* ---- gwr_local.c: one local regression ---- */
#define RCOND_MIN 1e-12 /* reciprocal 1-norm condition of the equilibrated X'WX */

/* GLM pieces: mean from the linear predictor (offset included) and variance function. */
static inline double glm_mu(agglo_gwr_family f, double eta)
{
    return f == AGGLO_GWR_FAMILY_BINOMIAL ? 1.0 / (1.0 + exp(-eta)) : exp(eta);
}

static inline double glm_var(agglo_gwr_family f, double mu)
{
    return f == AGGLO_GWR_FAMILY_BINOMIAL ? mu * (1.0 - mu) : mu;
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

/* Per-thread scratch of the local regressions; init with agglo__gwr_scratch_init, free with
 * agglo__gwr_scratch_free. */
typedef struct scratch {
    gwr_nbrs nb;      /* the kernel's observations and weights */
    agglo__index_row_span *sp; /* rows of the disc (grid; m->grid.ny) */
    double *A, *B, *b, *s, *z, *u, *work, *Ainv, *tmp;
    double *glm; /* local GLM: neighbours' y, log offset, IRLS w and z, covariate columns */
    size_t gcap;
} scratch;
int agglo__gwr_scratch_init(scratch *s, const agglo_gwr_model *m);
void agglo__gwr_scratch_free(scratch *s);

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
int agglo__gwr_local_fit(const agglo_gwr_model *m, double qx, double qy, const double *xq,
                         size_t self, double bw, int full, scratch *s, local_out *o);

/* ---- gwr_model.c ---- */
/* Global fit (OLS or Poisson GLM) on the model's data: beta (p), and Ainv (p x p). */
int agglo__gwr_global_fit(agglo_ctx *ctx, const agglo_gwr_model *m, double *beta, double *Ainv);

/* ---- gwr_score.c: passes over all observations ---- */
/* Per-observation outputs of a pass, in the internal order. */
typedef struct pass_arrays {
    double *yhat, *hat;              /* n (internal order) */
    double *beta, *cct, *sts, *cond; /* full only */
    double *sw, *swy, *swy2;
    unsigned char *singular;
} pass_arrays;
/* AGGLO_OK when bw is a valid bandwidth for the model, else a usage error. */
int agglo__gwr_check_bw(agglo_ctx *ctx, const agglo_gwr_model *m, double bw);
/* Local fits at every observation (this rank's block, then all-gathered); full: every output
 * of pass_arrays, else yhat and hat only. *nsing: singular locations. */
int agglo__gwr_run_pass(agglo_ctx *ctx, const agglo_gwr_model *m, double bw, int full,
                        pass_arrays *a, size_t *nsing);
/* Unit deviance of the GLM family (Poisson or binomial). */
double agglo__gwr_dev_term(agglo_gwr_family f, double y, double mu);

/* gwr_accum.c: kernel-weighted X'WX and X'Wy over runs of observations */
double agglo__gwr_kernel_w2(agglo_gwr_kernel k, double d2, double inv_h2);
size_t agglo__gwr_acc_ranges(const agglo_gwr_model *m, const agglo__index_run *rg, size_t nr, double qx,
                      double qy, double h, double *A, double *b, double *wbuf);

int agglo__gwr_acc_glm(agglo_gwr_family fam, size_t p, size_t nn, const double *xs, const double *y,
                const double *off, const double *kw, const double *beta, double *A, double *b,
                double *B, double *wz);

/* gwr_moments.c: large-bandwidth bisquare sums through polynomial moments of grid rows */
int agglo__gwr_moments_build(agglo_gwr_model *m);
double agglo__gwr_moments_min_bandwidth(const agglo_gwr_model *m);
size_t agglo__gwr_acc_moments(const agglo_gwr_model *m, double qx, double qy, double h, double *A,
                       double *b, agglo__index_row_span *sp, agglo__index_run *rg, double *wbuf);

/* gwr_search.c: the bandwidth search shared by GWR and MGWR */
typedef struct gwr_trace {
    double *bw, *crit; /* evaluations in the order made */
    size_t n, cap;
} gwr_trace;
typedef int (*gwr_score_fn)(void *ud, double bw, double *score);
int agglo__gwr_search_range(agglo_ctx *ctx, const agglo_gwr_options *o, double a, double c,
                     gwr_score_fn score, void *ud, gwr_trace *t, double *best, double *best_score);
void agglo__gwr_trace_free(gwr_trace *t);
int agglo__gwr_distance_range(agglo_ctx *ctx, const agglo_gwr_model *m, double *dmin, double *dmax);


#endif
