/* Join counts, local Geary and the spatial Gini against independent implementations:
 *   tests/data/reference/esda2/joincount.csv  <- spdep 1.2-7 joincount.test (same colour,
 *        non-free sampling) and joincount.multi (same colour, different colour, Jtot), styles
 *        B and W, on columbus CP (2 levels) and nc JC4 (4 quartile classes of SIDR74,
 *        nc_jc_levels.csv) (scripts/reference/esda2.R);
 *   localC.csv  <- spdep localC (statistic; univariate CRIME and SIDR74, multivariate
 *        CRIME+INC+HOVAL) and localC_perm (nsim 99999: its simulation mean and its cluster
 *        attribute);
 *   geary_local_esda.csv <- esda Geary_Local conditional permutation p (nsim 9999);
 *   gini_spatial.csv     <- PySAL inequality Gini_Spatial (scripts/reference/esda2.py);
 *   win_*.csv            <- spatstat 3.0-3 area, perimeter, clarkevans.test and Kest (border,
 *        isotropic) of uniform patterns in polygonal windows: an L shape with a square hole and
 *        the union of the nc counties in EPSG:32119, and density.ppp(edge = TRUE) in the L
 *        (scripts/reference/esda2.R).
 * Neighbours: spdep poly2nb (tests/data/reference/autocorr/<set>_nb.csv), so these tests check
 * the statistics, not the contiguity builder. Permutation results can only agree with other
 * generators up to Monte-Carlo error: they are checked within a few standard errors, and for
 * identity across thread counts. */
#include "test_util.h"
#include "agglo/agglo.h"
#include "spdep_nb_util.h"

#define REF(f) TEST_DATA("reference/esda2/" f)

static double *column(agglo_ctx *ctx, const char *set, const char *var, size_t *n)
{
    agglo_read_options o;
    agglo_read_options_init(&o);
    agglo_layer *L = agglo_layer_read(
        ctx, !strcmp(set, "nc") ? TEST_DATA("nc/nc.shp") : TEST_DATA("columbus/columbus.shp"), &o);
    assert_non_null(L);
    *n = agglo_layer_count(L);
    const agglo_table *t = agglo_layer_table(L);
    double *x;
    if (!strcmp(var, "SIDR74")) {
        x = agglo_table_get_complete(ctx, t, "SID74", "nc");
        double *b = agglo_table_get_complete(ctx, t, "BIR74", "nc");
        for (size_t i = 0; i < *n; i++)
            x[i] = 1000 * x[i] / b[i];
        free(b);
    } else {
        x = agglo_table_get_complete(ctx, t, var, set);
    }
    assert_non_null(x);
    agglo_layer_free(L);
    return x;
}

/* value of (set, var, style, row, field) in joincount.csv (NaN when absent) */
static double jc_ref(const char *set, const char *style, const char *row, const char *field)
{
    FILE *f = fopen(REF("joincount.csv"), "r");
    assert_non_null(f);
    char line[256], s_[16], v_[16], st[4], r_[16], f_[16];
    double val, out = NAN;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%15[^,],%15[^,],%3[^,],%15[^,],%15[^,],%lf", s_, v_, st, r_, f_, &val) ==
                6 &&
            !strcmp(s_, set) && !strcmp(st, style) && !strcmp(r_, row) && !strcmp(f_, field))
            out = val;
    fclose(f);
    return out;
}

/* the factor codes 0..k-1 of a set (columbus: CP; nc: the R script's 4 classes) */
static int *levels_of(agglo_ctx *ctx, const char *set, size_t *n, size_t *k)
{
    if (!strcmp(set, "columbus")) {
        double *cp = column(ctx, set, "CP", n);
        int *l = malloc(*n * sizeof(int));
        for (size_t i = 0; i < *n; i++)
            l[i] = (int)cp[i];
        free(cp);
        *k = 2;
        return l;
    }
    FILE *f = fopen(REF("nc_jc_levels.csv"), "r");
    assert_non_null(f);
    char line[64];
    assert_non_null(fgets(line, sizeof line, f));
    int *l = malloc(200 * sizeof(int));
    size_t m = 0;
    int fips, lev;
    while (m < 200 && fscanf(f, "%d,%d", &fips, &lev) == 2)
        l[m++] = lev - 1;
    fclose(f);
    *n = m;
    *k = 4;
    return l;
}

