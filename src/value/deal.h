/*
 * deal.h — the transaction (DESIGN §7): price, payments, seller financing, retention true-up,
 * earn-out and clawback; the seller's gain, its tax and net proceeds; the buyer's flows, NPV,
 * IRR and payback; and the walk-away prices that bound the negotiation.
 *
 * Every flow is annual, at the end of its year (year 0 is the closing), so the Transfer sheet's
 * IRR() and NPV arithmetic reproduce the engine's figures; with timing: mid_year the book's
 * cash (and the buyer's tax on it) arrives mid-year: the NPV carries it to its year's end at
 * the buyer's rate (exact for a PV at that rate), the IRR discounts it from t - 0.5 at the IRR
 * itself. The deal is priced on a DealBook: the
 * expected book in the DCF, one simulated book per Monte Carlo iteration.
 */
#ifndef BOOKVAL_DEAL_H
#define BOOKVAL_DEAL_H

#include <stdbool.h>
#include <stddef.h>

#include "book.h"
#include "dcf.h"
#include "allocation.h"
#include "closing.h"
#include "error.h"
#include "financing.h"
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
    double *taxable, *carried, *carried_back, *given_back; /* tax.h's TaxYears */
    double *interest_tax;     /* the seller's tax on the interest received in the year */
    double *tax_paid;         /* tax + interest_tax of year t - payment_lag_years */
    double *interest_shield;  /* buyer: tax rate x interest paid */
    double *loss_used, *loss_value; /* a loss on the sale used, the tax it saves (tax.h) */
    double *seller_net;       /* principal + interest - selling costs - tax */
    /* Buyer. */
    double *book_after_tax;   /* (1 - tax rate) x the book's cash, the run-off added in year H */
    double *book_mid;         /* timing: mid_year: (1 - tax rate) x the book's cash of year t as
                               * it arrives, at t - 0.5 (0 with end_of_year); book_after_tax
                               * holds it carried to t at the buyer's rate, x `carry` */
    double carry;             /* (1 + buyer's rate)^0.5 with mid_year, else 1 */
    double *shield;           /* tax rate x (price + costs) / N, years 1..N */
    double *buyer_net;        /* book_after_tax + shield - principal - interest - costs
                               * + loan.net (the bank loan, with buyer.financing) */
    double base_price, price; /* P0 and the final P (sum of principal) */
    double gain, accounting_gain, tax_total, net_proceeds, net_proceeds_pv;
    double recaptured;        /* the gain's recaptured amortisation (ordinary income, year 0) */
    double interest_tax_total;
    double npv;
    double irr;               /* NaN unless deal_irr computed it and the flows have one */
    int payback_year;         /* -1 when the cumulative flow never turns non-negative */
    int discounted_payback_year; /* the same with each year's flow at the buyer's rate */
    LoanFlows loan;           /* the buyer's bank loan and its DSCR (financing.h) */
    ClosingFlows closing;     /* the cut-off (closing.h): in seller_net and buyer_net */
    AllocationFlows alloc;    /* the price by asset class (allocation.h): with it, `recognised`
                               * is the gain taxed by the brackets (less the ordinary classes) */
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
    /* The buyer's walk-away with the base price as cash at closing (no instalments, no
     * interest; true-up, earn-out and clawback kept), and the book's own IRR: the expected
     * price paid in full at closing (NaN when none). */
    double max_price_cash, max_price_cash_expected, book_irr;
    double max_financeable_price; /* base price at which the minimum DSCR is min_dscr (NaN) */
    /* With deal.allocation: the same deal with the whole price goodwill (NaN without). */
    double goodwill_net_proceeds_pv, goodwill_npv;
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
 * `buyer_rate`, into `flows` (allocated by deal_flows_alloc for deal_years()). Leaves
 * flows->irr NaN: deal_irr computes it when it is wanted.
 */
void deal_price(const Scenario *scenario, const DealBook *book, double scale, double buyer_rate,
                DealFlows *flows);

/*
 * The buyer's IRR of flows priced by deal_price, into flows->irr: the rate in (-99%, 10000%)
 * where the buyer's flows' PV is 0 with each flow at its true time (the book's mid-year cash at
 * t - 0.5, the rest at year ends; the run-off stays a year-H amount valued at the buyer's rate), the one nearest 10% when there are several, NaN when there
 * is none (or no buyer). Not part of deal_price, which runs in every Monte Carlo iteration and
 * walk-away step: only the reported deal needs it. exceptions: BV_ERR_NUMERIC when the solver
 * does not converge; BV_ERR_NOMEM.
 */
BvStatus deal_irr(DealFlows *flows, BvErrors *errors);

/* The PV at `rate` of year-indexed amounts `flows` (0..f->years) of the deal `f`, each at its
 * true time: with mid-year cash (f->carry != 1) the part f->book_mid[t], which flows[t] holds
 * carried to t, at t - 0.5; the rest at year ends. What deal_irr makes 0. */
double deal_timed_pv(const DealFlows *f, const double *flows, double rate);

/* Tax on `gain` by the seller's brackets (0 for a gain <= 0). */
double deal_bracket_tax(const SellerSpec *seller, double gain);

/*
 * Price the deal on the expected book, with the buyer's IRR when `irr` asks (otherwise
 * flows.irr is NaN), and solve the walk-away prices (rootfind).
 * exceptions: BV_ERR_NUMERIC when a solver fails to converge; BV_ERR_INPUT for an infinite tail
 * at the buyer's or seller's rate; BV_ERR_NOMEM.
 */
BvStatus deal_run(const Book *book, bool irr, Deal **out, BvErrors *errors);
void deal_free(Deal *deal); /* NULL is a no-op */

#endif
