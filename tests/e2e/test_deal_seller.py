"""The seller's side of a deal end to end (DESIGN §7-§8, README "Deal and transfer"):
installments with interest, true-ups, earn-outs with mid-year timing, clawback tiers, the
transfer tax's brackets (per year, cumulative, a loss, no installment method), the seller's
gain, net proceeds and their PV, keep value and walk-away price. Each case is checked against
deal_reference's independent mpmath reference, which first reproduces the hand-worked literals
given here (derivations in the comments).
"""
import copy
import os
import sys

from mpmath import mpf

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402
from deal_reference import (SPAIN, DealCase, base_scenario, bracket_tax,  # noqa: E402
                            reference, run_deal)

# Brazil's progressive gain rates (5/10/30 million) scaled down by 100 to fit a small book.
BRAZIL_SCALED = [[0, 0.15], [50000, 0.175], [100000, 0.20], [300000, 0.225]]


class SellerSide(DealCase):
    def test_plain_installments_with_interest(self):
        # One client, R = 48,250.37. Price 61,347.25 paid 30/35/35 at closing and the first two
        # anniversaries, 4.75% on the unpaid base price.
        sc = base_scenario(
            "Plain installments",
            deal={"price": 61347.25,
                  "payments": [{"year": 0, "share": 0.30}, {"year": 1, "share": 0.35},
                               {"year": 2, "share": 0.35}],
                  "interest_rate": 0.0475},
            seller={"tax_basis": 3127.4, "carrying_amount": 8415.66, "selling_costs": 2385.17,
                    "discount_rate": 0.0615, "income_tax_rate": 0.3375,
                    "tax": {"brackets": SPAIN, "installment_method": True,
                            "brackets_apply": "per_year"},
                    # Four more years, then sold at 0.735 x that year's revenue.
                    "keep": {"owner_compensation": 4275.5, "owner_compensation_growth": 0.0185,
                             "years": 4, "discount_rate": 0.1135,
                             "exit": {"multiple": 0.735}}})
        ref = reference(sc)
        # By hand:
        #   base: 0.30 P0 = 18,404.175; 0.35 P0 = 21,471.5375 in years 1 and 2.
        #   interest_1 = 0.0475 x (21,471.5375 + 21,471.5375) = 2,039.7960625
        #   interest_2 = 0.0475 x 21,471.5375 = 1,019.89803125
        #   P = 61,347.25 (no true-up, earn-out or clawback)
        #   gain = 61,347.25 - 3,127.40 - 2,385.17 = 55,834.68
        #   accounting gain = 61,347.25 - 8,415.66 - 2,385.17 = 50,546.42
        #   recognised: 0.30 gain = 16,750.404; 0.35 gain = 19,542.138 (years 1, 2)
        #   tax(16,750.404) = 6,000 x 0.19 + 10,750.404 x 0.21 = 1,140 + 2,257.58484 = 3,397.58484
        #   tax(19,542.138) = 1,140 + 13,542.138 x 0.21 = 3,983.84898
        #   tax = 3,397.58484 + 2 x 3,983.84898 = 11,365.2828
        #     (the whole gain in one year would pay 1,140 + 9,240 + 5,834.68 x 0.23 = 11,721.9764)
        #   net_0 = 18,404.175 - 3,397.58484 - 2,385.17 = 12,621.42016
        #   interest taxed at the top bracket's 30% (no seller.tax.interest_rate):
        #     611.93881875 and 305.969409375
        #   net_1 = 21,471.5375 + 2,039.7960625 - 3,983.84898 - 611.93881875 = 18,915.54576375
        #   net_2 = 21,471.5375 + 1,019.89803125 - 3,983.84898 - 305.969409375
        #         = 18,201.617141875
        #   net proceeds = 49,738.583065625
        #   PV at 6.15% = 12,621.42016 + 18,915.54576375 / 1.0615 + 18,201.617141875 / 1.0615^2
        hand = {
            "base": [18404.175, 21471.5375, 21471.5375],
            "interest": [0, 2039.7960625, 1019.89803125],
            "recognised": [16750.404, 19542.138, 19542.138],
            "tax": [3397.58484, 3983.84898, 3983.84898],
            "seller_net": [12621.42016, 18915.54576375, 18201.617141875],
        }
        for key, values in hand.items():
            for t, v in enumerate(values):
                self.assertLess(abs(ref[key][t] - mpf(repr(float(v)))), mpf("1e-20") + 1e-12 * v,
                                f"reference {key}[{t}]")
            self.assertTrue(all(x == 0 for x in ref[key][len(values):]), key)
        want = {"P": mpf("61347.25"), "gain": mpf("55834.68"),
                "accounting_gain": mpf("50546.42"), "tax_total": mpf("11365.2828"),
                "net_proceeds": mpf("49738.583065625"),
                "net_proceeds_pv": mpf("12621.42016") + mpf("18915.54576375") / mpf("1.0615")
                + mpf("18201.617141875") / mpf("1.0615") ** 2}
        for key, v in want.items():
            self.assertLess(abs(ref[key] - v), mpf("1e-25"), f"reference {key}")
        # keep_pv: the client kept (u = 1) four years at 11.35%, its pay 4,275.50 growing 1.85%,
        # then sold for 0.735 x the year-4 revenue R r^4 (about 21,608: a gain between 6,000
        # and 50,000, so tax 1,140 + 0.21 x (gain - 6,000)):
        #   0.6625 x sum_{t=1..4} (0.3725 R r^t - 4,275.5 x 1.0185^(t-1)) / 1.1135^t
        #   + (x - 2,385.17 - tax(x - 3,127.40 - 2,385.17)) / 1.1135^4
        R, r, k = mpf("48250.37"), mpf("0.8835"), mpf("0.1135")
        keep = (1 - mpf("0.3375")) * sum(
            (mpf("0.3725") * R * r ** t - mpf("4275.5") * mpf("1.0185") ** (t - 1)) / (1 + k) ** t
            for t in range(1, 5))
        exit_price = mpf("0.735") * R * r ** 4
        exit_gain = exit_price - mpf("3127.4") - mpf("2385.17")
        self.assertTrue(6000 < exit_gain < 50000)
        exit_tax = 1140 + mpf("0.21") * (exit_gain - 6000)
        keep += (exit_price - mpf("2385.17") - exit_tax) / (1 + k) ** 4
        self.assertLess(abs(ref["keep_pv"] - keep), mpf("1e-25"))
        out = run_deal(sc)
        self.check(sc, out, ref)
        # The engine's own consistency: net proceeds = P + 0.7 x interest - costs - tax.
        s_ = out["deal"]["seller"]
        self.close(s_["interest_tax"], 917.908228125, 61347.25, "tax on the interest")
        self.close(s_["net_proceeds"],
                   out["deal"]["expected_price"] + 0.7 * 3059.69409375 - 2385.17 - s_["tax"],
                   61347.25, "net proceeds identity")

    def test_true_up_measure_years_1_and_2(self):
        # Price 1.1835 x R, paid 40% at closing and 60% in year 2 with 3.25% interest; trued up
        # to 1.2415 x the revenue kept in the measure year. Transfer retention u = 0.9415:
        #   revenue_1 = R u r = 0.83181525 R,  revenue_2 = R u r^2 = 0.734908773... R
        #   measure 1: final 1.2415 x 0.83181525 R = 1.0326986... R < P0 = 1.1835 R, so the
        #     true-up is a refund of 0.1508 R in year 1: principal_1 < 0, its recognised gain is
        #     negative and carries no tax (per_year brackets of x <= 0 are 0);
        #   measure 2: final 1.2415 x 0.7349 R = 0.9124 R; the refund of 0.2711 R nets against
        #     the 60% instalment of year 2.
        #   Interest is on the base price only: interest_1 = interest_2 = 0.0325 x 0.6 P0.
        for measure in (1, 2):
            with self.subTest(measure_year=measure):
                sc = base_scenario(
                    f"True-up measured in year {measure}",
                    transfer_retention=0.9415,
                    deal={"price": {"multiple": 1.1835},
                          "adjustment": {"measure_year": measure, "multiple": 1.2415},
                          "payments": [{"year": 0, "share": 0.4}, {"year": 2, "share": 0.6}],
                          "interest_rate": 0.0325},
                    seller={"tax_basis": 1250.0, "selling_costs": 1985.4,
                            "discount_rate": 0.0545, "income_tax_rate": 0.295,
                            "tax": {"brackets": SPAIN}})
                ref = reference(sc)
                R = mpf("48250.37")
                rev = R * mpf("0.9415") * mpf("0.8835") ** measure
                final = mpf("1.2415") * rev
                self.assertLess(abs(ref["P"] - final), mpf("1e-25"))
                self.assertLess(abs(ref["true_up"][measure] - (final - mpf("1.1835") * R)),
                                mpf("1e-25"))
                self.assertLess(ref["true_up"][measure], 0)
                if measure == 1:
                    self.assertLess(ref["principal"][1], 0)
                    self.assertEqual(ref["tax"][1], 0)
                self.assertEqual(ref["interest"][1], ref["interest"][2])
                out = run_deal(sc)
                self.check(sc, out, ref)

    def test_earn_out_two_years_and_mid_year_timing(self):
        # Price 0.9415 x R, 60% at closing, 40% in year 1 at 2.85%; earn-outs of 12.15% of the
        # year-1 collections and 8.75% of year 3's:
        #   earn_out_1 = 0.1215 R u r,  earn_out_3 = 0.0875 R u r^3 (u = 0.9525)
        # The DCF's mid_year timing moves only the book's cash (issue 17: one timing in the
        # deal); the price, interest and earn-outs stay at year ends.
        for timing in ("end_of_year", "mid_year"):
            with self.subTest(timing=timing):
                sc = base_scenario(
                    "Earn-out", timing=timing, transfer_retention=0.9525,
                    discount_rate={"dist": "pert", "min": 0.095, "mode": 0.1185,
                                   "max": 0.1715},
                    deal={"price": {"multiple": 0.9415},
                          "payments": [{"year": 0, "share": 0.6}, {"year": 1, "share": 0.4}],
                          "interest_rate": 0.0285,
                          "earn_out": [{"year": 1, "share_of_collections": 0.1215},
                                       {"year": 3, "share_of_collections": 0.0875}]},
                    seller={"selling_costs": 1420.8, "discount_rate": 0.0585,
                            "income_tax_rate": 0.31, "tax": {"brackets": SPAIN},
                            # The earn-outs carry the book's risk: at the keep rate. Keeping
                            # follows the timing, as the book's cash does everywhere.
                            "keep": {"owner_compensation": 3815.6, "years": 5,
                                     "discount_rate": 0.1245}},
                    buyer={"acquisition_costs": 1310.25, "tax_rate": 0.25,
                           "amortization_years": 8})
                ref = reference(sc)
                R, u, r = mpf("48250.37"), mpf("0.9525"), mpf("0.8835")
                self.assertLess(abs(ref["earn_out"][1] - mpf("0.1215") * R * u * r), 1e-25)
                self.assertLess(abs(ref["earn_out"][3] - mpf("0.0875") * R * u * r ** 3), 1e-25)
                self.assertLess(abs(ref["P"] - (mpf("0.9415") * R + ref["earn_out"][1]
                                                + ref["earn_out"][3])), 1e-25)
                # The buyer's rate defaults to the mean of the PERT: (0.095 + 4 x 0.1185
                # + 0.1715) / 6 = 0.12341666...
                self.assertLess(abs(ref["buyer_rate"] - mpf("0.7405") / 6), 1e-30)
                out = run_deal(sc)
                self.check(sc, out, ref)

    def test_clawback_two_tiers(self):
        # Two clients, u = 0.9525: A1 R1 = 31,240.55, r1 = 0.8615; B2 R2 = 17,580.20,
        # r2 = 0.9345. Lost share of the annual revenue (R = 48,820.75):
        #   lost_1 = [R1 (1 - u r1) + R2 (1 - u r2)] / R      (the sale's own losses count here)
        #   lost_t = [R1 u r1^(t-1) (1 - r1) + R2 u r2^(t-1) (1 - r2)] / R,  t >= 2
        # Tiers: within 1 year refund 100%, within 3 years 40%: clawback_1 = P0 lost_1,
        # clawback_2 = 0.4 P0 lost_2, clawback_3 = 0.4 P0 lost_3, none afterwards.
        # The whole base price is paid at closing (payments omitted: the default), so with the
        # installment method year 0 recognises gain x P0 / P > gain and years 1-3 recognise
        # negative amounts. per_year: they are carried forward, then (no later gain) set back
        # against year 0 in year 3: years 1-2 pay 0, year 3 gets back
        # tax(gain x P0 / P) - tax(gain), so the total is tax(gain), as with cumulative.
        sc = base_scenario(
            "Clawback", transfer_retention=0.9525, horizon_years=5,
            clients=[{"id": "A1", "annual_revenue": 31240.55, "retention": 0.8615},
                     {"id": "B2", "annual_revenue": 17580.2, "retention": 0.9345}],
            deal={"price": 52718.35,
                  "clawback": [{"within_years": 3, "refund": 0.4},
                               {"within_years": 1, "refund": 1.0}]},
            seller={"tax_basis": 2210.0, "selling_costs": 1760.45, "discount_rate": 0.0655,
                    "income_tax_rate": 0.28, "tax": {"brackets": SPAIN}},
            buyer={"discount_rate": 0.1415, "acquisition_costs": 985.0, "tax_rate": 0.25,
                   "amortization_years": 5})
        ref = reference(sc)
        R1, r1, R2, r2, u = (mpf("31240.55"), mpf("0.8615"), mpf("17580.2"), mpf("0.9345"),
                             mpf("0.9525"))
        R, P0 = R1 + R2, mpf("52718.35")
        lost = {1: (R1 * (1 - u * r1) + R2 * (1 - u * r2)) / R}
        for t in (2, 3):
            lost[t] = (R1 * u * r1 ** (t - 1) * (1 - r1) + R2 * u * r2 ** (t - 1) * (1 - r2)) / R
        hand = [0, P0 * lost[1], mpf("0.4") * P0 * lost[2], mpf("0.4") * P0 * lost[3], 0, 0]
        for t in range(6):
            self.assertLess(abs(ref["clawback"][t] - hand[t]), mpf("1e-25"), f"clawback[{t}]")
        self.assertLess(abs(ref["P"] - (P0 - sum(hand))), mpf("1e-25"))
        self.assertTrue(all(ref["tax"][t] == 0 for t in (1, 2)))
        self.assertLess(abs(ref["tax"][3] - (bracket_tax(SPAIN, ref["gain"]) - bracket_tax(
            SPAIN, ref["gain"] * P0 / ref["P"]))), mpf("1e-25"))
        out = run_deal(sc)
        self.check(sc, out, ref)
        # Cumulative brackets on the same deal: the gain recognised to date falls in years 1-3,
        # so those years' tax is negative (a refund of tax paid at closing) and the total is the
        # brackets of the whole gain, tax(gain), as per_year's (whose refund waits for year 3).
        cumulative = copy.deepcopy(sc)
        cumulative["seller"]["tax"]["brackets_apply"] = "cumulative"
        ref_c = reference(cumulative)
        self.assertTrue(all(ref_c["tax"][t] < 0 for t in (1, 2, 3)))
        self.assertLess(abs(ref_c["tax_total"] - bracket_tax(SPAIN, ref_c["gain"])), 1e-25)
        self.assertLess(abs(ref["tax_total"] - ref_c["tax_total"]), 1e-25)
        self.check(cumulative, run_deal(cumulative), ref_c)

    def test_per_year_and_cumulative_brackets_differ(self):
        # Price 187,425.60, basis 0, costs 3,125.85, paid 25% a year in years 0-3:
        # gain = 184,299.75, recognised 46,074.9375 a year. Brackets 15% / 17.5% from 50,000 /
        # 20% from 100,000 / 22.5% from 300,000.
        #   per_year: each year 46,074.9375 x 0.15 = 6,911.240625; tax = 27,644.9625
        #   cumulative: to date 46,074.9375 -> 6,911.240625
        #               92,149.875  -> 7,500 + 42,149.875 x 0.175 = 14,876.228125 (pay 7,964.9875)
        #               138,224.8125 -> 7,500 + 8,750 + 38,224.8125 x 0.2 = 23,894.9625
        #                                                               (pay 9,018.734375)
        #               184,299.75  -> 16,250 + 84,299.75 x 0.2 = 33,109.95 (pay 9,214.9875)
        #               tax = 33,109.95
        hand = {"per_year": ("27644.9625", ["6911.240625"] * 4),
                "cumulative": ("33109.95", ["6911.240625", "7964.9875", "9018.734375",
                                            "9214.9875"])}
        got = {}
        for apply, (total, years) in hand.items():
            with self.subTest(brackets_apply=apply):
                sc = base_scenario(
                    f"Brackets {apply}", horizon_years=5,
                    deal={"price": 187425.6,
                          "payments": [{"year": t, "share": 0.25} for t in range(4)]},
                    seller={"selling_costs": 3125.85, "discount_rate": 0.0725,
                            "income_tax_rate": 0.275,
                            "tax": {"brackets": BRAZIL_SCALED, "installment_method": True,
                                    "brackets_apply": apply}})
                ref = reference(sc)
                self.assertLess(abs(ref["tax_total"] - mpf(total)), mpf("1e-25"))
                for t, v in enumerate(years):
                    self.assertLess(abs(ref["tax"][t] - mpf(v)), mpf("1e-25"), f"tax[{t}]")
                out = run_deal(sc)
                self.check(sc, out, ref)
                got[apply] = out["deal"]["seller"]["tax"]
        self.assertGreater(got["cumulative"] - got["per_year"], 5000)

    def test_loss_carries_no_tax(self):
        # Price 20,150.35 below basis 21,480.90 + costs 1,385.17: gain = -2,715.72, tax 0 in
        # every year. Accounting gain (carrying 0) = 20,150.35 - 1,385.17 = 18,765.18.
        # 50/50 in years 0 and 1 at 3.75%: interest_1 = 0.0375 x 10,075.175 = 377.8190625;
        # the interest is still taxed, at the top bracket's 30%: 113.34571875 in year 1;
        # net proceeds = 20,150.35 + 377.8190625 - 113.34571875 - 1,385.17 = 19,029.65334375;
        # PV at 6.85% = (10,075.175 - 1,385.17) + (10,075.175 + 264.47334375) / 1.0685.
        sc = base_scenario(
            "Loss",
            deal={"price": 20150.35,
                  "payments": [{"year": 0, "share": 0.5}, {"year": 1, "share": 0.5}],
                  "interest_rate": 0.0375},
            seller={"tax_basis": 21480.9, "selling_costs": 1385.17, "discount_rate": 0.0685,
                    "tax": {"brackets": SPAIN, "brackets_apply": "cumulative"}})
        ref = reference(sc)
        self.assertLess(abs(ref["gain"] - mpf("-2715.72")), mpf("1e-25"))
        self.assertLess(abs(ref["accounting_gain"] - mpf("18765.18")), mpf("1e-25"))
        self.assertEqual(ref["tax_total"], 0)
        self.assertLess(abs(ref["net_proceeds"] - mpf("19029.65334375")), mpf("1e-25"))
        pv = mpf("8690.005") + mpf("10339.64834375") / mpf("1.0685")
        self.assertLess(abs(ref["net_proceeds_pv"] - pv), mpf("1e-25"))
        out = run_deal(sc)
        self.check(sc, out, ref)
        self.assertEqual(out["deal"]["seller"]["tax"], 0)
        self.assertLess(out["deal"]["seller"]["gain"], 0)

    def test_without_installment_method_all_in_year_0(self):
        # Price 61,347.25 paid 20/40/40 in years 0, 2, 4; installment_method false: the whole
        # gain 61,347.25 - 975.5 - 2,385.17 = 57,986.58 is recognised and taxed at closing:
        #   tax = 1,140 + 44,000 x 0.21 + 7,986.58 x 0.23 = 1,140 + 9,240 + 1,836.9134
        #       = 12,216.9134, all in year 0;
        # with the installment method the same deal recognises 20/40/40% of the gain in years
        # 0, 2, 4 and pays less (3 lower bracket runs): checked against the reference too.
        sc = base_scenario(
            "No installment method",
            deal={"price": 61347.25,
                  "payments": [{"year": 0, "share": 0.2}, {"year": 2, "share": 0.4},
                               {"year": 4, "share": 0.4}],
                  "interest_rate": 0.0415},
            seller={"tax_basis": 975.5, "selling_costs": 2385.17, "discount_rate": 0.0615,
                    "income_tax_rate": 0.3375,
                    "tax": {"brackets": SPAIN, "installment_method": False}})
        ref = reference(sc)
        self.assertLess(abs(ref["tax"][0] - mpf("12216.9134")), mpf("1e-25"))
        self.assertTrue(all(x == 0 for x in ref["tax"][1:]))
        self.assertEqual(ref["recognised"][0], ref["gain"])
        # net_0 = 0.2 P0 - 2,385.17 - 12,216.9134
        self.assertLess(abs(ref["seller_net"][0] - (mpf("12269.45") - mpf("2385.17")
                                                   - mpf("12216.9134"))), mpf("1e-25"))
        out = run_deal(sc)
        self.check(sc, out, ref)
        installment = copy.deepcopy(sc)
        installment["seller"]["tax"]["installment_method"] = True
        ref_installment = reference(installment)
        self.assertLess(ref_installment["tax_total"], ref["tax_total"] - 300)
        self.check(installment, run_deal(installment), ref_installment)

if __name__ == "__main__":
    e2e.main()
