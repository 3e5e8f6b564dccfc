"""Provenance and the conclusion (issue 17, items 8 and 12).

Every input file read is listed with its path as given, SHA-256 and size, in the order read,
and every option that changes results; the thread count is not recorded, so a workbook is
byte-identical for any number of threads. The conclusion's reconciliation table on the
Summary sheet carries the same figures as the JSON's conclusion.
"""
import hashlib
import os
import shutil
import tempfile
import unittest
import zipfile

from e2e import ROOT, SCENARIOS, main, run, run_json, write

MODEL = """name: base model
currency: EUR
discount_rate: 0.12
margin: 0.4
retention: 0.9
"""

SCENARIO = """name: provenance check
extends: base.yaml
valuation_date: 2026-06-30
clients_csv: clients.csv
market: {multiple_low: 0.8, multiple_high: 1.2}
"""

CSV = "id,annual_revenue\nA,1000\nB,2500\n"


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Provenance(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bookval-prov-")
        write(os.path.join(self.tmp, "base.yaml"), MODEL)
        write(os.path.join(self.tmp, "clients.csv"), CSV)
        write(os.path.join(self.tmp, "s.yaml"), SCENARIO)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def summary(self, *args):
        return run_json("s.yaml", *args, cwd=self.tmp)

    def test_every_file_in_order_with_its_hash_and_size(self):
        d = self.summary()
        files = [(f["role"], f["path"]) for f in d["inputs"]]
        self.assertEqual(files, [("scenario", "s.yaml"), ("model", "base.yaml"),
                                 ("clients_csv", "clients.csv")])
        for f in d["inputs"]:
            p = os.path.join(self.tmp, f["path"])
            self.assertEqual(f["sha256"], sha(p))
            self.assertEqual(f["bytes"], os.path.getsize(p))
        self.assertEqual(d["scenario"]["sha256"], sha(os.path.join(self.tmp, "s.yaml")))
        self.assertEqual(d["options"], {"set": [], "iterations": None, "seed": None})

    def test_one_byte_of_the_model_or_the_csv_changes_its_hash(self):
        before = {f["path"]: f["sha256"] for f in self.summary()["inputs"]}
        write(os.path.join(self.tmp, "base.yaml"), MODEL.replace("0.12", "0.13"))
        after = {f["path"]: f["sha256"] for f in self.summary()["inputs"]}
        self.assertNotEqual(before["base.yaml"], after["base.yaml"])
        self.assertEqual(before["clients.csv"], after["clients.csv"])
        write(os.path.join(self.tmp, "clients.csv"), CSV.replace("2500", "2501"))
        again = {f["path"]: f["sha256"] for f in self.summary()["inputs"]}
        self.assertNotEqual(after["clients.csv"], again["clients.csv"])

    def test_options_that_change_results_are_recorded_in_order(self):
        d = self.summary("--set", "margin=0.33", "--set", "retention=0.8",
                         "--iterations", "200", "--seed", "7", "--threads", "2")
        self.assertEqual(d["options"], {"set": ["margin=0.33", "retention=0.8"],
                                        "iterations": 200, "seed": 7})

    def test_paths_are_never_made_absolute(self):
        d = self.summary()
        for f in d["inputs"]:
            self.assertFalse(os.path.isabs(f["path"]), f["path"])

    def test_workbook_identical_for_one_and_two_threads(self):
        outs = []
        for t in ("1", "2"):
            out = os.path.join(self.tmp, f"t{t}.xlsx")
            p = run("run", "s.yaml", "-o", out, "--iterations", "500", "--threads", t,
                    "--quiet", cwd=self.tmp)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(out, "rb") as f:
                outs.append(f.read())
        self.assertEqual(outs[0], outs[1])


def cached_values(xlsx, sheet_name):
    """{(row, col): cached value} of one sheet, read with openpyxl (data_only)."""
    import openpyxl
    wb = openpyxl.load_workbook(xlsx, data_only=True)
    ws = wb[sheet_name]
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row
            if c.value is not None}


