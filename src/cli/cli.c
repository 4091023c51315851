#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cpl_error.h>
#include <ogr_srs_api.h>

const char *const cli_common_help =
    "Common options:\n"
    "  --json | --csv        machine-readable output on stdout (default: a table)\n"
    "  --out FILE            write results (format from the extension: .gpkg .shp .geojson .csv\n"
    "                        .fgb .kml .parquet ... any GDAL vector driver of this build)\n"
    "  -f, --format NAME     GDAL driver of --out (e.g. GPKG, FlatGeobuf, \"ESRI Shapefile\")\n"
    "  --lco NAME=VALUE      layer creation option of --out (repeatable, e.g. SPATIAL_INDEX=NO)\n"
    "  --max-memory SIZE     refuse work whose estimated memory exceeds SIZE (e.g. 16G;\n"
    "                        default half the physical memory)\n"
    "  --png FILE            draw a picture\n"
    "  --layer NAME          layer of a multi-layer source\n"
    "  --encoding ENC        attribute encoding when there is no .cpg (e.g. GBK)\n"
    "  --to CRS              reproject on read (EPSG:xxxx or a PROJ definition)\n"
    "  --crs CRS             CRS of the source (CSV default: EPSG:4326); overrides the\n"
    "                        source's own CRS with a warning (--to reprojects)\n"
    "  --x-field F --y-field F   coordinate columns of a CSV (default lon/lat, x/y)\n"
    "  --id FIELD            identifier field (default: feature order 1..n)\n"
    "  --where SQL           read only the features matching an OGR attribute filter\n"
    "                        (e.g. --where \"pop > 1000 AND name LIKE 'A%'\")\n"
    "  --make-valid          repair invalid polygons with GEOS MakeValid (by default they\n"
    "                        are read with a warning)\n"
    "  --strict              every warning is an error (exit 1, nothing written to --out\n"
    "                        or stdout): invalid polygons, CRS guesses, NULL geometries,\n"
    "                        encoding fallback, islands, dropped rows, ...\n"
    "  --seed S --threads N --quiet --help\n";

/* Help of the plot options (CLI_ACCEPT_PLOT), after the common options. */
const char *const cli_plot_help =
    "Picture options (with --png and the command's other picture outputs):\n"
    "  --title T             title (\"\" for none); --subtitle T a second line;\n"
    "  --caption T           caption / source line at the bottom\n"
    "  --dpi N               PNG resolution (default 150; 300 for print: twice the pixels)\n"
    "  --width V[px|mm]      figure width in pixels (default) or millimetres, e.g. 180mm;\n"
    "  --height V[px|mm]     maps keep their aspect when only --width is given\n"
    "  --font F              font family list (default DejaVu Sans, WenQuanYi Micro Hei, ...)\n"
    "  --label FIELD         label the map's features (and scatter points) with FIELD\n"
    "  --overlay POLYGONS    outlines drawn over the map (study area), reprojected to it\n"
    "  --breaks METHOD       class breaks: natural, quantile, equal, geometric or sd\n"
    "  --classes N           number of classes (2-12)\n"
    "  A .svg or .pdf picture file name gives a vector figure.\n";

/* Help of each common option, in the order printed. */
static const struct {
    int opt;
    const char *text;
} common_help[] = {
    {CLI_OPT_JSON, "  --json                machine-readable output on stdout: one JSON object\n"
                   "                        (keys in docs/output.md)\n"},
    {CLI_OPT_CSV, "  --csv                 the report as CSV rows section,key,value\n"},
    {CLI_OPT_OUT, "  --out FILE            write results (a layer's format from the extension: .gpkg\n"
                  "                        .shp .geojson .csv .fgb .kml .parquet ...)\n"},
    {CLI_OPT_FORMAT, "  -f, --format NAME     GDAL driver of --out (e.g. GPKG, FlatGeobuf, \"ESRI Shapefile\")\n"},
    {CLI_OPT_LCO, "  --lco NAME=VALUE      layer creation option of --out (repeatable, e.g. SPATIAL_INDEX=NO)\n"},
    {CLI_OPT_PNG, "  --png FILE            draw a picture\n"},
    {CLI_OPT_LAYER, "  --layer NAME          layer of a multi-layer source\n"},
    {CLI_OPT_ENCODING, "  --encoding ENC        attribute encoding when there is no .cpg (e.g. GBK)\n"},
    {CLI_OPT_TO, "  --to CRS              reproject on read (EPSG:xxxx or a PROJ definition)\n"},
    {CLI_OPT_CRS, "  --crs CRS             CRS of the source (CSV default: EPSG:4326); overrides the\n"
                  "                        source's own CRS with a warning (--to reprojects)\n"},
    {CLI_OPT_XFIELD, "  --x-field F           x coordinate column of a CSV (default lon, x)\n"},
    {CLI_OPT_YFIELD, "  --y-field F           y coordinate column of a CSV (default lat, y)\n"},
    {CLI_OPT_ID, "  --id FIELD            identifier field (default: feature order 1..n)\n"},
    {CLI_OPT_WHERE, "  --where SQL           read only the features matching an OGR attribute filter\n"
                    "                        (e.g. --where \"pop > 1000 AND name LIKE 'A%'\")\n"},
    {CLI_OPT_MAKE_VALID, "  --make-valid          repair invalid polygons with GEOS MakeValid (by default they\n"
                         "                        are read with a warning)\n"},
    {CLI_OPT_STRICT, "  --strict              warnings while reading (invalid polygons, CRS guesses, NULL\n"
                     "                        geometries, encoding fallback) are errors\n"},
    {CLI_OPT_SEED, "  --seed S              seed of the random numbers (default 12345)\n"},
    {CLI_OPT_THREADS, "  --threads N           threads of the parallel loops (default 0: all cores)\n"},
    {CLI_OPT_MAX_MEMORY, "  --max-memory SIZE     refuse work whose estimated memory exceeds SIZE (e.g. 16G;\n"
                         "                        default half the physical memory)\n"},
    {CLI_OPT_QUIET, "  --quiet               no report on stdout (warnings still go to stderr)\n"},
    {CLI_OPT_HELP, "  --help                this help\n"},
};

