/*
 * deal.c — the deal's flows, the seller's tax, the buyer's return and the walk-away prices.
 */
#include "deal.h"
#include "tax.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rootfind.h"

#define SOLVER_MAX_ITERATIONS 200
#define SCALE_DOUBLINGS_MAX 60
#define IRR_LOWEST (-0.99)
#define IRR_HIGHEST 100.0
#define IRR_GRID 2000
#define IRR_GUESS 0.1 /* a spreadsheet's IRR() starts here */

int deal_years(const Scenario *sc)
{
    int years = sc->horizon_years;
    for (size_t i = 0; i < sc->deal.payment_count; i++)
        if (sc->deal.payments[i].year > years)
            years = sc->deal.payments[i].year;
    if (sc->buyer.enabled && sc->buyer.amortization_years > years)
        years = sc->buyer.amortization_years;
    if (allocation_years(sc) > years)
        years = allocation_years(sc);
    if (sc->seller.enabled)
        years += sc->seller.payment_lag_years; /* the last year's tax, paid a year later */
    return years;
}

BvStatus deal_flows_alloc(DealFlows *f, int years)
{
    memset(f, 0, sizeof *f);
    f->years = years;
    size_t n = (size_t)years + 1;
    double **arrays[] = {&f->base,      &f->true_up,    &f->earn_out,       &f->clawback,
                         &f->principal, &f->interest,   &f->recognised,     &f->tax,
                         &f->seller_net, &f->book_after_tax, &f->shield,    &f->buyer_net,
                         &f->book_mid,  &f->taxable,   &f->carried,    &f->carried_back,
                         &f->given_back,
                         &f->interest_tax, &f->tax_paid, &f->interest_shield,
                         &f->loss_used, &f->loss_value};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        *arrays[i] = calloc(n, sizeof(double));
        if (!*arrays[i]) {
            deal_flows_free(f);
            return BV_ERR_NOMEM;
        }
    }
    f->irr = (double)NAN;
    f->carry = 1;
    if (financing_alloc(&f->loan, years) != BV_OK) {
        deal_flows_free(f);
        return BV_ERR_NOMEM;
    }
    return BV_OK;
}

void deal_flows_free(DealFlows *f)
{
    double *arrays[] = {f->base,      f->true_up,    f->earn_out,       f->clawback,
                        f->principal, f->interest,   f->recognised,     f->tax,
                        f->seller_net, f->book_after_tax, f->shield,    f->buyer_net,
                        f->book_mid,  f->taxable,    f->carried,    f->carried_back,
                        f->given_back,
                        f->interest_tax, f->tax_paid, f->interest_shield,
                        f->loss_used, f->loss_value};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
    financing_free(&f->loan);
    memset(f, 0, sizeof *f);
}

double deal_buyer_rate(const Scenario *sc)
{
    return sc->buyer.has_discount_rate ? sc->buyer.discount_rate : dist_mean(&sc->discount_rate);
}

