"""The progress bar: shown on stderr when it is a terminal, silent with --quiet or when it is
not (a pipe, a file, CI). The terminal is a pseudo-terminal from util-linux's `script`."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import e2e  # noqa: E402

SALE = os.path.join(e2e.SCENARIOS, "accounting-practice-sale.yaml")
CHOICE = os.path.join(e2e.SCENARIOS, "buyer-choosing-practices.yaml")


def on_terminal(*args, scenario=SALE):
    """Run bookval with stdout and stderr on a pseudo-terminal; return what it printed."""
    with tempfile.TemporaryDirectory() as tmp:
        command = " ".join([e2e.BOOKVAL, "run", scenario, "-o", os.path.join(tmp, "o.xlsx"),
                            "--iterations", "3000", *args])
        p = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout


@unittest.skipUnless(shutil.which("script"), "util-linux script is needed for a terminal")
class ProgressBar(unittest.TestCase):
    def test_bar_on_a_terminal(self):
        rc, out = on_terminal()
        self.assertEqual(rc, 0, out)
        self.assertIn("Monte Carlo [", out)
        self.assertIn("3000/3000", out)
        self.assertRegex(out, r"\d+ it/s")
        self.assertIn("left", out)

    def test_what_ifs_have_a_bar_of_their_own(self):
        # 3 variants; 8 tornado entries, 7 with a break-even (2 ends + 41 scan inputs + 1
        # search = 44 points each) and the scenario's discount_rate, which the buyer's own rate
        # leaves out of its NPV (2 ends); a 4 x 4 grid: 3 + 7 x 44 + 2 + 16 = 329 points.
        rc, out = on_terminal(scenario=CHOICE)
        self.assertEqual(rc, 0, out)
        self.assertIn("3000/3000", out)
        self.assertIn("What-ifs    [", out)
        self.assertIn("329/329", out)
        self.assertRegex(out, r"\d+ points/s")

    def test_quiet_silences_it(self):
        rc, out = on_terminal("--quiet")
        self.assertEqual(rc, 0, out)
        self.assertNotIn("Monte Carlo [", out)

    def test_no_bar_when_stderr_is_not_a_terminal(self):
        with tempfile.TemporaryDirectory() as tmp:
            p = e2e.run("run", SALE, "-o", os.path.join(tmp, "o.xlsx"), "--iterations", "3000")
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertNotIn("Monte Carlo [", p.stderr)


if __name__ == "__main__":
    e2e.main()
