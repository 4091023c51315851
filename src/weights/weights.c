/* Weights core: CSR storage, transforms, subsets, moments, lag. */
#define _GNU_SOURCE
#include "agglo/weights.h"
#include "../core/core_internal.h"
#include "weights_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct agglo_weights {
    size_t n;
    size_t *row_ptr; /* n + 1 */
    int32_t *col;
    double *w;       /* current values */
    double *w0;      /* values as built, the base of every transform */
    char **ids;
    agglo_transform style;
    double *bw;      /* kernel bandwidth per observation, or NULL */
};

void agglo_weights_free(agglo_weights *W)
{
    if (!W)
        return;
    free(W->row_ptr);
    free(W->col);
    free(W->w);
    free(W->w0);
    agglo_strings_free(W->ids, W->n);
    free(W->bw);
    free(W);
}

typedef struct { int32_t c; double w; } entry;

static int cmp_entry(const void *a, const void *b)
{
    int32_t x = ((const entry *)a)->c, y = ((const entry *)b)->c;
    return (x > y) - (x < y);
}

/* W->ids[i] = ids[i], or "1".."n" without ids (W->ids allocated, n entries). */
static int set_ids(agglo_ctx *ctx, agglo_weights *W, const char *const *ids)
{
    for (size_t i = 0; i < W->n; i++) {
        char buf[32];
        if (!ids)
            snprintf(buf, sizeof buf, "%zu", i + 1);
        W->ids[i] = strdup(ids ? ids[i] : buf);
        if (!W->ids[i])
            return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    }
    return AGGLO_OK;
}

agglo_weights *agglo_weights_create(agglo_ctx *ctx, size_t n, const size_t *row_ptr,
                                    const int32_t *col, const double *w, const char *const *ids)
{
    size_t nnz = row_ptr[n];
    agglo_weights *W = agglo_calloc(ctx, 1, sizeof *W);
    if (!W)
        return NULL;
    W->n = n;
    W->style = AGGLO_TRANSFORM_V;
    W->row_ptr = agglo_malloc(ctx, (n + 1) * sizeof(size_t));
    W->col = agglo_malloc(ctx, (nnz ? nnz : 1) * sizeof(int32_t));
    W->w = agglo_malloc(ctx, (nnz ? nnz : 1) * sizeof(double));
    W->w0 = agglo_malloc(ctx, (nnz ? nnz : 1) * sizeof(double));
    W->ids = agglo_calloc(ctx, n ? n : 1, sizeof(char *));
    if (!W->row_ptr || !W->col || !W->w || !W->w0 || !W->ids)
        goto fail;
    memcpy(W->row_ptr, row_ptr, (n + 1) * sizeof(size_t));
    entry *tmp = NULL;
    size_t tmpcap = 0;
    for (size_t i = 0; i < n; i++) {
        size_t a = row_ptr[i], b = row_ptr[i + 1];
        if (b < a || b > nnz) {
            free(tmp);
            agglo_error(ctx, AGGLO_E_FORMAT, "weights: row pointers not increasing at row %zu", i + 1);
            goto fail;
        }
        if (b - a > tmpcap) {
            tmpcap = b - a;
            entry *t2 = realloc(tmp, tmpcap * sizeof *tmp);
            if (!t2) {
                free(tmp);
                agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                goto fail;
            }
            tmp = t2;
        }
        for (size_t k = a; k < b; k++) {
            if (col[k] < 0 || (size_t)col[k] >= n) {
                free(tmp);
                agglo_error(ctx, AGGLO_E_FORMAT, "weights: neighbour index %d out of range in row %zu",
                            (int)col[k], i + 1);
                goto fail;
            }
            tmp[k - a].c = col[k];
            tmp[k - a].w = w ? w[k] : 1.0;
        }
        if (b - a > 1)
            qsort(tmp, b - a, sizeof *tmp, cmp_entry);
        for (size_t k = a; k < b; k++) {
            if (k > a && tmp[k - a].c == tmp[k - a - 1].c) {
                agglo_error(ctx, AGGLO_E_FORMAT, "weights: neighbour %d listed twice in row %zu",
                            (int)tmp[k - a].c + 1, i + 1);
                free(tmp);
                goto fail;
            }
            W->col[k] = tmp[k - a].c;
            W->w[k] = W->w0[k] = tmp[k - a].w;
        }
    }
    free(tmp);
    if (set_ids(ctx, W, ids))
        goto fail;
    return W;
fail:
    agglo_weights_free(W);
    return NULL;
}

const double *agglo_weights_bandwidths(const agglo_weights *W) { return W->bw; }

