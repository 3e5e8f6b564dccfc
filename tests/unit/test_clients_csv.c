/*
 * test_clients_csv.c — clients read from CSV (src/clients_csv.c) through scenario_load.
 *
 * Each test writes a CSV and a scenario naming it (clients_csv) into TEST_BUILD_DIR, with
 * file names prefixed "csv_" so tests of other modules running in parallel cannot collide.
 * Expected lines and columns are counted by hand on the literal bytes (columns in
 * characters, 1-based; a quoted field that holds a line break ends on a later line).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "unit_support.h"

#include "csv_dialect.h"
#include "scenario.h"

#define SCENARIO_HEAD                                                                         \
    "name: \"CSV reader test\"\n"                                                             \
    "currency: EUR\n"                                                                         \
    "discount_rate: 0.1175\n"                                                                 \
    "margin: 0.3875\n"                                                                        \
    "retention: 0.9125\n"                                                                     \
    "segments:\n"                                                                             \
    "  A: {margin: 0.4625}\n"                                                                 \
    "  B: {retention: 0.8615}\n"

typedef struct Loaded {
    Scenario *sc;
    BvErrors errors;
    BvStatus status;
    char csv_path[512];
} Loaded;

static void loaded_destroy(void *v)
{
    Loaded *l = v;
    scenario_free(l->sc);
    free(l);
}

/* Write csv_<stem>.csv (len bytes) and csv_<stem>.yaml naming it, then load the scenario. */
static Loaded *load_bytes(const char *stem, const char *csv, size_t len)
{
    Loaded *l = calloc(1, sizeof *l);
    assert_non_null(l);
    unit_own(l, loaded_destroy);
    char name[128], yaml_path[512], yaml[1024];
    snprintf(name, sizeof name, "csv_%s.csv", stem);
    unit_build_path(l->csv_path, sizeof l->csv_path, name);
    unit_write_bytes(l->csv_path, csv, len);
    snprintf(name, sizeof name, "csv_%s.yaml", stem);
    unit_build_path(yaml_path, sizeof yaml_path, name);
    snprintf(yaml, sizeof yaml, SCENARIO_HEAD "clients_csv: csv_%s.csv\n", stem);
    unit_write_text(yaml_path, yaml);
    bv_errors_init(&l->errors);
    l->status = scenario_load(yaml_path, NULL, 0, NULL, &l->sc, &l->errors);
    return l;
}

static Loaded *load(const char *stem, const char *csv)
{
    return load_bytes(stem, csv, strlen(csv));
}

static void loaded_free(Loaded *l)
{
    unit_free(l);
}

static void expect_ok(const Loaded *l, size_t clients)
{
    if (l->status != BV_OK) {
        unit_dump_errors(&l->errors);
        fail_msg("scenario_load failed with status %d", (int)l->status);
    }
    assert_non_null(l->sc);
    assert_int_equal(l->errors.count, 0);
    assert_int_equal(l->sc->client_count, clients);
    assert_string_equal(l->sc->clients_csv, l->csv_path);
}

/* A failed load: input status, no scenario, and the error mentioning `needle` in the CSV at
 * line:col (returned for further checks). */
static const BvError *expect_csv_error(const Loaded *l, const char *needle, int line, int col)
{
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_null(l->sc);
    const BvError *e = unit_expect_error(&l->errors, needle);
    assert_int_equal(e->status, BV_ERR_INPUT);
    assert_string_equal(e->file, l->csv_path);
    if (e->line != line || e->col != col)
        fail_msg("'%s' at %d:%d, expected %d:%d", e->message, e->line, e->col, line, col);
    return e;
}

static const Client *client(const Scenario *sc, const char *id)
{
    for (size_t i = 0; i < sc->client_count; i++)
        if (sc->clients[i].id && strcmp(sc->clients[i].id, id) == 0)
            return &sc->clients[i];
    fail_msg("no client '%s'", id);
    return NULL;
}

/* ---- what is read ---- */

