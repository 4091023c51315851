/* Shared body of the weights-file fuzz targets: parse arbitrary bytes as one format (0 GAL,
 * 1 GWT, 3 CSV, as agglo__weights_parse_buffer numbers them), resolved against ids 1..n as a
 * layer would give, then exercise what consumers do with the result. */
#ifndef AGGLO_FUZZ_WEIGHTS_COMMON_H
#define AGGLO_FUZZ_WEIGHTS_COMMON_H

#include "agglo/agglo.h"
#include "../src/weights/weights_internal.h"

#include <stddef.h>
#include <stdint.h>

static int fuzz_weights_format(const uint8_t *data, size_t size, int format)
{
    static agglo_ctx *ctx;
    if (!ctx)
        ctx = agglo_ctx_create();
    agglo_weights *w = NULL;
    if (agglo__weights_parse_buffer(ctx, (const char *)data, size, format, &w) == AGGLO_OK && w) {
        double s0, s1, s2;
        agglo_weights_moments(ctx, w, &s0, &s1, &s2);
        agglo_weights_transform(ctx, w, AGGLO_TRANSFORM_W);
        agglo_weights_components(w, NULL);
    }
    agglo_weights_free(w);
    return 0;
}

#endif
