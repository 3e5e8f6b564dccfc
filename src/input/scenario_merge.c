/*
 * scenario_merge.c — the tree a scenario is read from: its file, the models it `extends`
 * merged beneath it, each --set and what-if patch merged above it.
 */
#include "scenario_loader.h"
#include "scenario_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "yamltree.h"

#define EXTENDS_MAX_DEPTH 8

unsigned scenario_merge_reach(Node *root, const char *path)
{
    static const struct {
        const char *key;
        unsigned bit;
    } keys[] = {{"margin", GIVEN_MARGIN},
                {"revenue_growth", GIVEN_REVENUE_GROWTH},
                {"retention", GIVEN_RETENTION},
                {"transfer_retention", GIVEN_TRANSFER_RETENTION}};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        if (strcmp(path, keys[k].key) != 0)
            continue;
        const Node *segments = tree_map_get(root, "segments");
        for (size_t i = 0; segments && segments->kind == NODE_MAP && i < segments->count; i++)
            if (segments->entries[i].value->kind == NODE_MAP)
                tree_map_remove(segments->entries[i].value, keys[k].key);
        const Node *clients = tree_map_get(root, "clients");
        for (size_t i = 0; clients && clients->kind == NODE_SEQ && i < clients->count; i++)
            if (clients->items[i]->kind == NODE_MAP)
                tree_map_remove(clients->items[i], keys[k].key);
        return keys[k].bit;
    }
    return 0;
}

/* The patches of a what-if load: a variant's set, then number overrides. */
Node *scenario_merge_whatif(Loader *L, Node *root, const ScenarioPatch *how)
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
            root = patch ? scenario_tree_merge(L, root, patch) : NULL;
            if (root)
                L->reach |= scenario_merge_reach(root, e->key);
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
            scenario_nomem(L);
            return NULL;
        }
        Node *patch = tree_path_patch(L->tree, o->path, o->mark, value, L->errors);
        root = patch ? scenario_tree_merge(L, root, patch) : NULL;
        if (root)
            L->reach |= scenario_merge_reach(root, o->path);
    }
    if (root) {
        /* A what-if run is one valuation: its own variants and sensitivity do not recurse. */
        tree_map_remove(root, "variants");
        tree_map_remove(root, "sensitivity");
    }
    return root;
}

/* ---- files: extends and clients_csv ---- */

char *scenario_merge_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

char *scenario_merge_join_file(const char *dir, const char *name)
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
    char *dir = scenario_merge_dir_of(from);
    if (!dir)
        return BV_ERR_NOMEM;
    if (!is_model_name(value)) {
        /* a path: existence is checked when it is read */
        *found = scenario_merge_join_file(dir, value);
        free(dir);
        return *found ? BV_OK : BV_ERR_NOMEM;
    }
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s.yaml", value);
    /* The file's own directory (a model extending a model), then models/ in it and in each
     * parent, then the installed models. */
    char *candidate = scenario_merge_join_file(dir, file);
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
    candidate = scenario_merge_join_file(models_dir, file);
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
        scenario_nomem(L);
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
    InputDigest digest;
    BvStatus status = yamltree_parse_file_digest(L->tree, model, &digest, &base, errors);
    if (status == BV_OK) {
        /* Recorded as found when that path is relative, else as written: never absolute
         * unless the user wrote it so. */
        const char *as_given = model[0] != '/' ? model : ext->text;
        const char *kept = tree_intern_file(L->tree, as_given);
        if (kept)
            input_files_add(L->inputs, "model", kept, &digest);
        else
            scenario_nomem(L);
    }
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
        scenario_nomem(L);
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
        base = scenario_tree_merge(L, base, model);
        if (!base)
            return NULL;
    }
    tree_map_remove(root, "extends");
    return scenario_tree_merge(L, base, root);
}

Node *scenario_merge_extends(Loader *L, Node *root, const char *file)
{
    return resolve_extends(L, root, file, 0);
}

/* Overlay each --set PATH=VALUE, in order. Marks name "--set", line N for the Nth. */
Node *scenario_merge_sets(Loader *L, Node *root, const ScenarioSet *sets, size_t count)
{
    for (size_t i = 0; i < count && root; i++) {
        const char *a = sets[i].assignment;
        const char *eq = strchr(a, '=');
        Mark key_mark = {tree_intern_file(L->tree, "--set"), (int)i + 1, 1};
        if (!key_mark.file) {
            scenario_nomem(L);
            return NULL;
        }
        if (!eq || eq == a) {
            bv_error(L->errors, BV_ERR_USAGE, &key_mark, NULL,
                     "expected --set PATH=VALUE (e.g. segments.A.retention=0.97), got '%s'", a);
            return NULL;
        }
        char *path = strndup(a, (size_t)(eq - a));
        if (!path) {
            scenario_nomem(L);
            return NULL;
        }
        Node *value = NULL;
        BvStatus s = yamltree_parse_string(L->tree, "--set", eq + 1, strlen(eq + 1), (int)i + 1,
                                           (int)(eq - a) + 1, &value, L->errors);
        if (s == BV_OK && !value) {
            value = tree_scalar(L->tree, key_mark, "", 0, false);
            if (!value)
                scenario_nomem(L);
        }
        Node *patch = s == BV_OK && value
                          ? tree_path_patch(L->tree, path, key_mark, value, L->errors)
                          : NULL;
        Node *merged = patch ? scenario_tree_merge(L, root, patch) : NULL;
        if (merged)
            L->reach |= scenario_merge_reach(merged, path);
        free(path);
        if (!merged)
            return NULL;
        root = merged;
    }
    return root;
}

