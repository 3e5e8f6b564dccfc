/*
 * book.c — clients to cohorts.
 *
 * Clients are grouped by the tuple that fixes their cash-flow shape: segment, own overrides
 * and (for tenure-dependent retention) tenure. A hash table over that tuple keeps this linear
 * in the number of clients.
 */
#include "book.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct CohortKey {
    int segment;
    double margin, revenue_growth, retention, transfer_retention; /* own values, NaN if none */
    double tenure;
    double weight; /* share of its clients valued: 1, 0 (inactive, left out) or p */
} CohortKey;

/* Canonical bits of a double for hashing and equality: all NaNs alike, -0 as +0. */
static uint64_t bits_of(double x)
{
    if (isnan(x))
        return UINT64_C(0x7ff8000000000000);
    x += 0.0;
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static uint64_t key_hash(const CohortKey *k)
{
    uint64_t h = UINT64_C(1469598103934665603) ^ (uint64_t)(int64_t)k->segment;
    const double fields[] = {k->margin, k->revenue_growth, k->retention,
                             k->transfer_retention, k->tenure, k->weight};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        h ^= bits_of(fields[i]);
        h *= UINT64_C(0x100000001b3);
        h ^= h >> 29;
    }
    return h;
}

static bool key_equal(const CohortKey *a, const CohortKey *b)
{
    return a->segment == b->segment && bits_of(a->margin) == bits_of(b->margin) &&
           bits_of(a->revenue_growth) == bits_of(b->revenue_growth) &&
           bits_of(a->retention) == bits_of(b->retention) &&
           bits_of(a->transfer_retention) == bits_of(b->transfer_retention) &&
           bits_of(a->tenure) == bits_of(b->tenure) && bits_of(a->weight) == bits_of(b->weight);
}

static CohortKey client_key(const Scenario *sc, const Client *c)
{
    const Assumptions *a = c->segment >= 0 ? &sc->segments[c->segment].assumptions
                                           : &sc->defaults;
    bool tenure_matters = isnan(c->retention) && retention_uses_tenure(&a->retention);
    return (CohortKey){c->segment,       c->margin,
                       c->revenue_growth, c->retention,
                       c->transfer_retention, tenure_matters ? c->tenure_years : 0,
                       book_client_weight(sc, c)};
}

double book_client_weight(const Scenario *sc, const Client *c)
{
    if (c->active)
        return 1;
    switch (sc->inactive_clients) {
    case INACTIVE_EXCLUDE:
        return 0;
    case INACTIVE_REACTIVATION:
        return sc->reactivation;
    case INACTIVE_VALUE:
        break;
    }
    return 1;
}

double book_client_revenue(const Book *book, size_t i)
{
    return book->cohorts[book->client_cohort[i]].weight *
           book->scenario->clients[i].annual_revenue;
}

static Cohort cohort_from_key(const Scenario *sc, const CohortKey *k)
{
    const Assumptions *a = k->segment >= 0 ? &sc->segments[k->segment].assumptions
                                           : &sc->defaults;
    Cohort c = {.segment = k->segment,
                .margin = a->margin,
                .revenue_growth = a->revenue_growth,
                .transfer_retention = a->transfer_retention,
                .retention = a->retention,
                .tenure_years = k->tenure,
                .weight = k->weight};
    if (!isnan(k->margin)) {
        c.margin = dist_fixed(k->margin);
        c.own |= OWN_MARGIN;
    }
    if (!isnan(k->revenue_growth)) {
        c.revenue_growth = dist_fixed(k->revenue_growth);
        c.own |= OWN_REVENUE_GROWTH;
    }
    if (!isnan(k->transfer_retention)) {
        c.transfer_retention = dist_fixed(k->transfer_retention);
        c.own |= OWN_TRANSFER_RETENTION;
    }
    if (!isnan(k->retention)) {
        c.retention = (RetentionModel){.kind = RETENTION_CONSTANT,
                                       .constant = dist_fixed(k->retention)};
        c.own |= OWN_RETENTION;
    }
    /* The one place the what-if scale on retention enters: every stage values a cohort's
     * survival through its model (the DCF, the Monte Carlo, the deal, the seller's keep). */
    c.retention.scale = sc->retention_scale;
    return c;
}

/* Register `d` as an uncertain input unless it is a fixed number; returns its index or -1. */
static int add_input(Book *book, const Dist *d, const char *scope, const char *name)
{
    if (dist_is_fixed(d))
        return -1;
    UncertainInput *in = &book->inputs[book->input_count];
    snprintf(in->path, sizeof in->path, "%s%s%s", scope ? scope : "", scope ? "." : "", name);
    in->dist = d;
    return (int)book->input_count++;
}

typedef struct ScopeInputs {
    int margin, growth, transfer, retention;
} ScopeInputs;

/* The uncertain inputs: the scenario's, then each segment's own (a segment that takes the
 * scenario's value shares its draw). */
