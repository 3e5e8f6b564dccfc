"""The buyer's IRR with timing: mid_year, solved with every flow at its true time, against a
bisection written here (no numpy, no engine figures):

A two-client book, constant retention r, growth g, transfer retention u, no run-off; the price
P = multiple x revenue paid in full at closing, acquisition costs c, the buyer's tax tau and a
straight-line write-off over N years. The buyer's flows:
  t = 0:        -(P + c)
  t - 0.5:      (1 - tau) m sum_i R_i (1+g)^(t-1) u r^t        (the book's cash, t = 1..H)
  t:            tau (P + c) / N                                 (the shield, t = 1..N)
The IRR is the i with sum c_j (1+i)^(-t_j) = 0. With the price all at closing and no true-up,
the book's own IRR (price in cash at closing) is the same rate. The year-end carry the engine
used before (mid-year cash carried to its year's end at the buyer's rate, then an annual IRR)
gives another number: the test shows the two apart, so it cannot pass on the old rule.
The NPV at the buyer's rate b is the same sum at i = b, so the break-even of the buyer's
rate (where that NPV is 0) is this IRR too.
"""
import os
import sys
import tempfile
import unittest

from mpmath import mp, mpf

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402
from deal_reference import scenario_text  # noqa: E402

mp.dps = 40
TMP = tempfile.TemporaryDirectory(prefix="bookval-irr-")

M, G, U, R = mpf("0.3725"), mpf("0.0215"), mpf("0.9437"), mpf("0.8835")
REVENUE = mpf("12480.35") + mpf("8415.66")
H, N, TAU, COSTS, MULTIPLE, B = 8, 15, mpf("0.21"), mpf("450"), mpf("0.95"), mpf("0.1475")


def scenario(timing):
    return {
        "name": "Mid-year IRR",
        "currency": "EUR",
        "horizon_years": H,
        "timing": timing,
        "discount_rate": 0.1175,
        "margin": 0.3725,
        "revenue_growth": 0.0215,
        "transfer_retention": 0.9437,
        "retention": 0.8835,
        "tail": "none",
        "clients": [{"id": "A", "annual_revenue": 12480.35},
                    {"id": "B", "annual_revenue": 8415.66}],
        "deal": {"price": {"multiple": 0.95}, "payments": [{"year": 0, "share": 1.0}]},
        "buyer": {"discount_rate": 0.1475, "acquisition_costs": 450.0, "tax_rate": 0.21,
                  "amortization_years": N},
    }


def flows():
    """(time, amount) of every buyer flow."""
    paid = MULTIPLE * REVENUE + COSTS
    out = [(mpf(0), -paid)]
    for t in range(1, H + 1):
        out.append((t - mpf("0.5"), (1 - TAU) * M * REVENUE * (1 + G) ** (t - 1) * U * R ** t))
    for t in range(1, N + 1):
        out.append((mpf(t), TAU * paid / N))
    return out


def pv(rate, fl):
    return sum(a * (1 + rate) ** (-t) for t, a in fl)


def bisect(f, lo, hi):
    flo = f(lo)
    for _ in range(200):
        mid = (lo + hi) / 2
        if (f(mid) > 0) == (flo > 0):
            lo, flo = mid, f(mid)
        else:
            hi = mid
    return (lo + hi) / 2


def run(timing):
    path = e2e.write(os.path.join(TMP.name, f"{timing}.yaml"), scenario_text(scenario(timing)))
    return e2e.run_json(path)


class MidYearIrr(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = run("mid_year")
        cls.fl = flows()
        cls.irr = bisect(lambda i: pv(i, cls.fl), mpf("-0.5"), mpf("2"))

    def test_irr_has_every_flow_at_its_time(self):
        buyer = self.out["deal"]["buyer"]
        self.assertAlmostEqual(buyer["irr"], float(self.irr), delta=1e-10)
        self.assertAlmostEqual(buyer["book_irr"], float(self.irr), delta=1e-10)
        # The PV at the IRR is 0 and at the buyer's rate it is the NPV.
        self.assertLess(abs(pv(mpf(repr(buyer["irr"])), self.fl)), 1e-5)
        self.assertAlmostEqual(buyer["npv"], float(pv(B, self.fl)), delta=1e-7)

    def test_not_the_year_end_carry(self):
        # Carrying the mid-year cash to year end at b, then an annual IRR: another rate.
        carried = [(t if t == int(t) else t + mpf("0.5"),
                    a * ((1 + B) ** mpf("0.5") if t != int(t) else 1)) for t, a in self.fl]
        old = bisect(lambda i: pv(i, carried), mpf("-0.5"), mpf("2"))
        self.assertGreater(abs(old - self.irr), 1e-4)
        self.assertGreater(abs(self.out["deal"]["buyer"]["irr"] - float(old)), 1e-4)

    def test_buyers_rate_break_even_is_the_irr(self):
        # The break-even of buyer.discount_rate zeroes the NPV, which values the mid-year cash
        # exactly at that rate: it is the IRR with every flow at its time.
        sc = scenario("mid_year")
        sc["sensitivity"] = {"tornado": ["buyer.discount_rate"]}
        path = e2e.write(os.path.join(TMP.name, "tornado.yaml"), scenario_text(sc))
        (b,) = e2e.run_json(path)["sensitivity"]["break_even"]
        self.assertAlmostEqual(b["value"], float(self.irr), delta=1e-9)

    def test_end_of_year_irr(self):
        # With end_of_year timing the book's cash is at t: the same bisection at year ends.
        fl = [(t if t == int(t) else t + mpf("0.5"), a) for t, a in self.fl]
        irr = bisect(lambda i: pv(i, fl), mpf("-0.5"), mpf("2"))
        self.assertAlmostEqual(run("end_of_year")["deal"]["buyer"]["irr"], float(irr),
                               delta=1e-10)


if __name__ == "__main__":
    e2e.main()
