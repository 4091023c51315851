/* Strata of a table column: each distinct value (numbers in ascending order, strings in byte
 * order) is a stratum. */
#define _GNU_SOURCE
#include "detect_internal.h"
#include "../core/core_internal.h"
#include "agglo/layer.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const double *v;
    const char *const *s;
} sort_ctx;

static int cmp_idx(const void *pa, const void *pb, void *arg)
{
    const sort_ctx *c = arg;
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    if (c->v)
        return c->v[a] < c->v[b] ? -1 : c->v[a] > c->v[b] ? 1 : 0;
    return strcmp(c->s[a], c->s[b]);
}

int agglo_strata_from_column(agglo_ctx *ctx, const agglo_table *t, size_t col, int *codes,
                             size_t *nlevels, char ***labels)
{
    size_t n = agglo_table_nrows(t), m = 0;
    const unsigned char *nul = agglo_table_nulls(t, col);
    sort_ctx sc = {agglo_table_numeric(t, col), agglo_table_strings(t, col)};
    size_t *idx = agglo_malloc(ctx, (n ? n : 1) * sizeof *idx);
    char **lab = agglo_calloc(ctx, n ? n : 1, sizeof *lab);
    if (!idx || !lab) {
        free(idx);
        free(lab);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        codes[i] = -1;
        if (!nul[i])
            idx[m++] = i;
    }
    qsort_r(idx, m, sizeof *idx, cmp_idx, &sc);
    size_t L = 0;
    for (size_t k = 0; k < m; k++) {
        if (k == 0 || cmp_idx(&idx[k - 1], &idx[k], &sc) != 0) {
            char buf[128];
            const char *text = buf;
            if (sc.v)
                agglo_table_cell_text(t, idx[k], col, buf, sizeof buf);
            else
                text = sc.s[idx[k]];
            if (!(lab[L] = agglo_strdup(ctx, text))) {
                agglo_strings_free(lab, L);
                free(idx);
                return AGGLO_E_NOMEM;
            }
            L++;
        }
        codes[idx[k]] = (int)(L - 1);
    }
    free(idx);
    *nlevels = L;
    *labels = lab;
    return AGGLO_OK;
}
