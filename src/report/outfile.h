/*
 * outfile.h — write an output file so that a failed run leaves nothing behind and never
 * replaces a good file: write under a temporary name in the target's directory, then rename.
 */
#ifndef BOOKVAL_OUTFILE_H
#define BOOKVAL_OUTFILE_H

#include <stdio.h>

#include "error.h"

typedef struct OutFile OutFile;

/*
 * Create a temporary file beside `target` (".NAME.XXXXXX" in the same directory, so the
 * final rename is atomic). exceptions: BV_ERR_IO naming the target when the directory is
 * missing or not writable; BV_ERR_NOMEM.
 */
BvStatus outfile_open(const char *target, OutFile **out, BvErrors *errors);

/* The temporary file's path, for writers that want a file name (libxlsxwriter). */
const char *outfile_temp_path(const OutFile *f);

/* The temporary file as a stream, for writers that want one (JSON). */
FILE *outfile_stream(OutFile *f);

/* Flush, close and rename over the target. On failure the temporary file is removed and the
 * target left as it was. Frees f either way. */
BvStatus outfile_commit(OutFile *f, BvErrors *errors);

/*
 * Commit the outputs of one run together: every file is flushed to disk and closed before
 * any is renamed, so a full disk or a failed write leaves every target as it was. Only a
 * rename can still fail after another succeeded (the directory removed in between). Frees
 * every file and sets each files[i] to NULL, whatever the outcome; NULL entries are skipped.
 */
BvStatus outfile_commit_all(OutFile **files, size_t count, BvErrors *errors);

/* Remove the temporary file and free f. NULL is a no-op. */
void outfile_abort(OutFile *f);

#endif
