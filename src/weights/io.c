/* GeoDa/PySAL weights files: GAL, GWT, KWT and a simple CSV edge list.
 *
 * Files are parsed into (record ids, links of id strings with their line numbers), then
 * resolved either against the file's own ids (agglo_weights_read) or against a layer's ids
 * (agglo_weights_read_for_layer), so the same parser serves both and errors can name the
 * line. */
#define _GNU_SOURCE
#include "weights_internal.h"
#include "agglo/output.h"
#include "../core/core_internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_FILE_BYTES ((size_t)1 << 34)

/* ---- string -> index map ---- */

typedef struct {
    const char **key;
    int64_t *val;
    size_t cap; /* power of two */
    size_t n;
} strmap;

static uint64_t str_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

static int strmap_init(strmap *m, size_t n)
{
    m->cap = 16;
    while (m->cap < 2 * n + 16)
        m->cap *= 2;
    m->n = 0;
    m->key = calloc(m->cap, sizeof(char *));
    m->val = malloc(m->cap * sizeof(int64_t));
    return m->key && m->val ? 0 : -1;
}

static void strmap_free(strmap *m)
{
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

static int64_t strmap_get(const strmap *m, const char *k)
{
    size_t p = str_hash(k) & (m->cap - 1);
    while (m->key[p]) {
        if (strcmp(m->key[p], k) == 0)
            return m->val[p];
        p = (p + 1) & (m->cap - 1);
    }
    return -1;
}

/* Inserts k (borrowed) unless present; returns the existing value or -1 when inserted. */
static int64_t strmap_put(strmap *m, const char *k, int64_t v)
{
    size_t p = str_hash(k) & (m->cap - 1);
    while (m->key[p]) {
        if (strcmp(m->key[p], k) == 0)
            return m->val[p];
        p = (p + 1) & (m->cap - 1);
    }
    m->key[p] = k;
    m->val[p] = v;
    m->n++;
    return -1;
}

/* ---- parsed file ---- */

typedef enum { WF_GAL, WF_GWT, WF_KWT, WF_CSV } wformat;

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

static void wfile_free(wfile *f)
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

static int push_rec(wfile *f, const char *id, size_t line)
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

static int push_link(wfile *f, const char *i, const char *j, double w, size_t line)
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

/* Tokenizer over the whole text: splits lines and whitespace-separated tokens in place. */
typedef struct {
    char *p;
    size_t line;
} lexer;

/* Next line (NUL-terminated in place, CR stripped) or NULL at the end. */
static char *next_line(lexer *L)
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
static int split_ws(char *s, char **tok, int max)
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
static char *next_tok(char **s)
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

static int parse_count(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < 0 || v > INT32_MAX)
        return -1;
    *out = v;
    return 0;
}

static int parse_weight(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || (errno && !(v == 0.0 || isinf(v))) || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int oom(agglo_ctx *ctx)
{
    return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
}

/* Header "0 n shapefile idfield" or "n" (GAL; also GWT/KWT written by other tools). */
static int parse_header(agglo_ctx *ctx, const char *path, char *line, size_t lineno, wfile *f)
{
    char *tok[64];
    int nt = split_ws(line, tok, 63);
    long n;
    if (nt == 0)
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: empty header (expected '0 n shapefile idfield' or 'n')",
                           path, lineno);
    if (nt > 63)
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: header has too many fields", path, lineno);
    if (nt == 1) {
        if (parse_count(tok[0], &n))
            return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: header '%s' is not a count of observations",
                               path, lineno, tok[0]);
        f->header_n = n;
        return AGGLO_OK;
    }
    if (parse_count(tok[1], &n))
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: header field 2 '%s' is not a count of observations",
                           path, lineno, tok[1]);
    f->header_n = n;
    if (nt >= 4 && strcmp(tok[nt - 1], "-") != 0) {
        f->id_field = strdup(tok[nt - 1]);
        if (!f->id_field)
            return oom(ctx);
    }
    return AGGLO_OK;
}

