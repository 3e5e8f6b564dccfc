/*
 * xlsx_transfer_results.c — the Transfer sheet's results: the price, the seller's gain, tax
 * and net proceeds, the value of keeping the practice as a bridge a seller can read, the
 * buyer's NPV, IRR and payback, and both walk-away prices in base- and expected-price terms.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>

/* Ranges of one schedule column over years 0..last (`from` 0) or 1..H (`from` 1). */
static const char *column(char *buf, const TransferLayout *l, int col, int from, int to_row)
{
    return xlsx_range(buf, NULL, l->schedule_first + from, col, to_row, col);
}

static void label(XlsxCtx *x, lxw_worksheet *ws, int r, const char *text, bool bold,
                  const char *note)
{
    xlsx_text(&x->c, ws, r, 0, text, bold ? x->f.bold : x->f.text);
    if (note)
        xlsx_text(&x->c, ws, r, 2, note, x->f.note);
}

/* A walk-away price solved by bookval, labelled as such. */
static void solved(XlsxCtx *x, lxw_worksheet *ws, int r, const char *text, double v,
                   const char *how)
{
    label(x, ws, r, text, true, how);
    if (isfinite(v))
        xlsx_number(&x->c, ws, r, 1, v, x->f.money_total);
    else
        xlsx_text(&x->c, ws, r, 1, "none", x->f.note);
}

