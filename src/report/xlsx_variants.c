/*
 * xlsx_variants.c — the Variants sheet: the scenario revalued under each variant's patch.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define VARIANT_COLUMNS 14

/* "margin: 118 clients (100% of fees); deal.price: no client" */
static void reach_text(const VariantResult *v, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t k = 0; k < v->reach_count; k++) {
        const VariantReach *r = &v->reach[k];
        size_t used = strlen(out);
        if (r->clients)
            snprintf(out + used, size - used, "%s%s: %zu clients (%.1f%% of fees)",
                     k ? "; " : "", r->key, r->clients, 100 * r->revenue_share);
        else
            snprintf(out + used, size - used, "%s%s: no client", k ? "; " : "", r->key);
    }
}

void xlsx_variants_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const WhatIf *w = x->whatif;
    static const double widths_[] = {36, 16, 16, 12, 16, 16, 16, 16, 16, 16, 11, 11, 12, 60};
    xlsx_layout_widths(x, ws, widths_, VARIANT_COLUMNS);
    worksheet_freeze_panes(ws, 4, 1);
    xlsx_text(&x->c, ws, 0, 0, "Variants: the scenario under other assumptions", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
              "Each row is the whole scenario revalued with the variant's patch; the base is the "
              "scenario as written. Change is against the base's DCF value. A top-level key "
              "reaches every client; the last column says which clients each changed key reached.",
              x->f.note);
    static const char *const header[VARIANT_COLUMNS] = {
        "Variant",        "Annual revenue",  "DCF value",     "Value / revenue",
        "Monte Carlo mean", "5th percentile", "95th percentile", "Expected price",
        "Seller's gain",  "Buyer's NPV",     "Buyer's IRR",   "P(buyer's NPV < 0)",
        "Change in value", "Clients each changed key reached"};
    xlsx_row_height(&x->c, ws, 3, 30);
    for (int c = 0; c < VARIANT_COLUMNS; c++)
        xlsx_text(&x->c, ws, 3, c, header[c], x->f.header);
    int base_row = 4;
    const McResult *mc = x->mc;
    const Deal *deal = x->deal;
    const double none = (double)NAN;
    bool buyer = deal && deal->has_buyer;
    VariantResult base = {
        .name = "Base: the scenario as written", .dcf_value = x->dcf->value,
        .mc_mean = mc ? mc->stats.mean : none, .mc_p5 = mc ? mc->stats.percentile[1] : none,
        .mc_p95 = mc ? mc->stats.percentile[7] : none,
        .seller_gain = deal ? deal->flows.gain : none, .buyer_npv = deal ? deal->flows.npv : none,
        .revenue = x->dcf->annual_revenue, .price = deal ? deal->flows.price : none,
        .buyer_irr = buyer ? deal->flows.irr : none,
        .prob_npv_negative = buyer && mc ? mc->prob_npv_negative : none, .reach_count = 0};
    char base_value[32];
    lxw_rowcol_to_cell_abs(base_value, (lxw_row_t)base_row, 2, 1, 1);
    for (size_t i = 0; i <= w->variant_count; i++) {
        const VariantResult *v = i ? &w->variants[i - 1] : &base;
        int r = base_row + (int)i;
        xlsx_text(&x->c, ws, r, 0, v->name, i ? x->f.text : x->f.bold);
        /* column, value, format; NaN shows "n/a" */
        const struct {
            int col;
            double value;
            lxw_format *format;
        } cells[] = {{1, v->revenue, x->f.money},      {2, v->dcf_value, x->f.money},
                     {4, v->mc_mean, x->f.money},      {5, v->mc_p5, x->f.money},
                     {6, v->mc_p95, x->f.money},       {7, v->price, x->f.money},
                     {8, v->seller_gain, x->f.money},  {9, v->buyer_npv, x->f.money},
                     {10, v->buyer_irr, x->f.rate},    {11, v->prob_npv_negative, x->f.rate}};
        for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++) {
            if (isfinite(cells[c].value))
                xlsx_number(&x->c, ws, r, cells[c].col, cells[c].value, cells[c].format);
            else
                xlsx_text(&x->c, ws, r, cells[c].col, "n/a", x->f.note);
        }
        char value[32], revenue[32];
        lxw_rowcol_to_cell(value, (lxw_row_t)r, 2);
        lxw_rowcol_to_cell(revenue, (lxw_row_t)r, 1);
        if (v->revenue > 0)
            xlsx_formula(&x->c, ws, r, 3, x->f.factor, v->dcf_value / v->revenue, "=%s/%s",
                         value, revenue);
        else
            xlsx_text(&x->c, ws, r, 3, "n/a", x->f.note);
        xlsx_formula(&x->c, ws, r, 12, x->f.rate, v->dcf_value / base.dcf_value - 1,
                     "=%s/%s-1", value, base_value);
        char reach[1024];
        reach_text(v, reach, sizeof reach);
        xlsx_text(&x->c, ws, r, 13, i ? reach : "(the scenario as written)", x->f.note);
    }
    int last = base_row + (int)w->variant_count;
    static const int cols[] = {2, 5, 6};
    static const char *const names[] = {"DCF value", "5th percentile", "95th percentile"};
    XlsxChart chart = {.type = LXW_CHART_COLUMN, .sheet = "Variants", .first = base_row,
                       .last = last, .cat_col = 0, .series = mc ? 3 : 1, .val_col = cols,
                       .names = names, .title = "Value by variant", .y_num = "#,##0",
                       .legend = LXW_CHART_LEGEND_BOTTOM, .x_scale = 1.4, .y_scale = 1.2};
    xlsx_chart(&x->c, ws, last + 2, 0, &chart);
}
