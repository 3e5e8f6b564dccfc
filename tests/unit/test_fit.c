/*
 * test_fit.c — `bookval fit`: the history reader (src/history.c), the likelihoods and their
 * maximisation (src/fit.c) and the scenario line (src/report_fit.c).
 *
 * Reference values come from tests/reference/sbg_mle.py, written from Fader & Hardie (2007)
 * and not from the C code: it evaluates the likelihood through Beta functions with mpmath at
 * 40 digits, maximises it by a refined grid search and then Newton's method on
 * high-precision numerical derivatives, and takes standard errors from the inverse of the
 * numerically differentiated observed information. Its output (python3 sbg_mle.py):
 *
 *   regular  (F&H: 1000, 869, 743, 653, 593, 551, 517, 491)
 *     alpha 0.6680883511064462186   se 0.10373493114956455032
 *     beta  3.8060949640582669336   se 0.78553169177570710359
 *     log_likelihood -1611.1581473911564414   aic 3226.3162947823128828
 *     geometric retention 0.89667072675598863175, log_likelihood -1637.0928189339868932
 *   high_end (F&H: 1000, 631, 468, 382, 326, 289, 262, 241)
 *     alpha 0.70407729847351620802  se 0.065598964234037207416
 *     beta  1.1820430262094756755   se 0.15247563167590936087
 *     log_likelihood -1680.2651884632869933   aic 3364.5303769265739866
 *     fitted survival 1, 0.62670605408387537, 0.47381932177314309, 0.38797395411438384,
 *       0.33206791100876999, 0.29234709920130994, 0.26245581846309497, 0.23902361402997535
 *   censored (three cohorts of 5, 3 and 2 years, pooled)
 *     alpha 0.26617494128972937498  se 0.031105791985206596533
 *     beta  1.4817495548212454675   se 0.22754529932199481526
 *     log_likelihood -1919.976807194770679   aic 3843.9536143895413581
 *     geometric retention 0.90376301040832666133, log_likelihood -1978.0115248115847785
 *
 * Fader & Hardie publish alpha = 0.668, beta = 3.806 (regular) and alpha = 0.704,
 * beta = 1.182 (high end) — note: regular customers have the larger beta; a brief that paired
 * them the other way round had them swapped — and the reference reproduces both to the 3
 * decimals printed. Further values (the likelihood at the published parameters, sBG survival
 * through Beta functions) are from the same script's functions, as noted at each use.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "unit_support.h"

#include "fit.h"
#include "history.h"
#include "report_fit.h"

/* The optimum is located to a gradient of 1e-10 per client-year; parameters agree with the
 * 40-digit reference to about 1e-12, standard errors (analytic there, numerical in the
 * reference) to about 1e-12 too. */
#define PARAM_TOL 1e-9
#define SE_TOL 1e-8
#define LL_TOL 1e-12

static const double REGULAR[] = {1000, 869, 743, 653, 593, 551, 517, 491};
static const double HIGH_END[] = {1000, 631, 468, 382, 326, 289, 262, 241};
static const double C2019[] = {1200, 1010, 905, 840, 792, 760};
static const double C2021[] = {400, 350, 310, 290};
static const double C2022[] = {237, 201, 186};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A history built by hand (not parsed): its `cohorts` key "written" at line 3, column 1. */
static History *make_history(HistoryModel model, size_t n, const double *const counts[],
                             const size_t lens[])
{
    History *h = calloc(1, sizeof *h);
    assert_non_null(h);
    h->file = strdup("hand-made.yaml");
    assert_non_null(h->file);
    h->model = model;
    h->cohorts_mark = (Mark){h->file, 3, 1};
    h->model_mark = (Mark){h->file, 2, 8};
    h->cohorts = calloc(n, sizeof *h->cohorts);
    assert_non_null(h->cohorts);
    h->cohort_count = n;
    for (size_t i = 0; i < n; i++) {
        HistoryCohort *c = &h->cohorts[i];
        c->name = strdup("cohort");
        c->survival = malloc(lens[i] * sizeof *c->survival);
        assert_non_null(c->name);
        assert_non_null(c->survival);
        memcpy(c->survival, counts[i], lens[i] * sizeof *c->survival);
        c->count = lens[i];
        c->mark = (Mark){h->file, 4 + (int)i, 5};
    }
    return h;
}

