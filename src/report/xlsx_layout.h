/*
 * xlsx_layout.h — what the sheet writers of report_xlsx share (internal to src/report): the
 * writer context, the columns of each sheet, and the layout, fixed before any sheet is written
 * so a formula on one sheet can name a cell of another; each sheet is then written top to
 * bottom, as libxlsxwriter's constant-memory mode requires.
 */
#ifndef BOOKVAL_XLSX_LAYOUT_H
#define BOOKVAL_XLSX_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <xlsxwriter.h>

#include "diagnostics.h"
#include "report_xlsx.h"
#include "results.h"
#include "xlsx_cells.h"

/* Columns of the Assumptions table. */
enum {
    A_SCOPE,
    A_PARAMETER,
    A_VALUE,
    A_DIST,
    A_P1_NAME,
    A_P1,
    A_P2_NAME,
    A_P2,
    A_P3_NAME,
    A_P3,
    A_P4_NAME,
    A_P4,
    A_UNIT,
    A_REACH_CLIENTS, /* the clients that take this value (valued share of each) */
    A_REACH_SHARE,   /* their share of the revenue valued */
    A_COLUMNS
};

/* Columns of the Projection's cohort table; the survival columns follow P_SURVIVAL. */
enum {
    P_COHORT,
    P_SEGMENT,
    P_CLIENTS,
    P_REVENUE,
    P_MARGIN,
    P_GROWTH,
    P_TRANSFER,
    P_MODEL,
    P_RATE_OR_ALPHA,
    P_BETA,
    P_TENURE,
    P_CURVE_LEN,
    P_SURVIVAL
};

/* The Monte Carlo sheet: statistics (A:B), values (D:E), histogram (G:I), convergence (K:N). */
enum { M_LABEL, M_STAT, M_GAP1, M_ITER, M_VALUE, M_GAP2, M_BIN_FROM, M_BIN_TO, M_COUNT, M_GAP3,
       M_AT, M_MEAN, M_LOW, M_HIGH, M_GAP4, M_GAIN, M_NPV, M_NET_PV, M_KEEP, M_DSCR_MIN,
       M_GAP5, M_PRICE, M_TAX, M_LOST, M_BUYER_BE, M_SELLER_BE, M_GAP6,
       M_INPUTS /* the first input's draws; the audit trail's further columns: xlsx_risk.h */ };
enum { MC_ITERATIONS, MC_MEAN, MC_SD, MC_SE, MC_P1, MC_P5 = MC_P1 + 1, MC_P95 = MC_P1 + 7,
       MC_CVAR5 = MC_P1 + STATS_PERCENTILES, MC_MIN, MC_MAX, MC_Z, MC_STATS };
#define MC_FIRST_ROW 4
/* Rows for values below the header: Excel's limit less the rows above. */
#define MC_VALUE_ROWS_MAX (1048576 - MC_FIRST_ROW)

