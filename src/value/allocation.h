/*
 * allocation.h — the purchase-price allocation (deal.allocation): the price split among asset
 * classes (US residual method: what is not allocated is goodwill), the seller's tax by each
 * class's character in his jurisdiction, and the buyer's write-off of each class.
 *
 * The seller's ordinary classes (a non-compete, a consulting agreement, equipment recapture in
 * the US) are taxed at one flat marginal rate plus social charges, recognised like the rest
 * of the price (in proportion to principal under the installment method): a simplification
 * until they share tax.c's ordinary brackets. The capital classes make up the gain taxed by the
 * seller's brackets. The buyer writes each class off straight-line over its years (goodwill
 * and the acquisition costs over amortization_years), or as paid (0 years).
 */
#ifndef BOOKVAL_ALLOCATION_H
#define BOOKVAL_ALLOCATION_H

#include <stdbool.h>

#include "scenario.h"

/* The classes' names as a scenario writes them. */
extern const char *const allocation_class_names[CLASS_COUNT];

typedef struct AllocationFlows {
    bool enabled;                   /* deal.allocation given */
    double price[CLASS_COUNT];      /* each class's price; goodwill the residual */
    double ordinary;                /* the seller's ordinary classes' price */
    double ordinary_tax;            /* their tax and charges: sum (rate + self-employment)
                                     * x price */
    double seller_tax[CLASS_COUNT]; /* the seller's tax on each class (capital: pro rata) */
    double shield_pv[CLASS_COUNT];  /* the buyer's tax saving on each, PV at his rate */
} AllocationFlows;

/* The classes' prices for the deal with every price term times `scale` and expected price
 * `price` (amounts scale; shares are of the price). */
void allocation_price(const Scenario *scenario, double scale, double price,
                      AllocationFlows *alloc);

/* The seller's tax on each class, given the deal's total tax `tax_total`. */
void allocation_seller_tax(const Scenario *scenario, double tax_total, AllocationFlows *alloc);

/* The buyer's amortisation shield by year 0..years into `shield`, and each class's PV at
 * `buyer_rate`: goodwill (with `costs`) over amortization_years (0: never), each other class over its
 * write-off years, or in proportion to the principal paid (0 years: deducted as paid). */
void allocation_shields(const Scenario *scenario, double buyer_rate, double costs,
                        const double *principal, double price, int years, double *shield,
                        AllocationFlows *alloc);

/* The years 1..N any class is written off over (0 without an allocation). */
int allocation_years(const Scenario *scenario);

#endif
