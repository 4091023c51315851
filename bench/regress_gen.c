/* regress_gen: benchmark data for bench/regress.sh, drawn from a spatial lag model
 * y = rho W y + 1 + 2 x1 - 1.5 x2 + e (rho 0.5, W row-standardised, x1, x2, e standard normal;
 * y by fixed-point iterations of y <- rho W y + Xb + e to 1e-12).
 *   regress_gen voronoi N OUT.gpkg [SEED]
 *       N Voronoi cells of uniform random points in the square [0, 1000 sqrt(N)]^2 (clipped,
 *       as bench/weights_gen.c), queen contiguity; fields ID, Y, X1, X2.
 *   regress_gen grid SIDE OUT.csv OUT.gal [SEED]
 *       a SIDE x SIDE lattice of unit cells, rook contiguity written as a GAL file (ids
 *       1..SIDE^2 row by row), and a CSV with ID, x, y (cell centres), Y, X1, X2. */
#include "agglo/agglo.h"

#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void simulate(const agglo_weights *w, size_t n, agglo_rng *r, double *y, double *x1,
                     double *x2)
{
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    double *xb = malloc(n * sizeof(double)), *t = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        x1[i] = agglo_rng_normal(r);
        x2[i] = agglo_rng_normal(r);
        xb[i] = 1.0 + 2.0 * x1[i] - 1.5 * x2[i] + agglo_rng_normal(r);
        y[i] = xb[i];
    }
    for (int it = 0; it < 200; it++) {
        double d = 0;
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            size_t k = rp[i + 1] - rp[i];
            for (size_t p = rp[i]; p < rp[i + 1]; p++)
                s += y[col[p]];
            t[i] = xb[i] + (k ? 0.5 * s / (double)k : 0.0);
            d = fmax(d, fabs(t[i] - y[i]));
        }
        memcpy(y, t, n * sizeof(double));
        if (d < 1e-12)
            break;
    }
    free(xb);
    free(t);
}

static int voronoi(long n, const char *out, unsigned long long seed)
{
    agglo_ctx *ctx = agglo_ctx_create();
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    double side = 1000.0 * sqrt((double)n);
    agglo_rng r;
    agglo_rng_init(&r, seed, 0);
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(gh, (unsigned)n, 2);
    for (long i = 0; i < n; i++) {
        double x = round(agglo_rng_uniform(&r) * side * 1000.0) / 1000.0;
        double y = round(agglo_rng_uniform(&r) * side * 1000.0) / 1000.0;
        GEOSCoordSeq_setXY_r(gh, cs, (unsigned)i, x, y);
    }
    GEOSGeometry *mp = GEOSGeom_createLineString_r(gh, cs);
    GEOSGeometry *env = GEOSGeom_createRectangle_r(gh, 0, 0, side, side);
    GEOSGeometry *vor = GEOSVoronoiDiagram_r(gh, mp, env, 0.0, 0);
    if (!vor) {
        fprintf(stderr, "regress_gen: Voronoi diagram failed\n");
        return 1;
    }
    int m = GEOSGetNumGeometries_r(gh, vor);
    GEOSGeometry **cells = calloc((size_t)m, sizeof *cells);
    size_t k = 0;
    for (int i = 0; i < m; i++) {
        GEOSGeometry *c = GEOSIntersection_r(gh, GEOSGetGeometryN_r(gh, vor, i), env);
        if (c && !GEOSisEmpty_r(gh, c) && GEOSGeomTypeId_r(gh, c) == GEOS_POLYGON)
            cells[k++] = c;
        else if (c)
            GEOSGeom_destroy_r(gh, c);
    }
    agglo_table *t = agglo_table_create(ctx, k);
    double *ids = malloc(k * sizeof(double));
    for (size_t i = 0; i < k; i++)
        ids[i] = (double)(i + 1);
    agglo_table_add_numeric(ctx, t, "ID", AGGLO_COL_INTEGER, ids, NULL);
    agglo_layer *L = agglo_layer_create(ctx, k, (struct GEOSGeom_t **)cells, t, "EPSG:3857");
    int rc = L ? AGGLO_OK : agglo_ctx_errcode(ctx);
    agglo_weights *w = L ? agglo_weights_from_spec(ctx, L, "queen", NULL, 0) : NULL;
    if (!rc && !w)
        rc = agglo_ctx_errcode(ctx);
    if (!rc) {
        double *y = malloc(k * sizeof(double)), *x1 = malloc(k * sizeof(double)),
               *x2 = malloc(k * sizeof(double));
        simulate(w, k, &r, y, x1, x2);
        agglo_table *lt = agglo_layer_table_mut(L);
        if (agglo_table_add_numeric(ctx, lt, "Y", AGGLO_COL_REAL, y, NULL) < 0 ||
            agglo_table_add_numeric(ctx, lt, "X1", AGGLO_COL_REAL, x1, NULL) < 0 ||
            agglo_table_add_numeric(ctx, lt, "X2", AGGLO_COL_REAL, x2, NULL) < 0)
            rc = agglo_ctx_errcode(ctx);
        free(y);
        free(x1);
        free(x2);
    }
    if (!rc)
        rc = agglo_layer_write(ctx, L, out, NULL);
    if (rc != AGGLO_OK)
        fprintf(stderr, "regress_gen: %s\n", agglo_ctx_errmsg(ctx));
    else
        fprintf(stderr, "regress_gen: %zu cells -> %s\n", k, out);
    agglo_weights_free(w);
    agglo_layer_free(L);
    free(cells);
    free(ids);
    GEOSGeom_destroy_r(gh, vor);
    GEOSGeom_destroy_r(gh, env);
    GEOSGeom_destroy_r(gh, mp);
    agglo_ctx_free(ctx);
    return rc == AGGLO_OK ? 0 : 1;
}

