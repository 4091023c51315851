/* libFuzzer target: the csv weights parser (src/weights/io.c) on arbitrary bytes, resolved
 * against ids 1..n as a layer would give. Run with fuzz/run_weights.sh. */
#include "agglo/agglo.h"
#include "../src/weights/weights_internal.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static agglo_ctx *ctx;
    if (!ctx)
        ctx = agglo_ctx_create();
    agglo_weights *w = NULL;
    if (wi_parse_buffer(ctx, (const char *)data, size, 3, &w) == AGGLO_OK && w) {
        /* exercise what consumers do with the result */
        double s0, s1, s2;
        agglo_weights_moments(ctx, w, &s0, &s1, &s2);
        agglo_weights_transform(ctx, w, AGGLO_TRANSFORM_W);
        agglo_weights_components(w, NULL);
    }
    agglo_weights_free(w);
    return 0;
}
