/*
 * cluster_single.c — the ordinary build: one process, nothing to share or agree on.
 */
#include "cluster.h"

#include <stdlib.h>

bool cluster_start(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return true;
}

void cluster_stop(void) {}

int cluster_rank(void)
{
    return 0;
}

int cluster_size(void)
{
    return 1;
}

const McShards *cluster_shards(void)
{
    return NULL;
}

const WhatIfShards *cluster_point_shards(void)
{
    return NULL;
}

int cluster_agree(int code, int *first)
{
    *first = code ? 0 : -1;
    return code;
}

void cluster_abort(int code)
{
    exit(code);
}

bool cluster_gather_rows(void *rows, size_t size, size_t count)
{
    (void)rows;
    (void)size;
    (void)count;
    return true;
}
