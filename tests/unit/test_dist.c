/*
 * test_dist.c — distribution checks, supports and means (src/dist.c).
 *
 * Means are closed forms worked by hand below; the truncated normal's uses phi and Phi from
 * mpmath at 30 digits (the command is in each comment) and was cross-checked there by direct
 * quadrature of x f(x) / f(x) over the truncation interval.
 */
#include <stdbool.h>

#include "unit_support.h"

#include "dist.h"

static Dist uniform(double lo, double hi)
{
    return (Dist){.kind = DIST_UNIFORM, .min = lo, .max = hi};
}

static Dist three_point(DistKind kind, double lo, double mode, double hi)
{
    return (Dist){.kind = kind, .min = lo, .mode = mode, .max = hi};
}

static Dist normal(double mean, double sd, double lo, double hi)
{
    return (Dist){.kind = DIST_NORMAL, .mean = mean, .sd = sd, .min = lo, .max = hi};
}

static Dist lognormal(double mean, double sd)
{
    return (Dist){.kind = DIST_LOGNORMAL, .mean = mean, .sd = sd};
}

static Dist beta(double a, double b)
{
    return (Dist){.kind = DIST_BETA, .alpha = a, .beta = b};
}

static void expect_valid(Dist d)
{
    char why[200] = "";
    if (!dist_check(&d, why, sizeof why))
        fail_msg("a valid %s distribution was refused: %s", dist_kind_name(d.kind), why);
}

/* dist_check refuses `d` with exactly the message `expected`. */
static void expect_refused(Dist d, const char *expected)
{
    char why[200] = "";
    if (dist_check(&d, why, sizeof why))
        fail_msg("an invalid %s distribution was accepted (expected: %s)",
                 dist_kind_name(d.kind) ? dist_kind_name(d.kind) : "?", expected);
    assert_string_equal(why, expected);
}

/* ---- means ---- */

static void test_mean_simple_kinds(void **state)
{
    (void)state;
    Dist f = dist_fixed(0.0375);
    expect_valid(f);
    assert_true(dist_is_fixed(&f));
    assert_true(dist_mean(&f) == 0.0375);

    /* uniform: (a + b) / 2 = (0.0375 + 0.1125) / 2 = 0.075 */
    Dist u = uniform(0.0375, 0.1125);
    expect_valid(u);
    assert_false(dist_is_fixed(&u));
    assert_rel(dist_mean(&u), 0.075, 1e-15);

    /* triangular: (a + m + b) / 3 = (0.62 + 0.8375 + 0.941) / 3 = 2.3985 / 3 = 0.7995 */
    Dist t = three_point(DIST_TRIANGULAR, 0.62, 0.8375, 0.941);
    expect_valid(t);
    assert_rel(dist_mean(&t), 0.7995, 1e-15);

    /* PERT: (a + 4m + b) / 6 = (0.14 + 4 x 0.1837 + 0.2615) / 6 = 1.1363 / 6
     *     = 0.189383333... */
    Dist p = three_point(DIST_PERT, 0.14, 0.1837, 0.2615);
    expect_valid(p);
    assert_rel(dist_mean(&p), 1.1363 / 6, 1e-15);
    assert_rel(dist_mean(&p), 0.18938333333333333, 1e-15);

    /* A degenerate mode at an end is allowed: PERT(0.0375, 0.0375, 0.1215) has mean
     * (5 x 0.0375 + 0.1215) / 6 = 0.309 / 6 = 0.0515. */
    Dist pe = three_point(DIST_PERT, 0.0375, 0.0375, 0.1215);
    expect_valid(pe);
    assert_rel(dist_mean(&pe), 0.0515, 1e-15);

    /* lognormal {mean, sd} are those of the variable itself. */
    Dist l = lognormal(0.0375, 0.0125);
    expect_valid(l);
    assert_true(dist_mean(&l) == 0.0375);

    /* beta: alpha / (alpha + beta) = 2.7 / 3.05 = 0.88524590163934426 */
    Dist b = beta(2.7, 0.35);
    expect_valid(b);
    assert_rel(dist_mean(&b), 0.88524590163934426, 1e-15);
}

