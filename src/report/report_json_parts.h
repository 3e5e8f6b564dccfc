/*
 * report_json_parts.h — parts of the JSON summary written by their own files (internal to
 * src/report): the run's provenance and the valuation's conclusion.
 */
#ifndef BOOKVAL_REPORT_JSON_PARTS_H
#define BOOKVAL_REPORT_JSON_PARTS_H

#include "json_writer.h"
#include "results.h"

/* "inputs": every file read (role, path as given, sha256, bytes) in the order read;
 * "options": --set in order, iterations and seed (null when not given). */
void report_json_provenance(Json *j, const RunInfo *info);

/* "conclusion": the concluded value and the reconciliation table (conclusion.h). */
void report_json_conclusion(Json *j, const Results *res);

#endif
