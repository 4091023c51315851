/* Student t distribution: upper tail through the regularised incomplete beta function
 * (continued fraction, modified Lentz), and the two-sided critical value by bisection. */
#include <math.h>

#include "gwr_internal.h"

static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-16;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < eps)
            break;
    }
    return h;
}

/* Regularised incomplete beta I_x(a, b). */
static double ibeta(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double lbt = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    double bt = exp(lbt);
    if (x < (a + 1.0) / (a + b + 2.0))
        return bt * betacf(a, b, x) / a;
    return 1.0 - bt * betacf(b, a, 1.0 - x) / b;
}

double agglo_gwr_t_upper(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    double x = df / (df + t * t);
    double tail = 0.5 * ibeta(0.5 * df, 0.5, x);
    return t >= 0 ? tail : 1.0 - tail;
}

double agglo_t_critical(double alpha, double df)
{
    if (!(alpha > 0 && alpha < 1) || !(df > 0))
        return NAN;
    double target = alpha / 2.0, lo = 0.0, hi = 1.0;
    while (agglo_gwr_t_upper(hi, df) > target && hi < 1e12)
        hi *= 2.0;
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (agglo_gwr_t_upper(mid, df) > target)
            lo = mid;
        else
            hi = mid;
        if (hi - lo <= 1e-15 * hi)
            break;
    }
    return 0.5 * (lo + hi);
}
