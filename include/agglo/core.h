/* agglo core: context, error codes, warnings, threads.
 *
 * Every call that can fail takes an agglo_ctx first (GEOS "_r" style). The context owns the
 * last error (code + message), the warning handler, the GEOS handle and the thread count.
 * Functions returning int give AGGLO_OK (0) or a negative AGGLO_E_* code; constructors return
 * NULL. In both cases the message is in agglo_ctx_errmsg(). The library never prints or exits. */
#ifndef AGGLO_CORE_H
#define AGGLO_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes, grouped by kind. */
enum {
    AGGLO_OK = 0,
    /* usage */
    AGGLO_E_USAGE = -1,     /* invalid argument or option */
    AGGLO_E_NOMEM = -2,     /* allocation failed */
    AGGLO_E_STRICT = -3,    /* a warning in strict mode (agglo_ctx_set_strict) */
    /* input */
    AGGLO_E_IO = -10,       /* cannot open / read / write a file */
    AGGLO_E_FORMAT = -11,   /* malformed file content */
    AGGLO_E_FIELD = -12,    /* missing field or wrong field type */
    AGGLO_E_EMPTY = -13,    /* empty layer or no usable observations */
    AGGLO_E_MISSING = -14,  /* NULL / NaN values where a number is needed */
    AGGLO_E_MISMATCH = -15, /* ids or counts that do not match */
    /* geometry */
    AGGLO_E_GEOMETRY = -20, /* invalid / wrong-type geometry */
    /* CRS */
    AGGLO_E_CRS = -30,      /* missing / mismatching / geographic-where-planar CRS */
    /* numeric */
    AGGLO_E_NUMERIC = -40,  /* numerical failure */
    AGGLO_E_SINGULAR = -41, /* singular system (LAPACK info > 0) */
    AGGLO_E_NONEIGHBOURS = -42 /* observation(s) without neighbours where needed */
};

typedef struct agglo_ctx agglo_ctx;

typedef void (*agglo_warning_fn)(const char *message, void *userdata);

agglo_ctx *agglo_ctx_create(void);
void agglo_ctx_free(agglo_ctx *ctx);

/* Last error. The message is valid until the next failing call on this context. */
int agglo_ctx_errcode(const agglo_ctx *ctx);
const char *agglo_ctx_errmsg(const agglo_ctx *ctx);
void agglo_ctx_clear_error(agglo_ctx *ctx);

/* Sets the error (printf-style message) and returns code, so callers can
 * `return agglo_error(ctx, AGGLO_E_IO, "%s: cannot open", path);`. */
int agglo_error(agglo_ctx *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Warnings (islands, dropped rows, encoding fallback, ...) go to the handler; the
 * default handler stores nothing and prints nothing. */
void agglo_ctx_set_warning_handler(agglo_ctx *ctx, agglo_warning_fn fn, void *userdata);
void agglo_warn(agglo_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict mode: every warning is an error. The readers (agglo_layer_read, agglo_table_read)
 * then fail at their warning. Any other function that warns carries on (its result is still
 * computed and returned), but the warning is recorded, sticky, and every output commit of
 * the library (agglo_output_commit, agglo_output_tempdir_commit, agglo_layer_write, and
 * through them GAL/GWT, GeoTIFF and PNG writers) refuses with AGGLO_E_STRICT, so nothing is
 * written after a warning. A caller that prints results itself checks
 * agglo_ctx_check_strict() first. The handler is still called for every warning. */
void agglo_ctx_set_strict(agglo_ctx *ctx, int strict);
int agglo_ctx_strict(const agglo_ctx *ctx);
/* AGGLO_OK, or after a warning in strict mode AGGLO_E_STRICT with the error set to the first
 * warning's text followed by " (an error with --strict)". */
int agglo_ctx_check_strict(agglo_ctx *ctx);
/* Number of warnings issued on this context (strict or not). */
size_t agglo_ctx_warning_count(const agglo_ctx *ctx);

/* Threads used by parallel loops (OpenMP); 0 = library default (all cores). */
void agglo_ctx_set_threads(agglo_ctx *ctx, int nthreads);
int agglo_ctx_threads(const agglo_ctx *ctx);

/* Memory guard. Large allocations whose size follows from the input or the options (a
 * raster grid, a file read whole, a dense neighbour list) are estimated first and refused
 * when the estimate exceeds the limit: bytes > 0 sets it, 0 restores the default (half
 * the physical memory). */
void agglo_ctx_set_max_memory(agglo_ctx *ctx, double bytes);
double agglo_ctx_max_memory(const agglo_ctx *ctx);
/* AGGLO_OK when bytes fits the limit, else AGGLO_E_NOMEM with a message naming what
 * ("kde: a 20000 x 20000 grid"), the estimate and the limit. NaN or inf always fail. */
int agglo_memory_guard(agglo_ctx *ctx, double bytes, const char *what);

/* Vector output options used by agglo_layer_write: format is a GDAL driver name (NULL:
 * from the file extension), lco a NULL-terminated list of NAME=VALUE layer creation
 * options (copied). */
int agglo_ctx_set_output_options(agglo_ctx *ctx, const char *format, const char *const *lco);
const char *agglo_ctx_output_format(const agglo_ctx *ctx);
char *const *agglo_ctx_output_lco(const agglo_ctx *ctx);

/* The GEOS context handle (GEOSContextHandle_t) owned by ctx; GEOS errors are routed into ctx. */
void *agglo_ctx_geos(agglo_ctx *ctx);

/* Short human name of an error code ("I/O error", ...). */
const char *agglo_strerror(int code);

/* Library version string. */
const char *agglo_version(void);

#ifdef __cplusplus
}
#endif
#endif
