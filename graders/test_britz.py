"""Grader procedures for britz.py (Denny Britz, "Implementing a Neural Network from Scratch")."""

import functools
import re

import numpy as np

from graders.grading import checks
from graders.grading import diagnose
from graders.grading.networks import (backprop as kit_backprop, case_data, classify, dataset,
                                      forward, gradient, shapes_of, slope_mistake,
                                      start as kit_start, strict_model, total_loss)
from graders.model.i18n import _
from graders.model.spec import reads
from graders.sandbox.submission import describe_call

# What build_model prints (checks.printed_lines): the iteration, then the loss.
LOSS_LINE = re.compile(r"^Loss after iteration (\d+): (\S+)$")
MODEL = {"W1": "array(D, H)", "b1": "array(1, H)", "W2": "array(H, C)", "b2": "array(1, C)"}
# The moons, or the case's own points X (N, D) with integer labels y (N,).
DATA = {"data?": "=moons", "X?": "array(N, D)", "y?": "array(N)"}
# The tutorial's 200 make_moons points, shipped in spec/data/.
moons = functools.partial(dataset, "britz_moons.csv")


def data(case):
    """X (N, D) and integer labels y (N,): the moons, or the case's own points."""
    return case_data(case, {"moons": "britz_moons.csv"})


def model_of(case):
    return {name: case.array(name) for name in ("W1", "b1", "W2", "b2")}


@reads(input=dict(MODEL, reg_lambda="number", **DATA), expected=("number", "=solutions"))
def test_calculate_loss(case, student, reference):
    model, (X, y), reg = model_of(case), data(case), case.input["reg_lambda"]
    what = describe_call("britz.calculate_loss", (model, X, y), {"reg_lambda": reg})

    def run(impl):
        return impl.call("britz.calculate_loss", model, X, y, reg_lambda=reg)

    actual = checks.real_number(run(student), what)
    expected = run(reference) if case.from_solutions else case.expected
    unregularised = total_loss(model, X, y, 0) / len(X)
    def other_loss():
        """label-indexing (probs[:, y]) or wrong-axis (the softmax over axis 0)."""
        scores = np.tanh(X @ model["W1"] + np.reshape(model["b1"], (1, -1))) @ model["W2"] + \
            np.reshape(model["b2"], (1, -1))
        penalty = reg / 2 * (np.sum(model["W1"] ** 2) + np.sum(model["W2"] ** 2))
        over_samples = np.exp(scores) / np.exp(scores).sum(axis=0, keepdims=True)
        losses = {"label-indexing-loss": -np.sum(np.log(forward(model, X)[:, y])),
                  "wrong-axis-softmax": -np.sum(np.log(over_samples[np.arange(len(X)), y]))}
        others = (expected, expected * len(X), expected / len(X))  # what ratio() tells
        for sentence, loss in losses.items():
            predicted = (loss + penalty) / len(X)
            if diagnose.same(actual, predicted) and not any(
                    diagnose.same(predicted, other) for other in others):
                return diagnose.simple(sentence.split("-loss")[0].replace("-softmax", ""),
                                       diagnose.name(case), sentence)
        return None

    def ratio():
        """A ratio of one number is weak evidence: it must hold at a model of the kit's own."""
        found = diagnose.ratio({"": (actual, expected)}, diagnose.name(case), len(X))
        rng = np.random.RandomState(2015)
        probe = {name: rng.randn(*np.shape(value)) for name, value in model.items()}
        again = checks.real_number(student.call("britz.calculate_loss", probe, X, y,
                                                reg_lambda=reg), what)
        same = diagnose.ratio({"": (again, total_loss(probe, X, y, reg) / len(X))},
                              diagnose.name(case), len(X))
        return found if found and same and same.code == found.code else None

    checks.close(actual, expected, case.tolerance, what, diagnosis=lambda: diagnose.first(
        other_loss, ratio,
        lambda: diagnose.missing_term({"loss": (actual, expected)}, {"loss": unregularised},
                                      diagnose.name(case))))


@reads(input=dict(MODEL, X="array(N, D)"), expected=("array(N)", "=solutions"))
def test_predict(case, student, reference):
    model, X = model_of(case), case.array("X")
    what = describe_call("britz.predict", (model, X), {})

    def run(impl):
        return impl.call("britz.predict", model, X)

    probabilities = forward(model, X)

    def as_probabilities(value):
        """probabilities-not-classes: the softmax output, all of it or one column of it."""
        value = np.asarray(value, float)
        whole = diagnose.same(value, probabilities)
        part = value.shape == (len(X),) and any(diagnose.same(value, column) for column in (
            *probabilities.T, probabilities.max(axis=1)))
        if whole or part:
            return diagnose.simple("probabilities-not-classes", diagnose.name(case))
        if value.shape != (len(X),) and diagnose.same(value, np.argmax(probabilities, axis=0)):
            return diagnose.simple("wrong-axis", diagnose.name(case), "wrong-axis-argmax")
        return None

    actual = checks.real_array(run(student), what, [(len(X),)], diagnosis=as_probabilities)
    expected = run(reference) if case.from_solutions else case.expected
    checks.close(actual, expected, case.tolerance, what,
                 diagnosis=lambda: as_probabilities(actual))


