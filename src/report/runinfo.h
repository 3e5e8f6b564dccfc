/*
 * runinfo.h — what an auditor needs to reproduce a run: the engine's and libraries' versions
 * and the scenario file's SHA-256.
 *
 * Deliberately no wall-clock time: the same inputs give the same bytes (the elapsed time of a
 * run is printed on stderr instead).
 */
#ifndef BOOKVAL_RUNINFO_H
#define BOOKVAL_RUNINFO_H

#include "error.h"

typedef struct RunInfo {
    char bookval_version[32];
    char scenario_sha256[65]; /* hex */
    char gsl_version[32];
    char xlsxwriter_version[32];
    char yaml_version[32];
    char csv_version[32];
    char nettle_version[32];
    int threads;              /* worker threads available to the run */
} RunInfo;

/* Fill `info` for the scenario file at `path`. exceptions: BV_ERR_IO when it cannot be read. */
BvStatus runinfo_collect(const char *path, RunInfo *info, BvErrors *errors);

#endif
