/* agglo regress: OLS with its diagnostics and the LM tests for spatial dependence; spatial
 * lag (SAR), error (SEM), Durbin, Durbin error (SDEM), SAC/SARAR by maximum likelihood and SLX
 * by OLS; log-determinants of (I - rho W) by several methods; direct/indirect/total impacts
 * (LeSage & Pace 2009) with simulated inference. Formulas and sources: docs/regression.md. */
#ifndef AGGLO_REGRESS_H
#define AGGLO_REGRESS_H

#include "agglo/core.h"
#include "agglo/weights.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AGGLO_REG_OLS = 0,
    AGGLO_REG_LAG,    /* y = rho W y + X b + e                        (spatialreg lagsarlm) */
    AGGLO_REG_ERROR,  /* y = X b + u, u = lambda W u + e              (errorsarlm) */
    AGGLO_REG_DURBIN, /* y = rho W y + X b + W X t + e                (lagsarlm Durbin = TRUE) */
    AGGLO_REG_SDEM,   /* y = X b + W X t + u, u = lambda W u + e      (errorsarlm Durbin = TRUE) */
    AGGLO_REG_SAC,    /* y = rho W y + X b + u, u = lambda W u + e    (sacsarlm) */
    AGGLO_REG_SLX     /* y = X b + W X t + e by OLS                   (lmSLX) */
} agglo_regress_model;

/* Parses "ols", "lag", "error", "durbin", "sdem", "sac" (also "sarar"), "slx". 0 or -1. */
int agglo_regress_model_parse(const char *name, agglo_regress_model *model);
const char *agglo_regress_model_name(agglo_regress_model model);

/* Log-determinant of (I - rho W). */
typedef enum {
    AGGLO_LOGDET_AUTO = 0, /* eigen up to auto_eigen_max_n, else sparse (symmetric or similar
                              to symmetric W) or lu (other W) */
    AGGLO_LOGDET_EIGEN,    /* dense eigenvalues (LAPACK), O(n^3) once, O(n) per rho */
    AGGLO_LOGDET_SPARSE,   /* sparse Cholesky (CHOLMOD) of I - rho S, S the symmetric
                              matrix similar to W; refactorised for each rho */
    AGGLO_LOGDET_LU,       /* sparse LU (UMFPACK) of I - rho W, any W */
    AGGLO_LOGDET_CHEBYSHEV,/* Chebyshev approximation (Pace & LeSage 2004), exact traces */
    AGGLO_LOGDET_MC        /* Monte Carlo (Barry & Pace 1999) with its standard error */
} agglo_logdet_method;

int agglo_logdet_method_parse(const char *name, agglo_logdet_method *method);
const char *agglo_logdet_method_name(agglo_logdet_method method);

typedef struct agglo_regress_options {
    agglo_regress_model model;
    agglo_logdet_method method;
    size_t auto_eigen_max_n; /* auto: eigen up to this n (default 1000) */
    int impacts;             /* direct/indirect/total effects (lag, durbin, sac; sdem/slx
                                always have them as coefficients) */
    int impacts_traces;      /* 0 auto: exact (eigenvalues) when they are at hand, else
                                traces; 1 always trace-based */
    int trace_order;         /* powers of W in the trace-based impacts (default 30, as
                                spatialreg trW m = 30) */
    size_t trace_mc_vectors; /* > 0: traces of W^j, j >= 3, by Monte Carlo with this many
                                vectors (spatialreg trW type = "MC"); 0: exact when n <=
                                auto_eigen_max_n (eigenvalues), else 16 vectors */
    size_t draws;            /* simulated inference draws for the impacts (0 = none) */
    uint64_t seed;           /* draws and Monte Carlo vectors */
    int cheb_order;          /* Chebyshev terms (default 5, spatialreg cheb_q) */
    size_t mc_vectors;       /* Barry-Pace random vectors (default 16, spatialreg MC_p) */
    int mc_order;            /* Barry-Pace series length (default 30, spatialreg MC_m) */
} agglo_regress_options;

void agglo_regress_options_init(agglo_regress_options *o);

/* Anselin's decision rule from the LM tests (OLS). */
typedef enum {
    AGGLO_HINT_NONE = 0,  /* no spatial test significant: OLS */
    AGGLO_HINT_LAG,
    AGGLO_HINT_ERROR,
    AGGLO_HINT_BOTH       /* both robust tests significant: a model with both (SAC) */
} agglo_regress_hint;

