#!/usr/bin/env python3
"""recalc_check: prove that a real spreadsheet, recalculating, gets the numbers
cached in an XLSX workbook.

bookval writes every computed cell as a live formula with the engine's value
cached (libxlsxwriter's worksheet_write_formula_num).  This tool:

  1. reads every formula cell of every worksheet (chart sheets are skipped)
     with its cached value (openpyxl, data_only=False and data_only=True);
  2. writes a copy whose formula cells have no cached value (the <v> element
     and the t= type attribute of every <c> that has an <f> are removed from
     the sheet XML; every other byte of the package is kept), and checks that
     the copy really reads back with no value in any formula cell;
  3. has LibreOffice (headless, throwaway user profile with
     OOXMLRecalcMode = ODFRecalcMode = 0, "always recalculate") convert that
     copy to xlsx, so every number in its output was computed by LibreOffice;
  4. compares each formula cell's recalculated value with the cached one:
     numbers within max(--abs, --rel * |cached|), strings and booleans
     exactly; a recalculated error (#VALUE!, #REF!, #NAME?, Err:nnn, ...) or
     a missing value is a mismatch.

Usage:
    python3 recalc_check.py WORKBOOK.xlsx [--rel 1e-9] [--abs 1e-6]
                            [--min-formulas N] [--timeout SECONDS]
                            [--soffice PATH] [--keep-temp]

Exit status:
    0  every formula cell recalculated to its cached value
    1  a mismatch, too few formulas (--min-formulas), or LibreOffice's output
       holds no value for the formula cells (no recalculation happened)
    2  the check could not be run: LibreOffice failed (non-zero exit, no
       output file, timeout), the workbook could not be read, or openpyxl is
       missing

Notes:
  * LibreOffice writes cached values with 15 significant digits, so --rel
    must stay above ~1e-14.
  * LibreOffice has no separate boolean type: a boolean compares equal to the
    number 1 or 0 of the same truth value.
  * Cells openpyxl shows as dates/times (date number formats) are compared as
    Excel serial numbers; openpyxl rounds those to the millisecond.
"""

import os
import sys

_REEXEC_FLAG = "RECALC_CHECK_REEXEC"
_SYSTEM_PYTHON = "/usr/bin/python3"

try:
    import openpyxl  # noqa: F401
except ImportError:
    # Debian's python3-openpyxl lives in the system interpreter; a python3
    # earlier on PATH (pyenv, venv) may not see it.  Re-run under Debian's.
    if (os.environ.get(_REEXEC_FLAG) != "1"
            and os.path.exists(_SYSTEM_PYTHON)
            and os.path.realpath(sys.executable)
            != os.path.realpath(_SYSTEM_PYTHON)):
        os.environ[_REEXEC_FLAG] = "1"
        os.execv(_SYSTEM_PYTHON,
                 [_SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])
    sys.stderr.write("recalc_check: error: the openpyxl module is missing "
                     "(Debian: apt-get install python3-openpyxl)\n")
    sys.exit(2)

import argparse
import datetime
import numbers
import pathlib
import re
import shutil
import signal
import subprocess
import tempfile
import time
import warnings
import zipfile

from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_ERROR = 2

PROG = "recalc_check"


class CheckError(Exception):
    """The check could not be carried out (exit 2)."""


# ---------------------------------------------------------------------------
# Reading formula cells and cached values


def sheet_ref(sheet, coord):
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return "%s!%s" % (sheet, coord)
    return "'%s'!%s" % (sheet.replace("'", "''"), coord)


def load_workbook(path, data_only):
    with warnings.catch_warnings():
        # openpyxl warns about extensions it does not read (data validation,
        # conditional formatting ...); they do not matter here.
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path, data_only=data_only)


def formula_text(value):
    # openpyxl >= 3.1 returns ArrayFormula / DataTableFormula objects.
    text = getattr(value, "text", value)
    if text is None:
        return "=<%s>" % type(value).__name__
    return str(text)


