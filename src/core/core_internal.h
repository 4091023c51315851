/* Internal helpers shared by library modules (not installed). */
#ifndef AGGLO_CORE_INTERNAL_H
#define AGGLO_CORE_INTERNAL_H

#include <stddef.h>
#include "agglo/core.h"

const char *agglo_ctx_geos_message(agglo_ctx *ctx);


/* malloc/calloc that set AGGLO_E_NOMEM on the context when they fail. */
void *agglo_malloc(agglo_ctx *ctx, size_t size);
void *agglo_calloc(agglo_ctx *ctx, size_t n, size_t size);
char *agglo_strdup(agglo_ctx *ctx, const char *s);

/* Neumaier-compensated sum of n doubles. */
double agglo_sum(const double *x, size_t n);

/* Number of threads to use for a parallel region given the ctx setting. */
int agglo_threads_for(const agglo_ctx *ctx);

/* Raises an error flag shared by the threads of a parallel loop (an atomic write under
 * OpenMP), e.g. out of memory in one thread's scratch. */
#ifdef _OPENMP
#define AGGLO_FLAG_SET(flag)                                                                   \
    do {                                                                                       \
        _Pragma("omp atomic write")(flag) = 1;                                                 \
    } while (0)
#else
#define AGGLO_FLAG_SET(flag)                                                                   \
    do {                                                                                       \
        (flag) = 1;                                                                            \
    } while (0)
#endif

/* 1 when the LAPACK in use must not be entered by several threads at once: OpenBLAS built
 * sequentially (Debian's libopenblas0-serial, chosen through the libopenblas.so.0
 * alternative) shares its work buffers between callers without locking, and concurrent
 * calls silently return wrong results. AGGLO_LAPACK(statement) then runs the statement in one
 * critical section; with the threaded OpenBLAS builds it runs as is. */
int agglo_lapack_needs_lock(void);
#ifdef _OPENMP
#define AGGLO_LAPACK(stmt)                                                                     \
    do {                                                                                       \
        if (agglo_lapack_needs_lock()) {                                                       \
            _Pragma("omp critical(agglo_lapack)") { stmt; }                                    \
        } else {                                                                               \
            stmt;                                                                              \
        }                                                                                      \
    } while (0)
#else
#define AGGLO_LAPACK(stmt)                                                                     \
    do {                                                                                       \
        stmt;                                                                                  \
    } while (0)
#endif

#endif
