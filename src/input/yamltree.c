/*
 * yamltree.c — libyaml events to a Tree, refusing whatever schema 1 does not allow.
 */
#include "yamltree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct Reader {
    Tree *tree;
    const char *file; /* interned */
    int first_line;   /* line number of the text's first line */
    int col_offset;   /* added to columns on the first line */
    BvErrors *errors;
    size_t nodes;
} Reader;

static Mark mark_of(const Reader *r, yaml_mark_t m)
{
    int line = (int)m.line + r->first_line;
    int col = (int)m.column + 1 + (m.line == 0 ? r->col_offset : 0);
    return (Mark){r->file, line, col};
}

static BvStatus fail(Reader *r, yaml_mark_t m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static BvStatus fail(Reader *r, yaml_mark_t m, const char *fmt, ...)
{
    char message[BV_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    Mark mark = mark_of(r, m);
    return bv_error(r->errors, BV_ERR_INPUT, &mark, NULL, "%s", message);
}

/* Anchors, aliases and tags make a document mean something other than what it shows;
 * scenario files have no use for them. */
static BvStatus check_event(Reader *r, const yaml_event_t *ev)
{
    const yaml_char_t *anchor = NULL, *tag = NULL;
    int implicit = 1;
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return fail(r, ev->start_mark, "%s", "aliases (*name) are not allowed in a scenario; "
                                             "write the value out");
    case YAML_SCALAR_EVENT:
        anchor = ev->data.scalar.anchor;
        tag = ev->data.scalar.tag;
        implicit = ev->data.scalar.plain_implicit || ev->data.scalar.quoted_implicit;
        break;
    case YAML_SEQUENCE_START_EVENT:
        anchor = ev->data.sequence_start.anchor;
        tag = ev->data.sequence_start.tag;
        implicit = ev->data.sequence_start.implicit;
        break;
    case YAML_MAPPING_START_EVENT:
        anchor = ev->data.mapping_start.anchor;
        tag = ev->data.mapping_start.tag;
        implicit = ev->data.mapping_start.implicit;
        break;
    default:
        return BV_OK;
    }
    if (anchor)
        return fail(r, ev->start_mark, "%s",
                    "anchors (&name) are not allowed in a scenario; write the value out");
    if (tag && !implicit) {
        /* Show the tag as written: !!str, not its resolved tag:yaml.org,2002:str. */
        const char *t = (const char *)tag, *core = "tag:yaml.org,2002:";
        bool is_core = strncmp(t, core, strlen(core)) == 0;
        return fail(r, ev->start_mark, "tag '%s%s' is not allowed; write plain values",
                    is_core ? "!!" : "", is_core ? t + strlen(core) : t);
    }
    return BV_OK;
}

static int compare_keys(const void *a, const void *b)
{
    const NodeEntry *x = *(const NodeEntry *const *)a, *y = *(const NodeEntry *const *)b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    /* Later occurrence last, so the error points at the repetition. */
    if (x->key_mark.line != y->key_mark.line)
        return x->key_mark.line < y->key_mark.line ? -1 : 1;
    return (x->key_mark.col > y->key_mark.col) - (x->key_mark.col < y->key_mark.col);
}

/* Duplicate keys are errors at the second occurrence. O(n log n) so a huge mapping cannot
 * turn the check quadratic. */
static BvStatus check_duplicates(Reader *r, const Node *map)
{
    if (map->count < 2)
        return BV_OK;
    const NodeEntry **sorted = malloc(map->count * sizeof *sorted);
    if (!sorted)
        return bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    for (size_t i = 0; i < map->count; i++)
        sorted[i] = &map->entries[i];
    qsort(sorted, map->count, sizeof *sorted, compare_keys);
    BvStatus status = BV_OK;
    size_t first = 0; /* the first occurrence of the current run of equal keys */
    for (size_t i = 1; i < map->count; i++) {
        if (strcmp(sorted[i]->key, sorted[first]->key) != 0) {
            first = i;
            continue;
        }
        status = bv_error(r->errors, BV_ERR_INPUT, &sorted[i]->key_mark, sorted[i]->key,
                          "duplicate key (first written at line %d)",
                          sorted[first]->key_mark.line);
    }
    free(sorted);
    return status;
}

typedef struct Frame {
    Node *node;
    char *pending_key; /* a mapping's key awaiting its value */
    Mark pending_mark;
} Frame;

/* Attach a finished node to its parent (or make it the root). */
static BvStatus attach(Reader *r, Frame *stack, int depth, Node *node, Node **root,
                       const yaml_event_t *ev)
{
    if (depth == 0) {
        *root = node;
        return BV_OK;
    }
    Frame *top = &stack[depth - 1];
    if (top->node->kind == NODE_SEQ)
        return tree_seq_append(r->tree, top->node, node) == BV_OK
                   ? BV_OK
                   : bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    if (!top->pending_key) {
        if (top->node->count == YAMLTREE_MAX_MAP_KEYS)
            return fail(r, ev->start_mark, "a mapping with more than %u keys", YAMLTREE_MAX_MAP_KEYS);
        if (node->kind != NODE_SCALAR)
            return fail(r, ev->start_mark, "%s",
                        "a mapping key must be a plain word, not a list or mapping");
        top->pending_key = node->text;
        top->pending_mark = node->mark;
        return BV_OK;
    }
    BvStatus s = tree_map_append(r->tree, top->node, top->pending_key, top->pending_mark, node);
    top->pending_key = NULL;
    return s == BV_OK ? BV_OK : bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
}

static BvStatus read_events(Reader *r, yaml_parser_t *parser, Node **root)
{
    Frame stack[YAMLTREE_MAX_DEPTH];
    int depth = 0;
    int documents = 0;
    BvStatus status = BV_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(parser, &ev)) {
            if (parser->error == YAML_MEMORY_ERROR)
                return bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            Mark m = mark_of(r, parser->problem_mark);
            /* An unclosed [ or { is noticed lines later: point at the bracket left open. */
            if (parser->context && strstr(parser->context, "flow")) {
                Mark opened = mark_of(r, parser->context_mark);
                return bv_error(r->errors, BV_ERR_INPUT, &opened, NULL,
                                "YAML syntax: %s %s opened here is not closed properly "
                                "(noticed at %d:%d)",
                                parser->problem ? parser->problem : "malformed document",
                                parser->context + strlen("while parsing "), m.line, m.col);
            }
            return bv_error(r->errors, BV_ERR_INPUT, &m, NULL, "YAML syntax: %s%s%s",
                            parser->problem ? parser->problem : "malformed document",
                            parser->context ? " " : "", parser->context ? parser->context : "");
        }
        status = check_event(r, &ev);
        if (status == BV_OK && ++r->nodes > YAMLTREE_MAX_NODES)
            status = fail(r, ev.start_mark, "the document has more than %s values; "
                                            "put large client lists in clients_csv",
                          "2,000,000");
        Node *node = NULL;
        if (status == BV_OK) {
            Mark m = mark_of(r, ev.start_mark);
            switch (ev.type) {
            case YAML_DOCUMENT_START_EVENT:
                if (++documents > 1)
                    status = fail(r, ev.start_mark, "%s",
                                  "a scenario file holds one YAML document; found a second");
                break;
            case YAML_SCALAR_EVENT: {
                const char *text = (const char *)ev.data.scalar.value;
                size_t len = ev.data.scalar.length;
                if (memchr(text, '\0', len)) {
                    status = fail(r, ev.start_mark, "%s", "a value contains a NUL character");
                    break;
                }
                bool quoted = ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
                node = tree_scalar(r->tree, m, text, len, quoted);
                if (!node)
                    status = bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
                else
                    status = attach(r, stack, depth, node, root, &ev);
                break;
            }
            case YAML_SEQUENCE_START_EVENT:
            case YAML_MAPPING_START_EVENT:
                if (depth == YAMLTREE_MAX_DEPTH) {
                    status = fail(r, ev.start_mark, "nesting deeper than %s levels",
                                  "32");
                    break;
                }
                node = ev.type == YAML_SEQUENCE_START_EVENT ? tree_seq(r->tree, m)
                                                            : tree_map(r->tree, m);
                if (!node) {
                    status = bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
                    break;
                }
                status = attach(r, stack, depth, node, root, &ev);
                stack[depth++] = (Frame){node, NULL, {0}};
                break;
            case YAML_SEQUENCE_END_EVENT:
            case YAML_MAPPING_END_EVENT: {
                Node *done = stack[--depth].node;
                if (done->kind == NODE_MAP)
                    status = check_duplicates(r, done);
                break;
            }
            default:
                break;
            }
        }
        yaml_event_type_t type = ev.type;
        yaml_event_delete(&ev);
        if (status != BV_OK)
            return status;
        if (type == YAML_STREAM_END_EVENT)
            return BV_OK;
    }
}

