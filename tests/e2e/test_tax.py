"""The seller's transfer tax end to end (README "Conventions", Transfer tax): rules checked
against hand-worked figures (the arithmetic in each test's comments) and against test_deal's
independent mpmath reference of the deal. Run by CTest as `python3 test_tax.py BOOKVAL ROOT`.
"""
import copy
import os
import sys
import unittest

from mpmath import mpf

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402
from test_deal import SPAIN, DealCase, base_scenario, reference, run_deal  # noqa: E402

FLAT_20 = [[0, 0.20]]


def worked_example(apply):
    """Issue 11's example: 2 clients, 25,000 of revenue (14,000 + 11,000), retention 0.9,
    transfer retention 0.5; price 1.2 x R = 30,000 paid 20/40/40 in years 0/1/2, trued up in
    year 1 to 1.2 x the revenue kept; basis and costs 0; one flat 20 % bracket."""
    return base_scenario(
        f"Negative year, {apply}",
        retention=0.9, transfer_retention=0.5,
        clients=[{"id": "A", "name": "A", "annual_revenue": 14000},
                 {"id": "B", "name": "B", "annual_revenue": 11000}],
        deal={"price": {"multiple": 1.2},
              "adjustment": {"measure_year": 1, "multiple": 1.2},
              "payments": [{"year": 0, "share": 0.2}, {"year": 1, "share": 0.4},
                           {"year": 2, "share": 0.4}]},
        seller={"discount_rate": 0.05,
                "tax": {"brackets": FLAT_20, "brackets_apply": apply}})


