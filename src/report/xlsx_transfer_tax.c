/*
 * xlsx_transfer_tax.c — the Transfer sheet's seller tax, year by year, as live formulas: the
 * gain taxed in the year (a negative year's gain carried forward, what the sale's last gain
 * leaves set back against the earlier years), and the tax by the bracket table (tax.h's rules).
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>

#include "tax.h"

/* per_year, carry_back: the gain standing to date (L_t, the positive part of the gain
 * recognised to date) and, for each year s <= t, the tax on year s's gain still standing after
 * year t, max(0, min(L_s..L_t) - L_(s-1)) (tax.c's carry_back). */
bool xlsx_transfer_standing_on(const XlsxCtx *x)
{
    const SellerSpec *s = &x->sc->seller;
    return s->enabled && s->bracket_count && s->carry_back && !s->cumulative && !s->whole_gain;
}

void xlsx_transfer_standing_header(XlsxCtx *x, lxw_worksheet *ws, int r)
{
    if (!xlsx_transfer_standing_on(x))
        return;
    char label[64];
    xlsx_text(&x->c, ws, r, T_STANDING, "Seller: gain standing to date (carry_back)",
              x->f.header);
    for (int u = 0; u <= x->deal->flows.years; u++) {
        snprintf(label, sizeof label, "Tax on year %d's gain still standing", u);
        xlsx_text(&x->c, ws, r, T_STANDING_TAX + u, label, x->f.header);
    }
}

/* The gain standing after year t: the positive part of the taxed gain recognised to date. */
static double standing_level(const XlsxCtx *x, int t)
{
    const DealFlows *f = &x->deal->flows;
    double sum = 0;
    for (int u = 0; u <= t; u++)
        sum += f->recognised[u];
    sum *= 1 - tax_exempt_share(&x->sc->seller, f->price);
    return sum > 0 ? sum : 0;
}

/* per_year, carry_back: the gain standing to date (L_t) and, for each year s <= t, the tax on
 * year s's gain still standing after year t, on max(0, min(L_s..L_t) - L_(s-1)) (tax.c's
 * carry_back). */
static void standing_columns(XlsxCtx *x, lxw_worksheet *ws, const TransferLayout *l, int r,
                             const char *to_date_sum)
{
    int t = r - l->schedule_first;
    xlsx_formula(&x->c, ws, r, T_STANDING, x->f.money, standing_level(x, t), "=MAX(0,%s)",
                 to_date_sum);
    for (int u = 0; u <= t; u++) {
        char lows[XLSX_REF_MAX], prior[32], amount[XLSX_REF_MAX * 2], tax[XLSX_FORMULA_MAX / 4];
        xlsx_range(lows, NULL, l->schedule_first + u, T_STANDING, r, T_STANDING);
        if (u == 0)
            snprintf(prior, sizeof prior, "0");
        else
            lxw_rowcol_to_cell(prior, (lxw_row_t)(l->schedule_first + u - 1), T_STANDING);
        snprintf(amount, sizeof amount, "MAX(0,MIN(%s)-%s)", lows, prior);
        xlsx_transfer_bracket_tax(l, x, amount, tax, sizeof tax);
        double low = HUGE_VAL;
        for (int v = u; v <= t; v++)
            low = standing_level(x, v) < low ? standing_level(x, v) : low;
        double left = low - (u ? standing_level(x, u - 1) : 0);
        xlsx_formula(&x->c, ws, r, T_STANDING_TAX + u, x->f.money,
                     tax_brackets(&x->sc->seller, left > 0 ? left : 0), "=%s", tax);
    }
}

