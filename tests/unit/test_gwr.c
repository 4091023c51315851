/* GWR tests. Reference values: mgwr 2.2.1 run by scripts/reference/gwr_mgwr_reference.py
 * (tests/data/reference/gwr/mgwr_*: every Gaussian output for the bisquare, Gaussian and
 * exponential kernels); base R via scripts/reference/gwr_reference.R (lm.wfit / glm.fit per
 * location with the kernel weights, hat matrix formed explicitly: the AICc scan, the tricube
 * and boxcar kernels mgwr lacks, Georgia Poisson/logistic coefficients); GWR4's published
 * Georgia outputs (tests/data/georgia/georgia_*_summary.txt, *_listwise.csv). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lapacke.h>

#include "agglo/agglo.h"
#include "gwr_test_util.h"

#define REF AGGLO_TEST_DATA "/reference/gwr/"

static agglo_gwr_model *model(data *d, agglo_gwr_kernel kern, int fixed)
{
    agglo_gwr_options o;
    agglo_gwr_options_init(&o);
    o.kernel = kern;
    o.fixed = fixed;
    agglo_gwr_model *m = agglo_gwr_model_create(d->ctx, d->n, d->cx, d->cy, d->y,
                                                (const double *const *)d->x, d->k, d->names, NULL,
                                                &o);
    if (!m)
        fail_msg("%s", agglo_ctx_errmsg(d->ctx));
    return m;
}

static const char *georgia_x[] = {"PctRural", "PctPov", "PctBlack"};
static const char *columbus_x[] = {"INC", "HOVAL"};

/* Compares a fit with the base-R reference case `name` to rtol: used only for the tricube and
 * boxcar kernels, which mgwr does not have. There beta, fitted values, residuals and the hat
 * matrix come from R's lm.wfit per location (hat matrix formed explicitly); the standard
 * errors, local R2 and condition number are mgwr's definitions coded in R by
 * scripts/reference/gwr_reference.R: no independent implementation of these kernels exists. */
static void compare_case(agglo_gwr_result *r, const char *name, double rtol)
{
    char path[512];
    snprintf(path, sizeof path, REF "%s_obs.csv", name);
    csv c;
    csv_read(path, &c, 1);
    assert_int_equal(c.nrow, r->n);
    long cy = csv_col(&c, "yhat"), ce = csv_col(&c, "resid"), ch = csv_col(&c, "influence"),
         cl = csv_col(&c, "local_r2"), cc = csv_col(&c, "cond");
    for (size_t i = 0; i < r->n; i++) {
        const double *row = c.v + i * c.ncol;
        assert_int_equal(r->singular[i], 0);
        near(r->yhat[i], row[cy], rtol, "yhat", i);
        near(r->resid[i], row[ce], rtol, "resid", i);
        near(r->influence[i], row[ch], rtol, "influence", i);
        near(r->local_r2[i], row[cl], rtol, "local_r2", i);
        near(r->cond[i], row[cc], 1e-6, "cond", i);
        for (size_t j = 0; j < r->p; j++) {
            char col[128];
            snprintf(col, sizeof col, "beta_%s", r->names[j]);
            near(r->beta[i * r->p + j], row[csv_col(&c, col)], rtol, col, i);
            snprintf(col, sizeof col, "se_%s", r->names[j]);
            near(r->se[i * r->p + j], row[csv_col(&c, col)], rtol, col, i);
        }
    }
    csv_free(&c);
    snprintf(path, sizeof path, REF "%s_global.csv", name);
    near(r->rss, kv(path, "rss"), rtol, "rss", 0);
    near(r->tr_s, kv(path, "tr_s"), rtol, "tr_s", 0);
    near(r->tr_sts, kv(path, "tr_sts"), rtol, "tr_sts", 0);
    near(r->llf, kv(path, "llf"), rtol, "llf", 0);
    near(r->aic, kv(path, "aic"), rtol, "aic", 0);
    near(r->aicc, kv(path, "aicc"), rtol, "aicc", 0);
    near(r->bic, kv(path, "bic"), rtol, "bic", 0);
    near(r->cv, kv(path, "cv"), rtol, "cv", 0);
    near(r->r2, kv(path, "r2"), rtol, "r2", 0);
    near(r->adj_r2, kv(path, "adj_r2"), rtol, "adj_r2", 0);
}

