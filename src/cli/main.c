/* agglo: command table and dispatch (as git's commands[]). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <getopt.h>
#include <unistd.h>

/* Each command lives in cmd_<name>.c. Declared weak so a build that lacks one still links
 * and says so instead of failing. */
#define AGGLO_COMMANDS(X)                                                                         \
    X(info, "describe a vector data source: layers, CRS, extent, fields, NULLs, invalid geometries") \
    X(join, "count points per polygon and aggregate their attributes (spatial join)")            \
    X(weights, "build spatial weights (queen, rook, knn, distance band, inverse distance, kernel)") \
    X(moran, "global Moran's I (normal, randomisation, permutation inference)")                  \
    X(geary, "Geary's C")                                                                        \
    X(getis, "Getis-Ord General G")                                                              \
    X(lisa, "local Moran (LISA) with conditional permutation, clusters and maps")                \
    X(hotspot, "local Getis-Ord Gi/Gi* hot and cold spots")                                       \
    X(joincount, "join counts (BB, BW, WW) of a categorical field, analytic and permutation")   \
    X(localgeary, "local Geary (univariate, multivariate) with permutation clusters and maps")  \
    X(spatialgini, "Rey-Smith spatial Gini decomposition with permutation inference")           \
    X(gwr, "geographically weighted regression")                                                 \
    X(kde, "kernel density of points to a GeoTIFF raster")                                       \
    X(concentration, "location quotient, spatial Gini, HHI, Theil, Ellison-Glaeser")             \
    X(points, "point-pattern measures: Clark-Evans, Ripley's K/L, standard deviational ellipse") \
    X(geodetector, "geographical detector: factor, interaction, risk, ecological; discretisation") \
    X(dagum, "Dagum Gini decomposition by groups (within, net between, transvariation); Theil") \
    X(regress, "OLS with spatial diagnostics; spatial lag, error, Durbin, SDEM, SAC, SLX models") \
    X(panel, "spatial panel models: fixed/random effects SAR, SEM, SDM, SDEM, SLX; impacts") \
    X(index, "composite index: entropy weights, TOPSIS, coupling coordination degree") \
    X(markov, "Markov chains of a panel: classic, spatial (lag-conditioned) and LISA Markov")   \
    X(distribution, "kernel densities of a variable per period (one figure) and Theil per period") \
    X(trend, "trend surface: least-squares polynomial of the coordinates (orders 1..6), GeoTIFF") \
    X(ranksize, "rank-size rule (Zipf): Gabaix-Ibragimov and OLS log-log fits, plot")

#define DECLARE(name, help) int cmd_##name(int argc, char **argv) __attribute__((weak));
AGGLO_COMMANDS(DECLARE)

typedef struct command {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} command;

#define ENTRY(name, help) {#name, cmd_##name, help},
static const command commands[] = {AGGLO_COMMANDS(ENTRY)};

static void usage(FILE *fp)
{
    fprintf(fp, "agglo %s - spatial econometrics on shapefiles\n\n"
                "usage: agglo <command> [input] [options]\n\ncommands:\n",
            agglo_version());
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (commands[i].fn)
            fprintf(fp, "  %-14s %s\n", commands[i].name, commands[i].help);
    fprintf(fp, "\n'agglo <command> --help' describes a command's options.\n");
}

/* Everything printed on stdout must have reached it: a full disk or a closed pipe is a
 * failure (exit 1), not a silent truncation. */
static int finish_stdout(int rc)
{
    errno = 0;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (bad) {
        fprintf(stderr, "agglo: stdout: write failed (%s)\n", strerror(err ? err : EIO));
        return rc == CLI_OK ? CLI_FAIL : rc;
    }
    return rc;
}

static int run(int argc, char **argv)
{
    opterr = 0; /* a bad option is reported in one line by the command, not by getopt too */
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("agglo %s\n", agglo_version());
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            if (!commands[i].fn) {
                fprintf(stderr, "agglo: command '%s' is not part of this build\n", argv[1]);
                return CLI_FAIL;
            }
            /* -f NAME is --format NAME for every command */
            for (int k = 2; k < argc; k++) {
                if (strcmp(argv[k], "--") == 0)
                    break;
                if (strcmp(argv[k], "-f") == 0)
                    argv[k] = (char *)"--format";
            }
            /* one check of all the run's files before any work */
            int rc = cli_check_files(argc, argv);
            if (rc != CLI_OK)
                return rc;
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "agglo: '%s' is not a command (see 'agglo --help')\n", argv[1]);
    return CLI_USAGE;
}

int main(int argc, char **argv) { return finish_stdout(cli_strict_finish(run(argc, argv))); }
