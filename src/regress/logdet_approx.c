/* Approximate log-determinants for the largest n: Chebyshev (Pace & LeSage 2004, "Chebyshev
 * approximation of log-determinants of spatial weight matrices", CSDA 45; spatialreg
 * cheb_setup/cheb_ldet, exact traces of T_j(W)) and the Monte Carlo estimator of Barry &
 * Pace (1999, "Monte Carlo estimates of the log determinant of large sparse matrices", LAA
 * 289; spatialreg mcdet_setup) with its standard error across the random vectors. Also the
 * exact traces of low powers of W by sparse products. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logdet_internal.h"

typedef struct csr {
    size_t n;
    size_t *rp;
    int32_t *col;
    double *val;
} csr;

static void csr_free(csr *a)
{
    free(a->rp);
    free(a->col);
    free(a->val);
}

/* c = a b (Gustavson), rows with sorted columns */
static int csr_mult(const csr *a, const csr *b, csr *c)
{
    size_t n = a->n, cap = a->rp[n] * 4 + n, nnz = 0;
    c->n = n;
    c->rp = malloc((n + 1) * sizeof(size_t));
    c->col = malloc(cap * sizeof(int32_t));
    c->val = malloc(cap * sizeof(double));
    double *acc = calloc(n, sizeof(double));
    int32_t *mark = malloc(n * sizeof(int32_t)), *list = malloc(n * sizeof(int32_t));
    int ok = c->rp && c->col && c->val && acc && mark && list;
    for (size_t i = 0; ok && i < n; i++)
        mark[i] = -1;
    for (size_t i = 0; ok && i < n; i++) {
        c->rp[i] = nnz;
        size_t cnt = 0;
        for (size_t k = a->rp[i]; k < a->rp[i + 1]; k++) {
            size_t m = (size_t)a->col[k];
            for (size_t l = b->rp[m]; l < b->rp[m + 1]; l++) {
                int32_t j = b->col[l];
                if (mark[j] != (int32_t)i) {
                    mark[j] = (int32_t)i;
                    list[cnt++] = j;
                    acc[j] = 0;
                }
                acc[j] += a->val[k] * b->val[l];
            }
        }
        /* insertion sort of the (short) column list */
        for (size_t s = 1; s < cnt; s++) {
            int32_t v = list[s];
            size_t t = s;
            while (t > 0 && list[t - 1] > v) {
                list[t] = list[t - 1];
                t--;
            }
            list[t] = v;
        }
        if (nnz + cnt > cap) {
            while (nnz + cnt > cap)
                cap *= 2;
            int32_t *nc = realloc(c->col, cap * sizeof(int32_t));
            if (nc)
                c->col = nc;
            double *nv = realloc(c->val, cap * sizeof(double));
            if (nv)
                c->val = nv;
            if (!nc || !nv) {
                ok = 0;
                break;
            }
        }
        for (size_t s = 0; s < cnt; s++) {
            c->col[nnz] = list[s];
            c->val[nnz++] = acc[list[s]];
        }
    }
    if (ok)
        c->rp[n] = nnz;
    free(acc);
    free(mark);
    free(list);
    if (!ok)
        csr_free(c);
    return ok ? 0 : -1;
}

/* sum_ik a_ik b_ki */
static double trace_pair(const csr *a, const csr *b)
{
    double s = 0;
    for (size_t i = 0; i < a->n; i++)
        for (size_t k = a->rp[i]; k < a->rp[i + 1]; k++) {
            size_t m = (size_t)a->col[k], lo = b->rp[m], hi = b->rp[m + 1];
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if ((size_t)b->col[mid] < i)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < b->rp[m + 1] && (size_t)b->col[lo] == i)
                s += a->val[k] * b->val[lo];
        }
    return s;
}

int rg_exact_traces(agglo_ctx *ctx, const agglo_weights *w, int m, double *tr)
{
    size_t n = agglo_weights_n(w);
    int h = (m + 1) / 2;
    csr *P = calloc((size_t)(h > 0 ? h : 1), sizeof(csr));
    if (!P)
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    P[0].n = n;
    P[0].rp = (size_t *)agglo_weights_row_ptr(w);
    P[0].col = (int32_t *)agglo_weights_col(w);
    P[0].val = (double *)agglo_weights_values(w);
    int rc = AGGLO_OK, built = 1;
    for (int a = 1; a < h; a++, built++)
        if (csr_mult(&P[a - 1], &P[0], &P[a])) {
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory for the powers "
                             "of W");
            break;
        }
    for (int j = 1; j <= m && !rc; j++) {
        int a = (j + 1) / 2, b = j - a;
        if (b == 0) {
            double s = 0;
            for (size_t i = 0; i < n; i++)
                for (size_t k = P[a - 1].rp[i]; k < P[a - 1].rp[i + 1]; k++)
                    if ((size_t)P[a - 1].col[k] == i)
                        s += P[a - 1].val[k];
            tr[j - 1] = s;
        } else {
            tr[j - 1] = trace_pair(&P[a - 1], &P[b - 1]);
        }
    }
    for (int a = 1; a < built; a++)
        csr_free(&P[a]);
    free(P);
    return rc;
}

