/*
 * conclusion.h — the valuation's conclusion (issue 17, item 8): the value concluded under the
 * scenario's standard of value at its valuation date, and a reconciliation of every other
 * figure with the DCF (Monte Carlo, market range, both walk-aways, the price offered), each
 * placed against the market range. The Summary sheet and the JSON both write this one struct.
 */
#ifndef BOOKVAL_CONCLUSION_H
#define BOOKVAL_CONCLUSION_H

#include <stdbool.h>

#include "book.h"
#include "dcf.h"
#include "deal.h"
#include "montecarlo.h"
#include "scenario.h"

typedef enum ConclusionRowId {
    CONC_DCF,
    CONC_MONTE_CARLO,
    CONC_MARKET,
    CONC_BUYER,      /* buyer's walk-away, expected-price terms */
    CONC_SELLER,     /* seller's walk-away, expected-price terms */
    CONC_PRICE,      /* the price offered, expected-price terms */
    CONC_ROWS
} ConclusionRowId;

typedef struct ConclusionRow {
    bool present;
    const char *key;      /* JSON key: "dcf", "monte_carlo", ... */
    const char *label;
    double value;         /* NaN when none (a walk-away that does not exist) */
    double low, high;     /* Monte Carlo P5-P95, the market range; NaN otherwise */
    double vs_dcf;        /* value - DCF */
    int market;           /* against the market range: -1 below, 0 inside, +1 above */
    double market_by;     /* how far outside (>= 0), currency */
    const char *why;      /* one line: why it differs from the DCF */
} ConclusionRow;

typedef struct Conclusion {
    const char *valuation_date;    /* as written, or "undated" */
    const char *standard;          /* "fair_market" or "investment" */
    const char *standard_label;
    double value;                  /* the concluded value */
    ConclusionRowId concluded_row; /* the row it is */
    ConclusionRow rows[CONC_ROWS];
    /* Main drivers (revenue-weighted over cohorts at the means of their assumptions). */
    double margin, revenue_growth, transfer_retention;
    double retention_year1;        /* sum R S(1) / sum R u: the share of the fees that survive
                                    * the sale that renew in year 1 (NaN when none survive) */
    double retained_year1;         /* expected revenue in year 1 / today's */
    double discount_rate, buyer_rate, seller_rate; /* NaN when there is no such side */
} Conclusion;

/* -1 when x < low, +1 when x > high, else 0; *by how far outside (0 inside). */
int conclusion_market_position(double x, double low, double high, double *by);

void conclusion_compute(const Scenario *sc, const Book *book, const Dcf *dcf,
                        const McResult *mc, const Deal *deal, Conclusion *out);

#endif
