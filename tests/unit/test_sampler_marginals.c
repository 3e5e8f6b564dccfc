/*
 * test_sampler_marginals.c — each input's own distribution in the Monte Carlo: the quantile
 * functions (dist_quantile, dist_mean in src/dist.c) and the draws of src/sampler.c that go
 * through them, with the counter-based uniforms of src/rng.h.
 *
 * References are the distributions' definitions, written out below, not the engine's code:
 *   uniform(a, b):         mean (a+b)/2, variance (b-a)^2/12
 *   triangular(a, c, b):   mean (a+b+c)/3, variance (a^2+b^2+c^2-ab-ac-bc)/18
 *   PERT(a, m, b):         a + (b-a) Beta(1 + 4(m-a)/(b-a), 1 + 4(b-m)/(b-a)): mean
 *                          a + (b-a) A/(A+B), variance (b-a)^2 AB/((A+B)^2 (A+B+1))
 *   beta(A, B):            mean A/(A+B), variance AB/((A+B)^2 (A+B+1)); by {mean, sd}: those
 *   normal(mu, sd):        mean mu, variance sd^2; truncated to [lo, hi]: the truncated-normal
 *                          formulas, evaluated with mpmath at 30 digits and cross-checked there
 *                          by quadrature (the command is quoted at the table)
 *   lognormal(mean, sd):   the variable's own mean and sd (DESIGN §6)
 * Moments are checked three ways: on 200,000 quantiles at the midpoints (i + 0.5)/n (a
 * deterministic quadrature, so tolerances are small and stated with each case), through
 * sampler_draw with random sampling (within 4 standard errors), and through sampler_draw with
 * Latin hypercube sampling (far inside one standard error). Quantiles are also inverted with
 * CDFs written here from libm (erfc) or by Simpson integration of the beta density.
 *
 * Samplers are built on the hand-made books of sampler_support.h.
 */
#include <float.h>
#include <stddef.h>

#include "sampler_support.h"

/* ---- the distributions' definitions ---- */

typedef struct Case {
    const char *name;
    Dist d;
    double mean, var;   /* closed forms (see the file's header) */
    double lo, hi;      /* the support, from the definition */
    double tol_mean;    /* relative error the midpoint quadrature may leave in the mean */
    double tol_var;     /* ... and in the variance */
} Case;

