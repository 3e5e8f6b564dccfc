/*
 * report_fit.c — the JSON summary and the workbook of `bookval fit`, and the scenario line.
 *
 * The workbook's chain an auditor follows: Cohorts (the counts, inputs) -> Fit's yearly table
 * (clients at risk and lost, pooled with SUMPRODUCT over the cohorts observed that year;
 * observed and fitted retention and survival; each year's log-likelihood term) -> Fit's
 * parameter block (log-likelihoods, AIC, the geometric closed form). The sBG parameters are
 * the one thing a spreadsheet cannot recompute (they come from the optimiser), so they are
 * written as values, marked as the fit's output.
 */
#include "report_fit.h"

#include "json_writer.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "xlsx_cells.h"

#define FORMULA_MAX XLSX_FORMULA_MAX
#define REF_MAX XLSX_REF_MAX

/* ---- the scenario line ---- */

void report_fit_scenario_line(const Fit *fit, char *buf, size_t size)
{
    if (size == 0)
        return;
    if (fit->model == HISTORY_MODEL_SBG && fit->sbg.identified)
        snprintf(buf, size, "retention: {sbg: {alpha: %.6g, beta: %.6g}}", fit->sbg.alpha,
                 fit->sbg.beta);
    else
        snprintf(buf, size, "retention: %.6g", fit->geometric.retention);
}

/* ---- JSON ---- */

bool report_fit_json(FILE *out, const History *h, const Fit *fit)
{
    const FitSbg *s = &fit->sbg;
    const FitGeometric *g = &fit->geometric;
    bool sbg_fitted = fit->model == HISTORY_MODEL_SBG;
    char line[128];
    report_fit_scenario_line(fit, line, sizeof line);
    Json j;
    json_begin(&j, out);
    json_open(&j, NULL);
    json_text(&j, "bookval_version", BOOKVAL_VERSION);
    json_open(&j, "history");
    json_text(&j, "file", h->file);
    json_number(&j, "cohorts", (double)fit->cohort_count);
    json_number(&j, "clients", fit->clients);
    json_number(&j, "client_years", fit->client_years);
    json_number(&j, "years", (double)(fit->year_count - 1));
    json_close(&j);
    json_open(&j, "fit");
    json_text(&j, "model", history_model_name(fit->model));
    json_number(&j, "alpha", s->alpha);
    json_number(&j, "beta", s->beta);
    json_number(&j, "alpha_se", s->alpha_se);
    json_number(&j, "beta_se", s->beta_se);
    json_number(&j, "correlation", s->correlation);
    json_number(&j, "log_likelihood", s->log_likelihood);
    json_number(&j, "aic", s->aic);
    json_text(&j, "sbg_problem", s->identified ? NULL : s->problem);
    json_open(&j, "geometric");
    json_number(&j, "retention", g->retention);
    json_number(&j, "retention_se", g->retention_se);
    json_number(&j, "log_likelihood", g->log_likelihood);
    json_number(&j, "aic", g->aic);
    json_close(&j);
    json_text(&j, "preferred_by_aic", history_model_name(fit->preferred));
    json_text(&j, "scenario_line", line);
    json_open_array(&j, "years");
    for (size_t i = 0; i < fit->year_count; i++) {
        const FitYear *y = &fit->years[i];
        json_open(&j, NULL);
        json_number(&j, "year", y->year);
        json_number(&j, "at_risk", y->at_risk);
        json_number(&j, "lost", y->lost);
        json_number(&j, "observed_survival", y->observed_survival);
        json_number(&j, "fitted_survival", sbg_fitted ? y->sbg_survival : y->geometric_survival);
        json_number(&j, "observed_retention", y->observed_retention);
        json_number(&j, "fitted_retention",
                    sbg_fitted ? y->sbg_retention : y->geometric_retention);
        json_close(&j);
    }
    json_close_array(&j);
    json_close(&j);
    json_close(&j);
    return json_end(&j);
}

/* ---- the workbook ---- */

/* The Fit sheet: parameter rows (0-based) ... */
enum {
    ROW_TITLE = 0,
    ROW_NOTE = 1,
    ROW_PARAM_HEADER = 3,
    ROW_ALPHA,
    ROW_BETA,
    ROW_SBG_LL,
    ROW_SBG_AIC,
    ROW_GEO_RETENTION,
    ROW_GEO_LL,
    ROW_GEO_AIC,
    ROW_MODEL,
    ROW_PREFERRED,
    ROW_LINE,
    ROW_FILE,
    ROW_VERSION,
    ROW_TABLE_HEADER = ROW_VERSION + 2,
    ROW_YEAR0 /* year t on row ROW_YEAR0 + t */
};

