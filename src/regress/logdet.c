/* log det(I - rho W): method choice, the dense eigenvalue method, the search interval, the
 * symmetric matrix similar to W, and the dispatch to the sparse and approximate backends
 * (logdet_sparse.c, logdet_approx.c). */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "regress_internal.h"
#include "logdet_internal.h"

static const char *const method_names[] = {"auto", "eigen", "sparse", "lu", "chebyshev", "mc"};

int agglo_logdet_method_parse(const char *name, agglo_logdet_method *method)
{
    for (int i = 0; i < 6; i++)
        if (!strcasecmp(name, method_names[i])) {
            *method = (agglo_logdet_method)i;
            return 0;
        }
    if (!strcasecmp(name, "cholmod") || !strcasecmp(name, "matrix")) {
        *method = AGGLO_LOGDET_SPARSE;
        return 0;
    }
    return -1;
}

const char *agglo_logdet_method_name(agglo_logdet_method method)
{
    return (unsigned)method < 6 ? method_names[method] : NULL;
}

int rg_similar_symmetric(const agglo_weights *w, double *s)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *v = agglo_weights_values(w);
    size_t *mirror = malloc((rp[n] ? rp[n] : 1) * sizeof(size_t));
    double *d = malloc((n ? n : 1) * sizeof(double));
    size_t *queue = malloc((n ? n : 1) * sizeof(size_t));
    int ok = mirror && d && queue;
    /* the position of w_ji for each w_ij; same sign and a pattern that is symmetric */
    for (size_t i = 0; ok && i < n; i++)
        for (size_t k = rp[i]; ok && k < rp[i + 1]; k++) {
            size_t j = (size_t)col[k], lo = rp[j], hi = rp[j + 1];
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if ((size_t)col[mid] < i)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo >= rp[j + 1] || (size_t)col[lo] != i || v[k] * v[lo] <= 0)
                ok = 0;
            else
                mirror[k] = lo;
        }
    /* d with w_ij / w_ji = d_j / d_i over each connected component */
    for (size_t i = 0; ok && i < n; i++)
        d[i] = 0;
    for (size_t r = 0; ok && r < n; r++) {
        if (d[r] != 0)
            continue;
        d[r] = 1;
        size_t head = 0, tail = 0;
        queue[tail++] = r;
        while (ok && head < tail) {
            size_t i = queue[head++];
            for (size_t k = rp[i]; ok && k < rp[i + 1]; k++) {
                size_t j = (size_t)col[k];
                double dj = d[i] * v[k] / v[mirror[k]];
                if (d[j] == 0) {
                    d[j] = dj;
                    queue[tail++] = j;
                } else if (fabs(d[j] - dj) > 1e-10 * fabs(dj)) {
                    ok = 0;
                }
            }
        }
    }
    if (ok && s)
        for (size_t i = 0; i < n; i++)
            for (size_t k = rp[i]; k < rp[i + 1]; k++)
                s[k] = (v[k] > 0 ? 1.0 : -1.0) * sqrt(v[k] * v[mirror[k]]);
    free(mirror);
    free(d);
    free(queue);
    return ok;
}

/* y = A x for the CSR matrix (rp, col, val) */
static void spmv(size_t n, const size_t *rp, const int32_t *col, const double *val,
                 const double *x, double *y)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = rp[i]; k < rp[i + 1]; k++)
            s += val[k] * x[col[k]];
        y[i] = s;
    }
}

/* dominant eigenvalue of (A - shift I) by power iteration */
static double power_iter(size_t n, const size_t *rp, const int32_t *col, const double *val,
                         double shift)
{
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    if (!x || !y) {
        free(x);
        free(y);
        return NAN;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = 1.0 + 0.01 * (double)(i % 7);
    double lam = 0, prev = 0;
    for (int it = 0; it < 5000; it++) {
        spmv(n, rp, col, val, x, y);
        double num = 0, den = 0;
        for (size_t i = 0; i < n; i++) {
            y[i] -= shift * x[i];
            num += x[i] * y[i];
            den += x[i] * x[i];
        }
        lam = num / den;
        double norm = 0;
        for (size_t i = 0; i < n; i++)
            norm += y[i] * y[i];
        norm = sqrt(norm);
        if (norm == 0)
            break;
        for (size_t i = 0; i < n; i++)
            x[i] = y[i] / norm;
        if (it > 10 && fabs(lam - prev) <= 1e-12 * fabs(lam))
            break;
        prev = lam;
    }
    free(x);
    free(y);
    return lam;
}

int rg_eigen_range(agglo_ctx *ctx, const agglo_weights *w, double *lmin, double *lmax)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    double *s = malloc((rp[n] ? rp[n] : 1) * sizeof(double));
    if (!s)
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    const double *val = agglo_weights_values(w);
    if (rg_similar_symmetric(w, s))
        val = s;
    double big = power_iter(n, rp, col, val, 0.0);
    if (big < 0) { /* the dominant one is the most negative */
        *lmin = big;
        *lmax = power_iter(n, rp, col, val, big) + big;
    } else {
        *lmax = big;
        *lmin = power_iter(n, rp, col, val, big) + big;
    }
    free(s);
    if (!isfinite(*lmin) || !isfinite(*lmax))
        return agglo_error(ctx, AGGLO_E_NUMERIC, "regression: eigenvalue range of W failed");
    return AGGLO_OK;
}

