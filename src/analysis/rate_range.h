/*
 * rate_range.h — the discount rate's range as a sensitivity (issue 17 item 6): when the Monte
 * Carlo holds an uncertain rate at its mean, the DCF value at the rate's 5th and 95th
 * percentiles (every other input at its mean) is reported beside it.
 */
#ifndef BOOKVAL_RATE_RANGE_H
#define BOOKVAL_RATE_RANGE_H

#include <stdbool.h>

#include "error.h"
#include "scenario.h"

typedef struct RateRange {
    bool has;                  /* the rate is uncertain and held at its mean */
    double rate_p5, rate_p95;  /* the rate's quantiles */
    double value_at_p5, value_at_p95; /* the DCF value at each */
} RateRange;

/* exceptions: those of book_new and dcf_run (a rate that makes the tail infinite). */
BvStatus rate_range_run(const Scenario *scenario, RateRange *out, BvErrors *errors);

#endif
