/*
 * diagnostics_lifetime.h — the Diagnostics' lifetime measures (diagnostics.h): median
 * remaining years and expected years within the horizon, per cohort and per segment.
 */
#ifndef BOOKVAL_DIAGNOSTICS_LIFETIME_H
#define BOOKVAL_DIAGNOSTICS_LIFETIME_H

#include "diagnostics.h"

/* Fill d's lifetime fields. exceptions: BV_ERR_NOMEM (the caller records it). */
BvStatus diagnostics_lifetime(const Book *book, const Dcf *dcf, Diagnostics *d);
void diagnostics_lifetime_free(Diagnostics *d);

#endif
