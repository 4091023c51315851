/* agglo points POINTS [--nn] [--k] [--sde] ... point-pattern measures */
#include "cli.h"
#include "kde_cli.h"

#include <geos_c.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the common options points uses */
#define ACCEPTS (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_VECTOR_OUT | CLI_ACCEPT_PNG | CLI_ACCEPT_SEED | CLI_ACCEPT_COMPUTE)

enum {
    OPT_NN = 1, OPT_K, OPT_SDE, OPT_WINDOW, OPT_WINDOW_FROM, OPT_CORRECTION, OPT_RMAX, OPT_NR,
    OPT_ENVELOPE, OPT_NSIM_CE, OPT_WEIGHT, OPT_SDE_SCALE, OPT_STDEVS, OPT_CURVE, OPT_FIX_N,
    OPT_SDE_PNG, OPT_PERIOD,
    /* deprecated spellings (cli_deprecated) */
    OPT_OLD_WINDOW_FROM, OPT_OLD_CORRECTION, OPT_OLD_WEIGHT
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: agglo points POINTS [--nn] [--k] [--sde] [--window xmin,ymin,xmax,ymax|POLYGONS]\n"
            "                    [--edge-correction border,isotropic] [--rmax R] [--envelope NSIM]\n"
            "                    [--curve K.csv] [--png L.png] [--out ellipse.gpkg]\n"
            "                    [--sde-png ellipses.png [--period FIELD]] [options]\n\n"
            "Point-pattern measures of POINTS (projected coordinates; --to EPSG:xxxx for lon/lat)\n"
            "in a rectangular window (default: the points' bounding box, as spatstat).\n"
            "Without --nn/--k/--sde all three are computed.\n\n"
            "  --nn                 Clark-Evans nearest-neighbour index R with z and p, without\n"
            "                       and with Donnelly's edge correction (spatstat clarkevans)\n"
            "  --nsim-ce N          Monte Carlo p of the Donnelly-corrected R (default 0 = none)\n"
            "  --k                  Ripley's K and L (spatstat Kest/Lest)\n"
            "  --edge-correction L  edge correction of K: border, isotropic or both (default both;\n"
            "                       --correction is its deprecated name)\n"
            "  --rmax R             largest distance (default spatstat's rule)\n"
            "  --nr N               number of distances (default 513)\n"
            "  --envelope NSIM      pointwise CSR envelope (min/max) of NSIM simulations of a\n"
            "                       Poisson process with the observed intensity (seeded; as\n"
            "                       spatstat envelope)\n"
            "  --fix-n              simulate exactly n points instead (spatstat fix.n = TRUE)\n"
            "  --curve FILE.csv     write r, theo, border, iso, L, lo, hi to a CSV file\n"
            "  --png FILE           plot L(r) - r with the envelope (distance unit from the CRS)\n"
            "  --sde                mean centre, standard distance, standard deviational ellipse\n"
            "  --point-weight F     weight of each point in the centrography (--weight is its\n"
            "                       deprecated name)\n"
            "  --sde-scale S        arcgis (semi-axes sqrt(2) sd, default) or yuill (1 sd)\n"
            "  --stdevs K           ellipse size in standard deviations (1, 2, 3; default 1)\n"
            "  --out FILE           write the ellipse as a polygon layer with its attributes\n"
            "  --sde-png FILE       map of the ellipse (scale bar, north arrow, CRS; --overlay\n"
            "                       polygons drawn under it)\n"
            "  --period FIELD       with --sde-png: one ellipse per value of FIELD (e.g. year,\n"
            "                       at most 12), mean centres joined in order (centre-of-gravity\n"
            "                       migration)\n"
            "  --extent-from LAYER  window = extent of a layer (as kde; --window-from is its\n"
            "                       deprecated name)\n"
            "  --window POLYGONS    window = the union of a polygon layer's polygons (holes\n"
            "                       kept; spatstat's polygonal owin): area, border distances,\n"
            "                       isotropic correction and simulations inside the polygons;\n"
            "                       Donnelly's correction (rectangles only) is then NA\n\n");
    cli_common_help_print(fp, ACCEPTS);
}

