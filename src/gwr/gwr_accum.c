/* Kernel-weighted cross products for one local regression: A = X'WX (upper triangle,
 * column-major p x p) and b = X'Wy, summed over runs of observations.
 *
 * This is the inner loop of the bandwidth search (one call per observation per candidate
 * bandwidth), so it runs four observations at a time in GCC/Clang vector extensions over the
 * covariates stored column by column: no gathers, the kernel evaluated from the squared
 * distance without a square root for bisquare and boxcar, and partial sums kept in four lanes
 * added in a fixed order at the end, so the result does not depend on threads or MPI ranks. */
#define _GNU_SOURCE
#include <math.h>
#include <string.h>

#include "gwr_internal.h"

/* GCC warns that passing 32-byte vectors without AVX changes the calling convention; every
 * helper below that takes or returns a vector is always inlined (also at -O0), so no call
 * crosses between the AVX2 clone and baseline code. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wpsabi"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

/* On x86-64 the entry point is compiled twice, for AVX2/FMA machines (x86-64-v3) and for the
 * baseline, and the loader picks one (GNU ifunc); elsewhere once, for the target. */
#if defined(__x86_64__) && defined(__linux__)
#define GWR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define GWR_CLONES
#endif

typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));

/* Kernel weight from the squared distance d2 and 1/h^2 (Fotheringham, Brunsdon & Charlton
 * 2002, table 2.1; mgwr's kernels): bisquare (1 - (d/h)^2)^2 and tricube (1 - (d/h)^3)^3
 * for d < h, boxcar 1 for d < h, gaussian exp(-(d/h)^2 / 2), exponential exp(-d/h). */
double agglo__gwr_kernel_w2(agglo_gwr_kernel k, double d2, double inv_h2)
{
    double t = d2 * inv_h2;
    switch (k) {
    case AGGLO_GWR_BISQUARE: {
        if (!(t < 1.0))
            return 0.0;
        double u = 1.0 - t;
        return u * u;
    }
    case AGGLO_GWR_BOXCAR: return t < 1.0 ? 1.0 : 0.0;
    case AGGLO_GWR_TRICUBE: {
        if (!(t < 1.0))
            return 0.0;
        double z = sqrt(t), u = 1.0 - z * z * z;
        return u * u * u;
    }
    case AGGLO_GWR_GAUSSIAN: return exp(-0.5 * t);
    case AGGLO_GWR_EXPONENTIAL: return exp(-sqrt(t));
    }
    return 0.0;
}

