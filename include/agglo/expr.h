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

/* Evaluates the expression on n rows: field_values[j][i] is the value of agglo_expr_field(e, j)
 * in row i (NaN = NULL); out receives n values. Rows with a NULL field are NaN; rows where an
 * operation is undefined are NaN too and counted in *n_undefined (may be NULL).
 * agglo_table_get_numeric does this for a table's fields. */
int agglo_expr_eval(agglo_ctx *ctx, const agglo_expr *e, const double *const *field_values,
                    size_t n, double *out, size_t *n_undefined);

#ifdef __cplusplus
}
#endif
#endif
