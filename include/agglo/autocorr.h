/* agglo autocorr: global and local spatial autocorrelation statistics.
 *
 * Global: Moran's I, Geary's C, Getis-Ord General G, bivariate Moran, Empirical-Bayes Moran
 * (Assuncao & Reis 1999); analytic moments as spdep's moran.test / geary.test / globalG.test,
 * permutation inference (PySAL/GeoDa pseudo p).
 * Local: Moran (LISA, spdep localmoran) with conditional permutation, bivariate LISA,
 * Getis-Ord Gi / Gi* (spdep localG) with hot/cold-spot classes.
 *
 * The weights are used as they are (apply the transform first). Variables must be complete
 * (no NaN): agglo_autocorr_check_complete() gives the error users see; drop rows with
 * agglo_weights_subset + agglo_layer_subset. Permutations: the stream of permutation p
 * (global) or of observation i (local) is agglo_rng_init(seed, p or i), so results are the
 * same for any thread count. Formulas: docs/autocorrelation.md. */
#ifndef AGGLO_AUTOCORR_H
#define AGGLO_AUTOCORR_H

#include <stdint.h>
#include "agglo/check.h"
#include "agglo/core.h"
#include "agglo/weights.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AGGLO_ALT_TWO_SIDED = 0,
    AGGLO_ALT_GREATER = 1, /* positive autocorrelation (I > E[I], C < 1, G > E[G]) */
    AGGLO_ALT_LESS = 2
} agglo_alternative;

typedef enum {
    AGGLO_CORRECT_NONE = 0,
    AGGLO_CORRECT_BONFERRONI = 1,
    AGGLO_CORRECT_FDR = 2 /* Benjamini-Hochberg */
} agglo_correction;

typedef struct agglo_autocorr_options {
    agglo_alternative alternative; /* default two-sided */
    long permutations;             /* 0 = analytic inference only */
    uint64_t seed;                 /* permutation seed */
    double alpha;                  /* local significance level, default 0.05 */
    agglo_correction correction;   /* local multiple-testing correction, default none */
    int conditional;               /* local Moran E/Var under conditional randomisation
                                      (spdep localmoran conditional=TRUE, the default 1) */
    int adjust_n;                  /* global: n excludes observations without neighbours
                                      (spdep adjust.n=TRUE, default 1) */
    double *simulated;             /* global tests: when not NULL (room for `permutations`
                                      values), receives the simulated statistics in
                                      permutation order (the reference distribution, e.g. for
                                      agglo_plot_permutation_histogram); default NULL */
} agglo_autocorr_options;

void agglo_autocorr_options_init(agglo_autocorr_options *o);

typedef enum {
    AGGLO_STAT_MORAN = 0,
    AGGLO_STAT_GEARY = 1,
    AGGLO_STAT_GETIS_G = 2,
    AGGLO_STAT_MORAN_BIVARIATE = 3,
    AGGLO_STAT_MORAN_EB = 4,
    AGGLO_STAT_GEARY_LOCAL = 5 /* local Geary (agglo_geary_local) */
} agglo_stat_kind;

/* Result of a global test. Analytic fields are NaN where a statistic has none
 * (bivariate, EB: permutation only; G: randomisation only). */
typedef struct agglo_global_result {
    agglo_stat_kind kind;
    size_t n;           /* observations */
    size_t n_used;      /* n after adjust_n (observations with neighbours) */
    size_t islands;
    double s0, s1, s2;  /* weight constants */
    double statistic;   /* I, C or G */
    double expected;    /* E[I] = -1/(n-1), E[C] = 1, E[G] = S0/(n(n-1)) */
    double var_norm, z_norm, p_norm; /* under normality (Moran, Geary) */
    double var_rand, z_rand, p_rand; /* under randomisation (Moran, Geary, G) */
    double kurtosis;    /* sample kurtosis K used by the randomisation variance */
    agglo_alternative alternative;
    /* permutation inference (permutations > 0) */
    long permutations;
    uint64_t seed;
    long n_greater_equal; /* permutations with statistic >= observed */
    long n_less_equal;    /* permutations with statistic <= observed */
    double p_sim;       /* folded pseudo p (M+1)/(N+1), M = min(#>=, #<) (PySAL p_sim) */
    double p_perm;      /* pseudo p for the alternative (two-sided: min(1, 2 p_sim)) */
    double perm_mean, perm_sd, perm_z; /* reference distribution; z of the observed value */
} agglo_global_result;

