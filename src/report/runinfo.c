/*
 * runinfo.c — versions, and the input files as the loader read and hashed them.
 */
#include "runinfo.h"

#include <csv.h>
#include <gsl/gsl_version.h>
#include <nettle/version.h>
#include <stdio.h>
#include <string.h>
#include <xlsxwriter.h>
#include <yaml.h>

BvStatus runinfo_collect(const Scenario *sc, RunInfo *info, BvErrors *errors)
{
    (void)errors;
    memset(info, 0, sizeof *info);
    snprintf(info->bookval_version, sizeof info->bookval_version, "%s", BOOKVAL_VERSION);
    snprintf(info->gsl_version, sizeof info->gsl_version, "%s", gsl_version);
    snprintf(info->xlsxwriter_version, sizeof info->xlsxwriter_version, "%s", LXW_VERSION);
    snprintf(info->yaml_version, sizeof info->yaml_version, "%s", yaml_get_version_string());
    snprintf(info->csv_version, sizeof info->csv_version, "%d.%d.%d", CSV_MAJOR, CSV_MINOR,
             CSV_RELEASE);
    snprintf(info->nettle_version, sizeof info->nettle_version, "%d.%d",
             nettle_version_major(), nettle_version_minor());
    info->inputs = &sc->inputs;
    if (sc->inputs.count)
        snprintf(info->scenario_sha256, sizeof info->scenario_sha256, "%s",
                 sc->inputs.items[0].sha256);
    return BV_OK;
}
