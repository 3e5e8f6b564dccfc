/*
 * schema.h — schema 1 of a scenario as data: every key, where it may appear, its type, its
 * accepted range, its default, its unit and a one-line description.
 *
 * The loader validates against these tables and `bookval help scenario` prints them, so the
 * reference a user reads and the checks the engine makes cannot drift apart. Scalar parsing
 * (numbers in the C locale, booleans) lives here too, shared by the YAML and CSV readers.
 */
#ifndef BOOKVAL_SCHEMA_H
#define BOOKVAL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum SchemaType {
    SCHEMA_STRING,
    SCHEMA_NUMBER,
    SCHEMA_INTEGER,
    SCHEMA_BOOL,
    SCHEMA_ENUM,      /* one of `values`, "a|b" */
    SCHEMA_UNCERTAIN, /* (D): a number or a distribution */
    SCHEMA_RETENTION, /* (D) number, {curve: [...]} or {sbg: {alpha, beta}} */
    SCHEMA_MAPPING,   /* a structure described by its own table */
    SCHEMA_LATER      /* reserved for a later version of bookval: rejected */
} SchemaType;

typedef enum SchemaKeyId {
    KEY_NAME,
    KEY_CURRENCY,
    KEY_EXTENDS,
    KEY_HORIZON_YEARS,
    KEY_TIMING,
    KEY_TAIL,
    KEY_DISCOUNT_RATE,
    KEY_REVENUE_GROWTH,
    KEY_MARGIN,
    KEY_RETENTION,
    KEY_TRANSFER_RETENTION,
    KEY_MARKET,
    KEY_MULTIPLE_LOW,
    KEY_MULTIPLE_HIGH,
    KEY_PROVISION,
    KEY_BUCKETS,
    KEY_SEGMENTS,
    KEY_CLIENTS,
    KEY_CLIENTS_CSV,
    KEY_MONTE_CARLO,
    KEY_CORRELATIONS,
    KEY_DEAL,
    KEY_SELLER,
    KEY_BUYER,
    KEY_VARIANTS,
    KEY_SENSITIVITY,
    KEY_ID,
    KEY_CLIENT_NAME,
    KEY_SEGMENT,
    KEY_ANNUAL_REVENUE,
    KEY_TENURE_YEARS,
    KEY_ACTIVE,
    KEY_RECEIVABLE,
    KEY_RECEIVABLE_AGE_DAYS,
    KEY_ITERATIONS,
    KEY_SEED,
    KEY_CLIENT_CHURN,
    KEY_SAMPLING,
    KEY_PRECISION,
    KEY_RELATIVE,
    KEY_CONFIDENCE,
    KEY_MAX_ITERATIONS,
    KEY_BETWEEN,
    KEY_RANK,
    KEY_PRICE,
    KEY_ADJUSTMENT,
    KEY_MEASURE_YEAR,
    KEY_MULTIPLE,
    KEY_PAYMENTS,
    KEY_YEAR,
    KEY_SHARE,
    KEY_INTEREST_RATE,
    KEY_EARN_OUT,
    KEY_SHARE_OF_COLLECTIONS,
    KEY_CLAWBACK,
    KEY_WITHIN_YEARS,
    KEY_REFUND,
    KEY_TAX_BASIS,
    KEY_CARRYING_AMOUNT,
    KEY_SELLING_COSTS,
    KEY_TAX,
    KEY_BRACKETS,
    KEY_INSTALLMENT_METHOD,
    KEY_BRACKETS_APPLY,
    KEY_INCOME_TAX_RATE,
    KEY_KEEP,
    KEY_OWNER_COMPENSATION,
    KEY_OWNER_COMPENSATION_GROWTH,
    KEY_YEARS,
    KEY_EXIT,
    KEY_ACQUISITION_COSTS,
    KEY_TAX_RATE,
    KEY_AMORTIZATION_YEARS,
    KEY_VALUATION_DATE,
    KEY_STANDARD_OF_VALUE,
    KEY_CASH_FLOWS,
    KEY_INACTIVE_CLIENTS,
    KEY_REACTIVATION,
    KEY_INACTIVE_RATE,
    KEY_FINANCING,
    KEY_LOAN,
    KEY_AMOUNT,
    KEY_RATE,
    KEY_OWNER_DRAW,
    KEY_MIN_DSCR,
    KEY_SELLER_NOTE_STANDBY,
    KEY_ALLOCATION,
    KEY_CLASS,
    KEY_CLASSES,
    KEY_CHARACTER,
    KEY_SELF_EMPLOYMENT,
    KEY_WRITE_OFF,
    KEY_REPORTED_PROFIT,
    KEY_OWNER_MARKET_SALARY,
    KEY_NORMALIZATION,
    KEY_LABEL,
    KEY_KIND,
    KEY_LENDER_ACCEPTED,
    KEY_RECEIVABLES,
    KEY_WORK_IN_PROGRESS,
    KEY_TO,
    KEY_WORKING_CAPITAL,
    KEY_BASIS,
    KEY_PAYMENT_LAG_YEARS,
    KEY_REGIME,
    KEY_SOURCES,
    KEY_OTHER_TAXABLE_INCOME,
    KEY_MATERIAL_PARTICIPATION,
    KEY_REINVEST_ANNUITY,
    KEY_SURTAX,
    KEY_ABOVE,
    KEY_ANNUITY_EXEMPTION_CAP,
    KEY_LOSS,
    KEY_LOSS_ANNUAL_LIMIT,
    KEY_LOSS_YEARS,
    KEY_LOSS_RATE,
    KEY_OTHER_GAINS,
    KEY_VARY_DISCOUNT_RATE,
    KEY_PRICE_AT_RISK,
    KEY_TARGETS,
    KEY_VALUE_BELOW,
    KEY_NPV_BELOW,
    KEY_RETENTION_SCALE,
    KEY_FILING_STATUS,
    KEY_BY_FILING_STATUS,
    KEY_BOOK_ORIGIN,
    KEY_AMORTIZATION_TAKEN,
    KEY_NEGATIVE_YEAR,
    KEY_LOSS_LIMIT_SHARE,
    KEY_ORDINARY_RATE,
    KEY_RECAPTURE,
    KEY_PURCHASED_BOOK_LOSS,
    KEY_RENEWAL_RIGHTS_ORDINARY,
    KEY_COUNT
} SchemaKeyId;

