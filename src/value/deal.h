/*
 * deal.h — the transaction (DESIGN §7): price, payments, seller financing, retention true-up,
 * earn-out and clawback; the seller's gain, its tax and net proceeds; the buyer's flows, NPV,
 * IRR and payback; and the walk-away prices that bound the negotiation.
 *
 * Every flow is annual, at the end of its year (year 0 is the closing), so the Transfer sheet's
 * IRR() and NPV arithmetic reproduce the engine's figures. The deal is priced on a DealBook: the
 * expected book in the DCF, one simulated book per Monte Carlo iteration.
 */
#ifndef BOOKVAL_DEAL_H
#define BOOKVAL_DEAL_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_roots.h>

#include "book.h"
#include "dcf.h"
#include "error.h"
#include "keep.h"

/* What a book delivered, as the deal sees it. Arrays hold year t = 1..H at index t-1. */
typedef struct DealBook {
    int horizon;
    double annual_revenue;    /* R at closing: the base of revenue multiples and shares */
    const double *revenue;    /* collected from the transferred clients in year t */
    const double *cash;       /* the book's cash in year t */
    const double *lost_share; /* share of R lost in year t (the sale's own losses in year 1) */
    double tail_pv;           /* run-off beyond H at the buyer's rate, PV at the closing */
} DealBook;

/* The deal's flows by year 0..years, and what they add up to. Currency throughout. */
typedef struct DealFlows {
    int years;                /* the last year with a flow */
    /* Price, as received by the seller. */
    double *base;             /* the base price's instalments */
    double *true_up;          /* final price minus base price, in the measure year */
    double *earn_out;         /* share of collections */
    double *clawback;         /* refunds for lost clients (reduce the price) */
    double *principal;        /* base + true_up + earn_out - clawback */
    double *interest;         /* on the base-price principal still due */
    /* Seller. */
    double *recognised;       /* gain recognised in the year */
    double *tax;              /* tax paid in the year */
    double *seller_net;       /* principal + interest - selling costs - tax */
    /* Buyer. */
    double *book_after_tax;   /* (1 - tax rate) x the book's cash, the run-off added in year H */
    double *shield;           /* tax rate x (price + costs) / N, years 1..N */
    double *buyer_net;        /* book_after_tax + shield - principal - interest - costs */
    double base_price, price; /* P0 and the final P (sum of principal) */
    double gain, accounting_gain, tax_total, net_proceeds, net_proceeds_pv;
    double npv, irr;          /* irr: NaN when the flows have none */
    int payback_year;         /* -1 when the cumulative flow never turns non-negative */
    gsl_root_fsolver *irr_solver; /* allocated once: pricing runs once per iteration */
    bool skip_irr;            /* leave irr NaN (repricing that needs only the NPVs) */
} DealFlows;

/* The deal priced on the expected book, with the walk-away prices. */
typedef struct Deal {
    DealFlows flows;
    double buyer_rate, seller_rate;
    bool has_keep;            /* the seller gave seller.keep: a walk-away can be priced */
    double keep_rate;         /* seller.keep.discount_rate */
    KeepValue keep;           /* seller: what keeping the practice is worth */
    double keep_pv;           /* keep.value (NaN without a seller) */
    /* Walk-away prices (NaN when none), in base-price terms (the price quoted, every price term
     * scaled together) and in expected-price terms (what is then expected to be paid). */
    double min_price, min_price_expected; /* the seller's */
    double max_price, max_price_expected; /* the buyer's */
    /* With both sides and no zone (the seller's minimum above the buyer's maximum, expected-
     * price terms): the value of each keep assumption at which they meet; NaN (years: 0) when
     * none lies in its range. */
    bool has_opens_at;
    double opens_at_compensation, opens_at_discount_rate;
    int opens_at_years;
    bool has_seller, has_buyer;
    /* The expected book the deal was priced on (owned here, for the workbook). */
    double *revenue, *cash, *lost_share;
    double *keep_revenue, *keep_cash; /* as the seller would keep it (his margin, no sale) */
    double tail_pv, keep_tail_pv;
} Deal;

/* Years 0..deal_years(scenario) that any flow of the scenario's deal can fall in. */
int deal_years(const Scenario *scenario);

/* Allocate (zeroed) and free the arrays of `flows` for `years`. exceptions: BV_ERR_NOMEM. */
BvStatus deal_flows_alloc(DealFlows *flows, int years);
void deal_flows_free(DealFlows *flows);

/* The buyer's discount rate: the buyer's own, or the mean of the scenario's. */
double deal_buyer_rate(const Scenario *scenario);

/*
 * Price the scenario's deal on `book` with every price term (base price, adjustment multiple,
 * earn-out shares) multiplied by `scale` (1: the deal as written), at the buyer's rate
 * `buyer_rate`, into `flows` (allocated by deal_flows_alloc for deal_years()).
 */
void deal_price(const Scenario *scenario, const DealBook *book, double scale, double buyer_rate,
                DealFlows *flows);

/* Tax on `gain` by the seller's brackets (0 for a gain <= 0). */
double deal_bracket_tax(const SellerSpec *seller, double gain);

/*
 * Price the deal on the expected book, and solve the walk-away prices (GSL's Brent solver).
 * exceptions: BV_ERR_NUMERIC when a solver fails to converge; BV_ERR_INPUT for an infinite tail
 * at the buyer's or seller's rate; BV_ERR_NOMEM.
 */
BvStatus deal_run(const Book *book, Deal **out, BvErrors *errors);
void deal_free(Deal *deal); /* NULL is a no-op */

#endif
