"""Known-wrong variants of the solutions each lose exactly the cases that should catch them."""

import os

import pytest

from tests.helpers import copy_solutions, failed, grade

# name: (module, [(text in solutions/<module>.py, replacement)], ids of the cases it must fail)
VARIANTS = {
    "trask-flipped-error-sign": ("trask", [("l1_error = y - l1", "l1_error = l1 - y")], {
        "trask::two-layer-update-gradient", "trask::two-layer-output",
        "trask::hidden-two-layer-update-random", "trask::hidden-two-layer-seeded",
        "trask::hidden-two-layer-from-weights"}),
    "trask-missing-hidden-derivative": ("trask", [(
        "l1_delta = l1_error * nonlin(l1, deriv=True)", "l1_delta = l1_error")], {
        "trask::three-layer-updates-gradient", "trask::xor-errors",
        "trask::hidden-three-layer-updates-random", "trask::hidden-three-layer-seeded",
        "trask::hidden-three-layer-from-weights"}),
    "trask-slope-of-sigmoid-twice": ("trask", [(
        "return x * (1 - x)", "return nonlin(x) * (1 - nonlin(x))")], {
        "trask::nonlin-slope", "trask::two-layer-update-gradient", "trask::two-layer-output",
        "trask::three-layer-updates-gradient", "trask::xor-errors",
        "trask::hidden-two-layer-update-random", "trask::hidden-two-layer-seeded",
        "trask::hidden-two-layer-from-weights", "trask::hidden-three-layer-updates-random",
        "trask::hidden-three-layer-seeded", "trask::hidden-three-layer-from-weights"}),
    "aidan-factor-of-two": ("aidan", [(
        "self.weights += np.dot(self.inputs.T, delta)",
        "self.weights += 2 * np.dot(self.inputs.T, delta)")], {
        "aidan::backpropagation-gradient", "aidan::predictions",
        "aidan::hidden-backpropagation-random", "aidan::hidden-predictions-random",
        "aidan::hidden-error-history-random"}),
    "zhou-flipped-loss-derivative": ("zhou", [(
        "d_L_d_ypred = -2 * (y_true - y_pred)", "d_L_d_ypred = 2 * (y_true - y_pred)")], {
        "zhou::worked-gradient", "zhou::backprop-gradient", "zhou::training-loss",
        "zhou::training-predictions", "zhou::hidden-backprop-random",
        "zhou::hidden-training-random"}),
    "britz-missing-regularisation": ("britz", [(
        'dW2 += reg_lambda * model["W2"]', "")], {
        "britz::backprop-gradient", "britz::loss-iteration-0", "britz::loss-iteration-1000",
        "britz::loss-iteration-2000", "britz::loss-later", "britz::hidden-backprop-random",
        "britz::hidden-build-model-random"}),
    "britz-transposed-weights": ("britz", [(
        'delta2 = delta3.dot(model["W2"].T)', 'delta2 = delta3.dot(model["W2"])')], {
        "britz::backprop-gradient", "britz::loss-iteration-0", "britz::loss-iteration-1000",
        "britz::loss-iteration-2000", "britz::loss-later", "britz::training-accuracy",
        "britz::hidden-backprop-random", "britz::hidden-build-model-random"}),
    "britz-loss-not-averaged": ("britz", [(
        "return 1.0 / num_examples * data_loss", "return data_loss")], {
        "britz::loss-uniform", "britz::loss-iteration-0", "britz::loss-iteration-1000",
        "britz::loss-iteration-2000", "britz::loss-later", "britz::hidden-loss-random"}),
    "britz-predict-missing": ("britz", [("def predict(model, x):", "def predict_(model, x):")], {
        "britz::predict-argmax", "britz::hidden-predict-random"}),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_loses_exactly_its_cases(name, tmp_path):
    module, edits, expected = VARIANTS[name]
    folder = copy_solutions(tmp_path)
    path = os.path.join(folder, module + ".py")
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    for old, new in edits:
        assert old in source, "the variant's text is no longer in solutions/%s.py" % module
        source = source.replace(old, new)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(source)
    results, _ = grade(folder, tmp_path=tmp_path)
    assert failed(results) == expected


def test_syntax_error_fails_only_its_module(tmp_path):
    folder = copy_solutions(tmp_path)
    with open(os.path.join(folder, "zhou.py"), "a", encoding="utf-8") as handle:
        handle.write("\ndef broken(:\n")
    results, run = grade(folder, tmp_path=tmp_path)
    zhou = [t for t in results["tests"] if t["name"].startswith("zhou: ")]
    others = [t for t in results["tests"] if not t["name"].startswith("zhou: ")]
    assert zhou and all(t["status"] == "failed" for t in zhou)
    assert all("zhou.py could not be imported: SyntaxError" in t["output"] for t in zhou)
    assert others and all(t["status"] == "passed" for t in others)
    assert "Traceback" not in run.stdout