/* Every output of a Gaussian fit against mgwr 2.2.1's file `name`
 * (scripts/reference/gwr_mgwr_reference.py): local estimates, standard errors, t values,
 * fitted values, residuals, standardised residuals, influence, Cook's D, local R2, local
 * condition number (mgwr's local_collinearity), and the global diagnostics. gwr4 = 1: the
 * fit uses GWR4's sigma^2 (mgwr sigma2_v1=False columns se4_, t4_, std_resid4, cooks_d4). */
static void compare_mgwr(agglo_gwr_result *r, const char *name, double rtol, int gwr4)
{
    char path[512];
    snprintf(path, sizeof path, REF "mgwr_%s_obs.csv", name);
    csv c;
    csv_read(path, &c, 1);
    assert_int_equal(c.nrow, r->n);
    const char *sfx = gwr4 ? "4" : "";
    char cs[32], cd[32];
    snprintf(cs, sizeof cs, "std_resid%s", sfx);
    snprintf(cd, sizeof cd, "cooks_d%s", sfx);
    long cy = csv_col(&c, "yhat"), ce = csv_col(&c, "resid"), ch = csv_col(&c, "influence"),
         cl = csv_col(&c, "local_r2"), cc = csv_col(&c, "cond"), csr = csv_col(&c, cs),
         ccd = csv_col(&c, cd);
    for (size_t i = 0; i < r->n; i++) {
        const double *row = c.v + i * c.ncol;
        assert_int_equal(r->singular[i], 0);
        near(r->yhat[i], row[cy], rtol, "yhat", i);
        near(r->resid[i], row[ce], rtol, "resid", i);
        near(r->influence[i], row[ch], rtol, "influence", i);
        near(r->local_r2[i], row[cl], rtol, "local_r2", i);
        near(r->cond[i], row[cc], rtol, "cond", i);
        near(r->std_resid[i], row[csr], rtol, cs, i);
        near(r->cooks_d[i], row[ccd], rtol, cd, i);
        for (size_t j = 0; j < r->p; j++) {
            char col[128];
            snprintf(col, sizeof col, "beta_%s", r->names[j]);
            near(r->beta[i * r->p + j], row[csv_col(&c, col)], rtol, col, i);
            snprintf(col, sizeof col, "se%s_%s", sfx, r->names[j]);
            near(r->se[i * r->p + j], row[csv_col(&c, col)], rtol, col, i);
            snprintf(col, sizeof col, "t%s_%s", sfx, r->names[j]);
            near(r->tval[i * r->p + j], row[csv_col(&c, col)], rtol, col, i);
        }
    }
    csv_free(&c);
    snprintf(path, sizeof path, REF "mgwr_%s_global.csv", name);
    near(r->rss, kv(path, "rss"), rtol, "rss", 0);
    near(r->tr_s, kv(path, "tr_s"), rtol, "tr_s", 0);
    near(r->tr_sts, kv(path, "tr_sts"), rtol, "tr_sts", 0);
    near(r->df_model, kv(path, "df_model"), rtol, "df_model", 0);
    near(r->df_resid, kv(path, "df_resid"), rtol, "df_resid", 0);
    near(r->llf, kv(path, "llf"), rtol, "llf", 0);
    near(r->aic, kv(path, "aic"), rtol, "aic", 0);
    near(r->aicc, kv(path, "aicc"), rtol, "aicc", 0);
    near(r->bic, kv(path, "bic"), rtol, "bic", 0);
    near(r->cv, kv(path, "cv"), rtol, "cv", 0);
    near(r->r2, kv(path, "r2"), rtol, "r2", 0);
    near(r->sigma2_se, kv(path, gwr4 ? "sigma2_4" : "sigma2"), rtol, "sigma2", 0);
    near(r->enp, kv(path, gwr4 ? "enp4" : "enp"), rtol, "enp", 0);
    if (!gwr4) /* mgwr's adj_R2 uses its default ENP = trS */
        near(r->adj_r2, kv(path, "adj_r2"), rtol, "adj_r2", 0);
    near(r->adj_alpha[1], kv(path, gwr4 ? "adj_alpha4_95" : "adj_alpha_95"), rtol, "adj_alpha", 0);
    near(r->critical_t, kv(path, gwr4 ? "critical_t4" : "critical_t"), 1e-6, "critical_t", 0);
}

/* R reference: AICc over every integer bandwidth 48..159 (brute force), and mgwr's golden
 * section which selects the scan's minimum (93). */
