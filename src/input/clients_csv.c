/*
 * clients_csv.c — clients from CSV through libcsv.
 *
 * libcsv reports fields, not positions, so the file is fed to it a character (or a run of
 * plain ASCII bytes) at a time while this module counts lines and columns (in characters, as
 * the YAML reader does): each field is then known to start where the previous one ended.
 *
 * A file in another encoding is converted to UTF-8 with iconv before it reaches that loop,
 * so lines and columns count the characters a user sees. The delimiter, when not given, is
 * chosen from the first block of the file (csv_dialect_detect) before libcsv starts.
 */
#include "clients_csv.h"

#include <csv.h>
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csv_dialect.h"
#include "scenario_internal.h"
#include "schema.h"

#define MAX_COLUMNS 32

typedef struct CsvReader {
    Scenario *sc;
    BvErrors *errors;
    const char *path;
    const CsvDialect *dialect;
    size_t errors_at_start;
    /* position of the byte being fed */
    int line, col;
    /* where the current field and record began */
    int field_line, field_col;
    int record_line;
    /* header */
    bool in_header;
    int columns;
    const SchemaKey *column_key[MAX_COLUMNS]; /* NULL: column already reported */
    int column_col[MAX_COLUMNS];
    char ignored[256]; /* headers that `columns` does not map, for a note */
    /* current record */
    int field_index;
    Client *client;
    bool stop; /* too many errors or out of memory: read no further */
} CsvReader;

static Mark field_mark(const CsvReader *r)
{
    return (Mark){r->path, r->field_line, r->field_col};
}

