/*
 * test_dcf.c — the deterministic DCF (src/dcf.c) on scenarios written to TEST_BUILD_DIR.
 *
 * References are closed forms derived below (evaluated with pow, not with the engine's
 * year-by-year loop) or sums computed with mpmath at 40 digits (tests/unit's scratch command
 * is quoted in each comment). Conventions (DESIGN §5): revenue R (1+g)^(t-1), survival
 * S(t) = u r(1)...r(t), end_of_year DF(t) = (1+d)^-t, mid_year (1+d)^-(t-0.5).
 *
 * For a constant r, with q = r (1+g) / (1+d):
 *   V_H  = sum_{t=1..H} m R (1+g)^(t-1) u r^t (1+d)^-t = m R u r/(1+d) sum_{t=1..H} q^(t-1)
 *        = m R u r/(1+d) (1 - q^H) / (1 - q)
 *   tail = sum_{t>H} (same)                           = m R u r/(1+d) q^H / (1 - q)
 * and mid_year multiplies every term, so both, by (1+d)^0.5.
 */
#include <stdbool.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

#include "unit_support.h"

#include "book.h"
#include "dcf.h"
#include "scenario.h"

#define TOL UNIT_REL_TOL

typedef struct Run {
    Scenario *sc;
    Book *book;
    Dcf *dcf;
    BvErrors errors;
    BvStatus status;
    char path[512];
} Run;

static void run_destroy(void *v)
{
    Run *r = v;
    dcf_free(r->dcf);
    book_free(r->book);
    scenario_free(r->sc);
    free(r);
}

/* Write dcf_<stem>.yaml, load it, resolve the book and run the DCF. */
static Run *run(const char *stem, const char *yaml)
{
    Run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    unit_own(r, run_destroy);
    char name[128];
    snprintf(name, sizeof name, "dcf_%s.yaml", stem);
    unit_build_path(r->path, sizeof r->path, name);
    unit_write_text(r->path, yaml);
    bv_errors_init(&r->errors);
    r->status = scenario_load(r->path, NULL, 0, NULL, &r->sc, &r->errors);
    if (r->status != BV_OK) {
        unit_dump_errors(&r->errors);
        fail_msg("%s: scenario_load failed", name);
    }
    r->status = book_new(r->sc, &r->book, &r->errors);
    assert_int_equal(r->status, BV_OK);
    r->status = dcf_run(r->book, &r->dcf, &r->errors);
    return r;
}

static Run *run_ok(const char *stem, const char *yaml)
{
    Run *r = run(stem, yaml);
    if (r->status != BV_OK) {
        unit_dump_errors(&r->errors);
        fail_msg("dcf_run failed with status %d", (int)r->status);
    }
    assert_non_null(r->dcf);
    return r;
}

static void run_free(Run *r)
{
    unit_free(r);
}

static size_t client_index(const Scenario *sc, const char *id)
{
    for (size_t i = 0; i < sc->client_count; i++)
        if (strcmp(sc->clients[i].id, id) == 0)
            return i;
    fail_msg("no client '%s'", id);
    return 0;
}

/* Horizon and tail factors of a constant-retention cohort per unit of revenue (before m). */
static double k_horizon(double u, double r, double g, double d, int H)
{
    double q = r * (1 + g) / (1 + d);
    return u * r / (1 + d) * (1 - pow(q, H)) / (1 - q);
}

static double k_tail(double u, double r, double g, double d, int H)
{
    double q = r * (1 + g) / (1 + d);
    return u * r / (1 + d) * pow(q, H) / (1 - q);
}

#define CONSTANT_BOOK                                                                         \
    "name: \"Constant retention\"\n"                                                          \
    "currency: EUR\n"                                                                         \
    "horizon_years: 7\n"                                                                      \
    "discount_rate: 0.1175\n"                                                                 \
    "revenue_growth: 0.0215\n"                                                                \
    "margin: 0.3875\n"                                                                        \
    "retention: 0.9125\n"                                                                     \
    "transfer_retention: 0.9437\n"                                                            \
    "clients:\n"                                                                              \
    "  - {id: C1, annual_revenue: 2385.17, tenure_years: 2}\n"                                \
    "  - {id: C2, annual_revenue: 1190.55, tenure_years: 5}\n"

/* ---- constant retention ---- */

