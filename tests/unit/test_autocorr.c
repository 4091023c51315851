/* Spatial autocorrelation against R spdep 1.2-7 (R 4.2), values written by
 * scripts/reference/autocorr.R into tests/data/reference/autocorr/:
 *   global.csv  <- moran.test / geary.test (randomisation and normality, two-sided),
 *                  globalG.test, EBImoran.mc's statistic;
 *   bivariate_esda.csv, localG_esda.csv <- PySAL esda 2.10 Moran_BV and G_Local
 *                  (scripts/reference/autocorr_esda.py);
 *   *_local.csv <- localmoran (conditional TRUE/FALSE), localG (Gi, Gi* with W and B),
 *                  p.adjust(BH / bonferroni);
 * on four real layers: columbus (queen), nc (queen), NY8 (queen), baltim (4 nearest
 * neighbours, asymmetric). The weights are spdep's own neighbour lists (<set>_nb.csv), so these
 * tests check the statistics, not the contiguity builder.
 * Permutation inference is checked by determinism across thread counts, by the moments of
 * the reference distribution against the analytic (randomisation) moments, and by the
 * uniformity of the pseudo p under a shuffled variable.
 *   styles.csv       <- moran.test / geary.test under nb2listw styles W, B, C, S, U, minmax
 *                       (columbus, nc, columbus with an island);
 *   localG_perm.csv  <- spdep localG_perm (nsim 99999);
 *   localG_esda.csv  <- esda G_Local conditional permutation (nsim 99999): its Gs, EG_sim,
 *                       seG_sim, legacy folded p and the tie-aware p (min of its "greater" and
 *                       "lesser" significance on the same draws). */
#include "test_util.h"
#include "agglo/agglo.h"
#include "spdep_nb_util.h"

#define REF(f) TEST_DATA("reference/autocorr/" f)
#define TOL 1e-10

typedef struct gref {
    char set[16], var[16], style[4], test[16], field[8];
    double value;
} gref;

static gref *grefs;
static size_t ngrefs;

static int load_global(void **state)
{
    (void)state;
    FILE *f = fopen(REF("global.csv"), "r");
    if (!f)
        return -1;
    char line[512];
    size_t cap = 1024;
    grefs = malloc(cap * sizeof *grefs);
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        gref g;
        if (sscanf(line, "%15[^,],%15[^,],%3[^,],%15[^,],%7[^,],%lf", g.set, g.var, g.style, g.test,
                   g.field, &g.value) != 6)
            continue;
        if (ngrefs == cap)
            grefs = realloc(grefs, (cap *= 2) * sizeof *grefs);
        grefs[ngrefs++] = g;
    }
    fclose(f);
    return ngrefs > 0 ? 0 : -1;
}

static int free_global(void **state)
{
    (void)state;
    free(grefs);
    return 0;
}

static double ref(const char *set, const char *var, const char *style, const char *test,
                  const char *field)
{
    for (size_t i = 0; i < ngrefs; i++)
        if (!strcmp(grefs[i].set, set) && !strcmp(grefs[i].var, var) &&
            !strcmp(grefs[i].style, style) && !strcmp(grefs[i].test, test) &&
            !strcmp(grefs[i].field, field))
            return grefs[i].value;
    return NAN;
}

/* relative tolerance check (absolute near zero) */
#define assert_rel(a, b, tol)                                                                     \
    do {                                                                                          \
        double a__ = (a), b__ = (b);                                                              \
        if (!(fabs(a__ - b__) <= (tol) * fmax(fabs(b__), 1e-300) || fabs(a__ - b__) < 1e-14)) {   \
            print_error("%s: %s = %.17g, spdep %.17g\n", ctxname, #a, a__, b__);                 \
            fail();                                                                               \
        }                                                                                         \
    } while (0)

/* esda Moran_BV's I for (set, var) from bivariate_esda.csv (scripts/reference/autocorr_esda.py). */
static double bv_ref(const char *set, const char *var)
{
    FILE *f = fopen(REF("bivariate_esda.csv"), "r");
    if (!f)
        return NAN;
    char line[256], s_[24], v_[24], y_[24];
    double I, out = NAN;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%23[^,],%23[^,],%23[^,],%lf", s_, v_, y_, &I) == 4 && !strcmp(s_, set) &&
            !strcmp(v_, var))
            out = I;
    fclose(f);
    return out;
}

/* NY8 has 5 self-intersecting tracts; these tests only need the attributes. */
static agglo_layer *read_set(agglo_ctx *ctx, const char *path)
{
    agglo_read_options o;
    agglo_read_options_init(&o);
    o.allow_invalid = 1;
    return agglo_layer_read(ctx, path, &o);
}

static const char *set_file(const char *set)
{
    if (!strcmp(set, "columbus"))
        return TEST_DATA("columbus/columbus.shp");
    if (!strcmp(set, "nc"))
        return TEST_DATA("nc/nc.shp");
    if (!strcmp(set, "ny8"))
        return TEST_DATA("ny8/NY8_utm18.shp");
    return TEST_DATA("baltim/baltim.shp");
}

/* The variable (nc SIDR74 = 1000 SID74 / BIR74 as in the R script). */
static double *load_var(agglo_ctx *ctx, agglo_layer *L, const char *var)
{
    const agglo_table *t = agglo_layer_table(L);
    if (!strcmp(var, "SIDR74")) {
        double *s = agglo_table_get_complete(ctx, t, "SID74", "nc");
        double *b = agglo_table_get_complete(ctx, t, "BIR74", "nc");
        for (size_t i = 0; i < agglo_layer_count(L); i++)
            s[i] = 1000 * s[i] / b[i];
        free(b);
        return s;
    }
    double *x = agglo_table_get_complete(ctx, t, var, "test");
    assert_non_null(x);
    return x;
}

static const struct {
    const char *set, *vars[3];
} SETS[] = {{"columbus", {"CRIME", "INC", "HOVAL"}},
            {"nc", {"BIR74", "SIDR74", NULL}},
            {"ny8", {"PCTOWNHOME", "Cases", NULL}},
            {"baltim", {"PRICE", "SQFT", NULL}}};

