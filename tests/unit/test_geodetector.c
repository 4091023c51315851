/* Geographical detector and discretisation against independent references:
 * the R package geodetector 1.0-5 on its published CollectData example, the R package GD
 * 10.8 (disc, optidisc) on its ndvi_40 data, classInt's jenks breaks, R's t.test, lm + pf
 * (scripts/reference/geodetector.R -> tests/data/reference/detect/). */
#include "test_util.h"
#include "agglo/agglo.h"

#define MAXF 16

typedef struct csv {
    size_t nrows, ncols;
    char **head;
    char ***cell; /* nrows x ncols */
} csv;

static csv read_csv(const char *path)
{
    csv c = {0};
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[8192];
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *fields[MAXF + 8];
        size_t nf = 0;
        char *save = NULL;
        for (char *tok = strtok_r(line, ",", &save); tok && nf < MAXF + 8;
             tok = strtok_r(NULL, ",", &save))
            fields[nf++] = strdup(tok);
        if (!c.head) {
            c.head = malloc(nf * sizeof *c.head);
            memcpy(c.head, fields, nf * sizeof *fields);
            c.ncols = nf;
            continue;
        }
        assert_int_equal(nf, c.ncols);
        if (c.nrows == cap) {
            cap = cap ? 2 * cap : 64;
            c.cell = realloc(c.cell, cap * sizeof *c.cell);
        }
        c.cell[c.nrows] = malloc(nf * sizeof(char *));
        memcpy(c.cell[c.nrows], fields, nf * sizeof *fields);
        c.nrows++;
    }
    fclose(f);
    return c;
}

static void free_csv(csv *c)
{
    for (size_t i = 0; i < c->nrows; i++) {
        for (size_t j = 0; j < c->ncols; j++)
            free(c->cell[i][j]);
        free(c->cell[i]);
    }
    for (size_t j = 0; j < c->ncols; j++)
        free(c->head[j]);
    free(c->head);
    free(c->cell);
}

static size_t col(const csv *c, const char *name)
{
    for (size_t j = 0; j < c->ncols; j++)
        if (strcmp(c->head[j], name) == 0)
            return j;
    fail_msg("no column %s", name);
    return 0;
}

static double num(const csv *c, size_t i, const char *name)
{
    return strtod(c->cell[i][col(c, name)], NULL);
}

/* An agglo table of the numeric columns of a CSV. */
static agglo_table *csv_table(agglo_ctx *ctx, const csv *c)
{
    agglo_table *t = agglo_table_create(ctx, c->nrows);
    double *v = malloc(c->nrows * sizeof *v);
    for (size_t j = 0; j < c->ncols; j++) {
        for (size_t i = 0; i < c->nrows; i++)
            v[i] = strtod(c->cell[i][j], NULL);
        assert_true(agglo_table_add_numeric(ctx, t, c->head[j], AGGLO_COL_REAL, v, NULL) >= 0);
    }
    free(v);
    return t;
}

static const char *FAC[] = {"watershed", "soiltype", "elevation"};

static agglo_geodetector *disease(agglo_ctx *ctx)
{
    csv d = read_csv(TEST_DATA("detect/disease.csv"));
    assert_int_equal(d.nrows, 185);
    agglo_table *t = csv_table(ctx, &d);
    agglo_gd_factor_spec sp[3];
    memset(sp, 0, sizeof sp);
    for (int f = 0; f < 3; f++)
        sp[f].name = FAC[f];
    agglo_geodetector *g = agglo_geodetector_table(ctx, t, "disease.csv", "incidence", sp, 3, 0,
                                                   NULL);
    assert_non_null(g);
    agglo_table_free(t);
    free_csv(&d);
    return g;
}

static size_t fidx(const char *name)
{
    for (size_t f = 0; f < 3; f++)
        if (strcmp(FAC[f], name) == 0)
            return f;
    fail();
    return 0;
}

