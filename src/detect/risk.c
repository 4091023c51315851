/* Risk detector: mean of y per stratum and Welch two-sample t-tests between every pair of
 * strata (Welch-Satterthwaite degrees of freedom, two-sided p as R's t.test). */
#include "detect_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void detect_risk_free(agglo_gd_risk *r)
{
    if (!r)
        return;
    if (r->labels)
        for (size_t l = 0; l < r->nlevels; l++)
            free(r->labels[l]);
    free(r->labels);
    free(r->count);
    free(r->mean);
    free(r->var);
    free(r->t);
    free(r->df);
    free(r->p);
    free(r->sig);
    memset(r, 0, sizeof *r);
}

int detect_risk(agglo_ctx *ctx, const double *y, const int *codes, size_t n, size_t nlevels,
                const char *const *labels, double alpha, agglo_gd_risk *r)
{
    memset(r, 0, sizeof *r);
    size_t L = nlevels, L2 = nlevels * nlevels;
    double *ss = agglo_malloc(ctx, (L ? L : 1) * sizeof *ss);
    r->nlevels = L;
    r->labels = agglo_calloc(ctx, L ? L : 1, sizeof *r->labels);
    r->count = agglo_malloc(ctx, (L ? L : 1) * sizeof *r->count);
    r->mean = agglo_malloc(ctx, (L ? L : 1) * sizeof *r->mean);
    r->var = agglo_malloc(ctx, (L ? L : 1) * sizeof *r->var);
    r->t = agglo_malloc(ctx, (L2 ? L2 : 1) * sizeof *r->t);
    r->df = agglo_malloc(ctx, (L2 ? L2 : 1) * sizeof *r->df);
    r->p = agglo_malloc(ctx, (L2 ? L2 : 1) * sizeof *r->p);
    r->sig = agglo_calloc(ctx, L2 ? L2 : 1, sizeof *r->sig);
    if (!ss || !r->labels || !r->count || !r->mean || !r->var || !r->t || !r->df || !r->p ||
        !r->sig)
        goto nomem;
    for (size_t l = 0; l < L; l++)
        if (!(r->labels[l] = agglo_strdup(ctx, labels[l])))
            goto nomem;
    if (detect_strata_moments(ctx, y, codes, n, L, r->count, r->mean, ss))
        goto nomem;
    for (size_t l = 0; l < L; l++) {
        if (!r->count[l])
            r->mean[l] = NAN;
        r->var[l] = r->count[l] > 1 ? ss[l] / (double)(r->count[l] - 1) : NAN;
    }
    for (size_t i = 0; i < L; i++) {
        r->t[i * L + i] = 0;
        r->df[i * L + i] = NAN;
        r->p[i * L + i] = NAN;
        for (size_t j = i + 1; j < L; j++) {
            double t = NAN, df = NAN, p = NAN;
            if (r->count[i] > 1 && r->count[j] > 1) {
                double si = r->var[i] / (double)r->count[i], sj = r->var[j] / (double)r->count[j];
                double den = sqrt(si + sj);
                if (den > 0) {
                    t = fabs(r->mean[i] - r->mean[j]) / den;
                    df = (si + sj) * (si + sj) /
                         (si * si / (double)(r->count[i] - 1) + sj * sj / (double)(r->count[j] - 1));
                    p = agglo_pt_two_sided(t, df);
                }
            }
            r->t[i * L + j] = r->t[j * L + i] = t;
            r->df[i * L + j] = r->df[j * L + i] = df;
            r->p[i * L + j] = r->p[j * L + i] = p;
            r->sig[i * L + j] = r->sig[j * L + i] = p < alpha;
        }
    }
    free(ss);
    return AGGLO_OK;
nomem:
    free(ss);
    detect_risk_free(r);
    return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
}
