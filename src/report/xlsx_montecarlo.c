/*
 * xlsx_montecarlo.c — the Monte Carlo sheet: statistics as formulas over every iteration's
 * value, the histogram and the convergence of the mean, and their charts.
 */
#include "xlsx_layout.h"
#include "xlsx_risk.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdarg.h>
#include <gsl/gsl_cdf.h>

static void write_mc_chart(XlsxCtx *x, lxw_worksheet *ws, int row)
{
    const McResult *mc = x->mc;
    int last_bin = MC_FIRST_ROW + (int)mc->bins - 1;
    static const int count_col[] = {M_COUNT};
    static const char *const count_name[] = {"Iterations"};
    XlsxChart hist = {.type = LXW_CHART_COLUMN, .sheet = "Monte Carlo", .first = MC_FIRST_ROW,
                      .last = last_bin, .cat_col = M_BIN_FROM, .series = 1,
                      .val_col = count_col, .names = count_name,
                      .title = "Distribution of the book's value",
                      .x_name = "Value from (bin's lower edge)", .x_num = "#,##0",
                      .y_name = "Iterations", .legend = LXW_CHART_LEGEND_NONE, .x_scale = 1.3,
                      .y_scale = 1.2};
    if (!xlsx_chart(&x->c, ws, row, M_LABEL, &hist))
        return;
    static const int band_cols[] = {M_MEAN, M_LOW, M_HIGH};
    static const char *const names[] = {"Running mean", "Lower 95% bound", "Upper 95% bound"};
    static const lxw_chart_line dashed = {.color = 0x7F7F7F, .dash_type = LXW_CHART_LINE_DASH_DASH};
    static const lxw_chart_line *const lines[] = {NULL, &dashed, &dashed};
    XlsxChart conv = {.type = LXW_CHART_LINE, .sheet = "Monte Carlo", .first = MC_FIRST_ROW,
                      .last = MC_FIRST_ROW + (int)mc->points - 1, .cat_col = M_AT, .series = 3,
                      .val_col = band_cols, .names = names, .lines = lines,
                      .title = "Convergence of the mean", .x_name = "Iterations",
                      .y_name = x->sc->currency, .y_num = "#,##0",
                      .legend = LXW_CHART_LEGEND_BOTTOM, .x_scale = 1.3, .y_scale = 1.2};
    xlsx_chart(&x->c, ws, row + 20, M_LABEL, &conv);
}

