/* agglo weights INPUT --queen|--rook|--knn K|--band D|--idw P|--kernel NAME ... --out FILE
 * Builds spatial weights (library: agglo_weights_build), optionally transforms them, writes
 * GAL/GWT/KWT/CSV and prints a summary. */
#define _GNU_SOURCE
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the common options weights uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_ID | CLI_ACCEPT_OUT | CLI_ACCEPT_COMPUTE)

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo weights INPUT (--queen | --rook | --knn K | --band D | --idw P | --kernel NAME\n"
            "                            | --spec SPEC) [options] [--out FILE.gal|.gwt|.kwt|.csv] [--summary]\n\n"
            "Builds spatial weights from a polygon or point layer and writes them as GeoDa/PySAL\n"
            "files; prints a summary (always when there is no --out).\n\n"
            "Kinds:\n"
            "  --queen               polygons sharing a vertex (spdep poly2nb queen=TRUE)\n"
            "  --rook                polygons sharing an edge (libpysal Rook)\n"
            "  --knn K               K nearest neighbours of the points / centroids (spdep knn2nb)\n"
            "  --band D              neighbours within distance D (0 < d <= D); 'auto' = the smallest\n"
            "                        band that leaves nobody without a neighbour (GeoDa's default)\n"
            "  --idw P               inverse distance d^-P (within --band D if given, else all pairs)\n"
            "  --kernel NAME         uniform, triangular, epanechnikov, quartic (bisquare), gaussian\n"
            "  --spec SPEC           a spec as statistics commands take (queen, knn:8, kernel:gaussian:adaptive=10)\n"
            "                        or an existing .gal/.gwt/.kwt/.csv file (to convert or summarise);\n"
            "                        --weights is a synonym\n\n"
            "Options:\n"
            "  --snap S              contiguity: vertices closer than S are the same (default sqrt(eps))\n"
            "  --order K             contiguity of order K (neighbours K links away)\n"
            "  --cumulative          with --order: orders 1..K together\n"
            "  --bandwidth B         kernel: fixed bandwidth B (distance units)\n"
            "  --adaptive K          kernel: bandwidth of each observation = distance to its K-th neighbour\n"
            "  --kernel-k K          kernel without --bandwidth: fixed bandwidth = largest K-th neighbour\n"
            "                        distance (default 2, libpysal)\n"
            "  --diagonal            kernel: include w_ii = K(0) (Getis-Ord Gi*); --diagonal-one: w_ii = 1\n"
            "  --arc                 great-circle distances (km, WGS84 as spdep longlat=TRUE) on lon/lat\n"
            "  --surface             point-on-surface instead of the centroid for polygons\n"
            "  --transform T         B (binary), W (row-standardised), C, S, U, minmax (spdep styles)\n"
            "                        or V (as built)\n"
            "  --summary             print the summary (n, links, neighbour counts, islands, components)\n"
            "  --out FILE            .gal (binary lists), .gwt (weights), .kwt (with the diagonal), .csv\n"
            "  --gal-binary          write non-binary weights to .gal anyway, dropping the values\n"
            "                        (refused otherwise)\n"
            "  --gwt-values V        reading a file: its third column is binary (default for .gwt, as\n"
            "                        GeoDa's Moran), weights (default .kwt/.csv) or distances (w = 1/d)\n"
            "  --weights-match M     reading a file: id (default, exact strings) or order (the k-th\n"
            "                        record is the k-th feature)\n\n"
            "Distance-based weights on a lon/lat layer need --arc or --to EPSG:xxxx.\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

enum {
    OPT_QUEEN = 1, OPT_ROOK, OPT_KNN, OPT_BAND, OPT_IDW, OPT_KERNEL, OPT_SPEC, OPT_SNAP, OPT_ORDER,
    OPT_CUMULATIVE, OPT_BANDWIDTH, OPT_ADAPTIVE, OPT_KERNEL_K, OPT_DIAGONAL, OPT_DIAGONAL_ONE,
    OPT_ARC, OPT_SURFACE, OPT_TRANSFORM, OPT_SUMMARY, OPT_GAL_BINARY, OPT_GWT_VALUES, OPT_WMATCH
};

int cmd_weights(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"queen", no_argument, 0, OPT_QUEEN},
        {"rook", no_argument, 0, OPT_ROOK},
        {"knn", required_argument, 0, OPT_KNN},
        {"band", required_argument, 0, OPT_BAND},
        {"idw", required_argument, 0, OPT_IDW},
        {"kernel", required_argument, 0, OPT_KERNEL},
        {"spec", required_argument, 0, OPT_SPEC},
        {"weights", required_argument, 0, OPT_SPEC},
        {"snap", required_argument, 0, OPT_SNAP},
        {"order", required_argument, 0, OPT_ORDER},
        {"cumulative", no_argument, 0, OPT_CUMULATIVE},
        {"bandwidth", required_argument, 0, OPT_BANDWIDTH},
        {"adaptive", required_argument, 0, OPT_ADAPTIVE},
        {"kernel-k", required_argument, 0, OPT_KERNEL_K},
        {"diagonal", no_argument, 0, OPT_DIAGONAL},
        {"diagonal-one", no_argument, 0, OPT_DIAGONAL_ONE},
        {"arc", no_argument, 0, OPT_ARC},
        {"surface", no_argument, 0, OPT_SURFACE},
        {"transform", required_argument, 0, OPT_TRANSFORM},
        {"summary", no_argument, 0, OPT_SUMMARY},
        {"gal-binary", no_argument, 0, OPT_GAL_BINARY},
        {"gwt-values", required_argument, 0, OPT_GWT_VALUES},
        {"weights-match", required_argument, 0, OPT_WMATCH},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    agglo_weights_spec s;
    agglo_weights_spec_init(&s);
    const char *spec_text = NULL;
    int kinds = 0, summary = 0, band_given = 0, gal_binary = 0;
    double band = 0.0;
    agglo_transform transform = AGGLO_TRANSFORM_V;
    int opt;
    long v;
    double d;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "weights", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_QUEEN: s.kind = AGGLO_WSPEC_QUEEN; kinds++; break;
        case OPT_ROOK: s.kind = AGGLO_WSPEC_ROOK; kinds++; break;
        case OPT_KNN:
            if (cli_parse_int("weights", "--knn", optarg, 1, 100000, &v))
                return CLI_USAGE;
            s.kind = AGGLO_WSPEC_KNN;
            s.k = (size_t)v;
            kinds++;
            break;
        case OPT_BAND:
            if (strcmp(optarg, "auto") == 0 || strcmp(optarg, "min") == 0)
                band = 0.0;
            else if (cli_parse_double("weights", "--band", optarg, &band))
                return CLI_USAGE;
            else if (band <= 0)
                return cli_usage("weights", "--band: the distance must be > 0 (or 'auto')");
            band_given = 1;
            break;
        case OPT_IDW:
            if (cli_parse_double("weights", "--idw", optarg, &d))
                return CLI_USAGE;
            if (d <= 0)
                return cli_usage("weights", "--idw: the power must be > 0");
            s.kind = AGGLO_WSPEC_IDW;
            s.power = d;
            kinds++;
            break;
        case OPT_KERNEL:
            if (agglo_kernel_parse(optarg, &s.kernel.kernel))
                return cli_usage("weights", "--kernel: '%s' is not uniform, triangular, epanechnikov, quartic, bisquare or gaussian", optarg);
            s.kind = AGGLO_WSPEC_KERNEL;
            kinds++;
            break;
        case OPT_SPEC: spec_text = optarg; kinds++; break;
        case OPT_SNAP:
            if (cli_parse_double("weights", "--snap", optarg, &d))
                return CLI_USAGE;
            if (d < 0)
                return cli_usage("weights", "--snap must be >= 0");
            s.snap = d;
            break;
        case OPT_ORDER:
            if (cli_parse_int("weights", "--order", optarg, 1, 1000, &v))
                return CLI_USAGE;
            s.order = (int)v;
            break;
        case OPT_CUMULATIVE: s.cumulative = 1; break;
        case OPT_BANDWIDTH:
            if (cli_parse_double("weights", "--bandwidth", optarg, &d))
                return CLI_USAGE;
            if (d <= 0)
                return cli_usage("weights", "--bandwidth must be > 0");
            s.kernel.bandwidth = d;
            break;
        case OPT_ADAPTIVE:
            if (cli_parse_int("weights", "--adaptive", optarg, 1, 100000, &v))
                return CLI_USAGE;
            s.kernel.adaptive = 1;
            s.kernel.k = (size_t)v;
            break;
        case OPT_KERNEL_K:
            if (cli_parse_int("weights", "--kernel-k", optarg, 1, 100000, &v))
                return CLI_USAGE;
            s.kernel.k = (size_t)v;
            break;
        case OPT_DIAGONAL: s.kernel.diagonal = 1; break;
        case OPT_DIAGONAL_ONE: s.kernel.diagonal = 2; break;
        case OPT_ARC: s.arc = 1; break;
        case OPT_SURFACE: s.on_surface = 1; break;
        case OPT_TRANSFORM:
            if (agglo_transform_parse(optarg, &transform))
                return cli_usage("weights", "--transform: '%s' is not B, W, C, S, U, minmax or V",
                                 optarg);
            break;
        case OPT_SUMMARY: summary = 1; break;
        case OPT_GAL_BINARY: gal_binary = 1; break;
        case OPT_GWT_VALUES:
            if (agglo_gwt_values_parse(optarg, &s.read.values))
                return cli_usage("weights", "--gwt-values: '%s' is not weights, distances or binary", optarg);
            break;
        case OPT_WMATCH:
            if (strcmp(optarg, "id") && strcmp(optarg, "order"))
                return cli_usage("weights", "--weights-match: '%s' is not id or order", optarg);
            s.read.match_order = !strcmp(optarg, "order");
            break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r < 0)
                return CLI_USAGE;
            if (r == 0)
                return cli_usage("weights", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("weights", "expects one input layer");
    if (band_given && kinds == 0) {
        s.kind = AGGLO_WSPEC_BAND;
        kinds = 1;
    }
    if (kinds == 0)
        return cli_usage("weights", "give one of --queen, --rook, --knn K, --band D, --idw P, --kernel NAME, --spec SPEC");
    if (kinds > 1)
        return cli_usage("weights", "give only one of --queen, --rook, --knn, --band, --idw, --kernel, --spec");
    if (band_given && s.kind != AGGLO_WSPEC_BAND && s.kind != AGGLO_WSPEC_IDW)
        return cli_usage("weights", "--band goes alone or with --idw");
    if ((s.kernel.bandwidth > 0 || s.kernel.adaptive || s.kernel.diagonal) && s.kind != AGGLO_WSPEC_KERNEL)
        return cli_usage("weights", "--bandwidth, --adaptive and --diagonal go with --kernel");
    if (s.kernel.bandwidth > 0 && s.kernel.adaptive)
        return cli_usage("weights", "--bandwidth (fixed) and --adaptive K exclude each other");
    if ((s.order > 1 || s.cumulative) && s.kind != AGGLO_WSPEC_QUEEN && s.kind != AGGLO_WSPEC_ROOK)
        return cli_usage("weights", "--order and --cumulative go with --queen or --rook");
    s.threshold = band;
    const char *path = argv[optind];

    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_FAIL;
    agglo_layer *L = NULL;
    agglo_weights *W = NULL;
    cli_report *r = NULL;
    agglo_weights_summary S = {0};
    if (spec_text) {
        agglo_weights_spec t;
        if (agglo_weights_spec_parse(ctx, spec_text, &t)) {
            rc = cli_fail(ctx);
            goto out;
        }
        /* command-line flags complete the spec */
        if (s.arc)
            t.arc = 1;
        if (s.on_surface)
            t.on_surface = 1;
        t.read = s.read;
        s = t;
    }
    /* weights need vertices and centroids only: invalid polygons (self-intersections) are
     * kept as they are, as spdep and libpysal do, unless --make-valid */
    c.allow_invalid = 1;
    L = cli_read_layer(ctx, path, &c);
    if (!L) {
        rc = cli_fail(ctx);
        goto out;
    }
    double used_band;
    W = agglo_weights_make(ctx, L, &s, c.id_field, transform, &used_band);
    if (!W || (c.out && agglo_weights_write_for_layer(ctx, W, c.out, L, c.id_field,
                                                      gal_binary ? AGGLO_WRITE_GAL_BINARY : 0))) {
        rc = cli_fail(ctx);
        goto out;
    }
    if (summary || !c.out) {
        if (agglo_weights_summarize(ctx, W, &S) != AGGLO_OK) {
            rc = cli_fail(ctx);
            goto out;
        }
        r = cli_report_create("spatial weights");
        cli_report_str(r, "input", path);
        cli_report_str(r, "kind", agglo_wspec_kind_name(s.kind));
        if (s.kind == AGGLO_WSPEC_FILE)
            cli_report_str(r, "file", s.path);
        if (s.kind == AGGLO_WSPEC_KNN)
            cli_report_int(r, "k", (long long)s.k);
        if ((s.kind == AGGLO_WSPEC_QUEEN || s.kind == AGGLO_WSPEC_ROOK) && s.order > 1) {
            cli_report_int(r, "order", s.order);
            cli_report_bool(r, "cumulative", s.cumulative);
        }
        if (isfinite(used_band))
            cli_report_num(r, "threshold", used_band);
        if (s.kind == AGGLO_WSPEC_IDW)
            cli_report_num(r, "power", s.power);
        if (s.kind == AGGLO_WSPEC_KERNEL) {
            cli_report_str(r, "kernel", agglo_kernel_name(s.kernel.kernel));
            cli_report_str(r, "bandwidth_type", s.kernel.adaptive ? "adaptive" : "fixed");
            if (!isnan(S.bandwidth_min)) {
                cli_report_num(r, "bandwidth_min", S.bandwidth_min);
                cli_report_num(r, "bandwidth_max", S.bandwidth_max);
            }
        }
        if (s.kind != AGGLO_WSPEC_QUEEN && s.kind != AGGLO_WSPEC_ROOK && s.kind != AGGLO_WSPEC_FILE)
            cli_report_str(r, "distance", s.arc ? "great circle (km)" : "planar");
        cli_report_str(r, "transform", agglo_weights_transform_style(W) == AGGLO_TRANSFORM_V
                                           ? "V (as built)"
                                           : agglo_transform_name(agglo_weights_transform_style(W)));
        cli_report_int(r, "n", (long long)S.n);
        cli_report_int(r, "links", (long long)S.nnz);
        cli_report_num(r, "pct_nonzero", S.pct_nonzero);
        cli_report_int(r, "min_neighbours", (long long)S.min_card);
        cli_report_num(r, "mean_neighbours", S.mean_card);
        cli_report_num(r, "median_neighbours", S.median_card);
        cli_report_int(r, "max_neighbours", (long long)S.max_card);
        cli_report_int(r, "islands", (long long)S.islands);
        if (S.islands)
            cli_report_str(r, "island_ids", S.island_ids);
        cli_report_bool(r, "symmetric", S.symmetric);
        cli_report_int(r, "components", (long long)S.components);
        cli_report_num(r, "min_weight", S.min_w);
        cli_report_num(r, "mean_weight", S.mean_w);
        cli_report_num(r, "max_weight", S.max_w);
        if (c.out)
            cli_report_str(r, "output", c.out);
        cli_report_section(r, "neighbour_histogram");
        for (size_t k = 0; k <= S.max_card; k++) {
            if (!S.histogram[k])
                continue;
            char key[32];
            snprintf(key, sizeof key, "%zu", k);
            cli_report_int(r, key, (long long)S.histogram[k]);
        }
        cli_report_print(r, stdout, c.format);
    } else if (!c.quiet) {
        fprintf(stderr, "agglo: wrote %s (%zu observations, %zu links)\n", c.out, agglo_weights_n(W),
                agglo_weights_nnz(W));
    }
    rc = CLI_OK;
out:
    agglo_weights_summary_free(&S);
    cli_report_free(r);
    agglo_weights_free(W);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
    return rc;
}
