/*
 * json_writer.h — a small streaming JSON writer for bookval's summaries: indented, numbers
 * with 17 significant digits (they read back as the same doubles), null for a value that does
 * not exist (NaN, Inf, a NULL string).
 */
#ifndef BOOKVAL_JSON_WRITER_H
#define BOOKVAL_JSON_WRITER_H

#include <stdbool.h>
#include <stdio.h>

typedef struct Json {
    FILE *out;
    int depth;
    bool first; /* no comma before the next member */
} Json;

/* Each call writes a member named `key` inside an object, or an element (key NULL) inside an
 * array; at depth 0, the top-level value. */
void json_begin(Json *j, FILE *out);
void json_open(Json *j, const char *key);        /* { */
void json_open_array(Json *j, const char *key);  /* [ */
void json_close(Json *j);                        /* } */
void json_close_array(Json *j);                  /* ] */
void json_number(Json *j, const char *key, double x);
void json_text(Json *j, const char *key, const char *s);
void json_bool(Json *j, const char *key, bool b);
void json_null(Json *j, const char *key);

/* End the document with a newline; false when the stream reports an error. */
bool json_end(Json *j);

#endif
