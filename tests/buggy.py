"""Buggy implementations, one classic mistake each, as other people write them.

Each is a copy of one of the kit's independent implementations (tests/implementations/
rewritten or verbatim) or of solutions/, with one mistake typed in: name -> (base folder,
module, [(text, replacement)], the case that must name it, the diagnosis code expected).
"""

import os
import shutil

from tests.helpers import KIT

BUGGY = {
    # trask
    "trask-error-reversed": ("rewritten", "trask", [
        ("delta = (y - layers[-1])", "delta = (layers[-1] - y)")],
        "trask::two-layer-update-gradient", "sign-flipped"),
    "trask-doubled-update": ("rewritten", "trask", [
        ("updates.insert(0, layers[i].T @ delta)", "updates.insert(0, 2 * layers[i].T @ delta)")],
        "trask::two-layer-update-gradient", "factor-2"),
    "trask-averaged-update": ("rewritten", "trask", [
        ("updates.insert(0, layers[i].T @ delta)",
         "updates.insert(0, layers[i].T @ delta / len(X))")],
        "trask::two-layer-update-gradient", "mean-vs-sum"),
    "trask-slope-at-input": ("solutions", "trask", [
        ("    l1_delta = l1_error * nonlin(l1, True)\n    return",
         "    l1_delta = l1_error * nonlin(np.dot(l0, syn0), True)\n    return")],
        "trask::two-layer-update-gradient", "slope-at-wrong-point"),
    "trask-no-hidden-slope": ("solutions", "trask", [
        ("    l1_delta = l1_error * nonlin(l1, deriv=True)\n    return",
         "    l1_delta = l1_error\n    return")],
        "trask::three-layer-updates-gradient", "wrong-activation-derivative"),
    "trask-update-transposed": ("rewritten", "trask", [
        ("updates.insert(0, layers[i].T @ delta)", "updates.insert(0, delta.T @ layers[i])")],
        "trask::two-layer-update-gradient", "transposed"),
    "trask-output-after-update": ("solutions", "trask", [
        ("    return syn0, l1", "    return syn0, nonlin(np.dot(X, syn0))")],
        "trask::two-layer-output", "one-update-late"),
    "trask-fixed-seed": ("rewritten", "trask", [
        ("rng = np.random.RandomState(seed)\n        syn0 = 2 * rng.random_sample((X.shape[1], "
         "y.shape[1]))", "rng = np.random.RandomState(1)\n        syn0 = 2 * "
         "rng.random_sample((X.shape[1], y.shape[1]))")],
        "trask::hidden-two-layer-seeded", "seed-ignored"),
    # aidan
    "aidan-doubled-step": ("solutions", "aidan", [
        ("self.weights += np.dot(self.inputs.T, delta)",
         "self.weights += 2 * np.dot(self.inputs.T, delta)")],
        "aidan::backpropagation-gradient", "factor-2"),
    "aidan-error-reversed": ("rewritten", "aidan", [
        ("self.error = self.outputs - self.hidden", "self.error = self.hidden - self.outputs")],
        "aidan::backpropagation-gradient", "sign-flipped"),
    "aidan-slope-at-input": ("rewritten", "aidan", [
        ("self.sigmoid(self.hidden, True)", "self.sigmoid(self.inputs @ self.weights, True)")],
        "aidan::backpropagation-gradient", "slope-at-wrong-point"),
    "aidan-averaged-step": ("solutions", "aidan", [
        ("self.weights += np.dot(self.inputs.T, delta)",
         "self.weights += np.dot(self.inputs.T, delta) / len(self.inputs)")],
        "aidan::backpropagation-gradient", "mean-vs-sum"),
    # zhou
    "zhou-loss-derivative-reversed": ("solutions", "zhou", [
        ("d_L_d_ypred = -2 * (y_true - y_pred)", "d_L_d_ypred = 2 * (y_true - y_pred)")],
        "zhou::backprop-gradient", "sign-flipped"),
    "zhou-loss-derivative-halved": ("solutions", "zhou", [
        ("d_L_d_ypred = -2 * (y_true - y_pred)", "d_L_d_ypred = -(y_true - y_pred)")],
        "zhou::backprop-gradient", "factor-half"),
    "zhou-hidden-slope-at-output": ("solutions", "zhou", [
        ("x[0] * deriv_sigmoid(sum_h1)", "x[0] * deriv_sigmoid(h1)"),
        ("x[1] * deriv_sigmoid(sum_h1)", "x[1] * deriv_sigmoid(h1)"),
        ("d_h1_d_b1 = deriv_sigmoid(sum_h1)", "d_h1_d_b1 = deriv_sigmoid(h1)"),
        ("x[0] * deriv_sigmoid(sum_h2)", "x[0] * deriv_sigmoid(h2)"),
        ("x[1] * deriv_sigmoid(sum_h2)", "x[1] * deriv_sigmoid(h2)"),
        ("d_h2_d_b2 = deriv_sigmoid(sum_h2)", "d_h2_d_b2 = deriv_sigmoid(h2)")],
        "zhou::backprop-gradient", "slope-at-wrong-point"),
    "zhou-every-slope-at-output": ("rewritten", "zhou", [
        ("* deriv_sigmoid(out)", "* deriv_sigmoid(sigmoid(out))"),
        ("* deriv_sigmoid(z)", "* deriv_sigmoid(h)")],
        "zhou::backprop-gradient", "slope-at-wrong-point"),
    "zhou-no-bias-gradients": ("rewritten", "zhou", [
        ('"b1": gz[0], "b2": gz[1], "b3": g}', '"b1": 0.0, "b2": 0.0, "b3": 0.0}')],
        "zhou::backprop-gradient", "missing-bias-gradient"),
    "zhou-summed-loss": ("rewritten", "zhou", [
        ("np.mean(np.square(", "np.sum(np.square(")],
        "zhou::mse-loss", "mean-vs-sum"),
    "zhou-own-seed": ("solutions", "zhou", [
        ("self.w1 = np.random.normal()",
         "np.random.seed(42)\n        self.w1 = np.random.normal()")],
        "zhou::initial-weights", "seed-ignored"),
    "zhou-own-generator": ("solutions", "zhou", [
        ("self.w1 = np.random.normal()", "self.w1 = np.random.default_rng().normal()")],
        "zhou::initial-weights", "seed-ignored"),
    # britz
    "britz-no-w2-regularisation": ("solutions", "britz", [('dW2 += reg_lambda * model["W2"]', "")],
                                   "britz::backprop-gradient", "missing-regularisation"),
    "britz-loss-without-penalty": ("rewritten", "britz", [
        ('penalty = reg_lambda / 2 * sum(', 'penalty = 0 * sum(')],
        "britz::hidden-loss-new-model", "missing-regularisation"),  # loss-uniform: W = 0
    "britz-loss-summed": ("solutions", "britz", [
        ("return 1.0 / num_examples * data_loss", "return data_loss")],
        "britz::loss-uniform", "mean-vs-sum"),
    "britz-gradient-averaged": ("solutions", "britz", [
        ('return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}',
         'return {k: v / num_examples for k, v in '
         '{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}.items()}')],
        "britz::backprop-gradient", "mean-vs-sum"),
    "britz-tanh-slope": ("rewritten", "britz", [("* (1 - a1 ** 2)", "* (1 - a1)")],
                         "britz::backprop-gradient", "wrong-activation-derivative"),
    "britz-no-b1-gradient": ("rewritten", "britz", [
        ('"b1": d2.sum(axis=0, keepdims=True)', '"b1": np.zeros((1, d2.shape[1]))')],
        "britz::backprop-gradient", "missing-bias-gradient"),
    "britz-dw1-transposed": ("solutions", "britz", [
        ("dW1 = np.dot(X.T, delta2)", "dW1 = np.dot(delta2.T, X)"),
        ('dW1 += reg_lambda * model["W1"]', 'dW1 += reg_lambda * model["W1"].T')],
        "britz::backprop-gradient", "transposed"),
    "britz-fixed-seed": ("solutions", "britz", [
        ("    np.random.seed(seed)\n", "    np.random.seed(0)\n")],
        "britz::hidden-build-model-other-seed", "seed-ignored"),
}


def write(name, folder):
    """Writes buggy implementation `name` (its one module) into `folder`; returns the module."""
    base, module, edits, _, _ = BUGGY[name]
    source = os.path.join(KIT, "solutions" if base == "solutions" else os.path.join(
        "tests", "implementations", base), module + ".py")
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    for old, new in edits:
        assert old in text, "%s: %r is not in %s" % (name, old, source)
        text = text.replace(old, new, 1)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, module + ".py"), "w", encoding="utf-8") as handle:
        handle.write(text)
    return module


def copy_others(folder, module):
    """Puts the reference's other modules beside the buggy one, so that a whole submission
    is graded."""
    for other in os.listdir(os.path.join(KIT, "solutions")):
        if other.endswith(".py") and other != module + ".py":
            shutil.copy(os.path.join(KIT, "solutions", other), os.path.join(folder, other))
