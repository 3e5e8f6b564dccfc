/*
 * xlsx_risk.c — the Risk sheet: what drives the Monte Carlo's spread (rank correlations and
 * first-order variance shares, as formulas over the Monte Carlo sheet's audit trail), the
 * worst decile against all iterations, the achieved rank correlations, the target
 * probabilities and the price at a chosen risk. Rows are written top to bottom.
 */
#include "xlsx_risk.h"

#include "rate_range.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MC_SHEET "Monte Carlo"

enum { K_LABEL, K_A, K_B, K_C, K_D, K_COLUMNS };

static void mc_col(char *buf, const XlsxCtx *x, int col)
{
    xlsx_range(buf, MC_SHEET, MC_FIRST_ROW, col, MC_FIRST_ROW + (int)x->mc->iterations - 1, col);
}

/* The row of the price at risk of the buyer (side 0) or the seller (1) on the Risk sheet:
 * the drivers from row 6, two gaps, the pairs, the targets, then the price block's header. */
static int price_row(const XlsxCtx *x, int side)
{
    const Drivers *d = x->drivers;
    const MonteCarloSpec *m = &x->sc->monte_carlo;
    return (int)(d->count + d->pair_count + m->value_below_count + m->npv_below_count) + 12 +
           side;
}

int xlsx_risk_summary_rows(XlsxCtx *x, lxw_worksheet *ws, int r)
{
    if (!x->mc || !x->drivers)
        return r;
    for (int side = 0; side < 2; side++) {
        const PriceAtRisk *p = side ? x->seller_par : x->buyer_par;
        if (!p || !p->asked)
            continue;
        char label[96], note[160], cell[XLSX_REF_MAX];
        snprintf(label, sizeof label, "%s price at %g%% risk (base price)",
                 side ? "Seller's" : "Buyer's", 100 * p->probability);
        snprintf(note, sizeof note, "%s",
                 side ? "the lowest base price with P(net proceeds PV < keeping) <= alpha "
                        "over the simulated books (Risk sheet)"
                      : "the highest base price with P(NPV < 0) <= alpha over the simulated "
                        "books (Risk sheet)");
        xlsx_text(&x->c, ws, r, 0, label, x->f.text);
        xlsx_text(&x->c, ws, r, 2, note, x->f.note);
        if (isfinite(p->factor))
            xlsx_formula(&x->c, ws, r++, 1, x->f.money, p->base_price, "=%s",
                         xlsx_ref(cell, "Risk", price_row(x, side), K_C));
        else
            xlsx_text(&x->c, ws, r++, 1, "none", x->f.note);
        xlsx_text(&x->c, ws, r, 0, "  expected price", x->f.text);
        if (isfinite(p->factor))
            xlsx_formula(&x->c, ws, r++, 1, x->f.money, p->expected_price, "=%s",
                         xlsx_ref(cell, "Risk", price_row(x, side), K_D));
        else
            xlsx_text(&x->c, ws, r++, 1, "none", x->f.note);
    }
    return r;
}

