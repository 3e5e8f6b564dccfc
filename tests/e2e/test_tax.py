"""The seller's transfer tax end to end (README "Conventions", Transfer tax): rules checked
against hand-worked figures (the arithmetic in each test's comments) and against
deal_reference's independent mpmath reference of the deal. Run by CTest as
`python3 test_tax.py BOOKVAL ROOT`.
"""
import copy
import os
import shutil
import subprocess
import sys
import unittest

from mpmath import mpf

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402
from deal_reference import (SPAIN, DealCase, base_scenario, mc_scenario,  # noqa: E402
                            reference, run_deal, write_scenario)

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


class NegativeYearDirection(DealCase):
    """seller.tax.negative_year: carry_forward or carry_back, in each mode, on issue 11's worked
    example (recognised gain 6,000; -4,500; 12,000 in years 0..2, gain 13,500)."""

    def run_case(self, apply, direction, brackets):
        sc = worked_example(apply)
        sc["seller"]["tax"].update({"brackets": brackets, "negative_year": direction})
        return run_deal(sc)["deal"]["seller"]

    def test_each_direction_by_hand(self):
        # Spain's scale B: B(6,000) = 1,140; B(1,500) = 285; B(7,500) = 1,140 + 1,500 x 0.21
        # = 1,455; B(12,000) = 1,140 + 6,000 x 0.21 = 2,400; B(13,500) = 1,140 + 7,500 x 0.21
        # = 2,715.
        # per_year, carry_forward: year 1's -4,500 into year 2: taxed 6,000, 0, 7,500
        #   -> 1,140, 0, 1,455 = 2,595.
        # per_year, carry_back: year 1 takes 4,500 back from year 0, whose gain still taxed is
        #   1,500: given back 1,140 - 285 = 855 in year 1; year 2 taxed 12,000 on its own
        #   -> 1,140, -855, 2,400 = 2,685.
        # cumulative, carry_back: B(to date) - paid: 1,140; 285 - 1,140 = -855; 2,715 - 285
        #   = 2,430 -> 2,715.
        # cumulative, carry_forward: no refund before the last gain: 1,140; 0; 2,715 - 1,140
        #   = 1,575 -> 2,715.
        # whole_gain: the average rate a = 2,715 / 13,500 on each part: carry_back 6,000a,
        #   -4,500a, 12,000a; carry_forward 6,000a, 0, 7,500a; both 2,715.
        # Net proceeds PV at 5 %: sum (principal_t - tax_t) / 1.05^t, principal 6,000;
        #   -4,500; 12,000 (the true-up at the seller's rate: no keep).
        a = 2715 / 13500
        hand = {("per_year", "carry_forward"): [1140, 0, 1455],
                ("per_year", "carry_back"): [1140, -855, 2400],
                ("cumulative", "carry_back"): [1140, -855, 2430],
                ("cumulative", "carry_forward"): [1140, 0, 1575],
                ("whole_gain", "carry_back"): [6000 * a, -4500 * a, 12000 * a],
                ("whole_gain", "carry_forward"): [6000 * a, 0, 7500 * a]}
        principal = [6000, -4500, 12000]
        for (apply, direction), tax in hand.items():
            with self.subTest(apply=apply, negative_year=direction):
                s = self.run_case(apply, direction, SPAIN)
                self.assertAlmostEqual(s["tax"], sum(tax), delta=1e-7)
                pv = sum((p - x) / 1.05 ** t for t, (p, x) in enumerate(zip(principal, tax)))
                self.assertAlmostEqual(s["net_proceeds_pv"], pv, delta=1e-7)

    def test_flat_rate_gives_rate_times_gain_whatever_the_direction(self):
        # One flat 20 %: 0.2 x 13,500 = 2,700 in every mode and direction.
        for apply in ("per_year", "cumulative", "whole_gain"):
            for direction in ("carry_forward", "carry_back"):
                with self.subTest(apply=apply, negative_year=direction):
                    self.assertAlmostEqual(self.run_case(apply, direction, FLAT_20)["tax"], 2700,
                                           delta=1e-7)

    def test_two_negative_years_carried_back_latest_first(self):
        # One client R = 25,000, u = 0.8, r = 0.75; price 1.2 x R = 30,000 paid 40/30/30 in
        # years 0..2; a clawback of the whole price share of the revenue lost within 4 years:
        #   kept 0.6, 0.45, 0.3375, 0.253125 after years 1..4 (u r^t); lost_1 = 1 - 0.6 = 0.4
        #   -> 12,000; lost_2 = 0.15 -> 4,500; lost_3 = 0.1125 -> 3,375; lost_4 = 0.084375
        #   -> 2,531.25.
        # principal: 12,000; 9,000 - 12,000 = -3,000; 9,000 - 4,500 = 4,500; -3,375; -2,531.25.
        # P = gain = 7,593.75. per_year, carry_back, Spain's scale:
        #   year 0: B(12,000) = 1,140 + 6,000 x 0.21 = 2,400.
        #   year 1 takes 3,000 back from year 0 (-> 9,000, B = 1,770): 1,770 - 2,400 = -630.
        #   year 2: B(4,500) = 855.
        #   year 3 takes 3,375 from year 2, the latest (4,500 -> 1,125, B = 213.75): -641.25.
        #   year 4 takes 1,125 from year 2 (-> 0) and 1,406.25 from year 0 (9,000 -> 7,593.75,
        #     B = 1,140 + 1,593.75 x 0.21 = 1,474.6875): 1,474.6875 - 1,983.75 = -509.0625.
        #   total 1,474.6875 = B(7,593.75): all that stands is year 0's 7,593.75.
        sc = base_scenario(
            "Two clawback years", retention=0.75, transfer_retention=0.8,
            clients=[{"id": "A", "name": "A", "annual_revenue": 25000}],
            deal={"price": {"multiple": 1.2},
                  "payments": [{"year": 0, "share": 0.4}, {"year": 1, "share": 0.3},
                               {"year": 2, "share": 0.3}],
                  "clawback": [{"within_years": 4, "refund": 1.0}]},
            seller={"discount_rate": 0.05,
                    "tax": {"brackets": SPAIN, "negative_year": "carry_back"}})
        s = run_deal(sc)["deal"]["seller"]
        self.assertAlmostEqual(s["gain"], 7593.75, delta=1e-7)
        self.assertAlmostEqual(s["tax"], 1474.6875, delta=1e-7)
        principal = [12000, -3000, 4500, -3375, -2531.25]
        tax = [2400, -630, 855, -641.25, -509.0625]
        pv = sum((p - x) / 1.05 ** t for t, (p, x) in enumerate(zip(principal, tax)))
        self.assertAlmostEqual(s["net_proceeds_pv"], pv, delta=1e-7)


    @unittest.skipUnless(shutil.which("soffice"), "LibreOffice is not installed")
    def test_transfer_sheet_recalculates_to_the_engine(self):
        # The Transfer sheet's tax columns (and per_year carry_back's standing columns) are
        # formulas: LibreOffice's recalculation must give the engine's numbers, in every mode
        # and direction, and for a loss under Spain's share limit.
        recalc = os.path.join(e2e.ROOT, "tests", "workbook", "recalc_check.py")
        cases = []
        for apply in ("per_year", "cumulative", "whole_gain"):
            for direction in ("carry_forward", "carry_back"):
                sc = worked_example(apply)
                sc["seller"]["tax"].update({"brackets": SPAIN, "negative_year": direction})
                cases.append(sc)
        loss = base_scenario("Loss, share limit", deal={"price": 50000},
                             seller={"discount_rate": 0.05, "tax_basis": 90000,
                                     "other_taxable_income": 10000, "other_gains": 5000,
                                     "tax": {"brackets": SPAIN, "loss": "carry_forward",
                                             "loss_limit_share": 0.25, "loss_years": 4}})
        cases.append(loss)
        for i, sc in enumerate(cases):
            with self.subTest(case=sc["name"], negative_year=sc["seller"]["tax"].get(
                    "negative_year")):
                path = write_scenario(sc, f"recalc-{i}")
                out = path[:-5] + ".xlsx"
                p = e2e.run("run", path, "-o", out, "--quiet")
                self.assertEqual(p.returncode, 0, p.stderr)
                check = subprocess.run([sys.executable, recalc, out, "--rel", "1e-9",
                                        "--min-formulas", "20"], capture_output=True, text=True)
                self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


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


