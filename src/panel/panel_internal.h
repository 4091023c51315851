/* Internal interfaces of the panel module (src/panel). */
#ifndef AGGLO_PANEL_INTERNAL_H
#define AGGLO_PANEL_INTERNAL_H

#include "agglo/layer.h"
#include "agglo/panel.h"
#include "../regress/regress_internal.h"

/* The transformed problem shared by the fits: observation o = t N + i. */
typedef struct pn_work {
    agglo_ctx *ctx;
    const agglo_panel *p;
    const agglo_weights *w;
    const agglo_panel_options *opts;
    size_t N, T, n;       /* n = N T */
    agglo_panel_effects eff;
    int lee_yu;
    double n_eff, t_eff;  /* observations and log-determinant multiplier of the likelihood */
    int ly_row;           /* Lee-Yu with time effects: log|I - rho W*| = ld - log(1 - rho) */
    int has_const;        /* pooled: a constant column first */
    size_t q;             /* columns of Z */
    double *Zr, *Z;       /* n x q design before and after the within transformation */
    double *WZ;           /* n x q: W applied to Zr per period, then transformed (error) */
    double *yr, *Wyr;     /* raw y and W y */
    double *y, *Wy;       /* transformed */
    rg_logdet *ld;
    double rho_lo, rho_hi; /* the search interval of the spatial parameter */
} pn_work;

/* panel_within.c: the within transformation of one variable (n values) in place; work: N
 * doubles */
void pn_demean(double *v, size_t N, size_t T, agglo_panel_effects eff, double *work);
/* W applied to each period of v (n values) into out */
void pn_lag(const agglo_weights *w, const double *v, size_t N, size_t T, double *out);

/* panel_ml.c: lag-type (SAR, SDM) and error-type (SEM, SDEM) fits; cov receives the (1 + q)
 * x (1 + q) covariance of (rho or lambda, b) */
int pn_ml_lag(pn_work *k, agglo_panel_result *r, double *cov);
int pn_ml_error(pn_work *k, agglo_panel_result *r, double *cov);
/* log-likelihood multiplier term: t_eff (log|I - rho W| [- log(1 - rho)]) */
int pn_logdet(pn_work *k, double rho, double *ld);

/* panel_re.c: spatial random effects by ML (lag: SAR, SDM; error: SEM, SDEM); cov as above */
int pn_re_lag(pn_work *k, agglo_panel_result *r, double *cov);
int pn_re_error(pn_work *k, agglo_panel_result *r, double *cov);

/* panel_ols.c: OLS on the transformed data (plm's within/pooling), random effects
 * (Swamy-Arora GLS, plm's default) and the Hausman test */
int pn_ols(pn_work *k, agglo_panel_result *r, double *cov);
int pn_random(pn_work *k, agglo_panel_result *r);

/* panel_effects.c: the fixed effects and their SEs, residuals with the effects, R2s */
int pn_fixed_effects(pn_work *k, agglo_panel_result *r, const double *cov);

/* panel_tests.c: LM tests on the transformed OLS residuals; Wald and LR of SDM vs SAR/SEM */
int pn_lm_tests(pn_work *k, agglo_panel_result *r);
int pn_sdm_tests(pn_work *k, agglo_panel_result *r, const double *cov);

/* panel_impacts.c: direct/indirect/total effects (short-run, N x N W) */
int pn_impacts(pn_work *k, agglo_panel_result *r, const double *cov);

#endif
