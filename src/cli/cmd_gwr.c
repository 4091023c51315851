/* agglo gwr INPUT --y F --x F1,F2,... : geographically weighted regression. */
#define _GNU_SOURCE
#include "cli.h"
#include "gwr_mgwr_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#ifdef AGGLO_WITH_MPI
#include <mpi.h>
#endif

enum {
    OPT_Y = 1, OPT_X, OPT_KERNEL, OPT_ADAPTIVE, OPT_FIXED, OPT_CRITERION, OPT_BANDWIDTH,
    OPT_SEARCH, OPT_BWMIN, OPT_BWMAX, OPT_INTERVAL, OPT_TOL, OPT_MAXITER, OPT_FAMILY, OPT_OFFSET,
    OPT_STANDARDIZE, OPT_GREAT_CIRCLE, OPT_COORDX, OPT_COORDY, OPT_PREDICT, OPT_PREDICT_OUT,
    OPT_SE_GWR4, OPT_TRACE, OPT_ON_SURFACE, OPT_DROP_MISSING, OPT_MULTISCALE, OPT_INIT_BW,
    OPT_TOL_MULTI, OPT_MAXITER_MULTI, OPT_NO_INFERENCE, OPT_MEM_MB
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo gwr INPUT --y FIELD --x F1,F2,... [options]\n\n"
            "Geographically weighted regression (Gaussian, Poisson or logistic) with an intercept.\n"
            "Prints a summary (global regression, GWR diagnostics, local estimates); --out\n"
            "writes the per-observation results as layer fields (.gpkg .shp .geojson) or a CSV.\n\n"
            "Model:\n"
            "  --y FIELD              dependent variable\n"
            "  --x F1,F2,...          covariates (an intercept is added)\n"
            "  --family gaussian|poisson|binomial   (default gaussian; poisson for counts,\n"
            "                         binomial (logistic) for 0/1 outcomes)\n"
            "  --offset FIELD         Poisson exposure (e.g. population); log(offset) enters\n"
            "  --standardize          centre and scale the variables (population sd) first\n"
            "Kernel and bandwidth:\n"
            "  --kernel K             bisquare (default), gaussian, exponential, boxcar, tricube\n"
            "  --adaptive | --fixed   nearest-neighbour count (default) or distance bandwidth\n"
            "  --bandwidth B          use B as is (no search)\n"
            "  --criterion C          aicc (default), aic, bic, cv\n"
            "  --search golden|interval  (default golden, as mgwr)\n"
            "  --bw-min A --bw-max B  search range (default adaptive [40+2p, n],\n"
            "                         fixed [min distance/2, 2 max distance])\n"
            "  --interval STEP        step of the interval search\n"
            "  --tol T --max-iter N   golden-section tolerance (1e-6) and iterations (200)\n"
            "  --great-circle         lon/lat coordinates, great-circle km (else a geographic\n"
            "                         CRS is refused: reproject with --to EPSG:xxxx)\n"
            "  --coord-x F --coord-y F   coordinates from attribute fields (default: the\n"
            "                         points, or polygon centroids)\n"
            "  --on-surface           point-on-surface instead of centroids for polygons\n"
            "  --se-gwr4              standard errors with sigma^2 = RSS/(n - 2trS + trS'S)\n"
            "                         (GWR4); default RSS/(n - trS) (mgwr)\n"
            "Outputs:\n"
            "  --out FILE             per-observation results: the input's fields plus b_<x>,\n"
            "                         se_<x>, t_<x>, sig_<x>, yhat, resid, std_resid, influence,\n"
            "                         cooks_d, local_r2, cond, singular (.csv: without geometry)\n"
            "  --png FILE             maps FILE_<x>.png of each local coefficient and\n"
            "                         FILE_<x>_sig.png with non-significant values blanked\n"
            "                         (|t| below the da Silva-Fotheringham critical t)\n"
            "  --predict POINTS       local estimates at new locations (a layer with the x fields\n"
            "                         gives predicted y too); written to --predict-out FILE\n"
            "  --trace                list every bandwidth evaluated by the search\n"
#ifdef AGGLO_WITH_MPI
            "  (MPI build: 'mpirun -np N agglo gwr ...' splits the observations over N ranks;\n"
            "   the results are identical to a single-process run)\n"
#endif
            "  --drop-missing         leave out observations with NULL/NaN in the model's fields\n"
            "                         (listed in a warning) instead of failing\n"
            "Multiscale GWR (MGWR, Gaussian; mgwr's back-fitting):\n"
            "  --multiscale | --mgwr  one bandwidth per covariate (intercept first), selected by\n"
            "                         back-fitting from the GWR at its optimal bandwidth\n"
            "  --bw-min A[,A1,...] --bw-max B[,B1,...]  per-covariate search ranges: one value\n"
            "                         or one per coefficient (default adaptive [42, n], fixed\n"
            "                         [min distance/2, 2 max distance]; mgwr's multi_bw_min/max)\n"
            "  --init-bw B            bandwidth of the initial GWR (default: its search;\n"
            "                         --bandwidth B means the same with --multiscale)\n"
            "  --tol-multi T          back-fitting convergence (SOC) tolerance (1e-5)\n"
            "  --max-iter-multi N     back-fitting iterations (200)\n"
            "  --no-inference         bandwidths and estimates only: skip the n x n x p R_j\n"
            "                         matrices (ENP_j, standard errors, t, AICc); for large n\n"
            "  --mem-mb M             memory for the R_j column chunks (256 MiB)\n"
            "  (--out writes b_<x>, se_<x>, t_<x>, sig_<x> (per-covariate critical t), yhat,\n"
            "   resid; --trace adds the back-fitting history to the summary)\n\n%s",
            cli_common_help);
}

