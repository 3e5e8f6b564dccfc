#!/usr/bin/env python3
"""Self-test of recalc_check.py.

openpyxl writes formulas without cached values, so the test workbooks are
built with openpyxl and then given cached <v> values by editing the sheet XML
(zipfile), the way libxlsxwriter's worksheet_write_formula_num writes them.
The expected values are computed here in Python, independently of
LibreOffice.  Run:  python3 test_recalc_check.py   (needs soffice and
python3-openpyxl; each LibreOffice run takes about a second).
"""

import os
import sys

try:
    import openpyxl
except ImportError:  # same fallback as recalc_check.py: Debian's python3
    if (os.environ.get("RECALC_CHECK_REEXEC") != "1"
            and os.path.exists("/usr/bin/python3")
            and os.path.realpath(sys.executable)
            != os.path.realpath("/usr/bin/python3")):
        os.environ["RECALC_CHECK_REEXEC"] = "1"
        os.execv("/usr/bin/python3",
                 ["/usr/bin/python3", os.path.abspath(__file__)]
                 + sys.argv[1:])
    raise

import re
import shutil
import stat
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "recalc_check.py")
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # keep the work tree clean
import recalc_check  # noqa: E402

SHEET2 = "Sheet Two"
Q2 = "'Sheet Two'"


# ---------------------------------------------------------------------------
# A small DCF workbook: formulas plus the values the engine would cache.


def percentile_inc(xs, p):
    xs = sorted(xs)
    rank = p * (len(xs) - 1)
    lo = int(rank)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (rank - lo) * (xs[hi] - xs[lo])


def dcf_model():
    """{sheet: {coord: constant}}, {sheet: {coord: (formula, value)}}."""
    r, g, tg, base = 0.085, 0.04, 0.02, 1000.0
    consts = {SHEET2: {"A2": "Discount rate", "B2": r,
                       "A3": "Growth", "B3": g,
                       "A4": "Terminal growth", "B4": tg,
                       "A5": "Base cash flow", "B5": base},
              "Model": {"A1": "Year", "A2": "Cash flow",
                        "A3": "Discount factor", "A4": "PV"}}
    formulas = {SHEET2: {"B6": ("=B5*(1+B3)", base * (1 + g))}, "Model": {}}
    f = formulas["Model"]
    years = [1, 2, 3, 4, 5]
    cols = "BCDEF"
    cf, df, pv = [], [], []
    for col, t in zip(cols, years):
        consts["Model"][col + "1"] = t
        cf.append(base * (1 + g) ** t)
        df.append(1 / (1 + r) ** t)
        pv.append(cf[-1] * df[-1])
        f[col + "2"] = ("=%s!$B$5*(1+%s!$B$3)^%s1" % (Q2, Q2, col), cf[-1])
        f[col + "3"] = ("=1/(1+%s!$B$2)^%s1" % (Q2, col), df[-1])
        f[col + "4"] = ("=%s2*%s3" % (col, col), pv[-1])
    sum_pv = sum(pv)
    tv = cf[-1] * (1 + tg) / (r - tg)
    pv_tv = tv / (1 + r) ** years[-1]
    ev = sum_pv + pv_tv
    f["B6"] = ("=SUM(B4:F4)", sum_pv)
    f["B7"] = ("=SUMPRODUCT(B2:F2,1/(1+%s!B2)^B1:F1)" % Q2, sum_pv)
    f["B8"] = ("=SUMPRODUCT(B2:F2/(1+%s!$B$2)^B1:F1)" % Q2, sum_pv)
    f["B9"] = ("=F2*(1+%s!B4)/(%s!B2-%s!B4)" % (Q2, Q2, Q2), tv)
    f["B10"] = ("=B9/(1+%s!B2)^F1" % Q2, pv_tv)
    f["B11"] = ("=B6+B10", ev)
    f["B12"] = ('=IF(B11>20000,"buy","hold")', "buy" if ev > 20000 else "hold")
    f["B13"] = ("=B11>0", ev > 0)
    f["B14"] = ("=_xlfn.PERCENTILE.INC(B2:F2,0.25)", percentile_inc(cf, 0.25))
    f["B15"] = ("=NPV(%s!B2,B2:F2)" % Q2, sum_pv)
    f["B16"] = ("=ROUND(B11,2)", round(ev, 2))
    f["B17"] = ('=IF(B11<0,"negative","")', "negative" if ev < 0 else "")
    f["B18"] = ("=SUMPRODUCT((B1:F1)^2*B3:F3)",
                sum(t * t * d for t, d in zip(years, df)))
    f["B19"] = ("=AVERAGE(B4:F4)", sum_pv / len(pv))
    f["B20"] = ("=%s!B6*2" % Q2, base * (1 + g) * 2)
    f["B21"] = ("=MAX(B4:F4)-MIN(B4:F4)", max(pv) - min(pv))
    return consts, formulas


