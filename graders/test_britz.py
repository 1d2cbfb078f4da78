"""Grader procedures for britz.py (Denny Britz, "Implementing a Neural Network from Scratch")."""

import os
import re

import numpy as np

from graders import checks, curves, diagnose, spec
from graders.i18n import _
from graders.spec import reads
from graders.submission import describe_call

LOSS_LINE = re.compile(r"^Loss after iteration (\d+): (\S+)$")
MODEL = {"W1": "array(D, H)", "b1": "array(1, H)", "W2": "array(H, C)", "b2": "array(1, C)"}
# The moons, or the case's own points X (N, D) with integer labels y (N,).
DATA = {"data?": "=moons", "X?": "array(N, D)", "y?": "array(N)"}


def moons():
    """The tutorial's 200 make_moons points, shipped in spec/data/britz_moons.csv."""
    table = np.loadtxt(os.path.join(spec.SPEC_DIR, "data", "britz_moons.csv"), delimiter=",",
                       comments="#", skiprows=4)
    return table[:, :2], table[:, 2].astype(np.int64)


def data(case):
    """X (N, D) and integer labels y (N,): the moons, or the case's own points."""
    if case.input.get("data") == "moons":
        return moons()
    return case.array("X"), np.array(case.input["y"], dtype=np.int64)


def model_of(case):
    return {name: case.array(name) for name in ("W1", "b1", "W2", "b2")}


def forward(model, X):
    """The kit's own forward pass: softmax probabilities (N, C)."""
    a1 = np.tanh(X @ model["W1"] + np.reshape(model["b1"], (1, -1)))
    scores = a1 @ model["W2"] + np.reshape(model["b2"], (1, -1))
    exp_scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp_scores / exp_scores.sum(axis=1, keepdims=True)


def total_loss(model, X, y, reg_lambda):
    """The kit's own N x calculate_loss: summed cross-entropy plus reg_lambda/2 * |W|^2."""
    probs = forward(model, X)
    data_loss = -np.sum(np.log(probs[np.arange(len(X)), y]))
    return data_loss + reg_lambda / 2 * (np.sum(model["W1"] ** 2) + np.sum(model["W2"] ** 2))


def model_shapes(n_in, hidden, n_out):
    """Accepted shapes per parameter: the tutorial's db1 is (H,) next to b1 of (1, H)."""
    return {"W1": [(n_in, hidden)], "b1": [(1, hidden), (hidden,)],
            "W2": [(hidden, n_out)], "b2": [(1, n_out), (n_out,)]}


def strict_model(value, shapes, what):
    value = checks.mapping(value, shapes, what)
    return {name: checks.real_array(value[name], "%s[%r]" % (what, name), shapes[name])
            for name in shapes}


@reads(input=dict(MODEL, reg_lambda="number", **DATA), expected=("number", "=solutions"))
def test_calculate_loss(case, student, reference):
    model, (X, y), reg = model_of(case), data(case), case.input["reg_lambda"]
    what = describe_call("britz.calculate_loss", (model, X, y), {"reg_lambda": reg})

    def run(impl):
        return impl.call("britz.calculate_loss", model, X, y, reg_lambda=reg)

    actual = checks.real_number(run(student), what)
    expected = run(reference) if case.from_solutions else case.expected
    unregularised = total_loss(model, X, y, 0) / len(X)
    checks.close(actual, expected, case.tolerance, what, diagnosis=lambda: diagnose.first(
        lambda: diagnose.ratio({"": (actual, expected)}, diagnose.name(case), len(X)),
        lambda: diagnose.missing_term({"loss": (actual, expected)}, {"loss": unregularised},
                                      diagnose.name(case))))


@reads(input=dict(MODEL, X="array(N, D)"), expected=("array(N)", "=solutions"))
def test_predict(case, student, reference):
    model, X = model_of(case), case.array("X")
    what = describe_call("britz.predict", (model, X), {})

    def run(impl):
        return impl.call("britz.predict", model, X)

    actual = checks.real_array(run(student), what, [(len(X),)])
    expected = run(reference) if case.from_solutions else case.expected
    checks.close(actual, expected, case.tolerance, what)


@reads(input=dict(MODEL, reg_lambda="number", **DATA), expected="=numerical gradient")
def test_backprop(case, student):
    model, (X, y), reg = model_of(case), data(case), case.input["reg_lambda"]
    what = describe_call("britz.backprop", (model, X, y), {"reg_lambda": reg})
    shapes = model_shapes(X.shape[1], model["W1"].shape[1], model["W2"].shape[1])
    grads = strict_model(student.call("britz.backprop", model, X, y, reg_lambda=reg), shapes, what)
    pairs = {"%s (of N x calculate_loss)" % name: (grads[name].reshape(model[name].shape),
                                                   gradient(model, X, y, reg, name))
             for name in ("W2", "b2", "W1", "b1")}
    checks.gradients(pairs, case.tolerance, what, lambda: diagnose.first(
        lambda: diagnose.ratio(pairs, diagnose.name(case), len(X)),
        lambda: diagnose.missing_term(pairs, {"%s (of N x calculate_loss)" % name: gradient(
            model, X, y, 0, name) for name in ("W2", "b2", "W1", "b1")}, diagnose.name(case)),
        lambda: diagnose.zero_biases(pairs, diagnose.name(case),
                                     lambda name: name.startswith("b")),
        lambda: _slope(student, model, X[:1], y[:1], shapes, diagnose.name(case))))


