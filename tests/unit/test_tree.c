/*
 * test_tree.c — the scenario tree (src/tree.c): the one merge used by extends, --set and
 * variants, path patches, deep copies and key removal.
 *
 * Trees are built node by node here (not parsed), so these tests do not depend on the YAML
 * reader; each node carries a distinct line:col so a test can tell which file "wrote" a value
 * after a merge. Expected results follow from the contract in tree.h.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "unit_support.h"

#include "tree.h"

/* Two pretend files: the base (a model) and the overriding patch (a scenario). */
static const char *const BASE_FILE = "model.yaml";
static const char *const PATCH_FILE = "scenario.yaml";

static Mark at(const char *file, int line, int col)
{
    return (Mark){file, line, col};
}

static Node *scalar(Tree *t, const char *text, Mark m)
{
    Node *n = tree_scalar(t, m, text, strlen(text), false);
    assert_non_null(n);
    return n;
}

static Node *map(Tree *t, Mark m)
{
    Node *n = tree_map(t, m);
    assert_non_null(n);
    return n;
}

static Node *seq(Tree *t, Mark m)
{
    Node *n = tree_seq(t, m);
    assert_non_null(n);
    return n;
}

static void put(Tree *t, Node *mapping, const char *key, Mark key_mark, Node *value)
{
    assert_int_equal(tree_map_append(t, mapping, key, key_mark, value), BV_OK);
}

static void push(Tree *t, Node *sequence, Node *item)
{
    assert_int_equal(tree_seq_append(t, sequence, item), BV_OK);
}

/* The text of scalar `key` in `mapping`, failing when absent or not a scalar. */
static const char *text_of(const Node *mapping, const char *key)
{
    const Node *v = tree_map_get(mapping, key);
    if (!v)
        fail_msg("key '%s' is missing", key);
    assert_int_equal(v->kind, NODE_SCALAR);
    return v->text;
}

static const NodeEntry *entry_of(const Node *mapping, const char *key)
{
    for (size_t i = 0; i < mapping->count; i++)
        if (strcmp(mapping->entries[i].key, key) == 0)
            return &mapping->entries[i];
    fail_msg("key '%s' is missing", key);
    return NULL;
}

static void assert_mark(Mark m, const char *file, int line, int col)
{
    if (m.file != file || m.line != line || m.col != col)
        fail_msg("mark %s:%d:%d, expected %s:%d:%d", m.file ? m.file : "(null)", m.line, m.col,
                 file, line, col);
}

/* ---- tree_merge ---- */

/*
 * base:  {horizon_years: 7, margin: 0.3875, segments: {A: {margin: 0.4625, retention: 0.9125}}}
 * patch: {margin: 0.4125, segments: {A: {retention: 0.8615}, B: {margin: 0.3575}}, tail: runoff}
 * merged: horizon_years from base; margin, A.retention, B, tail from the patch; A.margin kept.
 */
