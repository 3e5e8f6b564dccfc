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
#include "rng.h"
#include "sampler.h"

/* Above this horizon a binary search beats counting every threshold. */
#define LINEAR_COUNT_MAX 16

typedef struct Sim {
    const Book *book;
    const Sampler *sampler;
    unsigned long long seed;
    int H;
    bool churn;
    double *revenue;     /* [clients] revenues in cohort order; the position in this order
                            is the client's random stream */
} Sim;

/* One thread's scratch space. */
typedef struct Workspace {
    double *x, *scratch;      /* inputs drawn */
    double *df;               /* [H] */
    double *survival, *pv;    /* [cohorts * H] */
    double *cumulative;       /* [cohorts * (H+1)]: PV of 0..H years of a living client's cash */
    BvErrors errors;          /* the first failure in this thread */
    long failed;              /* its iteration, or -1 */
} Workspace;

static Workspace *workspace_new(const Book *book)
{
    size_t k = book->input_count ? book->input_count : 1;
    size_t h = (size_t)book->scenario->horizon_years, c = book->cohort_count;
    Workspace *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->x = malloc(k * sizeof(double));
    w->scratch = malloc(k * sizeof(double));
    w->df = malloc(h * sizeof(double));
    w->survival = malloc(c * h * sizeof(double));
    w->pv = malloc(c * h * sizeof(double));
    w->cumulative = malloc(c * (h + 1) * sizeof(double));
    w->failed = -1;
    bv_errors_init(&w->errors);
    if (!w->x || !w->scratch || !w->df || !w->survival || !w->pv || !w->cumulative) {
        free(w->x);
        free(w->scratch);
        free(w->df);
        free(w->survival);
        free(w->pv);
        free(w->cumulative);
        free(w);
        return NULL;
    }
    return w;
}

static void workspace_free(Workspace *w)
{
    if (!w)
        return;
    free(w->x);
    free(w->scratch);
    free(w->df);
    free(w->survival);
    free(w->pv);
    free(w->cumulative);
    free(w);
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

/*
 * The clients of cohort c, each alive while its uniform lies below the survival thresholds:
 * sum of revenue x W[years alive]. The uniform is compared as 53-bit integers (u < S(t) exactly
 * when bits < S(t) 2^53, rounded up), and four partial sums break the chain of additions; the
 * order of the sums is fixed, so the result is too.
 */
static double churn_cohort(const Sim *sim, long it, size_t c, const double *S, const double *W)
{
    const Book *book = sim->book;
    int H = sim->H;
    uint64_t thresholds[RETENTION_CURVE_MAX > 100 ? RETENTION_CURVE_MAX : 100];
    for (int t = 0; t < H; t++)
        thresholds[t] = (uint64_t)ceil(S[t] * 0x1.0p53);
    uint64_t key = rng_key(sim->seed, (uint64_t)it, 0);
    size_t j = book->cohort_start[c], end = book->cohort_start[c + 1];
    double acc[4] = {0, 0, 0, 0};
    for (; j + 4 <= end; j += 4)
        for (int lane = 0; lane < 4; lane++) {
            size_t k = j + (size_t)lane;
            acc[lane] += sim->revenue[k] * W[lifetime(thresholds, H, rng_bits53(key, k))];
        }
    for (; j < end; j++)
        acc[0] += sim->revenue[j] * W[lifetime(thresholds, H, rng_bits53(key, j))];
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

/* Value the book once. Mirrors dcf_run's sums exactly when nothing is uncertain and clients
 * do not churn, so the two then agree to the last bit. */
static BvStatus simulate(const Sim *sim, long it, Workspace *w, double *value)
{
    const Book *book = sim->book;
    const Scenario *sc = book->scenario;
    int H = sim->H;
    if (!sampler_draw(sim->sampler, it, w->x, w->scratch))
        return bv_error(&w->errors, BV_ERR_NUMERIC, &sc->monte_carlo.mark, "monte_carlo",
                        "iteration %ld: a distribution's quantile function failed", it + 1);
    double d = drawn(w->x, book->discount_input, &sc->discount_rate);
    dcf_discount_factors(d, H, sc->timing, w->df);
    double horizon_value = 0, tail_value = 0, churned = 0;
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
        if (s != BV_OK) {
            BvError *e = &w->errors.items[w->errors.count - 1];
            char message[BV_ERROR_MESSAGE_MAX];
            snprintf(message, sizeof message,
                     "%s (in Monte Carlo iteration %ld: bound the distributions so that every "
                     "draw keeps the tail finite)",
                     e->message, it + 1);
            snprintf(e->message, sizeof e->message, "%s", message);
            return s;
        }
        if (!sim->churn) {
            double unit_pv = 0;
            for (int t = 0; t < H; t++)
                unit_pv += pv[t];
            horizon_value += co->annual_revenue * unit_pv;
            tail_value += co->annual_revenue * tail;
            continue;
        }
        /* Cash of a client alive in year t, per unit of revenue, accumulated over years. */
        double *W = &w->cumulative[c * (size_t)(H + 1)];
        double grow = 1;
        W[0] = 0;
        for (int t = 1; t <= H; t++) {
            W[t] = W[t - 1] + in.margin * grow * w->df[t - 1];
            grow *= 1 + in.revenue_growth;
        }
        if (S[H - 1] > 0)
            W[H] += tail / S[H - 1]; /* expected run-off given alive at H */
        churned += churn_cohort(sim, it, c, S, W);
    }
    *value = sim->churn ? churned : horizon_value + tail_value;
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

BvStatus mc_run(const Book *book, long iterations, unsigned long long seed, McProgress progress,
                void *context, McResult **out, BvErrors *errors)
{
    *out = NULL;
    const Scenario *sc = book->scenario;
    const MonteCarloSpec *mc = &sc->monte_carlo;
    size_t n_clients = sc->client_count;
    McResult *r = calloc(1, sizeof *r);
    Sim sim = {.book = book, .seed = seed, .H = sc->horizon_years, .churn = mc->client_churn};
    Sampler *sampler = NULL;
    BvStatus status = BV_OK;
    if (!r || result_alloc(r, iterations) != BV_OK)
        goto nomem;
    r->requested = iterations;
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
        sim.revenue[j] = sc->clients[book->order[j]].annual_revenue;

    /* Blocks: progress between them, the precision check after whole MC_PRECISION_BLOCKs. */
    long block = iterations / 100 > MC_PRECISION_BLOCK ? MC_PRECISION_BLOCK
                 : iterations / 100 > 0               ? iterations / 100
                                                      : 1;
    while (MC_PRECISION_BLOCK % block)
        block--;
    long done = 0;
    long failed = -1;
    BvError failure;
    while (done < iterations && failed < 0) {
        long end = done + block < iterations ? done + block : iterations;
        bool nomem_seen = false;
#pragma omp parallel
        {
            Workspace *w = workspace_new(book);
            if (!w) {
#pragma omp atomic write
                nomem_seen = true;
            }
#pragma omp for schedule(dynamic, 1)
            for (long it = done; it < end; it++) {
                if (w && w->failed < 0 && simulate(&sim, it, w, &r->values[it]) != BV_OK)
                    w->failed = it;
            }
#pragma omp critical
            {
                if (w && w->failed >= 0 && (failed < 0 || w->failed < failed)) {
                    failed = w->failed;
                    failure = w->errors.items[0];
                }
            }
            workspace_free(w);
        }
        if (nomem_seen)
            goto nomem;
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
    free(sim.revenue);
    sampler_free(sampler);
    *out = r;
    return BV_OK;
nomem:
    status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
fail:
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
    free(r);
}
