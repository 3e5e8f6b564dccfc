/*
 * retention.c — renewal probabilities, survival tables and the sBG tail series.
 */
#include "retention.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

double retention_rate(const RetentionModel *m, double constant, double tenure, int k)
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
    return NAN;
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

/* Beyond this x the direct sum needs more than ~4.6e5 terms: integrate instead. */
#define SERIES_X_MAX 0.9999
#define SERIES_REL_TOL 1e-17
#define QUAD_REL_TOL 1e-13
#define QUAD_LIMIT 1000

static bool sbg_series_direct(double a, double b, double x, double *out)
{
    /* t_j = x^j (b)_j / (a+b)_j; t_{j+1}/t_j = x (b+j)/(a+b+j) rises towards x, so the
     * remainder after t_j is at most t_j x / (1 - x). */
    double term = 1, sum = 0, bound_factor = x / (1 - x);
    for (long j = 0;; j++) {
        term *= x * (b + (double)j) / (a + b + (double)j);
        sum += term;
        if (term * bound_factor <= SERIES_REL_TOL * sum || term == 0)
            break;
    }
    *out = sum;
    return true;
}

typedef struct TailIntegrand {
    double x;
} TailIntegrand;

/* x(1-θ) / (1 - x(1-θ)), written to keep digits when x is close to 1. */
static double tail_integrand(double theta, void *params)
{
    double x = ((const TailIntegrand *)params)->x;
    double one_minus = 1 - theta;
    return x * one_minus / ((1 - x) + x * theta);
}

static bool sbg_series_quadrature(double a, double b, double x, double *out)
{
    *out = NAN;
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(QUAD_LIMIT);
    gsl_integration_qaws_table *t = gsl_integration_qaws_table_alloc(a - 1, b - 1, 0, 0);
    bool ok = false;
    if (w && t) {
        TailIntegrand p = {x};
        gsl_function f = {tail_integrand, &p};
        double value, abserr;
        int status = gsl_integration_qaws(&f, 0, 1, t, 0, QUAD_REL_TOL, QUAD_LIMIT, w, &value,
                                          &abserr);
        /* The weight θ^(a-1) (1-θ)^(b-1) integrates to B(a, b). */
        gsl_sf_result lnbeta;
        if (status == GSL_SUCCESS && gsl_sf_lnbeta_e(a, b, &lnbeta) == GSL_SUCCESS) {
            double v = value / exp(lnbeta.val);
            if (isfinite(v)) {
                *out = v;
                ok = true;
            }
        }
    }
    gsl_integration_qaws_table_free(t);
    gsl_integration_workspace_free(w);
    return ok;
}

bool retention_sbg_series(double a, double b, double x, double *out)
{
    *out = NAN;
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
    if (x <= SERIES_X_MAX)
        return sbg_series_direct(a, b, x, out);
    return sbg_series_quadrature(a, b, x, out);
}
