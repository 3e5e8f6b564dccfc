/*
 * test_stats.c — summary statistics of simulated values (src/stats.c).
 *
 * Every reference is worked by hand from the definitions the workbook recomputes (stats.h,
 * DESIGN §5), and cross-checked exactly with Python's fractions module:
 *   mean = sum / n; sd = sqrt(sum (x - mean)^2 / (n - 1)) (STDEV.S); se = sd / sqrt(n);
 *   PERCENTILE.INC: h = (n - 1) p, i = floor(h): sorted[i] + (h - i)(sorted[i+1] - sorted[i]);
 *   cvar5 = mean of the values <= p5, ties included (AVERAGEIF(values, "<="&P5)).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "unit_support.h"

#include "stats.h"

#define TOL 1e-13

enum { P1, P5, P10, P25, P50, P75, P90, P95, P99 };

static void test_levels(void **state)
{
    (void)state;
    static const double expected[STATS_PERCENTILES] = {0.01, 0.05, 0.10, 0.25, 0.50,
                                                       0.75, 0.90, 0.95, 0.99};
    for (size_t i = 0; i < STATS_PERCENTILES; i++)
        assert_true(stats_percentile_levels[i] == expected[i]);
}

/*
 * Seven values, given unsorted. Sorted: 1.2, 2.385, 3.7, 4.02, 5.5, 7.1175, 9.4 (n - 1 = 6).
 *   p1:  h = 0.06 -> 1.2 + 0.06 x 1.185           = 1.2711
 *   p5:  h = 0.30 -> 1.2 + 0.30 x 1.185           = 1.5555
 *   p10: h = 0.60 -> 1.2 + 0.60 x 1.185           = 1.911
 *   p25: h = 1.5  -> 2.385 + 0.5 x 1.315          = 3.0425
 *   p50: h = 3    -> 4.02
 *   p75: h = 4.5  -> 5.5 + 0.5 x 1.6175           = 6.30875
 *   p90: h = 5.4  -> 7.1175 + 0.4 x 2.2825        = 8.0305
 *   p95: h = 5.7  -> 7.1175 + 0.7 x 2.2825        = 8.71525
 *   p99: h = 5.94 -> 7.1175 + 0.94 x 2.2825       = 9.26305
 * mean = 33.3225 / 7 = 13329/2800 = 4.760357142857143;
 * sum of squared deviations / 6 = 7.936738392857142 (exact fraction), sd = 2.81722175074259,
 * se = sd / sqrt(7) = 1.0648097343695555; cvar5: only 1.2 <= 1.5555, so 1.2.
 * A nearest-rank or an exclusive (PERCENTILE.EXC, (n+1)p) definition gives other numbers at
 * every level but p50, and a population sd (n) gives 2.6082...
 */
static void test_seven_values(void **state)
{
    (void)state;
    double v[7] = {5.5, 1.2, 9.4, 3.7, 2.385, 7.1175, 4.02};
    double copy[7];
    memcpy(copy, v, sizeof v);
    Stats s;
    assert_true(stats_summarise(v, 7, &s));
    assert_int_equal(s.n, 7);
    assert_rel(s.mean, 13329.0 / 2800.0, TOL);
    assert_rel(s.sd, 2.81722175074259, 1e-13);
    assert_rel(s.se, 1.0648097343695555, 1e-13);
    assert_rel(s.se, s.sd / sqrt(7.0), 1e-15);
    static const double p[STATS_PERCENTILES] = {1.2711, 1.5555,  1.911,   3.0425, 4.02,
                                                6.30875, 8.0305, 8.71525, 9.26305};
    for (size_t i = 0; i < STATS_PERCENTILES; i++)
        assert_rel(s.percentile[i], p[i], TOL);
    assert_rel(s.cvar5, 1.2, TOL);
    assert_true(s.min == 1.2);
    assert_true(s.max == 9.4);
    /* The caller's values are left in their order. */
    assert_memory_equal(v, copy, sizeof v);
}

/*
 * Twenty-one values with a tie at the 5th percentile: h = 20 x 0.05 = 1, so p5 = sorted[1] =
 * 2.5, and three values equal it. Sorted: -3.25, 2.5, 2.5, 2.5, 2.75, 3.125, 3.5, 4.375, 4.5,
 * 5.0, 5.25, 6.0625, 6.5, 7.0, 7.75, 8.875, 9.0, 9.5, 10.5, 11.125, 12.25.
 *   cvar5 = (-3.25 + 2.5 + 2.5 + 2.5) / 4 = 1.0625 (every value <= p5; counting only the
 *   first ceil(0.05 n) = 2 of them would give -0.375, strictly below p5 -3.25).
 *   p1: h = 0.2 -> -3.25 + 0.2 x 5.75 = -2.1;  p10: h = 2 -> 2.5;  p25: h = 5 -> 3.125;
 *   p50: h = 10 -> 5.25;  p75: h = 15 -> 8.875;  p90: h = 18 -> 10.5;  p95: h = 19 -> 11.125;
 *   p99: h = 19.8 -> 11.125 + 0.8 x 1.125 = 12.025.
 * mean = 121.3125 / 21 = 5.776785714285714, sd = 3.6892247782272247 (fractions, exact).
 */
