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

static BvStatus write_failed(const OutFile *f, int e, BvErrors *errors)
{
    return bv_error(errors, bv_errno_status(e, BV_ERR_IO), &(Mark){f->target, 0, 0}, NULL,
                    "write failed: %s", strerror(e));
}

/* Flush the data to disk and close the stream: where a full disk shows. */
static BvStatus finish(OutFile *f, BvErrors *errors)
{
    int failed = ferror(f->stream);
    int e = failed ? EIO : 0;
    if (fflush(f->stream) != 0 || fsync(fileno(f->stream)) != 0) {
        failed = 1;
        e = errno;
    }
    if (fclose(f->stream) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    f->stream = NULL;
    return failed ? write_failed(f, e, errors) : BV_OK;
}

static BvStatus rename_over_target(OutFile *f, BvErrors *errors)
{
    return rename(f->temp, f->target) == 0 ? BV_OK : write_failed(f, errno, errors);
}

BvStatus outfile_commit_all(OutFile **files, size_t count, BvErrors *errors)
{
    BvStatus status = BV_OK;
    for (size_t i = 0; i < count && status == BV_OK; i++)
        if (files[i])
            status = finish(files[i], errors);
    for (size_t i = 0; i < count && status == BV_OK; i++)
        if (files[i]) {
            status = rename_over_target(files[i], errors);
            if (status == BV_OK) {
                free(files[i]->temp);
                files[i]->temp = NULL; /* renamed: nothing left to remove */
            }
        }
    for (size_t i = 0; i < count; i++) {
        outfile_abort(files[i]);
        files[i] = NULL;
    }
    return status;
}

BvStatus outfile_commit(OutFile *f, BvErrors *errors)
{
    return outfile_commit_all(&f, 1, errors);
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
