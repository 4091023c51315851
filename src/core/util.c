#define _GNU_SOURCE
#include "core_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

void *agglo_malloc(agglo_ctx *ctx, size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory (%zu bytes)", size);
    return p;
}

void *agglo_calloc(agglo_ctx *ctx, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory (%zu x %zu bytes)", n, size);
    return p;
}

char *agglo_strdup(agglo_ctx *ctx, const char *s)
{
    char *p = strdup(s ? s : "");
    if (!p)
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    return p;
}

double agglo_sum(const double *x, size_t n)
{
    /* Neumaier (1974) improvement of Kahan summation. */
    double s = 0.0, c = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = s + x[i];
        if (fabs(s) >= fabs(x[i]))
            c += (s - t) + x[i];
        else
            c += (x[i] - t) + s;
        s = t;
    }
    return s + c;
}

int agglo_threads_for(const agglo_ctx *ctx)
{
    int n = agglo_ctx_threads(ctx);
#ifdef _OPENMP
    if (n <= 0)
        n = omp_get_max_threads();
#else
    n = 1;
#endif
    return n < 1 ? 1 : n;
}

/* OpenBLAS's own query: 0 sequential build, 1 pthreads, 2 OpenMP (agglo links OpenBLAS). */
int openblas_get_parallel(void);

int agglo_lapack_needs_lock(void)
{
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v < 0) {
        v = openblas_get_parallel() == 0;
        __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    }
    return v;
}
