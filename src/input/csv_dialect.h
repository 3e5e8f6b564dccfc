/*
 * csv_dialect.h — how a clients CSV is written: delimiter, decimal and thousands marks,
 * text encoding, title rows above the header, and the export's own column names and cell
 * values mapped onto the client fields of schema 1.
 *
 * A dialect is read from the `clients_csv:` mapping of a scenario (csv_dialect_read), applied
 * by clients_csv.c while it reads the file, and described in one line for the workbook and
 * `bookval validate`. This module does no file I/O and does not see libcsv.
 */
#ifndef BOOKVAL_CSV_DIALECT_H
#define BOOKVAL_CSV_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "schema.h"

typedef enum CsvEncoding {
    CSV_ENCODING_UTF8,
    CSV_ENCODING_WINDOWS_1252,
    CSV_ENCODING_ISO_8859_1,
    CSV_ENCODING_UTF16, /* little-endian unless a byte-order mark says otherwise */
    CSV_ENCODING_COUNT
} CsvEncoding;

#define CSV_DIALECT_MAX_COLUMNS 32
#define CSV_DIALECT_MAX_VALUES 64
#define CSV_DIALECT_MAX_SKIP_ROWS 1000

/* columns: {field: "Header"} — the export's header that holds a client field. */
typedef struct CsvColumn {
    const SchemaKey *key; /* a client field */
    const char *header;   /* UTF-8, as the file spells it after conversion */
    Mark mark;            /* where the scenario maps it */
} CsvColumn;

/* values: {field: {"cell": value}} — a cell text read as the value a scenario would write. */
typedef struct CsvValue {
    const SchemaKey *key;
    const char *cell;  /* as written in the file */
    const char *value; /* as written in YAML: "true", "company", "1250.5" */
} CsvValue;

typedef struct CsvDialect {
    bool given;               /* clients_csv was a mapping */
    char delimiter;           /* ',', ';', '\t'; 0 = auto until the file is read */
    bool delimiter_detected;  /* chosen by looking at the file */
    char decimal;             /* '.' or ',' */
    char thousands;           /* 0 (no grouping), '.', ',' or ' ' */
    CsvEncoding encoding;
    bool encoding_from_bom;   /* a byte-order mark chose the encoding */
    int skip_rows;            /* lines above the header, 0..CSV_DIALECT_MAX_SKIP_ROWS */
    CsvColumn columns[CSV_DIALECT_MAX_COLUMNS];
    size_t column_count;      /* 0: the header names the schema's fields */
    CsvValue values[CSV_DIALECT_MAX_VALUES];
    size_t value_count;
    Mark mark;                /* the clients_csv value in the scenario */
} CsvDialect;

/* The dialect of a plain `clients_csv: file.csv`: auto delimiter, '.', no grouping, UTF-8. */
void csv_dialect_init(CsvDialect *dialect);

/* "utf-8", "windows-1252", ... Never NULL. */
const char *csv_encoding_name(CsvEncoding encoding);

/* The name iconv knows the encoding by ("WINDOWS-1252"); NULL for UTF-8 (no conversion). */
const char *csv_encoding_iconv_name(CsvEncoding encoding);

/*
 * Pick the delimiter of `text` (the first `len` bytes of the file, UTF-8, `complete` when that
 * is the whole file): after `skip_rows` lines, the one of ',', ';' and TAB that splits the
 * header and up to the first 20 rows, outside quotes, into one field count of at least 2
 * (when none does, the only one that splits the header: a row with the wrong count is then
 * reported where it is). Returns that delimiter, or 0 with `seen` describing what each candidate gave (none or
 * several fit).
 */
char csv_dialect_detect(const char *text, size_t len, bool complete, int skip_rows,
                        char *seen, size_t seen_size);

/*
 * Parse a number written in the dialect: optional sign, digits (grouped by threes with the
 * thousands mark when there is one, the first group of one to three digits), an optional
 * decimal mark and digits. The default dialect ('.', no grouping) takes exactly what
 * schema_parse_number takes. True on success.
 */
bool csv_dialect_parse_number(const CsvDialect *dialect, const char *text, double *out);

/* How numbers are written, for messages: "1234.56", "1.234,56", "1 234,56". */
const char *csv_dialect_number_example(const CsvDialect *dialect);

/* The mapped field of an export's header, or NULL when `columns` does not name it. */
const SchemaKey *csv_dialect_column(const CsvDialect *dialect, const char *header);

/* Does `key` have a `values` mapping; and the value for a cell (NULL when not mapped). */
bool csv_dialect_has_values(const CsvDialect *dialect, const SchemaKey *key);
const char *csv_dialect_value(const CsvDialect *dialect, const SchemaKey *key,
                              const char *cell);

/* The accepted cells of `key`, comma-separated, for messages. */
void csv_dialect_value_list(const CsvDialect *dialect, const SchemaKey *key, char *buf,
                            size_t size);

/* One line: "delimiter ';' (detected), decimal ',', thousands '.', windows-1252, 3 rows
 * skipped, 6 columns mapped". */
void csv_dialect_describe(const CsvDialect *dialect, char *buf, size_t size);

#endif