static void test_mean_normal(void **state)
{
    (void)state;
    /* Untruncated: the mean itself. */
    Dist n = normal(0.0375, 0.0125, -INFINITY, INFINITY);
    expect_valid(n);
    assert_rel(dist_mean(&n), 0.0375, 1e-15);

    /*
     * Truncated to [0.02, 0.07]: a = (0.02 - 0.0375) / 0.0125 = -1.4,
     * b = (0.07 - 0.0375) / 0.0125 = 2.6, and
     *   E = mu + sd (phi(a) - phi(b)) / (Phi(b) - Phi(a)).
     * mpmath (mp.dps = 30): npdf(-1.4) = 0.14972746563574485264,
     *   npdf(2.6) = 0.013582969233685617315, ncdf(2.6) - ncdf(-1.4) = 0.91458215274251020325
     * E = 0.0375 + 0.0125 x 0.13614449640205923533 / 0.91458215274251020325
     *   = 0.039360747227488118136
     * (command: python3 -c "from mpmath import *; mp.dps=30; a,b=mpf(-1.4),mpf(2.6);
     *  print(0.0375+0.0125*(npdf(a)-npdf(b))/(ncdf(b)-ncdf(a)))")
     */
    Dist t = normal(0.0375, 0.0125, 0.02, 0.07);
    expect_valid(t);
    assert_rel(dist_mean(&t), 0.039360747227488118136, 1e-13);

    /*
     * One-sided, upper: retention ~ N(0.9125, 0.0437) truncated at 1. a = -inf,
     * b = (1 - 0.9125) / 0.0437 = 2.0022883295194508009,
     *   E = mu - sd phi(b) / Phi(b)
     * mpmath: npdf(b) = 0.053744292133971526741, ncdf(b) = 0.97737313477652859463
     *   E = 0.9125 - 0.0437 x 0.0549879... = 0.91009700212468848243
     */
    Dist u = normal(0.9125, 0.0437, -INFINITY, 1);
    expect_valid(u);
    assert_rel(dist_mean(&u), 0.91009700212468848243, 1e-13);

    /*
     * Far in the upper tail, where Phi(b) - Phi(a) computed as a difference of values near 1
     * would lose its digits: N(0.0375, 0.0125) truncated below at 0.0875 (a = 4):
     *   E = mu + sd phi(4) / Q(4), Q(4) = 3.167124183e-5
     * mpmath: mu + sd*npdf(a)/(1-ncdf(a)) with a = (0.0875-0.0375)/0.0125 on the doubles
     *   = 0.090320089306118383339 (quadrature agrees to all 20 digits)
     */
    Dist far = normal(0.0375, 0.0125, 0.0875, INFINITY);
    expect_valid(far);
    assert_rel(dist_mean(&far), 0.090320089306118383339, 1e-12);
}

/* ---- checks ---- */

static void test_check_rejections(void **state)
{
    (void)state;
    expect_refused(dist_fixed(NAN), "value must be a finite number");
    expect_refused(dist_fixed(INFINITY), "value must be a finite number");

    expect_refused(uniform(0.1125, 0.0375), "uniform needs min < max");
    expect_refused(uniform(0.0375, 0.0375), "uniform needs min < max");
    expect_refused(uniform(NAN, 0.0375), "parameters must be finite numbers");

    expect_refused(three_point(DIST_TRIANGULAR, 0.941, 0.8375, 0.62), "needs min < max");
    expect_refused(three_point(DIST_TRIANGULAR, 0.62, 0.62, 0.62), "needs min < max");
    expect_refused(three_point(DIST_TRIANGULAR, 0.62, 0.9415, 0.941), "needs min <= mode <= max");
    expect_refused(three_point(DIST_PERT, 0.14, 0.1375, 0.2615), "needs min <= mode <= max");
    expect_refused(three_point(DIST_PERT, 0.14, NAN, 0.2615), "parameters must be finite numbers");
    expect_refused(three_point(DIST_PERT, 0.2615, 0.1837, 0.14), "needs min < max");

    expect_refused(normal(0.0375, 0, -INFINITY, INFINITY), "normal sd must be > 0");
    expect_refused(normal(0.0375, -0.0125, -INFINITY, INFINITY), "normal sd must be > 0");
    expect_refused(normal(0.0375, 0.0125, 0.07, 0.02), "normal truncation needs min < max");
    expect_refused(normal(0.0375, 0.0125, 0.07, 0.07), "normal truncation needs min < max");
    /* [0.1, inf) is 5 sd above the mean: Q(5) = 2.87e-7 < 1e-6 of the probability. */
    const char *almost_none =
        "normal truncation [min, max] holds almost none of the distribution (under 1e-6 of "
        "its probability); move min/max towards the mean";
    expect_refused(normal(0.0375, 0.0125, 0.1, INFINITY), almost_none);
    expect_refused(normal(0.0375, 0.0125, -INFINITY, -0.025), almost_none);
    /* Both ends on one side, a sliver between z = 6 and z = 7. */
    expect_refused(normal(0.0375, 0.0125, 0.1125, 0.125), almost_none);

    expect_refused(lognormal(0, 0.0125),
                   "lognormal mean must be > 0 (it is the mean of the variable)");
    expect_refused(lognormal(-0.0375, 0.0125),
                   "lognormal mean must be > 0 (it is the mean of the variable)");
    expect_refused(lognormal(0.0375, 0), "lognormal sd must be > 0");

    expect_refused(beta(0, 3.8), "beta alpha and beta must be > 0");
    expect_refused(beta(0.7, -3.8), "beta alpha and beta must be > 0");
    expect_refused(beta(NAN, 3.8), "parameters must be finite numbers");

    Dist unknown = {.kind = DIST_KIND_COUNT};
    expect_refused(unknown, "unknown distribution");

    /* A short buffer gets a cut, terminated reason. */
    char why[8];
    Dist d = uniform(1, 0);
    assert_false(dist_check(&d, why, sizeof why));
    assert_string_equal(why, "uniform");
}

