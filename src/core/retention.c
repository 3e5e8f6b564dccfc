/*
 * retention.c — renewal probabilities, survival tables and the sBG tail series.
 */
#include "retention.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

static double model_rate(const RetentionModel *m, double constant, double tenure, int k)
{
    switch (m->kind) {
    case RETENTION_CONSTANT:
        return constant;
    case RETENTION_CURVE:
        return m->curve[(k <= m->curve_len ? k : m->curve_len) - 1];
    case RETENTION_SBG: {
        double b = m->beta + tenure + (double)(k - 1);
        return b / (m->alpha + b);
    }
    }
    return (double)NAN;
}

double retention_rate(const RetentionModel *m, double constant, double tenure, int k)
{
    double r = model_rate(m, constant, tenure, k);
    if (m->scale == 1) /* the model as written: its rates untouched, to the last bit */
        return r;
    double scaled = m->scale * r;
    return scaled < 1 ? scaled : 1;
}

void retention_survival(const RetentionModel *m, double constant, double tenure, double u,
                        int horizon, double *survival)
{
    double s = u;
    for (int t = 1; t <= horizon; t++) {
        s *= retention_rate(m, constant, tenure, t);
        survival[t - 1] = s;
    }
}

bool retention_uses_tenure(const RetentionModel *m)
{
    return m->kind == RETENTION_SBG;
}

/* The direct sum stops once its remainder bound is below SERIES_REL_TOL of the sum, or gives up
 * after SERIES_MAX_TERMS (x within ~1e-6 of 1 with alpha near 1), leaving it to quadrature. */
#define SERIES_REL_TOL 1e-17
#define SERIES_FAST_TERMS 1000000L
#define SERIES_MAX_TERMS 50000000L
#define SERIES_RESYNC 4096
#define QUAD_REL_TOL 1e-13
#define QUAD_LIMIT 1000

/*
 * Sum F = sum_{j>=1} t_j, t_j = x^j (b)_j / (a+b)_j, with Neumaier's compensated sum.
 * Remainder bounds after t_J (ratios t_{j+1}/t_j = x (1 - a/(a+b+j)) rise towards x):
 *   R_J <= t_J x / (1 - x)                      (every later ratio is below x), and, for a > 1,
 *   R_J <= t_J c / (a - 1), c = a + b + J       (the ratios' product is at most (c/(c+k))^a,
 *                                                summed by comparison with an integral).
 * The second bound lets large alphas converge fast however close x is to 1.
 * *lower and *upper bracket F when the sum stops early (false returned).
 */
static bool sbg_series_direct(double a, double b, double x, long max_terms, double *out,
                              double *lower, double *upper)
{
    double term = 1, sum = 0, carry = 0, geometric = x < 1 ? x / (1 - x) : (double)INFINITY;
    gsl_sf_result lnbeta_ab;
    bool resync = gsl_sf_lnbeta_e(a, b, &lnbeta_ab) == GSL_SUCCESS;
    double log_x = log(x);
    for (long j = 0; j < max_terms; j++) {
        term *= x * (b + (double)j) / (a + b + (double)j);
        /* Long sums: every SERIES_RESYNC terms recompute t_{j+1} = x^(j+1) B(a, b+j+1)/B(a, b)
         * directly, so rounding does not build up along millions of products. */
        gsl_sf_result lnbeta;
        if (resync && (j + 1) % SERIES_RESYNC == 0 &&
            gsl_sf_lnbeta_e(a, b + (double)(j + 1), &lnbeta) == GSL_SUCCESS)
            term = exp((double)(j + 1) * log_x + lnbeta.val - lnbeta_ab.val);
        double t = sum + term;
        carry += fabs(sum) >= fabs(term) ? (sum - t) + term : (term - t) + sum;
        sum = t;
        double c = a + b + (double)(j + 1);
        double bound = a > 1 && c / (a - 1) < geometric ? c / (a - 1) : geometric;
        if (term * bound <= SERIES_REL_TOL * (sum + carry) || term == 0) {
            *out = sum + carry;
            return true;
        }
        *lower = sum + carry;
        *upper = *lower + term * bound;
    }
    return false;
}

typedef struct TailIntegrand {
    double x;
    double a, b;     /* the weight's exponents left to the function on each piece */
    bool left;       /* [0, split]: (1-θ)^(b-1) in the function; [split, 1]: θ^(a-1) */
} TailIntegrand;

/* x(1-θ) / (1 - x(1-θ)), written to keep digits when x is close to 1, times the part of the
 * beta weight that is smooth on this piece. */
static double tail_integrand(double theta, void *params)
{
    const TailIntegrand *p = params;
    double one_minus = 1 - theta;
    double g = p->x * one_minus / ((1 - p->x) + p->x * theta);
    return g * (p->left ? pow(one_minus, p->b - 1) : pow(theta, p->a - 1));
}