def count_formulas(formulas):
    return sum(len(v) for v in formulas.values())


def sheet_parts(path):
    """{sheet title: worksheet part name} from workbook.xml and its rels."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/"
               "relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    with zipfile.ZipFile(path) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target")
               for rel in rels.findall("p:Relationship", ns)}
    out = {}
    for sh in wb.find("m:sheets", ns).findall("m:sheet", ns):
        target = targets[sh.get("{%s}id" % ns["r"])].lstrip("/")
        out[sh.get("name")] = (target if target.startswith("xl/")
                               else "xl/" + target)
    return out


def v_element(value):
    """(t attribute, <v> text) as libxlsxwriter would write them."""
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, str):
        return ' t="str"', escape(value)
    return "", "%.17g" % value


def inject_cached_values(path, values):
    """Give formula cells cached values in place: values is
    {sheet: {coord: value}}."""
    parts = sheet_parts(path)
    by_part = {parts[s]: cells for s, cells in values.items()}
    tmp = path + ".tmp"
    with zipfile.ZipFile(path) as zin, \
            zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in by_part:
                xml = data.decode("utf-8")
                for coord, value in by_part[info.filename].items():
                    rx = re.compile(r'<c r="%s"(?P<a>[^>]*?)(?:/>|>'
                                    r'(?P<b>.*?)</c>)' % coord, re.S)
                    m = rx.search(xml)
                    assert m, "no cell %s in %s" % (coord, info.filename)
                    fm = re.search(r"<f\b.*?(?:/>|</f>)", m.group("b") or "",
                                   re.S)
                    assert fm, "cell %s has no formula" % coord
                    attrs = re.sub(r'\st="[^"]*"', "", m.group("a"))
                    t, v = v_element(value)
                    new = '<c r="%s"%s%s>%s<v>%s</v></c>' % (
                        coord, attrs, t, fm.group(0), v)
                    xml = xml[:m.start()] + new + xml[m.end():]
                data = xml.encode("utf-8")
            zout.writestr(info, data)
    os.replace(tmp, path)


def build_workbook(path, consts, formulas, cached=None):
    """Write the workbook with openpyxl, then inject cached values (those in
    formulas, overridden by cached {sheet: {coord: value}})."""
    wb = openpyxl.Workbook()
    wb.active.title = "Model"
    wb.create_sheet(SHEET2)
    for sheet, cells in consts.items():
        for coord, v in cells.items():
            wb[sheet][coord] = v
    for sheet, cells in formulas.items():
        for coord, (formula, _) in cells.items():
            wb[sheet][coord] = formula
    wb.save(path)
    values = {s: {c: v for c, (_, v) in cells.items()}
              for s, cells in formulas.items()}
    for sheet, cells in (cached or {}).items():
        values[sheet].update(cells)
    inject_cached_values(path, values)


# ---------------------------------------------------------------------------


class RecalcCheckTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not shutil.which("soffice"):
            raise RuntimeError("soffice not found: install "
                               "libreoffice-calc-nogui")

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="test_recalc_check.")
        self.tmpdir = os.path.join(self.dir, "tmp")  # TMPDIR of the tool
        os.makedirs(self.tmpdir)
        self.consts, self.formulas = dcf_model()
        self.n = count_formulas(self.formulas)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def workbook(self, name, cached=None, formulas=None):
        path = os.path.join(self.dir, name)
        build_workbook(path, self.consts,
                       self.formulas if formulas is None else formulas,
                       cached)
        return path

    def run_tool(self, *args):
        env = dict(os.environ, TMPDIR=self.tmpdir)
        p = subprocess.run([sys.executable, TOOL] + list(args), env=env,
                           capture_output=True, text=True, timeout=600)
        self.assertEqual(os.listdir(self.tmpdir), [],
                         "temporary files left behind")
        return p

    def fake_soffice(self, body):
        path = os.path.join(self.dir, "fake-soffice")
        with open(path, "w") as fh:
            fh.write("#!/bin/sh\n" + body + "\n")
        os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
        return path

    # -- the real thing ----------------------------------------------------

    def test_correct_cached_values_pass(self):
        p = self.run_tool(self.workbook("right.xlsx"))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("recalc_check: %d formulas compared, 0 mismatches"
                      % self.n, p.stdout)
        self.assertNotIn("MISMATCH", p.stdout)

    def test_wrong_cached_number_fails_and_names_cell(self):
        _, good = self.formulas["Model"]["B7"]
        path = self.workbook("wrong.xlsx", {"Model": {"B7": good + 0.5}})
        p = self.run_tool(path)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        lines = [ln for ln in p.stdout.splitlines()
                 if ln.startswith("MISMATCH")]
        self.assertEqual(len(lines), 1, p.stdout)
        self.assertIn("Model!B7", lines[0])
        self.assertIn("SUMPRODUCT", lines[0])
        self.assertIn("%d formulas compared, 1 mismatches" % self.n,
                      p.stdout)

    def test_wrong_string_and_cross_sheet_cells_are_named(self):
        _, b6 = self.formulas[SHEET2]["B6"]
        _, b12 = self.formulas["Model"]["B12"]
        other = "buy" if b12 == "hold" else "hold"
        path = self.workbook("wrong2.xlsx", {"Model": {"B12": other},
                                             SHEET2: {"B6": b6 + 1}})
        p = self.run_tool(path)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("MISMATCH Model!B12:", p.stdout)
        self.assertIn("MISMATCH 'Sheet Two'!B6:", p.stdout)
        self.assertIn("%d formulas compared, 2 mismatches" % self.n,
                      p.stdout)

    def test_tolerances(self):
        _, ev = self.formulas["Model"]["B11"]
        path = self.workbook("close.xlsx", {"Model": {"B11": ev * (1 + 1e-7)}})
        p = self.run_tool(path)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("MISMATCH Model!B11:", p.stdout)
        p = self.run_tool(path, "--rel", "1e-6")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_tool(path, "--rel", "0", "--abs", "0.01")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_error_result_fails(self):
        # Without the _xlfn. prefix, PERCENTILE.INC is an unknown function in
        # OOXML: LibreOffice (like Excel) gives #NAME?.
        formulas = {s: dict(c) for s, c in self.formulas.items()}
        _, v = formulas["Model"]["B14"]
        formulas["Model"]["B14"] = ("=PERCENTILE.INC(B2:F2,0.25)", v)
        p = self.run_tool(self.workbook("name.xlsx", formulas=formulas))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"MISMATCH Model!B14:.*#NAME\?")

    # -- failure modes -------------------------------------------------------

    def test_min_formulas(self):
        path = self.workbook("none.xlsx", formulas={"Model": {}, SHEET2: {}})
        p = self.run_tool(path)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("fewer than --min-formulas 1", p.stdout)
        p = self.run_tool(self.workbook("right.xlsx"),
                          "--min-formulas", str(self.n + 1))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("has %d formula cells" % self.n, p.stdout)

    def test_no_recalculation_is_detected(self):
        # A "LibreOffice" that copies its input: the formula cells come back
        # without values, which must fail, not pass.
        fake = self.fake_soffice(
            'out=; for a in "$@"; do [ "$prev" = --outdir ] && out=$a; '
            'prev=$a; last=$a; done; cp "$last" "$out/"')
        p = self.run_tool(self.workbook("right.xlsx"), "--soffice", fake)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("was not recalculated", p.stdout)
        self.assertIn("%d mismatches" % self.n, p.stdout)

    def test_libreoffice_failures_exit_2(self):
        path = self.workbook("right.xlsx")
        cases = [
            ("exit 3", [], "exited with status 3"),
            ("exit 0", [], "no output file"),
            ("exec sleep 30", ["--timeout", "1"], "timed out"),
        ]
        for body, extra, message in cases:
            p = self.run_tool(path, "--soffice", self.fake_soffice(body),
                              *extra)
            self.assertEqual(p.returncode, 2, body + p.stdout + p.stderr)
            self.assertIn(message, p.stderr)
        p = self.run_tool(path, "--soffice", os.path.join(self.dir, "nope"))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        p = self.run_tool(os.path.join(self.dir, "missing.xlsx"))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)

    # -- the stripping step, without LibreOffice -----------------------------

    def test_strip_removes_only_formula_values(self):
        src = self.workbook("right.xlsx")
        dst = os.path.join(self.dir, "stripped.xlsx")
        seen, removed = recalc_check.strip_cached_values(src, dst)
        self.assertEqual((seen, removed), (self.n, self.n))
        before = openpyxl.load_workbook(src, data_only=True)
        after = openpyxl.load_workbook(dst, data_only=True)
        for sheet, cells in self.formulas.items():
            for coord, (_, value) in cells.items():
                if value != "":  # openpyxl reads an empty string as None
                    self.assertIsNotNone(before[sheet][coord].value, coord)
                self.assertIsNone(after[sheet][coord].value, coord)
        for sheet, cells in self.consts.items():
            for coord, v in cells.items():
                self.assertEqual(after[sheet][coord].value, v)
        parts = set(sheet_parts(src).values())
        with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
            self.assertEqual(a.namelist(), b.namelist())
            for name in a.namelist():
                if name not in parts:
                    self.assertEqual(a.read(name), b.read(name), name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
