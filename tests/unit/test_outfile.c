/*
 * test_outfile.c — writing an output under a temporary name and renaming it (src/outfile.c):
 * a failed run leaves nothing behind and never replaces a good file (DESIGN §3).
 *
 * Files live in TEST_BUILD_DIR/outfile_unit/, which each test empties first, so "nothing
 * left behind" can be checked by listing the directory.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit_support.h"

#include "outfile.h"

static char dir[512];

/* Remove everything in `path`, one level of subdirectories deep (all the tests create). */
static void empty_dir_at(const char *path, int depth)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat st;
        if (depth == 0 && lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            empty_dir_at(p, 1);
            rmdir(p);
        } else {
            remove(p);
        }
    }
    closedir(d);
}

static void empty_dir(void)
{
    empty_dir_at(dir, 0);
}

static int setup(void **state)
{
    (void)state;
    unit_build_path(dir, sizeof dir, "outfile_unit");
    mkdir(dir, 0755);
    struct stat st;
    return stat(dir, &st) == 0 && S_ISDIR(st.st_mode) ? 0 : -1;
}

static int each(void **state)
{
    (void)state;
    empty_dir();
    return 0;
}

/* Number of entries in dir (without . and ..). */
static int entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* The whole content of path into buf (NUL-terminated); false when it cannot be opened. */
static bool slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    return true;
}

static void target(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void test_commit_writes_target(void **state)
{
    (void)state;
    char path[600], buf[256];
    target(path, sizeof path, "valuation.json");
    BvErrors errors;
    bv_errors_init(&errors);
    OutFile *f = NULL;
    assert_int_equal(outfile_open(path, &f, &errors), BV_OK);
    assert_non_null(f);
    assert_int_equal(errors.count, 0);
    /* The temporary file is ".valuation.json.XXXXXX" in the same directory. */
    const char *temp = outfile_temp_path(f);
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s/.valuation.json.", dir);
    assert_int_equal(strncmp(temp, prefix, strlen(prefix)), 0);
    assert_int_equal(strlen(temp), strlen(prefix) + 6);
    assert_int_equal(access(temp, F_OK), 0);
    assert_int_equal(access(path, F_OK), -1); /* nothing at the target until commit */
    fputs("{\"value\": 2385.17}\n", outfile_stream(f));
    assert_int_equal(outfile_commit(f, &errors), BV_OK);
    assert_int_equal(errors.count, 0);
    assert_true(slurp(path, buf, sizeof buf));
    assert_string_equal(buf, "{\"value\": 2385.17}\n");
    assert_int_equal(entries(), 1); /* the temporary file is gone */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true((st.st_mode & (S_IRUSR | S_IWUSR)) == (S_IRUSR | S_IWUSR));

    /* A second commit replaces the first file. */
    assert_int_equal(outfile_open(path, &f, &errors), BV_OK);
    fputs("{\"value\": 1190.55}\n", outfile_stream(f));
    assert_int_equal(outfile_commit(f, &errors), BV_OK);
    assert_true(slurp(path, buf, sizeof buf));
    assert_string_equal(buf, "{\"value\": 1190.55}\n");
    assert_int_equal(entries(), 1);
}

/* A relative target is written in the current directory. */
static void test_relative_target(void **state)
{
    (void)state;
    char cwd[1024], buf[64];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    BvErrors errors;
    bv_errors_init(&errors);
    OutFile *f = NULL;
    BvStatus s = outfile_open("relative.txt", &f, &errors);
    if (s == BV_OK) {
        assert_int_equal(strncmp(outfile_temp_path(f), ".relative.txt.", 14), 0);
        fputs("0.0375", outfile_stream(f));
        s = outfile_commit(f, &errors);
    }
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(s, BV_OK);
    char path[600];
    target(path, sizeof path, "relative.txt");
    assert_true(slurp(path, buf, sizeof buf));
    assert_string_equal(buf, "0.0375");
}

static void test_abort_leaves_nothing(void **state)
{
    (void)state;
    char path[600];
    target(path, sizeof path, "aborted.xlsx");
    BvErrors errors;
    bv_errors_init(&errors);
    OutFile *f = NULL;
    assert_int_equal(outfile_open(path, &f, &errors), BV_OK);
    fputs("half a workbook", outfile_stream(f));
    assert_int_equal(entries(), 1);
    outfile_abort(f);
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(entries(), 0);
    assert_int_equal(errors.count, 0);
    outfile_abort(NULL); /* no-op */
}

static void test_abort_keeps_existing_target(void **state)
{
    (void)state;
    char path[600], buf[256];
    target(path, sizeof path, "good.xlsx");
    unit_write_text(path, "the good workbook: 2385.17\n");
    BvErrors errors;
    bv_errors_init(&errors);
    OutFile *f = NULL;
    assert_int_equal(outfile_open(path, &f, &errors), BV_OK);
    /* The existing file is untouched while the new one is written ... */
    assert_true(slurp(path, buf, sizeof buf));
    assert_string_equal(buf, "the good workbook: 2385.17\n");
    fputs("a failed run's partial output", outfile_stream(f));
    fflush(outfile_stream(f));
    assert_true(slurp(path, buf, sizeof buf));
    assert_string_equal(buf, "the good workbook: 2385.17\n");
    /* ... and after an abort. */
    outfile_abort(f);
    assert_true(slurp(path, buf, sizeof buf));
    assert_string_equal(buf, "the good workbook: 2385.17\n");
    assert_int_equal(entries(), 1);
}

static void test_missing_directory(void **state)
{
    (void)state;
    char path[600];
    target(path, sizeof path, "no_such_dir/out.xlsx");
    BvErrors errors;
    bv_errors_init(&errors);
    OutFile *f = (OutFile *)&errors; /* must be reset to NULL */
    assert_int_equal(outfile_open(path, &f, &errors), BV_ERR_IO);
    assert_null(f);
    assert_int_equal(errors.count, 1);
    const BvError *e = &errors.items[0];
    assert_int_equal(e->status, BV_ERR_IO);
    assert_string_equal(e->file, path); /* names the target */
    assert_int_equal(e->line, 0);
    assert_string_equal(e->message, "cannot write here: No such file or directory");
    char line[1024];
    bv_error_format(e, line, sizeof line);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "%s: error: cannot write here: No such file or directory", path);
    assert_string_equal(line, expected);
    assert_int_equal(entries(), 0);
}