class Conclusion(unittest.TestCase):
    def test_the_summary_table_matches_the_json(self):
        scenario = os.path.join(SCENARIOS, "practice-sale-seller.yaml")
        with tempfile.TemporaryDirectory(prefix="bookval-conc-") as tmp:
            out = os.path.join(tmp, "out.xlsx")
            js = os.path.join(tmp, "out.json")
            p = run("run", scenario, "-o", out, "--json", js, "--quiet")
            self.assertEqual(p.returncode, 0, p.stderr)
            import json
            with open(js, encoding="utf-8") as f:
                c = json.load(f)["conclusion"]
            cells = cached_values(out, "Summary")
        by_label = {}
        for (r, col), v in cells.items():
            if col == 1 and isinstance(v, str):
                by_label.setdefault(v, r)
        rec = c["reconciliation"]
        rows = {"DCF value": rec["dcf"]["value"],
                "Monte Carlo mean": rec["monte_carlo"]["value"],
                "Market range, low": rec["market"]["low"],
                "Market range, high": rec["market"]["high"],
                "Buyer's walk-away (expected price)": rec["buyer_walk_away"]["value"],
                "Seller's walk-away (expected price)": rec["seller_walk_away"]["value"],
                "Price offered (expected price)": rec["price_offered"]["value"]}
        for label, value in rows.items():
            r = by_label[label]
            self.assertAlmostEqual(cells[(r, 2)], value, delta=1e-6 * abs(value), msg=label)
            verdict = cells.get((r, 5))
            key = [k for k, v in rec.items() if v.get("value") == value and "market" in v]
            if verdict is not None and key:
                self.assertTrue(verdict.startswith(rec[key[0]]["market"]), (label, verdict))
        self.assertAlmostEqual(cells[(by_label["Concluded value"], 2)], c["value"],
                               delta=1e-6 * abs(c["value"]))
        self.assertEqual(cells[(by_label["Valuation date"], 2)], c["valuation_date"])
        self.assertEqual(cells[(by_label["Standard of value"], 2)], c["standard_of_value"])
        drivers = c["drivers"]
        for label, key in (("Margin", "margin"), ("Revenue growth (per year)", "revenue_growth"),
                           ("Transfer retention", "transfer_retention"),
                           ("Retention in year 1", "retention_year1"),
                           ("Fees expected in year 1", "retained_year1"),
                           ("Discount rate (the DCF's)", "discount_rate"),
                           ("Buyer's discount rate", "buyer_discount_rate"),
                           ("Seller's rate for keeping", "seller_keep_rate")):
            self.assertAlmostEqual(cells[(by_label[label], 2)], drivers[key], places=12,
                                   msg=label)
        # Year 1's fees are those that survive the sale times those that renew (no growth in
        # year 1): sum R S(1) / sum R = (sum R u / sum R) (sum R S(1) / sum R u).
        self.assertAlmostEqual(drivers["retained_year1"],
                               drivers["transfer_retention"] * drivers["retention_year1"],
                               places=12)
        # Fair market value is the DCF; the market range reads inside/below/above.
        self.assertEqual(c["standard_of_value"], "fair_market")
        self.assertEqual(c["value"], rec["dcf"]["value"])
        d = rec["dcf"]["value"]
        lo, hi = rec["market"]["low"], rec["market"]["high"]
        expect = "below" if d < lo else "above" if d > hi else "inside"
        self.assertEqual(rec["dcf"]["market"], expect)

    def test_investment_needs_a_buyer(self):
        with tempfile.TemporaryDirectory(prefix="bookval-conc-") as tmp:
            write(os.path.join(tmp, "base.yaml"), MODEL)
            write(os.path.join(tmp, "clients.csv"), CSV)
            s = write(os.path.join(tmp, "s.yaml"),
                      SCENARIO + "standard_of_value: investment\n")
            p = run("validate", s)
            self.assertEqual(p.returncode, 2)
            self.assertIn("s.yaml:6:20: error: standard_of_value:", p.stderr)

    def test_a_date_that_is_not_one(self):
        with tempfile.TemporaryDirectory(prefix="bookval-conc-") as tmp:
            write(os.path.join(tmp, "base.yaml"), MODEL)
            write(os.path.join(tmp, "clients.csv"), CSV)
            s = write(os.path.join(tmp, "s.yaml"),
                      SCENARIO.replace("2026-06-30", "2026-02-30"))
            p = run("validate", s)
            self.assertEqual(p.returncode, 2)
            self.assertIn("s.yaml:3:17: error: valuation_date:", p.stderr)


if __name__ == "__main__":
    main()
