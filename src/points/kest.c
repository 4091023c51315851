/* Ripley's K with border and isotropic edge correction and CSR envelopes (spatstat Kest /
 * envelope), on a bucket grid of points, never all pairs. */
#define _GNU_SOURCE
#include "agglo/points.h"
#include "agglo/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "../kde/kde_internal.h"
#include "points_internal.h"

/* Ripley's isotropic edge weight of a pair at distance r seen from (x, y): 1 / (fraction of
 * the circle of radius r centred there inside the rectangle w), capped at 100; spatstat's
 * KrectIncrem.h formula, exact for a rectangle. The distances to the edges are taken as
 * spatstat does (coordinates shifted to the window's bottom-left corner, right/up distance =
 * side - shifted coordinate), and a point at a corner of the window (two of the four
 * distances below 1e-12, spatstat's SMALL) gets the extra quarter turn its formula adds, at
 * every r including 0 (a duplicate at the corner): without it a corner point's circle would
 * count half inside instead of a quarter. */
static double ripley_weight(double x, double y, double r, const double *w)
{
    double wide = w[2] - w[0], high = w[3] - w[1], xs = x - w[0], ys = y - w[1];
    double dL = xs, dR = wide - xs, dD = ys, dU = high - ys;
    int corner = (fabs(dL) < 1e-12) + (fabs(dR) < 1e-12) + (fabs(dD) < 1e-12) +
                 (fabs(dU) < 1e-12) >= 2;
    if (!corner && r <= dL && r <= dR && r <= dD && r <= dU)
        return 1; /* the circle lies inside the window (also r = 0: duplicates) */
    double aL = dL < r ? acos(dL / r) : 0, aR = dR < r ? acos(dR / r) : 0;
    double aD = dD < r ? acos(dD / r) : 0, aU = dU < r ? acos(dU / r) : 0;
    double ext = fmin(aL, atan2(dU, dL)) + fmin(aL, atan2(dD, dL)) + fmin(aR, atan2(dU, dR)) +
                 fmin(aR, atan2(dD, dR)) + fmin(aU, atan2(dL, dU)) + fmin(aU, atan2(dR, dU)) +
                 fmin(aD, atan2(dL, dD)) + fmin(aD, atan2(dR, dD));
    double extang = ext / (2 * M_PI) + (corner ? 0.25 : 0);
    double wt = 1 / (1 - extang);
    return wt > 100 || !(wt > 0) ? 100 : wt; /* spatstat.options("maxedgewt") */
}

enum { KBLOCKS = AGGLO__POINTS_PAIR_BLOCKS };

/* What the pair iterator's callbacks of one pattern's K add into (per block: row blk of
 * nr + 1 values; NULL = that estimate is not wanted). */
typedef struct kest_acc {
    const agglo__points_pairs *pp;
    const double *win;
    const agglo_window *poly; /* polygonal window (NULL: the rectangle win) */
    const double *bd;         /* polygonal window: the points' distances to its boundary */
    const size_t *kbs;
    double dr;
    size_t nr;
    long long *bnum, *bden; /* border: difference arrays of the numerator and denominator */
    double *ih;             /* isotropic: weight sums by the smallest k with d <= r_k */
} kest_acc;

static void kest_point(void *ud, int blk, size_t i)
{
    kest_acc *a = ud;
    if (a->bden) { /* point i is in the border sample at r_k, k < kb */
        long long *bd = a->bden + (size_t)blk * (a->nr + 1);
        bd[0]++;
        bd[a->kbs[i]]--;
    }
}

static void kest_pair(void *ud, int blk, size_t i, size_t t, double dx, double dy, double d)
{
    kest_acc *a = ud;
    (void)dx;
    (void)dy;
    size_t nr = a->nr;
    /* smallest k with d <= r_k, as spatstat's ldist = ceil(d / rstep) */
    double k0d = ceil(d / a->dr);
    if (!(k0d <= (double)(nr - 1)))
        return;
    size_t k0 = (size_t)k0d;
    if (a->bnum) { /* counted at r_k, k0 <= k < kb, for each point of the pair */
        long long *bn = a->bnum + (size_t)blk * (nr + 1);
        size_t kb = a->kbs[i];
        if (k0 < kb && (!a->bd || d <= a->bd[i])) {
            bn[k0]++;
            bn[kb]--;
        }
        if (k0 < a->kbs[t] && (!a->bd || d <= a->bd[t])) {
            bn[k0]++;
            bn[a->kbs[t]]--;
        }
    }
    if (a->ih) {
        const double *px = a->pp->px, *py = a->pp->py;
        if (a->poly)
            a->ih[(size_t)blk * (nr + 1) + k0] += agglo__window_ripley_weight(a->poly, px[i], py[i], d) +
                                                  agglo__window_ripley_weight(a->poly, px[t], py[t], d);
        else
            a->ih[(size_t)blk * (nr + 1) + k0] +=
                ripley_weight(px[i], py[i], d, a->win) + ripley_weight(px[t], py[t], d, a->win);
    }
}