@reads(input=dict(MODEL, reg_lambda="number", **DATA), expected="=numerical gradient")
def test_backprop(case, student):
    model, (X, y), reg = model_of(case), data(case), case.input["reg_lambda"]
    what = describe_call("britz.backprop", (model, X, y), {"reg_lambda": reg})
    shapes = shapes_of([X.shape[1], model["W1"].shape[1], model["W2"].shape[1]])
    name = diagnose.name(case)
    right, wrong_axis = kit_backprop(model, X, y, reg)

    def summed_wrong(parameter, value):
        if parameter in wrong_axis and diagnose.same(np.ravel(value), wrong_axis[parameter]):
            return diagnose.simple("wrong-axis", name, parameters="d" + parameter,
                                   got=value.shape)
        return None

    grads = strict_model(student.call("britz.backprop", model, X, y, reg_lambda=reg), shapes, what,
                         summed_wrong)
    pairs = {"%s (of N x calculate_loss)" % name: (grads[name].reshape(model[name].shape),
                                                   gradient(model, X, y, reg, name))
             for name in ("W2", "b2", "W1", "b1")}

    def equal(other):
        return all(diagnose.same(np.ravel(grads[n]), np.ravel(other[n])) for n in other)

    def other_computation():
        """label-indexing or forward-mismatch: the gradients of a slip the kit computes."""
        for labels in ("label-indexing", "label-indexing-rows"):
            if equal(kit_backprop(model, X, y, reg, labels)[0]):
                return diagnose.simple("label-indexing", name, labels)
        for bias in ("b1", "b2"):
            if equal(kit_backprop(dict(model, **{bias: 0 * model[bias]}), X, y, reg)[0]):
                return diagnose.simple("forward-mismatch", name, "forward-term", term=bias)
        return None

    checks.gradients(pairs, case.tolerance, what, lambda: diagnose.first(
        other_computation,
        lambda: diagnose.ratio(pairs, diagnose.name(case), len(X)),
        lambda: diagnose.missing_term(pairs, {"%s (of N x calculate_loss)" % name: gradient(
            model, X, y, 0, name) for name in ("W2", "b2", "W1", "b1")}, diagnose.name(case)),
        lambda: diagnose.zero_biases(pairs, diagnose.name(case),
                                     lambda name: name.startswith("b")),
        lambda: _slope(student, model, X[:1], y[:1], shapes, diagnose.name(case))))


def _slope(student, model, x, y, shapes, what):
    """A wrong slope of tanh, from the gradients of one sample x (1, D) with reg_lambda=0."""
    grads = strict_model(student.call("britz.backprop", model, x, y, reg_lambda=0), shapes, what)
    return slope_mistake(grads, model, x, y, "tanh", what)


@reads(input=dict(DATA, **{"nn_hdim": "integer", "num_passes?": "integer", "epsilon?": "number",
                           "reg_lambda?": "number", "print_loss?": "bool", "seed?": "integer"}),
       expected=({"training_accuracy?": "number", "printed_loss?": {
           "from": "integer", "to": "integer", "value?": "number", "low?": "number",
           "high?": "number"}}, "=solutions"))
