/* agglo discretize: class breaks for continuous variables (equal interval, quantile, natural
 * breaks, geometric, standard deviation) and the optimal discretisation of the geographical
 * detector (the largest q over methods x numbers of classes, as the R package GD's optidisc).
 * Breaks b_0 < ... < b_k define classes as R's cut(x, breaks, include.lowest = TRUE):
 * class 0 = [b_0, b_1], class j = (b_j, b_{j+1}]. */
#ifndef AGGLO_DISCRETIZE_H
#define AGGLO_DISCRETIZE_H

#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AGGLO_DISC_EQUAL = 0,     /* k equal-width intervals from min to max */
    AGGLO_DISC_NATURAL = 1,   /* Jenks natural breaks (exact Fisher-Jenks optimisation) */
    AGGLO_DISC_QUANTILE = 2,  /* R type-7 quantiles; fewer classes when quantiles tie (as GD) */
    AGGLO_DISC_GEOMETRIC = 3, /* geometric progression of x + 1 (GD's rule, k classes) */
    AGGLO_DISC_SD = 4,        /* mean +- multiples of the standard deviation (GD's rule) */
    AGGLO_DISC_NMETHODS = 5
} agglo_disc_method;

/* Name ("equal", "natural", "quantile", "geometric", "sd") and parse (-1 if unknown). */
const char *agglo_disc_method_name(agglo_disc_method m);
int agglo_disc_method_parse(const char *name);

/* Breaks of the n finite values x for k classes (k >= 2). *breaks (malloc'd, caller frees)
 * gets *nbreaks values, ascending; the SD rule may give more than k + 1 and quantile fewer. */
int agglo_discretize_breaks(agglo_ctx *ctx, const double *x, size_t n, agglo_disc_method method,
                            int k, double **breaks, size_t *nbreaks);

/* Class of each x (0 .. nbreaks-2) as cut(include.lowest = TRUE); -1 outside the breaks or
 * NaN. */
void agglo_discretize_classify(const double *x, size_t n, const double *breaks, size_t nbreaks,
                               int *cls);

/* Jenks natural breaks of the n values for k classes: the class boundaries minimising the
 * within-class sum of squares (Fisher 1958's exact dynamic programme); breaks[0] = min, then
 * the largest value of each class (k + 1 values, as classInt's "jenks" and BAMMtools). */
int agglo_jenks_breaks(agglo_ctx *ctx, const double *x, size_t n, int k, double *breaks);

/* Optimal discretisation: for each method set in method_mask (bit 1 << method) in the order
 * of agglo_disc_method and each k in kmin..kmax, the breaks of x; candidates with duplicate
 * breaks or a class of fewer than 2 observations are skipped; the first candidate with the
 * largest factor-detector q of y wins. qv (may be NULL) receives the q of every candidate,
 * [method * (kmax - kmin + 1) + (k - kmin)], NaN for skipped ones. */
typedef struct agglo_disc_optimal {
    agglo_disc_method method;
    int k;
    double q;
    double *breaks; /* malloc'd, nbreaks values */
    size_t nbreaks;
} agglo_disc_optimal;

int agglo_discretize_optimal(agglo_ctx *ctx, const double *y, const double *x, size_t n,
                             unsigned method_mask, int kmin, int kmax, agglo_disc_optimal *out,
                             double *qv);

#ifdef __cplusplus
}
#endif
#endif
