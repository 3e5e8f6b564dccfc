#!/usr/bin/env python3
"""Run bookval on a scenario into a temporary directory, then recalculate the workbook in
LibreOffice and compare every formula with the engine's cached value (recalc_check.py).

usage: recalc_scenario.py BOOKVAL SCENARIO.yaml [bookval options...]
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    bookval, scenario, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    with tempfile.TemporaryDirectory(prefix="bookval-recalc-") as tmp:
        out = os.path.join(tmp, "book.xlsx")
        run = subprocess.run([bookval, "run", scenario, "-o", out, "--quiet", *extra],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stdout, run.stderr, file=sys.stderr)
            sys.exit(f"bookval exited {run.returncode}")
        check = subprocess.run([sys.executable, os.path.join(HERE, "recalc_check.py"), out,
                                "--rel", "1e-9", "--min-formulas", "20"])
        sys.exit(check.returncode)


if __name__ == "__main__":
    main()
