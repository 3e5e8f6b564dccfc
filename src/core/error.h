/*
 * error.h — bookval's one error type.
 *
 * Every failure is a status from BvStatus plus, where it came from input, the place it was
 * written: file, 1-based line and column, and the key path. Library code only records errors;
 * main.c alone prints them and chooses the exit code.
 */
#ifndef BOOKVAL_ERROR_H
#define BOOKVAL_ERROR_H

#include <stddef.h>

typedef enum BvStatus {
    BV_OK = 0,
    BV_ERR_USAGE,   /* bad command line */
    BV_ERR_INPUT,   /* invalid scenario, CSV or history: the user must change the input */
    BV_ERR_NOMEM,   /* an allocation failed */
    BV_ERR_IO,      /* reading or writing a file failed */
    BV_ERR_NUMERIC, /* a computation failed to converge or left the finite range */
    BV_STATUS_COUNT
} BvStatus;

/* Where a value was written. file points at a string owned by whoever made the mark (the
 * scenario tree keeps its file names alive as long as the tree). line and col are 1-based;
 * 0 means "not known" (a whole file, a command-line option). */
typedef struct Mark {
    const char *file;
    int line;
    int col;
} Mark;

#define BV_ERROR_MESSAGE_MAX 400
#define BV_ERROR_FILE_MAX 256
#define BV_ERROR_KEY_MAX 160

typedef struct BvError {
    BvStatus status;
    char file[BV_ERROR_FILE_MAX];
    int line, col;
    char key[BV_ERROR_KEY_MAX];     /* dotted key path, "" when none applies */
    char message[BV_ERROR_MESSAGE_MAX];
} BvError;

/* A list of errors, so `validate` can report every problem in one pass. Bounded: past
 * BV_ERRORS_MAX further errors are counted in `dropped` but not stored. */
#define BV_ERRORS_MAX 200

typedef struct BvErrors {
    BvError items[BV_ERRORS_MAX];
    size_t count;
    size_t dropped;
} BvErrors;

/* A short English name of a status ("invalid input"). Never NULL. */
const char *bv_status_name(BvStatus status);

/* The process exit code DESIGN §3 gives a status: 0 ok, 2 usage or input, 1 anything else. */
int bv_status_exit_code(BvStatus status);

/* The status of a failed system call with errno `e`: BV_ERR_NOMEM when the system ran out
 * of memory (a file that exists but could not be opened for that reason is not the user's
 * input error), otherwise `otherwise`. */
BvStatus bv_errno_status(int e, BvStatus otherwise);

void bv_errors_init(BvErrors *errors);

/* Record an error at `mark` (may be NULL) for key path `key` (may be NULL). The message is a
 * printf format. Returns `status` so callers can write `return bv_error(...)`. */
BvStatus bv_error(BvErrors *errors, BvStatus status, const Mark *mark, const char *key,
                  const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The most severe status recorded (BV_OK when none). Input errors outrank nothing else:
 * an I/O or memory failure wins, since it is not the user's input at fault. */
BvStatus bv_errors_status(const BvErrors *errors);

/* Order the errors by file (in order of first appearance), line and column, keeping the
 * order of errors at the same place: a reader goes through a file top to bottom. */
void bv_errors_sort(BvErrors *errors);

/* Format one error as "FILE:LINE:COL: error: KEY: MESSAGE" (parts that are unknown are left
 * out) into buf. */
void bv_error_format(const BvError *error, char *buf, size_t size);

#endif