/* spdep's row name of a statistic: level labels are "0","1" (CP) or "1".."4" (JC4) */
static void row_name(const char *set, const agglo_joincount_stat *s, char *buf, size_t len)
{
    int off = !strcmp(set, "nc");
    if (s->a < 0)
        snprintf(buf, len, "Jtot");
    else
        snprintf(buf, len, "%d:%d", s->a + off, s->b + off);
}

#define assert_rel(a, b, tol)                                                                     \
    do {                                                                                          \
        double a__ = (a), b__ = (b);                                                              \
        if (!(fabs(a__ - b__) <= (tol) * fmax(fabs(b__), 1e-300) || fabs(a__ - b__) < 1e-13)) {   \
            print_error("%s: %s = %.17g, reference %.17g\n", what, #a, a__, b__);               \
            fail();                                                                               \
        }                                                                                         \
    } while (0)

static void test_joincount_against_spdep(void **state)
{
    (void)state;
    const char *sets[2] = {"columbus", "nc"}, *styles[2] = {"B", "W"};
    agglo_ctx *ctx = agglo_ctx_create();
    size_t checked = 0;
    for (int s = 0; s < 2; s++)
        for (int t = 0; t < 2; t++) {
            size_t n, k;
            int *lev = levels_of(ctx, sets[s], &n, &k);
            agglo_weights *w = load_nb(ctx, sets[s], n, styles[t][0]);
            agglo_autocorr_options o;
            agglo_autocorr_options_init(&o);
            o.alternative = AGGLO_ALT_GREATER;
            agglo_joincount_result *r = agglo_joincount(ctx, w, lev, k, &o);
            assert_non_null(r);
            assert_int_equal(r->nstats, k + k * (k - 1) / 2 + 1);
            for (size_t q = 0; q < r->nstats; q++) {
                const agglo_joincount_stat *st = &r->stats[q];
                char row[32], what[96];
                row_name(sets[s], st, row, sizeof row);
                snprintf(what, sizeof what, "%s %s %s", sets[s], styles[t], row);
                double J = jc_ref(sets[s], styles[t], row, "joins");
                assert_false(isnan(J));
                assert_rel(st->joins, J, 1e-12);
                assert_rel(st->expected, jc_ref(sets[s], styles[t], row, "E"), 1e-10);
                assert_rel(st->variance, jc_ref(sets[s], styles[t], row, "V"), 1e-9);
                assert_rel(st->z, jc_ref(sets[s], styles[t], row, "z"), 1e-9);
                checked += 4;
                if (st->a >= 0 && st->a == st->b) { /* joincount.test, alternative greater */
                    assert_rel(st->expected, jc_ref(sets[s], styles[t], row, "test_E"), 1e-10);
                    assert_rel(st->variance, jc_ref(sets[s], styles[t], row, "test_V"), 1e-9);
                    assert_rel(st->p, jc_ref(sets[s], styles[t], row, "test_p"), 1e-8);
                    checked += 3;
                }
            }
            agglo_joincount_result_free(r);
            agglo_weights_free(w);
            free(lev);
        }
    assert_true(checked >= 100);
    agglo_ctx_free(ctx);
}

/* Under non-free sampling the analytic moments are those of the permutation distribution:
 * the draws' mean and variance must match spdep's E and V within Monte-Carlo error; and the
 * draws are identical for 1 and 2 threads. */
static void test_joincount_permutations(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    size_t n, k;
    int *lev = levels_of(ctx, "nc", &n, &k);
    agglo_weights *w = load_nb(ctx, "nc", n, 'B');
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = 20000;
    o.seed = 7;
    agglo_ctx_set_threads(ctx, 1);
    agglo_joincount_result *r1 = agglo_joincount(ctx, w, lev, k, &o);
    agglo_ctx_set_threads(ctx, 2);
    agglo_joincount_result *r2 = agglo_joincount(ctx, w, lev, k, &o);
    assert_non_null(r1);
    assert_non_null(r2);
    for (size_t q = 0; q < r1->nstats; q++) {
        const agglo_joincount_stat *a = &r1->stats[q], *b = &r2->stats[q];
        assert_int_equal(a->n_greater_equal, b->n_greater_equal);
        assert_int_equal(a->n_less_equal, b->n_less_equal);
        assert_true(a->sim_mean == b->sim_mean && a->p_sim == b->p_sim);
        char row[32], what[64];
        row_name("nc", a, row, sizeof row);
        snprintf(what, sizeof what, "nc B %s permutations", row);
        double E = jc_ref("nc", "B", row, "E"), V = jc_ref("nc", "B", row, "V");
        double se = sqrt(V / (double)o.permutations);
        if (fabs(a->sim_mean - E) > 5 * se) {
            print_error("%s: mean %.6g, spdep E %.6g (se %.3g)\n", what, a->sim_mean, E, se);
            fail();
        }
        assert_rel(a->sim_var, V, 0.06);
        assert_true(a->p_sim > 0 && a->p_sim <= 1);
    }
    agglo_joincount_result_free(r1);
    agglo_joincount_result_free(r2);
    /* one level, or a code out of range: usage errors */
    int *one = calloc(n, sizeof(int));
    assert_null(agglo_joincount(ctx, w, one, 1, &o));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_USAGE);
    one[3] = 7;
    assert_null(agglo_joincount(ctx, w, one, 2, &o));
    free(one);
    agglo_weights_free(w);
    free(lev);
    agglo_ctx_free(ctx);
}

