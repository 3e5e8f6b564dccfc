/*
 * test_sampler_streams.c — how src/sampler.c lays out its draws: Latin hypercube sampling's
 * strata (one draw per stratum [k/N, (k+1)/N) through a keyed Feistel permutation, and the
 * smaller spread of the mean it gives), draws that depend only on the seed and the iteration,
 * and the counter-based uniforms of src/rng.h staying inside (0, 1) at the mixer's extreme
 * outputs, where an unbounded distribution's quantile would be infinite.
 *
 * References: stratum counts and bit-for-bit equality need no arithmetic; the spread's
 * variance is worked by hand at its test; the extreme keys are built by inverting rng.h's
 * mixer and sampler.c's Feistel network (each inverse written out below).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "sampler_support.h"

#include "rng.h"

/* ---- Latin hypercube strata ---- */

/* Each input's uniforms over N iterations fall one per stratum [k/N, (k+1)/N). With a
 * uniform(0, 1) input the draw is the uniform itself. */
static void check_strata(long n, uint64_t seed, size_t inputs)
{
    Fixture *f = fixture_new(SAMPLING_LATIN_HYPERCUBE);
    for (size_t i = 0; i < inputs; i++)
        fixture_add(f, i ? "other" : "u", uniform(0, 1));
    Sampler *s = fixture_sampler(f, n, seed);
    unsigned char *hit = calloc((size_t)n * inputs, 1);
    assert_non_null(hit);
    double x[MAX_INPUTS], scratch[MAX_INPUTS];
    bool in_order = true;
    for (long it = 0; it < n; it++) {
        assert_true(sampler_draw(s, it, x, scratch));
        for (size_t i = 0; i < inputs; i++) {
            double k = floor(x[i] * (double)n);
            if (!(x[i] > 0 && x[i] < 1 && k >= 0 && k < (double)n))
                fail_msg("N = %ld, seed %llu: iteration %ld drew %.17g", n,
                         (unsigned long long)seed, it, x[i]);
            long stratum = (long)k;
            if (!(x[i] >= (double)stratum / (double)n && x[i] < (double)(stratum + 1) / (double)n))
                fail_msg("N = %ld: %.17g is not inside stratum %ld", n, x[i], stratum);
            if (hit[(size_t)stratum * inputs + i]++)
                fail_msg("N = %ld, seed %llu, input %zu: stratum %ld drawn twice (again at "
                         "iteration %ld)",
                         n, (unsigned long long)seed, i, stratum, it);
            in_order &= stratum == it;
        }
    }
    /* N draws, no stratum twice: each stratum exactly once. Strata are visited in a shuffled
     * order (the identity has probability 1/N!). */
    if (n >= 10 && in_order)
        fail_msg("N = %ld: strata drawn in iteration order, not permuted", n);
    free(hit);
    sampler_free(s);
    free(f);
}

static void test_latin_strata(void **state)
{
    (void)state;
    check_strata(1000, 42, 3);
    check_strata(1037, 42, 3);
    check_strata(1037, 9007199254740992ULL, 2);
    /* Two inputs of one sampler do not share a permutation (the uniforms inside the strata
     * differ anyway; the strata order must too). */
    Fixture *f = fixture_new(SAMPLING_LATIN_HYPERCUBE);
    fixture_add(f, "a", uniform(0, 1));
    fixture_add(f, "b", uniform(0, 1));
    Sampler *s = fixture_sampler(f, 1037, 5);
    double *x = draw_all(s, 2, 1037);
    size_t same = 0;
    for (size_t it = 0; it < 1037; it++)
        same += floor(x[it] * 1037) == floor(x[1037 + it] * 1037);
    assert_true(same < 20);
    assert_true(fabs(spearman(x, x + 1037, 1037)) < 4 / sqrt(1037.0));
    free(x);
    sampler_free(s);
    free(f);
}

/* The keyed Feistel permutation is a bijection of [0, n) for every n = 1..3000 (through the
 * strata it assigns), for two seeds. */
