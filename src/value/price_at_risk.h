/*
 * price_at_risk.h — the price at a chosen risk (issue 18): the base price at which the chance
 * of a bad outcome over the Monte Carlo's iterations is at most alpha.
 *
 * Every price term is scaled by one factor s, as for the walk-away prices, and every iteration
 * keeps its own simulated book (common random numbers: the answer is exact for the sample and
 * reproducible). For each iteration the break-even factor s_i solves
 *   buyer:  NPV_i(s) = 0                               (NPV falls as s rises)
 *   seller: net proceeds PV_i(s) = value of keeping_i  (net proceeds rise with s)
 * — in closed form when the iteration's gap is affine in s (checked at s = 0, 1, 2), else by
 * Brent's method. With N iterations and m = floor(alpha N):
 *   buyer:  the highest s with #{i: NPV_i(s) < 0} <= m  is the (m+1)-th smallest s_i;
 *   seller: the lowest s with #{i: net_i(s) < keep_i} <= m is the (m+1)-th largest s_i.
 * The price at risk is that s times the base price as written.
 */
#ifndef BOOKVAL_PRICE_AT_RISK_H
#define BOOKVAL_PRICE_AT_RISK_H

#include <stdbool.h>

#include "book.h"
#include "error.h"
#include "montecarlo.h"

typedef struct PriceAtRisk {
    bool asked;             /* the scenario asks for it (and the Monte Carlo ran) */
    double probability;     /* alpha */
    double factor;          /* s: NaN when no positive price meets the target */
    double base_price;      /* s x the base price as written */
    double expected_price;  /* s x the mean final price over the iterations */
    long failing;           /* iterations on the bad side at s (<= floor(alpha N)) */
    long affine;            /* iterations solved in closed form (the rest by Brent) */
    double *break_even;     /* [iterations]: each iteration's s_i (+-inf: none), owned */
} PriceAtRisk;

void price_at_risk_free(PriceAtRisk *p); /* frees break_even; the struct stays */

/*
 * The buyer's and the seller's price at risk from the Monte Carlo's stored books
 * (mc->deal_books). `unit_price` is the base price as written (the deal's P0).
 * exceptions: BV_ERR_NOMEM.
 */
BvStatus price_at_risk_run(const Book *book, const McResult *mc, double unit_price,
                           PriceAtRisk *buyer, PriceAtRisk *seller, BvErrors *errors);

#endif
