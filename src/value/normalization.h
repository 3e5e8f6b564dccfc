/*
 * normalization.h — normalised earnings: the bridge from the practice's reported profit to
 * seller's discretionary earnings (SDE: the add-backs in, the deductions out), the SDE a
 * lender accepts (only add-backs marked lender_accepted), and EBITDA (SDE less a market
 * salary for the owner's work), with their margins on the book's annual revenue.
 * `margin: from_normalization` is EBITDA / annual revenue (resolved by the loader).
 */
#ifndef BOOKVAL_NORMALIZATION_H
#define BOOKVAL_NORMALIZATION_H

#include <stdbool.h>

#include "scenario.h"

typedef struct NormalizedEarnings {
    bool enabled;             /* reported_profit given */
    double reported_profit, add_backs, deductions; /* currency per year */
    double sde, lender_sde, owner_market_salary, ebitda;
    double sde_margin, ebitda_margin; /* of annual revenue (NaN without revenue) */
} NormalizedEarnings;

/* The scenario's normalised earnings on a book of `annual_revenue`. */
void normalization_value(const Scenario *scenario, double annual_revenue,
                         NormalizedEarnings *out);

#endif
