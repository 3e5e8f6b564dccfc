/*
 * montecarlo.c — the simulation loop.
 *
 * Per iteration: draw the inputs, value each cohort with the DCF's own kernel (survival,
 * expected present values, run-off tail), then either take the expected values (no client
 * churn) or, per client, one uniform against the cohort's survival thresholds: the client
 * lives L years where L counts the thresholds S(1..H) above the uniform, and contributes its
 * revenue times the present value of L years of cash per unit of revenue (plus the expected
 * run-off beyond H, given it is alive then). That inner loop is the whole cost of a large
 * book, so clients are visited cohort by cohort, their revenues laid out contiguously.
 */
#include "montecarlo.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "dcf.h"
#include "deal.h"
#include "keep.h"
#include "rng.h"
#include "sampler.h"

#define HORIZON_MAX 100 /* the schema's bound on horizon_years */
/* Above this horizon a binary search beats counting every threshold. */
#define LINEAR_COUNT_MAX 16

/*
 * Lifetimes looked up by a uniform's top LIFE_BITS bits: a bucket of uniforms that all live
 * the same number of years holds it, and the few buckets a threshold cuts (at most H of them)
 * hold LIFE_CUT, their clients counted one threshold at a time. The same lifetimes, a fraction of the work.
 */
#define LIFE_BITS 10
#define LIFE_SHIFT (53 - LIFE_BITS)
#define LIFE_CUT 0xFF /* above HORIZON_MAX */
/* Building the table costs about what counting does for this many clients: a smaller cohort
 * (a book of clients with their own values) counts. */
#define LIFE_TABLE_MIN 32

typedef struct Sim {
    const Book *book;
    const Sampler *sampler;
    unsigned long long seed;
    int H;
    bool churn;
    double *revenue;     /* [clients] revenues in cohort order; the position in this order
                            is the client's random stream */
    uint8_t counted[1 << LIFE_BITS]; /* every bucket LIFE_CUT: a small cohort's table */
} Sim;

/* What one iteration gives (NaN where the scenario does not ask for it). */
typedef struct McIteration {
    double value;   /* the book's value */
    double gain;    /* the seller's gain on the sale */
    double npv;     /* the buyer's NPV */
    double net_pv;  /* the sale's net proceeds PV to the seller */
    double keep;    /* the value of keeping the book (seller.keep) */
    double dscr_min; /* the loan's minimum DSCR (buyer.financing) */
    double price;   /* the final price */
    double tax;     /* the seller's tax on the gain (brackets: not linear in the gain) */
    double lost;    /* clients lost by the horizon (with churn) */
    double *book;   /* where to keep the deal's book (3H + 1), or NULL */
} McIteration;

/* One thread's scratch space. */
typedef struct Workspace {
    double *x, *scratch;      /* inputs drawn */
    double *df;               /* [H] */
    double *survival, *pv;    /* [cohorts * H] */
    double *cumulative;       /* [H+1]: PV of 0..H years of a living client's cash */
    double *hist;             /* [H+1]: revenue of the clients living 0..H years */
    /* The simulated book as the deal sees it (only with a deal). */
    double *revenue, *cash, *lost_share; /* [H] */
    double *buyer_df, *buyer_pv;         /* [H] */
    DealFlows flows;
    /* The same book as its seller would keep it (only with seller.keep). */
    double *keep_revenue, *keep_cash, *keep_survival, *keep_pv, *keep_df; /* [H] */
    double *keep_hist;                   /* [H+1] */
    BvErrors errors;          /* the first failure in this thread */
    long failed;              /* its iteration, or -1 */
} Workspace;

static void workspace_free(Workspace *w)
{
    if (!w)
        return;
    double *arrays[] = {w->x,           w->scratch,   w->df,           w->survival, w->pv,
                        w->cumulative,  w->hist,      w->revenue,      w->cash,     w->lost_share,
                        w->buyer_df,    w->buyer_pv,  w->keep_revenue, w->keep_cash,
                        w->keep_survival, w->keep_pv, w->keep_df,      w->keep_hist};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
    deal_flows_free(&w->flows);
    free(w);
}

