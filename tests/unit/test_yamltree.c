/*
 * test_yamltree.c — the strict YAML reader (src/yamltree.c).
 *
 * Expected positions are 1-based line:col counted by hand on the literal text of each test
 * (and, for libyaml's own syntax errors, cross-checked with PyYAML, whose parser is a port of
 * libyaml's: `python3 -c "import yaml; list(yaml.parse('key: value: other'))"` reports the
 * problem at line 1, column 11 in 1-based terms).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "unit_support.h"

#include "tree.h"
#include "yamltree.h"

typedef struct Parsed {
    Tree *tree;
    Node *root;
    BvErrors errors;
    BvStatus status;
} Parsed;

static void parsed_destroy(void *v)
{
    Parsed *p = v;
    tree_free(p->tree);
    free(p);
}

static void parsed_free(Parsed *p)
{
    unit_free(p);
}

/* Parse `text` as the file "scenario.yaml", lines from 1, no column shift. The result is
 * owned by the test (freed by the teardown if an assertion fails before parsed_free). */
static Parsed *parse(const char *text)
{
    Parsed *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->tree = tree_new();
    assert_non_null(p->tree);
    unit_own(p, parsed_destroy);
    bv_errors_init(&p->errors);
    p->status = yamltree_parse_string(p->tree, "scenario.yaml", text, strlen(text), 1, 0,
                                      &p->root, &p->errors);
    return p;
}

static void tree_destroy(void *t)
{
    tree_free(t);
}

/* A tree the test owns, like parse's results. */
static Tree *owned_tree(void)
{
    Tree *t = tree_new();
    assert_non_null(t);
    unit_own(t, tree_destroy);
    return t;
}

/* Parse `text`, expecting exactly one input error at line:col whose message contains
 * `needle`; returns the error for further checks (valid until parsed_free). */
static const BvError *expect_one_error(Parsed *p, const char *needle, int line, int col)
{
    if (p->status != BV_ERR_INPUT || p->errors.count != 1) {
        unit_dump_errors(&p->errors);
        fail_msg("status %d with %zu errors, expected one input error", (int)p->status,
                 p->errors.count);
    }
    assert_null(p->root);
    const BvError *e = unit_expect_error(&p->errors, needle);
    assert_int_equal(e->status, BV_ERR_INPUT);
    assert_error_at(e, "scenario.yaml", line, col);
    return e;
}

static const NodeEntry *entry_of(const Node *mapping, const char *key)
{
    assert_non_null(mapping);
    assert_int_equal(mapping->kind, NODE_MAP);
    for (size_t i = 0; i < mapping->count; i++)
        if (strcmp(mapping->entries[i].key, key) == 0)
            return &mapping->entries[i];
    fail_msg("key '%s' is missing", key);
    return NULL;
}

/* ---- structure and marks ---- */

static void test_marks_are_one_based(void **state)
{
    (void)state;
    /*          col: 123456789012345
     * line 1:       name: Bakery
     * line 2:       outer:
     * line 3:           key: 2385.17      key at col 5, value at col 10
     * line 4:           list: [0.0375, x] list at col 11, first item col 12, x col 20 */
    Parsed *p = parse("name: Bakery\nouter:\n    key: 2385.17\n    list: [0.0375, x]\n");
    assert_int_equal(p->status, BV_OK);
    assert_int_equal(p->errors.count, 0);
    Node *root = p->root;
    assert_int_equal(root->kind, NODE_MAP);
    assert_int_equal(root->mark.line, 1);
    assert_int_equal(root->mark.col, 1);
    assert_string_equal(root->mark.file, "scenario.yaml");
    const NodeEntry *name = entry_of(root, "name");
    assert_int_equal(name->key_mark.line, 1);
    assert_int_equal(name->key_mark.col, 1);
    assert_int_equal(name->value->mark.col, 7);
    const NodeEntry *outer = entry_of(root, "outer");
    assert_int_equal(outer->key_mark.line, 2);
    const NodeEntry *key = entry_of(outer->value, "key");
    assert_int_equal(key->key_mark.line, 3);
    assert_int_equal(key->key_mark.col, 5);
    assert_string_equal(key->value->text, "2385.17");
    assert_int_equal(key->value->mark.line, 3);
    assert_int_equal(key->value->mark.col, 10);
    const NodeEntry *list = entry_of(outer->value, "list");
    assert_int_equal(list->value->kind, NODE_SEQ);
    assert_int_equal(list->value->count, 2);
    assert_int_equal(list->value->mark.line, 4);
    assert_int_equal(list->value->mark.col, 11);
    assert_int_equal(list->value->items[0]->mark.col, 12);
    assert_int_equal(list->value->items[1]->mark.col, 20);
    assert_string_equal(list->value->items[1]->text, "x");
    parsed_free(p);
}