typedef struct lcref {
    double C, E;
    char cluster[32];
} lcref;

static size_t lc_ref(const char *set, const char *vars, lcref *out, size_t cap)
{
    FILE *f = fopen(REF("localC.csv"), "r");
    assert_non_null(f);
    char line[256], s_[16], v_[32], cl[32];
    int i;
    double C, E;
    size_t m = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%15[^,],%31[^,],%d,%lf,%lf,%31[^\n]", s_, v_, &i, &C, &E, cl) == 6 &&
            !strcmp(s_, set) && !strcmp(v_, vars) && (size_t)i <= cap) {
            out[i - 1].C = C;
            out[i - 1].E = E;
            snprintf(out[i - 1].cluster, sizeof out[i - 1].cluster, "%s", cl);
            m++;
        }
    fclose(f);
    return m;
}

static double esda_p(const char *set, size_t i)
{
    FILE *f = fopen(REF("geary_local_esda.csv"), "r");
    assert_non_null(f);
    char line[256], s_[16], v_[16];
    int k;
    double g, p, out = NAN;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%15[^,],%15[^,],%d,%lf,%lf", s_, v_, &k, &g, &p) == 5 &&
            !strcmp(s_, set) && (size_t)k == i + 1)
            out = p;
    fclose(f);
    return out;
}

