/*
 * main.c — the bookval command line (DESIGN §3).
 *
 * The only place that prints errors or chooses an exit code: 0 success, 1 the run failed
 * (I/O, numerical failure), 2 usage or invalid input. Outputs are written to temporary files
 * and renamed only once everything has succeeded.
 */
#include <errno.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cli.h"
#include "cli_fit.h"
#include "error.h"
#include "outfile.h"
#include "report_json.h"
#include "report_xlsx.h"
#include "runinfo.h"
#include "schema.h"
#include "valuation.h"
#include "whatif.h"

#define MAX_SETS 256

static const char usage_text[] =
    "usage:\n"
    "  bookval run SCENARIO.yaml [-o OUT.xlsx] [--json OUT.json] [--iterations N] [--seed S]\n"
    "              [--threads T] [--set PATH=VALUE]... [--quiet]\n"
    "  bookval validate SCENARIO.yaml...     check only; every error, not just the first\n"
    "  bookval fit HISTORY.yaml [--json OUT.json] [-o OUT.xlsx]\n"
    "                                        fit a retention model to cohort history\n"
    "  bookval batch SCENARIO.yaml... -d OUTDIR [--compare OUT.xlsx] [run options]\n"
    "                                        one workbook and JSON per scenario\n"
    "  bookval help scenario                 the scenario reference (every key, its range)\n"
    "  bookval --version | --help\n"
    "\n"
    "Exit status: 0 success, 1 the run failed (I/O, numerical failure), 2 usage or invalid "
    "input.\n";



static const char *models_dir(void)
{
    const char *env = getenv("BOOKVAL_MODELS");
    return env && *env ? env : BOOKVAL_MODELS_DIR;
}

/* "<basename without .yaml>.xlsx" in the current directory. */
static char *default_output(const char *scenario)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    size_t len = strlen(base);
    const char *exts[] = {".yaml", ".yml"};
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(exts[i]);
        if (len > n && strcmp(base + len - n, exts[i]) == 0) {
            len -= n;
            break;
        }
    }
    char *out = malloc(len + 6);
    if (out)
        snprintf(out, len + 6, "%.*s.xlsx", (int)len, base);
    return out;
}

typedef struct RunOptions {
    const char *scenario;
    const char *output;
    const char *json;
    int threads;
    long iterations;          /* 0: the scenario's */
    bool has_seed;
    unsigned long long seed;
    bool quiet;
    ScenarioSet sets[MAX_SETS];
    size_t set_count;
} RunOptions;

static int parse_run_options(int argc, char **argv, RunOptions *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--json") == 0 ||
            strcmp(a, "--set") == 0 || strcmp(a, "--threads") == 0 ||
            strcmp(a, "--iterations") == 0 || strcmp(a, "--seed") == 0) {
            if (!value)
                return cli_usage_error(usage_text, "%s needs a value", a);
            i++;
            if (strcmp(a, "--json") == 0) {
                o->json = value;
            } else if (strcmp(a, "--set") == 0) {
                if (o->set_count == MAX_SETS)
                    return cli_usage_error(usage_text, "more than %s --set options", "256");
                o->sets[o->set_count++].assignment = value;
            } else if (strcmp(a, "--threads") == 0) {
                char *end;
                long t = strtol(value, &end, 10);
                if (*end || t < 1 || t > 1024)
                    return cli_usage_error(usage_text, "--threads takes an integer from 1 to 1024, got '%s'",
                                       value);
                o->threads = (int)t;
            } else if (strcmp(a, "--iterations") == 0) {
                char *end;
                long n = strtol(value, &end, 10);
                if (*end || n < 1 || n > 10000000)
                    return cli_usage_error(usage_text, "--iterations takes an integer from 1 to 10000000, "
                                       "got '%s'",
                                       value);
                o->iterations = n;
            } else if (strcmp(a, "--seed") == 0) {
                char *end;
                errno = 0;
                unsigned long long seed = strtoull(value, &end, 10);
                if (*end || errno || value[0] == '-' || seed > (1ULL << 53))
                    return cli_usage_error(usage_text, "--seed takes an integer from 0 to 2^53, got '%s'", value);
                o->seed = seed;
                o->has_seed = true;
            } else {
                o->output = value;
            }
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o->quiet = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(usage_text, "unknown option '%s'", a);
        } else if (o->scenario) {
            return cli_usage_error(usage_text, "run takes one scenario; '%s' is a second one", a);
        } else {
            o->scenario = a;
        }
    }
    if (!o->scenario)
        return cli_usage_error(usage_text, "%s", "run needs a scenario file");
    return 0;
}

