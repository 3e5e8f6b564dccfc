"""retention_scale end to end: every renewal probability r_i(k) of every client valued as
min(1, s r_i(k)), for each retention model, in every figure that uses retention; and the
tornado's order. Every reference is worked here from the stated formulas (README
"Conventions"), never fed back from the engine:

- constant retention r: survival S(t) = u min(1, s r)^t, so for a client of revenue R
    V = m R [ sum_{t=1..H} (1+g)^(t-1) S(t) (1+d)^-t  +  PV_H q / (1 - q) ],
  q = min(1, s r) (1+g)/(1+d) the run-off's ratio, PV_H the year-H term;
- a curve c_1..c_n: r(k) = min(1, s c_k), c_n repeated, the run-off geometric after c_n;
- sBG (alpha, beta) with tenure n: r(k) = min(1, s (beta+n+k-1)/(alpha+beta+n+k-1)); beyond
  the horizon the run-off factor is sum_{j>=1} x^j prod_{i=1..j} min(1, s (b+i-1)/(a+b+i-1)),
  b = beta+n+H, x = (1+g)/(1+d): for s < 1 no rate reaches the cap and it is the closed form
  2F1(1, b; a+b; s x) - 1 (mpmath's hyp2f1); for s > 1 the rates reach 1 once
  b+i-1 >= a/(s-1), summed here term by term to there and geometric after;
- the Monte Carlo's churn, the deal's true-up on retained revenue and the seller's value of
  keeping use the same scaled survival: a churned mean within 4 standard errors of the scaled
  DCF, a true-up price of multiple x retained revenue, and the keep value, each by hand;
- a tornado or break-even point is a full revaluation: equal to `--set retention_scale=x`, and
  the buyer's NPV re-run at the break-even is 0.
"""
import copy
import os
import sys
import tempfile
import unittest
import zipfile

from mpmath import hyp2f1, mp, mpf

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402
from deal_reference import scenario_text  # noqa: E402  (the deal tests' YAML writer)

mp.dps = 40
TMP = tempfile.TemporaryDirectory(prefix="bookval-scale-")
_count = [0]


def run(sc, *args):
    _count[0] += 1
    path = e2e.write(os.path.join(TMP.name, f"s{_count[0]}.yaml"), scenario_text(sc))
    return e2e.run_json(path, *args)


def with_scale(sc, s):
    out = copy.deepcopy(sc)
    out["retention_scale"] = s
    return out


D, M, G, U, H = mpf("0.1175"), mpf("0.3725"), mpf("0.0215"), mpf("0.9437"), 4
R_A, R_B = mpf("12480.35"), mpf("8415.66")


def base(**over):
    sc = {
        "name": "Two clients, scaled retention",
        "currency": "EUR",
        "horizon_years": H,
        "discount_rate": 0.1175,
        "margin": 0.3725,
        "revenue_growth": 0.0215,
        "transfer_retention": 0.9437,
        "retention": 0.8835,
        "tail": "runoff",
        "clients": [{"id": "A", "annual_revenue": 12480.35, "tenure_years": 2},
                    {"id": "B", "annual_revenue": 8415.66, "tenure_years": 7,
                     "retention": 0.9715}],
    }
    sc.update(over)
    return sc


def one_model_book(retention, s, **over):
    """Both clients on the scenario's retention model (no own rate), scaled by s."""
    sc = base(retention=retention, **over)
    del sc["clients"][1]["retention"]
    return with_scale(sc, s)


def check_scales(test, book, reference, scales, what, rel=1e-12):
    for s in scales:
        with test.subTest(s=s):
            got = run(book(float(s)))["dcf"]["value"]
            close(test, got, reference(mpf(s)), f"{what}, s = {s}", rel=rel)


def cap(x):
    return x if x < 1 else mpf(1)


def unit_value(rates, tail_factor, horizon=H, d=D):
    """Per unit of revenue: m sum_t (1+g)^(t-1) u prod r (1+d)^-t, plus PV_H x tail factor,
    with rates(k) the scaled renewal probability of year k and tail_factor(pv_h) the run-off
    per unit of year H's PV."""
    s, total, pv = U, mpf(0), mpf(0)
    for t in range(1, horizon + 1):
        s *= rates(t)
        pv = M * (1 + G) ** (t - 1) * s / (1 + d) ** t
        total += pv
    return total + pv * tail_factor


def geometric_tail(r):
    q = r * (1 + G) / (1 + D)
    return q / (1 - q)


