/* Local spatial autocorrelation: local Moran (LISA, spdep localmoran), bivariate LISA,
 * Getis-Ord Gi / Gi* (spdep localG); conditional permutation with one rng stream per
 * observation; multiple-testing corrections. */
#define _GNU_SOURCE
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

void agglo_local_result_free(agglo_local_result *r)
{
    if (!r)
        return;
    free(r->stat);
    free(r->expected);
    free(r->variance);
    free(r->z);
    free(r->p);
    free(r->p_sim);
    free(r->sim_mean);
    free(r->sim_sd);
    free(r->p_adjusted);
    free(r->value_z);
    free(r->lag_z);
    free(r->quadrant);
    free(r->cluster);
    free(r->island);
    free(r->g_value);
    free(r);
}

static double *dalloc(agglo_ctx *ctx, size_t n, int *ok)
{
    double *p = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!p)
        *ok = 0;
    return p;
}

/* A result for n observations with its inference settings from opt (permutation arrays when
 * opt asks for permutations; moments: expected value and variance arrays). */
static agglo_local_result *local_alloc(agglo_ctx *ctx, size_t n, agglo_stat_kind kind,
                                       int moments, const agglo_autocorr_options *opt)
{
    int perms = opt->permutations > 0;
    agglo_local_result *r = agglo_calloc(ctx, 1, sizeof *r);
    if (!r)
        return NULL;
    int ok = 1;
    r->kind = kind;
    r->n = n;
    r->stat = dalloc(ctx, n, &ok);
    r->z = dalloc(ctx, n, &ok);
    r->p = dalloc(ctx, n, &ok);
    r->p_adjusted = dalloc(ctx, n, &ok);
    r->value_z = dalloc(ctx, n, &ok);
    r->lag_z = dalloc(ctx, n, &ok);
    if (moments) {
        r->expected = dalloc(ctx, n, &ok);
        r->variance = dalloc(ctx, n, &ok);
    }
    if (perms) {
        r->p_sim = dalloc(ctx, n, &ok);
        r->sim_mean = dalloc(ctx, n, &ok);
        r->sim_sd = dalloc(ctx, n, &ok);
    }
    r->quadrant = agglo_calloc(ctx, n ? n : 1, sizeof(int));
    r->cluster = agglo_calloc(ctx, n ? n : 1, sizeof(int));
    r->island = agglo_calloc(ctx, n ? n : 1, 1);
    if (!ok || !r->quadrant || !r->cluster || !r->island) {
        agglo_local_result_free(r);
        return NULL;
    }
    r->permutations = opt->permutations;
    r->seed = opt->seed;
    r->alpha = opt->alpha;
    r->correction = opt->correction;
    r->alternative = opt->alternative;
    return r;
}

typedef struct pidx {
    double p;
    size_t i;
} pidx;

static int cmp_pidx(const void *a, const void *b)
{
    double x = ((const pidx *)a)->p, y = ((const pidx *)b)->p;
    if (x < y)
        return -1;
    if (x > y)
        return 1;
    size_t i = ((const pidx *)a)->i, j = ((const pidx *)b)->i;
    return (i > j) - (i < j);
}