/* The Transfer sheet's inputs and results blocks: one row each, label in A, value in B. */
enum {
    I_REVENUE, I_PRICE_INPUT, I_BASE_PRICE, I_MEASURE_YEAR, I_ADJ_MULTIPLE, I_INTEREST,
    I_BASIS, I_CARRYING, I_COSTS, I_SELLER_RATE, I_INCOME_TAX, I_INSTALLMENT, I_APPLY,
    I_KEEP_MARGIN, I_KEEP_PAY, I_KEEP_PAY_GROWTH, I_KEEP_YEARS, I_KEEP_RATE, I_KEEP_EXIT,
    I_BUYER_RATE, I_ACQUISITION, I_BUYER_TAX, I_YEARS, I_TAIL_PV, I_KEEP_TAIL,
    I_INTEREST_TAX, I_TAX_LAG, I_OTHER_INCOME, I_MATERIAL, I_SURTAX_RATE, I_SURTAX_ABOVE,
    I_ANNUITY, I_ANNUITY_CAP, I_EXEMPT, I_LOSS_RULE, I_OTHER_GAINS, I_LOSS_LIMIT, I_LOSS_YEARS,
    I_LOSS_RATE, I_LOSS_SHARE, I_NEGATIVE_YEAR, I_FILING_STATUS, I_ORDINARY_RATE, I_BOOK_ORIGIN,
    I_RECAPTURE, I_AMORT_TAKEN, I_RECAPTURED, I_COUNT
};
enum {
    R_PRICE, R_GAIN, R_ACCOUNTING_GAIN, R_TAX, R_NET, R_NET_PV,
    R_KEEP_HEADER, R_KEEP_CASH, R_KEEP_WORK, R_KEEP_TAX, R_KEEP_EXIT_PRICE, R_KEEP_EXIT_TAX,
    R_KEEP_EXIT, R_KEEP_PV, R_MIN_PRICE, R_MIN_EXPECTED,
    R_NPV, R_IRR, R_BOOK_IRR, R_PAYBACK, R_PAYBACK_DISCOUNTED, R_MAX_PRICE, R_MAX_EXPECTED,
    R_MAX_CASH, R_MAX_CASH_EXPECTED,
    R_ZONE, R_OPENS_PAY, R_OPENS_YEARS, R_OPENS_RATE, R_COUNT
};

/* Columns of the Transfer sheet's schedule, year 0 (the closing) to the last flow. */
enum {
    T_YEAR,
    T_SHARE,
    T_BASE,
    T_REVENUE,
    T_TRUE_UP,
    T_EARN_SHARE,
    T_EARN_OUT,
    T_LOST,
    T_REFUND,
    T_CLAWBACK,
    T_PRINCIPAL,
    T_INTEREST,
    T_RECOGNISED,
    T_TAX,
    T_SELLER_NET,
    T_CASH,
    T_CASH_AFTER_TAX,
    T_SHIELD,
    T_BUYER_NET,
    T_CUMULATIVE,
    T_SELLER_DF,
    T_RISK_DF,        /* the keep rate, year ends: the price's parts that move with the book */
    T_BUYER_DF,
    T_KEEP_REVENUE,   /* the book as its seller would keep it */
    T_KEEP_CASH,
    T_KEEP_PAY,
    T_KEEP_DF,        /* the keep rate with the book's timing, 0 after the years kept */
    T_DISCOUNTED_CUMULATIVE, /* the buyer's net flows at his rate, cumulated */
    T_BOOK_AT_PRICE,  /* the book bought for its expected price in cash at closing */
    T_LOAN,           /* the bank loan: + at closing, - payment + tax x interest */
    T_DRAW,           /* the buyer's own pay after tax (buyer.financing.owner_draw) */
    T_CUT_SELLER,     /* the closing cut-off: the seller paid for receivables/WIP, not collecting */
    T_CUT_BUYER,      /* the buyer paying for them and collecting; his working capital */
    T_TAXABLE,        /* the seller's gain taxed in the year (xlsx_transfer_tax.c) */
    T_CARRIED,        /* per_year: negative gain carried out of the year */
    T_CARRIED_BACK,   /* per_year: the last carried loss set back against the year's gain */
    T_GIVEN_BACK,     /* per_year: the tax that gives back */
    T_INTEREST_TAX,   /* the seller's tax on the interest received */
    T_TAX_PAID,       /* the gain's and the interest's tax, paid payment_lag_years later */
    T_INTEREST_SHIELD,/* the buyer's tax saved by deducting the interest */
    T_LOSS_USED,      /* a loss on the sale used in the year */
    T_LOSS_VALUE,     /* the tax it saves */
    T_COLUMNS
};

/* per_year with negative_year: carry_back, beside the schedule: the gain standing to date
 * (the positive part of the gain recognised to date), then one column per year s holding the
 * tax on year s's gain still standing after the row's year (xlsx_transfer_tax.c). */
#define T_STANDING (T_COLUMNS + 1)
#define T_STANDING_TAX (T_COLUMNS + 2)

#define T_FIRST_ROW 4
#define TRANSFER_BINS 20