/* Notes are not errors: things the user may want to know (columns a mapping ignored). */
static void print_notes(const Scenario *sc)
{
    for (size_t i = 0; i < sc->note_count; i++)
        fprintf(stderr, "%s\n", sc->notes[i]);
}

/* A progress bar on stderr: done/total, rate and time left. */
typedef struct Progress {
    struct timespec start;
    bool shown;
} Progress;

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

static void show_progress(long done, long total, void *context)
{
    Progress *p = context;
    double elapsed = seconds_since(&p->start);
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double left = rate > 0 ? (double)(total - done) / rate : 0;
    int width = 30, filled = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\rMonte Carlo [%.*s%*s] %ld/%ld  %.0f it/s  %d:%02d left ", filled,
            "##############################", width - filled, "", done, total, rate,
            (int)left / 60, (int)left % 60);
    p->shown = true;
}

/* Load, value and (when `o` asks) write the outputs. */
static BvStatus run(const RunOptions *o, CompareRow *row, BvErrors *errors)
{
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    ScenarioSource *source = NULL;
    Scenario *base = NULL;
    Valuation *v = NULL;
    WhatIf *whatif = NULL;
    OutFile *xlsx = NULL, *json = NULL;
    char *default_path = NULL;
    RunInfo info;
    Progress progress = {.shown = false};
    clock_gettime(CLOCK_MONOTONIC, &progress.start);
    bool bar = !o->quiet && isatty(STDERR_FILENO);
    ValuationOptions options = {
        .iterations = o->iterations, .has_seed = o->has_seed, .seed = o->seed,
        .simulate = o->iterations || o->has_seed ? VALUATION_MC_ALWAYS : VALUATION_MC_AS_SCENARIO,
        .progress = bar ? show_progress : NULL, .progress_context = &progress};
    /* Load once, value, then the what-ifs as patches on the loaded source (DESIGN §2). */
    BvStatus status = scenario_source_load(o->scenario, o->sets, o->set_count, models_dir(),
                                           &source, errors);
    if (status == BV_OK)
        status = scenario_from_source(source, NULL, &base, errors);
    if (status == BV_OK) {
        status = valuation_run(base, &options, &v, errors); /* v owns base */
        base = NULL;
    }
    const Scenario *loaded = v ? v->scenario : NULL;
    if (status == BV_OK &&
        (loaded->variant_count || loaded->tornado_count || loaded->grid.enabled)) {
        WhatIfRun what = {source, o->iterations, o->has_seed, o->seed,
                          options.simulate == VALUATION_MC_ALWAYS};
        status = whatif_run(&what, loaded, &whatif, errors);
    }
    if (progress.shown)
        fputc('\n', stderr);
    if (status == BV_OK)
        status = runinfo_collect(o->scenario, &info, errors);
    if (status != BV_OK)
        goto done;
    const Scenario *sc = v->scenario;
    if (!o->quiet)
        print_notes(sc);
    const Dcf *dcf = v->dcf;
    const McResult *mc = v->mc;
    const Deal *deal = v->deal;
    Results results = {sc, v->book, dcf, mc, v->diagnostics, deal, whatif, &info};
#ifdef _OPENMP
    if (o->threads)
        info.threads = o->threads;
#endif
    const char *xlsx_path = o->output;
    if (!xlsx_path) {
        xlsx_path = default_path = default_output(o->scenario);
        if (!default_path) {
            status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            goto done;
        }
    }
    status = outfile_open(xlsx_path, &xlsx, errors);
    if (status == BV_OK && o->json)
        status = outfile_open(o->json, &json, errors);
    if (status == BV_OK)
        status = report_xlsx_write(outfile_temp_path(xlsx), &results, errors);
    if (status == BV_OK && json && !report_json_write(outfile_stream(json), &results))
        status = bv_error(errors, BV_ERR_IO, &(Mark){o->json, 0, 0}, NULL, "write failed");
    if (status != BV_OK) {
        /* Errors from the temporary file name the file the user asked for. */
        for (size_t i = 0; i < errors->count; i++)
            if (xlsx && strcmp(errors->items[i].file, outfile_temp_path(xlsx)) == 0)
                snprintf(errors->items[i].file, sizeof errors->items[i].file, "%s", xlsx_path);
        goto done;
    }
    OutFile *outputs[] = {xlsx, json};
    xlsx = json = NULL;
    status = outfile_commit_all(outputs, 2, errors);
    if (status == BV_OK) {
        clock_gettime(CLOCK_MONOTONIC, &end);
        double seconds = (double)(end.tv_sec - start.tv_sec) +
                         1e-9 * (double)(end.tv_nsec - start.tv_nsec);
        printf("%s: DCF value %.2f %s (%.2fx annual revenue of %.2f %s, %zu clients)\n",
               sc->name, dcf->value, sc->currency, dcf->value_to_revenue, dcf->annual_revenue,
               sc->currency, sc->client_count);
        if (mc)
            printf("Monte Carlo (%ld iterations): mean %.2f, 5th-95th percentile %.2f to %.2f "
                   "%s\n",
                   mc->iterations, mc->stats.mean, mc->stats.percentile[STATS_P5],
                   mc->stats.percentile[STATS_P95], sc->currency);
        if (deal) {
            const DealFlows *f = &deal->flows;
            printf("Deal: base price %.2f, expected price %.2f %s", f->base_price, f->price,
                   sc->currency);
            if (deal->has_seller)
                printf("; seller's walk-away %.2f", deal->min_price);
            if (deal->has_buyer)
                printf("; buyer's NPV %.2f, walk-away %.2f", f->npv, deal->max_price);
            printf("\n");
        }
        printf("wrote %s%s%s\n", xlsx_path, o->json ? " and " : "", o->json ? o->json : "");
        if (row) {
            snprintf(row->name, sizeof row->name, "%s", sc->name);
            memcpy(row->currency, sc->currency, sizeof row->currency);
            row->annual_revenue = dcf->annual_revenue;
            row->dcf_value = dcf->value;
            if (mc) {
                row->mc_mean = mc->stats.mean;
                row->mc_p5 = mc->stats.percentile[STATS_P5];
                row->mc_p95 = mc->stats.percentile[STATS_P95];
            }
            if (deal) {
                row->price = deal->flows.price;
                row->buyer_npv = deal->flows.npv;
            }
        }
        if (!o->quiet)
            fprintf(stderr, "bookval: run took %.3f s\n", seconds);
    }
done:
    outfile_abort(xlsx);
    outfile_abort(json);
    free(default_path);
    whatif_free(whatif);
    valuation_free(v);
    scenario_source_free(source);
    return status;
}