/* The value of keeping: cash while kept - his work - income tax + an exit sale = value. */
static void keep_result(XlsxCtx *x, lxw_worksheet *ws, int k, int r, const TransferRefs *t)
{
    const Scenario *sc = x->sc;
    const Deal *deal = x->deal;
    const KeepValue *kv = &deal->keep;
    const TransferLayout *l = &x->transfer;
    const char *const *in = t->in, *const *res = t->res;
    int H = sc->horizon_years, last = l->schedule_first + H;
    char cash[XLSX_REF_MAX], pay[XLSX_REF_MAX], kdf[XLSX_REF_MAX], rev[XLSX_REF_MAX];
    char tail[XLSX_FORMULA_MAX / 2] = "", tail_pay[XLSX_FORMULA_MAX / 2] = "";
    char formula[XLSX_FORMULA_MAX], amount[XLSX_FORMULA_MAX / 2];
    column(cash, l, T_KEEP_CASH, 1, last);
    column(pay, l, T_KEEP_PAY, 1, last);
    column(kdf, l, T_KEEP_DF, 1, last);
    column(rev, l, T_KEEP_REVENUE, 1, last);
    if (kv->with_tail) {
        /* Beyond the horizon his work shrinks with the book: year H's ratio of pay to cash. */
        char cash_h[XLSX_REF_MAX], pay_h[XLSX_REF_MAX];
        lxw_rowcol_to_cell(cash_h, (lxw_row_t)last, T_KEEP_CASH);
        lxw_rowcol_to_cell(pay_h, (lxw_row_t)last, T_KEEP_PAY);
        snprintf(tail, sizeof tail, "+%s", in[I_KEEP_TAIL]);
        snprintf(tail_pay, sizeof tail_pay, "+IF(%s>0,%s*%s/%s,0)", cash_h, in[I_KEEP_TAIL],
                 pay_h, cash_h);
    }
    switch (k) {
    case R_KEEP_HEADER:
        xlsx_text(&x->c, ws, r, 0, "Seller: the value of keeping the practice instead",
                  x->f.header);
        xlsx_text(&x->c, ws, r, 1, sc->currency, x->f.header);
        xlsx_text(&x->c, ws, r, 2, "PV at the closing, at the keep rate", x->f.header);
        break;
    case R_KEEP_CASH:
        label(x, ws, r, "  the book's cash while he keeps it", false,
              "his margin x the revenue of the clients he keeps (no loss from a sale)");
        xlsx_formula(&x->c, ws, r, 1, x->f.money, kv->cash_pv, "=SUMPRODUCT(%s,%s)%s", cash, kdf,
                     tail);
        break;
    case R_KEEP_WORK:
        label(x, ws, r, "  - his own work, at a replacement's pay", false,
              sc->seller.keep.owner_compensation == 0
                  ? "none given: the seller's work is counted as free"
                  : "keeping the practice means working it");
        xlsx_formula(&x->c, ws, r, 1, x->f.money, kv->owner_compensation_pv,
                     "=SUMPRODUCT(%s,%s)%s", pay, kdf, tail_pay);
        break;
    case R_KEEP_TAX:
        label(x, ws, r, "  - his income tax on the difference", false,
              "a negative result is a loss that offsets his other income at the same rate");
        xlsx_formula(&x->c, ws, r, 1, x->f.money, kv->income_tax_pv, "=%s*(%s-%s)",
                     in[I_INCOME_TAX], res[R_KEEP_CASH], res[R_KEEP_WORK]);
        break;
    case R_KEEP_EXIT_PRICE:
        label(x, ws, r, "  exit sale when he stops: price", false,
              "the multiple x the expected revenue of his last year");
        xlsx_formula(&x->c, ws, r, 1, x->f.money, kv->exit_price, "=%s*INDEX(%s,%s)",
                     in[I_KEEP_EXIT], rev, in[I_KEEP_YEARS]);
        break;
    case R_KEEP_EXIT_TAX:
        label(x, ws, r, "  exit sale: tax on its gain", false,
              "the same brackets, all in that year");
        snprintf(amount, sizeof amount, "(%s-%s-%s)", res[R_KEEP_EXIT_PRICE], in[I_BASIS],
                 in[I_COSTS]);
        if (l->bracket_first >= 0) {
            char tax[XLSX_FORMULA_MAX / 2];
            xlsx_transfer_bracket_tax(l, x, amount, tax, sizeof tax);
            snprintf(formula, sizeof formula, "=IF(%s>0,%s,0)", amount, tax);
            xlsx_formula(&x->c, ws, r, 1, x->f.money, kv->exit_tax, "%s", formula);
        } else {
            xlsx_number(&x->c, ws, r, 1, 0, x->f.money);
        }
        break;
    case R_KEEP_EXIT:
        label(x, ws, r, "  + the exit sale, after its costs and tax", false,
              "paid at the end of his last year");
        xlsx_formula(&x->c, ws, r, 1, x->f.money, kv->exit_pv, "=IF(%s>0,(%s-%s-%s)/(1+%s)^%s,0)",
                     in[I_KEEP_EXIT], res[R_KEEP_EXIT_PRICE], in[I_COSTS], res[R_KEEP_EXIT_TAX],
                     in[I_KEEP_RATE], in[I_KEEP_YEARS]);
        break;
    case R_KEEP_PV:
        label(x, ws, r, "= Value of keeping the practice", true, NULL);
        xlsx_formula(&x->c, ws, r, 1, x->f.money_total, kv->value, "=%s-%s-%s+%s",
                     res[R_KEEP_CASH], res[R_KEEP_WORK], res[R_KEEP_TAX], res[R_KEEP_EXIT]);
        break;
    case R_MIN_PRICE:
        solved(x, ws, r, "Seller's walk-away: base price (the price quoted)", deal->min_price,
               "solved by bookval: net proceeds PV = value of keeping, every price term scaled");
        break;
    case R_MIN_EXPECTED:
        solved(x, ws, r, "Seller's walk-away: expected price (what is then paid)",
               deal->min_price_expected, "the same deal's expected final price");
        break;
    default:
        break;
    }
}

