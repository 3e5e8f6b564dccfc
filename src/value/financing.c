/*
 * financing.c — the buyer's bank loan (level annual payments), its interest shield, the debt
 * service coverage ratio year by year, and the highest base price a lender would finance.
 */
#include "financing.h"

#include "rootfind.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deal.h"

#define FIN_DOUBLINGS_MAX 60
#define FIN_ITERATIONS_MAX 200

BvStatus financing_alloc(LoanFlows *l, int years)
{
    memset(l, 0, sizeof *l);
    size_t n = (size_t)years + 1;
    double **arrays[] = {&l->balance,      &l->interest,  &l->repaid, &l->deal_service,
                         &l->debt_service, &l->available, &l->dscr,   &l->net, &l->draw};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        *arrays[i] = calloc(n, sizeof(double));
        if (!*arrays[i]) {
            financing_free(l);
            return BV_ERR_NOMEM;
        }
    }
    return BV_OK;
}

void financing_free(LoanFlows *l)
{
    double *arrays[] = {l->balance,      l->interest,  l->repaid, l->deal_service,
                        l->debt_service, l->available, l->dscr,   l->net, l->draw};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
    memset(l, 0, sizeof *l);
}

void financing_price(const Scenario *sc, double scale, double base_price,
                     const double *principal, const double *interest, const double *cash,
                     double closing_outlay, LoanFlows *l)
{
    const FinancingSpec *fin = &sc->buyer.financing;
    int n = fin->years;
    l->enabled = sc->buyer.enabled && fin->enabled;
    l->dscr_year1 = l->dscr_min = l->cover_gap = (double)NAN;
    l->amount = l->payment = l->equity = (double)NAN;
    if (!l->enabled)
        return;
    l->n = n;
    double X = fin->loan_is_share ? fin->loan * base_price : fin->loan * scale, r = fin->rate;
    l->amount = X;
    /* The annuity: X r / (1 - (1 + r)^-n); X / n without interest. */
    l->payment = r > 0 ? X * r / -expm1(-n * log1p(r)) : X / n;
    l->equity = closing_outlay - X;
    l->net[0] = X;
    double owed = X, min = (double)INFINITY, gap = (double)INFINITY;
    for (int t = 1; t <= n; t++) {
        l->balance[t] = owed;
        l->interest[t] = r * owed;
        l->repaid[t] = l->payment - l->interest[t];
        owed -= l->repaid[t];
        l->net[t] = -l->payment + sc->buyer.tax_rate * l->interest[t];
        l->deal_service[t] = fin->seller_note_standby ? 0 : principal[t] + interest[t];
        l->debt_service[t] = l->payment + l->deal_service[t];
        l->available[t] = cash[t - 1] - fin->owner_draw;
        l->dscr[t] = l->debt_service[t] > 0 ? l->available[t] / l->debt_service[t] : (double)NAN;
        if (isfinite(l->dscr[t]) && l->dscr[t] < min)
            min = l->dscr[t];
        double g = l->available[t] - fin->min_dscr * l->debt_service[t];
        if (g < gap)
            gap = g;
    }
    for (int t = 1; t <= sc->horizon_years; t++)
        l->draw[t] = -(1 - sc->buyer.tax_rate) * fin->owner_draw;
    l->dscr_year1 = l->dscr[1];
    l->dscr_min = isfinite(min) ? min : (double)NAN;
    l->cover_gap = gap;
}

typedef struct CoverProblem {
    const Scenario *sc;
    const DealBook *book;
    double buyer_rate;
    DealFlows *flows;
} CoverProblem;

static double cover_gap(double scale, void *params)
{
    CoverProblem *p = params;
    deal_price(p->sc, p->book, scale, p->buyer_rate, p->flows);
    return p->flows->loan.cover_gap;
}

BvStatus financing_max_price(const Scenario *sc, const DealBook *book, double buyer_rate,
                             DealFlows *work, double unit_price, double *price, BvErrors *errors)
{
    *price = (double)NAN;
    if (!(sc->buyer.enabled && sc->buyer.financing.enabled) || !(unit_price > 0))
        return BV_OK;
    CoverProblem p = {sc, book, buyer_rate, work};
    if (!(cover_gap(0, &p) > 0))
        return BV_OK; /* no price passes: the loan alone (or the draw) fails the test */
    double grid[FIN_DOUBLINGS_MAX + 2] = {0, 1};
    for (int i = 2; i < FIN_DOUBLINGS_MAX + 2; i++)
        grid[i] = 2 * grid[i - 1];
    /* The gap is piecewise linear in the scale: Brent lands on its zero to a few ulps, so the
     * minimum DSCR at the price found is min_dscr to about 1e-12. */
    RootOptions o = {0, 4e-16, FIN_ITERATIONS_MAX, ROOT_PICK_FIRST, 0};
    RootResult r = rootfind_scan(cover_gap, &p, grid, FIN_DOUBLINGS_MAX + 2, &o);
    *price = r.root * unit_price;
    return rootfind_check(&r, "the highest price a lender would finance", errors);
}