struct TransferLayout {
    int input[I_COUNT];   /* rows */
    int bracket_first;    /* first bracket row (columns E:G), -1 without brackets */
    int schedule_header, schedule_first, schedule_last, total_row;
    int result[R_COUNT];
    int mc_first;         /* Monte Carlo block, -1 without */
    int fin_first, fin_last; /* financing block (xlsx_transfer_financing.c), -1 without */
    int alloc_first, alloc_last; /* allocation block (xlsx_transfer_allocation.c), -1 without */
    int closing_first, closing_last; /* cut-off block (xlsx_transfer_closing.c), -1 without */
};
typedef struct TransferLayout TransferLayout;

/* The Transfer sheet's input and result cells ("$B$7"), for formulas. */
typedef struct TransferRefs {
    const char *in[I_COUNT];
    const char *res[R_COUNT];
} TransferRefs;

/* Columns of the Clients sheets. */
enum {
    C_ID,
    C_NAME,
    C_SEGMENT,
    C_REVENUE,
    C_TENURE,
    C_ACTIVE,
    C_RECEIVABLE,
    C_RECEIVABLE_AGE,
    C_MARGIN,
    C_RETENTION,
    C_GROWTH,
    C_TRANSFER,
    C_COHORT,
    C_VALUE,
    C_REMAINING,
    C_ABC,
    C_RANK,
    C_PROVISION,
    C_WEIGHT,       /* share of the client valued: 1, or for an inactive one 0 or p */
    C_BOOK_REVENUE, /* annual revenue x that share: what the book values and prices */
    C_COLUMNS
};

/* Where one scope's (scenario or segment) assumptions sit on Assumptions, 0-based rows. */
typedef struct ScopeRows {
    int margin, growth, transfer, retention;
    int curve; /* row in the curve table, -1 when the scope's retention is not a curve */
} ScopeRows;

typedef struct Formats {
    lxw_format *title, *note, *header, *year_header, *label, *text, *bold;
    lxw_format *input_rate, *input_number, *input_money, *input_text, *input_count;
    lxw_format *money, *money_total, *rate, *factor, *count, *integer, *multiple;
    lxw_format *input_multiple;
    lxw_format *money_whole, *money_whole_total; /* whole units, the currency (Summary) */
    lxw_format *clients, *years, *paragraph;     /* "n clients", "n years", wrapped text */
    lxw_format *and_above;  /* any number shown as "and above" (an open top bracket) */
} Formats;

/* The Clients sheets' segment of a client without one: a text every spreadsheet's COUNTIF
 * matches (LibreOffice's "" criterion does not match an empty cell), and Diagnostics' label. */
#define XLSX_NO_SEGMENT "(no segment)"

/* The workbook being written: the results, the formats, and the layout of every sheet
 * (0-based rows and columns), fixed by xlsx_layout_fix before any sheet is written. */
typedef struct XlsxCtx {
    XlsxCells c;
    const Scenario *sc;
    const Book *book;
    const Dcf *dcf;
    const McResult *mc;
    const Diagnostics *diag;
    const Deal *deal;
    const WhatIf *whatif;
    const RunInfo *info;
    const Drivers *drivers;          /* NULL without a Monte Carlo */
    const PriceAtRisk *buyer_par, *seller_par; /* NULL or .asked false when not asked */
    const struct RateRange *rate_range;        /* NULL or .has false unless the rate is held */
    Formats f;
    /* Assumptions layout */
    int discount_row, horizon_row, timing_row, shift_row, tail_row;
    int scale_row;     /* retention_scale, shown only when it is not 1 (else -1) */
    ScopeRows *scopes; /* [segment_count + 1]: index 0 is the scenario */
    /* Projection layout */
    int year_first;    /* row of year 1 */
    int total_row, tail_total_row, value_row;
    int df_row;        /* the horizontal discount factors above the cohort table */
    int cohort_header; /* row of the cohort table's header (years as numbers) */
    int cohort_first;  /* row of cohort 0 */
    int col_horizon, col_last_pv, col_factor, col_tail, col_value, col_unit, col_remaining;
    int col_median;    /* median remaining years, after col_remaining (expected years in H) */
    int provision_first; /* first provision bucket row on Assumptions, -1 when none */
    /* Clients */
    size_t client_sheets;
    /* Monte Carlo layout */
    int mc_stat_row[MC_STATS];  /* rows of the statistics on the Monte Carlo sheet */
    bool mc_values_fit;         /* every iteration's value is on the sheet */
    /* Transfer layout (Summary points at its results) */
    TransferLayout transfer;
} XlsxCtx;

