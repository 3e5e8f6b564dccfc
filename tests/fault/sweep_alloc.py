"""Fail each allocation of a bookval command in turn; every run must end cleanly.

Usage: sweep_alloc.py BOOKVAL_FAILALLOC [--every K [--offset O|auto]] [--jobs J] -- COMMAND ARGS...

ARGS name output files as {out}/NAME. A first run counts the command's allocations
(tests/fault/failalloc.c) and keeps what it writes. Then, for N = O, O+K, O+2K, ... through
that count (O = 1 unless --offset says; `auto` takes the day's number modulo K plus 1, so
successive days' sampled sweeps cover different allocations, and prints it for a rerun), the command is repeated with its N-th allocation failing, into a directory that
already holds an earlier version of every output. Each run must end one of two ways:
  - exit 1 with an error message on stderr, the earlier files untouched and no other file
    left behind; or
  - exit 0 with the very same files as the first run (the failure was absorbed, as stdio
    does by writing unbuffered).
No signal, no sanitizer report (the sanitizer build makes those exit 23), no input error.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SANITIZER_EXIT = 23


def environment(fail_at, count_file=None):
    env = dict(os.environ)
    env["BOOKVAL_FAIL_ALLOC_AT"] = str(fail_at)
    if count_file:
        env["BOOKVAL_FAIL_ALLOC_COUNT"] = count_file
    sanitizer = f"exitcode={SANITIZER_EXIT}"
    env["ASAN_OPTIONS"] = f"detect_leaks=1:{sanitizer}"
    env["LSAN_OPTIONS"] = f"suppressions={os.path.join(HERE, 'lsan.supp')}"
    env["UBSAN_OPTIONS"] = f"halt_on_error=1:print_stacktrace=1:{sanitizer}"
    return env


def run(binary, command, directory, fail_at, count_file=None):
    args = [binary, *(a.replace("{out}", directory) for a in command)]
    return subprocess.run(args, capture_output=True, env=environment(fail_at, count_file),
                          timeout=300)


def snapshot(directory):
    files = {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            files[name] = f.read()
    return files


def check(binary, command, fail_at, earlier, expected):
    """Run with allocation fail_at failing; return a problem description or None."""
    with tempfile.TemporaryDirectory(prefix="bookval-fault-") as tmp:
        for name, content in earlier.items():
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(content)
        p = run(binary, command, tmp, fail_at)
        files = snapshot(tmp)
    stderr = p.stderr.decode("utf-8", "replace")
    if p.returncode == 0:
        if files != expected:
            return "exit 0 but the outputs differ from the run without a failure"
        return None
    if p.returncode != 1:
        return f"exit {p.returncode}:\n{stderr[-3000:]}"
    # libgomp ends the process itself when it cannot allocate or start a thread.
    if "error: " not in stderr and not stderr.startswith("\nlibgomp: "):
        return f"exit 1 without an error message:\n{stderr[-2000:]}"
    if "Sanitizer" in stderr or "runtime error" in stderr:
        return f"sanitizer report:\n{stderr[-3000:]}"
    if files != earlier:
        changed = sorted(n for n in set(files) | set(earlier) if files.get(n) != earlier.get(n))
        return f"exit 1 but the output directory changed: {changed}"
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--offset", default="1",
                        help="the first allocation to fail (1..K), or 'auto'")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("command", nargs="+")
    o = parser.parse_args()
    outputs = [m.group(1) for a in o.command for m in re.finditer(r"\{out\}/([^\s,]+)", a)]
    earlier = {name: f"an earlier {name}\n".encode() for name in outputs}

    with tempfile.TemporaryDirectory(prefix="bookval-fault-") as tmp:
        count_file = os.path.join(tmp, "count")
        out = os.path.join(tmp, "out")
        os.mkdir(out)
        p = run(o.binary, o.command, out, 0, count_file)
        if p.returncode != 0:
            sys.exit(f"the run without a failure exited {p.returncode}:\n{p.stderr.decode()}")
        with open(count_file) as f:
            total = int(f.read())
        expected = snapshot(out)

    if o.offset == "auto":
        offset = int(time.time() // 86400) % o.every + 1
    else:
        offset = int(o.offset)
    if not 1 <= offset <= max(o.every, 1):
        sys.exit(f"--offset {o.offset}: must be from 1 to --every ({o.every})")
    points = range(offset, total + 1, o.every)
    sample = f" (every {o.every}th from {offset}; rerun: --every {o.every} --offset {offset})" \
        if o.every > 1 else ""
    print(f"{' '.join(o.command)}: {total} allocations; failing {len(points)} of them in turn"
          f"{sample}", flush=True)
    problems = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=o.jobs) as pool:
        futures = {pool.submit(check, o.binary, o.command, n, earlier, expected): n
                   for n in points}
        for future in concurrent.futures.as_completed(futures):
            problem = future.result()
            if problem:
                problems[futures[future]] = problem
    # One example of each kind of problem, then how many failure points had it.
    kinds = {}
    for n in sorted(problems):
        kinds.setdefault(problems[n].splitlines()[0], []).append(n)
    for kind, points_with_it in kinds.items():
        listed = ", ".join(map(str, points_with_it[:30]))
        print(f"--- {len(points_with_it)} failure points ({listed}): "
              f"{problems[points_with_it[0]]}")
    print(f"{len(points) - len(problems)} of {len(points)} failure points ended cleanly")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