static void test_feistel_bijection(void **state)
{
    (void)state;
    for (long n = 1; n <= 3000; n++)
        check_strata(n, 7, 1);
    for (long n = 1; n <= 600; n++)
        check_strata(n, 1234567890123ULL, 1);
}

/* For a monotone function of the inputs, the spread of the mean over seeds falls far below
 * random sampling's: here f = exp(3 u1) + 2 u2 with u ~ uniform(0, 1), N = 500, 40 seeds.
 * Var f = (e^6 - 1)/6 - ((e^3 - 1)/3)^2 + 4/12. */
static void test_latin_reduces_spread(void **state)
{
    (void)state;
    const long n = 500;
    const int seeds = 40;
    double var_f = (exp(6.0) - 1) / 6 - pow((exp(3.0) - 1) / 3, 2) + 4.0 / 12;
    double expected_mean = (exp(3.0) - 1) / 3 + 1;
    double spread[2];
    for (int latin = 0; latin < 2; latin++) {
        double means[40];
        for (int k = 0; k < seeds; k++) {
            Fixture *f = fixture_new(latin ? SAMPLING_LATIN_HYPERCUBE : SAMPLING_RANDOM);
            fixture_add(f, "u1", uniform(0, 1));
            fixture_add(f, "u2", uniform(0, 1));
            Sampler *s = fixture_sampler(f, n, (uint64_t)(1000 + 17 * k));
            double *x = draw_all(s, 2, n);
            double sum = 0;
            for (long i = 0; i < n; i++)
                sum += exp(3 * x[i]) + 2 * x[n + i];
            means[k] = sum / (double)n;
            free(x);
            sampler_free(s);
            free(f);
        }
        Moments m = moments(means, (size_t)seeds);
        spread[latin] = sqrt(m.var);
        assert_true(fabs(m.mean - expected_mean) < 5 * sqrt(var_f / (double)n / seeds));
    }
    double se = sqrt(var_f / (double)n);
    /* Random: the spread is the standard error (a 39-df chi estimate: within [0.6, 1.45] but
     * for 1e-4 of seeds). Latin: under a tenth of it. */
    if (!(spread[0] > 0.6 * se && spread[0] < 1.45 * se))
        fail_msg("random sampling's spread of means %.5g, expected about %.5g", spread[0], se);
    if (!(spread[1] < 0.1 * spread[0]))
        fail_msg("Latin hypercube spread %.5g is not well below random's %.5g", spread[1],
                 spread[0]);
}


/* ---- reproducibility ---- */

static void test_draws_depend_only_on_seed_and_iteration(void **state)
{
    (void)state;
    for (int latin = 0; latin < 2; latin++) {
        Fixture *f = three_inputs();
        f->sc.monte_carlo.sampling = latin ? SAMPLING_LATIN_HYPERCUBE : SAMPLING_RANDOM;
        fixture_correlate(f, "discount_rate", "margin", -0.35, 3);
        const long n = 3000;
        Sampler *s1 = fixture_sampler(f, n, 424242), *s2 = fixture_sampler(f, n, 424242);
        Sampler *s3 = fixture_sampler(f, n, 424243);
        double *forward = draw_all(s1, 3, n);
        double x[MAX_INPUTS], z[MAX_INPUTS], y[MAX_INPUTS];
        size_t differ = 0;
        /* Backwards, on another sampler with the same seed: the same numbers, bit for bit. */
        for (long it = n - 1; it >= 0; it--) {
            assert_true(sampler_draw(s2, it, x, z));
            assert_true(sampler_draw(s3, it, y, z));
            for (size_t i = 0; i < 3; i++) {
                if (x[i] != forward[i * (size_t)n + (size_t)it])
                    fail_msg("iteration %ld input %zu: %.17g then %.17g", it, i,
                             forward[i * (size_t)n + (size_t)it], x[i]);
                differ += y[i] != x[i];
            }
        }
        /* Another seed draws other numbers. */
        assert_true(differ > 3 * (size_t)n - 10);
        free(forward);
        sampler_free(s1);
        sampler_free(s2);
        sampler_free(s3);
        free(f);
    }
}

