/* Internal declarations of the gwr module. */
#ifndef AGGLO_GWR_INTERNAL_H
#define AGGLO_GWR_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "agglo/gwr.h"


/* A run of observations [j0, j1) in the internal order: the cells of one grid row that meet a
 * disc (cells are numbered row by row and their observations stored cell by cell). */
typedef struct gwr_range {
    size_t j0, j1;
} gwr_range;

/* The cells of one grid row meeting a disc [o0, o1] and wholly inside it [i0, i1]. */
typedef struct gwr_row_span {
    long row, o0, o1, i0, i1;
} gwr_row_span;

/* Per-thread state of the k-th-distance search: the last answer is a bound for the next
 * query (the k-th nearest distance is 1-Lipschitz in the query location), and a buffer of
 * n squared distances for the selection. */
typedef struct gwr_knn {
    double *d2; /* n */
    size_t k;   /* k of the last answer (0: none) */
    double qx, qy, dk;
} gwr_knn;

struct agglo_gwr_model {
    agglo_gwr_options o;
    size_t n, p;
    double *X;    /* n x p row-major, internal (grid) order, column 0 = 1 */
    double *xcol; /* (p - 1) x n: columns 1..p-1 of X, one after another (vector loops) */
    double *y;    /* n */
    double *loff; /* log offset (Poisson) or NULL */
    double *cx, *cy;
    size_t *orig; /* internal index -> caller's index */
    char **names; /* p */
    double ymean, ysd, *xmean, *xsd; /* standardisation (sd 1, mean 0 when off) */
    double *gbeta; /* global fit (internal scale), start of the local IRLS */
    /* grid index (planar only) */
    int use_grid;
    double gx0, gy0, cs, inv_cs; /* origin, cell side, 1 / cell side */
    long gnx, gny;
    size_t *cstart; /* gnx*gny + 1 */
    /* bisquare moment prefix sums per grid row (gwr_moments.c), NULL until built */
    double *mom, mom_ax;
    int mom_failed;
};

/* gwr.c: the observations inside a location's kernel (GWR and MGWR) */
#define GWR_EPS 1.0000001 /* mgwr: adaptive bandwidth = k-th distance * eps */
typedef struct gwr_nbrs {
    size_t *idx;   /* observations of positive kernel weight (compact queries), n room */
    double *w;     /* their kernel weights; n room (a work buffer otherwise) */
    size_t nn;
    double h;      /* kernel bandwidth of the last query */
    gwr_range *rg; /* grid: runs of the last disc (2 gny room) */
    size_t nrg;
    gwr_knn knn;   /* grid: k-th distance search */
    double *d;     /* great circle: distances of the last query (n) */
} gwr_nbrs;
int gwr_nbrs_init(gwr_nbrs *s, const agglo_gwr_model *m);
void gwr_nbrs_free(gwr_nbrs *s);
int gwr_kernel_bounded(agglo_gwr_kernel k);
void gwr_neighbours(const agglo_gwr_model *m, double qx, double qy, double bw, gwr_nbrs *s,
                    int compact);

double gwr_gaussian_criterion(agglo_gwr_criterion crit, const double *y, const double *yhat,
                              const double *hat, size_t n, double *tmp);
void gwr_coef_summary(double *v, size_t c, double *tmp, double *cs);

/* gwr_grid.c: the uniform grid over planar coordinates */
int gwr_grid_build(agglo_gwr_model *m, const double *cx, const double *cy, size_t *cell_order);
size_t gwr_disc_ranges(const agglo_gwr_model *m, double qx, double qy, double r,
                       gwr_range *out);
size_t gwr_disc_spans(const agglo_gwr_model *m, double qx, double qy, double r,
                      gwr_row_span *out);
int gwr_knn_init(gwr_knn *st, size_t n);
void gwr_knn_free(gwr_knn *st);
double gwr_select_kth(double *v, size_t n, size_t k);
double gwr_kth_dist2(const agglo_gwr_model *m, double qx, double qy, size_t k, gwr_knn *st);

/* gwr_accum.c: kernel-weighted X'WX and X'Wy over runs of observations */
double gwr_kernel_w2(agglo_gwr_kernel k, double d2, double inv_h2);
size_t gwr_acc_ranges(const agglo_gwr_model *m, const gwr_range *rg, size_t nr, double qx,
                      double qy, double h, double *A, double *b, double *wbuf);

int gwr_acc_glm(agglo_gwr_family fam, size_t p, size_t nn, const double *xs, const double *y,
                const double *off, const double *kw, const double *beta, double *A, double *b,
                double *B, double *wz);

/* gwr_moments.c: large-bandwidth bisquare sums through polynomial moments of grid rows */
int gwr_moments_build(agglo_gwr_model *m);
double gwr_moments_min_bandwidth(const agglo_gwr_model *m);
size_t gwr_acc_moments(const agglo_gwr_model *m, double qx, double qy, double h, double *A,
                       double *b, gwr_row_span *sp, gwr_range *rg, double *wbuf);

/* gwr_search.c: the bandwidth search shared by GWR and MGWR */
typedef struct gwr_trace {
    double *bw, *crit; /* evaluations in the order made */
    size_t n, cap;
} gwr_trace;
typedef int (*gwr_score_fn)(void *ud, double bw, double *score);
int gwr_search_range(agglo_ctx *ctx, const agglo_gwr_options *o, double a, double c,
                     gwr_score_fn score, void *ud, gwr_trace *t, double *best, double *best_score);
void gwr_trace_free(gwr_trace *t);
int gwr_distance_range(agglo_ctx *ctx, const agglo_gwr_model *m, double *dmin, double *dmax);
double gwr_haversine(double lon1, double lat1, double lon2, double lat2);

/* Student t upper tail P(T > t). */
double agglo_gwr_t_upper(double t, double df);

#endif
