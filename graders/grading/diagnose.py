"""Diagnoses: the classic mistake recognised from the numbers of a failed case.

A diagnosis is a stable code (results.json `extra_data["diagnosis"]`) and one sentence naming
the function, the parameter and the fix. It is given only when the evidence fits one mistake
exactly; anything else keeps the plain message. The rules here apply the tables of
graders/grading/mistakes.py: what a mistake does to the ratio analytic / numeric of a gradient,
and which wrong slope of an activation gives which code.
"""

import numpy as np

from graders.model.i18n import _
from graders.grading.mistakes import (HELPER_SLOPES, LAYERS, RATIOS, SENTENCES,  # noqa: F401
                                      TRUE_SLOPE, UNMET, WRONG_SLOPES)  # UNMET: checks.py

TOLERANCE = 1e-3  # relative: how closely a ratio must fit a mistake's


class Diagnosis:
    """A recognised mistake: its stable code and the sentence the student reads."""

    def __init__(self, code, sentence):
        self.code, self.sentence = code, sentence


def same(actual, predicted):
    """Whether `actual` is what a mistake predicts, to rounding (arrays of the same shape)."""
    actual, predicted = np.asarray(actual, float), np.asarray(predicted, float)
    return actual.shape == predicted.shape and bool(np.allclose(actual, predicted, rtol=1e-6,
                                                                atol=1e-9))


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


def simple(code, what, sentence=None, **details):
    """A diagnosis whose evidence the caller has checked (a transposed shape, an output one
    update late, draws that ignore the seed); `sentence` names another of SENTENCES than the
    code's own, and `details` fill the sentence's other blanks."""
    return Diagnosis(code, _(SENTENCES[sentence or code]) % dict(details, what=what))


def uniform_ratio(pairs, what, true_error, learning_rate):
    """forward-mismatch: every gradient entry off by one ratio that no RATIOS code explains.

    A backprop whose every gradient is r times the true one scales the output error
    (target - prediction) by r: its prediction is not the forward pass's, unless r is the
    tutorial's `learning_rate` (learning-rate-twice: the gradient already scaled by it).
    true_error is (target, prediction) of the kit's own forward pass, for one output.
    """
    analytic = np.concatenate([np.ravel(a) for a, _ in pairs.values()])
    numeric = np.concatenate([np.ravel(n) for _, n in pairs.values()])
    used = np.abs(numeric) > 1e-6
    if used.sum() < 2:
        return None
    observed = analytic[used] / numeric[used]
    r = float(np.median(observed))
    if abs(r - 1) < 1e-2 or not _fits(observed, np.full(observed.shape, r)):
        return None
    if _fits(r, learning_rate):
        return simple("learning-rate-twice", what, "learning-rate-in-gradient", rate="%g" % r)
    target, prediction = true_error
    return simple("forward-mismatch", what, ratio="%.4g" % r,
                  used="%.6g" % (target - r * (target - prediction)), true="%.6g" % prediction)


def seed_use(results):
    """seed-ignored or seed-at-import from three results of the same call (None: seed followed).

    results: (seeded, other_seed, other_state): the call as the case makes it, after the
    same numpy state; with another seed argument; and with the case's seed after another
    numpy state. Code that follows its seed changes with the seed argument; code seeded at
    import (or never) changes only with the state before the call; a fixed seed, with neither.
    """
    seeded, other_seed, other_state = results
    if not all(np.array_equal(a, b) for a, b in zip(seeded, other_seed)):
        return None
    moved = not all(np.array_equal(a, b) for a, b in zip(seeded, other_state))
    return "seed-at-import" if moved else "seed-ignored"


def step_rate(before, after, gradient):
    """The rate r of one gradient step after = before - r * gradient, if one r fits them all."""
    before, after, gradient = (np.concatenate([np.ravel(np.asarray(v, float)) for v in part])
                               for part in (before, after, gradient))
    used = np.abs(gradient) > 1e-6
    if not used.any():
        return None
    rates = (before[used] - after[used]) / gradient[used]
    r = float(np.median(rates))
    return r if r and _fits(rates, np.full(rates.shape, r)) else None


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


def rate(observed, given, default, what):
    """learning-rate-twice (a step of given^2) or learning-rate-ignored (the default's step
    whatever is given), from the rate one step was taken with; None if neither fits."""
    if observed is None or _fits(observed, given):
        return None
    if given != 1 and _fits(observed, given ** 2):
        return simple("learning-rate-twice", what, rate="%g" % observed, given="%g" % given)
    if given != default and _fits(observed, default):
        return simple("learning-rate-ignored", what, rate="%g" % observed, given="%g" % given)
    return None


def helper_slope(actual, x, argument, what):
    """slope-at-wrong-point in a slope helper: its result is the formula for the other point
    (argument: whether the contract's x is the sigmoid's "output" or its "input")."""
    mistake, right, wrong = HELPER_SLOPES[argument]
    if same(actual, wrong(np.asarray(x, float))):
        return simple("slope-at-wrong-point", what, "slope-helper", mistake=_(mistake),
                      right=_(right))
    return None
