/*
 * report_json.c — a small JSON emitter and the summary's layout.
 */
#include "report_json.h"

#include "json_writer.h"
#include "report_json_parts.h"
#include "normalization.h"
#include "report_json_risk.h"

#include <math.h>
#include <string.h>

/* Threads are left out on purpose: the summary is the same for any number of them. */
static void write_monte_carlo(Json *j, const McResult *mc, const Results *res)
{
    if (!mc) {
        json_null(j, "monte_carlo");
        return;
    }
    static const char *const names[STATS_PERCENTILES] = {"p1",  "p5",  "p10", "p25", "p50",
                                                         "p75", "p90", "p95", "p99"};
    json_open(j, "monte_carlo");
    json_number(j, "iterations", (double)mc->iterations);
    json_number(j, "seed", (double)mc->seed);
    json_number(j, "mean", mc->stats.mean);
    json_number(j, "sd", mc->stats.sd);
    json_number(j, "se", mc->stats.se);
    for (size_t i = 0; i < STATS_PERCENTILES; i++)
        json_number(j, names[i], mc->stats.percentile[i]);
    json_number(j, "cvar5", mc->stats.cvar5);
    json_number(j, "min", mc->stats.min);
    json_number(j, "max", mc->stats.max);
    json_bool(j, "client_churn", mc->client_churn);
    json_text(j, "sampling", mc->latin_hypercube ? "latin_hypercube" : "random");
    json_bool(j, "stopped_early", mc->stopped_early);
    json_text(j, "generator", MC_GENERATOR);
    report_json_risk_monte_carlo(j, res);
    json_close(j);
}

static void json_stats(Json *j, const char *key, const Stats *st)
{
    json_open(j, key);
    json_number(j, "mean", st->mean);
    json_number(j, "sd", st->sd);
    json_number(j, "p5", st->percentile[1]);
    json_number(j, "p50", st->percentile[4]);
    json_number(j, "p95", st->percentile[7]);
    json_close(j);
}

/* deal.seller.keep: the bridge from the book's cash to the value of keeping it. */
static void write_keep(Json *j, const Deal *deal)
{
    if (!deal->has_keep) {
        json_null(j, "keep");
        return;
    }
    const KeepValue *k = &deal->keep;
    json_open(j, "keep");
    json_number(j, "cash_pv", k->cash_pv);
    json_number(j, "owner_compensation_pv", k->owner_compensation_pv);
    json_number(j, "income_tax_pv", k->income_tax_pv);
    json_number(j, "exit_pv", k->exit_pv);
    json_number(j, "value", k->value);
    json_number(j, "years", k->years);
    json_bool(j, "with_runoff", k->with_tail);
    json_number(j, "discount_rate", deal->keep_rate);
    json_close(j);
}

/* deal.negotiation: both walk-aways in both terms, the zone between them in expected-price
 * terms (what is actually paid), and where it would open when there is none. */
static void write_negotiation(Json *j, const Deal *deal)
{
    json_open(j, "negotiation");
    json_number(j, "seller_min_expected", deal->min_price_expected);
    json_number(j, "seller_min_base", deal->min_price);
    json_number(j, "buyer_max_expected", deal->max_price_expected);
    json_number(j, "buyer_max_base", deal->max_price);
    double low = deal->min_price_expected, high = deal->max_price_expected;
    if (isfinite(low) && isfinite(high) && low <= high) {
        json_open(j, "zone");
        json_number(j, "low", low);
        json_number(j, "high", high);
        json_close(j);
    } else {
        json_null(j, "zone");
    }
    if (deal->has_opens_at) {
        json_open(j, "opens_at");
        json_number(j, "owner_compensation", deal->opens_at_compensation);
        if (deal->opens_at_years > 0)
            json_number(j, "keep_years", deal->opens_at_years);
        else
            json_null(j, "keep_years");
        json_number(j, "keep_discount_rate", deal->opens_at_discount_rate);
        json_close(j);
    } else {
        json_null(j, "opens_at");
    }
    json_close(j);
}

/* deal.buyer.financing: the bank loan and the lender's cover, arrays by year 1..n. */
static void write_financing(Json *j, const Deal *deal, const McResult *mc)
{
    const LoanFlows *l = &deal->flows.loan;
    if (!l->enabled) {
        json_null(j, "financing");
        return;
    }
    json_open(j, "financing");
    json_number(j, "loan", l->amount);
    json_number(j, "payment", l->payment);
    json_number(j, "equity", l->equity);
    json_open_array(j, "debt_service");
    for (int t = 1; t <= l->n; t++)
        json_number(j, NULL, l->debt_service[t]);
    json_close_array(j);
    json_open_array(j, "dscr");
    for (int t = 1; t <= l->n; t++)
        json_number(j, NULL, l->dscr[t]);
    json_close_array(j);
    json_number(j, "dscr_year1", l->dscr_year1);
    json_number(j, "dscr_min", l->dscr_min);
    json_number(j, "max_financeable_price", deal->max_financeable_price);
    if (mc) {
        json_number(j, "prob_dscr_below_min", mc->prob_dscr_below_min);
        json_stats(j, "dscr_min_distribution", &mc->dscr_stats);
    } else {
        json_null(j, "prob_dscr_below_min");
    }
    json_close(j);
}

