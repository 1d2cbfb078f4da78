"""Grader procedures for britz_exercises.py (the five exercises of Denny Britz's tutorial)."""

import os

import numpy as np

from graders.grading import checks
from graders.grading import diagnose
from graders.grading import roots
from graders.model import spec
from graders.model.i18n import _
from graders.model.spec import reads
from graders.sandbox.stand_ins import sigmoid, slope_at_input
from graders.sandbox.submission import describe_call

ACTIVATION = ("=tanh", "=sigmoid", "=relu", "=leaky_relu")
LEAK = 0.01
LAYERS = 4  # the deepest network a case may give: W1, b1, ..., W4, b4
DIMS = ["D", "H1", "H2", "H3", "H4"]
# W1 (D, H1), b1 (1, H1), then W2 ... W4 where the network has them.
MODEL = {"W%d%s" % (l, "" if l == 1 else "?"): "array(%s, %s)" % (DIMS[l - 1], DIMS[l])
         for l in range(1, LAYERS + 1)}
MODEL.update({"b%d%s" % (l, "" if l == 1 else "?"): "array(1, %s)" % DIMS[l]
              for l in range(1, LAYERS + 1)})
# The moons of Britz's tutorial, the three blobs of exercise 4, or the case's own points.
DATA = {"data?": ("=moons", "=blobs"), "X?": "array(N, 2)", "y?": "array(N)"}
FILES = {"moons": "britz_moons.csv", "blobs": "britz_exercises_blobs.csv"}


def dataset(name):
    """X (N, 2) and integer labels y (N,) of a data set shipped in spec/data/."""
    table = np.loadtxt(os.path.join(spec.SPEC_DIR, "data", FILES[name]), delimiter=",",
                       comments="#", skiprows=4)
    return table[:, :2], table[:, 2].astype(np.int64)


def data(case):
    if "data" in case.input:
        return dataset(case.input["data"])
    return case.array("X"), np.array(case.input["y"], dtype=np.int64)


def model_of(case):
    return {name: case.array(name) for name in case.input if name[0] in "Wb" and name[1:].isdigit()}


def layers(model):
    return len(model) // 2


def shapes_of(sizes):
    """{parameter: [accepted shape]} of a network with layer sizes [D, H1, ..., C]."""
    shapes = {}
    for l in range(1, len(sizes)):
        shapes["W%d" % l] = [(sizes[l - 1], sizes[l])]
        shapes["b%d" % l] = [(1, sizes[l]), (sizes[l],)]
    return shapes


def sizes_of(model):
    return [model["W1"].shape[0]] + [model["W%d" % l].shape[1] for l in range(1, layers(model) + 1)]


def strict_model(value, shapes, what):
    value = checks.mapping(value, shapes, what)
    return {name: checks.real_array(value[name], "%s[%r]" % (what, name), shapes[name]).reshape(
        shapes[name][0]) for name in shapes}


# -- the kit's own network: trusted, for gradients and accuracies ---------------------------

def activate(z, activation):
    return {"tanh": np.tanh, "sigmoid": checks.sigmoid, "relu": lambda v: np.maximum(v, 0),
            "leaky_relu": lambda v: np.where(v > 0, v, LEAK * v)}[activation](z)


def forward(model, X, activation="tanh"):
    """Softmax probabilities (N, C) of the network `model`."""
    a = X
    for l in range(1, layers(model) + 1):
        z = a @ model["W%d" % l] + np.reshape(model["b%d" % l], (1, -1))
        a = activate(z, activation) if l < layers(model) else z
    exp_scores = np.exp(a - a.max(axis=1, keepdims=True))
    return exp_scores / exp_scores.sum(axis=1, keepdims=True)


def total_loss(model, X, y, reg_lambda, activation):
    """N x calculate_loss: summed cross-entropy plus reg_lambda / 2 * every |W|^2."""
    probs = forward(model, X, activation)
    penalty = sum(np.sum(model["W%d" % l] ** 2) for l in range(1, layers(model) + 1))
    return -np.sum(np.log(probs[np.arange(len(X)), y])) + reg_lambda / 2 * penalty


def accuracy(model, X, y):
    return float(np.mean(np.argmax(forward(model, X), axis=1) == y))


def settings(case, *left_out):
    return {key: value for key, value in case.input.items()
            if key not in ("data", "X", "y") + left_out}


def expected_or_reference(case, run, reference):
    return run(reference) if case.from_solutions else case.expected