static void test_quoted_and_plain_scalars(void **state)
{
    (void)state;
    Parsed *p = parse("a: \"0.0375\"\n"
                      "b: 0.0375\n"
                      "c: 'García & Asociados'\n"
                      "d: |\n  block text\n"
                      "e: >\n  folded\n"
                      "f:\n"
                      "g: ~\n"
                      "h: \"\"\n");
    assert_int_equal(p->status, BV_OK);
    Node *r = p->root;
    const Node *a = entry_of(r, "a")->value;
    assert_string_equal(a->text, "0.0375");
    assert_true(a->quoted);
    const Node *b = entry_of(r, "b")->value;
    assert_string_equal(b->text, "0.0375");
    assert_false(b->quoted);
    const Node *c = entry_of(r, "c")->value;
    assert_string_equal(c->text, "García & Asociados");
    assert_true(c->quoted);
    const Node *d = entry_of(r, "d")->value;
    assert_string_equal(d->text, "block text\n");
    assert_true(d->quoted);
    assert_true(entry_of(r, "e")->value->quoted);
    /* An empty plain value is YAML's null; an empty quoted string is text. */
    const Node *f = entry_of(r, "f")->value;
    assert_int_equal(f->kind, NODE_SCALAR);
    assert_true(tree_is_null(f));
    assert_true(tree_is_null(entry_of(r, "g")->value));
    const Node *h = entry_of(r, "h")->value;
    assert_string_equal(h->text, "");
    assert_true(h->quoted);
    assert_false(tree_is_null(h));
    parsed_free(p);
}

static void test_empty_document_and_scalar_root(void **state)
{
    (void)state;
    Parsed *p = parse("");
    assert_int_equal(p->status, BV_OK);
    assert_null(p->root);
    parsed_free(p);
    p = parse("# only a comment\n");
    assert_int_equal(p->status, BV_OK);
    assert_null(p->root);
    parsed_free(p);
    p = parse("2385.17\n");
    assert_int_equal(p->status, BV_OK);
    assert_int_equal(p->root->kind, NODE_SCALAR);
    assert_string_equal(p->root->text, "2385.17");
    parsed_free(p);
    /* One explicit document is fine. */
    p = parse("---\na: 1\n...\n");
    assert_int_equal(p->status, BV_OK);
    assert_string_equal(entry_of(p->root, "a")->value->text, "1");
    parsed_free(p);
}

/* ---- what schema 1 refuses ---- */

static void test_rejects_anchor(void **state)
{
    (void)state;
    /* "a: &x 0.0375": the anchored node starts at the '&', col 4. */
    Parsed *p = parse("a: &x 0.0375\n");
    const BvError *e = expect_one_error(p, "anchors", 1, 4);
    assert_string_equal(e->message,
                        "anchors (&name) are not allowed in a scenario; write the value out");
    parsed_free(p);
    /* Anchors on collections too. */
    p = parse("margin: 0.3875\nsegments: &s\n  A: {margin: 0.45}\n");
    expect_one_error(p, "anchors (&name) are not allowed", 2, 11);
    parsed_free(p);
}

static void test_rejects_alias(void **state)
{
    (void)state;
    /* The alias *x sits on line 2, col 4. */
    Parsed *p = parse("a: 0.0375\nb: *x\n");
    const BvError *e = expect_one_error(p, "aliases", 2, 4);
    assert_string_equal(e->message,
                        "aliases (*name) are not allowed in a scenario; write the value out");
    parsed_free(p);
}

