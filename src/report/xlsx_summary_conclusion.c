/*
 * xlsx_summary_conclusion.c — the Summary's conclusion: the valuation date, the standard of
 * value, the concluded value, one paragraph in words and the reconciliation of every figure
 * with the DCF (each against the market range), then the main drivers. Every number is a
 * formula pointing at the sheet that computes it; the paragraph and the market verdicts are
 * text formulas, so they follow any change of an input.
 */
#include "xlsx_layout.h"

#include "stats.h"

#include "conclusion.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void xlsx_whole(char *buf, size_t size, double x)
{
    stats_format_whole(buf, size, x);
}

/* The rows of the block, fixed before it is written (the paragraph names cells below it). */
typedef struct Rows {
    int date, standard, value, paragraph, header;
    int dcf, mc, p5, p95, low, high, buyer, seller, price; /* -1 when absent */
    int drivers, margin, growth, transfer, retention, year1, rate, buyer_rate, seller_rate, next;
} Rows;

static Rows plan(const XlsxCtx *x, int r)
{
    Rows w;
    const Deal *deal = x->deal;
    w.date = ++r; /* r: the "Conclusion" heading */
    w.standard = ++r;
    w.value = ++r;
    w.paragraph = ++r;
    r++;
    w.header = ++r;
    w.dcf = ++r;
    w.mc = x->mc ? ++r : -1;
    w.p5 = x->mc ? ++r : -1;
    w.p95 = x->mc ? ++r : -1;
    w.low = x->dcf->has_market ? ++r : -1;
    w.high = x->dcf->has_market ? ++r : -1;
    w.buyer = deal && deal->has_buyer ? ++r : -1;
    w.seller = deal && deal->has_keep ? ++r : -1;
    w.price = deal ? ++r : -1;
    r++;
    w.drivers = ++r;
    w.margin = ++r;
    w.growth = ++r;
    w.transfer = ++r;
    w.retention = ++r;
    w.year1 = ++r;
    w.rate = ++r;
    w.buyer_rate = deal && deal->has_buyer ? ++r : -1;
    w.seller_rate = deal && deal->has_keep ? ++r : -1;
    w.next = r + 2;
    return w;
}

int xlsx_summary_conclusion_rows(const XlsxCtx *x)
{
    return plan(x, 0).next;
}

static const char *b(char *buf, int row)
{
    return xlsx_ref(buf, NULL, row, 1);
}

/* "inside", "below by 1,234 EUR", "above by 1,234 EUR": the formula and its cached text. */
static void market_verdict(XlsxCtx *x, const char *value, const char *low, const char *high,
                           double v, double lo, double hi, char *f, size_t fsize, char *cached,
                           size_t csize)
{
    const char *cur = x->sc->currency;
    snprintf(f, fsize,
             "IF(%s<%s,\"below by \"&FIXED(%s-%s,0)&\" %s\",IF(%s>%s,\"above by \"&"
             "FIXED(%s-%s,0)&\" %s\",\"inside\"))",
             value, low, low, value, cur, value, high, value, high, cur);
    double by;
    int pos = conclusion_market_position(v, lo, hi, &by);
    char amount[48];
    xlsx_whole(amount, sizeof amount, by);
    if (pos == 0)
        snprintf(cached, csize, "inside");
    else
        snprintf(cached, csize, "%s by %s %s", pos < 0 ? "below" : "above", amount, cur);
}

