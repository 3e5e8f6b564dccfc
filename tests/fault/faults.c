/*
 * faults.c — make the N-th allocation of a bookval run fail, or its output directory vanish.
 *
 * Linked into a test-only copy of the command (bookval_faults), this file defines malloc,
 * calloc, realloc, strdup and strndup. A definition in the executable wins over the C
 * library's for every caller in the process, so the count covers bookval's own code and the
 * libraries it calls (libyaml, libcsv, libxlsxwriter, zlib, GSL, stdio) alike. The real
 * allocator is the C library's, or AddressSanitizer's in the sanitizer build, so that build
 * still reports every leak and bad access on the failure paths.
 *
 * Environment:
 *   BOOKVAL_FAIL_ALLOC_AT=N    the N-th counted allocation returns NULL (errno ENOMEM);
 *                              0 or unset: none fails.
 *   BOOKVAL_FAIL_ALLOC_COUNT=F at exit, write the number of counted allocations to file F.
 *   BOOKVAL_VANISH=open|rename the output directory is removed, with what it holds, just
 *                              before the first output file is created (mkstemp) or just
 *                              before the first finished output is renamed into place.
 *
 * Counting starts when the executable's constructors run, after the libraries have
 * initialised, and stops at exit. Only one allocation fails: what follows a failure must
 * cope with a memory that works again, as it does when a large request fails and small
 * ones still succeed. aligned allocations (posix_memalign, aligned_alloc) are not counted;
 * bookval does not make them.
 *
 * Allocations libxlsxwriter and its zip writer (minizip) make themselves are not counted:
 * the XML writer uses the result of calloc unchecked (lxw_new_attribute_str and _int), some
 * cell writers report a failure on stderr but not to the caller, and minizip crashes or
 * leaks when its own allocations fail, so failing them tests those libraries, not bookval.
 * What bookval asks of them is counted, and so is what they ask of zlib and the C library.
 */
#define _GNU_SOURCE
#include <link.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
void *__interceptor_malloc(size_t size);
void *__interceptor_calloc(size_t count, size_t size);
void *__interceptor_realloc(void *ptr, size_t size);
#define REAL_MALLOC __interceptor_malloc
#define REAL_CALLOC __interceptor_calloc
#define REAL_REALLOC __interceptor_realloc
#else
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
#define REAL_MALLOC __libc_malloc
#define REAL_CALLOC __libc_calloc
#define REAL_REALLOC __libc_realloc
#endif

static atomic_int armed;
static atomic_ulong counted;
static unsigned long fail_at;
static const char *count_file;

/* The code of the libraries whose own allocations are not counted. */
static const char *const skipped_libraries[] = {"/libxlsxwriter.so", "/libminizip.so"};
#define SKIPPED_MAX 8
static struct {
    uintptr_t start, end;
} skipped[SKIPPED_MAX];
static int skipped_count;

static int find_skipped_libraries(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    for (size_t k = 0; k < sizeof skipped_libraries / sizeof skipped_libraries[0]; k++) {
        if (!strstr(info->dlpi_name, skipped_libraries[k]))
            continue;
        for (int i = 0; i < info->dlpi_phnum && skipped_count < SKIPPED_MAX; i++) {
            const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
            if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
                skipped[skipped_count].start = info->dlpi_addr + ph->p_vaddr;
                skipped[skipped_count].end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
                skipped_count++;
            }
        }
    }
    return 0;
}

/* True when this allocation, called from `caller`, is the one that must fail. */
static int should_fail(const void *caller)
{
    if (!atomic_load_explicit(&armed, memory_order_relaxed))
        return 0;
    for (int i = 0; i < skipped_count; i++)
        if ((uintptr_t)caller >= skipped[i].start && (uintptr_t)caller < skipped[i].end)
            return 0;
    unsigned long n = atomic_fetch_add_explicit(&counted, 1, memory_order_relaxed) + 1;
    if (n == fail_at) {
        errno = ENOMEM;
        return 1;
    }
    return 0;
}

static void report_count(void)
{
    atomic_store(&armed, 0);
    if (!count_file)
        return;
    char text[32];
    int len = snprintf(text, sizeof text, "%lu\n", atomic_load(&counted));
    int fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        if (write(fd, text, (size_t)len) != len)
            perror(count_file);
        close(fd);
    }
}

__attribute__((constructor)) static void arm(void)
{
    const char *at = getenv("BOOKVAL_FAIL_ALLOC_AT");
    fail_at = at ? strtoul(at, NULL, 10) : 0;
    count_file = getenv("BOOKVAL_FAIL_ALLOC_COUNT");
    dl_iterate_phdr(find_skipped_libraries, NULL);
    atexit(report_count);
    atomic_store(&armed, 1);
}

void *malloc(size_t size)
{
    return should_fail(__builtin_return_address(0)) ? NULL : REAL_MALLOC(size);
}

void *calloc(size_t count, size_t size)
{
    return should_fail(__builtin_return_address(0)) ? NULL : REAL_CALLOC(count, size);
}

void *realloc(void *ptr, size_t size)
{
    return should_fail(__builtin_return_address(0)) ? NULL : REAL_REALLOC(ptr, size);
}

/* Copies through the real allocator, counted against their own caller. */
static char *copy_string(const char *s, size_t max, const void *caller)
{
    if (should_fail(caller))
        return NULL;
    size_t len = strnlen(s, max);
    char *copy = REAL_MALLOC(len + 1);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

char *strndup(const char *s, size_t max)
{
    return copy_string(s, max, __builtin_return_address(0));
}

char *strdup(const char *s)
{
    return copy_string(s, (size_t)-1, __builtin_return_address(0));
}

/* ---- the output directory vanishing ---- */

static void remove_directory_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char file[8192];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        unlink(file);
    }
    closedir(d);
    rmdir(dir);
}

/* True the first time the fault named `when` is due. */
static int vanish_now(const char *when)
{
    static atomic_int done;
    const char *v = getenv("BOOKVAL_VANISH");
    return v && strcmp(v, when) == 0 && !atomic_exchange(&done, 1);
}

/* The definitions below win over the C library's for bookval's calls; each passes on to a
 * sibling function the C library does not implement through it. */
int mkstemp(char *template)
{
    if (vanish_now("open"))
        remove_directory_of(template);
    return mkostemp(template, 0);
}

int rename(const char *from, const char *to)
{
    if (vanish_now("rename"))
        remove_directory_of(to);
    return renameat(AT_FDCWD, from, AT_FDCWD, to);
}
