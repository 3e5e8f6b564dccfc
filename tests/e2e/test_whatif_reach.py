"""A what-if that names a top-level key reaches every client (DESIGN §2; issue 17 item 5).

`--set KEY=V`, a variant's `set: {KEY: V}`, a tornado entry or a grid axis naming margin,
revenue_growth, retention or transfer_retention at the top level replaces that key in every
segment and every client (inline or CSV) that sets it; `segments.NAME.KEY` changes only that
segment (its clients without their own value); `extends` keeps its deep merge.

Reference, independent of the code under test: constant retention valued in closed form, client
by client,
    V = sum_i m_i R_i sum_{t=1..H} (1+g_i)^(t-1) u_i r_i^t (1+d)^-t    (end of year, no tail),
with each client's (m, g, r, u) worked out by hand below from the precedence the scenario
states (own value > segment > scenario) and the what-if applied.
"""
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

TMP = tempfile.TemporaryDirectory(prefix="bookval-reach-")
H, D = 5, 0.12

BOOK = """name: Top-level what-ifs reach every client
currency: EUR
horizon_years: 5
discount_rate: 0.12
margin: 0.40
revenue_growth: 0.01
retention: 0.90
transfer_retention: 0.95
segments:
  A: {margin: 0.50, revenue_growth: 0.03, retention: 0.85, transfer_retention: 0.92}
  B: {margin: 0.30, revenue_growth: -0.02, retention: 0.93}
clients:
  - {id: n1, annual_revenue: 10000}
  - {id: a1, segment: A, annual_revenue: 20000}
  - {id: a2, segment: A, annual_revenue: 5000, margin: 0.60, retention: 0.80}
  - {id: b1, segment: B, annual_revenue: 15000}
"""

# Each client as the file gives it: R, then (m, g, r, u) by precedence.
BASE = {
    "n1": (10000, 0.40, 0.01, 0.90, 0.95),   # the scenario's values
    "a1": (20000, 0.50, 0.03, 0.85, 0.92),   # segment A's
    "a2": (5000, 0.60, 0.03, 0.80, 0.92),    # its own margin and retention, A's others
    "b1": (15000, 0.30, -0.02, 0.93, 0.95),  # segment B's, the scenario's u
}
FIELD = {"margin": 1, "revenue_growth": 2, "retention": 3, "transfer_retention": 4}


def hand(book):
    total = []
    for r_i, m, g, r, u in book.values():
        total += [m * r_i * (1 + g) ** (t - 1) * u * r ** t * (1 + D) ** -t
                  for t in range(1, H + 1)]
    return math.fsum(total)


def with_(book, key, value, ids):
    """The book with `key` at `value` for the clients `ids`."""
    out = dict(book)
    for i in ids:
        row = list(out[i])
        row[FIELD[key]] = value
        out[i] = tuple(row)
    return out


EVERYONE = ("n1", "a1", "a2", "b1")


def write(name, text):
    return e2e.write(os.path.join(TMP.name, name), text)


