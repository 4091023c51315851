/* agglo gwr: geographically weighted regression (Gaussian, Poisson, binomial), bandwidth search,
 * local estimates and diagnostics.
 *
 * Conventions follow mgwr (Oshan et al. 2019) and GWR4 so their published numbers are
 * reproduced:
 *  - adaptive bandwidth B (an integer): at each location the kernel bandwidth is the distance
 *    to the B-th nearest observation counting the location itself, times 1.0000001;
 *  - kernels of z = d / h: gaussian exp(-z^2/2), exponential exp(-z), bisquare (1-z^2)^2,
 *    tricube (1-z^3)^3, boxcar 1; bisquare, tricube and boxcar are 0 for d >= h;
 *  - golden-section search (delta 0.38197, integer bandwidths when adaptive) on
 *    [40 + 2p, n] (adaptive) or [min distance / 2, 2 max distance] (fixed);
 *  - AICc = -2 logL + 2n(trS + 1)/(n - trS - 2)  (Fotheringham, Brunsdon & Charlton 2002).
 * Memory is O(n p^2): neither the n x n hat matrix nor the weight matrix is formed. */
#ifndef AGGLO_GWR_H
#define AGGLO_GWR_H

#include "agglo/core.h"
#include "agglo/distribution.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AGGLO_GWR_BISQUARE = 0,
    AGGLO_GWR_GAUSSIAN = 1,
    AGGLO_GWR_EXPONENTIAL = 2,
    AGGLO_GWR_BOXCAR = 3,
    AGGLO_GWR_TRICUBE = 4
} agglo_gwr_kernel;

typedef enum {
    AGGLO_GWR_AICC = 0,
    AGGLO_GWR_AIC = 1,
    AGGLO_GWR_BIC = 2,
    AGGLO_GWR_CV = 3 /* Gaussian only */
} agglo_gwr_criterion;

typedef enum { AGGLO_GWR_GOLDEN = 0, AGGLO_GWR_INTERVAL = 1 } agglo_gwr_search;

typedef enum {
    AGGLO_GWR_FAMILY_GAUSSIAN = 0,
    AGGLO_GWR_FAMILY_POISSON = 1, /* log link, optional offset (exposure) */
    AGGLO_GWR_FAMILY_BINOMIAL = 2 /* logit link, y in {0, 1} (or proportions) */
} agglo_gwr_family;

typedef struct agglo_gwr_options {
    agglo_gwr_family family;
    agglo_gwr_kernel kernel;     /* default bisquare */
    int fixed;                   /* 0 = adaptive (nearest neighbours, default), 1 = distance */
    int great_circle;            /* coordinates are lon/lat degrees; distances in km (R 6371) */
    agglo_gwr_criterion criterion;
    agglo_gwr_search search;
    double bw_min, bw_max;       /* search range; 0 = defaults above */
    double interval;             /* step of the interval search (0 = (max-min)/20, adaptive >= 1) */
    double tol;                  /* golden-section tolerance on the criterion (0 = 1e-6) */
    int max_iter;                /* golden-section iterations (0 = 200) */
    int standardize;             /* centre and scale y and each x (population sd) before fitting */
    int sigma2_ml_df;            /* 1: sigma^2 = RSS/(n - trS) (mgwr default);
                                    0: RSS/(n - 2trS + trS'S) (GWR4); used for SEs */
} agglo_gwr_options;

void agglo_gwr_options_init(agglo_gwr_options *o);

/* A prepared model: data copied and indexed for neighbour search. */
typedef struct agglo_gwr_model agglo_gwr_model;

/* n observations at (cx, cy); response y; k covariates x[0..k-1] (each n values); an
 * intercept is added. names (k entries, may be NULL) label the covariates. offset (n values,
 * may be NULL) is the Poisson exposure (e.g. population); log(offset) enters the linear
 * predictor. Non-finite values and non-positive offsets are refused naming the row. */
agglo_gwr_model *agglo_gwr_model_create(agglo_ctx *ctx, size_t n, const double *cx,
                                        const double *cy, const double *y,
                                        const double *const *x, size_t k,
                                        const char *const *names, const double *offset,
                                        const agglo_gwr_options *opts);
void agglo_gwr_model_free(agglo_gwr_model *m);