def preset_sale(preset, gain, other=None, **seller):
    """A sale of a book for `gain` (basis and costs 0), paid at closing, taxed by a preset."""
    sc = base_scenario(f"{preset} {gain}", deal={"price": gain},
                       seller=dict({"discount_rate": 0.05}, **seller))
    sc["extends"] = [f"tax/{preset}"]
    if other is not None:
        sc["seller"]["other_taxable_income"] = other
    return sc


class Presets(DealCase):
    """Each preset's figures against a hand computation from its cited law, for one gain below
    and one above its top threshold (all paid at closing: the whole gain in year 0)."""

    @classmethod
    def setUpClass(cls):
        os.environ["BOOKVAL_MODELS"] = os.path.join(e2e.ROOT, "models")

    def tax_of(self, sc):
        out = run_deal(sc)
        self.assertEqual(out["scenario"]["tax_regime"]["year"] > 2000, True)
        return out["deal"]["seller"]["tax"]

    def test_spain(self):
        # LIRPF arts. 66.1 + 76: 19 % to 6,000; 21 % to 50,000; 23 % to 200,000; 27 % to
        # 300,000; 30 % above.
        # 250,000: 1,140 + 9,240 + 34,500 + 50,000 x 0.27 (13,500) = 58,380
        # 400,000: 1,140 + 9,240 + 34,500 + 27,000 + 100,000 x 0.30 (30,000) = 101,880
        # art. 38.3: 240,000 of the 400,000 price in an annuity exempts 60 %: taxed 160,000
        #   -> 1,140 + 9,240 + 110,000 x 0.23 (25,300) = 35,680; more than the cap exempts no
        #   more.
        self.assertAlmostEqual(self.tax_of(preset_sale("spain-individual", 250000)), 58380,
                               delta=1e-6)
        self.assertAlmostEqual(self.tax_of(preset_sale("spain-individual", 400000)), 101880,
                               delta=1e-6)
        for annuity in (240000, 300000):
            self.assertAlmostEqual(self.tax_of(preset_sale(
                "spain-individual", 400000, reinvest_annuity=annuity)), 35680, delta=1e-6)

    def test_brazil(self):
        # Lei 13.259/2016: 15 % to 5 M; 17.5 % to 10 M; 20 % to 30 M; 22.5 % above.
        # 4,000,000 -> 600,000.
        # 40,000,000 -> 750,000 + 875,000 + 4,000,000 + 10,000,000 x 0.225 (2,250,000)
        #   = 7,875,000.
        # RIR/2018 art. 151: the same 40 M paid 50/50 in years 0 and 1 is one sale: each half
        # bears the whole gain's average rate, 7,875,000 / 2 a year (per_year would pay
        # 2 x tax(20 M) = 2 x 3,625,000).
        self.assertAlmostEqual(self.tax_of(preset_sale("brazil-individual", 4000000)), 600000,
                               delta=1e-5)
        self.assertAlmostEqual(self.tax_of(preset_sale("brazil-individual", 40000000)),
                               7875000, delta=1e-5)
        sc = preset_sale("brazil-individual", 40000000)
        sc["deal"]["payments"] = [{"year": 0, "share": 0.5}, {"year": 1, "share": 0.5}]
        # (the preset's table spelt out for the reference, which does not read presets)
        sc["seller"]["tax"] = {"brackets": [[0, 0.15], [5000000, 0.175], [10000000, 0.20],
                                            [30000000, 0.225]], "brackets_apply": "whole_gain"}
        ref = reference(sc)  # the reference's whole_gain rule, pinned here by hand
        self.assertLess(abs(ref["tax"][0] - 3937500), mpf("1e-15"))
        self.assertLess(abs(ref["tax"][1] - 3937500), mpf("1e-15"))
        out = run_deal(sc)
        self.check(sc, out, ref)
        self.assertAlmostEqual(out["deal"]["seller"]["tax"], 7875000, delta=1e-5)

    def test_us_federal(self):
        # § 1(h), thresholds where 15 % and 20 % start (Rev. Procs. 2024-40, 2025-32):
        #   2025 single 48,350 / 533,400      2025 joint 96,700 / 600,050
        #   2026 single 49,450 / 545,500      2026 joint 98,900 / 613,700
        # below the top threshold (other income 0):
        #   2025 single 400,000: 0.15 x 351,650 = 52,747.5
        #   2025 joint 500,000: 0.15 x 403,300 = 60,495
        #   2026 single 300,000: 0.15 x 250,550 = 37,582.5
        #   2026 joint 500,000: 0.15 x 401,100 = 60,165
        # above, 1,000,000:
        #   2025 single: 0.15 x 485,050 (72,757.5) + 0.20 x 466,600 (93,320) = 166,077.5
        #   2025 joint: 0.15 x 503,350 (75,502.5) + 0.20 x 399,950 (79,990) = 155,492.5
        #   2026 single: 0.15 x 496,050 (74,407.5) + 0.20 x 454,500 (90,900) = 165,307.5
        #   2026 joint: 0.15 x 514,800 (77,220) + 0.20 x 386,300 (77,260) = 154,480
        cases = [("us-federal", 400000, 52747.5), ("us-federal-married-joint", 500000, 60495),
                 ("us-federal-2026", 300000, 37582.5),
                 ("us-federal-2026-married-joint", 500000, 60165),
                 ("us-federal", 1000000, 166077.5),
                 ("us-federal-married-joint", 1000000, 155492.5),
                 ("us-federal-2026", 1000000, 165307.5),
                 ("us-federal-2026-married-joint", 1000000, 154480)]
        for preset, gain, want in cases:
            with self.subTest(preset=preset, gain=gain):
                self.assertAlmostEqual(self.tax_of(preset_sale(preset, gain)), want, delta=1e-6)

    def test_us_stacking_and_niit(self):
        # 2025 single, other taxable income 100,000, gain 1,000,000:
        #   15 % from 100,000 to 533,400: 433,400 x 0.15 = 65,010
        #   20 % from 533,400 to 1,100,000: 566,600 x 0.20 = 113,320; together 178,330
        # A seller who materially participated pays no NIIT (§ 1411(c)(1)(A)(iii)); a passive
        # one 3.8 % of 1,100,000 - 200,000 = 34,200 more: 212,530.
        self.assertAlmostEqual(self.tax_of(preset_sale("us-federal", 1000000, 100000)), 178330,
                               delta=1e-6)
        self.assertAlmostEqual(self.tax_of(preset_sale(
            "us-federal", 1000000, 100000, material_participation=False)), 212530, delta=1e-6)
        # Other income 250,000, gain 100,000, passive: 15 % of 100,000 = 15,000; NIIT on
        # 350,000 - 200,000 less the 50,000 the other income had already put above it:
        # 0.038 x 100,000 = 3,800; 18,800.
        self.assertAlmostEqual(self.tax_of(preset_sale(
            "us-federal", 100000, 250000, material_participation=False)), 18800, delta=1e-6)


