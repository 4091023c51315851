/* Impacts of the lag-type models (LeSage & Pace 2009, Introduction to Spatial Econometrics,
 * ch. 2.7 and 4.2): for regressor r, S_r(W) = (I - rho W)^-1 (b_r I + t_r W) (t_r = 0 without
 * the Durbin term); direct = tr(S_r)/n, total = 1'S_r 1/n, indirect = total - direct.
 * Exact: traces from W's eigenvalues, totals from a solve with (I - rho W) (1/(1 - rho) for
 * row-standardised W). Trace-based (large n): tr(W^j) for j < m (exact from eigenvalues, the
 * first two exactly and the rest by Monte Carlo otherwise, as spatialreg trW), the series
 * truncated at m terms as spatialreg's impacts(tr = ) does. Simulated inference: draws of
 * (rho, b) from their estimated normal distribution (spatialreg impacts(R = )), draws with rho
 * outside the search interval rejected; SE = sd of the draws, z = mean/sd. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "logdet_internal.h"

int rg_traces(agglo_ctx *ctx, const agglo_weights *w, const double *re, const double *im,
              int m, size_t mc_vectors, uint64_t seed, double *tr)
{
    size_t n = agglo_weights_n(w);
    if (re) {
        memset(tr, 0, (size_t)m * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            double pr = 1, pi = 0, li = im ? im[i] : 0;
            for (int k = 0; k < m; k++) {
                double nr = pr * re[i] - pi * li, ni = pr * li + pi * re[i];
                pr = nr;
                pi = ni;
                tr[k] += pr;
            }
        }
        return AGGLO_OK;
    }
    int rc = rg_exact_traces(ctx, w, m < 2 ? m : 2, tr);
    if (rc || m <= 2)
        return rc;
    size_t p = mc_vectors ? mc_vectors : 16;
    double *x = malloc(n * sizeof(double)), *a = malloc(n * sizeof(double));
    double *b = malloc(n * sizeof(double));
    if (!x || !a || !b) {
        free(x);
        free(a);
        free(b);
        return agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    }
    for (int k = 2; k < m; k++)
        tr[k] = 0;
    for (size_t v = 0; v < p; v++) {
        agglo_rng rng;
        agglo_rng_init(&rng, seed, 0x7472ull + v);
        for (size_t i = 0; i < n; i++)
            x[i] = rg_normal(&rng);
        memcpy(a, x, n * sizeof(double));
        for (int k = 0; k < m; k++) {
            agglo_weights_lag(w, a, b);
            if (k >= 2) {
                double s = 0;
                for (size_t i = 0; i < n; i++)
                    s += x[i] * b[i];
                tr[k] += s / (double)p;
            }
            double *t = a;
            a = b;
            b = t;
        }
    }
    free(x);
    free(a);
    free(b);
    return AGGLO_OK;
}

typedef struct imp_ctx {
    agglo_ctx *ctx;
    const agglo_weights *w;
    size_t n;
    int exact, rowstd;
    const double *re, *im;
    int m;
    const double *tr;  /* tr(W^j), j = 1..m */
    const double *c1;  /* 1'W^j 1 / n, j = 0..m */
    double *work1, *work2, *ones, *w1;
} imp_ctx;

