/*
 * xlsx_summary_bridge.c — the Summary sheet's bridge from the practice's reported profit to
 * normalised earnings: each add-back and deduction with its reason and whether a lender
 * counts it, SDE, the lender's SDE, the owner's market salary, EBITDA and their margins.
 * Every line an input, every total a formula.
 */
#include "xlsx_layout.h"

#include <stdio.h>

#include "normalization.h"

enum { B_LABEL, B_AMOUNT, B_NOTE, B_KIND, B_LENDER };

int xlsx_summary_bridge_row(const XlsxCtx *x, int start, int which)
{
    int sde = start + 2 + (int)x->sc->normalization.count; /* header, reported profit, lines */
    return which == 1 ? sde : sde + 3;                       /* EBITDA: after lender, salary */
}

int xlsx_summary_bridge(XlsxCtx *x, lxw_worksheet *ws, int r, const char *valued)
{
    const Scenario *sc = x->sc;
    const Normalization *nz = &sc->normalization;
    NormalizedEarnings e;
    /* Margins over every client's billed revenue, lapsed ones included: the revenue that
     * earned the reported profit (the DCF values only the clients it keeps). */
    (void)valued;
    char revenue[XLSX_FORMULA_MAX / 2];
    xlsx_layout_over_clients(x, revenue, sizeof revenue, C_REVENUE, "SUM(", ")");
    normalization_value(sc, scenario_annual_revenue(sc), &e);
    char profit[32], amounts[XLSX_REF_MAX], kinds[XLSX_REF_MAX], lender[XLSX_REF_MAX];
    char sde[32], salary[32], ebitda[32];
    xlsx_text(&x->c, ws, r, B_LABEL, "Normalised earnings: reported profit to SDE and EBITDA",
              x->f.header);
    xlsx_text(&x->c, ws, r, B_AMOUNT, sc->currency, x->f.header);
    xlsx_text(&x->c, ws, r, B_NOTE, "per year", x->f.header);
    xlsx_text(&x->c, ws, r, B_KIND, "Kind", x->f.header);
    xlsx_text(&x->c, ws, r++, B_LENDER, "A lender counts it", x->f.header);
    xlsx_text(&x->c, ws, r, B_LABEL, "Reported profit (pre-tax, the accounts)", x->f.text);
    xlsx_number(&x->c, ws, r, B_AMOUNT, nz->reported_profit, x->f.input_money);
    lxw_rowcol_to_cell(profit, (lxw_row_t)r++, B_AMOUNT);
    int first = r;
    for (size_t i = 0; i < nz->count; i++, r++) {
        const NormalizationItem *it = &nz->items[i];
        char label[512];
        snprintf(label, sizeof label, "  %s %s", it->deduction ? "-" : "+", it->label);
        xlsx_text(&x->c, ws, r, B_LABEL, label, x->f.text);
        xlsx_number(&x->c, ws, r, B_AMOUNT, it->amount, x->f.input_money);
        xlsx_text(&x->c, ws, r, B_KIND, it->deduction ? "deduction" : "add_back",
                  x->f.input_text);
        xlsx_boolean(&x->c, ws, r, B_LENDER, it->deduction || it->lender_accepted,
                     x->f.input_text);
    }
    int last = r - 1;
    if (nz->count) {
        xlsx_range(amounts, NULL, first, B_AMOUNT, last, B_AMOUNT);
        xlsx_range(kinds, NULL, first, B_KIND, last, B_KIND);
        xlsx_range(lender, NULL, first, B_LENDER, last, B_LENDER);
    }
    xlsx_text(&x->c, ws, r, B_LABEL, "SDE: seller's discretionary earnings", x->f.bold);
    if (nz->count)
        xlsx_formula(&x->c, ws, r, B_AMOUNT, x->f.money_total, e.sde,
                     "=%s+SUMIF(%s,\"add_back\",%s)-SUMIF(%s,\"deduction\",%s)", profit, kinds,
                     amounts, kinds, amounts);
    else
        xlsx_formula(&x->c, ws, r, B_AMOUNT, x->f.money_total, e.sde, "=%s", profit);
    xlsx_text(&x->c, ws, r, B_NOTE, "what one working owner takes out, before debt service",
              x->f.note);
    lxw_rowcol_to_cell(sde, (lxw_row_t)r++, B_AMOUNT);
    xlsx_text(&x->c, ws, r, B_LABEL, "  SDE a lender accepts", x->f.text);
    if (nz->count)
        xlsx_formula(&x->c, ws, r, B_AMOUNT, x->f.money, e.lender_sde,
                     "=%s+SUMPRODUCT((%s=\"add_back\")*(%s=TRUE())*%s)-SUMIF(%s,\"deduction\",%s)",
                     profit, kinds, lender, amounts, kinds, amounts);
    else
        xlsx_formula(&x->c, ws, r, B_AMOUNT, x->f.money, e.lender_sde, "=%s", profit);
    xlsx_text(&x->c, ws, r++, B_NOTE, "documented add-backs only", x->f.note);
    xlsx_text(&x->c, ws, r, B_LABEL, "  - the owner's work at a market salary", x->f.text);
    xlsx_number(&x->c, ws, r, B_AMOUNT, nz->owner_market_salary, x->f.input_money);
    lxw_rowcol_to_cell(salary, (lxw_row_t)r++, B_AMOUNT);
    xlsx_text(&x->c, ws, r, B_LABEL, "EBITDA", x->f.bold);
    xlsx_formula(&x->c, ws, r, B_AMOUNT, x->f.money_total, e.ebitda, "=%s-%s", sde, salary);
    xlsx_text(&x->c, ws, r, B_NOTE, "what an owner who pays for all the work earns", x->f.note);
    lxw_rowcol_to_cell(ebitda, (lxw_row_t)r++, B_AMOUNT);
    xlsx_text(&x->c, ws, r, B_LABEL, "SDE margin (of annual revenue)", x->f.text);
    xlsx_formula(&x->c, ws, r++, B_AMOUNT, x->f.rate, e.sde_margin, "=%s/(%s)", sde, revenue);
    xlsx_text(&x->c, ws, r, B_LABEL, "EBITDA margin (of annual revenue)", x->f.text);
    xlsx_formula(&x->c, ws, r, B_AMOUNT, x->f.rate, e.ebitda_margin, "=%s/(%s)", ebitda,
                 revenue);
    if (nz->margin_from)
        xlsx_text(&x->c, ws, r, B_NOTE, "margin: from_normalization, the DCF's margin",
                  x->f.note);
    return r + 1;
}
