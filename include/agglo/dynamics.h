/* agglo dynamics: the distribution of an index across regions over time: 1-D Gaussian kernel
 * densities per period (the "distribution dynamics" figure) and the Theil index (with Gini)
 * per period, decomposed within/between groups. */
#ifndef AGGLO_DYNAMICS_H
#define AGGLO_DYNAMICS_H

#include "agglo/core.h"
#include "agglo/table.h"
#include "agglo/inequality.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Silverman's rule of thumb as R's bw.nrd0: 0.9 min(sd, IQR / 1.34) n^-1/5 (IQR from type-7
 * quantiles); when that spread is 0, sd, then |x_1|, then 1 replace it. NaN for n < 2. */
double agglo_bw_nrd0(const double *x, size_t n);

/* Gaussian kernel density of x (n values) with bandwidth bw at the m points at: exactly
 * (1 / n) sum_i phi((at_j - x_i) / bw) / bw. */
void agglo_kde1d(const double *x, size_t n, double bw, const double *at, size_t m, double *dens);

typedef struct agglo_distribution {
    size_t nperiods, npoints;
    char **periods;       /* sorted time values ("all" without a time field) */
    size_t *n;            /* regions per period */
    double *bandwidth;    /* per period */
    double *x;            /* npoints evaluation points shared by every period: from the
                             smallest value - 3 bw to the largest + 3 bw (R density's cut = 3) */
    double *density;      /* nperiods x npoints */
    agglo_dagum **ineq;   /* per period: Theil (and Gini) with the within/between parts over
                             the groups (one group without a group field) */
} agglo_distribution;

/* From a table: value field (or expression), optional time and group fields. bandwidth <= 0
 * or NaN: bw.nrd0 of each period. npoints 0: 512. NULLs refused naming rows or dropped. */
agglo_distribution *agglo_distribution_table(agglo_ctx *ctx, const agglo_table *t,
                                             const char *source, const char *var,
                                             const char *time, const char *group,
                                             double bandwidth, size_t npoints,
                                             int drop_missing);
void agglo_distribution_free(agglo_distribution *d);

#ifdef __cplusplus
}
#endif
#endif
