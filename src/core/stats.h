/*
 * stats.h — summary statistics of simulated values, with the definitions a spreadsheet uses so
 * the workbook can recompute them: sample standard deviation (STDEV.S), percentiles by linear
 * interpolation between order statistics (PERCENTILE.INC), cvar5 the mean of the values at or
 * below the 5th percentile (AVERAGEIF(values, "<="&P5)).
 */
#ifndef BOOKVAL_STATS_H
#define BOOKVAL_STATS_H

#include <stdbool.h>
#include <stddef.h>

#define STATS_PERCENTILES 9
extern const double stats_percentile_levels[STATS_PERCENTILES]; /* 0.01, 0.05, ..., 0.99 */
/* Where the percentiles reports quote sit in Stats.percentile. */
enum { STATS_P5 = 1, STATS_P50 = 4, STATS_P95 = 7 };

typedef struct Stats {
    size_t n;
    double mean, sd, se; /* se = sd / sqrt(n) */
    double percentile[STATS_PERCENTILES];
    double cvar5;
    double min, max;
} Stats;

/* Summarise values[0..n-1] (n >= 1). false when out of memory (a sorted copy is needed). */
bool stats_summarise(const double *values, size_t n, Stats *out);

/* Equal-width histogram over [min, max]: bin i counts lo_i <= v < hi_i, the last bin also
 * v == max. edges[0..bins], counts[0..bins-1]. */
void stats_histogram(const double *values, size_t n, double min, double max, size_t bins,
                     double *edges, double *counts);

/* A value and its position, to sort positions by value (qsort with stats_keyed_order):
 * ascending values, ties by ascending position, so the order is the same on every run. */
typedef struct StatsKeyed {
    double key;
    long index;
} StatsKeyed;
int stats_keyed_order(const void *a, const void *b);

/* x rounded half away from zero to whole units, thousands grouped by commas: "-1,234,568". */
void stats_format_whole(char *buf, size_t size, double x);

#endif
