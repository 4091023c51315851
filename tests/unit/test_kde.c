/* Kernel density against spatstat 3.0 (spatstat.explore 3.0-6, R 4.2) and brute-force kernel
 * sums, values written by scripts/reference/kde_reference.R into tests/data/reference/kde/:
 *   density_shops_gauss500*.txt, density_redwood_gauss005.txt <- spatstat density.ppp
 *       (edge = FALSE, dimyx = grid) on a seeded Matern cluster pattern (420 "shops", with
 *       and without sales weights) and on spatstat's redwood;
 *   exact_shops_*.txt <- R brute force: sum_i w_i K(|c - x_i|) at every cell centre
 *       (gaussian sigma 700 m; quartic radius 1500 m with the ArcGIS/QGIS formula);
 *   bandwidths.csv <- spatstat bw.scott(isotropic = TRUE), R bw.nrd0 per axis (geometric
 *       mean), the ArcGIS rule written out in R, spatstat bw.ppl(edge = FALSE);
 *   bw_diggle.csv <- spatstat bw.diggle (see test_bw_diggle).
 * The FFT path is also checked against our exact path with a bound on its error. */
#include "test_util.h"
#include "agglo/agglo.h"

#include <gdal.h>
#include <geos_c.h>

#define REF(f) TEST_DATA("reference/kde/" f)
#define PTS(f) TEST_DATA("points/" f)

#define read_points read_points_csv

static double *read_matrix(const char *path, size_t n)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    double *m = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++)
        assert_int_equal(fscanf(f, "%lf", &m[i]), 1);
    double extra;
    assert_int_equal(fscanf(f, "%lf", &extra), EOF);
    fclose(f);
    return m;
}

/* max |a - b| / max |b| */
static double rel_to_max(const double *a, const double *b, size_t n)
{
    double dm = 0, bm = 0;
    for (size_t i = 0; i < n; i++) {
        dm = fmax(dm, fabs(a[i] - b[i]));
        bm = fmax(bm, fabs(b[i]));
    }
    return dm / bm;
}

/* max cellwise relative difference over cells with b > floor * max |b| */
static double rel_cellwise(const double *a, const double *b, size_t n, double floor_)
{
    double bm = 0, r = 0;
    for (size_t i = 0; i < n; i++)
        bm = fmax(bm, fabs(b[i]));
    for (size_t i = 0; i < n; i++)
        if (fabs(b[i]) > floor_ * bm)
            r = fmax(r, fabs(a[i] - b[i]) / fabs(b[i]));
    return r;
}

static const double SHOPS_EXT[4] = {500000, 3400000, 520000, 3416000};

static void run_kde(agglo_ctx *ctx, const pset *p, int weighted, const agglo_grid *g,
                    agglo_kde_kernel k, double h, agglo_kde_method m, agglo_kde_binning b,
                    double *out)
{
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    o.kernel = k;
    o.bandwidth = h;
    o.method = m;
    o.binning = b;
    agglo_kde_info info;
    assert_int_equal(agglo_kde_compute(ctx, p->x, p->y, weighted ? p->w : NULL, p->n, g, &o, out,
                                       &info),
                     AGGLO_OK);
    assert_int_equal(info.method, m);
    assert_int_equal(info.points_used, p->n);
}

/* ---- the FFT path's error bound (docs/density.md, "Accuracy") ----
 * The FFT value at a cell centre c is F(c) = nu sum_i w_i sum_k a_ik K(c - g_k): each point's
 * weight w_i is shared over lattice points g_k (a_ik = 1 for the nearest centre; bilinear
 * shares), and nu = 1 / (cell^2 sum_t K(t cell)) normalises the sampled kernel to sum 1. With
 * E(c) = sum_i w_i K(c - x_i) the exact value,
 *   |F(c) - E(c)| <= W_c (|nu - 1| K(0) + beta),
 * W_c the weight of the points within R + cell sqrt 2 of c (R = support, or the gaussian's
 * cutoff), beta = L cell / sqrt 2 with L the kernel's largest slope (nearest: |g - x| <=
 * cell / sqrt 2; bilinear: sum_k a_k |g_k - x| <= cell / sqrt 2 by Cauchy-Schwarz), and for
 * bilinear shares and a kernel with Lipschitz gradient (gaussian, quartic) also
 * beta = H cell^2 / 4 (second-order Taylor, sum_k a_k (g_k - x) = 0, sum_k a_k |g_k - x|^2
 * <= cell^2 / 2), H the largest second derivative. Constants (K(0) = k0 / h^2):
 *   gaussian  L = K(0) e^(-1/2) / h        H = K(0) / h^2
 *   quartic   L = K(0) 8 / (3 sqrt 3) / h  H = 8 K(0) / h^2
 * This bound is derived from the kernel formulas, not from agglo's output. */
typedef struct fft_bound {
    double k0, beta, nu, reach;
} fft_bound;

