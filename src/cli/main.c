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
#include "cluster.h"
#include "error.h"
#include "outfile.h"
#include "report_iterations.h"
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
    "              [--threads T] [--set PATH=VALUE]... [--no-workbook] [--iterations-csv OUT.csv]\n"
    "              [--quiet]\n"
    "                                        --no-workbook: the JSON summary only (needs --json)\n"
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



/* "1,234,567 EUR" (whole units, half away from zero, the currency), "none" when not finite. */
static const char *money(char *buf, size_t size, double x, const char *currency)
{
    if (!isfinite(x)) {
        snprintf(buf, size, "none");
        return buf;
    }
    char whole[64];
    stats_format_whole(whole, sizeof whole, x);
    snprintf(buf, size, "%s %s", whole, currency);
    return buf;
}

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
    const char *iterations_csv; /* the Monte Carlo's per-iteration table, or NULL */
    int threads;
    long iterations;          /* 0: the scenario's */
    bool has_seed;
    unsigned long long seed;
    bool quiet;
    bool no_workbook;         /* --no-workbook: the JSON summary only */
    ScenarioSet sets[MAX_SETS];
    size_t set_count;
    /* Set by the command, not the arguments: a cluster run's shards, and whether this process
     * writes the outputs (all of them alone; only the first of a cluster's). */
    const McShards *shards;
    const WhatIfShards *points;
    bool writes;
    FILE *terminal;           /* where the progress bar goes; NULL: stderr when a terminal */
} RunOptions;

