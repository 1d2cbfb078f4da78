"""Grader procedures for britz_exercises.py (the five exercises of Denny Britz's tutorial)."""

import numpy as np

from graders.grading import calls
from graders.grading import checks
from graders.grading import diagnose
from graders.grading import networks
from graders.grading.networks import (classify, exact_model, gradient, layer_ratio, layers,
                                      shapes_of, sizes_of, slope_mistake, total_loss)
from graders.model.i18n import _
from graders.model.spec import reads
from graders.sandbox.stand_ins import sigmoid, slope_at_input
from graders.sandbox.submission import describe_call
from graders.grading.helpers import Helper

ACTIVATION = ("=tanh", "=sigmoid", "=relu", "=leaky_relu")
MODEL = networks.model_kinds(4)  # the deepest network a case may give: W1, b1, ..., W4, b4
# The moons of Britz's tutorial, the three blobs of exercise 4, or the case's own points.
DATA = {"data?": ("=moons", "=blobs"), "X?": "array(N, 2)", "y?": "array(N)"}
FILES = {"moons": "britz_moons.csv", "blobs": "britz_exercises_blobs.csv"}


def data(case):
    return networks.case_data(case, FILES)


def model_of(case):
    return {name: case.array(name) for name in case.input if name[0] in "Wb" and name[1:].isdigit()}


def settings(case, *left_out):
    return {key: value for key, value in case.input.items()
            if key not in ("data", "X", "y") + left_out}


# -- the procedures --------------------------------------------------------------------------

@reads(input={"z": "array(N, H)", "activation": ACTIVATION}, expected=("array(N, H)", "=solutions"))
def test_activate(case, student, reference):
    calls.array_call(case, student, reference, "britz_exercises.activate",
                     (case.array("z"), case.input["activation"]), {}, [case.array("z").shape])


@reads(input={"z": "array(N, H)", "activation": ACTIVATION}, expected=("array(N, H)", "=solutions"))
def test_activation_slope(case, student, reference):
    calls.array_call(case, student, reference, "britz_exercises.activation_slope",
                     (case.array("z"), case.input["activation"]), {}, [case.array("z").shape])


@reads(input={"layer_sizes": ["integer"], "seed?": "integer"},
       expected=({"W1": "array(D, H1)", "W2?": "array(H1, H2)", "W3?": "array(H2, H3)",
                  "W4?": "array(H3, H4)"}, "=solutions"))
def test_init_model(case, student, reference):
    sizes, kwargs = case.input["layer_sizes"], settings(case, "layer_sizes")
    what = describe_call("britz_exercises.init_model", (sizes,), kwargs)
    model = exact_model(student.call("britz_exercises.init_model", sizes, **kwargs),
                         shapes_of(sizes), what)
    expected = calls.expected(case, lambda impl: impl.call(
        "britz_exercises.init_model", sizes, **kwargs), reference)
    for name in sorted(shapes_of(sizes)):
        if name.startswith("b"):
            checks.close(model[name], np.zeros(model[name].shape), case.tolerance,
                         "%s[%r]" % (what, name))
        elif name in expected:
            checks.close(model[name], np.reshape(expected[name], model[name].shape),
                         case.tolerance, "%s[%r]" % (what, name),
                         diagnosis=lambda: _seed_ignored(student, sizes, kwargs, model, what))


def _seed_ignored(student, sizes, kwargs, model, what):
    """Whether another seed gives exactly the same weights."""
    again = exact_model(student.call("britz_exercises.init_model", sizes, **dict(
        kwargs, seed=kwargs.get("seed", 0) + 1)), shapes_of(sizes), what)
    if all(np.array_equal(model[name], again[name]) for name in model):
        return diagnose.simple("seed-ignored", what)
    return None


@reads(input=dict(MODEL, X="array(N, 2)", **{"activation?": ACTIVATION}),
       expected=("array(N, C)", "=solutions"))
def test_forward(case, student, reference):
    model, X, kwargs = model_of(case), case.array("X"), settings(case, *model_of(case))
    classes = model["W%d" % layers(model)].shape[1]
    calls.array_call(case, student, reference, "britz_exercises.forward", (model, X), kwargs,
                     [(len(X), classes)])


@reads(input=dict(MODEL, X="array(N, 2)", **{"activation?": ACTIVATION}),
       expected=("array(N)", "=solutions"))
def test_predict(case, student, reference):
    model, X, kwargs = model_of(case), case.array("X"), settings(case, *model_of(case))
    calls.array_call(case, student, reference, "britz_exercises.predict", (model, X), kwargs,
                     [(len(X),)])


@reads(input=dict(MODEL, reg_lambda="number", **DATA, **{"activation?": ACTIVATION}),
       expected=("number", "=solutions"))
