"""Grader procedures for trask.py (iamtrask, "A Neural Network in 11 lines of Python")."""

import numpy as np

from graders.grading import checks
from graders.grading import diagnose
from graders.grading.sigmoid_networks import (kit_run, one_step, one_update_later, probe_weights,
                                              three_layer_loss, two_layer_loss)
from graders.model.i18n import _
from graders.model.spec import reads
from graders.sandbox.submission import describe_call
from graders.sandbox.stand_ins import sigmoid
from graders.grading.helpers import Helper

DATA = {"X": "array(N, D)", "y": "array(N, K)"}
SEED_ITERATIONS = 2  # the trainings that tell how a function uses its seed (seed_use)


@reads(input={"x": "array(M)", "deriv": "bool"}, expected=("array(M)", "=solutions"))
def test_nonlin(case, student, reference):
    x, deriv = case.array("x"), case.input["deriv"]
    what = describe_call("trask.nonlin", (x,), {"deriv": deriv})

    def run(impl):
        return impl.call("trask.nonlin", x, deriv=deriv)

    actual = checks.real_array(run(student), what, [x.shape])
    expected = run(reference) if case.from_solutions else case.expected
    checks.close(actual, expected, case.tolerance, what, diagnosis=lambda: deriv and
                 diagnose.helper_slope(actual, x, "output", diagnose.name(case)))


@reads(input=dict(DATA, syn0="array(D, K)"), expected="=numerical gradient")
def test_two_layer_update(case, student):
    X, y, syn0 = case.array("X"), case.array("y"), case.array("syn0")
    what = describe_call("trask.two_layer_update", (X, y, syn0), {})
    update = student.call_leaving("trask.two_layer_update", ("X", "y", "syn0"), X, y, syn0)
    update = checks.real_array(update, what, [syn0.shape], samples=len(X))
    numeric = -checks.numerical_gradient(lambda w: two_layer_loss(X, y, w), syn0)
    pairs = {"syn0 (update = -dL/dsyn0)": (update, numeric)}
    checks.gradients(pairs, case.tolerance, what, lambda: diagnose.first(
        lambda: diagnose.ratio(pairs, diagnose.name(case), len(X)),
        lambda: _slope(student, "trask.two_layer_update", X[:1], y[:1], (syn0,),
                       diagnose.name(case))))


@reads(input=dict(DATA, syn0="array(D, H)", syn1="array(H, K)"), expected="=numerical gradient")
def test_three_layer_updates(case, student):
    X, y = case.array("X"), case.array("y")
    syn0, syn1 = case.array("syn0"), case.array("syn1")
    what = describe_call("trask.three_layer_updates", (X, y, syn0, syn1), {})
    result = checks.sequence(student.call_leaving(
        "trask.three_layer_updates", ("X", "y", "syn0", "syn1"), X, y, syn0, syn1), 2, what)
    update0 = checks.real_array(result[0], what + "[0] (syn0_update)", [syn0.shape])
    update1 = checks.real_array(result[1], what + "[1] (syn1_update)", [syn1.shape])
    numeric0 = -checks.numerical_gradient(lambda w: three_layer_loss(X, y, w, syn1), syn0)
    numeric1 = -checks.numerical_gradient(lambda w: three_layer_loss(X, y, syn0, w), syn1)
    pairs = {"syn0 (update = -dL/dsyn0)": (update0, numeric0),
             "syn1 (update = -dL/dsyn1)": (update1, numeric1)}
    stale = one_step(X, y, syn0, syn1, stale=True)

    def through_new_syn1():
        if diagnose.same(update0, stale[2] - syn0) and diagnose.same(update1, stale[3] - syn1):
            return diagnose.simple("stale-weights", diagnose.name(case))
        return None

    checks.gradients(pairs, case.tolerance, what, lambda: diagnose.first(
        through_new_syn1,
        lambda: diagnose.ratio(pairs, diagnose.name(case), len(X)),
        lambda: _slope(student, "trask.three_layer_updates", X[:1], y[:1], (syn0, syn1),
                       diagnose.name(case))))


def _slope(student, function, x, y, weights, what):
    """A wrong slope, from the updates of one sample x (1, D) with one output (y (1, 1)).

    Each entry of the last layer's update passes through the output's slope; an entry
    syn0[i, j] of the 3-layer net also through hidden unit j's.
    """
    if y.shape[1] != 1:
        return None
    losses = {1: two_layer_loss, 2: three_layer_loss}[len(weights)]
    updates = student.call(function, x, y, *weights)
    updates = [updates] if len(weights) == 1 else checks.sequence(updates, 2, what)
    found, units = [], {}
    layer_input = x
    for number, w in enumerate(weights):
        z = (layer_input @ w)[0]
        o = checks.sigmoid(z)
        layer = "output" if number == len(weights) - 1 else "hidden"
        units.update({(number, j): (layer, z[j], o[j]) for j in range(len(z))})
        layer_input = o[None, :]
    output = (len(weights) - 1, 0)
    for number, w in enumerate(weights):
        update = checks.real_array(updates[number], what, [w.shape])

        def loss(v, number=number):
            return losses(x, y, *[v if k == number else other for k, other in enumerate(weights)])
        numeric = -checks.numerical_gradient(loss, w)
        found += diagnose.entries(update, numeric, lambda i, number=number: [output] + (
            [(number, i[1])] if number < len(weights) - 1 else []))
    return diagnose.slope(found, units, "sigmoid", what)


