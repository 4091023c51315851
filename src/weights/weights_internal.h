/* Internal helpers of the weights module (not installed). */
#ifndef AGGLO_WEIGHTS_INTERNAL_H
#define AGGLO_WEIGHTS_INTERNAL_H

#include "agglo/weights.h"
#include <stdint.h>

/* Growable list of directed links (i, j, w). */
typedef struct wi_links {
    int32_t *i, *j;
    double *w;
    size_t n, cap;
} wi_links;

int wi_links_push(wi_links *L, int32_t i, int32_t j, double w);
void wi_links_free(wi_links *L);

/* CSR weights from links. symmetric: add (j, i) for every (i, j). Duplicate (i, j) pairs
 * are merged (the first value kept). */
agglo_weights *wi_from_links(agglo_ctx *ctx, size_t n, const wi_links *L, int symmetric,
                             const char *const *ids);

/* Weights taking ownership of CSR arrays whose rows are already sorted and free of
 * duplicates (freed on failure too). w NULL = all ones. */
agglo_weights *wi_adopt(agglo_ctx *ctx, size_t n, size_t *rp, int32_t *col, double *w,
                        const char *const *ids);

int wi_set_bandwidths(agglo_ctx *ctx, agglo_weights *W, const double *bw);
/* The values as built (base of transforms). */
const double *wi_base_values(const agglo_weights *W);

/* AGGLO_E_FIELD naming the first repeated id and its rows. */
int wi_check_unique_ids(agglo_ctx *ctx, const char *const *ids, size_t n, const char *source,
                        const char *field);

/* Fuzzing entry: parses data[0..size) as format (0 GAL, 1 GWT, 2 KWT, 3 CSV) and resolves
 * it against ids 1..n (n from the header, at most 5000). *out = weights or NULL. */
int wi_parse_buffer(agglo_ctx *ctx, const char *data, size_t size, int format, agglo_weights **out);

#endif
