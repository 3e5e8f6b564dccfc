/*
 * dcf.c — expected cash flows by cohort and year, discounting, and the exact run-off tail.
 */
#include "dcf.h"
#include "normalization.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Outside the market range by more than 20%". */
#define DCF_MARKET_TOLERANCE_LOW 0.8
#define DCF_MARKET_TOLERANCE_HIGH 1.2

static double discount_factor(double d, int t, Timing timing)
{
    double years = timing == TIMING_MID_YEAR ? (double)t - 0.5 : (double)t;
    return pow(1 + d, -years);
}

static void cohort_name(const Book *book, const Cohort *c, char *buf, size_t size)
{
    if (c->segment >= 0)
        snprintf(buf, size, "segment %s", book->scenario->segments[c->segment].name);
    else
        snprintf(buf, size, "clients without a segment");
}

/*
 * The run-off beyond the horizon per unit of revenue, given the unit PV of year H (`pv_h`)
 * and the survival S(H). Geometric tails use (1+g) r / (1+d); sBG sums its series.
 */
static BvStatus cohort_tail(const Book *book, const Cohort *c, const DcfCohortInputs *in,
                            double d, double pv_h, double *tail, BvErrors *errors)
{
    const Scenario *sc = book->scenario;
    int H = sc->horizon_years;
    double g = in->revenue_growth;
    double step = (1 + g) / (1 + d); /* growth and discounting of one more year */
    char who[200];
    *tail = 0;
    if (pv_h == 0)
        return BV_OK;
    switch (c->retention.kind) {
    case RETENTION_CONSTANT:
    case RETENTION_CURVE: {
        /* Curve years past H are summed one by one; after the curve's end r is constant. */
        const RetentionModel *m = &c->retention;
        int last = m->kind == RETENTION_CURVE && m->curve_len > H ? m->curve_len : H;
        double term = pv_h, sum = 0;
        for (int t = H + 1; t <= last; t++) {
            term *= retention_rate(m, in->retention, c->tenure_years, t) * step;
            sum += term;
        }
        double r = retention_rate(m, in->retention, c->tenure_years, last + 1);
        double q = r * step;
        if (term != 0 && r != 0) {
            if (!(q < 1)) {
                cohort_name(book, c, who, sizeof who);
                return bv_error(errors, BV_ERR_INPUT, &sc->marks.tail, "tail",
                                "the run-off value is infinite for %s: retention %.6g x "
                                "(1 + growth %.6g) / (1 + discount rate %.6g) = %.6g >= 1, so "
                                "cash grows faster than it is discounted; use tail: none, or "
                                "a discount rate above growth and churn",
                                who, r, g, d, q);
            }
            sum += term * q / (1 - q);
        }
        *tail = sum;
        return BV_OK;
    }
    case RETENTION_SBG: {
        const RetentionModel *m = &c->retention;
        double b = m->beta + c->tenure_years + (double)H;
        double F;
        if (!retention_sbg_scaled_series(m->alpha, b, m->scale, step, &F)) {
            cohort_name(book, c, who, sizeof who);
            if (m->scale > 1 && step >= 1)
                return bv_error(errors, BV_ERR_INPUT, &sc->marks.tail, "tail",
                                "the run-off value is infinite for %s: retention_scale %.6g "
                                "lifts the sBG rates to 1 and (1 + growth %.6g) / (1 + "
                                "discount rate %.6g) = %.6g >= 1; use tail: none, or a "
                                "discount rate above growth",
                                who, m->scale, g, d, step);
            if (m->scale * step >= 1)
                return bv_error(errors, BV_ERR_INPUT, &sc->marks.tail, "tail",
                                "the run-off value is infinite for %s: (1 + growth %.6g) / "
                                "(1 + discount rate %.6g) = %.6g %s 1 and sBG alpha = %.6g, so "
                                "the loyal clients' cash never fades; use tail: none, or a "
                                "discount rate above growth%s",
                                who, g, d, step, step > 1 ? ">" : "=", m->alpha,
                                step == 1 ? " (or alpha > 1)" : "");
            return bv_error(errors, BV_ERR_NUMERIC, &sc->marks.tail, "tail",
                            "the sBG run-off series for %s did not converge "
                            "(alpha %.6g, beta + tenure + horizon %.6g, x %.12g, "
                            "retention_scale %.6g)",
                            who, m->alpha, b, step, m->scale);
        }
        *tail = pv_h * F;
        return BV_OK;
    }
    }
    return BV_OK;
}

