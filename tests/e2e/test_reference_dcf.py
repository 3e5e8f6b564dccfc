"""dcf.value, horizon_value and tail_value against an independent implementation
(tests/reference/dcf_reference.py: mpmath at 40 digits, its own tail routes cross-checked),
to 1e-9 relative, for constant, curve and sBG retention, both timings and the run-off tail."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

REFERENCE = os.path.join(e2e.ROOT, "tests", "reference", "dcf_reference.py")
REL = 1e-9

CLIENTS = """clients:
  - {id: a1, segment: A, annual_revenue: 2385.17, tenure_years: 3}
  - {id: a2, segment: A, annual_revenue: 14720.5, tenure_years: 11, active: false}
  - {id: a3, segment: A, annual_revenue: 903.41, tenure_years: 0}
  - {id: b1, segment: B, annual_revenue: 8841.09, tenure_years: 6}
  - {id: b2, segment: B, annual_revenue: 12007.77, tenure_years: 6, margin: 0.2215}
  - {id: n1, annual_revenue: 5210.33, tenure_years: 17, retention: 0.9125}
  - {id: n2, annual_revenue: 1733.6, tenure_years: 2}
"""

# name -> scenario text (everything but clients). High-entropy values throughout.
CASES = {
    "constant_end_of_year": """horizon_years: 9
discount_rate: 0.1175
revenue_growth: 0.0265
margin: 0.3725
retention: 0.8835
transfer_retention: 0.9415
segments:
  A: {margin: 0.4475, retention: 0.9115}
  B: {revenue_growth: 0.0125}
""",
    "constant_mid_year_runoff": """horizon_years: 6
timing: mid_year
tail: runoff
discount_rate: {dist: pert, min: 0.095, mode: 0.124, max: 0.186}
revenue_growth: {dist: triangular, min: 0.005, mode: 0.021, max: 0.047}
margin: {dist: normal, mean: 0.392, sd: 0.047, min: 0.25, max: 0.6}
retention: {dist: beta, mean: 0.874, sd: 0.031}
transfer_retention: {dist: uniform, min: 0.88, max: 0.97}
segments:
  A: {margin: 0.4475}
  B: {retention: 0.9315}
""",
    "curve_short_runoff": """horizon_years: 8
timing: mid_year
tail: runoff
discount_rate: 0.1337
revenue_growth: 0.0312
margin: 0.3545
retention: {curve: [0.8215, 0.8735, 0.9025, 0.9185]}
segments:
  A: {retention: {curve: [0.7715, 0.9105]}}
  B: {margin: 0.2975}
""",
    "curve_longer_than_horizon_runoff": """horizon_years: 3
tail: runoff
discount_rate: 0.1044
revenue_growth: 0.0183
margin: 0.4115
retention: {curve: [0.8115, 0.8545, 0.8835, 0.9065, 0.9215, 0.9345, 0.9405]}
segments:
  A: {}
  B: {}
""",
    "sbg_end_of_year_runoff": """horizon_years: 10
tail: runoff
discount_rate: 0.1215
revenue_growth: 0.0235
margin: 0.3865
retention: {sbg: {alpha: 0.713, beta: 3.827}}
transfer_retention: 0.9235
segments:
  A: {retention: {sbg: {alpha: 1.437, beta: 6.215}}}
  B: {margin: 0.2735}
""",
    "sbg_mid_year_x_close_to_one": """horizon_years: 12
timing: mid_year
tail: runoff
discount_rate: 0.0515
revenue_growth: 0.0514
margin: 0.3315
retention: {sbg: {alpha: 1.62, beta: 5.37}}
segments:
  A: {retention: {sbg: {alpha: 2.713, beta: 9.11}}}
  B: {}
""",
    "sbg_growth_equals_discount": """horizon_years: 5
tail: runoff
discount_rate: 0.0625
revenue_growth: 0.0625
margin: 0.3975
retention: {sbg: {alpha: 2.35, beta: 7.9}}
segments:
  A: {}
  B: {retention: 0.8815}
""",
    "sbg_low_alpha_long_horizon": """horizon_years: 40
timing: mid_year
tail: runoff
discount_rate: 0.0837
revenue_growth: 0.0291
margin: 0.4215
retention: {sbg: {alpha: 0.287, beta: 1.913}}
segments:
  A: {}
  B: {transfer_retention: 0.8575}
""",
}


def reference(path):
    p = subprocess.run([sys.executable, REFERENCE, path], capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        raise AssertionError(f"reference exited {p.returncode}: {p.stdout}{p.stderr}")
    return json.loads(p.stdout)


class AgainstReference(unittest.TestCase):
    def compare(self, path):
        engine = e2e.run_json(path)
        ref = reference(path)
        for key in ("value", "horizon_value", "tail_value"):
            want = float(ref[key])
            got = engine["dcf"][key]
            tol = REL * max(abs(want), 1e-300)
            self.assertLessEqual(abs(got - want), tol,
                                 f"{key}: engine {got!r}, reference {ref[key]}")
        self.assertAlmostEqual(engine["book"]["annual_revenue"], float(ref["annual_revenue"]),
                               delta=1e-9 * float(ref["annual_revenue"]))
        return engine, ref

    def test_constructed_cases(self):
        for name, body in CASES.items():
            with self.subTest(case=name), tempfile.TemporaryDirectory() as tmp:
                path = e2e.write(os.path.join(tmp, f"{name}.yaml"),
                                 f"name: {name}\ncurrency: EUR\n{body}{CLIENTS}")
                engine, ref = self.compare(path)
                if "runoff" in body:
                    self.assertGreater(float(ref["tail_value"]), 0)

    def test_shipped_scenarios(self):
        for name in sorted(os.listdir(e2e.SCENARIOS)):
            if name.endswith(".yaml"):
                with self.subTest(scenario=name):
                    self.compare(os.path.join(e2e.SCENARIOS, name))


if __name__ == "__main__":
    e2e.main()
