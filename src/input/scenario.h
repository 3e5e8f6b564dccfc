/*
 * scenario.h — a validated scenario: plain, immutable C structs with every value checked.
 *
 * scenario_load reads a YAML scenario, resolves `extends:` and `--set`, validates it against
 * schema 1 (schema.h) and reads the clients inline or from CSV. Nothing downstream sees
 * YAML or re-checks a value. What a scenario means is DESIGN §4-5.
 */
#ifndef BOOKVAL_SCENARIO_H
#define BOOKVAL_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>

#include "csv_dialect.h"
#include "dist.h"
#include "error.h"
#include "provenance.h"
#include "retention.h"

typedef enum Timing { TIMING_END_OF_YEAR, TIMING_MID_YEAR } Timing;
typedef enum TailKind { TAIL_NONE, TAIL_RUNOFF } TailKind;
typedef enum StandardOfValue { VALUE_FAIR_MARKET, VALUE_INVESTMENT } StandardOfValue;
typedef enum CashFlows { CASH_FLOWS_PRE_TAX, CASH_FLOWS_AFTER_TAX } CashFlows;
typedef enum InactiveClients {
    INACTIVE_EXCLUDE,     /* left out of the book: no revenue, value, price base or count */
    INACTIVE_VALUE,       /* valued as live clients */
    INACTIVE_REACTIVATION /* valued at probability `reactivation` of coming back */
} InactiveClients;

/* The assumptions a segment may override; `given` says which this level wrote itself. */
enum {
    GIVEN_MARGIN = 1u << 0,
    GIVEN_REVENUE_GROWTH = 1u << 1,
    GIVEN_RETENTION = 1u << 2,
    GIVEN_TRANSFER_RETENTION = 1u << 3,
};

typedef struct Assumptions {
    Dist margin;              /* of revenue */
    Dist revenue_growth;      /* per year */
    RetentionModel retention; /* per year */
    Dist transfer_retention;  /* share, once, at the transfer */
    unsigned given;           /* GIVEN_* bits */
} Assumptions;

typedef struct Segment {
    const char *name;
    Assumptions assumptions; /* effective values: the scenario's, overridden by the segment */
    Mark mark;
} Segment;

/* One client. Own overrides are NaN when the client does not set them. */
typedef struct Client {
    const char *id;
    const char *name;            /* "" when not given */
    int segment;                 /* index into Scenario.segments, -1 for none */
    double annual_revenue;       /* R_i, currency per year, >= 0 */
    double tenure_years;         /* completed renewals, >= 0 */
    double receivable;           /* currency, >= 0 */
    double receivable_age_days;  /* >= 0 */
    bool active;
    double margin, retention, revenue_growth, transfer_retention; /* own values or NaN */
    Mark mark;                   /* where the client was written (YAML or CSV row) */
} Client;

typedef struct ProvisionBucket {
    double age_days; /* the rate applies from this age on */
    double rate;     /* share of the receivable provided for, 0..1 */
} ProvisionBucket;

typedef enum Sampling { SAMPLING_RANDOM, SAMPLING_LATIN_HYPERCUBE } Sampling;

/* The Monte Carlo the scenario asks for (DESIGN §6). */
typedef struct MonteCarloSpec {
    bool enabled;             /* a monte_carlo: section is present */
    long iterations;          /* 1..10,000,000; with a precision stop, the most to run */
    unsigned long long seed;  /* 0..2^53 */
    bool client_churn;
    Sampling sampling;
    bool has_precision;
    double relative;          /* half-width / |mean| to stop at */
    double confidence;        /* of the half-width */
    bool vary_discount_rate;  /* draw the discount rate; else held at its mean */
    double *value_below;      /* targets: P(value < X) for each X */
    size_t value_below_count;
    double *npv_below;        /* targets: P(buyer's NPV < Y) for each Y */
    size_t npv_below_count;
    Mark mark;                /* the monte_carlo: section */
} MonteCarloSpec;

/* A rank correlation between two uncertain inputs, named by their key paths. */
typedef struct Correlation {
    const char *a, *b;
    double rank;   /* Spearman, -1..1 */
    Mark mark;     /* the entry */
} Correlation;

