"""Times a submission's own training loops at the tutorials' settings, outside any grader.

    python benchmarks/bare_compute.py FOLDER   (prints JSON: seconds per loop, numpy import)

This is the floor grading cost is compared with. A loop whose module is missing or raises
is left out; a tutorial whose grader names no loops (`bare_loops`) is refused, with the file
and the name (graders/grading/tutorial.py), before anything is timed.
"""

import functools
import json
import os
import sys
import time

started = time.perf_counter()
import numpy  # noqa: E402,F401  (its import time is part of the floor)

NUMPY_IMPORT = time.perf_counter() - started
KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, KIT)
from graders.grading import tutorial  # noqa: E402
from graders.model import spec  # noqa: E402


def loops(modules):
    """The published training runs, one per label: each tutorial's grader names its own
    (`bare_loops()` in graders/test_<module>.py)."""
    found = {}
    for name, module in modules.items():
        found.update({label: functools.partial(run, module)
                      for label, run in tutorial.grader(name).bare_loops().items()})
    return found


def main(folder):
    for name in spec.modules():
        tutorial.check(spec.load(name))
    sys.path.insert(0, folder)
    modules = {}
    for name in spec.modules():
        try:
            modules[name] = __import__(name)
        except Exception:  # a broken module simply has no loop to time
            pass
    times = {}
    devnull = open(os.devnull, "w")
    for label, run in loops(modules).items():
        stdout, sys.stdout = sys.stdout, devnull
        try:
            begin = time.perf_counter()
            run()
            times[label] = time.perf_counter() - begin
        except Exception:
            pass
        finally:
            sys.stdout = stdout
    print(json.dumps({"loops": times, "numpy_import": NUMPY_IMPORT}))


if __name__ == "__main__":
    main(sys.argv[1])
