/*
 * scenario_whatif.c — the what-if sections (variants, sensitivity) and the parameters they
 * may vary. Running them is analysis/whatif.c's business.
 */
#include "scenario_loader.h"
#include "scenario_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- what-if: variants and sensitivity ---- */

bool scenario_parameter(const Scenario *sc, const char *path, Dist *dist,
                        double *range_min, double *range_max)
{
    const Assumptions *a = &sc->defaults;
    const char *key = path;
    if (strcmp(path, "discount_rate") == 0) {
        *dist = sc->discount_rate;
        *range_min = -1;
        *range_max = HUGE_VAL;
        return true;
    }
    /* The scale on every client's retention: the one what-if that reaches an sBG. */
    if (strcmp(path, "retention_scale") == 0) {
        const SchemaKey *k = schema_key(&schema_scenario, KEY_RETENTION_SCALE);
        *dist = dist_fixed(sc->retention_scale);
        *range_min = k->range.min;
        *range_max = k->range.max;
        return true;
    }
    /* The buyer's own rate (DESIGN §7): what the buyer's NPV and its break-evens use. */
    if (strcmp(path, "buyer.discount_rate") == 0 && sc->deal.enabled && sc->buyer.enabled) {
        const SchemaKey *k = schema_key(&schema_buyer, KEY_DISCOUNT_RATE);
        *dist = dist_fixed(sc->buyer.has_discount_rate ? sc->buyer.discount_rate
                                                        : dist_mean(&sc->discount_rate));
        *range_min = k->range.min;
        *range_max = k->range.max;
        return true;
    }
    /* The price: x annual revenue, or an amount. */
    if (sc->deal.enabled && strcmp(path, sc->deal.price_is_multiple ? "deal.price.multiple"
                                                                    : "deal.price") == 0) {
        *dist = dist_fixed(sc->deal.price);
        *range_min = 0;
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
        *dist = a->margin;
        return true;
    case KEY_REVENUE_GROWTH:
        *dist = a->revenue_growth;
        return true;
    case KEY_TRANSFER_RETENTION:
        *dist = a->transfer_retention;
        return true;
    case KEY_RETENTION:
        *dist = a->retention.constant;
        return a->retention.kind == RETENTION_CONSTANT;
    default:
        return false;
    }
}

/* The accepted range of a what-if parameter: its schema key's, open ends included. */
static void parameter_range(const Scenario *sc, const char *path, SchemaRange *range)
{
    const char *key = strrchr(path, '.');
    const SchemaTable *table = strcmp(path, "discount_rate") == 0 ||
                                       strcmp(path, "retention_scale") == 0
                                   ? &schema_scenario
                               : strcmp(path, "buyer.discount_rate") == 0 ? &schema_buyer
                                                                          : &schema_segment;
    const SchemaKey *k = strncmp(path, "deal.", 5) == 0 ? NULL
                                                         : schema_find(table, key ? key + 1 : path);
    Dist d;
    double lo, hi;
    if (k)
        *range = k->range;
    else if (scenario_parameter(sc, path, &d, &lo, &hi))
        *range = (SchemaRange){lo, hi, false, false};
}

/* A what-if parameter path, checked against the scenario (segments are read by now). */
static bool check_parameter(Loader *L, const Node *n, const char *path, const char **out)
{
    Dist d;
    double lo, hi;
    if (!treeread_string(&L->rd, n, path, out))
        return false;
    if (scenario_parameter(L->sc, *out, &d, &lo, &hi))
        return true;
    bv_error(L->errors, BV_ERR_INPUT, &n->mark, path,
             "'%s' is not a parameter a what-if can vary: use discount_rate, margin, "
             "revenue_growth, transfer_retention, a constant retention, or segments.NAME.KEY "
             "for one of them; retention_scale (any retention model); with a buyer, buyer.discount_rate; with a deal, "
             "deal.price.multiple (a price {multiple: m}) or deal.price (an amount)",
             *out);
    return false;
}