int agglo_p_adjust(agglo_ctx *ctx, const double *p, size_t n, agglo_correction c, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += !isnan(p[i]);
    if (c == AGGLO_CORRECT_NONE || m == 0) {
        memmove(out, p, n * sizeof(double));
        return AGGLO_OK;
    }
    if (c == AGGLO_CORRECT_BONFERRONI) {
        for (size_t i = 0; i < n; i++)
            out[i] = isnan(p[i]) ? NAN : fmin(1.0, p[i] * (double)m);
        return AGGLO_OK;
    }
    if (c != AGGLO_CORRECT_FDR)
        return agglo_error(ctx, AGGLO_E_USAGE, "unknown p-value correction %d", (int)c);
    pidx *s = agglo_malloc(ctx, m * sizeof *s);
    if (!s)
        return AGGLO_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i])) {
            s[k].p = p[i];
            s[k++].i = i;
        }
    qsort(s, m, sizeof *s, cmp_pidx);
    /* Benjamini-Hochberg step-up: adj_(k) = min_{j >= k} p_(j) m / j (as R p.adjust "BH") */
    double run = 1.0;
    for (size_t j = m; j-- > 0;) {
        double v = s[j].p * (double)m / (double)(j + 1);
        if (v < run)
            run = v;
        s[j].p = run;
    }
    for (size_t i = 0; i < n; i++)
        if (isnan(p[i]))
            out[i] = NAN;
    for (size_t j = 0; j < m; j++)
        out[s[j].i] = s[j].p;
    free(s);
    return AGGLO_OK;
}

/* ---------------------------------------------------------------- conditional permutation */

typedef struct cperm {
    size_t n;
    const size_t *rp;
    const int32_t *col;
    const double *w;
    const double *mult; /* statistic_i = mult[i] * sum_j w_ij vals[pick_j] */
    const double *vals;
    const double *obs;  /* observed statistic */
    long N;
    uint64_t seed;
    const double *offset; /* NULL or a fixed part: statistic_i = mult[i] (offset[i] + sum ...),
                             e.g. Gi*'s w_ii x_i with the value at i held fixed */
} cperm;

/* Per observation: the folded pseudo p (M+1)/(N+1), M = min(#sim >= obs, #sim <= obs) (ties
 * count in both tails: docs/autocorrelation.md, "Permutation ties"), and the mean/sd of the
 * simulated statistics. Stream (seed, i). *all_ties: observations whose every simulated
 * statistic tied with the observed one (p = 1). */
