/* `agglo gwr --multiscale`: the MGWR part of the gwr command (src/cli/cmd_gwr.c). */
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

/* Parses a --bw-min / --bw-max list for p coefficients (intercept first) into out; one value
 * applies to all. Returns 0, or -1 after printing a usage message. */
int gwr_mgwr_parse_list(const char *opt, const char *s, size_t p, double *out);

/* Fits the MGWR of the prepared model m, writes --out / --png and prints the summary.
 * Returns AGGLO_OK or an error code (message in ctx). */
int gwr_mgwr_run(agglo_ctx *ctx, agglo_layer *L, agglo_gwr_model *m, const char *path,
                 const char *yname, const char *xlist, const cli_common *c,
                 const agglo_gwr_options *o, const gwr_mgwr_cli *a);

#endif
