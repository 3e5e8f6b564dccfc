/*
 * rate_range.c — the DCF at the held rate's 5th and 95th percentiles.
 */
#include "rate_range.h"

#include "book.h"
#include "dcf.h"

BvStatus rate_range_run(const Scenario *sc, RateRange *out, BvErrors *errors)
{
    *out = (RateRange){0};
    if (!sc->monte_carlo.enabled || sc->monte_carlo.vary_discount_rate ||
        dist_is_fixed(&sc->discount_rate))
        return BV_OK;
    out->rate_p5 = dist_quantile(&sc->discount_rate, 0.05);
    out->rate_p95 = dist_quantile(&sc->discount_rate, 0.95);
    /* A shallow copy with a fixed rate: it shares (and never frees) the scenario's arrays. */
    Scenario at = *sc;
    for (int i = 0; i < 2; i++) {
        at.discount_rate = dist_fixed(i ? out->rate_p95 : out->rate_p5);
        Book *book = NULL;
        Dcf *dcf = NULL;
        BvStatus s = book_new(&at, &book, errors);
        if (s == BV_OK)
            s = dcf_run(book, &dcf, errors);
        if (s == BV_OK)
            *(i ? &out->value_at_p95 : &out->value_at_p5) = dcf->value;
        dcf_free(dcf);
        book_free(book);
        if (s != BV_OK)
            return s;
    }
    out->has = true;
    return BV_OK;
}
