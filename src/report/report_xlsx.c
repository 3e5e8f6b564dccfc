/*
 * report_xlsx.c — the audit workbook.
 *
 * The layout of every sheet is fixed before anything is written (rows of the Assumptions
 * entries, of the Projection's years and cohorts), so formulas on one sheet can name cells
 * of another, and each sheet is then written top to bottom: libxlsxwriter's constant-memory
 * mode keeps a million-client book within memory.
 *
 * The chain an auditor follows: Assumptions (inputs, and the mean each distribution
 * contributes) -> Projection cohorts (survival S(t) year by year, values per cohort) ->
 * Projection years (book totals) -> Summary. Clients holds the inputs per client and each
 * client's value as revenue x its cohort's value per unit of revenue.
 */
#include "report_xlsx.h"

#include "diagnostics.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <xlsxwriter.h>

#include "xlsx_cells.h"

#define FORMULA_MAX XLSX_FORMULA_MAX
#define REF_MAX XLSX_REF_MAX

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
       M_AT, M_MEAN, M_LOW, M_HIGH, M_GAP4, M_GAIN, M_NPV };
enum { MC_ITERATIONS, MC_MEAN, MC_SD, MC_SE, MC_P1, MC_P5 = MC_P1 + 1, MC_P95 = MC_P1 + 7,
       MC_CVAR5 = MC_P1 + STATS_PERCENTILES, MC_MIN, MC_MAX, MC_Z, MC_STATS };
#define MC_FIRST_ROW 4
/* Rows for values below the header: Excel's limit less the rows above. */
#define MC_VALUE_ROWS_MAX (1048576 - MC_FIRST_ROW)

/* Columns of the Transfer sheet's schedule. */
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
    T_KEEP_CASH,
    T_SELLER_DF,
    T_BUYER_DF,
    T_COLUMNS
};

/* The inputs and results blocks: one row each, label in A, value in B. */
enum {
    I_REVENUE, I_PRICE_INPUT, I_BASE_PRICE, I_MEASURE_YEAR, I_ADJ_MULTIPLE, I_INTEREST,
    I_BASIS, I_CARRYING, I_COSTS, I_SELLER_RATE, I_INCOME_TAX, I_INSTALLMENT, I_APPLY,
    I_BUYER_RATE, I_ACQUISITION, I_BUYER_TAX, I_YEARS, I_TAIL_PV, I_KEEP_TAIL, I_COUNT
};
enum {
    R_PRICE, R_GAIN, R_ACCOUNTING_GAIN, R_TAX, R_NET, R_NET_PV, R_KEEP_PV, R_MIN_PRICE,
    R_NPV, R_IRR, R_PAYBACK, R_MAX_PRICE, R_COUNT
};

#define T_FIRST_ROW 4
#define TRANSFER_BINS 20

struct TransferLayout {
    int input[I_COUNT];   /* rows */
    int bracket_first;    /* first bracket row (columns E:G), -1 without brackets */
    int schedule_header, schedule_first, schedule_last, total_row;
    int result[R_COUNT];
    int mc_first;         /* Monte Carlo block, -1 without */
};
typedef struct TransferLayout TransferLayout;

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
} Formats;

typedef struct Ctx {
    XlsxCells c;
    const Scenario *sc;
    const Book *book;
    const Dcf *dcf;
    const McResult *mc;
    const Diagnostics *diag;
    const Deal *deal;
    const WhatIf *whatif;
    const RunInfo *info;
    Formats f;
    /* Assumptions layout */
    int discount_row, horizon_row, timing_row, shift_row, tail_row;
    ScopeRows *scopes; /* [segment_count + 1]: index 0 is the scenario */
    /* Projection layout */
    int year_first;    /* row of year 1 */
    int total_row, tail_total_row, value_row;
    int df_row;        /* the horizontal discount factors above the cohort table */
    int cohort_header; /* row of the cohort table's header (years as numbers) */
    int cohort_first;  /* row of cohort 0 */
    int col_horizon, col_last_pv, col_factor, col_tail, col_value, col_unit, col_remaining;
    int provision_first; /* first provision bucket row on Assumptions, -1 when none */
    /* Clients */
    size_t client_sheets;
    /* Monte Carlo layout */
    int mc_stat_row[MC_STATS];  /* rows of the statistics on the Monte Carlo sheet */
    bool mc_values_fit;         /* every iteration's value is on the sheet */
} Ctx;


/* ---- cell writers: no NaN or Inf ever reaches a cell ---- */






/* ---- formats ---- */


static void make_formats(Ctx *x)
{
    char money[96], money_total[96];
    snprintf(money, sizeof money, "#,##0.00 \"%s\";[Red]-#,##0.00 \"%s\"", x->sc->currency,
             x->sc->currency);
    snprintf(money_total, sizeof money_total, "%s", money);
    Formats *f = &x->f;
    f->title = xlsx_title_format(&x->c);
    f->note = xlsx_note_format(&x->c);
    f->header = xlsx_header_format(&x->c, NULL);
    f->year_header = xlsx_header_format(&x->c, "\"Year \"0");
    f->label = xlsx_format(&x->c, NULL, false, false);
    f->text = xlsx_format(&x->c, NULL, false, false);
    f->bold = xlsx_format(&x->c, NULL, true, false);
    f->input_rate = xlsx_format(&x->c, "0.00%", false, true);
    f->input_number = xlsx_format(&x->c, "0.0000", false, true);
    f->input_money = xlsx_format(&x->c, money, false, true);
    f->input_text = xlsx_format(&x->c, NULL, false, true);
    f->input_count = xlsx_format(&x->c, "0", false, true);
    f->money = xlsx_format(&x->c, money, false, false);
    f->money_total = xlsx_format(&x->c, money_total, true, false);
    if (f->money_total)
        format_set_top(f->money_total, LXW_BORDER_THIN);
    f->rate = xlsx_format(&x->c, "0.00%", false, false);
    f->factor = xlsx_format(&x->c, "0.000000", false, false);
    f->count = xlsx_format(&x->c, "#,##0.00", false, false);
    f->integer = xlsx_format(&x->c, "#,##0", false, false);
    f->multiple = xlsx_format(&x->c, "0.00\"x\"", false, false);
    f->input_multiple = xlsx_format(&x->c, "0.00\"x revenue\"", false, true);
    if (f->input_multiple)
        format_set_align(f->input_multiple, LXW_ALIGN_LEFT);
}


static void widths(Ctx *x, lxw_worksheet *ws, const double *w, int n)
{
    for (int c = 0; c < n; c++)
        xlsx_check(&x->c, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c], NULL));
}

/* ---- Assumptions ---- */

static const char *scope_name(const Ctx *x, int scope)
{
    return scope == 0 ? "Scenario" : x->sc->segments[scope - 1].name;
}

static const Assumptions *scope_assumptions(const Ctx *x, int scope)
{
    return scope == 0 ? &x->sc->defaults : &x->sc->segments[scope - 1].assumptions;
}

/* Fix every Assumptions row before writing, so Projection formulas can point at them. */
static void layout_assumptions(Ctx *x)
{
    int row = 4;
    x->discount_row = row++;
    x->horizon_row = row++;
    x->timing_row = row++;
    x->shift_row = row++;
    x->tail_row = row++;
    size_t scopes = x->sc->segment_count + 1;
    for (size_t s = 0; s < scopes; s++) {
        ScopeRows *sr = &x->scopes[s];
        sr->margin = row++;
        sr->growth = row++;
        sr->transfer = row++;
        sr->retention = row++;
    }
    row += 2; /* blank, then the curve table's header */
    for (size_t s = 0; s < scopes; s++)
        x->scopes[s].curve =
            scope_assumptions(x, (int)s)->retention.kind == RETENTION_CURVE ? ++row : -1;
    if (x->sc->provision_count) {
        row += 3; /* blank, title, header */
        x->provision_first = row;
    }
}

static void put_param(Ctx *x, lxw_worksheet *ws, int r, int name_col, const char *name,
                      double v, lxw_format *f)
{
    xlsx_text(&x->c, ws, r, name_col, name, x->f.label);
    xlsx_number(&x->c, ws, r, name_col + 1, v, f);
}

/* One uncertain assumption: its distribution's parameters as inputs, the mean as a formula. */
static void write_dist_row(Ctx *x, lxw_worksheet *ws, int r, const Dist *d, lxw_format *f)
{
    char p1[32], p2[32], p3[32], p4[32];
    lxw_rowcol_to_cell(p1, (lxw_row_t)r, A_P1);
    lxw_rowcol_to_cell(p2, (lxw_row_t)r, A_P2);
    lxw_rowcol_to_cell(p3, (lxw_row_t)r, A_P3);
    lxw_rowcol_to_cell(p4, (lxw_row_t)r, A_P4);
    double mean = dist_mean(d);
    lxw_format *vf = f == x->f.input_rate ? x->f.rate : x->f.factor;
    if (d->kind != DIST_FIXED)
        xlsx_text(&x->c, ws, r, A_DIST, dist_kind_name(d->kind), x->f.text);
    switch (d->kind) {
    case DIST_FIXED:
        xlsx_number(&x->c, ws, r, A_VALUE, d->value, f);
        return;
    case DIST_UNIFORM:
        put_param(x, ws, r, A_P1_NAME, "min", d->min, f);
        put_param(x, ws, r, A_P2_NAME, "max", d->max, f);
        xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean, "=(%s+%s)/2", p1, p2);
        return;
    case DIST_TRIANGULAR:
    case DIST_PERT:
        put_param(x, ws, r, A_P1_NAME, "min", d->min, f);
        put_param(x, ws, r, A_P2_NAME, "mode", d->mode, f);
        put_param(x, ws, r, A_P3_NAME, "max", d->max, f);
        if (d->kind == DIST_TRIANGULAR)
            xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean, "=(%s+%s+%s)/3", p1, p2, p3);
        else
            xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean, "=(%s+4*%s+%s)/6", p1, p2, p3);
        return;
    case DIST_NORMAL: {
        put_param(x, ws, r, A_P1_NAME, "mean", d->mean, f);
        put_param(x, ws, r, A_P2_NAME, "sd", d->sd, f);
        bool lo = isfinite(d->min), hi = isfinite(d->max);
        if (lo)
            put_param(x, ws, r, A_P3_NAME, "min", d->min, f);
        if (hi)
            put_param(x, ws, r, A_P4_NAME, "max", d->max, f);
        /* Truncated normal mean: mu + sd (phi(a) - phi(b)) / (Phi(b) - Phi(a)). */
        char a[160], b[160];
        snprintf(a, sizeof a, "(%s-%s)/%s", p3, p1, p2);
        snprintf(b, sizeof b, "(%s-%s)/%s", p4, p1, p2);
        if (lo && hi)
            xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean,
                        "=%s+%s*(_xlfn.NORM.S.DIST(%s,FALSE)-_xlfn.NORM.S.DIST(%s,FALSE))/"
                        "(_xlfn.NORM.S.DIST(%s,TRUE)-_xlfn.NORM.S.DIST(%s,TRUE))",
                        p1, p2, a, b, b, a);
        else if (lo)
            xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean,
                        "=%s+%s*_xlfn.NORM.S.DIST(%s,FALSE)/(1-_xlfn.NORM.S.DIST(%s,TRUE))", p1,
                        p2, a, a);
        else if (hi)
            xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean,
                        "=%s-%s*_xlfn.NORM.S.DIST(%s,FALSE)/_xlfn.NORM.S.DIST(%s,TRUE)", p1, p2,
                        b, b);
        else
            xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean, "=%s", p1);
        return;
    }
    case DIST_LOGNORMAL:
        put_param(x, ws, r, A_P1_NAME, "mean", d->mean, f);
        put_param(x, ws, r, A_P2_NAME, "sd", d->sd, f);
        xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean, "=%s", p1);
        return;
    case DIST_BETA:
        put_param(x, ws, r, A_P1_NAME, "alpha", d->alpha, x->f.input_number);
        put_param(x, ws, r, A_P2_NAME, "beta", d->beta, x->f.input_number);
        xlsx_formula(&x->c, ws, r, A_VALUE, vf, mean, "=%s/(%s+%s)", p1, p1, p2);
        return;
    case DIST_KIND_COUNT:
        return;
    }
}

/* A segment row that takes the scenario's value: formulas pointing at the scenario's row. */
static void write_inherited_row(Ctx *x, lxw_worksheet *ws, int r, int from, const int *cols,
                                const double *cached, int n, lxw_format *f)
{
    for (int i = 0; i < n; i++) {
        char cell[32];
        lxw_rowcol_to_cell(cell, (lxw_row_t)from, (lxw_col_t)cols[i]);
        xlsx_formula(&x->c, ws, r, cols[i], f, cached[i], "=%s", cell);
    }
    xlsx_text(&x->c, ws, r, A_DIST, "as Scenario", x->f.note);
}

static void write_retention_row(Ctx *x, lxw_worksheet *ws, int r, int scope, bool own)
{
    const RetentionModel *m = &scope_assumptions(x, scope)->retention;
    int from = x->scopes[0].retention;
    switch (m->kind) {
    case RETENTION_CONSTANT:
        if (own) {
            write_dist_row(x, ws, r, &m->constant, x->f.input_rate);
        } else {
            double v = dist_mean(&m->constant);
            write_inherited_row(x, ws, r, from, (const int[]){A_VALUE}, &v, 1, x->f.rate);
        }
        return;
    case RETENTION_CURVE:
        xlsx_text(&x->c, ws, r, A_VALUE, "curve", x->f.text);
        xlsx_text(&x->c, ws, r, A_P1_NAME, "years", x->f.label);
        if (own) {
            xlsx_text(&x->c, ws, r, A_DIST, "see curves below", x->f.note);
            xlsx_number(&x->c, ws, r, A_P1, m->curve_len, x->f.input_count);
        } else {
            double v = m->curve_len;
            write_inherited_row(x, ws, r, from, (const int[]){A_P1}, &v, 1, x->f.integer);
        }
        return;
    case RETENTION_SBG:
        xlsx_text(&x->c, ws, r, A_VALUE, "sBG", x->f.text);
        xlsx_text(&x->c, ws, r, A_P1_NAME, "alpha", x->f.label);
        xlsx_text(&x->c, ws, r, A_P2_NAME, "beta", x->f.label);
        if (own) {
            xlsx_text(&x->c, ws, r, A_DIST, "shifted-beta-geometric", x->f.note);
            xlsx_number(&x->c, ws, r, A_P1, m->alpha, x->f.input_number);
            xlsx_number(&x->c, ws, r, A_P2, m->beta, x->f.input_number);
        } else {
            double v[2] = {m->alpha, m->beta};
            write_inherited_row(x, ws, r, from, (const int[]){A_P1, A_P2}, v, 2,
                                x->f.factor);
        }
        return;
    }
}

static void write_scope(Ctx *x, lxw_worksheet *ws, int scope)
{
    const Assumptions *a = scope_assumptions(x, scope);
    const ScopeRows *sr = &x->scopes[scope];
    const ScopeRows *base = &x->scopes[0];
    const char *name = scope_name(x, scope);
    struct {
        int row, base_row;
        const char *label, *unit;
        const Dist *dist;
        unsigned given;
    } rows[] = {
        {sr->margin, base->margin, "Margin", "of revenue", &a->margin, GIVEN_MARGIN},
        {sr->growth, base->growth, "Revenue growth", "per year", &a->revenue_growth,
         GIVEN_REVENUE_GROWTH},
        {sr->transfer, base->transfer, "Transfer retention", "once, at the sale",
         &a->transfer_retention, GIVEN_TRANSFER_RETENTION},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        xlsx_text(&x->c, ws, rows[i].row, A_SCOPE, name, x->f.text);
        xlsx_text(&x->c, ws, rows[i].row, A_PARAMETER, rows[i].label, x->f.text);
        xlsx_text(&x->c, ws, rows[i].row, A_UNIT, rows[i].unit, x->f.note);
        if (scope == 0 || (a->given & rows[i].given)) {
            write_dist_row(x, ws, rows[i].row, rows[i].dist, x->f.input_rate);
        } else {
            double v = dist_mean(rows[i].dist);
            write_inherited_row(x, ws, rows[i].row, rows[i].base_row, (const int[]){A_VALUE},
                                &v, 1, x->f.rate);
        }
    }
    xlsx_text(&x->c, ws, sr->retention, A_SCOPE, name, x->f.text);
    xlsx_text(&x->c, ws, sr->retention, A_PARAMETER, "Retention", x->f.text);
    xlsx_text(&x->c, ws, sr->retention, A_UNIT, "renewal probability per year", x->f.note);
    write_retention_row(x, ws, sr->retention, scope, scope == 0 || (a->given & GIVEN_RETENTION));
}

static void write_curves(Ctx *x, lxw_worksheet *ws);

