"""The Monte Carlo valuation end to end (DESIGN §5-§6, §8): `bookval run` on scenarios written
here, its JSON's monte_carlo section checked against references computed in this file.

References, all independent of the engine:
- the DCF of a single constant-retention cohort in closed form (q = r (1+g) / (1+d)):
    V = m R u r / (1+d) (1 - q^H) / (1 - q)              (end_of_year, tail: none)
    V = m R u r / (1+d) / (1 - q) (1+d)^(1/2)            (mid_year, tail: runoff)
  so with only the margin m uncertain V = K m, and with H = 2 and only the growth g uncertain
    V = m R u [r / (1+d) + (1+g) r^2 / (1+d)^2],
  affine in g: the value's mean, sd and quantiles follow from the input's;
- a client-by-client lifetime model (P(L >= t) = S(t), value W[L], run-off given alive at H)
  giving the mean and the variance of a churned book, summed here in floats;
- standard errors: se = sd / sqrt(n); an empirical p-quantile's sampling error
  sqrt(p (1-p) / n) / f(Q(p)) (binomial count below the quantile, f the density);
- the normal quantile z from statistics.NormalDist.
Uses only the standard library.
"""
import json
import math
import os
import statistics
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

TMP = tempfile.TemporaryDirectory(prefix="bookval-mc-")
Z = statistics.NormalDist()


def scenario(name, text):
    """Write TMP/name.yaml; return its path."""
    return e2e.write(os.path.join(TMP.name, name + ".yaml"), text)


def run(path, *args, outdir=None):
    """`bookval run path --json ...`; return (process, JSON bytes or None, output paths)."""
    outdir = outdir or tempfile.mkdtemp(dir=TMP.name)
    out_json = os.path.join(outdir, "out.json")
    out_xlsx = os.path.join(outdir, "out.xlsx")
    p = e2e.run("run", path, "-o", out_xlsx, "--json", out_json, "--quiet", *args)
    data = None
    if os.path.exists(out_json):
        with open(out_json, "rb") as f:
            data = f.read()
    return p, data, (out_json, out_xlsx)