/* ... and the yearly table's columns. */
enum {
    COL_YEAR,
    COL_AT_RISK,
    COL_LOST,
    COL_OBS_RETENTION,
    COL_OBS_SURVIVAL,
    COL_SBG_RETENTION,
    COL_SBG_SURVIVAL,
    COL_GEO_RETENTION,
    COL_GEO_SURVIVAL,
    COL_SBG_LL,
    COL_GEO_LL,
    COL_COUNT
};

/* The Cohorts sheet: header row, first cohort's row; year t's count in column 1 + t. */
enum { COHORT_HEADER = 3, COHORT_FIRST = 4 };

#define FIT_SHEET "Fit"
#define COHORT_SHEET "Cohorts"

typedef struct Formats {
    lxw_format *title, *note, *header, *bold, *text;
    lxw_format *input_count, *output_param, *param, *count, *rate, *loglik;
} Formats;

typedef struct Ctx {
    XlsxCells c;
    const History *h;
    const Fit *fit;
    Formats f;
    int last_year; /* the table's last year */
} Ctx;






/* "C5" (relative), for formulas that read along their own row. */
static const char *cell(char *buf, int r, int c)
{
    lxw_rowcol_to_cell(buf, (lxw_row_t)r, (lxw_col_t)c);
    return buf;
}



static void make_formats(Ctx *x)
{
    Formats *f = &x->f;
    f->title = xlsx_title_format(&x->c);
    f->note = xlsx_note_format(&x->c);
    f->header = xlsx_header_format(&x->c, NULL);
    f->bold = xlsx_format(&x->c, NULL, true, false);
    f->text = xlsx_format(&x->c, NULL, false, false);
    f->input_count = xlsx_format(&x->c, "#,##0", false, true);
    f->output_param = xlsx_format(&x->c, "0.000000", true, false);
    if (f->output_param)
        format_set_bg_color(f->output_param, 0xE2EFDA); /* the optimiser's result: pale green */
    f->param = xlsx_format(&x->c, "0.000000", false, false);
    f->count = xlsx_format(&x->c, "#,##0", false, false);
    f->rate = xlsx_format(&x->c, "0.00%", false, false);
    f->loglik = xlsx_format(&x->c, "#,##0.0000", false, false);
}


static void write_cohorts(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, COHORT_SHEET);
    if (!ws)
        return;
    const History *h = x->h;
    xlsx_check(&x->c, worksheet_set_column(ws, 0, 0, 24, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 1, (lxw_col_t)(1 + x->last_year), 10, NULL));
    xlsx_text(&x->c, ws, 0, 0, "Cohorts", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Clients still active at the start (year 0) and after each year, as read from the "
             "history file; a blank cell is a year not yet observed (the cohort is censored).",
             x->f.note);
    xlsx_text(&x->c, ws, COHORT_HEADER, 0, "Cohort", x->f.header);
    for (int t = 0; t <= x->last_year; t++) {
        char label[32];
        snprintf(label, sizeof label, "Year %d", t);
        xlsx_text(&x->c, ws, COHORT_HEADER, 1 + t, label, x->f.header);
    }
    for (size_t c = 0; c < h->cohort_count; c++) {
        int r = COHORT_FIRST + (int)c;
        xlsx_text(&x->c, ws, r, 0, h->cohorts[c].name, x->f.text);
        for (size_t t = 0; t < h->cohorts[c].count; t++)
            xlsx_number(&x->c, ws, r, 1 + (int)t, h->cohorts[c].survival[t], x->f.input_count);
    }
    worksheet_freeze_panes(ws, COHORT_HEADER + 1, 1);
}

