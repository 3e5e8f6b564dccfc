/*
 * fit.c — the retention likelihoods and their maximisation (see fit.h for the models).
 *
 * The history is first pooled into one table of clients at risk and lost per year; both
 * likelihoods depend on the data only through it. The geometric model has a closed form.
 * The sBG is fitted on (ln alpha, ln beta), where the likelihood is smooth and unconstrained
 * but for the box [FIT_PARAM_MIN, FIT_PARAM_MAX]. Nelder–Mead (GSL multimin nmsimplex2) goes
 * first: robust from any start, and the box is a hard wall it cannot step through. A method
 * that only compares likelihood values cannot place the optimum closer than about the square
 * root of the machine epsilon, though, so the optimum is then refined by solving
 * gradient = 0 with GSL's multiroot hybridsj and the analytic Hessian as Jacobian, until the
 * gradient is below FIT_GRADIENT_TOL. Standard errors come from the analytic observed
 * information in (alpha, beta).
 *
 * Every term is written so that it stays accurate at the edges of the box: ln r(t) as
 * -log1p(alpha / (beta + t - 1)), never as the difference of two nearly equal logarithms.
 */
#include "fit.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_vector.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nelder–Mead's first step in ln alpha and ln beta: a factor e either way. */
#define FIT_SIMPLEX_STEP 1.0

/* The history pooled by year: index t = 1 .. years (index 0 unused). */
typedef struct Pooled {
    int years;
    double *at_risk;
    double *lost;
    double exposure; /* sum of at_risk */
    double lost_total;
} Pooled;

static void pooled_free(Pooled *p)
{
    free(p->at_risk);
    free(p->lost);
    p->at_risk = p->lost = NULL;
}

static bool pool_history(const History *h, Pooled *p)
{
    memset(p, 0, sizeof *p);
    size_t longest = 0;
    for (size_t c = 0; c < h->cohort_count; c++)
        if (h->cohorts[c].count - 1 > longest)
            longest = h->cohorts[c].count - 1;
    p->years = (int)longest;
    p->at_risk = calloc(longest + 1, sizeof *p->at_risk);
    p->lost = calloc(longest + 1, sizeof *p->lost);
    if (!p->at_risk || !p->lost) {
        pooled_free(p);
        return false;
    }
    for (size_t c = 0; c < h->cohort_count; c++) {
        const HistoryCohort *k = &h->cohorts[c];
        for (size_t t = 1; t < k->count; t++) {
            p->at_risk[t] += k->survival[t - 1];
            p->lost[t] += k->survival[t - 1] - k->survival[t];
        }
    }
    for (int t = 1; t <= p->years; t++) {
        p->exposure += p->at_risk[t];
        p->lost_total += p->lost[t];
    }
    return true;
}

/* ---- the sBG likelihood on the pooled table ---- */

/* ln L(alpha, beta) = sum_t lost ln(alpha / s) - renewed log1p(alpha / (beta + t - 1)),
 * s = alpha + beta + t - 1. */
static double sbg_log_likelihood(const Pooled *p, double a, double b)
{
    double ll = 0;
    for (int t = 1; t <= p->years; t++) {
        double bt = b + (double)(t - 1);
        double s = a + bt;
        double renewed = p->at_risk[t] - p->lost[t];
        if (p->lost[t] > 0)
            ll += p->lost[t] * log(a / s);
        if (renewed > 0)
            ll -= renewed * log1p(a / bt);
    }
    return ll;
}

/* Gradient of ln L with respect to (ln alpha, ln beta). */
static void sbg_gradient_log(const Pooled *p, double a, double b, double *du, double *dv)
{
    double gu = 0, gv = 0;
    for (int t = 1; t <= p->years; t++) {
        double bt = b + (double)(t - 1);
        double s = a + bt;
        double renewed = p->at_risk[t] - p->lost[t];
        gu += p->lost[t] - p->at_risk[t] * a / s;
        gv += renewed * b / bt - p->at_risk[t] * b / s;
    }
    *du = gu;
    *dv = gv;
}

