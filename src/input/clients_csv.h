/*
 * clients_csv.h — read a book's clients from CSV (the only module that sees libcsv).
 *
 * UTF-8 (a BOM is allowed), LF or CRLF, RFC 4180 quoting, a header naming the client fields
 * of schema 1 in any order. Every error names the file, line and column.
 */
#ifndef BOOKVAL_CLIENTS_CSV_H
#define BOOKVAL_CLIENTS_CSV_H

#include "error.h"
#include "scenario.h"

/* Most clients one CSV may hold, and the longest field, so memory stays bounded. */
#define CLIENTS_CSV_MAX_ROWS 20000000u
#define CLIENTS_CSV_MAX_FIELD 4096u

/*
 * Append the clients of the CSV file at `path` to `scenario` (whose segments are already
 * read). Records every bad row (up to the error list's bound) and returns its status.
 * A file that cannot be opened is reported at `named_at`, where the scenario names it.
 */
BvStatus clients_csv_read(Scenario *scenario, const char *path, const Mark *named_at,
                          BvErrors *errors);

#endif