static BvStatus parse(Tree *tree, const char *name, const unsigned char *text, size_t len,
                      int first_line, int col_offset, Node **out, BvErrors *errors)
{
    *out = NULL;
    Reader r = {tree, tree_intern_file(tree, name), first_line, col_offset, errors, 0};
    if (!r.file)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    yaml_parser_set_input_string(&parser, text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    Node *root = NULL;
    BvStatus status = read_events(&r, &parser, &root);
    yaml_parser_delete(&parser);
    if (status == BV_OK)
        *out = root;
    return status;
}

BvStatus yamltree_parse_string(Tree *tree, const char *name, const char *text, size_t len,
                               int first_line, int col_offset, Node **out, BvErrors *errors)
{
    return parse(tree, name, (const unsigned char *)text, len, first_line, col_offset, out,
                 errors);
}

/* Read a whole file, refusing more than `max` bytes. *out is malloc'd (caller frees). */
static BvStatus read_bounded(const char *path, size_t max, unsigned char **out, size_t *len,
                             BvErrors *errors)
{
    Mark whole = {path, 0, 0};
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return bv_error(errors, bv_errno_status(errno, BV_ERR_INPUT), &whole, NULL,
                        "cannot open: %s", strerror(errno));
    size_t cap = 0, n = 0;
    unsigned char *buf = NULL;
    BvStatus status = BV_OK;
    for (;;) {
        if (n > max)
            break; /* stop reading a stream that is already too long */
        if (n == cap) {
            size_t next = cap ? 2 * cap : 65536;
            unsigned char *grown = realloc(buf, next);
            if (!grown) {
                status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
                break;
            }
            buf = grown;
            cap = next;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                status = bv_error(errors, BV_ERR_IO, &whole, NULL, "read failed: %s",
                                  strerror(errno));
            break;
        }
    }
    fclose(f);
    if (status == BV_OK && n > max)
        status = bv_error(errors, BV_ERR_INPUT, &whole, NULL,
                          "larger than %zu MiB; put large client lists in clients_csv",
                          max >> 20);
    if (status != BV_OK) {
        free(buf);
        return status;
    }
    *out = buf;
    *len = n;
    return BV_OK;
}

BvStatus yamltree_parse_file(Tree *tree, const char *path, Node **out, BvErrors *errors)
{
    return yamltree_parse_file_digest(tree, path, NULL, out, errors);
}

BvStatus yamltree_parse_file_digest(Tree *tree, const char *path, InputDigest *digest,
                                    Node **out, BvErrors *errors)
{
    *out = NULL;
    unsigned char *buf;
    size_t len;
    BvStatus status = read_bounded(path, YAMLTREE_MAX_BYTES, &buf, &len, errors);
    if (status == BV_OK && digest) {
        input_digest_init(digest);
        input_digest_update(digest, buf, len);
    }
    if (status == BV_OK)
        status = parse(tree, path, buf, len, 1, 0, out, errors);
    free(buf);
    return status;
}