static Dcf *dcf_alloc(int H, size_t cohorts)
{
    Dcf *dcf = calloc(1, sizeof *dcf);
    if (!dcf)
        return NULL;
    size_t h = (size_t)H, n = cohorts ? cohorts : 1;
    dcf->horizon = H;
    dcf->cohort_count = cohorts;
    dcf->discount_factor = calloc(h, sizeof(double));
    dcf->expected_clients = calloc(h, sizeof(double));
    dcf->revenue = calloc(h, sizeof(double));
    dcf->cash = calloc(h, sizeof(double));
    dcf->present_value = calloc(h, sizeof(double));
    dcf->inputs = calloc(n, sizeof *dcf->inputs);
    dcf->survival = calloc(n * h, sizeof(double));
    dcf->unit_value = calloc(n, sizeof(double));
    dcf->tail_factor = calloc(n, sizeof(double));
    dcf->cohort_horizon_value = calloc(n, sizeof(double));
    dcf->cohort_last_pv = calloc(n, sizeof(double));
    dcf->cohort_tail_value = calloc(n, sizeof(double));
    if (!dcf->discount_factor || !dcf->expected_clients || !dcf->revenue || !dcf->cash ||
        !dcf->present_value || !dcf->inputs || !dcf->survival || !dcf->unit_value ||
        !dcf->tail_factor || !dcf->cohort_horizon_value || !dcf->cohort_last_pv ||
        !dcf->cohort_tail_value) {
        dcf_free(dcf);
        return NULL;
    }
    return dcf;
}

double dcf_annuity(int years, double d)
{
    if (d == 0)
        return years;
    return (1 - pow(1 + d, -years)) / d;
}

static double benefit_factor(const Scenario *sc, double d)
{
    if (sc->cash_flows != CASH_FLOWS_AFTER_TAX || sc->amortization_years <= 0)
        return 1;
    int N = sc->amortization_years;
    return 1 / (1 - sc->tax_rate * dcf_annuity(N, d) / N);
}

double dcf_value_factor(const Scenario *sc, double d)
{
    if (sc->cash_flows != CASH_FLOWS_AFTER_TAX)
        return 1;
    return (1 - sc->tax_rate) * benefit_factor(sc, d);
}

void dcf_discount_factors(double d, int horizon, Timing timing, double *df)
{
    for (int t = 1; t <= horizon; t++)
        df[t - 1] = discount_factor(d, t, timing);
}

void dcf_cohort_means(const Cohort *co, DcfCohortInputs *in)
{
    in->margin = dist_mean(&co->margin);
    in->revenue_growth = dist_mean(&co->revenue_growth);
    in->transfer_retention = dist_mean(&co->transfer_retention);
    in->retention = co->retention.kind == RETENTION_CONSTANT ? dist_mean(&co->retention.constant)
                                                              : (double)NAN;
}

BvStatus dcf_cohort(const Book *book, size_t c, const DcfCohortInputs *in, double d,
                    const double *df, double *survival, double *pv, double *tail,
                    BvErrors *errors)
{
    const Cohort *co = &book->cohorts[c];
    int H = book->scenario->horizon_years;
    retention_survival(&co->retention, in->retention, co->tenure_years, in->transfer_retention,
                       H, survival);
    double grow = 1;
    for (int t = 1; t <= H; t++) {
        pv[t - 1] = in->margin * grow * survival[t - 1] * df[t - 1];
        grow *= 1 + in->revenue_growth;
    }
    *tail = 0;
    if (book->scenario->tail == TAIL_RUNOFF && co->annual_revenue > 0)
        return cohort_tail(book, co, in, d, pv[H - 1], tail, errors);
    return BV_OK;
}

