/* Composite index from a table: indicator columns, NULL handling, pooled panels, then the
 * entropy weights, the index (entropy score or TOPSIS closeness) and the coupling degree. */
#include "agglo/check.h"
#include "../core/core_internal.h"
#include "agglo/composite.h"
#include "agglo/geodetector.h"
#include "agglo/layer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void agglo_ci_options_init(agglo_ci_options *o)
{
    memset(o, 0, sizeof *o);
    o->method = AGGLO_CI_ENTROPY;
    o->normalize = AGGLO_CI_MINMAX;
    o->shift = 1e-4;
    o->coupling = AGGLO_COUPLING_CLASSIC;
}

void agglo_ci_result_free(agglo_ci_result *r)
{
    if (!r)
        return;
    if (r->names)
        agglo_strings_free(r->names, r->m);
    if (r->periods)
        agglo_strings_free(r->periods, r->nperiods);
    free(r->negative);
    free(r->e);
    free(r->d);
    free(r->w);
    free(r->weights);
    free(r->index);
    free(r->dplus);
    free(r->dminus);
    free(r->U);
    free(r->C);
    free(r->T);
    free(r->D);
    free(r->group_w);
    free(r->period_of);
    free(r);
}

static double *nan_array(agglo_ctx *ctx, size_t n)
{
    double *a = agglo_malloc(ctx, (n ? n : 1) * sizeof *a);
    if (a)
        for (size_t i = 0; i < n; i++)
            a[i] = NAN;
    return a;
}

/* Subsystem scores U (n x ngroups): within each group the entropy weights of its indicators
 * on the standardised matrix z, U = sum_j gw_j z_ij. */
static int subsystems(agglo_ctx *ctx, const double *z, size_t n, size_t m,
                      const agglo_ci_options *o, char **names, double *gw, double *U)
{
    size_t off = 0, G = o->ngroups;
    for (size_t g = 0; g < G; g++) {
        size_t q = o->group_size[g];
        const size_t *cols = o->group_cols + off;
        double *zg = agglo_malloc(ctx, (n * q + 1) * sizeof *zg);
        double *wg = agglo_malloc(ctx, (q ? q : 1) * sizeof *wg);
        const char **gn = agglo_malloc(ctx, (q ? q : 1) * sizeof *gn);
        int rc = !zg || !wg || !gn ? AGGLO_E_NOMEM : AGGLO_OK;
        for (size_t j = 0; !rc && j < q; j++) {
            if (cols[j] >= m)
                rc = agglo_error(ctx, AGGLO_E_USAGE, "subsystem %zu: indicator %zu of %zu",
                                 g + 1, cols[j] + 1, m);
            else
                gn[j] = names[cols[j]];
        }
        for (size_t i = 0; !rc && i < n; i++)
            for (size_t j = 0; j < q; j++)
                zg[i * q + j] = z[i * m + cols[j]];
        if (!rc)
            rc = agglo_entropy_weights(ctx, zg, n, q, gn, NULL, NULL, wg);
        for (size_t i = 0; !rc && i < n; i++) {
            long double s = 0;
            for (size_t j = 0; j < q; j++)
                s += (long double)wg[j] * zg[i * q + j];
            U[i * G + g] = (double)s;
        }
        for (size_t j = 0; !rc && j < q; j++)
            gw[cols[j]] = wg[j];
        free(zg);
        free(wg);
        free(gn);
        if (rc)
            return rc;
        off += q;
    }
    return AGGLO_OK;
}

