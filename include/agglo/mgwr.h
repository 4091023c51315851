/* agglo mgwr: multiscale geographically weighted regression (Fotheringham, Yang & Kang 2017,
 * "Multiscale Geographically Weighted Regression", Annals AAG 107(6)), Gaussian, by the
 * back-fitting of mgwr (Oshan et al. 2019: Sel_BW(multi=True) / multi_bw and MGWR.fit), so its
 * numbers are reproduced:
 *  - start: the GWR at its criterion-optimal bandwidth (agglo_gwr_select), or at a given one;
 *  - each iteration, for covariate j = intercept, x1, ...: partial response z = X_j b_j + e,
 *    bandwidth j by golden section on the criterion (AICc default) of the GWR of z on X_j alone
 *    (no intercept), refit, e = z - X_j b_j;
 *  - convergence: SOC = sqrt( (sum_ij (newXB - XB)^2 / n) / sum_i (sum_j newXB_ij)^2 ) < tol
 *    (default 1e-5, at most 200 iterations); once the bandwidths have stayed the same for 5
 *    iterations they are no longer searched;
 *  - inference: the covariate-specific hat matrices R_j (n x n each) replayed through the whole
 *    back-fitting history as mgwr's _chunk_compute_R, in column chunks so that memory stays
 *    bounded: ENP_j = tr(R_j), se(b_ij) = sqrt(sigma^2 sum_k C_j[i,k]^2) with C_j = R_j / x_ij
 *    and sigma^2 = RSS / (n - sum_j ENP_j); adjusted alpha_j = alpha / ENP_j (da Silva &
 *    Fotheringham 2016) and critical t at df n - 1.
 * Kernel, fixed/adaptive, great-circle distances, standardisation and the criterion come from the
 * agglo_gwr_model (agglo_gwr_model_create, Gaussian family only).
 *
 * Cost: the back-fitting is O(iterations x p x evaluations x n x neighbours) time and O(n p)
 * memory. Inference is O(iterations x p x n^2 x neighbours) time and (p + 2) n m doubles of
 * memory for a chunk of m columns (m = n when that fits the budget, 256 MiB by default) plus a
 * 32 MiB block of kernel rows: skip it (inference = 0) for large n to get bandwidths and
 * estimates only. */
#ifndef AGGLO_MGWR_H
#define AGGLO_MGWR_H

#include "agglo/core.h"
#include "agglo/gwr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_mgwr_options {
    double init_bw;        /* bandwidth of the initial GWR; 0 = selected by agglo_gwr_select */
    const double *bw_min;  /* p values (intercept first) or NULL: per-covariate search range; */
    const double *bw_max;  /*   an entry <= 0 means the default (adaptive [42, n] as mgwr's
                                _init_section for one column, fixed [min d / 2, 2 max d]) */
    double tol;            /* SOC tolerance (0 = 1e-5) */
    int max_iter;          /* back-fitting iterations (0 = 200) */
    int same_times;        /* bandwidths unchanged this many iterations stop being searched
                              (0 = 5) */
    int inference;         /* 1 (default): R_j, ENP_j, standard errors, AICc; 0: estimates and
                              bandwidths only */
    double mem_mb;         /* memory budget of the R_j chunks in MiB (0 = 256) */
} agglo_mgwr_options;

void agglo_mgwr_options_init(agglo_mgwr_options *o);

typedef struct agglo_mgwr_result {
    size_t n, p;            /* observations; coefficients including the intercept */
    char **names;           /* p names, "Intercept" first */
    agglo_gwr_kernel kernel;
    int fixed;
    agglo_gwr_criterion criterion;
    double bw_init;         /* bandwidth of the initial GWR */
    double *bw;             /* p final bandwidths */
    double *bw_lo, *bw_hi;  /* p search ranges */
    /* back-fitting history */
    size_t niter;           /* iterations made */
    int converged;          /* SOC < tol reached */
    double *soc;            /* niter */
    double *bw_hist;        /* niter x p bandwidths of each iteration */
    size_t nevals;          /* criterion evaluations of all univariate searches */
    /* per covariate (NaN without inference) */
    int inference;
    double *enp;            /* p: ENP_j = tr(R_j) */
    double *adj_alpha;      /* p x 3: alpha / ENP_j for alpha = .1, .05, .001 */
    double *critical_t;     /* p: two-sided critical t at adj_alpha[j * 3 + 1], df n - 1 */
    /* per observation, caller's order; coefficients on the model's (standardised) scale,
     * fitted values and residuals on y's scale; se and t NaN without inference */
    double *beta, *se, *tval; /* n x p row-major */
    double *yhat, *resid;     /* n */
    /* global diagnostics on the model's scale (those needing tr(S) are NaN without inference) */
    double rss, tr_s, sigma2, sigma, llf, aic, aicc, bic, r2, adj_r2;
    /* summaries of each local coefficient: mean, sd, min, q1, median, q3, max (p x 7) */
    double *coef_summary;
} agglo_mgwr_result;

/* Fits the MGWR of the model m (Gaussian). opts may be NULL (defaults). */
agglo_mgwr_result *agglo_mgwr_fit(agglo_ctx *ctx, agglo_gwr_model *m,
                                  const agglo_mgwr_options *opts);
void agglo_mgwr_result_free(agglo_mgwr_result *r);

#ifdef __cplusplus
}
#endif
#endif
