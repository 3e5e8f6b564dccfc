/*
 * diagnostics_lifetime.c — how long clients are expected to stay, in measures that exist for
 * every retention model: the median remaining years (the mean is unbounded under an sBG with
 * alpha <= 1, the default) and the expected years within the horizon.
 */
#include "diagnostics_lifetime.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "stats.h"

/*
 * The median over `k` clients of their cohort's median years, count[c] clients in cohort c:
 * the cohorts sorted by it and counted through, the same as sorting every client's.
 */
static bool median_over_clients(const double *years, const size_t *count, size_t cohorts,
                                size_t k, double *median)
{
    StatsKeyed *order = malloc((cohorts ? cohorts : 1) * sizeof *order);
    if (!order)
        return false;
    for (size_t c = 0; c < cohorts; c++)
        order[c] = (StatsKeyed){years[c], (long)c};
    qsort(order, cohorts, sizeof *order, stats_keyed_order);
    /* the values at sorted positions k/2 - 1 and k/2 (0-based) */
    size_t want = k % 2 ? k / 2 : k / 2 - 1, seen = 0;
    double at[2] = {0, 0};
    int found = 0;
    for (size_t i = 0; i < cohorts && found < 2; i++) {
        seen += count[order[i].index];
        while (found < 2 && want + (size_t)found < seen)
            at[found++] = order[i].key;
    }
    free(order);
    *median = k % 2 ? at[0] : 0.5 * (at[0] + at[1]);
    return true;
}

/* First t >= 1 with S(t) <= 1/2: the DCF's S(1..H), then the model's rates beyond. */
static double median_years(const Book *book, const Dcf *dcf, size_t c)
{
    int H = dcf->horizon;
    const double *S = &dcf->survival[c * (size_t)H];
    for (int t = 1; t <= H; t++)
        if (S[t - 1] <= 0.5)
            return t;
    const Cohort *co = &book->cohorts[c];
    double s = S[H - 1];
    for (int t = H + 1; t <= DIAG_MEDIAN_MAX; t++) {
        s *= retention_rate(&co->retention, dcf->inputs[c].retention, co->tenure_years, t);
        if (s <= 0.5)
            return t;
    }
    return (double)INFINITY;
}

BvStatus diagnostics_lifetime(const Book *book, const Dcf *dcf, Diagnostics *d)
{
    const Scenario *sc = book->scenario;
    size_t cohorts = book->cohort_count ? book->cohort_count : 1;
    size_t groups = sc->segment_count + 1, n = sc->client_count;
    d->median_years = malloc(cohorts * sizeof *d->median_years);
    d->horizon_years = malloc(cohorts * sizeof *d->horizon_years);
    d->segment_horizon_years = calloc(groups, sizeof *d->segment_horizon_years);
    size_t *active = calloc(groups, sizeof *active);
    size_t *in_cohort = calloc(cohorts, sizeof *in_cohort); /* active clients */
    if (!d->median_years || !d->horizon_years || !d->segment_horizon_years || !active ||
        !in_cohort) {
        free(active);
        free(in_cohort);
        return BV_ERR_NOMEM;
    }
    int H = dcf->horizon;
    for (size_t c = 0; c < book->cohort_count; c++) {
        double sum = 0;
        for (int t = 0; t < H; t++)
            sum += dcf->survival[c * (size_t)H + (size_t)t];
        d->horizon_years[c] = sum;
        d->median_years[c] = median_years(book, dcf, c);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const Client *cl = &sc->clients[i];
        if (!cl->active)
            continue;
        size_t g = cl->segment >= 0 ? (size_t)cl->segment : sc->segment_count;
        size_t c = book->client_cohort[i];
        d->segment_horizon_years[g] += d->horizon_years[c];
        active[g]++;
        in_cohort[c]++;
        k++;
    }
    for (size_t g = 0; g < groups; g++)
        d->segment_horizon_years[g] = active[g] ? d->segment_horizon_years[g] / (double)active[g]
                                                : (double)NAN;
    d->median_years_active = (double)NAN;
    bool ok = !k || median_over_clients(d->median_years, in_cohort, book->cohort_count, k,
                                        &d->median_years_active);
    free(active);
    free(in_cohort);
    return ok ? BV_OK : BV_ERR_NOMEM;
}

void diagnostics_lifetime_free(Diagnostics *d)
{
    free(d->median_years);
    free(d->horizon_years);
    free(d->segment_horizon_years);
}
