/*
 * fuzz_common.c — scratch directory, input files and the error contract for the fuzz targets.
 * Test code: it may print and abort, which is how a fuzz target reports a finding.
 */
#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <gsl/gsl_errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef FUZZ_SOURCE_ROOT
#error "FUZZ_SOURCE_ROOT must name the source tree (its models/ is copied beside the input)"
#endif

static char scratch[512];
static char path_buf[1024];
static BvErrors *errors_list;
static pid_t owner;

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void remove_scratch(void)
{
    if (scratch[0] && getpid() == owner)
        nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb");
    FILE *out = in ? fopen(to, "wb") : NULL;
    if (!in || !out)
        fuzz_fail("cannot copy %s to %s: %s", from, to, strerror(errno));
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            fuzz_fail("cannot write %s: %s", to, strerror(errno));
    fclose(in);
    if (fclose(out) != 0)
        fuzz_fail("cannot write %s: %s", to, strerror(errno));
}

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n > k && strcmp(name + n - k, suffix) == 0;
}

/* Copy the *.yaml and *.csv files of `from` into `to` (made if needed), and of its
 * subdirectories too when `recurse`. */
static void copy_inputs(const char *from, const char *to, bool recurse)
{
    if (mkdir(to, 0700) != 0 && errno != EEXIST)
        fuzz_fail("cannot make %s: %s", to, strerror(errno));
    DIR *dir = opendir(from);
    if (!dir)
        fuzz_fail("cannot read %s: %s", from, strerror(errno));
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char src[1024], dst[1024];
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
        struct stat st;
        if (stat(src, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (recurse)
                copy_inputs(src, dst, true);
        } else if (has_suffix(e->d_name, ".yaml") || has_suffix(e->d_name, ".csv")) {
            copy_file(src, dst);
        }
    }
    closedir(dir);
}

void fuzz_setup(void)
{
    if (scratch[0])
        return;
    gsl_set_error_handler_off();
#ifdef _OPENMP
    omp_set_num_threads(1); /* the machine is shared; one execution, one core */
#endif
    const char *base = getenv("BOOKVAL_FUZZ_TMP");
    if (!base || !*base)
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    snprintf(scratch, sizeof scratch, "%s/bookval-fuzz-%ld-XXXXXX", base, (long)getpid());
    if (!mkdtemp(scratch))
        fuzz_fail("cannot make a scratch directory under %s: %s", base, strerror(errno));
    owner = getpid();
    atexit(remove_scratch);
    /* The shipped models and scenarios, so `extends: accounting-practice` and
     * `extends: accounting-practice-sale.yaml` resolve as they do in scenarios/. */
    copy_inputs(FUZZ_SOURCE_ROOT "/models", fuzz_path("models"), true);
    copy_inputs(FUZZ_SOURCE_ROOT "/scenarios", scratch, false);
    errors_list = malloc(sizeof *errors_list);
    if (!errors_list)
        fuzz_fail("out of memory");
    bv_errors_init(errors_list);
}

const char *fuzz_path(const char *name)
{
    snprintf(path_buf, sizeof path_buf, "%s/%s", scratch, name);
    return path_buf;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
    const char *path = fuzz_path(name);
    FILE *f = fopen(path, "wb");
    if (!f)
        fuzz_fail("cannot write %s: %s", path, strerror(errno));
    if ((size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fuzz_fail("cannot write %s: %s", path, strerror(errno));
    return path;
}

BvErrors *fuzz_errors(void)
{
    return errors_list;
}

/*
 * Findings already reported and not fixed yet, tolerated only in a build with
 * -DFUZZ_TOLERATE_KNOWN so a campaign can look past them: the key and the start of the message
 * of an error that breaks the contract. Add an entry while its fix is pending; delete it (and
 * move its reproducer into regressions/) once the fix is in. None is pending now.
 */
typedef struct KnownFinding {
    const char *key, *message;
} KnownFinding;

static const KnownFinding known_findings[] = {
    {NULL, NULL}, /* end of the list */
};

static bool tolerated(const BvError *e)
{
#ifdef FUZZ_TOLERATE_KNOWN
    for (const KnownFinding *k = known_findings; k->key; k++)
        if (strcmp(e->key, k->key) == 0 && strncmp(e->message, k->message, strlen(k->message)) == 0)
            return true;
#else
    (void)e;
    (void)known_findings;
#endif
    return false;
}

static void dump_errors(const BvErrors *errors, size_t before)
{
    char line[BV_ERROR_FILE_MAX + BV_ERROR_KEY_MAX + BV_ERROR_MESSAGE_MAX + 64];
    for (size_t i = before; i < errors->count; i++) {
        bv_error_format(&errors->items[i], line, sizeof line);
        fprintf(stderr, "  [%zu] status %d (%s), line %d col %d: %s\n", i,
                (int)errors->items[i].status, bv_status_name(errors->items[i].status),
                errors->items[i].line, errors->items[i].col, line);
    }
    if (errors->dropped)
        fprintf(stderr, "  (%zu dropped)\n", errors->dropped);
}

void fuzz_check_stage(const char *stage, BvStatus status, bool made, const BvErrors *errors,
                      size_t before)
{
    size_t after = errors->count + errors->dropped;
    const char *broken = NULL;
    if ((unsigned)status >= BV_STATUS_COUNT)
        broken = "returned a status outside BvStatus";
    else if (status == BV_OK && !made)
        broken = "returned BV_OK but made nothing";
    else if (status == BV_OK && after != before)
        broken = "returned BV_OK and recorded errors (both)";
    else if (status != BV_OK && made)
        broken = "failed but handed back its result (both)";
    else if (status != BV_OK && after == before)
        broken = "failed without recording an error (neither)";
    for (size_t i = before; !broken && i < errors->count; i++) {
        const BvError *e = &errors->items[i];
        if ((unsigned)e->status >= BV_STATUS_COUNT || e->status == BV_OK)
            broken = "recorded an error with status BV_OK or outside BvStatus";
        else if (!memchr(e->message, '\0', sizeof e->message) || e->message[0] == '\0')
            broken = "recorded an error with an empty message";
        else if (e->status == BV_ERR_INPUT && !tolerated(e)) {
            if (e->line > 0 && (e->file[0] == '\0' || e->col < 1))
                broken = "recorded an input error with a line but no file or no column";
            else if (e->line < 0 || e->col < 0)
                broken = "recorded an input error at a negative line or column";
            else if (e->line == 0 && e->file[0] == '\0')
                broken = "recorded an input error with no position (no file, no line)";
            else if (e->line == 0 && e->col != 0)
                broken = "recorded a whole-file input error with a column";
        }
    }
    if (!broken && status != BV_OK && errors->count > before) {
        /* The status returned is the most severe one recorded (bv_errors_status's rule). */
        bool seen = false;
        for (size_t i = before; i < errors->count; i++)
            seen |= errors->items[i].status == status;
        if (!seen && errors->dropped == 0)
            broken = "returned a status that none of its errors has";
    }
    if (broken) {
        fprintf(stderr, "fuzz: %s %s (status %d, %zu new errors)\n", stage, broken, (int)status,
                after - before);
        dump_errors(errors, before);
        abort();
    }
}
