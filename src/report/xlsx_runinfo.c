/*
 * xlsx_runinfo.c — the Run info sheet: what reproduces the workbook (versions, file hash,
 * seed, iterations, threads).
 */
#include "xlsx_layout.h"

#include "csv_dialect.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void xlsx_runinfo_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const RunInfo *in = x->info;
    xlsx_check(&x->c, worksheet_set_column(ws, 0, 0, 26, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 1, 1, 70, NULL));
    xlsx_text(&x->c, ws, 0, 0, "Run info", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "What reproduces this workbook: the same scenario file (same SHA-256) and the same "
             "bookval version give the same bytes.",
             x->f.note);
    char threads[32], clients[32], cohorts[32], seed[32] = "", iterations[64] = "";
    if (x->mc) {
        snprintf(seed, sizeof seed, "%llu", x->mc->seed);
        snprintf(iterations, sizeof iterations, "%ld%s", x->mc->iterations,
                 x->mc->stopped_early ? " (precision reached)" : "");
    }
    snprintf(threads, sizeof threads, "%d", in->threads);
    char csv_dialect[300];
    csv_dialect_describe(&x->sc->clients_csv_dialect, csv_dialect, sizeof csv_dialect);
    snprintf(clients, sizeof clients, "%zu", x->sc->client_count);
    snprintf(cohorts, sizeof cohorts, "%zu", x->book->cohort_count);
    char regime[2300];
    xlsx_transfer_tax_regime(x, regime, sizeof regime);
    const char *rows[][2] = {
        {"bookval version", in->bookval_version},
        {"Scenario file", x->sc->file},
        {"Scenario SHA-256", in->scenario_sha256},
        {"Clients file", x->sc->clients_csv ? x->sc->clients_csv : "(inline)"},
        {"Clients file dialect", x->sc->clients_csv ? csv_dialect : "n/a"},
        {"Clients", clients},
        {"Cohorts", cohorts},
        {"Tax law", regime},
        {"Valuation", x->mc ? "deterministic DCF (means of uncertain inputs) and Monte Carlo"
                            : "deterministic DCF (means of uncertain inputs)"},
        {"Generator", x->mc ? MC_GENERATOR : "n/a (no Monte Carlo in this run)"},
        {"Seed", x->mc ? seed : "n/a"},
        {"Iterations", x->mc ? iterations : "n/a"},
        {"Sampling", x->mc ? (x->mc->latin_hypercube ? "latin_hypercube" : "random") : "n/a"},
        {"Client churn", x->mc ? (x->mc->client_churn ? "true" : "false") : "n/a"},
        {"Threads", threads},
        {"GSL", in->gsl_version},
        {"libxlsxwriter", in->xlsxwriter_version},
        {"libyaml", in->yaml_version},
        {"libcsv", in->csv_version},
        {"nettle (SHA-256)", in->nettle_version},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        xlsx_text(&x->c, ws, 3 + (int)i, 0, rows[i][0], x->f.bold);
        xlsx_text(&x->c, ws, 3 + (int)i, 1, rows[i][1], x->f.text);
    }
}
