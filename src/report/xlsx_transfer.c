/*
 * xlsx_transfer.c — the Transfer sheet: the deal's inputs, the payment schedule year by year,
 * the seller's gain and tax, the buyer's NPV, and the deal priced on each simulated book.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The bracket table on `amount`: sum of rate x (min(amount, next) - from) over brackets
 * whose from < amount. */
static void bracket_table(const TransferLayout *l, const XlsxCtx *x, const char *amount,
                          char *out, size_t size)
{
    char from[XLSX_REF_MAX], next[XLSX_REF_MAX], rate[XLSX_REF_MAX];
    int last = l->bracket_first + (int)x->sc->seller.bracket_count - 1;
    xlsx_range(from, NULL, l->bracket_first, 4, last, 4);
    xlsx_range(next, NULL, l->bracket_first, 5, last, 5);
    xlsx_range(rate, NULL, l->bracket_first, 6, last, 6);
    snprintf(out, size, "SUMPRODUCT(%s,((%s<%s)*%s+(%s>=%s)*%s-%s)*(%s>%s))", rate, amount, next,
             amount, amount, next, next, from, amount, from);
}

/* Tax on `amount` (a cell or an expression) stacked on the seller's other income o (tax.h):
 * table(o + amount) - table(o), plus the surtax unless he materially participated. */
void xlsx_transfer_bracket_tax(const TransferLayout *l, const XlsxCtx *x, const char *amount,
                               char *out, size_t size)
{
    char o[32], m[32], srate[32], sabove[32], stacked[XLSX_REF_MAX + 64];
    char with[XLSX_FORMULA_MAX / 8], without[XLSX_FORMULA_MAX / 8];
    lxw_rowcol_to_cell_abs(o, (lxw_row_t)l->input[I_OTHER_INCOME], 1, 1, 1);
    lxw_rowcol_to_cell_abs(m, (lxw_row_t)l->input[I_MATERIAL], 1, 1, 1);
    lxw_rowcol_to_cell_abs(srate, (lxw_row_t)l->input[I_SURTAX_RATE], 1, 1, 1);
    lxw_rowcol_to_cell_abs(sabove, (lxw_row_t)l->input[I_SURTAX_ABOVE], 1, 1, 1);
    snprintf(stacked, sizeof stacked, "(%s+%s)", o, amount);
    bracket_table(l, x, stacked, with, sizeof with);
    bracket_table(l, x, o, without, sizeof without);
    snprintf(out, size, "IF(%s>0,%s-%s+IF(%s,0,%s*(MAX(0,%s-%s)-MAX(0,%s-%s))),0)", amount, with,
             without, m, srate, stacked, sabove, o, sabove);
}

void xlsx_transfer_input(XlsxCtx *x, lxw_worksheet *ws, int r, const char *label, double v,
                         lxw_format *f)
{
    xlsx_text(&x->c, ws, r, 0, label, x->f.text);
    xlsx_number(&x->c, ws, r, 1, v, f);
}

/* Year t of the book as its seller would keep it: its revenue and cash (bookval's, from the
 * cohorts without the sale's losses), his pay and the keep rate's discount factor, 0 after the
 * years he would keep it. */
static void write_keep_columns(XlsxCtx *x, lxw_worksheet *ws, int r, int t,
                               char c[T_COLUMNS][32], const char *in[I_COUNT])
{
    const Scenario *sc = x->sc;
    const Deal *deal = x->deal;
    const KeepSpec *keep = &sc->seller.keep;
    int K = deal->keep.years;
    xlsx_number(&x->c, ws, r, T_KEEP_REVENUE, deal->keep_revenue[t - 1], x->f.money);
    if (keep->has_margin)
        xlsx_formula(&x->c, ws, r, T_KEEP_CASH, x->f.money, deal->keep_cash[t - 1], "=%s*%s",
                     in[I_KEEP_MARGIN], c[T_KEEP_REVENUE]);
    else
        xlsx_number(&x->c, ws, r, T_KEEP_CASH, deal->keep_cash[t - 1], x->f.money);
    xlsx_formula(&x->c, ws, r, T_KEEP_PAY, x->f.money, t <= K ? keep_compensation(sc, keep, t) : 0,
                 "=IF(%s<=%s,%s*(1+%s)^(%s-1),0)", c[T_YEAR], in[I_KEEP_YEARS], in[I_KEEP_PAY],
                 in[I_KEEP_PAY_GROWTH], c[T_YEAR]);
    double when = sc->timing == TIMING_MID_YEAR ? t - 0.5 : t;
    xlsx_formula(&x->c, ws, r, T_KEEP_DF, x->f.factor, t <= K ? pow(1 + deal->keep_rate, -when) : 0,
                 "=IF(%s<=%s,1/(1+%s)^(%s%s),0)", c[T_YEAR], in[I_KEEP_YEARS], in[I_KEEP_RATE],
                 c[T_YEAR], sc->timing == TIMING_MID_YEAR ? "-0.5" : "");
}