static History *one_cohort(HistoryModel model, const double *counts, size_t len)
{
    return make_history(model, 1, (const double *const[]){counts}, (const size_t[]){len});
}

/* Fit, expecting success. */
static Fit *fit_ok(const History *h)
{
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    bv_errors_init(errors);
    Fit *fit = NULL;
    BvStatus status = fit_run(h, &fit, errors);
    if (status != BV_OK)
        unit_dump_errors(errors);
    assert_int_equal(status, BV_OK);
    assert_non_null(fit);
    assert_int_equal(errors->count, 0);
    free(errors);
    return fit;
}

/* Fit, expecting `status` with one error whose message contains `needle`; returns the error
 * (copied into *out). */
static void fit_fails(const History *h, BvStatus status, const char *needle, BvError *out)
{
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    bv_errors_init(errors);
    Fit *fit = (Fit *)1;
    assert_int_equal(fit_run(h, &fit, errors), status);
    assert_null(fit);
    assert_int_equal(errors->count, 1);
    const BvError *e = unit_expect_error(errors, needle);
    if (out)
        *out = *e;
    free(errors);
}

/* ---- Fader & Hardie's published data ---- */

static void test_regular_cohort_matches_reference_and_publication(void **state)
{
    (void)state;
    History *h = one_cohort(HISTORY_MODEL_SBG, REGULAR, COUNT(REGULAR));
    Fit *fit = fit_ok(h);
    const FitSbg *s = &fit->sbg;
    assert_true(s->identified);
    assert_rel(s->alpha, 0.6680883511064462186, PARAM_TOL);
    assert_rel(s->beta, 3.8060949640582669336, PARAM_TOL);
    assert_rel(s->alpha_se, 0.10373493114956455032, SE_TOL);
    assert_rel(s->beta_se, 0.78553169177570710359, SE_TOL);
    assert_rel(s->log_likelihood, -1611.1581473911564414, LL_TOL);
    assert_rel(s->aic, 3226.3162947823128828, LL_TOL);
    /* The published estimates, to the 3 decimals printed. */
    assert_true(fabs(s->alpha - 0.668) < 5e-4);
    assert_true(fabs(s->beta - 3.806) < 5e-4);
    assert_rel(fit->geometric.retention, 0.89667072675598863175, 1e-15);
    assert_rel(fit->geometric.log_likelihood, -1637.0928189339868932, LL_TOL);
    assert_int_equal(fit->preferred, HISTORY_MODEL_SBG);
    assert_true(s->gradient_norm < FIT_GRADIENT_TOL);
    fit_free(fit);
    history_free(h);
}

static void test_high_end_cohort_matches_reference_and_publication(void **state)
{
    (void)state;
    static const double survival[] = {1, 0.62670605408387537, 0.47381932177314309,
                                      0.38797395411438384, 0.33206791100876999,
                                      0.29234709920130994, 0.26245581846309497,
                                      0.23902361402997535};
    History *h = one_cohort(HISTORY_MODEL_SBG, HIGH_END, COUNT(HIGH_END));
    Fit *fit = fit_ok(h);
    const FitSbg *s = &fit->sbg;
    assert_rel(s->alpha, 0.70407729847351620802, PARAM_TOL);
    assert_rel(s->beta, 1.1820430262094756755, PARAM_TOL);
    assert_rel(s->alpha_se, 0.065598964234037207416, SE_TOL);
    assert_rel(s->beta_se, 0.15247563167590936087, SE_TOL);
    assert_rel(s->log_likelihood, -1680.2651884632869933, LL_TOL);
    assert_rel(s->aic, 3364.5303769265739866, LL_TOL);
    assert_true(fabs(s->alpha - 0.704) < 5e-4);
    assert_true(fabs(s->beta - 1.182) < 5e-4);
    assert_int_equal(fit->year_count, 8);
    for (size_t t = 0; t < fit->year_count; t++) {
        const FitYear *y = &fit->years[t];
        assert_int_equal(y->year, (int)t);
        assert_rel(y->sbg_survival, survival[t], 1e-9);
        /* One cohort: the observed survival is simply n_t / n_0. */
        assert_rel(y->observed_survival, HIGH_END[t] / HIGH_END[0], 1e-15);
        if (t > 0) {
            assert_rel(y->at_risk, HIGH_END[t - 1], 0);
            assert_rel(y->lost, HIGH_END[t - 1] - HIGH_END[t], 0);
            assert_rel(y->sbg_retention, survival[t] / survival[t - 1], 1e-9);
        }
    }
    assert_true(isnan(fit->years[0].at_risk) && isnan(fit->years[0].observed_retention));
    fit_free(fit);
    history_free(h);
}

