/*
 * scenario_clients.c — segments and the clients written inline, and the checks across the
 * whole book (unique ids). The CSV reader adds its clients through scenario_internal.h.
 */
#include "scenario_loader.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"

#define SCENARIO_MAX_SEGMENTS 1000

/* ---- assumptions shared by the scenario and its segments ---- */

/* Read the assumption `k` from value `v` into `a`. True when it is one of them. */
bool scenario_clients_read_assumption(Loader *L, const SchemaKey *k, const Node *v,
                                      const char *path,
                            Assumptions *a)
{
    switch (k->id) {
    case KEY_MARGIN:
        if (scenario_normalization_margin(L, v, path, a))
            return true;
        if (treeread_uncertain(&L->rd, v, path, &k->range, &a->margin))
            a->given |= GIVEN_MARGIN;
        return true;
    case KEY_REVENUE_GROWTH:
        if (treeread_uncertain(&L->rd, v, path, &k->range, &a->revenue_growth))
            a->given |= GIVEN_REVENUE_GROWTH;
        return true;
    case KEY_TRANSFER_RETENTION:
        if (treeread_uncertain(&L->rd, v, path, &k->range, &a->transfer_retention))
            a->given |= GIVEN_TRANSFER_RETENTION;
        return true;
    case KEY_RETENTION:
        if (treeread_retention(&L->rd, v, path, &k->range, &a->retention))
            a->given |= GIVEN_RETENTION;
        return true;
    default:
        return false;
    }
}

void scenario_clients_read_segments(Loader *L, const Node *n)
{
    if (!treeread_expect_map(&L->rd, n, "segments",
                             "a mapping of segment names to their assumptions"))
        return;
    if (n->count > SCENARIO_MAX_SEGMENTS) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "segments",
                 "%zu segments; at most %d (segments group clients that share assumptions)",
                 n->count, SCENARIO_MAX_SEGMENTS);
        return;
    }
    Scenario *sc = L->sc;
    sc->segments = calloc(n->count ? n->count : 1, sizeof *sc->segments);
    if (!sc->segments) {
        scenario_nomem(L);
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        const NodeEntry *e = &n->entries[i];
        char path[TREEREAD_PATH_MAX];
        treeread_join_path(path, "segments", e->key);
        Segment *seg = &sc->segments[sc->segment_count++];
        seg->name = scenario_intern(sc, e->key, strlen(e->key));
        seg->mark = scenario_keep_mark(L, e->key_mark);
        seg->assumptions = sc->defaults;
        seg->assumptions.given = 0;
        if (!seg->name) {
            scenario_nomem(L);
            return;
        }
        if (e->key[0] == '\0')
            bv_error(L->errors, BV_ERR_INPUT, &e->key_mark, "segments",
                     "a segment needs a non-empty name");
        if (!treeread_expect_map(&L->rd, e->value, path, "a mapping of assumptions"))
            continue;
        if (!treeread_check_keys(&L->rd, e->value, path, &schema_segment))
            continue;
        for (size_t j = 0; j < e->value->count; j++) {
            const NodeEntry *f = &e->value->entries[j];
            char fpath[TREEREAD_PATH_MAX];
            treeread_join_path(fpath, path, f->key);
            scenario_clients_read_assumption(L, schema_find(&schema_segment, f->key), f->value,
                                             fpath,
                            &seg->assumptions);
        }
    }
}

/* ---- clients ---- */

void scenario_client_init(Client *c)
{
    *c = (Client){.segment = -1, .name = "", .active = true,
                  .margin = (double)NAN, .retention = (double)NAN, .revenue_growth = (double)NAN,
                  .transfer_retention = (double)NAN};
}

int scenario_segment_index(const Scenario *sc, const char *name)
{
    for (size_t i = 0; i < sc->segment_count; i++)
        if (strcmp(sc->segments[i].name, name) == 0)
            return (int)i;
    return -1;
}

