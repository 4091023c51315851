/* Entropy weight method: weights from the Shannon entropy of each indicator's shares. */
#include "agglo/composite.h"

#include <math.h>

int agglo_entropy_weights(agglo_ctx *ctx, const double *z, size_t n, size_t m,
                          const char *const *names, double *e, double *d, double *w)
{
    if (n < 2 || m < 1)
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "the entropy method needs at least 2 observations and 1 indicator");
    double k = 1.0 / log((double)n);
    long double dsum = 0;
    for (size_t j = 0; j < m; j++) {
        long double s = 0;
        for (size_t i = 0; i < n; i++) {
            double v = z[i * m + j];
            if (!(v >= 0))
                return agglo_error(ctx, AGGLO_E_NUMERIC,
                                   "indicator %s: value %.17g at row %zu is negative or NaN: "
                                   "entropy shares need values >= 0",
                                   names ? names[j] : "?", v, i + 1);
            s += v;
        }
        if (!(s > 0))
            return agglo_error(ctx, AGGLO_E_NUMERIC, "indicator %s sums to 0: no shares",
                               names ? names[j] : "?");
        long double h = 0;
        for (size_t i = 0; i < n; i++) {
            long double p = z[i * m + j] / s;
            if (p > 0)
                h += p * logl(p); /* 0 ln 0 = 0, the limit */
        }
        double ej = (double)(-k * h);
        w[j] = 1.0 - ej;
        dsum += w[j];
        if (e)
            e[j] = ej;
        if (d)
            d[j] = 1.0 - ej;
    }
    if (!(dsum > 0))
        return agglo_error(ctx, AGGLO_E_NUMERIC,
                           "every indicator has entropy 1 (all shares equal): no weights");
    for (size_t j = 0; j < m; j++)
        w[j] = (double)(w[j] / dsum);
    return AGGLO_OK;
}
