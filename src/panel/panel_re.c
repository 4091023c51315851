/* Spatial random-effects panel models by maximum likelihood (Elhorst 2014, ch. 3.4; Baltagi,
 * Song & Koh 2003; Millo & Piras 2012), with region effects mu_i ~ (0, sigma2_mu) and
 * phi = sigma2_mu / sigma2_e:
 *  - lag (SAR, SDM):  y = rho W y + Z b + mu + e.  With Sigma_i = phi J_T + I_T the GLS
 *    transformation is v - a vbar_i, a = 1 - 1/sqrt(1 + T phi), and
 *    L(phi, rho) = T log|I - rho W| - N/2 log(1 + T phi) - NT/2 (log 2pi + log(SSE/NT) + 1),
 *    SSE = (e0 - rho e1)'(e0 - rho e1) of the transformed OLS residuals of y and W y on Z.
 *    rho is maximised inside, log(phi) outside (Brent both).
 *  - error (SEM, SDEM): y = Z b + mu + u, u = lambda W u + e (Baltagi's spatially
 *    uncorrelated region effects, Elhorst's sem_panel_RE, splm's spatial.error = "b"). With
 *    B = I - lambda W, Sigma^-1 = Jbar_T x B'(I + T phi B B')^-1 B + E_T x B'B, so
 *    L = T log|B| - 1/2 log|I + T phi BB'| - NT/2 (log 2pi + log(SSE/NT) + 1), SSE the GLS
 *    residual sum of squares: Z'Sigma^-1 Z = sum_t (B Zdev_t)'(B Zdev_t) + T sum_j p_j p_j' /
 *    (1 + T phi d_j), BB' = V diag(d) V', p = V' B zbar. lambda outside (one dense symmetric
 *    eigen-decomposition of BB' per value), log(phi) inside.
 * Coefficient covariance sigma2 (Z' Sigma^-1 Z)^-1; the spatial parameter's and phi's SEs
 * from a central-difference Hessian of L(phi, rho|lambda) (as splm's fdHess). */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "panel_internal.h"

#define LOG_2PI 1.8378770664093453
#define PHI_LO (-18.420680743952367) /* log(1e-8), splm's bounds */
#define PHI_HI (18.420680743952367)
#define RE_MAX_N 3000

