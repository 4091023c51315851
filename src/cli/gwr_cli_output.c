/* agglo gwr: reading coordinates, writing the per-observation and prediction outputs and the
 * summary report (src/cli/cmd_gwr.c parses the options and calls the library). */
#define _GNU_SOURCE
#include "cli.h"
#include "gwr_mgwr_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Coordinates of a layer: attribute fields, or points/centroids. Refuses geographic CRS
 * unless great_circle. */
int gwr_cli_layer_coords(agglo_ctx *ctx, agglo_layer *L, const char *path, const char *fx,
                        const char *fy, int great_circle, int on_surface, coords *c)
{
    size_t n = agglo_layer_count(L);
    c->x = c->y = NULL;
    if (fx || fy) {
        if (!fx || !fy)
            return agglo_error(ctx, AGGLO_E_USAGE, "%s: give both --coord-x and --coord-y", path);
        c->x = agglo_table_get_complete(ctx, agglo_layer_table(L), fx, path);
        if (!c->x)
            return agglo_ctx_errcode(ctx);
        c->y = agglo_table_get_complete(ctx, agglo_layer_table(L), fy, path);
        if (!c->y)
            return agglo_ctx_errcode(ctx);
        return AGGLO_OK;
    }
    if (agglo_layer_is_geographic(L) && !great_circle)
        return agglo_error(ctx, AGGLO_E_CRS,
                           "%s: coordinates are geographic (lon/lat, %s); GWR needs distances: "
                           "reproject with --to EPSG:xxxx or use --great-circle",
                           path, agglo_layer_crs_name(L) ? agglo_layer_crs_name(L) : "degrees");
    c->x = malloc(n * sizeof(double));
    c->y = malloc(n * sizeof(double));
    if (!c->x || !c->y)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    int rc = agglo_layer_coords(ctx, L, on_surface, c->x, c->y);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(c->x[i]) || !isfinite(c->y[i])) {
            char **ids = agglo_layer_ids(ctx, L, NULL);
            rc = agglo_error(ctx, AGGLO_E_GEOMETRY,
                             "%s: feature %s has a NULL or empty geometry (no location for GWR)",
                             path, ids ? ids[i] : "?");
            agglo_strings_free(ids, n);
            return rc;
        }
    if (great_circle) {
        for (size_t i = 0; i < n; i++)
            if (fabs(c->x[i]) > 360 || fabs(c->y[i]) > 90)
                return agglo_error(ctx, AGGLO_E_CRS,
                                   "%s: --great-circle needs lon/lat degrees; feature %zu is at "
                                   "(%g, %g)",
                                   path, i + 1, c->x[i], c->y[i]);
    } else if (!agglo_layer_crs_wkt(L)) {
        int deg = 1;
        for (size_t i = 0; i < n && deg; i++)
            deg = fabs(c->x[i]) <= 180 && fabs(c->y[i]) <= 90;
        if (deg && n > 2)
            agglo_warn(ctx,
                       "%s: no CRS and every coordinate lies within lon/lat range; distances are "
                       "treated as planar (use --great-circle if these are degrees)",
                       path);
    }
    return AGGLO_OK;
}

void gwr_cli_coords_free(coords *c)
{
    free(c->x);
    free(c->y);
}

/* The coefficient columns and maps of a GWR result (one critical t for all coefficients). */
static gwr_cli_coefs coefs_of(const agglo_gwr_result *r, double *tcrit, double *alpha95)
{
    for (size_t j = 0; j < r->p; j++) {
        tcrit[j] = r->critical_t;
        alpha95[j] = r->adj_alpha[1];
    }
    gwr_cli_coefs k = {r->n,    r->p,    (const char *const *)r->names, r->beta, r->se, r->tval,
                       tcrit,   alpha95, NULL,                          "GWR"};
    return k;
}

