/* Point-pattern measures: Clark-Evans, Ripley's K/L with envelopes, centrography. */
#define _GNU_SOURCE
#include "agglo/points.h"
#include "agglo/rng.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core_internal.h"
#include "kde_internal.h"

/* finite points copied, window resolved */
static int points_prepare(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                          const double *window, double **px, double **py, size_t *m,
                          double win[4], const char *what)
{
    *px = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    *py = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!*px || !*py) {
        free(*px);
        free(*py);
        return AGGLO_E_NOMEM;
    }
    size_t k = 0;
    double bb[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        (*px)[k] = x[i];
        (*py)[k] = y[i];
        k++;
        bb[0] = fmin(bb[0], x[i]);
        bb[1] = fmin(bb[1], y[i]);
        bb[2] = fmax(bb[2], x[i]);
        bb[3] = fmax(bb[3], y[i]);
    }
    *m = k;
    int rc = AGGLO_OK;
    if (k < 2) {
        rc = agglo_error(ctx, AGGLO_E_EMPTY, "%s: needs at least 2 points with coordinates (got %zu)",
                         what, k);
    } else if (window) {
        memcpy(win, window, 4 * sizeof(double));
        if (!(win[2] > win[0]) || !(win[3] > win[1]))
            rc = agglo_error(ctx, AGGLO_E_USAGE, "%s: empty window %g,%g,%g,%g", what, win[0],
                             win[1], win[2], win[3]);
        else
            for (size_t i = 0; i < k && !rc; i++)
                if ((*px)[i] < win[0] || (*px)[i] > win[2] || (*py)[i] < win[1] || (*py)[i] > win[3])
                    rc = agglo_error(ctx, AGGLO_E_USAGE,
                                     "%s: point (%g, %g) lies outside the window %g,%g,%g,%g",
                                     what, (*px)[i], (*py)[i], win[0], win[1], win[2], win[3]);
    } else {
        memcpy(win, bb, sizeof bb);
        if (!(win[2] > win[0]) || !(win[3] > win[1]))
            rc = agglo_error(ctx, AGGLO_E_USAGE,
                             "%s: the points' bounding box has no area (all on a line); give a "
                             "window", what);
    }
    if (rc) {
        free(*px);
        free(*py);
        *px = *py = NULL;
    }
    return rc;
}

/* ---- Clark-Evans ---- */

static double mean_nnd(agglo_ctx *ctx, const double *x, const double *y, size_t n, double area,
                       int *err)
{
    kde_pgrid g;
    *err = kde_pgrid_build(ctx, &g, x, y, n, sqrt(area / (double)n) * 1.5);
    if (*err)
        return NAN;
    double *d = agglo_malloc(ctx, n * sizeof(double));
    if (!d) {
        kde_pgrid_free(&g);
        *err = AGGLO_E_NOMEM;
        return NAN;
    }
#pragma omp parallel for schedule(dynamic, 256) num_threads(agglo_threads_for(ctx))
    for (size_t i = 0; i < n; i++)
        d[i] = kde_pgrid_nn(&g, x[i], y[i], i, NULL);
    double s = agglo_sum(d, n);
    free(d);
    kde_pgrid_free(&g);
    return s / (double)n;
}