/* normalization: the bridge's totals, SDE, the lender's SDE, EBITDA and their margins. */
static void write_normalization(Json *j, const Scenario *sc, const Dcf *dcf)
{
    NormalizedEarnings e;
    normalization_value(sc, scenario_annual_revenue(sc), &e);
    if (!e.enabled) {
        json_null(j, "normalization");
        return;
    }
    json_open(j, "normalization");
    json_number(j, "reported_profit", e.reported_profit);
    json_number(j, "add_backs", e.add_backs);
    json_number(j, "deductions", e.deductions);
    json_number(j, "sde", e.sde);
    json_number(j, "lender_sde", e.lender_sde);
    json_number(j, "owner_market_salary", e.owner_market_salary);
    json_number(j, "ebitda", e.ebitda);
    json_number(j, "sde_margin", e.sde_margin);
    json_number(j, "ebitda_margin", e.ebitda_margin);
    json_bool(j, "margin_from_normalization", sc->normalization.margin_from);
    /* The market cross-check on the basis the multiples are given on. */
    static const char *const bases[] = {"revenue", "sde", "ebitda"};
    json_text(j, "market_basis", dcf->has_market ? bases[sc->market_basis] : NULL);
    json_number(j, "market_low", dcf->has_market ? dcf->market_low : (double)NAN);
    json_number(j, "market_high", dcf->has_market ? dcf->market_high : (double)NAN);
    json_close(j);
}

/* deal.allocation: each class's price, the seller's tax on it and the buyer's shield PV, and
 * what the split is worth to each side against all goodwill. */
static void write_allocation(Json *j, const Deal *deal)
{
    const AllocationFlows *a = &deal->flows.alloc;
    if (!a->enabled) {
        json_null(j, "allocation");
        return;
    }
    json_open(j, "allocation");
    json_open_array(j, "classes");
    for (int k = 0; k < CLASS_COUNT; k++) {
        json_open(j, NULL);
        json_text(j, "class", allocation_class_names[k]);
        json_number(j, "price", a->price[k]);
        json_number(j, "seller_tax", deal->has_seller ? a->seller_tax[k] : (double)NAN);
        json_number(j, "buyer_shield_pv", deal->has_buyer ? a->shield_pv[k] : (double)NAN);
        json_close(j);
    }
    json_close_array(j);
    const double split[2] = {deal->flows.net_proceeds_pv, deal->flows.npv};
    const double goodwill[2] = {deal->goodwill_net_proceeds_pv, deal->goodwill_npv};
    const char *const names[2] = {"split", "all_goodwill"};
    for (int v = 0; v < 2; v++) {
        const double *x = v ? goodwill : split;
        json_open(j, names[v]);
        json_number(j, "seller_net_proceeds_pv", x[0]);
        json_number(j, "buyer_npv", x[1]);
        json_number(j, "sum", x[0] + x[1]);
        json_close(j);
    }
    json_close(j);
}