static int conditional_permutation(agglo_ctx *ctx, const cperm *c, double *p_sim, double *mean,
                                   double *sd, size_t *all_ties)
{
    size_t ties = 0;
    size_t n = c->n;
    if (n - 1 > UINT32_MAX)
        return agglo_error(ctx, AGGLO_E_USAGE, "permutations: too many observations");
    int failed = 0;
    int nthreads = agglo_threads_for(ctx);
    (void)nthreads;
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads) reduction(| : failed) reduction(+ : ties)
#endif
    {
        uint32_t *stamp = NULL, *idx = NULL, tag = 0;
        uint32_t picks[16];
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 64)
#endif
        for (size_t i = 0; i < n; i++) {
            size_t a0 = c->rp[i], k = c->rp[i + 1] - a0;
            if (k == 0 || failed) {
                p_sim[i] = mean[i] = sd[i] = NAN;
                continue;
            }
            const double *wv = c->w + a0;
            const double *vals = c->vals;
            const double mult = c->mult[i], obs = c->obs[i];
            const double off = c->offset ? c->offset[i] : 0.0;
            /* values equal to the observed one up to rounding (another summation order of the
             * same numbers) count as ties, i.e. as at least as extreme */
            const double tol = 1e-11 * fabs(obs);
            const uint32_t m = (uint32_t)(n - 1), ii = (uint32_t)i;
            st_pair r;
            st_pair_init(&r, c->seed, (uint64_t)i);
            long ge = 0, le = 0;
            double mu = 0.0, m2acc = 0.0;
            int mode = (k <= 16 && 2 * k <= m) ? 0 : (2 * k <= m ? 1 : 2);
            if (mode == 1 && !stamp) {
                stamp = calloc(n, sizeof(uint32_t));
                if (!stamp) {
                    failed = 1;
                    continue;
                }
            }
            if (mode == 2) {
                if (!idx) {
                    idx = malloc(n * sizeof(uint32_t));
                    if (!idx) {
                        failed = 1;
                        continue;
                    }
                }
                for (uint32_t t = 0, q = 0; t < n; t++)
                    if (t != ii)
                        idx[q++] = t;
            }
            if (k > m) { /* more neighbours than other observations: impossible in valid W */
                p_sim[i] = mean[i] = sd[i] = NAN;
                continue;
            }
            for (long p = 0; p < c->N; p++) {
                double l = 0.0;
                if (mode == 0) {
                    /* k distinct others: draw the k-tuple, redraw it whole on a repeat
                     * (uniform over distinct tuples), then gather */
                    int dup;
                    do {
                        size_t a = 0;
                        for (; a + 1 < k; a += 2) { /* two draws per 64-bit output */
                            uint64_t v = agglo_rng_next(&r.r);
                            uint32_t j0 = st_bounded(&r, (uint32_t)(v >> 32), m);
                            uint32_t j1 = st_bounded(&r, (uint32_t)v, m);
                            picks[a] = j0 + (j0 >= ii);
                            picks[a + 1] = j1 + (j1 >= ii);
                        }
                        if (a < k) {
                            uint32_t j = st_bounded(&r, (uint32_t)(agglo_rng_next(&r.r) >> 32), m);
                            picks[a] = j + (j >= ii);
                        }
                        dup = 0;
                        for (size_t a = 1; a < k; a++)
                            for (size_t b = 0; b < a; b++)
                                dup |= picks[a] == picks[b];
                    } while (dup);
                    double l2 = 0.0;
                    size_t a = 0;
                    for (; a + 1 < k; a += 2) {
                        l += wv[a] * vals[picks[a]];
                        l2 += wv[a + 1] * vals[picks[a + 1]];
                    }
                    if (a < k)
                        l += wv[a] * vals[picks[a]];
                    l += l2;
                } else if (mode == 1) {
                    if (++tag == 0) {
                        memset(stamp, 0, n * sizeof(uint32_t));
                        tag = 1;
                    }
                    for (size_t a = 0; a < k; a++) {
                        uint32_t j;
                        do {
                            j = st_below32(&r, m);
                            j += j >= ii;
                        } while (stamp[j] == tag);
                        stamp[j] = tag;
                        l += wv[a] * vals[j];
                    }
                } else {
                    for (size_t a = 0; a < k; a++) {
                        uint32_t t = (uint32_t)a + st_below32(&r, m - (uint32_t)a);
                        uint32_t tmp = idx[a];
                        idx[a] = idx[t];
                        idx[t] = tmp;
                        l += wv[a] * vals[idx[a]];
                    }
                }
                double d = mult * (l + off) - obs; /* shifted sums: no division in the loop */
                ge += d >= -tol;
                le += d <= tol;
                mu += d;
                m2acc += d * d;
            }
            mu /= (double)c->N;
            m2acc = fmax(m2acc / (double)c->N - mu * mu, 0.0) * (double)c->N;
            mu += obs;
            long M = ge < le ? ge : le;
            ties += ge == c->N && le == c->N;
            p_sim[i] = (double)(M + 1) / (double)(c->N + 1);
            mean[i] = mu;
            sd[i] = sqrt(m2acc / (double)c->N);
        }
        free(stamp);
        free(idx);
    }
    if (failed)
        return agglo_error(ctx, AGGLO_E_NOMEM, "permutations: out of memory");
    *all_ties = ties;
    return AGGLO_OK;
}

/* Warnings for the observations a local statistic cannot test. */
static void local_warnings(agglo_ctx *ctx, const agglo_local_result *r, const char *what)
{
    if (r->islands)
        agglo_warn(ctx, "%s: %zu observation(s) without neighbours: statistic, z and p left NA "
                        "(labelled 'no neighbours')", what, r->islands);
    if (r->undefined)
        agglo_warn(ctx, "%s: %zu observation(s) whose statistic has no variance under the null "
                        "(e.g. zero weights, or the other values all equal): z and analytic p "
                        "left NA, not classed significant", what, r->undefined);
    if (r->all_ties)
        agglo_warn(ctx, "%s: %zu observation(s) whose every permuted statistic tied with the "
                        "observed one: pseudo p = 1 (ties count as at least as extreme)",
                   what, r->all_ties);
}

