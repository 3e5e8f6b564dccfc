/*
 * schema.c — the tables of schema 1 and the scalar parsers shared by every reader.
 */
#include "schema.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define ANY {-HUGE_VAL, HUGE_VAL, false, false}
#define UNIT {0, 1, false, false}             /* [0, 1] */
#define ABOVE_MINUS_ONE {-1, HUGE_VAL, true, false} /* (-1, inf) */
#define MARGIN_RANGE {-1, 1, false, false}
#define NON_NEGATIVE {0, HUGE_VAL, false, false}
#define POSITIVE {0, HUGE_VAL, true, false}
#define HORIZON {1, 100, false, false}
#define NONE {0, 0, false, false}

#define LATER(id_, key_, issue_)                                                            \
    {id_, key_, SCHEMA_LATER, NONE, NULL, false, NULL, NULL,                                \
     "not supported yet by this version (" issue_ ")", 0}

static const SchemaKey scenario_keys[] = {
    {KEY_NAME, "name", SCHEMA_STRING, NONE, NULL, true, NULL, NULL,
     "the scenario's title, shown on every sheet", 0},
    {KEY_CURRENCY, "currency", SCHEMA_STRING, NONE, NULL, true, NULL, NULL,
     "ISO 4217 code (three capital letters) shown on every money cell", 0},
    {KEY_EXTENDS, "extends", SCHEMA_STRING, NONE, NULL, false, NULL, NULL,
     "a model by name (accounting-practice, tax/spain-individual) or a YAML path, or a list "
     "of them: deep-merged under this file in order", 0},
    {KEY_HORIZON_YEARS, "horizon_years", SCHEMA_INTEGER, HORIZON, NULL, false, "10", "years",
     "years projected one by one", 0},
    {KEY_TIMING, "timing", SCHEMA_ENUM, NONE, "end_of_year|mid_year", false, "end_of_year",
     NULL, "when each year's cash arrives: at its end, or spread evenly (half a year earlier)", 0},
    {KEY_TAIL, "tail", SCHEMA_ENUM, NONE, "none|runoff", false, "none", NULL,
     "runoff adds the exact value of the surviving book beyond the horizon", 0},
    {KEY_VALUATION_DATE, "valuation_date", SCHEMA_STRING, NONE, NULL, false, "undated", NULL,
     "the date the value is stated at, YYYY-MM-DD (printed as given; never the machine's "
     "clock, so the same inputs give the same bytes)", 0},
    {KEY_STANDARD_OF_VALUE, "standard_of_value", SCHEMA_ENUM, NONE, "fair_market|investment",
     false, "fair_market", NULL,
     "the conclusion: fair_market, the DCF for a hypothetical buyer; investment, this buyer's "
     "walk-away in expected-price terms (needs buyer)", 0},
    {KEY_DISCOUNT_RATE, "discount_rate", SCHEMA_UNCERTAIN, ABOVE_MINUS_ONE, NULL, true, NULL,
     "per year", "the rate the cash flows are discounted at", 0},
    {KEY_REVENUE_GROWTH, "revenue_growth", SCHEMA_UNCERTAIN, ABOVE_MINUS_ONE, NULL, false, "0",
     "per year", "growth of a retained client's fees", 0},
    {KEY_MARGIN, "margin", SCHEMA_UNCERTAIN, MARGIN_RANGE, NULL, true, NULL, "of revenue",
     "contribution margin: cash profit per unit of revenue; or from_normalization", 0},
    {KEY_RETENTION, "retention", SCHEMA_RETENTION, UNIT, NULL, true, NULL, "per year",
     "constant renewal probability, {curve: [c1, c2, ...]} by year, or "
     "{sbg: {alpha, beta}} (shifted-beta-geometric, uses tenure_years)", 0},
    {KEY_TRANSFER_RETENTION, "transfer_retention", SCHEMA_UNCERTAIN, UNIT, NULL, false, "1",
     NULL, "share of clients that stay despite the sale itself (applied once)", 0},
    {KEY_RETENTION_SCALE, "retention_scale", SCHEMA_NUMBER, {0, 2, true, false}, NULL, false,
     "1", NULL,
     "a what-if scale s on retention: every renewal probability r(k) of every client is "
     "valued as min(1, s r(k)), for a constant, a curve or an sBG (its per-year rate); "
     "transfer_retention is not scaled", 0},
    {KEY_TAX_RATE, "tax_rate", SCHEMA_NUMBER, UNIT, NULL, false, NULL, NULL,
     "the hypothetical buyer's income tax rate on the book's cash (with cash_flows: after_tax "
     "the DCF values after-tax cash, plus the tax amortisation benefit of the purchased list)",
     0},
    {KEY_CASH_FLOWS, "cash_flows", SCHEMA_ENUM, NONE, "pre_tax|after_tax", false,
     "after_tax when tax_rate is given, else pre_tax", NULL,
     "the DCF's cash: margin x revenue before income tax, or after tax at tax_rate with the "
     "tax amortisation benefit; discount_rate must be a rate of the same kind", 0},
    {KEY_AMORTIZATION_YEARS, "amortization_years", SCHEMA_INTEGER, {0, 100, false, false}, NULL,
     false, "buyer.amortization_years", "years",
     "years over which a buyer writes the purchased list off for tax (the amortisation benefit "
     "of an after-tax DCF; 0: no tax relief for it); required with cash_flows: after_tax when "
     "no buyer section or preset gives it", 0},
    {KEY_INACTIVE_CLIENTS, "inactive_clients", SCHEMA_ENUM, NONE, "exclude|value", false,
     "exclude", NULL,
     "clients with active: false: left out of the book (exclude), valued as live (value), or "
     "{reactivation: p} valued at probability p in [0, 1] of coming back", 0},
    {KEY_MARKET, "market", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "rule-of-thumb revenue multiples for the cross-check", 0},
    {KEY_PROVISION, "provision", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "loss rates on receivables by age", 0},
    {KEY_SEGMENTS, "segments", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "named client groups that override margin, retention, revenue_growth, "
     "transfer_retention", 0},
    {KEY_CLIENTS, "clients", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "inline list of clients (or use clients_csv)", 0},
    {KEY_CLIENTS_CSV, "clients_csv", SCHEMA_STRING, NONE, NULL, false, NULL, NULL,
     "CSV file of clients, relative to the scenario, or {path, delimiter, decimal, thousands, "
     "encoding, skip_rows, columns, values}: see Bringing your client list", 0},
    {KEY_MONTE_CARLO, "monte_carlo", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "run a Monte Carlo valuation as well (see the monte_carlo keys)", 0},
    {KEY_CORRELATIONS, "correlations", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "rank correlations between uncertain inputs: [{between: [PATH, PATH], rank: r}]", 0},
    {KEY_DEAL, "deal", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "the transaction: price, payments, interest, true-up, earn-out, clawback", 0},
    {KEY_SELLER, "seller", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "the seller's basis, costs, tax and rate (needs deal)", 0},
    {KEY_BUYER, "buyer", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "the buyer's rate, costs, tax and amortisation (needs deal)", 0},
    {KEY_VARIANTS, "variants", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "what-if runs: [{name, set: {PATH: VALUE, ...}}], each this scenario plus its patch", 0},
    {KEY_TAX, "tax", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{regime: {name, year, sources}}: the tax law the presets follow, printed with the results",
     0},
    {KEY_SENSITIVITY, "sensitivity", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{tornado: [PATH or {parameter, low, high}], grid: {rows: {PATH: [..]}, cols: {PATH: [..]}}}",
     0},
    {KEY_REPORTED_PROFIT, "reported_profit", SCHEMA_NUMBER, ANY, NULL, false, NULL,
     "currency per year", "the practice's pre-tax profit in its accounts: the start of the "
     "bridge to SDE and EBITDA (normalization)", 0},
    {KEY_OWNER_MARKET_SALARY, "owner_market_salary", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false,
     "0", "currency per year", "a replacement's pay for the owner's work: SDE less it is EBITDA",
     0},
    {KEY_NORMALIZATION, "normalization", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "[{label, amount, kind, lender_accepted}]: add-backs and deductions from reported_profit "
     "to SDE; margin: from_normalization takes EBITDA / annual revenue as the margin", 0},
};

