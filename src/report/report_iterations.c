/*
 * report_iterations.c — the per-iteration CSV.
 */
#include "report_iterations.h"

#include <math.h>
#include <string.h>

/* A field quoted when it holds a comma, quote or line break (RFC 4180). */
static void field(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

static void number(FILE *out, double x)
{
    if (isfinite(x))
        fprintf(out, ",%.17g", x); /* the C locale: bookval never calls setlocale */
    else
        fputc(',', out);
}

bool report_iterations_csv(FILE *out, const Results *res)
{
    const McResult *mc = res->mc;
    const Scenario *sc = res->scenario;
    if (!mc)
        return fputs("iteration\n", out) >= 0 && !ferror(out);
    bool seller = mc->has_deal && sc->seller.enabled, buyer = mc->has_deal && sc->buyer.enabled;
    bool keep = seller && sc->seller.keep.enabled;
    fputs("iteration,value", out);
    for (size_t i = 0; i < mc->input_count; i++) {
        fputc(',', out);
        field(out, res->book->inputs[i].path);
    }
    if (mc->client_churn)
        fputs(",clients_lost", out);
    if (mc->has_deal)
        fputs(",final_price", out);
    if (seller)
        fputs(",seller_gain,seller_tax,seller_net_proceeds_pv", out);
    if (keep)
        fputs(",seller_keep_value", out);
    if (buyer)
        fputs(",buyer_npv", out);
    fputc('\n', out);
    for (long it = 0; it < mc->iterations; it++) {
        fprintf(out, "%ld", it + 1);
        number(out, mc->values[it]);
        for (size_t i = 0; i < mc->input_count; i++)
            number(out, mc->inputs[(size_t)it * mc->input_count + i]);
        if (mc->client_churn)
            number(out, mc->clients_lost[it]);
        if (mc->has_deal)
            number(out, mc->price[it]);
        if (seller) {
            number(out, mc->seller_gain[it]);
            number(out, mc->seller_tax[it]);
            number(out, mc->seller_net_pv[it]);
        }
        if (keep)
            number(out, mc->keep_value[it]);
        if (buyer)
            number(out, mc->buyer_npv[it]);
        fputc('\n', out);
    }
    return !ferror(out);
}
