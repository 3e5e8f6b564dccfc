/*
 * xlsx_transfer_allocation.c — the Transfer sheet's allocation block: the price by asset
 * class, the seller's tax on each by its character, the buyer's write-off and its shield PV,
 * and what the split is worth to each side against all goodwill. The schedule's recognised
 * gain, tax and shield read this block's cells when the deal has an allocation.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Rows of the block, from its first row. */
enum {
    AL_HEADER, AL_COLUMNS_ROW, AL_FIRST_CLASS, AL_ORDINARY = AL_FIRST_CLASS + CLASS_COUNT,
    AL_ORDINARY_TAX, AL_GAP, AL_CMP_HEADER, AL_SPLIT, AL_GOODWILL, AL_WORTH, AL_ROWS
};
/* Columns of the class table. */
enum { AC_CLASS, AC_PRICE, AC_GIVEN, AC_CHARACTER, AC_RATE, AC_ORD_TAX, AC_SELLER_TAX, AC_YEARS,
       AC_YEARLY, AC_AS_PAID, AC_SHIELD_PV, AC_COUNT };

int xlsx_transfer_allocation_rows(const XlsxCtx *x)
{
    return x->deal->flows.alloc.enabled ? AL_ROWS : 0;
}

static const char *cell(char *buf, const XlsxCtx *x, int row, int col)
{
    lxw_rowcol_to_cell_abs(buf, (lxw_row_t)(x->transfer.alloc_first + row), (lxw_col_t)col, 1,
                           1);
    return buf;
}

static const char *col_range(char *buf, const XlsxCtx *x, int col)
{
    int first = x->transfer.alloc_first + AL_FIRST_CLASS;
    return xlsx_range(buf, NULL, first, col, first + CLASS_COUNT - 1, col);
}

void xlsx_transfer_allocation_cell(const XlsxCtx *x, int what, char *buf)
{
    if (what == 0)
        cell(buf, x, AL_ORDINARY, 1);
    else if (what == 1)
        cell(buf, x, AL_ORDINARY_TAX, 1);
    else if (what == 2)
        col_range(buf, x, AC_YEARS);
    else if (what == 3)
        col_range(buf, x, AC_YEARLY);
    else
        col_range(buf, x, AC_AS_PAID);
}

