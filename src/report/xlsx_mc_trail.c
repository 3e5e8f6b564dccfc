/*
 * xlsx_mc_trail.c — the audit trail on the Monte Carlo sheet: every iteration's draws by the
 * input's path, the final price, the seller's tax, clients lost, each side's break-even price
 * factor, and the RANK.AVG and bin helpers the Risk sheet's formulas read.
 */
#include "xlsx_risk.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct McTrail {
    size_t k;
    long n;
    bool formulas;       /* every iteration is on the sheet */
    double *rank_value, *rank_lost, *rank_input; /* [n], [n], [k x n] */
    char values[XLSX_REF_MAX], lost[XLSX_REF_MAX], iterations[XLSX_REF_MAX];
    char (*inputs)[XLSX_REF_MAX];
};

/* The break-even factor as a cell: +-infinity (no break-even) as +-1E+300, which SMALL and
 * LARGE order the same way. */
static double finite_or_huge(double v)
{
    return isfinite(v) ? v : v > 0 ? 1e300 : -1e300;
}

McTrail *xlsx_mc_trail_begin(XlsxCtx *x, lxw_worksheet *ws)
{
    const McResult *mc = x->mc;
    const Scenario *sc = x->sc;
    McTrail *t = calloc(1, sizeof *t);
    if (!t) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return NULL;
    }
    t->k = mc->input_count;
    t->n = mc->iterations;
    t->formulas = x->mc_values_fit && t->n > 1;
    int h = MC_FIRST_ROW - 1;
    if (mc->has_deal)
        xlsx_text(&x->c, ws, h, M_PRICE, "Final price", x->f.header);
    if (mc->has_deal && sc->seller.enabled)
        xlsx_text(&x->c, ws, h, M_TAX, "Seller's tax", x->f.header);
    if (mc->client_churn)
        xlsx_text(&x->c, ws, h, M_LOST, "Clients lost by the horizon", x->f.header);
    if (x->buyer_par && x->buyer_par->asked && x->buyer_par->break_even)
        xlsx_text(&x->c, ws, h, M_BUYER_BE, "Buyer's break-even price factor (NPV = 0)",
                  x->f.header);
    if (x->seller_par && x->seller_par->asked && x->seller_par->break_even)
        xlsx_text(&x->c, ws, h, M_SELLER_BE,
                  "Seller's break-even price factor (net proceeds PV = keeping)", x->f.header);
    for (size_t i = 0; i < t->k; i++) {
        char head[BOOK_INPUT_PATH_MAX + 40];
        bool rate = (int)i == x->book->discount_input;
        snprintf(head, sizeof head, "%s%s", x->book->inputs[i].path,
                 rate ? " (drawn: vary_discount_rate)" : "");
        xlsx_text(&x->c, ws, h, risk_col_input(i), head, x->f.header);
    }
    if (!t->formulas)
        return t;
    xlsx_text(&x->c, ws, h, risk_col_rank_value(t->k), "Rank of the value", x->f.header);
    if (mc->client_churn)
        xlsx_text(&x->c, ws, h, risk_col_rank_lost(t->k), "Rank of clients lost", x->f.header);
    for (size_t i = 0; i < t->k; i++) {
        char head[BOOK_INPUT_PATH_MAX + 16];
        snprintf(head, sizeof head, "Rank: %s", x->book->inputs[i].path);
        xlsx_text(&x->c, ws, h, risk_col_rank_input(t->k, i), head, x->f.header);
        snprintf(head, sizeof head, "Bin: %s", x->book->inputs[i].path);
        xlsx_text(&x->c, ws, h, risk_col_bin_input(t->k, i), head, x->f.header);
    }
    size_t n = (size_t)t->n;
    t->rank_value = malloc(n * sizeof(double));
    t->rank_lost = malloc(n * sizeof(double));
    t->rank_input = malloc((t->k ? t->k : 1) * n * sizeof(double));
    t->inputs = malloc((t->k ? t->k : 1) * sizeof *t->inputs);
    bool ok = t->rank_value && t->rank_lost && t->rank_input && t->inputs &&
              drivers_ranks(mc->values, 1, t->n, t->rank_value) &&
              (!mc->client_churn || drivers_ranks(mc->clients_lost, 1, t->n, t->rank_lost));
    for (size_t i = 0; ok && i < t->k; i++)
        ok = drivers_ranks(&mc->inputs[i], t->k, t->n, &t->rank_input[i * n]);
    if (!ok) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        xlsx_mc_trail_end(t);
        return NULL;
    }
    int last = MC_FIRST_ROW + (int)t->n - 1;
    xlsx_range(t->values, NULL, MC_FIRST_ROW, M_VALUE, last, M_VALUE);
    xlsx_range(t->lost, NULL, MC_FIRST_ROW, M_LOST, last, M_LOST);
    xlsx_ref(t->iterations, NULL, x->mc_stat_row[MC_ITERATIONS], M_STAT);
    for (size_t i = 0; i < t->k; i++)
        xlsx_range(t->inputs[i], NULL, MC_FIRST_ROW, risk_col_input(i), last, risk_col_input(i));
    return t;
}

