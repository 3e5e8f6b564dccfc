"""The buyer's side of a deal end to end (DESIGN §7-§8, README "Deal and transfer"): NPV, IRR
(one root, two roots and the one nearest 10 %, none), payback, the walk-away prices found
again by re-running the scenario scaled, and a variant pricing its own deal. Each case is
checked against deal_reference's independent mpmath reference (own IRR scan and bisection).
"""
import copy
import os
import sys

from mpmath import mpf

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402
from deal_reference import (SPAIN, DealCase, base_scenario, irr_roots,  # noqa: E402
                            present_value, reference, run_deal, scaled)


def buyer_scenario():
    # Two clients, 2.15% fee growth, u = 0.9635, H = 5 with the run-off at the buyer's rate.
    # Price 1.0315 x R: 55% at closing, 25% in year 1, 20% in year 6 (after the horizon), 5.25%
    # interest; true-up to 1.0815 x year-2 revenue; earn-out 6.35% of year 1; clawback 85% of
    # a client lost in year 1. Buyer: 13.85%, costs 1,845.50, tax 25%, amortised over 7 years,
    # so the flows run to year 7 = max(H 5, payment 6, N 7).
    return base_scenario(
        "Buyer", horizon_years=5, tail="runoff", revenue_growth=0.0215,
        transfer_retention=0.9635,
        clients=[{"id": "A1", "annual_revenue": 48250.37, "retention": 0.8835},
                 {"id": "B2", "annual_revenue": 21335.8, "retention": 0.9215,
                  "margin": 0.4135}],
        deal={"price": {"multiple": 1.0315},
              "adjustment": {"measure_year": 2, "multiple": 1.0815},
              "payments": [{"year": 0, "share": 0.55}, {"year": 1, "share": 0.25},
                           {"year": 6, "share": 0.2}],
              "interest_rate": 0.0525,
              "earn_out": [{"year": 1, "share_of_collections": 0.0635}],
              "clawback": [{"within_years": 1, "refund": 0.85}]},
        seller={"tax_basis": 1575.0, "carrying_amount": 3380.25, "selling_costs": 2215.6,
                "discount_rate": 0.0575, "income_tax_rate": 0.3275,
                "tax": {"brackets": SPAIN, "brackets_apply": "cumulative"},
                # Kept to the horizon and its run-off: the pay follows the book beyond it.
                "keep": {"margin": 0.4415, "owner_compensation": 9150.25,
                         "discount_rate": 0.1265}},
        buyer={"discount_rate": 0.1385, "acquisition_costs": 1845.5, "tax_rate": 0.25,
               "amortization_years": 7})