int agglo__weights_set_bandwidths(agglo_ctx *ctx, agglo_weights *W, const double *bw)
{
    double *b = agglo_malloc(ctx, (W->n ? W->n : 1) * sizeof(double));
    if (!b)
        return AGGLO_E_NOMEM;
    if (W->n)
        memcpy(b, bw, W->n * sizeof(double));
    free(W->bw);
    W->bw = b;
    return AGGLO_OK;
}

agglo_weights *agglo__weights_adopt(agglo_ctx *ctx, size_t n, size_t *rp, int32_t *col,
                                    double *w, const char *const *ids)
{
    size_t nnz = rp[n];
    agglo_weights *W = agglo_calloc(ctx, 1, sizeof *W);
    if (!W) {
        free(rp);
        free(col);
        free(w);
        return NULL;
    }
    W->n = n;
    W->style = AGGLO_TRANSFORM_V;
    W->row_ptr = rp;
    W->col = col;
    W->w = w ? w : agglo_malloc(ctx, (nnz ? nnz : 1) * sizeof(double));
    W->w0 = agglo_malloc(ctx, (nnz ? nnz : 1) * sizeof(double));
    W->ids = agglo_calloc(ctx, n ? n : 1, sizeof(char *));
    if (!W->w || !W->w0 || !W->ids)
        goto fail;
    if (!w)
        for (size_t k = 0; k < nnz; k++)
            W->w[k] = 1.0;
    memcpy(W->w0, W->w, nnz * sizeof(double));
    if (set_ids(ctx, W, ids))
        goto fail;
    return W;
fail:
    agglo_weights_free(W);
    return NULL;
}

agglo_weights *agglo_weights_copy(agglo_ctx *ctx, const agglo_weights *W)
{
    agglo_weights *C = agglo_weights_create(ctx, W->n, W->row_ptr, W->col, W->w0,
                                            (const char *const *)W->ids);
    if (C && W->bw && agglo__weights_set_bandwidths(ctx, C, W->bw) != AGGLO_OK) {
        agglo_weights_free(C);
        return NULL;
    }
    if (C && W->style != AGGLO_TRANSFORM_V && agglo_weights_transform(ctx, C, W->style) != AGGLO_OK) {
        agglo_weights_free(C);
        return NULL;
    }
    return C;
}

size_t agglo_weights_n(const agglo_weights *W) { return W->n; }
size_t agglo_weights_nnz(const agglo_weights *W) { return W->row_ptr[W->n]; }
const size_t *agglo_weights_row_ptr(const agglo_weights *W) { return W->row_ptr; }
const int32_t *agglo_weights_col(const agglo_weights *W) { return W->col; }
const double *agglo_weights_values(const agglo_weights *W) { return W->w; }
const double *agglo__weights_base_values(const agglo_weights *W) { return W->w0; }
const char *agglo_weights_id(const agglo_weights *W, size_t i) { return W->ids[i]; }
agglo_transform agglo_weights_transform_style(const agglo_weights *W) { return W->style; }

int agglo_transform_parse(const char *name, agglo_transform *style)
{
    if (!name || !style)
        return -1;
    if (!strcasecmp(name, "minmax") || !strcasecmp(name, "m")) {
        *style = AGGLO_TRANSFORM_MINMAX;
        return 0;
    }
    if (strlen(name) != 1)
        return -1;
    switch (name[0] & ~0x20) {
    case 'B': *style = AGGLO_TRANSFORM_B; return 0;
    case 'W': *style = AGGLO_TRANSFORM_W; return 0;
    case 'C': *style = AGGLO_TRANSFORM_C; return 0;
    case 'S': *style = AGGLO_TRANSFORM_S; return 0;
    case 'U': *style = AGGLO_TRANSFORM_U; return 0;
    case 'V': *style = AGGLO_TRANSFORM_V; return 0;
    default: return -1;
    }
}

const char *agglo_transform_name(agglo_transform style)
{
    switch (style) {
    case AGGLO_TRANSFORM_V: return "V";
    case AGGLO_TRANSFORM_B: return "B";
    case AGGLO_TRANSFORM_W: return "W";
    case AGGLO_TRANSFORM_C: return "C";
    case AGGLO_TRANSFORM_S: return "S";
    case AGGLO_TRANSFORM_U: return "U";
    case AGGLO_TRANSFORM_MINMAX: return "minmax";
    }
    return NULL;
}

size_t agglo_weights_cardinality(const agglo_weights *W, size_t i)
{
    size_t c = 0;
    for (size_t k = W->row_ptr[i]; k < W->row_ptr[i + 1]; k++)
        c += (size_t)W->col[k] != i;
    return c;
}

size_t agglo_weights_islands(const agglo_weights *W)
{
    size_t c = 0;
    for (size_t i = 0; i < W->n; i++)
        c += agglo_weights_cardinality(W, i) == 0;
    return c;
}

