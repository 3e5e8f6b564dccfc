/*
 * report_json_risk.c — monte_carlo.{vary_discount_rate, drivers, worst_decile_inputs, targets,
 * correlations_achieved} and deal.*.price_at_risk.
 */
#include "report_json_risk.h"

#include <math.h>

#include "rate_range.h"

static void targets(Json *j, const char *key, const double *x, size_t count, const double *values,
                    long n)
{
    json_open_array(j, key);
    for (size_t i = 0; i < count; i++) {
        json_open(j, NULL);
        json_number(j, "below", x[i]);
        json_number(j, "probability", drivers_share_below(values, n, x[i]));
        json_close(j);
    }
    json_close_array(j);
}

void report_json_risk_monte_carlo(Json *j, const Results *res)
{
    const McResult *mc = res->mc;
    const Scenario *sc = res->scenario;
    const Drivers *d = res->drivers;
    json_bool(j, "vary_discount_rate", sc->monte_carlo.vary_discount_rate);
    const RateRange *rr = res->rate_range;
    if (rr && rr->has) {
        json_open(j, "discount_rate_range");
        json_number(j, "rate_p5", rr->rate_p5);
        json_number(j, "rate_p95", rr->rate_p95);
        json_number(j, "dcf_value_at_rate_p5", rr->value_at_p5);
        json_number(j, "dcf_value_at_rate_p95", rr->value_at_p95);
        json_close(j);
    } else {
        json_null(j, "discount_rate_range");
    }
    json_open_array(j, "drivers");
    for (size_t i = 0; d && i < d->count; i++) {
        json_open(j, NULL);
        json_text(j, "input", d->items[i].input);
        json_number(j, "rank_correlation", d->items[i].rank_correlation);
        json_number(j, "variance_share", d->items[i].variance_share);
        json_close(j);
    }
    json_close_array(j);
    json_text(j, "variance_share_estimator",
              "first-order index Var(E[value | input]) / Var(value), binned correlation ratio "
              "(Saltelli et al., Global Sensitivity Analysis: The Primer, 2008)");
    json_open_array(j, "worst_decile_inputs");
    for (size_t i = 0; d && i < d->count; i++) {
        json_open(j, NULL);
        json_text(j, "input", d->items[i].index < 0 ? "clients_lost" : d->items[i].input);
        json_number(j, "mean_worst_decile", d->items[i].mean_worst);
        json_number(j, "mean", d->items[i].mean);
        json_close(j);
    }
    json_close_array(j);
    json_open_array(j, "correlations_achieved");
    for (size_t i = 0; d && i < d->pair_count; i++) {
        const DriverPair *p = &d->pairs[i];
        json_open(j, NULL);
        json_open_array(j, "between");
        json_text(j, NULL, p->a);
        json_text(j, NULL, p->b);
        json_close_array(j);
        json_number(j, "target", p->target);
        json_number(j, "achieved", p->achieved);
        json_close(j);
    }
    json_close_array(j);
    json_open(j, "targets");
    targets(j, "value_below", sc->monte_carlo.value_below, sc->monte_carlo.value_below_count,
            mc->values, mc->iterations);
    if (mc->has_deal && sc->buyer.enabled)
        targets(j, "npv_below", sc->monte_carlo.npv_below, sc->monte_carlo.npv_below_count,
                mc->buyer_npv, mc->iterations);
    else
        json_null(j, "npv_below");
    json_close(j);
}

void report_json_price_at_risk(Json *j, const PriceAtRisk *p)
{
    if (!p || !p->asked) {
        json_null(j, "price_at_risk");
        return;
    }
    json_open(j, "price_at_risk");
    json_number(j, "probability", p->probability);
    json_number(j, "base_price", p->base_price);
    json_number(j, "expected_price", p->expected_price);
    json_number(j, "scale", p->factor);
    json_number(j, "iterations_failing", (double)p->failing);
    json_close(j);
}