int gwr_cli_add_results(agglo_ctx *ctx, agglo_table *t, const agglo_gwr_result *r)
{
    size_t n = r->n, p = r->p;
    double *v = malloc((n + 2 * p) * sizeof(double));
    if (!v)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    gwr_cli_coefs k = coefs_of(r, v + n, v + n + p);
    int rc = gwr_cli_coef_cols(ctx, t, &k);
    struct {
        const char *n;
        const double *v;
    } cols[] = {{"yhat", r->yhat},           {"resid", r->resid},     {"std_resid", r->std_resid},
                {"influence", r->influence}, {"cooks_d", r->cooks_d}, {"local_r2", r->local_r2},
                {"cond", r->cond}};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0] && !rc; c++) {
        if (c == 5 && r->family != AGGLO_GWR_FAMILY_GAUSSIAN)
            continue;
        rc = gwr_cli_add_col(ctx, t, cols[c].n, cols[c].v, AGGLO_COL_REAL);
    }
    if (!rc) {
        for (size_t i = 0; i < n; i++)
            v[i] = r->singular[i];
        rc = gwr_cli_add_col(ctx, t, "singular", v, AGGLO_COL_INTEGER);
    }
    free(v);
    return rc;
}

int gwr_cli_write_table_or_layer(agglo_ctx *ctx, agglo_layer *L, const char *path)
{
    char ext[16];
    agglo_path_ext(path, ext, sizeof ext);
    if (strcmp(ext, "csv") == 0)
        return cli_write_table_csv(ctx, agglo_layer_table(L), path);
    return agglo_layer_write(ctx, L, path, NULL);
}

int gwr_cli_draw_maps(agglo_ctx *ctx, const agglo_layer *L, const agglo_gwr_result *r,
                     const char *png)
{
    double *buf = malloc(2 * (r->p ? r->p : 1) * sizeof(double));
    if (!buf)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    gwr_cli_coefs k = coefs_of(r, buf, buf + r->p);
    int rc = gwr_cli_coef_maps(ctx, L, &k, png);
    free(buf);
    return rc;
}

