"""The contract's helpers, as the kit's stand-ins for a student's failed ones.

Copied into the sandbox beside worker.py (like wire.py). Each tutorial's grader names its
helpers and what stands in for each (`HELPERS` in graders/test_<module>.py, read by
graders/grading/roots.py); the grader sends a stand-in's source, and `build` turns it into a
function here, with numpy and this file's functions at hand and nothing else. A stand-in is
exactly what the contract's docstring tells a student (a sigmoid, its slope, a mean squared
error, a forward pass): nothing secret travels, and the worker still never sees an expected
value. Standard library and numpy only.
"""

import numpy as np


def sigmoid(x):
    """1 / (1 + e^(-x)), written so that it never overflows."""
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def slope_at_input(x):
    """The sigmoid's slope at its input x: f(x) * (1 - f(x))."""
    fx = sigmoid(x)
    return fx * (1 - fx)


def mse_loss(y_true, y_pred):
    """Mean squared error."""
    return float(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2))


def namespace():
    """The only globals a stand-in has: numpy as np and the functions above."""
    return {"np": np, "sigmoid": sigmoid, "slope_at_input": slope_at_input,
            "mse_loss": mse_loss}


def build(function, source):
    """The function named `function` that `source` (one stand-in's text, from the grader)
    defines, with namespace() as its globals."""
    found = namespace()
    exec(compile(source, "<stand-in %s>" % function, "exec"), found)  # noqa: S102
    return found[function]
