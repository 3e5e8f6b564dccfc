/*
 * fuzz_common.h — what the three fuzz targets share: a private scratch directory, writing the
 * input into it, and the loader's contract checked on every execution.
 *
 * A broken contract prints the errors it saw and aborts, which libFuzzer (and the replay
 * driver, replay.c) report as a crash with the input that caused it.
 */
#ifndef BOOKVAL_FUZZ_COMMON_H
#define BOOKVAL_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "scenario.h"

/* libFuzzer's entry points (also called by replay.c). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Once per process: GSL's handler off, one OpenMP thread, a fresh directory under
 * $BOOKVAL_FUZZ_TMP, else /dev/shm, $TMPDIR or /tmp, holding copies of the source tree's
 * models/ and of the YAML and CSV files in scenarios/ (so `extends:` resolves as beside a
 * shipped scenario), removed at exit. Aborts when it cannot. */
void fuzz_setup(void);

/* "<scratch dir>/<name>", in a static buffer valid until the next call. */
const char *fuzz_path(const char *name);

/* Replace the file `name` in the scratch directory by `size` bytes of `data`. Aborts on
 * failure (a full /dev/shm is not a finding). Returns its path (as fuzz_path). */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

/* The error list every stage writes into (one per process: it is 160 KiB). */
BvErrors *fuzz_errors(void);

/*
 * A stage's contract: BV_OK with `made` true and no new error, or a failure with `made` false
 * and at least one new error, each with a position: an input error names its file and a line
 * (line >= 1, col >= 1) or, with line 0, the whole file; every message is non-empty. `before`
 * is errors->count + errors->dropped before the stage. Aborts, naming `stage`, when broken.
 */
void fuzz_check_stage(const char *stage, BvStatus status, bool made, const BvErrors *errors,
                      size_t before);

/* Abort with a message: an invariant that is not about errors (a NaN result). */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
