"""Where one submission's grading time goes, by part, as the batch grades it.

    python benchmarks/grading_parts.py FOLDER [--repeat N]

Loads the specs and imports the graders as the batch's main process does, then forks a
grader per run as the batch does (graders/grading/child.py) and times, without a profiler:
pytest's start before the first case, the calls into the sandboxed worker that take 0.1 s or
more (the published training runs), every other call (the worker's start included), the
grader's own work between calls, and what follows the last case. Prints the best of
--repeat runs (default 3), as timeit does. Part 5 of `nox -s bench` runs it on alice.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, KIT)
import pytest  # noqa: E402

from graders.grading import child, options, procedures  # noqa: E402
from graders.model.assignment import Assignment  # noqa: E402
from graders.sandbox import channel  # noqa: E402
from graders.sandbox.limits import Limits  # noqa: E402

SLOW = 0.1  # seconds: a call at least this long is one of the published training runs


class Timings:
    """A pytest plugin that stamps the run's phases and times every call into the worker."""

    def __init__(self):
        self.calls, self.starts, self.stamps = [], [], {}
        exchange, start = channel.WorkerChannel.exchange, channel.WorkerChannel.__init__

        def timed_exchange(chan, *args, **kwargs):
            began = time.perf_counter()
            try:
                return exchange(chan, *args, **kwargs)
            finally:
                self.calls.append(time.perf_counter() - began)

        def timed_start(chan, *args, **kwargs):
            began = time.perf_counter()
            start(chan, *args, **kwargs)
            self.starts.append(time.perf_counter() - began)

        channel.WorkerChannel.exchange, channel.WorkerChannel.__init__ = \
            timed_exchange, timed_start

    def pytest_runtestloop(self, session):
        self.stamps.setdefault("loop", time.perf_counter())

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session):
        self.stamps["finish"] = time.perf_counter()

    def pytest_unconfigure(self, config):
        self.stamps["end"] = time.perf_counter()

    def parts(self, began):
        slow = [seconds for seconds in self.calls if seconds >= SLOW]
        loop = self.stamps["finish"] - self.stamps["loop"]
        return {"total": self.stamps["end"] - began,
                "before the first case": self.stamps["loop"] - began,
                "slow calls": sum(slow), "slow call count": len(slow),
                "other calls": sum(self.calls) - sum(slow) + sum(self.starts),
                "other call count": len(self.calls) - len(slow),
                "grader work between calls": loop - sum(self.calls) - sum(self.starts),
                "after the last case": self.stamps["end"] - self.stamps["finish"]}


def graded_once(folder, scratch):
    """The parts of one grading of `folder` in a forked grader, as a dict of seconds."""
    work = tempfile.mkdtemp(dir=scratch)
    shutil.copytree(folder, os.path.join(work, "modules"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    found = os.path.join(work, "parts.json")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            began = time.perf_counter()
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            timings = Timings()
            pytest.main(child.arguments(work), plugins=[options.Given(Limits(), "en"), timings])
            with open(found, "w", encoding="utf-8") as handle:
                json.dump(timings.parts(began), handle)
            code = 0
        finally:
            os._exit(code)
    os.waitpid(pid, 0)
    with open(found, encoding="utf-8") as handle:
        return json.load(handle)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", help="a folder of a submission's modules")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best counts")
    args = parser.parse_args()
    os.chdir(KIT)
    Assignment.load(procedures.load)  # as the batch's main process, before it forks
    with tempfile.TemporaryDirectory(prefix="nnkit-parts-") as scratch:
        best = min((graded_once(os.path.abspath(args.folder), scratch)
                    for _ in range(args.repeat)), key=lambda parts: parts["total"])
    print("one grading of %s, forked as the batch forks it: %.2f s" % (
        os.path.basename(os.path.normpath(args.folder)), best["total"]))
    counts = {"slow calls": best["slow call count"], "other calls": best["other call count"]}
    for name in ("before the first case", "slow calls", "other calls",
                 "grader work between calls", "after the last case"):
        print("  %-28s %6.2f s%s" % (name, best[name], " (%d calls)" % counts[name]
                                     if name in counts else ""))


if __name__ == "__main__":
    main()