/* ---- the uniforms' open interval ---- */

#define C1 UINT64_C(0xBF58476D1CE4E5B9)
#define C2 UINT64_C(0x94D049BB133111EB)

static uint64_t unxorshift(uint64_t z, unsigned s)
{
    uint64_t x = z;
    for (unsigned i = 0; i < 64 / s + 1; i++)
        x = z ^ (x >> s);
    return x;
}

static uint64_t inverse_odd(uint64_t a)
{
    uint64_t x = a; /* correct to 3 bits; Newton doubles them */
    for (int i = 0; i < 6; i++)
        x *= 2 - a * x;
    return x;
}

/* The inverse of SplitMix64's finaliser (rng_mix), to build keys that give chosen outputs. */
static uint64_t unmix(uint64_t z)
{
    z = unxorshift(z, 31);
    z *= inverse_odd(C2);
    z = unxorshift(z, 27);
    z *= inverse_odd(C1);
    return unxorshift(z, 30);
}

/*
 * rng.h: rng_uniform is "in (0, 1): never 0 nor 1, so inverse CDFs stay finite". Check it at
 * the extreme outputs of the mixer: keys whose mixed value has all 53 top bits set (and, at
 * the other end, clear), every low-bit pattern.
 */
static void test_uniform_open_interval(void **state)
{
    (void)state;
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t z = rng_mix(i * UINT64_C(0x2545F4914F6CDD1D) + 17);
        assert_true(rng_mix(unmix(z)) == z && unmix(rng_mix(z)) == z);
    }
    for (uint64_t low = 0; low < 2048; low++) {
        uint64_t top = (((UINT64_C(1) << 53) - 1) << 11) | low, bottom = low;
        uint64_t key_top = unmix(top) - RNG_GAMMA, key_bottom = unmix(bottom) - RNG_GAMMA;
        assert_true(rng_mix(key_top + RNG_GAMMA) == top);
        double u1 = rng_uniform(key_top, 0), u0 = rng_uniform(key_bottom, 0);
        if (!(u1 > 0 && u1 < 1))
            fail_msg("rng_uniform gives %.17g when the mixed value is 0x%016llx", u1,
                     (unsigned long long)top);
        if (!(u0 > 0 && u0 < 1))
            fail_msg("rng_uniform gives %.17g when the mixed value is 0x%016llx", u0,
                     (unsigned long long)bottom);
    }
}

/*
 * The same at the sampler: seed 8028757036411618 (a valid scenario seed, <= 2^53) gives
 * iteration 0's first input the key whose mixed value has every top bit set. (Found by
 * inverting the key derivation of rng.h: seed = unmix(unmix(unmix(T) - G) - G) ^
 * rng_mix(0 * G + 1) for T = (2^53 - 1) << 11 | low, keeping the seeds <= 2^53.) A lognormal
 * input must still draw a finite number; an infinite one makes `bookval run` fail with
 * "a distribution's quantile function failed" (tests/e2e/test_montecarlo.py shows it).
 */
static void test_sampler_draw_finite_at_extreme_key(void **state)
{
    (void)state;
    const uint64_t seed = UINT64_C(8028757036411618);
    uint64_t key = rng_key(seed, 0, 1);
    if ((rng_mix(key + RNG_GAMMA) >> 11) != (UINT64_C(1) << 53) - 1) {
        print_message("rng_key changed; the crafted seed no longer reaches the extreme key\n");
        skip();
    }
    Fixture *f = fixture_new(SAMPLING_RANDOM);
    fixture_add(f, "discount_rate", lognormal(0.1175, 0.0215));
    fixture_add(f, "margin", normal(0.392, 0.047, -INFINITY, INFINITY));
    Sampler *s = fixture_sampler(f, 10, seed);
    double x[MAX_INPUTS], z[MAX_INPUTS];
    bool ok = sampler_draw(s, 0, x, z);
    if (!ok || !isfinite(x[0]))
        fail_msg("seed %llu, iteration 0: sampler_draw %s, lognormal draw %.17g",
                 (unsigned long long)seed, ok ? "succeeded" : "failed", x[0]);
    sampler_free(s);
    free(f);
}