/* K estimates of one pattern into border[] / iso[] (nr values each; NULL = skip). */
static int kest_one(agglo_ctx *ctx, const double *x, const double *y, size_t n, const double *win,
                    const agglo_window *poly, double rmax, size_t nr, double *border, double *iso)
{
    double A = poly ? agglo_window_area(poly) : (win[2] - win[0]) * (win[3] - win[1]);
    double dr = rmax / (double)(nr - 1);
    agglo__points_pairs pp;
    int rc = agglo__points_pairs_init(ctx, &pp, x, y, n, rmax);
    if (rc) {
        agglo__points_pairs_free(&pp);
        return rc;
    }
    size_t m = pp.m;
    long long *bnum = border ? agglo_calloc(ctx, KBLOCKS * (nr + 1), sizeof(long long)) : NULL;
    long long *bden = border ? agglo_calloc(ctx, KBLOCKS * (nr + 1), sizeof(long long)) : NULL;
    double *ih = iso ? agglo_calloc(ctx, KBLOCKS * (nr + 1), sizeof(double)) : NULL;
    /* kb[t]: the r values at which point t is in the border-corrected sample, k = 0..kb-1
     * (kb = 0: none). spatstat (KrectBody.h) keeps a point for r_k < b_t strictly, with k
     * from the same arithmetic: the largest integer strictly below b_t / rstep, b_t measured
     * in coordinates shifted to the window's bottom-left corner. So a point on the window's
     * edge (b = 0) is in no sample, not even at r = 0, where its duplicates would otherwise
     * count, and a point at a distance exactly r_k from the edge is out of the sample at r_k. */
    size_t *kbs = agglo_malloc(ctx, (m ? m : 1) * sizeof(size_t));
    if ((border && (!bnum || !bden)) || (iso && !ih) || !kbs) {
        free(bnum);
        free(bden);
        free(ih);
        free(kbs);
        agglo__points_pairs_free(&pp);
        return AGGLO_E_NOMEM;
    }
    double wide = win[2] - win[0], high = win[3] - win[1];
    double *bd = poly && border ? agglo_malloc(ctx, (m ? m : 1) * sizeof(double)) : NULL;
    if (poly && border && !bd) {
        free(bnum);
        free(bden);
        free(ih);
        free(kbs);
        agglo__points_pairs_free(&pp);
        return AGGLO_E_NOMEM;
    }
    for (size_t t = 0; t < m; t++) {
        double xs = pp.px[t] - win[0], ys = pp.py[t] - win[1];
        if (poly) {
            /* spatstat's general (non-rectangle) reduced-sample estimator (Kount): b binned
             * on r's breaks (r_(k-1), r_k], so the point is in the sample at r_k for
             * k <= ceil(b / rstep); a pair counts for point i only when d <= b_i */
            double b = agglo_window_boundary_distance(poly, pp.px[t], pp.py[t]);
            if (bd)
                bd[t] = b;
            double kb = ceil(b / dr) + 1;
            kbs[t] = kb >= (double)nr ? nr : (size_t)kb;
            continue;
        }
        double b = fmin(fmin(xs, wide - xs), fmin(ys, high - ys));
        double lb = ceil(b / dr) - 1; /* largest integer strictly below b / rstep */
        kbs[t] = lb < 0 ? 0 : (lb >= (double)(nr - 1) ? nr : (size_t)lb + 1);
    }
    kest_acc acc = {&pp, win, poly, bd, kbs, dr, nr, bnum, bden, ih};
    /* each unordered pair once (t > i), counted for both of its points */
#pragma omp parallel for schedule(dynamic, 1) num_threads(agglo_threads_for(ctx))
    for (int blk = 0; blk < KBLOCKS; blk++)
        agglo__points_pairs_block(&pp, blk, kest_point, kest_pair, &acc);
    free(kbs);
    free(bd);
    agglo__points_pairs_free(&pp);
    double lambda = (double)n / A;
    if (border) {
        long long num = 0, den = 0;
        for (size_t k = 0; k < nr; k++) {
            for (int blk = 0; blk < KBLOCKS; blk++) {
                num += bnum[(size_t)blk * (nr + 1) + k];
                den += bden[(size_t)blk * (nr + 1) + k];
            }
            border[k] = den > 0 ? (double)num / (lambda * (double)den) : NAN;
        }
    }
    if (iso) {
        double cum = 0;
        double f = A / ((double)n * (double)(n - 1));
        for (size_t k = 0; k < nr; k++) {
            for (int blk = 0; blk < KBLOCKS; blk++)
                cum += ih[(size_t)blk * (nr + 1) + k];
            iso[k] = cum * f;
        }
    }
    free(bnum);
    free(bden);
    free(ih);
    return AGGLO_OK;
}

