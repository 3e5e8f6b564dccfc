#!/usr/bin/python3
"""Run one malformed-input case against bookval and check the error it reports.

usage: run_case.py [--valgrind] [--keep] BOOKVAL CASE.yaml

The case file's leading comment lines carry its expectations (see README.md):

    # expect-file: NAME          file the errors must name (default: the case file itself)
    # expect: LINE:COL: TEXT     a stderr line NAME:LINE:COL: error: ...TEXT... must exist
    # args: --set a.b=1          extra command-line arguments (shell-quoted)
    # command: validate          run (default) or validate
    # companion: other.csv       extra files to copy beside the case
    # allow-extra: yes           tolerate error lines no expect line accounts for

The case and its companions (NAME.csv etc. with the case's stem, plus any `companion:`
files) are copied into a fresh directory, bookval is run there, and the runner asserts:
exit status 2, every expectation met, no other error lines (unless allow-extra), no output
or temporary file left behind, and, on a second run, a pre-existing OUT.xlsx / OUT.json
left byte for byte as it was. Standard library only.
"""
import difflib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

TIMEOUT = 10.0
VALGRIND_TIMEOUT = 300.0
OUT_XLSX = "OUT.xlsx"
OUT_JSON = "OUT.json"
PREEXISTING = {
    OUT_XLSX: b"PK\x03\x04 a good workbook from an earlier run \x00\xff\x10 must survive\n",
    OUT_JSON: b'{"earlier": "run", "must": "survive"}\n',
}
DIRECTIVE = re.compile(r"^#\s*(expect-file|expect|args|command|companion|allow-extra)\s*:\s?(.*)$")
EXPECT = re.compile(r"^(\d+):(\d+):\s?(.*)$")
# FILE:LINE:COL: error: REST  (FILE may itself hold colons; LINE and COL may not)
ERROR_LINE = re.compile(r"^(.*?):(\d+):(\d+): error: (.*)$")


class CaseError(Exception):
    pass


def parse_header(path):
    """The directives of the leading comment block (blank lines allowed inside it)."""
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    case = {"expect_file": None, "expects": [], "args": [], "command": "run",
            "companions": [], "allow_extra": False}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        m = DIRECTIVE.match(stripped)
        if not m:
            continue
        key, value = m.group(1), m.group(2).rstrip()
        if key == "expect-file":
            case["expect_file"] = value
        elif key == "expect":
            e = EXPECT.match(value)
            if not e:
                raise CaseError("bad '# expect:' line (want LINE:COL: TEXT): %r" % value)
            case["expects"].append((int(e.group(1)), int(e.group(2)), e.group(3)))
        elif key == "args":
            case["args"] += shlex.split(value)
        elif key == "command":
            if value not in ("run", "validate"):
                raise CaseError("'# command:' must be run or validate, got %r" % value)
            case["command"] = value
        elif key == "companion":
            case["companions"] += value.split()
        elif key == "allow-extra":
            case["allow_extra"] = value.lower() in ("yes", "true", "1")
    if not case["expects"]:
        raise CaseError("the case has no '# expect: LINE:COL: TEXT' line")
    return case


def companions_of(case_path, listed):
    """Files to copy beside the case: same stem with another extension, plus those listed."""
    folder = os.path.dirname(os.path.abspath(case_path))
    base = os.path.basename(case_path)
    stem = os.path.splitext(base)[0]
    found = []
    for name in sorted(os.listdir(folder)):
        if name == base or not name.startswith(stem + "."):
            continue
        if name[len(stem) + 1:] in ("yaml", "yml") or "." in name[len(stem) + 1:]:
            continue
        found.append(os.path.join(folder, name))
    for name in listed:
        p = os.path.join(folder, name)
        if not os.path.isfile(p):
            raise CaseError("companion %s does not exist" % p)
        if p not in found:
            found.append(p)
    return found


def norm(path):
    return os.path.normpath(path) if path not in ("--set",) else path


def describe_status(rc):
    if rc is None:
        return "timed out"
    if rc < 0:
        try:
            return "killed by signal %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit %d" % rc


def run_bookval(cmd, cwd, timeout):
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, e.stdout or b"", e.stderr or b""
    elapsed = time.monotonic() - start
    return rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), elapsed


def match_errors(case, stderr, expect_file):
    """Returns (problems, rendered expectations, actual error lines)."""
    errors = []
    for line in stderr.splitlines():
        m = ERROR_LINE.match(line)
        if m:
            errors.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), line))
    problems = []
    used = set()
    rendered = []
    for line_no, col, text in case["expects"]:
        want = "%s:%d:%d: error: ...%s..." % (expect_file, line_no, col, text)
        rendered.append(want)
        hit = None
        for i, (f, l, c, rest, _) in enumerate(errors):
            if norm(f) == norm(expect_file) and l == line_no and c == col and text in rest:
                hit = i
                break
        if hit is None:
            # Say what is nearest: same text elsewhere, or same place with other text.
            near = [e[4] for e in errors if text in e[3]]
            near += [e[4] for e in errors if (e[1], e[2]) == (line_no, col) and e[4] not in near]
            if not near:
                near = difflib.get_close_matches(want, [e[4] for e in errors], n=1, cutoff=0)
            problems.append("expected  %s\n      nearest   %s" % (want, near[0] if near else
                                                                 "(no error line at all)"))
        else:
            used.add(hit)
    if not case["allow_extra"]:
        for i, e in enumerate(errors):
            if i not in used:
                problems.append("unexpected error line (no '# expect:' accounts for it):\n"
                                "      %s" % e[4])
    return problems, rendered, [e[4] for e in errors]


