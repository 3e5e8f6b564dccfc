"""One convention end to end (issue 17, items 2-4 and 7): the book's cash follows `timing` in
the buyer's NPV; the after-tax DCF with the tax amortisation benefit; inactive clients left
out; the buyer's measures without the seller's credit.

Every reference is worked from the stated formulas in this file (mpmath at 40 digits), never
from an engine number.
"""
import os
import tempfile
import unittest

import mpmath as mp

import e2e

mp.mp.dps = 40

HEAD = """name: "Conventions"
currency: EUR
horizon_years: {H}
tail: none
discount_rate: {d}
margin: {m}
retention: {r}
revenue_growth: 0
"""


def run(text, *args):
    with tempfile.TemporaryDirectory(prefix="bookval-conv-") as tmp:
        path = e2e.write(os.path.join(tmp, "s.yaml"), text)
        return e2e.run_json(path, *args)


def pv_pre_tax(revenue, m, r, d, H, mid):
    """V = sum_t m R r^t / (1+d)^(t or t-1/2): the pre-tax DCF of constant-retention clients."""
    R = sum(mp.mpf(x) for x in revenue)
    return sum(mp.mpf(m) * R * mp.mpf(r) ** t / (1 + mp.mpf(d)) ** (t - (mp.mpf(1) / 2 if mid
                                                                         else 0))
               for t in range(1, H + 1))


def close(test, got, want, rel=1e-9):
    test.assertLessEqual(abs(mp.mpf(got) - want), rel * max(1, abs(want)), f"{got} vs {want}")


class MidYearDeal(unittest.TestCase):
    """With timing: mid_year the book's cash (and the buyer's tax on it) arrives mid-year; the
    price, interest and shield stay at year ends. So NPV_mid - NPV_end = (1 - T)(V_mid - V_end),
    V the pre-tax DCF at the buyer's rate b, tail: none."""

    def test_npv_difference(self):
        H, m, r, b, T = 6, 0.4, 0.88, 0.15, 0.25
        revenue = [15000, 10000]
        deal = f"""deal:
  price: 50000
  payments: [{{year: 0, share: 0.6}}, {{year: 2, share: 0.4}}]
  interest_rate: 0.03
buyer: {{discount_rate: {b}, tax_rate: {T}, amortization_years: 5, acquisition_costs: 1000}}
clients:
  - {{id: A, annual_revenue: {revenue[0]}}}
  - {{id: B, annual_revenue: {revenue[1]}}}
"""
        npv = {}
        for timing in ("end_of_year", "mid_year"):
            text = HEAD.format(H=H, d=0.2, m=m, r=r) + f"timing: {timing}\n" + deal
            npv[timing] = run(text)["deal"]["buyer"]["npv"]
        want = (1 - mp.mpf(T)) * (pv_pre_tax(revenue, m, r, b, H, True) -
                                  pv_pre_tax(revenue, m, r, b, H, False))
        close(self, mp.mpf(npv["mid_year"]) - mp.mpf(npv["end_of_year"]), want)


class AfterTaxDcf(unittest.TestCase):
    """Two clients of 15,000 and 10,000, margin 0.4, retention 0.9, d = 0.12, H = 5, end of
    year, tax 25%, amortised over 10 years: V = PV_after-tax / (1 - T a(N, d) / N) with
    PV_after-tax = (1 - T) sum_t 0.4 x 25,000 x 0.9^t / 1.12^t and
    a(10, 0.12) = (1 - 1.12^-10) / 0.12 = 5.650223...
    By hand: sum_t (0.9/1.12)^t for t = 1..5 = q (1 - q^5) / (1 - q), q = 0.803571...,
    q^5 = 0.335060, = 0.803571 x 0.664940 / 0.196429 = 2.72022; PV pre-tax = 10,000 x that
    = 27,202.2; after tax x 0.75 = 20,401.7; 1 - 0.25 x 5.650223 / 10 = 0.858744;
    V = 20,401.7 / 0.858744 = 23,757.4."""

    def test_two_clients_by_hand(self):
        text = HEAD.format(H=5, d=0.12, m=0.4, r=0.9) + """tax_rate: 0.25
amortization_years: 10
clients:
  - {id: A, annual_revenue: 15000}
  - {id: B, annual_revenue: 10000}
"""
        out = run(text)
        q = mp.mpf("0.9") / mp.mpf("1.12")
        pre = 10000 * q * (1 - q ** 5) / (1 - q)
        a = (1 - mp.mpf("1.12") ** -10) / mp.mpf("0.12")
        want = mp.mpf("0.75") * pre / (1 - mp.mpf("0.25") * a / 10)
        self.assertAlmostEqual(float(want), 23757.4, delta=0.1)  # the hand figure above
        close(self, out["dcf"]["value"], want)
        self.assertEqual(out["dcf"]["cash_flows"], "after_tax")
        # cash_flows: pre_tax gives back the pre-tax DCF at the same rate.
        pre_out = run(text + "cash_flows: pre_tax\n")
        close(self, pre_out["dcf"]["value"], pre)

    def test_keep_rate_defaults_to_the_valuation_rate(self):
        # With after-tax cash the seller's keep rate defaults to the valuation's rate: with no
        # pay for his work, no income tax, no transfer loss and years = H it equals
        # (1 - income tax 0) x the pre-tax DCF at 0.12 (issue 16).
        text = HEAD.format(H=5, d=0.12, m=0.4, r=0.9) + """tax_rate: 0.25
amortization_years: 10
deal: {price: 20000}
seller: {discount_rate: 0.05, keep: {}}
clients:
  - {id: A, annual_revenue: 15000}
  - {id: B, annual_revenue: 10000}
"""
        out = run(text)
        q = mp.mpf("0.9") / mp.mpf("1.12")
        close(self, out["deal"]["seller"]["keep_pv"], 10000 * q * (1 - q ** 5) / (1 - q))