def run_ok(path, *args):
    """The JSON summary of a successful run."""
    p, data, _ = run(path, *args)
    if p.returncode != 0 or data is None:
        raise AssertionError(f"bookval exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return json.loads(data)


def k_constant(R, u, r, g, d, H):
    """Value per unit of margin of a constant-retention cohort, end_of_year, no tail."""
    q = r * (1 + g) / (1 + d)
    return R * u * r / (1 + d) * (1 - q ** H) / (1 - q)


def k_perpetuity_mid(R, u, r, g, d):
    """Value per unit of margin with tail: runoff and mid_year: the whole geometric series."""
    q = r * (1 + g) / (1 + d)
    return R * u * r / (1 + d) / (1 - q) * math.sqrt(1 + d)


# ------------------------------------------------------------------------------------------
# A book of a few hundred clients in several cohorts, everything fixed.

SEGMENTS = """segments:
  A: {margin: 0.4215, retention: 0.9125}
  B: {retention: {curve: [0.8215, 0.8735, 0.9025, 0.9185]}, revenue_growth: 0.0125}
  C: {retention: {sbg: {alpha: 0.713, beta: 3.827}}}
  D: {retention: {sbg: {alpha: 1.437, beta: 6.215}}, margin: 0.3545, transfer_retention: 0.9615}
"""

DEFAULTS = dict(margin=0.3725, retention=0.8835, revenue_growth=0.0265,
                transfer_retention=0.9415, discount_rate=0.1175)
SEGMENT_VALUES = {
    "A": dict(margin=0.4215, retention=("constant", 0.9125)),
    "B": dict(retention=("curve", [0.8215, 0.8735, 0.9025, 0.9185]), revenue_growth=0.0125),
    "C": dict(retention=("sbg", (0.713, 3.827))),
    "D": dict(retention=("sbg", (1.437, 6.215)), margin=0.3545, transfer_retention=0.9615),
}


def make_clients(n):
    """Clients with varied revenues, tenures, segments and some own values."""
    clients = []
    for i in range(n):
        revenue = round(650 + ((i * 7919) % 997) * 41.37 + (i % 7) * 13.05, 2)
        seg = "ABCD"[i % 5] if i % 5 < 4 else None
        c = {"id": f"K{i:04d}", "annual_revenue": revenue, "tenure_years": (i * 31) % 17}
        if seg:
            c["segment"] = seg
        if seg is None and i % 3 == 0:
            c["retention"] = 0.9315
        if seg == "A" and i % 4 == 0:
            c["margin"] = 0.2215
        clients.append(c)
    return clients


def clients_yaml(clients):
    lines = ["clients:"]
    for c in clients:
        fields = ", ".join(f"{k}: {v}" for k, v in c.items())
        lines.append(f"  - {{{fields}}}")
    return "\n".join(lines) + "\n"


def client_assumptions(c):
    """(margin, growth, transfer, retention model) by precedence client > segment > scenario."""
    a = dict(DEFAULTS, retention=("constant", DEFAULTS["retention"]))
    if "segment" in c:
        a.update(SEGMENT_VALUES[c["segment"]])
    for k in ("margin", "revenue_growth", "transfer_retention"):
        if k in c:
            a[k] = c[k]
    if "retention" in c:
        a["retention"] = ("constant", c["retention"])
    return a


def lifetime_moments(c, H, d, timing, tail):
    """Mean and variance of one client's value per unit of revenue when its lifetime L has
    P(L >= t) = S(t) (DESIGN §5-6): value W(L) = sum_{t<=L} m (1+g)^(t-1) DF(t), plus, when
    alive at H under tail: runoff, the run-off's expectation given alive at H."""
    a = client_assumptions(c)
    m, g, u = a["margin"], a["revenue_growth"], a["transfer_retention"]
    kind, param = a["retention"]
    n = c.get("tenure_years", 0)

    def rate(k):
        if kind == "constant":
            return param
        if kind == "curve":
            return param[min(k, len(param)) - 1]
        al, be = param
        return (be + n + k - 1) / (al + be + n + k - 1)

    def df(t):
        return (1 + d) ** -(t - 0.5 if timing == "mid_year" else t)

    S = [1.0]  # S[0] = 1: before the transfer
    s = u
    for t in range(1, H + 1):
        s *= rate(t)
        S.append(s)
    cash = [m * (1 + g) ** (t - 1) * df(t) for t in range(1, H + 1)]
    W = [0.0]
    for x in cash:
        W.append(W[-1] + x)
    run_off = 0.0
    if tail == "runoff":
        total, st, t = 0.0, S[H], H
        while True:
            t += 1
            st *= rate(t)
            term = m * (1 + g) ** (t - 1) * df(t) * st
            total += term
            if term < 1e-18 * total or t > H + 200000:
                break
        run_off = total / S[H]
    mean = second = 0.0
    for L in range(0, H + 1):
        p = S[L] - (S[L + 1] if L < H else 0.0)
        # L = 0 includes leaving at the transfer itself (probability 1 - u).
        v = W[L] + (run_off if L == H else 0.0)
        mean += p * v
        second += p * v * v
    return mean, second - mean * mean


def book_text(name, clients, extra):
    return (f'name: "{name}"\ncurrency: EUR\nhorizon_years: 9\ndiscount_rate: 0.1175\n'
            "revenue_growth: {dist: fixed, value: 0.0265}\nmargin: 0.3725\nretention: 0.8835\n"
            "transfer_retention: 0.9415\n" + SEGMENTS + extra + clients_yaml(clients))


# ------------------------------------------------------------------------------------------


class DistributionErrors(unittest.TestCase):
    """Invalid distribution parameters are input errors at the distribution's line and
    column, naming the key (DESIGN §3, §6)."""

    HEAD = 'name: "Errors"\ncurrency: EUR\nhorizon_years: 7\n'
    TAIL = ("clients:\n  - {id: C1, annual_revenue: 2385.17}\n"
            "monte_carlo: {iterations: 500, seed: 3}\n")

    # (line 4 of the file, expected column, expected text after "error: ")
    CASES = [
        ("tri_mode_above",
         "revenue_growth: {dist: triangular, min: 0.005, mode: 0.0515, max: 0.047}", 17,
         "revenue_growth: needs min <= mode <= max"),
        ("tri_mode_below",
         "margin: {dist: triangular, min: 0.3125, mode: 0.2985, max: 0.4475}", 9,
         "margin: needs min <= mode <= max"),
        ("pert_mode_outside",
         "discount_rate: {dist: pert, min: 0.095, mode: 0.1915, max: 0.186}", 16,
         "discount_rate: needs min <= mode <= max"),
        ("pert_min_max",
         "discount_rate: {dist: pert, min: 0.186, mode: 0.186, max: 0.186}", 16,
         "discount_rate: needs min < max"),
        ("lognormal_mean_zero",
         "revenue_growth: {dist: lognormal, mean: 0, sd: 0.0215}", 17,
         "revenue_growth: lognormal mean must be > 0 (it is the mean of the variable)"),
        ("lognormal_mean_negative",
         "discount_rate: {dist: lognormal, mean: -0.0375, sd: 0.0215}", 16,
         "discount_rate: lognormal mean must be > 0"),
        ("lognormal_sd_zero",
         "discount_rate: {dist: lognormal, mean: 0.1175, sd: 0}", 16,
         "discount_rate: lognormal sd must be > 0"),
        ("beta_sd_too_large",
         "retention: {dist: beta, mean: 0.874, sd: 0.3325}", 12,
         "retention: beta sd is too large for its mean: sd^2 = 0.110556 must be below "
         "mean*(1-mean) = 0.110124"),
        ("beta_mean_outside",
         "retention: {dist: beta, mean: 1.0375, sd: 0.0215}", 12,
         "retention: beta mean must lie in (0, 1)"),
        ("beta_both_forms",
         "retention: {dist: beta, mean: 0.874, sd: 0.031, alpha: 7.35}", 12,
         "retention: a beta distribution takes either {mean, sd} or {alpha, beta}"),
        ("beta_alpha_zero",
         "retention: {dist: beta, alpha: 0, beta: 1.85}", 12,
         "retention: beta alpha and beta must be > 0"),
        ("normal_sd_zero",
         "margin: {dist: normal, mean: 0.392, sd: 0, min: 0.25, max: 0.6}", 9,
         "margin: normal sd must be > 0"),
        ("normal_truncation_empty",
         "margin: {dist: normal, mean: 0.392, sd: 0.0047, min: 0.55, max: 0.6}", 9,
         "margin: normal truncation [min, max] holds almost none of the distribution"),
        ("uniform_reversed",
         "margin: {dist: uniform, min: 0.4475, max: 0.3125}", 9,
         "margin: uniform needs min < max"),
        ("support_outside_range",
         "margin: {dist: uniform, min: 0.3125, max: 1.0475}", 9,
         "margin: a uniform distribution here can take values in"),
        ("unknown_parameter",
         "margin: {dist: uniform, min: 0.3125, max: 0.4475, mode: 0.39}", 51,
         "margin.mode: unknown parameter of a uniform distribution; accepted: min, max"),
    ]

    DEFAULT = {"discount_rate": "0.1175", "margin": "0.3875", "retention": "0.9125",
               "revenue_growth": "0.0215"}

    def test_each_error_at_its_place(self):
        for name, line, col, text in self.CASES:
            with self.subTest(name):
                key = line.split(":")[0]
                rest = "".join(f"{k}: {v}\n" for k, v in self.DEFAULT.items() if k != key)
                path = scenario("err_" + name, self.HEAD + line + "\n" + rest + self.TAIL)
                p, data, outs = run(path)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(f"{path}:4:{col}: error: {text}", p.stderr)
                for out in outs:
                    self.assertFalse(os.path.exists(out), out)
                # validate reports the same error.
                v = e2e.run("validate", path)
                self.assertEqual(v.returncode, 2)
                self.assertIn(f"{path}:4:{col}: error: {text}", v.stderr)

    def test_block_mapping_points_at_its_first_key(self):
        path = scenario("err_block", self.HEAD + "discount_rate: 0.1175\nmargin: 0.3875\n"
                        "retention: 0.9125\ntransfer_retention:\n  dist: normal\n"
                        "  mean: 0.9515\n  sd: 0\n  min: 0.85\n  max: 1\n" + self.TAIL)
        p, _, _ = run(path)
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"{path}:8:3: error: transfer_retention: normal sd must be > 0", p.stderr)


