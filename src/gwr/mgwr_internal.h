/* Internal declarations shared by mgwr.c and mgwr_infer.c (multiscale GWR). */
#ifndef AGGLO_MGWR_INTERNAL_H
#define AGGLO_MGWR_INTERNAL_H

#include <stddef.h>
#include "agglo/mgwr.h"
#include "gwr_internal.h"

#define MG_EPS 1.0000001 /* mgwr: adaptive bandwidth = k-th distance * eps (as gwr.c) */

/* Per-thread workspace: the neighbour list (index, weight) of one observation. */
typedef struct nws {
    gwr_knn knn;
    gwr_range *rg;
    double *d, *dsel; /* great circle: distances from i, and a copy for the selection */
    size_t *idx;
    double *w;
    size_t nn;
} nws;

int mgwr_nws_init(nws *s, const agglo_gwr_model *m);
void mgwr_nws_free(nws *s);
/* Fills s->idx / s->w with the observations of positive kernel weight about observation i
 * (internal order) at bandwidth bw, in a fixed order. */
void mgwr_neighbours(const agglo_gwr_model *m, size_t i, double bw, nws *s);
/* Great-circle distance in km (R = 6371), as gwr.c. */

typedef struct mg {
    agglo_ctx *ctx;
    const agglo_gwr_model *m;
    int nth;
    double *beta, *hat, *yhat, *tmp; /* n each: scratch of the searches */
    size_t nevals;
} mg;

/* Replays the back-fitting on the identity columns [c0, c0 + mc) (see mgwr_infer.c). */
int mgwr_r_chunk(mg *g, const double *X, const double *xc, double bw_init, const double *hist,
                 size_t niter, size_t c0, size_t mc, double *C, double *err, double *old,
                 double *Wb, size_t rb, double *cct, double *enp);

#endif