static void test_bom_and_crlf(void **state)
{
    (void)state;
    Loaded *l = load("bom_crlf", "\xEF\xBB\xBF"
                                 "id,annual_revenue\r\n"
                                 "C001,2385.17\r\n"
                                 "C002,1190.55\r\n");
    expect_ok(l, 2);
    const Client *c1 = client(l->sc, "C001");
    assert_true(c1->annual_revenue == 2385.17);
    assert_string_equal(c1->mark.file, l->csv_path);
    assert_int_equal(c1->mark.line, 2);
    assert_int_equal(c1->mark.col, 1);
    const Client *c2 = client(l->sc, "C002");
    assert_true(c2->annual_revenue == 1190.55);
    assert_int_equal(c2->mark.line, 3);
    /* Kahan sum: 2385.17 + 1190.55 = 3575.72 */
    assert_rel(scenario_annual_revenue(l->sc), 3575.72, 1e-15);
    loaded_free(l);

    /* BOM with LF, no newline after the last record, a blank line skipped. */
    l = load("bom_lf", "\xEF\xBB\xBFid,annual_revenue\n\nC003,731.4\nC004,412.9");
    expect_ok(l, 2);
    assert_true(client(l->sc, "C003")->annual_revenue == 731.4);
    assert_int_equal(client(l->sc, "C003")->mark.line, 3);
    assert_true(client(l->sc, "C004")->annual_revenue == 412.9);
    assert_int_equal(client(l->sc, "C004")->mark.line, 4);
    loaded_free(l);

    /* CRLF without a BOM; the BOM is not required, and the header's first name is then
     * plain "id". */
    l = load("crlf", "id,name,annual_revenue\r\nC005,\"Two\r\nlines\",58.25\r\nC006,x,7\r\n");
    expect_ok(l, 2);
    assert_string_equal(client(l->sc, "C005")->name, "Two\r\nlines");
    assert_int_equal(client(l->sc, "C006")->mark.line, 4);
    loaded_free(l);
}

/* RFC 4180: quoted fields with commas, doubled quotes and line breaks. */
static void test_rfc4180_quotes(void **state)
{
    (void)state;
    Loaded *l = load("quotes", "id,name,annual_revenue\n"
                               "C001,\"García, Hijos & \"\"La Única\"\"\",2385.17\n"
                               "C002,\"Two\nlines, and a \"\"quote\"\"\",1190.55\n"
                               "C003,Plain name,731.4\n"
                               "\"C004\",\"\",\"412.9\"\n"
                               "C005,\",\",0\n");
    expect_ok(l, 5);
    assert_string_equal(client(l->sc, "C001")->name, "García, Hijos & \"La Única\"");
    assert_true(client(l->sc, "C001")->annual_revenue == 2385.17);
    assert_string_equal(client(l->sc, "C002")->name, "Two\nlines, and a \"quote\"");
    assert_true(client(l->sc, "C002")->annual_revenue == 1190.55);
    assert_int_equal(client(l->sc, "C002")->mark.line, 3);
    assert_string_equal(client(l->sc, "C003")->name, "Plain name");
    /* C003 starts on line 5: C002's record took lines 3 and 4. */
    assert_int_equal(client(l->sc, "C003")->mark.line, 5);
    /* A quoted number is a number in CSV; an empty quoted name takes the default "". */
    assert_true(client(l->sc, "C004")->annual_revenue == 412.9);
    assert_string_equal(client(l->sc, "C004")->name, "");
    assert_string_equal(client(l->sc, "C005")->name, ",");
    assert_true(client(l->sc, "C005")->annual_revenue == 0);
    loaded_free(l);
}

static void test_utf8_names_kept_exactly(void **state)
{
    (void)state;
    static const char *const names[] = {
        "Panadería López",
        "Müller & Söhne GmbH",
        "株式会社さくら会計",
        "\xF0\x9F\x8D\x9E Boulangerie Œuvre",   /* U+1F35E BREAD, 4 bytes */
        "Ελληνικά Λογιστικά",
        "Ação Contábil Ltda.",
    };
    char csv[1024] = "id,name,annual_revenue\n";
    for (size_t i = 0; i < 6; i++)
        snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "U%zu,%s,%zu.25\n", i, names[i],
                 100 + i);
    Loaded *l = load("utf8", csv);
    expect_ok(l, 6);
    for (size_t i = 0; i < 6; i++) {
        char id[8];
        snprintf(id, sizeof id, "U%zu", i);
        const Client *c = client(l->sc, id);
        assert_string_equal(c->name, names[i]);
        assert_int_equal(strlen(c->name), strlen(names[i]));
        assert_true(c->annual_revenue == 100.25 + (double)i);
    }
    loaded_free(l);
}