static Workspace *workspace_new(const Book *book)
{
    const Scenario *sc = book->scenario;
    size_t k = book->input_count ? book->input_count : 1;
    size_t h = (size_t)sc->horizon_years, c = book->cohort_count;
    Workspace *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->failed = -1;
    bv_errors_init(&w->errors);
    w->x = malloc(k * sizeof(double));
    w->scratch = malloc(k * sizeof(double));
    w->df = malloc(h * sizeof(double));
    w->survival = malloc(c * h * sizeof(double));
    w->pv = malloc(c * h * sizeof(double));
    w->cumulative = malloc((h + 1) * sizeof(double));
    w->hist = malloc((h + 1) * sizeof(double));
    w->revenue = malloc(h * sizeof(double));
    w->cash = malloc(h * sizeof(double));
    w->lost_share = malloc(h * sizeof(double));
    w->buyer_df = malloc(h * sizeof(double));
    w->buyer_pv = malloc(h * sizeof(double));
    bool ok = w->x && w->scratch && w->df && w->survival && w->pv && w->cumulative && w->hist &&
              w->revenue && w->cash && w->lost_share && w->buyer_df && w->buyer_pv;
    if (ok && sc->deal.enabled)
        ok = deal_flows_alloc(&w->flows, deal_years(sc)) == BV_OK;
    if (ok && sc->deal.enabled && sc->seller.enabled && sc->seller.keep.enabled) {
        w->keep_revenue = malloc(h * sizeof(double));
        w->keep_cash = malloc(h * sizeof(double));
        w->keep_survival = malloc(h * sizeof(double));
        w->keep_pv = malloc(h * sizeof(double));
        w->keep_df = malloc(h * sizeof(double));
        w->keep_hist = malloc((h + 1) * sizeof(double));
        ok = w->keep_revenue && w->keep_cash && w->keep_survival && w->keep_pv && w->keep_df &&
             w->keep_hist;
    }
    if (!ok) {
        workspace_free(w);
        return NULL;
    }
    return w;
}

static double drawn(const double *x, int input, const Dist *fixed)
{
    return input >= 0 ? x[input] : dist_mean(fixed);
}

/* Years a client survives: how many of the decreasing thresholds exceed u. */
static inline int lifetime(const uint64_t *S, int H, uint64_t u)
{
    if (H <= LINEAR_COUNT_MAX) {
        int L = 0;
        for (int t = 0; t < H; t++)
            L += u < S[t];
        return L;
    }
    int lo = 0, hi = H; /* S[t] > u for t < lo; S[t] <= u for t >= hi */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (u < S[mid])
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}


/* Bucket b holds the uniforms [b, b + 1) 2^LIFE_SHIFT; a client lives L years when its
 * uniform lies in [T[L], T[L - 1]) (T[-1] = 2^53, T[H] = 0), T non-increasing. */
static void lifetime_table(const uint64_t *T, int H, uint8_t table[1 << LIFE_BITS])
{
    memset(table, LIFE_CUT, (size_t)1 << LIFE_BITS);
    for (int t = 1; t < H; t++)
        if (T[t] > T[t - 1])
            return; /* not a survival curve: every bucket counts */
    const uint64_t top = UINT64_C(1) << 53, width = UINT64_C(1) << LIFE_SHIFT;
    for (int L = 0; L <= H; L++) {
        uint64_t lo = L < H ? T[L] : 0, hi = L > 0 ? T[L - 1] : top;
        uint64_t first = (lo + width - 1) >> LIFE_SHIFT, end = (hi < top ? hi : top) >> LIFE_SHIFT;
        if (end > first)
            memset(table + first, L, (size_t)(end - first));
    }
}

static inline int lifetime_of(const uint8_t *table, const uint64_t *T, int H, uint64_t u)
{
    int L = table[u >> LIFE_SHIFT];
    return L != LIFE_CUT ? L : lifetime(T, H, u);
}

/*
 * The clients of cohort c, each alive while its uniform lies below the survival thresholds:
 * hist[L] = revenue of the clients that live L years (L = 0..H). The uniform is compared as
 * 53-bit integers (alive in year t when its bits < ceil(S(t) 2^53)), and four lanes of
 * histograms keep consecutive clients' additions independent; the lanes are summed in a fixed
 * order, so the result is too.
 */
