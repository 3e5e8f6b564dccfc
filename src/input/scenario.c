/*
 * scenario.c — from YAML tree to validated Scenario.
 *
 * The order of work is the data flow of DESIGN §2: parse the file, merge what it extends
 * beneath it, merge each --set above it (scenario_merge.c), then walk the merged tree once
 * against the schema tables, recording every error (validate reports them all) rather than
 * stopping at the first. Sections with more to them have their own files: segments and
 * clients, deal, what-if.
 */
#include "scenario_loader.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "clients_csv.h"
#include "scenario_internal.h"
#include "yamltree.h"

/* The workbook lays the cohorts (distinct sets of client assumptions) out on one sheet, with
 * the horizon and a header: more than fit is an input error, found before any computing. */
#define SCENARIO_SHEET_ROWS 1048576u
#define SCENARIO_SHEET_HEADER_ROWS 32u

/* ---- the loader's helpers ---- */

void scenario_nomem(Loader *L)
{
    bv_error(L->errors, BV_ERR_NOMEM, NULL, NULL, "out of memory");
}

/* tree_merge, its only failure (out of memory) recorded. */
Node *scenario_tree_merge(Loader *L, Node *base, Node *patch)
{
    Node *merged = tree_merge(L->tree, base, patch);
    if (!merged && (base || patch))
        scenario_nomem(L);
    return merged;
}

/* Marks must outlive the tree: copy the file name into the scenario's pool. Out of memory,
 * the mark loses its file (and the load fails) rather than point into the freed tree. */
Mark scenario_keep_mark(Loader *L, Mark m)
{
    if (m.file && m.file != L->last_file) {
        const char *copy = scenario_intern(L->sc, m.file, strlen(m.file));
        if (!copy) {
            scenario_nomem(L);
            return (Mark){NULL, 0, 0};
        }
        L->last_file = m.file;
        L->last_copy = copy;
    }
    if (m.file)
        m.file = L->last_copy;
    return m;
}

/* ---- market and provision ---- */

static void read_market(Loader *L, const Node *n)
{
    if (!treeread_expect_map(&L->rd, n, "market", "{multiple_low, multiple_high}") ||
        !treeread_check_keys(&L->rd, n, "market", &schema_market))
        return;
    bool ok = true;
    double *fields[2] = {&L->sc->multiple_low, &L->sc->multiple_high};
    for (size_t i = 0; i < schema_market.count; i++) {
        const SchemaKey *k = &schema_market.keys[i];
        const Node *v = tree_map_get(n, k->key);
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, "market", k->key);
        if (k->id == KEY_BASIS) { /* optional: normalised earnings may be the basis */
            L->sc->marks.market = scenario_keep_mark(L, v ? v->mark : n->mark);
            if (v)
                ok &= treeread_enum(&L->rd, v, kp, k->values, &L->sc->market_basis);
            continue;
        }
        if (!v) {
            bv_error(L->errors, BV_ERR_INPUT, &n->mark, "market", "market needs '%s'", k->key);
            ok = false;
            continue;
        }
        ok &= treeread_number(&L->rd, v, kp, &k->range, false, fields[k->id == KEY_MULTIPLE_HIGH]);
    }
    if (ok && L->sc->multiple_high < L->sc->multiple_low) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "market",
                 "multiple_high (%g) is below multiple_low (%g)", L->sc->multiple_high,
                 L->sc->multiple_low);
        ok = false;
    }
    L->sc->has_market = ok;
}

