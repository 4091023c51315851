/* The four detectors over a set of stratifications: factor q per factor, the interaction of
 * every pair (q of the overlaid strata), the risk detector per factor and the ecological
 * detector per pair. */
#include "detect_internal.h"
#include "../core/core_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void agglo_gd_options_init(agglo_gd_options *o)
{
    o->alpha = 0.05;
    o->tol = 1e-10;
}

void agglo_geodetector_free(agglo_geodetector *g)
{
    if (!g)
        return;
    for (size_t f = 0; f < g->nfactors; f++) {
        if (g->names)
            free(g->names[f]);
        if (g->risk)
            detect_risk_free(&g->risk[f]);
        if (g->disc_breaks)
            free(g->disc_breaks[f]);
    }
    free(g->names);
    free(g->risk);
    free(g->factor);
    free(g->disc_method);
    free(g->disc_k);
    free(g->disc_breaks);
    free(g->disc_nbreaks);
    free(g->interaction);
    free(g->ecological);
    free(g);
}

/* The ratio test of the R packages: either q ratio above qf(0.9, N - 1, N - 1). */
static int qratio_flag(double qa, double qb, size_t n)
{
    double df = (double)(n - 1);
    double r1 = qb / qa, r2 = qa / qb;
    return (r1 > 0 && agglo_pf_upper(r1, df, df) < 0.1) ||
           (r2 > 0 && agglo_pf_upper(r2, df, df) < 0.1);
}

static int interaction(agglo_ctx *ctx, const double *y, size_t n, const int *ca, size_t la,
                       const int *cb, size_t lb, agglo_gd_factor *out)
{
    int *c = agglo_malloc(ctx, (n ? n : 1) * sizeof *c);
    if (!c)
        return AGGLO_E_NOMEM;
    /* compact the la x lb overlay to the combinations present */
    int *map = agglo_malloc(ctx, la * lb * sizeof *map);
    if (!map) {
        free(c);
        return AGGLO_E_NOMEM;
    }
    for (size_t k = 0; k < la * lb; k++)
        map[k] = -1;
    int next = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = (size_t)ca[i] * lb + (size_t)cb[i];
        if (map[k] < 0)
            map[k] = next++;
        c[i] = map[k];
    }
    int rc = agglo_gd_factor_detect(ctx, y, c, n, (size_t)next, out);
    free(map);
    free(c);
    return rc;
}

agglo_geodetector *agglo_geodetector_run(agglo_ctx *ctx, const double *y, size_t n,
                                         const int *const *codes, const size_t *nlevels,
                                         const char *const *const *labels,
                                         const char *const *names, size_t nfactors,
                                         const agglo_gd_options *opts)
{
    agglo_gd_options def;
    if (!opts) {
        agglo_gd_options_init(&def);
        opts = &def;
    }
    if (nfactors < 1) {
        agglo_error(ctx, AGGLO_E_USAGE, "geodetector: no factors");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i])) {
            agglo_error(ctx, AGGLO_E_MISSING, "geodetector: y is not finite at row %zu", i + 1);
            return NULL;
        }
    agglo_geodetector *g = agglo_calloc(ctx, 1, sizeof *g);
    if (!g)
        return NULL;
    size_t np = nfactors * (nfactors - 1) / 2;
    g->n = n;
    g->nfactors = nfactors;
    g->npairs = np;
    g->names = agglo_calloc(ctx, nfactors, sizeof *g->names);
    g->factor = agglo_calloc(ctx, nfactors, sizeof *g->factor);
    g->risk = agglo_calloc(ctx, nfactors, sizeof *g->risk);
    g->disc_method = agglo_malloc(ctx, nfactors * sizeof *g->disc_method);
    g->disc_k = agglo_calloc(ctx, nfactors, sizeof *g->disc_k);
    g->disc_breaks = agglo_calloc(ctx, nfactors, sizeof *g->disc_breaks);
    g->disc_nbreaks = agglo_calloc(ctx, nfactors, sizeof *g->disc_nbreaks);
    g->interaction = agglo_calloc(ctx, np ? np : 1, sizeof *g->interaction);
    g->ecological = agglo_calloc(ctx, np ? np : 1, sizeof *g->ecological);
    if (!g->names || !g->factor || !g->risk || !g->disc_method || !g->disc_k ||
        !g->disc_breaks || !g->disc_nbreaks || !g->interaction || !g->ecological)
        goto fail;
    for (size_t f = 0; f < nfactors; f++) {
        g->disc_method[f] = -1;
        if (!(g->names[f] = agglo_strdup(ctx, names[f])))
            goto fail;
        if (nlevels[f] < 2) {
            agglo_error(ctx, AGGLO_E_FIELD, "geodetector: factor %s has fewer than 2 strata",
                        names[f]);
            goto fail;
        }
        if (agglo_gd_factor_detect(ctx, y, codes[f], n, nlevels[f], &g->factor[f]))
            goto fail;
        if (detect_risk(ctx, y, codes[f], n, nlevels[f], labels[f], opts->alpha, &g->risk[f]))
            goto fail;
    }
    size_t k = 0;
    for (size_t a = 0; a < nfactors; a++)
        for (size_t b = a + 1; b < nfactors; b++, k++) {
            agglo_gd_factor fab;
            if (interaction(ctx, y, n, codes[a], nlevels[a], codes[b], nlevels[b], &fab)) {
                if (!agglo_ctx_errcode(ctx))
                    agglo_error(ctx, AGGLO_E_NOMEM, "out of memory");
                goto fail;
            }
            agglo_gd_interaction *it = &g->interaction[k];
            it->a = a;
            it->b = b;
            it->q_ab = fab.q;
            it->p_ab = fab.p;
            it->cls = agglo_gd_interaction_classify(fab.q, g->factor[a].q, g->factor[b].q,
                                                    opts->tol);
            agglo_gd_ecological *e = &g->ecological[k];
            e->a = a;
            e->b = b;
            double sa = g->factor[a].ssw, sb = g->factor[b].ssw, df = (double)(n - 1);
            e->F = sa / sb;
            double big = sa >= sb ? sa / sb : sb / sa;
            e->p = (sa == 0 && sb == 0) ? 1 : agglo_pf_upper(big, df, df);
            e->sig = e->p < opts->alpha;
            e->qratio_sig = qratio_flag(g->factor[a].q, g->factor[b].q, n);
        }
    return g;
fail:
    agglo_geodetector_free(g);
    return NULL;
}
