/* CSV edge-list reader: "focal,neighbor[,weight]" lines with an optional header row; fields
 * may be quoted ("" inside quotes is one "). Records are the focal ids in order of first
 * appearance. */
#define _GNU_SOURCE
#include "io_internal.h"
#include "../core/core_internal.h"

#include <strings.h>

/* Splits a CSV line into at most max fields in place; returns the field count (max + 1 if
 * more), or -1 for an unterminated quote or text after a closing quote. */
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

int agglo__weights_parse_csv(agglo_ctx *ctx, const char *path, wfile *f)
{
    wlexer L = {f->text, 0};
    char *line;
    int first = 1;
    agglo_strmap seen; /* focal ids already recorded */
    if (agglo_strmap_init(&seen, 1024))
        return agglo__weights_oom(ctx);
    int rc = AGGLO_OK;
    while ((line = wlex_next_line(&L))) {
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
        int bad_w = nt == 3 && wlex_weight(tok[2], &w);
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
        if (agglo_strmap_reserve(&seen, seen.n + 1) ||
            (agglo_strmap_put(&seen, tok[0], (int64_t)f->nrec) < 0 &&
             agglo__weights_push_rec(f, tok[0], L.line)) ||
            agglo__weights_push_link(f, tok[0], tok[1], w, L.line)) {
            rc = agglo__weights_oom(ctx);
            break;
        }
    }
    agglo_strmap_free(&seen);
    return rc;
}
