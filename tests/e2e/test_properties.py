"""Properties any valuation must have, checked on seeded random books (hardening, item 5):
a higher discount rate never raises the value; doubling every revenue doubles it; retention 1
with no growth and no tail is the undiscounted annuity of the margin times H when the rate is
0; the Monte Carlo with nothing uncertain and no churn is the DCF; a book split into two
scenarios sums to the whole."""
import os
import random
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

RETENTIONS = ["0.8815", "{curve: [0.7925, 0.8615, 0.9035]}", "{sbg: {alpha: 0.835, beta: 4.27}}"]


def book(rng, n, retention, extra="", tail="none"):
    """A scenario text with n random clients in two segments."""
    lines = [f"name: property book\ncurrency: EUR\nhorizon_years: {rng.randint(3, 15)}",
             f"tail: {tail}\ndiscount_rate: {rng.uniform(0.06, 0.2):.4f}",
             f"revenue_growth: {rng.uniform(0, 0.04):.4f}\nmargin: {rng.uniform(0.2, 0.5):.4f}",
             f"retention: {retention}",
             "segments:\n  a: {margin: 0.4215}\n  b: {transfer_retention: 0.9125}", extra,
             "clients:"]
    for i in range(n):
        lines.append(f"  - {{id: c{i}, segment: {'ab'[i % 2]}, "
                     f"annual_revenue: {rng.uniform(300, 30000):.2f}, "
                     f"tenure_years: {rng.randint(0, 20)}}}")
    return "\n".join(lines) + "\n"


def value(tmp, text, *args):
    return e2e.run_json(e2e.write(os.path.join(tmp, "p.yaml"), text), *args)


class Properties(unittest.TestCase):
    def test_higher_discount_never_raises_the_value(self):
        rng = random.Random(11)
        with tempfile.TemporaryDirectory() as tmp:
            for retention in RETENTIONS:
                for tail in ("none", "runoff"):
                    text = book(rng, 9, retention, tail=tail)
                    values = [value(tmp, text, "--set", f"discount_rate={d}")["dcf"]["value"]
                              for d in (0.05, 0.0837, 0.12, 0.2, 0.35)]
                    with self.subTest(retention=retention, tail=tail):
                        self.assertEqual(values, sorted(values, reverse=True))

    def test_doubling_every_revenue_doubles_the_value(self):
        rng = random.Random(12)
        with tempfile.TemporaryDirectory() as tmp:
            for retention in RETENTIONS:
                text = book(rng, 11, retention, tail="runoff")
                doubled = []
                for line in text.splitlines():
                    if "annual_revenue:" in line:
                        head, rest = line.split("annual_revenue: ")
                        amount, tail = rest.split(",", 1)
                        line = f"{head}annual_revenue: {2 * float(amount):.2f},{tail}"
                    doubled.append(line)
                one = value(tmp, text)["dcf"]["value"]
                two = value(tmp, "\n".join(doubled) + "\n")["dcf"]["value"]
                with self.subTest(retention=retention):
                    self.assertAlmostEqual(two, 2 * one, delta=1e-9 * two)

    def test_retention_one_no_growth_no_tail_is_the_annuity(self):
        # Every client stays; revenue R every year; at a zero rate the value is m R H exactly,
        # and at rate d it is m R (1 - (1+d)^-H) / d.
        with tempfile.TemporaryDirectory() as tmp:
            text = ("name: annuity\ncurrency: EUR\nhorizon_years: 7\ndiscount_rate: 0\n"
                    "margin: 0.3725\nretention: 1\nclients:\n"
                    "  - {id: a, annual_revenue: 2385.17}\n  - {id: b, annual_revenue: 947.5}\n")
            R = 2385.17 + 947.5
            self.assertAlmostEqual(value(tmp, text)["dcf"]["value"], 0.3725 * R * 7,
                                   delta=1e-9 * R)
            d = 0.0837
            got = value(tmp, text, "--set", f"discount_rate={d}")["dcf"]["value"]
            self.assertAlmostEqual(got, 0.3725 * R * (1 - (1 + d) ** -7) / d, delta=1e-9 * R)

    def test_monte_carlo_without_uncertainty_or_churn_is_the_dcf(self):
        rng = random.Random(13)
        with tempfile.TemporaryDirectory() as tmp:
            for retention in RETENTIONS:
                text = book(rng, 13, retention, tail="runoff",
                            extra="monte_carlo: {iterations: 50, seed: 5, client_churn: false}")
                s = value(tmp, text)
                with self.subTest(retention=retention):
                    self.assertEqual(s["monte_carlo"]["mean"], s["dcf"]["value"])
                    self.assertEqual(s["monte_carlo"]["sd"], 0)

    def test_a_book_split_in_two_sums_to_the_whole(self):
        rng = random.Random(14)
        with tempfile.TemporaryDirectory() as tmp:
            for retention in RETENTIONS:
                text = book(rng, 16, retention, tail="runoff")
                head, clients = text.split("clients:\n")
                rows = clients.strip("\n").split("\n")
                whole = value(tmp, text)["dcf"]
                first = value(tmp, head + "clients:\n" + "\n".join(rows[:7]) + "\n")["dcf"]
                second = value(tmp, head + "clients:\n" + "\n".join(rows[7:]) + "\n")["dcf"]
                with self.subTest(retention=retention):
                    for key in ("value", "horizon_value", "tail_value"):
                        self.assertAlmostEqual(first[key] + second[key], whole[key],
                                               delta=1e-9 * whole["value"])


if __name__ == "__main__":
    e2e.main()