class UnitedStatesOrdinary(DealCase):
    """The US preset's ordinary-income rules (ordinary_rate 37 %, § 1(j)): recapture of the
    amortisation taken on a purchased book (§ 1245, § 453(i)), its ordinary loss (§ 1231(a)(2)),
    renewal rights (Hodges v. Commissioner, 50 T.C. 428); and the filing status as a key."""

    setUpClass = Presets.setUpClass

    def sale(self, price, payments=None, **seller):
        sc = preset_sale("us-federal", price, **seller)
        if payments:
            sc["deal"]["payments"] = payments
        return run_deal(sc)["deal"]["seller"]

    def test_recapture_in_the_year_of_sale(self):
        # Purchased book, adjusted basis 100,000 after 60,000 of § 197 amortisation; price
        # 500,000: gain 400,000, of which 60,000 recaptured at 37 % = 22,200; the other 340,000
        # on the 2025 single brackets: 0.15 x (340,000 - 48,350) = 43,747.5. Total 65,947.5.
        s = self.sale(500000, tax_basis=100000, book_origin="purchased",
                      amortization_taken=60000)
        self.assertAlmostEqual(s["tax"], 65947.5, delta=1e-6)
        self.assertAlmostEqual(s["recaptured_gain"], 60000, delta=1e-9)
        # Paid 50/50 in years 0 and 1 (installment method): the recapture still all in year 0
        # (§ 453(i)); 170,000 of installment gain a year: 0.15 x (170,000 - 48,350)
        # = 18,247.5 each. Year 0: 22,200 + 18,247.5 = 40,447.5; year 1: 18,247.5.
        #   net proceeds PV at 5 % = 250,000 - 40,447.5 + (250,000 - 18,247.5) / 1.05.
        s = self.sale(500000, [{"year": 0, "share": 0.5}, {"year": 1, "share": 0.5}],
                      tax_basis=100000, book_origin="purchased", amortization_taken=60000)
        self.assertAlmostEqual(s["tax"], 58695, delta=1e-6)
        self.assertAlmostEqual(s["net_proceeds_pv"], 250000 - 40447.5 + 231752.5 / 1.05,
                               delta=1e-6)
        # More amortisation than gain: only the gain is recaptured (§ 1245(a)(1)): price
        # 130,000 on basis 100,000 -> 30,000 at 37 % = 11,100.
        s = self.sale(130000, tax_basis=100000, book_origin="purchased",
                      amortization_taken=60000)
        self.assertAlmostEqual(s["tax"], 11100, delta=1e-6)
        self.assertAlmostEqual(s["recaptured_gain"], 30000, delta=1e-9)

    def test_loss_on_a_purchased_book_is_ordinary(self):
        # Price 150,000, basis 200,000: a loss of 50,000.
        # Purchased (§ 1231(a)(2)): ordinary, all in year 0 at 37 %: 18,500 back, other capital
        # gains untouched.
        s = self.sale(150000, tax_basis=200000, book_origin="purchased", other_gains=20000)
        self.assertAlmostEqual(s["tax"], -18500, delta=1e-6)
        # Built by the seller: a capital loss; the other gains 20,000 are in the 0 % band
        # (B(20,000) = 0: nothing saved), then 3,000 a year at 37 % = 1,110 for the 10 years
        # the remaining 30,000 lasts: 11,100 in all.
        s = self.sale(150000, tax_basis=200000, other_gains=20000)
        self.assertAlmostEqual(s["tax"], -11100, delta=1e-6)

    def test_renewal_rights_are_ordinary_income(self):
        # Gain 400,000: as capital 0.15 x (400,000 - 48,350) = 52,747.5; as renewal rights
        # (renewal_rights_ordinary) ordinary at 37 %: 148,000.
        self.assertAlmostEqual(self.sale(400000)["tax"], 52747.5, delta=1e-6)
        sc = preset_sale("us-federal", 400000)
        sc["seller"]["tax"] = {"renewal_rights_ordinary": True}
        self.assertAlmostEqual(run_deal(sc)["deal"]["seller"]["tax"], 148000, delta=1e-6)

    def test_filing_status_key(self):
        # The same figures as the old per-status presets (test_us_federal):
        #   2025 joint 500,000: 0.15 x (500,000 - 96,700) = 60,495;
        #   2026 joint 1,000,000: 0.15 x 514,800 + 0.20 x 386,300 = 154,480.
        # Passive joint filer, other income 250,000, gain 100,000: 15 % = 15,000 plus the NIIT
        # above 250,000 (joint, § 1411(b)): 0.038 x 100,000 = 3,800 -> 18,800; filing single
        # the NIIT starts at 200,000, on the same 100,000 (other income already above it).
        self.assertAlmostEqual(self.sale(500000, filing_status="married_joint")["tax"], 60495,
                               delta=1e-6)
        sc = preset_sale("us-federal-2026", 1000000, filing_status="married_joint")
        self.assertAlmostEqual(run_deal(sc)["deal"]["seller"]["tax"], 154480, delta=1e-6)
        self.assertAlmostEqual(self.sale(100000, other_taxable_income=250000,
                                         material_participation=False,
                                         filing_status="married_joint")["tax"], 18800,
                               delta=1e-6)
        # Other income 220,000, gain 100,000, passive: joint, NIIT on 320,000 - 250,000 =
        # 70,000 -> 2,660; single, on 320,000 - 220,000 = 100,000 -> 3,800 (the 15 % band either
        # way: 15,000).
        self.assertAlmostEqual(self.sale(100000, other_taxable_income=220000,
                                         material_participation=False,
                                         filing_status="married_joint")["tax"], 17660,
                               delta=1e-6)
        self.assertAlmostEqual(self.sale(100000, other_taxable_income=220000,
                                         material_participation=False)["tax"], 18800,
                               delta=1e-6)