static double tri_var(double a, double c, double b)
{
    return (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
}

static void beta_moments_of(double A, double B, double *mean, double *var)
{
    *mean = A / (A + B);
    *var = A * B / ((A + B) * (A + B) * (A + B + 1));
}

static Case pert_case(const char *name, double a, double m, double b, double tol_mean,
                      double tol_var)
{
    double A = 1 + 4 * (m - a) / (b - a), B = 1 + 4 * (b - m) / (b - a), bm, bv;
    beta_moments_of(A, B, &bm, &bv);
    return (Case){name, three_point(DIST_PERT, a, m, b), a + (b - a) * bm, (b - a) * (b - a) * bv,
                  a, b, tol_mean, tol_var};
}

static Case beta_case(const char *name, Dist d, double A, double B, double tol_mean,
                      double tol_var)
{
    double bm, bv;
    beta_moments_of(A, B, &bm, &bv);
    return (Case){name, d, bm, bv, 0, 1, tol_mean, tol_var};
}

/*
 * The cases. Truncated-normal moments, mpmath (mp.dps = 30):
 *   al, be = (lo-mu)/sd, (hi-mu)/sd; Z = ncdf(be) - ncdf(al);
 *   mean = mu + sd (npdf(al) - npdf(be)) / Z;
 *   var  = sd^2 (1 + (al npdf(al) - be npdf(be)) / Z - ((npdf(al) - npdf(be)) / Z)^2)
 * (npdf and x npdf taken as 0 at infinite ends), each cross-checked by mp.quad of x f and
 * (x - mean)^2 f over the window to < 1e-29.
 * Tolerances of the midpoint quadrature, about ten times what it leaves (measured): bounded
 * quantiles 1e-16..5e-9 of the mean and 3e-11..2e-6 of the variance (the variance of the
 * midpoint grid of a uniform is (b-a)^2/12 (1 - 1/n^2)); unbounded tails miss about the last
 * half-cell of mass 1/(2n): up to 1.5e-6 of the mean and 1e-4 of the variance. A wrong
 * parameterisation moves them by percents (e.g. an untruncated mean 0.392 for the truncated
 * 0.39564, ln-parameters for a lognormal's mean and sd, another PERT weight).
 */
static size_t cases(Case *c)
{
    size_t n = 0;
    c[n++] = (Case){"uniform", uniform(0.0815, 0.2735), (0.0815 + 0.2735) / 2,
                    (0.2735 - 0.0815) * (0.2735 - 0.0815) / 12, 0.0815, 0.2735, 1e-12, 1e-9};
    c[n++] = (Case){"triangular", three_point(DIST_TRIANGULAR, 0.0425, 0.0915, 0.1865),
                    (0.0425 + 0.0915 + 0.1865) / 3, tri_var(0.0425, 0.0915, 0.1865), 0.0425,
                    0.1865, 1e-8, 2e-7};
    c[n++] = (Case){"triangular, mode at min", three_point(DIST_TRIANGULAR, 0.215, 0.215, 0.5535),
                    (0.215 + 0.215 + 0.5535) / 3, tri_var(0.215, 0.215, 0.5535), 0.215, 0.5535,
                    1e-8, 2e-7};
    c[n++] = pert_case("pert", 0.095, 0.124, 0.186, 3e-8, 3e-6);
    c[n++] = pert_case("pert, mode at max", 0.7125, 0.9385, 0.9385, 5e-8, 2e-5);
    c[n++] = (Case){"normal", normal(0.392, 0.047, -INFINITY, INFINITY), 0.392, 0.047 * 0.047,
                    -INFINITY, INFINITY, 1e-9, 7e-5};
    c[n++] = (Case){"normal truncated [0.33, 0.47]", normal(0.392, 0.047, 0.33, 0.47),
                    0.39564122985750789415, 0.0011979898228535186037, 0.33, 0.47, 1e-10, 1e-9};
    c[n++] = (Case){"normal truncated below at 0", normal(0.0215, 0.0312, 0, INFINITY),
                    0.034508311685953266334, 0.0005245451258330964634, 0, INFINITY, 3e-6, 6e-5};
    c[n++] = (Case){"normal truncated in its upper tail", normal(0.1, 0.02, 0.15, 0.2),
                    0.15645271352789544131, 0.000035487380447188521416, 0.15, 0.2, 1e-8, 3e-6};
    c[n++] = (Case){"lognormal", lognormal(0.0745, 0.0315), 0.0745, 0.0315 * 0.0315, 0,
                    INFINITY, 1e-5, 6e-4};
    c[n++] = (Case){"lognormal, cv 0.5", lognormal(2385.17, 1190.55), 2385.17, 1190.55 * 1190.55,
                    0, INFINITY, 1.5e-5, 1e-3};
    c[n++] = beta_case("beta by shape", beta_shape(7.35, 1.85), 7.35, 1.85, 3e-7, 3e-5);
    c[n++] = beta_case("beta by shape, alpha < 1", beta_shape(0.713, 3.827), 0.713, 3.827, 1e-6,
                       1e-5);
    /* By moments: the variable's own mean 0.874 and sd 0.031. */
    Dist bm = beta_moments(0.874, 0.031);
    c[n++] = (Case){"beta by mean and sd", bm, 0.874, 0.031 * 0.031, 0, 1, 2e-7, 8e-5};
    return n;
}

#define MAX_CASES 16

/* ---- dist_quantile / dist_mean ---- */

static void test_midpoint_moments(void **state)
{
    (void)state;
    Case c[MAX_CASES];
    size_t nc = cases(c);
    const size_t n = 200000;
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t k = 0; k < nc; k++) {
        for (size_t i = 0; i < n; i++)
            x[i] = dist_quantile(&c[k].d, ((double)i + 0.5) / (double)n);
        /* The midpoint rule integrates (Q(u) - mean)^2 over (0, 1): divide by n, not n - 1. */
        Moments m = moments(x, n);
        m.var *= (double)(n - 1) / (double)n;
        double em = unit_rel_err(m.mean, c[k].mean), ev = unit_rel_err(m.var, c[k].var);
        if (!(em <= c[k].tol_mean) || !(ev <= c[k].tol_var))
            fail_msg("%s: midpoint mean %.12g (expected %.12g, rel. error %.2g > %.2g), "
                     "variance %.12g (expected %.12g, rel. error %.2g > %.2g)",
                     c[k].name, m.mean, c[k].mean, em, c[k].tol_mean, m.var, c[k].var, ev,
                     c[k].tol_var);
        /* dist_mean (the DCF's value) is the definition's mean. */
        if (!(unit_rel_err(dist_mean(&c[k].d), c[k].mean) <= 1e-12))
            fail_msg("%s: dist_mean %.17g, expected %.17g", c[k].name, dist_mean(&c[k].d),
                     c[k].mean);
    }
    free(x);
}

