/* agglo markov: distribution dynamics of a panel (regions x periods): classic Markov chains
 * on quantile classes, spatial Markov chains conditioned on the class of the spatial lag
 * (Rey 2001) and LISA Markov chains on the Moran scatter-plot quadrants (Rey & Janikas 2006),
 * as PySAL giddy's Markov, Spatial_Markov and LISA_Markov. */
#ifndef AGGLO_MARKOV_H
#define AGGLO_MARKOV_H

#include "agglo/core.h"
#include "agglo/table.h"
#include "agglo/weights.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A balanced panel: n regions observed over t periods, y[i * t + s] (region i, period s). */
typedef struct agglo_markov_panel {
    size_t n, t;
    char **ids;      /* n region ids */
    char **periods;  /* t period labels (sorted time values, or the wide column names) */
    double *y;       /* n * t */
} agglo_markov_panel;

/* From a long table: one row per (id, time) with the value var (a field or an expression).
 * Periods are the sorted distinct time values, regions the sorted distinct ids (numbers
 * ascending, strings in byte order).
 * A duplicated (id, time) pair and a missing one are errors naming the id; rows with NULL are
 * refused naming the ids, or, when drop_missing, the regions they belong to are dropped
 * (with a warning) so that the panel stays balanced. */
agglo_markov_panel *agglo_markov_panel_long(agglo_ctx *ctx, const agglo_table *t, const char *source,
                              const char *id, const char *time, const char *var,
                              int drop_missing);
/* From a wide table: one row per region (ids from the field id, or 1..n when NULL), one
 * column per period (cols[0..ncols-1], in that order). NULLs as above. */
agglo_markov_panel *agglo_markov_panel_wide(agglo_ctx *ctx, const agglo_table *t, const char *source,
                              const char *id, const char *const *cols, size_t ncols,
                              int drop_missing);
void agglo_markov_panel_free(agglo_markov_panel *p);
/* Divides every period by its cross-sectional mean (relative values, giddy's rpci). */
int agglo_markov_panel_relative(agglo_ctx *ctx, agglo_markov_panel *p);

/* A Markov chain estimated from transition counts. */
typedef struct agglo_markov_chain {
    size_t k;
    double *transitions; /* k x k counts, row-major */
    double *p;           /* k x k maximum-likelihood probabilities (a row without
                            transitions is all 0, as giddy) */
    /* Long-run distribution: rows without transitions are made absorbing first (giddy's
     * fill_empty_classes), then the chain's communication classes are found; with a single
     * recurrent class its stationary distribution (0 on transient states), else NaN. */
    double *steady;      /* k */
    /* Mean first passage times (Kemeny & Snell 1976, Z = (I - P + A)^-1, m_ij =
     * (z_jj - z_ij) / pi_j, m_jj = 1 / pi_j), NaN unless the chain is irreducible. */
    double *fmpt;        /* k x k */
    size_t nrecurrent;   /* number of recurrent classes */
    int irreducible;
} agglo_markov_chain;

/* Options shared by the estimators. */
typedef struct agglo_markov_options {
    size_t k;       /* classes of the values (quantiles; default 5) */
    size_t m;       /* classes of the spatial lag (default 5) */
    int per_period; /* quantiles of each period (giddy fixed=False) instead of the pooled
                       n*t values (fixed=True, the default) */
} agglo_markov_options;
void agglo_markov_options_init(agglo_markov_options *o);

/* Quantile classes as mapclassify.Quantiles: cut-offs q_c = the (100 c / k)-th percentile
 * (linear interpolation, scipy scoreatpercentile), duplicates removed (fewer classes then);
 * class of x = the first c with x <= q_c. Writes the class of each of the n values into cls
 * and the cut-offs (the last is the maximum) into cut (k doubles); returns the number of
 * classes or a negative error code. */
int agglo_quantile_classes(agglo_ctx *ctx, const double *x, size_t n, size_t k, int *cls,
                           double *cut);

/* Classic Markov chain of the panel's quantile classes. */
typedef struct agglo_markov {
    size_t n, t, k;
    double *cutoffs;   /* k - 1 upper bounds of classes 0..k-2 (NULL with per_period) */
    int *classes;      /* n * t */
    agglo_markov_chain chain;
} agglo_markov;
agglo_markov *agglo_markov_classic(agglo_ctx *ctx, const agglo_markov_panel *p,
                                   const agglo_markov_options *o);
void agglo_markov_free(agglo_markov *m);

/* Spatial Markov: the chain of the value classes conditioned on the class of the spatial lag
 * (w as given: row-standardise it first, as giddy's examples do) at the start of each
 * transition. Tests: Bickenbach & Bode (2003) homogeneity Q and LR with
 * dof = sum_i (b_i - 1)(A_i - 1) (b_i regimes with transitions from class i, A_i non-zero
 * cells of row i of the pooled matrix); and per lag class the chi-square of its counts
 * against the pooled probabilities (giddy's chi2: df (rows of T_c with transitions - 1) *
 * (rows of the pooled T with transitions - 1)), x2 their sum with df k (k-1)^2. */
typedef struct agglo_spatial_markov {
    size_t n, t, k, m;
    double *cutoffs, *lag_cutoffs; /* k - 1, m - 1 (NULL with per_period) */
    int *classes, *lag_classes;    /* n * t */
    agglo_markov_chain global;
    agglo_markov_chain *cond;      /* m chains, one per lag class */
    double *chi2, *chi2_p;         /* m */
    double *chi2_df;               /* m */
    double x2, x2_p, x2_df;
    double Q, Q_p, LR, LR_p, dof;
} agglo_spatial_markov;
agglo_spatial_markov *agglo_spatial_markov_compute(agglo_ctx *ctx, const agglo_markov_panel *p,
                                                                                      const agglo_weights *w,
                                           const agglo_markov_options *o);
void agglo_spatial_markov_free(agglo_spatial_markov *s);

/* LISA Markov: each region's Moran scatter-plot quadrant per period (z = y - mean of the
 * period, lag = W z; 1 HH (z > 0, lag > 0), 2 LH, 3 LL, 4 HL, as giddy/esda; class index
 * q - 1), the chain over the 4 quadrants, and the chi-square test that the moves of y and
 * of its lag are independent: own value and lag relative to the period's mean, each below 1
 * or not, two 2-state chains whose Kronecker product (rearranged to the quadrants) times the
 * observed row totals gives the expected transitions; df as giddy's chi2. */
typedef struct agglo_lisa_markov {
    size_t n, t;
    int *quadrant;             /* n * t, 1..4 */
    agglo_markov_chain chain;  /* k = 4 */
    double expected[16];
    double chi2, chi2_p, chi2_df;
    /* giddy's LISA_Markov chi_2 as giddy computes it (to replicate papers made with giddy;
     * not the test described above): own value and lag divided by each region's mean over
     * time, the two 2-state chains counted on the transposed (periods x regions) arrays,
     * i.e. moves between consecutive regions of one period (1058.208 on usjoin). */
    double expected_giddy[16];
    double chi2_giddy, chi2_giddy_p, chi2_giddy_df;
} agglo_lisa_markov;
agglo_lisa_markov *agglo_lisa_markov_compute(agglo_ctx *ctx, const agglo_markov_panel *p,
                                     const agglo_weights *w);
void agglo_lisa_markov_free(agglo_lisa_markov *l);

#ifdef __cplusplus
}
#endif
#endif
