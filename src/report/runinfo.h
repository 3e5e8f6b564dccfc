/*
 * runinfo.h — what an auditor needs to reproduce a run: the engine's and libraries' versions,
 * every input file read (path as given, SHA-256, size, in the order read) and every option
 * that changes results (--set in order, --iterations, --seed).
 *
 * Deliberately no wall-clock time and no thread count: the same inputs give the same bytes for
 * any number of threads (the elapsed time of a run is printed on stderr instead).
 */
#ifndef BOOKVAL_RUNINFO_H
#define BOOKVAL_RUNINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "scenario.h"

typedef struct RunInfo {
    char bookval_version[32];
    char scenario_sha256[65]; /* hex: the scenario file's (the first input) */
    char gsl_version[32];
    char xlsxwriter_version[32];
    char yaml_version[32];
    char csv_version[32];
    char nettle_version[32];
    const InputFiles *inputs; /* the scenario's files, in the order read */
    /* Options that change results, as given on the command line (none: zero/NULL). */
    const ScenarioSet *sets;
    size_t set_count;
    long iterations;          /* --iterations, 0 when not given */
    bool has_seed;            /* --seed given */
    unsigned long long seed;
} RunInfo;

/* Fill `info` for the loaded scenario `sc` (its files as read); no options. Always BV_OK. */
BvStatus runinfo_collect(const Scenario *sc, RunInfo *info, BvErrors *errors);

#endif
