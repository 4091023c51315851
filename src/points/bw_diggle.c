/* spatstat bw.diggle (Diggle 1985; Berman & Diggle 1989): the bandwidth that minimises the
 * mean-square error criterion of the kernel intensity estimate, computed from the
 * K-function. Follows spatstat.explore 3.0-6 bw.diggle(X) with its defaults
 * (correction = "good", hmax = NULL, nr = 512, method "C"):
 *
 *   lambda = n / area(W)
 *   rmax   = rmax.rule("K", W, lambda) = min(short side / 4, sqrt(1000 / (pi lambda)))
 *   r      = seq(0, rmax, length = 512)
 *   K      = Kest(X, r = r, correction = "good"): isotropic (Ripley) for n < 1000,
 *            translation for n < 3000, border for n < 1e5, else uncorrected ("none")
 *   K is cut at its first non-finite value; ok = r <= min(alim, max(r) / 2)
 *   J(r_i) = 2 r_i^2 sum_{j: r_j < 2 r_i} phi(r_j / (2 r_i)) (K(r_{j+1}) - K(r_j)),
 *            phi(y) = acos(y) - y sqrt(1 - y^2)     (spatstat's C routine digberJ, J(0) = 0)
 *   M(r)   = (1/lambda - 2 K(r)) / (pi r^2) + J(r) / (pi r^2)^2
 *   sigma  = r / 2 at the first minimum of M (r = 0 gives NaN and is never chosen),
 *            spatstat's bw.optim (which.min).
 *
 * The K-function comes from agglo_kest_compute (src/points/kest.c, spatstat's Krect /
 * Kborder engines); the translation-corrected K that spatstat uses for 1000 <= n < 3000 is
 * and the uncorrected K it uses from 100000 points on are computed here (agglo__points_kest_trans). */
#define _GNU_SOURCE
#include "agglo/points.h"

#include <math.h>
#include <stdlib.h>

#include "../core/core_internal.h"
#include "../kde/kde_internal.h"
#include "points_internal.h"

enum { TBLOCKS = AGGLO__POINTS_PAIR_BLOCKS };

/* What the pair iterator's callback adds into: per block, nr pair weights binned at the
 * smallest k with d <= r_k. */
typedef struct trans_acc {
    double *hist;
    size_t nr;
    double dr, W, H, A;
    int translate;
} trans_acc;

static void trans_pair(void *ud, int blk, size_t i, size_t t, double dx, double dy, double d)
{
    trans_acc *a = ud;
    (void)i;
    (void)t;
    size_t nr = a->nr;
    double dr = a->dr;
    dx = fabs(dx);
    dy = fabs(dy);
    /* smallest k with d <= r_k, r_k as R's seq(0, rmax, length.out = nr) */
    double k0d = ceil(d / dr);
    size_t k0 = k0d < 0 ? 0 : (k0d > (double)(nr - 1) ? nr - 1 : (size_t)k0d);
    while (k0 > 0 && d <= (double)(k0 - 1) * dr)
        k0--;
    while (k0 + 1 < nr && d > (double)k0 * dr)
        k0++;
    double *hb = a->hist + (size_t)blk * nr;
    if (a->translate) {
        double ov = (a->W - dx) * (a->H - dy);
        double wt = ov > 0 ? a->A / ov : INFINITY;
        hb[k0] += 2 * (wt > 100 ? 100 : wt);
    } else {
        hb[k0] += 2;
    }
}

int agglo__points_kest_trans(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                             const double *win, double rmax, size_t nr, int translate, double *K)
{
    double W = win[2] - win[0], H = win[3] - win[1], A = W * H;
    double dr = rmax / (double)(nr - 1);
    agglo__points_pairs pp;
    int rc = agglo__points_pairs_init(ctx, &pp, x, y, n, rmax);
    double *hist = rc ? NULL : agglo_calloc(ctx, (size_t)TBLOCKS * nr, sizeof(double));
    if (!hist) {
        agglo__points_pairs_free(&pp);
        return rc ? rc : AGGLO_E_NOMEM;
    }
    size_t m = pp.m;
    /* each unordered pair once (t > i in bucket order), counted for both orders; blocks of
     * points summed separately and combined in block order: deterministic whatever the
     * thread count */
    trans_acc acc = {hist, nr, dr, W, H, A, translate};
#pragma omp parallel for schedule(dynamic, 1) num_threads(agglo_threads_for(ctx))
    for (int blk = 0; blk < TBLOCKS; blk++)
        agglo__points_pairs_block(&pp, blk, NULL, trans_pair, &acc);
    double f = A / ((double)m * (double)(m - 1)), cum = 0;
    for (size_t k = 0; k < nr; k++) {
        for (int blk = 0; blk < TBLOCKS; blk++)
            cum += hist[(size_t)blk * nr + k];
        K[k] = cum * f;
    }
    free(hist);
    agglo__points_pairs_free(&pp);
    return AGGLO_OK;
}