static fft_bound fft_bound_make(agglo_kde_kernel k, double h, double cell, int linear)
{
    fft_bound b;
    double K0 = agglo_kde_kernel_value(k, 0, h), L, H;
    if (k == AGGLO_KDE_KERNEL_GAUSSIAN) {
        L = K0 * exp(-0.5) / h;
        H = K0 / (h * h);
    } else {
        assert_int_equal(k, AGGLO_KDE_KERNEL_QUARTIC);
        L = K0 * 8 / (3 * sqrt(3)) / h;
        H = 8 * K0 / (h * h);
    }
    b.k0 = K0;
    b.beta = L * cell / M_SQRT2;
    if (linear)
        b.beta = fmin(b.beta, H * cell * cell / 4);
    double R = k == AGGLO_KDE_KERNEL_GAUSSIAN ? 8 * h : h;
    b.reach = R + cell * M_SQRT2;
    /* the sampled kernel's sum (the FFT's gaussian is cut per axis at 8 sigma) */
    int u = (int)ceil(R / cell);
    double sum = 0;
    for (int ty = -u; ty <= u; ty++)
        for (int tx = -u; tx <= u; tx++) {
            double dx = tx * cell, dy = ty * cell;
            if (k == AGGLO_KDE_KERNEL_GAUSSIAN && (fabs(dx) > R || fabs(dy) > R))
                continue;
            sum += agglo_kde_kernel_value(k, sqrt(dx * dx + dy * dy), h);
        }
    b.nu = 1 / (sum * cell * cell);
    return b;
}

/* Checks |fft - ref| <= bound at every cell (ref: brute force or the exact path); returns the
 * largest ratio error / bound. slack covers the gaussian's truncation at 8 sigma. */
static double check_fft_bound(const double *fft, const double *ref, const pset *p, int weighted,
                              const agglo_grid *g, const fft_bound *b)
{
    double wtot = 0, worst = 0;
    for (size_t i = 0; i < p->n; i++)
        wtot += weighted ? p->w[i] : 1;
    double slack = 1e-12 * b->k0 * wtot, r2 = b->reach * b->reach;
    for (size_t r = 0; r < g->nrows; r++)
        for (size_t c = 0; c < g->ncols; c++) {
            double cx = g->xmin + (c + 0.5) * g->cell, cy = g->ymax - (r + 0.5) * g->cell;
            double wc = 0;
            for (size_t i = 0; i < p->n; i++) {
                double dx = p->x[i] - cx, dy = p->y[i] - cy;
                if (dx * dx + dy * dy <= r2)
                    wc += weighted ? p->w[i] : 1;
            }
            double bound = wc * (fabs(b->nu - 1) * b->k0 + b->beta) + slack;
            double err = fabs(fft[r * g->ncols + c] - ref[r * g->ncols + c]);
            worst = fmax(worst, err / bound);
            if (err > bound)
                print_error("cell (%zu, %zu): |fft - ref| = %g > bound %g\n", r, c, err, bound);
            assert_true(err <= bound);
        }
    return worst;
}

static void run_kde_any(agglo_ctx *ctx, const pset *p, const agglo_grid *g, agglo_kde_kernel k,
                        double h, agglo_kde_method m, agglo_kde_binning b, int weighted,
                        double *out)
{
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    o.kernel = k;
    o.bandwidth = h;
    o.method = m;
    o.binning = b;
    assert_int_equal(agglo_kde_compute(ctx, p->x, p->y, weighted ? p->w : NULL, p->n, g, &o, out,
                                       NULL),
                     AGGLO_OK);
}

/* spatstat density.ppp(sigma = 500, dimyx = c(80, 100), edge = FALSE): our FFT path with
 * nearest-cell binning is the same discrete computation. */
