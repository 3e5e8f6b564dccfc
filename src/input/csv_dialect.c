/*
 * csv_dialect.c — the pure parts of a CSV dialect: delimiter detection, numbers with a
 * decimal comma or grouped thousands, the column and value maps, a one-line description.
 *
 * Numbers are never guessed: a text that does not fit the declared marks exactly is refused,
 * so "1.234" cannot be read as 1.234 in a file that groups thousands with '.'.
 */
#include "csv_dialect.h"

#include <stdio.h>
#include <string.h>

#define DETECT_ROWS 20

static const char *const encoding_names[] = {"utf-8", "windows-1252", "iso-8859-1", "utf-16"};
_Static_assert(sizeof encoding_names / sizeof encoding_names[0] == CSV_ENCODING_COUNT,
               "one name per encoding");

void csv_dialect_init(CsvDialect *d)
{
    memset(d, 0, sizeof *d);
    d->decimal = '.';
    d->encoding = CSV_ENCODING_UTF8;
}

const char *csv_encoding_name(CsvEncoding e)
{
    return (unsigned)e < CSV_ENCODING_COUNT ? encoding_names[e] : "?";
}

const char *csv_encoding_iconv_name(CsvEncoding e)
{
    switch (e) {
    case CSV_ENCODING_WINDOWS_1252:
        return "WINDOWS-1252";
    case CSV_ENCODING_ISO_8859_1:
        return "ISO-8859-1";
    case CSV_ENCODING_UTF16:
        return "UTF-16LE";
    default:
        return NULL;
    }
}

static const char *delimiter_text(char c)
{
    return c == ',' ? "','" : c == ';' ? "';'" : c == '\t' ? "tab" : "?";
}

/* Field counts of up to DETECT_ROWS + 1 records split by `delim`; -1 when they differ. */
static int field_count(const char *s, size_t len, bool complete, char delim, int *records,
                       int *header)
{
    int count = -1, fields = 1;
    *header = 0;
    bool quoted = false, empty_line = true;
    *records = 0;
    for (size_t i = 0; i < len && *records <= DETECT_ROWS; i++) {
        char c = s[i];
        if (c == '"') {
            quoted = !quoted;
            empty_line = false;
        } else if (quoted) {
            continue;
        } else if (c == delim) {
            fields++;
            empty_line = false;
        } else if (c == '\n' || c == '\r') {
            if (!empty_line) {
                if (*header == 0)
                    *header = fields;
                if (count >= 0 && fields != count)
                    return -1;
                count = fields;
                ++*records;
            }
            fields = 1;
            empty_line = true;
        } else {
            empty_line = false;
        }
    }
    if (complete && !empty_line && !quoted && *records <= DETECT_ROWS) {
        if (*header == 0)
            *header = fields;
        if (count >= 0 && fields != count)
            return -1;
        count = fields;
        ++*records;
    }
    return count;
}