static void test_local_geary(void **state)
{
    (void)state;
    static const struct {
        const char *set, *label, *vars[3];
        size_t nv;
    } cases[] = {{"columbus", "CRIME", {"CRIME"}, 1},
                 {"columbus", "CRIME+INC+HOVAL", {"CRIME", "INC", "HOVAL"}, 3},
                 {"nc", "SIDR74", {"SIDR74"}, 1}};
    agglo_ctx *ctx = agglo_ctx_create();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        size_t n = 0;
        double *x[3];
        for (size_t v = 0; v < cases[c].nv; v++)
            x[v] = column(ctx, cases[c].set, cases[c].vars[v], &n);
        agglo_weights *w = load_nb(ctx, cases[c].set, n, 'W');
        lcref *ref = calloc(n, sizeof *ref);
        assert_int_equal(lc_ref(cases[c].set, cases[c].label, ref, n), n);
        agglo_autocorr_options o;
        agglo_autocorr_options_init(&o);
        o.permutations = 99999;
        o.seed = 11;
        agglo_ctx_set_threads(ctx, 2);
        agglo_local_result *r = agglo_geary_local(ctx, w, (const double *const *)x, cases[c].nv, &o);
        assert_non_null(r);
        assert_int_equal(r->kind, AGGLO_STAT_GEARY_LOCAL);
        double worst_p = 0;
        for (size_t i = 0; i < n; i++) {
            char what[96];
            snprintf(what, sizeof what, "%s %s obs %zu", cases[c].set, cases[c].label, i + 1);
            assert_rel(r->stat[i], ref[i].C, 1e-10);
            /* spdep's simulation mean (99999 draws with replacement: the same expectation as
             * draws without replacement) */
            double se = r->sim_sd[i] * sqrt(2.0 / 99999.0);
            if (fabs(r->sim_mean[i] - ref[i].E) > 5 * se + 1e-12) {
                print_error("%s: sim mean %.8g, spdep E.Ci %.8g (se %.3g)\n", what,
                            r->sim_mean[i], ref[i].E, se);
                fail();
            }
            if (cases[c].nv == 1) { /* spdep's cluster attribute is the quadrant class */
                const char *q = agglo_geary_local_cluster_name(r->quadrant[i]);
                if (strcmp(q, ref[i].cluster)) {
                    print_error("%s: class %s, spdep %s\n", what, q, ref[i].cluster);
                    fail();
                }
                /* esda's conditional permutation p (9999 draws, no ties in these data) */
                double pe = esda_p(cases[c].set, i);
                double tol = 4 * sqrt(pe * (1 - pe) / 9999.0) + 2e-3;
                worst_p = fmax(worst_p, fabs(r->p_sim[i] - pe) / tol);
                if (fabs(r->p_sim[i] - pe) > tol) {
                    print_error("%s: p %.5g, esda %.5g\n", what, r->p_sim[i], pe);
                    fail();
                }
                int sig = r->p_adjusted[i] <= r->alpha;
                assert_int_equal(r->cluster[i], sig ? r->quadrant[i] : 0);
            } else {
                int sig = r->p_adjusted[i] <= r->alpha;
                int want = !sig ? 0 : (r->stat[i] <= r->sim_mean[i] ? 6 : 4);
                assert_int_equal(r->cluster[i], want);
                /* spdep's multivariate cluster: Positive when C_i <= its simulation mean */
                if (fabs(r->stat[i] - ref[i].E) > 5 * se)
                    assert_string_equal(r->stat[i] <= r->sim_mean[i] ? "Positive" : "Negative",
                                        ref[i].cluster);
            }
        }
        /* the same draws with one thread */
        agglo_ctx_set_threads(ctx, 1);
        agglo_local_result *r1 = agglo_geary_local(ctx, w, (const double *const *)x, cases[c].nv, &o);
        assert_non_null(r1);
        for (size_t i = 0; i < n; i++)
            assert_true(r1->p_sim[i] == r->p_sim[i] && r1->sim_mean[i] == r->sim_mean[i]);
        agglo_local_result_free(r1);
        agglo_local_result_free(r);
        agglo_weights_free(w);
        free(ref);
        for (size_t v = 0; v < cases[c].nv; v++)
            free(x[v]);
    }
    agglo_ctx_free(ctx);
}

static double gini_ref(const char *set, const char *field)
{
    FILE *f = fopen(REF("gini_spatial.csv"), "r");
    assert_non_null(f);
    char line[256], s_[16], v_[16], f_[32];
    double val, out = NAN;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%15[^,],%15[^,],%31[^,],%lf", s_, v_, f_, &val) == 4 &&
            !strcmp(s_, set) && !strcmp(f_, field))
            out = val;
    fclose(f);
    return out;
}