static void test_constant_end_of_year(void **state)
{
    (void)state;
    Run *r = run_ok("constant_eoy", CONSTANT_BOOK);
    const Dcf *dcf = r->dcf;
    const double m = 0.3875, u = 0.9437, rr = 0.9125, g = 0.0215, d = 0.1175;
    const double R = 2385.17 + 1190.55;
    const int H = 7;
    double V = m * R * k_horizon(u, rr, g, d, H);
    assert_int_equal(dcf->horizon, H);
    assert_rel(dcf->discount_rate, d, 1e-15);
    assert_rel(dcf->annual_revenue, R, 1e-15);
    assert_rel(dcf->horizon_value, V, TOL);
    assert_rel(dcf->value, V, TOL);
    assert_true(dcf->tail_value == 0);
    assert_rel(dcf->value_to_revenue, V / R, TOL);
    /* Same assumptions and constant retention: one cohort whatever the tenure. */
    assert_int_equal(dcf->cohort_count, 1);
    assert_rel(dcf->unit_value[0], V / R, TOL);
    assert_rel(dcf->inputs[0].margin, m, 1e-15);
    assert_rel(dcf->inputs[0].retention, rr, 1e-15);
    assert_rel(dcf->inputs[0].revenue_growth, g, 1e-15);
    assert_rel(dcf->inputs[0].transfer_retention, u, 1e-15);
    /* Year by year. */
    for (int t = 1; t <= H; t++) {
        double S = u * pow(rr, t), df = pow(1 + d, -t);
        double revenue = R * pow(1 + g, t - 1) * S;
        assert_rel(dcf->discount_factor[t - 1], df, TOL);
        assert_rel(dcf->survival[t - 1], S, TOL);
        assert_rel(dcf->expected_clients[t - 1], 2 * S, TOL);
        assert_rel(dcf->revenue[t - 1], revenue, TOL);
        assert_rel(dcf->cash[t - 1], m * revenue, TOL);
        assert_rel(dcf->present_value[t - 1], m * revenue * df, TOL);
    }
    assert_rel(dcf->cohort_last_pv[0], m * R * pow(1 + g, H - 1) * u * pow(rr, H) *
                                           pow(1 + d, -H), TOL);
    /* Each client's share of the value is its share of the revenue. */
    assert_rel(dcf_client_value(dcf, r->book, client_index(r->sc, "C1")), V * 2385.17 / R, TOL);
    assert_rel(dcf_client_value(dcf, r->book, client_index(r->sc, "C2")), V * 1190.55 / R, TOL);
    /* No market multiples given. */
    assert_false(dcf->has_market);
    run_free(r);
}

static void test_constant_mid_year(void **state)
{
    (void)state;
    Run *r = run_ok("constant_mid", CONSTANT_BOOK "timing: mid_year\n");
    const double R = 2385.17 + 1190.55, d = 0.1175;
    double V = 0.3875 * R * k_horizon(0.9437, 0.9125, 0.0215, d, 7) * pow(1 + d, 0.5);
    assert_rel(r->dcf->value, V, TOL);
    assert_rel(r->dcf->horizon_value, V, TOL);
    for (int t = 1; t <= 7; t++)
        assert_rel(r->dcf->discount_factor[t - 1], pow(1 + d, -(t - 0.5)), TOL);
    run_free(r);
}

static void test_constant_runoff_tail(void **state)
{
    (void)state;
    const double m = 0.3875, u = 0.9437, rr = 0.9125, g = 0.0215, d = 0.1175;
    const double R = 2385.17 + 1190.55;
    Run *r = run_ok("constant_runoff", CONSTANT_BOOK "tail: runoff\n");
    double VH = m * R * k_horizon(u, rr, g, d, 7), T = m * R * k_tail(u, rr, g, d, 7);
    assert_rel(r->dcf->horizon_value, VH, TOL);
    assert_rel(r->dcf->tail_value, T, TOL);
    assert_rel(r->dcf->value, VH + T, TOL);
    /* The whole perpetuity: V_H + tail = m R u r/(1+d) / (1 - q). */
    double q = rr * (1 + g) / (1 + d);
    assert_rel(r->dcf->value, m * R * u * rr / (1 + d) / (1 - q), TOL);
    /* tail / PV(year H) = sum_{k>=1} q^k = q / (1 - q). */
    assert_rel(r->dcf->tail_factor[0], q / (1 - q), TOL);
    assert_rel(r->dcf->cohort_tail_value[0], T, TOL);
    run_free(r);

    /* mid_year moves every year, the tail's too, half a year earlier. */
    r = run_ok("constant_runoff_mid", CONSTANT_BOOK "tail: runoff\ntiming: mid_year\n");
    assert_rel(r->dcf->tail_value, T * pow(1 + d, 0.5), TOL);
    assert_rel(r->dcf->value, (VH + T) * pow(1 + d, 0.5), TOL);
    run_free(r);
}

/* Retention 1, no growth, no tail, u = 1: the value is m R times the H-year annuity factor
 * (1 - (1+d)^-H) / d. m = 0.4125, R = 2385.17, d = 0.0375, H = 12. */
