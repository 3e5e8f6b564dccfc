"""Purchase-price allocation (README "Purchase-price allocation"), end to end: deal.allocation
in the JSON against a hand computation for one US and one Spanish case, from the stated rules
and the presets' figures written out here (models/tax/us-federal.yaml,
spain-individual.yaml, spain-company-buyer.yaml); no engine number is fed back.

Rules: each class's price is its amount or share x the price; goodwill takes the rest. The
seller's ordinary classes pay (rate + social charges) x price; the capital classes make up the
gain taxed by the brackets (gain - the ordinary classes' price), recognised in proportion to
principal (installment method), each class bearing that tax pro rata to its price; the
brackets are the preset's, stacked on seller.other_taxable_income (tax = brackets(other + x)
- brackets(other)), with the US surtax (NIIT) only without material participation. The
seller-financing interest is taxed apart (deal.seller.interest_tax) at the preset's interest
rate, and the tax is paid payment_lag_years after its year (Spain: 1). The buyer
writes each class off straight-line over its years (goodwill with the acquisition costs over
amortization_years), or as paid (0 years): shield PV = T x amount / n x annuity(rate, n), or
T x amount / P x sum(principal_t / (1 + rate)^t).
"""
import os
import shutil
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

TMP = tempfile.TemporaryDirectory(prefix="bookval-allocation-")
CLASSES = ["goodwill", "client_list", "non_compete", "consulting", "equipment"]


def run(text):
    # Beside a copy of models/ so `extends: tax/...` finds the presets.
    models = os.path.join(TMP.name, "models")
    if not os.path.isdir(models):
        shutil.copytree(os.path.join(e2e.ROOT, "models"), models)
    path = os.path.join(TMP.name, "alloc.yaml")
    e2e.write(path, text)
    return e2e.run_json(path)


def annuity(rate, n):
    return (1 - (1 + rate) ** -n) / rate


def brackets(x, table):
    tax = 0.0
    for i, (lo, rate) in enumerate(table):
        hi = table[i + 1][0] if i + 1 < len(table) else float("inf")
        if x > lo:
            tax += rate * (min(x, hi) - lo)
    return tax


BOOK = """horizon_years: 10
discount_rate: 0.1
margin: 0.4
retention: 0.9
clients:
  - {id: a, annual_revenue: 150000}
  - {id: b, annual_revenue: 100000}
"""

US = """name: Allocation US
currency: USD
extends: tax/us-federal
""" + BOOK + """deal:
  price: 300000
  payments: [{year: 0, share: 0.6}, {year: 1, share: 0.4}]
  interest_rate: 0.05
  allocation:
    - {class: non_compete, amount: 20000}
    - {class: consulting, share: 0.1}
    - {class: equipment, amount: 15000}
    - {class: client_list, amount: 50000}
seller: {tax_basis: 10000, selling_costs: 5000, discount_rate: 0.07}
buyer: {discount_rate: 0.12, tax_rate: 0.21, acquisition_costs: 6000}
"""

SPAIN = """name: Allocation Spain
currency: EUR
extends: [tax/spain-individual, tax/spain-company-buyer]
""" + BOOK + """deal:
  price: 200000
  payments: [{year: 0, share: 0.5}, {year: 1, share: 0.5}]
  allocation:
    - {class: client_list, share: 0.25}
    - {class: non_compete, amount: 12000}
    - {class: consulting, amount: 18000}
    - {class: equipment, amount: 8000}
seller: {discount_rate: 0.06}
buyer: {discount_rate: 0.1}
"""


