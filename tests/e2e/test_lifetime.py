"""Diagnostics' lifetime measures (issue 17, item 9): the median remaining years and the
expected years within the horizon exist for every retention model (the mean over all future
years is unbounded under an sBG with alpha <= 1); inactive clients are left out of the
segment means and the median.

Closed forms, worked by hand: with transfer retention u and a constant rate r,
S(t) = u r^t, so the expected years within H are u r (1 - r^H) / (1 - r), and the median is
the first t with u r^t <= 1/2, t = ceil(ln(1/(2u)) / ln r). Under an sBG(alpha, beta) with
tenure 0, r(k) = (beta + k - 1) / (alpha + beta + k - 1).
"""
import math
import os
import tempfile
import unittest

from e2e import main, run, write


def scenario(retention, clients):
    return (f"name: lifetime\ncurrency: EUR\nhorizon_years: 10\ndiscount_rate: 0.1\n"
            f"margin: 0.4\ntransfer_retention: 0.9\nretention: {retention}\n"
            f"clients:\n" + "".join(
                f"  - {{id: C{i}, annual_revenue: 1000, active: {str(a).lower()}}}\n"
                for i, a in enumerate(clients)))


def sheet(xlsx, name):
    import openpyxl
    ws = openpyxl.load_workbook(xlsx, data_only=True)[name]
    return [[c.value for c in row] for row in ws.iter_rows()]


class Lifetime(unittest.TestCase):
    def run_book(self, retention, clients):
        tmp = tempfile.mkdtemp(prefix="bookval-life-")
        s = write(os.path.join(tmp, "s.yaml"), scenario(retention, clients))
        out, js = os.path.join(tmp, "o.xlsx"), os.path.join(tmp, "o.json")
        p = run("run", s, "-o", out, "--json", js, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        import json
        with open(js, encoding="utf-8") as f:
            return out, json.load(f)

    def test_constant_retention_closed_forms(self):
        u, r, H = 0.9, 0.8, 10
        out, d = self.run_book(r, [True, True, False])
        expected_years = u * r * (1 - r ** H) / (1 - r)
        median = math.ceil(math.log(1 / (2 * u)) / math.log(r))
        self.assertEqual(d["book"]["median_remaining_years"], median)
        rows = sheet(out, "Clients")
        col = rows[0].index("Expected years within the horizon")
        for row in rows[1:4]:
            self.assertAlmostEqual(row[col], expected_years, places=12)
        diag = sheet(out, "Diagnostics")
        labels = [row[0] for row in diag]
        self.assertEqual(diag[labels.index("Median remaining years (active clients)")][1],
                         median)
        # The segment mean counts the two active clients only (all three share the value).
        seg = [row for row in diag if row[0] == "(no segment)"][0]
        self.assertAlmostEqual(seg[5], expected_years, places=12)

    def test_sbg_alpha_below_one_is_bounded_within_the_horizon(self):
        a, b, u, H = 0.7, 2.0, 0.9, 10
        out, d = self.run_book(f"{{sbg: {{alpha: {a}, beta: {b}}}}}", [True])
        s, total, median = u, 0.0, None
        for k in range(1, 1001):
            s *= (b + k - 1) / (a + b + k - 1)
            if k <= H:
                total += s
            if median is None and s <= 0.5:
                median = k
        self.assertEqual(d["book"]["median_remaining_years"], median)
        rows = sheet(out, "Clients")
        col = rows[0].index("Expected years within the horizon")
        self.assertAlmostEqual(rows[1][col], total, places=12)
        self.assertNotIn("unbounded", [v for row in sheet(out, "Projection") for v in row])


if __name__ == "__main__":
    main()