static int parse_run_options(int argc, char **argv, RunOptions *o)
{
    memset(o, 0, sizeof *o);
    o->writes = true;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--json") == 0 ||
            strcmp(a, "--set") == 0 || strcmp(a, "--threads") == 0 ||
            strcmp(a, "--iterations") == 0 || strcmp(a, "--seed") == 0 ||
            strcmp(a, "--iterations-csv") == 0) {
            if (!value)
                return cli_usage_error(usage_text, "%s needs a value", a);
            i++;
            if (strcmp(a, "--json") == 0) {
                o->json = value;
            } else if (strcmp(a, "--iterations-csv") == 0) {
                o->iterations_csv = value;
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
        } else if (strcmp(a, "--no-workbook") == 0) {
            o->no_workbook = true;
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
    if (o->no_workbook && o->output)
        return cli_usage_error(usage_text, "%s",
                               "--no-workbook and -o contradict each other: drop one of them");
    if (o->no_workbook && !o->json)
        return cli_usage_error(usage_text, "%s",
                               "--no-workbook without --json: neither output was asked for "
                               "(add --json OUT.json, or drop --no-workbook)");
    return 0;
}

/* Notes are not errors: things the user may want to know (columns a mapping ignored). */
static void print_notes(const Scenario *sc)
{
    for (size_t i = 0; i < sc->note_count; i++)
        fprintf(stderr, "%s\n", sc->notes[i]);
}

/* A progress bar: done/total, rate and time left. */
typedef struct Progress {
    FILE *out;
    const char *what, *unit;  /* "Monte Carlo", "it" */
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
    fprintf(p->out, "\r%-11s [%.*s%*s] %ld/%ld  %.0f %s/s  %d:%02d left ", p->what, filled,
            "##############################", width - filled, "", done, total, rate, p->unit,
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
    OutFile *xlsx = NULL, *json = NULL, *csv = NULL;
    char *default_path = NULL;
    RunInfo info;
    FILE *bar = o->terminal ? o->terminal : isatty(STDERR_FILENO) ? stderr : NULL;
    if (o->quiet)
        bar = NULL;
    Progress progress = {bar, "Monte Carlo", "it", {0, 0}, false};
    clock_gettime(CLOCK_MONOTONIC, &progress.start);
    ValuationOptions options = {
        .iterations = o->iterations, .has_seed = o->has_seed, .seed = o->seed,
        .simulate = o->iterations || o->has_seed ? VALUATION_MC_ALWAYS : VALUATION_MC_AS_SCENARIO,
        .deal_irr = true, .progress = bar ? show_progress : NULL,
        .progress_context = &progress, .shards = o->shards};
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
                          options.simulate == VALUATION_MC_ALWAYS, o->shards, o->points,
                          options.progress, &progress};
        /* A bar of its own, in points: a variant, a tornado's end, a scan's input, a search. */
        if (progress.shown)
            fputc('\n', bar);
        progress = (Progress){bar, "What-ifs", "points", {0, 0}, false};
        clock_gettime(CLOCK_MONOTONIC, &progress.start);
        status = whatif_run(&what, loaded, &whatif, errors);
    }
    if (progress.shown)
        fputc('\n', bar);
    if (status == BV_OK)
        status = runinfo_collect(v->scenario, &info, errors);
    if (status != BV_OK)
        goto done;
    const Scenario *sc = v->scenario;
    if (!o->quiet)
        print_notes(sc);
    const Dcf *dcf = v->dcf;
    const McResult *mc = v->mc;
    const Deal *deal = v->deal;
    Results results = {sc,           v->book,       dcf,          mc,
                       v->diagnostics, deal,        whatif,       &info,
                       v->drivers,   &v->buyer_par, &v->seller_par, &v->rate_range};
    /* Options that change results; --threads, --quiet and output paths do not. */
    info.sets = o->sets;
    info.set_count = o->set_count;
    info.iterations = o->iterations;
    info.has_seed = o->has_seed;
    info.seed = o->seed;
    if (!o->writes)
        goto done; /* another process of the cluster writes what all computed alike */
    const char *xlsx_path = o->no_workbook ? NULL : o->output;
    if (!xlsx_path && !o->no_workbook) {
        xlsx_path = default_path = default_output(o->scenario);
        if (!default_path) {
            status = bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
            goto done;
        }
    }
    if (xlsx_path)
        status = outfile_open(xlsx_path, &xlsx, errors);
    if (status == BV_OK && o->json)
        status = outfile_open(o->json, &json, errors);
    if (status == BV_OK && o->iterations_csv)
        status = outfile_open(o->iterations_csv, &csv, errors);
    if (status == BV_OK && xlsx)
        status = report_xlsx_write(outfile_temp_path(xlsx), &results, errors);
    errno = 0;
    if (status == BV_OK && json && !report_json_write(outfile_stream(json), &results))
        status = cli_write_failed(errors, o->json);
    errno = 0;
    if (status == BV_OK && csv && !report_iterations_csv(outfile_stream(csv), &results))
        status = cli_write_failed(errors, o->iterations_csv);
    if (status != BV_OK) {
        /* Errors from the temporary file name the file the user asked for. */
        for (size_t i = 0; i < errors->count; i++)
            if (xlsx && strcmp(errors->items[i].file, outfile_temp_path(xlsx)) == 0)
                snprintf(errors->items[i].file, sizeof errors->items[i].file, "%s", xlsx_path);
        goto done;
    }
    OutFile *outputs[] = {xlsx, json, csv};
    xlsx = json = csv = NULL;
    status = outfile_commit_all(outputs, 3, errors);
    if (status == BV_OK) {
        clock_gettime(CLOCK_MONOTONIC, &end);
        double seconds = (double)(end.tv_sec - start.tv_sec) +
                         1e-9 * (double)(end.tv_nsec - start.tv_nsec);
        /* Every money figure in whole units with its currency (the JSON has full precision). */
        const char *cur = sc->currency;
        char a[64], b[64], c[64], d[64];
        printf("%s: DCF value %s (%.2fx annual revenue of %s, %zu clients)\n", sc->name,
               money(a, sizeof a, dcf->value, cur), dcf->value_to_revenue,
               money(b, sizeof b, dcf->annual_revenue, cur), sc->client_count);
        if (mc)
            printf("Monte Carlo (%ld iterations%s): mean %s, 5th-95th percentile %s to %s\n",
                   mc->iterations,
                   sc->monte_carlo.vary_discount_rate ? ", discount rate drawn" : "",
                   money(a, sizeof a, mc->stats.mean, cur),
                   money(b, sizeof b, mc->stats.percentile[STATS_P5], cur),
                   money(c, sizeof c, mc->stats.percentile[STATS_P95], cur));
        if (deal) {
            const DealFlows *f = &deal->flows;
            printf("Deal: base price %s, expected price %s", money(a, sizeof a, f->base_price, cur),
                   money(b, sizeof b, f->price, cur));
            if (deal->has_keep)
                printf("; seller's walk-away %s expected (base %s)",
                       money(a, sizeof a, deal->min_price_expected, cur),
                       money(b, sizeof b, deal->min_price, cur));
            if (deal->has_buyer)
                printf("; buyer's NPV %s, walk-away %s expected (base %s), %s all cash",
                       money(a, sizeof a, f->npv, cur),
                       money(b, sizeof b, deal->max_price_expected, cur),
                       money(c, sizeof c, deal->max_price, cur),
                       money(d, sizeof d, deal->max_price_cash, cur));
            printf("\n");
        }
        printf("Conclusion (%s, %s): %s\n",
               sc->standard_of_value == VALUE_INVESTMENT ? "investment value" : "fair market value",
               sc->valuation_date ? sc->valuation_date : "undated",
               money(a, sizeof a,
                     sc->standard_of_value == VALUE_INVESTMENT && deal && deal->has_buyer
                         ? deal->max_price_expected
                         : dcf->value,
                     cur));
        if (xlsx_path)
            printf("wrote %s%s%s\n", xlsx_path, o->json ? " and " : "", o->json ? o->json : "");
        else
            printf("wrote %s\n", o->json);
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
    outfile_abort(csv);
    free(default_path);
    whatif_free(whatif);
    valuation_free(v);
    scenario_source_free(source);
    return status;
}

static BvStatus run_reported(const RunOptions *o, BvErrors *errors)
{
    BvStatus status = run(o, NULL, errors);
    cli_print_errors(errors);
    return status;
}

/*
 * `run` shared among a cluster's processes. The scenario is loaded by every process and the
 * outcome agreed (an input error is reported once, by the lowest process that saw it); the
 * Monte Carlo's iterations are shared, each process completing the others' after every block;
 * the first process writes the outputs; the exit code is the worst of all. A failure only one
 * process can have seen after loading (memory, a file) ends every process at once.
 */
static int run_in_cluster(RunOptions *o, BvErrors *errors)
{
    Scenario *sc = NULL;
    int code = bv_status_exit_code(
        scenario_load(o->scenario, o->sets, o->set_count, models_dir(), &sc, errors));
    scenario_free(sc);
    int first, worst = cluster_agree(code, &first);
    if (worst) {
        if (first == cluster_rank())
            cli_print_errors(errors);
        return worst;
    }
    o->shards = cluster_shards();
    o->points = cluster_point_shards();
    o->writes = cluster_rank() == 0;
    if (cluster_rank() != 0)
        o->quiet = true; /* one progress bar: the first process's covers every block */
    else if (!o->quiet)
        /* mpirun passes stderr on through a pipe: the bar goes to the terminal itself. */
        o->terminal = fopen("/dev/tty", "w");
    bv_errors_init(errors);
    BvStatus status = run(o, NULL, errors);
    if (o->terminal)
        fclose(o->terminal);
    if (status == BV_ERR_NOMEM || (status == BV_ERR_IO && !o->writes)) {
        cli_print_errors(errors);
        cluster_abort(bv_status_exit_code(status));
    }
    code = bv_status_exit_code(status);
    worst = cluster_agree(code, &first);
    if (first == cluster_rank())
        cli_print_errors(errors);
    return worst;
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
        rc = cluster_size() > 1 ? run_in_cluster(o, errors)
                                : bv_status_exit_code(run_reported(o, errors));
        free(errors);
    }
    free(o);
    return rc;
}

