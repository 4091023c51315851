/* Attribute table: columns of doubles (with NULL flags) or UTF-8 strings. */
#define _GNU_SOURCE
#include "agglo/table.h"
#include "agglo/expr.h"
#include "core_internal.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct column {
    char *name;
    agglo_col_type type;
    double *num;          /* numeric columns */
    char **str;           /* string columns */
    unsigned char *null;  /* 1 = NULL */
    size_t nnull;
} column;

struct agglo_table {
    size_t nrows, ncols, cap;
    column *cols;
};

agglo_table *agglo_table_create(agglo_ctx *ctx, size_t nrows)
{
    agglo_table *t = agglo_calloc(ctx, 1, sizeof *t);
    if (t)
        t->nrows = nrows;
    return t;
}

static void column_clear(column *c, size_t nrows)
{
    free(c->name);
    free(c->num);
    if (c->str)
        for (size_t i = 0; i < nrows; i++)
            free(c->str[i]);
    free(c->str);
    free(c->null);
}

void agglo_table_free(agglo_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; j < t->ncols; j++)
        column_clear(&t->cols[j], t->nrows);
    free(t->cols);
    free(t);
}

size_t agglo_table_nrows(const agglo_table *t) { return t->nrows; }
size_t agglo_table_ncols(const agglo_table *t) { return t->ncols; }
const char *agglo_table_col_name(const agglo_table *t, size_t col) { return t->cols[col].name; }
agglo_col_type agglo_table_col_type(const agglo_table *t, size_t col) { return t->cols[col].type; }

long agglo_table_find(const agglo_table *t, const char *name)
{
    for (size_t j = 0; j < t->ncols; j++)
        if (strcmp(t->cols[j].name, name) == 0)
            return (long)j;
    /* Field names in DBF files are often upper case: accept a case-insensitive unique match. */
    long found = -1;
    for (size_t j = 0; j < t->ncols; j++)
        if (strcasecmp(t->cols[j].name, name) == 0) {
            if (found >= 0)
                return -1;
            found = (long)j;
        }
    return found;
}

static column *append_column(agglo_ctx *ctx, agglo_table *t, const char *name)
{
    if (agglo_table_find(t, name) >= 0 && strcmp(t->cols[agglo_table_find(t, name)].name, name) == 0) {
        agglo_error(ctx, AGGLO_E_FIELD, "field '%s' already exists", name);
        return NULL;
    }
    if (t->ncols == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        column *c = realloc(t->cols, cap * sizeof *c);
        if (!c) {
            agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            return NULL;
        }
        t->cols = c;
        t->cap = cap;
    }
    column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->name = agglo_strdup(ctx, name);
    c->null = agglo_calloc(ctx, t->nrows, 1);
    if (!c->name || !c->null) {
        column_clear(c, 0);
        return NULL;
    }
    return c;
}

long agglo_table_add_numeric(agglo_ctx *ctx, agglo_table *t, const char *name, agglo_col_type type,
                             const double *values, const unsigned char *is_null)
{
    column *c = append_column(ctx, t, name);
    if (!c)
        return agglo_ctx_errcode(ctx);
    c->type = type == AGGLO_COL_STRING ? AGGLO_COL_REAL : type;
    c->num = agglo_malloc(ctx, t->nrows * sizeof(double));
    if (!c->num) {
        column_clear(c, 0);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < t->nrows; i++) {
        c->num[i] = values ? values[i] : NAN;
        c->null[i] = (is_null && is_null[i]) || isnan(c->num[i]);
        c->nnull += c->null[i];
    }
    return (long)t->ncols++;
}

