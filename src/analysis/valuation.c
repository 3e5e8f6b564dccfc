/*
 * valuation.c — the pipeline, step after step, each step's failure ending the run.
 */
#include "valuation.h"

#include <stdlib.h>

#include "sampler.h"

BvStatus valuation_run(Scenario *scenario, const ValuationOptions *o, Valuation **out,
                       BvErrors *errors)
{
    *out = NULL;
    Valuation *v = calloc(1, sizeof *v);
    if (!v) {
        scenario_free(scenario);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    v->scenario = scenario;
    BvStatus status = book_new(v->scenario, &v->book, errors);
    if (status == BV_OK)
        status = sampler_check(v->book, errors);
    if (status == BV_OK)
        status = dcf_run(v->book, &v->dcf, errors);
    if (status != BV_OK) {
        valuation_free(v);
        return status;
    }
    const Scenario *sc = v->scenario;
    v->iterations = o->iterations ? o->iterations : sc->monte_carlo.iterations;
    v->seed = o->has_seed ? o->seed : sc->monte_carlo.seed;
    bool simulate = o->simulate == VALUATION_MC_ALWAYS ||
                    (o->simulate == VALUATION_MC_AS_SCENARIO && sc->monte_carlo.enabled);
    if (simulate)
        status = mc_run(v->book, v->iterations, v->seed, o->progress, o->progress_context,
                        o->shards, &v->mc,
                        errors);
    if (status == BV_OK)
        status = diagnostics_new(v->book, v->dcf, &v->diagnostics, errors);
    if (status == BV_OK && sc->deal.enabled)
        status = deal_run(v->book, o->deal_irr, &v->deal, errors);
    if (status == BV_OK && v->mc)
        status = drivers_run(v->book, v->mc, &v->drivers, errors);
    if (status == BV_OK && v->mc)
        status = rate_range_run(sc, &v->rate_range, errors);
    if (status == BV_OK && v->mc && v->deal)
        status = price_at_risk_run(v->book, v->mc, v->deal->flows.base_price, &v->buyer_par,
                                   &v->seller_par, errors);
    if (status != BV_OK) {
        valuation_free(v);
        return status;
    }
    *out = v;
    return BV_OK;
}

void valuation_free(Valuation *v)
{
    if (!v)
        return;
    drivers_free(v->drivers);
    price_at_risk_free(&v->buyer_par);
    price_at_risk_free(&v->seller_par);
    deal_free(v->deal);
    diagnostics_free(v->diagnostics);
    mc_free(v->mc);
    dcf_free(v->dcf);
    book_free(v->book);
    scenario_free(v->scenario);
    free(v);
}
