/*
 * drivers.h — what drives the Monte Carlo's spread (issue 18).
 *
 * For each uncertain input, and client churn as one source: its Spearman rank correlation
 * with the book's value, and its share of the value's variance, the first-order sensitivity
 * index S_i = Var(E[Y | X_i]) / Var(Y) estimated from the iterations themselves as a binned
 * correlation ratio (eta squared): the iterations are split by the input's rank into B bins of
 * equal count (B = min(50, N / 100), at least 1), and S_i is the variance of the bins' mean
 * values (weighted by their counts) over the variance of all values (Saltelli et al., Global
 * Sensitivity Analysis: The Primer, Wiley 2008, §1.2.8 and §4.1; Pearson's correlation ratio).
 * With client churn its share is 1 minus the inputs' shares: "client churn and interactions".
 *
 * The worst decile: the mean of each input over the 10 % lowest values (the ceil(N/10)
 * lowest, ties broken by iteration) against its mean over all iterations.
 */
#ifndef BOOKVAL_DRIVERS_H
#define BOOKVAL_DRIVERS_H

#include <stdbool.h>
#include <stddef.h>

#include "book.h"
#include "error.h"
#include "montecarlo.h"

#define DRIVERS_CHURN_LABEL "client churn and interactions"
#define DRIVERS_BINS_MAX 50

typedef struct Driver {
    const char *input;          /* the input's path, or DRIVERS_CHURN_LABEL */
    int index;                  /* into McResult.inputs, -1 for churn */
    double rank_correlation;    /* with the value (churn: clients lost with the value) */
    double variance_share;      /* first-order share of the value's variance */
    double mean, mean_worst;    /* over all iterations, over the worst decile */
} Driver;

/* A correlated pair: the target rank correlation and the one the iterations achieved. */
typedef struct DriverPair {
    const char *a, *b;          /* input paths as the scenario spells them */
    int ia, ib;                 /* into McResult.inputs */
    double target, achieved;    /* Spearman */
} DriverPair;

typedef struct Drivers {
    size_t count;
    Driver *items;              /* sorted by variance_share, largest first */
    size_t bins;                /* B */
    long worst_count;           /* iterations in the worst decile */
    double worst_threshold;     /* the highest value among them */
    size_t pair_count;
    DriverPair *pairs;          /* the scenario's correlations, in its order */
} Drivers;

/* Share of the n values strictly below x (P(value < x) over the iterations). */
double drivers_share_below(const double *values, long n, double x);

/* exceptions: BV_ERR_NOMEM. *out is NULL when mc is NULL or ran fewer than 2 iterations. */
BvStatus drivers_run(const Book *book, const McResult *mc, Drivers **out, BvErrors *errors);
void drivers_free(Drivers *d); /* NULL is a no-op */

/* Average ranks (1-based, ties averaged, as RANK.AVG) of x[i * stride], i < n, into rank[]. */
bool drivers_ranks(const double *x, size_t stride, long n, double *rank);

/* Pearson correlation of a and b (n values each); NaN when either is constant. */
double drivers_pearson(const double *a, const double *b, long n);

#endif
