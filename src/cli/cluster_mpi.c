/*
 * cluster_mpi.c — one run shared among MPI processes (Open MPI), every collective on
 * MPI_COMM_WORLD in the same order on every process.
 *
 * The Monte Carlo's exchange after each block of iterations: first the earliest failed
 * iteration of any process (MINLOC), then, when none failed, each per-iteration array's block
 * gathered in place (MPI_Allgatherv), so every process holds every iteration in index order.
 * The what-if points are exchanged after each round the same way, a failure with every error
 * it recorded.
 * MPI state is process-wide by nature; it lives here, in the command line, and nowhere else.
 */
#include "cluster.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>

static struct {
    int rank, size;
    McShards shards;
    WhatIfShards points;
    int *counts, *offsets; /* [size]: one block's parts, for Allgatherv */
} cluster;

/*
 * The earliest failure: *failed becomes the earliest of every process's (-1: none) and, when
 * there is one, `failure` (`size` bytes) the copy of the process that met it, so every process
 * reports it as one process would. false when the exchange itself failed.
 */
static bool agree(long *failed, void *failure, size_t size)
{
    struct {
        long value;
        int rank;
    } mine = {*failed < 0 ? LONG_MAX : *failed, cluster.rank}, all;
    if (MPI_Allreduce(&mine, &all, 1, MPI_LONG_INT, MPI_MINLOC, MPI_COMM_WORLD) != MPI_SUCCESS)
        return false;
    *failed = all.value == LONG_MAX ? -1 : all.value;
    return *failed < 0 ||
           MPI_Bcast(failure, (int)size, MPI_BYTE, all.rank, MPI_COMM_WORLD) == MPI_SUCCESS;
}

/* values[begin, end) (`width` doubles each) on every process, from each process's part. */
static bool complete(double *values, long width, long begin, long end)
{
    for (int r = 0; r < cluster.size; r++) {
        long a, b;
        mc_shard_part(begin, end, r, cluster.size, &a, &b);
        cluster.counts[r] = (int)((b - a) * width);
        cluster.offsets[r] = (int)((a - begin) * width);
    }
    return MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, values + begin * width,
                          cluster.counts, cluster.offsets, MPI_DOUBLE,
                          MPI_COMM_WORLD) == MPI_SUCCESS;
}

static bool exchange(McExchange *x, void *context)
{
    (void)context;
    if (!agree(&x->failed, x->failure, sizeof *x->failure))
        return false;
    for (size_t i = 0; x->failed < 0 && i < x->array_count; i++)
        if (!complete(x->arrays[i], (long)x->widths[i], x->begin, x->end))
            return false;
    return true;
}

static bool exchange_points(WhatIfExchange *x, void *context)
{
    (void)context;
    return agree(&x->failed, x->failure, sizeof *x->failure) &&
           (x->failed >= 0 || complete(x->values, (long)x->width, x->begin, x->end));
}

bool cluster_start(int *argc, char ***argv)
{
    int provided;
    /* OpenMP threads inside a process call no MPI: the main thread does the exchanges. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return false;
    MPI_Comm_rank(MPI_COMM_WORLD, &cluster.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &cluster.size);
    cluster.counts = malloc((size_t)cluster.size * sizeof *cluster.counts);
    cluster.offsets = malloc((size_t)cluster.size * sizeof *cluster.offsets);
    if (!cluster.counts || !cluster.offsets)
        cluster_abort(1);
    cluster.shards = (McShards){cluster.rank, cluster.size, exchange, NULL};
    cluster.points = (WhatIfShards){exchange_points, NULL};
    return true;
}

void cluster_stop(void)
{
    free(cluster.counts);
    free(cluster.offsets);
    MPI_Finalize();
}

int cluster_rank(void)
{
    return cluster.rank;
}

int cluster_size(void)
{
    return cluster.size;
}

const McShards *cluster_shards(void)
{
    return cluster.size > 1 ? &cluster.shards : NULL;
}

const WhatIfShards *cluster_point_shards(void)
{
    return cluster.size > 1 ? &cluster.points : NULL;
}

int cluster_agree(int code, int *first)
{
    int worst = code, lowest = code ? cluster.rank : INT_MAX;
    if (MPI_Allreduce(&code, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS ||
        MPI_Allreduce(MPI_IN_PLACE, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD) != MPI_SUCCESS)
        cluster_abort(1);
    *first = lowest == INT_MAX ? -1 : lowest;
    return worst;
}

void cluster_abort(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
    exit(code); /* not reached */
}

bool cluster_gather_rows(void *rows, size_t size, size_t count)
{
    /* Row i travels from process i % size to 0; rows are fixed-size plain structs. */
    for (size_t i = 0; i < count; i++) {
        int owner = (int)(i % (size_t)cluster.size);
        if (owner == 0)
            continue;
        char *row = (char *)rows + i * size;
        int tag = (int)(i % (size_t)INT_MAX);
        if (cluster.rank == owner &&
            MPI_Send(row, (int)size, MPI_BYTE, 0, tag, MPI_COMM_WORLD) != MPI_SUCCESS)
            return false;
        if (cluster.rank == 0 && MPI_Recv(row, (int)size, MPI_BYTE, owner, tag, MPI_COMM_WORLD,
                                          MPI_STATUS_IGNORE) != MPI_SUCCESS)
            return false;
    }
    return true;
}