static void test_global_against_spdep(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    size_t checked = 0;
    for (size_t s = 0; s < sizeof SETS / sizeof SETS[0]; s++) {
        agglo_layer *L = read_set(ctx, set_file(SETS[s].set));
        assert_non_null(L);
        size_t n = agglo_layer_count(L);
        const char *lastvar = SETS[s].vars[2] ? SETS[s].vars[2] : SETS[s].vars[1];
        double *y = load_var(ctx, L, lastvar);
        for (const char *style = "WB"; *style; style++) {
            agglo_weights *w = load_nb(ctx, SETS[s].set, n, *style);
            char st[2] = {*style, 0};
            for (int v = 0; v < 3 && SETS[s].vars[v]; v++) {
                const char *var = SETS[s].vars[v];
                char ctxname[64];
                snprintf(ctxname, sizeof ctxname, "%s %s %s", SETS[s].set, var, st);
                double *x = load_var(ctx, L, var);
                agglo_autocorr_options o;
                agglo_autocorr_options_init(&o);
                agglo_global_result r;
                assert_int_equal(agglo_moran_global(ctx, w, x, &o, &r), AGGLO_OK);
                assert_rel(r.statistic, ref(SETS[s].set, var, st, "moran_rand", "I"), TOL);
                assert_rel(r.expected, ref(SETS[s].set, var, st, "moran_rand", "EI"), TOL);
                assert_rel(r.var_rand, ref(SETS[s].set, var, st, "moran_rand", "VI"), TOL);
                assert_rel(r.z_rand, ref(SETS[s].set, var, st, "moran_rand", "Z"), TOL);
                assert_rel(r.p_rand, ref(SETS[s].set, var, st, "moran_rand", "P"), 1e-8);
                assert_rel(r.var_norm, ref(SETS[s].set, var, st, "moran_norm", "VI"), TOL);
                assert_rel(r.z_norm, ref(SETS[s].set, var, st, "moran_norm", "Z"), TOL);
                assert_rel(r.p_norm, ref(SETS[s].set, var, st, "moran_norm", "P"), 1e-8);

                assert_int_equal(agglo_geary_global(ctx, w, x, &o, &r), AGGLO_OK);
                assert_rel(r.statistic, ref(SETS[s].set, var, st, "geary_rand", "C"), TOL);
                assert_rel(r.var_rand, ref(SETS[s].set, var, st, "geary_rand", "VC"), TOL);
                assert_rel(r.z_rand, ref(SETS[s].set, var, st, "geary_rand", "Z"), TOL);
                assert_rel(r.p_rand, ref(SETS[s].set, var, st, "geary_rand", "P"), 1e-8);
                assert_rel(r.var_norm, ref(SETS[s].set, var, st, "geary_norm", "VC"), TOL);
                assert_rel(r.z_norm, ref(SETS[s].set, var, st, "geary_norm", "Z"), TOL);
                assert_rel(r.p_norm, ref(SETS[s].set, var, st, "geary_norm", "P"), 1e-8);

                double G = ref(SETS[s].set, var, st, "globalG", "G");
                if (!isnan(G)) {
                    assert_int_equal(agglo_getis_global(ctx, w, x, &o, &r), AGGLO_OK);
                    assert_rel(r.statistic, G, TOL);
                    assert_rel(r.expected, ref(SETS[s].set, var, st, "globalG", "EG"), TOL);
                    assert_rel(r.var_rand, ref(SETS[s].set, var, st, "globalG", "VG"), 1e-9);
                    assert_rel(r.z_rand, ref(SETS[s].set, var, st, "globalG", "Z"), 1e-9);
                    assert_rel(r.p_rand, ref(SETS[s].set, var, st, "globalG", "P"), 1e-8);
                }
                /* bivariate Moran: esda Moran_BV (row-standardised only: esda divides by n - 1
                 * with ddof-1 z-scores, agglo by S0 = n under W; no independent implementation
                 * exists for B, so B is not checked) */
                assert_int_equal(agglo_moran_bivariate(ctx, w, x, y, &o, &r), AGGLO_OK);
                if (st[0] == 'W') {
                    double Ib = bv_ref(SETS[s].set, var);
                    assert_false(isnan(Ib));
                    assert_rel(r.statistic, Ib, TOL);
                }
                /* the local bivariate statistics sum to S0 times the global one */
                agglo_local_result *lb = agglo_moran_local_bivariate(ctx, w, x, y, &o);
                assert_non_null(lb);
                double sum = 0;
                for (size_t i = 0; i < n; i++)
                    sum += lb->stat[i];
                assert_rel(sum / r.s0, r.statistic, 1e-9);
                agglo_local_result_free(lb);
                checked++;
                free(x);
            }
            agglo_weights_free(w);
        }
        free(y);
        agglo_layer_free(L);
    }
    assert_int_equal(checked, 18);
    agglo_ctx_free(ctx);
}

/* Column k (0-based, after i) of a local reference CSV. */
static double *local_col(const char *set, const char *var, int k, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/reference/autocorr/%s_%s_local.csv", AGGLO_TEST_DATA, set, var);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[2048];
    assert_non_null(fgets(line, sizeof line, f));
    double *v = malloc(n * sizeof(double));
    size_t i = 0;
    while (fgets(line, sizeof line, f) && i < n) {
        char *p = line;
        for (int c = 0; c <= k; c++)
            p = strchr(p, ',') + 1;
        v[i++] = strncmp(p, "NA", 2) == 0 ? NAN : strtod(p, NULL);
    }
    fclose(f);
    assert_int_equal(i, n);
    return v;
}

enum { C_II, C_E, C_V, C_Z, C_P, C_E0, C_V0, C_Z0, C_GI, C_GSW, C_GSB, C_QUADR, C_PFDR, C_PBONF };

static void test_local_against_spdep(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    for (size_t s = 0; s < sizeof SETS / sizeof SETS[0]; s++) {
        agglo_layer *L = read_set(ctx, set_file(SETS[s].set));
        size_t n = agglo_layer_count(L);
        agglo_weights *w = load_nb(ctx, SETS[s].set, n, 'W');
        agglo_weights *wb = load_nb(ctx, SETS[s].set, n, 'B');
        for (int v = 0; v < 3 && SETS[s].vars[v]; v++) {
            const char *var = SETS[s].vars[v];
            char ctxname[64];
            snprintf(ctxname, sizeof ctxname, "%s %s local", SETS[s].set, var);
            double *x = load_var(ctx, L, var);
            double *R[14];
            for (int k = 0; k < 14; k++)
                R[k] = local_col(SETS[s].set, var, k, n);
            agglo_autocorr_options o;
            agglo_autocorr_options_init(&o);
            agglo_local_result *r = agglo_moran_local(ctx, w, x, &o);
            assert_non_null(r);
            o.conditional = 0;
            agglo_local_result *r0 = agglo_moran_local(ctx, w, x, &o);
            assert_non_null(r0);
            for (size_t i = 0; i < n; i++) {
                assert_rel(r->stat[i], R[C_II][i], TOL);
                assert_rel(r->expected[i], R[C_E][i], TOL);
                assert_rel(r->variance[i], R[C_V][i], TOL);
                assert_rel(r->z[i], R[C_Z][i], TOL);
                assert_rel(r->p[i], R[C_P][i], 1e-8);
                assert_rel(r0->stat[i], R[C_II][i], TOL);
                assert_rel(r0->expected[i], R[C_E0][i], TOL);
                assert_rel(r0->variance[i], R[C_V0][i], TOL);
                assert_rel(r0->z[i], R[C_Z0][i], TOL);
                /* spdep "pysal" quadrants: 1 LL, 2 HL, 3 LH, 4 HH -> agglo 2, 4, 3, 1 */
                static const int map[5] = {0, 2, 4, 3, 1};
                assert_int_equal(r->quadrant[i], map[(int)R[C_QUADR][i]]);
            }
            double *adj = malloc(n * sizeof(double));
            assert_int_equal(agglo_p_adjust(ctx, r->p, n, AGGLO_CORRECT_FDR, adj), AGGLO_OK);
            for (size_t i = 0; i < n; i++)
                assert_rel(adj[i], R[C_PFDR][i], 1e-8);
            assert_int_equal(agglo_p_adjust(ctx, r->p, n, AGGLO_CORRECT_BONFERRONI, adj), AGGLO_OK);
            for (size_t i = 0; i < n; i++)
                assert_rel(adj[i], R[C_PBONF][i], 1e-8);
            free(adj);
            /* clusters: significant at 0.05 (analytic p, no correction) = quadrant */
            for (size_t i = 0; i < n; i++)
                assert_int_equal(r->cluster[i], R[C_P][i] <= 0.05 ? r->quadrant[i] : 0);

            agglo_local_result *g = agglo_getis_local(ctx, w, x, 0, &o);
            assert_non_null(g);
            for (size_t i = 0; i < n; i++)
                assert_rel(g->stat[i], R[C_GI][i], TOL);
            agglo_weights *ws = agglo_getis_star_weights(ctx, wb, 1.0);
            assert_non_null(ws);
            assert_int_equal(agglo_weights_transform(ctx, ws, AGGLO_TRANSFORM_W), AGGLO_OK);
            agglo_local_result *gs = agglo_getis_local(ctx, ws, x, 1, &o);
            assert_non_null(gs);
            for (size_t i = 0; i < n; i++) {
                assert_rel(gs->stat[i], R[C_GSW][i], TOL);
                int bin = fabs(gs->z[i]) > 2.5758293035489 ? 3 : fabs(gs->z[i]) > 1.959963984540
                                                                 ? 2
                                                             : fabs(gs->z[i]) > 1.6448536269514
                                                                 ? 1
                                                                 : 0;
                assert_int_equal(gs->cluster[i], gs->z[i] < 0 ? -bin : bin);
            }
            assert_int_equal(agglo_weights_transform(ctx, ws, AGGLO_TRANSFORM_B), AGGLO_OK);
            agglo_local_result *gsb = agglo_getis_local(ctx, ws, x, 1, &o);
            for (size_t i = 0; i < n; i++)
                assert_rel(gsb->stat[i], R[C_GSB][i], TOL);
            /* Gi* without the diagonal is refused */
            assert_null(agglo_getis_local(ctx, w, x, 1, &o));
            assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_USAGE);
            agglo_local_result_free(gsb);
            agglo_local_result_free(gs);
            agglo_local_result_free(g);
            agglo_weights_free(ws);
            agglo_local_result_free(r);
            agglo_local_result_free(r0);
            for (int k = 0; k < 14; k++)
                free(R[k]);
            free(x);
        }
        agglo_weights_free(w);
        agglo_weights_free(wb);
        agglo_layer_free(L);
    }
    agglo_ctx_free(ctx);
}

