/* agglo trend INPUT --var F --order 1,2,3 [--raster trend.tif --cell C] [--out fitted.gpkg] */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options trend uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_VECTOR_OUT)

enum { OPT_VAR = 1, OPT_ORDER, OPT_RASTER, OPT_CELL, OPT_ON_SURFACE };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo trend INPUT --var FIELD [--order 1,2,3] [--raster FILE.tif [--cell C]]\n"
            "                   [--on-surface] [--out LAYER]\n\n"
            "Trend surface analysis (ArcGIS Trend): the least-squares polynomial of order k in\n"
            "the coordinates (all terms x^i y^j with i + j <= k) for each order asked, with R2,\n"
            "adjusted R2 and RMS error (sqrt(SSE / n)). Points are used as they are, polygons\n"
            "at their centroids (or --on-surface). The coordinates are centred on their means\n"
            "and divided by their standard deviations before the powers are formed; the\n"
            "coefficients refer to those scaled coordinates (fits do not depend on it).\n\n"
            "  --var FIELD      the value to fit (a field or an expression)\n"
            "  --order LIST     orders 1..6 (default 1,2,3)\n"
            "  --raster FILE    the surface of the highest order listed as a GeoTIFF (Float64)\n"
            "                   over the layer's extent\n"
            "  --cell C         raster cell size in map units (default: the longer side of the\n"
            "                   extent / 500)\n"
            "  --on-surface     polygons at a point on their surface instead of the centroid\n"
            "  --out LAYER      the input with fitted_<k> and residual_<k> per order\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

static int parse_orders(const char *arg, int *orders, size_t *n)
{
    size_t m = 0;
    char **parts = cli_split(arg, &m);
    if (!parts || m == 0 || m > AGGLO_TREND_MAX_ORDER) {
        if (parts)
            for (size_t i = 0; i < m; i++)
                free(parts[i]);
        free(parts);
        return cli_usage("trend", "--order takes 1 to %d orders, e.g. 1,2,3",
                         AGGLO_TREND_MAX_ORDER) ? -1 : -1;
    }
    int bad = 0;
    for (size_t i = 0; i < m && !bad; i++) {
        long v;
        if (cli_parse_int("trend", "--order", parts[i], 1, AGGLO_TREND_MAX_ORDER, &v))
            bad = 1;
        else
            orders[i] = (int)v;
        for (size_t j = 0; j < i && !bad; j++)
            if (orders[j] == orders[i]) {
                cli_usage("trend", "--order lists %d twice", orders[i]);
                bad = 1;
            }
    }
    for (size_t i = 0; i < m; i++)
        free(parts[i]);
    free(parts);
    *n = m;
    return bad ? -1 : 0;
}

