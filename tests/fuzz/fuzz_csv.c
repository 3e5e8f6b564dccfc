/*
 * fuzz_csv.c — the clients CSV reader on arbitrary bytes, through the loader: a fixed small
 * scenario names clients.csv, the input.
 *
 * Contract as for fuzz_scenario: a validated scenario or an error with a position (the CSV's
 * line and column, or the whole CSV), never both, never neither; nothing leaks. The scenario
 * has segments so the segment column can name one (or not).
 *
 * An input starting with byte 0x01 (no CSV does) gives a dialect (clients_csv as a mapping)
 * chosen by its next two bytes: delimiter (auto, ',', ';', tab), decimal and thousands marks
 * (equal ones included: an error), encoding, skip_rows 0-3, and whether columns and values
 * map Spanish headers and cells; the rest is the file. Any other input is the file itself,
 * named by the plain `clients_csv: clients.csv`.
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
    "  A: {revenue_growth: 0.0375}\n";

static char scenario_copy[1024];

/* The scenario for a dialect chosen by two bytes. */
static size_t write_scenario(const uint8_t *data, size_t size)
{
    char yaml[2048];
    size_t used = (size_t)snprintf(yaml, sizeof yaml, "%s", scenario_yaml);
    if (size < 3 || data[0] != 0x01) {
        snprintf(yaml + used, sizeof yaml - used, "clients_csv: clients.csv\n");
        fuzz_write("scenario.yaml", (const uint8_t *)yaml, strlen(yaml));
        return 0;
    }
    static const char *const delimiters[] = {"auto", "\",\"", "\";\"", "\"\\t\""};
    static const char *const decimals[] = {"\".\"", "\",\""};
    static const char *const thousands[] = {"\"\"", "\".\"", "\",\"", "\" \""};
    static const char *const encodings[] = {"utf-8", "windows-1252", "iso-8859-1", "utf-16"};
    unsigned a = data[1], b = data[2];
    used += (size_t)snprintf(yaml + used, sizeof yaml - used,
                             "clients_csv:\n  path: clients.csv\n  delimiter: %s\n"
                             "  decimal: %s\n  thousands: %s\n  encoding: %s\n"
                             "  skip_rows: %u\n",
                             delimiters[a & 3], decimals[(a >> 2) & 1], thousands[(a >> 3) & 3],
                             encodings[(a >> 5) & 3], b & 3);
    if (b & 4)
        used += (size_t)snprintf(yaml + used, sizeof yaml - used,
                                 "  columns: {id: \"NIF\", name: \"Cliente\", "
                                 "annual_revenue: \"Honorarios 2025\", "
                                 "tenure_years: \"Antigüedad\", active: \"Activo\", "
                                 "segment: \"Tipo\"}\n");
    if (b & 8)
        snprintf(yaml + used, sizeof yaml - used,
                 "  values: {active: {\"Sí\": true, \"No\": false}, "
                 "segment: {\"Sociedad\": commercial, \"Autónomo\": personal}}\n");
    fuzz_write("scenario.yaml", (const uint8_t *)yaml, strlen(yaml));
    return 3;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_setup();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t skip = write_scenario(data, size);
    /* fuzz_path's buffer is reused: keep a copy. */
    strncpy(scenario_copy, fuzz_path("scenario.yaml"), sizeof scenario_copy - 1);
    fuzz_write("clients.csv", data + skip, size - skip);
    const char *scenario_path = scenario_copy;
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