static void test_eb_moran(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = read_set(ctx, TEST_DATA("nc/nc.shp"));
    size_t n = agglo_layer_count(L);
    agglo_weights *w = load_nb(ctx, "nc", n, 'W');
    double *e = agglo_table_get_complete(ctx, agglo_layer_table(L), "SID74", "nc");
    double *b = agglo_table_get_complete(ctx, agglo_layer_table(L), "BIR74", "nc");
    double *z = malloc(n * sizeof(double));
    assert_int_equal(agglo_eb_standardise(ctx, e, b, n, z), AGGLO_OK);
    /* spdep EBImoran.mc(SID74, BIR74)$z */
    FILE *f = fopen(REF("nc_eb_z.csv"), "r");
    char line[128];
    assert_non_null(fgets(line, sizeof line, f));
    const char *ctxname = "nc EB";
    for (size_t i = 0; i < n; i++) {
        int k;
        double v;
        assert_int_equal(fscanf(f, "%d,%lf", &k, &v), 2);
        assert_rel(z[i], v, TOL);
    }
    fclose(f);
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = 99;
    agglo_global_result r;
    assert_int_equal(agglo_moran_eb(ctx, w, e, b, &o, &r), AGGLO_OK);
    assert_rel(r.statistic, ref("nc", "SID74/BIR74", "W", "ebmoran", "I"), TOL);
    assert_true(r.p_sim > 0 && r.p_sim <= 1);
    b[3] = 0;
    assert_int_equal(agglo_moran_eb(ctx, w, e, b, &o, &r), AGGLO_E_USAGE);
    free(z);
    free(e);
    free(b);
    agglo_weights_free(w);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* Same seed -> identical results with 1 and 2 threads; another seed -> different draws. */
static void test_permutations_deterministic(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = read_set(ctx, TEST_DATA("ny8/NY8_utm18.shp"));
    size_t n = agglo_layer_count(L);
    agglo_weights *w = load_nb(ctx, "ny8", n, 'W');
    double *x = load_var(ctx, L, "Cases");
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = 499;
    o.seed = 7;
    agglo_global_result a, b;
    agglo_ctx_set_threads(ctx, 1);
    assert_int_equal(agglo_moran_global(ctx, w, x, &o, &a), AGGLO_OK);
    agglo_local_result *la = agglo_moran_local(ctx, w, x, &o);
    agglo_ctx_set_threads(ctx, 2);
    assert_int_equal(agglo_moran_global(ctx, w, x, &o, &b), AGGLO_OK);
    agglo_local_result *lb = agglo_moran_local(ctx, w, x, &o);
    assert_non_null(la);
    assert_non_null(lb);
    assert_true(a.perm_mean == b.perm_mean && a.perm_sd == b.perm_sd && a.p_sim == b.p_sim);
    assert_int_equal(a.n_greater_equal, b.n_greater_equal);
    for (size_t i = 0; i < n; i++) {
        assert_true(la->p_sim[i] == lb->p_sim[i]);
        assert_true(la->sim_mean[i] == lb->sim_mean[i]);
    }
    o.seed = 8;
    assert_int_equal(agglo_moran_global(ctx, w, x, &o, &b), AGGLO_OK);
    assert_true(a.perm_mean != b.perm_mean);
    agglo_local_result_free(la);
    agglo_local_result_free(lb);
    free(x);
    agglo_weights_free(w);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* Permutation inference against spdep moran.mc(nsim = 99999, alternative = "greater")
 * (moran_mc.csv): the pseudo p agrees within the combined Monte Carlo error (4 standard
 * errors). The moments of the reference distribution equal the randomisation moments
 * (Cliff & Ord): mean E[I], variance VI_rand; the conditional permutation of observation i
 * has mean E(Ii) and variance Var(Ii) of localmoran(conditional = TRUE). Fixed seeds. */
static void test_permutation_matches_reference(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    FILE *f = fopen(REF("moran_mc.csv"), "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        char set[16], var[16];
        double nsim, p_ref, I_ref;
        assert_int_equal(sscanf(line, "%15[^,],%15[^,],%lf,%lf,%lf", set, var, &nsim, &p_ref, &I_ref),
                         5);
        agglo_layer *L = read_set(ctx, set_file(set));
        size_t n = agglo_layer_count(L);
        agglo_weights *w = load_nb(ctx, set, n, 'W');
        double *x = load_var(ctx, L, var);
        agglo_autocorr_options o;
        agglo_autocorr_options_init(&o);
        o.permutations = 99999;
        o.seed = 2024;
        o.alternative = AGGLO_ALT_GREATER;
        agglo_global_result r;
        assert_int_equal(agglo_moran_global(ctx, w, x, &o, &r), AGGLO_OK);
        const char *ctxname = set;
        assert_rel(r.statistic, I_ref, TOL);
        double se = sqrt(fmax(p_ref * (1 - p_ref), 1e-5) * 2.0 / 99999.0);
        print_message("%s %s: pseudo p %.5f, spdep moran.mc %.5f (se %.5f)\n", set, var,
                      r.p_perm, p_ref, se);
        assert_true(fabs(r.p_perm - p_ref) < 4 * se);
        double sd = sqrt(r.var_rand), N = (double)o.permutations;
        assert_true(fabs(r.perm_mean - r.expected) < 4 * sd / sqrt(N));
        assert_true(fabs(r.perm_sd / sd - 1) < 0.02);
        /* Geary and G: the permutation moments are the randomisation moments too */
        o.permutations = 19999;
        assert_int_equal(agglo_geary_global(ctx, w, x, &o, &r), AGGLO_OK);
        sd = sqrt(r.var_rand);
        assert_true(fabs(r.perm_mean - 1.0) < 4 * sd / sqrt(19999.0));
        assert_true(fabs(r.perm_sd / sd - 1) < 0.03);
        assert_int_equal(agglo_getis_global(ctx, w, x, &o, &r), AGGLO_OK);
        sd = sqrt(r.var_rand);
        assert_true(fabs(r.perm_mean - r.expected) < 4 * sd / sqrt(19999.0));
        assert_true(fabs(r.perm_sd / sd - 1) < 0.03);
        o.permutations = 4999;
        agglo_local_result *l = agglo_moran_local(ctx, w, x, &o);
        assert_non_null(l);
        size_t bad = 0;
        for (size_t i = 0; i < n; i++) {
            double v = l->variance[i];
            if (!(v > 0))
                continue;
            bad += fabs(l->sim_mean[i] - l->expected[i]) > 4.5 * sqrt(v / 4999.0);
            bad += fabs(l->sim_sd[i] * l->sim_sd[i] / v - 1) > 0.15;
        }
        assert_int_equal(bad, 0);
        agglo_local_result_free(l);
        free(x);
        agglo_weights_free(w);
        agglo_layer_free(L);
        rows++;
    }
    fclose(f);
    assert_int_equal(rows, 3);
    agglo_ctx_free(ctx);
}

/* Under a randomly shuffled variable (no spatial pattern) the one-sided pseudo p is
 * uniform on {1/(N+1), ..., 1}: chi-square over 5 bins of 300 replicates, fixed seeds,
 * critical value 18.47 (chi2, 4 df, 0.999). */
static void test_pseudo_p_uniform_under_null(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = read_set(ctx, TEST_DATA("columbus/columbus.shp"));
    size_t n = agglo_layer_count(L);
    agglo_weights *w = load_nb(ctx, "columbus", n, 'W');
    double *x = load_var(ctx, L, "CRIME");
    double *xs = malloc(n * sizeof(double));
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = 99;
    o.alternative = AGGLO_ALT_GREATER;
    int bins[5] = {0};
    const int R = 300;
    for (int rep = 0; rep < R; rep++) {
        agglo_rng g;
        agglo_rng_init(&g, 99, (uint64_t)rep);
        memcpy(xs, x, n * sizeof(double));
        for (size_t k = n - 1; k > 0; k--) {
            size_t j = agglo_rng_below(&g, (uint32_t)(k + 1));
            double t = xs[k];
            xs[k] = xs[j];
            xs[j] = t;
        }
        o.seed = 1000 + (uint64_t)rep;
        agglo_global_result r;
        assert_int_equal(agglo_moran_global(ctx, w, xs, &o, &r), AGGLO_OK);
        int b = (int)((r.p_perm - 1e-12) * 5);
        bins[b < 0 ? 0 : b > 4 ? 4 : b]++;
    }
    double chi = 0, e = R / 5.0;
    for (int b = 0; b < 5; b++)
        chi += (bins[b] - e) * (bins[b] - e) / e;
    print_message("pseudo p bins %d %d %d %d %d chi2 %.2f\n", bins[0], bins[1], bins[2], bins[3],
                  bins[4], chi);
    assert_true(chi < 18.47);
    free(xs);
    free(x);
    agglo_weights_free(w);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* An island (columbus with observation 1's links removed; spdep zero.policy = TRUE,
 * adjust.n = TRUE): global moments with n - 1, localmoran I_i = 0 and Z_i NaN for the island
 * (island.csv from scripts/reference/autocorr.R). */
static void test_islands(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = read_set(ctx, TEST_DATA("columbus/columbus.shp"));
    size_t n = agglo_layer_count(L);
    agglo_weights *w = load_nb(ctx, "columbus_island", n, 'W');
    assert_int_equal(agglo_weights_islands(w), 1);
    FILE *f = fopen(REF("island.csv"), "r");
    assert_non_null(f);
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    const char *ctxname = "columbus island";
    int checked = 0;
    while (fgets(line, sizeof line, f)) {
        char var[16], field[8];
        double v;
        assert_int_equal(sscanf(line, "%15[^,],%7[^,],%lf", var, field, &v), 3);
        double *x = load_var(ctx, L, var);
        agglo_global_result r;
        double got = NAN;
        if (!strcmp(field, "I") || !strcmp(field, "VI") || !strcmp(field, "Z")) {
            assert_int_equal(agglo_moran_global(ctx, w, x, NULL, &r), AGGLO_OK);
            assert_int_equal(r.n_used, n - 1);
            got = field[0] == 'I' ? r.statistic : field[0] == 'V' ? r.var_rand : r.z_rand;
        } else if (!strcmp(field, "C") || !strcmp(field, "VC")) {
            assert_int_equal(agglo_geary_global(ctx, w, x, NULL, &r), AGGLO_OK);
            got = field[0] == 'C' ? r.statistic : r.var_rand;
        } else if (!strcmp(field, "GZ")) {
            assert_int_equal(agglo_getis_global(ctx, w, x, NULL, &r), AGGLO_OK);
            got = r.z_rand;
        } else {
            agglo_local_result *l = agglo_moran_local(ctx, w, x, NULL);
            assert_non_null(l);
            assert_true(l->island[0] && l->cluster[0] == 5 && isnan(l->z[0]));
            got = !strcmp(field, "Ii2") ? l->stat[1] : !strcmp(field, "Zi2") ? l->z[1] : l->stat[0];
            agglo_local_result_free(l);
        }
        assert_rel(got, v, TOL);
        checked++;
        free(x);
    }
    fclose(f);
    assert_int_equal(checked, 18);
    agglo_weights_free(w);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

static void test_missing_and_bad_input(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = read_set(ctx, TEST_DATA("columbus/columbus.shp"));
    size_t n = agglo_layer_count(L);
    agglo_weights *w = load_nb(ctx, "columbus", n, 'W');
    double *x = load_var(ctx, L, "CRIME");
    x[4] = NAN;
    x[9] = NAN;
    agglo_global_result r;
    assert_int_equal(agglo_moran_global(ctx, w, x, NULL, &r), AGGLO_E_MISSING);
    const char *m = agglo_ctx_errmsg(ctx);
    assert_non_null(strstr(m, "2 missing values"));
    assert_non_null(strstr(m, "5, 10"));
    assert_null(agglo_moran_local(ctx, w, x, NULL));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_MISSING);
    /* LISA refuses weights with a diagonal (spdep localmoran refuses include.self) */
    x[4] = x[9] = 1.0;
    agglo_weights *ws = agglo_getis_star_weights(ctx, w, 1.0);
    assert_null(agglo_moran_local(ctx, ws, x, NULL));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_USAGE);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "own neighbour"));
    agglo_weights_free(ws);
    /* constant variable */
    for (size_t i = 0; i < n; i++)
        x[i] = 3;
    assert_int_equal(agglo_moran_global(ctx, w, x, NULL, &r), AGGLO_E_NUMERIC);
    /* negative values in General G */
    x[0] = -1;
    assert_int_equal(agglo_getis_global(ctx, w, x, NULL, &r), AGGLO_E_USAGE);
    free(x);
    agglo_weights_free(w);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}