static void test_georgia_scan_and_search(void **state)
{
    (void)state;
    data d;
    data_load(&d, AGGLO_TEST_DATA "/georgia/G_utm.shp", "PctBach", georgia_x, 3);
    agglo_gwr_model *m = model(&d, AGGLO_GWR_BISQUARE, 0);
    csv scan;
    csv_read(REF "georgia_bs_nn_scan.csv", &scan, 0);
    assert_int_equal(scan.nrow, 112);
    double best = INFINITY, bestbw = 0;
    for (size_t i = 0; i < scan.nrow; i++) {
        double bw = scan.v[i * 2], want = scan.v[i * 2 + 1], got;
        assert_int_equal(agglo_gwr_score(d.ctx, m, bw, &got), AGGLO_OK);
        near(got, want, 1e-10, "aicc scan", (size_t)bw);
        if (got < best) {
            best = got;
            bestbw = bw;
        }
    }
    csv_free(&scan);
    agglo_gwr_search_result s;
    assert_int_equal(agglo_gwr_select(d.ctx, m, &s), AGGLO_OK);
    assert_true(s.bandwidth == kv(REF "georgia_bs_nn_selected.csv", "golden"));
    assert_true(s.bandwidth == bestbw);
    assert_true(s.lo == 48 && s.hi == 159); /* GWR4's "Limits: 48, 159" */
    agglo_gwr_search_result_free(&s);
    agglo_gwr_model_free(m);

    /* interval search with step 1 is the brute-force scan */
    agglo_gwr_options o;
    agglo_gwr_options_init(&o);
    o.search = AGGLO_GWR_INTERVAL;
    o.interval = 1;
    m = agglo_gwr_model_create(d.ctx, d.n, d.cx, d.cy, d.y, (const double *const *)d.x, d.k,
                               d.names, NULL, &o);
    assert_non_null(m);
    assert_int_equal(agglo_gwr_select(d.ctx, m, &s), AGGLO_OK);
    assert_true(s.bandwidth == bestbw);
    assert_int_equal(s.nevals, 112);
    agglo_gwr_search_result_free(&s);
    agglo_gwr_model_free(m);
    data_free(&d);
}

