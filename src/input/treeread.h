/*
 * treeread.h — typed readers over a YAML tree: a string, number, integer, boolean, enum,
 * distribution or retention model at a key path, checked against a schema range.
 *
 * Every reader records what is wrong (with the node's line and column and the key path) in
 * the caller's error list and returns false, so a loader can walk on and report every error.
 * The scenario loader and the history loader share them, so both word errors alike.
 */
#ifndef BOOKVAL_TREEREAD_H
#define BOOKVAL_TREEREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "dist.h"
#include "error.h"
#include "retention.h"
#include "schema.h"
#include "tree.h"

#define TREEREAD_PATH_MAX BV_ERROR_KEY_MAX

/* Where errors go, and where strings read are copied to (they must outlive the tree). */
typedef struct TreeRead {
    BvErrors *errors;
    const char *(*intern)(void *owner, const char *text, size_t len); /* NULL: out of memory */
    void *owner;
} TreeRead;

/* "parent.key", or "key" at the top; cut to TREEREAD_PATH_MAX. */
void treeread_join_path(char *out, const char *parent, const char *key);
/* "a mapping", "a list" or "a value", for "expected X, got Y" messages. */
const char *treeread_kind_text(const Node *n);
void treeread_nomem(TreeRead *r);

bool treeread_string(TreeRead *r, const Node *n, const char *path, const char **out);
/* A number (an integer when `integer`) inside `range`; quoted text and NaN are refused. */
bool treeread_number(TreeRead *r, const Node *n, const char *path, const SchemaRange *range,
                     bool integer, double *out);
bool treeread_bool(TreeRead *r, const Node *n, const char *path, bool *out);
/* One of `values` ("a|b|c"): *out its index. */
bool treeread_enum(TreeRead *r, const Node *n, const char *path, const char *values, int *out);
/* Report every key of `map` that `table` does not know, or that a later version owns. */
bool treeread_check_keys(TreeRead *r, const Node *map, const char *path,
                         const SchemaTable *table);
bool treeread_expect_map(TreeRead *r, const Node *n, const char *path, const char *what);
bool treeread_expect_seq(TreeRead *r, const Node *n, const char *path, const char *what);
/* A (D) value: a plain number or a distribution whose every value lies in `range`. */
bool treeread_uncertain(TreeRead *r, const Node *n, const char *path, const SchemaRange *range,
                        Dist *out);
/* A retention: a (D) number, {curve: [...]} or {sbg: {alpha, beta}}. */
bool treeread_retention(TreeRead *r, const Node *n, const char *path, const SchemaRange *range,
                        RetentionModel *out);
/*
 * Read the number, integer and boolean keys of `map` by `table` into out[i] (booleans as 0/1;
 * an absent key: its schema default, else 0), setting given[i]; report unknown keys and missing required ones.
 * Structures and enums are left to the caller. True when every key read was valid.
 */
bool treeread_fields(TreeRead *r, const Node *map, const char *path, const SchemaTable *table,
                     double *out, bool *given);

#endif