static void write_parameters(Ctx *x, lxw_worksheet *ws)
{
    const Fit *fit = x->fit;
    const FitSbg *s = &fit->sbg;
    const FitGeometric *g = &fit->geometric;
    const Formats *f = &x->f;
    int first = ROW_YEAR0 + 1, last = ROW_YEAR0 + x->last_year;
    char a[REF_MAX], b[REF_MAX];
    static const char *const header[] = {"Parameter", "Value", "Standard error", "Note"};
    for (int c = 0; c < 4; c++)
        xlsx_text(&x->c, ws, ROW_PARAM_HEADER, c, header[c], f->header);

    xlsx_text(&x->c, ws, ROW_ALPHA, 0, "sBG alpha", f->bold);
    xlsx_number(&x->c, ws, ROW_ALPHA, 1, s->alpha, f->output_param);
    xlsx_number(&x->c, ws, ROW_ALPHA, 2, s->alpha_se, f->param);
    xlsx_text(&x->c, ws, ROW_BETA, 0, "sBG beta", f->bold);
    xlsx_number(&x->c, ws, ROW_BETA, 1, s->beta, f->output_param);
    xlsx_number(&x->c, ws, ROW_BETA, 2, s->beta_se, f->param);
    if (s->identified) {
        xlsx_text(&x->c, ws, ROW_ALPHA, 3,
                 "maximum-likelihood estimate (GSL Nelder-Mead, then BFGS); churn of a client "
                 "~ Beta(alpha, beta)",
                 f->note);
        char note[128];
        snprintf(note, sizeof note,
                 "standard errors: inverse observed information; correlation %.4f",
                 s->correlation);
        xlsx_text(&x->c, ws, ROW_BETA, 3, note, f->note);
    } else {
        xlsx_text(&x->c, ws, ROW_ALPHA, 3, s->problem, f->note);
    }

    xlsx_text(&x->c, ws, ROW_SBG_LL, 0, "sBG log-likelihood", f->bold);
    xlsx_formula(&x->c, ws, ROW_SBG_LL, 1, f->loglik, s->log_likelihood, "=SUM(%s)",
                xlsx_range(a, NULL, first, COL_SBG_LL, last, COL_SBG_LL));
    xlsx_text(&x->c, ws, ROW_SBG_AIC, 0, "sBG AIC", f->bold);
    xlsx_formula(&x->c, ws, ROW_SBG_AIC, 1, f->loglik, s->aic, "=2*2-2*%s",
                xlsx_ref(a, NULL, ROW_SBG_LL, 1));
    xlsx_text(&x->c, ws, ROW_SBG_AIC, 3, "2 parameters; lower is better", f->note);

    xlsx_text(&x->c, ws, ROW_GEO_RETENTION, 0, "Geometric retention", f->bold);
    xlsx_formula(&x->c, ws, ROW_GEO_RETENTION, 1, f->rate, g->retention, "=1-SUM(%s)/SUM(%s)",
                xlsx_range(a, NULL, first, COL_LOST, last, COL_LOST),
                xlsx_range(b, NULL, first, COL_AT_RISK, last, COL_AT_RISK));
    xlsx_number(&x->c, ws, ROW_GEO_RETENTION, 2, g->retention_se, f->rate);
    xlsx_text(&x->c, ws, ROW_GEO_RETENTION, 3,
             "closed form: 1 - clients lost / clients at risk, over all years", f->note);
    xlsx_text(&x->c, ws, ROW_GEO_LL, 0, "Geometric log-likelihood", f->bold);
    xlsx_formula(&x->c, ws, ROW_GEO_LL, 1, f->loglik, g->log_likelihood, "=SUM(%s)",
                xlsx_range(a, NULL, first, COL_GEO_LL, last, COL_GEO_LL));
    xlsx_text(&x->c, ws, ROW_GEO_AIC, 0, "Geometric AIC", f->bold);
    xlsx_formula(&x->c, ws, ROW_GEO_AIC, 1, f->loglik, g->aic, "=2*1-2*%s",
                xlsx_ref(a, NULL, ROW_GEO_LL, 1));
    xlsx_text(&x->c, ws, ROW_GEO_AIC, 3, "1 parameter; lower is better", f->note);

    char line[128];
    report_fit_scenario_line(fit, line, sizeof line);
    const char *rows[][2] = {
        {"Model", history_model_name(fit->model)},
        {"Preferred by AIC", history_model_name(fit->preferred)},
        {"Scenario line", line},
        {"History file", x->h->file},
        {"bookval version", BOOKVAL_VERSION},
    };
    for (int i = 0; i < 5; i++) {
        xlsx_text(&x->c, ws, ROW_MODEL + i, 0, rows[i][0], f->bold);
        xlsx_text(&x->c, ws, ROW_MODEL + i, 1, rows[i][1], f->text);
    }
}

