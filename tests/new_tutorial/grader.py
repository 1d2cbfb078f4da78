"""Grader procedures for onelayer.py, a one-layer softmax classifier: the kit's test of a
tutorial of a new shape, copied into a copy of the kit as graders/test_onelayer.py
(tests/test_new_tutorial.py)."""

import numpy as np

from graders.grading import checks
from graders.model.spec import reads
from graders.sandbox.submission import describe_call
from graders.grading.helpers import Helper


@reads(input={"scores": "array(N, C)"}, expected=("array(N, C)", "=solutions"))
def test_softmax(case, student, reference):
    scores = case.array("scores")
    what = describe_call("onelayer.softmax", (scores,), {})

    def run(impl):
        return impl.call("onelayer.softmax", scores)

    actual = checks.real_array(run(student), what, [scores.shape])
    checks.close(actual, run(reference) if case.from_solutions else case.expected,
                 case.tolerance, what)


@reads(input={"W": "array(D, C)", "b": "array(C)", "X": "array(N, D)"},
       expected=("array(N, C)", "=solutions"))
def test_probabilities(case, student, reference):
    W, b, X = case.array("W"), case.array("b"), case.array("X")
    what = describe_call("onelayer.probabilities", (W, b, X), {})

    def run(impl):
        return impl.call("onelayer.probabilities", W, b, X)

    actual = checks.real_array(run(student), what, [(len(X), len(b))])
    checks.close(actual, run(reference) if case.from_solutions else case.expected,
                 case.tolerance, what)


@reads(input={"X": "array(N, D)", "y": "array(N)", "classes": "integer", "epochs": "integer",
              "rate": "number"}, expected=("array(E)", "=solutions"))
def test_train(case, student, reference, curve):
    X, y = case.array("X"), np.array(case.input["y"], dtype=np.int64)
    classes, kwargs = case.input["classes"], {k: case.input[k] for k in ("epochs", "rate")}
    what = describe_call("onelayer.train", (X, y, classes), kwargs)

    def run(impl):
        return impl.once(case.key, lambda: impl.call("onelayer.train", X, y, classes, **kwargs))

    returned = checks.sequence(run(student), 3, what)
    curve.record("losses", lambda: returned[2])
    losses = checks.number_list(returned[2], kwargs["epochs"], what)
    checks.close(losses, run(reference)[2] if case.from_solutions else case.expected,
                 case.tolerance, what)


# -- what the rest of the kit reads from this module (graders/grading/tutorial.py) ----------

def softmax_stand_in(scores):
    """The contract's softmax of each row."""
    exp = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    return exp / np.sum(exp, axis=1, keepdims=True)


HELPERS = {"softmax": Helper(softmax_stand_in, ("probabilities", "train"))}

CURVE = ("losses", "epoch", "cross-entropy")


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    return {"onelayer (2000 epochs)": lambda m: m.train(X, np.array([0, 1, 1, 2]), 3,
                                                        epochs=2000)}
