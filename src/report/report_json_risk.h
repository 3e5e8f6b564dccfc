/*
 * report_json_risk.h — the JSON of the risk report (issue 18): inside monte_carlo, the
 * drivers, the worst decile, the targets and the achieved correlations; inside deal.buyer and
 * deal.seller, the price at a chosen risk.
 */
#ifndef BOOKVAL_REPORT_JSON_RISK_H
#define BOOKVAL_REPORT_JSON_RISK_H

#include "json_writer.h"
#include "results.h"

void report_json_risk_monte_carlo(Json *j, const Results *res);
void report_json_price_at_risk(Json *j, const PriceAtRisk *p);

#endif