int agglo__points_bw_diggle(agglo_ctx *ctx, const double *x, const double *y, size_t m,
                            const double *win, double *sigma)
{
    if (m < 2)
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "bandwidth diggle: needs at least 2 points (got %zu)", m);
    double W = win[2] - win[0], H = win[3] - win[1];
    if (!(W > 0) || !(H > 0) || !isfinite(W) || !isfinite(H))
        return agglo_error(ctx, AGGLO_E_USAGE,
                           "bandwidth diggle: window %g,%g,%g,%g has no area", win[0], win[1],
                           win[2], win[3]);
    for (size_t i = 0; i < m; i++)
        if (!(x[i] >= win[0] && x[i] <= win[2] && y[i] >= win[1] && y[i] <= win[3]))
            return agglo_error(ctx, AGGLO_E_USAGE,
                               "bandwidth diggle: point (%.10g, %.10g) lies outside the window "
                               "%g,%g,%g,%g", x[i], y[i], win[0], win[1], win[2], win[3]);
    double A = W * H;
    double lambda = (double)m / A;
    double rmax = fmin(fmin(W, H) / 4, sqrt(1000.0 / (M_PI * lambda)));
    const size_t nr = 512;
    double *K = NULL, *r = NULL;
    agglo_kest *k = NULL;
    int rc = AGGLO_OK;
    if ((m >= 1000 && m < 3000) || m >= 100000) {
        K = agglo_malloc(ctx, nr * sizeof(double));
        r = agglo_malloc(ctx, nr * sizeof(double));
        if (!K || !r) {
            free(K);
            free(r);
            return AGGLO_E_NOMEM;
        }
        for (size_t t = 0; t < nr; t++)
            r[t] = t + 1 == nr ? rmax : (double)t * (rmax / (double)(nr - 1));
        rc = agglo__points_kest_trans(ctx, x, y, m, win, rmax, nr, m < 3000, K);
        if (rc) {
            free(K);
            free(r);
            return rc;
        }
    } else {
        int corr = m < 1000 ? AGGLO_KEST_ISOTROPIC : AGGLO_KEST_BORDER;
        k = agglo_kest_compute(ctx, x, y, m, win, rmax, nr, corr, 0, 0, 0);
        if (!k)
            return agglo_ctx_errcode(ctx) ? agglo_ctx_errcode(ctx) : AGGLO_E_NUMERIC;
        K = corr == AGGLO_KEST_ISOTROPIC ? k->iso : k->border;
        r = k->r;
    }
    /* cut at the first non-finite K value */
    size_t nk = nr;
    for (size_t t = 0; t < nr; t++)
        if (!isfinite(K[t])) {
            nk = t;
            break;
        }
    double *J = NULL;
    if (nk < 2) {
        rc = agglo_error(ctx, AGGLO_E_NUMERIC,
                         "bandwidth diggle: K function yields too many NA/NaN values");
        goto done;
    }
    /* alim = c(0, rmax) for both engines */
    double rmax2 = fmin(rmax, r[nk - 1] / 2);
    size_t nrmax = 0;
    for (size_t t = 0; t < nk; t++)
        if (r[t] <= rmax2)
            nrmax++;
    J = agglo_calloc(ctx, nrmax ? nrmax : 1, sizeof(double));
    if (!J) {
        rc = AGGLO_E_NOMEM;
        goto done;
    }
    /* digberJ */
    size_t ndK = nk - 1;
    for (size_t i = 1; i < nrmax; i++) {
        double ri = r[i], twori = 2 * ri, integral = 0;
        for (size_t j = 0; j < ndK; j++) {
            double yj = r[j] / twori;
            if (yj >= 1.0)
                break;
            double phiy = acos(yj) - yj * sqrt(1 - yj * yj);
            integral += phiy * (K[j + 1] - K[j]);
        }
        J[i] = 2 * ri * ri * integral;
    }
    size_t iopt = (size_t)-1;
    double best = NAN;
    for (size_t i = 0; i < nrmax; i++) {
        double pir2 = M_PI * (r[i] * r[i]);
        double M = (1 / lambda - 2 * K[i]) / pir2 + J[i] / (pir2 * pir2);
        if (isnan(M))
            continue;
        if (iopt == (size_t)-1 || M < best) {
            best = M;
            iopt = i;
        }
    }
    if (iopt == (size_t)-1) {
        rc = agglo_error(ctx, AGGLO_E_NUMERIC,
                         "bandwidth diggle: criterion undefined at every bandwidth");
        goto done;
    }
    *sigma = r[iopt] / 2;
    if (iopt + 1 == nrmax || iopt == 0)
        agglo_warn(ctx,
                   "bandwidth diggle: Berman-Diggle criterion was minimised at the %s end of the "
                   "interval [%g, %g]",
                   iopt == 0 ? "left-hand" : "right-hand", r[0] / 2, r[nrmax - 1] / 2);
done:
    free(J);
    if (k) {
        agglo_kest_free(k);
    } else {
        free(K);
        free(r);
    }
    return rc;
}