class NegativeYear(DealCase):
    def test_worked_example_both_modes_pay_rate_times_gain(self):
        # revenue_1 = 25,000 x 0.5 x 0.9 = 11,250; final price 1.2 x 11,250 = 13,500;
        # true-up_1 = 13,500 - 30,000 = -16,500.
        # principal: 6,000; 12,000 - 16,500 = -4,500; 12,000 (sum 13,500 = gain: basis 0).
        # recognised = gain x principal / P = principal.
        # per_year: year 1's -4,500 is carried into year 2: taxed 6,000, 0, 7,500
        #   -> tax 1,200, 0, 1,500 = 2,700 (was 1,200 + 0 + 2,400 = 3,600: the credit lost).
        # cumulative: to date 6,000, 1,500, 13,500 -> 1,200, 300 - 1,200 = -900, 2,700 - 300
        #   = 2,400; total 2,700.
        # 2,700 = 0.20 x 13,500 both ways.
        hand = {"per_year": [1200, 0, 1500], "cumulative": [1200, -900, 2400]}
        for apply, years in hand.items():
            with self.subTest(apply=apply):
                sc = worked_example(apply)
                ref = reference(sc)
                self.assertLess(abs(ref["P"] - 13500), mpf("1e-20"))
                for t, v in enumerate(years):
                    self.assertLess(abs(ref["tax"][t] - v), mpf("1e-20"), f"tax[{t}]")
                out = run_deal(sc)
                self.check(sc, out, ref)
                self.assertAlmostEqual(out["deal"]["seller"]["gain"], 13500, delta=1e-6)
                self.assertAlmostEqual(out["deal"]["seller"]["tax"], 2700, delta=1e-6)

    def test_loss_left_at_the_end_is_set_back(self):
        # One client R = 25,000, u = 0.8, r = 0.75; price 1.0 x R paid 60/40 in years 0/1; a
        # clawback of the whole price share of clients lost within 2 years:
        #   lost_1 = 1 - 0.6 = 0.4 -> clawback 10,000; lost_2 = 0.6 - 0.45 = 0.15 -> 3,750.
        # principal: 15,000; 10,000 - 10,000 = 0; -3,750. P = gain = 11,250.
        # per_year, Spain's scale: year 2's -3,750 has no later gain to meet; it is set back
        # against year 1 (taxable 0) and year 0:
        #   tax_0 = B(15,000) = 6,000 x 0.19 + 9,000 x 0.21 = 3,030
        #   given back in year 2 = B(15,000) - B(11,250) = 3,750 x 0.21 = 787.5
        #   total 2,242.5 = B(11,250) = 1,140 + 5,250 x 0.21.
        # Flat 20 %: 3,000, 0, -750 = 2,250 = 0.2 x 11,250 both ways.
        cases = {("per_year", "spain"): ([3030, 0, -787.5], 2242.5),
                 ("cumulative", "spain"): ([3030, 0, -787.5], 2242.5),
                 ("per_year", "flat"): ([3000, 0, -750], 2250),
                 ("cumulative", "flat"): ([3000, 0, -750], 2250)}
        for (apply, table), (years, total) in cases.items():
            with self.subTest(apply=apply, brackets=table):
                sc = base_scenario(
                    "Clawback beyond the last payment", retention=0.75, transfer_retention=0.8,
                    clients=[{"id": "A", "name": "A", "annual_revenue": 25000}],
                    deal={"price": {"multiple": 1.0},
                          "payments": [{"year": 0, "share": 0.6}, {"year": 1, "share": 0.4}],
                          "clawback": [{"within_years": 2, "refund": 1.0}]},
                    seller={"discount_rate": 0.05,
                            "tax": {"brackets": SPAIN if table == "spain" else FLAT_20,
                                    "brackets_apply": apply}})
                ref = reference(sc)
                self.assertLess(abs(ref["P"] - 11250), mpf("1e-20"))
                for t, v in enumerate(years):
                    self.assertLess(abs(ref["tax"][t] - mpf(v)), mpf("1e-20"), f"tax[{t}]")
                self.assertLess(abs(ref["tax_total"] - mpf(total)), mpf("1e-20"))
                self.check(sc, run_deal(sc), ref)

    def test_flat_brackets_agree_whatever_the_schedule(self):
        # One flat rate 23.75 %: total tax = 0.2375 x gain in both modes, for schedules with a
        # true-up above and below the price, an earn-out, and clawbacks that turn years negative.
        schedules = [
            {"price": {"multiple": 1.4375},
             "adjustment": {"measure_year": 2, "multiple": 0.815},
             "payments": [{"year": 0, "share": 0.25}, {"year": 1, "share": 0.25},
                          {"year": 3, "share": 0.5}]},
            {"price": {"multiple": 0.9125},
             "adjustment": {"measure_year": 1, "multiple": 1.3125},
             "payments": [{"year": 0, "share": 0.5}, {"year": 2, "share": 0.5}],
             "earn_out": [{"year": 3, "share_of_collections": 0.1175}]},
            {"price": {"multiple": 1.1185},
             "payments": [{"year": 0, "share": 0.35}, {"year": 1, "share": 0.65}],
             "clawback": [{"within_years": 1, "refund": 0.4}, {"within_years": 4, "refund": 1.0}]},
        ]
        for i, deal in enumerate(schedules):
            gains = {}
            for apply in ("per_year", "cumulative"):
                with self.subTest(schedule=i, apply=apply):
                    sc = base_scenario(
                        f"Flat {i}", retention=0.7915, transfer_retention=0.8615,
                        deal=copy.deepcopy(deal),
                        seller={"tax_basis": 1385.25, "selling_costs": 412.5,
                                "discount_rate": 0.0535,
                                "tax": {"brackets": [[0, 0.2375]], "brackets_apply": apply}})
                    out = run_deal(sc)
                    self.check(sc, out)
                    s = out["deal"]["seller"]
                    self.assertGreater(s["gain"], 0)
                    self.assertAlmostEqual(s["tax"], 0.2375 * s["gain"], delta=1e-7)
                    gains[apply] = s["tax"]
            self.assertAlmostEqual(gains["per_year"], gains["cumulative"], delta=1e-7)


