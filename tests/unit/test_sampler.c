/*
 * test_sampler.c — the Monte Carlo's input draws (src/sampler.c) and the quantile functions
 * they go through (dist_quantile, dist_mean in src/dist.c), with the counter-based uniforms of
 * src/rng.h.
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
 * Samplers are built on hand-made Book/Scenario structs: the sampler reads only the book's
 * inputs, the scenario's sampling and its correlations.
 */
#include <float.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "unit_support.h"

#include "book.h"
#include "dist.h"
#include "rng.h"
#include "sampler.h"
#include "scenario.h"

#define MAX_INPUTS 16

/* ---- fixtures: a book whose inputs the test chooses ---- */

typedef struct Fixture {
    Scenario sc;
    Book book;
    UncertainInput inputs[MAX_INPUTS];
    Dist dist[MAX_INPUTS];
    Correlation cor[MAX_INPUTS];
} Fixture;

static Fixture *fixture_new(Sampling sampling)
{
    Fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->sc.monte_carlo.sampling = sampling;
    f->sc.correlations = f->cor;
    f->book.scenario = &f->sc;
    f->book.inputs = f->inputs;
    f->book.discount_input = -1;
    return f;
}

static size_t fixture_add(Fixture *f, const char *path, Dist d)
{
    size_t i = f->book.input_count++;
    assert_true(i < MAX_INPUTS);
    f->dist[i] = d;
    snprintf(f->inputs[i].path, sizeof f->inputs[i].path, "%s", path);
    f->inputs[i].dist = &f->dist[i];
    return i;
}

/* A correlation written at corr.yaml:line:7. */
static void fixture_correlate(Fixture *f, const char *a, const char *b, double rank, int line)
{
    Correlation *c = &f->cor[f->sc.correlation_count++];
    c->a = a;
    c->b = b;
    c->rank = rank;
    c->mark = (Mark){"corr.yaml", line, 7};
}

static Sampler *fixture_sampler(Fixture *f, long iterations, uint64_t seed)
{
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    bv_errors_init(errors);
    Sampler *s = NULL;
    BvStatus status = sampler_new(&f->book, iterations, seed, &s, errors);
    if (status != BV_OK) {
        unit_dump_errors(errors);
        fail_msg("sampler_new failed with status %d", (int)status);
    }
    assert_non_null(s);
    free(errors);
    return s;
}

/* Every input for iterations 0..n-1: out[i * n + it]. */
static double *draw_all(const Sampler *s, size_t k, long n)
{
    double *out = malloc((size_t)n * k * sizeof *out);
    double x[MAX_INPUTS], scratch[MAX_INPUTS];
    assert_non_null(out);
    for (long it = 0; it < n; it++) {
        if (!sampler_draw(s, it, x, scratch))
            fail_msg("sampler_draw failed at iteration %ld", it);
        for (size_t i = 0; i < k; i++)
            out[i * (size_t)n + (size_t)it] = x[i];
    }
    return out;
}

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

static Dist beta_shape(double a, double b)
{
    return (Dist){.kind = DIST_BETA, .alpha = a, .beta = b};
}

static Dist beta_moments(double mean, double sd)
{
    Dist d = {.kind = DIST_BETA};
    char why[200] = "";
    if (!dist_beta_from_moments(mean, sd, &d.alpha, &d.beta, why, sizeof why))
        fail_msg("beta {mean %g, sd %g} refused: %s", mean, sd, why);
    return d;
}

/* ---- sample statistics ---- */

typedef struct Moments {
    double mean, var, m4; /* var with n - 1; m4 the 4th central moment (n) */
} Moments;

static Moments moments(const double *x, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n, s2 = 0, s4 = 0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - mean;
        s2 += d * d;
        s4 += d * d * d * d;
    }
    return (Moments){mean, s2 / (double)(n - 1), s4 / (double)n};
}

typedef struct Ranked {
    double v;
    size_t i;
} Ranked;