def test_calculate_loss(case, student, reference):
    model, (X, y) = model_of(case), data(case)
    kwargs = settings(case, *model)
    what = describe_call("britz_exercises.calculate_loss", (model, X, y), kwargs)

    def run(impl):
        return impl.call("britz_exercises.calculate_loss", model, X, y, **kwargs)

    actual = checks.real_number(run(student), what)
    expected = calls.expected(case, run, reference)
    activation = kwargs.get("activation", "tanh")
    unregularised = total_loss(model, X, y, 0, activation) / len(X)
    checks.close(actual, expected, case.tolerance, what, diagnosis=lambda: diagnose.first(
        lambda: diagnose.ratio({"": (actual, expected)}, diagnose.name(case), len(X)),
        lambda: diagnose.missing_term({"loss": (actual, expected)}, {"loss": unregularised},
                                      diagnose.name(case))))


@reads(input=dict(MODEL, reg_lambda="number", **DATA, **{"activation?": ACTIVATION}),
       expected="=numerical gradient")
def test_backprop(case, student):
    model, (X, y) = model_of(case), data(case)
    kwargs = settings(case, *model)
    reg, activation = kwargs["reg_lambda"], kwargs.get("activation", "tanh")
    what = describe_call("britz_exercises.backprop", (model, X, y), kwargs)
    shapes = shapes_of(sizes_of(model))
    grads = exact_model(student.call("britz_exercises.backprop", model, X, y, **kwargs),
                         shapes, what)
    order = sorted(model, key=lambda name: (-int(name[1:]), name[0] == "b"))  # output first

    def numeric(reg_lambda, x=X, labels=y):
        return {name: gradient(model, x, labels, reg_lambda, name, activation) for name in order}

    exact = numeric(reg)
    label = "%s (of N x calculate_loss)"
    pairs = {label % name: (grads[name], exact[name]) for name in order}
    parameters = {label % name: name for name in order}
    checks.gradients(pairs, case.tolerance, what, lambda: diagnose.first(
        lambda: layer_ratio(pairs, diagnose.name(case), len(X), parameters),
        lambda: diagnose.missing_term(pairs, {label % name: value for name, value in numeric(
            0).items()}, diagnose.name(case)),
        lambda: diagnose.zero_biases(pairs, diagnose.name(case),
                                     lambda name: name.startswith("b")),
        lambda: _slope(student, model, X[:1], y[:1], activation, shapes, diagnose.name(case))))


def _slope(student, model, x, y, activation, shapes, what):
    """A wrong slope of tanh or the sigmoid (one hidden layer), from one sample's gradients."""
    if layers(model) != 2 or activation not in diagnose.TRUE_SLOPE:
        return None
    return slope_mistake(exact_model(student.call(
        "britz_exercises.backprop", model, x, y, reg_lambda=0, activation=activation), shapes,
        what), model, x, y, activation, what)


@reads(input={"epsilon0": "number", "decay": "number", "steps": "array(T)"},
       expected=("array(T)", "=solutions"))
def test_learning_rate(case, student, reference):
    epsilon0, decay, steps = case.input["epsilon0"], case.input["decay"], case.input["steps"]

    def run(impl):
        return [impl.call("britz_exercises.learning_rate", epsilon0, decay, int(t))
                for t in steps]

    actual = [checks.real_number(value, describe_call("britz_exercises.learning_rate",
                                                      (epsilon0, decay, int(t)), {}))
              for value, t in zip(run(student), steps)]
    what = "britz_exercises.learning_rate(%r, %r, t) for t in %s" % (epsilon0, decay, steps)
    checks.close(actual, calls.expected(case, run, reference), case.tolerance, what)


@reads(input={"order": "array(N)", "batch_size": "integer"},
       expected=([["integer"]], "=solutions"))
def test_batches(case, student, reference):
    order, size = np.array(case.input["order"], dtype=np.int64), case.input["batch_size"]
    what = describe_call("britz_exercises.batches", (order, size), {})

    def run(impl):
        return impl.call("britz_exercises.batches", order, size)

    networks.same_batches(run(student), calls.expected(case, run, reference), order, size,
                          case.tolerance, what)


TRAIN = {"layer_sizes": ["integer"], "epochs": "integer", "batch_size": "integer",
         "epsilon?": "number", "decay?": "number", "reg_lambda?": "number",
         "activation?": ACTIVATION, "seed?": "integer"}
BAND = {"low": "number", "high": "number"}


@reads(input=dict(DATA, **TRAIN),
       expected=({"epochs_logged?": "integer", "final_loss?": BAND, "training_accuracy?": BAND,
                  "loss_drop?": "number"}, "=solutions"))