static const SchemaKey normalization_keys[] = {
    {KEY_LABEL, "label", SCHEMA_STRING, NONE, NULL, true, NULL, NULL,
     "the reason for the line, shown in the bridge", 0},
    {KEY_AMOUNT, "amount", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL, "currency per year",
     "the yearly amount", 0},
    {KEY_KIND, "kind", SCHEMA_ENUM, NONE, "add_back|deduction", true, NULL, NULL,
     "added back to the profit (the owner's pay, one-off or personal costs) or deducted", 0},
    {KEY_LENDER_ACCEPTED, "lender_accepted", SCHEMA_BOOL, NONE, NULL, false, "true", NULL,
     "a lender counts it (documented and not recurring); deductions always count", 0},
};

static const SchemaKey segment_keys[] = {
    {KEY_MARGIN, "margin", SCHEMA_UNCERTAIN, MARGIN_RANGE, NULL, false, "scenario's", "of revenue",
     "overrides the scenario's margin", 0},
    {KEY_RETENTION, "retention", SCHEMA_RETENTION, UNIT, NULL, false, "scenario's", "per year",
     "overrides the scenario's retention model", 0},
    {KEY_REVENUE_GROWTH, "revenue_growth", SCHEMA_UNCERTAIN, ABOVE_MINUS_ONE, NULL, false,
     "scenario's", "per year", "overrides the scenario's growth", 0},
    {KEY_TRANSFER_RETENTION, "transfer_retention", SCHEMA_UNCERTAIN, UNIT, NULL, false,
     "scenario's", NULL, "overrides the scenario's transfer retention", 0},
};

static const SchemaKey client_keys[] = {
    {KEY_ID, "id", SCHEMA_STRING, NONE, NULL, true, NULL, NULL, "unique identifier", 0},
    {KEY_CLIENT_NAME, "name", SCHEMA_STRING, NONE, NULL, false, "\"\"", NULL, "display name", 0},
    {KEY_SEGMENT, "segment", SCHEMA_STRING, NONE, NULL, false, NULL, NULL,
     "one of the scenario's segments", 0},
    {KEY_ANNUAL_REVENUE, "annual_revenue", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL,
     "currency per year", "fees billed in the last full year (R_i)",
     offsetof(Client, annual_revenue)},
    {KEY_TENURE_YEARS, "tenure_years", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0", "years",
     "completed renewals so far (sBG retention uses it)", offsetof(Client, tenure_years)},
    {KEY_ACTIVE, "active", SCHEMA_BOOL, NONE, NULL, false, "true", NULL,
     "bought in the last period", 0},
    {KEY_RECEIVABLE, "receivable", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0", "currency",
     "amount the client owes", offsetof(Client, receivable)},
    {KEY_RECEIVABLE_AGE_DAYS, "receivable_age_days", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false,
     "0", "days", "age of the receivable", offsetof(Client, receivable_age_days)},
    {KEY_MARGIN, "margin", SCHEMA_NUMBER, MARGIN_RANGE, NULL, false, "segment's", "of revenue",
     "this client's own margin", offsetof(Client, margin)},
    {KEY_RETENTION, "retention", SCHEMA_NUMBER, UNIT, NULL, false, "segment's", "per year",
     "this client's own constant retention", offsetof(Client, retention)},
    {KEY_REVENUE_GROWTH, "revenue_growth", SCHEMA_NUMBER, ABOVE_MINUS_ONE, NULL, false,
     "segment's", "per year", "this client's own growth", offsetof(Client, revenue_growth)},
    {KEY_TRANSFER_RETENTION, "transfer_retention", SCHEMA_NUMBER, UNIT, NULL, false,
     "segment's", NULL, "this client's own transfer retention",
     offsetof(Client, transfer_retention)},
};

