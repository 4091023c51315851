/* Multiscale GWR by back-fitting (mgwr's multi_bw and MGWR.fit); see include/agglo/mgwr.h.
 *
 * Everything runs in the model's internal (grid) order on its (possibly standardised) data.
 * The univariate smoothers need, for each observation i, the kernel weights of its neighbours:
 * they come from the model's grid (adaptive bandwidth = exact k-th nearest distance through
 * gwr_kth_dist2, candidate runs through gwr_disc_ranges) or, for great-circle distances, from
 * all observations. Each local sum runs over the neighbours in a fixed order, so the results do
 * not depend on the number of threads. */
#define _GNU_SOURCE
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "../core/core_internal.h"
#include "agglo/mgwr.h"
#include "mgwr_internal.h"

void agglo_mgwr_options_init(agglo_mgwr_options *o)
{
    memset(o, 0, sizeof *o);
    o->tol = 1e-5;
    o->max_iter = 200;
    o->same_times = 5;
    o->inference = 1;
    o->mem_mb = 256;
}

/* ---- the univariate GWR (one column, no intercept) ---- */

/* GWR of z on x alone at bandwidth bw: beta (n), hat diagonal (n, may be NULL). Returns the
 * number of singular observations (sum w x^2 = 0) with the first in *first, or (size_t)-1
 * when out of memory. */
static size_t uni_pass(const agglo_gwr_model *m, int nth, const double *x, const double *z,
                       double bw, double *beta, double *hat, size_t *first)
{
    size_t n = m->n, ns = 0, fs = SIZE_MAX;
    int nomem = 0;
    (void)nth;
#ifdef _OPENMP
#pragma omp parallel num_threads(nth) reduction(+ : ns) reduction(min : fs)
#endif
    {
        gwr_nbrs s;
        int ok = agglo__gwr_nbrs_init(&s, m) == 0;
        if (!ok) {
            AGGLO_FLAG_SET(nomem);
        }
#ifdef _OPENMP
#pragma omp for schedule(dynamic, 32)
#endif
        for (size_t i = 0; i < n; i++) {
            if (!ok)
                continue;
            agglo__gwr_neighbours(m, m->cx[i], m->cy[i], bw, &s, 1);
            double sxx = 0, sxz = 0;
            for (size_t t = 0; t < s.nn; t++) {
                size_t j = s.idx[t];
                double wx = s.w[t] * x[j];
                sxx += wx * x[j];
                sxz += wx * z[j];
            }
            if (!(sxx > 0) || !isfinite(sxx)) {
                ns++;
                if (i < fs)
                    fs = i;
                beta[i] = NAN;
                if (hat)
                    hat[i] = NAN;
                continue;
            }
            beta[i] = sxz / sxx;
            if (hat)
                hat[i] = x[i] * x[i] / sxx; /* kernel weight of i itself is 1 */
        }
        agglo__gwr_nbrs_free(&s);
    }
    if (nomem)
        return (size_t)-1;
    if (first)
        *first = fs;
    return ns;
}

/* Criterion of the univariate GWR of z on x at bw (+Inf when some fit is singular). */
static int uni_score(mg *g, const double *x, const double *z, double bw, double *score)
{
    size_t n = g->m->n;
    size_t ns = uni_pass(g->m, g->nth, x, z, bw, g->beta, g->hat, NULL);
    if (ns == (size_t)-1)
        return agglo_error(g->ctx, AGGLO_E_NOMEM, "mgwr: out of memory");
    g->nevals++;
    if (ns > 0) {
        *score = INFINITY;
        return AGGLO_OK;
    }
    for (size_t i = 0; i < n; i++)
        g->yhat[i] = x[i] * g->beta[i];
    *score = agglo__gwr_gaussian_criterion(g->m->o.criterion, z, g->yhat, g->hat, n, g->tmp);
    if (isnan(*score))
        *score = INFINITY;
    return AGGLO_OK;
}

/* The bandwidth of the univariate GWR of z on x over [a, c], by the GWR's own search
 * (agglo__gwr_search_range: mgwr's golden section or the interval search); NaN when none scores
 * finite. */
