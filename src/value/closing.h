/*
 * closing.h — the closing cut-off: who keeps the clients' receivables and the work in
 * progress, and the buyer's working capital. Items the buyer takes he pays for at closing at
 * what they will collect (receivables less the provision for their age) and collects in
 * year 1; the seller is paid for them at closing instead of collecting them in year 1. They
 * sit outside the price (no gain, no amortisation) and carry no tax of their own: a
 * simplification (the fees are income whoever bills them). The working capital is the
 * buyer's cash at closing, in his equity, recovered in year H.
 */
#ifndef BOOKVAL_CLOSING_H
#define BOOKVAL_CLOSING_H

#include "scenario.h"

typedef struct ClosingFlows {
    double receivables;     /* collectible value of the clients' receivables (less provision) */
    double to_buyer;        /* what the buyer pays for at closing: receivables and/or WIP */
    double working_capital; /* the buyer's, at closing */
    int horizon;            /* the year it comes back */
} ClosingFlows;

/* The scenario's cut-off. */
void closing_price(const Scenario *scenario, ClosingFlows *out);

/* The buyer's and the seller's flow in year t from the cut-off. */
double closing_buyer_flow(const ClosingFlows *c, int t);
double closing_seller_flow(const ClosingFlows *c, int t);

#endif