def close(test, got, want, what, rel=1e-12):
    test.assertAlmostEqual(got, float(want), delta=rel * abs(float(want)) + 1e-9, msg=what)


class ConstantRetention(unittest.TestCase):
    def reference(self, s):
        ra, rb = cap(s * mpf("0.8835")), cap(s * mpf("0.9715"))
        return (R_A * unit_value(lambda k: ra, geometric_tail(ra)) +
                R_B * unit_value(lambda k: rb, geometric_tail(rb)))

    def test_scale_below_one(self):
        # 0.8835 x 0.9625 = 0.85036875 and 0.9715 x 0.9625 = 0.93506875: no cap.
        got = run(with_scale(base(), 0.9625))["dcf"]["value"]
        close(self, got, self.reference(mpf("0.9625")), "s = 0.9625")

    def test_cap_at_one(self):
        # 0.9715 x 1.0375 = 1.00793... > 1: client B renews for sure, its run-off ratio is
        # (1+g)/(1+d) = 1.0215/1.1175; client A's 0.8835 x 1.0375 = 0.91663125 stays below.
        got = run(with_scale(base(), 1.0375))["dcf"]["value"]
        want = self.reference(mpf("1.0375"))
        close(self, got, want, "s = 1.0375")
        # The cap matters: B's rate uncapped would give a larger value.
        ra, rb = mpf("1.0375") * mpf("0.8835"), mpf("1.0375") * mpf("0.9715")
        uncapped = (R_A * unit_value(lambda k: ra, geometric_tail(ra)) +
                    R_B * unit_value(lambda k: rb, geometric_tail(rb)))
        self.assertGreater(float(uncapped - want), 100.0)

    def test_default_one_is_the_model_as_written(self):
        plain = run(base())
        one = run(with_scale(base(), 1.0))
        self.assertEqual(plain["dcf"]["value"], one["dcf"]["value"])
        close(self, plain["dcf"]["value"], self.reference(mpf(1)), "s = 1")

    def test_set_equals_the_key_in_the_file(self):
        in_file = run(with_scale(base(), 0.9625))
        by_set = run(base(), "--set", "retention_scale=0.9625")
        self.assertEqual(in_file["dcf"]["value"], by_set["dcf"]["value"])


class CurveRetention(unittest.TestCase):
    CURVE = [mpf("0.8375"), mpf("0.9125"), mpf("0.9541")]

    def reference(self, s):
        rates = [cap(s * c) for c in self.CURVE]
        r = lambda k: rates[min(k, len(rates)) - 1]  # noqa: E731
        return (R_A + R_B) * unit_value(r, geometric_tail(rates[-1]), horizon=5)

    def curve_book(self, s):
        return one_model_book({"curve": [0.8375, 0.9125, 0.9541]}, s, horizon_years=5)

    def test_curve_scaled_and_capped(self):
        # s = 1.0625: 0.88984375, 0.96953125, and 0.9541 x 1.0625 = 1.01373... -> 1 from year 3
        # on, so the run-off is geometric in (1+g)/(1+d).
        check_scales(self, self.curve_book, self.reference, ("0.9375", "1.0625"), "curve")


class SbgRetention(unittest.TestCase):
    A, B = mpf("0.7"), mpf("3.8")

    def rate(self, n, k, s):
        b = self.B + n + k - 1
        return cap(s * b / (self.A + b))

    def tail(self, n, s):
        x = (1 + G) / (1 + D)
        b = self.B + n + H
        if s < 1:  # the closed form: no rate reaches the cap
            return hyp2f1(1, b, self.A + b, s * x) - 1
        total, term, i = mpf(0), mpf(1), 1
        while s * (b + i - 1) / (self.A + b + i - 1) < 1:
            term *= x * s * (b + i - 1) / (self.A + b + i - 1)
            total += term
            i += 1
        return total + term * x / (1 - x)  # every later rate is 1

    def reference(self, s):
        return sum(R * unit_value(lambda k, n=n: self.rate(n, k, s), self.tail(n, s))
                   for R, n in ((R_A, 2), (R_B, 7)))

    def sbg_book(self, s):
        return one_model_book({"sbg": {"alpha": 0.7, "beta": 3.8}}, s)

    def test_sbg_scaled_per_year_rates(self):
        # s = 1.04 caps the run-off's rates once beta+n+H+i-1 >= 0.7/0.04 = 17.5 (i = 9 for
        # tenure 2, i = 4 for tenure 7); s = 0.9375 never reaches the cap.
        check_scales(self, self.sbg_book, self.reference, ("0.9375", "1.04"), "sBG", rel=1e-11)

    def test_sbg_scale_one_is_unscaled(self):
        plain = self.sbg_book(1.0)
        del plain["retention_scale"]
        self.assertEqual(run(self.sbg_book(1.0))["dcf"]["value"], run(plain)["dcf"]["value"])


