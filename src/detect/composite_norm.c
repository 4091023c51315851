/* Standardisation of indicator matrices for composite indices: min-max (reversed for
 * negative indicators, plus the zero shift) and vector normalisation. */
#include "agglo/composite.h"

#include <math.h>

int agglo_ci_minmax(agglo_ctx *ctx, const double *x, size_t n, size_t m,
                    const unsigned char *negative, double shift, const char *const *names,
                    double *z)
{
    if (n < 1 || m < 1)
        return agglo_error(ctx, AGGLO_E_EMPTY, "no observations or no indicators");
    for (size_t j = 0; j < m; j++) {
        double lo = x[j], hi = x[j];
        for (size_t i = 1; i < n; i++) {
            double v = x[i * m + j];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        if (!(hi > lo))
            return agglo_error(ctx, AGGLO_E_NUMERIC,
                               "indicator %s is constant (min = max = %.17g): it carries no "
                               "information; leave it out",
                               names ? names[j] : "?", lo);
        double range = hi - lo;
        int neg = negative && negative[j];
        for (size_t i = 0; i < n; i++) {
            double v = x[i * m + j];
            z[i * m + j] = (neg ? (hi - v) : (v - lo)) / range + shift;
        }
    }
    return AGGLO_OK;
}

int agglo_ci_vector(agglo_ctx *ctx, const double *x, size_t n, size_t m,
                    const char *const *names, double *r)
{
    if (n < 1 || m < 1)
        return agglo_error(ctx, AGGLO_E_EMPTY, "no observations or no indicators");
    for (size_t j = 0; j < m; j++) {
        long double ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += (long double)x[i * m + j] * x[i * m + j];
        if (!(ss > 0))
            return agglo_error(ctx, AGGLO_E_NUMERIC,
                               "indicator %s is 0 everywhere: no vector normalisation",
                               names ? names[j] : "?");
        double norm = (double)sqrtl(ss);
        for (size_t i = 0; i < n; i++)
            r[i * m + j] = x[i * m + j] / norm;
    }
    return AGGLO_OK;
}