void cli_common_help_print(FILE *fp, unsigned accepts)
{
    accepts |= CLI_ACCEPT_ALWAYS;
    fputs("Common options:\n", fp);
    for (size_t i = 0; i < sizeof common_help / sizeof common_help[0]; i++)
        if (accepts & CLI_BIT(common_help[i].opt))
            fputs(common_help[i].text, fp);
    if (accepts & CLI_ACCEPT_PLOT)
        fputs(cli_plot_help, fp);
}

int cli_not_accepted(const char *cmd, const char *name)
{
    fprintf(stderr, "agglo %s: --%s is not an option of this command (see 'agglo %s --help')\n",
            cmd, name, cmd);
    return CLI_USAGE;
}

void cli_deprecated(const char *cmd, const char *old_name, const char *new_name)
{
    fprintf(stderr, "agglo: warning: %s --%s is deprecated; use --%s\n", cmd, old_name, new_name);
}

static const char *long_name(const struct option *longopts, int val)
{
    for (const struct option *o = longopts; o && o->name; o++)
        if (o->val == val && !o->flag)
            return o->name;
    return NULL;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               cli_common *c, const char *cmd, unsigned accepts)
{
    accepts |= CLI_ACCEPT_ALWAYS;
    opterr = 0;
    for (;;) {
        int prev = optind;
        int opt = getopt_long(argc, argv, shortopts, longopts, NULL);
        if (opt == -1) {
            if (c->quiet)
                c->format = CLI_FORMAT_NONE;
            return -1;
        }
        if (opt == '?' || opt == ':') {
            /* the offending argument: the last one getopt consumed */
            const char *arg = optind - 1 >= 1 && optind - 1 < argc ? argv[optind - 1] : "";
            if (prev < argc && optind == prev)
                arg = argv[prev]; /* short options grouped in one argument */
            const char *name = optopt ? long_name(longopts, optopt) : NULL;
            if (optopt && (name || strchr(shortopts, optopt))) {
                if (name)
                    fprintf(stderr, "agglo %s: --%s needs a value (see 'agglo %s --help')\n", cmd,
                            name, cmd);
                else
                    fprintf(stderr, "agglo %s: -%c needs a value (see 'agglo %s --help')\n", cmd,
                            optopt, cmd);
            } else if (optopt) {
                fprintf(stderr, "agglo %s: unknown option '-%c' (see 'agglo %s --help')\n", cmd,
                        optopt, cmd);
            } else {
                char buf[256];
                snprintf(buf, sizeof buf, "%s", arg);
                char *eq = strchr(buf, '=');
                if (eq)
                    *eq = '\0';
                fprintf(stderr, "agglo %s: unknown or ambiguous option '%s' (see 'agglo %s --help')\n",
                        cmd, buf, cmd);
            }
            return CLI_GETOPT_ERROR;
        }
        if (opt >= CLI_OPT_TITLE && opt <= CLI_OPT_CLASSES) {
            if (!(accepts & CLI_ACCEPT_PLOT)) {
                const char *name = long_name(longopts, opt);
                cli_not_accepted(cmd, name ? name : "?");
                return CLI_GETOPT_ERROR;
            }
            if (cli_plot_option(c, cmd, opt, optarg))
                return CLI_GETOPT_ERROR;
            continue;
        }
        if (opt < CLI_OPT_JSON || opt > CLI_OPT_MAX_MEMORY)
            return opt;
        if (!(accepts & CLI_BIT(opt))) {
            const char *name = long_name(longopts, opt);
            cli_not_accepted(cmd, name ? name : "?");
            return CLI_GETOPT_ERROR;
        }
        if (opt == CLI_OPT_HELP)
            return opt;
        int r = cli_common_option(c, opt, optarg);
        if (r < 0)
            return CLI_GETOPT_ERROR;
        if (r == 0)
            return opt;
    }
}

void cli_common_init(cli_common *c)
{
    memset(c, 0, sizeof *c);
    c->seed = 12345;
    c->plot.breaks = -1;
}