/* Global Moran's I of x (spdep moran.test / moran.mc). */
int agglo_moran_global(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, agglo_global_result *res);
/* Geary's C (spdep geary.test; z = (1 - C)/sd so "greater" = positive autocorrelation). */
int agglo_geary_global(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, agglo_global_result *res);
/* Getis-Ord General G (spdep globalG.test); x must be non-negative. */
int agglo_getis_global(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, agglo_global_result *res);
/* Bivariate Moran: I_xy = sum_i zx_i (W zy)_i / S0 with zx, zy standardised (GeoDa, PySAL
 * Moran_BV for row-standardised W); permutation of y. */
int agglo_moran_bivariate(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                          const double *y, const agglo_autocorr_options *opt,
                          agglo_global_result *res);
/* Empirical-Bayes Moran of the rate events/base (Assuncao & Reis 1999, spdep EBImoran.mc):
 * Moran's I of the EB-standardised rates (with n not adjusted, as spdep). */
int agglo_moran_eb(agglo_ctx *ctx, const agglo_weights *w, const double *events,
                   const double *base, const agglo_autocorr_options *opt,
                   agglo_global_result *res);
/* EB standardisation z_i = (p_i - b)/sqrt(a + b/base_i) (spdep EBest, method of moments).
 * base must be > 0, events >= 0. */
int agglo_eb_standardise(agglo_ctx *ctx, const double *events, const double *base, size_t n,
                         double *z);

/* Local results (one entry per observation). Arrays the statistic does not have are NULL. */
typedef struct agglo_local_result {
    agglo_stat_kind kind; /* MORAN (LISA), MORAN_BIVARIATE, GETIS_G */
    size_t n;
    int star;           /* Gi* (weights include the diagonal) */
    double *stat;       /* Ii; for G: the Gi / Gi* z-value (spdep localG) */
    double *expected;   /* E(Ii) */
    double *variance;   /* Var(Ii) */
    double *z;          /* Z(Ii); for G the same as stat */
    double *p;          /* analytic p for the alternative */
    double *p_sim;      /* folded conditional-permutation pseudo p; NULL without permutations */
    double *sim_mean, *sim_sd; /* mean and sd of the conditional reference distribution */
    double *p_adjusted; /* p used for significance after the correction */
    double *value_z;    /* (x - mean)/sd (sd with divisor n) */
    double *lag_z;      /* spatial lag of value_z (bivariate: of y's) */
    int *quadrant;      /* 1 HH, 2 LL, 3 LH, 4 HL, 0 none (island) */
    int *cluster;       /* LISA: 0 not significant, 1..4 = quadrant, 5 no neighbours;
                           G: hot/cold bin -3..3 (99/95/90 % confidence, ArcGIS Gi_Bin) */
    unsigned char *island;
    long permutations;
    uint64_t seed;
    double alpha;
    agglo_correction correction;
    agglo_alternative alternative;
    size_t counts[7];   /* LISA: per cluster code 0..5; G: bins -3..3 at counts[bin+3] */
    double *g_value;    /* G: the ratio Gi = sum_j w_ij x_j / sum_(j!=i) x_j (Gi* divides by
                           sum_j x_j), spdep localG_perm's internals "Gi"; NULL otherwise */
    size_t islands;     /* observations without neighbours: z, p, p_sim NaN (spdep zero.policy) */
    size_t undefined;   /* with neighbours but no variance under the null (zero weights, the
                           other values all equal): z and p NaN, never significant */
    size_t all_ties;    /* permutations: every simulated statistic tied the observed (p = 1) */
} agglo_local_result;

/* Local Moran (LISA): spdep localmoran (conditional=TRUE by default) + conditional
 * permutation (GeoDa / esda): for observation i the n-1 other values are permuted. */
agglo_local_result *agglo_moran_local(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                                      const agglo_autocorr_options *opt);
/* Bivariate LISA: I_i = zx_i (W zy)_i; conditional permutation of y (no analytic moments). */
agglo_local_result *agglo_moran_local_bivariate(agglo_ctx *ctx, const agglo_weights *w,
                                                const double *x, const double *y,
                                                const agglo_autocorr_options *opt);