static void test_rejects_tags(void **state)
{
    (void)state;
    Parsed *p = parse("a: !!str 2385.17\n");
    const BvError *e = expect_one_error(p, "is not allowed; write plain values", 1, 4);
    /* The tag is shown as written, not as libyaml resolves it (tag:yaml.org,2002:str). */
    assert_string_equal(e->message, "tag '!!str' is not allowed; write plain values");
    parsed_free(p);
    p = parse("name: x\nmargin: !money 0.3875\n");
    e = expect_one_error(p, "tag '!money'", 2, 9);
    parsed_free(p);
    p = parse("list: !!seq [1, 2]\n");
    expect_one_error(p, "tag '!!seq' is not allowed", 1, 7);
    parsed_free(p);
}

static void test_rejects_second_document(void **state)
{
    (void)state;
    /* The second document starts at the "---" on line 3. */
    Parsed *p = parse("a: 0.0375\nb: 1\n---\nc: 2\n");
    const BvError *e = expect_one_error(p, "second", 3, 1);
    assert_string_equal(e->message, "a scenario file holds one YAML document; found a second");
    parsed_free(p);
}

static void test_rejects_duplicate_keys(void **state)
{
    (void)state;
    Parsed *p = parse("margin: 0.3875\nname: x\nmargin: 0.4125\n");
    const BvError *e = expect_one_error(p, "duplicate key", 3, 1);
    assert_string_equal(e->message, "duplicate key (first written at line 1)");
    assert_string_equal(e->key, "margin");
    parsed_free(p);
    /* Nested, in a flow mapping: the second 'alpha' is at line 3, col 30. */
    p = parse("name: x\n"
              "segments:\n"
              "  A: {alpha: 0.7, beta: 3.8, alpha: 0.9}\n");
    e = expect_one_error(p, "duplicate key (first written at line 3)", 3, 30);
    assert_string_equal(e->key, "alpha");
    parsed_free(p);
    /* The same key in two different mappings is not a duplicate. */
    p = parse("a: {margin: 0.1}\nb: {margin: 0.2}\n");
    assert_int_equal(p->status, BV_OK);
    parsed_free(p);
}

/* A key written three times: the second and the third occurrence are each an error, and
 * each names the line where the key was FIRST written (line 1), as the message says. */
static void test_duplicate_key_thrice_names_first_line(void **state)
{
    (void)state;
    Parsed *p = parse("k: 1\nk: 2\nother: 3\nk: 4\n");
    assert_int_equal(p->status, BV_ERR_INPUT);
    assert_int_equal(p->errors.count, 2);
    assert_int_equal(p->errors.items[0].line, 2);
    assert_string_equal(p->errors.items[0].message, "duplicate key (first written at line 1)");
    assert_int_equal(p->errors.items[1].line, 4);
    assert_string_equal(p->errors.items[1].message, "duplicate key (first written at line 1)");
    parsed_free(p);
}

/* "[[[...]]]" with `depth` brackets and a value inside. */
static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 8);
    assert_non_null(s);
    size_t n = 0;
    for (int i = 0; i < depth; i++)
        s[n++] = '[';
    memcpy(s + n, "7", 1);
    n += 1;
    for (int i = 0; i < depth; i++)
        s[n++] = ']';
    s[n++] = '\n';
    s[n] = '\0';
    return s;
}

static void test_rejects_deep_nesting(void **state)
{
    (void)state;
    char *ok = nested(YAMLTREE_MAX_DEPTH);
    Parsed *p = parse(ok);
    assert_int_equal(p->status, BV_OK);
    const Node *n = p->root;
    for (int i = 0; i < YAMLTREE_MAX_DEPTH; i++) {
        assert_int_equal(n->kind, NODE_SEQ);
        n = n->items[0];
    }
    assert_string_equal(n->text, "7");
    parsed_free(p);
    free(ok);

    /* One level more: the 33rd '[' (col 33) is refused. */
    char *deep = nested(YAMLTREE_MAX_DEPTH + 1);
    p = parse(deep);
    const BvError *e = expect_one_error(p, "nesting", 1, YAMLTREE_MAX_DEPTH + 1);
    assert_string_equal(e->message, "nesting deeper than 32 levels");
    parsed_free(p);
    free(deep);
}

