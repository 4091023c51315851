/* Kernel density, the kernels: names, values, support, and the normal CDF of the gaussian. */
#define _GNU_SOURCE
#include "agglo/kde.h"

#include <math.h>
#include <strings.h>

#include "kde_internal.h"

int agglo_kde_kernel_parse(const char *name)
{
    if (!name)
        return -1;
    if (!strcasecmp(name, "quartic") || !strcasecmp(name, "biweight"))
        return AGGLO_KDE_KERNEL_QUARTIC;
    if (!strcasecmp(name, "gaussian") || !strcasecmp(name, "normal"))
        return AGGLO_KDE_KERNEL_GAUSSIAN;
    if (!strcasecmp(name, "epanechnikov"))
        return AGGLO_KDE_KERNEL_EPANECHNIKOV;
    if (!strcasecmp(name, "triangular"))
        return AGGLO_KDE_KERNEL_TRIANGULAR;
    if (!strcasecmp(name, "uniform") || !strcasecmp(name, "disc"))
        return AGGLO_KDE_KERNEL_UNIFORM;
    return -1;
}

const char *agglo_kde_kernel_name(agglo_kde_kernel k)
{
    switch (k) {
    case AGGLO_KDE_KERNEL_QUARTIC: return "quartic";
    case AGGLO_KDE_KERNEL_GAUSSIAN: return "gaussian";
    case AGGLO_KDE_KERNEL_EPANECHNIKOV: return "epanechnikov";
    case AGGLO_KDE_KERNEL_TRIANGULAR: return "triangular";
    case AGGLO_KDE_KERNEL_UNIFORM: return "uniform";
    }
    return "?";
}

double agglo_kde_kernel_value(agglo_kde_kernel k, double d, double h)
{
    if (!(h > 0))
        return NAN;
    double r2 = (d / h) * (d / h);
    return agglo__kde_kern_r2(k, r2, INFINITY) / (h * h);
}

double agglo_kde_kernel_support(agglo_kde_kernel k)
{
    return k == AGGLO_KDE_KERNEL_GAUSSIAN ? INFINITY : 1.0;
}

double agglo__kde_pnorm(double z)
{
    return 0.5 * erfc(-z / M_SQRT2);
}
