/*
 * tree.c — the scenario tree: construction, lookup, copy and the one merge used by
 * `extends`, `--set` and variants.
 *
 * Nodes are allocated one by one and chained into the Tree for freeing; scenario trees are
 * small (clients in bulk come from CSV), and the YAML reader caps the node count.
 */
#include "tree.h"

#include <stdlib.h>
#include <string.h>

typedef struct Allocation {
    struct Allocation *next;
} Allocation;

struct Tree {
    Node *root;
    Allocation *allocations; /* every block this tree owns, freed together */
};

Tree *tree_new(void)
{
    return calloc(1, sizeof(Tree));
}

void tree_free(Tree *tree)
{
    if (!tree)
        return;
    Allocation *a = tree->allocations;
    while (a) {
        Allocation *next = a->next;
        free(a);
        a = next;
    }
    free(tree);
}

/* A zeroed block owned by the tree. The header keeps blocks aligned for any object. */
static void *tree_alloc(Tree *tree, size_t size)
{
    typedef union {
        Allocation a;
        max_align_t align;
    } Header;
    Header *h = calloc(1, sizeof(Header) + size);
    if (!h)
        return NULL;
    h->a.next = tree->allocations;
    tree->allocations = &h->a;
    return h + 1;
}

/* Grow an array owned by the tree; the old block stays allocated until tree_free (the
 * doubling keeps the waste under half). */
static void *tree_grow(Tree *tree, void *old, size_t old_count, size_t new_count, size_t size)
{
    void *p = tree_alloc(tree, new_count * size);
    if (p && old_count)
        memcpy(p, old, old_count * size);
    return p;
}

Node *tree_root(const Tree *tree)
{
    return tree->root;
}

void tree_set_root(Tree *tree, Node *root)
{
    tree->root = root;
}

static char *tree_strndup(Tree *tree, const char *s, size_t len)
{
    char *p = tree_alloc(tree, len + 1);
    if (p)
        memcpy(p, s, len);
    return p;
}

const char *tree_intern_file(Tree *tree, const char *file)
{
    return tree_strndup(tree, file, strlen(file));
}

static Node *node_new(Tree *tree, NodeKind kind, Mark mark)
{
    Node *n = tree_alloc(tree, sizeof(Node));
    if (n) {
        n->kind = kind;
        n->mark = mark;
    }
    return n;
}

Node *tree_scalar(Tree *tree, Mark mark, const char *text, size_t len, bool quoted)
{
    Node *n = node_new(tree, NODE_SCALAR, mark);
    if (!n)
        return NULL;
    n->text = tree_strndup(tree, text, len);
    n->quoted = quoted;
    return n->text ? n : NULL;
}

Node *tree_seq(Tree *tree, Mark mark)
{
    return node_new(tree, NODE_SEQ, mark);
}

Node *tree_map(Tree *tree, Mark mark)
{
    return node_new(tree, NODE_MAP, mark);
}

static BvStatus reserve(Tree *tree, Node *n)
{
    if (n->count < n->cap)
        return BV_OK;
    size_t cap = n->cap ? 2 * n->cap : 8;
    if (n->kind == NODE_SEQ) {
        Node **items = tree_grow(tree, n->items, n->count, cap, sizeof *items);
        if (!items)
            return BV_ERR_NOMEM;
        n->items = items;
    } else {
        NodeEntry *entries = tree_grow(tree, n->entries, n->count, cap, sizeof *entries);
        if (!entries)
            return BV_ERR_NOMEM;
        n->entries = entries;
    }
    n->cap = cap;
    return BV_OK;
}

BvStatus tree_seq_append(Tree *tree, Node *seq, Node *item)
{
    if (reserve(tree, seq) != BV_OK)
        return BV_ERR_NOMEM;
    seq->items[seq->count++] = item;
    return BV_OK;
}

BvStatus tree_map_append(Tree *tree, Node *map, const char *key, Mark key_mark, Node *value)
{
    char *k = tree_strndup(tree, key, strlen(key));
    if (!k || reserve(tree, map) != BV_OK)
        return BV_ERR_NOMEM;
    map->entries[map->count++] = (NodeEntry){k, key_mark, value};
    return BV_OK;
}

Node *tree_map_get(const Node *map, const char *key)
{
    if (!map || map->kind != NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->count; i++)
        if (strcmp(map->entries[i].key, key) == 0)
            return map->entries[i].value;
    return NULL;
}

