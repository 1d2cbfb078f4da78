"""No public case's output holds what the student's code saw of a hidden case.

A public failure's output (what the code printed, shown at once on Gradescope and in
feedback.md) could carry a hidden case's inputs if the worker had seen them before: the kit
runs public cases first, drops what a helper's own cases print when it checks a helper for
root-cause credit, and stops the worker once a helper's check has run a hidden case. The
submission below prints every input its `nonlin` ever saw, and is right on nonlin's public
inputs only, so its callers fail and the kit checks nonlin's hidden cases in the middle of the
public ones; a later public caller that is wrong for a reason of its own (and calls nonlin)
then fails with what it printed, which must hold no hidden input.
"""

import json
import os
import subprocess
import sys

import numpy as np

from graders.model import draws
from graders.model import spec
from tests.helpers import KIT, SOLUTIONS

SPY = '''

_SEEN = []
_sigmoid = nonlin
_PUBLIC = {(-2.0, 0.0, 3.0), (0.2, 0.5, 0.9)}


def nonlin(x, deriv=False):
    x = np.asarray(x, dtype=float)
    _SEEN.append(" ".join("%.6f" % v for v in x.ravel()))
    print("SEEN", " | ".join(_SEEN))
    if x.ndim == 1 and tuple(x.tolist()) in _PUBLIC:
        return _sigmoid(x, deriv)
    return _sigmoid(x, deriv) + 0.25


_update = two_layer_update


def two_layer_update(X, y, syn0):
    return -_update(X, y, syn0)


_updates = three_layer_updates


def three_layer_updates(X, y, syn0, syn1):
    nonlin(np.zeros(1))  # wrong for a reason of its own: its output is shown, with SEEN
    first, second = _updates(X, y, syn0, syn1)
    return -first, -second
'''


def test_no_hidden_input_reaches_a_visible_output(tmp_path):
    folder = tmp_path / "spy"
    folder.mkdir()
    with open(os.path.join(SOLUTIONS, "trask.py")) as handle:
        source = handle.read() + SPY
    (folder / "trask.py").write_text(source)
    results = tmp_path / "results.json"
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=%s" % folder,
                          "--hidden", "-q", "-k", "trask", "--results-json", str(results)],
                         cwd=KIT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 1, run.stdout[-2000:]
    tests = json.loads(results.read_text())["tests"]
    visible = [test for test in tests if test["visibility"] == "visible"]
    assert any("SEEN" in test["output"] for test in visible), "the spy printed nothing"
    drawn = spec.load("trask").drawn(draws.salt_of((folder / "trask.py").read_bytes()))
    secret = [" ".join("%.6f" % v for v in np.ravel(np.asarray(case.input["x"], float)))
              for case in drawn.cases if case.hidden and case.function == "nonlin"]
    assert secret
    for test in visible:
        for numbers in secret:
            assert numbers not in test["output"], (test["name"], numbers)
