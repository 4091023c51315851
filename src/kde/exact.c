/* Kernel density, the exact path: the kernel evaluated at every cell centre over the points
 * within its reach, found through a bucket grid. */
#define _GNU_SOURCE
#include "agglo/kde.h"

#include <math.h>

#include "../core/core_internal.h"
#include "kde_internal.h"

int agglo__kde_exact(agglo_ctx *ctx, const agglo__kde_pts *p, const agglo_grid *g,
                     const agglo_kde_options *o, double *out)
{
    double h = o->bandwidth;
    double R = o->kernel == AGGLO_KDE_KERNEL_GAUSSIAN ? o->gauss_cutoff * h : h;
    double cut2 = o->gauss_cutoff * o->gauss_cutoff;
    agglo__index_grid pg;
    int rc = agglo__index_grid_build(ctx, &pg, p->x, p->y, p->m, R);
    if (rc)
        return rc;
    double ih2 = 1.0 / (h * h);
    agglo_kde_kernel k = o->kernel;
    long nr = (long)g->nrows, nc = (long)g->ncols;
#pragma omp parallel for schedule(dynamic, 1) num_threads(agglo_threads_for(ctx))
    for (long r = 0; r < nr; r++) {
        double cy = g->ymax - ((double)r + 0.5) * g->cell;
        double *row = out + (size_t)r * (size_t)nc;
        for (long c = 0; c < nc; c++) {
            double cx = g->xmin + ((double)c + 0.5) * g->cell;
            double s = 0;
            long bx0, by0, bx1, by1;
            if (cx + R < pg.x0 || cy + R < pg.y0 || cx - R > pg.x0 + (double)pg.nx * pg.cs ||
                cy - R > pg.y0 + (double)pg.ny * pg.cs) {
                row[c] = 0;
                continue;
            }
            agglo__index_grid_cell(&pg, cx - R, cy - R, &bx0, &by0);
            agglo__index_grid_cell(&pg, cx + R, cy + R, &bx1, &by1);
            for (long by = by0; by <= by1; by++) {
                for (long bx = bx0; bx <= bx1; bx++) {
                    size_t b = (size_t)by * (size_t)pg.nx + (size_t)bx;
                    for (size_t t = pg.cstart[b]; t < pg.cstart[b + 1]; t++) {
                        size_t i = pg.order[t];
                        double dx = pg.xs[t] - cx, dy = pg.ys[t] - cy;
                        double r2 = (dx * dx + dy * dy) * ih2;
                        if (r2 <= cut2)
                            s += p->w[i] * agglo__kde_kern_r2(k, r2, cut2);
                    }
                }
            }
            row[c] = s * ih2;
        }
    }
    agglo__index_grid_free(&pg);
    return AGGLO_OK;
}

