/* Global spatial autocorrelation: Moran's I, Geary's C, Getis-Ord G, bivariate and EB Moran.
 * Analytic moments follow spdep 1.2 (moran.test, geary.test, globalG.test) term by term;
 * permutation inference gives each permutation its own rng stream (seed, p). */
#define _GNU_SOURCE
#include "agglo/autocorr.h"
#include "../core/core_internal.h"
#include "stats_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

void agglo_autocorr_options_init(agglo_autocorr_options *o)
{
    memset(o, 0, sizeof *o);
    o->alternative = AGGLO_ALT_TWO_SIDED;
    o->seed = 12345;
    o->alpha = 0.05;
    o->correction = AGGLO_CORRECT_NONE;
    o->conditional = 1;
    o->adjust_n = 1;
}

const char *agglo_alternative_name(agglo_alternative a)
{
    return a == AGGLO_ALT_GREATER ? "greater" : a == AGGLO_ALT_LESS ? "less" : "two-sided";
}

const char *agglo_correction_name(agglo_correction c)
{
    return c == AGGLO_CORRECT_BONFERRONI ? "bonferroni" : c == AGGLO_CORRECT_FDR ? "fdr" : "none";
}

const char *agglo_lisa_cluster_name(int code)
{
    static const char *const names[] = {"not significant", "High-High", "Low-Low", "Low-High",
                                        "High-Low", "no neighbours"};
    return code >= 0 && code <= 5 ? names[code] : "undefined";
}

static const char *weights_id(const void *w, size_t i)
{
    return agglo_weights_id((const agglo_weights *)w, i);
}

int agglo_autocorr_check_complete(agglo_ctx *ctx, const double *x, size_t n,
                                  const agglo_weights *w, const char *field, const char *source)
{
    return agglo_autocorr_check_variable(ctx, x, n, w, 0, field, source, NULL);
}

int agglo_autocorr_check_variable(agglo_ctx *ctx, const double *x, size_t n,
                                  const agglo_weights *w, unsigned flags, const char *field,
                                  const char *source, agglo_var_info *info)
{
    return agglo_check_variable(ctx, x, n, flags, source, field, w ? weights_id : NULL, w,
                                info);
}

/* ---------------------------------------------------------------- kernels */

typedef struct csr {
    size_t n;
    const size_t *rp;
    const int32_t *col;
    const double *w;
} csr;

static csr csr_of(const agglo_weights *w)
{
    csr c = {agglo_weights_n(w), agglo_weights_row_ptr(w), agglo_weights_col(w),
             agglo_weights_values(w)};
    return c;
}

/* sum_i a_i sum_j w_ij b_j */
static double lag_dot(const csr *W, const double *a, const double *b)
{
    double s = 0.0;
    for (size_t i = 0; i < W->n; i++) {
        double l = 0.0;
        for (size_t k = W->rp[i]; k < W->rp[i + 1]; k++)
            l += W->w[k] * b[W->col[k]];
        s += a[i] * l;
    }
    return s;
}

/* sum_i sum_j w_ij (a_i - a_j)^2 */
static double geary_sum(const csr *W, const double *a)
{
    double s = 0.0;
    for (size_t i = 0; i < W->n; i++) {
        double ai = a[i], l = 0.0;
        for (size_t k = W->rp[i]; k < W->rp[i + 1]; k++) {
            double d = ai - a[W->col[k]];
            l += W->w[k] * d * d;
        }
        s += l;
    }
    return s;
}

typedef struct perm_aux {
    agglo_stat_kind kind;
    double scale;              /* multiplier of the kernel sum */
    const double *fixed;       /* bivariate: zx */
    const unsigned char *has;  /* G: observations with neighbours (NULL = all) */
    double denom;              /* G: constant denominator when has == NULL */
} perm_aux;

static double perm_stat(const csr *W, const double *xp, const perm_aux *a)
{
    switch (a->kind) {
    case AGGLO_STAT_GEARY:
        return a->scale * geary_sum(W, xp);
    case AGGLO_STAT_MORAN_BIVARIATE:
        return a->scale * lag_dot(W, a->fixed, xp);
    case AGGLO_STAT_GETIS_G: {
        double denom = a->denom;
        if (a->has) {
            double sx = 0, sx2 = 0;
            for (size_t i = 0; i < W->n; i++)
                if (a->has[i]) {
                    sx += xp[i];
                    sx2 += xp[i] * xp[i];
                }
            denom = sx * sx - sx2;
        }
        return lag_dot(W, xp, xp) / denom;
    }
    default:
        return a->scale * lag_dot(W, xp, xp);
    }
}

