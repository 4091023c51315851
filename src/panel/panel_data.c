/* Panel data from a long or a wide table: the region order (the weights' when given), the
 * sorted periods, the checks (every id in the weights and back, balanced, no duplicates),
 * each with an error listing the offending ids or (id, period) pairs. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panel_internal.h"

#define LIST_MAX 10

typedef struct key_ix {
    const char *key;
    size_t ix;
} key_ix;

static int key_cmp(const void *a, const void *b)
{
    return strcmp(((const key_ix *)a)->key, ((const key_ix *)b)->key);
}

static long key_find(const key_ix *k, size_t n, const char *s)
{
    key_ix q = {s, 0};
    const key_ix *f = bsearch(&q, k, n, sizeof *k, key_cmp);
    return f ? (long)f->ix : -1;
}

static int time_cmp(const void *a, const void *b, void *numeric)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    if (*(const int *)numeric) {
        double u = strtod(x, NULL), v = strtod(y, NULL);
        if (u != v)
            return u < v ? -1 : 1;
    }
    return strcmp(x, y);
}

static int is_number(const char *s)
{
    char *end;
    if (!*s)
        return 0;
    strtod(s, &end);
    return *end == '\0';
}

/* unique strings of vals (n) sorted (numerically when all are numbers); returns count */
static char **unique_sorted(agglo_ctx *ctx, char **vals, size_t n, size_t *nu, int numeric_ok)
{
    char **s = malloc((n ? n : 1) * sizeof(char *));
    if (!s) {
        agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        return NULL;
    }
    memcpy(s, vals, n * sizeof(char *));
    int num = numeric_ok;
    for (size_t i = 0; i < n && num; i++)
        num = is_number(s[i]);
    qsort_r(s, n, sizeof(char *), time_cmp, &num);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || time_cmp(&s[m - 1], &s[i], &num) != 0)
            s[m++] = s[i];
    char **out = calloc(m ? m : 1, sizeof(char *));
    for (size_t i = 0; out && i < m; i++)
        if (!(out[i] = strdup(s[i]))) {
            agglo_strings_free(out, i);
            out = NULL;
        }
    free(s);
    if (!out)
        agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    *nu = m;
    return out;
}

void agglo_panel_free(agglo_panel *p)
{
    if (!p)
        return;
    agglo_strings_free(p->ids, p->N);
    agglo_strings_free(p->times, p->T);
    free(p->y);
    for (size_t j = 0; p->x && j < p->nx; j++)
        free(p->x[j]);
    free(p->x);
    free(p->yname);
    agglo_strings_free(p->xnames, p->nx);
    free(p);
}

static agglo_panel *panel_alloc(agglo_ctx *ctx, size_t N, size_t T, const char *y,
                                const char *const *x, size_t nx)
{
    agglo_panel *p = calloc(1, sizeof *p);
    if (!p)
        goto nomem;
    p->N = N;
    p->T = T;
    p->nx = nx;
    p->y = malloc((N * T > 0 ? N * T : 1) * sizeof(double));
    p->x = calloc(nx ? nx : 1, sizeof(double *));
    p->xnames = calloc(nx ? nx : 1, sizeof(char *));
    p->yname = strdup(y);
    if (!p->y || !p->x || !p->xnames || !p->yname)
        goto nomem;
    for (size_t j = 0; j < nx; j++)
        if (!(p->x[j] = malloc((N * T > 0 ? N * T : 1) * sizeof(double))) ||
            !(p->xnames[j] = strdup(x[j])))
            goto nomem;
    return p;
nomem:
    agglo_panel_free(p);
    agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory for %zu x %zu observations", N, T);
    return NULL;
}

/* The regions: the weights' ids (checked both ways against the table's) or the table's
 * sorted. ids: n row ids; region[r] receives each row's region index. */
