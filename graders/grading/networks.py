"""The kit's own softmax networks, as Britz builds them: trusted code that the graders of
Britz's tutorial and of its exercises check a student's numbers against (gradients, losses,
accuracies, decision boundaries).

A network of any depth is a model dict W1, b1, ..., WL, bL (W{l} (n_in, n_out), b{l} of
(1, n_out) or (n_out,)); its hidden layers share one activation and its output is a softmax.
"""

import os

import numpy as np

from graders.grading import checks
from graders.grading import diagnose
from graders.model import spec
from graders.model.i18n import _

LEAK = 0.01  # leaky relu's slope below 0
ACTIVATIONS = {"tanh": np.tanh, "sigmoid": checks.sigmoid, "relu": lambda v: np.maximum(v, 0),
               "leaky_relu": lambda v: np.where(v > 0, v, LEAK * v)}


def dataset(file):
    """X (N, 2) and integer labels y (N,) of a data set shipped in spec/data/."""
    table = np.loadtxt(os.path.join(spec.SPEC_DIR, "data", file), delimiter=",",
                       comments="#", skiprows=4)
    return table[:, :2], table[:, 2].astype(np.int64)


def case_data(case, files):
    """X (N, D) and integer labels y (N,): the data set the case names (its `data`, a key of
    {name: file in spec/data/}), or the case's own points."""
    if case.input.get("data"):
        return dataset(files[case.input["data"]])
    return case.array("X"), np.array(case.input["y"], dtype=np.int64)


def model_kinds(deepest):
    """What a spec's model holds (graders/model/kinds.py): W1 (D, H1) and b1 (1, H1), then W2,
    b2 ... up to W{deepest}, b{deepest} where the network has them."""
    dims = ["D"] + ["H%d" % l for l in range(1, deepest + 1)]
    kinds = {"W%d%s" % (l, "" if l == 1 else "?"): "array(%s, %s)" % (dims[l - 1], dims[l])
             for l in range(1, deepest + 1)}
    kinds.update({"b%d%s" % (l, "" if l == 1 else "?"): "array(1, %s)" % dims[l]
                  for l in range(1, deepest + 1)})
    return kinds


def layers(model):
    return len(model) // 2


def shapes_of(sizes):
    """{parameter: [accepted shape]} of a network with layer sizes [D, H1, ..., C]: a bias
    gradient may be (H,), as the tutorial's db1 is, next to b1 of (1, H)."""
    shapes = {}
    for l in range(1, len(sizes)):
        shapes["W%d" % l] = [(sizes[l - 1], sizes[l])]
        shapes["b%d" % l] = [(1, sizes[l]), (sizes[l],)]
    return shapes


def sizes_of(model):
    return [model["W1"].shape[0]] + [model["W%d" % l].shape[1] for l in range(1, layers(model) + 1)]


def strict_model(value, shapes, what, diagnosis=None):
    """The mapping `value` with each parameter a real array of one of its `shapes`;
    diagnosis: a function (name, wrong-shaped value) that recognises a mistake in it."""
    value = checks.mapping(value, shapes, what)
    return {name: checks.real_array(value[name], "%s[%r]" % (what, name), shapes[name],
                                    diagnosis=diagnosis and (lambda v, name=name: diagnosis(
                                        name, v)))
            for name in shapes}


def exact_model(value, shapes, what):
    """strict_model, each parameter reshaped to its first accepted shape."""
    value = checks.mapping(value, shapes, what)
    return {name: checks.real_array(value[name], "%s[%r]" % (what, name), shapes[name]).reshape(
        shapes[name][0]) for name in shapes}


def activate(z, activation):
    return ACTIVATIONS[activation](z)


def forward(model, X, activation="tanh"):
    """Softmax probabilities (N, C) of the network `model`."""
    a = X
    for l in range(1, layers(model) + 1):
        z = a @ model["W%d" % l] + np.reshape(model["b%d" % l], (1, -1))
        a = activate(z, activation) if l < layers(model) else z
    exp_scores = np.exp(a - a.max(axis=1, keepdims=True))
    return exp_scores / exp_scores.sum(axis=1, keepdims=True)


def total_loss(model, X, y, reg_lambda, activation="tanh"):
    """N x calculate_loss: summed cross-entropy plus reg_lambda / 2 * every |W|^2."""
    probs = forward(model, X, activation)
    penalty = sum(np.sum(model["W%d" % l] ** 2) for l in range(1, layers(model) + 1))
    return -np.sum(np.log(probs[np.arange(len(X)), y])) + reg_lambda / 2 * penalty


def accuracy(model, X, y):
    return float(np.mean(np.argmax(forward(model, X), axis=1) == y))


def gradient(model, X, y, reg_lambda, name, activation="tanh"):
    """Central differences of the kit's N x calculate_loss in parameter `name`."""
    return checks.numerical_gradient(lambda value: total_loss(
        dict(model, **{name: value}), X, y, reg_lambda, activation), model[name])