/* The uniforms a quantile is checked at: the extremes the sampler can pass (2^-60 from the
 * copula's clamp, 2^-54 the generator's smallest, 1 - 2^-53 the largest double below 1), and
 * the midpoints of 100,000 cells. */
static double *check_points(size_t *m)
{
    const size_t n = 100000;
    double *u = malloc((n + 6) * sizeof *u);
    assert_non_null(u);
    size_t k = 0;
    u[k++] = 0x1.0p-60;
    u[k++] = 0x1.0p-54;
    u[k++] = 1e-12;
    for (size_t i = 0; i < n; i++)
        u[k++] = ((double)i + 0.5) / (double)n;
    u[k++] = 1 - 1e-12;
    u[k++] = 1 - 0x1.0p-53;
    *m = k;
    return u;
}

/* Non-decreasing in u, finite, and inside the support up to 4 ulps of its ends (the exact
 * support is the next test's). */
static void test_quantile_monotone_and_in_support(void **state)
{
    (void)state;
    Case c[MAX_CASES];
    size_t nc = cases(c), m;
    double *u = check_points(&m);
    for (size_t k = 0; k < nc; k++) {
        double slack = 4 * DBL_EPSILON * fmax(isfinite(c[k].lo) ? fabs(c[k].lo) : 0,
                                              isfinite(c[k].hi) ? fabs(c[k].hi) : 0);
        double prev = -INFINITY;
        for (size_t i = 0; i < m; i++) {
            double q = dist_quantile(&c[k].d, u[i]);
            if (!isfinite(q) || q < c[k].lo - slack || q > c[k].hi + slack)
                fail_msg("%s: quantile(%.17g) = %.17g is not finite inside [%g, %g]", c[k].name,
                         u[i], q, c[k].lo, c[k].hi);
            if (q < prev)
                fail_msg("%s: quantile decreases: q(%.17g) = %.17g < %.17g", c[k].name, u[i], q,
                         prev);
            prev = q;
        }
        /* Strictly increasing where the density is positive: across the middle it moves. */
        assert_true(dist_quantile(&c[k].d, 0.25) < dist_quantile(&c[k].d, 0.75));
    }
    /* A fixed number is its own quantile at every u. */
    Dist fixed = dist_fixed(0.1175);
    assert_true(dist_quantile(&fixed, 0x1.0p-54) == 0.1175);
    assert_true(dist_quantile(&fixed, 0.5) == 0.1175);
    free(u);
}

/* dist.h: dist_support is "the smallest closed interval holding every value the distribution
 * can take", and the scenario's range checks rely on it (a retention min 0.85 is checked, not
 * its draws). So no quantile may fall outside [min, max], not even by an ulp. Lists every
 * case that does. */
static void test_quantile_support_exact(void **state)
{
    (void)state;
    Case c[MAX_CASES];
    size_t nc = cases(c), m, bad = 0;
    double *u = check_points(&m);
    for (size_t k = 0; k < nc; k++) {
        double lo, hi;
        dist_support(&c[k].d, &lo, &hi);
        assert_true(lo == c[k].lo && hi == c[k].hi);
        for (size_t i = 0; i < m; i++) {
            double q = dist_quantile(&c[k].d, u[i]);
            if (q < lo || q > hi) {
                print_message("%s: quantile(%.17g) = %.17g lies outside [%.17g, %.17g]\n",
                              c[k].name, u[i], q, lo, hi);
                bad++;
                break;
            }
        }
    }
    free(u);
    if (bad)
        fail_msg("%zu distributions draw values outside their support", bad);
}