static void test_annuity(void **state)
{
    (void)state;
    Run *r = run_ok("annuity", "name: Annuity\n"
                               "currency: EUR\n"
                               "horizon_years: 12\n"
                               "discount_rate: 0.0375\n"
                               "margin: 0.4125\n"
                               "retention: 1\n"
                               "clients: [{id: C1, annual_revenue: 2385.17}]\n");
    double annuity = (1 - pow(1.0375, -12)) / 0.0375;
    assert_rel(r->dcf->value, 0.4125 * 2385.17 * annuity, TOL);
    for (int t = 1; t <= 12; t++) {
        assert_true(r->dcf->survival[t - 1] == 1);
        assert_rel(r->dcf->revenue[t - 1], 2385.17, 1e-15);
    }
    run_free(r);
}

/* Means of distributions are used: discount PERT(0.0875, 0.1175, 0.1715) has mean
 * (0.0875 + 0.47 + 0.1715) / 6 = 0.1215; transfer triangular(0.80, 0.90, 0.96) has mean
 * 2.66 / 3; margin beta {mean 0.3875, sd 0.0625} has mean 0.3875. */
static void test_uses_distribution_means(void **state)
{
    (void)state;
    Run *r = run_ok("means",
                    "name: Means\n"
                    "currency: USD\n"
                    "horizon_years: 9\n"
                    "discount_rate: {dist: pert, min: 0.0875, mode: 0.1175, max: 0.1715}\n"
                    "revenue_growth: {dist: uniform, min: 0.0115, max: 0.0315}\n"
                    "margin: {dist: beta, mean: 0.3875, sd: 0.0625}\n"
                    "retention: {dist: normal, mean: 0.9125, sd: 0.0125, min: 0.85, max: 1}\n"
                    "transfer_retention: {dist: triangular, min: 0.80, mode: 0.90, max: 0.96}\n"
                    "clients: [{id: C1, annual_revenue: 2385.17}]\n");
    const double d = 0.729 / 6, u = 2.66 / 3, m = 0.3875, g = 0.0215;
    /* Truncated normal mean: a = (0.85 - 0.9125)/0.0125 = -5, b = (1 - 0.9125)/0.0125 = 7;
     * E = mu + sd (phi(-5) - phi(7)) / (Phi(7) - Phi(-5)), mpmath:
     * 0.9125 + 0.0125*(npdf(-5)-npdf(7))/(ncdf(7)-ncdf(-5)) = 0.91250001858388507730 */
    const double rr = 0.91250001858388507730;
    assert_rel(r->dcf->discount_rate, d, 1e-15);
    assert_rel(r->dcf->inputs[0].transfer_retention, u, 1e-15);
    assert_rel(r->dcf->inputs[0].margin, m, 1e-14);
    assert_rel(r->dcf->inputs[0].revenue_growth, g, 1e-15);
    assert_rel(r->dcf->inputs[0].retention, rr, 1e-13);
    assert_rel(r->dcf->value, m * 2385.17 * k_horizon(u, rr, g, d, 9), TOL);
    run_free(r);
}

/* ---- curves ---- */

/*
 * Curve [0.8375, 0.9125, 0.9541], H = 5, u = 0.9437, g = 0.0215, d = 0.1175, m = 0.3875,
 * R = 2385.17. By hand, S = 0.79034875, 0.721193234375, 0.6880904649171875,
 * 0.65650711257748859375, 0.6263734361101818673 (last rate repeated), and
 *   V = m R sum_{t=1..5} 1.0215^(t-1) S(t) 1.1175^-t = 2450.8491386298420553
 * (mpmath: sum(0.3875*2385.17*1.0215**(t-1)*S[t]*1.1175**-t for t in 1..5) at 40 digits).
 */
static void test_curve(void **state)
{
    (void)state;
    Run *r = run_ok("curve", "name: Curve\n"
                             "currency: EUR\n"
                             "horizon_years: 5\n"
                             "discount_rate: 0.1175\n"
                             "revenue_growth: 0.0215\n"
                             "margin: 0.3875\n"
                             "retention: {curve: [0.8375, 0.9125, 0.9541]}\n"
                             "transfer_retention: 0.9437\n"
                             "clients: [{id: C1, annual_revenue: 2385.17}]\n");
    assert_rel(r->dcf->value, 2450.8491386298420553, TOL);
    assert_rel(r->dcf->survival[4], 0.6263734361101818673, TOL);
    assert_true(isnan(r->dcf->inputs[0].retention)); /* not a constant model */
    /* By hand, the explicit sum: */
    static const double S[] = {0.79034875, 0.721193234375, 0.6880904649171875,
                               0.65650711257748859375, 0.6263734361101818673};
    double V = 0;
    for (int t = 1; t <= 5; t++)
        V += 0.3875 * 2385.17 * pow(1.0215, t - 1) * S[t - 1] * pow(1.1175, -t);
    assert_rel(r->dcf->value, V, TOL);
    run_free(r);
}

