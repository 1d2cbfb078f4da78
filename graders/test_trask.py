"""Grader procedures for trask.py (iamtrask, "A Neural Network in 11 lines of Python")."""

import numpy as np

from graders import checks
from graders.submission import describe_call


def two_layer_loss(X, y, syn0):
    """The kit's own loss for the 2-layer net: 0.5 * sum((y - l1)^2)."""
    return 0.5 * np.sum((y - checks.sigmoid(X @ syn0)) ** 2)


def three_layer_loss(X, y, syn0, syn1):
    """The kit's own loss for the 3-layer net: 0.5 * sum((y - l2)^2)."""
    return 0.5 * np.sum((y - checks.sigmoid(checks.sigmoid(X @ syn0) @ syn1)) ** 2)


def test_nonlin(case, student, reference):
    x, deriv = case.array("x"), case.input["deriv"]
    what = describe_call("trask.nonlin", (x,), {"deriv": deriv})

    def run(impl):
        return impl.call("trask.nonlin", x, deriv=deriv)

    actual = checks.real_array(run(student), what, [x.shape])
    expected = run(reference) if case.from_solutions else case.expected
    checks.close(actual, expected, case.tolerance, what)


def test_two_layer_update(case, student):
    X, y, syn0 = case.array("X"), case.array("y"), case.array("syn0")
    what = describe_call("trask.two_layer_update", (X, y, syn0), {})
    update = checks.real_array(student.call("trask.two_layer_update", X, y, syn0), what,
                               [syn0.shape])
    numeric = -checks.numerical_gradient(lambda w: two_layer_loss(X, y, w), syn0)
    checks.gradient(update, numeric, case.tolerance, what, "syn0 (update = -dL/dsyn0)")


def test_three_layer_updates(case, student):
    X, y = case.array("X"), case.array("y")
    syn0, syn1 = case.array("syn0"), case.array("syn1")
    what = describe_call("trask.three_layer_updates", (X, y, syn0, syn1), {})
    result = checks.sequence(student.call("trask.three_layer_updates", X, y, syn0, syn1), 2, what)
    update0 = checks.real_array(result[0], what + "[0] (syn0_update)", [syn0.shape])
    update1 = checks.real_array(result[1], what + "[1] (syn1_update)", [syn1.shape])
    numeric0 = -checks.numerical_gradient(lambda w: three_layer_loss(X, y, w, syn1), syn0)
    numeric1 = -checks.numerical_gradient(lambda w: three_layer_loss(X, y, syn0, w), syn1)
    checks.gradient(update1, numeric1, case.tolerance, what, "syn1 (update = -dL/dsyn1)")
    checks.gradient(update0, numeric0, case.tolerance, what, "syn0 (update = -dL/dsyn0)")


def _training_arguments(case, weight_names):
    X, y = case.array("X"), case.array("y")
    kwargs = {key: value for key, value in case.input.items()
              if key not in ("X", "y") + weight_names}
    kwargs.update({name: case.array(name) for name in weight_names if name in case.input})
    return X, y, kwargs


def test_train_two_layer(case, student, reference):
    X, y, kwargs = _training_arguments(case, ("syn0",))
    what = describe_call("trask.train_two_layer", (X, y), kwargs)

    def run(impl):
        result = impl.once(case.key, lambda: impl.call("trask.train_two_layer", X, y, **kwargs))
        syn0, l1 = checks.sequence(result, 2, what)
        return {"syn0": checks.real_array(syn0, what + "[0] (syn0)", [(X.shape[1], y.shape[1])]),
                "l1": checks.real_array(l1, what + "[1] (l1)", [y.shape])}

    actual = run(student)
    expected = run(reference) if case.from_solutions else case.expected
    for key in expected:
        checks.close(actual[key], expected[key], case.tolerance, "%s: %s" % (what, key))


def test_train_three_layer(case, student, reference):
    X, y, kwargs = _training_arguments(case, ("syn0", "syn1"))
    what = describe_call("trask.train_three_layer", (X, y), kwargs)
    hidden = kwargs.get("hidden", 4)
    reports = -(-kwargs.get("iterations", 60000) // kwargs.get("report_every", 10000))

    def run(impl):
        result = impl.once(case.key, lambda: impl.call("trask.train_three_layer", X, y, **kwargs))
        syn0, syn1, errors = checks.sequence(result, 3, what)
        return {"syn0": checks.real_array(syn0, what + "[0] (syn0)", [(X.shape[1], hidden)]),
                "syn1": checks.real_array(syn1, what + "[1] (syn1)", [(hidden, y.shape[1])]),
                "errors": checks.number_list(errors, reports, what + "[2] (errors)")}

    actual = run(student)
    expected = run(reference) if case.from_solutions else case.expected
    for key in expected:
        checks.close(actual[key], expected[key], case.tolerance, "%s: %s" % (what, key))