int cli_common_option(cli_common *c, int opt, const char *arg)
{
    switch (opt) {
    case CLI_OPT_JSON: c->format = CLI_FORMAT_JSON; return 1;
    case CLI_OPT_CSV: c->format = CLI_FORMAT_CSV; return 1;
    case CLI_OPT_OUT: c->out = arg; return 1;
    case CLI_OPT_PNG: c->png = arg; return 1;
    case CLI_OPT_LAYER: c->layer = arg; return 1;
    case CLI_OPT_ENCODING: c->encoding = arg; return 1;
    case CLI_OPT_TO: c->to_crs = arg; return 1;
    case CLI_OPT_CRS: c->assign_crs = arg; return 1;
    case CLI_OPT_XFIELD: c->x_field = arg; return 1;
    case CLI_OPT_YFIELD: c->y_field = arg; return 1;
    case CLI_OPT_ID: c->id_field = arg; return 1;
    case CLI_OPT_MAKE_VALID: c->make_valid = 1; return 1;
    case CLI_OPT_WHERE: c->where = arg; return 1;
    case CLI_OPT_STRICT: c->strict = 1; return 1;
    case CLI_OPT_QUIET: c->quiet = 1; return 1;
    case CLI_OPT_FORMAT: c->out_format = arg; return 1;
    case CLI_OPT_LCO:
        if (!strchr(arg, '=') || arg[0] == '=') {
            fprintf(stderr, "agglo: --lco: '%s' is not NAME=VALUE\n", arg);
            return -1;
        }
        if (c->nlco >= (int)(sizeof c->lco / sizeof c->lco[0]) - 1) {
            fprintf(stderr, "agglo: --lco: too many options\n");
            return -1;
        }
        c->lco[c->nlco++] = arg;
        return 1;
    case CLI_OPT_MAX_MEMORY: return cli_parse_size(NULL, "--max-memory", arg, &c->max_memory) ? -1 : 1;
    case CLI_OPT_THREADS: {
        long v;
        if (cli_parse_int("agglo", "--threads", arg, 0, 1024, &v))
            return -1;
        c->threads = (int)v;
        return 1;
    }
    case CLI_OPT_SEED: {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(arg, &end, 10);
        if (!*arg || *end || errno || arg[0] == '-') {
            fprintf(stderr, "agglo: --seed: '%s' is not a non-negative integer\n", arg);
            return -1;
        }
        c->seed = v;
        c->seed_given = 1;
        return 1;
    }
    default: return 0;
    }
}

static void print_warning(const char *msg, void *userdata)
{
    (void)userdata;
    fprintf(stderr, "agglo: warning: %s\n", msg);
}

/* --strict: the first warning of the run is its error. Warnings are not printed as they come
 * (the first is printed once, as the error); stdout goes to a temporary file that reaches the
 * real stdout only when the command succeeded without a warning (cli_strict_finish); file
 * outputs are refused by the library's commits (agglo_ctx_set_strict). The process-wide
 * state is the program's, not the library's. */
static struct {
    int capturing;
    int saved_fd;
    FILE *capture;
    int warned;
    char first[2048];
} strict_run = {0, -1, NULL, 0, ""};

static void strict_warning(const char *msg, void *userdata)
{
    (void)userdata;
    if (!strict_run.warned++)
        snprintf(strict_run.first, sizeof strict_run.first, "%s", msg);
}

static int capture_stdout(void)
{
    if (strict_run.capturing)
        return 0;
    fflush(stdout);
    FILE *t = tmpfile();
    int saved = t ? dup(STDOUT_FILENO) : -1;
    if (saved < 0 || dup2(fileno(t), STDOUT_FILENO) < 0) {
        if (saved >= 0)
            close(saved);
        if (t)
            fclose(t);
        fprintf(stderr, "agglo: --strict: cannot hold back stdout (%s)\n", strerror(errno));
        return -1;
    }
    strict_run.capture = t;
    strict_run.saved_fd = saved;
    strict_run.capturing = 1;
    return 0;
}

int cli_strict_finish(int rc)
{
    if (!strict_run.capturing && !strict_run.warned)
        return rc;
    int keep = rc == CLI_OK && !strict_run.warned;
    if (rc == CLI_OK && strict_run.warned) {
        fprintf(stderr, "agglo: %s (an error with --strict)\n", strict_run.first);
        if (strict_run.warned > 1)
            fprintf(stderr, "agglo: (and %d more warning%s)\n", strict_run.warned - 1,
                    strict_run.warned == 2 ? "" : "s");
        rc = CLI_FAIL;
    }
    if (!strict_run.capturing)
        return rc;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    /* what the command printed, copied to the real stdout only on success */
    if (keep && !bad && lseek(fileno(strict_run.capture), 0, SEEK_SET) == 0) {
        char buf[65536];
        ssize_t r;
        while (!bad && (r = read(fileno(strict_run.capture), buf, sizeof buf)) != 0) {
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                bad = 1;
                err = errno;
                break;
            }
            for (ssize_t off = 0; off < r && !bad;) {
                ssize_t w = write(strict_run.saved_fd, buf + off, (size_t)(r - off));
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0) {
                    bad = 1;
                    err = w < 0 ? errno : EIO;
                } else {
                    off += w;
                }
            }
        }
    }
    dup2(strict_run.saved_fd, STDOUT_FILENO);
    close(strict_run.saved_fd);
    fclose(strict_run.capture);
    strict_run.capturing = 0;
    if (bad && keep) {
        fprintf(stderr, "agglo: stdout: write failed (%s)\n", strerror(err ? err : EIO));
        rc = CLI_FAIL;
    }
    return rc;
}

