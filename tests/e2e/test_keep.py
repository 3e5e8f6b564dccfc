"""The seller's walk-away as a seller weighs it (seller.keep, DESIGN §7), end to end: every
reference below is worked from the stated formulas here, never fed back from the engine.

The book of the issue: two clients of 15,000 and 10,000, retention 0.9, margin 0.4, no growth,
end-of-year timing, no run-off. Kept (no transfer shock), year t's cash is
0.4 x 25,000 x 0.9^t = 10,000 x 0.9^t.
"""
import copy
import json
import os
import sys
import tempfile
import unittest

from mpmath import mp, mpf

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402
from deal_reference import run_deal, scaled  # noqa: E402  (the deal tests' scenario writer)

mp.dps = 40
TMP = tempfile.TemporaryDirectory(prefix="bookval-keep-")


def book(**over):
    sc = {
        "name": "Two clients kept",
        "currency": "EUR",
        "horizon_years": 6,
        "discount_rate": 0.12,
        "margin": 0.4,
        "retention": 0.9,
        "tail": "none",
        "clients": [{"id": "A", "annual_revenue": 15000}, {"id": "B", "annual_revenue": 10000}],
        "deal": {"price": {"multiple": 1.0}},
        "seller": {"discount_rate": 0.05, "income_tax_rate": 0.3,
                   "keep": {"owner_compensation": 2000, "years": 4, "discount_rate": 0.12}},
    }
    sc.update(over)
    return sc


def cash(t):
    return 10000 * mpf("0.9") ** t


class ValueOfKeeping(unittest.TestCase):
    def test_the_issues_case(self):
        # sum_{t=1..4} (10,000 x 0.9^t - 2,000) x 0.7 / 1.12^t
        want = sum((cash(t) - 2000) * mpf("0.7") / mpf("1.12") ** t for t in range(1, 5))
        keep = run_deal(book())["deal"]["seller"]["keep"]
        self.assertAlmostEqual(keep["value"], float(want), delta=1e-9 * float(want))
        # The bridge: cash - work - tax + exit = value, each part by hand.
        cash_pv = sum(cash(t) / mpf("1.12") ** t for t in range(1, 5))
        work_pv = sum(2000 / mpf("1.12") ** t for t in range(1, 5))
        self.assertAlmostEqual(keep["cash_pv"], float(cash_pv), delta=1e-7)
        self.assertAlmostEqual(keep["owner_compensation_pv"], float(work_pv), delta=1e-7)
        self.assertAlmostEqual(keep["income_tax_pv"], float(mpf("0.3") * (cash_pv - work_pv)),
                               delta=1e-7)
        self.assertEqual(keep["exit_pv"], 0)
        self.assertEqual(keep["years"], 4)
        self.assertEqual(keep["discount_rate"], 0.12)

    def test_free_work_no_tax_whole_horizon_is_the_dcf(self):
        # With no pay, no income tax, no transfer shock and every year kept, keeping is worth
        # the DCF value at 0.12: sum_{t=1..6} 10,000 x 0.9^t / 1.12^t.
        sc = book(transfer_retention=1)
        sc["seller"]["income_tax_rate"] = 0
        sc["seller"]["keep"] = {"discount_rate": 0.12}
        out = run_deal(sc)
        want = sum(cash(t) / mpf("1.12") ** t for t in range(1, 7))
        self.assertAlmostEqual(out["dcf"]["value"], float(want), delta=1e-8)
        self.assertAlmostEqual(out["deal"]["seller"]["keep"]["value"], out["dcf"]["value"],
                               delta=1e-9 * out["dcf"]["value"])

    def test_exit_sale_by_hand(self):
        # Kept 3 years, then sold at 0.85 x the year-3 revenue 25,000 x 0.9^3 = 18,225:
        # price 15,491.25; costs 350; gain 15,491.25 - 1,200 - 350 = 13,941.25; brackets
        # 19% to 6,000 and 21% above: tax 1,140 + 0.21 x 7,941.25 = 2,807.6625;
        # exit PV (15,491.25 - 350 - 2,807.6625) / 1.12^3.
        sc = book()
        sc["seller"].update({"tax_basis": 1200, "selling_costs": 350,
                             "tax": {"brackets": [[0, 0.19], [6000, 0.21]]}})
        sc["seller"]["keep"] = {"owner_compensation": 2000, "years": 3, "discount_rate": 0.12,
                                "exit": {"multiple": 0.85}}
        keep = run_deal(sc)["deal"]["seller"]["keep"]
        exit_pv = (mpf("15491.25") - 350 - mpf("2807.6625")) / mpf("1.12") ** 3
        self.assertAlmostEqual(keep["exit_pv"], float(exit_pv), delta=1e-8)
        want = sum((cash(t) - 2000) * mpf("0.7") / mpf("1.12") ** t for t in range(1, 4))
        self.assertAlmostEqual(keep["value"], float(want + exit_pv), delta=1e-8)

    def test_pay_grows_and_mid_year(self):
        # Pay 2,000 growing 3% a year, cash and pay at mid-year: DF (1.12)^-(t - 1/2).
        sc = book(timing="mid_year")
        sc["seller"]["keep"]["owner_compensation_growth"] = 0.03
        keep = run_deal(sc)["deal"]["seller"]["keep"]
        want = sum((cash(t) - 2000 * mpf("1.03") ** (t - 1)) * mpf("0.7")
                   / mpf("1.12") ** (t - mpf("0.5")) for t in range(1, 5))
        self.assertAlmostEqual(keep["value"], float(want), delta=1e-8)


