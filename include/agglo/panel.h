/* agglo panel: spatial panel data models (Elhorst 2014, Spatial Econometrics, ch. 3; Lee & Yu
 * 2010): pooled and fixed-effects (individual, time, two-way) SAR, SEM, SDM, SDEM, SLX and
 * OLS by maximum likelihood after the within transformation, with the log-determinant of the
 * N x N (I - rho W) times T (never the NT x NT matrix); the Lee-Yu transformation approach;
 * the fixed effects with their SEs; direct/indirect/total impacts with simulated inference;
 * the non-spatial random-effects model and the Hausman test; LM tests on the panel OLS
 * residuals. Formulas and sources: docs/panel.md. */
#ifndef AGGLO_PANEL_H
#define AGGLO_PANEL_H

#include "agglo/core.h"
#include "agglo/regress.h"
#include "agglo/table.h"
#include "agglo/weights.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A balanced panel: N regions (in the order of the weights) observed over T sorted periods;
 * observation o = t * N + i (period-major, as Elhorst stacks it). */
typedef struct agglo_panel {
    size_t N, T, nx;
    char **ids;    /* N region ids */
    char **times;  /* T period labels, sorted (numerically when all are numbers) */
    double *y;     /* N T */
    double **x;    /* nx arrays of N T */
    char *yname;
    char **xnames; /* nx */
} agglo_panel;

/* A long table (one row per region and period, any order): id and time fields, y and the
 * regressors. w (may be NULL) fixes the region order: every id of the table must be in w and
 * every id of w in the table, else an error lists the strays. Periods must all be present for
 * every region (balanced) and no (id, time) pair twice, else an error lists the missing or
 * duplicated pairs. src names the table in messages. */
agglo_panel *agglo_panel_from_long(agglo_ctx *ctx, const agglo_table *t, const char *src,
                                   const char *id, const char *time, const char *y,
                                   const char *const *x, size_t nx, const agglo_weights *w);
/* A wide table: one row per region, each variable as columns <var>_<period> (the periods are
 * those of the y columns; every x needs the same ones). */
agglo_panel *agglo_panel_from_wide(agglo_ctx *ctx, const agglo_table *t, const char *src,
                                   const char *id, const char *y, const char *const *x,
                                   size_t nx, const agglo_weights *w);
void agglo_panel_free(agglo_panel *p);

typedef enum {
    AGGLO_PANEL_OLS = 0, /* y = X b + e (+ effects) */
    AGGLO_PANEL_SAR,     /* y = rho W y + X b + e */
    AGGLO_PANEL_SEM,     /* y = X b + u, u = lambda W u + e */
    AGGLO_PANEL_SDM,     /* y = rho W y + X b + W X t + e */
    AGGLO_PANEL_SDEM,    /* y = X b + W X t + u, u = lambda W u + e */
    AGGLO_PANEL_SLX      /* y = X b + W X t + e */
} agglo_panel_model;

typedef enum {
    AGGLO_PANEL_POOLED = 0, /* a constant, no effects */
    AGGLO_PANEL_INDIVIDUAL, /* region fixed effects */
    AGGLO_PANEL_TIME,       /* period fixed effects */
    AGGLO_PANEL_TWOWAYS,    /* both */
    AGGLO_PANEL_RANDOM      /* region random effects: Swamy-Arora GLS (OLS model), ML
                               (SAR, SDM, SEM, SDEM; phi = sigma2_mu / sigma2_e) */
} agglo_panel_effects;

int agglo_panel_model_parse(const char *name, agglo_panel_model *m);   /* 0 or -1 */
const char *agglo_panel_model_name(agglo_panel_model m);
int agglo_panel_effects_parse(const char *name, agglo_panel_effects *e); /* 0 or -1 */
const char *agglo_panel_effects_name(agglo_panel_effects e);