/* One piece of the integral by QAWS, whose weight carries the singular end's power. */
static bool quad_piece(TailIntegrand *p, double lo, double hi, double tol, double *value)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(QUAD_LIMIT);
    gsl_integration_qaws_table *t =
        p->left ? gsl_integration_qaws_table_alloc(p->a - 1, 0, 0, 0)
                : gsl_integration_qaws_table_alloc(0, p->b - 1, 0, 0);
    bool ok = false;
    if (w && t) {
        gsl_function f = {tail_integrand, p};
        double abserr;
        ok = gsl_integration_qaws(&f, lo, hi, t, 0, tol, QUAD_LIMIT, w, value, &abserr) ==
                 GSL_SUCCESS &&
             isfinite(*value);
    }
    gsl_integration_qaws_table_free(t);
    gsl_integration_workspace_free(w);
    return ok;
}

/*
 * E[x(1-θ)/(1-x(1-θ))] over θ ~ Beta(a, b) for x close to 1. The integrand changes on the
 * scale (1-x) near θ = 0, so the integral is split there: [0, split] with the weight θ^(a-1),
 * [split, 1] with (1-θ)^(b-1), each by GSL's QAWS, tightest tolerance first.
 */
static bool sbg_series_quadrature(double a, double b, double x, double *out)
{
    static const double tolerances[] = {QUAD_REL_TOL, 1e-11};
    *out = (double)NAN;
    double split = 1e3 * (1 - x) / x;
    if (split > 0.5)
        split = 0.5;
    gsl_sf_result lnbeta;
    if (gsl_sf_lnbeta_e(a, b, &lnbeta) != GSL_SUCCESS)
        return false;
    for (size_t i = 0; i < sizeof tolerances / sizeof tolerances[0]; i++) {
        TailIntegrand left = {x, a, b, true}, right = {x, a, b, false};
        double v1, v2;
        if (quad_piece(&left, 0, split, tolerances[i], &v1) &&
            quad_piece(&right, split, 1, tolerances[i], &v2)) {
            /* The weight θ^(a-1) (1-θ)^(b-1) integrates to B(a, b). */
            double v = (v1 + v2) / exp(lnbeta.val);
            if (isfinite(v)) {
                *out = v;
                return true;
            }
        }
    }
    return false;
}

bool retention_sbg_series(double a, double b, double x, double *out)
{
    *out = (double)NAN;
    if (!(a > 0 && b > 0 && x >= 0))
        return false;
    if (x == 0) {
        *out = 0;
        return true;
    }
    if (x > 1)
        return false;
    if (x == 1) {
        /* Gauss: 2F1(1, b; a+b; 1) = (a+b-1)/(a-1), finite only for a > 1. */
        if (!(a > 1))
            return false;
        *out = b / (a - 1);
        return true;
    }
    /* A million terms settle every x up to about 1 - 4e-5, and any x for a large alpha; past
     * them, quadrature (trusted only inside the bracket the partial sum proves), and only if
     * it fails the long sum. The Monte Carlo calls this per cohort and iteration. */
    double lower = 0, upper = HUGE_VAL;
    if (sbg_series_direct(a, b, x, SERIES_FAST_TERMS, out, &lower, &upper))
        return true;
    double q;
    if (sbg_series_quadrature(a, b, x, &q) && q >= lower * (1 - 1e-12) && q <= upper) {
        *out = q;
        return true;
    }
    if (sbg_series_direct(a, b, x, SERIES_MAX_TERMS, out, &lower, &upper))
        return true;
    *out = (double)NAN;
    return false;
}

bool retention_sbg_scaled_series(double a, double b, double s, double x, double *out)
{
    if (s == 1)
        return retention_sbg_series(a, b, x, out);
    if (s < 1) /* s (b+i-1)/(a+b+i-1) < 1 for every i: the scale joins x */
        return retention_sbg_series(a, b, s * x, out);
    *out = (double)NAN;
    if (!(a > 0 && b > 0 && x >= 0 && s > 1))
        return false;
    if (x == 0) {
        *out = 0;
        return true;
    }
    if (!(x < 1)) /* the rates reach 1: the loyal clients' cash never fades */
        return false;
    /* Terms one by one while the scaled rate is below 1; from the first capped rate on, each
     * term is x times the last: the rest is term x / (1 - x). Every ratio is at most x, so the
     * same bound lets the sum stop once the remainder is negligible before the cap. */
    double term = 1, sum = 0, carry = 0, geometric = x / (1 - x);
    for (long j = 0; j < SERIES_MAX_TERMS; j++) {
        double rate = s * (b + (double)j) / (a + b + (double)j);
        if (rate >= 1) {
            double rest = term * geometric;
            *out = sum + carry + rest;
            return isfinite(*out);
        }
        term *= x * rate;
        double t = sum + term;
        carry += fabs(sum) >= fabs(term) ? (sum - t) + term : (term - t) + sum;
        sum = t;
        if (term * geometric <= SERIES_REL_TOL * (sum + carry) || term == 0) {
            *out = sum + carry;
            return true;
        }
    }
    return false;
}