def _training_arguments(case, weight_names):
    X, y = case.array("X"), case.array("y")
    kwargs = {key: value for key, value in case.input.items()
              if key not in ("X", "y") + weight_names}
    kwargs.update({name: case.array(name) for name in weight_names if name in case.input})
    return X, y, kwargs


def _outputs(impl, case, call, names, strict, what):
    """The named outputs of one shared training run, each checked only when a case reads it.

    call: (function, X, y, kwargs); strict: {name: function(value, label) -> array}, the
    format each output must have. The training must leave its arguments as they were: it
    starts from copies of the weights it is given.
    """
    function, X, y, kwargs = call
    result = checks.sequence(impl.once(case.key, lambda: impl.call_leaving(
        function, ("X", "y"), X, y, **kwargs)), len(names), what)
    return {name: (lambda i=i, name=name: strict[name](result[i], "%s[%d] (%s)" % (
        what, i, name))) for i, name in enumerate(names)}


@reads(input=dict(DATA, **{"iterations?": "integer", "seed?": "integer", "syn0?": "array(D, K)"}),
       expected=({"syn0?": "array(D, K)", "l1?": "array(N, K)"}, "=solutions"))
def test_train_two_layer(case, student, reference):
    X, y, kwargs = _training_arguments(case, ("syn0",))
    what = describe_call("trask.train_two_layer", (X, y), kwargs)
    strict = {"syn0": lambda v, label: checks.real_array(v, label, [(X.shape[1], y.shape[1])],
                                                        samples=len(X)),
              "l1": lambda v, label: checks.real_array(v, label, [y.shape], samples=len(X))}

    def run(impl):
        return _outputs(impl, case, ("trask.train_two_layer", X, y, kwargs), ("syn0", "l1"),
                        strict, what)

    actual = run(student)
    expected = ({key: get() for key, get in run(reference).items()} if case.from_solutions
                else case.expected)
    for key in expected:
        late = one_update_later(X, y, np.asarray(expected[key], float)) if key == "l1" else None
        checks.close(actual[key](), expected[key], case.tolerance, "%s: %s" % (what, key),
                     late=late, diagnosis=lambda: seed_use(
                         student, "trask.train_two_layer", X, y, kwargs, diagnose.name(case)))


@reads(input=dict(DATA, **{"hidden?": "integer", "iterations?": "integer", "seed?": "integer",
                           "report_every?": "integer", "syn0?": "array(D, H)",
                           "syn1?": "array(H, K)"}),
       expected=({"syn0?": "array(D, H)", "syn1?": "array(H, K)", "errors?": "array(R)"},
                 "=solutions"))
