/* Loading of the join-count, local Geary and spatial Gini commands (see esda2_cli.h). */
#define _GNU_SOURCE
#include "esda2_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int e2_given(int argc, char **argv, const char *opt)
{
    size_t l = strlen(opt);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strncmp(argv[i], opt, l) && (argv[i][l] == '\0' || argv[i][l] == '='))
            return 1;
    }
    return 0;
}

void e2_free(e2_data *d)
{
    if (d->x)
        for (size_t v = 0; v < d->nv; v++)
            free(d->x[v]);
    free(d->x);
    if (d->vars)
        agglo_strings_free(d->vars, d->nv);
    if (d->labels)
        agglo_strings_free(d->labels, d->nlevels);
    free(d->codes);
    memset(d, 0, sizeof *d);
}

int e2_load(ac_cli *a, e2_data *d, int categorical, unsigned flags)
{
    memset(d, 0, sizeof *d);
    d->vars = cli_split(a->var, &d->nv);
    if (!d->vars || d->nv == 0) {
        fprintf(stderr, "agglo %s: --var: no field name\n", a->cmd);
        return CLI_USAGE;
    }
    if (categorical && d->nv != 1) {
        fprintf(stderr, "agglo %s: --var takes one categorical field\n", a->cmd);
        return CLI_USAGE;
    }
    snprintf(a->label, sizeof a->label, "%s", a->var);
    cli_need(&a->c, a->var);
    a->ctx = cli_ctx_create(&a->c);
    if (!a->ctx)
        return CLI_FAIL;
    agglo_ctx *ctx = a->ctx;
    a->layer = cli_read_layer(ctx, a->input, &a->c);
    if (!a->layer)
        return cli_fail(ctx);
    size_t n = agglo_layer_count(a->layer);
    const agglo_table *t = agglo_layer_table(a->layer);
    /* missing-value mask per variable, as NaN-coded numbers (messages name the ids) */
    double **miss = calloc(d->nv, sizeof(double *));
    if (!miss)
        return CLI_FAIL;
    int rc = 0;
    if (categorical) {
        long c = agglo_table_find(t, d->vars[0]);
        d->codes = malloc((n ? n : 1) * sizeof(int));
        if (c < 0) {
            /* the numeric getter gives the message listing the fields */
            free(agglo_table_get_numeric(ctx, t, d->vars[0], a->input));
            rc = cli_fail(ctx);
        } else if (!d->codes || agglo_strata_from_column(ctx, t, (size_t)c, d->codes, &d->nlevels,
                                                         &d->labels) != AGGLO_OK) {
            rc = cli_fail(ctx);
        } else {
            miss[0] = malloc((n ? n : 1) * sizeof(double));
            if (!miss[0])
                rc = CLI_FAIL;
            for (size_t i = 0; !rc && i < n; i++)
                miss[0][i] = d->codes[i] < 0 ? NAN : 0.0;
        }
    } else {
        d->x = calloc(d->nv, sizeof(double *));
        if (!d->x)
            rc = CLI_FAIL;
        for (size_t v = 0; !rc && v < d->nv; v++) {
            d->x[v] = agglo_table_get_numeric(ctx, t, d->vars[v], a->input);
            if (!d->x[v])
                rc = cli_fail(ctx);
            miss[v] = d->x[v];
        }
    }
    if (!rc) {
        a->w = agglo_weights_from_spec_ex(ctx, a->layer, a->weights, a->c.id_field, 0, &a->wread);
        if (!a->w)
            rc = cli_fail(ctx);
        else if (agglo_weights_n(a->w) != n) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: weights have %zu observations, the layer %zu",
                        a->weights, agglo_weights_n(a->w), n);
            rc = cli_fail(ctx);
        }
    }
    size_t *keep = rc ? NULL : malloc((n ? n : 1) * sizeof(size_t));
    size_t nkeep = 0;
    if (!rc && !keep)
        rc = CLI_FAIL;
    for (size_t i = 0; !rc && i < n; i++) {
        int ok = 1;
        for (size_t v = 0; v < d->nv; v++)
            ok &= isfinite(miss[v][i]) != 0;
        if (ok)
            keep[nkeep++] = i;
    }
    if (!rc && nkeep < n && !a->drop_missing) {
        for (size_t v = 0; v < d->nv && !rc; v++)
            if (agglo_autocorr_check_complete(ctx, miss[v], n, a->w, d->vars[v], a->input) !=
                AGGLO_OK)
                rc = cli_fail(ctx);
    } else if (!rc && nkeep < n) {
        a->dropped = n - nkeep;
        agglo_weights *ws = agglo_weights_subset(ctx, a->w, keep, nkeep);
        agglo_layer *ls = ws ? agglo_layer_subset(ctx, a->layer, keep, nkeep) : NULL;
        if (!ws || !ls) {
            agglo_weights_free(ws);
            rc = cli_fail(ctx);
        } else {
            agglo_weights_free(a->w);
            agglo_layer_free(a->layer);
            a->w = ws;
            a->layer = ls;
            for (size_t v = 0; d->x && v < d->nv; v++)
                for (size_t j = 0; j < nkeep; j++)
                    d->x[v][j] = d->x[v][keep[j]];
            if (d->codes)
                for (size_t j = 0; j < nkeep; j++)
                    d->codes[j] = d->codes[keep[j]];
            if (!a->c.quiet)
                fprintf(stderr, "agglo: dropped %zu row(s) with missing values; %zu remain\n",
                        a->dropped, nkeep);
        }
    }
    if (categorical)
        free(miss[0]);
    free(miss);
    free(keep);
    if (rc)
        return rc;
    a->n = nkeep;
    if (categorical && a->dropped) {
        /* levels left without an observation after dropping: renumber */
        size_t *cnt = calloc(d->nlevels, sizeof(size_t));
        int *map = malloc(d->nlevels * sizeof(int));
        if (!cnt || !map) {
            free(cnt);
            free(map);
            return CLI_FAIL;
        }
        for (size_t i = 0; i < a->n; i++)
            cnt[d->codes[i]]++;
        size_t m = 0;
        for (size_t l = 0; l < d->nlevels; l++) {
            if (cnt[l]) {
                map[l] = (int)m;
                char *tmp = d->labels[m];
                d->labels[m] = d->labels[l];
                d->labels[l] = tmp;
                m++;
            } else {
                map[l] = -1;
            }
        }
        for (size_t i = 0; i < a->n; i++)
            d->codes[i] = map[d->codes[i]];
        for (size_t l = m; l < d->nlevels; l++) {
            free(d->labels[l]);
            d->labels[l] = NULL;
        }
        d->nlevels = m;
        free(cnt);
        free(map);
    }
    for (size_t v = 0; d->x && v < d->nv; v++)
        if (agglo_autocorr_check_variable(ctx, d->x[v], a->n, a->w, flags, d->vars[v], a->input,
                                          NULL) != AGGLO_OK)
            return cli_fail(ctx);
    if (agglo_weights_transform(ctx, a->w, a->transform == 'V' ? AGGLO_TRANSFORM_V
                                                              : (agglo_transform)a->transform))
        return cli_fail(ctx);
    return 0;
}
