/*
 * report_json.c — a small JSON emitter and the summary's layout.
 */
#include "report_json.h"

#include <math.h>
#include <string.h>

typedef struct Json {
    FILE *out;
    int depth;
    bool first; /* no comma before the next member */
} Json;

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void json_key(Json *j, const char *key)
{
    fprintf(j->out, "%s\n%*s", j->first ? "" : ",", 2 * j->depth, "");
    j->first = false;
    json_string(j->out, key);
    fputs(": ", j->out);
}

static void json_open(Json *j, const char *key)
{
    if (key)
        json_key(j, key);
    fputc('{', j->out);
    j->depth++;
    j->first = true;
}

static void json_close(Json *j)
{
    j->depth--;
    fprintf(j->out, "\n%*s}", 2 * j->depth, "");
    j->first = false;
}

static void json_number(Json *j, const char *key, double x)
{
    json_key(j, key);
    if (isfinite(x))
        fprintf(j->out, "%.17g", x);
    else
        fputs("null", j->out);
}

static void json_text(Json *j, const char *key, const char *s)
{
    json_key(j, key);
    json_string(j->out, s);
}

bool report_json_write(FILE *out, const Scenario *sc, const Book *book, const Dcf *dcf,
                       const RunInfo *info)
{
    Json j = {out, 0, true};
    json_open(&j, NULL);
    json_text(&j, "bookval_version", info->bookval_version);
    json_open(&j, "scenario");
    json_text(&j, "name", sc->name);
    json_text(&j, "file", sc->file);
    json_text(&j, "currency", sc->currency);
    json_text(&j, "sha256", info->scenario_sha256);
    json_close(&j);
    json_open(&j, "book");
    json_number(&j, "clients", (double)sc->client_count);
    json_number(&j, "annual_revenue", book->annual_revenue);
    json_number(&j, "cohorts", (double)book->cohort_count);
    json_close(&j);
    json_open(&j, "dcf");
    json_number(&j, "value", dcf->value);
    json_number(&j, "horizon_value", dcf->horizon_value);
    json_number(&j, "tail_value", dcf->tail_value);
    json_number(&j, "value_to_revenue", dcf->value_to_revenue);
    json_number(&j, "discount_rate", dcf->discount_rate);
    json_number(&j, "horizon_years", dcf->horizon);
    json_text(&j, "timing", sc->timing == TIMING_MID_YEAR ? "mid_year" : "end_of_year");
    json_text(&j, "tail", sc->tail == TAIL_RUNOFF ? "runoff" : "none");
    json_close(&j);
    json_close(&j);
    fputc('\n', out);
    return !ferror(out);
}
