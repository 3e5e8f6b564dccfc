/*
 * treeread.c — typed readers over a YAML tree, each error recorded with its place.
 */
#include "treeread.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void treeread_nomem(TreeRead *R)
{
    bv_error(R->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
}

void treeread_join_path(char *out, const char *parent, const char *key)
{
    snprintf(out, TREEREAD_PATH_MAX, "%s%s%s", parent, parent[0] ? "." : "", key);
}

const char *treeread_kind_text(const Node *n)
{
    if (n->kind == NODE_MAP)
        return "a mapping";
    if (n->kind == NODE_SEQ)
        return "a list";
    return "a value";
}

/* ---- scalars ---- */

bool treeread_string(TreeRead *R, const Node *n, const char *path, const char **out)
{
    if (n->kind != NODE_SCALAR) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "expected text, got %s",
                 treeread_kind_text(n));
        return false;
    }
    if (tree_is_null(n)) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "has no value; expected text");
        return false;
    }
    *out = R->intern(R->owner, n->text, strlen(n->text));
    if (!*out)
        treeread_nomem(R);
    return *out != NULL;
}

bool treeread_number(TreeRead *R, const Node *n, const char *path, const SchemaRange *range,
                        bool integer, double *out)
{
    char accepted[64];
    schema_range_text(range, accepted, sizeof accepted);
    const char *what = integer ? "an integer" : "a number";
    if (n->kind != NODE_SCALAR) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "expected %s in %s, got %s", what,
                 accepted, treeread_kind_text(n));
        return false;
    }
    if (tree_is_null(n)) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "has no value; expected %s in %s",
                 what, accepted);
        return false;
    }
    double x;
    bool parsed = schema_parse_number(n->text, &x);
    if (n->quoted) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected %s in %s, got the text \"%.40s\"%s", what, accepted, n->text,
                 parsed ? " (write numbers without quotes)" : "");
        return false;
    }
    if (!parsed) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected %s in %s, got '%.40s'%s", what, accepted, n->text,
                 strpbrk(n->text, "nN") ? " (NaN and infinity are not numbers here)" : "");
        return false;
    }
    if (integer && x != floor(x)) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "expected an integer in %s, got %s",
                 accepted, n->text);
        return false;
    }
    if (!schema_in_range(range, x)) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "%s is out of range; accepted: %s",
                 n->text, accepted);
        return false;
    }
    *out = x;
    return true;
}

bool treeread_bool(TreeRead *R, const Node *n, const char *path, bool *out)
{
    if (n->kind != NODE_SCALAR || n->quoted || !schema_parse_bool(n->text, out)) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "expected true or false, got %s%s%s",
                 n->kind == NODE_SCALAR ? "'" : treeread_kind_text(n),
                 n->kind == NODE_SCALAR ? n->text : "", n->kind == NODE_SCALAR ? "'" : "");
        return false;
    }
    return true;
}

bool treeread_enum(TreeRead *R, const Node *n, const char *path, const char *values, int *out)
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
    bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "expected one of %s, got %s%.40s%s",
             values, n->kind == NODE_SCALAR ? "'" : treeread_kind_text(n),
             n->kind == NODE_SCALAR ? n->text : "", n->kind == NODE_SCALAR ? "'" : "");
    return false;
}

/* Report every key of `map` that `table` does not know, or that a later version owns. */
bool treeread_check_keys(TreeRead *R, const Node *map, const char *path, const SchemaTable *table)
{
    bool ok = true;
    for (size_t i = 0; i < map->count; i++) {
        const NodeEntry *e = &map->entries[i];
        const SchemaKey *k = schema_find(table, e->key);
        char key_path[TREEREAD_PATH_MAX];
        treeread_join_path(key_path, path, e->key);
        if (!k) {
            char list[512];
            schema_key_list(table, list, sizeof list);
            bv_error(R->errors, BV_ERR_INPUT, &e->key_mark, key_path,
                     "unknown key in %s; accepted keys: %s", table->name, list);
            ok = false;
        } else if (k->type == SCHEMA_LATER) {
            bv_error(R->errors, BV_ERR_INPUT, &e->key_mark, key_path, "%s", k->doc);
            ok = false;
        }
    }
    return ok;
}

bool treeread_expect_map(TreeRead *R, const Node *n, const char *path, const char *what)
{
    if (n->kind == NODE_MAP)
        return true;
    bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "expected %s, got %s", what,
             tree_is_null(n) ? "no value" : treeread_kind_text(n));
    return false;
}