typedef struct uni_ud {
    mg *g;
    const double *x, *z;
} uni_ud;

static int uni_score_cb(void *ud, double bw, double *score)
{
    uni_ud *u = ud;
    return uni_score(u->g, u->x, u->z, bw, score);
}

static int uni_search(mg *g, const double *x, const double *z, double a, double c,
                      double *best)
{
    uni_ud ud = {g, x, z};
    gwr_trace t = {0};
    double score;
    int rc = agglo__gwr_search_range(g->ctx, &g->m->o, a, c, uni_score_cb, &ud, &t, best, &score);
    agglo__gwr_trace_free(&t);
    return rc;
}

/* ---- results ---- */

void agglo_mgwr_result_free(agglo_mgwr_result *r)
{
    if (!r)
        return;
    if (r->names)
        for (size_t j = 0; j < r->p; j++)
            free(r->names[j]);
    free(r->names);
    free(r->bw);
    free(r->bw_lo);
    free(r->bw_hi);
    free(r->soc);
    free(r->bw_hist);
    free(r->enp);
    free(r->adj_alpha);
    free(r->critical_t);
    free(r->beta);
    free(r->se);
    free(r->tval);
    free(r->yhat);
    free(r->resid);
    free(r->coef_summary);
    free(r);
}

static int add_iter(agglo_ctx *ctx, agglo_mgwr_result *r, size_t *cap, double soc,
                    const double *bws)
{
    size_t p = r->p;
    if (r->niter == *cap) {
        size_t nc = *cap ? 2 * *cap : 16;
        double *s = realloc(r->soc, nc * sizeof(double));
        if (!s)
            return agglo_error(ctx, AGGLO_E_NOMEM, "mgwr: out of memory");
        r->soc = s;
        double *h = realloc(r->bw_hist, nc * p * sizeof(double));
        if (!h)
            return agglo_error(ctx, AGGLO_E_NOMEM, "mgwr: out of memory");
        r->bw_hist = h;
        *cap = nc;
    }
    r->soc[r->niter] = soc;
    memcpy(r->bw_hist + r->niter * p, bws, p * sizeof(double));
    r->niter++;
    return AGGLO_OK;
}

