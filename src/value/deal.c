/*
 * deal.c — the deal's flows, the seller's tax, the buyer's return and the walk-away prices.
 */
#include "deal.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SOLVER_MAX_ITERATIONS 200
#define SCALE_DOUBLINGS_MAX 60
#define IRR_LOWEST (-0.99)
#define IRR_HIGHEST 100.0
#define IRR_GRID 2000

int deal_years(const Scenario *sc)
{
    int years = sc->horizon_years;
    for (size_t i = 0; i < sc->deal.payment_count; i++)
        if (sc->deal.payments[i].year > years)
            years = sc->deal.payments[i].year;
    if (sc->buyer.enabled && sc->buyer.amortization_years > years)
        years = sc->buyer.amortization_years;
    return years;
}

BvStatus deal_flows_alloc(DealFlows *f, int years)
{
    memset(f, 0, sizeof *f);
    f->years = years;
    size_t n = (size_t)years + 1;
    double **arrays[] = {&f->base,      &f->true_up,    &f->earn_out,       &f->clawback,
                         &f->principal, &f->interest,   &f->recognised,     &f->tax,
                         &f->seller_net, &f->book_after_tax, &f->shield,    &f->buyer_net};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        *arrays[i] = calloc(n, sizeof(double));
        if (!*arrays[i]) {
            deal_flows_free(f);
            return BV_ERR_NOMEM;
        }
    }
    f->irr_solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!f->irr_solver) {
        deal_flows_free(f);
        return BV_ERR_NOMEM;
    }
    return BV_OK;
}

void deal_flows_free(DealFlows *f)
{
    double *arrays[] = {f->base,      f->true_up,    f->earn_out,       f->clawback,
                        f->principal, f->interest,   f->recognised,     f->tax,
                        f->seller_net, f->book_after_tax, f->shield,    f->buyer_net};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
    if (f->irr_solver)
        gsl_root_fsolver_free(f->irr_solver);
    memset(f, 0, sizeof *f);
}

double deal_buyer_rate(const Scenario *sc)
{
    return sc->buyer.has_discount_rate ? sc->buyer.discount_rate : dist_mean(&sc->discount_rate);
}

double deal_bracket_tax(const SellerSpec *s, double gain)
{
    double tax = 0;
    for (size_t k = 0; k < s->bracket_count && gain > s->brackets[k].from; k++) {
        double top = k + 1 < s->bracket_count ? s->brackets[k + 1].from : (double)INFINITY;
        tax += s->brackets[k].rate * ((gain < top ? gain : top) - s->brackets[k].from);
    }
    return tax;
}

/* The refund share for a client lost in year t: the first tier that reaches t. */
static double clawback_refund(const DealSpec *d, int t)
{
    for (size_t i = 0; i < d->clawback_count; i++)
        if (t <= d->clawbacks[i].within_years)
            return d->clawbacks[i].refund;
    return 0;
}

static double present_value(const double *flows, int years, double rate)
{
    double pv = 0, df = 1;
    for (int t = 0; t <= years; t++) {
        pv += flows[t] * df;
        df /= 1 + rate;
    }
    return pv;
}

typedef struct IrrFlows {
    const double *flows;
    int years;
} IrrFlows;

static double npv_at(double rate, void *params)
{
    const IrrFlows *f = params;
    return present_value(f->flows, f->years, rate);
}

/* Brent's method (solver s) on f over [lo, hi] (f(lo), f(hi) of opposite signs), to an
 * absolute tolerance. NaN when it does not converge. */
static double brent(gsl_root_fsolver *s, double (*fn)(double, void *), void *params, double lo,
                    double hi, double epsabs)
{
    gsl_function F = {fn, params};
    double root = (double)NAN;
    if (gsl_root_fsolver_set(s, &F, lo, hi) == GSL_SUCCESS) {
        for (int i = 0; i < SOLVER_MAX_ITERATIONS; i++) {
            if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS)
                break;
            double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
            if (gsl_root_test_interval(a, b, epsabs, 1e-15) == GSL_SUCCESS) {
                root = gsl_root_fsolver_root(s);
                break;
            }
        }
    }
    return root;
}

/* The buyer's IRR: the rate where the flows' PV is 0. Scans (-99%, 10000%) for sign changes;
 * with several roots, the one nearest 10% (the guess of a spreadsheet's IRR()). NaN: none. */
