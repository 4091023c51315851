/* agglo: command table and dispatch (as git's commands[]). */
#include "cli.h"

#include <stdio.h>
#include <string.h>

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
    X(gwr, "geographically weighted regression")                                                 \
    X(kde, "kernel density of points to a GeoTIFF raster")                                       \
    X(concentration, "location quotient, spatial Gini, HHI, Theil, Ellison-Glaeser")             \
    X(points, "point-pattern measures: Clark-Evans, Ripley's K/L, standard deviational ellipse") \
    X(regress, "OLS with spatial diagnostics; spatial lag, error, Durbin, SDEM, SAC, SLX models")

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

int main(int argc, char **argv)
{
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
            return commands[i].fn(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "agglo: '%s' is not a command (see 'agglo --help')\n", argv[1]);
    return CLI_USAGE;
}
