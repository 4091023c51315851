/* `agglo gwr --multiscale`: the MGWR part of the gwr command (src/cli/cmd_gwr.c), and the
 * output helpers both parts share (columns and maps of local coefficients). */
#ifndef AGGLO_GWR_MGWR_CLI_H
#define AGGLO_GWR_MGWR_CLI_H

#include "cli.h"

typedef struct gwr_mgwr_cli {
    const char *bw_min, *bw_max; /* one value or p comma-separated values, or NULL */
    double init_bw;              /* initial GWR bandwidth (0 = search) */
    double tol;                  /* SOC tolerance (0 = 1e-5) */
    long max_iter;               /* back-fitting iterations (0 = 200) */
    double mem_mb;               /* R_j chunk budget (0 = 256 MiB) */
    int no_inference;
    int trace;
    int no_output; /* compute only (MPI ranks other than 0) */
} gwr_mgwr_cli;

/* Adds a numeric column to the output table, renaming with a _gwr suffix when the name is
 * taken (GWR and MGWR outputs). */
int gwr_cli_add_col(agglo_ctx *ctx, agglo_table *t, const char *name, const double *v,
                    agglo_col_type type);

/* Local coefficients of a GWR or MGWR fit for the output columns and maps. */
typedef struct gwr_cli_coefs {
    size_t n, p;
    const char *const *names;  /* p */
    const double *beta, *se;   /* n x p */
    const double *tval;        /* n x p, or NULL: no inference (b_ columns only, no sig maps) */
    const double *tcrit;       /* p critical |t| (da Silva & Fotheringham) */
    const double *alpha;       /* p adjusted alpha at 0.05 */
    const double *bw;          /* p bandwidths for the map titles, or NULL */
    const char *model;         /* "GWR", "MGWR" */
} gwr_cli_coefs;

/* Columns b_<x>, se_<x>, t_<x> and sig_<x> (-1/0/1 where |t| exceeds the critical t). */
int gwr_cli_coef_cols(agglo_ctx *ctx, agglo_table *t, const gwr_cli_coefs *k);

/* Maps <stem>_<x>.png of each coefficient and <stem>_<x>_sig.png of the significant ones. */
int gwr_cli_coef_maps(agglo_ctx *ctx, const agglo_layer *L, const gwr_cli_coefs *k,
                      const char *png);

/* Parses a --bw-min / --bw-max list for p coefficients (intercept first) into out; one value
 * applies to all. Returns 0, or -1 after printing a usage message. */
int gwr_mgwr_parse_list(const char *opt, const char *s, size_t p, double *out);

/* Fits the MGWR of the prepared model m, writes --out / --png and prints the summary.
 * Returns AGGLO_OK or an error code (message in ctx). */
int gwr_mgwr_run(agglo_ctx *ctx, agglo_layer *L, agglo_gwr_model *m, const char *path,
                 const char *yname, const char *xlist, const cli_common *c,
                 const agglo_gwr_options *o, const gwr_mgwr_cli *a);

/* ---- gwr_cli_output.c: the GWR command's inputs and outputs ---- */
typedef struct coords {
    double *x, *y;
} coords;
/* Coordinates of a layer: attribute fields, or points/centroids. Refuses geographic CRS
 * unless great_circle. */
int gwr_cli_layer_coords(agglo_ctx *ctx, agglo_layer *L, const char *path, const char *fx,
                        const char *fy, int great_circle, int on_surface, coords *c);
void gwr_cli_coords_free(coords *c);
/* The result columns (b_, se_, t_, sig_, yhat, resid, ...) added to the table t. */
int gwr_cli_add_results(agglo_ctx *ctx, agglo_table *t, const agglo_gwr_result *r);
/* Writes the layer, or its table alone for a .csv path (atomic). */
int gwr_cli_write_table_or_layer(agglo_ctx *ctx, agglo_layer *L, const char *path);
/* --png: the coefficient maps and their significance maps. */
int gwr_cli_draw_maps(agglo_ctx *ctx, const agglo_layer *L, const agglo_gwr_result *r,
                     const char *png);
/* The summary: search, global regression, GWR diagnostics, coefficient summaries and
 * significance counts. */
void gwr_cli_report(cli_report *rep, const agglo_gwr_result *r, const agglo_gwr_search_result *s,
                   int searched, int trace, const agglo_gwr_options *o);
/* --predict: local estimates at the points of path (agglo_gwr_predict), written to outpath. */
int gwr_cli_predict(agglo_ctx *ctx, agglo_gwr_model *m, const agglo_gwr_result *r,
                   const char *path, const char *outpath, const cli_common *c,
                   char **xnames, size_t k, int great_circle, int on_surface);
/* Replaces *L by the subset of features whose model fields are all present. */
int gwr_cli_drop_incomplete(agglo_ctx *ctx, agglo_layer **L, const char *path, const char *yname,
                           char **xnames, size_t k, const char *offset, const char *cx,
                           const char *cy);

#endif
