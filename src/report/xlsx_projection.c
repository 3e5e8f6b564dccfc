/*
 * xlsx_projection.c — the Projection sheet: book totals by year, then one row per cohort
 * (clients that share every assumption) with survival S(t) and values, all live formulas.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Row 3: the after-tax convention's inputs and factors (cash_flows: after_tax). */
#define PROJ_TAX_ROW 2
#define PROJ_TAX_RATE 3
#define PROJ_TAX_YEARS 5
#define PROJ_TAX_ANNUITY 7
#define PROJ_TAX_BENEFIT 9
#define PROJ_TAX_K 11

/* The cell holding the cohort's assumption: its scope's Assumptions cell, or its own value. */
static void cohort_input(XlsxCtx *x, lxw_worksheet *ws, int r, int c, const Cohort *co,
                         unsigned own_bit, int assumption_row, int assumption_col, double value,
                         lxw_format *own_fmt, lxw_format *ref_fmt)
{
    if (co->own & own_bit) {
        xlsx_number(&x->c, ws, r, c, value, own_fmt);
        return;
    }
    char cell[XLSX_REF_MAX];
    xlsx_formula(&x->c, ws, r, c, ref_fmt, value, "=%s",
                xlsx_ref(cell, "Assumptions", assumption_row, assumption_col));
}

/* A renewal rate as the book values it: MIN(1, scale x rate) with a retention_scale, else the
 * rate itself. */
static const char *scaled(const XlsxCtx *x, char *out, size_t size, const char *rate)
{
    if (x->scale_row < 0) {
        snprintf(out, size, "%s", rate);
        return out;
    }
    char cell[XLSX_REF_MAX];
    lxw_rowcol_to_cell_abs(cell, (lxw_row_t)x->scale_row, A_VALUE, 1, 1);
    snprintf(out, size, "MIN(1,Assumptions!%s*%s)", cell, rate);
    return out;
}