/* The log-likelihood itself, at the published parameters (sbg_mle.log_likelihood). */
static void test_log_likelihood_at_published_parameters(void **state)
{
    (void)state;
    History *hi = one_cohort(HISTORY_MODEL_SBG, HIGH_END, COUNT(HIGH_END));
    History *re = one_cohort(HISTORY_MODEL_SBG, REGULAR, COUNT(REGULAR));
    assert_rel(fit_sbg_log_likelihood(hi, 0.704, 1.182), -1680.2651905533524997, 1e-14);
    assert_rel(fit_sbg_log_likelihood(re, 0.668, 3.806), -1611.1581503549219012, 1e-14);
    assert_true(isnan(fit_sbg_log_likelihood(re, 0, 1)));
    assert_true(isnan(fit_sbg_log_likelihood(re, 1, (double)INFINITY)));
    history_free(hi);
    history_free(re);
}

/* S(t) = B(alpha, beta + t) / B(alpha, beta) (mpmath.beta via sbg_mle.survival), including
 * a nearly homogeneous book where a difference of logarithms would lose digits. */
static void test_sbg_survival_against_beta_functions(void **state)
{
    (void)state;
    assert_rel(fit_sbg_survival(0.704, 1.182, 0), 1, 0);
    assert_rel(fit_sbg_survival(0.704, 1.182, 1), 0.6267232237539766702, 1e-14);
    assert_rel(fit_sbg_survival(0.704, 1.182, 7), 0.23905064169324441058, 1e-14);
    assert_rel(fit_sbg_survival(0.704, 1.182, 40), 0.075858486004095195803, 1e-13);
    assert_rel(fit_sbg_survival(0.0375, 2385.17, 1), 0.99998427809739823474, 1e-15);
    assert_rel(fit_sbg_survival(0.0375, 2385.17, 7), 0.99989009002820791356, 1e-15);
    assert_rel(fit_sbg_survival(0.0375, 2385.17, 40), 0.99937639879319686415, 1e-15);
}

/* ---- pooling censored cohorts ---- */

static History *censored(HistoryModel model)
{
    return make_history(model, 3, (const double *const[]){C2019, C2021, C2022},
                        (const size_t[]){COUNT(C2019), COUNT(C2021), COUNT(C2022)});
}