class InactiveClients(unittest.TestCase):
    """An inactive client adds nothing to value, price base or counts (inactive_clients:
    exclude, the default); `value` values it as live; {reactivation: p} at p of its revenue."""

    BOOK = HEAD.format(H=5, d=0.12, m=0.4, r=0.9) + """market: {multiple_low: 0.5, multiple_high: 1.5}
provision: {buckets: [[0, 0.01], [90, 0.2], [365, 0.5]]}
deal: {price: {multiple: 1.0}}
buyer: {discount_rate: 0.12}
clients:
  - {id: A, annual_revenue: 15000, receivable: 1000, receivable_age_days: 10}
  - {id: B, annual_revenue: 10000, active: false, receivable: 2000, receivable_age_days: 10}
"""

    def test_excluded(self):
        out = run(self.BOOK)
        only_a = run(self.BOOK.replace(
            "  - {id: B, annual_revenue: 10000, active: false, receivable: 2000, "
            "receivable_age_days: 10}\n", ""))
        q = mp.mpf("0.9") / mp.mpf("1.12")
        close(self, out["dcf"]["value"], 15000 * mp.mpf("0.4") * q * (1 - q ** 5) / (1 - q))
        close(self, out["dcf"]["value"], only_a["dcf"]["value"])
        self.assertEqual(out["book"]["annual_revenue"], 15000)
        self.assertEqual(out["deal"]["base_price"], 15000)          # 1.0 x the price base
        self.assertEqual(out["book"]["top1_share"], 1)              # B is out of concentration
        self.assertEqual(out["book"]["clients"], 2)                 # still listed
        # B's receivable at the last bucket's rate (50%), A's by its age (1%).
        close(self, out["book"]["provision"], 1000 * mp.mpf("0.01") + 2000 * mp.mpf("0.5"))

    def test_value_and_reactivation(self):
        full = run(self.BOOK + "inactive_clients: value\n")
        half = run(self.BOOK + "inactive_clients: {reactivation: 0.5}\n")
        q = mp.mpf("0.9") / mp.mpf("1.12")
        unit = mp.mpf("0.4") * q * (1 - q ** 5) / (1 - q)
        close(self, full["dcf"]["value"], 25000 * unit)
        close(self, half["dcf"]["value"], 20000 * unit)
        self.assertEqual(half["book"]["annual_revenue"], 20000)
        close(self, full["book"]["provision"], 3000 * mp.mpf("0.01"))

    def test_inactive_rate(self):
        out = run(self.BOOK.replace("provision: {buckets:",
                                    "provision: {inactive_rate: 0.8, buckets:"))
        close(self, out["book"]["provision"], 1000 * mp.mpf("0.01") + 2000 * mp.mpf("0.8"))


class BuyerMeasures(unittest.TestCase):
    """Walk-away as structured and all cash; the book's own IRR at the expected price in cash
    at closing; payback undiscounted and discounted. Book: one client of 10,000, margin 0.5,
    retention 0.8, H = 4, no tax: cash_t = 5,000 x 0.8^t."""

    def test_measures(self):
        text = HEAD.format(H=4, d=0.1, m=0.5, r=0.8) + """deal:
  price: 9000
  payments: [{year: 0, share: 0.5}, {year: 2, share: 0.5}]
buyer: {discount_rate: 0.1}
clients:
  - {id: A, annual_revenue: 10000}
"""
        out = run(text)["deal"]["buyer"]
        cash = [5000 * mp.mpf("0.8") ** t for t in range(1, 5)]
        b = mp.mpf("0.1")
        pv_book = sum(c / (1 + b) ** t for t, c in enumerate(cash, 1))
        # All cash at closing: NPV = PV(book) - P = 0, so P = PV(book).
        close(self, out["max_price_cash"], pv_book)
        # As structured: 0.5 P now, 0.5 P in year 2 interest-free: P (0.5 + 0.5/1.1^2) = PV.
        close(self, out["max_price"], pv_book / (mp.mpf("0.5") + mp.mpf("0.5") / (1 + b) ** 2))
        # The book's own IRR at 9,000 in cash: sum cash_t / (1+x)^t = 9,000.
        irr = mp.findroot(lambda x: sum(c / (1 + x) ** t for t, c in enumerate(cash, 1)) - 9000,
                          0.1)
        close(self, out["book_irr"], irr, 1e-8)
        # Payback: flows -4,500, 4,000, 3,200 - 4,500, 2,560, 2,048: cumulative -500 after
        # year 1, -1,800 after 2, 760 after 3: year 3. Discounted at 10%: -4,500 + 3,636.4
        # - 1,074.4 + 1,923.4 + 1,398.8 = 1,384.2 >= 0 first in year 4 (after 3: -14.6).
        self.assertEqual(out["payback_year"], 3)
        self.assertEqual(out["discounted_payback_year"], 4)


if __name__ == "__main__":
    e2e.main()
