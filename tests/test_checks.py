"""The grader's own checks: strict types, honest tolerances, messages that teach."""

import re

import numpy as np
import pytest

from graders.grading import checks
from graders.sandbox import wire
from graders.model.spec import Tolerance

Failed = pytest.fail.Exception
GRADIENT = Tolerance(rtol=1e-4, atol=1e-7)


def loss(w):
    return 0.5 * np.sum((np.tanh(w) - 0.3) ** 2)


def true_gradient(w):
    return (np.tanh(w) - 0.3) * (1 - np.tanh(w) ** 2)


def test_numerical_gradient_matches_the_analytic_one():
    w = np.random.default_rng(0).normal(size=(3, 2))
    numeric = checks.numerical_gradient(loss, w)
    checks.gradients({"w": (true_gradient(w), numeric)}, GRADIENT, "demo")


@pytest.mark.parametrize("factor, ratio", [(2.0, "2"), (-1.0, "-1"), (0.5, "0.5")])
def test_gradient_mistakes_are_named_with_their_ratio(factor, ratio):
    w = np.random.default_rng(1).normal(size=(3, 2))
    with pytest.raises(Failed) as failure:
        checks.gradients({"W1": (factor * true_gradient(w), checks.numerical_gradient(loss, w))},
                         GRADIENT, "demo")
    assert "the gradient is wrong for 1 of 1 parameters" in failure.value.msg
    assert re.search(r"^  W1\s+\(\d, \d\)\s+\S+\s+\S+\s+%s$" % re.escape(ratio),
                     failure.value.msg, re.M)


def test_a_gradient_failure_lists_each_wrong_parameter_once_and_no_right_one():
    w = np.random.default_rng(2).normal(size=(2, 2))
    right, numeric = true_gradient(w), checks.numerical_gradient(loss, w)
    pairs = {"W1": (2 * right, numeric), "b1": (right, numeric), "W2": (-right, numeric)}
    with pytest.raises(Failed) as failure:
        checks.gradients(pairs, GRADIENT, "demo")
    rows = [line.split()[0] for line in failure.value.msg.splitlines()[1:-1]]
    assert rows == ["parameter", "W1", "W2"]
    assert "the gradient is wrong for 2 of 3 parameters" in failure.value.msg


def test_an_output_one_update_late_is_named():
    with pytest.raises(Failed, match="is one update late"):
        checks.close([1.0, 2.0], [1.5, 2.5], Tolerance(0, 1e-9), "f(x)", late=[1.0, 2.0])
    with pytest.raises(Failed) as failure:
        checks.close([1.0, 2.0], [1.5, 2.5], Tolerance(0, 1e-9), "f(x)", late=[1.2, 2.0])
    assert "late" not in failure.value.msg


def test_numerical_gradient_restores_its_input():
    w = np.array([0.1, -0.2])
    checks.numerical_gradient(loss, w)
    assert np.array_equal(w, [0.1, -0.2])


@pytest.mark.parametrize("value", [True, "0.5", None, float("nan"), float("inf"), [0.5],
                                   np.array(0.5), wire.Unsupported("float subclass Cheat")])
def test_real_number_refuses_everything_but_finite_numbers(value):
    with pytest.raises(Failed):
        checks.real_number(value, "f(x)")


@pytest.mark.parametrize("value, problem", [
    ([[0.5]], "a list"),
    (np.zeros((2, 1)), "shape (2, 1)"),
    (np.array([[np.nan]]), "NaN or inf"),
    (np.array([["a"]]), "dtype <U1"),
    (wire.Unsupported("ndarray subclass Cheat"), "ndarray subclass Cheat"),
])
def test_real_array_refuses_wrong_kinds_and_says_why(value, problem):
    with pytest.raises(Failed, match=problem.replace("(", r"\(").replace(")", r"\)")):
        checks.real_array(value, "f(x)", [(1, 1)])


def test_close_reports_worst_index_and_tolerance():
    with pytest.raises(Failed) as failure:
        checks.close([1.0, 2.0, 3.5], [1.0, 2.0, 3.0], Tolerance(0, 0.1), "f(x)")
    assert "index (2,): got 3.5, expected 3.0 (rtol=0, atol=0.1); 1 of 3" in failure.value.msg


def test_close_uses_absolute_tolerance_near_zero():
    checks.close([1e-12], [0.0], Tolerance(1e-9, 1e-10), "f(x)")
    with pytest.raises(Failed):
        checks.close([1e-12], [0.0], Tolerance(1e-9, 0), "f(x)")