void gwr_cli_report(cli_report *rep, const agglo_gwr_result *r, const agglo_gwr_search_result *s,
                   int searched, int trace, const agglo_gwr_options *o)
{
    int gauss = r->family == AGGLO_GWR_FAMILY_GAUSSIAN;
    cli_report_section(rep, "bandwidth");
    cli_report_str(rep, "kernel", agglo_gwr_kernel_name(r->kernel));
    cli_report_str(rep, "type", r->fixed ? "fixed (distance)" : "adaptive (nearest neighbours)");
    cli_report_num(rep, "bandwidth", r->bandwidth);
    if (searched) {
        cli_report_str(rep, "criterion", agglo_gwr_criterion_name(o->criterion));
        cli_report_str(rep, "search", o->search == AGGLO_GWR_GOLDEN ? "golden section" : "interval");
        cli_report_num(rep, "search_min", s->lo);
        cli_report_num(rep, "search_max", s->hi);
        cli_report_int(rep, "evaluations", (long long)s->nevals);
        cli_report_num(rep, "criterion_value", s->score);
        if (trace)
            for (size_t i = 0; i < s->nevals; i++) {
                char key[64];
                snprintf(key, sizeof key, "eval_%zu_bw_%g", i + 1, s->bw[i]);
                cli_report_num(rep, key, s->crit[i]);
            }
    } else {
        cli_report_str(rep, "search", "none (given bandwidth)");
    }

    cli_report_section(rep, gauss ? "global regression (OLS)"
                            : r->family == AGGLO_GWR_FAMILY_POISSON ? "global regression (Poisson GLM)"
                                                                    : "global regression (logistic GLM)");
    if (gauss) {
        cli_report_num(rep, "rss", r->g_rss);
        cli_report_num(rep, "sigma", r->g_sigma);
        cli_report_num(rep, "log_likelihood", r->g_llf);
    } else {
        cli_report_num(rep, "deviance", r->g_deviance);
    }
    cli_report_num(rep, "aic", r->g_aic);
    cli_report_num(rep, "aicc", r->g_aicc);
    cli_report_num(rep, "bic", r->g_bic);
    if (gauss) {
        cli_report_num(rep, "cv", r->g_cv);
        cli_report_num(rep, "r2", r->g_r2);
        cli_report_num(rep, "adj_r2", r->g_adj_r2);
    }
    for (size_t j = 0; j < r->p; j++) {
        char key[300];
        snprintf(key, sizeof key, "%s_estimate", r->names[j]);
        cli_report_num(rep, key, r->g_beta[j]);
        snprintf(key, sizeof key, "%s_se", r->names[j]);
        cli_report_num(rep, key, r->g_se[j]);
        snprintf(key, sizeof key, "%s_t", r->names[j]);
        cli_report_num(rep, key, r->g_t[j]);
    }

    cli_report_section(rep, "gwr");
    cli_report_int(rep, "n", (long long)r->n);
    if (gauss) {
        cli_report_num(rep, "rss", r->rss);
    } else {
        cli_report_num(rep, "deviance", r->deviance);
        cli_report_num(rep, "null_deviance", r->null_deviance);
        cli_report_num(rep, "pct_deviance_explained", r->pct_dev);
    }
    cli_report_num(rep, "tr_s", r->tr_s);
    cli_report_num(rep, "tr_sts", r->tr_sts);
    cli_report_num(rep, "enp", r->enp);
    cli_report_num(rep, "df_model", r->df_model);
    cli_report_num(rep, "df_resid", r->df_resid);
    if (gauss) {
        cli_report_num(rep, "sigma", r->sigma);
        cli_report_num(rep, "sigma_ml", r->sigma_ml);
        cli_report_num(rep, "log_likelihood", r->llf);
    }
    cli_report_num(rep, "aic", r->aic);
    cli_report_num(rep, "aicc", r->aicc);
    cli_report_num(rep, "bic", r->bic);
    if (gauss) {
        cli_report_num(rep, "cv", r->cv);
        cli_report_num(rep, "r2", r->r2);
        cli_report_num(rep, "adj_r2", r->adj_r2);
    }
    cli_report_num(rep, "adj_alpha_90", r->adj_alpha[0]);
    cli_report_num(rep, "adj_alpha_95", r->adj_alpha[1]);
    cli_report_num(rep, "adj_alpha_99.9", r->adj_alpha[2]);
    cli_report_num(rep, "critical_t_95", r->critical_t);
    cli_report_int(rep, "singular", (long long)r->nsingular);

    cli_report_section(rep, "local estimates");
    static const char *st[7] = {"mean", "sd", "min", "q1", "median", "q3", "max"};
    for (size_t j = 0; j < r->p; j++)
        for (int q = 0; q < 7; q++) {
            char key[300];
            snprintf(key, sizeof key, "%s_%s", r->names[j], st[q]);
            cli_report_num(rep, key, r->coef_summary[j * 7 + q]);
        }
    size_t *pos = malloc(2 * (r->p ? r->p : 1) * sizeof *pos);
    if (!pos)
        return;
    size_t *neg = pos + r->p;
    agglo_gwr_significance_counts(r, pos, neg);
    for (size_t j = 0; j < r->p; j++) {
        char key[300];
        snprintf(key, sizeof key, "%s_significant_positive", r->names[j]);
        cli_report_int(rep, key, (long long)pos[j]);
        snprintf(key, sizeof key, "%s_significant_negative", r->names[j]);
        cli_report_int(rep, key, (long long)neg[j]);
    }
    free(pos);
}

