/*
 * scenario.c — from YAML tree to validated Scenario.
 *
 * The order of work is the data flow of DESIGN §2: parse the file, merge what it extends
 * beneath it, merge each --set above it, then walk the merged tree once against the schema
 * tables, recording every error (validate reports them all) rather than stopping at the first.
 */
#include "scenario.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients_csv.h"
#include "schema.h"
#include "tree.h"
#include "yamltree.h"

#define EXTENDS_MAX_DEPTH 8
#define SCENARIO_MAX_SEGMENTS 1000
#define KEY_PATH_MAX BV_ERROR_KEY_MAX
#define POOL_CHUNK 65536

/* ---- string pool: every string a scenario holds, freed at once ---- */

typedef struct PoolChunk {
    struct PoolChunk *next;
    size_t used, size;
    char data[];
} PoolChunk;

struct StringPool {
    PoolChunk *chunks;
};

static void pool_free(struct StringPool *pool)
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

/* ---- the loader's state ---- */

typedef struct Loader {
    Scenario *sc;
    Tree *tree;
    BvErrors *errors;
    const char *models_dir;
    const char *last_file;   /* mark interning cache: tree's name ... */
    const char *last_copy;   /* ... and the scenario's copy */
} Loader;

static void nomem(Loader *L)
{
    bv_error(L->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
}

/* tree_merge, its only failure (out of memory) recorded. */
static Node *merge(Loader *L, Node *base, Node *patch)
{
    Node *merged = tree_merge(L->tree, base, patch);
    if (!merged && (base || patch))
        nomem(L);
    return merged;
}

/* Marks must outlive the tree: copy the file name into the scenario's pool. Out of memory,
 * the mark loses its file (and the load fails) rather than point into the freed tree. */
static Mark keep_mark(Loader *L, Mark m)
{
    if (m.file && m.file != L->last_file) {
        const char *copy = scenario_intern(L->sc, m.file, strlen(m.file));
        if (!copy) {
            nomem(L);
            return (Mark){NULL, 0, 0};
        }
        L->last_file = m.file;
        L->last_copy = copy;
    }
    if (m.file)
        m.file = L->last_copy;
    return m;
}

static void join_path(char *out, const char *parent, const char *key)
{
    snprintf(out, KEY_PATH_MAX, "%s%s%s", parent, parent[0] ? "." : "", key);
}

static const char *kind_text(const Node *n)
{
    if (n->kind == NODE_MAP)
        return "a mapping";
    if (n->kind == NODE_SEQ)
        return "a list";
    return "a value";
}

/* ---- scalars ---- */

static bool read_string(Loader *L, const Node *n, const char *path, const char **out)
{
    if (n->kind != NODE_SCALAR) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "expected text, got %s",
                 kind_text(n));
        return false;
    }
    if (tree_is_null(n)) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "has no value; expected text");
        return false;
    }
    *out = scenario_intern(L->sc, n->text, strlen(n->text));
    if (!*out)
        nomem(L);
    return *out != NULL;
}

static bool read_number(Loader *L, const Node *n, const char *path, const SchemaRange *range,
                        bool integer, double *out)
{
    char accepted[64];
    schema_range_text(range, accepted, sizeof accepted);
    const char *what = integer ? "an integer" : "a number";
    if (n->kind != NODE_SCALAR) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "expected %s in %s, got %s", what,
                 accepted, kind_text(n));
        return false;
    }
    if (tree_is_null(n)) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "has no value; expected %s in %s",
                 what, accepted);
        return false;
    }
    double x;
    bool parsed = schema_parse_number(n->text, &x);
    if (n->quoted) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected %s in %s, got the text \"%.40s\"%s", what, accepted, n->text,
                 parsed ? " (write numbers without quotes)" : "");
        return false;
    }
    if (!parsed) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected %s in %s, got '%.40s'%s", what, accepted, n->text,
                 strpbrk(n->text, "nN") ? " (NaN and infinity are not numbers here)" : "");
        return false;
    }
    if (integer && x != floor(x)) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "expected an integer in %s, got %s",
                 accepted, n->text);
        return false;
    }
    if (!schema_in_range(range, x)) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "%s is out of range; accepted: %s",
                 n->text, accepted);
        return false;
    }
    *out = x;
    return true;
}

static bool read_bool(Loader *L, const Node *n, const char *path, bool *out)
{
    if (n->kind != NODE_SCALAR || n->quoted || !schema_parse_bool(n->text, out)) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "expected true or false, got %s%s%s",
                 n->kind == NODE_SCALAR ? "'" : kind_text(n),
                 n->kind == NODE_SCALAR ? n->text : "", n->kind == NODE_SCALAR ? "'" : "");
        return false;
    }
    return true;
}

static bool read_enum(Loader *L, const Node *n, const char *path, const char *values, int *out)
{
    if (n->kind == NODE_SCALAR && !n->quoted) {
        int index = 0;
        const char *p = values;
        while (*p) {
            size_t len = strcspn(p, "|");
            if (strlen(n->text) == len && strncmp(n->text, p, len) == 0) {
                *out = index;
                return true;
            }
            p += len + (p[len] == '|');
            index++;
        }
    }
    bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "expected one of %s, got %s%.40s%s",
             values, n->kind == NODE_SCALAR ? "'" : kind_text(n),
             n->kind == NODE_SCALAR ? n->text : "", n->kind == NODE_SCALAR ? "'" : "");
    return false;
}

/* Report every key of `map` that `table` does not know, or that a later version owns. */
static bool check_keys(Loader *L, const Node *map, const char *path, const SchemaTable *table)
{
    bool ok = true;
    for (size_t i = 0; i < map->count; i++) {
        const NodeEntry *e = &map->entries[i];
        const SchemaKey *k = schema_find(table, e->key);
        char key_path[KEY_PATH_MAX];
        join_path(key_path, path, e->key);
        if (!k) {
            char list[512];
            schema_key_list(table, list, sizeof list);
            bv_error(L->errors, BV_ERR_INPUT, &e->key_mark, key_path,
                     "unknown key in %s; accepted keys: %s", table->name, list);
            ok = false;
        } else if (k->type == SCHEMA_LATER) {
            bv_error(L->errors, BV_ERR_INPUT, &e->key_mark, key_path, "%s", k->doc);
            ok = false;
        }
    }
    return ok;
}

static bool expect_map(Loader *L, const Node *n, const char *path, const char *what)
{
    if (n->kind == NODE_MAP)
        return true;
    bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "expected %s, got %s", what,
             tree_is_null(n) ? "no value" : kind_text(n));
    return false;
}

static bool expect_seq(Loader *L, const Node *n, const char *path, const char *what)
{
    if (n->kind == NODE_SEQ)
        return true;
    bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "expected %s, got %s", what,
             tree_is_null(n) ? "no value" : kind_text(n));
    return false;
}

/* ---- distributions ---- */

/* Read parameter `name` of a distribution; absent is reported when `required`. */
static bool dist_param(Loader *L, const Node *map, const char *path, const char *name,
                       bool required, double *out)
{
    static const SchemaRange any = {-HUGE_VAL, HUGE_VAL, false, false};
    const Node *v = tree_map_get(map, name);
    char p[KEY_PATH_MAX];
    join_path(p, path, name);
    if (!v) {
        if (required)
            bv_error(L->errors, BV_ERR_INPUT, &map->mark, path,
                     "distribution needs '%s'", name);
        return false;
    }
    return read_number(L, v, p, &any, false, out);
}

