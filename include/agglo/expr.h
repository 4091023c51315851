/* agglo expressions: a variable given as arithmetic over a table's fields, so the rate a paper
 * maps ("shops / pop * 10000", "log(price)", "rm^2") needs no preprocessing in another tool.
 *
 * Grammar (precedence from low to high; '^' is right-associative and binds tighter than a unary
 * minus, as in R: -x^2 = -(x^2)):
 *   expr    := term   (('+' | '-') term)*
 *   term    := unary  (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary ('^' unary)?
 *   primary := number | field | func '(' expr ')' | '(' expr ')'
 *   func    := log | log1p | log10 | exp | sqrt | abs
 * A field is a name of letters (any UTF-8), digits, '_' and '.', not starting with a digit, or
 * any text in double quotes or backquotes ("pop 2020", `gdp-per-head`).
 *
 * Values: a NULL field value gives NULL (NaN) for the row; an undefined operation (log of a
 * non-positive value, sqrt of a negative one, division by zero, overflow) gives NaN too and is
 * counted, so callers can warn and refuse the rows as they refuse NULLs. */
#ifndef AGGLO_EXPR_H
#define AGGLO_EXPR_H

#include "agglo/core.h"
#include "agglo/table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_expr agglo_expr;

/* Parses text; NULL with AGGLO_E_USAGE and the position of the problem on a syntax error.
 * Free with agglo_expr_free. */
agglo_expr *agglo_expr_parse(agglo_ctx *ctx, const char *text);
void agglo_expr_free(agglo_expr *e);

/* The distinct field names the expression reads, in order of first use (borrowed). */
size_t agglo_expr_field_count(const agglo_expr *e);
const char *agglo_expr_field(const agglo_expr *e, size_t i);

/* Evaluates the expression on every row of t into a new array of nrows doubles (caller frees
 * with free()). NULL field values and undefined operations give NaN; *n_undefined (may be NULL)
 * receives the number of rows whose value is NaN although every field it reads was non-NULL.
 * Fails with AGGLO_E_FIELD naming `source` when a field is missing or not numeric. */
double *agglo_expr_eval(agglo_ctx *ctx, const agglo_expr *e, const agglo_table *t,
                        const char *source, size_t *n_undefined);

#ifdef __cplusplus
}
#endif
#endif
