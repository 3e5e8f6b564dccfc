/*
 * error.c — status names and the error list.
 */
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = {
    [BV_OK] = "ok",
    [BV_ERR_USAGE] = "usage error",
    [BV_ERR_INPUT] = "invalid input",
    [BV_ERR_NOMEM] = "out of memory",
    [BV_ERR_IO] = "input/output error",
    [BV_ERR_NUMERIC] = "numerical failure",
};
_Static_assert(sizeof status_names / sizeof status_names[0] == BV_STATUS_COUNT,
               "status_names must name every BvStatus");

const char *bv_status_name(BvStatus status)
{
    if ((unsigned)status >= BV_STATUS_COUNT)
        return "unknown status";
    return status_names[status];
}

BvStatus bv_errno_status(int e, BvStatus otherwise)
{
    return e == ENOMEM ? BV_ERR_NOMEM : otherwise;
}

int bv_status_exit_code(BvStatus status)
{
    switch (status) {
    case BV_OK:
        return 0;
    case BV_ERR_USAGE:
    case BV_ERR_INPUT:
        return 2;
    default:
        return 1;
    }
}

void bv_errors_init(BvErrors *errors)
{
    errors->count = 0;
    errors->dropped = 0;
}

static void copy_text(char *dst, size_t size, const char *src)
{
    if (!src)
        src = "";
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

BvStatus bv_error(BvErrors *errors, BvStatus status, const Mark *mark, const char *key,
                  const char *fmt, ...)
{
    if (!errors)
        return status;
    if (errors->count == BV_ERRORS_MAX) {
        errors->dropped++;
        return status;
    }
    BvError *e = &errors->items[errors->count++];
    e->status = status;
    copy_text(e->file, sizeof e->file, mark ? mark->file : NULL);
    e->line = mark ? mark->line : 0;
    e->col = mark ? mark->col : 0;
    copy_text(e->key, sizeof e->key, key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return status;
}

BvStatus bv_errors_status(const BvErrors *errors)
{
    BvStatus worst = BV_OK;
    for (size_t i = 0; i < errors->count; i++) {
        BvStatus s = errors->items[i].status;
        if (worst == BV_OK || (s != BV_ERR_INPUT && s != BV_ERR_USAGE))
            worst = s;
    }
    return worst;
}

void bv_error_format(const BvError *e, char *buf, size_t size)
{
    char where[BV_ERROR_FILE_MAX + 32] = "";
    if (e->file[0] && e->line > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", e->file, e->line, e->col);
    else if (e->file[0])
        snprintf(where, sizeof where, "%s: ", e->file);
    snprintf(buf, size, "%serror: %s%s%s", where, e->key, e->key[0] ? ": " : "", e->message);
}

typedef struct SortKey {
    size_t file_rank, index;
    const BvError *error;
} SortKey;

static int compare_positions(const void *a, const void *b)
{
    const SortKey *x = a, *y = b;
    if (x->file_rank != y->file_rank)
        return x->file_rank < y->file_rank ? -1 : 1;
    if (x->error->line != y->error->line)
        return x->error->line < y->error->line ? -1 : 1;
    if (x->error->col != y->error->col)
        return x->error->col < y->error->col ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

void bv_errors_sort(BvErrors *errors)
{
    size_t n = errors->count;
    SortKey *keys = malloc(n * sizeof *keys);
    BvError *sorted = malloc(n * sizeof *sorted);
    if (!keys || !sorted) {
        free(keys);
        free(sorted);
        return; /* unsorted is still correct */
    }
    for (size_t i = 0; i < n; i++) {
        size_t rank = i;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(errors->items[j].file, errors->items[i].file) == 0) {
                rank = keys[j].file_rank;
                break;
            }
        }
        keys[i] = (SortKey){rank, i, &errors->items[i]};
    }
    qsort(keys, n, sizeof *keys, compare_positions);
    for (size_t i = 0; i < n; i++)
        sorted[i] = *keys[i].error;
    memcpy(errors->items, sorted, n * sizeof *sorted);
    free(keys);
    free(sorted);
}