class CorrelationErrors(unittest.TestCase):
    """Correlations name uncertain inputs, each pair once, and form a possible matrix."""

    BASE = ('name: "Correlations"\ncurrency: EUR\nhorizon_years: 7\n'
            "discount_rate: {dist: uniform, min: 0.095, max: 0.135}\n"
            "revenue_growth: {dist: triangular, min: 0.005, mode: 0.0215, max: 0.047}\n"
            "margin: {dist: uniform, min: 0.3125, max: 0.4475}\n"
            "retention: 0.9125\n"
            "segments:\n  A: {retention: {dist: beta, mean: 0.874, sd: 0.031}}\n"
            "clients:\n  - {id: C1, annual_revenue: 2385.17, segment: A}\n"
            "  - {id: C2, annual_revenue: 1190.55}\n"
            "monte_carlo: {iterations: 500, seed: 3, vary_discount_rate: true}\n"
            "correlations:\n")  # the entries start on line 15

    INPUTS = "discount_rate, margin, revenue_growth, segments.A.retention"

    CASES = [
        ("not_psd",
         ["[discount_rate, revenue_growth], rank: 0.9", "[discount_rate, margin], rank: 0.9",
          "[revenue_growth, margin], rank: -0.9"],
         15, "correlations: the rank correlations are not positive semi-definite (the "
             "matrix's smallest eigenvalue is -0.8)"),
        ("fixed_input",
         ["[discount_rate, margin], rank: 0.25", "[retention, margin], rank: 0.3"],
         16, "correlations[1]: 'retention' is not an uncertain input (a distribution); "
             "uncertain inputs are: " + INPUTS),
        ("unknown_path",
         ["[segments.B.margin, discount_rate], rank: -0.3"],
         15, "correlations[0]: 'segments.B.margin' is not an uncertain input"),
        ("twice",
         ["[margin, discount_rate], rank: 0.25", "[segments.A.retention, margin], rank: 0.1",
          "[discount_rate, margin], rank: -0.125"],
         17, "correlations[2]: the pair discount_rate, margin is given twice"),
        ("itself",
         ["[segments.A.retention, segments.A.retention], rank: 0.5"],
         15, "correlations[0]: correlates 'segments.A.retention' with itself"),
        ("rank_out_of_range",
         ["[discount_rate, margin], rank: 1.25"],
         15, "correlations[0].rank: 1.25 is out of range; accepted: [-1, 1]"),
    ]

    def write(self, name, entries):
        text = self.BASE + "".join(f"  - {{between: {e}}}\n" for e in entries)
        return scenario("cor_" + name, text)

    def test_run_refuses(self):
        for name, entries, line, text in self.CASES:
            with self.subTest(name):
                path = self.write(name, entries)
                p, data, outs = run(path)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                col = 5 if name != "rank_out_of_range" else 46
                self.assertIn(f"{path}:{line}:{col}: error: {text}", p.stderr)
                for out in outs:
                    self.assertFalse(os.path.exists(out), out)

    def test_consistent_matrix_runs(self):
        path = self.write("fine", ["[discount_rate, revenue_growth], rank: 0.5",
                                   "[discount_rate, margin], rank: 0.3",
                                   "[revenue_growth, margin], rank: -0.2",
                                   "[segments.A.retention, margin], rank: 0.15"])
        mc = run_ok(path)["monte_carlo"]
        self.assertEqual(mc["iterations"], 500)

    def test_validate_reports_correlation_errors(self):
        """`validate` checks everything a run would (DESIGN §3: check only, every error)."""
        for name, entries, line, text in self.CASES:
            with self.subTest(name):
                path = self.write(name, entries)
                v = e2e.run("validate", path)
                self.assertEqual(v.returncode, 2, f"validate exited {v.returncode}:\n"
                                 f"{v.stdout}{v.stderr}")
                self.assertIn(text, v.stderr)


