/*
 * normalization.c — SDE, the lender's SDE and EBITDA from the reported profit and its bridge.
 */
#include "normalization.h"

#include <math.h>
#include <string.h>

void normalization_value(const Scenario *sc, double revenue, NormalizedEarnings *e)
{
    memset(e, 0, sizeof *e);
    const Normalization *nz = &sc->normalization;
    e->enabled = nz->enabled;
    e->reported_profit = nz->reported_profit;
    e->owner_market_salary = nz->owner_market_salary;
    double accepted = 0;
    for (size_t i = 0; i < nz->count; i++) {
        const NormalizationItem *it = &nz->items[i];
        if (it->deduction) {
            e->deductions += it->amount;
        } else {
            e->add_backs += it->amount;
            if (it->lender_accepted)
                accepted += it->amount;
        }
    }
    e->sde = e->reported_profit + e->add_backs - e->deductions;
    e->lender_sde = e->reported_profit + accepted - e->deductions;
    e->ebitda = e->sde - e->owner_market_salary;
    e->sde_margin = revenue > 0 ? e->sde / revenue : (double)NAN;
    e->ebitda_margin = revenue > 0 ? e->ebitda / revenue : (double)NAN;
}
