/* Concentration indices: a hand-computed case, and the published formulas written out in R
 * (scripts/reference/kde_reference.R -> tests/data/reference/kde/conc_*.csv) on sf's nc.
 * No independent implementation of these indices exists on the reference machine (R ineq and
 * REAT are not packaged there; pysal's inequality has no base-weighted Theil or locational
 * Gini), so the nc values are the published formulas (Krugman 1991, Ellison & Glaeser 1997)
 * transcribed in R by this project, not a third party's code; the hand case is worked on paper.
 * Data: sf's nc
 * counties (SID74 cases against BIR74 births) and on 400 seeded "plants" with lognormal sizes
 * placed in the counties (Ellison-Glaeser from plant sizes; R assigned plants to counties with
 * sf::st_intersects on the same planar coordinates). */
#include "test_util.h"
#include "agglo/agglo.h"

#define REF(f) TEST_DATA("reference/kde/" f)

/* counts (6, 3, 1), base (2, 3, 5): s = (.6, .3, .1), x = (.2, .3, .5), worked by hand:
 * LQ = (3, 1, .2); Lorenz by LQ: X = 0, .5, .8, 1; Y = 0, .1, .4, 1;
 * area = .5(.1) + .3(.5) + .2(1.4) = .48 -> Gini .52; sum (s - x)^2 = .32; HHI = .46,
 * normalised (.46 - 1/3)/(2/3) = .19; CR_2 = .9; Theil = .6 ln 3 + .1 ln .2 = .49822358;
 * entropy = .89794572; EG with 10 unit plants: H = .1, sum x^2 = .38,
 * gamma = (.32 - .62 * .1) / (.62 * .9) = .46236559. */
static void test_hand_case(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    double e[3] = {6, 3, 1}, b[3] = {2, 3, 5};
    agglo_concentration *c = agglo_concentration_compute(ctx, e, b, 3, 2, "hand");
    assert_non_null(c);
    assert_close(c->lq[0], 3, 1e-15);
    assert_close(c->lq[1], 1, 1e-15);
    assert_close(c->lq[2], 0.2, 1e-15);
    assert_close(c->gini, 0.52, 1e-15);
    assert_close(c->g_raw, 0.32, 1e-15);
    assert_close(c->hhi, 0.46, 1e-15);
    assert_close(c->hhi_normalised, 0.19, 1e-15);
    assert_int_equal(c->cr_k, 2);
    assert_close(c->cr, 0.9, 1e-15);
    assert_close(c->theil, 0.6 * log(3) + 0.1 * log(0.2), 1e-15);
    assert_close(c->theil, 0.49822358, 1e-8);
    assert_close(c->entropy, 0.89794572, 1e-8);
    assert_close(c->eg_H, 0.1, 1e-15);
    assert_close(c->eg_sum_x2, 0.38, 1e-15);
    assert_close(c->eg_gamma, 0.258 / 0.558, 1e-14);
    /* plants: sizes 4 and 2 in region 0, 3 in region 1, 1 in region 2, one outside:
     * s unchanged, H = .16 + .04 + .09 + .01 = .30, gamma = (.32 - .186) / .434 */
    double size[5] = {4, 2, 3, 1, 5};
    long region[5] = {0, 0, 1, 2, -1};
    assert_int_equal(agglo_concentration_eg(ctx, c, size, region, 5, "plants"), 0);
    assert_int_equal(c->eg_plants, 4);
    assert_close(c->eg_H, 0.30, 1e-15);
    assert_close(c->eg_gamma, 0.134 / 0.434, 1e-14);
    agglo_concentration_free(c);
    /* equal bases: the locational Gini is the ordinary Gini of the shares,
     * LQ-free formula sum_i sum_j |s_i - s_j| / (2 n) for shares summing to 1 */
    double e2[4] = {1, 2, 3, 10}, b2[4] = {1, 1, 1, 1};
    c = agglo_concentration_compute(ctx, e2, b2, 4, 1, "equal");
    double g = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            g += fabs(e2[i] - e2[j]) / 16.0;
    assert_close(c->gini, g / (2 * 4), 1e-15);
    assert_close(c->theil, log(4) - c->entropy, 1e-15);
    agglo_concentration_free(c);
    /* errors */
    double bad[3] = {1, -1, 2};
    assert_null(agglo_concentration_compute(ctx, bad, b, 3, 1, "bad.shp"));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_MISSING);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "bad.shp"));
    double zero[3] = {0, 0, 0};
    assert_null(agglo_concentration_compute(ctx, zero, b, 3, 1, "z"));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_EMPTY);
    agglo_ctx_free(ctx);
}

static double ref_index(const char *file, const char *name)
{
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    char line[256], key[64];
    double v = NAN;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%63[^,],%lf", key, &v) == 2 && !strcmp(key, name))
            break;
        else
            v = NAN;
    fclose(f);
    assert_false(isnan(v));
    return v;
}

