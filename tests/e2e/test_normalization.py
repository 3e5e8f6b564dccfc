"""Normalised earnings (README "Normalised earnings"), end to end: the JSON's normalization
against the bridge worked by hand, and `margin: from_normalization` checked by running the same
book with the margin written out (EBITDA / annual revenue) and comparing the DCF values.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

TMP = tempfile.TemporaryDirectory(prefix="bookval-normalization-")

SCENARIO = """name: Normalised earnings
currency: USD
horizon_years: 8
discount_rate: 0.1175
margin: {margin}
retention: 0.9125
reported_profit: 61250.5
owner_market_salary: 85400
normalization:
  - {{label: "the owner's own salary and payroll taxes", amount: 92150.25, kind: add_back}}
  - {{label: "the owner's car and phone", amount: 6415, kind: add_back, lender_accepted: false}}
  - {{label: "one-off office move", amount: 8350.75, kind: add_back}}
  - {{label: "rent below market (the owner's building)", amount: 12085.5, kind: deduction}}
market: {{multiple_low: 2.15, multiple_high: 3.4, basis: {basis}}}
clients:
  - {{id: a, annual_revenue: 152340.25}}
  - {{id: b, annual_revenue: 98215.5}}
  - {{id: c, annual_revenue: 4120, active: false}}
"""


def run(margin, basis="ebitda"):
    path = os.path.join(TMP.name, f"n-{margin}-{basis}.yaml")
    e2e.write(path, SCENARIO.format(margin=margin, basis=basis))
    return e2e.run_json(path)


class Normalization(unittest.TestCase):
    def test_bridge_and_margin(self):
        out = run("from_normalization")
        n = out["normalization"]
        # By hand: add-backs 92,150.25 + 6,415 + 8,350.75 = 106,916; SDE = 61,250.5 + 106,916
        # - 12,085.5 = 156,081; the lender leaves out the car (6,415): 149,666; EBITDA =
        # 156,081 - 85,400 = 70,681; margins over every client's billed revenue, the lapsed
        # one's included (the revenue that earned the reported profit; the DCF values only the
        # active clients): 152,340.25 + 98,215.5 + 4,120 = 254,675.75.
        self.assertAlmostEqual(n["add_backs"], 106916, delta=1e-9)
        self.assertAlmostEqual(n["deductions"], 12085.5, delta=1e-9)
        self.assertAlmostEqual(n["sde"], 156081, delta=1e-9)
        self.assertAlmostEqual(n["lender_sde"], 149666, delta=1e-9)
        self.assertAlmostEqual(n["ebitda"], 70681, delta=1e-9)
        self.assertAlmostEqual(n["sde_margin"], 156081 / 254675.75, delta=1e-15)
        self.assertAlmostEqual(n["ebitda_margin"], 70681 / 254675.75, delta=1e-15)
        self.assertTrue(n["margin_from_normalization"])
        written = run(repr(70681 / 254675.75))
        self.assertAlmostEqual(out["dcf"]["value"], written["dcf"]["value"],
                               delta=1e-9 * written["dcf"]["value"])
        self.assertFalse(written["normalization"]["margin_from_normalization"])
        # Market multiples on EBITDA, on SDE, on revenue.
        self.assertEqual(n["market_basis"], "ebitda")
        self.assertAlmostEqual(n["market_low"], 2.15 * 70681, delta=1e-9)
        self.assertAlmostEqual(n["market_high"], 3.4 * 70681, delta=1e-9)
        sde = run("0.3", "sde")["normalization"]
        self.assertAlmostEqual(sde["market_low"], 2.15 * 156081, delta=1e-9)
        # On revenue the market prices the book that is sold: the lapsed client's 4,120 is out
        # (inactive_clients: exclude), 152,340.25 + 98,215.5 = 250,555.75.
        rev = run("0.3", "revenue")["normalization"]
        self.assertAlmostEqual(rev["market_high"], 3.4 * 250555.75, delta=1e-9)


if __name__ == "__main__":
    e2e.main()
