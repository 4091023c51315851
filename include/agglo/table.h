/* agglo table: columns of attributes attached to a layer.
 * Numeric columns are doubles with NULLs tracked separately (never silently 0); string columns
 * keep UTF-8 text (ids, names). */
#ifndef AGGLO_TABLE_H
#define AGGLO_TABLE_H

#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AGGLO_COL_REAL = 0,    /* stored as doubles */
    AGGLO_COL_INTEGER = 1, /* stored as doubles, written back as integers */
    AGGLO_COL_STRING = 2   /* stored as UTF-8 strings */
} agglo_col_type;

typedef struct agglo_table agglo_table;

agglo_table *agglo_table_create(agglo_ctx *ctx, size_t nrows);
void agglo_table_free(agglo_table *t);

size_t agglo_table_nrows(const agglo_table *t);
size_t agglo_table_ncols(const agglo_table *t);
const char *agglo_table_col_name(const agglo_table *t, size_t col);
agglo_col_type agglo_table_col_type(const agglo_table *t, size_t col);

/* Index of the column called name, or -1. */
long agglo_table_find(const agglo_table *t, const char *name);

/* Adds a column (values copied; is_null may be NULL = none null; strings may hold NULL
 * entries = NULL values). Returns the new column index or a negative error code (duplicate
 * name). */
long agglo_table_add_numeric(agglo_ctx *ctx, agglo_table *t, const char *name, agglo_col_type type,
                             const double *values, const unsigned char *is_null);
long agglo_table_add_string(agglo_ctx *ctx, agglo_table *t, const char *name,
                            const char *const *values);

/* Borrowed column data; NULL when the column has the other kind. */
const double *agglo_table_numeric(const agglo_table *t, size_t col);
const char *const *agglo_table_strings(const agglo_table *t, size_t col);
/* Null flags (1 = NULL) for any column type; never NULL. NaN values count as NULL. */
const unsigned char *agglo_table_nulls(const agglo_table *t, size_t col);
size_t agglo_table_null_count(const agglo_table *t, size_t col);

/* The numeric column called name, copied into a new array of nrows doubles (NULL -> NaN).
 * A name that is no field but an expression over fields ("shops / pop * 10000", "log(price)",
 * see agglo/expr.h) is evaluated; rows where it is undefined are NaN, with a warning.
 * Errors name the source and list the available fields when the field does not exist
 * (AGGLO_E_FIELD), and refuse string columns unless every value parses as a number.
 * `source` is used in messages only (a file name). Caller frees with free(). */
double *agglo_table_get_numeric(agglo_ctx *ctx, const agglo_table *t, const char *name,
                                const char *source);

/* As above for a field only (a name that is no field is an error, never an expression). */
double *agglo_table_field_numeric(agglo_ctx *ctx, const agglo_table *t, const char *name,
                                  const char *source);

/* As agglo_table_get_numeric but fails with AGGLO_E_MISSING, naming the count and the first rows, when any
 * value is NULL/NaN. */
double *agglo_table_get_complete(agglo_ctx *ctx, const agglo_table *t, const char *name,
                                 const char *source);

/* Text of cell (row, col) for display/ids: numbers formatted with %.17g (integers without
 * decimals), NULL as NULL. Writes at most size bytes. */
void agglo_table_cell_text(const agglo_table *t, size_t row, size_t col, char *buf, size_t size);

/* New table holding rows keep[0..nkeep-1] of t, in that order. */
agglo_table *agglo_table_subset(agglo_ctx *ctx, const agglo_table *t, const size_t *keep,
                                size_t nkeep);

#ifdef __cplusplus
}
#endif
#endif
