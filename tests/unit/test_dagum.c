/* Dagum Gini and Theil decompositions on Columbus (spData) against
 * scripts/reference/dagum.R (an R implementation written from Dagum 1997 -- no independent
 * package is available; stated in the script) and the identity G = Gw + Gnb + Gt. */
#include "test_util.h"
#include "agglo/agglo.h"

typedef struct {
    char key[64];
    double v;
} kv;

static size_t load_case(const char *name, kv *out)
{
    FILE *f = fopen(TEST_DATA("reference/detect/dagum_columbus.csv"), "r");
    assert_non_null(f);
    char line[256];
    size_t n = 0;
    while (fgets(line, sizeof line, f)) {
        char c[64], k[64];
        double v;
        if (sscanf(line, "%63[^,],%63[^,],%lf", c, k, &v) == 3 && strcmp(c, name) == 0) {
            strcpy(out[n].key, k);
            out[n++].v = v;
        }
    }
    fclose(f);
    return n;
}

static double value(const agglo_dagum *d, const char *key)
{
    size_t k = d->ngroups;
    if (!strcmp(key, "G")) return d->G;
    if (!strcmp(key, "G_within")) return d->Gw;
    if (!strcmp(key, "G_between_net")) return d->Gnb;
    if (!strcmp(key, "G_transvariation")) return d->Gt;
    if (!strcmp(key, "theil")) return d->theil;
    if (!strcmp(key, "theil_within")) return d->theil_within;
    if (!strcmp(key, "theil_between")) return d->theil_between;
    int a, b;
    if (sscanf(key, "G_jj %d", &a) == 1) return d->Gjj[a];
    if (sscanf(key, "G_jh %d-%d", &a, &b) == 2) return d->Gjh[a * k + b];
    if (sscanf(key, "D_jh %d-%d", &a, &b) == 2) return d->Djh[a * k + b];
    fail_msg("key %s", key);
    return NAN;
}

static void check(const agglo_dagum *d, const char *name)
{
    kv ref[64];
    size_t n = load_case(name, ref);
    assert_true(n >= 11);
    for (size_t i = 0; i < n; i++)
        assert_close(value(d, ref[i].key), ref[i].v, 1e-12);
    assert_true(fabs(d->G - (d->Gw + d->Gnb + d->Gt)) <= 1e-12);
    assert_true(fabs(d->theil - (d->theil_within + d->theil_between)) <= 1e-12);
}

static agglo_table *columbus(agglo_ctx *ctx, agglo_layer **L)
{
    *L = agglo_layer_read(ctx, TEST_DATA("columbus/columbus.shp"), NULL);
    assert_non_null(*L);
    agglo_table *t = agglo_layer_table_mut(*L);
    double *ew = agglo_table_get_numeric(ctx, t, "EW", "c"), *cp = agglo_table_get_numeric(ctx, t, "CP", "c");
    size_t n = agglo_table_nrows(t);
    double *g = malloc(n * sizeof *g);
    for (size_t i = 0; i < n; i++)
        g[i] = 2 * ew[i] + cp[i];
    assert_true(agglo_table_add_numeric(ctx, t, "G4", AGGLO_COL_INTEGER, g, NULL) >= 0);
    free(ew);
    free(cp);
    free(g);
    return t;
}

static void test_cases(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L;
    agglo_table *t = columbus(ctx, &L);
    const char *cases[][3] = {{"INC_CP", "INC", "CP"}, {"INC_EW", "INC", "EW"},
                              {"HOVAL_CP", "HOVAL", "CP"}, {"CRIME_EWCP", "CRIME", "G4"}};
    for (size_t c = 0; c < 4; c++) {
        size_t np;
        agglo_dagum **d = agglo_dagum_table(ctx, t, "columbus", cases[c][1], cases[c][2], NULL, 0, &np);
        assert_non_null(d);
        assert_int_equal(np, 1);
        check(d[0], cases[c][0]);
        agglo_dagum_free_all(d, np);
    }
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

/* A two-period panel: INC as period 2001, HOVAL as 2002 (rows interleaved). */
static void test_panel(void **state)
{
    (void)state;
    agglo_ctx *ctx = agglo_ctx_create();
    agglo_layer *L;
    agglo_table *c = columbus(ctx, &L);
    size_t n = agglo_table_nrows(c);
    double *inc = agglo_table_get_numeric(ctx, c, "INC", "c");
    double *hov = agglo_table_get_numeric(ctx, c, "HOVAL", "c");
    double *cp = agglo_table_get_numeric(ctx, c, "CP", "c");
    double *v = malloc(2 * n * sizeof *v), *g = malloc(2 * n * sizeof *g), *yr = malloc(2 * n * sizeof *yr);
    for (size_t i = 0; i < n; i++) {
        v[2 * i] = hov[i], g[2 * i] = cp[i], yr[2 * i] = 2002;
        v[2 * i + 1] = inc[i], g[2 * i + 1] = cp[i], yr[2 * i + 1] = 2001;
    }
    agglo_table *t = agglo_table_create(ctx, 2 * n);
    agglo_table_add_numeric(ctx, t, "v", AGGLO_COL_REAL, v, NULL);
    agglo_table_add_numeric(ctx, t, "g", AGGLO_COL_INTEGER, g, NULL);
    agglo_table_add_numeric(ctx, t, "year", AGGLO_COL_INTEGER, yr, NULL);
    size_t np;
    agglo_dagum **d = agglo_dagum_table(ctx, t, "panel", "v", "g", "year", 0, &np);
    assert_non_null(d);
    assert_int_equal(np, 2);
    assert_string_equal(d[0]->period, "2001");
    check(d[0], "INC_CP");
    check(d[1], "HOVAL_CP");
    agglo_dagum_free_all(d, np);
    /* a NULL is refused with its row, or dropped */
    unsigned char nul[98] = {0};
    nul[6] = 1;
    agglo_table *t2 = agglo_table_create(ctx, 2 * n);
    agglo_table_add_numeric(ctx, t2, "v", AGGLO_COL_REAL, v, nul);
    agglo_table_add_numeric(ctx, t2, "g", AGGLO_COL_INTEGER, g, NULL);
    assert_null(agglo_dagum_table(ctx, t2, "panel", "v", "g", NULL, 0, &np));
    assert_int_equal(agglo_ctx_errcode(ctx), AGGLO_E_MISSING);
    assert_non_null(strstr(agglo_ctx_errmsg(ctx), "rows 7"));
    d = agglo_dagum_table(ctx, t2, "panel", "v", "g", NULL, 1, &np);
    assert_non_null(d);
    assert_int_equal(d[0]->n, 2 * n - 1);
    agglo_dagum_free_all(d, np);
    agglo_table_free(t);
    agglo_table_free(t2);
    free(v);
    free(g);
    free(yr);
    free(inc);
    free(hov);
    free(cp);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cases), cmocka_unit_test(test_panel)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
