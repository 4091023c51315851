/* agglo geodetector: the geographical detector (Wang et al. 2010, Wang & Xu 2017) of a
 * numeric y against categorical factors (strata): factor, interaction, risk and ecological
 * detectors, following the R package geodetector (Xu & Wang) where it is defined, with the
 * differences documented in docs/geodetector.md. */
#ifndef AGGLO_GEODETECTOR_H
#define AGGLO_GEODETECTOR_H

#include "agglo/core.h"
#include "agglo/distribution.h"
#include "agglo/table.h"
#include "agglo/discretize.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Factor detector of one stratification: q = 1 - SSW / SST, F = (N - L) q / ((L - 1)(1 - q)),
 * the non-centrality lambda = (sum m_h^2 - (sum sqrt(N_h) m_h)^2 / N) / s^2 (s^2 the sample
 * variance of y) and p = P(F' > F) for F' non-central F(L - 1, N - L, lambda). L counts every
 * stratum, singletons included (their SSW is 0), as the geodetector package. */
typedef struct agglo_gd_factor {
    double q, F, lambda, p;
    double ssw;       /* within-strata sum of squares */
    size_t nstrata;   /* L */
} agglo_gd_factor;

/* codes[i] in 0..nlevels-1 (levels without observations are ignored). */
int agglo_gd_factor_detect(agglo_ctx *ctx, const double *y, const int *codes, size_t n,
                           size_t nlevels, agglo_gd_factor *out);

typedef enum {
    AGGLO_GD_WEAKEN_NONLINEAR = 0, /* q(A n B) < min(q(A), q(B)) */
    AGGLO_GD_WEAKEN_UNI = 1,       /* min < q(A n B) < max */
    AGGLO_GD_INDEPENDENT = 2,      /* q(A n B) = q(A) + q(B) */
    AGGLO_GD_ENHANCE_BI = 3,       /* max <= q(A n B) < q(A) + q(B) */
    AGGLO_GD_ENHANCE_NONLINEAR = 4 /* q(A n B) > q(A) + q(B) */
} agglo_gd_interaction_class;

const char *agglo_gd_interaction_name(agglo_gd_interaction_class c);
/* Classifies with the tolerance tol: values within tol of a boundary count as equal. */
agglo_gd_interaction_class agglo_gd_interaction_classify(double qab, double qa, double qb,
                                                         double tol);

typedef struct agglo_gd_interaction {
    size_t a, b;       /* factor indexes, a < b */
    double q_ab;       /* q of the overlaid strata */
    double p_ab;       /* its non-central F p-value */
    agglo_gd_interaction_class cls;
} agglo_gd_interaction;

/* Risk detector of one factor: mean of y per stratum and Welch t-tests between strata. */
typedef struct agglo_gd_risk {
    size_t nlevels;
    char **labels;   /* stratum labels */
    size_t *count;
    double *mean;
    double *var;     /* sample variance (NaN for singletons) */
    /* nlevels x nlevels row-major, symmetric; NaN where undefined (a stratum of one
     * observation, or both variances 0), 0 on the diagonal for sig */
    double *t, *df, *p;
    int *sig;        /* p < alpha */
} agglo_gd_risk;

/* Ecological detector of a pair: F = SSW_a / SSW_b with (N - 1, N - 1) degrees of freedom
 * (Wang et al. 2010), p = P(F(N-1, N-1) > max(F, 1/F)) (one-sided for the larger ratio), and
 * the R packages' variant (geodetector, GD): the ratio of the q values tested against
 * qf(0.9, N - 1, N - 1) in either direction. */
typedef struct agglo_gd_ecological {
    size_t a, b;
    double F, p;
    int sig;       /* p < alpha */
    int qratio_sig;/* the R packages' q-ratio flag */
} agglo_gd_ecological;

typedef struct agglo_gd_options {
    double alpha;     /* significance level of the risk and ecological detectors (0.05) */
    double tol;       /* interaction classification tolerance (1e-10) */
} agglo_gd_options;

void agglo_gd_options_init(agglo_gd_options *o);

/* How a factor column becomes strata: as it is (each distinct value or string a stratum), or
 * discretised. */
typedef struct agglo_gd_factor_spec {
    const char *name;           /* field */
    int discretize;             /* 0 = categorical, 1 = fixed method, 2 = optimal */
    agglo_disc_method method;   /* discretize == 1 */
    int k;                      /* classes (1), or the largest k searched (2) */
    unsigned method_mask;       /* methods searched (2); 0 = all five */
} agglo_gd_factor_spec;

typedef struct agglo_geodetector {
    size_t n;                   /* observations used */
    size_t nfactors;
    char **names;
    agglo_gd_factor *factor;    /* nfactors */
    agglo_gd_risk *risk;        /* nfactors */
    /* discretisation applied to factor f (disc_method -1 = none) */
    int *disc_method;
    int *disc_k;
    double **disc_breaks;
    size_t *disc_nbreaks;
    size_t npairs;              /* nfactors (nfactors - 1) / 2, in order (0,1), (0,2), ... */
    agglo_gd_interaction *interaction;
    agglo_gd_ecological *ecological;
} agglo_geodetector;

/* Runs the four detectors on y and the given factors (strata codes 0..nlevels[f]-1 and
 * their labels). */
agglo_geodetector *agglo_geodetector_run(agglo_ctx *ctx, const double *y, size_t n,
                                         const int *const *codes, const size_t *nlevels,
                                         const char *const *const *labels,
                                         const char *const *names, size_t nfactors,
                                         const agglo_gd_options *opts);

/* From a table: y (a field or an expression) and the factor columns (numeric or string).
 * Rows with a NULL in y or a factor are an error naming the first rows, or dropped (with a
 * warning) when drop_missing. source names the table in messages. */
agglo_geodetector *agglo_geodetector_table(agglo_ctx *ctx, const agglo_table *t,
                                           const char *source, const char *y,
                                           const agglo_gd_factor_spec *factors,
                                           size_t nfactors, int drop_missing,
                                           const agglo_gd_options *opts);

void agglo_geodetector_free(agglo_geodetector *g);

/* Strata of a column: codes (n ints) and sorted distinct labels (numbers ascending, strings
 * in byte order). Rows whose value is NULL get -1. *labels is freed with
 * agglo_strings_free(labels, nlevels) from agglo/layer.h. */
int agglo_strata_from_column(agglo_ctx *ctx, const agglo_table *t, size_t col, int *codes,
                             size_t *nlevels, char ***labels);

/* Upper tail of the non-central F (AS 226 / R84 series), used by the factor detector; the
 * central tails are in agglo/distribution.h. */
double agglo_pnf_upper(double f, double df1, double df2, double ncp);

#ifdef __cplusplus
}
#endif
#endif