static void test_ties_at_p5(void **state)
{
    (void)state;
    double v[21] = {2.5, -3.25, 7.75, 2.5,  11.125, 2.5, 4.375, 6.0625, 9.5, 3.125, 5.25,
                    8.875, 10.5, 2.75, 12.25, 6.5,  4.5, 3.5,   7.0,    9.0, 5.0};
    Stats s;
    assert_true(stats_summarise(v, 21, &s));
    static const double p[STATS_PERCENTILES] = {-2.1,  2.5,  2.5,    3.125, 5.25,
                                                8.875, 10.5, 11.125, 12.025};
    for (size_t i = 0; i < STATS_PERCENTILES; i++)
        assert_rel(s.percentile[i], p[i], TOL);
    assert_rel(s.cvar5, 1.0625, TOL);
    assert_rel(s.mean, 121.3125 / 21, TOL);
    assert_rel(s.sd, 3.6892247782272247, 1e-13);
    assert_rel(s.se, 3.6892247782272247 / sqrt(21.0), 1e-13);
    assert_true(s.min == -3.25);
    assert_true(s.max == 12.25);
}

/* One value: no spread, every statistic the value itself. */
static void test_single_value(void **state)
{
    (void)state;
    double v = 2385.17;
    Stats s;
    assert_true(stats_summarise(&v, 1, &s));
    assert_int_equal(s.n, 1);
    assert_true(s.mean == v);
    assert_true(s.sd == 0);
    assert_true(s.se == 0);
    for (size_t i = 0; i < STATS_PERCENTILES; i++)
        assert_true(s.percentile[i] == v);
    assert_true(s.cvar5 == v);
    assert_true(s.min == v && s.max == v);
}

/* Two values -1.5, 4.25: sd = 5.75 / sqrt(2), p5 = -1.5 + 0.05 x 5.75 = -1.2125,
 * p95 = -1.5 + 0.95 x 5.75 = 3.9625, cvar5 = -1.5 (the only value <= p5). */
static void test_two_values(void **state)
{
    (void)state;
    double v[2] = {4.25, -1.5};
    Stats s;
    assert_true(stats_summarise(v, 2, &s));
    assert_rel(s.mean, 1.375, TOL);
    assert_rel(s.sd, 5.75 / sqrt(2.0), TOL);
    assert_rel(s.se, 5.75 / 2.0, TOL);
    assert_rel(s.percentile[P5], -1.2125, TOL);
    assert_rel(s.percentile[P50], 1.375, TOL);
    assert_rel(s.percentile[P95], 3.9625, TOL);
    assert_rel(s.cvar5, -1.5, TOL);
}

/*
 * The integers 0..n-1 (n = 10001) in a scrambled order (i -> 7919 i mod n, a bijection since
 * 7919 is prime and does not divide 10001 = 73 x 137): PERCENTILE.INC gives exactly 10000 p;
 * the sample variance of 0..n-1 is n (n + 1) / 12; cvar5 = mean of 0..500 = 250.
 */
static void test_integers(void **state)
{
    (void)state;
    const size_t n = 10001;
    double *v = malloc(n * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = (double)((i * 7919) % n);
    Stats s;
    assert_true(stats_summarise(v, n, &s));
    assert_rel(s.mean, 5000, TOL);
    assert_rel(s.sd, sqrt((double)n * (double)(n + 1) / 12), 1e-12);
    assert_rel(s.se, sqrt((double)(n + 1) / 12), 1e-12);
    for (size_t i = 0; i < STATS_PERCENTILES; i++)
        assert_rel(s.percentile[i], 10000 * stats_percentile_levels[i], 1e-12);
    assert_rel(s.cvar5, 250, TOL);
    assert_true(s.min == 0 && s.max == 10000);
    free(v);
}

/* Equal-width bins over [-2.75, 4.25], width 1: a value on an interior edge belongs to the bin
 * above it, the maximum to the last bin. */
static void test_histogram(void **state)
{
    (void)state;
    double v[] = {-2.75, -2.125, -1.75, 0.25, 0.3125, 1.0625, 3.9375, 4.25, 4.25, -0.8125};
    size_t n = sizeof v / sizeof v[0];
    double edges[8], counts[7];
    stats_histogram(v, n, -2.75, 4.25, 7, edges, counts);
    for (int i = 0; i <= 7; i++)
        assert_rel(edges[i], -2.75 + i, 1e-15);
    /* [-2.75,-1.75): -2.75, -2.125 | [-1.75,-0.75): -1.75, -0.8125 | [-0.75,0.25): none |
     * [0.25,1.25): 0.25, 0.3125, 1.0625 | [1.25,2.25): none | [2.25,3.25): none |
     * [3.25,4.25]: 3.9375, 4.25, 4.25 */
    static const double expected[7] = {2, 2, 0, 3, 0, 0, 3};
    double total = 0;
    for (int i = 0; i < 7; i++) {
        if (counts[i] != expected[i])
            fail_msg("bin %d holds %g values, expected %g", i, counts[i], expected[i]);
        total += counts[i];
    }
    assert_true(total == (double)n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels),      cmocka_unit_test(test_seven_values),
        cmocka_unit_test(test_ties_at_p5),  cmocka_unit_test(test_single_value),
        cmocka_unit_test(test_two_values),  cmocka_unit_test(test_integers),
        cmocka_unit_test(test_histogram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