/* One statistic: a formula over the values when they are all on the sheet, else the value. */
static void mc_stat(XlsxCtx *x, lxw_worksheet *ws, int which, const char *label, lxw_format *f,
                    double v, const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void mc_stat(XlsxCtx *x, lxw_worksheet *ws, int which, const char *label, lxw_format *f,
                    double v, const char *fmt, ...)
{
    int r = x->mc_stat_row[which];
    xlsx_text(&x->c, ws, r, M_LABEL, label, x->f.text);
    if (!x->mc_values_fit && which != MC_Z) {
        xlsx_number(&x->c, ws, r, M_STAT, v, f);
        return;
    }
    char formula[XLSX_FORMULA_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(formula, sizeof formula, fmt, ap);
    va_end(ap);
    xlsx_formula(&x->c, ws, r, M_STAT, f, v, "%s", formula);
}

void xlsx_montecarlo_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const McResult *mc = x->mc;
    const Stats *st = &mc->stats;
    long n = mc->iterations;
    long shown = x->mc_values_fit ? n : MC_VALUE_ROWS_MAX;
    static const double w[] = {30, 18, 3, 10, 16, 3, 18, 18, 10, 3, 11, 16, 16, 16, 3, 16, 16,
                               16, 16, 16};
    xlsx_layout_widths(x, ws, w, (int)(sizeof w / sizeof w[0]));
    worksheet_freeze_panes(ws, MC_FIRST_ROW, 0);
    xlsx_text(&x->c, ws, 0, 0, "Monte Carlo: the value's distribution", x->f.title);
    char note[700];
    snprintf(note, sizeof note,
             "%ld simulated books (%s; %s sampling; seed %llu). Statistics are formulas over "
             "the values in column E%s.%s",
             n, mc->client_churn ? "each client's lifetime drawn" : "expected survival",
             mc->latin_hypercube ? "Latin hypercube" : "random", mc->seed,
             x->mc_values_fit ? "" : " (too many to list: the first rows only; statistics are "
                                     "the engine's)",
             x->sc->monte_carlo.vary_discount_rate
                 ? " The discount rate is drawn (vary_discount_rate: true): the spread mixes "
                   "the buyer's required return with the book's outcomes."
                 : " The discount rate is held at its mean (a required return, not an "
                   "outcome).");
    xlsx_text(&x->c, ws, 1, 0, note, x->f.note);
    const char *const headers[] = {
        "Statistic", x->sc->currency, "", "Iteration", "Value", "", "Bin from", "Bin to",
        "Iterations", "", "After", "Running mean", "Lower 95% bound", "Upper 95% bound", "",
        x->mc->has_deal && x->sc->seller.enabled ? "Seller's gain" : "",
        x->mc->has_deal && x->sc->buyer.enabled ? "Buyer's NPV" : "",
        x->mc->has_deal && x->sc->seller.enabled ? "Seller's net proceeds PV" : "",
        x->deal && x->deal->has_keep ? "Value of keeping (seller)" : "",
        x->deal && x->deal->flows.loan.enabled ? "Lowest DSCR (buyer's loan)" : ""};
    for (int c = 0; c < (int)(sizeof headers / sizeof headers[0]); c++)
        if (headers[c][0])
            xlsx_text(&x->c, ws, MC_FIRST_ROW - 1, c, headers[c], x->f.header);

    McTrail *trail = xlsx_mc_trail_begin(x, ws);
    char values[XLSX_REF_MAX], cell[32], a[32], b[32];
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
            mc_stat(x, ws, stat, "Mean", x->f.money_whole_total, st->mean, "=AVERAGE(%s)", values);
            break;
        case MC_SD:
            mc_stat(x, ws, stat, "Standard deviation", x->f.money_whole, st->sd,
                    "=_xlfn.STDEV.S(%s)", values);
            break;
        case MC_SE:
            lxw_rowcol_to_cell(a, (lxw_row_t)x->mc_stat_row[MC_SD], M_STAT);
            lxw_rowcol_to_cell(b, (lxw_row_t)x->mc_stat_row[MC_ITERATIONS], M_STAT);
            mc_stat(x, ws, stat, "Standard error of the mean", x->f.money_whole, st->se,
                    "=%s/SQRT(%s)", a, b);
            break;
        case MC_CVAR5:
            lxw_rowcol_to_cell(a, (lxw_row_t)x->mc_stat_row[MC_P5], M_STAT);
            mc_stat(x, ws, stat, "CVaR 5% (mean of the worst 5%)", x->f.money_whole, st->cvar5,
                    "=AVERAGEIF(%s,\"<=\"&%s)", values, a);
            break;
        case MC_MIN:
            mc_stat(x, ws, stat, "Lowest", x->f.money_whole, st->min, "=MIN(%s)", values);
            break;
        case MC_MAX:
            mc_stat(x, ws, stat, "Highest", x->f.money_whole, st->max, "=MAX(%s)", values);
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
                mc_stat(x, ws, stat, label, x->f.money_whole, st->percentile[k],
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
            if (mc->has_deal && x->sc->seller.enabled)
                xlsx_number(&x->c, ws, r, M_NET_PV, mc->seller_net_pv[it], x->f.money);
            if (x->deal && x->deal->has_keep)
                xlsx_number(&x->c, ws, r, M_KEEP, mc->keep_value[it], x->f.money);
            if (x->deal && x->deal->flows.loan.enabled)
                xlsx_number(&x->c, ws, r, M_DSCR_MIN, mc->dscr_min[it], x->f.factor);
            xlsx_mc_trail_row(x, ws, trail, r, it);
        }
        if (r < bins_end) {
            size_t bin = (size_t)(r - MC_FIRST_ROW);
            char lo[32], hi[32];
            lxw_rowcol_to_cell_abs(lo, (lxw_row_t)x->mc_stat_row[MC_MIN], M_STAT, 1, 1);
            lxw_rowcol_to_cell_abs(hi, (lxw_row_t)x->mc_stat_row[MC_MAX], M_STAT, 1, 1);
            bool last = bin + 1 == mc->bins;
            xlsx_formula(&x->c, ws, r, M_BIN_FROM, x->f.money_whole, mc->bin_edges[bin],
                        "=%s+(%s-%s)/%zu*%zu", lo, hi, lo, mc->bins, bin);
            if (last)
                xlsx_formula(&x->c, ws, r, M_BIN_TO, x->f.money_whole, mc->bin_edges[bin + 1], "=%s",
                             hi);
            else
                xlsx_formula(&x->c, ws, r, M_BIN_TO, x->f.money_whole, mc->bin_edges[bin + 1],
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
            char head[XLSX_REF_MAX], z[32], mean[32];
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
    xlsx_mc_trail_end(trail);
    write_mc_chart(x, ws, stats_end + 1);
    /* Print the statistics, histogram, convergence and charts (A:N down to the charts' foot),
     * not a page per thousand iterations. */
    int print_last = stats_end + 1 + 40;
    if (bins_end > print_last)
        print_last = bins_end;
    if (points_end > print_last)
        print_last = points_end;
    xlsx_check(&x->c, worksheet_print_area(ws, 0, 0, (lxw_row_t)print_last, M_HIGH));
}
