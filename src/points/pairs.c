/* The pair iterator's setup (see points_internal.h): a bucket grid of side rmax / 3, so that
 * 7 x 7 buckets cover a point's disc of radius rmax, and the coordinates copied in bucket
 * order (the grid stores them so), so that the buckets of one bucket row are contiguous and the neighbours of a point
 * are a few contiguous runs of memory. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "../core/core_internal.h"
#include "points_internal.h"

int agglo__points_pairs_init(agglo_ctx *ctx, agglo__points_pairs *pp, const double *x,
                             const double *y, size_t n, double rmax)
{
    pp->px = pp->py = NULL;
    int rc = agglo__index_grid_build(ctx, &pp->g, x, y, n, rmax / 3);
    if (rc)
        return rc;
    pp->m = pp->g.n;
    pp->px = pp->g.xs; /* the grid keeps the coordinates in bucket order */
    pp->py = pp->g.ys;
    pp->per = (pp->m + AGGLO__POINTS_PAIR_BLOCKS - 1) / AGGLO__POINTS_PAIR_BLOCKS;
    pp->rmax = rmax;
    pp->r2max = rmax * rmax;
    return AGGLO_OK;
}

void agglo__points_pairs_free(agglo__points_pairs *pp)
{
    pp->px = pp->py = NULL;
    agglo__index_grid_free(&pp->g);
}
