"""What-if runs end to end (DESIGN §2, §4, §8): variants, the tornado, the two-way grid, the
buyer's break-even inputs, and `bookval batch`.

References, all independent of the code under test:
- a variant is the scenario plus a patch through the same merge as `--set`: each variant's
  numbers must be bit-equal to a run of the same scenario edited by hand in this file;
- every tornado and grid point is a full revaluation: bit-equal to `bookval run --set
  PATH=VALUE` of the scenario (without its what-if sections, which a what-if load drops);
- a bare tornado entry swings from the distribution's 10th to its 90th percentile, computed
  here: closed forms for uniform and triangular, PERT and beta by inverting mpmath's regularized
  incomplete beta function (bisection at 40 digits); a fixed number swings by +-10%, clamped to
  the parameter's range;
- a three-client book with constant retention valued in closed form,
    V = A(d) sum_i m_i R_i,  A(d) = sum_{t=1..H} (1+g)^(t-1) u r^t (1+d)^-t,
  so which m_i a what-if moves is checked: in the file, client > segment > scenario; a what-if
  naming the top-level `margin` reaches every client (segment and own values give way), one
  naming `segments.S.margin` only S's clients without their own; with
  the buyer's tax rate 0 and one payment at closing, NPV = A(d_b) sum_i m_i R_i - P - costs is
  affine in a margin and its break-even is solved here by hand;
- a break-even input makes the buyer's NPV zero: re-run there with --set;
- batch outputs equal the outputs of single `bookval run`s.
"""
import json
import math
import os
import shutil
import sys
import tempfile
import unittest
import zipfile

import mpmath

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

TMP = tempfile.TemporaryDirectory(prefix="bookval-whatif-")
# Copies of the shipped scenario live in TMP: let them find the shipped models.
os.environ["BOOKVAL_MODELS"] = os.path.join(e2e.ROOT, "models")
EXAMPLE = os.path.join(e2e.SCENARIOS, "buyer-choosing-practices.yaml")


def scenario(name, text, directory=None):
    """Write (directory or TMP)/name; return its path."""
    return e2e.write(os.path.join(directory or TMP.name, name), text)


def value_text(x):
    """A number as --set text that parses back to the same double."""
    return repr(float(x))


def dcf_at(path, *sets, extra=()):
    """The JSON of `bookval run path --set P=V ...`."""
    args = []
    for p, v in sets:
        args += ["--set", f"{p}={value_text(v)}"]
    return e2e.run_json(path, *args, *extra)


# ---- independent percentiles ----

mpmath.mp.dps = 40


def beta_quantile(a, b, p):
    """x with I_x(a, b) = p, by bisection on mpmath's regularized incomplete beta."""
    lo, hi = mpmath.mpf(0), mpmath.mpf(1)
    for _ in range(120):
        mid = (lo + hi) / 2
        if mpmath.betainc(a, b, 0, mid, regularized=True) < p:
            lo = mid
        else:
            hi = mid
    return float((lo + hi) / 2)


def swing_reference(dist, range_min, range_max):
    """(low, high) of a bare tornado entry for the distribution written as a dict (or a
    number)."""
    if not isinstance(dist, dict):
        v = float(dist)
        low, high = v - 0.1 * abs(v), v + 0.1 * abs(v)
    else:
        kind = dist["dist"]
        qs = []
        for p in (0.1, 0.9):
            if kind == "uniform":
                a, b = dist["min"], dist["max"]
                qs.append(a + p * (b - a))
            elif kind == "triangular":
                a, c, b = dist["min"], dist["mode"], dist["max"]
                fc = (c - a) / (b - a)
                if p <= fc:
                    qs.append(a + math.sqrt(p * (b - a) * (c - a)))
                else:
                    qs.append(b - math.sqrt((1 - p) * (b - a) * (b - c)))
            elif kind == "pert":
                a, c, b = dist["min"], dist["mode"], dist["max"]
                al = 1 + 4 * (mpmath.mpf(c) - a) / (mpmath.mpf(b) - a)
                be = 1 + 4 * (mpmath.mpf(b) - c) / (mpmath.mpf(b) - a)
                qs.append(a + (b - a) * beta_quantile(al, be, p))
            elif kind == "beta":
                if "mean" in dist:
                    m, s = mpmath.mpf(dist["mean"]), mpmath.mpf(dist["sd"])
                    k = m * (1 - m) / s ** 2 - 1
                    al, be = m * k, (1 - m) * k
                else:
                    al, be = mpmath.mpf(dist["alpha"]), mpmath.mpf(dist["beta"])
                qs.append(beta_quantile(al, be, p))
            else:
                raise ValueError(kind)
        low, high = qs
    return max(low, range_min), min(high, range_max)


# ---- scenario W: every kind of input, a deal, Monte Carlo, clients from CSV ----

W_DISTS = {
    "discount_rate": {"dist": "pert", "min": 0.0925, "mode": 0.1135, "max": 0.1710},
    "revenue_growth": {"dist": "uniform", "min": 0.0075, "max": 0.0415},
    "margin": {"dist": "triangular", "min": 0.3125, "mode": 0.4125, "max": 0.4675},
    "retention": {"dist": "beta", "mean": 0.8875, "sd": 0.0415},
    "transfer_retention": 0.95,
    "segments.A.margin": 0.5375,
    # B sets no margin: it takes the scenario's triangular
    "segments.B.margin": {"dist": "triangular", "min": 0.3125, "mode": 0.4125, "max": 0.4675},
    "segments.B.transfer_retention": {"dist": "beta", "alpha": 18.5, "beta": 1.3},
}
W_RANGES = {"discount_rate": (-1, math.inf), "revenue_growth": (-1, math.inf),
            "margin": (-1, 1), "retention": (0, 1), "transfer_retention": (0, 1)}