char csv_dialect_detect(const char *text, size_t len, bool complete, int skip_rows, char *seen,
                        size_t seen_size)
{
    static const char candidates[] = {',', ';', '\t'};
    size_t start = 0;
    for (int skipped = 0; skipped < skip_rows && start < len; start++)
        if (text[start] == '\n')
            skipped++;
    char found = 0, header_found = 0;
    int fits = 0, header_fits = 0;
    size_t used = 0;
    seen[0] = '\0';
    for (size_t k = 0; k < sizeof candidates; k++) {
        int records, header;
        int n = field_count(text + start, len - start, complete, candidates[k], &records,
                            &header);
        if (n >= 2) {
            fits++;
            found = candidates[k];
        }
        if (header >= 2) {
            header_fits++;
            header_found = candidates[k];
        }
        if (used < seen_size)
            used += (size_t)snprintf(seen + used, seen_size - used, "%s%s gives %s%d%s",
                                     k ? ", " : "", delimiter_text(candidates[k]),
                                     n < 0 ? "differing field counts over " : "",
                                     n < 0 ? records + 1 : n,
                                     n < 0 ? " rows" : n == 1 ? " field" : " fields");
    }
    /* No consistent candidate but one that splits the header: a bad row, which the reader
     * then reports at its line and column. */
    if (fits == 0 && header_fits == 1)
        return header_found;
    return fits == 1 ? found : 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool csv_dialect_parse_number(const CsvDialect *d, const char *text, double *out)
{
    if (d->decimal == '.' && d->thousands == 0)
        return schema_parse_number(text, out);
    char plain[128];
    size_t n = 0;
    const char *p = text;
    if (*p == '-' || *p == '+')
        plain[n++] = *p++;
    /* Integer part: digits, grouped by threes when it holds the thousands mark. */
    size_t group = 0, groups = 0;
    bool grouped = false;
    for (; *p && *p != d->decimal; p++) {
        if (d->thousands && *p == d->thousands) {
            if (group == 0 || group > 3 || (groups > 0 && group != 3))
                return false;
            grouped = true;
            groups++;
            group = 0;
        } else if (is_digit(*p)) {
            if (n >= sizeof plain - 2)
                return false;
            plain[n++] = *p;
            group++;
        } else {
            return false;
        }
    }
    if (group == 0 || (grouped && group != 3))
        return false;
    if (*p == d->decimal) {
        plain[n++] = '.';
        p++;
        if (!is_digit(*p))
            return false;
        for (; is_digit(*p); p++) {
            if (n >= sizeof plain - 1)
                return false;
            plain[n++] = *p;
        }
    }
    if (*p)
        return false;
    plain[n] = '\0';
    return schema_parse_number(plain, out);
}

const char *csv_dialect_number_example(const CsvDialect *d)
{
    if (d->decimal == ',')
        return d->thousands == '.' ? "1.234,56" : d->thousands == ' ' ? "1 234,56" : "1234,56";
    return d->thousands == ',' ? "1,234.56" : d->thousands == ' ' ? "1 234.56" : "1234.56";
}

const SchemaKey *csv_dialect_column(const CsvDialect *d, const char *header)
{
    for (size_t i = 0; i < d->column_count; i++)
        if (strcmp(d->columns[i].header, header) == 0)
            return d->columns[i].key;
    return NULL;
}

bool csv_dialect_has_values(const CsvDialect *d, const SchemaKey *key)
{
    for (size_t i = 0; i < d->value_count; i++)
        if (d->values[i].key == key)
            return true;
    return false;
}

const char *csv_dialect_value(const CsvDialect *d, const SchemaKey *key, const char *cell)
{
    for (size_t i = 0; i < d->value_count; i++)
        if (d->values[i].key == key && strcmp(d->values[i].cell, cell) == 0)
            return d->values[i].value;
    return NULL;
}

void csv_dialect_value_list(const CsvDialect *d, const SchemaKey *key, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->value_count && used < size; i++)
        if (d->values[i].key == key)
            used += (size_t)snprintf(buf + used, size - used, "%s'%.40s'", used ? ", " : "",
                                     d->values[i].cell);
}

void csv_dialect_describe(const CsvDialect *d, char *buf, size_t size)
{
    char thousands[8];
    if (d->thousands == ' ')
        snprintf(thousands, sizeof thousands, "' '");
    else if (d->thousands)
        snprintf(thousands, sizeof thousands, "'%c'", d->thousands);
    else
        snprintf(thousands, sizeof thousands, "none");
    int used = snprintf(buf, size, "delimiter %s%s, decimal '%c', thousands %s, %s%s",
                        d->delimiter ? delimiter_text(d->delimiter) : "auto",
                        d->delimiter_detected ? " (detected)" : "", d->decimal, thousands,
                        csv_encoding_name(d->encoding),
                        d->encoding_from_bom ? " (byte-order mark)" : "");
    if (used < 0 || (size_t)used >= size)
        return;
    if (d->skip_rows)
        used += snprintf(buf + used, size - (size_t)used, ", %d row%s skipped above the header",
                         d->skip_rows, d->skip_rows == 1 ? "" : "s");
    if (used > 0 && (size_t)used < size && d->column_count)
        snprintf(buf + used, size - (size_t)used, ", %zu column%s mapped", d->column_count,
                 d->column_count == 1 ? "" : "s");
}