def test_train_three_layer(case, student, reference, curve):
    X, y, kwargs = _training_arguments(case, ("syn0", "syn1"))
    what = describe_call("trask.train_three_layer", (X, y), kwargs)
    hidden = kwargs.get("hidden", 4)
    reports = -(-kwargs.get("iterations", 60000) // kwargs.get("report_every", 10000))
    name = diagnose.name(case)
    strict = {"syn0": lambda v, label: checks.real_array(v, label, [(X.shape[1], hidden)]),
              "syn1": lambda v, label: checks.real_array(v, label, [(hidden, y.shape[1])]),
              "errors": lambda v, label: checks.number_list(
                  v, reports, label, lambda: state_shared(student, X, y, hidden, name))}

    def run(impl):
        return _outputs(impl, case, ("trask.train_three_layer", X, y, kwargs),
                        ("syn0", "syn1", "errors"), strict, what)

    actual = run(student)
    curve.record("errors", actual["errors"])
    expected = ({key: get() for key, get in run(reference).items()} if case.from_solutions
                else case.expected)
    weights = [key for key in ("syn0", "syn1") if key in expected]
    for key in sorted(expected, key=lambda key: key == "errors"):  # the weights first
        remark = (lambda: checks.trained_right({w: (actual[w](), expected[w], case.tolerance)
                                                for w in weights})) if weights else None
        checks.close(actual[key](), expected[key], case.tolerance, "%s: %s" % (what, key),
                     diagnosis=lambda key=key: diagnose.first(  # a failed short seed run
                         lambda: _abs_missing(actual, key, name),  # leaves the next rule to run
                         lambda: checks.recognise(lambda: seed_use(
                             student, "trask.train_three_layer", X, y, kwargs, name)),
                         lambda: _short_run(student, X, y, hidden, name, "errors" in expected
                                           and (actual["errors"]()[0], expected["errors"][0],
                                                case.tolerance))),
                     remark=remark if key == "errors" else None)


def seed_use(student, function, X, y, kwargs, what):
    """seed-ignored or seed-at-import, from training three times: after the same numpy state
    with another seed, and with the same seed after another state (graders/grading/diagnose.py).
    The weights a seed draws show after SEED_ITERATIONS: the trainings are that short, not
    the case's own length (train_three_layer's 60000 iterations take about 0.9 s)."""
    if any(name in kwargs for name in ("syn0", "syn1")):
        return None
    seed = kwargs.get("seed", 1)
    runs = []
    for state, given in ((1000, seed), (1000, seed + 1), (2000, seed)):
        student.seed("trask", state)
        result = checks.sequence(student.call(function, X, y, **dict(
            kwargs, seed=given, iterations=SEED_ITERATIONS)),
                                 3 if function.endswith("three_layer") else 2, what)
        runs.append([np.asarray(value) for value in result[:-1]])
    code = diagnose.seed_use(runs)
    return code and diagnose.simple(code, what)


def _abs_missing(actual, key, what):
    """abs-missing: a recorded mean absolute error below zero."""
    if key == "errors" and np.any(actual["errors"]() < 0):
        return diagnose.simple("abs-missing", what, quantity="errors")
    return None


def _short_run(student, X, y, hidden, what, first):
    """What is wrong with train_three_layer, from 3 iterations from the kit's own weights,
    recording every 2nd (iterations 0 and 2): stale-weights from its weights; abs-missing,
    mean-vs-sum or one-update-late from what it records; or, when all of that is right and
    the case's first error (recorded before any update) is off, starting-weights.

    first: (the case's errors[0], the expected one, tolerance) where the case has errors.
    """
    syn0, syn1 = probe_weights(X, y, hidden)
    result = checks.sequence(student.call("trask.train_three_layer", X, y, hidden=hidden,
                                          iterations=3, report_every=2, syn0=syn0, syn1=syn1),
                             3, what)
    got = [checks.real_array(result[0], what, [syn0.shape]),
           checks.real_array(result[1], what, [syn1.shape])]
    recorded = checks.number_list(result[2], 2, what)
    *fresh, errors = kit_run(X, y, syn0, syn1, 3)
    if not diagnose.same(np.concatenate([np.ravel(w) for w in got]),
                         np.concatenate([np.ravel(w) for w in fresh])):
        stale = kit_run(X, y, syn0, syn1, 3, stale=True)[:2]
        if all(diagnose.same(g, w) for g, w in zip(got, stale)):
            return diagnose.simple("stale-weights", what)
        return None
    kept = {"right": [errors[0][0], errors[2][0]],
            "abs-missing": [errors[0][1], errors[2][1]],
            "abs-of-mean": [abs(errors[0][1]), abs(errors[2][1])],
            "mean-vs-sum": [len(X) * errors[0][0], len(X) * errors[2][0]],
            "one-update-late": [errors[1][0], errors[3][0]]}
    found = [code for code, values in kept.items() if diagnose.same(recorded, values)]
    if found and found[0] != "right":
        code = found[0].replace("abs-of-mean", "abs-missing")
        return diagnose.simple(code, what, "one-update-late-record" if code == "one-update-late"
                               else None, quantity="errors", ratio="%g" % len(X))
    if found and first and abs(first[0] - first[1]) > first[2].atol + first[2].rtol * abs(
            first[1]):
        return diagnose.simple("starting-weights", what, quantity="errors[0]", draw=_(
            "np.random.seed(seed), then syn0 = 2*np.random.random((D, hidden)) - 1, then "
            "syn1 = 2*np.random.random((hidden, K)) - 1"))
    return None


def state_shared(student, X, y, hidden, what):
    """state-shared: two equal short trainings whose error lists differ (a list kept between
    calls)."""
    syn0, syn1 = probe_weights(X, y, hidden)
    lists = [checks.sequence(student.call("trask.train_three_layer", X, y, hidden=hidden,
                                          iterations=2, report_every=1, syn0=syn0, syn1=syn1),
                             3, what)[2] for _ in range(2)]
    if isinstance(lists[0], list) and isinstance(lists[1], list) and len(lists[1]) > len(
            lists[0]):
        return diagnose.simple("state-shared", what, quantity="errors")
    return None


# -- what the rest of the kit reads from this module (graders/grading/tutorial.py) ----------

def nonlin_stand_in(x, deriv=False):
    """trask's nonlin: the sigmoid, or with deriv=True the slope x * (1 - x) at an output x."""
    return x * (1 - x) if deriv else sigmoid(x)


HELPERS = {"nonlin": Helper(nonlin_stand_in, (
    "two_layer_update", "train_two_layer", "three_layer_updates", "train_three_layer"))}


CURVE = ("errors", "report", "mean |error|")


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float)
    return {"trask XOR (60000 iterations)": lambda m: m.train_three_layer(
                X, np.array([[0, 1, 1, 0]], dtype=float).T),
            "trask 2-layer (10000)": lambda m: m.train_two_layer(
                X, np.array([[0, 0, 1, 1]], dtype=float).T)}