static void test_fft_equals_spatstat(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    pset p = read_points(PTS("shops_clustered.csv"));
    assert_int_equal(p.n, 420);
    agglo_grid g;
    assert_int_equal(agglo_grid_from_extent(ctx, SHOPS_EXT, 200, &g), AGGLO_OK);
    assert_int_equal(g.ncols, 100);
    assert_int_equal(g.nrows, 80);
    size_t nn = g.ncols * g.nrows;
    double *out = malloc(nn * sizeof(double));
    for (int weighted = 0; weighted < 2; weighted++) {
        double *ref = read_matrix(weighted ? REF("density_shops_gauss500_sales.txt")
                                           : REF("density_shops_gauss500.txt"), nn);
        run_kde(ctx, &p, weighted, &g, AGGLO_KDE_KERNEL_GAUSSIAN, 500, AGGLO_KDE_FFT,
                AGGLO_KDE_BIN_NEAREST, out);
        print_message("spatstat shops weighted=%d: max diff/max %.3g, cellwise %.3g\n", weighted,
                      rel_to_max(out, ref, nn), rel_cellwise(out, ref, nn, 1e-6));
        assert_true(rel_to_max(out, ref, nn) < 1e-12);
        assert_true(rel_cellwise(out, ref, nn, 1e-6) < 1e-9);
        free(ref);
    }
    /* edge = TRUE: spatstat divides by the discrete kernel mass inside the window; the
     * exact path uses the same discrete edge factor */
    double *ref = read_matrix(REF("density_shops_gauss500_edge.txt"), nn);
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    o.kernel = AGGLO_KDE_KERNEL_GAUSSIAN;
    o.bandwidth = 500;
    o.method = AGGLO_KDE_FFT;
    o.edge = 1;
    assert_int_equal(agglo_kde_compute(ctx, p.x, p.y, NULL, p.n, &g, &o, out, NULL), 0);
    print_message("spatstat shops edge=TRUE: max diff/max %.3g, cellwise %.3g\n",
                  rel_to_max(out, ref, nn), rel_cellwise(out, ref, nn, 1e-6));
    assert_true(rel_to_max(out, ref, nn) < 1e-12);
    assert_true(rel_cellwise(out, ref, nn, 1e-6) < 1e-9);
    o.method = AGGLO_KDE_EXACT;
    assert_int_equal(agglo_kde_compute(ctx, p.x, p.y, NULL, p.n, &g, &o, out, NULL), 0);
    print_message("exact edge=TRUE vs spatstat: max diff/max %.3g\n", rel_to_max(out, ref, nn));
    assert_true(rel_to_max(out, ref, nn) < 0.05); /* binning error at cell = sigma/2.5 */
    free(ref);
    free(out);
    pset_free(&p);
    /* redwood: window [0,1] x [-1,0], 64 x 64, sigma 0.05 */
    p = read_points(PTS("redwood.csv"));
    const double ext[4] = {0, -1, 1, 0};
    assert_int_equal(agglo_grid_from_extent(ctx, ext, 1.0 / 64, &g), AGGLO_OK);
    assert_int_equal(g.ncols, 64);
    assert_int_equal(g.nrows, 64);
    nn = 64 * 64;
    out = malloc(nn * sizeof(double));
    ref = read_matrix(REF("density_redwood_gauss005.txt"), nn);
    run_kde(ctx, &p, 0, &g, AGGLO_KDE_KERNEL_GAUSSIAN, 0.05, AGGLO_KDE_FFT, AGGLO_KDE_BIN_NEAREST,
            out);
    print_message("spatstat redwood: max diff/max %.3g, cellwise %.3g\n", rel_to_max(out, ref, nn),
                  rel_cellwise(out, ref, nn, 1e-6));
    assert_true(rel_to_max(out, ref, nn) < 1e-12);
    assert_true(rel_cellwise(out, ref, nn, 1e-6) < 1e-9);
    free(ref);
    free(out);
    pset_free(&p);
    agglo_ctx_free(ctx);
}

/* Exact path against brute-force sums in R (gaussian 700 m; quartic 1500 m with sales). */
static void test_exact_equals_bruteforce(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    pset p = read_points(PTS("shops_clustered.csv"));
    agglo_grid g = {500000, 3416000, 400, 50, 40};
    size_t nn = 50 * 40;
    double *out = malloc(nn * sizeof(double));
    double *ref = read_matrix(REF("exact_shops_gauss700.txt"), nn);
    run_kde(ctx, &p, 0, &g, AGGLO_KDE_KERNEL_GAUSSIAN, 700, AGGLO_KDE_EXACT, AGGLO_KDE_BIN_NEAREST,
            out);
    print_message("exact gaussian: max diff/max %.3g, cellwise %.3g\n", rel_to_max(out, ref, nn),
                  rel_cellwise(out, ref, nn, 1e-8));
    /* truncation at 8 sigma drops terms below exp(-32) = 1.3e-14 of the peak: relative to
     * the maximum that is invisible; cell by cell it matters only where the density is tiny */
    assert_true(rel_to_max(out, ref, nn) < 1e-12);
    assert_true(rel_cellwise(out, ref, nn, 1e-4) < 1e-9);
    assert_true(rel_cellwise(out, ref, nn, 1e-8) < 1e-6);
    free(ref);
    ref = read_matrix(REF("exact_shops_quartic1500_sales.txt"), nn);
    run_kde(ctx, &p, 1, &g, AGGLO_KDE_KERNEL_QUARTIC, 1500, AGGLO_KDE_EXACT, AGGLO_KDE_BIN_NEAREST,
            out);
    assert_true(rel_to_max(out, ref, nn) < 1e-13);
    /* bounded kernel: zero exactly where R is zero */
    for (size_t i = 0; i < nn; i++)
        if (ref[i] == 0)
            assert_true(out[i] == 0);
    assert_true(rel_cellwise(out, ref, nn, 1e-10) < 1e-11);
    free(ref);
    free(out);
    pset_free(&p);
    agglo_ctx_free(ctx);
}

/* Error of the binned FFT path against the exact path (itself checked against R's brute
 * force above), for cell = h/5 and h/10, within the analytic bound at every cell. */
