/* Loading shared by joincount, localgeary and spatialgini: the autocorrelation commands'
 * options (ac_parse, one option table) with several numeric variables or one categorical
 * variable, the missing-value policy applied to all of them together. */
#ifndef AGGLO_ESDA2_CLI_H
#define AGGLO_ESDA2_CLI_H

#include "autocorr_cli.h"

typedef struct e2_data {
    char **vars;      /* the --var list, split at commas */
    size_t nv;
    double **x;       /* nv numeric variables (categorical: NULL) */
    int *codes;       /* categorical: level codes 0..nlevels-1 */
    size_t nlevels;
    char **labels;    /* categorical: level labels (numbers ascending, strings in byte order) */
} e2_data;

/* 1 when argv holds the long option opt ("--transform" or "--transform=..."). */
int e2_given(int argc, char **argv, const char *opt);

/* Reads the layer, the variables of a->var (categorical: exactly one, numeric or string) and
 * the weights; rows with a missing value in any variable are refused naming the ids, or
 * dropped with --drop-missing (weights subset consistently); numeric variables pass the
 * shared check (finite, not constant: flags); then the --transform. 0 or CLI_FAIL. */
int e2_load(ac_cli *a, e2_data *d, int categorical, unsigned flags);
void e2_free(e2_data *d);

#endif