class BrazilAllocation(DealCase):
    """tax/brazil-individual's classes and tax/brazil-company-buyer's write-off (lucro real)."""

    setUpClass = Presets.setUpClass

    def test_classes_by_hand(self):
        # Price 1,000,000 at closing, basis 0; allocation: client list 40 % (400,000),
        # non-compete 100,000, consulting 50,000; goodwill the residual 450,000.
        # Seller: non-compete ordinary at 27.5 % = 27,500; consulting at 27.5 % + 11 % INSS
        #   = 19,250; the capital classes' 850,000 at 15 % (below R$ 5 million) = 127,500, split
        #   pro rata: goodwill 450/850 -> 67,500, client list 400/850 -> 60,000. Total 174,250.
        # Buyer at 34 %, rate 10 %: client list over 5 years, 0.34 x 80,000 = 27,200 in years
        #   1-5; non-compete over 3, 0.34 x 100,000 / 3 in years 1-3; consulting as paid,
        #   0.34 x 50,000 = 17,000 in year 0; goodwill never (Lei 12.973/2014): 0.
        sc = base_scenario(
            "Brazil allocation", currency="BRL",
            deal={"price": 1000000,
                  "allocation": [{"class": "client_list", "share": 0.4},
                                 {"class": "non_compete", "amount": 100000},
                                 {"class": "consulting", "amount": 50000}]},
            seller={"discount_rate": 0.05},
            buyer={"discount_rate": 0.1})
        sc["extends"] = ["tax/brazil-individual", "tax/brazil-company-buyer"]
        out = run_deal(sc)["deal"]
        self.assertAlmostEqual(out["seller"]["tax"], 174250, delta=1e-6)
        got = {c["class"]: c for c in out["allocation"]["classes"]}
        annuity = lambda n: sum(1.1 ** -t for t in range(1, n + 1))  # noqa: E731
        want = {"goodwill": (450000, 67500, 0),
                "client_list": (400000, 60000, 27200 * annuity(5)),
                "non_compete": (100000, 27500, 0.34 * 100000 / 3 * annuity(3)),
                "consulting": (50000, 19250, 17000),
                "equipment": (0, 0, 0)}
        for cls, (price, tax, shield) in want.items():
            with self.subTest(cls=cls):
                self.assertAlmostEqual(got[cls]["price"], price, delta=1e-6)
                self.assertAlmostEqual(got[cls]["seller_tax"], tax, delta=1e-6)
                self.assertAlmostEqual(got[cls]["buyer_shield_pv"], shield, delta=1e-6)


