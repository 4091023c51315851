/* Internal helpers of the detect module (geographical detector, Dagum Gini, indices). */
#ifndef AGGLO_DETECT_INTERNAL_H
#define AGGLO_DETECT_INTERNAL_H

#include <stddef.h>
#include "agglo/geodetector.h"


/* Mean and sum of squared deviations of y over the rows i with codes[i] == level, for every
 * level at once: count[L], mean[L], ss[L] (two-pass in long double, as R's var). */
int detect_strata_moments(agglo_ctx *ctx, const double *y, const int *codes, size_t n,
                          size_t nlevels, size_t *count, double *mean, double *ss);

/* Mean and sum of squares of all n values (two-pass, long double). */
void detect_moments(const double *y, size_t n, double *mean, double *ss);



/* Risk detector of one factor into r (freed with detect_risk_free). */
int detect_risk(agglo_ctx *ctx, const double *y, const int *codes, size_t n, size_t nlevels,
                const char *const *labels, double alpha, agglo_gd_risk *r);
void detect_risk_free(agglo_gd_risk *r);
#endif