W_HEAD = """name: What-if check
currency: EUR
horizon_years: 8
discount_rate: {dist: pert, min: 0.0925, mode: 0.1135, max: 0.1710}
revenue_growth: {dist: uniform, min: 0.0075, max: 0.0415}
margin: {dist: triangular, min: 0.3125, mode: 0.4125, max: 0.4675}
retention: {dist: beta, mean: 0.8875, sd: 0.0415}
transfer_retention: 0.95
segments:
  A: {margin: 0.5375, retention: {sbg: {alpha: 0.77, beta: 3.9}}}
  B: {revenue_growth: 0.0215, transfer_retention: {dist: beta, alpha: 18.5, beta: 1.3}}
clients_csv: book-a.csv
monte_carlo: {iterations: 800, seed: 20250117, client_churn: true}
deal: {price: 61234.5, payments: [{year: 0, share: 0.6}, {year: 1, share: 0.4}]}
seller: {selling_costs: 1730, discount_rate: 0.065, tax_basis: 1180}
buyer: {discount_rate: 0.1325, acquisition_costs: 1240, tax_rate: 0.21, amortization_years: 12}
"""

W_MC = "monte_carlo: {iterations: 800, seed: 20250117, client_churn: true}\n"
assert W_MC in W_HEAD

BOOK_A = """id,name,segment,annual_revenue,tenure_years,margin
a1,Panadería López,A,2385.17,3,
a2,Garage Núñez,A,14720.5,11,
b1,Ferretería Ruiz,B,8841.09,0,
b2,Clínica Dental Sol,B,11377.62,6,0.2915
n1,Hostal Mar,,5210.33,2,0.3315
n2,Taller Vega,,3928.4,9,
"""

BOOK_B = """id,name,segment,annual_revenue,tenure_years,margin
x1,Gestoría Norte,A,19233.08,1,
x2,Autoescuela Pino,B,6102.77,4,0.4475
x3,Farmacia Olmo,,9785.15,13,
"""

W_VARIANT_ENTRIES = {
    "Higher rate": "  - name: Higher rate\n    set: {discount_rate: 0.1385}\n",
    "B margin": "  - name: B margin\n    set: {segments.B.margin: 0.2475}\n",
    "Transfer uncertain": ("  - name: Transfer uncertain\n    set:\n      transfer_retention: "
                           "{dist: triangular, min: 0.81, mode: 0.9, max: 0.965}\n"),
    "Other book": "  - name: Other book\n    set: {clients_csv: book-b.csv}\n",
    "Lower price": "  - name: Lower price\n    set: {deal.price: 52870.25}\n",
}


def w_variants(*names):
    """A variants: section with the named entries (all by default), in that order."""
    return "variants:\n" + "".join(W_VARIANT_ENTRIES[n] for n in names or W_VARIANT_ENTRIES)


# Each variant of W_VARIANT_ENTRIES edited into the scenario by hand.
W_EDITS = {
    "Higher rate": ("discount_rate: {dist: pert, min: 0.0925, mode: 0.1135, max: 0.1710}",
                    "discount_rate: 0.1385"),
    "B margin": ("B: {revenue_growth: 0.0215,", "B: {margin: 0.2475, revenue_growth: 0.0215,"),
    # A top-level transfer_retention reaches every client: segment B's own gives way too.
    "Transfer uncertain": ("transfer_retention: 0.95\nsegments:\n"
                           "  A: {margin: 0.5375, retention: {sbg: {alpha: 0.77, beta: 3.9}}}\n"
                           "  B: {revenue_growth: 0.0215, transfer_retention: {dist: beta, "
                           "alpha: 18.5, beta: 1.3}}\n",
                           "transfer_retention: {dist: triangular, min: 0.81, mode: 0.9, "
                           "max: 0.965}\nsegments:\n"
                           "  A: {margin: 0.5375, retention: {sbg: {alpha: 0.77, beta: 3.9}}}\n"
                           "  B: {revenue_growth: 0.0215}\n"),
    "Other book": ("clients_csv: book-a.csv", "clients_csv: book-b.csv"),
    "Lower price": ("deal: {price: 61234.5,", "deal: {price: 52870.25,"),
}

W_SENSITIVITY = """sensitivity:
  tornado:
    - discount_rate
    - revenue_growth
    - margin
    - retention
    - transfer_retention
    - segments.A.margin
    - segments.B.margin
    - segments.B.transfer_retention
    - {parameter: segments.B.revenue_growth, low: 0.005, high: 0.0385}
  grid:
    rows: {discount_rate: [0.0975, 0.1135, 0.1425]}
    cols: {retention: [0.8625, 0.9035]}
"""


def w_dir():
    """A fresh directory holding W's CSVs."""
    d = tempfile.mkdtemp(dir=TMP.name)
    e2e.write(os.path.join(d, "book-a.csv"), BOOK_A)
    e2e.write(os.path.join(d, "book-b.csv"), BOOK_B)
    return d