static void class_row(XlsxCtx *x, lxw_worksheet *ws, int r, int k, const TransferRefs *refs)
{
    const Scenario *sc = x->sc;
    const AllocationFlows *a = &x->deal->flows.alloc;
    const TransferLayout *l = &x->transfer;
    const char *const *in = refs->in, *const *res = refs->res;
    char c[AC_COUNT][32], range[XLSX_REF_MAX], range2[XLSX_REF_MAX], r3[XLSX_REF_MAX];
    char years_col[XLSX_REF_MAX], dfs[XLSX_REF_MAX], principal[XLSX_REF_MAX];
    for (int i = 0; i < AC_COUNT; i++)
        lxw_rowcol_to_cell(c[i], (lxw_row_t)r, (lxw_col_t)i);
    xlsx_text(&x->c, ws, r, AC_CLASS, allocation_class_names[k], x->f.text);
    const AllocationItem *item = NULL;
    for (size_t i = 0; i < sc->deal.allocation_count; i++)
        if ((int)sc->deal.allocation[i].cls == k)
            item = &sc->deal.allocation[i];
    if (k == CLASS_GOODWILL) {
        int first = l->alloc_first + AL_FIRST_CLASS;
        xlsx_formula(&x->c, ws, r, AC_PRICE, x->f.money, a->price[k], "=%s-SUM(%s)",
                     res[R_PRICE], xlsx_range(range, NULL, first + 1, AC_PRICE,
                                              first + CLASS_COUNT - 1, AC_PRICE));
        xlsx_text(&x->c, ws, r, AC_GIVEN, "the residual", x->f.note);
    } else if (item && item->is_share) {
        xlsx_number(&x->c, ws, r, AC_GIVEN, item->value, x->f.input_rate);
        xlsx_formula(&x->c, ws, r, AC_PRICE, x->f.money, a->price[k], "=%s*%s", c[AC_GIVEN],
                     res[R_PRICE]);
    } else {
        xlsx_number(&x->c, ws, r, AC_GIVEN, item ? item->value : 0, x->f.input_money);
        xlsx_formula(&x->c, ws, r, AC_PRICE, x->f.money, a->price[k], "=%s", c[AC_GIVEN]);
    }
    if (sc->seller.enabled) {
        const ClassTax *t = &sc->seller.classes[k];
        bool ordinary = k != CLASS_GOODWILL && t->ordinary;
        xlsx_text(&x->c, ws, r, AC_CHARACTER, ordinary ? "ordinary" : "capital",
                  x->f.input_text);
        xlsx_number(&x->c, ws, r, AC_RATE, ordinary ? t->rate + t->self_employment : 0,
                    x->f.input_rate);
        xlsx_formula(&x->c, ws, r, AC_ORD_TAX, x->f.money, ordinary ? a->seller_tax[k] : 0,
                     "=IF(%s=\"ordinary\",%s*%s,0)", c[AC_CHARACTER], c[AC_PRICE], c[AC_RATE]);
        col_range(range, x, AC_ORD_TAX);
        col_range(range2, x, AC_CHARACTER);
        col_range(r3, x, AC_PRICE);
        xlsx_formula(&x->c, ws, r, AC_SELLER_TAX, x->f.money, a->seller_tax[k],
                     "=IF(%s=\"ordinary\",%s,IF(SUMIF(%s,\"capital\",%s)<>0,(%s-SUM(%s))*%s/"
                     "SUMIF(%s,\"capital\",%s),0))",
                     c[AC_CHARACTER], c[AC_ORD_TAX], range2, r3, res[R_TAX], range, c[AC_PRICE],
                     range2, r3);
    }
    if (sc->buyer.enabled) {
        int n = k == CLASS_GOODWILL ? sc->buyer.amortization_years : sc->buyer.write_off[k];
        if (k == CLASS_GOODWILL)
            xlsx_formula(&x->c, ws, r, AC_YEARS, x->f.integer, n, "=%s", in[I_YEARS]);
        else
            xlsx_number(&x->c, ws, r, AC_YEARS, n, x->f.input_count);
        double base = a->price[k] + (k == CLASS_GOODWILL ? sc->buyer.acquisition_costs : 0);
        xlsx_formula(&x->c, ws, r, AC_YEARLY, x->f.money, n > 0 ? base / n : 0,
                     "=IF(%s>0,(%s%s%s)/%s,0)", c[AC_YEARS], c[AC_PRICE],
                     k == CLASS_GOODWILL ? "+" : "", k == CLASS_GOODWILL ? in[I_ACQUISITION] : "",
                     c[AC_YEARS]);
        double price = x->deal->flows.price;
        if (k == CLASS_GOODWILL) /* 0 years: never written off, not deducted as paid */
            xlsx_number(&x->c, ws, r, AC_AS_PAID, 0, x->f.rate);
        else
            xlsx_formula(&x->c, ws, r, AC_AS_PAID, x->f.rate,
                         n == 0 && price != 0 ? a->price[k] / price : 0,
                         "=IF(AND(%s=0,%s<>0),%s/%s,0)", c[AC_YEARS], res[R_PRICE],
                         c[AC_PRICE], res[R_PRICE]);
        int last = l->schedule_last;
        xlsx_range(years_col, NULL, l->schedule_first, T_YEAR, last, T_YEAR);
        xlsx_range(dfs, NULL, l->schedule_first, T_BUYER_DF, last, T_BUYER_DF);
        xlsx_range(principal, NULL, l->schedule_first, T_PRINCIPAL, last, T_PRINCIPAL);
        xlsx_formula(&x->c, ws, r, AC_SHIELD_PV, x->f.money, a->shield_pv[k],
                     "=%s*(%s*SUMPRODUCT((%s>=1)*(%s<=%s)*%s)+%s*SUMPRODUCT(%s,%s))",
                     in[I_BUYER_TAX], c[AC_YEARLY], years_col, years_col, c[AC_YEARS], dfs,
                     c[AC_AS_PAID], principal, dfs);
    }
}