static bool read_dist_map(Loader *L, const Node *n, const char *path, Dist *out)
{
    const Node *kind_node = tree_map_get(n, "dist");
    char kinds[160] = "";
    for (int k = 0; k < DIST_KIND_COUNT; k++)
        snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s", k ? ", " : "",
                 dist_kind_name((DistKind)k));
    if (!kind_node) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected a number or a distribution {dist: KIND, ...} with KIND one of %s",
                 kinds);
        return false;
    }
    DistKind kind;
    if (kind_node->kind != NODE_SCALAR || !dist_kind_from_name(kind_node->text, &kind)) {
        bv_error(L->errors, BV_ERR_INPUT, &kind_node->mark, path,
                 "unknown distribution; accepted: %s", kinds);
        return false;
    }
    const char *const *names = dist_param_names(kind);
    bool ok = true;
    for (size_t i = 0; i < n->count; i++) {
        const char *key = n->entries[i].key;
        bool known = strcmp(key, "dist") == 0;
        for (size_t j = 0; names[j] && !known; j++)
            known = strcmp(key, names[j]) == 0;
        if (!known) {
            char list[128] = "";
            for (size_t j = 0; names[j]; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "",
                         names[j]);
            char p[KEY_PATH_MAX];
            join_path(p, path, key);
            bv_error(L->errors, BV_ERR_INPUT, &n->entries[i].key_mark, p,
                     "unknown parameter of a %s distribution; accepted: %s",
                     dist_kind_name(kind), list);
            ok = false;
        }
    }
    if (!ok)
        return false;

    Dist d = {.kind = kind, .min = -HUGE_VAL, .max = HUGE_VAL};
    switch (kind) {
    case DIST_FIXED:
        ok = dist_param(L, n, path, "value", true, &d.value);
        break;
    case DIST_UNIFORM:
        ok = dist_param(L, n, path, "min", true, &d.min);
        ok &= dist_param(L, n, path, "max", true, &d.max);
        break;
    case DIST_TRIANGULAR:
    case DIST_PERT:
        ok = dist_param(L, n, path, "min", true, &d.min);
        ok &= dist_param(L, n, path, "mode", true, &d.mode);
        ok &= dist_param(L, n, path, "max", true, &d.max);
        break;
    case DIST_NORMAL:
        ok = dist_param(L, n, path, "mean", true, &d.mean);
        ok &= dist_param(L, n, path, "sd", true, &d.sd);
        if (tree_map_get(n, "min"))
            ok &= dist_param(L, n, path, "min", false, &d.min);
        if (tree_map_get(n, "max"))
            ok &= dist_param(L, n, path, "max", false, &d.max);
        break;
    case DIST_LOGNORMAL:
        ok = dist_param(L, n, path, "mean", true, &d.mean);
        ok &= dist_param(L, n, path, "sd", true, &d.sd);
        break;
    case DIST_BETA: {
        bool by_moments = tree_map_get(n, "mean") || tree_map_get(n, "sd");
        bool by_shape = tree_map_get(n, "alpha") || tree_map_get(n, "beta");
        if (by_moments == by_shape) {
            bv_error(L->errors, BV_ERR_INPUT, &n->mark, path,
                     "a beta distribution takes either {mean, sd} or {alpha, beta}");
            return false;
        }
        if (by_shape) {
            ok = dist_param(L, n, path, "alpha", true, &d.alpha);
            ok &= dist_param(L, n, path, "beta", true, &d.beta);
        } else {
            ok = dist_param(L, n, path, "mean", true, &d.mean);
            ok &= dist_param(L, n, path, "sd", true, &d.sd);
            char why[200];
            if (ok && !dist_beta_from_moments(d.mean, d.sd, &d.alpha, &d.beta, why,
                                              sizeof why)) {
                bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "%s", why);
                return false;
            }
        }
        break;
    }
    case DIST_KIND_COUNT:
        ok = false;
        break;
    }
    if (!ok)
        return false;
    char why[200];
    if (!dist_check(&d, why, sizeof why)) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "%s", why);
        return false;
    }
    *out = d;
    return true;
}

/* A (D) value: a plain number or a distribution whose every value lies in `range`. */
static bool read_uncertain(Loader *L, const Node *n, const char *path, const SchemaRange *range,
                           Dist *out)
{
    if (n->kind != NODE_MAP) {
        double x;
        if (!read_number(L, n, path, range, false, &x))
            return false;
        *out = dist_fixed(x);
        return true;
    }
    Dist d;
    if (!read_dist_map(L, n, path, &d))
        return false;
    double lo, hi;
    dist_support(&d, &lo, &hi);
    bool lo_ok = isinf(lo) ? isinf(range->min) : schema_in_range(range, lo) ||
                                                     (d.kind == DIST_LOGNORMAL && lo >= range->min);
    bool hi_ok = isinf(hi) ? isinf(range->max) : schema_in_range(range, hi);
    if (!lo_ok || !hi_ok) {
        char accepted[64], support[64];
        schema_range_text(range, accepted, sizeof accepted);
        SchemaRange s = {lo, hi, false, false};
        schema_range_text(&s, support, sizeof support);
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path,
                 "a %s distribution here can take values in %s, outside the accepted range %s; "
                 "%s",
                 dist_kind_name(d.kind), support, accepted,
                 d.kind == DIST_NORMAL ? "truncate it with min and max"
                                       : "choose parameters or a distribution inside the range");
        return false;
    }
    *out = d;
    return true;
}

/* ---- retention ---- */

static bool read_retention(Loader *L, const Node *n, const char *path, const SchemaRange *range,
                           RetentionModel *out)
{
    RetentionModel m = {0};
    const Node *curve = n->kind == NODE_MAP ? tree_map_get(n, "curve") : NULL;
    const Node *sbg = n->kind == NODE_MAP ? tree_map_get(n, "sbg") : NULL;
    char p[KEY_PATH_MAX];
    if ((curve || sbg) && n->count != 1) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, path,
                 "retention is a number or distribution, {curve: [...]} or "
                 "{sbg: {alpha, beta}}: one of them");
        return false;
    }
    if (curve) {
        join_path(p, path, "curve");
        if (!expect_seq(L, curve, p, "a list of yearly retention rates"))
            return false;
        if (curve->count < 1 || curve->count > RETENTION_CURVE_MAX) {
            bv_error(L->errors, BV_ERR_INPUT, &curve->mark, p,
                     "a curve has 1 to %d yearly rates, got %zu", RETENTION_CURVE_MAX,
                     curve->count);
            return false;
        }
        bool ok = true;
        for (size_t i = 0; i < curve->count; i++) {
            char item[KEY_PATH_MAX];
            snprintf(item, sizeof item, "%s[%zu]", p, i);
            ok &= read_number(L, curve->items[i], item, range, false, &m.curve[i]);
        }
        m.kind = RETENTION_CURVE;
        m.curve_len = (int)curve->count;
        if (ok)
            *out = m;
        return ok;
    }
    if (sbg) {
        static const SchemaRange positive = {0, HUGE_VAL, true, false};
        join_path(p, path, "sbg");
        if (!expect_map(L, sbg, p, "{alpha, beta}"))
            return false;
        bool ok = true;
        for (size_t i = 0; i < sbg->count; i++) {
            const char *key = sbg->entries[i].key;
            if (strcmp(key, "alpha") != 0 && strcmp(key, "beta") != 0) {
                char kp[KEY_PATH_MAX];
                join_path(kp, p, key);
                bv_error(L->errors, BV_ERR_INPUT, &sbg->entries[i].key_mark, kp,
                         "unknown key in sbg; accepted keys: alpha, beta");
                ok = false;
            }
        }
        const char *names[2] = {"alpha", "beta"};
        double *fields[2] = {&m.alpha, &m.beta};
        for (int i = 0; i < 2; i++) {
            const Node *v = tree_map_get(sbg, names[i]);
            char kp[KEY_PATH_MAX];
            join_path(kp, p, names[i]);
            if (!v) {
                bv_error(L->errors, BV_ERR_INPUT, &sbg->mark, p, "sbg needs '%s' (> 0)",
                         names[i]);
                ok = false;
            } else {
                ok &= read_number(L, v, kp, &positive, false, fields[i]);
            }
        }
        m.kind = RETENTION_SBG;
        if (ok)
            *out = m;
        return ok;
    }
    m.kind = RETENTION_CONSTANT;
    if (!read_uncertain(L, n, path, range, &m.constant))
        return false;
    *out = m;
    return true;
}

/* ---- assumptions shared by the scenario and its segments ---- */

/* Read the assumption `k` from value `v` into `a`. True when it is one of them. */
static bool read_assumption(Loader *L, const SchemaKey *k, const Node *v, const char *path,
                            Assumptions *a)
{
    switch (k->id) {
    case KEY_MARGIN:
        if (read_uncertain(L, v, path, &k->range, &a->margin))
            a->given |= GIVEN_MARGIN;
        return true;
    case KEY_REVENUE_GROWTH:
        if (read_uncertain(L, v, path, &k->range, &a->revenue_growth))
            a->given |= GIVEN_REVENUE_GROWTH;
        return true;
    case KEY_TRANSFER_RETENTION:
        if (read_uncertain(L, v, path, &k->range, &a->transfer_retention))
            a->given |= GIVEN_TRANSFER_RETENTION;
        return true;
    case KEY_RETENTION:
        if (read_retention(L, v, path, &k->range, &a->retention))
            a->given |= GIVEN_RETENTION;
        return true;
    default:
        return false;
    }
}

