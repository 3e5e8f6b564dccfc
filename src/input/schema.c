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
    {KEY_DISCOUNT_RATE, "discount_rate", SCHEMA_UNCERTAIN, ABOVE_MINUS_ONE, NULL, true, NULL,
     "per year", "the rate the cash flows are discounted at", 0},
    {KEY_REVENUE_GROWTH, "revenue_growth", SCHEMA_UNCERTAIN, ABOVE_MINUS_ONE, NULL, false, "0",
     "per year", "growth of a retained client's fees", 0},
    {KEY_MARGIN, "margin", SCHEMA_UNCERTAIN, MARGIN_RANGE, NULL, true, NULL, "of revenue",
     "contribution margin: cash profit per unit of revenue", 0},
    {KEY_RETENTION, "retention", SCHEMA_RETENTION, UNIT, NULL, true, NULL, "per year",
     "constant renewal probability, {curve: [c1, c2, ...]} by year, or "
     "{sbg: {alpha, beta}} (shifted-beta-geometric, uses tenure_years)", 0},
    {KEY_TRANSFER_RETENTION, "transfer_retention", SCHEMA_UNCERTAIN, UNIT, NULL, false, "1",
     NULL, "share of clients that stay despite the sale itself (applied once)", 0},
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
    {KEY_SENSITIVITY, "sensitivity", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "{tornado: [PATH or {parameter, low, high}], grid: {rows: {PATH: [..]}, cols: {PATH: [..]}}}",
     0},
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
};

static const SchemaKey provision_keys[] = {
    {KEY_BUCKETS, "buckets", SCHEMA_MAPPING, NONE, NULL, true, NULL, NULL,
     "[[days, rate], ...]: from 0 days, ascending; rate in [0, 1] applies from that age on", 0},
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
     "{brackets: [[from, rate], ...], installment_method, brackets_apply}", 0},
    {KEY_INCOME_TAX_RATE, "income_tax_rate", SCHEMA_NUMBER, UNIT, NULL, false, "0", NULL,
     "the seller's marginal income tax on the practice's profit if he kept it", 0},
    {KEY_KEEP, "keep", SCHEMA_MAPPING, NONE, NULL, false, NULL, NULL,
     "what keeping the practice is worth to him: {margin, owner_compensation, years, "
     "discount_rate, exit}", 0},
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
    {KEY_DISCOUNT_RATE, "discount_rate", SCHEMA_NUMBER, ABOVE_MINUS_ONE, NULL, true, NULL,
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
    {KEY_BRACKETS, "brackets", SCHEMA_MAPPING, NONE, NULL, true, NULL, NULL,
     "[[from, rate], ...]: from 0, ascending; rate in [0, 1] on the gain above `from`", 0},
    {KEY_INSTALLMENT_METHOD, "installment_method", SCHEMA_BOOL, NONE, NULL, false, "true", NULL,
     "recognise the gain in proportion to principal received (else all at closing)", 0},
    {KEY_BRACKETS_APPLY, "brackets_apply", SCHEMA_ENUM, NONE, "per_year|cumulative", false,
     "per_year", NULL, "brackets on each year's gain alone, or on the gain recognised to date", 0},
};

static const SchemaKey buyer_keys[] = {
    {KEY_DISCOUNT_RATE, "discount_rate", SCHEMA_NUMBER, ABOVE_MINUS_ONE, NULL, false,
     "scenario's", "per year", "the buyer's rate for NPV and walk-away price", 0},
    {KEY_ACQUISITION_COSTS, "acquisition_costs", SCHEMA_NUMBER, NON_NEGATIVE, NULL, false, "0",
     "currency", "paid at closing; amortised with the price", 0},
    {KEY_TAX_RATE, "tax_rate", SCHEMA_NUMBER, UNIT, NULL, false, "0", NULL,
     "on the book's cash; also the rate of the amortisation shield", 0},
    {KEY_AMORTIZATION_YEARS, "amortization_years", SCHEMA_INTEGER, {1, 100, false, false}, NULL,
     false, "15", "years", "straight-line write-off of price + costs, years 1..N", 0},
    {KEY_PRICE_AT_RISK, "price_at_risk", SCHEMA_NUMBER, {0, 1, true, true}, NULL, false, NULL,
     NULL, "alpha: the highest base price with P(buyer's NPV < 0) <= alpha (Monte Carlo)", 0},
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
    write_table(out, &schema_seller);
    write_table(out, &schema_tax);
    write_table(out, &schema_keep);
    write_table(out, &schema_exit);
    write_table(out, &schema_buyer);
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