int xlsx_summary_conclusion(XlsxCtx *x, lxw_worksheet *ws, int r, int revenue_row,
                            int market_low_row)
{
    const Scenario *sc = x->sc;
    const Dcf *dcf = x->dcf;
    const Deal *deal = x->deal;
    const TransferLayout *l = &x->transfer;
    const char *cur = sc->currency;
    Conclusion c;
    conclusion_compute(sc, x->book, dcf, x->mc, deal, &c);
    Rows w = plan(x, r);
    char cell[XLSX_REF_MAX], a[XLSX_REF_MAX], lo[XLSX_REF_MAX], hi[XLSX_REF_MAX],
        rev[XLSX_REF_MAX];
    char f[XLSX_FORMULA_MAX], text[1024];
    b(rev, revenue_row);

    xlsx_text(&x->c, ws, r, 0, "Conclusion", x->f.header);
    xlsx_text(&x->c, ws, r, 1, "", x->f.header);
    xlsx_text(&x->c, ws, r, 2, "", x->f.header);
    xlsx_text(&x->c, ws, w.date, 0, "Valuation date", x->f.text);
    xlsx_text(&x->c, ws, w.date, 1, c.valuation_date, x->f.bold);
    xlsx_text(&x->c, ws, w.date, 2,
              sc->valuation_date ? "scenario key valuation_date"
                                 : "no valuation_date in the scenario: the value is undated",
              x->f.note);
    xlsx_text(&x->c, ws, w.standard, 0, "Standard of value", x->f.text);
    xlsx_text(&x->c, ws, w.standard, 1, c.standard, x->f.bold);
    xlsx_text(&x->c, ws, w.standard, 2, c.standard_label, x->f.note);
    xlsx_text(&x->c, ws, w.value, 0, "Concluded value", x->f.bold);
    int concluded = c.concluded_row == CONC_BUYER ? w.buyer : w.dcf;
    if (isfinite(c.value))
        xlsx_formula(&x->c, ws, w.value, 1, x->f.money_whole_total, c.value, "=%s",
                     b(a, concluded));
    else
        xlsx_text(&x->c, ws, w.value, 1, "none", x->f.bold);
    xlsx_text(&x->c, ws, w.value, 2,
              c.concluded_row == CONC_BUYER ? "the buyer's walk-away below" : "the DCF below",
              x->f.note);

    /* The paragraph: a text formula over the table's cells. */
    char dcf_ref[XLSX_REF_MAX], v_ref[XLSX_REF_MAX];
    b(dcf_ref, w.dcf);
    b(v_ref, w.value);
    char vs[48], mult[48];
    xlsx_whole(vs, sizeof vs, c.value);
    char as_of[64];
    if (sc->valuation_date)
        snprintf(as_of, sizeof as_of, "As of %s, the", sc->valuation_date);
    else
        snprintf(as_of, sizeof as_of, "Undated (no valuation_date): the");
    const char *standard =
        c.concluded_row == CONC_BUYER ? "investment value" : "fair market value";
    int n, m;
    if (isfinite(c.value)) {
        n = snprintf(f, sizeof f, "=\"%s %s of the book is \"&FIXED(%s,0)&\" %s", as_of,
                     standard, v_ref, cur);
        m = snprintf(text, sizeof text, "%s %s of the book is %s %s", as_of, standard, vs, cur);
    } else {
        /* No walk-away: no price leaves this buyer a non-negative NPV. */
        n = snprintf(f, sizeof f, "=\"%s %s of the book is none: no price leaves this buyer a "
                     "non-negative NPV", as_of, standard);
        m = snprintf(text, sizeof text, "%s %s of the book is none: no price leaves this buyer "
                     "a non-negative NPV", as_of, standard);
    }
    double multiple = dcf->annual_revenue > 0 ? c.value / dcf->annual_revenue : (double)NAN;
    snprintf(mult, sizeof mult, "%.2f", multiple);
    if (isfinite(multiple)) {
        n += snprintf(f + n, sizeof f - (size_t)n, " (\"&FIXED(%s/%s,2)&\" times annual fees).",
                      v_ref, rev);
        m += snprintf(text + m, sizeof text - (size_t)m, " (%s times annual fees).", mult);
    } else {
        n += snprintf(f + n, sizeof f - (size_t)n, ".");
        m += snprintf(text + m, sizeof text - (size_t)m, ".");
    }
    if (x->mc) {
        char p5[48], p95[48], r5[XLSX_REF_MAX], r95[XLSX_REF_MAX];
        xlsx_whole(p5, sizeof p5, c.rows[CONC_MONTE_CARLO].low);
        xlsx_whole(p95, sizeof p95, c.rows[CONC_MONTE_CARLO].high);
        n += snprintf(f + n, sizeof f - (size_t)n,
                      " 90%% of the simulated DCF values lie between \"&FIXED(%s,0)&\" and "
                      "\"&FIXED(%s,0)&\" %s.",
                      b(r5, w.p5), b(r95, w.p95), cur);
        m += snprintf(text + m, sizeof text - (size_t)m,
                      " 90%% of the simulated DCF values lie between %s and %s %s.", p5, p95, cur);
    }
    if (dcf->has_market) {
        char vf[600], vc[120];
        market_verdict(x, dcf_ref, b(lo, w.low), b(hi, w.high), dcf->value, dcf->market_low,
                       dcf->market_high, vf, sizeof vf, vc, sizeof vc);
        n += snprintf(f + n, sizeof f - (size_t)n, " The DCF is \"&%s&\" the market range.\"", vf);
        m += snprintf(text + m, sizeof text - (size_t)m, " The DCF is %s the market range.", vc);
    } else {
        n += snprintf(f + n, sizeof f - (size_t)n, "\"");
    }
    if (deal && isfinite(deal->flows.price)) {
        char pr[XLSX_REF_MAX], pv[48];
        xlsx_whole(pv, sizeof pv, deal->flows.price);
        n += snprintf(f + n, sizeof f - (size_t)n,
                      "&\" The price offered is \"&FIXED(%s,0)&\" %s in expected terms\"",
                      b(pr, w.price), cur);
        m += snprintf(text + m, sizeof text - (size_t)m,
                      " The price offered is %s %s in expected terms", pv, cur);
        if (deal->has_buyer && isfinite(deal->max_price_expected)) {
            char by[XLSX_REF_MAX];
            b(by, w.buyer);
            double d = deal->max_price_expected - deal->flows.price;
            char dv[48];
            xlsx_whole(dv, sizeof dv, fabs(d));
            n += snprintf(f + n, sizeof f - (size_t)n,
                          "&\", \"&FIXED(ABS(%s-%s),0)&IF(%s>=%s,\" %s below\",\" %s above\")"
                          "&\" the buyer's walk-away\"",
                          by, pr, by, pr, cur, cur);
            m += snprintf(text + m, sizeof text - (size_t)m, ", %s %s %s the buyer's walk-away",
                          dv, cur, d >= 0 ? "below" : "above");
        }
        if (deal->has_keep && isfinite(deal->min_price_expected)) {
            char sr[XLSX_REF_MAX];
            b(sr, w.seller);
            double d = deal->flows.price - deal->min_price_expected;
            char dv[48];
            xlsx_whole(dv, sizeof dv, fabs(d));
            n += snprintf(f + n, sizeof f - (size_t)n,
                          "&\" and \"&FIXED(ABS(%s-%s),0)&IF(%s>=%s,\" %s above\",\" %s below\")"
                          "&\" the seller's\"",
                          pr, sr, pr, sr, cur, cur);
            m += snprintf(text + m, sizeof text - (size_t)m, " and %s %s %s the seller's", dv, cur,
                          d >= 0 ? "above" : "below");
        }
        n += snprintf(f + n, sizeof f - (size_t)n, "&\".\"");
        m += snprintf(text + m, sizeof text - (size_t)m, ".");
    }
    (void)n;
    (void)m;
    xlsx_check(&x->c, worksheet_merge_range(ws, (lxw_row_t)w.paragraph, 0, (lxw_row_t)w.paragraph,
                                            4, "", x->f.paragraph));
    xlsx_formula_text(&x->c, ws, w.paragraph, 0, f, x->f.paragraph, text);
    xlsx_row_height(&x->c, ws, w.paragraph, 62);

    /* The reconciliation table. */
    static const char *const heads[] = {"Reconciliation with the DCF", "Value",
                                        "Why it differs from the DCF", "Minus the DCF",
                                        "Against the market range"};
    for (int k = 0; k < 5; k++)
        xlsx_text(&x->c, ws, w.header, k, heads[k], x->f.header);
    struct {
        int row, id;
        const char *label;
        double v;
        const char *ref;
        char refbuf[XLSX_REF_MAX];
        const char *why;
    } t[9];
    int count = 0;
#define ADD(row_, id_, label_, v_, why_)                                                        \
    do {                                                                                         \
        t[count].row = (row_);                                                                   \
        t[count].id = (id_);                                                                     \
        t[count].label = (label_);                                                               \
        t[count].v = (v_);                                                                       \
        t[count].why = (why_);                                                                   \
        count++;                                                                                 \
    } while (0)
    ADD(w.dcf, CONC_DCF, "DCF value", dcf->value, c.rows[CONC_DCF].why);
    xlsx_ref(t[0].refbuf, "Projection", x->value_row, 5);
    if (x->mc) {
        ADD(w.mc, CONC_MONTE_CARLO, "Monte Carlo mean", x->mc->stats.mean,
            c.rows[CONC_MONTE_CARLO].why);
        xlsx_ref(t[count - 1].refbuf, "Monte Carlo", MC_FIRST_ROW + MC_MEAN, M_STAT);
        ADD(w.p5, -1, "  5th percentile", x->mc->stats.percentile[STATS_P5],
            "1 in 20 simulated books is worth less");
        xlsx_ref(t[count - 1].refbuf, "Monte Carlo", MC_FIRST_ROW + MC_P5, M_STAT);
        ADD(w.p95, -1, "  95th percentile", x->mc->stats.percentile[STATS_P95],
            "1 in 20 simulated books is worth more");
        xlsx_ref(t[count - 1].refbuf, "Monte Carlo", MC_FIRST_ROW + MC_P95, M_STAT);
    }
    if (dcf->has_market) {
        ADD(w.low, -1, "Market range, low", dcf->market_low, c.rows[CONC_MARKET].why);
        b(t[count - 1].refbuf, market_low_row);
        ADD(w.high, -1, "Market range, high", dcf->market_high, "");
        b(t[count - 1].refbuf, market_low_row + 1);
    }
    if (deal && deal->has_buyer) {
        ADD(w.buyer, CONC_BUYER, "Buyer's walk-away (expected price)", deal->max_price_expected,
            c.rows[CONC_BUYER].why);
        xlsx_ref(t[count - 1].refbuf, "Transfer", l->result[R_MAX_EXPECTED], 1);
    }
    if (deal && deal->has_keep) {
        ADD(w.seller, CONC_SELLER, "Seller's walk-away (expected price)",
            deal->min_price_expected, c.rows[CONC_SELLER].why);
        xlsx_ref(t[count - 1].refbuf, "Transfer", l->result[R_MIN_EXPECTED], 1);
    }
    if (deal) {
        ADD(w.price, CONC_PRICE, "Price offered (expected price)", deal->flows.price,
            c.rows[CONC_PRICE].why);
        xlsx_ref(t[count - 1].refbuf, "Transfer", l->result[R_PRICE], 1);
    }
#undef ADD
    for (int i = 0; i < count; i++) {
        int row = t[i].row;
        xlsx_text(&x->c, ws, row, 0, t[i].label, i == 0 ? x->f.bold : x->f.text);
        if (!isfinite(t[i].v)) {
            xlsx_text(&x->c, ws, row, 1, "none", x->f.note);
            xlsx_text(&x->c, ws, row, 2, t[i].why, x->f.note);
            continue;
        }
        xlsx_formula(&x->c, ws, row, 1, x->f.money_whole, t[i].v, "=%s", t[i].refbuf);
        xlsx_text(&x->c, ws, row, 2, t[i].why, x->f.note);
        if (i > 0)
            xlsx_formula(&x->c, ws, row, 3, x->f.money_whole, t[i].v - dcf->value, "=%s-%s",
                         b(a, row), dcf_ref);
        bool against = dcf->has_market && row != w.low && row != w.high;
        if (against) {
            char vf[600], vc[120], ff[640];
            market_verdict(x, b(a, row), b(lo, w.low), b(hi, w.high), t[i].v, dcf->market_low,
                           dcf->market_high, vf, sizeof vf, vc, sizeof vc);
            snprintf(ff, sizeof ff, "=%s", vf);
            xlsx_formula_text(&x->c, ws, row, 4, ff, x->f.text, vc);
        }
    }

    /* The main drivers. */
    xlsx_text(&x->c, ws, w.drivers, 0, "Main drivers", x->f.header);
    xlsx_text(&x->c, ws, w.drivers, 1, "Value", x->f.header);
    xlsx_text(&x->c, ws, w.drivers, 2, "How it is computed", x->f.header);
    char revs[XLSX_REF_MAX], col[XLSX_REF_MAX];
    int first = x->cohort_first, last = x->cohort_first + (int)x->book->cohort_count - 1;
    xlsx_range(revs, "Projection", first, P_REVENUE, last, P_REVENUE);
    static const struct {
        int col;
        const char *label;
    } weighted[] = {{P_MARGIN, "Margin"}, {P_GROWTH, "Revenue growth (per year)"},
                    {P_TRANSFER, "Transfer retention"}};
    const double wv[] = {c.margin, c.revenue_growth, c.transfer_retention};
    const int wrow[] = {w.margin, w.growth, w.transfer};
    for (int k = 0; k < 3; k++) {
        xlsx_text(&x->c, ws, wrow[k], 0, weighted[k].label, x->f.text);
        xlsx_range(col, "Projection", first, weighted[k].col, last, weighted[k].col);
        if (isfinite(wv[k]))
            xlsx_formula(&x->c, ws, wrow[k], 1, x->f.rate, wv[k], "=SUMPRODUCT(%s,%s)/SUM(%s)",
                         col, revs, revs);
        else
            xlsx_text(&x->c, ws, wrow[k], 1, "n/a (no revenue)", x->f.note);
        xlsx_text(&x->c, ws, wrow[k], 2, "fee-weighted over the cohorts (Projection)",
                  x->f.note);
    }
    xlsx_text(&x->c, ws, w.retention, 0, "Retention in year 1", x->f.text);
    char s1[XLSX_REF_MAX], u[XLSX_REF_MAX];
    xlsx_range(s1, "Projection", first, P_SURVIVAL, last, P_SURVIVAL);
    xlsx_range(u, "Projection", first, P_TRANSFER, last, P_TRANSFER);
    if (isfinite(c.retention_year1))
        xlsx_formula(&x->c, ws, w.retention, 1, x->f.rate, c.retention_year1,
                     "=SUMPRODUCT(%s,%s)/SUMPRODUCT(%s,%s)", s1, revs, u, revs);
    else
        xlsx_text(&x->c, ws, w.retention, 1, "n/a (no fees survive the sale)", x->f.note);
    xlsx_text(&x->c, ws, w.retention, 2,
              "of the fees that survive the sale, the share renewed in year 1 (S(1) / transfer)",
              x->f.note);
    xlsx_text(&x->c, ws, w.year1, 0, "Fees expected in year 1", x->f.text);
    if (isfinite(c.retained_year1))
        xlsx_formula(&x->c, ws, w.year1, 1, x->f.rate, c.retained_year1, "=%s/%s",
                     xlsx_ref(cell, "Projection", x->year_first, 3), rev);
    else
        xlsx_text(&x->c, ws, w.year1, 1, "n/a (no revenue)", x->f.note);
    xlsx_text(&x->c, ws, w.year1, 2,
              "share of today's fees: retention, transfer retention and growth together",
              x->f.note);
    xlsx_text(&x->c, ws, w.rate, 0, "Discount rate (the DCF's)", x->f.text);
    xlsx_formula(&x->c, ws, w.rate, 1, x->f.rate, c.discount_rate, "=%s",
                 xlsx_ref(cell, "Assumptions", x->discount_row, A_VALUE));
    xlsx_text(&x->c, ws, w.rate, 2, "a hypothetical buyer's required return", x->f.note);
    if (w.buyer_rate >= 0) {
        xlsx_text(&x->c, ws, w.buyer_rate, 0, "Buyer's discount rate", x->f.text);
        xlsx_formula(&x->c, ws, w.buyer_rate, 1, x->f.rate, c.buyer_rate, "=%s",
                     xlsx_ref(cell, "Transfer", l->input[I_BUYER_RATE], 1));
        xlsx_text(&x->c, ws, w.buyer_rate, 2, "this buyer's required return", x->f.note);
    }
    if (w.seller_rate >= 0) {
        xlsx_text(&x->c, ws, w.seller_rate, 0, "Seller's rate for keeping", x->f.text);
        xlsx_formula(&x->c, ws, w.seller_rate, 1, x->f.rate, c.seller_rate, "=%s",
                     xlsx_ref(cell, "Transfer", l->input[I_KEEP_RATE], 1));
        xlsx_text(&x->c, ws, w.seller_rate, 2, "seller.keep.discount_rate", x->f.note);
    }
    return w.next;
}
