/*
 * tax.c — the seller's transfer tax, from the gain recognised by year to the tax paid by year.
 */
#include "tax.h"

#include <math.h>
#include <string.h>

double tax_brackets(const SellerSpec *s, double amount)
{
    double tax = 0;
    for (size_t k = 0; k < s->bracket_count && amount > s->brackets[k].from; k++) {
        double top = k + 1 < s->bracket_count ? s->brackets[k + 1].from : (double)INFINITY;
        tax += s->brackets[k].rate * ((amount < top ? amount : top) - s->brackets[k].from);
    }
    return tax;
}

double tax_lump_sum(const SellerSpec *s, double gain)
{
    return gain > 0 ? tax_brackets(s, gain) : 0;
}

int tax_settling_year(int years, const double *recognised)
{
    int last = 0;
    for (int t = 0; t <= years; t++)
        if (recognised[t] != 0)
            last = t;
    return last;
}

double tax_interest_rate(const SellerSpec *s)
{
    if (s->has_interest_tax_rate)
        return s->interest_tax_rate;
    return s->bracket_count ? s->brackets[s->bracket_count - 1].rate : 0;
}

void tax_interest_and_payment(const SellerSpec *s, int years, const double *interest,
                              const double *tax, double *interest_tax, double *paid)
{
    double rate = tax_interest_rate(s);
    int lag = s->payment_lag_years;
    for (int t = 0; t <= years; t++)
        interest_tax[t] = rate * interest[t];
    for (int t = 0; t <= years; t++)
        paid[t] = t >= lag ? tax[t - lag] + interest_tax[t - lag] : 0;
}

void tax_schedule(const SellerSpec *s, double gain, int years, const double *recognised,
                  TaxYears *out)
{
    size_t n = (size_t)years + 1;
    double *arrays[] = {out->taxable, out->carried, out->back, out->given_back, out->tax};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        memset(arrays[i], 0, n * sizeof(double));
    if (!(gain > 0))
        return;
    if (s->cumulative) {
        /* The brackets on the gain to date; a fall in it is a refund of tax already paid. */
        double to_date = 0, paid = 0;
        for (int t = 0; t <= years; t++) {
            to_date += recognised[t];
            out->taxable[t] = to_date > 0 ? to_date : 0;
            out->tax[t] = tax_brackets(s, out->taxable[t]) - paid;
            paid += out->tax[t];
        }
        return;
    }
    /* per_year: a negative year's gain is carried forward... */
    double carried = 0;
    for (int t = 0; t <= years; t++) {
        double x = recognised[t] + carried;
        out->taxable[t] = x > 0 ? x : 0;
        out->carried[t] = carried = x < 0 ? x : 0;
        out->tax[t] = tax_brackets(s, out->taxable[t]);
    }
    /* ...and what the sale's last gain leaves is set back against the earlier years, latest
     * first, the tax given back in that year (the gain being positive, it is absorbed). */
    double left = -carried;
    int settle = tax_settling_year(years, recognised);
    for (int t = years; t >= 0 && left > 0; t--) {
        double b = out->taxable[t] < left ? out->taxable[t] : left;
        out->back[t] = b;
        left -= b;
        out->given_back[t] = tax_brackets(s, out->taxable[t]) - tax_brackets(s, out->taxable[t] - b);
        out->tax[settle] -= out->given_back[t];
    }
}