/* ---------------------------------------------------------------- LISA */

static int lisa_classify(agglo_ctx *ctx, agglo_local_result *r)
{
    size_t n = r->n;
    const double *p = r->p_sim ? r->p_sim : r->p;
    int rc = agglo_p_adjust(ctx, p, n, r->correction, r->p_adjusted);
    if (rc)
        return rc;
    memset(r->counts, 0, sizeof r->counts);
    for (size_t i = 0; i < n; i++) {
        int c;
        if (r->island[i])
            c = 5;
        else if (!isnan(r->p_adjusted[i]) && r->p_adjusted[i] <= r->alpha)
            c = r->quadrant[i];
        else
            c = 0;
        r->cluster[i] = c;
        r->counts[c]++;
    }
    return AGGLO_OK;
}

static const agglo_autocorr_options *local_opts(const agglo_autocorr_options *opt,
                                                agglo_autocorr_options *buf)
{
    if (opt)
        return opt;
    agglo_autocorr_options_init(buf);
    return buf;
}

/* Arguments, then the shared variable check (finite, not constant); *exponent: the power of
 * two to rescale x by (agglo_check_variable). */
static int local_check(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, const char *what, int *exponent)
{
    if (!w || !x)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: no weights or values", what);
    size_t n = agglo_weights_n(w);
    if (n < 3)
        return agglo_error(ctx, AGGLO_E_EMPTY, "%s: needs at least 3 observations (got %zu)", what,
                           n);
    if (opt->permutations < 0)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: negative number of permutations", what);
    if (!(opt->alpha > 0 && opt->alpha < 1))
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: alpha must be in (0, 1), got %g", what,
                           opt->alpha);
    agglo_var_info vi;
    int rc = agglo_autocorr_check_variable(ctx, x, n, w, AGGLO_CHECK_NONCONSTANT, "values", what,
                                           &vi);
    if (rc == AGGLO_OK)
        *exponent = vi.exponent;
    return rc;
}

/* Local Moran needs weights without the diagonal (spdep localmoran refuses self.included). */
static int no_diagonal(agglo_ctx *ctx, const agglo_weights *w, const char *what)
{
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    for (size_t i = 0; i < agglo_weights_n(w); i++)
        for (size_t k = rp[i]; k < rp[i + 1]; k++)
            if ((size_t)col[k] == i)
                return agglo_error(ctx, AGGLO_E_USAGE,
                                   "%s: the weights include observation %s as its own neighbour "
                                   "(a diagonal); build them without it", what,
                                   agglo_weights_id(w, i));
    return AGGLO_OK;
}

/* Extremes of x and how often they occur: the n-1 values other than x_i are all equal
 * exactly when one extreme occurs n-1 times and x_i is the other (others_equal). */
typedef struct extremes {
    double lo, hi;
    size_t nlo, nhi, n;
} extremes;

static extremes extremes_of(const double *x, size_t n)
{
    extremes e = {x[0], x[0], 0, 0, n};
    for (size_t i = 1; i < n; i++) {
        e.lo = x[i] < e.lo ? x[i] : e.lo;
        e.hi = x[i] > e.hi ? x[i] : e.hi;
    }
    for (size_t i = 0; i < n; i++) {
        e.nlo += x[i] == e.lo;
        e.nhi += x[i] == e.hi;
    }
    return e;
}

static int others_equal(const extremes *e, double xi)
{
    return (e->nlo == e->n - 1 && xi == e->hi) || (e->nhi == e->n - 1 && xi == e->lo);
}

/* Centres x; returns m2 = sum z^2 / n; z allocated by the caller. */
static double centre(const double *x, size_t n, double *z)
{
    double mean = agglo_sum(x, n) / (double)n;
    for (size_t i = 0; i < n; i++)
        z[i] = x[i] - mean;
    double s = 0.0, c = 0.0; /* Neumaier */
    for (size_t i = 0; i < n; i++) {
        double v = z[i] * z[i], t = s + v;
        c += fabs(s) >= fabs(v) ? (s - t) + v : (v - t) + s;
        s = t;
    }
    return (s + c) / (double)n;
}