static int grid(long s, const char *csv, const char *gal, unsigned long long seed)
{
    size_t n = (size_t)s * (size_t)s;
    size_t *rp = malloc((n + 1) * sizeof(size_t));
    int32_t *col = malloc(4 * n * sizeof(int32_t));
    size_t nnz = 0;
    rp[0] = 0;
    for (long r = 0; r < s; r++)
        for (long c = 0; c < s; c++) { /* sorted columns: up, left, right, down */
            if (r > 0)
                col[nnz++] = (int32_t)((r - 1) * s + c);
            if (c > 0)
                col[nnz++] = (int32_t)(r * s + c - 1);
            if (c < s - 1)
                col[nnz++] = (int32_t)(r * s + c + 1);
            if (r < s - 1)
                col[nnz++] = (int32_t)((r + 1) * s + c);
            rp[r * s + c + 1] = nnz;
        }
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_weights *w = agglo_weights_create(ctx, n, rp, col, NULL, NULL);
    int rc = w ? agglo_weights_write(ctx, w, gal, "grid", "ID") : agglo_ctx_errcode(ctx);
    if (rc) {
        fprintf(stderr, "regress_gen: %s\n", agglo_ctx_errmsg(ctx));
    } else {
        agglo_rng r;
        agglo_rng_init(&r, seed, 0);
        double *y = malloc(n * sizeof(double)), *x1 = malloc(n * sizeof(double)),
               *x2 = malloc(n * sizeof(double));
        simulate(w, n, &r, y, x1, x2);
        FILE *f = fopen(csv, "w");
        if (!f) {
            perror(csv);
            rc = 1;
        } else {
            fprintf(f, "ID,x,y,Y,X1,X2\n");
            for (size_t i = 0; i < n; i++)
                fprintf(f, "%zu,%.1f,%.1f,%.10g,%.10g,%.10g\n", i + 1, (double)(i % (size_t)s) + 0.5,
                        (double)(i / (size_t)s) + 0.5, y[i], x1[i], x2[i]);
            rc = fclose(f) ? 1 : 0;
        }
        free(y);
        free(x1);
        free(x2);
        if (!rc)
            fprintf(stderr, "regress_gen: %zu cells -> %s, %s\n", n, csv, gal);
    }
    agglo_weights_free(w);
    agglo_ctx_free(ctx);
    free(rp);
    free(col);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "voronoi")) {
        long n = strtol(argv[2], NULL, 10);
        if (n >= 2)
            return voronoi(n, argv[3], argc > 4 ? strtoull(argv[4], NULL, 10) : 1);
    } else if (argc >= 5 && !strcmp(argv[1], "grid")) {
        long s = strtol(argv[2], NULL, 10);
        if (s >= 2)
            return grid(s, argv[3], argv[4], argc > 5 ? strtoull(argv[5], NULL, 10) : 1);
    }
    fprintf(stderr, "usage: regress_gen voronoi N OUT.gpkg [SEED]\n"
                    "       regress_gen grid SIDE OUT.csv OUT.gal [SEED]\n");
    return 2;
}
