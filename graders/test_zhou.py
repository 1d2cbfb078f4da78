"""Grader procedures for zhou.py (Victor Zhou, "Machine Learning for Beginners")."""

import numpy as np

from graders.grading import checks
from graders.grading import diagnose
from graders.grading.sigmoid_networks import (PARAMETERS, PROBE, SITES, forward_without,
                                              gradients, kit_training, network_output, swapped,
                                              units)
from graders.model.i18n import _
from graders.model.spec import reads
from graders.sandbox.submission import describe_call
from graders.sandbox import stand_ins
from graders.grading.helpers import Helper

PARAMS = dict.fromkeys(PARAMETERS, "number")


def _network(impl, params, seed=0):
    """A new OurNeuralNetwork (drawn after np.random.seed(seed)) with `params` set on it."""
    impl.seed("zhou", seed)
    network = impl.new("zhou.OurNeuralNetwork")
    for name, value in params.items():
        network.set(name, float(value))
    return network


@reads(input={"x": "array(M)"}, expected=("array(M)", "=solutions"))
def test_activation(case, student, reference):
    x = case.array("x")
    what = describe_call("zhou." + case.function, (x,), {})

    def run(impl):
        return impl.call("zhou." + case.function, x)

    actual = checks.real_array(run(student), what, [x.shape])
    expected = run(reference) if case.from_solutions else case.expected
    checks.close(actual, expected, case.tolerance, what, diagnosis=lambda: (
        case.function == "deriv_sigmoid" and diagnose.helper_slope(actual, x, "input",
                                                                   diagnose.name(case))))


@reads(input={"y_true": "array(N)", "y_pred": "array(N)"}, expected=("number", "=solutions"))
def test_mse_loss(case, student, reference):
    y_true, y_pred = case.array("y_true"), case.array("y_pred")
    what = describe_call("zhou.mse_loss", (y_true, y_pred), {})
    actual = checks.real_number(student.call("zhou.mse_loss", y_true, y_pred), what)
    expected = reference.call("zhou.mse_loss", y_true, y_pred) if case.from_solutions \
        else case.expected

    def ratio():
        """A ratio of one number is weak evidence: it must hold at the kit's own inputs too."""
        found = diagnose.ratio({"": (actual, expected)}, diagnose.name(case), len(y_true))
        probe_true, probe_pred = np.linspace(-1, 2, len(y_true)), np.linspace(0.3, -0.7, len(
            y_true)) ** 2
        again = checks.real_number(student.call("zhou.mse_loss", probe_true, probe_pred), what)
        same = diagnose.ratio({"": (again, np.mean((probe_true - probe_pred) ** 2))},
                              diagnose.name(case), len(y_true))
        return found if found and same and same.code == found.code else None

    checks.close(actual, expected, case.tolerance, what, diagnosis=ratio)


@reads(input={"weights": "array(D)", "bias": "number"}, expected="=as given")
def test_neuron_init(case, student):
    weights, bias = case.array("weights"), float(case.input["bias"])
    what = "zhou.Neuron(%s, %r)" % (weights.tolist(), bias)
    neuron = student.new("zhou.Neuron", weights, bias)
    kept = checks.real_array(neuron.get("weights"), what + ".weights", [weights.shape])
    checks.close(kept, weights, case.tolerance, what + ".weights")
    checks.close(checks.real_number(neuron.get("bias"), what + ".bias"), bias, case.tolerance,
                 what + ".bias")


@reads(input={"weights": "array(D)", "bias": "number", "inputs": "array(D)"},
       expected=("number", "=solutions"))
def test_neuron_feedforward(case, student, reference):
    weights, bias, inputs = case.array("weights"), float(case.input["bias"]), case.array("inputs")
    what = "zhou.Neuron(%s, %r).feedforward(%s)" % (weights.tolist(), bias, inputs.tolist())

    def run(impl):
        return impl.new("zhou.Neuron", weights, bias).call("feedforward", inputs)

    actual = checks.real_number(run(student), what)
    checks.close(actual, run(reference) if case.from_solutions else case.expected,
                 case.tolerance, what)


@reads(input={"params": PARAMS, "x": "array(2)"}, expected=("number", "=solutions"))
def test_network_feedforward(case, student, reference):
    params, x = case.input["params"], case.array("x")
    what = "zhou.OurNeuralNetwork with %s: feedforward(%s)" % (params, x.tolist())

    def run(impl):
        return _network(impl, params).call("feedforward", x)

    actual = checks.real_number(run(student), what)
    expected = run(reference) if case.from_solutions else case.expected
    checks.close(actual, expected, case.tolerance, what)


@reads(input={"params": PARAMS, "x": "array(2)", "y_true": "number"},
       expected=("=numerical gradient", {name + "?": "number" for name in PARAMETERS}))