class Allocation(unittest.TestCase):
    def compare(self, out, want):
        got = {c["class"]: c for c in out["deal"]["allocation"]["classes"]}
        for cls in CLASSES:
            for key, value in want[cls].items():
                self.assertAlmostEqual(got[cls][key], value, delta=1e-6,
                                       msg=f"{cls}.{key}: {got[cls][key]!r} vs {value!r}")

    def us_case(self, seller_extra, capital):
        """The US scenario with `seller_extra` added to its seller; `capital(x)` the tax on a
        year's capital part x by the preset's rules written out below."""
        out = run(US.replace("discount_rate: 0.07}", "discount_rate: 0.07" + seller_extra + "}"))
        # Prices: non-compete 20,000, consulting 10% x 300,000 = 30,000, equipment 15,000,
        # client list 50,000; goodwill 300,000 - 115,000 = 185,000.
        # Seller: ordinary at 37% (+15.3% on consulting), flat whatever the other income:
        # 7,400, 15,690, 5,550. The gain by the brackets: 300,000 - 10,000 - 5,000 - 65,000
        # = 220,000, recognised 60/40 (installment method, per_year): 132,000 in year 0 and
        # 88,000 in year 1, each year's part on that year's brackets; shared by goodwill
        # (185/235) and the client list (50/235).
        cap = capital(132000) + capital(88000)
        # Buyer (21%, 12%): goodwill (185,000 + 6,000 costs) and the client list and the
        # non-compete over 15 years, equipment over 7, consulting as paid: 60% at closing,
        # 40% in year 1.
        T, r = 0.21, 0.12
        want = {
            "goodwill": {"price": 185000, "seller_tax": cap * 185 / 235,
                         "buyer_shield_pv": T * 191000 / 15 * annuity(r, 15)},
            "client_list": {"price": 50000, "seller_tax": cap * 50 / 235,
                            "buyer_shield_pv": T * 50000 / 15 * annuity(r, 15)},
            "non_compete": {"price": 20000, "seller_tax": 7400,
                            "buyer_shield_pv": T * 20000 / 15 * annuity(r, 15)},
            "consulting": {"price": 30000, "seller_tax": 30000 * (0.37 + 0.153),
                           "buyer_shield_pv": T * 30000 * (0.6 + 0.4 / 1.12)},
            "equipment": {"price": 15000, "seller_tax": 5550,
                          "buyer_shield_pv": T * 15000 / 7 * annuity(r, 7)},
        }
        self.compare(out, want)
        self.assertAlmostEqual(out["deal"]["seller"]["tax"], cap + 7400 + 15690 + 5550,
                               delta=1e-6)
        # Interest (ordinary, the preset's 37% + 3.8% NIIT = 40.8%): 5% x 120,000 owed in
        # year 1 = 6,000, taxed 2,448, apart from the gain's tax.
        self.assertAlmostEqual(out["deal"]["seller"]["interest_tax"], 2448, delta=1e-6)
        # All goodwill: the whole 285,000 gain by the brackets, 171,000 in year 0 and 114,000
        # in year 1; the split moves 65,000 (39,000 in year 0, 26,000 in year 1) from the
        # capital brackets to the ordinary rates. The interest and its tax are the same in
        # both and cancel.
        a = out["deal"]["allocation"]
        ordinary_tax = 7400 + 15690 + 5550
        extra0 = 0.6 * ordinary_tax + capital(132000) - capital(171000)
        extra1 = 0.4 * ordinary_tax + capital(88000) - capital(114000)
        self.assertAlmostEqual(a["all_goodwill"]["seller_net_proceeds_pv"]
                               - a["split"]["seller_net_proceeds_pv"],
                               extra0 + extra1 / 1.07, delta=1e-6)
        self.assertAlmostEqual(a["split"]["sum"], a["split"]["seller_net_proceeds_pv"]
                               + a["split"]["buyer_npv"], delta=1e-6)
        return cap, extra0 + extra1 / 1.07

    # models/tax/us-federal.yaml (single, 2025; 26 U.S.C. § 1(h), Rev. Proc. 2024-40): the
    # long-term rates 0% to 48,350, 15% to 533,400, 20% above, on other income + the gain;
    # NIIT 3.8% above 200,000 (§ 1411) only without material participation.
    US_LTCG = [[0, 0.0], [48350, 0.15], [533400, 0.20]]

    def test_us_no_other_income(self):
        # The preset as a seller with no other income who worked in the practice (material
        # participation by default: no NIIT) meets it: each year's part fills the 0% band
        # first. Year 0: 15% x (132,000 - 48,350) = 12,547.50; year 1: 15% x (88,000 -
        # 48,350) = 5,947.50; 18,495 in all (goodwill 185/235 of it: 14,559.89).
        def capital(x):
            return brackets(x, self.US_LTCG)
        self.assertAlmostEqual(capital(132000) + capital(88000), 18495, delta=1e-9)
        cap, extra = self.us_case("", capital)
        # The split costs the seller the difference between 37% (52.3%) and the 15% band the
        # moved 65,000 would have paid (all of 171,000 and 114,000 is below 533,400), paid
        # 60/40: (20,000 x 22% + 30,000 x 37.3% + 15,000 x 22%) x (0.6 + 0.4 / 1.07).
        self.assertAlmostEqual(
            extra, (20000 * 0.22 + 30000 * 0.373 + 15000 * 0.22) * (0.6 + 0.4 / 1.07),
            delta=1e-6)

    def test_us_top_bracket_investor(self):
        # The case this test was first written for, a seller in the top bracket who pays the
        # NIIT: other taxable income 600,000 (above both 533,400 and 200,000) and no material
        # participation, so every dollar of the gain pays 20% + 3.8% = 23.8%, flat: 220,000 x
        # 23.8% = 52,360.
        def capital(x):
            o = 600000
            return (brackets(o + x, self.US_LTCG) - brackets(o, self.US_LTCG)
                    + 0.038 * ((o + x - 200000) - (o - 200000)))
        self.assertAlmostEqual(capital(132000) + capital(88000), 220000 * 0.238, delta=1e-6)
        cap, extra = self.us_case(", other_taxable_income: 600000, "
                                  "material_participation: false", capital)
        # The split costs the seller the difference between 37% (52.3%) and 23.8% on the
        # ordinary classes, paid 60/40.
        self.assertAlmostEqual(
            extra, (20000 * (0.37 - 0.238) + 30000 * (0.523 - 0.238) + 15000 * (0.37 - 0.238))
            * (0.6 + 0.4 / 1.07), delta=1e-6)

    def test_spain(self):
        out = run(SPAIN)
        # Prices: client list 25% x 200,000 = 50,000, non-compete 12,000, consulting 18,000,
        # equipment 8,000; goodwill 112,000.
        # Seller: the non-compete and consulting in the general base at 45%: 5,400 and 8,100.
        # The savings base: 200,000 - 30,000 = 170,000, half each year (installment), each
        # year's 85,000 by the scale: 6,000 x 19% + 44,000 x 21% + 35,000 x 23% = 18,430;
        # 36,860 in all, shared by goodwill, the client list and the equipment (112/50/8 of 170).
        scale = [[0, 0.19], [6000, 0.21], [50000, 0.23], [200000, 0.27], [300000, 0.30]]
        self.assertAlmostEqual(brackets(85000, scale), 18430, delta=1e-9)
        cap = 2 * 18430
        # Buyer (a company, 25%; 10%): goodwill 1/20 a year, the client list over 10 years,
        # the non-compete over 3, equipment over 6, consulting as paid (50/50).
        T, r = 0.25, 0.1
        want = {
            "goodwill": {"price": 112000, "seller_tax": cap * 112 / 170,
                         "buyer_shield_pv": T * 112000 / 20 * annuity(r, 20)},
            "client_list": {"price": 50000, "seller_tax": cap * 50 / 170,
                            "buyer_shield_pv": T * 50000 / 10 * annuity(r, 10)},
            "non_compete": {"price": 12000, "seller_tax": 5400,
                            "buyer_shield_pv": T * 12000 / 3 * annuity(r, 3)},
            "consulting": {"price": 18000, "seller_tax": 8100,
                           "buyer_shield_pv": T * 18000 * (0.5 + 0.5 / 1.1)},
            "equipment": {"price": 8000, "seller_tax": cap * 8 / 170,
                          "buyer_shield_pv": T * 8000 / 6 * annuity(r, 6)},
        }
        self.compare(out, want)
        # All goodwill: 100,000 a year by the scale, 6,000 x 19% + 44,000 x 21% + 50,000 x 23%
        # = 1,140 + 9,240 + 11,500 = 21,880 of tax on each year's part, paid the year after
        # (the preset's payment_lag_years: 1, the IRPF return of year Y paid in Y+1), all at
        # the seller's 6%: 100,000 + 100,000 / 1.06 - 21,880 / 1.06 - 21,880 / 1.06^2
        # = 194,339.62 - 20,641.51 - 19,473.12 = 154,224.99. No interest (none agreed), so
        # no interest tax.
        a = out["deal"]["allocation"]
        tax = brackets(100000, scale)
        self.assertAlmostEqual(tax, 21880, delta=1e-9)
        self.assertAlmostEqual(a["all_goodwill"]["seller_net_proceeds_pv"],
                               100000 + 100000 / 1.06 - tax / 1.06 - tax / 1.06 ** 2,
                               delta=1e-6)
        self.assertAlmostEqual(out["deal"]["seller"]["interest_tax"], 0, delta=1e-9)
        # ... and the buyer's all-goodwill shield is 200,000 over 20 years.
        self.assertLess(a["all_goodwill"]["buyer_npv"], a["split"]["buyer_npv"])


if __name__ == "__main__":
    e2e.main()