/* Getis-Ord Gi (star = 0) or Gi* (star = 1, w must include the diagonal: see
 * agglo_getis_star_weights) z-values as spdep localG, with hot/cold-spot bins at
 * 90/95/99 % (two-sided), optionally FDR-corrected per level.
 * With opt->permutations > 0 also conditional permutation inference (esda G_Local, spdep
 * localG_perm): for observation i the value x_i stays in place (Gi*: at its diagonal weight)
 * and the n-1 other values are permuted into i's neighbour positions; p_sim is the folded
 * pseudo p (M+1)/(N+1), M = min(#sim >= G_i, #sim < G_i), sim_mean/sim_sd the moments of the
 * simulated G_i (sd with divisor N). The stream of observation i is agglo_rng_init(seed, i),
 * so results do not depend on the thread count. The bins (and the correction) then use p_sim
 * instead of the analytic p; the analytic z and p are unchanged. */
agglo_local_result *agglo_getis_local(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                                      int star, const agglo_autocorr_options *opt);
void agglo_local_result_free(agglo_local_result *r);

/* Weights with the diagonal added (value self_weight; existing diagonal kept), from the
 * values of w as they are now, with style V: apply the transform afterwards (spdep
 * include.self + nb2listw). */
agglo_weights *agglo_getis_star_weights(agglo_ctx *ctx, const agglo_weights *w,
                                        double self_weight);

/* Adjusted p-values: none (copy), Bonferroni min(1, n p), Benjamini-Hochberg. NaN entries
 * are ignored (left NaN) and not counted in n. */
int agglo_p_adjust(agglo_ctx *ctx, const double *p, size_t n, agglo_correction c,
                   double *out);

/* AGGLO_OK when x has no NaN; else AGGLO_E_MISSING naming field, the count and the first ids
 * (ids may be NULL = 1..n). */
int agglo_autocorr_check_complete(agglo_ctx *ctx, const double *x, size_t n,
                                  const agglo_weights *w, const char *field,
                                  const char *source);
/* The shared variable check (agglo_check_variable, include/agglo/check.h) with the weights'
 * ids in its messages (w may be NULL). Every statistic here runs it with
 * AGGLO_CHECK_NONCONSTANT (General G also with AGGLO_CHECK_NONNEGATIVE) and computes on the
 * values rescaled by info->exponent, so values near 1e308 or subnormal ones give the same
 * results as the same values near 1. */
int agglo_autocorr_check_variable(agglo_ctx *ctx, const double *x, size_t n,
                                  const agglo_weights *w, unsigned flags, const char *field,
                                  const char *source, agglo_var_info *info);

/* Names: "two-sided"/"greater"/"less"; "none"/"bonferroni"/"fdr"; cluster labels. */
const char *agglo_alternative_name(agglo_alternative a);
const char *agglo_correction_name(agglo_correction c);
const char *agglo_lisa_cluster_name(int code); /* "not significant", "High-High", ... */

/* ================================================================ join counts, local Geary,
 * spatial Gini (src/stats/joincount.c, local_geary.c, spatial_gini.c) */

/* One join-count statistic. Same-colour joins a:a (a == b), different-colour joins a:b
 * (a > b, both directions counted once), or the total of different-colour joins Jtot
 * (a = b = -1). A join count is half the weighted sum over ordered pairs (i, j), i in one
 * class, j in the other: with binary weights, the number of neighbour pairs. */
typedef struct agglo_joincount_stat {
    int a, b;
    double joins;
    /* non-free sampling (randomisation) moments: spdep joincount.test (same colour) and
     * joincount.multi (different colour, Jtot) */
    double expected, variance, z, p; /* p for the alternative */
    /* permutation inference (permutations > 0): pseudo p with ties in both tails */
    long n_greater_equal, n_less_equal;
    double p_sim;           /* folded (min(#>=, #<=) + 1)/(N + 1) */
    double p_perm;          /* for the alternative (two-sided: min(1, 2 p_sim)) */
    double sim_mean, sim_var; /* mean and variance (divisor N - 1, as spdep) of the draws */
} agglo_joincount_stat;

typedef struct agglo_joincount_result {
    size_t n;           /* observations */
    size_t n_used;      /* n after adjust_n (observations with neighbours): spdep's N */
    size_t islands;
    size_t nlevels;
    size_t *level_count; /* observations per level */
    double s0, s1, s2;
    size_t nstats;      /* nlevels same-colour, nlevels(nlevels-1)/2 different-colour, Jtot */
    agglo_joincount_stat *stats;
    agglo_alternative alternative;
    long permutations;
    uint64_t seed;
} agglo_joincount_result;