/* Hessian of ln L with respect to (ln alpha, ln beta). */
static void sbg_hessian_log(const Pooled *p, double a, double b, double h[2][2])
{
    double uu = 0, vv = 0, uv = 0;
    for (int t = 1; t <= p->years; t++) {
        double bt = b + (double)(t - 1);
        double s = a + bt;
        double renewed = p->at_risk[t] - p->lost[t];
        double s2 = s * s;
        uu -= p->at_risk[t] * a * bt / s2;
        uv += p->at_risk[t] * a * b / s2;
        vv += renewed * b * (double)(t - 1) / (bt * bt) -
              p->at_risk[t] * b * (a + (double)(t - 1)) / s2;
    }
    h[0][0] = uu;
    h[1][1] = vv;
    h[0][1] = h[1][0] = uv;
}

/* Minus the Hessian of ln L in (alpha, beta): the observed information. */
static void sbg_information(const Pooled *p, double a, double b, double info[2][2])
{
    double aa = 0, bb = 0, ab = 0;
    for (int t = 1; t <= p->years; t++) {
        double bt = b + (double)(t - 1);
        double s = a + bt;
        double renewed = p->at_risk[t] - p->lost[t];
        double common = p->at_risk[t] / (s * s);
        aa += p->lost[t] / (a * a) - common;
        bb += renewed / (bt * bt) - common;
        ab -= common;
    }
    info[0][0] = aa;
    info[1][1] = bb;
    info[0][1] = info[1][0] = ab;
}

double fit_sbg_survival(double a, double b, int t)
{
    /* exp(sum ln r(k)): a product of t factors, accurate for any t. */
    double log_s = 0;
    for (int k = 1; k <= t; k++)
        log_s -= log1p(a / (b + (double)(k - 1)));
    return exp(log_s);
}

double fit_sbg_log_likelihood(const History *h, double a, double b)
{
    if (!(isfinite(a) && isfinite(b) && a > 0 && b > 0))
        return (double)NAN;
    Pooled p;
    if (!pool_history(h, &p))
        return (double)NAN;
    double ll = sbg_log_likelihood(&p, a, b);
    pooled_free(&p);
    return ll;
}

/* ---- the objective for GSL: mean negative ln L per client-year in (ln alpha, ln beta) ---- */

typedef struct Objective {
    const Pooled *p;
    double lo, hi; /* the box in ln units */
} Objective;

static bool in_box(const Objective *o, double u, double v)
{
    return u >= o->lo && u <= o->hi && v >= o->lo && v <= o->hi;
}

static double objective_f(const gsl_vector *x, void *params)
{
    const Objective *o = params;
    double u = gsl_vector_get(x, 0), v = gsl_vector_get(x, 1);
    if (!in_box(o, u, v))
        return HUGE_VAL; /* a wall: nmsimplex2 treats it as worse than any point inside */
    double f = -sbg_log_likelihood(o->p, exp(u), exp(v)) / o->p->exposure;
    return isfinite(f) ? f : HUGE_VAL;
}

/* The gradient of the objective, as a root-finding problem: defined wherever exp() of the
 * coordinates is a positive finite number (the box is checked afterwards). */
static bool gradient_point(const gsl_vector *x, double *a, double *b)
{
    *a = exp(gsl_vector_get(x, 0));
    *b = exp(gsl_vector_get(x, 1));
    return isfinite(*a) && isfinite(*b) && *a > 0 && *b > 0;
}

static int gradient_f(const gsl_vector *x, void *params, gsl_vector *g)
{
    const Objective *o = params;
    double a, b, du, dv;
    if (!gradient_point(x, &a, &b))
        return GSL_EDOM;
    sbg_gradient_log(o->p, a, b, &du, &dv);
    gsl_vector_set(g, 0, -du / o->p->exposure);
    gsl_vector_set(g, 1, -dv / o->p->exposure);
    return isfinite(du) && isfinite(dv) ? GSL_SUCCESS : GSL_EDOM;
}

static int gradient_df(const gsl_vector *x, void *params, gsl_matrix *jacobian)
{
    const Objective *o = params;
    double a, b, h[2][2];
    if (!gradient_point(x, &a, &b))
        return GSL_EDOM;
    sbg_hessian_log(o->p, a, b, h);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 2; j++) {
            double v = -h[i][j] / o->p->exposure;
            if (!isfinite(v))
                return GSL_EDOM;
            gsl_matrix_set(jacobian, i, j, v);
        }
    return GSL_SUCCESS;
}

static int gradient_fdf(const gsl_vector *x, void *params, gsl_vector *g, gsl_matrix *jacobian)
{
    int status = gradient_f(x, params, g);
    return status == GSL_SUCCESS ? gradient_df(x, params, jacobian) : status;
}

