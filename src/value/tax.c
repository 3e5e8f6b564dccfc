/*
 * tax.c — the seller's transfer tax, from the gain recognised by year to the tax paid by year.
 */
#include "tax.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

/* The bracket table on an income of x. */
static double table(const SellerSpec *s, double x)
{
    double tax = 0;
    for (size_t k = 0; k < s->bracket_count && x > s->brackets[k].from; k++) {
        double top = k + 1 < s->bracket_count ? s->brackets[k + 1].from : HUGE_VAL;
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

/* The top bracket's rate: the default of every rate on income beside the gain. */
static double top_rate(const SellerSpec *s)
{
    return s->bracket_count ? s->brackets[s->bracket_count - 1].rate : 0;
}

double tax_interest_rate(const SellerSpec *s)
{
    if (s->has_interest_tax_rate)
        return s->interest_tax_rate;
    return top_rate(s);
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

double tax_ordinary_rate(const SellerSpec *s)
{
    if (s->has_ordinary_rate)
        return s->ordinary_rate;
    return top_rate(s);
}

double tax_loss_rate(const SellerSpec *s)
{
    if (s->loss_rule == LOSS_ORDINARY)
        return tax_ordinary_rate(s);
    if (s->has_loss_rate)
        return s->loss_rate;
    return top_rate(s);
}

double tax_loss_limit(const SellerSpec *s)
{
    if (s->loss_annual_limit > 0)
        return s->loss_annual_limit;
    if (s->loss_limit_share > 0)
        return s->loss_limit_share * s->other_taxable_income;
    return -1;
}

double tax_recaptured(const SellerSpec *s, double gain)
{
    if (!s->recapture || !(gain > 0))
        return 0;
    return s->amortization_taken < gain ? s->amortization_taken : gain;
}

/* The tax value of a loss `loss` > 0 on the sale, by year. */
static void loss_value(const SellerSpec *s, double loss, int years, TaxYears *out)
{
    /* an ordinary loss is not set against other gains */
    double other = s->loss_rule == LOSS_ORDINARY ? 0 : s->other_gains;
    double on_gains = loss < other ? loss : other;
    double rest = loss - on_gains, rate = tax_loss_rate(s), limit = tax_loss_limit(s);
    bool against_income = s->loss_rule == LOSS_CARRY_FORWARD || s->loss_rule == LOSS_ORDINARY;
    /* carried forward for loss_years after the sale's year (0: to the schedule's end) */
    int last = 0;
    if (s->loss_rule == LOSS_CARRY_FORWARD)
        last = s->loss_years > 0 && s->loss_years < years ? s->loss_years : years;
    for (int t = 0; t <= last; t++) {
        double u = 0;
        if (against_income)
            u = s->loss_rule == LOSS_CARRY_FORWARD && limit >= 0 && rest > limit ? limit : rest;
        rest -= u;
        out->loss_used[t] = (t == 0 ? on_gains : 0) + u;
        out->loss_value[t] = rate * u;
        if (t == 0)
            out->loss_value[t] += tax_brackets(s, other) - tax_brackets(s, other - on_gains);
        out->tax[t] = -out->loss_value[t];
    }
}

/* cumulative, carry_forward: a year's negative tax (a refund) is not paid but set against the
 * later years' tax; what is left is refunded in the settling year. */
static void defer_refunds(int years, const double *recognised, double *tax)
{
    int settle = tax_settling_year(years, recognised);
    double credit = 0;
    for (int t = 0; t <= years; t++) {
        double x = tax[t] + credit;
        credit = t < settle && x < 0 ? x : 0;
        tax[t] = x - credit;
    }
}

/* per_year, carry_back: positive years stack their gain; a negative year takes its gain back
 * from the latest years first (the tax on it given back that year); what no earlier year
 * holds is carried into the later years. The gain still standing after year t from year
 * s <= t is max(0, min(L_s..L_t) - L_(s-1)), L the positive part of the gain to date; the
 * tax of year t is the change in the bracket tax of all that still stands. */
static void carry_back(const SellerSpec *s, int years, double taxed, const double *recognised,
                       TaxYears *out)
{
    double to_date = 0, before = 0, level_before = 0;
    for (int t = 0; t <= years; t++) {
        to_date += taxed * recognised[t];
        double level = to_date > 0 ? to_date : 0;
        out->taxable[t] = level > level_before ? level - level_before : 0;
        out->carried[t] = to_date < 0 ? to_date : 0;
        /* From year t back to 0: `low` is min(L_u..L_t), `run` the gain to date at u. */
        double standing = 0, low = HUGE_VAL, run = to_date;
        for (int u = t; u >= 0; u--) {
            double l_u = run > 0 ? run : 0;
            low = l_u < low ? l_u : low;
            run -= taxed * recognised[u];
            double amount = low - (run > 0 ? run : 0);
            amount = amount > 0 ? amount : 0;
            standing += tax_brackets(s, amount);
            out->back[u] = out->taxable[u] - amount; /* set back from year u by year t */
        }
        out->tax[t] = standing - before;
        out->given_back[t] = tax_brackets(s, out->taxable[t]) - out->tax[t];
        before = standing;
        level_before = level;
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
    if (gain < 0 && s->loss_rule != LOSS_NONE) {
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
        double rate = tax_brackets(s, gain) / gain, carried = 0;
        int settle = tax_settling_year(years, recognised);
        for (int t = 0; t <= years; t++) {
            /* carry_forward: a negative part waits for the later parts until the last. */
            double x = taxed * recognised[t] + carried;
            bool wait = !s->carry_back && t < settle;
            out->taxable[t] = wait && x < 0 ? 0 : x;
            out->carried[t] = carried = wait && x < 0 ? x : 0;
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
        if (!s->carry_back)
            defer_refunds(years, recognised, out->tax);
        return;
    }
    if (s->carry_back) {
        carry_back(s, years, taxed, recognised, out);
        return;
    }
    /* per_year, carry_forward: a negative year's gain is carried forward... */
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
