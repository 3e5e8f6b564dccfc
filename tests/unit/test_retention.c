/*
 * test_retention.c — renewal rates, survival tables and the sBG tail series (src/retention.c).
 *
 * Survival values are exact fractions worked by hand below (sBG rates with beta + tenure and
 * alpha + beta + tenure in tenths reduce to small integer ratios). The sBG series is checked
 * against every row of the high-precision table TEST_BUILD_DIR/hyp2f1_table.txt, written by
 * tests/reference/hyp2f1_table.py with mpmath (the CTest fixture reference.hyp2f1_table), and
 * against closed forms of 2F1 for small integer parameters.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "unit_support.h"

#include "retention.h"

static RetentionModel constant_model(double r)
{
    return (RetentionModel){.kind = RETENTION_CONSTANT, .constant = dist_fixed(r), .scale = 1};
}

static RetentionModel curve_model(const double *c, int n)
{
    RetentionModel m = {.kind = RETENTION_CURVE, .curve_len = n, .scale = 1};
    for (int i = 0; i < n; i++)
        m.curve[i] = c[i];
    return m;
}

static RetentionModel sbg_model(double alpha, double beta)
{
    return (RetentionModel){.kind = RETENTION_SBG, .alpha = alpha, .beta = beta, .scale = 1};
}

/* ---- rates and survival ---- */

static void test_constant(void **state)
{
    (void)state;
    RetentionModel m = constant_model(0.9125);
    /* r(k) is the value passed (the mean in the DCF, a draw in the Monte Carlo), for any k
     * and any tenure. */
    assert_true(retention_rate(&m, 0.9125, 0, 1) == 0.9125);
    assert_true(retention_rate(&m, 0.9125, 7.5, 37) == 0.9125);
    assert_true(retention_rate(&m, 0.8615, 0, 2) == 0.8615);
    assert_false(retention_uses_tenure(&m));

    /* S(t) = u r^t with u = 0.9437, r = 0.9125. */
    double s[12];
    retention_survival(&m, 0.9125, 3, 0.9437, 12, s);
    for (int t = 1; t <= 12; t++)
        assert_rel(s[t - 1], 0.9437 * pow(0.9125, t), 1e-14);
}

static void test_curve(void **state)
{
    (void)state;
    static const double c[] = {0.8375, 0.9125, 0.9541};
    RetentionModel m = curve_model(c, 3);
    assert_true(retention_rate(&m, NAN, 0, 1) == 0.8375);
    assert_true(retention_rate(&m, NAN, 0, 2) == 0.9125);
    assert_true(retention_rate(&m, NAN, 0, 3) == 0.9541);
    /* The last value is repeated after the curve ends. */
    assert_true(retention_rate(&m, NAN, 0, 4) == 0.9541);
    assert_true(retention_rate(&m, NAN, 12, 57) == 0.9541);
    assert_false(retention_uses_tenure(&m));

    /*
     * u = 0.9437, by hand:
     *   S(1) = 0.9437 x 0.8375                       = 0.79034875
     *   S(2) = 0.79034875 x 0.9125                   = 0.721193234375
     *   S(3) = 0.721193234375 x 0.9541               = 0.6880904649171875
     *   S(4) = 0.6880904649171875 x 0.9541           = 0.65650711257748859375
     *   S(5) = 0.65650711257748859375 x 0.9541       = 0.62637343611018186730...
     */
    double s[5];
    retention_survival(&m, NAN, 0, 0.9437, 5, s);
    assert_rel(s[0], 0.79034875, 1e-15);
    assert_rel(s[1], 0.721193234375, 1e-15);
    assert_rel(s[2], 0.6880904649171875, 1e-15);
    assert_rel(s[3], 0.65650711257748859375, 1e-15);
    assert_rel(s[4], 0.6263734361101818673, 1e-15);

    /* A one-value curve is a constant. */
    static const double one[] = {0.8815};
    RetentionModel m1 = curve_model(one, 1);
    assert_true(retention_rate(&m1, NAN, 0, 9) == 0.8815);
}