/* The computation on the complete rows: x (n x m) -> result arrays indexed by kept row. */
static int compute(agglo_ctx *ctx, const double *x, size_t n, size_t m,
                   const agglo_ci_options *o, agglo_ci_result *r, double *idx, double *dp,
                   double *dm, double *U, double *C, double *T, double *D)
{
    const char *const *names = (const char *const *)r->names;
    double *z = agglo_malloc(ctx, (n * m + 1) * sizeof *z);
    double *v = NULL;
    int rc = z ? AGGLO_OK : AGGLO_E_NOMEM;
    if (!rc)
        rc = agglo_ci_minmax(ctx, x, n, m, r->negative, o->shift, names, z);
    if (!rc && o->method != AGGLO_CI_TOPSIS) {
        rc = agglo_entropy_weights(ctx, z, n, m, names, r->e, r->d, r->w);
        if (!rc)
            memcpy(r->weights, r->w, m * sizeof *r->w);
    }
    if (!rc && o->method == AGGLO_CI_TOPSIS)
        for (size_t j = 0; j < m; j++)
            r->weights[j] = o->weights ? o->weights[j] : 1.0 / (double)m;
    if (!rc && o->method == AGGLO_CI_ENTROPY) {
        for (size_t i = 0; i < n; i++) {
            long double s = 0;
            for (size_t j = 0; j < m; j++)
                s += (long double)r->weights[j] * z[i * m + j];
            idx[i] = (double)s;
        }
    } else if (!rc) {
        const double *mat = z;
        const unsigned char *neg = NULL; /* min-max has oriented the negatives already */
        if (o->normalize == AGGLO_CI_VECTOR) {
            v = agglo_malloc(ctx, (n * m + 1) * sizeof *v);
            rc = v ? agglo_ci_vector(ctx, x, n, m, names, v) : AGGLO_E_NOMEM;
            mat = v;
            neg = r->negative;
        }
        if (!rc)
            rc = agglo_topsis(ctx, mat, n, m, r->weights, neg, dp, dm, idx);
    }
    if (!rc && o->ngroups >= 2) {
        rc = subsystems(ctx, z, n, m, o, r->names, r->group_w, U);
        if (!rc)
            rc = agglo_coupling(ctx, U, n, o->ngroups, NULL, o->coupling, C, T, D);
    }
    free(z);
    free(v);
    return rc;
}

static int alloc_result(agglo_ctx *ctx, agglo_ci_result *r, size_t nrows, size_t m,
                        const agglo_ci_options *o)
{
    int topsis = o->method != AGGLO_CI_ENTROPY;
    size_t G = o->ngroups >= 2 ? o->ngroups : 0;
    r->negative = agglo_calloc(ctx, m, 1);
    r->e = nan_array(ctx, m);
    r->d = nan_array(ctx, m);
    r->w = nan_array(ctx, m);
    r->weights = nan_array(ctx, m);
    r->index = nan_array(ctx, nrows);
    if (topsis) {
        r->dplus = nan_array(ctx, nrows);
        r->dminus = nan_array(ctx, nrows);
    }
    if (G) {
        r->ngroups = G;
        r->U = nan_array(ctx, nrows * G);
        r->C = nan_array(ctx, nrows);
        r->T = nan_array(ctx, nrows);
        r->D = nan_array(ctx, nrows);
        r->group_w = nan_array(ctx, m);
    }
    if (!r->negative || !r->e || !r->d || !r->w || !r->weights || !r->index ||
        (topsis && (!r->dplus || !r->dminus)) ||
        (G && (!r->U || !r->C || !r->T || !r->D || !r->group_w)))
        return AGGLO_E_NOMEM;
    return AGGLO_OK;
}

