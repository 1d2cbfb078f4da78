"""Diagnoses: the classic mistake recognised from the numbers of a failed case.

A diagnosis is a stable code (results.json `extra_data["diagnosis"]`) and one sentence naming
the function, the parameter and the fix. It is given only when the evidence fits one mistake
exactly; anything else keeps the plain message. The evidence rules are the tables below: what a
mistake does to the ratio analytic / numeric of a gradient, and which wrong slope of an
activation gives which code.
"""

import numpy as np

from graders.i18n import N_, _

TOLERANCE = 1e-3  # relative: how closely a ratio must fit a mistake's

# A ratio shared by every entry of every gradient: (code, ratio); "N" is the number of samples.
RATIOS = (("sign-flipped", -1.0), ("factor-2", 2.0), ("factor-half", 0.5),
          ("mean-vs-sum", "N"), ("mean-vs-sum", "1/N"))

# Wrong slopes of an activation with input z and output o: (code, what, slope(z, o)).
SIGMOID_SLOPE = lambda z, o: o * (1 - o)  # noqa: E731
TANH_SLOPE = lambda z, o: 1 - o ** 2  # noqa: E731
WRONG_SLOPES = {
    "sigmoid": (
        ("slope-at-wrong-point", N_("x * (1 - x) of its input x"), lambda z, o: z * (1 - z)),
        ("slope-at-wrong-point", N_("f'(f(x)), the slope at its output"),
         lambda z, o: SIGMOID_SLOPE(None, 0.5 * (1 + np.tanh(0.5 * o)))),
        ("wrong-activation-derivative", N_("1, no slope at all"), lambda z, o: np.ones_like(o)),
        ("wrong-activation-derivative", N_("f(x) instead of f(x) * (1 - f(x))"), lambda z, o: o),
        ("wrong-activation-derivative", N_("tanh's 1 - f(x)^2"), lambda z, o: 1 - o ** 2)),
    "tanh": (
        ("wrong-activation-derivative", N_("1, no slope at all"), lambda z, o: np.ones_like(o)),
        ("wrong-activation-derivative", N_("1 - f(x) instead of 1 - f(x)^2"), lambda z, o: 1 - o),
        ("wrong-activation-derivative", N_("the sigmoid's f(x) * (1 - f(x))"),
         lambda z, o: o * (1 - o)),
        ("slope-at-wrong-point", N_("1 - x^2 of its input x"), lambda z, o: 1 - z ** 2)),
}
TRUE_SLOPE = {"sigmoid": SIGMOID_SLOPE, "tanh": TANH_SLOPE}

SENTENCES = {
    "sign-flipped": N_("%(what)s: every value has the wrong sign (ratio -1): the error is taken "
                       "the wrong way round; use (target - output) where the tutorial does, or "
                       "negate the result."),
    "factor-2": N_("%(what)s: every value is 2 times too large: remove the extra factor 2."),
    "factor-half": N_("%(what)s: every value is half what it should be: the factor 2 (of the "
                      "squared error's derivative, or of the update) is missing."),
    "mean-vs-sum": N_("%(what)s: every value is off by a factor %(ratio)s, the number of "
                      "samples N: sum over the samples where the tutorial sums, and average "
                      "where it averages."),
    "missing-regularisation": N_("%(what)s: %(parameters)s lack the regularisation term: add "
                                 "it as the tutorial does (reg_lambda / 2 * |W|^2 to the loss, "
                                 "reg_lambda * W to each weight's gradient)."),
    "missing-bias-gradient": N_("%(what)s: the gradient of %(parameters)s is zero: compute the "
                                "bias gradient (the deltas, summed over the samples)."),
    "slope": N_("%(what)s: the gradient is %(layers)s: the %(activation)s's slope is taken as "
                "%(mistake)s. Take f(x) * (1 - f(x)) for the sigmoid (1 - f(x)^2 for tanh), "
                "where x is what went into the activation and f(x) what came out."),
    "transposed": N_("%(what)s has the shape of its transpose: transpose the matrix (or swap "
                     "the factors of the product that makes it)."),
    "one-update-late": N_("%(what)s: the output is taken after the last update: return the "
                          "output of the forward pass before it, as the tutorial's loop does."),
    "seed-ignored": N_("%(what)s: the result is the same whatever seed numpy is given: draw the "
                       "weights with np.random after np.random.seed(seed), with the seed "
                       "given, never a fixed seed or a generator of your own."),
}
LAYERS = {"all": N_("wrong at every layer"), "hidden": N_("right at the output and wrong at the "
                                                        "hidden layer"),
          "output": N_("wrong at the output layer")}


