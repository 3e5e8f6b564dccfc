/*
 * retention.h — the retention models of DESIGN §5 and the survival they imply.
 *
 * A model gives r(k), the probability that a client who renewed k-1 times renews the k-th
 * time after the valuation date; survival S(t) = u r(1) ... r(t) with u the transfer
 * retention. This module also sums the sBG run-off tail exactly (see retention_sbg_series).
 */
#ifndef BOOKVAL_RETENTION_H
#define BOOKVAL_RETENTION_H

#include <stdbool.h>
#include <stddef.h>

#include "dist.h"

typedef enum RetentionKind { RETENTION_CONSTANT, RETENTION_CURVE, RETENTION_SBG } RetentionKind;

#define RETENTION_CURVE_MAX 100

typedef struct RetentionModel {
    RetentionKind kind;
    Dist constant;                        /* RETENTION_CONSTANT: r, maybe uncertain */
    double curve[RETENTION_CURVE_MAX];    /* RETENTION_CURVE: c_1..c_n, last one repeated */
    int curve_len;
    double alpha, beta;                   /* RETENTION_SBG: shifted-beta-geometric */
    /* The what-if scale s (retention_scale): every rate the model gives becomes min(1, s r).
     * 1 in the models a scenario reads; a cohort's model carries the scenario's. */
    double scale;
} RetentionModel;

/* r(k) for k >= 1, with `constant` the value a constant model takes (its mean in the DCF, a
 * draw in the Monte Carlo) and `tenure` the client's completed renewals (sBG only); times the
 * model's scale, capped at 1. */
double retention_rate(const RetentionModel *m, double constant, double tenure, int k);

/* S(1..horizon) into survival[0..horizon-1]. */
void retention_survival(const RetentionModel *m, double constant, double tenure, double u,
                        int horizon, double *survival);

/* True when the model's survival depends on the client's tenure (sBG). */
bool retention_uses_tenure(const RetentionModel *m);

/*
 * F(a, b, x) = sum_{j>=1} x^j prod_{i=1..j} (b+i-1)/(a+b+i-1) = 2F1(1, b; a+b; x) - 1,
 * the factor by which an sBG book's run-off beyond the horizon multiplies the horizon year's
 * cash (b = beta + tenure + horizon, x = (1+g)/(1+d)). Requires a > 0, b > 0, x >= 0.
 *
 * Summed directly, with a rigorous bound on the remainder (see retention.c), to 1e-17 of the
 * sum; only where that would take more than 5e7 terms (x within about 1e-6 of 1 and alpha close
 * to 1) by quadrature of E[x(1-θ)/(1-x(1-θ))] over θ ~ Beta(a, b), accepted only inside the
 * bracket the partial sum proves; at x = 1 by Gauss's closed form. GSL's gsl_sf_hyperg_2F1 is
 * not used: it is silently wrong near x = 1 (DESIGN §9).
 * exceptions: returns false when the series diverges (x > 1, or x = 1 with a <= 1), or the
 * quadrature fails to reach its tolerance; *out is then NaN.
 */
bool retention_sbg_series(double a, double b, double x, double *out);

/*
 * The same run-off factor with every rate scaled by s and capped at 1:
 * sum_{j>=1} x^j prod_{i=1..j} min(1, s (b+i-1)/(a+b+i-1)). For s <= 1 no rate reaches the
 * cap, so it is F(a, b, s x); for s > 1 the rates reach 1 once b+i-1 >= a/(s-1), and from there
 * the sum is geometric in x (finite only for x < 1). Same tolerance and exceptions as
 * retention_sbg_series; also false when s > 1 and the rates stay below the cap for more terms
 * than the direct sum takes without the remainder becoming negligible.
 */
bool retention_sbg_scaled_series(double a, double b, double s, double x, double *out);

#endif
