/*
 * tax.h — the seller's transfer tax: the bracket table, the gain recognised year by year turned
 * into the gain taxed year by year (a year whose recognised gain is negative is never
 * forfeited), and the tax of a sale paid at once (the keep value's exit sale).
 *
 * Rules (README "Conventions", Transfer tax): per_year applies the brackets to each year's
 * taxable gain alone; cumulative to the gain recognised to date, less the tax already paid;
 * whole_gain (Brazil, RIR/2018 art. 151) the whole gain's average rate, brackets(gain) / gain,
 * to each year's recognised gain (taxable = recognised, which may be negative).
 * A year whose recognised gain is negative (negative_year): carry_forward sets it against the
 * sale's later gain (per_year: the gain carried; cumulative, whole_gain: the refund deferred
 * against later tax), and what is still left when the sale's last gain is recognised is set
 * back against the earlier years, latest first, the tax given back in that year; carry_back
 * sets it back against the earlier years first, latest first, the tax given back in the
 * negative year (cumulative, whole_gain: a refund that year), what they do not hold carried
 * forward. With one flat rate every rule gives rate x the gain, whatever the schedule.
 * A loss on the sale is used by seller.tax.loss; no other income of the seller's enters but
 * other_taxable_income under the brackets.
 */
#ifndef BOOKVAL_TAX_H
#define BOOKVAL_TAX_H

#include "scenario.h"

/* The seller's tax by year 0..years, arrays of years + 1 (the caller's). Currency. */
typedef struct TaxYears {
    double *taxable;    /* per_year: the year's recognised gain plus the loss carried into it,
                           when positive (cumulative: the gain recognised to date, >= 0) */
    double *carried;    /* per_year: the negative gain carried out of the year (<= 0) */
    double *back;       /* per_year: the part of the year's taxable gain set back by a
                           negative year (>= 0) */
    double *given_back; /* per_year: carry_forward, the tax on the year's gain that `back`
                           gives back (in the settling year); carry_back, the tax given back
                           in the year */
    double *tax;        /* paid in the year (negative: a refund) */
    double *loss_used;  /* a loss on the sale used in the year (seller.tax.loss) */
    double *loss_value; /* the tax it saves in the year (tax = -loss_value) */
} TaxYears;

/* Tax on `amount` by the seller's brackets, stacked on other_taxable_income: B(o + amount) -
 * B(o), plus the surtax on the part of o + amount above its threshold unless the seller
 * materially participated (0 for an amount <= 0). */
double tax_brackets(const SellerSpec *seller, double amount);

/* Tax on a gain recognised at once, in one year (0 for a gain <= 0). */
double tax_lump_sum(const SellerSpec *seller, double gain);

/* The year in which a loss still carried is set back against earlier years: the last year
 * whose recognised gain is not 0 (0 when none). */
int tax_settling_year(int years, const double *recognised);

/*
 * The tax by year on the sale's `gain` at `price`, recognised as `recognised[0..years]`
 * (summing to the gain), less the share exempt by tax_exempt_share. A sale whose taxed gain is
 * <= 0 pays no tax; a loss (gain < 0) is used by seller.tax.loss from the sale's year (year 0,
 * whatever the schedule): first against seller.other_gains (the tax saved on them), then with
 * carry_forward up to tax_loss_limit a year at loss_rate, for loss_years after it; an ordinary
 * loss (LOSS_ORDINARY) all in year 0 at tax_ordinary_rate, not against other gains.
 */
void tax_schedule(const SellerSpec *seller, double gain, double price, int years,
                  const double *recognised, TaxYears *out);

/* The share of the gain exempt because min(reinvest_annuity, annuity_exemption_cap) of the
 * price is reinvested in a life annuity (LIRPF art. 38.3: in proportion to the amount
 * reinvested); 0 without the exemption. */
double tax_exempt_share(const SellerSpec *seller, double price);

/* The rate on the other income a carried loss offsets: seller.tax.loss_rate, else the top
 * bracket's; an ordinary loss (LOSS_ORDINARY) at tax_ordinary_rate. */
double tax_loss_rate(const SellerSpec *seller);

/* The seller's marginal rate on ordinary income: seller.tax.ordinary_rate, else the top
 * bracket's. */
double tax_ordinary_rate(const SellerSpec *seller);

/* carry_forward's most of a loss used against other income a year: loss_annual_limit, else
 * loss_limit_share x other_taxable_income; -1 without a limit. */
double tax_loss_limit(const SellerSpec *seller);

/* The part of a gain `gain` that is recaptured amortisation, ordinary income of the sale's
 * year (tax.recapture: ordinary; US § 1245, § 453(i)): min(amortization_taken, gain), else 0. */
double tax_recaptured(const SellerSpec *seller, double gain);

/* The seller's rate on interest received: seller.tax.interest_rate, else the top bracket's
 * (0 without brackets). */
double tax_interest_rate(const SellerSpec *seller);

/*
 * The tax on the interest received by year (interest_tax[t] = rate x interest[t]) and the tax
 * paid by year: the gain's and the interest's tax of year t in year t + payment_lag_years
 * (paid[t] = 0 for t < lag). Arrays of years + 1; the schedule has room for the lag
 * (deal_years).
 */
void tax_interest_and_payment(const SellerSpec *seller, int years, const double *interest,
                              const double *tax, double *interest_tax, double *paid);

#endif