def read_formula_cells(path):
    """[(sheet title, coordinate, formula text)] for every worksheet formula
    cell, plus the titles of skipped chart sheets."""
    wb = load_workbook(path, data_only=False)
    cells = []
    skipped = [cs.title for cs in getattr(wb, "chartsheets", [])]
    for ws in wb.worksheets:
        if not isinstance(ws, Worksheet):
            skipped.append(ws.title)
            continue
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cells.append((ws.title, cell.coordinate,
                                  formula_text(cell.value)))
    return cells, skipped


MISSING = object()


class ErrorValue(str):
    """A cell error such as #VALUE! or Err:502."""


_LO_ERR_RE = re.compile(r"Err:\d+")


def cell_value(wb, ws, coord):
    """Value of a data_only cell, normalised: numbers (dates as serials),
    str, bool, ErrorValue, or MISSING when the cell holds no value."""
    cell = ws[coord]
    v, dt = cell.value, cell.data_type
    if v is None:
        # t="str" with an empty <v></v> is an empty-string result; openpyxl
        # reads it as None but keeps the data type.
        if dt in ("s", "str", "inlineStr"):
            return ""
        return MISSING
    if dt == "e":
        return ErrorValue(v)
    if isinstance(v, str) and _LO_ERR_RE.fullmatch(v):
        return ErrorValue(v)
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time,
                      datetime.timedelta)):
        return to_excel(v, wb.epoch)
    return v


def read_values(path, wanted):
    """{(sheet, coord): value} for the (sheet, coord) pairs in wanted."""
    wb = load_workbook(path, data_only=True)
    names = set(wb.sheetnames)
    out = {}
    for sheet, coord in wanted:
        if sheet not in names:
            out[(sheet, coord)] = MISSING
            continue
        ws = wb[sheet]
        if not isinstance(ws, Worksheet):
            out[(sheet, coord)] = MISSING
            continue
        out[(sheet, coord)] = cell_value(wb, ws, coord)
    return out


# ---------------------------------------------------------------------------
# Stripping cached values


_WORKSHEET_CT = re.compile(
    rb'<Override\b[^>]*?PartName="/?([^"]+)"[^>]*?ContentType="[^"]*'
    rb'spreadsheetml\.worksheet[^"]*"')
_WORKSHEET_CT2 = re.compile(
    rb'<Override\b[^>]*?ContentType="[^"]*spreadsheetml\.worksheet[^"]*"'
    rb'[^>]*?PartName="/?([^"]+)"')
_SHEETDATA_RE = re.compile(
    rb'<((?:[A-Za-z_][\w.-]*:)?)sheetData\b[^>]*?(?:/>|>.*?</\1sheetData>)',
    re.S)
_CELL_RE = re.compile(
    rb'<(?P<p>(?:[A-Za-z_][\w.-]*:)?)c(?P<attrs>\s[^>]*?)?'
    rb'(?:/>|>(?P<body>.*?)</(?P=p)c>)', re.S)
_TYPE_ATTR_RE = re.compile(rb'\st\s*=\s*(["\'])[^"\']*\1')


def worksheet_parts(zf):
    """Names of the worksheet XML parts of an xlsx package."""
    names = set(zf.namelist())
    parts = set()
    if "[Content_Types].xml" in names:
        ct = zf.read("[Content_Types].xml")
        for rx in (_WORKSHEET_CT, _WORKSHEET_CT2):
            parts.update(m.group(1).decode("utf-8") for m in rx.finditer(ct))
    for n in names:
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n):
            parts.add(n)
    return sorted(p for p in parts if p in names)


def _strip_cells(sheet_data, counter):
    def fix(m):
        body = m.group("body")
        if body is None:
            return m.group(0)
        p = m.group("p")
        if not re.search(b"<" + re.escape(p) + rb"f[\s/>]", body):
            return m.group(0)
        vp = re.escape(p) + b"v"
        new_body, n = re.subn(
            b"<" + vp + rb"(?:\s[^>]*?)?(?:/>|>.*?</" + vp + b">)",
            b"", body, flags=re.S)
        attrs = m.group("attrs") or b""
        new_attrs = _TYPE_ATTR_RE.sub(b"", attrs)
        counter[0] += 1
        counter[1] += n
        return b"<" + p + b"c" + new_attrs + b">" + new_body + b"</" + p + b"c>"
    return _CELL_RE.sub(fix, sheet_data)