static void write_assumptions(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Assumptions");
    if (!ws)
        return;
    const Scenario *sc = x->sc;
    static const double w[A_COLUMNS] = {16, 22, 13, 20, 7, 11, 7, 11, 7, 11, 7, 11, 28};
    widths(x, ws, w, A_COLUMNS);
    worksheet_freeze_panes(ws, 4, 0);
    xlsx_text(&x->c, ws, 0, 0, "Assumptions", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Yellow cells are inputs from the scenario. 'Value used' is what the DCF uses: the "
             "input itself or, for an uncertain input, the mean of its distribution.",
             x->f.note);
    static const char *const header[A_COLUMNS] = {
        "Scope", "Parameter", "Value used", "Distribution", "", "", "", "", "", "", "", "",
        "Unit"};
    for (int c = 0; c < A_COLUMNS; c++)
        xlsx_text(&x->c, ws, 3, c, header[c], x->f.header);

    xlsx_text(&x->c, ws, x->discount_row, A_SCOPE, "Scenario", x->f.text);
    xlsx_text(&x->c, ws, x->discount_row, A_PARAMETER, "Discount rate", x->f.text);
    write_dist_row(x, ws, x->discount_row, &sc->discount_rate, x->f.input_rate);
    xlsx_text(&x->c, ws, x->discount_row, A_UNIT, "per year", x->f.note);

    xlsx_text(&x->c, ws, x->horizon_row, A_SCOPE, "Scenario", x->f.text);
    xlsx_text(&x->c, ws, x->horizon_row, A_PARAMETER, "Horizon", x->f.text);
    xlsx_number(&x->c, ws, x->horizon_row, A_VALUE, sc->horizon_years, x->f.input_count);
    xlsx_text(&x->c, ws, x->horizon_row, A_UNIT, "years", x->f.note);

    xlsx_text(&x->c, ws, x->timing_row, A_SCOPE, "Scenario", x->f.text);
    xlsx_text(&x->c, ws, x->timing_row, A_PARAMETER, "Timing", x->f.text);
    xlsx_text(&x->c, ws, x->timing_row, A_VALUE,
             sc->timing == TIMING_MID_YEAR ? "mid_year" : "end_of_year", x->f.input_text);
    xlsx_text(&x->c, ws, x->timing_row, A_UNIT, "when a year's cash arrives", x->f.note);

    char timing[32];
    lxw_rowcol_to_cell(timing, (lxw_row_t)x->timing_row, A_VALUE);
    xlsx_text(&x->c, ws, x->shift_row, A_SCOPE, "Scenario", x->f.text);
    xlsx_text(&x->c, ws, x->shift_row, A_PARAMETER, "Discounting shift", x->f.text);
    xlsx_formula(&x->c, ws, x->shift_row, A_VALUE, x->f.count,
                sc->timing == TIMING_MID_YEAR ? 0.5 : 0, "=IF(%s=\"mid_year\",0.5,0)", timing);
    xlsx_text(&x->c, ws, x->shift_row, A_UNIT, "years earlier than year end", x->f.note);

    xlsx_text(&x->c, ws, x->tail_row, A_SCOPE, "Scenario", x->f.text);
    xlsx_text(&x->c, ws, x->tail_row, A_PARAMETER, "Tail", x->f.text);
    xlsx_text(&x->c, ws, x->tail_row, A_VALUE, sc->tail == TAIL_RUNOFF ? "runoff" : "none",
             x->f.input_text);
    xlsx_text(&x->c, ws, x->tail_row, A_UNIT, "value beyond the horizon", x->f.note);

    for (size_t s = 0; s <= sc->segment_count; s++)
        write_scope(x, ws, (int)s);

    write_curves(x, ws);
    if (x->provision_first < 0)
        return;
    xlsx_text(&x->c, ws, x->provision_first - 2, A_SCOPE, "Provision for doubtful receivables",
             x->f.bold);
    xlsx_text(&x->c, ws, x->provision_first - 1, A_PARAMETER, "Bucket", x->f.header);
    xlsx_text(&x->c, ws, x->provision_first - 1, A_VALUE, "From age (days)", x->f.header);
    xlsx_text(&x->c, ws, x->provision_first - 1, A_DIST, "Loss rate", x->f.header);
    for (size_t b = 0; b < sc->provision_count; b++) {
        int r = x->provision_first + (int)b;
        char label[32];
        snprintf(label, sizeof label, "%zu", b + 1);
        xlsx_text(&x->c, ws, r, A_SCOPE, "Scenario", x->f.text);
        xlsx_text(&x->c, ws, r, A_PARAMETER, label, x->f.text);
        xlsx_number(&x->c, ws, r, A_VALUE, sc->provision[b].age_days, x->f.input_count);
        xlsx_number(&x->c, ws, r, A_DIST, sc->provision[b].rate, x->f.input_rate);
    }
}

/* Retention curves: c_1..c_n by year, the last repeated after n. */
static void write_curves(Ctx *x, lxw_worksheet *ws)
{
    const Scenario *sc = x->sc;
    bool any_curve = false;
    for (size_t s = 0; s <= sc->segment_count; s++)
        any_curve |= x->scopes[s].curve >= 0;
    if (!any_curve)
        return;
    int header_row = -1;
    for (size_t s = 0; s <= sc->segment_count; s++)
        if (x->scopes[s].curve >= 0 && (header_row < 0 || x->scopes[s].curve - 1 < header_row))
            header_row = x->scopes[s].curve - 1;
    int max_len = 0;
    for (size_t s = 0; s <= sc->segment_count; s++)
        if (x->scopes[s].curve >= 0 &&
            scope_assumptions(x, (int)s)->retention.curve_len > max_len)
            max_len = scope_assumptions(x, (int)s)->retention.curve_len;
    xlsx_text(&x->c, ws, header_row, A_SCOPE, "Retention curve", x->f.header);
    for (int k = 1; k <= max_len; k++) {
        char label[32];
        snprintf(label, sizeof label, "c%d", k);
        xlsx_text(&x->c, ws, header_row, k, label, x->f.header);
    }
    for (size_t s = 0; s <= sc->segment_count; s++) {
        int r = x->scopes[s].curve;
        if (r < 0)
            continue;
        const Assumptions *a = scope_assumptions(x, (int)s);
        bool own = s == 0 || (a->given & GIVEN_RETENTION);
        xlsx_text(&x->c, ws, r, A_SCOPE, scope_name(x, (int)s), x->f.text);
        for (int k = 1; k <= a->retention.curve_len; k++) {
            if (own) {
                xlsx_number(&x->c, ws, r, k, a->retention.curve[k - 1], x->f.input_rate);
            } else {
                char cell[32];
                lxw_rowcol_to_cell(cell, (lxw_row_t)x->scopes[0].curve, (lxw_col_t)k);
                xlsx_formula(&x->c, ws, r, k, x->f.rate, a->retention.curve[k - 1], "=%s", cell);
            }
        }
    }
}

/* ---- Projection ---- */

static void layout_projection(Ctx *x)
{
    int H = x->sc->horizon_years;
    x->year_first = 4;
    x->total_row = x->year_first + H;
    x->tail_total_row = x->total_row + 1;
    x->value_row = x->total_row + 2;
    x->df_row = x->value_row + 3;
    x->cohort_header = x->df_row + 1;
    x->cohort_first = x->cohort_header + 1;
    x->col_horizon = P_SURVIVAL + H;
    x->col_last_pv = x->col_horizon + 1;
    x->col_factor = x->col_horizon + 2;
    x->col_tail = x->col_horizon + 3;
    x->col_value = x->col_horizon + 4;
    x->col_unit = x->col_horizon + 5;
    x->col_remaining = x->col_horizon + 6;
}

/* Sum of f(sheet) over the Clients sheets, e.g. SUMIF over each sheet's cohort column. */
static int clients_sheet_name(char *buf, size_t size, size_t sheet)
{
    return snprintf(buf, size, sheet ? "Clients %zu" : "Clients", sheet + 1);
}

static size_t clients_on_sheet(const Ctx *x, size_t sheet)
{
    size_t first = sheet * REPORT_XLSX_CLIENT_ROWS;
    size_t left = x->sc->client_count - first;
    return left < REPORT_XLSX_CLIENT_ROWS ? left : REPORT_XLSX_CLIENT_ROWS;
}

/* "<before>range<after>+<before>range<after>..." over the Clients sheets' column `col`. */
static void over_clients(const Ctx *x, char *out, size_t size, int col, const char *before,
                         const char *after)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t s = 0; s < x->client_sheets && used < size; s++) {
        char sheet[32], range[REF_MAX];
        clients_sheet_name(sheet, sizeof sheet, s);
        xlsx_range(range, sheet, 1, col, (int)clients_on_sheet(x, s), col);
        int n = snprintf(out + used, size - used, "%s%s%s%s", s ? "+" : "", before, range, after);
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

/* "COUNTIF(keys,criterion)+..." over the Clients sheets, or SUMIF(keys,criterion,values) when
 * value_col >= 0: keys and values are columns of each Clients sheet. */
static void clients_if(const Ctx *x, char *out, size_t size, int key_col, const char *criterion,
                       int value_col)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t s = 0; s < x->client_sheets; s++) {
        char sheet[32], keys[REF_MAX], values[REF_MAX];
        clients_sheet_name(sheet, sizeof sheet, s);
        int last = (int)clients_on_sheet(x, s);
        xlsx_range(keys, sheet, 1, key_col, last, key_col);
        int n;
        if (value_col < 0) {
            n = snprintf(out + used, size - used, "%sCOUNTIF(%s,%s)", s ? "+" : "", keys,
                         criterion);
        } else {
            xlsx_range(values, sheet, 1, value_col, last, value_col);
            n = snprintf(out + used, size - used, "%sSUMIF(%s,%s,%s)", s ? "+" : "", keys,
                         criterion, values);
        }
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
}

/* The cell holding the cohort's assumption: its scope's Assumptions cell, or its own value. */
static void cohort_input(Ctx *x, lxw_worksheet *ws, int r, int c, const Cohort *co,
                         unsigned own_bit, int assumption_row, int assumption_col, double value,
                         lxw_format *own_fmt, lxw_format *ref_fmt)
{
    if (co->own & own_bit) {
        xlsx_number(&x->c, ws, r, c, value, own_fmt);
        return;
    }
    char cell[REF_MAX];
    xlsx_formula(&x->c, ws, r, c, ref_fmt, value, "=%s",
                xlsx_ref(cell, "Assumptions", assumption_row, assumption_col));
}

static void write_cohort_row(Ctx *x, lxw_worksheet *ws, size_t c)
{
    const Cohort *co = &x->book->cohorts[c];
    const DcfCohortInputs *in = &x->dcf->inputs[c];
    const ScopeRows *sr = &x->scopes[co->segment + 1];
    int H = x->sc->horizon_years;
    int r = x->cohort_first + (int)c;
    char formula[FORMULA_MAX], cell[REF_MAX], criterion[32];

    xlsx_number(&x->c, ws, r, P_COHORT, (double)(c + 1), x->f.integer);
    xlsx_text(&x->c, ws, r, P_SEGMENT, co->segment >= 0 ? x->sc->segments[co->segment].name : "",
             x->f.text);
    lxw_rowcol_to_cell(criterion, (lxw_row_t)r, P_COHORT);
    clients_if(x, formula, sizeof formula, C_COHORT, criterion, -1);
    xlsx_formula(&x->c, ws, r, P_CLIENTS, x->f.integer, (double)co->clients, "=%s", formula);
    clients_if(x, formula, sizeof formula, C_COHORT, criterion, C_REVENUE);
    xlsx_formula(&x->c, ws, r, P_REVENUE, x->f.money, co->annual_revenue, "=%s", formula);
    cohort_input(x, ws, r, P_MARGIN, co, OWN_MARGIN, sr->margin, A_VALUE, in->margin,
                 x->f.input_rate, x->f.rate);
    cohort_input(x, ws, r, P_GROWTH, co, OWN_REVENUE_GROWTH, sr->growth, A_VALUE,
                 in->revenue_growth, x->f.input_rate, x->f.rate);
    cohort_input(x, ws, r, P_TRANSFER, co, OWN_TRANSFER_RETENTION, sr->transfer, A_VALUE,
                 in->transfer_retention, x->f.input_rate, x->f.rate);

    const RetentionModel *m = &co->retention;
    static const char *const model_names[] = {"constant", "curve", "sBG"};
    xlsx_text(&x->c, ws, r, P_MODEL, model_names[m->kind], x->f.text);
    switch (m->kind) {
    case RETENTION_CONSTANT:
        cohort_input(x, ws, r, P_RATE_OR_ALPHA, co, OWN_RETENTION, sr->retention, A_VALUE,
                     in->retention, x->f.input_rate, x->f.rate);
        break;
    case RETENTION_CURVE:
        xlsx_formula(&x->c, ws, r, P_CURVE_LEN, x->f.integer, m->curve_len, "=%s",
                    xlsx_ref(cell, "Assumptions", sr->retention, A_P1));
        break;
    case RETENTION_SBG:
        xlsx_formula(&x->c, ws, r, P_RATE_OR_ALPHA, x->f.factor, m->alpha, "=%s",
                    xlsx_ref(cell, "Assumptions", sr->retention, A_P1));
        xlsx_formula(&x->c, ws, r, P_BETA, x->f.factor, m->beta, "=%s",
                    xlsx_ref(cell, "Assumptions", sr->retention, A_P2));
        xlsx_number(&x->c, ws, r, P_TENURE, co->tenure_years, x->f.text);
        break;
    }

    /* Survival S(t) = S(t-1) r(t), from S(0) = transfer retention. */
    char rate_cell[32], alpha[32], beta[32], tenure[32];
    lxw_rowcol_to_cell_abs(rate_cell, (lxw_row_t)r, P_RATE_OR_ALPHA, 0, 1);
    lxw_rowcol_to_cell_abs(alpha, (lxw_row_t)r, P_RATE_OR_ALPHA, 0, 1);
    lxw_rowcol_to_cell_abs(beta, (lxw_row_t)r, P_BETA, 0, 1);
    lxw_rowcol_to_cell_abs(tenure, (lxw_row_t)r, P_TENURE, 0, 1);
    const double *S = &x->dcf->survival[c * (size_t)H];
    for (int t = 1; t <= H; t++) {
        char prev[32], year[32];
        lxw_rowcol_to_cell(prev, (lxw_row_t)r, (lxw_col_t)(t == 1 ? P_TRANSFER : P_SURVIVAL + t - 2));
        lxw_rowcol_to_cell_abs(year, (lxw_row_t)x->cohort_header, (lxw_col_t)(P_SURVIVAL + t - 1),
                               1, 0);
        int col = P_SURVIVAL + t - 1;
        switch (m->kind) {
        case RETENTION_CONSTANT:
            xlsx_formula(&x->c, ws, r, col, x->f.factor, S[t - 1], "=%s*%s", prev, rate_cell);
            break;
        case RETENTION_CURVE: {
            int k = t <= m->curve_len ? t : m->curve_len;
            xlsx_formula(&x->c, ws, r, col, x->f.factor, S[t - 1], "=%s*%s", prev,
                        xlsx_ref(cell, "Assumptions", sr->curve, k));
            break;
        }
        case RETENTION_SBG:
            xlsx_formula(&x->c, ws, r, col, x->f.factor, S[t - 1], "=%s*(%s+%s+%s-1)/(%s+%s+%s+%s-1)",
                        prev, beta, tenure, year, alpha, beta, tenure, year);
            break;
        }
    }

    /* Values: horizon PV, year H's PV, the tail as a multiple of it, and the totals. */
    char rev[32], margin[32], growth[32], years[REF_MAX], surv[REF_MAX], dfs[REF_MAX];
    char s_last[32], df_last[32], last_pv[32], factor[32], horizon[32], tail[32];
    lxw_rowcol_to_cell(rev, (lxw_row_t)r, P_REVENUE);
    lxw_rowcol_to_cell(margin, (lxw_row_t)r, P_MARGIN);
    lxw_rowcol_to_cell(growth, (lxw_row_t)r, P_GROWTH);
    xlsx_range(years, NULL, x->cohort_header, P_SURVIVAL, x->cohort_header, P_SURVIVAL + H - 1);
    xlsx_range(surv, NULL, r, P_SURVIVAL, r, P_SURVIVAL + H - 1);
    xlsx_range(dfs, NULL, x->df_row, P_SURVIVAL, x->df_row, P_SURVIVAL + H - 1);
    lxw_rowcol_to_cell(s_last, (lxw_row_t)r, (lxw_col_t)(P_SURVIVAL + H - 1));
    lxw_rowcol_to_cell_abs(df_last, (lxw_row_t)x->df_row, (lxw_col_t)(P_SURVIVAL + H - 1), 1, 1);
    lxw_rowcol_to_cell(last_pv, (lxw_row_t)r, (lxw_col_t)x->col_last_pv);
    lxw_rowcol_to_cell(factor, (lxw_row_t)r, (lxw_col_t)x->col_factor);
    lxw_rowcol_to_cell(horizon, (lxw_row_t)r, (lxw_col_t)x->col_horizon);
    lxw_rowcol_to_cell(tail, (lxw_row_t)r, (lxw_col_t)x->col_tail);
    char unit_pv[FORMULA_MAX];
    snprintf(unit_pv, sizeof unit_pv, "%s*SUMPRODUCT((1+%s)^(%s-1),%s,%s)", margin, growth,
             years, surv, dfs);
    xlsx_formula(&x->c, ws, r, x->col_horizon, x->f.money, x->dcf->cohort_horizon_value[c],
                "=%s*%s", rev, unit_pv);
    char unit_last[FORMULA_MAX];
    snprintf(unit_last, sizeof unit_last, "%s*(1+%s)^(%d-1)*%s*%s", margin, growth, H, s_last,
             df_last);
    xlsx_formula(&x->c, ws, r, x->col_last_pv, x->f.money, x->dcf->cohort_last_pv[c], "=%s*%s", rev,
                unit_last);

    /* Geometric tails have a closed form a spreadsheet can recompute; the sBG series and the
     * years of a curve beyond the horizon are summed by bookval and written as values. */
    double F = x->dcf->tail_factor[c];
    bool geometric = m->kind == RETENTION_CONSTANT ||
                     (m->kind == RETENTION_CURVE && m->curve_len <= H);
    if (x->sc->tail == TAIL_RUNOFF && geometric && x->dcf->cohort_last_pv[c] != 0) {
        char r_last[REF_MAX], disc[REF_MAX], q[600];
        if (m->kind == RETENTION_CONSTANT)
            snprintf(r_last, sizeof r_last, "%s", rate_cell);
        else
            xlsx_ref(r_last, "Assumptions", sr->curve, m->curve_len);
        snprintf(q, sizeof q, "(%s*(1+%s)/(1+%s))", r_last, growth,
                 xlsx_ref(disc, "Assumptions", x->discount_row, A_VALUE));
        xlsx_formula(&x->c, ws, r, x->col_factor, x->f.factor, F, "=%s/(1-%s)", q, q);
    } else {
        xlsx_number(&x->c, ws, r, x->col_factor, F, x->f.factor);
    }
    xlsx_formula(&x->c, ws, r, x->col_tail, x->f.money, x->dcf->cohort_tail_value[c], "=%s*%s",
                last_pv, factor);
    xlsx_formula(&x->c, ws, r, x->col_value, x->f.money,
                x->dcf->cohort_horizon_value[c] + x->dcf->cohort_tail_value[c], "=%s+%s",
                horizon, tail);
    xlsx_formula(&x->c, ws, r, x->col_unit, x->f.factor, x->dcf->unit_value[c], "=%s+%s*%s",
                unit_pv, unit_last, factor);
    /* Every future year, not just the horizon: summed exactly by bookval (a series). */
    double remaining = x->diag->remaining_years[c];
    if (isfinite(remaining))
        xlsx_number(&x->c, ws, r, x->col_remaining, remaining, x->f.count);
    else
        xlsx_text(&x->c, ws, r, x->col_remaining, "unbounded", x->f.note);
}