void xlsx_transfer_allocation_row(XlsxCtx *x, lxw_worksheet *ws, int r, const TransferRefs *refs)
{
    const Deal *deal = x->deal;
    const AllocationFlows *a = &deal->flows.alloc;
    const char *const *res = refs->res;
    int k = r - x->transfer.alloc_first;
    char range[XLSX_REF_MAX], b[32], cc[32];
    bool seller = deal->has_seller, buyer = deal->has_buyer;
    if (k >= AL_FIRST_CLASS && k < AL_FIRST_CLASS + CLASS_COUNT) {
        class_row(x, ws, r, k - AL_FIRST_CLASS, refs);
        return;
    }
    switch (k) {
    case AL_HEADER:
        xlsx_text(&x->c, ws, r, 0, "Purchase-price allocation: the price by asset class",
                  x->f.header);
        xlsx_text(&x->c, ws, r, 1, x->sc->currency, x->f.header);
        break;
    case AL_COLUMNS_ROW: {
        static const char *const header[AC_COUNT] = {
            "Class", "Price", "Given (amount or share)", "Seller: character",
            "Seller: ordinary rate (+ social charges)", "Seller: ordinary tax",
            "Seller: tax on the class", "Buyer: write-off years (0: as paid)",
            "Buyer: yearly write-off", "Buyer: share deducted as paid",
            "Buyer: shield PV"};
        xlsx_row_height(&x->c, ws, r, 45);
        for (int c = 0; c < AC_COUNT; c++)
            xlsx_text(&x->c, ws, r, c, header[c], x->f.header);
        break;
    }
    case AL_ORDINARY: {
        xlsx_text(&x->c, ws, r, 0, "Seller: price of the ordinary-income classes", x->f.text);
        char chars[XLSX_REF_MAX], prices[XLSX_REF_MAX];
        if (seller)
            xlsx_formula(&x->c, ws, r, 1, x->f.money, a->ordinary, "=SUMIF(%s,\"ordinary\",%s)",
                         col_range(chars, x, AC_CHARACTER), col_range(prices, x, AC_PRICE));
        xlsx_text(&x->c, ws, r, 2, "not in the gain taxed by the brackets", x->f.note);
        break;
    }
    case AL_ORDINARY_TAX:
        xlsx_text(&x->c, ws, r, 0, "Seller: their tax and charges", x->f.text);
        if (seller)
            xlsx_formula(&x->c, ws, r, 1, x->f.money, a->ordinary_tax, "=SUM(%s)",
                         col_range(range, x, AC_ORD_TAX));
        xlsx_text(&x->c, ws, r, 2, "recognised like the rest of the price", x->f.note);
        break;
    case AL_CMP_HEADER:
        xlsx_text(&x->c, ws, r, 0, "What the split is worth", x->f.header);
        xlsx_text(&x->c, ws, r, 1, "Seller: net proceeds PV", x->f.header);
        xlsx_text(&x->c, ws, r, 2, "Buyer: NPV", x->f.header);
        xlsx_text(&x->c, ws, r, 3, "Both", x->f.header);
        break;
    case AL_SPLIT:
    case AL_GOODWILL: {
        bool split = k == AL_SPLIT;
        xlsx_text(&x->c, ws, r, 0,
                  split ? "This allocation" : "All goodwill (the same deal priced by bookval)",
                  x->f.text);
        double net = split ? deal->flows.net_proceeds_pv : deal->goodwill_net_proceeds_pv;
        double npv = split ? deal->flows.npv : deal->goodwill_npv;
        if (seller) {
            if (split)
                xlsx_formula(&x->c, ws, r, 1, x->f.money, net, "=%s", res[R_NET_PV]);
            else
                xlsx_number(&x->c, ws, r, 1, net, x->f.money);
        }
        if (buyer) {
            if (split)
                xlsx_formula(&x->c, ws, r, 2, x->f.money, npv, "=%s", res[R_NPV]);
            else
                xlsx_number(&x->c, ws, r, 2, npv, x->f.money);
        }
        lxw_rowcol_to_cell(b, (lxw_row_t)r, 1);
        lxw_rowcol_to_cell(cc, (lxw_row_t)r, 2);
        if (seller && buyer)
            xlsx_formula(&x->c, ws, r, 3, x->f.money_total, net + npv, "=%s+%s", b, cc);
        break;
    }
    case AL_WORTH:
        xlsx_text(&x->c, ws, r, 0, "The allocation against all goodwill", x->f.bold);
        for (int c = 1; c <= 3; c++) {
            double v = c == 1   ? deal->flows.net_proceeds_pv - deal->goodwill_net_proceeds_pv
                       : c == 2 ? deal->flows.npv - deal->goodwill_npv
                                : deal->flows.net_proceeds_pv + deal->flows.npv -
                                      deal->goodwill_net_proceeds_pv - deal->goodwill_npv;
            if ((c == 1 && !seller) || (c == 2 && !buyer) || (c == 3 && !(seller && buyer)))
                continue;
            lxw_rowcol_to_cell(b, (lxw_row_t)(r - 2), (lxw_col_t)c);
            lxw_rowcol_to_cell(cc, (lxw_row_t)(r - 1), (lxw_col_t)c);
            xlsx_formula(&x->c, ws, r, c, x->f.money_total, v, "=%s-%s", b, cc);
        }
        break;
    default:
        break;
    }
}