double deal_bracket_tax(const SellerSpec *s, double gain)
{
    return tax_brackets(s, gain);
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

double deal_timed_pv(const DealFlows *f, const double *flows, double rate)
{
    if (f->carry == 1)
        return present_value(flows, f->years, rate);
    /* flows[t] less its carried mid-year part at t, and that part at t - 0.5. */
    double pv = 0, df = 1, half = sqrt(1 + rate);
    for (int t = 0; t <= f->years; t++) {
        pv += (flows[t] - f->carry * f->book_mid[t]) * df + f->book_mid[t] * df * half;
        df /= 1 + rate;
    }
    return pv;
}

typedef struct IrrFlows {
    const DealFlows *deal;
    const double *flows;
} IrrFlows;

static double npv_at(double rate, void *params)
{
    const IrrFlows *f = params;
    return deal_timed_pv(f->deal, f->flows, rate);
}

BvStatus deal_irr(DealFlows *f, BvErrors *errors)
{
    f->irr = (double)NAN;
    if (!isfinite(f->npv)) /* no buyer, so no buyer's flows */
        return BV_OK;
    /* (-99%, 10000%), denser near 0, where IRRs of practice deals live; with several roots,
     * the one nearest a spreadsheet's guess. */
    double grid[IRR_GRID + 1];
    for (int i = 0; i <= IRR_GRID; i++) {
        double u = (double)i / IRR_GRID;
        grid[i] = IRR_LOWEST + (IRR_HIGHEST - IRR_LOWEST) * u * u * u;
    }
    IrrFlows flows = {f, f->buyer_net};
    RootOptions o = {1e-12, 1e-15, SOLVER_MAX_ITERATIONS, ROOT_PICK_NEAREST, IRR_GUESS};
    RootResult r = rootfind_scan(npv_at, &flows, grid, IRR_GRID + 1, &o);
    f->irr = r.root; /* NaN: no IRR in range, reported as null */
    return rootfind_check(&r, "the buyer's IRR", errors);
}

void deal_price(const Scenario *sc, const DealBook *book, double scale, double buyer_rate,
                DealFlows *f)
{
    const DealSpec *d = &sc->deal;
    int Y = f->years, H = book->horizon;
    size_t n = (size_t)Y + 1;
    double **zero[] = {&f->base,      &f->true_up,    &f->earn_out,       &f->clawback,
                       &f->principal, &f->interest,   &f->recognised,     &f->tax,
                       &f->seller_net, &f->book_after_tax, &f->shield,    &f->buyer_net,
                       &f->book_mid};
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
        f->recaptured = (double)NAN;
    allocation_price(sc, scale, price, &f->alloc);
    closing_price(sc, &f->closing);
    if (s->enabled) {
        f->gain = price - s->tax_basis - s->selling_costs;
        f->accounting_gain = price - s->carrying_amount - s->selling_costs;
        /* By the brackets: the gain less the ordinary classes and the recaptured amortisation
         * (ordinary income of the sale's year, § 453(i)). */
        f->recaptured = tax_recaptured(s, f->gain - f->alloc.ordinary);
        double taxed = f->gain - f->alloc.ordinary - f->recaptured;
        if (s->installment_method && price != 0)
            for (int t = 0; t <= Y; t++)
                f->recognised[t] = taxed * f->principal[t] / price;
        else
            f->recognised[0] = taxed;
        TaxYears tax = {f->taxable, f->carried, f->carried_back, f->given_back, f->tax,
                        f->loss_used, f->loss_value};
        tax_schedule(s, taxed, price, Y, f->recognised, &tax);
        if (f->alloc.enabled) /* the ordinary classes, recognised like the rest */
            for (int t = 0; t <= Y; t++)
                f->tax[t] += f->alloc.ordinary_tax *
                             (s->installment_method && price != 0 ? f->principal[t] / price
                                                                  : t == 0);
        f->tax[0] += tax_ordinary_rate(s) * f->recaptured;
        tax_interest_and_payment(s, Y, f->interest, f->tax, f->interest_tax, f->tax_paid);
        f->tax_total = f->net_proceeds = f->interest_tax_total = 0;
        for (int t = 0; t <= Y; t++) {
            f->seller_net[t] = f->principal[t] + f->interest[t] - f->tax_paid[t] -
                               (t == 0 ? s->selling_costs : 0) +
                               closing_seller_flow(&f->closing, t);
            f->tax_total += f->tax[t];
            f->interest_tax_total += f->interest_tax[t];
            f->net_proceeds += f->seller_net[t];
        }
        allocation_seller_tax(sc, f->tax_total, &f->alloc);
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
    /* The book's cash follows the scenario's timing: mid-year cash is carried to its year's
     * end at the buyer's rate, so the year-end schedule (NPV, IRR(), payback) holds it at
     * its value; contractual amounts and the shield stay at year ends. */
    double carry = sc->timing == TIMING_MID_YEAR ? sqrt(1 + buyer_rate) : 1;
    f->carry = carry;
    for (int t = 1; t <= H; t++) {
        double arrives = (1 - b->tax_rate) * book->cash[t - 1];
        f->book_after_tax[t] = arrives * carry;
        if (carry != 1)
            f->book_mid[t] = arrives;
    }
    f->book_after_tax[H] += (1 - b->tax_rate) * book->tail_pv * pow(1 + buyer_rate, H);
    for (int t = 1; t <= b->amortization_years; t++)
        f->shield[t] = b->tax_rate * (price + b->acquisition_costs) / b->amortization_years;
    if (f->alloc.enabled)
        allocation_shields(sc, buyer_rate, b->acquisition_costs, f->principal, price, Y,
                           f->shield, &f->alloc);
    financing_price(sc, scale, P0, f->principal, f->interest, book->cash,
                    f->principal[0] + b->acquisition_costs + f->closing.to_buyer +
                        f->closing.working_capital,
                    &f->loan);
    double cumulative = 0, discounted = 0, df = 1;
    f->discounted_payback_year = -1;
    for (int t = 0; t <= Y; t++) {
        f->interest_shield[t] = b->tax_rate * f->interest[t]; /* interest is deductible */
        f->buyer_net[t] = f->book_after_tax[t] + f->shield[t] + f->interest_shield[t] -
                          f->principal[t] - f->interest[t] - (t == 0 ? b->acquisition_costs : 0) +
                          f->loan.net[t] + f->loan.draw[t] + closing_buyer_flow(&f->closing, t);
        cumulative += f->buyer_net[t];
        if (f->payback_year < 0 && cumulative >= 0)
            f->payback_year = t;
        discounted += f->buyer_net[t] * df;
        df /= 1 + buyer_rate;
        if (f->discounted_payback_year < 0 && discounted >= 0)
            f->discounted_payback_year = t;
    }
    f->npv = present_value(f->buyer_net, Y, buyer_rate);
}

/* ---- walk-away prices ---- */

typedef struct ScaleProblem {
    const Scenario *sc;
    const DealBook *book;
    double buyer_rate;
    DealFlows *flows;
    bool seller;     /* seller: net proceeds PV - keep_pv; buyer: NPV */
    double keep_pv;
} ScaleProblem;

static double scale_gap(double scale, void *params)
{
    ScaleProblem *p = params;
    deal_price(p->sc, p->book, scale, p->buyer_rate, p->flows);
    return p->seller ? p->flows->net_proceeds_pv - p->keep_pv : p->flows->npv;
}

/* The scale at which the gap crosses 0, searched upwards from 0 by doubling: `*scale` is NaN
 * when the gap does not change sign (the price terms move nothing, or no price makes it
 * cross). exceptions: BV_ERR_NUMERIC when Brent does not converge; BV_ERR_NOMEM. */
static BvStatus solve_scale(ScaleProblem *p, double unit_price, const char *what, double *scale,
                            BvErrors *errors)
{
    *scale = (double)NAN;
    if (!(unit_price > 0))
        return BV_OK;
    double grid[SCALE_DOUBLINGS_MAX + 2] = {0, 1};
    for (int i = 2; i < SCALE_DOUBLINGS_MAX + 2; i++)
        grid[i] = 2 * grid[i - 1];
    /* To a nano-unit of the base price: the walk-away re-run as the price must reproduce its
     * equation to 1e-9 of the price. */
    RootOptions o = {1e-9 / unit_price, 1e-15, SOLVER_MAX_ITERATIONS, ROOT_PICK_FIRST, 0};
    RootResult r = rootfind_scan(scale_gap, p, grid, SCALE_DOUBLINGS_MAX + 2, &o);
    *scale = r.root;
    return rootfind_check(&r, what, errors);
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
                         BvErrors *errors)
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

    /* Upwards from the scenario's rate: a higher rate is worth less kept. The grid's points
     * where the run-off is infinite bracket nothing. */
    RateProblem p = {book, deal, lost, target, errors, BV_OK};
    double grid[OPENS_AT_RATE_STEPS + 1], lo = keep->discount_rate;
    for (int i = 0; i <= OPENS_AT_RATE_STEPS; i++)
        grid[i] = lo + (OPENS_AT_RATE_MAX - lo) * i / OPENS_AT_RATE_STEPS;
    RootOptions o = {1e-12, 1e-15, SOLVER_MAX_ITERATIONS, ROOT_PICK_FIRST, 0};
    size_t points = lo < OPENS_AT_RATE_MAX ? OPENS_AT_RATE_STEPS + 1 : 1;
    RootResult r = rootfind_scan(rate_gap, &p, grid, points, &o);
    BvStatus status = rootfind_check(&r, "the keep rate at which the sale meets keeping", errors);
    if (status != BV_OK)
        return status;
    deal->opens_at_discount_rate = r.root;
    if (p.failed != BV_OK)
        return p.failed;
    /* Leave the keep arrays as the scenario has them: the workbook shows them. */
    return keep_flows(book, keep, keep->discount_rate, deal, lost, errors);
}

/* The walk-away price of one side in both terms: base (scale x P0) and expected (the final
 * price at that scale). NaN where none exists. */
static BvStatus walk_away(ScaleProblem *p, double unit_price, const char *what, double *base,
                          double *expected, BvErrors *errors)
{
    double scale;
    BvStatus status = solve_scale(p, unit_price, what, &scale, errors);
    *base = scale * unit_price;
    *expected = (double)NAN;
    if (status == BV_OK && isfinite(scale)) {
        deal_price(p->sc, p->book, scale, p->buyer_rate, p->flows);
        *expected = p->flows->price;
    }
    return status;
}

/*
 * The buyer's measures without the seller's credit: the walk-away with the base price paid
 * at closing (no instalments, no interest; the true-up, earn-out and clawback kept), and, with
 * `irr`, the book's own IRR at the expected price paid in full at closing.
 */
static BvStatus buyer_cash_measures(const Scenario *sc, const DealBook *book, Deal *deal,
                                    DealFlows *work, double unit_price, bool irr,
                                    BvErrors *errors)
{
    Scenario cash = *sc;
    YearShare at_closing = {0, 1};
    cash.deal.payments = &at_closing;
    cash.deal.payment_count = 1;
    cash.deal.interest_rate = 0;
    ScaleProblem p = {&cash, book, deal->buyer_rate, work, false, 0};
    BvStatus status = walk_away(&p, unit_price, "the buyer's all-cash walk-away price",
                                &deal->max_price_cash, &deal->max_price_cash_expected, errors);
    if (status != BV_OK || !irr)
        return status;
    /* The book bought for its expected price in cash at closing, unlevered: its cash after
     * tax and the write-off of that price, nothing of the deal's terms or financing (the
     * Transfer sheet's column of the same name). */
    const DealFlows *f = &deal->flows;
    for (int t = 0; t <= f->years; t++)
        work->buyer_net[t] = f->book_after_tax[t] + f->shield[t] -
                             (t == 0 ? f->price + sc->buyer.acquisition_costs : 0);
    memcpy(work->book_mid, f->book_mid, ((size_t)f->years + 1) * sizeof(double));
    work->carry = f->carry;
    work->years = f->years;
    work->npv = 0; /* a buyer's flows: deal_irr solves them */
    status = deal_irr(work, errors);
    deal->book_irr = work->irr;
    return status;
}

BvStatus deal_run(const Book *book, bool irr, Deal **out, BvErrors *errors)
{
    *out = NULL;
    const Scenario *sc = book->scenario;
    int H = sc->horizon_years, Y = deal_years(sc);
    size_t h = (size_t)H;
    Deal *deal = calloc(1, sizeof *deal);
    double *scratch_lost = malloc(h * sizeof(double));
    DealFlows work = {0};
    BvStatus status = BV_OK;
    if (!deal || !scratch_lost)
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
    deal->max_financeable_price = (double)NAN;
    deal->goodwill_net_proceeds_pv = deal->goodwill_npv = (double)NAN;

    /* The book's cash follows the scenario's timing (its run-off here; the years in
     * deal_price); the contractual flows are at year ends. */
    status = dcf_book_flows(book, deal->buyer_rate, sc->timing, false, (double)NAN,
                            deal->revenue, deal->cash, deal->lost_share, &deal->tail_pv, errors);
    if (status != BV_OK) {
        name_rate(errors, "the buyer's");
        goto done;
    }
    DealBook expected = {H, book->annual_revenue, deal->revenue, deal->cash, deal->lost_share,
                         deal->tail_pv};
    deal_price(sc, &expected, 1, deal->buyer_rate, &deal->flows);
    if (irr && (status = deal_irr(&deal->flows, errors)) != BV_OK)
        goto done;
    double unit_price = deal->flows.base_price;
    if (deal->flows.alloc.enabled) { /* what the split is worth against all goodwill */
        Scenario all_goodwill = *sc;
        all_goodwill.deal.allocation_count = 0;
        deal_price(&all_goodwill, &expected, 1, deal->buyer_rate, &work);
        deal->goodwill_net_proceeds_pv = work.net_proceeds_pv;
        deal->goodwill_npv = work.npv;
    }

    deal->max_price_cash = deal->max_price_cash_expected = deal->book_irr = (double)NAN;
    if (sc->buyer.enabled) {
        ScaleProblem p = {sc, &expected, deal->buyer_rate, &work, false, 0};
        status = walk_away(&p, unit_price, "the buyer's walk-away price", &deal->max_price,
                           &deal->max_price_expected, errors);
        if (status == BV_OK)
            status = buyer_cash_measures(sc, &expected, deal, &work, unit_price, irr, errors);
        if (status == BV_OK)
            status = financing_max_price(sc, &expected, deal->buyer_rate, &work, unit_price,
                                         &deal->max_financeable_price, errors);
        if (status != BV_OK)
            goto done;
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
        ScaleProblem p = {sc, &expected, deal->buyer_rate, &work, true, deal->keep_pv};
        status = walk_away(&p, unit_price, "the seller's walk-away price", &deal->min_price,
                           &deal->min_price_expected, errors);
        if (status != BV_OK)
            goto done;
        if (sc->buyer.enabled && isfinite(deal->max_price) &&
            !(deal->min_price_expected <= deal->max_price_expected)) {
            /* No zone: what the sale is worth to the seller at the buyer's maximum. */
            deal_price(sc, &expected, deal->max_price / unit_price, deal->buyer_rate, &work);
            status = opens_at(book, deal, work.net_proceeds_pv, scratch_lost, errors);
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
