/*
 * json_writer.c — JSON text, escaped as RFC 8259 requires.
 */
#include "json_writer.h"

#include <math.h>

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

/* Start a member (`key` given) or an array element (`key` NULL). */
static void json_item(Json *j, const char *key)
{
    if (j->depth == 0)
        return;
    fprintf(j->out, "%s\n%*s", j->first ? "" : ",", 2 * j->depth, "");
    j->first = false;
    if (key) {
        json_string(j->out, key);
        fputs(": ", j->out);
    }
}

void json_begin(Json *j, FILE *out)
{
    *j = (Json){out, 0, true};
}

static void open_bracket(Json *j, const char *key, char bracket)
{
    json_item(j, key);
    fputc(bracket, j->out);
    j->depth++;
    j->first = true;
}

static void close_bracket(Json *j, char bracket)
{
    j->depth--;
    fprintf(j->out, "\n%*s%c", 2 * j->depth, "", bracket);
    j->first = false;
}

void json_open(Json *j, const char *key)
{
    open_bracket(j, key, '{');
}

void json_open_array(Json *j, const char *key)
{
    open_bracket(j, key, '[');
}

void json_close(Json *j)
{
    close_bracket(j, '}');
}

void json_close_array(Json *j)
{
    close_bracket(j, ']');
}

void json_number(Json *j, const char *key, double x)
{
    json_item(j, key);
    if (isfinite(x))
        fprintf(j->out, "%.17g", x);
    else
        fputs("null", j->out);
}

void json_text(Json *j, const char *key, const char *s)
{
    json_item(j, key);
    if (s)
        json_string(j->out, s);
    else
        fputs("null", j->out);
}

void json_bool(Json *j, const char *key, bool b)
{
    json_item(j, key);
    fputs(b ? "true" : "false", j->out);
}

void json_null(Json *j, const char *key)
{
    json_item(j, key);
    fputs("null", j->out);
}

bool json_end(Json *j)
{
    fputc('\n', j->out);
    return !ferror(j->out);
}
