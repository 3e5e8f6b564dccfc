/*
 * fuzz_run.c — a whole run on arbitrary bytes, as main.c's run() makes it: the source loaded
 * once, its scenario built, valuation_run (book, correlations, DCF, Monte Carlo, diagnostics,
 * deal), whatif_run on the same source, then the run information and the workbook.
 *
 * Every step keeps the error contract (fuzz_common.h): its result or errors with a position,
 * never both, never neither; a valuation that succeeds has finite numbers. To keep an
 * execution in the milliseconds the scenario is sized before it is valued: inputs over
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
#include "whatif.h"

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

    /* As main.c's run(): load once, build the scenario, value it, then the what-ifs. */
    ScenarioSource *source = NULL;
    BvStatus status = scenario_source_load(path, NULL, 0, NULL, &source, errors);
    fuzz_check_stage("scenario_source_load", status, source != NULL, errors, 0);
    Scenario *sc = NULL;
    size_t before = error_total(errors);
    if (status == BV_OK) {
        status = scenario_from_source(source, NULL, &sc, errors);
        fuzz_check_stage("scenario_from_source", status, sc != NULL, errors, before);
    }
    long iterations = sc ? run_size(sc) : 0;
    if (iterations == 0) {
        scenario_free(sc);
        scenario_source_free(source);
        return 0;
    }

    ValuationOptions options = {.deal_irr = true, .iterations = iterations,
                                .simulate = VALUATION_MC_AS_SCENARIO};
    Valuation *v = NULL;
    before = error_total(errors);
    status = valuation_run(sc, &options, &v, errors); /* v owns sc */
    fuzz_check_stage("valuation_run", status, v != NULL, errors, before);
    WhatIf *whatif = NULL;
    if (status == BV_OK && (v->scenario->variant_count || v->scenario->tornado_count ||
                            v->scenario->grid.enabled)) {
        WhatIfRun what = {source, iterations, false, 0, false, NULL, NULL, NULL, NULL};
        before = error_total(errors);
        status = whatif_run(&what, v->scenario, &whatif, errors);
        fuzz_check_stage("whatif_run", status, whatif != NULL, errors, before);
    }
    if (status != BV_OK) {
        valuation_free(v);
        scenario_source_free(source);
        return 0;
    }
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
                           .whatif = whatif, .info = &info};
        before = error_total(errors);
        status = report_xlsx_write(workbook_path, &results, errors);
        fuzz_check_stage("report_xlsx_write", status, status == BV_OK, errors, before);
        remove(workbook_path);
    }
    whatif_free(whatif);
    valuation_free(v);
    scenario_source_free(source);
    return 0;
}