class Diagnosis:
    """A recognised mistake: its stable code and the sentence the student reads."""

    def __init__(self, code, sentence):
        self.code, self.sentence = code, sentence


def _fits(observed, predicted):
    observed, predicted = np.asarray(observed, float), np.asarray(predicted, float)
    return bool(np.all(np.abs(observed - predicted) <= TOLERANCE * np.abs(predicted)))


def ratio(pairs, what, samples=None):
    """A ratio analytic / numeric shared by every entry of every gradient in `pairs`."""
    analytic = np.concatenate([np.ravel(a) for a, _ in pairs.values()])
    numeric = np.concatenate([np.ravel(n) for _, n in pairs.values()])
    used = np.abs(numeric) > 1e-6
    if not used.any():
        return None
    observed = analytic[used] / numeric[used]
    for code, value in RATIOS:
        value = {"N": samples, "1/N": 1.0 / samples if samples else None}.get(value, value)
        if value is not None and (code != "mean-vs-sum" or samples > 2) and _fits(
                observed, np.full(observed.shape, value)):
            return Diagnosis(code, _(SENTENCES[code]) % {"what": what, "ratio": "%g" % value})
    return None


def zero_biases(pairs, what, is_bias):
    """Weights right, and every bias gradient that is off is exactly zero."""
    off = [name for name, (a, n) in pairs.items()
           if not np.allclose(a, n, rtol=1e-4, atol=1e-7)]
    if off and all(is_bias(name) and not np.any(pairs[name][0]) for name in off):
        return Diagnosis("missing-bias-gradient", _(SENTENCES["missing-bias-gradient"]) % {
            "what": what, "parameters": ", ".join(off)})
    return None


def missing_term(pairs, unregularised, what):
    """Gradients that match the loss without its regularisation term, where it differs."""
    off = [name for name, (a, n) in pairs.items()
           if not np.allclose(a, n, rtol=1e-4, atol=1e-7)]
    if off and all(np.allclose(pairs[name][0], unregularised[name], rtol=1e-4, atol=1e-7)
                   for name in off):
        return Diagnosis("missing-regularisation", _(SENTENCES["missing-regularisation"]) % {
            "what": what, "parameters": ", ".join(off)})
    return None


def slope(entries, units, activation, what):
    """A wrong slope of the activation, from one sample's gradients.

    entries: [(observed ratio analytic / numeric, [units whose slope the entry's gradient
    multiplies])]; units: {unit: (layer "output" or "hidden", input z, output o)}.
    """
    true = TRUE_SLOPE[activation]
    for code, mistake, wrong in WRONG_SLOPES[activation]:
        factor = {unit: float(wrong(z, o) / true(z, o)) for unit, (_, z, o) in units.items()}
        for layers in ("all", "hidden", "output"):
            def predicted(sites):
                return np.prod([factor[u] for u in sites
                                if layers == "all" or units[u][0] == layers])
            if all(_fits(observed, predicted(sites)) for observed, sites in entries) and any(
                    not _fits(observed, 1.0) for observed, _ in entries):
                return Diagnosis(code, _(SENTENCES["slope"]) % {
                    "what": what, "layers": _(LAYERS[layers]), "activation": activation,
                    "mistake": _(mistake)})
    return None


def name(case):
    """The function a case grades, as a diagnosis names it: 'zhou.OurNeuralNetwork.backprop'."""
    return "%s.%s" % (case.module, case.function)


def simple(code, what):
    """A diagnosis whose evidence the caller has checked (a transposed shape, an output one
    update late, draws that ignore the seed)."""
    return Diagnosis(code, _(SENTENCES[code]) % {"what": what})


def first(*rules):
    """The first diagnosis that one of `rules` (functions of no arguments) gives, or None."""
    for rule in rules:
        found = rule()
        if found is not None:
            return found
    return None


def entries(analytic, numeric, sites):
    """[(analytic / numeric, sites(index))] for each entry of one sample's gradient whose
    numeric value is far from zero; sites(index) lists the units the entry passes through."""
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    return [(analytic[i] / numeric[i], sites(i)) for i in np.ndindex(numeric.shape)
            if abs(numeric[i]) > 1e-6]