/* Fix every sheet's rows (Assumptions, Projection, Monte Carlo, Transfer) and the number of
 * Clients sheets; `x->scopes` holds segment_count + 1 entries. */
void xlsx_layout_fix(XlsxCtx *x);

/* The formats every sheet uses, with money in the scenario's currency. */
void xlsx_layout_formats(XlsxCtx *x);

/* Print setup: one page wide, landscape when the sheet is wide, rows 0..header_rows-1
 * repeated on every page, the scenario's name atop and "Page n of N" below. */
void xlsx_layout_print(XlsxCtx *x, lxw_worksheet *ws, bool landscape, int header_rows);

/* Widths of columns 0..n-1. */
void xlsx_layout_widths(XlsxCtx *x, lxw_worksheet *ws, const double *w, int n);

/* The scenario's (scope 0) or segment scope-1's assumptions. */
const Assumptions *xlsx_layout_scope(const XlsxCtx *x, int scope);

/* "Clients", "Clients 2", ...: the name of Clients sheet `sheet` (0-based). */
int xlsx_layout_clients_sheet(char *buf, size_t size, size_t sheet);

/* Clients on sheet `sheet`. */
size_t xlsx_layout_clients_on_sheet(const XlsxCtx *x, size_t sheet);

/* "<before>range<after>+..." over column `col` of every Clients sheet. */
void xlsx_layout_over_clients(const XlsxCtx *x, char *out, size_t size, int col,
                              const char *before, const char *after);

/* "COUNTIF(keys,criterion)+..." over the Clients sheets, or SUMIF(keys,criterion,values) when
 * value_col >= 0. */
void xlsx_layout_clients_if(const XlsxCtx *x, char *out, size_t size, int key_col,
                            const char *criterion, int value_col);

/* The sheet writers, in the workbook's order; each writes `ws` top to bottom. */
void xlsx_summary_write(XlsxCtx *x, lxw_worksheet *ws);
/* The Summary's conclusion block from row r (xlsx_summary_conclusion.c): returns the next
 * row; `market_low_row`/`revenue_row` are the Summary rows of the market range's low value
 * (its high the next row; -1 without a market) and of the annual revenue. */
int xlsx_summary_conclusion(XlsxCtx *x, lxw_worksheet *ws, int r, int revenue_row,
                            int market_low_row);
/* The rows the conclusion block takes (so the rows below can be placed first). */
int xlsx_summary_conclusion_rows(const XlsxCtx *x);
/* "1,234,567" as FIXED(x,0) writes it in an English locale (half away from zero; another
 * locale recalculates with its own separators). */
void xlsx_whole(char *buf, size_t size, double x);
void xlsx_assumptions_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_clients_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_projection_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_montecarlo_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_risk_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_transfer_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_sensitivity_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_variants_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_diagnostics_write(XlsxCtx *x, lxw_worksheet *ws);
void xlsx_runinfo_write(XlsxCtx *x, lxw_worksheet *ws);

/* An input row of the Transfer sheet: its label in A, its (yellow) value in B. */
void xlsx_transfer_input(XlsxCtx *x, lxw_worksheet *ws, int r, const char *label, double v,
                         lxw_format *f);

/* The bracket tax of `amount` (a cell or an expression) by the Transfer sheet's table. */
void xlsx_transfer_bracket_tax(const TransferLayout *l, const XlsxCtx *x, const char *amount,
                               char *out, size_t size);

