/*
 * scenario_deal.c — the deal, seller and buyer sections (DESIGN §7) into their specs.
 */
#include "scenario_loader.h"
#include "scenario_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The tables of payments, earn-outs and clawbacks list a year, then a share. */
enum { YEAR_FIELD, SHARE_FIELD };

/* The value read for key `id` of `table` by treeread_fields: keys by name, not row number. */
static double field(const double *f, const SchemaTable *table, SchemaKeyId id)
{
    return f[schema_index(table, id)];
}

/* A list of {year, share}-like mappings read by `table` (two numeric keys); a year above
 * `max_year` (when > 0) is reported at its value: nothing is projected beyond the horizon. */
static YearShare *read_year_shares(Loader *L, const Node *n, const char *path,
                                   const SchemaTable *table, int max_year, size_t *count)
{
    *count = 0;
    if (!treeread_expect_seq(&L->rd, n, path, "a list"))
        return NULL;
    YearShare *items = calloc(n->count ? n->count : 1, sizeof *items);
    if (!items) {
        scenario_nomem(L);
        return NULL;
    }
    for (size_t i = 0; i < n->count; i++) {
        char ip[TREEREAD_PATH_MAX];
        snprintf(ip, sizeof ip, "%s[%zu]", path, i);
        double v[2];
        bool given[2];
        if (!treeread_fields(&L->rd, n->items[i], ip, table, v, given))
            continue;
        YearShare y = {(int)v[YEAR_FIELD], v[SHARE_FIELD]};
        if (max_year > 0 && y.year > max_year) {
            const Node *year = tree_map_get(n->items[i], table->keys[YEAR_FIELD].key);
            char kp[TREEREAD_PATH_MAX];
            treeread_join_path(kp, ip, table->keys[YEAR_FIELD].key);
            bv_error(L->errors, BV_ERR_INPUT, &year->mark, kp,
                     "%d is beyond the horizon (%d years): nothing is projected there", y.year,
                     max_year);
        }
        for (size_t j = 0; j < *count; j++)
            if (items[j].year == y.year)
                bv_error(L->errors, BV_ERR_INPUT, &n->items[i]->mark, ip,
                         "year %d appears twice", y.year);
        size_t at = *count; /* keep ascending years */
        while (at > 0 && items[at - 1].year > y.year) {
            items[at] = items[at - 1];
            at--;
        }
        items[at] = y;
        (*count)++;
    }
    return items;
}