def strip_cached_values(src, dst):
    """Copy the xlsx package src to dst with the cached value (<v>) and the
    t= type attribute removed from every cell that has a formula (<f>).
    Returns (formula cells seen, <v> elements removed)."""
    counter = [0, 0]
    with zipfile.ZipFile(src) as zin:
        parts = set(worksheet_parts(zin))
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename in parts:
                    data = _SHEETDATA_RE.sub(
                        lambda m: _strip_cells(m.group(0), counter), data)
                zout.writestr(info, data)
    return counter[0], counter[1]


# ---------------------------------------------------------------------------
# LibreOffice


REGISTRY_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc">\
<prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def _tail(text, lines=20):
    text = (text or "").strip()
    return "\n".join(text.splitlines()[-lines:])


def recalc_with_libreoffice(soffice, src, tmp, timeout):
    """Convert src to xlsx with LibreOffice, forcing recalculation.
    Returns (path of the converted file, seconds taken)."""
    profile = os.path.join(tmp, "profile")
    os.makedirs(os.path.join(profile, "user"))
    with open(os.path.join(profile, "user", "registrymodifications.xcu"),
              "w", encoding="utf-8") as fh:
        fh.write(REGISTRY_XCU)
    outdir = os.path.join(tmp, "out")
    os.makedirs(outdir)
    cmd = [soffice, "--headless", "--norestore", "--nologo", "--nolockcheck",
           "-env:UserInstallation=" + pathlib.Path(profile).as_uri(),
           "--convert-to", "xlsx", "--outdir", outdir, src]
    start = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, errors="replace",
                                start_new_session=True)
    except OSError as e:
        raise CheckError("cannot start LibreOffice (%s): %s" % (soffice, e))
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # soffice -> oosplash -> soffice.bin: end the whole process group
        # this call started.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        raise CheckError("LibreOffice timed out after %g s converting %s"
                         % (timeout, src))
    elapsed = time.monotonic() - start
    result = os.path.join(outdir, os.path.splitext(os.path.basename(src))[0]
                          + ".xlsx")
    detail = "\n".join(x for x in ("command: " + " ".join(cmd),
                                   "stdout: " + _tail(out),
                                   "stderr: " + _tail(err)))
    if proc.returncode != 0:
        raise CheckError("LibreOffice exited with status %d\n%s"
                         % (proc.returncode, detail))
    if not os.path.isfile(result) or os.path.getsize(result) == 0:
        raise CheckError("LibreOffice wrote no output file %s\n%s"
                         % (result, detail))
    return result, elapsed


# ---------------------------------------------------------------------------
# Comparison


def _is_number(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def compare(cached, recalc, rel, abs_tol):
    """None when the values agree, else a short reason."""
    if recalc is MISSING:
        return "no recalculated value"
    if isinstance(recalc, ErrorValue):
        return "recalculated to an error"
    if cached is MISSING:
        return "no cached value in the workbook"
    if isinstance(cached, ErrorValue):
        return "cached value is an error"
    if isinstance(cached, bool) or isinstance(recalc, bool):
        # LibreOffice keeps booleans as numbers 1/0 with a boolean format.
        if isinstance(cached, (bool, numbers.Real)) and \
                isinstance(recalc, (bool, numbers.Real)) and \
                float(cached) == float(recalc) and float(cached) in (0.0, 1.0):
            return None
        return "boolean differs"
    if _is_number(cached) and _is_number(recalc):
        diff = abs(float(recalc) - float(cached))
        tol = max(abs_tol, rel * abs(float(cached)))
        if diff <= tol:
            return None
        return "differs by %.6g (tolerance %.3g)" % (diff, tol)
    if isinstance(cached, str) and isinstance(recalc, str):
        return None if cached == recalc else "string differs"
    return "type differs"


def show(v):
    if v is MISSING:
        return "<none>"
    if isinstance(v, ErrorValue):
        return str(v)
    return repr(v)


# ---------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="recalc_check.py",
        description="Check that LibreOffice, recalculating WORKBOOK.xlsx, "
                    "gets the values cached in its formula cells.")
    ap.add_argument("workbook", metavar="WORKBOOK.xlsx")
    ap.add_argument("--rel", type=float, default=1e-9,
                    help="relative tolerance for numbers (default 1e-9)")
    ap.add_argument("--abs", dest="abs_tol", metavar="ABS", type=float,
                    default=1e-6,
                    help="absolute tolerance for numbers (default 1e-6)")
    ap.add_argument("--min-formulas", type=int, default=1, metavar="N",
                    help="fail if the workbook has fewer formula cells "
                         "(default 1)")
    ap.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                    help="LibreOffice time limit (default 300)")
    ap.add_argument("--soffice", default=None, metavar="PATH",
                    help="LibreOffice executable (default: soffice on PATH)")
    ap.add_argument("--keep-temp", action="store_true",
                    help="keep the temporary directory (stripped copy, "
                         "profile, LibreOffice output) and print its path")
    args = ap.parse_args(argv)
    if args.rel < 0 or args.abs_tol < 0:
        ap.error("--rel and --abs must not be negative")
    return args


