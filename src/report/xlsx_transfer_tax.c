/*
 * xlsx_transfer_tax.c — the Transfer sheet's seller tax, year by year, as live formulas: the
 * gain taxed in the year (a negative year's gain carried forward, what the sale's last gain
 * leaves set back against the earlier years), and the tax by the bracket table (tax.h's rules).
 */
#include "xlsx_layout.h"

#include <stdio.h>

#include "tax.h"

void xlsx_transfer_tax_row(XlsxCtx *x, lxw_worksheet *ws, const TransferLayout *l, int r,
                           char c[T_COLUMNS][32], const char *in[I_COUNT],
                           const char *res[R_COUNT])
{
    const DealFlows *f = &x->deal->flows;
    int t = r - l->schedule_first;
    char prev[32], last_carried[32], to_date[XLSX_REF_MAX], below[XLSX_REF_MAX];
    char recs[XLSX_REF_MAX], years[XLSX_REF_MAX], given[XLSX_REF_MAX], paid[XLSX_REF_MAX + 8];
    char tax_now[XLSX_FORMULA_MAX / 4], tax_less[XLSX_FORMULA_MAX / 4], amount[64];
    if (t == 0)
        snprintf(prev, sizeof prev, "0");
    else
        lxw_rowcol_to_cell(prev, (lxw_row_t)(r - 1), T_CARRIED);
    lxw_rowcol_to_cell_abs(last_carried, (lxw_row_t)l->schedule_last, T_CARRIED, 1, 1);
    xlsx_range(to_date, NULL, l->schedule_first, T_RECOGNISED, r, T_RECOGNISED);
    xlsx_range(recs, NULL, l->schedule_first, T_RECOGNISED, l->schedule_last, T_RECOGNISED);
    xlsx_range(years, NULL, l->schedule_first, T_YEAR, l->schedule_last, T_YEAR);
    xlsx_range(given, NULL, l->schedule_first, T_GIVEN_BACK, l->schedule_last, T_GIVEN_BACK);

    /* cumulative: the gain to date; per_year: the year's gain plus the loss carried in. */
    xlsx_formula(&x->c, ws, r, T_TAXABLE, x->f.money, f->taxable[t],
                 "=IF(%s>0,IF(%s=\"cumulative\",MAX(0,SUM(%s)),MAX(0,%s+%s)),0)", res[R_GAIN],
                 in[I_APPLY], to_date, c[T_RECOGNISED], prev);
    xlsx_formula(&x->c, ws, r, T_CARRIED, x->f.money, f->carried[t],
                 "=IF(AND(%s>0,%s<>\"cumulative\"),MIN(0,%s+%s),0)", res[R_GAIN], in[I_APPLY],
                 c[T_RECOGNISED], prev);
    /* The loss still carried at the end, set back against this year's gain after the later
     * years' (latest first). */
    if (r == l->schedule_last)
        snprintf(below, sizeof below, "0");
    else
        xlsx_range(below, NULL, r + 1, T_CARRIED_BACK, l->schedule_last, T_CARRIED_BACK);
    xlsx_formula(&x->c, ws, r, T_CARRIED_BACK, x->f.money, f->carried_back[t],
                 "=MIN(%s,MAX(0,-%s-SUM(%s)))", c[T_TAXABLE], last_carried, below);
    /* Interest is ordinary income, taxed in the year received; both taxes are paid `lag`
     * years after their year. */
    char taxes[XLSX_REF_MAX], interest_taxes[XLSX_REF_MAX];
    xlsx_formula(&x->c, ws, r, T_INTEREST_TAX, x->f.money, f->interest_tax[t], "=%s*%s",
                 in[I_INTEREST_TAX], c[T_INTEREST]);
    xlsx_range(taxes, NULL, l->schedule_first, T_TAX, l->schedule_last, T_TAX);
    xlsx_range(interest_taxes, NULL, l->schedule_first, T_INTEREST_TAX, l->schedule_last,
               T_INTEREST_TAX);
    xlsx_formula(&x->c, ws, r, T_TAX_PAID, x->f.money, f->tax_paid[t],
                 "=IF(%s>=%s,INDEX(%s,%s-%s+1)+INDEX(%s,%s-%s+1),0)", c[T_YEAR], in[I_TAX_LAG],
                 taxes, c[T_YEAR], in[I_TAX_LAG], interest_taxes, c[T_YEAR], in[I_TAX_LAG]);
    if (l->bracket_first < 0) {
        xlsx_number(&x->c, ws, r, T_GIVEN_BACK, 0, x->f.money);
        xlsx_number(&x->c, ws, r, T_TAX, 0, x->f.money);
        return;
    }
    xlsx_transfer_bracket_tax(l, x, c[T_TAXABLE], tax_now, sizeof tax_now);
    snprintf(amount, sizeof amount, "(%s-%s)", c[T_TAXABLE], c[T_CARRIED_BACK]);
    xlsx_transfer_bracket_tax(l, x, amount, tax_less, sizeof tax_less);
    xlsx_formula(&x->c, ws, r, T_GIVEN_BACK, x->f.money, f->given_back[t], "=%s-%s", tax_now,
                 tax_less);
    if (t == 0)
        snprintf(paid, sizeof paid, "0");
    else
        xlsx_range(paid, NULL, l->schedule_first, T_TAX, r - 1, T_TAX);
    /* The tax given back falls in the year of the sale's last recognised gain. */
    xlsx_formula(&x->c, ws, r, T_TAX, x->f.money, f->tax[t],
                 "=IF(%s>0,%s-IF(%s=\"cumulative\",SUM(%s),"
                 "IF(%s=SUMPRODUCT(MAX((%s<>0)*%s)),SUM(%s),0)),0)",
                 res[R_GAIN], tax_now, in[I_APPLY], paid, c[T_YEAR], recs, years, given);
}

void xlsx_transfer_tax_input(XlsxCtx *x, lxw_worksheet *ws, int r, int i)
{
    const SellerSpec *s = &x->sc->seller;
    if (i == I_INTEREST_TAX) {
        xlsx_text(&x->c, ws, r, 0, "Seller: tax rate on the interest received", x->f.text);
        xlsx_number(&x->c, ws, r, 1, tax_interest_rate(s), x->f.input_rate);
        if (!s->has_interest_tax_rate)
            xlsx_text(&x->c, ws, r, 2,
                      "not given: the top bracket's rate (set seller.tax.interest_rate to the "
                      "seller's own marginal rate on interest)", x->f.note);
    } else if (i == I_TAX_LAG) {
        xlsx_text(&x->c, ws, r, 0, "Seller: years from recognition to payment of the tax",
                  x->f.text);
        xlsx_number(&x->c, ws, r, 1, s->payment_lag_years, x->f.input_count);
    }
}