/* ---------------------------------------------------------------- styles U and minmax */

typedef struct sref {
    char set[24], var[16], style[8], test[16], field[8];
    double value;
} sref;

/* Moran's I (randomisation and normality) and Geary's C under every spdep nb2listw style,
 * U and minmax included, against styles.csv (spdep moran.test / geary.test); 1e-10. */
static void test_styles_against_spdep(void **state)
{
    (void)state;
    FILE *f = fopen(REF("styles.csv"), "r");
    assert_non_null(f);
    char line[512];
    assert_non_null(fgets(line, sizeof line, f));
    size_t cap = 1024, m = 0;
    sref *R = malloc(cap * sizeof *R);
    while (fgets(line, sizeof line, f)) {
        sref g;
        if (sscanf(line, "%23[^,],%15[^,],%7[^,],%15[^,],%7[^,],%lf", g.set, g.var, g.style,
                   g.test, g.field, &g.value) != 6)
            continue;
        if (m == cap)
            R = realloc(R, (cap *= 2) * sizeof *R);
        R[m++] = g;
    }
    fclose(f);
    assert_true(m > 400);
    agglo_ctx *ctx = agglo_ctx_create();
    size_t checked = 0;
    for (size_t k = 0; k < m;) {
        /* one block per set / var / style */
        size_t e = k;
        while (e < m && !strcmp(R[e].set, R[k].set) && !strcmp(R[e].var, R[k].var) &&
               !strcmp(R[e].style, R[k].style))
            e++;
        const char *set = R[k].set, *var = R[k].var;
        int island = !strcmp(set, "columbus_island");
        agglo_layer *L = read_set(ctx, set_file(island ? "columbus" : set));
        assert_non_null(L);
        size_t n = agglo_layer_count(L);
        agglo_transform t;
        assert_int_equal(agglo_transform_parse(R[k].style, &t), 0);
        agglo_weights *w = load_nb(ctx, set, n, (char)t);
        double *x = load_var(ctx, L, var);
        agglo_autocorr_options o;
        agglo_autocorr_options_init(&o);
        agglo_global_result mr, gr;
        assert_int_equal(agglo_moran_global(ctx, w, x, &o, &mr), AGGLO_OK);
        assert_int_equal(agglo_geary_global(ctx, w, x, &o, &gr), AGGLO_OK);
        char ctxname[96];
        snprintf(ctxname, sizeof ctxname, "%s %s style %s", set, var, R[k].style);
        for (size_t j = k; j < e; j++) {
            const char *tn = R[j].test, *fd = R[j].field;
            int rnd = !strcmp(tn, "moran_rand"), nrm = !strcmp(tn, "moran_norm");
            double v = NAN, tol = TOL;
            if (rnd || nrm) {
                if (!strcmp(fd, "I"))
                    v = mr.statistic;
                else if (!strcmp(fd, "EI"))
                    v = mr.expected;
                else if (!strcmp(fd, "VI"))
                    v = rnd ? mr.var_rand : mr.var_norm;
                else if (!strcmp(fd, "Z"))
                    v = rnd ? mr.z_rand : mr.z_norm;
                else if (!strcmp(fd, "P")) {
                    v = rnd ? mr.p_rand : mr.p_norm;
                    tol = 1e-8;
                }
            } else if (!strcmp(tn, "geary_rand")) {
                if (!strcmp(fd, "C"))
                    v = gr.statistic;
                else if (!strcmp(fd, "VC"))
                    v = gr.var_rand;
                else if (!strcmp(fd, "Z"))
                    v = gr.z_rand;
            }
            assert_false(isnan(v));
            assert_rel(v, R[j].value, tol);
            checked++;
        }
        if (t == AGGLO_TRANSFORM_U)
            assert_true(fabs(mr.s0 - 1.0) < 1e-12);
        free(x);
        agglo_weights_free(w);
        agglo_layer_free(L);
        k = e;
    }
    assert_int_equal(checked, m);
    free(R);
    agglo_ctx_free(ctx);
}

