/* Trend surfaces: least-squares polynomials of the (centred, scaled) coordinates, orders
 * 1..6 (ArcGIS Trend; R lm(z ~ polym(x, y, degree = k, raw = TRUE))). */
#include "agglo/describe.h"
#include "../core/core_internal.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void terms(int order, int *px, int *py, size_t *nt)
{
    size_t j = 0;
    for (int d = 0; d <= order; d++)
        for (int b = 0; b <= d; b++) {
            px[j] = d - b;
            py[j] = b;
            j++;
        }
    *nt = j;
}

static double ipow(double v, int p)
{
    double r = 1;
    for (int i = 0; i < p; i++)
        r *= v;
    return r;
}

static double poly(const agglo_trend_fit *f, double u, double v)
{
    double s = 0;
    for (size_t j = 0; j < f->nterms; j++)
        s += f->coef[j] * ipow(u, f->px[j]) * ipow(v, f->py[j]);
    return s;
}

void agglo_trend_free(agglo_trend *t)
{
    if (!t)
        return;
    for (size_t k = 0; k < t->norders && t->fits; k++) {
        free(t->fits[k].fitted);
        free(t->fits[k].residual);
    }
    free(t->fits);
    free(t);
}

static void mean_sd(const double *v, size_t n, double *m, double *sd)
{
    long double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    double mu = (double)(s / (long double)n);
    long double q = 0;
    for (size_t i = 0; i < n; i++)
        q += (long double)(v[i] - mu) * (v[i] - mu);
    *m = mu;
    *sd = n > 1 ? sqrt((double)(q / (long double)(n - 1))) : 0;
}

static int fit_order(agglo_ctx *ctx, const agglo_trend *t, const double *u, const double *v,
                     const double *z, agglo_trend_fit *f, const char *source)
{
    size_t n = t->n, p;
    terms(f->order, f->px, f->py, &p);
    f->nterms = p;
    if (n <= p)
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "%s: a trend of order %d has %zu terms and needs more than %zu "
                           "observations (%zu)", source, f->order, p, p, n);
    double *A = agglo_malloc(ctx, n * p * sizeof *A);
    double *b = agglo_malloc(ctx, n * sizeof *b);
    lapack_int *jpvt = agglo_calloc(ctx, p, sizeof *jpvt);
    f->fitted = agglo_malloc(ctx, n * sizeof *f->fitted);
    f->residual = agglo_malloc(ctx, n * sizeof *f->residual);
    int rc = AGGLO_OK;
    if (!A || !b || !jpvt || !f->fitted || !f->residual) {
        rc = agglo_ctx_errcode(ctx);
        goto out;
    }
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < n; i++)
            A[j * n + i] = ipow(u[i], f->px[j]) * ipow(v[i], f->py[j]);
    memcpy(b, z, n * sizeof *b);
    lapack_int rank = 0;
    lapack_int info = LAPACKE_dgelsy(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)p, 1, A,
                                     (lapack_int)n, b, (lapack_int)n, jpvt, 1e-10, &rank);
    if (info != 0) {
        rc = agglo_error(ctx, AGGLO_E_NUMERIC, "%s: trend of order %d: LAPACK dgelsy failed (%d)",
                         source, f->order, (int)info);
        goto out;
    }
    if ((size_t)rank < p) {
        rc = agglo_error(ctx, AGGLO_E_SINGULAR,
                         "%s: the %zu terms of a trend of order %d are collinear at these "
                         "locations (rank %d): use a lower order",
                         source, p, f->order, (int)rank);
        goto out;
    }
    for (size_t j = 0; j < p; j++)
        f->coef[j] = b[j];
    long double sse = 0, sst = 0, zs = 0;
    for (size_t i = 0; i < n; i++)
        zs += z[i];
    double zm = (double)(zs / (long double)n);
    for (size_t i = 0; i < n; i++) {
        f->fitted[i] = poly(f, u[i], v[i]);
        f->residual[i] = z[i] - f->fitted[i];
        sse += (long double)f->residual[i] * f->residual[i];
        sst += (long double)(z[i] - zm) * (z[i] - zm);
    }
    f->r2 = sst > 0 ? 1.0 - (double)(sse / sst) : NAN;
    f->r2_adj = 1.0 - (1.0 - f->r2) * (double)(n - 1) / (double)(n - p);
    f->rms = sqrt((double)sse / (double)n);
    f->sigma = sqrt((double)sse / (double)(n - p));
out:
    free(A);
    free(b);
    free(jpvt);
    return rc;
}

agglo_trend *agglo_trend_compute(agglo_ctx *ctx, const double *x, const double *y,
                                 const double *z, size_t n, const int *orders, size_t norders,
                                 const char *source)
{
    if (!source)
        source = "trend";
    if (norders == 0) {
        agglo_error(ctx, AGGLO_E_USAGE, "%s: no trend order given", source);
        return NULL;
    }
    for (size_t k = 0; k < norders; k++)
        if (orders[k] < 1 || orders[k] > AGGLO_TREND_MAX_ORDER) {
            agglo_error(ctx, AGGLO_E_USAGE, "%s: trend order %d is not in 1..%d", source,
                        orders[k], AGGLO_TREND_MAX_ORDER);
            return NULL;
        }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || !isfinite(y[i]) || !isfinite(z[i])) {
            agglo_error(ctx, AGGLO_E_MISSING, "%s: row %zu has a missing coordinate or value",
                        source, i + 1);
            return NULL;
        }
    agglo_trend *t = agglo_calloc(ctx, 1, sizeof *t);
    double *u = NULL, *v = NULL;
    if (!t)
        return NULL;
    t->n = n;
    mean_sd(x, n, &t->x_mean, &t->x_scale);
    mean_sd(y, n, &t->y_mean, &t->y_scale);
    if (!(t->x_scale > 0) || !(t->y_scale > 0)) {
        agglo_error(ctx, AGGLO_E_EMPTY,
                    "%s: a trend surface needs locations spread in x and in y (%zu locations)",
                    source, n);
        goto fail;
    }
    t->fits = agglo_calloc(ctx, norders, sizeof *t->fits);
    u = agglo_malloc(ctx, n * sizeof *u);
    v = agglo_malloc(ctx, n * sizeof *v);
    if (!t->fits || !u || !v)
        goto fail;
    t->norders = norders;
    for (size_t i = 0; i < n; i++) {
        u[i] = (x[i] - t->x_mean) / t->x_scale;
        v[i] = (y[i] - t->y_mean) / t->y_scale;
    }
    for (size_t k = 0; k < norders; k++) {
        t->fits[k].order = orders[k];
        if (fit_order(ctx, t, u, v, z, &t->fits[k], source))
            goto fail;
    }
    free(u);
    free(v);
    return t;
fail:
    free(u);
    free(v);
    agglo_trend_free(t);
    return NULL;
}

double agglo_trend_eval(const agglo_trend *t, size_t k, double x, double y)
{
    return poly(&t->fits[k], (x - t->x_mean) / t->x_scale, (y - t->y_mean) / t->y_scale);
}

void agglo_trend_grid(const agglo_trend *t, size_t k, const agglo_grid *g, double *out)
{
    for (size_t r = 0; r < g->nrows; r++) {
        double yc = g->ymax - ((double)r + 0.5) * g->cell;
        for (size_t c = 0; c < g->ncols; c++)
            out[r * g->ncols + c] = agglo_trend_eval(t, k, g->xmin + ((double)c + 0.5) * g->cell, yc);
    }
}