static void test_syntax_errors_have_positions(void **state)
{
    (void)state;
    /* A second ':' at col 11. */
    Parsed *p = parse("key: value: other\n");
    const BvError *e = expect_one_error(p, "YAML syntax: mapping values are not allowed", 1, 11);
    parsed_free(p);
    /* An unclosed flow list: libyaml notices at line 2, col 2 (the ':' after b); the error
     * points at the '[' left open, line 1, col 4. */
    p = parse("a: [1, 2\nb: 3\n");
    e = expect_one_error(p, "YAML syntax: did not find expected ',' or ']'", 1, 4);
    assert_contains(e->message, "a flow sequence opened here is not closed properly "
                                "(noticed at 2:2)");
    parsed_free(p);
    /* The same for a flow mapping: '{' at line 2, col 10. */
    p = parse("name: x\nsegment: {margin: 0.4625\nretention: 0.9\n");
    e = expect_one_error(p, "YAML syntax: ", 2, 10);
    assert_contains(e->message, "a flow mapping opened here is not closed properly");
    parsed_free(p);
    /* An unclosed quote: found at the end of the stream (line 2, col 1). */
    p = parse("name: x\na: 'unterminated\n");
    expect_one_error(p, "YAML syntax: found unexpected end of stream", 3, 1);
    parsed_free(p);
    /* A tab used as indentation. */
    p = parse("a:\n\tb: 1\n");
    assert_int_equal(p->status, BV_ERR_INPUT);
    assert_int_equal(p->errors.count, 1);
    assert_contains(p->errors.items[0].message, "YAML syntax: ");
    assert_int_equal(p->errors.items[0].line, 2);
    parsed_free(p);
}

static void test_rejects_nul_and_complex_keys(void **state)
{
    (void)state;
    /* "\0" escape in a double-quoted scalar, value at col 7. */
    Parsed *p = parse("name: \"Caf\\0e\"\n");
    const BvError *e = expect_one_error(p, "NUL", 1, 7);
    assert_string_equal(e->message, "a value contains a NUL character");
    parsed_free(p);
    /* A list as a key: "? [1, 2]" — refused where the key's list starts, the '[' at col 3. */
    p = parse("? [1, 2]\n: 3\n");
    expect_one_error(p, "a mapping key must be a plain word, not a list or mapping", 1, 3);
    parsed_free(p);
    /* A mapping as a key, in flow style: "{? {a: 1} : 2}" — the inner '{' at col 4. */
    p = parse("{? {a: 1} : 2}\n");
    expect_one_error(p, "a mapping key must be a plain word", 1, 4);
    parsed_free(p);
}

/* ---- parse_string's position shift (--set values) ---- */

static void test_parse_string_shifts_positions(void **state)
{
    (void)state;
    Tree *t = owned_tree();
    BvErrors errors;
    bv_errors_init(&errors);
    Node *root = NULL;
    /* The value of the 4th --set, "discount_rate=0.1175": 14 characters precede it, so the
     * caller passes col_offset 14 and the value sits at col 15 of line 4. */
    BvStatus s = yamltree_parse_string(t, "--set", "0.1175", 6, 4, 14, &root, &errors);
    assert_int_equal(s, BV_OK);
    assert_string_equal(root->text, "0.1175");
    assert_string_equal(root->mark.file, "--set");
    assert_int_equal(root->mark.line, 4);
    assert_int_equal(root->mark.col, 15);

    /* Multi-line text: only the first line is shifted; later lines count from first_line. */
    const char *text = "{alpha: 0.7,\n beta: 3.8}";
    s = yamltree_parse_string(t, "--set", text, strlen(text), 7, 10, &root, &errors);
    assert_int_equal(s, BV_OK);
    assert_int_equal(root->mark.line, 7);
    assert_int_equal(root->mark.col, 11);
    const NodeEntry *alpha = entry_of(root, "alpha");
    assert_int_equal(alpha->key_mark.line, 7);
    assert_int_equal(alpha->key_mark.col, 12);
    assert_int_equal(alpha->value->mark.col, 19);
    const NodeEntry *beta = entry_of(root, "beta");
    assert_int_equal(beta->key_mark.line, 8);
    assert_int_equal(beta->key_mark.col, 2);
    assert_int_equal(beta->value->mark.col, 8);

    /* Errors are shifted too: "x: y: z" after "segments.A.margin=" (18 characters) has its
     * second ':' at col 5 of the value, col 23 of the argument. */
    s = yamltree_parse_string(t, "--set", "x: y: z", 7, 2, 18, &root, &errors);
    assert_int_equal(s, BV_ERR_INPUT);
    assert_null(root);
    assert_int_equal(errors.count, 1);
    assert_string_equal(errors.items[0].file, "--set");
    assert_int_equal(errors.items[0].line, 2);
    assert_int_equal(errors.items[0].col, 23);
    assert_contains(errors.items[0].message, "mapping values are not allowed");

    /* Explicit length: bytes past len are not read. */
    bv_errors_init(&errors);
    s = yamltree_parse_string(t, "--set", "0.0375junk", 6, 1, 0, &root, &errors);
    assert_int_equal(s, BV_OK);
    assert_string_equal(root->text, "0.0375");
    unit_free(t);
}

