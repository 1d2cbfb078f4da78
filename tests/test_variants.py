"""Known-wrong variants of the solutions each lose exactly the cases that should catch them."""

import os

import pytest

from graders.model import spec
from graders.model.results import case_ids, module_of
from tests.helpers import copy_solutions, failed, grade, outputs, variant

TRASK_TWO_LAYER_TRAINING = ("trask::hidden-two-layer-seeded",
                            "trask::hidden-two-layer-from-weights",
                            "trask::hidden-two-layer-from-weights-drawn")
TRASK_TWO_LAYER = ("trask::hidden-two-layer-update-random", "trask::hidden-two-layer-update-drawn",
                   *TRASK_TWO_LAYER_TRAINING)
TRASK_THREE_LAYER = ("trask::hidden-three-layer-updates-random", "trask::hidden-three-layer-seeded",
                     "trask::hidden-three-layer-from-weights",
                     "trask::hidden-three-layer-updates-drawn",
                     "trask::hidden-three-layer-from-weights-drawn",
                     "trask::hidden-three-layer-other-size")
BRITZ_BUILD_MODEL = ("britz::hidden-build-model-new-data", "britz::hidden-build-model-other-seed",
                     "britz::hidden-build-model-three-classes",
                     "britz::hidden-build-model-drawn-fifty",
                     "britz::hidden-build-model-other-rates")
BRITZ_TRAINING = ("britz::hidden-backprop-new-model", "britz::hidden-backprop-drawn",
                  "britz::hidden-backprop-other-lambda", *BRITZ_BUILD_MODEL)
ZHOU_TRAINING = ("zhou::hidden-training-new-people", "zhou::hidden-training-six-people",
                 "zhou::hidden-training-drawn")
ZHOU_DRAWS = {"zhou::initial-weights", "zhou::hidden-initial-weights-drawn-seed"}
# name: (module, [(text in solutions/<module>.py, replacement)], ids of the cases it must fail)
VARIANTS = {
    "trask-flipped-error-sign": ("trask", [("l1_error = y - l1", "l1_error = l1 - y")], {
        "trask::two-layer-update-gradient", "trask::two-layer-output",
        *TRASK_TWO_LAYER}),
    "trask-missing-hidden-derivative": ("trask", [(
        "l1_delta = l1_error * nonlin(l1, deriv=True)", "l1_delta = l1_error")], {
        "trask::three-layer-updates-gradient", "trask::xor-errors",
        *TRASK_THREE_LAYER}),
    # The updates and training that call this nonlin are credited around it (test_roots.py).
    "trask-slope-of-sigmoid-twice": ("trask", [(
        "return x * (1 - x)", "return nonlin(x) * (1 - nonlin(x))")], {"trask::nonlin-slope"}),
    "aidan-factor-of-two": ("aidan", [(
        "self.weights += np.dot(self.inputs.T, delta)",
        "self.weights += 2 * np.dot(self.inputs.T, delta)")], {
        "aidan::backpropagation-gradient", "aidan::predictions",
        "aidan::hidden-backpropagation-new-weights", "aidan::hidden-predictions-random",
        "aidan::hidden-error-history-new-data", "aidan::hidden-error-history-four-features",
        "aidan::hidden-backpropagation-drawn", "aidan::hidden-predictions-drawn",
        "aidan::hidden-error-history-drawn"}),
    "zhou-flipped-loss-derivative": ("zhou", [(
        "d_L_d_ypred = -2 * (y_true - y_pred)", "d_L_d_ypred = 2 * (y_true - y_pred)")], {
        "zhou::worked-gradient", "zhou::backprop-gradient", "zhou::training-loss",
        "zhou::training-predictions", "zhou::hidden-backprop-random", "zhou::hidden-backprop-drawn",
        *ZHOU_TRAINING}),
    "britz-missing-regularisation": ("britz", [(
        'dW2 += reg_lambda * model["W2"]', "")], {
        "britz::backprop-gradient", "britz::loss-iteration-0", "britz::loss-iteration-1000",
        "britz::loss-iteration-2000", "britz::loss-later", *BRITZ_TRAINING}),
    "britz-transposed-weights": ("britz", [(
        'delta2 = delta3.dot(model["W2"].T)', 'delta2 = delta3.dot(model["W2"])')], {
        "britz::backprop-gradient", "britz::loss-iteration-0", "britz::loss-iteration-1000",
        "britz::loss-iteration-2000", "britz::loss-later", "britz::training-accuracy",
        *BRITZ_TRAINING}),
    "britz-loss-not-averaged": ("britz", [(
        "return 1.0 / num_examples * data_loss", "return data_loss")], {
        "britz::loss-uniform", "britz::loss-iteration-0", "britz::loss-iteration-1000",
        "britz::loss-iteration-2000", "britz::loss-later", "britz::hidden-loss-new-model",
        "britz::hidden-loss-drawn", "britz::hidden-loss-other-lambda"}),
    "britz-predict-missing": ("britz", [("def predict(model, x):", "def predict_(model, x):")], {
        "britz::predict-argmax", "britz::hidden-predict-random", "britz::hidden-predict-drawn"}),
    # Each case fails only for what it checks: the printed losses need no returned model, the
    # predictions no loss history.
    "britz-build-model-returns-none": ("britz", [("    return model", "    return None")], {
        "britz::training-accuracy", *BRITZ_BUILD_MODEL}),
    "zhou-losses-every-50-epochs": ("zhou", [("if epoch % 10 == 0:", "if epoch % 50 == 0:")],
                                    {"zhou::training-loss", *ZHOU_TRAINING}),
    "zhou-train-returns-none": ("zhou", [("        return losses", "        return None")],
                                {"zhou::training-loss", *ZHOU_TRAINING}),
    # The drawn weights must follow numpy's seed, which the kit sets.
    "zhou-unseeded-network": ("zhou", [("self.w1 = np.random.normal()",
                                        "self.w1 = np.random.default_rng().normal()")],
                              ZHOU_DRAWS),
    "zhou-fixed-seed-in-init": ("zhou", [(
        "self.w1 = np.random.normal()",
        "np.random.seed(42)\n        self.w1 = np.random.normal()")], ZHOU_DRAWS),
    # The contract leaves the arguments as they were; the worker sends them back to compare.
    "trask-update-changes-its-weights": ("trask", [(
        "    return np.dot(l0.T, l1_delta)",
        "    syn0 += np.dot(l0.T, l1_delta)\n    return np.dot(l0.T, l1_delta)")], {
        "trask::two-layer-update-gradient", "trask::hidden-two-layer-update-random",
        "trask::hidden-two-layer-update-drawn"}),
    "trask-training-changes-the-given-weights": ("trask", [(
        "        syn0 = np.array(syn0, dtype=float)\n        syn1 = np.array(syn1, dtype=float)",
        "        syn0 = np.asarray(syn0, dtype=float)\n        syn1 = np.asarray(syn1, dtype=float)")],
        {"trask::hidden-three-layer-from-weights", "trask::hidden-three-layer-from-weights-drawn"}),
    # A class-based net that reports its output after the final update.
    "trask-output-one-update-late": ("trask", [(
        "    return syn0, l1", "    return syn0, nonlin(np.dot(X, syn0))")],
        {"trask::two-layer-output", *TRASK_TWO_LAYER_TRAINING}),
}


