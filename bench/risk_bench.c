/*
 * risk_bench.c — what the risk report (issue 18) costs at scale: the Monte Carlo itself (which
 * now keeps every iteration's draws, price, tax and clients lost, and with a price at risk each
 * iteration's book), the drivers, and the price at risk from the stored books.
 *
 *   risk_bench SCENARIO.yaml [--set PATH=VALUE]...
 *
 * Compiled with -DRISK_REPORT against this tree's libbookval, and without it against an older
 * one (bench/risk_bench.sh builds both), so the simulation's timing compares like with like.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "book.h"
#include "montecarlo.h"
#include "scenario.h"
#ifdef RISK_REPORT
#include "deal.h"
#include "drivers.h"
#include "price_at_risk.h"
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: risk_bench SCENARIO.yaml [--set PATH=VALUE]...\n");
        return 2;
    }
    ScenarioSet sets[16];
    size_t n_sets = 0;
    for (int i = 2; i + 1 < argc && n_sets < 16; i += 2)
        if (strcmp(argv[i], "--set") == 0)
            sets[n_sets++].assignment = argv[i + 1];
    BvErrors errors;
    bv_errors_init(&errors);
    ScenarioLoad how = {sets, n_sets, getenv("BOOKVAL_MODELS"), -1, NULL, 0};
    Scenario *sc = NULL;
    Book *book = NULL;
    McResult *mc = NULL;
    if (scenario_load_with(argv[1], &how, &sc, &errors) != BV_OK ||
        book_new(sc, &book, &errors) != BV_OK) {
        fprintf(stderr, "%s\n", errors.count ? errors.items[0].message : "load failed");
        return 1;
    }
    /* The median of REPS runs (default 3): the machine is shared. */
    int reps = getenv("REPS") ? atoi(getenv("REPS")) : 3;
    double times[16];
    reps = reps < 1 ? 1 : reps > 16 ? 16 : reps;
    for (int r = 0; r < reps; r++) {
        mc_free(mc);
        mc = NULL;
        double start = now();
        if (mc_run(book, sc->monte_carlo.iterations, sc->monte_carlo.seed, NULL, NULL, &mc,
                   &errors) != BV_OK) {
            fprintf(stderr, "%s\n", errors.items[0].message);
            return 1;
        }
        times[r] = now() - start;
        for (int i = r; i > 0 && times[i] < times[i - 1]; i--) {
            double t = times[i];
            times[i] = times[i - 1];
            times[i - 1] = t;
        }
    }
    double t0 = 0, t1 = times[reps / 2];
    printf("clients %zu, iterations %ld, inputs %zu\n", sc->client_count, mc->iterations,
           book->input_count);
    printf("monte carlo          %9.3f s   (median of %d)\n", t1 - t0, reps);
#ifdef RISK_REPORT
    Drivers *d = NULL;
    double t2 = now();
    drivers_run(book, mc, &d, &errors);
    double t3 = now();
    printf("drivers              %9.3f s\n", t3 - t2);
    Deal *deal = NULL;
    if (sc->deal.enabled && deal_run(book, &deal, &errors) == BV_OK) {
        PriceAtRisk buyer, seller;
        double t4 = now();
        price_at_risk_run(book, mc, deal->flows.base_price, &buyer, &seller, &errors);
        double t5 = now();
        printf("price at risk        %9.3f s   (buyer %s: factor %.6f, %ld of %ld affine)\n",
               t5 - t4, buyer.asked ? "asked" : "not asked", buyer.factor, buyer.affine,
               mc->iterations);
        price_at_risk_free(&buyer);
        price_at_risk_free(&seller);
        deal_free(deal);
    }
    size_t kept = (size_t)mc->iterations * (mc->input_count + 3) * sizeof(double) +
                  (mc->deal_books ? (size_t)mc->iterations * MC_DEAL_BOOK_STRIDE(mc) *
                                        sizeof(double)
                                  : 0);
    printf("audit trail memory   %9.1f MiB (draws, price, tax, clients lost%s)\n",
           (double)kept / 1048576.0, mc->deal_books ? ", deal books" : "");
    drivers_free(d);
#endif
    mc_free(mc);
    book_free(book);
    scenario_free(sc);
    return 0;
}
