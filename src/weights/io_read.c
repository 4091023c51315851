/* Reading weights files: with the file's own ids, or matched to a layer (by id or by feature
 * order); the meaning of a .gwt's third column; the fuzzing entry. */
#define _GNU_SOURCE
#include "io_internal.h"

#include <stdio.h>
#include <strings.h>

void agglo_weights_read_options_init(agglo_weights_read_options *o)
{
    memset(o, 0, sizeof *o);
    o->values = AGGLO_GWT_VALUES_DEFAULT;
}

int agglo_gwt_values_parse(const char *name, agglo_gwt_values *v)
{
    if (!name)
        return -1;
    if (!strcasecmp(name, "weights"))
        *v = AGGLO_GWT_VALUES_WEIGHTS;
    else if (!strcasecmp(name, "distances"))
        *v = AGGLO_GWT_VALUES_DISTANCES;
    else if (!strcasecmp(name, "binary"))
        *v = AGGLO_GWT_VALUES_BINARY;
    else if (!strcasecmp(name, "default"))
        *v = AGGLO_GWT_VALUES_DEFAULT;
    else
        return -1;
    return 0;
}

/* Gives the file's third column the meaning asked for (see agglo_gwt_values). */
static int apply_values(agglo_ctx *ctx, const char *path, wfile *f, agglo_gwt_values mode)
{
    if (f->fmt == WF_GAL)
        return AGGLO_OK;
    if (mode == AGGLO_GWT_VALUES_DEFAULT) {
        if (f->fmt != WF_GWT)
            return AGGLO_OK;
        mode = AGGLO_GWT_VALUES_BINARY;
        for (size_t k = 0; k < f->nl; k++)
            if (f->lw[k] != 1.0) {
                agglo_warn(ctx, "%s: the .gwt values (%g on line %zu) are ignored: links read as binary "
                           "neighbours, as GeoDa's Moran/LISA and spdep's read.gwt2nb do (GeoDa writes "
                           "distances there); --gwt-values weights|distances to use them",
                           path, f->lw[k], f->lline[k]);
                break;
            }
    }
    for (size_t k = 0; k < f->nl; k++) {
        if (mode == AGGLO_GWT_VALUES_BINARY)
            f->lw[k] = 1.0;
        else if (mode == AGGLO_GWT_VALUES_DISTANCES) {
            if (!(f->lw[k] > 0))
                return agglo_error(ctx, AGGLO_E_FORMAT,
                                   "%s: line %zu: distance %g is not positive (read with --gwt-values "
                                   "distances, weights = 1/distance)",
                                   path, f->lline[k], f->lw[k]);
            f->lw[k] = 1.0 / f->lw[k];
        }
    }
    return AGGLO_OK;
}

/* Loads and parses path, values read as o asks (NULL = defaults). Free f even on failure. */
static int load_with(agglo_ctx *ctx, const char *path, wfile *f, const agglo_weights_read_options *o)
{
    agglo_weights_read_options d;
    if (!o) {
        agglo_weights_read_options_init(&d);
        o = &d;
    }
    int rc = agglo__weights_load_file(ctx, path, f);
    if (rc == AGGLO_OK)
        rc = apply_values(ctx, path, f, o->values);
    return rc;
}

agglo_weights *agglo_weights_read(agglo_ctx *ctx, const char *path, char **id_field_out)
{
    return agglo_weights_read_ex(ctx, path, NULL, id_field_out);
}

agglo_weights *agglo_weights_read_ex(agglo_ctx *ctx, const char *path,
                                     const agglo_weights_read_options *o, char **id_field_out)
{
    wfile f;
    if (id_field_out)
        *id_field_out = NULL;
    if (load_with(ctx, path, &f, o)) {
        agglo__weights_file_free(&f);
        return NULL;
    }
    const char **ids = NULL;
    size_t nids = 0;
    agglo_weights *W = NULL;
    if (agglo__weights_file_ids(ctx, path, &f, &ids, &nids))
        goto out;
    W = agglo__weights_resolve(ctx, path, &f, ids, nids, 0);
    if (W && id_field_out && f.id_field) {
        *id_field_out = strdup(f.id_field);
        if (!*id_field_out) {
            agglo_weights_free(W);
            W = NULL;
            agglo__weights_oom(ctx);
        }
    }
out:
    free(ids);
    agglo__weights_file_free(&f);
    return W;
}

