/* Helpers shared by the GWR and MGWR tests: a tiny CSV reader for the reference files, the
 * key,value reader, a relative comparison, and loading a layer's response/covariates. */
#ifndef AGGLO_GWR_TEST_UTIL_H
#define AGGLO_GWR_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agglo/agglo.h"

/* ---- tiny CSV reader: header + numeric rows ---- */
typedef struct csv {
    size_t nrow, ncol;
    char **names;
    double *v; /* nrow x ncol */
} csv;

static inline void csv_free(csv *c)
{
    for (size_t j = 0; j < c->ncol; j++)
        free(c->names[j]);
    free(c->names);
    free(c->v);
}

static inline size_t split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *s = line;
    for (;;) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        while (*s == ' ')
            s++;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r'))
            *--e = '\0';
        if (n < max)
            fields[n++] = s;
        if (!comma)
            break;
        s = comma + 1;
    }
    return n;
}

static inline void csv_read(const char *path, csv *c, int header)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    char line[16384];
    char *f[128];
    memset(c, 0, sizeof *c);
    size_t cap = 0;
    if (header) {
        assert_non_null(fgets(line, sizeof line, fp));
        c->ncol = split(line, f, 128);
        c->names = calloc(c->ncol, sizeof(char *));
        for (size_t j = 0; j < c->ncol; j++)
            c->names[j] = strdup(f[j]);
    }
    while (fgets(line, sizeof line, fp)) {
        size_t k = split(line, f, 128);
        if (!c->ncol) {
            c->ncol = k;
            c->names = calloc(k, sizeof(char *));
            for (size_t j = 0; j < k; j++)
                c->names[j] = strdup("");
        }
        if (k < c->ncol)
            continue;
        if (c->nrow == cap) {
            cap = cap ? 2 * cap : 256;
            c->v = realloc(c->v, cap * c->ncol * sizeof(double));
        }
        for (size_t j = 0; j < c->ncol; j++)
            c->v[c->nrow * c->ncol + j] = strtod(f[j], NULL);
        c->nrow++;
    }
    fclose(fp);
}

static inline long csv_col(const csv *c, const char *name)
{
    for (size_t j = 0; j < c->ncol; j++)
        if (strcmp(c->names[j], name) == 0)
            return (long)j;
    fail_msg("no column %s", name);
    return -1;
}

/* key,value file */
static inline double kv(const char *path, const char *key)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        fail_msg("cannot open %s", path);
    char line[512];
    double v = NAN;
    while (fgets(line, sizeof line, fp)) {
        char *comma = strchr(line, ',');
        if (!comma)
            continue;
        *comma = '\0';
        if (strcmp(line, key) == 0) {
            v = strtod(comma + 1, NULL);
            break;
        }
    }
    fclose(fp);
    if (isnan(v))
        fail_msg("no key %s in %s", key, path);
    return v;
}

static inline void near(double got, double want, double rtol, const char *what, size_t i)
{
    double tol = rtol * (fabs(want) > 1 ? fabs(want) : 1.0);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s[%zu]: got %.12g want %.12g (tol %.3g)", what, i, got, want, tol);
}

/* ---- data ---- */
typedef struct data {
    agglo_ctx *ctx;
    size_t n, k;
    double *cx, *cy, *y, *x[8], *off;
    const char *names[8];
} data;

/* Coordinates from the fields fx, fy; the offset TotPop90 when the layer has it (Georgia). */
static inline void data_load_xy(data *d, const char *shp, const char *yname,
                                const char *const *xn, size_t k, const char *fx, const char *fy)
{
    memset(d, 0, sizeof *d);
    d->ctx = agglo_ctx_create();
    agglo_layer *L = agglo_layer_read(d->ctx, shp, NULL);
    if (!L)
        fail_msg("%s", agglo_ctx_errmsg(d->ctx));
    const agglo_table *t = agglo_layer_table(L);
    d->n = agglo_layer_count(L);
    d->cx = agglo_table_get_complete(d->ctx, t, fx, shp);
    d->cy = agglo_table_get_complete(d->ctx, t, fy, shp);
    d->y = agglo_table_get_complete(d->ctx, t, yname, shp);
    d->k = k;
    for (size_t j = 0; j < k; j++) {
        d->x[j] = agglo_table_get_complete(d->ctx, t, xn[j], shp);
        d->names[j] = xn[j];
        assert_non_null(d->x[j]);
    }
    if (agglo_table_find(t, "TotPop90") >= 0)
        d->off = agglo_table_get_complete(d->ctx, t, "TotPop90", shp);
    assert_non_null(d->cx);
    assert_non_null(d->y);
    agglo_layer_free(L);
}

static inline void data_load(data *d, const char *shp, const char *yname,
                             const char *const *xn, size_t k)
{
    data_load_xy(d, shp, yname, xn, k, "X", "Y");
}

static inline void data_free(data *d)
{
    free(d->cx);
    free(d->cy);
    free(d->y);
    free(d->off);
    for (size_t j = 0; j < d->k; j++)
        free(d->x[j]);
    agglo_ctx_free(d->ctx);
}

#endif
