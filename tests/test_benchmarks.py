"""benchmarks/grading_parts.py, which the README's table of a grading's parts comes from."""

import re
import subprocess
import sys

from tests.helpers import KIT, SOLUTIONS

PART = re.compile(r"^  (.+?) +(-?\d+\.\d\d) s(?: \((\d+) calls\))?$", re.M)


def test_the_parts_of_a_grading_are_timed_from_its_calls_into_the_worker():
    """Its timing hooks into graders/sandbox/channel.py still catch every call: the published
    training runs are its slow calls, and the many small ones are counted."""
    done = subprocess.run([sys.executable, "benchmarks/grading_parts.py", SOLUTIONS,
                           "--repeat", "1"], cwd=KIT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    parts = {name: (float(seconds), count) for name, seconds, count in PART.findall(done.stdout)}
    assert list(parts) == ["before the first case", "slow calls", "other calls",
                           "grader work between calls", "after the last case"]
    assert all(seconds >= 0 for seconds, _ in parts.values())
    assert int(parts["slow calls"][1]) >= 2  # trask's and britz's published training runs
    assert int(parts["other calls"][1]) > 100
