/* The non-central F of the factor detector (the Poisson-mixture series of
 * Lenth 1987, AS 226, with Frick's 1990 R84 starting point, stopped at the same error bound
 * 1e-9 as R's pnbeta so p-values agree with R's pf(..., ncp) to its own accuracy). */
#include "detect_internal.h"
#include "../core/core_internal.h"

#include <math.h>

/* Lower tail of the non-central beta(a, b, ncp) at x (1 - x = ox). */
static double pnbeta_lower(double x, double ox, double a, double b, double ncp)
{
    const double errmax = 1.0e-9;
    const int itrmax = 10000;
    if (x <= 0)
        return 0;
    if (ox <= 0)
        return 1;
    double c = ncp / 2;
    double x0 = floor(fmax(c - 7 * sqrt(c), 0));
    double a0 = a + x0;
    double lbeta = lgamma(a0) + lgamma(b) - lgamma(a0 + b);
    double temp = agglo__ibeta(x, ox, a0, b, 0);
    double gx = exp(a0 * log(x) + b * (x < 0.5 ? log1p(-x) : log(ox)) - lbeta - log(a0));
    double q = a0 > a ? exp(-c + x0 * log(c) - lgamma(x0 + 1)) : exp(-c);
    double sumq = 1 - q;
    double ans = q * temp, errbd;
    double j = floor(x0);
    do {
        j++;
        temp -= gx;
        gx *= x * (a + b + j - 1) / (a + j);
        q *= c / j;
        sumq -= q;
        ans += temp * q;
        errbd = (temp - gx) * sumq;
    } while (errbd > errmax && j < itrmax + x0);
    return ans;
}

double agglo_pnf_upper(double f, double df1, double df2, double ncp)
{
    if (isnan(f) || isnan(ncp) || !(df1 > 0) || !(df2 > 0) || ncp < 0)
        return NAN;
    if (ncp == 0)
        return agglo_pf_upper(f, df1, df2);
    if (f <= 0)
        return 1;
    if (isinf(f))
        return 0;
    double y = (df1 / df2) * f;
    double ans = pnbeta_lower(y / (1 + y), 1 / (1 + y), df1 / 2, df2 / 2, ncp);
    return 1 - fmin(ans, 1.0);
}
