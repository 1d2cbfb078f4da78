"""Grader procedures for zhou.py (Victor Zhou, "Machine Learning for Beginners")."""

import numpy as np

from graders import checks, curves, diagnose
from graders.i18n import _
from graders.spec import reads
from graders.submission import describe_call

PARAMETERS = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")
PARAMS = dict.fromkeys(PARAMETERS, "number")


def network_output(p, x):
    """The kit's own forward pass of the 2-2-1 network with parameters `p`."""
    h1 = checks.sigmoid(p["w1"] * x[0] + p["w2"] * x[1] + p["b1"])
    h2 = checks.sigmoid(p["w3"] * x[0] + p["w4"] * x[1] + p["b2"])
    return checks.sigmoid(p["w5"] * h1 + p["w6"] * h2 + p["b3"])


# The neurons whose slope each parameter's gradient passes through.
SITES = dict(dict.fromkeys(("w1", "w2", "b1"), ["h1", "o1"]),
             **dict.fromkeys(("w3", "w4", "b2"), ["h2", "o1"]),
             **dict.fromkeys(("w5", "w6", "b3"), ["o1"]))


def units(p, x):
    """{neuron: (layer, input, output)} of the kit's own forward pass."""
    z1 = p["w1"] * x[0] + p["w2"] * x[1] + p["b1"]
    z2 = p["w3"] * x[0] + p["w4"] * x[1] + p["b2"]
    h1, h2 = checks.sigmoid(z1), checks.sigmoid(z2)
    z3 = p["w5"] * h1 + p["w6"] * h2 + p["b3"]
    return {"h1": ("hidden", z1, h1), "h2": ("hidden", z2, h2),
            "o1": ("output", z3, checks.sigmoid(z3))}


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
    checks.close(actual, expected, case.tolerance, what)


@reads(input={"y_true": "array(N)", "y_pred": "array(N)"}, expected=("number", "=solutions"))
def test_mse_loss(case, student, reference):
    y_true, y_pred = case.array("y_true"), case.array("y_pred")
    what = describe_call("zhou.mse_loss", (y_true, y_pred), {})
    actual = checks.real_number(student.call("zhou.mse_loss", y_true, y_pred), what)
    expected = reference.call("zhou.mse_loss", y_true, y_pred) if case.from_solutions \
        else case.expected
    checks.close(actual, expected, case.tolerance, what, diagnosis=lambda: diagnose.ratio(
        {"": (actual, expected)}, diagnose.name(case), len(y_true)))


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
            lambda: diagnose.ratio(pairs, diagnose.name(case)),
            lambda: diagnose.zero_biases(pairs, diagnose.name(case),
                                         lambda name: name.startswith("b")),
            lambda: diagnose.slope([(pairs[n][0] / pairs[n][1], SITES[n]) for n in PARAMETERS
                                    if abs(pairs[n][1]) > 1e-6], units(params, x), "sigmoid",
                                   diagnose.name(case))))
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
        checks.fail(_("%s drew %s, but the tests expected %s (%s). Draw the nine parameters "
                      "with np.random.normal(), w1 to w6 then b1 to b3, so that numpy's seed "
                      "decides them.") % (what, {n: drawn[n] for n in wrong},
                                          {n: expected[n] for n in wrong}, case.tolerance),
                    diagnose.simple("seed-ignored", diagnose.name(case)) if same else None)


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
def test_training(case, student, reference):
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

    def losses(returned):
        return checks.number_list(returned, -(-epochs // 10), what + " returned losses")

    network, returned = run(student)
    curves.record("losses", lambda: losses(returned))
    if case.from_solutions:
        reference_network, reference_losses = run(reference)
        checks.close(losses(returned), reference_losses, case.tolerance, what + " losses")
        for name in PARAMETERS:
            checks.close(checks.real_number(network.get(name), what + " ." + name),
                         reference_network.get(name), case.tolerance, what + " ." + name)
        return
    expected = case.expected
    if "final_loss_below" in expected:
        checks.between(losses(returned)[-1], None, expected["final_loss_below"],
                       what + " final loss")
    for prediction in expected.get("predictions", []):
        x = np.array(prediction["x"], dtype=float)
        label = "%s, then feedforward(%s) (%s)" % (what, x.tolist(), prediction["who"])
        value = checks.real_number(network.call("feedforward", x), label)
        checks.between(value, prediction.get("above"), prediction.get("below"), label)


# -- what the kit draws and times from this module ---------------------------------------------

CURVE = ("losses", "epoch / 10", "MSE loss")


def bare_loops():
    """The training runs `nox -s bench` times alone, outside any grader: {label: run(module)}."""
    people = np.array([[-2, -1], [25, 6], [17, 4], [-15, -6]], dtype=float)
    return {"zhou (1000 epochs)": lambda m: m.OurNeuralNetwork().train(
        people, np.array([1, 0, 0, 1], dtype=float))}
