/*
 * xlsx_cells.h — the cell writers every bookval workbook shares (the valuation's and the
 * fit's): they check every libxlsxwriter status, keep NaN and Inf out of cells, cut text to
 * Excel's limit on a UTF-8 boundary, write formulas with the engine's value cached, and name
 * cells for formulas. Only the report modules include it (with libxlsxwriter).
 */
#ifndef BOOKVAL_XLSX_CELLS_H
#define BOOKVAL_XLSX_CELLS_H

#include <stdbool.h>
#include <xlsxwriter.h>

#include "error.h"

#define XLSX_FORMULA_MAX 4096
#define XLSX_REF_MAX 96

/* A workbook being written and its first error (later writes after an error are harmless). */
typedef struct XlsxCells {
    lxw_workbook *wb;
    lxw_error err;
    /* constant_memory: libxlsxwriter drops a cell above its current row without a word, so
     * every write goes through a guard that tracks the row of the sheet being written. */
    bool constant_memory;
    lxw_worksheet *ws;
    int row;
    char why[200]; /* the guard's message, "" when none */
} XlsxCells;

/*
 * Open a workbook at `path` with a fixed creation date (same inputs, same bytes); with
 * `constant_memory`, libxlsxwriter keeps one row in memory (each sheet then written top to
 * bottom). exceptions: BV_ERR_IO naming `path`.
 */
BvStatus xlsx_open(XlsxCells *x, const char *path, const char *title, bool constant_memory,
                   BvErrors *errors);

/* Close (and free) the workbook and read it back (xlsx_verify); report the first error of
 * the whole writing, naming `path` (and, for a row written out of order, the sheet and row). */
BvStatus xlsx_close(XlsxCells *x, const char *path, BvErrors *errors);

/* Keep the first error. */
void xlsx_check(XlsxCells *x, lxw_error e);

/* A number; "n/a" when it is not finite. */
void xlsx_number(XlsxCells *x, lxw_worksheet *ws, int r, int c, double v, lxw_format *f);

/* Text, cut to Excel's 32,767 characters at a UTF-8 boundary. */
void xlsx_text(XlsxCells *x, lxw_worksheet *ws, int r, int c, const char *s, lxw_format *f);

/* A live formula (printf-style) with the engine's value cached; "n/a" and no formula when the
 * engine has no finite value, so a spreadsheet never shows a number the engine did not. */
void xlsx_formula(XlsxCells *x, lxw_worksheet *ws, int r, int c, lxw_format *f, double cached,
                  const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* A boolean; a formula with a text result cached; a row's height (all through the guard). */
void xlsx_boolean(XlsxCells *x, lxw_worksheet *ws, int r, int c, bool v, lxw_format *f);
void xlsx_formula_text(XlsxCells *x, lxw_worksheet *ws, int r, int c, const char *formula,
                       lxw_format *f, const char *cached);
void xlsx_row_height(XlsxCells *x, lxw_worksheet *ws, int r, double height);

/* "C5" (relative); buf holds 32. */
const char *xlsx_cell(char *buf, int r, int c);

/* "$C$5", or "'Sheet'!$C$5" when `sheet` is given; buf holds XLSX_REF_MAX. */
const char *xlsx_ref(char *buf, const char *sheet, int r, int c);

/* "$C$5:$C$9" on `sheet` (or this sheet). */
const char *xlsx_range(char *buf, const char *sheet, int r1, int c1, int r2, int c2);

/* A format with a number format, bold, and the pale yellow fill that marks inputs. */
lxw_format *xlsx_format(XlsxCells *x, const char *num_format, bool bold, bool input);

/* The workbook's default look (no number format, font or fill of its own). */
lxw_format *xlsx_default_format(XlsxCells *x);

lxw_worksheet *xlsx_sheet(XlsxCells *x, const char *name);

/* A chart of `series` series over rows first..last of `sheet`: categories from column cat_col,
 * values from val_col[i]; names, lines and the axis texts may be NULL (left unset). */
typedef struct XlsxChart {
    uint8_t type;                        /* LXW_CHART_COLUMN, LXW_CHART_LINE, ... */
    const char *sheet;
    int first, last, cat_col, series;
    const int *val_col;
    const char *const *names;            /* [series] or NULL */
    const lxw_chart_line *const *lines;  /* [series] or NULL */
    const char *title, *x_name, *y_name, *x_num, *y_num;
    uint8_t legend;                      /* LXW_CHART_LEGEND_... */
    double x_scale, y_scale;
} XlsxChart;

/* Add the chart and insert it at (row, col) of `ws`; returned for settings of its own, NULL
 * after a failure (kept in x). */
lxw_chart *xlsx_chart(XlsxCells *x, lxw_worksheet *ws, int row, int col, const XlsxChart *spec);

/* The looks every bookval sheet shares: a 14-point bold title, a grey italic note, and a
 * header (bold, pale blue, underlined, wrapped) with an optional number format. */
lxw_format *xlsx_title_format(XlsxCells *x);
lxw_format *xlsx_note_format(XlsxCells *x);
lxw_format *xlsx_header_format(XlsxCells *x, const char *num_format);

#endif