void scenario_deal_read(Loader *L, const Node *n)
{
    Scenario *sc = L->sc;
    DealSpec *deal = &sc->deal;
    if (!treeread_expect_map(&L->rd, n, "deal", "{price, payments, ...}") ||
        !treeread_check_keys(&L->rd, n, "deal", &schema_deal))
        return;
    deal->enabled = true;
    deal->mark = scenario_keep_mark(L, n->mark);
    int H = sc->horizon_years;
    const Node *price = tree_map_get(n, "price");
    if (!price) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "deal",
                 "needs 'price': an amount, or {multiple: m} x annual revenue");
    } else if (price->kind == NODE_MAP) {
        static const SchemaRange multiple = {0, HUGE_VAL, false, false};
        const Node *m = tree_map_get(price, "multiple");
        for (size_t i = 0; i < price->count; i++) {
            if (strcmp(price->entries[i].key, "multiple") != 0) {
                char kp[TREEREAD_PATH_MAX];
                treeread_join_path(kp, "deal.price", price->entries[i].key);
                bv_error(L->errors, BV_ERR_INPUT, &price->entries[i].key_mark, kp,
                         "unknown key; a price is an amount or {multiple: m}");
            }
        }
        if (!m)
            bv_error(L->errors, BV_ERR_INPUT, &price->mark, "deal.price",
                     "expected an amount or {multiple: m}");
        else if (treeread_number(&L->rd, m, "deal.price.multiple", &multiple, false,
                                 &deal->price) &&
                 price->count == 1)
            deal->price_is_multiple = true;
    } else {
        treeread_number(&L->rd, price, "deal.price", &schema_key(&schema_deal, KEY_PRICE)->range,
                        false,
                        &deal->price);
    }
    const Node *v;
    if ((v = tree_map_get(n, "adjustment"))) {
        double f[2];
        bool given[2];
        if (treeread_fields(&L->rd, v, "deal.adjustment", &schema_adjustment, f, given)) {
            deal->has_adjustment = true;
            deal->measure_year = (int)field(f, &schema_adjustment, KEY_MEASURE_YEAR);
            deal->adjustment_multiple = field(f, &schema_adjustment, KEY_MULTIPLE);
            if (deal->measure_year > H)
                bv_error(L->errors, BV_ERR_INPUT, &tree_map_get(v, "measure_year")->mark,
                         "deal.adjustment.measure_year",
                         "year %d is beyond the horizon (%d years): retained revenue is "
                         "projected only within it",
                         deal->measure_year, H);
        }
    }
    if ((v = tree_map_get(n, "payments"))) {
        deal->payments = read_year_shares(L, v, "deal.payments", &schema_payment, 0,
                                          &deal->payment_count);
        double sum = 0;
        for (size_t i = 0; i < deal->payment_count; i++)
            sum += deal->payments[i].share;
        if (v->kind == NODE_SEQ && v->count == 0)
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, "deal.payments",
                     "needs at least one {year, share}");
        else if (deal->payment_count && fabs(sum - 1) > 1e-9)
            bv_error(L->errors, BV_ERR_INPUT, &v->mark, "deal.payments",
                     "the shares sum to %.10g; they must sum to 1", sum);
    } else {
        deal->payments = calloc(1, sizeof *deal->payments);
        if (!deal->payments) {
            scenario_nomem(L);
            return;
        }
        deal->payments[0] = (YearShare){0, 1};
        deal->payment_count = 1;
    }
    if ((v = tree_map_get(n, "interest_rate")))
        treeread_number(&L->rd, v, "deal.interest_rate",
                        &schema_key(&schema_deal, KEY_INTEREST_RATE)->range, false,
                    &deal->interest_rate);
    if ((v = tree_map_get(n, "earn_out"))) {
        deal->earn_outs = read_year_shares(L, v, "deal.earn_out", &schema_earn_out, H,
                                           &deal->earn_out_count);
    }
    if ((v = tree_map_get(n, "clawback"))) {
        size_t count;
        YearShare *tiers = read_year_shares(L, v, "deal.clawback", &schema_clawback, H, &count);
        deal->clawbacks = calloc(count ? count : 1, sizeof *deal->clawbacks);
        if (!deal->clawbacks) {
            free(tiers);
            scenario_nomem(L);
            return;
        }
        for (size_t i = 0; i < count; i++)
            deal->clawbacks[i] = (ClawbackTier){tiers[i].year, tiers[i].share};
        deal->clawback_count = count;
        free(tiers);
    }
    if ((v = tree_map_get(n, "allocation")))
        scenario_allocation_read(L, v);
    int choice;
    if ((v = tree_map_get(n, "receivables")) &&
        treeread_enum(&L->rd, v, "deal.receivables",
                      schema_key(&schema_deal, KEY_RECEIVABLES)->values, &choice))
        deal->receivables_to_buyer = choice == 1;
    if ((v = tree_map_get(n, "work_in_progress"))) {
        double f[SCHEMA_FIELDS_MAX];
        bool given[SCHEMA_FIELDS_MAX];
        if (treeread_fields(&L->rd, v, "deal.work_in_progress", &schema_work_in_progress, f,
                            given) &&
            treeread_enum(&L->rd, tree_map_get(v, "to"), "deal.work_in_progress.to",
                          schema_key(&schema_work_in_progress, KEY_TO)->values, &choice)) {
            deal->work_in_progress = field(f, &schema_work_in_progress, KEY_AMOUNT);
            deal->wip_to_buyer = choice == 1;
        }
    }
}