int agglo_clarkevans_compute(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                             const double *window, int nsim, uint64_t seed,
                             agglo_clarkevans *out)
{
    double *px, *py, win[4];
    size_t m;
    int rc = points_prepare(ctx, x, y, n, window, &px, &py, &m, win, "clark-evans");
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    double W = win[2] - win[0], H = win[3] - win[1];
    double A = W * H, P = 2 * (W + H), dn = (double)m;
    out->n = m;
    out->area = A;
    out->perimeter = P;
    out->intensity = dn / A;
    out->mean_nnd = mean_nnd(ctx, px, py, m, A, &rc);
    if (rc) {
        free(px);
        free(py);
        return rc;
    }
    out->expected = 1.0 / (2 * sqrt(out->intensity));
    out->R = out->mean_nnd / out->expected;
    double se = sqrt((4 - M_PI) * A / (4 * M_PI)) / dn;
    out->z = (out->mean_nnd - out->expected) / se;
    out->p = 2 * (1 - agglo__kde_pnorm(fabs(out->z)));
    out->expected_donnelly = out->expected + (0.0514 + 0.0412 / sqrt(dn)) * P / dn;
    out->R_donnelly = out->mean_nnd / out->expected_donnelly;
    double vd = 0.0703 * A / (dn * dn) + 0.037 * P * sqrt(A / pow(dn, 5));
    out->z_donnelly = (out->mean_nnd - out->expected_donnelly) / sqrt(vd);
    out->p_donnelly = 2 * (1 - agglo__kde_pnorm(fabs(out->z_donnelly)));
    out->p_donnelly_mc = NAN;
    out->nsim = nsim > 0 ? nsim : 0;
    out->seed = seed;
    if (nsim > 0) {
        double *sx = agglo_malloc(ctx, m * sizeof(double)), *sy = agglo_malloc(ctx, m * sizeof(double));
        if (!sx || !sy) {
            free(sx);
            free(sy);
            free(px);
            free(py);
            return AGGLO_E_NOMEM;
        }
        long ge = 0, le = 0;
        for (int s = 0; s < nsim && !rc; s++) {
            agglo_rng r;
            agglo_rng_init(&r, seed, (uint64_t)s);
            for (size_t i = 0; i < m; i++) {
                sx[i] = win[0] + agglo_rng_uniform(&r) * W;
                sy[i] = win[1] + agglo_rng_uniform(&r) * H;
            }
            double d = mean_nnd(ctx, sx, sy, m, A, &rc);
            double Rs = d / out->expected_donnelly;
            ge += Rs >= out->R_donnelly;
            le += Rs <= out->R_donnelly;
        }
        free(sx);
        free(sy);
        double pu = (1.0 + (double)ge) / (1.0 + nsim), pl = (1.0 + (double)le) / (1.0 + nsim);
        out->p_donnelly_mc = fmin(1.0, 2 * fmin(pu, pl));
    }
    free(px);
    free(py);
    return rc;
}

/* ---- Ripley's K ---- */

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

enum { KBLOCKS = 64 };