static int parse_kernel(const char *s, agglo_gwr_kernel *k)
{
    static const struct {
        const char *n;
        agglo_gwr_kernel k;
    } t[] = {{"bisquare", AGGLO_GWR_BISQUARE}, {"gaussian", AGGLO_GWR_GAUSSIAN},
             {"exponential", AGGLO_GWR_EXPONENTIAL}, {"boxcar", AGGLO_GWR_BOXCAR},
             {"tricube", AGGLO_GWR_TRICUBE}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcasecmp(s, t[i].n) == 0) {
            *k = t[i].k;
            return 0;
        }
    return -1;
}

static int parse_criterion(const char *s, agglo_gwr_criterion *c)
{
    if (strcasecmp(s, "aicc") == 0)
        *c = AGGLO_GWR_AICC;
    else if (strcasecmp(s, "aic") == 0)
        *c = AGGLO_GWR_AIC;
    else if (strcasecmp(s, "bic") == 0)
        *c = AGGLO_GWR_BIC;
    else if (strcasecmp(s, "cv") == 0)
        *c = AGGLO_GWR_CV;
    else
        return -1;
    return 0;
}

static void early_exit(char **xnames, size_t k, int mpi_started)
{
    if (xnames)
        for (size_t j = 0; j < k; j++)
            free(xnames[j]);
    free(xnames);
#ifdef AGGLO_WITH_MPI
    if (mpi_started)
        MPI_Finalize();
#else
    (void)mpi_started;
#endif
}

