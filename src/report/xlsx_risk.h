/*
 * xlsx_risk.h — the Monte Carlo sheet's audit trail (each iteration's draws and deal outcome,
 * with RANK.AVG and bin helper columns) and the Risk sheet built on it (issue 18).
 *
 * Monte Carlo columns from M_INPUTS, with k inputs: the draws (k), a gap, the value's rank,
 * the clients lost's rank, a gap, each input's rank (k), each input's bin (k). Ranks and bins
 * are formulas only when every iteration is on the sheet.
 */
#ifndef BOOKVAL_XLSX_RISK_H
#define BOOKVAL_XLSX_RISK_H

#include "xlsx_layout.h"

static inline int risk_col_input(size_t i) { return M_INPUTS + (int)i; }
static inline int risk_col_rank_value(size_t k) { return M_INPUTS + (int)k + 1; }
static inline int risk_col_rank_lost(size_t k) { return M_INPUTS + (int)k + 2; }
static inline int risk_col_rank_input(size_t k, size_t i) { return M_INPUTS + (int)k + 4 + (int)i; }
static inline int risk_col_bin_input(size_t k, size_t i)
{
    return M_INPUTS + 2 * (int)k + 4 + (int)i;
}

typedef struct McTrail McTrail;

/* The trail's headers on the Monte Carlo sheet's header row; NULL on no memory (noted in x). */
McTrail *xlsx_mc_trail_begin(XlsxCtx *x, lxw_worksheet *ws);
/* Iteration `it` on row r. */
void xlsx_mc_trail_row(XlsxCtx *x, lxw_worksheet *ws, const McTrail *t, int r, long it);
void xlsx_mc_trail_end(McTrail *t);

/* The Summary's rows of the prices at a chosen risk (pointing at the Risk sheet), from row r;
 * returns the next row. */
int xlsx_risk_summary_rows(XlsxCtx *x, lxw_worksheet *ws, int r);

#endif