static void test_factor_detector(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_geodetector *g = disease(ctx);
    csv r = read_csv(TEST_DATA("reference/detect/gd_factor.csv"));
    assert_int_equal(r.nrows, 3);
    for (size_t i = 0; i < r.nrows; i++) {
        size_t f = fidx(r.cell[i][0]);
        assert_close(g->factor[f].q, num(&r, i, "q"), 1e-10);
        assert_close(g->factor[f].p, num(&r, i, "p"), 1e-10);
    }
    /* the vignette's printed values */
    assert_close(g->factor[0].q, 0.6377737, 1e-7);
    assert_close(g->factor[2].p, 0.04080407, 1e-8);
    free_csv(&r);
    agglo_geodetector_free(g);
    agglo_ctx_free(ctx);
}

static void test_interaction_detector(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_geodetector *g = disease(ctx);
    csv r = read_csv(TEST_DATA("reference/detect/gd_interaction.csv"));
    assert_int_equal(g->npairs, 3);
    for (size_t i = 0; i < r.nrows; i++) {
        size_t a = fidx(r.cell[i][0]), b = fidx(r.cell[i][1]);
        const agglo_gd_interaction *it = NULL;
        for (size_t k = 0; k < g->npairs; k++)
            if ((g->interaction[k].a == a && g->interaction[k].b == b) ||
                (g->interaction[k].a == b && g->interaction[k].b == a))
                it = &g->interaction[k];
        assert_non_null(it);
        assert_close(it->q_ab, num(&r, i, "q_package"), 1e-10);
        assert_close(it->p_ab, num(&r, i, "p"), 1e-10);
        /* the package's rules give "Enhance, bi-" for these q values */
        assert_int_equal(it->cls, AGGLO_GD_ENHANCE_BI);
    }
    free_csv(&r);
    agglo_geodetector_free(g);
    agglo_ctx_free(ctx);
}

static void test_interaction_tolerance(void **state)
{
    (void)state;
    /* 0.1 + 0.2 != 0.3 in doubles: exact comparison would not call this independent */
    assert_int_equal(agglo_gd_interaction_classify(0.3, 0.1, 0.2, 1e-10), AGGLO_GD_INDEPENDENT);
    assert_int_equal(agglo_gd_interaction_classify(0.3, 0.1, 0.2, 0), AGGLO_GD_ENHANCE_BI);
    assert_int_equal(agglo_gd_interaction_classify(0.5, 0.1, 0.2, 1e-10),
                     AGGLO_GD_ENHANCE_NONLINEAR);
    assert_int_equal(agglo_gd_interaction_classify(0.15, 0.1, 0.2, 1e-10), AGGLO_GD_WEAKEN_UNI);
    assert_int_equal(agglo_gd_interaction_classify(0.05, 0.1, 0.2, 1e-10),
                     AGGLO_GD_WEAKEN_NONLINEAR);
    assert_int_equal(agglo_gd_interaction_classify(0.2, 0.1, 0.2, 1e-10), AGGLO_GD_ENHANCE_BI);
}

static size_t level(const agglo_gd_risk *r, const char *label)
{
    for (size_t l = 0; l < r->nlevels; l++)
        if (strcmp(r->labels[l], label) == 0)
            return l;
    fail_msg("no level %s", label);
    return 0;
}

