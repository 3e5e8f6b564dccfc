/*
 * rng.h — counter-based uniforms for the Monte Carlo.
 *
 * Every random number is a pure function of (seed, iteration, stream, index): SplitMix64's
 * output function applied to its state seed + (index+1) x golden gamma, with the state key
 * itself derived by hashing. So a result never depends on threads or on how iterations are
 * split among workers, and a client's draw costs a handful of integer operations (DESIGN §6).
 * SplitMix64 (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", 2014)
 * passes BigCrush; GSL offers no counter-based generator, hence these few lines.
 */
#ifndef BOOKVAL_RNG_H
#define BOOKVAL_RNG_H

#include <stdint.h>

#define RNG_GAMMA UINT64_C(0x9E3779B97F4A7C15)

/* SplitMix64's finaliser: a bijective 64-bit mix. */
static inline uint64_t rng_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A stream key for (seed, iteration, stream): stream 0 the clients, 1.. the inputs. */
static inline uint64_t rng_key(uint64_t seed, uint64_t iteration, uint64_t stream)
{
    return rng_mix(rng_mix(seed ^ rng_mix(iteration * RNG_GAMMA + 1)) + stream * RNG_GAMMA);
}

/* The index-th uniform of a stream, in (0, 1): never 0 nor 1, so inverse CDFs stay finite.
 * 52 bits plus a half: the largest value, 1 - 2^-53, is exact (53 bits would round to 1). */
static inline double rng_uniform(uint64_t key, uint64_t index)
{
    uint64_t z = rng_mix(key + (index + 1) * RNG_GAMMA);
    return ((double)(z >> 12) + 0.5) * 0x1.0p-52;
}

/* The index-th draw as 53 uniform bits: bits < ceil(p 2^53) has probability p to within
 * 2^-53, and needs no conversion to floating point in a hot loop. */
static inline uint64_t rng_bits53(uint64_t key, uint64_t index)
{
    return rng_mix(key + (index + 1) * RNG_GAMMA) >> 11;
}

#endif
