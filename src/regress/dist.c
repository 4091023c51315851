/* Distribution tails for the tests: normal, chi-square (regularised incomplete gamma), Student
 * t and F (regularised incomplete beta, continued fractions by the modified Lentz method). */
#include <math.h>

#include "regress_internal.h"

double rg_pnorm_upper(double z)
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

double rg_pchisq_upper(double x, double df)
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

static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0, d = 1.0 - qab * x / qap;
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 100000; m++) {
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
        if (fabs(del - 1.0) < 1e-16)
            break;
    }
    return h;
}

/* I_x(a, b), computed on the side where the continued fraction converges; *upper receives
 * 1 - I_x(a, b) without cancellation. */
static void ibeta2(double a, double b, double x, double *lower, double *upper)
{
    if (x <= 0) {
        *lower = 0;
        *upper = 1;
        return;
    }
    if (x >= 1) {
        *lower = 1;
        *upper = 0;
        return;
    }
    double bt = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0)) {
        *lower = bt * betacf(a, b, x) / a;
        *upper = 1.0 - *lower;
    } else {
        *upper = bt * betacf(b, a, 1.0 - x) / b;
        *lower = 1.0 - *upper;
    }
}

double rg_pt_two(double t, double df)
{
    if (isnan(t) || !(df > 0))
        return NAN;
    double lo, up;
    ibeta2(0.5 * df, 0.5, df / (df + t * t), &lo, &up);
    return lo;
}

double rg_pf_upper(double f, double d1, double d2)
{
    if (isnan(f) || !(d1 > 0) || !(d2 > 0))
        return NAN;
    if (f <= 0)
        return 1.0;
    double lo, up;
    ibeta2(0.5 * d2, 0.5 * d1, d2 / (d2 + d1 * f), &lo, &up);
    return lo;
}
