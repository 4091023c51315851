/* The shared input policy: number parsing and the variable check (include/agglo/check.h). */
#include "agglo/check.h"
#include "core_internal.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int agglo_parse_double(const char *s, double *out)
{
    if (!s)
        return -1;
    while (isspace((unsigned char)*s))
        s++;
    /* strtod also reads "nan", "inf", "infinity": refused below by isfinite */
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end)
        return -1;
    /* ERANGE is overflow (v = +-HUGE_VAL) or underflow (a subnormal or zero result, which is
     * the correctly rounded value of a finite number: accepted) */
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > DBL_MIN))
        return -2;
    *out = v;
    return 0;
}

static void id_list(const double *x, size_t n, agglo_id_fn id_of, const void *obj, char *list,
                    size_t size, size_t *shown)
{
    size_t len = 0;
    list[0] = '\0';
    *shown = 0;
    for (size_t i = 0; i < n && *shown < 10; i++) {
        if (isfinite(x[i]))
            continue;
        char one[80];
        const char *id = id_of ? id_of(obj, i) : NULL;
        if (id)
            snprintf(one, sizeof one, "%s%s", *shown ? ", " : "", id);
        else
            snprintf(one, sizeof one, "%s%zu", *shown ? ", " : "", i + 1);
        size_t l = strlen(one);
        if (len + l + 1 >= size)
            break;
        memcpy(list + len, one, l + 1);
        len += l;
        (*shown)++;
    }
}

int agglo_check_variable(agglo_ctx *ctx, const double *x, size_t n, unsigned flags,
                         const char *source, const char *field, agglo_id_fn id_of,
                         const void *obj, agglo_var_info *info)
{
    source = source ? source : "input";
    field = field ? field : "x";
    if (!x || n == 0)
        return agglo_error(ctx, AGGLO_E_EMPTY, "%s: field '%s' has no values", source, field);
    size_t bad = 0;
    double lo = INFINITY, hi = -INFINITY, amax = 0.0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (!isfinite(v)) {
            bad++;
            continue;
        }
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        amax = fabs(v) > amax ? fabs(v) : amax;
    }
    if (bad) {
        char list[256];
        size_t shown;
        id_list(x, n, id_of, obj, list, sizeof list, &shown);
        return agglo_error(ctx, AGGLO_E_MISSING,
                           "%s: field '%s' has %zu missing value%s (ids %s%s); use "
                           "--drop-missing to analyse the complete rows",
                           source, field, bad, bad == 1 ? "" : "s", list,
                           bad > shown ? ", ..." : "");
    }
    if ((flags & AGGLO_CHECK_NONNEGATIVE) && lo < 0) {
        size_t i = 0;
        while (!(x[i] < 0))
            i++;
        const char *id = id_of ? id_of(obj, i) : NULL;
        char row[32];
        snprintf(row, sizeof row, "%zu", i + 1);
        return agglo_error(ctx, AGGLO_E_USAGE, "%s: field '%s' has a negative value %g (id %s); "
                           "it needs values >= 0", source, field, x[i], id ? id : row);
    }
    if ((flags & AGGLO_CHECK_NONCONSTANT) && lo == hi)
        return agglo_error(ctx, AGGLO_E_NUMERIC,
                           "%s: field '%s' is constant (all %zu values are %.17g): it has no "
                           "variance, so the statistic is undefined",
                           source, field, n, lo);
    if (info) {
        info->n = n;
        info->min = lo;
        info->max = hi;
        info->exponent = 0;
        /* out of [2^-200, 2^200]: rescale by a power of two to [0.5, 1) (exact) */
        if (amax > 0 && (amax > 0x1p200 || amax < 0x1p-200)) {
            int e;
            frexp(amax, &e);
            info->exponent = -e;
        }
    }
    return AGGLO_OK;
}

double *agglo_scaled_copy(agglo_ctx *ctx, const double *x, size_t n, int exponent)
{
    double *y = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!y)
        return NULL;
    if (exponent == 0) {
        memcpy(y, x, n * sizeof(double));
        return y;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = ldexp(x[i], exponent);
    return y;
}

int agglo_missing_rows(agglo_ctx *ctx, const char *source, size_t n, const double *const *vars,
                       const char *const *names, size_t nvars, const unsigned char *missing,
                       agglo_id_fn id_of, const void *obj, int drop, size_t *keep,
                       size_t *nkeep)
{
    source = source ? source : "input";
    size_t bad = 0, kept = 0, shown = 0, len = 0;
    char list[256] = "";
    for (size_t i = 0; i < n; i++) {
        int miss = missing && missing[i];
        for (size_t k = 0; k < nvars && !miss; k++)
            miss = vars && vars[k] && !isfinite(vars[k][i]);
        if (!miss) {
            if (keep)
                keep[kept] = i;
            kept++;
            continue;
        }
        bad++;
        if (shown < 10) {
            char one[80];
            const char *id = id_of ? id_of(obj, i) : NULL;
            if (id)
                snprintf(one, sizeof one, "%s%s", shown ? ", " : "", id);
            else
                snprintf(one, sizeof one, "%s%zu", shown ? ", " : "", i + 1);
            size_t l = strlen(one);
            if (len + l + 1 < sizeof list) {
                memcpy(list + len, one, l + 1);
                len += l;
                shown++;
            } else {
                shown = 10; /* the list is full */
            }
        }
    }
    *nkeep = kept;
    if (!bad)
        return AGGLO_OK;
    char what[256] = "";
    size_t wl = 0;
    for (size_t k = 0; k < nvars; k++) {
        if (!names || !names[k])
            continue;
        int w = snprintf(what + wl, sizeof what - wl, "%s%s", wl ? ", " : "", names[k]);
        if (w < 0 || (size_t)w >= sizeof what - wl)
            break;
        wl += (size_t)w;
    }
    const char *label = id_of ? "ids" : "rows";
    const char *more = bad > shown ? ", ..." : "";
    if (!drop)
        return agglo_error(ctx, AGGLO_E_MISSING,
                           "%s: %zu row%s with missing values%s%s (%s %s%s); use --drop-missing "
                           "to analyse the complete rows", source, bad, bad == 1 ? "" : "s",
                           wl ? " in " : "", what, label, list, more);
    agglo_warn(ctx, "%s: dropped %zu row%s with missing values%s%s (%s %s%s)", source, bad,
               bad == 1 ? "" : "s", wl ? " in " : "", what, label, list, more);
    return AGGLO_OK;
}