agglo_mgwr_result *agglo_mgwr_fit(agglo_ctx *ctx, agglo_gwr_model *m,
                                  const agglo_mgwr_options *opts)
{
    agglo_mgwr_options o;
    if (opts)
        o = *opts;
    else
        agglo_mgwr_options_init(&o);
    double tol = o.tol > 0 ? o.tol : 1e-5;
    int max_iter = o.max_iter > 0 ? o.max_iter : 200;
    int same_times = o.same_times > 0 ? o.same_times : 5;
    double mem_mb = o.mem_mb > 0 ? o.mem_mb : 256;
    if (m->o.family != AGGLO_GWR_FAMILY_GAUSSIAN) {
        agglo_error(ctx, AGGLO_E_USAGE, "mgwr: multiscale GWR is defined for the Gaussian family "
                                        "only");
        return NULL;
    }
    size_t n = m->n, p = m->p;
    double dn = (double)n;
    mg g = {ctx, m, agglo_threads_for(ctx), NULL, NULL, NULL, NULL, 0};
    agglo_mgwr_result *r = agglo_calloc(ctx, 1, sizeof *r);
    agglo_gwr_result *gr = NULL;
    double *work = NULL, *C = NULL, *cct = NULL;
    size_t cap = 0;
    if (!r)
        return NULL;
    r->n = n;
    r->p = p;
    r->kernel = m->o.kernel;
    r->fixed = m->o.fixed;
    r->criterion = m->o.criterion;
    r->inference = o.inference != 0;
    r->names = agglo_calloc(ctx, p, sizeof(char *));
    r->bw = agglo_malloc(ctx, p * sizeof(double));
    r->bw_lo = agglo_malloc(ctx, p * sizeof(double));
    r->bw_hi = agglo_malloc(ctx, p * sizeof(double));
    r->enp = agglo_malloc(ctx, p * sizeof(double));
    r->adj_alpha = agglo_malloc(ctx, 3 * p * sizeof(double));
    r->critical_t = agglo_malloc(ctx, p * sizeof(double));
    r->beta = agglo_malloc(ctx, n * p * sizeof(double));
    r->se = agglo_malloc(ctx, n * p * sizeof(double));
    r->tval = agglo_malloc(ctx, n * p * sizeof(double));
    r->yhat = agglo_malloc(ctx, n * sizeof(double));
    r->resid = agglo_malloc(ctx, n * sizeof(double));
    r->coef_summary = agglo_malloc(ctx, 7 * p * sizeof(double));
    /* work: xc (p n), XB (p n), newXB (p n), B (p n), err, z, beta, hat, yhat, tmp, tmp2 (n) */
    work = agglo_malloc(ctx, (4 * p + 7) * n * sizeof(double));
    if (!r->names || !r->bw || !r->bw_lo || !r->bw_hi || !r->enp || !r->adj_alpha ||
        !r->critical_t || !r->beta || !r->se || !r->tval || !r->yhat || !r->resid ||
        !r->coef_summary || !work)
        goto fail;
    for (size_t j = 0; j < p; j++)
        if (!(r->names[j] = agglo_strdup(ctx, m->names[j])))
            goto fail;
    double *xc = work, *XB = xc + p * n, *nXB = XB + p * n, *B = nXB + p * n;
    double *err = B + p * n, *z = err + n, *tmp2 = z + n;
    g.beta = tmp2 + n;
    g.hat = g.beta + n;
    g.yhat = g.hat + n;
    g.tmp = g.yhat + n;
    for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < n; i++)
            xc[j * n + i] = m->X[i * p + j];

    /* search ranges */
    double dmin = 0, dmax = 0;
    if (m->o.fixed && agglo__gwr_distance_range(ctx, m, &dmin, &dmax))
        goto fail;
    for (size_t j = 0; j < p; j++) {
        double a = m->o.fixed ? dmin / 2.0 : 42.0, c = m->o.fixed ? 2.0 * dmax : dn;
        if (o.bw_min && o.bw_max && o.bw_min[j] > 0 && o.bw_max[j] > 0 &&
            o.bw_min[j] > o.bw_max[j]) {
            agglo_error(ctx, AGGLO_E_USAGE,
                        "mgwr: empty bandwidth search range for %s: minimum %g is larger than "
                        "maximum %g",
                        m->names[j], o.bw_min[j], o.bw_max[j]);
            goto fail;
        }
        if (o.bw_min && o.bw_min[j] > 0)
            a = o.bw_min[j];
        if (o.bw_max && o.bw_max[j] > 0)
            c = o.bw_max[j];
        if (!m->o.fixed && c > dn)
            c = dn;
        if (!m->o.fixed && a > c)
            a = c;
        if (!(a > 0) || !(c >= a)) {
            agglo_error(ctx, AGGLO_E_USAGE, "mgwr: invalid bandwidth search range [%g, %g] for %s",
                        a, c, m->names[j]);
            goto fail;
        }
        r->bw_lo[j] = a;
        r->bw_hi[j] = c;
    }

    /* initial GWR */
    double bw0 = o.init_bw;
    if (!(bw0 > 0)) {
        agglo_gwr_search_result s;
        if (agglo_gwr_select(ctx, m, &s))
            goto fail;
        bw0 = s.bandwidth;
        agglo_gwr_search_result_free(&s);
    }
    if (!m->o.fixed)
        bw0 = floor(bw0);
    r->bw_init = bw0;
    gr = agglo_gwr_fit(ctx, m, bw0);
    if (!gr)
        goto fail;
    if (gr->nsingular > 0) {
        size_t first = 0;
        while (first < n && !gr->singular[first])
            first++;
        agglo_error(ctx, AGGLO_E_SINGULAR,
                    "mgwr: the initial GWR (bandwidth %g) has %zu singular local regression(s) "
                    "(first at observation %zu): too few neighbours or locally collinear "
                    "covariates; give a larger initial bandwidth",
                    bw0, gr->nsingular, first + 1);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        size_t t = m->orig[i];
        double s = 0;
        for (size_t j = 0; j < p; j++) {
            double v = gr->beta[t * p + j] * xc[j * n + i];
            XB[j * n + i] = v;
            B[j * n + i] = gr->beta[t * p + j];
            s += v;
        }
        err[i] = m->y[i] - s;
    }
    agglo_gwr_result_free(gr);
    gr = NULL;

    /* back-fitting */
    double *bws = r->bw;
    for (size_t j = 0; j < p; j++)
        bws[j] = NAN;
    int stable = 0;
    double *prev = agglo_malloc(ctx, p * sizeof(double));
    if (!prev)
        goto fail;
    for (int it = 1; it <= max_iter; it++) {
        for (size_t j = 0; j < p; j++) {
            const double *x = xc + j * n;
            for (size_t i = 0; i < n; i++)
                z[i] = XB[j * n + i] + err[i];
            double bw = bws[j];
            if (stable < same_times) {
                if (uni_search(&g, x, z, r->bw_lo[j], r->bw_hi[j], &bw)) {
                    free(prev);
                    goto fail;
                }
                if (isnan(bw)) {
                    agglo_error(ctx, AGGLO_E_SINGULAR,
                                "mgwr: %s: no bandwidth in [%g, %g] gives a non-singular local "
                                "regression at every observation (the covariate is zero around "
                                "some location)",
                                m->names[j], r->bw_lo[j], r->bw_hi[j]);
                    free(prev);
                    goto fail;
                }
            }
            size_t first = 0;
            size_t ns = uni_pass(m, g.nth, x, z, bw, B + j * n, NULL, &first);
            if (ns == (size_t)-1) {
                agglo_error(ctx, AGGLO_E_NOMEM, "mgwr: out of memory");
                free(prev);
                goto fail;
            }
            if (ns > 0) {
                agglo_error(ctx, AGGLO_E_SINGULAR,
                            "mgwr: %s: the local regression at observation %zu is singular at "
                            "bandwidth %g (%zu observation(s) in all)",
                            m->names[j], m->orig[first] + 1, bw, ns);
                free(prev);
                goto fail;
            }
            for (size_t i = 0; i < n; i++) {
                double v = x[i] * B[j * n + i];
                nXB[j * n + i] = v;
                err[i] = z[i] - v;
            }
            bws[j] = bw;
        }
        int same = it > 1;
        for (size_t j = 0; j < p && same; j++)
            same = prev[j] == bws[j];
        stable = same ? stable + 1 : 0;
        memcpy(prev, bws, p * sizeof(double));
        for (size_t i = 0; i < n; i++) {
            double num = 0, row = 0;
            for (size_t j = 0; j < p; j++) {
                double d = nXB[j * n + i] - XB[j * n + i];
                num += d * d;
                row += nXB[j * n + i];
            }
            g.tmp[i] = num;
            tmp2[i] = row * row;
        }
        double soc = sqrt((agglo_sum(g.tmp, n) / dn) / agglo_sum(tmp2, n));
        memcpy(XB, nXB, p * n * sizeof(double));
        if (add_iter(ctx, r, &cap, soc, bws)) {
            free(prev);
            goto fail;
        }
        if (soc < tol) {
            r->converged = 1;
            break;
        }
    }
    free(prev);
    r->nevals = g.nevals;
    if (!r->converged)
        agglo_warn(ctx, "mgwr: the back-fitting did not converge in %d iterations (SOC %g >= %g)",
                   max_iter, r->soc[r->niter - 1], tol);

    /* fitted values, residuals, RSS (model scale) */
    double *yh = g.yhat, *e = g.hat;
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t j = 0; j < p; j++)
            s += XB[j * n + i];
        yh[i] = s;
        e[i] = m->y[i] - s;
        g.tmp[i] = e[i] * e[i];
    }
    r->rss = agglo_sum(g.tmp, n);
    double ym = agglo_sum(m->y, n) / dn;
    for (size_t i = 0; i < n; i++)
        g.tmp[i] = (m->y[i] - ym) * (m->y[i] - ym);
    double tss = agglo_sum(g.tmp, n);
    r->r2 = 1.0 - r->rss / tss;
    r->llf = -0.5 * dn * (log(2.0 * M_PI * r->rss / dn) + 1.0);

    /* inference */
    cct = agglo_calloc(ctx, n * p, sizeof(double));
    if (!cct)
        goto fail;
    for (size_t j = 0; j < p; j++)
        r->enp[j] = r->inference ? 0.0 : NAN;
    if (r->inference) {
        double per_col = (double)(p + 2) * dn * sizeof(double);
        double mc_d = floor(mem_mb * 1048576.0 / per_col);
        size_t mc = mc_d < 1 ? 1 : (mc_d >= dn ? n : (size_t)mc_d);
        double rb_d = floor(32.0 * 1048576.0 / (8.0 * dn));
        size_t rb = rb_d < 8 ? 8 : (rb_d >= dn ? n : (size_t)rb_d);
        if (rb > n)
            rb = n;
        C = malloc(((p + 2) * n * mc + rb * n) * sizeof(double));
        if (!C) {
            agglo_error(ctx, AGGLO_E_NOMEM,
                        "mgwr: out of memory for the inference (%zu x %zu chunk); lower the "
                        "memory budget or skip the inference",
                        n, mc);
            goto fail;
        }
        for (size_t c0 = 0; c0 < n; c0 += mc) {
            size_t len = c0 + mc <= n ? mc : n - c0;
            if (agglo__mgwr_r_chunk(&g, m->X, xc, r->bw_init, r->bw_hist, r->niter, c0, len, C,
                        C + p * n * mc, C + (p + 1) * n * mc, C + (p + 2) * n * mc, rb, cct,
                        r->enp))
                goto fail;
        }
        free(C);
        C = NULL;
    }
    double trs = 0;
    for (size_t j = 0; j < p; j++)
        trs += r->enp[j];
    r->tr_s = trs;
    r->sigma2 = r->rss / (dn - trs);
    r->sigma = sqrt(r->sigma2);
    r->aic = -2.0 * r->llf + 2.0 * (trs + 1.0);
    r->aicc = -2.0 * r->llf + 2.0 * dn * (trs + 1.0) / (dn - trs - 2.0);
    r->bic = -2.0 * r->llf + (trs + 1.0) * log(dn);
    r->adj_r2 = 1.0 - (1.0 - r->r2) * (dn - 1.0) / (dn - trs - 1.0);
    static const double alphas[3] = {0.1, 0.05, 0.001};
    for (size_t j = 0; j < p; j++) {
        for (int t = 0; t < 3; t++)
            r->adj_alpha[j * 3 + t] = alphas[t] / r->enp[j];
        r->critical_t[j] = r->inference ? agglo_t_critical(r->adj_alpha[j * 3 + 1], dn - 1.0)
                                        : NAN;
    }
    /* per observation, caller's order */
    for (size_t i = 0; i < n; i++) {
        size_t t = m->orig[i];
        for (size_t j = 0; j < p; j++) {
            double b = B[j * n + i], se = r->inference ? sqrt(cct[i * p + j] * r->sigma2) : NAN;
            r->beta[t * p + j] = b;
            r->se[t * p + j] = se;
            r->tval[t * p + j] = b / se;
        }
        r->yhat[t] = yh[i] * m->ysd + m->ymean;
        r->resid[t] = e[i] * m->ysd;
    }
    for (size_t j = 0; j < p; j++) {
        for (size_t i = 0; i < n; i++)
            g.tmp[i] = B[j * n + i];
        agglo__gwr_coef_summary(g.tmp, n, tmp2, r->coef_summary + j * 7);
    }
    free(cct);
    free(work);
    return r;
fail:
    agglo_gwr_result_free(gr);
    free(C);
    free(cct);
    free(work);
    agglo_mgwr_result_free(r);
    return NULL;
}