static void read_provision(Loader *L, const Node *n)
{
    static const SchemaRange days = {0, HUGE_VAL, false, false};
    static const SchemaRange rate = {0, 1, false, false};
    if (!treeread_expect_map(&L->rd, n, "provision", "{buckets: [[days, rate], ...]}") ||
        !treeread_check_keys(&L->rd, n, "provision", &schema_provision))
        return;
    const Node *b = tree_map_get(n, "buckets");
    if (!b) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "provision", "provision needs 'buckets'");
        return;
    }
    if (!treeread_expect_seq(&L->rd, b, "provision.buckets", "a list of [days, rate] pairs"))
        return;
    if (b->count == 0 || b->count > 64) {
        bv_error(L->errors, BV_ERR_INPUT, &b->mark, "provision.buckets",
                 "give 1 to 64 [days, rate] buckets, got %zu", b->count);
        return;
    }
    Scenario *sc = L->sc;
    const Node *ir = tree_map_get(n, "inactive_rate");
    if (ir)
        sc->has_inactive_rate = treeread_number(&L->rd, ir, "provision.inactive_rate", &rate,
                                                false, &sc->inactive_rate);
    sc->provision = calloc(b->count, sizeof *sc->provision);
    if (!sc->provision) {
        scenario_nomem(L);
        return;
    }
    for (size_t i = 0; i < b->count; i++) {
        const Node *pair = b->items[i];
        char kp[TREEREAD_PATH_MAX];
        snprintf(kp, sizeof kp, "provision.buckets[%zu]", i);
        if (pair->kind != NODE_SEQ || pair->count != 2) {
            bv_error(L->errors, BV_ERR_INPUT, &pair->mark, kp,
                     "expected a [days, rate] pair");
            continue;
        }
        ProvisionBucket *pb = &sc->provision[sc->provision_count++];
        char dp[TREEREAD_PATH_MAX], rp[TREEREAD_PATH_MAX];
        snprintf(dp, sizeof dp, "%s[0]", kp);
        snprintf(rp, sizeof rp, "%s[1]", kp);
        bool ok = treeread_number(&L->rd, pair->items[0], dp, &days, false, &pb->age_days);
        treeread_number(&L->rd, pair->items[1], rp, &rate, false, &pb->rate);
        if (ok && i == 0 && pb->age_days != 0)
            bv_error(L->errors, BV_ERR_INPUT, &pair->items[0]->mark, dp,
                     "the first bucket starts at 0 days (every receivable needs a rate), got %g",
                     pb->age_days);
        if (ok && i > 0 && !(pb->age_days > sc->provision[i - 1].age_days))
            bv_error(L->errors, BV_ERR_INPUT, &pair->items[0]->mark, dp,
                     "bucket ages must increase: %g follows %g", pb->age_days,
                     sc->provision[i - 1].age_days);
    }
}

/* ---- Monte Carlo and correlations ---- */

static void read_precision(Loader *L, const Node *n, MonteCarloSpec *mc)
{
    const char *path = "monte_carlo.precision";
    if (!treeread_expect_map(&L->rd, n, path, "{relative, confidence, max_iterations}") ||
        !treeread_check_keys(&L->rd, n, path, &schema_precision))
        return;
    mc->has_precision = true;
    for (size_t i = 0; i < schema_precision.count; i++) {
        const SchemaKey *k = &schema_precision.keys[i];
        const Node *v = tree_map_get(n, k->key);
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, path, k->key);
        double x;
        if (!v) {
            if (k->required)
                bv_error(L->errors, BV_ERR_INPUT, &n->mark, path, "precision needs '%s'",
                         k->key);
            continue;
        }
        if (!treeread_number(&L->rd, v, kp, &k->range, k->type == SCHEMA_INTEGER, &x))
            continue;
        if (k->id == KEY_RELATIVE)
            mc->relative = x;
        else if (k->id == KEY_CONFIDENCE)
            mc->confidence = x;
        else
            mc->iterations = (long)x; /* max_iterations bounds the run */
    }
}

/* monte_carlo.targets: lists of thresholds, any number each (up to 16). */
static void read_targets(Loader *L, const Node *n, MonteCarloSpec *mc)
{
    if (!treeread_expect_map(&L->rd, n, "monte_carlo.targets", "{value_below: [X, ...], npv_below: [Y, ...]}") ||
        !treeread_check_keys(&L->rd, n, "monte_carlo.targets", &schema_targets))
        return;
    static const SchemaRange any = {-HUGE_VAL, HUGE_VAL, false, false};
    for (int which = 0; which < 2; which++) {
        const char *key = which ? "npv_below" : "value_below";
        const Node *list = tree_map_get(n, key);
        char kp[TREEREAD_PATH_MAX];
        snprintf(kp, sizeof kp, "monte_carlo.targets.%s", key);
        if (!list || !treeread_expect_seq(&L->rd, list, kp, "a list of 1 to 16 amounts"))
            continue;
        if (list->count < 1 || list->count > 16) {
            bv_error(L->errors, BV_ERR_INPUT, &list->mark, kp,
                     "give 1 to 16 amounts, got %zu", list->count);
            continue;
        }
        double *out = calloc(list->count, sizeof *out);
        if (!out) {
            scenario_nomem(L);
            return;
        }
        size_t count = 0;
        for (size_t i = 0; i < list->count; i++) {
            char ip[TREEREAD_PATH_MAX];
            snprintf(ip, sizeof ip, "%s[%zu]", kp, i);
            if (treeread_number(&L->rd, list->items[i], ip, &any, false, &out[count]))
                count++;
        }
        if (which) {
            free(mc->npv_below);
            mc->npv_below = out;
            mc->npv_below_count = count;
        } else {
            free(mc->value_below);
            mc->value_below = out;
            mc->value_below_count = count;
        }
    }
}

