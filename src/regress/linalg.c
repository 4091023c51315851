/* Small dense helpers for the regression module: inverses through LAPACK, cross products,
 * lags of design columns, Brent's one-dimensional maximiser, normal draws. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

#include "regress_internal.h"

int rg_spd_inverse(agglo_ctx *ctx, double *a, size_t k)
{
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)k, a, (lapack_int)k);
    if (info == 0)
        info = LAPACKE_dpotri(LAPACK_COL_MAJOR, 'U', (lapack_int)k, a, (lapack_int)k);
    if (info != 0)
        return agglo_error(ctx, info > 0 ? AGGLO_E_SINGULAR : AGGLO_E_NUMERIC,
                           "regression: the cross-product matrix is singular (collinear "
                           "regressors?)");
    for (size_t j = 0; j < k; j++)
        for (size_t i = j + 1; i < k; i++)
            a[i + j * k] = a[j + i * k];
    return AGGLO_OK;
}

int rg_inverse(agglo_ctx *ctx, double *a, size_t k)
{
    lapack_int *piv = malloc((k ? k : 1) * sizeof *piv);
    if (!piv)
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    lapack_int info = LAPACKE_dgetrf(LAPACK_COL_MAJOR, (lapack_int)k, (lapack_int)k, a,
                                     (lapack_int)k, piv);
    if (info == 0)
        info = LAPACKE_dgetri(LAPACK_COL_MAJOR, (lapack_int)k, a, (lapack_int)k, piv);
    free(piv);
    if (info != 0)
        return agglo_error(ctx, info > 0 ? AGGLO_E_SINGULAR : AGGLO_E_NUMERIC,
                           "regression: singular information matrix");
    return AGGLO_OK;
}

void rg_crossprod(const double *a, size_t n, size_t p, const double *b, size_t q, double *c)
{
    for (size_t j = 0; j < q; j++)
        for (size_t i = 0; i < p; i++) {
            const double *ai = a + i * n, *bj = b + j * n;
            double s = 0;
            for (size_t t = 0; t < n; t++)
                s += ai[t] * bj[t];
            c[i + j * p] = s;
        }
}

void rg_lag_cols(const agglo_weights *w, const double *x, size_t n, size_t p, double *wx)
{
    for (size_t j = 0; j < p; j++)
        agglo_weights_lag(w, x + j * n, wx + j * n);
}

/* Brent (1973), "Algorithms for minimization without derivatives", ch. 5 (the fmin of R's
 * optimize), on -f. */
double rg_maximise(double (*f)(double, void *), void *data, double lo, double hi, double tol,
                   double *fmax)
{
    const double c = 0.5 * (3.0 - sqrt(5.0)), eps = 1.4901161193847656e-08; /* sqrt(DBL_EPSILON) */
    double a = lo, b = hi, v = a + c * (b - a), w = v, x = v, d = 0, e = 0;
    double fx = -f(x, data), fv = fx, fw = fx;
    for (int it = 0; it < 1000; it++) {
        double xm = 0.5 * (a + b), tol1 = eps * fabs(x) + tol / 3.0, tol2 = 2 * tol1;
        if (fabs(x - xm) <= tol2 - 0.5 * (b - a))
            break;
        int golden = 1;
        if (fabs(e) > tol1) {
            double r = (x - w) * (fx - fv), q = (x - v) * (fx - fw), pp = (x - v) * q - (x - w) * r;
            q = 2 * (q - r);
            if (q > 0)
                pp = -pp;
            else
                q = -q;
            r = e;
            e = d;
            if (fabs(pp) < fabs(0.5 * q * r) && pp > q * (a - x) && pp < q * (b - x)) {
                d = pp / q;
                double u = x + d;
                if (u - a < tol2 || b - u < tol2)
                    d = x < xm ? tol1 : -tol1;
                golden = 0;
            }
        }
        if (golden) {
            e = (x < xm ? b : a) - x;
            d = c * e;
        }
        double u = x + (fabs(d) >= tol1 ? d : (d > 0 ? tol1 : -tol1));
        double fu = -f(u, data);
        if (fu <= fx) {
            if (u < x)
                b = x;
            else
                a = x;
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if (u < x)
                a = u;
            else
                b = u;
            if (fu <= fw || w == x) {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if (fu <= fv || v == x || v == w) {
                v = u;
                fv = fu;
            }
        }
    }
    if (fmax)
        *fmax = -fx;
    return x;
}

double rg_normal(agglo_rng *rng)
{
    double u1, u2;
    do
        u1 = agglo_rng_uniform(rng);
    while (u1 <= 0);
    u2 = agglo_rng_uniform(rng);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