def test_backprop(case, student):
    params, x, y_true = case.input["params"], case.array("x"), float(case.input["y_true"])
    what = "zhou.OurNeuralNetwork with %s: backprop(%s, %r)" % (params, x.tolist(), y_true)
    grads = checks.mapping(_network(student, params).call("backprop", x, y_true), PARAMETERS, what)
    analytic = {name: checks.real_number(grads[name], "%s[%r]" % (what, name))
                for name in PARAMETERS}
    if case.expected == "numerical gradient":
        vector = np.array([params[name] for name in PARAMETERS], dtype=float)

        def loss(v):
            return (y_true - network_output(dict(zip(PARAMETERS, v)), x)) ** 2

        numeric = checks.numerical_gradient(loss, vector)
        pairs = {name: (analytic[name], numeric[i]) for i, name in enumerate(PARAMETERS)}
        checks.gradients(pairs, case.tolerance, what, lambda: diagnose.first(
            lambda: swapped(analytic, numeric, diagnose.name(case)),
            lambda: diagnose.ratio(pairs, diagnose.name(case)),
            lambda: diagnose.zero_biases(pairs, diagnose.name(case),
                                         lambda name: name.startswith("b")),
            lambda: diagnose.slope([(pairs[n][0] / pairs[n][1], SITES[n]) for n in PARAMETERS
                                    if abs(pairs[n][1]) > 1e-6], units(params, x), "sigmoid",
                                   diagnose.name(case)),
            lambda: diagnose.uniform_ratio(pairs, diagnose.name(case),
                                           (y_true, network_output(params, x)), 0.1),
            lambda: forward_without(analytic, params, x, y_true, diagnose.name(case))))
    else:
        for name, value in case.expected.items():
            checks.close(analytic[name], value, case.tolerance, "%s[%r]" % (what, name))


@reads(input={"seed": "integer"}, expected=(PARAMS, "=solutions"))
def test_initial_weights(case, student, reference):
    seed = case.input["seed"]
    what = "np.random.seed(%d), then zhou.OurNeuralNetwork()" % seed
    network = _network(student, {}, seed)
    drawn = {name: checks.real_number(network.get(name), "%s: .%s" % (what, name))
             for name in PARAMETERS}
    if case.from_solutions:
        made = _network(reference, {}, seed)
        expected = {name: made.get(name) for name in PARAMETERS}
    else:
        expected = case.expected
    wrong = [name for name in PARAMETERS if not np.isclose(
        drawn[name], expected[name], rtol=case.tolerance.rtol, atol=case.tolerance.atol)]
    if wrong:
        same = ignores_seed(student, seed, drawn, what)
        found = diagnose.simple("seed-ignored", diagnose.name(case)) if same else \
            diagnose.simple("starting-weights", diagnose.name(case), quantity=_(
                "the parameters drawn"), draw=_("np.random.seed(seed), then w1, w2, ..., w6, "
                                                "b1, b2, b3, each np.random.normal()"))
        checks.fail(_("%s drew %s, but the tests expected %s (%s). Draw the nine parameters "
                      "with np.random.normal(), w1 to w6 then b1 to b3, so that numpy's seed "
                      "decides them.") % (what, {n: drawn[n] for n in wrong},
                                          {n: expected[n] for n in wrong}, case.tolerance),
                    found)


def ignores_seed(student, seed, drawn, what):
    """Whether the drawn weights do not follow numpy's seed: the same with another seed, or
    others with the same seed."""
    def draw(seed):
        network = _network(student, {}, seed)
        return [checks.real_number(network.get(name), what) for name in PARAMETERS]
    first = [drawn[name] for name in PARAMETERS]
    return draw(seed + 1) == first or draw(seed) != first


@reads(input={"data": "array(N, 2)", "all_y_trues": "array(N)", "seed?": "integer",
              "params?": PARAMS, "learn_rate?": "number", "epochs?": "integer"},
       expected=({"final_loss_below?": "number", "predictions?": [
           {"who": "string", "x": "array(2)", "above?": "number", "below?": "number"}]},
                 "=solutions"))
