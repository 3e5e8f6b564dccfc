/*
 * history.c — from a YAML history file to a checked History.
 *
 * The file is parsed into a tree (yamltree.c), walked once, and every problem recorded with
 * its line and column before giving up, as the scenario loader does, so one run of
 * `bookval fit` shows all of them.
 */
#include "history.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "tree.h"
#include "yamltree.h"

#define KEY_PATH_MAX BV_ERROR_KEY_MAX

typedef struct Reader {
    History *h;
    BvErrors *errors;
    bool nomem;
} Reader;

static const char *const model_names[] = {
    [HISTORY_MODEL_SBG] = "sbg",
    [HISTORY_MODEL_GEOMETRIC] = "geometric",
};

const char *history_model_name(HistoryModel model)
{
    return (unsigned)model < sizeof model_names / sizeof model_names[0] ? model_names[model]
                                                                        : "unknown";
}

/* A mark whose file name outlives the tree: the history's own copy. */
static Mark keep(const Reader *r, Mark m)
{
    m.file = r->h->file;
    return m;
}

static const char *kind_text(const Node *n)
{
    if (n->kind == NODE_MAP)
        return "a mapping";
    if (n->kind == NODE_SEQ)
        return "a list";
    return tree_is_null(n) ? "no value" : "a value";
}

static char *copy_string(Reader *r, const char *s)
{
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (!p) {
        if (!r->nomem)
            bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        r->nomem = true;
        return NULL;
    }
    memcpy(p, s, n + 1);
    return p;
}

static void read_model(Reader *r, const Node *n)
{
    r->h->model_mark = keep(r, n->mark);
    if (n->kind == NODE_SCALAR && !n->quoted) {
        for (size_t i = 0; i < sizeof model_names / sizeof model_names[0]; i++) {
            if (strcmp(n->text, model_names[i]) == 0) {
                r->h->model = (HistoryModel)i;
                return;
            }
        }
    }
    if (n->kind == NODE_SCALAR)
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, "model",
                 "expected one of sbg, geometric, got '%.40s'", n->text);
    else
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, "model",
                 "expected one of sbg, geometric, got %s", kind_text(n));
}

/* One count: a whole number of clients in [0, HISTORY_MAX_COUNT]. */
static bool read_count(Reader *r, const Node *n, const char *path, double *out)
{
    static const char accepted[] = "a whole number of clients >= 0";
    if (n->kind != NODE_SCALAR || tree_is_null(n)) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path, "expected %s, got %s", accepted,
                 kind_text(n));
        return false;
    }
    double x;
    bool parsed = schema_parse_number(n->text, &x);
    if (n->quoted) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected %s, got the text \"%.40s\"%s", accepted, n->text,
                 parsed ? " (write numbers without quotes)" : "");
        return false;
    }
    if (!parsed) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path, "expected %s, got '%.40s'%s",
                 accepted, n->text,
                 strpbrk(n->text, "nN") ? " (NaN and infinity are not numbers here)" : "");
        return false;
    }
    if (x != floor(x)) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected %s, got %s: counts are clients, not fractions", accepted, n->text);
        return false;
    }
    if (x < 0 || x > HISTORY_MAX_COUNT) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path, "%s is out of range; accepted: %s "
                 "up to %.0e", n->text, accepted, HISTORY_MAX_COUNT);
        return false;
    }
    *out = x;
    return true;
}

static bool read_survival(Reader *r, const Node *n, const char *path, HistoryCohort *c)
{
    if (n->kind != NODE_SEQ) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected a list of client counts (at the start, then after each year), "
                 "got %s", kind_text(n));
        return false;
    }
    if (n->count == 0) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path,
                 "the cohort is empty; list the clients active at the start and after each "
                 "year, e.g. [1200, 1010, 905]");
        return false;
    }
    if (n->count < 2) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path,
                 "one count is no history; list the clients active at the start and after at "
                 "least one year, e.g. [%.40s, ...]", n->items[0]->kind == NODE_SCALAR ?
                 n->items[0]->text : "1200");
        return false;
    }
    if (n->count > HISTORY_MAX_YEARS + 1) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path,
                 "%zu counts is more than the %d years a cohort may record (at most %d counts)",
                 n->count, HISTORY_MAX_YEARS, HISTORY_MAX_YEARS + 1);
        return false;
    }
    double *counts = malloc(n->count * sizeof *counts);
    if (!counts) {
        if (!r->nomem)
            bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        r->nomem = true;
        return false;
    }
    bool ok = true;
    bool have_previous = false;
    double previous = 0;
    for (size_t i = 0; i < n->count; i++) {
        char item[KEY_PATH_MAX];
        snprintf(item, sizeof item, "%s[%zu]", path, i);
        const Node *v = n->items[i];
        if (!read_count(r, v, item, &counts[i])) {
            ok = false;
            have_previous = false;
            continue;
        }
        if (i == 0 && counts[0] == 0) {
            bv_error(r->errors, BV_ERR_INPUT, &v->mark, item,
                     "the first count is 0: a cohort starts with the clients it had at the "
                     "start, at least 1");
            ok = false;
        } else if (have_previous && counts[i] > previous) {
            bv_error(r->errors, BV_ERR_INPUT, &v->mark, item,
                     "%s clients after %s: counts of clients still active cannot increase "
                     "from one year to the next (a cohort gains no clients; new clients "
                     "form a new cohort)", v->text, n->items[i - 1]->text);
            ok = false;
        }
        previous = counts[i];
        have_previous = true;
    }
    if (!ok) {
        free(counts);
        return false;
    }
    c->survival = counts;
    c->count = n->count;
    return true;
}

