/*
 * sampler.c — uniforms per (iteration, input), Latin hypercube strata, Gaussian copula.
 */
#include "sampler.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

/* Eigenvalues this far below zero are rounding, not an inconsistent matrix. */
#define PSD_TOLERANCE 1e-10
#define FEISTEL_ROUNDS 4

struct Sampler {
    const Book *book;
    size_t k;              /* inputs */
    long iterations;
    uint64_t seed;
    bool latin;
    double *mix;           /* k x k, row-major: A with A A^T = the copula's correlation; NULL
                              when the inputs are independent */
};

double sampler_pearson_from_rank(double rank)
{
    return 2 * sin(M_PI * rank / 6);
}

/* A keyed permutation of [0, n): a balanced Feistel network on the smallest even power of two
 * holding n, walked until it lands inside [0, n). O(1) memory for any number of iterations. */
static uint64_t permute(uint64_t key, uint64_t n, uint64_t i)
{
    unsigned bits = 2;
    while ((UINT64_C(1) << bits) < n)
        bits += 2;
    unsigned half = bits / 2;
    uint64_t mask = (UINT64_C(1) << half) - 1;
    uint64_t x = i;
    do {
        uint64_t left = x >> half, right = x & mask;
        for (unsigned r = 0; r < FEISTEL_ROUNDS; r++) {
            uint64_t f = rng_mix(key ^ (right + (uint64_t)r * RNG_GAMMA)) & mask;
            uint64_t next = left ^ f;
            left = right;
            right = next;
        }
        x = (left << half) | right;
    } while (x >= n);
    return x;
}

static double input_uniform(const Sampler *s, long it, size_t input)
{
    uint64_t key = rng_key(s->seed, (uint64_t)it, input + 1);
    double u = rng_uniform(key, 0);
    if (!s->latin)
        return u;
    uint64_t stratum = permute(rng_mix(s->seed + (input + 1) * RNG_GAMMA),
                               (uint64_t)s->iterations, (uint64_t)it);
    double v = ((double)stratum + u) / (double)s->iterations;
    return v < 1 ? v : 1 - 0x1.0p-53; /* the top stratum's end can round up to 1 */
}

bool sampler_draw(const Sampler *s, long it, double *x, double *z)
{
    size_t k = s->k;
    for (size_t i = 0; i < k; i++)
        x[i] = input_uniform(s, it, i);
    if (s->mix) {
        for (size_t i = 0; i < k; i++)
            z[i] = gsl_cdf_ugaussian_Pinv(x[i]);
        for (size_t i = 0; i < k; i++) {
            double v = 0;
            for (size_t j = 0; j < k; j++)
                v += s->mix[i * k + j] * z[j];
            /* Back to (0, 1), never touching the ends where quantiles are infinite. */
            double u = gsl_cdf_ugaussian_P(v);
            x[i] = u <= 0 ? 0x1.0p-60 : u >= 1 ? 1 - 0x1.0p-53 : u;
        }
    }
    bool ok = true;
    for (size_t i = 0; i < k; i++) {
        x[i] = dist_quantile(s->book->inputs[i].dist, x[i]);
        ok &= isfinite(x[i]);
    }
    return ok;
}

static void input_list(const Book *book, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < book->input_count; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? ", " : "",
                 book->inputs[i].path);
    if (!book->input_count)
        snprintf(buf, size, "(none: every input is a fixed number)");
}

