/*
 * sampler_support.h — what the sampler's unit tests (tests/unit/test_sampler_*.c) share: a
 * hand-made book whose uncertain inputs and correlations each test chooses (the sampler reads
 * only the book's inputs, the scenario's sampling and its correlations), the distributions by
 * their parameters, and sample statistics (moments, ranks, Pearson and Spearman correlations).
 * Header-only (static inline functions), so each test stays one executable.
 */
#ifndef BOOKVAL_SAMPLER_SUPPORT_H
#define BOOKVAL_SAMPLER_SUPPORT_H

#include <stdint.h>
#include <stdlib.h>

#include "unit_support.h"

#include "book.h"
#include "dist.h"
#include "sampler.h"
#include "scenario.h"

#define MAX_INPUTS 16

/* ---- fixtures: a book whose inputs the test chooses ---- */

typedef struct Fixture {
    Scenario sc;
    Book book;
    UncertainInput inputs[MAX_INPUTS];
    Dist dist[MAX_INPUTS];
    Correlation cor[MAX_INPUTS];
} Fixture;

static inline Fixture *fixture_new(Sampling sampling)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->sc.monte_carlo.sampling = sampling;
    f->sc.correlations = f->cor;
    f->book.scenario = &f->sc;
    f->book.inputs = f->inputs;
    f->book.discount_input = -1;
    return f;
}

static inline size_t fixture_add(Fixture *f, const char *path, Dist d)
{
    size_t i = f->book.input_count++;
    assert_true(i < MAX_INPUTS);
    f->dist[i] = d;
    snprintf(f->inputs[i].path, sizeof f->inputs[i].path, "%s", path);
    f->inputs[i].dist = &f->dist[i];
    return i;
}

/* A correlation written at corr.yaml:line:7. */
static inline void fixture_correlate(Fixture *f, const char *a, const char *b, double rank,
                                     int line)
{
    Correlation *c = &f->cor[f->sc.correlation_count++];
    c->a = a;
    c->b = b;
    c->rank = rank;
    c->mark = (Mark){"corr.yaml", line, 7};
}

static inline Sampler *fixture_sampler(Fixture *f, long iterations, uint64_t seed)
{
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    bv_errors_init(errors);
    Sampler *s = NULL;
    BvStatus status = sampler_new(&f->book, iterations, seed, &s, errors);
    if (status != BV_OK) {
        unit_dump_errors(errors);
        fail_msg("sampler_new failed with status %d", (int)status);
    }
    assert_non_null(s);
    free(errors);
    return s;
}

/* Every input for iterations 0..n-1: out[i * n + it]. */
static inline double *draw_all(const Sampler *s, size_t k, long n)
{
    double *out = malloc((size_t)n * k * sizeof *out);
    double x[MAX_INPUTS], scratch[MAX_INPUTS];
    assert_non_null(out);
    for (long it = 0; it < n; it++) {
        if (!sampler_draw(s, it, x, scratch))
            fail_msg("sampler_draw failed at iteration %ld", it);
        for (size_t i = 0; i < k; i++)
            out[i * (size_t)n + (size_t)it] = x[i];
    }
    return out;
}

static inline Dist uniform(double lo, double hi)
{
    return (Dist){.kind = DIST_UNIFORM, .min = lo, .max = hi};
}

static inline Dist three_point(DistKind kind, double lo, double mode, double hi)
{
    return (Dist){.kind = kind, .min = lo, .mode = mode, .max = hi};
}

static inline Dist normal(double mean, double sd, double lo, double hi)
{
    return (Dist){.kind = DIST_NORMAL, .mean = mean, .sd = sd, .min = lo, .max = hi};
}

static inline Dist lognormal(double mean, double sd)
{
    return (Dist){.kind = DIST_LOGNORMAL, .mean = mean, .sd = sd};
}

static inline Dist beta_shape(double a, double b)
{
    return (Dist){.kind = DIST_BETA, .alpha = a, .beta = b};
}

static inline Dist beta_moments(double mean, double sd)
{
    Dist d = {.kind = DIST_BETA};
    char why[200] = "";
    if (!dist_beta_from_moments(mean, sd, &d.alpha, &d.beta, why, sizeof why))
        fail_msg("beta {mean %g, sd %g} refused: %s", mean, sd, why);
    return d;
}

/* Three uncorrelated inputs of a random-sampling book. */
static inline Fixture *three_inputs(void)
{
    Fixture *f = fixture_new(SAMPLING_RANDOM);
    fixture_add(f, "discount_rate", uniform(0.095, 0.135));
    fixture_add(f, "margin", uniform(0.3125, 0.4475));
    fixture_add(f, "segments.A.retention", beta_shape(7.35, 1.85));
    return f;
}

/* ---- sample statistics ---- */

typedef struct Moments {
    double mean, var, m4; /* var with n - 1; m4 the 4th central moment (n) */
} Moments;

static inline Moments moments(const double *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n, s2 = 0, s4 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean;
        s2 += d * d;
        s4 += d * d * d * d;
    }
    return (Moments){mean, s2 / (double)(n - 1), s4 / (double)n};
}

typedef struct Ranked {
    double v;
    size_t i;
} Ranked;

static inline int ranked_cmp(const void *a, const void *b)
{
    double x = ((const Ranked *)a)->v, y = ((const Ranked *)b)->v;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Ranks 0..n-1 (ties share their average rank). */
static inline void ranks(const double *x, size_t n, double *r)
{
    Ranked *p = malloc(n * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (Ranked){x[i], i};
    qsort(p, n, sizeof *p, ranked_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && p[j + 1].v == p[i].v)
            j++;
        for (size_t k = i; k <= j; k++)
            r[p[k].i] = 0.5 * (double)(i + j);
        i = j + 1;
    }
    free(p);
}

static inline double pearson(const double *x, const double *y, size_t n)
{
    Moments mx = moments(x, n), my = moments(y, n);
    double c = 0;
    for (size_t i = 0; i < n; i++)
        c += (x[i] - mx.mean) * (y[i] - my.mean);
    return c / (double)(n - 1) / sqrt(mx.var * my.var);
}

static inline double spearman(const double *x, const double *y, size_t n)
{
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    assert_non_null(rx);
    assert_non_null(ry);
    ranks(x, n, rx);
    ranks(y, n, ry);
    double rho = pearson(rx, ry, n);
    free(rx);
    free(ry);
    return rho;
}

#endif
