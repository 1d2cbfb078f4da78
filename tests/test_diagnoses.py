"""Diagnoses name the classic mistake of buggy implementations, and never a correct function."""

import os

import numpy as np
import pytest

from graders.grading import diagnose
from graders.grading import ignored
from graders.grading import scoreboard as report
from graders.model import spec
from graders.model import results as results_data
from tests.buggy import BUGGY, batches, copy_others, write
from tests.helpers import KIT, failed, grade, variant

CORRECT = {"solutions": os.path.join(KIT, "solutions"),
           **{name: os.path.join(KIT, "tests", "implementations", name)
              for name in ("rewritten", "verbatim")}}


def diagnoses(results):
    """{'module::case': code} for every test of a results.json that carries a diagnosis."""
    return {results_data.case_id(test): test["extra_data"]["diagnosis"]
            for test in results["tests"] if "diagnosis" in test["extra_data"]}


# Buggy implementations whose training is right and whose losses are not: the case that says so.
TRAINED_RIGHT = {"zhou-loss-never-reset": "zhou::hidden-training-new-people",
                 "zhou-predictions-column": "zhou::hidden-training-new-people",
                 "trask-signed-errors": "trask::hidden-three-layer-seeded",
                 "aidan-signed-error": "aidan::hidden-error-history-new-data"}


def check_requirements(results):
    """A failed generality case leads with its requirement exactly where its diagnosis (or a
    wrong type or shape) shows it unmet, and names it after the message otherwise."""
    cases = {case.name: case for module in spec.modules() for case in spec.load(module).cases}
    for test in results["tests"]:
        case = cases[results_data.case_id(test)]
        if test["status"] != "failed" or case.kind != spec.GENERALITY:
            continue
        code, unmet = test["extra_data"].get("diagnosis"), test["extra_data"]["requirement"]
        if code:
            assert (unmet == "unmet") == (code in diagnose.UNMET), (case.name, code, unmet)
        lead = report.requirement(case.requires, True)
        assert test["output"].startswith(lead) == (unmet == "unmet"), test["output"]
        assert unmet == "unmet" or report.requirement(case.requires, False) in test["output"]


@pytest.mark.parametrize("batch", batches(), ids=lambda batch: "+".join(sorted(batch.values())))
def test_buggy_implementations_get_their_diagnosis(batch, tmp_path):
    """Each buggy module, graded beside the other tutorials' buggy modules (one mistake per
    tutorial), gets its code on its case and no other code anywhere in its tutorial. Only
    the buggy modules' tutorials are graded: the reference's are graded once for the whole
    run (test_correct_functions_get_no_diagnosis)."""
    folder = str(tmp_path / "submission")
    for name in batch.values():
        write(name, folder)
    copy_others(folder, *batch)
    results, _ = grade(folder, "-k", " or ".join("test_%s.py" % m for m in sorted(batch)),
                       tmp_path=tmp_path)
    assert {results_data.module_of(test) for test in results["tests"]} == set(batch)
    found = diagnoses(results)
    passed = results_data.case_ids(results, "passed")
    assert not passed & set(found), "a passing case has a diagnosis: %s" % found
    problems = []
    for module, name in sorted(batch.items()):
        _, _, _, case, code = BUGGY[name]
        mine = {key: value for key, value in found.items() if key.startswith(module + "::")}
        if mine.get(case) != code or set(mine.values()) != {code}:
            problems.append("%s: %s expected on %s, got %s" % (name, code, case, mine))
    assert not problems, "\n".join(problems)
    outputs = {results_data.case_id(test): test["output"] for test in results["tests"]}
    for name in set(batch.values()) & set(TRAINED_RIGHT):
        assert "so the training itself is right" in outputs[TRAINED_RIGHT[name]], name
    check_requirements(results)


# The tutorials' code kept verbatim hard-codes the tutorials' seeds, so it fails the generality
# cases that pass another seed; the diagnosis says exactly that, and nothing anywhere else.
TRUE_DIAGNOSES = {"verbatim": {"trask::hidden-two-layer-seeded": "seed-ignored",
                               "britz::hidden-build-model-other-seed": "seed-ignored"}}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_functions_get_no_diagnosis(name, shared_gradings):
    results, _ = shared_gradings.grade(CORRECT[name])
    assert diagnoses(results) == TRUE_DIAGNOSES.get(name, {})
    check_requirements(results)


# A first recorded error of 0.5 on targets half 0 and half 1 is what an (N,) - (N, 1) broadcast
# gives whatever the network predicts, so it is no evidence of one (found by an outside tester:
# backpropagation run before feed_forward, from a hidden layer of zeros, also starts at 0.5).
FIRST_ERROR_OF_ONE_HALF = [
    ("        self.error_history = []\n",
     "        self.error_history = []\n        self.hidden = np.zeros((inputs.shape[0], 1))\n"),
    ("            self.feed_forward()\n            self.backpropagation()\n",
     "            self.backpropagation()\n            self.feed_forward()\n")]
BROADCAST = [("self.error_history.append(np.average(np.abs(self.error)))",
              "self.error_history.append(np.average(np.abs(self.outputs.ravel() - self.hidden)))")]


@pytest.mark.parametrize("edits, broadcasts", [(FIRST_ERROR_OF_ONE_HALF, False),
                                               (BROADCAST, True)], ids=["one-half", "broadcast"])
def test_shape_broadcast_is_named_only_where_the_error_history_shows_it(edits, broadcasts,
                                                                        tmp_path):
    folder = variant(tmp_path, "aidan", edits)
    results, _ = grade(folder, "-k", "test_aidan.py", tmp_path=tmp_path)
    assert failed(results), "the mistake costs no case"
    found = diagnoses(results)
    assert ("shape-broadcast" in found.values()) == broadcasts, found


def test_argument_ignored_compares_any_answer_and_counts_only_real_numbers():
    """A student's answer may be anything plain data holds; the rule compares it with the
    reference's without failing, and never judges by labels or flags alone, which can equal
    the default's answer by chance."""
    model = {"W": np.ones((2, 2)), "b": [1.0, 2.0]}
    assert ignored.alike(model, {"W": np.ones((2, 2)) + 1e-12, "b": (1.0, 2.0)})
    for other in ({"W": np.ones((2, 3)), "b": [1.0, 2.0]}, {"W": 1}, "W", [model], None,
                  [[1.0], [1.0, 2.0]]):
        assert not ignored.alike(model, other) and not ignored.alike(other, model)
    assert ignored.informative(model) and ignored.informative((np.zeros(3), 1))
    for labels in (np.array([0, 1, 1]), [0, 1], True, {"classes": np.arange(3)}, "x", None):
        assert not ignored.informative(labels)
    assert [ignored.short(v) for v in (0.05, 3, False, "relu", np.zeros(2))] == [
        "0.05", "3", "False", "'relu'", "(the array given)"]
