/* Internal declarations of the gwr module. */
#ifndef AGGLO_GWR_INTERNAL_H
#define AGGLO_GWR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "agglo/gwr.h"

typedef struct gwr_cand {
    double d;
    uint32_t j;   /* observation (internal order) */
    uint32_t bin; /* floor(d / cell size), grid searches only */
} gwr_cand;

struct agglo_gwr_model {
    agglo_gwr_options o;
    size_t n, p;
    double *X;    /* n x p row-major, internal (grid) order, column 0 = 1 */
    double *y;    /* n */
    double *loff; /* log offset (Poisson) or NULL */
    double *cx, *cy;
    size_t *orig; /* internal index -> caller's index */
    char **names; /* p */
    double ymean, ysd, *xmean, *xsd; /* standardisation (sd 1, mean 0 when off) */
    double *gbeta; /* global fit (internal scale), start of the local IRLS */
    /* grid index (planar only) */
    int use_grid;
    double gx0, gy0, cs;
    long gnx, gny;
    size_t *cstart; /* gnx*gny + 1 */
};

/* Student t upper tail P(T > t). */
double agglo_gwr_t_upper(double t, double df);

#endif
