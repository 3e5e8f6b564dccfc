/*
 * allocation.c — the price by asset class, the seller's tax by class and the buyer's write-off.
 */
#include "allocation.h"

#include <math.h>
#include <string.h>

const char *const allocation_class_names[CLASS_COUNT] = {"goodwill", "client_list",
                                                         "non_compete", "consulting",
                                                         "equipment"};

void allocation_price(const Scenario *sc, double scale, double price, AllocationFlows *a)
{
    memset(a, 0, sizeof *a);
    const DealSpec *d = &sc->deal;
    a->enabled = d->allocation_count > 0;
    if (!a->enabled)
        return;
    double allocated = 0;
    for (size_t i = 0; i < d->allocation_count; i++) {
        const AllocationItem *item = &d->allocation[i];
        a->price[item->cls] = item->is_share ? item->value * price : item->value * scale;
        allocated += a->price[item->cls];
    }
    a->price[CLASS_GOODWILL] = price - allocated;
    if (!sc->seller.enabled)
        return;
    for (int k = 0; k < CLASS_COUNT; k++) {
        const ClassTax *c = &sc->seller.classes[k];
        if (k != CLASS_GOODWILL && c->ordinary) {
            a->ordinary += a->price[k];
            a->ordinary_tax += (c->rate + c->self_employment) * a->price[k];
        }
    }
}

void allocation_seller_tax(const Scenario *sc, double tax_total, AllocationFlows *a)
{
    if (!a->enabled || !sc->seller.enabled)
        return;
    double capital_price = 0;
    for (int k = 0; k < CLASS_COUNT; k++)
        if (k == CLASS_GOODWILL || !sc->seller.classes[k].ordinary)
            capital_price += a->price[k];
    double capital_tax = tax_total - a->ordinary_tax;
    for (int k = 0; k < CLASS_COUNT; k++) {
        const ClassTax *c = &sc->seller.classes[k];
        if (k != CLASS_GOODWILL && c->ordinary)
            a->seller_tax[k] = (c->rate + c->self_employment) * a->price[k];
        else
            a->seller_tax[k] = capital_price != 0 ? capital_tax * a->price[k] / capital_price
                                                  : 0;
    }
}

void allocation_shields(const Scenario *sc, double buyer_rate, double costs,
                        const double *principal, double price, int years, double *shield,
                        AllocationFlows *a)
{
    const BuyerSpec *b = &sc->buyer;
    for (int k = 0; k < CLASS_COUNT; k++)
        a->shield_pv[k] = 0;
    double df = 1;
    for (int t = 0; t <= years; t++) {
        shield[t] = 0;
        for (int k = 0; k < CLASS_COUNT; k++) {
            double s = 0;
            int n = k == CLASS_GOODWILL ? b->amortization_years : b->write_off[k];
            double base = a->price[k] + (k == CLASS_GOODWILL ? costs : 0);
            if (n > 0 && t >= 1 && t <= n)
                s = b->tax_rate * base / n;
            else if (n == 0 && price != 0 && k != CLASS_GOODWILL) /* goodwill: never */
                s = b->tax_rate * base * principal[t] / price;
            shield[t] += s;
            a->shield_pv[k] += s * df;
        }
        df /= 1 + buyer_rate;
    }
}

int allocation_years(const Scenario *sc)
{
    int years = 0;
    if (!sc->deal.allocation_count || !sc->buyer.enabled)
        return 0;
    for (int k = 0; k < CLASS_COUNT; k++)
        if (k != CLASS_GOODWILL && sc->buyer.write_off[k] > years)
            years = sc->buyer.write_off[k];
    return years;
}