static void test_columns_in_any_order_and_defaults(void **state)
{
    (void)state;
    Loaded *l = load("order",
                     "receivable_age_days,transfer_retention,segment,tenure_years,revenue_growth,"
                     "name,annual_revenue,retention,active,id,margin,receivable\n"
                     "45,0.9437,B,8,0.0215,Panadería López,2385.17,0.8875,false,C001,0.5275,"
                     "1500.25\n"
                     ",,,,,,412.9,,,C002,,\n"
                     "183.5,,A,2.5,,,0.0375,,true,C003,,0\n");
    expect_ok(l, 3);
    const Client *c1 = client(l->sc, "C001");
    assert_true(c1->receivable_age_days == 45);
    assert_true(c1->transfer_retention == 0.9437);
    assert_int_equal(c1->segment, scenario_segment_index(l->sc, "B"));
    assert_int_equal(c1->segment, 1);
    assert_true(c1->tenure_years == 8);
    assert_true(c1->revenue_growth == 0.0215);
    assert_string_equal(c1->name, "Panadería López");
    assert_true(c1->annual_revenue == 2385.17);
    assert_true(c1->retention == 0.8875);
    assert_false(c1->active);
    assert_true(c1->margin == 0.5275);
    assert_true(c1->receivable == 1500.25);

    /* Empty optional fields take the defaults of schema 1. */
    const Client *c2 = client(l->sc, "C002");
    assert_true(c2->annual_revenue == 412.9);
    assert_string_equal(c2->name, "");
    assert_int_equal(c2->segment, -1);
    assert_true(c2->tenure_years == 0);
    assert_true(c2->active);
    assert_true(c2->receivable == 0);
    assert_true(c2->receivable_age_days == 0);
    assert_true(isnan(c2->margin));
    assert_true(isnan(c2->retention));
    assert_true(isnan(c2->revenue_growth));
    assert_true(isnan(c2->transfer_retention));

    const Client *c3 = client(l->sc, "C003");
    assert_int_equal(c3->segment, 0);
    assert_true(c3->tenure_years == 2.5);
    assert_true(c3->receivable_age_days == 183.5);
    assert_true(c3->annual_revenue == 0.0375);
    assert_true(c3->active);
    assert_true(isnan(c3->margin));
    loaded_free(l);
}

/* ---- errors ---- */

static void test_header_errors(void **state)
{
    (void)state;
    /* "id,annual_revenue,revenu": 'revenu' starts at col 19. */
    Loaded *l = load("unknown_column", "id,annual_revenue,revenu\nC001,2385.17,1\n");
    const BvError *e = expect_csv_error(l, "unknown column", 1, 19);
    assert_string_equal(e->message,
                        "unknown column 'revenu'; accepted columns: id, name, segment, "
                        "annual_revenue, tenure_years, active, receivable, receivable_age_days, "
                        "margin, retention, revenue_growth, transfer_retention");
    assert_int_equal(l->errors.count, 1);
    loaded_free(l);

    /* "id,annual_revenue,id": the second 'id' at col 19. */
    l = load("dup_column", "id,annual_revenue,id\nC001,2385.17,C002\n");
    e = expect_csv_error(l, "column 'id' appears twice", 1, 19);
    assert_int_equal(l->errors.count, 1);
    loaded_free(l);

    /* No annual_revenue column: reported on the header line. */
    l = load("missing_column", "id,name\nC001,x\n");
    expect_csv_error(l, "the header has no 'annual_revenue' column", 1, 1);
    assert_int_equal(l->errors.count, 1);
    loaded_free(l);

    /* Empty file. */
    l = load("empty", "");
    assert_int_equal(l->status, BV_ERR_INPUT);
    e = unit_expect_error(&l->errors,
                          "empty: a header line naming the columns (id,annual_revenue,...) "
                          "is needed");
    assert_string_equal(e->file, l->csv_path);
    assert_int_equal(e->line, 1);
    assert_int_equal(e->col, 1);
    loaded_free(l);
}

