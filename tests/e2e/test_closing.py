"""The closing cut-off (README "Closing cut-off"), end to end: receivables and work in progress
taken by the buyer, his working capital, in the seller's and the buyer's flows and the buyer's
equity, against a hand computation (no engine number fed back).
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

TMP = tempfile.TemporaryDirectory(prefix="bookval-closing-")

BASE = """name: Cut-off
currency: USD
horizon_years: 6
discount_rate: 0.11
margin: 0.38
retention: 0.9
provision:
  buckets: [[0, 0.02], [90, 0.25]]
clients:
  - {{id: a, annual_revenue: 150000, receivable: 12400, receivable_age_days: 30}}
  - {{id: b, annual_revenue: 100000, receivable: 8000, receivable_age_days: 120}}
deal:
  price: 250000
  payments: [{{year: 0, share: 0.7}}, {{year: 1, share: 0.3}}]
{cut}seller: {{discount_rate: 0.07}}
buyer:
  discount_rate: 0.13
  tax_rate: 0.25
{wc}  financing:
    loan: {{share: 0.5, rate: 0.09, years: 6}}
    owner_draw: 20000
"""


def run(cut, wc):
    path = os.path.join(TMP.name, f"c-{len(cut)}-{len(wc)}.yaml")
    e2e.write(path, BASE.format(cut=cut, wc=wc))
    return e2e.run_json(path)


class Closing(unittest.TestCase):
    def test_buyer_takes_receivables_and_wip(self):
        kept = run("", "")
        cut = run("  receivables: buyer\n  work_in_progress: {amount: 9500, to: buyer}\n",
                  "  working_capital: 15000\n")
        c = cut["deal"]["closing"]
        # Collectible: 12,400 x (1 - 2%) + 8,000 x (1 - 25%) = 12,152 + 6,000 = 18,152; with
        # the work in progress the buyer pays 27,652 at closing and collects it in year 1.
        self.assertAlmostEqual(c["receivables_collectible"], 18152, delta=1e-9)
        self.assertAlmostEqual(c["paid_by_buyer"], 27652, delta=1e-9)
        self.assertEqual(c["working_capital"], 15000)
        # Equity: 70% of 250,000 + 27,652 + 15,000 - the loan (50% of 250,000).
        self.assertAlmostEqual(cut["deal"]["buyer"]["financing"]["equity"],
                               175000 + 27652 + 15000 - 125000, delta=1e-6)
        # The seller: paid 27,652 at closing instead of collecting it in year 1 (at 7%).
        self.assertAlmostEqual(cut["deal"]["seller"]["net_proceeds_pv"]
                               - kept["deal"]["seller"]["net_proceeds_pv"],
                               27652 - 27652 / 1.07, delta=1e-6)
        # The buyer (13%): -27,652 - 15,000 at closing, +27,652 in year 1, +15,000 in year 6.
        self.assertAlmostEqual(cut["deal"]["buyer"]["npv"] - kept["deal"]["buyer"]["npv"],
                               -27652 - 15000 + 27652 / 1.13 + 15000 / 1.13 ** 6, delta=1e-6)
        # The cut-off is not debt service: the cover is the same.
        self.assertEqual(cut["deal"]["buyer"]["financing"]["dscr"],
                         kept["deal"]["buyer"]["financing"]["dscr"])


if __name__ == "__main__":
    e2e.main()
