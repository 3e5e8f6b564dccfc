/*
 * test_xlsx_cells.c — the row-order guard of the workbook's cell writers
 * (src/report/xlsx_cells.c). In constant-memory mode libxlsxwriter keeps only the current row
 * of a sheet, so a cell written above it would be lost: every writer must refuse it, and the
 * workbook's close must then fail naming the sheet and both rows. In-order writes (on one
 * sheet, then on the next) must all reach the file, which the test reads back with minizip.
 *
 * Workbooks live in TEST_BUILD_DIR as xlsx_cells_unit_*.xlsx.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <unzip.h>

#include "unit_support.h"

#include "xlsx_cells.h"

/* The part `name` of the workbook at `path`, NUL-terminated (caller frees), or NULL. */
static char *read_part(const char *path, const char *name)
{
    unzFile zip = unzOpen64(path);
    assert_non_null(zip);
    char *text = NULL;
    unz_file_info64 info;
    if (unzLocateFile(zip, name, 0) == UNZ_OK &&
        unzGetCurrentFileInfo64(zip, &info, NULL, 0, NULL, 0, NULL, 0) == UNZ_OK &&
        unzOpenCurrentFile(zip) == UNZ_OK) {
        size_t size = (size_t)info.uncompressed_size;
        text = malloc(size + 1);
        assert_non_null(text);
        assert_int_equal(unzReadCurrentFile(zip, text, (unsigned)size), (int)size);
        text[size] = '\0';
        unzCloseCurrentFile(zip);
    }
    unzClose(zip);
    return text;
}

/* A workbook being written to TEST_BUILD_DIR/xlsx_cells_unit_NAME.xlsx, and its errors. */
typedef struct Book {
    char path[512];
    XlsxCells x;
    BvErrors errors;
} Book;

static void open_book(Book *b, const char *name, bool constant_memory)
{
    char file[128];
    snprintf(file, sizeof file, "xlsx_cells_unit_%s.xlsx", name);
    unit_build_path(b->path, sizeof b->path, file);
    bv_errors_init(&b->errors);
    assert_int_equal(xlsx_open(&b->x, b->path, "guard", constant_memory, &b->errors), BV_OK);
}

/* The writers a sheet is built with, each asked to write one cell (or row) at (r, c). */
enum { NUMBER, TEXT, FORMULA, FORMULA_NAN, BOOLEAN, FORMULA_TEXT, ROW_HEIGHT, WRITERS };
static const char *const writer_names[WRITERS] = {
    "number", "text", "formula", "formula with no value", "boolean", "text formula",
    "row height"};

static void write_with(int writer, XlsxCells *x, lxw_worksheet *ws, int r, int c)
{
    switch (writer) {
    case NUMBER:
        xlsx_number(x, ws, r, c, 1.5, NULL);
        break;
    case TEXT:
        xlsx_text(x, ws, r, c, "text", NULL);
        break;
    case FORMULA:
        xlsx_formula(x, ws, r, c, NULL, 2.0, "=%d+1", 1);
        break;
    case FORMULA_NAN:
        xlsx_formula(x, ws, r, c, NULL, (double)NAN, "=%d/0", 1);
        break;
    case BOOLEAN:
        xlsx_boolean(x, ws, r, c, true, NULL);
        break;
    case FORMULA_TEXT:
        xlsx_formula_text(x, ws, r, c, "=\"a\"", NULL, "a");
        break;
    default:
        xlsx_row_height(x, ws, r, 20);
        break;
    }
}

/* Row 6 (index 5) then row 4 (index 3) on sheet "Rows": every writer is refused, and the
 * close names the sheet and both rows (1-based, as a spreadsheet shows them). */
static void test_row_above_the_current_one_fails_loudly(void **state)
{
    (void)state;
    for (int writer = 0; writer < WRITERS; writer++) {
        Book b;
        open_book(&b, "backwards", true);
        lxw_worksheet *ws = xlsx_sheet(&b.x, "Rows");
        assert_non_null(ws);
        xlsx_number(&b.x, ws, 5, 0, 1, NULL);
        assert_int_equal(b.x.err, LXW_NO_ERROR);
        write_with(writer, &b.x, ws, 3, 1);
        if (b.x.err == LXW_NO_ERROR)
            fail_msg("the %s writer accepted row 4 after row 6", writer_names[writer]);
        assert_string_equal(b.x.why,
                            "sheet 'Rows': row 4 written after row 6 (rows must be written top "
                            "to bottom)");
        assert_int_equal(xlsx_close(&b.x, b.path, &b.errors), BV_ERR_IO);
        const BvError *e = unit_expect_error(&b.errors, "sheet 'Rows': row 4 written after row 6");
        assert_int_equal(e->status, BV_ERR_IO);
        assert_non_null(strstr(e->message, "writing the workbook failed"));
        remove(b.path);
    }
}