void agglo_kest_free(agglo_kest *k)
{
    if (!k)
        return;
    free(k->r);
    free(k->theo);
    free(k->border);
    free(k->iso);
    free(k->lo);
    free(k->hi);
    free(k);
}

static agglo_kest *kest_compute(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                                const double *window, const agglo_window *poly, double rmax,
                                size_t nr, int corrections, int nsim, int fix_n, uint64_t seed)
{
    double *px, *py, win[4], pbb[4];
    size_t m;
    if (!(corrections & (AGGLO_KEST_BORDER | AGGLO_KEST_ISOTROPIC))) {
        agglo_error(ctx, AGGLO_E_USAGE, "kest: no edge correction requested");
        return NULL;
    }
    if (poly)
        agglo_window_bbox(poly, pbb);
    if (agglo__points_prepare(ctx, x, y, n, poly ? pbb : window, &px, &py, &m, win, "ripley K"))
        return NULL;
    if (poly && agglo__window_check_points(ctx, poly, px, py, m, "ripley K")) {
        free(px);
        free(py);
        return NULL;
    }
    double W = win[2] - win[0], H = win[3] - win[1], A = poly ? agglo_window_area(poly) : W * H;
    double lambda = (double)m / A;
    if (!(rmax > 0))
        rmax = fmin(0.25 * fmin(W, H), sqrt(1000.0 / (M_PI * lambda)));
    if (nr == 0)
        nr = 513;
    if (nr < 2) {
        free(px);
        free(py);
        agglo_error(ctx, AGGLO_E_USAGE, "kest: need at least 2 r values");
        return NULL;
    }
    agglo_kest *k = agglo_calloc(ctx, 1, sizeof *k);
    if (!k) {
        free(px);
        free(py);
        return NULL;
    }
    k->nr = nr;
    k->n = m;
    k->area = A;
    k->intensity = lambda;
    k->rmax = rmax;
    k->seed = seed;
    k->nsim = nsim > 0 ? nsim : 0;
    k->fix_n = fix_n;
    k->r = agglo_malloc(ctx, nr * sizeof(double));
    k->theo = agglo_malloc(ctx, nr * sizeof(double));
    if (corrections & AGGLO_KEST_BORDER)
        k->border = agglo_malloc(ctx, nr * sizeof(double));
    if (corrections & AGGLO_KEST_ISOTROPIC)
        k->iso = agglo_malloc(ctx, nr * sizeof(double));
    int rc = AGGLO_OK;
    if (!k->r || !k->theo || ((corrections & AGGLO_KEST_BORDER) && !k->border) ||
        ((corrections & AGGLO_KEST_ISOTROPIC) && !k->iso))
        rc = AGGLO_E_NOMEM;
    if (!rc) {
        for (size_t t = 0; t < nr; t++) {
            k->r[t] = t + 1 == nr ? rmax : (double)t * (rmax / (double)(nr - 1));
            k->theo[t] = M_PI * k->r[t] * k->r[t];
        }
        rc = kest_one(ctx, px, py, m, win, poly, rmax, nr, k->border, k->iso);
    }
    if (!rc && nsim > 0) {
        k->envelope_correction = k->iso ? AGGLO_KEST_ISOTROPIC : AGGLO_KEST_BORDER;
        k->lo = agglo_malloc(ctx, nr * sizeof(double));
        k->hi = agglo_malloc(ctx, nr * sizeof(double));
        double *sk = agglo_malloc(ctx, nr * sizeof(double));
        size_t cap = m + 16;
        double *sx = agglo_malloc(ctx, cap * sizeof(double)), *sy = agglo_malloc(ctx, cap * sizeof(double));
        if (!k->lo || !k->hi || !sk || !sx || !sy)
            rc = AGGLO_E_NOMEM;
        int first = 1;
        for (int s = 0; s < nsim && !rc; s++) {
            agglo_rng r;
            agglo_rng_init(&r, seed, (uint64_t)s);
            size_t ms = m;
            if (!fix_n) {
                /* Poisson count with mean m: arrivals of a rate-m process in [0, 1) */
                double t = 0;
                ms = 0;
                for (;;) {
                    t += -log1p(-agglo_rng_uniform(&r)) / (double)m;
                    if (t >= 1)
                        break;
                    ms++;
                }
                if (ms > cap) {
                    cap = ms + ms / 4;
                    double *nx = realloc(sx, cap * sizeof(double)), *ny = nx ? realloc(sy, cap * sizeof(double)) : NULL;
                    if (nx)
                        sx = nx;
                    if (ny)
                        sy = ny;
                    if (!nx || !ny) {
                        rc = AGGLO_E_NOMEM;
                        break;
                    }
                }
            }
            for (size_t i = 0; i < ms && !rc; i++) {
                if (poly) {
                    if (agglo_window_sample(poly, &r, &sx[i], &sy[i]))
                        rc = agglo_error(ctx, AGGLO_E_NUMERIC, "kest: cannot sample the window");
                    continue;
                }
                sx[i] = win[0] + agglo_rng_uniform(&r) * W;
                sy[i] = win[1] + agglo_rng_uniform(&r) * H;
            }
            if (rc)
                break;
            int iso = k->envelope_correction == AGGLO_KEST_ISOTROPIC;
            if (ms < 2) { /* K undefined: leave this simulation out of the envelope */
                continue;
            }
            rc = kest_one(ctx, sx, sy, ms, win, poly, rmax, nr, iso ? NULL : sk, iso ? sk : NULL);
            for (size_t t = 0; t < nr && !rc; t++) {
                if (first || sk[t] < k->lo[t] || isnan(k->lo[t]))
                    k->lo[t] = sk[t];
                if (first || sk[t] > k->hi[t] || isnan(k->hi[t]))
                    k->hi[t] = sk[t];
            }
            first = 0;
        }
        free(sk);
        free(sx);
        free(sy);
    }
    free(px);
    free(py);
    if (rc) {
        if (rc == AGGLO_E_NOMEM)
            agglo_error(ctx, rc, "kest: out of memory");
        agglo_kest_free(k);
        return NULL;
    }
    return k;
}

