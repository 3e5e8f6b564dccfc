"""One merge mechanism: `--set` and `extends:` give exactly what the same scenario edited by
hand gives, and precedence is client > segment > scenario. A --set of a top-level client
assumption reaches every client (DESIGN §2): by hand, the segments' and clients' own values of
that key are deleted too."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

BASE = """name: Merge check
currency: EUR
horizon_years: 7
discount_rate: 0.1135
margin: 0.4125
retention: 0.8875
segments:
  A: {margin: 0.5375, retention: {sbg: {alpha: 0.77, beta: 3.9}}}
  B: {revenue_growth: 0.0215}
clients:
  - {id: a1, segment: A, annual_revenue: 2385.17, tenure_years: 3}
  - {id: a2, segment: A, annual_revenue: 14720.5, tenure_years: 11}
  - {id: b1, segment: B, annual_revenue: 8841.09}
  - {id: n1, annual_revenue: 5210.33, margin: 0.3315}
"""


def dcf(text, *args, name="s.yaml", files=None):
    with tempfile.TemporaryDirectory() as tmp:
        for fname, body in (files or {}).items():
            os.makedirs(os.path.dirname(os.path.join(tmp, fname)) or tmp, exist_ok=True)
            e2e.write(os.path.join(tmp, fname), body)
        os.makedirs(os.path.dirname(os.path.join(tmp, name)), exist_ok=True)
        path = e2e.write(os.path.join(tmp, name), text)
        return e2e.run_json(path, *args)["dcf"]


class SetEqualsHandEdit(unittest.TestCase):
    def test_scalar_override(self):
        self.assertEqual(dcf(BASE, "--set", "discount_rate=0.1275"),
                         dcf(BASE.replace("discount_rate: 0.1135", "discount_rate: 0.1275")))

    def test_segment_override_and_created_key(self):
        edited = BASE.replace("B: {revenue_growth: 0.0215}",
                              "B: {revenue_growth: 0.0215, margin: 0.2475}")
        self.assertEqual(dcf(BASE, "--set", "segments.B.margin=0.2475"), dcf(edited))

    def test_distribution_replaces_a_number_and_a_number_replaces_a_curve(self):
        edited = BASE.replace("discount_rate: 0.1135",
                              "discount_rate: {dist: pert, min: 0.09, mode: 0.11, max: 0.16}")
        self.assertEqual(
            dcf(BASE, "--set", "discount_rate={dist: pert, min: 0.09, mode: 0.11, max: 0.16}"),
            dcf(edited))
        curve = BASE.replace("retention: 0.8875", "retention: {curve: [0.81, 0.87, 0.905]}")
        by_hand = BASE.replace("A: {margin: 0.5375, retention: {sbg: {alpha: 0.77, beta: 3.9}}}",
                               "A: {margin: 0.5375}")
        self.assertEqual(dcf(curve, "--set", "retention=0.8875"), dcf(by_hand))

    def test_later_set_wins(self):
        by_hand = BASE.replace("A: {margin: 0.5375, retention:", "A: {retention:").replace(
            "annual_revenue: 5210.33, margin: 0.3315}", "annual_revenue: 5210.33}")
        self.assertEqual(dcf(BASE, "--set", "margin=0.2", "--set", "margin=0.4125"),
                         dcf(by_hand))


class ExtendsEqualsHandEdit(unittest.TestCase):
    MODEL = ("horizon_years: 7\ndiscount_rate: {dist: triangular, min: 0.1, mode: 0.11, "
             "max: 0.13}\nmargin: 0.4125\nretention: 0.8875\n"
             "segments:\n  A: {margin: 0.5375, retention: {sbg: {alpha: 0.77, beta: 3.9}}}\n"
             "  B: {revenue_growth: 0.0215}\n")

    def scenario(self, extends):
        return (f"name: Merge check\ncurrency: EUR\nextends: {extends}\n"
                "discount_rate: 0.1135\n"
                "segments:\n  B: {margin: 0.2475}\n"
                "clients:\n" + BASE.split("clients:\n")[1])

    def test_model_by_name_from_models_dir_above(self):
        merged = dcf(self.scenario("practice"), name="scenarios/s.yaml",
                     files={"models/practice.yaml": self.MODEL})
        edited = BASE.replace("B: {revenue_growth: 0.0215}",
                              "B: {revenue_growth: 0.0215, margin: 0.2475}")
        self.assertEqual(merged, dcf(edited))

    def test_model_by_relative_path(self):
        merged = dcf(self.scenario("../shared/practice.yaml"), name="scenarios/s.yaml",
                     files={"shared/practice.yaml": self.MODEL})
        edited = BASE.replace("B: {revenue_growth: 0.0215}",
                              "B: {revenue_growth: 0.0215, margin: 0.2475}")
        self.assertEqual(merged, dcf(edited))

    def test_error_in_a_model_points_at_the_model(self):
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "models"))
            model = e2e.write(os.path.join(tmp, "models", "bad.yaml"),
                              "margin: 0.4\nretention: 1.25\n")
            path = e2e.write(os.path.join(tmp, "s.yaml"),
                             "name: x\ncurrency: EUR\nextends: bad\ndiscount_rate: 0.1\n"
                             "clients: [{id: a, annual_revenue: 10}]\n")
            p = e2e.run("validate", path)
            self.assertEqual(p.returncode, 2)
            self.assertIn(f"{os.path.realpath(model)}:2:12: error: retention: 1.25 is out of "
                          "range; accepted: [0, 1]", p.stderr)


class Precedence(unittest.TestCase):
    """client > segment > scenario, checked through the values that must coincide."""

    def one_client(self, client_extra, segment_extra="", scenario_extra=""):
        text = ("name: p\ncurrency: EUR\ndiscount_rate: 0.1\nmargin: 0.3\nretention: 0.85\n"
                + scenario_extra +
                "segments:\n  S: {" + segment_extra + "}\n"
                "clients:\n  - {id: c, segment: S, annual_revenue: 1000" + client_extra + "}\n")
        return dcf(text)["value"]

    def test_client_beats_segment_beats_scenario(self):
        for key, a, b in (("margin", "0.45", "0.2"), ("retention", "0.93", "0.71"),
                          ("revenue_growth", "0.04", "-0.02"),
                          ("transfer_retention", "0.9", "0.6")):
            with self.subTest(key=key):
                scenario_only = self.one_client("", "", f"{key}: {a}\n"
                                                if key != "margin" and key != "retention"
                                                else "")
                seg = self.one_client("", f"{key}: {a}")
                client = self.one_client(f", {key}: {a}", f"{key}: {b}")
                self.assertEqual(seg, client)
                if key not in ("margin", "retention"):
                    self.assertEqual(seg, scenario_only)
                self.assertNotEqual(seg, self.one_client("", f"{key}: {b}"))


if __name__ == "__main__":
    e2e.main()