static void test_bad_values_line_and_column(void **state)
{
    (void)state;
    /*
     * line 1: id,name,annual_revenue,active
     * line 2: C001,"Two                         (C001's name spans lines 2-3)
     * line 3: lines",2385.17,true
     * line 4: C002,"Peña, S.L.",12o5.5,true   "Peña, S.L." with its quotes is 12 characters,
     *                                          cols 6-17; ',' col 18; 12o5.5 at col 19
     * line 5: C003,x,-731.4,false             -731.4 at col 8
     * line 6: C004,"Line                        (spans lines 6-7)
     * line 7: Break",x1,true                  x1 at col 8 of line 7
     * line 8: C005,y,58.25,yes                yes at col 14
     */
    Loaded *l = load("bad_values", "id,name,annual_revenue,active\n"
                                   "C001,\"Two\nlines\",2385.17,true\n"
                                   "C002,\"Peña, S.L.\",12o5.5,true\n"
                                   "C003,x,-731.4,false\n"
                                   "C004,\"Line\nBreak\",x1,true\n"
                                   "C005,y,58.25,yes\n");
    const BvError *e = expect_csv_error(l, "got '12o5.5'", 4, 19);
    assert_string_equal(e->message, "expected a number in [0, inf), got '12o5.5'");
    assert_string_equal(e->key, "annual_revenue");
    e = expect_csv_error(l, "-731.4 is out of range", 5, 8);
    assert_string_equal(e->message, "-731.4 is out of range; accepted: [0, inf)");
    assert_string_equal(e->key, "annual_revenue");
    e = expect_csv_error(l, "got 'x1'", 7, 8);
    assert_string_equal(e->key, "annual_revenue");
    e = expect_csv_error(l, "expected true or false, got 'yes'", 8, 14);
    assert_string_equal(e->key, "active");
    /* Every bad row is reported, not only the first. */
    assert_int_equal(l->errors.count, 4);
    loaded_free(l);

    /* Unknown segment, empty id, out-of-range rate. "C001,Z,1": Z at col 6. */
    l = load("bad_refs", "id,segment,annual_revenue,retention\n"
                         "C001,Z,1,\n"
                         ",A,2,\n"
                         "C003,A,3,1.0375\n");
    e = expect_csv_error(l, "unknown segment 'Z'", 2, 6);
    assert_string_equal(e->message,
                        "unknown segment 'Z'; it must be one of the scenario's segments");
    e = expect_csv_error(l, "is empty; every client needs id", 3, 1);
    assert_string_equal(e->key, "id");
    e = expect_csv_error(l, "1.0375 is out of range; accepted: [0, 1]", 4, 10);
    assert_string_equal(e->key, "retention");
    assert_int_equal(l->errors.count, 3);
    loaded_free(l);
}