static void write_cohort_row(XlsxCtx *x, lxw_worksheet *ws, size_t c)
{
    const Cohort *co = &x->book->cohorts[c];
    const DcfCohortInputs *in = &x->dcf->inputs[c];
    const ScopeRows *sr = &x->scopes[co->segment + 1];
    int H = x->sc->horizon_years;
    int r = x->cohort_first + (int)c;
    char formula[XLSX_FORMULA_MAX], cell[XLSX_REF_MAX], criterion[32];

    xlsx_number(&x->c, ws, r, P_COHORT, (double)(c + 1), x->f.integer);
    xlsx_text(&x->c, ws, r, P_SEGMENT, co->segment >= 0 ? x->sc->segments[co->segment].name : "",
             x->f.text);
    lxw_rowcol_to_cell(criterion, (lxw_row_t)r, P_COHORT);
    xlsx_layout_clients_if(x, formula, sizeof formula, C_COHORT, criterion, C_WEIGHT);
    xlsx_formula(&x->c, ws, r, P_CLIENTS, co->weight == 1 ? x->f.integer : x->f.count,
                 co->weight * (double)co->clients, "=%s", formula);
    xlsx_layout_clients_if(x, formula, sizeof formula, C_COHORT, criterion, C_BOOK_REVENUE);
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
        char rate[XLSX_FORMULA_MAX / 4], rate_used[XLSX_FORMULA_MAX / 4];
        switch (m->kind) {
        case RETENTION_CONSTANT:
            snprintf(rate, sizeof rate, "%s", rate_cell);
            break;
        case RETENTION_CURVE:
            xlsx_ref(rate, "Assumptions", sr->curve, t <= m->curve_len ? t : m->curve_len);
            break;
        case RETENTION_SBG:
            snprintf(rate, sizeof rate, "(%s+%s+%s-1)/(%s+%s+%s+%s-1)", beta, tenure, year, alpha,
                     beta, tenure, year);
            break;
        }
        xlsx_formula(&x->c, ws, r, col, x->f.factor, S[t - 1], "=%s*%s", prev,
                     scaled(x, rate_used, sizeof rate_used, rate));
    }

    /* Values: horizon PV, year H's PV, the tail as a multiple of it, and the totals. */
    char rev[32], margin[32], growth[32], years[XLSX_REF_MAX], surv[XLSX_REF_MAX], dfs[XLSX_REF_MAX];
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
    /* After-tax valuations: x (1 - tax rate) x the amortisation benefit factor (row 3). */
    char k[40] = "";
    if (x->dcf->after_tax) {
        char kc[32];
        lxw_rowcol_to_cell_abs(kc, PROJ_TAX_ROW, PROJ_TAX_K, 1, 1);
        snprintf(k, sizeof k, "*%s", kc);
    }
    char unit_pv[XLSX_FORMULA_MAX];
    snprintf(unit_pv, sizeof unit_pv, "%s*SUMPRODUCT((1+%s)^(%s-1),%s,%s)%s", margin, growth,
             years, surv, dfs, k);
    xlsx_formula(&x->c, ws, r, x->col_horizon, x->f.money, x->dcf->cohort_horizon_value[c],
                "=%s*%s", rev, unit_pv);
    char unit_last[XLSX_FORMULA_MAX];
    snprintf(unit_last, sizeof unit_last, "%s*(1+%s)^(%d-1)*%s*%s%s", margin, growth, H, s_last,
             df_last, k);
    xlsx_formula(&x->c, ws, r, x->col_last_pv, x->f.money, x->dcf->cohort_last_pv[c], "=%s*%s", rev,
                unit_last);

    /* Geometric tails have a closed form a spreadsheet can recompute; the sBG series and the
     * years of a curve beyond the horizon are summed by bookval and written as values. */
    double F = x->dcf->tail_factor[c];
    bool geometric = m->kind == RETENTION_CONSTANT ||
                     (m->kind == RETENTION_CURVE && m->curve_len <= H);
    if (x->sc->tail == TAIL_RUNOFF && geometric && x->dcf->cohort_last_pv[c] != 0) {
        char r_last[XLSX_REF_MAX], r_used[XLSX_REF_MAX * 2], disc[XLSX_REF_MAX], q[600];
        if (m->kind == RETENTION_CONSTANT)
            snprintf(r_last, sizeof r_last, "%s", rate_cell);
        else
            xlsx_ref(r_last, "Assumptions", sr->curve, m->curve_len);
        snprintf(q, sizeof q, "(%s*(1+%s)/(1+%s))", scaled(x, r_used, sizeof r_used, r_last),
                 growth,
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
    /* Expected years within the horizon: the row's survival summed (finite for every model,
     * where the mean over all future years is unbounded under an sBG with alpha <= 1). */
    char s_range[XLSX_REF_MAX];
    xlsx_range(s_range, NULL, r, P_SURVIVAL, r, P_SURVIVAL + H - 1);
    xlsx_formula(&x->c, ws, r, x->col_remaining, x->f.count, x->diag->horizon_years[c],
                 "=SUM(%s)", s_range);
    /* The median, the first t with S(t) <= 1/2: S falls year by year, so within the horizon it
     * is one more than the years with S(t) > 1/2, counted on the row; beyond the horizon it
     * needs the model's rates past H, which the sheet does not hold: bookval's number. */
    double median = x->diag->median_years[c];
    if (isfinite(median))
        xlsx_formula(&x->c, ws, r, x->col_median, x->f.integer, median,
                     "=IF(COUNTIF(%s,\">0.5\")<%d,COUNTIF(%s,\">0.5\")+1,%.17g)", s_range, H,
                     s_range, median);
    else
        xlsx_text(&x->c, ws, r, x->col_median, "more than 1,000", x->f.note);
}

void xlsx_projection_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const Dcf *dcf = x->dcf;
    int H = x->sc->horizon_years;
    int first = x->cohort_first, last = x->cohort_first + (int)x->book->cohort_count - 1;
    xlsx_check(&x->c, worksheet_set_column(ws, 0, 0, 12, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 1, 1, 16, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 2, 2, 14, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 3, 6, 18, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 7, (lxw_col_t)(P_SURVIVAL - 1), 12, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, P_SURVIVAL, (lxw_col_t)(P_SURVIVAL + H - 1), 11, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, (lxw_col_t)x->col_horizon, (lxw_col_t)x->col_median,
                                  17, NULL));
    worksheet_freeze_panes(ws, 4, 1);
    xlsx_text(&x->c, ws, 0, 0, "Projection: expected cash flows of the book", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Book totals by year, summed over the cohorts below (clients that share every "
             "assumption). Every figure is a formula over Assumptions and Clients.",
             x->f.note);
    char tax[32] = "", benefit[32] = "";
    if (dcf->after_tax) {
        /* cash_flows: after_tax: the hypothetical buyer's tax, and the tax amortisation
         * benefit of the purchased list, V = PV after tax / (1 - tax x a(N, d) / N). */
        char n[32], a[32], d[XLSX_REF_MAX];
        lxw_rowcol_to_cell_abs(tax, PROJ_TAX_ROW, PROJ_TAX_RATE, 1, 1);
        lxw_rowcol_to_cell_abs(n, PROJ_TAX_ROW, PROJ_TAX_YEARS, 1, 1);
        lxw_rowcol_to_cell_abs(a, PROJ_TAX_ROW, PROJ_TAX_ANNUITY, 1, 1);
        lxw_rowcol_to_cell_abs(benefit, PROJ_TAX_ROW, PROJ_TAX_BENEFIT, 1, 1);
        xlsx_ref(d, "Assumptions", x->discount_row, A_VALUE);
        int N = dcf->amortization_years;
        xlsx_text(&x->c, ws, PROJ_TAX_ROW, 0, "After tax (cash_flows: after_tax)", x->f.bold);
        xlsx_text(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_RATE - 1, "tax rate", x->f.label);
        xlsx_number(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_RATE, dcf->tax_rate, x->f.input_rate);
        xlsx_text(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_YEARS - 1, "amortised over N years",
                  x->f.label);
        xlsx_number(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_YEARS, N, x->f.input_count);
        xlsx_text(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_ANNUITY - 1, "a(N, d)", x->f.label);
        xlsx_formula(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_ANNUITY, x->f.factor,
                     dcf_annuity(N, dcf->discount_rate), "=IF(%s=0,%s,(1-(1+%s)^-%s)/%s)", d, n,
                     d, n, d);
        xlsx_text(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_BENEFIT - 1,
                  "benefit 1/(1-tax a/N) (1 when N = 0)", x->f.label);
        xlsx_formula(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_BENEFIT, x->f.factor, dcf->benefit_factor,
                     "=IF(%s=0,1,1/(1-%s*%s/%s))", n, tax, a, n);
        xlsx_text(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_K - 1, "value factor (1-tax) x benefit",
                  x->f.label);
        xlsx_formula(&x->c, ws, PROJ_TAX_ROW, PROJ_TAX_K, x->f.factor, dcf->value_factor,
                     "=(1-%s)*%s", tax, benefit);
    } else {
        xlsx_text(&x->c, ws, PROJ_TAX_ROW, 0,
                  "Pre-tax cash (cash_flows: pre_tax): margin x revenue before income tax, at a "
                  "pre-tax discount rate",
                  x->f.note);
    }
    const char *header[] = {"Year", "Discount factor", "Expected clients", "Expected revenue",
                            dcf->after_tax ? "Expected cash before tax" : "Expected cash",
                            dcf->after_tax ? "Present value after tax" : "Present value"};
    for (int c = 0; c < 6; c++)
        xlsx_text(&x->c, ws, 3, c, header[c], x->f.header);

    char disc[XLSX_REF_MAX], shift[XLSX_REF_MAX], counts[XLSX_REF_MAX], revs[XLSX_REF_MAX], margins[XLSX_REF_MAX],
        growths[XLSX_REF_MAX], surv[XLSX_REF_MAX];
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
        if (dcf->after_tax)
            xlsx_formula(&x->c, ws, r, 5, x->f.money, dcf->present_value[t - 1],
                         "=(1-%s)*%s*%s", tax, cash, df);
        else
            xlsx_formula(&x->c, ws, r, 5, x->f.money, dcf->present_value[t - 1], "=%s*%s", cash,
                         df);
    }
    char col_range[XLSX_REF_MAX], tails[XLSX_REF_MAX];
    xlsx_text(&x->c, ws, x->total_row, 0, "Years 1 to H", x->f.bold);
    for (int c = 3; c <= 5; c++) {
        double v = 0;
        for (int t = 0; t < H; t++)
            v += c == 3 ? dcf->revenue[t] : c == 4 ? dcf->cash[t] : dcf->present_value[t];
        if (c == 5)
            v = dcf->horizon_value; /* the engine's own total of the same sum */
        xlsx_formula(&x->c, ws, x->total_row, c, x->f.money_total, v, "=SUM(%s)%s%s",
                    xlsx_range(col_range, NULL, x->year_first, c, x->total_row - 1, c),
                    c == 5 && dcf->after_tax ? "*" : "", c == 5 && dcf->after_tax ? benefit : "");
    }
    if (dcf->after_tax)
        xlsx_text(&x->c, ws, x->total_row, 6, "present value: x the amortisation benefit", x->f.note);
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
    xlsx_row_height(&x->c, ws, x->cohort_header, 45);
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
                                               "Expected years within the horizon (sum of S(t), t = 1..H)",
                                               "Median remaining years (first t with S(t) <= 1/2)"};
    for (int i = 0; i < 8; i++)
        xlsx_text(&x->c, ws, x->cohort_header, x->col_horizon + i, value_header[i], x->f.header);
    for (size_t c = 0; c < x->book->cohort_count; c++)
        write_cohort_row(x, ws, c);
}
