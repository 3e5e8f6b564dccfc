"""Writes that fail part-way: a file size limit, a full file system, the directory vanishing.

Usage: test_write_faults.py BOOKVAL_FAULTS SOURCE_ROOT

Each failed run must exit 1 with an error naming the output, leave the earlier workbook and
JSON exactly as they were, and leave no temporary file behind. The limits sweep from nothing
written at all to enough for everything, so every stage of writing (libxlsxwriter's own
temporary files, the zip, the JSON, the final flush) meets the failure somewhere; the
largest limit must succeed, so the test cannot pass by never writing.
"""
import os
import resource
import signal
import subprocess
import sys
import tempfile
import unittest

BOOKVAL = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
SCENARIO = os.path.join(ROOT, "tests", "fault", "small-deal.yaml")
EARLIER = {"out.xlsx": b"an earlier workbook\n", "out.json": b"an earlier summary\n"}


def run(directory, env=None, preexec_fn=None):
    args = [BOOKVAL, "run", SCENARIO, "-o", os.path.join(directory, "out.xlsx"),
            "--json", os.path.join(directory, "out.json"), "--quiet"]
    return subprocess.run(args, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})}, preexec_fn=preexec_fn)


def seed_earlier(directory):
    for name, content in EARLIER.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(content)


def contents(directory):
    files = {}
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            files[name] = f.read()
    return files


def file_size_limit(limit):
    """A child that may write at most `limit` bytes to any file; writes past it fail with
    EFBIG instead of killing the process (SIGXFSZ ignored)."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


class WriteFaults(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with tempfile.TemporaryDirectory(prefix="bookval-write-") as tmp:
            p = run(tmp)
            assert p.returncode == 0, p.stderr
            cls.expected = contents(tmp)
            cls.sizes = {n: len(c) for n, c in cls.expected.items()}

    def assert_clean_failure(self, p, directory, reason):
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stderr, r"out\.(xlsx|json): error: ")
        self.assertIn(reason, p.stderr)
        self.assertEqual(contents(directory), EARLIER, "earlier outputs changed or debris left")

    def test_file_size_limit(self):
        """Limits from nothing to three times the workbook: below its size every run fails;
        above, libxlsxwriter's temporary files (a sheet's XML is larger than the zipped
        workbook) may still hit the limit. Each run fails cleanly or writes exactly what an
        unlimited run writes: never a workbook with a sheet cut short."""
        biggest = max(self.sizes.values())
        limits = sorted({0, 1, 100, 1000, 4096, biggest - 1, 1 << 26} |
                        set(range(0, 3 * biggest, max(1, biggest // 16))))
        outcomes, messages = [], ""
        for limit in limits:
            with self.subTest(limit=limit), \
                    tempfile.TemporaryDirectory(prefix="bookval-write-") as tmp:
                seed_earlier(tmp)
                p = run(tmp, preexec_fn=file_size_limit(limit))
                outcomes.append(p.returncode)
                messages += p.stderr
                if p.returncode == 0:
                    self.assertGreaterEqual(limit, biggest)
                    self.assertEqual(contents(tmp), self.expected)
                else:
                    self.assert_clean_failure(p, tmp, "")
        self.assertEqual(outcomes[-1], 0, "no room is enough")
        # Both ways a write fails were met: bookval's own (the zip, the JSON) and a sheet cut
        # short in libxlsxwriter's temporary file, caught by reading the workbook back.
        self.assertIn("write", messages)
        self.assertIn("File too large", messages)
        self.assertIn("is cut short", messages)

    def test_full_file_system(self):
        """A tmpfs of a few pages, as root; skipped where mounting is not allowed."""
        with tempfile.TemporaryDirectory(prefix="bookval-fullfs-") as mount_point:
            total = sum(self.sizes.values())
            pages = (total + 4095) // 4096 + len(EARLIER) + 2
            for size_pages in range(len(EARLIER) + 1, pages + 1):
                m = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_pages * 4096}",
                                    "tmpfs", mount_point], capture_output=True, text=True)
                if m.returncode != 0:
                    self.skipTest(f"cannot mount a tmpfs here: {m.stderr.strip()}")
                try:
                    seed_earlier(mount_point)
                    p = run(mount_point)
                    if p.returncode == 0:
                        self.assertEqual(sorted(contents(mount_point)),
                                         ["out.json", "out.xlsx"])
                        break
                    with self.subTest(size_pages=size_pages):
                        self.assert_clean_failure(p, mount_point, "No space left on device")
                finally:
                    subprocess.run(["umount", mount_point], check=True)
            else:
                self.fail(f"no run succeeded even with {pages} pages")
            self.assertGreater(size_pages, len(EARLIER) + 1, "the first size already fit")

    def test_directory_vanishes(self):
        for when, reason in (("open", "cannot write here: No such file or directory"),
                             ("rename", "write failed: No such file or directory")):
            with self.subTest(when=when), \
                    tempfile.TemporaryDirectory(prefix="bookval-write-") as tmp:
                directory = os.path.join(tmp, "out")
                os.mkdir(directory)
                seed_earlier(directory)
                p = run(directory, env={"BOOKVAL_VANISH": when})
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertIn(reason, p.stderr)
                self.assertFalse(os.path.exists(directory), "the directory came back")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