/* seller.tax.brackets (or a filing status's, at `path`): [[from, rate], ...] ascending from 0. */
static void read_brackets(Loader *L, const Node *b, const char *path, SellerSpec *seller)
{
    static const SchemaRange from = {0, HUGE_VAL, false, false};
    static const SchemaRange rate = {0, 1, false, false};
    if (!treeread_expect_seq(&L->rd, b, path, "a list of [from, rate] pairs"))
        return;
    if (b->count == 0 || b->count > 64) {
        bv_error(L->errors, BV_ERR_INPUT, &b->mark, path,
                 "give 1 to 64 [from, rate] brackets, got %zu", b->count);
        return;
    }
    seller->brackets = calloc(b->count, sizeof *seller->brackets);
    if (!seller->brackets) {
        scenario_nomem(L);
        return;
    }
    for (size_t i = 0; i < b->count; i++) {
        const Node *pair = b->items[i];
        char kp[TREEREAD_PATH_MAX], fp[TREEREAD_PATH_MAX + 4], rp[TREEREAD_PATH_MAX + 4];
        snprintf(kp, sizeof kp, "%s[%zu]", path, i);
        snprintf(fp, sizeof fp, "%s[0]", kp);
        snprintf(rp, sizeof rp, "%s[1]", kp);
        if (pair->kind != NODE_SEQ || pair->count != 2) {
            bv_error(L->errors, BV_ERR_INPUT, &pair->mark, kp, "expected a [from, rate] pair");
            continue;
        }
        TaxBracket *t = &seller->brackets[seller->bracket_count++];
        bool ok = treeread_number(&L->rd, pair->items[0], fp, &from, false, &t->from);
        treeread_number(&L->rd, pair->items[1], rp, &rate, false, &t->rate);
        if (ok && i == 0 && t->from != 0)
            bv_error(L->errors, BV_ERR_INPUT, &pair->items[0]->mark, fp,
                     "the first bracket starts at 0, got %g", t->from);
        if (ok && i > 0 && !(t->from > seller->brackets[i - 1].from))
            bv_error(L->errors, BV_ERR_INPUT, &pair->items[0]->mark, fp,
                     "brackets must ascend: %g follows %g", t->from,
                     seller->brackets[i - 1].from);
    }
}

static void read_surtax(Loader *L, const Node *surtax, const char *path, SellerSpec *seller)
{
    double sf[SCHEMA_FIELDS_MAX];
    bool s_given[SCHEMA_FIELDS_MAX];
    if (treeread_fields(&L->rd, surtax, path, &schema_surtax, sf, s_given)) {
        seller->surtax_rate = field(sf, &schema_surtax, KEY_RATE);
        seller->surtax_above = field(sf, &schema_surtax, KEY_ABOVE);
    }
}

/* The brackets and surtax of seller.filing_status from seller.tax.by_filing_status (`by`, may
 * be NULL); `status` is the seller's filing_status node (NULL: the default, single). A table
 * the scenario gives itself (seller.tax.brackets, .surtax) stands over the status's. */