/* A closed or open numeric interval; infinite ends are unbounded. */
typedef struct SchemaRange {
    double min, max;
    bool min_open, max_open;
} SchemaRange;

typedef struct SchemaKey {
    SchemaKeyId id;
    const char *key;
    SchemaType type;
    SchemaRange range;     /* numbers */
    const char *values;    /* SCHEMA_ENUM: "end_of_year|mid_year" */
    bool required;
    const char *default_text; /* as a user would write it; NULL when required or none */
    const char *unit;
    const char *doc;
    size_t client_offset;  /* client number fields: offsetof(Client, field); else 0 */
} SchemaKey;

/* The most keys any one table has: the size of a reader's field buffers. */
#define SCHEMA_FIELDS_MAX 32

typedef struct SchemaTable {
    const char *name;      /* "scenario", "segment", "client", ... */
    const SchemaKey *keys;
    size_t count;
} SchemaTable;

extern const SchemaTable schema_scenario;
extern const SchemaTable schema_segment;
extern const SchemaTable schema_client;
extern const SchemaTable schema_market;
extern const SchemaTable schema_provision;
extern const SchemaTable schema_monte_carlo;
extern const SchemaTable schema_precision;
extern const SchemaTable schema_correlation;
extern const SchemaTable schema_targets;
extern const SchemaTable schema_deal;
extern const SchemaTable schema_adjustment;
extern const SchemaTable schema_payment;
extern const SchemaTable schema_earn_out;
extern const SchemaTable schema_clawback;
extern const SchemaTable schema_seller;
extern const SchemaTable schema_tax;
extern const SchemaTable schema_keep;
extern const SchemaTable schema_exit;
extern const SchemaTable schema_buyer;
extern const SchemaTable schema_financing;
extern const SchemaTable schema_loan;
extern const SchemaTable schema_allocation;
extern const SchemaTable schema_class_tax;
extern const SchemaTable schema_normalization;
extern const SchemaTable schema_work_in_progress;
extern const SchemaTable schema_law;
extern const SchemaTable schema_regime;
extern const SchemaTable schema_surtax;
extern const SchemaTable schema_filing_status;

/* The entry for `key` in `table`, or NULL. */
const SchemaKey *schema_find(const SchemaTable *table, const char *key);

/* The row of `id` in `table` (NULL when absent), and its index (table->count when absent):
 * callers name keys, never count rows. */
const SchemaKey *schema_key(const SchemaTable *table, SchemaKeyId id);
size_t schema_index(const SchemaTable *table, SchemaKeyId id);

/* A key's default as a number: the number written in its row, 1/0 for a boolean, the index of
 * an enum's choice; NaN when the row gives none (required, or "segment's"). */
double schema_default(const SchemaKey *k);

/* True when x lies in the range. */
bool schema_in_range(const SchemaRange *range, double x);

/* The range as a reader would write it: "[0, 1]", "(-1, inf)", ">= 0". */
void schema_range_text(const SchemaRange *range, char *buf, size_t size);

/* Comma-separated list of a table's keys, for "unknown key" messages. */
void schema_key_list(const SchemaTable *table, char *buf, size_t size);

/*
 * Parse a decimal number as written in a scenario or CSV: optional sign, digits, optional
 * fraction and exponent, in the C locale. Refuses hex, "inf", "nan", digit separators,
 * surrounding spaces and values that overflow. True on success.
 */
bool schema_parse_number(const char *text, double *out);

/* "true" or "false" only. */
bool schema_parse_bool(const char *text, bool *out);

/* Write the scenario reference (Markdown tables) generated from the schema tables. */
void schema_write_reference(FILE *out);

#endif
