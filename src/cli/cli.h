/*
 * cli.h — what every bookval command prints the same way: the errors of a run, in file
 * order, as FILE:LINE:COL: error: KEY: MESSAGE, and usage errors followed by the usage text.
 * Part of the executable, not of the engine library (which never prints).
 */
#ifndef BOOKVAL_CLI_H
#define BOOKVAL_CLI_H

#include "error.h"

/* Sort and print `errors` on stderr. */
void cli_print_errors(BvErrors *errors);

/* Print "bookval: usage error: ..." and `usage` on stderr; returns exit code 2. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An output that could not be written: "PATH: error: write failed: REASON" (errno's, when the
 * stream set one; clear errno before writing). Returns BV_ERR_IO. */
BvStatus cli_write_failed(BvErrors *errors, const char *path);

#endif
