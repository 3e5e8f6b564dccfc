/*
 * xlsx_runinfo.c — the Run info sheet: what reproduces the workbook (versions, every input
 * file's hash, the options that change results, seed, iterations).
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
    xlsx_check(&x->c, worksheet_set_column(ws, 2, 2, 68, NULL));
    xlsx_check(&x->c, worksheet_set_column(ws, 3, 3, 14, NULL));
    xlsx_text(&x->c, ws, 0, 0, "Run info", x->f.title);
    xlsx_text(&x->c, ws, 1, 0,
             "What reproduces this workbook: the same input files (each below, with its SHA-256), "
             "the same options and the same bookval version give the same bytes, for any number "
             "of threads.",
             x->f.note);
    char clients[32], cohorts[32], seed[32] = "", iterations[64] = "";
    if (x->mc) {
        snprintf(seed, sizeof seed, "%llu", x->mc->seed);
        snprintf(iterations, sizeof iterations, "%ld%s", x->mc->iterations,
                 x->mc->stopped_early ? " (precision reached)" : "");
    }
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
        {"GSL", in->gsl_version},
        {"libxlsxwriter", in->xlsxwriter_version},
        {"libyaml", in->yaml_version},
        {"libcsv", in->csv_version},
        {"nettle (SHA-256)", in->nettle_version},
    };
    int r = 3;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, r++) {
        xlsx_text(&x->c, ws, r, 0, rows[i][0], x->f.bold);
        xlsx_text(&x->c, ws, r, 1, rows[i][1], x->f.text);
    }

    /* Every input file, in the order read. */
    r++;
    xlsx_text(&x->c, ws, r, 0, "Input files read", x->f.header);
    xlsx_text(&x->c, ws, r, 1, "Path (as given)", x->f.header);
    xlsx_text(&x->c, ws, r, 2, "SHA-256", x->f.header);
    xlsx_text(&x->c, ws, r++, 3, "Bytes", x->f.header);
    const InputFiles *files = in->inputs;
    for (size_t i = 0; files && i < files->count; i++, r++) {
        const InputFile *f = &files->items[i];
        xlsx_text(&x->c, ws, r, 0, f->role, x->f.text);
        xlsx_text(&x->c, ws, r, 1, f->path, x->f.text);
        xlsx_text(&x->c, ws, r, 2, f->sha256, x->f.text);
        xlsx_number(&x->c, ws, r, 3, (double)f->size, x->f.integer);
    }
    if (files && files->dropped) {
        char more[80];
        snprintf(more, sizeof more, "%zu more files read, not listed", files->dropped);
        xlsx_text(&x->c, ws, r++, 0, more, x->f.note);
    }

    /* Every option that changes results, in the order given. */
    r++;
    xlsx_text(&x->c, ws, r, 0, "Options that change results", x->f.header);
    xlsx_text(&x->c, ws, r++, 1, "Value (as given on the command line)", x->f.header);
    bool any = false;
    for (size_t i = 0; i < in->set_count; i++, r++) {
        xlsx_text(&x->c, ws, r, 0, "--set", x->f.text);
        xlsx_text(&x->c, ws, r, 1, in->sets[i].assignment, x->f.text);
        any = true;
    }
    if (in->iterations) {
        char n[32];
        snprintf(n, sizeof n, "%ld", in->iterations);
        xlsx_text(&x->c, ws, r, 0, "--iterations", x->f.text);
        xlsx_text(&x->c, ws, r++, 1, n, x->f.text);
        any = true;
    }
    if (in->has_seed) {
        char s[32];
        snprintf(s, sizeof s, "%llu", in->seed);
        xlsx_text(&x->c, ws, r, 0, "--seed", x->f.text);
        xlsx_text(&x->c, ws, r++, 1, s, x->f.text);
        any = true;
    }
    if (!any)
        xlsx_text(&x->c, ws, r++, 0, "none: the scenario as written", x->f.note);
}