static void test_fft_error_bounded(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    pset p = read_points(PTS("shops_clustered.csv"));
    const agglo_kde_kernel ks[2] = {AGGLO_KDE_KERNEL_GAUSSIAN, AGGLO_KDE_KERNEL_QUARTIC};
    const double hs[2] = {500, 1200};
    for (int ki = 0; ki < 2; ki++)
        for (int div = 5; div <= 10; div += 5) {
            double cell = hs[ki] / div;
            agglo_grid g;
            assert_int_equal(agglo_grid_from_extent(ctx, SHOPS_EXT, cell, &g), AGGLO_OK);
            size_t nn = g.ncols * g.nrows;
            double *ex = malloc(nn * sizeof(double)), *ff = malloc(nn * sizeof(double));
            run_kde(ctx, &p, 1, &g, ks[ki], hs[ki], AGGLO_KDE_EXACT, AGGLO_KDE_BIN_NEAREST, ex);
            run_kde(ctx, &p, 1, &g, ks[ki], hs[ki], AGGLO_KDE_FFT, AGGLO_KDE_BIN_LINEAR, ff);
            double e_lin = rel_to_max(ff, ex, nn);
            fft_bound bl = fft_bound_make(ks[ki], hs[ki], cell, 1);
            double r_lin = check_fft_bound(ff, ex, &p, 1, &g, &bl);
            run_kde(ctx, &p, 1, &g, ks[ki], hs[ki], AGGLO_KDE_FFT, AGGLO_KDE_BIN_NEAREST, ff);
            double e_near = rel_to_max(ff, ex, nn);
            fft_bound bn = fft_bound_make(ks[ki], hs[ki], cell, 0);
            double r_near = check_fft_bound(ff, ex, &p, 1, &g, &bn);
            print_message("fft vs exact: %s h=%g cell=h/%d  linear %.3g (%.2g of the bound)  "
                          "nearest %.3g (%.2g of the bound); |nu - 1| = %.2g\n",
                          agglo_kde_kernel_name(ks[ki]), hs[ki], div, e_lin, r_lin, e_near,
                          r_near, fabs(bn.nu - 1));
            free(ex);
            free(ff);
        }
    pset_free(&p);
    agglo_ctx_free(ctx);
}

/* A grid window cut through a dense cluster (tests/data/points/kde_cut_cluster.csv: 400
 * points around (0, 0), 100 scattered, weights; grid 55 x 50 cells of 100 m over
 * [-1000, 4500] x [-2500, 2500]): many points within the kernel's reach lie outside the grid.
 * References from scripts/reference/kde_reference.R: R brute-force sums over all points
 * (gaussian sigma 300 unweighted, quartic radius 800 weighted), the same for the points moved
 * to cell centres (binning then exact), and spatstat density.ppp on the points inside the
 * grid (edge = FALSE and TRUE) for the window-only mode. Every method must count every point
 * within reach: before the FFT path padded its grid, it left out the 133 points outside and
 * was off by 24% of the maximum (gaussian, nearest), 100% in cells near the cut whose
 * density comes from beyond it. */
static const agglo_grid CUT_GRID = {-1000, 2500, 100, 55, 50};

static void test_cut_window_methods_agree(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    pset p = read_points(PTS("kde_cut_cluster.csv"));
    assert_int_equal(p.n, 500);
    agglo_grid g = CUT_GRID;
    size_t nn = g.ncols * g.nrows;
    double *out = malloc(nn * sizeof(double));
    const agglo_kde_kernel ks[2] = {AGGLO_KDE_KERNEL_GAUSSIAN, AGGLO_KDE_KERNEL_QUARTIC};
    const double hs[2] = {300, 800};
    const char *refs[2] = {REF("cut_bruteforce_gauss300.txt"), REF("cut_bruteforce_quartic800_w.txt")};
    for (int ki = 0; ki < 2; ki++) {
        int weighted = ki == 1;
        double *ref = read_matrix(refs[ki], nn);
        const agglo_kde_method ms[3] = {AGGLO_KDE_AUTO, AGGLO_KDE_EXACT, AGGLO_KDE_FFT};
        for (int mi = 0; mi < 3; mi++)
            for (int b = 0; b < 2; b++) {
                if (ms[mi] != AGGLO_KDE_FFT && b)
                    continue;
                agglo_kde_options o;
                agglo_kde_options_init(&o);
                o.kernel = ks[ki];
                o.bandwidth = hs[ki];
                o.method = ms[mi];
                o.binning = b ? AGGLO_KDE_BIN_LINEAR : AGGLO_KDE_BIN_NEAREST;
                agglo_kde_info info;
                assert_int_equal(agglo_kde_compute(ctx, p.x, p.y, weighted ? p.w : NULL, p.n, &g,
                                                   &o, out, &info),
                                 AGGLO_OK);
                assert_true(info.points_outside > 100);
                assert_int_equal(info.points_left_out, 0);
                double rm = rel_to_max(out, ref, nn), rc = rel_cellwise(out, ref, nn, 1e-6);
                if (info.method == AGGLO_KDE_EXACT) {
                    print_message("cut window %s %s (exact): max diff/max %.3g, cellwise %.3g\n",
                                  agglo_kde_kernel_name(ks[ki]), mi ? "exact" : "auto", rm, rc);
                    assert_true(rm < 1e-12);
                    assert_true(rc < 1e-6);
                } else {
                    fft_bound bd = fft_bound_make(ks[ki], hs[ki], g.cell, b);
                    double ratio = check_fft_bound(out, ref, &p, weighted, &g, &bd);
                    print_message("cut window %s %s (fft, %s): max diff/max %.3g, cellwise %.3g, "
                                  "%.2g of the bound\n",
                                  agglo_kde_kernel_name(ks[ki]), mi ? "fft" : "auto",
                                  b ? "linear" : "nearest", rm, rc, ratio);
                }
            }
        free(ref);
    }
    pset_free(&p);
    /* points at cell centres: binning is exact, and the gaussian sampled at cell / sigma = 1/3
     * sums to 1 within 1e-15, so every method equals the brute force to rounding */
    p = read_points(PTS("kde_cut_cluster_snapped.csv"));
    double *ref = read_matrix(REF("cut_snapped_bruteforce_gauss300.txt"), nn);
    for (int m = AGGLO_KDE_AUTO; m <= AGGLO_KDE_FFT; m++)
        for (int b = 0; b < 2; b++) {
            run_kde_any(ctx, &p, &g, AGGLO_KDE_KERNEL_GAUSSIAN, 300, (agglo_kde_method)m,
                        b ? AGGLO_KDE_BIN_LINEAR : AGGLO_KDE_BIN_NEAREST, 0, out);
            double rc = rel_cellwise(out, ref, nn, 1e-6);
            print_message("cut window, points at cell centres, method %d binning %d: cellwise "
                          "%.3g, max diff/max %.3g\n", m, b, rc, rel_to_max(out, ref, nn));
            assert_true(rc < 1e-6);
        }
    free(ref);
    pset_free(&p);
    free(out);
    agglo_ctx_free(ctx);
}