def assert_bit_equal(test, got, want, what):
    """Equal doubles (as parsed from %.17g JSON), or both null."""
    if want is None or got is None:
        test.assertIs(got, want, what)
        return
    test.assertEqual(got.hex() if isinstance(got, float) else float(got).hex(),
                     float(want).hex(), f"{what}: {got!r} != {want!r}")


def numbers(j):
    """The numbers a variant reports, from a variant entry or a full run's JSON (None for a
    null section)."""
    mc, deal = j.get("monte_carlo"), j.get("deal")
    return {
        "dcf.value": j["dcf"]["value"],
        "monte_carlo.mean": mc and mc["mean"],
        "monte_carlo.p5": mc and mc["p5"],
        "monte_carlo.p95": mc and mc["p95"],
        "deal.seller.gain": deal and deal["seller"]["gain"],
        "deal.buyer.npv": deal and deal["buyer"]["npv"],
        "deal.buyer.irr": deal and deal["buyer"] and deal["buyer"]["irr"],
        "deal.buyer.prob_npv_negative": deal and deal["buyer"] and
        deal["buyer"]["prob_npv_negative"],
    }


class VariantsEqualHandEdits(unittest.TestCase):
    """Requirement 1: a variant = the scenario edited by hand, bit for bit."""

    def check_variants(self, base_text, names, args=(), hand_args=()):
        """Run W_HEAD plus the named variants with args; each variant must equal base_text
        edited by hand (W_EDITS) and run with hand_args."""
        d = w_dir()
        path = scenario("w.yaml", W_HEAD + w_variants(*names), d)
        got = e2e.run_json(path, *args)
        self.assertEqual([v["name"] for v in got["variants"]], list(names))
        for v in got["variants"]:
            old, new = W_EDITS[v["name"]]
            self.assertEqual(base_text.count(old), 1)
            edited = scenario("hand.yaml", base_text.replace(old, new), d)
            want = numbers(e2e.run_json(edited, *hand_args))
            got_n = numbers(v)
            for key in want:
                with self.subTest(variant=v["name"], number=key):
                    assert_bit_equal(self, got_n[key], want[key], f"{v['name']} {key}")
            # Monte Carlo and both deal sides are really there.
            self.assertIsNotNone(got_n["monte_carlo.p95"])
            self.assertIsNotNone(got_n["deal.seller.gain"])
            self.assertIsNotNone(got_n["deal.buyer.npv"])
        return got

    def test_variants_equal_edited_scenarios(self):
        """Scalar override, a segment key the variant creates, a distribution replacing a
        number, clients_csv switched, a deal term; with Monte Carlo (same seed) and the deal."""
        got = self.check_variants(W_HEAD, list(W_VARIANT_ENTRIES))
        # The variants differ from the base and from each other...
        values = {v["dcf"]["value"] for v in got["variants"]} | {got["dcf"]["value"]}
        self.assertEqual(len(values), 5)  # ...but Lower price keeps the base's DCF value
        self.assertEqual(got["variants"][4]["dcf"]["value"], got["dcf"]["value"])

    def test_variants_under_set_and_run_options(self):
        """--set applies under every variant, and --iterations/--seed drive its Monte Carlo:
        a variant equals the hand-edited scenario (with the --set edit too) run with the same
        --iterations and --seed."""
        base = W_HEAD.replace(
            "discount_rate: {dist: pert, min: 0.0925, mode: 0.1135, max: 0.1710}",
            "discount_rate: 0.1175")
        run_opts = ("--iterations", "900", "--seed", "4242")
        self.check_variants(base, ["B margin", "Other book"],
                            ("--set", "discount_rate=0.1175", *run_opts), run_opts)

    def test_variant_setting_monte_carlo_seed_and_iterations(self):
        """A variant may patch the monte_carlo section like any other key: its Monte Carlo
        then runs with the variant's seed and iterations, as the edited scenario does."""
        variants = ("variants:\n  - name: Other draws\n"
                    "    set: {monte_carlo.seed: 31337, monte_carlo.iterations: 1100}\n")
        d = w_dir()
        got = e2e.run_json(scenario("w.yaml", W_HEAD + variants, d))["variants"][0]
        edited = scenario("hand.yaml", W_HEAD.replace(
            "{iterations: 800, seed: 20250117,", "{iterations: 1100, seed: 31337,"), d)
        want = numbers(e2e.run_json(edited))
        got_n = numbers(got)
        for key in want:
            with self.subTest(number=key):
                assert_bit_equal(self, got_n[key], want[key], f"Other draws {key}")

    def test_variant_without_deal_side_reports_null(self):
        """Without monte_carlo and without a deal the variant's sections are null."""
        text = (W_HEAD.split("monte_carlo:")[0] +
                "variants: [{name: Rate, set: {discount_rate: 0.1385}}]\n")
        d = w_dir()
        got = e2e.run_json(scenario("w.yaml", text, d))["variants"][0]
        self.assertIsNone(got["monte_carlo"])
        self.assertIsNone(got["deal"])
        want = e2e.run_json(scenario("hand.yaml", text.replace(*W_EDITS["Higher rate"])
                                     .split("variants:")[0], d))
        assert_bit_equal(self, got["dcf"]["value"], want["dcf"]["value"], "dcf")