int rg_cheb_setup(agglo_ctx *ctx, rg_logdet *l, const double *s)
{
    (void)s;
    int q = l->guide_q ? l->guide_q : l->opts->cheb_order > 0 ? l->opts->cheb_order : 5;
    double *trw = malloc((size_t)q * sizeof(double));
    /* coefficients of T_j in powers of x: T_0 = 1, T_1 = x, T_j = 2 x T_{j-1} - T_{j-2} */
    double *coef = calloc((size_t)(q + 1) * (size_t)(q + 1), sizeof(double));
    l->cheb_tr = malloc((size_t)(q + 1) * sizeof(double));
    if (!trw || !coef || !l->cheb_tr) {
        free(trw);
        free(coef);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    int rc = rg_exact_traces(ctx, l->w, q, trw);
    if (!rc) {
        size_t Q = (size_t)q + 1;
        coef[0] = 1;
        if (q >= 1)
            coef[1 * Q + 1] = 1;
        for (int j = 2; j <= q; j++)
            for (int p = 0; p <= j; p++)
                coef[(size_t)j * Q + (size_t)p] =
                    (p > 0 ? 2 * coef[(size_t)(j - 1) * Q + (size_t)(p - 1)] : 0) -
                    coef[(size_t)(j - 2) * Q + (size_t)p];
        for (int j = 0; j <= q; j++) {
            double t = coef[(size_t)j * Q] * (double)l->n;
            for (int p = 1; p <= j; p++)
                t += coef[(size_t)j * Q + (size_t)p] * trw[p - 1];
            l->cheb_tr[j] = t;
        }
        l->cheb_q = q;
    }
    free(trw);
    free(coef);
    return rc;
}

double rg_cheb_eval(const rg_logdet *l, double rho)
{
    int q = l->cheb_q, nq = q + 1;
    double ld = 0;
    for (int j = 0; j <= q; j++) {
        double c = 0;
        for (int k = 1; k <= nq; k++) {
            double xk = cos(M_PI * ((double)k - 0.5) / (double)nq);
            c += log1p(-rho * xk) * cos(M_PI * (double)j * ((double)k - 0.5) / (double)nq);
        }
        c *= 2.0 / (double)nq;
        ld += c * l->cheb_tr[j];
        if (j == 0)
            ld -= 0.5 * c * (double)l->n;
    }
    return ld;
}

int rg_mc_setup(agglo_ctx *ctx, rg_logdet *l)
{
    size_t n = l->n, p = l->opts->mc_vectors ? l->opts->mc_vectors : 16;
    int m = l->opts->mc_order > 0 ? l->opts->mc_order : 30;
    double *x = malloc(n * sizeof(double)), *a = malloc(n * sizeof(double));
    double *b = malloc(n * sizeof(double));
    l->mc_t = malloc(p * (size_t)m * sizeof(double));
    if (!x || !a || !b || !l->mc_t) {
        free(x);
        free(a);
        free(b);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    double tr[2];
    int rc = rg_exact_traces(ctx, l->w, m >= 2 ? 2 : 1, tr);
    for (size_t v = 0; v < p && !rc; v++) {
        agglo_rng rng;
        agglo_rng_init(&rng, l->opts->seed, 0x6d63ull + v);
        double xx = 0;
        for (size_t i = 0; i < n; i++) {
            x[i] = rg_normal(&rng);
            xx += x[i] * x[i];
        }
        memcpy(a, x, n * sizeof(double));
        for (int k = 0; k < m; k++) {
            agglo_weights_lag(l->w, a, b);
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += x[i] * b[i];
            /* the first two traces exactly, as LeSage's and spatialreg's code */
            l->mc_t[v * (size_t)m + (size_t)k] = k < 2 ? tr[k] : (double)n * s / xx;
            double *t = a;
            a = b;
            b = t;
        }
    }
    l->mc_p = p;
    l->mc_m = m;
    free(x);
    free(a);
    free(b);
    return rc;
}

double rg_mc_eval(const rg_logdet *l, double rho, double *se)
{
    size_t p = l->mc_p;
    int m = l->mc_m;
    double sum = 0, sum2 = 0;
    for (size_t v = 0; v < p; v++) {
        double s = 0, rk = 1;
        for (int k = 0; k < m; k++) {
            rk *= rho;
            s -= rk * l->mc_t[v * (size_t)m + (size_t)k] / (double)(k + 1);
        }
        sum += s;
        sum2 += s * s;
    }
    double mean = sum / (double)p;
    double var = p > 1 ? (sum2 - (double)p * mean * mean) / (double)(p - 1) : 0;
    *se = sqrt(fmax(var, 0) / (double)p);
    return mean;
}