int cmd_trend(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"var", required_argument, 0, OPT_VAR},
        {"order", required_argument, 0, OPT_ORDER},
        {"raster", required_argument, 0, OPT_RASTER},
        {"cell", required_argument, 0, OPT_CELL},
        {"on-surface", no_argument, 0, OPT_ON_SURFACE},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *var = NULL, *raster = NULL;
    int orders[AGGLO_TREND_MAX_ORDER] = {1, 2, 3};
    size_t norders = 3;
    double cell = NAN;
    int on_surface = 0, opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "trend", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_VAR: var = optarg; break;
        case OPT_ORDER:
            if (parse_orders(optarg, orders, &norders))
                return CLI_USAGE;
            break;
        case OPT_RASTER: raster = optarg; break;
        case OPT_CELL:
            if (cli_parse_double("trend", "--cell", optarg, &cell))
                return CLI_USAGE;
            if (!(cell > 0) || !isfinite(cell))
                return cli_usage("trend", "--cell must be a positive number");
            break;
        case OPT_ON_SURFACE: on_surface = 1; break;
        default: return cli_usage("trend", "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage("trend", "expects one INPUT layer");
    if (!var)
        return cli_usage("trend", "--var FIELD is required");
    if (!raster && !isnan(cell))
        return cli_usage("trend", "--cell only applies with --raster");
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    double *x = NULL, *y = NULL, *z = NULL, *grid = NULL;
    agglo_trend *t = NULL;
    cli_report *r = cli_report_create("trend surface");
    cli_need(&c, var);
    agglo_layer *L = cli_read_layer(ctx, path, &c);
    if (!L)
        goto fail;
    size_t n = agglo_layer_count(L);
    if (!(z = agglo_table_get_complete(ctx, agglo_layer_table(L), var, path)))
        goto fail;
    x = malloc((n ? n : 1) * sizeof *x);
    y = malloc((n ? n : 1) * sizeof *y);
    if (!x || !y) {
        agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        goto fail;
    }
    if (agglo_layer_coords(ctx, L, on_surface, x, y))
        goto fail;
    if (!(t = agglo_trend_compute(ctx, x, y, z, n, orders, norders, path)))
        goto fail;
    size_t top = 0; /* the highest order listed */
    for (size_t k = 1; k < t->norders; k++)
        if (t->fits[k].order > t->fits[top].order)
            top = k;
    cli_report_str(r, "input", path);
    cli_report_str(r, "variable", var);
    cli_report_int(r, "n", (long long)n);
    cli_report_str(r, "location", agglo_layer_kind(L) == AGGLO_GEOM_POINT ? "points"
                                  : on_surface ? "point_on_surface" : "centroid");
    cli_report_num(r, "x_mean", t->x_mean);
    cli_report_num(r, "y_mean", t->y_mean);
    cli_report_num(r, "x_scale", t->x_scale);
    cli_report_num(r, "y_scale", t->y_scale);
    for (size_t k = 0; k < t->norders; k++) {
        const agglo_trend_fit *f = &t->fits[k];
        char sec[32], key[32];
        snprintf(sec, sizeof sec, "order_%d", f->order);
        cli_report_section(r, sec);
        cli_report_int(r, "terms", (long long)f->nterms);
        cli_report_num(r, "r2", f->r2);
        cli_report_num(r, "r2_adj", f->r2_adj);
        cli_report_num(r, "rms", f->rms);
        cli_report_num(r, "sigma", f->sigma);
        cli_report_section_path(r, sec, "coefficients", (const char *)NULL);
        for (size_t j = 0; j < f->nterms; j++) {
            snprintf(key, sizeof key, "x%d_y%d", f->px[j], f->py[j]);
            cli_report_num(r, key, f->coef[j]);
        }
    }
    if (raster) {
        double ext[4];
        agglo_grid g;
        if (agglo_layer_extent(L, ext))
            goto fail;
        if (isnan(cell))
            cell = fmax(ext[2] - ext[0], ext[3] - ext[1]) / 500.0;
        if (!(cell > 0)) {
            agglo_error(ctx, AGGLO_E_EMPTY, "%s: the layer's extent is a point; give --cell", path);
            goto fail;
        }
        if (agglo_grid_from_extent(ctx, ext, cell, &g))
            goto fail;
        if (!(grid = malloc(g.ncols * g.nrows * sizeof *grid))) {
            agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            goto fail;
        }
        agglo_trend_grid(t, top, &g, grid);
        if (agglo_raster_write_geotiff(ctx, raster, grid, &g, agglo_layer_crs_wkt(L), -9999.0, 0))
            goto fail;
        cli_report_section(r, "raster");
        cli_report_str(r, "output", raster);
        cli_report_int(r, "order", t->fits[top].order);
        cli_report_num(r, "cell", cell);
        cli_report_int(r, "ncols", (long long)g.ncols);
        cli_report_int(r, "nrows", (long long)g.nrows);
    }
    if (c.out) {
        agglo_table *tab = agglo_layer_table_mut(L);
        for (size_t k = 0; k < t->norders; k++) {
            char nm[32];
            snprintf(nm, sizeof nm, "fitted_%d", t->fits[k].order);
            if (agglo_table_add_numeric(ctx, tab, nm, AGGLO_COL_REAL, t->fits[k].fitted, NULL) < 0)
                goto fail;
            snprintf(nm, sizeof nm, "residual_%d", t->fits[k].order);
            if (agglo_table_add_numeric(ctx, tab, nm, AGGLO_COL_REAL, t->fits[k].residual, NULL) < 0)
                goto fail;
        }
        if (agglo_layer_write(ctx, L, c.out, NULL))
            goto fail;
        cli_report_section(r, "fitted");
        cli_report_str(r, "output", c.out);
    }
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    cli_report_free(r);
    agglo_trend_free(t);
    free(x);
    free(y);
    free(z);
    free(grid);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
    return rc;
}