/*
 * A curve longer than the horizon, with run-off: [0.8375, 0.9125, 0.9541, 0.9615, 0.9703],
 * H = 3. The tail is years 4 and 5 on the curve, then a geometric run-off at 0.9703:
 *   tail = sum_{t>=4} m R 1.0215^(t-1) S(t) 1.1175^-t
 * mpmath, summed term by term to t = 3003: horizon 1674.4355927000807002,
 * tail 3696.7706097315274243.
 */
static void test_curve_longer_than_horizon_with_runoff(void **state)
{
    (void)state;
    Run *r = run_ok("curve_runoff", "name: Curve run-off\n"
                                    "currency: EUR\n"
                                    "horizon_years: 3\n"
                                    "tail: runoff\n"
                                    "discount_rate: 0.1175\n"
                                    "revenue_growth: 0.0215\n"
                                    "margin: 0.3875\n"
                                    "retention: {curve: [0.8375, 0.9125, 0.9541, 0.9615, 0.9703]}\n"
                                    "transfer_retention: 0.9437\n"
                                    "clients: [{id: C1, annual_revenue: 2385.17}]\n");
    assert_rel(r->dcf->horizon_value, 1674.4355927000807002, TOL);
    assert_rel(r->dcf->tail_value, 3696.7706097315274243, TOL);
    assert_rel(r->dcf->value, 1674.4355927000807002 + 3696.7706097315274243, TOL);
    run_free(r);
}

/* ---- sBG ---- */

#define SBG_BOOK                                                                              \
    "name: sBG\n"                                                                             \
    "currency: EUR\n"                                                                         \
    "horizon_years: 3\n"                                                                      \
    "discount_rate: 0.1175\n"                                                                 \
    "revenue_growth: 0.0215\n"                                                                \
    "margin: 0.3875\n"                                                                        \
    "retention: {sbg: {alpha: 0.7, beta: 3.8}}\n"                                             \
    "transfer_retention: 0.9437\n"                                                            \
    "clients:\n"                                                                              \
    "  - {id: C1, annual_revenue: 2385.17, tenure_years: 2}\n"                                \
    "  - {id: C2, annual_revenue: 1190.55}\n"                                                 \
    "  - {id: C3, annual_revenue: 731.4, tenure_years: 2}\n"

/*
 * alpha 0.7, beta 3.8, u = 0.9437. Tenure 2: r = 58/65, 68/75, 78/85, so
 *   S = 0.9437 x (58/65, 58/65 x 68/75, 58/65 x 68/75 x 78/85) = 0.9437 x (0.892307...,
 *   0.809025..., 0.7424); tenure 0: r = 38/45, 48/55, 58/65.
 * V_cohort = m R sum_{t=1..3} 1.0215^(t-1) S(t) 1.1175^-t (mpmath, 40 digits):
 *   tenure 2, R = 2385.17 + 731.4: 2296.8572114361172976
 *   tenure 0, R = 1190.55:         805.50335034291615169
 * Run-off beyond H (mpmath, summed to t = 3003, and equal to PV(H) x (2F1(1, b; alpha+b; x)
 * - 1) with b = beta + n + H, x = 1.0215/1.1175, to 20 digits):
 *   tenure 2: 4221.7977933309888076     tenure 0: 1319.3482614877820951
 */
static void test_sbg(void **state)
{
    (void)state;
    Run *r = run_ok("sbg", SBG_BOOK);
    assert_rel(r->dcf->value, 2296.8572114361172976 + 805.50335034291615169, TOL);
    /* Survival by hand for tenure 2: 0.9437 x 58/65, x 68/75, x 78/85 (= 0.9437 x 0.7424). */
    const Book *b = r->book;
    size_t c2 = b->client_cohort[client_index(r->sc, "C1")];
    const double *S = &r->dcf->survival[c2 * 3];
    assert_rel(S[0], 0.9437 * 58 / 65, TOL);
    assert_rel(S[1], 0.9437 * (58.0 * 68) / (65.0 * 75), TOL);
    assert_rel(S[2], 0.9437 * 0.7424, TOL);
    assert_rel(r->dcf->cohort_horizon_value[c2], 2296.8572114361172976, TOL);
    run_free(r);

    r = run_ok("sbg_runoff", SBG_BOOK "tail: runoff\n");
    b = r->book;
    c2 = b->client_cohort[client_index(r->sc, "C1")];
    size_t c0 = b->client_cohort[client_index(r->sc, "C2")];
    assert_rel(r->dcf->cohort_tail_value[c2], 4221.7977933309888076, TOL);
    assert_rel(r->dcf->cohort_tail_value[c0], 1319.3482614877820951, TOL);
    assert_rel(r->dcf->tail_value, 4221.7977933309888076 + 1319.3482614877820951, TOL);
    assert_rel(r->dcf->value, 2296.8572114361172976 + 805.50335034291615169 +
                                  4221.7977933309888076 + 1319.3482614877820951, TOL);
    /* C1's value: its revenue share of its cohort's. */
    assert_rel(dcf_client_value(r->dcf, b, client_index(r->sc, "C3")),
               (2296.8572114361172976 + 4221.7977933309888076) * 731.4 / (2385.17 + 731.4),
               TOL);
    run_free(r);
}

