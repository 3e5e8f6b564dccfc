/*
 * test_provenance.c — the input-file digests (provenance.c) and the conclusion's market
 * position (conclusion.c).
 *
 * References: SHA-256 of "abc" and of the empty string from FIPS 180-2 (appendix B.1) and
 * its well-known empty-message value; the market positions worked by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "conclusion.h"
#include "provenance.h"

static void test_abc_in_pieces(void **state)
{
    (void)state;
    InputFiles files = {0};
    InputDigest d;
    input_digest_init(&d);
    input_digest_update(&d, "a", 1);
    input_digest_update(&d, "bc", 2);
    input_files_add(&files, "scenario", "s.yaml", &d);
    assert_int_equal(files.count, 1);
    assert_string_equal(files.items[0].sha256,
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(files.items[0].size, 3);
    assert_string_equal(files.items[0].path, "s.yaml");
}

static void test_empty_file_and_overflow(void **state)
{
    (void)state;
    static InputFiles files;
    memset(&files, 0, sizeof files);
    for (int i = 0; i < INPUT_FILES_MAX + 2; i++) {
        InputDigest d;
        input_digest_init(&d);
        input_files_add(&files, "model", "m.yaml", &d);
    }
    assert_int_equal(files.count, INPUT_FILES_MAX);
    assert_int_equal(files.dropped, 2);
    assert_string_equal(files.items[0].sha256,
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(files.items[0].size, 0);
}

static void test_market_position(void **state)
{
    (void)state;
    double by;
    /* Range [80, 120]: 70 is 10 below, 130 is 10 above, the ends are inside. */
    assert_int_equal(conclusion_market_position(70, 80, 120, &by), -1);
    assert_true(by == 10);
    assert_int_equal(conclusion_market_position(130, 80, 120, &by), 1);
    assert_true(by == 10);
    assert_int_equal(conclusion_market_position(80, 80, 120, &by), 0);
    assert_true(by == 0);
    assert_int_equal(conclusion_market_position(120, 80, 120, &by), 0);
    assert_int_equal(conclusion_market_position((double)NAN, 80, 120, &by), 0);
    assert_true(by == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_abc_in_pieces),
        cmocka_unit_test(test_empty_file_and_overflow),
        cmocka_unit_test(test_market_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
