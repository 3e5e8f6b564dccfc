/*
 * keep.c — the value of keeping the practice, as its seller weighs it.
 */
#include "keep.h"

#include <math.h>

#include "tax.h"

int keep_years(const Scenario *sc, const KeepSpec *keep)
{
    return keep->years > 0 ? keep->years : sc->horizon_years;
}

double keep_compensation(const Scenario *sc, const KeepSpec *keep, int t)
{
    double g = keep->has_compensation_growth ? keep->compensation_growth
                                             : dist_mean(&sc->defaults.revenue_growth);
    return keep->owner_compensation * pow(1 + g, t - 1);
}

/* The book's cash of year t is discounted with the scenario's timing: it is earned through the
 * year, and so is the seller's pay. */
static double keep_discount(const Scenario *sc, double rate, int t)
{
    double years = sc->timing == TIMING_MID_YEAR ? t - 0.5 : t;
    return pow(1 + rate, -years);
}

void keep_value(const Scenario *sc, const KeepSpec *keep, const KeepBook *book, KeepValue *out)
{
    const SellerSpec *s = &sc->seller;
    double d = keep->discount_rate;
    int K = keep_years(sc, keep);
    *out = (KeepValue){.years = K, .with_tail = keep->years == 0 && sc->tail == TAIL_RUNOFF};
    for (int t = 1; t <= K; t++) {
        double df = keep_discount(sc, d, t);
        out->cash_pv += book->cash[t - 1] * df;
        out->owner_compensation_pv += keep_compensation(sc, keep, t) * df;
    }
    if (out->with_tail && book->tail_pv != 0) {
        /* Beyond the horizon the seller's work shrinks with the book: the run-off bears the
         * horizon year's ratio of pay to cash. */
        double last_cash = book->cash[K - 1];
        out->cash_pv += book->tail_pv;
        if (last_cash > 0)
            out->owner_compensation_pv += book->tail_pv * keep_compensation(sc, keep, K) /
                                          last_cash;
    }
    out->income_tax_pv = s->income_tax_rate * (out->cash_pv - out->owner_compensation_pv);
    if (keep->has_exit) {
        /* A sale at K, paid at once, taxed at once with the same preset. */
        out->exit_price = keep->exit_multiple * book->revenue[K - 1];
        double gain = out->exit_price - s->tax_basis - s->selling_costs;
        out->exit_tax = tax_lump_sum(s, gain);
        out->exit_pv = (out->exit_price - s->selling_costs - out->exit_tax) * pow(1 + d, -K);
    }
    out->value = out->cash_pv - out->owner_compensation_pv - out->income_tax_pv + out->exit_pv;
}