/* The seller's keep assumptions (seller.keep), inputs like the deal's. */
static void write_keep_input(XlsxCtx *x, lxw_worksheet *ws, int r, int i)
{
    const Scenario *sc = x->sc;
    const KeepSpec *keep = &sc->seller.keep;
    switch (i) {
    case I_KEEP_MARGIN:
        xlsx_text(&x->c, ws, r, 0, "Keep: margin before the seller's pay", x->f.text);
        if (keep->has_margin)
            xlsx_number(&x->c, ws, r, 1, keep->margin, x->f.input_rate);
        else
            xlsx_text(&x->c, ws, r, 1, "the book's", x->f.note);
        break;
    case I_KEEP_PAY:
        xlsx_transfer_input(x, ws, r, "Keep: the seller's work, a replacement's pay (year 1)",
                       keep->owner_compensation, x->f.input_money);
        if (keep->owner_compensation == 0)
            xlsx_text(&x->c, ws, r, 2, "0: the seller's work is counted as free", x->f.note);
        break;
    case I_KEEP_PAY_GROWTH:
        xlsx_transfer_input(x, ws, r, "Keep: growth of that pay",
                       keep->has_compensation_growth ? keep->compensation_growth
                                                     : dist_mean(&sc->defaults.revenue_growth),
                       x->f.input_rate);
        break;
    case I_KEEP_YEARS:
        xlsx_transfer_input(x, ws, r, "Keep: years until the seller stops", x->deal->keep.years,
                       x->f.input_count);
        if (x->deal->keep.with_tail)
            xlsx_text(&x->c, ws, r, 2, "and the run-off beyond the horizon", x->f.note);
        break;
    case I_KEEP_RATE:
        xlsx_transfer_input(x, ws, r, "Keep: discount rate (the book's risk)", keep->discount_rate,
                       x->f.input_rate);
        break;
    case I_KEEP_EXIT:
        xlsx_transfer_input(x, ws, r, "Keep: exit sale then, multiple of that year's revenue",
                       keep->has_exit ? keep->exit_multiple : 0, x->f.input_multiple);
        if (!keep->has_exit)
            xlsx_text(&x->c, ws, r, 2, "none: the practice is wound down", x->f.note);
        break;
    default:
        break;
    }
}

/* Year t's bank loan flow: + the loan at closing, - payment + tax x interest in its years. */
static void write_loan_column(XlsxCtx *x, lxw_worksheet *ws, int r, int t,
                              char c[T_COLUMNS][32], const char *in[I_COUNT])
{
    const LoanFlows *l = &x->deal->flows.loan;
    char a[32], b[32];
    if (t == 0) {
        xlsx_transfer_financing_cell(x, 0, 0, a);
        xlsx_formula(&x->c, ws, r, T_LOAN, x->f.money, l->net[t], "=%s", a);
    } else if (t <= l->n) {
        xlsx_transfer_financing_cell(x, 1, t, a);
        xlsx_transfer_financing_cell(x, 2, t, b);
        xlsx_formula(&x->c, ws, r, T_LOAN, x->f.money, l->net[t], "=-%s+%s*%s", a,
                     in[I_BUYER_TAX], b);
    } else {
        xlsx_number(&x->c, ws, r, T_LOAN, 0, x->f.money);
    }
    xlsx_transfer_financing_cell(x, 3, 0, a);
    xlsx_formula(&x->c, ws, r, T_DRAW, x->f.money, l->draw[t],
                 "=IF(AND(%s>=1,%s<=%d),-(1-%s)*%s,0)", c[T_YEAR], c[T_YEAR],
                 x->sc->horizon_years, in[I_BUYER_TAX], a);
}

