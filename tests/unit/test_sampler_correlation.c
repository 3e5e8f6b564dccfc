/*
 * test_sampler_correlation.c — rank correlations between the Monte Carlo's inputs
 * (src/sampler.c): the Pearson correlation of the normal scores that gives a target Spearman
 * rank correlation, pairs and triples of inputs drawn at their targets (each input keeping its
 * own distribution), a singular matrix and one the sampler must clip, and the scenario's
 * correlation errors with their place and key.
 *
 * References: 2 sin(pi r / 6) worked by hand or with mpmath (quoted at the test); the sample's
 * Spearman correlation (sampler_support.h) within about 3 standard errors of the target; the
 * marginals' moments from the distributions' definitions.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "sampler_support.h"

/* ---- correlations ---- */

/* 2 sin(pi r / 6): r = 0.6 gives 2 sin(18 deg) = (sqrt 5 - 1)/2; r = 0.5 2 sin(15 deg) =
 * (sqrt 6 - sqrt 2)/2; -0.45 and 0.3 from mpmath (2*mp.sin(mp.pi*r/6), 30 digits). */
static void test_pearson_from_rank(void **state)
{
    (void)state;
    assert_rel(sampler_pearson_from_rank(0.6), (sqrt(5.0) - 1) / 2, 1e-15);
    assert_rel(sampler_pearson_from_rank(0.5), (sqrt(6.0) - sqrt(2.0)) / 2, 1e-15);
    assert_rel(sampler_pearson_from_rank(-0.45), -0.46689072771181082354, 1e-15);
    assert_rel(sampler_pearson_from_rank(0.3), 0.31286893008046173802, 1e-15);
    assert_rel(sampler_pearson_from_rank(1), 1, 1e-15);
    assert_rel(sampler_pearson_from_rank(-1), -1, 1e-15);
    assert_true(sampler_pearson_from_rank(0) == 0);
}

/* Two inputs at a target rank correlation: the sample's Spearman rank correlation over
 * 20,000 iterations is within 0.02 of it (about 3 standard errors), and each input keeps its
 * own distribution (rank correlation is invariant under the quantile functions, so mixing
 * kinds is part of the test). */
static void check_rank_pair(Sampling sampling, Dist a, Dist b, double mean_a, double var_a,
                            double rank, uint64_t seed)
{
    Fixture *f = fixture_new(sampling);
    fixture_add(f, "discount_rate", a);
    fixture_add(f, "margin", b);
    fixture_correlate(f, "margin", "discount_rate", rank, 3);
    const long n = 20000;
    Sampler *s = fixture_sampler(f, n, seed);
    double *x = draw_all(s, 2, n);
    double rho = spearman(x, x + n, (size_t)n);
    if (!(fabs(rho - rank) <= 0.02))
        fail_msg("target rank correlation %g, sampled %.4f (%s)", rank, rho,
                 sampling == SAMPLING_RANDOM ? "random" : "latin_hypercube");
    Moments m = moments(x, (size_t)n);
    double se_mean = sqrt(var_a / (double)n), se_var = sqrt((m.m4 - m.var * m.var) / (double)n);
    if (!(fabs(m.mean - mean_a) <= 4 * se_mean) || !(fabs(m.var - var_a) <= 4 * se_var))
        fail_msg("a correlated input lost its distribution: mean %.6g (expected %.6g), "
                 "variance %.6g (expected %.6g)",
                 m.mean, mean_a, m.var, var_a);
    free(x);
    sampler_free(s);
    free(f);
}

static void test_rank_correlation_pairs(void **state)
{
    (void)state;
    check_rank_pair(SAMPLING_RANDOM, uniform(0, 1), uniform(0, 1), 0.5, 1.0 / 12, 0.6, 11);
    check_rank_pair(SAMPLING_RANDOM, uniform(0, 1), uniform(0, 1), 0.5, 1.0 / 12, -0.45, 12);
    check_rank_pair(SAMPLING_RANDOM, uniform(0.0815, 0.2735), lognormal(0.0745, 0.0315),
                    (0.0815 + 0.2735) / 2, (0.2735 - 0.0815) * (0.2735 - 0.0815) / 12, 0.6, 13);
    check_rank_pair(SAMPLING_LATIN_HYPERCUBE, uniform(0, 1),
                    three_point(DIST_PERT, 0.095, 0.124, 0.186), 0.5, 1.0 / 12, -0.45, 14);
    check_rank_pair(SAMPLING_LATIN_HYPERCUBE, uniform(0, 1), beta_shape(7.35, 1.85), 0.5,
                    1.0 / 12, 0.85, 15);
}