/* A payment or an earn-out: something paid in a year after closing (0 = at closing). */
typedef struct YearShare {
    int year;
    double share; /* of the base price (payments) or of the year's collections (earn-outs) */
} YearShare;

typedef struct ClawbackTier {
    int within_years; /* a client lost in years up to this one (after the previous tier) */
    double refund;    /* share of its part of the base price refunded */
} ClawbackTier;

typedef struct TaxBracket {
    double from; /* gain above this amount, currency */
    double rate; /* is taxed at this rate */
} TaxBracket;

/* Asset classes of a purchase-price allocation (US residual method, Form 8594's classes). */
typedef enum AssetClass {
    CLASS_GOODWILL,    /* the residual */
    CLASS_CLIENT_LIST,
    CLASS_NON_COMPETE,
    CLASS_CONSULTING,
    CLASS_EQUIPMENT,
    CLASS_COUNT
} AssetClass;

/* One line of deal.allocation: an amount (scaled with the price) or a share of the price. */
typedef struct AllocationItem {
    AssetClass cls;
    bool is_share;
    double value;              /* currency, or a share of the expected price */
    Mark mark;
} AllocationItem;

/* The seller's character of a class in his jurisdiction (seller.tax.classes). */
typedef struct ClassTax {
    bool known;                /* the jurisdiction lists the class */
    bool ordinary;             /* ordinary income at `rate` (else a gain, by the brackets) */
    double rate;               /* the seller's marginal rate on ordinary income */
    double self_employment;    /* social charges on it (consulting), share */
} ClassTax;

/* The transaction (DESIGN §7). */
typedef struct DealSpec {
    bool enabled;
    bool price_is_multiple;
    double price;              /* currency, or x annual revenue when price_is_multiple */
    bool has_adjustment;
    int measure_year;          /* 1..horizon */
    double adjustment_multiple;/* final price = multiple x revenue retained in measure_year */
    YearShare *payments;       /* shares of the base price, summing to 1, by ascending year */
    size_t payment_count;
    double interest_rate;      /* per year on the unpaid base-price principal */
    YearShare *earn_outs;      /* by ascending year */
    size_t earn_out_count;
    ClawbackTier *clawbacks;   /* by ascending within_years */
    size_t clawback_count;
    AllocationItem *allocation; /* the price by asset class; the rest is goodwill */
    size_t allocation_count;
    bool receivables_to_buyer; /* deal.receivables: buyer (else the seller keeps them) */
    double work_in_progress;   /* currency: unbilled work at closing */
    bool wip_to_buyer;         /* deal.work_in_progress.to: buyer */
    Mark mark;
} DealSpec;

/* What keeping the practice is worth to its seller (DESIGN §7): his own work, the practice's
 * risk and the day he stops. */
typedef struct KeepSpec {
    bool enabled;              /* seller.keep is given: without it, no walk-away price */
    bool has_margin;           /* else each client's margin (the book's) */
    double margin;             /* of revenue, before any pay for the seller's own work */
    double owner_compensation; /* currency per year: a replacement's salary and charges */
    bool has_compensation_growth;
    double compensation_growth;/* per year; else the scenario's revenue_growth (its mean) */
    int years;                 /* 1..horizon; 0: to the horizon, plus the run-off tail */
    bool has_discount_rate;    /* else the valuation's rate (after-tax valuations only) */
    double discount_rate;      /* per year: the rate for the book's cash, the book's risk */
    bool has_exit;
    double exit_multiple;      /* x that year's expected revenue, sold at `years` */
    Mark mark;                 /* the seller.keep: section (or seller: when absent) */
} KeepSpec;

/* What a loss on the sale is worth: seller.tax.loss's three rules, in the schema's order, and
 * an ordinary loss (a purchased book's, US § 1231(a)(2), or renewal rights'): all in the
 * sale's year at the ordinary rate. */
typedef enum LossRule {
    LOSS_NONE,
    LOSS_OFFSET_OTHER_GAINS,
    LOSS_CARRY_FORWARD,
    LOSS_ORDINARY
} LossRule;