# ------------------------------------------------------------------------------------------

RICH = """name: "Reproducibility"
currency: EUR
horizon_years: 8
timing: mid_year
tail: runoff
discount_rate: {dist: pert, min: 0.095, mode: 0.1175, max: 0.165}
revenue_growth: {dist: triangular, min: 0.005, mode: 0.0215, max: 0.047}
margin: {dist: normal, mean: 0.392, sd: 0.047, min: 0.25, max: 0.6}
retention: {dist: beta, mean: 0.874, sd: 0.031}
transfer_retention: {dist: uniform, min: 0.88, max: 0.97}
segments:
  A: {margin: {dist: beta, mean: 0.4125, sd: 0.0385}}
  B: {retention: {sbg: {alpha: 1.437, beta: 6.215}}}
correlations:
  - {between: [discount_rate, revenue_growth], rank: 0.45}
  - {between: [retention, margin], rank: -0.3}
  - {between: [segments.A.margin, margin], rank: 0.6}
monte_carlo: {iterations: 3000, seed: 20250611, client_churn: true, sampling: SAMPLING,
              vary_discount_rate: true}
"""


class Reproducibility(unittest.TestCase):
    """The result depends only on the inputs and the seed (DESIGN §6)."""

    @classmethod
    def setUpClass(cls):
        clients = make_clients(120)
        for c in clients:  # segments C and D are not defined in RICH
            if c.get("segment") in ("C", "D"):
                c["segment"] = "B"
        cls.paths = {s: scenario("rich_" + s, RICH.replace("SAMPLING", s) + clients_yaml(clients))
                     for s in ("random", "latin_hypercube")}

    def test_threads_give_identical_json(self):
        for sampling, path in self.paths.items():
            with self.subTest(sampling):
                outs = []
                for threads in ("1", "2", "3"):
                    p, data, _ = run(path, "--threads", threads)
                    self.assertEqual(p.returncode, 0, p.stderr)
                    outs.append(data)
                self.assertEqual(outs[0], outs[1])
                self.assertEqual(outs[0], outs[2])
                mc = json.loads(outs[0])["monte_carlo"]
                self.assertEqual(mc["sampling"], sampling)
                self.assertEqual(mc["iterations"], 3000)
                self.assertGreater(mc["sd"], 0)

    def test_seed(self):
        path = self.paths["random"]
        a = run(path)[1]
        b = run(path)[1]
        self.assertEqual(a, b)
        # The scenario's seed given on the command line: the same run (its provenance aside:
        # the JSON's `options` records a --seed as given).
        def results(text):
            summary = json.loads(text)
            summary.pop("options")
            return summary
        self.assertEqual(results(run(path, "--seed", "20250611")[1]), results(a))
        other = run(path, "--seed", "20250612")[1]
        self.assertNotEqual(other, a)
        ma, mo = json.loads(a)["monte_carlo"], json.loads(other)["monte_carlo"]
        self.assertEqual(mo["seed"], 20250612)
        self.assertEqual(ma["seed"], 20250611)
        for key in ("mean", "sd", "p5", "p50", "p95", "min", "max"):
            self.assertNotEqual(ma[key], mo[key], key)
        # ... yet the same book: the means agree within their standard errors.
        self.assertLess(abs(ma["mean"] - mo["mean"]), 5 * math.hypot(ma["se"], mo["se"]))

    def test_iterations_are_a_prefix(self):
        """Iteration i's draws depend on (seed, i) only: 1500 random iterations are the first
        1500 of 3000, so with one value per iteration min/max can only widen."""
        path = self.paths["random"]
        short = run_ok(path, "--iterations", "1500")["monte_carlo"]
        full = run_ok(path)["monte_carlo"]
        self.assertLessEqual(full["min"], short["min"])
        self.assertGreaterEqual(full["max"], short["max"])


