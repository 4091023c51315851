/* agglo join POLYGONS POINTS --out OUT [--count NAME] [--sum F[,F]] [--mean F[,F]] */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* the common options join uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_VECTOR_OUT | CLI_ACCEPT_COMPUTE)

enum { OPT_COUNT = 1, OPT_SUM, OPT_MEAN, OPT_ASSUME_SAME_CRS, OPT_POINTS_X, OPT_POINTS_Y };

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo join POLYGONS POINTS --out OUT [--count NAME] [--sum F[,F...]]\n"
            "                  [--mean F[,F...]] [--assume-same-crs] [options]\n\n"
            "For each region of POLYGONS, counts the POINTS inside (field --count, default\n"
            "'count') and sums/averages point attributes (fields sum_F, mean_F), writing a copy\n"
            "of the polygon layer with the new fields to OUT (.gpkg .shp .geojson .csv).\n"
            "A point on a boundary shared by several regions is counted once, in the region\n"
            "that comes first in the polygon layer. Points in no region are counted and reported.\n"
            "POINTS in another CRS are reprojected to the polygons' CRS; layers without a CRS are\n"
            "refused unless --assume-same-crs. NULL attribute values are skipped.\n"
            "--encoding/--layer apply to POLYGONS; --x-field/--y-field/--crs to a CSV of POINTS.\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

int cmd_join(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"count", required_argument, 0, OPT_COUNT},
        {"sum", required_argument, 0, OPT_SUM},
        {"mean", required_argument, 0, OPT_MEAN},
        {"assume-same-crs", no_argument, 0, OPT_ASSUME_SAME_CRS},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    const char *count = "count";
    char **sums = NULL, **means = NULL;
    size_t nsum = 0, nmean = 0;
    int assume = 0, opt, rc = CLI_OK;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "join", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); rc = CLI_OK; goto done;
        case CLI_GETOPT_ERROR: rc = CLI_USAGE; goto done;
        case OPT_COUNT: count = optarg; break;
        case OPT_SUM: agglo_strings_free(sums, nsum); sums = cli_split(optarg, &nsum); break;
        case OPT_MEAN: agglo_strings_free(means, nmean); means = cli_split(optarg, &nmean); break;
        case OPT_ASSUME_SAME_CRS: assume = 1; break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0) {
                rc = r < 0 ? CLI_USAGE : cli_usage("join", "unknown option");
                goto done;
            }
        }
        }
    }
    if (optind != argc - 2) {
        rc = cli_usage("join", "expects POLYGONS and POINTS");
        goto done;
    }
    if (!c.out) {
        rc = cli_usage("join", "--out FILE is required");
        goto done;
    }
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx) {
        rc = CLI_FAIL;
        goto done;
    }
    cli_common pc = c; /* point options: no layer name / encoding of the polygons */
    pc.layer = NULL;
    pc.encoding = NULL;
    pc.to_crs = NULL;
    cli_common rc_opts = c;
    rc_opts.x_field = rc_opts.y_field = NULL;
    rc_opts.assign_crs = NULL;
    agglo_layer *poly = cli_read_layer(ctx, argv[optind], &rc_opts);
    agglo_layer *pts = poly ? cli_read_layer(ctx, argv[optind + 1], &pc) : NULL;
    agglo_join_options jo = {count, (const char *const *)sums, (const char *const *)means, assume};
    agglo_join_stats st;
    if (!poly || !pts || agglo_join_layers(ctx, poly, pts, &jo, &st) != AGGLO_OK ||
        agglo_layer_write(ctx, poly, c.out, NULL) != AGGLO_OK) {
        rc = cli_fail(ctx);
    } else {
        cli_report *r = cli_report_create("spatial join");
        cli_report_str(r, "polygons", argv[optind]);
        cli_report_str(r, "points", argv[optind + 1]);
        cli_report_int(r, "regions", (long long)agglo_layer_count(poly));
        cli_report_int(r, "points_read", (long long)st.points);
        cli_report_int(r, "points_joined", (long long)(st.points - st.outside - st.null_points));
        cli_report_int(r, "points_outside", (long long)st.outside);
        cli_report_int(r, "points_null_geometry", (long long)st.null_points);
        cli_report_int(r, "regions_without_points", (long long)st.regions_empty);
        cli_report_bool(r, "points_reprojected", st.reprojected);
        cli_report_str(r, "output", c.out);
        if (!c.quiet || c.format != CLI_FORMAT_TEXT)
            cli_report_print(r, stdout, c.format);
        cli_report_free(r);
    }
    agglo_layer_free(pts);
    agglo_layer_free(poly);
    agglo_ctx_free(ctx);
done:
    agglo_strings_free(sums, nsum);
    agglo_strings_free(means, nmean);
    return rc;
}