/* Where the two walk-aways leave the negotiation, in expected-price terms. */
static void zone_result(XlsxCtx *x, lxw_worksheet *ws, int k, int r, const TransferRefs *t)
{
    const Deal *deal = x->deal;
    const char *const *res = t->res;
    double low = deal->min_price_expected, high = deal->max_price_expected;
    switch (k) {
    case R_ZONE: {
        label(x, ws, r, "Negotiation zone (expected price)", true,
              "between the seller's and the buyer's walk-aways, in what is actually paid");
        /* Whole units by ROUND, not FIXED or TEXT, whose separators follow the locale. */
        char formula[XLSX_FORMULA_MAX], cached[160];
        snprintf(formula, sizeof formula,
                 "=IF(%s<=%s,\"from \"&ROUND(%s,0)&\" to \"&ROUND(%s,0),\"none: the seller "
                 "needs \"&ROUND(%s-%s,0)&\" more than the buyer can pay\")",
                 res[R_MIN_EXPECTED], res[R_MAX_EXPECTED], res[R_MIN_EXPECTED],
                 res[R_MAX_EXPECTED], res[R_MIN_EXPECTED], res[R_MAX_EXPECTED]);
        if (low <= high)
            snprintf(cached, sizeof cached, "from %.0f to %.0f", round(low), round(high));
        else
            snprintf(cached, sizeof cached,
                     "none: the seller needs %.0f more than the buyer can pay",
                     round(low - high));
        if (!isfinite(low) || !isfinite(high))
            xlsx_text(&x->c, ws, r, 1,
                      !isfinite(high) ? "none: no price leaves the buyer a non-negative NPV"
                                      : "none: no price is worth more to the seller than keeping",
                      x->f.bold);
        else
            xlsx_formula_text(&x->c, ws, r, 1, formula, x->f.bold, cached);
        break;
    }
    case R_OPENS_PAY:
        if (!deal->has_opens_at)
            break;
        label(x, ws, r, "  the zone opens if his work is worth at least", false,
              "seller.keep.owner_compensation at which his minimum meets the buyer's maximum");
        if (isfinite(deal->opens_at_compensation))
            xlsx_number(&x->c, ws, r, 1, deal->opens_at_compensation, x->f.money);
        else
            xlsx_text(&x->c, ws, r, 1, "none", x->f.note);
        break;
    case R_OPENS_YEARS:
        if (!deal->has_opens_at)
            break;
        label(x, ws, r, "  or if he would keep it at most (years)", false,
              "seller.keep.years: the longest he could keep working and still sell now");
        if (deal->opens_at_years > 0)
            xlsx_number(&x->c, ws, r, 1, deal->opens_at_years, x->f.integer);
        else
            xlsx_text(&x->c, ws, r, 1, "none", x->f.note);
        break;
    case R_OPENS_RATE:
        if (!deal->has_opens_at)
            break;
        label(x, ws, r, "  or if the book's risk is at least", false,
              "seller.keep.discount_rate at which his minimum meets the buyer's maximum");
        if (isfinite(deal->opens_at_discount_rate))
            xlsx_number(&x->c, ws, r, 1, deal->opens_at_discount_rate, x->f.rate);
        else
            xlsx_text(&x->c, ws, r, 1, "none", x->f.note);
        break;
    default:
        break;
    }
}

/*
 * An IRR of the schedule's column `range` (amounts `flows`, read only with mid-year cash and an
 * IRR). With every flow at a year end, a
 * live IRR(). With the book's cash mid-year, IRR() cannot hold the two times in one series: the
 * rate bookval solved (each flow at its time) as a number, then a live check beside it, the
 * PV at that rate with the book's cash at t - 0.5 and the rest at t, which recalculates to 0
 * (up to rounding); `note` (or NULL) after it.
 */
static void irr_cell(XlsxCtx *x, lxw_worksheet *ws, int r, const char *range,
                     const double *flows, double irr, const char *note, const char *const *in)
{
    const DealFlows *f = &x->deal->flows;
    const TransferLayout *l = &x->transfer;
    if (!isfinite(irr)) {
        xlsx_text(&x->c, ws, r, 1, "none (the flows never change sign)", x->f.note);
        return;
    }
    if (f->carry == 1) {
        /* bookval's rate as the guess: IRR() from 0.1 finds no root (#N/A in LibreOffice)
         * when the rate is far below it, e.g. -30 %; the flows still decide the value */
        xlsx_formula(&x->c, ws, r, 1, x->f.rate, irr, "=IRR(%s,%.4f)", range, irr);
        return;
    }
    xlsx_number(&x->c, ws, r, 1, irr, x->f.rate);
    char at[32], cash[XLSX_REF_MAX], years[XLSX_REF_MAX];
    lxw_rowcol_to_cell_abs(at, (lxw_row_t)r, 1, 1, 1);
    column(cash, l, T_CASH, 0, l->schedule_last);
    column(years, l, T_YEAR, 0, l->schedule_last);
    xlsx_formula(&x->c, ws, r, 2, x->f.money, deal_timed_pv(f, flows, irr),
                 "=SUMPRODUCT(%s-(1-%s)*%s*(1+%s)^0.5,(1+%s)^-%s)"
                 "+SUMPRODUCT((1-%s)*%s,(1+%s)^-(%s-0.5))",
                 range, in[I_BUYER_TAX], cash, in[I_BUYER_RATE], at, years, in[I_BUYER_TAX],
                 cash, at, years);
    char text[400];
    snprintf(text, sizeof text,
             "solved by bookval with the book's cash at t - 0.5 (timing: mid_year), which "
             "IRR() cannot express; the cell before is the PV at this rate, each flow at its "
             "time: 0 up to rounding%s%s",
             note ? "; " : "", note ? note : "");
    xlsx_text(&x->c, ws, r, 3, text, x->f.note);
}

