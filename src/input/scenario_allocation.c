/*
 * scenario_allocation.c — deal.allocation (the price by asset class) and the jurisdiction's
 * treatment of each class: the seller's character (seller.tax.classes) and the buyer's
 * write-off (buyer.write_off), checked against each other once both sides are read.
 */
#include "scenario_loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[CLASS_COUNT] = {"goodwill", "client_list", "non_compete",
                                                     "consulting", "equipment"};
#define CLASS_LIST "goodwill, client_list, non_compete, consulting, equipment"

static double field(const double *f, const SchemaTable *table, SchemaKeyId id)
{
    return f[schema_index(table, id)];
}

static int class_of(const char *name)
{
    for (int k = 0; k < CLASS_COUNT; k++)
        if (strcmp(name, class_names[k]) == 0)
            return k;
    return -1;
}

void scenario_allocation_read(Loader *L, const Node *n)
{
    DealSpec *deal = &L->sc->deal;
    if (!treeread_expect_seq(&L->rd, n, "deal.allocation", "a list of {class, amount | share}"))
        return;
    deal->allocation = calloc(n->count ? n->count : 1, sizeof *deal->allocation);
    if (!deal->allocation) {
        scenario_nomem(L);
        return;
    }
    const SchemaTable *t = &schema_allocation;
    double shares = 0, amounts = 0;
    for (size_t i = 0; i < n->count; i++) {
        const Node *item = n->items[i];
        char ip[TREEREAD_PATH_MAX], cp[TREEREAD_PATH_MAX];
        snprintf(ip, sizeof ip, "deal.allocation[%zu]", i);
        double f[SCHEMA_FIELDS_MAX];
        bool given[SCHEMA_FIELDS_MAX];
        if (!treeread_fields(&L->rd, item, ip, t, f, given))
            continue;
        int cls;
        treeread_join_path(cp, ip, "class");
        const Node *c = tree_map_get(item, "class");
        if (!treeread_enum(&L->rd, c, cp, schema_key(t, KEY_CLASS)->values, &cls))
            continue;
        if (cls == CLASS_GOODWILL) {
            bv_error(L->errors, BV_ERR_INPUT, &c->mark, cp,
                     "goodwill is the residual: leave it out; give client_list, non_compete, "
                     "consulting or equipment");
            continue;
        }
        bool amount = given[schema_index(t, KEY_AMOUNT)];
        bool share = given[schema_index(t, KEY_SHARE)];
        if (amount == share) {
            bv_error(L->errors, BV_ERR_INPUT, &item->mark, ip,
                     amount ? "give amount or share, not both"
                            : "needs amount (currency, >= 0) or share (of the price, [0, 1])");
            continue;
        }
        for (size_t j = 0; j < deal->allocation_count; j++)
            if ((int)deal->allocation[j].cls == cls)
                bv_error(L->errors, BV_ERR_INPUT, &c->mark, cp, "class %s appears twice",
                         class_names[cls]);
        AllocationItem *a = &deal->allocation[deal->allocation_count++];
        *a = (AllocationItem){(AssetClass)cls, share,
                              share ? field(f, t, KEY_SHARE) : field(f, t, KEY_AMOUNT),
                              scenario_keep_mark(L, c->mark)};
        if (share)
            shares += a->value;
        else
            amounts += a->value;
    }
    double closing_price = deal->price_is_multiple ? (double)NAN : deal->price;
    if (shares > 1 + 1e-12)
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "deal.allocation",
                 "the shares sum to %.10g: above the price; give shares summing to at most 1 "
                 "(the rest is goodwill)",
                 shares);
    else if (isfinite(closing_price) &&
             amounts + shares * closing_price > closing_price * (1 + 1e-12))
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "deal.allocation",
                 "%.10g is allocated: above the price %.10g; allocate at most the price (the "
                 "rest is goodwill)",
                 amounts + shares * closing_price, closing_price);
}