/* Standard normal CDF and its complement from libm. */
static double phi_lower(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

static double phi_upper(double z)
{
    return 0.5 * erfc(z / sqrt(2.0));
}

/* I_x(A, B) by composite Simpson on the beta density (A, B >= 1: a smooth integrand). */
static double beta_cdf(double x, double A, double B)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    const int steps = 20000;
    double h = x / steps, lnB = lgamma(A) + lgamma(B) - lgamma(A + B), sum = 0;
    for (int i = 0; i <= steps; i++) {
        double t = h * i;
        double f = t <= 0 ? (A == 1 ? exp(-lnB) : 0)
                          : exp((A - 1) * log(t) + (B - 1) * log1p(-t) - lnB);
        sum += f * (i == 0 || i == steps ? 1 : i % 2 ? 4 : 2);
    }
    return sum * h / 3;
}

/* The CDF of case k's distribution, written from its definition. */
static double case_cdf(const Dist *d, double x)
{
    switch (d->kind) {
    case DIST_UNIFORM:
        return (x - d->min) / (d->max - d->min);
    case DIST_TRIANGULAR: {
        double a = d->min, c = d->mode, b = d->max;
        return x <= c ? (x - a) * (x - a) / ((b - a) * (c - a))
                      : 1 - (b - x) * (b - x) / ((b - a) * (b - c));
    }
    case DIST_PERT: {
        double A = 1 + 4 * (d->mode - d->min) / (d->max - d->min);
        double B = 1 + 4 * (d->max - d->mode) / (d->max - d->min);
        return beta_cdf((x - d->min) / (d->max - d->min), A, B);
    }
    case DIST_NORMAL: {
        double al = (d->min - d->mean) / d->sd, be = (d->max - d->mean) / d->sd;
        double z = (x - d->mean) / d->sd;
        if (al > 0) /* a window in the upper tail: complements keep the digits */
            return (phi_upper(al) - phi_upper(z)) / (phi_upper(al) - phi_upper(be));
        return (phi_lower(z) - phi_lower(al)) / (phi_lower(be) - phi_lower(al));
    }
    case DIST_LOGNORMAL: {
        double s2 = log(1 + (d->sd / d->mean) * (d->sd / d->mean));
        double zeta = log(d->mean) - s2 / 2;
        return phi_lower((log(x) - zeta) / sqrt(s2));
    }
    case DIST_BETA:
        return beta_cdf(x, d->alpha, d->beta);
    default:
        return NAN;
    }
}

static void test_quantile_inverts_cdf(void **state)
{
    (void)state;
    Case c[MAX_CASES];
    size_t nc = cases(c);
    static const double us[] = {0.001, 0.0125, 0.1, 0.3137, 0.5, 0.6875, 0.9, 0.9875, 0.999};
    for (size_t k = 0; k < nc; k++) {
        /* Simpson needs a bounded density; the alpha < 1 beta is covered by its moments. */
        if (c[k].d.kind == DIST_BETA && c[k].d.alpha < 1)
            continue;
        for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
            double x = dist_quantile(&c[k].d, us[i]);
            double F = case_cdf(&c[k].d, x);
            if (!(fabs(F - us[i]) <= 1e-9))
                fail_msg("%s: F(quantile(%g)) = F(%.17g) = %.15g", c[k].name, us[i], x, F);
        }
    }
    /* Symmetric distributions: the median is the centre. */
    Dist sym[] = {uniform(0.0815, 0.2735), three_point(DIST_TRIANGULAR, 0.0425, 0.1145, 0.1865),
                  three_point(DIST_PERT, 0.0425, 0.1145, 0.1865),
                  normal(0.392, 0.047, 0.392 - 0.0815, 0.392 + 0.0815)};
    for (size_t i = 0; i < sizeof sym / sizeof sym[0]; i++)
        assert_rel(dist_quantile(&sym[i], 0.5),
                   sym[i].kind == DIST_NORMAL ? 0.392 : (sym[i].min + sym[i].max) / 2, 1e-12);
}

/* ---- through the sampler ---- */

/* Every case as one input of one sampler. */
static Fixture *all_cases_fixture(Sampling sampling, Case *c, size_t *nc)
{
    Fixture *f = fixture_new(sampling);
    *nc = cases(c);
    for (size_t k = 0; k < *nc; k++) {
        char path[32];
        snprintf(path, sizeof path, "input%zu", k);
        fixture_add(f, path, c[k].d);
    }
    return f;
}

