/* Distribution tails for the detectors: the regularized incomplete beta function (Lentz's
 * continued fraction), Student t, F and the non-central F (the Poisson-mixture series of
 * Lenth 1987, AS 226, with Frick's 1990 R84 starting point, stopped at the same error bound
 * 1e-9 as R's pnbeta so p-values agree with R's pf(..., ncp) to its own accuracy). */
#include "detect_internal.h"

#include <math.h>

/* Continued fraction of I_x(a, b) (modified Lentz). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-16;
    double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 100000; m++) {
        int m2 = 2 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1 + aa / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < eps)
            break;
    }
    return h;
}

double detect_ibeta(double x, double ox, double a, double b, int upper)
{
    if (x <= 0)
        return upper ? 1 : 0;
    if (ox <= 0)
        return upper ? 0 : 1;
    double lf = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(ox);
    double r;
    if (x < (a + 1) / (a + b + 2)) {
        r = exp(lf) * betacf(a, b, x) / a; /* lower tail */
        return upper ? 1 - r : r;
    }
    r = exp(lf) * betacf(b, a, ox) / b; /* upper tail */
    return upper ? r : 1 - r;
}

double agglo_pt_two_sided(double t, double df)
{
    if (isnan(t) || !(df > 0))
        return NAN;
    if (isinf(t))
        return 0;
    double t2 = t * t;
    return detect_ibeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5, 0);
}

double agglo_pf_upper(double f, double df1, double df2)
{
    if (isnan(f) || !(df1 > 0) || !(df2 > 0))
        return NAN;
    if (f <= 0)
        return 1;
    if (isinf(f))
        return 0;
    double y = df1 * f;
    return detect_ibeta(df2 / (df2 + y), y / (df2 + y), df2 / 2, df1 / 2, 0);
}

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
    double temp = detect_ibeta(x, ox, a0, b, 0);
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