static long churn_cohort(const Sim *sim, long it, size_t c, const double *S, double *hist)
{
    const Book *book = sim->book;
    int H = sim->H;
    uint64_t thresholds[HORIZON_MAX];
    for (int t = 0; t < H; t++)
        thresholds[t] = (uint64_t)ceil(S[t] * 0x1.0p53);
    uint64_t key = rng_key(sim->seed, (uint64_t)it, 0);
    size_t j = book->cohort_start[c], end = book->cohort_start[c + 1];
    uint8_t buckets[1 << LIFE_BITS];
    const uint8_t *table = sim->counted;
    if (end - j >= LIFE_TABLE_MIN)
        lifetime_table(thresholds, H, buckets), table = buckets;
    const double *revenue = sim->revenue;
    double lanes[4][HORIZON_MAX + 1];
    for (int lane = 0; lane < 4; lane++)
        memset(lanes[lane], 0, (size_t)(H + 1) * sizeof(double));
    long alive = 0; /* clients living all H years */
    for (; j + 4 <= end; j += 4) {
        int L0 = lifetime_of(table, thresholds, H, rng_bits53(key, j));
        int L1 = lifetime_of(table, thresholds, H, rng_bits53(key, j + 1));
        int L2 = lifetime_of(table, thresholds, H, rng_bits53(key, j + 2));
        int L3 = lifetime_of(table, thresholds, H, rng_bits53(key, j + 3));
        lanes[0][L0] += revenue[j];
        lanes[1][L1] += revenue[j + 1];
        lanes[2][L2] += revenue[j + 2];
        lanes[3][L3] += revenue[j + 3];
        alive += (L0 == H) + (L1 == H) + (L2 == H) + (L3 == H);
    }
    for (; j < end; j++) {
        int L = lifetime_of(table, thresholds, H, rng_bits53(key, j));
        lanes[0][L] += revenue[j];
        alive += L == H;
    }
    for (int L = 0; L <= H; L++)
        hist[L] = (lanes[0][L] + lanes[1][L]) + (lanes[2][L] + lanes[3][L]);
    /* clients lost by the horizon: those living fewer than H years */
    return (long)(book->cohort_start[c + 1] - book->cohort_start[c]) - alive;
}

/* A cohort's failure, named with its iteration. */
static BvStatus iteration_error(Workspace *w, BvStatus s, long it)
{
    BvError *e = &w->errors.items[w->errors.count - 1];
    char message[BV_ERROR_MESSAGE_MAX];
    snprintf(message, sizeof message,
             "%s (in Monte Carlo iteration %ld: bound the distributions so that every draw keeps "
             "the tail finite)",
             e->message, it + 1);
    snprintf(e->message, sizeof e->message, "%s", message);
    return s;
}

/*
 * Value the book once, and (with a deal) price the deal on it. Mirrors dcf_run's sums exactly
 * when nothing is uncertain and clients do not churn, so the two then agree to the last bit.
 */
/*
 * Cohort c as its seller would keep it in this iteration: the same draws and, with churn, the
 * same uniforms against survival without the sale's own losses, so each client lives at least
 * as long kept as sold. Adds its revenue and cash by year, and its run-off at the keep rate.
 */
static BvStatus keep_cohort(const Sim *sim, long it, size_t c, const DcfCohortInputs *in,
                            Workspace *w, double *tail)
{
    const Book *book = sim->book;
    const KeepSpec *keep = &book->scenario->seller.keep;
    int H = sim->H;
    DcfCohortInputs kept = *in;
    kept.transfer_retention = 1;
    if (keep->has_margin)
        kept.margin = keep->margin;
    double unit_tail;
    BvStatus s = dcf_cohort(book, c, &kept, keep->discount_rate, w->keep_df, w->keep_survival,
                            w->keep_pv, &unit_tail, &w->errors);
    if (s != BV_OK)
        return s;
    const double *S = w->keep_survival;
    double R = book->cohorts[c].annual_revenue;
    if (sim->churn)
        churn_cohort(sim, it, c, S, w->keep_hist);
    else
        for (int L = 0; L <= H; L++)
            w->keep_hist[L] = R * ((L ? S[L - 1] : 1) - (L < H ? S[L] : 0));
    double alive = R, grow = 1;
    for (int t = 1; t <= H; t++) {
        alive -= w->keep_hist[t - 1];
        w->keep_revenue[t - 1] += grow * alive;
        w->keep_cash[t - 1] += kept.margin * grow * alive;
        grow *= 1 + kept.revenue_growth;
    }
    if (S[H - 1] > 0)
        *tail += w->keep_hist[H] * unit_tail / S[H - 1];
    return BV_OK;
}