static double dotv(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* region means over the periods of the m columns of v (n x m) into bar (N x m) */
static void region_means(const double *v, size_t N, size_t T, size_t m, double *bar)
{
    for (size_t c = 0; c < m; c++) {
        double *b = bar + c * N;
        for (size_t i = 0; i < N; i++)
            b[i] = 0;
        for (size_t t = 0; t < T; t++)
            for (size_t i = 0; i < N; i++)
                b[i] += v[c * N * T + t * N + i];
        for (size_t i = 0; i < N; i++)
            b[i] /= (double)T;
    }
}

/* ---------------------------------------------------------------- lag */
typedef struct re_lag {
    pn_work *k;
    double *ybar, *wybar, *zbar; /* N, N, N q */
    double *ys, *wys, *Zs;       /* transformed */
    double ea, eb, ec, phi, rho;
    rg_ols o0, o1;
    int have, failed;
} re_lag;

static int lag_transform(re_lag *d, double phi)
{
    pn_work *k = d->k;
    size_t N = k->N, n = k->n, q = k->q;
    double a = 1.0 - 1.0 / sqrt(1.0 + (double)k->T * phi);
    for (size_t o = 0; o < n; o++) {
        d->ys[o] = k->yr[o] - a * d->ybar[o % N];
        d->wys[o] = k->Wyr[o] - a * d->wybar[o % N];
    }
    for (size_t j = 0; j < q; j++)
        for (size_t o = 0; o < n; o++)
            d->Zs[o + j * n] = k->Zr[o + j * n] - a * d->zbar[o % N + j * N];
    if (d->have) {
        rg_ols_free(&d->o0);
        rg_ols_free(&d->o1);
        d->have = 0;
    }
    int rc = rg_ols_fit(k->ctx, d->Zs, n, q, d->ys, &d->o0);
    if (rc)
        return rc;
    if ((rc = rg_ols_fit(k->ctx, d->Zs, n, q, d->wys, &d->o1))) {
        rg_ols_free(&d->o0);
        return rc;
    }
    d->have = 1;
    d->phi = phi;
    d->ea = dotv(d->o0.resid, d->o0.resid, n);
    d->eb = dotv(d->o0.resid, d->o1.resid, n);
    d->ec = dotv(d->o1.resid, d->o1.resid, n);
    return AGGLO_OK;
}

static double lag_ll(re_lag *d, double rho)
{
    pn_work *k = d->k;
    double ld, n = (double)k->n, sse = d->ea - 2 * rho * d->eb + rho * rho * d->ec;
    if (pn_logdet(k, rho, &ld)) {
        d->failed = 1;
        return -INFINITY;
    }
    return ld - 0.5 * (double)k->N * log(1.0 + (double)k->T * d->phi) -
           0.5 * n * (LOG_2PI + log(sse / n) + 1.0);
}

static double lag_inner(double rho, void *vd) { return lag_ll(vd, rho); }

static double lag_outer(double s, void *vd)
{
    re_lag *d = vd;
    if (d->failed || lag_transform(d, exp(s))) {
        d->failed = 1;
        return -INFINITY;
    }
    double LL;
    d->rho = rg_maximise(lag_inner, d, d->k->rho_lo, d->k->rho_hi, 1e-10, &LL);
    return LL;
}

/* L(phi, rho) for the Hessian */
static double lag_at(re_lag *d, double phi, double rho)
{
    if (d->failed || lag_transform(d, phi)) {
        d->failed = 1;
        return NAN;
    }
    return lag_ll(d, rho);
}

/* ---------------------------------------------------------------- error */
typedef struct re_err {
    pn_work *k;
    size_t m;                 /* q + 1: Z and y */
    double *bar, *wbar;       /* N x m region means and their lags */
    double *DD, *DW, *WW;     /* m x m: D'D, D'(WD), (WD)'(WD) of the deviations */
    double *BB, *ev, *P, *Bb; /* N x N, N, N x m, N x m */
    double *C, *A;            /* m x m work, q x q */
    double lam, ld, phi;
    double *beta, sse;        /* at the last evaluation */
    int failed;
} re_err;

/* BB' for lambda, its eigen-decomposition and P = V' B bar */
static int err_setup(re_err *d, double lam)
{
    pn_work *k = d->k;
    size_t N = k->N, m = d->m;
    const size_t *rp = agglo_weights_row_ptr(k->w);
    const int32_t *ci = agglo_weights_col(k->w);
    const double *wv = agglo_weights_values(k->w);
    /* B = I - lam W (dense, column-major) */
    double *Bd = calloc(N * N, sizeof(double));
    if (!Bd)
        return agglo_error(k->ctx, AGGLO_E_NOMEM, "panel: out of memory for a %zu x %zu matrix",
                           N, N);
    for (size_t i = 0; i < N; i++) {
        Bd[i + i * N] = 1.0;
        for (size_t a = rp[i]; a < rp[i + 1]; a++)
            Bd[i + (size_t)ci[a] * N] -= lam * wv[a];
    }
    cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, (int)N, (int)N, 1.0, Bd, (int)N, 0.0,
                d->BB, (int)N);
    free(Bd);
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', (lapack_int)N, d->BB,
                                     (lapack_int)N, d->ev);
    if (info)
        return agglo_error(k->ctx, AGGLO_E_NUMERIC, "panel: the eigen-decomposition of BB' "
                           "failed (lambda %g)", lam);
    for (size_t i = 0; i < N * m; i++)
        d->Bb[i] = d->bar[i] - lam * d->wbar[i];
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)N, (int)m, (int)N, 1.0, d->BB,
                (int)N, d->Bb, (int)N, 0.0, d->P, (int)N);
    double v;
    int rc = rg_logdet_eval(k->ld, lam, &v);
    if (rc)
        return rc;
    d->ld = (double)k->T * v;
    d->lam = lam;
    return AGGLO_OK;
}

static double err_ll(re_err *d, double phi)
{
    pn_work *k = d->k;
    size_t N = k->N, m = d->m, q = k->q;
    double T = (double)k->T, lam = d->lam, n = (double)k->n, ldet = 0;
    for (size_t a = 0; a < m * m; a++)
        d->C[a] = d->DD[a] - lam * (d->DW[a] + d->DW[(a % m) * m + a / m]) +
                  lam * lam * d->WW[a];
    for (size_t j = 0; j < N; j++) {
        double g = 1.0 + T * phi * d->ev[j];
        ldet += log(g);
        g = T / g;
        for (size_t b = 0; b < m; b++)
            for (size_t a = 0; a <= b; a++)
                d->C[a + b * m] += g * d->P[j + a * N] * d->P[j + b * N];
    }
    for (size_t b = 0; b < m; b++)
        for (size_t a = 0; a < b; a++)
            d->C[b + a * m] = d->C[a + b * m];
    for (size_t b = 0; b < q; b++)
        for (size_t a = 0; a < q; a++)
            d->A[a + b * q] = d->C[a + b * m];
    if (rg_spd_inverse(k->ctx, d->A, q)) {
        d->failed = 1;
        return -INFINITY;
    }
    const double *cy = d->C + q * m;
    double sse = cy[q];
    for (size_t a = 0; a < q; a++) {
        double s = 0;
        for (size_t b = 0; b < q; b++)
            s += d->A[a + b * q] * cy[b];
        d->beta[a] = s;
        sse -= s * cy[a];
    }
    d->sse = sse;
    d->phi = phi;
    return d->ld - 0.5 * ldet - 0.5 * n * (LOG_2PI + log(sse / n) + 1.0);
}