typedef struct agglo_panel_options {
    agglo_panel_model model;
    agglo_panel_effects effects;
    int lee_yu;                 /* -1 auto: on for two-way effects; 1 on; 0 off */
    int tests;                  /* LM tests on the panel OLS residuals, Wald/LR of SDM vs SAR
                                   and SEM, Hausman (fixed vs random, OLS model) */
    agglo_regress_options reg;  /* log-determinant method, impacts, draws, seed, traces */
} agglo_panel_options;

void agglo_panel_options_init(agglo_panel_options *o);

typedef struct agglo_panel_result {
    agglo_panel_model model;
    agglo_panel_effects effects;
    int lee_yu;                  /* the Lee-Yu transformation was applied */
    agglo_logdet_method method;  /* log-determinant method used (spatial models) */
    size_t N, T, nobs;           /* nobs = N T */
    double n_eff;                /* observations of the likelihood: N T, or N(T-1), (N-1)T,
                                    (N-1)(T-1) after the Lee-Yu transformation */
    size_t k, nx;                /* coefficients (a constant first when pooled/random) */
    char **names;                /* k: "CONSTANT", regressors, "W_<name>" */
    double *coef, *se, *stat, *p;/* stat: z (ML) or t (OLS/SLX) */
    double rho, rho_se, rho_z, rho_p, lambda, lambda_se, lambda_z, lambda_p;
    double rho_lower, rho_upper;
    double sse, sigma2;          /* sigma2 = sse / n_eff (ML) or sse / df (OLS, SLX) */
    double df;                   /* residual degrees of freedom of OLS/SLX (plm's) */
    double loglik, aic, bic;     /* bic: Schwarz with log(N T) */
    double r2, corr_r2;          /* R2 of the fit with effects; squared correlation of y and
                                    the fit without the effects (Elhorst's corrected R2) */
    double r2_within;            /* R2 of the transformed (within) regression */
    int hessian_se;              /* 1: SEs from the Hessian of the concentrated likelihood */
    double *resid;               /* N T residuals (of the model with its effects) */
    double *fitted;              /* N T */
    double *mean_resid;          /* N: each region's mean residual over the periods */
    /* fixed effects (Elhorst's recovery: means of y - rho W y - X b), and their SEs */
    double intercept, intercept_se;  /* two-way: the grand-mean constant */
    double *mu, *mu_se;          /* N region effects (individual/two-way; deviations from the
                                    intercept for two-way), NULL otherwise */
    double *tau, *tau_se;        /* T period effects (time/two-way) */
    /* random effects: sigma2_mu, sigma2_e, theta = 1 - sqrt(sigma2_e / (T sigma2_mu +
     * sigma2_e)); spatial models by ML also phi = sigma2_mu / sigma2_e and its SE */
    double sigma2_mu, sigma2_e, theta, phi, phi_se;
    /* tests */
    double lm_lag, lm_lag_p, lm_err, lm_err_p, rlm_lag, rlm_lag_p, rlm_err, rlm_err_p;
    double wald_sar, wald_sar_p, wald_sem, wald_sem_p; /* SDM: t = 0; t = -rho b */
    double lr_sar, lr_sar_p, lr_sem, lr_sem_p;         /* SDM against the SAR and SEM fits */
    double hausman, hausman_p;   /* fixed (within) against random effects, OLS model */
    int hausman_df, wald_df;
    /* impacts (short-run, N x N W) */
    size_t nimpacts;
    char **impact_names;         /* borrowed from names */
    double *direct, *indirect, *total;
    int impacts_exact;
    size_t draws;
    double *direct_se, *indirect_se, *total_se, *direct_z, *indirect_z, *total_z;
    double *direct_p, *indirect_p, *total_p;
} agglo_panel_result;

/* Fits the model on panel p with the N x N weights w (regions in the panel's order; used as
 * given: row-standardise first; needed by every model but OLS without tests). The Lee-Yu
 * transformation with time effects needs row-standardised W. */
int agglo_panel_fit(agglo_ctx *ctx, const agglo_panel *p, const agglo_weights *w,
                    const agglo_panel_options *opts, agglo_panel_result *out);
void agglo_panel_result_free(agglo_panel_result *r);

#ifdef __cplusplus
}
#endif
#endif