class ExtremeSeed(unittest.TestCase):
    def test_every_valid_seed_runs(self):
        """Seed 8028757036411618 (<= 2^53, so valid) gives iteration 0's first input the
        counter whose SplitMix64 output has all 53 top bits set (found by inverting rng.h's
        key derivation; tests/unit/test_sampler_streams.c shows the arithmetic). rng_uniform
        must still return a number below 1, and a lognormal discount rate a finite draw."""
        path = scenario("extreme_seed", 'name: "Seed"\ncurrency: EUR\nhorizon_years: 7\n'
                        "discount_rate: {dist: lognormal, mean: 0.1175, sd: 0.0215}\n"
                        "margin: 0.3875\nretention: 0.9125\n"
                        "clients:\n  - {id: C1, annual_revenue: 2385.17}\n"
                        "monte_carlo: {iterations: 10, seed: 8028757036411618, "
                        "client_churn: false, vary_discount_rate: true}\n")
        p, data, _ = run(path)
        self.assertEqual(p.returncode, 0, f"a valid seed made the run fail:\n{p.stderr}")
        mc = json.loads(data)["monte_carlo"]
        self.assertTrue(math.isfinite(mc["max"]))


# ------------------------------------------------------------------------------------------


class ZeroVolatility(unittest.TestCase):
    """With nothing uncertain the Monte Carlo reproduces the DCF (DESIGN §6)."""

    N_CLIENTS = 300

    @classmethod
    def setUpClass(cls):
        cls.clients = make_clients(cls.N_CLIENTS)

    def variants(self):
        for tail in ("none", "runoff"):
            for timing in ("end_of_year", "mid_year"):
                yield tail, timing

    def test_without_churn_mean_is_the_dcf_exactly(self):
        for tail, timing in self.variants():
            with self.subTest(tail=tail, timing=timing):
                extra = (f"tail: {tail}\ntiming: {timing}\n"
                         "monte_carlo: {iterations: 777, seed: 5, client_churn: false}\n")
                path = scenario(f"zero_{tail}_{timing}", book_text("Zero", self.clients, extra))
                out = run_ok(path, "--threads", "2")
                self.assertGreater(out["book"]["cohorts"], 20)
                v, mc = out["dcf"]["value"], out["monte_carlo"]
                self.assertEqual(mc["iterations"], 777)
                self.assertEqual(mc["mean"], v)  # bit for bit
                self.assertEqual(mc["sd"], 0)
                self.assertEqual(mc["se"], 0)
                self.assertEqual(mc["min"], v)
                self.assertEqual(mc["max"], v)
                # Interpolating between equal order statistics, (1-f) v + f v, and averaging
                # 777 copies of v by summation may each move the last bits.
                for k in ("p1", "p5", "p10", "p25", "p50", "p75", "p90", "p95", "p99", "cvar5"):
                    self.assertAlmostEqual(mc[k] / v, 1, delta=1e-13, msg=k)
                if tail == "runoff":
                    self.assertGreater(out["dcf"]["tail_value"], 0)

    def test_with_churn_mean_converges_to_the_dcf(self):
        """Churned lifetimes average to the expected survival: the mean is within 4 standard
        errors of the DCF value, and the spread is the one the client-by-client lifetime
        model implies (independent clients: Var = sum R_i^2 Var W_i(L_i))."""
        n = 4000
        for tail, timing in self.variants():
            with self.subTest(tail=tail, timing=timing):
                extra = (f"tail: {tail}\ntiming: {timing}\n"
                         f"monte_carlo: {{iterations: {n}, seed: 17, client_churn: true}}\n")
                path = scenario(f"churn_{tail}_{timing}", book_text("Churn", self.clients,
                                                                     extra))
                out = run_ok(path, "--threads", "2")
                mean_ref = var_ref = 0.0
                for c in self.clients:
                    m1, var = lifetime_moments(c, 9, 0.1175, timing, tail)
                    R = c["annual_revenue"]
                    mean_ref += R * m1
                    var_ref += R * R * var
                v, mc = out["dcf"]["value"], out["monte_carlo"]
                # The reference model is right: its expectation is the DCF.
                self.assertAlmostEqual(mean_ref / v, 1, delta=1e-9)
                sd_ref = math.sqrt(var_ref)
                se_ref = sd_ref / math.sqrt(n)
                self.assertLess(abs(mc["mean"] - v), 4 * se_ref,
                                f"mean {mc['mean']} vs DCF {v}: "
                                f"{(mc['mean'] - v) / se_ref:.2f} standard errors")
                # Sum of 300 independent clients: nearly normal, sd's relative se 1/sqrt(2n).
                self.assertLess(abs(mc["sd"] / sd_ref - 1), 4 / math.sqrt(2 * n),
                                f"sd {mc['sd']} vs {sd_ref}")
                self.assertAlmostEqual(mc["se"], mc["sd"] / math.sqrt(n), delta=1e-9 * mc["se"])


