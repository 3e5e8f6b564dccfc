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

/* An uncertain (D) assumption the Monte Carlo draws once per iteration, shared by every
 * client that takes it (the systematic risk). */
#define BOOK_INPUT_PATH_MAX 96
typedef struct UncertainInput {
    char path[BOOK_INPUT_PATH_MAX]; /* "discount_rate", "segments.A.retention", ... */
    const Dist *dist;               /* in the scenario; never fixed */
} UncertainInput;

typedef struct Cohort {
    int segment;             /* -1: scenario defaults */
    unsigned own;            /* OWN_* bits */
    /* The cohort's assumptions: the segment's (or scenario's) distributions, or a client's
     * own fixed values. */
    Dist margin, revenue_growth, transfer_retention;
    RetentionModel retention;
    double tenure_years;     /* completed renewals; 0 unless the retention model uses it */
    size_t clients;
    /* Share of its clients' revenue in the book (inactive_clients): 1; 0 for inactive clients
     * left out (exclude); p for inactive clients valued at probability p of coming back. */
    double weight;
    double annual_revenue;   /* weight x sum of R_i over the cohort, currency per year */
    /* Index into Book.inputs of each assumption's draw, -1 when it is a fixed number. */
    int margin_input, growth_input, transfer_input, retention_input;
} Cohort;

typedef struct Book {
    const Scenario *scenario;  /* not owned */
    Cohort *cohorts;
    size_t cohort_count;
    size_t *client_cohort;     /* [client_count]: each client's cohort */
    double annual_revenue;     /* sum of weight x R_i: the price base */
    UncertainInput *inputs;    /* every uncertain assumption, scenario first, then segments */
    size_t input_count;
    int discount_input;        /* index of the discount rate's draw, -1 when fixed */
    /* Clients grouped by cohort: the clients of cohort c are order[cohort_start[c] ..
     * cohort_start[c+1]-1] (indices into the scenario's clients, ascending). */
    size_t *order;
    size_t *cohort_start;      /* [cohort_count + 1] */
} Book;

/* The share of client `c`'s revenue the book values: 1 for an active client; for an inactive
 * one 0 (inactive_clients: exclude), 1 (value) or p ({reactivation: p}). */
double book_client_weight(const Scenario *scenario, const Client *client);

/* Client i's revenue in the book: weight x R_i. */
double book_client_revenue(const Book *book, size_t i);

/* Index into book->inputs of the input called `path`, or -1. */
int book_input_index(const Book *book, const char *path);

/* Resolve the scenario's clients into cohorts, in order of first appearance.
 * exceptions: BV_ERR_NOMEM. */
BvStatus book_new(const Scenario *scenario, Book **out, BvErrors *errors);
void book_free(Book *book); /* NULL is a no-op */

#endif