/* Value of w[i][j] by binary search in row i, NAN when absent. */
static double lookup(const agglo_weights *W, size_t i, int32_t j)
{
    size_t lo = W->row_ptr[i], hi = W->row_ptr[i + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (W->col[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < W->row_ptr[i + 1] && W->col[lo] == j) ? W->w[lo] : NAN;
}

int agglo_weights_is_symmetric(const agglo_weights *W)
{
    for (size_t i = 0; i < W->n; i++)
        for (size_t k = W->row_ptr[i]; k < W->row_ptr[i + 1]; k++) {
            double back = lookup(W, (size_t)W->col[k], (int32_t)i);
            if (isnan(back) || fabs(back - W->w[k]) > 1e-12 * fmax(fabs(back), fabs(W->w[k])))
                return 0;
        }
    return 1;
}

/* Rows without any entry (islands), which spdep leaves out of n for styles C and S. */
static size_t nonempty_rows_missing(const agglo_weights *W)
{
    size_t c = 0;
    for (size_t i = 0; i < W->n; i++)
        c += W->row_ptr[i + 1] == W->row_ptr[i];
    return c;
}

int agglo_weights_transform(agglo_ctx *ctx, agglo_weights *W, agglo_transform style)
{
    size_t nnz = W->row_ptr[W->n];
    switch (style) {
    case AGGLO_TRANSFORM_V:
        memcpy(W->w, W->w0, nnz * sizeof(double));
        break;
    case AGGLO_TRANSFORM_B:
        for (size_t k = 0; k < nnz; k++)
            W->w[k] = W->w0[k] != 0.0 ? 1.0 : 0.0;
        break;
    case AGGLO_TRANSFORM_W:
        for (size_t i = 0; i < W->n; i++) {
            size_t a = W->row_ptr[i], b = W->row_ptr[i + 1];
            double s = agglo_sum(W->w0 + a, b - a);
            for (size_t k = a; k < b; k++)
                W->w[k] = s != 0.0 ? W->w0[k] / s : 0.0;
        }
        break;
    case AGGLO_TRANSFORM_C: {
        /* spdep style C: w_ij * n / S0, with n the observations that have neighbours
         * (spdep's eff.n with zero.policy) */
        double s0 = agglo_sum(W->w0, nnz);
        if (s0 == 0.0)
            return agglo_error(ctx, AGGLO_E_NONEIGHBOURS, "weights: no links to standardise");
        double neff = (double)(W->n - nonempty_rows_missing(W));
        for (size_t k = 0; k < nnz; k++)
            W->w[k] = W->w0[k] * neff / s0;
        break;
    }
    case AGGLO_TRANSFORM_S: {
        /* Tiefelsdorf, Griffith & Boots (1999): q_i = sqrt(sum_j w_ij^2), w*_ij = w_ij / q_i,
         * then scaled by n / sum_ij w*_ij. */
        double total = 0.0;
        for (size_t i = 0; i < W->n; i++) {
            size_t a = W->row_ptr[i], b = W->row_ptr[i + 1];
            double q = 0.0;
            for (size_t k = a; k < b; k++)
                q += W->w0[k] * W->w0[k];
            q = sqrt(q);
            for (size_t k = a; k < b; k++) {
                W->w[k] = q > 0 ? W->w0[k] / q : 0.0;
                total += W->w[k];
            }
        }
        if (total == 0.0)
            return agglo_error(ctx, AGGLO_E_NONEIGHBOURS, "weights: no links to standardise");
        double neff = (double)(W->n - nonempty_rows_missing(W));
        for (size_t k = 0; k < nnz; k++)
            W->w[k] *= neff / total;
        break;
    }
    case AGGLO_TRANSFORM_U: {
        /* spdep style U: w_ij / S0 (= C / n), islands do not enter */
        double s0 = agglo_sum(W->w0, nnz);
        if (!(s0 > 0.0))
            return agglo_error(ctx, AGGLO_E_NONEIGHBOURS,
                               "weights: style U needs a positive sum of weights (got %g)", s0);
        for (size_t k = 0; k < nnz; k++)
            W->w[k] = W->w0[k] / s0;
        break;
    }
    case AGGLO_TRANSFORM_MINMAX: {
        /* spdep style minmax (Kelejian & Prucha 2010): w_ij / min(max_i row sum,
         * max_j column sum) of the values as built */
        double s0 = agglo_sum(W->w0, nnz);
        if (!(s0 > 0.0))
            return agglo_error(ctx, AGGLO_E_NONEIGHBOURS,
                               "weights: style minmax needs a positive sum of weights (got %g)",
                               s0);
        double *cs = agglo_calloc(ctx, W->n ? W->n : 1, sizeof(double));
        if (!cs)
            return AGGLO_E_NOMEM;
        double rmax = -INFINITY, cmax = -INFINITY;
        for (size_t i = 0; i < W->n; i++) {
            size_t a = W->row_ptr[i], b = W->row_ptr[i + 1];
            double rs = agglo_sum(W->w0 + a, b - a);
            if (rs > rmax)
                rmax = rs;
            for (size_t k = a; k < b; k++)
                cs[W->col[k]] += W->w0[k];
        }
        for (size_t j = 0; j < W->n; j++)
            if (cs[j] > cmax)
                cmax = cs[j];
        free(cs);
        double mm = fmin(rmax, cmax);
        if (!(mm > 0.0) || !isfinite(mm))
            return agglo_error(ctx, AGGLO_E_NONEIGHBOURS,
                               "weights: style minmax: min(largest row sum, largest column sum) "
                               "is %g", mm);
        for (size_t k = 0; k < nnz; k++)
            W->w[k] = W->w0[k] / mm;
        break;
    }
    default:
        return agglo_error(ctx, AGGLO_E_USAGE, "weights: unknown transform '%c'", (int)style);
    }
    W->style = style;
    return AGGLO_OK;
}

agglo_weights *agglo_weights_subset(agglo_ctx *ctx, const agglo_weights *W, const size_t *keep,
                                    size_t nkeep)
{
    int32_t *newidx = agglo_malloc(ctx, (W->n ? W->n : 1) * sizeof(int32_t));
    size_t *rp = agglo_calloc(ctx, nkeep + 1, sizeof(size_t));
    int32_t *col = agglo_malloc(ctx, (W->row_ptr[W->n] ? W->row_ptr[W->n] : 1) * sizeof(int32_t));
    double *w = agglo_malloc(ctx, (W->row_ptr[W->n] ? W->row_ptr[W->n] : 1) * sizeof(double));
    const char **ids = agglo_malloc(ctx, (nkeep ? nkeep : 1) * sizeof(char *));
    agglo_weights *S = NULL;
    if (!newidx || !rp || !col || !w || !ids)
        goto out;
    for (size_t i = 0; i < W->n; i++)
        newidx[i] = -1;
    for (size_t k = 0; k < nkeep; k++)
        newidx[keep[k]] = (int32_t)k;
    size_t nnz = 0;
    for (size_t k = 0; k < nkeep; k++) {
        size_t i = keep[k];
        ids[k] = W->ids[i];
        for (size_t e = W->row_ptr[i]; e < W->row_ptr[i + 1]; e++) {
            int32_t j = newidx[W->col[e]];
            if (j >= 0) {
                col[nnz] = j;
                w[nnz++] = W->w0[e];
            }
        }
        rp[k + 1] = nnz;
    }
    S = agglo_weights_create(ctx, nkeep, rp, col, w, ids);
    if (S && W->style != AGGLO_TRANSFORM_V && agglo_weights_transform(ctx, S, W->style) != AGGLO_OK) {
        agglo_weights_free(S);
        S = NULL;
    }
out:
    free(newidx);
    free(rp);
    free(col);
    free(w);
    free(ids);
    return S;
}

int agglo_weights_moments(agglo_ctx *ctx, const agglo_weights *W, double *s0, double *s1, double *s2)
{
    size_t n = W->n, nnz = W->row_ptr[n];
    double *rs = agglo_calloc(ctx, n ? n : 1, sizeof(double));
    double *cs = agglo_calloc(ctx, n ? n : 1, sizeof(double));
    if (!rs || !cs) {
        free(rs);
        free(cs);
        return AGGLO_E_NOMEM;
    }
    double a, b = 0.0, mirror = 0.0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = W->row_ptr[i]; k < W->row_ptr[i + 1]; k++) {
            double wij = W->w[k];
            double wji = lookup(W, (size_t)W->col[k], (int32_t)i);
            if (isnan(wji)) {
                /* the ordered pair (j,i), absent from row j, contributes (0 + w_ij)^2 */
                mirror += wij * wij;
                wji = 0.0;
            }
            double t = wij + wji; /* ordered pair (i,j) of the double sum in S1 */
            b += t * t;
            rs[i] += wij;
            cs[W->col[k]] += wij;
        }
    b += mirror;
    a = agglo_sum(W->w, nnz);
    double c = 0.0;
    for (size_t i = 0; i < n; i++)
        c += (rs[i] + cs[i]) * (rs[i] + cs[i]);
    *s0 = a;
    *s1 = 0.5 * b;
    *s2 = c;
    free(rs);
    free(cs);
    return AGGLO_OK;
}

void agglo_weights_lag(const agglo_weights *W, const double *x, double *lag)
{
    for (size_t i = 0; i < W->n; i++) {
        double s = 0.0;
        for (size_t k = W->row_ptr[i]; k < W->row_ptr[i + 1]; k++)
            s += W->w[k] * x[W->col[k]];
        lag[i] = s;
    }
}
