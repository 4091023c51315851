/* Context: last error, warning handler, GEOS handle, thread count. */
#define _GNU_SOURCE
#include "agglo/core.h"

#include <geos_c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define AGGLO_MSG_MAX 2048

struct agglo_ctx {
    int errcode;
    char errmsg[AGGLO_MSG_MAX];
    agglo_warning_fn warn_fn;
    void *warn_data;
    int nthreads;
    GEOSContextHandle_t geos;
    char geos_msg[AGGLO_MSG_MAX]; /* last GEOS error, folded into our messages */
    double max_memory;    /* bytes; 0 = default (half the physical memory) */
    char *out_format;     /* GDAL driver for vector outputs; NULL = from the extension */
    char **out_lco;       /* NAME=VALUE layer creation options, NULL-terminated */
    int strict;           /* every warning is an error */
    size_t nwarnings;
    char first_warning[AGGLO_MSG_MAX]; /* kept in strict mode */
};

/* OpenBLAS (pthreads build) starts its worker threads in a constructor when the library is
 * loaded, and each worker busy-waits (sched_yield) for about 2^28 clock ticks, ~0.1 s, before
 * it sleeps: a third of the CPU time of a whole `agglo weights` run went there, in commands
 * that never call BLAS. Stopping the idle workers once, before main and before any thread of
 * ours exists, costs nothing: OpenBLAS starts them again (same number) at its first threaded
 * call, the path it uses after fork(), so results are unchanged. Weak: other BLAS builds lack
 * the symbol and this does nothing. */
extern int blas_thread_shutdown_(void) __attribute__((weak));

__attribute__((constructor)) static void agglo_blas_idle(void)
{
    if (blas_thread_shutdown_)
        blas_thread_shutdown_();
}

static void geos_error_handler(const char *message, void *userdata)
{
    agglo_ctx *ctx = userdata;
    snprintf(ctx->geos_msg, sizeof ctx->geos_msg, "%s", message);
}

agglo_ctx *agglo_ctx_create(void)
{
    agglo_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->geos = GEOS_init_r();
    if (!ctx->geos) {
        free(ctx);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->geos, geos_error_handler, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->geos, NULL, NULL);
    return ctx;
}

void agglo_ctx_free(agglo_ctx *ctx)
{
    if (!ctx)
        return;
    GEOS_finish_r(ctx->geos);
    free(ctx->out_format);
    if (ctx->out_lco)
        for (char **p = ctx->out_lco; *p; p++)
            free(*p);
    free(ctx->out_lco);
    free(ctx);
}

int agglo_ctx_errcode(const agglo_ctx *ctx) { return ctx->errcode; }
const char *agglo_ctx_errmsg(const agglo_ctx *ctx) { return ctx->errmsg; }

void agglo_ctx_clear_error(agglo_ctx *ctx)
{
    ctx->errcode = AGGLO_OK;
    ctx->errmsg[0] = '\0';
}

int agglo_error(agglo_ctx *ctx, int code, const char *fmt, ...)
{
    /* formatted aside first: callers may pass agglo_ctx_errmsg(ctx) itself as an argument
     * (to prefix a file name), which vsnprintf into the same buffer would garble */
    char msg[AGGLO_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(ctx->errmsg, msg, sizeof msg);
    ctx->errcode = code;
    return code;
}

void agglo_ctx_set_warning_handler(agglo_ctx *ctx, agglo_warning_fn fn, void *userdata)
{
    ctx->warn_fn = fn;
    ctx->warn_data = userdata;
}

void agglo_warn(agglo_ctx *ctx, const char *fmt, ...)
{
    if (!ctx->warn_fn && !ctx->strict) {
        ctx->nwarnings++;
        return;
    }
    char msg[AGGLO_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ctx->strict && ctx->nwarnings == 0)
        snprintf(ctx->first_warning, sizeof ctx->first_warning, "%s", msg);
    ctx->nwarnings++;
    if (ctx->warn_fn)
        ctx->warn_fn(msg, ctx->warn_data);
}

void agglo_ctx_set_strict(agglo_ctx *ctx, int strict)
{
    if (strict && !ctx->strict)
        ctx->nwarnings = 0; /* warnings from before are not this mode's */
    ctx->strict = strict != 0;
}

int agglo_ctx_strict(const agglo_ctx *ctx) { return ctx->strict; }
size_t agglo_ctx_warning_count(const agglo_ctx *ctx) { return ctx->nwarnings; }

int agglo_ctx_check_strict(agglo_ctx *ctx)
{
    if (!ctx->strict || ctx->nwarnings == 0)
        return AGGLO_OK;
    return agglo_error(ctx, AGGLO_E_STRICT, "%s (an error with --strict)", ctx->first_warning);
}

void agglo_ctx_set_threads(agglo_ctx *ctx, int nthreads) { ctx->nthreads = nthreads < 0 ? 0 : nthreads; }
int agglo_ctx_threads(const agglo_ctx *ctx) { return ctx->nthreads; }
void *agglo_ctx_geos(agglo_ctx *ctx) { return ctx->geos; }

void agglo_ctx_set_max_memory(agglo_ctx *ctx, double bytes) { ctx->max_memory = bytes > 0 ? bytes : 0; }

double agglo_ctx_max_memory(const agglo_ctx *ctx)
{
    if (ctx->max_memory > 0)
        return ctx->max_memory;
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psize <= 0)
        return 4.0 * 1024 * 1024 * 1024;
    return 0.5 * (double)pages * (double)psize;
}