class InterestAndPayment(DealCase):
    def interest_deal(self, lag, **tax):
        # One client R = 40,000; price 50,000 paid 40/60 in years 0/2 with 5 % on the unpaid
        # base price; basis and costs 0; one flat 20 % bracket; the buyer at 25 %.
        return base_scenario(
            f"Interest, lag {lag}",
            clients=[{"id": "A", "name": "A", "annual_revenue": 40000}],
            deal={"price": 50000, "interest_rate": 0.05,
                  "payments": [{"year": 0, "share": 0.4}, {"year": 2, "share": 0.6}]},
            seller={"discount_rate": 0.05,
                    "tax": dict({"brackets": FLAT_20, "payment_lag_years": lag}, **tax)},
            buyer={"discount_rate": 0.12, "tax_rate": 0.25, "amortization_years": 5})

    def test_interest_taxed_for_the_seller_deductible_for_the_buyer(self):
        # interest_1 = interest_2 = 0.05 x 30,000 = 1,500 (3,000 in all).
        # Seller at interest_rate 45 %: 675 a year, 1,350 in all; gain 50,000 taxed 20 %:
        #   recognised 20,000 (year 0) and 30,000 (year 2): tax 4,000 and 6,000.
        #   net: 20,000 - 4,000 = 16,000; 1,500 - 675 = 825; 30,000 + 1,500 - 6,000 - 675
        #        = 24,825; total 41,650 = 50,000 + 3,000 - 10,000 - 1,350.
        # Buyer: the interest saves 0.25 x 1,500 = 375 in years 1 and 2.
        sc = self.interest_deal(0, interest_rate=0.45)
        ref = reference(sc)
        for key, want in (("interest_tax", [0, 675, 675]), ("tax", [4000, 0, 6000]),
                          ("seller_net", [16000, 825, 24825])):
            for t, v in enumerate(want):
                self.assertLess(abs(ref[key][t] - v), mpf("1e-20"), f"{key}[{t}]")
        self.assertLess(abs(ref["net_proceeds"] - 41650), mpf("1e-20"))
        out = run_deal(sc)
        self.check(sc, out, ref)
        self.assertAlmostEqual(out["deal"]["seller"]["interest_tax"], 1350, delta=1e-7)
        self.assertAlmostEqual(out["deal"]["seller"]["net_proceeds"], 41650, delta=1e-7)
        # (The buyer's 375 a year is in the reference's flows, checked by self.check.)
        flat = copy.deepcopy(sc)
        flat["seller"]["tax"].pop("interest_rate")
        # Without seller.tax.interest_rate: the top (here the only) bracket's 20 %: 300 a year.
        self.assertAlmostEqual(run_deal(flat)["deal"]["seller"]["interest_tax"], 600,
                               delta=1e-7)

    def test_payment_lag_of_one_year(self):
        # The same deal, tax paid a year after its year (Spain's return of year Y filed in
        # June of Y+1): paid 0; 4,000; 675; 6,675 (years 0..3).
        #   net: 20,000; 1,500 - 4,000 = -2,500; 31,500 - 675 = 30,825; -6,675.
        #   PV at 5 %: 20,000 - 2,500 / 1.05 + 30,825 / 1.05^2 - 6,675 / 1.05^3
        #   (lag 0: 16,000 + 825 / 1.05 + 24,825 / 1.05^2).
        sc = self.interest_deal(1, interest_rate=0.45)
        ref = reference(sc)
        for t, v in enumerate([20000, -2500, 30825, -6675]):
            self.assertLess(abs(ref["seller_net"][t] - v), mpf("1e-20"), f"seller_net[{t}]")
        d = mpf("1.05")
        pv = 20000 - 2500 / d + 30825 / d ** 2 - 6675 / d ** 3
        self.assertLess(abs(ref["net_proceeds_pv"] - pv), mpf("1e-20"))
        out = run_deal(sc)
        self.check(sc, out, ref)
        self.assertAlmostEqual(out["deal"]["seller"]["net_proceeds_pv"], float(pv), delta=1e-6)
        now = run_deal(self.interest_deal(0, interest_rate=0.45))["deal"]["seller"]
        lag0 = 16000 + 825 / d + 24825 / d ** 2
        self.assertAlmostEqual(now["net_proceeds_pv"], float(lag0), delta=1e-6)
        self.assertGreater(out["deal"]["seller"]["net_proceeds_pv"], now["net_proceeds_pv"])


if __name__ == "__main__":
    e2e.main()
