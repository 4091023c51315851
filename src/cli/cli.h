/* Shared CLI helpers: common options, layer loading, result printing (text/JSON/CSV).
 * Each cmd_<name>.c parses its options, calls one library function and prints. */
#ifndef AGGLO_CLI_H
#define AGGLO_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "agglo/agglo.h"

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* CLI_FORMAT_NONE: --quiet, nothing on stdout (warnings still on stderr). */
typedef enum { CLI_FORMAT_TEXT = 0, CLI_FORMAT_JSON = 1, CLI_FORMAT_CSV = 2, CLI_FORMAT_NONE = 3 } cli_format;

/* Options every command understands. */
typedef struct cli_common {
    cli_format format;
    const char *out;        /* --out FILE */
    const char *png;        /* --png FILE */
    const char *layer;      /* --layer NAME */
    const char *encoding;   /* --encoding GBK */
    const char *to_crs;     /* --to EPSG:xxxx */
    const char *assign_crs; /* --crs EPSG:xxxx for sources without CRS */
    const char *x_field;    /* --x-field */
    const char *y_field;    /* --y-field */
    const char *id_field;   /* --id FIELD */
    const char *where;      /* --where SQL: OGR attribute filter */
    int strict;             /* --strict: every warning is an error (cli_ctx_create) */
    int skip_validity;      /* set by commands whose result does not depend on polygon validity */
    int make_valid;         /* --make-valid */
    int allow_invalid;      /* set by commands that report or tolerate invalid polygons */
    int quiet;              /* --quiet */
    int threads;            /* --threads N */
    unsigned long long seed;/* --seed S */
    int seed_given;
    const char *out_format; /* -f/--format NAME: GDAL driver of vector outputs */
    const char *lco[32];    /* --lco NAME=VALUE, repeatable */
    int nlco;
    double max_memory;      /* --max-memory SIZE in bytes (0: default) */
    /* What the command reads from the input (cli_need): with at least one, cli_read_layer
     * and cli_read_table read only those fields (plus --id, the fields --where names and a
     * CSV's coordinates); with none, every field. */
    const char *need[64];
    int nneed;
    int need_all;           /* set by cli_need when the list is full: read every field */
    struct cli_plot_options {  /* the plot options (CLI_ACCEPT_PLOT), see below */
        const char *title, *subtitle, *caption, *font, *label, *overlay;
        double dpi, width, height; /* 0: not given */
        int width_mm, height_mm;   /* the value was given in mm */
        int breaks;                /* agglo_disc_method, -1 not given */
        int classes;               /* 0 not given */
    } plot;
} cli_common;

/* Long-option ids of the common options (>= 1000 so commands can use chars below). */
enum {
    CLI_OPT_JSON = 1000, CLI_OPT_CSV, CLI_OPT_OUT, CLI_OPT_PNG, CLI_OPT_LAYER, CLI_OPT_ENCODING,
    CLI_OPT_TO, CLI_OPT_CRS, CLI_OPT_XFIELD, CLI_OPT_YFIELD, CLI_OPT_ID, CLI_OPT_MAKE_VALID,
    CLI_OPT_QUIET, CLI_OPT_THREADS, CLI_OPT_SEED, CLI_OPT_HELP, CLI_OPT_WHERE, CLI_OPT_STRICT,
    CLI_OPT_FORMAT, CLI_OPT_LCO, CLI_OPT_MAX_MEMORY
};

#define CLI_COMMON_LONG_OPTIONS                                                                  \
    {"json", no_argument, 0, CLI_OPT_JSON}, {"csv", no_argument, 0, CLI_OPT_CSV},                \
        {"out", required_argument, 0, CLI_OPT_OUT}, {"png", required_argument, 0, CLI_OPT_PNG},  \
        {"layer", required_argument, 0, CLI_OPT_LAYER},                                          \
        {"encoding", required_argument, 0, CLI_OPT_ENCODING},                                    \
        {"to", required_argument, 0, CLI_OPT_TO}, {"crs", required_argument, 0, CLI_OPT_CRS},    \
        {"x-field", required_argument, 0, CLI_OPT_XFIELD},                                       \
        {"y-field", required_argument, 0, CLI_OPT_YFIELD},                                       \
        {"id", required_argument, 0, CLI_OPT_ID},                                                \
        {"make-valid", no_argument, 0, CLI_OPT_MAKE_VALID},                                      \
        {"where", required_argument, 0, CLI_OPT_WHERE}, {"strict", no_argument, 0, CLI_OPT_STRICT}, \
        {"quiet", no_argument, 0, CLI_OPT_QUIET}, {"threads", required_argument, 0, CLI_OPT_THREADS}, \
        {"seed", required_argument, 0, CLI_OPT_SEED}, {"help", no_argument, 0, CLI_OPT_HELP},     \
        {"format", required_argument, 0, CLI_OPT_FORMAT},                                        \
        {"lco", required_argument, 0, CLI_OPT_LCO},                                              \
        {"max-memory", required_argument, 0, CLI_OPT_MAX_MEMORY}