class MonteCarloTax(DealCase):
    def test_without_uncertainty_the_distributions_are_the_deterministic_values(self):
        # Every iteration prices the expected book: tax and net proceeds PV as the DCF deal's.
        sc = mc_scenario(False, 300, 4417)
        out = run_deal(sc)
        ref = self.check(sc, out)
        s = out["deal"]["seller"]
        for key, want in (("tax_distribution", ref["tax_total"]),
                          ("net_proceeds_pv_distribution", ref["net_proceeds_pv"])):
            for stat in ("mean", "p5", "p95"):
                self.assertAlmostEqual(s[key][stat], float(want), delta=1e-9 * float(want),
                                       msg=f"{key}.{stat}")

    def test_with_churn_the_tax_follows_each_books_gain(self):
        # One flat 23.75 %: each iteration's tax is 0.2375 x max(its gain, 0) (a sale at a loss
        # pays none), a non-decreasing map, so each percentile of the tax is 0.2375 x the
        # gain's where the gain is positive, and the mean tax is at least 0.2375 x the mean
        # gain (the clawbacks leave a few books with a loss).
        # Spain's scale is convex in the gain: the mean tax is at least the tax of the mean
        # gain (Jensen), and strictly above it when the gains straddle a bracket's start.
        sc = mc_scenario(True, 4000, 90211)
        sc["deal"]["payments"] = [{"year": 0, "share": 1.0}]
        sc["seller"]["tax"] = {"brackets": [[0, 0.2375]]}
        s = run_deal(sc)["deal"]["seller"]
        g, t = s["gain_distribution"], s["tax_distribution"]
        self.assertGreater(g["p5"], 0)
        for stat in ("p5", "p50", "p95"):
            self.assertAlmostEqual(t[stat], 0.2375 * g[stat], delta=1e-7 * g["mean"], msg=stat)
        self.assertGreaterEqual(t["mean"], 0.2375 * g["mean"] - 1e-7 * g["mean"])
        sc["seller"]["tax"] = {"brackets": [[0, 0.10], [100000, 0.40]]}
        sc["seller"]["tax_basis"] = 4150.0
        s = run_deal(sc)["deal"]["seller"]
        g, t = s["gain_distribution"], s["tax_distribution"]
        self.assertLess(g["p5"], 100000)
        self.assertGreater(g["p95"], 100000)
        tax_of_mean = 0.10 * min(g["mean"], 100000) + 0.40 * max(g["mean"] - 100000, 0)
        self.assertGreater(t["mean"], tax_of_mean + 1)
        self.assertGreater(s["net_proceeds_pv_distribution"]["sd"], 0)