/* Join counts of a categorical variable: level[i] in 0..nlevels-1 (nlevels 2..64), weights
 * as they are (spdep uses style B for counts of joins). Analytic moments under non-free
 * sampling exactly as spdep joincount.test / joincount.multi (adjust.n from opt->adjust_n);
 * with opt->permutations > 0, the labels are permuted over the observations (permutation p
 * has the stream agglo_rng_init(seed, p): identical for any thread count). Levels with fewer
 * than 2 observations have 0 same-colour joins and a NaN z. */
agglo_joincount_result *agglo_joincount(agglo_ctx *ctx, const agglo_weights *w,
                                        const int *level, size_t nlevels,
                                        const agglo_autocorr_options *opt);
void agglo_joincount_result_free(agglo_joincount_result *r);

/* Local Geary (Anselin 1995, 2019; spdep localC / localC_perm, GeoDa): for nvars variables
 * x[0..nvars), each standardised with the sample sd (divisor n - 1, R scale()),
 * c_i = (1/nvars) sum_v sum_j w_ij (z_vi - z_vj)^2. With opt->permutations > 0, conditional
 * permutation (the n-1 other observations drawn without replacement into i's neighbour
 * positions, as GeoDa and esda; stream agglo_rng_init(seed, i)): p_sim folded with ties in
 * both tails, sim_mean / sim_sd (divisor N), z = (c_i - sim_mean)/sim_sd and p its normal
 * p for the alternative (spdep's Z.Ci). Clusters (cluster[], significant at alpha after the
 * correction on p_sim): univariate as GeoDa and spdep: 1 High-High, 2 Low-Low, 3 Other
 * Positive (x_i below the mean, lag above), 4 Negative (x_i above, lag at or below);
 * multivariate: 6 Positive (c_i <= sim_mean), 4 Negative; 0 not significant, 5 no
 * neighbours. quadrant[] holds the univariate quadrant (1 HH, 2 LL, 3 LH, 4 HL) of the first
 * variable. Result kind AGGLO_STAT_GEARY_LOCAL; free with agglo_local_result_free. */
agglo_local_result *agglo_geary_local(agglo_ctx *ctx, const agglo_weights *w,
                                      const double *const *x, size_t nvars,
                                      const agglo_autocorr_options *opt);
/* "not significant", "High-High", "Low-Low", "Other Positive", "Negative", "no neighbours",
 * "Positive" for codes 0..6. */
const char *agglo_geary_local_cluster_name(int code);

/* The Rey-Smith (2013) spatial decomposition of the Gini coefficient (PySAL inequality
 * Gini_Spatial). Sums of absolute differences over ordered pairs: total D = 2 n^2 mean G,
 * neighbours W (every listed link i -> j, i != j, whatever its weight: the neighbour
 * structure of w), non-neighbours WC = D - W. */
typedef struct agglo_spatial_gini_result {
    size_t n;
    double gini;
    double sad_total;          /* D */
    double sad_neighbours;     /* W (PySAL wg) */
    double sad_nonneighbours;  /* WC (PySAL wcg) */
    double nonneighbour_share; /* WC / (2 n^2 mean) (PySAL wcg_share) */
    double neighbour_pairs;    /* links / 2 */
    double nonneighbour_pairs; /* n(n-1)/2 - neighbour_pairs */
    double polarization;       /* (WC / W)(neighbour_pairs / nonneighbour_pairs), E = 1 */
    long permutations;
    uint64_t seed;
    /* permutations of the values over the observations (stream (seed, p)) */
    long n_greater_equal, n_less_equal; /* draws of WC >= / <= the observed */
    double p_sim;              /* folded (min(#>=, #<=) + 1)/(N + 1) */
    double sim_mean, sim_sd;   /* of WC (sd divisor N; PySAL e_wcg, s_wcg) */
    double z;                  /* (WC - sim_mean)/sim_sd */
    double p_z;                /* upper-tail normal p of z (PySAL p_z_sim) */
    double polarization_p_sim; /* (#polarization draws >= observed + 1)/(N + 1) */
} agglo_spatial_gini_result;

/* x non-negative, not constant, complete. opt may be NULL (no permutations). */
int agglo_spatial_gini(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, agglo_spatial_gini_result *res);

#ifdef __cplusplus
}
#endif
#endif
