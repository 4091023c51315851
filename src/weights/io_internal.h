/* Weights files (GAL, GWT, KWT, CSV), private to src/weights/io_*.c.
 *
 * A file is parsed into a wfile (record ids and links as id strings with their line numbers:
 * io_gal.c, io_gwt.c, io_csv.c, loaded by io_load.c), then resolved against ids, its own
 * (agglo_weights_read) or a layer's (agglo_weights_read_for_layer), by io_match.c, so one
 * parser serves both and errors can name the line. io_read.c holds the public readers,
 * io_write.c the writer. */
#ifndef AGGLO_WEIGHTS_IO_INTERNAL_H
#define AGGLO_WEIGHTS_IO_INTERNAL_H

#include "weights_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "agglo/check.h"

typedef enum { WF_GAL, WF_GWT, WF_KWT, WF_CSV } wformat;

/* A parsed weights file. */
typedef struct {
    wformat fmt;
    char *text;         /* file contents (tokens point into it) */
    long header_n;      /* -1 when the header gives none */
    char *id_field;     /* header id field or NULL */
    const char **rec;   /* record ids in file order (GAL records, GWT/CSV first focal appearance) */
    size_t *rec_line;
    size_t nrec, caprec;
    const char **li, **lj; /* links */
    double *lw;
    size_t *lline;
    size_t nl, capl;
} wfile;

void agglo__weights_file_free(wfile *f);
/* Append a record id / a link (0, or -1 out of memory). */
int agglo__weights_push_rec(wfile *f, const char *id, size_t line);
int agglo__weights_push_link(wfile *f, const char *i, const char *j, double w, size_t line);

/* Format from the extension (.gal .gwt .kwt, .csv/.txt); AGGLO_E_USAGE for another. */
int agglo__weights_format_of(agglo_ctx *ctx, const char *path, wformat *fmt);
/* Reads and parses the file at path into f (f is set up even on failure: free it). */
int agglo__weights_load_file(agglo_ctx *ctx, const char *path, wfile *f);
/* Parses text (ownership taken) in format fmt into f (free f even on failure). */
int agglo__weights_parse_text(agglo_ctx *ctx, const char *path, wformat fmt, char *text, wfile *f);

/* The per-format parsers, on f->text (path names the file in errors). */
int agglo__weights_parse_gal(agglo_ctx *ctx, const char *path, wfile *f);
int agglo__weights_parse_gwt(agglo_ctx *ctx, const char *path, wfile *f); /* GWT and KWT */
int agglo__weights_parse_csv(agglo_ctx *ctx, const char *path, wfile *f);

/* The file's own ids: records in file order, then neighbours never seen as records
 * (GWT/CSV; in a GAL every neighbour needs a record). *ids_out (malloc'd) borrows f's
 * strings. */
int agglo__weights_file_ids(agglo_ctx *ctx, const char *path, const wfile *f,
                            const char ***ids_out, size_t *n_out);
/* Resolves the parsed links against ids (n strings); unknown ids are errors naming the line.
 * For GAL files every observation must have a record and no record may repeat. check_n: the
 * header's count must equal n. */
agglo_weights *agglo__weights_resolve(agglo_ctx *ctx, const char *path, const wfile *f,
                                      const char *const *ids, size_t n, int check_n);

static inline int agglo__weights_oom(agglo_ctx *ctx)
{
    return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
}

/* ---- tokenizer over the whole text: splits lines and tokens in place ---- */
typedef struct {
    char *p;
    size_t line;
} wlexer;

/* Next line (NUL-terminated in place, CR stripped) or NULL at the end. */
static inline char *wlex_next_line(wlexer *L)
{
    if (!L->p || !*L->p)
        return NULL;
    char *s = L->p;
    char *e = strchr(s, '\n');
    if (e) {
        *e = '\0';
        L->p = e + 1;
    } else {
        L->p = s + strlen(s);
    }
    L->line++;
    size_t len = strlen(s);
    if (len && s[len - 1] == '\r')
        s[len - 1] = '\0';
    return s;
}

/* Splits a line into at most max tokens in place; returns the token count (max + 1 if more). */
static inline int wlex_split_ws(char *s, char **tok, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\v' || *s == '\f')
            s++;
        if (!*s)
            return n;
        if (n == max)
            return max + 1;
        tok[n++] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s)
            *s++ = '\0';
    }
}

/* Next whitespace-separated token of *s (terminated in place), or NULL. */
static inline char *wlex_next_tok(char **s)
{
    char *p = *s;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!*p) {
        *s = p;
        return NULL;
    }
    char *t = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return t;
}

/* A count 0..INT32_MAX (0), or -1. */
static inline int wlex_count(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < 0 || v > INT32_MAX)
        return -1;
    *out = v;
    return 0;
}

/* A finite number (0; an underflow to 0 is accepted), or -1. */
static inline int wlex_weight(const char *s, double *out)
{
    return agglo_parse_double(s, out) == 0 ? 0 : -1; /* subnormals (1e-320) are finite */
}

/* The header of a GAL/GWT/KWT file, its first non-blank line: "0 n shapefile idfield" or "n"
 * (GAL; also GWT/KWT written by other tools). Sets f->header_n and f->id_field. */
int agglo__weights_read_header(agglo_ctx *ctx, const char *path, wlexer *L, wfile *f);

#endif
