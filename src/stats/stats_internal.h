/* Internal helpers of the statistics module (not installed). */
#ifndef AGGLO_STATS_INTERNAL_H
#define AGGLO_STATS_INTERNAL_H

#include <math.h>
#include <stdint.h>
#include "agglo/rng.h"

/* Draws use the inline agglo_rng_next / agglo_rng_below of include/agglo/rng.h. */

/* Two bounded draws from one 64-bit output (upper half first), Lemire's method on each
 * 32-bit half with exact rejection. */
typedef struct st_pair {
    agglo_rng r;
    uint64_t cache;
    int have;
} st_pair;

static inline uint32_t st_u32(st_pair *g)
{
    if (g->have) {
        g->have = 0;
        return (uint32_t)g->cache;
    }
    g->cache = agglo_rng_next(&g->r);
    g->have = 1;
    return (uint32_t)(g->cache >> 32);
}

static inline uint32_t st_below32(st_pair *g, uint32_t bound)
{
    uint64_t m = (uint64_t)st_u32(g) * bound;
    uint32_t l = (uint32_t)m;
    if (l < bound) {
        uint32_t t = (uint32_t)(-bound) % bound;
        while (l < t) {
            m = (uint64_t)st_u32(g) * bound;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

/* Lemire's bounded value from a given 32-bit draw u, redrawing from g only on rejection. */
static inline uint32_t st_bounded(st_pair *g, uint32_t u, uint32_t bound)
{
    uint64_t m = (uint64_t)u * bound;
    uint32_t l = (uint32_t)m;
    if (l < bound) {
        uint32_t t = (uint32_t)(-bound) % bound;
        while (l < t) {
            m = (uint64_t)(uint32_t)(agglo_rng_next(&g->r) >> 32) * bound;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

static inline void st_pair_init(st_pair *g, uint64_t seed, uint64_t stream)
{
    agglo_rng_init(&g->r, seed, stream);
    g->have = 0;
    g->cache = 0;
}

/* Upper-tail standard normal probability P(Z > z). */
static inline double st_pnorm_upper(double z) { return 0.5 * erfc(z / M_SQRT2); }

/* p-value of a z statistic for an alternative (0 two-sided, 1 greater, 2 less). */
static inline double st_pvalue(double z, int alternative)
{
    if (isnan(z))
        return NAN;
    if (alternative == 1)
        return st_pnorm_upper(z);
    if (alternative == 2)
        return st_pnorm_upper(-z);
    return 2.0 * st_pnorm_upper(fabs(z));
}

#endif