static void test_nc_reference(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_read_options ro;
    agglo_read_options_init(&ro);
    agglo_layer *nc = agglo_layer_read(ctx, TEST_DATA("nc/nc.shp"), &ro);
    assert_non_null(nc);
    size_t n = agglo_layer_count(nc);
    double *e = agglo_table_get_complete(ctx, agglo_layer_table(nc), "SID74", "nc");
    double *b = agglo_table_get_complete(ctx, agglo_layer_table(nc), "BIR74", "nc");
    agglo_concentration *c = agglo_concentration_compute(ctx, e, b, n, 4, "nc");
    assert_non_null(c);
    const char *f = REF("conc_nc_sid74_bir74.csv");
    assert_close(c->gini, ref_index(f, "gini"), 1e-13);
    assert_close(c->g_raw, ref_index(f, "g_raw"), 1e-13);
    assert_close(c->hhi, ref_index(f, "hhi"), 1e-13);
    assert_close(c->hhi_normalised, ref_index(f, "hhi_norm"), 1e-13);
    assert_close(c->cr, ref_index(f, "cr"), 1e-13);
    assert_close(c->theil, ref_index(f, "theil"), 1e-13);
    assert_close(c->entropy, ref_index(f, "entropy"), 1e-13);
    assert_close(c->eg_G, ref_index(f, "eg_G"), 1e-13);
    assert_close(c->eg_H, ref_index(f, "eg_H"), 1e-13);
    assert_close(c->eg_sum_x2, ref_index(f, "eg_sum_x2"), 1e-13);
    assert_close(c->eg_gamma, ref_index(f, "eg_gamma"), 1e-12);
    FILE *lf = fopen(REF("conc_nc_sid74_bir74_lq.csv"), "r");
    assert_non_null(lf);
    char line[128];
    assert_non_null(fgets(line, sizeof line, lf));
    for (size_t i = 0; i < n; i++) {
        double v;
        assert_int_equal(fscanf(lf, "%lf", &v), 1);
        assert_close(c->lq[i], v, 1e-13);
    }
    fclose(lf);
    /* Ellison-Glaeser from 400 plants with sizes */
    agglo_read_options po;
    agglo_read_options_init(&po);
    po.assign_crs = agglo_layer_crs_wkt(nc);
    agglo_layer *pl = agglo_layer_read(ctx, TEST_DATA("points/nc_plants.csv"), &po);
    if (!pl)
        print_error("%s\n", agglo_ctx_errmsg(ctx));
    assert_non_null(pl);
    size_t m = agglo_layer_count(pl);
    long *where = malloc(m * sizeof(long));
    assert_int_equal(agglo_join_assign(ctx, nc, pl, where), 0);
    double *sz = agglo_table_get_complete(ctx, agglo_layer_table(pl), "size", "plants");
    assert_non_null(sz);
    assert_int_equal(agglo_concentration_eg(ctx, c, sz, where, m, "plants"), 0);
    const char *pf = REF("conc_nc_plants_eg.csv");
    assert_int_equal(c->eg_plants, (size_t)ref_index(pf, "n_plants"));
    assert_close(c->eg_G, ref_index(pf, "eg_G"), 1e-13);
    assert_close(c->eg_H, ref_index(pf, "eg_H"), 1e-13);
    assert_close(c->eg_gamma, ref_index(pf, "eg_gamma"), 1e-12);
    print_message("nc: gini %.6f theil %.6f EG gamma (plants) %.6f\n", c->gini, c->theil, c->eg_gamma);
    free(where);
    free(sz);
    free(e);
    free(b);
    agglo_concentration_free(c);
    agglo_layer_free(pl);
    agglo_layer_free(nc);
    agglo_ctx_free(ctx);
}

/* Every NaN or infinite index comes with a warning that says why. */
typedef struct {
    char msg[8][512];
    int n;
} warnings;

static void collect(const char *m, void *u)
{
    warnings *w = u;
    if (w->n < 8)
        snprintf(w->msg[w->n++], sizeof w->msg[0], "%s", m);
}

static int warned(const warnings *w, const char *needle)
{
    for (int i = 0; i < w->n; i++)
        if (strstr(w->msg[i], needle))
            return 1;
    return 0;
}

static void test_undefined_warns(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    warnings w = {0};
    agglo_ctx_set_warning_handler(ctx, collect, &w);
    /* region 2 has 4 shops but no base: LQ NA, Theil infinite; counts fractional: EG NA */
    double e[3] = {6, 4, 1.5}, b[3] = {2, 0, 5};
    agglo_concentration *c = agglo_concentration_compute(ctx, e, b, 3, 1, "zb.shp");
    assert_non_null(c);
    assert_true(isnan(c->lq[1]));
    assert_true(isinf(c->theil));
    assert_true(isnan(c->eg_gamma));
    assert_true(warned(&w, "zb.shp: location quotient is NA in 1 region(s) with a zero base (first: region 2)"));
    assert_true(warned(&w, "zb.shp: Theil index is infinite: 1 region(s) have activity but a zero base (first: region 2, count 4)"));
    assert_true(warned(&w, "counts are not whole numbers"));
    agglo_concentration_free(c);
    /* one region: normalised HHI NA; one unit plant: H = 1, gamma NA */
    w.n = 0;
    double e1[1] = {1}, b1[1] = {3};
    c = agglo_concentration_compute(ctx, e1, b1, 1, 1, "one");
    assert_non_null(c);
    assert_true(isnan(c->hhi_normalised));
    assert_false(isfinite(c->eg_gamma));
    assert_true(warned(&w, "one: normalised HHI is NA"));
    assert_true(warned(&w, "one: Ellison-Glaeser gamma is NA: a single plant"));
    agglo_concentration_free(c);
    /* nothing undefined: no warning */
    w.n = 0;
    double e2[3] = {6, 3, 1}, b2[3] = {2, 3, 5};
    c = agglo_concentration_compute(ctx, e2, b2, 3, 1, "fine");
    assert_int_equal(w.n, 0);
    agglo_concentration_free(c);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_case),
        cmocka_unit_test(test_nc_reference),
        cmocka_unit_test(test_undefined_warns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