/* --window-only: spatstat density.ppp on the points inside the grid, edge = FALSE / TRUE.
 * The edge correction with points beyond the grid and without window-only is refused. */
static void test_cut_window_only_spatstat(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    pset p = read_points(PTS("kde_cut_cluster.csv"));
    agglo_grid g = CUT_GRID;
    size_t nn = g.ncols * g.nrows;
    double *out = malloc(nn * sizeof(double));
    for (int edge = 0; edge < 2; edge++) {
        double *ref = read_matrix(edge ? REF("cut_spatstat_windowonly_gauss300_edge.txt")
                                       : REF("cut_spatstat_windowonly_gauss300.txt"), nn);
        agglo_kde_options o;
        agglo_kde_options_init(&o);
        o.kernel = AGGLO_KDE_KERNEL_GAUSSIAN;
        o.bandwidth = 300;
        o.method = AGGLO_KDE_FFT;
        o.window_only = 1;
        o.edge = edge;
        agglo_kde_info info;
        assert_int_equal(agglo_kde_compute(ctx, p.x, p.y, NULL, p.n, &g, &o, out, &info), AGGLO_OK);
        assert_true(info.points_left_out > 100);
        assert_int_equal(info.points_left_out, info.points_outside);
        print_message("window-only vs spatstat edge=%d: max diff/max %.3g, cellwise %.3g\n", edge,
                      rel_to_max(out, ref, nn), rel_cellwise(out, ref, nn, 1e-6));
        assert_true(rel_to_max(out, ref, nn) < 1e-12);
        assert_true(rel_cellwise(out, ref, nn, 1e-6) < 1e-9);
        /* the exact path leaves out the same points (binning error only) */
        o.method = AGGLO_KDE_EXACT;
        assert_int_equal(agglo_kde_compute(ctx, p.x, p.y, NULL, p.n, &g, &o, out, &info), AGGLO_OK);
        assert_true(info.points_left_out > 100);
        print_message("window-only exact vs spatstat edge=%d: max diff/max %.3g\n", edge,
                      rel_to_max(out, ref, nn));
        assert_true(rel_to_max(out, ref, nn) < 0.05);
        free(ref);
        if (edge) { /* edge correction with the outside points counted: refused */
            o.window_only = 0;
            for (int m = AGGLO_KDE_AUTO; m <= AGGLO_KDE_FFT; m++) {
                o.method = (agglo_kde_method)m;
                assert_int_equal(agglo_kde_compute(ctx, p.x, p.y, NULL, p.n, &g, &o, out, NULL),
                                 AGGLO_E_USAGE);
                assert_non_null(strstr(agglo_ctx_errmsg(ctx), "outside"));
            }
        }
    }
    free(out);
    pset_free(&p);
    agglo_ctx_free(ctx);
}

/* Bandwidths the grid cannot represent are refused, on every path: one point's kernel
 * sampled at the cell centres must sum to between 1/2 and 2 of its weight wherever the point
 * lies. 1e-300 (all-zero raster before) and a bounded kernel of radius cell/2 (a point at a
 * cell corner reaches no centre) are refused; sigma = cell/2 (the sampled gaussian sums to
 * 1 within 3%) and radius = cell are accepted. */
static void test_tiny_bandwidth(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double x[3] = {0.5, 1.5, 1.0}, y[3] = {0.5, 1.2, 1.0}, out[16];
    agglo_grid g = {0, 4, 1, 4, 4};
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    for (int m = AGGLO_KDE_AUTO; m <= AGGLO_KDE_FFT; m++) {
        o.method = (agglo_kde_method)m;
        for (int k = 0; k <= AGGLO_KDE_KERNEL_UNIFORM; k++) {
            o.kernel = (agglo_kde_kernel)k;
            o.bandwidth = 1e-300;
            assert_int_equal(agglo_kde_compute(ctx, x, y, NULL, 3, &g, &o, out, NULL), AGGLO_E_USAGE);
            assert_non_null(strstr(agglo_ctx_errmsg(ctx), "too small"));
            o.bandwidth = 0.5;
            int rc = agglo_kde_compute(ctx, x, y, NULL, 3, &g, &o, out, NULL);
            assert_int_equal(rc, k == AGGLO_KDE_KERNEL_GAUSSIAN ? AGGLO_OK : AGGLO_E_USAGE);
            o.bandwidth = 1;
            assert_int_equal(agglo_kde_compute(ctx, x, y, NULL, 3, &g, &o, out, NULL), AGGLO_OK);
        }
    }
    agglo_ctx_free(ctx);
}