class TornadoAndGrid(unittest.TestCase):
    """Requirement 2: every point equals a separate run; bare swings are the 10th/90th
    percentiles or +-10%, clamped."""

    @classmethod
    def setUpClass(cls):
        cls.dir = w_dir()
        # Points are DCF values: the separate runs need neither Monte Carlo nor the what-if
        # sections (a what-if load drops them).
        head = W_HEAD.replace(W_MC, "")
        cls.plain = scenario("plain.yaml", head, cls.dir)
        cls.path = scenario("w.yaml", head + W_SENSITIVITY, cls.dir)
        cls.json = e2e.run_json(cls.path)

    def test_bare_swings_are_percentiles_or_ten_percent(self):
        by_name = {t["parameter"]: t for t in self.json["sensitivity"]["tornado"]}
        self.assertEqual(len(by_name), 9)
        for name, dist in W_DISTS.items():
            key = name.split(".")[-1]
            lo_r, hi_r = W_RANGES[key]
            want_lo, want_hi = swing_reference(dist, lo_r, hi_r)
            with self.subTest(parameter=name):
                t = by_name[name]
                self.assertAlmostEqual(t["low_input"], want_lo, delta=1e-9)
                self.assertAlmostEqual(t["high_input"], want_hi, delta=1e-9)
        # Clamping: transfer_retention fixed at 0.95 swings to 0.855 and 1.0, not 1.045.
        self.assertEqual(by_name["transfer_retention"]["high_input"], 1.0)
        self.assertAlmostEqual(by_name["transfer_retention"]["low_input"], 0.855, delta=1e-15)
        given = by_name["segments.B.revenue_growth"]
        self.assertEqual((given["low_input"], given["high_input"]), (0.005, 0.0385))

    def test_tornado_points_equal_separate_runs(self):
        base = e2e.run_json(self.plain)
        assert_bit_equal(self, self.json["dcf"]["value"], base["dcf"]["value"], "base")
        for t in self.json["sensitivity"]["tornado"]:
            for side in ("low", "high"):
                with self.subTest(parameter=t["parameter"], side=side):
                    want = dcf_at(self.plain, (t["parameter"], t[f"{side}_input"]))
                    assert_bit_equal(self, t[f"{side}_value"], want["dcf"]["value"],
                                     f"{t['parameter']} {side}")

    def test_tornado_sorted_by_swing(self):
        # The scenario has a buyer: ranked by the swing of the buyer's NPV (the measure of its
        # break-evens), which here is not the DCF's order.
        rows = self.json["sensitivity"]["tornado"]
        swings = [abs(t["high_npv"] - t["low_npv"]) for t in rows]
        self.assertEqual(swings, sorted(swings, reverse=True))
        self.assertGreater(swings[0], swings[-1])
        dcf = [abs(t["high_value"] - t["low_value"]) for t in rows]
        self.assertNotEqual(dcf, sorted(dcf, reverse=True))

    def test_grid_points_equal_separate_runs(self):
        g = self.json["sensitivity"]["grid"]
        self.assertEqual((g["row_parameter"], g["col_parameter"]), ("discount_rate", "retention"))
        self.assertEqual(g["rows"], [0.0975, 0.1135, 0.1425])
        self.assertEqual(g["cols"], [0.8625, 0.9035])
        self.assertEqual([len(r) for r in g["values"]], [2, 2, 2])
        for i, rv in enumerate(g["rows"]):
            for j, cv in enumerate(g["cols"]):
                with self.subTest(row=rv, col=cv):
                    want = dcf_at(self.plain, ("discount_rate", rv), ("retention", cv))
                    assert_bit_equal(self, g["values"][i][j], want["dcf"]["value"],
                                     f"grid[{i}][{j}]")