/* The common options a command accepts, as bits of cli_common_accepts (one per CLI_OPT_*).
 * A common option a command does not declare is a usage error naming it (exit 2), so an
 * option never silently does nothing. --help and --quiet are accepted by every command. */
#define CLI_BIT(opt) (1u << ((unsigned)(opt) - (unsigned)CLI_OPT_JSON))
#define CLI_ACCEPT_REPORT (CLI_BIT(CLI_OPT_JSON) | CLI_BIT(CLI_OPT_CSV)) /* --json --csv */
#define CLI_ACCEPT_OUT CLI_BIT(CLI_OPT_OUT)                              /* --out (any file) */
#define CLI_ACCEPT_VECTOR_OUT                                                                    \
    (CLI_ACCEPT_OUT | CLI_BIT(CLI_OPT_FORMAT) | CLI_BIT(CLI_OPT_LCO)) /* --out layer, -f, --lco */
#define CLI_ACCEPT_PNG (CLI_BIT(CLI_OPT_PNG) | CLI_ACCEPT_PLOT) /* --png and the plot options */
#define CLI_ACCEPT_READ                                                                          \
    (CLI_BIT(CLI_OPT_LAYER) | CLI_BIT(CLI_OPT_ENCODING) | CLI_BIT(CLI_OPT_TO) |                   \
     CLI_BIT(CLI_OPT_CRS) | CLI_BIT(CLI_OPT_XFIELD) | CLI_BIT(CLI_OPT_YFIELD) |                  \
     CLI_BIT(CLI_OPT_WHERE) | CLI_BIT(CLI_OPT_STRICT) | CLI_BIT(CLI_OPT_MAKE_VALID))
#define CLI_ACCEPT_ID CLI_BIT(CLI_OPT_ID)
#define CLI_ACCEPT_SEED CLI_BIT(CLI_OPT_SEED)
#define CLI_ACCEPT_COMPUTE (CLI_BIT(CLI_OPT_THREADS) | CLI_BIT(CLI_OPT_MAX_MEMORY))
#define CLI_ACCEPT_ALWAYS (CLI_BIT(CLI_OPT_HELP) | CLI_BIT(CLI_OPT_QUIET))

/* Returned by cli_getopt after it printed a one-line usage error: return CLI_USAGE. */
#define CLI_GETOPT_ERROR (-2)

/* getopt_long for a command: longopts is the command's table (it may hold
 * CLI_COMMON_LONG_OPTIONS); the common options in `accepts` are applied to *c and not
 * returned; a common option not in `accepts`, an unknown option, a missing or bad value
 * print one line "agglo CMD: ..." and return CLI_GETOPT_ERROR. CLI_OPT_HELP and the
 * command's own options are returned; -1 at the end of the options (then --quiet has set
 * c->format to CLI_FORMAT_NONE: no report on stdout). Call with optind = 1 first. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               cli_common *c, const char *cmd, unsigned accepts);

/* Prints the help of the common options in `accepts` (one line or more per option). */
void cli_common_help_print(FILE *fp, unsigned accepts);

/* "agglo CMD: --NAME is not an option of this command (see 'agglo CMD --help')";
 * returns CLI_USAGE. */
int cli_not_accepted(const char *cmd, const char *name);
/* A deprecated spelling: "agglo: warning: CMD --OLD is deprecated; use --NEW" on stderr. */
void cli_deprecated(const char *cmd, const char *old_name, const char *new_name);