/* Three inputs, a consistent matrix: every pair near its target. */
static void test_rank_correlation_three(void **state)
{
    (void)state;
    Fixture *f = fixture_new(SAMPLING_RANDOM);
    fixture_add(f, "discount_rate", uniform(0, 1));
    fixture_add(f, "revenue_growth", uniform(0, 1));
    fixture_add(f, "margin", normal(0.392, 0.047, -INFINITY, INFINITY));
    fixture_correlate(f, "discount_rate", "revenue_growth", 0.5, 2);
    fixture_correlate(f, "discount_rate", "margin", 0.3, 3);
    fixture_correlate(f, "revenue_growth", "margin", -0.2, 4);
    const long n = 20000;
    Sampler *s = fixture_sampler(f, n, 99);
    double *x = draw_all(s, 3, n);
    double r01 = spearman(x, x + n, (size_t)n), r02 = spearman(x, x + 2 * n, (size_t)n);
    double r12 = spearman(x + n, x + 2 * n, (size_t)n);
    if (!(fabs(r01 - 0.5) <= 0.02 && fabs(r02 - 0.3) <= 0.02 && fabs(r12 + 0.2) <= 0.02))
        fail_msg("rank correlations %.4f, %.4f, %.4f; targets 0.5, 0.3, -0.2", r01, r02, r12);
    free(x);
    sampler_free(s);
    free(f);
}

/* Rank 1 everywhere: a singular but valid matrix; the inputs move together exactly. */
static void test_rank_correlation_comonotone(void **state)
{
    (void)state;
    Fixture *f = fixture_new(SAMPLING_RANDOM);
    fixture_add(f, "a", uniform(0, 1));
    fixture_add(f, "b", uniform(0.0815, 0.2735));
    fixture_add(f, "c", lognormal(0.0745, 0.0315));
    fixture_correlate(f, "a", "b", 1, 2);
    fixture_correlate(f, "a", "c", 1, 3);
    fixture_correlate(f, "b", "c", 1, 4);
    const long n = 5000;
    Sampler *s = fixture_sampler(f, n, 3);
    double *x = draw_all(s, 3, n);
    assert_true(spearman(x, x + n, (size_t)n) > 0.9999);
    assert_true(spearman(x, x + 2 * n, (size_t)n) > 0.9999);
    free(x);
    sampler_free(s);
    free(f);
}

/*
 * Ranks 0.5, 0.5, -0.5: a valid (positive semi-definite, singular: eigenvalues 1.5, 1.5, 0)
 * rank matrix, so the scenario is accepted. Its Pearson image (off-diagonals +-a, a =
 * 2 sin(pi/12) = 0.5176) has the eigenvalue 1 - 2a = -0.035 along (1, -1, -1), which the
 * sampler clips. Whatever it does then, each input must keep its own distribution (sampler.h:
 * "so each input keeps its own distribution"): a uniform(0, 1) input must still have mean 1/2
 * and variance 1/12. Clipping the eigenvalue without restoring the unit diagonal leaves the
 * normal scores with variance 1 + 0.035/3, and a uniform's variance becomes
 * asin(s2 / (1 + s2)) / (2 pi) = 0.08387 instead of 0.08333 (+0.65%, about 7 standard errors
 * of the sample variance at n = 10^6).
 */
static void test_clipped_matrix_keeps_marginals(void **state)
{
    (void)state;
    Fixture *f = fixture_new(SAMPLING_RANDOM);
    fixture_add(f, "a", uniform(0, 1));
    fixture_add(f, "b", uniform(0, 1));
    fixture_add(f, "c", uniform(0, 1));
    fixture_correlate(f, "a", "b", 0.5, 2);
    fixture_correlate(f, "a", "c", 0.5, 3);
    fixture_correlate(f, "b", "c", -0.5, 4);
    const long n = 1000000;
    Sampler *s = fixture_sampler(f, n, 2718);
    double *x = draw_all(s, 3, n);
    for (size_t i = 0; i < 3; i++) {
        Moments m = moments(x + i * (size_t)n, (size_t)n);
        double se_mean = sqrt(1.0 / 12 / (double)n);
        double se_var = sqrt((1.0 / 80 - 1.0 / 144) / (double)n); /* uniform: m4 = 1/80 */
        if (!(fabs(m.mean - 0.5) <= 4 * se_mean) || !(fabs(m.var - 1.0 / 12) <= 4 * se_var))
            fail_msg("input %zu of a clipped correlation matrix: mean %.6f, variance %.6f; a "
                     "uniform(0, 1) has 0.5 and %.6f (4 standard errors: %.6f, %.6f)",
                     i, m.mean, m.var, 1.0 / 12, 4 * se_mean, 4 * se_var);
    }
    free(x);
    sampler_free(s);
    free(f);
}

