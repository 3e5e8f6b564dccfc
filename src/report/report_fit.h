/*
 * report_fit.h — the outputs of `bookval fit`: the JSON summary, the workbook, and the
 * scenario line a user pastes into a scenario. Writes what fit.c computed; computes nothing
 * (the workbook's formulas recompute the fit's numbers from its inputs, each with the
 * engine's value cached).
 */
#ifndef BOOKVAL_REPORT_FIT_H
#define BOOKVAL_REPORT_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "fit.h"
#include "history.h"

/*
 * The scenario line for the fitted model, ready to paste into a scenario (DESIGN §4):
 * "retention: {sbg: {alpha: A, beta: B}}" or, with model geometric, "retention: R"; numbers
 * with 6 significant digits (well inside their standard errors). Always NUL-terminated.
 */
void report_fit_scenario_line(const Fit *fit, char *buf, size_t size);

/*
 * The JSON summary: {"bookval_version", "history": {file, cohorts, clients, client_years,
 * years}, "fit": {model, alpha, beta, alpha_se, beta_se, correlation, log_likelihood, aic,
 * sbg_problem, geometric: {retention, retention_se, log_likelihood, aic}, preferred_by_aic,
 * scenario_line, years: [{year, at_risk, lost, observed_survival, fitted_survival,
 * observed_retention, fitted_retention}]}}. The sBG keys are the sBG's whatever the model
 * (null when it is not identified, with the reason in sbg_problem); the fitted_* columns
 * follow the history's model. Values that do not exist (year 0's retention) are null.
 * Returns false when the stream reports an error.
 */
bool report_fit_json(FILE *out, const History *history, const Fit *fit);

/*
 * The workbook at `path`: sheet "Fit" (parameters, the yearly table of observed and fitted
 * survival and retention with live formulas, a chart of observed vs fitted survival) and
 * sheet "Cohorts" (the counts as read). exceptions: BV_ERR_IO / BV_ERR_NOMEM naming `path`.
 */
BvStatus report_fit_xlsx(const char *path, const History *history, const Fit *fit,
                         BvErrors *errors);

#endif