/* the four scalars: tr(A)/n, tr(AW)/n, 1'A1/n, 1'AW1/n */
static int imp_scalars(imp_ctx *c, double rho, double s[4])
{
    double dn = (double)c->n;
    if (c->exact) {
        double ta = 0, taw = 0;
        for (size_t i = 0; i < c->n; i++) {
            double lr = c->re[i], li = c->im ? c->im[i] : 0;
            double a = 1 - rho * lr, b = -rho * li, den = a * a + b * b;
            ta += a / den;                     /* Re 1/(1 - rho l) */
            taw += (lr * a + li * b) / den;    /* Re l/(1 - rho l) */
        }
        s[0] = ta / dn;
        s[1] = taw / dn;
        if (c->rowstd) {
            s[2] = s[3] = 1.0 / (1.0 - rho);
        } else {
            int rc = rg_solve_irw(c->ctx, c->w, rho, c->ones, c->work1);
            if (!rc)
                rc = rg_solve_irw(c->ctx, c->w, rho, c->w1, c->work2);
            if (rc)
                return rc;
            double t1 = 0, t2 = 0;
            for (size_t i = 0; i < c->n; i++) {
                t1 += c->work1[i];
                t2 += c->work2[i];
            }
            s[2] = t1 / dn;
            s[3] = t2 / dn;
        }
        return AGGLO_OK;
    }
    double g = 1, a = 0, b = 0, t1 = 0, t2 = 0;
    for (int j = 0; j < c->m; j++) {
        a += g * (j == 0 ? dn : c->tr[j - 1]);
        b += g * c->tr[j];
        t1 += g * c->c1[j];
        t2 += g * c->c1[j + 1];
        g *= rho;
    }
    s[0] = a / dn;
    s[1] = b / dn;
    s[2] = t1;
    s[3] = t2;
    return AGGLO_OK;
}

