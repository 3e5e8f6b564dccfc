/*
 * xlsx_assumptions.c — the Assumptions sheet: every input of the scenario and its segments,
 * the mean each distribution contributes (a formula), retention curves and provision buckets.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *scope_name(const XlsxCtx *x, int scope)
{
    return scope == 0 ? "Scenario" : x->sc->segments[scope - 1].name;
}



static void put_param(XlsxCtx *x, lxw_worksheet *ws, int r, int name_col, const char *name,
                      double v, lxw_format *f)
{
    xlsx_text(&x->c, ws, r, name_col, name, x->f.label);
    xlsx_number(&x->c, ws, r, name_col + 1, v, f);
}

/* One uncertain assumption: its distribution's parameters as inputs, the mean as a formula. */
static void write_dist_row(XlsxCtx *x, lxw_worksheet *ws, int r, const Dist *d, lxw_format *f)
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
static void write_inherited_row(XlsxCtx *x, lxw_worksheet *ws, int r, int from, const int *cols,
                                const double *cached, int n, lxw_format *f)
{
    for (int i = 0; i < n; i++) {
        char cell[32];
        lxw_rowcol_to_cell(cell, (lxw_row_t)from, (lxw_col_t)cols[i]);
        xlsx_formula(&x->c, ws, r, cols[i], f, cached[i], "=%s", cell);
    }
    xlsx_text(&x->c, ws, r, A_DIST, "as Scenario", x->f.note);
}

static void write_retention_row(XlsxCtx *x, lxw_worksheet *ws, int r, int scope, bool own)
{
    const RetentionModel *m = &xlsx_layout_scope(x, scope)->retention;
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

#define REACH_TERMS_MAX 200 /* cohort cells one SUM() lists; beyond, a value by bookval */

/* The clients that take scope `scope`'s value of one input (its own, or the scenario's it
 * passes on): the cohorts of that scope that do not set it themselves. As formulas over the
 * Projection's cohort rows (weighted clients, revenue valued). */
static void write_reach(XlsxCtx *x, lxw_worksheet *ws, int r, int scope, unsigned given,
                        unsigned own)
{
    const Scenario *sc = x->sc;
    const Book *book = x->book;
    char clients[XLSX_FORMULA_MAX] = "", revenue[XLSX_FORMULA_MAX] = "";
    size_t terms = 0, cl = 0, rl = 0;
    double count = 0, reached = 0;
    for (size_t c = 0; c < book->cohort_count; c++) {
        const Cohort *co = &book->cohorts[c];
        bool from_scenario = co->segment < 0 || !(sc->segments[co->segment].assumptions.given &
                                                  given);
        bool takes = scope == 0 ? from_scenario : co->segment == scope - 1 && !from_scenario;
        if (!takes || (co->own & own))
            continue;
        count += co->weight * (double)co->clients;
        reached += co->annual_revenue;
        if (++terms <= REACH_TERMS_MAX) {
            char a[XLSX_REF_MAX], b[XLSX_REF_MAX];
            int row = x->cohort_first + (int)c;
            xlsx_ref(a, "Projection", row, P_CLIENTS);
            xlsx_ref(b, "Projection", row, P_REVENUE);
            cl += (size_t)snprintf(clients + cl, sizeof clients - cl, "%s%s", terms > 1 ? "," : "",
                                   a);
            rl += (size_t)snprintf(revenue + rl, sizeof revenue - rl, "%s%s", terms > 1 ? "," : "",
                                   b);
        }
    }
    double total = book->annual_revenue, share = total > 0 ? reached / total : 0;
    char all[XLSX_REF_MAX];
    xlsx_range(all, "Projection", x->cohort_first, P_REVENUE,
               x->cohort_first + (int)book->cohort_count - 1, P_REVENUE);
    if (terms == 0) {
        xlsx_number(&x->c, ws, r, A_REACH_CLIENTS, 0, x->f.count);
        xlsx_number(&x->c, ws, r, A_REACH_SHARE, 0, x->f.rate);
    } else if (terms <= REACH_TERMS_MAX && cl < sizeof clients - 1 && rl < sizeof revenue - 1) {
        xlsx_formula(&x->c, ws, r, A_REACH_CLIENTS, x->f.count, count, "=SUM(%s)", clients);
        xlsx_formula(&x->c, ws, r, A_REACH_SHARE, x->f.rate, share,
                     "=IF(SUM(%s)>0,SUM(%s)/SUM(%s),0)", all, revenue, all);
    } else {
        xlsx_number(&x->c, ws, r, A_REACH_CLIENTS, count, x->f.count);
        xlsx_number(&x->c, ws, r, A_REACH_SHARE, share, x->f.rate);
    }
}

static void write_scope(XlsxCtx *x, lxw_worksheet *ws, int scope)
{
    const Assumptions *a = xlsx_layout_scope(x, scope);
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
        static const unsigned own_bits[] = {OWN_MARGIN, OWN_REVENUE_GROWTH,
                                            OWN_TRANSFER_RETENTION};
        write_reach(x, ws, rows[i].row, scope, rows[i].given, own_bits[i]);
    }
    xlsx_text(&x->c, ws, sr->retention, A_SCOPE, name, x->f.text);
    xlsx_text(&x->c, ws, sr->retention, A_PARAMETER, "Retention", x->f.text);
    xlsx_text(&x->c, ws, sr->retention, A_UNIT, "renewal probability per year", x->f.note);
    write_retention_row(x, ws, sr->retention, scope, scope == 0 || (a->given & GIVEN_RETENTION));
    write_reach(x, ws, sr->retention, scope, GIVEN_RETENTION, OWN_RETENTION);
}

