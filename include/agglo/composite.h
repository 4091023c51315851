/* agglo composite: composite indices from several indicators — the entropy weight method,
 * TOPSIS (and the two combined) and the coupling coordination degree of subsystems.
 * Matrices are n rows (observations) x m columns (indicators), row-major. */
#ifndef AGGLO_COMPOSITE_H
#define AGGLO_COMPOSITE_H

#include "agglo/core.h"
#include "agglo/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AGGLO_CI_ENTROPY = 0,       /* index = sum_j w_j z_ij, w from the entropy method */
    AGGLO_CI_TOPSIS = 1,        /* closeness with given (or equal) weights */
    AGGLO_CI_ENTROPY_TOPSIS = 2 /* closeness with the entropy weights */
} agglo_ci_method;

typedef enum {
    AGGLO_CI_MINMAX = 0, /* z = (x - min)/(max - min) (positive), (max - x)/(max - min)
                          * (negative), + shift */
    AGGLO_CI_VECTOR = 1  /* r = x / sqrt(sum x^2) (as R's topsis); direction in the ideals */
} agglo_ci_norm;

typedef enum {
    AGGLO_COUPLING_CLASSIC = 0, /* C = k (prod U)^(1/k) / sum U = [prod U / (mean U)^k]^(1/k) */
    AGGLO_COUPLING_WANG = 1     /* Wang Shujia et al. (2021): C = sqrt([1 - mean_{i<j}
                                 * |U_i - U_j|] [prod U_i / max U]^(1/(k-1))) */
} agglo_coupling_kind;

/* Min-max standardisation of column j of x (n x m) into z, reversed when negative[j], then
 * + shift. A constant column (max = min) is refused naming names[j]. */
int agglo_ci_minmax(agglo_ctx *ctx, const double *x, size_t n, size_t m,
                    const unsigned char *negative, double shift, const char *const *names,
                    double *z);

/* Vector normalisation r_ij = x_ij / sqrt(sum_i x_ij^2) (no reversal). An all-zero column is
 * refused naming names[j]. */
int agglo_ci_vector(agglo_ctx *ctx, const double *x, size_t n, size_t m,
                    const char *const *names, double *r);

/* Entropy weights of a non-negative matrix z (n x m): p_ij = z_ij / sum_i z_ij,
 * e_j = -(1/ln n) sum_i p_ij ln p_ij (0 ln 0 = 0), d_j = 1 - e_j, w_j = d_j / sum_k d_k.
 * Negative values or a column summing to 0 are refused naming names[j]; n >= 2. Any of e, d
 * may be NULL. */
int agglo_entropy_weights(agglo_ctx *ctx, const double *z, size_t n, size_t m,
                          const char *const *names, double *e, double *d, double *w);

/* TOPSIS on a normalised matrix r (n x m) with weights w (normalised to sum 1 here):
 * v = r w, ideal v+_j = max_i v_ij (min when negative[j]), anti-ideal the other extreme,
 * D+ / D- the Euclidean distances, C = D- / (D+ + D-) (NaN when both are 0). negative may be
 * NULL (all positive: a min-max standardised matrix is already oriented). */
int agglo_topsis(agglo_ctx *ctx, const double *r, size_t n, size_t m, const double *w,
                 const unsigned char *negative, double *dplus, double *dminus, double *c);

/* Coupling of k subsystem scores U (n x k, each > 0 for a defined C): coupling C,
 * coordination T = sum_i a_i U_i (a = equal weights 1/k when NULL, else normalised to sum 1)
 * and coupling coordination degree D = sqrt(C T). */
int agglo_coupling(agglo_ctx *ctx, const double *U, size_t n, size_t k, const double *a,
                   agglo_coupling_kind kind, double *C, double *T, double *D);

typedef struct agglo_ci_options {
    agglo_ci_method method;
    agglo_ci_norm normalize;   /* of the TOPSIS matrix (entropy always uses min-max) */
    double shift;              /* added after min-max (default 0.0001) */
    const double *weights;     /* given weights for TOPSIS, one per indicator (NULL: equal) */
    int drop_missing;          /* drop rows with a NULL (default: refuse, naming rows) */
    /* coupling: subsystems as groups of indicator positions (0-based into the indicators) */
    size_t ngroups;
    const size_t *group_size;  /* ngroups */
    const size_t *group_cols;  /* concatenated indicator positions of the groups */
    agglo_coupling_kind coupling;
} agglo_ci_options;

void agglo_ci_options_init(agglo_ci_options *o);

typedef struct agglo_ci_result {
    size_t nrows;              /* rows of the table */
    size_t n;                  /* rows used (pooled over periods: n x T) */
    size_t m;                  /* indicators */
    char **names;              /* m: positives then negatives, as given */
    unsigned char *negative;   /* m */
    double *e, *d, *w;         /* m: entropy e_j, d_j = 1 - e_j, w_j (NaN for TOPSIS alone) */
    double *weights;           /* m: the weights used to build the index */
    /* per table row (NaN where a row was dropped) */
    double *index;             /* entropy score sum_j w_j z_ij, or the TOPSIS closeness */
    double *dplus, *dminus;    /* TOPSIS only (else NULL) */
    /* coupling (ngroups >= 2): U (nrows x ngroups), C, T, D per row; group weights per group */
    size_t ngroups;
    double *U, *C, *T, *D;
    double *group_w;           /* m: the within-group entropy weights of each indicator */
    /* periods (time field given): sorted labels, the period of each row (-1 dropped) */
    size_t nperiods;
    char **periods;
    int *period_of;
} agglo_ci_result;

/* From a table: positive and negative indicator fields (or expressions), an optional time
 * field (a panel pooled over all n x T rows: the "global entropy" standardisation). */
agglo_ci_result *agglo_ci_table(agglo_ctx *ctx, const agglo_table *t, const char *source,
                                const char *const *positive, size_t npos,
                                const char *const *negative, size_t nneg, const char *time,
                                const agglo_ci_options *opts);

void agglo_ci_result_free(agglo_ci_result *r);

#ifdef __cplusplus
}
#endif
#endif