/* The header of a GAL/GWT/KWT file: its first non-blank line. */
static int read_header(agglo_ctx *ctx, const char *path, lexer *L, wfile *f)
{
    char *line, *tok[1];
    do {
        line = next_line(L);
    } while (line && split_ws(line, tok, 0) == 0);
    if (!line)
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: empty weights file", path);
    return parse_header(ctx, path, line, L->line, f);
}

static int parse_gal(agglo_ctx *ctx, const char *path, wfile *f)
{
    lexer L = {f->text, 0};
    char *line;
    char *tok[3];
    int rc = read_header(ctx, path, &L, f);
    if (rc)
        return rc;
    /* records: "id k" then k neighbour ids (possibly over several lines) */
    for (;;) {
        line = next_line(&L);
        if (!line)
            break;
        int nt = split_ws(line, tok, 2);
        if (nt == 0)
            continue;
        if (nt != 2)
            return agglo_error(ctx, AGGLO_E_FORMAT,
                               "%s: line %zu: expected 'id count' (an observation and its number of neighbours)",
                               path, L.line);
        long k;
        if (parse_count(tok[1], &k))
            return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: neighbour count '%s' is not a non-negative integer",
                               path, L.line, tok[1]);
        const char *id = tok[0];
        size_t idline = L.line;
        if (push_rec(f, id, idline))
            return oom(ctx);
        long got = 0;
        while (got < k) {
            line = next_line(&L);
            if (!line)
                return agglo_error(ctx, AGGLO_E_FORMAT,
                                   "%s: line %zu: observation '%s' lists %ld neighbours but the file ends after %ld",
                                   path, idline, id, k, got);
            char *tk;
            char *sp = line;
            while ((tk = next_tok(&sp))) {
                if (got == k)
                    return agglo_error(ctx, AGGLO_E_FORMAT,
                                       "%s: line %zu: observation '%s' (line %zu) lists more than %ld neighbours",
                                       path, L.line, id, idline, k);
                if (push_link(f, id, tk, 1.0, L.line))
                    return oom(ctx);
                got++;
            }
        }
    }
    if (f->header_n >= 0 && (size_t)f->header_n != f->nrec)
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: header says %ld observations but the file has %zu",
                           path, f->header_n, f->nrec);
    return AGGLO_OK;
}

static int parse_gwt(agglo_ctx *ctx, const char *path, wfile *f)
{
    lexer L = {f->text, 0};
    char *line;
    char *tok[4];
    int rc = read_header(ctx, path, &L, f);
    if (rc)
        return rc;
    strmap seen;
    if (strmap_init(&seen, 1024))
        return oom(ctx);
    while ((line = next_line(&L))) {
        int nt = split_ws(line, tok, 3);
        if (nt == 0)
            continue;
        if (nt != 3) {
            strmap_free(&seen);
            return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: expected 'id neighbour weight'", path, L.line);
        }
        double w;
        if (parse_weight(tok[2], &w)) {
            strmap_free(&seen);
            return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: weight '%s' is not a finite number",
                               path, L.line, tok[2]);
        }
        if (seen.n * 2 + 16 > seen.cap) {
            /* grow by rebuilding */
            strmap bigger;
            if (strmap_init(&bigger, seen.cap)) {
                strmap_free(&seen);
                return oom(ctx);
            }
            for (size_t r = 0; r < f->nrec; r++)
                strmap_put(&bigger, f->rec[r], (int64_t)r);
            strmap_free(&seen);
            seen = bigger;
        }
        if (strmap_put(&seen, tok[0], (int64_t)f->nrec) < 0 && push_rec(f, tok[0], L.line)) {
            strmap_free(&seen);
            return oom(ctx);
        }
        if (push_link(f, tok[0], tok[1], w, L.line)) {
            strmap_free(&seen);
            return oom(ctx);
        }
    }
    strmap_free(&seen);
    return AGGLO_OK;
}