agglo_local_result *agglo_moran_local(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                                      const agglo_autocorr_options *opt_in)
{
    agglo_autocorr_options d;
    const agglo_autocorr_options *opt = local_opts(opt_in, &d);
    int ex = 0;
    if (local_check(ctx, w, x, opt, "local Moran", &ex) || no_diagonal(ctx, w, "local Moran"))
        return NULL;
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *wv = agglo_weights_values(w);
    agglo_local_result *r = local_alloc(ctx, n, AGGLO_STAT_MORAN, 1, opt);
    double *z = agglo_malloc(ctx, n * sizeof(double));
    double *mult = agglo_malloc(ctx, n * sizeof(double));
    double *xs = agglo_scaled_copy(ctx, x, n, ex);
    if (!r || !z || !mult || !xs)
        goto fail;
    double m2 = centre(xs, n, z);
    if (!(m2 > 0)) {
        agglo_error(ctx, AGGLO_E_NUMERIC, "local Moran: the variable is constant");
        goto fail;
    }
    double dn = (double)n, sd = sqrt(m2);
    double z4 = 0.0;
    for (size_t i = 0; i < n; i++)
        z4 += z[i] * z[i] * z[i] * z[i];
    double b2 = (z4 / dn) / (m2 * m2);
    extremes ext = extremes_of(xs, n);
    double A = (dn - b2) / (dn - 1), B = (2 * b2 - dn) / ((dn - 1) * (dn - 2));
    for (size_t i = 0; i < n; i++) {
        double lz = 0.0, Wi = 0.0, Wi2 = 0.0;
        for (size_t k = rp[i]; k < rp[i + 1]; k++) {
            lz += wv[k] * z[col[k]];
            Wi += wv[k];
            Wi2 += wv[k] * wv[k];
        }
        r->island[i] = rp[i + 1] == rp[i];
        r->stat[i] = (z[i] / m2) * lz;
        mult[i] = z[i] / m2;
        if (opt->conditional) {
            r->expected[i] = -(z[i] * z[i] * Wi) / ((dn - 1) * m2);
            r->variance[i] = (z[i] / m2) * (z[i] / m2) * (dn / (dn - 2)) *
                             (Wi2 - Wi * Wi / (dn - 1)) * (m2 - z[i] * z[i] / (dn - 1));
        } else {
            r->expected[i] = -Wi / (dn - 1);
            r->variance[i] = A * Wi2 + B * (Wi * Wi - Wi2) - r->expected[i] * r->expected[i];
        }
        if (r->island[i]) {
            r->z[i] = NAN;
            r->islands++;
        } else if (!(r->variance[i] > 0) || (opt->conditional && others_equal(&ext, xs[i]))) {
            /* no variance under the null: zero weights, x_i at the mean, or the n-1 others
             * all equal (then the computed variance is rounding noise) */
            r->z[i] = NAN;
            r->undefined++;
        } else {
            r->z[i] = (r->stat[i] - r->expected[i]) / sqrt(r->variance[i]);
        }
        r->p[i] = st_pvalue(r->z[i], opt->alternative);
        r->value_z[i] = z[i] / sd;
        r->lag_z[i] = lz / sd;
        r->quadrant[i] = r->island[i] ? 0
                         : z[i] > 0      ? (lz > 0 ? 1 : 4)
                                         : (lz > 0 ? 3 : 2);
    }
    if (opt->permutations > 0) {
        cperm c = {n, rp, col, wv, mult, z, r->stat, opt->permutations, opt->seed, NULL};
        if (conditional_permutation(ctx, &c, r->p_sim, r->sim_mean, r->sim_sd, &r->all_ties))
            goto fail;
    }
    if (lisa_classify(ctx, r))
        goto fail;
    local_warnings(ctx, r, "local Moran");
    free(z);
    free(mult);
    free(xs);
    return r;
fail:
    free(z);
    free(mult);
    free(xs);
    agglo_local_result_free(r);
    return NULL;
}