/*
 * Growth equal to the discount rate (x = (1+g)/(1+d) = 1 exactly) with alpha 2.35 > 1: the
 * run-off is finite. With x = 1 each later year's PV is the previous one's times r(k), so
 *   tail = PV(H) sum_{j>=1} prod_{i=1..j} (b+i-1)/(alpha+b+i-1) = PV(H) b / (alpha - 1)
 * (Gauss's 2F1(1, b; alpha+b; 1) = (alpha+b-1)/(alpha-1)), b = beta + n + H = 3.8 + 2 + 3.
 * PV(H) = m R (1+g)^(H-1) S(H) (1+d)^-H = m R S(H) / 1.0375 (g = d), with
 * S(H) = u x 5.8/8.15 x 6.8/9.15 x 7.8/10.15 (tenure 2):
 *   horizon = 1384.5933248151126943, tail = 2227.2684354187114914 (mpmath, 40 digits; the
 *   tail also from mpmath's nsum of the series, method r+s+e).
 */
static void test_sbg_growth_equal_to_discount(void **state)
{
    (void)state;
    Run *r = run_ok("sbg_x1", "name: x = 1\n"
                              "currency: EUR\n"
                              "horizon_years: 3\n"
                              "tail: runoff\n"
                              "discount_rate: 0.0375\n"
                              "revenue_growth: 0.0375\n"
                              "margin: 0.3875\n"
                              "retention: {sbg: {alpha: 2.35, beta: 3.8}}\n"
                              "transfer_retention: 0.9437\n"
                              "clients: [{id: C1, annual_revenue: 2385.17, tenure_years: 2}]\n");
    assert_rel(r->dcf->horizon_value, 1384.5933248151126943, TOL);
    assert_rel(r->dcf->tail_value, 2227.2684354187114914, TOL);
    assert_rel(r->dcf->tail_factor[0], 8.8 / 1.35, TOL);
    run_free(r);
}

/*
 * Growth just below the discount rate: x = (1 + 0.037499) / (1 + 0.0375) = 0.99999903614...,
 * where the series converges slowly (DESIGN §9 asks for values tested close to x = 1).
 * Tenure 5, H = 10, u = 1, m = 0.3875, R = 2385.17, so b = beta + 5 + 10. With x the double
 * the engine forms, mpmath (40 digits) gives
 *   alpha 4, beta 60 (b = 75):    horizon 6586.4343580151959029, tail 12714.628656382622999
 *                                 (2F1(1, 75; 79; x) - 1 = 24.999060309758314168)
 *   alpha 25, beta 200 (b = 215): horizon 5024.8986627486285736, tail 2584.3505829526709151
 *                                 (2F1(1, 215; 240; x) - 1 = 8.9582436100685536693)
 * command: from mpmath import *; mp.dps=40; x=mpf((1+0.037499)/(1+0.0375));
 *          S=prod((be+5+k-1)/(al+be+5+k-1), k=1..10); pvh=0.3875*2385.17*G**9*S*D**-10;
 *          tail=pvh*(hyp2f1(1,be+15,al+be+15,x)-1)  (G, D, 2385.17, 0.3875 as mpf of doubles)
 */
static void test_sbg_tail_close_to_one(void **state)
{
    (void)state;
    static const struct {
        const char *stem, *retention;
        double horizon, tail;
    } cases[] = {
        {"sbg_near1_a4", "{sbg: {alpha: 4, beta: 60}}", 6586.4343580151959029,
         12714.628656382622999},
        {"sbg_near1_a25", "{sbg: {alpha: 25, beta: 200}}", 5024.8986627486285736,
         2584.3505829526709151},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char yaml[1024];
        snprintf(yaml, sizeof yaml,
                 "name: Near one\ncurrency: EUR\nhorizon_years: 10\ntail: runoff\n"
                 "discount_rate: 0.0375\nrevenue_growth: 0.037499\nmargin: 0.3875\n"
                 "retention: %s\n"
                 "clients: [{id: C1, annual_revenue: 2385.17, tenure_years: 5}]\n",
                 cases[i].retention);
        Run *r = run(cases[i].stem, yaml);
        if (r->status != BV_OK) {
            unit_dump_errors(&r->errors);
            print_message("%s: dcf_run failed with status %d (expected tail %.17g)\n",
                          cases[i].stem, (int)r->status, cases[i].tail);
            failures++;
        } else {
            assert_rel(r->dcf->horizon_value, cases[i].horizon, TOL);
            double err = unit_rel_err(r->dcf->tail_value, cases[i].tail);
            if (!(err <= TOL)) {
                print_message("%s: tail %.17g, expected %.17g (relative error %.3g)\n",
                              cases[i].stem, r->dcf->tail_value, cases[i].tail, err);
                failures++;
            }
        }
        run_free(r);
    }
    if (failures)
        fail_msg("%d of 2 sBG run-offs near x = 1 wrong or refused", failures);
}

