/* agglo rng: reproducible random streams.
 * A stream is keyed by (seed, stream id): permutation p or observation i gets its own stream,
 * so results are identical for the same seed whatever the number of threads or ranks.
 * Generator: xoshiro256** (Blackman & Vigna 2018) with its state derived from (seed, stream)
 * by SplitMix64, which makes each (seed, stream) pair an independent counter-keyed start. */
#ifndef AGGLO_RNG_H
#define AGGLO_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct agglo_rng {
    uint64_t s[4];
} agglo_rng;

void agglo_rng_init(agglo_rng *rng, uint64_t seed, uint64_t stream);

/* Next 64 random bits. Inline: permutation loops draw ~1e8 numbers and must not pay a call
 * per draw. */
static inline uint64_t agglo_rng_next(agglo_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t x = s[1] * 5;
    const uint64_t result = ((x << 7) | (x >> 57)) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform double in [0, 1). */
double agglo_rng_uniform(agglo_rng *rng);
/* Uniform integer in [0, bound) without modulo bias (Lemire, "Fast random integer
 * generation in an interval", ACM TOMACS 2019). bound > 0. */
static inline uint32_t agglo_rng_below(agglo_rng *rng, uint32_t bound)
{
    uint64_t m = (uint64_t)(uint32_t)(agglo_rng_next(rng) >> 32) * bound;
    uint32_t l = (uint32_t)m;
    if (l < bound) {
        uint32_t t = (uint32_t)(-bound) % bound;
        while (l < t) {
            m = (uint64_t)(uint32_t)(agglo_rng_next(rng) >> 32) * bound;
            l = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}
/* Standard normal deviate (polar Box-Muller; one value per call). */
double agglo_rng_normal(agglo_rng *rng);

#ifdef __cplusplus
}
#endif
#endif
