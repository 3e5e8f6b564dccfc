/*
 * xlsx_variants.c — the Variants sheet: the scenario revalued under each variant's patch.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void xlsx_variants_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const WhatIf *w = x->whatif;
    static const double widths_[] = {36, 18, 18, 18, 18, 18, 18, 16};
    xlsx_layout_widths(x, ws, widths_, 8);
    worksheet_freeze_panes(ws, 4, 1);
    xlsx_text(&x->c, ws, 0, 0, "Variants: the scenario under other assumptions", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
              "Each row is the whole scenario revalued with the variant's patch; the base is the "
              "scenario as written. Change is against the base's DCF value.",
              x->f.note);
    static const char *const header[] = {"Variant",      "DCF value",    "Monte Carlo mean",
                                         "5th percentile", "95th percentile", "Seller's gain",
                                         "Buyer's NPV",  "Change in value"};
    xlsx_row_height(&x->c, ws, 3, 30);
    for (int c = 0; c < 8; c++)
        xlsx_text(&x->c, ws, 3, c, header[c], x->f.header);
    int base_row = 4;
    const McResult *mc = x->mc;
    const Deal *deal = x->deal;
    const double none = (double)NAN;
    VariantResult base = {"Base: the scenario as written", x->dcf->value,
                          mc ? mc->stats.mean : none, mc ? mc->stats.percentile[1] : none,
                          mc ? mc->stats.percentile[7] : none,
                          deal ? deal->flows.gain : none, deal ? deal->flows.npv : none};
    char base_value[32];
    lxw_rowcol_to_cell_abs(base_value, (lxw_row_t)base_row, 1, 1, 1);
    for (size_t i = 0; i <= w->variant_count; i++) {
        const VariantResult *v = i ? &w->variants[i - 1] : &base;
        int r = base_row + (int)i;
        xlsx_text(&x->c, ws, r, 0, v->name, i ? x->f.text : x->f.bold);
        const double cells[] = {v->dcf_value, v->mc_mean, v->mc_p5, v->mc_p95, v->seller_gain,
                                v->buyer_npv};
        for (int c = 0; c < 6; c++) {
            if (isfinite(cells[c]))
                xlsx_number(&x->c, ws, r, 1 + c, cells[c], x->f.money);
            else
                xlsx_text(&x->c, ws, r, 1 + c, "n/a", x->f.note);
        }
        char value[32];
        lxw_rowcol_to_cell(value, (lxw_row_t)r, 1);
        xlsx_formula(&x->c, ws, r, 7, x->f.rate, v->dcf_value / base.dcf_value - 1,
                     "=%s/%s-1", value, base_value);
    }
    int last = base_row + (int)w->variant_count;
    static const int cols[] = {1, 3, 4};
    static const char *const names[] = {"DCF value", "5th percentile", "95th percentile"};
    XlsxChart chart = {.type = LXW_CHART_COLUMN, .sheet = "Variants", .first = base_row,
                       .last = last, .cat_col = 0, .series = mc ? 3 : 1, .val_col = cols,
                       .names = names, .title = "Value by variant", .y_num = "#,##0",
                       .legend = LXW_CHART_LEGEND_BOTTOM, .x_scale = 1.4, .y_scale = 1.2};
    xlsx_chart(&x->c, ws, last + 2, 0, &chart);
}