static void test_merge_maps_key_by_key(void **state)
{
    (void)state;
    Tree *t = tree_new();
    assert_non_null(t);

    Node *base = map(t, at(BASE_FILE, 1, 1));
    put(t, base, "horizon_years", at(BASE_FILE, 1, 1), scalar(t, "7", at(BASE_FILE, 1, 16)));
    put(t, base, "margin", at(BASE_FILE, 2, 1), scalar(t, "0.3875", at(BASE_FILE, 2, 9)));
    Node *bseg = map(t, at(BASE_FILE, 4, 3));
    Node *ba = map(t, at(BASE_FILE, 4, 6));
    put(t, ba, "margin", at(BASE_FILE, 4, 7), scalar(t, "0.4625", at(BASE_FILE, 4, 15)));
    put(t, ba, "retention", at(BASE_FILE, 4, 23), scalar(t, "0.9125", at(BASE_FILE, 4, 34)));
    put(t, bseg, "A", at(BASE_FILE, 4, 3), ba);
    put(t, base, "segments", at(BASE_FILE, 3, 1), bseg);

    Node *patch = map(t, at(PATCH_FILE, 1, 1));
    put(t, patch, "margin", at(PATCH_FILE, 1, 1), scalar(t, "0.4125", at(PATCH_FILE, 1, 9)));
    Node *pseg = map(t, at(PATCH_FILE, 3, 3));
    Node *pa = map(t, at(PATCH_FILE, 3, 6));
    put(t, pa, "retention", at(PATCH_FILE, 3, 7), scalar(t, "0.8615", at(PATCH_FILE, 3, 18)));
    put(t, pseg, "A", at(PATCH_FILE, 3, 3), pa);
    Node *pb = map(t, at(PATCH_FILE, 4, 6));
    put(t, pb, "margin", at(PATCH_FILE, 4, 7), scalar(t, "0.3575", at(PATCH_FILE, 4, 15)));
    put(t, pseg, "B", at(PATCH_FILE, 4, 3), pb);
    put(t, patch, "segments", at(PATCH_FILE, 2, 1), pseg);
    put(t, patch, "tail", at(PATCH_FILE, 5, 1), scalar(t, "runoff", at(PATCH_FILE, 5, 7)));

    Node *m = tree_merge(t, base, patch);
    assert_non_null(m);
    assert_int_equal(m->kind, NODE_MAP);
    assert_int_equal(m->count, 4);
    /* Base order first, new keys appended in the patch's order. */
    assert_string_equal(m->entries[0].key, "horizon_years");
    assert_string_equal(m->entries[1].key, "margin");
    assert_string_equal(m->entries[2].key, "segments");
    assert_string_equal(m->entries[3].key, "tail");
    assert_string_equal(text_of(m, "horizon_years"), "7");
    assert_string_equal(text_of(m, "margin"), "0.4125");
    assert_string_equal(text_of(m, "tail"), "runoff");

    const Node *segs = tree_map_get(m, "segments");
    assert_non_null(segs);
    assert_int_equal(segs->count, 2);
    const Node *a = tree_map_get(segs, "A");
    assert_non_null(a);
    assert_int_equal(a->count, 2);
    assert_string_equal(text_of(a, "margin"), "0.4625");    /* kept from the base */
    assert_string_equal(text_of(a, "retention"), "0.8615"); /* overridden */
    const Node *b = tree_map_get(segs, "B");
    assert_non_null(b);
    assert_string_equal(text_of(b, "margin"), "0.3575");

    /* Marks: an overridden value and its key point at the patch, a kept one at the base. */
    assert_mark(tree_map_get(m, "margin")->mark, PATCH_FILE, 1, 9);
    assert_mark(entry_of(m, "margin")->key_mark, PATCH_FILE, 1, 1);
    assert_mark(tree_map_get(m, "horizon_years")->mark, BASE_FILE, 1, 16);
    assert_mark(entry_of(m, "horizon_years")->key_mark, BASE_FILE, 1, 1);
    assert_mark(tree_map_get(a, "retention")->mark, PATCH_FILE, 3, 18);
    assert_mark(tree_map_get(a, "margin")->mark, BASE_FILE, 4, 15);
    assert_mark(entry_of(a, "margin")->key_mark, BASE_FILE, 4, 7);
    /* A merged mapping is reported where the overriding file wrote it. */
    assert_mark(m->mark, PATCH_FILE, 1, 1);
    assert_mark(a->mark, PATCH_FILE, 3, 6);
    tree_free(t);
}

