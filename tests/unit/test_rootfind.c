/*
 * test_rootfind.c — the grid scan plus Brent solver (src/core/rootfind.c).
 *
 * References are closed forms, independent of the solver: exp(x) = 3.7125 at x = ln 3.7125;
 * x^3 = 2.385 at the cube root; (x - 0.0375)(x - 2.385) has exactly those two roots;
 * x^2 + 0.0375 has none. Every outcome is provoked: found, none in range, not converged (the
 * iteration cap, a non-finite value inside a bracket), with its message.
 */
#include <gsl/gsl_errno.h>
#include <stdlib.h>

#include "unit_support.h"

#include "rootfind.h"

#define LN_37125 1.311705504128818 /* ln 3.7125, Python math.log */

typedef struct Counted {
    int calls;
} Counted;

static double exp_gap(double x, void *params)
{
    if (params)
        ((Counted *)params)->calls++;
    return exp(x) - 3.7125;
}

static double cube_gap(double x, void *params)
{
    (void)params;
    return x * x * x - 2.385;
}

static double two_roots(double x, void *params)
{
    if (params)
        ((Counted *)params)->calls++;
    return (x - 0.0375) * (x - 2.385);
}

static double no_root(double x, void *params)
{
    (void)params;
    return x * x + 0.0375;
}

static double line(double x, void *params)
{
    (void)params;
    return x - 0.5;
}

/* Undefined below 0 (as an NPV at a rate of -100% or a scenario with an infinite tail). */
static double defined_from_zero(double x, void *params)
{
    (void)params;
    return x < 0 ? (double)NAN : x - 1.25;
}

/* Finite at the ends, not finite in between: Brent meets a NaN. */
static double hole_inside(double x, void *params)
{
    (void)params;
    return x < -0.5 ? -1.0 : x > 0.5 ? 1.0 : (double)NAN;
}

static const RootOptions TIGHT = {1e-13, 1e-15, 200, ROOT_PICK_NEAREST, 0};

static void fill(double *grid, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        grid[i] = lo + (hi - lo) * (double)i / (double)(n - 1);
}

static void test_brent_closed_forms(void **state)
{
    (void)state;
    RootResult r = rootfind_brent(exp_gap, NULL, -2.0, 5.0, &TIGHT);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_true(fabs(r.root - LN_37125) < 1e-12);
    assert_true(r.lower <= r.root && r.root <= r.upper);
    assert_true(r.iterations > 0 && r.iterations <= 200);

    r = rootfind_brent(cube_gap, NULL, 0.0, 3.0, &TIGHT);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_rel(r.root, cbrt(2.385), 1e-13);
    /* The ends given in either order. */
    r = rootfind_brent(cube_gap, NULL, 3.0, 0.0, &TIGHT);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_rel(r.root, cbrt(2.385), 1e-13);
}

static void test_scan_closed_form(void **state)
{
    (void)state;
    double grid[29];
    fill(grid, 29, -2.0, 5.0);
    RootResult r = rootfind_scan(exp_gap, NULL, grid, 29, &TIGHT);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_true(fabs(r.root - LN_37125) < 1e-12);
    assert_true(r.lower >= 1.0 && r.upper <= 1.5); /* inside the grid bracket [1, 1.25..1.5] */
}

static void test_no_root(void **state)
{
    (void)state;
    double grid[41];
    fill(grid, 41, -3.0, 3.0);
    RootResult r = rootfind_scan(no_root, NULL, grid, 41, &TIGHT);
    assert_int_equal(r.status, ROOT_NONE_IN_RANGE);
    assert_true(isnan(r.root) && isnan(r.lower) && isnan(r.upper));
    r = rootfind_brent(no_root, NULL, -3.0, 3.0, &TIGHT);
    assert_int_equal(r.status, ROOT_NONE_IN_RANGE);
    assert_true(isnan(r.root));
    /* No root is a result to report as null, not an error. */
    BvErrors errors;
    bv_errors_init(&errors);
    assert_int_equal(rootfind_check(&r, "the test's root", &errors), BV_OK);
    assert_int_equal(errors.count, 0);
}