def listing(folder):
    return sorted(os.listdir(folder))


def main(argv):
    valgrind = "--valgrind" in argv or os.environ.get("BOOKVAL_VALGRIND") == "1"
    keep = "--keep" in argv
    args = [a for a in argv[1:] if a not in ("--valgrind", "--keep")]
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    bookval, case_path = os.path.abspath(args[0]), args[1]
    name = os.path.basename(case_path)
    try:
        case = parse_header(case_path)
        companions = companions_of(case_path, case["companions"])
    except (CaseError, OSError) as e:
        print("FAIL %s: broken case file: %s" % (name, e))
        return 1
    expect_file = case["expect_file"] or name

    work = tempfile.mkdtemp(prefix="bookval-malformed-")
    vg_log_dir = tempfile.mkdtemp(prefix="bookval-vglog-") if valgrind else None
    problems = []
    try:
        shutil.copyfile(case_path, os.path.join(work, name))
        for c in companions:
            shutil.copyfile(c, os.path.join(work, os.path.basename(c)))
        before = listing(work)

        if case["command"] == "run":
            cmd = [bookval, "run", name, "-o", OUT_XLSX, "--json", OUT_JSON] + case["args"]
        else:
            cmd = [bookval, "validate", name] + case["args"]
        timeout = TIMEOUT
        if valgrind:
            vg_log = os.path.join(vg_log_dir, "valgrind.log")
            cmd = ["valgrind", "--error-exitcode=9", "--leak-check=full",
                   "--log-file=" + vg_log] + cmd
            timeout = VALGRIND_TIMEOUT

        print("case     %s" % case_path)
        print("command  %s   (in %s)" % (" ".join(shlex.quote(c) for c in cmd), work))
        rc, out, err, elapsed = run_bookval(cmd, work, timeout)
        print("elapsed  %.3f s  (bookval %s, %s)" % (elapsed, case["command"],
                                                      describe_status(rc)))

        # 1. exit status
        if rc != 2:
            problems.append("exit status: expected exit 2, got %s" % describe_status(rc))
            if valgrind and rc == 9:
                with open(vg_log, errors="replace") as f:
                    problems.append("valgrind reported errors:\n" + f.read())
        # 2. the error lines
        found, rendered, actual = match_errors(case, err, expect_file)
        problems += found
        # 3. nothing left behind
        after = listing(work)
        extra = [f for f in after if f not in before]
        if extra:
            problems.append("files left in the directory by the run (want none): %s" % ", ".join(extra))
            for f in extra:
                os.unlink(os.path.join(work, f))

        # 4. a good earlier output survives a second failing run untouched
        if case["command"] == "run" and not valgrind:
            for f, data in PREEXISTING.items():
                with open(os.path.join(work, f), "wb") as fh:
                    fh.write(data)
            before2 = listing(work)
            rc2, _, err2, elapsed2 = run_bookval(cmd, work, timeout)
            if rc2 != 2:
                problems.append("second run (outputs pre-existing): expected exit 2, got %s"
                                % describe_status(rc2))
            for f, data in PREEXISTING.items():
                p = os.path.join(work, f)
                if not os.path.exists(p):
                    problems.append("second run deleted the pre-existing %s" % f)
                else:
                    with open(p, "rb") as fh:
                        now = fh.read()
                    if now != data:
                        problems.append("second run changed the pre-existing %s (%d bytes, "
                                        "was %d)" % (f, len(now), len(data)))
            extra2 = [f for f in listing(work) if f not in before2]
            if extra2:
                problems.append("second run left files behind: %s" % ", ".join(extra2))
            errs1 = [l for l in err.splitlines() if ERROR_LINE.match(l)]
            errs2 = [l for l in err2.splitlines() if ERROR_LINE.match(l)]
            if errs2 != errs1:
                problems.append("second run printed different errors:\n%s" % "\n".join(
                    difflib.unified_diff(errs1, errs2, "first run", "second run",
                                         lineterm="")))

        if valgrind and rc != 9 and os.path.exists(vg_log):
            with open(vg_log, errors="replace") as f:
                log = f.read()
            summary = [l for l in log.splitlines()
                       if "ERROR SUMMARY" in l or "definitely lost" in l
                       or "indirectly lost" in l or "possibly lost" in l]
            print("valgrind " + "\n         ".join(s.split("== ", 1)[-1] for s in summary))

        if problems:
            print("FAIL %s" % name)
            for p in problems:
                print("  - " + p)
            print("--- expected error lines")
            for r in rendered:
                print("    " + r)
            print("--- actual stderr (%s)" % describe_status(rc))
            for line in err.splitlines() or ["(empty)"]:
                print("    " + line)
            if out.strip():
                print("--- actual stdout")
                for line in out.splitlines():
                    print("    " + line)
            diff = list(difflib.unified_diff(rendered, actual, "expected", "actual",
                                             lineterm="", n=0))
            if diff:
                print("--- diff of expected vs actual error lines")
                for line in diff:
                    print("    " + line)
            return 1
        print("PASS %s" % name)
        for line in err.splitlines():
            print("    " + line)
        return 0
    finally:
        if keep:
            print("kept     %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
        if vg_log_dir:
            shutil.rmtree(vg_log_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
