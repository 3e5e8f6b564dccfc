/*
 * cluster.h — one run shared among processes (Open MPI, with -DBOOKVAL_MPI=ON), or this
 * process alone (the ordinary build, where every function is trivial).
 *
 * The command line asks who this process is, hands the Monte Carlo the cluster's McShards
 * (and the what-ifs their WhatIfShards), and agrees with the others on each outcome at fixed
 * points, so that no process is left waiting on one that has failed: a failure every process
 * sees alike is agreed on; one that only this process can have seen (memory, a local file)
 * ends them all (cluster_abort).
 */
#ifndef BOOKVAL_CLUSTER_H
#define BOOKVAL_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "montecarlo.h"
#include "whatif.h"

/* Start (MPI_Init with threads for OpenMP); false when the cluster could not start. */
bool cluster_start(int *argc, char ***argv);
void cluster_stop(void);

int cluster_rank(void);  /* 0..cluster_size()-1; 0 writes a run's outputs */
int cluster_size(void);

/* The Monte Carlo's shards, or NULL when this process is alone. */
const McShards *cluster_shards(void);

/* The same processes for the what-if points that need only the DCF, or NULL when alone. */
const WhatIfShards *cluster_point_shards(void);

/*
 * Every process's exit code agreed: returns the worst (largest) and sets *first to the lowest
 * rank whose code is not 0 (-1 when none), the one to report for all. Collective.
 */
int cluster_agree(int code, int *first);

/* End every process at once with `code`, after this one has reported why. */
void cluster_abort(int code) __attribute__((noreturn));

/*
 * Batch: rows[i] (each `size` bytes) is filled by process i % cluster_size(); give rank 0
 * every row. Collective. false when the exchange failed.
 */
bool cluster_gather_rows(void *rows, size_t size, size_t count);

#endif