void scenario_whatif_read_variants(Loader *L, const Node *n)
{
    if (!treeread_expect_seq(&L->rd, n, "variants", "a list of {name, set: {PATH: VALUE}}"))
        return;
    Scenario *sc = L->sc;
    sc->variants = calloc(n->count ? n->count : 1, sizeof *sc->variants);
    if (!sc->variants) {
        scenario_nomem(L);
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        const Node *v = n->items[i];
        char path[TREEREAD_PATH_MAX];
        snprintf(path, sizeof path, "variants[%zu]", i);
        if (!treeread_expect_map(&L->rd, v, path, "{name, set: {PATH: VALUE, ...}}"))
            continue;
        const Node *name = tree_map_get(v, "name"), *set = tree_map_get(v, "set");
        for (size_t j = 0; j < v->count; j++) {
            if (strcmp(v->entries[j].key, "name") && strcmp(v->entries[j].key, "set")) {
                char kp[TREEREAD_PATH_MAX];
                treeread_join_path(kp, path, v->entries[j].key);
                bv_error(L->errors, BV_ERR_INPUT, &v->entries[j].key_mark, kp,
                         "unknown key in a variant; accepted keys: name, set");
            }
        }
        if (!name || !set) {
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, path, "a variant needs '%s'",
                     name ? "set" : "name");
            continue;
        }
        VariantSpec var = {.mark = scenario_keep_mark(L, v->mark)};
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, path, "name");
        if (!treeread_string(&L->rd, name, kp, &var.name))
            continue;
        treeread_join_path(kp, path, "set");
        if (!treeread_expect_map(&L->rd, set, kp, "a mapping of PATH: VALUE"))
            continue;
        for (size_t j = 0; j < set->count && var.key_count < VARIANT_KEYS_MAX; j++) {
            const char *key = set->entries[j].key;
            const char *kept = scenario_intern(sc, key, strlen(key));
            if (!kept) {
                scenario_nomem(L);
                return;
            }
            var.keys[var.key_count++] = kept;
        }
        for (size_t j = 0; j < sc->variant_count; j++)
            if (strcmp(sc->variants[j].name, var.name) == 0)
                bv_error(L->errors, BV_ERR_INPUT, &name->mark, path,
                         "two variants are called '%s'", var.name);
        sc->variants[sc->variant_count++] = var;
    }
}

void scenario_whatif_read_sensitivity(Loader *L, const Node *n)
{
    static const SchemaRange any = {-HUGE_VAL, HUGE_VAL, false, false};
    Scenario *sc = L->sc;
    if (!treeread_expect_map(&L->rd, n, "sensitivity", "{tornado: [...], grid: {...}}"))
        return;
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->entries[i].key, "tornado") && strcmp(n->entries[i].key, "grid")) {
            char kp[TREEREAD_PATH_MAX];
            treeread_join_path(kp, "sensitivity", n->entries[i].key);
            bv_error(L->errors, BV_ERR_INPUT, &n->entries[i].key_mark, kp,
                     "unknown key in sensitivity; accepted keys: tornado, grid");
        }
    const Node *t = tree_map_get(n, "tornado");
    if (t && treeread_expect_seq(&L->rd, t, "sensitivity.tornado", "a list of parameters")) {
        sc->tornado = calloc(t->count ? t->count : 1, sizeof *sc->tornado);
        if (!sc->tornado) {
            scenario_nomem(L);
            return;
        }
        for (size_t i = 0; i < t->count; i++) {
            const Node *e = t->items[i];
            char path[TREEREAD_PATH_MAX], kp[TREEREAD_PATH_MAX];
            snprintf(path, sizeof path, "sensitivity.tornado[%zu]", i);
            TornadoSpec ts = {.mark = scenario_keep_mark(L, e->mark)};
            if (e->kind == NODE_MAP) {
                const Node *p = tree_map_get(e, "parameter"), *lo = tree_map_get(e, "low"),
                           *hi = tree_map_get(e, "high");
                if (!p || !lo || !hi || e->count != 3) {
                    bv_error(L->errors, BV_ERR_INPUT, &e->mark, path,
                             "expected a parameter path or {parameter, low, high}");
                    continue;
                }
                treeread_join_path(kp, path, "parameter");
                bool ok = check_parameter(L, p, kp, &ts.parameter);
                SchemaRange range = any;
                if (ok)
                    parameter_range(sc, ts.parameter, &range);
                treeread_join_path(kp, path, "low");
                ok &= treeread_number(&L->rd, lo, kp, &range, false, &ts.low);
                treeread_join_path(kp, path, "high");
                ok &= treeread_number(&L->rd, hi, kp, &range, false, &ts.high);
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
    if (!g || !treeread_expect_map(&L->rd, g, "sensitivity.grid",
                                   "{rows: {PATH: [...]}, cols: {PATH: [...]}}"))
        return;
    GridSpec *grid = &sc->grid;
    grid->mark = scenario_keep_mark(L, g->mark);
    const char *sides[2] = {"rows", "cols"};
    bool ok = true;
    for (int side = 0; side < 2; side++) {
        char path[TREEREAD_PATH_MAX];
        treeread_join_path(path, "sensitivity.grid", sides[side]);
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
            scenario_nomem(L);
            return;
        }
        for (size_t i = 0; i < e->value->count; i++) {
            char kp[TREEREAD_PATH_MAX];
            snprintf(kp, sizeof kp, "%s.%s[%zu]", path, e->key, i);
            ok &= treeread_number(&L->rd, e->value->items[i], kp, &range, false, &values[i]);
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