static void write_transfer_row(XlsxCtx *x, lxw_worksheet *ws, const TransferLayout *l, int r,
                               const char *in[I_COUNT], const char *res[R_COUNT])
{
    const Scenario *sc = x->sc;
    const Deal *deal = x->deal;
    const DealFlows *f = &deal->flows;
    int H = sc->horizon_years, t = r - l->schedule_first;
    bool mid = sc->timing == TIMING_MID_YEAR; /* the book's cash carried to its year's end */
    char c[T_COLUMNS][32], prev[32], cell[XLSX_REF_MAX];
    for (int k = 0; k < T_COLUMNS; k++)
        lxw_rowcol_to_cell(c[k], (lxw_row_t)r, (lxw_col_t)k);
    xlsx_number(&x->c, ws, r, T_YEAR, t, x->f.integer);
    double share = 0;
    for (size_t i = 0; i < sc->deal.payment_count; i++)
        if (sc->deal.payments[i].year == t)
            share += sc->deal.payments[i].share;
    xlsx_number(&x->c, ws, r, T_SHARE, share, x->f.input_rate);
    xlsx_formula(&x->c, ws, r, T_BASE, x->f.money, f->base[t], "=%s*%s", c[T_SHARE], in[I_BASE_PRICE]);
    bool within = t >= 1 && t <= H;
    if (within)
        xlsx_formula(&x->c, ws, r, T_REVENUE, x->f.money, deal->revenue[t - 1], "=%s",
                    xlsx_ref(cell, "Projection", x->year_first + t - 1, 3));
    if (sc->deal.has_adjustment)
        xlsx_formula(&x->c, ws, r, T_TRUE_UP, x->f.money, f->true_up[t], "=IF(%s=%s,%s*%s-%s,0)",
                    c[T_YEAR], in[I_MEASURE_YEAR], in[I_ADJ_MULTIPLE], c[T_REVENUE],
                    in[I_BASE_PRICE]);
    else
        xlsx_number(&x->c, ws, r, T_TRUE_UP, 0, x->f.money);
    double earn = 0;
    for (size_t i = 0; i < sc->deal.earn_out_count; i++)
        if (sc->deal.earn_outs[i].year == t)
            earn = sc->deal.earn_outs[i].share;
    xlsx_number(&x->c, ws, r, T_EARN_SHARE, earn, x->f.input_rate);
    xlsx_formula(&x->c, ws, r, T_EARN_OUT, x->f.money, f->earn_out[t], "=%s*%s", c[T_EARN_SHARE],
                c[T_REVENUE]);
    if (within) {
        /* Share of the book's revenue lost in year t: the cohorts' S(t-1) - S(t). */
        char revs[XLSX_REF_MAX], now[XLSX_REF_MAX], before[XLSX_REF_MAX];
        int a = x->cohort_first, b = a + (int)x->book->cohort_count - 1;
        xlsx_range(revs, "Projection", a, P_REVENUE, b, P_REVENUE);
        xlsx_range(now, "Projection", a, P_SURVIVAL + t - 1, b, P_SURVIVAL + t - 1);
        if (t == 1)
            snprintf(before, sizeof before, "1");
        else
            xlsx_range(before, "Projection", a, P_SURVIVAL + t - 2, b, P_SURVIVAL + t - 2);
        xlsx_formula(&x->c, ws, r, T_LOST, x->f.rate, deal->lost_share[t - 1],
                    "=IF(%s>0,SUMPRODUCT(%s,%s-%s)/%s,0)", in[I_REVENUE], revs, before, now,
                    in[I_REVENUE]);
    }
    double refund = 0;
    for (size_t i = 0; within && i < sc->deal.clawback_count; i++)
        if (t <= sc->deal.clawbacks[i].within_years) {
            refund = sc->deal.clawbacks[i].refund;
            break;
        }
    xlsx_number(&x->c, ws, r, T_REFUND, refund, x->f.input_rate);
    xlsx_formula(&x->c, ws, r, T_CLAWBACK, x->f.money, f->clawback[t], "=%s*%s*%s", in[I_BASE_PRICE],
                c[T_LOST], c[T_REFUND]);
    xlsx_formula(&x->c, ws, r, T_PRINCIPAL, x->f.money, f->principal[t], "=%s+%s+%s-%s", c[T_BASE],
                c[T_TRUE_UP], c[T_EARN_OUT], c[T_CLAWBACK]);
    char rest[XLSX_REF_MAX];
    xlsx_range(rest, NULL, r, T_BASE, l->schedule_last, T_BASE);
    xlsx_formula(&x->c, ws, r, T_INTEREST, x->f.money, f->interest[t], "=IF(%s>=1,%s*SUM(%s),0)",
                c[T_YEAR], in[I_INTEREST], rest);
    if (sc->seller.enabled) {
        /* With an allocation, the ordinary classes are taxed apart from the brackets; so is
         * the recaptured amortisation, in year 0. */
        char gain[XLSX_REF_MAX * 3], ordinary[XLSX_REF_MAX], ordinary_tax[XLSX_FORMULA_MAX / 4];
        snprintf(gain, sizeof gain, "(%s-%s)", res[R_GAIN], in[I_RECAPTURED]);
        int used = snprintf(ordinary_tax, sizeof ordinary_tax, "+IF(%s=0,%s*%s,0)", c[T_YEAR],
                            in[I_RECAPTURED], in[I_ORDINARY_RATE]);
        if (f->alloc.enabled) {
            xlsx_transfer_allocation_cell(x, 0, ordinary);
            snprintf(gain, sizeof gain, "(%s-%s-%s)", res[R_GAIN], ordinary, in[I_RECAPTURED]);
            xlsx_transfer_allocation_cell(x, 1, ordinary);
            snprintf(ordinary_tax + used, sizeof ordinary_tax - (size_t)used,
                     "+%s*IF(AND(%s,%s<>0),%s/%s,IF(%s=0,1,0))", ordinary, in[I_INSTALLMENT],
                     res[R_PRICE], c[T_PRINCIPAL], res[R_PRICE], c[T_YEAR]);
        }
        xlsx_formula(&x->c, ws, r, T_RECOGNISED, x->f.money, f->recognised[t],
                    "=IF(%s,IF(%s<>0,%s*%s/%s,0),IF(%s=0,%s,0))", in[I_INSTALLMENT],
                    res[R_PRICE], gain, c[T_PRINCIPAL], res[R_PRICE], c[T_YEAR], gain);
        xlsx_transfer_tax_row(x, ws, l, r, c, in, res, gain, ordinary_tax);
        bool cut = xlsx_transfer_closing_on(x);
        if (cut)
            xlsx_transfer_closing_columns(x, ws, r, t, c[T_YEAR]);
        xlsx_formula(&x->c, ws, r, T_SELLER_NET, x->f.money, f->seller_net[t],
                    "=%s+%s-%s-IF(%s=0,%s,0)%s%s", c[T_PRINCIPAL], c[T_INTEREST], c[T_TAX_PAID],
                    c[T_YEAR], in[I_COSTS], cut ? "+" : "", cut ? c[T_CUT_SELLER] : "");
        xlsx_formula(&x->c, ws, r, T_SELLER_DF, x->f.factor, pow(1 + deal->seller_rate, -t),
                    "=1/(1+%s)^%s", in[I_SELLER_RATE], c[T_YEAR]);
        /* The price's parts that move with the book carry its risk: the keep rate. */
        double risk_rate = deal->has_keep ? deal->keep_rate : deal->seller_rate;
        xlsx_formula(&x->c, ws, r, T_RISK_DF, x->f.factor, pow(1 + risk_rate, -t),
                    "=1/(1+%s)^%s", in[deal->has_keep ? I_KEEP_RATE : I_SELLER_RATE], c[T_YEAR]);
        if (within && deal->has_keep)
            write_keep_columns(x, ws, r, t, c, in);
    }
    if (sc->buyer.enabled) {
        if (within) {
            xlsx_formula(&x->c, ws, r, T_CASH, x->f.money, deal->cash[t - 1], "=%s",
                        xlsx_ref(cell, "Projection", x->year_first + t - 1, 4));
            xlsx_formula(&x->c, ws, r, T_CASH_AFTER_TAX, x->f.money, f->book_after_tax[t],
                        "=(1-%s)*%s%s%s%s+IF(%s=%d,(1-%s)*%s*(1+%s)^%d,0)", in[I_BUYER_TAX],
                        c[T_CASH], mid ? "*(1+" : "", mid ? in[I_BUYER_RATE] : "",
                        mid ? ")^0.5" : "", c[T_YEAR], H, in[I_BUYER_TAX], in[I_TAIL_PV],
                        in[I_BUYER_RATE], H);
        } else {
            xlsx_number(&x->c, ws, r, T_CASH_AFTER_TAX, 0, x->f.money);
        }
        if (f->alloc.enabled) {
            char years[XLSX_REF_MAX], yearly[XLSX_REF_MAX], as_paid[XLSX_REF_MAX];
            xlsx_transfer_allocation_cell(x, 2, years);
            xlsx_transfer_allocation_cell(x, 3, yearly);
            xlsx_transfer_allocation_cell(x, 4, as_paid);
            xlsx_formula(&x->c, ws, r, T_SHIELD, x->f.money, f->shield[t],
                         "=%s*(SUMPRODUCT((%s>=%s)*(%s>=1)*%s)+SUM(%s)*%s)", in[I_BUYER_TAX],
                         years, c[T_YEAR], c[T_YEAR], yearly, as_paid, c[T_PRINCIPAL]);
        } else {
            xlsx_formula(&x->c, ws, r, T_SHIELD, x->f.money, f->shield[t],
                        "=IF(AND(%s>=1,%s<=%s),%s*(%s+%s)/%s,0)", c[T_YEAR], c[T_YEAR],
                        in[I_YEARS], in[I_BUYER_TAX], res[R_PRICE], in[I_ACQUISITION],
                        in[I_YEARS]);
        }
        xlsx_formula(&x->c, ws, r, T_INTEREST_SHIELD, x->f.money, f->interest_shield[t],
                    "=%s*%s", in[I_BUYER_TAX], c[T_INTEREST]);
        if (f->loan.enabled)
            write_loan_column(x, ws, r, t, c, in);
        bool cut_b = xlsx_transfer_closing_on(x);
        if (cut_b && !sc->seller.enabled)
            xlsx_transfer_closing_columns(x, ws, r, t, c[T_YEAR]);
        xlsx_formula(&x->c, ws, r, T_BUYER_NET, x->f.money, f->buyer_net[t],
                    "=%s+%s+%s-%s-%s-IF(%s=0,%s,0)%s%s%s%s%s%s", c[T_CASH_AFTER_TAX], c[T_SHIELD],
                    c[T_INTEREST_SHIELD], c[T_PRINCIPAL], c[T_INTEREST], c[T_YEAR],
                    in[I_ACQUISITION],
                    f->loan.enabled ? "+" : "", f->loan.enabled ? c[T_LOAN] : "",
                    f->loan.enabled ? "+" : "", f->loan.enabled ? c[T_DRAW] : "",
                    cut_b ? "+" : "", cut_b ? c[T_CUT_BUYER] : "");
        double cumulative = 0;
        for (int k = 0; k <= t; k++)
            cumulative += f->buyer_net[k];
        lxw_rowcol_to_cell(prev, (lxw_row_t)(r - 1), T_CUMULATIVE);
        if (t == 0)
            xlsx_formula(&x->c, ws, r, T_CUMULATIVE, x->f.money, cumulative, "=%s", c[T_BUYER_NET]);
        else
            xlsx_formula(&x->c, ws, r, T_CUMULATIVE, x->f.money, cumulative, "=%s+%s", prev,
                        c[T_BUYER_NET]);
        xlsx_formula(&x->c, ws, r, T_BUYER_DF, x->f.factor, pow(1 + deal->buyer_rate, -t),
                    "=1/(1+%s)^%s", in[I_BUYER_RATE], c[T_YEAR]);
        double discounted = 0;
        for (int k = 0; k <= t; k++)
            discounted += f->buyer_net[k] * pow(1 + deal->buyer_rate, -k);
        char df_cell[32];
        lxw_rowcol_to_cell(df_cell, (lxw_row_t)r, T_BUYER_DF);
        lxw_rowcol_to_cell(prev, (lxw_row_t)(r - 1), T_DISCOUNTED_CUMULATIVE);
        if (t == 0)
            xlsx_formula(&x->c, ws, r, T_DISCOUNTED_CUMULATIVE, x->f.money, discounted,
                         "=%s*%s", c[T_BUYER_NET], df_cell);
        else
            xlsx_formula(&x->c, ws, r, T_DISCOUNTED_CUMULATIVE, x->f.money, discounted,
                         "=%s+%s*%s", prev, c[T_BUYER_NET], df_cell);
        /* The book's own return: its expected price and costs in cash at closing. */
        double at_price = f->book_after_tax[t] + f->shield[t] -
                          (t == 0 ? f->price + sc->buyer.acquisition_costs : 0);
        xlsx_formula(&x->c, ws, r, T_BOOK_AT_PRICE, x->f.money, at_price,
                     "=%s+%s-IF(%s=0,%s+%s,0)", c[T_CASH_AFTER_TAX], c[T_SHIELD], c[T_YEAR],
                     res[R_PRICE], in[I_ACQUISITION]);
    }
}

