/*
 * results.h — everything a run computed, handed to the report writers as one plain bundle.
 * Nothing here is owned: the run (main.c) owns each part and frees it.
 */
#ifndef BOOKVAL_RESULTS_H
#define BOOKVAL_RESULTS_H

#include "book.h"
#include "dcf.h"
#include "deal.h"
#include "diagnostics.h"
#include "drivers.h"
#include "montecarlo.h"
#include "price_at_risk.h"
#include "runinfo.h"
#include "scenario.h"
#include "whatif.h"

typedef struct Results {
    const Scenario *scenario;
    const Book *book;
    const Dcf *dcf;
    const McResult *mc;  /* NULL when the scenario asks for no Monte Carlo */
    const Diagnostics *diag;
    const Deal *deal;    /* NULL when the scenario has no deal */
    const WhatIf *whatif;/* NULL when the scenario has no variants or sensitivity */
    const RunInfo *info;
    const Drivers *drivers;         /* NULL without a Monte Carlo */
    const PriceAtRisk *buyer_par;   /* NULL, or .asked false, when not asked */
    const PriceAtRisk *seller_par;
    const struct RateRange *rate_range; /* NULL or .has false unless the rate is held */
} Results;

#endif