/* K estimates of one pattern into border[] / iso[] (nr values each; NULL = skip). */
static int kest_one(agglo_ctx *ctx, const double *x, const double *y, size_t n, const double *win,
                    double rmax, size_t nr, double *border, double *iso)
{
    double A = (win[2] - win[0]) * (win[3] - win[1]);
    double dr = rmax / (double)(nr - 1);
    kde_pgrid g;
    int rc = kde_pgrid_build(ctx, &g, x, y, n, rmax / 3); /* 7x7 buckets cover the disc */
    if (rc)
        return rc;
    long long *bnum = border ? agglo_calloc(ctx, KBLOCKS * (nr + 1), sizeof(long long)) : NULL;
    long long *bden = border ? agglo_calloc(ctx, KBLOCKS * (nr + 1), sizeof(long long)) : NULL;
    double *ih = iso ? agglo_calloc(ctx, KBLOCKS * (nr + 1), sizeof(double)) : NULL;
    if ((border && (!bnum || !bden)) || (iso && !ih)) {
        free(bnum);
        free(bden);
        free(ih);
        kde_pgrid_free(&g);
        return AGGLO_E_NOMEM;
    }
    /* coordinates in bucket order: the buckets of one bucket row are contiguous, so the
     * neighbours of a point are a few contiguous runs of memory */
    double *px = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    double *py = agglo_malloc(ctx, (n ? n : 1) * sizeof(double));
    if (!px || !py) {
        free(px);
        free(py);
        free(bnum);
        free(bden);
        free(ih);
        kde_pgrid_free(&g);
        return AGGLO_E_NOMEM;
    }
    for (size_t t = 0; t < g.n; t++) {
        px[t] = x[g.idx[t]];
        py[t] = y[g.idx[t]];
    }
    size_t m = g.n;
    /* kb[t]: the r values at which point t is in the border-corrected sample, k = 0..kb-1
     * (kb = 0: none). spatstat (KrectBody.h) keeps a point for r_k < b_t strictly, with k
     * from the same arithmetic: the largest integer strictly below b_t / rstep, b_t measured
     * in coordinates shifted to the window's bottom-left corner. So a point on the window's
     * edge (b = 0) is in no sample, not even at r = 0, where its duplicates would otherwise
     * count, and a point at a distance exactly r_k from the edge is out of the sample at r_k. */
    size_t *kbs = agglo_malloc(ctx, (m ? m : 1) * sizeof(size_t));
    if (!kbs) {
        free(px);
        free(py);
        free(bnum);
        free(bden);
        free(ih);
        kde_pgrid_free(&g);
        return AGGLO_E_NOMEM;
    }
    double wide = win[2] - win[0], high = win[3] - win[1];
    for (size_t t = 0; t < m; t++) {
        double xs = px[t] - win[0], ys = py[t] - win[1];
        double b = fmin(fmin(xs, wide - xs), fmin(ys, high - ys));
        double lb = ceil(b / dr) - 1; /* largest integer strictly below b / rstep */
        kbs[t] = lb < 0 ? 0 : (lb >= (double)(nr - 1) ? nr : (size_t)lb + 1);
    }
    size_t per = (m + KBLOCKS - 1) / KBLOCKS;
    double r2max = rmax * rmax;
    /* each unordered pair once (t > i), counted for both of its points */
#pragma omp parallel for schedule(dynamic, 1) num_threads(agglo_threads_for(ctx))
    for (int blk = 0; blk < KBLOCKS; blk++) {
        long long *bn = bnum ? bnum + (size_t)blk * (nr + 1) : NULL;
        long long *bd = bden ? bden + (size_t)blk * (nr + 1) : NULL;
        double *hi = ih ? ih + (size_t)blk * (nr + 1) : NULL;
        size_t i0 = (size_t)blk * per, i1 = i0 + per < m ? i0 + per : m;
        for (size_t i = i0; i < i1; i++) {
            double xi = px[i], yi = py[i];
            size_t kb = kbs[i];
            if (bd) {
                bd[0]++;
                bd[kb]--;
            }
            long bx0, by0, bx1, by1;
            kde_pgrid_cell(&g, xi - rmax, yi - rmax, &bx0, &by0);
            kde_pgrid_cell(&g, xi + rmax, yi + rmax, &bx1, &by1);
            for (long by = by0; by <= by1; by++) {
                size_t t0 = g.start[(size_t)by * g.nx + (size_t)bx0];
                size_t t1 = g.start[(size_t)by * g.nx + (size_t)bx1 + 1];
                if (t0 <= i)
                    t0 = i + 1;
                for (size_t t = t0; t < t1; t++) {
                    double dx = px[t] - xi, dy = py[t] - yi;
                    double d2 = dx * dx + dy * dy;
                    if (d2 >= r2max) /* spatstat's rectangle engine: d < rmax */
                        continue;
                    double d = sqrt(d2);
                    /* smallest k with d <= r_k, as spatstat's ldist = ceil(d / rstep) */
                    double k0d = ceil(d / dr);
                    if (!(k0d <= (double)(nr - 1)))
                        continue;
                    size_t k0 = (size_t)k0d;
                    if (bn) { /* counted at r_k, k0 <= k < kb, for each point of the pair */
                        if (k0 < kb) {
                            bn[k0]++;
                            bn[kb]--;
                        }
                        if (k0 < kbs[t]) {
                            bn[k0]++;
                            bn[kbs[t]]--;
                        }
                    }
                    if (hi)
                        hi[k0] += ripley_weight(xi, yi, d, win) + ripley_weight(px[t], py[t], d, win);
                }
            }
        }
    }
    free(kbs);
    free(px);
    free(py);
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
    kde_pgrid_free(&g);
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

agglo_kest *agglo_kest_compute(agglo_ctx *ctx, const double *x, const double *y, size_t n,
                               const double *window, double rmax, size_t nr, int corrections,
                               int nsim, int fix_n, uint64_t seed)
{
    double *px, *py, win[4];
    size_t m;
    if (!(corrections & (AGGLO_KEST_BORDER | AGGLO_KEST_ISOTROPIC))) {
        agglo_error(ctx, AGGLO_E_USAGE, "kest: no edge correction requested");
        return NULL;
    }
    if (points_prepare(ctx, x, y, n, window, &px, &py, &m, win, "ripley K"))
        return NULL;
    double W = win[2] - win[0], H = win[3] - win[1], A = W * H;
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
        rc = kest_one(ctx, px, py, m, win, rmax, nr, k->border, k->iso);
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
            for (size_t i = 0; i < ms; i++) {
                sx[i] = win[0] + agglo_rng_uniform(&r) * W;
                sy[i] = win[1] + agglo_rng_uniform(&r) * H;
            }
            int iso = k->envelope_correction == AGGLO_KEST_ISOTROPIC;
            if (ms < 2) { /* K undefined: leave this simulation out of the envelope */
                continue;
            }
            rc = kest_one(ctx, sx, sy, ms, win, rmax, nr, iso ? NULL : sk, iso ? sk : NULL);
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

/* ---- centrography ---- */

int agglo_centrography_compute(agglo_ctx *ctx, const double *x, const double *y,
                               const double *w, size_t n, double axis_scale, double stdevs,
                               agglo_centrography *out)
{
    memset(out, 0, sizeof *out);
    double sw = 0, sx = 0, sy = 0;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (!isfinite(x[i]) || !isfinite(y[i]) || !isfinite(wi))
            continue;
        if (wi < 0)
            return agglo_error(ctx, AGGLO_E_USAGE, "centrography: negative weight %g at point %zu",
                               wi, i + 1);
        sw += wi;
        sx += wi * x[i];
        sy += wi * y[i];
        m++;
    }
    if (m < 2 || !(sw > 0))
        return agglo_error(ctx, AGGLO_E_EMPTY,
                           "centrography: needs at least 2 points with positive weight");
    double mx = sx / sw, my = sy / sw;
    /* second pass for the centred moments (exact centring) */
    double cxx = 0, cyy = 0, cxy = 0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        if (!isfinite(x[i]) || !isfinite(y[i]) || !isfinite(wi))
            continue;
        double dx = x[i] - mx, dy = y[i] - my;
        cxx += wi * dx * dx;
        cyy += wi * dy * dy;
        cxy += wi * dx * dy;
    }
    cxx /= sw;
    cyy /= sw;
    cxy /= sw;
    if (!(axis_scale > 0))
        axis_scale = M_SQRT2;
    if (!(stdevs > 0))
        stdevs = 1;
    out->n = m;
    out->weight_sum = sw;
    out->mean_x = mx;
    out->mean_y = my;
    out->standard_distance = sqrt(cxx + cyy);
    double half = 0.5 * (cxx + cyy), dif = sqrt(0.25 * (cxx - cyy) * (cxx - cyy) + cxy * cxy);
    double l1 = half + dif, l2 = fmax(half - dif, 0);
    out->sde_major = axis_scale * stdevs * sqrt(l1);
    out->sde_minor = axis_scale * stdevs * sqrt(l2);
    double phi = 0.5 * atan2(2 * cxy, cxx - cyy); /* major axis, ccw from east */
    double rot = 90.0 - phi * 180.0 / M_PI;       /* clockwise from north */
    rot = fmod(rot, 180.0);
    if (rot < 0)
        rot += 180.0;
    out->rotation = rot;
    out->axis_scale = axis_scale;
    out->stdevs = stdevs;
    return AGGLO_OK;
}

