/* Internal helpers of the weights module (not installed). Their symbols take the private
 * form agglo__weights_<name>; none is part of the API in include/agglo/. */
#ifndef AGGLO_WEIGHTS_INTERNAL_H
#define AGGLO_WEIGHTS_INTERNAL_H

#include "agglo/weights.h"
#include <stdint.h>

/* Growable list of directed links (i, j, w). */
typedef struct agglo__weights_links {
    int32_t *i, *j;
    double *w;
    size_t n, cap;
} agglo__weights_links;

/* Appends (i, j, w): 0, or -1 out of memory. */
int agglo__weights_links_push(agglo__weights_links *L, int32_t i, int32_t j, double w);
void agglo__weights_links_free(agglo__weights_links *L);

/* CSR weights from links. symmetric: add (j, i) for every (i, j). Duplicate (i, j) pairs
 * are merged (the first value kept). */
agglo_weights *agglo__weights_from_links(agglo_ctx *ctx, size_t n, const agglo__weights_links *L,
                                         int symmetric, const char *const *ids);

/* Weights taking ownership of CSR arrays whose rows are already sorted and free of
 * duplicates (freed on failure too). w NULL = all ones. */
agglo_weights *agglo__weights_adopt(agglo_ctx *ctx, size_t n, size_t *rp, int32_t *col,
                                    double *w, const char *const *ids);

/* Keeps a copy of the per-observation kernel bandwidths bw[0..n) with W. */
int agglo__weights_set_bandwidths(agglo_ctx *ctx, agglo_weights *W, const double *bw);
/* The values as built (base of transforms). */
const double *agglo__weights_base_values(const agglo_weights *W);


/* AGGLO_E_FIELD naming the first repeated id and its rows. */
int agglo__weights_check_unique_ids(agglo_ctx *ctx, const char *const *ids, size_t n,
                                    const char *source, const char *field);

/* Fuzzing entry: parses data[0..size) as format (0 GAL, 1 GWT, 2 KWT, 3 CSV) and resolves
 * it against ids 1..n (n from the header, at most 5000). *out = weights or NULL. */
int agglo__weights_parse_buffer(agglo_ctx *ctx, const char *data, size_t size, int format,
                                agglo_weights **out);

#endif
