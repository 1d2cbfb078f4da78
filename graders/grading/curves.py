"""Training curves that the graders already receive, kept for report.html.

A grader calls `curve.record(name, get)` with what the student's training returned (no second
training run); `curve` is its case's Record, from the grading run's Recorder (in
`config.stash`, never a module global, so nothing one run or rerun draws leaks into another).
A record is open for a public case only, so nothing of a hidden case reaches a report, and
closed while the root-cause check runs a case again with stand-ins. The values go to
results.json as the test's `extra_data["curve"]`: {name: [[x, y], ...]} (x the index in what
came back, or Britz's printed iteration), or for a network {"model": {"W1": ..., ...}}, or for several networks a
mapping of them ({"models": {"1": {"W1": ...}, "2": ...}}).
"""

import contextlib

import numpy as np
import pytest

RECORDER = pytest.StashKey()  # config.stash[RECORDER]: the grading run's Recorder


class Recorder:
    """The curves of one grading run: a Record per case, open for public cases only."""

    def __init__(self):
        self.records = {}  # nodeid -> Record

    def case(self, nodeid, public):
        """The Record of the case `nodeid` (made when its grader first asks for it)."""
        return self.records.setdefault(nodeid, Record(public))

    def values(self, nodeid):
        """{name: values} that the case recorded, or None."""
        record = self.records.get(nodeid)
        return record.values if record is not None and record.values else None


class Record:
    """What one case's grader recorded: its `curve` fixture (graders/conftest.py)."""

    def __init__(self, open):
        self.open = open  # closed for a hidden case, and while the case runs again
        self.values = {}

    @contextlib.contextmanager
    def closed(self):
        """Records nothing inside: a rerun with the kit's stand-ins is not the student's."""
        was, self.open = self.open, False
        try:
            yield
        finally:
            self.open = was

    def record(self, name, get):
        """Keeps get()'s value under `name`, if the record is open and the value is plain
        numbers."""
        if not self.open:
            return
        try:
            value = get()
            if isinstance(value, dict):
                self.values[name] = _arrays(value)
            elif isinstance(value, (list, tuple, np.ndarray)):
                self.values[name] = thin(np.asarray(value, float))
        except (pytest.fail.Exception, Exception):  # noqa: B014
            pass  # not numbers of the expected shape: the case's own check says so; a
            # picture must never turn into a failure or a kit error


NOTHING = Record(False)  # for a procedure run outside its case (graders/grading/roots.py)


def _arrays(value):
    """A mapping of arrays (or of such mappings) as nested lists of floats, kept whole."""
    return {str(key): _arrays(item) if isinstance(item, dict) else
            np.asarray(item, float).tolist() for key, item in value.items()}


POINTS = 400  # a curve keeps at most this many points (a-i-dan's history has 25000)


def thin(values):
    """[[x, y], ...]: pairs kept as they are, a list of numbers indexed, at most POINTS."""
    pairs = values if values.ndim == 2 else np.column_stack([np.arange(len(values)), values])
    if len(pairs) > POINTS:
        pairs = pairs[np.unique(np.linspace(0, len(pairs) - 1, POINTS).round().astype(int))]
    return pairs.tolist()
