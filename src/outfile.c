/*
 * outfile.c — temporary file, then rename.
 */
#include "outfile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct OutFile {
    char *target;
    char *temp;
    FILE *stream;
};

BvStatus outfile_open(const char *target, OutFile **out, BvErrors *errors)
{
    *out = NULL;
    Mark where = {target, 0, 0};
    OutFile *f = calloc(1, sizeof *f);
    size_t n = strlen(target) + 16;
    if (f) {
        f->target = strdup(target);
        f->temp = malloc(n);
    }
    if (!f || !f->target || !f->temp) {
        outfile_abort(f);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    const char *slash = strrchr(target, '/');
    int dir_len = slash ? (int)(slash - target + 1) : 0;
    snprintf(f->temp, n, "%.*s.%s.XXXXXX", dir_len, target, slash ? slash + 1 : target);
    struct stat st;
    if (stat(target, &st) == 0 && S_ISDIR(st.st_mode)) {
        free(f->temp);
        f->temp = NULL;
        outfile_abort(f);
        return bv_error(errors, BV_ERR_IO, &where, NULL, "is a directory; give a file name");
    }
    int fd = mkstemp(f->temp);
    if (fd < 0) {
        int e = errno;
        free(f->temp);
        f->temp = NULL;
        outfile_abort(f);
        return bv_error(errors, BV_ERR_IO, &where, NULL, "cannot write here: %s", strerror(e));
    }
    fchmod(fd, 0644);
    f->stream = fdopen(fd, "wb");
    if (!f->stream) {
        close(fd);
        outfile_abort(f);
        return bv_error(errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
    }
    *out = f;
    return BV_OK;
}

const char *outfile_temp_path(const OutFile *f)
{
    return f->temp;
}

FILE *outfile_stream(OutFile *f)
{
    return f->stream;
}

BvStatus outfile_commit(OutFile *f, BvErrors *errors)
{
    Mark where = {f->target, 0, 0};
    int failed = ferror(f->stream);
    int e = errno;
    if (fflush(f->stream) != 0 || fsync(fileno(f->stream)) != 0) {
        failed = 1;
        e = errno;
    }
    if (fclose(f->stream) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    f->stream = NULL;
    if (!failed && rename(f->temp, f->target) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        /* Record the error while f->target (which `where` points at) is still allocated. */
        BvStatus status = bv_error(errors, BV_ERR_IO, &where, NULL, "write failed: %s",
                                   strerror(e));
        outfile_abort(f);
        return status;
    }
    free(f->temp);
    free(f->target);
    free(f);
    return BV_OK;
}

void outfile_abort(OutFile *f)
{
    if (!f)
        return;
    if (f->stream)
        fclose(f->stream);
    if (f->temp)
        unlink(f->temp);
    free(f->temp);
    free(f->target);
    free(f);
}
