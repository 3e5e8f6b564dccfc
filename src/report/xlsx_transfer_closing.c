/*
 * xlsx_transfer_closing.c — the Transfer sheet's closing cut-off block: who keeps the
 * receivables and the work in progress, what the buyer pays for them at closing, his working
 * capital; and the two schedule columns they add to the seller's and the buyer's flows.
 */
#include "xlsx_layout.h"

#include <stdio.h>

enum { CL_HEADER, CL_REC_TO, CL_REC, CL_WIP_TO, CL_WIP, CL_PAID, CL_WC, CL_ROWS };

bool xlsx_transfer_closing_on(const XlsxCtx *x)
{
    const ClosingFlows *c = &x->deal->flows.closing;
    return c->to_buyer > 0 || c->working_capital > 0;
}

int xlsx_transfer_closing_rows(const XlsxCtx *x)
{
    return xlsx_transfer_closing_on(x) ? CL_ROWS : 0;
}

static const char *value(char *buf, const XlsxCtx *x, int k)
{
    lxw_rowcol_to_cell_abs(buf, (lxw_row_t)(x->transfer.closing_first + k), 1, 1, 1);
    return buf;
}

void xlsx_transfer_closing_row(XlsxCtx *x, lxw_worksheet *ws, int r)
{
    const Scenario *sc = x->sc;
    const ClosingFlows *c = &x->deal->flows.closing;
    int k = r - x->transfer.closing_first;
    char a[32], b[32], d[32], e[32], rec[XLSX_FORMULA_MAX / 2], prov[XLSX_FORMULA_MAX / 2];
    switch (k) {
    case CL_HEADER:
        xlsx_text(&x->c, ws, r, 0, "Closing cut-off: receivables, work in progress, working "
                                   "capital", x->f.header);
        xlsx_text(&x->c, ws, r, 1, sc->currency, x->f.header);
        break;
    case CL_REC_TO:
        xlsx_text(&x->c, ws, r, 0, "Receivables go to", x->f.text);
        xlsx_text(&x->c, ws, r, 1, sc->deal.receivables_to_buyer ? "buyer" : "seller",
                  x->f.input_text);
        break;
    case CL_REC:
        xlsx_text(&x->c, ws, r, 0, "Receivables, collectible (less the provision)", x->f.text);
        xlsx_layout_over_clients(x, rec, sizeof rec, C_RECEIVABLE, "SUM(", ")");
        xlsx_layout_over_clients(x, prov, sizeof prov, C_PROVISION, "-SUM(", ")");
        xlsx_formula(&x->c, ws, r, 1, x->f.money, c->receivables, "=%s%s", rec,
                     sc->provision_count ? prov : "");
        break;
    case CL_WIP_TO:
        xlsx_text(&x->c, ws, r, 0, "Work in progress goes to", x->f.text);
        xlsx_text(&x->c, ws, r, 1, sc->deal.wip_to_buyer ? "buyer" : "seller", x->f.input_text);
        break;
    case CL_WIP:
        xlsx_text(&x->c, ws, r, 0, "Work in progress (unbilled, at what it will collect)",
                  x->f.text);
        xlsx_number(&x->c, ws, r, 1, sc->deal.work_in_progress, x->f.input_money);
        break;
    case CL_PAID:
        xlsx_text(&x->c, ws, r, 0, "Paid by the buyer at closing for them", x->f.bold);
        xlsx_formula(&x->c, ws, r, 1, x->f.money, c->to_buyer,
                     "=IF(%s=\"buyer\",%s,0)+IF(%s=\"buyer\",%s,0)", value(a, x, CL_REC_TO),
                     value(b, x, CL_REC), value(d, x, CL_WIP_TO), value(e, x, CL_WIP));
        xlsx_text(&x->c, ws, r, 2, "outside the price; collected by him in year 1", x->f.note);
        break;
    case CL_WC:
        xlsx_text(&x->c, ws, r, 0, "Buyer's working capital at closing", x->f.text);
        xlsx_number(&x->c, ws, r, 1, c->working_capital, x->f.input_money);
        xlsx_text(&x->c, ws, r, 2, "in his equity; recovered in year H", x->f.note);
        break;
    default:
        break;
    }
}

void xlsx_transfer_closing_cell(const XlsxCtx *x, int what, char *buf)
{
    value(buf, x, what == 0 ? CL_PAID : CL_WC);
}

void xlsx_transfer_closing_columns(XlsxCtx *x, lxw_worksheet *ws, int r, int t,
                                   const char *year)
{
    const ClosingFlows *c = &x->deal->flows.closing;
    char paid[32], wc[32];
    xlsx_transfer_closing_cell(x, 0, paid);
    xlsx_transfer_closing_cell(x, 1, wc);
    if (x->sc->seller.enabled)
        xlsx_formula(&x->c, ws, r, T_CUT_SELLER, x->f.money, closing_seller_flow(c, t),
                     "=IF(%s=0,%s,IF(%s=1,-%s,0))", year, paid, year, paid);
    if (x->sc->buyer.enabled)
        xlsx_formula(&x->c, ws, r, T_CUT_BUYER, x->f.money, closing_buyer_flow(c, t),
                     "=IF(%s=0,-%s-%s,0)+IF(%s=1,%s,0)+IF(%s=%d,%s,0)", year, paid, wc, year,
                     paid, year, x->sc->horizon_years, wc);
}
