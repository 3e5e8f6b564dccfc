/*
 * test_schema.c — scalar parsing and ranges shared by the YAML and CSV readers (src/schema.c).
 *
 * A number written in a scenario must parse to the same double as the C literal with the same
 * digits (both are correctly rounded), so accepted inputs are compared exactly with literals.
 */
#include <stdbool.h>

#include "unit_support.h"

#include "schema.h"

static void expect_number(const char *text, double expected)
{
    double x = -12345.678;
    if (!schema_parse_number(text, &x))
        fail_msg("'%s' was refused", text);
    if (!(x == expected))
        fail_msg("'%s' parsed as %.17g, expected %.17g", text, x, expected);
}

static void expect_refused(const char *text)
{
    double x = 0;
    if (schema_parse_number(text, &x))
        fail_msg("'%s' was accepted as %.17g", text, x);
}

static void test_parse_number_accepts_decimals(void **state)
{
    (void)state;
    expect_number("0.0375", 0.0375);
    expect_number("-2385.17", -2385.17);
    expect_number("1e-3", 1e-3);
    expect_number("+4", 4.0);
    expect_number("2385.17", 2385.17);
    expect_number("1190.55E+2", 119055.0);
    expect_number("-0.8375e1", -8.375);
    expect_number("7", 7.0);
    expect_number(".9125", 0.9125);
    expect_number("12.", 12.0);
    expect_number("0", 0.0);
    expect_number("-0", 0.0);
    expect_number("1.7976931348623157e308", 1.7976931348623157e308);
    expect_number("00042.5", 42.5);
}

static void test_parse_number_refuses_non_decimals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "0x10", "inf", "nan", ".5e", " 1", "1_000", "1e999",
        "", "+", "-", ".", "e5", "1e", "1e+", "1 ", "1,5", "1.2.3", "Infinity", "-inf",
        "NaN", "+-1", "0x1p3", "1d3", "--1", "1e5.5", "١", "٣.٥", "\t2", "2385.17\n",
        "-1e999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_refused(bad[i]);
}

/* Closed and open ends, and infinite ones. */
static void test_in_range(void **state)
{
    (void)state;
    const SchemaRange closed = {0, 1, false, false};            /* [0, 1] */
    const SchemaRange open = {0, 1, true, true};                /* (0, 1) */
    const SchemaRange above_minus_one = {-1, INFINITY, true, false};
    const SchemaRange horizon = {1, 100, false, false};
    const SchemaRange half_open = {0.0375, 2385.17, false, true}; /* [0.0375, 2385.17) */

    assert_true(schema_in_range(&closed, 0));
    assert_true(schema_in_range(&closed, 1));
    assert_true(schema_in_range(&closed, 0.9125));
    assert_false(schema_in_range(&closed, -1e-300));
    assert_false(schema_in_range(&closed, nextafter(1.0, 2.0)));
    assert_false(schema_in_range(&closed, NAN));

    assert_false(schema_in_range(&open, 0));
    assert_false(schema_in_range(&open, 1));
    assert_true(schema_in_range(&open, 4.9e-324));
    assert_true(schema_in_range(&open, nextafter(1.0, 0.0)));

    assert_false(schema_in_range(&above_minus_one, -1));
    assert_true(schema_in_range(&above_minus_one, -0.9999));
    assert_true(schema_in_range(&above_minus_one, 2385.17));
    assert_true(schema_in_range(&above_minus_one, 1e308));
    assert_true(schema_in_range(&above_minus_one, INFINITY));
    assert_false(schema_in_range(&above_minus_one, NAN));

    assert_true(schema_in_range(&horizon, 1));
    assert_true(schema_in_range(&horizon, 100));
    assert_false(schema_in_range(&horizon, 100.5));
    assert_false(schema_in_range(&horizon, 0.9375));

    assert_true(schema_in_range(&half_open, 0.0375));
    assert_false(schema_in_range(&half_open, 2385.17));
    assert_true(schema_in_range(&half_open, 2385.16));
    assert_false(schema_in_range(&half_open, 0.0374));
}

static void expect_range_text(SchemaRange r, const char *expected)
{
    char buf[64];
    schema_range_text(&r, buf, sizeof buf);
    assert_string_equal(buf, expected);
}