void xlsx_risk_write(XlsxCtx *x, lxw_worksheet *ws)
{
    const McResult *mc = x->mc;
    const Drivers *d = x->drivers;
    const Scenario *sc = x->sc;
    size_t k = mc->input_count, bins = d->bins;
    long n = mc->iterations;
    bool live = x->mc_values_fit && n > 1;
    static const double w[] = {42, 18, 18, 18, 18, 3, 8};
    xlsx_layout_widths(x, ws, w, (int)(sizeof w / sizeof w[0]));
    xlsx_text(&x->c, ws, 0, 0, "Risk: what drives the spread, and the price at a chosen risk",
              x->f.title);
    char held[300] = "The discount rate is held at its mean.";
    const RateRange *rr = x->rate_range;
    if (rr && rr->has)
        snprintf(held, sizeof held,
                 "The discount rate is held at its mean (a required return, not an outcome); "
                 "as a sensitivity, at its 5th and 95th percentiles (%.2f%%, %.2f%%) the DCF "
                 "value is %.0f and %.0f %s.",
                 100 * rr->rate_p5, 100 * rr->rate_p95, rr->value_at_p5, rr->value_at_p95,
                 sc->currency);
    char note[1200];
    snprintf(note, sizeof note,
             "Formulas over the Monte Carlo sheet's columns. Rank correlation: CORREL of the "
             "RANK.AVG columns (Spearman). Share of the value's variance: the first-order index "
             "Var(E[value | input]) / Var(value), estimated as the binned correlation ratio over "
             "%zu bins of equal count by the input's rank (Saltelli et al., Global Sensitivity "
             "Analysis: The Primer, 2008)%s. %s",
             bins,
             mc->client_churn ? "; client churn's share is what the inputs leave: client churn "
                                "and interactions"
                              : "",
             sc->monte_carlo.vary_discount_rate
                 ? "The discount rate is drawn (vary_discount_rate: true)."
                 : held);
    xlsx_text(&x->c, ws, 1, 0, note, x->f.note);

    char values[XLSX_REF_MAX], rank_value[XLSX_REF_MAX], iterations[XLSX_REF_MAX];
    mc_col(values, x, M_VALUE);
    mc_col(rank_value, x, risk_col_rank_value(k));
    xlsx_ref(iterations, MC_SHEET, x->mc_stat_row[MC_ITERATIONS], M_STAT);

    /* The worst decile's threshold. */
    int r = 3;
    char threshold[XLSX_REF_MAX];
    xlsx_text(&x->c, ws, r, K_LABEL, "Worst 10%: values at or below", x->f.text);
    if (live)
        xlsx_formula(&x->c, ws, r, K_A, x->f.money, d->worst_threshold,
                     "=SMALL(%s,ROUNDUP(%s/10,0))", values, iterations);
    else
        xlsx_number(&x->c, ws, r, K_A, d->worst_threshold, x->f.money);
    xlsx_ref(threshold, NULL, r, K_A);

    /* Drivers, largest share first. */
    r = 5;
    const char *const head[] = {"Source of the spread", "Rank correlation with the value",
                                "Share of the value's variance (first order)",
                                "Mean in the worst 10%", "Mean over all iterations"};
    for (int c = 0; c < K_COLUMNS; c++)
        xlsx_text(&x->c, ws, r, c, head[c], x->f.header);
    int first_driver = r + 1;
    int bins_header = first_driver + (int)d->count + 4 + (int)d->pair_count + 3 +
                      (int)(sc->monte_carlo.value_below_count + sc->monte_carlo.npv_below_count) +
                      3 + 2 + 3;
    /* The bins table's columns: for input i, its mean value (col 1 + 2i) and count (2 + 2i). */
    for (size_t i = 0; i < d->count; i++) {
        const Driver *dr = &d->items[i];
        r = first_driver + (int)i;
        xlsx_text(&x->c, ws, r, K_LABEL, dr->input, x->f.text);
        char col[XLSX_REF_MAX], rank[XLSX_REF_MAX];
        bool churn = dr->index < 0;
        mc_col(col, x, churn ? M_LOST : risk_col_input((size_t)dr->index));
        mc_col(rank, x, churn ? risk_col_rank_lost(k) : risk_col_rank_input(k, (size_t)dr->index));
        lxw_format *fmt = churn ? x->f.count : x->f.factor;
        if (!live) {
            xlsx_number(&x->c, ws, r, K_A, dr->rank_correlation, x->f.factor);
            xlsx_number(&x->c, ws, r, K_B, dr->variance_share, x->f.rate);
            xlsx_number(&x->c, ws, r, K_C, dr->mean_worst, fmt);
            xlsx_number(&x->c, ws, r, K_D, dr->mean, fmt);
            continue;
        }
        xlsx_formula(&x->c, ws, r, K_A, x->f.factor, dr->rank_correlation, "=CORREL(%s,%s)",
                     rank, rank_value);
        if (churn) {
            /* 1 - the inputs' shares (the other rows of this table). */
            char others[XLSX_FORMULA_MAX] = "";
            for (size_t j = 0; j < d->count; j++)
                if (j != i) {
                    char ref[XLSX_REF_MAX];
                    xlsx_ref(ref, NULL, first_driver + (int)j, K_B);
                    snprintf(others + strlen(others), sizeof others - strlen(others), "-%s", ref);
                }
            xlsx_formula(&x->c, ws, r, K_B, x->f.rate, dr->variance_share, "=MAX(0,1%s)",
                         others);
        } else {
            char means[XLSX_REF_MAX], counts[XLSX_REF_MAX];
            int c = 1 + 2 * dr->index;
            xlsx_range(means, NULL, bins_header + 1, c, bins_header + (int)bins, c);
            xlsx_range(counts, NULL, bins_header + 1, c + 1, bins_header + (int)bins, c + 1);
            xlsx_formula(&x->c, ws, r, K_B, x->f.rate, dr->variance_share,
                         "=SUMPRODUCT(%s,(%s-AVERAGE(%s))^2)/DEVSQ(%s)", counts, means, values,
                         values);
        }
        xlsx_formula(&x->c, ws, r, K_C, fmt, dr->mean_worst, "=AVERAGEIF(%s,\"<=\"&%s,%s)",
                     values, threshold, col);
        xlsx_formula(&x->c, ws, r, K_D, fmt, dr->mean, "=AVERAGE(%s)", col);
    }
    int last_driver = first_driver + (int)d->count - 1;

    /* Achieved rank correlations. */
    r = last_driver + 2;
    xlsx_text(&x->c, ws, r, K_LABEL, "Correlated pair", x->f.header);
    xlsx_text(&x->c, ws, r, K_A, "Target rank correlation", x->f.header);
    xlsx_text(&x->c, ws, r, K_B, "Achieved (CORREL of RANK.AVG)", x->f.header);
    for (size_t p = 0; p < d->pair_count; p++) {
        const DriverPair *pr = &d->pairs[p];
        r++;
        char label[2 * BOOK_INPUT_PATH_MAX + 8];
        snprintf(label, sizeof label, "%s, %s", pr->a, pr->b);
        xlsx_text(&x->c, ws, r, K_LABEL, label, x->f.text);
        xlsx_number(&x->c, ws, r, K_A, pr->target, x->f.factor);
        if (live && pr->ia >= 0 && pr->ib >= 0) {
            char ra[XLSX_REF_MAX], rb[XLSX_REF_MAX];
            mc_col(ra, x, risk_col_rank_input(k, (size_t)pr->ia));
            mc_col(rb, x, risk_col_rank_input(k, (size_t)pr->ib));
            xlsx_formula(&x->c, ws, r, K_B, x->f.factor, pr->achieved, "=CORREL(%s,%s)", ra,
                         rb);
        } else {
            xlsx_number(&x->c, ws, r, K_B, pr->achieved, x->f.factor);
        }
    }

    /* Target probabilities. */
    r += 2;
    xlsx_text(&x->c, ws, r, K_LABEL, "Target", x->f.header);
    xlsx_text(&x->c, ws, r, K_A, "Threshold", x->f.header);
    xlsx_text(&x->c, ws, r, K_B, "Probability", x->f.header);
    char npv[XLSX_REF_MAX];
    mc_col(npv, x, M_NPV);
    bool has_npv = mc->has_deal && sc->buyer.enabled;
    for (int which = 0; which < 2; which++) {
        size_t count = which ? sc->monte_carlo.npv_below_count : sc->monte_carlo.value_below_count;
        const double *t = which ? sc->monte_carlo.npv_below : sc->monte_carlo.value_below;
        for (size_t i = 0; i < count; i++) {
            r++;
            xlsx_text(&x->c, ws, r, K_LABEL,
                      which ? "P(buyer's NPV < threshold)" : "P(value < threshold)", x->f.text);
            xlsx_number(&x->c, ws, r, K_A, t[i], x->f.input_money);
            if (which && !has_npv) {
                xlsx_text(&x->c, ws, r, K_B, "(no buyer)", x->f.text);
                continue;
            }
            const double *v = which ? mc->buyer_npv : mc->values;
            double p = drivers_share_below(v, n, t[i]);
            char cell[XLSX_REF_MAX];
            xlsx_ref(cell, NULL, r, K_A);
            if (x->mc_values_fit)
                xlsx_formula(&x->c, ws, r, K_B, x->f.rate, p, "=COUNTIF(%s,\"<\"&%s)/%s",
                             which ? npv : values, cell, iterations);
            else
                xlsx_number(&x->c, ws, r, K_B, p, x->f.rate);
        }
    }

    /* The price at a chosen risk. */
    r += 2;
    const char *const ph[] = {"Price at a chosen risk", "Probability (alpha)",
                              "Break-even price factor", "Base price", "Expected price"};
    for (int c = 0; c < K_COLUMNS; c++)
        xlsx_text(&x->c, ws, r, c, ph[c], x->f.header);
    double unit = x->deal ? x->deal->flows.base_price : (double)NAN;
    char price[XLSX_REF_MAX];
    mc_col(price, x, M_PRICE);
    for (int side = 0; side < 2; side++) {
        const PriceAtRisk *p = side ? x->seller_par : x->buyer_par;
        r++;
        if (r != price_row(x, side))
            xlsx_check(&x->c, LXW_ERROR_PARAMETER_VALIDATION); /* the Summary points here */
        xlsx_text(&x->c, ws, r, K_LABEL,
                  side ? "Seller: lowest base price with P(net proceeds PV < keeping) <= alpha"
                       : "Buyer: highest base price with P(NPV < 0) <= alpha",
                  x->f.text);
        if (!p || !p->asked) {
            xlsx_text(&x->c, ws, r, K_A,
                      side ? "(not asked: seller.price_at_risk)" : "(not asked: buyer.price_at_risk)",
                      x->f.text);
            continue;
        }
        xlsx_number(&x->c, ws, r, K_A, p->probability, x->f.input_rate);
        char alpha[XLSX_REF_MAX], factor[XLSX_REF_MAX], be[XLSX_REF_MAX];
        xlsx_ref(alpha, NULL, r, K_A);
        xlsx_ref(factor, NULL, r, K_B);
        mc_col(be, x, side ? M_SELLER_BE : M_BUYER_BE);
        if (!x->mc_values_fit || !isfinite(p->factor)) {
            xlsx_number(&x->c, ws, r, K_B, p->factor, x->f.factor);
            xlsx_number(&x->c, ws, r, K_C, p->base_price, x->f.money);
            xlsx_number(&x->c, ws, r, K_D, p->expected_price, x->f.money);
            continue;
        }
        /* The (floor(alpha N) + 1)-th smallest (buyer) or largest (seller) break-even. */
        xlsx_formula(&x->c, ws, r, K_B, x->f.factor, p->factor,
                     "=%s(%s,MIN(%s,INT(%s*%s+1E-9)+1))", side ? "LARGE" : "SMALL", be,
                     iterations, alpha, iterations);
        xlsx_formula(&x->c, ws, r, K_C, x->f.money, p->base_price, "=%s*%.17g", factor, unit);
        xlsx_formula(&x->c, ws, r, K_D, x->f.money, p->expected_price, "=%s*AVERAGE(%s)",
                     factor, price);
    }

    /* The bins behind each variance share. */
    r = bins_header;
    if (live) {
        xlsx_text(&x->c, ws, r, 0, "Bin (by the input's rank)", x->f.header);
        for (size_t i = 0; i < k; i++) {
            char h[BOOK_INPUT_PATH_MAX + 32];
            snprintf(h, sizeof h, "Mean value: %s", x->book->inputs[i].path);
            xlsx_text(&x->c, ws, r, 1 + 2 * (int)i, h, x->f.header);
            snprintf(h, sizeof h, "Iterations: %s", x->book->inputs[i].path);
            xlsx_text(&x->c, ws, r, 2 + 2 * (int)i, h, x->f.header);
        }
        /* The engine's bin means and counts, for the cached values. */
        double *sum = calloc(k * bins + 1, sizeof *sum), *cnt = calloc(k * bins + 1, sizeof *cnt);
        double *rank = malloc((size_t)n * sizeof *rank);
        if (!sum || !cnt || !rank) {
            xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
        } else {
            for (size_t i = 0; i < k; i++) {
                if (!drivers_ranks(&mc->inputs[i], k, n, rank)) {
                    xlsx_check(&x->c, LXW_ERROR_MEMORY_MALLOC_FAILED);
                    break;
                }
                for (long it = 0; it < n; it++) {
                    size_t b = (size_t)floor((rank[it] - 1) * (double)bins / (double)n);
                    if (b >= bins)
                        b = bins - 1;
                    sum[i * bins + b] += mc->values[it];
                    cnt[i * bins + b] += 1;
                }
            }
            for (size_t b = 0; b < bins; b++) {
                r = bins_header + 1 + (int)b;
                xlsx_number(&x->c, ws, r, 0, (double)b, x->f.integer);
                char bin[XLSX_REF_MAX];
                xlsx_ref(bin, NULL, r, 0);
                for (size_t i = 0; i < k; i++) {
                    char col[XLSX_REF_MAX];
                    mc_col(col, x, risk_col_bin_input(k, i));
                    double c = cnt[i * bins + b];
                    xlsx_formula(&x->c, ws, r, 1 + 2 * (int)i, x->f.money,
                                 c > 0 ? sum[i * bins + b] / c : 0, "=AVERAGEIF(%s,%s,%s)", col, bin,
                                 values);
                    xlsx_formula(&x->c, ws, r, 2 + 2 * (int)i, x->f.integer, c,
                                 "=COUNTIF(%s,%s)", col, bin);
                }
            }
        }
        free(sum);
        free(cnt);
        free(rank);
    }

    /* The tornado of the simulation: each source's share of the variance. */
    static const int share_col[] = {K_B};
    static const char *const share_name[] = {"Share of the value's variance"};
    XlsxChart chart = {.type = LXW_CHART_BAR, .sheet = "Risk", .first = first_driver,
                       .last = last_driver, .cat_col = K_LABEL, .series = 1,
                       .val_col = share_col, .names = share_name,
                       .title = "What drives the spread (share of the value's variance)",
                       .x_name = "", .y_name = "Share of variance", .y_num = "0%",
                       .legend = LXW_CHART_LEGEND_NONE, .x_scale = 1.2, .y_scale = 1.0};
    lxw_chart *ch = xlsx_chart(&x->c, ws, 3, K_D + 2, &chart);
    if (ch)
        chart_axis_set_reverse(ch->y_axis); /* the largest share on top */
}
