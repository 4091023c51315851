/* Id matching: a parsed weights file against a list of ids (exact strings), weights in memory
 * against data rows, and the uniqueness of an id field. */
#define _GNU_SOURCE
#include "io_internal.h"
#include "../core/core_internal.h"

int agglo__weights_file_ids(agglo_ctx *ctx, const char *path, const wfile *f,
                            const char ***ids_out, size_t *n_out)
{
    agglo_strmap m;
    const char **ids = NULL;
    size_t nids = 0;
    int rc = AGGLO_OK;
    *ids_out = NULL;
    if (agglo_strmap_init(&m, f->nrec + f->nl))
        return agglo__weights_oom(ctx);
    ids = malloc((f->nrec + f->nl + 1) * sizeof(char *));
    if (!ids) {
        rc = agglo__weights_oom(ctx);
        goto out;
    }
    for (size_t r = 0; r < f->nrec; r++)
        if (agglo_strmap_put(&m, f->rec[r], (int64_t)nids) < 0)
            ids[nids++] = f->rec[r];
        else if (f->fmt == WF_GAL) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT, "%s: line %zu: id '%s' is listed twice", path,
                             f->rec_line[r], f->rec[r]);
            goto out;
        }
    for (size_t k = 0; k < f->nl; k++) {
        if (agglo_strmap_put(&m, f->lj[k], (int64_t)nids) < 0) {
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
    agglo_strmap_free(&m);
    if (rc)
        free(ids);
    else {
        *ids_out = ids;
        *n_out = nids;
    }
    return rc;
}

/* AGGLO_E_FORMAT naming the first link listed twice and both its lines (L holds f's links
 * resolved to indices, in file order). */
static int report_duplicate_link(agglo_ctx *ctx, const char *path, const wfile *f,
                                 const agglo__weights_links *L)
{
    /* hash of (i, j) keys */
    size_t cap = 16;
    while (cap < 2 * L->n + 16)
        cap *= 2;
    size_t *slot = calloc(cap, sizeof(size_t));
    size_t dup = (size_t)-1, dupfirst = 0;
    for (size_t k = 0; slot && k < L->n && dup == (size_t)-1; k++) {
        uint64_t key = (uint64_t)(uint32_t)L->i[k] << 32 | (uint32_t)L->j[k];
        size_t p = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
        while (slot[p]) {
            size_t o = slot[p] - 1;
            if (L->i[o] == L->i[k] && L->j[o] == L->j[k]) {
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
        return agglo_error(ctx, AGGLO_E_FORMAT,
                           "%s: line %zu: link '%s' -> '%s' is listed twice (first on line %zu)",
                           path, f->lline[dup], f->li[dup], f->lj[dup], f->lline[dupfirst]);
    return agglo_error(ctx, AGGLO_E_FORMAT, "%s: duplicated links", path);
}

agglo_weights *agglo__weights_resolve(agglo_ctx *ctx, const char *path, const wfile *f,
                                      const char *const *ids, size_t n, int check_n)
{
    agglo_strmap m = {0};
    int32_t *seen = NULL;
    agglo__weights_links L = {0};
    agglo_weights *W = NULL;
    if (agglo_strmap_init(&m, n))
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (agglo_strmap_put(&m, ids[i], (int64_t)i) >= 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: observation id '%s' is not unique", path, ids[i]);
            goto out;
        }
    if (check_n && f->header_n >= 0 && (size_t)f->header_n != n) {
        agglo_error(ctx, AGGLO_E_MISMATCH, "%s: the file has %ld observations but the layer has %zu",
                    path, f->header_n, n);
        goto out;
    }
    /* ids are matched exactly as strings: "1" is neither "01" nor "1.0" */
    seen = calloc(n ? n : 1, sizeof(int32_t));
    if (!seen)
        goto nomem;
    for (size_t r = 0; r < f->nrec; r++) {
        int64_t i = agglo_strmap_get(&m, f->rec[r]);
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
        int64_t i = agglo_strmap_get(&m, f->li[k]);
        int64_t j = agglo_strmap_get(&m, f->lj[k]);
        if (i < 0 || j < 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: line %zu: id '%s' is not an observation of the layer",
                        path, f->lline[k], i < 0 ? f->li[k] : f->lj[k]);
            goto out;
        }
        if (agglo__weights_links_push(&L, (int32_t)i, (int32_t)j, f->lw[k]))
            goto nomem;
    }
    W = agglo__weights_from_links(ctx, n, &L, 0, ids);
    if (W && agglo_weights_nnz(W) != L.n) {
        /* duplicated links were merged: refuse, naming one with its lines */
        report_duplicate_link(ctx, path, f, &L);
        agglo_weights_free(W);
        W = NULL;
    }
    goto out;
nomem:
    agglo__weights_oom(ctx);
out:
    agglo_strmap_free(&m);
    free(seen);
    agglo__weights_links_free(&L);
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
    agglo_strmap m;
    if (agglo_strmap_init(&m, n)) {
        agglo__weights_oom(ctx);
        return NULL;
    }
    int64_t *perm = malloc((n ? n : 1) * sizeof(int64_t)); /* weights row -> data row */
    agglo__weights_links L = {0};
    agglo_weights *R = NULL;
    if (!perm) {
        agglo__weights_oom(ctx);
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (agglo_strmap_put(&m, ids[i], (int64_t)i) >= 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: id '%s' is not unique", source ? source : "data", ids[i]);
            goto out;
        }
    for (size_t r = 0; r < n; r++) {
        perm[r] = agglo_strmap_get(&m, agglo_weights_id(w, r));
        if (perm[r] < 0) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: weights id '%s' is not in the data",
                        source ? source : "weights", agglo_weights_id(w, r));
            goto out;
        }
    }
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *v = agglo__weights_base_values(w);
    for (size_t r = 0; r < n; r++)
        for (size_t k = rp[r]; k < rp[r + 1]; k++)
            if (agglo__weights_links_push(&L, (int32_t)perm[r], (int32_t)perm[col[k]], v[k])) {
                agglo__weights_oom(ctx);
                goto out;
            }
    R = agglo__weights_from_links(ctx, n, &L, 0, ids);
    if (R && agglo_weights_transform_style(w) != AGGLO_TRANSFORM_V &&
        agglo_weights_transform(ctx, R, agglo_weights_transform_style(w)) != AGGLO_OK) {
        agglo_weights_free(R);
        R = NULL;
    }
out:
    agglo_strmap_free(&m);
    free(perm);
    agglo__weights_links_free(&L);
    return R;
}

int agglo__weights_check_unique_ids(agglo_ctx *ctx, const char *const *ids, size_t n,
                                    const char *source, const char *field)
{
    agglo_strmap m;
    if (agglo_strmap_init(&m, n))
        return agglo__weights_oom(ctx);
    int rc = AGGLO_OK;
    for (size_t i = 0; i < n; i++) {
        int64_t prev = agglo_strmap_put(&m, ids[i], (int64_t)i);
        if (prev >= 0) {
            rc = agglo_error(ctx, AGGLO_E_FIELD,
                             "%s: id field '%s' is not unique: '%s' in rows %lld and %zu", source,
                             field ? field : "(feature order)", ids[i], (long long)prev + 1, i + 1);
            break;
        }
    }
    agglo_strmap_free(&m);
    return rc;
}