/*
 * dist.h: dist_check checks that parameters are "finite, ordered, sd > 0, ...". A uniform
 * with an infinite end, a lognormal with an infinite mean or a beta with an infinite shape
 * would give the DCF an infinite or NaN mean, so each must be refused. (The YAML reader
 * cannot produce infinities today, but the check is the module's own contract.)
 */
static void test_check_rejects_infinite_parameters(void **state)
{
    (void)state;
    char why[200];
    Dist cases[] = {
        uniform(0.0375, INFINITY),
        uniform(-INFINITY, 0.0375),
        three_point(DIST_TRIANGULAR, 0.62, 0.8375, INFINITY),
        three_point(DIST_PERT, -INFINITY, 0.1837, 0.2615),
        lognormal(INFINITY, 0.0125),
        lognormal(0.0375, INFINITY),
        beta(INFINITY, 3.8),
        beta(0.7, INFINITY),
    };
    int accepted = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        why[0] = '\0';
        if (dist_check(&cases[i], why, sizeof why)) {
            print_message("case %zu: a %s distribution with an infinite parameter was accepted "
                          "(its mean would be %g)\n",
                          i, dist_kind_name(cases[i].kind), dist_mean(&cases[i]));
            accepted++;
        }
    }
    if (accepted)
        fail_msg("%d of %zu distributions with an infinite parameter accepted", accepted,
                 sizeof cases / sizeof cases[0]);
}

/* ---- beta from moments ---- */

static void test_beta_from_moments(void **state)
{
    (void)state;
    char why[200] = "";
    double a = NAN, b = NAN;
    /*
     * mean m = 0.8375, sd s = 0.0625: s^2 = 0.00390625 = 1/256, m(1-m) = 0.8375 x 0.1625 =
     * 0.13609375, m(1-m)/s^2 = 34.84, so
     *   alpha = m (m(1-m)/s^2 - 1) = 0.8375 x 33.84 = 28.341
     *   beta = (1-m)(m(1-m)/s^2 - 1) = 0.1625 x 33.84 = 5.499
     * and the mean alpha / (alpha + beta) = 28.341 / 33.84 = 0.8375 back.
     */
    assert_true(dist_beta_from_moments(0.8375, 0.0625, &a, &b, why, sizeof why));
    assert_rel(a, 28.341, 1e-14);
    assert_rel(b, 5.499, 1e-14);
    Dist d = beta(a, b);
    expect_valid(d);
    assert_rel(dist_mean(&d), 0.8375, 1e-15);
    /* The variance comes back too: ab / ((a+b)^2 (a+b+1)) = s^2. */
    assert_rel(a * b / ((a + b) * (a + b) * (a + b + 1)), 0.00390625, 1e-13);

    /* sd too large: 0.375^2 = 0.140625 >= 0.13609375. */
    assert_false(dist_beta_from_moments(0.8375, 0.375, &a, &b, why, sizeof why));
    assert_string_equal(why, "beta sd is too large for its mean: sd^2 = 0.140625 must be below "
                             "mean*(1-mean) = 0.136094");
    /* The boundary itself is infeasible: 0.5^2 = 0.5 x 0.5. */
    assert_false(dist_beta_from_moments(0.5, 0.5, &a, &b, why, sizeof why));
    assert_string_equal(why, "beta sd is too large for its mean: sd^2 = 0.25 must be below "
                             "mean*(1-mean) = 0.25");
    static const double bad_means[] = {0, 1, -0.0375, 1.0375};
    for (size_t i = 0; i < 4; i++) {
        assert_false(dist_beta_from_moments(bad_means[i], 0.0625, &a, &b, why, sizeof why));
        assert_string_equal(why, "beta mean must lie in (0, 1)");
    }
    assert_false(dist_beta_from_moments(NAN, 0.0625, &a, &b, why, sizeof why));
    assert_string_equal(why, "beta mean must lie in (0, 1)");
    assert_false(dist_beta_from_moments(0.8375, 0, &a, &b, why, sizeof why));
    assert_string_equal(why, "beta sd must be > 0");
    assert_false(dist_beta_from_moments(0.8375, -0.0625, &a, &b, why, sizeof why));
    assert_string_equal(why, "beta sd must be > 0");
}

