/*
 * fuzz_scenario.c — the scenario loader on arbitrary bytes: YAML parsing, `extends:`
 * resolution (models/ is copied beside the input), schema validation and inline clients.
 *
 * Contract: a validated scenario or an error with a position, never both, never neither;
 * nothing leaks (ASan's leak check at exit). The input is scenario.yaml in the scratch
 * directory, with a small valid clients.csv beside it for `clients_csv: clients.csv`.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "scenario.h"

static const char companion_csv[] =
    "id,name,segment,annual_revenue,tenure_years,active,receivable,receivable_age_days\n"
    "K01,\"Alvarez, Ruiz y Asociados\",,2385.17,4,true,312.55,47\n"
    "K02,Oakridge Dental,,1193.4,0,false,0,0\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    fuzz_write("clients.csv", (const uint8_t *)companion_csv, strlen(companion_csv));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_write("scenario.yaml", data, size);
    BvErrors *errors = fuzz_errors();
    bv_errors_init(errors);
    Scenario *sc = (Scenario *)(uintptr_t)1; /* scenario_load must set it either way */
    BvStatus status = scenario_load(path, NULL, 0, NULL, &sc, errors);
    if (sc == (Scenario *)(uintptr_t)1)
        fuzz_fail("scenario_load left *out unset");
    fuzz_check_stage("scenario_load", status, sc != NULL, errors, 0);
    if (sc) {
        if (sc->client_count == 0)
            fuzz_fail("scenario_load accepted a book with no clients");
        /* Touch what a caller reads, so a dangling pointer shows under ASan. */
        size_t n = strlen(sc->name) + strlen(sc->file) + strlen(sc->currency);
        for (size_t i = 0; i < sc->client_count; i++)
            n += strlen(sc->clients[i].id) + strlen(sc->clients[i].name);
        (void)n;
    }
    scenario_free(sc);
    return 0;
}
