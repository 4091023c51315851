/* Binary spatial weights from spdep's neighbour lists under tests/data/reference/autocorr/
 * (<set>_nb.csv, 1-based "i,j" pairs written by scripts/reference/autocorr.R), then a style:
 * shared by the autocorrelation and ESDA tests. Include after agglo/agglo.h and test_util.h. */
#ifndef AGGLO_TEST_SPDEP_NB_H
#define AGGLO_TEST_SPDEP_NB_H

/* Binary weights from spdep's neighbour list, then the style. */
static inline agglo_weights *load_nb(agglo_ctx *ctx, const char *set, size_t n, char style)
{
    char path[512];
    snprintf(path, sizeof path, "%s/reference/autocorr/%s_nb.csv", AGGLO_TEST_DATA, set);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[128];
    assert_non_null(fgets(line, sizeof line, f));
    size_t cap = 4096, m = 0;
    int *I = malloc(cap * sizeof(int)), *J = malloc(cap * sizeof(int));
    int a, b;
    while (fscanf(f, "%d,%d", &a, &b) == 2) {
        if (m == cap) {
            cap *= 2;
            I = realloc(I, cap * sizeof(int));
            J = realloc(J, cap * sizeof(int));
        }
        I[m] = a - 1;
        J[m++] = b - 1;
    }
    fclose(f);
    size_t *rp = calloc(n + 1, sizeof(size_t));
    int32_t *col = malloc(m * sizeof(int32_t));
    for (size_t k = 0; k < m; k++)
        rp[I[k] + 1]++;
    for (size_t i = 0; i < n; i++)
        rp[i + 1] += rp[i];
    size_t *pos = malloc(n * sizeof(size_t));
    memcpy(pos, rp, n * sizeof(size_t));
    for (size_t k = 0; k < m; k++)
        col[pos[I[k]]++] = J[k];
    agglo_weights *w = agglo_weights_create(ctx, n, rp, col, NULL, NULL);
    assert_non_null(w);
    assert_int_equal(agglo_weights_transform(ctx, w, (agglo_transform)style), AGGLO_OK);
    free(I);
    free(J);
    free(rp);
    free(col);
    free(pos);
    return w;
}

#endif
