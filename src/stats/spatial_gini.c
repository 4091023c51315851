/* The Rey-Smith (2013) spatial decomposition of the Gini coefficient (PySAL inequality
 * Gini_Spatial): the sum of absolute differences over neighbour pairs and over the other
 * pairs, with permutation inference (one rng stream per permutation). */
#include "agglo/autocorr.h"
#include "../core/core_internal.h"
#include "stats_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sum over listed links i -> j (j != i) of |v_i - v_j| */
static double sad_links(size_t n, const size_t *rp, const int32_t *col, const double *v)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double part = 0;
        for (size_t a = rp[i]; a < rp[i + 1]; a++)
            if ((size_t)col[a] != i)
                part += fabs(v[i] - v[col[a]]);
        s += part;
    }
    return s;
}

int agglo_spatial_gini(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, agglo_spatial_gini_result *res)
{
    const char *what = "spatial Gini";
    if (!w || !x || !res)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: no weights, values or result", what);
    memset(res, 0, sizeof *res);
    long N = opt ? opt->permutations : 0;
    if (N < 0)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: negative number of permutations", what);
    size_t n = agglo_weights_n(w);
    if (n < 2)
        return agglo_error(ctx, AGGLO_E_EMPTY, "%s: needs at least 2 observations", what);
    agglo_var_info vi;
    int rc = agglo_autocorr_check_variable(ctx, x, n, w,
                                           AGGLO_CHECK_NONCONSTANT | AGGLO_CHECK_NONNEGATIVE,
                                           "values", what, &vi);
    if (rc)
        return rc;
    /* every statistic is a ratio or a level; the level ones are scaled back at the end */
    double *v = agglo_scaled_copy(ctx, x, n, vi.exponent);
    double *s = agglo_malloc(ctx, n * sizeof(double));
    if (!v || !s) {
        free(v);
        free(s);
        return AGGLO_E_NOMEM;
    }
    memcpy(s, v, n * sizeof(double));
    qsort(s, n, sizeof(double), cmp_double);
    /* sum_i sum_j |x_i - x_j| = 2 sum_k (2k - n - 1) x_(k), k = 1..n */
    double d = 0, tot = 0;
    for (size_t k = 0; k < n; k++) {
        d += (2.0 * (double)(k + 1) - (double)n - 1.0) * s[k];
        tot += s[k];
    }
    d *= 2.0;
    free(s);
    double mean = tot / (double)n, den = 2.0 * (double)n * (double)n * mean;
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    size_t links = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t a = rp[i]; a < rp[i + 1]; a++)
            links += (size_t)col[a] != i;
    if (links == 0) {
        free(v);
        return agglo_error(ctx, AGGLO_E_NONEIGHBOURS, "%s: no observation has neighbours", what);
    }
    double wg = sad_links(n, rp, col, v);
    double wcg = d - wg;
    double npairs = (double)n * (double)(n - 1) / 2.0;
    double nn = (double)links / 2.0, nd = npairs - nn;
    double scale = ldexp(1.0, -vi.exponent);
    res->n = n;
    res->gini = d / den;
    res->sad_total = d * scale;
    res->sad_neighbours = wg * scale;
    res->sad_nonneighbours = wcg * scale;
    res->nonneighbour_share = wcg / den;
    res->neighbour_pairs = nn;
    res->nonneighbour_pairs = nd;
    res->polarization = nd > 0 && wg > 0 ? (wcg / wg) * (nn / nd) : NAN;
    res->permutations = N;
    res->seed = opt ? opt->seed : 0;
    res->p_sim = res->sim_mean = res->sim_sd = res->z = res->p_z = NAN;
    res->polarization_p_sim = NAN;
    if (N > 0) {
        if (n > UINT32_MAX) {
            free(v);
            return agglo_error(ctx, AGGLO_E_USAGE, "%s: too many observations to permute", what);
        }
        double *sim = agglo_malloc(ctx, (size_t)N * sizeof(double));
        if (!sim) {
            free(v);
            return AGGLO_E_NOMEM;
        }
        int failed = 0;
        int nthreads = agglo_threads_for(ctx);
        (void)nthreads;
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads) reduction(| : failed)
#endif
        {
            double *pv = malloc(n * sizeof(double));
            if (!pv)
                failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 16)
#endif
            for (long p = 0; p < N; p++) {
                if (!pv)
                    continue;
                memcpy(pv, v, n * sizeof(double));
                agglo_rng g;
                agglo_rng_init(&g, opt->seed, (uint64_t)p);
                for (size_t i = n - 1; i > 0; i--) {
                    size_t j = agglo_rng_below(&g, (uint32_t)(i + 1));
                    double t = pv[i];
                    pv[i] = pv[j];
                    pv[j] = t;
                }
                sim[p] = d - sad_links(n, rp, col, pv);
            }
            free(pv);
        }
        if (failed) {
            free(sim);
            free(v);
            return agglo_error(ctx, AGGLO_E_NOMEM, "%s: out of memory in the permutations", what);
        }
        double tol = 1e-11 * fabs(d);
        long ge = 0, le = 0, pge = 0;
        double mu = 0;
        for (long p = 0; p < N; p++) {
            ge += sim[p] >= wcg - tol;
            le += sim[p] <= wcg + tol;
            mu += sim[p];
            /* polarization is increasing in WC (W = D - WC): the same order */
            pge += sim[p] >= wcg - tol;
        }
        mu /= (double)N;
        double ss = 0;
        for (long p = 0; p < N; p++)
            ss += (sim[p] - mu) * (sim[p] - mu);
        double sd = sqrt(ss / (double)N);
        res->n_greater_equal = ge;
        res->n_less_equal = le;
        res->p_sim = (double)((ge < le ? ge : le) + 1) / (double)(N + 1);
        res->sim_mean = mu * scale;
        res->sim_sd = sd * scale;
        res->z = sd > 0 ? (wcg - mu) / sd : NAN;
        res->p_z = isnan(res->z) ? NAN : st_pnorm_upper(res->z);
        res->polarization_p_sim = (double)(pge + 1) / (double)(N + 1);
        free(sim);
    }
    free(v);
    return AGGLO_OK;
}