static void write_deal(Json *j, const Deal *deal, const McResult *mc, const Results *res)
{
    if (!deal) {
        json_null(j, "deal");
        return;
    }
    const DealFlows *f = &deal->flows;
    json_open(j, "deal");
    json_number(j, "base_price", f->base_price);
    json_number(j, "expected_price", f->price);
    if (deal->has_seller) {
        json_open(j, "seller");
        json_number(j, "gain", f->gain);
        json_number(j, "accounting_gain", f->accounting_gain);
        json_number(j, "recaptured_gain", f->recaptured);
        json_number(j, "tax", f->tax_total);
        json_number(j, "interest_tax", f->interest_tax_total);
        json_number(j, "net_proceeds", f->net_proceeds);
        json_number(j, "net_proceeds_pv", f->net_proceeds_pv);
        json_number(j, "keep_pv", deal->keep_pv);
        write_keep(j, deal);
        json_number(j, "min_price", deal->min_price);
        json_number(j, "min_price_expected", deal->min_price_expected);
        if (mc)
            json_stats(j, "gain_distribution", &mc->gain_stats);
        if (mc)
            json_stats(j, "tax_distribution", &mc->tax_stats);
        if (mc)
            json_stats(j, "net_proceeds_pv_distribution", &mc->net_pv_stats);
        if (mc && deal->has_keep)
            json_number(j, "prob_sale_beats_keep", mc->prob_sale_beats_keep);
        else
            json_null(j, "prob_sale_beats_keep");
        report_json_price_at_risk(j, res->seller_par);
        json_close(j);
    } else {
        json_null(j, "seller");
    }
    if (deal->has_buyer) {
        json_open(j, "buyer");
        json_number(j, "npv", f->npv);
        json_number(j, "irr", f->irr);
        if (f->payback_year >= 0)
            json_number(j, "payback_year", f->payback_year);
        else
            json_null(j, "payback_year");
        json_number(j, "max_price", deal->max_price);
        json_number(j, "max_price_expected", deal->max_price_expected);
        json_number(j, "max_price_cash", deal->max_price_cash);
        json_number(j, "max_price_cash_expected", deal->max_price_cash_expected);
        json_number(j, "book_irr", deal->book_irr);
        if (f->discounted_payback_year >= 0)
            json_number(j, "discounted_payback_year", f->discounted_payback_year);
        else
            json_null(j, "discounted_payback_year");
        json_number(j, "discount_rate", deal->buyer_rate);
        if (mc) {
            json_number(j, "prob_npv_negative", mc->prob_npv_negative);
            json_stats(j, "npv_distribution", &mc->npv_stats);
        } else {
            json_null(j, "prob_npv_negative");
        }
        write_financing(j, deal, mc);
        report_json_price_at_risk(j, res->buyer_par);
        json_close(j);
    } else {
        json_null(j, "buyer");
    }
    write_negotiation(j, deal);
    write_allocation(j, deal);
    json_open(j, "closing"); /* the cut-off: outside the price */
    json_number(j, "receivables_collectible", f->closing.receivables);
    json_number(j, "paid_by_buyer", f->closing.to_buyer);
    json_number(j, "working_capital", f->closing.working_capital);
    json_close(j);
    json_close(j);
}

static void write_variants(Json *j, const Scenario *sc, const WhatIf *w)
{
    if (!w || !sc->variant_count) {
        json_null(j, "variants");
        return;
    }
    json_open_array(j, "variants");
    for (size_t i = 0; i < w->variant_count; i++) {
        const VariantResult *v = &w->variants[i];
        json_open(j, NULL);
        json_text(j, "name", v->name);
        json_number(j, "revenue", v->revenue);
        json_open(j, "dcf");
        json_number(j, "value", v->dcf_value);
        json_number(j, "value_to_revenue",
                    v->revenue > 0 ? v->dcf_value / v->revenue : (double)NAN);
        json_close(j);
        if (isfinite(v->mc_mean)) {
            json_open(j, "monte_carlo");
            json_number(j, "mean", v->mc_mean);
            json_number(j, "p5", v->mc_p5);
            json_number(j, "p95", v->mc_p95);
            json_close(j);
        } else {
            json_null(j, "monte_carlo");
        }
        if (sc->deal.enabled) {
            json_open(j, "deal");
            json_number(j, "price", v->price);
            json_open(j, "seller");
            json_number(j, "gain", v->seller_gain);
            json_close(j);
            json_open(j, "buyer");
            json_number(j, "npv", v->buyer_npv);
            json_number(j, "irr", v->buyer_irr);
            json_number(j, "prob_npv_negative", v->prob_npv_negative);
            json_close(j);
            json_close(j);
        } else {
            json_null(j, "deal");
        }
        json_open_array(j, "reach");
        for (size_t k = 0; k < v->reach_count; k++) {
            json_open(j, NULL);
            json_text(j, "key", v->reach[k].key);
            json_number(j, "clients", (double)v->reach[k].clients);
            json_number(j, "revenue_share", v->reach[k].revenue_share);
            json_close(j);
        }
        json_close_array(j);
        json_close(j);
    }
    json_close_array(j);
}

static void write_sensitivity(Json *j, const Scenario *sc, const WhatIf *w)
{
    if (!w || (!sc->tornado_count && !sc->grid.enabled)) {
        json_null(j, "sensitivity");
        return;
    }
    json_open(j, "sensitivity");
    json_open_array(j, "tornado");
    for (size_t i = 0; i < w->tornado_count; i++) {
        const TornadoResult *t = &w->tornado[i];
        json_open(j, NULL);
        json_text(j, "parameter", t->parameter);
        json_number(j, "low_input", t->low_input);
        json_number(j, "high_input", t->high_input);
        json_number(j, "low_value", t->low_value);
        json_number(j, "high_value", t->high_value);
        json_number(j, "low_npv", t->low_npv);
        json_number(j, "high_npv", t->high_npv);
        json_close(j);
    }
    json_close_array(j);
    const GridSpec *g = &sc->grid;
    if (g->enabled) {
        json_open(j, "grid");
        json_text(j, "row_parameter", g->row_parameter);
        json_text(j, "col_parameter", g->col_parameter);
        json_open_array(j, "rows");
        for (size_t r = 0; r < g->row_count; r++)
            json_number(j, NULL, g->rows[r]);
        json_close_array(j);
        json_open_array(j, "cols");
        for (size_t c = 0; c < g->col_count; c++)
            json_number(j, NULL, g->cols[c]);
        json_close_array(j);
        json_open_array(j, "values");
        for (size_t r = 0; r < g->row_count; r++) {
            json_open_array(j, NULL);
            for (size_t c = 0; c < g->col_count; c++)
                json_number(j, NULL, w->grid[r * g->col_count + c]);
            json_close_array(j);
        }
        json_close_array(j);
        json_close(j);
    } else {
        json_null(j, "grid");
    }
    if (w->has_break_even) {
        json_open_array(j, "break_even");
        for (size_t i = 0; i < w->tornado_count; i++) {
            json_open(j, NULL);
            json_text(j, "parameter", w->tornado[i].parameter);
            json_number(j, "value", w->tornado[i].break_even);
            json_close(j);
        }
        json_close_array(j);
    } else {
        json_null(j, "break_even");
    }
    json_close(j);
}

