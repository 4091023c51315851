/* Graph operations on weights: higher orders, symmetrisation, components, summaries. */
#define _GNU_SOURCE
#include "weights_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **copy_ids(agglo_ctx *ctx, const agglo_weights *w)
{
    size_t n = agglo_weights_n(w);
    char **ids = agglo_calloc(ctx, n ? n : 1, sizeof(char *));
    if (!ids)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        ids[i] = strdup(agglo_weights_id(w, i));
        if (!ids[i]) {
            agglo_strings_free(ids, n);
            agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            return NULL;
        }
    }
    return ids;
}

agglo_weights *agglo_weights_higher_order(agglo_ctx *ctx, const agglo_weights *w, int order,
                                          int inclusive)
{
    if (order < 1) {
        agglo_error(ctx, AGGLO_E_USAGE, "weights: order must be >= 1");
        return NULL;
    }
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    int32_t *depth = agglo_malloc(ctx, (n ? n : 1) * sizeof(int32_t));
    size_t *stamp = agglo_calloc(ctx, n ? n : 1, sizeof(size_t));
    int32_t *queue = agglo_malloc(ctx, (n ? n : 1) * sizeof(int32_t));
    char **ids = copy_ids(ctx, w);
    agglo__weights_links L = {0};
    agglo_weights *R = NULL;
    if (!depth || !stamp || !queue || !ids)
        goto out;
    for (size_t s = 0; s < n; s++) {
        size_t head = 0, tail = 0;
        queue[tail++] = (int32_t)s;
        stamp[s] = s + 1;
        depth[s] = 0;
        while (head < tail) {
            int32_t u = queue[head++];
            if (depth[u] >= order)
                continue;
            for (size_t k = rp[u]; k < rp[u + 1]; k++) {
                int32_t v = col[k];
                if (stamp[v] == s + 1)
                    continue;
                stamp[v] = s + 1;
                depth[v] = depth[u] + 1;
                queue[tail++] = v;
                if (depth[v] == order || (inclusive && depth[v] < order)) {
                    if (agglo__weights_links_push(&L, (int32_t)s, v, 1.0)) {
                        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                        goto out;
                    }
                }
            }
        }
    }
    R = agglo__weights_from_links(ctx, n, &L, 0, (const char *const *)ids);
out:
    free(depth);
    free(stamp);
    free(queue);
    agglo_strings_free(ids, n);
    agglo__weights_links_free(&L);
    return R;
}

agglo_weights *agglo_weights_symmetrize(agglo_ctx *ctx, const agglo_weights *w)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    char **ids = copy_ids(ctx, w);
    agglo__weights_links L = {0};
    agglo_weights *R = NULL;
    if (!ids)
        return NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t k = rp[i]; k < rp[i + 1]; k++)
            if (agglo__weights_links_push(&L, (int32_t)i, col[k], 1.0)) {
                agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                goto out;
            }
    R = agglo__weights_from_links(ctx, n, &L, 1, (const char *const *)ids);
out:
    agglo_strings_free(ids, n);
    agglo__weights_links_free(&L);
    return R;
}

static size_t find(size_t *p, size_t a)
{
    while (p[a] != a) {
        p[a] = p[p[a]];
        a = p[a];
    }
    return a;
}

size_t agglo_weights_components(const agglo_weights *w, int32_t *label)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    size_t *p = malloc((n ? n : 1) * sizeof(size_t));
    if (!p)
        return 0;
    for (size_t i = 0; i < n; i++)
        p[i] = i;
    for (size_t i = 0; i < n; i++)
        for (size_t k = rp[i]; k < rp[i + 1]; k++) {
            size_t a = find(p, i), b = find(p, (size_t)col[k]);
            if (a != b)
                p[a > b ? a : b] = a < b ? a : b;
        }
    size_t count = 0;
    int32_t *lab = malloc((n ? n : 1) * sizeof(int32_t));
    if (!lab) {
        free(p);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        lab[i] = -1;
    for (size_t i = 0; i < n; i++) {
        size_t r = find(p, i);
        if (lab[r] < 0)
            lab[r] = (int32_t)count++;
        if (label)
            label[i] = lab[r];
    }
    free(lab);
    free(p);
    return count;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int agglo_weights_summarize(agglo_ctx *ctx, const agglo_weights *w, agglo_weights_summary *s)
{
    memset(s, 0, sizeof *s);
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const double *v = agglo_weights_values(w);
    s->n = n;
    size_t *card = agglo_malloc(ctx, (n ? n : 1) * sizeof(size_t));
    if (!card)
        return AGGLO_E_NOMEM;
    size_t links = 0;
    s->min_card = n ? (size_t)-1 : 0;
    for (size_t i = 0; i < n; i++) {
        card[i] = agglo_weights_cardinality(w, i);
        links += card[i];
        if (card[i] < s->min_card)
            s->min_card = card[i];
        if (card[i] > s->max_card)
            s->max_card = card[i];
        s->islands += card[i] == 0;
    }
    s->nnz = links;
    s->pct_nonzero = n ? 100.0 * (double)links / ((double)n * (double)n) : 0.0;
    s->mean_card = n ? (double)links / (double)n : 0.0;
    s->histogram = agglo_calloc(ctx, s->max_card + 1, sizeof(size_t));
    if (!s->histogram) {
        free(card);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        s->histogram[card[i]]++;
    qsort(card, n, sizeof(size_t), cmp_size);
    s->median_card = n == 0 ? 0.0
                     : n % 2 ? (double)card[n / 2]
                             : 0.5 * ((double)card[n / 2 - 1] + (double)card[n / 2]);
    free(card);
    s->symmetric = agglo_weights_is_symmetric(w);
    s->components = agglo_weights_components(w, NULL);
    size_t nnz = rp[n];
    s->min_w = nnz ? INFINITY : NAN;
    s->max_w = nnz ? -INFINITY : NAN;
    for (size_t k = 0; k < nnz; k++) {
        if (v[k] < s->min_w)
            s->min_w = v[k];
        if (v[k] > s->max_w)
            s->max_w = v[k];
    }
    s->mean_w = nnz ? agglo_sum(v, nnz) / (double)nnz : NAN;
    const double *bw = agglo_weights_bandwidths(w);
    s->bandwidth_min = s->bandwidth_max = NAN;
    if (bw && n) {
        s->bandwidth_min = INFINITY;
        s->bandwidth_max = -INFINITY;
        for (size_t i = 0; i < n; i++)
            if (isfinite(bw[i])) {
                s->bandwidth_min = fmin(s->bandwidth_min, bw[i]);
                s->bandwidth_max = fmax(s->bandwidth_max, bw[i]);
            }
    }
    /* the islands' ids, ", "-separated */
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        if (agglo_weights_cardinality(w, i) == 0)
            len += strlen(agglo_weights_id(w, i)) + 2;
    s->island_ids = agglo_malloc(ctx, len);
    if (!s->island_ids)
        return AGGLO_E_NOMEM;
    char *p = s->island_ids;
    *p = '\0';
    for (size_t i = 0; i < n; i++)
        if (agglo_weights_cardinality(w, i) == 0)
            p += sprintf(p, "%s%s", p == s->island_ids ? "" : ", ", agglo_weights_id(w, i));
    return AGGLO_OK;
}

void agglo_weights_summary_free(agglo_weights_summary *s)
{
    if (!s)
        return;
    free(s->histogram);
    s->histogram = NULL;
    free(s->island_ids);
    s->island_ids = NULL;
}
