/*
 * scenario_loader.h — the loader's state and stages, shared by the scenario_*.c files only.
 *
 * scenario.c walks the merged tree; each section with more to it is read by its own file
 * (scenario_clients.c, scenario_deal.c, scenario_whatif.c); scenario_merge.c builds the
 * merged tree. Every reader records its errors and walks on.
 */
#ifndef BOOKVAL_SCENARIO_LOADER_H
#define BOOKVAL_SCENARIO_LOADER_H

#include "scenario.h"
#include "schema.h"
#include "tree.h"
#include "treeread.h"

typedef struct Loader {
    TreeRead rd;             /* errors, and strings copied into the scenario's pool */
    Scenario *sc;
    Tree *tree;
    BvErrors *errors;
    const char *models_dir;
    const char *last_file;   /* mark interning cache: tree's name ... */
    const char *last_copy;   /* ... and the scenario's copy */
    unsigned reach;          /* GIVEN_* bits a what-if set at the top level for every client */
    InputFiles *inputs;      /* where the files read are recorded (provenance.h), paths kept
                                in `tree` */
} Loader;

/* scenario.c: out of memory recorded; tree_merge with that failure recorded; a mark whose
 * file name outlives the tree. */
void scenario_nomem(Loader *L);
Node *scenario_tree_merge(Loader *L, Node *base, Node *patch);
Mark scenario_keep_mark(Loader *L, Mark m);
/* After the clients are read: the cohort limit, and that every uncertain input reaches one. */
void scenario_check_reach(Loader *L);

/* scenario.c: the stages scenario_source.c puts together. A new scenario for `path` at the
 * schema's defaults (NULL when out of memory); the walk of a merged tree; the cohort limit;
 * TreeRead's string copier (into the scenario's pool). */
Scenario *scenario_begin(const char *path);
void scenario_read_tree(Loader *L, const Node *root);
void scenario_check_cohorts(Loader *L);
const char *scenario_loader_intern(void *owner, const char *text, size_t len);

/* scenario_source.c: drop a scenario's share of the source's CSV rows (NULL is a no-op). */
void scenario_rows_release(struct ScenarioRows *rows);

/* scenario_clients.c */
bool scenario_clients_read_assumption(Loader *L, const SchemaKey *k, const Node *v,
                                      const char *path, Assumptions *a);
void scenario_clients_read_segments(Loader *L, const Node *n);
void scenario_clients_read(Loader *L, const Node *n);
void scenario_clients_check_ids(Loader *L);

/* scenario_deal.c (the horizon is read first: years beyond it are errors) */
void scenario_deal_read(Loader *L, const Node *n);
void scenario_deal_read_seller(Loader *L, const Node *n);
void scenario_deal_read_buyer(Loader *L, const Node *n);
/* deal.allocation, seller.tax.classes, buyer.write_off, and the classes checked against the
 * sides' jurisdictions once both are read (scenario_allocation.c). */
void scenario_allocation_read(Loader *L, const Node *n);
void scenario_allocation_read_classes(Loader *L, const Node *n, SellerSpec *seller);
void scenario_allocation_read_write_off(Loader *L, const Node *n, BuyerSpec *buyer);
void scenario_allocation_check(Loader *L);
/* reported_profit, owner_market_salary, normalization; `margin: from_normalization` (true when
 * v is it), resolved after the clients are read (scenario_normalization.c). */
bool scenario_normalization_margin(Loader *L, const Node *v, const char *path, Assumptions *a);
void scenario_normalization_read(Loader *L, const Node *root);
void scenario_normalization_finish(Loader *L);
/* buyer.financing (scenario_financing.c). */
void scenario_financing_read(Loader *L, const Node *n);
void scenario_deal_read_regime(Loader *L, const Node *n);

/* scenario_whatif.c (segments, deal, seller and buyer are read first: a parameter may name
 * them) */
void scenario_whatif_read_variants(Loader *L, const Node *n);
void scenario_whatif_read_sensitivity(Loader *L, const Node *n);

/* scenario_merge.c */
Node *scenario_merge_extends(Loader *L, Node *root, const char *file);
Node *scenario_merge_sets(Loader *L, Node *root, const ScenarioSet *sets, size_t count);
Node *scenario_merge_whatif(Loader *L, Node *root, const ScenarioPatch *patch);
/* A what-if (--set, a variant's set, a tornado or grid point) that names a top-level client
 * assumption (margin, revenue_growth, retention, transfer_retention) reaches every client: the
 * key is removed from every segment and inline client of `root`, and its GIVEN_* bit returned
 * (CSV clients lose their own value of it once read). 0 for any other path. */
unsigned scenario_merge_reach(Node *root, const char *path);
char *scenario_merge_dir_of(const char *path);                      /* malloc'd */
char *scenario_merge_join_file(const char *dir, const char *name);  /* malloc'd */

#endif