static void read_monte_carlo(Loader *L, const Node *n)
{
    MonteCarloSpec *mc = &L->sc->monte_carlo;
    if (!treeread_expect_map(&L->rd, n, "monte_carlo",
                             "{iterations, seed, client_churn, sampling}") ||
        !treeread_check_keys(&L->rd, n, "monte_carlo", &schema_monte_carlo))
        return;
    mc->enabled = true;
    mc->mark = scenario_keep_mark(L, n->mark);
    const Node *precision = tree_map_get(n, "precision");
    for (size_t i = 0; i < schema_monte_carlo.count; i++) {
        const SchemaKey *k = &schema_monte_carlo.keys[i];
        const Node *v = tree_map_get(n, k->key);
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, "monte_carlo", k->key);
        if (!v)
            continue;
        double x;
        int choice;
        switch (k->id) {
        case KEY_ITERATIONS:
            /* With a precision stop, max_iterations (when given) bounds the run instead. */
            if (treeread_number(&L->rd, v, kp, &k->range, true, &x) &&
                !(precision && tree_map_get(precision, "max_iterations")))
                mc->iterations = (long)x;
            break;
        case KEY_SEED:
            if (treeread_number(&L->rd, v, kp, &k->range, true, &x))
                mc->seed = (unsigned long long)x;
            break;
        case KEY_CLIENT_CHURN:
            treeread_bool(&L->rd, v, kp, &mc->client_churn);
            break;
        case KEY_SAMPLING:
            if (treeread_enum(&L->rd, v, kp, k->values, &choice))
                mc->sampling = (Sampling)choice;
            break;
        case KEY_PRECISION:
            read_precision(L, v, mc);
            break;
        case KEY_VARY_DISCOUNT_RATE:
            treeread_bool(&L->rd, v, kp, &mc->vary_discount_rate);
            break;
        case KEY_TARGETS:
            read_targets(L, v, mc);
            break;
        default:
            break;
        }
    }
}

static void read_correlations(Loader *L, const Node *n)
{
    if (!treeread_expect_seq(&L->rd, n, "correlations",
                             "a list of {between: [PATH, PATH], rank: r}"))
        return;
    Scenario *sc = L->sc;
    sc->correlations = calloc(n->count ? n->count : 1, sizeof *sc->correlations);
    if (!sc->correlations) {
        scenario_nomem(L);
        return;
    }
    for (size_t i = 0; i < n->count; i++) {
        const Node *e = n->items[i];
        char path[TREEREAD_PATH_MAX], kp[TREEREAD_PATH_MAX];
        snprintf(path, sizeof path, "correlations[%zu]", i);
        if (!treeread_expect_map(&L->rd, e, path, "{between: [PATH, PATH], rank: r}") ||
            !treeread_check_keys(&L->rd, e, path, &schema_correlation))
            continue;
        const Node *between = tree_map_get(e, "between");
        const Node *rank = tree_map_get(e, "rank");
        if (!between || !rank) {
            bv_error(L->errors, BV_ERR_INPUT, &e->mark, path, "a correlation needs '%s'",
                     between ? "rank" : "between");
            continue;
        }
        Correlation c = {.mark = scenario_keep_mark(L, e->mark)};
        treeread_join_path(kp, path, "between");
        if (between->kind != NODE_SEQ || between->count != 2) {
            bv_error(L->errors, BV_ERR_INPUT, &between->mark, kp,
                     "expected two input paths, e.g. [discount_rate, revenue_growth]");
            continue;
        }
        bool ok = treeread_string(&L->rd, between->items[0], kp, &c.a);
        ok &= treeread_string(&L->rd, between->items[1], kp, &c.b);
        treeread_join_path(kp, path, "rank");
        ok &= treeread_number(&L->rd, rank, kp, &schema_key(&schema_correlation, KEY_RANK)->range,
                              false, &c.rank);
        if (ok)
            sc->correlations[sc->correlation_count++] = c;
    }
}

