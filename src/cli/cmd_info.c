/* agglo info FILE: layers, features, geometry type, CRS, extent, fields, NULLs, invalid geometries. */
#define _GNU_SOURCE
#include "cli.h"

#include <gdal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the common options info uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ)

static const char *kind_name(agglo_geom_kind k)
{
    switch (k) {
    case AGGLO_GEOM_POINT: return "point";
    case AGGLO_GEOM_LINE: return "line";
    case AGGLO_GEOM_POLYGON: return "polygon";
    case AGGLO_GEOM_MIXED: return "mixed";
    default: return "none";
    }
}

static const char *type_name(agglo_col_type t)
{
    return t == AGGLO_COL_STRING ? "string" : t == AGGLO_COL_INTEGER ? "integer" : "real";
}

static void usage(FILE *fp)
{
    fprintf(fp, "usage: agglo info FILE [--layer NAME] [--json|--csv] [options]\n\n"
                "Describes a vector data source: its layers, feature count, geometry type, CRS\n"
                "(name, EPSG, geographic or projected), extent, fields with types and NULL counts,\n"
                "and how many geometries are NULL/empty or invalid (with GEOS's reason).\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONG_OPTIONS, {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    int opt;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "info", ACCEPTS)) != -1) {
        if (opt == CLI_GETOPT_ERROR)
            return CLI_USAGE;
        if (opt == 'h' || opt == CLI_OPT_HELP) {
            usage(stdout);
            return CLI_OK;
        }
        int r = cli_common_option(&c, opt, optarg);
        if (r < 0)
            return CLI_USAGE;
        if (r == 0)
            return cli_usage("info", "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage("info", "expects one input file");
    const char *path = argv[optind];

    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    c.allow_invalid = 1; /* info reports invalid geometries instead of refusing */
    agglo_layer *L = cli_read_layer(ctx, path, &c);
    if (!L) {
        int rc = cli_fail(ctx);
        agglo_ctx_free(ctx);
        return rc;
    }

    /* Layer names of the whole source (GeoPackages hold several). */
    cli_report *r = cli_report_create(path);
    cli_report_str(r, "file", path);
    /* a .zip is read through /vsizip/, as agglo_layer_read does */
    size_t plen = strlen(path);
    char *open_path = NULL;
    if (strncmp(path, "/vsi", 4) != 0 && plen > 4 && strcasecmp(path + plen - 4, ".zip") == 0 &&
        asprintf(&open_path, "/vsizip/%s", path) < 0)
        open_path = NULL;
    GDALDatasetH ds = GDALOpenEx(open_path ? open_path : path, GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                 NULL, NULL, NULL);
    free(open_path);
    if (ds) {
        int nl = GDALDatasetGetLayerCount(ds);
        cli_report_int(r, "layers", nl);
        char names[1024] = "";
        size_t used = 0;
        for (int i = 0; i < nl && used + 1 < sizeof names; i++) {
            int k = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "",
                             OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
            if (k > 0)
                used += (size_t)k;
        }
        cli_report_str(r, "layer_names", names);
        GDALClose(ds);
    }
    cli_report_str(r, "layer", agglo_layer_name(L));
    cli_report_int(r, "features", (long long)agglo_layer_count(L));
    cli_report_str(r, "geometry", kind_name(agglo_layer_kind(L)));
    cli_report_str(r, "crs", agglo_layer_crs_name(L) ? agglo_layer_crs_name(L) : "none");
    cli_report_int(r, "epsg", agglo_layer_epsg(L));
    cli_report_str(r, "crs_kind", !agglo_layer_crs_wkt(L) ? "none"
                                  : agglo_layer_is_geographic(L) ? "geographic (degrees)"
                                                                 : "projected");
    double ext[4];
    if (agglo_layer_extent(L, ext) == AGGLO_OK) {
        cli_report_num(r, "xmin", ext[0]);
        cli_report_num(r, "ymin", ext[1]);
        cli_report_num(r, "xmax", ext[2]);
        cli_report_num(r, "ymax", ext[3]);
    }
    cli_report_int(r, "null_or_empty_geometries", (long long)agglo_layer_null_geometries(L));
    cli_report_int(r, "invalid_geometries", (long long)agglo_layer_invalid_geometries(L));
    const agglo_table *t = agglo_layer_table(L);
    cli_report_section(r, "fields");
    for (size_t j = 0; j < agglo_table_ncols(t); j++) {
        char val[128];
        snprintf(val, sizeof val, "%s, %zu NULL", type_name(agglo_table_col_type(t, j)),
                 agglo_table_null_count(t, j));
        if (c.format == CLI_FORMAT_TEXT)
            cli_report_str(r, agglo_table_col_name(t, j), val);
        else
            cli_report_str(r, agglo_table_col_name(t, j), type_name(agglo_table_col_type(t, j)));
    }
    if (c.format != CLI_FORMAT_TEXT) {
        cli_report_section(r, "null_counts");
        for (size_t j = 0; j < agglo_table_ncols(t); j++)
            cli_report_int(r, agglo_table_col_name(t, j), (long long)agglo_table_null_count(t, j));
    }
    cli_report_print(r, stdout, c.format);
    cli_report_free(r);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
    return CLI_OK;
}