agglo_weights *agglo_weights_read_for_layer(agglo_ctx *ctx, const char *path,
                                            const agglo_layer *layer, const char *id_field)
{
    return agglo_weights_read_for_layer_ex(ctx, path, layer, id_field, NULL);
}

/* Matching by feature order: the file's k-th id is the layer's k-th feature (ids). */
static agglo_weights *resolve_by_order(agglo_ctx *ctx, const char *path, const wfile *f,
                                       const char *const *ids, size_t n)
{
    const char **fids = NULL;
    size_t nf = 0;
    agglo_weights *W = NULL;
    if (agglo__weights_file_ids(ctx, path, f, &fids, &nf) != AGGLO_OK)
        return NULL;
    if (nf != n)
        agglo_error(ctx, AGGLO_E_MISMATCH,
                    "%s: matching by feature order needs one id per feature: the file has %zu "
                    "ids, the layer %zu features",
                    path, nf, n);
    else {
        agglo_weights *F = agglo__weights_resolve(ctx, path, f, fids, nf, 1);
        if (F) {
            W = agglo_weights_create(ctx, n, agglo_weights_row_ptr(F), agglo_weights_col(F),
                                     agglo_weights_values(F), ids);
            agglo_weights_free(F);
        }
    }
    free(fids);
    return W;
}

agglo_weights *agglo_weights_read_for_layer_ex(agglo_ctx *ctx, const char *path,
                                               const agglo_layer *layer, const char *id_field,
                                               const agglo_weights_read_options *o)
{
    wfile f;
    if (load_with(ctx, path, &f, o)) {
        agglo__weights_file_free(&f);
        return NULL;
    }
    const char *field = id_field;
    if (!field && f.id_field && agglo_table_find(agglo_layer_table(layer), f.id_field) >= 0)
        field = f.id_field;
    size_t n = agglo_layer_count(layer);
    char **ids = agglo_layer_ids(ctx, layer, field);
    agglo_weights *W = NULL;
    if (ids && o && o->match_order)
        W = resolve_by_order(ctx, path, &f, (const char *const *)ids, n);
    else if (ids)
        W = agglo__weights_resolve(ctx, path, &f, (const char *const *)ids, n, 1);
    agglo_strings_free(ids, n);
    agglo__weights_file_free(&f);
    return W;
}

/* Entry point for the fuzzer: parses a buffer as the given format and resolves it. */
int agglo__weights_parse_buffer(agglo_ctx *ctx, const char *data, size_t size, int format,
                                agglo_weights **out)
{
    *out = NULL;
    char *text = malloc(size + 1);
    if (!text)
        return agglo__weights_oom(ctx);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    if (strlen(text) != size) {
        free(text);
        return agglo_error(ctx, AGGLO_E_FORMAT, "buffer: NUL byte");
    }
    wfile f;
    int rc = agglo__weights_parse_text(ctx, "buffer", (wformat)format, text, &f);
    if (rc == AGGLO_OK) {
        /* ids 1..header_n (or 1..nrec) as a layer would give */
        size_t n = f.header_n >= 0 ? (size_t)f.header_n : f.nrec;
        if (n > 5000)
            n = 5000;
        char **ids = calloc(n ? n : 1, sizeof(char *));
        if (ids) {
            for (size_t i = 0; i < n; i++) {
                char b[32];
                snprintf(b, sizeof b, "%zu", i + 1);
                ids[i] = strdup(b);
            }
            int ok = 1;
            for (size_t i = 0; i < n; i++)
                ok &= ids[i] != NULL;
            if (ok)
                *out = agglo__weights_resolve(ctx, "buffer", &f, (const char *const *)ids, n, 1);
            agglo_strings_free(ids, n);
        }
        rc = *out ? AGGLO_OK : agglo_ctx_errcode(ctx);
    }
    agglo__weights_file_free(&f);
    return rc;
}