# ------------------------------------------------------------------------------------------

ONE_COHORT = """name: "One cohort"
currency: EUR
horizon_years: {H}
timing: {timing}
tail: {tail}
discount_rate: 0.1175
revenue_growth: {growth}
margin: {margin}
retention: 0.9125
transfer_retention: 0.9437
clients:
  - {{id: C1, annual_revenue: 2385.17, tenure_years: 3}}
  - {{id: C2, annual_revenue: 14720.5, tenure_years: 11}}
  - {{id: C3, annual_revenue: 903.41}}
monte_carlo: {{iterations: {n}, seed: {seed}, client_churn: false, sampling: {sampling}}}
"""
R_TOTAL = 2385.17 + 14720.5 + 903.41
A, B = 0.2815, 0.4635  # margin ~ uniform(A, B)
LEVELS = {"p1": 0.01, "p5": 0.05, "p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75,
          "p90": 0.90, "p95": 0.95, "p99": 0.99}


def one_cohort(name, n, seed, sampling="random", H=9, timing="end_of_year", tail="none",
               growth="0.0215", margin=f"{{dist: uniform, min: {A}, max: {B}}}"):
    return scenario(name, ONE_COHORT.format(H=H, timing=timing, tail=tail, growth=growth,
                                            margin=margin, n=n, seed=seed, sampling=sampling))


