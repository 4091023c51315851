/* The within transformation (Elhorst 2014, ch. 3.2; Baltagi 2005, ch. 3): region effects
 * subtract each region's mean over the periods, time effects each period's mean over the
 * regions, two-way effects both and add back the grand mean. Observation o = t N + i. */
#include "panel_internal.h"

void pn_demean(double *v, size_t N, size_t T, agglo_panel_effects eff, double *work)
{
    if (eff == AGGLO_PANEL_POOLED || eff == AGGLO_PANEL_RANDOM)
        return;
    double grand = 0;
    if (eff == AGGLO_PANEL_TWOWAYS) {
        for (size_t o = 0; o < N * T; o++)
            grand += v[o];
        grand /= (double)(N * T);
    }
    double *ri = NULL;
    if (eff != AGGLO_PANEL_TIME) {
        ri = work;
        for (size_t i = 0; i < N; i++)
            ri[i] = 0;
        for (size_t t = 0; t < T; t++)
            for (size_t i = 0; i < N; i++)
                ri[i] += v[t * N + i];
        for (size_t i = 0; i < N; i++)
            ri[i] /= (double)T;
    }
    for (size_t t = 0; t < T; t++) {
        double tm = 0;
        if (eff != AGGLO_PANEL_INDIVIDUAL) {
            for (size_t i = 0; i < N; i++)
                tm += v[t * N + i];
            tm /= (double)N;
        }
        for (size_t i = 0; i < N; i++)
            v[t * N + i] -= (ri ? ri[i] : 0) + tm - grand;
    }
}

void pn_lag(const agglo_weights *w, const double *v, size_t N, size_t T, double *out)
{
    for (size_t t = 0; t < T; t++)
        agglo_weights_lag(w, v + t * N, out + t * N);
}
