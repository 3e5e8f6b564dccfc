/*
 * provenance.h — the input files a scenario was built from (the scenario, the models it
 * extends, its clients CSV), each hashed once as it is read, in the order read.
 *
 * Paths are kept as given (the command line's, the extends: value as written, the clients
 * CSV's path beside the scenario): never made absolute, so a workbook sent to a counterparty
 * does not reveal the sender's directories.
 */
#ifndef BOOKVAL_PROVENANCE_H
#define BOOKVAL_PROVENANCE_H

#include <stddef.h>

#include <nettle/sha2.h>

#define INPUT_FILES_MAX 64

typedef struct InputFile {
    const char *role;      /* "scenario", "model", "clients_csv" (static text) */
    const char *path;      /* as given; owned by the scenario's string pool */
    char sha256[65];       /* hex */
    unsigned long long size; /* bytes */
} InputFile;

typedef struct InputFiles {
    InputFile items[INPUT_FILES_MAX];
    size_t count;
    size_t dropped;        /* files read beyond INPUT_FILES_MAX (not recorded) */
} InputFiles;

/* A file's digest as it is read block by block. */
typedef struct InputDigest {
    struct sha256_ctx ctx;
    unsigned long long size;
} InputDigest;

void input_digest_init(InputDigest *d);
void input_digest_update(InputDigest *d, const void *bytes, size_t len);

/* Record the file (path copied by the caller into storage that outlives `files`). */
void input_files_add(InputFiles *files, const char *role, const char *path, InputDigest *d);

#endif