class Losses(DealCase):
    """A loss on the sale under each preset's rule (seller.tax.loss), hand-computed."""

    setUpClass = Presets.setUpClass

    def sale(self, preset, price, basis, **seller):
        sc = preset_sale(preset, price, **seller)
        sc["seller"]["tax_basis"] = basis
        return run_deal(sc)["deal"]["seller"]

    def test_spain_offset_then_carried(self):
        # Price 50,000, basis 90,000: a loss of 40,000.
        # offset_other_gains (the preset), other gains 20,000: they go untaxed, saving
        #   B(20,000) = 6,000 x 0.19 + 14,000 x 0.21 = 1,140 + 2,940 = 4,080.
        s = self.sale("spain-individual", 50000, 90000, other_gains=20000)
        self.assertAlmostEqual(s["tax"], -4080, delta=1e-6)
        # carry_forward, 2,500 a year (25 % of 10,000 of savings income) at 19 %, 4 years:
        #   year 0: 4,080 + 0.19 x 2,500 = 4,555; years 1-4: 475 each; 7,500 of the loss is
        #   never used. Total 6,455; net proceeds 50,000 + 6,455 (paid a year later).
        sc = preset_sale("spain-individual", 50000, other_gains=20000)
        sc["seller"]["tax_basis"] = 90000
        sc["seller"]["tax"] = {"loss": "carry_forward", "loss_annual_limit": 2500,
                               "loss_rate": 0.19}
        out = run_deal(sc)["deal"]["seller"]
        self.assertAlmostEqual(out["tax"], -6455, delta=1e-6)
        self.assertAlmostEqual(out["net_proceeds"], 56455, delta=1e-6)
        # Without the rule (loss: none) the loss is worth nothing.
        sc["seller"]["tax"] = {"loss": "none"}
        self.assertEqual(run_deal(sc)["deal"]["seller"]["tax"], 0)

    def test_us_capital_loss_3000_a_year(self):
        # Price 50,000, basis 60,000, no other gains: 3,000 a year against ordinary income at
        # 37 %: 1,110 in years 0, 1, 2 and 370 in year 3 (1,000 left): 3,700.
        #   net proceeds PV at 5 % = 50,000 + 1,110 + 1,110 / 1.05 + 1,110 / 1.05^2
        #   + 370 / 1.05^3.
        s = self.sale("us-federal", 50000, 60000)
        self.assertAlmostEqual(s["tax"], -3700, delta=1e-6)
        pv = 50000 + 1110 + 1110 / 1.05 + 1110 / 1.05 ** 2 + 370 / 1.05 ** 3
        self.assertAlmostEqual(s["net_proceeds_pv"], pv, delta=1e-6)

    def test_spain_quarter_of_savings_income(self):
        # The preset's art. 49.1 limit as a share, loss_limit_share 0.25 of the seller's other
        # savings income (other_taxable_income 10,000): 2,500 a year at 19 % (loss_rate) = 475,
        # in the sale's year and the 4 after (loss_years 4): 2,375 of tax saved.
        #   Price 50,000, basis 90,000: a 40,000 loss, 12,500 used, 27,500 lapses.
        sc = preset_sale("spain-individual", 50000)
        sc["seller"].update({"tax_basis": 90000, "other_taxable_income": 10000})
        sc["seller"]["tax"] = {"loss": "carry_forward", "loss_rate": 0.19}
        self.assertAlmostEqual(run_deal(sc)["deal"]["seller"]["tax"], -2375, delta=1e-6)
        # Without other savings income the share allows nothing against it.
        sc["seller"]["other_taxable_income"] = 0
        self.assertEqual(run_deal(sc)["deal"]["seller"]["tax"], 0)

    def test_brazil_no_offset(self):
        # IN SRF 84/2001 art. 2: the loss offsets nothing.
        s = self.sale("brazil-individual", 500000, 900000, other_gains=300000)
        self.assertEqual(s["tax"], 0)


if __name__ == "__main__":
    e2e.main()
