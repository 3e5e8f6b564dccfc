/*
 * runinfo.c — versions and the scenario's digest (nettle's SHA-256).
 */
#include "runinfo.h"

#include <csv.h>
#include <errno.h>
#include <gsl/gsl_version.h>
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>
#include <yaml.h>
#ifdef _OPENMP
#include <omp.h>
#endif

BvStatus runinfo_collect(const char *path, RunInfo *info, BvErrors *errors)
{
    memset(info, 0, sizeof *info);
    snprintf(info->bookval_version, sizeof info->bookval_version, "%s", BOOKVAL_VERSION);
    snprintf(info->gsl_version, sizeof info->gsl_version, "%s", gsl_version);
    snprintf(info->xlsxwriter_version, sizeof info->xlsxwriter_version, "%s", LXW_VERSION);
    snprintf(info->yaml_version, sizeof info->yaml_version, "%s", yaml_get_version_string());
    snprintf(info->csv_version, sizeof info->csv_version, "%d.%d.%d", CSV_MAJOR, CSV_MINOR,
             CSV_RELEASE);
    snprintf(info->nettle_version, sizeof info->nettle_version, "%d.%d",
             nettle_version_major(), nettle_version_minor());
#ifdef _OPENMP
    info->threads = omp_get_max_threads();
#else
    info->threads = 1;
#endif
    Mark whole = {path, 0, 0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return bv_error(errors, bv_errno_status(errno, BV_ERR_IO), &whole, NULL,
                        "cannot read: %s", strerror(errno));
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_update(&ctx, n, buf);
    int failed = ferror(f);
    fclose(f);
    if (failed)
        return bv_error(errors, BV_ERR_IO, &whole, NULL, "read failed");
    unsigned char digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    for (size_t i = 0; i < sizeof digest; i++)
        snprintf(info->scenario_sha256 + 2 * i, 3, "%02x", digest[i]);
    return BV_OK;
}
