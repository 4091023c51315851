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
uint64_t agglo_rng_next(agglo_rng *rng);
/* Uniform double in [0, 1). */
double agglo_rng_uniform(agglo_rng *rng);
/* Uniform integer in [0, bound) without modulo bias (Lemire 2019). bound > 0. */
uint32_t agglo_rng_below(agglo_rng *rng, uint32_t bound);
/* Standard normal deviate (polar Box-Muller; one value per call). */
double agglo_rng_normal(agglo_rng *rng);

#ifdef __cplusplus
}
#endif
#endif