/* Lists are replaced whole, not concatenated; scalars and kinds are replaced too. */
static void test_merge_replaces_lists_and_scalars(void **state)
{
    (void)state;
    Tree *t = tree_new();
    Node *base = map(t, at(BASE_FILE, 1, 1));
    Node *curve = seq(t, at(BASE_FILE, 1, 8));
    push(t, curve, scalar(t, "0.8375", at(BASE_FILE, 1, 9)));
    push(t, curve, scalar(t, "0.9125", at(BASE_FILE, 1, 17)));
    push(t, curve, scalar(t, "0.9541", at(BASE_FILE, 1, 25)));
    put(t, base, "list", at(BASE_FILE, 1, 1), curve);
    put(t, base, "scalar", at(BASE_FILE, 2, 1), scalar(t, "2385.17", at(BASE_FILE, 2, 9)));
    Node *sub = map(t, at(BASE_FILE, 3, 8));
    put(t, sub, "x", at(BASE_FILE, 3, 9), scalar(t, "1", at(BASE_FILE, 3, 12)));
    put(t, base, "map_to_scalar", at(BASE_FILE, 3, 1), sub);
    put(t, base, "scalar_to_list", at(BASE_FILE, 4, 1), scalar(t, "0.0375", at(BASE_FILE, 4, 17)));

    Node *patch = map(t, at(PATCH_FILE, 1, 1));
    Node *short_list = seq(t, at(PATCH_FILE, 1, 7));
    push(t, short_list, scalar(t, "0.8815", at(PATCH_FILE, 1, 8)));
    put(t, patch, "list", at(PATCH_FILE, 1, 1), short_list);
    put(t, patch, "scalar", at(PATCH_FILE, 2, 1), scalar(t, "1190.55", at(PATCH_FILE, 2, 9)));
    put(t, patch, "map_to_scalar", at(PATCH_FILE, 3, 1), scalar(t, "none", at(PATCH_FILE, 3, 16)));
    Node *l2 = seq(t, at(PATCH_FILE, 4, 17));
    push(t, l2, scalar(t, "0.0415", at(PATCH_FILE, 4, 18)));
    push(t, l2, scalar(t, "0.0435", at(PATCH_FILE, 4, 26)));
    put(t, patch, "scalar_to_list", at(PATCH_FILE, 4, 1), l2);

    Node *m = tree_merge(t, base, patch);
    assert_non_null(m);
    const Node *list = tree_map_get(m, "list");
    assert_int_equal(list->kind, NODE_SEQ);
    assert_int_equal(list->count, 1);
    assert_string_equal(list->items[0]->text, "0.8815");
    assert_mark(list->mark, PATCH_FILE, 1, 7);
    assert_string_equal(text_of(m, "scalar"), "1190.55");
    assert_string_equal(text_of(m, "map_to_scalar"), "none");
    const Node *sl = tree_map_get(m, "scalar_to_list");
    assert_int_equal(sl->kind, NODE_SEQ);
    assert_int_equal(sl->count, 2);
    assert_string_equal(sl->items[1]->text, "0.0435");
    assert_mark(sl->items[1]->mark, PATCH_FILE, 4, 26);
    tree_free(t);
}

/* A mapping that spells one value ({dist}, {curve}, {sbg}) replaces the base value whole,
 * on either side of the merge: no parameter of the old distribution survives. */
