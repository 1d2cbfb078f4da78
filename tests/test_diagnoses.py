"""Diagnoses name the classic mistake of buggy implementations, and never a correct function."""

import os

import pytest

from graders import results as results_data
from tests.buggy import BUGGY, write
from tests.helpers import KIT, grade

HIT_RATE = 0.8  # the share of buggy implementations whose mistake must be named
CORRECT = {"solutions": os.path.join(KIT, "solutions"),
           **{name: os.path.join(KIT, "tests", "implementations", name)
              for name in ("rewritten", "verbatim")}}


def diagnoses(results):
    """{'module::case': code} for every test of a results.json that carries a diagnosis."""
    return {results_data.case_id(test): test["extra_data"]["diagnosis"]
            for test in results["tests"] if "diagnosis" in test["extra_data"]}


def test_buggy_implementations_get_their_diagnosis(tmp_path):
    named, report = 0, []
    for name, (_, module, _, case, code) in sorted(BUGGY.items()):
        folder = str(tmp_path / name)
        write(name, folder)
        results, _ = grade(folder, "-k", module, tmp_path=tmp_path)
        found = diagnoses(results)
        passed = results_data.case_ids(results, "passed")
        assert not passed & set(found), "%s: a passing case has a diagnosis" % name
        assert set(code for code in found.values()) <= {code}, (
            "%s: a diagnosis other than %s: %s" % (name, code, found))
        named += found.get(case) == code
        report.append("%s: %s expected on %s, got %s" % (name, code, case, found.get(case)))
    assert named >= HIT_RATE * len(BUGGY), "\n".join(report)


# The tutorials' code kept verbatim hard-codes the tutorials' seeds, so it fails the generality
# cases that pass another seed; the diagnosis says exactly that, and nothing anywhere else.
TRUE_DIAGNOSES = {"verbatim": {"trask::hidden-two-layer-seeded": "seed-ignored",
                               "britz::hidden-build-model-other-seed": "seed-ignored"}}


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_correct_functions_get_no_diagnosis(name, tmp_path):
    results, _ = grade(CORRECT[name], tmp_path=tmp_path)
    assert diagnoses(results) == TRUE_DIAGNOSES.get(name, {})