agglo_local_result *agglo_moran_local_bivariate(agglo_ctx *ctx, const agglo_weights *w,
                                                const double *x, const double *y,
                                                const agglo_autocorr_options *opt_in)
{
    agglo_autocorr_options d;
    const agglo_autocorr_options *opt = local_opts(opt_in, &d);
    int ex = 0, ey = 0;
    if (local_check(ctx, w, x, opt, "bivariate local Moran (x)", &ex) ||
        local_check(ctx, w, y, opt, "bivariate local Moran (y)", &ey) ||
        no_diagonal(ctx, w, "bivariate local Moran"))
        return NULL;
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *wv = agglo_weights_values(w);
    agglo_local_result *r = local_alloc(ctx, n, AGGLO_STAT_MORAN_BIVARIATE, 0, opt);
    double *zx = agglo_scaled_copy(ctx, x, n, ex);
    double *zy = agglo_scaled_copy(ctx, y, n, ey);
    if (!r || !zx || !zy)
        goto fail;
    double mx = centre(zx, n, zx), my = centre(zy, n, zy);
    if (!(mx > 0) || !(my > 0)) {
        agglo_error(ctx, AGGLO_E_NUMERIC, "bivariate local Moran: a variable is constant");
        goto fail;
    }
    double sx = sqrt(mx), sy = sqrt(my);
    for (size_t i = 0; i < n; i++) {
        zx[i] /= sx;
        zy[i] /= sy;
    }
    for (size_t i = 0; i < n; i++) {
        double l = 0.0;
        for (size_t k = rp[i]; k < rp[i + 1]; k++)
            l += wv[k] * zy[col[k]];
        r->island[i] = rp[i + 1] == rp[i];
        r->islands += r->island[i];
        r->stat[i] = zx[i] * l;
        r->z[i] = NAN;
        r->p[i] = NAN;
        r->value_z[i] = zx[i];
        r->lag_z[i] = l;
        r->quadrant[i] = r->island[i] ? 0 : zx[i] > 0 ? (l > 0 ? 1 : 4) : (l > 0 ? 3 : 2);
    }
    if (opt->permutations > 0) {
        cperm c = {n, rp, col, wv, zx, zy, r->stat, opt->permutations, opt->seed, NULL};
        if (conditional_permutation(ctx, &c, r->p_sim, r->sim_mean, r->sim_sd, &r->all_ties))
            goto fail;
    } else {
        agglo_warn(ctx, "bivariate local Moran has no analytic p-values: use --permutations");
    }
    if (lisa_classify(ctx, r))
        goto fail;
    local_warnings(ctx, r, "bivariate local Moran");
    free(zx);
    free(zy);
    return r;
fail:
    free(zx);
    free(zy);
    agglo_local_result_free(r);
    return NULL;
}

/* ---------------------------------------------------------------- Getis-Ord Gi / Gi* */

/* Conditional permutation of Gi / Gi* (esda G_Local, spdep localG_perm): for observation i,
 * G_i = (offset_i + sum_{j != i} w_ij x_j) / D_i with D_i = sum_j x_j - x_i (Gi) or sum_j x_j
 * (Gi*), offset_i = w_ii x_i (Gi*: the value at i held fixed, the n-1 others permuted into
 * the k_i neighbour positions). Runs the shared conditional_permutation on the weights
 * without their diagonal. */
