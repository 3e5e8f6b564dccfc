/*
 * sampler.h — draws of the uncertain inputs for each Monte Carlo iteration (DESIGN §6).
 *
 * Every input is drawn by its quantile function at a uniform that depends only on
 * (seed, iteration, input): plain random, or Latin hypercube (the iterations split each
 * input's probability range into equal strata, one draw per stratum, in an order fixed by a
 * keyed permutation). Rank correlations go through a Gaussian copula: uniforms become normal
 * scores, are mixed by a square root of the correlation matrix, and return to uniforms, so
 * each input keeps its own distribution. Under Latin hypercube the correlation is induced by
 * Iman-Conover rank reordering instead, so every input, correlated or not, keeps exactly one
 * draw per stratum (the uniforms are precomputed: O(iterations x inputs) memory).
 */
#ifndef BOOKVAL_SAMPLER_H
#define BOOKVAL_SAMPLER_H

#include <stdint.h>

#include "book.h"
#include "error.h"

typedef struct Sampler Sampler;

/*
 * Prepare to draw book->inputs for `iterations` iterations (the Latin hypercube's strata).
 * Resolves the scenario's correlations to inputs and checks the matrix.
 * exceptions: BV_ERR_INPUT (at the correlation's line) for an unknown or fixed input, a pair
 * given twice, or a matrix that is not positive semi-definite; BV_ERR_NOMEM.
 */
BvStatus sampler_new(const Book *book, long iterations, uint64_t seed, Sampler **out,
                     BvErrors *errors);
void sampler_free(Sampler *s); /* NULL is a no-op */

/* Check the scenario's correlations against the book's inputs (as sampler_new does), for
 * `validate` and for runs without a Monte Carlo: wrong correlations are an error either way. */
BvStatus sampler_check(const Book *book, BvErrors *errors);

/* Draw every input for iteration `it` into x[0..input_count-1], using scratch[0..input_count-1]
 * as workspace. Thread-safe; false (with x partly NaN) when a quantile function fails. */
bool sampler_draw(const Sampler *s, long it, double *x, double *scratch);

/* The Gaussian copula's Pearson correlation for a Spearman rank correlation:
 * 2 sin(pi rho_s / 6). */
double sampler_pearson_from_rank(double rank);

#endif
