/* The geographical detector from a table: y and factor columns, NULL handling, discretisation
 * of continuous factors (a fixed rule or the optimal one), then agglo_geodetector_run. */
#include "agglo/check.h"
#include "detect_internal.h"
#include "../core/core_internal.h"
#include "agglo/layer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Labels "[b0, b1]", "(b1, b2]", ... of the classes of breaks. */
static char **interval_labels(agglo_ctx *ctx, const double *b, size_t nb)
{
    char **lab = agglo_calloc(ctx, nb, sizeof *lab);
    if (!lab)
        return NULL;
    for (size_t c = 0; c + 1 < nb; c++) {
        char buf[96];
        snprintf(buf, sizeof buf, "%c%.6g, %.6g]", c == 0 ? '[' : '(', b[c], b[c + 1]);
        if (!(lab[c] = agglo_strdup(ctx, buf))) {
            agglo_strings_free(lab, c);
            return NULL;
        }
    }
    return lab;
}

typedef struct {
    int *codes;
    size_t nlevels;
    char **labels;
    int method, k;
    double *breaks;
    size_t nbreaks;
} strat;

static int discretize(agglo_ctx *ctx, const agglo_gd_factor_spec *sp, const double *y,
                      const double *x, size_t n, strat *s, const char *source)
{
    if (sp->discretize == 2) {
        agglo_disc_optimal o;
        if (agglo_discretize_optimal(ctx, y, x, n, sp->method_mask, 3, sp->k, &o, NULL))
            return agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s: %s", source, sp->name,
                               agglo_ctx_errmsg(ctx));
        s->method = (int)o.method;
        s->k = o.k;
        s->breaks = o.breaks;
        s->nbreaks = o.nbreaks;
    } else {
        if (agglo_discretize_breaks(ctx, x, n, sp->method, sp->k, &s->breaks, &s->nbreaks))
            return agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s: %s", source, sp->name,
                               agglo_ctx_errmsg(ctx));
        for (size_t i = 1; i < s->nbreaks; i++)
            if (!(s->breaks[i] > s->breaks[i - 1]))
                return agglo_error(ctx, AGGLO_E_NUMERIC,
                                   "%s: %s: %s breaks for %d classes are not distinct (too few "
                                   "distinct values)",
                                   source, sp->name, agglo_disc_method_name(sp->method), sp->k);
        s->method = (int)sp->method;
        s->k = sp->k;
    }
    agglo_discretize_classify(x, n, s->breaks, s->nbreaks, s->codes);
    s->nlevels = s->nbreaks - 1;
    /* drop empty classes so each stratum has observations */
    size_t *cnt = agglo_calloc(ctx, s->nlevels, sizeof *cnt);
    char **lab = interval_labels(ctx, s->breaks, s->nbreaks);
    int *map = agglo_malloc(ctx, s->nlevels * sizeof *map);
    if (!cnt || !lab || !map) {
        free(cnt);
        free(map);
        if (lab)
            agglo_strings_free(lab, s->nlevels);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        cnt[s->codes[i]]++;
    size_t L = 0;
    for (size_t c = 0; c < s->nlevels; c++) {
        if (cnt[c]) {
            map[c] = (int)L;
            lab[L++] = lab[c]; /* L <= c: moves down or stays */
        } else {
            map[c] = -1;
            free(lab[c]);
        }
    }
    for (size_t c = L; c < s->nlevels; c++)
        lab[c] = NULL;
    for (size_t i = 0; i < n; i++)
        s->codes[i] = map[s->codes[i]];
    s->nlevels = L;
    s->labels = lab;
    free(cnt);
    free(map);
    return AGGLO_OK;
}