static void test_censored_cohorts_are_pooled(void **state)
{
    (void)state;
    History *h = censored(HISTORY_MODEL_SBG);
    Fit *fit = fit_ok(h);
    const FitSbg *s = &fit->sbg;
    assert_rel(s->alpha, 0.26617494128972937498, PARAM_TOL);
    assert_rel(s->beta, 1.4817495548212454675, PARAM_TOL);
    assert_rel(s->alpha_se, 0.031105791985206596533, SE_TOL);
    assert_rel(s->beta_se, 0.22754529932199481526, SE_TOL);
    assert_rel(s->log_likelihood, -1919.976807194770679, LL_TOL);
    assert_rel(s->aic, 3843.9536143895413581, LL_TOL);
    assert_rel(fit->geometric.retention, 0.90376301040832666133, 1e-15);
    assert_rel(fit->geometric.log_likelihood, -1978.0115248115847785, LL_TOL);
    /* The pooled table by hand: year t counts the cohorts observed through year t. */
    static const double at_risk[] = {0, 1200 + 400 + 237, 1010 + 350 + 201, 905 + 310, 840, 792};
    static const double lost[] = {0, 190 + 50 + 36, 105 + 40 + 15, 65 + 20, 48, 32};
    assert_int_equal(fit->year_count, 6);
    double km = 1;
    for (int t = 1; t <= 5; t++) {
        const FitYear *y = &fit->years[t];
        assert_rel(y->at_risk, at_risk[t], 0);
        assert_rel(y->lost, lost[t], 0);
        km *= (at_risk[t] - lost[t]) / at_risk[t];
        assert_rel(y->observed_retention, (at_risk[t] - lost[t]) / at_risk[t], 1e-15);
        assert_rel(y->observed_survival, km, 1e-15);
        assert_rel(y->sbg_survival, fit_sbg_survival(s->alpha, s->beta, t), 1e-13);
    }
    assert_rel(fit->clients, 1200 + 400 + 237, 0);
    assert_rel(fit->client_years, 6245, 0);
    assert_int_equal(fit->cohort_count, 3);
    fit_free(fit);
    history_free(h);
}

/* ---- the geometric model ---- */

/* Closed form: churn = lost / at risk over all cohort-years. The censored set loses
 * 440 + 110 + 51 = 601 clients in 4747 + 1060 + 438 = 6245 client-years. */
static void test_geometric_closed_form(void **state)
{
    (void)state;
    History *h = censored(HISTORY_MODEL_GEOMETRIC);
    Fit *fit = fit_ok(h);
    const FitGeometric *g = &fit->geometric;
    double p = 601.0 / 6245.0;
    assert_rel(g->retention, 1 - p, 1e-15);
    assert_rel(g->retention_se, sqrt(p * (1 - p) / 6245), 1e-14);
    double ll = 601 * log(p) + 5644 * log(1 - p);
    assert_rel(g->log_likelihood, ll, 1e-14);
    assert_rel(g->aic, 2 - 2 * ll, 1e-14);
    /* With model geometric the fitted columns are constant retention ... */
    for (size_t t = 1; t < fit->year_count; t++) {
        assert_rel(fit->years[t].geometric_retention, 1 - p, 1e-15);
        assert_rel(fit->years[t].geometric_survival, pow(1 - p, (double)t), 1e-13);
    }
    /* ... and the sBG is still fitted for comparison (and preferred by AIC here). */
    assert_true(fit->sbg.identified);
    assert_int_equal(fit->preferred, HISTORY_MODEL_SBG);
    char line[128];
    report_fit_scenario_line(fit, line, sizeof line);
    assert_string_equal(line, "retention: 0.903763");
    fit_free(fit);
    history_free(h);
}

/* A history with exactly constant retention: the sBG runs to its homogeneous limit. */
static const double CONSTANT[] = {10000, 9000, 8100, 7290, 6561};

static void test_constant_retention_does_not_identify_the_sbg(void **state)
{
    (void)state;
    History *h = one_cohort(HISTORY_MODEL_SBG, CONSTANT, COUNT(CONSTANT));
    BvError e;
    fit_fails(h, BV_ERR_INPUT, "the history does not identify the sBG model", &e);
    assert_contains(e.message, "churn does not fall with tenure");
    assert_contains(e.message, "'model: geometric' (retention 0.9000)");
    assert_error_at(&e, "hand-made.yaml", 3, 1);
    assert_string_equal(e.key, "cohorts");
    history_free(h);

    /* With model geometric the same history fits, and says why there is no sBG. */
    h = one_cohort(HISTORY_MODEL_GEOMETRIC, CONSTANT, COUNT(CONSTANT));
    Fit *fit = fit_ok(h);
    assert_false(fit->sbg.identified);
    assert_contains(fit->sbg.problem, "does not identify the sBG");
    assert_true(isnan(fit->sbg.alpha) && isnan(fit->years[2].sbg_survival));
    assert_rel(fit->geometric.retention, 0.9, 1e-15);
    assert_int_equal(fit->preferred, HISTORY_MODEL_GEOMETRIC);
    char line[128];
    report_fit_scenario_line(fit, line, sizeof line);
    assert_string_equal(line, "retention: 0.9");
    fit_free(fit);
    history_free(h);
}