static void test_merge_replaces_value_mappings_whole(void **state)
{
    (void)state;
    Tree *t = tree_new();
    Node *base = map(t, at(BASE_FILE, 1, 1));
    Node *pert = map(t, at(BASE_FILE, 1, 16));
    put(t, pert, "dist", at(BASE_FILE, 1, 17), scalar(t, "pert", at(BASE_FILE, 1, 23)));
    put(t, pert, "min", at(BASE_FILE, 1, 29), scalar(t, "0.0875", at(BASE_FILE, 1, 34)));
    put(t, pert, "mode", at(BASE_FILE, 1, 42), scalar(t, "0.1175", at(BASE_FILE, 1, 48)));
    put(t, pert, "max", at(BASE_FILE, 1, 56), scalar(t, "0.1715", at(BASE_FILE, 1, 61)));
    put(t, base, "discount_rate", at(BASE_FILE, 1, 1), pert);
    /* retention: {sbg: {alpha: 0.7, beta: 3.8}} */
    Node *ret = map(t, at(BASE_FILE, 2, 12));
    Node *sbg = map(t, at(BASE_FILE, 2, 18));
    put(t, sbg, "alpha", at(BASE_FILE, 2, 19), scalar(t, "0.7", at(BASE_FILE, 2, 26)));
    put(t, sbg, "beta", at(BASE_FILE, 2, 31), scalar(t, "3.8", at(BASE_FILE, 2, 37)));
    put(t, ret, "sbg", at(BASE_FILE, 2, 13), sbg);
    put(t, base, "retention", at(BASE_FILE, 2, 1), ret);
    /* margin: 0.3875 (a scalar the patch replaces by a distribution) */
    put(t, base, "margin", at(BASE_FILE, 3, 1), scalar(t, "0.3875", at(BASE_FILE, 3, 9)));
    /* revenue_growth: {dist: normal, mean: 0.0215, sd: 0.0075}; the patch gives a plain
     * mapping {mean: 0.0235}: the value mapping on the base side is replaced whole too. */
    Node *normal = map(t, at(BASE_FILE, 4, 17));
    put(t, normal, "dist", at(BASE_FILE, 4, 18), scalar(t, "normal", at(BASE_FILE, 4, 24)));
    put(t, normal, "mean", at(BASE_FILE, 4, 32), scalar(t, "0.0215", at(BASE_FILE, 4, 38)));
    put(t, normal, "sd", at(BASE_FILE, 4, 46), scalar(t, "0.0075", at(BASE_FILE, 4, 50)));
    put(t, base, "revenue_growth", at(BASE_FILE, 4, 1), normal);

    Node *patch = map(t, at(PATCH_FILE, 1, 1));
    Node *normal2 = map(t, at(PATCH_FILE, 1, 16));
    put(t, normal2, "dist", at(PATCH_FILE, 1, 17), scalar(t, "normal", at(PATCH_FILE, 1, 23)));
    put(t, normal2, "mean", at(PATCH_FILE, 1, 31), scalar(t, "0.1235", at(PATCH_FILE, 1, 37)));
    put(t, normal2, "sd", at(PATCH_FILE, 1, 45), scalar(t, "0.0125", at(PATCH_FILE, 1, 49)));
    put(t, patch, "discount_rate", at(PATCH_FILE, 1, 1), normal2);
    /* retention: {sbg: {alpha: 0.93}}: merging key by key would keep beta 3.8. */
    Node *ret2 = map(t, at(PATCH_FILE, 2, 12));
    Node *sbg2 = map(t, at(PATCH_FILE, 2, 18));
    put(t, sbg2, "alpha", at(PATCH_FILE, 2, 19), scalar(t, "0.93", at(PATCH_FILE, 2, 26)));
    put(t, ret2, "sbg", at(PATCH_FILE, 2, 13), sbg2);
    put(t, patch, "retention", at(PATCH_FILE, 2, 1), ret2);
    Node *curve_map = map(t, at(PATCH_FILE, 3, 9));
    Node *curve = seq(t, at(PATCH_FILE, 3, 17));
    push(t, curve, scalar(t, "0.4125", at(PATCH_FILE, 3, 18)));
    put(t, curve_map, "curve", at(PATCH_FILE, 3, 10), curve);
    put(t, patch, "margin", at(PATCH_FILE, 3, 1), curve_map);
    Node *plain = map(t, at(PATCH_FILE, 4, 17));
    put(t, plain, "mean", at(PATCH_FILE, 4, 18), scalar(t, "0.0235", at(PATCH_FILE, 4, 24)));
    put(t, patch, "revenue_growth", at(PATCH_FILE, 4, 1), plain);

    Node *m = tree_merge(t, base, patch);
    assert_non_null(m);

    const Node *d = tree_map_get(m, "discount_rate");
    assert_ptr_equal(d, normal2);
    assert_int_equal(d->count, 3);
    assert_string_equal(text_of(d, "dist"), "normal");
    assert_null(tree_map_get(d, "min"));
    assert_null(tree_map_get(d, "mode"));
    assert_null(tree_map_get(d, "max"));
    assert_mark(d->mark, PATCH_FILE, 1, 16);

    const Node *r = tree_map_get(m, "retention");
    const Node *s = tree_map_get(r, "sbg");
    assert_non_null(s);
    assert_int_equal(s->count, 1);
    assert_string_equal(text_of(s, "alpha"), "0.93");
    assert_null(tree_map_get(s, "beta"));
    assert_mark(r->mark, PATCH_FILE, 2, 12);

    const Node *mg = tree_map_get(m, "margin");
    assert_int_equal(mg->kind, NODE_MAP);
    assert_non_null(tree_map_get(mg, "curve"));

    const Node *g = tree_map_get(m, "revenue_growth");
    assert_ptr_equal(g, plain);
    assert_int_equal(g->count, 1);
    assert_null(tree_map_get(g, "dist"));
    assert_null(tree_map_get(g, "sd"));
    tree_free(t);
}