/* ---------------------------------------------------------------- Gi / Gi* permutations */

typedef struct gpref {
    char set[16], var[16], style[4], stat[8];
    size_t i;
    double G, sE, sV, sp;     /* spdep localG_perm: Gi, E.Gi, Var.Gi, Pr(folded) Sim */
    double eG, em, esd, epd, ept, etie; /* esda G_Local: Gs, EG_sim, seG_sim, p directed,
                                           p with ties in both tails, share of ties */
    long nsim_spdep, nsim_esda;
} gpref;

static double qnorm_upper(double z) { return 0.5 * erfc(z / M_SQRT2); }

/* Conditional permutation of local Gi / Gi* (agglo_getis_local with permutations) against
 * esda G_Local (localG_esda.csv, 99,999 draws without replacement, x_i held fixed: the same
 * procedure) and spdep localG_perm (localG_perm.csv), N = 9999 permutations (seed 2024):
 *  - G_i equals spdep's internals "Gi" and esda's Gs (1e-10); the analytic z / p are
 *    bit-identical to a run without permutations;
 *  - the mean of the simulated G_i is within 4.5 combined Monte Carlo standard errors
 *    sd sqrt(1/N + 1/N_esda) of esda's EG_sim, the sd within 5 combined standard errors of
 *    esda's seG_sim, the standard error of an sd estimate being sd sqrt((kappa - 1) / (4N))
 *    with kappa the kurtosis of the other values (a bound for that of a weighted sum of k >= 1
 *    of them);
 *  - the folded pseudo p (ties counted in both tails) is within 4.5 combined standard errors
 *    sqrt(p (1-p) (1/N + 1/N_esda)) (+ the two grid steps) of esda's own counts on its draws,
 *    min(calculate_significance "greater", "lesser"): agreement "within Monte Carlo error" is
 *    the only possible check, esda's random draws cannot be reproduced. Regions with many ties
 *    (nc SIDR74: rates of 0) are where this rule and esda's legacy "directed" p (GeoDa's and
 *    spdep's rule) differ: at least one such region must show the difference, and agglo must
 *    follow the tie-aware p there;
 *  - spdep localG_perm (nsim 99999) draws WITH replacement (and for Gi* also replaces the
 *    region's own value), so for Gi its E.Gi estimates the same mean (4.5 combined standard
 *    errors) and its Var.Gi times m/(m-1) (1 - (sum w)^2 / (m sum w^2)) (m = n-1, the
 *    finite-population factor) the same variance (5 standard errors as above, doubled for a
 *    variance); where ties are negligible (esda tie share < 1e-3: spdep's folded p counts ties
 *    in the upper tail only) its pseudo p agrees within 4.5 combined standard errors plus the
 *    shift that the different sd causes under a normal approximation,
 *    |Phi(-|d|/sd) - Phi(-|d|/sd_spdep)| with d = G_i - mean. Gi*: spdep's procedure differs
 *    (the own value is permuted too), so only the esda reference applies. */