static void read_segments(Loader *L, const Node *n)
{
    if (!expect_map(L, n, "segments", "a mapping of segment names to their assumptions"))
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
        nomem(L);
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        const NodeEntry *e = &n->entries[i];
        char path[KEY_PATH_MAX];
        join_path(path, "segments", e->key);
        Segment *seg = &sc->segments[sc->segment_count++];
        seg->name = scenario_intern(sc, e->key, strlen(e->key));
        seg->mark = keep_mark(L, e->key_mark);
        seg->assumptions = sc->defaults;
        seg->assumptions.given = 0;
        if (!seg->name) {
            nomem(L);
            return;
        }
        if (e->key[0] == '\0')
            bv_error(L->errors, BV_ERR_INPUT, &e->key_mark, "segments",
                     "a segment needs a non-empty name");
        if (!expect_map(L, e->value, path, "a mapping of assumptions"))
            continue;
        if (!check_keys(L, e->value, path, &schema_segment))
            continue;
        for (size_t j = 0; j < e->value->count; j++) {
            const NodeEntry *f = &e->value->entries[j];
            char fpath[KEY_PATH_MAX];
            join_path(fpath, path, f->key);
            read_assumption(L, schema_find(&schema_segment, f->key), f->value, fpath,
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
    if (!expect_map(L, n, path, "a client mapping {id, annual_revenue, ...}") ||
        !check_keys(L, n, path, &schema_client))
        return;
    Client *c = scenario_add_client(L->sc);
    if (!c) {
        nomem(L);
        return;
    }
    c->mark = keep_mark(L, n->mark);
    for (size_t i = 0; i < schema_client.count; i++) {
        const SchemaKey *k = &schema_client.keys[i];
        const Node *v = tree_map_get(n, k->key);
        char kp[KEY_PATH_MAX];
        join_path(kp, path, k->key);
        if (!v) {
            if (k->required)
                bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "client needs '%s'", k->key);
            continue;
        }
        switch (k->id) {
        case KEY_ID:
            if (read_string(L, v, kp, &c->id))
                c->mark = keep_mark(L, v->mark); /* duplicate ids point at the id itself */
            if (c->id && c->id[0] == '\0')
                bv_error(L->errors, BV_ERR_INPUT, &v->mark, kp, "client id must not be empty");
            break;
        case KEY_CLIENT_NAME:
            read_string(L, v, kp, &c->name);
            break;
        case KEY_SEGMENT: {
            const char *name;
            if (read_string(L, v, kp, &name)) {
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
            read_bool(L, v, kp, &c->active);
            break;
        default: {
            double *field = k->id == KEY_ANNUAL_REVENUE        ? &c->annual_revenue
                            : k->id == KEY_TENURE_YEARS        ? &c->tenure_years
                            : k->id == KEY_RECEIVABLE          ? &c->receivable
                            : k->id == KEY_RECEIVABLE_AGE_DAYS ? &c->receivable_age_days
                            : k->id == KEY_MARGIN              ? &c->margin
                            : k->id == KEY_RETENTION           ? &c->retention
                            : k->id == KEY_REVENUE_GROWTH      ? &c->revenue_growth
                                                               : &c->transfer_retention;
            read_number(L, v, kp, &k->range, false, field);
            break;
        }
        }
    }
}

static void read_clients(Loader *L, const Node *n)
{
    if (!expect_seq(L, n, "clients", "a list of clients"))
        return;
    for (size_t i = 0; i < n->count; i++) {
        char path[KEY_PATH_MAX];
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

static void check_unique_ids(Loader *L)
{
    Scenario *sc = L->sc;
    if (sc->client_count < 2)
        return;
    const Client **sorted = malloc(sc->client_count * sizeof *sorted);
    if (!sorted) {
        nomem(L);
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

/* ---- market and provision ---- */

static void read_market(Loader *L, const Node *n)
{
    if (!expect_map(L, n, "market", "{multiple_low, multiple_high}") ||
        !check_keys(L, n, "market", &schema_market))
        return;
    bool ok = true;
    double *fields[2] = {&L->sc->multiple_low, &L->sc->multiple_high};
    for (size_t i = 0; i < schema_market.count; i++) {
        const SchemaKey *k = &schema_market.keys[i];
        const Node *v = tree_map_get(n, k->key);
        char kp[KEY_PATH_MAX];
        join_path(kp, "market", k->key);
        if (!v) {
            bv_error(L->errors, BV_ERR_INPUT, &n->mark, "market", "market needs '%s'", k->key);
            ok = false;
            continue;
        }
        ok &= read_number(L, v, kp, &k->range, false, fields[k->id == KEY_MULTIPLE_HIGH]);
    }
    if (ok && L->sc->multiple_high < L->sc->multiple_low) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "market",
                 "multiple_high (%g) is below multiple_low (%g)", L->sc->multiple_high,
                 L->sc->multiple_low);
        ok = false;
    }
    L->sc->has_market = ok;
}

static void read_provision(Loader *L, const Node *n)
{
    static const SchemaRange days = {0, HUGE_VAL, false, false};
    static const SchemaRange rate = {0, 1, false, false};
    if (!expect_map(L, n, "provision", "{buckets: [[days, rate], ...]}") ||
        !check_keys(L, n, "provision", &schema_provision))
        return;
    const Node *b = tree_map_get(n, "buckets");
    if (!b) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "provision", "provision needs 'buckets'");
        return;
    }
    if (!expect_seq(L, b, "provision.buckets", "a list of [days, rate] pairs"))
        return;
    if (b->count == 0 || b->count > 64) {
        bv_error(L->errors, BV_ERR_INPUT, &b->mark, "provision.buckets",
                 "give 1 to 64 [days, rate] buckets, got %zu", b->count);
        return;
    }
    Scenario *sc = L->sc;
    sc->provision = calloc(b->count, sizeof *sc->provision);
    if (!sc->provision) {
        nomem(L);
        return;
    }
    for (size_t i = 0; i < b->count; i++) {
        const Node *pair = b->items[i];
        char kp[KEY_PATH_MAX];
        snprintf(kp, sizeof kp, "provision.buckets[%zu]", i);
        if (pair->kind != NODE_SEQ || pair->count != 2) {
            bv_error(L->errors, BV_ERR_INPUT, &pair->mark, kp,
                     "expected a [days, rate] pair");
            continue;
        }
        ProvisionBucket *pb = &sc->provision[sc->provision_count++];
        char dp[KEY_PATH_MAX], rp[KEY_PATH_MAX];
        snprintf(dp, sizeof dp, "%s[0]", kp);
        snprintf(rp, sizeof rp, "%s[1]", kp);
        bool ok = read_number(L, pair->items[0], dp, &days, false, &pb->age_days);
        read_number(L, pair->items[1], rp, &rate, false, &pb->rate);
        if (ok && i == 0 && pb->age_days != 0)
            bv_error(L->errors, BV_ERR_INPUT, &pair->items[0]->mark, dp,
                     "the first bucket starts at 0 days (every receivable needs a rate), got %g",
                     pb->age_days);
        if (ok && i > 0 && !(pb->age_days > sc->provision[i - 1].age_days))
            bv_error(L->errors, BV_ERR_INPUT, &pair->items[0]->mark, dp,
                     "bucket ages must increase: %g follows %g", pb->age_days,
                     sc->provision[i - 1].age_days);
    }
}

/* ---- Monte Carlo and correlations ---- */

static void read_precision(Loader *L, const Node *n, MonteCarloSpec *mc)
{
    const char *path = "monte_carlo.precision";
    if (!expect_map(L, n, path, "{relative, confidence, max_iterations}") ||
        !check_keys(L, n, path, &schema_precision))
        return;
    mc->has_precision = true;
    for (size_t i = 0; i < schema_precision.count; i++) {
        const SchemaKey *k = &schema_precision.keys[i];
        const Node *v = tree_map_get(n, k->key);
        char kp[KEY_PATH_MAX];
        join_path(kp, path, k->key);
        double x;
        if (!v) {
            if (k->required)
                bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "precision needs '%s'",
                         k->key);
            continue;
        }
        if (!read_number(L, v, kp, &k->range, k->type == SCHEMA_INTEGER, &x))
            continue;
        if (k->id == KEY_RELATIVE)
            mc->relative = x;
        else if (k->id == KEY_CONFIDENCE)
            mc->confidence = x;
        else
            mc->iterations = (long)x; /* max_iterations bounds the run */
    }
}

static void read_monte_carlo(Loader *L, const Node *n)
{
    MonteCarloSpec *mc = &L->sc->monte_carlo;
    if (!expect_map(L, n, "monte_carlo", "{iterations, seed, client_churn, sampling}") ||
        !check_keys(L, n, "monte_carlo", &schema_monte_carlo))
        return;
    mc->enabled = true;
    mc->mark = keep_mark(L, n->mark);
    const Node *precision = tree_map_get(n, "precision");
    for (size_t i = 0; i < schema_monte_carlo.count; i++) {
        const SchemaKey *k = &schema_monte_carlo.keys[i];
        const Node *v = tree_map_get(n, k->key);
        char kp[KEY_PATH_MAX];
        join_path(kp, "monte_carlo", k->key);
        if (!v)
            continue;
        double x;
        int choice;
        switch (k->id) {
        case KEY_ITERATIONS:
            /* With a precision stop, max_iterations (when given) bounds the run instead. */
            if (read_number(L, v, kp, &k->range, true, &x) &&
                !(precision && tree_map_get(precision, "max_iterations")))
                mc->iterations = (long)x;
            break;
        case KEY_SEED:
            if (read_number(L, v, kp, &k->range, true, &x))
                mc->seed = (unsigned long long)x;
            break;
        case KEY_CLIENT_CHURN:
            read_bool(L, v, kp, &mc->client_churn);
            break;
        case KEY_SAMPLING:
            if (read_enum(L, v, kp, k->values, &choice))
                mc->sampling = (Sampling)choice;
            break;
        case KEY_PRECISION:
            read_precision(L, v, mc);
            break;
        default:
            break;
        }
    }
}

static void read_correlations(Loader *L, const Node *n)
{
    if (!expect_seq(L, n, "correlations", "a list of {between: [PATH, PATH], rank: r}"))
        return;
    Scenario *sc = L->sc;
    sc->correlations = calloc(n->count ? n->count : 1, sizeof *sc->correlations);
    if (!sc->correlations) {
        nomem(L);
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        const Node *e = n->items[i];
        char path[KEY_PATH_MAX], kp[KEY_PATH_MAX];
        snprintf(path, sizeof path, "correlations[%zu]", i);
        if (!expect_map(L, e, path, "{between: [PATH, PATH], rank: r}") ||
            !check_keys(L, e, path, &schema_correlation))
            continue;
        const Node *between = tree_map_get(e, "between");
        const Node *rank = tree_map_get(e, "rank");
        if (!between || !rank) {
            bv_error(L->errors, BV_ERR_INPUT, &e->mark, path, "a correlation needs '%s'",
                     between ? "rank" : "between");
            continue;
        }
        Correlation c = {.mark = keep_mark(L, e->mark)};
        join_path(kp, path, "between");
        if (between->kind != NODE_SEQ || between->count != 2) {
            bv_error(L->errors, BV_ERR_INPUT, &between->mark, kp,
                     "expected two input paths, e.g. [discount_rate, revenue_growth]");
            continue;
        }
        bool ok = read_string(L, between->items[0], kp, &c.a);
        ok &= read_string(L, between->items[1], kp, &c.b);
        join_path(kp, path, "rank");
        ok &= read_number(L, rank, kp, &schema_correlation.keys[1].range, false, &c.rank);
        if (ok)
            sc->correlations[sc->correlation_count++] = c;
    }
}

/* ---- deal, seller, buyer ---- */

/*
 * Read the number, integer and boolean keys of `map` by `table` into out[i] (booleans as 0/1;
 * 0 for an absent key), setting given[i]; report unknown keys and missing required ones. Structures and enums are
 * left to the caller. True when every key read was valid.
 */
static bool read_fields(Loader *L, const Node *map, const char *path, const SchemaTable *table,
                        double *out, bool *given)
{
    if (!expect_map(L, map, path, "a mapping") || !check_keys(L, map, path, table))
        return false;
    bool ok = true;
    for (size_t i = 0; i < table->count; i++) {
        const SchemaKey *k = &table->keys[i];
        const Node *v = tree_map_get(map, k->key);
        char kp[KEY_PATH_MAX];
        join_path(kp, path, k->key);
        given[i] = v != NULL;
        out[i] = 0; /* an absent key reads as 0; callers apply other defaults by given[] */
        if (!v) {
            if (k->required) {
                bv_error(L->errors, BV_ERR_INPUT, &map->mark, path, "needs '%s' (%s)", k->key,
                         k->doc);
                ok = false;
            }
            continue;
        }
        if (k->type == SCHEMA_NUMBER || k->type == SCHEMA_INTEGER) {
            ok &= read_number(L, v, kp, &k->range, k->type == SCHEMA_INTEGER, &out[i]);
        } else if (k->type == SCHEMA_BOOL) {
            bool b = false;
            ok &= read_bool(L, v, kp, &b);
            out[i] = b;
        }
    }
    return ok;
}

/* A list of {year, share}-like mappings read by `table` (two numeric keys); a year above
 * `max_year` (when > 0) is reported at its value: nothing is projected beyond the horizon. */
static YearShare *read_year_shares(Loader *L, const Node *n, const char *path,
                                   const SchemaTable *table, int max_year, size_t *count)
{
    *count = 0;
    if (!expect_seq(L, n, path, "a list"))
        return NULL;
    YearShare *items = calloc(n->count ? n->count : 1, sizeof *items);
    if (!items) {
        nomem(L);
        return NULL;
    }
    for (size_t i = 0; i < n->count; i++) {
        char ip[KEY_PATH_MAX];
        snprintf(ip, sizeof ip, "%s[%zu]", path, i);
        double v[2];
        bool given[2];
        if (!read_fields(L, n->items[i], ip, table, v, given))
            continue;
        YearShare y = {(int)v[0], v[1]};
        if (max_year > 0 && y.year > max_year) {
            const Node *year = tree_map_get(n->items[i], table->keys[0].key);
            char kp[KEY_PATH_MAX];
            join_path(kp, ip, table->keys[0].key);
            bv_error(L->errors, BV_ERR_INPUT, &year->mark, kp,
                     "%d is beyond the horizon (%d years): nothing is projected there", y.year,
                     max_year);
        }
        for (size_t j = 0; j < *count; j++)
            if (items[j].year == y.year)
                bv_error(L->errors, BV_ERR_INPUT, &n->items[i]->mark, ip,
                         "year %d appears twice", y.year);
        size_t at = *count; /* keep ascending years */
        while (at > 0 && items[at - 1].year > y.year) {
            items[at] = items[at - 1];
            at--;
        }
        items[at] = y;
        (*count)++;
    }
    return items;
}

static void read_deal(Loader *L, const Node *n)
{
    Scenario *sc = L->sc;
    DealSpec *deal = &sc->deal;
    if (!expect_map(L, n, "deal", "{price, payments, ...}") ||
        !check_keys(L, n, "deal", &schema_deal))
        return;
    deal->enabled = true;
    deal->mark = keep_mark(L, n->mark);
    int H = sc->horizon_years;
    const Node *price = tree_map_get(n, "price");
    if (!price) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "deal",
                 "needs 'price': an amount, or {multiple: m} x annual revenue");
    } else if (price->kind == NODE_MAP) {
        static const SchemaRange multiple = {0, HUGE_VAL, false, false};
        const Node *m = tree_map_get(price, "multiple");
        for (size_t i = 0; i < price->count; i++) {
            if (strcmp(price->entries[i].key, "multiple") != 0) {
                char kp[KEY_PATH_MAX];
                join_path(kp, "deal.price", price->entries[i].key);
                bv_error(L->errors, BV_ERR_INPUT, &price->entries[i].key_mark, kp,
                         "unknown key; a price is an amount or {multiple: m}");
            }
        }
        if (!m)
            bv_error(L->errors, BV_ERR_INPUT, &price->mark, "deal.price",
                     "expected an amount or {multiple: m}");
        else if (read_number(L, m, "deal.price.multiple", &multiple, false, &deal->price) &&
                 price->count == 1)
            deal->price_is_multiple = true;
    } else {
        read_number(L, price, "deal.price", &schema_deal.keys[0].range, false, &deal->price);
    }
    const Node *v;
    if ((v = tree_map_get(n, "adjustment"))) {
        double f[2];
        bool given[2];
        if (read_fields(L, v, "deal.adjustment", &schema_adjustment, f, given)) {
            deal->has_adjustment = true;
            deal->measure_year = (int)f[0];
            deal->adjustment_multiple = f[1];
            if (deal->measure_year > H)
                bv_error(L->errors, BV_ERR_INPUT, &tree_map_get(v, "measure_year")->mark,
                         "deal.adjustment.measure_year",
                         "year %d is beyond the horizon (%d years): retained revenue is "
                         "projected only within it",
                         deal->measure_year, H);
        }
    }
    if ((v = tree_map_get(n, "payments"))) {
        deal->payments = read_year_shares(L, v, "deal.payments", &schema_payment, 0,
                                          &deal->payment_count);
        double sum = 0;
        for (size_t i = 0; i < deal->payment_count; i++)
            sum += deal->payments[i].share;
        if (v->kind == NODE_SEQ && v->count == 0)
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, "deal.payments",
                     "needs at least one {year, share}");
        else if (deal->payment_count && fabs(sum - 1) > 1e-9)
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, "deal.payments",
                     "the shares sum to %.10g; they must sum to 1", sum);
    } else {
        deal->payments = calloc(1, sizeof *deal->payments);
        if (!deal->payments) {
            nomem(L);
            return;
        }
        deal->payments[0] = (YearShare){0, 1};
        deal->payment_count = 1;
    }
    if ((v = tree_map_get(n, "interest_rate")))
        read_number(L, v, "deal.interest_rate", &schema_deal.keys[3].range, false,
                    &deal->interest_rate);
    if ((v = tree_map_get(n, "earn_out"))) {
        deal->earn_outs = read_year_shares(L, v, "deal.earn_out", &schema_earn_out, H,
                                           &deal->earn_out_count);
    }
    if ((v = tree_map_get(n, "clawback"))) {
        size_t count;
        YearShare *tiers = read_year_shares(L, v, "deal.clawback", &schema_clawback, H, &count);
        deal->clawbacks = calloc(count ? count : 1, sizeof *deal->clawbacks);
        if (!deal->clawbacks) {
            free(tiers);
            nomem(L);
            return;
        }
        for (size_t i = 0; i < count; i++)
            deal->clawbacks[i] = (ClawbackTier){tiers[i].year, tiers[i].share};
        deal->clawback_count = count;
        free(tiers);
    }
}