def test_training(case, student, reference, curve):
    data, y_trues = case.array("data"), case.array("all_y_trues")
    settings = {key: case.input[key] for key in ("learn_rate", "epochs") if key in case.input}
    epochs = settings.get("epochs", 1000)
    what = "zhou.OurNeuralNetwork: train(data %s, all_y_trues%s)" % (
        data.shape, "".join(", %s=%s" % item for item in settings.items()))

    def run(impl):
        """The trained network and what train returned; the losses are checked where used."""
        def train():
            network = _network(impl, case.input.get("params", {}), case.input.get("seed", 0))
            return network, network.call("train", data, y_trues, **settings)
        return impl.once(case.key, train)

    def found():
        return training_mistake(student, data, y_trues, settings, diagnose.name(case))

    def losses(returned):
        return checks.number_list(returned, -(-epochs // 10), what + " returned losses", found)

    network, returned = run(student)
    curve.record("losses", lambda: losses(returned))
    if case.from_solutions:
        reference_network, reference_losses = run(reference)
        trained = {name: checks.real_number(network.get(name), what + " ." + name)
                   for name in PARAMETERS}
        for name in PARAMETERS:  # the parameters first: they say whether the training is right
            checks.close(trained[name], reference_network.get(name), case.tolerance,
                         what + " ." + name, diagnosis=found)
        checks.close(losses(returned), reference_losses, case.tolerance, what + " losses",
                     diagnosis=found, remark=lambda: checks.trained_right({
                         _("parameters"): ([trained[n] for n in PARAMETERS],
                                           [reference_network.get(n) for n in PARAMETERS],
                                           case.tolerance)}))
        return
    expected = case.expected
    if "final_loss_below" in expected:
        checks.between(losses(returned)[-1], None, expected["final_loss_below"],
                       what + " final loss", diagnosis=found)
    for prediction in expected.get("predictions", []):
        x = np.array(prediction["x"], dtype=float)
        label = "%s, then feedforward(%s) (%s)" % (what, x.tolist(), prediction["who"])
        value = checks.real_number(network.call("feedforward", x), label)
        checks.between(value, prediction.get("above"), prediction.get("below"), label,
                       diagnosis=found)


def training_mistake(student, data, y_trues, settings, what):
    """What is wrong with train, from 11 epochs from the kit's own parameters, twice:
    stale-weights, learning-rate-twice or learning-rate-ignored from the parameters;
    shape-broadcast or state-shared from the two losses recorded (epochs 0 and 10)."""
    learn_rate = settings.get("learn_rate", 0.1)
    runs = []
    for _run in range(2):
        network = _network(student, PROBE)
        returned = network.call("train", data, y_trues, learn_rate=learn_rate, epochs=11)
        runs.append(([checks.real_number(network.get(n), what) for n in PARAMETERS], returned))
    (trained, recorded), (_again, recorded_again) = runs
    if isinstance(recorded, list) and isinstance(recorded_again, list) and len(
            recorded_again) > len(recorded):  # a list kept from one call to the next
        return diagnose.simple("state-shared", what, quantity=_("the losses"))
    recorded, recorded_again = (checks.number_list(run[1], 2, what) for run in runs)
    right, predictions = kit_training(PROBE, data, y_trues, learn_rate, 11)
    if not diagnose.same(trained, [right[n] for n in PARAMETERS]):
        stale = kit_training(PROBE, data, y_trues, learn_rate, 11, stale=True)[0]
        if diagnose.same(trained, [stale[n] for n in PARAMETERS]):
            return diagnose.simple("stale-weights", what)
        return _rate(student, data, y_trues, learn_rate, what)
    if not diagnose.same(recorded, recorded_again):
        return diagnose.simple("state-shared", what, quantity=_("the losses"))
    broadcast = [np.mean((y_trues[None, :] - p[:, None]) ** 2) for p in predictions]
    if diagnose.same(recorded, broadcast) and not diagnose.same(
            recorded, [np.mean((y_trues - p) ** 2) for p in predictions]):
        return diagnose.simple("shape-broadcast", what, got="(N, N)", wanted="(N,)")
    if recorded[1] > recorded[0] and np.mean((y_trues - predictions[1]) ** 2) < np.mean(
            (y_trues - predictions[0]) ** 2):
        return diagnose.simple("state-shared", what, quantity=_("the losses"))
    return None


def _rate(student, data, y_trues, learn_rate, what):
    """learning-rate-twice or learning-rate-ignored, from one step on the first person."""
    network = _network(student, PROBE)
    network.call("train", data[:1], y_trues[:1], learn_rate=learn_rate, epochs=1)
    after = [checks.real_number(network.get(n), what) for n in PARAMETERS]
    grads = gradients(PROBE, data[0], y_trues[0])
    rate = diagnose.step_rate([PROBE[n] for n in PARAMETERS], after,
                              [grads[n] for n in PARAMETERS])
    return diagnose.rate(rate, learn_rate, 0.1, what)


# -- what the rest of the kit reads from this module (graders/grading/tutorial.py) ----------

HELPERS = {
    "sigmoid": Helper(stand_ins.sigmoid, (
        "Neuron.feedforward", "OurNeuralNetwork.feedforward", "OurNeuralNetwork.backprop",
        "OurNeuralNetwork.train")),
    "deriv_sigmoid": Helper(stand_ins.slope_at_input, (
        "OurNeuralNetwork.backprop", "OurNeuralNetwork.train")),
    "mse_loss": Helper(stand_ins.mse_loss, ("OurNeuralNetwork.train",)),
}


CURVE = ("losses", "epoch / 10", "MSE loss")


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    people = np.array([[-2, -1], [25, 6], [17, 4], [-15, -6]], dtype=float)
    return {"zhou (1000 epochs)": lambda m: m.OurNeuralNetwork().train(
        people, np.array([1, 0, 0, 1], dtype=float))}
