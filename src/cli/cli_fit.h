/*
 * cli_fit.h — the `bookval fit` command (part of the executable, not of libbookval).
 */
#ifndef BOOKVAL_CLI_FIT_H
#define BOOKVAL_CLI_FIT_H

/* The usage lines of `bookval fit`, for the main help text too. */
extern const char cli_fit_usage[];

/*
 * bookval fit HISTORY.yaml [--json OUT.json] [-o OUT.xlsx]
 * `argv` holds the arguments after "fit". Prints the table and the fitted parameters on
 * stdout, errors on stderr; returns the exit code (0 ok, 1 the fit failed numerically or an
 * output could not be written, 2 usage or invalid input). Outputs are written to temporary
 * files and renamed only when everything has succeeded.
 */
int cli_fit(int argc, char **argv);

#endif
