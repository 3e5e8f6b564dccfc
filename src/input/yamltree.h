/*
 * yamltree.h — read YAML text into a Tree (the only module that sees libyaml).
 *
 * Strict and bounded: one document; no anchors, aliases or tags; mapping keys are unique
 * plain scalars; nesting deeper than YAMLTREE_MAX_DEPTH, more than YAMLTREE_MAX_NODES nodes,
 * a mapping of more than YAMLTREE_MAX_MAP_KEYS keys or a file larger than YAMLTREE_MAX_BYTES
 * is refused before it can cost time or memory.
 */
#ifndef BOOKVAL_YAMLTREE_H
#define BOOKVAL_YAMLTREE_H

#include "provenance.h"
#include "tree.h"

#define YAMLTREE_MAX_BYTES (64u << 20)
#define YAMLTREE_MAX_DEPTH 32
#define YAMLTREE_MAX_NODES 2000000u
/* No scenario mapping needs more keys; the cap keeps merging two mappings cheap. */
#define YAMLTREE_MAX_MAP_KEYS 10000u

/*
 * Parse the file at `path` into a node of `tree` (marks name `path` as given).
 * On success *out is the root mapping, sequence or scalar (NULL for an empty file).
 * On failure records errors (BV_ERR_INPUT with line and column, or BV_ERR_IO) and returns
 * their status; *out is NULL.
 */
BvStatus yamltree_parse_file(Tree *tree, const char *path, Node **out, BvErrors *errors);

/* yamltree_parse_file that also digests the bytes read into `digest` (when not NULL). */
BvStatus yamltree_parse_file_digest(Tree *tree, const char *path, InputDigest *digest,
                                    Node **out, BvErrors *errors);

/*
 * Parse YAML text held in memory; marks name `name`, count lines from `first_line` and shift
 * columns on the first line by `col_offset` (so a `--set` value points into its argument).
 */
BvStatus yamltree_parse_string(Tree *tree, const char *name, const char *text, size_t len,
                               int first_line, int col_offset, Node **out, BvErrors *errors);

#endif
