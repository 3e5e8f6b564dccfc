/*
 * xlsx_diagnostics.c — the Diagnostics sheet: activity, concentration, ABC classes, tenure,
 * segments and receivables as formulas over Clients, and the Pareto of clients.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Share of the k largest in a Clients column over `total_cell`: a formula when the book is on
 * one sheet with at least k clients, else the engine's value. */
static void top_share(XlsxCtx *x, lxw_worksheet *ws, int r, int col, size_t k, const char *total,
                      double cached)
{
    if (x->client_sheets != 1 || x->sc->client_count < k) {
        xlsx_number(&x->c, ws, r, 1, cached, x->f.rate);
        return;
    }
    char ranks[64] = "", range[XLSX_REF_MAX];
    for (size_t i = 1; i <= k; i++)
        snprintf(ranks + strlen(ranks), sizeof ranks - strlen(ranks), "%s%zu", i > 1 ? "," : "",
                 i);
    xlsx_range(range, "Clients", 1, col, (int)x->sc->client_count, col);
    xlsx_formula(&x->c, ws, r, 1, x->f.rate, cached, "=SUMPRODUCT(LARGE(%s,{%s}))/%s", range, ranks,
                total);
}

#define PARETO_ROWS 1000

void xlsx_diagnostics_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const Scenario *sc = x->sc;
    const Diagnostics *d = x->diag;
    static const double w[] = {46, 18, 16, 16, 16, 16, 8, 14, 16, 14};
    xlsx_layout_widths(x, ws, w, (int)(sizeof w / sizeof w[0]));
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
           D_TOP10_VALUE, D_AT_RISK, D_RECEIVABLES, D_PROVISION, D_MEDIAN, D_FIGURES };
    int first = 3;
    int abc_header = first + D_FIGURES + 1, tenure_header = abc_header + 5;
    int segment_header = tenure_header + DIAG_TENURE_BANDS + 2;
    int groups = (int)sc->segment_count + 1;
    int last_row = segment_header + groups;
    size_t pareto = sc->client_count < PARETO_ROWS ? sc->client_count : PARETO_ROWS;
    if (first + (int)pareto > last_row)
        last_row = first + (int)pareto;

    char f[XLSX_FORMULA_MAX], cell[XLSX_REF_MAX], total[32], clients[32], tmp[XLSX_FORMULA_MAX];
    double share = 0; /* the Pareto table's running share */
    lxw_rowcol_to_cell_abs(total, (lxw_row_t)(first + D_REVENUE), 1, 1, 1);
    lxw_rowcol_to_cell_abs(clients, (lxw_row_t)(first + D_CLIENTS), 1, 1, 1);
    for (int r = first; r <= last_row && x->c.err == LXW_NO_ERROR; r++) {
        int fig = r - first;
        switch (fig) {
        case D_CLIENTS:
            xlsx_text(&x->c, ws, r, 0, "Clients", x->f.text);
            xlsx_layout_over_clients(x, f, sizeof f, C_ID, "COUNTA(", ")");
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, (double)d->clients, "=%s", f);
            break;
        case D_ACTIVE:
            xlsx_text(&x->c, ws, r, 0, "Active clients (bought in the last period)", x->f.text);
            xlsx_layout_over_clients(x, f, sizeof f, C_ACTIVE, "COUNTIF(", ",TRUE)");
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, (double)d->active_clients, "=%s", f);
            break;
        case D_ACTIVE_RATE:
            xlsx_text(&x->c, ws, r, 0, "Active rate", x->f.text);
            lxw_rowcol_to_cell(cell, (lxw_row_t)(first + D_ACTIVE), 1);
            xlsx_formula(&x->c, ws, r, 1, x->f.rate, d->active_rate, "=%s/%s", cell, clients);
            break;
        case D_REVENUE:
            xlsx_text(&x->c, ws, r, 0, "Annual revenue valued (inactive clients as inactive_clients says)", x->f.text);
            xlsx_layout_over_clients(x, f, sizeof f, C_BOOK_REVENUE, "SUM(", ")");
            xlsx_formula(&x->c, ws, r, 1, x->f.money, d->annual_revenue, "=%s", f);
            break;
        case D_HHI:
            xlsx_text(&x->c, ws, r, 0, "Herfindahl index of revenue shares (0..1)", x->f.text);
            snprintf(tmp, sizeof tmp, "/%s)^2)", total);
            xlsx_layout_over_clients(x, f, sizeof f, C_BOOK_REVENUE, "SUMPRODUCT((", tmp);
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
            top_share(x, ws, r, C_BOOK_REVENUE, k[fig - D_TOP1], total, shares[fig - D_TOP1]);
            break;
        }
        case D_TOP10_VALUE:
            xlsx_text(&x->c, ws, r, 0, "DCF value share of the 10 most valuable clients", x->f.text);
            top_share(x, ws, r, C_VALUE, 10, xlsx_ref(cell, "Projection", x->value_row, 5),
                      d->top10_value_share);
            break;
        case D_AT_RISK: {
            char revs[XLSX_REF_MAX], s1[XLSX_REF_MAX];
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
            xlsx_layout_over_clients(x, f, sizeof f, C_RECEIVABLE, "SUM(", ")");
            xlsx_formula(&x->c, ws, r, 1, x->f.money, d->receivables, "=%s", f);
            break;
        case D_PROVISION:
            xlsx_text(&x->c, ws, r, 0, "Provision for doubtful receivables", x->f.text);
            if (sc->provision_count) {
                xlsx_layout_over_clients(x, f, sizeof f, C_PROVISION, "SUM(", ")");
                xlsx_formula(&x->c, ws, r, 1, x->f.money, d->provision, "=%s", f);
            } else {
                xlsx_text(&x->c, ws, r, 1, "n/a (no provision buckets)", x->f.note);
            }
            break;
        case D_MEDIAN: {
            xlsx_text(&x->c, ws, r, 0, "Median remaining years (active clients)", x->f.text);
            double med = d->median_years_active;
            if (isfinite(med))
                xlsx_number(&x->c, ws, r, 1, med, x->f.count);
            else
                xlsx_text(&x->c, ws, r, 1, isnan(med) ? "n/a (no active client)"
                                                      : "more than 1,000",
                          x->f.note);
            char note[320];
            snprintf(note, sizeof note,
                     "median over clients of the year by which a client is more likely gone "
                     "than not (Projection's median column: a live count within year %d, "
                     "beyond it by the retention model); the median over clients is bookval's "
                     "(a formula would need an array lookup across every Clients sheet)",
                     sc->horizon_years);
            xlsx_text(&x->c, ws, r, 2, note, x->f.note);
            break;
        }
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
            xlsx_layout_clients_if(x, f, sizeof f, C_ABC, crit, -1);
            xlsx_formula(&x->c, ws, r, 1, x->f.integer, (double)d->abc_clients[cls], "=%s", f);
            xlsx_layout_clients_if(x, f, sizeof f, C_ABC, crit, C_BOOK_REVENUE);
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
            char counts[XLSX_FORMULA_MAX] = "", sums[XLSX_FORMULA_MAX] = "";
            for (size_t s2 = 0; s2 < x->client_sheets; s2++) {
                char sheet[32], ten[XLSX_REF_MAX], vals[XLSX_REF_MAX], cond[160];
                xlsx_layout_clients_sheet(sheet, sizeof sheet, s2);
                int last = (int)xlsx_layout_clients_on_sheet(x, s2);
                xlsx_range(ten, sheet, 1, C_TENURE, last, C_TENURE);
                xlsx_range(vals, sheet, 1, C_BOOK_REVENUE, last, C_BOOK_REVENUE);
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
            xlsx_text(&x->c, ws, r, 5, "Expected years within the horizon (active clients)",
                      x->f.header);
        } else if (r > segment_header && r <= segment_header + groups) {
            int g = r - segment_header - 1;
            bool none = g == (int)sc->segment_count;
            xlsx_text(&x->c, ws, r, 0, none ? XLSX_NO_SEGMENT : sc->segments[g].name, x->f.text);
            char crit[80], counts[XLSX_FORMULA_MAX], revs[XLSX_FORMULA_MAX], vals[XLSX_FORMULA_MAX];
            lxw_rowcol_to_cell(cell, (lxw_row_t)r, 0);
            snprintf(crit, sizeof crit, "%s", cell); /* the label, as on Clients */
            xlsx_layout_clients_if(x, counts, sizeof counts, C_SEGMENT, crit, -1);
            xlsx_layout_clients_if(x, revs, sizeof revs, C_SEGMENT, crit, C_BOOK_REVENUE);
            xlsx_layout_clients_if(x, vals, sizeof vals, C_SEGMENT, crit, C_VALUE);
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
            /* Mean expected years within the horizon over the segment's active clients. */
            char sums[XLSX_FORMULA_MAX] = "", numbers[XLSX_FORMULA_MAX] = "";
            for (size_t s2 = 0; s2 < x->client_sheets; s2++) {
                char sheet[32], seg[XLSX_REF_MAX], rem[XLSX_REF_MAX], act[XLSX_REF_MAX];
                xlsx_layout_clients_sheet(sheet, sizeof sheet, s2);
                int last = (int)xlsx_layout_clients_on_sheet(x, s2);
                xlsx_range(seg, sheet, 1, C_SEGMENT, last, C_SEGMENT);
                xlsx_range(rem, sheet, 1, C_REMAINING, last, C_REMAINING);
                xlsx_range(act, sheet, 1, C_ACTIVE, last, C_ACTIVE);
                snprintf(sums + strlen(sums), sizeof sums - strlen(sums),
                         "%sSUMIFS(%s,%s,%s,%s,TRUE)", s2 ? "+" : "", rem, seg, crit, act);
                snprintf(numbers + strlen(numbers), sizeof numbers - strlen(numbers),
                         "%sCOUNTIFS(%s,%s,%s,TRUE)", s2 ? "+" : "", seg, crit, act);
            }
            if (isfinite(d->segment_horizon_years[g]))
                xlsx_formula(&x->c, ws, r, 5, x->f.count, d->segment_horizon_years[g],
                             "=(%s)/(%s)", sums, numbers);
            else
                xlsx_text(&x->c, ws, r, 5, "n/a (no active client)", x->f.note);
        }
        /* Pareto: the largest clients, cumulative share of revenue. */
        size_t k = (size_t)(r - first);
        if (k < pareto) {
            const Client *cl = &sc->clients[d->by_revenue[k]];
            xlsx_number(&x->c, ws, r, 6, (double)(k + 1), x->f.integer);
            xlsx_text(&x->c, ws, r, 7, cl->id, x->f.text);
            double book_revenue = book_client_revenue(x->book, d->by_revenue[k]);
            xlsx_number(&x->c, ws, r, 8, book_revenue, x->f.money);
            char this_rev[32], prev[32];
            lxw_rowcol_to_cell(this_rev, (lxw_row_t)r, 8);
            lxw_rowcol_to_cell(prev, (lxw_row_t)(r - 1), 9);
            /* Accumulated as the formula does: previous share + this revenue / total. */
            share += d->annual_revenue > 0 ? book_revenue / d->annual_revenue : 0;
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
    static const int cols[] = {9};
    static const char *const names[] = {"Cumulative share of revenue"};
    XlsxChart spec = {.type = LXW_CHART_LINE, .sheet = "Diagnostics", .first = first,
                      .last = first + (int)pareto - 1, .cat_col = 6, .series = 1,
                      .val_col = cols, .names = names,
                      .title = "Pareto: clients by revenue, largest first",
                      .x_name = "Client rank", .y_name = "Share of the book's revenue",
                      .y_num = "0%", .legend = LXW_CHART_LEGEND_NONE, .x_scale = 1.3,
                      .y_scale = 1.2};
    lxw_chart *chart = xlsx_chart(&x->c, ws, last_row + 2, 0, &spec);
    if (chart)
        chart_axis_set_max(chart->y_axis, 1);
}