static int cmd_run(int argc, char **argv)
{
    RunOptions *o = malloc(sizeof *o);
    if (!o) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    int rc = parse_run_options(argc, argv, o);
    if (rc == 0) {
#ifdef _OPENMP
        if (o->threads)
            omp_set_num_threads(o->threads);
#endif
        BvErrors *errors = malloc(sizeof *errors);
        if (!errors) {
            fprintf(stderr, "error: out of memory\n");
            free(o);
            return 1;
        }
        bv_errors_init(errors);
        BvStatus status = run(o, NULL, errors);
        cli_print_errors(errors);
        rc = bv_status_exit_code(status);
        free(errors);
    }
    free(o);
    return rc;
}

/* Make `dir` if it is missing (one level). */
static bool ensure_directory(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) == 0)
        return S_ISDIR(st.st_mode);
    return mkdir(dir, 0755) == 0;
}

/* bookval batch A.yaml B.yaml ... -d OUTDIR [--compare FILE.xlsx] [run options]: each scenario
 * run on its own (a failure reported, the others still run); exit non-zero when any failed. */
static int cmd_batch(int argc, char **argv)
{
    const char *outdir = NULL, *compare = NULL;
    const char **scenarios = calloc((size_t)argc + 1, sizeof *scenarios);
    char **common = calloc((size_t)argc + 5, sizeof *common);
    CompareRow *rows = calloc((size_t)argc + 1, sizeof *rows);
    BvErrors *errors = malloc(sizeof *errors);
    RunOptions *o = malloc(sizeof *o);
    int n_scenarios = 0, n_common = 0, rc = 0;
    if (!scenarios || !common || !rows || !errors || !o) {
        fprintf(stderr, "error: out of memory\n");
        rc = 1;
        goto done;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = strcmp(a, "--set") == 0 || strcmp(a, "--iterations") == 0 ||
                         strcmp(a, "--seed") == 0 || strcmp(a, "--threads") == 0;
        if (strcmp(a, "-d") == 0 || strcmp(a, "--compare") == 0) {
            if (i + 1 == argc) {
                rc = cli_usage_error(usage_text, "%s needs a value", a);
                goto done;
            }
            *(strcmp(a, "-d") == 0 ? &outdir : &compare) = argv[++i];
        } else if (has_value || strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            common[n_common++] = argv[i];
            if (has_value && i + 1 < argc)
                common[n_common++] = argv[++i];
        } else if (a[0] == '-') {
            rc = cli_usage_error(usage_text, "batch takes no option '%s' (-o and --json are per scenario: "
                             "OUTDIR/NAME.xlsx and .json)",
                             a);
            goto done;
        } else {
            scenarios[n_scenarios++] = a;
        }
    }
    if (!outdir || n_scenarios == 0) {
        rc = cli_usage_error(usage_text, "%s", "batch needs scenarios and -d OUTDIR");
        goto done;
    }
    if (!ensure_directory(outdir)) {
        fprintf(stderr, "%s: error: cannot use as the output directory: %s\n", outdir,
                strerror(errno));
        rc = 1;
        goto done;
    }
    for (int k = 0; k < n_scenarios; k++) {
        char *base = default_output(scenarios[k]); /* NAME.xlsx */
        size_t n = strlen(outdir) + (base ? strlen(base) : 0) + 8;
        char *xlsx = malloc(n), *json = malloc(n);
        CompareRow *row = &rows[k];
        *row = (CompareRow){.file = scenarios[k], .annual_revenue = (double)NAN,
                            .dcf_value = (double)NAN, .mc_mean = (double)NAN,
                            .mc_p5 = (double)NAN, .mc_p95 = (double)NAN, .price = (double)NAN,
                            .buyer_npv = (double)NAN};
        int code = 1;
        if (base && xlsx && json) {
            snprintf(xlsx, n, "%s/%s", outdir, base);
            snprintf(json, n, "%s/%.*s.json", outdir, (int)(strlen(base) - 5), base);
            char *args[8 + 512];
            int m = 0;
            args[m++] = (char *)scenarios[k];
            for (int i = 0; i < n_common && m < 500; i++)
                args[m++] = common[i];
            args[m++] = "-o";
            args[m++] = xlsx;
            args[m++] = "--json";
            args[m++] = json;
            code = parse_run_options(m, args, o);
            if (code == 0) {
                bv_errors_init(errors);
                BvStatus status = run(o, row, errors);
                bv_errors_sort(errors);
                cli_print_errors(errors);
                code = bv_status_exit_code(status);
                row->ok = status == BV_OK;
                if (row->ok)
                    snprintf(row->status, sizeof row->status, "ok");
                else if (errors->count)
                    bv_error_format(&errors->items[0], row->status, sizeof row->status);
            }
        }
        if (!row->ok && !row->status[0])
            snprintf(row->status, sizeof row->status, "failed");
        if (!row->ok)
            snprintf(row->name, sizeof row->name, "%s", scenarios[k]);
        if (code > rc)
            rc = code;
        free(base);
        free(xlsx);
        free(json);
    }
    if (compare) {
        OutFile *f = NULL;
        bv_errors_init(errors);
        BvStatus status = outfile_open(compare, &f, errors);
        if (status == BV_OK)
            status = report_xlsx_compare(outfile_temp_path(f), rows, (size_t)n_scenarios, errors);
        if (status == BV_OK) {
            status = outfile_commit(f, errors);
            f = NULL;
        }
        outfile_abort(f);
        cli_print_errors(errors);
        if (status == BV_OK)
            printf("wrote %s\n", compare);
        else if (bv_status_exit_code(status) > rc)
            rc = bv_status_exit_code(status);
    }
    int failed = 0;
    for (int k = 0; k < n_scenarios; k++)
        failed += !rows[k].ok;
    if (failed)
        fprintf(stderr, "bookval: %d of %d scenarios failed\n", failed, n_scenarios);
done:
    free(scenarios);
    free(common);
    free(rows);
    free(errors);
    free(o);
    return rc;
}

