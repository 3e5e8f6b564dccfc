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

#endif