/* Make `dir` if it is missing (one level). */
static bool ensure_directory(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0755) == 0)
        return true;
    /* Already there, or made meanwhile by another process of the same batch. */
    return errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
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
    bool usable = ensure_directory(outdir);
    if (!usable) {
        /* Not `goto done`: the cluster's other processes wait to agree on the outcome. */
        fprintf(stderr, "%s: error: cannot use as the output directory: %s\n", outdir,
                strerror(errno));
        rc = 1;
    }
    for (int k = 0; k < n_scenarios && usable; k++) {
        if (k % cluster_size() != cluster_rank())
            continue; /* another process of the cluster runs it */
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
    /* A cluster's first process gathers every row and writes the comparison. */
    int first;
    if (!cluster_gather_rows(rows, sizeof *rows, (size_t)n_scenarios)) {
        fprintf(stderr, "error: the processes of the batch could not exchange their results\n");
        rc = 1;
    }
    rc = cluster_agree(rc, &first);
    if (cluster_rank() != 0)
        goto done;
    for (int k = 0; k < n_scenarios; k++)
        rows[k].file = scenarios[k]; /* a pointer into another process means nothing here */
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

/* The commands; under a cluster, every process runs `run` and `batch`, the first alone the
 * others. */
static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage_error(usage_text, "%s", "no command given");
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "batch") == 0)
        return cmd_batch(argc - 2, argv + 2);
    if (cluster_rank() != 0)
        return 0;
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
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 2, argv + 2);
    if (strcmp(cmd, "fit") == 0)
        return cli_fit(argc - 2, argv + 2);
    return cli_usage_error(usage_text, "unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    if (!cluster_start(&argc, &argv)) {
        fprintf(stderr, "error: the cluster's processes could not start (MPI_Init failed)\n");
        return 1;
    }
    int rc = dispatch(argc, argv);
    cluster_stop();
    return rc;
}
