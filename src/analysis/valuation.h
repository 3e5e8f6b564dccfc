/*
 * valuation.h — the data flow of DESIGN §2 for one loaded scenario, in one place:
 * book -> (correlations checked) -> DCF -> Monte Carlo -> diagnostics -> deal. It knows
 * nothing of what-ifs: the command line, the what-if revaluations (whatif.h) and the fuzzers
 * all run it, so a variant is valued exactly as a scenario is.
 */
#ifndef BOOKVAL_VALUATION_H
#define BOOKVAL_VALUATION_H

#include <stdbool.h>

#include "book.h"
#include "dcf.h"
#include "deal.h"
#include "diagnostics.h"
#include "drivers.h"
#include "error.h"
#include "montecarlo.h"
#include "price_at_risk.h"
#include "rate_range.h"
#include "scenario.h"

typedef enum ValuationSimulate {
    VALUATION_MC_AS_SCENARIO,      /* when the scenario has monte_carlo: */
    VALUATION_MC_ALWAYS,           /* also without (--iterations, --seed, a variant's run) */
    VALUATION_MC_NEVER             /* a tornado or grid point: the DCF is enough */
} ValuationSimulate;

typedef struct ValuationOptions {
    long iterations;               /* 0: the scenario's */
    bool has_seed;
    unsigned long long seed;       /* with has_seed: overrides the scenario's */
    ValuationSimulate simulate;
    bool deal_irr;                 /* the buyer's IRR (deal_irr): only a reported deal needs it */
    McProgress progress;           /* may be NULL */
    void *progress_context;
    const McShards *shards;        /* a cluster run's processes; NULL: this one alone */
} ValuationOptions;

/* Every result of a run; parts a scenario does not ask for are NULL. Owned by the Valuation. */
typedef struct Valuation {
    Scenario *scenario;
    Book *book;
    Dcf *dcf;
    McResult *mc;
    Diagnostics *diagnostics;
    Deal *deal;
    Drivers *drivers;              /* what drives the Monte Carlo's spread (with mc) */
    PriceAtRisk buyer_par, seller_par; /* the prices at a chosen risk (asked: false if not) */
    RateRange rate_range;          /* the held rate's range as a sensitivity (has: false if not) */
    long iterations;               /* of the Monte Carlo (or that would have run) */
    unsigned long long seed;
} Valuation;

/*
 * Value `scenario`, which the valuation takes over (it is freed with the valuation, or here
 * on failure). On failure *out is NULL and `errors` says why (with the scenario's positions).
 * Free with valuation_free.
 */
BvStatus valuation_run(Scenario *scenario, const ValuationOptions *options, Valuation **out,
                       BvErrors *errors);
void valuation_free(Valuation *v); /* NULL is a no-op */

#endif