static void write_projection(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Projection");
    if (!ws)
        return;
    const Dcf *dcf = x->dcf;
    int H = x->sc->horizon_years;
    int first = x->cohort_first, last = x->cohort_first + (int)x->book->cohort_count - 1;
    xlsx_check(&x->c, worksheet_set_column(ws, 0, 0, 12, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 1, 1, 16, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 2, 2, 14, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 3, 6, 18, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 7, (lxw_col_t)(P_SURVIVAL - 1), 12, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, P_SURVIVAL, (lxw_col_t)(P_SURVIVAL + H - 1), 11, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, (lxw_col_t)x->col_horizon, (lxw_col_t)x->col_remaining,
                                  17, NULL));
    worksheet_freeze_panes(ws, 4, 1);
    xlsx_text(&x->c, ws, 0, 0, "Projection: expected cash flows of the book", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Book totals by year, summed over the cohorts below (clients that share every "
             "assumption). Every figure is a formula over Assumptions and Clients.",
             x->f.note);
    static const char *const header[] = {"Year", "Discount factor", "Expected clients",
                                         "Expected revenue", "Expected cash",
                                         "Present value"};
    for (int c = 0; c < 6; c++)
        xlsx_text(&x->c, ws, 3, c, header[c], x->f.header);

    char disc[REF_MAX], shift[REF_MAX], counts[REF_MAX], revs[REF_MAX], margins[REF_MAX],
        growths[REF_MAX], surv[REF_MAX];
    xlsx_ref(disc, "Assumptions", x->discount_row, A_VALUE);
    xlsx_ref(shift, "Assumptions", x->shift_row, A_VALUE);
    xlsx_range(counts, NULL, first, P_CLIENTS, last, P_CLIENTS);
    xlsx_range(revs, NULL, first, P_REVENUE, last, P_REVENUE);
    xlsx_range(margins, NULL, first, P_MARGIN, last, P_MARGIN);
    xlsx_range(growths, NULL, first, P_GROWTH, last, P_GROWTH);
    for (int t = 1; t <= H; t++) {
        int r = x->year_first + t - 1;
        char year[32], df[32], cash[32];
        lxw_rowcol_to_cell(year, (lxw_row_t)r, 0);
        lxw_rowcol_to_cell(df, (lxw_row_t)r, 1);
        lxw_rowcol_to_cell(cash, (lxw_row_t)r, 4);
        xlsx_range(surv, NULL, first, P_SURVIVAL + t - 1, last, P_SURVIVAL + t - 1);
        xlsx_number(&x->c, ws, r, 0, t, x->f.text);
        xlsx_formula(&x->c, ws, r, 1, x->f.factor, dcf->discount_factor[t - 1], "=1/(1+%s)^(%s-%s)",
                    disc, year, shift);
        xlsx_formula(&x->c, ws, r, 2, x->f.count, dcf->expected_clients[t - 1], "=SUMPRODUCT(%s,%s)",
                    counts, surv);
        xlsx_formula(&x->c, ws, r, 3, x->f.money, dcf->revenue[t - 1],
                    "=SUMPRODUCT(%s,(1+%s)^(%s-1),%s)", revs, growths, year, surv);
        xlsx_formula(&x->c, ws, r, 4, x->f.money, dcf->cash[t - 1],
                    "=SUMPRODUCT(%s,%s,(1+%s)^(%s-1),%s)", margins, revs, growths, year, surv);
        xlsx_formula(&x->c, ws, r, 5, x->f.money, dcf->present_value[t - 1], "=%s*%s", cash, df);
    }
    char col_range[REF_MAX], tails[REF_MAX];
    xlsx_text(&x->c, ws, x->total_row, 0, "Years 1 to H", x->f.bold);
    for (int c = 3; c <= 5; c++) {
        double v = 0;
        for (int t = 0; t < H; t++)
            v += c == 3 ? dcf->revenue[t] : c == 4 ? dcf->cash[t] : dcf->present_value[t];
        if (c == 5)
            v = dcf->horizon_value; /* the engine's own total of the same sum */
        xlsx_formula(&x->c, ws, x->total_row, c, x->f.money_total, v, "=SUM(%s)",
                    xlsx_range(col_range, NULL, x->year_first, c, x->total_row - 1, c));
    }
    xlsx_text(&x->c, ws, x->tail_total_row, 0,
             x->sc->tail == TAIL_RUNOFF ? "Run-off beyond year H (present value)"
                                        : "Beyond year H (tail: none)",
             x->f.bold);
    xlsx_range(tails, NULL, first, x->col_tail, last, x->col_tail);
    xlsx_formula(&x->c, ws, x->tail_total_row, 5, x->f.money, dcf->tail_value, "=SUM(%s)", tails);
    xlsx_text(&x->c, ws, x->value_row, 0, "DCF value", x->f.bold);
    char total[32], tail[32];
    lxw_rowcol_to_cell(total, (lxw_row_t)x->total_row, 5);
    lxw_rowcol_to_cell(tail, (lxw_row_t)x->tail_total_row, 5);
    xlsx_formula(&x->c, ws, x->value_row, 5, x->f.money_total, dcf->value, "=%s+%s", total, tail);

    /* The cohort table. */
    xlsx_text(&x->c, ws, x->df_row - 1, 0,
             "Cohorts: survival S(t) = transfer retention x r(1) x ... x r(t); values per cohort",
             x->f.bold);
    xlsx_text(&x->c, ws, x->df_row, P_SURVIVAL - 1, "Discount factor", x->f.label);
    for (int t = 1; t <= H; t++) {
        char df[32];
        lxw_rowcol_to_cell(df, (lxw_row_t)(x->year_first + t - 1), 1);
        xlsx_formula(&x->c, ws, x->df_row, P_SURVIVAL + t - 1, x->f.factor,
                    dcf->discount_factor[t - 1], "=%s", df);
    }
    xlsx_check(&x->c, worksheet_set_row(ws, (lxw_row_t)x->cohort_header, 45, NULL));
    static const char *const cohort_header[P_SURVIVAL] = {
        "Cohort", "Segment", "Clients", "Annual revenue", "Margin", "Revenue growth",
        "Transfer retention", "Retention model", "Retention r / sBG alpha", "sBG beta",
        "Tenure (renewals)", "Curve years"};
    for (int c = 0; c < P_SURVIVAL; c++)
        xlsx_text(&x->c, ws, x->cohort_header, c, cohort_header[c], x->f.header);
    for (int t = 1; t <= H; t++)
        xlsx_number(&x->c, ws, x->cohort_header, P_SURVIVAL + t - 1, t, x->f.year_header);
    static const char *const value_header[] = {"Value years 1-H", "PV of year H",
                                               "Tail factor (x PV of year H)", "Run-off tail",
                                               "Value", "Value per unit of revenue",
                                               "Expected remaining years (sum of S(t), t >= 1)"};
    for (int i = 0; i < 7; i++)
        xlsx_text(&x->c, ws, x->cohort_header, x->col_horizon + i, value_header[i], x->f.header);
    for (size_t c = 0; c < x->book->cohort_count; c++)
        write_cohort_row(x, ws, c);
}

/* ---- Clients ---- */

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void write_clients_sheet(Ctx *x, size_t sheet)
{
    char name[32];
    clients_sheet_name(name, sizeof name, sheet);
    lxw_worksheet *ws = xlsx_sheet(&x->c, name);
    if (!ws)
        return;
    const Scenario *sc = x->sc;
    size_t first = sheet * REPORT_XLSX_CLIENT_ROWS, count = clients_on_sheet(x, sheet);
    double w[C_COLUMNS] = {10, 16, 12, 16, 9, 8, 14, 10, 9, 10, 9, 10, 8, 18, 11, 7, 9, 14};
    for (size_t i = 0; i < count; i++) {
        const Client *cl = &sc->clients[first + i];
        double id = (double)utf8_chars(cl->id) + 2, nm = (double)utf8_chars(cl->name) + 2;
        if (id > w[C_ID])
            w[C_ID] = id < 40 ? id : 40;
        if (nm > w[C_NAME])
            w[C_NAME] = nm < 50 ? nm : 50;
    }
    widths(x, ws, w, C_COLUMNS);
    worksheet_freeze_panes(ws, 1, 2);
    xlsx_check(&x->c, worksheet_set_row(ws, 0, 30, NULL));
    static const char *const header[C_COLUMNS] = {
        "Id", "Name", "Segment", "Annual revenue", "Tenure (years)", "Active", "Receivable",
        "Receivable age (days)", "Own margin", "Own retention", "Own growth",
        "Own transfer retention", "Cohort", "Value (DCF)", "Expected remaining years",
        "ABC class", "Revenue rank", "Provision"};
    for (int c = 0; c < C_COLUMNS; c++)
        xlsx_text(&x->c, ws, 0, c, header[c], x->f.header);
    for (size_t i = 0; i < count && x->c.err == LXW_NO_ERROR; i++) {
        size_t k = first + i;
        const Client *cl = &sc->clients[k];
        int r = (int)i + 1;
        size_t cohort = x->book->client_cohort[k];
        /* Inputs at their defaults (no name, nothing owed) stay blank: a large book's sheet
         * is written, and compressed, a cell at a time. */
        xlsx_text(&x->c, ws, r, C_ID, cl->id, x->f.input_text);
        if (cl->name[0])
            xlsx_text(&x->c, ws, r, C_NAME, cl->name, x->f.input_text);
        if (cl->segment >= 0)
            xlsx_text(&x->c, ws, r, C_SEGMENT, sc->segments[cl->segment].name, x->f.input_text);
        xlsx_number(&x->c, ws, r, C_REVENUE, cl->annual_revenue, x->f.input_money);
        xlsx_number(&x->c, ws, r, C_TENURE, cl->tenure_years, x->f.input_number);
        xlsx_check(&x->c, worksheet_write_boolean(ws, (lxw_row_t)r, C_ACTIVE, cl->active, x->f.input_text));
        if (cl->receivable != 0 || cl->receivable_age_days != 0) {
            xlsx_number(&x->c, ws, r, C_RECEIVABLE, cl->receivable, x->f.input_money);
            xlsx_number(&x->c, ws, r, C_RECEIVABLE_AGE, cl->receivable_age_days, x->f.input_count);
        }
        const double own[4] = {cl->margin, cl->retention, cl->revenue_growth,
                               cl->transfer_retention};
        for (int j = 0; j < 4; j++)
            if (!isnan(own[j]))
                xlsx_number(&x->c, ws, r, C_MARGIN + j, own[j], x->f.input_rate);
        xlsx_number(&x->c, ws, r, C_COHORT, (double)(cohort + 1), x->f.integer);
        char revenue[32], unit[REF_MAX];
        lxw_rowcol_to_cell(revenue, (lxw_row_t)r, C_REVENUE);
        xlsx_formula(&x->c, ws, r, C_VALUE, x->f.money, dcf_client_value(x->dcf, x->book, k),
                    "=%s*%s", revenue,
                    xlsx_ref(unit, "Projection", x->cohort_first + (int)cohort, x->col_unit));
        const Diagnostics *dg = x->diag;
        double years = dg->remaining_years[cohort];
        if (isfinite(years))
            xlsx_formula(&x->c, ws, r, C_REMAINING, x->f.count, years, "=%s",
                        xlsx_ref(unit, "Projection", x->cohort_first + (int)cohort, x->col_remaining));
        else
            xlsx_text(&x->c, ws, r, C_REMAINING, "unbounded", x->f.note);
        xlsx_text(&x->c, ws, r, C_ABC, (const char *[]){"A", "B", "C"}[dg->abc[k]], x->f.text);
        xlsx_number(&x->c, ws, r, C_RANK, (double)(dg->rank[k] + 1), x->f.integer);
        if (x->provision_first >= 0 && (cl->receivable != 0 || cl->receivable_age_days != 0)) {
            char receivable[32], age[32], days[REF_MAX], rates[REF_MAX];
            lxw_rowcol_to_cell(receivable, (lxw_row_t)r, C_RECEIVABLE);
            lxw_rowcol_to_cell(age, (lxw_row_t)r, C_RECEIVABLE_AGE);
            int last = x->provision_first + (int)sc->provision_count - 1;
            xlsx_range(days, "Assumptions", x->provision_first, A_VALUE, last, A_VALUE);
            xlsx_range(rates, "Assumptions", x->provision_first, A_DIST, last, A_DIST);
            /* LOOKUP finds the last bucket whose age is <= the receivable's (ascending ages). */
            xlsx_formula(&x->c, ws, r, C_PROVISION, x->f.money, dg->client_provision[k],
                        "=%s*LOOKUP(%s,%s,%s)", receivable, age, days, rates);
        }
    }
}

/* ---- Summary ---- */

static void summary_row(Ctx *x, lxw_worksheet *ws, int r, const char *label, const char *note)
{
    xlsx_text(&x->c, ws, r, 0, label, x->f.text);
    if (note)
        xlsx_text(&x->c, ws, r, 2, note, x->f.note);
}

static void transfer_layout(const Ctx *x, TransferLayout *l);

/* The deal's headline figures and the negotiation range, from the Transfer sheet. */
static int summary_deal(Ctx *x, lxw_worksheet *ws, int r)
{
    const Deal *deal = x->deal;
    TransferLayout l;
    transfer_layout(x, &l);
    char cell[REF_MAX], lo[REF_MAX], hi[REF_MAX];
    r++;
    summary_row(x, ws, r, "Deal: base price", "as agreed, before true-up, earn-out, clawback");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money, deal->flows.base_price, "=%s",
                xlsx_ref(cell, "Transfer", l.input[I_BASE_PRICE], 1));
    summary_row(x, ws, r, "  expected price", "the sum of principal the seller expects");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money, deal->flows.price, "=%s",
                xlsx_ref(cell, "Transfer", l.result[R_PRICE], 1));
    if (deal->has_seller) {
        summary_row(x, ws, r, "  seller's net proceeds (PV)", "after tax and costs");
        xlsx_formula(&x->c, ws, r++, 1, x->f.money, deal->flows.net_proceeds_pv, "=%s",
                    xlsx_ref(cell, "Transfer", l.result[R_NET_PV], 1));
    }
    if (deal->has_buyer) {
        summary_row(x, ws, r, "  buyer's NPV", "at the buyer's rate, after tax");
        xlsx_formula(&x->c, ws, r++, 1, x->f.money, deal->flows.npv, "=%s",
                    xlsx_ref(cell, "Transfer", l.result[R_NPV], 1));
    }
    if (!(deal->has_seller && deal->has_buyer))
        return r;
    summary_row(x, ws, r, "Seller's walk-away price (min)", "below it, keeping the book is worth more");
    int min_row = r;
    xlsx_formula(&x->c, ws, r++, 1, x->f.money, deal->min_price, "=%s",
                xlsx_ref(cell, "Transfer", l.result[R_MIN_PRICE], 1));
    summary_row(x, ws, r, "Buyer's walk-away price (max)", "above it, the buyer's NPV is negative");
    int max_row = r;
    xlsx_formula(&x->c, ws, r++, 1, x->f.money, deal->max_price, "=%s",
                xlsx_ref(cell, "Transfer", l.result[R_MAX_PRICE], 1));
    lxw_rowcol_to_cell(lo, (lxw_row_t)min_row, 1);
    lxw_rowcol_to_cell(hi, (lxw_row_t)max_row, 1);
    summary_row(x, ws, r, "Negotiation range", NULL);
    char f[FORMULA_MAX], cached[200];
    snprintf(f, sizeof f,
             "=IF(%s<=%s,\"a deal exists between the two walk-away prices\",\"no deal: the "
             "seller's minimum is above the buyer's maximum\")",
             lo, hi);
    snprintf(cached, sizeof cached, "%s",
             deal->min_price <= deal->max_price
                 ? "a deal exists between the two walk-away prices"
                 : "no deal: the seller's minimum is above the buyer's maximum");
    xlsx_check(&x->c, worksheet_write_formula_str(ws, (lxw_row_t)r++, 1, f, x->f.bold, cached));
    return r;
}