static void read_tax(Loader *L, const Node *n, SellerSpec *seller)
{
    static const SchemaRange from = {0, HUGE_VAL, false, false};
    static const SchemaRange rate = {0, 1, false, false};
    double f[3];
    bool given[3];
    if (!read_fields(L, n, "seller.tax", &schema_tax, f, given))
        return;
    seller->installment_method = given[1] ? f[1] != 0 : true;
    const Node *apply = tree_map_get(n, "brackets_apply");
    int choice;
    if (apply && read_enum(L, apply, "seller.tax.brackets_apply", schema_tax.keys[2].values,
                           &choice))
        seller->cumulative = choice == 1;
    const Node *b = tree_map_get(n, "brackets");
    if (!expect_seq(L, b, "seller.tax.brackets", "a list of [from, rate] pairs"))
        return;
    if (b->count == 0 || b->count > 64) {
        bv_error(L->errors, BV_ERR_INPUT, &b->mark, "seller.tax.brackets",
                 "give 1 to 64 [from, rate] brackets, got %zu", b->count);
        return;
    }
    seller->brackets = calloc(b->count, sizeof *seller->brackets);
    if (!seller->brackets) {
        nomem(L);
        return;
    }
    for (size_t i = 0; i < b->count; i++) {
        const Node *pair = b->items[i];
        char kp[KEY_PATH_MAX], fp[KEY_PATH_MAX], rp[KEY_PATH_MAX];
        snprintf(kp, sizeof kp, "seller.tax.brackets[%zu]", i);
        snprintf(fp, sizeof fp, "%s[0]", kp);
        snprintf(rp, sizeof rp, "%s[1]", kp);
        if (pair->kind != NODE_SEQ || pair->count != 2) {
            bv_error(L->errors, BV_ERR_INPUT, &pair->mark, kp, "expected a [from, rate] pair");
            continue;
        }
        TaxBracket *t = &seller->brackets[seller->bracket_count++];
        bool ok = read_number(L, pair->items[0], fp, &from, false, &t->from);
        read_number(L, pair->items[1], rp, &rate, false, &t->rate);
        if (ok && i == 0 && t->from != 0)
            bv_error(L->errors, BV_ERR_INPUT, &pair->items[0]->mark, fp,
                     "the first bracket starts at 0, got %g", t->from);
        if (ok && i > 0 && !(t->from > seller->brackets[i - 1].from))
            bv_error(L->errors, BV_ERR_INPUT, &pair->items[0]->mark, fp,
                     "brackets must ascend: %g follows %g", t->from,
                     seller->brackets[i - 1].from);
    }
}