typedef struct SellerSpec {
    bool enabled;
    KeepSpec keep;
    double tax_basis, carrying_amount, selling_costs; /* currency */
    double discount_rate;      /* per year */
    double income_tax_rate;    /* on the cash of a book kept */
    TaxBracket *brackets;      /* ascending, the first from 0; none: no tax */
    size_t bracket_count;
    bool installment_method;
    bool cumulative;           /* brackets_apply: cumulative (else per_year) */
    bool has_classes;          /* seller.tax.classes given */
    ClassTax classes[CLASS_COUNT];
    bool whole_gain;           /* brackets_apply: whole_gain (the rate of the whole gain on
                                  each year's part, RIR/2018 art. 151) */
    bool has_interest_tax_rate;/* else the top bracket's rate */
    double interest_tax_rate;  /* seller.tax.interest_rate: on the interest received */
    int payment_lag_years;     /* 0 or 1: the tax of year t is paid in year t + lag */
    double other_taxable_income; /* currency per year: the gain's brackets start above it */
    bool material_participation; /* no surtax */
    double surtax_rate, surtax_above; /* the US NIIT: rate on income above `above` (0: none) */
    double reinvest_annuity;   /* currency put in a life annuity (LIRPF art. 38.3) */
    double annuity_exemption_cap; /* most of it that exempts gain (0: no such exemption) */
    LossRule loss_rule;        /* seller.tax.loss, or ordinary (below) */
    double other_gains;        /* currency: the sale's year, offset by a loss */
    double loss_annual_limit;  /* currency per year (0: none) */
    int loss_years;            /* years after the sale's (0: to the schedule's end) */
    bool has_loss_rate;
    double loss_rate;          /* else the top bracket's */
    bool has_loss_limit_share;
    double loss_limit_share;   /* without loss_annual_limit: the limit is this share of
                                  other_taxable_income (LIRPF art. 49.1: 25%) */
    bool carry_back;           /* negative_year: carry_back (else carry_forward) */
    int filing_status;         /* 0 single, 1 married_joint */
    bool purchased;            /* book_origin: purchased */
    double amortization_taken; /* currency deducted on a purchased book */
    bool recapture;            /* tax.recapture: ordinary (US § 1245) */
    bool renewal_rights_ordinary; /* the gain at ordinary_rate (Hodges v. Commissioner) */
    bool has_ordinary_rate;
    double ordinary_rate;      /* else the top bracket's */
    double price_at_risk;      /* alpha in (0, 1), NaN when not asked */
} SellerSpec;

/* The buyer's bank (or SBA 7(a)) loan beside the seller's note, and the lender's test of it:
 * the debt service coverage ratio. */
typedef struct FinancingSpec {
    bool enabled;
    bool loan_is_share;        /* the loan is `loan` x the base price (it scales with the price) */
    double loan;               /* currency, or a share of the base price when loan_is_share */
    double rate;               /* per year */
    int years;                 /* level annual payments in years 1..years (<= horizon) */
    double owner_draw;         /* currency per year: the buyer's own pay, before debt service */
    double min_dscr;           /* the lender's minimum debt service coverage */
    bool seller_note_standby;  /* the deal's payments are not debt service while the loan runs */
    Mark mark;                 /* buyer.financing */
} FinancingSpec;

typedef struct BuyerSpec {
    bool enabled;
    bool has_discount_rate;    /* else the scenario's (its mean) */
    double discount_rate;
    double acquisition_costs;  /* currency, at closing */
    double tax_rate;
    int amortization_years;
    FinancingSpec financing;
    double working_capital;    /* currency: the buyer's cash need at closing, back in year H */
    bool has_write_off;        /* buyer.write_off given */
    int write_off[CLASS_COUNT]; /* years of straight-line write-off (0: as paid); goodwill's
                                 * is amortization_years */
    bool write_off_known[CLASS_COUNT]; /* listed by buyer.write_off */
    double price_at_risk;      /* alpha in (0, 1), NaN when not asked */
} BuyerSpec;

/* A what-if variant: the scenario plus the patch under variants[i].set. */
#define VARIANT_KEYS_MAX 16

