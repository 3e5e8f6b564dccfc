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
        .deal_irr = variant, /* a variant's row reports it; a point needs only the NPV */
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

/* Input i of the scan over [lo, hi] (BREAK_EVEN_GRID + 1 inputs). */
static double scan_input(double lo, double hi, int i)
{
    return lo + (hi - lo) * i / BREAK_EVEN_GRID;
}

typedef struct BreakEven {
    const WhatIfRun *run;
    const TornadoSpec *spec;
    const double *grid;      /* [BREAK_EVEN_GRID + 1]: the scan's inputs */
    const double *known;     /* the buyer's NPV there, valued with the other points */
    BvErrors *scratch;       /* a point's own errors: inputs the search passes over */
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
    /* The same bits value the same: the scan's inputs (and Brent's ends) are known. */
    for (int i = 0; i <= BREAK_EVEN_GRID; i++)
        if (memcmp(&x, &b->grid[i], sizeof x) == 0)
            return b->known[i];
    bv_errors_init(b->scratch);
    BvStatus s = evaluate_at(b->run, b->spec->parameter, x, b->spec->mark, true, &p, b->scratch);
    if (s == BV_ERR_NOMEM) {
        bv_error(b->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
        b->failed = true;
    }
    return s == BV_OK ? p.buyer_npv : (double)NAN;
}

/* The input nearest the base value where the buyer's NPV changes sign, by a scan of the grid
 * and Brent (rootfind); NaN when it keeps one sign. */
static BvStatus break_even(BreakEven *b, double base, double *out)
{
    RootOptions o = {1e-12, 1e-12, BREAK_EVEN_ITERATIONS, ROOT_PICK_NEAREST, base};
    RootResult r = rootfind_scan(npv_at, b, b->grid, BREAK_EVEN_GRID + 1, &o);
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

/* ---- the DCF-only points, shared among processes ---- */

/* Points each process computes between two exchanges (and updates of the progress bar). */
#define ROUND_POINTS 8
/* A point's values: the DCF value and the buyer's NPV. */
#define POINT_WIDTH 2

/*
 * The points in the order one process meets them: each tornado entry's low and high ends and,
 * when its break-even is searched, the BREAK_EVEN_GRID + 1 inputs of its scan; then the grid's
 * cells. The searches themselves (Brent from the scan's brackets) follow, each one point.
 */
typedef struct Points {
    const WhatIfRun *run;
    const Scenario *base;
    WhatIf *w;
    size_t *start;           /* [tornado_count + 1]: each entry's first point, then the grid's */
    double *values;          /* [points x POINT_WIDTH] */
    size_t *searched;        /* the entries whose break-even is searched, in order */
    double *roots;           /* [searched]: their break-evens */
    size_t count;            /* points */
    BvErrors *scratch;
    BvErrors *failure;       /* [2]: the earliest failed point's errors, then search's */
    long done, total;        /* for the progress bar */
} Points;

static bool is_searched(const WhatIf *w, size_t entry)
{
    return w->has_break_even && !w->tornado[entry].npv_unmoved;
}

/* The tornado entry point i belongs to; tornado_count for a grid cell. */
static size_t entry_of(const Points *pts, long i)
{
    size_t e = 0;
    while (e < pts->base->tornado_count && pts->start[e + 1] <= (size_t)i)
        e++;
    return e;
}

static BvStatus compute_point(Points *pts, long i, double *row, BvErrors *errors)
{
    const Scenario *base = pts->base;
    size_t e = entry_of(pts, i), k = (size_t)i - pts->start[e];
    Point p = {.variant = NULL};
    BvStatus status;
    if (e == base->tornado_count) {
        const GridSpec *g = &base->grid;
        ScenarioOverride o[2] = {{g->row_parameter, g->rows[k / g->col_count], g->mark},
                                 {g->col_parameter, g->cols[k % g->col_count], g->mark}};
        ScenarioPatch patch = {-1, o, 2};
        status = evaluate(pts->run, &patch, false, false, &p, errors);
    } else {
        const TornadoSpec *t = &base->tornado[e];
        const TornadoResult *r = &pts->w->tornado[e];
        if (k < 2) {
            double x = k == 0 ? r->low_input : r->high_input;
            status = evaluate_at(pts->run, t->parameter, x, t->mark, pts->w->has_break_even, &p,
                                 errors);
        } else {
            /* A scan's input the scenario cannot value is passed over, as npv_at does. */
            double x = scan_input(r->range_low, r->range_high, (int)(k - 2));
            status = evaluate_at(pts->run, t->parameter, x, t->mark, true, &p, errors);
            bv_errors_init(errors);
            if (status == BV_ERR_NOMEM)
                return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            if (status != BV_OK)
                p.buyer_npv = (double)NAN;
            status = BV_OK;
        }
    }
    row[0] = p.dcf_value;
    row[1] = p.buyer_npv;
    return status;
}

/* Search break-even j (of pts->searched) from its scan's values. */
static BvStatus compute_root(Points *pts, long j, double *row, BvErrors *errors)
{
    size_t e = pts->searched[j];
    const TornadoSpec *t = &pts->base->tornado[e];
    const TornadoResult *r = &pts->w->tornado[e];
    double grid[BREAK_EVEN_GRID + 1], known[BREAK_EVEN_GRID + 1];
    for (int k = 0; k <= BREAK_EVEN_GRID; k++) {
        grid[k] = scan_input(r->range_low, r->range_high, k);
        known[k] = pts->values[(pts->start[e] + 2 + (size_t)k) * POINT_WIDTH + 1];
    }
    Dist dist;
    double lo, hi;
    scenario_parameter(pts->base, t->parameter, &dist, &lo, &hi); /* checked on loading */
    BreakEven b = {pts->run, t, grid, known, pts->scratch, errors, false};
    return break_even(&b, dist_mean(&dist), row);
}

typedef BvStatus (*PointFn)(Points *pts, long i, double *row, BvErrors *errors);

/*
 * Points [0, count) by `compute` into `values` (`width` each), shared among the run's
 * processes in rounds: every process ends with every point, or with the earliest failure of
 * any (*failed, its errors in `failure`; -1 when none). BV_ERR_IO (in `failure`) when the
 * processes could not exchange.
 */
static BvStatus share(Points *pts, long count, size_t width, PointFn compute, double *values,
                      long *failed, BvErrors *failure)
{
    const WhatIfShards *s = pts->run->shards ? pts->run->points : NULL;
    int rank = s ? pts->run->shards->rank : 0, ranks = s ? pts->run->shards->ranks : 1;
    *failed = -1;
    bv_errors_init(failure);
    for (long begin = 0, end; begin < count && *failed < 0; begin = end) {
        end = count - begin > ranks * ROUND_POINTS ? begin + ranks * ROUND_POINTS : count;
        long first, last;
        mc_shard_part(begin, end, rank, ranks, &first, &last);
        for (long i = first; i < last && *failed < 0; i++) {
            bv_errors_init(failure);
            if (compute(pts, i, &values[(size_t)i * width], failure) != BV_OK)
                *failed = i;
        }
        if (s) {
            WhatIfExchange x = {values, width, begin, end, *failed, failure};
            if (!s->exchange(&x, s->context)) {
                bv_errors_init(failure);
                return bv_error(failure, BV_ERR_IO, NULL, NULL,
                                "the processes of the run could not exchange their what-if "
                                "points");
            }
            *failed = x.failed;
        }
        pts->done += end - begin;
        if (*failed < 0 && pts->run->progress)
            pts->run->progress(pts->done, pts->total, pts->run->progress_context);
    }
    return BV_OK;
}

/* Report a failed point's errors, as one process meeting it first would have. */
static BvStatus report(const BvErrors *failure, BvErrors *errors)
{
    for (size_t i = 0; i < failure->count; i++) {
        if (errors->count < BV_ERRORS_MAX)
            errors->items[errors->count++] = failure->items[i];
        else
            errors->dropped++;
    }
    errors->dropped += failure->dropped;
    BvStatus status = bv_errors_status(failure);
    return status == BV_OK ? BV_ERR_NUMERIC : status;
}

/* Each tornado entry's inputs, ends and the bracket its break-even is searched in. */
static void tornado_inputs(const Scenario *base, WhatIf *w)
{
    for (size_t i = 0; i < base->tornado_count; i++) {
        const TornadoSpec *t = &base->tornado[i];
        Dist param;
        double lo, hi;
        scenario_parameter(base, t->parameter, &param, &lo, &hi); /* checked on loading */
        TornadoResult *r = &w->tornado[i];
        r->parameter = t->parameter;
        if (t->has_range) {
            r->low_input = t->low;
            r->high_input = t->high;
        } else {
            whatif_swing(&param, lo, hi, &r->low_input, &r->high_input);
        }
        r->break_even = (double)NAN;
        /* The bracket: the parameter's range, cut to [-50%, 200%] for rates and growth. */
        r->range_low = lo > RATE_SEARCH_LOW ? lo : RATE_SEARCH_LOW;
        r->range_high = hi < RATE_SEARCH_HIGH ? hi : RATE_SEARCH_HIGH;
        if (strncmp(t->parameter, "deal.price", 10) == 0) {
            /* A price (amount or multiple): from nothing to PRICE_SEARCH_TIMES the offer. */
            double offer = dist_mean(&param);
            r->range_low = 0;
            r->range_high = offer > 0 ? PRICE_SEARCH_TIMES * offer : 1;
        }
        r->npv_unmoved = strcmp(t->parameter, "discount_rate") == 0 &&
                         base->buyer.has_discount_rate;
    }
}

/* Lay out the points (none without a tornado or grid) and count them for the progress bar. */
static BvStatus points_plan(Points *pts, BvErrors *errors)
{
    const Scenario *base = pts->base;
    WhatIf *w = pts->w;
    size_t entries = base->tornado_count;
    const GridSpec *g = &base->grid;
    pts->start = malloc((entries + 1) * sizeof *pts->start);
    pts->searched = malloc((entries + 1) * sizeof *pts->searched);
    pts->roots = malloc((entries + 1) * sizeof *pts->roots);
    pts->scratch = malloc(sizeof *pts->scratch);
    pts->failure = malloc(2 * sizeof *pts->failure);
    if (!pts->start || !pts->searched || !pts->roots || !pts->scratch || !pts->failure)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    tornado_inputs(base, w);
    size_t count = 0, searches = 0;
    for (size_t e = 0; e < entries; e++) {
        pts->start[e] = count;
        count += is_searched(w, e) ? 2 + BREAK_EVEN_GRID + 1 : 2;
        searches += is_searched(w, e) ? 1 : 0;
    }
    pts->start[entries] = count;
    pts->count = count + (g->enabled ? g->row_count * g->col_count : 0);
    pts->total += (long)(pts->count + searches);
    pts->values = malloc((pts->count + 1) * POINT_WIDTH * sizeof *pts->values);
    if (!pts->values)
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    return BV_OK;
}

static void points_free(Points *pts)
{
    free(pts->start);
    free(pts->values);
    free(pts->searched);
    free(pts->roots);
    free(pts->scratch);
    free(pts->failure);
}

/*
 * The tornado, its break-evens and the grid: first every point, then every search from its
 * scan; the earliest failure in one process's order is reported (a search comes after its own
 * entry's points and before the next entry's).
 */
static BvStatus dcf_points(Points *pts, BvErrors *errors)
{
    WhatIf *w = pts->w;
    size_t entries = pts->base->tornado_count;
    BvErrors *failure = pts->failure;
    long failed_point, failed_search;
    BvStatus status = share(pts, (long)pts->count, POINT_WIDTH, compute_point, pts->values,
                            &failed_point, &failure[0]);
    if (status != BV_OK)
        return report(&failure[0], errors);
    /* The searches of the entries before the earliest failed point. */
    size_t limit = failed_point < 0 ? entries : entry_of(pts, failed_point), n = 0;
    for (size_t e = 0; e < limit; e++)
        if (is_searched(w, e))
            pts->searched[n++] = e;
    status = share(pts, (long)n, 1, compute_root, pts->roots, &failed_search, &failure[1]);
    if (status != BV_OK || failed_search >= 0)
        status = report(&failure[1], errors);
    else if (failed_point >= 0)
        status = report(&failure[0], errors);
    if (status != BV_OK)
        return status;
    for (size_t e = 0; e < entries; e++) {
        TornadoResult *r = &w->tornado[e];
        const double *low = &pts->values[pts->start[e] * POINT_WIDTH], *high = low + POINT_WIDTH;
        r->low_value = low[0];
        r->low_npv = low[1];
        r->high_value = high[0];
        r->high_npv = high[1];
    }
    for (size_t j = 0; j < n; j++)
        w->tornado[pts->searched[j]].break_even = pts->roots[j];
    w->tornado_count = entries;
    for (size_t c = 0; c + pts->start[entries] < pts->count; c++)
        w->grid[c] = pts->values[(pts->start[entries] + c) * POINT_WIDTH];
    return BV_OK;
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
    Points pts = {run, base, w, NULL, NULL, NULL, NULL, 0, NULL, NULL, 0,
                  (long)base->variant_count};
    BvStatus status = points_plan(&pts, errors);
    /* Every process runs every variant: its Monte Carlo is shared among them. */
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
        pts.done++;
        if (status == BV_OK && run->progress)
            run->progress(pts.done, pts.total, run->progress_context);
    }
    if (status == BV_OK)
        status = dcf_points(&pts, errors);
    points_free(&pts);
    if (status == BV_OK)
        sort_tornado(w);
    if (status != BV_OK) {
        whatif_free(w);
        return status;
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
