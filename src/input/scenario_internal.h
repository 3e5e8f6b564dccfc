/*
 * scenario_internal.h — the few mutators a reader of clients (the CSV reader) needs on a
 * scenario being loaded. Not for stages after loading: a loaded Scenario is immutable.
 */
#ifndef BOOKVAL_SCENARIO_INTERNAL_H
#define BOOKVAL_SCENARIO_INTERNAL_H

#include <stddef.h>

#include "scenario.h"

/* A new, empty string pool, and its release (NULL is a no-op). */
struct StringPool *scenario_pool_new(void);
void scenario_pool_free(struct StringPool *pool);

/* A copy of text[0..len) in the scenario's pool, NUL-terminated; NULL when out of memory. */
const char *scenario_intern(Scenario *scenario, const char *text, size_t len);

/* The next client slot, initialised as scenario_client_init does (grown as needed); NULL
 * when out of memory. */
Client *scenario_add_client(Scenario *scenario);

#endif