static void test_spatial_gini(void **state)
{
    (void)state;
    const char *sets[2] = {"columbus", "nc"}, *vars[2] = {"INC", "BIR74"};
    agglo_ctx *ctx = agglo_ctx_create();
    for (int s = 0; s < 2; s++) {
        size_t n;
        double *x = column(ctx, sets[s], vars[s], &n);
        agglo_weights *w = load_nb(ctx, sets[s], n, 'W'); /* the values do not matter */
        agglo_autocorr_options o;
        agglo_autocorr_options_init(&o);
        o.permutations = 99999;
        o.seed = 3;
        agglo_spatial_gini_result g;
        assert_int_equal(agglo_spatial_gini(ctx, w, x, &o, &g), AGGLO_OK);
        char what[64];
        snprintf(what, sizeof what, "%s %s", sets[s], vars[s]);
        assert_rel(g.gini, gini_ref(sets[s], "g"), 1e-12);
        assert_rel(g.sad_neighbours, gini_ref(sets[s], "wg"), 1e-12);
        assert_rel(g.sad_nonneighbours, gini_ref(sets[s], "wcg"), 1e-12);
        assert_rel(g.nonneighbour_share, gini_ref(sets[s], "wcg_share"), 1e-12);
        assert_rel(g.polarization, gini_ref(sets[s], "polarization"), 1e-12);
        /* permutation moments of WC: PySAL's 9999 draws against agglo's 99999 */
        double sd = gini_ref(sets[s], "s_wcg"), se = sd * sqrt(1.0 / 9999 + 1.0 / 99999);
        if (fabs(g.sim_mean - gini_ref(sets[s], "e_wcg")) > 5 * se) {
            print_error("%s: mean %.10g, PySAL e_wcg %.10g (se %.3g)\n", what, g.sim_mean,
                        gini_ref(sets[s], "e_wcg"), se);
            fail();
        }
        assert_rel(g.sim_sd, sd, 0.05);
        double p = gini_ref(sets[s], "p_sim"), tol = 4 * sqrt(p * (1 - p) / 9999.0) + 1e-3;
        assert_true(fabs(g.p_sim - p) <= tol);
        assert_true(fabs(g.p_z - gini_ref(sets[s], "p_z_sim")) <= 0.02);
        /* thread count does not change the draws */
        agglo_spatial_gini_result g1;
        agglo_ctx_set_threads(ctx, 1);
        assert_int_equal(agglo_spatial_gini(ctx, w, x, &o, &g1), AGGLO_OK);
        assert_true(g1.sim_mean == g.sim_mean && g1.p_sim == g.p_sim);
        agglo_ctx_set_threads(ctx, 2);
        /* negative values are refused; a constant variable too */
        x[0] = -1;
        assert_int_equal(agglo_spatial_gini(ctx, w, x, &o, &g1), AGGLO_E_USAGE);
        for (size_t i = 0; i < n; i++)
            x[i] = 2;
        assert_int_equal(agglo_spatial_gini(ctx, w, x, &o, &g1), AGGLO_E_NUMERIC);
        free(x);
        agglo_weights_free(w);
    }
    agglo_ctx_free(ctx);
}

static double win_ref(const char *cs, const char *field)
{
    char path[512];
    snprintf(path, sizeof path, "%s/reference/esda2/win_%s.csv", AGGLO_TEST_DATA, cs);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[256], name[32];
    double v, out = NAN;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%31[^,],%lf", name, &v) == 2 && !strcmp(name, field))
            out = v;
    fclose(f);
    return out;
}

/* x,y (or r,border,iso) rows of a CSV; NA -> NaN. Returns the row count. */
static size_t read_cols(const char *path, int ncol, double **cols)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    size_t n = 0, cap = 1024;
    for (int c = 0; c < ncol; c++)
        cols[c] = malloc(cap * sizeof(double));
    while (fgets(line, sizeof line, f)) {
        if (n == cap) {
            cap *= 2;
            for (int c = 0; c < ncol; c++)
                cols[c] = realloc(cols[c], cap * sizeof(double));
        }
        char *p = line;
        for (int c = 0; c < ncol; c++) {
            char *end;
            double v = strtod(p, &end);
            cols[c][n] = end == p ? NAN : v;
            p = strchr(p, ',');
            p = p ? p + 1 : end;
        }
        n++;
    }
    fclose(f);
    return n;
}

