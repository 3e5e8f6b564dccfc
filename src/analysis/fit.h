/*
 * fit.h — maximum-likelihood fits of retention models to a cohort history (`bookval fit`).
 *
 * Two models of a client's lifetime T (the year in which it leaves), both with the renewal
 * convention of DESIGN §5 (retention r(k) is the chance to renew at the start of year k):
 *
 *   - shifted-beta-geometric (sBG; Fader & Hardie, "How to Project Customer Retention", 2007):
 *     each client churns with its own yearly probability theta ~ Beta(alpha, beta), so
 *       P(T = t) = B(alpha + 1, beta + t - 1) / B(alpha, beta),
 *       S(t)     = B(alpha, beta + t) / B(alpha, beta),
 *       r(t)     = S(t) / S(t-1) = (beta + t - 1) / (alpha + beta + t - 1);
 *   - geometric: one constant retention r for every year and client.
 *
 * Cohorts are pooled, each censored at its last observed year: the log-likelihood is
 *   sum over cohorts [ sum_{t=1..last} (n_{t-1} - n_t) ln P(T = t) + n_last ln S(last) ],
 * which equals sum over years t of  lost_t ln(1 - r(t)) + (at_risk_t - lost_t) ln r(t),
 * with at_risk_t the clients active at the start of year t in the cohorts observed that year.
 *
 * This module computes only: no files, no YAML, no printing.
 */
#ifndef BOOKVAL_FIT_H
#define BOOKVAL_FIT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "history.h"

/* The sBG parameters are searched in [FIT_PARAM_MIN, FIT_PARAM_MAX]; an optimum on (or
 * within FIT_BOUND_MARGIN, in ln units, of) an edge is reported as not identified. */
#define FIT_PARAM_MIN 1e-4
#define FIT_PARAM_MAX 1e6
#define FIT_BOUND_MARGIN 1e-3
/* Nelder–Mead (GSL nmsimplex2) on (ln alpha, ln beta): stop when the simplex size is below
 * FIT_SIMPLEX_TOL or the objective has not fallen by FIT_SIMPLEX_STALL_REL (relative) in
 * FIT_SIMPLEX_STALL_ITER iterations; give up after FIT_SIMPLEX_MAX_ITER iterations. */
#define FIT_SIMPLEX_TOL 1e-6
#define FIT_SIMPLEX_STALL_REL 1e-13
#define FIT_SIMPLEX_STALL_ITER 100
#define FIT_SIMPLEX_MAX_ITER 5000
/* Then Newton–Powell (GSL multiroot hybridsj, analytic Hessian) on gradient = 0 until the
 * gradient's 1-norm, of the mean negative log-likelihood per client-year in (ln alpha,
 * ln beta), is below FIT_GRADIENT_TOL; at most FIT_NEWTON_MAX_ITER iterations, and it may
 * not end at a point worse than the simplex's. */
#define FIT_GRADIENT_TOL 1e-10
#define FIT_NEWTON_MAX_ITER 50

/* One year of the pooled table. Year 0 is the start: survival 1, no retention (NaN). */
typedef struct FitYear {
    int year;                   /* 0, 1, ..., the longest cohort's years */
    double at_risk;             /* clients active at the start of the year, in the cohorts
                                   observed through it (NaN for year 0) */
    double lost;                /* of those, clients gone by its end (NaN for year 0) */
    double observed_retention;  /* (at_risk - lost) / at_risk; NaN for year 0 or at_risk 0 */
    double observed_survival;   /* product of observed retention up to the year (pooled
                                   Kaplan–Meier); NaN once a year has nobody at risk */
    double sbg_retention;       /* the fitted models; NaN when the sBG is not identified */
    double sbg_survival;
    double geometric_retention;
    double geometric_survival;
    double sbg_log_likelihood;  /* the year's term of each log-likelihood (NaN for year 0): */
    double geometric_log_likelihood; /* lost ln(1 - r) + (at_risk - lost) ln r */
} FitYear;

typedef struct FitSbg {
    bool identified;        /* false only with model geometric: the reason is in `problem` */
    char problem[BV_ERROR_MESSAGE_MAX];
    double alpha, beta;     /* maximum-likelihood estimates */
    double alpha_se, beta_se; /* standard errors: inverse observed information in (alpha, beta) */
    double correlation;     /* of the alpha and beta estimates */
    double log_likelihood;  /* at the optimum, natural log */
    double aic;             /* 2 x 2 parameters - 2 log_likelihood */
    int simplex_iterations, newton_iterations;
    double gradient_norm;   /* at the optimum: 1-norm of the gradient of the mean negative
                               log-likelihood per client-year in (ln alpha, ln beta) */
} FitSbg;

typedef struct FitGeometric {
    double retention;       /* 1 - churn; churn = lost / at risk over all years (closed form) */
    double retention_se;    /* sqrt(churn (1 - churn) / at risk) */
    double log_likelihood;
    double aic;             /* 2 x 1 parameter - 2 log_likelihood */
} FitGeometric;

typedef struct Fit {
    HistoryModel model;     /* the history's choice: which model the fitted columns follow */
    HistoryModel preferred; /* the model with the lower AIC (geometric when the sBG is not
                               identified) */
    FitSbg sbg;
    FitGeometric geometric;
    FitYear *years;         /* [year_count]: years 0 .. longest cohort's years */
    size_t year_count;
    size_t cohort_count;
    double clients;         /* sum of the cohorts' first counts */
    double client_years;    /* sum of at_risk over the years: the exposure */
} Fit;

/*
 * Fit both models to `history`. exceptions (each recorded in `errors`, *out then NULL):
 *   BV_ERR_INPUT at the history's `cohorts` key when no client was lost in any cohort (no
 *     churn) or no client renewed even once (everyone left in year 1): detected before any
 *     optimisation; and, when model is sbg, when only one year has clients at risk (one
 *     churn rate cannot fix two parameters) or the likelihood rises toward the edge of the
 *     parameter range (the data do not identify the sBG; the message says which way and
 *     suggests the geometric model with its fitted retention);
 *   BV_ERR_NUMERIC when the optimiser does not converge within its caps, a value leaves the
 *     finite range, or the observed information is not positive definite at the optimum;
 *   BV_ERR_NOMEM.
 * With model geometric an sBG that cannot be fitted is not an error: sbg.identified is false.
 * Free the result with fit_free.
 */
BvStatus fit_run(const History *history, Fit **out, BvErrors *errors);

void fit_free(Fit *fit); /* NULL is a no-op */

/* The log-likelihood of the pooled history under sBG(alpha, beta) (NaN for parameters that
 * are not positive and finite). Exposed for tests and for the workbook's cross-check. */
double fit_sbg_log_likelihood(const History *history, double alpha, double beta);

/* sBG survival S(t) = prod_{k=1..t} (beta + k - 1) / (alpha + beta + k - 1); S(0) = 1. */
double fit_sbg_survival(double alpha, double beta, int t);

#endif