static void test_bandwidths(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    FILE *f = fopen(REF("bandwidths.csv"), "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64];
        double scott, silver, arcgis, ppl;
        if (sscanf(line, "%63[^,],%lf,%lf,%lf,%lf", name, &scott, &silver, &arcgis, &ppl) != 5)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/points/%s.csv", AGGLO_TEST_DATA, name);
        pset p = read_points(path);
        double h;
        assert_int_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_SCOTT, p.x, p.y, NULL, p.n, NULL, &h), 0);
        assert_close(h, scott, 1e-12);
        assert_int_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_SILVERMAN, p.x, p.y, NULL, p.n, NULL, &h), 0);
        assert_close(h, silver, 1e-12);
        assert_int_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_ARCGIS, p.x, p.y, NULL, p.n, NULL, &h), 0);
        assert_close(h, arcgis, 1e-12);
        /* bw.ppl uses the window of the ppp */
        double win[4];
        if (!strcmp(name, "redwood")) {
            win[0] = 0; win[1] = -1; win[2] = 1; win[3] = 0;
        } else if (!strcmp(name, "japanesepines")) {
            win[0] = 0; win[1] = 0; win[2] = 1; win[3] = 1;
        } else {
            memcpy(win, SHOPS_EXT, sizeof win);
        }
        assert_int_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_PPL, p.x, p.y, NULL, p.n, win, &h), 0);
        assert_close(h / ppl, 1.0, 1e-9);
        pset_free(&p);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 3);
    agglo_ctx_free(ctx);
}

/* spatstat bw.diggle(X) (spatstat.explore 3.0-6, all defaults) written to bw_diggle.csv by
 * scripts/reference/kde_reference.R: redwood, japanesepines, cells (spatstat data sets, Ripley
 * isotropic K), shops_clustered and nc_plants (tests/data/points, isotropic K; nc_plants with
 * its bounding box as the window), diggle_unif1500 (translation-corrected K) and
 * diggle_unif3500 (border-corrected K), seeded uniform patterns written by the same script.
 * spatstat returns a grid value r/2, so agreement is to rounding: 1e-8 relative asked. */
static void test_bw_diggle(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    FILE *f = fopen(REF("bw_diggle.csv"), "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        char name[64];
        double win[4], sigma;
        int n;
        if (sscanf(line, "%63[^,],%lf,%lf,%lf,%lf,%d,%lf", name, &win[0], &win[1], &win[2],
                   &win[3], &n, &sigma) != 7)
            continue;
        char path[512];
        if (!strncmp(name, "diggle_", 7))
            snprintf(path, sizeof path, "%s/reference/kde/%s.csv", AGGLO_TEST_DATA, name);
        else
            snprintf(path, sizeof path, "%s/points/%s.csv", AGGLO_TEST_DATA, name);
        pset p = read_points(path);
        assert_int_equal((int)p.n, n);
        double h = 0;
        assert_int_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_DIGGLE, p.x, p.y, NULL, p.n, win, &h),
                         AGGLO_OK);
        assert_close(h / sigma, 1.0, 1e-8);
        if (!strcmp(name, "nc_plants")) { /* window = bounding box by default */
            double h2 = 0;
            assert_int_equal(
                agglo_kde_bandwidth(ctx, AGGLO_BW_DIGGLE, p.x, p.y, NULL, p.n, NULL, &h2), AGGLO_OK);
            assert_true(h2 == h);
        }
        pset_free(&p);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 7);
    assert_int_equal(agglo_bw_rule_parse("diggle"), AGGLO_BW_DIGGLE);
    assert_string_equal(agglo_bw_rule_name(AGGLO_BW_DIGGLE), "diggle");

    /* bad input: fewer than 2 points, zero-area window, collinear points without a window,
     * a point outside the window */
    double x[3] = {0.1, 0.5, 0.9}, y[3] = {0.2, 0.2, 0.2}, h = -1;
    double unit[4] = {0, 0, 1, 1}, flat[4] = {0, 0, 1, 0}, small[4] = {0, 0, 0.8, 1};
    assert_int_not_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_DIGGLE, x, y, NULL, 1, unit, &h), 0);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "2 points"));
    assert_int_not_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_DIGGLE, x, y, NULL, 3, flat, &h), 0);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "no area"));
    assert_int_not_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_DIGGLE, x, y, NULL, 3, NULL, &h), 0);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "no area"));
    assert_int_not_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_DIGGLE, x, y, NULL, 3, small, &h), 0);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "outside the window"));
    assert_true(h == -1);
    agglo_ctx_free(ctx);
}