static void test_sbg(void **state)
{
    (void)state;
    /*
     * alpha 0.7, beta 3.8. A client with n completed renewals renews the k-th time with
     *   r(k) = (beta + n + k - 1) / (alpha + beta + n + k - 1).
     * n = 2: r(1) = 5.8/6.5 = 58/65, r(2) = 6.8/7.5 = 68/75, r(3) = 7.8/8.5 = 78/85.
     * With u = 0.9375 = 15/16:
     *   S(1) = 15/16 x 58/65                 = 870/1040      = 87/104  = 0.836538461538461538...
     *   S(2) = 87/104 x 68/75                = 5916/7800     = 493/650 = 0.758461538461538461...
     *   S(3) = 493/650 x 78/85               = 38454/55250   = 87/125  = 0.696
     */
    RetentionModel m = sbg_model(0.7, 3.8);
    assert_true(retention_uses_tenure(&m));
    assert_rel(retention_rate(&m, NAN, 2, 1), 58.0 / 65.0, 1e-15);
    assert_rel(retention_rate(&m, NAN, 2, 2), 68.0 / 75.0, 1e-15);
    assert_rel(retention_rate(&m, NAN, 2, 3), 78.0 / 85.0, 1e-15);
    double s[3];
    retention_survival(&m, NAN, 2, 0.9375, 3, s);
    assert_rel(s[0], 87.0 / 104.0, 1e-15);
    assert_rel(s[1], 493.0 / 650.0, 1e-15);
    assert_rel(s[2], 0.696, 1e-15);

    /* A new client (n = 0): r(1) = 3.8/4.5 = 38/45, r(2) = 4.8/5.5 = 48/55;
     * u = 1: S(2) = 38/45 x 48/55 = 1824/2475 = 608/825. */
    assert_rel(retention_rate(&m, NAN, 0, 1), 38.0 / 45.0, 1e-15);
    retention_survival(&m, NAN, 0, 1.0, 2, s);
    assert_rel(s[0], 38.0 / 45.0, 1e-15);
    assert_rel(s[1], 608.0 / 825.0, 1e-15);

    /* Fractional tenure 2.5: r(1) = 6.3/7.0 = 0.9, r(2) = 7.3/8.0 = 0.9125. */
    assert_rel(retention_rate(&m, NAN, 2.5, 1), 0.9, 1e-15);
    assert_rel(retention_rate(&m, NAN, 2.5, 2), 0.9125, 1e-15);

    /* The constant passed in is ignored by sBG. */
    assert_rel(retention_rate(&m, 0.5, 2, 1), 58.0 / 65.0, 1e-15);

    /* Loyal clients renew more: r rises with tenure towards 1. */
    assert_true(retention_rate(&m, NAN, 40, 1) > retention_rate(&m, NAN, 2, 1));
}

/* ---- the sBG series ---- */

/* F(a, b, x) = 2F1(1, b; a+b; x) - 1 from its closed forms for small integer parameters:
 *   a = 1, b = 1: 2F1(1, 1; 2; x) = -ln(1-x)/x
 *   a = 2, b = 1: 2F1(1, 1; 3; x) = 2 ((1-x) ln(1-x) + x) / x^2
 * (both from the series sum x^j / (j+1) and sum 2 x^j / ((j+1)(j+2)); mpmath agrees:
 *  python3 -c "from mpmath import *; mp.dps=30; x=mpf(0.99995); print(hyp2f1(1,1,3,x)-1)"
 *  gives 0.99910955720269285053). */
static void test_series_closed_forms(void **state)
{
    (void)state;
    static const double xs[] = {0.0375, 0.5, 0.9375, 0.99, 0.99995, 0.9999999};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double x = xs[i], F = NAN;
        assert_true(retention_sbg_series(1, 1, x, &F));
        assert_rel(F, -log1p(-x) / x - 1, 1e-12);
        assert_true(retention_sbg_series(2, 1, x, &F));
        if (x > 0.1) /* below, the closed form itself cancels */
            assert_rel(F, 2 * ((1 - x) * log1p(-x) + x) / (x * x) - 1, 1e-12);
    }
    double F;
    assert_true(retention_sbg_series(1, 1, 0.9375, &F));
    assert_rel(F, 1.9574279703890999868, 1e-13);
    assert_true(retention_sbg_series(2, 1, 0.99995, &F));
    assert_rel(F, 0.99910955720269285053, 1e-12);
    assert_true(retention_sbg_series(2, 1, 0.9375, &F));
    assert_rel(F, 0.73900960394812000175, 1e-13);
}

