/* Weights files: the parsed-file record, the shared header, the format from the extension,
 * and reading a file into memory for the per-format parsers. */
#define _GNU_SOURCE
#include "io_internal.h"
#include "agglo/output.h"

#include <stdio.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES ((size_t)1 << 34)

void agglo__weights_file_free(wfile *f)
{
    free(f->text);
    free(f->id_field);
    free(f->rec);
    free(f->rec_line);
    free(f->li);
    free(f->lj);
    free(f->lw);
    free(f->lline);
}

int agglo__weights_push_rec(wfile *f, const char *id, size_t line)
{
    if (f->nrec == f->caprec) {
        size_t cap = f->caprec ? 2 * f->caprec : 256;
        const char **r = realloc(f->rec, cap * sizeof(char *));
        if (!r)
            return -1;
        f->rec = r;
        size_t *l = realloc(f->rec_line, cap * sizeof(size_t));
        if (!l)
            return -1;
        f->rec_line = l;
        f->caprec = cap;
    }
    f->rec[f->nrec] = id;
    f->rec_line[f->nrec++] = line;
    return 0;
}

int agglo__weights_push_link(wfile *f, const char *i, const char *j, double w, size_t line)
{
    if (f->nl == f->capl) {
        size_t cap = f->capl ? 2 * f->capl : 1024;
        const char **a = realloc(f->li, cap * sizeof(char *));
        if (!a)
            return -1;
        f->li = a;
        const char **b = realloc(f->lj, cap * sizeof(char *));
        if (!b)
            return -1;
        f->lj = b;
        double *c = realloc(f->lw, cap * sizeof(double));
        if (!c)
            return -1;
        f->lw = c;
        size_t *d = realloc(f->lline, cap * sizeof(size_t));
        if (!d)
            return -1;
        f->lline = d;
        f->capl = cap;
    }
    f->li[f->nl] = i;
    f->lj[f->nl] = j;
    f->lw[f->nl] = w;
    f->lline[f->nl++] = line;
    return 0;
}

static int parse_header(agglo_ctx *ctx, const char *path, char *line, size_t lineno, wfile *f)
{
    char *tok[64];
    int nt = wlex_split_ws(line, tok, 63);
    long n;
    if (nt == 0)
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: empty header (expected '0 n shapefile idfield' or 'n')",
                           path, lineno);
    if (nt > 63)
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: header has too many fields", path, lineno);
    if (nt == 1) {
        if (wlex_count(tok[0], &n))
            return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: header '%s' is not a count of observations",
                               path, lineno, tok[0]);
        f->header_n = n;
        return AGGLO_OK;
    }
    if (wlex_count(tok[1], &n))
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: header field 2 '%s' is not a count of observations",
                           path, lineno, tok[1]);
    f->header_n = n;
    if (nt >= 4 && strcmp(tok[nt - 1], "-") != 0) {
        f->id_field = strdup(tok[nt - 1]);
        if (!f->id_field)
            return agglo__weights_oom(ctx);
    }
    return AGGLO_OK;
}

int agglo__weights_read_header(agglo_ctx *ctx, const char *path, wlexer *L, wfile *f)
{
    char *line, *tok[1];
    do {
        line = wlex_next_line(L);
    } while (line && wlex_split_ws(line, tok, 0) == 0);
    if (!line)
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: empty weights file", path);
    return parse_header(ctx, path, line, L->line, f);
}

int agglo__weights_format_of(agglo_ctx *ctx, const char *path, wformat *fmt)
{
    char ext[16];
    agglo_path_ext(path, ext, sizeof ext);
    if (strcmp(ext, "gal") == 0)
        *fmt = WF_GAL;
    else if (strcmp(ext, "gwt") == 0)
        *fmt = WF_GWT;
    else if (strcmp(ext, "kwt") == 0)
        *fmt = WF_KWT;
    else if (strcmp(ext, "csv") == 0 || strcmp(ext, "txt") == 0)
        *fmt = WF_CSV;
    else
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "%s: unknown weights file type '.%s' (use .gal, .gwt, .kwt or .csv)", path, ext);
    return AGGLO_OK;
}

int agglo__weights_parse_text(agglo_ctx *ctx, const char *path, wformat fmt, char *text, wfile *f)
{
    memset(f, 0, sizeof *f);
    f->fmt = fmt;
    f->text = text;
    f->header_n = -1;
    switch (fmt) {
    case WF_GAL: return agglo__weights_parse_gal(ctx, path, f);
    case WF_GWT:
    case WF_KWT: return agglo__weights_parse_gwt(ctx, path, f);
    case WF_CSV: return agglo__weights_parse_csv(ctx, path, f);
    }
    return AGGLO_E_USAGE;
}

int agglo__weights_load_file(agglo_ctx *ctx, const char *path, wfile *f)
{
    memset(f, 0, sizeof *f);
    wformat fmt;
    int rc = agglo__weights_format_of(ctx, path, &fmt);
    if (rc)
        return rc;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return agglo_error(ctx, AGGLO_E_IO, "%s: cannot open: %s", path, strerror(errno));
    /* size check before reading: the text and what it parses into (about 4x) */
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
        agglo_memory_guard(ctx, 4.0 * (double)st.st_size, path)) {
        fclose(fp);
        return agglo_ctx_errcode(ctx);
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(fp);
        return agglo__weights_oom(ctx);
    }
    for (;;) {
        if (len + 1 >= cap) {
            if (cap >= MAX_FILE_BYTES) {
                free(buf);
                fclose(fp);
                return agglo_error(ctx, AGGLO_E_FORMAT, "%s: file too large", path);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(fp);
                return agglo__weights_oom(ctx);
            }
            buf = nb;
            cap *= 2;
        }
        size_t r = fread(buf + len, 1, cap - 1 - len, fp);
        if (memchr(buf + len, '\0', r)) { /* a device or binary file: stop at once */
            free(buf);
            fclose(fp);
            return agglo_error(ctx, AGGLO_E_FORMAT, "%s: binary content (NUL byte) in a text weights file", path);
        }
        len += r;
        if (len + 1 >= cap && agglo_memory_guard(ctx, 4.0 * 2.0 * (double)cap, path)) {
            free(buf);
            fclose(fp);
            return agglo_ctx_errcode(ctx);
        }
        if (r == 0)
            break;
    }
    int err = ferror(fp);
    fclose(fp);
    if (err) {
        free(buf);
        return agglo_error(ctx, AGGLO_E_IO, "%s: read error", path);
    }
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: binary content (NUL byte) in a text weights file", path);
    }
    return agglo__weights_parse_text(ctx, path, fmt, buf, f);
}