static void write_curves(XlsxCtx *x, lxw_worksheet *ws);

/* retention_scale (when not 1): it reaches every client the book values. */
static void write_scale_row(XlsxCtx *x, lxw_worksheet *ws)
{
    int r = x->scale_row;
    xlsx_text(&x->c, ws, r, A_SCOPE, "Scenario", x->f.text);
    xlsx_text(&x->c, ws, r, A_PARAMETER, "Retention scale", x->f.text);
    xlsx_number(&x->c, ws, r, A_VALUE, x->sc->retention_scale, x->f.input_number);
    xlsx_text(&x->c, ws, r, A_DIST, "every r(k) as MIN(1, scale x r(k))", x->f.note);
    xlsx_text(&x->c, ws, r, A_UNIT, "x every renewal probability", x->f.note);
    char clients[XLSX_REF_MAX], revenue[XLSX_REF_MAX];
    int first = x->cohort_first, last = first + (int)x->book->cohort_count - 1;
    xlsx_range(clients, "Projection", first, P_CLIENTS, last, P_CLIENTS);
    xlsx_range(revenue, "Projection", first, P_REVENUE, last, P_REVENUE);
    double count = 0;
    for (size_t c = 0; c < x->book->cohort_count; c++)
        count += x->book->cohorts[c].weight * (double)x->book->cohorts[c].clients;
    xlsx_formula(&x->c, ws, r, A_REACH_CLIENTS, x->f.count, count, "=SUM(%s)", clients);
    xlsx_formula(&x->c, ws, r, A_REACH_SHARE, x->f.rate, x->book->annual_revenue > 0 ? 1 : 0,
                 "=IF(SUM(%s)>0,1,0)", revenue);
}

void xlsx_assumptions_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const Scenario *sc = x->sc;
    static const double w[A_COLUMNS] = {16, 22, 13, 20, 7, 11, 7, 11, 7, 11, 7, 11, 28, 12, 12};
    xlsx_layout_widths(x, ws, w, A_COLUMNS);
    worksheet_freeze_panes(ws, 4, 0);
    xlsx_text(&x->c, ws, 0, 0, "Assumptions", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "Yellow cells are inputs from the scenario. 'Value used' is what the DCF uses: the "
             "input itself or, for an uncertain input, the mean of its distribution.",
             x->f.note);
    static const char *const header[A_COLUMNS] = {
        "Scope", "Parameter", "Value used", "Distribution", "", "", "", "", "", "", "", "",
        "Unit", "Clients it reaches", "Share of revenue it reaches"};
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

    if (x->scale_row >= 0)
        write_scale_row(x, ws);
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
static void write_curves(XlsxCtx *x, lxw_worksheet *ws)
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
            xlsx_layout_scope(x, (int)s)->retention.curve_len > max_len)
            max_len = xlsx_layout_scope(x, (int)s)->retention.curve_len;
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
        const Assumptions *a = xlsx_layout_scope(x, (int)s);
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