class BuyerSide(DealCase):
    def test_npv_irr_payback_and_walk_away_prices(self):
        sc = buyer_scenario()
        ref = reference(sc)
        # The reference's shape, by hand: years 0..7; the run-off of year H per client is
        # (1 - T) m R u (1+g)^4 r^5 q / (1 - q), q = r (1+g) / 1.1385; shield 0.25 (P + 1,845.5)
        # / 7 in years 1..7; interest_1 = 0.0525 x 0.45 P0, interest_2..6 = 0.0525 x 0.2 P0.
        self.assertEqual(ref["Y"], 7)
        P0 = ref["P0"]
        self.assertLess(abs(ref["interest"][1] - mpf("0.0525") * mpf("0.45") * P0), 1e-25)
        for t in range(2, 7):
            self.assertLess(abs(ref["interest"][t] - mpf("0.0525") * mpf("0.2") * P0), 1e-25)
        self.assertEqual(ref["interest"][7], 0)
        self.assertEqual(ref["after_tax"][6], 0)
        self.assertEqual(len(set(ref["shield"][1:])), 1)
        out = run_deal(sc)
        self.check(sc, out, ref)
        b = out["deal"]["buyer"]

        # IRR: NPV of the reference flows at the engine's IRR, and an own root solve.
        roots = irr_roots(ref["buyer_flows"])
        self.assertEqual(len(roots), 1, f"the flows should have one IRR, have {roots}")
        self.assertLess(abs(float(present_value(ref["buyer_flows"], mpf(b["irr"])))),
                        1e-6 * float(ref["P"]))
        self.assertAlmostEqual(b["irr"], roots[0], delta=1e-9)
        self.assertIsNotNone(b["payback_year"])

        # Walk-away prices against the reference's own bisection, then by re-running the
        # scenario with every price term scaled.
        self.walk_away(sc, out)

    def walk_away(self, sc, out):
        deal = out["deal"]
        P0 = deal["base_price"]
        at_max = run_deal(scaled(sc, deal["buyer"]["max_price"] / P0))
        self.assertAlmostEqual(at_max["deal"]["base_price"], deal["buyer"]["max_price"],
                               delta=1e-6)
        self.assertLess(abs(at_max["deal"]["buyer"]["npv"]), 0.01, "NPV at max_price")
        at_min = run_deal(scaled(sc, deal["seller"]["min_price"] / P0))
        s = at_min["deal"]["seller"]
        self.assertLess(abs(s["net_proceeds_pv"] - s["keep_pv"]), 0.01,
                        "net proceeds PV at min_price")

    def test_several_irrs_the_one_nearest_10_percent(self):
        # 10% at closing, 90% in year 6 with no interest, and a rich book: the flows go
        # - + + + + + - (two sign changes). The NPV has two roots; bookval reports the one
        # nearest 10%, as a spreadsheet's IRR() started at its default guess would.
        sc = base_scenario(
            "Two IRRs", horizon_years=5, margin=0.6125, retention=0.9515,
            deal={"price": 98765.4,
                  "payments": [{"year": 0, "share": 0.1}, {"year": 6, "share": 0.9}]},
            buyer={"discount_rate": 0.1285, "acquisition_costs": 1500.0, "tax_rate": 0.0,
                   "amortization_years": 3},
            # A seller with only its rate: basis, costs, carrying amount and income tax 0, no
            # tax block (no tax); net proceeds = P, its PV 0.1 P0 + 0.9 P0 / 1.0585^6.
            seller={"discount_rate": 0.0585})
        ref = reference(sc)
        self.assertEqual(ref["tax_total"], 0)
        self.assertLess(abs(ref["net_proceeds_pv"] - (mpf("9876.54") + mpf("88888.86")
                                                      / mpf("1.0585") ** 6)), 1e-25)
        roots = irr_roots(ref["buyer_flows"])
        self.assertEqual(len(roots), 2, f"constructed to have two IRRs, has {roots}")
        out = run_deal(sc)
        self.check(sc, out, ref)
        self.assertAlmostEqual(out["deal"]["buyer"]["irr"],
                               min(roots, key=lambda r: abs(r - 0.1)), delta=1e-9)

    def test_no_irr_no_payback_no_walk_away(self):
        # A book that loses money (margin -4.35%), no tax shield (tax 0): every flow is
        # negative, so the NPV has no root (irr null), the cumulative flow never turns
        # non-negative (payback null) and no price makes the NPV zero (max_price null).
        sc = base_scenario(
            "Loss-making book", margin=-0.0435,
            deal={"price": 15250.0,
                  "payments": [{"year": 0, "share": 0.5}, {"year": 3, "share": 0.5}]},
            buyer={"discount_rate": 0.1125, "acquisition_costs": 620.0, "tax_rate": 0.0})
        ref = reference(sc)
        # (Years 7-15 are empty: the default 15 years of amortisation extend the flows.)
        self.assertEqual(ref["Y"], 15)
        self.assertTrue(all(f < 0 for f in ref["buyer_flows"][:7]))
        self.assertTrue(all(f == 0 for f in ref["buyer_flows"][7:]))
        self.assertIsNone(ref["payback_year"])
        out = run_deal(sc)
        self.check(sc, out, ref)
        b = out["deal"]["buyer"]
        self.assertIsNone(b["irr"])
        self.assertIsNone(b["payback_year"])
        self.assertIsNone(b["max_price"])
        self.assertIsNone(out["deal"]["seller"])


    def test_variant_prices_its_own_deal(self):
        # A variant patches the deal and the seller; its deal{seller{gain}, buyer{npv}} are the
        # patched scenario's, priced from scratch.
        sc = buyer_scenario()
        patch = {"deal.price.multiple": 1.1185, "deal.interest_rate": 0.0415,
                 "seller.selling_costs": 3050.75, "buyer.tax_rate": 0.21}
        sc["variants"] = [{"name": "Counter-offer", "set": patch}]
        patched = copy.deepcopy(sc)
        del patched["variants"]
        patched["deal"]["price"]["multiple"] = 1.1185
        patched["deal"]["interest_rate"] = 0.0415
        patched["seller"]["selling_costs"] = 3050.75
        patched["buyer"]["tax_rate"] = 0.21
        ref = reference(patched)
        out = run_deal(sc)
        self.check({k: v for k, v in sc.items() if k != "variants"}, out)
        v = out["variants"][0]
        self.assertEqual(v["name"], "Counter-offer")
        self.close(v["deal"]["seller"]["gain"], ref["gain"], ref["P0"], "variant gain")
        self.close(v["deal"]["buyer"]["npv"], ref["npv"], ref["P0"], "variant NPV")


if __name__ == "__main__":
    e2e.main()