/* Random sampling: means within 4 standard errors, variances within 4 standard errors of the
 * sample variance (sqrt((m4 - var^2) / n)); independent inputs (|Spearman| < 4 / sqrt(n)). */
static void test_sampler_random_moments(void **state)
{
    (void)state;
    Case c[MAX_CASES];
    size_t nc;
    Fixture *f = all_cases_fixture(SAMPLING_RANDOM, c, &nc);
    const long n = 200000;
    Sampler *s = fixture_sampler(f, n, 20250611);
    double *x = draw_all(s, nc, n);
    for (size_t k = 0; k < nc; k++) {
        const double *xk = x + k * (size_t)n;
        Moments m = moments(xk, (size_t)n);
        double se_mean = sqrt(c[k].var / (double)n);
        double se_var = sqrt((m.m4 - m.var * m.var) / (double)n);
        if (!(fabs(m.mean - c[k].mean) <= 4 * se_mean))
            fail_msg("%s: sampled mean %.10g, expected %.10g (%.1f standard errors off)",
                     c[k].name, m.mean, c[k].mean, (m.mean - c[k].mean) / se_mean);
        if (!(fabs(m.var - c[k].var) <= 4 * se_var))
            fail_msg("%s: sampled variance %.10g, expected %.10g (%.1f standard errors off)",
                     c[k].name, m.var, c[k].var, (m.var - c[k].var) / se_var);
        for (long i = 0; i < n; i++)
            if (!(xk[i] >= c[k].lo && xk[i] <= c[k].hi))
                fail_msg("%s: draw %.17g outside its support", c[k].name, xk[i]);
    }
    /* Each input has its own stream. */
    double bound = 4 / sqrt((double)n);
    double *r = malloc(nc * (size_t)n * sizeof *r);
    assert_non_null(r);
    for (size_t k = 0; k < nc; k++)
        ranks(x + k * (size_t)n, (size_t)n, r + k * (size_t)n);
    for (size_t a = 0; a < nc; a++)
        for (size_t b = a + 1; b < nc; b++) {
            double rho = pearson(r + a * (size_t)n, r + b * (size_t)n, (size_t)n);
            if (!(fabs(rho) < bound))
                fail_msg("independent inputs %zu and %zu have rank correlation %.4f", a, b, rho);
        }
    free(r);
    free(x);
    sampler_free(s);
    free(f);
}

/* Latin hypercube: one draw per stratum makes every mean exact to far below a random sample's
 * standard error (here 2% of it; random sampling is within 2% of a standard error 1.6% of the
 * time), variances likewise. */
static void test_sampler_latin_moments(void **state)
{
    (void)state;
    Case c[MAX_CASES];
    size_t nc;
    Fixture *f = all_cases_fixture(SAMPLING_LATIN_HYPERCUBE, c, &nc);
    const long n = 200000;
    Sampler *s = fixture_sampler(f, n, 977);
    double *x = draw_all(s, nc, n);
    for (size_t k = 0; k < nc; k++) {
        Moments m = moments(x + k * (size_t)n, (size_t)n);
        double se_mean = sqrt(c[k].var / (double)n);
        double se_var = sqrt((m.m4 - m.var * m.var) / (double)n);
        if (!(fabs(m.mean - c[k].mean) <= 0.02 * se_mean))
            fail_msg("%s: Latin hypercube mean %.12g, expected %.12g (%.3f standard errors)",
                     c[k].name, m.mean, c[k].mean, (m.mean - c[k].mean) / se_mean);
        if (!(fabs(m.var - c[k].var) <= 0.1 * se_var))
            fail_msg("%s: Latin hypercube variance %.12g, expected %.12g (%.3f standard "
                     "errors)",
                     c[k].name, m.var, c[k].var, (m.var - c[k].var) / se_var);
    }
    free(x);
    sampler_free(s);
    free(f);
}


int main(int argc, char **argv)
{
    /* [PATTERN]: run only the tests whose names match the glob ('test_quantile*'). */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_midpoint_moments),
        cmocka_unit_test(test_quantile_monotone_and_in_support),
        cmocka_unit_test(test_quantile_support_exact),
        cmocka_unit_test(test_quantile_inverts_cdf),
        cmocka_unit_test(test_sampler_random_moments),
        cmocka_unit_test(test_sampler_latin_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
