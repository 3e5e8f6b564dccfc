/*
 * fuzz_run.c — a whole run on arbitrary bytes, as main.c's run() makes it: valuation_run
 * (load, book, correlations, DCF, Monte Carlo, diagnostics, deal, what-if runs), then the run
 * information and the workbook.
 *
 * Every step keeps the error contract (fuzz_common.h): its result or errors with a position,
 * never both, never neither; a valuation that succeeds has finite numbers. To keep an
 * execution in the milliseconds the scenario is loaded once first to size the run: inputs over
 * 64 KiB, books of more than 200 clients and scenarios with more than a few what-if runs are
 * skipped, and the Monte Carlo gets min(the scenario's iterations, 50). The workbook goes to
 * the scratch directory and is removed; its contents are the workbook tests' business.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "report_xlsx.h"
#include "results.h"
#include "runinfo.h"
#include "scenario.h"
#include "valuation.h"

#define RUN_MAX_BYTES 65536
#define RUN_MAX_CLIENTS 200
#define RUN_MAX_ITERATIONS 50
#define RUN_MAX_VARIANTS 4 /* each variant is a whole valuation again */
#define RUN_MAX_TORNADO 4
#define RUN_MAX_GRID 25    /* DCF runs in the two-way table */

static const char companion_csv[] =
    "id,name,segment,annual_revenue,tenure_years,active,receivable,receivable_age_days\n"
    "K01,\"Alvarez, Ruiz y Asociados\",,2385.17,4,true,312.55,47\n"
    "K02,Oakridge Dental,,1193.4,0,false,0,0\n";

static char workbook_path[1024];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    fuzz_write("clients.csv", (const uint8_t *)companion_csv, strlen(companion_csv));
    snprintf(workbook_path, sizeof workbook_path, "%s", fuzz_path("out.xlsx"));
    return 0;
}

static size_t error_total(const BvErrors *errors)
{
    return errors->count + errors->dropped;
}

static void check_finite(const char *what, double x)
{
    if (!isfinite(x))
        fuzz_fail("valuation_run succeeded with a non-finite %s (%g)", what, x);
}

/* The Monte Carlo size for this run, or 0 to skip the input as too big for a fuzz run. */
static long run_size(const Scenario *sc)
{
    if (sc->client_count > RUN_MAX_CLIENTS || sc->variant_count > RUN_MAX_VARIANTS ||
        sc->tornado_count > RUN_MAX_TORNADO ||
        (sc->grid.enabled && sc->grid.row_count * sc->grid.col_count > RUN_MAX_GRID))
        return 0;
    return sc->monte_carlo.iterations < RUN_MAX_ITERATIONS ? sc->monte_carlo.iterations
                                                            : RUN_MAX_ITERATIONS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > RUN_MAX_BYTES)
        return 0;
    char path[1024];
    snprintf(path, sizeof path, "%s", fuzz_write("scenario.yaml", data, size));
    BvErrors *errors = fuzz_errors();
    bv_errors_init(errors);

    Scenario *sc = NULL;
    BvStatus status = scenario_load(path, NULL, 0, NULL, &sc, errors);
    fuzz_check_stage("scenario_load", status, sc != NULL, errors, 0);
    long iterations = sc ? run_size(sc) : 0;
    scenario_free(sc);
    if (iterations == 0)
        return 0;

    ScenarioLoad how = {.sets = NULL, .set_count = 0, .models_dir = NULL, .variant = -1,
                        .overrides = NULL, .override_count = 0};
    ValuationOptions options = {.deal_irr = true, .iterations = iterations,
                                .simulate = VALUATION_MC_AS_SCENARIO,
                                .what_if = true};
    Valuation *v = NULL;
    size_t before = error_total(errors);
    status = valuation_run(path, &how, &options, &v, errors);
    fuzz_check_stage("valuation_run", status, v != NULL, errors, before);
    if (status != BV_OK)
        return 0;
    check_finite("DCF value", v->dcf->value);
    if (v->scenario->monte_carlo.enabled != (v->mc != NULL))
        fuzz_fail("valuation_run: monte_carlo %s but %s Monte Carlo result",
                  v->scenario->monte_carlo.enabled ? "asked for" : "not asked for",
                  v->mc ? "a" : "no");
    if (v->mc) {
        if (v->mc->iterations < 1 || v->mc->iterations > iterations)
            fuzz_fail("mc_run ran %ld iterations of at most %ld", v->mc->iterations,
                      iterations);
        check_finite("Monte Carlo mean", v->mc->stats.mean);
    }
    if (v->scenario->deal.enabled != (v->deal != NULL))
        fuzz_fail("valuation_run: a deal %s but %s deal result",
                  v->scenario->deal.enabled ? "asked for" : "not asked for",
                  v->deal ? "a" : "no");
    if (v->deal)
        check_finite("deal price", v->deal->flows.price);

    RunInfo info;
    before = error_total(errors);
    status = runinfo_collect(v->scenario, &info, errors);
    fuzz_check_stage("runinfo_collect", status, status == BV_OK, errors, before);
    if (status == BV_OK) {
        Results results = {.scenario = v->scenario, .book = v->book, .dcf = v->dcf,
                           .mc = v->mc, .diag = v->diagnostics, .deal = v->deal,
                           .whatif = v->whatif, .info = &info};
        before = error_total(errors);
        status = report_xlsx_write(workbook_path, &results, errors);
        fuzz_check_stage("report_xlsx_write", status, status == BV_OK, errors, before);
        remove(workbook_path);
    }
    valuation_free(v);
    return 0;
}
