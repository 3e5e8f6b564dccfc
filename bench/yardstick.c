/*
 * yardstick.c — the least work any exact client-churn Monte Carlo must do, as a bare loop:
 * per client and iteration, one uniform from a fast generator (xoshiro256+), a count of the
 * survival thresholds above it, and weight x cumulative discount factor added up. No input
 * parsing, no parameter draws, no output. bench/run.sh compares bookval's whole run with it.
 *
 * usage: yardstick CLIENTS ITERATIONS YEARS [THREADS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

typedef struct { uint64_t s[4]; } Xoshiro;

static inline double next_uniform(Xoshiro *g)
{
    uint64_t *s = g->s, result = s[0] + s[3], t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return (double)(result >> 11) * 0x1.0p-53;
}

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: yardstick CLIENTS ITERATIONS YEARS [THREADS]\n");
        return 2;
    }
    long n = atol(argv[1]), iterations = atol(argv[2]);
    int years = atoi(argv[3]);
#ifdef _OPENMP
    if (argc > 4)
        omp_set_num_threads(atoi(argv[4]));
#endif
    double *weight = malloc((size_t)n * sizeof *weight);
    double *survival = malloc((size_t)years * sizeof *survival);
    double *cumulative = malloc((size_t)(years + 1) * sizeof *cumulative);
    uint64_t seed = 12345;
    for (long i = 0; i < n; i++)
        weight[i] = 1000 + (double)(splitmix(&seed) >> 40);
    double s = 1, c = 0;
    cumulative[0] = 0;
    for (int t = 0; t < years; t++) {
        s *= 0.88;
        survival[t] = s;
        c += 0.38 / ((double)(t + 1) * 0.12 + 1);
        cumulative[t + 1] = c;
    }
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    double total = 0;
#pragma omp parallel for reduction(+ : total) schedule(static)
    for (long it = 0; it < iterations; it++) {
        uint64_t k = (uint64_t)it * 0x9E3779B97F4A7C15u + 1;
        Xoshiro g = {{splitmix(&k), splitmix(&k), splitmix(&k), splitmix(&k)}};
        double acc = 0;
        for (long i = 0; i < n; i++) {
            double u = next_uniform(&g);
            int alive = 0;
            for (int t = 0; t < years; t++)
                alive += u < survival[t];
            acc += weight[i] * cumulative[alive];
        }
        total += acc;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
    printf("%.4f\t%.6e\n", secs, total / (double)iterations);
    free(weight);
    free(survival);
    free(cumulative);
    return 0;
}