static double irr(gsl_root_fsolver *solver, const double *flows, int years)
{
    IrrFlows f = {flows, years};
    double best = (double)NAN, prev_r = IRR_LOWEST, prev_v = npv_at(prev_r, &f);
    for (int i = 1; i <= IRR_GRID; i++) {
        /* Denser near 0, where IRRs of practice deals live. */
        double u = (double)i / IRR_GRID;
        double r = IRR_LOWEST + (IRR_HIGHEST - IRR_LOWEST) * u * u * u;
        double v = npv_at(r, &f);
        if (isfinite(prev_v) && isfinite(v) && (prev_v == 0 || prev_v * v < 0)) {
            double root = prev_v == 0 ? prev_r : brent(solver, npv_at, &f, prev_r, r, 1e-12);
            if (isfinite(root) && (isnan(best) || fabs(root - 0.1) < fabs(best - 0.1)))
                best = root;
        }
        prev_r = r;
        prev_v = v;
    }
    return best;
}

void deal_price(const Scenario *sc, const DealBook *book, double scale, double buyer_rate,
                DealFlows *f)
{
    const DealSpec *d = &sc->deal;
    int Y = f->years, H = book->horizon;
    size_t n = (size_t)Y + 1;
    double **zero[] = {&f->base,      &f->true_up,    &f->earn_out,       &f->clawback,
                       &f->principal, &f->interest,   &f->recognised,     &f->tax,
                       &f->seller_net, &f->book_after_tax, &f->shield,    &f->buyer_net};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        memset(*zero[i], 0, n * sizeof(double));

    /* The price, as it reaches the seller. */
    double R = book->annual_revenue;
    double P0 = scale * (d->price_is_multiple ? d->price * R : d->price);
    f->base_price = P0;
    for (size_t i = 0; i < d->payment_count; i++)
        f->base[d->payments[i].year] += d->payments[i].share * P0;
    if (d->has_adjustment) {
        int m = d->measure_year;
        f->true_up[m] = scale * d->adjustment_multiple * book->revenue[m - 1] - P0;
    }
    for (size_t i = 0; i < d->earn_out_count; i++) {
        int y = d->earn_outs[i].year;
        f->earn_out[y] += scale * d->earn_outs[i].share * book->revenue[y - 1];
    }
    for (int t = 1; t <= H && d->clawback_count; t++)
        f->clawback[t] = P0 * book->lost_share[t - 1] * clawback_refund(d, t);
    double price = 0, due = 0;
    for (int t = 0; t <= Y; t++) {
        f->principal[t] = f->base[t] + f->true_up[t] + f->earn_out[t] - f->clawback[t];
        price += f->principal[t];
    }
    f->price = price;
    for (int t = Y; t >= 1; t--) {
        due += f->base[t]; /* base-price principal due in year t or later */
        f->interest[t] = d->interest_rate * due;
    }

    /* The seller: gain, its recognition and tax, net proceeds. */
    const SellerSpec *s = &sc->seller;
    f->gain = f->accounting_gain = f->tax_total = f->net_proceeds = f->net_proceeds_pv =
        (double)NAN;
    if (s->enabled) {
        f->gain = price - s->tax_basis - s->selling_costs;
        f->accounting_gain = price - s->carrying_amount - s->selling_costs;
        if (s->installment_method && price != 0)
            for (int t = 0; t <= Y; t++)
                f->recognised[t] = f->gain * f->principal[t] / price;
        else
            f->recognised[0] = f->gain;
        double cumulative = 0, paid = 0;
        f->tax_total = f->net_proceeds = 0;
        for (int t = 0; t <= Y; t++) {
            if (f->gain > 0 && s->cumulative) {
                cumulative += f->recognised[t];
                f->tax[t] = deal_bracket_tax(s, cumulative) - paid;
                paid += f->tax[t];
            } else if (f->gain > 0) {
                f->tax[t] = deal_bracket_tax(s, f->recognised[t]);
            }
            f->seller_net[t] = f->principal[t] + f->interest[t] - f->tax[t] -
                               (t == 0 ? s->selling_costs : 0);
            f->tax_total += f->tax[t];
            f->net_proceeds += f->seller_net[t];
        }
        /* The fixed payments carry the buyer's credit risk (the seller's rate); the parts of
         * the price that move with the book carry the book's risk (the keep rate). */
        double fixed_pv = 0, risky_pv = 0, df_fixed = 1, df_risky = 1;
        for (int t = 0; t <= Y; t++) {
            double risky = f->true_up[t] + f->earn_out[t] - f->clawback[t];
            fixed_pv += (f->seller_net[t] - risky) * df_fixed;
            risky_pv += risky * df_risky;
            df_fixed /= 1 + s->discount_rate;
            df_risky /= 1 + (s->keep.enabled ? s->keep.discount_rate : s->discount_rate);
        }
        f->net_proceeds_pv = fixed_pv + risky_pv;
    }

    /* The buyer: the book's cash after tax, the amortisation shield, the payments. */
    const BuyerSpec *b = &sc->buyer;
    f->npv = f->irr = (double)NAN;
    f->payback_year = -1;
    if (!b->enabled)
        return;
    for (int t = 1; t <= H; t++)
        f->book_after_tax[t] = (1 - b->tax_rate) * book->cash[t - 1];
    f->book_after_tax[H] += (1 - b->tax_rate) * book->tail_pv * pow(1 + buyer_rate, H);
    for (int t = 1; t <= b->amortization_years; t++)
        f->shield[t] = b->tax_rate * (price + b->acquisition_costs) / b->amortization_years;
    double cumulative = 0;
    for (int t = 0; t <= Y; t++) {
        f->buyer_net[t] = f->book_after_tax[t] + f->shield[t] - f->principal[t] -
                          f->interest[t] - (t == 0 ? b->acquisition_costs : 0);
        cumulative += f->buyer_net[t];
        if (f->payback_year < 0 && cumulative >= 0)
            f->payback_year = t;
    }
    f->npv = present_value(f->buyer_net, Y, buyer_rate);
    f->irr = f->skip_irr ? (double)NAN : irr(f->irr_solver, f->buyer_net, Y);
}

