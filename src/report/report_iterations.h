/*
 * report_iterations.h — the Monte Carlo's per-iteration table as CSV (--iterations-csv), for
 * other tools: UTF-8, one header row, C-locale numbers (17 significant digits, so they read
 * back to the same doubles), the same columns as the Monte Carlo sheet's audit trail.
 */
#ifndef BOOKVAL_REPORT_ITERATIONS_H
#define BOOKVAL_REPORT_ITERATIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "results.h"

/* Write the table to `out`; false on a write error. */
bool report_iterations_csv(FILE *out, const Results *res);

#endif
