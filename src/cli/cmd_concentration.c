/* agglo concentration REGIONS --count F (--base F | --base-area) [--top K] [--shops P --size F] */
#include "cli.h"
#include "kde_cli.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options concentration uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_VECTOR_OUT | CLI_ACCEPT_COMPUTE)

enum { OPT_COUNT = 1, OPT_BASE, OPT_BASE_AREA, OPT_TOP, OPT_SHOPS, OPT_SIZE };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo concentration REGIONS --count FIELD (--base FIELD | --base-area)\n"
            "                           [--top K] [--shops POINTS [--size FIELD]]\n"
            "                           [--out FILE] [options]\n\n"
            "Concentration of an activity (--count: shops, firms, employment per region)\n"
            "relative to a base (--base: population, all firms; or --base-area: polygon area):\n"
            "location quotient per region, locational Gini (Krugman), sum (s - x)^2, HHI, CR_K,\n"
            "Theil index and entropy, and the Ellison-Glaeser index.\n\n"
            "  --count FIELD     activity per region\n"
            "  --base FIELD      reference per region (population, all firms, ...)\n"
            "  --base-area       use the polygon areas as the base (projected CRS)\n"
            "  --top K           concentration ratio CR_K (default 4)\n"
            "  --shops POINTS    shop (plant) locations for Ellison-Glaeser: each shop is placed\n"
            "                    in its region (point in polygon) and its --size (default 1)\n"
            "                    gives the plant Herfindahl H and the regional shares s_i.\n"
            "                    Without --shops, EG assumes one unit-size plant per counted unit.\n"
            "  --size FIELD      shop size (sales, employees)\n"
            "  --out FILE        regions with fields lq, share_count, share_base\n"
            "                    (.gpkg .shp .geojson .csv)\n"
            "--x-field/--y-field/--crs apply to a CSV of --shops.\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

