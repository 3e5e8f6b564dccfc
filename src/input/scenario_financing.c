/*
 * scenario_financing.c — buyer.financing: the buyer's bank loan and the lender's debt service
 * coverage test (README, Financing), into the buyer's FinancingSpec. The deal is read first.
 */
#include "scenario_loader.h"

#include <math.h>
#include <stdio.h>

static double field(const double *f, const SchemaTable *table, SchemaKeyId id)
{
    return f[schema_index(table, id)];
}

/* The share of the base price paid at closing (year 0) by the deal's payments. */
static double closing_share(const DealSpec *deal)
{
    double share = 0;
    for (size_t i = 0; i < deal->payment_count; i++)
        if (deal->payments[i].year == 0)
            share += deal->payments[i].share;
    return share;
}

static void read_loan(Loader *L, const Node *n, FinancingSpec *fin)
{
    const SchemaTable *t = &schema_loan;
    double f[SCHEMA_FIELDS_MAX];
    bool given[SCHEMA_FIELDS_MAX];
    if (!treeread_fields(&L->rd, n, "buyer.financing.loan", t, f, given))
        return;
    bool amount = given[schema_index(t, KEY_AMOUNT)], share = given[schema_index(t, KEY_SHARE)];
    if (amount == share) {
        bv_error(L->errors, BV_ERR_INPUT, &n->mark, "buyer.financing.loan",
                 amount ? "give amount or share, not both"
                        : "needs amount (currency, > 0) or share (of the base price, (0, 1])");
        return;
    }
    fin->loan_is_share = share;
    fin->loan = share ? field(f, t, KEY_SHARE) : field(f, t, KEY_AMOUNT);
    fin->rate = field(f, t, KEY_RATE);
    fin->years = (int)field(f, t, KEY_YEARS);
    const Scenario *sc = L->sc;
    if (fin->years > sc->horizon_years)
        bv_error(L->errors, BV_ERR_INPUT, &tree_map_get(n, "years")->mark,
                 "buyer.financing.loan.years",
                 "%d is beyond the horizon: give 1 to %d (horizon_years); the book's cash is "
                 "projected only within it",
                 fin->years, sc->horizon_years);
    /* The loan pays part of the price due at closing: never more than that part. */
    double closing = closing_share(&sc->deal);
    if (share && fin->loan > closing + 1e-12)
        bv_error(L->errors, BV_ERR_INPUT, &tree_map_get(n, "share")->mark,
                 "buyer.financing.loan.share",
                 "%.10g is more than the share of the price paid at closing: give (0, %.10g]",
                 fin->loan, closing);
    else if (!share && !sc->deal.price_is_multiple && fin->loan > closing * sc->deal.price)
        bv_error(L->errors, BV_ERR_INPUT, &tree_map_get(n, "amount")->mark,
                 "buyer.financing.loan.amount",
                 "%.10g is more than the price paid at closing: give (0, %.10g]", fin->loan,
                 closing * sc->deal.price);
}

void scenario_financing_read(Loader *L, const Node *n)
{
    FinancingSpec *fin = &L->sc->buyer.financing;
    const SchemaTable *t = &schema_financing;
    double f[SCHEMA_FIELDS_MAX];
    bool given[SCHEMA_FIELDS_MAX];
    if (!treeread_fields(&L->rd, n, "buyer.financing", t, f, given))
        return;
    *fin = (FinancingSpec){.enabled = true,
                           .owner_draw = field(f, t, KEY_OWNER_DRAW),
                           .min_dscr = field(f, t, KEY_MIN_DSCR),
                           .seller_note_standby = field(f, t, KEY_SELLER_NOTE_STANDBY) != 0,
                           .mark = scenario_keep_mark(L, n->mark)};
    const Node *loan = tree_map_get(n, "loan");
    if (loan && treeread_expect_map(&L->rd, loan, "buyer.financing.loan",
                                    "{amount | share, rate, years}"))
        read_loan(L, loan, fin);
}