class UniformMargin(unittest.TestCase):
    """Only the margin uncertain, no churn: V = K m exactly, K from the closed form."""

    def test_mean_sd_percentiles_random(self):
        n = 20000
        out = run_ok(one_cohort("uniform_random", n, 4242))
        K = k_constant(R_TOTAL, 0.9437, 0.9125, 0.0215, 0.1175, 9)
        mc = out["monte_carlo"]
        # The DCF at the mean margin.
        self.assertAlmostEqual(out["dcf"]["value"] / (K * (A + B) / 2), 1, delta=1e-12)
        sd_true = K * (B - A) / math.sqrt(12)
        se = sd_true / math.sqrt(n)
        self.assertLess(abs(mc["mean"] - K * (A + B) / 2), 4 * se,
                        f"{(mc['mean'] - K * (A + B) / 2) / se:.2f} standard errors")
        # sd of a uniform sample: relative se sqrt((9/5 - 1) / (4 n)).
        self.assertLess(abs(mc["sd"] / sd_true - 1), 4 * math.sqrt(0.8 / (4 * n)))
        self.assertAlmostEqual(mc["se"], mc["sd"] / math.sqrt(n), delta=1e-12 * mc["se"])
        # Quantiles: Q(p) = K (A + p (B - A)); the empirical one's error is
        # sqrt(p (1-p) / n) / f with f = 1 / (K (B - A)).
        for key, p in LEVELS.items():
            q = K * (A + p * (B - A))
            tol = 4 * K * (B - A) * math.sqrt(p * (1 - p) / n)
            self.assertLess(abs(mc[key] - q), tol, f"{key}: {mc[key]} vs {q}")
        # cvar5 = mean of the values <= p5: about K (A + 0.025 (B - A)); its error is about
        # that of p5 plus the mean of ~n/20 values spread over 5% of the range.
        cvar = K * (A + 0.025 * (B - A))
        tol = 4 * K * (B - A) * (math.sqrt(0.05 * 0.95 / n) + 0.05 / math.sqrt(12 * 0.05 * n))
        self.assertLess(abs(mc["cvar5"] - cvar), tol)
        self.assertLessEqual(mc["cvar5"], mc["p5"])
        # Every value between K A and K B; the extremes near them.
        self.assertGreaterEqual(mc["min"], K * A * (1 - 1e-12))
        self.assertLessEqual(mc["max"], K * B * (1 + 1e-12))
        self.assertLess(mc["min"], K * (A + 0.001 * (B - A)))
        self.assertGreater(mc["max"], K * (B - 0.001 * (B - A)))
        self.assertFalse(mc["client_churn"])
        self.assertFalse(mc["stopped_early"])

    def test_latin_hypercube_bounds(self):
        """One margin per stratum [A + k w, A + (k+1) w), w = (B - A) / n, so the k-th smallest
        value lies in stratum k and PERCENTILE.INC at p, between order statistics floor(h) and
        floor(h) + 1 (h = (n-1) p), lies within [K (A + floor(h) w), K (A + (floor(h)+2) w)].
        Here with the run-off tail and mid-year timing (K the whole perpetuity)."""
        n = 1037
        out = run_ok(one_cohort("uniform_latin", n, 99, sampling="latin_hypercube",
                                timing="mid_year", tail="runoff"))
        K = k_perpetuity_mid(R_TOTAL, 0.9437, 0.9125, 0.0215, 0.1175)
        mc = out["monte_carlo"]
        self.assertEqual(mc["sampling"], "latin_hypercube")
        self.assertAlmostEqual(out["dcf"]["value"] / (K * (A + B) / 2), 1, delta=1e-12)
        w = (B - A) / n
        slack = 1e-12 * K * B
        for key, p in LEVELS.items():
            i = math.floor((n - 1) * p)
            lo, hi = K * (A + i * w), K * (A + (i + 2) * w)
            self.assertTrue(lo - slack <= mc[key] <= hi + slack, f"{key} {mc[key]} not in "
                            f"[{lo}, {hi}]")
        self.assertTrue(K * A - slack <= mc["min"] <= K * (A + w) + slack)
        self.assertTrue(K * (B - w) - slack <= mc["max"] <= K * B + slack)
        # The mean of one uniform per stratum is within half a stratum of the middle.
        self.assertLess(abs(mc["mean"] - K * (A + B) / 2), K * w / 2 + slack)
        # ... and the sd within 0.5% of a uniform's.
        self.assertLess(abs(mc["sd"] / (K * (B - A) / math.sqrt(12)) - 1), 0.005)

    def test_latin_reduces_spread_of_the_mean(self):
        """Over 8 seeds, the mean's spread under Latin hypercube sampling is far below random
        sampling's (the value is monotone in both uncertain inputs)."""
        means = {"random": [], "latin_hypercube": []}
        ses = []
        for sampling in means:
            for seed in range(8):
                path = one_cohort(f"spread_{sampling}_{seed}", 1000, 1000 + 37 * seed,
                                  sampling=sampling)
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                e2e.write(path, text.replace(
                    "discount_rate: 0.1175",
                    "discount_rate: {dist: pert, min: 0.095, mode: 0.1175, max: 0.165}"))
                mc = run_ok(path)["monte_carlo"]
                means[sampling].append(mc["mean"])
                if sampling == "random":
                    ses.append(mc["se"])
        se = statistics.fmean(ses)
        spread_random = statistics.stdev(means["random"])
        spread_latin = statistics.stdev(means["latin_hypercube"])
        # Random: a 7-degree-of-freedom estimate of se (within [0.35, 1.8] se but for 1e-3).
        self.assertTrue(0.35 * se < spread_random < 1.8 * se, f"{spread_random} vs se {se}")
        self.assertLess(spread_latin, 0.3 * se, f"latin {spread_latin} vs se {se}")
        # Both centre on the same expectation.
        self.assertLess(abs(statistics.fmean(means["random"]) -
                            statistics.fmean(means["latin_hypercube"])), 4 * se / math.sqrt(8))


class LognormalGrowth(unittest.TestCase):
    """H = 2 and only the growth g uncertain: V = m R u [r/(1+d) + (1+g) r^2/(1+d)^2] is affine
    in g ~ lognormal(mean 0.0455, sd 0.0285) of the variable itself, so E V, sd V and the
    quantiles of V follow from g's: ln g ~ N(zeta, sigma^2), sigma^2 = ln(1 + (sd/mean)^2),
    zeta = ln(mean) - sigma^2/2."""

    def test_mean_sd_quantiles(self):
        n = 20000
        mg, sg = 0.0455, 0.0285
        out = run_ok(one_cohort("lognormal_growth", n, 606, H=2, margin="0.3875",
                                growth=f"{{dist: lognormal, mean: {mg}, sd: {sg}}}"))
        m, u, r, d = 0.3875, 0.9437, 0.9125, 0.1175
        base = m * R_TOTAL * u * r / (1 + d)
        slope = m * R_TOTAL * u * r * r / (1 + d) ** 2

        def value(g):
            return base + (1 + g) * slope

        mc = out["monte_carlo"]
        self.assertAlmostEqual(out["dcf"]["value"] / value(mg), 1, delta=1e-12)
        se = slope * sg / math.sqrt(n)
        self.assertLess(abs(mc["mean"] - value(mg)), 4 * se,
                        f"{(mc['mean'] - value(mg)) / se:.2f} standard errors")
        # sd: relative se sqrt((kurtosis - 1) / (4 n)), lognormal kurtosis
        # e^(4 s2) + 2 e^(3 s2) + 3 e^(2 s2) - 3.
        s2 = math.log(1 + (sg / mg) ** 2)
        kurt = math.exp(4 * s2) + 2 * math.exp(3 * s2) + 3 * math.exp(2 * s2) - 3
        self.assertLess(abs(mc["sd"] / (slope * sg) - 1), 4 * math.sqrt((kurt - 1) / (4 * n)))
        zeta, sigma = math.log(mg) - s2 / 2, math.sqrt(s2)
        for key in ("p5", "p50", "p95"):
            p = LEVELS[key]
            z = Z.inv_cdf(p)
            gq = math.exp(zeta + sigma * z)
            density = Z.pdf(z) / (gq * sigma)
            tol = 4 * slope * math.sqrt(p * (1 - p) / n) / density
            self.assertLess(abs(mc[key] - value(gq)), tol, f"{key}: {mc[key]} vs {value(gq)}")
        # All draws of g are positive: every value above the g = 0 value.
        self.assertGreater(mc["min"], value(0))


