"""Grader procedures for aidan.py (a-i-dan, "Introduction to Neural Networks in Python")."""

import numpy as np

from graders.grading import checks
from graders.grading import diagnose
from graders.model.i18n import _
from graders.model.spec import reads
from graders.sandbox.submission import describe_call
from graders.sandbox.stand_ins import sigmoid
from graders.grading.helpers import Helper

DATA = {"inputs": "array(N, D)", "outputs": "array(N, 1)"}


def squared_error(inputs, outputs, weights):
    """The kit's own loss for the post's network: 0.5 * sum((outputs - hidden)^2)."""
    return 0.5 * np.sum((outputs - checks.sigmoid(inputs @ weights)) ** 2)


def _network(impl, case):
    inputs, outputs = case.array("inputs"), case.array("outputs")
    return impl.new("aidan.NeuralNetwork", inputs, outputs), inputs, outputs


@reads(input=DATA, expected={"weights": "array(D, 1)"})
def test_init(case, student):
    network, inputs, _outputs = _network(student, case)
    what = "aidan.NeuralNetwork(inputs %s, outputs)" % (inputs.shape,)
    weights = checks.real_array(network.get("weights"), what + ".weights", [(inputs.shape[1], 1)])
    checks.close(weights, case.expected_array("weights"), case.tolerance, what + ".weights",
                 diagnosis=lambda: diagnose.simple(
                     "starting-weights", diagnose.name(case), quantity=".weights",
                     draw="np.full((D, 1), 0.5)"))
    for name in ("error_history", "epoch_list"):
        value = network.get(name)
        if value != []:
            checks.fail(_("%s.%s is %s, but the tests expected an empty list.")
                        % (what, name, checks.kind_of(value)),
                        diagnose.simple("state-shared", diagnose.name(case), quantity=name)
                        if isinstance(value, list) and value else None)


@reads(input=dict(DATA, x="array(M)", deriv="bool"), expected=("array(M)", "=solutions"))
def test_sigmoid(case, student, reference):
    x, deriv = case.array("x"), case.input["deriv"]
    what = describe_call("aidan.NeuralNetwork.sigmoid", (x,), {"deriv": deriv})

    def run(impl):
        network, _, _ = _network(impl, case)
        return network.call("sigmoid", x, deriv=deriv)

    actual = checks.real_array(run(student), what, [x.shape])
    expected = run(reference) if case.from_solutions else case.expected
    checks.close(actual, expected, case.tolerance, what, diagnosis=lambda: deriv and
                 diagnose.helper_slope(actual, x, "output", diagnose.name(case)))


@reads(input=DATA, expected=("array(N, 1)", "=solutions"))
def test_feed_forward(case, student, reference):
    what = "aidan.NeuralNetwork.feed_forward() then .hidden"

    def run(impl):
        network, _inputs, outputs = _network(impl, case)
        network.call("feed_forward")
        return checks.real_array(network.get("hidden"), what, [outputs.shape])

    expected = run(reference) if case.from_solutions else case.expected_array()
    checks.close(run(student), expected, case.tolerance, what)


@reads(input=dict(DATA, weights="array(D, 1)"), expected="=numerical gradient")
def test_backpropagation(case, student):
    network, inputs, outputs = _network(student, case)
    weights = case.array("weights")
    network.set("weights", weights)
    network.call("feed_forward")
    network.call("backpropagation")
    what = "aidan.NeuralNetwork.backpropagation() at weights %s" % (weights.shape,)
    numeric = -checks.numerical_gradient(lambda w: squared_error(inputs, outputs, w), weights)

    def transposed_change(value):
        """The change (1, D) instead of (D, 1), broadcast onto the weights as (D, D)."""
        if diagnose.same(value, weights + numeric.T):
            return diagnose.simple("transposed", diagnose.name(case))
        return None

    after = checks.real_array(network.get("weights"), what + ", then .weights", [weights.shape],
                              diagnosis=transposed_change)
    pairs = {"weights (change = -dL/dweights)": (after - weights, numeric)}
    checks.gradients(pairs, case.tolerance, what, lambda: diagnose.first(
        lambda: diagnose.ratio(pairs, diagnose.name(case), len(inputs)),
        lambda: _slope(student, inputs[:1], outputs[:1], weights, diagnose.name(case))))


def _slope(student, x, y, weights, what):
    """A wrong slope, from the change backpropagation makes for one sample x (1, D)."""
    network = student.new("aidan.NeuralNetwork", x, y)
    network.set("weights", weights)
    network.call("feed_forward")
    network.call("backpropagation")
    change = checks.real_array(network.get("weights"), what, [weights.shape]) - weights
    numeric = -checks.numerical_gradient(lambda w: squared_error(x, y, w), weights)
    z = float((x @ weights)[0, 0])
    return diagnose.slope(diagnose.entries(change, numeric, lambda i: ["output"]),
                          {"output": ("output", z, checks.sigmoid(z))}, "sigmoid", what)


def _trained(impl, case):
    """The network after train(epochs), shared by every case with the same inputs."""
    def train():
        network, _, _ = _network(impl, case)
        network.call("train", epochs=case.input["epochs"])
        return network
    return impl.once(case.shared_key("train", ["inputs", "outputs", "epochs"]), train)


@reads(input=dict(DATA, epochs="integer", new_inputs="array(M, D)"),
       expected=("array(M)", "=solutions"))
def test_predict_after_training(case, student, reference):
    new_inputs = case.array("new_inputs")
    what = "aidan.NeuralNetwork.train(epochs=%d) then .predict" % case.input["epochs"]

    def run(impl):
        network = _trained(impl, case)
        return np.array([checks.real_array(network.call("predict", row[None, :]),
                                           "%s(%s)" % (what, row.tolist()), [(1, 1)])[0, 0]
                         for row in new_inputs])

    actual = run(student)
    expected = run(reference) if case.from_solutions else case.expected
    checks.close(actual, expected, case.tolerance, what)