static void read_filing_status(Loader *L, const Node *tax, const Node *status,
                               SellerSpec *seller)
{
    static const char *const names[] = {"single", "married_joint"};
    const char *name = names[seller->filing_status];
    const Node *by = tree_map_get(tax, "by_filing_status");
    if (!by) {
        if (status)
            bv_error(L->errors, BV_ERR_INPUT, &status->mark, "seller.filing_status",
                     "%s: the tax rules give no thresholds by filing status (no "
                     "seller.tax.by_filing_status); remove it, or extend a preset that has them "
                     "(tax/us-federal)", name);
        return;
    }
    if (!treeread_expect_map(&L->rd, by, "seller.tax.by_filing_status",
                             "{single: {brackets, surtax}, married_joint: {...}}"))
        return;
    for (size_t i = 0; i < by->count; i++)
        if (strcmp(by->entries[i].key, names[0]) != 0 && strcmp(by->entries[i].key, names[1]))
            bv_error(L->errors, BV_ERR_INPUT, &by->entries[i].key_mark,
                     "seller.tax.by_filing_status",
                     "unknown filing status '%s'; accepted: single, married_joint",
                     by->entries[i].key);
    const Node *entry = tree_map_get(by, name);
    if (!entry) {
        bv_error(L->errors, BV_ERR_INPUT, status ? &status->mark : &by->mark,
                 "seller.filing_status",
                 "%s: the tax rules give no thresholds for it (seller.tax.by_filing_status "
                 "lists %s)", name, by->count ? by->entries[0].key : "none");
        return;
    }
    char path[TREEREAD_PATH_MAX];
    snprintf(path, sizeof path, "seller.tax.by_filing_status.%s", name);
    double f[SCHEMA_FIELDS_MAX];
    bool given[SCHEMA_FIELDS_MAX];
    if (!treeread_fields(&L->rd, entry, path, &schema_filing_status, f, given))
        return;
    char sub[TREEREAD_PATH_MAX + 16];
    if (!tree_map_get(tax, "brackets")) {
        snprintf(sub, sizeof sub, "%s.brackets", path);
        read_brackets(L, tree_map_get(entry, "brackets"), sub, seller);
    }
    const Node *surtax = tree_map_get(entry, "surtax");
    if (surtax && !tree_map_get(tax, "surtax")) {
        snprintf(sub, sizeof sub, "%s.surtax", path);
        read_surtax(L, surtax, sub, seller);
    }
}

static void read_tax(Loader *L, const Node *n, const Node *status, SellerSpec *seller)
{
    double f[SCHEMA_FIELDS_MAX];
    bool given[SCHEMA_FIELDS_MAX];
    if (!treeread_fields(&L->rd, n, "seller.tax", &schema_tax, f, given))
        return;
    seller->installment_method = field(f, &schema_tax, KEY_INSTALLMENT_METHOD) != 0;
    seller->has_interest_tax_rate = given[schema_index(&schema_tax, KEY_INTEREST_RATE)];
    seller->interest_tax_rate = field(f, &schema_tax, KEY_INTEREST_RATE);
    seller->payment_lag_years = (int)field(f, &schema_tax, KEY_PAYMENT_LAG_YEARS);
    seller->annuity_exemption_cap = field(f, &schema_tax, KEY_ANNUITY_EXEMPTION_CAP);
    seller->loss_annual_limit = field(f, &schema_tax, KEY_LOSS_ANNUAL_LIMIT);
    seller->loss_years = (int)field(f, &schema_tax, KEY_LOSS_YEARS);
    seller->has_loss_rate = given[schema_index(&schema_tax, KEY_LOSS_RATE)];
    seller->loss_rate = field(f, &schema_tax, KEY_LOSS_RATE);
    seller->has_loss_limit_share = given[schema_index(&schema_tax, KEY_LOSS_LIMIT_SHARE)];
    seller->loss_limit_share = field(f, &schema_tax, KEY_LOSS_LIMIT_SHARE);
    seller->has_ordinary_rate = given[schema_index(&schema_tax, KEY_ORDINARY_RATE)];
    seller->ordinary_rate = field(f, &schema_tax, KEY_ORDINARY_RATE);
    seller->renewal_rights_ordinary = field(f, &schema_tax, KEY_RENEWAL_RIGHTS_ORDINARY) != 0;
    int choice;
    static const struct {
        const char *key;
        SchemaKeyId id;
    } enums[] = {{"loss", KEY_LOSS},
                 {"brackets_apply", KEY_BRACKETS_APPLY},
                 {"negative_year", KEY_NEGATIVE_YEAR},
                 {"recapture", KEY_RECAPTURE},
                 {"purchased_book_loss", KEY_PURCHASED_BOOK_LOSS}};
    int values[sizeof enums / sizeof enums[0]] = {0};
    for (size_t i = 0; i < sizeof enums / sizeof enums[0]; i++) {
        const Node *v = tree_map_get(n, enums[i].key);
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, "seller.tax", enums[i].key);
        if (v && treeread_enum(&L->rd, v, kp, schema_key(&schema_tax, enums[i].id)->values,
                               &choice))
            values[i] = choice;
    }
    seller->loss_rule = (LossRule)values[0];
    seller->cumulative = values[1] == 1, seller->whole_gain = values[1] == 2;
    /* Without negative_year each mode keeps its own: per_year carries forward, cumulative and
     * whole_gain refund in the year. */
    seller->carry_back = tree_map_get(n, "negative_year") ? values[2] == 1
                                                          : values[1] == 1 || values[1] == 2;
    seller->recapture = values[3] == 1;
    /* A loss on a purchased book (US § 1231(a)(2)) or on renewal rights (never a capital
     * asset) is ordinary. */
    if ((values[4] == 1 && seller->purchased) || seller->renewal_rights_ordinary)
        seller->loss_rule = LOSS_ORDINARY;
    const Node *surtax = tree_map_get(n, "surtax");
    if (surtax)
        read_surtax(L, surtax, "seller.tax.surtax", seller);
    const Node *classes = tree_map_get(n, "classes");
    if (classes)
        scenario_allocation_read_classes(L, classes, seller);
    const Node *b = tree_map_get(n, "brackets");
    if (b)
        read_brackets(L, b, "seller.tax.brackets", seller);
    read_filing_status(L, n, status, seller);
    if (!b && !tree_map_get(n, "by_filing_status"))
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "seller.tax",
                 "needs 'brackets' ([[from, rate], ...]) or 'by_filing_status'");
    if (seller->renewal_rights_ordinary && seller->bracket_count) {
        /* Ordinary income, not capital gain: one bracket at the ordinary rate. */
        double r = seller->has_ordinary_rate ? seller->ordinary_rate
                                             : seller->brackets[seller->bracket_count - 1].rate;
        seller->brackets[0] = (TaxBracket){0, r};
        seller->bracket_count = 1;
        seller->has_ordinary_rate = true;
        seller->ordinary_rate = r;
    }
}