/* What the CSV reader understood, so a misread shows before any valuation. */
static void print_clients_csv(const Scenario *sc)
{
    if (!sc->clients_csv || sc->client_count == 0)
        return;
    char dialect[300];
    csv_dialect_describe(&sc->clients_csv_dialect, dialect, sizeof dialect);
    const Client *c = &sc->clients[0];
    printf("  clients_csv %s: %s\n", sc->clients_csv, dialect);
    printf("  first row (line %d): id '%s', name '%s', annual_revenue %.2f, tenure_years %g, "
           "active %s, segment %s\n",
           c->mark.line, c->id, c->name, c->annual_revenue, c->tenure_years,
           c->active ? "true" : "false", c->segment >= 0 ? sc->segments[c->segment].name : "-");
}

static int cmd_validate(int argc, char **argv)
{
    if (argc == 0)
        return cli_usage_error(usage_text, "%s", "validate needs one or more scenario files");
    BvErrors *errors = malloc(sizeof *errors);
    if (!errors) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    BvStatus worst = BV_OK;
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '-') {
            free(errors);
            return cli_usage_error(usage_text, "validate takes no option '%s'", argv[i]);
        }
        bv_errors_init(errors);
        ValuationOptions options = {.simulate = VALUATION_MC_NEVER};
        ScenarioSource *source = NULL;
        Scenario *base = NULL;
        Valuation *v = NULL;
        BvStatus status = scenario_source_load(argv[i], NULL, 0, models_dir(), &source, errors);
        if (status == BV_OK)
            status = scenario_from_source(source, NULL, &base, errors);
        if (status == BV_OK)
            status = valuation_run(base, &options, &v, errors); /* v owns base */
        /* Each variant is the scenario plus its patch: errors point at the variant's lines. */
        for (size_t k = 0; status == BV_OK && k < v->scenario->variant_count; k++) {
            ScenarioPatch patch = {(int)k, NULL, 0};
            Scenario *variant = NULL;
            status = scenario_from_source(source, &patch, &variant, errors);
            scenario_free(variant);
        }
        cli_print_errors(errors);
        if (status == BV_OK) {
            print_notes(v->scenario);
            printf("%s: ok (%zu clients, %zu segments)\n", argv[i], v->scenario->client_count,
                   v->scenario->segment_count);
            print_clients_csv(v->scenario);
        } else if (bv_status_exit_code(status) > bv_status_exit_code(worst))
            worst = status;
        valuation_free(v);
        scenario_source_free(source);
    }
    free(errors);
    return bv_status_exit_code(worst);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (argc < 2)
        return cli_usage_error(usage_text, "%s", "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0) {
        printf("bookval %s\n", BOOKVAL_VERSION);
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (strcmp(argv[2], "scenario") == 0) {
            printf("### Scenario reference (schema 1)\n");
            schema_write_reference(stdout);
            return 0;
        }
        if (strcmp(argv[2], "run") == 0 || strcmp(argv[2], "validate") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        return cli_usage_error(usage_text, "no help on '%s'; try: bookval help scenario", argv[2]);
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 2, argv + 2);
    if (strcmp(cmd, "fit") == 0)
        return cli_fit(argc - 2, argv + 2);
    if (strcmp(cmd, "batch") == 0)
        return cmd_batch(argc - 2, argv + 2);
    return cli_usage_error(usage_text, "unknown command '%s'", cmd);
}
