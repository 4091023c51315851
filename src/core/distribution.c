/* Probability tails shared by every test: the regularised incomplete gamma (chi-square) and
 * beta (t, F) functions by series and continued fractions (modified Lentz; Numerical Recipes
 * 6.2 and 6.4), the beta function taking 1 - x as given so that tails near 0 and 1 keep their
 * digits. */
#include "agglo/distribution.h"
#include "core_internal.h"

#include <math.h>

double agglo_pnorm_upper(double z)
{
    if (isnan(z))
        return NAN;
    return 0.5 * erfc(z / sqrt(2.0));
}

/* Regularised upper incomplete gamma Q(a, x). */
static double gamma_q(double a, double x)
{
    if (x <= 0)
        return 1.0;
    double lpre = a * log(x) - x - lgamma(a);
    if (x < a + 1.0) { /* series for P */
        double sum = 1.0 / a, term = sum, ap = a;
        for (int k = 0; k < 100000; k++) {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if (fabs(term) < fabs(sum) * 1e-17)
                break;
        }
        return 1.0 - sum * exp(lpre);
    }
    const double tiny = 1e-300;
    double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
    for (int i = 1; i < 100000; i++) {
        double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (fabs(d) < tiny)
            d = tiny;
        c = b + an / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < 1e-16)
            break;
    }
    return exp(lpre) * h;
}

double agglo_pchisq_upper(double x, double df)
{
    if (isnan(x) || !(df > 0))
        return NAN;
    if (x <= 0)
        return 1.0;
    if (df == 2.0)
        return exp(-0.5 * x);
    if (df == 1.0)
        return erfc(sqrt(0.5 * x));
    return gamma_q(0.5 * df, 0.5 * x);
}

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

double agglo__ibeta(double x, double ox, double a, double b, int upper)
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
    return agglo__ibeta(df / (df + t2), t2 / (df + t2), df / 2, 0.5, 0);
}

double agglo_t_upper(double t, double df)
{
    if (!(df > 0) || isnan(t))
        return NAN;
    double tail = 0.5 * agglo_pt_two_sided(t, df);
    return t >= 0 ? tail : 1.0 - tail;
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
    return agglo__ibeta(df2 / (df2 + y), y / (df2 + y), df2 / 2, df1 / 2, 0);
}

double agglo_t_critical(double alpha, double df)
{
    if (!(alpha > 0 && alpha < 1) || !(df > 0))
        return NAN;
    double target = alpha / 2.0, lo = 0.0, hi = 1.0;
    while (agglo_t_upper(hi, df) > target && hi < 1e12)
        hi *= 2.0;
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (agglo_t_upper(mid, df) > target)
            lo = mid;
        else
            hi = mid;
        if (hi - lo <= 1e-15 * hi)
            break;
    }
    return 0.5 * (lo + hi);
}
