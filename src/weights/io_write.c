/* Writing weights as GAL, GWT, KWT or CSV (format from the extension), atomically. */
#define _GNU_SOURCE
#include "io_internal.h"
#include "agglo/output.h"

#include <stdio.h>

/* The stream is ours alone: the unlocked stdio calls skip a lock per character or id. */
static void put_id(FILE *fp, const char *s)
{
    fputs_unlocked(s, fp);
}

static int has_space(const char *s)
{
    for (; *s; s++)
        if (isspace((unsigned char)*s))
            return 1;
    return 0;
}

static void put_csv(FILE *fp, const char *s)
{
    size_t len = strlen(s);
    if (strpbrk(s, ",\"\n\r") ||
        (len && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[len - 1])))) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
}

int agglo_weights_write(agglo_ctx *ctx, const agglo_weights *w, const char *path,
                        const char *layer_name, const char *id_field)
{
    return agglo_weights_write_ex(ctx, w, path, layer_name, id_field, 0);
}

int agglo_weights_write_ex(agglo_ctx *ctx, const agglo_weights *w, const char *path,
                           const char *layer_name, const char *id_field, unsigned flags)
{
    wformat fmt;
    int rc = agglo__weights_format_of(ctx, path, &fmt);
    if (rc)
        return rc;
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *v = agglo_weights_values(w);
    for (size_t i = 0; i < n; i++) {
        const char *id = agglo_weights_id(w, i);
        if (!*id)
            return agglo_error(ctx, AGGLO_E_USAGE, "%s: observation %zu has an empty id", path, i + 1);
        if (fmt != WF_CSV && has_space(id))
            return agglo_error(ctx, AGGLO_E_USAGE,
                               "%s: id '%s' (observation %zu) contains whitespace, which .gal/.gwt/.kwt "
                               "cannot hold (their readers split on it): use an --id field without "
                               "spaces, or write .csv",
                               path, id, i + 1);
    }
    if (fmt != WF_CSV && id_field && has_space(id_field))
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "%s: id field name '%s' contains whitespace, which a .gal/.gwt/.kwt header "
                           "cannot hold: use another --id field, or write .csv",
                           path, id_field);
    if (fmt == WF_GAL && !(flags & AGGLO_WRITE_GAL_BINARY))
        for (size_t i = 0; i < n; i++)
            for (size_t k = rp[i]; k < rp[i + 1]; k++)
                if (v[k] != 1.0 && (size_t)col[k] != i)
                    return agglo_error(ctx, AGGLO_E_USAGE,
                                       "%s: a .gal holds neighbours only and these weights are not binary "
                                       "(%s -> %s is %g): write .gwt (or .kwt, .csv) to keep the values, "
                                       "or --gal-binary to drop them",
                                       path, agglo_weights_id(w, i), agglo_weights_id(w, (size_t)col[k]),
                                       v[k]);
    agglo_output *out = agglo_output_open(ctx, path);
    if (!out)
        return agglo_ctx_errcode(ctx);
    FILE *fp = agglo_output_stream(out);
    const char *stem = layer_name && *layer_name ? layer_name : "unknown";
    const char *field = id_field && *id_field ? id_field : NULL;
    char sbuf[512];
    /* the header's shapefile and id field are single tokens */
    snprintf(sbuf, sizeof sbuf, "%s", stem);
    for (char *p = sbuf; *p; p++)
        if (isspace((unsigned char)*p))
            *p = '_';
    switch (fmt) {
    case WF_GAL:
        if (field)
            fprintf(fp, "0 %zu %s %s\n", n, sbuf, field);
        else
            fprintf(fp, "%zu\n", n);
        for (size_t i = 0; i < n; i++) {
            size_t k0 = rp[i], k1 = rp[i + 1], c = 0;
            for (size_t k = k0; k < k1; k++)
                c += (size_t)col[k] != i;
            put_id(fp, agglo_weights_id(w, i));
            fprintf(fp, " %zu\n", c);
            int first = 1;
            for (size_t k = k0; k < k1; k++) {
                if ((size_t)col[k] == i)
                    continue;
                if (!first)
                    putc_unlocked(' ', fp);
                first = 0;
                put_id(fp, agglo_weights_id(w, (size_t)col[k]));
            }
            putc_unlocked('\n', fp);
        }
        break;
    case WF_GWT:
    case WF_KWT:
        fprintf(fp, "0 %zu %s %s\n", n, sbuf, field ? field : "-");
        for (size_t i = 0; i < n; i++)
            for (size_t k = rp[i]; k < rp[i + 1]; k++) {
                if (fmt == WF_GWT && (size_t)col[k] == i)
                    continue;
                put_id(fp, agglo_weights_id(w, i));
                fputc(' ', fp);
                put_id(fp, agglo_weights_id(w, (size_t)col[k]));
                fprintf(fp, " %.17g\n", v[k]);
            }
        break;
    case WF_CSV:
        fputs("focal,neighbor,weight\n", fp);
        for (size_t i = 0; i < n; i++)
            for (size_t k = rp[i]; k < rp[i + 1]; k++) {
                put_csv(fp, agglo_weights_id(w, i));
                fputc(',', fp);
                put_csv(fp, agglo_weights_id(w, (size_t)col[k]));
                fprintf(fp, ",%.17g\n", v[k]);
            }
        break;
    }
    if (ferror(fp)) {
        agglo_output_abort(out);
        return agglo_error(ctx, AGGLO_E_IO, "%s: write error", path);
    }
    return agglo_output_commit(ctx, out);
}

int agglo_weights_write_for_layer(agglo_ctx *ctx, const agglo_weights *w, const char *path,
                                  const agglo_layer *layer, const char *id_field, unsigned flags)
{
    /* the layer's file stem: no directory, no extension */
    const char *lp = agglo_layer_path(layer);
    const char *b = lp ? strrchr(lp, '/') : NULL;
    b = b ? b + 1 : lp ? lp : "";
    char stem[256];
    snprintf(stem, sizeof stem, "%s", b);
    char *dot = strrchr(stem, '.');
    if (dot && dot != stem)
        *dot = '\0';
    return agglo_weights_write_ex(ctx, w, path, stem, id_field, flags);
}