def test_train(case, student, reference, curve):
    (X, y), kwargs = data(case), settings(case)
    what = describe_call("britz_exercises.train", (X, y), kwargs)
    sizes = kwargs["layer_sizes"]
    shapes = shapes_of(sizes)

    def run(impl):
        return impl.once(case.key, lambda: impl.call("britz_exercises.train", X, y, **kwargs))

    returned = checks.sequence(run(student), 2, what)
    curve.record("losses", lambda: returned[1])
    if "data" in case.input:  # drawn over the data it was trained on
        curve.record("model on " + case.input["data"], lambda: exact_model(
            returned[0], shapes, what))
    losses = checks.number_list(returned[1], kwargs["epochs"], what + _(": the losses"))
    model = exact_model(returned[0], shapes, what)
    if case.from_solutions:
        networks.same_training(model, losses, run(reference), shapes, case.tolerance, what)
    else:
        networks.training_in_bands(model, losses, case.expected, X, y, kwargs, what)


@reads(input=dict(DATA, hidden_sizes=["integer"], **{"epochs?": "integer", "batch_size?": "integer",
                                                     "epsilon?": "number", "seed?": "integer"}),
       expected=({"low": "array(S)", "high": "array(S)"}, "=solutions"))
def test_hidden_size_study(case, student, reference, curve):
    (X, y), kwargs = data(case), settings(case, "hidden_sizes")
    hidden = case.input["hidden_sizes"]
    what = describe_call("britz_exercises.hidden_size_study", (X, y, hidden), kwargs)
    classes = int(y.max()) + 1

    def run(impl):
        return impl.call("britz_exercises.hidden_size_study", X, y, hidden, **kwargs)

    returned = checks.sequence(run(student), len(hidden), what)
    models = [exact_model(model, shapes_of([2, size, classes]), "%s[%d]" % (what, i))
              for i, (model, size) in enumerate(zip(returned, hidden))]
    curve.record("models", lambda: dict(zip(map(str, hidden), models)))
    bands = None if case.from_solutions else (case.expected_array("low"),
                                              case.expected_array("high"))
    networks.accuracies_in_bands(models, X, y, hidden, bands, lambda: run(reference),
                                 case.tolerance.atol, what)


# -- what the rest of the kit reads from this module (graders/grading/tutorial.py) ----------

def activate_stand_in(z, activation):
    """The contract's activate: tanh, sigmoid, relu, or leaky_relu (0.01 * z for z <= 0)."""
    z, leak = np.asarray(z, dtype=float), {"relu": 0.0, "leaky_relu": 0.01}
    if activation in leak:
        return np.where(z > 0, z, leak[activation] * z)
    return np.tanh(z) if activation == "tanh" else sigmoid(z)


def activation_slope_stand_in(z, activation):
    """The contract's activation_slope at the input z (relu's and leaky_relu's at 0: z < 0's)."""
    z, leak = np.asarray(z, dtype=float), {"relu": 0.0, "leaky_relu": 0.01}
    if activation in leak:
        return np.where(z > 0, 1.0, leak[activation])
    return 1.0 - np.tanh(z) ** 2 if activation == "tanh" else slope_at_input(z)


def learning_rate_stand_in(epsilon0, decay, t):
    """The contract's schedule: epsilon0 / (1 + decay * t)."""
    return epsilon0 * 1.0 / (1.0 + t * decay)


def batches_stand_in(order, batch_size):
    """The contract's minibatches: order cut into pieces of batch_size, the last one short."""
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


TRAINING = ("train", "hidden_size_study")  # hidden_size_study trains with train
HELPERS = {"activate": Helper(activate_stand_in, ("forward", "calculate_loss", "predict",
                                                         "backprop") + TRAINING),
           "activation_slope": Helper(activation_slope_stand_in, ("backprop",) + TRAINING),
           "learning_rate": Helper(learning_rate_stand_in, TRAINING),
           "batches": Helper(batches_stand_in, TRAINING)}

CURVE = ("losses", "epoch", "loss")


def boundaries(recorded):
    """{figure title: [(panel title, X, y, classify)]} of what a report draws for this module:
    each network trained on a shipped data set, and one network per hidden size on the moons."""
    found = {}
    for name in sorted(FILES):
        if isinstance(recorded.get("model on " + name), dict):
            found[_("britz_exercises: decision boundary on %s") % name] = [
                ("", *networks.dataset(FILES[name]), classify(recorded["model on " + name]))]
    if isinstance(recorded.get("models"), dict):
        found[_("britz_exercises: hidden layer sizes")] = [
            (_("hidden layer of %s") % size, *networks.dataset(FILES["moons"]), classify(model))
            for size, model in recorded["models"].items()]
    return found


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    moons, blobs = (networks.dataset(FILES[name]) for name in ("moons", "blobs"))
    return {"britz_exercises train (200 epochs)": lambda m: m.train(
                *moons, [2, 3, 2], epochs=200, batch_size=32),
            "britz_exercises study (7 sizes)": lambda m: m.hidden_size_study(
                *moons, [1, 2, 3, 4, 5, 20, 50]),
            "britz_exercises three classes": lambda m: m.train(
                *blobs, [2, 5, 3], epochs=200, batch_size=32)}
