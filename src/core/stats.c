/*
 * stats.c — moments and order statistics through GSL; sorting by value; whole-unit text.
 */
#include "stats.h"

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const double stats_percentile_levels[STATS_PERCENTILES] = {0.01, 0.05, 0.10, 0.25, 0.50,
                                                           0.75, 0.90, 0.95, 0.99};
_Static_assert(STATS_P5 == 1 && STATS_P50 == 4 && STATS_P95 == 7,
               "the named percentiles index the 5th, 50th and 95th levels above");

bool stats_summarise(const double *values, size_t n, Stats *out)
{
    memset(out, 0, sizeof *out);
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return false;
    memcpy(sorted, values, n * sizeof *sorted);
    gsl_sort(sorted, 1, n);
    out->n = n;
    out->mean = gsl_stats_mean(values, 1, n);
    out->sd = n > 1 ? gsl_stats_sd_m(values, 1, n, out->mean) : 0;
    out->se = out->sd / sqrt((double)n);
    /* gsl_stats_quantile_from_sorted_data interpolates at (n-1)p: PERCENTILE.INC. */
    for (size_t i = 0; i < STATS_PERCENTILES; i++)
        out->percentile[i] =
            gsl_stats_quantile_from_sorted_data(sorted, 1, n, stats_percentile_levels[i]);
    double p5 = out->percentile[1], sum = 0;
    size_t tail = 0;
    while (tail < n && sorted[tail] <= p5)
        sum += sorted[tail++];
    out->cvar5 = sum / (double)tail;
    out->min = sorted[0];
    out->max = sorted[n - 1];
    free(sorted);
    return true;
}

void stats_histogram(const double *values, size_t n, double min, double max, size_t bins,
                     double *edges, double *counts)
{
    double width = (max - min) / (double)bins;
    for (size_t i = 0; i <= bins; i++)
        edges[i] = i == bins ? max : min + width * (double)i;
    memset(counts, 0, bins * sizeof *counts);
    for (size_t v = 0; v < n; v++) {
        /* Find the bin by the same comparisons a COUNTIFS over the edges makes. */
        size_t lo = 0, hi = bins; /* edges[lo] <= x < edges[hi] */
        double x = values[v];
        if (x >= max) {
            counts[bins - 1]++;
            continue;
        }
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (x >= edges[mid])
                lo = mid;
            else
                hi = mid;
        }
        counts[lo]++;
    }
}

int stats_keyed_order(const void *a, const void *b)
{
    const StatsKeyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

void stats_format_whole(char *buf, size_t size, double x)
{
    double r = x < 0 ? -floor(-x + 0.5) : floor(x + 0.5);
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", fabs(r));
    size_t n = strlen(digits), k = 0;
    if (r < 0 && k + 1 < size)
        buf[k++] = '-';
    for (size_t i = 0; i < n && k + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = '\0';
}
