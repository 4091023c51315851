/* Coupling coordination degree of k subsystems: the classic coupling degree and the
 * corrected one of Wang Shujia et al. (2021). */
#include "agglo/composite.h"

#include <math.h>

int agglo_coupling(agglo_ctx *ctx, const double *U, size_t n, size_t k, const double *a,
                   agglo_coupling_kind kind, double *C, double *T, double *D)
{
    if (k < 2)
        return agglo_error(ctx, AGGLO_E_USAGE, "coupling needs at least 2 subsystems");
    long double as = 0;
    if (a) {
        for (size_t s = 0; s < k; s++) {
            if (!(a[s] >= 0))
                return agglo_error(ctx, AGGLO_E_USAGE, "coupling: weight %zu is not >= 0",
                                   s + 1);
            as += a[s];
        }
        if (!(as > 0))
            return agglo_error(ctx, AGGLO_E_USAGE, "coupling: the weights sum to 0");
    }
    for (size_t i = 0; i < n; i++) {
        const double *u = U + i * k;
        long double sum = 0, lprod = 0, t = 0;
        double mx = u[0];
        int pos = 1;
        for (size_t s = 0; s < k; s++) {
            sum += u[s];
            mx = u[s] > mx ? u[s] : mx;
            pos &= u[s] > 0;
            t += (a ? a[s] / as : 1.0L / (long double)k) * u[s];
        }
        double c;
        if (!pos) {
            c = NAN; /* a subsystem at 0 (or NaN): the product vanishes */
            for (size_t s = 0; s < k; s++)
                if (u[s] == 0 && !isnan(u[s]))
                    c = 0;
            for (size_t s = 0; s < k; s++)
                if (isnan(u[s]) || u[s] < 0)
                    c = NAN;
        } else if (kind == AGGLO_COUPLING_CLASSIC) {
            for (size_t s = 0; s < k; s++)
                lprod += logl(u[s]);
            /* k (prod U)^(1/k) / sum U = geometric mean / arithmetic mean */
            c = (double)(expl(lprod / (long double)k) / (sum / (long double)k));
        } else {
            long double dev = 0;
            for (size_t s = 0; s < k; s++)
                for (size_t q = s + 1; q < k; q++)
                    dev += fabsl((long double)u[s] - u[q]);
            long double c1 = 1 - dev / ((long double)k * (k - 1) / 2);
            for (size_t s = 0; s < k; s++)
                lprod += logl(u[s] / mx);
            long double c2 = expl(lprod / (long double)(k - 1));
            c = c1 * c2 >= 0 ? (double)sqrtl(c1 * c2) : NAN;
        }
        C[i] = c;
        T[i] = (double)t;
        D[i] = c * T[i] >= 0 ? sqrt(c * T[i]) : NAN;
    }
    return AGGLO_OK;
}
