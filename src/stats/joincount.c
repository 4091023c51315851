/* Join counts of a categorical variable: same-colour joins per level, different-colour joins
 * per pair of levels and their total, with the non-free sampling moments of spdep
 * joincount.test / joincount.multi and permutation inference (one rng stream per
 * permutation). */
#include "agglo/autocorr.h"
#include "../core/core_internal.h"
#include "stats_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define JC_MAX_LEVELS 64

void agglo_joincount_result_free(agglo_joincount_result *r)
{
    if (!r)
        return;
    free(r->level_count);
    free(r->stats);
    free(r);
}

/* Value of w_ji; *listed = whether row j lists i (columns of each row are sorted). */
static double w_at(const size_t *rp, const int32_t *col, const double *wv, size_t j, int32_t i,
                   int *listed)
{
    size_t lo = rp[j], hi = rp[j + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (col[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    *listed = lo < rp[j + 1] && col[lo] == i;
    return *listed ? wv[lo] : 0.0;
}

/* The k x k matrix J[a][b] = sum over i of class a, j of class b of w_ij (diagonal excluded),
 * then the statistics: J[a][a]/2, (J[a][b] + J[b][a])/2 for a > b, and their total. */
static void jc_stats(size_t n, const size_t *rp, const int32_t *col, const double *wv,
                     const int *lev, size_t k, double *J, double *out)
{
    memset(J, 0, k * k * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double *row = J + (size_t)lev[i] * k;
        for (size_t a = rp[i]; a < rp[i + 1]; a++)
            if ((size_t)col[a] != i)
                row[lev[col[a]]] += wv[a];
    }
    size_t s = 0;
    for (size_t a = 0; a < k; a++)
        out[s++] = 0.5 * J[a * k + a];
    double tot = 0.0;
    for (size_t a = 1; a < k; a++)
        for (size_t b = 0; b < a; b++) {
            double v = 0.5 * (J[a * k + b] + J[b * k + a]);
            out[s++] = v;
            tot += v;
        }
    out[s] = tot;
}

agglo_joincount_result *agglo_joincount(agglo_ctx *ctx, const agglo_weights *w,
                                        const int *level, size_t nlevels,
                                        const agglo_autocorr_options *opt)
{
    agglo_autocorr_options dflt;
    if (!opt) {
        agglo_autocorr_options_init(&dflt);
        opt = &dflt;
    }
    if (!w || !level) {
        agglo_error(ctx, AGGLO_E_USAGE, "join counts: no weights or no variable");
        return NULL;
    }
    size_t n = agglo_weights_n(w);
    if (nlevels < 2 || nlevels > JC_MAX_LEVELS) {
        agglo_error(ctx, AGGLO_E_USAGE,
                    "join counts: the variable has %zu level(s); 2 to %d are supported", nlevels,
                    JC_MAX_LEVELS);
        return NULL;
    }
    if (opt->permutations < 0) {
        agglo_error(ctx, AGGLO_E_USAGE, "join counts: negative number of permutations");
        return NULL;
    }
    if (n < 4) {
        agglo_error(ctx, AGGLO_E_EMPTY, "join counts: %zu observation(s); at least 4 are needed", n);
        return NULL;
    }
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *wv = agglo_weights_values(w);
    agglo_joincount_result *r = agglo_calloc(ctx, 1, sizeof *r);
    if (!r)
        return NULL;
    size_t k = nlevels;
    r->n = n;
    r->nlevels = k;
    r->alternative = opt->alternative;
    r->permutations = opt->permutations;
    r->seed = opt->seed;
    r->nstats = k + k * (k - 1) / 2 + 1;
    r->level_count = agglo_calloc(ctx, k, sizeof(size_t));
    r->stats = agglo_calloc(ctx, r->nstats, sizeof *r->stats);
    double *J = agglo_malloc(ctx, k * k * sizeof(double));
    double *obs = agglo_malloc(ctx, r->nstats * sizeof(double));
    if (!r->level_count || !r->stats || !J || !obs)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (level[i] < 0 || (size_t)level[i] >= k) {
            agglo_error(ctx, AGGLO_E_USAGE, "join counts: observation %s has level code %d, not "
                                            "in 0..%zu", agglo_weights_id(w, i), level[i], k - 1);
            goto fail;
        }
        r->level_count[level[i]]++;
    }
    for (size_t a = 0; a < k; a++)
        if (r->level_count[a] == 0) {
            agglo_error(ctx, AGGLO_E_USAGE, "join counts: level %zu has no observation", a);
            goto fail;
        }
    r->islands = agglo_weights_islands(w);
    if (r->islands == n) {
        agglo_error(ctx, AGGLO_E_NONEIGHBOURS, "join counts: no observation has neighbours");
        goto fail;
    }
    /* weight constants S0, S1 = 1/2 sum (w_ij + w_ji)^2, S2 = sum_i (w_i. + w_.i)^2 */
    {
        double s0 = 0, s1 = 0, s2 = 0;
        double *cs = agglo_calloc(ctx, n, sizeof(double));
        if (!cs)
            goto fail;
        for (size_t i = 0; i < n; i++)
            for (size_t a = rp[i]; a < rp[i + 1]; a++) {
                if ((size_t)col[a] == i)
                    continue;
                int listed;
                double wij = wv[a], wji = w_at(rp, col, wv, (size_t)col[a], (int32_t)i, &listed);
                s0 += wij;
                /* (i,j) and (j,i) both contribute (w_ij + w_ji)^2; a link listed only as
                 * i -> j adds both here */
                s1 += (listed ? 1.0 : 2.0) * (wij + wji) * (wij + wji);
                cs[col[a]] += wij;
            }
        for (size_t i = 0; i < n; i++) {
            double rs = 0;
            for (size_t a = rp[i]; a < rp[i + 1]; a++)
                if ((size_t)col[a] != i)
                    rs += wv[a];
            s2 += (rs + cs[i]) * (rs + cs[i]);
        }
        free(cs);
        r->s0 = s0;
        r->s1 = 0.5 * s1;
        r->s2 = s2;
    }
    jc_stats(n, rp, col, wv, level, k, J, obs);

    /* moments (spdep joincount.test / joincount.multi, non-free sampling) */
    {
        double nall = (double)n;
        double N = opt->adjust_n ? (double)(n - r->islands) : nall;
        r->n_used = (size_t)N;
        double n1 = N - 1, n2 = N - 2, n3 = N - 3;
        double S0 = r->s0, S1 = r->s1, S2 = r->s2, S02 = S0 * S0;
        double nt[JC_MAX_LEVELS];
        for (size_t a = 0; a < k; a++)
            nt[a] = (double)r->level_count[a];
        size_t s = 0;
        for (size_t a = 0; a < k; a++, s++) {
            double t = nt[a];
            double E = S0 * t * (t - 1) / (2 * N * n1);
            double V = S1 * t * (t - 1) / (N * n1);
            V += (S2 - 2 * S1) * t * (t - 1) * (t - 2) / (N * n1 * n2);
            V += (S02 + S1 - S2) * t * (t - 1) * (t - 2) * (t - 3) / (N * n1 * n2 * n3);
            V = 0.25 * V - E * E;
            r->stats[s].a = r->stats[s].b = (int)a;
            r->stats[s].expected = E;
            r->stats[s].variance = V;
        }
        double Jexp = 0, sum_rs = 0, sum_rs2 = 0;
        for (size_t a = 1; a < k; a++)
            for (size_t b = 0; b < a; b++, s++) {
                double rs = nt[a] * nt[b], rpl = nt[a] + nt[b];
                double E = S0 * rs / (N * n1);
                double V = 2 * S1 * rs / (N * n1);
                V += (S2 - 2 * S1) * rs * (rpl - 2) / (N * n1 * n2);
                V += 4 * (S02 + S1 - S2) * (nt[a] * (nt[a] - 1)) * (nt[b] * (nt[b] - 1)) /
                     (N * n1 * n2 * n3);
                V = 0.25 * V - E * E;
                r->stats[s].a = (int)a;
                r->stats[s].b = (int)b;
                r->stats[s].expected = E;
                r->stats[s].variance = V;
                Jexp += E;
                sum_rs += rs;
                sum_rs2 += nt[a] * nt[a] * nt[b] * nt[b];
            }
        /* Jtot: Cliff & Ord's variance as spdep joincount.multi writes it (its first (2n - 3)
         * uses the unadjusted n, the last the adjusted one) */
        double d4 = N * n1 * n2 * n3;
        double Jvar = (S2 / (N * n1) - 4 * (S02 + S1 - S2) * n1 / d4) * sum_rs;
        Jvar += 4 * ((S1 - S2) / d4 + 2 * S02 * (2 * nall - 3) / ((N * n1) * d4)) * sum_rs2;
        if (k > 2) {
            double t3 = 0;
            for (size_t a = 0; a + 2 < k; a++)
                for (size_t b = a + 1; b + 1 < k; b++)
                    for (size_t c = b + 1; c < k; c++)
                        t3 += nt[a] * nt[b] * nt[c];
            Jvar += ((2 * S1 - 5 * S2) / (N * n1 * n2) + 12 * (S02 + S1 - S2) / d4 +
                     8 * S02 / (N * n1 * n2 * n1)) * t3;
        }
        if (k > 3) {
            double t4 = 0;
            for (size_t a = 0; a + 3 < k; a++)
                for (size_t b = a + 1; b + 2 < k; b++)
                    for (size_t c = b + 1; c + 1 < k; c++)
                        for (size_t d = c + 1; d < k; d++)
                            t4 += nt[a] * nt[b] * nt[c] * nt[d];
            Jvar -= 8 * ((S1 - S2) / d4 + 2 * S02 * (2 * N - 3) / ((N * n1) * d4)) * t4;
        }
        r->stats[s].a = r->stats[s].b = -1;
        r->stats[s].expected = Jexp;
        r->stats[s].variance = 0.25 * Jvar;
        for (size_t q = 0; q < r->nstats; q++) {
            agglo_joincount_stat *st = &r->stats[q];
            st->joins = obs[q];
            st->z = st->variance > 0 ? (st->joins - st->expected) / sqrt(st->variance) : NAN;
            st->p = st_pvalue(st->z, (int)opt->alternative);
            st->p_sim = st->p_perm = st->sim_mean = st->sim_var = NAN;
        }
    }

    /* permutations: permutation p shuffles the labels with the stream (seed, p) */
    if (opt->permutations > 0) {
        long N = opt->permutations;
        size_t m = r->nstats;
        if (agglo_memory_guard(ctx, (double)N * (double)m * sizeof(double),
                               "join-count permutations") != AGGLO_OK)
            goto fail;
        double *sim = agglo_malloc(ctx, (size_t)N * m * sizeof(double));
        if (!sim)
            goto fail;
        if (n > UINT32_MAX) {
            free(sim);
            agglo_error(ctx, AGGLO_E_USAGE, "join counts: too many observations to permute");
            goto fail;
        }
        int failed = 0;
        int nthreads = agglo_threads_for(ctx);
        (void)nthreads;
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads) reduction(| : failed)
#endif
        {
            int *lab = malloc(n * sizeof(int));
            double *Jt = malloc(k * k * sizeof(double));
            if (!lab || !Jt)
                failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 16)
#endif
            for (long p = 0; p < N; p++) {
                if (!lab || !Jt)
                    continue;
                memcpy(lab, level, n * sizeof(int));
                agglo_rng g;
                agglo_rng_init(&g, opt->seed, (uint64_t)p);
                for (size_t i = n - 1; i > 0; i--) {
                    size_t j = agglo_rng_below(&g, (uint32_t)(i + 1));
                    int t = lab[i];
                    lab[i] = lab[j];
                    lab[j] = t;
                }
                jc_stats(n, rp, col, wv, lab, k, Jt, sim + (size_t)p * m);
            }
            free(lab);
            free(Jt);
        }
        if (failed) {
            free(sim);
            agglo_error(ctx, AGGLO_E_NOMEM, "join counts: out of memory in the permutations");
            goto fail;
        }
        for (size_t q = 0; q < m; q++) {
            agglo_joincount_stat *st = &r->stats[q];
            double o = st->joins, tol = 1e-11 * fmax(fabs(o), 1.0);
            long ge = 0, le = 0;
            double mu = 0;
            for (long p = 0; p < N; p++) {
                double v = sim[(size_t)p * m + q];
                ge += v >= o - tol;
                le += v <= o + tol;
                mu += v;
            }
            mu /= (double)N;
            double ss = 0;
            for (long p = 0; p < N; p++) {
                double d = sim[(size_t)p * m + q] - mu;
                ss += d * d;
            }
            st->n_greater_equal = ge;
            st->n_less_equal = le;
            st->p_sim = (double)((ge < le ? ge : le) + 1) / (double)(N + 1);
            if (opt->alternative == AGGLO_ALT_GREATER)
                st->p_perm = (double)(ge + 1) / (double)(N + 1);
            else if (opt->alternative == AGGLO_ALT_LESS)
                st->p_perm = (double)(le + 1) / (double)(N + 1);
            else
                st->p_perm = fmin(1.0, 2.0 * st->p_sim);
            st->sim_mean = mu;
            st->sim_var = N > 1 ? ss / (double)(N - 1) : NAN;
        }
        free(sim);
    }
    if (r->islands)
        agglo_warn(ctx, "join counts: %zu observation(s) without neighbours%s", r->islands,
                   opt->adjust_n ? " (not counted in n for the moments, as spdep adjust.n)" : "");
    free(J);
    free(obs);
    return r;
fail:
    free(J);
    free(obs);
    agglo_joincount_result_free(r);
    return NULL;
}