/* seller.keep: how the seller would keep the practice (DESIGN §7). */
static void read_keep(Loader *L, const Node *n, SellerSpec *seller)
{
    KeepSpec *k = &seller->keep;
    double f[6];
    bool given[6];
    k->mark = keep_mark(L, n->mark);
    if (!read_fields(L, n, "seller.keep", &schema_keep, f, given))
        return;
    *k = (KeepSpec){.enabled = true, .has_margin = given[0], .margin = f[0], .owner_compensation = f[1],
                    .has_compensation_growth = given[2], .compensation_growth = f[2],
                    .years = given[3] ? (int)f[3] : 0, .has_discount_rate = true,
                    .discount_rate = f[4], .mark = k->mark};
    if (given[3] && k->years > L->sc->horizon_years) {
        const Node *years = tree_map_get(n, "years");
        bv_error(L->errors, BV_ERR_INPUT, &years->mark, "seller.keep.years",
                 "%d is beyond the horizon: give 1 to %d (horizon_years)", k->years,
                 L->sc->horizon_years);
    }
    const Node *exit = tree_map_get(n, "exit");
    if (!exit || (exit->kind == NODE_SCALAR && strcmp(exit->text, "none") == 0))
        return;
    double m[1];
    bool m_given[1];
    if (exit->kind != NODE_MAP) {
        bv_error(L->errors, BV_ERR_INPUT, &exit->mark, "seller.keep.exit",
                 "expected none or {multiple: m} (m >= 0: x that year's revenue)");
        return;
    }
    if (read_fields(L, exit, "seller.keep.exit", &schema_exit, m, m_given)) {
        k->has_exit = true;
        k->exit_multiple = m[0];
    }
}

static void read_seller(Loader *L, const Node *n)
{
    SellerSpec *s = &L->sc->seller;
    double f[6];
    bool given[6];
    if (!read_fields(L, n, "seller", &schema_seller, f, given))
        return;
    *s = (SellerSpec){.enabled = true, .tax_basis = f[0], .carrying_amount = f[1],
                      .selling_costs = f[2], .discount_rate = f[3], .installment_method = true,
                      .income_tax_rate = given[5] ? f[5] : 0};
    const Node *tax = tree_map_get(n, "tax");
    if (tax)
        read_tax(L, tax, s);
    const Node *keep = tree_map_get(n, "keep");
    if (keep)
        read_keep(L, keep, s);
}

static void read_buyer(Loader *L, const Node *n)
{
    BuyerSpec *b = &L->sc->buyer;
    double f[4];
    bool given[4];
    if (!read_fields(L, n, "buyer", &schema_buyer, f, given))
        return;
    *b = (BuyerSpec){.enabled = true, .has_discount_rate = given[0], .discount_rate = f[0],
                     .acquisition_costs = given[1] ? f[1] : 0, .tax_rate = given[2] ? f[2] : 0,
                     .amortization_years = given[3] ? (int)f[3] : 15};
}

/* ---- what-if: variants and sensitivity ---- */

bool scenario_parameter(const Scenario *sc, const char *path, const Dist **dist,
                        double *range_min, double *range_max)
{
    const Assumptions *a = &sc->defaults;
    const char *key = path;
    if (strcmp(path, "discount_rate") == 0) {
        *dist = &sc->discount_rate;
        *range_min = -1;
        *range_max = HUGE_VAL;
        return true;
    }
    if (strncmp(path, "segments.", 9) == 0) {
        const char *name = path + 9, *dot = strrchr(name, '.');
        if (!dot)
            return false;
        a = NULL;
        for (size_t i = 0; i < sc->segment_count && !a; i++)
            if (strlen(sc->segments[i].name) == (size_t)(dot - name) &&
                strncmp(sc->segments[i].name, name, (size_t)(dot - name)) == 0)
                a = &sc->segments[i].assumptions;
        if (!a)
            return false;
        key = dot + 1;
    }
    const SchemaKey *k = schema_find(&schema_segment, key);
    if (!k)
        return false;
    *range_min = k->range.min;
    *range_max = k->range.max;
    switch (k->id) {
    case KEY_MARGIN:
        *dist = &a->margin;
        return true;
    case KEY_REVENUE_GROWTH:
        *dist = &a->revenue_growth;
        return true;
    case KEY_TRANSFER_RETENTION:
        *dist = &a->transfer_retention;
        return true;
    case KEY_RETENTION:
        *dist = &a->retention.constant;
        return a->retention.kind == RETENTION_CONSTANT;
    default:
        return false;
    }
}

/* The accepted range of a what-if parameter (its schema key's). */
static void parameter_range(const Scenario *sc, const char *path, SchemaRange *range)
{
    const char *key = strrchr(path, '.');
    const SchemaKey *k = schema_find(strcmp(path, "discount_rate") == 0 ? &schema_scenario
                                                                        : &schema_segment,
                                     key ? key + 1 : path);
    (void)sc;
    if (k)
        *range = k->range;
}