void xlsx_transfer_tax_row(XlsxCtx *x, lxw_worksheet *ws, const TransferLayout *l, int r,
                           char c[T_COLUMNS][32], const char *in[I_COUNT],
                           const char *res[R_COUNT], const char *bracket_gain,
                           const char *extra_tax)
{
    const DealFlows *f = &x->deal->flows;
    int t = r - l->schedule_first;
    bool standing = xlsx_transfer_standing_on(x);
    char prev[32], last_carried[32], to_date[XLSX_REF_MAX], below[XLSX_REF_MAX];
    char recs[XLSX_REF_MAX], years[XLSX_REF_MAX], given[XLSX_REF_MAX], settle[XLSX_REF_MAX * 3];
    char tax_now[XLSX_FORMULA_MAX / 4], tax_less[XLSX_FORMULA_MAX / 4], amount[64];
    char gain[160], rec[96], to_date_sum[XLSX_REF_MAX + 48], before_sum[XLSX_REF_MAX + 48];
    if (t == 0)
        snprintf(prev, sizeof prev, "0");
    else
        lxw_rowcol_to_cell(prev, (lxw_row_t)(r - 1), T_CARRIED);
    lxw_rowcol_to_cell_abs(last_carried, (lxw_row_t)l->schedule_last, T_CARRIED, 1, 1);
    xlsx_range(to_date, NULL, l->schedule_first, T_RECOGNISED, r, T_RECOGNISED);
    xlsx_range(recs, NULL, l->schedule_first, T_RECOGNISED, l->schedule_last, T_RECOGNISED);
    xlsx_range(years, NULL, l->schedule_first, T_YEAR, l->schedule_last, T_YEAR);
    xlsx_range(given, NULL, l->schedule_first, T_GIVEN_BACK, l->schedule_last, T_GIVEN_BACK);
    /* The year of the sale's last recognised gain (tax_settling_year). */
    snprintf(settle, sizeof settle, "SUMPRODUCT(MAX((%s<>0)*%s))", recs, years);
    /* The gain and this year's part less the share exempt by an annuity (tax_exempt_share). */
    snprintf(gain, sizeof gain, "(%s*(1-%s))", bracket_gain, in[I_EXEMPT]);
    snprintf(rec, sizeof rec, "(%s*(1-%s))", c[T_RECOGNISED], in[I_EXEMPT]);
    snprintf(to_date_sum, sizeof to_date_sum, "(SUM(%s)*(1-%s))", to_date, in[I_EXEMPT]);
    if (t == 0) {
        snprintf(before_sum, sizeof before_sum, "0");
    } else {
        char before[XLSX_REF_MAX];
        xlsx_range(before, NULL, l->schedule_first, T_RECOGNISED, r - 1, T_RECOGNISED);
        snprintf(before_sum, sizeof before_sum, "(SUM(%s)*(1-%s))", before, in[I_EXEMPT]);
    }
    const char *back = in[I_NEGATIVE_YEAR];

    /* whole_gain: the year's part (carry_forward: a negative part waits for the later ones
     * until the last); cumulative: the gain to date; per_year: the year's gain plus the loss
     * carried in (carry_back: the rise in the gain standing to date). */
    xlsx_formula(&x->c, ws, r, T_TAXABLE, x->f.money, f->taxable[t],
                 "=IF(%s>0,IF(%s=\"whole_gain\",IF(OR(%s=\"carry_back\",%s>=%s),%s+%s,"
                 "MAX(0,%s+%s)),IF(%s=\"cumulative\",MAX(0,%s),IF(%s=\"carry_back\","
                 "MAX(0,MAX(0,%s)-MAX(0,%s)),MAX(0,%s+%s)))),0)",
                 gain, in[I_APPLY], back, c[T_YEAR], settle, rec, prev, rec, prev, in[I_APPLY],
                 to_date_sum, back, to_date_sum, before_sum, rec, prev);
    xlsx_formula(&x->c, ws, r, T_CARRIED, x->f.money, f->carried[t],
                 "=IF(%s>0,IF(%s=\"per_year\",IF(%s=\"carry_back\",MIN(0,%s),MIN(0,%s+%s)),"
                 "IF(AND(%s=\"whole_gain\",%s=\"carry_forward\",%s<%s),MIN(0,%s+%s),0)),0)",
                 gain, in[I_APPLY], back, to_date_sum, rec, prev, in[I_APPLY], back, c[T_YEAR],
                 settle, rec, prev);
    if (standing)
        standing_columns(x, ws, l, r, to_date_sum);
    /* The loss still carried at the end, set back against this year's gain after the later
     * years' (latest first); carry_back: what the negative years took from it. */
    if (r == l->schedule_last)
        snprintf(below, sizeof below, "0");
    else
        xlsx_range(below, NULL, r + 1, T_CARRIED_BACK, l->schedule_last, T_CARRIED_BACK);
    if (standing) {
        char lows[XLSX_REF_MAX], prior[32];
        xlsx_range(lows, NULL, r, T_STANDING, l->schedule_last, T_STANDING);
        if (t == 0)
            snprintf(prior, sizeof prior, "0");
        else
            lxw_rowcol_to_cell(prior, (lxw_row_t)(r - 1), T_STANDING);
        xlsx_formula(&x->c, ws, r, T_CARRIED_BACK, x->f.money, f->carried_back[t],
                     "=%s-MAX(0,MIN(%s)-%s)", c[T_TAXABLE], lows, prior);
    } else {
        xlsx_formula(&x->c, ws, r, T_CARRIED_BACK, x->f.money, f->carried_back[t],
                     "=MAX(0,MIN(%s,-%s-SUM(%s)))", c[T_TAXABLE], last_carried, below);
    }
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
     * forward, up to the annual limit against other income at the loss rate; ordinary, all in
     * the sale's year, not against other gains. */
    const char *G = res[R_GAIN];
    char on_gains[200], above_rows[XLSX_REF_MAX], limit[200], limited[160];
    snprintf(on_gains, sizeof on_gains, "IF(%s=\"ordinary\",0,MIN(-%s,%s))", in[I_LOSS_RULE], G,
             in[I_OTHER_GAINS]);
    snprintf(limit, sizeof limit, "IF(%s>0,%s,%s*%s)", in[I_LOSS_LIMIT], in[I_LOSS_LIMIT],
             in[I_LOSS_SHARE], in[I_OTHER_INCOME]);
    snprintf(limited, sizeof limited, "AND(%s=\"carry_forward\",OR(%s>0,%s>0))",
             in[I_LOSS_RULE], in[I_LOSS_LIMIT], in[I_LOSS_SHARE]);
    if (t == 0) {
        xlsx_formula(&x->c, ws, r, T_LOSS_USED, x->f.money, f->loss_used[t],
                     "=IF(AND(%s<0,%s<>\"none\"),%s+IF(%s<>\"offset_other_gains\",IF(%s,"
                     "MIN(%s,-%s-%s),-%s-%s),0),0)", G, in[I_LOSS_RULE], on_gains,
                     in[I_LOSS_RULE], limited, limit, G, on_gains, G, on_gains);
    } else {
        xlsx_range(above_rows, NULL, l->schedule_first, T_LOSS_USED, r - 1, T_LOSS_USED);
        xlsx_formula(&x->c, ws, r, T_LOSS_USED, x->f.money, f->loss_used[t],
                     "=IF(AND(%s<0,%s=\"carry_forward\",OR(%s=0,%s<=%s)),IF(%s,"
                     "MIN(%s,-%s-SUM(%s)),-%s-SUM(%s)),0)", G, in[I_LOSS_RULE], in[I_LOSS_YEARS],
                     c[T_YEAR], in[I_LOSS_YEARS], limited, limit, G, above_rows, G, above_rows);
    }
    if (t == 0 && l->bracket_first >= 0) {
        char og_tax[XLSX_FORMULA_MAX / 4], og_less[XLSX_FORMULA_MAX / 4], og_left[200];
        char og[120];
        snprintf(og, sizeof og, "IF(%s=\"ordinary\",0,%s)", in[I_LOSS_RULE], in[I_OTHER_GAINS]);
        xlsx_transfer_bracket_tax(l, x, og, og_tax, sizeof og_tax);
        snprintf(og_left, sizeof og_left, "(%s-%s)", og, on_gains);
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
    /* per_year, carry_back: the change in the tax on all the gain still standing. */
    char standing_change[XLSX_REF_MAX * 2 + 16] = "0";
    if (standing) {
        char row[XLSX_REF_MAX], row_before[XLSX_REF_MAX];
        xlsx_range(row, NULL, r, T_STANDING_TAX, r, T_STANDING_TAX + t);
        if (t == 0)
            snprintf(standing_change, sizeof standing_change, "SUM(%s)", row);
        else {
            xlsx_range(row_before, NULL, r - 1, T_STANDING_TAX, r - 1, T_STANDING_TAX + t - 1);
            snprintf(standing_change, sizeof standing_change, "(SUM(%s)-SUM(%s))", row,
                     row_before);
        }
        xlsx_formula(&x->c, ws, r, T_GIVEN_BACK, x->f.money, f->given_back[t], "=%s-%s",
                     tax_now, standing_change);
    } else {
        snprintf(amount, sizeof amount, "(%s-%s)", c[T_TAXABLE], c[T_CARRIED_BACK]);
        xlsx_transfer_bracket_tax(l, x, amount, tax_less, sizeof tax_less);
        xlsx_formula(&x->c, ws, r, T_GIVEN_BACK, x->f.money, f->given_back[t], "=%s-%s",
                     tax_now, tax_less);
    }
    /* cumulative: the tax on the gain to date less that on the gain to the year before
     * (carry_forward: less that on the highest gain to date before, no refund before the last
     * recognised gain). */
    char tax_before[XLSX_FORMULA_MAX / 4], tax_high[XLSX_FORMULA_MAX / 4];
    if (t == 0) {
        snprintf(tax_before, sizeof tax_before, "0");
        snprintf(tax_high, sizeof tax_high, "0");
    } else {
        char above[32], highest[XLSX_REF_MAX + 8], taxables[XLSX_REF_MAX];
        lxw_rowcol_to_cell(above, (lxw_row_t)(r - 1), T_TAXABLE);
        xlsx_transfer_bracket_tax(l, x, above, tax_before, sizeof tax_before);
        xlsx_range(taxables, NULL, l->schedule_first, T_TAXABLE, r - 1, T_TAXABLE);
        snprintf(highest, sizeof highest, "MAX(%s)", taxables);
        xlsx_transfer_bracket_tax(l, x, highest, tax_high, sizeof tax_high);
    }
    char tax_whole[XLSX_FORMULA_MAX / 4];
    xlsx_transfer_bracket_tax(l, x, gain, tax_whole, sizeof tax_whole);
    xlsx_formula(&x->c, ws, r, T_TAX, x->f.money, f->tax[t],
                 "=IF(%s>0,IF(%s=\"whole_gain\",%s*%s/%s,IF(%s=\"cumulative\",IF(%s=\"carry_back\","
                 "%s-(%s),IF(%s<%s,MAX(0,%s-(%s)),IF(%s=%s,%s-(%s),0))),IF(%s=\"carry_back\",%s,"
                 "%s-IF(%s=%s,SUM(%s),0)))),0)-%s%s",
                 gain, in[I_APPLY], tax_whole, c[T_TAXABLE], gain, in[I_APPLY], back, tax_now,
                 tax_before, c[T_YEAR], settle, tax_now, tax_high, c[T_YEAR], settle, tax_now,
                 tax_high, back, standing_change, tax_now, c[T_YEAR], settle, given,
                 c[T_LOSS_VALUE], extra_tax);
}

/* An input row whose value is a word (a rule's choice). */
static void text_input(XlsxCtx *x, lxw_worksheet *ws, int r, const char *label,
                       const char *value)
{
    xlsx_text(&x->c, ws, r, 0, label, x->f.text);
    xlsx_text(&x->c, ws, r, 1, value, x->f.input_text);
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
        text_input(x, ws, r, "Seller: a loss on the sale",
                   (const char *[]){"none", "offset_other_gains", "carry_forward",
                                    "ordinary"}[s->loss_rule]);
        if (s->loss_rule == LOSS_ORDINARY)
            xlsx_text(&x->c, ws, r, 2,
                      s->renewal_rights_ordinary
                          ? "renewal rights: ordinary, all in the sale's year at the ordinary rate"
                          : "a purchased book (§ 1231(a)(2)): ordinary, all in the sale's year "
                            "at the ordinary rate",
                      x->f.note);
        break;
    case I_LOSS_SHARE:
        xlsx_transfer_input(x, ws, r,
                            "Seller: without that limit, the share of other income it may offset",
                            s->loss_limit_share, x->f.input_rate);
        break;
    case I_NEGATIVE_YEAR:
        text_input(x, ws, r, "Seller: a year with a negative gain",
                   s->carry_back ? "carry_back" : "carry_forward");
        break;
    case I_FILING_STATUS:
        text_input(x, ws, r, "Seller: filing status (the brackets' thresholds)",
                   s->filing_status ? "married_joint" : "single");
        break;
    case I_ORDINARY_RATE:
        xlsx_transfer_input(x, ws, r, "Seller: tax rate on ordinary income", tax_ordinary_rate(s),
                            x->f.input_rate);
        if (s->renewal_rights_ordinary)
            xlsx_text(&x->c, ws, r, 2,
                      "renewal-commission rights: the gain is ordinary income, the brackets one "
                      "at this rate (Hodges v. Commissioner, 50 T.C. 428)",
                      x->f.note);
        break;
    case I_BOOK_ORIGIN:
        text_input(x, ws, r, "Seller: the book was", s->purchased ? "purchased" : "built");
        break;
    case I_RECAPTURE:
        xlsx_text(&x->c, ws, r, 0, "Seller: amortisation recaptured as ordinary income",
                  x->f.text);
        xlsx_boolean(&x->c, ws, r, 1, s->recapture, x->f.input_text);
        break;
    case I_AMORT_TAKEN:
        xlsx_transfer_input(x, ws, r, "Seller: amortisation taken on the book",
                            s->amortization_taken, x->f.input_money);
        break;
    case I_RECAPTURED: {
        const AllocationFlows *a = &x->deal->flows.alloc;
        char ordinary[XLSX_REF_MAX] = "0";
        if (a->enabled)
            xlsx_transfer_allocation_cell(x, 0, ordinary);
        xlsx_text(&x->c, ws, r, 0, "Seller: recaptured, ordinary income of year 0 (up to the gain)",
                  x->f.text);
        xlsx_formula(&x->c, ws, r, 1, x->f.money,
                     x->deal->flows.recaptured,
                     "=IF(AND(%s,%s-%s>0),MIN(%s,%s-%s),0)", in[I_RECAPTURE], res[R_GAIN],
                     ordinary, in[I_AMORT_TAKEN], res[R_GAIN], ordinary);
        break;
    }
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
