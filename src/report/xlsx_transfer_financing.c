/*
 * xlsx_transfer_financing.c — the Transfer sheet's financing block: the bank loan's inputs,
 * its level payment, the buyer's equity at closing, the loan year by year with the debt
 * service coverage ratio (DSCR) a lender tests, and the highest price a lender would finance.
 * Every figure but that solved price is a formula over the block's inputs and the schedule.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>

/* Rows of the block, from its first row; the loan table follows FIN_TABLE_HEADER. */
enum {
    FIN_HEADER, FIN_LOAN_INPUT, FIN_LOAN, FIN_RATE, FIN_YEARS, FIN_DRAW, FIN_MIN_DSCR,
    FIN_STANDBY, FIN_PAYMENT, FIN_EQUITY, FIN_DSCR1, FIN_DSCR_MIN, FIN_MAX_PRICE,
    FIN_PROB_BELOW, FIN_GAP, FIN_TABLE_HEADER, FIN_TABLE_FIRST
};
/* Columns of the loan table. */
enum { L_YEAR, L_BALANCE, L_INTEREST, L_REPAID, L_PAYMENT, L_DEAL, L_SERVICE, L_AVAILABLE,
       L_DSCR, L_COLUMNS };

int xlsx_transfer_financing_rows(const XlsxCtx *x)
{
    const LoanFlows *l = &x->deal->flows.loan;
    return l->enabled ? FIN_TABLE_FIRST + l->n : 0;
}

/* "$B$n" of a block row's value. */
static const char *value_cell(char *buf, const TransferLayout *l, int k)
{
    lxw_rowcol_to_cell_abs(buf, (lxw_row_t)(l->fin_first + k), 1, 1, 1);
    return buf;
}

void xlsx_transfer_financing_cell(const XlsxCtx *x, int what, int t, char *buf)
{
    const TransferLayout *l = &x->transfer;
    if (what == 0 || what == 3)
        value_cell(buf, l, what == 0 ? FIN_LOAN : FIN_DRAW);
    else
        lxw_rowcol_to_cell(buf, (lxw_row_t)(l->fin_first + FIN_TABLE_FIRST + t - 1),
                           what == 1 ? L_PAYMENT : L_INTEREST);
}

static void table_row(XlsxCtx *x, lxw_worksheet *ws, int r, int t, const TransferRefs *refs)
{
    const LoanFlows *l = &x->deal->flows.loan;
    const TransferLayout *tl = &x->transfer;
    char c[L_COLUMNS][32], prev_balance[32], prev_repaid[32], v[6][32], sched[3][32];
    for (int k = 0; k < L_COLUMNS; k++)
        lxw_rowcol_to_cell(c[k], (lxw_row_t)r, (lxw_col_t)k);
    value_cell(v[0], tl, FIN_LOAN);
    value_cell(v[1], tl, FIN_RATE);
    value_cell(v[2], tl, FIN_PAYMENT);
    value_cell(v[3], tl, FIN_STANDBY);
    value_cell(v[4], tl, FIN_DRAW);
    int s = tl->schedule_first + t;
    lxw_rowcol_to_cell(sched[0], (lxw_row_t)s, T_PRINCIPAL);
    lxw_rowcol_to_cell(sched[1], (lxw_row_t)s, T_INTEREST);
    lxw_rowcol_to_cell(sched[2], (lxw_row_t)s, T_CASH);
    (void)refs;
    xlsx_number(&x->c, ws, r, L_YEAR, t, x->f.integer);
    if (t == 1) {
        xlsx_formula(&x->c, ws, r, L_BALANCE, x->f.money, l->balance[t], "=%s", v[0]);
    } else {
        lxw_rowcol_to_cell(prev_balance, (lxw_row_t)(r - 1), L_BALANCE);
        lxw_rowcol_to_cell(prev_repaid, (lxw_row_t)(r - 1), L_REPAID);
        xlsx_formula(&x->c, ws, r, L_BALANCE, x->f.money, l->balance[t], "=%s-%s",
                     prev_balance, prev_repaid);
    }
    xlsx_formula(&x->c, ws, r, L_INTEREST, x->f.money, l->interest[t], "=%s*%s", v[1],
                 c[L_BALANCE]);
    xlsx_formula(&x->c, ws, r, L_PAYMENT, x->f.money, l->payment, "=%s", v[2]);
    xlsx_formula(&x->c, ws, r, L_REPAID, x->f.money, l->repaid[t], "=%s-%s", c[L_PAYMENT],
                 c[L_INTEREST]);
    xlsx_formula(&x->c, ws, r, L_DEAL, x->f.money, l->deal_service[t], "=IF(%s,0,%s+%s)", v[3],
                 sched[0], sched[1]);
    xlsx_formula(&x->c, ws, r, L_SERVICE, x->f.money, l->debt_service[t], "=%s+%s",
                 c[L_PAYMENT], c[L_DEAL]);
    xlsx_formula(&x->c, ws, r, L_AVAILABLE, x->f.money, l->available[t], "=%s-%s", sched[2],
                 v[4]);
    xlsx_formula(&x->c, ws, r, L_DSCR, x->f.factor, l->dscr[t], "=%s/%s", c[L_AVAILABLE],
                 c[L_SERVICE]);
}

