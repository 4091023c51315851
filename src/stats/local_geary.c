/* Local Geary (Anselin 1995, 2019), univariate and multivariate, as spdep localC: the
 * statistic on variables standardised with the sample sd; conditional permutation without
 * replacement (GeoDa, esda) with one rng stream per observation; GeoDa's cluster classes. */
#include "agglo/autocorr.h"
#include "../core/core_internal.h"
#include "stats_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

const char *agglo_geary_local_cluster_name(int code)
{
    static const char *const names[7] = {"not significant", "High-High", "Low-Low",
                                         "Other Positive", "Negative", "no neighbours",
                                         "Positive"};
    return code >= 0 && code < 7 ? names[code] : "?";
}

static double *dnew(agglo_ctx *ctx, size_t n, int *ok)
{
    double *p = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!p)
        *ok = 0;
    return p;
}

/* Neighbour j of i is used when j != i (a diagonal adds (z_i - z_i)^2 = 0). */
typedef struct lg_data {
    size_t n, nv;
    const size_t *rp;
    const int32_t *col;
    const double *w;
    const double *z; /* n x nv, row-major */
    const double *obs;
    long N;
    uint64_t seed;
} lg_data;

static double lg_term(const double *zi, const double *zj, size_t nv)
{
    double s = 0;
    for (size_t v = 0; v < nv; v++) {
        double d = zi[v] - zj[v];
        s += d * d;
    }
    return s;
}

static int lg_permute(agglo_ctx *ctx, const lg_data *d, double *p_sim, double *mean, double *sd,
                      size_t *all_ties)
{
    size_t n = d->n, nv = d->nv, ties = 0;
    if (n - 1 > UINT32_MAX)
        return agglo_error(ctx, AGGLO_E_USAGE, "local Geary: too many observations to permute");
    int failed = 0;
    int nthreads = agglo_threads_for(ctx);
    (void)nthreads;
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads) reduction(| : failed) reduction(+ : ties)
#endif
    {
        uint32_t *idx = malloc(n * sizeof(uint32_t));
        uint32_t *stamp = calloc(n, sizeof(uint32_t));
        uint32_t tag = 0;
        if (!idx || !stamp)
            failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 32)
#endif
        for (size_t i = 0; i < n; i++) {
            size_t k = 0;
            for (size_t a = d->rp[i]; a < d->rp[i + 1]; a++)
                k += (size_t)d->col[a] != i;
            if (k == 0 || !idx || !stamp || k > n - 1) {
                p_sim[i] = mean[i] = sd[i] = NAN;
                continue;
            }
            const double *zi = d->z + i * nv;
            const double obs = d->obs[i] * (double)nv; /* compare sums over variables */
            const double tol = 1e-11 * fabs(obs);
            const uint32_t m = (uint32_t)(n - 1), ii = (uint32_t)i;
            /* sparse draws (rejection of repeats) when i has few neighbours, else a partial
             * Fisher-Yates shuffle of the other observations */
            int sparse = 4 * k <= m;
            if (!sparse)
                for (uint32_t t = 0, q = 0; t < n; t++)
                    if (t != ii)
                        idx[q++] = t;
            agglo_rng g;
            agglo_rng_init(&g, d->seed, (uint64_t)i);
            long ge = 0, le = 0;
            double mu = 0, m2 = 0;
            for (long p = 0; p < d->N; p++) {
                double c = 0;
                if (sparse && ++tag == 0) {
                    memset(stamp, 0, n * sizeof(uint32_t));
                    tag = 1;
                }
                size_t a = 0;
                for (size_t e = d->rp[i]; e < d->rp[i + 1]; e++) {
                    if ((size_t)d->col[e] == i)
                        continue;
                    uint32_t j;
                    if (sparse) {
                        do {
                            j = agglo_rng_below(&g, m);
                            j += j >= ii;
                        } while (stamp[j] == tag);
                        stamp[j] = tag;
                    } else {
                        uint32_t t = (uint32_t)a + agglo_rng_below(&g, m - (uint32_t)a);
                        j = idx[t];
                        idx[t] = idx[a];
                        idx[a] = j;
                    }
                    c += d->w[e] * lg_term(zi, d->z + (size_t)j * nv, nv);
                    a++;
                }
                double diff = c - obs;
                ge += diff >= -tol;
                le += diff <= tol;
                mu += diff;
                m2 += diff * diff;
            }
            double Nd = (double)d->N;
            mu /= Nd;
            double var = fmax(m2 / Nd - mu * mu, 0.0);
            long M = ge < le ? ge : le;
            ties += ge == d->N && le == d->N;
            p_sim[i] = (double)(M + 1) / (Nd + 1);
            mean[i] = (mu + obs) / (double)nv;
            sd[i] = sqrt(var) / (double)nv;
        }
        free(idx);
        free(stamp);
    }
    if (failed)
        return agglo_error(ctx, AGGLO_E_NOMEM, "local Geary: out of memory in the permutations");
    *all_ties = ties;
    return AGGLO_OK;
}