class ShippedExample(unittest.TestCase):
    """The shipped buyer-choosing-practices scenario: tornado, grid and break-evens against
    separate runs of the same scenario without its what-if sections."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(dir=TMP.name)
        for csv in ("practice-a-clients.csv", "practice-b-clients.csv"):
            shutil.copy(os.path.join(e2e.SCENARIOS, csv), cls.dir)
        with open(EXAMPLE, encoding="utf-8") as f:
            text = f.read()
        head = text.split("\nvariants:")[0] + "\n"
        assert "sensitivity:" not in head
        cls.head = head
        lines = [ln for ln in head.splitlines(True) if not ln.startswith("monte_carlo:")]
        cls.plain = scenario("plain.yaml", "".join(lines), cls.dir)
        cls.json = e2e.run_json(EXAMPLE)

    def test_variants_equal_edited_copies(self):
        """The example's variants (over a model it extends) equal the scenario with the same
        keys written into it by hand, Monte Carlo and deal included."""
        self.assertIn("clients_csv: practice-a-clients.csv", self.head)
        edits = {
            "Practice B (city, newer clients)": self.head.replace(
                "clients_csv: practice-a-clients.csv", "clients_csv: practice-b-clients.csv") +
            "segments:\n  company: {margin: 0.44}\n"
            "transfer_retention: {dist: triangular, min: 0.78, mode: 0.88, max: 0.95}\n",
            # A top-level revenue_growth reaches every client: by hand, the model's segments
            # that set their own growth (individual, company) are edited too.
            "Practice A, pessimistic": self.head + "discount_rate: 0.22\nrevenue_growth: 0.0\n"
            "segments:\n  individual: {revenue_growth: 0.0}\n  company: {revenue_growth: 0.0}\n",
            "Practice A, seller stays a year": self.head +
            "transfer_retention: {dist: triangular, min: 0.9, mode: 0.95, max: 0.98}\n",
        }
        self.assertEqual([v["name"] for v in self.json["variants"]], list(edits))
        for v in self.json["variants"]:
            want = numbers(e2e.run_json(scenario("hand.yaml", edits[v["name"]], self.dir)))
            got = numbers(v)
            for key in want:
                with self.subTest(variant=v["name"], number=key):
                    self.assertIsNotNone(want[key])
                    assert_bit_equal(self, got[key], want[key], f"{v['name']} {key}")

    def test_swings_of_the_example(self):
        by_name = {t["parameter"]: t for t in self.json["sensitivity"]["tornado"]}
        cases = {
            "transfer_retention": ({"dist": "triangular", "min": 0.80, "mode": 0.90,
                                    "max": 0.96}, (0, 1)),
            "discount_rate": ({"dist": "pert", "min": 0.14, "mode": 0.18, "max": 0.26},
                              (-1, math.inf)),
            "segments.sole_trader.margin": (0.35, (-1, 1)),
        }
        for name, (dist, rng) in cases.items():
            with self.subTest(parameter=name):
                lo, hi = swing_reference(dist, *rng)
                self.assertAlmostEqual(by_name[name]["low_input"], lo, delta=1e-9)
                self.assertAlmostEqual(by_name[name]["high_input"], hi, delta=1e-9)

    def test_points_equal_separate_runs(self):
        assert_bit_equal(self, self.json["dcf"]["value"],
                         e2e.run_json(self.plain)["dcf"]["value"], "base")
        for t in self.json["sensitivity"]["tornado"]:
            for side in ("low", "high"):
                with self.subTest(parameter=t["parameter"], side=side):
                    want = dcf_at(self.plain, (t["parameter"], t[f"{side}_input"]))
                    assert_bit_equal(self, t[f"{side}_value"], want["dcf"]["value"],
                                     f"{t['parameter']} {side}")
        g = self.json["sensitivity"]["grid"]
        for i, rv in enumerate(g["rows"]):
            for j, cv in enumerate(g["cols"]):
                with self.subTest(row=rv, col=cv):
                    want = dcf_at(self.plain, (g["row_parameter"], rv), (g["col_parameter"], cv))
                    assert_bit_equal(self, g["values"][i][j], want["dcf"]["value"],
                                     f"grid[{i}][{j}]")

    def test_break_evens_zero_the_buyers_npv(self):
        be = self.json["sensitivity"]["break_even"]
        self.assertEqual([b["parameter"] for b in be],
                         [t["parameter"] for t in self.json["sensitivity"]["tornado"]])
        found = 0
        for b in be:
            if b["value"] is None:
                continue
            found += 1
            with self.subTest(parameter=b["parameter"]):
                self.assertGreaterEqual(b["value"], -0.5)
                self.assertLessEqual(b["value"], 2.0)
                npv = dcf_at(self.plain, (b["parameter"], b["value"]))["deal"]["buyer"]["npv"]
                self.assertLess(abs(npv), 0.01, f"NPV {npv} at {b['parameter']}={b['value']}")
        self.assertGreaterEqual(found, 3)

    def test_scenario_rate_has_no_break_even_when_the_buyer_has_its_own(self):
        be = {b["parameter"]: b["value"] for b in self.json["sensitivity"]["break_even"]}
        self.assertIsNone(be["discount_rate"])
        # ...because the buyer's NPV does not move with it.
        npvs = {dcf_at(self.plain, ("discount_rate", d))["deal"]["buyer"]["npv"]
                for d in (0.0825, 0.2615, 1.35)}
        self.assertEqual(len(npvs), 1)


# ---- precedence on a book valued in closed form ----

H, G, U, R = 6, 0.0185, 0.9525, 0.8875
D, DB = 0.1135, 0.1415
PRICE, COSTS = 31850.0, 1275.0
R_D, R_S, R_C = 14720.5, 8841.09, 5210.33   # default, segment S, own margin
M0, MS, MC = 0.4125, 0.5375, 0.3315

PREC = f"""name: Precedence check
currency: EUR
horizon_years: {H}
discount_rate: {D}
revenue_growth: {G}
margin: {M0}
retention: {R}
transfer_retention: {U}
segments:
  S: {{margin: {MS}}}
clients:
  - {{id: d1, annual_revenue: {R_D}}}
  - {{id: s1, segment: S, annual_revenue: {R_S}}}
  - {{id: c1, segment: S, annual_revenue: {R_C}, margin: {MC}}}
deal: {{price: {PRICE}}}
buyer: {{discount_rate: {DB}, acquisition_costs: {COSTS}}}
"""

PREC_WHATIF = """variants:
  - {name: Scenario margin up, set: {margin: 0.4975}}
  - {name: Segment margin down, set: {segments.S.margin: 0.4615}}
sensitivity:
  tornado:
    - margin
    - {parameter: segments.S.margin, low: 0.45, high: 0.62}
  grid: {rows: {margin: [0.3625, 0.4425]}, cols: {segments.S.margin: [0.4875, 0.5875]}}
