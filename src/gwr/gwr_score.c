/* Passes over all observations (distributed over MPI ranks when active) and the bandwidth
 * score: AICc, AIC, BIC or CV of a bandwidth (the search is gwr_search.c). */
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

int agglo__gwr_check_bw(agglo_ctx *ctx, const agglo_gwr_model *m, double bw)
{
    if (!(bw > 0) || !isfinite(bw))
        return agglo_error(ctx, AGGLO_E_USAGE, "gwr: bandwidth %g is not positive", bw);
    if (!m->o.fixed) {
        if (bw < 1 || floor(bw) > (double)m->n)
            return agglo_error(ctx, AGGLO_E_USAGE,
                               "gwr: adaptive bandwidth %g must be between 1 and the number of "
                               "observations (%zu)",
                               bw, m->n);
    }
    return AGGLO_OK;
}

int agglo__gwr_run_pass(agglo_ctx *ctx, const agglo_gwr_model *m, double bw, int full,
                    pass_arrays *a, size_t *nsing)
{
    size_t n = m->n, p = m->p;
    int nomem = 0;
    size_t ns = 0;
    int nth = agglo_threads_for(ctx);
    (void)nth;
    agglo__core_part part = agglo__core_mpi_partition(n);
    size_t lo = part.lo, hi = part.hi;
#ifdef _OPENMP
#pragma omp parallel num_threads(nth) reduction(+ : ns)
#endif
    {
        scratch s;
        int ok = agglo__gwr_scratch_init(&s, m) == 0;
        if (!ok) {
            AGGLO_FLAG_SET(nomem);
        }
        local_out o;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 32)
#endif
        for (size_t i = lo; i < hi; i++) {
            if (!ok)
                continue;
            memset(&o, 0, sizeof o);
            if (full) {
                o.beta = a->beta + i * p;
                o.cct = a->cct + i * p;
            }
            int r = agglo__gwr_local_fit(m, m->cx[i], m->cy[i], m->X + i * p, i, bw, full, &s, &o);
            if (r < 0) {
                AGGLO_FLAG_SET(nomem);
                continue;
            }
            if (a->singular)
                a->singular[i] = (unsigned char)(r == 1);
            if (r == 1) {
                ns++;
                a->yhat[i] = NAN;
                a->hat[i] = NAN;
                if (full) {
                    for (size_t j = 0; j < p; j++)
                        a->beta[i * p + j] = a->cct[i * p + j] = NAN;
                    a->sts[i] = a->cond[i] = NAN;
                    a->sw[i] = a->swy[i] = a->swy2[i] = NAN;
                }
                continue;
            }
            a->yhat[i] = o.yhat;
            a->hat[i] = o.hat;
            if (full) {
                a->sts[i] = o.sts;
                a->cond[i] = o.cond;
                a->sw[i] = o.sw;
                a->swy[i] = o.swy;
                a->swy2[i] = o.swy2;
            }
        }
        agglo__gwr_scratch_free(&s);
    }
    if (part.size > 1) {
        nomem = (int)agglo__core_mpi_allsum(&part, (size_t)nomem, 1);
        ns = agglo__core_mpi_allsum(&part, ns, 0);
        int bad = agglo__core_mpi_allgather(&part, n, a->yhat, 1, 0) || agglo__core_mpi_allgather(&part, n, a->hat, 1, 0);
        if (a->singular)
            bad = bad || agglo__core_mpi_allgather(&part, n, a->singular, 1, 1);
        if (full)
            bad = bad || agglo__core_mpi_allgather(&part, n, a->beta, p, 0) ||
                  agglo__core_mpi_allgather(&part, n, a->cct, p, 0) || agglo__core_mpi_allgather(&part, n, a->sts, 1, 0) ||
                  agglo__core_mpi_allgather(&part, n, a->cond, 1, 0) || agglo__core_mpi_allgather(&part, n, a->sw, 1, 0) ||
                  agglo__core_mpi_allgather(&part, n, a->swy, 1, 0) || agglo__core_mpi_allgather(&part, n, a->swy2, 1, 0);
        if (bad)
            return agglo_error(ctx, AGGLO_E_NUMERIC, "gwr: MPI communication failed");
    }
    *nsing = ns;
    if (nomem)
        return agglo_error(ctx, AGGLO_E_NOMEM, "gwr: out of memory in the local regressions");
    return AGGLO_OK;
}

