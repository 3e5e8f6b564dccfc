/*
 * dist.h — the probability distributions an uncertain (D) assumption may follow
 * (DESIGN §6): their parameters, checks, support and mean.
 *
 * A plain number is a DIST_FIXED distribution, so every (D) assumption has one type. The
 * deterministic DCF uses dist_mean(); the Monte Carlo samples them.
 */
#ifndef BOOKVAL_DIST_H
#define BOOKVAL_DIST_H

#include <stdbool.h>
#include <stddef.h>

typedef enum DistKind {
    DIST_FIXED,
    DIST_UNIFORM,
    DIST_TRIANGULAR,
    DIST_PERT,
    DIST_NORMAL,
    DIST_LOGNORMAL,
    DIST_BETA,
    DIST_KIND_COUNT
} DistKind;

/* Parameters by kind, in the units of the assumption itself:
 *   fixed: value            uniform: min, max         triangular, pert: min, mode, max
 *   normal: mean, sd and optional truncation min, max (infinite when absent)
 *   lognormal: mean, sd of the variable (not of its logarithm)
 *   beta: alpha, beta (a scenario's {mean, sd} is converted on reading) */
typedef struct Dist {
    DistKind kind;
    double value;
    double min, max, mode;
    double mean, sd;
    double alpha, beta;
} Dist;

/* A fixed distribution at x. */
Dist dist_fixed(double x);

/* "uniform", or NULL for an out-of-range kind. */
const char *dist_kind_name(DistKind kind);

/* The kind named `name`; false when there is none. */
bool dist_kind_from_name(const char *name, DistKind *kind);

/* Parameter names the kind accepts, NULL-terminated (for error messages and the reference). */
const char *const *dist_param_names(DistKind kind);

/*
 * Check a distribution's parameters (finite, ordered, sd > 0, beta feasible, truncation
 * holding mass, ...). On failure writes an English reason to why (which names the
 * parameter) and returns false.
 */
bool dist_check(const Dist *d, char *why, size_t why_size);

/*
 * Convert a beta given by mean and sd into alpha and beta.
 * exceptions: false (with the reason) when sd^2 >= mean(1-mean) or mean is outside (0, 1).
 */
bool dist_beta_from_moments(double mean, double sd, double *alpha, double *beta, char *why,
                            size_t why_size);

/* The smallest closed interval holding every value the distribution can take
 * (-INFINITY/INFINITY for unbounded sides; lognormal's lower end is 0, never reached). */
void dist_support(const Dist *d, double *lo, double *hi);

/* The distribution's mean (the truncated mean for a truncated normal). Requires dist_check. */
double dist_mean(const Dist *d);

/*
 * The quantile (inverse CDF) at probability u in (0, 1): how the Monte Carlo samples, so Latin
 * hypercube strata and rank correlations carry over to every kind. NaN if GSL's inverse fails.
 */
double dist_quantile(const Dist *d, double u);

/* True when the distribution is a single value. */
bool dist_is_fixed(const Dist *d);

#endif
