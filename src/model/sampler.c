/*
 * sampler.c — uniforms per (iteration, input), Latin hypercube strata, Gaussian copula.
 */
#include "sampler.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

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
    double *uniforms;      /* [iterations x k]: Latin hypercube uniforms reordered by Iman-
                              Conover (only with correlations under Latin hypercube) */
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

static uint64_t lhs_stratum(const Sampler *s, long it, size_t input)
{
    return permute(rng_mix(s->seed + (input + 1) * RNG_GAMMA), (uint64_t)s->iterations,
                   (uint64_t)it);
}

static double input_uniform(const Sampler *s, long it, size_t input)
{
    uint64_t key = rng_key(s->seed, (uint64_t)it, input + 1);
    double u = rng_uniform(key, 0);
    if (!s->latin)
        return u;
    uint64_t stratum = lhs_stratum(s, it, input);
    double v = ((double)stratum + u) / (double)s->iterations;
    return v < 1 ? v : 1 - 0x1.0p-53; /* the top stratum's end can round up to 1 */
}

bool sampler_draw(const Sampler *s, long it, double *x, double *z)
{
    size_t k = s->k;
    for (size_t i = 0; i < k; i++)
        x[i] = s->uniforms ? s->uniforms[(size_t)it * k + i] : input_uniform(s, it, i);
    if (s->mix && !s->uniforms) {
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
        if (missing && strcmp(missing, "discount_rate") == 0 &&
            !dist_is_fixed(&sc->discount_rate) && !sc->monte_carlo.vary_discount_rate) {
            status = bv_error(errors, BV_ERR_INPUT, &cor->mark, key,
                              "'discount_rate' is held at its mean in the Monte Carlo (a "
                              "required return, not an outcome); set monte_carlo."
                              "vary_discount_rate: true to draw it and correlate it");
        } else if (missing) {
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

/*
 * Iman-Conover (Iman & Conover, "A distribution-free approach to inducing rank correlation
 * among input variables", Commun. Statist. B 11(3), 1982): the Latin hypercube's uniforms of
 * each input are only reordered, so every input keeps one draw per stratum. The scores
 * M (van der Waerden: Phi^-1(r/(N+1)) at each input's own stratum order, independent across
 * inputs) are decorrelated by the Cholesky factor F of their sample correlation and mixed by
 * A (A A^T the copula's target), T = M F^-T A^T; each input's uniforms are then arranged in the
 * rank order of its column of T. Returns false (no reordering: the copula path is used) when
 * there are too few iterations for the scores' correlation to be invertible, or (with
 * *nomem) when memory ran out.
 */
static bool iman_conover(Sampler *s, bool *nomem)
{
    size_t k = s->k, n = (size_t)s->iterations;
    *nomem = false;
    if (!s->latin || !s->mix || n < k + 2)
        return false;
    double *m = malloc(n * k * sizeof *m);
    StatsKeyed *order = malloc(n * sizeof *order);
    double *sorted = malloc(n * sizeof *sorted);
    gsl_matrix *e = gsl_matrix_calloc(k, k);
    s->uniforms = malloc(n * k * sizeof *s->uniforms);
    bool ok = m && order && sorted && e && s->uniforms;
    *nomem = !ok;
    for (size_t it = 0; ok && it < n; it++)
        for (size_t i = 0; i < k; i++)
            m[it * k + i] = gsl_cdf_ugaussian_Pinv(((double)lhs_stratum(s, (long)it, i) + 1) /
                                                   ((double)n + 1));
    /* The scores' sample correlation (their means are 0 by symmetry, their variances equal). */
    for (size_t it = 0; ok && it < n; it++)
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j <= i; j++)
                *gsl_matrix_ptr(e, i, j) += m[it * k + i] * m[it * k + j];
    for (size_t i = 0; ok && i < k; i++)
        for (size_t j = 0; j < i; j++) {
            double r = gsl_matrix_get(e, i, j) /
                       sqrt(gsl_matrix_get(e, i, i) * gsl_matrix_get(e, j, j));
            gsl_matrix_set(e, i, j, r);
            gsl_matrix_set(e, j, i, r);
        }
    for (size_t i = 0; ok && i < k; i++)
        gsl_matrix_set(e, i, i, 1);
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    ok = ok && gsl_linalg_cholesky_decomp1(e) == GSL_SUCCESS;
    gsl_set_error_handler(old);
    double y[64], t[64];
    ok = ok && k <= 64;
    for (size_t it = 0; ok && it < n; it++) {
        double *row = &m[it * k];
        for (size_t i = 0; i < k; i++) { /* y = F^-1 m, F lower triangular */
            double v = row[i];
            for (size_t j = 0; j < i; j++)
                v -= gsl_matrix_get(e, i, j) * y[j];
            y[i] = v / gsl_matrix_get(e, i, i);
        }
        for (size_t i = 0; i < k; i++) {
            t[i] = 0;
            for (size_t j = 0; j < k; j++)
                t[i] += s->mix[i * k + j] * y[j];
        }
        memcpy(row, t, k * sizeof *t);
    }
    for (size_t i = 0; ok && i < k; i++) {
        /* The uniform of stratum r is the r-th smallest: it goes to the r-th ranked score. */
        for (size_t it = 0; it < n; it++) {
            order[it] = (StatsKeyed){m[it * k + i], (long)it};
            sorted[lhs_stratum(s, (long)it, i)] = input_uniform(s, (long)it, i);
        }
        qsort(order, n, sizeof *order, stats_keyed_order);
        for (size_t r = 0; r < n; r++)
            s->uniforms[(size_t)order[r].index * k + i] = sorted[r];
    }
    gsl_matrix_free(e);
    free(sorted);
    free(order);
    free(m);
    if (!ok) {
        free(s->uniforms);
        s->uniforms = NULL;
    }
    return ok;
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
    bool nomem = false;
    if (status == BV_OK && iterations > 1 && !iman_conover(s, &nomem) && nomem)
        status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
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
    free(s->uniforms);
    free(s);
}
