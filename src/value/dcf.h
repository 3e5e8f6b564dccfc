/*
 * dcf.h — the deterministic discounted-cash-flow valuation of a book (DESIGN §5).
 *
 * Every uncertain assumption takes its mean. Values are computed per cohort per unit of
 * annual revenue, then scaled: a client's value is R_i times its cohort's unit value.
 */
#ifndef BOOKVAL_DCF_H
#define BOOKVAL_DCF_H

#include <stdbool.h>
#include <stddef.h>

#include "book.h"
#include "error.h"

/* The assumptions a cohort was valued with (means of its distributions). */
typedef struct DcfCohortInputs {
    double margin, revenue_growth, transfer_retention;
    double retention; /* the constant rate (constant models), else NaN */
} DcfCohortInputs;

typedef struct Dcf {
    int horizon;                 /* H, years */
    double discount_rate;        /* d, the mean used */
    double value;                /* horizon_value + tail_value, currency */
    double horizon_value;        /* years 1..H */
    double tail_value;           /* beyond H (0 unless tail: runoff) */
    double annual_revenue;       /* sum of R_i */
    double value_to_revenue;     /* value / annual_revenue (NaN when revenue is 0) */
    /* By year t = 1..H, index t-1. */
    double *discount_factor;     /* DF(t) */
    double *expected_clients;    /* sum_i S_i(t) */
    double *revenue;             /* expected revenue */
    double *cash;                /* expected cash: margin x revenue, before income tax */
    double *present_value;       /* cash x DF, after tax: x (1 - tax_rate) */
    /* By cohort. */
    size_t cohort_count;
    DcfCohortInputs *inputs;
    double *survival;            /* [cohort * H + t-1]: S(t) */
    double *unit_value;          /* value per unit of annual revenue (horizon + tail) */
    double *tail_factor;         /* tail / PV of year H (0 when that PV is 0) */
    double *cohort_horizon_value;/* currency, years 1..H */
    double *cohort_last_pv;      /* currency, PV of year H's cash */
    double *cohort_tail_value;   /* currency, beyond H */
    /* The tax convention (cash_flows): pre-tax (tax_rate 0, factors 1), or after tax at the
     * hypothetical buyer's tax_rate with the tax amortisation benefit: present_value by year
     * is after tax (cash stays before it); every value (horizon, tail, per cohort, per unit) is after tax
     * times benefit_factor = 1 / (1 - tax_rate x a(N, d) / N). */
    bool after_tax;
    double tax_rate;
    int amortization_years;      /* N (0 when pre-tax) */
    double benefit_factor;       /* 1 when pre-tax */
    double value_factor;         /* (1 - tax_rate) x benefit_factor: pre-tax PV to value */
    /* Market cross-check (DESIGN §5), when the scenario gives market multiples. */
    bool has_market;
    double market_low, market_high; /* multiple x annual revenue (or SDE, EBITDA) */
    int market_flag;             /* -1 value below low by > 20%, +1 above high by > 20%, else 0 */
} Dcf;

/* The annuity factor a(N, d) = sum_{t=1..N} (1 + d)^-t (N when d = 0). */
double dcf_annuity(int years, double d);

/* What turns a pre-tax present value of the book's cash at rate d into the scenario's value:
 * 1 for cash_flows: pre_tax; (1 - tax_rate) / (1 - tax_rate x a(N, d) / N) for after_tax
 * (the after-tax cash plus the tax amortisation benefit of the purchased list, amortised
 * straight-line at year ends over N = amortization_years). */
double dcf_value_factor(const Scenario *scenario, double d);

/* Discount factors DF(1..horizon) at rate d into df[0..horizon-1]. */
void dcf_discount_factors(double d, int horizon, Timing timing, double *df);

/* A cohort's assumptions at the means of their distributions. */
void dcf_cohort_means(const Cohort *cohort, DcfCohortInputs *in);

/*
 * The valuation kernel the DCF and the Monte Carlo share: cohort `c` of `book` valued per unit
 * of annual revenue under the numbers `in` and discount rate d (df: its discount factors).
 * Writes survival[0..H-1], pv[0..H-1] (present value of each year's cash per unit of revenue)
 * and *tail (the run-off beyond H, 0 unless tail: runoff and the cohort has revenue).
 * exceptions: as dcf_run for the tail.
 */
BvStatus dcf_cohort(const Book *book, size_t c, const DcfCohortInputs *in, double d,
                    const double *df, double *survival, double *pv, double *tail,
                    BvErrors *errors);

/*
 * The book's expected flows at the means of its assumptions, for pricing a deal: revenue and
 * cash of each year t = 1..H into revenue[t-1], cash[t-1] (undiscounted), the share of the
 * annual revenue lost in each year into lost_share[t-1] (the sale's own losses in year 1), and
 * the run-off beyond H discounted at rate d (with `timing`) to the closing into *tail_pv (0
 * unless tail: runoff). With `without_transfer` the sale's own losses are left out (a seller
 * who keeps the book); a `margin` that is not NaN replaces every cohort's (the seller's own
 * margin). exceptions: as dcf_run for the tail.
 */
BvStatus dcf_book_flows(const Book *book, double d, Timing timing, bool without_transfer,
                        double margin, double *revenue, double *cash, double *lost_share,
                        double *tail_pv, BvErrors *errors);

/*
 * Value `book`. exceptions: BV_ERR_INPUT when the run-off tail would be infinite (the message
 * says which cohort and why, at the scenario's tail: line); BV_ERR_NUMERIC when the sBG tail
 * quadrature fails; BV_ERR_NOMEM.
 */
BvStatus dcf_run(const Book *book, Dcf **out, BvErrors *errors);
void dcf_free(Dcf *dcf); /* NULL is a no-op */

/* The value of client `i` of the book's scenario, currency. */
double dcf_client_value(const Dcf *dcf, const Book *book, size_t i);

#endif