static void test_georgia_fits(void **state)
{
    (void)state;
    data d;
    data_load(&d, AGGLO_TEST_DATA "/georgia/G_utm.shp", "PctBach", georgia_x, 3);
    agglo_gwr_model *m = model(&d, AGGLO_GWR_BISQUARE, 0);
    agglo_gwr_result *r = agglo_gwr_fit(d.ctx, m, 93);
    assert_non_null(r);
    compare_mgwr(r, "georgia_bs_nn_93", 1e-8, 0);
    agglo_gwr_result_free(r);
    r = agglo_gwr_fit(d.ctx, m, 90);
    assert_non_null(r);
    compare_mgwr(r, "georgia_bs_nn_90", 1e-8, 0);
    /* GWR4 published (georgia_BS_NN_summary.txt, bandwidth 90 neighbours) */
    near(r->aicc, 896.462831, 1e-8, "GWR4 AICc", 0);
    near(r->rss, 2090.125305, 1e-7, "GWR4 RSS", 0); /* GWR4 rounding: 3e-8 relative */
    near(r->tr_s, 14.925095, 1e-6, "GWR4 trS", 0);
    near(r->tr_sts, 10.193958, 1e-6, "GWR4 trS'S", 0);
    near(r->aic, 892.668583, 1e-8, "GWR4 AIC", 0);
    near(r->bic, 941.541173, 1e-8, "GWR4 BIC", 0);
    near(r->cv, 19.186726, 1e-7, "GWR4 CV", 0);
    near(r->sigma, 3.872954, 1e-6, "GWR4 sigma", 0);
    near(r->g_rss, 2639.559476, 1e-9, "GWR4 global RSS", 0);
    near(r->g_aicc, 908.319245, 1e-9, "GWR4 global AICc", 0);
    near(r->g_bic, 923.271610, 1e-9, "GWR4 global BIC", 0);
    near(r->g_cv, 18.100197, 1e-7, "GWR4 global CV", 0);
    near(r->g_adj_r2, 0.471903, 1e-5, "GWR4 global adj R2", 0);
    near(r->g_beta[1], -0.111395, 1e-5, "GWR4 global beta", 1);
    near(r->g_se[1], 0.012878, 1e-4, "GWR4 global se", 1);
    agglo_gwr_result_free(r);
    agglo_gwr_model_free(m);

    /* GWR4 listwise (6 decimals) with GWR4's sigma for the standard errors */
    agglo_gwr_options o;
    agglo_gwr_options_init(&o);
    o.sigma2_ml_df = 0;
    m = agglo_gwr_model_create(d.ctx, d.n, d.cx, d.cy, d.y, (const double *const *)d.x, d.k,
                               d.names, NULL, &o);
    r = agglo_gwr_fit(d.ctx, m, 90);
    assert_non_null(r);
    near(r->adj_r2, 0.534505, 1e-5, "GWR4 adj R2", 0);
    compare_mgwr(r, "georgia_bs_nn_90", 1e-8, 1);
    csv g;
    csv_read(AGGLO_TEST_DATA "/georgia/georgia_BS_NN_listwise.csv", &g, 1);
    assert_int_equal(g.nrow, d.n);
    for (size_t i = 0; i < d.n; i++) {
        const double *row = g.v + i * g.ncol;
        for (size_t j = 0; j < 4; j++) {
            near(r->beta[i * 4 + j], row[4 + 3 * j], 2e-6, "GWR4 est", i);
            near(r->se[i * 4 + j], row[5 + 3 * j], 2e-6, "GWR4 se", i);
            near(r->tval[i * 4 + j], row[6 + 3 * j], 2e-6, "GWR4 t", i);
        }
        near(r->yhat[i], row[17], 2e-6, "GWR4 yhat", i);
        near(r->std_resid[i], row[19], 2e-6, "GWR4 std resid", i);
        near(r->local_r2[i], row[20], 2e-6, "GWR4 localR2", i);
        near(r->influence[i], row[21], 2e-6, "GWR4 influence", i);
        near(r->cooks_d[i], row[22], 2e-6, "GWR4 CooksD", i);
    }
    csv_free(&g);
    agglo_gwr_result_free(r);
    agglo_gwr_model_free(m);

    /* fixed kernels at GWR4's published bandwidths */
    m = model(&d, AGGLO_GWR_BISQUARE, 1);
    r = agglo_gwr_fit(d.ctx, m, 209267.688808);
    assert_non_null(r);
    compare_mgwr(r, "georgia_bs_f", 1e-8, 0);
    near(r->aicc, 894.982602, 1e-8, "GWR4 BS_F AICc", 0);
    agglo_gwr_result_free(r);
    agglo_gwr_model_free(m);
    m = model(&d, AGGLO_GWR_GAUSSIAN, 1);
    r = agglo_gwr_fit(d.ctx, m, 87308.298470);
    assert_non_null(r);
    compare_mgwr(r, "georgia_gs_f", 1e-8, 0);
    near(r->aicc, 895.290158, 1e-8, "GWR4 GS_F AICc", 0);
    agglo_gwr_result_free(r);
    agglo_gwr_model_free(m);
    data_free(&d);
}

static void test_columbus_kernels(void **state)
{
    (void)state;
    data d;
    data_load(&d, AGGLO_TEST_DATA "/columbus/columbus.shp", "CRIME", columbus_x, 2);
    struct {
        agglo_gwr_kernel k;
        int fixed;
        double bw;
        const char *name;
    } cases[] = {{AGGLO_GWR_GAUSSIAN, 0, 20, "columbus_gs_nn"},
                 {AGGLO_GWR_EXPONENTIAL, 1, 3, "columbus_ex_f"},
                 {AGGLO_GWR_TRICUBE, 1, 10, "columbus_tc_f"},
                 {AGGLO_GWR_BOXCAR, 0, 25, "columbus_bx_nn"}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        agglo_gwr_model *m = model(&d, cases[c].k, cases[c].fixed);
        agglo_gwr_result *r = agglo_gwr_fit(d.ctx, m, cases[c].bw);
        if (!r)
            fail_msg("%s: %s", cases[c].name, agglo_ctx_errmsg(d.ctx));
        if (cases[c].k == AGGLO_GWR_TRICUBE || cases[c].k == AGGLO_GWR_BOXCAR)
            compare_case(r, cases[c].name, 1e-8);
        else
            compare_mgwr(r, cases[c].name, 1e-8, 0);
        agglo_gwr_result_free(r);
        agglo_gwr_model_free(m);
    }
    data_free(&d);
}