/* ---- an infinite run-off is an input error that says why ---- */

static void expect_infinite(const char *stem, const char *yaml, const char *why, int tail_line)
{
    Run *r = run(stem, yaml);
    assert_int_equal(r->status, BV_ERR_INPUT);
    assert_null(r->dcf);
    assert_int_equal(r->errors.count, 1);
    const BvError *e = &r->errors.items[0];
    assert_int_equal(e->status, BV_ERR_INPUT);
    assert_contains(e->message, "infinite");
    assert_contains(e->message, why);
    assert_string_equal(e->key, "tail");
    assert_string_equal(e->file, r->path);
    assert_int_equal(e->line, tail_line);
    assert_int_equal(e->col, 7);
    run_free(r);
}

static void test_infinite_tail(void **state)
{
    (void)state;
    /* q = 0.995 x 1.0515 / 1.0375 = 1.00843... >= 1. */
    expect_infinite("infinite_constant",
                    "name: Infinite\ncurrency: EUR\n"
                    "tail: runoff\n" /* line 3, value at col 7 */
                    "discount_rate: 0.0375\nrevenue_growth: 0.0515\nmargin: 0.3875\n"
                    "retention: 0.995\nclients: [{id: C1, annual_revenue: 2385.17}]\n",
                    "clients without a segment", 3);
    /* Retention 1 and growth = discount: q = 1 exactly. */
    expect_infinite("infinite_q1",
                    "name: Infinite\ncurrency: EUR\ndiscount_rate: 0.0375\n"
                    "revenue_growth: 0.0375\nmargin: 0.3875\nretention: 1\n"
                    "tail: runoff\n" /* line 7 */
                    "clients: [{id: C1, annual_revenue: 2385.17}]\n",
                    "cash grows faster than it is discounted", 7);
    /* A curve ending at 1 in a segment: q = 1 x 1.0515 / 1.0375 > 1. */
    expect_infinite("infinite_curve",
                    "name: Infinite\ncurrency: EUR\ntail: runoff\ndiscount_rate: 0.0375\n"
                    "revenue_growth: 0.0515\nmargin: 0.3875\nretention: 0.9\n"
                    "segments: {loyal: {retention: {curve: [0.9, 0.99, 1.0]}}}\n"
                    "clients: [{id: C1, annual_revenue: 2385.17, segment: loyal}]\n",
                    "segment loyal", 3);
    /* sBG with growth above discount: x = 1.0515/1.0375 > 1. */
    expect_infinite("infinite_sbg",
                    "name: Infinite\ncurrency: EUR\ntail: runoff\ndiscount_rate: 0.0375\n"
                    "revenue_growth: 0.0515\nmargin: 0.3875\n"
                    "retention: {sbg: {alpha: 0.7, beta: 3.8}}\n"
                    "clients: [{id: C1, annual_revenue: 2385.17, tenure_years: 2}]\n",
                    "sBG alpha", 3);
    /* sBG at x = 1 with alpha <= 1: the loyal clients' cash never fades. */
    expect_infinite("infinite_sbg_x1",
                    "name: Infinite\ncurrency: EUR\ntail: runoff\ndiscount_rate: 0.0375\n"
                    "revenue_growth: 0.0375\nmargin: 0.3875\n"
                    "retention: {sbg: {alpha: 0.7, beta: 3.8}}\n"
                    "clients: [{id: C1, annual_revenue: 2385.17, tenure_years: 2}]\n",
                    "(or alpha > 1)", 3);
    /* Without a tail the same book is finite. */
    Run *r = run_ok("finite_without_tail",
                    "name: Finite\ncurrency: EUR\ndiscount_rate: 0.0375\n"
                    "revenue_growth: 0.0515\nmargin: 0.3875\nretention: 0.995\n"
                    "clients: [{id: C1, annual_revenue: 2385.17}]\n");
    assert_rel(r->dcf->value, 0.3875 * 2385.17 * k_horizon(1, 0.995, 0.0515, 0.0375, 10), TOL);
    run_free(r);
}

/* ---- precedence and cohorts ---- */

/*
 * Segment A: margin 0.4625, retention 0.8875; C1 in A with its own margin 0.5275; C2 in A;
 * C3 without a segment (scenario: margin 0.3875, retention 0.9125); C4 with its own
 * retention 0.8615. g = 0.0215, d = 0.1175, u = 1, H = 6:
 *   V(C1) = 0.5275 R1 K(0.8875), V(C2) = 0.4625 R2 K(0.8875), V(C3) = 0.3875 R3 K(0.9125),
 *   V(C4) = 0.3875 R4 K(0.8615), with K(r) = r/(1+d) (1 - q^H)/(1 - q), q = r(1+g)/(1+d).
 */
