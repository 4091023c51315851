/* Balanced panels (regions x periods) from long or wide tables. */
#include "detect_internal.h"
#include "../core/core_internal.h"
#include "agglo/markov.h"
#include "agglo/layer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void agglo_markov_panel_free(agglo_markov_panel *p)
{
    if (!p)
        return;
    if (p->ids)
        agglo_strings_free(p->ids, p->n);
    if (p->periods)
        agglo_strings_free(p->periods, p->t);
    free(p->y);
    free(p);
}

static long need_field(agglo_ctx *ctx, const agglo_table *t, const char *name, const char *source)
{
    long c = agglo_table_find(t, name);
    if (c < 0)
        free(agglo_table_field_numeric(ctx, t, name, source)); /* the message lists fields */
    return c;
}

static void list_add(char *buf, size_t size, size_t *count, const char *id)
{
    if ((*count)++ >= 5)
        return;
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s%s", len ? ", " : "", id);
}

/* Keeps the regions with keep[i] (all periods complete), refusing or warning about the rest. */
static int finish_missing(agglo_ctx *ctx, agglo_markov_panel *p, const unsigned char *bad,
                          const char *source, const char *what, int drop_missing)
{
    size_t nbad = 0;
    char ids[256] = "";
    for (size_t i = 0; i < p->n; i++)
        if (bad[i])
            list_add(ids, sizeof ids, &nbad, p->ids[i]);
    if (!nbad)
        return AGGLO_OK;
    if (!drop_missing)
        return agglo_error(ctx, AGGLO_E_MISSING,
                           "%s: %zu regions with NULL or missing periods in %s (ids %s%s); use "
                           "--drop-missing", source, nbad, what, ids, nbad > 5 ? ", ..." : "");
    agglo_warn(ctx, "%s: %zu regions with NULL or missing periods dropped (ids %s%s)", source,
               nbad, ids, nbad > 5 ? ", ..." : "");
    size_t m = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (bad[i]) {
            free(p->ids[i]);
            continue;
        }
        p->ids[m] = p->ids[i];
        memmove(p->y + m * p->t, p->y + i * p->t, p->t * sizeof *p->y);
        m++;
    }
    p->n = m;
    if (m < 2)
        return agglo_error(ctx, AGGLO_E_EMPTY, "%s: fewer than 2 complete regions", source);
    return AGGLO_OK;
}

agglo_markov_panel *agglo_markov_panel_long(agglo_ctx *ctx, const agglo_table *t, const char *source,
                              const char *id, const char *time, const char *var,
                              int drop_missing)
{
    size_t nr = agglo_table_nrows(t), ni = 0, nt = 0;
    agglo_markov_panel *p = agglo_calloc(ctx, 1, sizeof *p);
    int *ic = agglo_malloc(ctx, (nr ? nr : 1) * sizeof *ic);
    int *tc = agglo_malloc(ctx, (nr ? nr : 1) * sizeof *tc);
    double *y = NULL;
    unsigned char *bad = NULL, *seen = NULL;
    if (!p || !ic || !tc)
        goto fail;
    long icol = need_field(ctx, t, id, source), tcol;
    if (icol < 0 || (tcol = need_field(ctx, t, time, source)) < 0)
        goto fail;
    if (!(y = agglo_table_get_numeric(ctx, t, var, source)))
        goto fail;
    if (agglo_strata_from_column(ctx, t, (size_t)icol, ic, &ni, &p->ids))
        goto fail;
    p->n = ni;
    if (agglo_strata_from_column(ctx, t, (size_t)tcol, tc, &nt, &p->periods))
        goto fail;
    p->t = nt;
    if (ni < 2 || nt < 2) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: a panel needs at least 2 regions and 2 periods "
                    "(%zu ids in %s, %zu values of %s)", source, ni, id, nt, time);
        goto fail;
    }
    size_t nrows_null = 0;
    for (size_t r = 0; r < nr; r++)
        if (ic[r] < 0 || tc[r] < 0)
            nrows_null++;
    if (nrows_null) {
        agglo_error(ctx, AGGLO_E_MISSING, "%s: %zu rows with NULL in %s or %s", source,
                    nrows_null, id, time);
        goto fail;
    }
    p->y = agglo_malloc(ctx, ni * nt * sizeof *p->y);
    bad = agglo_calloc(ctx, ni, 1);
    seen = agglo_calloc(ctx, ni * nt, 1);
    if (!p->y || !bad || !seen)
        goto fail;
    for (size_t r = 0; r < nr; r++) {
        size_t c = (size_t)ic[r] * nt + (size_t)tc[r];
        if (seen[c]) {
            agglo_error(ctx, AGGLO_E_FORMAT, "%s: row %zu: id %s appears twice in period %s",
                        source, r + 1, p->ids[ic[r]], p->periods[tc[r]]);
            goto fail;
        }
        seen[c] = 1;
        p->y[c] = y[r];
        if (isnan(y[r]))
            bad[ic[r]] = 1;
    }
    for (size_t c = 0; c < ni * nt; c++)
        if (!seen[c])
            bad[c / nt] = 1;
    if (finish_missing(ctx, p, bad, source, var, drop_missing))
        goto fail;
    free(ic);
    free(tc);
    free(y);
    free(bad);
    free(seen);
    return p;