agglo_kest *agglo_kest_compute(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                               const double *window, double rmax, size_t nr, int corrections,
                               int nsim, int fix_n, uint64_t seed)
{
    return kest_compute(ctx, x, y, n, window, NULL, rmax, nr, corrections, nsim, fix_n, seed);
}

agglo_kest *agglo_kest_compute_window(agglo_ctx *ctx, const double *x, const double *y,
                                      size_t n, const agglo_window *window, double rmax,
                                      size_t nr, int corrections, int nsim, int fix_n,
                                      uint64_t seed)
{
    if (!window) {
        agglo_error(ctx, AGGLO_E_USAGE, "kest: no window");
        return NULL;
    }
    return kest_compute(ctx, x, y, n, NULL, window, rmax, nr, corrections, nsim, fix_n, seed);
}

const double *agglo_kest_main(const agglo_kest *k)
{
    return k->iso ? k->iso : k->border;
}

void agglo_kest_lcurve(const agglo_kest *k, double *L, double *lo, double *hi)
{
    const double *kk = agglo_kest_main(k);
    for (size_t t = 0; t < k->nr; t++) {
        L[t] = sqrt(kk[t] / M_PI);
        if (k->lo && lo)
            lo[t] = sqrt(k->lo[t] / M_PI);
        if (k->hi && hi)
            hi[t] = sqrt(k->hi[t] / M_PI);
    }
}

void agglo_kest_summarise(const agglo_kest *k, agglo_kest_summary *s)
{
    const double *kk = agglo_kest_main(k);
    double best = -INFINITY, rbest = 0;
    size_t above = 0, below = 0;
    for (size_t t = 1; t < k->nr; t++) {
        double l = sqrt(kk[t] / M_PI) - k->r[t];
        if (isfinite(l) && l > best) {
            best = l;
            rbest = k->r[t];
        }
        if (k->hi && kk[t] > k->hi[t])
            above++;
        if (k->lo && kk[t] < k->lo[t])
            below++;
    }
    s->max_L_minus_r = best;
    s->r_at_max = rbest;
    s->r_above = above;
    s->r_below = below;
}
