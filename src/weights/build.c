/* Weights from lists of links. */
#include "weights_internal.h"
#include "../core/core_internal.h"

#include <stdlib.h>
#include <string.h>

int agglo__weights_links_push(agglo__weights_links *L, int32_t i, int32_t j, double w)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 1024;
        int32_t *ni = realloc(L->i, cap * sizeof(int32_t));
        if (!ni)
            return -1;
        L->i = ni;
        int32_t *nj = realloc(L->j, cap * sizeof(int32_t));
        if (!nj)
            return -1;
        L->j = nj;
        double *nw = realloc(L->w, cap * sizeof(double));
        if (!nw)
            return -1;
        L->w = nw;
        L->cap = cap;
    }
    L->i[L->n] = i;
    L->j[L->n] = j;
    L->w[L->n++] = w;
    return 0;
}

void agglo__weights_links_free(agglo__weights_links *L)
{
    free(L->i);
    free(L->j);
    free(L->w);
    memset(L, 0, sizeof *L);
}

typedef struct { int32_t c; uint32_t order; double w; } cell;

static int cmp_cell(const void *a, const void *b)
{
    const cell *x = a, *y = b;
    if (x->c != y->c)
        return (x->c > y->c) - (x->c < y->c);
    return (x->order > y->order) - (x->order < y->order);
}

agglo_weights *agglo__weights_from_links(agglo_ctx *ctx, size_t n, const agglo__weights_links *L,
                                         int symmetric, const char *const *ids)
{
    size_t m = L->n * (symmetric ? 2 : 1);
    size_t *rp = agglo_calloc(ctx, n + 2, sizeof(size_t));
    cell *cells = agglo_malloc(ctx, (m ? m : 1) * sizeof(cell));
    int32_t *col = NULL;
    double *w = NULL;
    agglo_weights *W = NULL;
    if (!rp || !cells)
        goto out;
    for (size_t k = 0; k < L->n; k++) {
        rp[L->i[k] + 2]++;
        if (symmetric)
            rp[L->j[k] + 2]++;
    }
    for (size_t i = 0; i < n; i++)
        rp[i + 2] += rp[i + 1];
    for (size_t k = 0; k < L->n; k++) {
        size_t p = rp[L->i[k] + 1]++;
        cells[p].c = L->j[k];
        cells[p].order = (uint32_t)k;
        cells[p].w = L->w[k];
        if (symmetric) {
            p = rp[L->j[k] + 1]++;
            cells[p].c = L->i[k];
            cells[p].order = (uint32_t)k;
            cells[p].w = L->w[k];
        }
    }
    /* rp[i] .. rp[i+1] is row i now; sort, dedupe, compact */
    col = agglo_malloc(ctx, (m ? m : 1) * sizeof(int32_t));
    w = agglo_malloc(ctx, (m ? m : 1) * sizeof(double));
    if (!col || !w)
        goto out;
    size_t nnz = 0, start = 0;
    for (size_t i = 0; i < n; i++) {
        size_t a = start, b = rp[i + 1];
        start = b;
        cell *c = cells + a;
        size_t len = b - a;
        if (len > 1) {
            if (len < 16) {
                for (size_t x = 1; x < len; x++) {
                    cell t = c[x];
                    size_t y = x;
                    while (y > 0 && cmp_cell(&c[y - 1], &t) > 0) {
                        c[y] = c[y - 1];
                        y--;
                    }
                    c[y] = t;
                }
            } else {
                qsort(c, len, sizeof(cell), cmp_cell);
            }
        }
        for (size_t x = 0; x < len; x++) {
            if (x > 0 && c[x].c == c[x - 1].c)
                continue;
            col[nnz] = c[x].c;
            w[nnz++] = c[x].w;
        }
        rp[i] = nnz; /* end of row i (rp[i + 1] still holds the input end of row i + 1) */
    }
    /* rp[i] holds the end of row i: shift to starts */
    for (size_t i = n; i > 0; i--)
        rp[i] = rp[i - 1];
    rp[0] = 0;
    W = agglo__weights_adopt(ctx, n, rp, col, w, ids);
    rp = NULL;
    col = NULL;
    w = NULL;
out:
    free(rp);
    free(cells);
    free(col);
    free(w);
    return W;
}