static double err_inner(double s, void *vd) { return err_ll(vd, exp(s)); }

static double err_outer(double lam, void *vd)
{
    re_err *d = vd;
    if (d->failed || err_setup(d, lam)) {
        d->failed = 1;
        return -INFINITY;
    }
    double LL;
    double s = rg_maximise(err_inner, d, PHI_LO, PHI_HI, 1e-9, &LL);
    d->phi = exp(s);
    return LL;
}

static double err_at(re_err *d, double phi, double lam)
{
    if (d->failed || err_setup(d, lam)) {
        d->failed = 1;
        return NAN;
    }
    return err_ll(d, phi);
}

/* ---------------------------------------------------------------- shared */
/* central-difference Hessian of f at (x0, x1) and its negative inverse into v (2 x 2) */
typedef double (*at_fn)(void *, double, double);
static int num_cov(agglo_ctx *ctx, at_fn f, void *d, double x0, double x1, double v[4])
{
    double h0 = 1e-4 * fmax(fabs(x0), 0.1), h1 = 1e-4 * fmax(fabs(x1), 0.1);
    double f00 = f(d, x0, x1);
    double fp0 = f(d, x0 + h0, x1), fm0 = f(d, x0 - h0, x1);
    double f0p = f(d, x0, x1 + h1), f0m = f(d, x0, x1 - h1);
    double fpp = f(d, x0 + h0, x1 + h1), fpm = f(d, x0 + h0, x1 - h1);
    double fmp = f(d, x0 - h0, x1 + h1), fmm = f(d, x0 - h0, x1 - h1);
    double a = (fp0 - 2 * f00 + fm0) / (h0 * h0), c = (f0p - 2 * f00 + f0m) / (h1 * h1);
    double b = (fpp - fpm - fmp + fmm) / (4 * h0 * h1);
    double det = a * c - b * b;
    if (!isfinite(det) || det <= 0 || a >= 0)
        return agglo_error(ctx, AGGLO_E_NUMERIC, "panel: the random-effects likelihood is not "
                           "concave at its maximum (phi %g); no standard errors", x0);
    v[0] = -c / det;
    v[3] = -a / det;
    v[1] = v[2] = b / det;
    return AGGLO_OK;
}

static double lag_at_v(void *d, double a, double b) { return lag_at(d, a, b); }
static double err_at_v(void *d, double a, double b) { return err_at(d, a, b); }

/* fitted values, residuals, R2 and the variance components */
static void re_finish(pn_work *k, agglo_panel_result *r, double phi, double rho)
{
    size_t n = k->n, q = k->q, N = k->N;
    double ym = 0, tss = 0;
    for (size_t o = 0; o < n; o++)
        ym += k->yr[o] / (double)n;
    for (size_t i = 0; i < N; i++)
        r->mean_resid[i] = 0;
    double sse = 0;
    for (size_t o = 0; o < n; o++) {
        double f = isnan(rho) ? 0 : rho * k->Wyr[o];
        for (size_t j = 0; j < q; j++)
            f += k->Zr[o + j * n] * r->coef[j];
        r->fitted[o] = f;
        r->resid[o] = k->yr[o] - f;
        sse += r->resid[o] * r->resid[o];
        tss += (k->yr[o] - ym) * (k->yr[o] - ym);
        r->mean_resid[o % N] += r->resid[o] / (double)k->T;
    }
    r->r2 = 1 - sse / tss;
    r->phi = phi;
    r->sigma2_e = r->sigma2;
    r->sigma2_mu = phi * r->sigma2;
    r->theta = 1.0 - 1.0 / sqrt(1.0 + (double)k->T * phi);
}