class EveryFigure(unittest.TestCase):
    """The Monte Carlo's churn, the true-up and the value of keeping take the same scale."""

    def test_monte_carlo_churn(self):
        clients = [{"id": f"C{i:02d}", "annual_revenue": 1000 + 137.25 * i} for i in range(40)]
        sc = base(tail="none", clients=clients,
                  monte_carlo={"iterations": 20000, "seed": 29, "client_churn": True})
        total = sum(mpf(repr(c["annual_revenue"])) for c in clients)
        for s in ("0.9625", "1.0375"):
            r = cap(mpf(s) * mpf("0.8835"))
            want = total * unit_value(lambda k, r=r: r, 0)
            unscaled = total * unit_value(lambda k: mpf("0.8835"), 0)
            with self.subTest(s=s):
                out = run(with_scale(sc, float(s)))
                close(self, out["dcf"]["value"], want, "DCF")
                mc = out["monte_carlo"]
                self.assertLess(abs(mc["mean"] - float(want)), 4 * mc["se"])
                self.assertGreater(abs(mc["mean"] - float(unscaled)), 8 * mc["se"])

    def test_true_up_and_keep(self):
        # Final price = 1.15 x the revenue retained in year 2:
        #   1.15 sum_i R_i (1+g) u min(1, s r_i)^2.
        # Keeping (no sale shock, no pay, income tax 30%, 3 years at 12%):
        #   0.7 sum_{t=1..3} m sum_i R_i (1+g)^(t-1) min(1, s r_i)^t / 1.12^t.
        s = mpf("1.0375")
        sc = base(tail="none", timing="end_of_year",
                  deal={"price": {"multiple": 1.0}, "payments": [{"year": 0, "share": 1.0}],
                        "adjustment": {"multiple": 1.15, "measure_year": 2}},
                  seller={"discount_rate": 0.05, "income_tax_rate": 0.3,
                          "keep": {"years": 3, "discount_rate": 0.12}})
        out = run(with_scale(sc, float(s)))
        rates = ((R_A, cap(s * mpf("0.8835"))), (R_B, cap(s * mpf("0.9715"))))
        price = mpf("1.15") * sum(R * (1 + G) * U * r ** 2 for R, r in rates)
        close(self, out["deal"]["expected_price"], price, "true-up price")
        keep = mpf("0.7") * sum(M * R * (1 + G) ** (t - 1) * r ** t / mpf("1.12") ** t
                                for R, r in rates for t in range(1, 4))
        close(self, out["deal"]["seller"]["keep"]["value"], keep, "keep value")


def buyer_book(**over):
    sc = base(tail="none",
              deal={"price": {"multiple": 0.85}, "payments": [{"year": 0, "share": 1.0}]},
              buyer={"discount_rate": 0.1475, "acquisition_costs": 450.0, "tax_rate": 0.0,
                     "amortization_years": 15})
    sc.update(over)
    return sc


