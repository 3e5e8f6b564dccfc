/*
 * tax.c — the seller's transfer tax, from the gain recognised by year to the tax paid by year.
 */
#include "tax.h"

#include <math.h>
#include <string.h>

/* The bracket table on an income of x. */
static double table(const SellerSpec *s, double x)
{
    double tax = 0;
    for (size_t k = 0; k < s->bracket_count && x > s->brackets[k].from; k++) {
        double top = k + 1 < s->bracket_count ? s->brackets[k + 1].from : (double)INFINITY;
        tax += s->brackets[k].rate * ((x < top ? x : top) - s->brackets[k].from);
    }
    return tax;
}

static double above(double x, double threshold)
{
    return x > threshold ? x - threshold : 0;
}

double tax_brackets(const SellerSpec *s, double amount)
{
    if (!(amount > 0))
        return 0;
    /* The gain stacks on the seller's other income: the brackets it fills are above it. */
    double o = s->other_taxable_income;
    double tax = table(s, o + amount) - table(s, o);
    if (s->surtax_rate > 0 && !s->material_participation)
        tax += s->surtax_rate * (above(o + amount, s->surtax_above) - above(o, s->surtax_above));
    return tax;
}

double tax_exempt_share(const SellerSpec *s, double price)
{
    if (!(s->annuity_exemption_cap > 0) || !(price > 0))
        return 0;
    double a = s->reinvest_annuity < s->annuity_exemption_cap ? s->reinvest_annuity
                                                              : s->annuity_exemption_cap;
    return a < price ? a / price : 1;
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

double tax_loss_rate(const SellerSpec *s)
{
    if (s->has_loss_rate)
        return s->loss_rate;
    return s->bracket_count ? s->brackets[s->bracket_count - 1].rate : 0;
}

/* The tax value of a loss `loss` > 0 on the sale, by year. */
static void loss_value(const SellerSpec *s, double loss, int years, TaxYears *out)
{
    double on_gains = loss < s->other_gains ? loss : s->other_gains;
    double rest = loss - on_gains, rate = tax_loss_rate(s);
    int last = s->loss_rule != 2 ? 0 : s->loss_years > 0 && s->loss_years < years ? s->loss_years
                                                                                   : years;
    for (int t = 0; t <= last; t++) {
        double u = 0;
        if (s->loss_rule == 2)
            u = s->loss_annual_limit > 0 && rest > s->loss_annual_limit ? s->loss_annual_limit
                                                                         : rest;
        rest -= u;
        out->loss_used[t] = (t == 0 ? on_gains : 0) + u;
        out->loss_value[t] = rate * u;
        if (t == 0)
            out->loss_value[t] += tax_brackets(s, s->other_gains) -
                                  tax_brackets(s, s->other_gains - on_gains);
        out->tax[t] = -out->loss_value[t];
    }
}

void tax_schedule(const SellerSpec *s, double gain, double price, int years,
                  const double *recognised, TaxYears *out)
{
    size_t n = (size_t)years + 1;
    double *arrays[] = {out->taxable, out->carried,   out->back,      out->given_back,
                        out->tax,     out->loss_used, out->loss_value};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        memset(arrays[i], 0, n * sizeof(double));
    if (gain < 0 && s->loss_rule != 0) {
        loss_value(s, -gain, years, out);
        return;
    }
    /* The share of the gain exempt by reinvestment in an annuity leaves every year's part. */
    double taxed = 1 - tax_exempt_share(s, price);
    gain *= taxed;
    if (!(gain > 0))
        return;
    if (s->whole_gain) {
        /* The sale is one sale: the brackets on the whole gain, their average rate on each
         * year's part (a negative part a refund at that rate). */
        double rate = tax_brackets(s, gain) / gain;
        for (int t = 0; t <= years; t++) {
            out->taxable[t] = taxed * recognised[t];
            out->tax[t] = rate * out->taxable[t];
        }
        return;
    }
    if (s->cumulative) {
        /* The brackets on the gain to date; a fall in it is a refund of tax already paid. */
        double to_date = 0, paid = 0;
        for (int t = 0; t <= years; t++) {
            to_date += taxed * recognised[t];
            out->taxable[t] = to_date > 0 ? to_date : 0;
            out->tax[t] = tax_brackets(s, out->taxable[t]) - paid;
            paid += out->tax[t];
        }
        return;
    }
    /* per_year: a negative year's gain is carried forward... */
    double carried = 0;
    for (int t = 0; t <= years; t++) {
        double x = taxed * recognised[t] + carried;
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
        out->given_back[t] = tax_brackets(s, out->taxable[t]) -
                             tax_brackets(s, out->taxable[t] - b);
        out->tax[settle] -= out->given_back[t];
    }
}
