/* Internal declarations shared by mgwr.c and mgwr_infer.c (multiscale GWR). */
#ifndef AGGLO_MGWR_INTERNAL_H
#define AGGLO_MGWR_INTERNAL_H

#include <stddef.h>
#include "agglo/mgwr.h"
#include "gwr_internal.h"

typedef struct mg {
    agglo_ctx *ctx;
    const agglo_gwr_model *m;
    int nth;
    double *beta, *hat, *yhat, *tmp; /* n each: scratch of the searches */
    size_t nevals;
} mg;

/* Replays the back-fitting on the identity columns [c0, c0 + mc) (see mgwr_infer.c). */
int agglo__mgwr_r_chunk(mg *g, const double *X, const double *xc, double bw_init, const double *hist,
                 size_t niter, size_t c0, size_t mc, double *C, double *err, double *old,
                 double *Wb, size_t rb, double *cct, double *enp);

#endif
