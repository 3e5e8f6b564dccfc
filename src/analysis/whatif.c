/*
 * whatif.c — revalue the scenario under patches.
 */
#include "whatif.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rootfind.h"
#include "valuation.h"

#define BREAK_EVEN_GRID 40
#define BREAK_EVEN_ITERATIONS 100
/* Where a break-even is searched when the parameter's range is open: rates and growth. */
#define RATE_SEARCH_LOW (-0.5)
#define RATE_SEARCH_HIGH 2.0
/* ... and for a price: 0 to this many times the price offered. */
#define PRICE_SEARCH_TIMES 4.0

void whatif_swing(const Dist *dist, double range_min, double range_max, double *low,
                  double *high)
{
    if (dist_is_fixed(dist)) {
        double v = dist->value;
        *low = v - 0.1 * fabs(v);
        *high = v + 0.1 * fabs(v);
    } else {
        *low = dist_quantile(dist, 0.1);
        *high = dist_quantile(dist, 0.9);
    }
    if (*low < range_min)
        *low = range_min;
    if (*high > range_max)
        *high = range_max;
}

/* One revaluation: the source patched, the book valued, and (when asked) simulated and priced. */
typedef struct Point {
    double dcf_value;
    double mc_mean, mc_p5, mc_p95;
    double seller_gain, buyer_npv;
    double revenue, price, buyer_irr, prob_npv_negative;
    const VariantSpec *variant;      /* when set: its keys' reach goes to `reach` */
    VariantReach *reach;
    size_t reach_count;
} Point;

/* Keys that reach no client: the deal, its sides, and how the run is made or reported. */
static bool reaches_no_client(const char *key)
{
    static const char *const roots[] = {"deal",       "buyer",       "seller",   "market",
                                        "provision",  "monte_carlo", "correlations",
                                        "name",       "currency"};
    size_t n = strcspn(key, ".");
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++)
        if (strlen(roots[i]) == n && strncmp(key, roots[i], n) == 0)
            return true;
    return false;
}

/* Whether a client's own value of `key` (a client assumption) is set. */
static bool own_value(const Client *c, const char *key)
{
    if (!key)
        return false;
    double v = strcmp(key, "margin") == 0               ? c->margin
               : strcmp(key, "retention") == 0          ? c->retention
               : strcmp(key, "revenue_growth") == 0     ? c->revenue_growth
               : strcmp(key, "transfer_retention") == 0 ? c->transfer_retention
                                                        : (double)NAN;
    return !isnan(v);
}

/* The clients of `sc` (the variant's) that `key` reached: a top-level key every client (it
 * replaces segment and own values), segments.NAME.KEY the segment's clients without their own
 * KEY, segments.NAME the segment's clients. */
static VariantReach reach_of(const Scenario *sc, const char *key)
{
    VariantReach r = {key, 0, 0};
    if (reaches_no_client(key))
        return r;
    int segment = -1;
    const char *field = NULL;
    if (strncmp(key, "segments.", 9) == 0) {
        const char *name = key + 9, *dot = strchr(name, '.');
        size_t len = dot ? (size_t)(dot - name) : strlen(name);
        for (size_t i = 0; i < sc->segment_count && segment < 0; i++)
            if (strlen(sc->segments[i].name) == len && strncmp(sc->segments[i].name, name, len) == 0)
                segment = (int)i;
        if (segment < 0)
            return r;
        field = dot ? dot + 1 : NULL;
    }
    double total = scenario_annual_revenue(sc), reached = 0;
    for (size_t i = 0; i < sc->client_count; i++) {
        const Client *c = &sc->clients[i];
        if (segment >= 0 && (c->segment != segment || own_value(c, field)))
            continue;
        r.clients++;
        reached += c->annual_revenue;
    }
    /* every client: exactly 1 (the two sums are added in different orders) */
    r.revenue_share = r.clients == sc->client_count ? 1 : total > 0 ? reached / total : 0;
    return r;
}

/* A variant runs as the scenario edited by hand would, with the same command line: its own
 * Monte Carlo settings unless the command line overrides them. A tornado or grid point needs
 * only the DCF (and the deal, for a break-even). */