static const SchemaKey market_keys[] = {
    {KEY_MULTIPLE_LOW, "multiple_low", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL,
     "x revenue", "low end of the market's revenue multiple", 0},
    {KEY_MULTIPLE_HIGH, "multiple_high", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL,
     "x revenue", "high end (>= multiple_low)", 0},
    {KEY_BASIS, "basis", SCHEMA_ENUM, NONE, "revenue|sde|ebitda", false, "revenue", NULL,
     "what the multiples multiply: annual revenue, or SDE or EBITDA (needs reported_profit)",
     0},
};

static const SchemaKey provision_keys[] = {
    {KEY_BUCKETS, "buckets", SCHEMA_MAPPING, NONE, NULL, true, NULL, NULL,
     "[[days, rate], ...]: from 0 days, ascending; rate in [0, 1] applies from that age on", 0},
    {KEY_INACTIVE_RATE, "inactive_rate", SCHEMA_NUMBER, UNIT, NULL, false, "the last bucket's",
     NULL, "the rate for the receivable of a client left out as inactive, whatever its age", 0},
};

static const SchemaKey monte_carlo_keys[] = {
    {KEY_ITERATIONS, "iterations", SCHEMA_INTEGER, {1, 10000000, false, false}, NULL, false,
     "10000", NULL, "simulated books (with precision: the most to run)", 0},
    {KEY_SEED, "seed", SCHEMA_INTEGER, {0, 9007199254740992.0, false, false}, NULL, false, "1",
     NULL, "the result depends only on the inputs and this seed", 0},
    {KEY_CLIENT_CHURN, "client_churn", SCHEMA_BOOL, NONE, NULL, false, "true", NULL,
     "draw each client's lifetime (true) or use expected survival (false)", 0},
    {KEY_SAMPLING, "sampling", SCHEMA_ENUM, NONE, "random|latin_hypercube", false, "random",
     NULL, "how the uncertain inputs are drawn", 0},
    {KEY_PRECISION, "precision", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "stop early once the mean is known precisely enough (see the precision keys)", 0},
    {KEY_VARY_DISCOUNT_RATE, "vary_discount_rate", SCHEMA_BOOL, NONE, NULL, false, "false", NULL,
     "draw the discount rate as a risk (true) or hold it at its mean (false: a required return "
     "is not an outcome)", 0},
    {KEY_TARGETS, "targets", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{value_below: [X, ...], npv_below: [Y, ...]}: the probabilities P(value < X), "
     "P(buyer's NPV < Y)", 0},
};

static const SchemaKey precision_keys[] = {
    {KEY_RELATIVE, "relative", SCHEMA_NUMBER, {0, 1, true, true}, NULL, true, NULL, NULL,
     "stop when the mean's confidence half-width is within this share of the mean", 0},
    {KEY_CONFIDENCE, "confidence", SCHEMA_NUMBER, {0, 1, true, true}, NULL, false, "0.95", NULL,
     "confidence level of the half-width", 0},
    {KEY_MAX_ITERATIONS, "max_iterations", SCHEMA_INTEGER, {1, 10000000, false, false}, NULL,
     false, "iterations", NULL, "stop here whatever the precision", 0},
};

static const SchemaKey targets_keys[] = {
    {KEY_VALUE_BELOW, "value_below", SCHEMA_MAPPING, NONE, NULL, false, NULL, "currency",
     "[X, ...]: P(the book's value < X) over the iterations", 0},
    {KEY_NPV_BELOW, "npv_below", SCHEMA_MAPPING, NONE, NULL, false, NULL, "currency",
     "[Y, ...]: P(the buyer's NPV < Y) over the iterations (needs buyer)", 0},
};

static const SchemaKey correlation_keys[] = {
    {KEY_BETWEEN, "between", SCHEMA_MAPPING, NONE, NULL, true, NULL, NULL,
     "two uncertain inputs by path: [discount_rate, segments.A.retention]", 0},
    {KEY_RANK, "rank", SCHEMA_NUMBER, {-1, 1, false, false}, NULL, true, NULL, NULL,
     "Spearman rank correlation between them", 0},
};

#define YEARS {0, 100, false, false}
#define LATER_YEARS {1, 100, false, false}