/* CSV edge list: focal,neighbour[,weight] with an optional header row. */
static int csv_split(char *s, char **tok, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (n == max)
            return max + 1;
        if (*s == '"') {
            char *out = ++s, *start = s;
            for (;;) {
                if (!*s)
                    return -1;
                if (*s == '"') {
                    if (s[1] == '"') {
                        *out++ = '"';
                        s += 2;
                        continue;
                    }
                    s++;
                    break;
                }
                *out++ = *s++;
            }
            while (*s == ' ' || *s == '\t')
                s++;
            if (*s && *s != ',')
                return -1;
            *out = '\0';
            tok[n++] = start;
            if (!*s)
                return n;
            s++;
            continue;
        }
        char *start = s;
        while (*s && *s != ',')
            s++;
        char *e = s;
        while (e > start && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        int last = !*s;
        *e = '\0';
        tok[n++] = start;
        if (last)
            return n;
        s++;
    }
}

static int parse_csv(agglo_ctx *ctx, const char *path, wfile *f)
{
    lexer L = {f->text, 0};
    char *line;
    int first = 1;
    strmap seen;
    if (strmap_init(&seen, 1024))
        return oom(ctx);
    int rc = AGGLO_OK;
    while ((line = next_line(&L))) {
        char *tok[4];
        if (!*line)
            continue;
        int nt = csv_split(line, tok, 3);
        if (nt < 0) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: unterminated quoted field", path, L.line);
            break;
        }
        if (nt != 2 && nt != 3) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: expected 'focal,neighbor[,weight]'", path, L.line);
            break;
        }
        double w = 1.0;
        int bad_w = nt == 3 && parse_weight(tok[2], &w);
        if (first) {
            first = 0;
            if (bad_w || (nt == 2 && strcasecmp(tok[0], "focal") == 0))
                continue; /* header row */
        }
        if (bad_w) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: weight '%s' is not a finite number",
                             path, L.line, tok[2]);
            break;
        }
        if (!*tok[0] || !*tok[1]) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: empty id", path, L.line);
            break;
        }
        if (seen.n * 2 + 16 > seen.cap) {
            strmap bigger;
            if (strmap_init(&bigger, seen.cap)) {
                rc = oom(ctx);
                break;
            }
            for (size_t r = 0; r < f->nrec; r++)
                strmap_put(&bigger, f->rec[r], (int64_t)r);
            strmap_free(&seen);
            seen = bigger;
        }
        if (strmap_put(&seen, tok[0], (int64_t)f->nrec) < 0 && push_rec(f, tok[0], L.line)) {
            rc = oom(ctx);
            break;
        }
        if (push_link(f, tok[0], tok[1], w, L.line)) {
            rc = oom(ctx);
            break;
        }
    }
    strmap_free(&seen);
    return rc;
}

static int format_of(agglo_ctx *ctx, const char *path, wformat *fmt)
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

/* Parses text (ownership taken) in format fmt. */
static int parse_text(agglo_ctx *ctx, const char *path, wformat fmt, char *text, wfile *f)
{
    memset(f, 0, sizeof *f);
    f->fmt = fmt;
    f->text = text;
    f->header_n = -1;
    switch (fmt) {
    case WF_GAL: return parse_gal(ctx, path, f);
    case WF_GWT:
    case WF_KWT: return parse_gwt(ctx, path, f);
    case WF_CSV: return parse_csv(ctx, path, f);
    }
    return AGGLO_E_USAGE;
}

static int load_file(agglo_ctx *ctx, const char *path, wfile *f)
{
    memset(f, 0, sizeof *f);
    wformat fmt;
    int rc = format_of(ctx, path, &fmt);
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
        return oom(ctx);
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
                return oom(ctx);
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
    return parse_text(ctx, path, fmt, buf, f);
}

/* Resolves the parsed links against ids (n strings); unknown ids are errors naming the line.
 * For GAL files every observation must have a record and no record may repeat. */
