/* libFuzzer target: the weights spec parser agglo_weights_spec_parse (src/weights/spec.c), as
 * every command's --weights and `agglo weights --spec` take it. Arbitrary bytes are parsed;
 * a spec that parses is checked for what the builders rely on and then built on a 3 x 2 grid
 * of unit squares (projected CRS), so its option values reach the builders too. Files named
 * by a spec are not read here (fuzz_weights_gal/gwt/csv cover the file parsers). Run with
 * fuzz/run_weights.sh. */
#include "agglo/agglo.h"

#include <geos_c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static agglo_layer *grid_layer(agglo_ctx *ctx)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    GEOSWKTReader *r = GEOSWKTReader_create_r(gh);
    GEOSGeometry *g[6];
    for (int k = 0; k < 6; k++) {
        char wkt[128];
        int x = k % 3, y = k / 3;
        snprintf(wkt, sizeof wkt, "POLYGON((%d %d,%d %d,%d %d,%d %d,%d %d))", x, y, x + 1, y,
                 x + 1, y + 1, x, y + 1, x, y);
        g[k] = GEOSWKTReader_read_r(gh, r, wkt);
    }
    GEOSWKTReader_destroy_r(gh, r);
    return agglo_layer_create(ctx, 6, g, NULL, "EPSG:32650");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static agglo_ctx *ctx;
    static agglo_layer *grid;
    if (!ctx) {
        ctx = agglo_ctx_create();
        agglo_ctx_set_threads(ctx, 1);
        grid = grid_layer(ctx);
        if (!grid)
            abort();
    }
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    agglo_weights_spec s;
    int rc = agglo_weights_spec_parse(ctx, text, &s);
    if (rc != AGGLO_OK) {
        /* a refusal is an error code with a message */
        if (rc > 0 || rc != agglo_ctx_errcode(ctx) || !*agglo_ctx_errmsg(ctx))
            abort();
    } else {
        if (s.kind < AGGLO_WSPEC_QUEEN || s.kind > AGGLO_WSPEC_FILE || s.order < 1 ||
            (s.kind == AGGLO_WSPEC_KNN && s.k < 1) || !(s.power > 0) ||
            !strcmp(agglo_kernel_name(s.kernel.kernel), "?") || s.kernel.diagonal < 0 || s.kernel.diagonal > 2 ||
            (s.kind == AGGLO_WSPEC_FILE && strcmp(s.path, text) != 0))
            abort();
        if (s.kind != AGGLO_WSPEC_FILE) {
            agglo_weights *W = agglo_weights_build(ctx, grid, &s, NULL);
            if (W && agglo_weights_n(W) != 6)
                abort();
            agglo_weights_free(W);
        }
    }
    free(text);
    return 0;
}
