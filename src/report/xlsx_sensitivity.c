/*
 * xlsx_sensitivity.c — the Sensitivity sheet: tornado, grid and break-even, each figure a full
 * revaluation by bookval (values, not formulas).
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Tornado, grid and break-even: each figure a full revaluation by bookval (values: rerun the
 * scenario with --set PATH=VALUE to reproduce any of them). */
void xlsx_sensitivity_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const Scenario *sc = x->sc;
    const WhatIf *w = x->whatif;
    /* With a buyer the tornado is ranked (and charted) by the buyer's NPV: two more columns,
     * its change from the base at each side. */
    bool npv = w->has_break_even;
    int columns = npv ? 13 : 11;
    static const double widths_[] = {30, 16, 16, 18, 18, 18, 18, 16, 16, 18, 18, 18, 18};
    xlsx_layout_widths(x, ws, widths_, columns);
    xlsx_text(&x->c, ws, 0, 0, "Sensitivity: what moves the value", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
              npv ? "Each value is the scenario revalued with one input changed (rerun with --set "
                    "PATH=VALUE to reproduce it); the tornado is sorted by the swing of the "
                    "buyer's NPV, the measure the break-even speaks of. The buyer's rate and the "
                    "price move the buyer's NPV, not the DCF."
                  : "Each value is the DCF of the scenario revalued with one input changed (rerun "
                    "with --set PATH=VALUE to reproduce it); the tornado is sorted by the swing "
                    "of the DCF value.",
              x->f.note);
    static const char *const header[] = {"Parameter", "Low input", "High input",
                                         "Value at low", "Value at high", "Swing",
                                         "Buyer's break-even input", "Change at low",
                                         "Change at high", "Buyer's NPV at low",
                                         "Buyer's NPV at high", "Buyer's NPV change at low",
                                         "Buyer's NPV change at high"};
    char cell[XLSX_REF_MAX], base[32], base_npv[32];
    xlsx_text(&x->c, ws, 2, 0, "Base DCF value", x->f.bold);
    xlsx_formula(&x->c, ws, 2, 1, x->f.money, x->dcf->value, "=%s",
                 xlsx_ref(cell, "Projection", x->value_row, 5));
    lxw_rowcol_to_cell_abs(base, 2, 1, 1, 1);
    if (npv) {
        xlsx_text(&x->c, ws, 2, 9, "Base buyer's NPV", x->f.bold);
        xlsx_formula(&x->c, ws, 2, 10, x->f.money, x->deal->flows.npv, "=%s",
                     xlsx_ref(cell, "Transfer", x->transfer.result[R_NPV], 1));
        lxw_rowcol_to_cell_abs(base_npv, 2, 10, 1, 1);
    }
    int r = 3;
    xlsx_row_height(&x->c, ws, r, 30);
    for (int c = 0; c < columns; c++)
        xlsx_text(&x->c, ws, r, c, header[c], x->f.header);
    int first = r + 1;
    for (size_t i = 0; i < w->tornado_count; i++) {
        const TornadoResult *t = &w->tornado[i];
        r = first + (int)i;
        xlsx_text(&x->c, ws, r, 0, t->parameter, x->f.text);
        xlsx_number(&x->c, ws, r, 1, t->low_input, x->f.factor);
        xlsx_number(&x->c, ws, r, 2, t->high_input, x->f.factor);
        xlsx_number(&x->c, ws, r, 3, t->low_value, x->f.money);
        xlsx_number(&x->c, ws, r, 4, t->high_value, x->f.money);
        char lo[32], hi[32];
        lxw_rowcol_to_cell(lo, (lxw_row_t)r, 3);
        lxw_rowcol_to_cell(hi, (lxw_row_t)r, 4);
        xlsx_formula(&x->c, ws, r, 5, x->f.money, fabs(t->high_value - t->low_value),
                     "=ABS(%s-%s)", hi, lo);
        xlsx_formula(&x->c, ws, r, 7, x->f.money, t->low_value - x->dcf->value, "=%s-%s", lo,
                     base);
        xlsx_formula(&x->c, ws, r, 8, x->f.money, t->high_value - x->dcf->value, "=%s-%s", hi,
                     base);
        /* The buyer's NPV: what buyer.discount_rate and the price move (not the DCF). */
        for (int side = 0; side < 2; side++) {
            double at = side ? t->high_npv : t->low_npv;
            if (npv && isfinite(at)) {
                xlsx_number(&x->c, ws, r, 9 + side, at, x->f.money);
                char at_cell[32];
                lxw_rowcol_to_cell(at_cell, (lxw_row_t)r, (lxw_col_t)(9 + side));
                xlsx_formula(&x->c, ws, r, 11 + side, x->f.money, at - x->deal->flows.npv,
                             "=%s-%s", at_cell, base_npv);
            } else {
                xlsx_text(&x->c, ws, r, 9 + side, "n/a", x->f.note);
            }
        }
        if (!w->has_break_even)
            xlsx_text(&x->c, ws, r, 6, "n/a (no buyer)", x->f.note);
        else if (t->npv_unmoved)
            xlsx_text(&x->c, ws, r, 6, "n/a (the buyer discounts at buyer.discount_rate)",
                      x->f.note);
        else if (isfinite(t->break_even))
            xlsx_number(&x->c, ws, r, 6, t->break_even, x->f.factor);
        else {
            char none[96];
            snprintf(none, sizeof none, "none in [%g, %g]", t->range_low, t->range_high);
            xlsx_text(&x->c, ws, r, 6, none, x->f.note);
        }
    }
    int last = first + (int)w->tornado_count - 1;
    r = last + 2;
    if (sc->grid.enabled) {
        const GridSpec *g = &sc->grid;
        char title[200];
        snprintf(title, sizeof title, "DCF value by %s (rows) and %s (columns)", g->row_parameter,
                 g->col_parameter);
        xlsx_text(&x->c, ws, r++, 0, title, x->f.bold);
        int top = r;
        xlsx_text(&x->c, ws, r, 0, "", x->f.header);
        for (size_t c = 0; c < g->col_count; c++)
            xlsx_number(&x->c, ws, r, 1 + (int)c, g->cols[c], x->f.header);
        for (size_t i = 0; i < g->row_count; i++) {
            r++;
            xlsx_number(&x->c, ws, r, 0, g->rows[i], x->f.bold);
            for (size_t c = 0; c < g->col_count; c++)
                xlsx_number(&x->c, ws, r, 1 + (int)c, w->grid[i * g->col_count + c], x->f.money);
        }
        lxw_conditional_format heat = {.type = LXW_CONDITIONAL_3_COLOR_SCALE,
                                       .min_color = 0xF8696B, .mid_color = 0xFFEB84,
                                       .max_color = 0x63BE7B};
        xlsx_check(&x->c, worksheet_conditional_format_range(
                              ws, (lxw_row_t)(top + 1), 1, (lxw_row_t)r,
                              (lxw_col_t)g->col_count, &heat));
        r += 2;
    }
    if (!w->tornado_count)
        return;
    /* Tornado chart: the change at low and at high of what it is ranked by, largest swing on
     * top. */
    static const int dcf_cols[] = {7, 8}, npv_cols[] = {11, 12};
    static const char *const names[] = {"Change at the low input", "Change at the high input"};
    XlsxChart spec = {.type = LXW_CHART_BAR, .sheet = "Sensitivity", .first = first,
                      .last = last, .cat_col = 0, .series = 2,
                      .val_col = npv ? npv_cols : dcf_cols, .names = names,
                      .title = npv ? "Tornado: change in the buyer's NPV from the base"
                                   : "Tornado: change in the DCF value from the base",
                      .x_num = "#,##0", .legend = LXW_CHART_LEGEND_BOTTOM, .x_scale = 1.4,
                      .y_scale = 1.2};
    lxw_chart *chart = xlsx_chart(&x->c, ws, r + 1, 0, &spec);
    if (!chart)
        return;
    chart_set_series_overlap(chart, 100);
    chart_axis_set_reverse(chart->y_axis);
    chart_axis_set_label_position(chart->y_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
}