# ------------------------------------------------------------------------------------------

PRECISION = """name: "Precision"
currency: EUR
horizon_years: 9
discount_rate: 0.1175
revenue_growth: 0.0215
margin: {{dist: uniform, min: 0.0815, max: 0.6735}}
retention: 0.9125
clients:
  - {{id: C1, annual_revenue: 2385.17}}
  - {{id: C2, annual_revenue: 903.41}}
monte_carlo:
  iterations: 200
  seed: {seed}
  client_churn: {churn}
  precision: {precision}
"""


def half_width_ok(mc, relative, confidence):
    z = Z.inv_cdf(0.5 + 0.5 * confidence)
    return z * mc["sd"] / math.sqrt(mc["iterations"]) <= relative * abs(mc["mean"])


class PrecisionStop(unittest.TestCase):
    """precision: stop once z sd / sqrt(n) <= relative |mean|, checked after whole blocks of
    1000 iterations, so the result is reproducible (DESIGN §6)."""

    def check_stop(self, name, churn, relative, confidence):
        path = scenario(name, PRECISION.format(
            seed=31, churn=churn, precision=f"{{relative: {relative}, confidence: "
                                            f"{confidence}, max_iterations: 50000}}"))
        p1, data1, _ = run(path, "--threads", "1")
        p2, data2, _ = run(path, "--threads", "2")
        self.assertEqual(p1.returncode, 0, p1.stderr)
        self.assertEqual(data1, data2)  # the same stop whatever the threads
        mc = json.loads(data1)["monte_carlo"]
        n = mc["iterations"]
        self.assertTrue(mc["stopped_early"])
        self.assertEqual(n % 1000, 0)
        self.assertLess(n, 50000)
        self.assertGreater(n, 1000, "pick a wider margin: the test needs several blocks")
        self.assertTrue(half_width_ok(mc, relative, confidence),
                        f"stopped at {n} but the half-width is above {relative} of the mean")
        self.assertAlmostEqual(mc["se"], mc["sd"] / math.sqrt(n), delta=1e-12 * mc["se"])
        # It stopped at the first block that met the target: every earlier block missed it.
        # (Iteration i's draws depend only on (seed, i), so a run of k blocks reproduces the
        # first k blocks of this one.)
        for k in range(1, n // 1000):
            early = run_ok(path, "--iterations", str(1000 * k))["monte_carlo"]
            self.assertEqual(early["iterations"], 1000 * k)
            self.assertFalse(early["stopped_early"])
            self.assertFalse(half_width_ok(early, relative, confidence),
                             f"the target was already met after {1000 * k} iterations")
        return n

    def test_stops_at_a_block_boundary(self):
        self.check_stop("precision_95", "false", 0.01, 0.95)

    def test_stops_with_churn_and_another_confidence(self):
        self.check_stop("precision_churn_99", "true", 0.02, 0.99)

    def test_unreachable_target_runs_max_iterations(self):
        path = scenario("precision_unreachable", PRECISION.format(
            seed=8, churn="false",
            precision="{relative: 0.000001, confidence: 0.95, max_iterations: 7300}"))
        mc = run_ok(path)["monte_carlo"]
        self.assertEqual(mc["iterations"], 7300)
        self.assertFalse(mc["stopped_early"])
        self.assertFalse(half_width_ok(mc, 0.000001, 0.95))

    def test_without_max_iterations_iterations_bound_the_run(self):
        path = scenario("precision_no_max", PRECISION.format(
            seed=8, churn="false", precision="{relative: 0.000001}").replace(
                "iterations: 200", "iterations: 2500"))
        mc = run_ok(path)["monte_carlo"]
        self.assertEqual(mc["iterations"], 2500)
        self.assertFalse(mc["stopped_early"])


if __name__ == "__main__":
    e2e.main()