/* The first refusal is the one reported: a later, second out-of-order row does not replace
 * it. */
static void test_first_refusal_is_kept(void **state)
{
    (void)state;
    Book b;
    open_book(&b, "first", true);
    lxw_worksheet *ws = xlsx_sheet(&b.x, "Trail");
    xlsx_number(&b.x, ws, 9, 0, 1, NULL);
    xlsx_number(&b.x, ws, 2, 0, 1, NULL);
    xlsx_number(&b.x, ws, 0, 0, 1, NULL);
    assert_string_equal(b.x.why, "sheet 'Trail': row 3 written after row 10 (rows must be "
                                 "written top to bottom)");
    assert_int_equal(xlsx_close(&b.x, b.path, &b.errors), BV_ERR_IO);
    remove(b.path);
}

/* Rows 1, 1 (another column), 2 and 6 on "First", then rows 1 and 3 on "Second" (a new sheet
 * starts again at its top): all accepted, and every cell is in the file. */
static void test_in_order_writes_pass_and_reach_the_file(void **state)
{
    (void)state;
    for (int writer = 0; writer < WRITERS; writer++) {
        Book b;
        open_book(&b, "in_order", true);
        lxw_worksheet *first = xlsx_sheet(&b.x, "First");
        lxw_worksheet *second = xlsx_sheet(&b.x, "Second");
        xlsx_text(&b.x, first, 0, 0, "head", NULL);
        xlsx_number(&b.x, first, 0, 1, 1, NULL);
        write_with(writer, &b.x, first, 1, 2);
        xlsx_number(&b.x, first, 5, 0, 6, NULL);
        xlsx_number(&b.x, second, 0, 0, 1, NULL);
        xlsx_number(&b.x, second, 2, 3, 3, NULL);
        assert_int_equal(b.x.err, LXW_NO_ERROR);
        assert_string_equal(b.x.why, "");
        if (xlsx_close(&b.x, b.path, &b.errors) != BV_OK) {
            unit_dump_errors(&b.errors);
            fail_msg("in-order writes with the %s writer failed", writer_names[writer]);
        }
        char *one = read_part(b.path, "xl/worksheets/sheet1.xml");
        char *two = read_part(b.path, "xl/worksheets/sheet2.xml");
        assert_non_null(one);
        assert_non_null(two);
        assert_non_null(strstr(one, "<c r=\"A1\""));
        assert_non_null(strstr(one, "<c r=\"B1\""));
        assert_non_null(strstr(one, "<c r=\"A6\""));
        assert_non_null(strstr(one, writer == ROW_HEIGHT ? "<row r=\"2\"" : "<c r=\"C2\""));
        assert_non_null(strstr(two, "<c r=\"A1\""));
        assert_non_null(strstr(two, "<c r=\"D3\""));
        free(one);
        free(two);
        remove(b.path);
    }
}

/* Without constant memory every row stays in memory until the close: any order is kept, so
 * the guard stands aside. */
static void test_guard_off_without_constant_memory(void **state)
{
    (void)state;
    Book b;
    open_book(&b, "in_memory", false);
    lxw_worksheet *ws = xlsx_sheet(&b.x, "Any order");
    xlsx_number(&b.x, ws, 5, 0, 6, NULL);
    xlsx_number(&b.x, ws, 3, 1, 4, NULL);
    assert_int_equal(b.x.err, LXW_NO_ERROR);
    assert_int_equal(xlsx_close(&b.x, b.path, &b.errors), BV_OK);
    char *sheet = read_part(b.path, "xl/worksheets/sheet1.xml");
    assert_non_null(sheet);
    assert_non_null(strstr(sheet, "<c r=\"A6\""));
    assert_non_null(strstr(sheet, "<c r=\"B4\""));
    free(sheet);
    remove(b.path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_above_the_current_one_fails_loudly),
        cmocka_unit_test(test_first_refusal_is_kept),
        cmocka_unit_test(test_in_order_writes_pass_and_reach_the_file),
        cmocka_unit_test(test_guard_off_without_constant_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