/* Each kernel integrates to 1 (a fine grid), scalings, mass of the density. */
static void test_kernels_and_scaling(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double px = 0, py = 0;
    for (int k = 0; k <= AGGLO_KDE_KERNEL_UNIFORM; k++) {
        agglo_grid g = {-10, 10, 0.02, 1000, 1000};
        double *out = malloc(1000000 * sizeof(double));
        agglo_kde_options o;
        agglo_kde_options_init(&o);
        o.kernel = (agglo_kde_kernel)k;
        o.bandwidth = 2;
        o.method = AGGLO_KDE_EXACT;
        assert_int_equal(agglo_kde_compute(ctx, &px, &py, NULL, 1, &g, &o, out, NULL), 0);
        double s = 0;
        for (size_t i = 0; i < 1000000; i++)
            s += out[i];
        s *= g.cell * g.cell;
        print_message("kernel %s integral %.6f\n", agglo_kde_kernel_name(o.kernel), s);
        assert_true(fabs(s - 1) < 2e-3);
        /* centre value: K(0) */
        assert_close(agglo_kde_kernel_value(o.kernel, 0, 2),
                     k == AGGLO_KDE_KERNEL_QUARTIC ? 3 / (M_PI * 4)
                     : k == AGGLO_KDE_KERNEL_GAUSSIAN ? 1 / (2 * M_PI * 4)
                     : k == AGGLO_KDE_KERNEL_EPANECHNIKOV ? 2 / (M_PI * 4)
                     : k == AGGLO_KDE_KERNEL_TRIANGULAR ? 3 / (M_PI * 4) : 1 / (M_PI * 4),
                     1e-15);
        free(out);
    }
    /* scalings of the same density */
    pset p = read_points(PTS("shops_clustered.csv"));
    agglo_grid g;
    assert_int_equal(agglo_grid_from_extent(ctx, SHOPS_EXT, 250, &g), 0);
    size_t nn = g.ncols * g.nrows;
    double *a = malloc(nn * sizeof(double)), *b = malloc(nn * sizeof(double));
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    o.bandwidth = 1000;
    assert_int_equal(agglo_kde_compute(ctx, p.x, p.y, p.w, p.n, &g, &o, a, NULL), 0);
    double wsum = 0;
    for (size_t i = 0; i < p.n; i++)
        wsum += p.w[i];
    const agglo_kde_scale sc[3] = {AGGLO_KDE_SCALE_KM2, AGGLO_KDE_SCALE_CELL,
                                   AGGLO_KDE_SCALE_PROBABILITY};
    const double f[3] = {1e6, 250.0 * 250.0, 1 / wsum};
    for (int s = 0; s < 3; s++) {
        o.scale = sc[s];
        assert_int_equal(agglo_kde_compute(ctx, p.x, p.y, p.w, p.n, &g, &o, b, NULL), 0);
        for (size_t i = 0; i < nn; i++)
            assert_close(b[i], a[i] * f[s], 1e-12 * fabs(a[i] * f[s]) + 1e-300);
    }
    free(a);
    free(b);
    pset_free(&p);
    agglo_ctx_free(ctx);
}

/* Same numbers whatever the thread count, both paths. */
static void test_deterministic(void **state)
{
    (void)state;
    agglo_ctx *c1 = agglo_ctx_create(), *c2 = agglo_ctx_create();
    agglo_ctx_set_threads(c1, 1);
    agglo_ctx_set_threads(c2, 2);
    pset p = read_points(PTS("shops_clustered.csv"));
    agglo_grid g;
    assert_int_equal(agglo_grid_from_extent(c1, SHOPS_EXT, 100, &g), 0);
    size_t nn = g.ncols * g.nrows;
    double *a = malloc(nn * sizeof(double)), *b = malloc(nn * sizeof(double));
    for (int m = AGGLO_KDE_EXACT; m <= AGGLO_KDE_FFT; m++) {
        run_kde(c1, &p, 1, &g, AGGLO_KDE_KERNEL_QUARTIC, 900, (agglo_kde_method)m, AGGLO_KDE_BIN_LINEAR, a);
        run_kde(c2, &p, 1, &g, AGGLO_KDE_KERNEL_QUARTIC, 900, (agglo_kde_method)m, AGGLO_KDE_BIN_LINEAR, b);
        assert_memory_equal(a, b, nn * sizeof(double));
    }
    free(a);
    free(b);
    pset_free(&p);
    agglo_ctx_free(c1);
    agglo_ctx_free(c2);
}

static void test_errors(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double x[3] = {0, 1, 2}, y[3] = {0, 1, 0}, w[3] = {1, -1, 1}, out[4];
    agglo_grid g = {0, 2, 1, 2, 2};
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    o.bandwidth = 1;
    assert_int_equal(agglo_kde_compute(ctx, x, y, w, 3, &g, &o, out, NULL), AGGLO_E_USAGE);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "negative weight"));
    o.bandwidth = 0;
    assert_int_equal(agglo_kde_compute(ctx, x, y, NULL, 3, &g, &o, out, NULL), AGGLO_E_USAGE);
    double nx[2] = {NAN, NAN};
    o.bandwidth = 1;
    assert_int_equal(agglo_kde_compute(ctx, nx, nx, NULL, 2, &g, &o, out, NULL), AGGLO_E_EMPTY);
    double h;
    double same[3] = {5, 5, 5};
    assert_int_equal(agglo_kde_bandwidth(ctx, AGGLO_BW_ARCGIS, same, same, NULL, 3, NULL, &h),
                     AGGLO_E_NUMERIC);
    const double bad[4] = {0, 0, 10, 10};
    assert_int_equal(agglo_grid_from_extent(ctx, bad, -1, &g), AGGLO_E_USAGE);
    assert_int_equal(agglo_raster_write_geotiff(ctx, "/nonexistent-dir/x.tif", out, &g, NULL,
                                                -9999, 0),
                     AGGLO_E_IO);
    assert_int_equal(agglo_raster_write_geotiff(ctx, "x.png", out, &g, NULL, -9999, 0),
                     AGGLO_E_USAGE);
    agglo_ctx_free(ctx);
}

