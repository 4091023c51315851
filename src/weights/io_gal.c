/* GAL reader (GeoDa/PySAL): header "0 n shapefile idfield" or "n", then per observation
 * "id k" and its k neighbour ids (on one line or several). */
#define _GNU_SOURCE
#include "io_internal.h"

int agglo__weights_parse_gal(agglo_ctx *ctx, const char *path, wfile *f)
{
    wlexer L = {f->text, 0};
    char *line;
    char *tok[3];
    int rc = agglo__weights_read_header(ctx, path, &L, f);
    if (rc)
        return rc;
    /* records: "id k" then k neighbour ids (possibly over several lines) */
    for (;;) {
        line = wlex_next_line(&L);
        if (!line)
            break;
        int nt = wlex_split_ws(line, tok, 2);
        if (nt == 0)
            continue;
        if (nt != 2)
            return agglo_error(ctx, AGGLO_E_FORMAT,
                               "%s: line %zu: expected 'id count' (an observation and its number of neighbours)",
                               path, L.line);
        long k;
        if (wlex_count(tok[1], &k))
            return agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: neighbour count '%s' is not a non-negative integer",
                               path, L.line, tok[1]);
        const char *id = tok[0];
        size_t idline = L.line;
        if (agglo__weights_push_rec(f, id, idline))
            return agglo__weights_oom(ctx);
        long got = 0;
        while (got < k) {
            line = wlex_next_line(&L);
            if (!line)
                return agglo_error(ctx, AGGLO_E_FORMAT,
                                   "%s: line %zu: observation '%s' lists %ld neighbours but the file ends after %ld",
                                   path, idline, id, k, got);
            char *tk;
            char *sp = line;
            while ((tk = wlex_next_tok(&sp))) {
                if (got == k)
                    return agglo_error(ctx, AGGLO_E_FORMAT,
                                       "%s: line %zu: observation '%s' (line %zu) lists more than %ld neighbours",
                                       path, L.line, id, idline, k);
                if (agglo__weights_push_link(f, id, tk, 1.0, L.line))
                    return agglo__weights_oom(ctx);
                got++;
            }
        }
    }
    if (f->header_n >= 0 && (size_t)f->header_n != f->nrec)
        return agglo_error(ctx, AGGLO_E_FORMAT, "%s: header says %ld observations but the file has %zu",
                           path, f->header_n, f->nrec);
    return AGGLO_OK;
}
