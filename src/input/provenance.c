/*
 * provenance.c — SHA-256 (nettle) and size of each input file, in the order read.
 */
#include "provenance.h"

#include <stdio.h>
#include <string.h>

void input_digest_init(InputDigest *d)
{
    sha256_init(&d->ctx);
    d->size = 0;
}

void input_digest_update(InputDigest *d, const void *bytes, size_t len)
{
    if (len)
        sha256_update(&d->ctx, len, bytes);
    d->size += len;
}

void input_files_add(InputFiles *files, const char *role, const char *path, InputDigest *d)
{
    if (files->count == INPUT_FILES_MAX) {
        files->dropped++;
        return;
    }
    InputFile *f = &files->items[files->count++];
    f->role = role;
    f->path = path;
    f->size = d->size;
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(&d->ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(f->sha256 + 2 * i, 3, "%02x", digest[i]);
}