/* ---- degenerate histories: a clear input error before any optimiser runs ---- */

static void test_no_churn_is_an_input_error(void **state)
{
    (void)state;
    static const double a[] = {120, 120, 120}, b[] = {37, 37};
    History *h = make_history(HISTORY_MODEL_SBG, 2, (const double *const[]){a, b},
                              (const size_t[]){3, 2});
    BvError e;
    fit_fails(h, BV_ERR_INPUT, "no client left in any cohort (no churn at all)", &e);
    assert_contains(e.message, "retention is 100% and no retention model can be fitted");
    assert_error_at(&e, "hand-made.yaml", 3, 1);
    history_free(h);
    h = make_history(HISTORY_MODEL_GEOMETRIC, 2, (const double *const[]){a, b},
                     (const size_t[]){3, 2});
    fit_fails(h, BV_ERR_INPUT, "no client left in any cohort", NULL);
    history_free(h);
}

static void test_everyone_leaving_in_year_one_is_an_input_error(void **state)
{
    (void)state;
    static const double a[] = {250, 0, 0, 0}, b[] = {17, 0};
    History *h = make_history(HISTORY_MODEL_SBG, 2, (const double *const[]){a, b},
                              (const size_t[]){4, 2});
    BvError e;
    fit_fails(h, BV_ERR_INPUT, "every client left in the first year", &e);
    assert_contains(e.message, "retention is 0% and no retention model can be fitted");
    assert_error_at(&e, "hand-made.yaml", 3, 1);
    history_free(h);
}

/* Half leave in year 1, the rest never: the sBG only approaches this as alpha, beta -> 0. */
static void test_churn_that_stops_runs_to_the_lower_edge(void **state)
{
    (void)state;
    static const double a[] = {1000, 500, 500, 500, 500};
    History *h = one_cohort(HISTORY_MODEL_SBG, a, COUNT(a));
    BvError e;
    fit_fails(h, BV_ERR_INPUT, "the history does not identify the sBG model", &e);
    assert_contains(e.message, "clients either leave at once or stay");
    assert_contains(e.message, "(retention 0.8000)"); /* 500 lost in 2500 client-years */
    history_free(h);
}

/* A cohort that empties after year 1 while another renews is not degenerate. */
static void test_a_cohort_that_empties_later_still_fits(void **state)
{
    (void)state;
    static const double a[] = {300, 180, 0}, b[] = {211, 170, 149, 137};
    History *h = make_history(HISTORY_MODEL_SBG, 2, (const double *const[]){a, b},
                              (const size_t[]){3, 4});
    Fit *fit = fit_ok(h);
    assert_true(fit->sbg.identified);
    assert_rel(fit->years[2].at_risk, 180 + 170, 0);
    assert_rel(fit->years[3].at_risk, 149, 0);
    fit_free(fit);
    history_free(h);
}

/* ---- reading history files ---- */

/* Write `text` as a history in the build tree and load it. */
static BvStatus load_text(const char *name, const char *text, History **out, BvErrors *errors)
{
    char path[512];
    unit_build_path(path, sizeof path, name);
    unit_write_text(path, text);
    bv_errors_init(errors);
    return history_load(path, out, errors);
}

