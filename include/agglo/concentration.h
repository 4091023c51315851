/* agglo concentration: how concentrated an activity (shops, firms, employment) is across
 * regions relative to a base (population, area, all firms).
 *
 * With e_i the activity count and b_i the base of region i, s_i = e_i / E and
 * x_i = b_i / B (E, B the totals):
 *   location quotient    LQ_i = s_i / x_i
 *   locational Gini      Krugman (1991): regions ranked by LQ, Lorenz curve of cumulative
 *                        activity share (Y) against cumulative base share (X);
 *                        G = 1 - sum_k (X_k - X_{k-1}) (Y_k + Y_{k-1})
 *   raw concentration    G_EG = sum_i (s_i - x_i)^2 (Ellison & Glaeser's G, the "spatial
 *                        Gini" of many applied papers)
 *   HHI                  sum_i s_i^2 (and normalised (HHI - 1/n) / (1 - 1/n))
 *   CR_k                 sum of the k largest s_i
 *   Theil                T = sum_i s_i ln(s_i / x_i) (0 when s_i = x_i for all i); entropy
 *                        -sum_i s_i ln s_i
 *   Ellison-Glaeser      gamma = (G_EG - (1 - sum x_i^2) H) / ((1 - sum x_i^2)(1 - H)),
 *                        H = sum_j z_j^2 over plants (shops) j with size shares z_j; the s_i
 *                        then come from the plants' sizes per region.
 * Ellison, G. and Glaeser, E. (1997), J. Political Economy 105(5), 889-927.
 * Krugman, P. (1991), Geography and Trade, MIT Press, appendix D. */
#ifndef AGGLO_CONCENTRATION_H
#define AGGLO_CONCENTRATION_H

#include "agglo/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_concentration {
    size_t n;                   /* regions */
    double total_count, total_base;
    double *share_count;        /* s_i (n) */
    double *share_base;         /* x_i (n) */
    double *lq;                 /* LQ_i (n); NaN where the base is 0 */
    double gini;                /* locational Gini (Krugman) */
    double g_raw;               /* sum (s_i - x_i)^2 */
    double hhi, hhi_normalised;
    int cr_k;
    double cr;                  /* CR_k */
    double theil, entropy;
    /* Ellison-Glaeser */
    int eg_from_plants;         /* 1: plant sizes given; 0: unit-size plants from the counts */
    size_t eg_plants;
    double eg_G, eg_H, eg_sum_x2, eg_gamma;
} agglo_concentration;

/* count and base: n non-negative finite values each (totals must be positive); cr_k >= 1
 * (clamped to n). Computes everything, with Ellison-Glaeser from unit-size plants (one
 * plant per counted unit: H = 1 / E, needs integer counts, else NaN). `source` names the
 * input in messages. */
agglo_concentration *agglo_concentration_compute(agglo_ctx *ctx, const double *count,
                                                 const double *base, size_t n, int cr_k,
                                                 const char *source);

/* Recomputes the Ellison-Glaeser index from plant (shop) sizes: plant j of size size[j] lies
 * in region region[j] (0..n-1; -1 = outside every region, left out with a warning). s_i are
 * the plants' size shares per region. */
int agglo_concentration_eg(agglo_ctx *ctx, agglo_concentration *c, const double *size,
                           const long *region, size_t nplants, const char *source);

void agglo_concentration_free(agglo_concentration *c);

#ifdef __cplusplus
}
#endif
#endif
