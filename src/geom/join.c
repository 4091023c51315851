/* Point-in-polygon join through a GEOS STRtree over polygon envelopes and prepared polygons.
 * Rule (documented in join.h): a point goes to the lowest-indexed polygon that covers it. */
#define _GNU_SOURCE
#include "agglo/join.h"
#include "../core/core_internal.h"

#include <geos_c.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct candidates {
    long *idx;
    size_t n, cap;
    int oom;
} candidates;

static void collect(void *item, void *userdata)
{
    candidates *c = userdata;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 16;
        long *p = realloc(c->idx, cap * sizeof *p);
        if (!p) {
            c->oom = 1;
            return;
        }
        c->idx = p;
        c->cap = cap;
    }
    c->idx[c->n++] = (long)(intptr_t)item - 1;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int agglo_join_assign(agglo_ctx *ctx, const agglo_layer *polygons, const agglo_layer *points,
                      long *region)
{
    GEOSContextHandle_t gh = agglo_ctx_geos(ctx);
    size_t np = agglo_layer_count(polygons), nq = agglo_layer_count(points);
    if (agglo_layer_kind(polygons) != AGGLO_GEOM_POLYGON)
        return agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: not a polygon layer (regions are needed here)",
                           agglo_layer_path(polygons));
    if (agglo_layer_kind(points) != AGGLO_GEOM_POINT)
        return agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: not a point layer (shop points are needed here)",
                           agglo_layer_path(points));
    GEOSSTRtree *tree = GEOSSTRtree_create_r(gh, 10);
    const GEOSPreparedGeometry **prep = agglo_calloc(ctx, np ? np : 1, sizeof *prep);
    candidates cand = {0};
    int rc = AGGLO_OK;
    if (!tree || !prep) {
        rc = AGGLO_E_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < np; i++) {
        const GEOSGeometry *g = agglo_layer_geometry(polygons, i);
        if (g)
            GEOSSTRtree_insert_r(gh, tree, g, (void *)(intptr_t)(i + 1));
    }
    for (size_t q = 0; q < nq; q++) {
        region[q] = -1;
        const GEOSGeometry *pt = agglo_layer_geometry(points, q);
        if (!pt)
            continue;
        cand.n = 0;
        GEOSSTRtree_query_r(gh, tree, pt, collect, &cand);
        if (cand.oom) {
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory in spatial join");
            goto out;
        }
        if (cand.n > 1)
            qsort(cand.idx, cand.n, sizeof *cand.idx, cmp_long);
        for (size_t k = 0; k < cand.n; k++) {
            long i = cand.idx[k];
            if (!prep[i]) {
                prep[i] = GEOSPrepare_r(gh, agglo_layer_geometry(polygons, (size_t)i));
                if (!prep[i]) {
                    rc = agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: feature %ld cannot be prepared",
                                     agglo_layer_path(polygons), i + 1);
                    goto out;
                }
            }
            char hit = GEOSPreparedCovers_r(gh, prep[i], pt);
            if (hit == 2) {
                rc = agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: point %zu vs feature %ld: GEOS failed",
                                 agglo_layer_path(points), q + 1, i + 1);
                goto out;
            }
            if (hit == 1) {
                region[q] = i;
                break;
            }
        }
    }
out:
    if (prep) {
        for (size_t i = 0; i < np; i++)
            if (prep[i])
                GEOSPreparedGeom_destroy_r(gh, prep[i]);
        free(prep);
    }
    if (tree)
        GEOSSTRtree_destroy_r(gh, tree);
    free(cand.idx);
    return rc;
}