static const SchemaKey deal_keys[] = {
    {KEY_PRICE, "price", SCHEMA_MAPPING, NON_NEGATIVE, NULL, true, NULL, "currency",
     "base price: an amount, or {multiple: m} = m x the book's annual revenue", 0},
    {KEY_ADJUSTMENT, "adjustment", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "true-up: the price becomes multiple x revenue retained in measure_year", 0},
    {KEY_PAYMENTS, "payments", SCHEMA_MAPPING, NONE, NULL, false, "[{year: 0, share: 1}]", NULL,
     "[{year, share}]: shares of the base price by year after closing, summing to 1", 0},
    {KEY_INTEREST_RATE, "interest_rate", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "per year", "seller financing: on the base-price principal still unpaid, paid yearly", 0},
    {KEY_EARN_OUT, "earn_out", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "[{year, share_of_collections}]: paid as a share of that year's collections", 0},
    {KEY_CLAWBACK, "clawback", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "[{within_years, refund}]: refund of a lost client's part of the base price", 0},
    {KEY_ALLOCATION, "allocation", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "[{class, amount | share}]: the price by asset class, the rest goodwill (US residual "
     "method); needs the jurisdiction's classes (seller.tax.classes, buyer.write_off)", 0},
    {KEY_RECEIVABLES, "receivables", SCHEMA_ENUM, NONE, "seller|buyer", false, "seller", NULL,
     "who keeps the clients' receivables at closing; buyer: he pays their collectible value "
     "(less the provision) at closing and collects it in year 1", 0},
    {KEY_WORK_IN_PROGRESS, "work_in_progress", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{amount, to: seller|buyer}: unbilled work at closing; to the buyer, paid at closing and "
     "billed and collected in year 1", 0},
};

static const SchemaKey work_in_progress_keys[] = {
    {KEY_AMOUNT, "amount", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL, "currency",
     "unbilled work at closing, at what it will collect", 0},
    {KEY_TO, "to", SCHEMA_ENUM, NONE, "seller|buyer", true, NULL, NULL, "who keeps it", 0},
};

#define ASSET_CLASSES "goodwill|client_list|non_compete|consulting|equipment"

static const SchemaKey allocation_keys[] = {
    {KEY_CLASS, "class", SCHEMA_ENUM, NONE, ASSET_CLASSES, true, NULL, NULL,
     "the asset class (Form 8594); goodwill takes the residual", 0},
    {KEY_AMOUNT, "amount", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, NULL, "currency",
     "the class's price (give amount or share); scaled with the price when it is searched", 0},
    {KEY_SHARE, "share", SCHEMA_NUMBER, UNIT, NULL, false, NULL, NULL,
     "the class's share of the expected price", 0},
};

static const SchemaKey class_tax_keys[] = {
    {KEY_CHARACTER, "character", SCHEMA_ENUM, NONE, "capital|ordinary", true, NULL, NULL,
     "capital: part of the gain taxed by the brackets; ordinary: income at `rate`", 0},
    {KEY_RATE, "rate", SCHEMA_NUMBER, UNIT, NULL, false, "0", NULL,
     "the seller's marginal rate on ordinary income (flat: a simplification)", 0},
    {KEY_SELF_EMPLOYMENT, "self_employment", SCHEMA_NUMBER, UNIT, NULL, false, "0", NULL,
     "social charges on it where they apply (consulting)", 0},
};

static const SchemaKey adjustment_keys[] = {
    {KEY_MEASURE_YEAR, "measure_year", SCHEMA_INTEGER, LATER_YEARS, NULL, true, NULL, "year",
     "the year whose retained revenue sets the final price (within the horizon)", 0},
    {KEY_MULTIPLE, "multiple", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL, "x revenue",
     "final price = multiple x revenue retained in measure_year", 0},
};

static const SchemaKey payment_keys[] = {
    {KEY_YEAR, "year", SCHEMA_INTEGER, YEARS, NULL, true, NULL, "year",
     "0 = at closing; each year once", 0},
    {KEY_SHARE, "share", SCHEMA_NUMBER, {0, 1, true, false}, NULL, true, NULL, NULL,
     "share of the base price paid that year", 0},
};

static const SchemaKey earn_out_keys[] = {
    {KEY_YEAR, "year", SCHEMA_INTEGER, LATER_YEARS, NULL, true, NULL, "year",
     "a year after closing, within the horizon", 0},
    {KEY_SHARE_OF_COLLECTIONS, "share_of_collections", SCHEMA_NUMBER, UNIT, NULL, true, NULL,
     NULL, "share of that year's revenue from the transferred clients", 0},
};

static const SchemaKey clawback_keys[] = {
    {KEY_WITHIN_YEARS, "within_years", SCHEMA_INTEGER, LATER_YEARS, NULL, true, NULL, "years",
     "a client lost in these years after closing (tiers ascending)", 0},
    {KEY_REFUND, "refund", SCHEMA_NUMBER, UNIT, NULL, true, NULL, NULL,
     "share of its part of the base price refunded", 0},
};