static void test_getis_permutations(void **state)
{
    (void)state;
    FILE *f = fopen(REF("localG_perm.csv"), "r");
    FILE *fe = fopen(REF("localG_esda.csv"), "r");
    assert_non_null(f);
    assert_non_null(fe);
    char line[1024], le[1024];
    assert_non_null(fgets(line, sizeof line, f));
    assert_non_null(fgets(le, sizeof le, fe));
    size_t cap = 1024, m = 0;
    gpref *R = malloc(cap * sizeof *R);
    while (fgets(line, sizeof line, f)) {
        gpref g;
        if (sscanf(line, "%15[^,],%15[^,],%3[^,],%7[^,],%zu,%lf,%lf,%lf,%lf,%ld", g.set, g.var,
                   g.style, g.stat, &g.i, &g.G, &g.sE, &g.sV, &g.sp, &g.nsim_spdep) != 10)
            continue;
        assert_non_null(fgets(le, sizeof le, fe));
        char es[16], ev[16], est[4], ek[8];
        size_t ei;
        assert_int_equal(sscanf(le, "%15[^,],%15[^,],%3[^,],%7[^,],%zu,%lf,%lf,%lf,%lf,%lf,%lf,%ld",
                                es, ev, est, ek, &ei, &g.eG, &g.em, &g.esd, &g.epd, &g.ept,
                                &g.etie, &g.nsim_esda),
                         12);
        assert_true(!strcmp(es, g.set) && !strcmp(ev, g.var) && !strcmp(est, g.style) &&
                    !strcmp(ek, g.stat) && ei == g.i);
        if (m == cap)
            R = realloc(R, (cap *= 2) * sizeof *R);
        R[m++] = g;
    }
    fclose(f);
    fclose(fe);
    assert_int_equal(m, 2 * 2 * (49 + 100));
    agglo_ctx *ctx = agglo_ctx_create();
    const long N = 9999;
    size_t checked = 0, spdep_checked = 0, tie_regions = 0;
    for (size_t k = 0; k < m;) {
        size_t e = k;
        while (e < m && !strcmp(R[e].set, R[k].set) && !strcmp(R[e].var, R[k].var) &&
               !strcmp(R[e].stat, R[k].stat))
            e++;
        const char *set = R[k].set, *var = R[k].var;
        int star = !strcmp(R[k].stat, "GiStar");
        agglo_layer *L = read_set(ctx, set_file(set));
        size_t n = agglo_layer_count(L);
        assert_int_equal(e - k, n);
        agglo_transform t;
        assert_int_equal(agglo_transform_parse(R[k].style, &t), 0);
        agglo_weights *w = load_nb(ctx, set, n, star ? (char)AGGLO_TRANSFORM_V : (char)t);
        if (star) {
            agglo_weights *ws = agglo_getis_star_weights(ctx, w, 1.0);
            assert_non_null(ws);
            assert_int_equal(agglo_weights_transform(ctx, ws, t), AGGLO_OK);
            agglo_weights_free(w);
            w = ws;
        }
        double *x = load_var(ctx, L, var);
        agglo_autocorr_options o;
        agglo_autocorr_options_init(&o);
        agglo_local_result *a = agglo_getis_local(ctx, w, x, star, &o);
        o.permutations = N;
        o.seed = 2024;
        agglo_local_result *r = agglo_getis_local(ctx, w, x, star, &o);
        assert_non_null(a);
        assert_non_null(r);
        assert_null(a->p_sim);
        assert_non_null(r->p_sim);
        assert_non_null(r->g_value);
        const size_t *rp = agglo_weights_row_ptr(w);
        const int32_t *col = agglo_weights_col(w);
        const double *wv = agglo_weights_values(w);
        double sum = 0;
        for (size_t i = 0; i < n; i++)
            sum += x[i];
        for (size_t j = k; j < e; j++) {
            size_t i = R[j].i - 1;
            char ctxname[96];
            snprintf(ctxname, sizeof ctxname, "%s %s %s i=%zu", set, var, R[j].stat, i + 1);
            assert_rel(r->g_value[i], R[j].G, TOL);
            assert_rel(r->g_value[i], R[j].eG, TOL);
            assert_true(memcmp(&a->z[i], &r->z[i], sizeof(double)) == 0);
            assert_true(memcmp(&a->p[i], &r->p[i], sizeof(double)) == 0);
            /* kurtosis of the n-1 other values */
            double mu = (sum - x[i]) / (double)(n - 1), m2 = 0, m4 = 0;
            for (size_t q = 0; q < n; q++)
                if (q != i) {
                    double d = x[q] - mu;
                    m2 += d * d;
                    m4 += d * d * d * d;
                }
            m2 /= (double)(n - 1);
            m4 /= (double)(n - 1);
            double kappa = m4 / (m2 * m2);
            double NE = (double)R[j].nsim_esda;
            double inv = 1.0 / (double)N + 1.0 / NE;
            double se_mean = R[j].esd * sqrt(inv);
            double rel_sd = sqrt((kappa - 1) / 4.0 * inv);
            if (fabs(r->sim_mean[i] - R[j].em) > 4.5 * se_mean ||
                fabs(r->sim_sd[i] / R[j].esd - 1) > 5 * rel_sd) {
                print_error("%s: simulated mean %.10g sd %.10g, esda %.10g %.10g\n", ctxname,
                            r->sim_mean[i], r->sim_sd[i], R[j].em, R[j].esd);
                fail();
            }
            double p = R[j].ept;
            double se = sqrt(p * (1 - p) * inv);
            double grid = 1.0 / (double)(N + 1) + 1.0 / (NE + 1);
            if (fabs(r->p_sim[i] - p) > 4.5 * se + grid) {
                print_error("%s: pseudo p %.6f, esda (ties in both tails) %.6f (se %.4f)\n",
                            ctxname, r->p_sim[i], p, se);
                fail();
            }
            double sep = sqrt(R[j].epd * (1 - R[j].epd) * inv);
            if (R[j].ept - R[j].epd > 4.5 * sep + grid) {
                /* ties matter here: agglo is far from the legacy rule's p */
                tie_regions++;
                assert_true(r->p_sim[i] - R[j].epd > 4.5 * sep);
            }
            if (!star && R[j].etie < 1e-3) {
                double NS = (double)R[j].nsim_spdep;
                double se_m = sqrt(R[j].sV / NS + R[j].esd * R[j].esd / (double)N);
                if (fabs(R[j].sE - r->sim_mean[i]) > 4.5 * se_m) {
                    print_error("%s: spdep E.Gi %.10g, agglo mean %.10g\n", ctxname, R[j].sE,
                                r->sim_mean[i]);
                    fail();
                }
                double sw = 0, sw2 = 0, md = (double)(n - 1);
                for (size_t q = rp[i]; q < rp[i + 1]; q++)
                    if ((size_t)col[q] != i) {
                        sw += wv[q];
                        sw2 += wv[q] * wv[q];
                    }
                double fpc = md / (md - 1) * (1 - sw * sw / (md * sw2));
                double var_wo = R[j].sV * fpc, var_ours = r->sim_sd[i] * r->sim_sd[i];
                if (fabs(var_ours / var_wo - 1) > 10 * rel_sd * sqrt(1 + (double)N / NS)) {
                    print_error("%s: spdep Var.Gi x fpc %.10g, agglo %.10g\n", ctxname, var_wo,
                                var_ours);
                    fail();
                }
                double dz = fabs(r->g_value[i] - R[j].em);
                double shift = fabs(qnorm_upper(dz / R[j].esd) - qnorm_upper(dz / sqrt(R[j].sV)));
                double sp = R[j].sp;
                double se_s = sqrt(fmax(sp * (1 - sp), p * (1 - p)) * (1.0 / (double)N + 1.0 / NS));
                if (fabs(r->p_sim[i] - sp) > 4.5 * se_s + shift + 1.0 / (double)(N + 1)) {
                    print_error("%s: pseudo p %.6f, spdep localG_perm %.6f (se %.4f, shift %.4f)\n",
                                ctxname, r->p_sim[i], sp, se_s, shift);
                    fail();
                }
                spdep_checked++;
            }
            checked++;
        }
        /* Gi_Bin from the permutation p: same sign as z, level from p_sim */
        for (size_t i = 0; i < n; i++) {
            double p = r->p_sim[i];
            int lev = p <= 0.01 ? 3 : p <= 0.05 ? 2 : p <= 0.10 ? 1 : 0;
            assert_int_equal(r->cluster[i], r->z[i] < 0 ? -lev : lev);
            assert_true(r->p_adjusted[i] == r->p_sim[i]);
        }
        agglo_local_result_free(a);
        agglo_local_result_free(r);
        free(x);
        agglo_weights_free(w);
        agglo_layer_free(L);
        k = e;
    }
    assert_int_equal(checked, m);
    assert_true(spdep_checked >= m / 4); /* Gi rows without material ties */
    assert_true(tie_regions >= 1);
    print_message("localG permutations: %zu regions vs esda, %zu vs spdep, %zu where ties "
                  "matter\n", checked, spdep_checked, tie_regions);
    free(R);
    agglo_ctx_free(ctx);
}

/* Gi / Gi* permutations: identical for 1 and 2 threads, changed by the seed; with a
 * correction the bins use the corrected permutation p (R p.adjust semantics, checked through
 * agglo_p_adjust on the same p); islands get NaN. */