static BvStatus simulate(const Sim *sim, long it, Workspace *w, McIteration *out)
{
    const Book *book = sim->book;
    const Scenario *sc = book->scenario;
    int H = sim->H;
    bool deal = sc->deal.enabled;
    if (!sampler_draw(sim->sampler, it, w->x, w->scratch))
        return bv_error(&w->errors, BV_ERR_NUMERIC, &sc->monte_carlo.mark, "monte_carlo",
                        "iteration %ld: a distribution's quantile function failed", it + 1);
    double d = drawn(w->x, book->discount_input, &sc->discount_rate);
    double buyer_rate = sc->buyer.has_discount_rate ? sc->buyer.discount_rate : d;
    dcf_discount_factors(d, H, sc->timing, w->df);
    if (deal) {
        dcf_discount_factors(buyer_rate, H, sc->timing, w->buyer_df); /* the run-off */
        memset(w->revenue, 0, (size_t)H * sizeof(double));
        memset(w->cash, 0, (size_t)H * sizeof(double));
        memset(w->lost_share, 0, (size_t)H * sizeof(double));
    }
    bool keep = w->keep_revenue != NULL;
    if (keep) {
        dcf_discount_factors(sc->seller.keep.discount_rate, H, sc->timing, w->keep_df);
        memset(w->keep_revenue, 0, (size_t)H * sizeof(double));
        memset(w->keep_cash, 0, (size_t)H * sizeof(double));
    }
    double horizon_value = 0, tail_value = 0, churned = 0, buyer_tail = 0, keep_tail = 0;
    long lost = 0;
    for (size_t c = 0; c < book->cohort_count; c++) {
        const Cohort *co = &book->cohorts[c];
        DcfCohortInputs in = {
            .margin = drawn(w->x, co->margin_input, &co->margin),
            .revenue_growth = drawn(w->x, co->growth_input, &co->revenue_growth),
            .transfer_retention = drawn(w->x, co->transfer_input, &co->transfer_retention),
            .retention = co->retention.kind == RETENTION_CONSTANT
                             ? drawn(w->x, co->retention_input, &co->retention.constant)
                             : (double)NAN,
        };
        double *S = &w->survival[c * (size_t)H], *pv = &w->pv[c * (size_t)H];
        double tail;
        BvStatus s = dcf_cohort(book, c, &in, d, w->df, S, pv, &tail, &w->errors);
        if (s != BV_OK)
            return iteration_error(w, s, it);
        if (!sim->churn) {
            double unit_pv = 0;
            for (int t = 0; t < H; t++)
                unit_pv += pv[t];
            horizon_value += co->annual_revenue * unit_pv;
            tail_value += co->annual_revenue * tail;
            /* Expected survival: the revenue of clients living exactly L years. */
            for (int L = 0; L <= H; L++)
                w->hist[L] = co->annual_revenue * ((L ? S[L - 1] : 1) - (L < H ? S[L] : 0));
        } else {
            /* Cash of a client alive in year t, per unit of revenue, accumulated over years. */
            double *W = w->cumulative, grow = 1;
            W[0] = 0;
            for (int t = 1; t <= H; t++) {
                W[t] = W[t - 1] + in.margin * grow * w->df[t - 1];
                grow *= 1 + in.revenue_growth;
            }
            if (S[H - 1] > 0)
                W[H] += tail / S[H - 1]; /* expected run-off given alive at H */
            lost += churn_cohort(sim, it, c, S, w->hist);
            double acc = 0;
            for (int L = 0; L <= H; L++)
                acc += w->hist[L] * W[L];
            churned += acc;
        }
        if (!deal)
            continue;
        /* The book as the deal sees it: revenue and cash of the clients still there, the
         * revenue lost each year, and the run-off at the buyer's rate. */
        double alive = co->annual_revenue, grow = 1;
        for (int t = 1; t <= H; t++) {
            alive -= w->hist[t - 1]; /* clients living t-1 years are lost in year t */
            if (book->annual_revenue > 0)
                w->lost_share[t - 1] += w->hist[t - 1] / book->annual_revenue;
            w->revenue[t - 1] += grow * alive;
            w->cash[t - 1] += in.margin * grow * alive;
            grow *= 1 + in.revenue_growth;
        }
        if (sc->tail == TAIL_RUNOFF && S[H - 1] > 0) {
            double unit_tail;
            s = dcf_cohort(book, c, &in, buyer_rate, w->buyer_df, S, w->buyer_pv, &unit_tail,
                           &w->errors);
            if (s != BV_OK)
                return iteration_error(w, s, it);
            buyer_tail += w->hist[H] * unit_tail / S[H - 1];
        }
        if (keep && (s = keep_cohort(sim, it, c, &in, w, &keep_tail)) != BV_OK)
            return iteration_error(w, s, it);
    }
    out->value = (sim->churn ? churned : horizon_value + tail_value) * dcf_value_factor(sc, d);
    out->lost = sim->churn ? (double)lost : (double)NAN;
    if (deal && out->book) {
        memcpy(out->book, w->revenue, (size_t)H * sizeof(double));
        memcpy(out->book + H, w->cash, (size_t)H * sizeof(double));
        memcpy(out->book + 2 * H, w->lost_share, (size_t)H * sizeof(double));
        out->book[3 * H] = buyer_tail;
    }
    if (deal) {
        DealBook book_now = {H, book->annual_revenue, w->revenue, w->cash, w->lost_share,
                             buyer_tail};
        deal_price(sc, &book_now, 1, buyer_rate, &w->flows);
        out->gain = w->flows.gain;
        out->npv = w->flows.npv;
        out->net_pv = w->flows.net_proceeds_pv;
        out->dscr_min = w->flows.loan.dscr_min;
        out->price = w->flows.price;
        out->tax = w->flows.tax_total;
    }
    if (keep) {
        KeepBook kb = {H, w->keep_revenue, w->keep_cash, keep_tail};
        KeepValue kv;
        keep_value(sc, &sc->seller.keep, &kb, &kv);
        out->keep = kv.value;
    }
    return BV_OK;
}

