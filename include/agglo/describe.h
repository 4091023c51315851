/* Describing the pattern: trend surfaces (polynomials of the coordinates by least squares,
 * ArcGIS Trend) and the rank-size rule (Zipf; Gabaix & Ibragimov 2011). */
#ifndef AGGLO_DESCRIBE_H
#define AGGLO_DESCRIBE_H

#include <stddef.h>
#include "agglo/core.h"
#include "agglo/kde.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- trend surface ---- */

#define AGGLO_TREND_MAX_ORDER 6

/* The polynomial of one order: z = sum_j coef[j] * u^px[j] * v^py[j] with the scaled
 * coordinates u = (x - x_mean) / x_scale, v = (y - y_mean) / y_scale (terms by total degree,
 * then by the power of v: 1, u, v, u^2, uv, v^2, ...). */
typedef struct agglo_trend_fit {
    int order;
    size_t nterms;     /* (order + 1)(order + 2) / 2 */
    int px[28], py[28];
    double coef[28];
    double r2;         /* 1 - SSE / SST (SST about the mean) */
    double r2_adj;     /* 1 - (1 - r2)(n - 1) / (n - nterms) */
    double rms;        /* sqrt(SSE / n), ArcGIS Trend's RMS error */
    double sigma;      /* sqrt(SSE / (n - nterms)), lm's residual standard error */
    double *fitted;    /* n */
    double *residual;  /* n: z - fitted */
} agglo_trend_fit;

typedef struct agglo_trend {
    size_t n;
    double x_mean, y_mean, x_scale, y_scale; /* means and sample standard deviations */
    size_t norders;
    agglo_trend_fit *fits;                   /* norders, in the order asked */
} agglo_trend;

/* Least-squares trend surfaces of z over (x, y) (n finite values each) for the orders
 * 1..AGGLO_TREND_MAX_ORDER listed. The coordinates are centred on their means and divided
 * by their standard deviations before the powers are formed (conditioning; fitted values,
 * R2 and RMS do not depend on it). Solved by column-pivoted QR (LAPACK dgelsy); an order
 * needs n > nterms and a design of full rank (AGGLO_E_NUMERIC naming the order otherwise:
 * points on a line or a conic). `source` names the data in messages. */
agglo_trend *agglo_trend_compute(agglo_ctx *ctx, const double *x, const double *y,
                                 const double *z, size_t n, const int *orders, size_t norders,
                                 const char *source);
/* The fitted surface of fits[k] at (x, y) (original coordinates). */
double agglo_trend_eval(const agglo_trend *t, size_t k, double x, double y);
/* The surface of fits[k] at the centres of grid g's cells into out (nrows * ncols, row 0 at
 * the top). */
void agglo_trend_grid(const agglo_trend *t, size_t k, const agglo_grid *g, double *out);
void agglo_trend_free(agglo_trend *t);

/* ---- rank-size rule ---- */

/* Sizes sorted in decreasing order with ranks 1..n (ties get consecutive ranks in input
 * order) and two log-log regressions:
 *  - Gabaix & Ibragimov (2011): ln(rank - 1/2) = a - b ln(size), OLS, with their standard
 *    error of b sqrt(2 / n) * |b| (the OLS one is far too small);
 *  - the classic Zipf regression ln(rank) = a - b ln(size), OLS with its usual standard
 *    error sqrt(SSE / (n - 2) / Sxx).
 * slope is the coefficient of ln(size) (negative; Zipf's law: -1); zipf_exponent = -slope. */
typedef struct agglo_ranksize_fit {
    double intercept, slope, se, t, r2;
    double zipf_exponent;
} agglo_ranksize_fit;

typedef struct agglo_ranksize {
    size_t n;         /* sizes used */
    size_t dropped;   /* non-positive or missing sizes dropped (drop_invalid) */
    size_t *row;      /* n: input row of each sorted size (0-based) */
    double *size;     /* n, decreasing */
    double *rank;     /* n: 1..n */
    agglo_ranksize_fit gi, ols;
} agglo_ranksize;

/* sizes: n values; a missing (NaN) or non-positive size is an error naming its row
 * (AGGLO_E_MISSING / AGGLO_E_NUMERIC) unless drop_invalid (then left out and counted,
 * with a warning). top > 0 keeps the top largest sizes only. At least 3 sizes and two
 * distinct sizes are needed. source and field name the data in messages. */
agglo_ranksize *agglo_ranksize_compute(agglo_ctx *ctx, const double *sizes, size_t n,
                                       size_t top, int drop_invalid, const char *source,
                                       const char *field);
void agglo_ranksize_free(agglo_ranksize *r);

#ifdef __cplusplus
}
#endif
#endif
