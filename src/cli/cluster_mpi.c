/*
 * cluster_mpi.c — one run shared among MPI processes (Open MPI), every collective on
 * MPI_COMM_WORLD in the same order on every process.
 *
 * The Monte Carlo's exchange after each block of iterations: first the earliest failed
 * iteration of any process (MINLOC), then, when none failed, each per-iteration array's block
 * gathered in place (MPI_Allgatherv), so every process holds every iteration in index order.
 * MPI state is process-wide by nature; it lives here, in the command line, and nowhere else.
 */
#include "cluster.h"

#include <limits.h>
#include <mpi.h>
#include <stdlib.h>

static struct {
    int rank, size;
    McShards shards;
    int *counts, *offsets; /* [size]: one block's parts, for Allgatherv */
} cluster;

static bool exchange(McExchange *x, void *context)
{
    (void)context;
    struct {
        long value;
        int rank;
    } mine = {x->failed < 0 ? LONG_MAX : x->failed, cluster.rank}, first;
    if (MPI_Allreduce(&mine, &first, 1, MPI_LONG_INT, MPI_MINLOC, MPI_COMM_WORLD) != MPI_SUCCESS)
        return false;
    if (first.value != LONG_MAX) {
        /* The earliest failure is reported by every process, as one process would. */
        x->failed = first.value;
        return MPI_Bcast(x->failure, (int)sizeof *x->failure, MPI_BYTE, first.rank,
                         MPI_COMM_WORLD) == MPI_SUCCESS;
    }
    for (size_t i = 0; i < x->array_count; i++) {
        long w = (long)x->widths[i]; /* values per iteration */
        for (int r = 0; r < cluster.size; r++) {
            long a, b;
            mc_shard_part(x->begin, x->end, r, cluster.size, &a, &b);
            cluster.counts[r] = (int)((b - a) * w);
            cluster.offsets[r] = (int)((a - x->begin) * w);
        }
        if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, x->arrays[i] + x->begin * w,
                           cluster.counts, cluster.offsets, MPI_DOUBLE,
                           MPI_COMM_WORLD) != MPI_SUCCESS)
            return false;
    }
    return true;
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
