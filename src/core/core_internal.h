/* Internal helpers shared by library modules (not installed). */
#ifndef AGGLO_CORE_INTERNAL_H
#define AGGLO_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "agglo/core.h"

const char *agglo_ctx_geos_message(agglo_ctx *ctx);


/* malloc/calloc that set AGGLO_E_NOMEM on the context when they fail. */
void *agglo_malloc(agglo_ctx *ctx, size_t size);
void *agglo_calloc(agglo_ctx *ctx, size_t n, size_t size);
char *agglo_strdup(agglo_ctx *ctx, const char *s);

/* String -> index hash map (src/core/strmap.c) for matching observation ids. Keys are
 * borrowed: they must outlive the map. */
typedef struct agglo_strmap {
    const char **key;
    int64_t *val;
    size_t cap; /* power of two, at least twice the keys */
    size_t n;   /* keys held */
} agglo_strmap;
/* An empty map sized for n keys; 0, or -1 out of memory (m then holds nothing to free). */
int agglo_strmap_init(agglo_strmap *m, size_t n);
void agglo_strmap_free(agglo_strmap *m);
/* The value of k, or -1 when absent. */
int64_t agglo_strmap_get(const agglo_strmap *m, const char *k);
/* Inserts k -> v unless k is present: returns the value already held, or -1 when inserted.
 * Never allocates: the map must have room (agglo_strmap_init / agglo_strmap_reserve). */
int64_t agglo_strmap_put(agglo_strmap *m, const char *k, int64_t v);
/* Makes room for n keys in all (rehashing when needed); 0, or -1 out of memory (m unchanged). */
int agglo_strmap_reserve(agglo_strmap *m, size_t n);

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