agglo_ctx *cli_ctx_create(const cli_common *c)
{
    agglo_ctx *ctx = agglo_ctx_create();
    if (!ctx) {
        fprintf(stderr, "agglo: cannot initialise (out of memory)\n");
        return NULL;
    }
    /* --quiet silences the report on stdout, never the warnings; --strict turns them into
     * the run's error (printed once at the end, nothing written) */
    if (c && c->strict) {
        agglo_ctx_set_strict(ctx, 1);
        agglo_ctx_set_warning_handler(ctx, strict_warning, NULL);
        if (capture_stdout() != 0) {
            agglo_ctx_free(ctx);
            return NULL;
        }
    } else {
        agglo_ctx_set_warning_handler(ctx, print_warning, NULL);
    }
    if (c) {
        agglo_ctx_set_threads(ctx, c->threads);
        agglo_ctx_set_max_memory(ctx, c->max_memory);
        if ((c->out_format || c->nlco) &&
            agglo_ctx_set_output_options(ctx, c->out_format, c->nlco ? c->lco : NULL) != AGGLO_OK) {
            cli_fail(ctx);
            agglo_ctx_free(ctx);
            return NULL;
        }
    }
    return ctx;
}

int cli_parse_size(const char *cmd, const char *opt, const char *arg, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    double mult = 1;
    switch (*end) {
    case 'k': case 'K': mult = 1024.0; end++; break;
    case 'm': case 'M': mult = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mult = 1024.0 * 1024 * 1024; end++; break;
    case 't': case 'T': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'i' && mult > 1)
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (end == arg || *end || errno || !isfinite(v) || !(v > 0)) {
        if (cmd)
            cli_usage(cmd, "%s: '%s' is not a memory size (e.g. 512M, 16G)", opt, arg);
        else
            fprintf(stderr, "agglo: %s: '%s' is not a memory size (e.g. 512M, 16G)\n", opt, arg);
        return -1;
    }
    *out = v * mult;
    return 0;
}

/* Output options of any command (exact long names); a prefix of at least three letters
 * counts too, as getopt_long accepts unambiguous abbreviations. */
static const char *const output_options[] = {"out", "png", "table", "sig-png", "scatter-png",
                                             "hist-png", "sde-png", "curve", "predict-out",
                                             "raster", NULL};

/* Options of some command that are themselves prefixes of an output option (an exact name
 * wins over an abbreviation in getopt_long). */
static const char *const not_outputs[] = {"predict", "sde", NULL};

static const char *output_option(const char *name, size_t len)
{
    for (const char *const *o = output_options; *o; o++)
        if (strlen(*o) == len && strncmp(*o, name, len) == 0)
            return *o;
    for (const char *const *o = not_outputs; *o; o++)
        if (strlen(*o) == len && strncmp(*o, name, len) == 0)
            return NULL;
    if (len < 3)
        return NULL;
    for (const char *const *o = output_options; *o; o++)
        if (strncmp(*o, name, len) == 0)
            return *o;
    return NULL;
}

int cli_check_files(int argc, char **argv)
{
    const char **in = calloc((size_t)argc + 1, sizeof *in);
    const char **out = calloc((size_t)argc + 1, sizeof *out);
    char **labels = calloc((size_t)argc + 1, sizeof *labels);
    size_t nin = 0, nout = 0;
    int rc = CLI_OK;
    if (!in || !out || !labels) {
        fprintf(stderr, "agglo: out of memory\n");
        rc = CLI_FAIL;
        goto done;
    }
    int only_files = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!only_files && strcmp(a, "--") == 0) {
            only_files = 1;
            continue;
        }
        if (!only_files && a[0] == '-' && a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            const char *opt = output_option(name, len);
            const char *val = eq ? eq + 1 : NULL;
            if (!opt) {
                if (val && *val)
                    in[nin++] = val;
                continue;
            }
            if (!val && i + 1 < argc)
                val = argv[++i];
            if (val) {
                out[nout] = val;
                if (asprintf(&labels[nout], "--%s", opt) < 0)
                    labels[nout] = NULL;
                nout++;
            }
            continue;
        }
        if (!only_files && a[0] == '-' && a[1])
            continue; /* short option or negative number */
        in[nin++] = a;
    }
    if (nout) {
        agglo_ctx *ctx = agglo_ctx_create();
        if (!ctx) {
            fprintf(stderr, "agglo: cannot initialise (out of memory)\n");
            rc = CLI_FAIL;
            goto done;
        }
        if (agglo_output_check_paths(ctx, in, nin, out, (const char *const *)labels, nout) != AGGLO_OK) {
            fprintf(stderr, "agglo %s: %s\n", argv[1], agglo_ctx_errmsg(ctx));
            rc = CLI_USAGE;
        }
        agglo_ctx_free(ctx);
    }
done:
    for (size_t j = 0; labels && j < nout; j++)
        free(labels[j]);
    free(labels);
    free(in);
    free(out);
    return rc;
}

int cli_fail(agglo_ctx *ctx)
{
    const char *m = agglo_ctx_errmsg(ctx);
    fprintf(stderr, "agglo: %s\n", m && *m ? m : agglo_strerror(agglo_ctx_errcode(ctx)));
    return CLI_FAIL;
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "agglo %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'agglo %s --help')\n", cmd);
    return CLI_USAGE;
}

void cli_need(cli_common *c, const char *text)
{
    if (!text || !*text)
        return;
    if (c->nneed >= (int)(sizeof c->need / sizeof c->need[0])) {
        c->need_all = 1;
        return;
    }
    c->need[c->nneed++] = text;
}

void cli_need_reset(cli_common *c)
{
    c->nneed = 0;
    c->need_all = 0;
}

