/*
 * scenario_normalization.c — reported_profit, owner_market_salary and normalization (the
 * bridge to SDE and EBITDA), and `margin: from_normalization`, resolved once the clients'
 * revenue is known.
 */
#include "scenario_loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double field(const double *f, const SchemaTable *table, SchemaKeyId id)
{
    return f[schema_index(table, id)];
}

bool scenario_normalization_margin(Loader *L, const Node *v, const char *path, Assumptions *a)
{
    if (v->kind != NODE_SCALAR || strcmp(v->text, "from_normalization") != 0 ||
        strcmp(path, "margin") != 0)
        return false;
    L->sc->normalization.margin_from = true;
    L->sc->normalization.mark = scenario_keep_mark(L, v->mark);
    a->margin = dist_fixed(0); /* set by scenario_normalization_finish */
    a->given |= GIVEN_MARGIN;
    return true;
}

void scenario_normalization_read(Loader *L, const Node *root)
{
    Normalization *nz = &L->sc->normalization;
    const Node *profit = tree_map_get(root, "reported_profit");
    const Node *salary = tree_map_get(root, "owner_market_salary");
    const Node *n = tree_map_get(root, "normalization");
    if (!profit) {
        const Node *any = n ? n : salary;
        if (any)
            bv_error(L->errors, BV_ERR_INPUT, &any->mark, n ? "normalization"
                                                            : "owner_market_salary",
                     "needs reported_profit: the accounts' pre-tax profit the bridge starts "
                     "from");
        return;
    }
    nz->enabled = true;
    if (!nz->margin_from)
        nz->mark = scenario_keep_mark(L, profit->mark);
    treeread_number(&L->rd, profit, "reported_profit",
                    &schema_key(&schema_scenario, KEY_REPORTED_PROFIT)->range, false,
                    &nz->reported_profit);
    if (salary)
        treeread_number(&L->rd, salary, "owner_market_salary",
                        &schema_key(&schema_scenario, KEY_OWNER_MARKET_SALARY)->range, false,
                        &nz->owner_market_salary);
    if (!n || !treeread_expect_seq(&L->rd, n, "normalization",
                                   "a list of {label, amount, kind, lender_accepted}"))
        return;
    nz->items = calloc(n->count ? n->count : 1, sizeof *nz->items);
    if (!nz->items) {
        scenario_nomem(L);
        return;
    }
    const SchemaTable *t = &schema_normalization;
    for (size_t i = 0; i < n->count; i++) {
        const Node *item = n->items[i];
        char ip[TREEREAD_PATH_MAX], kp[TREEREAD_PATH_MAX], lp[TREEREAD_PATH_MAX];
        snprintf(ip, sizeof ip, "normalization[%zu]", i);
        double f[SCHEMA_FIELDS_MAX];
        bool given[SCHEMA_FIELDS_MAX];
        if (!treeread_fields(&L->rd, item, ip, t, f, given))
            continue;
        int kind;
        treeread_join_path(kp, ip, "kind");
        treeread_join_path(lp, ip, "label");
        NormalizationItem it = {.amount = field(f, t, KEY_AMOUNT),
                                .lender_accepted = field(f, t, KEY_LENDER_ACCEPTED) != 0};
        if (!treeread_string(&L->rd, tree_map_get(item, "label"), lp, &it.label) ||
            !treeread_enum(&L->rd, tree_map_get(item, "kind"), kp,
                           schema_key(t, KEY_KIND)->values, &kind))
            continue;
        it.deduction = kind == 1;
        nz->items[nz->count++] = it;
    }
}

void scenario_normalization_finish(Loader *L)
{
    Scenario *sc = L->sc;
    Normalization *nz = &sc->normalization;
    if (sc->has_market && sc->market_basis != 0 && !nz->enabled)
        bv_error(L->errors, BV_ERR_INPUT, &sc->marks.market, "market.basis",
                 "%s needs reported_profit (and normalization): give them, or basis: revenue",
                 sc->market_basis == 1 ? "sde" : "ebitda");
    if (!nz->margin_from)
        return;
    if (!nz->enabled) {
        bv_error(L->errors, BV_ERR_INPUT, &nz->mark, "margin",
                 "from_normalization needs reported_profit (and normalization): the margin is "
                 "EBITDA / annual revenue");
        return;
    }
    double revenue = 0, sde = nz->reported_profit;
    for (size_t i = 0; i < sc->client_count; i++) /* the book's annual revenue, as the DCF's */
        revenue += sc->clients[i].annual_revenue;
    for (size_t i = 0; i < nz->count; i++)
        sde += nz->items[i].deduction ? -nz->items[i].amount : nz->items[i].amount;
    double margin = revenue > 0 ? (sde - nz->owner_market_salary) / revenue : (double)NAN;
    if (!(margin >= -1 && margin <= 1)) {
        bv_error(L->errors, BV_ERR_INPUT, &nz->mark, "margin",
                 "from_normalization gives EBITDA / annual revenue = %.6g, outside [-1, 1]: "
                 "check reported_profit, normalization and the clients' revenue",
                 margin);
        return;
    }
    sc->defaults.margin = dist_fixed(margin);
    for (size_t s = 0; s < sc->segment_count; s++)
        if (!(sc->segments[s].assumptions.given & GIVEN_MARGIN))
            sc->segments[s].assumptions.margin = dist_fixed(margin);
}