/* seller.keep: how the seller would keep the practice instead of selling it (DESIGN §7). */
static void read_keep(Loader *L, const Node *n, SellerSpec *seller)
{
    KeepSpec *k = &seller->keep;
    const SchemaTable *t = &schema_keep;
    double f[SCHEMA_FIELDS_MAX];
    bool given[SCHEMA_FIELDS_MAX];
    Mark mark = scenario_keep_mark(L, n->mark);
    if (!treeread_fields(&L->rd, n, "seller.keep", t, f, given))
        return;
    *k = (KeepSpec){.enabled = true,
                    .has_margin = given[schema_index(t, KEY_MARGIN)],
                    .margin = field(f, t, KEY_MARGIN),
                    .owner_compensation = field(f, t, KEY_OWNER_COMPENSATION),
                    .has_compensation_growth = given[schema_index(t, KEY_OWNER_COMPENSATION_GROWTH)],
                    .compensation_growth = field(f, t, KEY_OWNER_COMPENSATION_GROWTH),
                    .years = (int)field(f, t, KEY_YEARS),
                    .has_discount_rate = given[schema_index(t, KEY_DISCOUNT_RATE)],
                    .discount_rate = field(f, t, KEY_DISCOUNT_RATE),
                    .mark = mark};
    if (!k->has_discount_rate) {
        /* After-tax cash of keeping fits the valuation's after-tax rate; a pre-tax rate
         * does not (issue 16). */
        if (L->sc->cash_flows == CASH_FLOWS_AFTER_TAX)
            k->discount_rate = dist_mean(&L->sc->discount_rate);
        else
            bv_error(L->errors, BV_ERR_INPUT, &n->mark, "seller.keep.discount_rate",
                     "missing; the valuation is on pre-tax cash (cash_flows: pre_tax), so "
                     "its rate does not fit the seller's after-tax cash of keeping: give the "
                     "rate for the practice's risk after tax, > -1 (or value the book after "
                     "tax: tax_rate, cash_flows: after_tax)");
    }
    if (k->years > L->sc->horizon_years) {
        const Node *years = tree_map_get(n, "years");
        bv_error(L->errors, BV_ERR_INPUT, &years->mark, "seller.keep.years",
                 "%d is beyond the horizon: give 1 to %d (horizon_years)", k->years,
                 L->sc->horizon_years);
    }
    const Node *exit = tree_map_get(n, "exit");
    if (!exit || (exit->kind == NODE_SCALAR && strcmp(exit->text, "none") == 0))
        return;
    if (exit->kind != NODE_MAP) {
        bv_error(L->errors, BV_ERR_INPUT, &exit->mark, "seller.keep.exit",
                 "expected none or {multiple: m} (m >= 0: x that year's revenue)");
        return;
    }
    double m[SCHEMA_FIELDS_MAX];
    bool m_given[SCHEMA_FIELDS_MAX];
    if (treeread_fields(&L->rd, exit, "seller.keep.exit", &schema_exit, m, m_given)) {
        k->has_exit = true;
        k->exit_multiple = field(m, &schema_exit, KEY_MULTIPLE);
    }
}