agglo_geodetector *agglo_geodetector_table(agglo_ctx *ctx, const agglo_table *t,
                                           const char *source, const char *yname,
                                           const agglo_gd_factor_spec *factors,
                                           size_t nfactors, int drop_missing,
                                           const agglo_gd_options *opts)
{
    size_t n = agglo_table_nrows(t);
    agglo_geodetector *g = NULL;
    agglo_table *sub = NULL;
    double *y = NULL, *ys = NULL;
    size_t *keep = NULL;
    strat *st = agglo_calloc(ctx, nfactors ? nfactors : 1, sizeof *st);
    long *cols = agglo_malloc(ctx, (nfactors ? nfactors : 1) * sizeof *cols);
    if (!st || !cols)
        goto done;
    if (nfactors < 1) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: no factors", source);
        goto done;
    }
    y = agglo_table_get_numeric(ctx, t, yname, source);
    if (!y)
        goto done;
    for (size_t f = 0; f < nfactors; f++) {
        cols[f] = agglo_table_find(t, factors[f].name);
        if (cols[f] < 0) {
            double *probe = agglo_table_field_numeric(ctx, t, factors[f].name, source);
            free(probe); /* sets the message listing the fields */
            goto done;
        }
        if (strcmp(factors[f].name, yname) == 0) {
            agglo_error(ctx, AGGLO_E_USAGE, "%s: %s is both y and a factor", source, yname);
            goto done;
        }
        if (factors[f].discretize && agglo_table_col_type(t, (size_t)cols[f]) == AGGLO_COL_STRING) {
            agglo_error(ctx, AGGLO_E_FIELD, "%s: %s is text and cannot be discretised", source,
                        factors[f].name);
            goto done;
        }
    }
    keep = agglo_malloc(ctx, (n ? n : 1) * sizeof *keep);
    if (!keep)
        goto done;
    /* the shared --drop-missing policy: a NULL y or factor */
    size_t m = 0;
    unsigned char *miss = agglo_calloc(ctx, n ? n : 1, 1);
    const char **names = agglo_calloc(ctx, nfactors + 1, sizeof *names);
    const double **vars = agglo_calloc(ctx, nfactors + 1, sizeof *vars);
    int mrc = !miss || !names || !vars;
    if (!mrc) {
        for (size_t i = 0; i < n; i++)
            for (size_t f = 0; f < nfactors && !miss[i]; f++)
                miss[i] = agglo_table_nulls(t, (size_t)cols[f])[i];
        vars[0] = y;
        names[0] = yname;
        for (size_t f = 0; f < nfactors; f++)
            names[f + 1] = factors[f].name;
        mrc = agglo_missing_rows(ctx, source, n, vars, names, nfactors + 1, miss, NULL, NULL,
                                 drop_missing, keep, &m);
    }
    free(miss);
    free(names);
    free(vars);
    if (mrc)
        goto done;
    if (m < 3) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: fewer than 3 complete rows", source);
        goto done;
    }
    sub = agglo_table_subset(ctx, t, keep, m);
    ys = agglo_malloc(ctx, m * sizeof *ys);
    if (!sub || !ys)
        goto done;
    for (size_t i = 0; i < m; i++)
        ys[i] = y[keep[i]];
    for (size_t f = 0; f < nfactors; f++) {
        st[f].method = -1;
        if (!(st[f].codes = agglo_malloc(ctx, m * sizeof *st[f].codes)))
            goto done;
        if (factors[f].discretize) {
            double *x = agglo_table_field_numeric(ctx, sub, factors[f].name, source);
            if (!x)
                goto done;
            int rc = discretize(ctx, &factors[f], ys, x, m, &st[f], source);
            free(x);
            if (rc)
                goto done;
        } else if (agglo_strata_from_column(ctx, sub, (size_t)cols[f], st[f].codes,
                                            &st[f].nlevels, &st[f].labels)) {
            goto done;
        }
        if (st[f].nlevels < 2) {
            agglo_error(ctx, AGGLO_E_FIELD, "%s: factor %s has fewer than 2 strata", source,
                        factors[f].name);
            goto done;
        }
    }
    {
        const int **codes = agglo_malloc(ctx, nfactors * sizeof *codes);
        size_t *nl = agglo_malloc(ctx, nfactors * sizeof *nl);
        const char *const **labs = agglo_malloc(ctx, nfactors * sizeof *labs);
        const char **names = agglo_malloc(ctx, nfactors * sizeof *names);
        if (codes && nl && labs && names) {
            for (size_t f = 0; f < nfactors; f++) {
                codes[f] = st[f].codes;
                nl[f] = st[f].nlevels;
                labs[f] = (const char *const *)st[f].labels;
                names[f] = factors[f].name;
            }
            g = agglo_geodetector_run(ctx, ys, m, codes, nl, labs, names, nfactors, opts);
            if (!g)
                agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s", source, agglo_ctx_errmsg(ctx));
        }
        free(codes);
        free(nl);
        free(labs);
        free(names);
        if (g)
            for (size_t f = 0; f < nfactors; f++) {
                g->disc_method[f] = st[f].method;
                g->disc_k[f] = st[f].k;
                g->disc_breaks[f] = st[f].breaks;
                g->disc_nbreaks[f] = st[f].nbreaks;
                st[f].breaks = NULL;
            }
    }
done:
    if (st)
        for (size_t f = 0; f < nfactors; f++) {
            free(st[f].codes);
            free(st[f].breaks);
            if (st[f].labels)
                agglo_strings_free(st[f].labels, st[f].nlevels);
        }
    free(st);
    free(cols);
    free(y);
    free(ys);
    free(keep);
    agglo_table_free(sub);
    return g;
}