typedef struct agglo_regress_result {
    agglo_regress_model model;
    agglo_logdet_method method;   /* method used (auto resolved); OLS/SLX: AUTO */
    size_t n, k;                  /* observations; coefficients (including the constant) */
    char **names;                 /* k names: "CONSTANT", the regressors, "W_<name>" */
    double *coef, *se, *stat, *p; /* stat: t (OLS, SLX; p from t(n-k)) or z (ML; normal) */
    /* fit */
    double sse, sigma2;           /* sigma2: sse/(n-k) for OLS/SLX, sse/n for ML */
    double r2, adj_r2, f, f_p;    /* OLS/SLX */
    double loglik, aic, sc;       /* sc: Schwarz criterion */
    /* OLS/SLX diagnostics */
    double cond;                  /* multicollinearity condition number */
    double jb, jb_p;              /* Jarque-Bera (2 df) */
    double bp, bp_p, kb, kb_p;    /* Breusch-Pagan, Koenker-Bassett (k-1 df) */
    int bp_df;
    double white, white_p;        /* White (squares and cross products), white_df df */
    int white_df;
    /* residual spatial dependence (OLS/SLX with weights) */
    double moran_i, moran_e, moran_var, moran_z, moran_p; /* p: alternative greater */
    double lm_err, lm_err_p, lm_lag, lm_lag_p, rlm_err, rlm_err_p, rlm_lag, rlm_lag_p;
    double sarma, sarma_p;
    agglo_regress_hint hint;
    /* ML */
    double rho, rho_se, rho_z, rho_p;          /* NaN when the model has no rho */
    double lambda, lambda_se, lambda_z, lambda_p;
    double loglik_ols, aic_ols;                /* OLS with the same regressors */
    double lr, lr_df, lr_p;                    /* likelihood ratio against OLS */
    double wald, wald_p;                       /* Wald test of rho (or lambda), 1 df */
    double lm_resid, lm_resid_p;               /* LM test for residual autocorrelation (lag
                                                  and Durbin with eigen; NaN otherwise) */
    double rho_lower, rho_upper;               /* search interval */
    double logdet_se;                          /* Monte Carlo log-determinant SE at the
                                                  estimate (mc); NaN otherwise */
    int hessian_se;                            /* 1: SEs from the Hessian of the
                                                  log-likelihood, 0: information matrix */
    double *fitted, *resid;                    /* n: fitted values and residuals as
                                                  spatialreg gives them: for ML models the
                                                  spatially filtered residuals, (I - rho W) y
                                                  - X b (lag, durbin) or (I - lambda W)(y - X
                                                  b) (error, sdem, sac), fitted = y - resid */
    double *naive_resid;                       /* n: y minus the trend: y - (I - rho W)^-1 X b
                                                  (lag, durbin, sac; GeoDa's prediction
                                                  error) or y - X b (error, sdem); NULL for
                                                  OLS/SLX */
    /* impacts */
    size_t nimpacts;
    char **impact_names;                       /* nimpacts borrowed from names */
    double *direct, *indirect, *total;
    int impacts_exact;                         /* 1 exact, 0 trace-based (trace_order powers) */
    size_t draws;                              /* simulated draws used (0 = none) */
    double *direct_se, *indirect_se, *total_se;/* simulated SE (sd of the draws) */
    double *direct_z, *indirect_z, *total_z;   /* mean / sd of the draws */
    double *direct_p, *indirect_p, *total_p;   /* two-sided normal */
} agglo_regress_result;

/* Fits the model. y: n values; x: nx arrays of n values (the regressors, no constant: a
 * constant is added); xnames: their names. w: the weights (n observations, in the same
 * order), needed by every model but OLS (which then skips the spatial tests); used as given
 * (transform it first). Values must be finite (callers subset first: see agglo_weights_subset).
 * Islands are refused for the ML models (their ids named). On success out holds the result
 * (free with agglo_regress_result_free). */
int agglo_regress_fit(agglo_ctx *ctx, const double *y, const double *const *x,
                      const char *const *xnames, size_t n, size_t nx, const agglo_weights *w,
                      const agglo_regress_options *opts, agglo_regress_result *out);
void agglo_regress_result_free(agglo_regress_result *r);

/* Log-determinant of (I - rho W) with one method, for tests and benchmarks: ld[i] for each
 * rho[i]; se (may be NULL) receives the Monte Carlo standard errors (NaN for exact methods).
 * method_used (may be NULL) receives the method after auto. */
int agglo_logdet(agglo_ctx *ctx, const agglo_weights *w, agglo_logdet_method method,
                 const agglo_regress_options *opts, const double *rho, size_t nrho, double *ld,
                 double *se, agglo_logdet_method *method_used);

#ifdef __cplusplus
}
#endif
#endif
