/*
 * report_json_conclusion.c — the JSON's provenance and conclusion.
 */
#include "report_json_parts.h"

#include "conclusion.h"

#include <math.h>

void report_json_provenance(Json *j, const RunInfo *info)
{
    json_open_array(j, "inputs");
    for (size_t i = 0; info->inputs && i < info->inputs->count; i++) {
        const InputFile *f = &info->inputs->items[i];
        json_open(j, NULL);
        json_text(j, "role", f->role);
        json_text(j, "path", f->path);
        json_text(j, "sha256", f->sha256);
        json_number(j, "bytes", (double)f->size);
        json_close(j);
    }
    json_close_array(j);
    json_open(j, "options");
    json_open_array(j, "set");
    for (size_t i = 0; i < info->set_count; i++)
        json_text(j, NULL, info->sets[i].assignment);
    json_close_array(j);
    if (info->iterations)
        json_number(j, "iterations", (double)info->iterations);
    else
        json_null(j, "iterations");
    if (info->has_seed)
        json_number(j, "seed", (double)info->seed);
    else
        json_null(j, "seed");
    json_close(j);
}

static void number_or_null(Json *j, const char *key, double x)
{
    if (isfinite(x))
        json_number(j, key, x);
    else
        json_null(j, key);
}

void report_json_conclusion(Json *j, const Results *res)
{
    Conclusion c;
    conclusion_compute(res->scenario, res->book, res->dcf, res->mc, res->deal, &c);
    json_open(j, "conclusion");
    json_text(j, "valuation_date", c.valuation_date);
    json_text(j, "standard_of_value", c.standard);
    number_or_null(j, "value", c.value);
    json_text(j, "currency", res->scenario->currency);
    json_open(j, "reconciliation");
    static const char *const market[] = {"below", "inside", "above"};
    for (int i = 0; i < CONC_ROWS; i++) {
        const ConclusionRow *r = &c.rows[i];
        if (!r->present)
            continue;
        json_open(j, r->key);
        number_or_null(j, "value", r->value);
        if (i == CONC_MONTE_CARLO || i == CONC_MARKET) {
            json_number(j, i == CONC_MARKET ? "low" : "p5", r->low);
            json_number(j, i == CONC_MARKET ? "high" : "p95", r->high);
        }
        number_or_null(j, "vs_dcf", r->vs_dcf);
        if (res->dcf->has_market && i != CONC_MARKET && isfinite(r->value)) {
            json_text(j, "market", market[r->market + 1]);
            json_number(j, "market_by", r->market_by);
        }
        json_text(j, "why", r->why);
        json_close(j);
    }
    json_close(j);
    json_open(j, "drivers");
    number_or_null(j, "margin", c.margin);
    number_or_null(j, "revenue_growth", c.revenue_growth);
    number_or_null(j, "transfer_retention", c.transfer_retention);
    number_or_null(j, "retention_year1", c.retention_year1);
    number_or_null(j, "retained_year1", c.retained_year1);
    number_or_null(j, "discount_rate", c.discount_rate);
    number_or_null(j, "buyer_discount_rate", c.buyer_rate);
    number_or_null(j, "seller_keep_rate", c.seller_rate);
    json_close(j);
    json_close(j);
}