/* ---- walk-away prices ---- */

typedef struct ScaleProblem {
    const Scenario *sc;
    const DealBook *book;
    double buyer_rate;
    DealFlows *flows;
    bool seller;     /* seller: net proceeds PV - keep_pv; buyer: NPV */
    double keep_pv;
    gsl_root_fsolver *solver; /* not flows' own: pricing inside the search uses that one */
} ScaleProblem;

static double scale_gap(double scale, void *params)
{
    ScaleProblem *p = params;
    deal_price(p->sc, p->book, scale, p->buyer_rate, p->flows);
    return p->seller ? p->flows->net_proceeds_pv - p->keep_pv : p->flows->npv;
}

/* The scale at which the gap crosses 0, searched upwards from 0 by doubling; NaN when the
 * gap does not change sign (the price terms move nothing, or no price makes it cross). */
static double solve_scale(ScaleProblem *p, double unit_price)
{
    double lo = 0, g_lo = scale_gap(lo, p);
    double hi = 1, g_hi = scale_gap(hi, p);
    for (int i = 0; i < SCALE_DOUBLINGS_MAX && g_lo * g_hi > 0; i++) {
        lo = hi;
        g_lo = g_hi;
        hi *= 2;
        g_hi = scale_gap(hi, p);
    }
    if (!(g_lo * g_hi <= 0) || !(unit_price > 0))
        return (double)NAN;
    if (g_lo == 0)
        return lo;
    /* To a hundredth of a cent of the base price. */
    return brent(p->solver, scale_gap, p, lo, hi, 1e-4 / unit_price);
}

/* Say whose rate made the run-off infinite: the message quotes a rate that is not the
 * scenario's. */
static void name_rate(BvErrors *errors, const char *whose)
{
    if (errors->count == 0)
        return;
    BvError *e = &errors->items[errors->count - 1];
    char message[BV_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message, "%s (valuing the deal at %s discount rate)", e->message,
             whose);
    snprintf(e->message, sizeof e->message, "%s", message);
}

/* The book as its seller would keep it, at the keep rate `rate`, into the deal's keep arrays
 * (lost: scratch). */
static BvStatus keep_flows(const Book *book, const KeepSpec *keep, double rate, Deal *deal,
                           double *lost, BvErrors *errors)
{
    double margin = keep->has_margin ? keep->margin : (double)NAN;
    BvStatus status = dcf_book_flows(book, rate, book->scenario->timing, true, margin,
                                     deal->keep_revenue, deal->keep_cash, lost,
                                     &deal->keep_tail_pv, errors);
    if (status != BV_OK)
        name_rate(errors, "the seller's keep");
    return status;
}

static KeepBook keep_book_of(const Deal *deal, int horizon)
{
    return (KeepBook){horizon, deal->keep_revenue, deal->keep_cash, deal->keep_tail_pv};
}