def run(args):
    path = args.workbook
    if not os.path.isfile(path):
        raise CheckError("no such file: %s" % path)
    try:
        cells, skipped = read_formula_cells(path)
        wanted = [(s, c) for s, c, _ in cells]
        cached = read_values(path, wanted)
    except Exception as e:  # openpyxl raises many kinds
        raise CheckError("cannot read %s: %s: %s"
                         % (path, type(e).__name__, e))
    for title in skipped:
        print("%s: skipping chart sheet %r" % (PROG, title))
    if len(cells) < args.min_formulas:
        print("%s: FAIL: %s has %d formula cells, fewer than --min-formulas %d"
              % (PROG, path, len(cells), args.min_formulas))
        return EXIT_FAIL

    soffice = args.soffice or shutil.which("soffice") or shutil.which(
        "libreoffice")
    if not soffice:
        raise CheckError("LibreOffice (soffice) not found on PATH "
                         "(Debian: apt-get install libreoffice-calc-nogui)")

    tmp = tempfile.mkdtemp(prefix="recalc_check.")
    try:
        indir = os.path.join(tmp, "in")
        os.makedirs(indir)
        stripped = os.path.join(indir, "workbook.xlsx")
        try:
            seen, removed = strip_cached_values(path, stripped)
            left = read_values(stripped, wanted)
        except Exception as e:
            raise CheckError("cannot write a copy without cached values: "
                             "%s: %s" % (type(e).__name__, e))
        still = [k for k, v in left.items() if v is not MISSING]
        if still:
            raise CheckError(
                "the stripped copy still has cached values in %d formula "
                "cells, e.g. %s" % (len(still), sheet_ref(*still[0])))
        if seen < len(cells):
            raise CheckError("found %d formula cells in the sheet XML but "
                             "openpyxl reads %d" % (seen, len(cells)))

        result, elapsed = recalc_with_libreoffice(soffice, stripped, tmp,
                                                  args.timeout)
        print("%s: LibreOffice recalculation took %.2f s" % (PROG, elapsed))
        try:
            recalc = read_values(result, wanted)
        except Exception as e:
            raise CheckError("cannot read LibreOffice's output %s: %s: %s"
                             % (result, type(e).__name__, e))
    finally:
        if args.keep_temp:
            print("%s: temporary files kept in %s" % (PROG, tmp))
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    mismatches = 0
    for sheet, coord, formula in cells:
        key = (sheet, coord)
        why = compare(cached[key], recalc[key], args.rel, args.abs_tol)
        if why is None:
            continue
        mismatches += 1
        print("MISMATCH %s: formula %s cached %s recalculated %s (%s)"
              % (sheet_ref(sheet, coord), formula, show(cached[key]),
                 show(recalc[key]), why))
    print("%s: %d formulas compared, %d mismatches"
          % (PROG, len(cells), mismatches))
    if all(v is MISSING for v in recalc.values()):
        print("%s: FAIL: LibreOffice's output has no value in any formula "
              "cell: the workbook was not recalculated" % PROG)
        return EXIT_FAIL
    return EXIT_FAIL if mismatches else EXIT_OK


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except CheckError as e:
        sys.stdout.flush()
        sys.stderr.write("%s: error: %s\n" % (PROG, e))
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
