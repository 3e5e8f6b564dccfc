/*
 * diagnostics.c — concentration, classes and provisions from the book and its DCF.
 */
#include "diagnostics.h"
#include "diagnostics_lifetime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double diagnostics_tenure_bounds[DIAG_TENURE_BANDS + 1] = {0, 2, 5, 10, 20, HUGE_VAL};

double diagnostics_provision_rate(const Scenario *sc, double age_days)
{
    double rate = 0;
    for (size_t b = 0; b < sc->provision_count && sc->provision[b].age_days <= age_days; b++)
        rate = sc->provision[b].rate;
    return rate;
}

typedef struct Ranked {
    double revenue;
    size_t index;
} Ranked;

/* Larger revenue first, then input order (a stable rank). */
static int by_revenue_desc(const void *a, const void *b)
{
    const Ranked *x = a, *y = b;
    if (x->revenue != y->revenue)
        return x->revenue > y->revenue ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

#define TOP_VALUES 10

/* Keep v if it is among the TOP_VALUES largest seen (top[0..*kept-1], largest first). */
static void keep_if_top(double *top, size_t *kept, double v)
{
    size_t k = *kept;
    if (k == TOP_VALUES) {
        if (!(v > top[TOP_VALUES - 1]))
            return;
        k--;
    } else {
        (*kept)++;
    }
    for (; k > 0 && v > top[k - 1]; k--)
        top[k] = top[k - 1];
    top[k] = v;
}

/* sum_{t>=1} S(t) for a cohort: its first H years from the DCF, then the exact remainder. */
static double remaining_years(const Book *book, const Dcf *dcf, size_t c)
{
    const Cohort *co = &book->cohorts[c];
    int H = dcf->horizon;
    const double *S = &dcf->survival[c * (size_t)H];
    double sum = 0;
    for (int t = 0; t < H; t++)
        sum += S[t];
    double s_h = S[H - 1];
    if (s_h == 0)
        return sum;
    const RetentionModel *m = &co->retention;
    if (m->kind == RETENTION_SBG) {
        double F;
        if (!retention_sbg_scaled_series(m->alpha, m->beta + co->tenure_years + H, m->scale, 1,
                                         &F))
            return HUGE_VAL;
        return sum + s_h * F;
    }
    /* Constant, or a curve: explicit years to the curve's end, then geometric. */
    double r_const = dcf->inputs[c].retention;
    int last = m->kind == RETENTION_CURVE && m->curve_len > H ? m->curve_len : H;
    double s = s_h;
    for (int t = H + 1; t <= last; t++) {
        s *= retention_rate(m, r_const, co->tenure_years, t);
        sum += s;
    }
    double r = retention_rate(m, r_const, co->tenure_years, last + 1);
    if (s == 0 || r == 0)
        return sum;
    return r < 1 ? sum + s * r / (1 - r) : (double)INFINITY;
}

double diagnostics_client_provision_rate(const Scenario *sc, const Client *cl)
{
    if (cl->active || sc->inactive_clients != INACTIVE_EXCLUDE || !sc->provision_count)
        return diagnostics_provision_rate(sc, cl->receivable_age_days);
    /* A client left out as inactive will not be billed again: its receivable is provided at
     * the inactive rate, the oldest bucket's by default. */
    return sc->has_inactive_rate ? sc->inactive_rate : sc->provision[sc->provision_count - 1].rate;
}

BvStatus diagnostics_new(const Book *book, const Dcf *dcf, Diagnostics **out, BvErrors *errors)
{
    *out = NULL;
    const Scenario *sc = book->scenario;
    size_t n = sc->client_count, m = n ? n : 1;
    Diagnostics *d = calloc(1, sizeof *d);
    double top[TOP_VALUES]; /* the largest client values, largest first */
    size_t tops = 0;
    Ranked *ranked = NULL;
    size_t *finite = NULL; /* per segment: clients with a finite expected remaining life */
    if (!d)
        goto nomem;
    d->abc = malloc(m);
    d->client_provision = malloc(m * sizeof *d->client_provision);
    d->rank = malloc(m * sizeof *d->rank);
    d->by_revenue = malloc(m * sizeof *d->by_revenue);
    d->remaining_years = malloc((book->cohort_count ? book->cohort_count : 1) * sizeof(double));
    ranked = malloc(m * sizeof *ranked);
    size_t groups = sc->segment_count + 1;
    d->segment_clients = calloc(groups, sizeof *d->segment_clients);
    d->segment_revenue = calloc(groups, sizeof *d->segment_revenue);
    d->segment_value = calloc(groups, sizeof *d->segment_value);
    d->segment_remaining = calloc(groups, sizeof *d->segment_remaining);
    finite = calloc(groups, sizeof *finite);
    if (!d->abc || !d->client_provision || !d->rank || !d->by_revenue || !d->remaining_years ||
        !ranked || !d->segment_clients || !d->segment_revenue ||
        !d->segment_value || !d->segment_remaining || !finite)
        goto nomem;

    double total = book->annual_revenue;
    d->clients = n;
    d->annual_revenue = total;
    for (size_t i = 0; i < n; i++) {
        const Client *cl = &sc->clients[i];
        double revenue = book_client_revenue(book, i); /* 0 for an inactive client left out */
        d->active_clients += cl->active;
        double share = total > 0 ? revenue / total : 0;
        d->hhi += share * share;
        d->receivables += cl->receivable;
        d->client_provision[i] = cl->receivable * diagnostics_client_provision_rate(sc, cl);
        d->provision += d->client_provision[i];
        size_t band = 0;
        while (band + 1 < DIAG_TENURE_BANDS &&
               cl->tenure_years >= diagnostics_tenure_bounds[band + 1])
            band++;
        d->tenure_clients[band]++;
        d->tenure_revenue[band] += revenue;
        ranked[i] = (Ranked){revenue, i};
        double value = dcf_client_value(dcf, book, i);
        keep_if_top(top, &tops, value);
        size_t g = cl->segment >= 0 ? (size_t)cl->segment : sc->segment_count;
        d->segment_clients[g]++;
        d->segment_revenue[g] += revenue;
        d->segment_value[g] += value;
    }
    d->active_rate = n ? (double)d->active_clients / (double)n : (double)NAN;

    /* Ranks, top shares and ABC classes, largest clients first. A client is in A while the
     * cumulative share before it is below 80%, so the client that crosses 80% is still A. */
    qsort(ranked, n, sizeof *ranked, by_revenue_desc);
    double cumulative = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = ranked[k].index;
        d->by_revenue[k] = i;
        d->rank[i] = k;
        double before = total > 0 ? cumulative / total : 0;
        unsigned char cls = before < DIAG_CLASS_A_SHARE ? 0 : before < DIAG_CLASS_B_SHARE ? 1 : 2;
        d->abc[i] = cls;
        d->abc_clients[cls]++;
        d->abc_revenue[cls] += book_client_revenue(book, i);
        cumulative += book_client_revenue(book, i);
        if (k == 0)
            d->top1_share = total > 0 ? cumulative / total : 0;
        if (k == 4 || (k < 4 && k + 1 == n))
            d->top5_share = total > 0 ? cumulative / total : 0;
        if (k == 9 || (k < 9 && k + 1 == n))
            d->top10_share = total > 0 ? cumulative / total : 0;
    }
    double top_value = 0;
    for (size_t k = 0; k < tops; k++)
        top_value += top[k];
    d->top10_value_share = dcf->value != 0 ? top_value / dcf->value : (double)NAN;

    for (size_t c = 0; c < book->cohort_count; c++) {
        const Cohort *co = &book->cohorts[c];
        d->revenue_at_risk += co->annual_revenue * (1 - dcf->survival[c * (size_t)dcf->horizon]);
        d->remaining_years[c] = remaining_years(book, dcf, c);
    }
    /* Per segment, as a spreadsheet's AVERAGEIF over the clients' numbers would. */
    for (size_t i = 0; i < n; i++) {
        const Client *cl = &sc->clients[i];
        size_t g = cl->segment >= 0 ? (size_t)cl->segment : sc->segment_count;
        double years = d->remaining_years[book->client_cohort[i]];
        if (isfinite(years)) {
            d->segment_remaining[g] += years;
            finite[g]++;
        }
    }
    for (size_t g = 0; g < groups; g++)
        d->segment_remaining[g] = finite[g] ? d->segment_remaining[g] / (double)finite[g]
                                            : (double)NAN;
    free(finite);
    free(ranked);
    finite = NULL;
    ranked = NULL;
    if (diagnostics_lifetime(book, dcf, d) != BV_OK)
        goto nomem;
    *out = d;
    return BV_OK;
nomem:
    free(finite);
    free(ranked);
    diagnostics_free(d);
    return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
}

void diagnostics_free(Diagnostics *d)
{
    if (!d)
        return;
    free(d->abc);
    free(d->client_provision);
    free(d->rank);
    free(d->by_revenue);
    free(d->remaining_years);
    free(d->segment_clients);
    free(d->segment_revenue);
    free(d->segment_value);
    free(d->segment_remaining);
    diagnostics_lifetime_free(d);
    free(d);
}
