/*
 * tree.h — a YAML document as a plain tree of mappings, sequences and scalars, each node
 * carrying the place it was written (file, line, column).
 *
 * The tree is what `extends:`, `--set` and (later) variants operate on: one merge function
 * overlays one tree on another, so an error found after merging still points at the file
 * and line that wrote the value. Parsing YAML into a tree lives in yamltree.c; turning a
 * tree into a typed scenario lives in scenario.c.
 */
#ifndef BOOKVAL_TREE_H
#define BOOKVAL_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef enum NodeKind { NODE_SCALAR, NODE_SEQ, NODE_MAP } NodeKind;

typedef struct Node Node;

typedef struct NodeEntry {
    char *key;
    Mark key_mark;
    Node *value;
} NodeEntry;

struct Node {
    NodeKind kind;
    Mark mark;
    /* NODE_SCALAR */
    char *text;       /* NUL-terminated; may contain no NUL itself (the parser rejects it) */
    bool quoted;      /* written in quotes or as a block scalar: text, never a number */
    /* NODE_SEQ: items; NODE_MAP: entries, in document order, keys unique */
    Node **items;
    NodeEntry *entries;
    size_t count;
    size_t cap;
};

/* A forest of nodes shares one owner: every node and string of a Tree is freed by tree_free.
 * File names referenced by marks are interned here too. */
typedef struct Tree Tree;

Tree *tree_new(void);
void tree_free(Tree *tree); /* NULL is a no-op */

/* The document's root node, or NULL for an empty tree. */
Node *tree_root(const Tree *tree);
void tree_set_root(Tree *tree, Node *root);

/* Keep a copy of `file` for marks; returns the interned copy or NULL when out of memory. */
const char *tree_intern_file(Tree *tree, const char *file);

/* Node constructors. All return NULL when out of memory. */
Node *tree_scalar(Tree *tree, Mark mark, const char *text, size_t len, bool quoted);
Node *tree_seq(Tree *tree, Mark mark);
Node *tree_map(Tree *tree, Mark mark);
BvStatus tree_seq_append(Tree *tree, Node *seq, Node *item);
BvStatus tree_map_append(Tree *tree, Node *map, const char *key, Mark key_mark, Node *value);

/* The value under `key` in a mapping, or NULL. */
Node *tree_map_get(const Node *map, const char *key);
/* Remove `key` from a mapping (no-op when absent). */
void tree_map_remove(Node *map, const char *key);

/* Copy `node` (deeply) into `tree`, keeping its marks. NULL when out of memory. */
Node *tree_copy(Tree *tree, const Node *node);

/*
 * Overlay `patch` on `base`, both owned by `tree`: mappings merge key by key, recursively;
 * any other value in `patch` replaces the base value whole (lists are not concatenated), and
 * so does a mapping that spells a single value ({dist: ...}, {curve: ...}, {sbg: ...}).
 * Returns the merged node (which may be `patch` itself); `base` and `patch` are consumed.
 */
Node *tree_merge(Tree *tree, Node *base, Node *patch);

/*
 * Build the patch that sets a dotted path ("segments.A.retention") to `value`: nested
 * mappings whose keys carry `key_mark`. Path components must be non-empty.
 * Returns NULL and records an error on a malformed path or when out of memory.
 */
Node *tree_path_patch(Tree *tree, const char *path, Mark key_mark, Node *value,
                      BvErrors *errors);

/* True when the scalar is YAML's null: empty plain text, "~", "null". */
bool tree_is_null(const Node *node);

#endif
