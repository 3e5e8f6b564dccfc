/*
 * report_json.c — a small JSON emitter and the summary's layout.
 */
#include "report_json.h"

#include "json_writer.h"

#include <math.h>
#include <string.h>

/* Threads are left out on purpose: the summary is the same for any number of them. */
static void write_monte_carlo(Json *j, const McResult *mc)
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

static void write_deal(Json *j, const Deal *deal, const McResult *mc)
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
        json_number(j, "tax", f->tax_total);
        json_number(j, "net_proceeds", f->net_proceeds);
        json_number(j, "net_proceeds_pv", f->net_proceeds_pv);
        json_number(j, "keep_pv", deal->keep_pv);
        write_keep(j, deal);
        json_number(j, "min_price", deal->min_price);
        json_number(j, "min_price_expected", deal->min_price_expected);
        if (mc)
            json_stats(j, "gain_distribution", &mc->gain_stats);
        if (mc && deal->has_keep)
            json_number(j, "prob_sale_beats_keep", mc->prob_sale_beats_keep);
        else
            json_null(j, "prob_sale_beats_keep");
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
        json_number(j, "discount_rate", deal->buyer_rate);
        if (mc) {
            json_number(j, "prob_npv_negative", mc->prob_npv_negative);
            json_stats(j, "npv_distribution", &mc->npv_stats);
        } else {
            json_null(j, "prob_npv_negative");
        }
        json_close(j);
    } else {
        json_null(j, "buyer");
    }
    write_negotiation(j, deal);
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
    json_close(&j);
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
    json_number(&j, "discount_rate", dcf->discount_rate);
    json_number(&j, "horizon_years", dcf->horizon);
    json_text(&j, "timing", sc->timing == TIMING_MID_YEAR ? "mid_year" : "end_of_year");
    json_text(&j, "tail", sc->tail == TAIL_RUNOFF ? "runoff" : "none");
    json_close(&j);
    write_monte_carlo(&j, res->mc);
    write_deal(&j, res->deal, res->mc);
    write_variants(&j, sc, res->whatif);
    write_sensitivity(&j, sc, res->whatif);
    json_close(&j);
    return json_end(&j);
}