static void test_range_text(void **state)
{
    (void)state;
    expect_range_text((SchemaRange){0, 1, false, false}, "[0, 1]");
    expect_range_text((SchemaRange){0, 1, true, true}, "(0, 1)");
    expect_range_text((SchemaRange){-1, INFINITY, true, false}, "(-1, inf)");
    expect_range_text((SchemaRange){0, INFINITY, false, false}, "[0, inf)");
    expect_range_text((SchemaRange){-INFINITY, INFINITY, false, false}, "(-inf, inf)");
    expect_range_text((SchemaRange){1, 100, false, false}, "[1, 100]");
    expect_range_text((SchemaRange){0.0375, 2385.17, false, true}, "[0.0375, 2385.17)");
    expect_range_text((SchemaRange){-0.8375, 1e-7, true, false}, "(-0.8375, 1e-07]");
    /* A short buffer is cut, not overrun. */
    char small[6];
    memset(small, 'x', sizeof small);
    SchemaRange r = {0.0375, 2385.17, false, true};
    schema_range_text(&r, small, sizeof small);
    assert_string_equal(small, "[0.03");
}

static void test_parse_bool(void **state)
{
    (void)state;
    bool b = false;
    assert_true(schema_parse_bool("true", &b));
    assert_true(b);
    assert_true(schema_parse_bool("false", &b));
    assert_false(b);
    static const char *const bad[] = {"True", "FALSE", "yes", "no", "on", "1", "0", "",
                                      "true ", " false", "t", "truee"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b = true;
        if (schema_parse_bool(bad[i], &b))
            fail_msg("'%s' was accepted as a boolean", bad[i]);
        assert_true(b); /* untouched on failure */
    }
}

/* The tables: lookups, and the key list used in "unknown key" messages (reserved keys
 * left out). */
static void test_tables(void **state)
{
    (void)state;
    const SchemaKey *k = schema_find(&schema_scenario, "discount_rate");
    assert_non_null(k);
    assert_int_equal(k->id, KEY_DISCOUNT_RATE);
    assert_int_equal(k->type, SCHEMA_UNCERTAIN);
    assert_true(k->required);
    assert_false(schema_in_range(&k->range, -1));
    assert_null(schema_find(&schema_scenario, "discount"));
    assert_null(schema_find(&schema_segment, "horizon_years"));
    const SchemaKey *h = schema_find(&schema_scenario, "horizon_years");
    assert_int_equal(h->type, SCHEMA_INTEGER);
    assert_string_equal(h->default_text, "10");
    assert_true(schema_in_range(&h->range, 100));
    assert_false(schema_in_range(&h->range, 101));

    char list[512];
    schema_key_list(&schema_client, list, sizeof list);
    assert_string_equal(list, "id, name, segment, annual_revenue, tenure_years, active, "
                              "receivable, receivable_age_days, margin, retention, "
                              "revenue_growth, transfer_retention");
    schema_key_list(&schema_segment, list, sizeof list);
    assert_string_equal(list, "margin, retention, revenue_growth, transfer_retention");
    /* The scenario's list names every key but those reserved for a later version. */
    char scenario_list[1024];
    schema_key_list(&schema_scenario, scenario_list, sizeof scenario_list);
    size_t listed = 0;
    for (size_t i = 0; i < schema_scenario.count; i++) {
        const SchemaKey *key = &schema_scenario.keys[i];
        char word[64];
        snprintf(word, sizeof word, ", %s,", key->key);
        char padded[1100];
        snprintf(padded, sizeof padded, ", %s,", scenario_list);
        bool in_list = strstr(padded, word) != NULL;
        if (key->type == SCHEMA_LATER) {
            if (in_list)
                fail_msg("reserved key '%s' is offered in '%s'", key->key, scenario_list);
        } else {
            listed++;
            if (!in_list)
                fail_msg("key '%s' is missing from '%s'", key->key, scenario_list);
        }
    }
    assert_true(listed >= 16);
    assert_contains(scenario_list, "name, currency, extends, horizon_years");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_number_accepts_decimals),
        cmocka_unit_test(test_parse_number_refuses_non_decimals),
        cmocka_unit_test(test_in_range),
        cmocka_unit_test(test_range_text),
        cmocka_unit_test(test_parse_bool),
        cmocka_unit_test(test_tables),
    };
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
