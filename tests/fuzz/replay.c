/*
 * replay.c — a main() for a fuzz target without libFuzzer, so CTest replays the regression
 * corpus with the ordinary compiler on every run.
 *
 *     replay_fuzz_scenario FILE_OR_DIR...
 *
 * Each file (a directory: each of its files, by name, dot files skipped) goes through the
 * target's LLVMFuzzerTestOneInput once. A broken contract aborts, naming the file last
 * announced on stderr, and so does an input that runs longer than FUZZ_REPLAY_TIMEOUT seconds
 * (default 5; 0: no limit), so a fixed slowness stays fixed. Exit 0 when every input passed,
 * 2 on a usage or read error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"

#define REPLAY_DEFAULT_TIMEOUT 5 /* seconds per input */

static unsigned timeout_seconds = REPLAY_DEFAULT_TIMEOUT;

static void on_alarm(int sig)
{
    (void)sig;
    static const char message[] = "replay: the input above ran past FUZZ_REPLAY_TIMEOUT\n";
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
    abort();
}

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *grown = realloc(buf, 2 * cap);
            if (!grown) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    int failed = !buf || ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        return -1;
    }
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    fflush(stderr);
    alarm(timeout_seconds);
    LLVMFuzzerTestOneInput(buf, n);
    alarm(0);
    free(buf);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files directly in `dir`, by name. Returns how many were replayed, -1 on an error. */
static int replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot read %s: %s\n", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (count == cap) {
            cap = cap ? 2 * cap : 64;
            char **grown = realloc(names, cap * sizeof *grown);
            if (!grown) {
                rc = -1;
                break;
            }
            names = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[count] = malloc(len))) {
            rc = -1;
            break;
        }
        snprintf(names[count++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof *names, by_name);
    int replayed = 0;
    for (size_t i = 0; i < count; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(names[i]) != 0)
                rc = -1;
            else
                replayed++;
        }
        free(names[i]);
    }
    free(names);
    return rc == 0 ? replayed : -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    const char *limit = getenv("FUZZ_REPLAY_TIMEOUT");
    if (limit && *limit) {
        char *end;
        unsigned long t = strtoul(limit, &end, 10);
        if (*end || t > 86400) {
            fprintf(stderr, "replay: FUZZ_REPLAY_TIMEOUT takes seconds (0: none), got '%s'\n",
                    limit);
            return 2;
        }
        timeout_seconds = (unsigned)t;
    }
    signal(SIGALRM, on_alarm);
    LLVMFuzzerInitialize(&argc, &argv);
    int total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        int n;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            return 2;
        }
        if (S_ISDIR(st.st_mode))
            n = replay_dir(argv[i]);
        else
            n = replay_file(argv[i]) == 0 ? 1 : -1;
        if (n < 0)
            return 2;
        total += n;
    }
    printf("replay: %d inputs passed\n", total);
    return 0;
}