/* dense copy of W (or of the similar symmetric S when s != NULL), column-major */
double *rg_dense_w(const agglo_weights *w, const double *s)
{
    size_t n = agglo_weights_n(w);
    const size_t *rp = agglo_weights_row_ptr(w);
    const int32_t *col = agglo_weights_col(w);
    const double *v = s ? s : agglo_weights_values(w);
    double *a = calloc(n * n, sizeof(double));
    if (!a)
        return NULL;
    for (size_t i = 0; i < n; i++)
        for (size_t k = rp[i]; k < rp[i + 1]; k++)
            a[i + (size_t)col[k] * n] = v[k];
    return a;
}

static int eigen_setup(agglo_ctx *ctx, rg_logdet *l)
{
    size_t n = l->n, nnz = agglo_weights_nnz(l->w);
    if (n > 20000)
        return agglo_error(ctx, AGGLO_E_USAGE, "regression: --method eigen needs an n x n "
                           "matrix; %zu observations are too many (use sparse or lu)", n);
    double *s = malloc((nnz ? nnz : 1) * sizeof(double));
    if (!s)
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    int sym = rg_similar_symmetric(l->w, s);
    double *a = rg_dense_w(l->w, sym ? s : NULL);
    free(s);
    l->re = calloc(n, sizeof(double));
    l->im = sym ? NULL : calloc(n, sizeof(double));
    if (!a || !l->re || (!sym && !l->im)) {
        free(a);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory for the %zu x %zu "
                           "eigenvalue problem", n, n);
    }
    lapack_int info;
    if (sym)
        info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)n, a, (lapack_int)n, l->re);
    else
        info = LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'N', (lapack_int)n, a, (lapack_int)n, l->re,
                             l->im, NULL, 1, NULL, 1);
    free(a);
    if (info != 0)
        return agglo_error(ctx, AGGLO_E_NUMERIC, "regression: eigenvalues of W failed (LAPACK "
                           "info %d)", (int)info);
    if (l->im) {
        int any = 0;
        for (size_t i = 0; i < n; i++)
            if (l->im[i] != 0)
                any = 1;
        if (!any) {
            free(l->im);
            l->im = NULL;
        }
    }
    double lmin = INFINITY, lmax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (l->re[i] < lmin)
            lmin = l->re[i];
        if (l->re[i] > lmax)
            lmax = l->re[i];
    }
    l->lo = 1.0 / lmin;
    l->hi = 1.0 / lmax;
    return AGGLO_OK;
}

static double eigen_ld(const rg_logdet *l, double rho)
{
    double s = 0;
    if (!l->im) {
        for (size_t i = 0; i < l->n; i++)
            s += log1p(-rho * l->re[i]);
        return s;
    }
    /* log |1 - rho lambda| summed: the imaginary parts of conjugate pairs cancel */
    for (size_t i = 0; i < l->n; i++) {
        double a = 1.0 - rho * l->re[i], b = -rho * l->im[i];
        s += 0.5 * log(a * a + b * b);
    }
    return s;
}

