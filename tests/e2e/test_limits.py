"""A book with more distinct sets of client assumptions (cohorts) than one sheet can hold is an
input error that `validate` finds before any computing, at `clients_csv`, and that `run` gives
the same way, with no output written.

Why the number: the workbook's Projection sheet holds one row per cohort, and a sheet has at
most 1,048,576 rows (Excel's limit); bookval keeps 32 of them for headings and, with a horizon
of 100 years, 100 for the years, so at most 1,048,576 - 32 - 100 = 1,048,444 cohorts fit. Each
client below has its own retention (0.5 + i / 10^8, all distinct), so each is its own cohort:
1,048,445 clients are one too many. The ~25 MB CSV is written here, at run time.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

HORIZON = 100
ROOM = 1_048_576 - 32 - HORIZON  # = 1,048,444
CLIENTS = ROOM + 1

SCENARIO = f"""name: One cohort too many
currency: EUR
horizon_years: {HORIZON}
discount_rate: 0.1
margin: 0.4
retention: 0.9
monte_carlo: {{iterations: 1000, seed: 1, client_churn: true}}
clients_csv: clients.csv
"""
CSV_LINE, CSV_COL = 8, 14  # where `clients.csv` stands in SCENARIO (1-based)


def write_book(tmp):
    yaml = e2e.write(os.path.join(tmp, "book.yaml"), SCENARIO)
    rows = "".join(f"c{i},1000,0.5{i:08d}\n" for i in range(CLIENTS))
    e2e.write(os.path.join(tmp, "clients.csv"), "id,annual_revenue,retention\n" + rows)
    return yaml


class TooManyCohorts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory(prefix="bookval-limits-")
        cls.tmp = cls.dir.name
        write_book(cls.tmp)
        # Before, `validate` passed this book and `run` failed only when writing the workbook,
        # after the Monte Carlo, with no position.
        cls.expected = (
            f"book.yaml:{CSV_LINE}:{CSV_COL}: error: clients_csv: {CLIENTS} distinct sets of "
            f"client assumptions do not fit on one sheet (at most {ROOM})")

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def check_error(self, p):
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        errors = [line for line in p.stderr.splitlines() if ": error: " in line]
        self.assertEqual(len(errors), 1, p.stderr)
        self.assertTrue(errors[0].startswith(self.expected), errors[0])

    def test_validate_finds_it(self):
        self.check_error(e2e.run("validate", "book.yaml", cwd=self.tmp))

    def test_run_stops_with_no_output(self):
        p = e2e.run("run", "book.yaml", "-o", "out.xlsx", "--json", "out.json", cwd=self.tmp)
        self.check_error(p)
        self.assertNotIn("DCF value", p.stdout)  # stopped at load, before valuing anything
        left = sorted(set(os.listdir(self.tmp)) - {"book.yaml", "clients.csv"})
        self.assertEqual(left, [], "no output nor temporary file may be left")


if __name__ == "__main__":
    e2e.main()