static void test_series_edges(void **state)
{
    (void)state;
    double F = 0;
    /* Diverges for x > 1. */
    assert_false(retention_sbg_series(0.7, 11.25, 1.0375, &F));
    assert_true(isnan(F));
    F = 0;
    assert_false(retention_sbg_series(2.35, 11.25, nextafter(1.0, 2.0), &F));
    assert_true(isnan(F));
    /* At x = 1 it converges only for alpha > 1. */
    F = 0;
    assert_false(retention_sbg_series(0.7, 11.25, 1.0, &F));
    assert_true(isnan(F));
    F = 0;
    assert_false(retention_sbg_series(1.0, 11.25, 1.0, &F));
    assert_true(isnan(F));
    /* Gauss: 2F1(1, b; c; 1) = Gamma(c) Gamma(c-1-b) / (Gamma(c-1) Gamma(c-b))
     *                       = (c-1) / (c-b-1) = (a+b-1) / (a-1), so F = b / (a-1).
     * a = 2.35, b = 11.25: F = 11.25 / 1.35 = 25/3. */
    assert_true(retention_sbg_series(2.35, 11.25, 1.0, &F));
    assert_rel(F, 25.0 / 3.0, 1e-14);
    /* a = 1.0375, b = 3.8: F = 3.8 / 0.0375 = 101.333... */
    assert_true(retention_sbg_series(1.0375, 3.8, 1.0, &F));
    assert_rel(F, 3.8 / 0.0375, 1e-12);
    /* x = 0: no tail. */
    assert_true(retention_sbg_series(0.7, 3.8, 0, &F));
    assert_true(F == 0);
    /* Outside the domain a > 0, b > 0, x >= 0. */
    static const double bad[][3] = {
        {0, 3.8, 0.5}, {-0.7, 3.8, 0.5}, {0.7, 0, 0.5}, {0.7, -3.8, 0.5},
        {0.7, 3.8, -0.0375}, {NAN, 3.8, 0.5}, {0.7, NAN, 0.5}, {0.7, 3.8, NAN},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        F = 0;
        if (retention_sbg_series(bad[i][0], bad[i][1], bad[i][2], &F))
            fail_msg("F(%g, %g, %g) accepted", bad[i][0], bad[i][1], bad[i][2]);
        assert_true(isnan(F));
    }
}

/* value - 1, exact in decimal when value is written as "1.ddd" (so tiny tails keep digits). */
static double minus_one(const char *value)
{
    if (value[0] == '1' && value[1] == '.') {
        char buf[128];
        snprintf(buf, sizeof buf, "0%s", value + 1);
        return strtod(buf, NULL);
    }
    return strtod(value, NULL) - 1;
}

static double parse_double(const char *text, const char *what, int line)
{
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (*end != '\0' || errno)
        fail_msg("hyp2f1_table.txt line %d: bad %s '%s'", line, what, text);
    return x;
}

/*
 * Every row of the mpmath table: "A b c x value" with value = 2F1(1, b; c; x) at exactly the
 * doubles b, c, x, and c = alpha + b (the first column is 2F1's first parameter, 1, or alpha
 * itself: the sBG alpha is taken as c - b, which is exact here — Sterbenz — or within an ulp).
 * F = value - 1 must match to 1e-12 relative; rows where the series diverges (x > 1, or x = 1
 * with alpha <= 1) must be refused. The worst relative error is printed.
 */