/* GeoTIFF round trip through GDAL: geotransform, CRS, nodata, values; mask by a polygon. */
static void test_geotiff_and_mask(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_read_options ro;
    agglo_read_options_init(&ro);
    ro.make_valid = 1;
    agglo_layer *ny = agglo_layer_read(ctx, TEST_DATA("ny8/NY8_utm18.shp"), &ro);
    if (!ny)
        print_error("%s\n", agglo_ctx_errmsg(ctx));
    assert_non_null(ny);
    double ext[4];
    assert_int_equal(agglo_layer_extent(ny, ext), 0);
    size_t n = agglo_layer_count(ny);
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    assert_int_equal(agglo_layer_coords(ctx, ny, 0, x, y), 0);
    agglo_grid g;
    assert_int_equal(agglo_grid_from_extent(ctx, ext, 2000, &g), 0);
    size_t nn = g.ncols * g.nrows;
    double *v = malloc(nn * sizeof(double));
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    o.bandwidth = 10000;
    assert_int_equal(agglo_kde_compute(ctx, x, y, NULL, n, &g, &o, v, NULL), 0);
    size_t kept = 0;
    assert_int_equal(agglo_kde_mask(ctx, &g, ny, v, -9999, &kept), 0);
    assert_true(kept > 0 && kept < nn);
    /* the mask agrees with GEOS point-in-polygon on every 3rd cell centre */
    GEOSContextHandle_t hg = agglo_ctx_geos(ctx);
    size_t checked = 0, agree = 0;
    for (size_t t = 0; t < nn; t += 3) {
        double cx = g.xmin + ((double)(t % g.ncols) + 0.5) * g.cell;
        double cy = g.ymax - ((double)(t / g.ncols) + 0.5) * g.cell;
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(hg, cx, cy);
        int inside = 0;
        for (size_t i = 0; i < n && !inside; i++) {
            const GEOSGeometry *pg = (const GEOSGeometry *)agglo_layer_geometry(ny, i);
            if (pg && GEOSContains_r(hg, pg, pt) == 1)
                inside = 1;
        }
        GEOSGeom_destroy_r(hg, pt);
        checked++;
        agree += inside == (v[t] != -9999);
    }
    print_message("mask: %zu of %zu cells agree with GEOS\n", agree, checked);
    assert_int_equal(agree, checked);
    char path[] = "/tmp/agglo_test_kde_XXXXXX";
    assert_non_null(mkdtemp(path));
    char tif[600];
    snprintf(tif, sizeof tif, "%s/d.tif", path);
    assert_int_equal(agglo_raster_write_geotiff(ctx, tif, v, &g, agglo_layer_crs_wkt(ny), -9999, 0), 0);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(tif, GA_ReadOnly);
    assert_non_null(ds);
    assert_int_equal(GDALGetRasterXSize(ds), (int)g.ncols);
    assert_int_equal(GDALGetRasterYSize(ds), (int)g.nrows);
    double gt[6];
    assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
    assert_close(gt[0], g.xmin, 1e-12);
    assert_close(gt[3], g.ymax, 1e-12);
    assert_close(gt[1], 2000, 1e-12);
    assert_close(gt[5], -2000, 1e-12);
    assert_non_null(strstr(GDALGetProjectionRef(ds), "UTM"));
    GDALRasterBandH b = GDALGetRasterBand(ds, 1);
    int has = 0;
    assert_close(GDALGetRasterNoDataValue(b, &has), -9999, 0);
    assert_true(has);
    double *back = malloc(nn * sizeof(double));
    assert_int_equal(GDALRasterIO(b, GF_Read, 0, 0, (int)g.ncols, (int)g.nrows, back, (int)g.ncols,
                                  (int)g.nrows, GDT_Float64, 0, 0),
                     CE_None);
    assert_memory_equal(back, v, nn * sizeof(double));
    GDALClose(ds);
    remove(tif);
    rmdir(path);
    free(back);
    free(v);
    free(x);
    free(y);
    agglo_layer_free(ny);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fft_equals_spatstat),
        cmocka_unit_test(test_exact_equals_bruteforce),
        cmocka_unit_test(test_fft_error_bounded),
        cmocka_unit_test(test_cut_window_methods_agree),
        cmocka_unit_test(test_cut_window_only_spatstat),
        cmocka_unit_test(test_tiny_bandwidth),
        cmocka_unit_test(test_bandwidths),
        cmocka_unit_test(test_bw_diggle),
        cmocka_unit_test(test_kernels_and_scaling),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_geotiff_and_mask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