fail:
    free(ic);
    free(tc);
    free(y);
    free(bad);
    free(seen);
    agglo_markov_panel_free(p);
    return NULL;
}

agglo_markov_panel *agglo_markov_panel_wide(agglo_ctx *ctx, const agglo_table *t, const char *source,
                              const char *id, const char *const *cols, size_t ncols,
                              int drop_missing)
{
    size_t n = agglo_table_nrows(t);
    agglo_markov_panel *p = agglo_calloc(ctx, 1, sizeof *p);
    unsigned char *bad = NULL;
    if (!p)
        return NULL;
    if (n < 2 || ncols < 2) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: a panel needs at least 2 regions and 2 periods "
                    "(%zu rows, %zu columns)", source, n, ncols);
        goto fail;
    }
    long icol = -1;
    if (id && (icol = need_field(ctx, t, id, source)) < 0)
        goto fail;
    p->ids = agglo_calloc(ctx, n, sizeof *p->ids);
    p->periods = agglo_calloc(ctx, ncols, sizeof *p->periods);
    p->y = agglo_malloc(ctx, n * ncols * sizeof *p->y);
    bad = agglo_calloc(ctx, n, 1);
    if (!p->ids || !p->periods || !p->y || !bad)
        goto fail;
    p->n = n;
    p->t = ncols;
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        if (icol >= 0)
            agglo_table_cell_text(t, i, (size_t)icol, buf, sizeof buf);
        else
            snprintf(buf, sizeof buf, "%zu", i + 1);
        if (!(p->ids[i] = agglo_strdup(ctx, buf)))
            goto fail;
    }
    for (size_t s = 0; s < ncols; s++) {
        if (!(p->periods[s] = agglo_strdup(ctx, cols[s])))
            goto fail;
        double *v = agglo_table_get_numeric(ctx, t, cols[s], source);
        if (!v)
            goto fail;
        for (size_t i = 0; i < n; i++) {
            p->y[i * ncols + s] = v[i];
            if (isnan(v[i]))
                bad[i] = 1;
        }
        free(v);
    }
    if (finish_missing(ctx, p, bad, source, "the period columns", drop_missing))
        goto fail;
    free(bad);
    return p;
fail:
    free(bad);
    agglo_markov_panel_free(p);
    return NULL;
}

int agglo_markov_panel_relative(agglo_ctx *ctx, agglo_markov_panel *p)
{
    for (size_t s = 0; s < p->t; s++) {
        long double sum = 0;
        for (size_t i = 0; i < p->n; i++)
            sum += p->y[i * p->t + s];
        double mean = (double)(sum / (long double)p->n);
        if (!(mean != 0) || !isfinite(mean))
            return agglo_error(ctx, AGGLO_E_NUMERIC,
                               "period %s: mean %g, relative values undefined", p->periods[s],
                               mean);
        for (size_t i = 0; i < p->n; i++)
            p->y[i * p->t + s] /= mean;
    }
    return AGGLO_OK;
}
