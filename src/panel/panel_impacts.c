/* Direct, indirect and total effects of the panel models (short-run: the static models'
 * effects with the N x N W; Elhorst 2014 ch. 3.5, LeSage & Pace 2009): for SAR and SDM the
 * cross-section's machinery (src/regress/impacts.c, exact or trace-based, simulated
 * inference from the estimates' covariance); for SLX and SDEM direct = b, indirect = theta,
 * total = b + theta with their covariance. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "panel_internal.h"

static int alloc_imp(agglo_panel_result *r, size_t m)
{
    double **a[] = {&r->direct, &r->indirect, &r->total, &r->direct_se, &r->indirect_se,
                    &r->total_se, &r->direct_z, &r->indirect_z, &r->total_z, &r->direct_p,
                    &r->indirect_p, &r->total_p};
    for (size_t i = 0; i < 12; i++)
        if (!(*a[i] = calloc(m ? m : 1, sizeof(double))))
            return -1;
    r->impact_names = calloc(m ? m : 1, sizeof(char *));
    return r->impact_names ? 0 : -1;
}

int pn_impacts(pn_work *k, agglo_panel_result *r, const double *cov)
{
    size_t nx = k->p->nx, c = (size_t)k->has_const, q1 = k->q + 1;
    if (r->model == AGGLO_PANEL_SLX || r->model == AGGLO_PANEL_SDEM) {
        if (alloc_imp(r, nx))
            return agglo_error(k->ctx, AGGLO_E_NOMEM, "panel: out of memory");
        r->nimpacts = nx;
        r->impacts_exact = 1;
        for (size_t j = 0; j < nx; j++) {
            size_t b = 1 + c + j, t = 1 + c + nx + j;
            r->impact_names[j] = r->names[b - 1];
            r->direct[j] = r->coef[b - 1];
            r->indirect[j] = r->coef[t - 1];
            r->total[j] = r->direct[j] + r->indirect[j];
            r->direct_se[j] = sqrt(cov[b + b * q1]);
            r->indirect_se[j] = sqrt(cov[t + t * q1]);
            r->total_se[j] = sqrt(cov[b + b * q1] + cov[t + t * q1] + 2 * cov[b + t * q1]);
            double *v[3] = {&r->direct[j], &r->indirect[j], &r->total[j]};
            double *s[3] = {&r->direct_se[j], &r->indirect_se[j], &r->total_se[j]};
            double *z[3] = {&r->direct_z[j], &r->indirect_z[j], &r->total_z[j]};
            double *p[3] = {&r->direct_p[j], &r->indirect_p[j], &r->total_p[j]};
            for (int e = 0; e < 3; e++) {
                *z[e] = *v[e] / *s[e];
                *p[e] = 2 * agglo_pnorm_upper(fabs(*z[e]));
            }
        }
        return AGGLO_OK;
    }
    /* SAR, SDM: the cross-section's impacts with the N x N W */
    agglo_regress_options o = k->opts->reg;
    o.model = r->model == AGGLO_PANEL_SDM ? AGGLO_REG_DURBIN : AGGLO_REG_LAG;
    rg_model m = {k->ctx, k->w, k->N, k->q, NULL, NULL, NULL, NULL, k->ld, &o, !c};
    agglo_regress_result t;
    memset(&t, 0, sizeof t);
    t.k = k->q;
    t.names = r->names;
    t.coef = r->coef;
    t.rho = r->rho;
    t.rho_lower = r->rho_lower;
    t.rho_upper = r->rho_upper;
    int rc = rg_impacts_model(&m, &t, cov);
    r->nimpacts = t.nimpacts;
    r->impact_names = t.impact_names;
    r->impacts_exact = t.impacts_exact;
    r->draws = t.draws;
    r->direct = t.direct;
    r->indirect = t.indirect;
    r->total = t.total;
    r->direct_se = t.direct_se;
    r->indirect_se = t.indirect_se;
    r->total_se = t.total_se;
    r->direct_z = t.direct_z;
    r->indirect_z = t.indirect_z;
    r->total_z = t.total_z;
    r->direct_p = t.direct_p;
    r->indirect_p = t.indirect_p;
    r->total_p = t.total_p;
    return rc;
}