/* ---- tax convention and inactive clients ---- */

/* inactive_clients: exclude | value | {reactivation: p}. */
static void read_inactive_clients(Loader *L, const Node *v)
{
    Scenario *sc = L->sc;
    if (v->kind == NODE_MAP) {
        static const SchemaRange unit = {0, 1, false, false};
        const Node *p = tree_map_get(v, "reactivation");
        if (!p || v->count != 1) {
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, "inactive_clients",
                     "expected exclude, value or {reactivation: p} with p in [0, 1]");
            return;
        }
        if (treeread_number(&L->rd, p, "inactive_clients.reactivation", &unit, false,
                            &sc->reactivation))
            sc->inactive_clients = INACTIVE_REACTIVATION;
        return;
    }
    int choice;
    const SchemaKey *k = schema_key(&schema_scenario, KEY_INACTIVE_CLIENTS);
    if (treeread_enum(&L->rd, v, k->key, k->values, &choice))
        sc->inactive_clients = (InactiveClients)choice;
}

/* cash_flows defaults to after_tax when tax_rate is given; after-tax cash needs a tax rate
 * and the years of the amortisation benefit (the buyer's, a preset's, or the scenario's). */
static void resolve_cash_flows(Loader *L, const Node *root)
{
    Scenario *sc = L->sc;
    const Node *given = tree_map_get(root, "cash_flows");
    if (sc->cash_flows != CASH_FLOWS_AFTER_TAX)
        return;
    if (!sc->has_tax_rate) {
        bv_error(L->errors, BV_ERR_INPUT, &sc->marks.cash_flows, "cash_flows",
                 "after_tax needs the hypothetical buyer's tax_rate in [0, 1] (e.g. "
                 "tax_rate: 0.25); or use cash_flows: pre_tax");
        return;
    }
    if (!tree_map_get(root, "amortization_years")) {
        const Node *buyer = tree_map_get(root, "buyer");
        if (buyer && buyer->kind == NODE_MAP && tree_map_get(buyer, "amortization_years"))
            sc->amortization_years = sc->buyer.amortization_years;
        else
            bv_error(L->errors, BV_ERR_INPUT,
                     given ? &sc->marks.cash_flows : &sc->marks.tax_rate, "amortization_years",
                     "an after-tax DCF adds the tax amortisation benefit of the purchased "
                     "list, which needs its tax life: give amortization_years in [0, 100] "
                     "(0: no tax relief for the list; e.g. 15 under 26 U.S.C. section 197, 20 in Spain under Ley 27/2014 "
                     "art. 12.2), or extend a jurisdiction preset that gives "
                     "buyer.amortization_years");
    }
}

/* ---- the scenario walk ---- */

/* A calendar date YYYY-MM-DD (Gregorian, years 1900..2999). */
static bool scenario_date_valid(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= days[m - 1] + (m == 2 && leap);
}