static void test_getis_permutations_deterministic(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = read_set(ctx, TEST_DATA("ny8/NY8_utm18.shp"));
    size_t n = agglo_layer_count(L);
    agglo_weights *w0 = load_nb(ctx, "ny8", n, (char)AGGLO_TRANSFORM_V);
    agglo_weights *ws = agglo_getis_star_weights(ctx, w0, 1.0);
    assert_int_equal(agglo_weights_transform(ctx, ws, AGGLO_TRANSFORM_W), AGGLO_OK);
    assert_int_equal(agglo_weights_transform(ctx, w0, AGGLO_TRANSFORM_W), AGGLO_OK);
    double *x = load_var(ctx, L, "Cases");
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = 999;
    o.seed = 11;
    for (int star = 0; star < 2; star++) {
        agglo_weights *w = star ? ws : w0;
        agglo_ctx_set_threads(ctx, 1);
        agglo_local_result *a = agglo_getis_local(ctx, w, x, star, &o);
        agglo_ctx_set_threads(ctx, 2);
        agglo_local_result *b = agglo_getis_local(ctx, w, x, star, &o);
        o.seed = 12;
        agglo_local_result *c = agglo_getis_local(ctx, w, x, star, &o);
        o.seed = 11;
        o.correction = AGGLO_CORRECT_FDR;
        agglo_local_result *d = agglo_getis_local(ctx, w, x, star, &o);
        o.correction = AGGLO_CORRECT_NONE;
        assert_non_null(a);
        assert_non_null(b);
        assert_non_null(c);
        assert_non_null(d);
        size_t differ = 0;
        for (size_t i = 0; i < n; i++) {
            assert_true(memcmp(&a->p_sim[i], &b->p_sim[i], sizeof(double)) == 0);
            assert_true(memcmp(&a->sim_mean[i], &b->sim_mean[i], sizeof(double)) == 0);
            assert_true(memcmp(&a->sim_sd[i], &b->sim_sd[i], sizeof(double)) == 0);
            assert_int_equal(a->cluster[i], b->cluster[i]);
            differ += a->p_sim[i] != c->p_sim[i];
            assert_true(memcmp(&a->p_sim[i], &d->p_sim[i], sizeof(double)) == 0);
        }
        assert_true(differ > n / 2);
        double *adj = malloc(n * sizeof(double));
        assert_int_equal(agglo_p_adjust(ctx, a->p_sim, n, AGGLO_CORRECT_FDR, adj), AGGLO_OK);
        for (size_t i = 0; i < n; i++) {
            assert_true(adj[i] == d->p_adjusted[i]);
            int lev = adj[i] <= 0.01 ? 3 : adj[i] <= 0.05 ? 2 : adj[i] <= 0.10 ? 1 : 0;
            assert_int_equal(d->cluster[i], d->z[i] < 0 ? -lev : lev);
        }
        free(adj);
        agglo_local_result_free(a);
        agglo_local_result_free(b);
        agglo_local_result_free(c);
        agglo_local_result_free(d);
    }
    agglo_weights_free(ws);
    agglo_weights_free(w0);
    /* islands: NaN pseudo p, bin 0 */
    agglo_weights *wi = load_nb(ctx, "columbus_island", 49, 'W');
    agglo_layer *C = read_set(ctx, set_file("columbus"));
    double *y = load_var(ctx, C, "CRIME");
    agglo_local_result *r = agglo_getis_local(ctx, wi, y, 0, &o);
    assert_non_null(r);
    assert_true(r->island[0] && isnan(r->p_sim[0]) && isnan(r->g_value[0]));
    assert_int_equal(r->cluster[0], 0);
    assert_false(isnan(r->p_sim[1]));
    agglo_local_result_free(r);
    free(y);
    agglo_weights_free(wi);
    agglo_layer_free(C);
    free(x);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* ---------------------------------------------------------------- degenerate input */

static void collect_warning(const char *msg, void *ud)
{
    char *buf = ud;
    size_t l = strlen(buf);
    snprintf(buf + l, 4096 - l, "%s\n", msg);
}

/* A constant variable is refused by every statistic (no variance: Gi* used to give
 * z = +-inf and 99 % hot and cold spots). */
static void test_degenerate_constant(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    size_t n = 49;
    agglo_weights *w = load_nb(ctx, "columbus", n, 'W');
    agglo_weights *ws = agglo_getis_star_weights(ctx, w, 1.0);
    double *x = malloc(n * sizeof(double)), *y = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        x[i] = 7.25;
        y[i] = (double)(i % 5);
    }
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = 99;
    agglo_global_result g;
#define REFUSED(call)                                                                            \
    do {                                                                                         \
        agglo_ctx_clear_error(ctx);                                                              \
        (void)(call);                                                                            \
        assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_NUMERIC);                               \
        assert_non_null(strstr(agglo_ctx_errmsg(ctx), "is constant"));                           \
    } while (0)
    REFUSED(agglo_moran_global(ctx, w, x, &o, &g));
    REFUSED(agglo_geary_global(ctx, w, x, &o, &g));
    REFUSED(agglo_getis_global(ctx, w, x, &o, &g));
    REFUSED(agglo_moran_bivariate(ctx, w, y, x, &o, &g));
    agglo_local_result *l = NULL;
    REFUSED(l = agglo_moran_local(ctx, w, x, &o));
    assert_null(l);
    REFUSED(l = agglo_moran_local_bivariate(ctx, w, x, y, &o));
    assert_null(l);
    REFUSED(l = agglo_getis_local(ctx, w, x, 0, &o));
    assert_null(l);
    REFUSED(l = agglo_getis_local(ctx, ws, x, 1, &o));
    assert_null(l);
#undef REFUSED
    free(x);
    free(y);
    agglo_weights_free(ws);
    agglo_weights_free(w);
    agglo_ctx_free(ctx);
}

/* Runs every statistic on x and returns a vector of its outputs (NaN-safe comparison). */
static size_t all_outputs(agglo_ctx *ctx, const agglo_weights *w, const agglo_weights *ws,
                          const double *x, double *out)
{
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = 199;
    o.seed = 77;
    size_t k = 0;
    agglo_global_result g;
    assert_int_equal(agglo_moran_global(ctx, w, x, &o, &g), AGGLO_OK);
    out[k++] = g.statistic, out[k++] = g.z_rand, out[k++] = g.z_norm, out[k++] = g.p_sim;
    out[k++] = g.kurtosis, out[k++] = g.perm_z;
    assert_int_equal(agglo_geary_global(ctx, w, x, &o, &g), AGGLO_OK);
    out[k++] = g.statistic, out[k++] = g.z_rand, out[k++] = g.p_sim;
    assert_int_equal(agglo_getis_global(ctx, w, x, &o, &g), AGGLO_OK);
    out[k++] = g.statistic, out[k++] = g.z_rand, out[k++] = g.p_sim;
    size_t n = agglo_weights_n(w);
    agglo_local_result *l = agglo_moran_local(ctx, w, x, &o);
    assert_non_null(l);
    for (size_t i = 0; i < n; i++) {
        out[k++] = l->stat[i], out[k++] = l->z[i], out[k++] = l->p_sim[i];
        out[k++] = l->cluster[i], out[k++] = l->sim_sd[i];
    }
    agglo_local_result_free(l);
    l = agglo_getis_local(ctx, ws, x, 1, &o);
    assert_non_null(l);
    for (size_t i = 0; i < n; i++) {
        out[k++] = l->z[i], out[k++] = l->g_value[i], out[k++] = l->p_sim[i];
        out[k++] = l->cluster[i];
    }
    agglo_local_result_free(l);
    l = agglo_getis_local(ctx, w, x, 0, &o);
    assert_non_null(l);
    for (size_t i = 0; i < n; i++)
        out[k++] = l->z[i], out[k++] = l->cluster[i];
    agglo_local_result_free(l);
    return k;
}

/* Values near DBL_MAX and subnormal values: the statistics are scale-free, so x 2^k must give
 * bit-identical results to x (sums of squares used to overflow to inf, giving NaN statistics
 * and NaN hot-spot bins; subnormal squares underflowed to 0, "constant"); x times 1e306 (not a
 * power of two) the same results to rounding. */
