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
    "trask-three-layer-fixed-seed": ("rewritten", "trask", [  # the short seed runs' path
        ("rng = np.random.RandomState(seed)\n        syn0 = 2 * rng.random_sample((X.shape[1], "
         "hidden))", "rng = np.random.RandomState(1)\n        syn0 = 2 * "
         "rng.random_sample((X.shape[1], hidden))")],
        "trask::hidden-three-layer-other-size", "seed-ignored"),
    "trask-iterations-global": ("solutions", "trask", [  # a red team's: a global, not the argument
        ("def train_two_layer(", "ITERATIONS = 10000\n\n\ndef train_two_layer("),
        ("    for _ in range(iterations):\n        l0 = X\n        l1 = nonlin(np.dot(l0, syn0))",
         "    for _ in range(ITERATIONS):\n        l0 = X\n        l1 = nonlin(np.dot(l0, syn0))")],
        "trask::hidden-two-layer-seeded", "argument-ignored"),
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
    "britz-reg-lambda-constant": ("solutions", "britz", [
        ("grads = backprop(model, X, y, reg_lambda)", "grads = backprop(model, X, y, 0.01)")],
        "britz::hidden-build-model-other-rates", "argument-ignored"),
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
    # the mistakes of issue 16, found in students' own rebuilds
    "trask-stale-weights": ("solutions", "trask", [
        ("        l1_error = l2_delta.dot(syn1.T)\n        l1_delta = l1_error * nonlin(l1, "
         "deriv=True)\n        syn1 += l1.T.dot(l2_delta)\n",
         "        syn1 += l1.T.dot(l2_delta)\n        l1_error = l2_delta.dot(syn1.T)\n"
         "        l1_delta = l1_error * nonlin(l1, deriv=True)\n")],
        "trask::xor-errors", "stale-weights"),
    "trask-vector-output": ("solutions", "trask", [
        ("    l1 = nonlin(np.dot(l0, syn0))\n    l1_error", "    l1 = nonlin(np.dot(l0, syn0[:, 0]))"
         "\n    l1_error")],
        "trask::two-layer-update-gradient", "shape-broadcast"),
    "trask-seed-at-import": ("rewritten", "trask", [
        ("import numpy as np\n", "import numpy as np\n\nnp.random.seed(1)\n"),
        ("rng = np.random.RandomState(seed)\n        syn0 = 2 * rng.random_sample((X.shape[1], "
         "y.shape[1]))", "syn0 = 2 * np.random.random_sample((X.shape[1], y.shape[1]))")],
        "trask::hidden-two-layer-seeded", "seed-at-import"),
    "trask-signed-errors": ("solutions", "trask", [
        ("errors.append(np.mean(np.abs(l2_error)))", "errors.append(np.mean(l2_error))")],
        "trask::xor-errors", "abs-missing"),
    "trask-module-errors": ("solutions", "trask", [
        ("    errors = []\n    for j", "    for j"),
        ("import numpy as np\n", "import numpy as np\n\nerrors = []\n")],
        "trask::hidden-three-layer-from-weights", "state-shared"),
    "trask-weights-unscaled": ("solutions", "trask", [
        ("syn0 = 2 * np.random.random((X.shape[1], hidden)) - 1",
         "syn0 = np.random.random((X.shape[1], hidden))")],
        "trask::xor-errors", "starting-weights"),
    "aidan-signed-error": ("solutions", "aidan", [
        ("np.average(np.abs(self.error))", "np.average(self.error)")],
        "aidan::hidden-error-history-new-data", "abs-missing"),
    "aidan-class-lists": ("rewritten", "aidan", [
        ("        self.error_history, self.epoch_list = [], []\n", ""),
        ("class NeuralNetwork:\n", "class NeuralNetwork:\n    error_history = []\n"
         "    epoch_list = []\n")],
        "aidan::hidden-error-history-new-data", "state-shared"),
    "aidan-change-transposed": ("solutions", "aidan", [
        ("self.weights += np.dot(self.inputs.T, delta)",
         "self.weights = self.weights + np.dot(delta.T, self.inputs)")],
        "aidan::backpropagation-gradient", "transposed"),
    "aidan-error-after-update": ("solutions", "aidan", [
        ("self.error_history.append(np.average(np.abs(self.error)))",
         "self.error_history.append(np.average(np.abs(\n                self.outputs - "
         "self.sigmoid(np.dot(self.inputs, self.weights)))))")],
        "aidan::hidden-error-history-new-data", "one-update-late"),
    "aidan-random-weights": ("solutions", "aidan", [
        ("self.weights = np.full((inputs.shape[1], 1), 0.5)",
         "self.weights = np.random.rand(inputs.shape[1], 1)")],
        "aidan::init", "starting-weights"),
    "aidan-slope-recomputed": ("solutions", "aidan", [
        ("            return x * (1 - x)\n", "            s = 1 / (1 + np.exp(-x))\n"
         "            return s * (1 - s)\n")],
        "aidan::sigmoid-slope", "slope-at-wrong-point"),
    "zhou-backprop-without-b1": ("solutions", "zhou", [
        ("        sum_h1 = self.w1 * x[0] + self.w2 * x[1] + self.b1\n",
         "        sum_h1 = self.w1 * x[0] + self.w2 * x[1]\n")],
        "zhou::hidden-backprop-random", "forward-mismatch"),  # the public cases have b1 = 0
    "zhou-stale-weights": ("solutions", "zhou", [
        ("                grads = self.backprop(x, y_true)\n                for name, grad in "
         "grads.items():\n                    setattr(self, name, getattr(self, name) - "
         "learn_rate * grad)\n",
         "                sum_h1 = self.w1 * x[0] + self.w2 * x[1] + self.b1\n"
         "                h1 = sigmoid(sum_h1)\n"
         "                sum_h2 = self.w3 * x[0] + self.w4 * x[1] + self.b2\n"
         "                h2 = sigmoid(sum_h2)\n"
         "                sum_o1 = self.w5 * h1 + self.w6 * h2 + self.b3\n"
         "                d_L_d_ypred = -2 * (y_true - sigmoid(sum_o1))\n"
         "                self.w5 -= learn_rate * d_L_d_ypred * h1 * deriv_sigmoid(sum_o1)\n"
         "                self.w6 -= learn_rate * d_L_d_ypred * h2 * deriv_sigmoid(sum_o1)\n"
         "                self.b3 -= learn_rate * d_L_d_ypred * deriv_sigmoid(sum_o1)\n"
         "                d_h1 = d_L_d_ypred * self.w5 * deriv_sigmoid(sum_o1)\n"
         "                d_h2 = d_L_d_ypred * self.w6 * deriv_sigmoid(sum_o1)\n"
         "                self.w1 -= learn_rate * d_h1 * x[0] * deriv_sigmoid(sum_h1)\n"
         "                self.w2 -= learn_rate * d_h1 * x[1] * deriv_sigmoid(sum_h1)\n"
         "                self.b1 -= learn_rate * d_h1 * deriv_sigmoid(sum_h1)\n"
         "                self.w3 -= learn_rate * d_h2 * x[0] * deriv_sigmoid(sum_h2)\n"
         "                self.w4 -= learn_rate * d_h2 * x[1] * deriv_sigmoid(sum_h2)\n"
         "                self.b2 -= learn_rate * d_h2 * deriv_sigmoid(sum_h2)\n")],
        "zhou::hidden-training-new-people", "stale-weights"),
    "zhou-backprop-without-output-sigmoid": ("solutions", "zhou", [
        ("        y_pred = sigmoid(sum_o1)\n\n        d_L_d_ypred",
         "        y_pred = sum_o1\n\n        d_L_d_ypred")],
        "zhou::backprop-gradient", "forward-mismatch"),
    "zhou-predictions-column": ("solutions", "zhou", [
        ("y_preds = np.apply_along_axis(self.feedforward, 1, data)",
         "y_preds = np.apply_along_axis(self.feedforward, 1, data).reshape(-1, 1)")],
        "zhou::training-loss", "shape-broadcast"),
    "zhou-loss-never-reset": ("solutions", "zhou", [
        ("        losses = []\n", "        losses = []\n        total = 0.0\n"),
        ("                losses.append(mse_loss(all_y_trues, y_preds))",
         "                total += mse_loss(all_y_trues, y_preds)\n"
         "                losses.append(total)")],
        "zhou::training-loss", "state-shared"),
    "zhou-fixed-learning-rate": ("solutions", "zhou", [
        ("getattr(self, name) - learn_rate * grad", "getattr(self, name) - 0.1 * grad")],
        "zhou::hidden-training-six-people", "learning-rate-ignored"),
    "britz-db2-wrong-axis": ("solutions", "britz", [
        ("db2 = np.sum(delta3, axis=0, keepdims=True)", "db2 = np.sum(delta3, axis=1, "
         "keepdims=True)")],
        "britz::backprop-gradient", "wrong-axis"),
    "britz-label-columns": ("solutions", "britz", [
        ("delta3[range(num_examples), y] -= 1", "delta3[:, y] -= 1")],
        "britz::backprop-gradient", "label-indexing"),
    "britz-learning-rate-twice": ("solutions", "britz", [
        ("model[name] + -epsilon * grads[name]", "model[name] + -epsilon * (epsilon * "
         "grads[name])")],
        "britz::loss-iteration-1000", "learning-rate-twice"),
    "britz-predict-probabilities": ("solutions", "britz", [
        ("return np.argmax(probs, axis=1)", "return probs")],
        "britz::predict-argmax", "probabilities-not-classes"),
    "britz-weights-unscaled": ("rewritten", "britz", [
        ('"W1": np.random.randn(n_in, nn_hdim) / np.sqrt(n_in)',
         '"W1": np.random.randn(n_in, nn_hdim)')],
        "britz::loss-iteration-0", "starting-weights"),
    "britz-seed-at-import": ("rewritten", "britz", [
        ("    np.random.seed(seed)\n", ""),
        ("import numpy as np\n", "import numpy as np\n\nnp.random.seed(0)\n")],
        "britz::hidden-build-model-other-seed", "seed-at-import"),
}


def batches():
    """The buggy implementations in groups of at most one per tutorial, so that one grading
    run of a group's folder grades several of them: [{module: name}]."""
    by_module = {}
    for name in sorted(BUGGY):
        by_module.setdefault(BUGGY[name][1], []).append(name)
    return [{module: names[i] for module, names in by_module.items() if i < len(names)}
            for i in range(max(len(names) for names in by_module.values()))]


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


def copy_others(folder, *modules):
    """Puts the reference's other modules beside the buggy ones, so that a whole submission
    is graded."""
    for other in os.listdir(os.path.join(KIT, "solutions")):
        if other.endswith(".py") and other[:-3] not in modules:
            shutil.copy(os.path.join(KIT, "solutions", other), os.path.join(folder, other))