/* NULL on either side returns the other side. */
static void test_merge_with_null_sides(void **state)
{
    (void)state;
    Tree *t = tree_new();
    Node *a = scalar(t, "0.0375", at(BASE_FILE, 1, 1));
    assert_ptr_equal(tree_merge(t, NULL, a), a);
    assert_ptr_equal(tree_merge(t, a, NULL), a);
    tree_free(t);
}

/* ---- tree_path_patch ---- */

/* segments.X.margin=0.3575 becomes {segments: {X: {margin: 0.3575}}}, every key marked with
 * the --set's mark; merged into a tree without segment X it creates it. */
static void test_path_patch_creates_nested_maps(void **state)
{
    (void)state;
    Tree *t = tree_new();
    BvErrors errors;
    bv_errors_init(&errors);
    Mark set_mark = at("--set", 2, 1);
    Node *value = scalar(t, "0.3575", at("--set", 2, 19));
    Node *patch = tree_path_patch(t, "segments.X.margin", set_mark, value, &errors);
    assert_non_null(patch);
    assert_int_equal(errors.count, 0);
    assert_int_equal(patch->kind, NODE_MAP);
    assert_int_equal(patch->count, 1);
    assert_string_equal(patch->entries[0].key, "segments");
    assert_mark(patch->entries[0].key_mark, "--set", 2, 1);
    const Node *segs = patch->entries[0].value;
    assert_int_equal(segs->kind, NODE_MAP);
    assert_int_equal(segs->count, 1);
    assert_string_equal(segs->entries[0].key, "X");
    const Node *x = segs->entries[0].value;
    assert_int_equal(x->count, 1);
    assert_string_equal(x->entries[0].key, "margin");
    assert_ptr_equal(x->entries[0].value, value);

    /* Into {segments: {A: {margin: 0.4625}}, margin: 0.3875}: A kept, X created. */
    Node *base = map(t, at(BASE_FILE, 1, 1));
    put(t, base, "margin", at(BASE_FILE, 1, 1), scalar(t, "0.3875", at(BASE_FILE, 1, 9)));
    Node *bseg = map(t, at(BASE_FILE, 3, 3));
    Node *ba = map(t, at(BASE_FILE, 3, 6));
    put(t, ba, "margin", at(BASE_FILE, 3, 7), scalar(t, "0.4625", at(BASE_FILE, 3, 15)));
    put(t, bseg, "A", at(BASE_FILE, 3, 3), ba);
    put(t, base, "segments", at(BASE_FILE, 2, 1), bseg);
    Node *m = tree_merge(t, base, patch);
    const Node *ms = tree_map_get(m, "segments");
    assert_int_equal(ms->count, 2);
    assert_string_equal(text_of(tree_map_get(ms, "A"), "margin"), "0.4625");
    assert_string_equal(text_of(tree_map_get(ms, "X"), "margin"), "0.3575");
    assert_mark(tree_map_get(tree_map_get(ms, "X"), "margin")->mark, "--set", 2, 19);
    assert_string_equal(text_of(m, "margin"), "0.3875");

    /* A single component is a top-level key. */
    Node *v2 = scalar(t, "0.1325", at("--set", 1, 15));
    Node *p2 = tree_path_patch(t, "discount_rate", at("--set", 1, 1), v2, &errors);
    assert_non_null(p2);
    assert_int_equal(p2->count, 1);
    assert_string_equal(p2->entries[0].key, "discount_rate");
    assert_ptr_equal(p2->entries[0].value, v2);
    assert_int_equal(errors.count, 0);
    tree_free(t);
}