void xlsx_transfer_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const Scenario *sc = x->sc;
    const Deal *deal = x->deal;
    const DealFlows *f = &deal->flows;
    const TransferLayout *l = &x->transfer;
    static const double w[T_COLUMNS] = {44, 16, 15, 15, 16, 16, 14, 11, 10, 14, 15, 13, 15, 14,
                                        15, 15, 15, 14, 15, 15, 10, 10, 10, 15, 15, 15, 10,
                                        15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
                                        15, 15};
    xlsx_layout_widths(x, ws, w, T_COLUMNS);
    worksheet_freeze_panes(ws, 0, 1);
    xlsx_text(&x->c, ws, 0, 0, "Transfer: price, payments, the seller's tax and the buyer's return",
             x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Yellow cells are the deal's inputs; every other figure is a formula. Flows are "
             "annual, at year ends; year 0 is the closing.",
             x->f.note);
    char regime[2300];
    xlsx_transfer_tax_regime(x, regime, sizeof regime);
    xlsx_text(&x->c, ws, 2, 0, "Tax law:", x->f.bold);
    xlsx_text(&x->c, ws, 2, 1, regime, x->f.note);

    /* Names of the input and result cells, for formulas. */
    char in_cells[I_COUNT][32], res_cells[R_COUNT][32];
    const char *in[I_COUNT], *res[R_COUNT];
    for (int i = 0; i < I_COUNT; i++) {
        lxw_rowcol_to_cell_abs(in_cells[i], (lxw_row_t)l->input[i], 1, 1, 1);
        in[i] = in_cells[i];
    }
    for (int i = 0; i < R_COUNT; i++) {
        lxw_rowcol_to_cell_abs(res_cells[i], (lxw_row_t)l->result[i], 1, 1, 1);
        res[i] = res_cells[i];
    }
    TransferRefs refs;
    memcpy(refs.in, in, sizeof refs.in);
    memcpy(refs.res, res, sizeof refs.res);
    char formula[XLSX_FORMULA_MAX], cell[XLSX_REF_MAX], range[XLSX_REF_MAX];
    xlsx_text(&x->c, ws, T_FIRST_ROW - 1, 0, "Inputs", x->f.header);
    xlsx_text(&x->c, ws, T_FIRST_ROW - 1, 1, sc->currency, x->f.header);
    if (l->bracket_first >= 0) {
        xlsx_text(&x->c, ws, T_FIRST_ROW - 1, 4, "Seller's tax brackets", x->f.header);
        xlsx_text(&x->c, ws, T_FIRST_ROW, 4, "Gain from", x->f.header);
        xlsx_text(&x->c, ws, T_FIRST_ROW, 5, "Up to", x->f.header);
        xlsx_text(&x->c, ws, T_FIRST_ROW, 6, "Rate", x->f.header);
    }
    /* Monte Carlo histograms of the seller's gain and the buyer's NPV (cached counts). */
    double gain_edges[TRANSFER_BINS + 1], gain_counts[TRANSFER_BINS];
    double npv_edges[TRANSFER_BINS + 1], npv_counts[TRANSFER_BINS];
    bool histograms = l->mc_first >= 0 && x->mc_values_fit;
    if (histograms) {
        const McResult *mc = x->mc;
        size_t n = (size_t)mc->iterations;
        if (sc->seller.enabled)
            stats_histogram(mc->seller_gain, n, mc->gain_stats.min, mc->gain_stats.max,
                            TRANSFER_BINS, gain_edges, gain_counts);
        if (sc->buyer.enabled)
            stats_histogram(mc->buyer_npv, n, mc->npv_stats.min, mc->npv_stats.max,
                            TRANSFER_BINS, npv_edges, npv_counts);
    }
    int hist_header = l->mc_first + 7;
    int blocks_end = l->closing_last >= 0 ? l->closing_last
                     : l->alloc_last >= 0 ? l->alloc_last
                     : l->fin_last >= 0 ? l->fin_last
                                        : l->result[R_COUNT - 1];
    int last_row = l->mc_first < 0 ? blocks_end
                   : histograms   ? hist_header + TRANSFER_BINS
                                  : l->mc_first + 6;
    for (int r = T_FIRST_ROW; r <= last_row && x->c.err == LXW_NO_ERROR; r++) {
        int i = r - T_FIRST_ROW;
        switch (i < I_COUNT ? i : -1) {
        case I_REVENUE:
            xlsx_text(&x->c, ws, r, 0, "Annual revenue of the book", x->f.text);
            xlsx_layout_over_clients(x, formula, sizeof formula, C_BOOK_REVENUE, "SUM(", ")");
            xlsx_formula(&x->c, ws, r, 1, x->f.money, x->book->annual_revenue, "=%s", formula);
            break;
        case I_PRICE_INPUT:
            xlsx_transfer_input(x, ws, r,
                           sc->deal.price_is_multiple ? "Price (multiple of annual revenue)"
                                                      : "Price",
                           sc->deal.price,
                           sc->deal.price_is_multiple ? x->f.input_number : x->f.input_money);
            break;
        case I_BASE_PRICE:
            xlsx_text(&x->c, ws, r, 0, "Base price", x->f.bold);
            if (sc->deal.price_is_multiple)
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->base_price, "=%s*%s", in[I_PRICE_INPUT],
                            in[I_REVENUE]);
            else
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->base_price, "=%s", in[I_PRICE_INPUT]);
            break;
        case I_MEASURE_YEAR:
            xlsx_transfer_input(x, ws, r, "True-up: year whose retained revenue sets the price",
                           sc->deal.has_adjustment ? sc->deal.measure_year : 0,
                           x->f.input_count);
            break;
        case I_ADJ_MULTIPLE:
            xlsx_transfer_input(x, ws, r, "True-up: multiple of that year's revenue",
                           sc->deal.has_adjustment ? sc->deal.adjustment_multiple : 0,
                           x->f.input_number);
            break;
        case I_INTEREST:
            xlsx_transfer_input(x, ws, r, "Interest on the unpaid base price", sc->deal.interest_rate,
                           x->f.input_rate);
            break;
        case I_BASIS:
            xlsx_transfer_input(x, ws, r, "Seller: tax basis", sc->seller.tax_basis, x->f.input_money);
            break;
        case I_CARRYING:
            xlsx_transfer_input(x, ws, r, "Seller: carrying amount", sc->seller.carrying_amount,
                           x->f.input_money);
            break;
        case I_COSTS:
            xlsx_transfer_input(x, ws, r, "Seller: selling costs (at closing)",
                           sc->seller.selling_costs, x->f.input_money);
            break;
        case I_SELLER_RATE:
            xlsx_transfer_input(x, ws, r, "Seller: discount rate", sc->seller.discount_rate,
                           x->f.input_rate);
            break;
        case I_INCOME_TAX:
            xlsx_transfer_input(x, ws, r, "Seller: income tax on a book kept",
                           sc->seller.income_tax_rate, x->f.input_rate);
            break;
        case I_INSTALLMENT:
            xlsx_text(&x->c, ws, r, 0, "Seller: installment method", x->f.text);
            xlsx_boolean(&x->c, ws, r, 1, sc->seller.installment_method, x->f.input_text);
            break;
        case I_APPLY:
            xlsx_text(&x->c, ws, r, 0, "Seller: brackets apply", x->f.text);
            xlsx_text(&x->c, ws, r, 1, sc->seller.cumulative   ? "cumulative"
                                       : sc->seller.whole_gain ? "whole_gain"
                                                               : "per_year",
                     x->f.input_text);
            break;
        case I_INTEREST_TAX:
        case I_TAX_LAG:
        case I_OTHER_INCOME:
        case I_MATERIAL:
        case I_SURTAX_RATE:
        case I_SURTAX_ABOVE:
        case I_ANNUITY:
        case I_ANNUITY_CAP:
        case I_EXEMPT:
        case I_LOSS_RULE:
        case I_OTHER_GAINS:
        case I_LOSS_LIMIT:
        case I_LOSS_YEARS:
        case I_LOSS_RATE:
        case I_LOSS_SHARE:
        case I_NEGATIVE_YEAR:
        case I_FILING_STATUS:
        case I_ORDINARY_RATE:
        case I_BOOK_ORIGIN:
        case I_RECAPTURE:
        case I_AMORT_TAKEN:
        case I_RECAPTURED:
            if (sc->seller.enabled)
                xlsx_transfer_tax_input(x, ws, r, i, in, res);
            break;
        case I_KEEP_MARGIN:
        case I_KEEP_PAY:
        case I_KEEP_PAY_GROWTH:
        case I_KEEP_YEARS:
        case I_KEEP_RATE:
        case I_KEEP_EXIT:
            if (deal->has_keep)
                write_keep_input(x, ws, r, i);
            break;
        case I_BUYER_RATE:
            xlsx_text(&x->c, ws, r, 0, "Buyer: discount rate", x->f.text);
            if (sc->buyer.has_discount_rate)
                xlsx_number(&x->c, ws, r, 1, deal->buyer_rate, x->f.input_rate);
            else
                xlsx_formula(&x->c, ws, r, 1, x->f.rate, deal->buyer_rate, "=%s",
                            xlsx_ref(cell, "Assumptions", x->discount_row, A_VALUE));
            break;
        case I_ACQUISITION:
            xlsx_transfer_input(x, ws, r, "Buyer: acquisition costs (at closing)",
                           sc->buyer.acquisition_costs, x->f.input_money);
            break;
        case I_BUYER_TAX:
            xlsx_transfer_input(x, ws, r, "Buyer: tax rate", sc->buyer.tax_rate, x->f.input_rate);
            break;
        case I_YEARS:
            xlsx_transfer_input(x, ws, r, "Buyer: amortisation years", sc->buyer.amortization_years,
                           x->f.input_count);
            break;
        case I_TAIL_PV:
            xlsx_text(&x->c, ws, r, 0, "Run-off beyond year H, PV at the buyer's rate", x->f.text);
            xlsx_number(&x->c, ws, r, 1, deal->tail_pv, x->f.money);
            xlsx_text(&x->c, ws, r, 2, "bookval (series)", x->f.note);
            break;
        case I_KEEP_TAIL:
            if (!deal->has_keep || !deal->keep.with_tail)
                break;
            xlsx_text(&x->c, ws, r, 0, "Run-off if kept, PV at the keep rate", x->f.text);
            xlsx_number(&x->c, ws, r, 1, deal->keep_tail_pv, x->f.money);
            xlsx_text(&x->c, ws, r, 2, "bookval (series)", x->f.note);
            break;
        default:
            break;
        }
        /* Brackets, beside the inputs. */
        int b = r - l->bracket_first;
        if (l->bracket_first >= 0 && b >= 0 && b < (int)sc->seller.bracket_count) {
            xlsx_number(&x->c, ws, r, 4, sc->seller.brackets[b].from, x->f.input_money);
            if (b + 1 < (int)sc->seller.bracket_count) {
                lxw_rowcol_to_cell(cell, (lxw_row_t)(r + 1), 4);
                xlsx_formula(&x->c, ws, r, 5, x->f.money, sc->seller.brackets[b + 1].from, "=%s",
                            cell);
            } else {
                /* No upper end: a number for the tax formula, shown as "and above". */
                xlsx_number(&x->c, ws, r, 5, 1e300, x->f.and_above);
            }
            xlsx_number(&x->c, ws, r, 6, sc->seller.brackets[b].rate, x->f.input_rate);
        }
        /* The schedule. */
        if (r == l->schedule_header) {
            xlsx_row_height(&x->c, ws, r, 45);
            static const char *const header[T_COLUMNS] = {
                "Year", "Payment (share of base price)", "Base price instalment",
                "Expected revenue of the book", "True-up", "Earn-out share of collections",
                "Earn-out", "Share of revenue lost", "Clawback refund share", "Clawback",
                "Price received (principal)", "Interest", "Gain recognised", "Seller's tax",
                "Seller's net proceeds", "Book's expected cash", "Buyer: cash after tax (+ run-off)",
                "Buyer: amortisation shield", "Buyer: net flow", "Buyer: cumulative",
                "Seller's discount factor", "Discount factor of the book-linked price",
                "Buyer's discount factor", "Keep: revenue (no sale)", "Keep: cash before his pay",
                "Keep: the seller's work", "Keep: discount factor",
                "Buyer: cumulative at his rate (discounted)",
                "Buyer: the book at its expected price in cash at closing",
                "Buyer: bank loan (net of the interest's tax saving)",
                "Buyer: his own pay after tax", "Seller: closing cut-off",
                "Buyer: closing cut-off and working capital",
                "Seller: gain taxed in the year", "Seller: negative gain carried forward",
                "Seller: the year's gain set back by a negative year",
                "Seller: tax given back (carry_back: in the year; else on the year's gain)", "Seller: tax on the interest received",
                "Seller: tax paid in the year (gain and interest)",
                "Buyer: tax saved on the interest paid", "Seller: loss on the sale used",
                "Seller: tax the loss saves"};
            for (int k = 0; k < T_COLUMNS; k++)
                xlsx_text(&x->c, ws, r, k, header[k], x->f.header);
            xlsx_transfer_standing_header(x, ws, r);
        } else if (r >= l->schedule_first && r <= l->schedule_last) {
            write_transfer_row(x, ws, l, r, in, res);
        } else if (r == l->total_row) {
            xlsx_text(&x->c, ws, r, T_YEAR, "Total", x->f.bold);
            static const int summed[] = {T_BASE,       T_TRUE_UP,    T_EARN_OUT, T_CLAWBACK,
                                         T_PRINCIPAL,  T_INTEREST,   T_RECOGNISED, T_TAX,
                                         T_SELLER_NET, T_BUYER_NET};
            const double *arrays[] = {f->base,       f->true_up,  f->earn_out, f->clawback,
                                      f->principal,  f->interest, f->recognised, f->tax,
                                      f->seller_net, f->buyer_net};
            for (size_t k = 0; k < sizeof summed / sizeof summed[0]; k++) {
                bool seller_col = summed[k] == T_RECOGNISED || summed[k] == T_TAX ||
                                  summed[k] == T_SELLER_NET;
                if ((seller_col && !sc->seller.enabled) ||
                    (summed[k] == T_BUYER_NET && !sc->buyer.enabled))
                    continue;
                double total = 0;
                for (int t = 0; t <= f->years; t++)
                    total += arrays[k][t];
                xlsx_formula(&x->c, ws, r, summed[k], x->f.money_total, total, "=SUM(%s)",
                            xlsx_range(range, NULL, l->schedule_first, summed[k], l->schedule_last,
                                      summed[k]));
            }
        }
        /* Results. */
        int k = r - l->result[0];
        if (k >= 0 && k < R_COUNT)
            xlsx_transfer_result(x, ws, k, r, &refs);
        if (l->fin_first >= 0 && r >= l->fin_first && r <= l->fin_last)
            xlsx_transfer_financing_row(x, ws, r, &refs);
        if (l->alloc_first >= 0 && r >= l->alloc_first && r <= l->alloc_last)
            xlsx_transfer_allocation_row(x, ws, r, &refs);
        if (l->closing_first >= 0 && r >= l->closing_first && r <= l->closing_last)
            xlsx_transfer_closing_row(x, ws, r);
        /* Monte Carlo: the deal priced on each simulated book. */
        int m = l->mc_first >= 0 ? r - l->mc_first : -1;
        if (m >= 0 && m < 8 && x->mc_values_fit) {
            char gains[XLSX_REF_MAX], npvs[XLSX_REF_MAX], keeps[XLSX_REF_MAX];
            int last_it = MC_FIRST_ROW + (int)x->mc->iterations - 1;
            xlsx_range(gains, "Monte Carlo", MC_FIRST_ROW, M_GAIN, last_it, M_GAIN);
            xlsx_range(npvs, "Monte Carlo", MC_FIRST_ROW, M_NPV, last_it, M_NPV);
            xlsx_range(keeps, "Monte Carlo", MC_FIRST_ROW, M_KEEP, last_it, M_KEEP);
            const Stats *g = &x->mc->gain_stats, *n = &x->mc->npv_stats;
            bool seller = sc->seller.enabled, buyer_on = sc->buyer.enabled;
            switch (m) {
            case 0:
                xlsx_text(&x->c, ws, r, 0, "Monte Carlo: each iteration's own book", x->f.header);
                xlsx_text(&x->c, ws, r, 1, "Seller's gain", x->f.header);
                xlsx_text(&x->c, ws, r, 2, "Buyer's NPV", x->f.header);
                if (deal->has_keep)
                    xlsx_text(&x->c, ws, r, 3, "Value of keeping", x->f.header);
                if (seller) { /* bracket tax is not linear in the gain: its own percentiles */
                    xlsx_text(&x->c, ws, r, 4, "Seller's tax", x->f.header);
                    xlsx_text(&x->c, ws, r, 5, "Seller's net proceeds PV", x->f.header);
                }
                break;
            case 1:
            case 2:
            case 3:
            case 4: {
                static const char *const labels[] = {"Mean", "5th percentile", "Median",
                                                     "95th percentile"};
                static const int pct[] = {-1, 1, 4, 7};
                xlsx_text(&x->c, ws, r, 0, labels[m - 1], x->f.text);
                char taxes[XLSX_REF_MAX], nets[XLSX_REF_MAX];
                xlsx_range(taxes, "Monte Carlo", MC_FIRST_ROW, M_TAX, last_it, M_TAX);
                xlsx_range(nets, "Monte Carlo", MC_FIRST_ROW, M_NET_PV, last_it, M_NET_PV);
                /* gain, NPV, keep, tax, net proceeds PV in columns B to F */
                const Stats *stats[] = {g, n, &x->mc->keep_stats, &x->mc->tax_stats,
                                        &x->mc->net_pv_stats};
                const char *cols[] = {gains, npvs, keeps, taxes, nets};
                for (int side = 0; side < 5; side++) {
                    if (((side == 0 || side >= 3) && !seller) || (side == 1 && !buyer_on) ||
                        (side == 2 && !deal->has_keep))
                        continue;
                    const Stats *st = stats[side];
                    const char *col = cols[side];
                    if (pct[m - 1] < 0)
                        xlsx_formula(&x->c, ws, r, 1 + side, x->f.money, st->mean, "=AVERAGE(%s)",
                                    col);
                    else
                        xlsx_formula(&x->c, ws, r, 1 + side, x->f.money, st->percentile[pct[m - 1]],
                                    "=_xlfn.PERCENTILE.INC(%s,%g)", col,
                                    stats_percentile_levels[pct[m - 1]]);
                }
                break;
            }
            case 5:
                if (!buyer_on)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Probability the buyer's NPV is negative", x->f.text);
                xlsx_formula(&x->c, ws, r, 2, x->f.rate, x->mc->prob_npv_negative,
                            "=COUNTIF(%s,\"<0\")/COUNT(%s)", npvs, npvs);
                break;
            case 6: {
                if (!deal->has_keep)
                    break;
                char nets[XLSX_REF_MAX];
                xlsx_range(nets, "Monte Carlo", MC_FIRST_ROW, M_NET_PV, last_it, M_NET_PV);
                xlsx_text(&x->c, ws, r, 0,
                          "Probability the sale is worth more to the seller than keeping",
                          x->f.text);
                xlsx_formula(&x->c, ws, r, 1, x->f.rate, x->mc->prob_sale_beats_keep,
                            "=SUMPRODUCT((%s>%s)*1)/COUNT(%s)", nets, keeps, nets);
                break;
            }
            default:
                break;
            }
        }
        if (histograms && r >= hist_header && r <= hist_header + TRANSFER_BINS) {
            const McResult *mc = x->mc;
            int last_it = MC_FIRST_ROW + (int)mc->iterations - 1;
            for (int side = 0; side < 2; side++) {
                bool on = side ? sc->buyer.enabled : sc->seller.enabled;
                if (!on)
                    continue;
                int col0 = side ? 4 : 0, mc_col = side ? M_NPV : M_GAIN;
                const double *edges = side ? npv_edges : gain_edges;
                const double *counts = side ? npv_counts : gain_counts;
                const Stats *st = side ? &mc->npv_stats : &mc->gain_stats;
                char values[XLSX_REF_MAX];
                xlsx_range(values, "Monte Carlo", MC_FIRST_ROW, mc_col, last_it, mc_col);
                if (r == hist_header) {
                    xlsx_text(&x->c, ws, r, col0, side ? "Buyer's NPV from" : "Seller's gain from",
                             x->f.header);
                    xlsx_text(&x->c, ws, r, col0 + 1, "to", x->f.header);
                    xlsx_text(&x->c, ws, r, col0 + 2, "Iterations", x->f.header);
                    continue;
                }
                int bin = r - hist_header - 1;
                bool last = bin + 1 == TRANSFER_BINS;
                char lo[32], hi[32];
                snprintf(formula, sizeof formula, "MIN(%s)+(MAX(%s)-MIN(%s))/%d*", values, values,
                         values, TRANSFER_BINS);
                xlsx_formula(&x->c, ws, r, col0, x->f.money, edges[bin], "=%s%d", formula, bin);
                if (last)
                    xlsx_formula(&x->c, ws, r, col0 + 1, x->f.money, st->max, "=MAX(%s)", values);
                else
                    xlsx_formula(&x->c, ws, r, col0 + 1, x->f.money, edges[bin + 1], "=%s%d",
                                formula, bin + 1);
                lxw_rowcol_to_cell(lo, (lxw_row_t)r, (lxw_col_t)col0);
                lxw_rowcol_to_cell(hi, (lxw_row_t)r, (lxw_col_t)(col0 + 1));
                xlsx_formula(&x->c, ws, r, col0 + 2, x->f.integer, counts[bin],
                            "=COUNTIFS(%s,\">=\"&%s,%s,\"%s\"&%s)", values, lo, values,
                            last ? "<=" : "<", hi);
            }
        }
    }
    if (!histograms)
        return;
    for (int side = 0; side < 2; side++) {
        if (!(side ? sc->buyer.enabled : sc->seller.enabled))
            continue;
        int col0 = side ? 4 : 0;
        const int count_col[] = {col0 + 2};
        XlsxChart chart = {.type = LXW_CHART_COLUMN, .sheet = "Transfer",
                           .first = hist_header + 1, .last = hist_header + TRANSFER_BINS,
                           .cat_col = col0, .series = 1, .val_col = count_col,
                           .title = side ? "Buyer's NPV across simulated books"
                                         : "Seller's gain across simulated books",
                           .x_num = "#,##0", .x_name = x->sc->currency, .y_name = "Iterations",
                           .legend = LXW_CHART_LEGEND_NONE, .x_scale = 1.2, .y_scale = 1.1};
        if (!xlsx_chart(&x->c, ws, last_row + 2, side * 6, &chart))
            return;
    }
}