typedef struct VariantSpec {
    const char *name;
    Mark mark;
    const char *keys[VARIANT_KEYS_MAX]; /* the paths its set changes (the first 16), in order */
    size_t key_count;
} VariantSpec;

/* A tornado entry: a parameter path swung from low to high (when not given: the distribution's
 * 10th and 90th percentiles, or +-10% of a fixed number, kept inside its range). */
typedef struct TornadoSpec {
    const char *parameter;
    bool has_range;
    double low, high;
    Mark mark;
} TornadoSpec;

/* A two-way table of DCF values over two parameters. */
typedef struct GridSpec {
    bool enabled;
    const char *row_parameter, *col_parameter;
    double *rows, *cols;
    size_t row_count, col_count;
    Mark mark;
} GridSpec;

/* One line of the bridge from the practice's reported profit to normalised earnings. */
typedef struct NormalizationItem {
    const char *label;         /* the reason, as the buyer or lender reads it */
    double amount;             /* currency per year, >= 0 */
    bool deduction;            /* else an add-back */
    bool lender_accepted;      /* a lender counts it (documented, recurring) */
} NormalizationItem;

/* Normalised earnings: reported_profit, the bridge lines, the owner's market salary. */
typedef struct Normalization {
    bool enabled;              /* reported_profit given */
    double reported_profit;    /* currency per year: the accounts' pre-tax profit */
    double owner_market_salary;/* currency per year: a replacement for the owner's work */
    NormalizationItem *items;
    size_t count;
    bool margin_from;          /* margin: from_normalization (EBITDA / annual revenue) */
    Mark mark;                 /* reported_profit */
} Normalization;

/* Places of the scenario-level keys that later stages may need to point at. */
typedef struct ScenarioMarks {
    Mark discount_rate, revenue_growth, retention, tail, horizon_years, clients_csv, clients;
    Mark margin, transfer_retention, cash_flows, tax_rate, amortization_years, market;
} ScenarioMarks;

#define SCENARIO_NOTES_MAX 8

/* The tax law the presets follow (tax.regime): printed with the results. */
typedef struct TaxRegime {
    const char *name;             /* NULL: none given */
    int year;
    const char *sources;          /* the citations, joined by "; " */
} TaxRegime;

typedef struct Scenario {
    const char *name;
    const char *file;             /* the path the scenario was loaded from */
    char currency[4];             /* ISO 4217 */
    int horizon_years;            /* 1..100 */
    Timing timing;
    TailKind tail;
    Dist discount_rate;           /* per year, > -1 */
    double retention_scale;       /* s in (0, 2]: every rate r(k) valued as min(1, s r(k)) */
    Assumptions defaults;         /* scenario-level values */
    Segment *segments;
    size_t segment_count;
    Client *clients;
    size_t client_count;
    bool has_market;
    double multiple_low, multiple_high; /* x annual revenue (or SDE, EBITDA: market_basis) */
    int market_basis;             /* market.basis: 0 revenue, 1 sde, 2 ebitda */
    ProvisionBucket *provision;
    size_t provision_count;
    const char *clients_csv;      /* resolved path, NULL when clients are inline */
    CsvDialect clients_csv_dialect; /* how that file is written; after reading, as detected */
    const char *notes[SCENARIO_NOTES_MAX]; /* "FILE:LINE:COL: note: ..." worth a word, not errors */
    size_t note_count;
    MonteCarloSpec monte_carlo;
    Correlation *correlations;
    size_t correlation_count;
    DealSpec deal;
    SellerSpec seller;
    BuyerSpec buyer;
    TaxRegime tax_regime;
    VariantSpec *variants;
    size_t variant_count;
    TornadoSpec *tornado;
    size_t tornado_count;
    GridSpec grid;
    Normalization normalization;
    ScenarioMarks marks;
    InputFiles inputs;            /* every file read, in order, hashed (provenance.h) */
    const char *valuation_date;   /* YYYY-MM-DD as written, NULL: undated */
    StandardOfValue standard_of_value;
    /* The DCF's tax convention: pre-tax cash, or after tax at tax_rate with the tax
     * amortisation benefit over amortization_years (0 when pre-tax and none applies). */
    CashFlows cash_flows;
    bool has_tax_rate;
    double tax_rate;
    int amortization_years;
    /* Clients with active: false. */
    InactiveClients inactive_clients;
    double reactivation;          /* INACTIVE_REACTIVATION: probability of coming back */
    bool has_inactive_rate;       /* provision.inactive_rate given (else the last bucket's) */
    double inactive_rate;
    struct StringPool *pool;      /* owns every string above */
    struct ScenarioRows *rows;    /* CSV clients shared with the source (their strings, notes) */
} Scenario;

