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

#endif