# -- the procedures --------------------------------------------------------------------------

@reads(input={"z": "array(N, H)", "activation": ACTIVATION}, expected=("array(N, H)", "=solutions"))
def test_activate(case, student, reference):
    _elementwise(case, student, reference, "britz_exercises.activate")


@reads(input={"z": "array(N, H)", "activation": ACTIVATION}, expected=("array(N, H)", "=solutions"))
def test_activation_slope(case, student, reference):
    _elementwise(case, student, reference, "britz_exercises.activation_slope")


def _elementwise(case, student, reference, function):
    z, activation = case.array("z"), case.input["activation"]
    what = describe_call(function, (z, activation), {})
    actual = checks.real_array(student.call(function, z, activation), what, [z.shape])
    expected = expected_or_reference(case, lambda impl: impl.call(function, z, activation),
                                     reference)
    checks.close(actual, expected, case.tolerance, what)


@reads(input={"layer_sizes": ["integer"], "seed?": "integer"},
       expected=({"W1": "array(D, H1)", "W2?": "array(H1, H2)", "W3?": "array(H2, H3)",
                  "W4?": "array(H3, H4)"}, "=solutions"))
def test_init_model(case, student, reference):
    sizes, kwargs = case.input["layer_sizes"], settings(case, "layer_sizes")
    what = describe_call("britz_exercises.init_model", (sizes,), kwargs)
    model = strict_model(student.call("britz_exercises.init_model", sizes, **kwargs),
                         shapes_of(sizes), what)
    expected = expected_or_reference(case, lambda impl: impl.call(
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
    again = strict_model(student.call("britz_exercises.init_model", sizes, **dict(
        kwargs, seed=kwargs.get("seed", 0) + 1)), shapes_of(sizes), what)
    if all(np.array_equal(model[name], again[name]) for name in model):
        return diagnose.simple("seed-ignored", what)
    return None


@reads(input=dict(MODEL, X="array(N, 2)", **{"activation?": ACTIVATION}),
       expected=("array(N, C)", "=solutions"))
def test_forward(case, student, reference):
    model, X, kwargs = model_of(case), case.array("X"), settings(case, *model_of(case))
    what = describe_call("britz_exercises.forward", (model, X), kwargs)

    def run(impl):
        return impl.call("britz_exercises.forward", model, X, **kwargs)

    classes = model["W%d" % layers(model)].shape[1]
    actual = checks.real_array(run(student), what, [(len(X), classes)])
    checks.close(actual, expected_or_reference(case, run, reference), case.tolerance, what)


@reads(input=dict(MODEL, X="array(N, 2)", **{"activation?": ACTIVATION}),
       expected=("array(N)", "=solutions"))
def test_predict(case, student, reference):
    model, X, kwargs = model_of(case), case.array("X"), settings(case, *model_of(case))
    what = describe_call("britz_exercises.predict", (model, X), kwargs)

    def run(impl):
        return impl.call("britz_exercises.predict", model, X, **kwargs)

    actual = checks.real_array(run(student), what, [(len(X),)])
    checks.close(actual, expected_or_reference(case, run, reference), case.tolerance, what)


@reads(input=dict(MODEL, reg_lambda="number", **DATA, **{"activation?": ACTIVATION}),
       expected=("number", "=solutions"))
def test_calculate_loss(case, student, reference):
    model, (X, y) = model_of(case), data(case)
    kwargs = settings(case, *model)
    what = describe_call("britz_exercises.calculate_loss", (model, X, y), kwargs)

    def run(impl):
        return impl.call("britz_exercises.calculate_loss", model, X, y, **kwargs)

    actual = checks.real_number(run(student), what)
    expected = expected_or_reference(case, run, reference)
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
    grads = strict_model(student.call("britz_exercises.backprop", model, X, y, **kwargs),
                         shapes, what)
    order = sorted(model, key=lambda name: (-int(name[1:]), name[0] == "b"))  # output first

    def numeric(reg_lambda, x=X, labels=y):
        return {name: gradient(model, x, labels, reg_lambda, activation, name) for name in order}

    exact = numeric(reg)
    label = "%s (of N x calculate_loss)"
    pairs = {label % name: (grads[name], exact[name]) for name in order}
    checks.gradients(pairs, case.tolerance, what, lambda: diagnose.first(
        lambda: _layer_ratio(pairs, diagnose.name(case), len(X)),
        lambda: diagnose.missing_term(pairs, {label % name: value for name, value in numeric(
            0).items()}, diagnose.name(case)),
        lambda: diagnose.zero_biases(pairs, diagnose.name(case),
                                     lambda name: name.startswith("b")),
        lambda: _slope(student, model, X[:1], y[:1], activation, shapes, diagnose.name(case))))


def gradient(model, X, y, reg_lambda, activation, name):
    """Central differences of the kit's N x calculate_loss in parameter `name`."""
    return checks.numerical_gradient(lambda value: total_loss(
        dict(model, **{name: value}), X, y, reg_lambda, activation), model[name])


def _layer_ratio(pairs, what, samples):
    """One ratio shared by every gradient, or by every gradient that is off (one layer's)."""
    found = diagnose.ratio(pairs, what, samples)
    if found is not None:
        return found
    off = {name: pair for name, pair in pairs.items()
           if not np.allclose(pair[0], pair[1], rtol=1e-4, atol=1e-7)}
    if off and len(off) < len(pairs):
        return diagnose.ratio(off, "%s (%s)" % (what, ", ".join(
            name.split()[0] for name in off)), samples)
    return None


def _slope(student, model, x, y, activation, shapes, what):
    """A wrong slope of tanh or the sigmoid, from one sample's gradients with reg_lambda=0, in
    a network with one hidden layer: W1[i, j] and b1[j] pass through hidden unit j's slope."""
    if layers(model) != 2 or activation not in diagnose.TRUE_SLOPE:
        return None
    grads = strict_model(student.call("britz_exercises.backprop", model, x, y, reg_lambda=0,
                                      activation=activation), shapes, what)
    z = (x @ model["W1"] + np.reshape(model["b1"], (1, -1)))[0]
    found = []
    for name in ("W2", "b2", "W1", "b1"):
        numeric = gradient(model, x, y, 0, activation, name)
        found += diagnose.entries(grads[name], numeric, lambda i: (
            [i[-1]] if name in ("W1", "b1") else []))
    return diagnose.slope(found, {j: ("hidden", z[j], activate(z[j], activation))
                                  for j in range(len(z))}, activation, what)


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
    checks.close(actual, expected_or_reference(case, run, reference), case.tolerance, what)


@reads(input={"order": "array(N)", "batch_size": "integer"},
       expected=([["integer"]], "=solutions"))
def test_batches(case, student, reference):
    order, size = np.array(case.input["order"], dtype=np.int64), case.input["batch_size"]
    what = describe_call("britz_exercises.batches", (order, size), {})

    def run(impl):
        return impl.call("britz_exercises.batches", order, size)

    got = run(student)
    expected = expected_or_reference(case, run, reference)
    if not isinstance(got, (list, tuple)):
        checks.fail(_("%s returned %s, but the tests expected a list of index arrays.")
                    % (what, checks.kind_of(got)))
    if len(got) != len(expected):
        checks.fail(_("%s returned %d batches, but the tests expected %d: %d samples in batches "
                      "of %d, the last one holding the %d left over.")
                    % (what, len(got), len(expected), len(order), size, len(expected[-1])))
    for i, (batch, wanted) in enumerate(zip(got, expected)):
        label = "%s[%d]" % (what, i)
        batch = checks.real_array(np.asarray(batch) if isinstance(batch, list) else batch,
                                  label, [np.shape(wanted)])
        checks.close(batch, wanted, case.tolerance, label)


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
        curve.record("model on " + case.input["data"], lambda: strict_model(
            returned[0], shapes, what))
    losses = checks.number_list(returned[1], kwargs["epochs"], what + _(": the losses"))
    model = strict_model(returned[0], shapes, what)
    if case.from_solutions:
        ref_model, ref_losses = run(reference)
        for name in sorted(shapes):
            checks.close(model[name], np.reshape(ref_model[name], shapes[name][0]),
                         case.tolerance, "%s[%r]" % (what, name))
        checks.close(losses, ref_losses, case.tolerance, what + _(": the losses"))
        return
    expected, activation = case.expected, kwargs.get("activation", "tanh")
    if "final_loss" in expected:
        checks.between(losses[-1], expected["final_loss"]["low"], expected["final_loss"]["high"],
                       what + _(": the loss after the last epoch"))
        own = total_loss(model, X, y, kwargs.get("reg_lambda", 0.01), activation) / len(X)
        checks.close(losses[-1], own, spec.Tolerance(1e-6, 1e-9),
                     what + _(": the last loss, against calculate_loss of the returned model"))
    if "loss_drop" in expected:
        checks.between(losses[0] - losses[-1], expected["loss_drop"], None,
                       what + _(": how much the loss fell from the first epoch to the last"))
    if "training_accuracy" in expected:
        predicted = np.argmax(forward(model, X, activation), axis=1)
        checks.between(float(np.mean(predicted == y)), expected["training_accuracy"]["low"],
                       expected["training_accuracy"]["high"],
                       what + _(": training accuracy of the returned model"))


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
    models = [strict_model(model, shapes_of([2, size, classes]), "%s[%d]" % (what, i))
              for i, (model, size) in enumerate(zip(returned, hidden))]
    curve.record("models", lambda: dict(zip(map(str, hidden), models)))
    found = [accuracy(model, X, y) for model in models]
    if case.from_solutions:
        wanted = [accuracy(model, X, y) for model in run(reference)]
        band = case.tolerance.atol  # the band around the reference's accuracy
        low, high = np.array(wanted) - band, np.array(wanted) + band
    else:
        low, high = case.expected_array("low"), case.expected_array("high")
    for size, value, a, b in zip(hidden, found, low, high):
        checks.between(value, float(a), float(b),
                       _("%s: training accuracy with a hidden layer of %d") % (what, size))


# -- what the rest of the kit reads from this module (graders/grading/tutorial.py) ----------

def activate_stand_in(z, activation):
    """The contract's activate: tanh, sigmoid, relu, or leaky_relu (0.01 * z for z <= 0)."""
    z = np.asarray(z, dtype=float)
    if activation == "sigmoid":
        return sigmoid(z)
    return {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0),
            "leaky_relu": lambda v: np.where(v > 0, v, 0.01 * v)}[activation](z)


def activation_slope_stand_in(z, activation):
    """The contract's activation_slope at the input z (relu's and leaky_relu's at 0: z < 0's)."""
    z = np.asarray(z, dtype=float)
    if activation == "sigmoid":
        return slope_at_input(z)
    return {"tanh": lambda v: 1 - np.tanh(v) ** 2, "relu": lambda v: (v > 0).astype(float),
            "leaky_relu": lambda v: np.where(v > 0, 1.0, 0.01)}[activation](z)


def learning_rate_stand_in(epsilon0, decay, t):
    """The contract's schedule: epsilon0 / (1 + decay * t)."""
    return epsilon0 / (1 + decay * t)


def batches_stand_in(order, batch_size):
    """The contract's minibatches: order cut into pieces of batch_size, the last one short."""
    return [order[start:start + batch_size] for start in range(0, len(order), batch_size)]


TRAINING = ("train", "hidden_size_study")  # hidden_size_study trains with train
HELPERS = {
    "activate": roots.Helper(activate_stand_in, (
        "forward", "calculate_loss", "predict", "backprop") + TRAINING),
    "activation_slope": roots.Helper(activation_slope_stand_in, ("backprop",) + TRAINING),
    "learning_rate": roots.Helper(learning_rate_stand_in, TRAINING),
    "batches": roots.Helper(batches_stand_in, TRAINING),
}


CURVE = ("losses", "epoch", "loss")


def boundaries(recorded):
    """{figure title: [(panel title, X, y, classify)]} of what a report draws for this module:
    each network trained on a shipped data set, and one network per hidden size on the moons."""
    found = {}
    for name in sorted(FILES):
        if isinstance(recorded.get("model on " + name), dict):
            found[_("britz_exercises: decision boundary on %s") % name] = [
                ("", *dataset(name), _classify(recorded["model on " + name]))]
    if isinstance(recorded.get("models"), dict):
        found[_("britz_exercises: hidden layer sizes")] = [
            (_("hidden layer of %s") % size, *dataset("moons"), _classify(model))
            for size, model in recorded["models"].items()]
    return found


def _classify(model):
    model = {key: np.asarray(value, float) for key, value in model.items()}
    return lambda points: np.argmax(forward(model, points), axis=1)


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    moons, blobs = dataset("moons"), dataset("blobs")
    return {"britz_exercises train (200 epochs)": lambda m: m.train(
                *moons, [2, 3, 2], epochs=200, batch_size=32),
            "britz_exercises study (7 sizes)": lambda m: m.hidden_size_study(
                *moons, [1, 2, 3, 4, 5, 20, 50]),
            "britz_exercises three classes": lambda m: m.train(
                *blobs, [2, 5, 3], epochs=200, batch_size=32)}