/* Every malformed path is a usage error at the --set's mark naming the path. */
static void test_path_patch_rejects_empty_components(void **state)
{
    (void)state;
    static const char *const bad[] = {"segments..margin", ".margin", "margin.", "", "."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Tree *t = tree_new();
        BvErrors errors;
        bv_errors_init(&errors);
        Mark set_mark = at("--set", 3, 1);
        Node *v = scalar(t, "0.4125", at("--set", 3, 20));
        Node *p = tree_path_patch(t, bad[i], set_mark, v, &errors);
        if (p)
            fail_msg("path '%s' was accepted", bad[i]);
        assert_int_equal(errors.count, 1);
        const BvError *e = &errors.items[0];
        assert_int_equal(e->status, BV_ERR_USAGE);
        assert_string_equal(e->message,
                            "empty component in the key path; write keys separated by single "
                            "dots, e.g. segments.A.retention");
        assert_string_equal(e->key, bad[i]);
        assert_string_equal(e->file, "--set");
        assert_int_equal(e->line, 3);
        assert_int_equal(e->col, 1);
        tree_free(t);
    }
}

/* ---- tree_copy ---- */

static void test_copy_is_deep_and_keeps_marks(void **state)
{
    (void)state;
    Tree *src = tree_new();
    Tree *dst = tree_new();
    Node *root = map(src, at(BASE_FILE, 1, 1));
    Node *name = tree_scalar(src, at(BASE_FILE, 1, 7), "García & Asociados", 19, true);
    assert_non_null(name);
    put(src, root, "name", at(BASE_FILE, 1, 1), name);
    Node *curve = seq(src, at(BASE_FILE, 2, 8));
    push(src, curve, scalar(src, "0.8375", at(BASE_FILE, 2, 9)));
    push(src, curve, scalar(src, "0.9541", at(BASE_FILE, 2, 17)));
    put(src, root, "curve", at(BASE_FILE, 2, 1), curve);
    Node *inner = map(src, at(BASE_FILE, 3, 8));
    put(src, inner, "alpha", at(BASE_FILE, 3, 9), scalar(src, "0.7", at(BASE_FILE, 3, 16)));
    put(src, root, "sbg", at(BASE_FILE, 3, 1), inner);

    Node *copy = tree_copy(dst, root);
    assert_non_null(copy);
    assert_true(copy != root);
    assert_int_equal(copy->kind, NODE_MAP);
    assert_int_equal(copy->count, 3);
    assert_mark(copy->mark, BASE_FILE, 1, 1);
    const Node *cname = tree_map_get(copy, "name");
    assert_true(cname != name);
    assert_true(cname->text != name->text);
    assert_string_equal(cname->text, "García & Asociados");
    assert_true(cname->quoted);
    assert_mark(cname->mark, BASE_FILE, 1, 7);
    assert_mark(entry_of(copy, "curve")->key_mark, BASE_FILE, 2, 1);
    const Node *ccurve = tree_map_get(copy, "curve");
    assert_true(ccurve != curve);
    assert_int_equal(ccurve->count, 2);
    assert_string_equal(ccurve->items[1]->text, "0.9541");
    assert_false(ccurve->items[1]->quoted);
    assert_mark(ccurve->items[1]->mark, BASE_FILE, 2, 17);
    const Node *cinner = tree_map_get(copy, "sbg");
    assert_true(cinner != inner);
    assert_string_equal(text_of(cinner, "alpha"), "0.7");

    /* Independent: changing the original does not change the copy, and the copy outlives
     * the source tree. */
    tree_map_remove(root, "curve");
    assert_int_equal(copy->count, 3);
    tree_free(src);
    assert_string_equal(text_of(copy, "name"), "García & Asociados");
    assert_string_equal(tree_map_get(copy, "curve")->items[0]->text, "0.8375");
    tree_free(dst);
}