void scenario_read_tree(Loader *L, const Node *root)
{
    Scenario *sc = L->sc;
    treeread_check_keys(&L->rd, root, "", &schema_scenario);
    /* Scenario-level assumptions first, so segments can inherit them. */
    for (size_t i = 0; i < schema_scenario.count; i++) {
        const SchemaKey *k = &schema_scenario.keys[i];
        const Node *v = tree_map_get(root, k->key);
        if (!v) {
            if (k->required)
                bv_error(L->errors, BV_ERR_INPUT, &root->mark, k->key,
                         "missing; the scenario (or the model it extends) must give %s",
                         k->doc);
            continue;
        }
        if (scenario_clients_read_assumption(L, k, v, k->key, &sc->defaults))
            continue;
        double x;
        int choice;
        switch (k->id) {
        case KEY_NAME:
            if (treeread_string(&L->rd, v, k->key, &sc->name) && sc->name[0] == '\0')
                bv_error(L->errors, BV_ERR_INPUT, &v->mark, k->key,
                         "must not be empty; give the scenario a title");
            break;
        case KEY_CURRENCY: {
            const char *c;
            if (treeread_string(&L->rd, v, k->key, &c)) {
                bool iso = strlen(c) == 3;
                for (int j = 0; j < 3 && iso; j++)
                    iso = c[j] >= 'A' && c[j] <= 'Z';
                if (!iso)
                    bv_error(L->errors, BV_ERR_INPUT, &v->mark, k->key,
                             "expected an ISO 4217 code of three capital letters (EUR, USD, "
                             "BRL), got '%.20s'",
                             c);
                else
                    memcpy(sc->currency, c, 4);
            }
            break;
        }
        case KEY_HORIZON_YEARS:
            if (treeread_number(&L->rd, v, k->key, &k->range, true, &x))
                sc->horizon_years = (int)x;
            sc->marks.horizon_years = scenario_keep_mark(L, v->mark);
            break;
        case KEY_TIMING:
            if (treeread_enum(&L->rd, v, k->key, k->values, &choice))
                sc->timing = (Timing)choice;
            break;
        case KEY_TAIL:
            if (treeread_enum(&L->rd, v, k->key, k->values, &choice))
                sc->tail = (TailKind)choice;
            sc->marks.tail = scenario_keep_mark(L, v->mark);
            break;
        case KEY_DISCOUNT_RATE:
            treeread_uncertain(&L->rd, v, k->key, &k->range, &sc->discount_rate);
            sc->marks.discount_rate = scenario_keep_mark(L, v->mark);
            break;
        case KEY_VALUATION_DATE:
            if (treeread_string(&L->rd, v, k->key, &sc->valuation_date) &&
                !scenario_date_valid(sc->valuation_date)) {
                bv_error(L->errors, BV_ERR_INPUT, &v->mark, k->key,
                         "expected a date YYYY-MM-DD (2026-06-30), got '%.20s'",
                         sc->valuation_date);
                sc->valuation_date = NULL;
            }
            break;
        case KEY_STANDARD_OF_VALUE:
            if (!treeread_enum(&L->rd, v, k->key, k->values, &choice))
                break;
            sc->standard_of_value = (StandardOfValue)choice;
            if (choice == VALUE_INVESTMENT && !tree_map_get(root, "buyer"))
                bv_error(L->errors, BV_ERR_INPUT, &v->mark, k->key,
                         "investment is this buyer's walk-away: it needs deal and buyer; "
                         "use fair_market without them");
            break;
        case KEY_TAX_RATE:
            sc->has_tax_rate = treeread_number(&L->rd, v, k->key, &k->range, false, &sc->tax_rate);
            if (sc->has_tax_rate)
                sc->cash_flows = CASH_FLOWS_AFTER_TAX; /* unless cash_flows (read next) says */
            sc->marks.tax_rate = scenario_keep_mark(L, v->mark);
            break;
        case KEY_CASH_FLOWS:
            if (treeread_enum(&L->rd, v, k->key, k->values, &choice))
                sc->cash_flows = (CashFlows)choice;
            sc->marks.cash_flows = scenario_keep_mark(L, v->mark);
            break;
        case KEY_AMORTIZATION_YEARS:
            if (treeread_number(&L->rd, v, k->key, &k->range, true, &x))
                sc->amortization_years = (int)x;
            sc->marks.amortization_years = scenario_keep_mark(L, v->mark);
            break;
        case KEY_INACTIVE_CLIENTS:
            read_inactive_clients(L, v);
            break;
        case KEY_RETENTION_SCALE:
            treeread_number(&L->rd, v, k->key, &k->range, false, &sc->retention_scale);
            break;
        case KEY_CLIENTS_CSV:
            /* A path, or a mapping with the path and the file's dialect: clients_csv.c. */
            sc->marks.clients_csv = scenario_keep_mark(L, v->mark);
            clients_csv_configure(sc, v, L->errors);
            break;
        default:
            break; /* structures below; extends was resolved; later keys reported above */
        }
        if (k->id == KEY_REVENUE_GROWTH)
            sc->marks.revenue_growth = scenario_keep_mark(L, v->mark);
        if (k->id == KEY_RETENTION)
            sc->marks.retention = scenario_keep_mark(L, v->mark);
    }
    scenario_normalization_read(L, root);
    const Node *v;
    if ((v = tree_map_get(root, "retention")))
        sc->marks.retention = scenario_keep_mark(L, v->mark);
    if ((v = tree_map_get(root, "revenue_growth")))
        sc->marks.revenue_growth = scenario_keep_mark(L, v->mark);
    if ((v = tree_map_get(root, "margin")))
        sc->marks.margin = scenario_keep_mark(L, v->mark);
    if ((v = tree_map_get(root, "transfer_retention")))
        sc->marks.transfer_retention = scenario_keep_mark(L, v->mark);
    if ((v = tree_map_get(root, "market")))
        read_market(L, v);
    if ((v = tree_map_get(root, "provision")))
        read_provision(L, v);
    if ((v = tree_map_get(root, "segments")))
        scenario_clients_read_segments(L, v);
    if ((v = tree_map_get(root, "monte_carlo")))
        read_monte_carlo(L, v);
    if ((v = tree_map_get(root, "correlations")))
        read_correlations(L, v);
    if ((v = tree_map_get(root, "deal")))
        scenario_deal_read(L, v);
    if ((v = tree_map_get(root, "tax")))
        scenario_deal_read_regime(L, v);
    const char *sides[] = {"seller", "buyer"};
    for (int i = 0; i < 2; i++) {
        if (!(v = tree_map_get(root, sides[i])))
            continue;
        if (!tree_map_get(root, "deal")) {
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, sides[i],
                     "describes a side of a deal, but the scenario has no deal: add deal: "
                     "{price: ...}");
            continue;
        }
        if (i == 0)
            scenario_deal_read_seller(L, v);
        else
            scenario_deal_read_buyer(L, v);
    }
    resolve_cash_flows(L, root);
    scenario_allocation_check(L);
    /* After the deal's sides: a what-if may vary the buyer's rate. */
    if ((v = tree_map_get(root, "variants")))
        scenario_whatif_read_variants(L, v);
    if ((v = tree_map_get(root, "sensitivity")))
        scenario_whatif_read_sensitivity(L, v);
    const Node *inline_clients = tree_map_get(root, "clients");
    const Node *csv = tree_map_get(root, "clients_csv");
    if (inline_clients && csv)
        bv_error(L->errors, BV_ERR_INPUT, &csv->mark, "clients_csv",
                 "give clients inline or clients_csv, not both");
    else if (!inline_clients && !csv)
        bv_error(L->errors, BV_ERR_INPUT, &root->mark, "clients",
                 "no clients: list them under clients or name a CSV file in clients_csv");
    else if (inline_clients) {
        sc->marks.clients = scenario_keep_mark(L, inline_clients->mark);
        scenario_clients_read(L, inline_clients);
    }
}

