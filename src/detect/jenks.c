/* Jenks natural breaks: Jenks' (1977) dynamic programme over the sorted values minimising
 * the within-class sum of squared deviations (Fisher 1958's exact optimum), with the ties and
 * the returned breaks of the classic implementation (BAMMtools::getJenksBreaks, classInt
 * "jenks"): the minimum, then the largest value of each class. */
#include "detect_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int agglo_jenks_breaks(agglo_ctx *ctx, const double *x, size_t n, int k, double *breaks)
{
    if (k < 2 || (size_t)k > n)
        return agglo_error(ctx, AGGLO_E_USAGE, "natural breaks: %d classes for %zu values", k, n);
    size_t K = (size_t)k + 1;
    double *d = agglo_malloc(ctx, n * sizeof *d);
    size_t *lower = agglo_malloc(ctx, (n + 1) * K * sizeof *lower);
    double *var = agglo_malloc(ctx, (n + 1) * K * sizeof *var);
    if (!d || !lower || !var) {
        free(d);
        free(lower);
        free(var);
        return AGGLO_E_NOMEM;
    }
    memcpy(d, x, n * sizeof *d);
    qsort(d, n, sizeof *d, cmp_double);
#define LO(i, j) lower[(i) * K + (j)]
#define VA(i, j) var[(i) * K + (j)]
    for (size_t j = 1; j <= (size_t)k; j++) {
        LO(1, j) = 1;
        VA(1, j) = 0;
        for (size_t i = 2; i <= n; i++)
            VA(i, j) = INFINITY;
    }
    for (size_t l = 2; l <= n; l++) {
        double s1 = 0, s2 = 0, w = 0, v = 0;
        for (size_t m = 1; m <= l; m++) {
            size_t i3 = l - m + 1;
            double val = d[i3 - 1];
            s2 += val * val;
            s1 += val;
            w += 1;
            v = s2 - (s1 * s1) / w;
            size_t i4 = i3 - 1;
            if (i4 != 0)
                for (size_t j = 2; j <= (size_t)k; j++)
                    if (VA(l, j) >= v + VA(i4, j - 1)) {
                        LO(l, j) = i3;
                        VA(l, j) = v + VA(i4, j - 1);
                    }
        }
        LO(l, 1) = 1;
        VA(l, 1) = v;
    }
    breaks[k] = d[n - 1];
    breaks[0] = d[0];
    size_t row = n;
    for (size_t c = (size_t)k; c >= 2; c--) {
        size_t id = LO(row, c) - 2; /* 0-based index of the last value of class c - 1 */
        breaks[c - 1] = d[id];
        row = LO(row, c) - 1;
    }
#undef LO
#undef VA
    free(d);
    free(lower);
    free(var);
    return AGGLO_OK;
}