static void input(XlsxCtx *x, lxw_worksheet *ws, int r, const char *label, double v,
                  lxw_format *f, const char *note)
{
    xlsx_text(&x->c, ws, r, 0, label, x->f.text);
    xlsx_number(&x->c, ws, r, 1, v, f);
    if (note)
        xlsx_text(&x->c, ws, r, 2, note, x->f.note);
}

void xlsx_transfer_financing_row(XlsxCtx *x, lxw_worksheet *ws, int r, const TransferRefs *refs)
{
    const Scenario *sc = x->sc;
    const FinancingSpec *fin = &sc->buyer.financing;
    const Deal *deal = x->deal;
    const LoanFlows *l = &deal->flows.loan;
    const TransferLayout *tl = &x->transfer;
    const char *const *in = refs->in;
    int k = r - tl->fin_first;
    char a[32], b[32], cc[32], d[32], range[XLSX_REF_MAX], range2[XLSX_REF_MAX];
    int first = tl->fin_first + FIN_TABLE_FIRST, last = first + l->n - 1;
    if (k >= FIN_TABLE_FIRST) {
        table_row(x, ws, r, k - FIN_TABLE_FIRST + 1, refs);
        return;
    }
    switch (k) {
    case FIN_HEADER:
        xlsx_text(&x->c, ws, r, 0, "Buyer's financing: the bank loan and the lender's cover",
                  x->f.header);
        xlsx_text(&x->c, ws, r, 1, sc->currency, x->f.header);
        break;
    case FIN_LOAN_INPUT:
        if (fin->loan_is_share)
            input(x, ws, r, "Loan: share of the base price", fin->loan, x->f.input_rate,
                  "at most the share paid at closing");
        else
            input(x, ws, r, "Loan: amount as written", fin->loan, x->f.input_money,
                  "scaled with the price when its highest financeable value is searched");
        break;
    case FIN_LOAN:
        xlsx_text(&x->c, ws, r, 0, "Loan at closing", x->f.bold);
        value_cell(a, tl, FIN_LOAN_INPUT);
        if (fin->loan_is_share)
            xlsx_formula(&x->c, ws, r, 1, x->f.money, l->amount, "=%s*%s", a, in[I_BASE_PRICE]);
        else
            xlsx_formula(&x->c, ws, r, 1, x->f.money, l->amount, "=%s", a);
        break;
    case FIN_RATE:
        input(x, ws, r, "Loan: interest rate", fin->rate, x->f.input_rate,
              "the interest is deductible at the buyer's tax rate");
        break;
    case FIN_YEARS:
        input(x, ws, r, "Loan: years (level annual payments)", fin->years, x->f.input_count,
              NULL);
        break;
    case FIN_DRAW:
        input(x, ws, r, "Buyer's own pay before debt service (owner draw)", fin->owner_draw,
              x->f.input_money, fin->owner_draw == 0
                                    ? "0: the buyer's own work is unpaid"
                                    : "also a cost in the buyer's flows, after tax");
        break;
    case FIN_MIN_DSCR:
        input(x, ws, r, "Lender's minimum DSCR", fin->min_dscr, x->f.input_number, NULL);
        break;
    case FIN_STANDBY:
        xlsx_text(&x->c, ws, r, 0, "Seller's note on standby while the loan runs", x->f.text);
        xlsx_boolean(&x->c, ws, r, 1, fin->seller_note_standby, x->f.input_text);
        xlsx_text(&x->c, ws, r, 2, "TRUE: its payments are not debt service (SBA equity note)",
                  x->f.note);
        break;
    case FIN_PAYMENT:
        xlsx_text(&x->c, ws, r, 0, "Loan: level annual payment", x->f.bold);
        value_cell(a, tl, FIN_LOAN);
        value_cell(b, tl, FIN_RATE);
        value_cell(cc, tl, FIN_YEARS);
        xlsx_formula(&x->c, ws, r, 1, x->f.money, l->payment,
                     "=IF(%s>0,%s*%s/(1-(1+%s)^-%s),%s/%s)", b, a, b, b, cc, a, cc);
        xlsx_text(&x->c, ws, r, 2, "X r / (1 - (1 + r)^-n)", x->f.note);
        break;
    case FIN_EQUITY:
        xlsx_text(&x->c, ws, r, 0, "Buyer's equity at closing", x->f.bold);
        value_cell(a, tl, FIN_LOAN);
        lxw_rowcol_to_cell(b, (lxw_row_t)tl->schedule_first, T_PRINCIPAL);
        if (xlsx_transfer_closing_on(x)) {
            char paid[32], wc[32];
            xlsx_transfer_closing_cell(x, 0, paid);
            xlsx_transfer_closing_cell(x, 1, wc);
            xlsx_formula(&x->c, ws, r, 1, x->f.money_total, l->equity, "=%s+%s+%s+%s-%s", b,
                         in[I_ACQUISITION], paid, wc, a);
            xlsx_text(&x->c, ws, r, 2,
                      "price paid at closing + costs + the cut-off + working capital - loan",
                      x->f.note);
        } else {
            xlsx_formula(&x->c, ws, r, 1, x->f.money_total, l->equity, "=%s+%s-%s", b,
                         in[I_ACQUISITION], a);
            xlsx_text(&x->c, ws, r, 2, "price paid at closing + costs - loan", x->f.note);
        }
        break;
    case FIN_DSCR1:
        xlsx_text(&x->c, ws, r, 0, "DSCR in year 1", x->f.text);
        lxw_rowcol_to_cell(a, (lxw_row_t)first, L_DSCR);
        xlsx_formula(&x->c, ws, r, 1, x->f.factor, l->dscr_year1, "=%s", a);
        break;
    case FIN_DSCR_MIN:
        xlsx_text(&x->c, ws, r, 0, "DSCR: lowest year of the loan", x->f.bold);
        value_cell(a, tl, FIN_MIN_DSCR);
        xlsx_formula(&x->c, ws, r, 1, x->f.factor, l->dscr_min, "=MIN(%s)",
                     xlsx_range(range, NULL, first, L_DSCR, last, L_DSCR));
        lxw_rowcol_to_cell(d, (lxw_row_t)r, 1);
        snprintf(range2, sizeof range2, "=IF(%s>=%s,\"passes the lender's minimum\","
                 "\"fails the lender's minimum\")", d, a);
        xlsx_formula_text(&x->c, ws, r, 2, range2, x->f.note,
                          l->dscr_min >= fin->min_dscr ? "passes the lender's minimum"
                                                       : "fails the lender's minimum");
        break;
    case FIN_MAX_PRICE:
        xlsx_text(&x->c, ws, r, 0, "Highest base price a lender would finance", x->f.bold);
        if (isfinite(deal->max_financeable_price))
            xlsx_number(&x->c, ws, r, 1, deal->max_financeable_price, x->f.money_total);
        else
            xlsx_text(&x->c, ws, r, 1, "none", x->f.note);
        xlsx_text(&x->c, ws, r, 2,
                  "solved by bookval: lowest DSCR = the minimum, every price term and the loan "
                  "scaled",
                  x->f.note);
        break;
    case FIN_PROB_BELOW:
        if (x->mc && x->mc_values_fit) {
            int last_it = MC_FIRST_ROW + (int)x->mc->iterations - 1;
            value_cell(a, tl, FIN_MIN_DSCR);
            xlsx_range(range, "Monte Carlo", MC_FIRST_ROW, M_DSCR_MIN, last_it, M_DSCR_MIN);
            xlsx_text(&x->c, ws, r, 0, "Monte Carlo: probability the lowest DSCR is below it",
                      x->f.text);
            xlsx_formula(&x->c, ws, r, 1, x->f.rate, x->mc->prob_dscr_below_min,
                         "=COUNTIF(%s,\"<\"&%s)/%ld", range, a, x->mc->iterations);
        }
        break;
    case FIN_TABLE_HEADER: {
        static const char *const header[L_COLUMNS] = {
            "Loan year", "Owed at the start", "Interest", "Principal repaid", "Loan payment",
            "Seller's note: principal + interest", "Debt service",
            "Book's cash - owner draw", "DSCR"};
        xlsx_row_height(&x->c, ws, r, 30);
        for (int c = 0; c < L_COLUMNS; c++)
            xlsx_text(&x->c, ws, r, c, header[c], x->f.header);
        break;
    }
    default:
        break;
    }
}
