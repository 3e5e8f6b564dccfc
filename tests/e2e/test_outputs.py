"""Outputs are safe and reproducible: a failed run leaves no file and replaces nothing; the
same inputs give the same bytes; a book longer than a sheet continues on `Clients 2`."""
import hashlib
import os
import re
import shutil
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

SALE = os.path.join(e2e.SCENARIOS, "accounting-practice-sale.yaml")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class FailedRunsLeaveNothing(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="bookval-out-")
        self.xlsx = os.path.join(self.tmp, "book.xlsx")
        self.json = os.path.join(self.tmp, "book.json")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def good_outputs(self):
        p = e2e.run("run", SALE, "-o", self.xlsx, "--json", self.json, "--quiet")
        self.assertEqual(p.returncode, 0, p.stderr)
        return digest(self.xlsx), digest(self.json)

    def assert_untouched(self, before):
        self.assertEqual((digest(self.xlsx), digest(self.json)), before)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["book.json", "book.xlsx"],
                         "a temporary file was left behind")

    def test_invalid_input_replaces_nothing(self):
        before = self.good_outputs()
        p = e2e.run("run", SALE, "-o", self.xlsx, "--json", self.json,
                    "--set", "discount_rate=-1.5")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--set:1:15: error: discount_rate: -1.5 is out of range; accepted: "
                      "(-1, inf)", p.stderr)
        self.assert_untouched(before)

    def test_infinite_tail_replaces_nothing(self):
        before = self.good_outputs()
        p = e2e.run("run", SALE, "-o", self.xlsx, "--json", self.json, "--set", "tail=runoff",
                    "--set", "revenue_growth=0.3")
        self.assertEqual(p.returncode, 2)
        self.assertIn("run-off value is infinite", p.stderr)
        self.assert_untouched(before)

    def test_unwritable_json_target_writes_no_workbook_either(self):
        p = e2e.run("run", SALE, "-o", self.xlsx, "--json",
                    os.path.join(self.tmp, "missing-dir", "book.json"))
        self.assertEqual(p.returncode, 1)
        self.assertIn(os.path.join(self.tmp, "missing-dir", "book.json") +
                      ": error: cannot write here: No such file or directory", p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_unwritable_workbook_target_is_a_run_failure_naming_the_file(self):
        target = os.path.join(self.tmp, "nowhere", "book.xlsx")
        p = e2e.run("run", SALE, "-o", target)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{target}: error: cannot write here", p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])

    def test_directory_as_target_is_refused(self):
        p = e2e.run("run", SALE, "-o", self.tmp)
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"{self.tmp}: error: is a directory", p.stderr)
        self.assertEqual(os.listdir(self.tmp), [])


class Reproducible(unittest.TestCase):
    def test_same_inputs_same_bytes(self):
        with tempfile.TemporaryDirectory() as tmp:
            outs = []
            for i in range(2):
                x, j = os.path.join(tmp, f"{i}.xlsx"), os.path.join(tmp, f"{i}.json")
                p = e2e.run("run", SALE, "-o", x, "--json", j, "--quiet")
                self.assertEqual(p.returncode, 0, p.stderr)
                outs.append((digest(x), digest(j)))
            self.assertEqual(outs[0], outs[1])


class LargeBook(unittest.TestCase):
    ROWS_PER_SHEET = 1048575  # Excel's rows less the header

    def test_book_longer_than_a_sheet_continues_on_clients_2(self):
        extra = 37
        n = self.ROWS_PER_SHEET + extra
        with tempfile.TemporaryDirectory() as tmp:
            csv = os.path.join(tmp, "big.csv")
            with open(csv, "w", encoding="utf-8") as f:
                f.write("id,annual_revenue,tenure_years\n")
                for i in range(n):
                    f.write(f"K{i:07d},{1000 + (i * 7919) % 50000}.{i % 100:02d},{i % 23}\n")
            e2e.write(os.path.join(tmp, "big.yaml"),
                      "name: Large book\ncurrency: EUR\ndiscount_rate: 0.11\nmargin: 0.37\n"
                      "retention: {sbg: {alpha: 0.83, beta: 4.1}}\nclients_csv: big.csv\n")
            out = os.path.join(tmp, "big.xlsx")
            p = e2e.run("run", os.path.join(tmp, "big.yaml"), "-o", out, "--json",
                        os.path.join(tmp, "big.json"))
            self.assertEqual(p.returncode, 0, p.stderr)
            with zipfile.ZipFile(out) as z:
                book = z.read("xl/workbook.xml").decode()
                names = re.findall(r'<sheet name="([^"]+)"', book)
                self.assertEqual(names, ["Summary", "Assumptions", "Clients", "Clients 2",
                                         "Projection", "Diagnostics", "Run info"])
                # Clients 2 is the fourth sheet: its header and the `extra` last clients.
                sheet = z.read("xl/worksheets/sheet4.xml").decode()
                self.assertEqual(len(re.findall(r"<row ", sheet)), extra + 1)
                self.assertIn(f"K{n - 1:07d}", sheet)
                summary = z.read("xl/worksheets/sheet1.xml").decode()
                self.assertIn("COUNTA('Clients'!$A$2:$A$1048576)+COUNTA('Clients 2'!$A$2:$A$38)",
                              summary)


if __name__ == "__main__":
    e2e.main()