/*
 * Latin hypercube: the top stratum's uniform is (N - 1 + u) / N; when u lies within half an
 * ulp of N - 1 below 1, N - 1 + u rounds to N and the draw is exactly 1 (an infinite quantile
 * for an unbounded distribution). The chance is about N 2^-54 per input per run; with N = 2^40
 * (sampler_new takes any long) it is 2^-14, so a seed is found in a few thousand tries.
 * Finding the iteration that lands in the top stratum repeats the Feistel network of
 * sampler.c (4 rounds, round key rng_mix(key ^ (right + r G))); should that network change, the
 * iteration found no longer lands there and the test skips rather than fails.
 */
static uint64_t feistel_inverse(uint64_t key, unsigned bits, uint64_t y)
{
    unsigned half = bits / 2;
    uint64_t mask = (UINT64_C(1) << half) - 1, left = y >> half, right = y & mask;
    for (unsigned r = 4; r-- > 0;) {
        uint64_t prev_right = left;
        uint64_t prev_left = right ^ (rng_mix(key ^ (prev_right + (uint64_t)r * RNG_GAMMA)) & mask);
        left = prev_left;
        right = prev_right;
    }
    return (left << half) | right;
}

static void test_latin_top_stratum_below_one(void **state)
{
    (void)state;
    const long n = 1L << 40;
    uint64_t seed = 0, it = 0;
    bool found = false;
    for (uint64_t s = 1; s < 2000000 && !found; s++) {
        uint64_t key = rng_mix(s + 1 * RNG_GAMMA);
        uint64_t i = feistel_inverse(key, 40, (uint64_t)n - 1);
        double u = rng_uniform(rng_key(s, i, 1), 0);
        if ((double)(n - 1) + u == (double)n) {
            seed = s;
            it = i;
            found = true;
        }
    }
    assert_true(found);
    Fixture *f = fixture_new(SAMPLING_LATIN_HYPERCUBE);
    fixture_add(f, "margin", uniform(0, 1));
    Sampler *s = fixture_sampler(f, n, seed);
    double x[MAX_INPUTS], z[MAX_INPUTS];
    bool ok = sampler_draw(s, (long)it, x, z);
    sampler_free(s);
    free(f);
    if (ok && x[0] < 1 && floor(x[0] * (double)n) != (double)(n - 1)) {
        print_message("the Feistel network changed; iteration %llu is not in the top stratum\n",
                      (unsigned long long)it);
        skip();
    }
    if (!(ok && x[0] < 1))
        fail_msg("Latin hypercube, N = 2^40, seed %llu, iteration %llu: the top stratum's "
                 "uniform is %.17g, not below 1",
                 (unsigned long long)seed, (unsigned long long)it, x[0]);
    /* The same draw through an unbounded quantile must be finite. */
    f = fixture_new(SAMPLING_LATIN_HYPERCUBE);
    fixture_add(f, "margin", lognormal(0.0745, 0.0315));
    s = fixture_sampler(f, n, seed);
    ok = sampler_draw(s, (long)it, x, z);
    sampler_free(s);
    free(f);
    assert_true(ok && isfinite(x[0]));
}


int main(int argc, char **argv)
{
    /* [PATTERN]: run only the tests whose names match the glob ('test_latin*'). */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_latin_strata),
        cmocka_unit_test(test_feistel_bijection),
        cmocka_unit_test(test_latin_reduces_spread),
        cmocka_unit_test(test_draws_depend_only_on_seed_and_iteration),
        cmocka_unit_test(test_uniform_open_interval),
        cmocka_unit_test(test_sampler_draw_finite_at_extreme_key),
        cmocka_unit_test(test_latin_top_stratum_below_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