/* R reference: glm.fit(poisson, offset = log(TotPop90), weights = kernel) per location. */
static void test_poisson(void **state)
{
    (void)state;
    data d;
    data_load(&d, AGGLO_TEST_DATA "/georgia/G_utm.shp", "PctBach", georgia_x, 3);
    csv c;
    csv_read(REF "georgia_poisson_obs.csv", &c, 1);
    long ccount = csv_col(&c, "count");
    for (size_t i = 0; i < d.n; i++)
        d.y[i] = c.v[i * c.ncol + ccount];
    agglo_gwr_options o;
    agglo_gwr_options_init(&o);
    o.family = AGGLO_GWR_FAMILY_POISSON;
    agglo_gwr_model *m = agglo_gwr_model_create(d.ctx, d.n, d.cx, d.cy, d.y,
                                                (const double *const *)d.x, d.k, d.names, d.off,
                                                &o);
    if (!m)
        fail_msg("%s", agglo_ctx_errmsg(d.ctx));
    agglo_gwr_result *r = agglo_gwr_fit(d.ctx, m, 100);
    assert_non_null(r);
    for (size_t i = 0; i < d.n; i++) {
        const double *row = c.v + i * c.ncol;
        near(r->yhat[i], row[csv_col(&c, "mu")], 1e-8, "mu", i);
        near(r->influence[i], row[csv_col(&c, "influence")], 1e-8, "influence", i);
        for (size_t j = 0; j < 4; j++) {
            char col[64];
            snprintf(col, sizeof col, "beta_%s", r->names[j]);
            near(r->beta[i * 4 + j], row[csv_col(&c, col)], 1e-8, col, i);
        }
    }
    const char *g = REF "georgia_poisson_global.csv";
    near(r->deviance, kv(g, "deviance"), 1e-8, "deviance", 0);
    near(r->tr_s, kv(g, "tr_s"), 1e-8, "tr_s", 0);
    near(r->aicc, kv(g, "aicc"), 1e-8, "aicc", 0);
    near(r->bic, kv(g, "bic"), 1e-8, "bic", 0);
    double s;
    assert_int_equal(agglo_gwr_score(d.ctx, m, 100, &s), AGGLO_OK);
    near(s, kv(g, "aicc"), 1e-8, "score", 0);
    agglo_gwr_result_free(r);
    agglo_gwr_model_free(m);
    csv_free(&c);
    data_free(&d);
}


/* R reference: glm.fit(binomial, weights = kernel) per location; y = PctBach above median. */
static void test_binomial(void **state)
{
    (void)state;
    data d;
    data_load(&d, AGGLO_TEST_DATA "/georgia/G_utm.shp", "PctBach", georgia_x, 3);
    csv c;
    csv_read(REF "georgia_binomial_obs.csv", &c, 1);
    long cy = csv_col(&c, "y");
    for (size_t i = 0; i < d.n; i++)
        d.y[i] = c.v[i * c.ncol + cy];
    agglo_gwr_options o;
    agglo_gwr_options_init(&o);
    o.family = AGGLO_GWR_FAMILY_BINOMIAL;
    agglo_gwr_model *m = agglo_gwr_model_create(d.ctx, d.n, d.cx, d.cy, d.y,
                                                (const double *const *)d.x, d.k, d.names, NULL,
                                                &o);
    if (!m)
        fail_msg("%s", agglo_ctx_errmsg(d.ctx));
    agglo_gwr_result *r = agglo_gwr_fit(d.ctx, m, 120);
    assert_non_null(r);
    assert_int_equal(r->nsingular, 0);
    for (size_t i = 0; i < d.n; i++) {
        const double *row = c.v + i * c.ncol;
        near(r->yhat[i], row[csv_col(&c, "mu")], 1e-8, "mu", i);
        near(r->influence[i], row[csv_col(&c, "influence")], 1e-8, "influence", i);
        for (size_t j = 0; j < 4; j++) {
            char col[64];
            snprintf(col, sizeof col, "beta_%s", r->names[j]);
            near(r->beta[i * 4 + j], row[csv_col(&c, col)], 1e-8, col, i);
        }
    }
    const char *g = REF "georgia_binomial_global.csv";
    near(r->deviance, kv(g, "deviance"), 1e-8, "deviance", 0);
    near(r->tr_s, kv(g, "tr_s"), 1e-8, "tr_s", 0);
    near(r->aicc, kv(g, "aicc"), 1e-8, "aicc", 0);
    near(r->bic, kv(g, "bic"), 1e-8, "bic", 0);
    assert_true(r->pct_dev > 0 && r->pct_dev < 1);
    agglo_gwr_result_free(r);
    agglo_gwr_model_free(m);
    /* a non-binary response is refused naming the row */
    d.y[4] = 2;
    m = agglo_gwr_model_create(d.ctx, d.n, d.cx, d.cy, d.y, (const double *const *)d.x, d.k,
                               d.names, NULL, &o);
    assert_null(m);
    assert_non_null(strstr(agglo_ctx_errmsg(d.ctx), "row 5"));
    csv_free(&c);
    data_free(&d);
}

