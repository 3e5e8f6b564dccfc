/*
 * price_at_risk.c — break-even scale factors per iteration, and their order statistic.
 */
#include "price_at_risk.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deal.h"

#define DOUBLINGS_MAX 60
#define BRENT_ITERATIONS_MAX 200

typedef struct Gap {
    const Scenario *sc;
    DealBook book;
    double rate;
    DealFlows *flows;
    bool seller;
    double keep;
} Gap;

/* Buyer: NPV(s); seller: net proceeds PV(s) - value of keeping. */
static double gap_at(double s, void *params)
{
    Gap *g = params;
    deal_price(g->sc, &g->book, s, g->rate, g->flows);
    return g->seller ? g->flows->net_proceeds_pv - g->keep : g->flows->npv;
}

/*
 * The iteration's break-even factor. The buyer's gap falls with s (+inf: never negative for
 * any s tried; -inf: negative even at s = 0), the seller's rises (-inf: met even at s = 0;
 * +inf: never met).
 */
static double break_even(Gap *g, gsl_root_fsolver *solver, bool *affine)
{
    double g0 = gap_at(0, g), g1 = gap_at(1, g), g2 = gap_at(2, g);
    double scale = fabs(g0) + fabs(g1) + fabs(g2) + 1;
    *affine = fabs(g2 - 2 * g1 + g0) <= 1e-9 * scale;
    bool falls = !g->seller;
    if (*affine) {
        double slope = g1 - g0;
        if (falls ? slope < 0 : slope > 0)
            return -g0 / slope;
        /* Flat or the wrong way: the sign at 0 holds everywhere. */
        bool bad = falls ? g0 < 0 : g0 < 0;
        return falls ? (bad ? -HUGE_VAL : HUGE_VAL) : (bad ? HUGE_VAL : -HUGE_VAL);
    }
    /* Bracket the crossing by doubling upwards from [0, 1]. */
    if (falls ? g0 < 0 : g0 >= 0)
        return -HUGE_VAL;
    double lo = 0, hi = 1, glo = g0, ghi = g1;
    for (int i = 0; i < DOUBLINGS_MAX && glo * ghi > 0; i++) {
        lo = hi;
        glo = ghi;
        hi *= 2;
        ghi = gap_at(hi, g);
    }
    if (glo * ghi > 0)
        return HUGE_VAL;
    if (ghi == 0)
        return hi;
    gsl_function F = {gap_at, g};
    if (gsl_root_fsolver_set(solver, &F, lo, hi) != GSL_SUCCESS)
        return (double)NAN;
    for (int i = 0; i < BRENT_ITERATIONS_MAX; i++) {
        if (gsl_root_fsolver_iterate(solver) != GSL_SUCCESS)
            break;
        double a = gsl_root_fsolver_x_lower(solver), b = gsl_root_fsolver_x_upper(solver);
        if (gsl_root_test_interval(a, b, 0, 1e-13) == GSL_SUCCESS)
            return gsl_root_fsolver_root(solver);
    }
    return gsl_root_fsolver_root(solver);
}

static int ascending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static bool finish(PriceAtRisk *p, const double *breaks, double *sorted, long n, bool seller,
                   double unit_price, double mean_price)
{
    memcpy(sorted, breaks, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, ascending);
    long m = (long)floor(p->probability * (double)n + 1e-9);
    if (m >= n)
        m = n - 1;
    double s = seller ? sorted[n - 1 - m] : sorted[m];
    p->factor = isfinite(s) && s > 0 ? s : (double)NAN;
    p->base_price = p->factor * unit_price;
    p->expected_price = p->factor * mean_price;
    p->failing = 0;
    for (long i = 0; i < n && isfinite(p->factor); i++)
        p->failing += seller ? breaks[i] > p->factor : breaks[i] < p->factor;
    p->break_even = malloc((size_t)n * sizeof *p->break_even);
    if (!p->break_even)
        return false;
    memcpy(p->break_even, breaks, (size_t)n * sizeof *breaks);
    return true;
}

void price_at_risk_free(PriceAtRisk *p)
{
    if (!p)
        return;
    free(p->break_even);
    p->break_even = NULL;
}

BvStatus price_at_risk_run(const Book *book, const McResult *mc, double unit_price,
                           PriceAtRisk *buyer, PriceAtRisk *seller, BvErrors *errors)
{
    const Scenario *sc = book->scenario;
    *buyer = (PriceAtRisk){.factor = (double)NAN};
    *seller = (PriceAtRisk){.factor = (double)NAN};
    buyer->asked = mc && mc->deal_books && sc->buyer.enabled && sc->buyer.price_at_risk > 0;
    seller->asked = mc && mc->deal_books && sc->seller.enabled && sc->seller.keep.enabled &&
                    sc->seller.price_at_risk > 0;
    if (!buyer->asked && !seller->asked)
        return BV_OK;
    buyer->probability = sc->buyer.price_at_risk;
    seller->probability = sc->seller.price_at_risk;
    long n = mc->iterations;
    int H = mc->deal_horizon;
    double *breaks = malloc(2 * (size_t)n * sizeof *breaks);
    double *sorted = malloc((size_t)n * sizeof *sorted);
    if (!breaks || !sorted) {
        free(breaks);
        free(sorted);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    long affine[2] = {0, 0};
    bool nomem = false;
    double mean_price = 0;
    for (long i = 0; i < n; i++)
        mean_price += mc->price[i];
    mean_price /= (double)n;
#pragma omp parallel
    {
        DealFlows flows;
        memset(&flows, 0, sizeof flows);
        gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
        bool ok = solver && deal_flows_alloc(&flows, deal_years(sc)) == BV_OK;
        flows.skip_irr = true; /* only the NPVs and net proceeds are needed */
        if (!ok) {
#pragma omp atomic write
            nomem = true;
        }
        long local[2] = {0, 0};
#pragma omp for schedule(static)
        for (long it = 0; it < n; it++) {
            if (!ok)
                continue;
            const double *b = &mc->deal_books[(size_t)it * MC_DEAL_BOOK_STRIDE(mc)];
            /* The buyer's rate as the iteration had it: his own, else the drawn rate. */
            double rate = sc->buyer.has_discount_rate ? sc->buyer.discount_rate
                          : book->discount_input >= 0
                              ? mc->inputs[(size_t)it * mc->input_count +
                                           (size_t)book->discount_input]
                              : deal_buyer_rate(sc);
            Gap g = {sc, {H, book->annual_revenue, b, b + H, b + 2 * H, b[3 * H]}, rate, &flows,
                     false, 0};
            bool lin;
            if (buyer->asked) {
                breaks[it] = break_even(&g, solver, &lin);
                local[0] += lin;
            }
            if (seller->asked) {
                g.seller = true;
                g.keep = mc->keep_value[it];
                breaks[(size_t)n + (size_t)it] = break_even(&g, solver, &lin);
                local[1] += lin;
            }
        }
#pragma omp atomic
        affine[0] += local[0];
#pragma omp atomic
        affine[1] += local[1];
        deal_flows_free(&flows);
        if (solver)
            gsl_root_fsolver_free(solver);
    }
    if (!nomem) {
        if (buyer->asked) {
            nomem |= !finish(buyer, breaks, sorted, n, false, unit_price, mean_price);
            buyer->affine = affine[0];
        }
        if (seller->asked) {
            nomem |= !finish(seller, breaks + n, sorted, n, true, unit_price, mean_price);
            seller->affine = affine[1];
        }
    }
    free(breaks);
    free(sorted);
    return nomem ? bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory") : BV_OK;
}