/* ---- support ---- */

static void expect_support(Dist d, double lo, double hi)
{
    double l = 12345, h = -12345;
    dist_support(&d, &l, &h);
    if (!(l == lo && h == hi))
        fail_msg("%s support [%g, %g], expected [%g, %g]", dist_kind_name(d.kind), l, h, lo, hi);
}

static void test_support(void **state)
{
    (void)state;
    expect_support(dist_fixed(0.0375), 0.0375, 0.0375);
    expect_support(uniform(0.0375, 0.1125), 0.0375, 0.1125);
    expect_support(three_point(DIST_TRIANGULAR, 0.62, 0.8375, 0.941), 0.62, 0.941);
    expect_support(three_point(DIST_PERT, 0.14, 0.1837, 0.2615), 0.14, 0.2615);
    expect_support(normal(0.0375, 0.0125, -INFINITY, INFINITY), -INFINITY, INFINITY);
    expect_support(normal(0.0375, 0.0125, 0.02, 0.07), 0.02, 0.07);
    expect_support(normal(0.9125, 0.0437, -INFINITY, 1), -INFINITY, 1);
    expect_support(lognormal(0.0375, 0.0125), 0, INFINITY);
    expect_support(beta(2.7, 0.35), 0, 1);
    Dist unknown = {.kind = DIST_KIND_COUNT};
    double lo = 0, hi = 0;
    dist_support(&unknown, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    assert_true(isnan(dist_mean(&unknown)));
}

/* ---- names ---- */

static void test_names(void **state)
{
    (void)state;
    static const char *const names[] = {"fixed", "uniform", "triangular", "pert",
                                        "normal", "lognormal", "beta"};
    for (int k = 0; k < DIST_KIND_COUNT; k++) {
        assert_string_equal(dist_kind_name((DistKind)k), names[k]);
        DistKind back = DIST_KIND_COUNT;
        assert_true(dist_kind_from_name(names[k], &back));
        assert_int_equal(back, k);
    }
    assert_null(dist_kind_name(DIST_KIND_COUNT));
    DistKind k;
    assert_false(dist_kind_from_name("Normal", &k));
    assert_false(dist_kind_from_name("gamma", &k));
    assert_false(dist_kind_from_name("", &k));

    const char *const *p = dist_param_names(DIST_PERT);
    assert_string_equal(p[0], "min");
    assert_string_equal(p[1], "mode");
    assert_string_equal(p[2], "max");
    assert_null(p[3]);
    p = dist_param_names(DIST_NORMAL);
    assert_string_equal(p[2], "min");
    assert_string_equal(p[3], "max");
    assert_null(p[4]);
    p = dist_param_names(DIST_BETA);
    assert_string_equal(p[0], "mean");
    assert_string_equal(p[3], "beta");
    assert_null(p[4]);
    assert_null(dist_param_names(DIST_KIND_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mean_simple_kinds),
        cmocka_unit_test(test_mean_normal),
        cmocka_unit_test(test_check_rejections),
        cmocka_unit_test(test_check_rejects_infinite_parameters),
        cmocka_unit_test(test_beta_from_moments),
        cmocka_unit_test(test_support),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("dist", tests, NULL, NULL);
}