static void write_year(Ctx *x, lxw_worksheet *ws, const FitYear *y)
{
    const Formats *f = &x->f;
    const FitSbg *s = &x->fit->sbg;
    int r = ROW_YEAR0 + y->year;
    xlsx_number(&x->c, ws, r, COL_YEAR, y->year, f->count);
    if (y->year == 0) {
        xlsx_number(&x->c, ws, r, COL_OBS_SURVIVAL, y->observed_survival, f->rate);
        xlsx_number(&x->c, ws, r, COL_SBG_SURVIVAL, y->sbg_survival, f->rate);
        xlsx_number(&x->c, ws, r, COL_GEO_SURVIVAL, y->geometric_survival, f->rate);
        return;
    }
    int first = COHORT_FIRST, last = COHORT_FIRST + (int)x->h->cohort_count - 1;
    char now[REF_MAX], before[REF_MAX], c1[32], c2[32], c3[32], p1[REF_MAX], p2[REF_MAX];
    /* Clients at risk in year t: the year t-1 counts of the cohorts observed through year t
     * (those with a count in the year t column). */
    xlsx_range(now, COHORT_SHEET, first, 1 + y->year, last, 1 + y->year);
    xlsx_range(before, COHORT_SHEET, first, y->year, last, y->year);
    xlsx_formula(&x->c, ws, r, COL_AT_RISK, f->count, y->at_risk, "=SUMPRODUCT(ISNUMBER(%s)*%s)",
                now, before);
    xlsx_formula(&x->c, ws, r, COL_LOST, f->count, y->lost, "=%s-SUM(%s)",
                cell(c1, r, COL_AT_RISK), now);
    xlsx_formula(&x->c, ws, r, COL_OBS_RETENTION, f->rate, y->observed_retention, "=(%s-%s)/%s",
                cell(c1, r, COL_AT_RISK), cell(c2, r, COL_LOST), cell(c3, r, COL_AT_RISK));
    xlsx_formula(&x->c, ws, r, COL_OBS_SURVIVAL, f->rate, y->observed_survival, "=%s*%s",
                cell(c1, r - 1, COL_OBS_SURVIVAL), cell(c2, r, COL_OBS_RETENTION));
    if (s->identified) {
        xlsx_ref(p1, NULL, ROW_ALPHA, 1);
        xlsx_ref(p2, NULL, ROW_BETA, 1);
        xlsx_formula(&x->c, ws, r, COL_SBG_RETENTION, f->rate, y->sbg_retention,
                    "=(%s+%s-1)/(%s+%s+%s-1)", p2, cell(c1, r, COL_YEAR), p1, p2,
                    cell(c2, r, COL_YEAR));
        xlsx_formula(&x->c, ws, r, COL_SBG_SURVIVAL, f->rate, y->sbg_survival, "=%s*%s",
                    cell(c1, r - 1, COL_SBG_SURVIVAL), cell(c2, r, COL_SBG_RETENTION));
    } else {
        xlsx_number(&x->c, ws, r, COL_SBG_RETENTION, y->sbg_retention, f->rate);
        xlsx_number(&x->c, ws, r, COL_SBG_SURVIVAL, y->sbg_survival, f->rate);
    }
    xlsx_formula(&x->c, ws, r, COL_GEO_RETENTION, f->rate, y->geometric_retention, "=%s",
                xlsx_ref(p1, NULL, ROW_GEO_RETENTION, 1));
    xlsx_formula(&x->c, ws, r, COL_GEO_SURVIVAL, f->rate, y->geometric_survival, "=%s*%s",
                cell(c1, r - 1, COL_GEO_SURVIVAL), cell(c2, r, COL_GEO_RETENTION));
    /* Each year's log-likelihood term: lost ln(1 - r) + renewed ln r. */
    const int rate_cols[2] = {COL_SBG_RETENTION, COL_GEO_RETENTION};
    const int ll_cols[2] = {COL_SBG_LL, COL_GEO_LL};
    const double ll[2] = {y->sbg_log_likelihood, y->geometric_log_likelihood};
    for (int m = 0; m < 2; m++) {
        char rate[32], lost[32], risk[32];
        cell(rate, r, rate_cols[m]);
        cell(lost, r, COL_LOST);
        cell(risk, r, COL_AT_RISK);
        xlsx_formula(&x->c, ws, r, ll_cols[m], f->loglik, ll[m], "=%s*LN(1-%s)+(%s-%s)*LN(%s)",
                    lost, rate, risk, lost, rate);
    }
}

