/*
 * xlsx_cells.c — checked cell writers over libxlsxwriter.
 */
#include "xlsx_cells.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx_verify.h"

#define EXCEL_TEXT_MAX 32767
/* A fixed creation date (2000-01-01 00:00 UTC): same inputs, same bytes. */
#define WORKBOOK_CREATED ((time_t)946684800)

BvStatus xlsx_open(XlsxCells *x, const char *path, const char *title, bool constant_memory,
                   BvErrors *errors)
{
    Mark where = {path, 0, 0};
    x->err = LXW_NO_ERROR;
    x->constant_memory = constant_memory;
    x->ws = NULL;
    x->row = 0;
    x->why[0] = '\0';
    lxw_workbook_options options = {.constant_memory = constant_memory, .tmpdir = NULL,
                                    .use_zip64 = LXW_TRUE};
    x->wb = workbook_new_opt(path, &options);
    if (!x->wb)
        return bv_error(errors, BV_ERR_IO, &where, NULL, "cannot create the workbook");
    lxw_doc_properties props = {.title = (char *)title, .author = "bookval",
                                .created = WORKBOOK_CREATED};
    xlsx_check(x, workbook_set_properties(x->wb, &props));
    return BV_OK;
}

BvStatus xlsx_close(XlsxCells *x, const char *path, BvErrors *errors)
{
    Mark where = {path, 0, 0};
    lxw_error closed = workbook_close(x->wb); /* frees the workbook even on failure */
    x->wb = NULL;
    if (x->err == LXW_NO_ERROR)
        x->err = closed;
    if (x->err == LXW_NO_ERROR)
        return xlsx_verify(path, errors);
    if (x->why[0])
        return bv_error(errors, BV_ERR_IO, &where, NULL, "writing the workbook failed: %s",
                        x->why);
    return bv_error(errors, x->err == LXW_ERROR_MEMORY_MALLOC_FAILED ? BV_ERR_NOMEM : BV_ERR_IO,
                    &where, NULL, "writing the workbook failed: %s", lxw_strerror(x->err));
}

void xlsx_check(XlsxCells *x, lxw_error e)
{
    if (e != LXW_NO_ERROR && x->err == LXW_NO_ERROR)
        x->err = e;
}

/* Sheets are written one after another, each top to bottom: a row above the last one written
 * on the same sheet would be lost in constant-memory mode, so it fails the run instead. */
static bool in_order(XlsxCells *x, lxw_worksheet *ws, int r)
{
    if (!x->constant_memory)
        return true;
    if (ws != x->ws) {
        x->ws = ws;
        x->row = r;
        return true;
    }
    if (r >= x->row) {
        x->row = r;
        return true;
    }
    if (x->err == LXW_NO_ERROR) {
        x->err = LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE;
        snprintf(x->why, sizeof x->why,
                 "sheet '%s': row %d written after row %d (rows must be written top to bottom)",
                 ws->name, r + 1, x->row + 1);
    }
    return false;
}

void xlsx_number(XlsxCells *x, lxw_worksheet *ws, int r, int c, double v, lxw_format *f)
{
    if (!in_order(x, ws, r))
        return;
    if (isfinite(v))
        xlsx_check(x, worksheet_write_number(ws, (lxw_row_t)r, (lxw_col_t)c, v, f));
    else
        xlsx_check(x, worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, "n/a", f));
}

void xlsx_text(XlsxCells *x, lxw_worksheet *ws, int r, int c, const char *s, lxw_format *f)
{
    if (!in_order(x, ws, r))
        return;
    size_t len = strlen(s);
    if (len <= EXCEL_TEXT_MAX) {
        xlsx_check(x, worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s, f));
        return;
    }
    len = EXCEL_TEXT_MAX;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
        len--;
    char *cut = strndup(s, len);
    if (!cut) {
        xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    xlsx_check(x, worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, cut, f));
    free(cut);
}