static void test_client_overrides_segment(void **state)
{
    (void)state;
    Run *r = run_ok("precedence",
                    "name: Precedence\ncurrency: EUR\nhorizon_years: 6\n"
                    "discount_rate: 0.1175\nrevenue_growth: 0.0215\nmargin: 0.3875\n"
                    "retention: 0.9125\n"
                    "segments:\n  A: {margin: 0.4625, retention: 0.8875}\n"
                    "clients:\n"
                    "  - {id: C1, annual_revenue: 2385.17, segment: A, margin: 0.5275}\n"
                    "  - {id: C2, annual_revenue: 1190.55, segment: A}\n"
                    "  - {id: C3, annual_revenue: 731.4}\n"
                    "  - {id: C4, annual_revenue: 412.9, retention: 0.8615}\n");
    const double g = 0.0215, d = 0.1175;
    const int H = 6;
    double v1 = 0.5275 * 2385.17 * k_horizon(1, 0.8875, g, d, H);
    double v2 = 0.4625 * 1190.55 * k_horizon(1, 0.8875, g, d, H);
    double v3 = 0.3875 * 731.4 * k_horizon(1, 0.9125, g, d, H);
    double v4 = 0.3875 * 412.9 * k_horizon(1, 0.8615, g, d, H);
    const Scenario *sc = r->sc;
    assert_rel(dcf_client_value(r->dcf, r->book, client_index(sc, "C1")), v1, TOL);
    assert_rel(dcf_client_value(r->dcf, r->book, client_index(sc, "C2")), v2, TOL);
    assert_rel(dcf_client_value(r->dcf, r->book, client_index(sc, "C3")), v3, TOL);
    assert_rel(dcf_client_value(r->dcf, r->book, client_index(sc, "C4")), v4, TOL);
    assert_rel(r->dcf->value, v1 + v2 + v3 + v4, TOL);
    assert_int_equal(r->book->cohort_count, 4);
    run_free(r);
}

static void test_cohorts(void **state)
{
    (void)state;
    /* Identical assumptions share a cohort; C3 (own margin equal to nothing else) and C4
     * (other segment) do not. */
    Run *r = run_ok("cohorts",
                    "name: Cohorts\ncurrency: EUR\nhorizon_years: 4\n"
                    "discount_rate: 0.1175\nmargin: 0.3875\nretention: 0.9125\n"
                    "segments:\n  A: {margin: 0.4625}\n"
                    "clients:\n"
                    "  - {id: C1, annual_revenue: 2385.17, segment: A, tenure_years: 2}\n"
                    "  - {id: C2, annual_revenue: 1190.55, segment: A, tenure_years: 7}\n"
                    "  - {id: C3, annual_revenue: 731.4, segment: A, margin: 0.5275}\n"
                    "  - {id: C4, annual_revenue: 412.9}\n"
                    "  - {id: C5, annual_revenue: 58.25, tenure_years: 3}\n");
    const Book *b = r->book;
    const Scenario *sc = r->sc;
    assert_int_equal(b->cohort_count, 3);
    size_t k1 = b->client_cohort[client_index(sc, "C1")];
    assert_int_equal(b->client_cohort[client_index(sc, "C2")], k1);
    assert_int_equal(k1, 0); /* cohorts in order of first appearance */
    assert_int_equal(b->client_cohort[client_index(sc, "C3")], 1);
    assert_int_equal(b->client_cohort[client_index(sc, "C4")], 2);
    assert_int_equal(b->client_cohort[client_index(sc, "C5")], 2);
    assert_int_equal(b->cohorts[0].clients, 2);
    assert_rel(b->cohorts[0].annual_revenue, 2385.17 + 1190.55, 1e-15);
    assert_true(b->cohorts[0].tenure_years == 0); /* constant retention ignores tenure */
    assert_int_equal(b->cohorts[1].own, OWN_MARGIN);
    assert_int_equal(b->cohorts[2].segment, -1);
    assert_rel(b->cohorts[2].annual_revenue, 412.9 + 58.25, 1e-15);
    assert_rel(b->annual_revenue, 2385.17 + 1190.55 + 731.4 + 412.9 + 58.25, 1e-15);
    assert_int_equal(r->dcf->cohort_count, 3);
    run_free(r);

    /* An sBG book groups by tenure: tenures 2, 5, 2, 0 give three cohorts; a client with
     * its own constant retention has its own cohort, tenure no longer mattering. */
    r = run_ok("cohorts_sbg",
               "name: Cohorts sBG\ncurrency: EUR\nhorizon_years: 4\n"
               "discount_rate: 0.1175\nmargin: 0.3875\n"
               "retention: {sbg: {alpha: 0.7, beta: 3.8}}\n"
               "clients:\n"
               "  - {id: C1, annual_revenue: 2385.17, tenure_years: 2}\n"
               "  - {id: C2, annual_revenue: 1190.55, tenure_years: 5}\n"
               "  - {id: C3, annual_revenue: 731.4, tenure_years: 2}\n"
               "  - {id: C4, annual_revenue: 412.9}\n"
               "  - {id: C5, annual_revenue: 58.25, tenure_years: 9, retention: 0.8615}\n"
               "  - {id: C6, annual_revenue: 17.5, tenure_years: 1, retention: 0.8615}\n");
    b = r->book;
    sc = r->sc;
    assert_int_equal(b->cohort_count, 4);
    assert_int_equal(b->client_cohort[client_index(sc, "C1")], 0);
    assert_int_equal(b->client_cohort[client_index(sc, "C2")], 1);
    assert_int_equal(b->client_cohort[client_index(sc, "C3")], 0);
    assert_int_equal(b->client_cohort[client_index(sc, "C4")], 2);
    assert_int_equal(b->client_cohort[client_index(sc, "C5")], 3);
    assert_int_equal(b->client_cohort[client_index(sc, "C6")], 3);
    assert_true(b->cohorts[0].tenure_years == 2);
    assert_true(b->cohorts[1].tenure_years == 5);
    assert_true(b->cohorts[2].tenure_years == 0);
    assert_int_equal(b->cohorts[0].clients, 2);
    assert_rel(b->cohorts[0].annual_revenue, 2385.17 + 731.4, 1e-15);
    assert_int_equal(b->cohorts[3].retention.kind, RETENTION_CONSTANT);
    assert_int_equal(b->cohorts[3].own, OWN_RETENTION);
    /* C5's value: m R5 K(0.8615) with u = 1, g = 0, d = 0.1175, H = 4. */
    assert_rel(dcf_client_value(r->dcf, b, client_index(sc, "C5")),
               0.3875 * 58.25 * k_horizon(1, 0.8615, 0, 0.1175, 4), TOL);
    run_free(r);
}

