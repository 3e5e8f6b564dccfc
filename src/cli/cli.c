/*
 * cli.c — the command line's shared printing.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void cli_print_errors(BvErrors *errors)
{
    bv_errors_sort(errors);
    char line[BV_ERROR_FILE_MAX + BV_ERROR_KEY_MAX + BV_ERROR_MESSAGE_MAX + 64];
    for (size_t i = 0; i < errors->count; i++) {
        bv_error_format(&errors->items[i], line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    if (errors->dropped)
        fprintf(stderr, "bookval: %zu more errors not shown\n", errors->dropped);
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bookval: usage error: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n\n%s", usage);
    return 2;
}

BvStatus cli_write_failed(BvErrors *errors, const char *path)
{
    int e = errno;
    return bv_error(errors, BV_ERR_IO, &(Mark){path, 0, 0}, NULL, "write failed%s%s",
                    e ? ": " : "", e ? strerror(e) : "");
}
