/*
 * montecarlo.h — the Monte Carlo valuation (DESIGN §6): each iteration draws the uncertain
 * inputs once (shared by every client: the systematic risk) and, with client churn, each
 * client's lifetime from its own survival curve, and values the book so simulated.
 *
 * Reproducible: an iteration's draws depend only on (seed, iteration), values are stored by
 * iteration and reduced in index order, so the result is the same for any number of threads.
 * Memory is O(clients + iterations x inputs).
 */
#ifndef BOOKVAL_MONTECARLO_H
#define BOOKVAL_MONTECARLO_H

#include <stdbool.h>
#include <stddef.h>

#include "book.h"
#include "error.h"
#include "stats.h"

#define MC_GENERATOR "SplitMix64 counter streams keyed by (seed, iteration); GSL quantiles"
/* The precision stop is checked only after whole blocks, so it is reproducible. */
#define MC_PRECISION_BLOCK 1000
#define MC_HISTOGRAM_BINS 40
#define MC_CONVERGENCE_POINTS 100

typedef struct McResult {
    long iterations;          /* iterations run */
    long requested;           /* the most that could have run */
    unsigned long long seed;
    bool client_churn;
    bool latin_hypercube;
    bool stopped_early;       /* the precision target was met before `requested` */
    double *values;           /* [iterations]: the book's value in each iteration, currency */
    Stats stats;
    size_t bins;              /* histogram of values */
    double *bin_edges;        /* [bins + 1] */
    double *bin_counts;       /* [bins] */
    size_t points;            /* convergence: running mean after at[i] iterations */
    long *at;
    double *running_mean, *running_sd;
    /* With a deal: each iteration priced on its own simulated book. */
    bool has_deal;
    double *seller_gain;      /* [iterations], NaN without a seller */
    double *buyer_npv;        /* [iterations], NaN without a buyer */
    Stats gain_stats, npv_stats;
    double prob_npv_negative; /* share of iterations with buyer NPV < 0 */
    /* With seller.keep: the value of keeping the same simulated book (no sale's losses). */
    double *keep_value;       /* [iterations], NaN without seller.keep */
    double *seller_net_pv;    /* [iterations], NaN without a seller */
    Stats keep_stats;
    double *seller_tax;       /* [iterations]: the tax on the gain, NaN without a seller */
    Stats tax_stats, net_pv_stats; /* the seller's tax and net proceeds PV */
    double prob_sale_beats_keep; /* share of iterations with net proceeds PV > keep value */
    /* With buyer.financing: the minimum DSCR of the loan's years on each simulated book. */
    double *dscr_min;         /* [iterations], NaN without financing (or no debt service) */
    Stats dscr_stats;
    double prob_dscr_below_min; /* share of iterations with minimum DSCR < min_dscr */
    /* The audit trail: every iteration's draws and deal outcome. O(iterations x inputs). */
    size_t input_count;       /* book->input_count */
    double *inputs;           /* [iterations x input_count], row by iteration */
    double *price;            /* [iterations] the final price, NaN without a deal */
    double *clients_lost;     /* [iterations] clients lost by the horizon (with churn), else NaN */
    /* With a price at risk asked: each iteration's book as the deal saw it, so the deal can be
     * repriced at any scale without simulating again. [iterations x (3H + 1)]: revenue[H],
     * cash[H], lost_share[H], tail_pv. */
    int deal_horizon;
    double *deal_books;
} McResult;

/* The book iteration `it` delivered to the deal (needs deal_books). */
#define MC_DEAL_BOOK_STRIDE(r) ((size_t)(3 * (r)->deal_horizon + 1))

/* Called between blocks of iterations, from the calling thread. */
typedef void (*McProgress)(long done, long total, void *context);

/*
 * The Monte Carlo shared among processes (a cluster run): every process simulates its own
 * contiguous part of each block of iterations (mc_shard_part) and `exchange` gives every
 * process the others' parts, so each holds every iteration in index order and the result is
 * the same bytes for any number of processes.
 */
typedef struct McExchange {
    double *const *arrays;    /* per-iteration arrays to complete over [begin, end) */
    const size_t *widths;     /* each array's values per iteration */
    size_t array_count;
    long begin, end;          /* the block */
    long failed;              /* in: this process's earliest failed iteration, -1 none;
                                 out: the earliest of all processes' */
    BvError *failure;         /* in: this process's failure; out: the earliest one's */
} McExchange;

typedef struct McShards {
    int rank, ranks;
    /* Complete the block on every process; false when the exchange itself failed. */
    bool (*exchange)(McExchange *exchange, void *context);
    void *context;
} McShards;

/* Process `rank`'s part [*first, *last) of the block [begin, end) among `ranks`. */
void mc_shard_part(long begin, long end, int rank, int ranks, long *first, long *last);

/*
 * Simulate `iterations` books (the scenario's, or a CLI override) with `seed`; with `shards`
 * (NULL: this process alone) the iterations are shared among processes.
 * exceptions: BV_ERR_INPUT when a draw makes the run-off tail infinite (naming the
 * iteration) or the correlations are inconsistent; BV_ERR_NUMERIC when a quantile function
 * fails; BV_ERR_NOMEM.
 */
BvStatus mc_run(const Book *book, long iterations, unsigned long long seed, McProgress progress,
                void *context, const McShards *shards, McResult **out, BvErrors *errors);
void mc_free(McResult *result); /* NULL is a no-op */

#endif