/* The market cross-check: flagged when the value is more than 20% outside the range. */
static void test_market_flag(void **state)
{
    (void)state;
    /* V / R = 0.3875 K, K for u = 0.9437, r = 0.9125, g = 0.0215, d = 0.1175, H = 7. */
    double ratio = 0.3875 * k_horizon(0.9437, 0.9125, 0.0215, 0.1175, 7);
    double R = 2385.17 + 1190.55;
    char yaml[2048];
    /* Range [ratio/0.75, 2 ratio]: V is below 0.8 x low (flag -1). */
    snprintf(yaml, sizeof yaml, CONSTANT_BOOK "market: {multiple_low: %.17g, multiple_high: %.17g}\n",
             ratio / 0.75, 2 * ratio);
    Run *r = run_ok("market_low", yaml);
    assert_true(r->dcf->has_market);
    assert_rel(r->dcf->market_low, R * ratio / 0.75, 1e-14);
    assert_rel(r->dcf->market_high, R * 2 * ratio, 1e-14);
    assert_int_equal(r->dcf->market_flag, -1);
    run_free(r);
    /* [ratio/1.1, ratio/0.95]: inside (0). */
    snprintf(yaml, sizeof yaml, CONSTANT_BOOK "market: {multiple_low: %.17g, multiple_high: %.17g}\n",
             ratio / 1.1, ratio / 0.95);
    r = run_ok("market_in", yaml);
    assert_int_equal(r->dcf->market_flag, 0);
    run_free(r);
    /* [0.3 ratio, ratio/1.25]: V above 1.2 x high (+1). */
    snprintf(yaml, sizeof yaml, CONSTANT_BOOK "market: {multiple_low: %.17g, multiple_high: %.17g}\n",
             0.3 * ratio, ratio / 1.25);
    r = run_ok("market_high", yaml);
    assert_int_equal(r->dcf->market_flag, 1);
    run_free(r);
}

int main(void)
{
    gsl_set_error_handler_off(); /* as bookval's main does (DESIGN §9) */
    const struct CMUnitTest tests[] = {
        owned_unit_test(test_constant_end_of_year),
        owned_unit_test(test_constant_mid_year),
        owned_unit_test(test_constant_runoff_tail),
        owned_unit_test(test_annuity),
        owned_unit_test(test_uses_distribution_means),
        owned_unit_test(test_curve),
        owned_unit_test(test_curve_longer_than_horizon_with_runoff),
        owned_unit_test(test_sbg),
        owned_unit_test(test_sbg_growth_equal_to_discount),
        owned_unit_test(test_sbg_tail_close_to_one),
        owned_unit_test(test_infinite_tail),
        owned_unit_test(test_client_overrides_segment),
        owned_unit_test(test_cohorts),
        owned_unit_test(test_market_flag),
    };
    return cmocka_run_group_tests_name("dcf", tests, NULL, NULL);
}