def layer_ratio(pairs, what, samples, parameters):
    """One ratio shared by every gradient, or by every gradient that is off (one layer's);
    `parameters` names each pair's parameter ({label: "W2", ...}) for the sentence."""
    found = diagnose.ratio(pairs, what, samples)
    if found is not None:
        return found
    off = {name: pair for name, pair in pairs.items()
           if not np.allclose(pair[0], pair[1], rtol=1e-4, atol=1e-7)}
    if off and len(off) < len(pairs):
        return diagnose.ratio(off, "%s (%s)" % (what, ", ".join(
            parameters[name] for name in off)), samples)
    return None


def slope_mistake(grads, model, x, y, activation, what):
    """A wrong slope of tanh or the sigmoid, from a student's gradients `grads` of one sample
    x (1, D) with reg_lambda=0, in a network of one hidden layer: W1[i, j] and b1[j] pass
    through hidden unit j's slope, W2 and b2 through none."""
    z = (x @ model["W1"] + np.reshape(model["b1"], (1, -1)))[0]
    found = []
    for name in ("W2", "b2", "W1", "b1"):
        numeric = gradient(model, x, y, 0, name, activation)
        found += diagnose.entries(np.reshape(grads[name], numeric.shape), numeric, lambda i: (
            [i[-1]] if name in ("W1", "b1") else []))
    return diagnose.slope(found, {j: ("hidden", z[j], activate(z[j], activation))
                                  for j in range(len(z))}, activation, what)


def classify(model):
    """classify(points (M, 2)): the classes (M,) the network `model` (plain lists) gives."""
    model = {key: np.asarray(value, float) for key, value in model.items()}
    return lambda points: np.argmax(forward(model, points), axis=1)


# -- trained networks --------------------------------------------------------------------

def same_training(model, losses, reference, shapes, tolerance, what):
    """A training run that must match the reference's (model, losses) closely."""
    ref_model, ref_losses = reference
    for name in sorted(shapes):
        checks.close(model[name], np.reshape(ref_model[name], shapes[name][0]), tolerance,
                     "%s[%r]" % (what, name))
    checks.close(losses, ref_losses, tolerance, what + _(": the losses"))


def training_in_bands(model, losses, expected, X, y, kwargs, what):
    """A training run on the moons or blobs whose loss, loss drop and accuracy lie in the
    spec's bands (`expected`); its last loss must be calculate_loss of the returned model."""
    activation = kwargs.get("activation", "tanh")
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


def accuracies_in_bands(models, X, y, hidden, bands, reference, band, what):
    """Each model's training accuracy, one per hidden size, within bands: the spec's (low,
    high), or where those are None, `band` around the accuracies of reference()'s models."""
    found = [accuracy(model, X, y) for model in models]
    if bands is None:
        wanted = [accuracy(model, X, y) for model in reference()]
        bands = np.array(wanted) - band, np.array(wanted) + band
    for size, value, a, b in zip(hidden, found, *bands):
        checks.between(value, float(a), float(b),
                       _("%s: training accuracy with a hidden layer of %d") % (what, size))


def same_batches(got, expected, order, size, tolerance, what):
    """One epoch's minibatches `got` (a list of index arrays), batch by batch as expected."""
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
        checks.close(batch, wanted, tolerance, label)


# -- Britz's own network: one tanh hidden layer ---------------------------------------------

# How a backprop may subtract the labels from the probabilities: the tutorial's way and two
# slips, each with the sentence that names it.
LABELS = {"entries": lambda delta3, y: delta3.__setitem__((np.arange(len(y)), y),
                                                          delta3[np.arange(len(y)), y] - 1),
          "label-indexing": lambda delta3, y: delta3.__setitem__((slice(None), y),
                                                                 delta3[:, y] - 1),
          "label-indexing-rows": lambda delta3, y: delta3.__setitem__(y, delta3[y] - 1)}


def backprop(model, X, y, reg_lambda, labels="entries", through=None):
    """The tutorial's gradients, and db1, db2 summed over axis 1 (the wrong one); labels:
    how 1 is subtracted (LABELS); through: the W2 that delta2 goes through, if not the
    model's (one already updated)."""
    a1 = np.tanh(X @ model["W1"] + np.reshape(model["b1"], (1, -1)))
    delta3 = forward(model, X)
    LABELS[labels](delta3, y)
    delta2 = delta3 @ (model["W2"] if through is None else through).T * (1 - a1 ** 2)
    grads = {"W2": a1.T @ delta3 + reg_lambda * model["W2"], "b2": delta3.sum(axis=0),
             "W1": X.T @ delta2 + reg_lambda * model["W1"], "b1": delta2.sum(axis=0)}
    return grads, {"b2": delta3.sum(axis=1), "b1": delta2.sum(axis=1)}


def start(X, y, nn_hdim, seed):
    """The tutorial's starting model: np.random.seed(seed), W1 = randn(D, H) / sqrt(D),
    b1 = 0, W2 = randn(H, C) / sqrt(H), b2 = 0 (the kit's own generator, same stream)."""
    rng = np.random.RandomState(seed)
    classes = int(y.max()) + 1
    return {"W1": rng.randn(X.shape[1], nn_hdim) / np.sqrt(X.shape[1]),
            "b1": np.zeros((1, nn_hdim), dtype=float),
            "W2": rng.randn(nn_hdim, classes) / np.sqrt(nn_hdim), "b2": np.zeros((1, classes))}