static void write_summary(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Summary");
    if (!ws)
        return;
    const Scenario *sc = x->sc;
    const Dcf *dcf = x->dcf;
    xlsx_check(&x->c, worksheet_set_column(ws, 0, 0, 34, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 1, 1, 20, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 2, 2, 60, NULL));
    worksheet_freeze_panes(ws, 3, 0);
    xlsx_text(&x->c, ws, 0, 0, sc->name, x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Value of the book by discounted cash flow. Every figure is a live formula: "
             "follow it to Projection, Assumptions and Clients.",
             x->f.note);
    xlsx_text(&x->c, ws, 2, 0, "Figure", x->f.header);
    xlsx_text(&x->c, ws, 2, 1, sc->currency, x->f.header);
    xlsx_text(&x->c, ws, 2, 2, "How it is computed", x->f.header);

    char formula[FORMULA_MAX] = "", cell[REF_MAX], a[REF_MAX], b[REF_MAX];
    int r = 3;
    for (size_t s = 0; s < x->client_sheets; s++) {
        char sheet[32], ids[REF_MAX];
        clients_sheet_name(sheet, sizeof sheet, s);
        xlsx_range(ids, sheet, 1, C_ID, (int)clients_on_sheet(x, s), C_ID);
        snprintf(formula + strlen(formula), sizeof formula - strlen(formula), "%sCOUNTA(%s)",
                 s ? "+" : "", ids);
    }
    summary_row(x, ws, r, "Clients", "count of the Clients sheet");
    xlsx_formula(&x->c, ws, r++, 1, x->f.integer, (double)sc->client_count, "=%s", formula);
    formula[0] = '\0';
    for (size_t s = 0; s < x->client_sheets; s++) {
        char sheet[32], revs[REF_MAX];
        clients_sheet_name(sheet, sizeof sheet, s);
        xlsx_range(revs, sheet, 1, C_REVENUE, (int)clients_on_sheet(x, s), C_REVENUE);
        snprintf(formula + strlen(formula), sizeof formula - strlen(formula), "%sSUM(%s)",
                 s ? "+" : "", revs);
    }
    int revenue_row = r;
    summary_row(x, ws, r, "Annual revenue of the book", "sum of the clients' annual revenue");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money, dcf->annual_revenue, "=%s", formula);
    r++;
    int value_row = r;
    summary_row(x, ws, r, "DCF value", "years 1 to H plus the run-off tail");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money_total, dcf->value, "=%s",
                xlsx_ref(cell, "Projection", x->value_row, 5));
    summary_row(x, ws, r, "  of which years 1 to H", NULL);
    xlsx_formula(&x->c, ws, r++, 1, x->f.money, dcf->horizon_value, "=%s",
                xlsx_ref(cell, "Projection", x->total_row, 5));
    summary_row(x, ws, r, "  of which beyond year H",
                sc->tail == TAIL_RUNOFF ? "exact run-off of the surviving book"
                                        : "tail: none (nothing counted after the horizon)");
    xlsx_formula(&x->c, ws, r++, 1, x->f.money, dcf->tail_value, "=%s",
                xlsx_ref(cell, "Projection", x->tail_total_row, 5));
    summary_row(x, ws, r, "Value / annual revenue", "the multiple the DCF implies");
    lxw_rowcol_to_cell(a, (lxw_row_t)value_row, 1);
    lxw_rowcol_to_cell(b, (lxw_row_t)revenue_row, 1);
    if (isfinite(dcf->value_to_revenue))
        xlsx_formula(&x->c, ws, r++, 1, x->f.multiple, dcf->value_to_revenue, "=%s/%s", a, b);
    else
        xlsx_text(&x->c, ws, r++, 1, "n/a (no revenue)", x->f.text);

    if (dcf->has_market) {
        r++;
        char low[REF_MAX], high[REF_MAX];
        summary_row(x, ws, r, "Market value, low multiple", NULL);
        xlsx_number(&x->c, ws, r, 2, sc->multiple_low, x->f.input_multiple);
        lxw_rowcol_to_cell(low, (lxw_row_t)r, 2);
        xlsx_formula(&x->c, ws, r++, 1, x->f.money, dcf->market_low, "=%s*%s", low, b);
        summary_row(x, ws, r, "Market value, high multiple", NULL);
        xlsx_number(&x->c, ws, r, 2, sc->multiple_high, x->f.input_multiple);
        lxw_rowcol_to_cell(high, (lxw_row_t)r, 2);
        xlsx_formula(&x->c, ws, r++, 1, x->f.money, dcf->market_high, "=%s*%s", high, b);
        char lo_v[32], hi_v[32];
        lxw_rowcol_to_cell(lo_v, (lxw_row_t)(r - 2), 1);
        lxw_rowcol_to_cell(hi_v, (lxw_row_t)(r - 1), 1);
        static const char *const verdicts[] = {"DCF more than 20% below the market range",
                                               "DCF within 20% of the market range",
                                               "DCF more than 20% above the market range"};
        summary_row(x, ws, r, "Market cross-check", NULL);
        char f[FORMULA_MAX];
        snprintf(f, sizeof f, "=IF(%s<0.8*%s,\"%s\",IF(%s>1.2*%s,\"%s\",\"%s\"))", a, lo_v,
                 verdicts[0], a, hi_v, verdicts[2], verdicts[1]);
        xlsx_check(&x->c, worksheet_write_formula_str(ws, (lxw_row_t)r++, 1, f, x->f.bold,
                                             verdicts[dcf->market_flag + 1]));
    }
    if (x->mc) {
        r++;
        static const struct {
            int stat;
            const char *label, *note;
        } rows[] = {
            {MC_MEAN, "Monte Carlo mean", "average simulated value: uncertain inputs drawn"},
            {MC_P5, "  5th percentile", "1 in 20 simulated books is worth less"},
            {MC_P95, "  95th percentile", "1 in 20 simulated books is worth more"},
            {MC_SD, "  Standard deviation", NULL},
            {MC_CVAR5, "  CVaR 5%", "average of the worst 5% of simulated values"},
        };
        const Stats *st = &x->mc->stats;
        const double cached[] = {st->mean, st->percentile[1], st->percentile[7], st->sd,
                                 st->cvar5};
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
            summary_row(x, ws, r, rows[i].label, rows[i].note);
            /* The Monte Carlo sheet is laid out (its statistics rows) before Summary. */
            xlsx_formula(&x->c, ws, r++, 1, i == 0 ? x->f.money_total : x->f.money, cached[i],
                        "=%s", xlsx_ref(cell, "Monte Carlo", MC_FIRST_ROW + rows[i].stat, M_STAT));
        }
    }
    if (x->deal)
        r = summary_deal(x, ws, r);
    r++;
    summary_row(x, ws, r, "Discount rate", "mean of its distribution when uncertain");
    xlsx_formula(&x->c, ws, r++, 1, x->f.rate, dcf->discount_rate, "=%s",
                xlsx_ref(cell, "Assumptions", x->discount_row, A_VALUE));
    summary_row(x, ws, r, "Horizon (years)", NULL);
    xlsx_formula(&x->c, ws, r++, 1, x->f.integer, sc->horizon_years, "=%s",
                xlsx_ref(cell, "Assumptions", x->horizon_row, A_VALUE));
    summary_row(x, ws, r, "Timing", "end_of_year or mid_year");
    xlsx_text(&x->c, ws, r++, 1, sc->timing == TIMING_MID_YEAR ? "mid_year" : "end_of_year",
             x->f.text);
    summary_row(x, ws, r, "Tail", NULL);
    xlsx_text(&x->c, ws, r++, 1, sc->tail == TAIL_RUNOFF ? "runoff" : "none", x->f.text);

    /* Expected revenue retained, year by year. */
    lxw_chart *chart = workbook_add_chart(x->c.wb, LXW_CHART_COLUMN);
    if (!chart) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    int H = sc->horizon_years;
    lxw_chart_series *revenue = chart_add_series(chart, NULL, NULL);
    lxw_chart_series *pv = chart_add_series(chart, NULL, NULL);
    if (!revenue || !pv) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    chart_series_set_categories(revenue, "Projection", (lxw_row_t)x->year_first, 0,
                                (lxw_row_t)(x->year_first + H - 1), 0);
    chart_series_set_values(revenue, "Projection", (lxw_row_t)x->year_first, 3,
                            (lxw_row_t)(x->year_first + H - 1), 3);
    chart_series_set_name(revenue, "Expected revenue");
    chart_series_set_categories(pv, "Projection", (lxw_row_t)x->year_first, 0,
                                (lxw_row_t)(x->year_first + H - 1), 0);
    chart_series_set_values(pv, "Projection", (lxw_row_t)x->year_first, 5,
                            (lxw_row_t)(x->year_first + H - 1), 5);
    chart_series_set_name(pv, "Present value of cash");
    chart_title_set_name(chart, "Expected revenue retained by year");
    chart_axis_set_name(chart->x_axis, "Year after the sale");
    chart_axis_set_name(chart->y_axis, sc->currency);
    chart_axis_set_num_format(chart->y_axis, "#,##0");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = 1.4, .y_scale = 1.3};
    xlsx_check(&x->c, worksheet_insert_chart_opt(ws, (lxw_row_t)(r + 1), 0, chart, &place));
}

/* ---- Monte Carlo ---- */

static void write_mc_chart(Ctx *x, lxw_worksheet *ws, int row)
{
    const McResult *mc = x->mc;
    int last_bin = MC_FIRST_ROW + (int)mc->bins - 1;
    lxw_chart *hist = workbook_add_chart(x->c.wb, LXW_CHART_COLUMN);
    lxw_chart *conv = workbook_add_chart(x->c.wb, LXW_CHART_LINE);
    if (!hist || !conv) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    lxw_chart_series *counts = chart_add_series(hist, NULL, NULL);
    if (!counts) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    chart_series_set_categories(counts, "Monte Carlo", MC_FIRST_ROW, M_BIN_FROM,
                                (lxw_row_t)last_bin, M_BIN_FROM);
    chart_series_set_values(counts, "Monte Carlo", MC_FIRST_ROW, M_COUNT, (lxw_row_t)last_bin,
                            M_COUNT);
    chart_series_set_name(counts, "Iterations");
    chart_title_set_name(hist, "Distribution of the book's value");
    chart_axis_set_name(hist->x_axis, "Value from (bin's lower edge)");
    chart_axis_set_num_format(hist->x_axis, "#,##0");
    chart_axis_set_name(hist->y_axis, "Iterations");
    chart_legend_set_position(hist, LXW_CHART_LEGEND_NONE);
    lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = 1.3, .y_scale = 1.2};
    xlsx_check(&x->c, worksheet_insert_chart_opt(ws, (lxw_row_t)row, M_LABEL, hist, &place));

    int last_point = MC_FIRST_ROW + (int)mc->points - 1;
    static const char *const names[] = {"Running mean", "Lower 95% bound", "Upper 95% bound"};
    for (int i = 0; i < 3; i++) {
        lxw_chart_series *series = chart_add_series(conv, NULL, NULL);
        if (!series) {
            xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        chart_series_set_categories(series, "Monte Carlo", MC_FIRST_ROW, M_AT,
                                    (lxw_row_t)last_point, M_AT);
        chart_series_set_values(series, "Monte Carlo", MC_FIRST_ROW, (lxw_col_t)(M_MEAN + i),
                                (lxw_row_t)last_point, (lxw_col_t)(M_MEAN + i));
        chart_series_set_name(series, names[i]);
        if (i > 0) {
            lxw_chart_line dashed = {.color = 0x7F7F7F, .dash_type = LXW_CHART_LINE_DASH_DASH};
            chart_series_set_line(series, &dashed);
        }
    }
    chart_title_set_name(conv, "Convergence of the mean");
    chart_axis_set_name(conv->x_axis, "Iterations");
    chart_axis_set_name(conv->y_axis, x->sc->currency);
    chart_axis_set_num_format(conv->y_axis, "#,##0");
    chart_legend_set_position(conv, LXW_CHART_LEGEND_BOTTOM);
    xlsx_check(&x->c, worksheet_insert_chart_opt(ws, (lxw_row_t)(row + 20), M_LABEL, conv, &place));
}

