/*
 * fuzz_csv.c — the clients CSV reader on arbitrary bytes, through the loader: a fixed small
 * scenario names clients.csv, the input.
 *
 * Contract as for fuzz_scenario: a validated scenario or an error with a position (the CSV's
 * line and column, or the whole CSV), never both, never neither; nothing leaks. The scenario
 * has segments so the segment column can name one (or not).
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "scenario.h"

static const char scenario_yaml[] =
    "name: CSV fuzz book\n"
    "currency: EUR\n"
    "discount_rate: 0.0875\n"
    "margin: 0.31\n"
    "retention: 0.9\n"
    "segments:\n"
    "  personal: {retention: 0.85, margin: 0.40}\n"
    "  commercial: {retention: {curve: [0.78, 0.86, 0.9]}}\n"
    "  A: {revenue_growth: 0.0375}\n"
    "clients_csv: clients.csv\n";

static const char *scenario_path;
static char scenario_copy[1024];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    scenario_path = fuzz_write("scenario.yaml", (const uint8_t *)scenario_yaml,
                               strlen(scenario_yaml));
    /* fuzz_path's buffer is reused: keep a copy. */
    strncpy(scenario_copy, scenario_path, sizeof scenario_copy - 1);
    scenario_path = scenario_copy;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write("clients.csv", data, size);
    BvErrors *errors = fuzz_errors();
    bv_errors_init(errors);
    Scenario *sc = (Scenario *)(uintptr_t)1;
    BvStatus status = scenario_load(scenario_path, NULL, 0, NULL, &sc, errors);
    if (sc == (Scenario *)(uintptr_t)1)
        fuzz_fail("scenario_load left *out unset");
    fuzz_check_stage("scenario_load (CSV)", status, sc != NULL, errors, 0);
    if (sc) {
        if (sc->client_count == 0)
            fuzz_fail("scenario_load accepted a CSV with no clients");
        size_t n = 0;
        for (size_t i = 0; i < sc->client_count; i++) {
            const Client *c = &sc->clients[i];
            if (!c->id || !c->name)
                fuzz_fail("client %zu has a NULL id or name", i);
            if (c->segment < -1 || c->segment >= (int)sc->segment_count)
                fuzz_fail("client %zu has segment index %d of %zu", i, c->segment,
                          sc->segment_count);
            if (!(c->annual_revenue >= 0) || !(c->tenure_years >= 0) || !(c->receivable >= 0))
                fuzz_fail("client %zu has an out-of-range number", i);
            n += strlen(c->id) + strlen(c->name);
        }
        (void)n;
    }
    scenario_free(sc);
    return 0;
}