@reads(input=dict(DATA, epochs="integer"), expected=({"never_increases": "bool"}, "=solutions"))
def test_error_history(case, student, reference, curve):
    epochs = case.input["epochs"]
    what = "aidan.NeuralNetwork.train(epochs=%d)" % epochs

    name = diagnose.name(case)

    def run(impl):
        network = _trained(impl, case)
        return (checks.number_list(network.get("error_history"), epochs, what + ".error_history",
                                   lambda: _state_shared(student, case, "error_history")),
                network.get("epoch_list"))

    history, epoch_list = run(student)
    curve.record("error_history", lambda: history)
    if not (isinstance(epoch_list, list) and epoch_list == list(range(epochs))):
        checks.fail(_("%s.epoch_list should be [0, 1, ..., %d], got %s")
                    % (what, epochs - 1, checks.kind_of(epoch_list)),
                    checks.recognise(lambda: _state_shared(student, case, "epoch_list")))
    if case.from_solutions:
        def trained_right():
            return checks.trained_right({"weights": (
                _trained(student, case).get("weights"), _trained(reference, case).get("weights"),
                case.tolerance)})
        checks.close(history, run(reference)[0], case.tolerance, what + ".error_history",
                     diagnosis=lambda: _history(student, case, history, name),
                     remark=trained_right)
        return
    if np.any(history < 0):
        checks.fail(_("%s.error_history has a negative value at epoch %d: %r; a mean absolute "
                      "error is never below zero.") % (
            what, int(np.flatnonzero(history < 0)[0]), float(history[history < 0][0])),
            diagnose.simple("abs-missing", name, quantity="error_history"))
    if case.expected["never_increases"]:
        rises = np.flatnonzero(np.diff(history) > 0)
        if rises.size:
            i = int(rises[0])
            checks.fail(_("%s.error_history rises at epoch %d: %r then %r; the post's error "
                          "never increases.") % (what, i + 1, history[i], history[i + 1]),
                        checks.recognise(lambda: _history(student, case, history, name)))


def _history(student, case, history, what):
    """abs-missing: negative values, or a first epoch whose error is the signed mean."""
    if np.any(history < 0):
        return diagnose.simple("abs-missing", what, quantity="error_history")
    network, inputs, outputs = _network(student, case)
    network.call("train", epochs=1)
    first = checks.number_list(network.get("error_history"), 1, what)[0]
    weights = np.full((inputs.shape[1], 1), 0.5)
    hidden = checks.sigmoid(inputs @ weights)
    error = outputs - hidden
    after = outputs - checks.sigmoid(inputs @ (weights + inputs.T @ (error * hidden * (
        1 - hidden))))
    def broadcast(hidden):  # (N,) targets against (N, 1) predictions: an (N, N) error
        return np.mean(np.abs(outputs.ravel()[None, :] - hidden))

    kept = {"right": np.mean(np.abs(error)), "abs-missing": np.mean(error),
            "shape-broadcast": broadcast(hidden),
            "mean-vs-sum": np.sum(np.abs(error)), "one-update-late": np.mean(np.abs(after))}
    if diagnose.same(broadcast(hidden), broadcast(hidden / 2)):
        del kept["shape-broadcast"]  # balanced 0/1 targets: 0.5 whatever was predicted
    found = [code for code, value in kept.items() if diagnose.same(first, value)]
    if not found or found[0] == "right":
        return None
    return diagnose.simple(found[0], what, "one-update-late-record" if found[0] ==
                           "one-update-late" else None, quantity="error_history",
                           ratio="%g" % len(inputs), got="(N, N)", wanted="(N, 1)")


def _state_shared(student, case, attribute):
    """state-shared: of two fresh networks trained for one epoch each, the second records
    more than the first (its list holds the first one's entries too)."""
    lengths = []
    for _run in range(2):
        network = _network(student, case)[0]
        network.call("train", epochs=1)
        value = network.get(attribute)
        lengths.append(len(value) if isinstance(value, list) else None)
    if None not in lengths and lengths[1] > lengths[0]:
        return diagnose.simple("state-shared", diagnose.name(case), quantity=attribute)
    return None


# -- what the rest of the kit reads from this module (graders/grading/tutorial.py) ----------

def sigmoid_stand_in(self, x, deriv=False):
    """a-i-dan's NeuralNetwork.sigmoid: with deriv=True, x is a sigmoid output."""
    return x * (1 - x) if deriv else sigmoid(x)


def feed_forward_stand_in(self):
    """a-i-dan's NeuralNetwork.feed_forward: sets self.hidden = sigmoid(inputs @ weights)."""
    self.hidden = sigmoid(np.dot(self.inputs, self.weights))


# predictions are made after train(), which calls feed_forward
HELPERS = {"NeuralNetwork.sigmoid": Helper(sigmoid_stand_in, (
               "NeuralNetwork.feed_forward", "NeuralNetwork.backpropagation",
               "NeuralNetwork.train", "NeuralNetwork.predict")),
           "NeuralNetwork.feed_forward": Helper(feed_forward_stand_in, (
               "NeuralNetwork.backpropagation", "NeuralNetwork.train",
               "NeuralNetwork.predict"))}


CURVE = ("error_history", "epoch", "error")


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    samples = np.array([[0, 1, 0], [0, 1, 1], [0, 0, 0], [1, 0, 0], [1, 1, 1], [1, 0, 1]], float)
    return {"aidan (25000 epochs)": lambda m: m.NeuralNetwork(
        samples, np.array([[0], [0], [0], [1], [1], [1]], dtype=float)).train()}