static void read_cohort(Reader *r, const Node *n, size_t index, HistoryCohort *c)
{
    char path[KEY_PATH_MAX];
    snprintf(path, sizeof path, "cohorts[%zu]", index);
    c->mark = keep(r, n->mark);
    if (n->kind != NODE_MAP) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path,
                 "expected a cohort {name: ..., survival: [...]}, got %s", kind_text(n));
        return;
    }
    const Node *name = NULL, *survival = NULL;
    for (size_t i = 0; i < n->count; i++) {
        const NodeEntry *e = &n->entries[i];
        if (strcmp(e->key, "name") == 0) {
            name = e->value;
        } else if (strcmp(e->key, "survival") == 0) {
            survival = e->value;
        } else {
            char kp[KEY_PATH_MAX];
            snprintf(kp, sizeof kp, "%s.%s", path, e->key);
            bv_error(r->errors, BV_ERR_INPUT, &e->key_mark, kp,
                     "unknown key in a cohort; accepted keys: name, survival");
        }
    }
    char kp[KEY_PATH_MAX];
    if (name) {
        snprintf(kp, sizeof kp, "%s.name", path);
        if (name->kind != NODE_SCALAR || tree_is_null(name))
            bv_error(r->errors, BV_ERR_INPUT, &name->mark, kp, "expected text, got %s",
                     kind_text(name));
        else
            c->name = copy_string(r, name->text);
    } else {
        char fallback[32];
        snprintf(fallback, sizeof fallback, "cohort %zu", index + 1);
        c->name = copy_string(r, fallback);
    }
    snprintf(kp, sizeof kp, "%s.survival", path);
    if (!survival)
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, path,
                 "a cohort needs 'survival': the clients active at the start and after each "
                 "year, e.g. [1200, 1010, 905]");
    else
        read_survival(r, survival, kp, c);
}

static void read_cohorts(Reader *r, const Node *n)
{
    if (n->kind != NODE_SEQ) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, "cohorts",
                 "expected a list of cohorts {name: ..., survival: [...]}, got %s",
                 kind_text(n));
        return;
    }
    if (n->count == 0) {
        bv_error(r->errors, BV_ERR_INPUT, &n->mark, "cohorts",
                 "the list of cohorts is empty; give at least one");
        return;
    }
    r->h->cohorts = calloc(n->count, sizeof *r->h->cohorts);
    if (!r->h->cohorts) {
        r->nomem = true;
        bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        return;
    }
    r->h->cohort_count = n->count;
    for (size_t i = 0; i < n->count; i++)
        read_cohort(r, n->items[i], i, &r->h->cohorts[i]);
}

static void read_top_level(Reader *r, const Node *root)
{
    const Node *cohorts = NULL;
    for (size_t i = 0; i < root->count; i++) {
        const NodeEntry *e = &root->entries[i];
        if (strcmp(e->key, "model") == 0) {
            read_model(r, e->value);
        } else if (strcmp(e->key, "cohorts") == 0) {
            cohorts = e->value;
            r->h->cohorts_mark = keep(r, e->key_mark);
        } else {
            bv_error(r->errors, BV_ERR_INPUT, &e->key_mark, e->key,
                     "unknown key in a history; accepted keys: model, cohorts");
        }
    }
    if (!cohorts) {
        Mark m = {r->h->file, root->mark.line, root->mark.col};
        bv_error(r->errors, BV_ERR_INPUT, &m, "cohorts",
                 "a history needs 'cohorts': a list of {name: ..., survival: [...]}");
        return;
    }
    read_cohorts(r, cohorts);
}

BvStatus history_load(const char *path, History **out, BvErrors *errors)
{
    *out = NULL;
    size_t errors_before = errors->count + errors->dropped;
    History *h = calloc(1, sizeof *h);
    Tree *tree = tree_new();
    if (h)
        h->file = strdup(path);
    if (!h || !tree || !h->file) {
        tree_free(tree);
        history_free(h);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    h->model = HISTORY_MODEL_SBG;
    h->model_mark = (Mark){h->file, 0, 0};
    h->cohorts_mark = (Mark){h->file, 0, 0};
    Reader r = {h, errors, false};
    Node *root = NULL;
    BvStatus status = yamltree_parse_file(tree, path, &root, errors);
    if (status == BV_OK && (!root || root->kind != NODE_MAP)) {
        Mark m = {path, root ? root->mark.line : 1, root ? root->mark.col : 1};
        bv_error(errors, BV_ERR_INPUT, &m, NULL,
                 "a history is a mapping with 'cohorts' (and optionally 'model')%s",
                 root ? "" : "; the file is empty");
        root = NULL;
    }
    if (root)
        read_top_level(&r, root);
    tree_free(tree);
    if (errors->count + errors->dropped != errors_before) {
        status = bv_errors_status(errors);
        history_free(h);
        return status == BV_OK ? BV_ERR_INPUT : status;
    }
    *out = h;
    return BV_OK;
}

void history_free(History *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->cohort_count; i++) {
        free(h->cohorts[i].name);
        free(h->cohorts[i].survival);
    }
    free(h->cohorts);
    free(h->file);
    free(h);
}
