/* Internal helpers shared by library modules (not installed). */
#ifndef AGGLO_CORE_INTERNAL_H
#define AGGLO_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "agglo/core.h"

const char *agglo_ctx_geos_message(agglo_ctx *ctx);

/* Regularised incomplete beta I_x(a, b) (upper: 1 - I) with ox = 1 - x given exactly
 * (distribution.c; the non-central F of the detectors builds on it). */
double agglo__ibeta(double x, double ox, double a, double b, int upper);


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

/* ---- small dense algebra through LAPACK (lapack.c); matrices p x p column-major ---- */
/* 1-norm (largest column sum of magnitudes) of a symmetric matrix held in its upper triangle
 * (upper) or in full. */
double agglo__core_one_norm_sym(const double *A, size_t p, int upper);
/* Factorises the symmetric A (upper triangle used) after equilibration (A <- S A S,
 * S = diag(1/sqrt(A_jj)), sc = the diagonal of S); inv receives the equilibrated inverse.
 * Returns 0, or 1 when singular / ill-conditioned (reciprocal 1-norm condition of the
 * equilibrated matrix below rcond_min). */
int agglo__core_chol_factor(double *A, double *sc, size_t p, double *inv, double rcond_min);
/* Solves A x = v in place with the factor F and scaling sc from agglo__core_chol_factor. */
void agglo__core_chol_solve(const double *F, const double *sc, size_t p, double *v);
/* v <- A^-1 v with the equilibrated inverse from agglo__core_chol_factor (tmp: p). */
void agglo__core_inv_apply(const double *inv, const double *sc, size_t p, double *v, double *tmp);
/* Full A^-1 = S inv S (symmetric filled) from agglo__core_chol_factor's inverse. */
void agglo__core_chol_inverse(const double *inv, const double *sc, size_t p, double *Ainv);
/* Inverse in place of the symmetric positive definite A (upper used, result filled) by an
 * equilibrated Cholesky (dpotrf + dpotri); sc: p scratch. 1 when singular. */
int agglo__core_spd_inverse(double *A, double *sc, size_t p);

/* ---- distribution over MPI ranks (mpi.c), FastGWR-style: each rank computes a contiguous
 * block [lo, hi) of the n observations and the per-observation arrays are all-gathered, so
 * every rank then computes the same sums in the same order and results are identical to the
 * single-process run. Active when the library was built with AGGLO_WITH_MPI and MPI is
 * initialised with more than one rank; otherwise one block [0, n) and no-ops. ---- */
typedef struct agglo__core_part {
    size_t lo, hi;
    int size; /* ranks */
} agglo__core_part;
agglo__core_part agglo__core_mpi_partition(size_t n);
/* Gathers rows [lo, hi) of every rank into the full array buf (width values per row, doubles
 * or bytes); 0, or -1 on failure. */
int agglo__core_mpi_allgather(const agglo__core_part *pt, size_t n, void *buf, size_t width,
                              int bytes);
/* Sum (max: maximum) of a count over ranks. */
size_t agglo__core_mpi_allsum(const agglo__core_part *pt, size_t v, int max);

#endif