/* One statistic: a formula over the values when they are all on the sheet, else the value. */
static void mc_stat(Ctx *x, lxw_worksheet *ws, int which, const char *label, lxw_format *f,
                    double v, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void mc_stat(Ctx *x, lxw_worksheet *ws, int which, const char *label, lxw_format *f,
                    double v, const char *fmt, ...)
{
    int r = x->mc_stat_row[which];
    xlsx_text(&x->c, ws, r, M_LABEL, label, x->f.text);
    if (!x->mc_values_fit && which != MC_Z) {
        xlsx_number(&x->c, ws, r, M_STAT, v, f);
        return;
    }
    char formula[FORMULA_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(formula, sizeof formula, fmt, ap);
    va_end(ap);
    xlsx_formula(&x->c, ws, r, M_STAT, f, v, "%s", formula);
}

static void write_monte_carlo(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Monte Carlo");
    if (!ws)
        return;
    const McResult *mc = x->mc;
    const Stats *st = &mc->stats;
    long n = mc->iterations;
    x->mc_values_fit = n <= MC_VALUE_ROWS_MAX;
    long shown = x->mc_values_fit ? n : MC_VALUE_ROWS_MAX;
    static const double w[] = {30, 18, 3, 10, 16, 3, 16, 16, 10, 3, 11, 16, 16, 16, 3, 16, 16};
    widths(x, ws, w, (int)(sizeof w / sizeof w[0]));
    worksheet_freeze_panes(ws, MC_FIRST_ROW, 0);
    xlsx_text(&x->c, ws, 0, 0, "Monte Carlo: the value's distribution", x->f.title);
    char note[400];
    snprintf(note, sizeof note,
             "%ld simulated books (%s; %s sampling; seed %llu). Statistics are formulas over "
             "the values in column E%s.",
             n, mc->client_churn ? "each client's lifetime drawn" : "expected survival",
             mc->latin_hypercube ? "Latin hypercube" : "random", mc->seed,
             x->mc_values_fit ? "" : " (too many to list: the first rows only; statistics are "
                                     "the engine's)");
    xlsx_text(&x->c, ws, 1, 0, note, x->f.note);
    const char *const headers[] = {
        "Statistic", x->sc->currency, "", "Iteration", "Value", "", "Bin from", "Bin to",
        "Iterations", "", "After", "Running mean", "Lower 95% bound", "Upper 95% bound", "",
        x->mc->has_deal && x->sc->seller.enabled ? "Seller's gain" : "",
        x->mc->has_deal && x->sc->buyer.enabled ? "Buyer's NPV" : ""};
    for (int c = 0; c < (int)(sizeof headers / sizeof headers[0]); c++)
        if (headers[c][0])
            xlsx_text(&x->c, ws, MC_FIRST_ROW - 1, c, headers[c], x->f.header);

    for (int i = 0; i < MC_STATS; i++)
        x->mc_stat_row[i] = MC_FIRST_ROW + i;
    char values[REF_MAX], cell[32], a[32], b[32];
    xlsx_range(values, NULL, MC_FIRST_ROW, M_VALUE, MC_FIRST_ROW + (int)shown - 1, M_VALUE);
    int rows = MC_FIRST_ROW + (int)shown;
    int stats_end = MC_FIRST_ROW + MC_STATS;
    if (rows < stats_end)
        rows = stats_end;
    int bins_end = MC_FIRST_ROW + (int)mc->bins, points_end = MC_FIRST_ROW + (int)mc->points;
    /* Row by row, as constant-memory mode requires. */
    for (int r = MC_FIRST_ROW; r < rows && x->c.err == LXW_NO_ERROR; r++) {
        int stat = r - MC_FIRST_ROW;
        switch (stat) {
        case MC_ITERATIONS:
            mc_stat(x, ws, stat, "Iterations", x->f.integer, (double)n, "=COUNT(%s)", values);
            break;
        case MC_MEAN:
            mc_stat(x, ws, stat, "Mean", x->f.money_total, st->mean, "=AVERAGE(%s)", values);
            break;
        case MC_SD:
            mc_stat(x, ws, stat, "Standard deviation", x->f.money, st->sd,
                    "=_xlfn.STDEV.S(%s)", values);
            break;
        case MC_SE:
            lxw_rowcol_to_cell(a, (lxw_row_t)x->mc_stat_row[MC_SD], M_STAT);
            lxw_rowcol_to_cell(b, (lxw_row_t)x->mc_stat_row[MC_ITERATIONS], M_STAT);
            mc_stat(x, ws, stat, "Standard error of the mean", x->f.money, st->se,
                    "=%s/SQRT(%s)", a, b);
            break;
        case MC_CVAR5:
            lxw_rowcol_to_cell(a, (lxw_row_t)x->mc_stat_row[MC_P5], M_STAT);
            mc_stat(x, ws, stat, "CVaR 5% (mean of the worst 5%)", x->f.money, st->cvar5,
                    "=AVERAGEIF(%s,\"<=\"&%s)", values, a);
            break;
        case MC_MIN:
            mc_stat(x, ws, stat, "Lowest", x->f.money, st->min, "=MIN(%s)", values);
            break;
        case MC_MAX:
            mc_stat(x, ws, stat, "Highest", x->f.money, st->max, "=MAX(%s)", values);
            break;
        case MC_Z:
            mc_stat(x, ws, stat, "z for a 95% band", x->f.factor,
                    gsl_cdf_ugaussian_Pinv(0.975), "=_xlfn.NORM.S.INV(0.975)");
            break;
        default:
            if (stat >= MC_P1 && stat < MC_P1 + STATS_PERCENTILES) {
                int k = stat - MC_P1;
                char label[48];
                snprintf(label, sizeof label, "Percentile %g%%",
                         100 * stats_percentile_levels[k]);
                mc_stat(x, ws, stat, label, x->f.money, st->percentile[k],
                        "=_xlfn.PERCENTILE.INC(%s,%g)", values, stats_percentile_levels[k]);
            }
            break;
        }
        long it = r - MC_FIRST_ROW;
        if (it < shown) {
            xlsx_number(&x->c, ws, r, M_ITER, (double)(it + 1), x->f.integer);
            xlsx_number(&x->c, ws, r, M_VALUE, mc->values[it], x->f.money);
            if (mc->has_deal && x->sc->seller.enabled)
                xlsx_number(&x->c, ws, r, M_GAIN, mc->seller_gain[it], x->f.money);
            if (mc->has_deal && x->sc->buyer.enabled)
                xlsx_number(&x->c, ws, r, M_NPV, mc->buyer_npv[it], x->f.money);
        }
        if (r < bins_end) {
            size_t bin = (size_t)(r - MC_FIRST_ROW);
            char lo[32], hi[32];
            lxw_rowcol_to_cell_abs(lo, (lxw_row_t)x->mc_stat_row[MC_MIN], M_STAT, 1, 1);
            lxw_rowcol_to_cell_abs(hi, (lxw_row_t)x->mc_stat_row[MC_MAX], M_STAT, 1, 1);
            bool last = bin + 1 == mc->bins;
            xlsx_formula(&x->c, ws, r, M_BIN_FROM, x->f.money, mc->bin_edges[bin],
                        "=%s+(%s-%s)/%zu*%zu", lo, hi, lo, mc->bins, bin);
            if (last)
                xlsx_formula(&x->c, ws, r, M_BIN_TO, x->f.money, mc->bin_edges[bin + 1], "=%s", hi);
            else
                xlsx_formula(&x->c, ws, r, M_BIN_TO, x->f.money, mc->bin_edges[bin + 1],
                            "=%s+(%s-%s)/%zu*%zu", lo, hi, lo, mc->bins, bin + 1);
            lxw_rowcol_to_cell(a, (lxw_row_t)r, M_BIN_FROM);
            lxw_rowcol_to_cell(b, (lxw_row_t)r, M_BIN_TO);
            if (x->mc_values_fit)
                xlsx_formula(&x->c, ws, r, M_COUNT, x->f.integer, mc->bin_counts[bin],
                            "=COUNTIFS(%s,\">=\"&%s,%s,\"%s\"&%s)", values, a, values,
                            last ? "<=" : "<", b);
            else
                xlsx_number(&x->c, ws, r, M_COUNT, mc->bin_counts[bin], x->f.integer);
        }
        if (r < points_end) {
            size_t p = (size_t)(r - MC_FIRST_ROW);
            long at = mc->at[p];
            double half = gsl_cdf_ugaussian_Pinv(0.975) * mc->running_sd[p] / sqrt((double)at);
            char head[REF_MAX], z[32], mean[32];
            xlsx_range(head, NULL, MC_FIRST_ROW, M_VALUE, MC_FIRST_ROW + (int)at - 1, M_VALUE);
            lxw_rowcol_to_cell_abs(z, (lxw_row_t)x->mc_stat_row[MC_Z], M_STAT, 1, 1);
            lxw_rowcol_to_cell(mean, (lxw_row_t)r, M_MEAN);
            lxw_rowcol_to_cell(cell, (lxw_row_t)r, M_AT);
            xlsx_number(&x->c, ws, r, M_AT, (double)at, x->f.integer);
            if (x->mc_values_fit) {
                xlsx_formula(&x->c, ws, r, M_MEAN, x->f.money, mc->running_mean[p], "=AVERAGE(%s)",
                            head);
                xlsx_formula(&x->c, ws, r, M_LOW, x->f.money, mc->running_mean[p] - half,
                            "=%s-%s*IF(%s>1,_xlfn.STDEV.S(%s),0)/SQRT(%s)", mean, z, cell, head,
                            cell);
                xlsx_formula(&x->c, ws, r, M_HIGH, x->f.money, mc->running_mean[p] + half,
                            "=%s+%s*IF(%s>1,_xlfn.STDEV.S(%s),0)/SQRT(%s)", mean, z, cell, head,
                            cell);
            } else {
                xlsx_number(&x->c, ws, r, M_MEAN, mc->running_mean[p], x->f.money);
                xlsx_number(&x->c, ws, r, M_LOW, mc->running_mean[p] - half, x->f.money);
                xlsx_number(&x->c, ws, r, M_HIGH, mc->running_mean[p] + half, x->f.money);
            }
        }
    }
    write_mc_chart(x, ws, stats_end + 1);
}

/* ---- Transfer ---- */

static void transfer_layout(const Ctx *x, TransferLayout *l)
{
    for (int i = 0; i < I_COUNT; i++)
        l->input[i] = T_FIRST_ROW + i;
    l->bracket_first = x->sc->seller.bracket_count ? T_FIRST_ROW + 1 : -1;
    int after = T_FIRST_ROW + I_COUNT;
    int brackets_end = T_FIRST_ROW + 1 + (int)x->sc->seller.bracket_count;
    if (brackets_end > after)
        after = brackets_end;
    l->schedule_header = after + 2;
    l->schedule_first = l->schedule_header + 1;
    l->schedule_last = l->schedule_first + x->deal->flows.years;
    l->total_row = l->schedule_last + 1;
    for (int i = 0; i < R_COUNT; i++)
        l->result[i] = l->total_row + 3 + i;
    l->mc_first = x->mc && x->mc->has_deal ? l->result[R_COUNT - 1] + 3 : -1;
}

/* Tax by the bracket table for the amount in `amount` (a cell or an expression):
 * sum of rate x (min(amount, next) - from) over brackets whose from < amount. */
static void bracket_tax_formula(const TransferLayout *l, const Ctx *x, const char *amount,
                                char *out, size_t size)
{
    char from[REF_MAX], next[REF_MAX], rate[REF_MAX];
    int last = l->bracket_first + (int)x->sc->seller.bracket_count - 1;
    xlsx_range(from, NULL, l->bracket_first, 4, last, 4);
    xlsx_range(next, NULL, l->bracket_first, 5, last, 5);
    xlsx_range(rate, NULL, l->bracket_first, 6, last, 6);
    snprintf(out, size, "SUMPRODUCT(%s,((%s<%s)*%s+(%s>=%s)*%s-%s)*(%s>%s))", rate, amount, next,
             amount, amount, next, next, from, amount, from);
}

static void transfer_input(Ctx *x, lxw_worksheet *ws, int r, const char *label, double v,
                           lxw_format *f)
{
    xlsx_text(&x->c, ws, r, 0, label, x->f.text);
    xlsx_number(&x->c, ws, r, 1, v, f);
}

static void write_transfer_row(Ctx *x, lxw_worksheet *ws, const TransferLayout *l, int r,
                               const char *in[I_COUNT], const char *res[R_COUNT])
{
    const Scenario *sc = x->sc;
    const Deal *deal = x->deal;
    const DealFlows *f = &deal->flows;
    int H = sc->horizon_years, t = r - l->schedule_first;
    char c[T_COLUMNS][32], prev[32], cell[REF_MAX], formula[FORMULA_MAX];
    for (int k = 0; k < T_COLUMNS; k++)
        lxw_rowcol_to_cell(c[k], (lxw_row_t)r, (lxw_col_t)k);
    xlsx_number(&x->c, ws, r, T_YEAR, t, x->f.integer);
    double share = 0;
    for (size_t i = 0; i < sc->deal.payment_count; i++)
        if (sc->deal.payments[i].year == t)
            share += sc->deal.payments[i].share;
    xlsx_number(&x->c, ws, r, T_SHARE, share, x->f.input_rate);
    xlsx_formula(&x->c, ws, r, T_BASE, x->f.money, f->base[t], "=%s*%s", c[T_SHARE], in[I_BASE_PRICE]);
    bool within = t >= 1 && t <= H;
    if (within)
        xlsx_formula(&x->c, ws, r, T_REVENUE, x->f.money, deal->revenue[t - 1], "=%s",
                    xlsx_ref(cell, "Projection", x->year_first + t - 1, 3));
    if (sc->deal.has_adjustment)
        xlsx_formula(&x->c, ws, r, T_TRUE_UP, x->f.money, f->true_up[t], "=IF(%s=%s,%s*%s-%s,0)",
                    c[T_YEAR], in[I_MEASURE_YEAR], in[I_ADJ_MULTIPLE], c[T_REVENUE],
                    in[I_BASE_PRICE]);
    else
        xlsx_number(&x->c, ws, r, T_TRUE_UP, 0, x->f.money);
    double earn = 0;
    for (size_t i = 0; i < sc->deal.earn_out_count; i++)
        if (sc->deal.earn_outs[i].year == t)
            earn = sc->deal.earn_outs[i].share;
    xlsx_number(&x->c, ws, r, T_EARN_SHARE, earn, x->f.input_rate);
    xlsx_formula(&x->c, ws, r, T_EARN_OUT, x->f.money, f->earn_out[t], "=%s*%s", c[T_EARN_SHARE],
                c[T_REVENUE]);
    if (within) {
        /* Share of the book's revenue lost in year t: the cohorts' S(t-1) - S(t). */
        char revs[REF_MAX], now[REF_MAX], before[REF_MAX];
        int a = x->cohort_first, b = a + (int)x->book->cohort_count - 1;
        xlsx_range(revs, "Projection", a, P_REVENUE, b, P_REVENUE);
        xlsx_range(now, "Projection", a, P_SURVIVAL + t - 1, b, P_SURVIVAL + t - 1);
        if (t == 1)
            snprintf(before, sizeof before, "1");
        else
            xlsx_range(before, "Projection", a, P_SURVIVAL + t - 2, b, P_SURVIVAL + t - 2);
        xlsx_formula(&x->c, ws, r, T_LOST, x->f.rate, deal->lost_share[t - 1],
                    "=IF(%s>0,SUMPRODUCT(%s,%s-%s)/%s,0)", in[I_REVENUE], revs, before, now,
                    in[I_REVENUE]);
    }
    double refund = 0;
    for (size_t i = 0; within && i < sc->deal.clawback_count; i++)
        if (t <= sc->deal.clawbacks[i].within_years) {
            refund = sc->deal.clawbacks[i].refund;
            break;
        }
    xlsx_number(&x->c, ws, r, T_REFUND, refund, x->f.input_rate);
    xlsx_formula(&x->c, ws, r, T_CLAWBACK, x->f.money, f->clawback[t], "=%s*%s*%s", in[I_BASE_PRICE],
                c[T_LOST], c[T_REFUND]);
    xlsx_formula(&x->c, ws, r, T_PRINCIPAL, x->f.money, f->principal[t], "=%s+%s+%s-%s", c[T_BASE],
                c[T_TRUE_UP], c[T_EARN_OUT], c[T_CLAWBACK]);
    char rest[REF_MAX];
    xlsx_range(rest, NULL, r, T_BASE, l->schedule_last, T_BASE);
    xlsx_formula(&x->c, ws, r, T_INTEREST, x->f.money, f->interest[t], "=IF(%s>=1,%s*SUM(%s),0)",
                c[T_YEAR], in[I_INTEREST], rest);
    if (sc->seller.enabled) {
        xlsx_formula(&x->c, ws, r, T_RECOGNISED, x->f.money, f->recognised[t],
                    "=IF(%s,IF(%s<>0,%s*%s/%s,0),IF(%s=0,%s,0))", in[I_INSTALLMENT],
                    res[R_PRICE], res[R_GAIN], c[T_PRINCIPAL], res[R_PRICE], c[T_YEAR],
                    res[R_GAIN]);
        if (l->bracket_first >= 0) {
            char to_date[REF_MAX], paid[REF_MAX], tax_now[FORMULA_MAX / 2],
                tax_cum[FORMULA_MAX / 2];
            xlsx_range(to_date, NULL, l->schedule_first, T_RECOGNISED, r, T_RECOGNISED);
            char sum_to_date[REF_MAX + 8];
            snprintf(sum_to_date, sizeof sum_to_date, "SUM(%s)", to_date);
            bracket_tax_formula(l, x, c[T_RECOGNISED], tax_now, sizeof tax_now);
            bracket_tax_formula(l, x, sum_to_date, tax_cum, sizeof tax_cum);
            if (t == 0)
                snprintf(paid, sizeof paid, "0");
            else
                xlsx_range(paid, NULL, l->schedule_first, T_TAX, r - 1, T_TAX);
            snprintf(formula, sizeof formula,
                     "=IF(%s>0,IF(%s=\"cumulative\",%s-%s%s%s,%s),0)", res[R_GAIN],
                     in[I_APPLY], tax_cum, t ? "SUM(" : "", paid, t ? ")" : "", tax_now);
            xlsx_formula(&x->c, ws, r, T_TAX, x->f.money, f->tax[t], "%s", formula);
        } else {
            xlsx_number(&x->c, ws, r, T_TAX, 0, x->f.money);
        }
        xlsx_formula(&x->c, ws, r, T_SELLER_NET, x->f.money, f->seller_net[t],
                    "=%s+%s-%s-IF(%s=0,%s,0)", c[T_PRINCIPAL], c[T_INTEREST], c[T_TAX],
                    c[T_YEAR], in[I_COSTS]);
        xlsx_formula(&x->c, ws, r, T_SELLER_DF, x->f.factor, pow(1 + deal->seller_rate, -t),
                    "=1/(1+%s)^%s", in[I_SELLER_RATE], c[T_YEAR]);
        if (within)
            xlsx_number(&x->c, ws, r, T_KEEP_CASH, deal->keep_cash[t - 1], x->f.money);
    }
    if (sc->buyer.enabled) {
        if (within) {
            xlsx_formula(&x->c, ws, r, T_CASH, x->f.money, deal->cash[t - 1], "=%s",
                        xlsx_ref(cell, "Projection", x->year_first + t - 1, 4));
            xlsx_formula(&x->c, ws, r, T_CASH_AFTER_TAX, x->f.money, f->book_after_tax[t],
                        "=(1-%s)*%s+IF(%s=%d,(1-%s)*%s*(1+%s)^%d,0)", in[I_BUYER_TAX],
                        c[T_CASH], c[T_YEAR], H, in[I_BUYER_TAX], in[I_TAIL_PV],
                        in[I_BUYER_RATE], H);
        } else {
            xlsx_number(&x->c, ws, r, T_CASH_AFTER_TAX, 0, x->f.money);
        }
        xlsx_formula(&x->c, ws, r, T_SHIELD, x->f.money, f->shield[t],
                    "=IF(AND(%s>=1,%s<=%s),%s*(%s+%s)/%s,0)", c[T_YEAR], c[T_YEAR], in[I_YEARS],
                    in[I_BUYER_TAX], res[R_PRICE], in[I_ACQUISITION], in[I_YEARS]);
        xlsx_formula(&x->c, ws, r, T_BUYER_NET, x->f.money, f->buyer_net[t],
                    "=%s+%s-%s-%s-IF(%s=0,%s,0)", c[T_CASH_AFTER_TAX], c[T_SHIELD],
                    c[T_PRINCIPAL], c[T_INTEREST], c[T_YEAR], in[I_ACQUISITION]);
        double cumulative = 0;
        for (int k = 0; k <= t; k++)
            cumulative += f->buyer_net[k];
        lxw_rowcol_to_cell(prev, (lxw_row_t)(r - 1), T_CUMULATIVE);
        if (t == 0)
            xlsx_formula(&x->c, ws, r, T_CUMULATIVE, x->f.money, cumulative, "=%s", c[T_BUYER_NET]);
        else
            xlsx_formula(&x->c, ws, r, T_CUMULATIVE, x->f.money, cumulative, "=%s+%s", prev,
                        c[T_BUYER_NET]);
        xlsx_formula(&x->c, ws, r, T_BUYER_DF, x->f.factor, pow(1 + deal->buyer_rate, -t),
                    "=1/(1+%s)^%s", in[I_BUYER_RATE], c[T_YEAR]);
    }
}

static void write_transfer(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Transfer");
    if (!ws)
        return;
    const Scenario *sc = x->sc;
    const Deal *deal = x->deal;
    const DealFlows *f = &deal->flows;
    TransferLayout l;
    transfer_layout(x, &l);
    static const double w[T_COLUMNS] = {38, 16, 15, 15, 14, 11, 14, 11, 10, 14, 15, 13,
                                        15, 14, 15, 15, 15, 14, 15, 15, 15, 10, 10};
    widths(x, ws, w, T_COLUMNS);
    worksheet_freeze_panes(ws, 0, 1);
    xlsx_text(&x->c, ws, 0, 0, "Transfer: price, payments, the seller's tax and the buyer's return",
             x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Yellow cells are the deal's inputs; every other figure is a formula. Flows are "
             "annual, at year ends; year 0 is the closing.",
             x->f.note);

    /* Names of the input and result cells, for formulas. */
    char in_cells[I_COUNT][32], res_cells[R_COUNT][32];
    const char *in[I_COUNT], *res[R_COUNT];
    for (int i = 0; i < I_COUNT; i++) {
        lxw_rowcol_to_cell_abs(in_cells[i], (lxw_row_t)l.input[i], 1, 1, 1);
        in[i] = in_cells[i];
    }
    for (int i = 0; i < R_COUNT; i++) {
        lxw_rowcol_to_cell_abs(res_cells[i], (lxw_row_t)l.result[i], 1, 1, 1);
        res[i] = res_cells[i];
    }
    char formula[FORMULA_MAX], cell[REF_MAX], range[REF_MAX], dfs[REF_MAX];
    xlsx_text(&x->c, ws, T_FIRST_ROW - 1, 0, "Inputs", x->f.header);
    xlsx_text(&x->c, ws, T_FIRST_ROW - 1, 1, sc->currency, x->f.header);
    if (l.bracket_first >= 0) {
        xlsx_text(&x->c, ws, T_FIRST_ROW - 1, 4, "Seller's tax brackets", x->f.header);
        xlsx_text(&x->c, ws, T_FIRST_ROW, 4, "Gain from", x->f.header);
        xlsx_text(&x->c, ws, T_FIRST_ROW, 5, "Up to", x->f.header);
        xlsx_text(&x->c, ws, T_FIRST_ROW, 6, "Rate", x->f.header);
    }
    /* Monte Carlo histograms of the seller's gain and the buyer's NPV (cached counts). */
    double gain_edges[TRANSFER_BINS + 1], gain_counts[TRANSFER_BINS];
    double npv_edges[TRANSFER_BINS + 1], npv_counts[TRANSFER_BINS];
    bool histograms = l.mc_first >= 0 && x->mc_values_fit;
    if (histograms) {
        const McResult *mc = x->mc;
        size_t n = (size_t)mc->iterations;
        if (sc->seller.enabled)
            stats_histogram(mc->seller_gain, n, mc->gain_stats.min, mc->gain_stats.max,
                            TRANSFER_BINS, gain_edges, gain_counts);
        if (sc->buyer.enabled)
            stats_histogram(mc->buyer_npv, n, mc->npv_stats.min, mc->npv_stats.max,
                            TRANSFER_BINS, npv_edges, npv_counts);
    }
    int hist_header = l.mc_first + 7;
    int last_row = l.mc_first < 0 ? l.result[R_COUNT - 1]
                   : histograms   ? hist_header + TRANSFER_BINS
                                  : l.mc_first + 6;
    for (int r = T_FIRST_ROW; r <= last_row && x->c.err == LXW_NO_ERROR; r++) {
        int i = r - T_FIRST_ROW;
        switch (i < I_COUNT ? i : -1) {
        case I_REVENUE:
            xlsx_text(&x->c, ws, r, 0, "Annual revenue of the book", x->f.text);
            over_clients(x, formula, sizeof formula, C_REVENUE, "SUM(", ")");
            xlsx_formula(&x->c, ws, r, 1, x->f.money, x->book->annual_revenue, "=%s", formula);
            break;
        case I_PRICE_INPUT:
            transfer_input(x, ws, r,
                           sc->deal.price_is_multiple ? "Price (multiple of annual revenue)"
                                                      : "Price",
                           sc->deal.price,
                           sc->deal.price_is_multiple ? x->f.input_number : x->f.input_money);
            break;
        case I_BASE_PRICE:
            xlsx_text(&x->c, ws, r, 0, "Base price", x->f.bold);
            if (sc->deal.price_is_multiple)
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->base_price, "=%s*%s", in[I_PRICE_INPUT],
                            in[I_REVENUE]);
            else
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->base_price, "=%s", in[I_PRICE_INPUT]);
            break;
        case I_MEASURE_YEAR:
            transfer_input(x, ws, r, "True-up: year whose retained revenue sets the price",
                           sc->deal.has_adjustment ? sc->deal.measure_year : 0,
                           x->f.input_count);
            break;
        case I_ADJ_MULTIPLE:
            transfer_input(x, ws, r, "True-up: multiple of that year's revenue",
                           sc->deal.has_adjustment ? sc->deal.adjustment_multiple : 0,
                           x->f.input_number);
            break;
        case I_INTEREST:
            transfer_input(x, ws, r, "Interest on the unpaid base price", sc->deal.interest_rate,
                           x->f.input_rate);
            break;
        case I_BASIS:
            transfer_input(x, ws, r, "Seller: tax basis", sc->seller.tax_basis, x->f.input_money);
            break;
        case I_CARRYING:
            transfer_input(x, ws, r, "Seller: carrying amount", sc->seller.carrying_amount,
                           x->f.input_money);
            break;
        case I_COSTS:
            transfer_input(x, ws, r, "Seller: selling costs (at closing)",
                           sc->seller.selling_costs, x->f.input_money);
            break;
        case I_SELLER_RATE:
            transfer_input(x, ws, r, "Seller: discount rate", sc->seller.discount_rate,
                           x->f.input_rate);
            break;
        case I_INCOME_TAX:
            transfer_input(x, ws, r, "Seller: income tax on a book kept",
                           sc->seller.income_tax_rate, x->f.input_rate);
            break;
        case I_INSTALLMENT:
            xlsx_text(&x->c, ws, r, 0, "Seller: installment method", x->f.text);
            xlsx_check(&x->c, worksheet_write_boolean(ws, (lxw_row_t)r, 1,
                                             sc->seller.installment_method, x->f.input_text));
            break;
        case I_APPLY:
            xlsx_text(&x->c, ws, r, 0, "Seller: brackets apply", x->f.text);
            xlsx_text(&x->c, ws, r, 1, sc->seller.cumulative ? "cumulative" : "per_year",
                     x->f.input_text);
            break;
        case I_BUYER_RATE:
            xlsx_text(&x->c, ws, r, 0, "Buyer: discount rate", x->f.text);
            if (sc->buyer.has_discount_rate)
                xlsx_number(&x->c, ws, r, 1, deal->buyer_rate, x->f.input_rate);
            else
                xlsx_formula(&x->c, ws, r, 1, x->f.rate, deal->buyer_rate, "=%s",
                            xlsx_ref(cell, "Assumptions", x->discount_row, A_VALUE));
            break;
        case I_ACQUISITION:
            transfer_input(x, ws, r, "Buyer: acquisition costs (at closing)",
                           sc->buyer.acquisition_costs, x->f.input_money);
            break;
        case I_BUYER_TAX:
            transfer_input(x, ws, r, "Buyer: tax rate", sc->buyer.tax_rate, x->f.input_rate);
            break;
        case I_YEARS:
            transfer_input(x, ws, r, "Buyer: amortisation years", sc->buyer.amortization_years,
                           x->f.input_count);
            break;
        case I_TAIL_PV:
            xlsx_text(&x->c, ws, r, 0, "Run-off beyond year H, PV at the buyer's rate", x->f.text);
            xlsx_number(&x->c, ws, r, 1, deal->tail_pv, x->f.money);
            xlsx_text(&x->c, ws, r, 2, "bookval (series)", x->f.note);
            break;
        case I_KEEP_TAIL:
            xlsx_text(&x->c, ws, r, 0, "Run-off if kept, PV at the seller's rate", x->f.text);
            xlsx_number(&x->c, ws, r, 1, deal->keep_tail_pv, x->f.money);
            xlsx_text(&x->c, ws, r, 2, "bookval (series)", x->f.note);
            break;
        default:
            break;
        }
        /* Brackets, beside the inputs. */
        int b = r - l.bracket_first;
        if (l.bracket_first >= 0 && b >= 0 && b < (int)sc->seller.bracket_count) {
            xlsx_number(&x->c, ws, r, 4, sc->seller.brackets[b].from, x->f.input_money);
            if (b + 1 < (int)sc->seller.bracket_count) {
                lxw_rowcol_to_cell(cell, (lxw_row_t)(r + 1), 4);
                xlsx_formula(&x->c, ws, r, 5, x->f.money, sc->seller.brackets[b + 1].from, "=%s",
                            cell);
            } else {
                xlsx_number(&x->c, ws, r, 5, 1e300, x->f.text); /* no upper end */
            }
            xlsx_number(&x->c, ws, r, 6, sc->seller.brackets[b].rate, x->f.input_rate);
        }
        /* The schedule. */
        if (r == l.schedule_header) {
            xlsx_check(&x->c, worksheet_set_row(ws, (lxw_row_t)r, 45, NULL));
            static const char *const header[T_COLUMNS] = {
                "Year", "Payment (share of base price)", "Base price instalment",
                "Expected revenue of the book", "True-up", "Earn-out share of collections",
                "Earn-out", "Share of revenue lost", "Clawback refund share", "Clawback",
                "Price received (principal)", "Interest", "Gain recognised", "Seller's tax",
                "Seller's net proceeds", "Book's expected cash", "Buyer: cash after tax (+ run-off)",
                "Buyer: amortisation shield", "Buyer: net flow", "Buyer: cumulative",
                "Seller: cash if kept", "Seller's discount factor", "Buyer's discount factor"};
            for (int k = 0; k < T_COLUMNS; k++)
                xlsx_text(&x->c, ws, r, k, header[k], x->f.header);
        } else if (r >= l.schedule_first && r <= l.schedule_last) {
            write_transfer_row(x, ws, &l, r, in, res);
        } else if (r == l.total_row) {
            xlsx_text(&x->c, ws, r, T_YEAR, "Total", x->f.bold);
            static const int summed[] = {T_BASE,       T_TRUE_UP,    T_EARN_OUT, T_CLAWBACK,
                                         T_PRINCIPAL,  T_INTEREST,   T_RECOGNISED, T_TAX,
                                         T_SELLER_NET, T_BUYER_NET};
            const double *arrays[] = {f->base,       f->true_up,  f->earn_out, f->clawback,
                                      f->principal,  f->interest, f->recognised, f->tax,
                                      f->seller_net, f->buyer_net};
            for (size_t k = 0; k < sizeof summed / sizeof summed[0]; k++) {
                bool seller_col = summed[k] == T_RECOGNISED || summed[k] == T_TAX ||
                                  summed[k] == T_SELLER_NET;
                if ((seller_col && !sc->seller.enabled) ||
                    (summed[k] == T_BUYER_NET && !sc->buyer.enabled))
                    continue;
                double total = 0;
                for (int t = 0; t <= f->years; t++)
                    total += arrays[k][t];
                xlsx_formula(&x->c, ws, r, summed[k], x->f.money_total, total, "=SUM(%s)",
                            xlsx_range(range, NULL, l.schedule_first, summed[k], l.schedule_last,
                                      summed[k]));
            }
        }
        /* Results. */
        int k = r - l.result[0];
        if (k >= 0 && k < R_COUNT) {
            char principal[REF_MAX], net[REF_MAX], buyer[REF_MAX], years[REF_MAX];
            xlsx_range(principal, NULL, l.schedule_first, T_PRINCIPAL, l.schedule_last,
                      T_PRINCIPAL);
            xlsx_range(net, NULL, l.schedule_first, T_SELLER_NET, l.schedule_last, T_SELLER_NET);
            xlsx_range(buyer, NULL, l.schedule_first, T_BUYER_NET, l.schedule_last, T_BUYER_NET);
            xlsx_range(years, NULL, l.schedule_first, T_YEAR, l.schedule_last, T_YEAR);
            bool seller = sc->seller.enabled, buyer_on = sc->buyer.enabled;
            switch (k) {
            case R_PRICE:
                xlsx_text(&x->c, ws, r, 0, "Price (sum of principal received)", x->f.bold);
                xlsx_formula(&x->c, ws, r, 1, x->f.money_total, f->price, "=SUM(%s)", principal);
                break;
            case R_GAIN:
                if (!seller)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Seller: gain (price - basis - costs)", x->f.text);
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->gain, "=%s-%s-%s", res[R_PRICE],
                            in[I_BASIS], in[I_COSTS]);
                break;
            case R_ACCOUNTING_GAIN:
                if (!seller)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Seller: accounting gain", x->f.text);
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->accounting_gain, "=%s-%s-%s",
                            res[R_PRICE], in[I_CARRYING], in[I_COSTS]);
                break;
            case R_TAX:
                if (!seller)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Seller: tax", x->f.text);
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->tax_total, "=SUM(%s)",
                            xlsx_range(range, NULL, l.schedule_first, T_TAX, l.schedule_last,
                                      T_TAX));
                break;
            case R_NET:
                if (!seller)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Seller: net proceeds", x->f.text);
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->net_proceeds, "=SUM(%s)", net);
                break;
            case R_NET_PV:
                if (!seller)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Seller: net proceeds, present value", x->f.bold);
                xlsx_range(dfs, NULL, l.schedule_first, T_SELLER_DF, l.schedule_last,
                          T_SELLER_DF);
                xlsx_formula(&x->c, ws, r, 1, x->f.money, f->net_proceeds_pv, "=SUMPRODUCT(%s,%s)",
                            net, dfs);
                break;
            case R_KEEP_PV: {
                if (!seller)
                    break;
                char keep[REF_MAX], kdf[REF_MAX];
                int H = sc->horizon_years;
                xlsx_range(keep, NULL, l.schedule_first + 1, T_KEEP_CASH, l.schedule_first + H,
                          T_KEEP_CASH);
                xlsx_range(kdf, NULL, l.schedule_first + 1, T_SELLER_DF, l.schedule_first + H,
                          T_SELLER_DF);
                xlsx_text(&x->c, ws, r, 0, "Seller: PV of keeping the book, after income tax",
                         x->f.text);
                xlsx_formula(&x->c, ws, r, 1, x->f.money, deal->keep_pv,
                            "=(1-%s)*(SUMPRODUCT(%s,%s)+%s)", in[I_INCOME_TAX], keep, kdf,
                            in[I_KEEP_TAIL]);
                break;
            }
            case R_MIN_PRICE:
                if (!seller)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Seller's walk-away base price (min_price)", x->f.bold);
                xlsx_number(&x->c, ws, r, 1, deal->min_price, x->f.money_total);
                xlsx_text(&x->c, ws, r, 2, "solved by bookval: net proceeds PV = PV of keeping",
                         x->f.note);
                break;
            case R_NPV:
                if (!buyer_on)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Buyer: NPV", x->f.bold);
                xlsx_range(dfs, NULL, l.schedule_first, T_BUYER_DF, l.schedule_last, T_BUYER_DF);
                xlsx_formula(&x->c, ws, r, 1, x->f.money_total, f->npv, "=SUMPRODUCT(%s,%s)", buyer,
                            dfs);
                break;
            case R_IRR:
                if (!buyer_on)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Buyer: IRR", x->f.text);
                if (isfinite(f->irr))
                    xlsx_formula(&x->c, ws, r, 1, x->f.rate, f->irr, "=IRR(%s,0.1)", buyer);
                else
                    xlsx_text(&x->c, ws, r, 1, "none (the flows never change sign)", x->f.note);
                break;
            case R_PAYBACK: {
                if (!buyer_on)
                    break;
                char cum[REF_MAX];
                xlsx_range(cum, NULL, l.schedule_first, T_CUMULATIVE, l.schedule_last,
                          T_CUMULATIVE);
                xlsx_text(&x->c, ws, r, 0, "Buyer: payback year", x->f.text);
                snprintf(formula, sizeof formula,
                         "=IF(COUNTIF(%s,\">=0\")=0,\"none\",_xlfn.MINIFS(%s,%s,\">=0\"))", cum,
                         years, cum);
                if (f->payback_year >= 0)
                    xlsx_formula(&x->c, ws, r, 1, x->f.integer, f->payback_year, "%s", formula);
                else
                    xlsx_check(&x->c, worksheet_write_formula_str(ws, (lxw_row_t)r, 1, formula,
                                                         x->f.text, "none"));
                break;
            }
            case R_MAX_PRICE:
                if (!buyer_on)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Buyer's walk-away base price (max_price)", x->f.bold);
                xlsx_number(&x->c, ws, r, 1, deal->max_price, x->f.money_total);
                xlsx_text(&x->c, ws, r, 2, "solved by bookval: NPV = 0, every price term scaled",
                         x->f.note);
                break;
            default:
                break;
            }
        }
        /* Monte Carlo: the deal priced on each simulated book. */
        int m = l.mc_first >= 0 ? r - l.mc_first : -1;
        if (m >= 0 && m < 8 && x->mc_values_fit) {
            char gains[REF_MAX], npvs[REF_MAX];
            int last_it = MC_FIRST_ROW + (int)x->mc->iterations - 1;
            xlsx_range(gains, "Monte Carlo", MC_FIRST_ROW, M_GAIN, last_it, M_GAIN);
            xlsx_range(npvs, "Monte Carlo", MC_FIRST_ROW, M_NPV, last_it, M_NPV);
            const Stats *g = &x->mc->gain_stats, *n = &x->mc->npv_stats;
            bool seller = sc->seller.enabled, buyer_on = sc->buyer.enabled;
            switch (m) {
            case 0:
                xlsx_text(&x->c, ws, r, 0, "Monte Carlo: each iteration's own book", x->f.header);
                xlsx_text(&x->c, ws, r, 1, "Seller's gain", x->f.header);
                xlsx_text(&x->c, ws, r, 2, "Buyer's NPV", x->f.header);
                break;
            case 1:
            case 2:
            case 3:
            case 4: {
                static const char *const labels[] = {"Mean", "5th percentile", "Median",
                                                     "95th percentile"};
                static const int pct[] = {-1, 1, 4, 7};
                xlsx_text(&x->c, ws, r, 0, labels[m - 1], x->f.text);
                for (int side = 0; side < 2; side++) {
                    if ((side == 0 && !seller) || (side == 1 && !buyer_on))
                        continue;
                    const Stats *st = side ? n : g;
                    const char *col = side ? npvs : gains;
                    if (pct[m - 1] < 0)
                        xlsx_formula(&x->c, ws, r, 1 + side, x->f.money, st->mean, "=AVERAGE(%s)",
                                    col);
                    else
                        xlsx_formula(&x->c, ws, r, 1 + side, x->f.money, st->percentile[pct[m - 1]],
                                    "=_xlfn.PERCENTILE.INC(%s,%g)", col,
                                    stats_percentile_levels[pct[m - 1]]);
                }
                break;
            }
            case 5:
                if (!buyer_on)
                    break;
                xlsx_text(&x->c, ws, r, 0, "Probability the buyer's NPV is negative", x->f.text);
                xlsx_formula(&x->c, ws, r, 2, x->f.rate, x->mc->prob_npv_negative,
                            "=COUNTIF(%s,\"<0\")/COUNT(%s)", npvs, npvs);
                break;
            default:
                break;
            }
        }
        if (histograms && r >= hist_header && r <= hist_header + TRANSFER_BINS) {
            const McResult *mc = x->mc;
            int last_it = MC_FIRST_ROW + (int)mc->iterations - 1;
            for (int side = 0; side < 2; side++) {
                bool on = side ? sc->buyer.enabled : sc->seller.enabled;
                if (!on)
                    continue;
                int col0 = side ? 4 : 0, mc_col = side ? M_NPV : M_GAIN;
                const double *edges = side ? npv_edges : gain_edges;
                const double *counts = side ? npv_counts : gain_counts;
                const Stats *st = side ? &mc->npv_stats : &mc->gain_stats;
                char values[REF_MAX];
                xlsx_range(values, "Monte Carlo", MC_FIRST_ROW, mc_col, last_it, mc_col);
                if (r == hist_header) {
                    xlsx_text(&x->c, ws, r, col0, side ? "Buyer's NPV from" : "Seller's gain from",
                             x->f.header);
                    xlsx_text(&x->c, ws, r, col0 + 1, "to", x->f.header);
                    xlsx_text(&x->c, ws, r, col0 + 2, "Iterations", x->f.header);
                    continue;
                }
                int bin = r - hist_header - 1;
                bool last = bin + 1 == TRANSFER_BINS;
                char lo[32], hi[32];
                snprintf(formula, sizeof formula, "MIN(%s)+(MAX(%s)-MIN(%s))/%d*", values, values,
                         values, TRANSFER_BINS);
                xlsx_formula(&x->c, ws, r, col0, x->f.money, edges[bin], "=%s%d", formula, bin);
                if (last)
                    xlsx_formula(&x->c, ws, r, col0 + 1, x->f.money, st->max, "=MAX(%s)", values);
                else
                    xlsx_formula(&x->c, ws, r, col0 + 1, x->f.money, edges[bin + 1], "=%s%d",
                                formula, bin + 1);
                lxw_rowcol_to_cell(lo, (lxw_row_t)r, (lxw_col_t)col0);
                lxw_rowcol_to_cell(hi, (lxw_row_t)r, (lxw_col_t)(col0 + 1));
                xlsx_formula(&x->c, ws, r, col0 + 2, x->f.integer, counts[bin],
                            "=COUNTIFS(%s,\">=\"&%s,%s,\"%s\"&%s)", values, lo, values,
                            last ? "<=" : "<", hi);
            }
        }
    }
    if (!histograms)
        return;
    for (int side = 0; side < 2; side++) {
        if (!(side ? sc->buyer.enabled : sc->seller.enabled))
            continue;
        int col0 = side ? 4 : 0;
        lxw_chart *chart = workbook_add_chart(x->c.wb, LXW_CHART_COLUMN);
        lxw_chart_series *series = chart ? chart_add_series(chart, NULL, NULL) : NULL;
        if (!series) {
            xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        chart_series_set_categories(series, "Transfer", (lxw_row_t)(hist_header + 1),
                                    (lxw_col_t)col0, (lxw_row_t)(hist_header + TRANSFER_BINS),
                                    (lxw_col_t)col0);
        chart_series_set_values(series, "Transfer", (lxw_row_t)(hist_header + 1),
                                (lxw_col_t)(col0 + 2), (lxw_row_t)(hist_header + TRANSFER_BINS),
                                (lxw_col_t)(col0 + 2));
        chart_title_set_name(chart, side ? "Buyer's NPV across simulated books"
                                         : "Seller's gain across simulated books");
        chart_axis_set_num_format(chart->x_axis, "#,##0");
        chart_axis_set_name(chart->x_axis, x->sc->currency);
        chart_axis_set_name(chart->y_axis, "Iterations");
        chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
        lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = 1.2,
                                   .y_scale = 1.1};
        xlsx_check(&x->c, worksheet_insert_chart_opt(ws, (lxw_row_t)(last_row + 2), (lxw_col_t)(side * 6),
                                            chart, &place));
    }
}