void scenario_allocation_read_classes(Loader *L, const Node *n, SellerSpec *seller)
{
    if (!treeread_expect_map(&L->rd, n, "seller.tax.classes",
                             "{CLASS: {character, rate, self_employment}}"))
        return;
    seller->has_classes = true;
    const SchemaTable *t = &schema_class_tax;
    for (size_t i = 0; i < n->count; i++) {
        const char *key = n->entries[i].key;
        const Node *v = n->entries[i].value;
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, "seller.tax.classes", key);
        int cls = class_of(key);
        if (cls < 0) {
            bv_error(L->errors, BV_ERR_INPUT, &n->entries[i].key_mark, kp,
                     "unknown asset class; accepted: " CLASS_LIST);
            continue;
        }
        double f[SCHEMA_FIELDS_MAX];
        bool given[SCHEMA_FIELDS_MAX];
        if (!treeread_fields(&L->rd, v, kp, t, f, given))
            continue;
        char cp[TREEREAD_PATH_MAX];
        treeread_join_path(cp, kp, "character");
        int character = 0;
        if (!treeread_enum(&L->rd, tree_map_get(v, "character"), cp,
                           schema_key(t, KEY_CHARACTER)->values, &character))
            continue;
        seller->classes[cls] = (ClassTax){true, character == 1, field(f, t, KEY_RATE),
                                          field(f, t, KEY_SELF_EMPLOYMENT)};
    }
}

void scenario_allocation_read_write_off(Loader *L, const Node *n, BuyerSpec *buyer)
{
    static const SchemaRange years = {0, 100, false, false};
    if (!treeread_expect_map(&L->rd, n, "buyer.write_off", "{CLASS: years}"))
        return;
    buyer->has_write_off = true;
    for (size_t i = 0; i < n->count; i++) {
        const char *key = n->entries[i].key;
        char kp[TREEREAD_PATH_MAX];
        treeread_join_path(kp, "buyer.write_off", key);
        int cls = class_of(key);
        if (cls < 0 || cls == CLASS_GOODWILL) {
            bv_error(L->errors, BV_ERR_INPUT, &n->entries[i].key_mark, kp,
                     cls < 0 ? "unknown asset class; accepted: client_list, non_compete, "
                               "consulting, equipment"
                             : "goodwill is written off over buyer.amortization_years");
            continue;
        }
        double y;
        if (!treeread_number(&L->rd, n->entries[i].value, kp, &years, false, &y))
            continue;
        if (y != floor(y)) {
            bv_error(L->errors, BV_ERR_INPUT, &n->entries[i].value->mark, kp,
                     "%g is not a whole number of years: give 0 (as paid) to 100", y);
            continue;
        }
        buyer->write_off[cls] = (int)y;
        buyer->write_off_known[cls] = true;
    }
}

void scenario_allocation_check(Loader *L)
{
    Scenario *sc = L->sc;
    const DealSpec *deal = &sc->deal;
    for (size_t i = 0; i < deal->allocation_count; i++) {
        const AllocationItem *a = &deal->allocation[i];
        char cp[TREEREAD_PATH_MAX];
        snprintf(cp, sizeof cp, "deal.allocation[%zu].class", i);
        const char *name = class_names[a->cls];
        if (sc->seller.enabled && !sc->seller.classes[a->cls].known)
            bv_error(L->errors, BV_ERR_INPUT, &a->mark, cp,
                     "%s is unknown to the seller's jurisdiction: seller.tax.classes %s; "
                     "extend a tax preset (tax/us-federal, tax/spain-individual) or add it",
                     name, sc->seller.has_classes ? "does not list it" : "is not given");
        else if (sc->buyer.enabled && !sc->buyer.write_off_known[a->cls])
            bv_error(L->errors, BV_ERR_INPUT, &a->mark, cp,
                     "%s is unknown to the buyer's jurisdiction: buyer.write_off %s; extend a "
                     "tax preset (tax/us-federal, tax/spain-individual) or add it",
                     name, sc->buyer.has_write_off ? "does not list it" : "is not given");
    }
}