static int getis_permutation(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                             int star, double sum, const agglo_autocorr_options *opt,
                             agglo_local_result *r)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *wv = agglo_weights_values(w);
    size_t nnz = rp[n];
    size_t *rp2 = agglo_malloc(ctx, (n + 1) * sizeof(size_t));
    int32_t *col2 = agglo_malloc(ctx, (nnz ? nnz : 1) * sizeof(int32_t));
    double *w2 = agglo_malloc(ctx, (nnz ? nnz : 1) * sizeof(double));
    double *offset = agglo_calloc(ctx, n ? n : 1, sizeof(double));
    double *mult = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    int rc = AGGLO_E_NOMEM;
    if (!rp2 || !col2 || !w2 || !offset || !mult)
        goto out;
    size_t e = 0;
    rp2[0] = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = rp[i]; k < rp[i + 1]; k++) {
            if ((size_t)col[k] == i) {
                offset[i] += wv[k] * x[i];
                continue;
            }
            col2[e] = col[k];
            w2[e++] = wv[k];
        }
        rp2[i + 1] = e;
        mult[i] = 1.0 / (star ? sum : sum - x[i]);
    }
    cperm c = {n, rp2, col2, w2, mult, x, r->g_value, opt->permutations, opt->seed, offset};
    rc = conditional_permutation(ctx, &c, r->p_sim, r->sim_mean, r->sim_sd, &r->all_ties);
out:
    free(rp2);
    free(col2);
    free(w2);
    free(offset);
    free(mult);
    return rc;
}

agglo_local_result *agglo_getis_local(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                                      int star, const agglo_autocorr_options *opt_in)
{
    agglo_autocorr_options d;
    const agglo_autocorr_options *opt = local_opts(opt_in, &d);
    int ex = 0;
    if (local_check(ctx, w, x, opt, star ? "Gi*" : "Gi", &ex))
        return NULL;
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *wv = agglo_weights_values(w);
    if (star) {
        size_t with_self = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t k = rp[i]; k < rp[i + 1]; k++)
                with_self += (size_t)col[k] == i;
        if (with_self == 0) {
            agglo_error(ctx, AGGLO_E_USAGE,
                        "Gi*: the weights do not include the diagonal (see "
                        "agglo_getis_star_weights)");
            return NULL;
        }
    }
    int perms = opt->permutations > 0;
    agglo_local_result *r = local_alloc(ctx, n, AGGLO_STAT_GETIS_G, 0, opt);
    double *z = agglo_malloc(ctx, n * sizeof(double));
    double *xs = agglo_scaled_copy(ctx, x, n, ex);
    if (!r || !z || !xs)
        goto fail;
    x = xs; /* rescaled by a power of two: z-values and the ratio G are unchanged */
    r->g_value = agglo_malloc(ctx, n * sizeof(double));
    if (!r->g_value)
        goto fail;
    r->star = star;
    double dn = (double)n;
    double m2 = centre(x, n, z), sd = sqrt(m2);
    double sum = agglo_sum(x, n);
    extremes ext = extremes_of(x, n);
    for (size_t i = 0; i < n; i++) {
        double lx = 0.0, Wi = 0.0, S1i = 0.0, lz = 0.0;
        size_t card = 0;
        for (size_t k = rp[i]; k < rp[i + 1]; k++) {
            lx += wv[k] * x[col[k]];
            lz += wv[k] * z[col[k]];
            Wi += wv[k];
            S1i += wv[k] * wv[k];
            card += (size_t)col[k] != i;
        }
        /* spdep localG's moments, from the centred values (no cancellation of large means):
         * Gi* numerator lx - Wi mean = lz; Gi: the others' mean is mean - z_i/(n-1), their
         * variance (sum z^2 - z_i^2)/(n-1) - (z_i/(n-1))^2 */
        double num, si2, wfac, wref;
        if (star) {
            num = lz;
            si2 = m2;
            wfac = dn * S1i - Wi * Wi;
            wref = dn * S1i;
        } else {
            double zo = z[i] / (dn - 1);
            num = lz + Wi * zo;
            si2 = (dn * m2 - z[i] * z[i]) / (dn - 1) - zo * zo;
            wfac = (dn - 1) * S1i - Wi * Wi;
            wref = (dn - 1) * S1i;
        }
        double VG = si2 * wfac / (star ? dn - 1 : dn - 2);
        r->island[i] = card == 0;
        /* undefined: no variance under the null (the other values all equal for Gi, or the
         * neighbourhood is everyone with equal weights); wfac below 1e-12 of its scale is
         * rounding noise of an exact zero */
        int undef = !r->island[i] && (!(VG > 0) || !(wfac > 1e-12 * wref) ||
                                      (!star && others_equal(&ext, x[i])));
        r->islands += r->island[i];
        r->undefined += undef;
        r->stat[i] = r->island[i] || undef ? NAN : num / sqrt(VG);
        r->g_value[i] = r->island[i] ? NAN : lx / (star ? sum : sum - x[i]);
        r->z[i] = r->stat[i];
        r->p[i] = st_pvalue(r->z[i], opt->alternative);
        r->value_z[i] = sd > 0 ? z[i] / sd : NAN;
        r->lag_z[i] = sd > 0 ? lz / sd : NAN;
        r->quadrant[i] = r->island[i] ? 0 : z[i] > 0 ? (lz > 0 ? 1 : 4) : (lz > 0 ? 3 : 2);
    }
    if (perms && getis_permutation(ctx, w, x, star, sum, opt, r))
        goto fail;
    /* hot/cold bins: 3 = 99 %, 2 = 95 %, 1 = 90 % confidence (ArcGIS Gi_Bin), the correction
     * applied at each level; from the folded permutation pseudo p when there are
     * permutations, else the analytic p. The sign is that of the z-value. */
    if (agglo_p_adjust(ctx, perms ? r->p_sim : r->p, n, opt->correction, r->p_adjusted))
        goto fail;
    static const double levels[3] = {0.10, 0.05, 0.01};
    memset(r->counts, 0, sizeof r->counts);
    for (size_t i = 0; i < n; i++) {
        int bin = 0;
        double pa = r->p_adjusted[i];
        for (int l = 0; l < 3; l++)
            if (!isnan(pa) && !isnan(r->z[i]) && pa <= levels[l])
                bin = l + 1;
        if (r->z[i] < 0)
            bin = -bin;
        r->cluster[i] = bin;
        r->counts[bin + 3]++;
    }
    local_warnings(ctx, r, star ? "Gi*" : "Gi");
    free(z);
    free(xs);
    return r;
