/* GWR prediction: local estimates at new locations. */
#define _GNU_SOURCE
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../core/core_internal.h"
#include "gwr_internal.h"

int agglo_gwr_predict(agglo_ctx *ctx, agglo_gwr_model *m, double bw, size_t npts,
                      const double *px, const double *py, const double *const *xnew,
                      double *beta, double *yhat, size_t *nsingular)
{
    int rc = agglo__gwr_check_bw(ctx, m, bw);
    if (rc)
        return rc;
    if (!m->o.fixed)
        bw = floor(bw);
    size_t p = m->p;
    for (size_t i = 0; i < npts; i++) {
        if (!isfinite(px[i]) || !isfinite(py[i]))
            return agglo_error(ctx, AGGLO_E_GEOMETRY,
                               "gwr: prediction point %zu has no coordinates", i + 1);
        if (xnew)
            for (size_t j = 0; j + 1 < p; j++)
                if (!isfinite(xnew[j][i]))
                    return agglo_error(ctx, AGGLO_E_MISSING,
                                       "gwr: covariate %s is missing at prediction point %zu",
                                       m->names[j + 1], i + 1);
    }
    int nomem = 0;
    size_t ns = 0;
    int nth = agglo_threads_for(ctx);
    (void)nth;
#ifdef _OPENMP
#pragma omp parallel num_threads(nth) reduction(+ : ns)
#endif
    {
        scratch s;
        int ok = agglo__gwr_scratch_init(&s, m) == 0;
        double *xq = malloc(p * sizeof(double));
        if (!ok || !xq) {
            ok = 0;
            AGGLO_FLAG_SET(nomem);
        }
        double *bb = malloc(2 * p * sizeof(double));
        if (!bb && ok) {
            ok = 0;
            AGGLO_FLAG_SET(nomem);
        }
        local_out o;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 32)
#endif
        for (size_t i = 0; i < npts; i++) {
            if (!ok)
                continue;
            xq[0] = 1.0;
            for (size_t j = 1; j < p; j++)
                xq[j] = xnew ? (xnew[j - 1][i] - m->xmean[j]) / m->xsd[j] : 0.0;
            memset(&o, 0, sizeof o);
            o.beta = beta ? beta + i * p : bb;
            o.cct = bb + p;
            int r = agglo__gwr_local_fit(m, px[i], py[i], xq, SIZE_MAX, bw, 1, &s, &o);
            if (r < 0) {
                AGGLO_FLAG_SET(nomem);
                continue;
            }
            if (r == 1) {
                ns++;
                if (beta)
                    for (size_t j = 0; j < p; j++)
                        beta[i * p + j] = NAN;
                if (yhat)
                    yhat[i] = NAN;
                continue;
            }
            if (yhat) {
                double v = o.yhat;
                if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN)
                    v = v * m->ysd + m->ymean;
                yhat[i] = xnew ? v : NAN;
            }
        }
        free(xq);
        free(bb);
        agglo__gwr_scratch_free(&s);
    }
    if (nsingular)
        *nsingular = ns;
    if (nomem)
        return agglo_error(ctx, AGGLO_E_NOMEM, "gwr: out of memory");
    return AGGLO_OK;
}