static void test_series_against_mpmath_table(void **state)
{
    (void)state;
    const char *path = TEST_BUILD_DIR "/hyp2f1_table.txt";
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("%s is missing: run the CTest fixture reference.hyp2f1_table "
                 "(tests/reference/hyp2f1_table.py) first", path);
    char line[512];
    int lineno = 0, rows = 0, failures = 0, refused = 0;
    double worst = 0, worst_passing = 0;
    char worst_row[512] = "", worst_passing_row[512] = "";
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '#' || *p == '\n' || *p == '\0')
            continue;
        char cols[5][128];
        if (sscanf(p, "%127s %127s %127s %127s %127s", cols[0], cols[1], cols[2], cols[3],
                   cols[4]) != 5)
            fail_msg("%s line %d: expected 5 columns: %s", path, lineno, line);
        double first = parse_double(cols[0], "first column", lineno);
        double b = parse_double(cols[1], "b", lineno);
        double c = parse_double(cols[2], "c", lineno);
        double x = parse_double(cols[3], "x", lineno);
        double alpha = c - b;
        if (!(first == 1 || fabs(first - alpha) <= 1e-12 * fabs(alpha)))
            fail_msg("%s line %d: first column %s is neither 1 nor alpha = c - b = %.17g", path,
                     lineno, cols[0], alpha);
        rows++;
        double F = NAN;
        bool ok = retention_sbg_series(alpha, b, x, &F);
        bool diverges = x > 1 || (x == 1 && !(alpha > 1));
        if (diverges) {
            if (ok) {
                print_message("line %d: alpha %.17g b %s x %s: diverges, but got %.17g\n",
                              lineno, alpha, cols[1], cols[3], F);
                failures++;
            }
            refused++;
            continue;
        }
        double expected = minus_one(cols[4]);
        if (!ok) {
            print_message("line %d: alpha %.17g b %s x %s: refused (expected %.17g)\n", lineno,
                          alpha, cols[1], cols[3], expected);
            failures++;
            continue;
        }
        double err = unit_rel_err(F, expected);
        if (!(err <= 1e-12)) {
            print_message("line %d: alpha %.17g b %s x %s: %.17g, expected %.17g (rel %.3g)\n",
                          lineno, alpha, cols[1], cols[3], F, expected, err);
            failures++;
        }
        if (isnan(err) || err > worst) {
            worst = err;
            snprintf(worst_row, sizeof worst_row, "alpha %.17g, b %s, x %s", alpha, cols[1],
                     cols[3]);
        }
        if (err <= 1e-12 && err > worst_passing) {
            worst_passing = err;
            snprintf(worst_passing_row, sizeof worst_passing_row, "alpha %.17g, b %s, x %s",
                     alpha, cols[1], cols[3]);
        }
    }
    fclose(f);
    print_message("sBG series vs mpmath: %d rows (%d divergent), worst relative error %.3g "
                  "at %s\n",
                  rows, refused, worst, worst_row[0] ? worst_row : "-");
    if (failures)
        print_message("worst relative error among the %d rows within 1e-12: %.3g at %s\n",
                      rows - failures, worst_passing,
                      worst_passing_row[0] ? worst_passing_row : "-");
    assert_true(rows > 0);
    if (failures)
        fail_msg("%d of %d rows outside 1e-12 relative", failures, rows);
}

/* retention_scale on an sBG: every rate s (b+i-1)/(a+b+i-1), capped at 1. */
static void test_scaled_series(void **state)
{
    (void)state;
    double F = 0, G = 0;
    /* s < 1: no rate reaches the cap, so the scale joins x. */
    assert_true(retention_sbg_scaled_series(0.7, 11.25, 0.9375, 0.9125, &F));
    assert_true(retention_sbg_series(0.7, 11.25, 0.9375 * 0.9125, &G));
    assert_true(F == G);
    /* s = 1: the unscaled series itself. */
    assert_true(retention_sbg_scaled_series(0.7, 11.25, 1, 0.9125, &F));
    assert_true(retention_sbg_series(0.7, 11.25, 0.9125, &G));
    assert_true(F == G);
    /* Capped from the first rate: s b/(a+b) = 1.25 x 11.25/11.95 = 1.1768 >= 1, so every rate
     * is 1 and F = x/(1-x) = 0.9125/0.0875 = 10.428571... */
    assert_true(retention_sbg_scaled_series(0.7, 11.25, 1.25, 0.9125, &F));
    assert_rel(F, 0.9125 / 0.0875, 1e-15);
    /* One rate below the cap: a = 2, b = 1, s = 1.5: rates 1.5 x 1/3 = 0.5, then 1.5 x 2/4 = 0.75,
     * then 1.5 x 3/5 = 0.9, then 1.5 x 4/6 = 1 (capped from there). With x = 0.5:
     * F = 0.25 + 0.25 x 0.375 + 0.09375 x 0.45 + 0.0421875 x (0.5/0.5)
     *   = 0.25 + 0.09375 + 0.0421875 + 0.0421875 = 0.428125. */
    assert_true(retention_sbg_scaled_series(2, 1, 1.5, 0.5, &F));
    assert_rel(F, 0.428125, 1e-15);
    /* s > 1 and x >= 1: the rates reach 1 and the run-off never fades. */
    F = 0;
    assert_false(retention_sbg_scaled_series(2.35, 11.25, 1.02, 1.0, &F));
    assert_true(isnan(F));
}

int main(void)
{
    /* As bookval's main does (DESIGN §9): GSL reports errors by status, never by abort(). */
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_curve),
        cmocka_unit_test(test_sbg),
        cmocka_unit_test(test_series_closed_forms),
        cmocka_unit_test(test_series_edges),
        cmocka_unit_test(test_scaled_series),
        cmocka_unit_test(test_series_against_mpmath_table),
    };
    return cmocka_run_group_tests_name("retention", tests, NULL, NULL);
}
