/*
 * unit_support.h — small helpers shared by the cmocka unit tests (tests/unit/test_*.c):
 * relative-tolerance checks that print both numbers, files written into the build tree, and
 * lookups in an error list. Header-only (static functions), so each test stays one executable.
 */
#ifndef BOOKVAL_UNIT_SUPPORT_H
#define BOOKVAL_UNIT_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

/* The relative tolerance the valuation tests hold the engine to. */
#define UNIT_REL_TOL 1e-12

/* |actual - expected| / |expected| (absolute when expected is 0); NaN when either is NaN. */
static inline double unit_rel_err(double actual, double expected)
{
    if (isnan(actual) || isnan(expected))
        return (double)NAN;
    if (actual == expected)
        return 0;
    double scale = fabs(expected) > 0 ? fabs(expected) : 1;
    return fabs(actual - expected) / scale;
}

/* Fail (with both values) unless actual is within relative `tol` of expected. */
#define assert_rel(actual, expected, tol)                                                     \
    do {                                                                                      \
        double unit_a_ = (actual), unit_e_ = (expected);                                      \
        double unit_r_ = unit_rel_err(unit_a_, unit_e_);                                      \
        if (!(unit_r_ <= (tol)))                                                              \
            fail_msg("%s = %.17g, expected %.17g (relative error %.3g > %.3g)", #actual,      \
                     unit_a_, unit_e_, unit_r_, (double)(tol));                               \
    } while (0)

/* Fail unless `haystack` contains `needle`, showing both. */
#define assert_contains(haystack, needle)                                                     \
    do {                                                                                      \
        const char *unit_h_ = (haystack), *unit_n_ = (needle);                                \
        if (!unit_h_ || !strstr(unit_h_, unit_n_))                                            \
            fail_msg("'%s' does not contain '%s'", unit_h_ ? unit_h_ : "(null)", unit_n_);    \
    } while (0)

/* Print every recorded error (a failing test then shows what the engine said). */
static inline void unit_dump_errors(const BvErrors *errors)
{
    for (size_t i = 0; i < errors->count; i++) {
        char line[BV_ERROR_FILE_MAX + BV_ERROR_KEY_MAX + BV_ERROR_MESSAGE_MAX + 64];
        bv_error_format(&errors->items[i], line, sizeof line);
        print_message("  [%zu] %s\n", i, line);
    }
}

/* The first error whose message contains `needle`, or NULL. */
static inline const BvError *unit_find_error(const BvErrors *errors, const char *needle)
{
    for (size_t i = 0; i < errors->count; i++)
        if (strstr(errors->items[i].message, needle))
            return &errors->items[i];
    return NULL;
}

/* Like unit_find_error, but fails the test (listing the errors) when there is none. */
static inline const BvError *unit_expect_error(const BvErrors *errors, const char *needle)
{
    const BvError *e = unit_find_error(errors, needle);
    if (!e) {
        unit_dump_errors(errors);
        fail_msg("no error mentions '%s' (%zu recorded)", needle, errors->count);
    }
    return e;
}

/* Fail unless the error sits at file:line:col (file compared as a suffix: paths are built). */
#define assert_error_at(e, file_suffix, line_, col_)                                          \
    do {                                                                                      \
        const BvError *unit_e_ = (e);                                                         \
        const char *unit_f_ = (file_suffix);                                                  \
        size_t unit_fl_ = strlen(unit_e_->file), unit_sl_ = strlen(unit_f_);                  \
        if (unit_fl_ < unit_sl_ || strcmp(unit_e_->file + unit_fl_ - unit_sl_, unit_f_) != 0 || \
            unit_e_->line != (line_) || unit_e_->col != (col_))                               \
            fail_msg("error '%s' at %s:%d:%d, expected ...%s:%d:%d", unit_e_->message,        \
                     unit_e_->file, unit_e_->line, unit_e_->col, unit_f_, (int)(line_),       \
                     (int)(col_));                                                            \
    } while (0)

/*
 * Objects a test owns, freed by unit_teardown even when an assertion fails (cmocka leaves a
 * failing test by longjmp, past the test's own frees), so valgrind reports only the engine's
 * leaks. unit_own registers p with its free function; unit_free frees a registered p now.
 */
typedef void (*UnitFreeFn)(void *);
enum { UNIT_OWN, UNIT_FREE, UNIT_FREE_ALL };
#define UNIT_OWNED_MAX 64

static inline void unit_registry(int op, void *p, UnitFreeFn free_fn)
{
    static struct {
        void *p;
        UnitFreeFn free_fn;
    } owned[UNIT_OWNED_MAX];
    switch (op) {
    case UNIT_OWN:
        for (size_t i = 0; i < UNIT_OWNED_MAX; i++) {
            if (!owned[i].p) {
                owned[i].p = p;
                owned[i].free_fn = free_fn;
                return;
            }
        }
        fail_msg("a test owns more than %d objects", UNIT_OWNED_MAX);
        return;
    case UNIT_FREE:
        for (size_t i = 0; i < UNIT_OWNED_MAX; i++) {
            if (owned[i].p && owned[i].p == p) {
                owned[i].p = NULL;
                owned[i].free_fn(p);
                return;
            }
        }
        fail_msg("freeing an object the test does not own");
        return;
    default:
        for (size_t i = UNIT_OWNED_MAX; i-- > 0;) {
            if (owned[i].p) {
                void *q = owned[i].p;
                owned[i].p = NULL;
                owned[i].free_fn(q);
            }
        }
    }
}

static inline void unit_own(void *p, UnitFreeFn free_fn)
{
    unit_registry(UNIT_OWN, p, free_fn);
}

static inline void unit_free(void *p)
{
    unit_registry(UNIT_FREE, p, NULL);
}

/* A cmocka teardown: frees whatever the test still owns. */
static inline int unit_teardown(void **state)
{
    (void)state;
    unit_registry(UNIT_FREE_ALL, NULL, NULL);
    return 0;
}

#define owned_unit_test(f) cmocka_unit_test_teardown(f, unit_teardown)

/* TEST_BUILD_DIR "/" name into buf. */
static inline void unit_build_path(char *buf, size_t size, const char *name)
{
    int n = snprintf(buf, size, "%s/%s", TEST_BUILD_DIR, name);
    assert_true(n > 0 && (size_t)n < size);
}

/* Write `len` bytes to `path` (replacing it), failing the test on any error. */
static inline void unit_write_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s", path);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static inline void unit_write_text(const char *path, const char *text)
{
    unit_write_bytes(path, text, strlen(text));
}

#endif
