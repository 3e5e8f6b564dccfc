/*
 * scenario_pool.c — the string pool: every string a scenario holds, freed at once.
 */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

#define POOL_CHUNK 65536

typedef struct PoolChunk {
    struct PoolChunk *next;
    size_t used, size;
    char data[];
} PoolChunk;

struct StringPool {
    PoolChunk *chunks;
};

struct StringPool *scenario_pool_new(void)
{
    return calloc(1, sizeof(struct StringPool));
}

void scenario_pool_free(struct StringPool *pool)
{
    if (!pool)
        return;
    PoolChunk *c = pool->chunks;
    while (c) {
        PoolChunk *next = c->next;
        free(c);
        c = next;
    }
    free(pool);
}

const char *scenario_intern(Scenario *sc, const char *text, size_t len)
{
    PoolChunk *c = sc->pool->chunks;
    if (!c || c->size - c->used < len + 1) {
        size_t size = len + 1 > POOL_CHUNK ? len + 1 : POOL_CHUNK;
        PoolChunk *fresh = malloc(sizeof *fresh + size);
        if (!fresh)
            return NULL;
        fresh->size = size;
        fresh->used = 0;
        /* A chunk too big to share goes second so the current one keeps filling. */
        if (c && size > POOL_CHUNK) {
            fresh->next = c->next;
            c->next = fresh;
        } else {
            fresh->next = c;
            sc->pool->chunks = fresh;
        }
        c = fresh;
    }
    char *p = c->data + c->used;
    memcpy(p, text, len);
    p[len] = '\0';
    c->used += len + 1;
    return p;
}
