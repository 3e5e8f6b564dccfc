"""Helpers shared by the end-to-end tests: run bookval, read its JSON, compare files.

Each test script is run by CTest as `python3 test_x.py BOOKVAL SOURCE_ROOT` and uses unittest;
it exits non-zero when any check fails.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

BOOKVAL = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "bookval"
ROOT = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.getcwd()
SCENARIOS = os.path.join(ROOT, "scenarios")


def run(*args, cwd=None, timeout=600):
    """Run bookval; return the CompletedProcess (text mode)."""
    return subprocess.run([BOOKVAL, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout)


def run_json(scenario, *args, cwd=None):
    """Run a scenario with --json into a temp dir; return the parsed summary."""
    with tempfile.TemporaryDirectory(prefix="bookval-e2e-") as tmp:
        out = os.path.join(tmp, "out.json")
        p = run("run", scenario, "-o", os.path.join(tmp, "out.xlsx"), "--json", out,
                "--quiet", *args, cwd=cwd)
        if p.returncode != 0:
            raise AssertionError(f"bookval exited {p.returncode}:\n{p.stdout}{p.stderr}")
        with open(out, encoding="utf-8") as f:
            return json.load(f)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def main():
    """unittest.main without our own argv."""
    unittest.main(argv=[sys.argv[0]], verbosity=2)