agglo_ci_result *agglo_ci_table(agglo_ctx *ctx, const agglo_table *t, const char *source,
                                const char *const *positive, size_t npos,
                                const char *const *negative, size_t nneg, const char *time,
                                const agglo_ci_options *opts)
{
    agglo_ci_options o;
    if (opts)
        o = *opts;
    else
        agglo_ci_options_init(&o);
    size_t nrows = agglo_table_nrows(t), m = npos + nneg;
    if (m < 1) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: no indicators", source);
        return NULL;
    }
    if (o.method == AGGLO_CI_ENTROPY && o.weights) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: given weights apply to TOPSIS only", source);
        return NULL;
    }
    agglo_ci_result *r = agglo_calloc(ctx, 1, sizeof *r);
    double *x = NULL, *xk = NULL, *col = NULL;
    double *idx = NULL, *dp = NULL, *dm = NULL, *U = NULL, *C = NULL, *T = NULL, *D = NULL;
    size_t *keep = NULL;
    int ok = 0;
    if (!r)
        return NULL;
    r->nrows = nrows;
    r->m = m;
    if (!(r->names = agglo_calloc(ctx, m, sizeof *r->names)) ||
        alloc_result(ctx, r, nrows, m, &o))
        goto done;
    for (size_t j = 0; j < m; j++) {
        const char *nm = j < npos ? positive[j] : negative[j - npos];
        for (size_t q = 0; q < j; q++)
            if (strcmp(r->names[q], nm) == 0) {
                agglo_error(ctx, AGGLO_E_USAGE, "%s: indicator %s given twice", source, nm);
                goto done;
            }
        if (!(r->names[j] = agglo_strdup(ctx, nm)))
            goto done;
        r->negative[j] = j >= npos;
    }
    x = agglo_malloc(ctx, (nrows * m + 1) * sizeof *x);
    r->period_of = agglo_malloc(ctx, (nrows ? nrows : 1) * sizeof *r->period_of);
    keep = agglo_malloc(ctx, (nrows ? nrows : 1) * sizeof *keep);
    if (!x || !r->period_of || !keep)
        goto done;
    for (size_t j = 0; j < m; j++) {
        if (!(col = agglo_table_get_numeric(ctx, t, r->names[j], source)))
            goto done;
        for (size_t i = 0; i < nrows; i++)
            x[i * m + j] = col[i];
        free(col);
        col = NULL;
    }
    if (time) {
        long tc = agglo_table_find(t, time);
        if (tc < 0) {
            free(agglo_table_field_numeric(ctx, t, time, source)); /* lists the fields */
            goto done;
        }
        if (agglo_strata_from_column(ctx, t, (size_t)tc, r->period_of, &r->nperiods,
                                     &r->periods))
            goto done;
    } else {
        for (size_t i = 0; i < nrows; i++)
            r->period_of[i] = 0;
    }
    /* the shared --drop-missing policy: a NULL indicator or period */
    size_t n = 0;
    unsigned char *miss = agglo_calloc(ctx, nrows ? nrows : 1, 1);
    const char **mnames = agglo_calloc(ctx, m + 1, sizeof *mnames);
    int mrc = !miss || !mnames;
    if (!mrc) {
        for (size_t i = 0; i < nrows; i++) {
            miss[i] = r->period_of[i] < 0;
            for (size_t j = 0; j < m; j++)
                miss[i] |= isnan(x[i * m + j]);
        }
        for (size_t j = 0; j < m; j++)
            mnames[j] = r->names[j];
        mnames[m] = time;
        mrc = agglo_missing_rows(ctx, source, nrows, NULL, mnames, m + 1, miss, NULL, NULL,
                                 o.drop_missing, keep, &n);
        for (size_t i = 0; i < nrows; i++)
            if (miss[i])
                r->period_of[i] = -1;
    }
    free(miss);
    free(mnames);
    if (mrc)
        goto done;
    if (n < 2) {
        agglo_error(ctx, AGGLO_E_EMPTY, "%s: %zu complete rows: a composite index needs >= 2",
                    source, n);
        goto done;
    }
    r->n = n;
    size_t G = r->ngroups;
    xk = agglo_malloc(ctx, n * m * sizeof *xk);
    idx = nan_array(ctx, n);
    dp = nan_array(ctx, n);
    dm = nan_array(ctx, n);
    U = nan_array(ctx, n * (G ? G : 1));
    C = nan_array(ctx, n);
    T = nan_array(ctx, n);
    D = nan_array(ctx, n);
    if (!xk || !idx || !dp || !dm || !U || !C || !T || !D)
        goto done;
    for (size_t k = 0; k < n; k++)
        memcpy(xk + k * m, x + keep[k] * m, m * sizeof *x);
    if (compute(ctx, xk, n, m, &o, r, idx, dp, dm, U, C, T, D)) {
        char msg[1024]; /* the context's message buffer is rewritten by agglo_error */
        snprintf(msg, sizeof msg, "%s", agglo_ctx_errmsg(ctx));
        agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s", source, msg);
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = keep[k];
        r->index[i] = idx[k];
        if (r->dplus) {
            r->dplus[i] = dp[k];
            r->dminus[i] = dm[k];
        }
        if (G) {
            for (size_t g = 0; g < G; g++)
                r->U[i * G + g] = U[k * G + g];
            r->C[i] = C[k];
            r->T[i] = T[k];
            r->D[i] = D[k];
        }
    }
    ok = 1;
done:
    free(x);
    free(xk);
    free(col);
    free(keep);
    free(idx);
    free(dp);
    free(dm);
    free(U);
    free(C);
    free(T);
    free(D);
    if (!ok) {
        agglo_ci_result_free(r);
        return NULL;
    }
    return r;
}