double agglo__gwr_dev_term(agglo_gwr_family f, double y, double mu)
{
    if (f == AGGLO_GWR_FAMILY_BINOMIAL)
        return 2.0 * ((y > 0 ? y * log(y / mu) : 0.0) +
                      (y < 1 ? (1.0 - y) * log((1.0 - y) / (1.0 - mu)) : 0.0));
    return 2.0 * ((y > 0 ? y * log(y / mu) : 0.0) - (y - mu));
}

/* Criterion of a Gaussian fit from the responses y, fitted values and hat diagonal (GWR, and
 * MGWR's univariate searches): CV = mean squared leave-one-out residual; AIC/AICc/BIC from
 * -2 log L = n (log(2 pi RSS / n) + 1) with tr S + 1 parameters (FBC 2002). */
double agglo__gwr_gaussian_criterion(agglo_gwr_criterion crit, const double *y, const double *yhat,
                              const double *hat, size_t n, double *tmp)
{
    double dn = (double)n, trs = agglo_sum(hat, n);
    if (crit == AGGLO_GWR_CV) {
        for (size_t i = 0; i < n; i++) {
            double e = (y[i] - yhat[i]) / (1.0 - hat[i]);
            tmp[i] = e * e;
        }
        return agglo_sum(tmp, n) / dn;
    }
    for (size_t i = 0; i < n; i++) {
        double e = y[i] - yhat[i];
        tmp[i] = e * e;
    }
    double rss = agglo_sum(tmp, n);
    double m2llf = dn * (log(2.0 * M_PI * rss / dn) + 1.0);
    switch (crit) {
    case AGGLO_GWR_AICC: return m2llf + 2.0 * dn * (trs + 1.0) / (dn - trs - 2.0);
    case AGGLO_GWR_AIC: return m2llf + 2.0 * (trs + 1.0);
    case AGGLO_GWR_BIC: return m2llf + (trs + 1.0) * log(dn);
    default: return NAN;
    }
}

/* Criterion from fitted values and hat diagonal (all observations non-singular). */
static double criterion_value(const agglo_gwr_model *m, const double *yhat, const double *hat,
                              double *tmp, agglo_gwr_criterion crit)
{
    size_t n = m->n;
    double dn = (double)n;
    double trs = agglo_sum(hat, n);
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN)
        return agglo__gwr_gaussian_criterion(crit, m->y, yhat, hat, n, tmp);
    for (size_t i = 0; i < n; i++)
        tmp[i] = agglo__gwr_dev_term(m->o.family, m->y[i], yhat[i]);
    double dev = agglo_sum(tmp, n);
    switch (crit) {
    case AGGLO_GWR_AICC: return dev + 2.0 * trs + 2.0 * trs * (trs + 1.0) / (dn - trs - 1.0);
    case AGGLO_GWR_AIC: return dev + 2.0 * trs;
    case AGGLO_GWR_BIC: return dev + trs * log(dn);
    default: return NAN;
    }
}

int agglo_gwr_score(agglo_ctx *ctx, agglo_gwr_model *m, double bw, double *score)
{
    int rc = agglo__gwr_check_bw(ctx, m, bw);
    if (rc)
        return rc;
    size_t n = m->n;
    double *buf = agglo_malloc(ctx, 3 * n * sizeof(double));
    if (!buf)
        return AGGLO_E_NOMEM;
    pass_arrays a;
    memset(&a, 0, sizeof a);
    a.yhat = buf;
    a.hat = buf + n;
    size_t ns = 0;
    /* large Gaussian bisquare bandwidths: moment tables make the bulk of each disc O(rows)
     * (built once, on the first such bandwidth; without memory for them, sums stay direct) */
    if (m->o.family == AGGLO_GWR_FAMILY_GAUSSIAN && m->o.kernel == AGGLO_GWR_BISQUARE &&
        m->use_grid && !m->mom && !m->mom_failed &&
        (m->o.fixed ? bw >= agglo__gwr_moments_min_bandwidth(m) : bw >= (double)n / 16.0))
        m->mom_failed = agglo__gwr_moments_build(m) != 0;
    rc = agglo__gwr_run_pass(ctx, m, bw, 0, &a, &ns);
    if (rc == AGGLO_OK) {
        if (ns > 0) {
            *score = INFINITY;
        } else {
            double v = criterion_value(m, a.yhat, a.hat, buf + 2 * n, m->o.criterion);
            *score = isfinite(v) ? v : INFINITY;
        }
    }
    free(buf);
    return rc;
}