static BvStatus result_alloc(McResult *r, long requested)
{
    size_t n = (size_t)requested;
    r->values = malloc(n * sizeof *r->values);
    r->bin_edges = malloc((MC_HISTOGRAM_BINS + 1) * sizeof *r->bin_edges);
    r->bin_counts = malloc(MC_HISTOGRAM_BINS * sizeof *r->bin_counts);
    r->at = malloc(MC_CONVERGENCE_POINTS * sizeof *r->at);
    r->running_mean = malloc(MC_CONVERGENCE_POINTS * sizeof *r->running_mean);
    r->running_sd = malloc(MC_CONVERGENCE_POINTS * sizeof *r->running_sd);
    return r->values && r->bin_edges && r->bin_counts && r->at && r->running_mean &&
                   r->running_sd
               ? BV_OK
               : BV_ERR_NOMEM;
}

/* Precision reached: z sd / sqrt(n) <= relative |mean|. */
static bool precise_enough(const double *values, long n, const MonteCarloSpec *mc)
{
    double mean = 0, m2 = 0;
    for (long i = 0; i < n; i++) {
        double delta = values[i] - mean;
        mean += delta / (double)(i + 1);
        m2 += delta * (values[i] - mean);
    }
    double sd = n > 1 ? sqrt(m2 / (double)(n - 1)) : (double)INFINITY;
    double z = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 * mc->confidence);
    return z * sd / sqrt((double)n) <= mc->relative * fabs(mean);
}