static BvStatus evaluate(const WhatIfRun *run, const ScenarioPatch *patch, bool variant,
                         bool price, Point *p, BvErrors *errors)
{
    const VariantSpec *spec = p->variant;
    VariantReach *reach = p->reach;
    const double none = (double)NAN;
    *p = (Point){none, none, none, none, none, none, none, none, none, none, spec, reach, 0};
    ValuationOptions options = {
        .iterations = run->iterations, .has_seed = run->has_seed, .seed = run->seed,
        .simulate = !variant             ? VALUATION_MC_NEVER
                    : run->force_monte_carlo ? VALUATION_MC_ALWAYS
                                             : VALUATION_MC_AS_SCENARIO,
        .shards = run->shards};
    Valuation *v = NULL;
    Scenario *sc = NULL;
    BvStatus status = scenario_from_source(run->source, patch, &sc, errors);
    if (status == BV_OK)
        status = valuation_run(sc, &options, &v, errors);
    if (status != BV_OK)
        return status;
    p->dcf_value = v->dcf->value;
    p->revenue = v->dcf->annual_revenue;
    for (size_t k = 0; spec && k < spec->key_count; k++)
        reach[p->reach_count++] = reach_of(v->scenario, spec->keys[k]);
    if (v->mc) {
        p->mc_mean = v->mc->stats.mean;
        p->mc_p5 = v->mc->stats.percentile[STATS_P5];
        p->mc_p95 = v->mc->stats.percentile[STATS_P95];
    }
    if (v->deal && price) {
        p->price = v->deal->flows.price;
        p->seller_gain = v->deal->flows.gain;
        p->buyer_npv = v->deal->flows.npv;
        if (v->deal->has_buyer) {
            p->buyer_irr = v->deal->flows.irr;
            if (v->mc)
                p->prob_npv_negative = v->mc->prob_npv_negative;
        }
    }
    valuation_free(v);
    return BV_OK;
}

static BvStatus evaluate_at(const WhatIfRun *run, const char *parameter, double value, Mark mark,
                            bool price, Point *p, BvErrors *errors)
{
    ScenarioOverride o = {parameter, value, mark};
    ScenarioPatch patch = {-1, &o, 1};
    return evaluate(run, &patch, false, price, p, errors);
}

/* ---- break-even ---- */

typedef struct BreakEven {
    const WhatIfRun *run;
    const TornadoSpec *spec;
    BvErrors *scratch;       /* a point's own errors: inputs the scan passes over */
    BvErrors *errors;        /* where a real failure (memory) is reported */
    bool failed;
} BreakEven;

/* The buyer's NPV at input x; NaN where the scenario has no finite value there (an input the
 * user never wrote, e.g. growth that makes the run-off infinite): the scan passes over it. */
