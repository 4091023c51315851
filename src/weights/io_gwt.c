/* GWT and KWT reader (GeoDa): a header, then "i j value" lines. Records are the focal ids in
 * order of first appearance. */
#define _GNU_SOURCE
#include "io_internal.h"
#include "../core/core_internal.h"

int agglo__weights_parse_gwt(agglo_ctx *ctx, const char *path, wfile *f)
{
    wlexer L = {f->text, 0};
    char *line;
    char *tok[4];
    int rc = agglo__weights_read_header(ctx, path, &L, f);
    if (rc)
        return rc;
    agglo_strmap seen; /* focal ids already recorded */
    if (agglo_strmap_init(&seen, 1024))
        return agglo__weights_oom(ctx);
    while ((line = wlex_next_line(&L))) {
        int nt = wlex_split_ws(line, tok, 3);
        if (nt == 0)
            continue;
        if (nt != 3) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: expected 'id neighbour weight'", path, L.line);
            break;
        }
        double w;
        if (wlex_weight(tok[2], &w)) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: weight '%s' is not a finite number",
                             path, L.line, tok[2]);
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
