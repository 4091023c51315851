/* Factor detector: q = 1 - SSW/SST and its non-central F test (Wang & Xu 2017), with the
 * non-centrality parameter as the R package geodetector computes it. */
#include "detect_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdlib.h>

int agglo_gd_factor_detect(agglo_ctx *ctx, const double *y, const int *codes, size_t n,
                           size_t nlevels, agglo_gd_factor *out)
{
    if (n < 2 || nlevels < 1)
        return agglo_error(ctx, AGGLO_E_EMPTY, "geodetector: too few observations");
    for (size_t i = 0; i < n; i++)
        if (codes[i] < 0 || (size_t)codes[i] >= nlevels)
            return agglo_error(ctx, AGGLO_E_USAGE, "geodetector: stratum code out of range at row %zu",
                               i + 1);
    size_t *cnt = agglo_malloc(ctx, nlevels * sizeof *cnt);
    double *mean = agglo_malloc(ctx, nlevels * sizeof *mean);
    double *ss = agglo_malloc(ctx, nlevels * sizeof *ss);
    int rc = AGGLO_E_NOMEM;
    if (!cnt || !mean || !ss)
        goto done;
    rc = detect_strata_moments(ctx, y, codes, n, nlevels, cnt, mean, ss);
    if (rc)
        goto done;
    double ym, sst;
    detect_moments(y, n, &ym, &sst);
    double var = sst / (double)(n - 1);
    double ssw = 0, l1 = 0, l2 = 0;
    size_t L = 0;
    for (size_t l = 0; l < nlevels; l++) {
        if (!cnt[l])
            continue;
        L++;
        ssw += cnt[l] > 1 ? ss[l] : 0;
        l1 += mean[l] * mean[l];
        l2 += sqrt((double)cnt[l]) * mean[l];
    }
    /* the package's TotalVar is (n - 1) * var(y) */
    double q = 1 - ssw / ((double)(n - 1) * var);
    double lambda = (l1 - l2 * l2 / (double)n) / var;
    if (lambda < 0) /* rounding: lambda >= 0 by Cauchy-Schwarz */
        lambda = 0;
    out->q = q;
    out->ssw = ssw;
    out->nstrata = L;
    out->lambda = lambda;
    if (L < 2 || n <= L || !(sst > 0)) {
        out->F = out->p = NAN;
    } else {
        out->F = (double)(n - L) * q / ((double)(L - 1) * (1 - q));
        out->p = agglo_pnf_upper(out->F, (double)(L - 1), (double)(n - L), lambda);
    }
    rc = AGGLO_OK;
done:
    free(cnt);
    free(mean);
    free(ss);
    return rc;
}

const char *agglo_gd_interaction_name(agglo_gd_interaction_class c)
{
    switch (c) {
    case AGGLO_GD_WEAKEN_NONLINEAR: return "weaken, nonlinear";
    case AGGLO_GD_WEAKEN_UNI: return "weaken, uni-";
    case AGGLO_GD_INDEPENDENT: return "independent";
    case AGGLO_GD_ENHANCE_BI: return "enhance, bi-";
    case AGGLO_GD_ENHANCE_NONLINEAR: return "enhance, nonlinear";
    }
    return "?";
}

agglo_gd_interaction_class agglo_gd_interaction_classify(double qab, double qa, double qb,
                                                         double tol)
{
    double lo = fmin(qa, qb), hi = fmax(qa, qb), sum = qa + qb;
    if (fabs(qab - sum) <= tol)
        return AGGLO_GD_INDEPENDENT;
    if (qab > sum)
        return AGGLO_GD_ENHANCE_NONLINEAR;
    if (qab < lo - tol)
        return AGGLO_GD_WEAKEN_NONLINEAR;
    if (qab < hi - tol)
        return AGGLO_GD_WEAKEN_UNI;
    return AGGLO_GD_ENHANCE_BI;
}