/* The financing block (xlsx_transfer_financing.c): its rows (0 without a loan); row r of it;
 * a cell for other blocks' formulas: what 0 the loan, 1 year t's payment, 2 its interest,
 * 3 the owner draw. */
int xlsx_transfer_financing_rows(const XlsxCtx *x);
void xlsx_transfer_financing_row(XlsxCtx *x, lxw_worksheet *ws, int r, const TransferRefs *refs);
void xlsx_transfer_financing_cell(const XlsxCtx *x, int what, int t, char *buf);

/* The allocation block (xlsx_transfer_allocation.c): its rows (0 without); row r of it; a
 * cell or range for the schedule's formulas: what 0 the ordinary classes' price, 1 their tax,
 * 2 the classes' write-off years, 3 their yearly write-off, 4 their share deducted as paid. */
int xlsx_transfer_allocation_rows(const XlsxCtx *x);
void xlsx_transfer_allocation_row(XlsxCtx *x, lxw_worksheet *ws, int r, const TransferRefs *refs);
void xlsx_transfer_allocation_cell(const XlsxCtx *x, int what, char *buf);

/* The Summary's normalised-earnings bridge from row r (xlsx_summary_bridge.c), `revenue` the
 * annual revenue's cell; the next free row. */
int xlsx_summary_bridge(XlsxCtx *x, lxw_worksheet *ws, int r, const char *revenue);
/* The row of the bridge's SDE (which 1) or EBITDA (2) when it starts at row `start`. */
int xlsx_summary_bridge_row(const XlsxCtx *x, int start, int which);

/* The closing cut-off block (xlsx_transfer_closing.c): on when the buyer takes receivables or
 * work in progress or puts in working capital; its rows; row r; a cell (what 0 the amount
 * paid for them, 1 the working capital); the two schedule columns of year t (`year` its cell). */
bool xlsx_transfer_closing_on(const XlsxCtx *x);
int xlsx_transfer_closing_rows(const XlsxCtx *x);
void xlsx_transfer_closing_row(XlsxCtx *x, lxw_worksheet *ws, int r);
void xlsx_transfer_closing_cell(const XlsxCtx *x, int what, char *buf);
void xlsx_transfer_closing_columns(XlsxCtx *x, lxw_worksheet *ws, int r, int t,
                                   const char *year);
/* The seller's taxable gain, losses carried and tax of the schedule's row r
 * (xlsx_transfer_tax.c); c: the row's cells by column; `bracket_gain` the gain the brackets
 * tax (less an allocation's ordinary classes), `extra_tax` a term added to the year's tax
 * ("+..." or ""). */
void xlsx_transfer_tax_row(XlsxCtx *x, lxw_worksheet *ws, const TransferLayout *l, int r,
                           char c[T_COLUMNS][32], const char *in[I_COUNT],
                           const char *res[R_COUNT], const char *bracket_gain,
                           const char *extra_tax);

/* "NAME (YEAR): SOURCES" of the scenario's tax.regime, or a note that none is given. */
void xlsx_transfer_tax_regime(const XlsxCtx *x, char *out, size_t size);

/* The seller's tax inputs (I_INTEREST_TAX .. I_LOSS_RATE) at row r (xlsx_transfer_tax.c). */
/* per_year with negative_year: carry_back: the standing columns beside the schedule, and
 * their headers. */
bool xlsx_transfer_standing_on(const XlsxCtx *x);
void xlsx_transfer_standing_header(XlsxCtx *x, lxw_worksheet *ws, int r);
void xlsx_transfer_tax_input(XlsxCtx *x, lxw_worksheet *ws, int r, int i,
                             const char *in[I_COUNT], const char *res[R_COUNT]);

/* Result k of the Transfer sheet's results block, at row r (xlsx_transfer_results.c). */
void xlsx_transfer_result(XlsxCtx *x, lxw_worksheet *ws, int k, int r, const TransferRefs *refs);

#endif
