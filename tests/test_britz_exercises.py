"""britz_exercises, the fifth tutorial: its buggy variants lose exactly the cases their bug
touches, and its three-class data is what its header says."""

import os

import numpy as np
import pytest

from tests.helpers import KIT, failed, grade, variant

M = "britz_exercises::"
BACKPROP = {M + case for case in (
    "backprop-tanh", "backprop-sigmoid", "backprop-relu", "backprop-leaky-relu", "backprop-deep",
    "backprop-deep-unregularised", "backprop-three-classes", "hidden-backprop-tanh",
    "hidden-backprop-sigmoid", "hidden-backprop-relu", "hidden-backprop-leaky-relu",
    "hidden-backprop-deepest", "hidden-backprop-drawn")}
# The training runs compared closely with the reference, or banded on the moons' loss.
TRAININGS = {M + case for case in (
    "train-moons-loss", "train-annealed", "train-three-classes", "size-study",
    "hidden-train-new-data", "hidden-train-three-classes", "hidden-train-other-seed",
    "hidden-study-other-seed", "hidden-train-drawn", "hidden-study-drawn",
    "hidden-train-other-lambda")}
RELU = {M + case for case in ("backprop-relu", "backprop-leaky-relu", "hidden-backprop-relu",
                              "hidden-backprop-leaky-relu")}
# name: ([(text in solutions/britz_exercises.py, replacement)], the cases it must fail,
#        {case: diagnosis code} among them, {case: the helper credited as its root cause})
# A wrong helper (activate, activation_slope, learning_rate, batches) loses exactly its own
# cases: the callers that fail only because of it pass with the contract's stand-in.
VARIANTS = {
    "relu-slope-missing": ([('"relu": lambda v: (v > 0).astype(float)',
                             '"relu": lambda v: np.ones_like(v)')], {
        M + "slope-relu", M + "hidden-slope-relu", M + "hidden-relu-slope-at-zero"}, {},
        dict.fromkeys((M + "backprop-relu", M + "hidden-backprop-relu", M + "train-deep-relu"),
                      "activation_slope")),
    "sigmoid-slope-formula-on-its-input": ([("        return s * (1 - s)",
                                      "        return z * (1 - z)")], {
        M + "slope-sigmoid", M + "hidden-slope-sigmoid"}, {},
        dict.fromkeys((M + "backprop-sigmoid", M + "hidden-backprop-sigmoid",
                       M + "hidden-backprop-deepest"), "activation_slope")),
    # The slope taken at the layer's output inside backprop, activation_slope itself right:
    # relu's and leaky relu's slopes are the same there, tanh's and the sigmoid's are not.
    "backprop-slope-at-the-output": ([("activation_slope(zs[l - 2], activation)",
                                       "activation_slope(activations[l - 1], activation)")],
                                     BACKPROP - RELU | TRAININGS, dict.fromkeys((
                                         M + "backprop-sigmoid", M + "backprop-tanh"),
                                         "slope-at-wrong-point"), {}),
    # Every layer below the output gets its delta doubled: each gradient check and every
    # training run compared closely; the accuracy bands of the moons still hold.
    "hidden-delta-doubled": ([('delta = delta.dot(model["W%d" % l].T)',
                               'delta = 2 * delta.dot(model["W%d" % l].T)')], BACKPROP | TRAININGS | {
        M + "train-deep-relu"},
        {M + "hidden-backprop-relu": "factor-2"}, {}),
    # No reg_lambda * W in the weights' gradients: every regularised gradient check, each
    # diagnosed, and the runs compared closely with the reference.
    "regularisation-missing": ([(' + reg_lambda * model["W%d" % l]', '')], (
        BACKPROP - {M + "backprop-deep-unregularised"}) | {
        M + "hidden-train-new-data", M + "hidden-train-three-classes",
        M + "hidden-train-other-seed", M + "hidden-train-drawn", M + "hidden-train-other-lambda"},
        {case: "missing-regularisation" for case in BACKPROP - {
            M + "backprop-deep-unregularised"}}, {}),
    # The short last batch left out: the batches; the runs compared with the reference whose
    # data does not divide into whole batches are credited around it.
    "short-last-batch-skipped": ([("range(0, len(order), batch_size)",
                                   "range(0, len(order) - batch_size + 1, batch_size)")], {
        M + "batches-short-last", M + "hidden-batches-new", M + "hidden-batches-one-batch",
        M + "hidden-batches-drawn"}, {},
        dict.fromkeys((M + "hidden-train-new-data", M + "hidden-train-three-classes",
                       M + "hidden-train-drawn", M + "hidden-train-other-lambda"), "batches")),
    # t counted from 1: the schedule; the runs with decay compared with the reference are
    # credited around it.
    "schedule-one-step-late": ([("return epsilon0 / (1 + decay * t)",
                                 "return epsilon0 / (1 + decay * (t + 1))")], {
        M + "learning-rate-annealed", M + "hidden-learning-rate-new",
        M + "hidden-learning-rate-late", M + "hidden-learning-rate-drawn"}, {},
        dict.fromkeys((M + "hidden-train-new-data", M + "hidden-train-drawn"),
                      "learning_rate")),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_loses_exactly_the_cases_its_bug_touches(name, tmp_path):
    edits, expected, diagnoses, credited = VARIANTS[name]
    results, _ = grade(variant(tmp_path, "britz_exercises", edits), "-k", "britz_exercises",
                       tmp_path=tmp_path)
    assert failed(results) == expected
    found = {M + t["extra_data"]["case"]: t["extra_data"].get("diagnosis")
             for t in results["tests"] if t["status"] == "failed"}
    for case, code in diagnoses.items():
        assert found[case] == code, case
    roots = {M + t["extra_data"]["case"]: t["extra_data"]["root"] for t in results["tests"]
             if "root" in t["extra_data"]}
    assert roots == {case: ["britz_exercises." + helper] for case, helper in credited.items()}


def test_short_last_batch_is_named(tmp_path):
    edits = VARIANTS["short-last-batch-skipped"][0]
    results, _ = grade(variant(tmp_path, "britz_exercises", edits), "-k", "batches-short-last",
                       hidden=False, tmp_path=tmp_path)
    [test] = results["tests"]
    assert "returned 2 batches, but the tests expected 3" in test["output"]
    assert "the last one holding the 2 left over" in test["output"]


def test_shipped_blobs_are_what_their_header_says():
    sklearn = pytest.importorskip("sklearn.datasets")
    np.random.seed(0)
    X, y = sklearn.make_blobs(150, centers=[[0, 1.5], [-1.3, -0.75], [1.3, -0.75]],
                              cluster_std=0.7)
    table = np.loadtxt(os.path.join(KIT, "spec", "data", "britz_exercises_blobs.csv"),
                       delimiter=",", skiprows=4)
    assert np.array_equal(table[:, :2], X) and np.array_equal(table[:, 2], y)
    assert sorted(np.bincount(y)) == [50, 50, 50]
