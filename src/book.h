/*
 * book.h — the book of clients resolved for valuation: each client's assumptions settled by
 * precedence (client > segment > scenario) and clients that share every assumption grouped
 * into cohorts.
 *
 * A cohort's clients have the same survival curve, margin and growth, so the DCF, the
 * workbook and the Monte Carlo work per cohort and scale each client by its revenue.
 */
#ifndef BOOKVAL_BOOK_H
#define BOOKVAL_BOOK_H

#include <stddef.h>

#include "error.h"
#include "scenario.h"

/* Which assumptions a cohort's clients set themselves (the rest come from the segment). */
enum {
    OWN_MARGIN = 1u << 0,
    OWN_REVENUE_GROWTH = 1u << 1,
    OWN_RETENTION = 1u << 2,
    OWN_TRANSFER_RETENTION = 1u << 3,
};

typedef struct Cohort {
    int segment;             /* -1: scenario defaults */
    unsigned own;            /* OWN_* bits */
    /* The cohort's assumptions: the segment's (or scenario's) distributions, or a client's
     * own fixed values. */
    Dist margin, revenue_growth, transfer_retention;
    RetentionModel retention;
    double tenure_years;     /* completed renewals; 0 unless the retention model uses it */
    size_t clients;
    double annual_revenue;   /* sum of R_i over the cohort, currency per year */
} Cohort;

typedef struct Book {
    const Scenario *scenario;  /* not owned */
    Cohort *cohorts;
    size_t cohort_count;
    size_t *client_cohort;     /* [client_count]: each client's cohort */
    double annual_revenue;     /* sum of R_i */
} Book;

/* Resolve the scenario's clients into cohorts, in order of first appearance.
 * exceptions: BV_ERR_NOMEM. */
BvStatus book_new(const Scenario *scenario, Book **out, BvErrors *errors);
void book_free(Book *book); /* NULL is a no-op */

#endif