/* A what-if parameter path, checked against the scenario (segments are read by now). */
static bool check_parameter(Loader *L, const Node *n, const char *path, const char **out)
{
    const Dist *d;
    double lo, hi;
    if (!read_string(L, n, path, out))
        return false;
    if (scenario_parameter(L->sc, *out, &d, &lo, &hi))
        return true;
    bv_error(L->errors, BV_ERR_INPUT, &n->mark, path,
             "'%s' is not a parameter a what-if can vary: use discount_rate, margin, "
             "revenue_growth, transfer_retention, a constant retention, or segments.NAME.KEY "
             "for one of them",
             *out);
    return false;
}

static void read_variants(Loader *L, const Node *n)
{
    if (!expect_seq(L, n, "variants", "a list of {name, set: {PATH: VALUE}}"))
        return;
    Scenario *sc = L->sc;
    sc->variants = calloc(n->count ? n->count : 1, sizeof *sc->variants);
    if (!sc->variants) {
        nomem(L);
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        const Node *v = n->items[i];
        char path[KEY_PATH_MAX];
        snprintf(path, sizeof path, "variants[%zu]", i);
        if (!expect_map(L, v, path, "{name, set: {PATH: VALUE, ...}}"))
            continue;
        const Node *name = tree_map_get(v, "name"), *set = tree_map_get(v, "set");
        for (size_t j = 0; j < v->count; j++) {
            if (strcmp(v->entries[j].key, "name") && strcmp(v->entries[j].key, "set")) {
                char kp[KEY_PATH_MAX];
                join_path(kp, path, v->entries[j].key);
                bv_error(L->errors, BV_ERR_INPUT, &v->entries[j].key_mark, kp,
                         "unknown key in a variant; accepted keys: name, set");
            }
        }
        if (!name || !set) {
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, path, "a variant needs '%s'",
                     name ? "set" : "name");
            continue;
        }
        VariantSpec var = {.mark = keep_mark(L, v->mark)};
        char kp[KEY_PATH_MAX];
        join_path(kp, path, "name");
        if (!read_string(L, name, kp, &var.name))
            continue;
        join_path(kp, path, "set");
        if (!expect_map(L, set, kp, "a mapping of PATH: VALUE"))
            continue;
        for (size_t j = 0; j < sc->variant_count; j++)
            if (strcmp(sc->variants[j].name, var.name) == 0)
                bv_error(L->errors, BV_ERR_INPUT, &name->mark, path,
                         "two variants are called '%s'", var.name);
        sc->variants[sc->variant_count++] = var;
    }
}

static void read_sensitivity(Loader *L, const Node *n)
{
    static const SchemaRange any = {-HUGE_VAL, HUGE_VAL, false, false};
    Scenario *sc = L->sc;
    if (!expect_map(L, n, "sensitivity", "{tornado: [...], grid: {...}}"))
        return;
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->entries[i].key, "tornado") && strcmp(n->entries[i].key, "grid")) {
            char kp[KEY_PATH_MAX];
            join_path(kp, "sensitivity", n->entries[i].key);
            bv_error(L->errors, BV_ERR_INPUT, &n->entries[i].key_mark, kp,
                     "unknown key in sensitivity; accepted keys: tornado, grid");
        }
    const Node *t = tree_map_get(n, "tornado");
    if (t && expect_seq(L, t, "sensitivity.tornado", "a list of parameters")) {
        sc->tornado = calloc(t->count ? t->count : 1, sizeof *sc->tornado);
        if (!sc->tornado) {
            nomem(L);
            return;
        }
        for (size_t i = 0; i < t->count; i++) {
            const Node *e = t->items[i];
            char path[KEY_PATH_MAX], kp[KEY_PATH_MAX];
            snprintf(path, sizeof path, "sensitivity.tornado[%zu]", i);
            TornadoSpec ts = {.mark = keep_mark(L, e->mark)};
            if (e->kind == NODE_MAP) {
                const Node *p = tree_map_get(e, "parameter"), *lo = tree_map_get(e, "low"),
                           *hi = tree_map_get(e, "high");
                if (!p || !lo || !hi || e->count != 3) {
                    bv_error(L->errors, BV_ERR_INPUT, &e->mark, path,
                             "expected a parameter path or {parameter, low, high}");
                    continue;
                }
                join_path(kp, path, "parameter");
                bool ok = check_parameter(L, p, kp, &ts.parameter);
                SchemaRange range = any;
                if (ok)
                    parameter_range(sc, ts.parameter, &range);
                join_path(kp, path, "low");
                ok &= read_number(L, lo, kp, &range, false, &ts.low);
                join_path(kp, path, "high");
                ok &= read_number(L, hi, kp, &range, false, &ts.high);
                if (!ok)
                    continue;
                ts.has_range = true;
            } else if (!check_parameter(L, e, path, &ts.parameter)) {
                continue;
            }
            sc->tornado[sc->tornado_count++] = ts;
        }
    }
    const Node *g = tree_map_get(n, "grid");
    if (!g || !expect_map(L, g, "sensitivity.grid", "{rows: {PATH: [...]}, cols: {PATH: [...]}}"))
        return;
    GridSpec *grid = &sc->grid;
    grid->mark = keep_mark(L, g->mark);
    const char *sides[2] = {"rows", "cols"};
    bool ok = true;
    for (int side = 0; side < 2; side++) {
        char path[KEY_PATH_MAX];
        join_path(path, "sensitivity.grid", sides[side]);
        const Node *m = tree_map_get(g, sides[side]);
        if (!m || m->kind != NODE_MAP || m->count != 1 ||
            m->entries[0].value->kind != NODE_SEQ || m->entries[0].value->count == 0 ||
            m->entries[0].value->count > 50) {
            bv_error(L->errors, BV_ERR_INPUT, m ? &m->mark : &g->mark, path,
                     "expected one parameter with a list of 1 to 50 values, e.g. "
                     "{discount_rate: [0.10, 0.12, 0.14]}");
            ok = false;
            continue;
        }
        const NodeEntry *e = &m->entries[0];
        const char **param = side ? &grid->col_parameter : &grid->row_parameter;
        Node key = {.kind = NODE_SCALAR, .mark = e->key_mark, .text = e->key};
        bool known = check_parameter(L, &key, path, param);
        ok &= known;
        SchemaRange range = any;
        if (known)
            parameter_range(sc, *param, &range);
        double *values = calloc(e->value->count, sizeof *values);
        if (!values) {
            nomem(L);
            return;
        }
        for (size_t i = 0; i < e->value->count; i++) {
            char kp[KEY_PATH_MAX];
            snprintf(kp, sizeof kp, "%s.%s[%zu]", path, e->key, i);
            ok &= read_number(L, e->value->items[i], kp, &range, false, &values[i]);
        }
        if (side) {
            grid->cols = values;
            grid->col_count = e->value->count;
        } else {
            grid->rows = values;
            grid->row_count = e->value->count;
        }
    }
    grid->enabled = ok;
}

/* The patches of a what-if load: a variant's set, then number overrides. */
static Node *apply_whatif(Loader *L, Node *root, const ScenarioLoad *how)
{
    if (how->variant >= 0) {
        const Node *variants = tree_map_get(root, "variants");
        const Node *v = variants && variants->kind == NODE_SEQ &&
                                (size_t)how->variant < variants->count
                            ? variants->items[how->variant]
                            : NULL;
        const Node *set = v ? tree_map_get(v, "set") : NULL;
        if (!set || set->kind != NODE_MAP) {
            bv_error(L->errors, BV_ERR_INPUT, NULL, "variants", "no variant %d", how->variant);
            return NULL;
        }
        for (size_t i = 0; i < set->count && root; i++) {
            const NodeEntry *e = &set->entries[i];
            Node *patch = tree_path_patch(L->tree, e->key, e->key_mark, e->value, L->errors);
            root = patch ? merge(L, root, patch) : NULL;
        }
    }
    for (size_t i = 0; i < how->override_count && root; i++) {
        const ScenarioOverride *o = &how->overrides[i];
        /* The shortest text that reads back as the same number: an error quotes 1.35, not
         * 1.3500000000000001. */
        char text[40];
        for (int digits = 15; digits <= 17; digits++) {
            snprintf(text, sizeof text, "%.*g", digits, o->value);
            if (strtod(text, NULL) == o->value)
                break;
        }
        Node *value = tree_scalar(L->tree, o->mark, text, strlen(text), false);
        if (!value) {
            nomem(L);
            return NULL;
        }
        Node *patch = tree_path_patch(L->tree, o->path, o->mark, value, L->errors);
        root = patch ? merge(L, root, patch) : NULL;
    }
    if (root) {
        /* A what-if run is one valuation: its own variants and sensitivity do not recurse. */
        tree_map_remove(root, "variants");
        tree_map_remove(root, "sensitivity");
    }
    return root;
}