/* The common options as read options; with cli_need'ed variables, the fields they read. */
static int read_options(agglo_ctx *ctx, agglo_read_options *o, const cli_common *c)
{
    agglo_read_options_init(o);
    o->layer_name = c->layer;
    o->encoding = c->encoding;
    o->where = c->where;
    o->strict = c->strict;
    if (c->need_all || !c->nneed)
        return AGGLO_OK;
    int rc = c->id_field ? agglo_read_options_add_variable(ctx, o, c->id_field) : AGGLO_OK;
    if (rc == AGGLO_OK && c->plot.label) /* --label FIELD: the maps' labels */
        rc = agglo_read_options_add_variable(ctx, o, c->plot.label);
    for (int i = 0; i < c->nneed && rc == AGGLO_OK; i++) {
        /* "a,b,c" lists (--x, --factors) name one variable each */
        size_t n = 0;
        char **parts = strchr(c->need[i], ',') ? cli_split(c->need[i], &n) : NULL;
        if (parts) {
            for (size_t k = 0; k < n && rc == AGGLO_OK; k++)
                rc = agglo_read_options_add_variable(ctx, o, parts[k]);
            for (size_t k = 0; k < n; k++)
                free(parts[k]);
            free(parts);
        } else {
            rc = agglo_read_options_add_variable(ctx, o, c->need[i]);
        }
    }
    return rc;
}

agglo_table *cli_read_table(agglo_ctx *ctx, const char *path, const cli_common *c)
{
    agglo_read_options o;
    if (read_options(ctx, &o, c) != AGGLO_OK) {
        agglo_read_options_clear(&o);
        return NULL;
    }
    o.assign_crs = c->assign_crs;
    o.to_crs = c->to_crs;
    o.make_valid = c->make_valid;
    agglo_table *t = agglo_table_read(ctx, path, &o);
    agglo_read_options_clear(&o);
    return t;
}

agglo_layer *cli_read_layer(agglo_ctx *ctx, const char *path, const cli_common *c)
{
    agglo_read_options o;
    if (read_options(ctx, &o, c) != AGGLO_OK) {
        agglo_read_options_clear(&o);
        return NULL;
    }
    o.x_field = c->x_field;
    o.y_field = c->y_field;
    o.assign_crs = c->assign_crs;
    o.to_crs = c->to_crs;
    o.make_valid = c->make_valid;
    o.allow_invalid = c->allow_invalid;
    o.skip_validity = c->skip_validity;
    agglo_layer *L = agglo_layer_read(ctx, path, &o);
    agglo_read_options_clear(&o);
    return L;
}

int cli_parse_int(const char *cmd, const char *opt, const char *arg, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (!*arg || *end || errno || v < min || v > max) {
        cli_usage(cmd, "%s: '%s' is not an integer in [%ld, %ld]", opt, arg, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

/* The shared number policy (agglo_parse_double): subnormals such as 1e-320 and values that
 * underflow to 0 are finite numbers and accepted; NaN, infinities, overflow and garbage not. */
int cli_parse_double(const char *cmd, const char *opt, const char *arg, double *out)
{
    int rc = agglo_parse_double(arg, out);
    if (rc == -1)
        cli_usage(cmd, "%s: '%s' is not a number", opt, arg);
    else if (rc)
        cli_usage(cmd, "%s: '%s' is not a finite number", opt, arg);
    return rc ? -1 : 0;
}

char **cli_split(const char *list, size_t *n)
{
    size_t cap = 1;
    for (const char *p = list; *p; p++)
        cap += *p == ',';
    char **out = calloc(cap + 1, sizeof(char *));
    if (!out)
        return NULL;
    size_t k = 0;
    const char *start = list;
    for (const char *p = list;; p++) {
        if (*p == ',' || *p == '\0') {
            if (p > start)
                out[k++] = strndup(start, (size_t)(p - start));
            if (!*p)
                break;
            start = p + 1;
        }
    }
    *n = k;
    return out;
}

/* ---- reports ---- */

typedef struct report_item {
    char *section; /* path components joined by '\x1f' (NULL: top level) */
    char *key;
    int kind; /* 0 num, 1 int, 2 str, 3 bool, 4 numbers */
    double num;
    long long integer;
    char *str;
    double *nums;
    size_t nnums;
} report_item;

struct cli_report {
    char *title;
    char *section;
    report_item *items;
    size_t n, cap;
};

cli_report *cli_report_create(const char *title)
{
    cli_report *r = calloc(1, sizeof *r);
    if (r)
        r->title = strdup(title ? title : "");
    return r;
}

void cli_report_free(cli_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].section);
        free(r->items[i].key);
        free(r->items[i].str);
        free(r->items[i].nums);
    }
    free(r->items);
    free(r->section);
    free(r->title);
    free(r);
}

void cli_report_section(cli_report *r, const char *section)
{
    cli_report_section_path(r, section, (const char *)NULL);
}

void cli_report_section_path(cli_report *r, const char *first, ...)
{
    free(r->section);
    r->section = NULL;
    if (!first)
        return;
    size_t len = strlen(first) + 1;
    va_list ap;
    va_start(ap, first);
    for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *))
        len += strlen(p) + 1;
    va_end(ap);
    char *s = malloc(len);
    if (!s)
        return;
    strcpy(s, first);
    va_start(ap, first);
    for (const char *p = va_arg(ap, const char *); p; p = va_arg(ap, const char *)) {
        strcat(s, "\x1f");
        strcat(s, p);
    }
    va_end(ap);
    r->section = s;
}