static void test_malformed_quotes(void **state)
{
    (void)state;
    /* An unterminated quote runs to the end of the file; the error points at the quote that
     * opened it: line 2, col 6. */
    Loaded *l = load("unterminated", "id,name,annual_revenue\nC001,\"Open,2385.17\nC002,x,5\n");
    const BvError *e = expect_csv_error(l, "never closed", 2, 6);
    assert_string_equal(e->message, "malformed CSV: the quote opened here is never closed");
    assert_int_equal(l->errors.count, 1);
    loaded_free(l);

    /* A quote inside an unquoted field: "C001,ab\"c" — the quote is at col 8. */
    l = load("stray_quote", "id,name,annual_revenue\nC001,ab\"c,5\n");
    e = expect_csv_error(l, "malformed CSV: ", 2, 8);
    assert_contains(e->message, "double the quotes inside it");
    loaded_free(l);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    /* Latin-1 'é' (0xE9) at col 9 of line 2. */
    Loaded *l = load("latin1", "id,name,annual_revenue\nC001,Caf\xE9 Central,2385.17\n");
    const BvError *e = expect_csv_error(l, "invalid UTF-8", 2, 9);
    assert_string_equal(e->message, "invalid UTF-8 (byte 0xE9); save the file as UTF-8, or "
                                    "give its encoding: clients_csv: {path: ..., encoding: "
                                    "windows-1252}");
    loaded_free(l);
    /* Overlong encoding of '/' (C0 AF) at col 6 of line 3. */
    l = load("overlong", "id,name,annual_revenue\nC001,a,1\nC002,\xC0\xAF,2\n");
    e = expect_csv_error(l, "invalid UTF-8 (byte 0xC0)", 3, 6);
    loaded_free(l);
    /* A UTF-16 surrogate encoded in UTF-8 (ED A0 80) at col 8 of line 2. */
    l = load("surrogate", "id,name,annual_revenue\nC001,ab\xED\xA0\x80,1\n");
    expect_csv_error(l, "invalid UTF-8 (byte 0xED)", 2, 8);
    loaded_free(l);
    /* A sequence cut short by the end of the file (E2 82 of a 3-byte euro sign). */
    l = load("truncated", "id,name,annual_revenue\nC001,1,\xE2\x82");
    assert_int_equal(l->status, BV_ERR_INPUT);
    e = unit_expect_error(&l->errors, "invalid UTF-8");
    assert_string_equal(e->file, l->csv_path);
    assert_int_equal(e->line, 2);
    assert_int_equal(e->col, 8);
    loaded_free(l);
    /* A BOM in the middle is a character like any other (U+FEFF), not an error. */
    l = load("mid_bom", "id,name,annual_revenue\nC001,\xEF\xBB\xBFx,1\n");
    expect_ok(l, 1);
    assert_string_equal(client(l->sc, "C001")->name, "\xEF\xBB\xBFx");
    loaded_free(l);
}

static void test_wrong_field_count(void **state)
{
    (void)state;
    /* "C001,2385.17,extra": the extra field starts at col 14. */
    Loaded *l = load("too_many", "id,annual_revenue\nC001,2385.17,extra\nC002,1\n");
    const BvError *e = expect_csv_error(l, "more fields than the header's 2 columns", 2, 14);
    (void)e;
    assert_int_equal(l->errors.count, 1);
    loaded_free(l);

    /* Too few: two fields where the header has three, on line 3. */
    l = load("too_few", "id,name,annual_revenue\nC001,a,1\nC002,2385.17\n");
    assert_int_equal(l->status, BV_ERR_INPUT);
    e = unit_expect_error(&l->errors, "2 fields where the header has 3 columns");
    assert_string_equal(e->file, l->csv_path);
    assert_int_equal(e->line, 3);
    loaded_free(l);
}

static void test_duplicate_ids(void **state)
{
    (void)state;
    Loaded *l = load("dup_ids", "id,annual_revenue\nC001,2385.17\nC002,1190.55\nC001,731.4\n");
    assert_int_equal(l->status, BV_ERR_INPUT);
    assert_null(l->sc);
    assert_int_equal(l->errors.count, 1);
    const BvError *e = unit_expect_error(&l->errors, "duplicate client id 'C001'");
    char expected[700];
    snprintf(expected, sizeof expected, "duplicate client id 'C001' (first at %s:2)",
             l->csv_path);
    assert_string_equal(e->message, expected);
    assert_string_equal(e->file, l->csv_path);
    assert_int_equal(e->line, 4);
    assert_int_equal(e->col, 1);
    loaded_free(l);
}