class TopLevelReach(unittest.TestCase):
    def close(self, got, want, what):
        self.assertAlmostEqual(got, want, delta=1e-10 * abs(want), msg=what)

    def test_base_is_the_closed_form(self):
        self.close(e2e.run_json(write("base.yaml", BOOK))["dcf"]["value"], hand(BASE), "base")

    def test_top_level_set_and_variant_reach_every_segment_and_client(self):
        cases = [("margin", 0.33), ("revenue_growth", 0.0), ("retention", 0.87),
                 ("transfer_retention", 0.9)]
        variants = "variants:\n" + "".join(
            f"  - {{name: {k}, set: {{{k}: {v}}}}}\n" for k, v in cases)
        path = write("variants.yaml", BOOK + variants)
        j = e2e.run_json(path)
        by_name = {x["name"]: x for x in j["variants"]}
        for key, value in cases:
            with self.subTest(key=key):
                want = hand(with_(BASE, key, value, EVERYONE))
                got = e2e.run_json(write("plain.yaml", BOOK), "--set", f"{key}={value}")
                self.close(got["dcf"]["value"], want, f"--set {key}")
                self.close(by_name[key]["dcf"]["value"], want, f"variant {key}")
                # A variant equals the same --set run, to the bit.
                self.assertEqual(by_name[key]["dcf"]["value"], got["dcf"]["value"])
                # Every segment moved: a value different from the base in each.
                self.assertNotEqual(want, hand(BASE))

    def test_segment_path_changes_only_that_segment(self):
        variants = ("variants:\n  - {name: A only, set: {segments.A.margin: 0.33}}\n"
                    "  - {name: B only, set: {segments.B.retention: 0.8}}\n")
        j = e2e.run_json(write("seg.yaml", BOOK + variants))
        v = {x["name"]: x for x in j["variants"]}
        # a2 keeps its own margin; n1 and b1 are not in A.
        self.close(v["A only"]["dcf"]["value"], hand(with_(BASE, "margin", 0.33, ["a1"])), "A")
        self.close(v["B only"]["dcf"]["value"], hand(with_(BASE, "retention", 0.8, ["b1"])), "B")
        got = e2e.run_json(write("seg-plain.yaml", BOOK), "--set", "segments.A.margin=0.33")
        self.assertEqual(got["dcf"]["value"], v["A only"]["dcf"]["value"])

    def test_set_order_top_level_then_segment(self):
        """--set margin=0.33 --set segments.B.margin=0.2: all at 0.33, then B's at 0.2."""
        j = e2e.run_json(write("order.yaml", BOOK), "--set", "margin=0.33", "--set",
                         "segments.B.margin=0.2")
        want = with_(with_(BASE, "margin", 0.33, EVERYONE), "margin", 0.2, ["b1"])
        self.close(j["dcf"]["value"], hand(want), "order")

    def test_tornado_and_grid_points_reach_every_client(self):
        text = BOOK + ("sensitivity:\n  tornado:\n    - {parameter: retention, low: 0.8, "
                       "high: 0.95}\n  grid: {rows: {margin: [0.3, 0.45]}, "
                       "cols: {segments.A.margin: [0.2]}}\n")
        j = e2e.run_json(write("tornado.yaml", text))
        (t,) = j["sensitivity"]["tornado"]
        self.close(t["low_value"], hand(with_(BASE, "retention", 0.8, EVERYONE)), "low")
        self.close(t["high_value"], hand(with_(BASE, "retention", 0.95, EVERYONE)), "high")
        g = j["sensitivity"]["grid"]["values"]
        for i, m in enumerate([0.3, 0.45]):
            # the row reaches every client (a2's own margin too), then A's two take 0.2
            want = with_(with_(BASE, "margin", m, EVERYONE), "margin", 0.2, ["a1", "a2"])
            self.close(g[i][0], hand(want), f"grid {m}")

    def test_csv_clients_own_values_give_way(self):
        write("reach.csv", "id,annual_revenue,segment,margin\n"
                           "n1,10000,,\na1,20000,A,\na2,5000,A,0.60\nb1,15000,B,\n")
        text = BOOK.split("clients:")[0] + "clients_csv: reach.csv\n"
        path = write("csv.yaml", text)
        book = with_(BASE, "retention", 0.85, ["a2"])  # the CSV gives a2 no own retention
        self.close(e2e.run_json(path)["dcf"]["value"], hand(book), "csv base")
        got = e2e.run_json(path, "--set", "margin=0.33")
        self.close(got["dcf"]["value"], hand(with_(book, "margin", 0.33, EVERYONE)), "csv set")
        j = e2e.run_json(write("csv-var.yaml", text + "variants:\n  - {name: m, set: {margin: "
                                                          "0.33}}\n"))
        self.assertEqual(j["variants"][0]["dcf"]["value"], got["dcf"]["value"])

    def test_extends_keeps_its_deep_merge(self):
        """A file's top-level margin over a model's segments: the segments keep theirs."""
        write("reach-model.yaml", "segments:\n  A: {margin: 0.50, revenue_growth: 0.03, "
                                  "retention: 0.85, transfer_retention: 0.92}\n"
                                  "  B: {margin: 0.30, revenue_growth: -0.02, retention: 0.93}\n")
        text = "extends: ./reach-model.yaml\n" + BOOK.replace(
            "segments:\n  A: {margin: 0.50, revenue_growth: 0.03, retention: 0.85, "
            "transfer_retention: 0.92}\n  B: {margin: 0.30, revenue_growth: -0.02, "
            "retention: 0.93}\n", "")
        j = e2e.run_json(write("extends.yaml", text))
        self.close(j["dcf"]["value"], hand(BASE), "extends")


if __name__ == "__main__":
    e2e.main()