/* Text for --help describing all the common options (commands not yet on cli_getopt). */
extern const char *const cli_common_help;

void cli_common_init(cli_common *c);
/* Handles a common option. Returns 1 if handled, 0 if not a common option, -1 on a bad
 * value (message printed). CLI_OPT_HELP is not handled here. */
int cli_common_option(cli_common *c, int opt, const char *arg);

/* Parses a memory size: bytes, or a number with K, M, G or T (powers of 1024; "16G",
 * "1.5T"). 0 on success, -1 (message printed, as a usage error of cmd, or as
 * "agglo: ..." when cmd is NULL) on error. */
int cli_parse_size(const char *cmd, const char *opt, const char *arg, double *out);

/* The output and input files of one command line (argv as given to main, argv[1] the
 * command): values of --out, --png, --table, --sig-png, --scatter-png, --curve,
 * --predict-out, --raster are outputs, every other argument naming an existing file an input.
 * Refuses (usage error, message printed, returns CLI_USAGE) an output that is an input or
 * two outputs that are one file; CLI_OK otherwise. */
int cli_check_files(int argc, char **argv);

/* The context every command uses: warnings printed to stderr as "agglo: warning: ..."
 * unless quiet; threads, output format, layer creation options and memory limit from the
 * options. */
agglo_ctx *cli_ctx_create(const cli_common *c);

/* End of a run (main): with --strict, a warning makes a successful command fail (exit 1,
 * "agglo: <first warning> (an error with --strict)") and what it printed on stdout is
 * dropped; without a warning the held-back stdout is copied out. Returns the exit code. */
int cli_strict_finish(int rc);

/* Prints "agglo: <message>" from the context and returns CLI_FAIL. */
int cli_fail(agglo_ctx *ctx);
/* Prints "agglo <cmd>: <message>" + a hint to use --help and returns CLI_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Declares a variable the command reads from its input: a field name or an expression
 * (--var, --y, --x, --group, ...; a comma-separated list is split). Call once per option
 * value before cli_read_layer/cli_read_table. text is not copied (argv strings live on). */
void cli_need(cli_common *c, const char *text);
/* Forgets the declared fields (for a second input read with a copy of the options): every
 * field is read again. */
void cli_need_reset(cli_common *c);

/* Reads a layer with the common options applied. */
agglo_layer *cli_read_layer(agglo_ctx *ctx, const char *path, const cli_common *c);
/* Reads the attributes of a source as a table (agglo_table_read): a CSV, a .dbf, a GeoPackage
 * attribute table or any layer, its geometry ignored; --to/--crs/--make-valid are refused. */
agglo_table *cli_read_table(agglo_ctx *ctx, const char *path, const cli_common *c);

/* ---- Plot options (every command with --png) ----
 * --title T --subtitle T --caption T --dpi N --width V[px|mm] --height V[px|mm] --font F
 * --label FIELD --overlay POLYGONS --breaks METHOD --classes N. A command with pictures puts
 * CLI_PLOT_LONG_OPTIONS in its longopts and CLI_ACCEPT_PLOT (part of CLI_ACCEPT_PNG) in its
 * accepts; cli_getopt fills c->plot, cli_common_help_print lists them. */
enum {
    CLI_OPT_TITLE = 1100, CLI_OPT_SUBTITLE, CLI_OPT_CAPTION, CLI_OPT_DPI, CLI_OPT_WIDTH,
    CLI_OPT_HEIGHT, CLI_OPT_FONT, CLI_OPT_LABEL, CLI_OPT_OVERLAY, CLI_OPT_BREAKS, CLI_OPT_CLASSES
};
/* One bit for the whole group, kept clear of the per-option bits above. */
#define CLI_ACCEPT_PLOT (1u << 31)
#define CLI_PLOT_LONG_OPTIONS                                                                    \
    {"title", required_argument, 0, CLI_OPT_TITLE},                                              \
        {"subtitle", required_argument, 0, CLI_OPT_SUBTITLE},                                    \
        {"caption", required_argument, 0, CLI_OPT_CAPTION},                                      \
        {"dpi", required_argument, 0, CLI_OPT_DPI},                                              \
        {"width", required_argument, 0, CLI_OPT_WIDTH},                                          \
        {"height", required_argument, 0, CLI_OPT_HEIGHT},                                        \
        {"font", required_argument, 0, CLI_OPT_FONT},                                            \
        {"label", required_argument, 0, CLI_OPT_LABEL},                                          \
        {"overlay", required_argument, 0, CLI_OPT_OVERLAY},                                      \
        {"breaks", required_argument, 0, CLI_OPT_BREAKS},                                        \
        {"classes", required_argument, 0, CLI_OPT_CLASSES}