/* What makes a client's cohort (model/book.c groups by the same): its segment, its own
 * values, and its tenure when its retention depends on it. */
typedef struct CohortKey {
    double segment, margin, revenue_growth, retention, transfer_retention, tenure;
    double weight; /* inactive clients: their share valued (book_client_weight) */
} CohortKey;

static int compare_cohort_keys(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(CohortKey));
}

void scenario_check_cohorts(Loader *L)
{
    Scenario *sc = L->sc;
    size_t room = SCENARIO_SHEET_ROWS - SCENARIO_SHEET_HEADER_ROWS - (size_t)sc->horizon_years;
    if (sc->client_count <= room)
        return; /* cohorts never outnumber clients */
    CohortKey *keys = calloc(sc->client_count, sizeof *keys);
    if (!keys) {
        scenario_nomem(L);
        return;
    }
    for (size_t i = 0; i < sc->client_count; i++) {
        const Client *c = &sc->clients[i];
        const Assumptions *a = c->segment >= 0 ? &sc->segments[c->segment].assumptions
                                               : &sc->defaults;
        bool tenure = isnan(c->retention) && retention_uses_tenure(&a->retention);
        /* NaN (not set) compares equal to NaN bytewise: one canonical NaN. */
        double own[4] = {c->margin, c->revenue_growth, c->retention, c->transfer_retention};
        for (int k = 0; k < 4; k++)
            if (isnan(own[k]))
                own[k] = (double)NAN;
        double weight = c->active                                     ? 1
                        : sc->inactive_clients == INACTIVE_EXCLUDE      ? 0
                        : sc->inactive_clients == INACTIVE_REACTIVATION ? sc->reactivation
                                                                        : 1;
        keys[i] = (CohortKey){c->segment, own[0], own[1], own[2], own[3],
                              tenure ? c->tenure_years : 0, weight};
    }
    qsort(keys, sc->client_count, sizeof *keys, compare_cohort_keys);
    size_t cohorts = 1;
    for (size_t i = 1; i < sc->client_count; i++)
        cohorts += compare_cohort_keys(&keys[i - 1], &keys[i]) != 0;
    free(keys);
    if (cohorts > room)
        bv_error(L->errors, BV_ERR_INPUT,
                 sc->clients_csv ? &sc->marks.clients_csv : &sc->marks.clients,
                 sc->clients_csv ? "clients_csv" : "clients",
                 "%zu distinct sets of client assumptions do not fit on one sheet (at most "
                 "%zu); group clients into segments instead of giving each its own values",
                 cohorts, room);
}

