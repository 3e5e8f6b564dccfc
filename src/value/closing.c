/*
 * closing.c — the closing cut-off's flows: receivables, work in progress, working capital.
 */
#include "closing.h"

/* The provision rate of a receivable `age_days` old: the last bucket it has reached. */
static double provision_rate(const Scenario *sc, double age_days)
{
    double rate = 0;
    for (size_t b = 0; b < sc->provision_count && sc->provision[b].age_days <= age_days; b++)
        rate = sc->provision[b].rate;
    return rate;
}

void closing_price(const Scenario *sc, ClosingFlows *c)
{
    const DealSpec *d = &sc->deal;
    c->receivables = 0;
    for (size_t i = 0; i < sc->client_count; i++) {
        const Client *cl = &sc->clients[i];
        c->receivables += cl->receivable * (1 - provision_rate(sc, cl->receivable_age_days));
    }
    c->to_buyer = (d->receivables_to_buyer ? c->receivables : 0) +
                  (d->wip_to_buyer ? d->work_in_progress : 0);
    c->working_capital = sc->buyer.enabled ? sc->buyer.working_capital : 0;
    c->horizon = sc->horizon_years;
}

double closing_buyer_flow(const ClosingFlows *c, int t)
{
    return (t == 0 ? -c->to_buyer - c->working_capital : 0) + (t == 1 ? c->to_buyer : 0) +
           (t == c->horizon ? c->working_capital : 0);
}

double closing_seller_flow(const ClosingFlows *c, int t)
{
    return t == 0 ? c->to_buyer : t == 1 ? -c->to_buyer : 0;
}
