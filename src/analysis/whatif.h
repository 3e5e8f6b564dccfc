/*
 * whatif.h — what-if runs (DESIGN §4, §8): variants, the tornado, the two-way grid and the
 * buyer's break-even inputs. Every point is a full revaluation (valuation.h) of the loaded
 * source with a patch applied to a copy of its tree through the same merge as `extends` and
 * `--set`, so a variant gives exactly what the same scenario edited by hand gives; no file is
 * read again.
 */
#ifndef BOOKVAL_WHATIF_H
#define BOOKVAL_WHATIF_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "montecarlo.h"
#include "scenario.h"

/* Which clients a variant's changed key reached: how many, and their share of the fees. A key
 * of the deal, its sides or the report's settings reaches no client. */
typedef struct VariantReach {
    const char *key;         /* the scenario's (VariantSpec.keys) */
    size_t clients;
    double revenue_share;    /* of the variant's annual revenue, 0..1 */
} VariantReach;

typedef struct VariantResult {
    const char *name;        /* the scenario's */
    double dcf_value;
    double mc_mean, mc_p5, mc_p95;   /* NaN without Monte Carlo */
    double seller_gain, buyer_npv;   /* NaN without a deal side */
    double revenue;          /* the variant's annual revenue */
    double price;            /* expected price; NaN without a deal */
    double buyer_irr;        /* NaN without a buyer (or an IRR) */
    double prob_npv_negative;        /* NaN without a buyer and a Monte Carlo */
    VariantReach reach[VARIANT_KEYS_MAX];
    size_t reach_count;
} VariantResult;

typedef struct TornadoResult {
    const char *parameter;   /* the scenario's */
    double low_input, high_input;
    double low_value, high_value;    /* DCF values */
    double low_npv, high_npv;        /* the buyer's NPV there (NaN: no buyer) */
    double break_even;       /* input where the buyer's NPV is 0 (NaN: none, or no buyer) */
    bool npv_unmoved;        /* the buyer's NPV does not use it (the scenario's discount_rate
                              * when the buyer has its own): no break-even searched */
    double range_low, range_high;    /* the bracket searched for it */
    double swing;            /* what it is ranked by: |high_npv - low_npv| with a buyer, else
                              * |high_value - low_value| */
    size_t order;            /* its place in the scenario's list (ties keep that order) */
} TornadoResult;

typedef struct WhatIf {
    VariantResult *variants;
    size_t variant_count;
    TornadoResult *tornado;  /* sorted by swing, largest first: the buyer's NPV's with a
                              * buyer, else the DCF's; ties in the scenario's order */
    size_t tornado_count;
    double *grid;            /* [row * col_count + col]: DCF values */
    bool has_break_even;     /* the scenario has a buyer */
} WhatIf;

/*
 * The points that need only the DCF (the tornado's ends, each break-even's scan and search, the
 * grid's cells) shared among the Monte Carlo's processes (McShards) in rounds: each process
 * computes its contiguous part of a round (mc_shard_part), then `exchange` gives every process
 * every point's values and the earliest failure of any, so each holds what one process would
 * have computed and reports the error one process would have met first. The variants run on
 * every process: their Monte Carlo is itself shared (McShards).
 */
typedef struct WhatIfExchange {
    double *values;           /* [points x width]: complete over [begin, end) */
    size_t width;             /* values per point */
    long begin, end;          /* the round */
    long failed;              /* in: this process's earliest failed point, -1 none;
                                 out: the earliest of all processes' */
    BvErrors *failure;        /* in: this process's errors there; out: the earliest one's */
} WhatIfExchange;

typedef struct WhatIfShards {
    /* Complete the round on every process; false when the exchange itself failed. */
    bool (*exchange)(WhatIfExchange *exchange, void *context);
    void *context;
} WhatIfShards;

/* How the base run was made: its loaded source, and the Monte Carlo's size and seed. */
typedef struct WhatIfRun {
    ScenarioSource *source;
    long iterations;               /* the command line's (0: each scenario's own) */
    bool has_seed;
    unsigned long long seed;       /* with has_seed: the command line's */
    bool force_monte_carlo;        /* the command line asked for a Monte Carlo */
    const McShards *shards;        /* a cluster run's processes; NULL: this one alone */
    const WhatIfShards *points;    /* with shards: their exchange of the DCF-only points */
    McProgress progress;           /* points done of all (a variant is one); may be NULL */
    void *progress_context;
} WhatIfRun;

/*
 * Run the base scenario's variants, tornado, grid and break-evens (`base` is the source's
 * Scenario without a patch). A scenario with none of them gives an empty WhatIf.
 * exceptions: whatever a revaluation reports (an error in a variant points at its line);
 * BV_ERR_NUMERIC when a break-even search fails to converge; BV_ERR_NOMEM.
 */
BvStatus whatif_run(const WhatIfRun *run, const Scenario *base, WhatIf **out, BvErrors *errors);
void whatif_free(WhatIf *w); /* NULL is a no-op */

/* The low and high inputs of a tornado entry without its own range: the distribution's 10th
 * and 90th percentiles, or +-10% of a fixed number, kept inside the parameter's range. */
void whatif_swing(const Dist *dist, double range_min, double range_max, double *low,
                  double *high);

#endif