/*
 * An uncertain scenario-level input that no client takes (every valued client's segment, or
 * the client itself, sets its own value) would be drawn and change nothing: an error at the
 * input, naming the segments that override it. A fixed number stays a default.
 */
void scenario_check_reach(Loader *L)
{
    const Scenario *sc = L->sc;
    static const struct {
        const char *key;
        unsigned given;
        size_t own; /* offsetof the client's own value */
    } inputs[] = {
        {"margin", GIVEN_MARGIN, offsetof(Client, margin)},
        {"revenue_growth", GIVEN_REVENUE_GROWTH, offsetof(Client, revenue_growth)},
        {"retention", GIVEN_RETENTION, offsetof(Client, retention)},
        {"transfer_retention", GIVEN_TRANSFER_RETENTION, offsetof(Client, transfer_retention)},
    };
    const Assumptions *a = &sc->defaults;
    const Dist *dists[] = {&a->margin, &a->revenue_growth,
                           a->retention.kind == RETENTION_CONSTANT ? &a->retention.constant
                                                                   : NULL,
                           &a->transfer_retention};
    const Mark *marks[] = {&sc->marks.margin, &sc->marks.revenue_growth, &sc->marks.retention,
                           &sc->marks.transfer_retention};
    for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; k++) {
        if (!dists[k] || dist_is_fixed(dists[k]) || !marks[k]->line)
            continue;
        size_t valued = 0;
        bool reached = false;
        for (size_t i = 0; i < sc->client_count && !reached; i++) {
            const Client *c = &sc->clients[i];
            if (!c->active && sc->inactive_clients == INACTIVE_EXCLUDE)
                continue;
            valued++;
            double own;
            memcpy(&own, (const char *)c + inputs[k].own, sizeof own);
            bool by_segment = c->segment >= 0 &&
                              (sc->segments[c->segment].assumptions.given & inputs[k].given);
            reached = isnan(own) && !by_segment;
        }
        if (reached || valued == 0)
            continue;
        char names[400] = "";
        size_t used = 0, listed = 0;
        for (size_t g = 0; g < sc->segment_count; g++) {
            if (!(sc->segments[g].assumptions.given & inputs[k].given))
                continue;
            int n = snprintf(names + used, sizeof names - used, "%s%s", listed ? ", " : "",
                             sc->segments[g].name);
            if (n < 0 || (size_t)n >= sizeof names - used)
                break;
            used += (size_t)n;
            listed++;
        }
        bv_error(L->errors, BV_ERR_INPUT, marks[k], inputs[k].key,
                 "drawn from a distribution, but no client takes it: %s%s%s its own %s%s, so "
                 "the draw changes nothing; put the distribution on the segments "
                 "(segments.NAME.%s), or give a number here",
                 listed ? "the segments overriding it (" : "every client sets",
                 listed ? names : "", listed ? ") each set" : "", inputs[k].key,
                 listed ? " and every other client its own" : "", inputs[k].key);
    }
}

