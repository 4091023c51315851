/* Optimal discretisation (Song et al. 2020, R package GD's optidisc): the method and number
 * of classes giving the largest factor-detector q, skipping candidates with duplicate breaks
 * or a class of fewer than 2 observations. */
#include "detect_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdlib.h>

int agglo_discretize_optimal(agglo_ctx *ctx, const double *y, const double *x, size_t n,
                             unsigned method_mask, int kmin, int kmax, agglo_disc_optimal *out,
                             double *qv)
{
    out->breaks = NULL;
    out->nbreaks = 0;
    out->q = NAN;
    out->k = 0;
    out->method = AGGLO_DISC_EQUAL;
    if (method_mask == 0)
        method_mask = (1u << AGGLO_DISC_NMETHODS) - 1;
    if (kmin < 2 || kmax < kmin)
        return agglo_error(ctx, AGGLO_E_USAGE, "optimal discretisation: classes %d..%d", kmin,
                           kmax);
    int *cls = agglo_malloc(ctx, (n ? n : 1) * sizeof *cls);
    size_t *cnt = agglo_malloc(ctx, ((size_t)kmax * 4 + 2100) * sizeof *cnt);
    if (!cls || !cnt) {
        free(cls);
        free(cnt);
        return AGGLO_E_NOMEM;
    }
    int nk = kmax - kmin + 1;
    for (int m = 0; m < AGGLO_DISC_NMETHODS; m++) {
        for (int k = kmin; k <= kmax; k++) {
            double q = NAN;
            double *br = NULL;
            size_t nb = 0;
            if (!(method_mask & (1u << m)))
                goto record;
            if (agglo_discretize_breaks(ctx, x, n, (agglo_disc_method)m, k, &br, &nb) != AGGLO_OK) {
                if (agglo_ctx_errcode(ctx) == AGGLO_E_NOMEM)
                    goto nomem;
                agglo_ctx_clear_error(ctx);
                goto record;
            }
            int ok = nb >= 2;
            for (size_t i = 1; i < nb && ok; i++)
                ok = br[i] > br[i - 1];
            if (ok) {
                agglo_discretize_classify(x, n, br, nb, cls);
                for (size_t c = 0; c + 1 < nb; c++)
                    cnt[c] = 0;
                for (size_t i = 0; i < n && ok; i++) {
                    if (cls[i] < 0)
                        ok = 0;
                    else
                        cnt[cls[i]]++;
                }
                for (size_t c = 0; c + 1 < nb && ok; c++)
                    ok = cnt[c] >= 2;
            }
            if (ok) {
                agglo_gd_factor f;
                if (agglo_gd_factor_detect(ctx, y, cls, n, nb - 1, &f)) {
                    free(br);
                    goto fail;
                }
                q = f.q;
                if (isnan(out->q) || q > out->q) {
                    free(out->breaks);
                    out->breaks = br;
                    out->nbreaks = nb;
                    br = NULL;
                    out->q = q;
                    out->k = k;
                    out->method = (agglo_disc_method)m;
                }
            }
            free(br);
        record:
            if (qv)
                qv[m * nk + (k - kmin)] = q;
        }
    }
    free(cls);
    free(cnt);
    if (!out->breaks)
        return agglo_error(ctx, AGGLO_E_NUMERIC,
                           "optimal discretisation: no candidate has every class with 2 or more "
                           "observations");
    return AGGLO_OK;
nomem:
    agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
fail:
    free(cls);
    free(cnt);
    free(out->breaks);
    out->breaks = NULL;
    return agglo_ctx_errcode(ctx);
}