bool report_json_write(FILE *out, const Results *res)
{
    const Scenario *sc = res->scenario;
    const Book *book = res->book;
    const Dcf *dcf = res->dcf;
    const RunInfo *info = res->info;
    Json j;
    json_begin(&j, out);
    json_open(&j, NULL);
    json_text(&j, "bookval_version", info->bookval_version);
    json_open(&j, "scenario");
    json_text(&j, "name", sc->name);
    json_text(&j, "file", sc->file);
    json_text(&j, "currency", sc->currency);
    json_text(&j, "sha256", info->scenario_sha256);
    if (sc->tax_regime.name) {
        json_open(&j, "tax_regime");
        json_text(&j, "name", sc->tax_regime.name);
        json_number(&j, "year", sc->tax_regime.year);
        json_text(&j, "sources", sc->tax_regime.sources);
        json_close(&j);
    } else {
        json_null(&j, "tax_regime");
    }
    json_close(&j);
    report_json_provenance(&j, info);
    const Diagnostics *d = res->diag;
    json_open(&j, "book");
    json_number(&j, "clients", (double)sc->client_count);
    json_number(&j, "annual_revenue", book->annual_revenue);
    json_number(&j, "cohorts", (double)book->cohort_count);
    json_number(&j, "active_clients", (double)d->active_clients);
    json_number(&j, "active_rate", d->active_rate);
    json_number(&j, "hhi", d->hhi);
    json_number(&j, "top1_share", d->top1_share);
    json_number(&j, "top5_share", d->top5_share);
    json_number(&j, "top10_share", d->top10_share);
    json_number(&j, "top10_value_share", d->top10_value_share);
    json_number(&j, "revenue_at_risk", d->revenue_at_risk);
    if (isfinite(d->median_years_active))
        json_number(&j, "median_remaining_years", d->median_years_active);
    else
        json_null(&j, "median_remaining_years");
    json_number(&j, "receivables", d->receivables);
    if (sc->provision_count)
        json_number(&j, "provision", d->provision);
    else
        json_null(&j, "provision");
    json_open(&j, "abc");
    for (int c = 0; c < 3; c++) {
        json_open(&j, (const char *[]){"A", "B", "C"}[c]);
        json_number(&j, "clients", (double)d->abc_clients[c]);
        json_number(&j, "annual_revenue", d->abc_revenue[c]);
        json_close(&j);
    }
    json_close(&j);
    json_close(&j);
    json_open(&j, "dcf");
    json_number(&j, "value", dcf->value);
    json_number(&j, "horizon_value", dcf->horizon_value);
    json_number(&j, "tail_value", dcf->tail_value);
    json_number(&j, "value_to_revenue", dcf->value_to_revenue);
    json_text(&j, "cash_flows", dcf->after_tax ? "after_tax" : "pre_tax");
    json_number(&j, "tax_rate", dcf->tax_rate);
    json_number(&j, "amortization_years", dcf->amortization_years);
    json_number(&j, "amortization_benefit_factor", dcf->benefit_factor);
    json_number(&j, "discount_rate", dcf->discount_rate);
    json_number(&j, "horizon_years", dcf->horizon);
    json_text(&j, "timing", sc->timing == TIMING_MID_YEAR ? "mid_year" : "end_of_year");
    json_text(&j, "tail", sc->tail == TAIL_RUNOFF ? "runoff" : "none");
    json_close(&j);
    report_json_conclusion(&j, res);
    write_normalization(&j, sc, dcf);
    write_monte_carlo(&j, res->mc, res);
    write_deal(&j, res->deal, res->mc, res);
    write_variants(&j, sc, res->whatif);
    write_sensitivity(&j, sc, res->whatif);
    json_close(&j);
    return json_end(&j);
}