void scenario_deal_read_seller(Loader *L, const Node *n)
{
    SellerSpec *s = &L->sc->seller;
    double f[SCHEMA_FIELDS_MAX];
    bool given[SCHEMA_FIELDS_MAX];
    if (!treeread_fields(&L->rd, n, "seller", &schema_seller, f, given))
        return;
    const SchemaTable *t = &schema_seller;
    *s = (SellerSpec){.enabled = true,
                      .tax_basis = field(f, t, KEY_TAX_BASIS),
                      .carrying_amount = field(f, t, KEY_CARRYING_AMOUNT),
                      .selling_costs = field(f, t, KEY_SELLING_COSTS),
                      .discount_rate = field(f, t, KEY_DISCOUNT_RATE),
                      /* without a tax section: the tax table's default */
                      .installment_method =
                          schema_default(schema_key(&schema_tax, KEY_INSTALLMENT_METHOD)) != 0,
                      .income_tax_rate = field(f, t, KEY_INCOME_TAX_RATE),
                      .other_taxable_income = field(f, t, KEY_OTHER_TAXABLE_INCOME),
                      .material_participation = field(f, t, KEY_MATERIAL_PARTICIPATION) != 0,
                      .reinvest_annuity = field(f, t, KEY_REINVEST_ANNUITY),
                      .other_gains = field(f, t, KEY_OTHER_GAINS),
                      .price_at_risk = given[schema_index(t, KEY_PRICE_AT_RISK)]
                                           ? field(f, t, KEY_PRICE_AT_RISK)
                                           : (double)NAN};
    int choice;
    const Node *status = tree_map_get(n, "filing_status"), *origin = tree_map_get(n, "book_origin");
    if (status && treeread_enum(&L->rd, status, "seller.filing_status",
                                schema_key(t, KEY_FILING_STATUS)->values, &choice))
        s->filing_status = choice;
    else
        status = NULL; /* reported; nothing more to say of it */
    if (origin && treeread_enum(&L->rd, origin, "seller.book_origin",
                                schema_key(t, KEY_BOOK_ORIGIN)->values, &choice))
        s->purchased = choice == 1;
    s->amortization_taken = field(f, t, KEY_AMORTIZATION_TAKEN);
    if (s->amortization_taken > 0 && !s->purchased)
        bv_error(L->errors, BV_ERR_INPUT, &tree_map_get(n, "amortization_taken")->mark,
                 "seller.amortization_taken",
                 "%g of amortisation on a book the seller built: only a purchased book is "
                 "amortised (set book_origin: purchased, or 0)", s->amortization_taken);
    const Node *tax = tree_map_get(n, "tax");
    if (tax)
        read_tax(L, tax, status, s);
    else if (status)
        bv_error(L->errors, BV_ERR_INPUT, &status->mark, "seller.filing_status",
                 "no seller.tax: a filing status picks the thresholds of tax rules "
                 "(seller.tax.by_filing_status)");
    const Node *keep = tree_map_get(n, "keep");
    if (keep)
        read_keep(L, keep, s);
}