void xlsx_formula(XlsxCells *x, lxw_worksheet *ws, int r, int c, lxw_format *f, double cached,
                  const char *fmt, ...)
{
    if (!isfinite(cached)) {
        xlsx_number(x, ws, r, c, cached, f);
        return;
    }
    if (!in_order(x, ws, r))
        return;
    char formula[XLSX_FORMULA_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(formula, sizeof formula, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof formula) {
        xlsx_check(x, LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED);
        return;
    }
    xlsx_check(x, worksheet_write_formula_num(ws, (lxw_row_t)r, (lxw_col_t)c, formula, f,
                                              cached));
}

void xlsx_boolean(XlsxCells *x, lxw_worksheet *ws, int r, int c, bool v, lxw_format *f)
{
    if (in_order(x, ws, r))
        xlsx_check(x, worksheet_write_boolean(ws, (lxw_row_t)r, (lxw_col_t)c, v, f));
}

void xlsx_formula_text(XlsxCells *x, lxw_worksheet *ws, int r, int c, const char *formula,
                       lxw_format *f, const char *cached)
{
    if (in_order(x, ws, r))
        xlsx_check(x, worksheet_write_formula_str(ws, (lxw_row_t)r, (lxw_col_t)c, formula, f,
                                                  cached));
}

void xlsx_row_height(XlsxCells *x, lxw_worksheet *ws, int r, double height)
{
    if (in_order(x, ws, r))
        xlsx_check(x, worksheet_set_row(ws, (lxw_row_t)r, height, NULL));
}

/*
 * A cell's name ("C5", "$C$5") at p; returns its end. libxlsxwriter's own (a printf a call)
 * cost some 6% of a large book's Clients sheet, whose every row names a few cells.
 */
static char *put_cell(char *p, int r, int c, bool absolute)
{
    char letters[4];
    int n = 0;
    for (unsigned col = (unsigned)c + 1; col > 0; col = (col - 1) / 26)
        letters[n++] = (char)('A' + (col - 1) % 26);
    if (absolute)
        *p++ = '$';
    while (n > 0)
        *p++ = letters[--n];
    if (absolute)
        *p++ = '$';
    char digits[12];
    n = 0;
    for (unsigned row = (unsigned)r + 1; row > 0; row /= 10)
        digits[n++] = (char)('0' + row % 10);
    while (n > 0)
        *p++ = digits[--n];
    *p = '\0';
    return p;
}

/* "'sheet'!" at p (nothing without a sheet); the sheets named are bookval's own, short and
 * ASCII, and a cell's name after them takes at most 25 bytes. */
#define REF_SHEET_MAX (XLSX_REF_MAX - 32)
static char *put_sheet(char *p, const char *sheet)
{
    if (!sheet)
        return p;
    size_t n = strlen(sheet);
    if (n > REF_SHEET_MAX)
        n = REF_SHEET_MAX;
    *p++ = '\'';
    memcpy(p, sheet, n);
    p += n;
    *p++ = '\'';
    *p++ = '!';
    return p;
}

const char *xlsx_cell(char *buf, int r, int c)
{
    put_cell(buf, r, c, false);
    return buf;
}

const char *xlsx_ref(char *buf, const char *sheet, int r, int c)
{
    put_cell(put_sheet(buf, sheet), r, c, true);
    return buf;
}

const char *xlsx_range(char *buf, const char *sheet, int r1, int c1, int r2, int c2)
{
    char *p = put_cell(put_sheet(buf, sheet), r1, c1, true);
    *p++ = ':';
    put_cell(p, r2, c2, true);
    return buf;
}

lxw_format *xlsx_format(XlsxCells *x, const char *num_format, bool bold, bool input)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f) {
        xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return NULL;
    }
    if (num_format)
        format_set_num_format(f, num_format);
    if (bold)
        format_set_bold(f);
    if (input) {
        format_set_bg_color(f, 0xFFF2CC); /* inputs: pale yellow, as spreadsheet modellers do */
        format_set_border(f, LXW_BORDER_HAIR);
    }
    return f;
}

/* libxlsxwriter gives a new format with nothing set the default format's index only after
 * looking it up in a hash table (a copy, a hash of the whole format, a free) at every cell; the
 * default format itself, the first one the workbook adds, has its index already. */
lxw_format *xlsx_default_format(XlsxCells *x)
{
    lxw_format *first = STAILQ_FIRST(x->wb->formats);
    if (first && first->xf_index == 0)
        return first;
    return xlsx_format(x, NULL, false, false);
}

lxw_worksheet *xlsx_sheet(XlsxCells *x, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
    if (!ws)
        xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return ws;
}

lxw_chart *xlsx_chart(XlsxCells *x, lxw_worksheet *ws, int row, int col, const XlsxChart *spec)
{
    lxw_chart *chart = workbook_add_chart(x->wb, spec->type);
    if (!chart) {
        xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
        return NULL;
    }
    lxw_row_t first = (lxw_row_t)spec->first, last = (lxw_row_t)spec->last;
    for (int i = 0; i < spec->series; i++) {
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        if (!series) {
            xlsx_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
            return NULL;
        }
        lxw_col_t cat = (lxw_col_t)spec->cat_col, val = (lxw_col_t)spec->val_col[i];
        chart_series_set_categories(series, spec->sheet, first, cat, last, cat);
        chart_series_set_values(series, spec->sheet, first, val, last, val);
        if (spec->names && spec->names[i])
            chart_series_set_name(series, spec->names[i]);
        if (spec->lines && spec->lines[i])
            chart_series_set_line(series, (lxw_chart_line *)spec->lines[i]);
    }
    if (spec->title)
        chart_title_set_name(chart, spec->title);
    if (spec->x_name)
        chart_axis_set_name(chart->x_axis, spec->x_name);
    if (spec->y_name)
        chart_axis_set_name(chart->y_axis, spec->y_name);
    if (spec->x_num)
        chart_axis_set_num_format(chart->x_axis, spec->x_num);
    if (spec->y_num)
        chart_axis_set_num_format(chart->y_axis, spec->y_num);
    chart_legend_set_position(chart, spec->legend);
    lxw_chart_options place = {.x_offset = 10, .y_offset = 10, .x_scale = spec->x_scale,
                               .y_scale = spec->y_scale};
    xlsx_check(x, worksheet_insert_chart_opt(ws, (lxw_row_t)row, (lxw_col_t)col, chart, &place));
    return chart;
}

lxw_format *xlsx_title_format(XlsxCells *x)
{
    lxw_format *f = xlsx_format(x, NULL, true, false);
    if (f)
        format_set_font_size(f, 14);
    return f;
}

lxw_format *xlsx_note_format(XlsxCells *x)
{
    lxw_format *f = xlsx_format(x, NULL, false, false);
    if (f) {
        format_set_italic(f);
        format_set_font_color(f, 0x595959);
    }
    return f;
}

lxw_format *xlsx_header_format(XlsxCells *x, const char *num_format)
{
    lxw_format *f = xlsx_format(x, num_format, true, false);
    if (f) {
        format_set_bg_color(f, 0xD9E1F2);
        format_set_bottom(f, LXW_BORDER_THIN);
        format_set_text_wrap(f);
        format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
    }
    return f;
}