static agglo_weights *resolve(agglo_ctx *ctx, const char *path, const wfile *f,
                              const char *const *ids, size_t n, int check_n)
{
    strmap m = {0};
    int32_t *seen = NULL;
    wi_links L = {0};
    agglo_weights *W = NULL;
    if (strmap_init(&m, n))
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (strmap_put(&m, ids[i], (int64_t)i) >= 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: observation id '%s' is not unique", path, ids[i]);
            goto out;
        }
    if (check_n && f->header_n >= 0 && (size_t)f->header_n != n) {
        agglo_error(ctx, AGGLO_E_MISMATCH, "%s: the file has %ld observations but the layer has %zu",
                    path, f->header_n, n);
        goto out;
    }
    /* ids are matched exactly as strings: "1" is neither "01" nor "1.0" */
#define LOOKUP(s, out) (out = strmap_get(&m, s))
    seen = calloc(n ? n : 1, sizeof(int32_t));
    if (!seen)
        goto nomem;
    for (size_t r = 0; r < f->nrec; r++) {
        int64_t i;
        LOOKUP(f->rec[r], i);
        if (i < 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: line %zu: id '%s' is not an observation of the layer",
                        path, f->rec_line[r], f->rec[r]);
            goto out;
        }
        if (f->fmt == WF_GAL && seen[i]) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: line %zu: id '%s' is listed twice (first on line %zu)",
                        path, f->rec_line[r], f->rec[r], f->rec_line[seen[i] - 1]);
            goto out;
        }
        seen[i] = (int32_t)(r + 1);
    }
    if (f->fmt == WF_GAL && f->nrec != n) {
        for (size_t i = 0; i < n; i++)
            if (!seen[i]) {
                agglo_error(ctx, AGGLO_E_MISMATCH, "%s: observation '%s' has no record in the file (%zu records for %zu observations)",
                            path, ids[i], f->nrec, n);
                goto out;
            }
    }
    for (size_t k = 0; k < f->nl; k++) {
        int64_t i, j;
        LOOKUP(f->li[k], i);
        LOOKUP(f->lj[k], j);
        if (i < 0 || j < 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: line %zu: id '%s' is not an observation of the layer",
                        path, f->lline[k], i < 0 ? f->li[k] : f->lj[k]);
            goto out;
        }
        if (wi_links_push(&L, (int32_t)i, (int32_t)j, f->lw[k]))
            goto nomem;
    }
#undef LOOKUP
    /* duplicated links: find one to report with its line */
    {
        agglo_weights *T = wi_from_links(ctx, n, &L, 0, ids);
        if (!T)
            goto out;
        if (agglo_weights_nnz(T) != L.n) {
            /* report the first repeated link with its line (hash of (i, j) keys) */
            size_t cap = 16;
            while (cap < 2 * L.n + 16)
                cap *= 2;
            size_t *slot = calloc(cap, sizeof(size_t));
            size_t dup = (size_t)-1, dupfirst = 0;
            for (size_t k = 0; slot && k < L.n && dup == (size_t)-1; k++) {
                uint64_t key = (uint64_t)(uint32_t)L.i[k] << 32 | (uint32_t)L.j[k];
                size_t p = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
                while (slot[p]) {
                    size_t o = slot[p] - 1;
                    if (L.i[o] == L.i[k] && L.j[o] == L.j[k]) {
                        dup = k;
                        dupfirst = o;
                        break;
                    }
                    p = (p + 1) & (cap - 1);
                }
                if (dup == (size_t)-1)
                    slot[p] = k + 1;
            }
            free(slot);
            if (dup != (size_t)-1)
                agglo_error(ctx, AGGLO_E_FORMAT,
                            "%s: line %zu: link '%s' -> '%s' is listed twice (first on line %zu)",
                            path, f->lline[dup], f->li[dup], f->lj[dup], f->lline[dupfirst]);
            else
                agglo_error(ctx, AGGLO_E_FORMAT, "%s: duplicated links", path);
            agglo_weights_free(T);
            goto out;
        }
        W = T;
    }
    goto out;
nomem:
    oom(ctx);
out:
    strmap_free(&m);
    free(seen);
    wi_links_free(&L);
    return W;
}

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

static int load_with(agglo_ctx *ctx, const char *path, wfile *f, const agglo_weights_read_options *o)
{
    agglo_weights_read_options d;
    if (!o) {
        agglo_weights_read_options_init(&d);
        o = &d;
    }
    int rc = load_file(ctx, path, f);
    if (rc == AGGLO_OK)
        rc = apply_values(ctx, path, f, o->values);
    return rc;
}