agglo_local_result *agglo_geary_local(agglo_ctx *ctx, const agglo_weights *w,
                                      const double *const *x, size_t nvars,
                                      const agglo_autocorr_options *opt)
{
    agglo_autocorr_options dflt;
    if (!opt) {
        agglo_autocorr_options_init(&dflt);
        opt = &dflt;
    }
    const char *what = "local Geary";
    if (!w || !x || nvars == 0) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: no weights or no variables", what);
        return NULL;
    }
    size_t n = agglo_weights_n(w);
    if (n < 3) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: needs at least 3 observations (got %zu)", what, n);
        return NULL;
    }
    if (opt->permutations < 0 || !(opt->alpha > 0 && opt->alpha < 1)) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: negative permutations or alpha not in (0, 1)", what);
        return NULL;
    }
    if (nvars > 1024) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: %zu variables (at most 1024)", what, nvars);
        return NULL;
    }
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *wv = agglo_weights_values(w);
    double *z = agglo_malloc(ctx, n * nvars * sizeof(double));
    agglo_local_result *r = agglo_calloc(ctx, 1, sizeof *r);
    if (!z || !r) {
        free(z);
        free(r);
        return NULL;
    }
    /* standardise each variable (R scale(): sd with divisor n - 1) on its exactly rescaled
     * copy, so huge or tiny magnitudes neither overflow nor underflow */
    for (size_t v = 0; v < nvars; v++) {
        char field[32];
        snprintf(field, sizeof field, "variable %zu", v + 1);
        agglo_var_info vi;
        if (agglo_autocorr_check_variable(ctx, x[v], n, w, AGGLO_CHECK_NONCONSTANT,
                                          nvars > 1 ? field : "values", what, &vi) != AGGLO_OK)
            goto fail;
        double *s = agglo_scaled_copy(ctx, x[v], n, vi.exponent);
        if (!s)
            goto fail;
        double mu = 0;
        for (size_t i = 0; i < n; i++)
            mu += s[i];
        mu /= (double)n;
        double ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += (s[i] - mu) * (s[i] - mu);
        double sd = sqrt(ss / (double)(n - 1));
        for (size_t i = 0; i < n; i++)
            z[i * nvars + v] = (s[i] - mu) / sd;
        free(s);
    }
    int ok = 1;
    r->kind = AGGLO_STAT_GEARY_LOCAL;
    r->n = n;
    r->stat = dnew(ctx, n, &ok);
    r->z = dnew(ctx, n, &ok);
    r->p = dnew(ctx, n, &ok);
    r->p_adjusted = dnew(ctx, n, &ok);
    r->value_z = dnew(ctx, n, &ok);
    r->lag_z = dnew(ctx, n, &ok);
    if (opt->permutations > 0) {
        r->p_sim = dnew(ctx, n, &ok);
        r->sim_mean = dnew(ctx, n, &ok);
        r->sim_sd = dnew(ctx, n, &ok);
    }
    r->quadrant = agglo_calloc(ctx, n, sizeof(int));
    r->cluster = agglo_calloc(ctx, n, sizeof(int));
    r->island = agglo_calloc(ctx, n, 1);
    if (!ok || !r->quadrant || !r->cluster || !r->island)
        goto fail;
    r->permutations = opt->permutations;
    r->seed = opt->seed;
    r->alpha = opt->alpha;
    r->correction = opt->correction;
    r->alternative = opt->alternative;

    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        double c = 0, lag = 0;
        for (size_t a = rp[i]; a < rp[i + 1]; a++) {
            size_t j = (size_t)col[a];
            if (j == i)
                continue;
            k++;
            c += wv[a] * lg_term(z + i * nvars, z + j * nvars, nvars);
            lag += wv[a] * z[j * nvars];
        }
        r->value_z[i] = z[i * nvars];
        r->lag_z[i] = lag;
        r->island[i] = k == 0;
        r->islands += k == 0;
        r->stat[i] = k ? c / (double)nvars : NAN;
        /* spdep localC_perm: a = x - mean, b = lag(a); q 1 HH (a > 0, b > 0), 3 (a <= 0,
         * b > 0), 2 LL (a <= 0, b <= 0), 4 otherwise */
        double av = z[i * nvars];
        r->quadrant[i] = k == 0 ? 0 : av > 0 ? (lag > 0 ? 1 : 4) : (lag > 0 ? 3 : 2);
    }
    if (r->islands == n) {
        agglo_error(ctx, AGGLO_E_NONEIGHBOURS, "%s: no observation has neighbours", what);
        goto fail;
    }
    for (size_t i = 0; i < n; i++)
        r->z[i] = r->p[i] = NAN;
    if (opt->permutations > 0) {
        lg_data d = {n, nvars, rp, col, wv, z, r->stat, opt->permutations, opt->seed};
        if (lg_permute(ctx, &d, r->p_sim, r->sim_mean, r->sim_sd, &r->all_ties) != AGGLO_OK)
            goto fail;
        for (size_t i = 0; i < n; i++) {
            if (r->island[i])
                continue;
            if (r->sim_sd[i] > 0) {
                r->z[i] = (r->stat[i] - r->sim_mean[i]) / r->sim_sd[i];
                r->p[i] = st_pvalue(r->z[i], (int)opt->alternative);
            } else {
                r->undefined++;
            }
        }
        if (agglo_p_adjust(ctx, r->p_sim, n, opt->correction, r->p_adjusted) != AGGLO_OK)
            goto fail;
    } else {
        for (size_t i = 0; i < n; i++)
            r->p_adjusted[i] = NAN;
    }
    memset(r->counts, 0, sizeof r->counts);
    for (size_t i = 0; i < n; i++) {
        int c = 0;
        if (r->island[i])
            c = 5;
        else if (r->p_sim && !isnan(r->p_adjusted[i]) && r->p_adjusted[i] <= r->alpha)
            c = nvars == 1 ? r->quadrant[i] : (r->stat[i] <= r->sim_mean[i] ? 6 : 4);
        r->cluster[i] = c;
        r->counts[c]++;
    }
    if (r->islands)
        agglo_warn(ctx, "%s: %zu observation(s) without neighbours: statistic and p left NA "
                        "(labelled 'no neighbours')", what, r->islands);
    if (r->all_ties)
        agglo_warn(ctx, "%s: %zu observation(s) whose every permuted statistic tied with the "
                        "observed one: pseudo p = 1 (ties count as at least as extreme)",
                   what, r->all_ties);
    free(z);
    return r;
fail:
    free(z);
    agglo_local_result_free(r);
    return NULL;
}