static const SchemaKey seller_keys[] = {
    {KEY_TAX_BASIS, "tax_basis", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0", "currency",
     "adjusted tax basis of the book (0 when self-created)", 0},
    {KEY_CARRYING_AMOUNT, "carrying_amount", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "currency", "book value in the accounts (accounting gain)", 0},
    {KEY_SELLING_COSTS, "selling_costs", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "currency", "paid at closing; they reduce the gain", 0},
    {KEY_DISCOUNT_RATE, "discount_rate", SCHEMA_NUMBER, ABOVE_MINUS_ONE, NULL, true, NULL,
     "per year", "the seller's rate for the sale's fixed payments (the buyer's credit risk)", 0},
    {KEY_TAX, "tax", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{brackets: [[from, rate], ...], installment_method, brackets_apply, interest_rate, "
     "payment_lag_years}", 0},
    {KEY_INCOME_TAX_RATE, "income_tax_rate", SCHEMA_NUMBER, UNIT, NULL, false, "0", NULL,
     "the seller's marginal income tax on the practice's profit if he kept it", 0},
    {KEY_KEEP, "keep", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "what keeping the practice is worth to him: {margin, owner_compensation, years, "
     "discount_rate, exit}", 0},
    {KEY_OTHER_TAXABLE_INCOME, "other_taxable_income", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false,
     "0", "currency per year", "income taxed before the gain each year: the gain's brackets "
     "start where it ends (US: ordinary taxable income under the capital-gain brackets)", 0},
    {KEY_MATERIAL_PARTICIPATION, "material_participation", SCHEMA_BOOL, NONE, NULL, false,
     "true", NULL, "the seller worked in the practice (no tax.surtax: the US NIIT, § 1411(c))",
     0},
    {KEY_OTHER_GAINS, "other_gains", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0", "currency",
     "the seller's other gains of the sale's year (same kind), which a loss on the sale offsets "
     "(seller.tax.loss)", 0},
    {KEY_REINVEST_ANNUITY, "reinvest_annuity", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "currency", "put in a life annuity within 6 months by a seller aged 65+: exempts that "
     "share of the gain, up to tax.annuity_exemption_cap (Spain, LIRPF art. 38.3)", 0},
    {KEY_FILING_STATUS, "filing_status", SCHEMA_ENUM, NONE, "single|married_joint", false,
     "single", NULL, "picks the thresholds of tax.by_filing_status (US: 26 U.S.C. § 1(h))", 0},
    {KEY_BOOK_ORIGIN, "book_origin", SCHEMA_ENUM, NONE, "built|purchased", false, "built", NULL,
     "built by the seller, or purchased (a loss on it: tax.purchased_book_loss)", 0},
    {KEY_AMORTIZATION_TAKEN, "amortization_taken", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false,
     "0", "currency", "amortisation deducted on a purchased book (already out of tax_basis): "
     "recaptured by tax.recapture", 0},
    {KEY_PRICE_AT_RISK, "price_at_risk", SCHEMA_NUMBER, {0, 1, true, true}, NULL, false, NULL,
     NULL, "alpha: the lowest base price with P(net proceeds PV < value of keeping) <= alpha "
     "(Monte Carlo; needs keep)", 0},
};

static const SchemaKey keep_keys[] = {
    {KEY_MARGIN, "margin", SCHEMA_NUMBER, MARGIN_RANGE, NULL, false, "the book's", "of revenue",
     "the practice's margin as the seller runs it, before any pay for his own work", 0},
    {KEY_OWNER_COMPENSATION, "owner_compensation", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false,
     "0", "currency per year",
     "what his work is worth: a replacement's salary and charges, deducted before income tax", 0},
    {KEY_OWNER_COMPENSATION_GROWTH, "owner_compensation_growth", SCHEMA_NUMBER, ABOVE_MINUS_ONE,
     NULL, false, "revenue_growth", "per year", "yearly growth of owner_compensation", 0},
    {KEY_YEARS, "years", SCHEMA_INTEGER, {1, 100, false, false}, NULL, false, "horizon_years",
     "years", "until he would stop (1..horizon_years); absent: the horizon and any run-off", 0},
    {KEY_DISCOUNT_RATE, "discount_rate", SCHEMA_NUMBER, ABOVE_MINUS_ONE, NULL, false,
     "the valuation's (cash_flows: after_tax; else required)",
     "per year", "the rate for the practice's cash (its risk), after tax; also for the parts of "
     "the price that move with the book (true-up, earn-out, clawback)", 0},
    {KEY_EXIT, "exit", SCHEMA_MAPPING, NONE, "none", false, "none", NULL,
     "none, or {multiple: m}: a sale at `years` for m x that year's expected revenue, taxed "
     "as this transfer", 0},
};

static const SchemaKey exit_keys[] = {
    {KEY_MULTIPLE, "multiple", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL, "x revenue",
     "the exit price: m x the expected revenue of the last year kept", 0},
};

static const SchemaKey tax_keys[] = {
    {KEY_BRACKETS, "brackets", SCHEMA_MAPPING, NONE, NULL, false, "by_filing_status's", NULL,
     "[[from, rate], ...]: from 0, ascending; rate in [0, 1] on the gain above `from`", 0},
    {KEY_INSTALLMENT_METHOD, "installment_method", SCHEMA_BOOL, NONE, NULL, false, "true", NULL,
     "recognise the gain in proportion to principal received (else all at closing)", 0},
    {KEY_BRACKETS_APPLY, "brackets_apply", SCHEMA_ENUM, NONE, "per_year|cumulative|whole_gain",
     false, "per_year", NULL, "brackets on each year's gain alone, on the gain recognised to "
     "date, or the whole gain's average rate on each year's part", 0},
    {KEY_INTEREST_RATE, "interest_rate", SCHEMA_NUMBER, UNIT, NULL, false, "the top bracket's",
     NULL, "the seller's tax rate on the seller-financing interest received (ordinary income)", 0},
    {KEY_PAYMENT_LAG_YEARS, "payment_lag_years", SCHEMA_INTEGER, {0, 1, false, false}, NULL,
     false, "0", "years", "the tax of year t is paid in year t + lag (1: a return filed the "
     "next year)", 0},
    {KEY_SURTAX, "surtax", SCHEMA_MAPPING, NONE, NULL, false, "none", NULL,
     "{rate, above}: rate on the gain above `above` of income (with other_taxable_income), "
     "unless seller.material_participation (the US NIIT, § 1411)", 0},
    {KEY_ANNUITY_EXEMPTION_CAP, "annuity_exemption_cap", SCHEMA_NUMBER, NON_NEGATIVE, NULL,
     false, "0", "currency", "most of seller.reinvest_annuity that exempts gain (0: no such "
     "exemption; Spain 240,000)", 0},
    {KEY_LOSS, "loss", SCHEMA_ENUM, NONE, "none|offset_other_gains|carry_forward", false, "none",
     NULL, "a loss on the sale: no value; offsets seller.other_gains of the year; or that, then "
     "up to loss_annual_limit a year against other income at loss_rate, for loss_years", 0},
    {KEY_LOSS_ANNUAL_LIMIT, "loss_annual_limit", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "currency per year", "carry_forward: most of the loss used against other income a year "
     "(0: no limit; US 3,000; Spain 25% of the savings income)", 0},
    {KEY_LOSS_YEARS, "loss_years", SCHEMA_INTEGER, {0, 100, false, false}, NULL, false, "0",
     "years", "carry_forward: years after the sale's it is carried (0: to the schedule's end; "
     "Spain 4)", 0},
    {KEY_LOSS_RATE, "loss_rate", SCHEMA_NUMBER, UNIT, NULL, false, "the top bracket's", NULL,
     "the tax rate on the other income a carried loss offsets", 0},
    {KEY_CLASSES, "classes", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{CLASS: {character, rate, self_employment}}: the seller's character of each asset class "
     "the jurisdiction knows (deal.allocation)", 0},
    {KEY_BY_FILING_STATUS, "by_filing_status", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{single: {brackets, surtax}, married_joint: {...}}: the thresholds of each filing status; "
     "seller.filing_status picks one (it replaces brackets and surtax)", 0},
    {KEY_NEGATIVE_YEAR, "negative_year", SCHEMA_ENUM, NONE, "carry_forward|carry_back", false,
     "per_year: carry_forward; cumulative, whole_gain: carry_back", NULL, "a year whose recognised gain is negative: against the sale's later "
     "gain first (the rest set back at its last gain), or set back against the earlier years "
     "first (the tax given back that year; the rest carried forward)", 0},
    {KEY_LOSS_LIMIT_SHARE, "loss_limit_share", SCHEMA_NUMBER, UNIT, NULL, false, "none", NULL,
     "carry_forward without loss_annual_limit: the limit a year is this share of "
     "seller.other_taxable_income (Spain 25%, LIRPF art. 49.1)", 0},
    {KEY_ORDINARY_RATE, "ordinary_rate", SCHEMA_NUMBER, UNIT, NULL, false, "the top bracket's",
     NULL, "the seller's marginal rate on ordinary income: recapture, an ordinary loss, "
     "renewal rights", 0},
    {KEY_RECAPTURE, "recapture", SCHEMA_ENUM, NONE, "none|ordinary", false, "none", NULL,
     "ordinary: seller.amortization_taken, up to the gain, is ordinary income of the sale's "
     "year (US § 1245, § 453(i))", 0},
    {KEY_PURCHASED_BOOK_LOSS, "purchased_book_loss", SCHEMA_ENUM, NONE, "capital|ordinary",
     false, "capital", NULL, "a loss on a purchased book (seller.book_origin): by `loss`, or "
     "ordinary, all deducted in the sale's year at ordinary_rate (US § 1231(a)(2))", 0},
    {KEY_RENEWAL_RIGHTS_ORDINARY, "renewal_rights_ordinary", SCHEMA_BOOL, NONE, NULL, false,
     "false", NULL, "the book is renewal-commission rights: the whole gain is ordinary income at "
     "ordinary_rate (US: Hodges v. Commissioner, 50 T.C. 428 (1968))", 0},
};

static const SchemaKey filing_status_keys[] = {
    {KEY_BRACKETS, "brackets", SCHEMA_MAPPING, NONE, NULL, true, NULL, NULL,
     "[[from, rate], ...] for this filing status", 0},
    {KEY_SURTAX, "surtax", SCHEMA_MAPPING, NONE, NULL, false, "none", NULL,
     "{rate, above} for this filing status", 0},
};

static const SchemaKey surtax_keys[] = {
    {KEY_RATE, "rate", SCHEMA_NUMBER, UNIT, NULL, true, NULL, NULL, "the surtax's rate", 0},
    {KEY_ABOVE, "above", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL, "currency",
     "income above which it applies", 0},
};

static const SchemaKey law_keys[] = {
    {KEY_REGIME, "regime", SCHEMA_MAPPING, NONE, NULL, true, NULL, NULL,
     "{name, year, sources}", 0},
};

static const SchemaKey regime_keys[] = {
    {KEY_NAME, "name", SCHEMA_STRING, NONE, NULL, true, NULL, NULL,
     "the jurisdiction and tax (Spain, IRPF savings base)", 0},
    {KEY_YEAR, "year", SCHEMA_INTEGER, {1900, 2200, false, false}, NULL, true, NULL, "year",
     "the tax year whose figures the preset holds", 0},
    {KEY_SOURCES, "sources", SCHEMA_STRING, NONE, NULL, true, NULL, NULL,
     "a list of the laws and articles cited", 0},
};

static const SchemaKey buyer_keys[] = {
    {KEY_DISCOUNT_RATE, "discount_rate", SCHEMA_NUMBER, ABOVE_MINUS_ONE, NULL, false,
     "scenario's", "per year", "the buyer's rate for NPV and walk-away price", 0},
    {KEY_ACQUISITION_COSTS, "acquisition_costs", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "currency", "paid at closing; amortised with the price", 0},
    {KEY_TAX_RATE, "tax_rate", SCHEMA_NUMBER, UNIT, NULL, false, "0", NULL,
     "on the book's cash; also the rate of the amortisation shield", 0},
    {KEY_AMORTIZATION_YEARS, "amortization_years", SCHEMA_INTEGER, {0, 100, false, false}, NULL,
     false, "15", "years", "straight-line write-off of price + costs (goodwill with "
     "deal.allocation), years 1..N; 0: never within the schedule (deductible only on a later "
     "disposal: Brazil, Lei 12.973/2014 arts. 20-22)", 0},
    {KEY_WORKING_CAPITAL, "working_capital", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "currency", "cash the buyer puts in at closing to run the practice until fees come in "
     "(in his equity), recovered in year H", 0},
    {KEY_WRITE_OFF, "write_off", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{CLASS: years}: straight-line write-off of each asset class but goodwill "
     "(amortization_years); 0: deducted as paid (deal.allocation)", 0},
    {KEY_FINANCING, "financing", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "a bank loan and the lender's debt service coverage test: {loan, owner_draw, min_dscr, "
     "seller_note_standby}", 0},    {KEY_PRICE_AT_RISK, "price_at_risk", SCHEMA_NUMBER, {0, 1, true, true}, NULL, false, NULL,
     NULL, "alpha: the highest base price with P(buyer's NPV < 0) <= alpha (Monte Carlo)", 0},
};

static const SchemaKey financing_keys[] = {
    {KEY_LOAN, "loan", SCHEMA_MAPPING, NONE, NULL, true, NULL, NULL,
     "{amount | share, rate, years}: level annual payments in years 1..years", 0},
    {KEY_OWNER_DRAW, "owner_draw", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "currency per year", "the buyer's own pay, taken from the book's cash before debt service", 0},
    {KEY_MIN_DSCR, "min_dscr", SCHEMA_NUMBER, POSITIVE, NULL, false, "1.25", NULL,
     "the lender's minimum debt service coverage ratio (SBA SOP 50 10 8: 1.15; banks 1.25)", 0},
    {KEY_SELLER_NOTE_STANDBY, "seller_note_standby", SCHEMA_BOOL, NONE, NULL, false, "false",
     NULL, "true: the seller's instalments and interest are not debt service while the loan "
     "runs (a note on standby, counted as equity)", 0},
};

static const SchemaKey loan_keys[] = {
    {KEY_AMOUNT, "amount", SCHEMA_NUMBER, POSITIVE, NULL, false, NULL, "currency",
     "the loan at closing (give amount or share)", 0},
    {KEY_SHARE, "share", SCHEMA_NUMBER, {0, 1, true, false}, NULL, false, NULL, NULL,
     "the loan as a share of the base price, at most the share paid at closing", 0},
    {KEY_RATE, "rate", SCHEMA_NUMBER, NON_NEGATIVE, NULL, true, NULL, "per year",
     "the loan's interest rate; interest is deductible at buyer.tax_rate", 0},
    {KEY_YEARS, "years", SCHEMA_INTEGER, {1, 100, false, false}, NULL, true, NULL, "years",
     "term: level payments X r / (1 - (1 + r)^-n) in years 1..n (n <= horizon_years)", 0},
};

#define TABLE(name_, keys_) {name_, keys_, sizeof keys_ / sizeof keys_[0]}
const SchemaTable schema_scenario = TABLE("scenario", scenario_keys);
const SchemaTable schema_segment = TABLE("segment", segment_keys);
const SchemaTable schema_client = TABLE("client", client_keys);
const SchemaTable schema_market = TABLE("market", market_keys);
const SchemaTable schema_provision = TABLE("provision", provision_keys);
const SchemaTable schema_monte_carlo = TABLE("monte_carlo", monte_carlo_keys);
const SchemaTable schema_precision = TABLE("precision", precision_keys);
const SchemaTable schema_correlation = TABLE("correlation", correlation_keys);
const SchemaTable schema_targets = TABLE("targets", targets_keys);
const SchemaTable schema_deal = TABLE("deal", deal_keys);
const SchemaTable schema_adjustment = TABLE("adjustment", adjustment_keys);
const SchemaTable schema_payment = TABLE("payment", payment_keys);
const SchemaTable schema_earn_out = TABLE("earn_out", earn_out_keys);
const SchemaTable schema_clawback = TABLE("clawback", clawback_keys);
const SchemaTable schema_seller = TABLE("seller", seller_keys);
const SchemaTable schema_tax = TABLE("tax", tax_keys);
const SchemaTable schema_keep = TABLE("keep", keep_keys);
const SchemaTable schema_exit = TABLE("exit", exit_keys);
const SchemaTable schema_buyer = TABLE("buyer", buyer_keys);
const SchemaTable schema_financing = TABLE("financing", financing_keys);
const SchemaTable schema_loan = TABLE("loan", loan_keys);
const SchemaTable schema_allocation = TABLE("allocation", allocation_keys);
const SchemaTable schema_class_tax = TABLE("class_tax", class_tax_keys);
const SchemaTable schema_normalization = TABLE("normalization", normalization_keys);
const SchemaTable schema_work_in_progress = TABLE("work_in_progress", work_in_progress_keys);
const SchemaTable schema_law = TABLE("tax (top level)", law_keys);
const SchemaTable schema_regime = TABLE("regime", regime_keys);
const SchemaTable schema_surtax = TABLE("surtax", surtax_keys);
const SchemaTable schema_filing_status = TABLE("filing_status", filing_status_keys);

const SchemaKey *schema_find(const SchemaTable *table, const char *key)
{
    for (size_t i = 0; i < table->count; i++)
        if (strcmp(table->keys[i].key, key) == 0)
            return &table->keys[i];
    return NULL;
}

bool schema_in_range(const SchemaRange *r, double x)
{
    bool above = r->min_open ? x > r->min : x >= r->min;
    bool below = r->max_open ? x < r->max : x <= r->max;
    return above && below;
}

static void bound_text(double x, char *buf, size_t size)
{
    if (isinf(x))
        snprintf(buf, size, "%s", x < 0 ? "-inf" : "inf");
    else
        snprintf(buf, size, "%.15g", x);
}

void schema_range_text(const SchemaRange *r, char *buf, size_t size)
{
    char lo[32], hi[32];
    bound_text(r->min, lo, sizeof lo);
    bound_text(r->max, hi, sizeof hi);
    snprintf(buf, size, "%c%s, %s%c", r->min_open || isinf(r->min) ? '(' : '[', lo, hi,
             r->max_open || isinf(r->max) ? ')' : ']');
}

void schema_key_list(const SchemaTable *table, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < table->count && used < size; i++) {
        if (table->keys[i].type == SCHEMA_LATER)
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", table->keys[i].key);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

bool schema_parse_number(const char *text, double *out)
{
    /* strtod alone would also take "inf", "nan", hex and leading spaces. */
    const char *p = text;
    if (*p == '+' || *p == '-')
        p++;
    size_t digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++, digits++;
    }
    if (digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p != '\0')
        return false;
    errno = 0;
    char *end;
    double x = strtod(text, &end);
    if (*end != '\0' || !isfinite(x) || (errno == ERANGE && fabs(x) > 1))
        return false;
    *out = x;
    return true;
}

bool schema_parse_bool(const char *text, bool *out)
{
    if (strcmp(text, "true") == 0)
        *out = true;
    else if (strcmp(text, "false") == 0)
        *out = false;
    else
        return false;
    return true;
}

static const char *type_text(const SchemaKey *k)
{
    switch (k->type) {
    case SCHEMA_STRING:
        return "text";
    case SCHEMA_NUMBER:
        return "number";
    case SCHEMA_INTEGER:
        return "integer";
    case SCHEMA_BOOL:
        return "true/false";
    case SCHEMA_ENUM:
        return k->values;
    case SCHEMA_UNCERTAIN:
        return "number or distribution (D)";
    case SCHEMA_RETENTION:
        return "(D) number, curve or sbg";
    case SCHEMA_MAPPING:
        return "structure";
    case SCHEMA_LATER:
        return "reserved";
    }
    return "";
}

static void write_table(FILE *out, const SchemaTable *t)
{
    fprintf(out, "\n#### %s keys\n\n| key | type | range | default | unit | meaning |\n"
                 "|---|---|---|---|---|---|\n", t->name);
    for (size_t i = 0; i < t->count; i++) {
        const SchemaKey *k = &t->keys[i];
        char range[64] = "";
        bool numeric = k->type == SCHEMA_NUMBER || k->type == SCHEMA_INTEGER ||
                       k->type == SCHEMA_UNCERTAIN || k->type == SCHEMA_RETENTION;
        if (numeric)
            schema_range_text(&k->range, range, sizeof range);
        fprintf(out, "| `%s` | %s | %s | %s | %s | %s |\n", k->key, type_text(k), range,
                k->required ? "required" : (k->default_text ? k->default_text : "none"),
                k->unit ? k->unit : "", k->doc);
    }
}

void schema_write_reference(FILE *out)
{
    write_table(out, &schema_scenario);
    write_table(out, &schema_normalization);
    write_table(out, &schema_segment);
    write_table(out, &schema_client);
    write_table(out, &schema_market);
    write_table(out, &schema_provision);
    write_table(out, &schema_monte_carlo);
    write_table(out, &schema_precision);
    write_table(out, &schema_targets);
    write_table(out, &schema_correlation);
    write_table(out, &schema_deal);
    write_table(out, &schema_adjustment);
    write_table(out, &schema_payment);
    write_table(out, &schema_earn_out);
    write_table(out, &schema_clawback);
    write_table(out, &schema_allocation);
    write_table(out, &schema_work_in_progress);
    write_table(out, &schema_seller);
    write_table(out, &schema_tax);
    write_table(out, &schema_class_tax);
    write_table(out, &schema_keep);
    write_table(out, &schema_exit);
    write_table(out, &schema_buyer);
    write_table(out, &schema_financing);
    write_table(out, &schema_loan);
    write_table(out, &schema_surtax);
    write_table(out, &schema_filing_status);
    write_table(out, &schema_law);
    write_table(out, &schema_regime);
}

const SchemaKey *schema_key(const SchemaTable *table, SchemaKeyId id)
{
    for (size_t i = 0; i < table->count; i++)
        if (table->keys[i].id == id)
            return &table->keys[i];
    return NULL;
}

size_t schema_index(const SchemaTable *table, SchemaKeyId id)
{
    const SchemaKey *k = schema_key(table, id);
    return k ? (size_t)(k - table->keys) : table->count;
}

double schema_default(const SchemaKey *k)
{
    double x;
    bool b;
    if (!k || !k->default_text)
        return (double)NAN;
    if (k->type == SCHEMA_BOOL && schema_parse_bool(k->default_text, &b))
        return b;
    if (k->type == SCHEMA_ENUM) {
        /* The default's index among `values`, as the reader returns a choice. */
        size_t len = strlen(k->default_text);
        int index = 0;
        for (const char *p = k->values; *p; index++) {
            size_t n = strcspn(p, "|");
            if (n == len && strncmp(p, k->default_text, n) == 0)
                return index;
            p += n + (p[n] == '|');
        }
        return (double)NAN;
    }
    return schema_parse_number(k->default_text, &x) ? x : (double)NAN;
}
