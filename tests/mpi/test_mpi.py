"""A run shared among Open MPI processes gives the same bytes as one process (issue: scale-out).

Run by CTest in a -DBOOKVAL_MPI=ON build as `python3 test_mpi.py BOOKVAL_MPI BOOKVAL_SINGLE
SOURCE_ROOT`: BOOKVAL_SINGLE is the same engine built without MPI, the reference. Every
mpirun is oversubscribed (this machine has fewer cores than ranks), one OpenMP thread per
process, and bounded by a timeout: a run that hangs fails the test.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

MPI_BIN, SINGLE_BIN, ROOT = (os.path.abspath(a) for a in sys.argv[1:4])
SMALL = os.path.join(ROOT, "tests", "fault", "small-deal.yaml")
BAD = os.path.join(ROOT, "tests", "malformed", "nan.yaml")
# Churn, correlated Latin-hypercube inputs and a deal come with small-deal.yaml; the what-ifs
# are added here: a variant with its own Monte Carlo; three tornado entries, each with the
# buyer's break-even (a scan of 41 points, then Brent), fewer than the 5 processes; a grid.
# Its revenue_growth scan runs from -50% to 200%: the many points a process passes over travel
# as NaN.
TORNADO = ("tornado: [transfer_retention, deal.price, "
           "{parameter: revenue_growth, low: 0.0, high: 0.04}]")
GRID = "grid: {rows: {revenue_growth: [0.0, 0.04]}, cols: {transfer_retention: [0.9, 0.95]}}"
WHAT_IFS = ["--set", "variants=[{name: Dearer financing, set: {deal.interest_rate: 0.08}}]",
            "--set", f"sensitivity={{{TORNADO}, {GRID}}}"]
ENV = dict(os.environ, OMP_NUM_THREADS="1", OMPI_ALLOW_RUN_AS_ROOT="1",
           OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
TIMEOUT = 240


def mpirun(*programs):
    """mpirun with one or more (ranks, args) programs (MPMD, ':' between them)."""
    cmd = ["mpirun", "--oversubscribe"]
    for i, (ranks, args) in enumerate(programs):
        if i:
            cmd.append(":")
        cmd += ["-n", str(ranks), MPI_BIN, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=TIMEOUT)


def single(*args):
    return subprocess.run([SINGLE_BIN, *args], capture_output=True, text=True, env=ENV,
                          timeout=TIMEOUT)


def read(path):
    with open(path, "rb") as f:
        return f.read()


class SameBytes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bookval-mpi-")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def outputs(self, name):
        return [os.path.join(self.tmp, f"{name}.xlsx"), os.path.join(self.tmp, f"{name}.json")]

    def run_args(self, name, *extra):
        x, j = self.outputs(name)
        return ["run", SMALL, "-o", x, "--json", j, "--quiet", *extra]

    def test_any_number_of_ranks(self):
        ref = single(*self.run_args("one", *WHAT_IFS))
        self.assertEqual(ref.returncode, 0, ref.stderr)
        want = [read(p) for p in self.outputs("one")]
        for ranks in (1, 2, 3, 5):
            with self.subTest(ranks=ranks):
                p = mpirun((ranks, self.run_args(f"k{ranks}", *WHAT_IFS)))
                self.assertEqual(p.returncode, 0, p.stderr)
                got = [read(path) for path in self.outputs(f"k{ranks}")]
                self.assertEqual(got[1], want[1], "JSON differs from one process's")
                self.assertEqual(got[0], want[0], "workbook differs from one process's")
                # One process reports: the summary is printed once.
                self.assertEqual(p.stdout.count("DCF value"), 1, p.stdout)

    def test_more_ranks_than_iterations(self):
        # ... and than what-if points: a 2 x 2 grid alone is 4 points for 5 processes.
        args = ["--iterations", "3", "--set", f"sensitivity={{{GRID}}}"]
        ref = single(*self.run_args("one", *args))
        self.assertEqual(ref.returncode, 0, ref.stderr)
        p = mpirun((5, self.run_args("five", *args)))
        self.assertEqual(p.returncode, 0, p.stderr)
        for a, b in zip(self.outputs("one"), self.outputs("five")):
            self.assertEqual(read(a), read(b), os.path.basename(b))

    def test_input_bad_on_one_rank_only(self):
        # Rank 2 alone is given a scenario with a NaN: every process exits 2, the error is
        # printed once (by the process that saw it), and nothing is written.
        args = self.run_args("bad")
        bad_args = ["run", BAD] + args[2:]
        p = mpirun((2, args), (1, bad_args))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stderr.count("error: margin:"), 1, p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_what_if_failing_at_a_swung_value(self):
        # With the run-off tail, growth of 90% makes it infinite: the tornado's high end fails
        # (an input error, exit 2), and so does the grid's row at 80%, later in one process's
        # order and on another process. Every rank count reports the first, once, as one
        # process does, and writes nothing.
        sensitivity = ("sensitivity={tornado: [transfer_retention, {parameter: revenue_growth, "
                       "low: 0.0, high: 0.9}], grid: {rows: {revenue_growth: [0.0, 0.8]}, "
                       "cols: {transfer_retention: [0.9, 0.95]}}}")
        args = ["--set", "tail=runoff", "--set", sensitivity]
        ref = single(*self.run_args("one", *args))
        self.assertEqual(ref.returncode, 2, ref.stderr)
        message = ref.stderr.strip()
        self.assertEqual(len(message.splitlines()), 1, message)
        self.assertIn("error: tail: the run-off value is infinite", message)
        self.assertIn("growth 0.9)", message)
        for ranks in (2, 3, 5):
            with self.subTest(ranks=ranks):
                p = mpirun((ranks, self.run_args(f"k{ranks}", *args)))
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(p.stderr.count(message), 1, p.stderr)
                self.assertNotIn("growth 0.8)", p.stderr)
                self.assertEqual(os.listdir(self.tmp), [])

    @unittest.skipUnless(shutil.which("script"), "util-linux script is needed for a terminal")
    def test_progress_bar_on_the_first_process(self):
        # mpirun hands the processes a pipe for stderr: the first process draws the bar on the
        # terminal itself, once, and it counts every process's work (the Monte Carlo's 400
        # iterations; the what-ifs' 1 variant + 4 grid cells + 3 tornado entries x (2 ends + 41
        # scan points + 1 search) = 137 points).
        args = self.run_args("bar", "--iterations", "400", *WHAT_IFS)
        args.remove("--quiet")
        command = " ".join(["mpirun", "--oversubscribe", "-n", "3", MPI_BIN] +
                           [f"'{a}'" for a in args])
        p = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                           text=True, env=ENV, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertEqual(p.stdout.count("400/400 "), 1, p.stdout)
        self.assertEqual(p.stdout.count("137/137 "), 1, p.stdout)
        self.assertIn("What-ifs    [", p.stdout)

    def test_unwritable_output(self):
        x = os.path.join(self.tmp, "missing", "out.xlsx")
        p = mpirun((3, ["run", SMALL, "-o", x, "--quiet"]))
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("error:", p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_batch_with_one_invalid_scenario(self):
        # Three scenarios over two ranks, the second invalid: it is reported, the others are
        # written as one process writes them, the comparison too, and the exit status is 2.
        scenarios = [SMALL, BAD, os.path.join(ROOT, "scenarios", "advisor-book-review.yaml")]
        one, many = os.path.join(self.tmp, "one"), os.path.join(self.tmp, "many")
        ref = single("batch", *scenarios, "-d", one, "--compare", os.path.join(one, "c.xlsx"),
                     "--quiet")
        self.assertEqual(ref.returncode, 2, ref.stderr)
        p = mpirun((2, ["batch", *scenarios, "-d", many, "--compare",
                        os.path.join(many, "c.xlsx"), "--quiet"]))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stderr.count("error: margin:"), 1, p.stderr)
        self.assertEqual(sorted(os.listdir(one)), sorted(os.listdir(many)))
        for name in os.listdir(one):
            self.assertEqual(read(os.path.join(one, name)), read(os.path.join(many, name)), name)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