Client *scenario_add_client(Scenario *sc)
{
    /* Capacity is the next power of two above the count. */
    size_t n = sc->client_count;
    if (n == 0 || (n & (n - 1)) == 0) {
        size_t cap = n ? 2 * n : 64;
        Client *grown = realloc(sc->clients, cap * sizeof *grown);
        if (!grown)
            return NULL;
        sc->clients = grown;
    }
    Client *c = &sc->clients[sc->client_count++];
    scenario_client_init(c);
    return c;
}

static void segment_list(const Scenario *sc, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < sc->segment_count; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? ", " : "",
                 sc->segments[i].name);
    if (!sc->segment_count)
        snprintf(buf, size, "(none defined)");
}

static void read_client(Loader *L, const Node *n, const char *path)
{
    if (!treeread_expect_map(&L->rd, n, path, "a client mapping {id, annual_revenue, ...}") ||
        !treeread_check_keys(&L->rd, n, path, &schema_client))
        return;
    Client *c = scenario_add_client(L->sc);
    if (!c) {
        scenario_nomem(L);
        return;
    }
    c->mark = scenario_keep_mark(L, n->mark);
    for (size_t i = 0; i < schema_client.count; i++) {
        const SchemaKey *k = &schema_client.keys[i];
        const Node *v = tree_map_get(n, k->key);
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, path, k->key);
        if (!v) {
            if (k->required)
                bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "client needs '%s'", k->key);
            continue;
        }
        switch (k->id) {
        case KEY_ID:
            if (treeread_string(&L->rd, v, kp, &c->id))
                c->mark = scenario_keep_mark(L, v->mark); /* duplicate ids point at the id itself */
            if (c->id && c->id[0] == '\0')
                bv_error(L->errors, BV_ERR_INPUT, &v->mark, kp, "client id must not be empty");
            break;
        case KEY_CLIENT_NAME:
            treeread_string(&L->rd, v, kp, &c->name);
            break;
        case KEY_SEGMENT: {
            const char *name;
            if (treeread_string(&L->rd, v, kp, &name)) {
                c->segment = scenario_segment_index(L->sc, name);
                if (c->segment < 0) {
                    char list[400];
                    segment_list(L->sc, list, sizeof list);
                    bv_error(L->errors, BV_ERR_INPUT, &v->mark, kp,
                             "unknown segment '%s'; segments are: %s", name, list);
                }
            }
            break;
        }
        case KEY_ACTIVE:
            treeread_bool(&L->rd, v, kp, &c->active);
            break;
        default: {
            /* Every other client key is a number; its row says where it goes. */
            double *field = (double *)(void *)((char *)c + k->client_offset);
            treeread_number(&L->rd, v, kp, &k->range, false, field);
            break;
        }
        }
    }
}

void scenario_clients_read(Loader *L, const Node *n)
{
    if (!treeread_expect_seq(&L->rd, n, "clients", "a list of clients"))
        return;
    for (size_t i = 0; i < n->count; i++) {
        char path[TREEREAD_PATH_MAX];
        snprintf(path, sizeof path, "clients[%zu]", i);
        read_client(L, n->items[i], path);
    }
}

static int compare_client_ids(const void *a, const void *b)
{
    const Client *x = *(const Client *const *)a, *y = *(const Client *const *)b;
    int c = strcmp(x->id, y->id);
    if (c)
        return c;
    return (x > y) - (x < y); /* input order among equals: report the later one */
}

void scenario_clients_check_ids(Loader *L)
{
    Scenario *sc = L->sc;
    if (sc->client_count < 2)
        return;
    const Client **sorted = malloc(sc->client_count * sizeof *sorted);
    if (!sorted) {
        scenario_nomem(L);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < sc->client_count; i++)
        if (sc->clients[i].id)
            sorted[n++] = &sc->clients[i];
    qsort(sorted, n, sizeof *sorted, compare_client_ids);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(sorted[i]->id, sorted[i - 1]->id) == 0)
            bv_error(L->errors, BV_ERR_INPUT, &sorted[i]->mark, "clients",
                     "duplicate client id '%s' (first at %s:%d)", sorted[i]->id,
                     sorted[i - 1]->mark.file ? sorted[i - 1]->mark.file : "?",
                     sorted[i - 1]->mark.line);
    }
    free(sorted);
}