static void convergence(McResult *r)
{
    long n = r->iterations;
    size_t points = (size_t)(n < MC_CONVERGENCE_POINTS ? n : MC_CONVERGENCE_POINTS);
    double mean = 0, m2 = 0;
    size_t next = 0;
    for (long i = 0; i < n && next < points; i++) {
        double delta = r->values[i] - mean;
        mean += delta / (double)(i + 1);
        m2 += delta * (r->values[i] - mean);
        long at = (long)(((double)(next + 1) * (double)n) / (double)points);
        if (i + 1 == at) {
            r->at[next] = at;
            r->running_mean[next] = mean;
            r->running_sd[next] = i > 0 ? sqrt(m2 / (double)i) : 0;
            next++;
        }
    }
    r->points = next;
}

void mc_shard_part(long begin, long end, int rank, int ranks, long *first, long *last)
{
    /* Contiguous, as even as can be: the first (n mod ranks) processes take one more. */
    long n = end - begin, base = n / ranks, extra = n % ranks;
    *first = begin + rank * base + (rank < extra ? rank : extra);
    *last = *first + base + (rank < extra ? 1 : 0);
}

/* The per-iteration arrays of `r` and their widths (values per iteration), for an exchange
 * among processes. */
static size_t result_arrays(McResult *r, double **arrays, size_t *widths)
{
    size_t n = 0;
    arrays[n] = r->values, widths[n++] = 1;
    arrays[n] = r->clients_lost, widths[n++] = 1;
    if (r->input_count)
        arrays[n] = r->inputs, widths[n++] = r->input_count;
    if (r->has_deal) {
        double *deal[] = {r->seller_gain, r->buyer_npv, r->seller_net_pv, r->keep_value,
                          r->dscr_min,    r->seller_tax, r->price};
        for (size_t i = 0; i < sizeof deal / sizeof deal[0]; i++)
            arrays[n] = deal[i], widths[n++] = 1;
        if (r->deal_books)
            arrays[n] = r->deal_books, widths[n++] = MC_DEAL_BOOK_STRIDE(r);
    }
    return n;
}
#define MC_ARRAYS_MAX 12

