#include "agglo/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void agglo_rng_init(agglo_rng *rng, uint64_t seed, uint64_t stream)
{
    /* Mix seed and stream so that neighbouring (seed, stream) pairs give unrelated states. */
    uint64_t key = seed;
    uint64_t k1 = splitmix64(&key);
    uint64_t x = k1 ^ (stream * 0xd1b54a32d192ed03ULL + 0x8cb92ba72f3d8dd7ULL);
    (void)splitmix64(&x);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
    if (!(rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]))
        rng->s[0] = 1;
}

double agglo_rng_uniform(agglo_rng *rng) { return (double)(agglo_rng_next(rng) >> 11) * 0x1.0p-53; }

double agglo_rng_normal(agglo_rng *rng)
{
    double u, v, s;
    do {
        u = 2.0 * agglo_rng_uniform(rng) - 1.0;
        v = 2.0 * agglo_rng_uniform(rng) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}