class WhatIf(unittest.TestCase):
    def test_tornado_row_and_break_even(self):
        sc = buyer_book(sensitivity={"tornado": ["retention_scale"]})
        plain = buyer_book()
        out = run(sc)
        (t,) = out["sensitivity"]["tornado"]
        # A fixed 1 swings by +-10%.
        self.assertEqual((t["parameter"], t["low_input"], t["high_input"]),
                         ("retention_scale", 0.9, 1.1))
        for side in ("low", "high"):
            again = run(plain, "--set", f"retention_scale={t[side + '_input']!r}")
            self.assertEqual(t[f"{side}_value"], again["dcf"]["value"])
            self.assertEqual(t[f"{side}_npv"], again["deal"]["buyer"]["npv"])
        (b,) = out["sensitivity"]["break_even"]
        self.assertEqual(b["parameter"], "retention_scale")
        self.assertTrue(0 < b["value"] <= 2)
        at = run(plain, "--set", f"retention_scale={b['value']!r}")
        self.assertLess(abs(at["deal"]["buyer"]["npv"]), 0.01)

    def test_variant_equals_set(self):
        out = run(buyer_book(variants=[{"name": "Weaker renewals",
                                        "set": {"retention_scale": 0.9375}}]))
        again = run(buyer_book(), "--set", "retention_scale=0.9375")
        (v,) = out["variants"]
        # It reaches every client: both, all of the fees.
        self.assertEqual(v["reach"], [{"key": "retention_scale", "clients": 2,
                                       "revenue_share": 1}])
        self.assertEqual(v["dcf"]["value"], again["dcf"]["value"])
        self.assertEqual(v["deal"]["buyer"]["npv"], again["deal"]["buyer"]["npv"])

    def test_sbg_can_be_swung(self):
        sc = buyer_book(retention={"sbg": {"alpha": 0.7, "beta": 3.8}},
                        sensitivity={"tornado": [{"parameter": "retention_scale", "low": 0.9375,
                                                  "high": 1.04}]})
        del sc["clients"][1]["retention"]
        (t,) = run(sc)["sensitivity"]["tornado"]
        plain = {k: v for k, v in sc.items() if k != "sensitivity"}
        again = run(plain, "--set", "retention_scale=0.9375")
        self.assertEqual(t["low_value"], again["dcf"]["value"])
        self.assertLess(t["low_value"], t["high_value"])


class TornadoOrder(unittest.TestCase):
    """With a buyer the tornado is ranked by the swing of the buyer's NPV; ties keep the
    scenario's order; without one, by the swing of the DCF."""

    TORNADO = [{"parameter": "discount_rate", "low": 0.1, "high": 0.13},
               "deal.price.multiple",
               "margin",
               {"parameter": "discount_rate", "low": 0.09, "high": 0.14},
               "retention_scale",
               "buyer.discount_rate"]

    def test_ranked_by_the_buyers_npv(self):
        out = run(buyer_book(sensitivity={"tornado": self.TORNADO}))
        rows = out["sensitivity"]["tornado"]
        swings = [abs(t["high_npv"] - t["low_npv"]) for t in rows]
        self.assertEqual(swings, sorted(swings, reverse=True))
        # The scenario's rate moves the DCF but not the buyer's NPV (the buyer has its own):
        # both its rows are last, in the scenario's order, though the second swings the DCF more.
        self.assertEqual([(t["parameter"], t["low_input"]) for t in rows[-2:]],
                         [("discount_rate", 0.1), ("discount_rate", 0.09)])
        self.assertEqual(swings[-2:], [0, 0])
        self.assertGreater(abs(rows[-1]["high_value"] - rows[-1]["low_value"]),
                           abs(rows[-2]["high_value"] - rows[-2]["low_value"]))
        # The break-evens follow the same order.
        self.assertEqual([b["parameter"] for b in out["sensitivity"]["break_even"]],
                         [t["parameter"] for t in rows])
        self.check_sheet(rows)

    def check_sheet(self, rows):
        """The Sensitivity sheet lists the rows in the JSON's order (read from the xlsx XML:
        inline strings or the shared-string table)."""
        import openpyxl  # noqa: PLC0415
        _count[0] += 1
        path = e2e.write(os.path.join(TMP.name, f"s{_count[0]}.yaml"),
                         scenario_text(buyer_book(sensitivity={"tornado": self.TORNADO})))
        xlsx = os.path.join(TMP.name, f"s{_count[0]}.xlsx")
        p = e2e.run("run", path, "-o", xlsx, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        ws = openpyxl.load_workbook(xlsx)["Sensitivity"]
        names = [ws.cell(row=5 + i, column=1).value for i in range(len(rows))]
        self.assertEqual(names, [t["parameter"] for t in rows])
        self.assertEqual(ws.cell(row=4, column=12).value, "Buyer's NPV change at low")
        self.assertTrue(zipfile.is_zipfile(xlsx))

    def test_ranked_by_the_dcf_without_a_buyer(self):
        tornado = [t for t in self.TORNADO
                   if t not in ("deal.price.multiple", "buyer.discount_rate")]
        out = run(base(tail="none", sensitivity={"tornado": tornado}))
        rows = out["sensitivity"]["tornado"]
        swings = [abs(t["high_value"] - t["low_value"]) for t in rows]
        self.assertEqual(swings, sorted(swings, reverse=True))
        self.assertGreater(swings[0], swings[-1])


if __name__ == "__main__":
    e2e.main()