/* ---- tree_map_remove ---- */

static void test_map_remove(void **state)
{
    (void)state;
    Tree *t = tree_new();
    Node *m = map(t, at(BASE_FILE, 1, 1));
    static const char *const keys[] = {"name", "margin", "retention", "tail", "segments"};
    for (int i = 0; i < 5; i++) {
        char text[16];
        snprintf(text, sizeof text, "v%d", i);
        put(t, m, keys[i], at(BASE_FILE, i + 1, 1), scalar(t, text, at(BASE_FILE, i + 1, 9)));
    }
    tree_map_remove(m, "retention"); /* middle */
    assert_int_equal(m->count, 4);
    assert_null(tree_map_get(m, "retention"));
    assert_string_equal(m->entries[2].key, "tail");
    assert_string_equal(text_of(m, "tail"), "v3");
    assert_mark(m->entries[2].key_mark, BASE_FILE, 4, 1);
    tree_map_remove(m, "name"); /* first */
    assert_int_equal(m->count, 3);
    assert_string_equal(m->entries[0].key, "margin");
    tree_map_remove(m, "segments"); /* last */
    assert_int_equal(m->count, 2);
    assert_string_equal(m->entries[1].key, "tail");
    tree_map_remove(m, "absent"); /* no-op */
    assert_int_equal(m->count, 2);
    assert_string_equal(text_of(m, "margin"), "v1");
    /* Removed keys can be appended again. */
    put(t, m, "name", at(PATCH_FILE, 9, 1), scalar(t, "again", at(PATCH_FILE, 9, 7)));
    assert_int_equal(m->count, 3);
    assert_string_equal(text_of(m, "name"), "again");
    /* Non-mappings and NULL are no-ops. */
    Node *s = scalar(t, "0.0375", at(BASE_FILE, 9, 1));
    tree_map_remove(s, "name");
    tree_map_remove(NULL, "name");
    assert_string_equal(s->text, "0.0375");
    tree_free(t);
}

/* ---- small contracts ---- */

static void test_is_null_and_free_null(void **state)
{
    (void)state;
    Tree *t = tree_new();
    assert_null(tree_root(t));
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; i < 5; i++)
        assert_true(tree_is_null(scalar(t, nulls[i], at(BASE_FILE, 1, 1))));
    assert_false(tree_is_null(scalar(t, "0", at(BASE_FILE, 1, 1))));
    assert_false(tree_is_null(scalar(t, "nULL", at(BASE_FILE, 1, 1))));
    Node *quoted = tree_scalar(t, at(BASE_FILE, 1, 1), "null", 4, true);
    assert_false(tree_is_null(quoted));
    assert_false(tree_is_null(map(t, at(BASE_FILE, 1, 1))));
    assert_false(tree_is_null(NULL));
    Node *root = map(t, at(BASE_FILE, 1, 1));
    tree_set_root(t, root);
    assert_ptr_equal(tree_root(t), root);
    const char *f = tree_intern_file(t, "models/accounting-practice.yaml");
    assert_string_equal(f, "models/accounting-practice.yaml");
    tree_free(t);
    tree_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_maps_key_by_key),
        cmocka_unit_test(test_merge_replaces_lists_and_scalars),
        cmocka_unit_test(test_merge_replaces_value_mappings_whole),
        cmocka_unit_test(test_merge_with_null_sides),
        cmocka_unit_test(test_path_patch_creates_nested_maps),
        cmocka_unit_test(test_path_patch_rejects_empty_components),
        cmocka_unit_test(test_copy_is_deep_and_keeps_marks),
        cmocka_unit_test(test_map_remove),
        cmocka_unit_test(test_is_null_and_free_null),
    };
    return cmocka_run_group_tests_name("tree", tests, NULL, NULL);
}