/* ---- the sBG fit ---- */

typedef struct SbgOutcome {
    BvStatus status;
    char message[BV_ERROR_MESSAGE_MAX];
} SbgOutcome;

static BvStatus fail(SbgOutcome *out, BvStatus status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static BvStatus fail(SbgOutcome *out, BvStatus status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    out->status = status;
    return status;
}

/* Why the optimum sits at an edge of the box, for the message. */
static BvStatus boundary_problem(SbgOutcome *out, const Objective *o, double u, double v)
{
    bool high = u > o->hi - FIT_BOUND_MARGIN || v > o->hi - FIT_BOUND_MARGIN;
    return fail(out, BV_ERR_INPUT,
                "the history does not identify the sBG model: its likelihood keeps rising "
                "toward the edge of its range (alpha = %.4g, beta = %.4g; each in [%g, %g]): "
                "%s",
                exp(u), exp(v), FIT_PARAM_MIN, FIT_PARAM_MAX,
                high ? "yearly churn does not fall with tenure in this history, so the sBG "
                       "runs to its no-heterogeneity limit"
                     : "clients either leave at once or stay for good (churn all but stops "
                       "after the first years); check the counts");
}

static bool near_edge(const Objective *o, double u, double v)
{
    return u < o->lo + FIT_BOUND_MARGIN || u > o->hi - FIT_BOUND_MARGIN ||
           v < o->lo + FIT_BOUND_MARGIN || v > o->hi - FIT_BOUND_MARGIN;
}

/* Stage 1: Nelder–Mead inside the box. On success (u, v) is the simplex's best point. */
static BvStatus simplex_stage(const Objective *o, double churn1, FitSbg *s, double *u,
                              double *v, SbgOutcome *out)
{
    gsl_vector *x = gsl_vector_alloc(2), *step = gsl_vector_alloc(2);
    gsl_multimin_fminimizer *nm =
        gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 2);
    if (!x || !step || !nm) {
        fail(out, BV_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* Start where the first year's churn alpha / (alpha + beta) matches the data, alpha = 1. */
    churn1 = GSL_MIN(GSL_MAX(churn1, 0.01), 0.99);
    gsl_vector_set(x, 0, 0.0);
    gsl_vector_set(x, 1, log((1 - churn1) / churn1));
    gsl_vector_set_all(step, FIT_SIMPLEX_STEP);
    gsl_multimin_function f = {objective_f, 2, (void *)o};
    int gs = gsl_multimin_fminimizer_set(nm, &f, x, step);
    if (gs != GSL_SUCCESS) {
        fail(out, BV_ERR_NUMERIC, "the sBG fit could not start: %s", gsl_strerror(gs));
        goto done;
    }
    /* Stop when the simplex is small, or when it has stalled: no decrease of the objective
     * by more than FIT_SIMPLEX_STALL_REL (relative) in FIT_SIMPLEX_STALL_ITER iterations,
     * which is where a value-comparing method meets rounding along a flat ridge. Either way
     * the Newton stage then certifies the optimum by its gradient. */
    int iter = 0, improved_at = 0;
    double mark = objective_f(x, (void *)o); /* GSL sets fval only once it iterates */
    bool converged = false;
    while (!converged && iter < FIT_SIMPLEX_MAX_ITER) {
        iter++;
        gs = gsl_multimin_fminimizer_iterate(nm);
        if (gs != GSL_SUCCESS)
            break;
        double best_f = gsl_multimin_fminimizer_minimum(nm);
        if (best_f < mark - FIT_SIMPLEX_STALL_REL * fabs(mark)) {
            mark = best_f;
            improved_at = iter;
        }
        converged = gsl_multimin_test_size(gsl_multimin_fminimizer_size(nm),
                                           FIT_SIMPLEX_TOL) == GSL_SUCCESS ||
                    iter - improved_at >= FIT_SIMPLEX_STALL_ITER;
    }
    s->simplex_iterations = iter;
    const gsl_vector *best = gsl_multimin_fminimizer_x(nm);
    *u = gsl_vector_get(best, 0);
    *v = gsl_vector_get(best, 1);
    if (near_edge(o, *u, *v)) {
        boundary_problem(out, o, *u, *v);
        goto done;
    }
    if (!converged) {
        fail(out, BV_ERR_NUMERIC,
             "the sBG fit did not converge: the Nelder-Mead simplex still had size %.3g after "
             "%d iterations (tolerance %.0e; last alpha = %.6g, beta = %.6g)%s%s",
             gsl_multimin_fminimizer_size(nm), iter, FIT_SIMPLEX_TOL, exp(*u), exp(*v),
             gs != GSL_SUCCESS ? ": " : "", gs != GSL_SUCCESS ? gsl_strerror(gs) : "");
        goto done;
    }
    out->status = BV_OK;
done:
    gsl_multimin_fminimizer_free(nm);
    gsl_vector_free(step);
    gsl_vector_free(x);
    return out->status;
}

/* Stage 2: solve gradient = 0 from (u, v) with the analytic Hessian; updates (u, v). */
static BvStatus newton_stage(const Objective *o, FitSbg *s, double *u, double *v,
                             SbgOutcome *out)
{
    gsl_vector *x = gsl_vector_alloc(2);
    gsl_multiroot_fdfsolver *solver =
        gsl_multiroot_fdfsolver_alloc(gsl_multiroot_fdfsolver_hybridsj, 2);
    if (!x || !solver) {
        fail(out, BV_ERR_NOMEM, "out of memory");
        goto done;
    }
    gsl_vector_set(x, 0, *u);
    gsl_vector_set(x, 1, *v);
    double start_f = objective_f(x, (void *)o);
    gsl_multiroot_function_fdf fdf = {gradient_f, gradient_df, gradient_fdf, 2, (void *)o};
    int gs = gsl_multiroot_fdfsolver_set(solver, &fdf, x);
    const gsl_vector *gradient = gsl_multiroot_fdfsolver_f(solver); /* updated in place */
    int iter = 0;
    if (gs == GSL_SUCCESS)
        gs = gsl_multiroot_test_residual(gradient, FIT_GRADIENT_TOL);
    while (gs == GSL_CONTINUE && iter < FIT_NEWTON_MAX_ITER) {
        iter++;
        gs = gsl_multiroot_fdfsolver_iterate(solver);
        if (gs != GSL_SUCCESS)
            break; /* GSL_ENOPROG and friends: judged by the residual below */
        gs = gsl_multiroot_test_residual(gradient, FIT_GRADIENT_TOL);
    }
    s->newton_iterations = iter;
    const gsl_vector *root = gsl_multiroot_fdfsolver_root(solver);
    double ru = gsl_vector_get(root, 0), rv = gsl_vector_get(root, 1);
    s->gradient_norm = fabs(gsl_vector_get(gradient, 0)) + fabs(gsl_vector_get(gradient, 1));
    if (!(s->gradient_norm < FIT_GRADIENT_TOL)) {
        fail(out, BV_ERR_NUMERIC,
             "the sBG fit did not converge: the gradient was still %.3g after %d Newton "
             "iterations (tolerance %.0e; alpha = %.6g, beta = %.6g)%s%s",
             s->gradient_norm, iter, FIT_GRADIENT_TOL, exp(ru), exp(rv),
             gs != GSL_SUCCESS ? ": " : "", gs != GSL_SUCCESS ? gsl_strerror(gs) : "");
        goto done;
    }
    /* A stationary point at or beyond the caps: the maximum is not inside the range. */
    if (!in_box(o, ru, rv) || near_edge(o, ru, rv)) {
        boundary_problem(out, o, GSL_MIN(GSL_MAX(ru, o->lo), o->hi),
                         GSL_MIN(GSL_MAX(rv, o->lo), o->hi));
        goto done;
    }
    /* The refinement must not trade the simplex's maximum for another stationary point. */
    if (objective_f(root, (void *)o) > start_f + FIT_SIMPLEX_STALL_REL * fabs(start_f)) {
        fail(out, BV_ERR_NUMERIC,
             "the sBG fit did not converge: refining the optimum from alpha = %.6g, "
             "beta = %.6g led to a worse point, alpha = %.6g, beta = %.6g",
             exp(*u), exp(*v), exp(ru), exp(rv));
        goto done;
    }
    *u = ru;
    *v = rv;
    out->status = BV_OK;
done:
    gsl_multiroot_fdfsolver_free(solver);
    gsl_vector_free(x);
    return out->status;
}

static BvStatus fit_sbg(const Pooled *p, FitSbg *s, SbgOutcome *out)
{
    Objective o = {p, log(FIT_PARAM_MIN), log(FIT_PARAM_MAX)};
    double u = (double)NAN, v = (double)NAN;
    int observed_years = 0;
    for (int t = 1; t <= p->years; t++)
        observed_years += p->at_risk[t] > 0;
    if (observed_years < 2)
        return fail(out, BV_ERR_INPUT,
                    "one year of history cannot identify the sBG's two parameters (it fixes "
                    "only the first year's churn, %.4f): observe a cohort with clients at risk "
                    "for at least two years",
                    p->lost[1] / p->at_risk[1]);
    if (simplex_stage(&o, p->lost[1] / p->at_risk[1], s, &u, &v, out) != BV_OK ||
        newton_stage(&o, s, &u, &v, out) != BV_OK)
        return out->status;
    s->alpha = exp(u);
    s->beta = exp(v);
    s->log_likelihood = sbg_log_likelihood(p, s->alpha, s->beta);
    s->aic = 2.0 * 2 - 2 * s->log_likelihood;

    /* Standard errors: the inverse of the observed information, through its Cholesky factor
     * (which also proves the optimum is a strict maximum). */
    double info[2][2];
    sbg_information(p, s->alpha, s->beta, info);
    gsl_matrix_view m = gsl_matrix_view_array(&info[0][0], 2, 2);
    int gs = gsl_linalg_cholesky_decomp1(&m.matrix);
    if (gs == GSL_SUCCESS)
        gs = gsl_linalg_cholesky_invert(&m.matrix);
    if (gs != GSL_SUCCESS)
        return fail(out, BV_ERR_NUMERIC,
                    "the observed information is not positive definite at the sBG optimum "
                    "(alpha = %.6g, beta = %.6g), so it is not a proper maximum: %s",
                    s->alpha, s->beta, gsl_strerror(gs));
    s->alpha_se = sqrt(gsl_matrix_get(&m.matrix, 0, 0));
    s->beta_se = sqrt(gsl_matrix_get(&m.matrix, 1, 1));
    s->correlation = gsl_matrix_get(&m.matrix, 0, 1) / (s->alpha_se * s->beta_se);
    if (!(isfinite(s->log_likelihood) && isfinite(s->alpha_se) && isfinite(s->beta_se) &&
          s->alpha_se > 0 && s->beta_se > 0 && isfinite(s->correlation)))
        return fail(out, BV_ERR_NUMERIC,
                    "the sBG fit left the finite range (alpha = %.6g, beta = %.6g)", s->alpha,
                    s->beta);
    s->identified = true;
    out->status = BV_OK;
    return BV_OK;
}

/* ---- both models ---- */

static void fit_geometric(const Pooled *p, FitGeometric *g)
{
    double churn = p->lost_total / p->exposure;
    double renewed = p->exposure - p->lost_total;
    g->retention = 1 - churn;
    g->retention_se = sqrt(churn * (1 - churn) / p->exposure);
    /* 0 < churn < 1 here: fit_run rules out the degenerate histories first. */
    g->log_likelihood = p->lost_total * log(churn) + renewed * log1p(-churn);
    g->aic = 2.0 * 1 - 2 * g->log_likelihood;
}

/* One year's term of ln L: lost ln(1 - r) + renewed ln r, with 1 - r = churn. */
static double year_term(double lost, double renewed, double log_churn, double log_retention)
{
    double term = 0;
    if (lost > 0)
        term += lost * log_churn;
    if (renewed > 0)
        term += renewed * log_retention;
    return term;
}

static void fill_years(const Pooled *p, Fit *fit)
{
    const FitSbg *s = &fit->sbg;
    double churn = 1 - fit->geometric.retention;
    double observed = 1, sbg = 1, geometric = 1;
    for (int t = 0; t <= p->years; t++) {
        FitYear *y = &fit->years[t];
        y->year = t;
        if (t == 0) {
            y->at_risk = y->lost = y->observed_retention = (double)NAN;
            y->sbg_retention = y->geometric_retention = (double)NAN;
            y->sbg_log_likelihood = y->geometric_log_likelihood = (double)NAN;
        } else {
            double renewed = p->at_risk[t] - p->lost[t];
            double bt = s->beta + (double)(t - 1);
            y->sbg_log_likelihood =
                s->identified ? year_term(p->lost[t], renewed, log(s->alpha / (s->alpha + bt)),
                                          -log1p(s->alpha / bt))
                              : (double)NAN;
            y->geometric_log_likelihood =
                year_term(p->lost[t], renewed, log(churn), log1p(-churn));
            y->at_risk = p->at_risk[t];
            y->lost = p->lost[t];
            y->observed_retention =
                p->at_risk[t] > 0 ? (p->at_risk[t] - p->lost[t]) / p->at_risk[t] : (double)NAN;
            observed *= y->observed_retention; /* NaN from here on once nobody is at risk */
            y->sbg_retention = s->identified ? bt / (s->alpha + bt) : (double)NAN;
            sbg *= y->sbg_retention;
            y->geometric_retention = fit->geometric.retention;
            geometric *= y->geometric_retention;
        }
        y->observed_survival = observed;
        y->sbg_survival = fit->sbg.identified ? sbg : (double)NAN;
        y->geometric_survival = geometric;
    }
}

BvStatus fit_run(const History *h, Fit **out, BvErrors *errors)
{
    *out = NULL;
    const Mark *where = &h->cohorts_mark;
    if (h->cohort_count == 0)
        return bv_error(errors, BV_ERR_INPUT, where, "cohorts", "the history has no cohorts");
    Pooled p;
    Fit *fit = calloc(1, sizeof *fit);
    if (!fit || !pool_history(h, &p)) {
        free(fit);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    BvStatus status = BV_OK;
    fit->model = h->model;
    fit->cohort_count = h->cohort_count;
    fit->client_years = p.exposure;
    for (size_t c = 0; c < h->cohort_count; c++)
        fit->clients += h->cohorts[c].survival[0];

    /* Degenerate histories: the likelihood has no maximum at all, so say why before any
     * optimiser can run away. */
    if (p.lost_total == 0) {
        status = bv_error(errors, BV_ERR_INPUT, where, "cohorts",
                          "no client left in any cohort (no churn at all): retention is 100%% "
                          "and no retention model can be fitted; a history needs at least one "
                          "lost client");
        goto done;
    }
    if (p.lost_total == p.exposure) {
        status = bv_error(errors, BV_ERR_INPUT, where, "cohorts",
                          "every client left in the first year (no client renewed even once): "
                          "retention is 0%% and no retention model can be fitted");
        goto done;
    }
    fit_geometric(&p, &fit->geometric);
    if (!isfinite(fit->geometric.log_likelihood)) {
        status = bv_error(errors, BV_ERR_NUMERIC, NULL, NULL,
                          "the geometric log-likelihood is not finite");
        goto done;
    }

    SbgOutcome outcome = {BV_OK, ""};
    if (fit_sbg(&p, &fit->sbg, &outcome) != BV_OK) {
        if (outcome.status == BV_ERR_INPUT && h->model == HISTORY_MODEL_SBG) {
            status = bv_error(errors, BV_ERR_INPUT, where, "cohorts",
                              "%s; to fit constant retention instead, write "
                              "'model: geometric' (retention %.4f)",
                              outcome.message, fit->geometric.retention);
            goto done;
        }
        if (outcome.status != BV_ERR_INPUT && (outcome.status == BV_ERR_NOMEM ||
                                               h->model == HISTORY_MODEL_SBG)) {
            status = bv_error(errors, outcome.status, NULL, NULL, "%s", outcome.message);
            goto done;
        }
        /* With model geometric the sBG is only a comparison: keep why it is missing. */
        FitSbg missing = {0};
        missing.alpha = missing.beta = missing.alpha_se = missing.beta_se = (double)NAN;
        missing.correlation = missing.log_likelihood = missing.aic = (double)NAN;
        missing.gradient_norm = (double)NAN;
        snprintf(missing.problem, sizeof missing.problem, "%s", outcome.message);
        fit->sbg = missing;
    }

    fit->preferred = fit->sbg.identified && fit->sbg.aic < fit->geometric.aic
                         ? HISTORY_MODEL_SBG
                         : HISTORY_MODEL_GEOMETRIC;
    fit->year_count = (size_t)p.years + 1;
    fit->years = calloc(fit->year_count, sizeof *fit->years);
    if (!fit->years) {
        status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        goto done;
    }
    fill_years(&p, fit);
done:
    pooled_free(&p);
    if (status != BV_OK) {
        fit_free(fit);
        return status;
    }
    *out = fit;
    return BV_OK;
}

void fit_free(Fit *fit)
{
    if (!fit)
        return;
    free(fit->years);
    free(fit);
}