static char **regions(agglo_ctx *ctx, char **rowid, size_t n, const agglo_weights *w,
                      const char *src, size_t *N, size_t *region)
{
    size_t nu;
    char **u = unique_sorted(ctx, rowid, n, &nu, 0);
    if (!u)
        return NULL;
    char **ids = u;
    if (w) {
        size_t nw = agglo_weights_n(w);
        key_ix *wk = malloc((nw ? nw : 1) * sizeof *wk);
        if (!wk) {
            agglo_strings_free(u, nu);
            agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
            return NULL;
        }
        for (size_t i = 0; i < nw; i++) {
            wk[i].key = agglo_weights_id(w, i);
            wk[i].ix = i;
        }
        qsort(wk, nw, sizeof *wk, key_cmp);
        /* table ids not in W; W ids not in the table */
        char msg[1024] = "";
        size_t nbad = 0, len = 0;
        for (size_t i = 0; i < nu; i++)
            if (key_find(wk, nw, u[i]) < 0) {
                if (nbad < LIST_MAX)
                    len += (size_t)snprintf(msg + len, len < sizeof msg ? sizeof msg - len : 0,
                                            "%s%s", nbad ? ", " : "", u[i]);
                nbad++;
            }
        if (nbad) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: %zu id(s) of the table are not in the "
                        "weights: %s%s", src, nbad, msg, nbad > LIST_MAX ? ", ..." : "");
            free(wk);
            agglo_strings_free(u, nu);
            return NULL;
        }
        key_ix *uk = malloc((nu ? nu : 1) * sizeof *uk);
        for (size_t i = 0; uk && i < nu; i++) {
            uk[i].key = u[i];
            uk[i].ix = i;
        }
        len = 0;
        msg[0] = '\0';
        for (size_t i = 0; uk && i < nw; i++)
            if (key_find(uk, nu, agglo_weights_id(w, i)) < 0) {
                if (nbad < LIST_MAX)
                    len += (size_t)snprintf(msg + len, len < sizeof msg ? sizeof msg - len : 0,
                                            "%s%s", nbad ? ", " : "", agglo_weights_id(w, i));
                nbad++;
            }
        free(uk);
        free(wk);
        if (nbad) {
            agglo_error(ctx, AGGLO_E_MISMATCH, "%s: %zu id(s) of the weights are not in the "
                        "table: %s%s", src, nbad, msg, nbad > LIST_MAX ? ", ..." : "");
            agglo_strings_free(u, nu);
            return NULL;
        }
        agglo_strings_free(u, nu);
        ids = calloc(nw ? nw : 1, sizeof(char *));
        for (size_t i = 0; ids && i < nw; i++)
            if (!(ids[i] = strdup(agglo_weights_id(w, i)))) {
                agglo_strings_free(ids, i);
                ids = NULL;
            }
        if (!ids) {
            agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
            return NULL;
        }
        nu = nw;
    }
    key_ix *k = malloc((nu ? nu : 1) * sizeof *k);
    if (!k) {
        agglo_strings_free(ids, nu);
        agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        return NULL;
    }
    for (size_t i = 0; i < nu; i++) {
        k[i].key = ids[i];
        k[i].ix = i;
    }
    qsort(k, nu, sizeof *k, key_cmp);
    for (size_t r = 0; r < n; r++)
        region[r] = (size_t)key_find(k, nu, rowid[r]);
    free(k);
    *N = nu;
    return ids;
}

static char **column_text(agglo_ctx *ctx, const agglo_table *t, const char *src,
                          const char *field)
{
    long c = agglo_table_find(t, field);
    if (c < 0) {
        agglo_error(ctx, AGGLO_E_FIELD, "%s: no field '%s'", src, field);
        return NULL;
    }
    size_t n = agglo_table_nrows(t);
    const unsigned char *nul = agglo_table_nulls(t, (size_t)c);
    char **s = calloc(n ? n : 1, sizeof(char *)), buf[256];
    if (!s) {
        agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        return NULL;
    }
    for (size_t r = 0; r < n; r++) {
        if (nul[r]) {
            agglo_strings_free(s, n);
            agglo_error(ctx, AGGLO_E_MISSING, "%s: field '%s' is NULL at row %zu", src, field,
                        r + 1);
            return NULL;
        }
        agglo_table_cell_text(t, r, (size_t)c, buf, sizeof buf);
        if (!(s[r] = strdup(buf))) {
            agglo_strings_free(s, n);
            agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
            return NULL;
        }
    }
    return s;
}

