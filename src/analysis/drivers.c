/*
 * drivers.c — rank correlations, binned first-order variance shares, the worst decile.
 */
#include "drivers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

bool drivers_ranks(const double *x, size_t stride, long n, double *rank)
{
    StatsKeyed *k = malloc((size_t)(n ? n : 1) * sizeof *k);
    if (!k)
        return false;
    for (long i = 0; i < n; i++)
        k[i] = (StatsKeyed){x[(size_t)i * stride], i};
    qsort(k, (size_t)n, sizeof *k, stats_keyed_order);
    for (long i = 0; i < n;) {
        long j = i;
        while (j + 1 < n && k[j + 1].key == k[i].key)
            j++;
        double avg = 0.5 * ((double)i + (double)j) + 1;
        for (long t = i; t <= j; t++)
            rank[k[t].index] = avg;
        i = j + 1;
    }
    free(k);
    return true;
}

double drivers_pearson(const double *a, const double *b, long n)
{
    double ma = 0, mb = 0;
    for (long i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (long i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return saa > 0 && sbb > 0 ? sab / sqrt(saa * sbb) : (double)NAN;
}

/* Var(E[Y | bin of X]) / Var(Y): bins of equal count by X's rank (ranks 1..n). */
static double binned_share(const double *rank_x, const double *y, long n, size_t bins,
                           double *sum, long *count)
{
    memset(sum, 0, bins * sizeof *sum);
    memset(count, 0, bins * sizeof *count);
    double mean = 0;
    for (long i = 0; i < n; i++)
        mean += y[i];
    mean /= (double)n;
    for (long i = 0; i < n; i++) {
        size_t b = (size_t)((rank_x[i] - 1) * (double)bins / (double)n);
        if (b >= bins)
            b = bins - 1;
        sum[b] += y[i];
        count[b]++;
    }
    double total = 0, between = 0;
    for (long i = 0; i < n; i++)
        total += (y[i] - mean) * (y[i] - mean);
    for (size_t b = 0; b < bins; b++)
        if (count[b]) {
            double m = sum[b] / (double)count[b];
            between += (double)count[b] * (m - mean) * (m - mean);
        }
    return total > 0 ? between / total : 0;
}

BvStatus drivers_run(const Book *book, const McResult *mc, Drivers **out, BvErrors *errors)
{
    *out = NULL;
    if (!mc || mc->iterations < 2)
        return BV_OK;
    long n = mc->iterations;
    size_t k = mc->input_count;
    bool churn = mc->client_churn;
    Drivers *d = calloc(1, sizeof *d);
    double *rank_y = malloc((size_t)n * sizeof *rank_y);
    double *rank_x = malloc((size_t)n * sizeof *rank_x);
    double *sum = malloc(DRIVERS_BINS_MAX * sizeof *sum);
    long *count = malloc(DRIVERS_BINS_MAX * sizeof *count);
    StatsKeyed *order = malloc((size_t)n * sizeof *order);
    bool ok = d && rank_y && rank_x && sum && count && order;
    if (ok)
        d->items = calloc(k + 1, sizeof *d->items);
    ok = ok && d->items && drivers_ranks(mc->values, 1, n, rank_y);
    if (ok) {
        long bins = n / 100;
        d->bins = (size_t)(bins < 1 ? 1 : bins > DRIVERS_BINS_MAX ? DRIVERS_BINS_MAX : bins);
        /* The worst decile: the ceil(N/10) lowest values. */
        for (long i = 0; i < n; i++)
            order[i] = (StatsKeyed){mc->values[i], i};
        qsort(order, (size_t)n, sizeof *order, stats_keyed_order);
        d->worst_count = (n + 9) / 10;
        d->worst_threshold = order[d->worst_count - 1].key;
    }
    double shares = 0;
    for (size_t i = 0; ok && i <= k; i++) {
        bool is_churn = i == k;
        if (is_churn && !churn)
            break;
        const double *x = is_churn ? mc->clients_lost : &mc->inputs[i];
        size_t stride = is_churn ? 1 : k;
        Driver *dr = &d->items[d->count++];
        dr->input = is_churn ? DRIVERS_CHURN_LABEL : book->inputs[i].path;
        dr->index = is_churn ? -1 : (int)i;
        ok = drivers_ranks(x, stride, n, rank_x);
        if (!ok)
            break;
        dr->rank_correlation = drivers_pearson(rank_x, rank_y, n);
        dr->mean = 0;
        for (long t = 0; t < n; t++)
            dr->mean += x[(size_t)t * stride];
        dr->mean /= (double)n;
        dr->mean_worst = 0;
        for (long t = 0; t < d->worst_count; t++)
            dr->mean_worst += x[(size_t)order[t].index * stride];
        dr->mean_worst /= (double)d->worst_count;
        if (is_churn) {
            double rest = 1 - shares;
            dr->variance_share = rest > 0 ? rest : 0;
        } else {
            dr->variance_share = binned_share(rank_x, mc->values, n, d->bins, sum, count);
            shares += dr->variance_share;
        }
    }
    /* The achieved rank correlation of each correlated pair. */
    const Scenario *sc = book->scenario;
    if (ok && sc->correlation_count) {
        d->pairs = calloc(sc->correlation_count, sizeof *d->pairs);
        ok = d->pairs != NULL;
    }
    for (size_t c = 0; ok && c < sc->correlation_count; c++) {
        const Correlation *cor = &sc->correlations[c];
        DriverPair *p = &d->pairs[d->pair_count++];
        *p = (DriverPair){cor->a, cor->b, book_input_index(book, cor->a),
                          book_input_index(book, cor->b), cor->rank, (double)NAN};
        if (p->ia < 0 || p->ib < 0)
            continue;
        ok = drivers_ranks(&mc->inputs[p->ia], k, n, rank_x) &&
             drivers_ranks(&mc->inputs[p->ib], k, n, rank_y);
        if (ok)
            p->achieved = drivers_pearson(rank_x, rank_y, n);
    }
    /* Largest share first; equal shares keep the inputs' order. */
    for (size_t a = 1; ok && a < d->count; a++)
        for (size_t b = a; b > 0 && d->items[b].variance_share > d->items[b - 1].variance_share;
             b--) {
            Driver t = d->items[b];
            d->items[b] = d->items[b - 1];
            d->items[b - 1] = t;
        }
    free(rank_y);
    free(rank_x);
    free(sum);
    free(count);
    free(order);
    if (!ok) {
        drivers_free(d);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    *out = d;
    return BV_OK;
}

double drivers_share_below(const double *values, long n, double x)
{
    long below = 0;
    for (long i = 0; i < n; i++)
        below += values[i] < x;
    return n ? (double)below / (double)n : (double)NAN;
}

void drivers_free(Drivers *d)
{
    if (!d)
        return;
    free(d->pairs);
    free(d->items);
    free(d);
}