/* ---- files: extends and clients_csv ---- */

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static char *join_file(const char *dir, const char *name)
{
    if (name[0] == '/' || strcmp(dir, ".") == 0)
        return strdup(name);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static bool readable(const char *path)
{
    return access(path, R_OK) == 0;
}

/* A model's name (accounting-practice, tax/spain-individual) as opposed to a path (a leading
 * . or /, or a .yaml/.yml ending). */
static bool is_model_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || s[0] == '.' || s[0] == '/' || strstr(s, ".."))
        return false;
    if ((n > 5 && strcmp(s + n - 5, ".yaml") == 0) || (n > 4 && strcmp(s + n - 4, ".yml") == 0))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '/'))
            return false;
    return true;
}

/* Where `extends: value` (written in `from`) lives: *found malloc'd, or NULL when there is
 * no such model. Fails only when memory runs out. */
static BvStatus find_model(const char *value, const char *from, const char *models_dir,
                           char **found)
{
    *found = NULL;
    char *dir = dir_of(from);
    if (!dir)
        return BV_ERR_NOMEM;
    if (!is_model_name(value)) {
        *found = join_file(dir, value); /* a path: existence is checked when it is read */
        free(dir);
        return *found ? BV_OK : BV_ERR_NOMEM;
    }
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s.yaml", value);
    /* The file's own directory (a model extending a model), then models/ in it and in each
     * parent, then the installed models. */
    char *candidate = join_file(dir, file);
    if (!candidate || readable(candidate)) {
        free(dir);
        *found = candidate;
        return candidate ? BV_OK : BV_ERR_NOMEM;
    }
    free(candidate);
    char current[PATH_MAX];
    bool resolved = realpath(dir, current) != NULL;
    int resolve_errno = errno;
    free(dir);
    if (!resolved)
        return bv_errno_status(resolve_errno, BV_OK);
    for (int depth = 0; depth < 64; depth++) {
        char parent_models[PATH_MAX + 80];
        snprintf(parent_models, sizeof parent_models, "%s/models/%s", current, file);
        if (readable(parent_models)) {
            *found = strdup(parent_models);
            return *found ? BV_OK : BV_ERR_NOMEM;
        }
        char *slash = strrchr(current, '/');
        if (!slash || slash == current)
            break;
        *slash = '\0';
    }
    if (!models_dir)
        return BV_OK;
    candidate = join_file(models_dir, file);
    if (!candidate)
        return BV_ERR_NOMEM;
    if (readable(candidate))
        *found = candidate;
    else
        free(candidate);
    return BV_OK;
}

static Node *resolve_extends(Loader *L, Node *root, const char *file, int depth);

/* The model that one `extends:` entry names, its own extends resolved. */
static Node *load_model(Loader *L, const Node *ext, const char *file, int depth)
{
    if (ext->kind != NODE_SCALAR || tree_is_null(ext)) {
        bv_error(L->errors, BV_ERR_INPUT, &ext->mark, "extends",
                 "expected a model name or a path to a YAML file");
        return NULL;
    }
    if (depth >= EXTENDS_MAX_DEPTH) {
        bv_error(L->errors, BV_ERR_INPUT, &ext->mark, "extends",
                 "models extend each other more than %d levels deep (a cycle?)",
                 EXTENDS_MAX_DEPTH);
        return NULL;
    }
    char *model;
    if (find_model(ext->text, file, L->models_dir, &model) != BV_OK) {
        nomem(L);
        return NULL;
    }
    if (!model) {
        bv_error(L->errors, BV_ERR_INPUT, &ext->mark, "extends",
                 "no model '%s': looked for %s.yaml beside %s and in models/ directories "
                 "above it%s%s",
                 ext->text, ext->text, file, L->models_dir ? " and in " : "",
                 L->models_dir ? L->models_dir : "");
        return NULL;
    }
    Node *base;
    BvErrors *errors = L->errors;
    size_t before = errors->count;
    BvStatus status = yamltree_parse_file(L->tree, model, &base, errors);
    if (status == BV_OK && (!base || base->kind != NODE_MAP))
        status = bv_error(errors, BV_ERR_INPUT, &ext->mark, "extends",
                          "model %s is not a mapping of assumptions", model);
    /* A model that cannot be opened is the extending file's error, at its extends: line. */
    if (status != BV_OK && errors->count > before && errors->items[before].line == 0) {
        BvError *e = &errors->items[before];
        snprintf(e->key, sizeof e->key, "extends");
        char msg[BV_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%.100s: %.280s", model, e->message);
        snprintf(e->message, sizeof e->message, "%s", msg);
        snprintf(e->file, sizeof e->file, "%s", ext->mark.file);
        e->line = ext->mark.line;
        e->col = ext->mark.col;
    }
    if (status != BV_OK) {
        free(model);
        return NULL;
    }
    const char *model_file = tree_intern_file(L->tree, model);
    free(model);
    if (!model_file) {
        nomem(L);
        return NULL;
    }
    return resolve_extends(L, base, model_file, depth + 1);
}

/* Replace `root`'s `extends:` by the models it names, merged beneath it in order (a later
 * model overrides an earlier one; the file itself overrides them all). */
static Node *resolve_extends(Loader *L, Node *root, const char *file, int depth)
{
    Node *ext = tree_map_get(root, "extends");
    if (!ext)
        return root;
    size_t n = ext->kind == NODE_SEQ ? ext->count : 1;
    if (n == 0 || n > 16) {
        bv_error(L->errors, BV_ERR_INPUT, &ext->mark, "extends",
                 "give one model, or a list of 1 to 16 models");
        return NULL;
    }
    Node *base = NULL;
    for (size_t i = 0; i < n; i++) {
        Node *model = load_model(L, ext->kind == NODE_SEQ ? ext->items[i] : ext, file, depth);
        if (!model)
            return NULL;
        base = merge(L, base, model);
        if (!base)
            return NULL;
    }
    tree_map_remove(root, "extends");
    return merge(L, base, root);
}

/* Overlay each --set PATH=VALUE, in order. Marks name "--set", line N for the Nth. */
static Node *apply_sets(Loader *L, Node *root, const ScenarioSet *sets, size_t count)
{
    for (size_t i = 0; i < count && root; i++) {
        const char *a = sets[i].assignment;
        const char *eq = strchr(a, '=');
        Mark key_mark = {tree_intern_file(L->tree, "--set"), (int)i + 1, 1};
        if (!key_mark.file) {
            nomem(L);
            return NULL;
        }
        if (!eq || eq == a) {
            bv_error(L->errors, BV_ERR_USAGE, &key_mark, NULL,
                     "expected --set PATH=VALUE (e.g. segments.A.retention=0.97), got '%s'", a);
            return NULL;
        }
        char *path = strndup(a, (size_t)(eq - a));
        if (!path) {
            nomem(L);
            return NULL;
        }
        Node *value = NULL;
        BvStatus s = yamltree_parse_string(L->tree, "--set", eq + 1, strlen(eq + 1), (int)i + 1,
                                           (int)(eq - a) + 1, &value, L->errors);
        if (s == BV_OK && !value) {
            value = tree_scalar(L->tree, key_mark, "", 0, false);
            if (!value)
                nomem(L);
        }
        Node *patch = s == BV_OK && value
                          ? tree_path_patch(L->tree, path, key_mark, value, L->errors)
                          : NULL;
        free(path);
        if (!patch)
            return NULL;
        root = merge(L, root, patch);
    }
    return root;
}

/* ---- the scenario walk ---- */

static void read_top_level(Loader *L, const Node *root)
{
    Scenario *sc = L->sc;
    check_keys(L, root, "", &schema_scenario);
    /* Scenario-level assumptions first, so segments can inherit them. */
    for (size_t i = 0; i < schema_scenario.count; i++) {
        const SchemaKey *k = &schema_scenario.keys[i];
        const Node *v = tree_map_get(root, k->key);
        if (!v) {
            if (k->required)
                bv_error(L->errors, BV_ERR_INPUT, &root->mark, k->key,
                         "missing; the scenario (or the model it extends) must give %s",
                         k->doc);
            continue;
        }
        if (read_assumption(L, k, v, k->key, &sc->defaults))
            continue;
        double x;
        int choice;
        switch (k->id) {
        case KEY_NAME:
            if (read_string(L, v, k->key, &sc->name) && sc->name[0] == '\0')
                bv_error(L->errors, BV_ERR_INPUT, &v->mark, k->key,
                         "must not be empty; give the scenario a title");
            break;
        case KEY_CURRENCY: {
            const char *c;
            if (read_string(L, v, k->key, &c)) {
                bool iso = strlen(c) == 3;
                for (int j = 0; j < 3 && iso; j++)
                    iso = c[j] >= 'A' && c[j] <= 'Z';
                if (!iso)
                    bv_error(L->errors, BV_ERR_INPUT, &v->mark, k->key,
                             "expected an ISO 4217 code of three capital letters (EUR, USD, "
                             "BRL), got '%.20s'",
                             c);
                else
                    memcpy(sc->currency, c, 4);
            }
            break;
        }
        case KEY_HORIZON_YEARS:
            if (read_number(L, v, k->key, &k->range, true, &x))
                sc->horizon_years = (int)x;
            sc->marks.horizon_years = keep_mark(L, v->mark);
            break;
        case KEY_TIMING:
            if (read_enum(L, v, k->key, k->values, &choice))
                sc->timing = (Timing)choice;
            break;
        case KEY_TAIL:
            if (read_enum(L, v, k->key, k->values, &choice))
                sc->tail = (TailKind)choice;
            sc->marks.tail = keep_mark(L, v->mark);
            break;
        case KEY_DISCOUNT_RATE:
            read_uncertain(L, v, k->key, &k->range, &sc->discount_rate);
            sc->marks.discount_rate = keep_mark(L, v->mark);
            break;
        case KEY_CLIENTS_CSV:
            /* A path, or a mapping with the path and the file's dialect: clients_csv.c. */
            sc->marks.clients_csv = keep_mark(L, v->mark);
            clients_csv_configure(sc, v, L->errors);
            break;
        default:
            break; /* structures below; extends was resolved; later keys reported above */
        }
        if (k->id == KEY_REVENUE_GROWTH)
            sc->marks.revenue_growth = keep_mark(L, v->mark);
        if (k->id == KEY_RETENTION)
            sc->marks.retention = keep_mark(L, v->mark);
    }
    const Node *v;
    if ((v = tree_map_get(root, "retention")))
        sc->marks.retention = keep_mark(L, v->mark);
    if ((v = tree_map_get(root, "revenue_growth")))
        sc->marks.revenue_growth = keep_mark(L, v->mark);
    if ((v = tree_map_get(root, "market")))
        read_market(L, v);
    if ((v = tree_map_get(root, "provision")))
        read_provision(L, v);
    if ((v = tree_map_get(root, "segments")))
        read_segments(L, v);
    if ((v = tree_map_get(root, "monte_carlo")))
        read_monte_carlo(L, v);
    if ((v = tree_map_get(root, "correlations")))
        read_correlations(L, v);
    if ((v = tree_map_get(root, "deal")))
        read_deal(L, v);
    if ((v = tree_map_get(root, "variants")))
        read_variants(L, v);
    if ((v = tree_map_get(root, "sensitivity")))
        read_sensitivity(L, v);
    const char *sides[] = {"seller", "buyer"};
    for (int i = 0; i < 2; i++) {
        if (!(v = tree_map_get(root, sides[i])))
            continue;
        if (!tree_map_get(root, "deal")) {
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, sides[i],
                     "describes a side of a deal, but the scenario has no deal: add deal: "
                     "{price: ...}");
            continue;
        }
        if (i == 0)
            read_seller(L, v);
        else
            read_buyer(L, v);
    }
    const Node *inline_clients = tree_map_get(root, "clients");
    const Node *csv = tree_map_get(root, "clients_csv");
    if (inline_clients && csv)
        bv_error(L->errors, BV_ERR_INPUT, &csv->mark, "clients_csv",
                 "give clients inline or clients_csv, not both");
    else if (!inline_clients && !csv)
        bv_error(L->errors, BV_ERR_INPUT, &root->mark, "clients",
                 "no clients: list them under clients or name a CSV file in clients_csv");
    else if (inline_clients) {
        sc->marks.clients = keep_mark(L, inline_clients->mark);
        read_clients(L, inline_clients);
    }
}