static void check_window_case(agglo_ctx *ctx, const char *cs, const agglo_window *W)
{
    char what[64], path[512];
    snprintf(what, sizeof what, "window %s", cs);
    assert_rel(agglo_window_area(W), win_ref(cs, "area"), 1e-9);
    assert_rel(agglo_window_perimeter(W), win_ref(cs, "perimeter"), 1e-9);
    double *xy[2];
    snprintf(path, sizeof path, "%s/reference/esda2/win_%s_points.csv", AGGLO_TEST_DATA, cs);
    size_t n = read_cols(path, 2, xy);
    agglo_clarkevans ce;
    assert_int_equal(agglo_clarkevans_compute_window(ctx, xy[0], xy[1], n, W, 0, 1, &ce), AGGLO_OK);
    assert_rel(ce.area, win_ref(cs, "area"), 1e-9);
    assert_rel(ce.R, win_ref(cs, "R"), 1e-9);
    assert_rel(ce.z, win_ref(cs, "z"), 1e-6);
    assert_rel(ce.p, win_ref(cs, "p"), 1e-6);
    assert_true(isnan(ce.R_donnelly)); /* spatstat: rectangles only */
    agglo_kest *K = agglo_kest_compute_window(ctx, xy[0], xy[1], n, W, 0, 513,
                                              AGGLO_KEST_BORDER | AGGLO_KEST_ISOTROPIC, 0, 0, 1);
    assert_non_null(K);
    assert_rel(K->rmax, win_ref(cs, "rmax"), 1e-12);
    double *rk[3];
    snprintf(path, sizeof path, "%s/reference/esda2/win_%s_K.csv", AGGLO_TEST_DATA, cs);
    assert_int_equal(read_cols(path, 3, rk), K->nr);
    size_t nb = 0;
    for (size_t t = 0; t < K->nr; t++) {
        snprintf(what, sizeof what, "window %s K at r[%zu]", cs, t);
        assert_rel(K->r[t], rk[0][t], 1e-12);
        if (isnan(rk[1][t]))
            assert_true(isnan(K->border[t]));
        else {
            assert_rel(K->border[t], rk[1][t], 1e-9);
            nb++;
        }
        assert_rel(K->iso[t], rk[2][t], 1e-8);
    }
    assert_true(nb > 50);
    /* a point outside the window is refused */
    xy[0][0] = -1e9;
    assert_int_equal(agglo_clarkevans_compute_window(ctx, xy[0], xy[1], n, W, 0, 1, &ce),
                     AGGLO_E_USAGE);
    agglo_kest_free(K);
    for (int c = 0; c < 3; c++)
        free(rk[c]);
    free(xy[0]);
    free(xy[1]);
}

static void test_polygon_windows(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    /* the L with a hole, from its rings */
    double *cols[4];
    size_t m = read_cols(REF("win_lhole_rings.csv"), 4, cols);
    size_t len[2] = {0, 0};
    int hole[2] = {0, 1};
    for (size_t k = 0; k < m; k++)
        len[(int)cols[0][k] - 1]++;
    agglo_window *W = agglo_window_from_rings(ctx, 2, len, cols[2], cols[3], hole);
    assert_non_null(W);
    assert_true(agglo_window_contains(W, 3, 3) && !agglo_window_contains(W, 2, 2) &&
                !agglo_window_contains(W, 6, 6));
    assert_close(agglo_window_boundary_distance(W, 3, 3), sqrt(0.5), 1e-14); /* the hole's corner */
    /* a circle of radius 1 around (5, 2): the edge x = 4 is not reached, y = 4 neither */
    assert_close(agglo_window_circle_fraction(W, 5, 2, 1.0), 1.0, 1e-14);
    /* half-plane y >= 0 cuts a circle centred on it in half */
    assert_close(agglo_window_circle_fraction(W, 7, 0, 1.0), 0.5, 1e-12);
    check_window_case(ctx, "lhole", W);
    agglo_window_free(W);
    for (int c = 0; c < 4; c++)
        free(cols[c]);
    /* the union of the nc counties, reprojected on read as sf::st_transform */
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.to_crs = "EPSG:32119";
    agglo_layer *nc = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), &o);
    assert_non_null(nc);
    W = agglo_window_from_layer(ctx, nc);
    assert_non_null(W);
    check_window_case(ctx, "nc", W);
    agglo_window_free(W);
    agglo_layer_free(nc);
    agglo_ctx_free(ctx);
}