static void test_two_roots_nearest_and_first(void **state)
{
    (void)state;
    double grid[21], reversed[21];
    fill(grid, 21, -1.0, 4.0);
    for (size_t i = 0; i < 21; i++)
        reversed[i] = grid[20 - i];
    RootOptions o = TIGHT;
    o.target = 0.1;
    RootResult r = rootfind_scan(two_roots, NULL, grid, 21, &o);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_rel(r.root, 0.0375, 1e-11);
    o.target = 2.0;
    r = rootfind_scan(two_roots, NULL, grid, 21, &o);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_rel(r.root, 2.385, 1e-12);

    /* The first along the grid, in either direction; the scan stops there. */
    o.pick = ROOT_PICK_FIRST;
    Counted c = {0};
    r = rootfind_scan(two_roots, &c, grid, 21, &o);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_rel(r.root, 0.0375, 1e-11);
    int first_calls = c.calls;
    c.calls = 0;
    o.pick = ROOT_PICK_NEAREST;
    rootfind_scan(two_roots, &c, grid, 21, &o);
    assert_true(first_calls < c.calls); /* the nearest pick evaluates the whole grid */
    o.pick = ROOT_PICK_FIRST;
    r = rootfind_scan(two_roots, NULL, reversed, 21, &o);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_rel(r.root, 2.385, 1e-12);
}

static void test_root_on_a_grid_point(void **state)
{
    (void)state;
    const double grid[] = {0.0, 0.25, 0.5, 0.75};
    RootResult r = rootfind_scan(line, NULL, grid, 4, &TIGHT);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_true(r.root == 0.5 && r.lower == 0.5 && r.upper == 0.5);
    assert_int_equal(r.iterations, 0);
    /* The last point too. */
    r = rootfind_scan(line, NULL, grid, 3, &TIGHT);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_true(r.root == 0.5);
}

static void test_non_finite_points_are_passed_over(void **state)
{
    (void)state;
    double grid[21];
    fill(grid, 21, -2.0, 3.0);
    RootResult r = rootfind_scan(defined_from_zero, NULL, grid, 21, &TIGHT);
    assert_int_equal(r.status, ROOT_FOUND);
    assert_rel(r.root, 1.25, 1e-13);
}

static void test_not_converged_is_an_error_with_the_bracket(void **state)
{
    (void)state;
    RootOptions o = {1e-15, 0, 2, ROOT_PICK_NEAREST, 0};
    RootResult r = rootfind_brent(exp_gap, NULL, -2.0, 5.0, &o);
    assert_int_equal(r.status, ROOT_NOT_CONVERGED);
    assert_true(isnan(r.root));
    assert_int_equal(r.iterations, 2);
    assert_false(r.not_finite);
    assert_true(r.lower < LN_37125 && LN_37125 < r.upper);
    assert_true(r.upper - r.lower < 7.0); /* narrowed from [-2, 5] */

    BvErrors errors;
    bv_errors_init(&errors);
    assert_int_equal(rootfind_check(&r, "the test's root", &errors), BV_ERR_NUMERIC);
    assert_int_equal(errors.count, 1);
    char expected[200];
    snprintf(expected, sizeof expected,
             "the test's root did not converge in 2 iterations; last bracket [%.17g, %.17g]",
             r.lower, r.upper);
    assert_string_equal(errors.items[0].message, expected);

    /* A scan stops at the bracket that failed. */
    double grid[8];
    fill(grid, 8, -2.0, 5.0);
    r = rootfind_scan(exp_gap, NULL, grid, 8, &o);
    assert_int_equal(r.status, ROOT_NOT_CONVERGED);
}

static void test_nan_inside_a_bracket_is_not_a_silent_nan(void **state)
{
    (void)state;
    RootResult r = rootfind_brent(hole_inside, NULL, -1.0, 1.0, &TIGHT);
    assert_int_equal(r.status, ROOT_NOT_CONVERGED);
    assert_true(r.lower <= -0.5 && r.upper >= 0.5);
    BvErrors errors;
    bv_errors_init(&errors);
    assert_int_equal(rootfind_check(&r, "the hole", &errors), BV_ERR_NUMERIC);
    assert_true(r.not_finite);
    char expected[200];
    snprintf(expected, sizeof expected,
             "the hole met a value that is not finite in [%.17g, %.17g]", r.lower, r.upper);
    assert_string_equal(errors.items[0].message, expected);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as main.c: statuses, not abort() */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brent_closed_forms),
        cmocka_unit_test(test_scan_closed_form),
        cmocka_unit_test(test_no_root),
        cmocka_unit_test(test_two_roots_nearest_and_first),
        cmocka_unit_test(test_root_on_a_grid_point),
        cmocka_unit_test(test_non_finite_points_are_passed_over),
        cmocka_unit_test(test_not_converged_is_an_error_with_the_bracket),
        cmocka_unit_test(test_nan_inside_a_bracket_is_not_a_silent_nan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