static int add_aggregate(agglo_ctx *ctx, agglo_layer *polygons, const agglo_layer *points,
                         const long *region, const char *field, int mean)
{
    size_t np = agglo_layer_count(polygons), nq = agglo_layer_count(points);
    double *v = agglo_table_get_numeric(ctx, agglo_layer_table(points), field,
                                        agglo_layer_path(points));
    if (!v)
        return agglo_ctx_errcode(ctx);
    double *sum = agglo_calloc(ctx, np, sizeof(double));
    double *comp = agglo_calloc(ctx, np, sizeof(double));
    double *cnt = agglo_calloc(ctx, np, sizeof(double));
    unsigned char *isnull = agglo_calloc(ctx, np, 1);
    int rc = AGGLO_OK;
    if (!sum || !comp || !cnt || !isnull) {
        rc = AGGLO_E_NOMEM;
        goto out;
    }
    for (size_t q = 0; q < nq; q++) {
        if (region[q] < 0 || !isfinite(v[q]))
            continue;
        /* Kahan-compensated running sum per region (sales over a million shops). */
        double y = v[q] - comp[region[q]];
        double t = sum[region[q]] + y;
        comp[region[q]] = (t - sum[region[q]]) - y;
        sum[region[q]] = t;
        cnt[region[q]] += 1.0;
    }
    for (size_t i = 0; i < np; i++) {
        if (mean) {
            isnull[i] = cnt[i] == 0.0;
            sum[i] = cnt[i] > 0.0 ? sum[i] / cnt[i] : NAN;
        }
    }
    char name[256];
    snprintf(name, sizeof name, "%s_%s", mean ? "mean" : "sum", field);
    if (agglo_table_add_numeric(ctx, agglo_layer_table_mut(polygons), name, AGGLO_COL_REAL, sum,
                                isnull) < 0)
        rc = agglo_ctx_errcode(ctx);
out:
    free(v);
    free(sum);
    free(comp);
    free(cnt);
    free(isnull);
    return rc;
}

int agglo_join_layers(agglo_ctx *ctx, agglo_layer *polygons, agglo_layer *points,
                      const agglo_join_options *opts, agglo_join_stats *stats)
{
    agglo_join_options defaults = {0};
    if (!opts)
        opts = &defaults;
    agglo_join_stats st = {0};
    const char *pa = agglo_layer_path(polygons), *pb = agglo_layer_path(points);
    int has_a = agglo_layer_crs_wkt(polygons) != NULL, has_b = agglo_layer_crs_wkt(points) != NULL;
    if (!has_a || !has_b) {
        if (!opts->assume_same_crs)
            return agglo_error(ctx, AGGLO_E_CRS,
                               "%s: has no CRS; cannot check it against %s (use --assume-same-crs "
                               "if both use the same coordinates)",
                               !has_a ? pa : pb, !has_a ? pb : pa);
    } else if (!agglo_layer_same_crs(polygons, points)) {
        int rc = agglo_layer_transform(ctx, points, agglo_layer_crs_wkt(polygons));
        if (rc != AGGLO_OK)
            return rc;
        st.reprojected = 1;
        agglo_warn(ctx, "%s: reprojected from its CRS to the CRS of %s (%s)", pb, pa,
                   agglo_layer_crs_name(polygons) ? agglo_layer_crs_name(polygons) : "?");
    }
    size_t np = agglo_layer_count(polygons), nq = agglo_layer_count(points);
    long *region = agglo_malloc(ctx, (nq ? nq : 1) * sizeof(long));
    double *count = agglo_calloc(ctx, np ? np : 1, sizeof(double));
    if (!region || !count) {
        free(region);
        free(count);
        return AGGLO_E_NOMEM;
    }
    int rc = agglo_join_assign(ctx, polygons, points, region);
    if (rc == AGGLO_OK) {
        for (size_t q = 0; q < nq; q++) {
            if (!agglo_layer_geometry(points, q))
                st.null_points++;
            else if (region[q] < 0)
                st.outside++;
            else
                count[region[q]] += 1.0;
        }
        for (size_t i = 0; i < np; i++)
            st.regions_empty += count[i] == 0.0;
        st.points = nq;
        const char *cname = opts->count_name ? opts->count_name : "count";
        if (agglo_table_add_numeric(ctx, agglo_layer_table_mut(polygons), cname, AGGLO_COL_INTEGER,
                                    count, NULL) < 0)
            rc = agglo_ctx_errcode(ctx);
    }
    for (const char *const *f = opts->sum_fields; rc == AGGLO_OK && f && *f; f++)
        rc = add_aggregate(ctx, polygons, points, region, *f, 0);
    for (const char *const *f = opts->mean_fields; rc == AGGLO_OK && f && *f; f++)
        rc = add_aggregate(ctx, polygons, points, region, *f, 1);
    if (rc == AGGLO_OK && st.outside)
        agglo_warn(ctx, "%s: %zu of %zu points fall in no region of %s", pb, st.outside, nq, pa);
    free(region);
    free(count);
    if (stats)
        *stats = st;
    return rc;
}