rg_logdet *rg_logdet_create(agglo_ctx *ctx, const agglo_weights *w, agglo_logdet_method method,
                            const agglo_regress_options *opts)
{
    rg_logdet *l = calloc(1, sizeof *l);
    if (!l) {
        agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        return NULL;
    }
    l->ctx = ctx;
    l->w = w;
    l->n = agglo_weights_n(w);
    l->opts = opts;
    l->last_se = NAN;
    size_t nnz = agglo_weights_nnz(w);
    double *s = malloc((nnz ? nnz : 1) * sizeof(double));
    if (!s) {
        free(l);
        agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        return NULL;
    }
    int sym = rg_similar_symmetric(w, s);
    if (method == AGGLO_LOGDET_AUTO)
        method = l->n <= opts->auto_eigen_max_n ? AGGLO_LOGDET_EIGEN
                 : sym                         ? AGGLO_LOGDET_SPARSE
                                               : AGGLO_LOGDET_LU;
    l->method = method;
    int rc = AGGLO_OK;
    if (method == AGGLO_LOGDET_EIGEN) {
        rc = eigen_setup(ctx, l);
    } else {
        /* row-standardised non-negative W: spectrum in [-1, 1], lambda_max = 1, so the
         * interval (-1, 1) (spatialreg's default for these methods) is admissible and the
         * power iterations, slow on large lattices, are skipped */
        int rowstd = 1;
        const size_t *rp = agglo_weights_row_ptr(w);
        const double *v = agglo_weights_values(w);
        for (size_t i = 0; i < l->n && rowstd; i++) {
            double sum = 0;
            for (size_t k = rp[i]; k < rp[i + 1]; k++) {
                sum += v[k];
                if (v[k] < 0)
                    rowstd = 0;
            }
            if (fabs(sum - 1.0) > 1e-10)
                rowstd = 0;
        }
        double lmin = -1, lmax = 1;
        if (!rowstd)
            rc = rg_eigen_range(ctx, w, &lmin, &lmax);
        if (!rc) {
            l->lo = lmin < 0 ? 1.0 / lmin : -1.0;
            l->hi = 1.0 / lmax;
        }
        if (!rc && method == AGGLO_LOGDET_SPARSE) {
            if (!sym)
                rc = agglo_error(ctx, AGGLO_E_USAGE, "regression: --method sparse needs W "
                                 "symmetric or similar to symmetric (e.g. row-standardised "
                                 "contiguity); use lu for these weights");
            else if (!(l->sp = rg_cholmod_create(ctx, w, s)))
                rc = agglo_ctx_errcode(ctx);
        } else if (!rc && method == AGGLO_LOGDET_LU) {
            if (!(l->sp = rg_umfpack_create(ctx, w)))
                rc = agglo_ctx_errcode(ctx);
        }
        /* large n: the Chebyshev terms (exact traces of W^j, j <= 3: one sparse
         * product) guide the exact search (rg_logdet_search) */
        if (!rc && (method == AGGLO_LOGDET_SPARSE || method == AGGLO_LOGDET_LU) &&
            l->n >= RG_GUIDE_MIN_N) {
            l->guide_q = 3;
            rc = rg_cheb_setup(ctx, l, NULL);
        } else if (!rc && method == AGGLO_LOGDET_CHEBYSHEV) {
            rc = rg_cheb_setup(ctx, l, sym ? s : NULL);
        } else if (!rc && method == AGGLO_LOGDET_MC) {
            rc = rg_mc_setup(ctx, l);
        }
    }
    free(s);
    if (rc) {
        rg_logdet_free(l);
        return NULL;
    }
    return l;
}

void rg_logdet_free(rg_logdet *l)
{
    if (!l)
        return;
    if (l->method == AGGLO_LOGDET_SPARSE)
        rg_cholmod_free(l->sp);
    else if (l->method == AGGLO_LOGDET_LU)
        rg_umfpack_free(l->sp);
    free(l->re);
    free(l->im);
    free(l->cheb_tr);
    free(l->mc_t);
    free(l);
}

agglo_logdet_method rg_logdet_method(const rg_logdet *l) { return l->method; }

double rg_logdet_search(rg_logdet *l, double (*f)(double, void *), void *data, double a,
                        double b, double *best)
{
    if (!l->cheb_tr || l->method == AGGLO_LOGDET_CHEBYSHEV)
        return rg_maximise(f, data, a, b, 1e-10, best);
    l->guide = 1;
    double g = rg_maximise(f, data, a, b, 1e-6, best);
    l->guide = 0;
    double na = fmax(a, g - RG_GUIDE_HALF_WIDTH), nb = fmin(b, g + RG_GUIDE_HALF_WIDTH);
    double x = rg_maximise(f, data, na, nb, 1e-10, best);
    /* Brent's method ends a few tol1 (1.5e-8 |x|) inside a bracket whose edge holds the
     * maximum; a margin of 1e-4 of the bracket is far above that, and an interior maximum
     * that close to the edge only costs the full search */
    double eps = 1e-4 * (nb - na);
    if ((na > a && x - na < eps) || (nb < b && nb - x < eps))
        x = rg_maximise(f, data, a, b, 1e-10, best); /* the guide was off: the full interval */
    return x;
}

void rg_logdet_interval(const rg_logdet *l, double *lo, double *hi)
{
    *lo = l->lo;
    *hi = l->hi;
}

const double *rg_logdet_eigen(const rg_logdet *l, const double **im)
{
    if (im)
        *im = l->im;
    return l->re;
}

double rg_logdet_last_se(const rg_logdet *l) { return l->last_se; }