static void test_target_is_directory(void **state)
{
    (void)state;
    char path[600];
    target(path, sizeof path, "a_directory");
    assert_int_equal(mkdir(path, 0755), 0);
    BvErrors errors;
    bv_errors_init(&errors);
    OutFile *f = NULL;
    assert_int_equal(outfile_open(path, &f, &errors), BV_ERR_IO);
    assert_null(f);
    assert_int_equal(errors.count, 1);
    assert_string_equal(errors.items[0].file, path);
    assert_string_equal(errors.items[0].message, "is a directory; give a file name");
    assert_int_equal(rmdir(path), 0);
    assert_int_equal(entries(), 0);
}

/* The rename fails when the target has become a non-empty directory meanwhile: commit
 * reports an I/O error naming the target, removes the temporary file and frees f. */
static void test_commit_failure_cleans_up(void **state)
{
    (void)state;
    char path[600], inner[700];
    target(path, sizeof path, "became_a_dir.json");
    BvErrors errors;
    bv_errors_init(&errors);
    OutFile *f = NULL;
    assert_int_equal(outfile_open(path, &f, &errors), BV_OK);
    fputs("{\"value\": 731.4}", outfile_stream(f));
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(inner, sizeof inner, "%s/keep", path);
    unit_write_text(inner, "x");
    assert_int_equal(outfile_commit(f, &errors), BV_ERR_IO);
    assert_int_equal(errors.count, 1);
    /* Only the directory we made is left: no temporary file. */
    assert_int_equal(entries(), 1);
    assert_int_equal(remove(inner), 0);
    assert_int_equal(rmdir(path), 0);
    assert_contains(errors.items[0].message, "write failed: ");
    assert_string_equal(errors.items[0].file, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_commit_writes_target, each),
        cmocka_unit_test_setup(test_relative_target, each),
        cmocka_unit_test_setup(test_abort_leaves_nothing, each),
        cmocka_unit_test_setup(test_abort_keeps_existing_target, each),
        cmocka_unit_test_setup(test_missing_directory, each),
        cmocka_unit_test_setup(test_target_is_directory, each),
        cmocka_unit_test_setup(test_commit_failure_cleans_up, each),
    };
    return cmocka_run_group_tests_name("outfile", tests, setup, NULL);
}