/* A command-line override: `--set PATH=VALUE`, the Nth on the command line. */
typedef struct ScenarioSet {
    const char *assignment; /* "segments.A.retention=0.97" */
} ScenarioSet;

/* A parameter set to a number for a what-if run, reported at `mark` when it is out of range. */
typedef struct ScenarioOverride {
    const char *path;  /* "segments.A.retention" */
    double value;
    Mark mark;         /* where the what-if asked for it */
} ScenarioOverride;

/* A what-if patch on a loaded source: a variant's set (variant >= 0), then number overrides
 * (a tornado or grid point). A patched scenario leaves out its own variants and sensitivity. */
typedef struct ScenarioPatch {
    int variant;       /* -1: none */
    const ScenarioOverride *overrides;
    size_t override_count;
} ScenarioPatch;

/*
 * A scenario file loaded once (DESIGN §2): its YAML parsed, the models it extends merged beneath
 * it and each --set above it, and — once a scenario has been built from it — its CSV clients
 * read and kept. Every Scenario built from it (the base and each what-if point) shares those
 * rows; a Scenario keeps them alive by itself, so it may outlive the source.
 */
typedef struct ScenarioSource ScenarioSource;

/* Load `path` with `sets` applied (models looked for as scenario_load says). On failure *out
 * is NULL and `errors` says why. */
BvStatus scenario_source_load(const char *path, const ScenarioSet *sets, size_t set_count,
                              const char *models_dir, ScenarioSource **out, BvErrors *errors);

/* The validated Scenario of the source with `patch` (NULL: none) applied. The source's tree
 * is not changed: each call patches a copy. Errors as scenario_load's. */
BvStatus scenario_from_source(ScenarioSource *source, const ScenarioPatch *patch,
                              Scenario **out, BvErrors *errors);

void scenario_source_free(ScenarioSource *source); /* NULL is a no-op */

/* The parameter at `path` (a what-if input): the scenario's or a segment's margin,
 * revenue_growth, transfer_retention, constant retention, or discount_rate; with a buyer,
 * buyer.discount_rate (its own, else the scenario's mean); with a deal priced as a multiple,
 * deal.price.multiple, else deal.price. Its distribution (a fixed one for a number) and
 * accepted range; false when the path names no such parameter. */
bool scenario_parameter(const Scenario *scenario, const char *path, Dist *dist,
                        double *range_min, double *range_max);

/*
 * Load, merge and validate the scenario at `path`, then apply `sets` in order.
 * Models named by `extends:` are looked for in a `models/` directory beside the scenario or
 * in one of its parents, then in `models_dir` (may be NULL).
 * On success *out owns a scenario (free with scenario_free). On failure *out is NULL and
 * `errors` holds every problem found (BV_ERR_INPUT with line and column, BV_ERR_USAGE for a
 * malformed --set, BV_ERR_IO, BV_ERR_NOMEM).
 */
BvStatus scenario_load(const char *path, const ScenarioSet *sets, size_t set_count,
                       const char *models_dir, Scenario **out, BvErrors *errors);

void scenario_free(Scenario *scenario); /* NULL is a no-op */

/* The scenario's total annual revenue, sum of R_i. */
double scenario_annual_revenue(const Scenario *scenario);

/* A client with every field at its default (no segment, own values NaN). */
void scenario_client_init(Client *client);

/* Index of the segment called `name`, or -1. */
int scenario_segment_index(const Scenario *scenario, const char *name);

#endif