static void set_defaults(Scenario *sc)
{
    sc->horizon_years = 10;
    sc->timing = TIMING_END_OF_YEAR;
    sc->tail = TAIL_NONE;
    sc->discount_rate = dist_fixed((double)NAN);
    sc->defaults.margin = dist_fixed((double)NAN);
    sc->defaults.revenue_growth = dist_fixed(0);
    sc->defaults.transfer_retention = dist_fixed(1);
    sc->defaults.retention.kind = RETENTION_CONSTANT;
    sc->defaults.retention.constant = dist_fixed((double)NAN);
    sc->monte_carlo = (MonteCarloSpec){.iterations = 10000, .seed = 1, .client_churn = true,
                                       .sampling = SAMPLING_RANDOM, .confidence = 0.95};
}

BvStatus scenario_load(const char *path, const ScenarioSet *sets, size_t set_count,
                       const char *models_dir, Scenario **out, BvErrors *errors)
{
    ScenarioLoad how = {sets, set_count, models_dir, -1, NULL, 0};
    return scenario_load_with(path, &how, out, errors);
}

BvStatus scenario_load_with(const char *path, const ScenarioLoad *how, Scenario **out,
                            BvErrors *errors)
{
    const ScenarioSet *sets = how->sets;
    size_t set_count = how->set_count;
    const char *models_dir = how->models_dir;
    *out = NULL;
    size_t errors_before = errors->count + errors->dropped;
    Scenario *sc = calloc(1, sizeof *sc);
    Tree *tree = tree_new();
    if (sc)
        sc->pool = calloc(1, sizeof *sc->pool);
    if (!sc || !tree || !sc->pool) {
        tree_free(tree);
        scenario_free(sc);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    Loader L = {sc, tree, errors, models_dir, NULL, NULL};
    set_defaults(sc);
    sc->file = scenario_intern(sc, path, strlen(path));
    const char *tree_file = tree_intern_file(tree, path);
    if (!sc->file || !tree_file) {
        tree_free(tree);
        scenario_free(sc);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }

    Node *root = NULL;
    BvStatus status = yamltree_parse_file(tree, path, &root, errors);
    if (status == BV_OK && (!root || root->kind != NODE_MAP)) {
        Mark m = {path, root ? root->mark.line : 1, root ? root->mark.col : 1};
        bv_error(errors, BV_ERR_INPUT, &m, NULL,
                 "a scenario is a mapping of keys (name, currency, clients, ...)%s",
                 root ? "" : "; the file is empty");
        root = NULL;
    }
    if (root)
        root = resolve_extends(&L, root, tree_file, 0);
    if (root)
        root = apply_sets(&L, root, sets, set_count);
    if (root && (how->variant >= 0 || how->override_count))
        root = apply_whatif(&L, root, how);
    bool walked = root != NULL;
    if (root)
        read_top_level(&L, root);
    tree_free(tree);
    root = NULL;

    /* Clients are checked even when the scenario has other errors: validate lists all. */
    if (walked && sc->clients_csv)
        clients_csv_read(sc, sc->clients_csv, &sc->marks.clients_csv, errors);
    check_unique_ids(&L);
    if (walked && sc->client_count == 0 && errors->count + errors->dropped == errors_before)
        bv_error(errors, BV_ERR_INPUT,
                 sc->clients_csv ? &sc->marks.clients_csv : &sc->marks.clients,
                 sc->clients_csv ? "clients_csv" : "clients",
                 "the book has no clients%s",
                 sc->clients_csv ? ": the CSV file has a header but no rows" : "");
    if (errors->count + errors->dropped != errors_before) {
        status = bv_errors_status(errors);
        scenario_free(sc);
        return status == BV_OK ? BV_ERR_INPUT : status;
    }
    *out = sc;
    return BV_OK;
}

void scenario_free(Scenario *sc)
{
    if (!sc)
        return;
    free(sc->segments);
    free(sc->clients);
    free(sc->provision);
    free(sc->correlations);
    free(sc->deal.payments);
    free(sc->deal.earn_outs);
    free(sc->deal.clawbacks);
    free(sc->seller.brackets);
    free(sc->variants);
    free(sc->tornado);
    free(sc->grid.rows);
    free(sc->grid.cols);
    pool_free(sc->pool);
    free(sc);
}

double scenario_annual_revenue(const Scenario *sc)
{
    /* Kahan-compensated: a million fees should add up to the cent. */
    double sum = 0, carry = 0;
    for (size_t i = 0; i < sc->client_count; i++) {
        double y = sc->clients[i].annual_revenue - carry;
        double t = sum + y;
        carry = (t - sum) - y;
        sum = t;
    }
    return sum;
}