"""


def annuity(d):
    return math.fsum((1 + G) ** (t - 1) * U * R ** t * (1 + d) ** -t for t in range(1, H + 1))


def hand_value(m0=M0, ms=MS, mc=MC, d=D):
    """The margins of d1 (scenario's), s1 (segment S's) and c1 (its own, in S)."""
    return annuity(d) * math.fsum([m0 * R_D, ms * R_S, mc * R_C])


def hand_npv(m0=M0, ms=MS):
    return hand_value(m0, ms, d=DB) - PRICE - COSTS


def everyone(m):
    """A top-level margin what-if: every client at m."""
    return hand_value(m, m, m)


class Precedence(unittest.TestCase):
    """Which clients a what-if moves, in variants, tornado, grid and break-even: a top-level key
    reaches every client, segments.S.key the clients of S without their own value."""

    def close(self, got, want, what):
        self.assertAlmostEqual(got, want, delta=1e-10 * abs(want), msg=what)

    def test_every_whatif_path_moves_only_its_level(self):
        j = e2e.run_json(scenario("prec.yaml", PREC + PREC_WHATIF))
        self.close(j["dcf"]["value"], hand_value(), "base")
        self.close(j["deal"]["buyer"]["npv"], hand_npv(), "base NPV")
        v = {x["name"]: x for x in j["variants"]}
        self.close(v["Scenario margin up"]["dcf"]["value"], everyone(0.4975), "variant")
        self.close(v["Segment margin down"]["dcf"]["value"], hand_value(ms=0.4615), "variant S")
        t = {x["parameter"]: x for x in j["sensitivity"]["tornado"]}
        lo, hi = M0 - 0.1 * M0, M0 + 0.1 * M0
        self.assertAlmostEqual(t["margin"]["low_input"], lo, delta=1e-15)
        self.assertAlmostEqual(t["margin"]["high_input"], hi, delta=1e-15)
        self.close(t["margin"]["low_value"], everyone(lo), "tornado margin low")
        self.close(t["margin"]["high_value"], everyone(hi), "tornado margin high")
        # Every client moves: the swing is (hi - lo) (R_d1 + R_s1 + R_c1) A(d).
        self.close(t["margin"]["high_value"] - t["margin"]["low_value"],
                   (hi - lo) * (R_D + R_S + R_C) * annuity(D), "tornado margin swing")
        self.close(t["segments.S.margin"]["low_value"], hand_value(ms=0.45), "tornado S low")
        self.close(t["segments.S.margin"]["high_value"], hand_value(ms=0.62), "tornado S high")
        self.close(t["segments.S.margin"]["high_value"] - t["segments.S.margin"]["low_value"],
                   (0.62 - 0.45) * R_S * annuity(D), "tornado S swing")
        # A grid point sets the row (margin: every client), then the column (S's clients,
        # c1 included: its own margin gave way to the row's).
        g = j["sensitivity"]["grid"]
        for i, m0 in enumerate([0.3625, 0.4425]):
            for k, ms in enumerate([0.4875, 0.5875]):
                self.close(g["values"][i][k], hand_value(m0, ms, ms), f"grid {m0} {ms}")
        # Break-evens: NPV is affine in each margin.
        a = annuity(DB)
        want = {
            "margin": (PRICE + COSTS) / (a * (R_D + R_S + R_C)),
            "segments.S.margin": (PRICE + COSTS - a * (M0 * R_D + MC * R_C)) / (a * R_S),
        }
        for b in j["sensitivity"]["break_even"]:
            with self.subTest(parameter=b["parameter"]):
                self.assertIsNotNone(b["value"])
                self.assertAlmostEqual(b["value"], want[b["parameter"]], delta=1e-9)

    def test_tornado_and_grid_keep_the_command_line_set(self):
        """--set margin=0.3815 holds under every tornado and grid point: every client at 0.3815
        (c1's own margin and S's gave way), then a segments.S.margin point moves S's two."""
        j = e2e.run_json(scenario("prec-set.yaml", PREC + PREC_WHATIF), "--set", "margin=0.3815")
        self.close(j["dcf"]["value"], everyone(0.3815), "base")
        t = {x["parameter"]: x for x in j["sensitivity"]["tornado"]}
        self.close(t["segments.S.margin"]["low_value"], hand_value(0.3815, 0.45, 0.45), "S low")
        self.close(t["segments.S.margin"]["high_value"], hand_value(0.3815, 0.62, 0.62), "S hi")
        self.assertAlmostEqual(t["margin"]["low_input"], 0.3815 * 0.9, delta=1e-15)
        v = {x["name"]: x for x in j["variants"]}
        self.close(v["Segment margin down"]["dcf"]["value"], hand_value(0.3815, 0.4615, 0.4615),
                   "var")

    def test_rate_break_even_when_the_buyer_uses_the_scenarios_rate(self):
        text = PREC.replace(f"discount_rate: {DB}, ", "") + \
            "sensitivity: {tornado: [discount_rate]}\n"
        path = scenario("prec-rate.yaml", text)
        j = e2e.run_json(path)
        (b,) = j["sensitivity"]["break_even"]
        self.assertEqual(b["parameter"], "discount_rate")
        self.assertIsNotNone(b["value"])
        # NPV at the scenario's rate: A(d) sum m_i R_i = P + costs, monotone in d; bisect here.
        lo, hi = -0.5, 2.0
        f = lambda d: hand_value(d=d) - PRICE - COSTS  # noqa: E731
        self.assertLess(f(hi) * f(lo), 0)
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
        self.assertAlmostEqual(b["value"], lo, delta=1e-9)
        npv = dcf_at(path, ("discount_rate", b["value"]))["deal"]["buyer"]["npv"]
        self.assertLess(abs(npv), 0.01)

    def test_buyer_rate_and_price_break_evens(self):
        """The buyer's own rate and the price: NPV(d_b, P) = A(d_b) sum m_i R_i - P - costs
        (tax rate 0, one payment at closing). The rate's break-even solves A(d) sum m R =
        P + costs (bisected here); the price's is A(DB) sum m R - costs, and as a multiple of
        the fees that over sum R."""
        text = PREC + ("sensitivity: {tornado: [buyer.discount_rate, deal.price, "
                       "{parameter: buyer.discount_rate, low: 0.1, high: 0.2}]}\n")
        j = e2e.run_json(scenario("prec-buyer.yaml", text))
        f = lambda d: hand_value(d=d) - PRICE - COSTS  # noqa: E731
        lo, hi = 0.0, 2.0
        self.assertLess(f(hi) * f(lo), 0)
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) > 0 else (lo, mid)
        b = {x["parameter"]: x["value"] for x in j["sensitivity"]["break_even"]}
        self.assertAlmostEqual(b["buyer.discount_rate"], lo, delta=1e-9)
        self.assertAlmostEqual(b["deal.price"], hand_value(d=DB) - COSTS, delta=1e-6)
        # With no other cash, the rate that zeroes the NPV is the IRR.
        self.assertAlmostEqual(j["deal"]["buyer"]["irr"], lo, delta=1e-9)
        t = [x for x in j["sensitivity"]["tornado"] if x["parameter"] == "buyer.discount_rate"]
        self.assertEqual(sorted((x["low_input"], x["high_input"]) for x in t),
                         sorted([(DB - 0.1 * DB, DB + 0.1 * DB), (0.1, 0.2)]))
        multiple = PREC.replace(f"deal: {{price: {PRICE}}}", "deal: {price: {multiple: 1.1}}")
        self.assertNotEqual(multiple, PREC)
        j = e2e.run_json(scenario("prec-multiple.yaml", multiple +
                                  "sensitivity: {tornado: [deal.price.multiple]}\n"))
        (b,) = j["sensitivity"]["break_even"]
        self.assertEqual(b["parameter"], "deal.price.multiple")
        self.assertAlmostEqual(b["value"], (hand_value(d=DB) - COSTS) / (R_D + R_S + R_C),
                               delta=1e-9)

    def test_break_even_scan_passes_over_inputs_with_no_finite_value(self):
        """With tail: runoff the book has no finite value once growth outruns discount and
        churn (growth >= ~0.255 here). The break-even scan of revenue_growth over [-0.5, 2]
        crosses such inputs; they have no NPV to compare, and the run must still succeed with
        the root that lies where the value is finite (NPV(-0.5) < 0 < NPV(base))."""
        text = PREC.replace("horizon_years:", "tail: runoff\nhorizon_years:") + \
            "sensitivity: {tornado: [revenue_growth]}\n"
        path = scenario("prec-runoff.yaml", text)
        plain = scenario("prec-runoff-plain.yaml", text.split("sensitivity:")[0])
        self.assertLess(dcf_at(plain, ("revenue_growth", -0.5))["deal"]["buyer"]["npv"], 0)
        self.assertGreater(dcf_at(plain)["deal"]["buyer"]["npv"], 0)
        out = os.path.join(TMP.name, "prec-runoff.xlsx")
        p = e2e.run("run", path, "-o", out, "--json", out + ".json", "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out + ".json", encoding="utf-8") as f:
            (b,) = json.load(f)["sensitivity"]["break_even"]
        self.assertIsNotNone(b["value"])
        npv = dcf_at(plain, ("revenue_growth", b["value"]))["deal"]["buyer"]["npv"]
        self.assertLess(abs(npv), 0.01)

    def test_no_buyer_no_break_even_list(self):
        text = PREC.split("deal:")[0] + ("deal: {price: 31850}\nseller: {selling_costs: 900, discount_rate: 0.0615}\n"
                                         "sensitivity: {tornado: [margin]}\n")
        j = e2e.run_json(scenario("prec-seller.yaml", text))
        self.assertIsNone(j["sensitivity"]["break_even"])
        self.assertEqual(len(j["sensitivity"]["tornado"]), 1)
        text = PREC.split("deal:")[0] + "sensitivity: {tornado: [margin]}\n"
        j = e2e.run_json(scenario("prec-nodeal.yaml", text))
        self.assertIsNone(j["sensitivity"]["break_even"])
        self.assertIsNone(j["sensitivity"]["grid"])
        self.assertIsNone(j["variants"])


# ---- batch ----

BROKEN = """name: Broken one
currency: EUR
discount_rate: 0.1135
margin: 0.4125
retention: 1.7
clients:
  - {id: z1, annual_revenue: 4410.5}
"""


class Batch(unittest.TestCase):
    """Requirement 5."""

    @classmethod
    def setUpClass(cls):
        cls.dir = w_dir()
        scenario("A.yaml", W_HEAD + w_variants("Higher rate") + W_SENSITIVITY, cls.dir)
        scenario("B.yaml", PREC + PREC_WHATIF, cls.dir)
        scenario("C.yaml", BROKEN, cls.dir)
        cls.opts = ["--iterations", "700", "--seed", "99", "--set", "transfer_retention=0.9415"]
        cls.proc = e2e.run("batch", "A.yaml", "C.yaml", "B.yaml", "-d", "out", "--compare",
                           "cmp.xlsx", "--quiet", *cls.opts, cwd=cls.dir)

    def test_exit_code_and_errors(self):
        p = self.proc
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("C.yaml:5:12: error: retention", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out", "C.xlsx")))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out", "C.json")))
        leftovers = [f for f in os.listdir(os.path.join(self.dir, "out")) if f.startswith(".")]
        self.assertEqual(leftovers, [])

    def test_outputs_equal_single_runs(self):
        for name in ("A", "B"):
            with self.subTest(scenario=name):
                single = os.path.join(self.dir, "single-" + name)
                os.makedirs(single, exist_ok=True)
                p = e2e.run("run", f"{name}.yaml", "-o", f"single-{name}/{name}.xlsx", "--json",
                            f"single-{name}/{name}.json", "--quiet", *self.opts, cwd=self.dir)
                self.assertEqual(p.returncode, 0, p.stderr)
                for ext in ("xlsx", "json"):
                    with open(os.path.join(self.dir, "out", f"{name}.{ext}"), "rb") as f:
                        got = f.read()
                    with open(os.path.join(single, f"{name}.{ext}"), "rb") as f:
                        want = f.read()
                    if ext == "json":
                        self.assertEqual(json.loads(got), json.loads(want))
                    self.assertEqual(got, want, f"{name}.{ext} differs from a single run")

    def test_compare_workbook(self):
        import openpyxl
        path = os.path.join(self.dir, "cmp.xlsx")
        with zipfile.ZipFile(path) as z:
            self.assertIsNone(z.testzip())
        ws = openpyxl.load_workbook(path).worksheets[0]
        rows = [r for r in ws.iter_rows(min_row=1, values_only=True)
                if r and r[1] in ("A.yaml", "B.yaml", "C.yaml")]
        self.assertEqual([r[1] for r in rows], ["A.yaml", "C.yaml", "B.yaml"])
        for r, name in zip(rows, ("A", "C", "B")):
            if name == "C":
                self.assertEqual(r[0], "C.yaml")
                self.assertTrue(any(isinstance(c, str) and "C.yaml:5:12" in c for c in r), r)
                continue
            with open(os.path.join(self.dir, "out", f"{name}.json"), encoding="utf-8") as f:
                j = json.load(f)
            self.assertEqual(r[0], j["scenario"]["name"])
            dcf = j["dcf"]["value"]
            self.assertTrue(any(isinstance(c, float) and abs(c - dcf) <= 1e-9 * dcf for c in r),
                            f"DCF {dcf} not in row {r}")

    def test_run_failure_exits_1_and_input_error_wins(self):
        d = tempfile.mkdtemp(dir=self.dir)
        scenario("D.yaml", PREC, d)
        scenario("E.yaml", PREC.replace("Precedence check", "Other"), d)
        scenario("C.yaml", BROKEN, d)
        os.makedirs(os.path.join(d, "out", "D.xlsx"))  # D's workbook cannot be written
        p = e2e.run("batch", "D.yaml", "E.yaml", "-d", "out", "--quiet", cwd=d)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("D.xlsx", p.stderr)
        self.assertTrue(os.path.isfile(os.path.join(d, "out", "E.xlsx")))
        self.assertTrue(os.path.isfile(os.path.join(d, "out", "E.json")))
        self.assertFalse(os.path.exists(os.path.join(d, "out", "D.json")))
        p = e2e.run("batch", "D.yaml", "C.yaml", "E.yaml", "-d", "out", "--quiet", cwd=d)
        self.assertEqual(p.returncode, 2, p.stderr)

    def test_unwritable_output_directory(self):
        d = tempfile.mkdtemp(dir=self.dir)
        scenario("B.yaml", PREC, d)
        e2e.write(os.path.join(d, "plain-file"), "not a directory\n")
        p = e2e.run("batch", "B.yaml", "-d", "plain-file/out", "--quiet", cwd=d)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("plain-file/out", p.stderr)
        self.assertEqual(sorted(os.listdir(d)), ["B.yaml", "plain-file"])


# ---- errors in variants, as run and validate report them ----

class VariantErrors(unittest.TestCase):
    """Requirement 6 beyond tests/malformed: run and validate agree on the variant's line."""

    TEXT = PREC + """variants:
  - name: Optimistic
    set: {discount_rate: 0.0975}
  - name: Impossible
    set: {margin: 0.35, retention: 1.7}
"""

    def test_run_and_validate_point_at_the_variants_value(self):
        path = scenario("bad-variant.yaml", self.TEXT)
        line = self.TEXT.splitlines().index("    set: {margin: 0.35, retention: 1.7}") + 1
        col = "    set: {margin: 0.35, retention: 1.7}".index("1.7") + 1
        where = f"{path}:{line}:{col}: error: retention"
        out = os.path.join(TMP.name, "bad-variant.xlsx")
        p = e2e.run("run", path, "-o", out, "--quiet")
        self.assertEqual(p.returncode, 2)
        self.assertIn(where, p.stderr)
        self.assertFalse(os.path.exists(out))
        p = e2e.run("validate", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn(where, p.stderr)


if __name__ == "__main__":
    try:
        e2e.main()
    finally:
        TMP.cleanup()