/* Same numbers whatever the thread count; prediction at the observations equals the fit. */
static void test_threads_and_predict(void **state)
{
    (void)state;
    data d;
    data_load(&d, AGGLO_TEST_DATA "/georgia/G_utm.shp", "PctBach", georgia_x, 3);
    agglo_gwr_model *m = model(&d, AGGLO_GWR_BISQUARE, 0);
    agglo_ctx_set_threads(d.ctx, 1);
    agglo_gwr_result *r1 = agglo_gwr_fit(d.ctx, m, 70);
    agglo_ctx_set_threads(d.ctx, 3);
    agglo_gwr_result *r3 = agglo_gwr_fit(d.ctx, m, 70);
    assert_non_null(r1);
    assert_non_null(r3);
    assert_memory_equal(r1->beta, r3->beta, d.n * 4 * sizeof(double));
    assert_true(r1->aicc == r3->aicc && r1->tr_sts == r3->tr_sts);
    double *beta = malloc(d.n * 4 * sizeof(double)), *yh = malloc(d.n * sizeof(double));
    size_t ns = 99;
    assert_int_equal(agglo_gwr_predict(d.ctx, m, 70, d.n, d.cx, d.cy,
                                       (const double *const *)d.x, beta, yh, &ns),
                     AGGLO_OK);
    assert_int_equal(ns, 0);
    for (size_t i = 0; i < d.n * 4; i++)
        near(beta[i], r1->beta[i], 1e-10, "predict beta", i);
    for (size_t i = 0; i < d.n; i++)
        near(yh[i], r1->yhat[i], 1e-10, "predict yhat", i);
    free(beta);
    free(yh);
    agglo_gwr_result_free(r1);
    agglo_gwr_result_free(r3);
    agglo_gwr_model_free(m);
    data_free(&d);
}


static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prediction at locations inside and far outside the data's extent (the neighbour search
 * then starts from a clamped grid cell) against a direct weighted least-squares solve with
 * the kernel written out here. */
static void test_predict_outside(void **state)
{
    (void)state;
    data d;
    data_load(&d, AGGLO_TEST_DATA "/georgia/G_utm.shp", "PctBach", georgia_x, 3);
    agglo_gwr_model *m = model(&d, AGGLO_GWR_BISQUARE, 0);
    double px[4] = {-2.0e6, 850000, 5.0e6, 700000}, py[4] = {3.6e6, 3.6e6, 9.0e6, 3300000};
    double beta[16];
    size_t ns = 9;
    assert_int_equal(agglo_gwr_predict(d.ctx, m, 37, 4, px, py, NULL, beta, NULL, &ns), AGGLO_OK);
    assert_int_equal(ns, 0);
    double *dist = malloc(d.n * sizeof(double)), *sorted = malloc(d.n * sizeof(double));
    for (int q = 0; q < 4; q++) {
        for (size_t i = 0; i < d.n; i++) {
            double dx = px[q] - d.cx[i], dy = py[q] - d.cy[i];
            dist[i] = sorted[i] = sqrt(dx * dx + dy * dy);
        }
        qsort(sorted, d.n, sizeof(double), cmp_dbl);
        double h = sorted[36] * 1.0000001;
        double A[16] = {0}, b[4] = {0};
        for (size_t i = 0; i < d.n; i++) {
            if (dist[i] >= h)
                continue;
            double z = dist[i] / h, w = (1 - z * z) * (1 - z * z);
            double x[4] = {1, d.x[0][i], d.x[1][i], d.x[2][i]};
            for (int a = 0; a < 4; a++) {
                b[a] += w * x[a] * d.y[i];
                for (int c = 0; c < 4; c++)
                    A[a * 4 + c] += w * x[a] * x[c];
            }
        }
        lapack_int ipiv[4];
        assert_int_equal(LAPACKE_dgesv(LAPACK_ROW_MAJOR, 4, 1, A, 4, ipiv, b, 1), 0);
        for (int a = 0; a < 4; a++)
            near(beta[q * 4 + a], b[a], 1e-9, "predict outside", (size_t)(q * 4 + a));
    }
    free(dist);
    free(sorted);
    agglo_gwr_model_free(m);
    data_free(&d);
}

