/* bench_join: spatial join of N random points into a G x G grid of square regions
 * (default 1,000,000 points, 55 x 55 = 3,025 regions). Writes the data to DIR (regions.gpkg,
 * points.csv) so bench/join.sh can run R sf on the same files, then prints the median of
 * three timings of agglo_join_layers (read times reported separately).
 * usage: bench_join [N] [G] [DIR] */
#define _POSIX_C_SOURCE 200809L
#include "agglo/agglo.h"

#include <geos_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t g = argc > 2 ? strtoul(argv[2], NULL, 10) : 55;
    const char *dir = argc > 3 ? argv[3] : "/tmp/agglo_bench_join";
    char cmd[512], poly_path[512], pts_path[512];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0)
        return 1;
    snprintf(poly_path, sizeof poly_path, "%s/regions.gpkg", dir);
    snprintf(pts_path, sizeof pts_path, "%s/points.csv", dir);

    agglo_ctx *ctx = agglo_ctx_create();
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    const double side = 1000.0; /* metres; EPSG:32650 */
    GEOSGeometry **polys = malloc(g * g * sizeof *polys);
    for (size_t r = 0; r < g; r++)
        for (size_t c = 0; c < g; c++) {
            double x0 = 500000 + (double)c * side, y0 = 3200000 + (double)r * side;
            GEOSCoordSequence *s = GEOSCoordSeq_create_r(gh, 5, 2);
            double xs[5] = {x0, x0 + side, x0 + side, x0, x0};
            double ys[5] = {y0, y0, y0 + side, y0 + side, y0};
            for (unsigned k = 0; k < 5; k++)
                GEOSCoordSeq_setXY_r(gh, s, k, xs[k], ys[k]);
            polys[r * g + c] = GEOSGeom_createPolygon_r(gh, GEOSGeom_createLinearRing_r(gh, s), NULL, 0);
        }
    agglo_layer *P = agglo_layer_create(ctx, g * g, polys, NULL, "EPSG:32650");
    free(polys);
    agglo_rng rng;
    agglo_rng_init(&rng, 1, 0);
    FILE *f = fopen(pts_path, "w");
    fprintf(f, "x,y\n");
    for (size_t i = 0; i < n; i++) {
        /* 5% of the points fall outside the grid */
        double x = 500000 + (agglo_rng_uniform(&rng) * 1.05 - 0.025) * side * (double)g;
        double y = 3200000 + (agglo_rng_uniform(&rng) * 1.05 - 0.025) * side * (double)g;
        fprintf(f, "%.3f,%.3f\n", x, y);
    }
    fclose(f);
    if (agglo_layer_write(ctx, P, poly_path, "regions") != AGGLO_OK) {
        fprintf(stderr, "%s\n", agglo_ctx_errmsg(ctx));
        return 1;
    }
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.assign_crs = "EPSG:32650";
    double t0 = now();
    agglo_layer *Q = agglo_layer_read(ctx, pts_path, &o);
    double t_read = now() - t0;
    if (!Q) {
        fprintf(stderr, "%s\n", agglo_ctx_errmsg(ctx));
        return 1;
    }
    double times[3];
    agglo_join_stats st = {0};
    for (int rep = 0; rep < 3; rep++) {
        agglo_layer *R = agglo_layer_read(ctx, poly_path, NULL);
        char name[32];
        snprintf(name, sizeof name, "count");
        agglo_join_options jo = {name, NULL, NULL, 0};
        t0 = now();
        if (agglo_join_layers(ctx, R, Q, &jo, &st) != AGGLO_OK) {
            fprintf(stderr, "%s\n", agglo_ctx_errmsg(ctx));
            return 1;
        }
        times[rep] = now() - t0;
        agglo_layer_free(R);
    }
    qsort(times, 3, sizeof(double), cmp_d);
    printf("agglo join: %zu points into %zu regions: median %.3f s (read CSV %.3f s); outside %zu\n",
           n, g * g, times[1], t_read, st.outside);
    printf("AGGLO_JOIN_SECONDS=%.6f\n", times[1]);
    agglo_layer_free(Q);
    agglo_layer_free(P);
    agglo_ctx_free(ctx);
    return 0;
}