static report_item *report_add(cli_report *r, const char *key)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 32;
        report_item *it = realloc(r->items, cap * sizeof *it);
        if (!it)
            return NULL;
        r->items = it;
        r->cap = cap;
    }
    report_item *it = &r->items[r->n++];
    memset(it, 0, sizeof *it);
    it->section = r->section ? strdup(r->section) : NULL;
    it->key = strdup(key);
    return it;
}

void cli_report_num(cli_report *r, const char *key, double value)
{
    report_item *it = report_add(r, key);
    if (it) {
        it->kind = 0;
        it->num = value;
    }
}

void cli_report_int(cli_report *r, const char *key, long long value)
{
    report_item *it = report_add(r, key);
    if (it) {
        it->kind = 1;
        it->integer = value;
    }
}

void cli_report_str(cli_report *r, const char *key, const char *value)
{
    report_item *it = report_add(r, key);
    if (it) {
        it->kind = 2;
        it->str = value ? strdup(value) : NULL;
    }
}

void cli_report_bool(cli_report *r, const char *key, int value)
{
    report_item *it = report_add(r, key);
    if (it) {
        it->kind = 3;
        it->integer = value != 0;
    }
}

void cli_report_nums(cli_report *r, const char *key, const double *v, size_t n)
{
    report_item *it = report_add(r, key);
    if (it) {
        it->kind = 4;
        it->nums = malloc((n ? n : 1) * sizeof(double));
        if (it->nums) {
            memcpy(it->nums, v, n * sizeof(double));
            it->nnums = n;
        }
    }
}

void cli_json_string(FILE *fp, const char *s)
{
    if (!s) {
        fputs("null", fp);
        return;
    }
    fputc('"', fp);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", fp); break;
        case '\\': fputs("\\\\", fp); break;
        case '\n': fputs("\\n", fp); break;
        case '\r': fputs("\\r", fp); break;
        case '\t': fputs("\\t", fp); break;
        default:
            if (*p < 0x20)
                fprintf(fp, "\\u%04x", *p);
            else
                fputc(*p, fp);
        }
    }
    fputc('"', fp);
}

void cli_json_number(FILE *fp, double v)
{
    if (!isfinite(v))
        fputs("null", fp);
    else
        fprintf(fp, "%.17g", v);
}

static void csv_field(FILE *fp, const char *s)
{
    if (!s)
        return;
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', fp);
        for (const char *p = s; *p; p++) {
            if (*p == '"')
                fputc('"', fp);
            fputc(*p, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
}

static int same_section(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

/* The section path as words: "factor\x1fX1" -> "factor X1" (text and CSV). */
static void section_words(const char *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s ? s : "");
    for (char *p = buf; *p; p++)
        if (*p == '\x1f')
            *p = ' ';
}

/* Splits a section path into at most 8 components (pointers into buf). */
static size_t section_split(const char *s, char *buf, size_t size, const char **comp)
{
    if (!s)
        return 0;
    snprintf(buf, size, "%s", s);
    size_t n = 0;
    comp[n++] = buf;
    for (char *p = buf; *p && n < 8; p++)
        if (*p == '\x1f') {
            *p = '\0';
            comp[n++] = p + 1;
        }
    return n;
}

static void value_text(FILE *fp, const report_item *it, int csv)
{
    switch (it->kind) {
    case 0:
        if (!isfinite(it->num))
            fputs("NA", fp);
        else if (csv)
            fprintf(fp, "%.17g", it->num);
        else if (it->num != 0 && (fabs(it->num) < 1e-4 || fabs(it->num) >= 1e9))
            fprintf(fp, "%.6g", it->num);
        else
            fprintf(fp, "%.6f", it->num);
        break;
    case 1: fprintf(fp, "%lld", it->integer); break;
    case 3: fputs(it->integer ? "yes" : "no", fp); break;
    case 4:
        for (size_t k = 0; k < it->nnums; k++)
            fprintf(fp, "%s%.10g", k ? " " : "", it->nums[k]);
        break;
    default:
        if (csv)
            csv_field(fp, it->str ? it->str : "NA");
        else
            fputs(it->str ? it->str : "NA", fp);
    }
}

static void print_json(const cli_report *r, FILE *fp)
{
    /* the open objects: path components and whether each has a member yet */
    char open_buf[1024], cur_buf[1024];
    const char *open[8], *cur[8];
    int has_member[9] = {0};
    size_t depth = 0;
    fputc('{', fp);
    for (size_t i = 0; i < r->n; i++) {
        const report_item *it = &r->items[i];
        size_t nc = section_split(it->section, cur_buf, sizeof cur_buf, cur);
        size_t common = 0;
        while (common < depth && common < nc && strcmp(open[common], cur[common]) == 0)
            common++;
        while (depth > common) {
            fputc('}', fp);
            depth--;
        }
        /* keep the still-open components pointing at a buffer that lives on */
        memcpy(open_buf, cur_buf, sizeof open_buf);
        for (size_t k = 0; k < nc; k++)
            open[k] = open_buf + (cur[k] - cur_buf);
        while (depth < nc) {
            if (has_member[depth])
                fputc(',', fp);
            has_member[depth] = 1;
            cli_json_string(fp, open[depth]);
            fputs(":{", fp);
            depth++;
            has_member[depth] = 0;
        }
        if (has_member[depth])
            fputc(',', fp);
        has_member[depth] = 1;
        cli_json_string(fp, it->key);
        fputc(':', fp);
        switch (it->kind) {
        case 0: cli_json_number(fp, it->num); break;
        case 1: fprintf(fp, "%lld", it->integer); break;
        case 3: fputs(it->integer ? "true" : "false", fp); break;
        case 4:
            fputc('[', fp);
            for (size_t k = 0; k < it->nnums; k++) {
                if (k)
                    fputc(',', fp);
                cli_json_number(fp, it->nums[k]);
            }
            fputc(']', fp);
            break;
        default: cli_json_string(fp, it->str);
        }
    }
    while (depth > 0) {
        fputc('}', fp);
        depth--;
    }
    fputs("}\n", fp);
}

void cli_report_print(const cli_report *r, FILE *fp, cli_format format)
{
    if (format == CLI_FORMAT_NONE)
        return;
    if (format == CLI_FORMAT_JSON) {
        print_json(r, fp);
        return;
    }
    char words[1024];
    if (format == CLI_FORMAT_CSV) {
        fputs("section,key,value\n", fp);
        for (size_t i = 0; i < r->n; i++) {
            const report_item *it = &r->items[i];
            section_words(it->section, words, sizeof words);
            csv_field(fp, words);
            fputc(',', fp);
            csv_field(fp, it->key);
            fputc(',', fp);
            value_text(fp, it, 1);
            fputc('\n', fp);
        }
        return;
    }
    if (r->title && *r->title)
        fprintf(fp, "%s\n", r->title);
    size_t width = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->items[i].key) > width)
            width = strlen(r->items[i].key);
    const char *cur = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const report_item *it = &r->items[i];
        if (it->section && !same_section(cur, it->section)) {
            section_words(it->section, words, sizeof words);
            fprintf(fp, "\n%s\n", words);
        }
        cur = it->section;
        fprintf(fp, "  %-*s  ", (int)width, it->key);
        value_text(fp, it, 0);
        fputc('\n', fp);
    }
}