/* TreeRead's string copier: into the scenario's pool. */
const char *scenario_loader_intern(void *owner, const char *text, size_t len)
{
    return scenario_intern(owner, text, len);
}

/* What a scenario holds before its file is read: the schema rows' defaults, NaN where a key is
 * required (margin, retention, discount_rate), so one table says what an absent key means. */
static void set_defaults(Scenario *sc)
{
    const SchemaTable *s = &schema_scenario, *mc = &schema_monte_carlo;
    sc->horizon_years = (int)schema_default(schema_key(s, KEY_HORIZON_YEARS));
    sc->timing = (Timing)schema_default(schema_key(s, KEY_TIMING));
    sc->tail = (TailKind)schema_default(schema_key(s, KEY_TAIL));
    sc->cash_flows = CASH_FLOWS_PRE_TAX; /* after_tax when tax_rate is given: resolved later */
    sc->inactive_clients = (InactiveClients)schema_default(schema_key(s, KEY_INACTIVE_CLIENTS));
    sc->discount_rate = dist_fixed(schema_default(schema_key(s, KEY_DISCOUNT_RATE)));
    sc->defaults.margin = dist_fixed(schema_default(schema_key(s, KEY_MARGIN)));
    sc->defaults.revenue_growth = dist_fixed(schema_default(schema_key(s, KEY_REVENUE_GROWTH)));
    sc->defaults.transfer_retention =
        dist_fixed(schema_default(schema_key(s, KEY_TRANSFER_RETENTION)));
    sc->defaults.retention.kind = RETENTION_CONSTANT;
    sc->defaults.retention.scale = 1;
    sc->retention_scale = schema_default(schema_key(s, KEY_RETENTION_SCALE));
    sc->defaults.retention.constant = dist_fixed(schema_default(schema_key(s, KEY_RETENTION)));
    sc->monte_carlo = (MonteCarloSpec){
        .iterations = (long)schema_default(schema_key(mc, KEY_ITERATIONS)),
        .seed = (unsigned long long)schema_default(schema_key(mc, KEY_SEED)),
        .client_churn = schema_default(schema_key(mc, KEY_CLIENT_CHURN)) != 0,
        .sampling = (Sampling)schema_default(schema_key(mc, KEY_SAMPLING)),
        .confidence = schema_default(schema_key(&schema_precision, KEY_CONFIDENCE))};
}

Scenario *scenario_begin(const char *path)
{
    Scenario *sc = calloc(1, sizeof *sc);
    if (sc)
        sc->pool = scenario_pool_new();
    if (!sc || !sc->pool) {
        scenario_free(sc);
        return NULL;
    }
    set_defaults(sc);
    sc->file = scenario_intern(sc, path, strlen(path));
    if (!sc->file) {
        scenario_free(sc);
        return NULL;
    }
    return sc;
}

void scenario_free(Scenario *sc)
{
    if (!sc)
        return;
    free(sc->segments);
    free(sc->clients);
    free(sc->provision);
    free(sc->correlations);
    free(sc->monte_carlo.value_below);
    free(sc->monte_carlo.npv_below);
    free(sc->deal.payments);
    free(sc->deal.earn_outs);
    free(sc->deal.clawbacks);
    free(sc->deal.allocation);
    free(sc->normalization.items);
    free(sc->seller.brackets);
    free(sc->variants);
    free(sc->tornado);
    free(sc->grid.rows);
    free(sc->grid.cols);
    scenario_pool_free(sc->pool);
    scenario_rows_release(sc->rows);
    free(sc);
}

double scenario_annual_revenue(const Scenario *sc)
{
    /* Kahan-compensated: a million fees should add up to the cent. */
    double sum = 0, carry = 0;
    for (size_t i = 0; i < sc->client_count; i++) {
        double y = sc->clients[i].annual_revenue - carry;
        double t = sum + y;
        carry = (t - sum) - y;
        sum = t;
    }
    return sum;
}
