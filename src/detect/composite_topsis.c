/* TOPSIS: distances to the ideal and anti-ideal points and the relative closeness. */
#include "agglo/composite.h"

#include <math.h>
#include <stdlib.h>

int agglo_topsis(agglo_ctx *ctx, const double *r, size_t n, size_t m, const double *w,
                 const unsigned char *negative, double *dplus, double *dminus, double *c)
{
    if (n < 1 || m < 1)
        return agglo_error(ctx, AGGLO_E_EMPTY, "TOPSIS: no observations or no indicators");
    double *wn = malloc(3 * m * sizeof *wn);
    if (!wn)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    double *best = wn + m, *worst = wn + 2 * m;
    long double ws = 0;
    for (size_t j = 0; j < m; j++) {
        if (!(w[j] >= 0) || !isfinite(w[j])) {
            free(wn);
            return agglo_error(ctx, AGGLO_E_USAGE, "TOPSIS: weight %zu (%g) is not >= 0",
                               j + 1, w[j]);
        }
        ws += w[j];
    }
    if (!(ws > 0)) {
        free(wn);
        return agglo_error(ctx, AGGLO_E_USAGE, "TOPSIS: the weights sum to 0");
    }
    for (size_t j = 0; j < m; j++) {
        wn[j] = (double)(w[j] / ws);
        double hi = -INFINITY, lo = INFINITY;
        for (size_t i = 0; i < n; i++) {
            double v = r[i * m + j] * wn[j];
            hi = v > hi ? v : hi;
            lo = v < lo ? v : lo;
        }
        int neg = negative && negative[j];
        best[j] = neg ? lo : hi;
        worst[j] = neg ? hi : lo;
    }
    for (size_t i = 0; i < n; i++) {
        long double sp = 0, sm = 0;
        for (size_t j = 0; j < m; j++) {
            double v = r[i * m + j] * wn[j];
            sp += (long double)(v - best[j]) * (v - best[j]);
            sm += (long double)(v - worst[j]) * (v - worst[j]);
        }
        double a = (double)sqrtl(sp), b = (double)sqrtl(sm);
        if (dplus)
            dplus[i] = a;
        if (dminus)
            dminus[i] = b;
        c[i] = a + b > 0 ? b / (a + b) : NAN;
    }
    free(wn);
    return AGGLO_OK;
}