int cmd_gwr(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"y", required_argument, 0, OPT_Y},
        {"x", required_argument, 0, OPT_X},
        {"kernel", required_argument, 0, OPT_KERNEL},
        {"adaptive", no_argument, 0, OPT_ADAPTIVE},
        {"fixed", no_argument, 0, OPT_FIXED},
        {"criterion", required_argument, 0, OPT_CRITERION},
        {"bandwidth", required_argument, 0, OPT_BANDWIDTH},
        {"search", required_argument, 0, OPT_SEARCH},
        {"bw-min", required_argument, 0, OPT_BWMIN},
        {"bw-max", required_argument, 0, OPT_BWMAX},
        {"interval", required_argument, 0, OPT_INTERVAL},
        {"tol", required_argument, 0, OPT_TOL},
        {"max-iter", required_argument, 0, OPT_MAXITER},
        {"family", required_argument, 0, OPT_FAMILY},
        {"offset", required_argument, 0, OPT_OFFSET},
        {"standardize", no_argument, 0, OPT_STANDARDIZE},
        {"standardise", no_argument, 0, OPT_STANDARDIZE},
        {"great-circle", no_argument, 0, OPT_GREAT_CIRCLE},
        {"coord-x", required_argument, 0, OPT_COORDX},
        {"coord-y", required_argument, 0, OPT_COORDY},
        {"on-surface", no_argument, 0, OPT_ON_SURFACE},
        {"predict", required_argument, 0, OPT_PREDICT},
        {"predict-out", required_argument, 0, OPT_PREDICT_OUT},
        {"se-gwr4", no_argument, 0, OPT_SE_GWR4},
        {"trace", no_argument, 0, OPT_TRACE},
        {"drop-missing", no_argument, 0, OPT_DROP_MISSING},
        {"multiscale", no_argument, 0, OPT_MULTISCALE},
        {"mgwr", no_argument, 0, OPT_MULTISCALE},
        {"init-bw", required_argument, 0, OPT_INIT_BW},
        {"tol-multi", required_argument, 0, OPT_TOL_MULTI},
        {"max-iter-multi", required_argument, 0, OPT_MAXITER_MULTI},
        {"no-inference", no_argument, 0, OPT_NO_INFERENCE},
        {"mem-mb", required_argument, 0, OPT_MEM_MB},
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    agglo_gwr_options o;
    agglo_gwr_options_init(&o);
    const char *yname = NULL, *xlist = NULL, *offset = NULL, *coordx = NULL, *coordy = NULL;
    const char *pred = NULL, *pred_out = NULL;
    double bandwidth = 0;
    int trace = 0, on_surface = 0, kind_set = 0, drop_missing = 0, multiscale = 0;
    const char *bwmin_s = NULL, *bwmax_s = NULL;
    gwr_mgwr_cli mg;
    memset(&mg, 0, sizeof mg);
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case OPT_Y: yname = optarg; break;
        case OPT_X: xlist = optarg; break;
        case OPT_KERNEL:
            if (parse_kernel(optarg, &o.kernel))
                return cli_usage("gwr", "--kernel: '%s' is not one of bisquare, gaussian, "
                                        "exponential, boxcar, tricube", optarg);
            break;
        case OPT_ADAPTIVE:
        case OPT_FIXED:
            if (kind_set && o.fixed != (opt == OPT_FIXED))
                return cli_usage("gwr", "--adaptive and --fixed exclude each other");
            o.fixed = opt == OPT_FIXED;
            kind_set = 1;
            break;
        case OPT_CRITERION:
            if (parse_criterion(optarg, &o.criterion))
                return cli_usage("gwr", "--criterion: '%s' is not one of aicc, aic, bic, cv",
                                 optarg);
            break;
        case OPT_BANDWIDTH:
            if (cli_parse_double("gwr", "--bandwidth", optarg, &bandwidth))
                return CLI_USAGE;
            if (!(bandwidth > 0))
                return cli_usage("gwr", "--bandwidth must be positive");
            break;
        case OPT_SEARCH:
            if (strcasecmp(optarg, "golden") == 0)
                o.search = AGGLO_GWR_GOLDEN;
            else if (strcasecmp(optarg, "interval") == 0)
                o.search = AGGLO_GWR_INTERVAL;
            else
                return cli_usage("gwr", "--search: '%s' is not golden or interval", optarg);
            break;
        case OPT_BWMIN: bwmin_s = optarg; break; /* parsed below (a list with --multiscale) */
        case OPT_BWMAX: bwmax_s = optarg; break;
        case OPT_MULTISCALE: multiscale = 1; break;
        case OPT_INIT_BW:
            if (cli_parse_double("gwr", "--init-bw", optarg, &mg.init_bw))
                return CLI_USAGE;
            if (!(mg.init_bw > 0))
                return cli_usage("gwr", "--init-bw must be positive");
            break;
        case OPT_TOL_MULTI:
            if (cli_parse_double("gwr", "--tol-multi", optarg, &mg.tol))
                return CLI_USAGE;
            if (!(mg.tol > 0))
                return cli_usage("gwr", "--tol-multi must be positive");
            break;
        case OPT_MAXITER_MULTI:
            if (cli_parse_int("gwr", "--max-iter-multi", optarg, 1, 100000, &mg.max_iter))
                return CLI_USAGE;
            break;
        case OPT_NO_INFERENCE: mg.no_inference = 1; break;
        case OPT_MEM_MB:
            if (cli_parse_double("gwr", "--mem-mb", optarg, &mg.mem_mb))
                return CLI_USAGE;
            if (!(mg.mem_mb > 0))
                return cli_usage("gwr", "--mem-mb must be positive");
            break;
        case OPT_INTERVAL:
            if (cli_parse_double("gwr", "--interval", optarg, &o.interval))
                return CLI_USAGE;
            break;
        case OPT_TOL:
            if (cli_parse_double("gwr", "--tol", optarg, &o.tol))
                return CLI_USAGE;
            break;
        case OPT_MAXITER: {
            long v;
            if (cli_parse_int("gwr", "--max-iter", optarg, 1, 100000, &v))
                return CLI_USAGE;
            o.max_iter = (int)v;
            break;
        }
        case OPT_FAMILY:
            if (strcasecmp(optarg, "gaussian") == 0)
                o.family = AGGLO_GWR_FAMILY_GAUSSIAN;
            else if (strcasecmp(optarg, "poisson") == 0)
                o.family = AGGLO_GWR_FAMILY_POISSON;
            else if (strcasecmp(optarg, "binomial") == 0 || strcasecmp(optarg, "logistic") == 0)
                o.family = AGGLO_GWR_FAMILY_BINOMIAL;
            else
                return cli_usage("gwr", "--family: '%s' is not gaussian, poisson or binomial",
                                 optarg);
            break;
        case OPT_OFFSET: offset = optarg; break;
        case OPT_STANDARDIZE: o.standardize = 1; break;
        case OPT_GREAT_CIRCLE: o.great_circle = 1; break;
        case OPT_COORDX: coordx = optarg; break;
        case OPT_COORDY: coordy = optarg; break;
        case OPT_ON_SURFACE: on_surface = 1; break;
        case OPT_PREDICT: pred = optarg; break;
        case OPT_PREDICT_OUT: pred_out = optarg; break;
        case OPT_SE_GWR4: o.sigma2_ml_df = 0; break;
        case OPT_TRACE: trace = 1; break;
        case OPT_DROP_MISSING: drop_missing = 1; break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r < 0)
                return CLI_USAGE;
            if (r == 0)
                return cli_usage("gwr", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("gwr", "expects one input file");
    if (!yname || !xlist)
        return cli_usage("gwr", "--y and --x are required");
    if (offset && o.family != AGGLO_GWR_FAMILY_POISSON)
        return cli_usage("gwr", "--offset needs --family poisson");
    if (o.family != AGGLO_GWR_FAMILY_GAUSSIAN && o.criterion == AGGLO_GWR_CV)
        return cli_usage("gwr", "--criterion cv is for Gaussian GWR only");
    if (pred && !pred_out)
        return cli_usage("gwr", "--predict needs --predict-out FILE");
    if ((coordx != NULL) != (coordy != NULL))
        return cli_usage("gwr", "give both --coord-x and --coord-y");
    if (multiscale) {
        if (o.family != AGGLO_GWR_FAMILY_GAUSSIAN)
            return cli_usage("gwr", "--multiscale is for the Gaussian family only");
        if (pred)
            return cli_usage("gwr", "--predict is not available with --multiscale");
        if (!o.sigma2_ml_df)
            return cli_usage("gwr", "--se-gwr4 is not available with --multiscale");
        if (bandwidth > 0 && mg.init_bw > 0 && bandwidth != mg.init_bw)
            return cli_usage("gwr", "--bandwidth and --init-bw disagree");
        if (bandwidth > 0)
            mg.init_bw = bandwidth;
        mg.bw_min = bwmin_s;
        mg.bw_max = bwmax_s;
        mg.trace = trace;
    } else {
        if (bwmin_s && cli_parse_double("gwr", "--bw-min", bwmin_s, &o.bw_min))
            return CLI_USAGE;
        if (bwmax_s && cli_parse_double("gwr", "--bw-max", bwmax_s, &o.bw_max))
            return CLI_USAGE;
        if (bwmin_s && bwmax_s && o.bw_min > o.bw_max)
            return cli_usage("gwr", "--bw-min %g is larger than --bw-max %g", o.bw_min, o.bw_max);
        if (mg.init_bw > 0 || mg.tol > 0 || mg.max_iter > 0 || mg.no_inference || mg.mem_mb > 0)
            return cli_usage("gwr", "--init-bw, --tol-multi, --max-iter-multi, --no-inference "
                                    "and --mem-mb need --multiscale");
    }
    const char *path = argv[optind];
    /* Under mpirun (an MPI build) every rank runs the same computation on its block of
     * observations; rank 0 alone prints and writes. */
    int rank = 0, mpi_started = 0;
#ifdef AGGLO_WITH_MPI
    {
        int init = 0;
        MPI_Initialized(&init);
        if (!init) {
            MPI_Init(NULL, NULL);
            mpi_started = 1;
        }
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        if (rank != 0)
            c.quiet = 1;
    }
#endif
    size_t k = 0;
    char **xnames = cli_split(xlist, &k);
    if (!xnames || k == 0) {
        early_exit(xnames, k, mpi_started);
        return cli_usage("gwr", "--x needs at least one field");
    }
    if (multiscale) {
        double *tmpl = malloc((k + 1) * sizeof(double));
        int bad = !tmpl || (bwmin_s && gwr_mgwr_parse_list("--bw-min", bwmin_s, k + 1, tmpl)) ||
                  (bwmax_s && gwr_mgwr_parse_list("--bw-max", bwmax_s, k + 1, tmpl));
        free(tmpl);
        if (bad) {
            early_exit(xnames, k, mpi_started);
            return CLI_USAGE;
        }
    }

    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx) {
        early_exit(xnames, k, mpi_started);
        return CLI_FAIL;
    }
    int rc = AGGLO_OK, exit_code = CLI_OK;
    agglo_layer *L = NULL;
    coords cc = {0};
    double *y = NULL, *off = NULL, **x = calloc(k, sizeof(double *));
    agglo_gwr_model *m = NULL;
    agglo_gwr_result *r = NULL;
    agglo_gwr_search_result s;
    memset(&s, 0, sizeof s);
    cli_report *rep = NULL;

    L = cli_read_layer(ctx, path, &c);
    if (!L || !x) {
        rc = L ? agglo_error(ctx, AGGLO_E_NOMEM, "out of memory") : agglo_ctx_errcode(ctx);
        goto done;
    }
    if (drop_missing && (rc = gwr_cli_drop_incomplete(ctx, &L, path, yname, xnames, k, offset, coordx,
                                              coordy)))
        goto done;
    if ((rc = gwr_cli_layer_coords(ctx, L, path, coordx, coordy, o.great_circle, on_surface, &cc)))
        goto done;
    const agglo_table *t = agglo_layer_table(L);
    if (!(y = agglo_table_get_complete(ctx, t, yname, path))) {
        rc = agglo_ctx_errcode(ctx);
        goto done;
    }
    for (size_t j = 0; j < k; j++)
        if (!(x[j] = agglo_table_get_complete(ctx, t, xnames[j], path))) {
            rc = agglo_ctx_errcode(ctx);
            goto done;
        }
    if (offset && !(off = agglo_table_get_complete(ctx, t, offset, path))) {
        rc = agglo_ctx_errcode(ctx);
        goto done;
    }
    if (o.family != AGGLO_GWR_FAMILY_POISSON) {
        size_t nl = agglo_layer_count(L), i = 1;
        while (i < nl && y[i] == y[0])
            i++;
        if (nl > 0 && i == nl) {
            rc = agglo_error(ctx, AGGLO_E_FORMAT,
                             "%s: the response field %s is constant (every value is %g): there "
                             "is nothing to regress",
                             path, yname, y[0]);
            goto done;
        }
    }
    m = agglo_gwr_model_create(ctx, agglo_layer_count(L), cc.x, cc.y, y,
                               (const double *const *)x, k, (const char *const *)xnames, off, &o);
    if (!m) {
        rc = agglo_ctx_errcode(ctx);
        /* name the file in data errors (copy: the message buffer is rewritten) */
        char *msg = strdup(agglo_ctx_errmsg(ctx));
        agglo_error(ctx, rc, "%s: %s", path, msg ? msg : agglo_strerror(rc));
        free(msg);
        goto done;
    }
    if (multiscale) {
        /* every rank runs (the initial GWR is distributed over MPI ranks); rank 0 writes */
        mg.no_output = rank != 0;
        rc = gwr_mgwr_run(ctx, L, m, path, yname, xlist, &c, &o, &mg);
        goto done;
    }
    double bw = bandwidth;
    if (!(bw > 0)) {
        if ((rc = agglo_gwr_select(ctx, m, &s)))
            goto done;
        bw = s.bandwidth;
        int edge = agglo_gwr_bandwidth_at_edge(m, &s);
        if (edge)
            agglo_warn(ctx,
                       "%s: the selected bandwidth %g is at the %s end of the search range "
                       "[%g, %g]; the criterion may keep improving beyond it (see --bw-min / "
                       "--bw-max)",
                       path, bw, edge < 0 ? "lower" : "upper", s.lo, s.hi);
    }
    r = agglo_gwr_fit(ctx, m, bw);
    if (!r) {
        rc = agglo_ctx_errcode(ctx);
        goto done;
    }
    if (rank != 0)
        goto done; /* the other ranks only help with the computation */
    /* outputs first so a failure leaves nothing half-done on stdout */
    if (c.out) {
        if ((rc = gwr_cli_add_results(ctx, agglo_layer_table_mut(L), r)))
            goto done;
        if ((rc = gwr_cli_write_table_or_layer(ctx, L, c.out)))
            goto done;
    }
    if (c.png && (rc = gwr_cli_draw_maps(ctx, L, r, c.png)))
        goto done;
    if (pred && (rc = gwr_cli_predict(ctx, m, r, pred, pred_out, &c, xnames, k, o.great_circle,
                              on_surface)))
        goto done;
    {
        char title[512];
        snprintf(title, sizeof title, "GWR (%s) of %s on %s: %s", 
                 o.family == AGGLO_GWR_FAMILY_GAUSSIAN  ? "Gaussian"
                 : o.family == AGGLO_GWR_FAMILY_POISSON ? "Poisson"
                                                        : "binomial",
                 yname, xlist,
                 path);
        rep = cli_report_create(title);
        cli_report_str(rep, "file", path);
        cli_report_str(rep, "y", yname);
        cli_report_str(rep, "x", xlist);
        cli_report_str(rep, "family", o.family == AGGLO_GWR_FAMILY_GAUSSIAN  ? "gaussian"
                                      : o.family == AGGLO_GWR_FAMILY_POISSON ? "poisson"
                                                                             : "binomial");
        if (offset)
            cli_report_str(rep, "offset", offset);
        cli_report_str(rep, "standardized", o.standardize ? "yes" : "no");
        cli_report_str(rep, "distance", o.great_circle ? "great circle (km)" : "planar");
        gwr_cli_report(rep, r, &s, !(bandwidth > 0), trace, &o);
        cli_report_print(rep, stdout, c.format);
        if (fflush(stdout) != 0)
            rc = agglo_error(ctx, AGGLO_E_IO, "stdout: write failed");
    }
done:
    if (rc)
        exit_code = rank == 0 ? cli_fail(ctx) : CLI_FAIL;
    cli_report_free(rep);
    agglo_gwr_result_free(r);
    agglo_gwr_search_result_free(&s);
    agglo_gwr_model_free(m);
    gwr_cli_coords_free(&cc);
    free(y);
    free(off);
    if (x)
        for (size_t j = 0; j < k; j++)
            free(x[j]);
    free(x);
    for (size_t j = 0; j < k; j++)
        free(xnames[j]);
    free(xnames);
    agglo_layer_free(L);
    agglo_ctx_free(ctx);
#ifdef AGGLO_WITH_MPI
    if (mpi_started)
        MPI_Finalize();
#endif
    (void)mpi_started;
    return exit_code;
}
