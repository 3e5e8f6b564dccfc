/*
 * rootfind.h — bookval's one root finder: a scan of a grid for sign changes, each bracket
 * polished by GSL's Brent solver with explicit tolerances and an iteration cap.
 *
 * Used for the buyer's IRR, the walk-away prices and the break-evens. It says which of three
 * things happened — a root, no root in the range scanned, or a solver that did not converge
 * (with its last bracket) — and never turns the third into a NaN: rootfind_check makes it a
 * BV_ERR_NUMERIC error. It does not choose the grid: the caller knows where its roots live.
 */
#ifndef BOOKVAL_ROOTFIND_H
#define BOOKVAL_ROOTFIND_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum RootStatus {
    ROOT_FOUND,         /* root holds the root */
    ROOT_NONE_IN_RANGE, /* the function kept one sign (or was not finite) over the range */
    ROOT_NOT_CONVERGED, /* Brent hit the iteration cap or met a non-finite value */
    ROOT_NOMEM          /* the solver could not be allocated */
} RootStatus;

/* Which root a scan returns when the grid brackets several. */
typedef enum RootPick {
    ROOT_PICK_NEAREST, /* the root nearest `target` (every bracket is solved) */
    ROOT_PICK_FIRST    /* the root in the first bracket along the grid (the scan stops there) */
} RootPick;

typedef struct RootOptions {
    double epsabs, epsrel; /* converged when gsl_root_test_interval(lower, upper) holds */
    int max_iterations;    /* Brent iterations per bracket */
    RootPick pick;
    double target;         /* ROOT_PICK_NEAREST only */
} RootOptions;

typedef struct RootResult {
    RootStatus status;
    double root;         /* ROOT_FOUND: the root; NaN otherwise */
    double lower, upper; /* ROOT_FOUND: the bracket it came from (lower == upper == root for a
                          * grid point where f is exactly 0); ROOT_NOT_CONVERGED: the solver's
                          * last bracket; NaN otherwise */
    int iterations;      /* Brent iterations spent on that bracket */
    bool not_finite;     /* ROOT_NOT_CONVERGED because f was not finite inside the bracket */
} RootResult;

/*
 * A root of f on [lower, upper], where f(lower) and f(upper) are finite and of opposite signs
 * (or one is 0). Without a sign change: ROOT_NONE_IN_RANGE.
 */
RootResult rootfind_brent(double (*f)(double x, void *params), void *params, double lower,
                          double upper, const RootOptions *options);

/*
 * Evaluate f at grid[0..n-1] (ascending or descending) in order. A point where f is exactly 0
 * is a root; two consecutive finite values of strictly opposite signs are a bracket solved by
 * Brent; points where f is not finite are passed over (they bracket nothing). Returns the
 * root options->pick chooses, ROOT_NONE_IN_RANGE when there is none, or the first
 * ROOT_NOT_CONVERGED or ROOT_NOMEM met (the scan stops there).
 */
RootResult rootfind_scan(double (*f)(double x, void *params), void *params, const double *grid,
                         size_t n, const RootOptions *options);

/*
 * BV_OK for ROOT_FOUND and ROOT_NONE_IN_RANGE (the caller reports the latter as null). Otherwise
 * records and returns the error: BV_ERR_NUMERIC "<what> did not converge in N iterations; last
 * bracket [a, b]" (or "... met a value that is not finite in [a, b]"), or BV_ERR_NOMEM.
 */
BvStatus rootfind_check(const RootResult *result, const char *what, BvErrors *errors);

#endif
