/*
 * xlsx_summary.c — the Summary sheet: the headline figures, each a formula pointing at the
 * sheet that computes it (Projection, Monte Carlo, Transfer, Assumptions).
 */
#include "xlsx_layout.h"
#include "xlsx_risk.h"

#include "conclusion.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void summary_row(XlsxCtx *x, lxw_worksheet *ws, int r, const char *label, const char *note)
{
    xlsx_text(&x->c, ws, r, 0, label, x->f.text);
    if (note)
        xlsx_text(&x->c, ws, r, 2, note, x->f.note);
}

/* The deal's headline figures and the negotiation range, from the Transfer sheet. */
static int summary_deal(XlsxCtx *x, lxw_worksheet *ws, int r)
{
    const Deal *deal = x->deal;
    const TransferLayout *l = &x->transfer;
    char cell[XLSX_REF_MAX];
    r++;
    summary_row(x, ws, r, "Deal: base price", "as agreed, before true-up, earn-out, clawback");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, deal->flows.base_price, "=%s",
                xlsx_ref(cell, "Transfer", l->input[I_BASE_PRICE], 1));
    summary_row(x, ws, r, "  expected price", "the sum of principal the seller expects");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, deal->flows.price, "=%s",
                xlsx_ref(cell, "Transfer", l->result[R_PRICE], 1));
    if (deal->has_seller) {
        summary_row(x, ws, r, "  seller's net proceeds (PV)", "after tax and costs");
        xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, deal->flows.net_proceeds_pv, "=%s",
                    xlsx_ref(cell, "Transfer", l->result[R_NET_PV], 1));
    }
    if (deal->has_buyer) {
        summary_row(x, ws, r, "  buyer's NPV", "at the buyer's rate, after tax");
        xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, deal->flows.npv, "=%s",
                    xlsx_ref(cell, "Transfer", l->result[R_NPV], 1));
    }
    if (deal->has_keep) {
        summary_row(x, ws, r, "Value of keeping the practice (seller)",
                    x->sc->seller.keep.owner_compensation == 0
                        ? "his cash if he kept it, after income tax; his own work is counted "
                          "as free (no seller.keep.owner_compensation)"
                        : "his cash if he kept it, less his own work at a replacement's pay, "
                          "after income tax, until he stops");
        xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, deal->keep.value, "=%s",
                    xlsx_ref(cell, "Transfer", l->result[R_KEEP_PV], 1));
    }
    /* Both walk-aways in what is actually paid (expected price), the base price beside. */
    static const struct {
        int result;
        const char *label, *note;
    } rows[] = {
        {R_MIN_EXPECTED, "Seller's walk-away (expected price)",
         "below it, keeping the practice is worth more to him"},
        {R_MIN_PRICE, "  as a base price", "the price quoted, every price term scaled"},
        {R_MAX_EXPECTED, "Buyer's walk-away (expected price)",
         "above it, the buyer's NPV is negative"},
        {R_MAX_PRICE, "  as a base price", "the price quoted, every price term scaled"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        bool seller_row = rows[i].result == R_MIN_EXPECTED || rows[i].result == R_MIN_PRICE;
        if (seller_row ? !deal->has_keep : !deal->has_buyer)
            continue;
        double v = rows[i].result == R_MIN_EXPECTED   ? deal->min_price_expected
                   : rows[i].result == R_MIN_PRICE    ? deal->min_price
                   : rows[i].result == R_MAX_EXPECTED ? deal->max_price_expected
                                                      : deal->max_price;
        summary_row(x, ws, r, rows[i].label, rows[i].note);
        if (isfinite(v))
            xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, v, "=%s",
                        xlsx_ref(cell, "Transfer", l->result[rows[i].result], 1));
        else
            xlsx_text(&x->c, ws, r++, 1, "none", x->f.note);
    }
    r = xlsx_risk_summary_rows(x, ws, r);
    if (deal->has_keep && deal->has_buyer) {
        summary_row(x, ws, r, "Negotiation zone (expected price)", NULL);
        double low = deal->min_price_expected, high = deal->max_price_expected;
        char cached[160];
        if (low <= high)
            snprintf(cached, sizeof cached, "from %.0f to %.0f", round(low), round(high));
        else
            snprintf(cached, sizeof cached,
                     "none: the seller needs %.0f more than the buyer can pay",
                     round(low - high));
        char f[XLSX_FORMULA_MAX];
        snprintf(f, sizeof f, "=%s", xlsx_ref(cell, "Transfer", l->result[R_ZONE], 1));
        if (!isfinite(low) || !isfinite(high))
            xlsx_text(&x->c, ws, r++, 1,
                      !isfinite(high) ? "none: no price leaves the buyer a non-negative NPV"
                                      : "none: no price is worth more to the seller than keeping",
                      x->f.bold);
        else
            xlsx_formula_text(&x->c, ws, r++, 1, f, x->f.bold, cached);
    }
    return r;
}