/* The file's own ids: records in file order, then neighbours never seen as records
 * (GWT/CSV; in a GAL every neighbour needs a record). *ids_out borrows f's strings. */
static int file_ids(agglo_ctx *ctx, const char *path, const wfile *f, const char ***ids_out,
                    size_t *n_out)
{
    strmap m;
    const char **ids = NULL;
    size_t nids = 0;
    int rc = AGGLO_OK;
    *ids_out = NULL;
    if (strmap_init(&m, f->nrec + f->nl))
        return oom(ctx);
    ids = malloc((f->nrec + f->nl + 1) * sizeof(char *));
    if (!ids) {
        rc = oom(ctx);
        goto out;
    }
    for (size_t r = 0; r < f->nrec; r++)
        if (strmap_put(&m, f->rec[r], (int64_t)nids) < 0)
            ids[nids++] = f->rec[r];
        else if (f->fmt == WF_GAL) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: id '%s' is listed twice", path,
                             f->rec_line[r], f->rec[r]);
            goto out;
        }
    for (size_t k = 0; k < f->nl; k++) {
        if (strmap_put(&m, f->lj[k], (int64_t)nids) < 0) {
            if (f->fmt == WF_GAL) {
                rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: neighbour '%s' has no record of its own",
                                 path, f->lline[k], f->lj[k]);
                goto out;
            }
            ids[nids++] = f->lj[k];
        }
    }
    if (f->fmt != WF_GAL && f->header_n >= 0 && nids > (size_t)f->header_n) {
        rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: header says %ld observations but the file has %zu ids",
                         path, f->header_n, nids);
        goto out;
    }
out:
    strmap_free(&m);
    if (rc)
        free(ids);
    else {
        *ids_out = ids;
        *n_out = nids;
    }
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
        wfile_free(&f);
        return NULL;
    }
    const char **ids = NULL;
    size_t nids = 0;
    agglo_weights *W = NULL;
    if (file_ids(ctx, path, &f, &ids, &nids))
        goto out;
    W = resolve(ctx, path, &f, ids, nids, 0);
    if (W && id_field_out && f.id_field) {
        *id_field_out = strdup(f.id_field);
        if (!*id_field_out) {
            agglo_weights_free(W);
            W = NULL;
            oom(ctx);
        }
    }
out:
    free(ids);
    wfile_free(&f);
    return W;
}

agglo_weights *agglo_weights_read_for_layer(agglo_ctx *ctx, const char *path,
                                            const agglo_layer *layer, const char *id_field)
{
    return agglo_weights_read_for_layer_ex(ctx, path, layer, id_field, NULL);
}

agglo_weights *agglo_weights_read_for_layer_ex(agglo_ctx *ctx, const char *path,
                                               const agglo_layer *layer, const char *id_field,
                                               const agglo_weights_read_options *o)
{
    wfile f;
    if (load_with(ctx, path, &f, o)) {
        wfile_free(&f);
        return NULL;
    }
    const char *field = id_field;
    if (!field && f.id_field && agglo_table_find(agglo_layer_table(layer), f.id_field) >= 0)
        field = f.id_field;
    size_t n = agglo_layer_count(layer);
    char **ids = agglo_layer_ids(ctx, layer, field);
    agglo_weights *W = NULL;
    if (ids && o && o->match_order) {
        /* the file's k-th id is the layer's k-th feature */
        const char **fids = NULL;
        size_t nf = 0;
        if (file_ids(ctx, path, &f, &fids, &nf) == AGGLO_OK) {
            if (nf != n)
                agglo_error(ctx, AGGLO_E_MISMATCH,
                            "%s: matching by feature order needs one id per feature: the file has %zu "
                            "ids, the layer %zu features",
                            path, nf, n);
            else {
                agglo_weights *F = resolve(ctx, path, &f, fids, nf, 1);
                if (F) {
                    W = agglo_weights_create(ctx, n, agglo_weights_row_ptr(F), agglo_weights_col(F),
                                             agglo_weights_values(F), (const char *const *)ids);
                    agglo_weights_free(F);
                }
            }
            free(fids);
        }
    } else if (ids) {
        W = resolve(ctx, path, &f, (const char *const *)ids, n, 1);
    }
    agglo_strings_free(ids, n);
    wfile_free(&f);
    return W;
}

