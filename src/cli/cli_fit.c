/*
 * cli_fit.c — `bookval fit`: read a cohort history, fit the retention models, print the
 * comparison and the scenario line, and write the JSON and workbook when asked.
 *
 * Like main.c, the only code that prints or picks an exit code; the work is in history.c,
 * fit.c and report_fit.c. Outputs go to temporary files, renamed only once all succeeded.
 */
#include "cli_fit.h"

#include <errno.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "fit.h"
#include "cli.h"
#include "history.h"
#include "outfile.h"
#include "report_fit.h"

#define FIT_USAGE                                                                          \
    "  bookval fit HISTORY.yaml [--json OUT.json] [-o OUT.xlsx]\n"                          \
    "                                        fit a retention model (sBG or geometric) to\n" \
    "                                        cohort history; prints the scenario line\n"

const char cli_fit_usage[] = FIT_USAGE;

#define fit_usage_error(...) cli_usage_error("usage:\n" FIT_USAGE, __VA_ARGS__)

typedef struct FitOptions {
    const char *history;
    const char *json;
    const char *xlsx;
} FitOptions;



/* 0, or the exit code of a usage error (after printing it); -1 for --help (printed). */
static int parse_options(int argc, char **argv, FitOptions *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            printf("usage:\n%s", cli_fit_usage);
            return -1;
        }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--json") == 0) {
            if (i + 1 >= argc)
                return fit_usage_error("%s needs a value", a);
            const char **slot = strcmp(a, "--json") == 0 ? &o->json : &o->xlsx;
            if (*slot)
                return fit_usage_error("%s given twice", a);
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return fit_usage_error("unknown option '%s' for fit", a);
        } else if (o->history) {
            return fit_usage_error("fit takes one history file; '%s' is a second one", a);
        } else {
            o->history = a;
        }
    }
    if (!o->history)
        return fit_usage_error("%s", "fit needs a history file");
    if (o->json && o->xlsx && strcmp(o->json, o->xlsx) == 0)
        return fit_usage_error("--json and -o name the same file '%s'", o->json);
    return 0;
}

static void print_percent(double x)
{
    if (isfinite(x))
        printf(" %10.2f%%", 100 * x);
    else
        printf(" %11s", "-");
}

static void print_count(double x)
{
    if (isfinite(x))
        printf(" %9.0f", x);
    else
        printf(" %9s", "-");
}

static void print_report(const History *h, const Fit *fit)
{
    const FitSbg *s = &fit->sbg;
    const FitGeometric *g = &fit->geometric;
    bool sbg = fit->model == HISTORY_MODEL_SBG;
    printf("%s: %zu cohort%s, %.0f clients, %.0f client-years at risk, up to %zu years\n"
           "(cohorts pooled, each censored at its last observed year)\n\n",
           h->file, fit->cohort_count, fit->cohort_count == 1 ? "" : "s", fit->clients,
           fit->client_years, fit->year_count - 1);
    printf("%4s %9s %9s %11s %11s %11s %11s\n", "year", "at risk", "lost", "observed S",
           sbg ? "sBG S" : "geometric S", "observed r", sbg ? "sBG r" : "geometric r");
    for (size_t i = 0; i < fit->year_count; i++) {
        const FitYear *y = &fit->years[i];
        printf("%4d", y->year);
        print_count(y->at_risk);
        print_count(y->lost);
        print_percent(y->observed_survival);
        print_percent(sbg ? y->sbg_survival : y->geometric_survival);
        print_percent(y->observed_retention);
        print_percent(sbg ? y->sbg_retention : y->geometric_retention);
        printf("\n");
    }
    printf("(S: share of a cohort still active; r: retention in the year)\n\n");

    if (s->identified) {
        printf("shifted-beta-geometric (sBG), maximum likelihood:\n"
               "  alpha          %12.6f  (standard error %.6f)\n"
               "  beta           %12.6f  (standard error %.6f)\n"
               "  correlation of the estimates %.4f\n"
               "  log-likelihood %12.4f  AIC %.4f\n",
               s->alpha, s->alpha_se, s->beta, s->beta_se, s->correlation, s->log_likelihood,
               s->aic);
    } else {
        printf("shifted-beta-geometric (sBG): not fitted: %s\n", s->problem);
    }
    printf("geometric (constant retention), closed form:\n"
           "  retention      %11.4f%%  (standard error %.4f%%)\n"
           "  log-likelihood %12.4f  AIC %.4f\n",
           100 * g->retention, 100 * g->retention_se, g->log_likelihood, g->aic);
    if (s->identified) {
        double gap = fabs(g->aic - s->aic);
        printf("%s fits better by AIC (lower by %.2f)\n",
               fit->preferred == HISTORY_MODEL_SBG ? "the sBG" : "the geometric model", gap);
    }
    char line[128];
    report_fit_scenario_line(fit, line, sizeof line);
    printf("\nscenario line (paste into a scenario or segment):\n%s\n", line);
}

static BvStatus fit_command(const FitOptions *o, BvErrors *errors)
{
    History *h = NULL;
    Fit *fit = NULL;
    OutFile *xlsx = NULL, *json = NULL;
    BvStatus status = history_load(o->history, &h, errors);
    if (status == BV_OK)
        status = fit_run(h, &fit, errors);
    if (status == BV_OK && o->xlsx)
        status = outfile_open(o->xlsx, &xlsx, errors);
    if (status == BV_OK && o->json)
        status = outfile_open(o->json, &json, errors);
    if (status == BV_OK && xlsx)
        status = report_fit_xlsx(outfile_temp_path(xlsx), h, fit, errors);
    errno = 0;
    if (status == BV_OK && json && !report_fit_json(outfile_stream(json), h, fit))
        status = cli_write_failed(errors, o->json);
    if (status != BV_OK) {
        /* Errors from the temporary file name the file the user asked for. */
        for (size_t i = 0; xlsx && i < errors->count; i++)
            if (strcmp(errors->items[i].file, outfile_temp_path(xlsx)) == 0)
                snprintf(errors->items[i].file, sizeof errors->items[i].file, "%s", o->xlsx);
        goto done;
    }
    OutFile *outputs[] = {xlsx, json};
    xlsx = json = NULL;
    status = outfile_commit_all(outputs, 2, errors);
    if (status == BV_OK) {
        print_report(h, fit);
        if (o->xlsx || o->json)
            printf("\nwrote %s%s%s\n", o->xlsx ? o->xlsx : "", o->xlsx && o->json ? " and " : "",
                   o->json ? o->json : "");
    }
done:
    outfile_abort(xlsx);
    outfile_abort(json);
    fit_free(fit);
    history_free(h);
    return status;
}

int cli_fit(int argc, char **argv)
{
    FitOptions o;
    int rc = parse_options(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? 0 : rc;
    BvErrors *errors = malloc(sizeof *errors);
    if (!errors) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    bv_errors_init(errors);
    BvStatus status = fit_command(&o, errors);
    cli_print_errors(errors);
    rc = bv_status_exit_code(status);
    free(errors);
    return rc;
}