/* ---- Sensitivity and Variants ---- */

/* Tornado, grid and break-even: each figure a full revaluation by bookval (values: rerun the
 * scenario with --set PATH=VALUE to reproduce any of them). */
static void write_sensitivity(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Sensitivity");
    if (!ws)
        return;
    const Scenario *sc = x->sc;
    const WhatIf *w = x->whatif;
    static const double widths_[] = {30, 16, 16, 18, 18, 18, 18, 16, 16};
    widths(x, ws, widths_, 9);
    xlsx_text(&x->c, ws, 0, 0, "Sensitivity: what moves the value", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
              "Each value is the DCF of the scenario revalued with one input changed (rerun "
              "with --set PATH=VALUE to reproduce it); the tornado is sorted by swing.",
              x->f.note);
    static const char *const header[] = {"Parameter", "Low input", "High input",
                                         "Value at low", "Value at high", "Swing",
                                         "Buyer's break-even input", "Change at low",
                                         "Change at high"};
    char cell[REF_MAX], base[32];
    xlsx_text(&x->c, ws, 2, 0, "Base DCF value", x->f.bold);
    xlsx_formula(&x->c, ws, 2, 1, x->f.money, x->dcf->value, "=%s",
                 xlsx_ref(cell, "Projection", x->value_row, 5));
    lxw_rowcol_to_cell_abs(base, 2, 1, 1, 1);
    int r = 3;
    xlsx_check(&x->c, worksheet_set_row(ws, (lxw_row_t)r, 30, NULL));
    for (int c = 0; c < 9; c++)
        xlsx_text(&x->c, ws, r, c, header[c], x->f.header);
    int first = r + 1;
    for (size_t i = 0; i < w->tornado_count; i++) {
        const TornadoResult *t = &w->tornado[i];
        r = first + (int)i;
        xlsx_text(&x->c, ws, r, 0, t->parameter, x->f.text);
        xlsx_number(&x->c, ws, r, 1, t->low_input, x->f.factor);
        xlsx_number(&x->c, ws, r, 2, t->high_input, x->f.factor);
        xlsx_number(&x->c, ws, r, 3, t->low_value, x->f.money);
        xlsx_number(&x->c, ws, r, 4, t->high_value, x->f.money);
        char lo[32], hi[32];
        lxw_rowcol_to_cell(lo, (lxw_row_t)r, 3);
        lxw_rowcol_to_cell(hi, (lxw_row_t)r, 4);
        xlsx_formula(&x->c, ws, r, 5, x->f.money, fabs(t->high_value - t->low_value),
                     "=ABS(%s-%s)", hi, lo);
        xlsx_formula(&x->c, ws, r, 7, x->f.money, t->low_value - x->dcf->value, "=%s-%s", lo,
                     base);
        xlsx_formula(&x->c, ws, r, 8, x->f.money, t->high_value - x->dcf->value, "=%s-%s", hi,
                     base);
        if (!w->has_break_even)
            xlsx_text(&x->c, ws, r, 6, "n/a (no buyer)", x->f.note);
        else if (isfinite(t->break_even))
            xlsx_number(&x->c, ws, r, 6, t->break_even, x->f.factor);
        else {
            char none[96];
            snprintf(none, sizeof none, "none in [%g, %g]", t->range_low, t->range_high);
            xlsx_text(&x->c, ws, r, 6, none, x->f.note);
        }
    }
    int last = first + (int)w->tornado_count - 1;
    r = last + 2;
    if (sc->grid.enabled) {
        const GridSpec *g = &sc->grid;
        char title[200];
        snprintf(title, sizeof title, "DCF value by %s (rows) and %s (columns)", g->row_parameter,
                 g->col_parameter);
        xlsx_text(&x->c, ws, r++, 0, title, x->f.bold);
        int top = r;
        xlsx_text(&x->c, ws, r, 0, "", x->f.header);
        for (size_t c = 0; c < g->col_count; c++)
            xlsx_number(&x->c, ws, r, 1 + (int)c, g->cols[c], x->f.header);
        for (size_t i = 0; i < g->row_count; i++) {
            r++;
            xlsx_number(&x->c, ws, r, 0, g->rows[i], x->f.bold);
            for (size_t c = 0; c < g->col_count; c++)
                xlsx_number(&x->c, ws, r, 1 + (int)c, w->grid[i * g->col_count + c], x->f.money);
        }
        lxw_conditional_format heat = {.type = LXW_CONDITIONAL_3_COLOR_SCALE,
                                       .min_color = 0xF8696B, .mid_color = 0xFFEB84,
                                       .max_color = 0x63BE7B};
        xlsx_check(&x->c, worksheet_conditional_format_range(
                              ws, (lxw_row_t)(top + 1), 1, (lxw_row_t)r,
                              (lxw_col_t)g->col_count, &heat));
        r += 2;
    }
    if (!w->tornado_count)
        return;
    /* Tornado chart: the value at low and at high, by parameter, largest swing on top. */
    lxw_chart *chart = workbook_add_chart(x->c.wb, LXW_CHART_BAR);
    if (!chart) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    const char *names[2] = {"Change at the low input", "Change at the high input"};
    for (int k = 0; k < 2; k++) {
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        if (!series) {
            xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        chart_series_set_categories(series, "Sensitivity", (lxw_row_t)first, 0,
                                    (lxw_row_t)last, 0);
        chart_series_set_values(series, "Sensitivity", (lxw_row_t)first, (lxw_col_t)(7 + k),
                                (lxw_row_t)last, (lxw_col_t)(7 + k));
        chart_series_set_name(series, names[k]);
    }
    chart_title_set_name(chart, "Tornado: change in the DCF value from the base");
    chart_set_series_overlap(chart, 100);
    chart_axis_set_reverse(chart->y_axis);
    chart_axis_set_label_position(chart->y_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
    chart_axis_set_num_format(chart->x_axis, "#,##0");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = 1.4, .y_scale = 1.2};
    xlsx_check(&x->c, worksheet_insert_chart_opt(ws, (lxw_row_t)(r + 1), 0, chart, &place));
}

static void write_variants(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Variants");
    if (!ws)
        return;
    const WhatIf *w = x->whatif;
    static const double widths_[] = {36, 18, 18, 18, 18, 18, 18, 16};
    widths(x, ws, widths_, 8);
    worksheet_freeze_panes(ws, 4, 1);
    xlsx_text(&x->c, ws, 0, 0, "Variants: the scenario under other assumptions", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
              "Each row is the whole scenario revalued with the variant's patch; the base is the "
              "scenario as written. Change is against the base's DCF value.",
              x->f.note);
    static const char *const header[] = {"Variant",      "DCF value",    "Monte Carlo mean",
                                         "5th percentile", "95th percentile", "Seller's gain",
                                         "Buyer's NPV",  "Change in value"};
    xlsx_check(&x->c, worksheet_set_row(ws, 3, 30, NULL));
    for (int c = 0; c < 8; c++)
        xlsx_text(&x->c, ws, 3, c, header[c], x->f.header);
    int base_row = 4;
    const McResult *mc = x->mc;
    const Deal *deal = x->deal;
    const double none = (double)NAN;
    VariantResult base = {"Base: the scenario as written", x->dcf->value,
                          mc ? mc->stats.mean : none, mc ? mc->stats.percentile[1] : none,
                          mc ? mc->stats.percentile[7] : none,
                          deal ? deal->flows.gain : none, deal ? deal->flows.npv : none};
    char base_value[32];
    lxw_rowcol_to_cell_abs(base_value, (lxw_row_t)base_row, 1, 1, 1);
    for (size_t i = 0; i <= w->variant_count; i++) {
        const VariantResult *v = i ? &w->variants[i - 1] : &base;
        int r = base_row + (int)i;
        xlsx_text(&x->c, ws, r, 0, v->name, i ? x->f.text : x->f.bold);
        const double cells[] = {v->dcf_value, v->mc_mean, v->mc_p5, v->mc_p95, v->seller_gain,
                                v->buyer_npv};
        for (int c = 0; c < 6; c++) {
            if (isfinite(cells[c]))
                xlsx_number(&x->c, ws, r, 1 + c, cells[c], x->f.money);
            else
                xlsx_text(&x->c, ws, r, 1 + c, "n/a", x->f.note);
        }
        char value[32];
        lxw_rowcol_to_cell(value, (lxw_row_t)r, 1);
        xlsx_formula(&x->c, ws, r, 7, x->f.rate, v->dcf_value / base.dcf_value - 1,
                     "=%s/%s-1", value, base_value);
    }
    int last = base_row + (int)w->variant_count;
    lxw_chart *chart = workbook_add_chart(x->c.wb, LXW_CHART_COLUMN);
    if (!chart) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    int series_cols[3] = {1, 3, 4};
    const char *series_names[3] = {"DCF value", "5th percentile", "95th percentile"};
    for (int k = 0; k < (mc ? 3 : 1); k++) {
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        if (!series) {
            xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        chart_series_set_categories(series, "Variants", (lxw_row_t)base_row, 0, (lxw_row_t)last,
                                    0);
        chart_series_set_values(series, "Variants", (lxw_row_t)base_row,
                                (lxw_col_t)series_cols[k], (lxw_row_t)last,
                                (lxw_col_t)series_cols[k]);
        chart_series_set_name(series, series_names[k]);
    }
    chart_title_set_name(chart, "Value by variant");
    chart_axis_set_num_format(chart->y_axis, "#,##0");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = 1.4, .y_scale = 1.2};
    xlsx_check(&x->c, worksheet_insert_chart_opt(ws, (lxw_row_t)(last + 2), 0, chart, &place));
}

/* ---- Diagnostics ---- */

/* Share of the k largest in a Clients column over `total_cell`: a formula when the book is on
 * one sheet with at least k clients, else the engine's value. */
static void top_share(Ctx *x, lxw_worksheet *ws, int r, int col, size_t k, const char *total,
                      double cached)
{
    if (x->client_sheets != 1 || x->sc->client_count < k) {
        xlsx_number(&x->c, ws, r, 1, cached, x->f.rate);
        return;
    }
    char ranks[64] = "", range[REF_MAX];
    for (size_t i = 1; i <= k; i++)
        snprintf(ranks + strlen(ranks), sizeof ranks - strlen(ranks), "%s%zu", i > 1 ? "," : "",
                 i);
    xlsx_range(range, "Clients", 1, col, (int)x->sc->client_count, col);
    xlsx_formula(&x->c, ws, r, 1, x->f.rate, cached, "=SUMPRODUCT(LARGE(%s,{%s}))/%s", range, ranks,
                total);
}

#define PARETO_ROWS 1000

static void write_diagnostics(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Diagnostics");
    if (!ws)
        return;
    const Scenario *sc = x->sc;
    const Diagnostics *d = x->diag;
    static const double w[] = {46, 18, 16, 16, 16, 16, 8, 14, 16, 14};
    widths(x, ws, w, (int)(sizeof w / sizeof w[0]));
    worksheet_freeze_panes(ws, 3, 0);
    xlsx_text(&x->c, ws, 0, 0, "Diagnostics: the book an acquirer is buying", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Activity, concentration, classes, tenure and receivables; formulas over the "
             "Clients sheet. The Pareto table (right) lists the largest clients first.",
             x->f.note);
    xlsx_text(&x->c, ws, 2, 0, "Figure", x->f.header);
    xlsx_text(&x->c, ws, 2, 1, "Value", x->f.header);
    xlsx_text(&x->c, ws, 2, 2, "", x->f.header);
    xlsx_text(&x->c, ws, 2, 6, "Rank", x->f.header);
    xlsx_text(&x->c, ws, 2, 7, "Client", x->f.header);
    xlsx_text(&x->c, ws, 2, 8, "Annual revenue", x->f.header);
    xlsx_text(&x->c, ws, 2, 9, "Cumulative share", x->f.header);

    /* Lay out every row first: the figures, then the ABC, tenure and segment tables. */
    enum { D_CLIENTS, D_ACTIVE, D_ACTIVE_RATE, D_REVENUE, D_HHI, D_TOP1, D_TOP5, D_TOP10,
           D_TOP10_VALUE, D_AT_RISK, D_RECEIVABLES, D_PROVISION, D_FIGURES };
    int first = 3;
    int abc_header = first + D_FIGURES + 1, tenure_header = abc_header + 5;
    int segment_header = tenure_header + DIAG_TENURE_BANDS + 2;
    int groups = (int)sc->segment_count + 1;
    int last_row = segment_header + groups;
    size_t pareto = sc->client_count < PARETO_ROWS ? sc->client_count : PARETO_ROWS;
    if (first + (int)pareto > last_row)
        last_row = first + (int)pareto;

    char f[FORMULA_MAX], cell[REF_MAX], total[32], clients[32], tmp[FORMULA_MAX];
    double share = 0; /* the Pareto table's running share */
    lxw_rowcol_to_cell_abs(total, (lxw_row_t)(first + D_REVENUE), 1, 1, 1);
    lxw_rowcol_to_cell_abs(clients, (lxw_row_t)(first + D_CLIENTS), 1, 1, 1);
    for (int r = first; r <= last_row && x->c.err == LXW_NO_ERROR; r++) {
        int fig = r - first;
        switch (fig) {
        case D_CLIENTS:
            xlsx_text(&x->c, ws, r, 0, "Clients", x->f.text);
            over_clients(x, f, sizeof f, C_ID, "COUNTA(", ")");
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, (double)d->clients, "=%s", f);
            break;
        case D_ACTIVE:
            xlsx_text(&x->c, ws, r, 0, "Active clients (bought in the last period)", x->f.text);
            over_clients(x, f, sizeof f, C_ACTIVE, "COUNTIF(", ",TRUE)");
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, (double)d->active_clients, "=%s", f);
            break;
        case D_ACTIVE_RATE:
            xlsx_text(&x->c, ws, r, 0, "Active rate", x->f.text);
            lxw_rowcol_to_cell(cell, (lxw_row_t)(first + D_ACTIVE), 1);
            xlsx_formula(&x->c, ws, r, 1, x->f.rate, d->active_rate, "=%s/%s", cell, clients);
            break;
        case D_REVENUE:
            xlsx_text(&x->c, ws, r, 0, "Annual revenue", x->f.text);
            over_clients(x, f, sizeof f, C_REVENUE, "SUM(", ")");
            xlsx_formula(&x->c, ws, r, 1, x->f.money, d->annual_revenue, "=%s", f);
            break;
        case D_HHI:
            xlsx_text(&x->c, ws, r, 0, "Herfindahl index of revenue shares (0..1)", x->f.text);
            snprintf(tmp, sizeof tmp, "/%s)^2)", total);
            over_clients(x, f, sizeof f, C_REVENUE, "SUMPRODUCT((", tmp);
            xlsx_formula(&x->c, ws, r, 1, x->f.factor, d->hhi, "=%s", f);
            break;
        case D_TOP1:
        case D_TOP5:
        case D_TOP10: {
            static const size_t k[] = {1, 5, 10};
            const double shares[] = {d->top1_share, d->top5_share, d->top10_share};
            char label[64];
            snprintf(label, sizeof label, "Revenue share of the %zu largest client%s",
                     k[fig - D_TOP1], fig == D_TOP1 ? "" : "s");
            xlsx_text(&x->c, ws, r, 0, label, x->f.text);
            top_share(x, ws, r, C_REVENUE, k[fig - D_TOP1], total, shares[fig - D_TOP1]);
            break;
        }
        case D_TOP10_VALUE:
            xlsx_text(&x->c, ws, r, 0, "DCF value share of the 10 most valuable clients", x->f.text);
            top_share(x, ws, r, C_VALUE, 10, xlsx_ref(cell, "Projection", x->value_row, 5),
                      d->top10_value_share);
            break;
        case D_AT_RISK: {
            char revs[REF_MAX], s1[REF_MAX];
            int a = x->cohort_first, b = x->cohort_first + (int)x->book->cohort_count - 1;
            xlsx_range(revs, "Projection", a, P_REVENUE, b, P_REVENUE);
            xlsx_range(s1, "Projection", a, P_SURVIVAL, b, P_SURVIVAL);
            xlsx_text(&x->c, ws, r, 0, "Revenue at risk: expected loss in year 1", x->f.text);
            xlsx_formula(&x->c, ws, r, 1, x->f.money, d->revenue_at_risk, "=SUMPRODUCT(%s,1-%s)",
                        revs, s1);
            xlsx_text(&x->c, ws, r, 2, "sum of revenue x (1 - S(1)), transfer losses included",
                     x->f.note);
            break;
        }
        case D_RECEIVABLES:
            xlsx_text(&x->c, ws, r, 0, "Receivables", x->f.text);
            over_clients(x, f, sizeof f, C_RECEIVABLE, "SUM(", ")");
            xlsx_formula(&x->c, ws, r, 1, x->f.money, d->receivables, "=%s", f);
            break;
        case D_PROVISION:
            xlsx_text(&x->c, ws, r, 0, "Provision for doubtful receivables", x->f.text);
            if (sc->provision_count) {
                over_clients(x, f, sizeof f, C_PROVISION, "SUM(", ")");
                xlsx_formula(&x->c, ws, r, 1, x->f.money, d->provision, "=%s", f);
            } else {
                xlsx_text(&x->c, ws, r, 1, "n/a (no provision buckets)", x->f.note);
            }
            break;
        default:
            break;
        }
        /* ABC classes. */
        if (r == abc_header) {
            xlsx_text(&x->c, ws, r, 0, "ABC class (A to 80% of revenue, B to 95%)", x->f.header);
            xlsx_text(&x->c, ws, r, 1, "Clients", x->f.header);
            xlsx_text(&x->c, ws, r, 2, "Annual revenue", x->f.header);
            xlsx_text(&x->c, ws, r, 3, "Share", x->f.header);
        } else if (r > abc_header && r <= abc_header + 3) {
            int cls = r - abc_header - 1;
            const char *name = (const char *[]){"A", "B", "C"}[cls];
            xlsx_text(&x->c, ws, r, 0, name, x->f.text);
            char crit[8];
            snprintf(crit, sizeof crit, "\"%s\"", name);
            clients_if(x, f, sizeof f, C_ABC, crit, -1);
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, (double)d->abc_clients[cls], "=%s", f);
            clients_if(x, f, sizeof f, C_ABC, crit, C_REVENUE);
            xlsx_formula(&x->c, ws, r, 2, x->f.money, d->abc_revenue[cls], "=%s", f);
            lxw_rowcol_to_cell(cell, (lxw_row_t)r, 2);
            xlsx_formula(&x->c, ws, r, 3, x->f.rate,
                        d->annual_revenue > 0 ? d->abc_revenue[cls] / d->annual_revenue : 0,
                        "=IF(%s>0,%s/%s,0)", total, cell, total);
        }
        /* Tenure bands. */
        if (r == tenure_header) {
            xlsx_text(&x->c, ws, r, 0, "Tenure (completed renewals)", x->f.header);
            xlsx_text(&x->c, ws, r, 1, "Clients", x->f.header);
            xlsx_text(&x->c, ws, r, 2, "Annual revenue", x->f.header);
            xlsx_text(&x->c, ws, r, 3, "From (years)", x->f.header);
            xlsx_text(&x->c, ws, r, 4, "Below (years)", x->f.header);
        } else if (r > tenure_header && r <= tenure_header + DIAG_TENURE_BANDS) {
            int band = r - tenure_header - 1;
            double lo = diagnostics_tenure_bounds[band], hi = diagnostics_tenure_bounds[band + 1];
            char label[48], lo_cell[32], hi_cell[32];
            if (isfinite(hi))
                snprintf(label, sizeof label, "%g to under %g years", lo, hi);
            else
                snprintf(label, sizeof label, "%g years or more", lo);
            xlsx_text(&x->c, ws, r, 0, label, x->f.text);
            xlsx_number(&x->c, ws, r, 3, lo, x->f.integer);
            if (isfinite(hi))
                xlsx_number(&x->c, ws, r, 4, hi, x->f.integer);
            lxw_rowcol_to_cell(lo_cell, (lxw_row_t)r, 3);
            lxw_rowcol_to_cell(hi_cell, (lxw_row_t)r, 4);
            char counts[FORMULA_MAX] = "", sums[FORMULA_MAX] = "";
            for (size_t s2 = 0; s2 < x->client_sheets; s2++) {
                char sheet[32], ten[REF_MAX], vals[REF_MAX], cond[160];
                clients_sheet_name(sheet, sizeof sheet, s2);
                int last = (int)clients_on_sheet(x, s2);
                xlsx_range(ten, sheet, 1, C_TENURE, last, C_TENURE);
                xlsx_range(vals, sheet, 1, C_REVENUE, last, C_REVENUE);
                if (isfinite(hi))
                    snprintf(cond, sizeof cond, "%s,\">=\"&%s,%s,\"<\"&%s", ten, lo_cell, ten,
                             hi_cell);
                else
                    snprintf(cond, sizeof cond, "%s,\">=\"&%s", ten, lo_cell);
                snprintf(counts + strlen(counts), sizeof counts - strlen(counts),
                         "%sCOUNTIFS(%s)", s2 ? "+" : "", cond);
                snprintf(sums + strlen(sums), sizeof sums - strlen(sums), "%sSUMIFS(%s,%s)",
                         s2 ? "+" : "", vals, cond);
            }
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, (double)d->tenure_clients[band], "=%s",
                        counts);
            xlsx_formula(&x->c, ws, r, 2, x->f.money, d->tenure_revenue[band], "=%s", sums);
        }
        /* Segments. */
        if (r == segment_header) {
            xlsx_text(&x->c, ws, r, 0, "Segment", x->f.header);
            xlsx_text(&x->c, ws, r, 1, "Clients", x->f.header);
            xlsx_text(&x->c, ws, r, 2, "Annual revenue", x->f.header);
            xlsx_text(&x->c, ws, r, 3, "Value (DCF)", x->f.header);
            xlsx_text(&x->c, ws, r, 4, "Value / revenue", x->f.header);
            xlsx_text(&x->c, ws, r, 5, "Mean expected remaining years", x->f.header);
        } else if (r > segment_header && r <= segment_header + groups) {
            int g = r - segment_header - 1;
            bool none = g == (int)sc->segment_count;
            xlsx_text(&x->c, ws, r, 0, none ? "(no segment)" : sc->segments[g].name, x->f.text);
            char crit[80], counts[FORMULA_MAX], revs[FORMULA_MAX], vals[FORMULA_MAX];
            lxw_rowcol_to_cell(cell, (lxw_row_t)r, 0);
            snprintf(crit, sizeof crit, "%s", none ? "\"\"" : cell);
            clients_if(x, counts, sizeof counts, C_SEGMENT, crit, -1);
            clients_if(x, revs, sizeof revs, C_SEGMENT, crit, C_REVENUE);
            clients_if(x, vals, sizeof vals, C_SEGMENT, crit, C_VALUE);
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, (double)d->segment_clients[g], "=%s", counts);
            xlsx_formula(&x->c, ws, r, 2, x->f.money, d->segment_revenue[g], "=%s", revs);
            xlsx_formula(&x->c, ws, r, 3, x->f.money, d->segment_value[g], "=%s", vals);
            char rc[32], vc[32];
            lxw_rowcol_to_cell(rc, (lxw_row_t)r, 2);
            lxw_rowcol_to_cell(vc, (lxw_row_t)r, 3);
            xlsx_formula(&x->c, ws, r, 4, x->f.multiple,
                        d->segment_revenue[g] > 0 ? d->segment_value[g] / d->segment_revenue[g]
                                                  : 0,
                        "=IF(%s>0,%s/%s,0)", rc, vc, rc);
            /* Mean remaining years over the segment's clients whose sum is finite (numbers). */
            char sums[FORMULA_MAX], numbers[FORMULA_MAX] = "";
            clients_if(x, sums, sizeof sums, C_SEGMENT, crit, C_REMAINING);
            for (size_t s2 = 0; s2 < x->client_sheets; s2++) {
                char sheet[32], seg[REF_MAX], rem[REF_MAX];
                clients_sheet_name(sheet, sizeof sheet, s2);
                int last = (int)clients_on_sheet(x, s2);
                xlsx_range(seg, sheet, 1, C_SEGMENT, last, C_SEGMENT);
                xlsx_range(rem, sheet, 1, C_REMAINING, last, C_REMAINING);
                snprintf(numbers + strlen(numbers), sizeof numbers - strlen(numbers),
                         "%sCOUNTIFS(%s,%s,%s,\">=0\")", s2 ? "+" : "", seg, crit, rem);
            }
            xlsx_formula(&x->c, ws, r, 5, x->f.count, d->segment_remaining[g], "=(%s)/(%s)",
                         sums, numbers);
        }
        /* Pareto: the largest clients, cumulative share of revenue. */
        size_t k = (size_t)(r - first);
        if (k < pareto) {
            const Client *cl = &sc->clients[d->by_revenue[k]];
            xlsx_number(&x->c, ws, r, 6, (double)(k + 1), x->f.integer);
            xlsx_text(&x->c, ws, r, 7, cl->id, x->f.text);
            xlsx_number(&x->c, ws, r, 8, cl->annual_revenue, x->f.money);
            char this_rev[32], prev[32];
            lxw_rowcol_to_cell(this_rev, (lxw_row_t)r, 8);
            lxw_rowcol_to_cell(prev, (lxw_row_t)(r - 1), 9);
            /* Accumulated as the formula does: previous share + this revenue / total. */
            share += d->annual_revenue > 0 ? cl->annual_revenue / d->annual_revenue : 0;
            if (k == 0)
                xlsx_formula(&x->c, ws, r, 9, x->f.rate, share, "=IF(%s>0,%s/%s,0)", total,
                            this_rev, total);
            else
                xlsx_formula(&x->c, ws, r, 9, x->f.rate, share, "=%s+IF(%s>0,%s/%s,0)", prev, total,
                            this_rev, total);
        }
    }
    if (pareto == 0)
        return;
    lxw_chart *chart = workbook_add_chart(x->c.wb, LXW_CHART_LINE);
    lxw_chart_series *series = chart ? chart_add_series(chart, NULL, NULL) : NULL;
    if (!series) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    chart_series_set_categories(series, "Diagnostics", (lxw_row_t)first, 6,
                                (lxw_row_t)(first + (int)pareto - 1), 6);
    chart_series_set_values(series, "Diagnostics", (lxw_row_t)first, 9,
                            (lxw_row_t)(first + (int)pareto - 1), 9);
    chart_series_set_name(series, "Cumulative share of revenue");
    chart_title_set_name(chart, "Pareto: clients by revenue, largest first");
    chart_axis_set_name(chart->x_axis, "Client rank");
    chart_axis_set_name(chart->y_axis, "Share of the book's revenue");
    chart_axis_set_num_format(chart->y_axis, "0%");
    chart_axis_set_max(chart->y_axis, 1);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = 1.3, .y_scale = 1.2};
    xlsx_check(&x->c, worksheet_insert_chart_opt(ws, (lxw_row_t)(last_row + 2), 0, chart, &place));
}

