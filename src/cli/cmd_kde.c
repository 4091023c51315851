/* agglo kde POINTS --cell SIZE [--bandwidth H|RULE] [--kernel K] --out density.tif [--png] */
#include "cli.h"
#include "kde_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options kde uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_OUT | CLI_ACCEPT_PNG | CLI_ACCEPT_COMPUTE)

enum {
    OPT_CELL = 1, OPT_BW, OPT_KERNEL, OPT_WEIGHT, OPT_EXTENT, OPT_EXTENT_FROM, OPT_MASK,
    OPT_METHOD, OPT_BINNING, OPT_SCALE, OPT_NODATA, OPT_FLOAT32, OPT_PAD, OPT_CUTOFF, OPT_EDGE,
    OPT_WINDOW_ONLY, OPT_WINDOW_POLY,
    OPT_OLD_WEIGHT /* deprecated spelling of --point-weight */
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo kde POINTS --cell SIZE [--bandwidth H|RULE]\n"
            "                 [--kernel quartic|gaussian|epanechnikov|triangular|uniform]\n"
            "                 [--point-weight FIELD] [--extent xmin,ymin,xmax,ymax | --extent-from LAYER]\n"
            "                 [--mask POLYGONS] [--out density.tif] [--png density.png] [options]\n\n"
            "Kernel density of POINTS (a point layer or a CSV of coordinates) on a grid of\n"
            "square cells, written as a GeoTIFF (CRS, nodata) and/or drawn as a PNG.\n"
            "Coordinates must be projected: use --to EPSG:xxxx for lon/lat data.\n"
            "The picture's legend is in points (or --weight) per km\u00b2 on a projected CRS:\n"
            "densities per square CRS unit are multiplied by 1e6 / unit\u00b2 for the picture\n"
            "only (the --out GeoTIFF keeps the --scale values); --overlay draws boundaries.\n\n"
            "  --cell SIZE          cell side in CRS units (required)\n"
            "  --bandwidth H|RULE   a number (CRS units), or a rule: arcgis (default; ArcGIS\n"
            "                       Kernel Density's rule), silverman, scott (spatstat bw.scott),\n"
            "                       ppl (likelihood cross-validation, spatstat bw.ppl),\n"
            "                       diggle (Berman-Diggle mean-square error criterion, spatstat\n"
            "                       bw.diggle; window = the given extent, else the bounding box).\n"
            "                       H is the search radius of bounded kernels and the standard\n"
            "                       deviation (sigma) of the gaussian\n"
            "  --kernel K           quartic (default, ArcGIS/QGIS), gaussian, epanechnikov,\n"
            "                       triangular, uniform\n"
            "  --point-weight F     weight of each point (e.g. sales); NULL weights are skipped\n"
            "                       (--weight is its deprecated name)\n"
            "  --extent E           grid extent xmin,ymin,xmax,ymax (default: the points' bounding\n"
            "                       box grown by --pad)\n"
            "  --extent-from LAYER  grid extent from a layer (e.g. the county polygons)\n"
            "  --pad D              grow the default extent by D on each side (default 0)\n"
            "  --mask POLYGONS      cells whose centre is outside the polygons become nodata;\n"
            "                       also sets the extent unless --extent is given\n"
            "  --method M           auto (default), exact, fft\n"
            "  --binning B          FFT binning: nearest (default, as spatstat) or linear\n"
            "  --scale S            intensity (default: per square CRS unit, as spatstat and\n"
            "                       ArcGIS with area units = map units), km2 (per square km,\n"
            "                       metre CRS), cell (expected count per cell), probability\n"
            "                       (integrates to 1)\n"
            "  --edge               edge correction (spatstat's default edge = TRUE): divide by\n"
            "                       the share of each cell's kernel inside the grid rectangle;\n"
            "                       with points outside the grid it needs --window-only\n"
            "  --window POLYGONS    study area = the union of a polygon layer's polygons (as\n"
            "                       spatstat's polygonal owin): only points inside count, --edge\n"
            "                       divides by the kernel mass inside the polygons, cells outside\n"
            "                       are nodata; default extent its bounding box\n"
            "  --window-only        only the points inside the grid count (spatstat density.ppp\n"
            "                       with the grid as the window); by default every point within\n"
            "                       the kernel's reach of a cell counts (ArcGIS, QGIS), whatever\n"
            "                       the method\n"
            "  --cutoff C           gaussian truncation radius in sigmas (default 8)\n"
            "  --nodata V           nodata value of the GeoTIFF (default -9999)\n"
            "  --float32            write Float32 instead of Float64\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

int cmd_kde(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        CLI_PLOT_LONG_OPTIONS,
        {"cell", required_argument, 0, OPT_CELL},
        {"bandwidth", required_argument, 0, OPT_BW},
        {"kernel", required_argument, 0, OPT_KERNEL},
        {"point-weight", required_argument, 0, OPT_WEIGHT},
        {"weight", required_argument, 0, OPT_OLD_WEIGHT},
        {"extent", required_argument, 0, OPT_EXTENT},
        {"extent-from", required_argument, 0, OPT_EXTENT_FROM},
        {"mask", required_argument, 0, OPT_MASK},
        {"method", required_argument, 0, OPT_METHOD},
        {"binning", required_argument, 0, OPT_BINNING},
        {"scale", required_argument, 0, OPT_SCALE},
        {"nodata", required_argument, 0, OPT_NODATA},
        {"float32", no_argument, 0, OPT_FLOAT32},
        {"pad", required_argument, 0, OPT_PAD},
        {"cutoff", required_argument, 0, OPT_CUTOFF},
        {"edge", no_argument, 0, OPT_EDGE},
        {"window-only", no_argument, 0, OPT_WINDOW_ONLY},
        {"window", required_argument, 0, OPT_WINDOW_POLY},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    agglo_kde_options ko;
    agglo_kde_options_init(&ko);
    double cell = 0, bw = 0, nodata = -9999, pad = 0, ext[4];
    int rule = AGGLO_BW_ARCGIS, have_ext = 0, float32 = 0, opt;
    const char *weight = NULL, *extent_from = NULL, *mask = NULL, *window_poly = NULL;
    agglo_window *pw = NULL;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "kde", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_CELL:
            if (cli_parse_double("kde", "--cell", optarg, &cell))
                return CLI_USAGE;
            if (!(cell > 0))
                return cli_usage("kde", "--cell must be positive");
            break;
        case OPT_BW: {
            int r = agglo_bw_rule_parse(optarg);
            if (r >= 0) {
                rule = r;
            } else {
                if (cli_parse_double("kde", "--bandwidth", optarg, &bw))
                    return CLI_USAGE;
                if (!(bw > 0))
                    return cli_usage("kde", "--bandwidth must be positive");
                rule = AGGLO_BW_FIXED;
            }
            break;
        }
        case OPT_KERNEL: {
            int k = agglo_kde_kernel_parse(optarg);
            if (k < 0)
                return cli_usage("kde", "--kernel: unknown kernel '%s'", optarg);
            ko.kernel = (agglo_kde_kernel)k;
            break;
        }
        case OPT_OLD_WEIGHT:
            cli_deprecated("kde", "weight", "point-weight");
            /* fall through */
        case OPT_WEIGHT: weight = optarg; break;
        case OPT_EXTENT:
            if (kde_cli_extent("kde", "--extent", optarg, ext))
                return CLI_USAGE;
            have_ext = 1;
            break;
        case OPT_EXTENT_FROM: extent_from = optarg; break;
        case OPT_MASK: mask = optarg; break;
        case OPT_METHOD:
            if (!strcmp(optarg, "auto")) ko.method = AGGLO_KDE_AUTO;
            else if (!strcmp(optarg, "exact")) ko.method = AGGLO_KDE_EXACT;
            else if (!strcmp(optarg, "fft")) ko.method = AGGLO_KDE_FFT;
            else return cli_usage("kde", "--method: expected auto, exact or fft");
            break;
        case OPT_BINNING:
            if (!strcmp(optarg, "nearest")) ko.binning = AGGLO_KDE_BIN_NEAREST;
            else if (!strcmp(optarg, "linear")) ko.binning = AGGLO_KDE_BIN_LINEAR;
            else return cli_usage("kde", "--binning: expected nearest or linear");
            break;
        case OPT_SCALE:
            if (!strcmp(optarg, "intensity")) ko.scale = AGGLO_KDE_SCALE_INTENSITY;
            else if (!strcmp(optarg, "km2")) ko.scale = AGGLO_KDE_SCALE_KM2;
            else if (!strcmp(optarg, "cell")) ko.scale = AGGLO_KDE_SCALE_CELL;
            else if (!strcmp(optarg, "probability")) ko.scale = AGGLO_KDE_SCALE_PROBABILITY;
            else return cli_usage("kde", "--scale: expected intensity, km2, cell or probability");
            break;
        case OPT_NODATA:
            if (cli_parse_double("kde", "--nodata", optarg, &nodata))
                return CLI_USAGE;
            break;
        case OPT_FLOAT32: float32 = 1; break;
        case OPT_EDGE: ko.edge = 1; break;
        case OPT_WINDOW_ONLY: ko.window_only = 1; break;
        case OPT_WINDOW_POLY: window_poly = optarg; break;
        case OPT_PAD:
            if (cli_parse_double("kde", "--pad", optarg, &pad))
                return CLI_USAGE;
            if (pad < 0)
                return cli_usage("kde", "--pad must be >= 0");
            break;
        case OPT_CUTOFF:
            if (cli_parse_double("kde", "--cutoff", optarg, &ko.gauss_cutoff))
                return CLI_USAGE;
            if (!(ko.gauss_cutoff >= 1))
                return cli_usage("kde", "--cutoff must be >= 1");
            break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0)
                return r < 0 ? CLI_USAGE : cli_usage("kde", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("kde", "expects one POINTS input");
    if (!(cell > 0))
        return cli_usage("kde", "--cell SIZE is required");
    if (have_ext && extent_from)
        return cli_usage("kde", "give --extent or --extent-from, not both");
    if (c.out) {
        char e[16];
        agglo_path_ext(c.out, e, sizeof e);
        if (strcmp(e, "tif") && strcmp(e, "tiff"))
            return cli_usage("kde", "--out must name a GeoTIFF (.tif)");
    }
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    agglo_layer *pts = NULL, *maskl = NULL, *extl = NULL;
    double *x = NULL, *y = NULL, *w = NULL, *grid = NULL;
    size_t n = 0;
    cli_need(&c, weight); /* with a point weight, only that field is read */
    pts = cli_read_layer(ctx, path, &c);
    if (!pts || kde_cli_coords(ctx, pts, path, &x, &y, &n)) {
        rc = cli_fail(ctx);
        goto out;
    }
    if (weight) {
        w = agglo_table_get_numeric(ctx, agglo_layer_table(pts), weight, path);
        if (!w) {
            rc = cli_fail(ctx);
            goto out;
        }
        size_t nnull = 0;
        for (size_t i = 0; i < n; i++)
            if (isnan(w[i]))
                nnull++;
        if (nnull)
            agglo_warn(ctx, "%s: %zu point(s) with a NULL %s left out", path, nnull, weight);
    }
    if (mask) {
        maskl = kde_cli_read_polygons(ctx, mask, pts, &c);
        if (!maskl) {
            rc = cli_fail(ctx);
            goto out;
        }
    }
    if (window_poly) { /* the study area: its bounding box is the default extent */
        cli_common wc = c;
        wc.x_field = wc.y_field = NULL;
        agglo_layer *wl = kde_cli_read_polygons(ctx, window_poly, pts, &wc);
        pw = wl ? agglo_window_from_layer(ctx, wl) : NULL;
        agglo_layer_free(wl);
        if (!pw) {
            rc = cli_fail(ctx);
            goto out;
        }
        if (!have_ext && !extent_from) {
            agglo_window_bbox(pw, ext);
            have_ext = 1;
        }
    }
    if (extent_from) {
        cli_common ec = c;
        ec.x_field = ec.y_field = NULL;
        extl = kde_cli_read_polygons(ctx, extent_from, pts, &ec);
        if (!extl || agglo_layer_extent(extl, ext) != AGGLO_OK) {
            if (extl)
                agglo_error(ctx, AGGLO_E_EMPTY, "%s: no extent", extent_from);
            rc = cli_fail(ctx);
            goto out;
        }
        have_ext = 1;
    } else if (!have_ext && maskl) {
        if (agglo_layer_extent(maskl, ext) != AGGLO_OK) {
            agglo_error(ctx, AGGLO_E_EMPTY, "%s: no extent", mask);
            rc = cli_fail(ctx);
            goto out;
        }
        have_ext = 1;
    }
    if (!have_ext && agglo_kde_default_extent(ctx, x, y, n, pad, cell, ext)) {
        char msg[256]; /* name the input file in the message */
        snprintf(msg, sizeof msg, "%s", agglo_ctx_errmsg(ctx));
        agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s", path, msg);
        rc = cli_fail(ctx);
        goto out;
    }
    if (rule != AGGLO_BW_FIXED) {
        if (agglo_kde_bandwidth(ctx, (agglo_bw_rule)rule, x, y, w, n, have_ext ? ext : NULL, &bw)) {
            char msg[512]; /* name the input file in the message */
            snprintf(msg, sizeof msg, "%s", agglo_ctx_errmsg(ctx));
            agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s", path, msg);
            rc = cli_fail(ctx);
            goto out;
        }
    }
    ko.bandwidth = bw;
    agglo_grid g;
    if (agglo_grid_from_extent(ctx, ext, cell, &g)) {
        rc = cli_fail(ctx);
        goto out;
    }
    {
        /* the grid plus about as much working memory (measured: 4e8 cells took 6.5 GB) */
        char what[96];
        snprintf(what, sizeof what, "kde: a %zu x %zu grid", g.ncols, g.nrows);
        if (agglo_memory_guard(ctx, 16.0 * (double)g.ncols * (double)g.nrows, what)) {
            rc = cli_fail(ctx);
            goto out;
        }
    }
    grid = malloc(g.ncols * g.nrows * sizeof(double));
    if (!grid) {
        agglo_error(ctx, AGGLO_E_NOMEM, "kde: out of memory for %zu x %zu cells", g.ncols, g.nrows);
        rc = cli_fail(ctx);
        goto out;
    }
    agglo_kde_info info;
    size_t kept = g.ncols * g.nrows;
    if (pw ? agglo_kde_compute_window(ctx, x, y, w, n, &g, &ko, pw, nodata, grid, &info, &kept)
           : agglo_kde_compute(ctx, x, y, w, n, &g, &ko, grid, &info)) {
        char msg[768]; /* name the input file in the message */
        snprintf(msg, sizeof msg, "%s", agglo_ctx_errmsg(ctx));
        agglo_error(ctx, agglo_ctx_errcode(ctx), "%s: %s", path, msg);
        rc = cli_fail(ctx);
        goto out;
    }
    if (maskl && agglo_kde_mask(ctx, &g, maskl, grid, nodata, &kept)) {
        rc = cli_fail(ctx);
        goto out;
    }
    if (info.points_left_out)
        agglo_warn(ctx, "%s: %zu point(s) outside the grid left out (--window-only)", path,
                   info.points_left_out);
    if (c.out && agglo_raster_write_geotiff(ctx, c.out, grid, &g, agglo_layer_crs_wkt(pts), nodata,
                                            float32)) {
        rc = cli_fail(ctx);
        goto out;
    }
    static const char *scale_names[] = {"intensity per square unit", "per square km",
                                        "expected count per cell", "probability density"};
    static const char *scale_short[] = {"per square unit", "per square km", "per cell",
                                        "probability density"};
    if (c.png) {
        char title[256], legend[160];
        /* what is counted: the weight field, else the layer's name ("shops") */
        const char *what = weight ? weight : agglo_layer_name(pts);
        if (!what || !*what)
            what = "points";
        /* the picture's legend is per km² on a projected CRS: intensities per square CRS
         * unit are multiplied by 1e6 / unit² for the picture only (--out keeps --scale) */
        double unit_m = cli_crs_unit_metres(agglo_layer_crs_wkt(pts)), f = 1;
        if (ko.scale == AGGLO_KDE_SCALE_PROBABILITY)
            snprintf(legend, sizeof legend, "%s", scale_short[ko.scale]);
        else if (ko.scale == AGGLO_KDE_SCALE_KM2 ||
                 (ko.scale == AGGLO_KDE_SCALE_INTENSITY && unit_m > 0)) {
            snprintf(legend, sizeof legend, "%.60s per km\u00b2", what);
            if (ko.scale == AGGLO_KDE_SCALE_INTENSITY)
                f = 1e6 / (unit_m * unit_m);
        } else
            snprintf(legend, sizeof legend, "%.60s %s", what, scale_short[ko.scale]);
        snprintf(title, sizeof title, "Kernel density (%s, h = %.4g)",
                 agglo_kde_kernel_name(ko.kernel), bw);
        cli_style ks;
        double *shown = grid;
        if (f != 1) {
            size_t nn = g.ncols * g.nrows;
            shown = malloc(nn * sizeof(double));
            if (shown)
                for (size_t t = 0; t < nn; t++)
                    shown[t] = grid[t] == nodata || isnan(grid[t]) ? grid[t] : grid[t] * f;
            else
                agglo_error(ctx, AGGLO_E_NOMEM, "kde: out of memory for the picture");
        }
        int prc = !shown || cli_plot_style(ctx, &c, NULL, agglo_layer_crs_wkt(pts), &ks) ||
                  agglo_plot_raster(ctx, shown, g.ncols, g.nrows, g.xmin, g.ymax, g.cell, nodata,
                                    maskl, legend, title, c.png, &ks.style);
        if (shown)
            cli_style_free(&ks);
        if (shown != grid)
            free(shown);
        if (prc) {
            rc = cli_fail(ctx);
            goto out;
        }
    }
    double vmax, mass;
    agglo_kde_summarise(&g, grid, nodata, &vmax, &mass);
    cli_report *r = cli_report_create("kernel density");
    cli_report_str(r, "input", path);
    cli_report_int(r, "points_used", (long long)info.points_used);
    cli_report_int(r, "points_outside_grid", (long long)info.points_outside);
    cli_report_int(r, "points_left_out", (long long)info.points_left_out);
    cli_report_num(r, "total_weight", info.total_weight);
    cli_report_str(r, "kernel", agglo_kde_kernel_name(ko.kernel));
    cli_report_str(r, "bandwidth_rule", agglo_bw_rule_name((agglo_bw_rule)rule));
    cli_report_num(r, "bandwidth", bw);
    cli_report_str(r, "method", info.method == AGGLO_KDE_FFT ? "fft" : "exact");
    cli_report_str(r, "scale", scale_names[ko.scale]);
    cli_report_bool(r, "edge_correction", ko.edge);
    cli_report_num(r, "cell", g.cell);
    cli_report_int(r, "ncols", (long long)g.ncols);
    cli_report_int(r, "nrows", (long long)g.nrows);
    cli_report_num(r, "xmin", g.xmin);
    cli_report_num(r, "ymin", g.ymax - (double)g.nrows * g.cell);
    cli_report_num(r, "xmax", g.xmin + (double)g.ncols * g.cell);
    cli_report_num(r, "ymax", g.ymax);
    cli_report_int(r, "cells_kept", (long long)kept);
    cli_report_num(r, "max_density", vmax);
    if (ko.scale == AGGLO_KDE_SCALE_INTENSITY)
        cli_report_num(r, "integral", mass * g.cell * g.cell);
    if (c.out)
        cli_report_str(r, "output", c.out);
    if (c.png)
        cli_report_str(r, "png", c.png);
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    cli_report_free(r);
out:
    free(x);
    free(y);
    free(w);
    free(grid);
    agglo_layer_free(pts);
    agglo_layer_free(maskl);
    agglo_layer_free(extl);
    agglo_window_free(pw);
    agglo_ctx_free(ctx);
    return rc;
}
