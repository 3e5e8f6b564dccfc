/*
 * keep.h — what keeping the practice is worth to its seller: the seller's walk-away (DESIGN §7).
 *
 * Keeping means working the practice: its cash (the seller's margin x the revenue of the
 * clients he keeps, with no loss from a sale) less what his own work is worth (a replacement's
 * pay), after his income tax, for the years until he stops, plus what an exit sale then
 * brings after its tax. The book's cash follows the scenario's timing and is discounted at the
 * book's risk (seller.keep.discount_rate); an exit sale is paid at the end of its year.
 */
#ifndef BOOKVAL_KEEP_H
#define BOOKVAL_KEEP_H

#include <stdbool.h>

#include "scenario.h"

/* The book as its seller would keep it, by year t = 1..H at index t-1 (undiscounted). */
typedef struct KeepBook {
    int horizon;
    const double *revenue;    /* expected revenue of the clients kept */
    const double *cash;       /* the practice's cash before the seller's pay: margin x revenue */
    double tail_pv;           /* cash beyond H at the keep rate, PV at closing (0: no run-off) */
} KeepBook;

/* The value of keeping and its bridge, currency, PV at the closing. */
typedef struct KeepValue {
    int years;                /* kept this many years */
    bool with_tail;           /* the run-off beyond the horizon is kept too */
    double cash_pv;           /* the book's cash while kept */
    double owner_compensation_pv; /* the seller's work at a replacement's pay */
    double income_tax_pv;     /* income tax on the difference (negative: a loss that offsets
                                 the seller's other income) */
    double exit_price, exit_tax, exit_pv; /* an exit sale at `years` (0 without one) */
    double value;             /* cash - work - income tax + exit */
} KeepValue;

/* The resolved number of years kept (seller.keep.years, or the horizon). */
int keep_years(const Scenario *scenario, const KeepSpec *keep);

/* The owner's compensation in year t >= 1 (grown from year 1). */
double keep_compensation(const Scenario *scenario, const KeepSpec *keep, int t);

/* Value keeping `book` under `keep` (the scenario's, or a trial copy of it). */
void keep_value(const Scenario *scenario, const KeepSpec *keep, const KeepBook *book,
                KeepValue *out);

#endif