/* sampler_new refuses `f` with BV_ERR_INPUT, one error containing `message`, at the
 * correlation's place and key; *out stays NULL. */
static void expect_sampler_error(Fixture *f, const char *message, int line, const char *key)
{
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    bv_errors_init(errors);
    Sampler *s = (Sampler *)errors; /* must be reset to NULL */
    BvStatus status = sampler_new(&f->book, 1000, 1, &s, errors);
    if (status != BV_ERR_INPUT) {
        unit_dump_errors(errors);
        sampler_free(status == BV_OK ? s : NULL);
        fail_msg("sampler_new returned %d, expected an input error with '%s'", (int)status,
                 message);
    }
    assert_null(s);
    const BvError *e = unit_expect_error(errors, message);
    assert_int_equal(e->status, BV_ERR_INPUT);
    assert_error_at(e, "corr.yaml", line, 7);
    assert_string_equal(e->key, key);
    free(errors);
}

static void test_correlation_errors(void **state)
{
    (void)state;
    Fixture *f = three_inputs();
    fixture_correlate(f, "discount_rate", "revenue_growth", 0.3, 12);
    expect_sampler_error(f,
                         "'revenue_growth' is not an uncertain input (a distribution); "
                         "uncertain inputs are: discount_rate, margin, segments.A.retention",
                         12, "correlations[0]");
    free(f);

    f = three_inputs();
    fixture_correlate(f, "discount_rate", "margin", 0.3, 12);
    fixture_correlate(f, "segments.B.margin", "margin", 0.3, 13);
    expect_sampler_error(f, "'segments.B.margin' is not an uncertain input", 13,
                         "correlations[1]");
    free(f);

    f = three_inputs();
    fixture_correlate(f, "margin", "margin", 0.25, 14);
    expect_sampler_error(f, "correlates 'margin' with itself", 14, "correlations[0]");
    free(f);

    f = three_inputs();
    fixture_correlate(f, "margin", "discount_rate", 0.25, 15);
    fixture_correlate(f, "discount_rate", "margin", -0.125, 16);
    expect_sampler_error(f, "the pair discount_rate, margin is given twice", 16,
                         "correlations[1]");
    free(f);

    /* Three strongly contradicting pairs: eigenvalues 1.9, 1.9, -0.8. The error points at the
     * first correlation. */
    f = three_inputs();
    fixture_correlate(f, "discount_rate", "margin", 0.9, 21);
    fixture_correlate(f, "discount_rate", "segments.A.retention", 0.9, 22);
    fixture_correlate(f, "margin", "segments.A.retention", -0.9, 23);
    expect_sampler_error(f,
                         "the rank correlations are not positive semi-definite (the matrix's "
                         "smallest eigenvalue is -0.8)",
                         21, "correlations");
    free(f);

    /* Nothing uncertain at all. */
    f = fixture_new(SAMPLING_RANDOM);
    fixture_correlate(f, "discount_rate", "margin", 0.3, 12);
    expect_sampler_error(f, "uncertain inputs are: (none: every input is a fixed number)", 12,
                         "correlations[0]");
    free(f);
}

/* A pair given twice is an error whatever the first rank was, 0 included. */
static void test_duplicate_pair_with_zero_rank(void **state)
{
    (void)state;
    Fixture *f = three_inputs();
    fixture_correlate(f, "margin", "discount_rate", 0, 15);
    fixture_correlate(f, "discount_rate", "margin", 0.4, 16);
    expect_sampler_error(f, "the pair discount_rate, margin is given twice", 16,
                         "correlations[1]");
    free(f);
}


int main(int argc, char **argv)
{
    /* [PATTERN]: run only the tests whose names match the glob ('test_rank*'). */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pearson_from_rank),
        cmocka_unit_test(test_rank_correlation_pairs),
        cmocka_unit_test(test_rank_correlation_three),
        cmocka_unit_test(test_rank_correlation_comonotone),
        cmocka_unit_test(test_clipped_matrix_keeps_marginals),
        cmocka_unit_test(test_correlation_errors),
        cmocka_unit_test(test_duplicate_pair_with_zero_rank),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