static int write_curve(agglo_ctx *ctx, const agglo_kest *k, const char *path)
{
    agglo_output *o = agglo_output_open(ctx, path);
    if (!o)
        return agglo_ctx_errcode(ctx);
    FILE *fp = agglo_output_stream(o);
    fprintf(fp, "r,theo,border,iso,L,L_minus_r,lo,hi\n");
    double *L = malloc(k->nr * sizeof(double));
    if (!L) {
        agglo_output_abort(o);
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    }
    agglo_kest_lcurve(k, L, NULL, NULL);
    for (size_t t = 0; t < k->nr; t++) {
        double v[8] = {k->r[t], k->theo[t], k->border ? k->border[t] : NAN,
                       k->iso ? k->iso[t] : NAN, L[t], L[t] - k->r[t],
                       k->lo ? k->lo[t] : NAN, k->hi ? k->hi[t] : NAN};
        for (int j = 0; j < 8; j++) {
            if (j)
                fputc(',', fp);
            if (isfinite(v[j]))
                fprintf(fp, "%.17g", v[j]);
            else
                fputs("NA", fp);
        }
        fputc('\n', fp);
    }
    free(L);
    return agglo_output_commit(ctx, o);
}

/* --sde-png: the ellipse of all points, or with --period one per value of the field (in
 * numeric order for a numeric field, else in text order), over the --overlay polygons. */
static int draw_ellipses(agglo_ctx *ctx, const cli_common *c, const agglo_layer *pts,
                         const double *x, const double *y, const double *w, size_t n,
                         const char *period, double sde_scale, double stdevs,
                         const agglo_centrography *all, const char *path)
{
    enum { MAXP = 12 };
    agglo_plot_ellipse e[MAXP];
    char names[MAXP][64];
    double keys[MAXP];
    size_t ne = 0;
    int rc = AGGLO_OK;
    const agglo_table *t = agglo_layer_table(pts);
    long col = period ? agglo_table_find(t, period) : -1;
    if (period && col < 0)
        return agglo_error(ctx, AGGLO_E_FIELD, "%s: --period: no field '%s'",
                           agglo_layer_path(pts), period);
    size_t *group = NULL;
    if (!period) {
        snprintf(names[0], sizeof names[0], "%s", agglo_layer_name(pts) ? agglo_layer_name(pts) : "points");
        e[0] = (agglo_plot_ellipse){names[0], all->mean_x, all->mean_y, all->sde_major,
                                    all->sde_minor, all->rotation};
        ne = 1;
    } else {
        int numeric = agglo_table_col_type(t, (size_t)col) != AGGLO_COL_STRING;
        const double *num = numeric ? agglo_table_numeric(t, (size_t)col) : NULL;
        const unsigned char *nul = agglo_table_nulls(t, (size_t)col);
        group = malloc((n ? n : 1) * sizeof(size_t));
        if (!group)
            return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        char buf[64];
        for (size_t i = 0; i < n; i++) {
            group[i] = MAXP;
            if (nul[i])
                continue;
            agglo_table_cell_text(t, i, (size_t)col, buf, sizeof buf);
            size_t k = 0;
            while (k < ne && strcmp(names[k], buf))
                k++;
            if (k == ne) {
                if (ne == MAXP) {
                    free(group);
                    return agglo_error(ctx, AGGLO_E_USAGE,
                                       "%s: --period %s has more than %d values",
                                       agglo_layer_path(pts), period, MAXP);
                }
                snprintf(names[ne], sizeof names[ne], "%s", buf);
                keys[ne] = num ? num[i] : 0;
                ne++;
            }
            group[i] = k;
        }
        /* order of the periods: numeric or text; rows keep their group through perm */
        size_t order[MAXP];
        for (size_t k = 0; k < ne; k++)
            order[k] = k;
        for (size_t a = 1; a < ne; a++)
            for (size_t b = a; b > 0; b--) {
                size_t p = order[b - 1], q = order[b];
                int after = num ? keys[p] > keys[q] : strcmp(names[p], names[q]) > 0;
                if (!after)
                    break;
                order[b - 1] = q;
                order[b] = p;
            }
        double *gx = malloc((n ? n : 1) * 3 * sizeof(double));
        if (!gx) {
            free(group);
            return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
        }
        double *gy = gx + n, *gw = gy + n;
        for (size_t k = 0; k < ne && rc == AGGLO_OK; k++) {
            size_t m = 0;
            for (size_t i = 0; i < n; i++)
                if (group[i] == order[k]) {
                    gx[m] = x[i];
                    gy[m] = y[i];
                    gw[m] = w ? w[i] : 1;
                    m++;
                }
            agglo_centrography cg;
            rc = agglo_centrography_compute(ctx, gx, gy, w ? gw : NULL, m, sde_scale, stdevs, &cg);
            if (rc == AGGLO_OK)
                e[k] = (agglo_plot_ellipse){names[order[k]], cg.mean_x, cg.mean_y, cg.sde_major,
                                            cg.sde_minor, cg.rotation};
            else
                agglo_error(ctx, rc, "%s: --period %s = %s: %s", agglo_layer_path(pts), period,
                            names[order[k]], agglo_ctx_errmsg(ctx));
        }
        free(gx);
        free(group);
        if (rc != AGGLO_OK)
            return rc;
    }
    cli_style es;
    rc = cli_plot_style(ctx, c, NULL, agglo_layer_crs_wkt(pts), &es);
    if (rc == AGGLO_OK) {
        /* the overlay is the base layer under the ellipses, not outlines over them */
        const agglo_layer *base = es.style.overlay;
        es.style.overlay = NULL;
        es.style.value_label = period ? period : "points";
        char title[160];
        snprintf(title, sizeof title, "Standard deviational ellipse%s (%g sd)",
                 ne > 1 ? "s" : "", stdevs);
        rc = agglo_plot_ellipses(ctx, base, e, ne, title, path, &es.style);
    }
    cli_style_free(&es);
    return rc;
}

