/*
 * report_xlsx.c — the audit workbook: fixes the layout of every sheet (xlsx_layout), then
 * writes the sheets in DESIGN §8's order, one writer a sheet (xlsx_<sheet>.c), each top to
 * bottom: libxlsxwriter's constant-memory mode keeps a million-client book within memory.
 *
 * The chain an auditor follows: Assumptions (inputs, and the mean each distribution
 * contributes) -> Projection cohorts (survival S(t) year by year, values per cohort) ->
 * Projection years (book totals) -> Summary. Clients holds the inputs per client and each
 * client's value as revenue x its cohort's value per unit of revenue.
 */
#include "report_xlsx.h"

#include <math.h>
#include <stdlib.h>

#include "xlsx_layout.h"

static bool always(const XlsxCtx *x)
{
    (void)x;
    return true;
}

static bool has_clients(const XlsxCtx *x)
{
    return x->client_sheets > 0;
}

static bool has_mc(const XlsxCtx *x)
{
    return x->mc != NULL;
}

static bool has_drivers(const XlsxCtx *x)
{
    return x->mc != NULL && x->drivers != NULL;
}

static bool has_deal(const XlsxCtx *x)
{
    return x->deal != NULL;
}

static bool has_sensitivity(const XlsxCtx *x)
{
    return x->whatif && (x->sc->tornado_count || x->sc->grid.enabled);
}

static bool has_variants(const XlsxCtx *x)
{
    return x->whatif && x->sc->variant_count;
}

/* The sheets in DESIGN §8's order: a sheet is written when its results are present. */
static const struct {
    const char *name;
    bool (*wanted)(const XlsxCtx *x);
    void (*write)(XlsxCtx *x, lxw_worksheet *ws);
    bool landscape;  /* wider than a portrait page */
    int header_rows; /* repeated atop every printed page */
} sheets[] = {
    {"Summary", always, xlsx_summary_write, false, 3},
    {"Assumptions", always, xlsx_assumptions_write, true, 4},
    {"Clients", has_clients, xlsx_clients_write, true, 1},
    {"Projection", always, xlsx_projection_write, true, 4},
    {"Monte Carlo", has_mc, xlsx_montecarlo_write, true, MC_FIRST_ROW},
    {"Risk", has_drivers, xlsx_risk_write, true, 3},
    {"Transfer", has_deal, xlsx_transfer_write, true, 0},
    {"Sensitivity", has_sensitivity, xlsx_sensitivity_write, true, 4},
    {"Variants", has_variants, xlsx_variants_write, true, 4},
    {"Diagnostics", always, xlsx_diagnostics_write, true, 3},
    {"Run info", always, xlsx_runinfo_write, false, 0},
};

BvStatus report_xlsx_write(const char *path, const Results *res, BvErrors *errors)
{
    const Scenario *sc = res->scenario;
    const Book *book = res->book;
    XlsxCtx x = {.sc = sc, .book = book, .dcf = res->dcf, .mc = res->mc, .diag = res->diag,
                 .deal = res->deal, .whatif = res->whatif, .info = res->info,
                 .drivers = res->drivers, .buyer_par = res->buyer_par,
                 .seller_par = res->seller_par, .rate_range = res->rate_range};
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
    xlsx_layout_formats(&x);
    xlsx_layout_fix(&x);
    for (size_t i = 0; i < sizeof sheets / sizeof sheets[0] && x.c.err == LXW_NO_ERROR; i++) {
        if (!sheets[i].wanted(&x))
            continue;
        lxw_worksheet *ws = xlsx_sheet(&x.c, sheets[i].name);
        if (!ws)
            break;
        xlsx_layout_print(&x, ws, sheets[i].landscape, sheets[i].header_rows);
        sheets[i].write(&x, ws);
    }
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
        xlsx_row_height(&c, ws, 2, 30);
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
        static const int cols[] = {4};
        static const char *const names[] = {"DCF value"};
        XlsxChart chart = {.type = LXW_CHART_BAR, .sheet = "Comparison", .first = 3,
                           .last = 2 + (int)count, .cat_col = 0, .series = 1, .val_col = cols,
                           .names = names, .title = "DCF value by scenario", .x_num = "#,##0",
                           .legend = LXW_CHART_LEGEND_NONE, .x_scale = 1.4, .y_scale = 1.2};
        if (count)
            xlsx_chart(&c, ws, (int)count + 5, 0, &chart);
    }
    return xlsx_close(&c, path, errors);
}