fail:
    free(z);
    free(xs);
    agglo_local_result_free(r);
    return NULL;
}

agglo_weights *agglo_getis_star_weights(agglo_ctx *ctx, const agglo_weights *w,
                                        double self_weight)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *wv = agglo_weights_values(w);
    size_t nnz = rp[n];
    size_t *nrp = agglo_malloc(ctx, (n + 1) * sizeof(size_t));
    int32_t *ncol = agglo_malloc(ctx, (nnz + n) * sizeof(int32_t));
    double *nw = agglo_malloc(ctx, (nnz + n) * sizeof(double));
    const char **ids = agglo_malloc(ctx, (n ? n : 1) * sizeof(char *));
    agglo_weights *S = NULL;
    if (!nrp || !ncol || !nw || !ids)
        goto out;
    size_t e = 0;
    nrp[0] = 0;
    for (size_t i = 0; i < n; i++) {
        int has_self = 0;
        for (size_t k = rp[i]; k < rp[i + 1]; k++) {
            has_self |= (size_t)col[k] == i;
            ncol[e] = col[k];
            nw[e++] = wv[k];
        }
        if (!has_self) {
            ncol[e] = (int32_t)i;
            nw[e++] = self_weight;
        }
        nrp[i + 1] = e;
        ids[i] = agglo_weights_id(w, i);
    }
    S = agglo_weights_create(ctx, n, nrp, ncol, nw, ids);
out:
    free(nrp);
    free(ncol);
    free(nw);
    free(ids);
    return S;
}