void tree_map_remove(Node *map, const char *key)
{
    if (!map || map->kind != NODE_MAP)
        return;
    for (size_t i = 0; i < map->count; i++) {
        if (strcmp(map->entries[i].key, key) == 0) {
            memmove(&map->entries[i], &map->entries[i + 1],
                    (map->count - i - 1) * sizeof map->entries[0]);
            map->count--;
            return;
        }
    }
}

Node *tree_copy(Tree *tree, const Node *node)
{
    switch (node->kind) {
    case NODE_SCALAR:
        return tree_scalar(tree, node->mark, node->text, strlen(node->text), node->quoted);
    case NODE_SEQ: {
        Node *seq = tree_seq(tree, node->mark);
        for (size_t i = 0; seq && i < node->count; i++) {
            Node *item = tree_copy(tree, node->items[i]);
            if (!item || tree_seq_append(tree, seq, item) != BV_OK)
                return NULL;
        }
        return seq;
    }
    case NODE_MAP: {
        Node *map = tree_map(tree, node->mark);
        for (size_t i = 0; map && i < node->count; i++) {
            const NodeEntry *e = &node->entries[i];
            Node *value = tree_copy(tree, e->value);
            if (!value || tree_map_append(tree, map, e->key, e->key_mark, value) != BV_OK)
                return NULL;
        }
        return map;
    }
    }
    return NULL;
}

/* A mapping that spells one value (a distribution, a retention curve or sBG) is replaced
 * whole: merging {dist: pert, ...} into {dist: normal, ...} key by key would mix two
 * distributions' parameters. */
static bool is_value_mapping(const Node *n)
{
    static const char *const value_keys[] = {"dist", "curve", "sbg"};
    for (size_t i = 0; i < sizeof value_keys / sizeof value_keys[0]; i++)
        if (tree_map_get(n, value_keys[i]))
            return true;
    return false;
}

Node *tree_merge(Tree *tree, Node *base, Node *patch)
{
    if (!base)
        return patch;
    if (!patch)
        return base;
    if (base->kind != NODE_MAP || patch->kind != NODE_MAP || is_value_mapping(base) ||
        is_value_mapping(patch))
        return patch;
    for (size_t i = 0; i < patch->count; i++) {
        NodeEntry *p = &patch->entries[i];
        NodeEntry *b = NULL;
        for (size_t j = 0; j < base->count; j++)
            if (strcmp(base->entries[j].key, p->key) == 0)
                b = &base->entries[j];
        if (b) {
            Node *merged = tree_merge(tree, b->value, p->value);
            if (!merged)
                return NULL; /* out of memory below */
            b->value = merged;
            b->key_mark = p->key_mark;
        } else if (tree_map_append(tree, base, p->key, p->key_mark, p->value) != BV_OK) {
            return NULL;
        }
    }
    /* The merged mapping is reported where the overriding file wrote it. */
    base->mark = patch->mark;
    return base;
}

Node *tree_path_patch(Tree *tree, const char *path, Mark key_mark, Node *value,
                      BvErrors *errors)
{
    /* Build from the last component outwards: a.b.c=v becomes {a: {b: {c: v}}}. */
    size_t len = strlen(path);
    Node *inner = value;
    size_t end = len;
    for (;;) {
        size_t start = end;
        while (start > 0 && path[start - 1] != '.')
            start--;
        if (start == end) {
            bv_error(errors, BV_ERR_USAGE, &key_mark, path,
                     "empty component in the key path; write keys separated by single dots, "
                     "e.g. segments.A.retention");
            return NULL;
        }
        char *key = tree_strndup(tree, path + start, end - start);
        Node *map = tree_map(tree, key_mark);
        if (!key || !map || tree_map_append(tree, map, key, key_mark, inner) != BV_OK) {
            bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            return NULL;
        }
        inner = map;
        if (start == 0)
            return inner;
        end = start - 1;
    }
}

bool tree_is_null(const Node *node)
{
    return node && node->kind == NODE_SCALAR && !node->quoted &&
           (node->text[0] == '\0' || strcmp(node->text, "~") == 0 ||
            strcmp(node->text, "null") == 0 || strcmp(node->text, "Null") == 0 ||
            strcmp(node->text, "NULL") == 0);
}