static void test_risk_detector(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_geodetector *g = disease(ctx);
    csv m = read_csv(TEST_DATA("reference/detect/gd_risk_mean.csv"));
    for (size_t i = 0; i < m.nrows; i++) {
        const agglo_gd_risk *r = &g->risk[fidx(m.cell[i][0])];
        assert_close(r->mean[level(r, m.cell[i][1])], num(&m, i, "mean"), 1e-12);
    }
    csv t = read_csv(TEST_DATA("reference/detect/gd_risk_ttest.csv"));
    assert_true(t.nrows > 50);
    for (size_t i = 0; i < t.nrows; i++) {
        const agglo_gd_risk *r = &g->risk[fidx(t.cell[i][0])];
        size_t a = level(r, t.cell[i][1]), b = level(r, t.cell[i][2]), L = r->nlevels;
        assert_close(r->t[a * L + b], num(&t, i, "t"), 1e-10);
        assert_close(r->df[a * L + b], num(&t, i, "df"), 1e-10);
        assert_close(r->p[a * L + b], num(&t, i, "p"), 1e-10);
    }
    csv s = read_csv(TEST_DATA("reference/detect/gd_risk_sig.csv"));
    size_t compared = 0;
    for (size_t i = 0; i < s.nrows; i++) {
        const agglo_gd_risk *r = &g->risk[fidx(s.cell[i][0])];
        size_t a = level(r, s.cell[i][1]), b = level(r, s.cell[i][2]), L = r->nlevels;
        if (strcmp(s.cell[i][3], "NA") == 0) {
            assert_true(isnan(r->p[a * L + b])); /* a singleton stratum: no test */
            continue;
        }
        assert_int_equal(r->sig[a * L + b], strcmp(s.cell[i][3], "TRUE") == 0);
        compared++;
    }
    assert_true(compared > 50);
    free_csv(&m);
    free_csv(&t);
    free_csv(&s);
    agglo_geodetector_free(g);
    agglo_ctx_free(ctx);
}

static void test_ecological_detector(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_geodetector *g = disease(ctx);
    csv r = read_csv(TEST_DATA("reference/detect/gd_ecological.csv"));
    for (size_t i = 0; i < r.nrows; i++) {
        size_t a = fidx(r.cell[i][0]), b = fidx(r.cell[i][1]);
        const agglo_gd_ecological *e = NULL;
        for (size_t k = 0; k < g->npairs; k++)
            if (g->ecological[k].a == a && g->ecological[k].b == b)
                e = &g->ecological[k];
        assert_non_null(e);
        assert_close(e->F, num(&r, i, "F"), 1e-10);
        assert_close(e->p, num(&r, i, "p"), 1e-10);
        assert_int_equal(e->qratio_sig, strcmp(r.cell[i][4], "TRUE") == 0);
    }
    free_csv(&r);
    agglo_geodetector_free(g);
    agglo_ctx_free(ctx);
}

static void test_distributions(void **state)
{
    (void)state;
    /* R 4.2: pf(.., lower.tail = FALSE), 2 * pt(-|t|, df) */
    assert_close(agglo_pnf_upper(2.5, 3, 20, 4), 0.408069350856821056, 1e-10);
    assert_close(agglo_pnf_upper(10, 5, 50, 150), 0.999993444416886978, 1e-10);
    assert_close(agglo_pnf_upper(0.7, 2, 30, 0.5), 0.582406590655256573, 1e-10);
    assert_close(agglo_pf_upper(1.3, 4, 180), 0.271795487391297108, 1e-12);
    assert_close(agglo_pt_two_sided(2.1, 7.3), 0.072246713424853351, 1e-12);
}

static void read_ndvi(csv *c, double **v, const char *name)
{
    size_t j = col(c, name);
    *v = malloc(c->nrows * sizeof **v);
    for (size_t i = 0; i < c->nrows; i++)
        (*v)[i] = strtod(c->cell[i][j], NULL);
}

static size_t split_breaks(char *s, double *out)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, ";", &save); t; t = strtok_r(NULL, ";", &save))
        out[n++] = strtod(t, NULL);
    return n;
}