bool treeread_expect_seq(TreeRead *R, const Node *n, const char *path, const char *what)
{
    if (n->kind == NODE_SEQ)
        return true;
    bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "expected %s, got %s", what,
             tree_is_null(n) ? "no value" : treeread_kind_text(n));
    return false;
}

/* ---- distributions ---- */

/* Read parameter `name` of a distribution; absent is reported when `required`. */
static bool dist_param(TreeRead *R, const Node *map, const char *path, const char *name,
                       bool required, double *out)
{
    static const SchemaRange any = {-HUGE_VAL, HUGE_VAL, false, false};
    const Node *v = tree_map_get(map, name);
    char p[TREEREAD_PATH_MAX];
    treeread_join_path(p, path, name);
    if (!v) {
        if (required)
            bv_error(R->errors, BV_ERR_INPUT, &map->mark, path,
                     "distribution needs '%s'", name);
        return false;
    }
    return treeread_number(R, v, p, &any, false, out);
}

static bool read_dist_map(TreeRead *R, const Node *n, const char *path, Dist *out)
{
    const Node *kind_node = tree_map_get(n, "dist");
    char kinds[160] = "";
    for (int k = 0; k < DIST_KIND_COUNT; k++)
        snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s", k ? ", " : "",
                 dist_kind_name((DistKind)k));
    if (!kind_node) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected a number or a distribution {dist: KIND, ...} with KIND one of %s",
                 kinds);
        return false;
    }
    DistKind kind;
    if (kind_node->kind != NODE_SCALAR || !dist_kind_from_name(kind_node->text, &kind)) {
        bv_error(R->errors, BV_ERR_INPUT, &kind_node->mark, path,
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
            char p[TREEREAD_PATH_MAX];
            treeread_join_path(p, path, key);
            bv_error(R->errors, BV_ERR_INPUT, &n->entries[i].key_mark, p,
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
        ok = dist_param(R, n, path, "value", true, &d.value);
        break;
    case DIST_UNIFORM:
        ok = dist_param(R, n, path, "min", true, &d.min);
        ok &= dist_param(R, n, path, "max", true, &d.max);
        break;
    case DIST_TRIANGULAR:
    case DIST_PERT:
        ok = dist_param(R, n, path, "min", true, &d.min);
        ok &= dist_param(R, n, path, "mode", true, &d.mode);
        ok &= dist_param(R, n, path, "max", true, &d.max);
        break;
    case DIST_NORMAL:
        ok = dist_param(R, n, path, "mean", true, &d.mean);
        ok &= dist_param(R, n, path, "sd", true, &d.sd);
        if (tree_map_get(n, "min"))
            ok &= dist_param(R, n, path, "min", false, &d.min);
        if (tree_map_get(n, "max"))
            ok &= dist_param(R, n, path, "max", false, &d.max);
        break;
    case DIST_LOGNORMAL:
        ok = dist_param(R, n, path, "mean", true, &d.mean);
        ok &= dist_param(R, n, path, "sd", true, &d.sd);
        break;
    case DIST_BETA: {
        bool by_moments = tree_map_get(n, "mean") || tree_map_get(n, "sd");
        bool by_shape = tree_map_get(n, "alpha") || tree_map_get(n, "beta");
        if (by_moments == by_shape) {
            bv_error(R->errors, BV_ERR_INPUT, &n->mark, path,
                     "a beta distribution takes either {mean, sd} or {alpha, beta}");
            return false;
        }
        if (by_shape) {
            ok = dist_param(R, n, path, "alpha", true, &d.alpha);
            ok &= dist_param(R, n, path, "beta", true, &d.beta);
        } else {
            ok = dist_param(R, n, path, "mean", true, &d.mean);
            ok &= dist_param(R, n, path, "sd", true, &d.sd);
            char why[200];
            if (ok && !dist_beta_from_moments(d.mean, d.sd, &d.alpha, &d.beta, why,
                                              sizeof why)) {
                bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "%s", why);
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
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path, "%s", why);
        return false;
    }
    *out = d;
    return true;
}

/* A (D) value: a plain number or a distribution whose every value lies in `range`. */
bool treeread_uncertain(TreeRead *R, const Node *n, const char *path, const SchemaRange *range,
                           Dist *out)
{
    if (n->kind != NODE_MAP) {
        double x;
        if (!treeread_number(R, n, path, range, false, &x))
            return false;
        *out = dist_fixed(x);
        return true;
    }
    Dist d;
    if (!read_dist_map(R, n, path, &d))
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
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path,
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

bool treeread_retention(TreeRead *R, const Node *n, const char *path, const SchemaRange *range,
                           RetentionModel *out)
{
    RetentionModel m = {.scale = 1};
    const Node *curve = n->kind == NODE_MAP ? tree_map_get(n, "curve") : NULL;
    const Node *sbg = n->kind == NODE_MAP ? tree_map_get(n, "sbg") : NULL;
    char p[TREEREAD_PATH_MAX];
    if ((curve || sbg) && n->count != 1) {
        bv_error(R->errors, BV_ERR_INPUT, &n->mark, path,
                 "retention is a number or distribution, {curve: [...]} or "
                 "{sbg: {alpha, beta}}: one of them");
        return false;
    }
    if (curve) {
        treeread_join_path(p, path, "curve");
        if (!treeread_expect_seq(R, curve, p, "a list of yearly retention rates"))
            return false;
        if (curve->count < 1 || curve->count > RETENTION_CURVE_MAX) {
            bv_error(R->errors, BV_ERR_INPUT, &curve->mark, p,
                     "a curve has 1 to %d yearly rates, got %zu", RETENTION_CURVE_MAX,
                     curve->count);
            return false;
        }
        bool ok = true;
        for (size_t i = 0; i < curve->count; i++) {
            char item[TREEREAD_PATH_MAX];
            snprintf(item, sizeof item, "%s[%zu]", p, i);
            ok &= treeread_number(R, curve->items[i], item, range, false, &m.curve[i]);
        }
        m.kind = RETENTION_CURVE;
        m.curve_len = (int)curve->count;
        if (ok)
            *out = m;
        return ok;
    }
    if (sbg) {
        static const SchemaRange positive = {0, HUGE_VAL, true, false};
        treeread_join_path(p, path, "sbg");
        if (!treeread_expect_map(R, sbg, p, "{alpha, beta}"))
            return false;
        bool ok = true;
        for (size_t i = 0; i < sbg->count; i++) {
            const char *key = sbg->entries[i].key;
            if (strcmp(key, "alpha") != 0 && strcmp(key, "beta") != 0) {
                char kp[TREEREAD_PATH_MAX];
                treeread_join_path(kp, p, key);
                bv_error(R->errors, BV_ERR_INPUT, &sbg->entries[i].key_mark, kp,
                         "unknown key in sbg; accepted keys: alpha, beta");
                ok = false;
            }
        }
        const char *names[2] = {"alpha", "beta"};
        double *fields[2] = {&m.alpha, &m.beta};
        for (int i = 0; i < 2; i++) {
            const Node *v = tree_map_get(sbg, names[i]);
            char kp[TREEREAD_PATH_MAX];
            treeread_join_path(kp, p, names[i]);
            if (!v) {
                bv_error(R->errors, BV_ERR_INPUT, &sbg->mark, p, "sbg needs '%s' (> 0)",
                         names[i]);
                ok = false;
            } else {
                ok &= treeread_number(R, v, kp, &positive, false, fields[i]);
            }
        }
        m.kind = RETENTION_SBG;
        if (ok)
            *out = m;
        return ok;
    }
    m.kind = RETENTION_CONSTANT;
    if (!treeread_uncertain(R, n, path, range, &m.constant))
        return false;
    *out = m;
    return true;
}


bool treeread_fields(TreeRead *R, const Node *map, const char *path, const SchemaTable *table,
                        double *out, bool *given)
{
    if (!treeread_expect_map(R, map, path, "a mapping") ||
        !treeread_check_keys(R, map, path, table))
        return false;
    if (table->count > SCHEMA_FIELDS_MAX)
        return bv_error(R->errors, BV_ERR_NUMERIC, &map->mark, path,
                        "table %s has more keys than SCHEMA_FIELDS_MAX", table->name) == BV_OK;
    bool ok = true;
    for (size_t i = 0; i < table->count; i++) {
        const SchemaKey *k = &table->keys[i];
        const Node *v = tree_map_get(map, k->key);
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, path, k->key);
        given[i] = v != NULL;
        /* An absent key reads as its schema default, 0 when the row gives none. */
        double d = schema_default(k);
        out[i] = isnan(d) ? 0 : d;
        if (!v) {
            if (k->required) {
                bv_error(R->errors, BV_ERR_INPUT, &map->mark, path, "needs '%s' (%s)", k->key,
                         k->doc);
                ok = false;
            }
            continue;
        }
        if (k->type == SCHEMA_NUMBER || k->type == SCHEMA_INTEGER) {
            ok &= treeread_number(R, v, kp, &k->range, k->type == SCHEMA_INTEGER, &out[i]);
        } else if (k->type == SCHEMA_BOOL) {
            bool b = false;
            ok &= treeread_bool(R, v, kp, &b);
            out[i] = b;
        }
    }
    return ok;
}
