/* The k-th value of an array (index_internal.h): one selection for every module. */
#include <math.h>
#include <stddef.h>

#include "index_internal.h"

/* Quickselect (Hoare partition): the k-th smallest (1-based) of v[0..n-1]; reorders v. */
double agglo__index_select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1, target = k - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (target <= j)
            hi = j;
        else if (target >= i)
            lo = i;
        else
            return v[target];
    }
    return v[target];
}

/* The k-th smallest of v[0..n-1], all within [lo, hi]: one counting pass over 32 equal
 * buckets of [lo, hi] (the values are squared distances in an annulus, near uniform), then
 * quickselect among the bucket holding the k-th only. Reorders v. */
double agglo__index_select_kth_bucketed(double *v, size_t n, size_t k, double lo, double hi)
{
    enum { NB = 32 };
    if (n < 48 || !(hi > lo) || !isfinite(hi - lo))
        return agglo__index_select_kth(v, n, k);
    size_t cnt[NB] = {0};
    double scale = (double)NB / (hi - lo);
    for (size_t i = 0; i < n; i++) {
        double f = (v[i] - lo) * scale;
        size_t b = f <= 0 ? 0 : (f >= NB - 1 ? NB - 1 : (size_t)f);
        cnt[b]++;
    }
    size_t b = 0, before = 0;
    while (before + cnt[b] < k)
        before += cnt[b++];
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double f = (v[i] - lo) * scale;
        size_t bi = f <= 0 ? 0 : (f >= NB - 1 ? NB - 1 : (size_t)f);
        if (bi == b)
            v[m++] = v[i];
    }
    return agglo__index_select_kth(v, m, k - before);
}
