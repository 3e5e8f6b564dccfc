/*
 * financing.h — the buyer's bank loan beside the seller's note, and the lender's test of the
 * deal: the debt service coverage ratio (DSCR) year by year, and the highest base price a
 * lender would finance. It does not model covenants, fees, balloons or variable rates.
 *
 * DSCR in year t = (the book's expected cash in t - owner_draw) / (the loan's payment + the
 * deal's principal and interest due in t, unless the seller's note is on standby while the
 * loan runs). The cash is before income tax, as lenders read a practice's cash flow.
 * The buyer's own pay (owner_draw) is also a cost in his flows, after tax, years 1..H: the
 * margin of a financed practice is read before the owner's pay (seller's discretionary
 * earnings), so his return counts only what is left after paying him for his work.
 */
#ifndef BOOKVAL_FINANCING_H
#define BOOKVAL_FINANCING_H

#include <stdbool.h>

#include <gsl/gsl_roots.h>

#include "error.h"
#include "scenario.h"

struct DealBook;
struct DealFlows;

/* The loan and its cover, by year 0..years at index t (0 outside the loan's years 1..n). */
typedef struct LoanFlows {
    bool enabled;             /* buyer.financing given (and a buyer) */
    int n;                    /* the loan's years */
    double amount;            /* lent at closing, currency */
    double payment;           /* level annual payment, years 1..n */
    double equity;            /* the buyer's own money at closing: paid at closing + costs
                               * + the cut-off he pays for + working capital - loan */
    double *balance;          /* owed at the start of year t */
    double *interest;         /* rate x balance: deductible at buyer.tax_rate */
    double *repaid;           /* payment - interest */
    double *deal_service;     /* the deal's principal + interest counted as debt service in t */
    double *debt_service;     /* payment + deal_service */
    double *available;        /* the book's expected cash - owner_draw */
    double *dscr;             /* available / debt_service (NaN when there is none) */
    double *net;              /* the buyer's flow: + amount at 0, - payment + tax x interest */
    double *draw;             /* the buyer's own pay after tax, - (1 - tax) x owner_draw, 1..H */
    double dscr_year1, dscr_min; /* NaN when no year has debt service */
    /* min over t of (available - min_dscr x debt_service): >= 0 when the lender's test passes,
     * 0 at the highest financeable price. */
    double cover_gap;
} LoanFlows;

/* Allocate (zeroed) and free the arrays for years 0..years. exceptions: BV_ERR_NOMEM. */
BvStatus financing_alloc(LoanFlows *loan, int years);
void financing_free(LoanFlows *loan);

/*
 * The scenario's loan on the deal with every price term times `scale` (1: as written), base
 * price `base_price` (the scaled P0). The loan scales with the price: a share of it, or the
 * amount given times `scale` (the deal keeps its structure when its price is searched); with
 * the deal's `principal` and `interest` by year 0..years, the book's expected `cash` in years
 * 1..H at index t-1, and `closing_outlay` (the price paid at closing, the buyer's costs, what
 * he pays for receivables and work in progress, his working capital). Without
 * buyer.financing, loan->enabled is false and its arrays stay 0.
 */
void financing_price(const Scenario *scenario, double scale, double base_price,
                     const double *principal, const double *interest, const double *cash,
                     double closing_outlay, LoanFlows *loan);

/*
 * The highest base price a lender would finance: every price term scaled (as for the
 * walk-away prices) until the minimum DSCR equals min_dscr, by the shared root finder on the
 * cover gap (scratch flows `work`). `unit_price` is the deal's P0 at scale 1. *price is NaN
 * when no price passes (the cover fails at price 0) or none fails.
 * exceptions: BV_ERR_NUMERIC when the solver does not converge; BV_ERR_NOMEM.
 */
BvStatus financing_max_price(const Scenario *scenario, const struct DealBook *book,
                             double buyer_rate, struct DealFlows *work, double unit_price,
                             double *price, BvErrors *errors);

#endif
