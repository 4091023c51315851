/* Clark-Evans nearest-neighbour index with Donnelly's edge correction and a Monte Carlo p
 * (spatstat clarkevans / clarkevans.test). */
#define _GNU_SOURCE
#include "agglo/points.h"
#include "agglo/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "../kde/kde_internal.h"
#include "points_internal.h"

static double mean_nnd(agglo_ctx *ctx, const double *x, const double *y, size_t n, double area,
                       int *err)
{
    agglo__index_grid g;
    *err = agglo__index_grid_build(ctx, &g, x, y, n, sqrt(area / (double)n) * 1.5);
    if (*err)
        return NAN;
    double *d = agglo_malloc(ctx, n * sizeof(double));
    if (!d) {
        agglo__index_grid_free(&g);
        *err = AGGLO_E_NOMEM;
        return NAN;
    }
#pragma omp parallel for schedule(dynamic, 256) num_threads(agglo_threads_for(ctx))
    for (size_t i = 0; i < n; i++)
        d[i] = agglo__index_grid_nearest(&g, x[i], y[i], i, NULL);
    double s = agglo_sum(d, n);
    free(d);
    agglo__index_grid_free(&g);
    return s / (double)n;
}

static int clarkevans(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                      const double *window, const agglo_window *poly, int nsim, uint64_t seed,
                      agglo_clarkevans *out)
{
    double *px, *py, win[4], pbb[4];
    size_t m;
    if (poly)
        agglo_window_bbox(poly, pbb);
    int rc = agglo__points_prepare(ctx, x, y, n, poly ? pbb : window, &px, &py, &m, win,
                                   "clark-evans");
    if (rc)
        return rc;
    if (poly && (rc = agglo__window_check_points(ctx, poly, px, py, m, "clark-evans"))) {
        free(px);
        free(py);
        return rc;
    }
    memset(out, 0, sizeof *out);
    double W = win[2] - win[0], H = win[3] - win[1];
    double A = poly ? agglo_window_area(poly) : W * H;
    double P = poly ? agglo_window_perimeter(poly) : 2 * (W + H), dn = (double)m;
    out->n = m;
    out->area = A;
    out->perimeter = P;
    out->intensity = dn / A;
    out->mean_nnd = mean_nnd(ctx, px, py, m, A, &rc);
    if (rc) {
        free(px);
        free(py);
        return rc;
    }
    out->expected = 1.0 / (2 * sqrt(out->intensity));
    out->R = out->mean_nnd / out->expected;
    double se = sqrt((4 - M_PI) * A / (4 * M_PI)) / dn;
    out->z = (out->mean_nnd - out->expected) / se;
    out->p = 2 * (1 - agglo__kde_pnorm(fabs(out->z)));
    out->expected_donnelly = out->expected + (0.0514 + 0.0412 / sqrt(dn)) * P / dn;
    out->R_donnelly = out->mean_nnd / out->expected_donnelly;
    double vd = 0.0703 * A / (dn * dn) + 0.037 * P * sqrt(A / pow(dn, 5));
    out->z_donnelly = (out->mean_nnd - out->expected_donnelly) / sqrt(vd);
    out->p_donnelly = 2 * (1 - agglo__kde_pnorm(fabs(out->z_donnelly)));
    if (poly) /* Donnelly's correction is for rectangles only (spatstat clarkevans) */
        out->expected_donnelly = out->R_donnelly = out->z_donnelly = out->p_donnelly = NAN;
    out->p_donnelly_mc = NAN;
    out->nsim = nsim > 0 ? nsim : 0;
    out->seed = seed;
    if (nsim > 0) {
        double *sx = agglo_malloc(ctx, m * sizeof(double)), *sy = agglo_malloc(ctx, m * sizeof(double));
        if (!sx || !sy) {
            free(sx);
            free(sy);
            free(px);
            free(py);
            return AGGLO_E_NOMEM;
        }
        long ge = 0, le = 0;
        for (int s = 0; s < nsim && !rc; s++) {
            agglo_rng r;
            agglo_rng_init(&r, seed, (uint64_t)s);
            for (size_t i = 0; i < m && !rc; i++) {
                if (poly) {
                    if (agglo_window_sample(poly, &r, &sx[i], &sy[i]))
                        rc = agglo_error(ctx, AGGLO_E_NUMERIC, "clark-evans: cannot sample the window");
                    continue;
                }
                sx[i] = win[0] + agglo_rng_uniform(&r) * W;
                sy[i] = win[1] + agglo_rng_uniform(&r) * H;
            }
            if (rc)
                break;
            double d = mean_nnd(ctx, sx, sy, m, A, &rc);
            /* polygon windows: the test of the uncorrected R (spatstat clarkevans.test,
             * correction "none", Monte Carlo) */
            double Rs = d / (poly ? out->expected : out->expected_donnelly);
            double Ro = poly ? out->R : out->R_donnelly;
            ge += Rs >= Ro;
            le += Rs <= Ro;
        }
        free(sx);
        free(sy);
        double pu = (1.0 + (double)ge) / (1.0 + nsim), pl = (1.0 + (double)le) / (1.0 + nsim);
        out->p_donnelly_mc = fmin(1.0, 2 * fmin(pu, pl));
    }
    free(px);
    free(py);
    return rc;
}

int agglo_clarkevans_compute(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                             const double *window, int nsim, uint64_t seed,
                             agglo_clarkevans *out)
{
    return clarkevans(ctx, x, y, n, window, NULL, nsim, seed, out);
}

int agglo_clarkevans_compute_window(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                    const agglo_window *window, int nsim, uint64_t seed,
                                    agglo_clarkevans *out)
{
    if (!window)
        return agglo_error(ctx, AGGLO_E_USAGE, "clark-evans: no window");
    return clarkevans(ctx, x, y, n, NULL, window, nsim, seed, out);
}

agglo_pattern agglo_clarkevans_pattern(const agglo_clarkevans *ce, double alpha)
{
    if (!(ce->p < alpha))
        return AGGLO_PATTERN_RANDOM;
    return ce->R < 1 ? AGGLO_PATTERN_CLUSTERED : AGGLO_PATTERN_DISPERSED;
}

const char *agglo_pattern_name(agglo_pattern p)
{
    switch (p) {
    case AGGLO_PATTERN_RANDOM: return "random";
    case AGGLO_PATTERN_CLUSTERED: return "clustered";
    case AGGLO_PATTERN_DISPERSED: return "dispersed";
    }
    return "?";
}