/* Keep value minus `target` at a trial keep rate (the run-off moves with the rate). */
typedef struct RateProblem {
    const Book *book;
    Deal *deal;
    double *lost;
    double target;
    BvErrors *errors;
    BvStatus failed;          /* other than an infinite run-off: ends the search */
} RateProblem;

static double rate_gap(double rate, void *params)
{
    RateProblem *p = params;
    const Scenario *sc = p->book->scenario;
    KeepSpec trial = sc->seller.keep;
    trial.discount_rate = rate;
    size_t before = p->errors->count;
    BvStatus status = keep_flows(p->book, &trial, rate, p->deal, p->lost, p->errors);
    if (status == BV_ERR_INPUT)
        p->errors->count = before; /* an infinite run-off at a trial rate: not the input's */
    else if (status != BV_OK)
        p->failed = status;
    if (status != BV_OK)
        return (double)NAN;
    KeepBook kb = keep_book_of(p->deal, sc->horizon_years);
    KeepValue kv;
    keep_value(sc, &trial, &kb, &kv);
    return kv.value - p->target;
}

#define OPENS_AT_RATE_MAX 2.0 /* 200% a year: beyond it no practice's risk is priced */
#define OPENS_AT_RATE_STEPS 400

/*
 * Where the seller's minimum meets the buyer's maximum: the keep value equals `target`, the
 * sale's net proceeds PV at the buyer's maximum. Owner compensation enters linearly, so it is
 * solved in closed form; years are whole; the rate is scanned upwards from the scenario's.
 */
static BvStatus opens_at(const Book *book, Deal *deal, double target, double *lost,
                         gsl_root_fsolver *solver, BvErrors *errors)
{
    const Scenario *sc = book->scenario;
    const KeepSpec *keep = &sc->seller.keep;
    KeepBook kb = keep_book_of(deal, sc->horizon_years);
    deal->has_opens_at = true;
    deal->opens_at_compensation = deal->opens_at_discount_rate = (double)NAN;
    deal->opens_at_years = 0;

    KeepSpec unit = *keep;
    unit.owner_compensation = 1;
    KeepValue one;
    keep_value(sc, &unit, &kb, &one);
    double per_unit = (1 - sc->seller.income_tax_rate) * one.owner_compensation_pv;
    if (per_unit > 0) {
        double c = keep->owner_compensation + (deal->keep.value - target) / per_unit;
        if (c >= 0)
            deal->opens_at_compensation = c;
    }

    for (int k = 1; k <= sc->horizon_years; k++) {
        KeepSpec trial = *keep;
        trial.years = k;
        KeepValue kv;
        keep_value(sc, &trial, &kb, &kv);
        if (kv.value <= target)
            deal->opens_at_years = k; /* the longest the seller could still work and sell now */
    }

    RateProblem p = {book, deal, lost, target, errors, BV_OK};
    double lo = keep->discount_rate, g_lo = rate_gap(lo, &p);
    double step = (OPENS_AT_RATE_MAX - lo) / OPENS_AT_RATE_STEPS;
    for (int i = 1; i <= OPENS_AT_RATE_STEPS && isfinite(g_lo) && g_lo > 0 && step > 0 &&
                    p.failed == BV_OK;
         i++) {
        double hi = lo + step, g_hi = rate_gap(hi, &p);
        if (isfinite(g_hi) && g_hi <= 0) {
            deal->opens_at_discount_rate = g_hi == 0 ? hi : brent(solver, rate_gap, &p, lo, hi,
                                                                  1e-12);
            if (isnan(deal->opens_at_discount_rate))
                return bv_error(errors, BV_ERR_NUMERIC, &keep->mark, "seller.keep.discount_rate",
                                "the rate at which the sale meets keeping did not converge");
            break;
        }
        lo = hi;
        g_lo = g_hi;
    }
    if (p.failed != BV_OK)
        return p.failed;
    /* Leave the keep arrays as the scenario has them: the workbook shows them. */
    return keep_flows(book, keep, keep->discount_rate, deal, lost, errors);
}

/* The walk-away price of one side in both terms: base (scale x P0) and expected (the final
 * price at that scale). */
static void walk_away(ScaleProblem *p, double unit_price, double *base, double *expected)
{
    double scale = solve_scale(p, unit_price);
    *base = scale * unit_price;
    *expected = (double)NAN;
    if (isfinite(scale)) {
        deal_price(p->sc, p->book, scale, p->buyer_rate, p->flows);
        *expected = p->flows->price;
    }
}