/* Criterion (opts->criterion) of the GWR at bandwidth bw. +Inf when some local regression is
 * singular at this bandwidth. */
int agglo_gwr_score(agglo_ctx *ctx, agglo_gwr_model *m, double bw, double *score);

/* Bandwidth search trace. */
typedef struct agglo_gwr_search_result {
    double bandwidth, score, lo, hi;
    size_t nevals;
    double *bw, *crit; /* criterion evaluations in the order made (nevals) */
} agglo_gwr_search_result;
/* Golden-section or interval search of the bandwidth; out is filled (free its arrays with
 * agglo_gwr_search_result_free). */
int agglo_gwr_select(agglo_ctx *ctx, agglo_gwr_model *m, agglo_gwr_search_result *out);
void agglo_gwr_search_result_free(agglo_gwr_search_result *s);
/* Whether the selected bandwidth sits at an end of the search range [lo, hi] (within one
 * neighbour, or 0.1 % of the range for fixed kernels), where the criterion may keep
 * improving beyond it: -1 lower end, 1 upper end, 0 inside. */
int agglo_gwr_bandwidth_at_edge(const agglo_gwr_model *m, const agglo_gwr_search_result *s);

typedef struct agglo_gwr_result {
    size_t n, p;            /* observations; coefficients including the intercept */
    char **names;           /* p names, "Intercept" first */
    agglo_gwr_family family;
    agglo_gwr_kernel kernel;
    int fixed;
    double bandwidth;
    /* per observation; matrices row-major n x p */
    double *beta, *se, *tval;
    double *yhat, *resid, *std_resid, *influence, *cooks_d, *local_r2, *cond;
    unsigned char *singular; /* 1 = local regression singular (its values are NaN) */
    size_t nsingular;
    /* global diagnostics (over non-singular observations) */
    double rss, tr_s, tr_sts, enp, df_model, df_resid;
    double sigma_ml, sigma; /* sqrt(RSS/n), sqrt(RSS/(n - 2trS + trS'S)) */
    double sigma2_se;       /* the sigma^2 used for the standard errors */
    double llf, aic, aicc, bic, cv, r2, adj_r2;
    double deviance, null_deviance, pct_dev; /* Poisson / binomial */
    double adj_alpha[3];    /* da Silva & Fotheringham (2016): alpha p / ENP, alpha .1 .05 .001 */
    double critical_t;      /* two-sided critical t at adj_alpha[1], df n - 1 */
    /* global regression (OLS or Poisson GLM) */
    double *g_beta, *g_se, *g_t;
    double g_rss, g_sigma_ml, g_sigma, g_llf, g_aic, g_aicc, g_bic, g_cv, g_r2, g_adj_r2;
    double g_deviance;
    /* summaries of each local coefficient: mean, sd, min, q1, median, q3, max (p x 7) */
    double *coef_summary;
} agglo_gwr_result;

/* Fits the GWR at bandwidth bw (adaptive: rounded down to an integer neighbour count); free
 * the result with agglo_gwr_result_free. */
agglo_gwr_result *agglo_gwr_fit(agglo_ctx *ctx, agglo_gwr_model *m, double bw);
void agglo_gwr_result_free(agglo_gwr_result *r);
/* Per coefficient j, how many observations have t above the critical t (pos[j]) or below
 * minus it (neg[j]); pos and neg have room for r->p. */
void agglo_gwr_significance_counts(const agglo_gwr_result *r, size_t *pos, size_t *neg);

/* Local estimates at new locations (px, py) with covariates xnew[0..k-1] (m values each,
 * NULL = no prediction of y), using the observations' kernel at bandwidth bw. beta receives
 * npts x p, yhat npts (may be NULL). Singular locations get NaN and are counted in
 * *nsingular (may be NULL). */
int agglo_gwr_predict(agglo_ctx *ctx, agglo_gwr_model *m, double bw, size_t npts,
                      const double *px, const double *py, const double *const *xnew,
                      double *beta, double *yhat, size_t *nsingular);

/* Name helpers. */
const char *agglo_gwr_kernel_name(agglo_gwr_kernel k);
const char *agglo_gwr_criterion_name(agglo_gwr_criterion c);

#ifdef __cplusplus
}
#endif
#endif
