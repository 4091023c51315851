/* Dagum decomposition from a table: value, group and optional time columns; one result per
 * period, groups as the sorted distinct values of the group column. */
#include "agglo/check.h"
#include "detect_internal.h"
#include "../core/core_internal.h"
#include "agglo/inequality.h"
#include "agglo/layer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long need_field(agglo_ctx *ctx, const agglo_table *t, const char *name, const char *source)
{
    long c = agglo_table_find(t, name);
    if (c < 0)
        free(agglo_table_field_numeric(ctx, t, name, source)); /* the message lists fields */
    return c;
}

agglo_dagum **agglo_dagum_table(agglo_ctx *ctx, const agglo_table *t, const char *source,
                                const char *var, const char *group, const char *time,
                                int drop_missing, size_t *nperiods)
{
    *nperiods = 0;
    size_t n = agglo_table_nrows(t);
    agglo_dagum **res = NULL;
    int *gc = agglo_malloc(ctx, (n ? n : 1) * sizeof *gc);
    int *tc = agglo_malloc(ctx, (n ? n : 1) * sizeof *tc);
    int *sub_g = agglo_malloc(ctx, (n ? n : 1) * sizeof *sub_g);
    double *sub_y = agglo_malloc(ctx, (n ? n : 1) * sizeof *sub_y);
    char **gl = NULL, **tl = NULL;
    size_t ng = 0, nt = 1;
    double *y = NULL;
    if (!gc || !tc || !sub_g || !sub_y)
        goto done;
    y = agglo_table_get_numeric(ctx, t, var, source);
    if (!y)
        goto done;
    long gcol = need_field(ctx, t, group, source), tcol = -1;
    if (gcol < 0)
        goto done;
    if (time && (tcol = need_field(ctx, t, time, source)) < 0)
        goto done;
    if (agglo_strata_from_column(ctx, t, (size_t)gcol, gc, &ng, &gl))
        goto done;
    if (time) {
        if (agglo_strata_from_column(ctx, t, (size_t)tcol, tc, &nt, &tl))
            goto done;
    } else {
        for (size_t i = 0; i < n; i++)
            tc[i] = 0;
    }
    /* the shared --drop-missing policy: a NULL value, group or period */
    unsigned char *miss = agglo_calloc(ctx, n ? n : 1, 1);
    if (!miss)
        goto done;
    for (size_t i = 0; i < n; i++)
        miss[i] = isnan(y[i]) || gc[i] < 0 || tc[i] < 0;
    const double *dv[3] = {y, NULL, NULL};
    const char *dn[3] = {var, group, time};
    size_t nkeep;
    int mrc = agglo_missing_rows(ctx, source, n, dv, dn, 3, miss, NULL, NULL, drop_missing, NULL,
                                 &nkeep);
    for (size_t i = 0; i < n; i++)
        if (miss[i])
            tc[i] = -1;
    free(miss);
    if (mrc)
        goto done;
    res = agglo_calloc(ctx, nt, sizeof *res);
    if (!res)
        goto done;
    for (size_t p = 0; p < nt; p++) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            if (tc[i] == (int)p) {
                sub_y[m] = y[i];
                sub_g[m++] = gc[i];
            }
        res[p] = agglo_dagum_compute(ctx, sub_y, sub_g, m, (const char *const *)gl, ng);
        if (!res[p]) {
            if (time)
                agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: period %s: %s", source, tl[p],
                            agglo_ctx_errmsg(ctx));
            else
                agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s", source, agglo_ctx_errmsg(ctx));
            agglo_dagum_free_all(res, nt);
            res = NULL;
            goto done;
        }
        if (time && !(res[p]->period = agglo_strdup(ctx, tl[p]))) {
            agglo_dagum_free_all(res, nt);
            res = NULL;
            goto done;
        }
    }
    *nperiods = nt;
done:
    if (gl)
        agglo_strings_free(gl, ng);
    if (tl)
        agglo_strings_free(tl, nt);
    free(gc);
    free(tc);
    free(sub_g);
    free(sub_y);
    free(y);
    return res;
}