/* ---- Run info ---- */

static void write_run_info(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, "Run info");
    if (!ws)
        return;
    const RunInfo *in = x->info;
    xlsx_check(&x->c, worksheet_set_column(ws, 0, 0, 26, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 1, 1, 70, NULL));
    xlsx_text(&x->c, ws, 0, 0, "Run info", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "What reproduces this workbook: the same scenario file (same SHA-256) and the same "
             "bookval version give the same bytes.",
             x->f.note);
    char threads[32], clients[32], cohorts[32], seed[32] = "", iterations[64] = "";
    if (x->mc) {
        snprintf(seed, sizeof seed, "%llu", x->mc->seed);
        snprintf(iterations, sizeof iterations, "%ld%s", x->mc->iterations,
                 x->mc->stopped_early ? " (precision reached)" : "");
    }
    snprintf(threads, sizeof threads, "%d", in->threads);
    char csv_dialect[300];
    csv_dialect_describe(&x->sc->clients_csv_dialect, csv_dialect, sizeof csv_dialect);
    snprintf(clients, sizeof clients, "%zu", x->sc->client_count);
    snprintf(cohorts, sizeof cohorts, "%zu", x->book->cohort_count);
    const char *rows[][2] = {
        {"bookval version", in->bookval_version},
        {"Scenario file", x->sc->file},
        {"Scenario SHA-256", in->scenario_sha256},
        {"Clients file", x->sc->clients_csv ? x->sc->clients_csv : "(inline)"},
        {"Clients file dialect", x->sc->clients_csv ? csv_dialect : "n/a"},
        {"Clients", clients},
        {"Cohorts", cohorts},
        {"Valuation", x->mc ? "deterministic DCF (means of uncertain inputs) and Monte Carlo"
                            : "deterministic DCF (means of uncertain inputs)"},
        {"Generator", x->mc ? MC_GENERATOR : "n/a (no Monte Carlo in this run)"},
        {"Seed", x->mc ? seed : "n/a"},
        {"Iterations", x->mc ? iterations : "n/a"},
        {"Sampling", x->mc ? (x->mc->latin_hypercube ? "latin_hypercube" : "random") : "n/a"},
        {"Client churn", x->mc ? (x->mc->client_churn ? "true" : "false") : "n/a"},
        {"Threads", threads},
        {"GSL", in->gsl_version},
        {"libxlsxwriter", in->xlsxwriter_version},
        {"libyaml", in->yaml_version},
        {"libcsv", in->csv_version},
        {"nettle (SHA-256)", in->nettle_version},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        xlsx_text(&x->c, ws, 3 + (int)i, 0, rows[i][0], x->f.bold);
        xlsx_text(&x->c, ws, 3 + (int)i, 1, rows[i][1], x->f.text);
    }
}