void xlsx_mc_trail_row(XlsxCtx *x, lxw_worksheet *ws, const McTrail *t, int r, long it)
{
    const McResult *mc = x->mc;
    const Scenario *sc = x->sc;
    if (!t)
        return;
    if (mc->has_deal)
        xlsx_number(&x->c, ws, r, M_PRICE, mc->price[it], x->f.money);
    if (mc->has_deal && sc->seller.enabled)
        xlsx_number(&x->c, ws, r, M_TAX, mc->seller_tax[it], x->f.money);
    if (mc->client_churn)
        xlsx_number(&x->c, ws, r, M_LOST, mc->clients_lost[it], x->f.integer);
    if (x->buyer_par && x->buyer_par->asked && x->buyer_par->break_even)
        xlsx_number(&x->c, ws, r, M_BUYER_BE, finite_or_huge(x->buyer_par->break_even[it]),
                    x->f.factor);
    if (x->seller_par && x->seller_par->asked && x->seller_par->break_even)
        xlsx_number(&x->c, ws, r, M_SELLER_BE, finite_or_huge(x->seller_par->break_even[it]),
                    x->f.factor);
    for (size_t i = 0; i < t->k; i++)
        xlsx_number(&x->c, ws, r, risk_col_input(i), mc->inputs[(size_t)it * t->k + i],
                    x->f.factor);
    if (!t->formulas)
        return;
    char cell[XLSX_REF_MAX];
    xlsx_cell(cell, r, M_VALUE);
    xlsx_formula(&x->c, ws, r, risk_col_rank_value(t->k), x->f.count, t->rank_value[it],
                 "=_xlfn.RANK.AVG(%s,%s,1)", cell, t->values);
    if (mc->client_churn) {
        xlsx_cell(cell, r, M_LOST);
        xlsx_formula(&x->c, ws, r, risk_col_rank_lost(t->k), x->f.count, t->rank_lost[it],
                     "=_xlfn.RANK.AVG(%s,%s,1)", cell, t->lost);
    }
    size_t bins = x->drivers ? x->drivers->bins : 1;
    for (size_t i = 0; i < t->k; i++) {
        double rank = t->rank_input[i * (size_t)t->n + (size_t)it];
        xlsx_cell(cell, r, risk_col_input(i));
        xlsx_formula(&x->c, ws, r, risk_col_rank_input(t->k, i), x->f.count, rank,
                     "=_xlfn.RANK.AVG(%s,%s,1)", cell, t->inputs[i]);
        double bin = floor((rank - 1) * (double)bins / (double)t->n);
        if (bin > (double)bins - 1)
            bin = (double)bins - 1;
        xlsx_cell(cell, r, risk_col_rank_input(t->k, i));
        xlsx_formula(&x->c, ws, r, risk_col_bin_input(t->k, i), x->f.integer, bin,
                     "=MIN(INT((%s-1)*%zu/%s),%zu)", cell, bins, t->iterations, bins - 1);
    }
}

void xlsx_mc_trail_end(McTrail *t)
{
    if (!t)
        return;
    free(t->rank_value);
    free(t->rank_lost);
    free(t->rank_input);
    free(t->inputs);
    free(t);
}