/* ---- files ---- */

static void test_parse_file(void **state)
{
    (void)state;
    char path[512];
    unit_build_path(path, sizeof path, "yamltree_parse_file.yaml");
    unit_write_text(path, "# comment line\nname: \"Panadería López\"\nsegments:\n  A:\n"
                          "    margin: 0.4625\n");
    Tree *t = owned_tree();
    BvErrors errors;
    bv_errors_init(&errors);
    Node *root = NULL;
    assert_int_equal(yamltree_parse_file(t, path, &root, &errors), BV_OK);
    assert_int_equal(errors.count, 0);
    const NodeEntry *name = entry_of(root, "name");
    assert_string_equal(name->value->text, "Panadería López");
    assert_string_equal(name->key_mark.file, path);
    assert_int_equal(name->key_mark.line, 2);
    const Node *a = entry_of(root, "segments")->value;
    const NodeEntry *margin = entry_of(entry_of(a, "A")->value, "margin");
    assert_int_equal(margin->key_mark.line, 5);
    assert_int_equal(margin->key_mark.col, 5);
    assert_int_equal(margin->value->mark.col, 13);
    unit_free(t);

    /* A duplicate in a file names the file. */
    unit_write_text(path, "a: 1\nb:\n  c: 2\n  c: 3\n");
    t = owned_tree();
    bv_errors_init(&errors);
    assert_int_equal(yamltree_parse_file(t, path, &root, &errors), BV_ERR_INPUT);
    assert_null(root);
    assert_int_equal(errors.count, 1);
    assert_string_equal(errors.items[0].file, path);
    assert_int_equal(errors.items[0].line, 4);
    assert_int_equal(errors.items[0].col, 3);
    assert_string_equal(errors.items[0].message, "duplicate key (first written at line 3)");
    unit_free(t);

    /* A missing file: an input error on the whole file (no line). */
    unit_build_path(path, sizeof path, "yamltree_no_such_file.yaml");
    remove(path);
    t = owned_tree();
    bv_errors_init(&errors);
    assert_int_equal(yamltree_parse_file(t, path, &root, &errors), BV_ERR_INPUT);
    assert_null(root);
    assert_int_equal(errors.count, 1);
    assert_string_equal(errors.items[0].file, path);
    assert_int_equal(errors.items[0].line, 0);
    assert_string_equal(errors.items[0].message, "cannot open: No such file or directory");
    unit_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        owned_unit_test(test_marks_are_one_based),
        owned_unit_test(test_quoted_and_plain_scalars),
        owned_unit_test(test_empty_document_and_scalar_root),
        owned_unit_test(test_rejects_anchor),
        owned_unit_test(test_rejects_alias),
        owned_unit_test(test_rejects_tags),
        owned_unit_test(test_rejects_second_document),
        owned_unit_test(test_rejects_duplicate_keys),
        owned_unit_test(test_duplicate_key_thrice_names_first_line),
        owned_unit_test(test_rejects_deep_nesting),
        owned_unit_test(test_syntax_errors_have_positions),
        owned_unit_test(test_rejects_nul_and_complex_keys),
        owned_unit_test(test_parse_string_shifts_positions),
        owned_unit_test(test_parse_file),
    };
    return cmocka_run_group_tests_name("yamltree", tests, NULL, NULL);
}