static int ranked_cmp(const void *a, const void *b)
{
    double x = ((const Ranked *)a)->v, y = ((const Ranked *)b)->v;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* Ranks 0..n-1 (ties share their average rank). */
static void ranks(const double *x, size_t n, double *r)
{
    Ranked *p = malloc(n * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = (Ranked){x[i], i};
    qsort(p, n, sizeof *p, ranked_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && p[j + 1].v == p[i].v)
            j++;
        for (size_t k = i; k <= j; k++)
            r[p[k].i] = 0.5 * (double)(i + j);
        i = j + 1;
    }
    free(p);
}

static double pearson(const double *x, const double *y, size_t n)
{
    Moments mx = moments(x, n), my = moments(y, n);
    double c = 0;
    for (size_t i = 0; i < n; i++)
        c += (x[i] - mx.mean) * (y[i] - my.mean);
    return c / (double)(n - 1) / sqrt(mx.var * my.var);
}

static double spearman(const double *x, const double *y, size_t n)
{
    double *rx = malloc(n * sizeof *rx), *ry = malloc(n * sizeof *ry);
    assert_non_null(rx);
    assert_non_null(ry);
    ranks(x, n, rx);
    ranks(y, n, ry);
    double rho = pearson(rx, ry, n);
    free(rx);
    free(ry);
    return rho;
}

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

/* Each input's uniforms over N iterations fall one per stratum [k/N, (k+1)/N). With a
 * uniform(0, 1) input the draw is the uniform itself. */
static void check_strata(long n, uint64_t seed, size_t inputs)
{
    Fixture *f = fixture_new(SAMPLING_LATIN_HYPERCUBE);
    for (size_t i = 0; i < inputs; i++)
        fixture_add(f, i ? "other" : "u", uniform(0, 1));
    Sampler *s = fixture_sampler(f, n, seed);
    unsigned char *hit = calloc((size_t)n * inputs, 1);
    assert_non_null(hit);
    double x[MAX_INPUTS], scratch[MAX_INPUTS];
    bool in_order = true;
    for (long it = 0; it < n; it++) {
        assert_true(sampler_draw(s, it, x, scratch));
        for (size_t i = 0; i < inputs; i++) {
            double k = floor(x[i] * (double)n);
            if (!(x[i] > 0 && x[i] < 1 && k >= 0 && k < (double)n))
                fail_msg("N = %ld, seed %llu: iteration %ld drew %.17g", n,
                         (unsigned long long)seed, it, x[i]);
            long stratum = (long)k;
            if (!(x[i] >= (double)stratum / (double)n && x[i] < (double)(stratum + 1) / (double)n))
                fail_msg("N = %ld: %.17g is not inside stratum %ld", n, x[i], stratum);
            if (hit[(size_t)stratum * inputs + i]++)
                fail_msg("N = %ld, seed %llu, input %zu: stratum %ld drawn twice (again at "
                         "iteration %ld)",
                         n, (unsigned long long)seed, i, stratum, it);
            in_order &= stratum == it;
        }
    }
    /* N draws, no stratum twice: each stratum exactly once. Strata are visited in a shuffled
     * order (the identity has probability 1/N!). */
    if (n >= 10 && in_order)
        fail_msg("N = %ld: strata drawn in iteration order, not permuted", n);
    free(hit);
    sampler_free(s);
    free(f);
}

static void test_latin_strata(void **state)
{
    (void)state;
    check_strata(1000, 42, 3);
    check_strata(1037, 42, 3);
    check_strata(1037, 9007199254740992ULL, 2);
    /* Two inputs of one sampler do not share a permutation (the uniforms inside the strata
     * differ anyway; the strata order must too). */
    Fixture *f = fixture_new(SAMPLING_LATIN_HYPERCUBE);
    fixture_add(f, "a", uniform(0, 1));
    fixture_add(f, "b", uniform(0, 1));
    Sampler *s = fixture_sampler(f, 1037, 5);
    double *x = draw_all(s, 2, 1037);
    size_t same = 0;
    for (size_t it = 0; it < 1037; it++)
        same += floor(x[it] * 1037) == floor(x[1037 + it] * 1037);
    assert_true(same < 20);
    assert_true(fabs(spearman(x, x + 1037, 1037)) < 4 / sqrt(1037.0));
    free(x);
    sampler_free(s);
    free(f);
}

/* The keyed Feistel permutation is a bijection of [0, n) for every n = 1..3000 (through the
 * strata it assigns), for two seeds. */
static void test_feistel_bijection(void **state)
{
    (void)state;
    for (long n = 1; n <= 3000; n++)
        check_strata(n, 7, 1);
    for (long n = 1; n <= 600; n++)
        check_strata(n, 1234567890123ULL, 1);
}

/* For a monotone function of the inputs, the spread of the mean over seeds falls far below
 * random sampling's: here f = exp(3 u1) + 2 u2 with u ~ uniform(0, 1), N = 500, 40 seeds.
 * Var f = (e^6 - 1)/6 - ((e^3 - 1)/3)^2 + 4/12. */
static void test_latin_reduces_spread(void **state)
{
    (void)state;
    const long n = 500;
    const int seeds = 40;
    double var_f = (exp(6.0) - 1) / 6 - pow((exp(3.0) - 1) / 3, 2) + 4.0 / 12;
    double expected_mean = (exp(3.0) - 1) / 3 + 1;
    double spread[2];
    for (int latin = 0; latin < 2; latin++) {
        double means[40];
        for (int k = 0; k < seeds; k++) {
            Fixture *f = fixture_new(latin ? SAMPLING_LATIN_HYPERCUBE : SAMPLING_RANDOM);
            fixture_add(f, "u1", uniform(0, 1));
            fixture_add(f, "u2", uniform(0, 1));
            Sampler *s = fixture_sampler(f, n, (uint64_t)(1000 + 17 * k));
            double *x = draw_all(s, 2, n);
            double sum = 0;
            for (long i = 0; i < n; i++)
                sum += exp(3 * x[i]) + 2 * x[n + i];
            means[k] = sum / (double)n;
            free(x);
            sampler_free(s);
            free(f);
        }
        Moments m = moments(means, (size_t)seeds);
        spread[latin] = sqrt(m.var);
        assert_true(fabs(m.mean - expected_mean) < 5 * sqrt(var_f / (double)n / seeds));
    }
    double se = sqrt(var_f / (double)n);
    /* Random: the spread is the standard error (a 39-df chi estimate: within [0.6, 1.45] but
     * for 1e-4 of seeds). Latin: under a tenth of it. */
    if (!(spread[0] > 0.6 * se && spread[0] < 1.45 * se))
        fail_msg("random sampling's spread of means %.5g, expected about %.5g", spread[0], se);
    if (!(spread[1] < 0.1 * spread[0]))
        fail_msg("Latin hypercube spread %.5g is not well below random's %.5g", spread[1],
                 spread[0]);
}

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

static Fixture *three_inputs(void)
{
    Fixture *f = fixture_new(SAMPLING_RANDOM);
    fixture_add(f, "discount_rate", uniform(0.095, 0.135));
    fixture_add(f, "margin", uniform(0.3125, 0.4475));
    fixture_add(f, "segments.A.retention", beta_shape(7.35, 1.85));
    return f;
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

/* ---- reproducibility ---- */

static void test_draws_depend_only_on_seed_and_iteration(void **state)
{
    (void)state;
    for (int latin = 0; latin < 2; latin++) {
        Fixture *f = three_inputs();
        f->sc.monte_carlo.sampling = latin ? SAMPLING_LATIN_HYPERCUBE : SAMPLING_RANDOM;
        fixture_correlate(f, "discount_rate", "margin", -0.35, 3);
        const long n = 3000;
        Sampler *s1 = fixture_sampler(f, n, 424242), *s2 = fixture_sampler(f, n, 424242);
        Sampler *s3 = fixture_sampler(f, n, 424243);
        double *forward = draw_all(s1, 3, n);
        double x[MAX_INPUTS], z[MAX_INPUTS], y[MAX_INPUTS];
        size_t differ = 0;
        /* Backwards, on another sampler with the same seed: the same numbers, bit for bit. */
        for (long it = n - 1; it >= 0; it--) {
            assert_true(sampler_draw(s2, it, x, z));
            assert_true(sampler_draw(s3, it, y, z));
            for (size_t i = 0; i < 3; i++) {
                if (x[i] != forward[i * (size_t)n + (size_t)it])
                    fail_msg("iteration %ld input %zu: %.17g then %.17g", it, i,
                             forward[i * (size_t)n + (size_t)it], x[i]);
                differ += y[i] != x[i];
            }
        }
        /* Another seed draws other numbers. */
        assert_true(differ > 3 * (size_t)n - 10);
        free(forward);
        sampler_free(s1);
        sampler_free(s2);
        sampler_free(s3);
        free(f);
    }
}

/* ---- the uniforms' open interval ---- */

#define C1 UINT64_C(0xBF58476D1CE4E5B9)
#define C2 UINT64_C(0x94D049BB133111EB)

static uint64_t unxorshift(uint64_t z, unsigned s)
{
    uint64_t x = z;
    for (unsigned i = 0; i < 64 / s + 1; i++)
        x = z ^ (x >> s);
    return x;
}

static uint64_t inverse_odd(uint64_t a)
{
    uint64_t x = a; /* correct to 3 bits; Newton doubles them */
    for (int i = 0; i < 6; i++)
        x *= 2 - a * x;
    return x;
}

/* The inverse of SplitMix64's finaliser (rng_mix), to build keys that give chosen outputs. */
static uint64_t unmix(uint64_t z)
{
    z = unxorshift(z, 31);
    z *= inverse_odd(C2);
    z = unxorshift(z, 27);
    z *= inverse_odd(C1);
    return unxorshift(z, 30);
}

/*
 * rng.h: rng_uniform is "in (0, 1): never 0 nor 1, so inverse CDFs stay finite". Check it at
 * the extreme outputs of the mixer: keys whose mixed value has all 53 top bits set (and, at
 * the other end, clear), every low-bit pattern.
 */
static void test_uniform_open_interval(void **state)
{
    (void)state;
    for (uint64_t i = 0; i < 1000; i++) {
        uint64_t z = rng_mix(i * UINT64_C(0x2545F4914F6CDD1D) + 17);
        assert_true(rng_mix(unmix(z)) == z && unmix(rng_mix(z)) == z);
    }
    for (uint64_t low = 0; low < 2048; low++) {
        uint64_t top = (((UINT64_C(1) << 53) - 1) << 11) | low, bottom = low;
        uint64_t key_top = unmix(top) - RNG_GAMMA, key_bottom = unmix(bottom) - RNG_GAMMA;
        assert_true(rng_mix(key_top + RNG_GAMMA) == top);
        double u1 = rng_uniform(key_top, 0), u0 = rng_uniform(key_bottom, 0);
        if (!(u1 > 0 && u1 < 1))
            fail_msg("rng_uniform gives %.17g when the mixed value is 0x%016llx", u1,
                     (unsigned long long)top);
        if (!(u0 > 0 && u0 < 1))
            fail_msg("rng_uniform gives %.17g when the mixed value is 0x%016llx", u0,
                     (unsigned long long)bottom);
    }
}

/*
 * The same at the sampler: seed 8028757036411618 (a valid scenario seed, <= 2^53) gives
 * iteration 0's first input the key whose mixed value has every top bit set. (Found by
 * inverting the key derivation of rng.h: seed = unmix(unmix(unmix(T) - G) - G) ^
 * rng_mix(0 * G + 1) for T = (2^53 - 1) << 11 | low, keeping the seeds <= 2^53.) A lognormal
 * input must still draw a finite number; an infinite one makes `bookval run` fail with
 * "a distribution's quantile function failed" (tests/e2e/test_montecarlo.py shows it).
 */
static void test_sampler_draw_finite_at_extreme_key(void **state)
{
    (void)state;
    const uint64_t seed = UINT64_C(8028757036411618);
    uint64_t key = rng_key(seed, 0, 1);
    if ((rng_mix(key + RNG_GAMMA) >> 11) != (UINT64_C(1) << 53) - 1) {
        print_message("rng_key changed; the crafted seed no longer reaches the extreme key\n");
        skip();
    }
    Fixture *f = fixture_new(SAMPLING_RANDOM);
    fixture_add(f, "discount_rate", lognormal(0.1175, 0.0215));
    fixture_add(f, "margin", normal(0.392, 0.047, -INFINITY, INFINITY));
    Sampler *s = fixture_sampler(f, 10, seed);
    double x[MAX_INPUTS], z[MAX_INPUTS];
    bool ok = sampler_draw(s, 0, x, z);
    if (!ok || !isfinite(x[0]))
        fail_msg("seed %llu, iteration 0: sampler_draw %s, lognormal draw %.17g",
                 (unsigned long long)seed, ok ? "succeeded" : "failed", x[0]);
    sampler_free(s);
    free(f);
}

/*
 * Latin hypercube: the top stratum's uniform is (N - 1 + u) / N; when u lies within half an
 * ulp of N - 1 below 1, N - 1 + u rounds to N and the draw is exactly 1 (an infinite quantile
 * for an unbounded distribution). The chance is about N 2^-54 per input per run; with N = 2^40
 * (sampler_new takes any long) it is 2^-14, so a seed is found in a few thousand tries.
 * Finding the iteration that lands in the top stratum repeats the Feistel network of
 * sampler.c (4 rounds, round key rng_mix(key ^ (right + r G))); should that network change, the
 * iteration found no longer lands there and the test skips rather than fails.
 */
static uint64_t feistel_inverse(uint64_t key, unsigned bits, uint64_t y)
{
    unsigned half = bits / 2;
    uint64_t mask = (UINT64_C(1) << half) - 1, left = y >> half, right = y & mask;
    for (unsigned r = 4; r-- > 0;) {
        uint64_t prev_right = left;
        uint64_t prev_left = right ^ (rng_mix(key ^ (prev_right + (uint64_t)r * RNG_GAMMA)) & mask);
        left = prev_left;
        right = prev_right;
    }
    return (left << half) | right;
}

static void test_latin_top_stratum_below_one(void **state)
{
    (void)state;
    const long n = 1L << 40;
    uint64_t seed = 0, it = 0;
    bool found = false;
    for (uint64_t s = 1; s < 2000000 && !found; s++) {
        uint64_t key = rng_mix(s + 1 * RNG_GAMMA);
        uint64_t i = feistel_inverse(key, 40, (uint64_t)n - 1);
        double u = rng_uniform(rng_key(s, i, 1), 0);
        if ((double)(n - 1) + u == (double)n) {
            seed = s;
            it = i;
            found = true;
        }
    }
    assert_true(found);
    Fixture *f = fixture_new(SAMPLING_LATIN_HYPERCUBE);
    fixture_add(f, "margin", uniform(0, 1));
    Sampler *s = fixture_sampler(f, n, seed);
    double x[MAX_INPUTS], z[MAX_INPUTS];
    bool ok = sampler_draw(s, (long)it, x, z);
    sampler_free(s);
    free(f);
    if (ok && x[0] < 1 && floor(x[0] * (double)n) != (double)(n - 1)) {
        print_message("the Feistel network changed; iteration %llu is not in the top stratum\n",
                      (unsigned long long)it);
        skip();
    }
    if (!(ok && x[0] < 1))
        fail_msg("Latin hypercube, N = 2^40, seed %llu, iteration %llu: the top stratum's "
                 "uniform is %.17g, not below 1",
                 (unsigned long long)seed, (unsigned long long)it, x[0]);
    /* The same draw through an unbounded quantile must be finite. */
    f = fixture_new(SAMPLING_LATIN_HYPERCUBE);
    fixture_add(f, "margin", lognormal(0.0745, 0.0315));
    s = fixture_sampler(f, n, seed);
    ok = sampler_draw(s, (long)it, x, z);
    sampler_free(s);
    free(f);
    assert_true(ok && isfinite(x[0]));
}

int main(int argc, char **argv)
{
    /* test_sampler [PATTERN]: run only the tests whose names match the glob ('test_latin*'). */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_midpoint_moments),
        cmocka_unit_test(test_quantile_monotone_and_in_support),
        cmocka_unit_test(test_quantile_support_exact),
        cmocka_unit_test(test_quantile_inverts_cdf),
        cmocka_unit_test(test_sampler_random_moments),
        cmocka_unit_test(test_sampler_latin_moments),
        cmocka_unit_test(test_latin_strata),
        cmocka_unit_test(test_feistel_bijection),
        cmocka_unit_test(test_latin_reduces_spread),
        cmocka_unit_test(test_pearson_from_rank),
        cmocka_unit_test(test_rank_correlation_pairs),
        cmocka_unit_test(test_rank_correlation_three),
        cmocka_unit_test(test_rank_correlation_comonotone),
        cmocka_unit_test(test_clipped_matrix_keeps_marginals),
        cmocka_unit_test(test_correlation_errors),
        cmocka_unit_test(test_duplicate_pair_with_zero_rank),
        cmocka_unit_test(test_draws_depend_only_on_seed_and_iteration),
        cmocka_unit_test(test_uniform_open_interval),
        cmocka_unit_test(test_sampler_draw_finite_at_extreme_key),
        cmocka_unit_test(test_latin_top_stratum_below_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
