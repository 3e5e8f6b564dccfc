/*
 * diagnostics.h — the portfolio diagnosis an acquirer asks for (DESIGN §5): activity,
 * concentration, ABC classes, tenure, expected remaining lifetime, revenue at risk, and the
 * provision for doubtful receivables.
 */
#ifndef BOOKVAL_DIAGNOSTICS_H
#define BOOKVAL_DIAGNOSTICS_H

#include <stddef.h>

#include "book.h"
#include "dcf.h"
#include "error.h"

/* ABC classes by cumulative revenue share, largest clients first: A up to 80%, B up to 95%. */
#define DIAG_CLASS_A_SHARE 0.80
#define DIAG_CLASS_B_SHARE 0.95
#define DIAG_TENURE_BANDS 5
#define DIAG_MEDIAN_MAX 1000

typedef struct Diagnostics {
    size_t clients, active_clients;
    double active_rate;        /* active / clients */
    double annual_revenue;
    double hhi;                /* sum of squared revenue shares, 0..1 */
    double top1_share, top5_share, top10_share; /* revenue shares of the largest clients */
    double top10_value_share;  /* share of the DCF value carried by the ten most valuable */
    double revenue_at_risk;    /* expected revenue lost in year 1: sum R_i (1 - S_i(1)) */
    double receivables;        /* sum of receivables */
    double provision;          /* sum of receivable x the rate of its age bucket */
    /* Per client, in the scenario's order. */
    unsigned char *abc;        /* 0 = A, 1 = B, 2 = C */
    double *client_provision;
    size_t *rank;              /* rank[i]: position of client i by revenue, 0 = largest */
    size_t *by_revenue;        /* clients ordered by revenue, largest first */
    size_t abc_clients[3];
    double abc_revenue[3];
    /* Per cohort: expected remaining years as a client, sum_{t>=1} S(t) (INFINITY when the
     * sum diverges: constant retention 1, or sBG with alpha <= 1). */
    double *remaining_years;
    /* Per segment (index segment_count: clients without one): clients, revenue, DCF value. */
    size_t *segment_clients;
    double *segment_revenue, *segment_value;
    double *segment_remaining; /* mean expected remaining years of its clients whose sum is
                                  finite (NaN when none is) */
    /* Per cohort: the median remaining years, the first year t at whose end S(t) <= 1/2 (the
     * retention model beyond the horizon; INFINITY when not within DIAG_MEDIAN_MAX years),
     * and the expected years within the horizon, sum_{t=1..H} S(t) (always finite). */
    double *median_years;
    double *horizon_years;
    /* Per segment (as above): the mean expected years within the horizon of its active
     * clients (NaN when it has none); the book's median of the active clients' medians. */
    double *segment_horizon_years;
    double median_years_active;
    /* Tenure bands [0,2), [2,5), [5,10), [10,20), [20,inf): clients and revenue. */
    size_t tenure_clients[DIAG_TENURE_BANDS];
    double tenure_revenue[DIAG_TENURE_BANDS];
} Diagnostics;

extern const double diagnostics_tenure_bounds[DIAG_TENURE_BANDS + 1];

/* The provision rate for a receivable `age_days` old: the rate of the last bucket whose age
 * is <= it (0 when the scenario gives no buckets). */
double diagnostics_provision_rate(const Scenario *scenario, double age_days);

/* The provision rate for client `cl`'s receivable: by its age, or for an inactive client left
 * out of the book (inactive_clients: exclude) provision.inactive_rate (default the last
 * bucket's rate). */
double diagnostics_client_provision_rate(const Scenario *scenario, const Client *cl);

/* exceptions: BV_ERR_NOMEM. */
BvStatus diagnostics_new(const Book *book, const Dcf *dcf, Diagnostics **out, BvErrors *errors);
void diagnostics_free(Diagnostics *d); /* NULL is a no-op */

#endif