int cli_write_table_csv(agglo_ctx *ctx, const agglo_table *t, const char *path)
{
    agglo_output *out = NULL;
    FILE *fp = stdout;
    if (path) {
        out = agglo_output_open(ctx, path);
        if (!out)
            return agglo_ctx_errcode(ctx);
        fp = agglo_output_stream(out);
    }
    size_t nc = agglo_table_ncols(t), nr = agglo_table_nrows(t);
    for (size_t j = 0; j < nc; j++) {
        if (j)
            fputc(',', fp);
        csv_field(fp, agglo_table_col_name(t, j));
    }
    fputc('\n', fp);
    char buf[512];
    for (size_t i = 0; i < nr; i++) {
        for (size_t j = 0; j < nc; j++) {
            if (j)
                fputc(',', fp);
            if (agglo_table_nulls(t, j)[i]) {
                fputs("NA", fp);
                continue;
            }
            agglo_table_cell_text(t, i, j, buf, sizeof buf);
            csv_field(fp, buf);
        }
        fputc('\n', fp);
    }
    if (out)
        return agglo_output_commit(ctx, out);
    return fflush(fp) == 0 ? AGGLO_OK : agglo_error(ctx, AGGLO_E_IO, "stdout: write failed");
}

/* ---- Plot options ---- */

/* "V", "Vpx" or "Vmm" with V > 0. */
static int parse_length(const char *cmd, const char *opt, const char *arg, double *v, int *mm)
{
    char *end;
    errno = 0;
    double x = strtod(arg, &end);
    *mm = 0;
    if (end != arg && !strcmp(end, "mm"))
        *mm = 1;
    else if (end != arg && *end && strcmp(end, "px"))
        end = (char *)arg;
    if (end == arg || errno || !isfinite(x) || x <= 0 || x > 100000) {
        cli_usage(cmd, "%s: '%s' is not a length (e.g. 1200, 1200px or 180mm)", opt, arg);
        return -1;
    }
    *v = x;
    return 0;
}

int cli_plot_option(cli_common *c, const char *cmd, int opt, const char *arg)
{
    struct cli_plot_options *p = &c->plot;
    long v;
    double d;
    switch (opt) {
    case CLI_OPT_TITLE: p->title = arg; return 0;
    case CLI_OPT_SUBTITLE: p->subtitle = arg; return 0;
    case CLI_OPT_CAPTION: p->caption = arg; return 0;
    case CLI_OPT_FONT: p->font = arg; return 0;
    case CLI_OPT_OVERLAY: p->overlay = arg; return 0;
    case CLI_OPT_LABEL: p->label = arg; return 0;
    case CLI_OPT_DPI:
        if (cli_parse_double(cmd, "--dpi", arg, &d))
            return -1;
        if (!(d >= 10 && d <= 2400)) {
            cli_usage(cmd, "--dpi: %s is outside 10..2400", arg);
            return -1;
        }
        p->dpi = d;
        return 0;
    case CLI_OPT_WIDTH: return parse_length(cmd, "--width", arg, &p->width, &p->width_mm);
    case CLI_OPT_HEIGHT: return parse_length(cmd, "--height", arg, &p->height, &p->height_mm);
    case CLI_OPT_CLASSES:
        if (cli_parse_int(cmd, "--classes", arg, 2, 12, &v))
            return -1;
        p->classes = (int)v;
        return 0;
    case CLI_OPT_BREAKS: {
        static const struct {
            const char *name;
            int method;
        } m[] = {{"natural", AGGLO_DISC_NATURAL}, {"jenks", AGGLO_DISC_NATURAL},
                 {"quantile", AGGLO_DISC_QUANTILE}, {"equal", AGGLO_DISC_EQUAL},
                 {"geometric", AGGLO_DISC_GEOMETRIC}, {"sd", AGGLO_DISC_SD}};
        for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
            if (!strcmp(arg, m[i].name)) {
                p->breaks = m[i].method;
                return 0;
            }
        cli_usage(cmd, "--breaks: '%s' is not natural, quantile, equal, geometric or sd", arg);
        return -1;
    }
    default: return -1;
    }
}