BvStatus report_xlsx_write(const char *path, const Results *res, BvErrors *errors)
{
    const Scenario *sc = res->scenario;
    const Book *book = res->book;
    Ctx x = {.sc = sc, .book = book, .dcf = res->dcf, .mc = res->mc, .diag = res->diag,
             .deal = res->deal, .whatif = res->whatif, .info = res->info,
             .provision_first = -1};
    x.client_sheets = (sc->client_count + REPORT_XLSX_CLIENT_ROWS - 1) / REPORT_XLSX_CLIENT_ROWS;
    if ((size_t)sc->horizon_years + book->cohort_count + 32 > 1048576)
        return bv_error(errors, BV_ERR_INPUT, NULL, "clients",
                        "%zu distinct sets of client assumptions do not fit on one sheet; "
                        "group clients into segments instead of giving each its own values",
                        book->cohort_count);
    x.scopes = calloc(sc->segment_count + 1, sizeof *x.scopes);
    if (!x.scopes)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    BvStatus status = xlsx_open(&x.c, path, sc->name, true, errors);
    if (status != BV_OK) {
        free(x.scopes);
        return status;
    }
    make_formats(&x);
    layout_assumptions(&x);
    layout_projection(&x);
    write_summary(&x);
    write_assumptions(&x);
    for (size_t s = 0; s < x.client_sheets && x.c.err == LXW_NO_ERROR; s++)
        write_clients_sheet(&x, s);
    write_projection(&x);
    if (x.mc)
        write_monte_carlo(&x);
    if (x.deal)
        write_transfer(&x);
    if (x.whatif && (sc->tornado_count || sc->grid.enabled))
        write_sensitivity(&x);
    if (x.whatif && sc->variant_count)
        write_variants(&x);
    write_diagnostics(&x);
    write_run_info(&x);
    free(x.scopes);
    return xlsx_close(&x.c, path, errors);
}

BvStatus report_xlsx_compare(const char *path, const CompareRow *rows, size_t count,
                             BvErrors *errors)
{
    XlsxCells c;
    BvStatus status = xlsx_open(&c, path, "Comparison of scenarios", true, errors);
    if (status != BV_OK)
        return status;
    lxw_format *title = xlsx_title_format(&c);
    lxw_format *header = xlsx_header_format(&c, NULL);
    lxw_format *money = xlsx_format(&c, "#,##0.00", false, false);
    lxw_format *rate = xlsx_format(&c, "0.00\"x\"", false, false);
    lxw_format *note = xlsx_note_format(&c);
    lxw_worksheet *ws = xlsx_sheet(&c, "Comparison");
    if (ws) {
        static const double w[] = {40, 34, 8, 16, 16, 10, 16, 16, 16, 16, 16, 40};
        for (int k = 0; k < 12; k++)
            xlsx_check(&c, worksheet_set_column(ws, (lxw_col_t)k, (lxw_col_t)k, w[k], NULL));
        worksheet_freeze_panes(ws, 3, 1);
        xlsx_text(&c, ws, 0, 0, "Comparison of scenarios", title);
        xlsx_text(&c, ws, 1, 0,
                  "One row per scenario of the batch; each has its own workbook and JSON in the "
                  "output directory. Amounts in each scenario's currency.",
                  note);
        static const char *const head[] = {
            "Scenario",     "File",           "Currency", "Annual revenue", "DCF value",
            "Value / revenue", "Monte Carlo mean", "5th percentile", "95th percentile",
            "Expected price", "Buyer's NPV",  "Status"};
        xlsx_check(&c, worksheet_set_row(ws, 2, 30, NULL));
        for (int k = 0; k < 12; k++)
            xlsx_text(&c, ws, 2, k, head[k], header);
        for (size_t i = 0; i < count; i++) {
            const CompareRow *row = &rows[i];
            int r = 3 + (int)i;
            xlsx_text(&c, ws, r, 0, row->name, NULL);
            xlsx_text(&c, ws, r, 1, row->file, NULL);
            xlsx_text(&c, ws, r, 2, row->currency, NULL);
            const double v[] = {row->annual_revenue, row->dcf_value, (double)NAN, row->mc_mean,
                                row->mc_p5,          row->mc_p95,    row->price, row->buyer_npv};
            for (int k = 0; k < 8; k++) {
                if (k == 2 && row->ok && row->annual_revenue > 0) {
                    char a[32], b[32];
                    lxw_rowcol_to_cell(a, (lxw_row_t)r, 4);
                    lxw_rowcol_to_cell(b, (lxw_row_t)r, 3);
                    xlsx_formula(&c, ws, r, 5, rate, row->dcf_value / row->annual_revenue,
                                 "=%s/%s", a, b);
                } else if (isfinite(v[k])) {
                    xlsx_number(&c, ws, r, 3 + k, v[k], money);
                } else if (row->ok) {
                    xlsx_text(&c, ws, r, 3 + k, "n/a", note);
                }
            }
            xlsx_text(&c, ws, r, 11, row->status, row->ok ? NULL : note);
        }
        lxw_chart *chart = count ? workbook_add_chart(c.wb, LXW_CHART_BAR) : NULL;
        lxw_chart_series *series = chart ? chart_add_series(chart, NULL, NULL) : NULL;
        if (series) {
            chart_series_set_categories(series, "Comparison", 3, 0, (lxw_row_t)(2 + count), 0);
            chart_series_set_values(series, "Comparison", 3, 4, (lxw_row_t)(2 + count), 4);
            chart_series_set_name(series, "DCF value");
            chart_title_set_name(chart, "DCF value by scenario");
            chart_axis_set_num_format(chart->x_axis, "#,##0");
            chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
            lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = 1.4,
                                       .y_scale = 1.2};
            xlsx_check(&c, worksheet_insert_chart_opt(ws, (lxw_row_t)(count + 5), 0, chart,
                                                      &place));
        }
    }
    return xlsx_close(&c, path, errors);
}
