/*
 * conclusion.c — the concluded value and its reconciliation with the DCF.
 */
#include "conclusion.h"

#include <math.h>
#include <string.h>

int conclusion_market_position(double x, double low, double high, double *by)
{
    *by = 0;
    if (!isfinite(x))
        return 0;
    if (x < low) {
        *by = low - x;
        return -1;
    }
    if (x > high) {
        *by = x - high;
        return 1;
    }
    return 0;
}

static void row(Conclusion *c, const Dcf *dcf, ConclusionRowId id, const char *key,
                const char *label, double value, const char *why)
{
    ConclusionRow *r = &c->rows[id];
    r->present = true;
    r->key = key;
    r->label = label;
    r->value = value;
    r->vs_dcf = value - dcf->value;
    if (dcf->has_market && id != CONC_MARKET)
        r->market = conclusion_market_position(value, dcf->market_low, dcf->market_high,
                                               &r->market_by);
    r->why = why;
}

void conclusion_compute(const Scenario *sc, const Book *book, const Dcf *dcf,
                        const McResult *mc, const Deal *deal, Conclusion *c)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < CONC_ROWS; i++) {
        c->rows[i].value = c->rows[i].low = c->rows[i].high = (double)NAN;
        c->rows[i].vs_dcf = (double)NAN;
    }
    c->valuation_date = sc->valuation_date ? sc->valuation_date : "undated";
    bool investment = sc->standard_of_value == VALUE_INVESTMENT && deal && deal->has_buyer;
    c->standard = investment ? "investment" : "fair_market";
    c->standard_label = investment ? "investment value: this buyer's walk-away (expected price)"
                                   : "fair market value: the DCF for a hypothetical buyer";

    row(c, dcf, CONC_DCF, "dcf", "DCF value", dcf->value,
        "the expected cash at the scenario's rate, inputs at their means");
    if (mc) {
        row(c, dcf, CONC_MONTE_CARLO, "monte_carlo", "Monte Carlo mean", mc->stats.mean,
            "inputs drawn: the mean value is not the value at the means");
        c->rows[CONC_MONTE_CARLO].low = mc->stats.percentile[STATS_P5];
        c->rows[CONC_MONTE_CARLO].high = mc->stats.percentile[STATS_P95];
    }
    if (dcf->has_market) {
        row(c, dcf, CONC_MARKET, "market", "Market range (midpoint)",
            0.5 * (dcf->market_low + dcf->market_high),
            "multiples of fees, blind to this book's retention and margin");
        c->rows[CONC_MARKET].low = dcf->market_low;
        c->rows[CONC_MARKET].high = dcf->market_high;
    }
    if (deal && deal->has_buyer)
        row(c, dcf, CONC_BUYER, "buyer_walk_away", "Buyer's walk-away (expected price)",
            deal->max_price_expected,
            "this buyer's rate, after his tax and amortisation, these terms");
    if (deal && deal->has_keep)
        row(c, dcf, CONC_SELLER, "seller_walk_away", "Seller's walk-away (expected price)",
            deal->min_price_expected,
            "what keeping the practice is worth to him, after tax on a sale");
    if (deal)
        row(c, dcf, CONC_PRICE, "price_offered", "Price offered (expected price)",
            deal->flows.price,
            "the terms agreed, true-up, earn-out, clawback: not a valuation");
    c->concluded_row = investment ? CONC_BUYER : CONC_DCF;
    c->value = c->rows[c->concluded_row].value;

    double w = 0, m = 0, g = 0, t = 0, s1 = 0;
    for (size_t k = 0; k < dcf->cohort_count && k < book->cohort_count; k++) {
        double r = book->cohorts[k].annual_revenue;
        w += r;
        s1 += r * dcf->survival[k * (size_t)dcf->horizon];
        m += r * dcf->inputs[k].margin;
        g += r * dcf->inputs[k].revenue_growth;
        t += r * dcf->inputs[k].transfer_retention;
    }
    c->margin = w > 0 ? m / w : (double)NAN;
    c->revenue_growth = w > 0 ? g / w : (double)NAN;
    c->transfer_retention = w > 0 ? t / w : (double)NAN;
    c->retention_year1 = t > 0 ? s1 / t : (double)NAN;
    c->retained_year1 = dcf->annual_revenue > 0 && dcf->horizon > 0
                            ? dcf->revenue[0] / dcf->annual_revenue
                            : (double)NAN;
    c->discount_rate = dcf->discount_rate;
    c->buyer_rate = deal && deal->has_buyer ? deal->buyer_rate : (double)NAN;
    c->seller_rate = deal && deal->has_keep ? deal->keep_rate : (double)NAN;
}
