/*
 * xlsx_clients.c — the Clients sheets: each client's inputs (yellow) and its value as revenue
 * x its cohort's value per unit of revenue on Projection.
 */
#include "xlsx_layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void write_clients_sheet(XlsxCtx *x, lxw_worksheet *ws, size_t sheet)
{
    const Scenario *sc = x->sc;
    size_t first = sheet * REPORT_XLSX_CLIENT_ROWS, count = xlsx_layout_clients_on_sheet(x, sheet);
    double w[C_COLUMNS] = {10, 16, 12, 16, 9, 8, 14, 10, 9, 10, 9, 10, 8, 18, 11, 7, 9, 14, 10, 16};
    for (size_t i = 0; i < count; i++) {
        const Client *cl = &sc->clients[first + i];
        double id = (double)utf8_chars(cl->id) + 2, nm = (double)utf8_chars(cl->name) + 2;
        if (id > w[C_ID])
            w[C_ID] = id < 40 ? id : 40;
        if (nm > w[C_NAME])
            w[C_NAME] = nm < 50 ? nm : 50;
    }
    xlsx_layout_widths(x, ws, w, C_COLUMNS);
    worksheet_freeze_panes(ws, 1, 2);
    xlsx_row_height(&x->c, ws, 0, 30);
    static const char *const header[C_COLUMNS] = {
        "Id", "Name", "Segment", "Annual revenue", "Tenure (years)", "Active", "Receivable",
        "Receivable age (days)", "Own margin", "Own retention", "Own growth",
        "Own transfer retention", "Cohort", "Value (DCF)", "Expected years within the horizon",
        "ABC class", "Revenue rank", "Provision", "Share valued (inactive_clients)",
        "Revenue valued"};
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
        else
            xlsx_text(&x->c, ws, r, C_SEGMENT, XLSX_NO_SEGMENT, x->f.note);
        xlsx_number(&x->c, ws, r, C_REVENUE, cl->annual_revenue, x->f.input_money);
        xlsx_number(&x->c, ws, r, C_TENURE, cl->tenure_years, x->f.input_number);
        xlsx_boolean(&x->c, ws, r, C_ACTIVE, cl->active, x->f.input_text);
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
        char revenue[32], unit[XLSX_REF_MAX];
        xlsx_cell(revenue, r, C_BOOK_REVENUE);
        xlsx_formula(&x->c, ws, r, C_VALUE, x->f.money, dcf_client_value(x->dcf, x->book, k),
                    "=%s*%s", revenue,
                    xlsx_ref(unit, "Projection", x->cohort_first + (int)cohort, x->col_unit));
        const Diagnostics *dg = x->diag;
        xlsx_formula(&x->c, ws, r, C_REMAINING, x->f.count, dg->horizon_years[cohort], "=%s",
                     xlsx_ref(unit, "Projection", x->cohort_first + (int)cohort, x->col_remaining));
        xlsx_text(&x->c, ws, r, C_ABC, (const char *[]){"A", "B", "C"}[dg->abc[k]], x->f.text);
        xlsx_number(&x->c, ws, r, C_RANK, (double)(dg->rank[k] + 1), x->f.integer);
        if (x->provision_first >= 0 && (cl->receivable != 0 || cl->receivable_age_days != 0)) {
            char receivable[32], age[32], days[XLSX_REF_MAX], rates[XLSX_REF_MAX];
            xlsx_cell(receivable, r, C_RECEIVABLE);
            xlsx_cell(age, r, C_RECEIVABLE_AGE);
            int last = x->provision_first + (int)sc->provision_count - 1;
            xlsx_range(days, "Assumptions", x->provision_first, A_VALUE, last, A_VALUE);
            xlsx_range(rates, "Assumptions", x->provision_first, A_DIST, last, A_DIST);
            /* LOOKUP finds the last bucket whose age is <= the receivable's (ascending ages). */
            if (!cl->active && sc->inactive_clients == INACTIVE_EXCLUDE && sc->has_inactive_rate)
                xlsx_formula(&x->c, ws, r, C_PROVISION, x->f.money, dg->client_provision[k],
                             "=%s*%.17g", receivable, sc->inactive_rate);
            else if (!cl->active && sc->inactive_clients == INACTIVE_EXCLUDE)
                xlsx_formula(&x->c, ws, r, C_PROVISION, x->f.money, dg->client_provision[k],
                             "=%s*%s", receivable,
                             xlsx_ref(days, "Assumptions", last, A_DIST));
            else
                xlsx_formula(&x->c, ws, r, C_PROVISION, x->f.money, dg->client_provision[k],
                             "=%s*LOOKUP(%s,%s,%s)", receivable, age, days, rates);
        }
        /* The share of the client the book values, and its revenue valued. */
        double weight = x->book->cohorts[cohort].weight;
        xlsx_number(&x->c, ws, r, C_WEIGHT, weight, x->f.rate);
        char raw[32], share[32];
        xlsx_cell(raw, r, C_REVENUE);
        xlsx_cell(share, r, C_WEIGHT);
        xlsx_formula(&x->c, ws, r, C_BOOK_REVENUE, x->f.money, weight * cl->annual_revenue,
                     "=%s*%s", raw, share);
    }
}

/* The first sheet is the driver's; a book beyond one sheet's rows continues on "Clients 2"... */
void xlsx_clients_write(XlsxCtx *x, lxw_worksheet *ws)
{
    write_clients_sheet(x, ws, 0);
    for (size_t s = 1; s < x->client_sheets && x->c.err == LXW_NO_ERROR; s++) {
        char name[32];
        xlsx_layout_clients_sheet(name, sizeof name, s);
        lxw_worksheet *more = xlsx_sheet(&x->c, name);
        if (!more)
            return;
        xlsx_layout_print(x, more, true, 1);
        write_clients_sheet(x, more, s);
    }
}
