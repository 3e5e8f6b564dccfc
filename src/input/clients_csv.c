/*
 * clients_csv.c — clients from CSV through libcsv.
 *
 * libcsv reports fields, not positions, so the file is fed to it one byte at a time while
 * this module counts lines and columns (in characters, as the YAML reader does): each field
 * is then known to start where the previous one ended. The cost is a function call a byte,
 * a few tens of milliseconds for a hundred thousand clients.
 */
#include "clients_csv.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"
#include "schema.h"

#define MAX_COLUMNS 32

typedef struct CsvReader {
    Scenario *sc;
    BvErrors *errors;
    const char *path;
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
    const SchemaKey *k = schema_find(&schema_client, text);
    r->column_col[c] = r->field_col;
    r->column_key[c] = k;
    if (!k) {
        char list[512];
        schema_key_list(&schema_client, list, sizeof list);
        Mark m = field_mark(r);
        bv_error(r->errors, BV_ERR_INPUT, &m, NULL,
                 "unknown column '%.60s'; accepted columns: %s", text, list);
        return;
    }
    for (int i = 0; i < c; i++) {
        if (r->column_key[i] == k) {
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
    for (size_t i = 0; i < schema_client.count; i++) {
        const SchemaKey *k = &schema_client.keys[i];
        bool present = false;
        for (int c = 0; c < r->columns; c++)
            present |= r->column_key[c] == k;
        if (k->required && !present)
            bv_error(r->errors, BV_ERR_INPUT, &m, NULL, "the header has no '%s' column",
                     k->key);
    }
    if (r->errors->count + r->errors->dropped > r->errors_at_start)
        r->stop = true; /* rows cannot be read against a broken header */
}

static void client_field(CsvReader *r, const char *text)
{
    int c = r->field_index;
    if (c >= r->columns) {
        if (c == r->columns)
            row_error(r, NULL, "more fields than the header's %d columns", r->columns);
        return;
    }
    const SchemaKey *k = r->column_key[c];
    Client *cl = r->client;
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
    char accepted[64];
    schema_range_text(&k->range, accepted, sizeof accepted);
    if (!schema_parse_number(text, &x)) {
        Mark m = field_mark(r);
        bv_error(r->errors, BV_ERR_INPUT, &m, k->key, "expected a number in %s, got '%.40s'",
                 accepted, text);
        return;
    }
    if (!schema_in_range(&k->range, x)) {
        Mark m = field_mark(r);
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

BvStatus clients_csv_read(Scenario *sc, const char *path, const Mark *named_at,
                          BvErrors *errors)
{
    Mark whole = {path, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return bv_error(errors, bv_errno_status(errno, BV_ERR_INPUT), named_at, "clients_csv",
                        "cannot open %s: %s", path, strerror(errno));
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fclose(f);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    CsvReader r = {.sc = sc, .errors = errors, .path = path,
                   .errors_at_start = errors->count + errors->dropped, .line = 1, .col = 1,
                   .field_line = 1, .field_col = 1, .record_line = 1, .in_header = true};
    unsigned char buf[65536];
    unsigned char carry[4]; /* an incomplete UTF-8 sequence at the end of a block */
    size_t carry_len = 0;
    size_t field_len = 0;
    bool at_start = true, record_started = false, in_quotes = false;
    Mark quote_opened = {path, 0, 0}; /* where the quote still open began */
    size_t got;
    while (!r.stop && (got = fread(buf + carry_len, 1, sizeof buf - carry_len, f)) > 0) {
        memcpy(buf, carry, carry_len);
        size_t n = carry_len + got, i = 0;
        carry_len = 0;
        if (at_start && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            i = 3; /* BOM */
        at_start = false;
        while (i < n && !r.stop) {
            size_t seq = utf8_sequence(buf + i, n - i);
            if (seq == 0 && n - i < 4 && !feof(f) && (buf[i] & 0xC0) == 0xC0) {
                carry_len = n - i; /* finish the sequence with the next block */
                memcpy(carry, buf + i, carry_len);
                break;
            }
            if (seq == 0) {
                Mark m = {path, r.line, r.col};
                bv_error(errors, BV_ERR_INPUT, &m, NULL,
                         "invalid UTF-8 (byte 0x%02X); save the file as UTF-8", buf[i]);
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
            /* Feed the whole character: libcsv treats bytes >= 0x80 as data. */
            if (csv_parse(&parser, buf + i, seq, on_field, on_record, &r) != seq) {
                Mark m = {path, r.line, r.col};
                bv_error(errors, BV_ERR_INPUT, &m, NULL,
                         "malformed CSV: %s (quote a field that holds commas, quotes or line "
                         "breaks, and double the quotes inside it)",
                         csv_strerror(csv_error(&parser)));
                r.stop = true;
                break;
            }
            field_len++;
            if (field_len > CLIENTS_CSV_MAX_FIELD + 2) {
                Mark m = {path, r.field_line, r.field_col};
                bv_error(errors, BV_ERR_INPUT, &m, NULL, "a field longer than %u bytes",
                         CLIENTS_CSV_MAX_FIELD);
                r.stop = true;
                break;
            }
            unsigned char c = buf[i];
            i += seq;
            if (c == '\n') {
                r.line++;
                r.col = 1;
            } else if (c != '\r') {
                r.col++;
            }
            bool field_end = !in_quotes && (c == ',' || c == '\n' || c == '\r');
            if (field_end) {
                field_len = 0;
                quote_opened.line = 0;
                r.field_line = r.line;
                r.field_col = r.col;
                if (c != ',')
                    record_started = false;
            }
        }
    }
    if (!r.stop && ferror(f))
        bv_error(errors, BV_ERR_IO, &whole, NULL, "read failed: %s", strerror(errno));
    if (!r.stop && carry_len) {
        Mark m = {path, r.line, r.col};
        bv_error(errors, BV_ERR_INPUT, &m, NULL, "invalid UTF-8 at the end of the file");
        r.stop = true;
    }
    if (!r.stop && csv_fini(&parser, on_field, on_record, &r) != 0) {
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
        Mark start = {path, 1, 1};
        bv_error(errors, BV_ERR_INPUT, &start, NULL,
                 "empty: a header line naming the columns (id,annual_revenue,...) is needed");
    }
    csv_free(&parser);
    fclose(f);
    if (errors->count + errors->dropped > r.errors_at_start)
        return bv_errors_status(errors);
    return BV_OK;
}