static void test_history_reads_a_valid_file(void **state)
{
    (void)state;
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    History *h = NULL;
    assert_int_equal(load_text("fit_valid.yaml",
                               "# comment\n"
                               "model: geometric\n"
                               "cohorts:\n"
                               "  - {name: 2019 clients, survival: [1200, 1010, 905]}\n"
                               "  - survival: [4.0e2, 350]\n",
                               &h, errors),
                     BV_OK);
    assert_int_equal(h->model, HISTORY_MODEL_GEOMETRIC);
    assert_int_equal(h->cohort_count, 2);
    assert_string_equal(h->cohorts[0].name, "2019 clients");
    assert_string_equal(h->cohorts[1].name, "cohort 2");
    assert_int_equal(h->cohorts[0].count, 3);
    assert_rel(h->cohorts[0].survival[2], 905, 0);
    assert_rel(h->cohorts[1].survival[0], 400, 0);
    assert_int_equal(h->cohorts_mark.line, 3);
    assert_int_equal(h->cohorts_mark.col, 1);
    assert_int_equal(h->cohorts[1].mark.line, 5);
    history_free(h);
    /* model is optional: sbg by default. */
    assert_int_equal(load_text("fit_default.yaml", "cohorts: [{survival: [10, 9]}]\n", &h,
                               errors),
                     BV_OK);
    assert_int_equal(h->model, HISTORY_MODEL_SBG);
    history_free(h);
    history_free(NULL);
    free(errors);
}

typedef struct BadCase {
    const char *text;
    int line, col;
    const char *key;
    const char *message;
} BadCase;

static void test_history_errors_point_at_the_value(void **state)
{
    (void)state;
    static const BadCase cases[] = {
        {"cohorts:\n  - {name: a, survival: [100, 90, 95]}\n", 2, 35, "cohorts[0].survival[2]",
         "95 clients after 90: counts of clients still active cannot increase"},
        {"cohorts:\n  - {name: a, survival: []}\n", 2, 25, "cohorts[0].survival",
         "the cohort is empty"},
        {"cohorts:\n  - {name: a, survival: [1200]}\n", 2, 25, "cohorts[0].survival",
         "one count is no history"},
        {"cohorts:\n  - {name: a, survival: [0, 0]}\n", 2, 26, "cohorts[0].survival[0]",
         "the first count is 0"},
        {"cohorts:\n  - {name: a, survival: [100, 90.5]}\n", 2, 31, "cohorts[0].survival[1]",
         "expected a whole number of clients >= 0, got 90.5"},
        {"cohorts:\n  - {name: a, survival: [100, -3]}\n", 2, 31, "cohorts[0].survival[1]",
         "-3 is out of range"},
        {"cohorts:\n  - {name: a, survival: [100, \"90\"]}\n", 2, 31, "cohorts[0].survival[1]",
         "got the text \"90\" (write numbers without quotes)"},
        {"cohorts:\n  - {name: a, survival: [100, .nan]}\n", 2, 31, "cohorts[0].survival[1]",
         "NaN and infinity are not numbers here"},
        {"cohorts:\n  - {name: a, survival: 100}\n", 2, 25, "cohorts[0].survival",
         "expected a list of client counts"},
        {"cohorts:\n  - {name: a, survival: [9, 8], churn: 0.1}\n", 2, 33, "cohorts[0].churn",
         "unknown key in a cohort; accepted keys: name, survival"},
        {"cohorts:\n  - {name: a}\n", 2, 5, "cohorts[0]", "a cohort needs 'survival'"},
        {"cohorts:\n  - [9, 8]\n", 2, 5, "cohorts[0]", "expected a cohort {name: ..., survival"},
        {"model: sbg\nretention: 0.9\ncohorts: [{survival: [9, 8]}]\n", 2, 1, "retention",
         "unknown key in a history; accepted keys: model, cohorts"},
        {"model: weibull\ncohorts: [{survival: [9, 8]}]\n", 1, 8, "model",
         "expected one of sbg, geometric, got 'weibull'"},
        {"model: sbg\n", 1, 1, "cohorts", "a history needs 'cohorts'"},
        {"cohorts: []\n", 1, 10, "cohorts", "the list of cohorts is empty"},
        {"- 1\n- 2\n", 1, 1, "", "a history is a mapping with 'cohorts'"},
        {"cohorts: [{survival: [9, 8]}\n", 1, 10, "", "a flow sequence opened here is not closed"},
    };
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    for (size_t i = 0; i < COUNT(cases); i++) {
        const BadCase *c = &cases[i];
        History *h = (History *)1;
        BvStatus status = load_text("fit_bad.yaml", c->text, &h, errors);
        if (status != BV_ERR_INPUT || errors->count != 1) {
            unit_dump_errors(errors);
            fail_msg("case %zu: status %d, %zu errors", i, (int)status, errors->count);
        }
        assert_null(h);
        const BvError *e = unit_expect_error(errors, c->message);
        assert_string_equal(e->key, c->key);
        assert_error_at(e, "fit_bad.yaml", c->line, c->col);
    }
    free(errors);
}