void scenario_deal_read_buyer(Loader *L, const Node *n)
{
    BuyerSpec *b = &L->sc->buyer;
    double f[SCHEMA_FIELDS_MAX];
    bool given[SCHEMA_FIELDS_MAX];
    if (!treeread_fields(&L->rd, n, "buyer", &schema_buyer, f, given))
        return;
    const SchemaTable *t = &schema_buyer;
    *b = (BuyerSpec){.enabled = true,
                     .has_discount_rate = given[schema_index(t, KEY_DISCOUNT_RATE)],
                     .discount_rate = field(f, t, KEY_DISCOUNT_RATE),
                     .acquisition_costs = field(f, t, KEY_ACQUISITION_COSTS),
                     .tax_rate = field(f, t, KEY_TAX_RATE),
                     .amortization_years = (int)field(f, t, KEY_AMORTIZATION_YEARS),
                     .working_capital = field(f, t, KEY_WORKING_CAPITAL),
                     .price_at_risk = given[schema_index(t, KEY_PRICE_AT_RISK)]
                                          ? field(f, t, KEY_PRICE_AT_RISK)
                                          : (double)NAN};
    const Node *write_off = tree_map_get(n, "write_off");
    if (write_off)
        scenario_allocation_read_write_off(L, write_off, b);
    const Node *financing = tree_map_get(n, "financing");
    if (financing)
        scenario_financing_read(L, financing);
}


/* tax: {regime: {name, year, sources}}: the law the presets follow, for the results. */
void scenario_deal_read_regime(Loader *L, const Node *n)
{
    double f[SCHEMA_FIELDS_MAX];
    bool given[SCHEMA_FIELDS_MAX];
    if (!treeread_fields(&L->rd, n, "tax", &schema_law, f, given))
        return;
    const Node *r = tree_map_get(n, "regime");
    if (!treeread_fields(&L->rd, r, "tax.regime", &schema_regime, f, given))
        return;
    TaxRegime *regime = &L->sc->tax_regime;
    const char *name;
    if (!treeread_string(&L->rd, tree_map_get(r, "name"), "tax.regime.name", &name))
        return;
    const Node *sources = tree_map_get(r, "sources");
    if (!treeread_expect_seq(&L->rd, sources, "tax.regime.sources",
                             "a list of the laws cited, [\"Ley 35/2006 art. 14\", ...]"))
        return;
    char joined[2048];
    size_t len = 0;
    joined[0] = '\0';
    for (size_t i = 0; i < sources->count; i++) {
        char path[TREEREAD_PATH_MAX];
        const char *text;
        snprintf(path, sizeof path, "tax.regime.sources[%zu]", i);
        if (!treeread_string(&L->rd, sources->items[i], path, &text))
            return;
        int w = snprintf(joined + len, sizeof joined - len, "%s%s", i ? "; " : "", text);
        if (w < 0 || (size_t)w >= sizeof joined - len) {
            bv_error(L->errors, BV_ERR_INPUT, &sources->items[i]->mark, path,
                     "the sources run over %zu characters; cite them more briefly",
                     sizeof joined - 1);
            return;
        }
        len += (size_t)w;
    }
    regime->name = name;
    regime->year = (int)field(f, &schema_regime, KEY_YEAR);
    regime->sources = scenario_intern(L->sc, joined, len);
    if (!regime->sources)
        scenario_nomem(L);
}
