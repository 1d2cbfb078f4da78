"""The kit's own small sigmoid networks, as trask and Victor Zhou build them: trusted code that
their graders check a student's numbers against (losses, gradients, training steps).

trask's nets are matrices: X (N, D) @ syn0 (D, H) @ syn1 (H, K), no biases, the sigmoid at
every layer. Zhou's is one 2-2-1 network with named parameters w1 ... w6, b1 ... b3.
"""

import numpy as np

from graders.grading import checks
from graders.grading import diagnose


# -- trask's 2-layer and 3-layer nets --------------------------------------------------------

def two_layer_loss(X, y, syn0):
    """The kit's own loss for the 2-layer net: 0.5 * sum((y - l1)^2)."""
    return 0.5 * np.sum((y - checks.sigmoid(X @ syn0)) ** 2)


def three_layer_loss(X, y, syn0, syn1):
    """The kit's own loss for the 3-layer net: 0.5 * sum((y - l2)^2)."""
    return 0.5 * np.sum((y - checks.sigmoid(checks.sigmoid(X @ syn0) @ syn1)) ** 2)


def one_update_later(X, y, l1):
    """The 2-layer output after one more update from a state whose output is `l1`.

    X @ syn0 grows by X @ X.T @ l1_delta, so this needs only the output, not the weights.
    """
    l1_delta = (y - l1) * l1 * (1 - l1)
    with np.errstate(all="ignore"):  # an output of exactly 0 or 1 has no finite logit: no hint
        return checks.sigmoid(np.log(l1 / (1 - l1)) + X @ X.T @ l1_delta)


def probe_weights(X, y, hidden):
    """Starting weights of the kit's own choosing for one probing step (seeded, repeatable)."""
    rng = np.random.RandomState(20151)
    return (2 * rng.random_sample((X.shape[1], hidden)) - 1,
            2 * rng.random_sample((hidden, y.shape[1])) - 1)


def one_step(X, y, syn0, syn1, stale=False):
    """The tutorial's one iteration of the 3-layer net: the first error mean(abs(l2_error)),
    the signed mean, and the weights after it; stale: syn1 updated before l1's delta."""
    l1 = checks.sigmoid(X @ syn0)
    l2 = checks.sigmoid(l1 @ syn1)
    l2_delta = (y - l2) * l2 * (1 - l2)
    new1 = syn1 + l1.T @ l2_delta
    l1_delta = (l2_delta @ (new1 if stale else syn1).T) * l1 * (1 - l1)
    return np.mean(np.abs(y - l2)), np.mean(y - l2), syn0 + X.T @ l1_delta, new1


def kit_run(X, y, syn0, syn1, iterations, stale=False):
    """The tutorial's 3-layer training for `iterations` from the given weights: the weights
    after it and, per iteration and one more, the error before its update, abs and signed."""
    before = []
    for _iteration in range(iterations):
        error, signed, syn0, syn1 = one_step(X, y, syn0, syn1, stale)
        before.append((error, signed))
    before.append(one_step(X, y, syn0, syn1)[:2])
    return syn0, syn1, before

# -- Zhou's 2-2-1 network ------------------------------------------------------------------

PARAMETERS = ("w1", "w2", "w3", "w4", "w5", "w6", "b1", "b2", "b3")


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


def gradients(p, x, y_true, output_weights=None):
    """The kit's own dL/dparam of (y_true - o1)^2 at one sample; output_weights (w5, w6), if
    given, stand in for p's in the hidden layer's deltas (a delta taken after an update)."""
    u = units(p, x)
    (_, _, h1), (_, _, h2), (_, _, o1) = u["h1"], u["h2"], u["o1"]
    w5, w6 = output_weights or (p["w5"], p["w6"])
    d_out = -2 * (y_true - o1) * o1 * (1 - o1)
    d1, d2 = d_out * w5 * h1 * (1 - h1), d_out * w6 * h2 * (1 - h2)
    return {"w1": d1 * x[0], "w2": d1 * x[1], "b1": d1, "w3": d2 * x[0], "w4": d2 * x[1],
            "b2": d2, "w5": d_out * h1, "w6": d_out * h2, "b3": d_out}


def kit_training(p, data, y_trues, learn_rate, epochs, stale=False):
    """The kit's own train: the parameters after it, and the predictions (N,) after every
    epoch with epoch % 10 == 0; stale: the output layer is updated before the hidden deltas."""
    p, recorded = dict(p), []
    for epoch in range(int(epochs)):
        for x, y_true in zip(data, y_trues):
            grads = gradients(p, x, y_true)
            if stale:
                output = (p["w5"] - learn_rate * grads["w5"], p["w6"] - learn_rate * grads["w6"])
                grads.update({k: v for k, v in gradients(p, x, y_true, output).items()
                              if k in ("w1", "w2", "b1", "w3", "w4", "b2")})
            p = {name: p[name] - learn_rate * grads[name] for name in PARAMETERS}
        if epoch % 10 == 0:
            recorded.append(np.array([network_output(p, x) for x in data]))
    return p, recorded


PROBE = dict(zip(PARAMETERS, (0.71, -0.53, -0.24, 0.97, 1.12, -0.81, 0.15, -0.33, 0.42)))


# Pairs of gradients a transposed 2 x 2 hidden weight matrix swaps.
TRANSPOSED = (("w2", "w3"),)


def swapped(analytic, numeric, what):
    """transposed: the gradients right once the pairs of TRANSPOSED are swapped back."""
    for a, b in TRANSPOSED:
        back = dict(analytic, **{a: analytic[b], b: analytic[a]})
        if not diagnose.same(analytic[a], numeric[PARAMETERS.index(a)]) and diagnose.same(
                [back[n] for n in PARAMETERS], numeric):
            return diagnose.simple("transposed", what)
    return None


def forward_without(analytic, params, x, y_true, what):
    """forward-mismatch: the gradients of a forward pass that leaves out one bias."""
    for bias in ("b1", "b2", "b3"):
        if params[bias] and diagnose.same([analytic[n] for n in PARAMETERS], [gradients(
                dict(params, **{bias: 0.0}), x, y_true)[n] for n in PARAMETERS]):
            return diagnose.simple("forward-mismatch", what, "forward-term", term=bias)
    return None