agglo_weights *agglo_weights_match_ids(agglo_ctx *ctx, const agglo_weights *w,
                                       const char *const *ids, size_t n, const char *source)
{
    size_t wn = agglo_weights_n(w);
    if (wn != n) {
        agglo_error(ctx, AGGLO_E_MISMATCH, "%s: the weights have %zu observations but the data has %zu",
                    source ? source : "weights", wn, n);
        return NULL;
    }
    strmap m;
    if (strmap_init(&m, n)) {
        oom(ctx);
        return NULL;
    }
    int64_t *perm = malloc((n ? n : 1) * sizeof(int64_t)); /* weights row -> data row */
    wi_links L = {0};
    agglo_weights *R = NULL;
    if (!perm) {
        oom(ctx);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (strmap_put(&m, ids[i], (int64_t)i) >= 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: id '%s' is not unique", source ? source : "data", ids[i]);
            goto out;
        }
    for (size_t r = 0; r < n; r++) {
        perm[r] = strmap_get(&m, agglo_weights_id(w, r));
        if (perm[r] < 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: weights id '%s' is not in the data",
                        source ? source : "weights", agglo_weights_id(w, r));
            goto out;
        }
    }
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *v = wi_base_values(w);
    for (size_t r = 0; r < n; r++)
        for (size_t k = rp[r]; k < rp[r + 1]; k++)
            if (wi_links_push(&L, (int32_t)perm[r], (int32_t)perm[col[k]], v[k])) {
                oom(ctx);
                goto out;
            }
    R = wi_from_links(ctx, n, &L, 0, ids);
    if (R && agglo_weights_transform_style(w) != AGGLO_TRANSFORM_V &&
        agglo_weights_transform(ctx, R, agglo_weights_transform_style(w)) != AGGLO_OK) {
        agglo_weights_free(R);
        R = NULL;
    }
out:
    strmap_free(&m);
    free(perm);
    wi_links_free(&L);
    return R;
}

int wi_check_unique_ids(agglo_ctx *ctx, const char *const *ids, size_t n, const char *source,
                        const char *field)
{
    strmap m;
    if (strmap_init(&m, n))
        return oom(ctx);
    int rc = AGGLO_OK;
    for (size_t i = 0; i < n; i++) {
        int64_t prev = strmap_put(&m, ids[i], (int64_t)i);
        if (prev >= 0) {
            rc = agglo_error(ctx, AGGLO_E_FIELD,
                             "%s: id field '%s' is not unique: '%s' in rows %lld and %zu", source,
                             field ? field : "(feature order)", ids[i], (long long)prev + 1, i + 1);
            break;
        }
    }
    strmap_free(&m);
    return rc;
}

/* ---- writing ---- */

static void put_id(FILE *fp, const char *s)
{
    fputs(s, fp);
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
    int rc = format_of(ctx, path, &fmt);
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
                    fputc(' ', fp);
                first = 0;
                put_id(fp, agglo_weights_id(w, (size_t)col[k]));
            }
            fputc('\n', fp);
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

/* Entry point for the fuzzer: parses a buffer as the given format and resolves it. */
int wi_parse_buffer(agglo_ctx *ctx, const char *data, size_t size, int format, agglo_weights **out)
{
    *out = NULL;
    char *text = malloc(size + 1);
    if (!text)
        return oom(ctx);
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';
    if (strlen(text) != size) {
        free(text);
        return agglo_error(ctx, AGGLO_E_FORMAT, "buffer: NUL byte");
    }
    wfile f;
    int rc = parse_text(ctx, "buffer", (wformat)format, text, &f);
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
                *out = resolve(ctx, "buffer", &f, (const char *const *)ids, n, 1);
            agglo_strings_free(ids, n);
        }
        rc = *out ? AGGLO_OK : agglo_ctx_errcode(ctx);
    }
    wfile_free(&f);
    return rc;
}