static int nwarn;
static void count_warn(const char *msg, void *ud)
{
    (void)ud;
    (void)msg;
    nwarn++;
}

/* Local singularity is reported per observation, never NaN-flooded or crashing. */
static void test_singular(void **state)
{
    (void)state;
    data d;
    data_load(&d, AGGLO_TEST_DATA "/georgia/G_utm.shp", "PctBach", georgia_x, 3);
    agglo_ctx_set_warning_handler(d.ctx, count_warn, NULL);
    agglo_gwr_model *m = model(&d, AGGLO_GWR_BISQUARE, 0);
    /* 4 neighbours for 4 coefficients: the farthest gets weight ~0 -> singular everywhere */
    agglo_gwr_result *r = agglo_gwr_fit(d.ctx, m, 4);
    assert_null(r);
    assert_int_equal(agglo_ctx_errcode(d.ctx), AGGLO_E_SINGULAR);
    double s;
    assert_int_equal(agglo_gwr_score(d.ctx, m, 4, &s), AGGLO_OK);
    assert_true(isinf(s));
    agglo_gwr_model_free(m);
    /* a covariate that is constant in the south-east only: locally collinear there */
    double *xc = malloc(d.n * sizeof(double));
    for (size_t i = 0; i < d.n; i++)
        xc[i] = (d.cx[i] > 950000 && d.cy[i] < 3500000) ? 5.0 : d.x[0][i] * 0.37 + (double)(i % 7);
    double *xs[4] = {d.x[0], d.x[1], d.x[2], xc};
    const char *nm[4] = {"a", "b", "c", "local"};
    agglo_gwr_options o;
    agglo_gwr_options_init(&o);
    o.fixed = 1;
    m = agglo_gwr_model_create(d.ctx, d.n, d.cx, d.cy, d.y, (const double *const *)xs, 4, nm,
                               NULL, &o);
    assert_non_null(m);
    nwarn = 0;
    r = agglo_gwr_fit(d.ctx, m, 60000);
    assert_non_null(r);
    {
        assert_true(r->nsingular > 0 && r->nsingular < d.n);
        assert_int_equal(nwarn, 1);
        size_t nn = 0;
        for (size_t i = 0; i < d.n; i++) {
            if (r->singular[i])
                assert_true(isnan(r->beta[i * 5 + 1]));
            else
                nn += isfinite(r->beta[i * 5 + 4]);
        }
        assert_int_equal(nn, d.n - r->nsingular);
        assert_true(isfinite(r->aicc));
        agglo_gwr_result_free(r);
    }
    agglo_gwr_model_free(m);
    free(xc);
    /* bad input: NaN covariate names the row */
    d.x[1][17] = NAN;

    agglo_gwr_model *bad = agglo_gwr_model_create(d.ctx, d.n, d.cx, d.cy, d.y,
                                                  (const double *const *)d.x, d.k, d.names, NULL,
                                                  NULL);
    assert_null(bad);
    assert_non_null(strstr(agglo_ctx_errmsg(d.ctx), "PctPov"));
    assert_non_null(strstr(agglo_ctx_errmsg(d.ctx), "row 18"));
    (void)m;
    data_free(&d);
}

static void test_tcrit(void **state)
{
    (void)state;
    /* R: qt(1 - 0.05/2, 10) = 2.228138851986274; qt(1 - 0.0192/2, 158) */
    near(agglo_t_critical(0.05, 10), 2.228138851986274, 1e-12, "qt", 0);
    near(agglo_t_critical(0.01, 3), 5.8409093097333544, 1e-12, "qt", 1);
    near(agglo_t_critical(0.001, 1000), 3.3002826484239436, 1e-12, "qt", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcrit),
        cmocka_unit_test(test_georgia_scan_and_search),
        cmocka_unit_test(test_georgia_fits),
        cmocka_unit_test(test_columbus_kernels),
        cmocka_unit_test(test_poisson),
        cmocka_unit_test(test_binomial),
        cmocka_unit_test(test_threads_and_predict),
        cmocka_unit_test(test_predict_outside),
        cmocka_unit_test(test_singular),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