def gradient(model, X, y, reg_lambda, name):
    """Central differences of the kit's N x calculate_loss in parameter `name`."""
    return checks.numerical_gradient(
        lambda value: total_loss(dict(model, **{name: value}), X, y, reg_lambda), model[name])


def _slope(student, model, x, y, shapes, what):
    """A wrong slope of tanh, from the gradients of one sample x (1, D) with reg_lambda=0:
    W1[i, j] and b1[j] pass through hidden unit j's slope, W2 and b2 through none."""
    grads = strict_model(student.call("britz.backprop", model, x, y, reg_lambda=0), shapes, what)
    z = (x @ model["W1"] + np.reshape(model["b1"], (1, -1)))[0]
    found = []
    for name in ("W2", "b2", "W1", "b1"):
        numeric = gradient(model, x, y, 0, name)
        found += diagnose.entries(grads[name].reshape(numeric.shape), numeric, lambda i: (
            [i[-1]] if name in ("W1", "b1") else []))
    return diagnose.slope(found, {j: ("hidden", z[j], np.tanh(z[j])) for j in range(len(z))},
                          "tanh", what)


@reads(input=dict(DATA, **{"nn_hdim": "integer", "num_passes?": "integer", "epsilon?": "number",
                           "reg_lambda?": "number", "print_loss?": "bool", "seed?": "integer"}),
       expected=({"training_accuracy?": "number", "printed_loss?": {
           "from": "integer", "to": "integer", "value?": "number", "low?": "number",
           "high?": "number"}}, "=solutions"))
def test_build_model(case, student, reference):
    (X, y), settings = data(case), dict(case.input)
    for key in ("data", "X", "y"):
        settings.pop(key, None)
    what = describe_call("britz.build_model", (X, y), settings)
    shapes = model_shapes(X.shape[1], settings["nn_hdim"], int(y.max()) + 1)

    def run(impl):
        """The returned model and the printed text; the model is checked where it is used."""
        return impl.once(case.key, lambda: impl.call_printing(
            "britz.build_model", X, y, **settings))

    returned, printed = run(student)
    curves.record("printed_losses", lambda: sorted(
        (iteration, printed_loss(line, what)) for iteration, line in loss_lines(printed).items()))
    curves.record("model", lambda: strict_model(returned, shapes, what))
    if case.from_solutions:
        model, reference_model = strict_model(returned, shapes, what), run(reference)[0]
        for name in shapes:
            checks.close(model[name].reshape(shapes[name][0]), reference_model[name].reshape(
                shapes[name][0]), case.tolerance, "%s[%r]" % (what, name),
                diagnosis=lambda: seed_ignored(student, X, y, settings, model, shapes, case))
        return
    expected = case.expected
    if "training_accuracy" in expected:
        model = strict_model(returned, shapes, what)
        accuracy = float(np.mean(np.argmax(forward(model, X), axis=1) == y))
        checks.close(accuracy, expected["training_accuracy"], case.tolerance,
                     what + ": training accuracy of the returned model")
    if "printed_loss" in expected:
        band = expected["printed_loss"]
        lines = loss_lines(printed)
        for iteration in range(band["from"], band["to"] + 1, 1000):
            if iteration not in lines:
                checks.fail(_("%s printed no 'Loss after iteration %d: ...' line.")
                            % (what, iteration))
            loss = printed_loss(lines[iteration], what)
            label = _("%s: printed loss at iteration %d") % (what, iteration)
            if "value" in band:
                checks.close(loss, band["value"], case.tolerance, label)
            else:
                checks.between(loss, band["low"], band["high"], label)


def seed_ignored(student, X, y, settings, model, shapes, case):
    """Whether training with another seed gives exactly the same model."""
    if "seed" not in settings:
        return None
    again = strict_model(student.call("britz.build_model", X, y, **dict(
        settings, seed=settings["seed"] + 1)), shapes, diagnose.name(case))
    if all(np.array_equal(model[name], again[name]) for name in shapes):
        return diagnose.simple("seed-ignored", diagnose.name(case))
    return None


def loss_lines(printed):
    """{iteration: line} of the "Loss after iteration i: %f" lines build_model printed; each
    is read as a number only by the case that checks it, so a bad line fails that case alone."""
    lines = {}
    for line in printed.splitlines():
        match = LOSS_LINE.match(line.strip())
        if match:
            try:
                lines[int(match.group(1))] = line
            except ValueError:  # an iteration of more digits than int() reads: no case's
                pass
    return lines


def printed_loss(line, what):
    """The loss a "Loss after iteration i: %f" line says, if it is a finite number."""
    try:
        value = float(LOSS_LINE.match(line.strip()).group(2))
    except ValueError:
        checks.fail(_("%s printed %r, which is not a loss value.") % (what, line[:200]))
    return checks.real_number(value, "%s (printed %r)" % (what, line[:200]))


# -- what the kit draws and times from this module ---------------------------------------------

CURVE = ("printed_losses", "iteration", "loss")


def boundaries(recorded):
    """{figure title: [(panel title, X, y, classify)]} of what a report draws for this module:
    the decision boundary of the trained network on the moons."""
    if not isinstance(recorded.get("model"), dict):
        return {}
    model = {key: np.asarray(value, float) for key, value in recorded["model"].items()}
    return {_("britz: decision boundary"): [
        ("", *moons(), lambda points: np.argmax(forward(model, points), axis=1))]}


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    return {"britz (20000 passes)": lambda m: m.build_model(*moons(), 3)}
