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
                           const char *res[R_COUNT], const char *bracket_gain,
                           const char *extra_tax)
{
    const DealFlows *f = &x->deal->flows;
    int t = r - l->schedule_first;
    char prev[32], last_carried[32], to_date[XLSX_REF_MAX], below[XLSX_REF_MAX];
    char recs[XLSX_REF_MAX], years[XLSX_REF_MAX], given[XLSX_REF_MAX], paid[XLSX_REF_MAX + 8];
    char tax_now[XLSX_FORMULA_MAX / 4], tax_less[XLSX_FORMULA_MAX / 4], amount[64];
    char gain[160], rec[96], to_date_sum[XLSX_REF_MAX + 48];
    if (t == 0)
        snprintf(prev, sizeof prev, "0");
    else
        lxw_rowcol_to_cell(prev, (lxw_row_t)(r - 1), T_CARRIED);
    lxw_rowcol_to_cell_abs(last_carried, (lxw_row_t)l->schedule_last, T_CARRIED, 1, 1);
    xlsx_range(to_date, NULL, l->schedule_first, T_RECOGNISED, r, T_RECOGNISED);
    xlsx_range(recs, NULL, l->schedule_first, T_RECOGNISED, l->schedule_last, T_RECOGNISED);
    xlsx_range(years, NULL, l->schedule_first, T_YEAR, l->schedule_last, T_YEAR);
    xlsx_range(given, NULL, l->schedule_first, T_GIVEN_BACK, l->schedule_last, T_GIVEN_BACK);
    /* The gain and this year's part less the share exempt by an annuity (tax_exempt_share). */
    snprintf(gain, sizeof gain, "(%s*(1-%s))", bracket_gain, in[I_EXEMPT]);
    snprintf(rec, sizeof rec, "(%s*(1-%s))", c[T_RECOGNISED], in[I_EXEMPT]);
    snprintf(to_date_sum, sizeof to_date_sum, "(SUM(%s)*(1-%s))", to_date, in[I_EXEMPT]);

    /* whole_gain: the year's part; cumulative: the gain to date; per_year: the year's gain
     * plus the loss carried in. */
    xlsx_formula(&x->c, ws, r, T_TAXABLE, x->f.money, f->taxable[t],
                 "=IF(%s>0,IF(%s=\"whole_gain\",%s,IF(%s=\"cumulative\",MAX(0,%s),"
                 "MAX(0,%s+%s))),0)", gain, in[I_APPLY], rec, in[I_APPLY], to_date_sum, rec,
                 prev);
    xlsx_formula(&x->c, ws, r, T_CARRIED, x->f.money, f->carried[t],
                 "=IF(AND(%s>0,%s=\"per_year\"),MIN(0,%s+%s),0)", gain, in[I_APPLY], rec, prev);
    /* The loss still carried at the end, set back against this year's gain after the later
     * years' (latest first). */
    if (r == l->schedule_last)
        snprintf(below, sizeof below, "0");
    else
        xlsx_range(below, NULL, r + 1, T_CARRIED_BACK, l->schedule_last, T_CARRIED_BACK);
    xlsx_formula(&x->c, ws, r, T_CARRIED_BACK, x->f.money, f->carried_back[t],
                 "=MAX(0,MIN(%s,-%s-SUM(%s)))", c[T_TAXABLE], last_carried, below);
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
    /* A loss on the sale (seller.tax.loss): against other gains in the sale's year, then, carried
     * forward, up to the annual limit against other income at the loss rate. */
    const char *G = res[R_GAIN];
    char on_gains[160], above_rows[XLSX_REF_MAX];
    snprintf(on_gains, sizeof on_gains, "MIN(-%s,%s)", G, in[I_OTHER_GAINS]);
    if (t == 0) {
        xlsx_formula(&x->c, ws, r, T_LOSS_USED, x->f.money, f->loss_used[t],
                     "=IF(AND(%s<0,%s<>\"none\"),%s+IF(%s=\"carry_forward\",IF(%s>0,MIN(%s,-%s-%s),"
                     "-%s-%s),0),0)", G, in[I_LOSS_RULE], on_gains, in[I_LOSS_RULE],
                     in[I_LOSS_LIMIT], in[I_LOSS_LIMIT], G, on_gains, G, on_gains);
    } else {
        xlsx_range(above_rows, NULL, l->schedule_first, T_LOSS_USED, r - 1, T_LOSS_USED);
        xlsx_formula(&x->c, ws, r, T_LOSS_USED, x->f.money, f->loss_used[t],
                     "=IF(AND(%s<0,%s=\"carry_forward\",OR(%s=0,%s<=%s)),IF(%s>0,MIN(%s,-%s-SUM(%s)),"
                     "-%s-SUM(%s)),0)", G, in[I_LOSS_RULE], in[I_LOSS_YEARS], c[T_YEAR],
                     in[I_LOSS_YEARS], in[I_LOSS_LIMIT], in[I_LOSS_LIMIT], G, above_rows, G,
                     above_rows);
    }
    if (t == 0 && l->bracket_first >= 0) {
        char og_tax[XLSX_FORMULA_MAX / 4], og_less[XLSX_FORMULA_MAX / 4], og_left[200];
        xlsx_transfer_bracket_tax(l, x, in[I_OTHER_GAINS], og_tax, sizeof og_tax);
        snprintf(og_left, sizeof og_left, "(%s-%s)", in[I_OTHER_GAINS], on_gains);
        xlsx_transfer_bracket_tax(l, x, og_left, og_less, sizeof og_less);
        xlsx_formula(&x->c, ws, r, T_LOSS_VALUE, x->f.money, f->loss_value[t],
                     "=IF(AND(%s<0,%s<>\"none\"),%s-%s+%s*(%s-%s),0)", G, in[I_LOSS_RULE], og_tax,
                     og_less, in[I_LOSS_RATE], c[T_LOSS_USED], on_gains);
    } else if (t == 0) {
        xlsx_formula(&x->c, ws, r, T_LOSS_VALUE, x->f.money, f->loss_value[t],
                     "=IF(AND(%s<0,%s<>\"none\"),%s*(%s-%s),0)", G, in[I_LOSS_RULE],
                     in[I_LOSS_RATE], c[T_LOSS_USED], on_gains);
    } else {
        xlsx_formula(&x->c, ws, r, T_LOSS_VALUE, x->f.money, f->loss_value[t], "=%s*%s",
                     in[I_LOSS_RATE], c[T_LOSS_USED]);
    }
    if (l->bracket_first < 0) {
        xlsx_number(&x->c, ws, r, T_GIVEN_BACK, 0, x->f.money);
        xlsx_formula(&x->c, ws, r, T_TAX, x->f.money, f->tax[t], "=-%s%s", c[T_LOSS_VALUE],
                     extra_tax);
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
    char tax_whole[XLSX_FORMULA_MAX / 4];
    xlsx_transfer_bracket_tax(l, x, gain, tax_whole, sizeof tax_whole);
    xlsx_formula(&x->c, ws, r, T_TAX, x->f.money, f->tax[t],
                 "=IF(%s>0,IF(%s=\"whole_gain\",%s*%s/%s,%s-IF(%s=\"cumulative\",SUM(%s),"
                 "IF(%s=SUMPRODUCT(MAX((%s<>0)*%s)),SUM(%s),0))),0)-%s%s",
                 gain, in[I_APPLY], tax_whole, c[T_TAXABLE], gain, tax_now, in[I_APPLY], paid,
                 c[T_YEAR], recs, years, given, c[T_LOSS_VALUE], extra_tax);
}

void xlsx_transfer_tax_input(XlsxCtx *x, lxw_worksheet *ws, int r, int i,
                             const char *in[I_COUNT], const char *res[R_COUNT])
{
    const SellerSpec *s = &x->sc->seller;
    switch (i) {
    case I_INTEREST_TAX:
        xlsx_transfer_input(x, ws, r, "Seller: tax rate on the interest received", tax_interest_rate(s),
              x->f.input_rate);
        if (!s->has_interest_tax_rate)
            xlsx_text(&x->c, ws, r, 2,
                      "not given: the top bracket's rate (set seller.tax.interest_rate to the "
                      "seller's own marginal rate on interest)", x->f.note);
        break;
    case I_TAX_LAG:
        xlsx_transfer_input(x, ws, r, "Seller: years from recognition to payment of the tax",
              s->payment_lag_years, x->f.input_count);
        break;
    case I_OTHER_INCOME:
        xlsx_transfer_input(x, ws, r, "Seller: other taxable income a year (the gain stacks on it)",
              s->other_taxable_income, x->f.input_money);
        break;
    case I_MATERIAL:
        xlsx_text(&x->c, ws, r, 0, "Seller: materially participated (no surtax)", x->f.text);
        xlsx_boolean(&x->c, ws, r, 1, s->material_participation, x->f.input_text);
        break;
    case I_SURTAX_RATE:
        xlsx_transfer_input(x, ws, r, "Seller: surtax rate (US NIIT)", s->surtax_rate, x->f.input_rate);
        break;
    case I_SURTAX_ABOVE:
        xlsx_transfer_input(x, ws, r, "Seller: surtax on income above", s->surtax_above, x->f.input_money);
        break;
    case I_ANNUITY:
        xlsx_transfer_input(x, ws, r, "Seller: reinvested in a life annuity", s->reinvest_annuity,
              x->f.input_money);
        break;
    case I_ANNUITY_CAP:
        xlsx_transfer_input(x, ws, r, "Seller: most of it that exempts gain (0: none)",
              s->annuity_exemption_cap, x->f.input_money);
        break;
    case I_LOSS_RULE:
        xlsx_text(&x->c, ws, r, 0, "Seller: a loss on the sale", x->f.text);
        xlsx_text(&x->c, ws, r, 1,
                  (const char *[]){"none", "offset_other_gains", "carry_forward"}[s->loss_rule],
                  x->f.input_text);
        break;
    case I_OTHER_GAINS:
        xlsx_transfer_input(x, ws, r, "Seller: other gains of the sale's year", s->other_gains,
              x->f.input_money);
        break;
    case I_LOSS_LIMIT:
        xlsx_transfer_input(x, ws, r, "Seller: loss used against other income a year (0: no limit)",
              s->loss_annual_limit, x->f.input_money);
        break;
    case I_LOSS_YEARS:
        xlsx_transfer_input(x, ws, r, "Seller: years a loss is carried (0: to the end)", s->loss_years,
              x->f.input_count);
        break;
    case I_LOSS_RATE:
        xlsx_transfer_input(x, ws, r, "Seller: tax rate on the other income a loss offsets",
              tax_loss_rate(s), x->f.input_rate);
        break;
    case I_EXEMPT:
        xlsx_text(&x->c, ws, r, 0, "Seller: share of the gain exempt", x->f.text);
        xlsx_formula(&x->c, ws, r, 1, x->f.rate, tax_exempt_share(s, x->deal->flows.price),
                     "=IF(AND(%s>0,%s>0),MIN(1,MIN(%s,%s)/%s),0)", in[I_ANNUITY_CAP],
                     res[R_PRICE], in[I_ANNUITY], in[I_ANNUITY_CAP], res[R_PRICE]);
        break;
    default:
        break;
    }
}

void xlsx_transfer_tax_regime(const XlsxCtx *x, char *out, size_t size)
{
    const TaxRegime *g = &x->sc->tax_regime;
    if (g->name)
        snprintf(out, size, "%s (tax year %d): %s", g->name, g->year, g->sources);
    else
        snprintf(out, size, "not stated (no tax.regime: the scenario gives its own rates)");
}