/* Weight of (i, j), 0 when absent (binary search in row i). */
static double csr_lookup(const csr *W, size_t i, int32_t j)
{
    size_t lo = W->rp[i], hi = W->rp[i + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (W->col[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < W->rp[i + 1] && W->col[lo] == j ? W->w[lo] : 0.0;
}

static int csr_has(const csr *W, size_t i, int32_t j)
{
    size_t lo = W->rp[i], hi = W->rp[i + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (W->col[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < W->rp[i + 1] && W->col[lo] == j;
}

/* The quadratic form z'Wz as a sum over unordered pairs: row i of F holds each pair {i, j}
 * once with weight w_ij + w_ji (j > i, or j < i when w_ji is absent), diag[i] = w_ii. Half
 * the gathers of the CSR form for symmetric patterns. Arrays malloc'd into F. */
typedef struct fold {
    csr F;
    size_t *rp;
    int32_t *col;
    double *w, *diag;
} fold;

static void fold_free(fold *f)
{
    free(f->rp);
    free(f->col);
    free(f->w);
    free(f->diag);
}

static int fold_build(const csr *W, fold *f)
{
    size_t n = W->n, nnz = W->rp[n];
    f->rp = malloc((n + 1) * sizeof(size_t));
    f->col = malloc((nnz ? nnz : 1) * sizeof(int32_t));
    f->w = malloc((nnz ? nnz : 1) * sizeof(double));
    f->diag = calloc(n ? n : 1, sizeof(double));
    if (!f->rp || !f->col || !f->w || !f->diag) {
        fold_free(f);
        return -1;
    }
    size_t e = 0;
    f->rp[0] = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = W->rp[i]; k < W->rp[i + 1]; k++) {
            size_t j = (size_t)W->col[k];
            if (j == i) {
                f->diag[i] = W->w[k];
            } else if (j > i) {
                f->col[e] = (int32_t)j;
                f->w[e++] = W->w[k] + csr_lookup(W, j, (int32_t)i);
            } else if (!csr_has(W, j, (int32_t)i)) {
                f->col[e] = (int32_t)j;
                f->w[e++] = W->w[k];
            }
        }
        f->rp[i + 1] = e;
    }
    f->F.n = n;
    f->F.rp = f->rp;
    f->F.col = f->col;
    f->F.w = f->w;
    return 0;
}

/* z'Wz through the fold (the same arithmetic as the batched permutation kernel). */
static double fold_quad(const fold *f, const double *z)
{
    double s = 0.0;
    for (size_t i = 0; i < f->F.n; i++) {
        double l = 0.0;
        for (size_t k = f->rp[i]; k < f->rp[i + 1]; k++)
            l += f->w[k] * z[f->col[k]];
        s += z[i] * (l + f->diag[i] * z[i]);
    }
    return s;
}

/* Runs nperm permutations of base (each a Fisher-Yates shuffle from stream (seed, p)) and
 * fills the permutation fields of res. smaller_is_positive: Geary (C < 1 = positive). */
static int run_permutations(agglo_ctx *ctx, const csr *W, const double *base,
                            const perm_aux *aux, const agglo_autocorr_options *opt,
                            int smaller_is_positive, agglo_global_result *res)
{
    long N = opt->permutations;
    res->permutations = N;
    res->seed = opt->seed;
    if (N <= 0) {
        res->permutations = 0;
        res->p_sim = res->p_perm = res->perm_mean = res->perm_sd = res->perm_z = NAN;
        res->n_greater_equal = res->n_less_equal = 0;
        return AGGLO_OK;
    }
    size_t n = W->n;
    if (n > UINT32_MAX)
        return agglo_error(ctx, AGGLO_E_USAGE, "permutations: too many observations");
    double *sims = agglo_malloc(ctx, (size_t)N * sizeof(double));
    if (!sims)
        return AGGLO_E_NOMEM;
    int failed = 0;
    int nthreads = agglo_threads_for(ctx);
    (void)nthreads;
    /* Permutations run in batches of PB lanes: each lane is shuffled in its own contiguous
     * array (stream = permutation number), then interleaved so that one pass over the CSR
     * arrays evaluates PB permutations with contiguous gathers. Moran and bivariate use the
     * batched kernel; Geary and G the scalar one. */
    enum { PB = 8 };
    long nbatch = (N + PB - 1) / PB;
    int batched = aux->kind == AGGLO_STAT_MORAN || aux->kind == AGGLO_STAT_MORAN_EB ||
                  aux->kind == AGGLO_STAT_MORAN_BIVARIATE;
    fold fo;
    memset(&fo, 0, sizeof fo);
    int folded = batched && aux->kind != AGGLO_STAT_MORAN_BIVARIATE;
    if (folded && fold_build(W, &fo)) {
        free(sims);
        return agglo_error(ctx, AGGLO_E_NOMEM, "permutations: out of memory");
    }
    const csr *KW = folded ? &fo.F : W; /* the sparse form the batched kernel walks */
#ifdef _OPENMP
#pragma omp parallel num_threads(nthreads) reduction(| : failed)
#endif
    {
        double *buf = malloc(n * PB * sizeof(double));
        double *il = batched ? malloc(n * PB * sizeof(double)) : NULL;
        if (!buf || (batched && !il))
            failed = 1;
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 2)
#endif
        for (long b = 0; b < nbatch; b++) {
            if (failed)
                continue;
            long p0 = b * PB, np = N - p0 < PB ? N - p0 : PB;
            for (long q = 0; q < np; q++) {
                double *lane = buf + (size_t)q * n;
                st_pair r;
                st_pair_init(&r, opt->seed, (uint64_t)(p0 + q));
                memcpy(lane, base, n * sizeof(double));
                for (size_t k = n - 1; k > 0; k--) {
                    size_t j = st_below32(&r, (uint32_t)(k + 1));
                    double t = lane[k];
                    lane[k] = lane[j];
                    lane[j] = t;
                }
                if (!batched)
                    sims[p0 + q] = perm_stat(W, lane, aux);
            }
            if (!batched)
                continue;
            for (long q = np; q < PB; q++) /* unused lanes of the last batch */
                memcpy(buf + (size_t)q * n, buf, n * sizeof(double));
            for (size_t i = 0; i < n; i++)
                for (int q = 0; q < PB; q++)
                    il[i * PB + q] = buf[(size_t)q * n + i];
            const double *fx = aux->fixed; /* bivariate: fixed zx; else the lane itself */
            double acc[PB] = {0};
            for (size_t i = 0; i < n; i++) {
                double l[PB] = {0};
                for (size_t k = KW->rp[i]; k < KW->rp[i + 1]; k++) {
                    const double wk = KW->w[k];
                    const double *src = il + (size_t)KW->col[k] * PB;
                    for (int q = 0; q < PB; q++)
                        l[q] += wk * src[q];
                }
                if (fx) {
                    for (int q = 0; q < PB; q++)
                        acc[q] += fx[i] * l[q];
                } else {
                    const double *zi = il + i * PB;
                    const double d = fo.diag[i];
                    for (int q = 0; q < PB; q++)
                        acc[q] += zi[q] * (l[q] + d * zi[q]);
                }
            }
            for (long q = 0; q < np; q++)
                sims[p0 + q] = aux->scale * acc[q];
        }
        free(buf);
        free(il);
    }
    if (failed) {
        fold_free(&fo);
        free(sims);
        return agglo_error(ctx, AGGLO_E_NOMEM, "permutations: out of memory");
    }
    /* compare with the observed value computed by the same arithmetic as the permutations */
    double obs = folded ? aux->scale * fold_quad(&fo, base) : res->statistic;
    fold_free(&fo);
    /* values equal to the observed one up to rounding count as ties (at least as extreme) */
    const double tol = 1e-11 * fabs(obs);
    long ge = 0, le = 0;
    double mean = 0.0;
    for (long p = 0; p < N; p++) {
        ge += sims[p] >= obs - tol;
        le += sims[p] <= obs + tol;
        mean += sims[p];
    }
    mean /= (double)N;
    double ss = 0.0;
    for (long p = 0; p < N; p++)
        ss += (sims[p] - mean) * (sims[p] - mean);
    if (opt->simulated)
        memcpy(opt->simulated, sims, (size_t)N * sizeof(double));
    free(sims);
    res->n_greater_equal = ge;
    res->n_less_equal = le;
    /* folded pseudo p: the smaller tail, ties counted in both (docs/autocorrelation.md,
     * "Permutation ties"): equal to GeoDa's / esda's (min(#>=, N - #>=) + 1)/(N + 1) when no
     * permuted value ties the observed one, and 1 (not 1/(N+1)) when all of them do */
    long M = ge < le ? ge : le;
    res->p_sim = (double)(M + 1) / (double)(N + 1);
    long pos = smaller_is_positive ? le : ge, neg = smaller_is_positive ? ge : le;
    if (opt->alternative == AGGLO_ALT_GREATER)
        res->p_perm = (double)(pos + 1) / (double)(N + 1);
    else if (opt->alternative == AGGLO_ALT_LESS)
        res->p_perm = (double)(neg + 1) / (double)(N + 1);
    else
        res->p_perm = fmin(1.0, 2.0 * res->p_sim);
    res->perm_mean = mean;
    res->perm_sd = sqrt(ss / (double)N);
    res->perm_z = res->perm_sd > 0 ? (res->statistic - mean) / res->perm_sd : NAN;
    return AGGLO_OK;
}

/* ---------------------------------------------------------------- common set-up */

typedef struct prep {
    size_t n, islands;
    double nu;   /* n adjusted for islands (or n) */
    double s0, s1, s2;
    double mean, zz, z4;
    double *x;   /* x times 2^exponent (agglo_check_variable: exact, overflow-safe) */
    double *z;   /* centred x */
    unsigned char *has;
} prep;

static void prep_free(prep *p)
{
    free(p->x);
    free(p->z);
    free(p->has);
}

static int prepare(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                   const agglo_autocorr_options *opt, int adjust_n, const char *what, prep *p)
{
    memset(p, 0, sizeof *p);
    if (!w || !x)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: no weights or values", what);
    size_t n = agglo_weights_n(w);
    p->n = n;
    if (n < 4)
        return agglo_error(ctx, AGGLO_E_EMPTY, "%s: needs at least 4 observations (got %zu)", what,
                           n);
    /* finite, not constant; rescaled by a power of two when sums of 4th powers could
     * overflow or underflow (the statistics are scale-free, so the results are unchanged) */
    agglo_var_info vi;
    int rc = agglo_autocorr_check_variable(ctx, x, n, w, AGGLO_CHECK_NONCONSTANT, "values", what,
                                           &vi);
    if (rc)
        return rc;
    if (opt && opt->permutations < 0)
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: negative number of permutations", what);
    p->islands = agglo_weights_islands(w);
    if (p->islands == n)
        return agglo_error(ctx, AGGLO_E_NONEIGHBOURS, "%s: no observation has neighbours", what);
    p->nu = (double)(adjust_n ? n - p->islands : n);
    if (p->nu < 4)
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "%s: needs at least 4 observations with neighbours (got %.0f)", what,
                           p->nu);
    rc = agglo_weights_moments(ctx, w, &p->s0, &p->s1, &p->s2);
    if (rc)
        return rc;
    if (!(p->s0 > 0) && !(p->s0 < 0))
        return agglo_error(ctx, AGGLO_E_NONEIGHBOURS, "%s: the weights sum to zero", what);
    p->z = agglo_malloc(ctx, n * sizeof(double));
    p->has = agglo_malloc(ctx, n);
    p->x = agglo_scaled_copy(ctx, x, n, vi.exponent);
    if (!p->z || !p->has || !p->x) {
        prep_free(p);
        return AGGLO_E_NOMEM;
    }
    x = p->x;
    p->mean = agglo_sum(x, n) / (double)n;
    for (size_t i = 0; i < n; i++)
        p->z[i] = x[i] - p->mean;
    /* compensated sums of the powers */
    double *t = agglo_malloc(ctx, n * sizeof(double));
    if (!t) {
        prep_free(p);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        t[i] = p->z[i] * p->z[i];
    p->zz = agglo_sum(t, n);
    for (size_t i = 0; i < n; i++)
        t[i] = t[i] * t[i];
    p->z4 = agglo_sum(t, n);
    free(t);
    for (size_t i = 0; i < n; i++)
        p->has[i] = agglo_weights_cardinality(w, i) > 0;
    if (!(p->zz > 0)) {
        prep_free(p);
        return agglo_error(ctx, AGGLO_E_NUMERIC, "%s: the variable is constant", what);
    }
    return AGGLO_OK;
}

static void fill_common(agglo_global_result *res, const prep *p, agglo_stat_kind kind,
                        const agglo_autocorr_options *opt)
{
    memset(res, 0, sizeof *res);
    res->kind = kind;
    res->n = p->n;
    res->n_used = (size_t)p->nu;
    res->islands = p->islands;
    res->s0 = p->s0;
    res->s1 = p->s1;
    res->s2 = p->s2;
    res->alternative = opt->alternative;
    res->var_norm = res->z_norm = res->p_norm = NAN;
    res->var_rand = res->z_rand = res->p_rand = NAN;
    res->kurtosis = NAN;
}

static const agglo_autocorr_options *opts_or_default(const agglo_autocorr_options *opt,
                                                     agglo_autocorr_options *buf)
{
    if (opt)
        return opt;
    agglo_autocorr_options_init(buf);
    return buf;
}

/* Moran's I of x; adjust_n as spdep (moran.test adjust.n; EBImoran uses the full n). */
static int moran_impl(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                      const agglo_autocorr_options *opt, int adjust_n, agglo_stat_kind kind,
                      agglo_global_result *res)
{
    prep p;
    int rc = prepare(ctx, w, x, opt, adjust_n, kind == AGGLO_STAT_MORAN_EB ? "EB Moran" : "Moran",
                     &p);
    if (rc)
        return rc;
    fill_common(res, &p, kind, opt);
    csr W = csr_of(w);
    double nu = p.nu, S0 = p.s0, S1 = p.s1, S2 = p.s2, S02 = S0 * S0, nn = nu * nu;
    res->statistic = (nu / S0) * (lag_dot(&W, p.z, p.z) / p.zz);
    double EI = -1.0 / (nu - 1.0);
    res->expected = EI;
    res->kurtosis = ((double)p.n * p.z4) / (p.zz * p.zz);
    double K = res->kurtosis;
    res->var_norm = (nn * S1 - nu * S2 + 3.0 * S02) / (S02 * (nn - 1.0)) - EI * EI;
    double VI = nu * (S1 * (nn - 3.0 * nu + 3.0) - nu * S2 + 3.0 * S02);
    double tmp = K * (S1 * (nn - nu) - 2.0 * nu * S2 + 6.0 * S02);
    res->var_rand = (VI - tmp) / ((nu - 1.0) * (nu - 2.0) * (nu - 3.0) * S02) - EI * EI;
    if (res->var_rand < 0)
        agglo_warn(ctx, "Moran: negative randomisation variance (kurtosis %.3g too high for the "
                        "test's assumptions)", K);
    res->z_norm = (res->statistic - EI) / sqrt(res->var_norm);
    res->z_rand = (res->statistic - EI) / sqrt(res->var_rand);
    res->p_norm = st_pvalue(res->z_norm, opt->alternative);
    res->p_rand = st_pvalue(res->z_rand, opt->alternative);
    perm_aux aux = {AGGLO_STAT_MORAN, nu / (S0 * p.zz), NULL, NULL, 0};
    rc = run_permutations(ctx, &W, p.z, &aux, opt, 0, res);
    prep_free(&p);
    return rc;
}

int agglo_moran_global(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, agglo_global_result *res)
{
    agglo_autocorr_options d;
    opt = opts_or_default(opt, &d);
    return moran_impl(ctx, w, x, opt, opt->adjust_n, AGGLO_STAT_MORAN, res);
}

int agglo_geary_global(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, agglo_global_result *res)
{
    agglo_autocorr_options d;
    opt = opts_or_default(opt, &d);
    prep p;
    int rc = prepare(ctx, w, x, opt, opt->adjust_n, "Geary", &p);
    if (rc)
        return rc;
    fill_common(res, &p, AGGLO_STAT_GEARY, opt);
    csr W = csr_of(w);
    /* spdep geary.test mixes the adjusted n (wc$n, nn, n1..n3) with the full n (length). */
    double nu = p.nu, n = (double)p.n, n1 = nu - 1, n2 = nu - 2, n3 = nu - 3, nn = nu * nu;
    double S0 = p.s0, S1 = p.s1, S2 = p.s2, S02 = S0 * S0;
    res->statistic = (n1 / (2.0 * S0)) * (geary_sum(&W, p.z) / p.zz);
    res->expected = 1.0;
    double K = nu * p.z4 / (p.zz * p.zz);
    res->kurtosis = K;
    double VC = n1 * S1 * (nn - 3.0 * n + 3.0 - K * n1);
    VC -= 0.25 * (n1 * S2 * (nn + 3.0 * n - 6.0 - K * (nn - n + 2.0)));
    VC += S02 * (nn - 3.0 - K * n1 * n1);
    res->var_rand = VC / (n * n2 * n3 * S02);
    res->var_norm = ((2.0 * S1 + S2) * n1 - 4.0 * S02) / (2.0 * (n + 1.0) * S02);
    res->z_rand = (1.0 - res->statistic) / sqrt(res->var_rand);
    res->z_norm = (1.0 - res->statistic) / sqrt(res->var_norm);
    res->p_norm = st_pvalue(res->z_norm, opt->alternative);
    res->p_rand = st_pvalue(res->z_rand, opt->alternative);
    perm_aux aux = {AGGLO_STAT_GEARY, n1 / (2.0 * S0 * p.zz), NULL, NULL, 0};
    rc = run_permutations(ctx, &W, p.z, &aux, opt, 1, res);
    prep_free(&p);
    return rc;
}

int agglo_getis_global(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                       const agglo_autocorr_options *opt, agglo_global_result *res)
{
    agglo_autocorr_options d;
    opt = opts_or_default(opt, &d);
    prep p;
    int rc = prepare(ctx, w, x, opt, opt->adjust_n, "General G", &p);
    if (rc)
        return rc;
    for (size_t i = 0; i < p.n; i++)
        if (x[i] < 0) {
            rc = agglo_error(ctx, AGGLO_E_USAGE,
                             "General G: negative value %g at id %s (G needs values >= 0)", x[i],
                             agglo_weights_id(w, i));
            prep_free(&p);
            return rc;
        }
    x = p.x;
    fill_common(res, &p, AGGLO_STAT_GETIS_G, opt);
    csr W = csr_of(w);
    double nu = p.nu, n1 = nu - 1, n2 = nu - 2, n3 = nu - 3, nn = nu * nu;
    double S0 = p.s0, S1 = p.s1, S2 = p.s2, S02 = S0 * S0;
    /* spdep adjust.x = TRUE: the denominator and the moments use x of observations with
     * neighbours */
    double sx = 0, sx2 = 0, sx3 = 0, sx4 = 0;
    for (size_t i = 0; i < p.n; i++)
        if (p.has[i]) {
            double v = x[i];
            sx += v;
            sx2 += v * v;
            sx3 += v * v * v;
            sx4 += v * v * v * v;
        }
    double denom = sx * sx - sx2;
    if (!(denom > 0)) {
        prep_free(&p);
        return agglo_error(ctx, AGGLO_E_NUMERIC, "General G: the values are all zero");
    }
    res->statistic = lag_dot(&W, x, x) / denom;
    double EG = S0 / (nu * n1);
    res->expected = EG;
    double B0 = (nn - 3.0 * nu + 3.0) * S1 - nu * S2 + 3.0 * S02;
    double B1 = -((nn - nu) * S1 - 2.0 * nu * S2 + 6.0 * S02);
    double B2 = -(2.0 * nu * S1 - (nu + 3.0) * S2 + 6.0 * S02);
    double B3 = 4.0 * n1 * S1 - 2.0 * (nu + 1.0) * S2 + 8.0 * S02;
    double B4 = S1 - S2 + S02;
    res->var_rand = (B0 * sx2 * sx2 + B1 * sx4 + B2 * sx * sx * sx2 + B3 * sx * sx3 +
                     B4 * sx * sx * sx * sx) /
                        (denom * denom * nu * n1 * n2 * n3) -
                    EG * EG;
    res->z_rand = (res->statistic - EG) / sqrt(res->var_rand);
    res->p_rand = st_pvalue(res->z_rand, opt->alternative);
    perm_aux aux = {AGGLO_STAT_GETIS_G, 1.0, NULL, p.islands ? p.has : NULL, denom};
    rc = run_permutations(ctx, &W, x, &aux, opt, 0, res);
    prep_free(&p);
    return rc;
}

int agglo_moran_bivariate(agglo_ctx *ctx, const agglo_weights *w, const double *x,
                          const double *y, const agglo_autocorr_options *opt,
                          agglo_global_result *res)
{
    agglo_autocorr_options d;
    opt = opts_or_default(opt, &d);
    prep px, py;
    int rc = prepare(ctx, w, x, opt, 0, "bivariate Moran (x)", &px);
    if (rc)
        return rc;
    rc = prepare(ctx, w, y, opt, 0, "bivariate Moran (y)", &py);
    if (rc) {
        prep_free(&px);
        return rc;
    }
    fill_common(res, &px, AGGLO_STAT_MORAN_BIVARIATE, opt);
    res->n_used = px.n;
    double n = (double)px.n;
    double sdx = sqrt(px.zz / n), sdy = sqrt(py.zz / n);
    for (size_t i = 0; i < px.n; i++) {
        px.z[i] /= sdx;
        py.z[i] /= sdy;
    }
    csr W = csr_of(w);
    /* I = (n / S0) sum zx (W zy) / sum zx^2, with sum zx^2 = n */
    res->statistic = lag_dot(&W, px.z, py.z) / px.s0;
    res->expected = NAN;
    perm_aux aux = {AGGLO_STAT_MORAN_BIVARIATE, 1.0 / px.s0, px.z, NULL, 0};
    rc = run_permutations(ctx, &W, py.z, &aux, opt, 0, res);
    prep_free(&px);
    prep_free(&py);
    return rc;
}

int agglo_eb_standardise(agglo_ctx *ctx, const double *events, const double *base, size_t n,
                         double *z)
{
    if (n == 0)
        return agglo_error(ctx, AGGLO_E_EMPTY, "EB rates: no observations");
    double nsum = 0, xsum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(events[i]) || !isfinite(base[i]))
            return agglo_error(ctx, AGGLO_E_MISSING, "EB rates: missing value at row %zu", i + 1);
        if (base[i] < DBL_EPSILON)
            return agglo_error(ctx, AGGLO_E_USAGE,
                               "EB rates: base (population) must be > 0 (row %zu has %g)", i + 1,
                               base[i]);
        if (events[i] < 0)
            return agglo_error(ctx, AGGLO_E_USAGE,
                               "EB rates: events must be >= 0 (row %zu has %g)", i + 1, events[i]);
        nsum += events[i];
        xsum += base[i];
    }
    double b = nsum / xsum, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double p = events[i] / base[i];
        s2 += base[i] * ((p - b) * (p - b) / xsum);
    }
    double a = s2 - b / (xsum / (double)n);
    if (a < 0)
        a = 0;
    for (size_t i = 0; i < n; i++) {
        double p = events[i] / base[i];
        double v = a + b / base[i];
        if (v < 0)
            v = b / base[i];
        z[i] = (p - b) / sqrt(v);
    }
    return AGGLO_OK;
}

int agglo_moran_eb(agglo_ctx *ctx, const agglo_weights *w, const double *events,
                   const double *base, const agglo_autocorr_options *opt,
                   agglo_global_result *res)
{
    agglo_autocorr_options d;
    opt = opts_or_default(opt, &d);
    size_t n = agglo_weights_n(w);
    double *z = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!z)
        return AGGLO_E_NOMEM;
    int rc = agglo_eb_standardise(ctx, events, base, n, z);
    if (rc == AGGLO_OK)
        rc = moran_impl(ctx, w, z, opt, 0, AGGLO_STAT_MORAN_EB, res);
    free(z);
    return rc;
}