static void row_error(CsvReader *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void row_error(CsvReader *r, const char *key, const char *fmt, ...)
{
    char message[BV_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    Mark m = field_mark(r);
    bv_error(r->errors, BV_ERR_INPUT, &m, key, "%s", message);
    if (r->errors->count == BV_ERRORS_MAX)
        r->stop = true;
}

static void header_field(CsvReader *r, const char *text)
{
    if (r->columns == MAX_COLUMNS) {
        row_error(r, NULL, "more than %d columns in the header", MAX_COLUMNS);
        r->stop = true;
        return;
    }
    int c = r->columns++;
    const CsvDialect *d = r->dialect;
    const SchemaKey *k = d->column_count ? csv_dialect_column(d, text) : NULL;
    if (!k) {
        k = schema_find(&schema_client, text);
        /* With columns given, a schema name still reads its field unless that is mapped. */
        for (size_t i = 0; k && i < d->column_count; i++)
            if (d->columns[i].key == k)
                k = NULL;
    }
    r->column_col[c] = r->field_col;
    r->column_key[c] = k;
    if (!k && d->column_count) {
        size_t used = strlen(r->ignored);
        if (used + 1 < sizeof r->ignored)
            snprintf(r->ignored + used, sizeof r->ignored - used, "%s'%.60s'", used ? ", " : "",
                     text);
        return;
    }
    if (!k) {
        char list[512];
        schema_key_list(&schema_client, list, sizeof list);
        Mark m = field_mark(r);
        bv_error(r->errors, BV_ERR_INPUT, &m, NULL,
                 "unknown column '%.60s'; accepted columns: %s", text, list);
        return;
    }
    for (int i = 0; i < c; i++) {
        if (r->column_key[i] == k && k) {
            Mark m = field_mark(r);
            bv_error(r->errors, BV_ERR_INPUT, &m, NULL, "column '%s' appears twice", text);
            r->column_key[c] = NULL;
        }
    }
}

static void header_done(CsvReader *r)
{
    r->in_header = false;
    Mark m = {r->path, r->record_line, 1};
    const CsvDialect *d = r->dialect;
    for (size_t i = 0; i < d->column_count; i++) {
        bool present = false;
        for (int c = 0; c < r->columns; c++)
            present |= r->column_key[c] == d->columns[i].key;
        if (!present) {
            char key[BV_ERROR_KEY_MAX];
            snprintf(key, sizeof key, "clients_csv.columns.%s", d->columns[i].key->key);
            bv_error(r->errors, BV_ERR_INPUT, &m, key,
                     "the header has no column '%.60s' (mapped to %s); check the spelling "
                     "against the file's header line",
                     d->columns[i].header, d->columns[i].key->key);
        }
    }
    for (size_t i = 0; i < schema_client.count; i++) {
        const SchemaKey *k = &schema_client.keys[i];
        bool present = false;
        for (int c = 0; c < r->columns; c++)
            present |= r->column_key[c] == k;
        bool mapped = false;
        for (size_t c = 0; c < d->column_count; c++)
            mapped |= d->columns[c].key == k;
        if (k->required && !present && !mapped)
            bv_error(r->errors, BV_ERR_INPUT, &m, NULL, "the header has no '%s' column%s",
                     k->key, d->column_count ? " (map one under clients_csv.columns)" : "");
    }
    if (r->ignored[0] && r->sc->note_count < SCENARIO_NOTES_MAX) {
        char note[600];
        snprintf(note, sizeof note, "%s:%d:1: note: clients_csv: columns not mapped, ignored: %s",
                 r->path, r->record_line, r->ignored);
        const char *kept = scenario_intern(r->sc, note, strlen(note));
        if (kept)
            r->sc->notes[r->sc->note_count++] = kept;
    }
    if (r->errors->count + r->errors->dropped > r->errors_at_start)
        r->stop = true; /* rows cannot be read against a broken header */
}

static void client_field(CsvReader *r, const char *text)
{
    const CsvDialect *d = r->dialect;
    int c = r->field_index;
    if (c >= r->columns) {
        if (c == r->columns)
            row_error(r, NULL, "more fields than the header's %d columns", r->columns);
        return;
    }
    const SchemaKey *k = r->column_key[c];
    if (!k)
        return; /* a column `columns` leaves out */
    Client *cl = r->client;
    if (d->value_count && csv_dialect_has_values(d, k)) {
        const char *v = csv_dialect_value(d, k, text);
        if (!v && text[0] != '\0') {
            char list[300];
            csv_dialect_value_list(d, k, list, sizeof list);
            row_error(r, k->key, "'%.40s' is not in clients_csv.values.%s; accepted: %s", text,
                      k->key, list);
            return;
        }
        if (v)
            text = v;
    }
    if (text[0] == '\0') {
        if (k->required)
            row_error(r, k->key, "is empty; every client needs %s", k->key);
        return;
    }
    switch (k->id) {
    case KEY_ID:
    case KEY_CLIENT_NAME:
    case KEY_SEGMENT: {
        const char *s = scenario_intern(r->sc, text, strlen(text));
        if (!s) {
            bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            r->stop = true;
            return;
        }
        if (k->id == KEY_ID) {
            cl->id = s;
            cl->mark = field_mark(r); /* duplicate ids point at the id itself */
        }
        else if (k->id == KEY_CLIENT_NAME)
            cl->name = s;
        else if ((cl->segment = scenario_segment_index(r->sc, s)) < 0)
            row_error(r, k->key, "unknown segment '%.60s'; it must be one of the scenario's segments",
                      s);
        return;
    }
    case KEY_ACTIVE:
        if (!schema_parse_bool(text, &cl->active))
            row_error(r, k->key, "expected true or false, got '%.40s'", text);
        return;
    default:
        break;
    }
    double x;
    char accepted[64]; /* built only for a message: a large book has millions of fields */
    if (!csv_dialect_parse_number(d, text, &x)) {
        Mark m = field_mark(r);
        schema_range_text(&k->range, accepted, sizeof accepted);
        if (d->decimal == '.' && !d->thousands)
            bv_error(r->errors, BV_ERR_INPUT, &m, k->key, "expected a number in %s, got '%.40s'",
                     accepted, text);
        else
            bv_error(r->errors, BV_ERR_INPUT, &m, k->key,
                     "expected a number in %s written like %s (decimal '%c', thousands %s), "
                     "got '%.40s'",
                     accepted, csv_dialect_number_example(d), d->decimal,
                     d->thousands == ' '  ? "' '"
                     : d->thousands == '.' ? "'.'"
                     : d->thousands == ',' ? "','"
                                           : "none",
                     text);
        return;
    }
    if (!schema_in_range(&k->range, x)) {
        Mark m = field_mark(r);
        schema_range_text(&k->range, accepted, sizeof accepted);
        bv_error(r->errors, BV_ERR_INPUT, &m, k->key, "%s is out of range; accepted: %s", text,
                 accepted);
        return;
    }
    double *field = k->id == KEY_ANNUAL_REVENUE        ? &cl->annual_revenue
                    : k->id == KEY_TENURE_YEARS        ? &cl->tenure_years
                    : k->id == KEY_RECEIVABLE          ? &cl->receivable
                    : k->id == KEY_RECEIVABLE_AGE_DAYS ? &cl->receivable_age_days
                    : k->id == KEY_MARGIN              ? &cl->margin
                    : k->id == KEY_RETENTION           ? &cl->retention
                    : k->id == KEY_REVENUE_GROWTH      ? &cl->revenue_growth
                                                       : &cl->transfer_retention;
    *field = x;
}

/* libcsv callback: a field ended at the byte being fed. */
static void on_field(void *data, size_t len, void *context)
{
    CsvReader *r = context;
    if (r->stop)
        return;
    char text[CLIENTS_CSV_MAX_FIELD + 1];
    if (len > CLIENTS_CSV_MAX_FIELD)
        len = CLIENTS_CSV_MAX_FIELD; /* reported by the byte loop */
    if (len)
        memcpy(text, data, len);
    text[len] = '\0';
    if (r->in_header) {
        header_field(r, text);
    } else {
        if (r->field_index == 0) {
            if (r->sc->client_count >= CLIENTS_CSV_MAX_ROWS) {
                row_error(r, NULL, "more than %u clients in one file", CLIENTS_CSV_MAX_ROWS);
                r->stop = true;
                return;
            }
            r->client = scenario_add_client(r->sc);
            if (!r->client) {
                bv_error(r->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
                r->stop = true;
                return;
            }
            r->client->mark = (Mark){r->path, r->record_line, 1};
        }
        client_field(r, text);
    }
    r->field_index++;
}

/* libcsv callback: a record ended. */
static void on_record(int terminator, void *context)
{
    (void)terminator;
    CsvReader *r = context;
    if (r->stop)
        return;
    if (r->in_header)
        header_done(r);
    else if (r->field_index < r->columns) {
        Mark m = {r->path, r->record_line, r->field_col};
        bv_error(r->errors, BV_ERR_INPUT, &m, NULL,
                 "%d fields where the header has %d columns", r->field_index, r->columns);
    }
    r->field_index = 0;
}

/* A byte libcsv only appends to the field: ASCII, and no quote, delimiter or line end. */
static bool plain_byte(unsigned char c, char delimiter)
{
    return c < 0x80 && c != '"' && c != (unsigned char)delimiter && c != '\n' && c != '\r';
}

/* Length of the valid UTF-8 sequence starting at s (at most n bytes), or 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}


/* ---- clients_csv: in the scenario ---- */

typedef struct Config {
    Scenario *sc;
    BvErrors *errors;
    bool nomem;
} Config;

static Mark keep_mark(Config *c, Mark m)
{
    if (m.file) {
        m.file = scenario_intern(c->sc, m.file, strlen(m.file));
        if (!m.file)
            c->nomem = true;
    }
    return m;
}

static const char *keep(Config *c, const char *text)
{
    const char *s = scenario_intern(c->sc, text, strlen(text));
    if (!s)
        c->nomem = true;
    return s;
}

/* The text of a scalar, or NULL with an error naming what was expected. */
static const char *config_text(Config *c, const Node *n, const char *key, const char *expected)
{
    if (n->kind != NODE_SCALAR || tree_is_null(n)) {
        bv_error(c->errors, BV_ERR_INPUT, &n->mark, key, "expected %s, got %s", expected,
                 n->kind == NODE_MAP   ? "a mapping"
                 : n->kind == NODE_SEQ ? "a list"
                                       : "no value");
        return NULL;
    }
    return n->text;
}

static void config_path(Config *c, const Node *n, const char *key)
{
    const char *name = config_text(c, n, key, "the path of a CSV file");
    if (!name)
        return;
    const char *slash = n->mark.file ? strrchr(n->mark.file, '/') : NULL;
    size_t dir_len = slash ? (size_t)(slash - n->mark.file) + 1 : 0;
    if (name[0] == '/')
        dir_len = 0;
    size_t len = dir_len + strlen(name);
    char *full = malloc(len + 1);
    if (!full) {
        c->nomem = true;
        return;
    }
    if (dir_len)
        memcpy(full, n->mark.file, dir_len);
    memcpy(full + dir_len, name, strlen(name) + 1);
    c->sc->clients_csv = scenario_intern(c->sc, full, len);
    free(full);
    if (!c->sc->clients_csv)
        c->nomem = true;
    c->sc->marks.clients_csv = keep_mark(c, n->mark);
}

/* One of `forms` ("','|';'|tab|auto"), matched against the spellings in `spelled`. */
static int config_choice(Config *c, const Node *n, const char *key, const char *const *spelled,
                         size_t count, const char *forms)
{
    const char *t = config_text(c, n, key, forms);
    if (!t)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (strcasecmp(t, spelled[i]) == 0)
            return (int)i;
    bv_error(c->errors, BV_ERR_INPUT, &n->mark, key, "'%.40s' is not accepted; accepted: %s", t,
             forms);
    return -1;
}

static const SchemaKey *config_field(Config *c, const NodeEntry *e, const char *path)
{
    const SchemaKey *k = schema_find(&schema_client, e->key);
    if (!k) {
        char list[512];
        schema_key_list(&schema_client, list, sizeof list);
        char key[BV_ERROR_KEY_MAX];
        snprintf(key, sizeof key, "%s.%s", path, e->key);
        bv_error(c->errors, BV_ERR_INPUT, &e->key_mark, key,
                 "not a client field; accepted: %s", list);
    }
    return k;
}

static void config_columns(Config *c, const Node *n)
{
    CsvDialect *d = &c->sc->clients_csv_dialect;
    if (n->kind != NODE_MAP) {
        bv_error(c->errors, BV_ERR_INPUT, &n->mark, "clients_csv.columns",
                 "expected a mapping of client fields to the file's headers, e.g. "
                 "{id: \"NIF\", annual_revenue: \"Honorarios 2025\"}");
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        const NodeEntry *e = &n->entries[i];
        char key[BV_ERROR_KEY_MAX];
        snprintf(key, sizeof key, "clients_csv.columns.%s", e->key);
        const SchemaKey *k = config_field(c, e, "clients_csv.columns");
        const char *header = config_text(c, e->value, key, "the header of a column in the file");
        if (!k || !header)
            continue;
        bool twice = false;
        for (size_t j = 0; j < d->column_count && !twice; j++) {
            if (strcmp(d->columns[j].header, header) == 0) {
                bv_error(c->errors, BV_ERR_INPUT, &e->value->mark, key,
                         "header '%.60s' is mapped twice, to %s and to %s; map each header to "
                         "one field",
                         header, d->columns[j].key->key, k->key);
                twice = true;
            }
        }
        if (twice)
            continue;
        if (d->column_count == CSV_DIALECT_MAX_COLUMNS) {
            bv_error(c->errors, BV_ERR_INPUT, &e->key_mark, key, "more than %d columns mapped",
                     CSV_DIALECT_MAX_COLUMNS);
            return;
        }
        d->columns[d->column_count++] =
            (CsvColumn){k, keep(c, header), keep_mark(c, e->value->mark)};
    }
}

static void config_values(Config *c, const Node *n)
{
    CsvDialect *d = &c->sc->clients_csv_dialect;
    if (n->kind != NODE_MAP) {
        bv_error(c->errors, BV_ERR_INPUT, &n->mark, "clients_csv.values",
                 "expected a mapping of client fields to {cell: value}, e.g. "
                 "{active: {\"Sí\": true, \"No\": false}}");
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        const NodeEntry *e = &n->entries[i];
        char key[BV_ERROR_KEY_MAX];
        snprintf(key, sizeof key, "clients_csv.values.%s", e->key);
        const SchemaKey *k = config_field(c, e, "clients_csv.values");
        if (!k)
            continue;
        const Node *m = e->value;
        if (m->kind != NODE_MAP) {
            bv_error(c->errors, BV_ERR_INPUT, &m->mark, key,
                     "expected a mapping of cell texts to values, e.g. {\"Sí\": true}");
            continue;
        }
        for (size_t j = 0; j < m->count; j++) {
            const NodeEntry *v = &m->entries[j];
            char vkey[BV_ERROR_KEY_MAX];
            snprintf(vkey, sizeof vkey, "%s.%s", key, v->key);
            const char *value = config_text(c, v->value, vkey, "the value the cell stands for");
            if (!value)
                continue;
            bool b;
            if (k->id == KEY_ACTIVE && !schema_parse_bool(value, &b)) {
                bv_error(c->errors, BV_ERR_INPUT, &v->value->mark, vkey,
                         "expected true or false, got '%.40s'", value);
                continue;
            }
            if (d->value_count == CSV_DIALECT_MAX_VALUES) {
                bv_error(c->errors, BV_ERR_INPUT, &v->key_mark, vkey,
                         "more than %d cell values mapped", CSV_DIALECT_MAX_VALUES);
                return;
            }
            d->values[d->value_count++] = (CsvValue){k, keep(c, v->key), keep(c, value)};
        }
    }
}

void clients_csv_configure(Scenario *sc, const Node *node, BvErrors *errors)
{
    Config c = {sc, errors, false};
    CsvDialect *d = &sc->clients_csv_dialect;
    csv_dialect_init(d);
    d->mark = keep_mark(&c, node->mark);
    if (node->kind != NODE_MAP) {
        config_path(&c, node, "clients_csv");
        goto done;
    }
    d->given = true;
    static const char *const keys[] = {"path", "delimiter", "decimal", "thousands",
                                       "encoding", "skip_rows", "columns", "values"};
    for (size_t i = 0; i < node->count; i++) {
        const NodeEntry *e = &node->entries[i];
        const Node *v = e->value;
        size_t k = 0;
        while (k < sizeof keys / sizeof keys[0] && strcmp(e->key, keys[k]) != 0)
            k++;
        char key[BV_ERROR_KEY_MAX];
        snprintf(key, sizeof key, "clients_csv.%s", e->key);
        int choice;
        switch (k) {
        case 0:
            config_path(&c, v, key);
            break;
        case 1: {
            static const char *const spelled[] = {",", ";", "\t", "auto", "tab"};
            static const char chars[] = {',', ';', '\t', 0, '\t'};
            choice = config_choice(&c, v, key, spelled, 5, "\",\", \";\", \"\\t\" or auto");
            if (choice >= 0)
                d->delimiter = chars[choice];
            break;
        }
        case 2: {
            static const char *const spelled[] = {".", ","};
            choice = config_choice(&c, v, key, spelled, 2, "\".\" or \",\"");
            if (choice >= 0)
                d->decimal = spelled[choice][0];
            break;
        }
        case 3: {
            static const char *const spelled[] = {"", ".", ",", " "};
            if (v->kind == NODE_SCALAR && tree_is_null(v) && !v->quoted)
                break; /* thousands: (nothing) is no grouping too */
            choice = config_choice(&c, v, key, spelled, 4,
                                   "\"\" (no grouping), \".\", \",\" or \" \"");
            if (choice >= 0)
                d->thousands = spelled[choice][0];
            break;
        }
        case 4: {
            static const char *const spelled[] = {"utf-8", "windows-1252", "iso-8859-1",
                                                  "utf-16", "utf8", "cp1252", "latin1"};
            static const CsvEncoding encodings[] = {
                CSV_ENCODING_UTF8, CSV_ENCODING_WINDOWS_1252, CSV_ENCODING_ISO_8859_1,
                CSV_ENCODING_UTF16, CSV_ENCODING_UTF8, CSV_ENCODING_WINDOWS_1252,
                CSV_ENCODING_ISO_8859_1};
            choice = config_choice(&c, v, key, spelled, 7,
                                   "utf-8, windows-1252, iso-8859-1 or utf-16");
            if (choice >= 0)
                d->encoding = encodings[choice];
            break;
        }
        case 5: {
            double x;
            const char *t = config_text(&c, v, key, "a number of rows");
            if (t && (v->quoted || !schema_parse_number(t, &x) || x != (double)(int)x || x < 0 ||
                      x > CSV_DIALECT_MAX_SKIP_ROWS))
                bv_error(errors, BV_ERR_INPUT, &v->mark, key,
                         "expected a whole number of rows in [0, %d], got '%.40s'",
                         CSV_DIALECT_MAX_SKIP_ROWS, t);
            else if (t)
                d->skip_rows = (int)x;
            break;
        }
        case 6:
            config_columns(&c, v);
            break;
        case 7:
            config_values(&c, v);
            break;
        default:
            bv_error(errors, BV_ERR_INPUT, &e->key_mark, key,
                     "unknown key in clients_csv; accepted keys: path, delimiter, decimal, "
                     "thousands, encoding, skip_rows, columns, values");
        }
    }
    if (d->thousands && d->thousands == d->decimal) {
        const Node *t = tree_map_get(node, "thousands");
        bv_error(errors, BV_ERR_INPUT, t ? &t->mark : &node->mark, "clients_csv.thousands",
                 "'%c' is also the decimal mark; a number like 1.234,56 has decimal \",\" and "
                 "thousands \".\"",
                 d->thousands);
    }
    if (!tree_map_get(node, "path"))
        bv_error(errors, BV_ERR_INPUT, &node->mark, "clients_csv.path",
                 "missing; give the CSV file: clients_csv: {path: clients.csv, ...}");
done:
    if (c.nomem)
        bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
}

/* ---- the file: bytes to UTF-8 ---- */

#define BLOCK 65536

/* UTF-8 bytes of the file, converted by iconv when it is in another encoding. */
typedef struct Decoder {
    FILE *f;
    iconv_t cd;           /* (iconv_t)-1: UTF-8, passed through (the reader checks it) */
    unsigned char in[BLOCK];
    size_t in_len;        /* bytes read but not yet converted or passed on */
    bool file_eof;
    bool done;            /* nothing more will come */
    bool invalid;         /* stopped before bytes the encoding does not allow */
    bool truncated;       /* the file ends inside a character */
    unsigned char bad;    /* the first byte not converted */
    InputDigest digest;   /* of every byte of the file (provenance) */
} Decoder;

/* Open the file: a byte-order mark (skipped) decides the encoding over the declared one. */
static BvStatus decoder_open(Decoder *dec, const char *path, CsvDialect *d, const Mark *named_at,
                             BvErrors *errors)
{
    dec->cd = (iconv_t)-1;
    dec->f = fopen(path, "rb");
    if (!dec->f)
        return bv_error(errors, bv_errno_status(errno, BV_ERR_INPUT), named_at, "clients_csv",
                        "cannot open %s: %s", path, strerror(errno));
    dec->in_len = fread(dec->in, 1, 4, dec->f);
    input_digest_init(&dec->digest);
    input_digest_update(&dec->digest, dec->in, dec->in_len);
    const char *from = csv_encoding_iconv_name(d->encoding);
    size_t bom = 0;
    if (dec->in_len >= 3 && memcmp(dec->in, "\xEF\xBB\xBF", 3) == 0) {
        bom = 3;
        from = NULL;
        d->encoding_from_bom = d->encoding != CSV_ENCODING_UTF8;
        d->encoding = CSV_ENCODING_UTF8;
    } else if (dec->in_len >= 2 && (memcmp(dec->in, "\xFF\xFE", 2) == 0 ||
                                    memcmp(dec->in, "\xFE\xFF", 2) == 0)) {
        bom = 2;
        from = dec->in[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        d->encoding_from_bom = d->encoding != CSV_ENCODING_UTF16;
        d->encoding = CSV_ENCODING_UTF16;
    }
    memmove(dec->in, dec->in + bom, dec->in_len - bom);
    dec->in_len -= bom;
    if (from && (dec->cd = iconv_open("UTF-8", from)) == (iconv_t)-1) {
        fclose(dec->f);
        dec->f = NULL;
        return bv_error(errors, BV_ERR_IO, named_at, "clients_csv.encoding",
                        "this system's iconv cannot convert from %s: %s", from,
                        strerror(errno));
    }
    return BV_OK;
}

/* The file's digest: the bytes not read yet (after an early stop) are read for it. */
static void decoder_record(Decoder *dec, Scenario *sc, const char *path)
{
    if (!dec->f)
        return;
    unsigned char rest[4096];
    size_t got;
    while (!dec->file_eof && (got = fread(rest, 1, sizeof rest, dec->f)) > 0)
        input_digest_update(&dec->digest, rest, got);
    input_files_add(&sc->inputs, "clients_csv", path, &dec->digest);
}

static void decoder_close(Decoder *dec)
{
    if (dec->cd != (iconv_t)-1)
        iconv_close(dec->cd);
    if (dec->f)
        fclose(dec->f);
}

/* Up to `cap` bytes of UTF-8 into `out` (fewer only at the end or before an invalid byte). */
static size_t decoder_read(Decoder *dec, unsigned char *out, size_t cap)
{
    size_t produced = 0;
    while (produced < cap && !dec->done) {
        if (!dec->file_eof && dec->in_len < sizeof dec->in) {
            size_t got = fread(dec->in + dec->in_len, 1, sizeof dec->in - dec->in_len, dec->f);
            input_digest_update(&dec->digest, dec->in + dec->in_len, got);
            dec->in_len += got;
            if (got == 0)
                dec->file_eof = true;
        }
        if (dec->in_len == 0) {
            dec->done = dec->file_eof;
            continue;
        }
        if (dec->cd == (iconv_t)-1) {
            size_t n = dec->in_len < cap - produced ? dec->in_len : cap - produced;
            memcpy(out + produced, dec->in, n);
            memmove(dec->in, dec->in + n, dec->in_len - n);
            dec->in_len -= n;
            produced += n;
            continue;
        }
        char *ip = (char *)dec->in, *op = (char *)out + produced;
        size_t il = dec->in_len, ol = cap - produced;
        size_t rc = iconv(dec->cd, &ip, &il, &op, &ol);
        int e = errno;
        produced = cap - ol;
        memmove(dec->in, ip, il);
        dec->in_len = il;
        if (rc != (size_t)-1 || e == E2BIG)
            continue;
        if (e == EINVAL && !dec->file_eof)
            continue; /* a character split across blocks: read on */
        dec->bad = dec->in[0];
        dec->invalid = e != EINVAL;
        dec->truncated = e == EINVAL;
        dec->done = true;
    }
    return produced;
}

BvStatus clients_csv_read(Scenario *sc, const char *path, const Mark *named_at,
                          BvErrors *errors)
{
    Mark whole = {path, 0, 0};
    CsvDialect *d = &sc->clients_csv_dialect;
    Decoder *dec = calloc(1, sizeof *dec);
    unsigned char *buf = malloc(BLOCK);
    if (!dec || !buf) {
        free(dec);
        free(buf);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    size_t errors_at_start = errors->count + errors->dropped;
    BvStatus opened = decoder_open(dec, path, d, named_at, errors);
    if (opened != BV_OK) {
        free(dec);
        free(buf);
        return opened;
    }
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        decoder_close(dec);
        free(dec);
        free(buf);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    CsvReader r = {.sc = sc, .errors = errors, .path = path, .dialect = d,
                   .errors_at_start = errors_at_start, .line = 1, .col = 1,
                   .field_line = 1, .field_col = 1, .record_line = 1, .in_header = true};
    size_t carry_len = 0; /* an incomplete UTF-8 sequence at the end of a block */
    unsigned char carry[4];
    size_t field_len = 0;
    bool first_block = true, record_started = false, in_quotes = false;
    int skip_left = d->skip_rows;
    Mark quote_opened = {path, 0, 0}; /* where the quote still open began */
    size_t got;
    while (!r.stop && (got = decoder_read(dec, buf + carry_len, BLOCK - carry_len)) > 0) {
        memcpy(buf, carry, carry_len);
        size_t n = carry_len + got, i = 0;
        carry_len = 0;
        if (first_block && !d->delimiter) {
            char seen[300];
            d->delimiter = csv_dialect_detect((const char *)buf, n, dec->done, d->skip_rows,
                                              seen, sizeof seen);
            d->delimiter_detected = d->delimiter != 0;
            if (!d->delimiter) {
                Mark m = {path, d->skip_rows + 1, 1};
                bv_error(errors, BV_ERR_INPUT, &m, "clients_csv.delimiter",
                         "cannot tell the delimiter: over the header and the first rows %s; "
                         "exactly one must give the same count of at least 2 fields on every "
                         "row. Set clients_csv: {path: ..., delimiter: \",\" | \";\" | \"\\t\"}",
                         seen);
                r.stop = true;
                break;
            }
        }
        if (first_block)
            csv_set_delim(&parser, (unsigned char)d->delimiter);
        first_block = false;
        while (i < n && !r.stop) {
            if (skip_left > 0) { /* the title block above the header: not CSV */
                if (buf[i] == '\n') {
                    skip_left--;
                    r.line++;
                    r.col = 1;
                } else if (buf[i] != '\r' && (buf[i] & 0xC0) != 0x80) {
                    r.col++;
                }
                i++;
                continue;
            }
            size_t seq = utf8_sequence(buf + i, n - i);
            if (seq == 0 && n - i < 4 && !dec->done && (buf[i] & 0xC0) == 0xC0) {
                carry_len = n - i; /* finish the sequence with the next block */
                memcpy(carry, buf + i, carry_len);
                break;
            }
            if (seq == 0) {
                Mark m = {path, r.line, r.col};
                bv_error(errors, BV_ERR_INPUT, &m, NULL,
                         "invalid UTF-8 (byte 0x%02X); save the file as UTF-8, or give its "
                         "encoding: clients_csv: {path: ..., encoding: windows-1252}",
                         buf[i]);
                r.stop = true;
                break;
            }
            if (!record_started && buf[i] != '\r' && buf[i] != '\n') {
                record_started = true;
                r.record_line = r.line;
                r.field_line = r.line;
                r.field_col = r.col;
            }
            if (buf[i] == '"') {
                in_quotes = !in_quotes; /* "" inside quotes toggles twice: still inside */
                if (quote_opened.line == 0) /* the field's opening quote */
                    quote_opened = (Mark){path, r.line, r.col};
            }
            /* Feed the whole character (libcsv treats bytes >= 0x80 as data), or a run of
             * plain ASCII at once: no field ends inside it, so the callbacks see the same
             * positions, at a call a run instead of a call a byte. */
            size_t len = seq;
            if (seq == 1 && plain_byte(buf[i], d->delimiter))
                while (i + len < n && plain_byte(buf[i + len], d->delimiter))
                    len++;
            if (csv_parse(&parser, buf + i, len, on_field, on_record, &r) != len) {
                Mark m = {path, r.line, r.col};
                bv_error(errors, BV_ERR_INPUT, &m, NULL,
                         "malformed CSV: %s (quote a field that holds delimiters, quotes or "
                         "line breaks, and double the quotes inside it)",
                         csv_strerror(csv_error(&parser)));
                r.stop = true;
                break;
            }
            size_t chars = seq > 1 ? 1 : len;
            field_len += chars;
            if (field_len > CLIENTS_CSV_MAX_FIELD + 2) {
                Mark m = {path, r.field_line, r.field_col};
                bv_error(errors, BV_ERR_INPUT, &m, NULL, "a field longer than %u bytes",
                         CLIENTS_CSV_MAX_FIELD);
                r.stop = true;
                break;
            }
            unsigned char c = buf[i + len - 1];
            i += len;
            if (c == '\n') {
                r.line++;
                r.col = 1;
            } else if (c != '\r') {
                r.col += (int)chars;
            }
            bool field_end = !in_quotes && (c == (unsigned char)d->delimiter || c == '\n' ||
                                            c == '\r');
            if (field_end) {
                field_len = 0;
                quote_opened.line = 0;
                r.field_line = r.line;
                r.field_col = r.col;
                if (c == '\n' || c == '\r')
                    record_started = false;
            }
        }
    }
    if (!r.stop && ferror(dec->f))
        bv_error(errors, BV_ERR_IO, &whole, NULL, "read failed: %s", strerror(errno));
    if (!r.stop && (dec->invalid || dec->truncated)) {
        Mark m = {path, r.line, r.col};
        if (d->encoding == CSV_ENCODING_UTF16)
            bv_error(errors, BV_ERR_INPUT, &m, "clients_csv.encoding",
                     "invalid UTF-16%s; check the encoding (utf-8, windows-1252, iso-8859-1 or "
                     "utf-16)",
                     dec->truncated ? " at the end of the file (an odd number of bytes?)"
                                    : " (an unpaired surrogate)");
        else
            bv_error(errors, BV_ERR_INPUT, &m, "clients_csv.encoding",
                     "byte 0x%02X is not %s; check the encoding (utf-8, windows-1252, "
                     "iso-8859-1 or utf-16)",
                     dec->bad, csv_encoding_name(d->encoding));
        r.stop = true;
    }
    if (!r.stop && carry_len) {
        Mark m = {path, r.line, r.col};
        bv_error(errors, BV_ERR_INPUT, &m, NULL, "invalid UTF-8 at the end of the file");
        r.stop = true;
    }
    if (!r.stop && !first_block && csv_fini(&parser, on_field, on_record, &r) != 0) {
        if (in_quotes && quote_opened.line > 0)
            bv_error(errors, BV_ERR_INPUT, &quote_opened, NULL,
                     "malformed CSV: the quote opened here is never closed");
        else {
            Mark m = {path, r.line, r.col};
            bv_error(errors, BV_ERR_INPUT, &m, NULL, "malformed CSV at the end of the file: %s",
                     csv_strerror(csv_error(&parser)));
        }
    }
    if (!r.stop && r.in_header) {
        Mark start = {path, d->skip_rows + 1, 1};
        bv_error(errors, BV_ERR_INPUT, &start, NULL,
                 "empty: a header line naming the columns (id,annual_revenue,...) is needed");
    }
    csv_free(&parser);
    const char *kept = scenario_intern(sc, path, strlen(path));
    if (kept)
        decoder_record(dec, sc, kept);
    decoder_close(dec);
    free(dec);
    free(buf);
    if (!kept)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    if (errors->count + errors->dropped > r.errors_at_start)
        return bv_errors_status(errors);
    return BV_OK;
}
