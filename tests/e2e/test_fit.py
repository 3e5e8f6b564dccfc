"""`bookval fit` end to end: the table and the scenario line on stdout, the JSON and the
workbook, exit codes, malformed and degenerate histories, and that the pasted line is a valid
scenario setting that the valuation then uses.

Reference values: tests/reference/sbg_mle.py (mpmath, Beta-function likelihood, grid search
plus Newton; written from Fader & Hardie 2007, not from the C code), run here on the shipped
example history; the DCF check recomputes the value of a small book by hand from DESIGN §5.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

EXAMPLE = os.path.join(e2e.SCENARIOS, "history", "accounting-practice-history.yaml")
REFERENCE = os.path.join(e2e.ROOT, "tests", "reference", "sbg_mle.py")
RECALC = os.path.join(e2e.ROOT, "tests", "workbook", "recalc_check.py")

# Fader & Hardie's two cohorts and a constant-retention history.
HIGH_END = ("model: sbg\ncohorts:\n"
            "  - {name: high end, survival: [1000, 631, 468, 382, 326, 289, 262, 241]}\n")
CONSTANT = "cohorts:\n  - {name: flat, survival: [10000, 9000, 8100, 7290, 6561]}\n"


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def scenario_line(stdout):
    lines = [l for l in stdout.splitlines() if l.startswith("retention:")]
    if len(lines) != 1:
        raise AssertionError(f"expected one scenario line in:\n{stdout}")
    return lines[0]


class Tmp(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bookval-fit-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, name):
        return os.path.join(self.tmp, name)

    def history(self, text, name="history.yaml"):
        return e2e.write(self.path(name), text)

    def fit_json(self, history, *args):
        out = self.path("fit.json")
        p = e2e.run("fit", history, "--json", out, *args)
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, encoding="utf-8") as f:
            return p, json.load(f)


class ExampleHistory(Tmp):
    def test_matches_the_independent_reference(self):
        ref = json.loads(subprocess.run([sys.executable, REFERENCE, EXAMPLE], check=True,
                                        capture_output=True, text=True).stdout)
        _, s = self.fit_json(EXAMPLE)
        f = s["fit"]
        self.assertEqual(s["bookval_version"], e2e.run("--version").stdout.split()[1])
        self.assertEqual(f["model"], "sbg")
        for key in ("alpha", "beta", "alpha_se", "beta_se"):
            self.assertAlmostEqual(f[key], ref[key], delta=1e-9 * ref[key], msg=key)
        for key in ("log_likelihood", "aic"):
            self.assertAlmostEqual(f[key], ref[key], delta=1e-11 * abs(ref[key]), msg=key)
        for key in ("retention", "log_likelihood", "aic"):
            self.assertAlmostEqual(f["geometric"][key], ref["geometric"][key],
                                   delta=1e-12 * abs(ref["geometric"][key]), msg=key)
        self.assertEqual(len(f["years"]), len(ref["fitted_survival"]))
        for y, fs, fr in zip(f["years"], ref["fitted_survival"], ref["fitted_retention"]):
            self.assertAlmostEqual(y["fitted_survival"], fs, delta=1e-9)
            if fr is None:
                self.assertIsNone(y["fitted_retention"])
            else:
                self.assertAlmostEqual(y["fitted_retention"], fr, delta=1e-9)
        self.assertEqual(f["preferred_by_aic"], "sbg")
        self.assertIsNone(f["sbg_problem"])

    def test_json_years_pool_the_cohorts(self):
        _, s = self.fit_json(EXAMPLE)
        years = s["fit"]["years"]
        self.assertEqual(s["history"]["cohorts"], 6)
        self.assertEqual(s["history"]["clients"], 148 + 163 + 121 + 187 + 142 + 171)
        self.assertEqual([y["year"] for y in years], list(range(7)))
        y0 = years[0]
        self.assertEqual((y0["observed_survival"], y0["fitted_survival"]), (1, 1))
        self.assertIsNone(y0["observed_retention"])
        self.assertIsNone(y0["at_risk"])
        # Year 6: only the 2018 cohort is observed (99 at risk, 3 lost).
        self.assertEqual((years[6]["at_risk"], years[6]["lost"]), (99, 3))
        self.assertAlmostEqual(years[6]["observed_retention"], 96 / 99, places=15)
        km = 1.0
        for y in years[1:]:
            km *= (y["at_risk"] - y["lost"]) / y["at_risk"]
            self.assertAlmostEqual(y["observed_survival"], km, places=14)

    def test_stdout_table_parameters_and_line(self):
        p = e2e.run("fit", EXAMPLE)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        out = p.stdout
        self.assertIn("6 cohorts, 932 clients", out)
        self.assertIn("year   at risk      lost  observed S       sBG S  observed r       sBG r",
                      out)
        self.assertRegex(out, r"\n   1       932       140      84\.98%")
        self.assertRegex(out, r"alpha +0\.19634\d  \(standard error 0\.0344\d+\)")
        self.assertRegex(out, r"beta +1\.1100\d+  \(standard error 0\.2460\d+\)")
        self.assertIn("geometric (constant retention)", out)
        self.assertIn("the sBG fits better by AIC", out)
        self.assertEqual(scenario_line(out), "retention: {sbg: {alpha: 0.196349, beta: 1.11009}}")
        self.assertEqual(os.listdir(self.tmp), [])

    def test_published_high_end_cohort(self):
        """Fader & Hardie publish alpha = 0.704, beta = 1.182 for the high-end cohort."""
        p, s = self.fit_json(self.history(HIGH_END))
        self.assertAlmostEqual(s["fit"]["alpha"], 0.704, delta=5e-4)
        self.assertAlmostEqual(s["fit"]["beta"], 1.182, delta=5e-4)
        self.assertEqual(scenario_line(p.stdout),
                         "retention: {sbg: {alpha: 0.704077, beta: 1.18204}}")


class ScenarioLine(Tmp):
    """The pasted line is valid YAML, validate accepts it in a scenario, and the valuation uses
    exactly those parameters (DESIGN §5: r(k) = (beta+n+k-1)/(alpha+beta+n+k-1))."""

    BOOK = ("name: Fitted retention check\n"
            "currency: EUR\n"
            "horizon_years: 7\n"
            "discount_rate: 0.1175\n"
            "revenue_growth: 0.0225\n"
            "margin: 0.385\n"
            "{line}\n"
            "clients:\n"
            "  - {{id: C1, annual_revenue: 12840.55, tenure_years: 3}}\n"
            "  - {{id: C2, annual_revenue: 4385.20, tenure_years: 0}}\n")

    def check_line(self, line, survival):
        import yaml  # python3-yaml, as sbg_mle.py uses
        self.assertIn("retention", yaml.safe_load(line))
        scenario = e2e.write(self.path("scenario.yaml"), self.BOOK.format(line=line))
        p = e2e.run("validate", scenario)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn(": ok (2 clients", p.stdout)
        s = e2e.run_json(scenario)
        expected = 0.0
        for revenue, tenure in ((12840.55, 3), (4385.20, 0)):
            for t in range(1, 8):
                expected += (0.385 * revenue * 1.0225 ** (t - 1) * survival(tenure, t)
                             / 1.1175 ** t)
        self.assertAlmostEqual(s["dcf"]["value"], expected, delta=1e-9 * expected)

    def test_sbg_line_in_a_scenario(self):
        p = e2e.run("fit", EXAMPLE)
        line = scenario_line(p.stdout)
        self.assertTrue(line.startswith("retention: {sbg: {alpha: "))
        import yaml
        params = yaml.safe_load(line)["retention"]["sbg"]
        a, b = params["alpha"], params["beta"]

        def survival(n, t):
            s = 1.0
            for k in range(1, t + 1):
                s *= (b + n + k - 1) / (a + b + n + k - 1)
            return s

        self.check_line(line, survival)

    def test_geometric_line_in_a_scenario(self):
        p = e2e.run("fit", self.history("model: geometric\n" + CONSTANT))
        self.assertEqual(p.returncode, 0, p.stderr)
        line = scenario_line(p.stdout)
        self.assertEqual(line, "retention: 0.9")
        self.check_line(line, lambda n, t: 0.9 ** t)


class GeometricModel(Tmp):
    def test_constant_history_with_model_geometric(self):
        p, s = self.fit_json(self.history("model: geometric\n" + CONSTANT))
        f = s["fit"]
        self.assertEqual(f["model"], "geometric")
        self.assertAlmostEqual(f["geometric"]["retention"], 0.9, places=15)
        self.assertIsNone(f["alpha"])
        self.assertIsNone(f["beta"])
        self.assertIn("does not identify the sBG model", f["sbg_problem"])
        self.assertEqual(f["preferred_by_aic"], "geometric")
        for y in f["years"][1:]:
            self.assertAlmostEqual(y["fitted_retention"], 0.9, places=15)
            self.assertAlmostEqual(y["fitted_survival"], 0.9 ** y["year"], places=14)
        self.assertIn("shifted-beta-geometric (sBG): not fitted:", p.stdout)

    def test_constant_history_with_model_sbg_suggests_geometric(self):
        h = self.history(CONSTANT)
        p = e2e.run("fit", h, "--json", self.path("o.json"), "-o", self.path("o.xlsx"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(f"{h}:1:1: error: cohorts: the history does not identify the sBG model",
                      p.stderr)
        self.assertIn("write 'model: geometric' (retention 0.9000)", p.stderr)
        self.assertEqual(os.listdir(self.tmp), ["history.yaml"])


class Workbook(Tmp):
    def test_workbook_sheets_chart_and_reproducible_bytes(self):
        a, b = self.path("a.xlsx"), self.path("b.xlsx")
        for out in (a, b):
            p = e2e.run("fit", EXAMPLE, "-o", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(f"wrote {out}", p.stdout)
        self.assertEqual(digest(a), digest(b), "same inputs must give the same bytes")
        with zipfile.ZipFile(a) as z:
            names = z.namelist()
            workbook = z.read("xl/workbook.xml").decode()
        self.assertIn("xl/charts/chart1.xml", names)
        self.assertLess(workbook.index('name="Fit"'), workbook.index('name="Cohorts"'))
        import openpyxl
        wb = openpyxl.load_workbook(a, data_only=True)
        fit = wb["Fit"]
        values = {fit.cell(row=r, column=1).value: fit.cell(row=r, column=2).value
                  for r in range(1, 20)}
        self.assertAlmostEqual(values["sBG alpha"], 0.19634877662648, places=10)
        self.assertEqual(values["Scenario line"],
                         "retention: {sbg: {alpha: 0.196349, beta: 1.11009}}")
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if isinstance(v, float):
                        self.assertTrue(v == v and abs(v) != float("inf"))

    @unittest.skipUnless(shutil.which("soffice"), "LibreOffice is not installed")
    def test_formulas_recalculate_to_the_engine_values(self):
        for history in (EXAMPLE, self.history("model: geometric\n" + CONSTANT, "flat.yaml")):
            out = self.path("recalc.xlsx")
            p = e2e.run("fit", history, "-o", out)
            self.assertEqual(p.returncode, 0, p.stderr)
            check = subprocess.run([sys.executable, RECALC, out, "--rel", "1e-9",
                                    "--min-formulas", "20"], capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)


class Errors(Tmp):
    def assert_input_error(self, text, expected, code=2):
        """Run with both outputs pre-existing: they must stay byte for byte, no temp left."""
        h = self.history(text)
        xlsx, out = self.path("keep.xlsx"), self.path("keep.json")
        e2e.write(xlsx, "old workbook")
        e2e.write(out, "old json")
        p = e2e.run("fit", h, "-o", xlsx, "--json", out)
        self.assertEqual(p.returncode, code, p.stdout + p.stderr)
        self.assertIn(expected.replace("FILE", h), p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(sorted(os.listdir(self.tmp)), ["history.yaml", "keep.json",
                                                         "keep.xlsx"])
        with open(xlsx) as f:
            self.assertEqual(f.read(), "old workbook")
        with open(out) as f:
            self.assertEqual(f.read(), "old json")
        return p

    def test_increasing_counts(self):
        self.assert_input_error(
            "model: sbg\ncohorts:\n  - {name: 2019 clients, survival: [1200, 1010, 1015]}\n",
            "FILE:3:49: error: cohorts[0].survival[2]: 1015 clients after 1010: counts of "
            "clients still active cannot increase")

    def test_empty_cohort_and_first_count_zero(self):
        p = self.assert_input_error(
            "cohorts:\n  - {name: a, survival: []}\n  - {name: b, survival: [0, 0]}\n",
            "FILE:2:25: error: cohorts[0].survival: the cohort is empty")
        self.assertIn("3:26: error: cohorts[1].survival[0]: the first count is 0", p.stderr)

    def test_fraction_text_and_unknown_keys(self):
        p = self.assert_input_error(
            "model: sbg\n"
            "horizon: 5\n"
            "cohorts:\n"
            "  - {name: a, survival: [100, 87.5, \"80\"], start: 2019}\n",
            "FILE:2:1: error: horizon: unknown key in a history; accepted keys: model, cohorts")
        self.assertIn(":4:31: error: cohorts[0].survival[1]: expected a whole number of "
                      "clients >= 0, got 87.5", p.stderr)
        self.assertIn(":4:37: error: cohorts[0].survival[2]: expected a whole number of "
                      "clients >= 0, got the text \"80\"", p.stderr)
        self.assertIn(":4:44: error: cohorts[0].start: unknown key in a cohort", p.stderr)

    def test_bad_model_and_missing_cohorts(self):
        self.assert_input_error("model: pareto\ncohorts: [{survival: [5, 4]}]\n",
                                "FILE:1:8: error: model: expected one of sbg, geometric, "
                                "got 'pareto'")
        self.assert_input_error("model: sbg\n", "FILE:1:1: error: cohorts: a history needs "
                                "'cohorts'")

    def test_yaml_syntax_error(self):
        self.assert_input_error("cohorts:\n  - {name: a, survival: [100, 90}\n",
                                "FILE:2:")

    def test_no_churn(self):
        self.assert_input_error(
            "model: sbg\ncohorts:\n  - {survival: [120, 120, 120]}\n  - {survival: [37, 37]}\n",
            "FILE:2:1: error: cohorts: no client left in any cohort (no churn at all): "
            "retention is 100% and no retention model can be fitted")

    def test_everyone_leaves_in_year_one(self):
        self.assert_input_error(
            "cohorts:\n  - {survival: [250, 0, 0]}\n  - {survival: [17, 0]}\n",
            "FILE:1:1: error: cohorts: every client left in the first year (no client renewed "
            "even once): retention is 0% and no retention model can be fitted")

    def test_one_year_cannot_identify_the_sbg(self):
        self.assert_input_error(
            "cohorts:\n  - {survival: [400, 350]}\n  - {survival: [237, 201]}\n",
            "FILE:1:1: error: cohorts: one year of history cannot identify the sBG's two "
            "parameters")

    def test_missing_file(self):
        p = e2e.run("fit", self.path("nope.yaml"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("nope.yaml: error: cannot open", p.stderr)


class Usage(unittest.TestCase):
    def check_usage_error(self, args, message):
        p = e2e.run("fit", *args)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("bookval: usage error: " + message, p.stderr)
        self.assertIn("bookval fit HISTORY.yaml", p.stderr)

    def test_usage_errors(self):
        self.check_usage_error([], "fit needs a history file")
        self.check_usage_error([EXAMPLE, "--seed", "3"], "unknown option '--seed' for fit")
        self.check_usage_error([EXAMPLE, EXAMPLE], "fit takes one history file")
        self.check_usage_error([EXAMPLE, "--json"], "--json needs a value")
        self.check_usage_error([EXAMPLE, "-o", "a.xlsx", "-o", "b.xlsx"], "-o given twice")
        self.check_usage_error([EXAMPLE, "-o", "same", "--json", "same"],
                               "--json and -o name the same file")

    def test_help(self):
        p = e2e.run("fit", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("bookval fit HISTORY.yaml [--json OUT.json] [-o OUT.xlsx]", p.stdout)
        self.assertIn("bookval fit HISTORY.yaml", e2e.run("--help").stdout)

    def test_batch_needs_an_output_directory(self):
        p = e2e.run("batch", EXAMPLE)
        self.assertEqual(p.returncode, 2)
        self.assertIn("batch needs scenarios and -d OUTDIR", p.stderr)


if __name__ == "__main__":
    e2e.main()