static void test_missing_file(void **state)
{
    (void)state;
    char yaml_path[512];
    unit_build_path(yaml_path, sizeof yaml_path, "csv_missing.yaml");
    unit_write_text(yaml_path, SCENARIO_HEAD "clients_csv: csv_no_such_file.csv\n");
    char csv_path[512];
    unit_build_path(csv_path, sizeof csv_path, "csv_no_such_file.csv");
    remove(csv_path);
    BvErrors errors;
    bv_errors_init(&errors);
    Scenario *sc = NULL;
    assert_int_equal(scenario_load(yaml_path, NULL, 0, NULL, &sc, &errors), BV_ERR_INPUT);
    assert_null(sc);
    assert_int_equal(errors.count, 1);
    char expected[700];
    snprintf(expected, sizeof expected, "cannot open %s: No such file or directory", csv_path);
    const BvError *e = &errors.items[0];
    assert_string_equal(e->message, expected);
    /* Reported where the scenario names the file: "clients_csv: csv_no_such_file.csv" is
     * line 9 of the scenario, its value at col 14. */
    assert_string_equal(e->file, yaml_path);
    assert_string_equal(e->key, "clients_csv");
    assert_int_equal(e->line, 9);
    assert_int_equal(e->col, 14);
}

/* An unterminated quote after doubled ("escaped") quotes: the quote that opened the field is
 * still the one at col 6 of line 2 — the "" pairs inside it open nothing. */
static void test_unterminated_quote_after_escaped_quotes(void **state)
{
    (void)state;
    /* line 2: C001,"Say ""hi"", open,5     opening quote at col 6; the pairs at 11-12, 15-16 */
    Loaded *l = load("unterminated_escaped",
                     "id,name,annual_revenue\nC001,\"Say \"\"hi\"\", open,5\nC002,x,1\n");
    const BvError *e = expect_csv_error(l, "never closed", 2, 6);
    (void)e;
    loaded_free(l);
}

/* ---- dialects ---- */

static void test_dialect_numbers(void **state)
{
    (void)state;
    CsvDialect d;
    csv_dialect_init(&d);
    d.decimal = ',';
    d.thousands = '.';
    double x = 0;
    assert_true(csv_dialect_parse_number(&d, "1.234", &x) && x == 1234);
    assert_true(csv_dialect_parse_number(&d, "1.234,56", &x) && x == 1234.56);
    assert_true(csv_dialect_parse_number(&d, "12.345.678,0375", &x) && x == 12345678.0375);
    assert_true(csv_dialect_parse_number(&d, "2385,17", &x) && x == 2385.17);
    assert_true(csv_dialect_parse_number(&d, "-731,4", &x) && x == -731.4);
    static const char *const refused[] = {"1234.56", "1.23", "1.2345", ".234", "1.234,",
                                          ",5", "1..234", "1.234.5", "1,234,5", "1e3", " 1",
                                          "", "-", "1.234,56 "};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        if (csv_dialect_parse_number(&d, refused[i], &x))
            fail_msg("'%s' accepted under {decimal: \",\", thousands: \".\"}", refused[i]);
    d.thousands = 0;
    assert_false(csv_dialect_parse_number(&d, "1.234", &x));
    assert_true(csv_dialect_parse_number(&d, "1234,56", &x) && x == 1234.56);
    d.thousands = ' ';
    assert_true(csv_dialect_parse_number(&d, "1 234 567,89", &x) && x == 1234567.89);
    assert_false(csv_dialect_parse_number(&d, "1 2345,6", &x));
    d.decimal = '.';
    d.thousands = ',';
    assert_true(csv_dialect_parse_number(&d, "8,400.00", &x) && x == 8400);
    assert_false(csv_dialect_parse_number(&d, "8400,00", &x));
}

static void test_dialect_detect(void **state)
{
    (void)state;
    char seen[300];
    const char *semi = "NIF;Cliente;Honorarios\nB1;\"a; b\";1.234,5\nB2;c;7\n";
    assert_int_equal(csv_dialect_detect(semi, strlen(semi), true, 0, seen, sizeof seen), ';');
    const char *tab = "Title, of; the export\n\nid\tannual_revenue\nA\t1,5\n";
    assert_int_equal(csv_dialect_detect(tab, strlen(tab), true, 2, seen, sizeof seen), '\t');
    const char *one = "id|annual_revenue\nA|1\n";
    assert_int_equal(csv_dialect_detect(one, strlen(one), true, 0, seen, sizeof seen), 0);
    assert_string_equal(seen, "',' gives 1 field, ';' gives 1 field, tab gives 1 field");
    const char *both = "id,x;y\nA,1;2\n";
    assert_int_equal(csv_dialect_detect(both, strlen(both), true, 0, seen, sizeof seen), 0);
    assert_string_equal(seen, "',' gives 2 fields, ';' gives 2 fields, tab gives 1 field");
}