int pn_re_lag(pn_work *k, agglo_panel_result *r, double *cov)
{
    agglo_ctx *ctx = k->ctx;
    size_t N = k->N, n = k->n, q = k->q, q1 = q + 1;
    re_lag d;
    memset(&d, 0, sizeof d);
    d.k = k;
    d.ybar = malloc(N * sizeof(double));
    d.wybar = malloc(N * sizeof(double));
    d.zbar = malloc(N * q * sizeof(double));
    d.ys = malloc(n * sizeof(double));
    d.wys = malloc(n * sizeof(double));
    d.Zs = malloc(n * q * sizeof(double));
    int rc = AGGLO_OK;
    if (!d.ybar || !d.wybar || !d.zbar || !d.ys || !d.wys || !d.Zs)
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    if (!rc) {
        region_means(k->yr, N, k->T, 1, d.ybar);
        region_means(k->Wyr, N, k->T, 1, d.wybar);
        region_means(k->Zr, N, k->T, q, d.zbar);
        double LL;
        double s = rg_maximise(lag_outer, &d, PHI_LO, PHI_HI, 1e-9, &LL);
        double phi = exp(s), v[4] = {0, 0, 0, 0};
        if (d.failed || lag_transform(&d, phi))
            rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
        double rho = NAN;
        if (!rc) {
            rho = rg_maximise(lag_inner, &d, k->rho_lo, k->rho_hi, 1e-10, &LL);
            if (d.failed)
                rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
        }
        if (!rc) {
            double sse = d.ea - 2 * rho * d.eb + rho * rho * d.ec;
            r->rho = rho;
            r->loglik = LL;
            r->sse = sse;
            r->sigma2 = sse / (double)n;
            for (size_t j = 0; j < q; j++)
                r->coef[j] = d.o0.beta[j] - rho * d.o1.beta[j];
            for (size_t i = 0; i < q1 * q1; i++)
                cov[i] = 0;
            for (size_t a = 0; a < q; a++)
                for (size_t b = 0; b < q; b++)
                    cov[(1 + a) + (1 + b) * q1] = r->sigma2 * d.o0.xtxi[a + b * q];
            for (size_t j = 0; j < q; j++)
                r->se[j] = sqrt(cov[(1 + j) + (1 + j) * q1]);
            re_finish(k, r, phi, rho);
            rc = num_cov(ctx, lag_at_v, &d, phi, rho, v);
            if (!rc && d.failed)
                rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
            if (!rc) {
                cov[0] = v[3];
                r->rho_se = sqrt(v[3]);
                r->rho_z = rho / r->rho_se;
                r->rho_p = 2 * agglo_pnorm_upper(fabs(r->rho_z));
                r->phi_se = sqrt(v[0]);
            }
        }
    }
    if (d.have) {
        rg_ols_free(&d.o0);
        rg_ols_free(&d.o1);
    }
    free(d.ybar);
    free(d.wybar);
    free(d.zbar);
    free(d.ys);
    free(d.wys);
    free(d.Zs);
    return rc;
}