static void format_bytes(char *buf, size_t size, double b)
{
    const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int k = 0;
    while (b >= 1024 && k < 6) {
        b /= 1024;
        k++;
    }
    snprintf(buf, size, k ? "%.1f %s" : "%.0f %s", b, unit[k]);
}

int agglo_memory_guard(agglo_ctx *ctx, double bytes, const char *what)
{
    double limit = agglo_ctx_max_memory(ctx);
    if (bytes == bytes && bytes <= limit)
        return AGGLO_OK;
    char need[32], lim[32];
    if (bytes == bytes && bytes < 1e30)
        format_bytes(need, sizeof need, bytes);
    else
        snprintf(need, sizeof need, "more than any machine has");
    format_bytes(lim, sizeof lim, limit);
    return agglo_error(ctx, AGGLO_E_NOMEM,
                       "%s would need about %s of memory, above the limit of %s "
                       "(--max-memory SIZE raises it)",
                       what, need, lim);
}

int agglo_ctx_set_output_options(agglo_ctx *ctx, const char *format, const char *const *lco)
{
    char *f = format ? strdup(format) : NULL;
    size_t n = 0;
    while (lco && lco[n])
        n++;
    char **l = n ? calloc(n + 1, sizeof *l) : NULL;
    int bad = (format && !f) || (n && !l);
    for (size_t i = 0; i < n && !bad; i++)
        bad = !(l[i] = strdup(lco[i]));
    if (bad) {
        free(f);
        for (size_t i = 0; l && i < n; i++)
            free(l[i]);
        free(l);
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    }
    free(ctx->out_format);
    if (ctx->out_lco)
        for (char **p = ctx->out_lco; *p; p++)
            free(*p);
    free(ctx->out_lco);
    ctx->out_format = f;
    ctx->out_lco = l;
    return AGGLO_OK;
}

const char *agglo_ctx_output_format(const agglo_ctx *ctx) { return ctx->out_format; }
char *const *agglo_ctx_output_lco(const agglo_ctx *ctx) { return ctx->out_lco; }

/* Last GEOS error message (internal; see core_internal.h). */
const char *agglo_ctx_geos_message(agglo_ctx *ctx) { return ctx->geos_msg; }

const char *agglo_strerror(int code)
{
    switch (code) {
    case AGGLO_OK: return "success";
    case AGGLO_E_USAGE: return "usage error";
    case AGGLO_E_NOMEM: return "out of memory";
    case AGGLO_E_STRICT: return "warning in strict mode";
    case AGGLO_E_IO: return "I/O error";
    case AGGLO_E_FORMAT: return "malformed input";
    case AGGLO_E_FIELD: return "field error";
    case AGGLO_E_EMPTY: return "empty input";
    case AGGLO_E_MISSING: return "missing values";
    case AGGLO_E_MISMATCH: return "mismatch";
    case AGGLO_E_GEOMETRY: return "geometry error";
    case AGGLO_E_CRS: return "CRS error";
    case AGGLO_E_NUMERIC: return "numerical error";
    case AGGLO_E_SINGULAR: return "singular matrix";
    case AGGLO_E_NONEIGHBOURS: return "observations without neighbours";
    default: return "unknown error";
    }
}

const char *agglo_version(void) { return "0.1.0"; }