BvStatus dcf_run(const Book *book, Dcf **out, BvErrors *errors)
{
    *out = NULL;
    const Scenario *sc = book->scenario;
    int H = sc->horizon_years;
    Dcf *dcf = dcf_alloc(H, book->cohort_count);
    double *pv = malloc((size_t)H * sizeof *pv);
    if (!dcf || !pv) {
        dcf_free(dcf);
        free(pv);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    double d = dist_mean(&sc->discount_rate);
    dcf->discount_rate = d;
    dcf->annual_revenue = book->annual_revenue;
    dcf_discount_factors(d, H, sc->timing, dcf->discount_factor);
    dcf->after_tax = sc->cash_flows == CASH_FLOWS_AFTER_TAX;
    dcf->tax_rate = dcf->after_tax ? sc->tax_rate : 0;
    dcf->amortization_years = dcf->after_tax ? sc->amortization_years : 0;
    dcf->benefit_factor = benefit_factor(sc, d);
    dcf->value_factor = dcf_value_factor(sc, d);
    double k = dcf->value_factor, after_tax = 1 - dcf->tax_rate;

    BvStatus status = BV_OK;
    for (size_t c = 0; c < book->cohort_count && status == BV_OK; c++) {
        const Cohort *co = &book->cohorts[c];
        DcfCohortInputs *in = &dcf->inputs[c];
        dcf_cohort_means(co, in);
        double *S = &dcf->survival[c * (size_t)H];
        double tail;
        status = dcf_cohort(book, c, in, d, dcf->discount_factor, S, pv, &tail, errors);
        if (status != BV_OK)
            break;
        double unit_pv = 0, grow = 1;
        for (int t = 1; t <= H; t++) {
            unit_pv += pv[t - 1];
            double revenue = grow * S[t - 1]; /* per unit of R */
            dcf->expected_clients[t - 1] += co->weight * (double)co->clients * S[t - 1];
            dcf->revenue[t - 1] += co->annual_revenue * revenue;
            dcf->cash[t - 1] += co->annual_revenue * in->margin * revenue;
            grow *= 1 + in->revenue_growth;
        }
        double pv_h = pv[H - 1];
        dcf->unit_value[c] = k * (unit_pv + tail);
        dcf->tail_factor[c] = pv_h != 0 ? tail / pv_h : 0;
        dcf->cohort_horizon_value[c] = k * co->annual_revenue * unit_pv;
        dcf->cohort_last_pv[c] = k * co->annual_revenue * pv_h;
        dcf->cohort_tail_value[c] = k * co->annual_revenue * tail;
        dcf->horizon_value += dcf->cohort_horizon_value[c];
        dcf->tail_value += dcf->cohort_tail_value[c];
    }
    free(pv);
    if (status != BV_OK) {
        dcf_free(dcf);
        return status;
    }
    for (int t = 1; t <= H; t++)
        dcf->present_value[t - 1] = after_tax * dcf->cash[t - 1] * dcf->discount_factor[t - 1];
    dcf->value = dcf->horizon_value + dcf->tail_value;
    dcf->value_to_revenue = book->annual_revenue > 0 ? dcf->value / book->annual_revenue
                                                     : (double)NAN;
    if (sc->has_market) {
        /* Flag a DCF value more than 20% outside the market's range. */
        dcf->has_market = true;
        double basis = book->annual_revenue;
        if (sc->market_basis != 0) { /* multiples of normalised earnings */
            NormalizedEarnings e;
            normalization_value(sc, scenario_annual_revenue(sc), &e);
            basis = sc->market_basis == 1 ? e.sde : e.ebitda;
        }
        dcf->market_low = sc->multiple_low * basis;
        dcf->market_high = sc->multiple_high * basis;
        dcf->market_flag = dcf->value < DCF_MARKET_TOLERANCE_LOW * dcf->market_low    ? -1
                           : dcf->value > DCF_MARKET_TOLERANCE_HIGH * dcf->market_high ? 1
                                                                                       : 0;
    }
    if (!isfinite(dcf->value)) {
        dcf_free(dcf);
        return bv_error(errors, BV_ERR_NUMERIC, NULL, NULL,
                        "the DCF value is not a finite number; check the assumptions' scale");
    }
    *out = dcf;
    return BV_OK;
}

BvStatus dcf_book_flows(const Book *book, double d, Timing timing, bool without_transfer,
                        double margin, double *revenue, double *cash, double *lost_share,
                        double *tail_pv, BvErrors *errors)
{
    const Scenario *sc = book->scenario;
    int H = sc->horizon_years;
    size_t h = (size_t)H;
    double *df = malloc(h * sizeof *df), *S = malloc(h * sizeof *S), *pv = malloc(h * sizeof *pv);
    if (!df || !S || !pv) {
        free(df);
        free(S);
        free(pv);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    dcf_discount_factors(d, H, timing, df);
    memset(revenue, 0, h * sizeof *revenue);
    memset(cash, 0, h * sizeof *cash);
    memset(lost_share, 0, h * sizeof *lost_share);
    *tail_pv = 0;
    BvStatus status = BV_OK;
    for (size_t c = 0; c < book->cohort_count && status == BV_OK; c++) {
        const Cohort *co = &book->cohorts[c];
        DcfCohortInputs in;
        dcf_cohort_means(co, &in);
        if (without_transfer)
            in.transfer_retention = 1;
        if (!isnan(margin))
            in.margin = margin;
        double tail;
        status = dcf_cohort(book, c, &in, d, df, S, pv, &tail, errors);
        double grow = 1, before = 1;
        for (int t = 0; t < H && status == BV_OK; t++) {
            revenue[t] += co->annual_revenue * grow * S[t];
            cash[t] += co->annual_revenue * in.margin * grow * S[t];
            if (book->annual_revenue > 0)
                lost_share[t] += co->annual_revenue / book->annual_revenue * (before - S[t]);
            before = S[t];
            grow *= 1 + in.revenue_growth;
        }
        *tail_pv += co->annual_revenue * tail;
    }
    free(df);
    free(S);
    free(pv);
    return status;
}

void dcf_free(Dcf *dcf)
{
    if (!dcf)
        return;
    free(dcf->discount_factor);
    free(dcf->expected_clients);
    free(dcf->revenue);
    free(dcf->cash);
    free(dcf->present_value);
    free(dcf->inputs);
    free(dcf->survival);
    free(dcf->unit_value);
    free(dcf->tail_factor);
    free(dcf->cohort_horizon_value);
    free(dcf->cohort_last_pv);
    free(dcf->cohort_tail_value);
    free(dcf);
}

double dcf_client_value(const Dcf *dcf, const Book *book, size_t i)
{
    return book_client_revenue(book, i) * dcf->unit_value[book->client_cohort[i]];
}