int gwr_cli_predict(agglo_ctx *ctx, agglo_gwr_model *m, const agglo_gwr_result *r,
                   const char *path, const char *outpath, const cli_common *c,
                   char **xnames, size_t k, int great_circle, int on_surface)
{
    agglo_layer *P = cli_read_layer(ctx, path, c);
    if (!P)
        return agglo_ctx_errcode(ctx);
    coords pc;
    int rc = gwr_cli_layer_coords(ctx, P, path, NULL, NULL, great_circle, on_surface, &pc);
    size_t np = agglo_layer_count(P), p = k + 1;
    double **xn = calloc(k ? k : 1, sizeof(double *));
    double *beta = malloc(np * p * sizeof(double)), *yh = malloc(np * sizeof(double));
    int have_x = 1;
    for (size_t j = 0; j < k && !rc; j++)
        if (agglo_table_find(agglo_layer_table(P), xnames[j]) < 0)
            have_x = 0;
    if (!rc && (!xn || !beta || !yh))
        rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    for (size_t j = 0; j < k && !rc && have_x; j++) {
        xn[j] = agglo_table_get_complete(ctx, agglo_layer_table(P), xnames[j], path);
        if (!xn[j])
            rc = agglo_ctx_errcode(ctx);
    }
    size_t ns = 0;
    if (!rc)
        rc = agglo_gwr_predict(ctx, m, r->bandwidth, np, pc.x, pc.y,
                               have_x ? (const double *const *)xn : NULL, beta, yh, &ns);
    if (!rc && ns)
        agglo_warn(ctx, "%s: %zu prediction location(s) have a singular local regression (NaN)",
                   path, ns);
    agglo_table *t = agglo_layer_table_mut(P);
    for (size_t j = 0; j < p && !rc; j++) {
        char name[256];
        double *v = malloc(np * sizeof(double));
        if (!v) {
            rc = agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            break;
        }
        for (size_t i = 0; i < np; i++)
            v[i] = beta[i * p + j];
        snprintf(name, sizeof name, "b_%s", r->names[j]);
        rc = gwr_cli_add_col(ctx, t, name, v, AGGLO_COL_REAL);
        free(v);
    }
    if (!rc && have_x)
        rc = gwr_cli_add_col(ctx, t, "yhat", yh, AGGLO_COL_REAL);
    if (!rc)
        rc = gwr_cli_write_table_or_layer(ctx, P, outpath);
    for (size_t j = 0; j < k; j++)
        free(xn ? xn[j] : NULL);
    free(xn);
    free(beta);
    free(yh);
    gwr_cli_coords_free(&pc);
    agglo_layer_free(P);
    return rc;
}

/* Replaces *L by the subset of features whose model fields are all present. */
int gwr_cli_drop_incomplete(agglo_ctx *ctx, agglo_layer **L, const char *path, const char *yname,
                           char **xnames, size_t k, const char *offset, const char *cx,
                           const char *cy)
{
    const agglo_table *t = agglo_layer_table(*L);
    size_t n = agglo_layer_count(*L);
    const char *fields[256];
    size_t nf = 0;
    fields[nf++] = yname;
    for (size_t j = 0; j < k && nf < 250; j++)
        fields[nf++] = xnames[j];
    if (offset)
        fields[nf++] = offset;
    if (cx)
        fields[nf++] = cx;
    if (cy)
        fields[nf++] = cy;
    unsigned char *drop = calloc(n ? n : 1, 1);
    size_t *keep = malloc((n ? n : 1) * sizeof(size_t));
    if (!drop || !keep) {
        free(drop);
        free(keep);
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    }
    for (size_t f = 0; f < nf; f++) {
        long col = agglo_table_find(t, fields[f]);
        if (col < 0)
            continue; /* reported when the field is read */
        const unsigned char *nul = agglo_table_nulls(t, (size_t)col);
        for (size_t i = 0; i < n; i++)
            drop[i] |= nul[i];
    }
    for (size_t i = 0; i < n; i++)
        if (!cx && !agglo_layer_geometry(*L, i))
            drop[i] = 1;
    size_t nk = 0, nd = 0;
    char list[200];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (!drop[i]) {
            keep[nk++] = i;
        } else {
            if (nd < 10 && len < sizeof list)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%zu", nd ? ", " : "",
                                        i + 1);
            nd++;
        }
    }
    int rc = AGGLO_OK;
    if (nd > 0) {
        if (nk == 0) {
            rc = agglo_error(ctx, AGGLO_E_EMPTY, "%s: every feature has a missing value", path);
        } else {
            agglo_warn(ctx, "%s: left out %zu feature(s) with missing values (rows %s%s)", path,
                       nd, list, nd > 10 ? ", ..." : "");
            agglo_layer *S = agglo_layer_subset(ctx, *L, keep, nk);
            if (!S) {
                rc = agglo_ctx_errcode(ctx);
            } else {
                agglo_layer_free(*L);
                *L = S;
            }
        }
    }
    free(drop);
    free(keep);
    return rc;
}

/* Frees the covariate names and ends MPI when this command started it (early returns). */
