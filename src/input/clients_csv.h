/*
 * clients_csv.h — read a book's clients from CSV (the only module that sees libcsv).
 *
 * LF or CRLF, RFC 4180 quoting, a header naming the client fields of schema 1 in any order;
 * by default UTF-8 (a BOM is allowed) with ',' or ';' or TAB detected. `clients_csv:` may
 * instead be a mapping giving the file's dialect (csv_dialect.h): delimiter, decimal and
 * thousands marks, encoding (converted with iconv), title rows, and the export's own column
 * names and cell values. Every error names the file, line and column.
 */
#ifndef BOOKVAL_CLIENTS_CSV_H
#define BOOKVAL_CLIENTS_CSV_H

#include "error.h"
#include "scenario.h"
#include "tree.h"

/* Most clients one CSV may hold, and the longest field, so memory stays bounded. */
#define CLIENTS_CSV_MAX_ROWS 20000000u
#define CLIENTS_CSV_MAX_FIELD 4096u

/*
 * Read the scenario's `clients_csv:` node — a path (relative to the file that wrote it) or a
 * mapping {path, delimiter, decimal, thousands, encoding, skip_rows, columns, values} — into
 * scenario->clients_csv and scenario->clients_csv_dialect, its strings copied into the
 * scenario. Errors (with the node's line and column) go to `errors`.
 */
void clients_csv_configure(Scenario *scenario, const Node *node, BvErrors *errors);

/*
 * Append the clients of the CSV file at `path` to `scenario` (whose segments are already
 * read). Records every bad row (up to the error list's bound) and returns its status.
 * A file that cannot be opened is reported at `named_at`, where the scenario names it.
 */
BvStatus clients_csv_read(Scenario *scenario, const char *path, const Mark *named_at,
                          BvErrors *errors);


#endif
