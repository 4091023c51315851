/* agglo check: the one policy for numeric input, shared by every analysis.
 *
 * Numbers in text (command-line options, CSV cells, weights files): agglo_parse_double accepts
 * every finite double, subnormals included (1e-320), and values that underflow to zero
 * (1e-400 -> 0); it refuses NaN, infinities, overflow (1e999) and text that is not entirely a
 * number.
 *
 * Variables (a column analysed by a statistic): agglo_check_variable refuses non-finite
 * values (naming how many and the first ids), and, as flags ask, a constant variable (every
 * value equal: no variance, so no autocorrelation, hot spot or regression slope can be
 * estimated) and negative values. It also returns a power-of-two scale factor that brings the
 * largest magnitude into [0.5, 1): multiplying by it is exact, leaves every scale-free
 * statistic (Moran's I, Geary's C, G, z-values, p-values) bit-for-bit unchanged, and keeps
 * sums of squares and fourth powers finite for values up to DBL_MAX (1e308) and away from
 * underflow for values down to the smallest subnormal. It is 2^0 when the largest magnitude
 * is already in the safe range [2^-200, 2^200]. Used by moran, geary, getis, lisa, hotspot; meant for
 * gwr, kde and concentration too. */
#ifndef AGGLO_CHECK_H
#define AGGLO_CHECK_H

#include <stddef.h>
#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses the whole of s (leading and trailing blanks allowed) as a finite double.
 * 0 and *out set; -1 when s is not a number ("1x", "", NULL); -2 when it is one but not finite
 * (NaN, infinity, overflow such as 1e999). *out is untouched on failure. */
int agglo_parse_double(const char *s, double *out);

/* Flags of agglo_check_variable. */
enum {
    AGGLO_CHECK_FINITE = 0u,          /* always checked */
    AGGLO_CHECK_NONCONSTANT = 1u << 0, /* AGGLO_E_NUMERIC when every value is equal */
    AGGLO_CHECK_NONNEGATIVE = 1u << 1  /* AGGLO_E_USAGE on a negative value */
};

/* Id of observation i (0-based) for messages, e.g. a wrapper of agglo_weights_id. */
typedef const char *(*agglo_id_fn)(const void *obj, size_t i);

typedef struct agglo_var_info {
    size_t n;
    double min, max;  /* of the values */
    int exponent;     /* x * 2^exponent is exact and safe for sums of 4th powers (0: as is) */
} agglo_var_info;

/* Checks x[0..n). source names the input (a file, or the analysis), field the variable;
 * id_of(obj, i) names observation i in messages (NULL: 1-based row numbers).
 * Errors: AGGLO_E_EMPTY (n = 0), AGGLO_E_MISSING (NaN / infinite values: "<source>: field
 * '<field>' has 2 missing values (ids 5, 10)"), AGGLO_E_NUMERIC (constant, with flag),
 * AGGLO_E_USAGE (negative, with flag). info may be NULL. */
int agglo_check_variable(agglo_ctx *ctx, const double *x, size_t n, unsigned flags,
                         const char *source, const char *field, agglo_id_fn id_of,
                         const void *obj, agglo_var_info *info);

/* The --drop-missing policy, one for every command. Row i of n is missing when vars[k][i] is
 * not finite for a variable k with vars[k] != NULL, or when missing != NULL and missing[i] is
 * set (a NULL group, factor or period). names[0..nvars) name the variables in messages
 * (NULL entries skipped); id_of(obj, i) names row i (NULL: 1-based row numbers, "rows").
 * Without missing rows: *nkeep = n, AGGLO_OK. With missing rows and !drop: AGGLO_E_MISSING
 * "<source>: 2 rows with missing values in A, B (ids 5, 10); use --drop-missing to analyse
 * the complete rows". With drop: the warning "<source>: dropped 2 rows with missing values
 * in A, B (ids 5, 10)", AGGLO_OK. keep (n entries, may be NULL) receives the indices of the
 * complete rows in order, *nkeep their count. */
int agglo_missing_rows(agglo_ctx *ctx, const char *source, size_t n, const double *const *vars,
                       const char *const *names, size_t nvars, const unsigned char *missing,
                       agglo_id_fn id_of, const void *obj, int drop, size_t *keep,
                       size_t *nkeep);

/* A malloc'd copy of x multiplied by 2^exponent (ldexp: exact unless it underflows, which
 * only touches values 2^-900 times smaller than the largest); NULL and AGGLO_E_NOMEM on
 * failure. */
double *agglo_scaled_copy(agglo_ctx *ctx, const double *x, size_t n, int exponent);

#ifdef __cplusplus
}
#endif
#endif