static double npv_at(double x, void *params)
{
    BreakEven *b = params;
    Point p = {.variant = NULL};
    if (b->failed)
        return (double)NAN;
    bv_errors_init(b->scratch);
    BvStatus s = evaluate_at(b->run, b->spec->parameter, x, b->spec->mark, true, &p, b->scratch);
    if (s == BV_ERR_NOMEM) {
        bv_error(b->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        b->failed = true;
    }
    return s == BV_OK ? p.buyer_npv : (double)NAN;
}

/* The input in [lo, hi] nearest the base value where the buyer's NPV changes sign, by a
 * scan and Brent (rootfind); NaN when it keeps one sign. */
static BvStatus break_even(BreakEven *b, double base, double lo, double hi, double *out)
{
    double grid[BREAK_EVEN_GRID + 1];
    for (int i = 0; i <= BREAK_EVEN_GRID; i++)
        grid[i] = lo + (hi - lo) * i / BREAK_EVEN_GRID;
    RootOptions o = {1e-12, 1e-12, BREAK_EVEN_ITERATIONS, ROOT_PICK_NEAREST, base};
    RootResult r = rootfind_scan(npv_at, b, grid, BREAK_EVEN_GRID + 1, &o);
    *out = r.root;
    return b->failed ? BV_ERR_NOMEM : rootfind_check(&r, "the break-even search", b->errors);
}

/* Largest swing first; equal swings in the scenario's order, so the sort is deterministic. */
static int by_swing(const void *a, const void *b)
{
    const TornadoResult *x = a, *y = b;
    if (x->swing != y->swing)
        return x->swing < y->swing ? 1 : -1;
    return (x->order > y->order) - (x->order < y->order);
}

/* With a buyer the tornado ranks what moves the buyer's NPV, the measure its break-evens speak
 * of (the buyer's rate and the price move it, not the DCF); else what moves the DCF. */
static void sort_tornado(WhatIf *w)
{
    for (size_t i = 0; i < w->tornado_count; i++) {
        TornadoResult *t = &w->tornado[i];
        double swing = w->has_break_even ? fabs(t->high_npv - t->low_npv)
                                         : fabs(t->high_value - t->low_value);
        t->swing = isnan(swing) ? 0 : swing;
        t->order = i;
    }
    qsort(w->tornado, w->tornado_count, sizeof *w->tornado, by_swing);
}

BvStatus whatif_run(const WhatIfRun *run, const Scenario *base, WhatIf **out, BvErrors *errors)
{
    *out = NULL;
    WhatIf *w = calloc(1, sizeof *w);
    if (!w)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    w->variants = calloc(base->variant_count + 1, sizeof *w->variants);
    w->tornado = calloc(base->tornado_count + 1, sizeof *w->tornado);
    size_t cells = base->grid.enabled ? base->grid.row_count * base->grid.col_count : 0;
    w->grid = calloc(cells + 1, sizeof *w->grid);
    if (!w->variants || !w->tornado || !w->grid) {
        whatif_free(w);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    w->has_break_even = base->deal.enabled && base->buyer.enabled;
    BvStatus status = BV_OK;
    for (size_t i = 0; i < base->variant_count && status == BV_OK; i++) {
        ScenarioPatch patch = {(int)i, NULL, 0};
        VariantResult *vr = &w->variants[i];
        VariantReach reach[VARIANT_KEYS_MAX];
        Point p = {.variant = &base->variants[i], .reach = reach};
        status = evaluate(run, &patch, true, true, &p, errors);
        *vr = (VariantResult){.name = base->variants[i].name, .dcf_value = p.dcf_value,
                              .mc_mean = p.mc_mean, .mc_p5 = p.mc_p5, .mc_p95 = p.mc_p95,
                              .seller_gain = p.seller_gain, .buyer_npv = p.buyer_npv,
                              .revenue = p.revenue, .price = p.price, .buyer_irr = p.buyer_irr,
                              .prob_npv_negative = p.prob_npv_negative, .reach_count = 0};
        memcpy(vr->reach, reach, p.reach_count * sizeof *reach);
        vr->reach_count = p.reach_count;
        w->variant_count = i + 1;
    }
    for (size_t i = 0; i < base->tornado_count && status == BV_OK; i++) {
        const TornadoSpec *t = &base->tornado[i];
        Dist param;
        const Dist *dist = &param;
        double lo, hi;
        scenario_parameter(base, t->parameter, &param, &lo, &hi); /* checked on loading */
        TornadoResult *r = &w->tornado[i];
        r->parameter = t->parameter;
        if (t->has_range) {
            r->low_input = t->low;
            r->high_input = t->high;
        } else {
            whatif_swing(dist, lo, hi, &r->low_input, &r->high_input);
        }
        Point p = {.variant = NULL};
        bool npv = w->has_break_even;
        status = evaluate_at(run, t->parameter, r->low_input, t->mark, npv, &p, errors);
        r->low_value = p.dcf_value;
        r->low_npv = p.buyer_npv;
        if (status == BV_OK)
            status = evaluate_at(run, t->parameter, r->high_input, t->mark, npv, &p, errors);
        r->high_value = p.dcf_value;
        r->high_npv = p.buyer_npv;
        r->break_even = (double)NAN;
        /* The bracket: the parameter's range, cut to [-50%, 200%] for rates and growth. */
        r->range_low = lo > RATE_SEARCH_LOW ? lo : RATE_SEARCH_LOW;
        r->range_high = hi < RATE_SEARCH_HIGH ? hi : RATE_SEARCH_HIGH;
        if (strncmp(t->parameter, "deal.price", 10) == 0) {
            /* A price (amount or multiple): from nothing to PRICE_SEARCH_TIMES the offer. */
            double offer = dist_mean(dist);
            r->range_low = 0;
            r->range_high = offer > 0 ? PRICE_SEARCH_TIMES * offer : 1;
        }
        r->npv_unmoved = strcmp(t->parameter, "discount_rate") == 0 &&
                         base->buyer.has_discount_rate;
        if (status == BV_OK && w->has_break_even && !r->npv_unmoved) {
            BreakEven b = {run, t, malloc(sizeof(BvErrors)), errors, false};
            if (!b.scratch)
                status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            else
                status = break_even(&b, dist_mean(dist), r->range_low, r->range_high,
                                    &r->break_even);
            free(b.scratch);
        }
        w->tornado_count = i + 1;
    }
    if (status == BV_OK)
        sort_tornado(w);
    const GridSpec *g = &base->grid;
    for (size_t r = 0; r < (g->enabled ? g->row_count : 0) && status == BV_OK; r++) {
        for (size_t c = 0; c < g->col_count && status == BV_OK; c++) {
            ScenarioOverride o[2] = {{g->row_parameter, g->rows[r], g->mark},
                                     {g->col_parameter, g->cols[c], g->mark}};
            ScenarioPatch patch = {-1, o, 2};
            Point p = {.variant = NULL};
            status = evaluate(run, &patch, false, false, &p, errors);
            w->grid[r * g->col_count + c] = p.dcf_value;
        }
    }
    if (status != BV_OK) {
        whatif_free(w);
        return status == BV_OK ? BV_ERR_NUMERIC : status;
    }
    *out = w;
    return BV_OK;
}

void whatif_free(WhatIf *w)
{
    if (!w)
        return;
    free(w->variants);
    free(w->tornado);
    free(w->grid);
    free(w);
}
