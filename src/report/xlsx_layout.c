/*
 * xlsx_layout.c — the layout of the audit workbook, fixed before any sheet is written, and the
 * formats and Clients-range helpers the sheet writers share.
 */
#include "xlsx_layout.h"

#include <stdio.h>
#include <string.h>


void xlsx_layout_formats(XlsxCtx *x)
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
    f->label = xlsx_default_format(&x->c);
    f->text = f->label;
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
    char whole[96];
    snprintf(whole, sizeof whole, "#,##0 \"%s\";[Red]-#,##0 \"%s\"", x->sc->currency,
             x->sc->currency);
    f->money_whole = xlsx_format(&x->c, whole, false, false);
    f->money_whole_total = xlsx_format(&x->c, whole, true, false);
    if (f->money_whole_total)
        format_set_top(f->money_whole_total, LXW_BORDER_THIN);
    f->clients = xlsx_format(&x->c, "#,##0\" clients\"", false, false);
    f->years = xlsx_format(&x->c, "0\" years\"", false, false);
    f->and_above = xlsx_format(&x->c, "\"and above\"", false, false);
    f->paragraph = xlsx_format(&x->c, NULL, false, false);
    if (f->paragraph) {
        format_set_text_wrap(f->paragraph);
        format_set_align(f->paragraph, LXW_ALIGN_VERTICAL_TOP);
    }
    if (f->input_multiple)
        format_set_align(f->input_multiple, LXW_ALIGN_LEFT);
}

void xlsx_layout_print(XlsxCtx *x, lxw_worksheet *ws, bool landscape, int header_rows)
{
    worksheet_fit_to_pages(ws, 1, 0);
    if (landscape)
        worksheet_set_landscape(ws);
    if (header_rows > 0)
        xlsx_check(&x->c, worksheet_repeat_rows(ws, 0, (lxw_row_t)(header_rows - 1)));
    /* '&' starts a header code: a name such as "García & Asociados" doubles it. Excel caps a
     * header at 255 characters. */
    char header[256] = "&C";
    size_t n = strlen(header);
    for (const char *s = x->sc->name; *s && n + 3 < sizeof header; s++) {
        if (*s == '&')
            header[n++] = '&';
        header[n++] = *s;
    }
    while (n > 2 && ((unsigned char)header[n] & 0xC0) == 0x80) /* whole UTF-8 characters */
        n--;
    header[n] = '\0';
    xlsx_check(&x->c, worksheet_set_header(ws, header));
    xlsx_check(&x->c, worksheet_set_footer(ws, "&CPage &P of &N"));
}

void xlsx_layout_widths(XlsxCtx *x, lxw_worksheet *ws, const double *w, int n)
{
    for (int c = 0; c < n; c++)
        xlsx_check(&x->c, worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w[c], NULL));
}

const Assumptions *xlsx_layout_scope(const XlsxCtx *x, int scope)
{
    return scope == 0 ? &x->sc->defaults : &x->sc->segments[scope - 1].assumptions;
}


/* Fix every Assumptions row before writing, so Projection formulas can point at them. */
static void layout_assumptions(XlsxCtx *x)
{
    int row = 4;
    x->discount_row = row++;
    x->horizon_row = row++;
    x->timing_row = row++;
    x->shift_row = row++;
    x->tail_row = row++;
    x->scale_row = x->sc->retention_scale != 1 ? row++ : -1;
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
            xlsx_layout_scope(x, (int)s)->retention.kind == RETENTION_CURVE ? ++row : -1;
    if (x->sc->provision_count) {
        row += 3; /* blank, title, header */
        x->provision_first = row;
    }
}


static void layout_projection(XlsxCtx *x)
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
    x->col_median = x->col_horizon + 7;
}


int xlsx_layout_clients_sheet(char *buf, size_t size, size_t sheet)
{
    return snprintf(buf, size, sheet ? "Clients %zu" : "Clients", sheet + 1);
}

size_t xlsx_layout_clients_on_sheet(const XlsxCtx *x, size_t sheet)
{
    size_t first = sheet * REPORT_XLSX_CLIENT_ROWS;
    size_t left = x->sc->client_count - first;
    return left < REPORT_XLSX_CLIENT_ROWS ? left : REPORT_XLSX_CLIENT_ROWS;
}

/* "<before>range<after>+<before>range<after>..." over the Clients sheets' column `col`. */
void xlsx_layout_over_clients(const XlsxCtx *x, char *out, size_t size, int col,
                              const char *before, const char *after)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t s = 0; s < x->client_sheets && used < size; s++) {
        char sheet[32], range[XLSX_REF_MAX];
        xlsx_layout_clients_sheet(sheet, sizeof sheet, s);
        xlsx_range(range, sheet, 1, col, (int)xlsx_layout_clients_on_sheet(x, s), col);
        int n = snprintf(out + used, size - used, "%s%s%s%s", s ? "+" : "", before, range, after);
        if (n < 0)
            return;
        used += (size_t)n;
    }
}

/* "COUNTIF(keys,criterion)+..." over the Clients sheets, or SUMIF(keys,criterion,values) when
 * value_col >= 0: keys and values are columns of each Clients sheet. */
void xlsx_layout_clients_if(const XlsxCtx *x, char *out, size_t size, int key_col,
                            const char *criterion, int value_col)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t s = 0; s < x->client_sheets; s++) {
        char sheet[32], keys[XLSX_REF_MAX], values[XLSX_REF_MAX];
        xlsx_layout_clients_sheet(sheet, sizeof sheet, s);
        int last = (int)xlsx_layout_clients_on_sheet(x, s);
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

static void layout_transfer(XlsxCtx *x)
{
    TransferLayout *l = &x->transfer;
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
    int end = l->result[R_COUNT - 1];
    l->fin_first = l->fin_last = -1;
    if (xlsx_transfer_financing_rows(x) > 0) {
        l->fin_first = end + 3;
        l->fin_last = end = l->fin_first + xlsx_transfer_financing_rows(x) - 1;
    }
    l->alloc_first = l->alloc_last = -1;
    if (xlsx_transfer_allocation_rows(x) > 0) {
        l->alloc_first = end + 3;
        l->alloc_last = end = l->alloc_first + xlsx_transfer_allocation_rows(x) - 1;
    }
    l->closing_first = l->closing_last = -1;
    if (xlsx_transfer_closing_rows(x) > 0) {
        l->closing_first = end + 3;
        l->closing_last = end = l->closing_first + xlsx_transfer_closing_rows(x) - 1;
    }
    l->mc_first = x->mc && x->mc->has_deal ? end + 3 : -1;
}


void xlsx_layout_fix(XlsxCtx *x)
{
    x->provision_first = -1;
    x->client_sheets =
        (x->sc->client_count + REPORT_XLSX_CLIENT_ROWS - 1) / REPORT_XLSX_CLIENT_ROWS;
    layout_assumptions(x);
    layout_projection(x);
    if (x->mc) {
        x->mc_values_fit = x->mc->iterations <= MC_VALUE_ROWS_MAX;
        for (int i = 0; i < MC_STATS; i++)
            x->mc_stat_row[i] = MC_FIRST_ROW + i;
    }
    if (x->deal)
        layout_transfer(x);
}