int rg_logdet_eval(rg_logdet *l, double rho, double *ld)
{
    l->last_se = NAN;
    if (l->guide) {
        *ld = rg_cheb_eval(l, rho);
        return AGGLO_OK;
    }
    if ((l->method == AGGLO_LOGDET_SPARSE || l->method == AGGLO_LOGDET_LU) && l->cached &&
        rho == l->cache_rho) {
        *ld = l->cache_ld;
        return AGGLO_OK;
    }
    switch (l->method) {
    case AGGLO_LOGDET_EIGEN: *ld = eigen_ld(l, rho); return AGGLO_OK;
    case AGGLO_LOGDET_SPARSE:
    case AGGLO_LOGDET_LU: {
        int rc = l->method == AGGLO_LOGDET_SPARSE ? rg_cholmod_eval(l->sp, rho, ld)
                                                  : rg_umfpack_eval(l->sp, rho, ld);
        l->cached = rc == AGGLO_OK;
        l->cache_rho = rho;
        l->cache_ld = *ld;
        return rc;
    }
    case AGGLO_LOGDET_CHEBYSHEV: *ld = rg_cheb_eval(l, rho); return AGGLO_OK;
    case AGGLO_LOGDET_MC: *ld = rg_mc_eval(l, rho, &l->last_se); return AGGLO_OK;
    default: return agglo_error(l->ctx, AGGLO_E_USAGE, "regression: unknown method");
    }
}

int rg_logdet_d2(rg_logdet *l, double rho, double *d2)
{
    if (l->re) {
        double s = 0;
        for (size_t i = 0; i < l->n; i++) {
            double a = 1.0 - rho * l->re[i], b = l->im ? -rho * l->im[i] : 0.0;
            /* d2/drho2 log(1 - rho lambda) = -lambda^2 / (1 - rho lambda)^2, real part */
            double lr = l->re[i], li = l->im ? l->im[i] : 0.0;
            double qr = lr * a + li * b, qi = li * a - lr * b; /* lambda * conj(1 - rho lambda) */
            double den = a * a + b * b;
            qr /= den;
            qi /= den;
            s -= qr * qr - qi * qi;
        }
        *d2 = s;
        return AGGLO_OK;
    }
    double room = fmin(rho - l->lo, l->hi - rho), f0, f[4];
    if (l->method == AGGLO_LOGDET_SPARSE || l->method == AGGLO_LOGDET_LU) {
        /* each evaluation a factorisation: three-point central difference with a small
         * step (f0 cached from the search). Truncation h^2 f''''/12 is ~1e-8 relative
         * (f''''/f'' ~ 6/(1 - |rho|)^2); rounding eps |ld| / h^2 ~ 1e-8 relative */
        double h = fmin(1e-4, 0.2 * room);
        int rc = rg_logdet_eval(l, rho, &f0);
        if (!rc)
            rc = rg_logdet_eval(l, rho - h, &f[0]);
        if (!rc)
            rc = rg_logdet_eval(l, rho + h, &f[1]);
        if (!rc)
            *d2 = (f[1] - 2 * f0 + f[0]) / (h * h);
        return rc;
    }
    /* central differences, Richardson-extrapolated: error O(h^4) */
    double h = fmin(1e-3, 0.2 * room);
    int rc = rg_logdet_eval(l, rho, &f0);
    double steps[4] = {-2 * h, -h, h, 2 * h};
    for (int i = 0; i < 4 && !rc; i++)
        rc = rg_logdet_eval(l, rho + steps[i], &f[i]);
    if (rc)
        return rc;
    double dh = (f[2] - 2 * f0 + f[1]) / (h * h), d2h = (f[3] - 2 * f0 + f[0]) / (4 * h * h);
    *d2 = (4 * dh - d2h) / 3.0;
    return AGGLO_OK;
}

int agglo_logdet(agglo_ctx *ctx, const agglo_weights *w, agglo_logdet_method method,
                 const agglo_regress_options *opts, const double *rho, size_t nrho, double *ld,
                 double *se, agglo_logdet_method *method_used)
{
    agglo_regress_options defaults;
    if (!opts) {
        agglo_regress_options_init(&defaults);
        opts = &defaults;
    }
    rg_logdet *l = rg_logdet_create(ctx, w, method, opts);
    if (!l)
        return agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
    if (method_used)
        *method_used = l->method;
    int rc = AGGLO_OK;
    for (size_t i = 0; i < nrho && !rc; i++) {
        rc = rg_logdet_eval(l, rho[i], &ld[i]);
        if (se)
            se[i] = l->last_se;
    }
    rg_logdet_free(l);
    return rc;
}
