"""Training curves that the graders already receive, kept for report.html.

A grader calls `record(name, get)` with what the student's training returned (no second
training run). The scoreboard (graders/grading/scoreboard.py) opens a record for each public case only, so
nothing of a hidden case reaches a report; the values go to results.json as the test's
`extra_data["curve"]`: {name: [[x, y], ...]} (x the index in what came back, or Britz's
printed iteration), or for a network {"model": {"W1": ..., ...}}, or for several networks a
mapping of them ({"models": {"1": {"W1": ...}, "2": ...}}).
"""

import numpy as np
import pytest

current = None  # the open record of the case being run, or None (hidden case, no scoreboard)


def record(name, get):
    """Keeps get()'s value under `name`, if a record is open and the value is plain numbers."""
    if current is None:
        return
    try:
        value = get()
        if isinstance(value, dict):
            current[name] = _arrays(value)
        elif isinstance(value, (list, tuple, np.ndarray)):
            current[name] = thin(np.asarray(value, float))
    except (pytest.fail.Exception, Exception):  # noqa: B014
        pass  # not numbers of the expected shape: the case's own check says so; a picture
        # must never turn into a failure or a kit error


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