/* The correlation matrix from the scenario's pairs, checked, and its square root. */
static BvStatus build_mix(Sampler *s, BvErrors *errors)
{
    const Scenario *sc = s->book->scenario;
    size_t k = s->k;
    if (sc->correlation_count == 0)
        return BV_OK;
    gsl_matrix *rank = gsl_matrix_alloc(k ? k : 1, k ? k : 1);
    if (!rank)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    gsl_matrix_set_identity(rank);
    bool *given = calloc(k * k, sizeof *given); /* pairs already set, whatever their rank */
    BvStatus status = given ? BV_OK : bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t c = 0; c < sc->correlation_count && given; c++) {
        const Correlation *cor = &sc->correlations[c];
        int a = book_input_index(s->book, cor->a), b = book_input_index(s->book, cor->b);
        const char *missing = a < 0 ? cor->a : b < 0 ? cor->b : NULL;
        char key[48];
        snprintf(key, sizeof key, "correlations[%zu]", c);
        if (missing) {
            char list[600];
            input_list(s->book, list, sizeof list);
            status = bv_error(errors, BV_ERR_INPUT, &cor->mark, key,
                              "'%s' is not an uncertain input (a distribution); uncertain "
                              "inputs are: %s",
                              missing, list);
        } else if (a == b) {
            status = bv_error(errors, BV_ERR_INPUT, &cor->mark, key,
                              "correlates '%s' with itself", cor->a);
        } else if (given[(size_t)a * k + (size_t)b]) {
            status = bv_error(errors, BV_ERR_INPUT, &cor->mark, key,
                              "the pair %s, %s is given twice", cor->a, cor->b);
        } else {
            gsl_matrix_set(rank, (size_t)a, (size_t)b, cor->rank);
            gsl_matrix_set(rank, (size_t)b, (size_t)a, cor->rank);
            given[(size_t)a * k + (size_t)b] = given[(size_t)b * k + (size_t)a] = true;
        }
    }
    gsl_matrix *work = NULL, *vectors = NULL;
    gsl_vector *values = NULL;
    gsl_eigen_symmv_workspace *w = NULL;
    if (status != BV_OK)
        goto done;
    /* The user's rank matrix must be a possible correlation matrix; the copula then uses its
     * Pearson image, clipped to the nearest PSD matrix should rounding push it below. */
    work = gsl_matrix_alloc(k, k);
    vectors = gsl_matrix_alloc(k, k);
    values = gsl_vector_alloc(k);
    w = gsl_eigen_symmv_alloc(k);
    s->mix = malloc(k * k * sizeof *s->mix);
    if (!work || !vectors || !values || !w || !s->mix) {
        status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        goto done;
    }
    for (int pass = 0; pass < 2 && status == BV_OK; pass++) {
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++) {
                double r = gsl_matrix_get(rank, i, j);
                gsl_matrix_set(work, i, j, pass == 0 || i == j ? r : sampler_pearson_from_rank(r));
            }
        if (gsl_eigen_symmv(work, values, vectors, w) != GSL_SUCCESS) {
            status = bv_error(errors, BV_ERR_NUMERIC, &sc->correlations[0].mark, "correlations",
                              "the eigen-decomposition of the correlation matrix failed");
            break;
        }
        double smallest = gsl_vector_min(values);
        if (pass == 0 && smallest < -PSD_TOLERANCE) {
            status = bv_error(errors, BV_ERR_INPUT, &sc->correlations[0].mark, "correlations",
                              "the rank correlations are not positive semi-definite (the "
                              "matrix's smallest eigenvalue is %.4g): they contradict each "
                              "other, e.g. A with B and B with C strongly positive but A with C "
                              "strongly negative; weaken some of them",
                              smallest);
        }
        if (pass == 1) {
            /* A = V diag(sqrt(max(lambda, 0))), each row scaled back to unit length: clipping a
             * negative eigenvalue must not change any input's own variance (A A^T keeps a unit
             * diagonal, so every normal score stays standard). */
            for (size_t i = 0; i < k; i++) {
                double norm = 0;
                for (size_t j = 0; j < k; j++) {
                    double l = gsl_vector_get(values, j);
                    double a_ij = gsl_matrix_get(vectors, i, j) * sqrt(l > 0 ? l : 0);
                    s->mix[i * k + j] = a_ij;
                    norm += a_ij * a_ij;
                }
                for (size_t j = 0; j < k && norm > 0; j++)
                    s->mix[i * k + j] /= sqrt(norm);
            }
        }
    }
done:
    free(given);
    gsl_eigen_symmv_free(w);
    gsl_vector_free(values);
    gsl_matrix_free(vectors);
    gsl_matrix_free(work);
    gsl_matrix_free(rank);
    return status;
}

BvStatus sampler_new(const Book *book, long iterations, uint64_t seed, Sampler **out,
                     BvErrors *errors)
{
    *out = NULL;
    Sampler *s = calloc(1, sizeof *s);
    if (!s)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    s->book = book;
    s->k = book->input_count;
    s->iterations = iterations;
    s->seed = seed;
    s->latin = book->scenario->monte_carlo.sampling == SAMPLING_LATIN_HYPERCUBE;
    BvStatus status = build_mix(s, errors);
    if (status != BV_OK) {
        sampler_free(s);
        return status;
    }
    *out = s;
    return BV_OK;
}

BvStatus sampler_check(const Book *book, BvErrors *errors)
{
    Sampler *s;
    BvStatus status = sampler_new(book, 1, 0, &s, errors);
    sampler_free(s);
    return status;
}

void sampler_free(Sampler *s)
{
    if (!s)
        return;
    free(s->mix);
    free(s);
}