int rg_impacts_model(rg_model *m, agglo_regress_result *r, const double *cov)
{
    agglo_ctx *ctx = m->ctx;
    size_t n = m->n, p = m->p, nimp, q = p + 1;
    int durbin = m->opts->model == AGGLO_REG_DURBIN;
    size_t c0 = m->no_constant ? 0 : 1; /* index of the first regressor */
    size_t nx = durbin ? (p - c0) / 2 : p - c0, lc = durbin ? (p - c0) % 2 : 0;
    nimp = nx;
    const double *im;
    const double *re = rg_logdet_eigen(m->ld, &im);
    imp_ctx c = {ctx, m->w, n, re && !m->opts->impacts_traces, 1, re, im, 0, NULL, NULL,
                 NULL, NULL, NULL, NULL};
    /* row-standardised: every row sums to one */
    {
        const size_t *rp = agglo_weights_row_ptr(m->w);
        const double *v = agglo_weights_values(m->w);
        for (size_t i = 0; i < n && c.rowstd; i++) {
            double s = 0;
            for (size_t k = rp[i]; k < rp[i + 1]; k++)
                s += v[k];
            if (fabs(s - 1) > 1e-10)
                c.rowstd = 0;
        }
    }
    int mt = m->opts->trace_order > 0 ? m->opts->trace_order : 30;
    double *tr = malloc(((size_t)mt + 1) * sizeof(double));
    double *c1 = malloc(((size_t)mt + 2) * sizeof(double));
    double *buf = malloc(4 * n * sizeof(double));
    int rc = (!tr || !c1 || !buf) ? agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory")
                                  : AGGLO_OK;
    if (!rc) {
        c.work1 = buf;
        c.work2 = buf + n;
        c.ones = buf + 2 * n;
        c.w1 = buf + 3 * n;
        for (size_t i = 0; i < n; i++)
            c.ones[i] = 1;
        agglo_weights_lag(m->w, c.ones, c.w1);
        if (!c.exact) {
            c.m = mt;
            rc = rg_traces(ctx, m->w, re, im, mt, m->opts->trace_mc_vectors, m->opts->seed, tr);
            c.tr = tr;
            /* 1'W^j 1 / n */
            memcpy(c.work1, c.ones, n * sizeof(double));
            for (int j = 0; j <= mt && !rc; j++) {
                double s = 0;
                for (size_t i = 0; i < n; i++)
                    s += c.work1[i];
                c1[j] = s / (double)n;
                agglo_weights_lag(m->w, c.work1, c.work2);
                memcpy(c.work1, c.work2, n * sizeof(double));
            }
            c.c1 = c1;
        }
    }
    r->nimpacts = nimp;
    r->impacts_exact = c.exact;
    r->impact_names = calloc(nimp ? nimp : 1, sizeof(char *));
    r->direct = calloc(nimp ? nimp : 1, sizeof(double));
    r->indirect = calloc(nimp ? nimp : 1, sizeof(double));
    r->total = calloc(nimp ? nimp : 1, sizeof(double));
    if (!rc && (!r->impact_names || !r->direct || !r->indirect || !r->total))
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
    double s[4];
    if (!rc)
        rc = imp_scalars(&c, r->rho, s);
    for (size_t j = 0; j < nimp && !rc; j++) {
        size_t bi = c0 + j;
        double b = r->coef[bi], t = durbin ? r->coef[c0 + nx + lc + j] : 0;
        r->impact_names[j] = r->names[bi];
        r->direct[j] = b * s[0] + t * s[1];
        r->total[j] = b * s[2] + t * s[3];
        r->indirect[j] = r->total[j] - r->direct[j];
    }
    size_t R = m->opts->draws;
    if (!rc && R > 0) {
        double *L = malloc(q * q * sizeof(double)), *theta = malloc(q * sizeof(double));
        double *z = malloc(q * sizeof(double)), *acc = calloc(6 * nimp + 1, sizeof(double));
        double **arr[] = {&r->direct_se, &r->indirect_se, &r->total_se, &r->direct_z,
                          &r->indirect_z, &r->total_z, &r->direct_p, &r->indirect_p,
                          &r->total_p};
        for (size_t a = 0; a < 9; a++)
            *arr[a] = calloc(nimp ? nimp : 1, sizeof(double));
        if (!L || !theta || !z || !acc || !r->total_p)
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "regression: out of memory");
        if (!rc) {
            memcpy(L, cov, q * q * sizeof(double));
            if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)q, L, (lapack_int)q) != 0)
                rc = agglo_error(ctx, AGGLO_E_SINGULAR, "regression: the covariance of the "
                                 "estimates is not positive definite; no simulated inference");
        }
        size_t used = 0;
        for (size_t d = 0; d < R && !rc; d++) {
            agglo_rng rng;
            agglo_rng_init(&rng, m->opts->seed, d);
            for (size_t i = 0; i < q; i++)
                z[i] = rg_normal(&rng);
            theta[0] = r->rho;
            for (size_t i = 0; i < q; i++) {
                double v = i == 0 ? r->rho : r->coef[i - 1];
                for (size_t k = 0; k <= i; k++)
                    v += L[i + k * q] * z[k];
                theta[i] = v;
            }
            if (!(theta[0] > r->rho_lower && theta[0] < r->rho_upper))
                continue;
            rc = imp_scalars(&c, theta[0], s);
            for (size_t j = 0; j < nimp && !rc; j++) {
                double b = theta[1 + c0 + j], t = durbin ? theta[1 + c0 + nx + lc + j] : 0;
                double dir = b * s[0] + t * s[1], tot = b * s[2] + t * s[3];
                double v3[3] = {dir, tot - dir, tot};
                for (int e = 0; e < 3; e++) {
                    acc[(size_t)e * 2 * nimp + 2 * j] += v3[e];
                    acc[(size_t)e * 2 * nimp + 2 * j + 1] += v3[e] * v3[e];
                }
            }
            used++;
        }
        r->draws = used;
        for (size_t j = 0; j < nimp && !rc && used > 1; j++) {
            double *se[3] = {r->direct_se, r->indirect_se, r->total_se};
            double *zz[3] = {r->direct_z, r->indirect_z, r->total_z};
            double *pp[3] = {r->direct_p, r->indirect_p, r->total_p};
            for (int e = 0; e < 3; e++) {
                double sum = acc[(size_t)e * 2 * nimp + 2 * j];
                double sum2 = acc[(size_t)e * 2 * nimp + 2 * j + 1];
                double mean = sum / (double)used;
                double var = (sum2 - (double)used * mean * mean) / (double)(used - 1);
                se[e][j] = sqrt(fmax(var, 0));
                zz[e][j] = mean / se[e][j];
                pp[e][j] = 2 * agglo_pnorm_upper(fabs(zz[e][j]));
            }
        }
        free(L);
        free(theta);
        free(z);
        free(acc);
    }
    free(tr);
    free(c1);
    free(buf);
    return rc;
}