def test_build_model(case, student, reference, curve):
    (X, y), settings = data(case), dict(case.input)
    for key in ("data", "X", "y"):
        settings.pop(key, None)
    what = describe_call("britz.build_model", (X, y), settings)
    shapes = shapes_of([X.shape[1], settings["nn_hdim"], int(y.max()) + 1])

    def run(impl):
        """The returned model and the printed text; the model is checked where it is used."""
        return impl.once(case.key, lambda: impl.call_printing(
            "britz.build_model", X, y, **settings))

    returned, printed = run(student)
    curve.record("printed_losses", lambda: sorted(
        (iteration, checks.printed_loss(line, LOSS_LINE, what))
        for iteration, line in checks.printed_lines(printed, LOSS_LINE).items()))
    curve.record("model", lambda: strict_model(returned, shapes, what))
    found = lambda: training_mistake(student, X, y, settings, shapes, diagnose.name(case))  # noqa: E731
    if case.from_solutions:
        model, reference_model = strict_model(returned, shapes, what), run(reference)[0]
        for name in shapes:
            checks.close(model[name].reshape(shapes[name][0]), reference_model[name].reshape(
                shapes[name][0]), case.tolerance, "%s[%r]" % (what, name), diagnosis=found)
        return
    expected = case.expected
    if "training_accuracy" in expected:
        model = strict_model(returned, shapes, what)
        accuracy = float(np.mean(np.argmax(forward(model, X), axis=1) == y))
        checks.close(accuracy, expected["training_accuracy"], case.tolerance,
                     what + ": training accuracy of the returned model", diagnosis=found)
    if "printed_loss" in expected:
        band = expected["printed_loss"]
        lines = checks.printed_lines(printed, LOSS_LINE)
        for iteration in range(band["from"], band["to"] + 1, 1000):
            if iteration not in lines:
                checks.fail(_("%s printed no 'Loss after iteration %d: ...' line.")
                            % (what, iteration))
            loss = checks.printed_loss(lines[iteration], LOSS_LINE, what)
            label = _("%s: printed loss at iteration %d") % (what, iteration)
            if "value" in band:
                checks.close(loss, band["value"], case.tolerance, label,
                             diagnosis=found)
            else:
                checks.between(loss, band["low"], band["high"], label,
                               diagnosis=found)


def training_mistake(student, X, y, settings, shapes, what):
    """What is wrong with build_model, from its starting model (num_passes=0) and one step
    (num_passes=1): seed-at-import or seed-ignored (one step after other seeds and numpy
    states), starting-weights, learning-rate-twice or learning-rate-ignored."""
    seed = settings.get("seed", 0)
    short = dict(settings, print_loss=False, num_passes=0)

    def model(state, **changes):
        student.seed("britz", state)
        returned = student.call("britz.build_model", X, y, **dict(short, **changes))
        found = strict_model(returned, shapes, what)
        return [found[name].reshape(shapes[name][0]) for name in shapes]

    code = diagnose.seed_use([model(1000, num_passes=1), model(1000, num_passes=1,
                                                               seed=seed + 1),
                              model(2000, num_passes=1)])  # the tutorial's loop sets the model
    if code:
        return diagnose.simple(code, what)
    start = model(1000)
    right = kit_start(X, y, settings["nn_hdim"], seed)
    if not diagnose.same(np.concatenate([np.ravel(v) for v in start]), np.concatenate(
            [np.ravel(right[name]) for name in shapes])):
        return diagnose.simple("starting-weights", what, quantity=_(
            "the model build_model returns with num_passes=0"), draw=_(
            "np.random.seed(seed), then W1 = np.random.randn(D, nn_hdim) / np.sqrt(D), b1 = "
            "zeros, W2 = np.random.randn(nn_hdim, C) / np.sqrt(nn_hdim), b2 = zeros"))
    epsilon, reg = settings.get("epsilon", 0.01), settings.get("reg_lambda", 0.01)
    after = dict(zip(shapes, model(1000, num_passes=1)))
    grads = {n: np.reshape(g, right[n].shape) for n, g in kit_backprop(right, X, y, reg)[0].items()}
    step = {n: right[n] - epsilon * grads[n] for n in shapes}
    stale = kit_backprop(right, X, y, reg, through=step["W2"])[0]  # W2 updated first
    if all(diagnose.same(after[n], step[n]) for n in ("W2", "b2")) and diagnose.same(
            after["W1"], right["W1"] - epsilon * stale["W1"]) and not diagnose.same(
            after["W1"], step["W1"]):
        return diagnose.simple("stale-weights", what)
    unchanged = [n for n in ("b1", "b2") if np.array_equal(after[n], right[n])]
    if unchanged and all(diagnose.same(after[n], step[n]) for n in ("W1", "W2")):
        return diagnose.simple("missing-bias-gradient", what, "missing-bias-update",
                               parameters=", ".join(unchanged))
    rate = diagnose.step_rate([right[n] for n in shapes], [after[n] for n in shapes],
                              [grads[n] for n in shapes])
    return diagnose.rate(rate, epsilon, 0.01, what)


# -- what the rest of the kit reads from this module (graders/grading/tutorial.py) ----------

HELPERS = {}  # Britz's four functions use none of each other

CURVE = ("printed_losses", "iteration", "loss")


def boundaries(recorded):
    """{figure title: [(panel title, X, y, classify)]} of what a report draws for this module:
    the decision boundary of the trained network on the moons."""
    if not isinstance(recorded.get("model"), dict):
        return {}
    return {_("britz: decision boundary"): [("", *moons(), classify(recorded["model"]))]}


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    return {"britz (20000 passes)": lambda m: m.build_model(*moons(), 3)}
