/*
 * history.h — a retention history for `bookval fit` (DESIGN §8): cohorts of clients and how
 * many of each were still active at the start and after each year, read from YAML into plain
 * structs with every value checked and its place kept for later messages.
 *
 *     model: sbg                 # optional: sbg (default) or geometric
 *     cohorts:
 *       - {name: 2019 clients, survival: [1200, 1010, 905, 840, 792, 760]}
 *       - {name: 2021 clients, survival: [400, 350, 310, 290]}
 *
 * This module only reads and checks; fitting a model is fit.c's job.
 */
#ifndef BOOKVAL_HISTORY_H
#define BOOKVAL_HISTORY_H

#include <stddef.h>

#include "error.h"

/* The most years one cohort may record (survival then holds up to this + 1 counts). */
#define HISTORY_MAX_YEARS 100
/* Counts are whole numbers of clients up to this (exact in a double). */
#define HISTORY_MAX_COUNT 1e15

typedef enum HistoryModel {
    HISTORY_MODEL_SBG,       /* shifted-beta-geometric: retention rises with tenure */
    HISTORY_MODEL_GEOMETRIC  /* constant retention */
} HistoryModel;

typedef struct HistoryCohort {
    char *name;             /* as written, or "cohort N" (1-based) when the cohort has none */
    double *survival;       /* [count] clients active at the start (index 0) and after each
                               year: whole numbers, survival[0] > 0, never increasing */
    size_t count;           /* 2 .. HISTORY_MAX_YEARS + 1; the cohort's years = count - 1 */
    Mark mark;              /* where the cohort is written */
} HistoryCohort;

typedef struct History {
    char *file;              /* the path as given; marks point at it */
    HistoryModel model;
    Mark model_mark;         /* the `model` value; the file (line 0) when absent */
    Mark cohorts_mark;       /* the `cohorts` key: where whole-history messages point */
    HistoryCohort *cohorts;  /* [cohort_count], cohort_count >= 1 */
    size_t cohort_count;
} History; /* owns every string and array it points at: free with history_free */

/*
 * Read and check the history file at `path`. Every problem is recorded (not only the first),
 * with file, line and column: unknown keys, a model other than sbg or geometric, a missing or
 * empty cohort list, a cohort without survival or with fewer than two counts, a count that is
 * not a whole number in [0, 1e15], a first count of 0, a count above the one before it.
 * On success *out is the history (free with history_free); on failure *out is NULL and the
 * status is BV_ERR_INPUT (or BV_ERR_NOMEM, BV_ERR_IO).
 */
BvStatus history_load(const char *path, History **out, BvErrors *errors);

/* Free a history and everything it holds. NULL is a no-op. */
void history_free(History *history);

/* "sbg" or "geometric", as written in a history file and in the JSON. */
const char *history_model_name(HistoryModel model);

#endif
