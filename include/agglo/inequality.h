/* agglo inequality: Dagum (1997)'s Gini decomposition by groups and the Theil index with its
 * within/between decomposition, per period of a panel. */
#ifndef AGGLO_INEQUALITY_H
#define AGGLO_INEQUALITY_H

#include "agglo/core.h"
#include "agglo/table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One period. Groups keep the order of the labels given (sorted group values for the table
 * driver). With p_j = n_j / n and s_j = n_j m_j / (n m):
 *   G    = sum_j sum_h sum_i sum_r |y_ji - y_hr| / (2 n^2 m)
 *   G_jj = sum_i sum_r |y_ji - y_jr| / (2 n_j^2 m_j),  G_w = sum_j G_jj p_j s_j
 *   G_jh = sum_i sum_r |y_ji - y_hr| / (n_j n_h (m_j + m_h))
 *   D_jh = (d_jh - p_jh) / (d_jh + p_jh), d_jh the mean positive difference of the group with
 *          the larger mean over the other, p_jh the reverse (relative economic affluence)
 *   G_nb = sum_{j<h} G_jh (p_j s_h + p_h s_j) D_jh,  G_t = sum_{j<h} G_jh (p_j s_h + p_h s_j) (1 - D_jh)
 * so that G = G_w + G_nb + G_t. Theil T = (1/n) sum (y/m) ln(y/m) = T_w + T_b with
 * T_w = sum_j s_j T_j, T_b = sum_j s_j ln(m_j / m) (y must be > 0 for Theil; NaN otherwise). */
typedef struct agglo_dagum {
    char *period;       /* time value (NULL without --time) */
    size_t n, ngroups;
    char **groups;
    size_t *count;
    double *mean;
    double mean_all;
    double G, Gw, Gnb, Gt;
    double *Gjj;        /* ngroups */
    double *Gjh, *Djh;  /* ngroups x ngroups, row-major, symmetric; diagonal Gjj / NaN */
    double theil, theil_within, theil_between;
} agglo_dagum;

/* One period from values and group codes 0..ngroups-1 (labels copied). */
agglo_dagum *agglo_dagum_compute(agglo_ctx *ctx, const double *y, const int *group, size_t n,
                                 const char *const *labels, size_t ngroups);

/* From a table: value field (or expression), group field, optional time field; one result per
 * period (sorted time values). NULLs refused naming rows, or dropped when drop_missing. */
agglo_dagum **agglo_dagum_table(agglo_ctx *ctx, const agglo_table *t, const char *source,
                                const char *var, const char *group, const char *time,
                                int drop_missing, size_t *nperiods);

void agglo_dagum_free(agglo_dagum *d);
void agglo_dagum_free_all(agglo_dagum **d, size_t n);

#ifdef __cplusplus
}
#endif
#endif
