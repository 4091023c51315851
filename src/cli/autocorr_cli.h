/* Shared option parsing, loading and output of the autocorrelation commands
 * (moran, geary, getis, lisa, hotspot). No statistics here: they are library calls. */
#ifndef AGGLO_AUTOCORR_CLI_H
#define AGGLO_AUTOCORR_CLI_H

#include "cli.h"

typedef struct ac_cli {
    cli_common c;
    const char *cmd;
    const char *input;
    const char *var;        /* --var */
    const char *bivariate;  /* --bivariate Y */
    const char *rate;       /* --rate EVENTS,BASE */
    const char *weights;    /* --weights SPEC|FILE (default queen) */
    agglo_weights_read_options wread; /* --gwt-values, --weights-match for weights files */
    const char *table;      /* --table FILE.csv: per-observation results */
    const char *scatter_png;/* --scatter-png */
    const char *sig_png;    /* --sig-png */
    const char *hist_png;   /* --hist-png: permutation reference distribution */
    char transform;         /* --transform: agglo_transform code, 'V' for V (default W) */
    int drop_missing;
    int gi;                 /* hotspot --gi: Gi without the diagonal */
    agglo_autocorr_options opt;
    /* loaded */
    agglo_ctx *ctx;
    agglo_layer *layer;     /* the rows analysed (subset when rows were dropped) */
    agglo_weights *w;
    double *x, *y;          /* y: bivariate variable or rate base */
    double *events;         /* --rate events (x holds EB-standardised rates for local use) */
    size_t n, dropped;
    agglo_layer *full;      /* with dropped rows: the layer as read (maps show "no data") */
    size_t *kept;           /* with dropped rows: row of `full` of each analysed row */
    char label[256];        /* "CRIME" or "SID74/BIR74" */
} ac_cli;

typedef void (*ac_usage_fn)(FILE *fp);

/* The autocorrelation options only some of the commands use (the others -- --var,
 * --weights, --transform, --permutations, --alternative, --drop-missing, --gwt-values,
 * --weights-match -- are every command's). */
enum {
    AC_ACCEPT_BIVARIATE = 1u << 0, /* --bivariate */
    AC_ACCEPT_RATE = 1u << 1,      /* --rate */
    AC_ACCEPT_ALPHA = 1u << 2,     /* --alpha */
    AC_ACCEPT_CORRECTION = 1u << 3,/* --p-adjust (--correction) */
    AC_ACCEPT_TABLE = 1u << 4,     /* --table */
    AC_ACCEPT_SCATTER = 1u << 5,   /* --scatter-png */
    AC_ACCEPT_SIG = 1u << 6,       /* --sig-png */
    AC_ACCEPT_GI = 1u << 7,        /* --gi */
    AC_ACCEPT_TOTAL = 1u << 8,     /* --total-randomisation */
    AC_ACCEPT_NOADJ = 1u << 9,     /* --no-adjust-n */
    AC_ACCEPT_HIST = 1u << 10      /* --hist-png */
};
/* The common options of a global statistic and of a local one (maps, output layer). */
#define AC_COMMON_GLOBAL (CLI_ACCEPT_REPORT | CLI_ACCEPT_READ | CLI_ACCEPT_ID | CLI_ACCEPT_SEED |  \
                          CLI_ACCEPT_COMPUTE)
#define AC_COMMON_LOCAL (AC_COMMON_GLOBAL | CLI_ACCEPT_VECTOR_OUT | CLI_ACCEPT_PNG)

/* Parses argv: `common` the common options the command accepts (CLI_ACCEPT_*), `own` the
 * AC_ACCEPT_* options. Returns -1 to continue, or the exit code (help printed / usage error). */
int ac_parse(ac_cli *a, const char *cmd, int argc, char **argv, ac_usage_fn usage,
             unsigned common, unsigned own);
/* Help text of the shared options. */
extern const char *const ac_help_common;
extern const char *const ac_help_local; /* --p-adjust and --table */

/* Reads the layer, variables and weights (applying --drop-missing); 0 or CLI_FAIL. */
int ac_load(ac_cli *a, int need_var);
void ac_free(ac_cli *a);

/* Adds the run description (input, variable, weights, n) to a report. */
void ac_report_header(ac_cli *a, cli_report *r);
/* Adds a global result's fields. */
void ac_report_global(cli_report *r, const agglo_global_result *g, const char *stat_name);

/* Adds a numeric / integer / string column to the analysed layer's table; 0 or CLI_FAIL. */
int ac_add_col(ac_cli *a, const char *name, const double *v, agglo_col_type type);
int ac_add_int_col(ac_cli *a, const char *name, const int *v);
int ac_add_str_col(ac_cli *a, const char *name, const char *const *v);
/* Pictures: the layer to draw (the full layer when rows were dropped) and the per-row
 * categories / values of the analysed rows spread onto it (-1 / NaN for dropped rows);
 * malloc'd, NULL after an error (message in ctx). */
const agglo_layer *ac_map_layer(const ac_cli *a);
int *ac_map_categories(ac_cli *a, const int *cat);
/* The plot style of a map of the analysed layer (cli_plot_style on ac_map_layer). */
int ac_plot_style(ac_cli *a, cli_style *s);

/* Writes --out: a layer (the input's fields + the results), or with a .csv name the CSV of the
 * id + the named result columns (as the deprecated --table). */
int ac_write_outputs(ac_cli *a, const char *const *cols, size_t ncols);
/* --out names a .csv (without -f or --lco): the per-observation table, not the layer. */
int ac_out_is_csv(const ac_cli *a);

#endif