/* fills dst (N T, o = t N + i) from a column of row values; rows r go to obs[r] */
static int fill_var(agglo_ctx *ctx, const agglo_table *t, const char *src, const char *name,
                    const size_t *obs, char *const *rowid, char *const *rowtime, double *dst)
{
    double *v = agglo_table_get_numeric(ctx, t, name, src);
    if (!v)
        return agglo_ctx_errcode(ctx);
    size_t n = agglo_table_nrows(t);
    for (size_t r = 0; r < n; r++) {
        if (!(v[r] == v[r])) {
            int rc = agglo_error(ctx, AGGLO_E_MISSING, "%s: '%s' is missing at row %zu (id %s, "
                                 "time %s)", src, name, r + 1, rowid[r],
                                 rowtime ? rowtime[r] : "");
            free(v);
            return rc;
        }
        dst[obs[r]] = v[r];
    }
    free(v);
    return AGGLO_OK;
}

agglo_panel *agglo_panel_from_long(agglo_ctx *ctx, const agglo_table *t, const char *src,
                                   const char *id, const char *time, const char *y,
                                   const char *const *x, size_t nx, const agglo_weights *w)
{
    size_t n = agglo_table_nrows(t), N = 0, T = 0;
    if (n == 0) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: the table has no rows", src);
        return NULL;
    }
    char **rid = column_text(ctx, t, src, id);
    char **rtm = rid ? column_text(ctx, t, src, time) : NULL;
    size_t *region = malloc(n * sizeof(size_t)), *obs = malloc(n * sizeof(size_t));
    char **ids = NULL, **times = NULL;
    agglo_panel *p = NULL;
    unsigned char *seen = NULL;
    if (!rtm || !region || !obs)
        goto fail;
    if (!(ids = regions(ctx, rid, n, w, src, &N, region)))
        goto fail;
    if (!(times = unique_sorted(ctx, rtm, n, &T, 1)))
        goto fail;
    {
        key_ix *tk = malloc(T * sizeof *tk);
        if (!tk) {
            agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
            goto fail;
        }
        for (size_t s = 0; s < T; s++) {
            tk[s].key = times[s];
            tk[s].ix = s;
        }
        qsort(tk, T, sizeof *tk, key_cmp);
        for (size_t r = 0; r < n; r++)
            obs[r] = (size_t)key_find(tk, T, rtm[r]) * N + region[r];
        free(tk);
    }
    if (!(seen = calloc(N * T, 1))) {
        agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        goto fail;
    }
    for (size_t r = 0; r < n; r++) {
        if (seen[obs[r]]) {
            agglo_error(ctx, AGGLO_E_FORMAT, "%s: (%s = %s, %s = %s) appears more than once "
                        "(row %zu)", src, id, rid[r], time, rtm[r], r + 1);
            goto fail;
        }
        seen[obs[r]] = 1;
    }
    if (n != N * T) {
        char msg[1024] = "";
        size_t len = 0, nbad = 0;
        for (size_t o = 0; o < N * T; o++)
            if (!seen[o]) {
                if (nbad < LIST_MAX)
                    len += (size_t)snprintf(msg + len, len < sizeof msg ? sizeof msg - len : 0,
                                            "%s(%s, %s)", nbad ? ", " : "", ids[o % N],
                                            times[o / N]);
                nbad++;
            }
        agglo_error(ctx, AGGLO_E_MISSING, "%s: unbalanced panel: %zu regions x %zu periods "
                    "but %zu rows; %zu (id, time) pair(s) missing: %s%s", src, N, T, n, nbad,
                    msg, nbad > LIST_MAX ? ", ..." : "");
        goto fail;
    }
    if (!(p = panel_alloc(ctx, N, T, y, x, nx)))
        goto fail;
    if (fill_var(ctx, t, src, y, obs, rid, rtm, p->y))
        goto fail;
    for (size_t j = 0; j < nx; j++)
        if (fill_var(ctx, t, src, x[j], obs, rid, rtm, p->x[j]))
            goto fail;
    p->ids = ids;
    p->times = times;
    agglo_strings_free(rid, n);
    agglo_strings_free(rtm, n);
    free(region);
    free(obs);
    free(seen);
    return p;