/* Their help (cli_common_help_print prints it with CLI_ACCEPT_PLOT). */
extern const char *const cli_plot_help;
/* For commands not on cli_getopt: applies plot option opt (CLI_OPT_TITLE..CLI_OPT_CLASSES);
 * 0, or -1 after a usage message. */
int cli_plot_option(cli_common *c, const char *cmd, int opt, const char *arg);

/* A figure style made from the plot options, and what it owns. */
typedef struct cli_style {
    agglo_plot_style style;
    agglo_layer *overlay;  /* --overlay, reprojected to the map's CRS */
    char **labels;         /* --label values (or ids) for figures without a layer (scatter) */
    size_t nlabels;
} cli_style;

/* Fills s from the plot options: style.crs is the layer's CRS (layer may be NULL; then
 * crs, which may be NULL too); --overlay is read (encoding from --encoding) and reprojected
 * to that CRS; --label must name a field of the layer (checked here). Returns AGGLO_OK or an
 * error code with the message in ctx; call cli_style_free in both cases. */
int cli_plot_style(agglo_ctx *ctx, const cli_common *c, const agglo_layer *layer,
                   const char *crs, cli_style *s);
/* Sets s->labels / style.labels to the --label field's values of the layer's features, or
 * to ids (may be NULL) without --label: for figures whose points are not the layer's
 * features in order (Moran scatter): keep[i] (NULL = i) is the feature of point i. */
int cli_plot_point_labels(agglo_ctx *ctx, const cli_common *c, const agglo_layer *layer,
                          const char *const *ids, const size_t *keep, size_t n, cli_style *s);
void cli_style_free(cli_style *s);
/* Metres per unit of a projected CRS (WKT, EPSG:n, PROJ); 0 for a geographic, unknown or
 * missing CRS. */
double cli_crs_unit_metres(const char *crs);

/* Parsing helpers: return 0 on success, -1 (after printing a usage message) on error. */
int cli_parse_int(const char *cmd, const char *opt, const char *arg, long min, long max, long *out);
int cli_parse_double(const char *cmd, const char *opt, const char *arg, double *out);
/* Splits "a,b,c" into a NULL-terminated malloc'd array of malloc'd strings; *n the count. */
char **cli_split(const char *list, size_t *n);

/* A report: an ordered list of (section, key, value) for summaries; printed as aligned text,
 * one JSON object (sections as nested objects), or CSV rows "section,key,value". */
typedef struct cli_report cli_report;
cli_report *cli_report_create(const char *title);
void cli_report_free(cli_report *r);
void cli_report_section(cli_report *r, const char *section); /* following keys go there */
void cli_report_num(cli_report *r, const char *key, double value);
void cli_report_int(cli_report *r, const char *key, long long value);
void cli_report_str(cli_report *r, const char *key, const char *value);
/* true/false in JSON, yes/no in text and CSV */
void cli_report_bool(cli_report *r, const char *key, int value);
/* a JSON array of numbers; space-separated in text and CSV */
void cli_report_nums(cli_report *r, const char *key, const double *v, size_t n);
/* Nested sections: the following keys go into first -> ... (NULL-terminated list of
 * components), a nested JSON object per component; text and CSV show "first second". */
void cli_report_section_path(cli_report *r, const char *first, ...) __attribute__((sentinel));
void cli_report_print(const cli_report *r, FILE *fp, cli_format format);

/* Prints a JSON string literal with escapes. */
void cli_json_string(FILE *fp, const char *s);
/* Prints a number as JSON (NaN/Inf as null) with 17 significant digits. */
void cli_json_number(FILE *fp, double v);

/* Writes per-observation columns (ids + numeric/string columns of a table) as CSV to path
 * (atomically) or to stdout when path is NULL. */
int cli_write_table_csv(agglo_ctx *ctx, const agglo_table *t, const char *path);

#endif