void xlsx_transfer_result(XlsxCtx *x, lxw_worksheet *ws, int k, int r, const TransferRefs *t)
{
    const Scenario *sc = x->sc;
    const Deal *deal = x->deal;
    const DealFlows *f = &deal->flows;
    const TransferLayout *l = &x->transfer;
    const char *const *in = t->in, *const *res = t->res;
    char principal[XLSX_REF_MAX], net[XLSX_REF_MAX], buyer[XLSX_REF_MAX], years[XLSX_REF_MAX];
    char range[XLSX_REF_MAX], dfs[XLSX_REF_MAX], formula[XLSX_FORMULA_MAX];
    int last = l->schedule_last;
    column(principal, l, T_PRINCIPAL, 0, last);
    column(net, l, T_SELLER_NET, 0, last);
    column(buyer, l, T_BUYER_NET, 0, last);
    column(years, l, T_YEAR, 0, last);
    bool seller = sc->seller.enabled, buyer_on = sc->buyer.enabled;
    if (k >= R_KEEP_HEADER && k <= R_MIN_EXPECTED) {
        if (deal->has_keep)
            keep_result(x, ws, k, r, t);
        else if (seller && k == R_KEEP_HEADER)
            label(x, ws, r, "Seller's walk-away: none without seller.keep", false,
                  "give how he would keep the practice (his pay, years, the book's risk)");
        return;
    }
    if (k >= R_ZONE) {
        if (deal->has_keep && buyer_on)
            zone_result(x, ws, k, r, t);
        return;
    }
    switch (k) {
    case R_PRICE:
        label(x, ws, r, "Price (sum of principal received)", true, NULL);
        xlsx_formula(&x->c, ws, r, 1, x->f.money_total, f->price, "=SUM(%s)", principal);
        break;
    case R_GAIN:
        if (!seller)
            break;
        label(x, ws, r, "Seller: gain (price - basis - costs)", false, NULL);
        xlsx_formula(&x->c, ws, r, 1, x->f.money, f->gain, "=%s-%s-%s", res[R_PRICE], in[I_BASIS],
                     in[I_COSTS]);
        break;
    case R_ACCOUNTING_GAIN:
        if (!seller)
            break;
        label(x, ws, r, "Seller: accounting gain", false, NULL);
        xlsx_formula(&x->c, ws, r, 1, x->f.money, f->accounting_gain, "=%s-%s-%s", res[R_PRICE],
                     in[I_CARRYING], in[I_COSTS]);
        break;
    case R_TAX:
        if (!seller)
            break;
        label(x, ws, r, "Seller: tax", false, NULL);
        xlsx_formula(&x->c, ws, r, 1, x->f.money, f->tax_total, "=SUM(%s)",
                     column(range, l, T_TAX, 0, last));
        break;
    case R_NET:
        if (!seller)
            break;
        label(x, ws, r, "Seller: net proceeds", false, NULL);
        xlsx_formula(&x->c, ws, r, 1, x->f.money, f->net_proceeds, "=SUM(%s)", net);
        break;
    case R_NET_PV: {
        if (!seller)
            break;
        /* Fixed payments at the seller's rate; true-up, earn-out and clawback at the book's. */
        char sdf[XLSX_REF_MAX], rdf[XLSX_REF_MAX], up[XLSX_REF_MAX], earn[XLSX_REF_MAX],
            claw[XLSX_REF_MAX];
        column(sdf, l, T_SELLER_DF, 0, last);
        column(rdf, l, T_RISK_DF, 0, last);
        column(up, l, T_TRUE_UP, 0, last);
        column(earn, l, T_EARN_OUT, 0, last);
        column(claw, l, T_CLAWBACK, 0, last);
        label(x, ws, r, "Seller: net proceeds, present value", true,
              "fixed payments at the seller's rate; the parts that move with the book at its "
              "risk (the keep rate)");
        xlsx_formula(&x->c, ws, r, 1, x->f.money, f->net_proceeds_pv,
                     "=SUMPRODUCT(%s,%s)+SUMPRODUCT(%s+%s-%s,%s-%s)", net, sdf, up, earn, claw,
                     rdf, sdf);
        break;
    }
    case R_NPV:
        if (!buyer_on)
            break;
        label(x, ws, r, "Buyer: NPV", true,
              x->sc->timing == TIMING_MID_YEAR
                  ? "the book's cash mid-year (timing: mid_year), carried to its year's end at "
                    "the buyer's rate; payments, interest, true-up, earn-out, clawback and the "
                    "shield at year ends (closing at 0)"
                  : "every flow at its year's end (closing at 0)");
        xlsx_formula(&x->c, ws, r, 1, x->f.money_total, f->npv, "=SUMPRODUCT(%s,%s)", buyer,
                     column(dfs, l, T_BUYER_DF, 0, last));
        break;
    case R_IRR:
        if (!buyer_on)
            break;
        label(x, ws, r, "Buyer: IRR", false, NULL);
        irr_cell(x, ws, r, buyer, f->buyer_net, f->irr, NULL, in);
        break;
    case R_BOOK_IRR: {
        if (!buyer_on)
            break;
        static const char *const note =
            "the expected price and costs paid in cash at closing: no seller credit";
        label(x, ws, r, "Buyer: the book's own IRR", false, f->carry == 1 ? note : NULL);
        /* The column's amounts, as the sheet caches them: only the mid-year check needs them. */
        double *at_price = NULL;
        if (f->carry != 1 && isfinite(deal->book_irr)) {
            at_price = malloc(((size_t)f->years + 1) * sizeof *at_price);
            if (!at_price) {
                xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
                break;
            }
            for (int y = 0; y <= f->years; y++)
                at_price[y] = f->book_after_tax[y] + f->shield[y] -
                              (y == 0 ? f->price + sc->buyer.acquisition_costs : 0);
        }
        irr_cell(x, ws, r, column(range, l, T_BOOK_AT_PRICE, 0, last), at_price, deal->book_irr,
                 note, in);
        free(at_price);
        break;
    }
    case R_PAYBACK_DISCOUNTED: {
        if (!buyer_on)
            break;
        char cum[XLSX_REF_MAX];
        column(cum, l, T_DISCOUNTED_CUMULATIVE, 0, last);
        label(x, ws, r, "Buyer: payback year (discounted at his rate)", false, NULL);
        snprintf(formula, sizeof formula,
                 "=IF(COUNTIF(%s,\">=0\")=0,\"none\",_xlfn.MINIFS(%s,%s,\">=0\"))", cum, years,
                 cum);
        if (f->discounted_payback_year >= 0)
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, f->discounted_payback_year, "%s",
                         formula);
        else
            xlsx_formula_text(&x->c, ws, r, 1, formula, x->f.text, "none");
        break;
    }
    case R_MAX_CASH:
        if (buyer_on)
            solved(x, ws, r, "Buyer's walk-away, all cash: base price paid at closing",
                   deal->max_price_cash,
                   "solved by bookval: NPV = 0 with no instalments or interest (true-up, "
                   "earn-out, clawback kept)");
        break;
    case R_MAX_CASH_EXPECTED:
        if (buyer_on)
            solved(x, ws, r, "Buyer's walk-away, all cash: expected price",
                   deal->max_price_cash_expected, "the expected final price at that base price");
        break;
    case R_PAYBACK: {
        if (!buyer_on)
            break;
        char cum[XLSX_REF_MAX];
        column(cum, l, T_CUMULATIVE, 0, last);
        label(x, ws, r, "Buyer: payback year (undiscounted)", false, NULL);
        snprintf(formula, sizeof formula,
                 "=IF(COUNTIF(%s,\">=0\")=0,\"none\",_xlfn.MINIFS(%s,%s,\">=0\"))", cum, years,
                 cum);
        if (f->payback_year >= 0)
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, f->payback_year, "%s", formula);
        else
            xlsx_formula_text(&x->c, ws, r, 1, formula, x->f.text, "none");
        break;
    }
    case R_MAX_PRICE:
        if (buyer_on)
            solved(x, ws, r, "Buyer's walk-away as structured: base price (the price quoted)",
                   deal->max_price,
                   "solved by bookval: NPV = 0, every price term scaled");
        break;
    case R_MAX_EXPECTED:
        if (buyer_on)
            solved(x, ws, r, "Buyer's walk-away as structured: expected price (what is paid)",
                   deal->max_price_expected, "the same deal's expected final price");
        break;
    default:
        break;
    }
}