/* Windows-1252 with ';', decimal comma, mapped headers and values, a title block. */
static void test_dialect_file(void **state)
{
    (void)state;
    char yaml_path[512], yaml[2048];
    Loaded *l = calloc(1, sizeof *l);
    assert_non_null(l);
    unit_own(l, loaded_destroy);
    unit_build_path(l->csv_path, sizeof l->csv_path, "csv_dialect_es.csv");
    static const char csv[] = "Listado de clientes\r\n\r\n"
                              "NIF;Cliente;Honorarios 2025;Antig\xFC" "edad;Activo;Tipo;Notas\r\n"
                              "B1;Panader\xED" "a L\xF3pez;1.234,56;8;S\xED;Soc;x\r\n"
                              "B2;\x8C" "uvre;2385,17;3;No;Aut;y\r\n";
    unit_write_bytes(l->csv_path, csv, sizeof csv - 1);
    unit_build_path(yaml_path, sizeof yaml_path, "csv_dialect_es.yaml");
    snprintf(yaml, sizeof yaml,
             SCENARIO_HEAD "clients_csv:\n  path: csv_dialect_es.csv\n  delimiter: \";\"\n"
                           "  decimal: \",\"\n  thousands: \".\"\n  encoding: windows-1252\n"
                           "  skip_rows: 2\n"
                           "  columns: {id: NIF, name: Cliente, annual_revenue: Honorarios 2025,"
                           " tenure_years: \"Antigüedad\", active: Activo, segment: Tipo}\n"
                           "  values: {active: {\"Sí\": true, \"No\": false},"
                           " segment: {Soc: A, Aut: B}}\n");
    unit_write_text(yaml_path, yaml);
    bv_errors_init(&l->errors);
    l->status = scenario_load(yaml_path, NULL, 0, NULL, &l->sc, &l->errors);
    expect_ok(l, 2);
    const Client *b1 = client(l->sc, "B1");
    assert_string_equal(b1->name, "Panadería López");
    assert_true(b1->annual_revenue == 1234.56);
    assert_true(b1->active);
    assert_int_equal(b1->segment, 0);
    assert_int_equal(b1->mark.line, 4);
    const Client *b2 = client(l->sc, "B2");
    assert_string_equal(b2->name, "Œuvre");
    assert_true(b2->annual_revenue == 2385.17);
    assert_false(b2->active);
    assert_int_equal(b2->segment, 1);
    assert_int_equal(l->sc->note_count, 1);
    assert_non_null(strstr(l->sc->notes[0], ":3:1: note: clients_csv: columns not mapped, "
                                             "ignored: 'Notas'"));
    char text[300];
    csv_dialect_describe(&l->sc->clients_csv_dialect, text, sizeof text);
    assert_string_equal(text, "delimiter ';', decimal ',', thousands '.', windows-1252, 2 rows "
                              "skipped above the header, 6 columns mapped");
    loaded_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        owned_unit_test(test_bom_and_crlf),
        owned_unit_test(test_rfc4180_quotes),
        owned_unit_test(test_utf8_names_kept_exactly),
        owned_unit_test(test_columns_in_any_order_and_defaults),
        owned_unit_test(test_header_errors),
        owned_unit_test(test_bad_values_line_and_column),
        owned_unit_test(test_malformed_quotes),
        owned_unit_test(test_invalid_utf8),
        owned_unit_test(test_wrong_field_count),
        owned_unit_test(test_duplicate_ids),
        owned_unit_test(test_missing_file),
        owned_unit_test(test_unterminated_quote_after_escaped_quotes),
        owned_unit_test(test_dialect_numbers),
        owned_unit_test(test_dialect_detect),
        owned_unit_test(test_dialect_file),
    };
    return cmocka_run_group_tests_name("clients_csv", tests, NULL, NULL);
}