static void test_history_reports_every_error(void **state)
{
    (void)state;
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    History *h = NULL;
    assert_int_equal(load_text("fit_many.yaml",
                               "model: sbg\n"
                               "cohorts:\n"
                               "  - {name: a, survival: [100, 101]}\n"
                               "  - {name: b, survival: [0, 0], color: red}\n",
                               &h, errors),
                     BV_ERR_INPUT);
    assert_int_equal(errors->count, 3);
    assert_error_at(unit_expect_error(errors, "cannot increase"), "fit_many.yaml", 3, 31);
    assert_error_at(unit_expect_error(errors, "first count is 0"), "fit_many.yaml", 4, 26);
    assert_error_at(unit_expect_error(errors, "unknown key"), "fit_many.yaml", 4, 33);
    free(errors);
}

static void test_missing_and_empty_files(void **state)
{
    (void)state;
    BvErrors *errors = malloc(sizeof *errors);
    assert_non_null(errors);
    bv_errors_init(errors);
    History *h = (History *)1;
    assert_int_equal(history_load("/nonexistent/history.yaml", &h, errors), BV_ERR_INPUT);
    assert_null(h);
    unit_expect_error(errors, "cannot open");
    assert_int_equal(load_text("fit_empty.yaml", "", &h, errors), BV_ERR_INPUT);
    unit_expect_error(errors, "the file is empty");
    free(errors);
}

/* ---- the scenario line ---- */

static void test_scenario_line(void **state)
{
    (void)state;
    Fit fit = {.model = HISTORY_MODEL_SBG};
    fit.sbg.identified = true;
    fit.sbg.alpha = 0.70407729847351620802;
    fit.sbg.beta = 1.1820430262094756755;
    fit.geometric.retention = 0.7739726027397260274;
    char line[128];
    report_fit_scenario_line(&fit, line, sizeof line);
    assert_string_equal(line, "retention: {sbg: {alpha: 0.704077, beta: 1.18204}}");
    fit.model = HISTORY_MODEL_GEOMETRIC;
    report_fit_scenario_line(&fit, line, sizeof line);
    assert_string_equal(line, "retention: 0.773973");
    char tiny[12];
    report_fit_scenario_line(&fit, tiny, sizeof tiny);
    assert_string_equal(tiny, "retention: ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regular_cohort_matches_reference_and_publication),
        cmocka_unit_test(test_high_end_cohort_matches_reference_and_publication),
        cmocka_unit_test(test_log_likelihood_at_published_parameters),
        cmocka_unit_test(test_sbg_survival_against_beta_functions),
        cmocka_unit_test(test_censored_cohorts_are_pooled),
        cmocka_unit_test(test_geometric_closed_form),
        cmocka_unit_test(test_constant_retention_does_not_identify_the_sbg),
        cmocka_unit_test(test_no_churn_is_an_input_error),
        cmocka_unit_test(test_everyone_leaving_in_year_one_is_an_input_error),
        cmocka_unit_test(test_churn_that_stops_runs_to_the_lower_edge),
        cmocka_unit_test(test_a_cohort_that_empties_later_still_fits),
        cmocka_unit_test(test_history_reads_a_valid_file),
        cmocka_unit_test(test_history_errors_point_at_the_value),
        cmocka_unit_test(test_history_reports_every_error),
        cmocka_unit_test(test_missing_and_empty_files),
        cmocka_unit_test(test_scenario_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
