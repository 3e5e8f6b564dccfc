/*
 * report_json.h — the JSON summary of a run (DESIGN §8), for pipelines.
 *
 * Numbers are written with 17 significant digits (they read back as the same doubles);
 * a value that does not exist is null, never a made-up number.
 */
#ifndef BOOKVAL_REPORT_JSON_H
#define BOOKVAL_REPORT_JSON_H

#include <stdio.h>

#include "results.h"

/* Write the summary to `out`. Returns false when the stream reports an error. */
bool report_json_write(FILE *out, const Results *results);

#endif