int cmd_points(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONG_OPTIONS,
        {"nn", no_argument, 0, OPT_NN},
        {"k", no_argument, 0, OPT_K},
        {"sde", no_argument, 0, OPT_SDE},
        {"window", required_argument, 0, OPT_WINDOW},
        {"extent-from", required_argument, 0, OPT_WINDOW_FROM},
        {"window-from", required_argument, 0, OPT_OLD_WINDOW_FROM},
        {"edge-correction", required_argument, 0, OPT_CORRECTION},
        {"correction", required_argument, 0, OPT_OLD_CORRECTION},
        {"rmax", required_argument, 0, OPT_RMAX},
        {"nr", required_argument, 0, OPT_NR},
        {"envelope", required_argument, 0, OPT_ENVELOPE},
        {"nsim-ce", required_argument, 0, OPT_NSIM_CE},
        {"point-weight", required_argument, 0, OPT_WEIGHT},
        {"weight", required_argument, 0, OPT_OLD_WEIGHT},
        {"sde-scale", required_argument, 0, OPT_SDE_SCALE},
        {"stdevs", required_argument, 0, OPT_STDEVS},
        {"curve", required_argument, 0, OPT_CURVE},
        {"fix-n", no_argument, 0, OPT_FIX_N},
        {"sde-png", required_argument, 0, OPT_SDE_PNG},
        {"period", required_argument, 0, OPT_PERIOD},
        CLI_PLOT_LONG_OPTIONS,
        {0, 0, 0, 0}};
    cli_common c;
    cli_common_init(&c);
    int do_nn = 0, do_k = 0, do_sde = 0, have_win = 0, corr = AGGLO_KEST_BORDER | AGGLO_KEST_ISOTROPIC;
    double win[4], rmax = 0, sde_scale = M_SQRT2, stdevs = 1;
    long nr = 513, nsim = 0, nsim_ce = 0;
    const char *window_from = NULL, *weight = NULL, *curve = NULL, *window_poly = NULL;
    const char *sde_png = NULL, *period = NULL;
    agglo_window *pw = NULL;
    int opt, fix_n = 0;
    optind = 1;
    while ((opt = cli_getopt(argc, argv, "h", longopts, &c, "points", ACCEPTS)) != -1) {
        switch (opt) {
        case 'h':
        case CLI_OPT_HELP: usage(stdout); return CLI_OK;
        case CLI_GETOPT_ERROR: return CLI_USAGE;
        case OPT_NN: do_nn = 1; break;
        case OPT_K: do_k = 1; break;
        case OPT_SDE: do_sde = 1; break;
        case OPT_WINDOW:
            if (access(optarg, F_OK) == 0) { /* a polygon layer */
                window_poly = optarg;
                break;
            }
            if (kde_cli_extent("points", "--window", optarg, win))
                return CLI_USAGE;
            have_win = 1;
            break;
        case OPT_OLD_WINDOW_FROM:
            cli_deprecated("points", "window-from", "extent-from");
            /* fall through */
        case OPT_WINDOW_FROM: window_from = optarg; break;
        case OPT_OLD_CORRECTION:
            cli_deprecated("points", "correction", "edge-correction");
            /* fall through */
        case OPT_CORRECTION: {
            size_t k = 0;
            char **parts = cli_split(optarg, &k);
            corr = 0;
            for (size_t i = 0; parts && i < k; i++) {
                if (!strcmp(parts[i], "border")) corr |= AGGLO_KEST_BORDER;
                else if (!strcmp(parts[i], "isotropic") || !strcmp(parts[i], "iso") ||
                         !strcmp(parts[i], "ripley")) corr |= AGGLO_KEST_ISOTROPIC;
                else {
                    cli_usage("points", "--edge-correction: unknown correction '%s' (border, isotropic)",
                              parts[i]);
                    agglo_strings_free(parts, k);
                    return CLI_USAGE;
                }
            }
            if (parts)
                agglo_strings_free(parts, k);
            if (!corr)
                return cli_usage("points", "--edge-correction: give border and/or isotropic");
            break;
        }
        case OPT_RMAX:
            if (cli_parse_double("points", "--rmax", optarg, &rmax))
                return CLI_USAGE;
            if (!(rmax > 0))
                return cli_usage("points", "--rmax must be positive");
            break;
        case OPT_NR:
            if (cli_parse_int("points", "--nr", optarg, 2, 100000, &nr))
                return CLI_USAGE;
            break;
        case OPT_ENVELOPE:
            if (cli_parse_int("points", "--envelope", optarg, 0, 100000, &nsim))
                return CLI_USAGE;
            break;
        case OPT_NSIM_CE:
            if (cli_parse_int("points", "--nsim-ce", optarg, 0, 1000000, &nsim_ce))
                return CLI_USAGE;
            break;
        case OPT_OLD_WEIGHT:
            cli_deprecated("points", "weight", "point-weight");
            /* fall through */
        case OPT_WEIGHT: weight = optarg; break;
        case OPT_SDE_SCALE:
            if (!strcmp(optarg, "arcgis")) sde_scale = M_SQRT2;
            else if (!strcmp(optarg, "yuill")) sde_scale = 1;
            else return cli_usage("points", "--sde-scale: expected arcgis or yuill");
            break;
        case OPT_STDEVS:
            if (cli_parse_double("points", "--stdevs", optarg, &stdevs))
                return CLI_USAGE;
            if (!(stdevs > 0))
                return cli_usage("points", "--stdevs must be positive");
            break;
        case OPT_CURVE: curve = optarg; break;
        case OPT_FIX_N: fix_n = 1; break;
        case OPT_SDE_PNG: sde_png = optarg; break;
        case OPT_PERIOD: period = optarg; break;
        default: {
            int r = cli_common_option(&c, opt, optarg);
            if (r <= 0)
                return r < 0 ? CLI_USAGE : cli_usage("points", "unknown option");
        }
        }
    }
    if (optind != argc - 1)
        return cli_usage("points", "expects one POINTS input");
    if ((have_win || window_poly) && window_from)
        return cli_usage("points", "give --window or --extent-from, not both");
    if (!do_nn && !do_k && !do_sde)
        do_nn = do_k = do_sde = 1;
    if ((c.png || curve || nsim) && !do_k)
        return cli_usage("points", "--png, --curve and --envelope need --k");
    if (c.out && !do_sde)
        return cli_usage("points", "--out writes the ellipse and needs --sde");
    if (sde_png && !do_sde)
        return cli_usage("points", "--sde-png draws the ellipse and needs --sde");
    if (period && !sde_png)
        return cli_usage("points", "--period draws one ellipse per period: give --sde-png");
    if (period)
        cli_need(&c, period);
    const char *path = argv[optind];
    agglo_ctx *ctx = cli_ctx_create(&c);
    if (!ctx)
        return CLI_FAIL;
    int rc = CLI_OK;
    agglo_layer *pts = NULL, *wl = NULL, *ell = NULL;
    double *x = NULL, *y = NULL, *w = NULL;
    size_t n = 0;
    agglo_kest *K = NULL;
    cli_report *r = cli_report_create("point pattern");
    cli_need(&c, weight); /* with a point weight, only that field is read */
    pts = cli_read_layer(ctx, path, &c);
    if (!pts || kde_cli_coords(ctx, pts, path, &x, &y, &n))
        goto fail;
    if (window_from) {
        wl = kde_cli_read_polygons(ctx, window_from, pts, &c);
        if (!wl || agglo_layer_extent(wl, win) != AGGLO_OK) {
            if (wl)
                agglo_error(ctx, AGGLO_E_EMPTY, "%s: no extent", window_from);
            goto fail;
        }
        have_win = 1;
    }
    if (window_poly) {
        cli_common wc = c;
        wc.x_field = wc.y_field = NULL;
        wl = kde_cli_read_polygons(ctx, window_poly, pts, &wc);
        if (!wl || !(pw = agglo_window_from_layer(ctx, wl)))
            goto fail;
    }
    cli_report_str(r, "input", path);
    if (pw) {
        cli_report_str(r, "window", window_poly);
        cli_report_num(r, "window_area", agglo_window_area(pw));
    }
    if (do_nn) {
        agglo_clarkevans ce;
        if (pw ? agglo_clarkevans_compute_window(ctx, x, y, n, pw, (int)nsim_ce, c.seed, &ce)
               : agglo_clarkevans_compute(ctx, x, y, n, have_win ? win : NULL, (int)nsim_ce, c.seed, &ce))
            goto fail;
        cli_report_section(r, "clark_evans");
        cli_report_int(r, "n", (long long)ce.n);
        cli_report_num(r, "area", ce.area);
        cli_report_num(r, "intensity", ce.intensity);
        cli_report_num(r, "mean_nn_distance", ce.mean_nnd);
        cli_report_num(r, "expected_nn_distance", ce.expected);
        cli_report_num(r, "R", ce.R);
        cli_report_num(r, "z", ce.z);
        cli_report_num(r, "p", ce.p);
        cli_report_num(r, "expected_donnelly", ce.expected_donnelly);
        cli_report_num(r, "R_donnelly", ce.R_donnelly);
        cli_report_num(r, "z_donnelly", ce.z_donnelly);
        cli_report_num(r, "p_donnelly", ce.p_donnelly);
        if (ce.nsim > 0) {
            cli_report_num(r, "p_donnelly_mc", ce.p_donnelly_mc);
            cli_report_int(r, "nsim", ce.nsim);
            cli_report_int(r, "seed", (long long)ce.seed);
        }
        cli_report_str(r, "pattern", agglo_pattern_name(agglo_clarkevans_pattern(&ce, 0.05)));
    }
    if (do_k) {
        K = pw ? agglo_kest_compute_window(ctx, x, y, n, pw, rmax, (size_t)nr, corr, (int)nsim,
                                           fix_n, c.seed)
               : agglo_kest_compute(ctx, x, y, n, have_win ? win : NULL, rmax, (size_t)nr, corr,
                                    (int)nsim, fix_n, c.seed);
        if (!K)
            goto fail;
        agglo_kest_summary ks;
        agglo_kest_summarise(K, &ks);
        cli_report_section(r, "ripley");
        cli_report_int(r, "n", (long long)K->n);
        cli_report_num(r, "area", K->area);
        cli_report_num(r, "rmax", K->rmax);
        cli_report_int(r, "nr", (long long)K->nr);
        cli_report_str(r, "corrections", (corr == 3) ? "border,isotropic" :
                                         (corr == 1 ? "border" : "isotropic"));
        if (K->border)
            cli_report_num(r, "K_border_rmax", K->border[K->nr - 1]);
        if (K->iso)
            cli_report_num(r, "K_iso_rmax", K->iso[K->nr - 1]);
        cli_report_num(r, "K_theo_rmax", K->theo[K->nr - 1]);
        cli_report_num(r, "max_L_minus_r", ks.max_L_minus_r);
        cli_report_num(r, "r_at_max", ks.r_at_max);
        if (K->nsim > 0) {
            cli_report_int(r, "nsim", K->nsim);
            cli_report_int(r, "seed", (long long)K->seed);
            cli_report_int(r, "r_above_envelope", (long long)ks.r_above);
            cli_report_int(r, "r_below_envelope", (long long)ks.r_below);
        }
        if (curve && write_curve(ctx, K, curve))
            goto fail;
        if (c.png) {
            double *l = malloc(K->nr * sizeof(double)), *lo = NULL, *hi = NULL;
            if (K->lo) {
                lo = malloc(K->nr * sizeof(double));
                hi = malloc(K->nr * sizeof(double));
            }
            if (!l || (K->lo && (!lo || !hi))) {
                free(l);
                free(lo);
                free(hi);
                agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                goto fail;
            }
            agglo_kest_lcurve(K, l, lo, hi);
            char title[128];
            snprintf(title, sizeof title, "Ripley's L (%s correction)%s",
                     K->iso ? "isotropic" : "border", K->lo ? " with CSR envelope" : "");
            cli_style ls;
            int prc = cli_plot_style(ctx, &c, NULL, agglo_layer_crs_wkt(pts), &ls);
            if (!prc)
                prc = agglo_plot_lcurve(ctx, K->r, l, lo, hi, K->nr, "distance r", title, c.png,
                                        &ls.style);
            cli_style_free(&ls);
            free(l);
            free(lo);
            free(hi);
            if (prc)
                goto fail;
        }
    }
    if (do_sde) {
        if (weight) {
            w = agglo_table_get_complete(ctx, agglo_layer_table(pts), weight, path);
            if (!w)
                goto fail;
        }
        agglo_centrography cg;
        if (agglo_centrography_compute(ctx, x, y, w, n, sde_scale, stdevs, &cg))
            goto fail;
        cli_report_section(r, "centrography");
        cli_report_int(r, "n", (long long)cg.n);
        cli_report_num(r, "weight_sum", cg.weight_sum);
        cli_report_num(r, "mean_x", cg.mean_x);
        cli_report_num(r, "mean_y", cg.mean_y);
        cli_report_num(r, "standard_distance", cg.standard_distance);
        cli_report_num(r, "sde_major", cg.sde_major);
        cli_report_num(r, "sde_minor", cg.sde_minor);
        cli_report_num(r, "sde_rotation_deg", cg.rotation);
        cli_report_num(r, "sde_area", M_PI * cg.sde_major * cg.sde_minor);
        if (c.out) {
            struct GEOSGeom_t *g = agglo_centrography_ellipse(ctx, &cg, 144);
            if (!g)
                goto fail;
            agglo_table *t = agglo_table_create(ctx, 1);
            if (!t) {
                GEOSGeom_destroy_r(agglo_ctx_geos(ctx), (GEOSGeometry *)g);
                goto fail;
            }
            const char *names[] = {"mean_x", "mean_y", "std_dist", "major", "minor", "rotation",
                                   "weight_sum", "n"};
            double vals[] = {cg.mean_x, cg.mean_y, cg.standard_distance, cg.sde_major,
                             cg.sde_minor, cg.rotation, cg.weight_sum, (double)cg.n};
            for (int k = 0; k < 8; k++)
                if (agglo_table_add_numeric(ctx, t, names[k],
                                            k == 7 ? AGGLO_COL_INTEGER : AGGLO_COL_REAL,
                                            &vals[k], NULL) < 0) {
                    agglo_table_free(t);
                    GEOSGeom_destroy_r(agglo_ctx_geos(ctx), (GEOSGeometry *)g);
                    goto fail;
                }
            ell = agglo_layer_create(ctx, 1, &g, t, agglo_layer_crs_wkt(pts));
            if (!ell || agglo_layer_write(ctx, ell, c.out, "sde") != AGGLO_OK)
                goto fail;
            cli_report_str(r, "output", c.out);
        }
        if (sde_png && draw_ellipses(ctx, &c, pts, x, y, w, n, period, sde_scale, stdevs, &cg,
                                     sde_png))
            goto fail;
    }
    if (!c.quiet || c.format != CLI_FORMAT_TEXT)
        cli_report_print(r, stdout, c.format);
    goto out;
fail:
    rc = cli_fail(ctx);
out:
    cli_report_free(r);
    agglo_kest_free(K);
    agglo_window_free(pw);
    free(x);
    free(y);
    free(w);
    agglo_layer_free(pts);
    agglo_layer_free(wl);
    agglo_layer_free(ell);
    agglo_ctx_free(ctx);
    return rc;
}
