"""The command line on the shipped scenarios: exit codes, where outputs go, JSON keys."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

SHIPPED = sorted(f for f in os.listdir(e2e.SCENARIOS) if f.endswith(".yaml"))


class ShippedScenarios(unittest.TestCase):
    def test_each_scenario_runs_and_summarises(self):
        self.assertGreaterEqual(len(SHIPPED), 3)
        for name in SHIPPED:
            with self.subTest(scenario=name):
                s = e2e.run_json(os.path.join(e2e.SCENARIOS, name))
                self.assertEqual(s["bookval_version"], e2e.run("--version").stdout.split()[1])
                for key in ("name", "file", "currency"):
                    self.assertIn(key, s["scenario"])
                self.assertGreater(s["book"]["clients"], 0)
                self.assertGreater(s["book"]["annual_revenue"], 0)
                d = s["dcf"]
                self.assertAlmostEqual(d["value"], d["horizon_value"] + d["tail_value"],
                                       delta=1e-9 * d["value"])
                self.assertAlmostEqual(d["value_to_revenue"],
                                       d["value"] / s["book"]["annual_revenue"], places=12)

    def test_default_output_is_named_after_the_scenario_in_the_cwd(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = e2e.run("run", os.path.join(e2e.SCENARIOS, "accounting-practice-sale.yaml"),
                        cwd=tmp)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("wrote accounting-practice-sale.xlsx", p.stdout)
            self.assertEqual(os.listdir(tmp), ["accounting-practice-sale.xlsx"])

    def test_csv_scenario_reads_every_client(self):
        s = e2e.run_json(os.path.join(e2e.SCENARIOS, "insurance-agency-book.yaml"))
        self.assertGreaterEqual(s["book"]["clients"], 500)


class NoWorkbook(unittest.TestCase):
    SCENARIO = os.path.join(e2e.SCENARIOS, "accounting-practice-sale.yaml")

    def test_writes_the_json_only_with_the_same_numbers(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = e2e.run("run", self.SCENARIO, "--no-workbook", "--json", "s.json", "--quiet",
                        cwd=tmp)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(os.listdir(tmp), ["s.json"])
            self.assertIn("wrote s.json\n", p.stdout)
            with open(os.path.join(tmp, "s.json"), encoding="utf-8") as f:
                alone = json.load(f)
        self.assertEqual(alone, e2e.run_json(self.SCENARIO))

    def test_without_json_is_a_usage_error_and_writes_nothing(self):
        for extra in ([], ["--quiet"]):
            with self.subTest(extra=extra), tempfile.TemporaryDirectory() as tmp:
                p = e2e.run("run", self.SCENARIO, "--no-workbook", *extra, cwd=tmp)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn("bookval: usage error: --no-workbook without --json: neither "
                              "output was asked for", p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertEqual(os.listdir(tmp), [])

    def test_with_an_output_file_is_a_usage_error_and_writes_nothing(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = e2e.run("run", self.SCENARIO, "--no-workbook", "-o", "w.xlsx", "--json",
                        "s.json", cwd=tmp)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn("--no-workbook and -o contradict each other", p.stderr)
            self.assertEqual(os.listdir(tmp), [])

    def test_help_names_it(self):
        self.assertIn("--no-workbook", e2e.run("--help").stdout)


class Usage(unittest.TestCase):
    def check_usage_error(self, args, message):
        p = e2e.run(*args)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn(message, p.stderr)

    def test_usage_errors_exit_2_with_a_message(self):
        self.check_usage_error([], "no command given")
        self.check_usage_error(["frobnicate"], "unknown command 'frobnicate'")
        self.check_usage_error(["run"], "run needs a scenario file")
        self.check_usage_error(["run", "a.yaml", "--bogus"], "unknown option '--bogus'")
        self.check_usage_error(["run", "a.yaml", "-o"], "-o needs a value")
        self.check_usage_error(["run", "a.yaml", "--threads", "0"], "--threads takes an integer")
        self.check_usage_error(["run", "a.yaml", "b.yaml"], "is a second one")
        self.check_usage_error(["validate"], "validate needs one or more scenario files")
        self.check_usage_error(["help", "nothing"], "no help on 'nothing'")

    def test_missing_scenario_file_is_an_input_error(self):
        p = e2e.run("run", "/nonexistent/scenario.yaml")
        self.assertEqual(p.returncode, 2)
        self.assertIn("/nonexistent/scenario.yaml: error: cannot open", p.stderr)

    def test_version_and_help(self):
        self.assertRegex(e2e.run("--version").stdout, r"^bookval \d+\.\d+\.\d+\n$")
        self.assertIn("usage:", e2e.run("--help").stdout)

    def test_scenario_reference_lists_every_key_with_its_range(self):
        out = e2e.run("help", "scenario").stdout
        for key in ("discount_rate", "horizon_years", "transfer_retention", "clients_csv",
                    "annual_revenue", "tenure_years", "multiple_low"):
            self.assertIn(f"`{key}`", out)
        self.assertIn("| `horizon_years` | integer | [1, 100] | 10 |", out)

    def test_readme_reference_matches_the_engine(self):
        """The README's scenario reference is generated from the schema tables."""
        with open(os.path.join(e2e.ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        ref = e2e.run("help", "scenario").stdout.strip()
        self.assertIn(ref, readme, "README's reference is stale: regenerate it with "
                                   "`bookval help scenario`")


class Validate(unittest.TestCase):
    def test_validate_reports_ok_per_file(self):
        files = [os.path.join(e2e.SCENARIOS, f) for f in SHIPPED]
        p = e2e.run("validate", *files)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.count(": ok ("), len(files))

    def test_validate_lists_every_error_not_just_the_first(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = e2e.write(os.path.join(tmp, "three.yaml"),
                             "name: Three errors\n"
                             "currency: EUR\n"
                             "discount_rate: 1.5e0x\n"
                             "margin: 1.2\n"
                             "retention: 0.9\n"
                             "colour: blue\n"
                             "clients:\n"
                             "  - {id: A, annual_revenue: 100}\n")
            p = e2e.run("validate", path)
            self.assertEqual(p.returncode, 2)
            lines = [l for l in p.stderr.splitlines() if ": error: " in l]
            self.assertEqual(len(lines), 3, p.stderr)
            self.assertIn(f"{path}:3:16: error: discount_rate:", p.stderr)
            self.assertIn(f"{path}:4:9: error: margin: 1.2 is out of range; accepted: [-1, 1]",
                          p.stderr)
            self.assertIn(f"{path}:6:1: error: colour: unknown key in scenario", p.stderr)


if __name__ == "__main__":
    e2e.main()
