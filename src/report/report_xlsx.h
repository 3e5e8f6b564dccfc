/*
 * report_xlsx.h — the workbook a person audits (DESIGN §8); the only module that sees
 * libxlsxwriter.
 *
 * Inputs are values on `Assumptions` and `Clients`; every figure derived from them on
 * `Projection` and `Summary` is a live formula with the engine's value cached, so a
 * spreadsheet that recalculates shows the engine's numbers. This module computes no
 * valuation number itself.
 */
#ifndef BOOKVAL_REPORT_XLSX_H
#define BOOKVAL_REPORT_XLSX_H

#include <stdbool.h>

#include "error.h"
#include "results.h"

/* Rows a Clients sheet holds before the book continues on "Clients 2", ... (Excel's limit
 * less the header). */
#define REPORT_XLSX_CLIENT_ROWS (1048576 - 1)

/*
 * Write the workbook to `path` (a temporary file: the caller renames it into place).
 * exceptions: BV_ERR_IO naming `path` with libxlsxwriter's reason; BV_ERR_NOMEM.
 */
BvStatus report_xlsx_write(const char *path, const Results *results, BvErrors *errors);

/* One scenario of a batch, for the comparison workbook. Absent figures are NaN. */
typedef struct CompareRow {
    const char *file;
    char name[200];
    char currency[4];
    bool ok;
    char status[200];        /* "ok" or the first error */
    double annual_revenue, dcf_value, mc_mean, mc_p5, mc_p95, price, buyer_npv;
} CompareRow;

/* The comparison workbook of `bookval batch`: one row per scenario, with a chart of values.
 * exceptions: BV_ERR_IO / BV_ERR_NOMEM naming `path`. */
BvStatus report_xlsx_compare(const char *path, const CompareRow *rows, size_t count,
                             BvErrors *errors);

#endif