BvStatus deal_run(const Book *book, Deal **out, BvErrors *errors)
{
    *out = NULL;
    const Scenario *sc = book->scenario;
    int H = sc->horizon_years, Y = deal_years(sc);
    size_t h = (size_t)H;
    Deal *deal = calloc(1, sizeof *deal);
    double *scratch_lost = malloc(h * sizeof(double));
    DealFlows work = {0};
    gsl_root_fsolver *walk_solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_root_fsolver *rate_solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    BvStatus status = BV_OK;
    if (!deal || !scratch_lost || !walk_solver || !rate_solver)
        goto nomem;
    deal->revenue = malloc(h * sizeof(double));
    deal->cash = malloc(h * sizeof(double));
    deal->lost_share = malloc(h * sizeof(double));
    deal->keep_revenue = calloc(h, sizeof(double));
    deal->keep_cash = calloc(h, sizeof(double));
    if (!deal->revenue || !deal->cash || !deal->lost_share || !deal->keep_revenue ||
        !deal->keep_cash || deal_flows_alloc(&deal->flows, Y) != BV_OK ||
        deal_flows_alloc(&work, Y) != BV_OK)
        goto nomem;
    deal->has_seller = sc->seller.enabled;
    deal->has_buyer = sc->buyer.enabled;
    deal->buyer_rate = deal_buyer_rate(sc);
    deal->seller_rate = sc->seller.enabled ? sc->seller.discount_rate : (double)NAN;
    deal->min_price = deal->max_price = deal->keep_pv = (double)NAN;
    deal->min_price_expected = deal->max_price_expected = deal->keep_rate = (double)NAN;

    /* Deal flows are annual, at year ends, whatever the DCF's timing. */
    status = dcf_book_flows(book, deal->buyer_rate, TIMING_END_OF_YEAR, false, (double)NAN,
                            deal->revenue, deal->cash, deal->lost_share, &deal->tail_pv, errors);
    if (status != BV_OK) {
        name_rate(errors, "the buyer's");
        goto done;
    }
    DealBook expected = {H, book->annual_revenue, deal->revenue, deal->cash, deal->lost_share,
                         deal->tail_pv};
    deal_price(sc, &expected, 1, deal->buyer_rate, &deal->flows);
    double unit_price = deal->flows.base_price;

    if (sc->buyer.enabled) {
        ScaleProblem p = {sc, &expected, deal->buyer_rate, &work, false, 0, walk_solver};
        walk_away(&p, unit_price, &deal->max_price, &deal->max_price_expected);
    }
    if (sc->seller.enabled && sc->seller.keep.enabled) {
        const KeepSpec *keep = &sc->seller.keep;
        status = keep_flows(book, keep, keep->discount_rate, deal, scratch_lost, errors);
        if (status != BV_OK)
            goto done;
        KeepBook kb = keep_book_of(deal, H);
        keep_value(sc, keep, &kb, &deal->keep);
        deal->has_keep = true;
        deal->keep_rate = keep->discount_rate;
        deal->keep_pv = deal->keep.value;
        ScaleProblem p = {sc, &expected, deal->buyer_rate, &work, true, deal->keep_pv,
                          walk_solver};
        walk_away(&p, unit_price, &deal->min_price, &deal->min_price_expected);
        if (sc->buyer.enabled && isfinite(deal->max_price) &&
            !(deal->min_price_expected <= deal->max_price_expected)) {
            /* No zone: what the sale is worth to the seller at the buyer's maximum. */
            deal_price(sc, &expected, deal->max_price / unit_price, deal->buyer_rate, &work);
            status = opens_at(book, deal, work.net_proceeds_pv, scratch_lost, rate_solver,
                              errors);
            if (status != BV_OK)
                goto done;
        }
    }
    *out = deal;
    deal = NULL;
    goto done;
nomem:
    status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
done:
    free(scratch_lost);
    deal_flows_free(&work);
    if (walk_solver)
        gsl_root_fsolver_free(walk_solver);
    if (rate_solver)
        gsl_root_fsolver_free(rate_solver);
    deal_free(deal); /* NULL once handed to the caller */
    return status;
}

void deal_free(Deal *deal)
{
    if (!deal)
        return;
    deal_flows_free(&deal->flows);
    free(deal->revenue);
    free(deal->cash);
    free(deal->lost_share);
    free(deal->keep_revenue);
    free(deal->keep_cash);
    free(deal);
}