struct GEOSGeom_t *agglo_centrography_ellipse(agglo_ctx *ctx, const agglo_centrography *c,
                                              int nvertices)
{
    GEOSContextHandle_t h = agglo_ctx_geos(ctx);
    if (nvertices < 8)
        nvertices = 8;
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)nvertices + 1, 2);
    if (!cs) {
        agglo_error(ctx, AGGLO_E_GEOMETRY, "ellipse: cannot create coordinates");
        return NULL;
    }
    double phi = (90.0 - c->rotation) * M_PI / 180.0;
    double cp = cos(phi), sp = sin(phi);
    for (int t = 0; t <= nvertices; t++) {
        double th = 2 * M_PI * (double)(t % nvertices) / nvertices;
        double u = c->sde_major * cos(th), v = c->sde_minor * sin(th);
        GEOSCoordSeq_setXY_r(h, cs, (unsigned)t, c->mean_x + u * cp - v * sp,
                             c->mean_y + u * sp + v * cp);
    }
    GEOSGeometry *ring = GEOSGeom_createLinearRing_r(h, cs);
    GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(h, ring, NULL, 0) : NULL;
    if (!poly) {
        agglo_error(ctx, AGGLO_E_GEOMETRY, "ellipse: cannot create the polygon");
        return NULL;
    }
    return (struct GEOSGeom_t *)poly;
}
