/* Means and sums of squares of y, overall and per stratum, computed as R does (long double
 * sums, mean refined by a second pass) so q values agree with the R packages to rounding. */
#include "detect_internal.h"
#include "../core/core_internal.h"

#include <stdlib.h>

static void moments_idx(const double *y, const size_t *idx, size_t n, double *mean, double *ss)
{
    long double s = 0;
    for (size_t i = 0; i < n; i++)
        s += y[idx ? idx[i] : i];
    s /= (long double)n;
    long double t = 0;
    for (size_t i = 0; i < n; i++)
        t += y[idx ? idx[i] : i] - s;
    s += t / (long double)n;
    double m = (double)s;
    long double q = 0;
    for (size_t i = 0; i < n; i++) {
        long double d = (long double)y[idx ? idx[i] : i] - m;
        q += d * d;
    }
    *mean = m;
    *ss = (double)q;
}

void detect_moments(const double *y, size_t n, double *mean, double *ss)
{
    moments_idx(y, NULL, n, mean, ss);
}

int detect_strata_moments(agglo_ctx *ctx, const double *y, const int *codes, size_t n,
                          size_t nlevels, size_t *count, double *mean, double *ss)
{
    size_t *start = agglo_calloc(ctx, nlevels + 1, sizeof *start);
    size_t *idx = agglo_malloc(ctx, (n ? n : 1) * sizeof *idx);
    if (!start || !idx) {
        free(start);
        free(idx);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        start[codes[i] + 1]++;
    for (size_t l = 0; l < nlevels; l++)
        start[l + 1] += start[l];
    for (size_t l = 0; l < nlevels; l++)
        count[l] = start[l + 1] - start[l];
    for (size_t i = 0; i < n; i++)
        idx[start[codes[i]]++] = i;
    size_t off = 0;
    for (size_t l = 0; l < nlevels; l++) {
        if (count[l])
            moments_idx(y, idx + off, count[l], &mean[l], &ss[l]);
        else
            mean[l] = ss[l] = 0;
        off += count[l];
    }
    free(start);
    free(idx);
    return AGGLO_OK;
}