long agglo_table_add_string(agglo_ctx *ctx, agglo_table *t, const char *name,
                            const char *const *values)
{
    column *c = append_column(ctx, t, name);
    if (!c)
        return agglo_ctx_errcode(ctx);
    c->type = AGGLO_COL_STRING;
    c->str = agglo_calloc(ctx, t->nrows, sizeof(char *));
    if (!c->str) {
        column_clear(c, 0);
        return AGGLO_E_NOMEM;
    }
    for (size_t i = 0; i < t->nrows; i++) {
        if (values && values[i]) {
            c->str[i] = strdup(values[i]);
            if (!c->str[i]) {
                column_clear(c, t->nrows);
                return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            }
        } else {
            c->null[i] = 1;
            c->nnull++;
        }
    }
    return (long)t->ncols++;
}

const double *agglo_table_numeric(const agglo_table *t, size_t col) { return t->cols[col].num; }
const char *const *agglo_table_strings(const agglo_table *t, size_t col)
{
    return (const char *const *)t->cols[col].str;
}
const unsigned char *agglo_table_nulls(const agglo_table *t, size_t col) { return t->cols[col].null; }
size_t agglo_table_null_count(const agglo_table *t, size_t col) { return t->cols[col].nnull; }

static void list_fields(const agglo_table *t, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t j = 0; j < t->ncols && used + 1 < size; j++) {
        int k = snprintf(buf + used, size - used, "%s%s", j ? ", " : "", t->cols[j].name);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

/* A variable that is not a field may be an expression over fields (agglo/expr.h); a bare name
 * that is no field stays a "no field" error. Rows where the expression is undefined although
 * its fields are not NULL are NaN, as NULLs, with a warning saying why. */
static double *expression_numeric(agglo_ctx *ctx, const agglo_table *t, const char *text,
                                  const char *src)
{
    agglo_expr *e = agglo_expr_parse(ctx, text);
    if (!e)
        return NULL;
    size_t nf = agglo_expr_field_count(e), undefined = 0;
    double **cols = agglo_calloc(ctx, nf ? nf : 1, sizeof *cols);
    double *x = agglo_malloc(ctx, (t->nrows ? t->nrows : 1) * sizeof *x);
    int ok = cols && x;
    for (size_t j = 0; ok && j < nf; j++)
        ok = (cols[j] = agglo_table_field_numeric(ctx, t, agglo_expr_field(e, j), src)) != NULL;
    if (ok)
        ok = agglo_expr_eval(ctx, e, (const double *const *)cols, t->nrows, x, &undefined) ==
             AGGLO_OK;
    if (ok && undefined)
        agglo_warn(ctx,
                   "%s: expression '%s' is undefined in %zu row%s (log or sqrt outside its "
                   "domain, division by zero or overflow); those rows count as missing",
                   src, text, undefined, undefined == 1 ? "" : "s");
    for (size_t j = 0; cols && j < nf; j++)
        free(cols[j]);
    free(cols);
    agglo_expr_free(e);
    if (!ok) {
        free(x);
        return NULL;
    }
    return x;
}

static int is_bare_name(const char *s)
{
    if (!*s || isdigit((unsigned char)*s))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.' || (unsigned char)*s >= 0x80))
            return 0;
    return 1;
}

double *agglo_table_get_numeric(agglo_ctx *ctx, const agglo_table *t, const char *name,
                                const char *source)
{
    const char *src = source ? source : "table";
    if (agglo_table_find(t, name) < 0 && !is_bare_name(name))
        return expression_numeric(ctx, t, name, src);
    return agglo_table_field_numeric(ctx, t, name, src);
}

double *agglo_table_field_numeric(agglo_ctx *ctx, const agglo_table *t, const char *name,
                                  const char *source)
{
    const char *src = source ? source : "table";
    long j = agglo_table_find(t, name);
    if (j < 0) {
        char fields[1024];
        list_fields(t, fields, sizeof fields);
        agglo_error(ctx, AGGLO_E_FIELD, "%s: no field '%s' (fields: %s)", src, name, fields);
        return NULL;
    }
    const column *c = &t->cols[j];
    double *out = agglo_malloc(ctx, (t->nrows ? t->nrows : 1) * sizeof(double));
    if (!out)
        return NULL;
    for (size_t i = 0; i < t->nrows; i++) {
        if (c->null[i]) {
            out[i] = NAN;
        } else if (c->type != AGGLO_COL_STRING) {
            out[i] = c->num[i];
        } else {
            char *end;
            errno = 0;
            double v = strtod(c->str[i], &end);
            while (*end == ' ')
                end++;
            /* ERANGE: overflow is refused; underflow (a subnormal such as 1e-320, or 0) is
             * the correctly rounded value of a finite number and kept (agglo_parse_double's
             * policy) */
            if (end == c->str[i] || *end != '\0' || (errno == ERANGE && fabs(v) > DBL_MIN)) {
                agglo_error(ctx, AGGLO_E_FIELD,
                            "%s: field '%s' is not numeric (row %zu holds '%s')", src, c->name,
                            i + 1, c->str[i]);
                free(out);
                return NULL;
            }
            out[i] = v;
        }
    }
    return out;
}

double *agglo_table_get_complete(agglo_ctx *ctx, const agglo_table *t, const char *name,
                                 const char *source)
{
    double *x = agglo_table_get_numeric(ctx, t, name, source);
    if (!x)
        return NULL;
    size_t nmiss = 0;
    char rows[256] = "";
    size_t used = 0;
    for (size_t i = 0; i < t->nrows; i++) {
        if (!isfinite(x[i])) {
            if (nmiss < 10 && used + 1 < sizeof rows) {
                int k = snprintf(rows + used, sizeof rows - used, "%s%zu", nmiss ? ", " : "", i + 1);
                if (k > 0)
                    used += (size_t)k;
            }
            nmiss++;
        }
    }
    if (nmiss) {
        agglo_error(ctx, AGGLO_E_MISSING,
                    "%s: field '%s' has %zu NULL/NaN value%s (rows %s%s); use --drop-missing",
                    source ? source : "table", name, nmiss, nmiss == 1 ? "" : "s", rows,
                    nmiss > 10 ? ", ..." : "");
        free(x);
        return NULL;
    }
    return x;
}

void agglo_table_cell_text(const agglo_table *t, size_t row, size_t col, char *buf, size_t size)
{
    const column *c = &t->cols[col];
    if (c->null[row])
        snprintf(buf, size, "NULL");
    else if (c->type == AGGLO_COL_STRING)
        snprintf(buf, size, "%s", c->str[row]);
    else if (c->type == AGGLO_COL_INTEGER || (c->num[row] == floor(c->num[row]) && fabs(c->num[row]) < 1e15))
        snprintf(buf, size, "%.0f", c->num[row]);
    else
        snprintf(buf, size, "%.17g", c->num[row]);
}

agglo_table *agglo_table_subset(agglo_ctx *ctx, const agglo_table *t, const size_t *keep,
                                size_t nkeep)
{
    agglo_table *s = agglo_table_create(ctx, nkeep);
    if (!s)
        return NULL;
    double *num = agglo_malloc(ctx, (nkeep ? nkeep : 1) * sizeof(double));
    unsigned char *nul = agglo_malloc(ctx, nkeep ? nkeep : 1);
    const char **str = agglo_malloc(ctx, (nkeep ? nkeep : 1) * sizeof(char *));
    if (!num || !nul || !str)
        goto fail;
    for (size_t j = 0; j < t->ncols; j++) {
        const column *c = &t->cols[j];
        long r;
        if (c->type == AGGLO_COL_STRING) {
            for (size_t i = 0; i < nkeep; i++)
                str[i] = c->str[keep[i]];
            r = agglo_table_add_string(ctx, s, c->name, str);
        } else {
            for (size_t i = 0; i < nkeep; i++) {
                num[i] = c->num[keep[i]];
                nul[i] = c->null[keep[i]];
            }
            r = agglo_table_add_numeric(ctx, s, c->name, c->type, num, nul);
        }
        if (r < 0)
            goto fail;
    }
    free(num);
    free(nul);
    free(str);
    return s;
fail:
    free(num);
    free(nul);
    free(str);
    agglo_table_free(s);
    return NULL;
}