static inline __attribute__((always_inline)) v4d load4(const double *p)
{
    v4d v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Weights of four squared distances; bisquare and boxcar in vector arithmetic (bit-identical
 * to agglo__gwr_kernel_w2), the others lane by lane. */
static inline __attribute__((always_inline)) v4d weights4(agglo_gwr_kernel kern, v4d d2,
                                                          double inv_h2)
{
    const v4d one = {1.0, 1.0, 1.0, 1.0};
    v4d t = d2 * inv_h2;
    if (kern == AGGLO_GWR_BISQUARE) {
        v4d u = one - t;
        v4l in = t < one;
        return (v4d)((v4l)(u * u) & in);
    }
    if (kern == AGGLO_GWR_BOXCAR)
        return (v4d)((v4l)one & (t < one));
    v4d w;
    for (int l = 0; l < 4; l++)
        w[l] = agglo__gwr_kernel_w2(kern, d2[l], inv_h2);
    return w;
}

/* Adds four observations (covariate columns xs[0..P-2] at lane values, response yv, weights
 * w) to the vector partial sums acc[q0..q1-1] of the layout: A00, b0, then for column
 * c = 1..P-1: A[0..c][c], b[c] (column 0 is the intercept). With constant P, q0 and q1 the
 * tests fold away. */
static inline __attribute__((always_inline)) void add4(v4d *acc, const v4d *xs, v4d yv, v4d w,
                                                       size_t P, size_t q0, size_t q1)
{
    size_t q = 0;
    v4d wy = w * yv;
#define GWR_ACC(expr)                                                                           \
    do {                                                                                        \
        if (q >= q0 && q < q1)                                                                  \
            acc[q] += (expr);                                                                   \
        q++;                                                                                    \
    } while (0)
    GWR_ACC(w);  /* A00 */
    GWR_ACC(wy); /* b0 */
#pragma GCC unroll 8
    for (size_t c = 1; c < P; c++) {
        v4d wxc = w * xs[c - 1];
        GWR_ACC(wxc); /* A0c */
#pragma GCC unroll 8
        for (size_t r = 1; r <= c; r++)
            GWR_ACC(wxc * xs[r - 1]);
        GWR_ACC(wy * xs[c - 1]); /* bc */
    }
#undef GWR_ACC
}

/* The sums are made in groups of at most GROUP accumulators, one pass over the run per
 * group with the weights computed once into wbuf: 20 vector accumulators (p = 5) do not fit
 * the 16 vector registers, and spilling them costs more than re-reading the run from L1. */
enum { GROUP = 10, MAXACC = 8 * 9 / 2 + 8 };

static inline __attribute__((always_inline)) size_t
acc_ranges_p(const agglo_gwr_model *m, const agglo__index_run *rg, size_t nr, double qx, double qy,
             double inv_h2, double *A, double *b, double *wbuf, size_t P)
{
    const size_t nacc = P * (P + 1) / 2 + P, n = m->n;
    const size_t ngroups = (nacc + GROUP - 1) / GROUP;
    const agglo_gwr_kernel kern = m->o.kernel;
    const double *cx = m->cx, *cy = m->cy, *y = m->y, *xcol = m->xcol;
    v4d acc[MAXACC];
    v4l cnt = {0, 0, 0, 0};
    const v4d zero = {0, 0, 0, 0};
    for (size_t q = 0; q < nacc; q++)
        acc[q] = zero;
    for (size_t r = 0; r < nr; r++) {
        const size_t j0 = rg[r].j0, j1 = rg[r].j1, jfull = j0 + ((j1 - j0) & ~(size_t)3);
        for (size_t j = j0; j < jfull; j += 4) {
            v4d dx = qx - load4(cx + j), dy = qy - load4(cy + j);
            v4d w = weights4(kern, dx * dx + dy * dy, inv_h2);
            cnt -= w > zero;
            memcpy(wbuf + (j - j0), &w, sizeof w);
        }
        /* last 1-3 observations of the run: empty lanes get an infinite distance, which
         * every kernel maps to weight 0, and zero data */
        v4d d2t = {INFINITY, INFINITY, INFINITY, INFINITY}, yt = zero, xt[8], wt = zero;
        for (size_t c = 1; c < P; c++)
            xt[c - 1] = zero;
        if (jfull < j1) {
            for (int l = 0; jfull + (size_t)l < j1; l++) {
                size_t t = jfull + (size_t)l;
                double dx = qx - cx[t], dy = qy - cy[t];
                d2t[l] = dx * dx + dy * dy;
                yt[l] = y[t];
                for (size_t c = 1; c < P; c++)
                    xt[c - 1][l] = xcol[(c - 1) * n + t];
            }
            wt = weights4(kern, d2t, inv_h2);
            cnt -= wt > zero;
        }
#pragma GCC unroll 8
        for (size_t g = 0; g < ngroups; g++) {
            const size_t q0 = g * GROUP, q1 = q0 + GROUP < nacc ? q0 + GROUP : nacc;
            for (size_t j = j0; j < jfull; j += 4) {
                v4d xs[8];
                for (size_t c = 1; c < P; c++)
                    xs[c - 1] = load4(xcol + (c - 1) * n + j);
                add4(acc, xs, load4(y + j), load4(wbuf + (j - j0)), P, q0, q1);
            }
            if (jfull < j1)
                add4(acc, xt, yt, wt, P, q0, q1);
        }
    }
    /* lanes added in a fixed order; then scatter into A (upper, column-major) and b */
    double s[MAXACC];
    for (size_t q = 0; q < nacc; q++)
        s[q] = (acc[q][0] + acc[q][1]) + (acc[q][2] + acc[q][3]);
    size_t q = 0;
    A[0] = s[q++];
    b[0] = s[q++];
    for (size_t c = 1; c < P; c++) {
        for (size_t r = 0; r <= c; r++)
            A[r + c * P] = s[q++];
        b[c] = s[q++];
    }
    return (size_t)(cnt[0] + cnt[1] + cnt[2] + cnt[3]);
}

/* Generic p: scalar loop, same sums. */
static size_t acc_ranges_any(const agglo_gwr_model *m, const agglo__index_run *rg, size_t nr, double qx,
                             double qy, double inv_h2, double *A, double *b)
{
    size_t p = m->p, n = m->n, nn = 0;
    memset(A, 0, p * p * sizeof *A);
    memset(b, 0, p * sizeof *b);
    for (size_t r = 0; r < nr; r++)
        for (size_t j = rg[r].j0; j < rg[r].j1; j++) {
            double dx = qx - m->cx[j], dy = qy - m->cy[j];
            double w = agglo__gwr_kernel_w2(m->o.kernel, dx * dx + dy * dy, inv_h2);
            if (!(w > 0))
                continue;
            nn++;
            const double *xj = m->X + j * p;
            for (size_t c = 0; c < p; c++) {
                double wxc = w * xj[c];
                for (size_t rr = 0; rr <= c; rr++)
                    A[rr + c * p] += wxc * xj[rr];
                b[c] += wxc * m->y[j];
            }
        }
    (void)n;
    return nn;
}

/* A = X'WX (upper triangle) and b = X'Wy about (qx, qy) with bandwidth h over the runs
 * (wbuf: room for the longest run); returns the number of observations with a positive
 * weight. */
GWR_CLONES
size_t agglo__gwr_acc_ranges(const agglo_gwr_model *m, const agglo__index_run *rg, size_t nr, double qx,
                      double qy, double h, double *A, double *b, double *wbuf)
{
    double inv_h2 = 1.0 / (h * h);
    switch (m->p) {
    case 1: return acc_ranges_p(m, rg, nr, qx, qy, inv_h2, A, b, wbuf, 1);
    case 2: return acc_ranges_p(m, rg, nr, qx, qy, inv_h2, A, b, wbuf, 2);
    case 3: return acc_ranges_p(m, rg, nr, qx, qy, inv_h2, A, b, wbuf, 3);
    case 4: return acc_ranges_p(m, rg, nr, qx, qy, inv_h2, A, b, wbuf, 4);
    case 5: return acc_ranges_p(m, rg, nr, qx, qy, inv_h2, A, b, wbuf, 5);
    case 6: return acc_ranges_p(m, rg, nr, qx, qy, inv_h2, A, b, wbuf, 6);
    case 7: return acc_ranges_p(m, rg, nr, qx, qy, inv_h2, A, b, wbuf, 7);
    case 8: return acc_ranges_p(m, rg, nr, qx, qy, inv_h2, A, b, wbuf, 8);
    default: return acc_ranges_any(m, rg, nr, qx, qy, inv_h2, A, b);
    }
}

/* ---- local GLM (Poisson, binomial) IRLS ---- */

/* Per lane: mean, variance, working response and IRLS weight of a GLM at linear predictor eta
 * (offset excluded; Poisson log link or binomial logit, the canonical links, so the IRLS
 * weight is the variance). Returns 0 when a variance vanishes (separation). */
static inline int glm_lane(agglo_gwr_family fam, double eta, double off, double y, double kw,
                           double *w, double *z)
{
    double mu, v;
    if (fam == AGGLO_GWR_FAMILY_BINOMIAL) {
        mu = 1.0 / (1.0 + exp(-(eta + off)));
        v = mu * (1.0 - mu);
    } else {
        mu = exp(eta + off);
        v = mu;
    }
    if (!(v > 0))
        return 0;
    *z = eta + (y - mu) / v;
    *w = kw * v;
    return 1;
}

/* Grouped sums (as acc_ranges_p) over nn contiguous observations with weights w and
 * "responses" z: acc[q] for q in the layout of add4. Tail lanes are zero-padded. */
static inline __attribute__((always_inline)) void
acc_columns(v4d *acc, size_t nn, const double *xs, const double *z, const double *w, size_t P)
{
    const size_t nacc = P * (P + 1) / 2 + P, ngroups = (nacc + GROUP - 1) / GROUP;
    const size_t jfull = nn & ~(size_t)3;
    const v4d zero = {0, 0, 0, 0};
    v4d xt[8], zt = zero, wt = zero;
    for (size_t c = 1; c < P; c++) {
        xt[c - 1] = zero;
        for (size_t j = jfull; j < nn; j++)
            xt[c - 1][j - jfull] = xs[(c - 1) * nn + j];
    }
    for (size_t j = jfull; j < nn; j++) {
        zt[j - jfull] = z[j];
        wt[j - jfull] = w[j];
    }
#pragma GCC unroll 8
    for (size_t g = 0; g < ngroups; g++) {
        const size_t q0 = g * GROUP, q1 = q0 + GROUP < nacc ? q0 + GROUP : nacc;
        for (size_t j = 0; j < jfull; j += 4) {
            v4d xv[8];
            for (size_t c = 1; c < P; c++)
                xv[c - 1] = load4(xs + (c - 1) * nn + j);
            add4(acc, xv, load4(z + j), load4(w + j), P, q0, q1);
        }
        if (jfull < nn)
            add4(acc, xt, zt, wt, P, q0, q1);
    }
}

static void acc_store(const v4d *acc, size_t P, double *A, double *b)
{
    size_t q = 0;
    double s[MAXACC];
    for (size_t t = 0; t < P * (P + 1) / 2 + P; t++)
        s[t] = (acc[t][0] + acc[t][1]) + (acc[t][2] + acc[t][3]);
    A[0] = s[q++];
    b[0] = s[q++];
    for (size_t c = 1; c < P; c++) {
        for (size_t r = 0; r <= c; r++)
            A[r + c * P] = s[q++];
        b[c] = s[q++];
    }
}

static inline __attribute__((always_inline)) int
acc_glm_p(agglo_gwr_family fam, size_t nn, const double *xs, const double *y, const double *off,
          const double *kw, const double *beta, double *A, double *b, double *B, double *wz,
          size_t P)
{
    const size_t nacc = P * (P + 1) / 2 + P;
    double *w = wz, *z = wz + nn;
    /* linear predictors four at a time, then the GLM pieces lane by lane (exp is scalar) */
    for (size_t j = 0; j < nn; j += 4) {
        size_t lanes = nn - j < 4 ? nn - j : 4;
        v4d eta = {beta[0], beta[0], beta[0], beta[0]};
        for (size_t c = 1; c < P; c++) {
            v4d xv;
            if (lanes == 4) {
                xv = load4(xs + (c - 1) * nn + j);
            } else {
                xv = (v4d){0, 0, 0, 0};
                for (size_t l = 0; l < lanes; l++)
                    xv[l] = xs[(c - 1) * nn + j + l];
            }
            eta += beta[c] * xv;
        }
        for (size_t l = 0; l < lanes; l++)
            if (!glm_lane(fam, eta[l], off[j + l], y[j + l], kw[j + l], &w[j + l], &z[j + l]))
                return 1;
    }
    v4d acc[MAXACC];
    const v4d zero = {0, 0, 0, 0};
    for (size_t q = 0; q < nacc; q++)
        acc[q] = zero;
    acc_columns(acc, nn, xs, z, w, P);
    acc_store(acc, P, A, b);
    if (B) {
        double bb[8];
        /* kw^2 v = w kw: the middle of the sandwich X'W_i A^(1/2) (X'W_i A^(1/2))' */
        for (size_t j = 0; j < nn; j++)
            w[j] *= kw[j];
        for (size_t q = 0; q < nacc; q++)
            acc[q] = zero;
        acc_columns(acc, nn, xs, z, w, P);
        acc_store(acc, P, B, bb);
    }
    return 0;
}

/* Generic p: the same sums, scalar. */
static int acc_glm_any(agglo_gwr_family fam, size_t p, size_t nn, const double *xs,
                       const double *y, const double *off, const double *kw, const double *beta,
                       double *A, double *b, double *B)
{
    memset(A, 0, p * p * sizeof *A);
    memset(b, 0, p * sizeof *b);
    if (B)
        memset(B, 0, p * p * sizeof *B);
    for (size_t j = 0; j < nn; j++) {
        double eta = beta[0];
        for (size_t c = 1; c < p; c++)
            eta += beta[c] * xs[(c - 1) * nn + j];
        double w, z;
        if (!glm_lane(fam, eta, off[j], y[j], kw[j], &w, &z))
            return 1;
        for (size_t c = 0; c < p; c++) {
            double xc = c ? xs[(c - 1) * nn + j] : 1.0;
            for (size_t r = 0; r <= c; r++) {
                double xr = r ? xs[(r - 1) * nn + j] : 1.0;
                A[r + c * p] += w * xc * xr;
                if (B)
                    B[r + c * p] += w * kw[j] * xc * xr;
            }
            b[c] += w * z * xc;
        }
    }
    return 0;
}

/* One IRLS step of a local GLM over nn gathered neighbours (covariate column c at
 * xs + (c - 1) nn, responses y, log offsets off, kernel weights kw; wz: room for 2 nn): at beta,
 * eta = x'beta, mu = g^-1(eta + off), v = var(mu), z = eta + (y - mu) / v, w = kw v (canonical
 * link), A = sum w x x' (upper triangle), b = sum w z x and, when B is not NULL,
 * B = sum kw^2 v x x' (X' W_i^2 A X, A = diag(v): the local covariance is A^-1 B A^-1, as
 * GWR4 and mgwr). Returns 0, or 1 when a fitted variance vanishes (separation). */
GWR_CLONES
int agglo__gwr_acc_glm(agglo_gwr_family fam, size_t p, size_t nn, const double *xs, const double *y,
                const double *off, const double *kw, const double *beta, double *A, double *b,
                double *B, double *wz)
{
    switch (p) {
    case 1: return acc_glm_p(fam, nn, xs, y, off, kw, beta, A, b, B, wz, 1);
    case 2: return acc_glm_p(fam, nn, xs, y, off, kw, beta, A, b, B, wz, 2);
    case 3: return acc_glm_p(fam, nn, xs, y, off, kw, beta, A, b, B, wz, 3);
    case 4: return acc_glm_p(fam, nn, xs, y, off, kw, beta, A, b, B, wz, 4);
    case 5: return acc_glm_p(fam, nn, xs, y, off, kw, beta, A, b, B, wz, 5);
    case 6: return acc_glm_p(fam, nn, xs, y, off, kw, beta, A, b, B, wz, 6);
    case 7: return acc_glm_p(fam, nn, xs, y, off, kw, beta, A, b, B, wz, 7);
    case 8: return acc_glm_p(fam, nn, xs, y, off, kw, beta, A, b, B, wz, 8);
    default: return acc_glm_any(fam, p, nn, xs, y, off, kw, beta, A, b, B);
    }
}