static BvStatus collect_inputs(Book *book, ScopeInputs *scopes)
{
    const Scenario *sc = book->scenario;
    size_t most = 1 + 4 * (sc->segment_count + 1);
    book->inputs = calloc(most, sizeof *book->inputs);
    if (!book->inputs)
        return BV_ERR_NOMEM;
    /* A required return is not an outcome: the rate is drawn only when asked (issue 17). */
    book->discount_input = sc->monte_carlo.vary_discount_rate
                               ? add_input(book, &sc->discount_rate, NULL, "discount_rate")
                               : -1;
    for (size_t s = 0; s <= sc->segment_count; s++) {
        const Assumptions *a = s ? &sc->segments[s - 1].assumptions : &sc->defaults;
        char scope[BOOK_INPUT_PATH_MAX];
        snprintf(scope, sizeof scope, "segments.%s", s ? sc->segments[s - 1].name : "");
        const char *sp = s ? scope : NULL;
        ScopeInputs *si = &scopes[s];
        *si = s ? scopes[0] : (ScopeInputs){-1, -1, -1, -1};
        if (!s || (a->given & GIVEN_MARGIN))
            si->margin = add_input(book, &a->margin, sp, "margin");
        if (!s || (a->given & GIVEN_REVENUE_GROWTH))
            si->growth = add_input(book, &a->revenue_growth, sp, "revenue_growth");
        if (!s || (a->given & GIVEN_TRANSFER_RETENTION))
            si->transfer = add_input(book, &a->transfer_retention, sp, "transfer_retention");
        if (!s || (a->given & GIVEN_RETENTION))
            si->retention = a->retention.kind == RETENTION_CONSTANT
                                ? add_input(book, &a->retention.constant, sp, "retention")
                                : -1;
    }
    return BV_OK;
}

int book_input_index(const Book *book, const char *path)
{
    for (size_t i = 0; i < book->input_count; i++)
        if (strcmp(book->inputs[i].path, path) == 0)
            return (int)i;
    return -1;
}

/* Group client indices by cohort (a counting sort: stable, so ascending within a cohort). */
static BvStatus group_clients(Book *book)
{
    size_t n = book->scenario->client_count, k = book->cohort_count;
    book->order = malloc((n ? n : 1) * sizeof *book->order);
    book->cohort_start = calloc(k + 1, sizeof *book->cohort_start);
    if (!book->order || !book->cohort_start)
        return BV_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        book->cohort_start[book->client_cohort[i] + 1]++;
    for (size_t c = 0; c < k; c++)
        book->cohort_start[c + 1] += book->cohort_start[c];
    size_t *next = malloc((k ? k : 1) * sizeof *next);
    if (!next)
        return BV_ERR_NOMEM;
    memcpy(next, book->cohort_start, k * sizeof *next);
    for (size_t i = 0; i < n; i++)
        book->order[next[book->client_cohort[i]]++] = i;
    free(next);
    return BV_OK;
}

BvStatus book_new(const Scenario *sc, Book **out, BvErrors *errors)
{
    *out = NULL;
    size_t n = sc->client_count;
    size_t slots = 64;
    while (slots < 2 * n)
        slots *= 2;
    Book *book = calloc(1, sizeof *book);
    size_t *table = malloc(slots * sizeof *table); /* cohort index + 1; 0 = empty */
    CohortKey *keys = NULL;
    size_t key_cap = 0;
    if (!book || !table)
        goto nomem;
    memset(table, 0, slots * sizeof *table);
    book->scenario = sc;
    book->client_cohort = malloc((n ? n : 1) * sizeof *book->client_cohort);
    if (!book->client_cohort)
        goto nomem;
    double sum = 0, carry = 0;
    for (size_t i = 0; i < n; i++) {
        const Client *cl = &sc->clients[i];
        CohortKey k = client_key(sc, cl);
        size_t slot = (size_t)key_hash(&k) & (slots - 1);
        while (table[slot] && !key_equal(&keys[table[slot] - 1], &k))
            slot = (slot + 1) & (slots - 1);
        if (!table[slot]) {
            size_t idx = book->cohort_count;
            if (idx == key_cap) {
                size_t cap = key_cap ? 2 * key_cap : 16;
                CohortKey *gk = realloc(keys, cap * sizeof *gk);
                if (!gk)
                    goto nomem;
                keys = gk;
                Cohort *gc = realloc(book->cohorts, cap * sizeof *gc);
                if (!gc)
                    goto nomem;
                book->cohorts = gc;
                key_cap = cap;
            }
            keys[idx] = k;
            book->cohorts[idx] = cohort_from_key(sc, &k);
            book->cohort_count++;
            table[slot] = idx + 1;
        }
        size_t idx = table[slot] - 1;
        Cohort *c = &book->cohorts[idx];
        c->clients++;
        c->annual_revenue += c->weight * cl->annual_revenue;
        book->client_cohort[i] = idx;
        double y = c->weight * cl->annual_revenue - carry, t = sum + y;
        carry = (t - sum) - y;
        sum = t;
    }
    book->annual_revenue = sum;
    free(keys);
    free(table);
    keys = NULL;
    table = NULL;
    ScopeInputs *scopes = malloc((sc->segment_count + 1) * sizeof *scopes);
    if (!scopes || collect_inputs(book, scopes) != BV_OK) {
        free(scopes);
        goto nomem;
    }
    for (size_t c = 0; c < book->cohort_count; c++) {
        Cohort *co = &book->cohorts[c];
        const ScopeInputs *si = &scopes[co->segment + 1];
        co->margin_input = co->own & OWN_MARGIN ? -1 : si->margin;
        co->growth_input = co->own & OWN_REVENUE_GROWTH ? -1 : si->growth;
        co->transfer_input = co->own & OWN_TRANSFER_RETENTION ? -1 : si->transfer;
        co->retention_input = co->own & OWN_RETENTION ? -1 : si->retention;
    }
    free(scopes);
    if (group_clients(book) != BV_OK)
        goto nomem;
    *out = book;
    return BV_OK;
nomem:
    free(keys);
    free(table);
    book_free(book);
    return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
}

void book_free(Book *book)
{
    if (!book)
        return;
    free(book->cohorts);
    free(book->client_cohort);
    free(book->inputs);
    free(book->order);
    free(book->cohort_start);
    free(book);
}