int cmd_concentration(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"count", required_argument, 0, OPT_COUNT},
        {"base", required_argument, 0, OPT_BASE},
        {"base-area", no_argument, 0, OPT_BASE_AREA},
        {"top", required_argument, 0, OPT_TOP},
        {"shops", required_argument, 0, OPT_SHOPS},
        {"size", required_argument, 0, OPT_SIZE},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *count = NULL, *base = NULL, *shops = NULL, *size = NULL;
    int base_area = 0, opt;
    long top = 4;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "concentration", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_COUNT: count = optarg; break;
        case OPT_BASE: base = optarg; break;
        case OPT_BASE_AREA: base_area = 1; break;
        case OPT_TOP:
            if (cli_parse_int("concentration", "--top", optarg, 1, 1000000, &top))
                return CLI_USAGE;
            break;
        case OPT_SHOPS: shops = optarg; break;
        case OPT_SIZE: size = optarg; break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0)
                return r < 0 ? CLI_USAGE : cli_usage("concentration", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("concentration", "expects one REGIONS input");
    if (!count)
        return cli_usage("concentration", "--count FIELD is required");
    if (!base == !base_area)
        return cli_usage("concentration", "give one of --base FIELD or --base-area");
    if (size && !shops)
        return cli_usage("concentration", "--size needs --shops");
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    agglo_layer *reg = NULL, *sl = NULL;
    double *cnt = NULL, *bas = NULL, *sz = NULL;
    long *where = NULL;
    agglo_concentration *cc = NULL;
    cli_report *r = cli_report_create("concentration");
    cli_common rcom = c;
    rcom.x_field = rcom.y_field = NULL;
    rcom.assign_crs = NULL;
    if (!c.out) { /* --out writes the regions with their fields */
        cli_need(&rcom, count);
        cli_need(&rcom, base);
    }
    reg = cli_read_layer(ctx, path, &rcom);
    if (!reg)
        goto fail;
    size_t n = agglo_layer_count(reg);
    cnt = agglo_table_get_complete(ctx, agglo_layer_table(reg), count, path);
    if (!cnt)
        goto fail;
    if (base) {
        bas = agglo_table_get_complete(ctx, agglo_layer_table(reg), base, path);
        if (!bas)
            goto fail;
    } else {
        if (agglo_layer_kind(reg) != AGGLO_GEOM_POLYGON) {
            agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: --base-area needs polygons", path);
            goto fail;
        }
        if (agglo_lonlat_check(ctx, reg, AGGLO_COORDS_AREAS, 0))
            goto fail;
        bas = malloc((n ? n : 1) * sizeof(double));
        if (!bas) {
            agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            const GEOSGeometry *g = (const GEOSGeometry *)agglo_layer_geometry(reg, i);
            double a = NAN;
            if (!g || !GEOSArea_r(agglo_ctx_geos(ctx), g, &a)) {
                agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: region %zu has no area (NULL geometry)",
                            path, i + 1);
                goto fail;
            }
            bas[i] = a;
        }
    }
    cc = agglo_concentration_compute(ctx, cnt, bas, n, (int)top, path);
    if (!cc)
        goto fail;
    if (shops) {
        cli_common sc = c;
        sc.layer = NULL;
        sc.encoding = NULL;
        sc.to_crs = NULL;
        cli_need_reset(&sc);
        if (size) {
            sc.id_field = NULL; /* --id names the regions' field */
            cli_need(&sc, size); /* the plants' size only */
        }
        sl = cli_read_layer(ctx, shops, &sc);
        if (!sl)
            goto fail;
        if (!agglo_layer_same_crs(sl, reg)) {
            const char *wkt = agglo_layer_crs_wkt(reg);
            if (!wkt || !agglo_layer_crs_wkt(sl)) {
                agglo_error(ctx, AGGLO_E_CRS, "%s: CRS differs from %s and one has none", shops, path);
                goto fail;
            }
            if (agglo_layer_transform(ctx, sl, wkt))
                goto fail;
        }
        size_t m = agglo_layer_count(sl);
        where = malloc((m ? m : 1) * sizeof(long));
        if (!where) {
            agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
            goto fail;
        }
        if (agglo_join_assign(ctx, reg, sl, where))
            goto fail;
        if (size) {
            sz = agglo_table_get_numeric(ctx, agglo_layer_table(sl), size, shops);
            if (!sz)
                goto fail;
        } else {
            sz = malloc((m ? m : 1) * sizeof(double));
            if (!sz) {
                agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                goto fail;
            }
            for (size_t j = 0; j < m; j++)
                sz[j] = 1;
        }
        if (agglo_concentration_eg(ctx, cc, sz, where, m, shops))
            goto fail;
    }
    cli_report_str(r, "input", path);
    cli_report_int(r, "regions", (long long)cc->n);
    cli_report_str(r, "count_field", count);
    cli_report_str(r, "base", base ? base : "area");
    cli_report_num(r, "total_count", cc->total_count);
    cli_report_num(r, "total_base", cc->total_base);
    cli_report_section(r, "indices");
    cli_report_num(r, "gini_locational", cc->gini);
    cli_report_num(r, "sum_sq_share_diff", cc->g_raw);
    cli_report_num(r, "hhi", cc->hhi);
    cli_report_num(r, "hhi_normalised", cc->hhi_normalised);
    cli_report_int(r, "cr_k", cc->cr_k);
    cli_report_num(r, "cr", cc->cr);
    cli_report_num(r, "theil", cc->theil);
    cli_report_num(r, "entropy", cc->entropy);
    size_t lq_gt1 = 0;
    double lq_max = -INFINITY;
    for (size_t i = 0; i < cc->n; i++)
        if (isfinite(cc->lq[i])) {
            lq_gt1 += cc->lq[i] > 1;
            lq_max = fmax(lq_max, cc->lq[i]);
        }
    cli_report_int(r, "regions_lq_above_1", (long long)lq_gt1);
    cli_report_num(r, "lq_max", lq_max);
    cli_report_section(r, "ellison_glaeser");
    cli_report_str(r, "plants", cc->eg_from_plants ? shops : "unit-size plants from the counts");
    cli_report_int(r, "n_plants", (long long)cc->eg_plants);
    cli_report_num(r, "G", cc->eg_G);
    cli_report_num(r, "H", cc->eg_H);
    cli_report_num(r, "sum_x2", cc->eg_sum_x2);
    cli_report_num(r, "gamma", cc->eg_gamma);
    if (c.out) {
        agglo_table *t = agglo_layer_table_mut(reg);
        if (agglo_table_add_numeric(ctx, t, "lq", AGGLO_COL_REAL, cc->lq, NULL) < 0 ||
            agglo_table_add_numeric(ctx, t, "share_count", AGGLO_COL_REAL, cc->share_count, NULL) < 0 ||
            agglo_table_add_numeric(ctx, t, "share_base", AGGLO_COL_REAL, cc->share_base, NULL) < 0 ||
            agglo_layer_write(ctx, reg, c.out, NULL) != AGGLO_OK)
            goto fail;
        cli_report_section(r, NULL);
        cli_report_str(r, "output", c.out);
    }
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    cli_report_free(r);
    agglo_concentration_free(cc);
    free(cnt);
    free(bas);
    free(sz);
    free(where);
    agglo_layer_free(reg);
    agglo_layer_free(sl);
    agglo_ctx_free(ctx);
    return rc;
}