class WalkAway(unittest.TestCase):
    def test_minimum_price_reproduces_the_value_of_keeping(self):
        sc = book()
        sc["buyer"] = {"discount_rate": 0.15, "tax_rate": 0.25, "amortization_years": 5}
        out = run_deal(sc)
        s, n = out["deal"]["seller"], out["deal"]["negotiation"]
        P0 = out["deal"]["base_price"]
        self.assertEqual(n["seller_min_base"], s["min_price"])
        again = run_deal(scaled(sc, s["min_price"] / P0))
        self.assertAlmostEqual(again["deal"]["seller"]["net_proceeds_pv"], s["keep_pv"],
                               delta=1e-9 * P0)
        # Expected-price terms: with no true-up or earn-out the final price is the base price.
        self.assertAlmostEqual(n["seller_min_expected"], n["seller_min_base"], delta=1e-9 * P0)
        self.assertIsNotNone(n["zone"])
        self.assertLessEqual(n["zone"]["low"], n["zone"]["high"])
        self.assertIsNone(n["opens_at"])

    def test_a_true_up_puts_the_two_terms_apart(self):
        # Price trued up to 1.0 x the revenue kept in year 1 (a transfer retention of 0.85
        # and retention 0.9: 25,000 x 0.765): the expected price at the minimum's scale k is
        # k x 0.765 x 25,000, below its base price k x 25,000.
        sc = book(transfer_retention=0.85)
        sc["deal"] = {"price": {"multiple": 1.0},
                      "adjustment": {"measure_year": 1, "multiple": 1.0},
                      "payments": [{"year": 0, "share": 0.5}, {"year": 1, "share": 0.5}]}
        n = run_deal(sc)["deal"]["negotiation"]
        self.assertAlmostEqual(n["seller_min_expected"] / n["seller_min_base"], 0.765,
                               delta=1e-12)

    def test_no_zone_says_where_it_opens(self):
        # A seller who values his practice highly (little pay for his work, a low keep rate)
        # against a demanding buyer: no zone. At the owner compensation the engine names,
        # the seller's minimum meets the buyer's maximum.
        sc = book()
        sc["seller"]["keep"] = {"owner_compensation": 500, "discount_rate": 0.06}
        sc["buyer"] = {"discount_rate": 0.24, "tax_rate": 0.25, "amortization_years": 5}
        n = run_deal(sc)["deal"]["negotiation"]
        self.assertIsNone(n["zone"])
        self.assertGreater(n["seller_min_expected"], n["buyer_max_expected"])
        opens = n["opens_at"]
        pay = opens["owner_compensation"]
        self.assertIsNotNone(pay)
        self.assertGreater(pay, 500)
        at = copy.deepcopy(sc)
        at["seller"]["keep"]["owner_compensation"] = pay
        m = run_deal(at)["deal"]["negotiation"]
        self.assertAlmostEqual(m["seller_min_expected"], m["buyer_max_expected"],
                               delta=1e-6 * m["buyer_max_expected"])
        rate = opens["keep_discount_rate"]
        self.assertIsNotNone(rate)
        at = copy.deepcopy(sc)
        at["seller"]["keep"]["discount_rate"] = rate
        m = run_deal(at)["deal"]["negotiation"]
        self.assertAlmostEqual(m["seller_min_expected"], m["buyer_max_expected"],
                               delta=1e-6 * m["buyer_max_expected"])
        # Years: kept that many years the zone opens (or is just open); one more, it is shut.
        k = opens["keep_years"]
        if k is not None:
            at = copy.deepcopy(sc)
            at["seller"]["keep"]["years"] = k
            m = run_deal(at)["deal"]["negotiation"]
            self.assertLessEqual(m["seller_min_expected"], m["buyer_max_expected"] * (1 + 1e-9))

    def test_without_keep_no_walk_away(self):
        sc = book()
        del sc["seller"]["keep"]
        s = run_deal(sc)["deal"]["seller"]
        self.assertIsNone(s["keep"])
        self.assertIsNone(s["keep_pv"])
        self.assertIsNone(s["min_price"])


class MonteCarlo(unittest.TestCase):
    def test_keep_per_iteration(self):
        # Without uncertainty or churn every iteration's value of keeping is the deterministic
        # one, and the sale beats keeping in all or none of them.
        sc = book(monte_carlo={"iterations": 200, "seed": 7, "client_churn": False})
        sc["buyer"] = {"discount_rate": 0.15}
        out = run_deal(sc)
        s = out["deal"]["seller"]
        beats = 1.0 if s["net_proceeds_pv"] > s["keep_pv"] else 0.0
        self.assertEqual(s["prob_sale_beats_keep"], beats)
        # With churn the probability is a share of the 200 iterations.
        sc["monte_carlo"]["client_churn"] = True
        p = run_deal(sc)["deal"]["seller"]["prob_sale_beats_keep"]
        self.assertTrue(0 <= p <= 1)
        self.assertAlmostEqual(p * 200, round(p * 200), delta=1e-9)


if __name__ == "__main__":
    e2e.main()