/* spatstat density.ppp(X, sigma = 0.8, dimyx = c(100, 100), edge = TRUE) in the L with a hole:
 * the same FFT on the same pixels, divided by the kernel mass inside the polygon's mask */
static void test_kde_polygon_window(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double *cols[4];
    size_t m = read_cols(REF("win_lhole_rings.csv"), 4, cols);
    size_t len[2] = {0, 0};
    int hole[2] = {0, 1};
    for (size_t k = 0; k < m; k++)
        len[(int)cols[0][k] - 1]++;
    agglo_window *W = agglo_window_from_rings(ctx, 2, len, cols[2], cols[3], hole);
    assert_non_null(W);
    double *xy[2];
    size_t n = read_cols(REF("win_lhole_points.csv"), 2, xy);
    double ext[4] = {0, 0, 10, 10};
    agglo_grid g;
    assert_int_equal(agglo_grid_from_extent(ctx, ext, 0.1, &g), AGGLO_OK);
    assert_int_equal(g.ncols, 100);
    assert_int_equal(g.nrows, 100);
    agglo_kde_options o;
    agglo_kde_options_init(&o);
    o.kernel = AGGLO_KDE_KERNEL_GAUSSIAN;
    o.bandwidth = 0.8;
    o.method = AGGLO_KDE_FFT;
    o.edge = 1;
    size_t nn = 100 * 100, kept = 0;
    double *out = malloc(nn * sizeof(double));
    agglo_kde_info info;
    assert_int_equal(agglo_kde_compute_window(ctx, xy[0], xy[1], NULL, n, &g, &o, W, -9999, out,
                                              &info, &kept),
                     AGGLO_OK);
    assert_int_equal(info.points_used, n);
    FILE *f = fopen(REF("win_lhole_density_edge.txt"), "r");
    assert_non_null(f);
    size_t na = 0;
    double worst = 0, vmax = 0;
    char tok[64];
    for (size_t t = 0; t < nn; t++) {
        assert_int_equal(fscanf(f, "%63s", tok), 1);
        if (!strcmp(tok, "NA")) {
            na++;
            assert_true(out[t] == -9999);
            continue;
        }
        double v = strtod(tok, NULL);
        vmax = fmax(vmax, v);
        worst = fmax(worst, fabs(out[t] - v));
    }
    fclose(f);
    assert_int_equal(kept, nn - na);
    assert_true(na > 3000); /* the L's missing quarter and the hole */
    if (!(worst <= 1e-10 * vmax)) {
        print_error("largest difference %.3g (max density %.3g)\n", worst, vmax);
        fail();
    }
    /* without the edge correction the density near the boundary is lower */
    o.edge = 0;
    double *raw = malloc(nn * sizeof(double));
    assert_int_equal(agglo_kde_compute_window(ctx, xy[0], xy[1], NULL, n, &g, &o, W, -9999, raw,
                                              NULL, NULL),
                     AGGLO_OK);
    assert_true(raw[50 * 100 + 0] < out[50 * 100 + 0]);
    /* a point outside the window: refused, or left out with window_only */
    xy[0][0] = 7;
    xy[1][0] = 7;
    assert_int_equal(agglo_kde_compute_window(ctx, xy[0], xy[1], NULL, n, &g, &o, W, -9999, raw,
                                              NULL, NULL),
                     AGGLO_E_USAGE);
    o.window_only = 1;
    assert_int_equal(agglo_kde_compute_window(ctx, xy[0], xy[1], NULL, n, &g, &o, W, -9999, raw,
                                              &info, NULL),
                     AGGLO_OK);
    assert_int_equal(info.points_left_out, 1);
    free(raw);
    free(out);
    free(xy[0]);
    free(xy[1]);
    for (int c = 0; c < 4; c++)
        free(cols[c]);
    agglo_window_free(W);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_joincount_against_spdep),
        cmocka_unit_test(test_joincount_permutations),
        cmocka_unit_test(test_local_geary),
        cmocka_unit_test(test_spatial_gini),
        cmocka_unit_test(test_polygon_windows),
        cmocka_unit_test(test_kde_polygon_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
