/* Markov chains of distribution dynamics: classic, spatial (Rey 2001) and LISA (Rey & Janikas
 * 2006) as PySAL giddy; steady states and first mean passage times (Kemeny & Snell 1976);
 * Bickenbach & Bode (2003) homogeneity tests. */
#include "detect_internal.h"
#include "../core/core_internal.h"
#include "agglo/distribution.h"
#include "agglo/markov.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void agglo_markov_options_init(agglo_markov_options *o)
{
    o->k = 5;
    o->m = 5;
    o->per_period = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int agglo_quantile_classes(agglo_ctx *ctx, const double *x, size_t n, size_t k, int *cls,
                           double *cut)
{
    if (n == 0 || k == 0)
        return agglo_error(ctx, AGGLO_E_EMPTY, "quantile classes of no values");
    double *s = agglo_malloc(ctx, n * sizeof *s);
    if (!s)
        return AGGLO_E_NOMEM;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    size_t nc = 0;
    for (size_t c = 1; c <= k; c++) {
        double pct = 100.0 / (double)k * (double)c;
        if (c == k || pct > 100.0)
            pct = 100.0;
        double idx = pct / 100.0 * (double)(n - 1);
        size_t lo = (size_t)floor(idx);
        double frac = idx - (double)lo, q;
        if (frac == 0 || lo + 1 >= n)
            q = s[lo];
        else
            q = s[lo] * (1 - frac) + s[lo + 1] * frac; /* scipy's _interpolate */
        if (nc == 0 || q != cut[nc - 1])
            cut[nc++] = q;
    }
    free(s);
    for (size_t i = 0; i < n; i++) {
        int c = 0;
        while ((size_t)c + 1 < nc && x[i] > cut[c])
            c++;
        cls[i] = c;
    }
    return (int)nc;
}

/* ---- chains ---- */

static void chain_clear(agglo_markov_chain *c)
{
    free(c->transitions);
    free(c->p);
    free(c->steady);
    free(c->fmpt);
    memset(c, 0, sizeof *c);
}

static int chain_alloc(agglo_ctx *ctx, agglo_markov_chain *c, size_t k)
{
    c->k = k;
    c->transitions = agglo_calloc(ctx, k * k, sizeof(double));
    c->p = agglo_calloc(ctx, k * k, sizeof(double));
    c->steady = agglo_malloc(ctx, k * sizeof(double));
    c->fmpt = agglo_malloc(ctx, k * k * sizeof(double));
    return c->transitions && c->p && c->steady && c->fmpt ? AGGLO_OK : AGGLO_E_NOMEM;
}

/* Probabilities, communication classes, steady state and mean first passage times from the
 * counts already in c->transitions. */
static int chain_finish(agglo_ctx *ctx, agglo_markov_chain *c)
{
    size_t k = c->k;
    for (size_t i = 0; i < k; i++) {
        double rs = 0;
        for (size_t j = 0; j < k; j++)
            rs += c->transitions[i * k + j];
        for (size_t j = 0; j < k; j++)
            c->p[i * k + j] = rs > 0 ? c->transitions[i * k + j] / rs : 0;
    }
    for (size_t i = 0; i < k; i++)
        c->steady[i] = NAN;
    for (size_t i = 0; i < k * k; i++)
        c->fmpt[i] = NAN;
    double *P = agglo_malloc(ctx, k * k * sizeof *P);
    unsigned char *R = agglo_calloc(ctx, k * k, 1);
    int *cls = agglo_malloc(ctx, k * sizeof *cls);
    double *A = agglo_malloc(ctx, (k + 1) * (k + 1) * sizeof *A);
    double *B = agglo_malloc(ctx, (k + 1) * (k + 1) * sizeof *B);
    lapack_int *piv = agglo_malloc(ctx, (k + 1) * sizeof *piv);
    int rc = AGGLO_E_NOMEM;
    if (!P || !R || !cls || !A || !B || !piv)
        goto done;
    memcpy(P, c->p, k * k * sizeof *P);
    for (size_t i = 0; i < k; i++) {
        double rs = 0;
        for (size_t j = 0; j < k; j++)
            rs += P[i * k + j];
        if (rs == 0)
            P[i * k + i] = 1; /* giddy's fill_empty_classes */
    }
    /* reachability (transitive closure, k is small) */
    for (size_t i = 0; i < k; i++) {
        R[i * k + i] = 1;
        for (size_t j = 0; j < k; j++)
            if (P[i * k + j] > 0)
                R[i * k + j] = 1;
    }
    for (size_t m = 0; m < k; m++)
        for (size_t i = 0; i < k; i++)
            if (R[i * k + m])
                for (size_t j = 0; j < k; j++)
                    if (R[m * k + j])
                        R[i * k + j] = 1;
    size_t ncls = 0, nrec = 0;
    int rec_class = -1;
    for (size_t i = 0; i < k; i++)
        cls[i] = -1;
    for (size_t i = 0; i < k; i++) {
        if (cls[i] >= 0)
            continue;
        for (size_t j = 0; j < k; j++)
            if (R[i * k + j] && R[j * k + i])
                cls[j] = (int)ncls;
        /* closed: nothing reachable from i lies outside its class */
        int closed = 1;
        for (size_t j = 0; j < k; j++)
            if (R[i * k + j] && !R[j * k + i])
                closed = 0;
        if (closed) {
            nrec++;
            rec_class = (int)ncls;
        }
        ncls++;
    }
    c->nrecurrent = nrec;
    c->irreducible = ncls == 1;
    rc = AGGLO_OK;
    if (nrec != 1)
        goto done;
    /* stationary distribution on the recurrent class: pi (P - I) = 0, sum pi = 1, solved as
     * the transposed system with the last equation replaced by the normalisation */
    size_t idx[256], r = 0;
    for (size_t i = 0; i < k && r < 256; i++)
        if (cls[i] == rec_class)
            idx[r++] = i;
    for (size_t a = 0; a < r; a++)
        for (size_t b = 0; b < r; b++)
            A[a * r + b] = (a == r - 1) ? 1.0 : P[idx[b] * k + idx[a]] - (a == b ? 1.0 : 0.0);
    double rhs[256];
    for (size_t a = 0; a < r; a++)
        rhs[a] = a == r - 1 ? 1.0 : 0.0;
    if (LAPACKE_dgesv(LAPACK_ROW_MAJOR, (lapack_int)r, 1, A, (lapack_int)r, piv, rhs, 1) != 0) {
        rc = agglo_error(ctx, AGGLO_E_SINGULAR, "steady state: singular system");
        goto done;
    }
    for (size_t i = 0; i < k; i++)
        c->steady[i] = 0;
    for (size_t a = 0; a < r; a++)
        c->steady[idx[a]] = rhs[a];
    if (!c->irreducible)
        goto done;
    /* Z = (I - P + A)^-1 with A's rows all pi */
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            A[i * k + j] = (i == j ? 1.0 : 0.0) - P[i * k + j] + c->steady[j];
            B[i * k + j] = i == j ? 1.0 : 0.0;
        }
    if (LAPACKE_dgesv(LAPACK_ROW_MAJOR, (lapack_int)k, (lapack_int)k, A, (lapack_int)k, piv, B,
                      (lapack_int)k) != 0) {
        rc = agglo_error(ctx, AGGLO_E_SINGULAR, "first mean passage times: singular system");
        goto done;
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            c->fmpt[i * k + j] = i == j ? 1.0 / c->steady[j]
                                        : (B[j * k + j] - B[i * k + j]) / c->steady[j];
done:
    free(P);
    free(R);
    free(cls);
    free(A);
    free(B);
    free(piv);
    return rc;
}

/* giddy's chi2(T1, T2): observed T1 against expected rowsum(T1) * T2 / rowsum(T2). */
static void chi2_test(const double *T1, const double *T2, size_t k, double *x2, double *df,
                      double *pval)
{
    size_t d1 = 0, d2 = 0;
    double s = 0;
    for (size_t i = 0; i < k; i++) {
        double r1 = 0, r2 = 0;
        for (size_t j = 0; j < k; j++) {
            r1 += T1[i * k + j];
            r2 += T2[i * k + j];
        }
        d1 += r1 > 0;
        d2 += r2 > 0;
        if (r2 == 0)
            r2 = 1;
        for (size_t j = 0; j < k; j++) {
            double e = r1 * T2[i * k + j] / r2, d = T1[i * k + j] - e;
            s += d * d / (e == 0 ? 1.0 : e);
        }
    }
    *x2 = s;
    *df = ((double)d1 - 1) * ((double)d2 - 1);
    *pval = *df > 0 ? agglo_pchisq_upper(s, *df) : NAN;
}

/* Counts the transitions of classes cls (n x t) into the chain; with regime (n x t, or NULL)
 * only the transitions starting in regime r. */
static void count(const int *cls, const int *regime, int r, size_t n, size_t t,
                  agglo_markov_chain *c)
{
    size_t k = c->k;
    for (size_t i = 0; i < n; i++)
        for (size_t s = 0; s + 1 < t; s++)
            if (!regime || regime[i * t + s] == r)
                c->transitions[(size_t)cls[i * t + s] * k + (size_t)cls[i * t + s + 1]] += 1;
}

/* Classes of the panel values v (n x t): pooled quantiles or per period. */
static int classify(agglo_ctx *ctx, const double *v, size_t n, size_t t, size_t k,
                    int per_period, int *cls, double **cutoffs, size_t *kout)
{
    *cutoffs = NULL;
    if (!per_period) {
        double *cut = agglo_malloc(ctx, k * sizeof *cut);
        if (!cut)
            return AGGLO_E_NOMEM;
        int nc = agglo_quantile_classes(ctx, v, n * t, k, cls, cut);
        if (nc < 0) {
            free(cut);
            return nc;
        }
        if ((size_t)nc < k)
            agglo_warn(ctx, "only %d distinct quantiles: %d classes instead of %zu", nc, nc, k);
        *cutoffs = cut;
        *kout = (size_t)nc;
        return AGGLO_OK;
    }
    double *col = agglo_malloc(ctx, n * sizeof *col), *cut = agglo_malloc(ctx, k * sizeof *cut);
    int *cc = agglo_malloc(ctx, n * sizeof *cc);
    int rc = AGGLO_OK;
    if (!col || !cut || !cc) {
        rc = AGGLO_E_NOMEM;
        goto done;
    }
    for (size_t s = 0; s < t; s++) {
        for (size_t i = 0; i < n; i++)
            col[i] = v[i * t + s];
        int nc = agglo_quantile_classes(ctx, col, n, k, cc, cut);
        if (nc < 0) {
            rc = nc;
            goto done;
        }
        if ((size_t)nc < k) {
            rc = agglo_error(ctx, AGGLO_E_NUMERIC, "period %zu: only %d distinct quantiles for %zu "
                             "classes", s + 1, nc, k);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            cls[i * t + s] = cc[i];
    }
    *kout = k;
done:
    free(col);
    free(cut);
    free(cc);
    return rc;
}

void agglo_markov_free(agglo_markov *m)
{
    if (!m)
        return;
    free(m->cutoffs);
    free(m->classes);
    chain_clear(&m->chain);
    free(m);
}

agglo_markov *agglo_markov_classic(agglo_ctx *ctx, const agglo_markov_panel *p,
                                   const agglo_markov_options *o)
{
    agglo_markov *m = agglo_calloc(ctx, 1, sizeof *m);
    if (!m)
        return NULL;
    m->n = p->n;
    m->t = p->t;
    if (!(m->classes = agglo_malloc(ctx, p->n * p->t * sizeof *m->classes)))
        goto fail;
    if (classify(ctx, p->y, p->n, p->t, o->k, o->per_period, m->classes, &m->cutoffs, &m->k))
        goto fail;
    if (chain_alloc(ctx, &m->chain, m->k))
        goto fail;
    count(m->classes, NULL, 0, p->n, p->t, &m->chain);
    if (chain_finish(ctx, &m->chain))
        goto fail;
    return m;
fail:
    agglo_markov_free(m);
    return NULL;
}

void agglo_spatial_markov_free(agglo_spatial_markov *s)
{
    if (!s)
        return;
    free(s->cutoffs);
    free(s->lag_cutoffs);
    free(s->classes);
    free(s->lag_classes);
    chain_clear(&s->global);
    if (s->cond)
        for (size_t r = 0; r < s->m; r++)
            chain_clear(&s->cond[r]);
    free(s->cond);
    free(s->chi2);
    free(s->chi2_p);
    free(s->chi2_df);
    free(s);
}

/* Spatial lag of every period of the panel. */
static double *panel_lag(agglo_ctx *ctx, const agglo_markov_panel *p, const agglo_weights *w)
{
    size_t n = p->n, t = p->t;
    if (agglo_weights_n(w) != n) {
        agglo_error(ctx, AGGLO_E_MISMATCH, "weights of %zu observations for a panel of %zu "
                    "regions", agglo_weights_n(w), n);
        return NULL;
    }
    double *lag = agglo_malloc(ctx, n * t * sizeof *lag);
    double *col = agglo_malloc(ctx, n * sizeof *col), *lc = agglo_malloc(ctx, n * sizeof *lc);
    if (!lag || !col || !lc) {
        free(lag);
        lag = NULL;
        goto done;
    }
    for (size_t s = 0; s < t; s++) {
        for (size_t i = 0; i < n; i++)
            col[i] = p->y[i * t + s];
        agglo_weights_lag(w, col, lc);
        for (size_t i = 0; i < n; i++)
            lag[i * t + s] = lc[i];
    }
done:
    free(col);
    free(lc);
    return lag;
}

/* Bickenbach & Bode homogeneity Q and LR over the m regimes (giddy's Homogeneity_Results). */
static void homogeneity(agglo_spatial_markov *s)
{
    size_t k = s->k, m = s->m;
    const double *T = s->global.transitions, *pij = s->global.p;
    double Q = 0, LR = 0, dof = 0;
    for (size_t i = 0; i < k; i++) {
        size_t Ai = 0, bi = 0;
        for (size_t j = 0; j < k; j++)
            Ai += T[i * k + j] > 0;
        for (size_t r = 0; r < m; r++) {
            const double *N = s->cond[r].transitions, *pm = s->cond[r].p;
            double nim = 0;
            for (size_t j = 0; j < k; j++)
                nim += N[i * k + j];
            bi += nim > 0;
            for (size_t j = 0; j < k; j++) {
                double d = pm[i * k + j] - pij[i * k + j], den = pij[i * k + j];
                Q += nim * d * d / (den == 0 ? 1.0 : den);
                if (N[i * k + j] > 0 && pij[i * k + j] > 0)
                    LR += N[i * k + j] * log(pm[i * k + j] / pij[i * k + j]);
            }
        }
        dof += ((double)bi - 1) * ((double)Ai - 1);
    }
    s->Q = Q;
    s->LR = 2 * LR;
    s->dof = dof;
    s->Q_p = dof > 0 ? agglo_pchisq_upper(Q, dof) : NAN;
    s->LR_p = dof > 0 ? agglo_pchisq_upper(2 * LR, dof) : NAN;
}

agglo_spatial_markov *agglo_spatial_markov_compute(agglo_ctx *ctx, const agglo_markov_panel *p,
                                           const agglo_weights *w,
                                           const agglo_markov_options *o)
{
    size_t n = p->n, t = p->t;
    agglo_spatial_markov *s = agglo_calloc(ctx, 1, sizeof *s);
    double *lag = NULL;
    if (!s)
        return NULL;
    s->n = n;
    s->t = t;
    if (!(lag = panel_lag(ctx, p, w)))
        goto fail;
    s->classes = agglo_malloc(ctx, n * t * sizeof *s->classes);
    s->lag_classes = agglo_malloc(ctx, n * t * sizeof *s->lag_classes);
    if (!s->classes || !s->lag_classes)
        goto fail;
    if (classify(ctx, p->y, n, t, o->k, o->per_period, s->classes, &s->cutoffs, &s->k))
        goto fail;
    if (classify(ctx, lag, n, t, o->m, o->per_period, s->lag_classes, &s->lag_cutoffs, &s->m))
        goto fail;
    size_t k = s->k, m = s->m;
    s->cond = agglo_calloc(ctx, m, sizeof *s->cond);
    s->chi2 = agglo_malloc(ctx, m * sizeof *s->chi2);
    s->chi2_p = agglo_malloc(ctx, m * sizeof *s->chi2_p);
    s->chi2_df = agglo_malloc(ctx, m * sizeof *s->chi2_df);
    if (!s->cond || !s->chi2 || !s->chi2_p || !s->chi2_df || chain_alloc(ctx, &s->global, k))
        goto fail;
    count(s->classes, NULL, 0, n, t, &s->global);
    if (chain_finish(ctx, &s->global))
        goto fail;
    s->x2 = 0;
    for (size_t r = 0; r < m; r++) {
        if (chain_alloc(ctx, &s->cond[r], k))
            goto fail;
        count(s->classes, s->lag_classes, (int)r, n, t, &s->cond[r]);
        if (chain_finish(ctx, &s->cond[r]))
            goto fail;
        chi2_test(s->cond[r].transitions, s->global.transitions, k, &s->chi2[r],
                  &s->chi2_df[r], &s->chi2_p[r]);
        s->x2 += s->chi2[r];
    }
    s->x2_df = (double)k * ((double)k - 1) * ((double)k - 1);
    s->x2_p = agglo_pchisq_upper(s->x2, s->x2_df);
    homogeneity(s);
    free(lag);
    return s;
fail:
    free(lag);
    agglo_spatial_markov_free(s);
    return NULL;
}

void agglo_lisa_markov_free(agglo_lisa_markov *l)
{
    if (!l)
        return;
    free(l->quadrant);
    chain_clear(&l->chain);
    free(l);
}

agglo_lisa_markov *agglo_lisa_markov_compute(agglo_ctx *ctx, const agglo_markov_panel *p,
                                     const agglo_weights *w)
{
    size_t n = p->n, t = p->t;
    agglo_lisa_markov *l = agglo_calloc(ctx, 1, sizeof *l);
    double *lag = NULL, *z = NULL, *zl = NULL;
    int *own = NULL, *nb = NULL, *gown = NULL, *gnb = NULL;
    agglo_markov_chain cy = {0}, cl = {0}, gy = {0}, gl = {0};
    if (!l)
        return NULL;
    l->n = n;
    l->t = t;
    if (!(lag = panel_lag(ctx, p, w)))
        goto fail;
    l->quadrant = agglo_malloc(ctx, n * t * sizeof *l->quadrant);
    z = agglo_malloc(ctx, n * sizeof *z);
    zl = agglo_malloc(ctx, n * sizeof *zl);
    own = agglo_malloc(ctx, n * t * sizeof *own);
    nb = agglo_malloc(ctx, n * t * sizeof *nb);
    int *q0 = agglo_malloc(ctx, n * t * sizeof *q0);
    if (!l->quadrant || !z || !zl || !own || !nb || !q0) {
        free(q0);
        goto fail;
    }
    for (size_t s = 0; s < t; s++) {
        long double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += p->y[i * t + s];
        double mean = (double)(sum / (long double)n);
        for (size_t i = 0; i < n; i++)
            z[i] = p->y[i * t + s] - mean;
        agglo_weights_lag(w, z, zl);
        for (size_t i = 0; i < n; i++) {
            int zp = z[i] > 0, lp = zl[i] > 0;
            int q = zp && lp ? 1 : (!zp && lp ? 2 : (!zp && !lp ? 3 : 4));
            l->quadrant[i * t + s] = q;
            q0[i * t + s] = q - 1;
            /* relative to the period's mean: 0 = not below, 1 = below (giddy's False/True) */
            own[i * t + s] = p->y[i * t + s] / mean < 1.0;
            nb[i * t + s] = lag[i * t + s] / mean < 1.0;
        }
    }
    if (chain_alloc(ctx, &l->chain, 4) || chain_alloc(ctx, &cy, 2) || chain_alloc(ctx, &cl, 2)) {
        free(q0);
        goto fail;
    }
    count(q0, NULL, 0, n, t, &l->chain);
    count(own, NULL, 0, n, t, &cy);
    count(nb, NULL, 0, n, t, &cl);
    free(q0);
    if (chain_finish(ctx, &l->chain) || chain_finish(ctx, &cy) || chain_finish(ctx, &cl))
        goto fail;
    /* kron(Py, Pl) indexed 2 * own + lag, own/lag 0 = high, 1 = low; quadrants HH, LH, LL, HL
     * are kron states 0, 2, 3, 1 (giddy's matrix A) */
    static const int qs[4] = {0, 2, 3, 1};
    for (size_t a = 0; a < 4; a++) {
        double rs = 0;
        for (size_t b = 0; b < 4; b++)
            rs += l->chain.transitions[a * 4 + b];
        for (size_t b = 0; b < 4; b++) {
            int u = qs[a], v = qs[b];
            double kp = cy.p[(u / 2) * 2 + v / 2] * cl.p[(u % 2) * 2 + v % 2];
            l->expected[a * 4 + b] = rs * kp;
        }
    }
    chi2_test(l->chain.transitions, l->expected, 4, &l->chi2, &l->chi2_df, &l->chi2_p);
    /* giddy's chi_2: r = y / ybar with ybar each region's mean over time, rlag = W y / ybar,
     * Markov(r < 1) and Markov(rlag < 1) on (periods x regions) arrays: "units" are the
     * periods and moves run from region i to region i + 1 in the panel's order. */
    gown = agglo_malloc(ctx, n * t * sizeof *gown);
    gnb = agglo_malloc(ctx, n * t * sizeof *gnb);
    if (!gown || !gnb)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        long double sum = 0;
        for (size_t s = 0; s < t; s++)
            sum += p->y[i * t + s];
        double ybar = (double)(sum / (long double)t);
        for (size_t s = 0; s < t; s++) {
            gown[s * n + i] = p->y[i * t + s] / ybar < 1.0;
            gnb[s * n + i] = lag[i * t + s] / ybar < 1.0;
        }
    }
    if (chain_alloc(ctx, &gy, 2) || chain_alloc(ctx, &gl, 2))
        goto fail;
    count(gown, NULL, 0, t, n, &gy);
    count(gnb, NULL, 0, t, n, &gl);
    if (chain_finish(ctx, &gy) || chain_finish(ctx, &gl))
        goto fail;
    for (size_t a = 0; a < 4; a++) {
        double rs = 0;
        for (size_t b = 0; b < 4; b++)
            rs += l->chain.transitions[a * 4 + b];
        for (size_t b = 0; b < 4; b++) {
            int u = qs[a], v = qs[b];
            double kp = gy.p[(u / 2) * 2 + v / 2] * gl.p[(u % 2) * 2 + v % 2];
            l->expected_giddy[a * 4 + b] = rs * kp;
        }
    }
    chi2_test(l->chain.transitions, l->expected_giddy, 4, &l->chi2_giddy, &l->chi2_giddy_df,
              &l->chi2_giddy_p);
    chain_clear(&gy);
    chain_clear(&gl);
    free(gown);
    free(gnb);
    chain_clear(&cy);
    chain_clear(&cl);
    free(lag);
    free(z);
    free(zl);
    free(own);
    free(nb);
    return l;
fail:
    chain_clear(&gy);
    chain_clear(&gl);
    free(gown);
    free(gnb);
    chain_clear(&cy);
    chain_clear(&cl);
    free(lag);
    free(z);
    free(zl);
    free(own);
    free(nb);
    agglo_lisa_markov_free(l);
    return NULL;
}