static void write_chart(Ctx *x, lxw_worksheet *ws)
{
    lxw_chart *chart = workbook_add_chart(x->c.wb, LXW_CHART_SCATTER_STRAIGHT_WITH_MARKERS);
    if (!chart) {
        xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    int first = ROW_YEAR0, last = ROW_YEAR0 + x->last_year;
    struct {
        const char *name;
        int col;
        bool show;
        bool markers;
        uint8_t dash;
    } series[] = {
        {"Observed (pooled)", COL_OBS_SURVIVAL, true, true, LXW_CHART_LINE_DASH_SOLID},
        {"sBG fitted", COL_SBG_SURVIVAL, x->fit->sbg.identified, false,
         LXW_CHART_LINE_DASH_SOLID},
        {"Geometric fitted", COL_GEO_SURVIVAL, true, false, LXW_CHART_LINE_DASH_DASH},
    };
    for (size_t i = 0; i < sizeof series / sizeof series[0]; i++) {
        if (!series[i].show)
            continue;
        lxw_chart_series *cs = chart_add_series(chart, NULL, NULL);
        if (!cs) {
            xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        chart_series_set_categories(cs, FIT_SHEET, (lxw_row_t)first, COL_YEAR, (lxw_row_t)last,
                                    COL_YEAR);
        chart_series_set_values(cs, FIT_SHEET, (lxw_row_t)first, (lxw_col_t)series[i].col,
                                (lxw_row_t)last, (lxw_col_t)series[i].col);
        chart_series_set_name(cs, series[i].name);
        lxw_chart_line line = {.none = series[i].markers ? LXW_TRUE : LXW_FALSE,
                               .width = 2.25f, .dash_type = series[i].dash};
        chart_series_set_line(cs, &line);
        chart_series_set_marker_type(cs, series[i].markers ? LXW_CHART_MARKER_CIRCLE
                                                           : LXW_CHART_MARKER_NONE);
    }
    chart_title_set_name(chart, "Survival: observed vs fitted");
    chart_axis_set_name(chart->x_axis, "Years since the cohort started");
    chart_axis_set_name(chart->y_axis, "Clients still active");
    chart_axis_set_num_format(chart->y_axis, "0%");
    chart_axis_set_min(chart->y_axis, 0);
    chart_axis_set_max(chart->y_axis, 1);
    chart_axis_set_min(chart->x_axis, 0);
    chart_axis_set_max(chart->x_axis, x->last_year);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = 1.5, .y_scale = 1.4};
    xlsx_check(&x->c, worksheet_insert_chart_opt(ws, (lxw_row_t)(last + 2), 0, chart, &place));
}

static void write_fit(Ctx *x)
{
    lxw_worksheet *ws = xlsx_sheet(&x->c, FIT_SHEET);
    if (!ws)
        return;
    const Formats *f = &x->f;
    xlsx_check(&x->c, worksheet_set_column(ws, COL_YEAR, COL_YEAR, 26, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, COL_AT_RISK, COL_LOST, 16, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, COL_OBS_RETENTION, COL_GEO_LL, 13, NULL));
    char title[160];
    snprintf(title, sizeof title, "Retention fit (%s model)", history_model_name(x->fit->model));
    xlsx_text(&x->c, ws, ROW_TITLE, 0, title, f->title);
    xlsx_text(&x->c, ws, ROW_NOTE, 0,
             "Cohorts pooled, each censored at its last observed year. Observed survival is the "
             "product of the pooled yearly retention (Kaplan-Meier); fitted retention in year "
             "t is (beta + t - 1) / (alpha + beta + t - 1) for the sBG, constant for the "
             "geometric model.",
             f->note);
    write_parameters(x, ws);
    static const char *const header[COL_COUNT] = {
        "Year", "Clients at risk", "Clients lost", "Observed retention", "Observed survival",
        "sBG retention", "sBG survival", "Geometric retention", "Geometric survival",
        "sBG log-likelihood", "Geometric log-likelihood"};
    for (int c = 0; c < COL_COUNT; c++)
        xlsx_text(&x->c, ws, ROW_TABLE_HEADER, c, header[c], f->header);
    for (size_t i = 0; i < x->fit->year_count; i++)
        write_year(x, ws, &x->fit->years[i]);
    write_chart(x, ws);
}

BvStatus report_fit_xlsx(const char *path, const History *h, const Fit *fit, BvErrors *errors)
{
    Ctx x = {.h = h, .fit = fit, .last_year = (int)fit->year_count - 1};
    BvStatus status = xlsx_open(&x.c, path, "Retention fit", false, errors);
    if (status != BV_OK)
        return status;
    make_formats(&x);
    write_fit(&x);
    write_cohorts(&x);
    return xlsx_close(&x.c, path, errors);
}