int cli_plot_style(agglo_ctx *ctx, const cli_common *c, const agglo_layer *layer,
                   const char *crs, cli_style *s)
{
    const struct cli_plot_options *p = &c->plot;
    memset(s, 0, sizeof *s);
    agglo_plot_style *st = &s->style;
    agglo_plot_style_init(st);
    st->title = p->title;
    st->subtitle = p->subtitle;
    st->caption = p->caption;
    st->font = p->font;
    if (p->dpi > 0)
        st->dpi = p->dpi;
    /* one unit for both: mm when both are mm (or only one is given), else pixels */
    int mm = (p->width > 0 ? p->width_mm : 1) && (p->height > 0 ? p->height_mm : 1) &&
             (p->width > 0 || p->height > 0);
    st->size_unit = mm ? AGGLO_PLOT_UNIT_MM : AGGLO_PLOT_UNIT_PX;
    st->width = p->width_mm && !mm ? p->width / 25.4 * st->dpi : p->width;
    st->height = p->height_mm && !mm ? p->height / 25.4 * st->dpi : p->height;
    st->breaks_method = p->breaks;
    st->nclasses = p->classes;
    st->crs = layer && agglo_layer_crs_wkt(layer) && *agglo_layer_crs_wkt(layer)
                  ? agglo_layer_crs_wkt(layer)
                  : crs;
    if (p->label) {
        if (!layer)
            return agglo_error(ctx, AGGLO_E_USAGE, "--label: this picture has no features to label");
        if (agglo_table_find(agglo_layer_table(layer), p->label) < 0)
            return agglo_error(ctx, AGGLO_E_FIELD, "%s: --label: no field '%s'",
                               agglo_layer_path(layer), p->label);
        st->label_field = p->label;
    }
    if (p->overlay) {
        cli_common oc;
        cli_common_init(&oc);
        oc.encoding = c->encoding;
        oc.strict = c->strict;
        oc.allow_invalid = 1;
        oc.to_crs = st->crs;
        s->overlay = cli_read_layer(ctx, p->overlay, &oc);
        if (!s->overlay)
            return agglo_ctx_errcode(ctx);
        agglo_geom_kind k = agglo_layer_kind(s->overlay);
        if (k != AGGLO_GEOM_POLYGON && k != AGGLO_GEOM_LINE)
            return agglo_error(ctx, AGGLO_E_GEOMETRY, "%s: --overlay needs polygons or lines",
                               p->overlay);
        st->overlay = s->overlay;
    }
    return AGGLO_OK;
}

int cli_plot_point_labels(agglo_ctx *ctx, const cli_common *c, const agglo_layer *layer,
                          const char *const *ids, const size_t *keep, size_t n, cli_style *s)
{
    long col = -1;
    const agglo_table *t = layer ? agglo_layer_table(layer) : NULL;
    if (c->plot.label) {
        if (!t || (col = agglo_table_find(t, c->plot.label)) < 0)
            return agglo_error(ctx, AGGLO_E_FIELD, "%s: --label: no field '%s'",
                               layer ? agglo_layer_path(layer) : "input", c->plot.label);
    } else if (!ids) {
        return AGGLO_OK;
    }
    s->labels = calloc(n ? n : 1, sizeof *s->labels);
    if (!s->labels)
        return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    s->nlabels = n;
    char buf[512];
    for (size_t i = 0; i < n; i++) {
        size_t row = keep ? keep[i] : i;
        if (col >= 0) {
            if (agglo_table_nulls(t, (size_t)col)[row])
                continue;
            agglo_table_cell_text(t, row, (size_t)col, buf, sizeof buf);
        } else {
            snprintf(buf, sizeof buf, "%s", ids[i] ? ids[i] : "");
        }
        if (!(s->labels[i] = strdup(buf)))
            return agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
    }
    s->style.labels = (const char *const *)s->labels;
    /* labels[] replaces the label field on the layer's maps too */
    return AGGLO_OK;
}

void cli_style_free(cli_style *s)
{
    if (s->labels)
        agglo_strings_free(s->labels, s->nlabels);
    agglo_layer_free(s->overlay);
    memset(s, 0, sizeof *s);
}

double cli_crs_unit_metres(const char *crs)
{
    if (!crs || !*crs)
        return 0;
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (!srs)
        return 0;
    double u = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    if (OSRSetFromUserInput(srs, crs) == OGRERR_NONE && OSRIsProjected(srs))
        u = OSRGetLinearUnits(srs, NULL);
    CPLPopErrorHandler();
    OSRDestroySpatialReference(srs);
    return u > 0 && isfinite(u) ? u : 0;
}