static void test_degenerate_magnitude(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L = read_set(ctx, TEST_DATA("columbus/columbus.shp"));
    size_t n = agglo_layer_count(L);
    agglo_weights *w = load_nb(ctx, "columbus", n, 'W');
    agglo_weights *wv = load_nb(ctx, "columbus", n, (char)AGGLO_TRANSFORM_V);
    agglo_weights *ws = agglo_getis_star_weights(ctx, wv, 1.0);
    assert_int_equal(agglo_weights_transform(ctx, ws, AGGLO_TRANSFORM_W), AGGLO_OK);
    double *x = load_var(ctx, L, "CRIME");
    double *big = malloc(n * sizeof(double)), *dec = malloc(n * sizeof(double));
    double *sub = malloc(n * sizeof(double)), *back = malloc(n * sizeof(double));
    double xmax = 0;
    for (size_t i = 0; i < n; i++) {
        big[i] = ldexp(x[i], 1017); /* CRIME max 68.9: up to 9.7e307 */
        dec[i] = x[i] * 1e306;
        sub[i] = ldexp(x[i], -1060); /* subnormal: rounded to multiples of 2^-1074 */
        back[i] = ldexp(sub[i], 1060); /* the same (rounded) values, exactly, near 1 */
        xmax = fmax(xmax, big[i]);
    }
    assert_true(xmax > 9e307);
    assert_true(fpclassify(sub[0]) == FP_SUBNORMAL);
    size_t cap = 12 + 11 * n;
    double *r0 = malloc(cap * sizeof(double)), *r1 = malloc(cap * sizeof(double));
    size_t k = all_outputs(ctx, w, ws, x, r0);
    assert_true(k <= cap);
    assert_int_equal(all_outputs(ctx, w, ws, big, r1), k);
    for (size_t j = 0; j < k; j++)
        if (memcmp(&r0[j], &r1[j], sizeof(double)) != 0) {
            print_error("x 2^1017: output %zu = %.17g, x gives %.17g\n", j, r1[j], r0[j]);
            fail();
        }
    assert_int_equal(all_outputs(ctx, w, ws, dec, r1), k);
    for (size_t j = 0; j < k; j++) {
        assert_true(isfinite(r1[j]) == isfinite(r0[j]));
        if (isfinite(r0[j]) && !(fabs(r1[j] - r0[j]) <= 1e-9 * fmax(1.0, fabs(r0[j])))) {
            print_error("x 1e306: output %zu = %.17g, x gives %.17g\n", j, r1[j], r0[j]);
            fail();
        }
    }
    assert_int_equal(all_outputs(ctx, w, ws, back, r0), k);
    assert_int_equal(all_outputs(ctx, w, ws, sub, r1), k);
    for (size_t j = 0; j < k; j++)
        if (memcmp(&r0[j], &r1[j], sizeof(double)) != 0) {
            print_error("subnormal: output %zu = %.17g, rescaled %.17g\n", j, r1[j], r0[j]);
            fail();
        }
    free(r0);
    free(r1);
    free(x);
    free(big);
    free(dec);
    free(sub);
    free(back);
    agglo_weights_free(ws);
    agglo_weights_free(wv);
    agglo_weights_free(w);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* Permutation ties: on the complete graph with equal weights every permutation gives the
 * observed Moran's I, Geary's C, G and local Moran, and with zero weights every local
 * statistic is 0: the pseudo p must be 1 (ties count as at least as extreme), not 1/(N+1),
 * and nothing may be labelled significant. */
static void test_degenerate_ties(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    char warn[4096] = "";
    agglo_ctx_set_warning_handler(ctx, collect_warning, warn);
    const size_t n = 12;
    size_t rp[13], nnz = n * (n - 1);
    int32_t *col = malloc(nnz * sizeof(int32_t));
    double *val = malloc(nnz * sizeof(double));
    size_t e = 0;
    for (size_t i = 0; i < n; i++) {
        rp[i] = e;
        for (size_t j = 0; j < n; j++)
            if (j != i) {
                col[e] = (int32_t)j;
                val[e++] = 1.0;
            }
    }
    rp[n] = e;
    agglo_weights *w = agglo_weights_create(ctx, n, rp, col, val, NULL);
    assert_non_null(w);
    double x[12] = {3, 9, 1, 4, 4, 7, 12, 0.5, 8, 2, 6, 10};
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    o.permutations = 499;
    agglo_global_result g;
    int (*globals[3])(agglo_ctx *, const agglo_weights *, const double *,
                      const agglo_autocorr_options *, agglo_global_result *) = {
        agglo_moran_global, agglo_geary_global, agglo_getis_global};
    for (int s = 0; s < 3; s++)
        for (int alt = 0; alt < 3; alt++) {
            o.alternative = (agglo_alternative)alt;
            assert_int_equal(globals[s](ctx, w, x, &o, &g), AGGLO_OK);
            assert_int_equal(g.n_greater_equal, 499);
            assert_int_equal(g.n_less_equal, 499);
            assert_true(g.p_sim == 1.0);
            assert_true(g.p_perm == 1.0);
        }
    o.alternative = AGGLO_ALT_TWO_SIDED;
    agglo_local_result *l = agglo_moran_local(ctx, w, x, &o);
    assert_non_null(l);
    for (size_t i = 0; i < n; i++) {
        assert_true(l->p_sim[i] == 1.0);
        assert_int_equal(l->cluster[i], 0);
        assert_true(isnan(l->z[i])); /* conditional variance 0 */
    }
    assert_int_equal(l->all_ties, n);
    assert_int_equal(l->undefined, n);
    assert_int_equal(l->counts[0], n);
    agglo_local_result_free(l);
    assert_non_null(strstr(warn, "12 observation(s) whose every permuted statistic tied"));
    /* zero weights on columbus's neighbour structure */
    agglo_weights *wc = load_nb(ctx, "columbus", 49, 'B');
    size_t m = agglo_weights_row_ptr(wc)[49];
    double *zero = calloc(m, sizeof(double));
    agglo_weights *wz = agglo_weights_create(ctx, 49, agglo_weights_row_ptr(wc),
                                             agglo_weights_col(wc), zero, NULL);
    assert_non_null(wz);
    agglo_layer *L = read_set(ctx, TEST_DATA("columbus/columbus.shp"));
    double *cx = load_var(ctx, L, "CRIME");
    warn[0] = '\0';
    l = agglo_moran_local(ctx, wz, cx, &o);
    assert_non_null(l);
    for (size_t i = 0; i < 49; i++) {
        assert_true(l->stat[i] == 0 && l->p_sim[i] == 1.0 && l->cluster[i] == 0);
        assert_true(isnan(l->z[i]) && isnan(l->p[i]));
    }
    assert_int_equal(l->counts[0], 49);
    assert_int_equal(l->all_ties, 49);
    agglo_local_result_free(l);
    assert_non_null(strstr(warn, "tied"));
    assert_non_null(strstr(warn, "no variance"));
    /* Gi with zero weights: every permuted G ties the observed 0 */
    l = agglo_getis_local(ctx, wz, cx, 0, &o);
    assert_non_null(l);
    for (size_t i = 0; i < 49; i++)
        assert_true(l->p_sim[i] == 1.0 && l->cluster[i] == 0 && isnan(l->z[i]));
    agglo_local_result_free(l);
    free(zero);
    free(cx);
    agglo_layer_free(L);
    agglo_weights_free(wz);
    agglo_weights_free(wc);
    agglo_weights_free(w);
    free(col);
    free(val);
    agglo_ctx_free(ctx);
}

/* Gi / Gi* at islands (NA and a warning, as spdep localG with zero.policy gives NaN for Gi)
 * and where the other values are all equal (no variance: NA, not +-inf). */
static void test_degenerate_gi_islands(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    char warn[4096] = "";
    agglo_ctx_set_warning_handler(ctx, collect_warning, warn);
    agglo_layer *L = read_set(ctx, TEST_DATA("columbus/columbus.shp"));
    size_t n = agglo_layer_count(L);
    agglo_weights *w = load_nb(ctx, "columbus_island", n, 'W');
    double *x = load_var(ctx, L, "CRIME");
    agglo_autocorr_options o;
    agglo_autocorr_options_init(&o);
    agglo_local_result *l = agglo_getis_local(ctx, w, x, 0, &o);
    assert_non_null(l);
    assert_int_equal(l->islands, 1);
    assert_true(l->island[0] && isnan(l->z[0]) && isnan(l->p[0]) && l->cluster[0] == 0);
    assert_non_null(strstr(warn, "Gi: 1 observation(s) without neighbours"));
    /* spdep localG: the other Gi agree (island.csv's weights; localG is checked on the full
     * queen weights in test_local_against_spdep) */
    for (size_t i = 1; i < n; i++)
        assert_true(isfinite(l->z[i]));
    agglo_local_result_free(l);
    /* one value different from the 48 others: Gi there has no variance */
    agglo_weights *wq = load_nb(ctx, "columbus", n, 'W');
    for (size_t i = 0; i < n; i++)
        x[i] = i == 7 ? 5.0 : 1.0;
    warn[0] = '\0';
    l = agglo_getis_local(ctx, wq, x, 0, &o);
    assert_non_null(l);
    assert_true(isnan(l->z[7]) && l->cluster[7] == 0);
    assert_int_equal(l->undefined, 1);
    for (size_t i = 0; i < n; i++)
        assert_false(isinf(l->z[i]));
    assert_non_null(strstr(warn, "no variance"));
    agglo_local_result_free(l);
    free(x);
    agglo_weights_free(wq);
    agglo_weights_free(w);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_global_against_spdep),
        cmocka_unit_test(test_local_against_spdep),
        cmocka_unit_test(test_eb_moran),
        cmocka_unit_test(test_permutations_deterministic),
        cmocka_unit_test(test_permutation_matches_reference),
        cmocka_unit_test(test_pseudo_p_uniform_under_null),
        cmocka_unit_test(test_islands),
        cmocka_unit_test(test_missing_and_bad_input),
        cmocka_unit_test(test_styles_against_spdep),
        cmocka_unit_test(test_getis_permutations),
        cmocka_unit_test(test_getis_permutations_deterministic),
        cmocka_unit_test(test_degenerate_constant),
        cmocka_unit_test(test_degenerate_magnitude),
        cmocka_unit_test(test_degenerate_ties),
        cmocka_unit_test(test_degenerate_gi_islands),
    };
    return cmocka_run_group_tests(tests, load_global, free_global);
}