fail:
    agglo_panel_free(p);
    agglo_strings_free(ids, N);
    agglo_strings_free(times, T);
    agglo_strings_free(rid, n);
    agglo_strings_free(rtm, n);
    free(region);
    free(obs);
    free(seen);
    return NULL;
}

/* periods of variable v: the suffixes of the fields named v_<suffix> */
static char **wide_periods(agglo_ctx *ctx, const agglo_table *t, const char *src,
                           const char *v, size_t *T)
{
    size_t nc = agglo_table_ncols(t), lv = strlen(v), m = 0;
    char **s = calloc(nc ? nc : 1, sizeof(char *));
    if (!s) {
        agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
        return NULL;
    }
    for (size_t c = 0; c < nc; c++) {
        const char *name = agglo_table_col_name(t, c);
        if (!strncmp(name, v, lv) && name[lv] == '_' && name[lv + 1])
            s[m++] = (char *)name + lv + 1;
    }
    if (!m) {
        free(s);
        agglo_error(ctx, AGGLO_E_FIELD, "%s: no field '%s_<period>' for the wide layout", src,
                    v);
        return NULL;
    }
    char **u = unique_sorted(ctx, s, m, T, 1);
    free(s);
    return u;
}

agglo_panel *agglo_panel_from_wide(agglo_ctx *ctx, const agglo_table *t, const char *src,
                                   const char *id, const char *y, const char *const *x,
                                   size_t nx, const agglo_weights *w)
{
    size_t n = agglo_table_nrows(t), N = 0, T = 0;
    if (n == 0) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: the table has no rows", src);
        return NULL;
    }
    char **rid = column_text(ctx, t, src, id), **ids = NULL, **times = NULL;
    size_t *region = malloc(n * sizeof(size_t)), *obs = malloc(n * sizeof(size_t));
    agglo_panel *p = NULL;
    char field[512];
    if (!rid || !region || !obs)
        goto fail;
    if (!(ids = regions(ctx, rid, n, w, src, &N, region)))
        goto fail;
    if (N != n) {
        agglo_error(ctx, AGGLO_E_FORMAT, "%s: the wide layout needs one row per region: %zu "
                    "rows for %zu ids", src, n, N);
        goto fail;
    }
    if (!(times = wide_periods(ctx, t, src, y, &T)))
        goto fail;
    if (!(p = panel_alloc(ctx, N, T, y, x, nx)))
        goto fail;
    for (size_t v = 0; v <= nx; v++) {
        const char *name = v == 0 ? y : x[v - 1];
        double *dst = v == 0 ? p->y : p->x[v - 1];
        for (size_t s = 0; s < T; s++) {
            snprintf(field, sizeof field, "%s_%s", name, times[s]);
            if (agglo_table_find(t, field) < 0) {
                agglo_error(ctx, AGGLO_E_FIELD, "%s: wide layout: no field '%s' (period %s of "
                            "'%s')", src, field, times[s], y);
                goto fail;
            }
            for (size_t r = 0; r < n; r++)
                obs[r] = s * N + region[r];
            if (fill_var(ctx, t, src, field, obs, rid, NULL, dst))
                goto fail;
        }
    }
    p->ids = ids;
    p->times = times;
    agglo_strings_free(rid, n);
    free(region);
    free(obs);
    return p;
fail:
    agglo_panel_free(p);
    agglo_strings_free(ids, N);
    agglo_strings_free(times, T);
    agglo_strings_free(rid, n);
    free(region);
    free(obs);
    return NULL;
}