# What a variant's failure must say: (case, text in its output).
MESSAGES = {
    "trask-output-one-update-late": ("trask::two-layer-output", "l1 is one update late: got "),
    "zhou-unseeded-network": ("zhou::initial-weights", "so that numpy's seed decides them"),
    "trask-update-changes-its-weights": ("trask::two-layer-update-gradient",
                                         "changed its argument syn0 in place"),
    "trask-training-changes-the-given-weights": ("trask::hidden-three-layer-from-weights",
                                                 "changed its argument syn0 in place"),
    "zhou-losses-every-50-epochs": ("zhou::training-loss", "returned losses returned a list of "
                                                           "20 values, but the tests expected 100"),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_loses_exactly_its_cases(name, tmp_path):
    """Only the edited module is graded (`-k`, as tests/test_roots.py does): the other three
    are solutions/ as test_kit_scores.py grades them, and tutorials are graded apart."""
    module, edits, expected = VARIANTS[name]
    results, _ = grade(variant(tmp_path, module, edits), "-k", "test_%s.py" % module,
                       tmp_path=tmp_path)
    assert case_ids(results) == {case.name for case in spec.load(module).cases}
    assert failed(results) == expected
    if name in MESSAGES:
        case, text = MESSAGES[name]
        assert text in outputs(results)[case]


def test_syntax_error_fails_only_its_module(tmp_path):
    folder = copy_solutions(tmp_path)
    with open(os.path.join(folder, "zhou.py"), "a", encoding="utf-8") as handle:
        handle.write("\ndef broken(:\n")
    results, run = grade(folder, tmp_path=tmp_path)
    zhou = [t for t in results["tests"] if module_of(t) == "zhou"]
    others = [t for t in results["tests"] if module_of(t) != "zhou"]
    assert zhou and all(t["status"] == "failed" for t in zhou)
    assert all("zhou.py could not be imported: SyntaxError" in t["output"] for t in zhou)
    assert others and all(t["status"] == "passed" for t in others)
    assert "Traceback" not in run.stdout