/* The threads a parallel region may have, and this thread's number among them. */
static int thread_slots(void)
{
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

static int thread_slot(void)
{
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

static void spaces_free(Workspace **spaces, int slots)
{
    for (int i = 0; spaces && i < slots; i++)
        workspace_free(spaces[i]);
    free(spaces);
}

BvStatus mc_run(const Book *book, long iterations, unsigned long long seed, McProgress progress,
                void *context, const McShards *shards, McResult **out, BvErrors *errors)
{
    *out = NULL;
    const Scenario *sc = book->scenario;
    const MonteCarloSpec *mc = &sc->monte_carlo;
    size_t n_clients = sc->client_count;
    McResult *r = calloc(1, sizeof *r);
    Sim sim = {.book = book, .seed = seed, .H = sc->horizon_years, .churn = mc->client_churn};
    memset(sim.counted, LIFE_CUT, sizeof sim.counted);
    Sampler *sampler = NULL;
    Workspace **spaces = NULL; /* one a thread, kept for the whole run */
    int slots = 0;
    BvStatus status = BV_OK;
    if (!r || result_alloc(r, iterations) != BV_OK)
        goto nomem;
    r->requested = iterations;
    r->has_deal = sc->deal.enabled;
    if (r->has_deal) {
        r->seller_gain = malloc((size_t)iterations * sizeof *r->seller_gain);
        r->buyer_npv = malloc((size_t)iterations * sizeof *r->buyer_npv);
        r->seller_net_pv = malloc((size_t)iterations * sizeof *r->seller_net_pv);
        r->keep_value = malloc((size_t)iterations * sizeof *r->keep_value);
        r->dscr_min = malloc((size_t)iterations * sizeof *r->dscr_min);
        r->seller_tax = malloc((size_t)iterations * sizeof *r->seller_tax);
        if (!r->seller_gain || !r->buyer_npv || !r->seller_net_pv || !r->keep_value ||
            !r->dscr_min || !r->seller_tax)
            goto nomem;
    }
    r->input_count = book->input_count;
    r->inputs = malloc((size_t)iterations * (book->input_count ? book->input_count : 1) *
                       sizeof *r->inputs);
    r->clients_lost = malloc((size_t)iterations * sizeof *r->clients_lost);
    if (!r->inputs || !r->clients_lost)
        goto nomem;
    if (r->has_deal) {
        r->price = malloc((size_t)iterations * sizeof *r->price);
        if (!r->price)
            goto nomem;
        r->deal_horizon = sc->horizon_years;
        bool at_risk = (sc->buyer.enabled && sc->buyer.price_at_risk > 0) ||
                       (sc->seller.enabled && sc->seller.price_at_risk > 0);
        if (at_risk) {
            r->deal_books = malloc((size_t)iterations * MC_DEAL_BOOK_STRIDE(r) *
                                   sizeof *r->deal_books);
            if (!r->deal_books)
                goto nomem;
        }
    }
    r->seed = seed;
    r->client_churn = mc->client_churn;
    r->latin_hypercube = mc->sampling == SAMPLING_LATIN_HYPERCUBE;
    status = sampler_new(book, iterations, seed, &sampler, errors);
    if (status != BV_OK)
        goto fail;
    sim.sampler = sampler;
    sim.revenue = malloc((n_clients ? n_clients : 1) * sizeof *sim.revenue);
    if (!sim.revenue)
        goto nomem;
    for (size_t j = 0; j < n_clients; j++)
        sim.revenue[j] = book_client_revenue(book, book->order[j]); /* inactive: weighted */

    /* Blocks: progress between them, the precision check after whole MC_PRECISION_BLOCKs. */
    long block = iterations / 100 > MC_PRECISION_BLOCK ? MC_PRECISION_BLOCK
                 : iterations / 100 > 0               ? iterations / 100
                                                      : 1;
    while (MC_PRECISION_BLOCK % block)
        block--;
    slots = thread_slots();
    spaces = calloc((size_t)slots, sizeof *spaces);
    if (!spaces)
        goto nomem;
    long done = 0;
    long failed = -1;
    BvError failure = {0};
    double *arrays[MC_ARRAYS_MAX];
    size_t widths[MC_ARRAYS_MAX];
    size_t array_count = 0;
    while (done < iterations && failed < 0) {
        long end = done + block < iterations ? done + block : iterations;
        long first = done, last = end; /* this process's part of the block */
        if (shards)
            mc_shard_part(done, end, shards->rank, shards->ranks, &first, &last);
        bool nomem_seen = false;
#pragma omp parallel
        {
            /* A thread keeps its workspace from block to block (a workspace holds an error
             * list of its own: too large to allocate and clear at every block). */
            int slot = thread_slot();
            Workspace *w = slot < slots ? spaces[slot] : workspace_new(book);
            if (!w && slot < slots)
                w = spaces[slot] = workspace_new(book);
            if (!w) {
#pragma omp atomic write
                nomem_seen = true;
            }
#pragma omp for schedule(dynamic, 1)
            for (long it = first; it < last; it++) {
                double *kept = r->deal_books
                                   ? &r->deal_books[(size_t)it * MC_DEAL_BOOK_STRIDE(r)]
                                   : NULL;
                McIteration one = {.value = (double)NAN, .gain = (double)NAN,
                                   .npv = (double)NAN, .net_pv = (double)NAN,
                                   .keep = (double)NAN, .dscr_min = (double)NAN,
                                   .price = (double)NAN, .tax = (double)NAN,
                                   .lost = (double)NAN, .book = kept};
                if (w && w->failed < 0 && simulate(&sim, it, w, &one) != BV_OK)
                    w->failed = it;
                r->values[it] = one.value;
                r->clients_lost[it] = one.lost;
                if (w)
                    memcpy(&r->inputs[(size_t)it * r->input_count], w->x,
                           r->input_count * sizeof *w->x);
                if (r->has_deal) {
                    r->seller_gain[it] = one.gain;
                    r->buyer_npv[it] = one.npv;
                    r->seller_net_pv[it] = one.net_pv;
                    r->keep_value[it] = one.keep;
                    r->dscr_min[it] = one.dscr_min;
                    r->price[it] = one.price;
                    r->seller_tax[it] = one.tax;
                }
            }
#pragma omp critical
            {
                if (w && w->failed >= 0 && (failed < 0 || w->failed < failed)) {
                    failed = w->failed;
                    failure = w->errors.items[0];
                }
            }
            if (slot >= slots)
                workspace_free(w);
        }
        if (nomem_seen && !shards)
            goto nomem;
        if (shards) {
            /* Every process learns the earliest failure, or receives the others' iterations. */
            if (nomem_seen && (failed < 0 || first < failed)) {
                failed = first;
                failure = (BvError){.status = BV_ERR_NOMEM};
                snprintf(failure.message, sizeof failure.message, "out of memory");
            }
            if (!array_count)
                array_count = result_arrays(r, arrays, widths);
            McExchange x = {arrays, widths, array_count, done, end, failed, &failure};
            if (!shards->exchange(&x, shards->context)) {
                status = bv_error(errors, BV_ERR_IO, NULL, NULL,
                                  "the processes of the run could not exchange their iterations");
                goto fail;
            }
            failed = x.failed;
            if (failed >= 0)
                break;
        }
        done = end;
        if (progress)
            progress(done, iterations, context);
        if (mc->has_precision && done % MC_PRECISION_BLOCK == 0 && done < iterations &&
            precise_enough(r->values, done, mc)) {
            r->stopped_early = true;
            break;
        }
    }
    if (failed >= 0) {
        /* Report the earliest failing iteration: the same whatever the threads. */
        if (errors->count < BV_ERRORS_MAX)
            errors->items[errors->count++] = failure;
        status = failure.status;
        goto fail;
    }
    r->iterations = done;
    if (!stats_summarise(r->values, (size_t)done, &r->stats))
        goto nomem;
    r->bins = r->stats.max > r->stats.min ? MC_HISTOGRAM_BINS : 1;
    stats_histogram(r->values, (size_t)done, r->stats.min, r->stats.max, r->bins, r->bin_edges,
                    r->bin_counts);
    convergence(r);
    if (r->has_deal) {
        long negative = 0;
        for (long i = 0; i < done; i++)
            negative += r->buyer_npv[i] < 0;
        r->prob_npv_negative = sc->buyer.enabled ? (double)negative / (double)done : (double)NAN;
        if ((sc->seller.enabled &&
             (!stats_summarise(r->seller_tax, (size_t)done, &r->tax_stats) ||
              !stats_summarise(r->seller_net_pv, (size_t)done, &r->net_pv_stats))) ||
            (sc->seller.enabled && !stats_summarise(r->seller_gain, (size_t)done, &r->gain_stats)) ||
            (sc->buyer.enabled && !stats_summarise(r->buyer_npv, (size_t)done, &r->npv_stats)))
            goto nomem;
        r->prob_sale_beats_keep = (double)NAN;
        if (sc->seller.enabled && sc->seller.keep.enabled) {
            long beats = 0;
            for (long i = 0; i < done; i++)
                beats += r->seller_net_pv[i] > r->keep_value[i];
            r->prob_sale_beats_keep = (double)beats / (double)done;
            if (!stats_summarise(r->keep_value, (size_t)done, &r->keep_stats))
                goto nomem;
        }
        r->prob_dscr_below_min = (double)NAN;
        if (sc->buyer.enabled && sc->buyer.financing.enabled) {
            /* An iteration without debt service (NaN) cannot fail the lender's test. */
            long below = 0;
            for (long i = 0; i < done; i++)
                below += r->dscr_min[i] < sc->buyer.financing.min_dscr;
            r->prob_dscr_below_min = (double)below / (double)done;
            if (!stats_summarise(r->dscr_min, (size_t)done, &r->dscr_stats))
                goto nomem;
        }
    }
    spaces_free(spaces, slots);
    free(sim.revenue);
    sampler_free(sampler);
    *out = r;
    return BV_OK;
nomem:
    status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
fail:
    spaces_free(spaces, slots);
    free(sim.revenue);
    sampler_free(sampler);
    mc_free(r);
    return status;
}

void mc_free(McResult *r)
{
    if (!r)
        return;
    free(r->values);
    free(r->bin_edges);
    free(r->bin_counts);
    free(r->at);
    free(r->running_mean);
    free(r->running_sd);
    free(r->seller_gain);
    free(r->buyer_npv);
    free(r->seller_net_pv);
    free(r->keep_value);
    free(r->dscr_min);
    free(r->inputs);
    free(r->price);
    free(r->seller_tax);
    free(r->clients_lost);
    free(r->deal_books);
    free(r);
}