void xlsx_summary_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const Scenario *sc = x->sc;
    const Dcf *dcf = x->dcf;
    xlsx_check(&x->c, worksheet_set_column(ws, 0, 0, 34, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 1, 1, 20, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 2, 2, 60, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 3, 3, 16, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 4, 4, 26, NULL));
    worksheet_freeze_panes(ws, 3, 0);
    xlsx_text(&x->c, ws, 0, 0, sc->name, x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Value of the book by discounted cash flow. Every figure is a live formula: "
             "follow it to Projection, Assumptions and Clients.",
             x->f.note);
    xlsx_text(&x->c, ws, 2, 0, "Figure", x->f.header);
    xlsx_text(&x->c, ws, 2, 1, "Value", x->f.header);
    xlsx_text(&x->c, ws, 2, 2, "How it is computed", x->f.header);

    char formula[XLSX_FORMULA_MAX] = "", cell[XLSX_REF_MAX], a[XLSX_REF_MAX], b[XLSX_REF_MAX];
    /* The conclusion first; the figures it names follow it (rows fixed here). */
    int r = 3 + xlsx_summary_conclusion_rows(x);
    int revenue_row = r + 1, market_low_row = dcf->has_market ? r + 8 : -1;
    xlsx_summary_conclusion(x, ws, 3, revenue_row, market_low_row);
    for (size_t s = 0; s < x->client_sheets; s++) {
        char sheet[32], ids[XLSX_REF_MAX];
        xlsx_layout_clients_sheet(sheet, sizeof sheet, s);
        xlsx_range(ids, sheet, 1, C_ID, (int)xlsx_layout_clients_on_sheet(x, s), C_ID);
        snprintf(formula + strlen(formula), sizeof formula - strlen(formula), "%sCOUNTA(%s)",
                 s ? "+" : "", ids);
    }
    summary_row(x, ws, r, "Clients", "count of the Clients sheet");
    xlsx_formula(&x->c, ws, r++, 1, x->f.clients, (double)sc->client_count, "=%s", formula);
    formula[0] = '\0';
    for (size_t s = 0; s < x->client_sheets; s++) {
        char sheet[32], revs[XLSX_REF_MAX];
        xlsx_layout_clients_sheet(sheet, sizeof sheet, s);
        xlsx_range(revs, sheet, 1, C_BOOK_REVENUE, (int)xlsx_layout_clients_on_sheet(x, s),
                   C_BOOK_REVENUE);
        snprintf(formula + strlen(formula), sizeof formula - strlen(formula), "%sSUM(%s)",
                 s ? "+" : "", revs);
    }
    summary_row(x, ws, r, "Annual revenue of the book",
                "sum of the clients' revenue valued (inactive_clients)");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, dcf->annual_revenue, "=%s", formula);
    r++;
    int value_row = r;
    summary_row(x, ws, r, "DCF value",
                dcf->after_tax ? "years 1 to H plus the run-off tail; after-tax cash with the tax "
                                 "amortisation benefit (cash_flows: after_tax, see Projection)"
                               : "years 1 to H plus the run-off tail; pre-tax cash (cash_flows: "
                                 "pre_tax) at a pre-tax rate");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole_total, dcf->value, "=%s",
                xlsx_ref(cell, "Projection", x->value_row, 5));
    summary_row(x, ws, r, "  of which years 1 to H", NULL);
    xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, dcf->horizon_value, "=%s",
                xlsx_ref(cell, "Projection", x->total_row, 5));
    summary_row(x, ws, r, "  of which beyond year H",
                sc->tail == TAIL_RUNOFF ? "exact run-off of the surviving book"
                                        : "tail: none (nothing counted after the horizon)");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, dcf->tail_value, "=%s",
                xlsx_ref(cell, "Projection", x->tail_total_row, 5));
    summary_row(x, ws, r, "Value / annual revenue", "the multiple the DCF implies");
    lxw_rowcol_to_cell(a, (lxw_row_t)value_row, 1);
    lxw_rowcol_to_cell(b, (lxw_row_t)revenue_row, 1);
    if (isfinite(dcf->value_to_revenue))
        xlsx_formula(&x->c, ws, r++, 1, x->f.multiple, dcf->value_to_revenue, "=%s/%s", a, b);
    else
        xlsx_text(&x->c, ws, r++, 1, "n/a (no revenue)", x->f.text);

    if (dcf->has_market) {
        r++;
        char low[XLSX_REF_MAX], high[XLSX_REF_MAX], basis[32];
        snprintf(basis, sizeof basis, "%s", b);
        if (sc->market_basis != 0) /* the bridge's SDE or EBITDA, three rows below */
            lxw_rowcol_to_cell(basis,
                               (lxw_row_t)xlsx_summary_bridge_row(x, r + 4, sc->market_basis),
                               1);
        static const char *const lows[] = {"Market value, low multiple",
                                           "Market value, low multiple of SDE",
                                           "Market value, low multiple of EBITDA"};
        static const char *const highs[] = {"Market value, high multiple",
                                            "Market value, high multiple of SDE",
                                            "Market value, high multiple of EBITDA"};
        summary_row(x, ws, r, lows[sc->market_basis], NULL);
        xlsx_number(&x->c, ws, r, 2, sc->multiple_low, x->f.input_multiple);
        lxw_rowcol_to_cell(low, (lxw_row_t)r, 2);
        xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, dcf->market_low, "=%s*%s", low, basis);
        summary_row(x, ws, r, highs[sc->market_basis], NULL);
        xlsx_number(&x->c, ws, r, 2, sc->multiple_high, x->f.input_multiple);
        lxw_rowcol_to_cell(high, (lxw_row_t)r, 2);
        xlsx_formula(&x->c, ws, r++, 1, x->f.money_whole, dcf->market_high, "=%s*%s", high, basis);
        char lo_v[32], hi_v[32];
        lxw_rowcol_to_cell(lo_v, (lxw_row_t)(r - 2), 1);
        lxw_rowcol_to_cell(hi_v, (lxw_row_t)(r - 1), 1);
        /* Inside, below or above the range, and by how much (the conclusion's table checks
         * the price and both walk-aways against it too). */
        summary_row(x, ws, r, "Market cross-check",
                    "the DCF against the market range: inside, or how far below or above");
        char f[XLSX_FORMULA_MAX], cached[120], by[48];
        double gap;
        int pos = conclusion_market_position(dcf->value, dcf->market_low, dcf->market_high, &gap);
        xlsx_whole(by, sizeof by, gap);
        if (pos == 0)
            snprintf(cached, sizeof cached, "inside");
        else
            snprintf(cached, sizeof cached, "%s by %s %s",
                     pos < 0 ? "below" : "above", by, sc->currency);
        snprintf(f, sizeof f,
                 "=IF(%s<%s,\"below by \"&FIXED(%s-%s,0)&\" %s\","
                 "IF(%s>%s,\"above by \"&FIXED(%s-%s,0)&\" %s\",\"inside\"))",
                 a, lo_v, lo_v, a, sc->currency, a, hi_v, a, hi_v, sc->currency);
        xlsx_formula_text(&x->c, ws, r++, 1, f, x->f.bold, cached);
    }
    if (sc->normalization.enabled)
        r = xlsx_summary_bridge(x, ws, r + 1, b);
    if (x->mc) {
        r++;
        static const struct {
            int stat;
            const char *label, *note;
        } rows[] = {
            {MC_MEAN, "Monte Carlo mean", "average simulated value: uncertain inputs drawn"},
            {MC_P5, "  5th percentile", "1 in 20 simulated books is worth less"},
            {MC_P95, "  95th percentile", "1 in 20 simulated books is worth more"},
            {MC_SD, "  Standard deviation", NULL},
            {MC_CVAR5, "  CVaR 5%", "average of the worst 5% of simulated values"},
        };
        const Stats *st = &x->mc->stats;
        const double cached[] = {st->mean, st->percentile[1], st->percentile[7], st->sd,
                                 st->cvar5};
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            summary_row(x, ws, r, rows[i].label,
                        i == 0 && sc->monte_carlo.vary_discount_rate
                            ? "average simulated value: uncertain inputs drawn, the discount "
                              "rate too (vary_discount_rate: true)"
                            : rows[i].note);
            /* The Monte Carlo sheet is laid out (its statistics rows) before Summary. */
            xlsx_formula(&x->c, ws, r++, 1, i == 0 ? x->f.money_whole_total : x->f.money_whole,
                        cached[i],
                        "=%s", xlsx_ref(cell, "Monte Carlo", MC_FIRST_ROW + rows[i].stat, M_STAT));
        }
    }
    if (x->deal)
        r = summary_deal(x, ws, r);
    r++;
    summary_row(x, ws, r, "Discount rate", "mean of its distribution when uncertain");
    xlsx_formula(&x->c, ws, r++, 1, x->f.rate, dcf->discount_rate, "=%s",
                xlsx_ref(cell, "Assumptions", x->discount_row, A_VALUE));
    summary_row(x, ws, r, "Horizon", NULL);
    xlsx_formula(&x->c, ws, r++, 1, x->f.years, sc->horizon_years, "=%s",
                xlsx_ref(cell, "Assumptions", x->horizon_row, A_VALUE));
    summary_row(x, ws, r, "Timing", "end_of_year or mid_year");
    xlsx_text(&x->c, ws, r++, 1, sc->timing == TIMING_MID_YEAR ? "mid_year" : "end_of_year",
             x->f.text);
    summary_row(x, ws, r, "Tail", NULL);
    xlsx_text(&x->c, ws, r++, 1, sc->tail == TAIL_RUNOFF ? "runoff" : "none", x->f.text);

    /* Expected revenue retained, year by year. */
    int H = sc->horizon_years;
    static const int cols[] = {3, 5};
    static const char *const names[] = {"Expected revenue", "Present value of cash"};
    XlsxChart chart = {.type = LXW_CHART_COLUMN, .sheet = "Projection", .first = x->year_first,
                       .last = x->year_first + H - 1, .cat_col = 0, .series = 2, .val_col = cols,
                       .names = names, .title = "Expected revenue retained by year",
                       .x_name = "Year after the sale", .y_name = sc->currency,
                       .y_num = "#,##0", .legend = LXW_CHART_LEGEND_BOTTOM, .x_scale = 1.4,
                       .y_scale = 1.3};
    xlsx_chart(&x->c, ws, r + 1, 0, &chart);
}