static void test_discretize_breaks(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    csv d = read_csv(TEST_DATA("detect/ndvi_40.csv"));
    csv r = read_csv(TEST_DATA("reference/detect/disc_breaks.csv"));
    assert_int_equal(d.nrows, 713);
    assert_int_equal(r.nrows, 100);
    for (size_t i = 0; i < r.nrows; i++) {
        double *x;
        read_ndvi(&d, &x, r.cell[i][0]);
        int m = agglo_disc_method_parse(r.cell[i][1]);
        assert_true(m >= 0);
        int k = atoi(r.cell[i][2]);
        double expect[64];
        size_t ne = split_breaks(r.cell[i][3], expect);
        double *br;
        size_t nb;
        assert_int_equal(agglo_discretize_breaks(ctx, x, d.nrows, (agglo_disc_method)m, k, &br, &nb),
                         AGGLO_OK);
        if (nb != ne)
            fail_msg("%s %s:%d: %zu breaks, expected %zu", r.cell[i][0], r.cell[i][1], k, nb, ne);
        for (size_t j = 0; j < nb; j++)
            assert_close(br[j], expect[j], 1e-12);
        free(br);
        free(x);
    }
    free_csv(&d);
    free_csv(&r);
    agglo_ctx_free(ctx);
}

static void test_discretize_optimal(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    csv d = read_csv(TEST_DATA("detect/ndvi_40.csv"));
    csv r = read_csv(TEST_DATA("reference/detect/disc_optimal.csv"));
    double *y;
    read_ndvi(&d, &y, "NDVIchange");
    for (size_t i = 0; i < r.nrows; i++) {
        double *x;
        read_ndvi(&d, &x, r.cell[i][0]);
        unsigned mask = 0;
        char *save = NULL;
        for (char *t = strtok_r(r.cell[i][1], ";", &save); t; t = strtok_r(NULL, ";", &save))
            mask |= 1u << agglo_disc_method_parse(t);
        agglo_disc_optimal o;
        double qv[5 * 5];
        assert_int_equal(agglo_discretize_optimal(ctx, y, x, d.nrows, mask, 3, 7, &o, qv), AGGLO_OK);
        assert_string_equal(agglo_disc_method_name(o.method), r.cell[i][2]);
        assert_int_equal(o.k, atoi(r.cell[i][3]));
        assert_close(o.q, num(&r, i, "q"), 1e-10);
        double expect[64];
        size_t ne = split_breaks(r.cell[i][5], expect);
        assert_int_equal(o.nbreaks, ne);
        for (size_t j = 0; j < ne; j++)
            assert_close(o.breaks[j], expect[j], 1e-12);
        free(o.breaks);
        free(x);
    }
    free(y);
    free_csv(&d);
    free_csv(&r);
    agglo_ctx_free(ctx);
}

static void test_missing_refused(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_table *t = agglo_table_create(ctx, 6);
    double y[] = {1, 2, 3, 4, 5, 6}, x[] = {1, 1, 2, 2, 3, 3};
    unsigned char nul[] = {0, 0, 0, 1, 0, 0};
    agglo_table_add_numeric(ctx, t, "y", AGGLO_COL_REAL, y, nul);
    agglo_table_add_numeric(ctx, t, "x", AGGLO_COL_INTEGER, x, NULL);
    agglo_gd_factor_spec sp = {.name = "x"};
    assert_null(agglo_geodetector_table(ctx, t, "t.csv", "y", &sp, 1, 0, NULL));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_MISSING);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "rows 4"));
    agglo_geodetector *g = agglo_geodetector_table(ctx, t, "t.csv", "y", &sp, 1, 1, NULL);
    assert_non_null(g);
    assert_int_equal(g->n, 5);
    agglo_geodetector_free(g);
    agglo_table_free(t);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factor_detector),     cmocka_unit_test(test_interaction_detector),
        cmocka_unit_test(test_interaction_tolerance), cmocka_unit_test(test_risk_detector),
        cmocka_unit_test(test_ecological_detector), cmocka_unit_test(test_distributions),
        cmocka_unit_test(test_discretize_breaks),   cmocka_unit_test(test_discretize_optimal),
        cmocka_unit_test(test_missing_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