int pn_re_error(pn_work *k, agglo_panel_result *r, double *cov)
{
    agglo_ctx *ctx = k->ctx;
    size_t N = k->N, T = k->T, n = k->n, q = k->q, q1 = q + 1, m = q + 1;
    if (N > RE_MAX_N)
        return agglo_error(ctx, AGGLO_E_USAGE, "panel: the spatial error model with random "
                           "effects decomposes dense N x N matrices; %zu regions is more than "
                           "%d", N, RE_MAX_N);
    re_err d;
    memset(&d, 0, sizeof d);
    d.k = k;
    d.m = m;
    double *M = malloc(n * m * sizeof(double)), *WM = malloc(n * m * sizeof(double));
    double *gm = calloc(m, sizeof(double));
    d.bar = malloc(N * m * sizeof(double));
    d.wbar = malloc(N * m * sizeof(double));
    d.DD = malloc(m * m * sizeof(double));
    d.DW = malloc(m * m * sizeof(double));
    d.WW = malloc(m * m * sizeof(double));
    d.BB = malloc(N * N * sizeof(double));
    d.ev = malloc(N * sizeof(double));
    d.P = malloc(N * m * sizeof(double));
    d.Bb = malloc(N * m * sizeof(double));
    d.C = malloc(m * m * sizeof(double));
    d.A = malloc(q * q * sizeof(double));
    d.beta = malloc(q * sizeof(double));
    int rc = AGGLO_OK;
    if (!M || !WM || !gm || !d.bar || !d.wbar || !d.DD || !d.DW || !d.WW || !d.BB || !d.ev || !d.P ||
        !d.Bb || !d.C || !d.A || !d.beta)
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "panel: out of memory");
    if (!rc) {
        /* M = [Z, y]; its region means; the deviations D and W D */
        memcpy(M, k->Zr, n * q * sizeof(double));
        memcpy(M + n * q, k->yr, n * sizeof(double));
        /* the normal equations lose digits to the cancellation sum y^2 - b'Z'y: the
         * variables (not the constant, column 0) are centred on their grand means first,
         * which changes only the constant (recovered below) */
        for (size_t c = 1; c < m; c++) {
            double s = 0;
            for (size_t o = 0; o < n; o++)
                s += M[o + c * n];
            gm[c] = s / (double)n;
            for (size_t o = 0; o < n; o++)
                M[o + c * n] -= gm[c];
        }
        region_means(M, N, T, m, d.bar);
        for (size_t c = 0; c < m; c++)
            pn_lag(k->w, d.bar + c * N, N, 1, d.wbar + c * N);
        for (size_t c = 0; c < m; c++)
            for (size_t o = 0; o < n; o++)
                M[o + c * n] -= d.bar[o % N + c * N];
        for (size_t c = 0; c < m; c++)
            pn_lag(k->w, M + c * n, N, T, WM + c * n);
        rg_crossprod(M, n, m, M, m, d.DD);
        rg_crossprod(M, n, m, WM, m, d.DW);
        rg_crossprod(WM, n, m, WM, m, d.WW);
        double LL, v[4] = {0, 0, 0, 0};
        double lam = rg_maximise(err_outer, &d, k->rho_lo, k->rho_hi, 1e-10, &LL);
        double phi = NAN;
        if (d.failed || err_setup(&d, lam))
            rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
        if (!rc) {
            phi = exp(rg_maximise(err_inner, &d, PHI_LO, PHI_HI, 1e-9, &LL));
            LL = err_ll(&d, phi);
            if (d.failed)
                rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
        }
        if (!rc) {
            r->lambda = lam;
            r->loglik = LL;
            r->sse = d.sse;
            r->sigma2 = d.sse / (double)n;
            for (size_t i = 0; i < q1 * q1; i++)
                cov[i] = 0;
            /* constant = b0 + mean(y) - sum_j mean(z_j) b_j: with g = (1, -means),
             * var = g' V g and cov(constant, b_j) = (V g)_j */
            double *g = gm; /* reused: g[0] = 1, g[j] = -mean(z_j) */
            double ymean = gm[q];
            r->coef[0] = d.beta[0] + ymean;
            g[0] = 1.0;
            for (size_t j = 1; j < q; j++) {
                r->coef[0] -= gm[j] * d.beta[j];
                r->coef[j] = d.beta[j];
                g[j] = -gm[j];
            }
            for (size_t a = 0; a < q; a++)
                for (size_t b = 0; b < q; b++)
                    cov[(1 + a) + (1 + b) * q1] = r->sigma2 * d.A[a + b * q];
            double vgg = 0;
            for (size_t b = 1; b < q; b++) {
                double vg = 0;
                for (size_t a = 0; a < q; a++)
                    vg += cov[(1 + a) + (1 + b) * q1] * g[a];
                cov[1 + (1 + b) * q1] = cov[(1 + b) + q1] = vg;
            }
            for (size_t a = 0; a < q; a++)
                for (size_t b = 0; b < q; b++)
                    vgg += g[a] * r->sigma2 * d.A[a + b * q] * g[b];
            cov[1 + q1] = vgg;
            for (size_t j = 0; j < q; j++)
                r->se[j] = sqrt(cov[(1 + j) + (1 + j) * q1]);
            re_finish(k, r, phi, NAN);
            rc = num_cov(ctx, err_at_v, &d, phi, lam, v);
            if (!rc && d.failed)
                rc = agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
            if (!rc) {
                cov[0] = v[3];
                r->lambda_se = sqrt(v[3]);
                r->lambda_z = lam / r->lambda_se;
                r->lambda_p = 2 * agglo_pnorm_upper(fabs(r->lambda_z));
                r->phi_se = sqrt(v[0]);
            }
        }
    }
    free(M);
    free(WM);
    free(gm);
    free(d.bar);
    free(d.wbar);
    free(d.DD);
    free(d.DW);
    free(d.WW);
    free(d.BB);
    free(d.ev);
    free(d.P);
    free(d.Bb);
    free(d.C);
    free(d.A);
    free(d.beta);
    return rc;
}
