"""The kit as a measuring instrument: full marks for correct code, zero for the stubs."""

import os

import pytest

from graders.model import results as results_data
from graders.model import spec
from tests.helpers import KIT, all_cases, case_ids, failed, grade, max_score

# Written independently of solutions/: the tutorials' own code ported to the contract (the
# example class's alice), and a rewrite in another style.
INDEPENDENT = {"tutorial-port": os.path.join(KIT, "examples", "submissions", "alice", "exercises"),
               "rewritten": os.path.join(KIT, "tests", "implementations", "rewritten")}
# The tutorials' code as published, in the contract's names, keeping its own seeds and sizes.
VERBATIM = os.path.join(KIT, "tests", "implementations", "verbatim")


@pytest.fixture
def solutions_results(shared_gradings):
    return shared_gradings.grade("solutions")[0]


def test_solutions_score_full_marks(solutions_results):
    assert failed(solutions_results) == set()
    assert solutions_results["score"] == max_score(solutions_results) > 0


def test_every_case_of_every_spec_is_graded(solutions_results):
    assert case_ids(solutions_results) == all_cases()


@pytest.mark.parametrize("name", sorted(INDEPENDENT))
def test_independent_implementations_score_full_marks(name, shared_gradings):
    results, _ = shared_gradings.grade(INDEPENDENT[name])
    earned, possible = results_data.points(results, implemented(INDEPENDENT[name]))
    assert earned == possible and sum(possible.values()) > 0


def implemented(folder):
    """The tutorials a folder of tests/implementations holds (a tutorial added later has none)."""
    return [module for module in spec.modules()
            if os.path.isfile(os.path.join(folder, module + ".py"))]


def test_tutorial_verbatim_code_scores_90_percent_and_loses_only_generality_cases(
        shared_gradings):
    results, _ = shared_gradings.grade(VERBATIM)
    modules = implemented(VERBATIM)
    earned, possible = results_data.points(results, modules)
    for module in modules:
        assert earned[module] >= 0.9 * possible[module], module
    lost = [t for t in results["tests"] if t["status"] == "failed"
            and results_data.module_of(t) in modules]
    cases = {case.name: case for m in spec.modules() for case in spec.load(m).cases}
    assert lost, "the verbatim code hard-codes seeds and sizes: some generality case must fail"
    for test in lost:
        case = cases[results_data.case_id(test)]
        assert test["extra_data"]["kind"] == case.kind == spec.GENERALITY, case.name
        assert test["output"].startswith("This case checks a requirement of the contract "
                                          "beyond the tutorial's own numbers: " + case.requires)


def test_untouched_stubs_score_zero_without_error_traces(tmp_path):
    results, run = grade("exercises", hidden=False, tmp_path=tmp_path)
    assert run.returncode == 1  # failed checks, not a grading error
    assert results["score"] == 0 and results["tests"]
    assert all(t["status"] == "failed" and "is not implemented yet" in t["output"]
               and "Tutorial step to re-read:" in t["output"] for t in results["tests"])
    assert "Traceback" not in run.stdout + run.stderr
    assert " error" not in run.stdout.splitlines()[-1]
    assert "0 of %d public checks passed. Hidden checks (random inputs) run when your " \
        "instructor grades." % len(results["tests"]) in run.stdout


def test_public_run_leaves_hidden_cases_out(tmp_path):
    results, _ = grade("solutions", hidden=False, tmp_path=tmp_path)
    assert case_ids(results) == all_cases(hidden=False)
    assert all(t["visibility"] == "visible" for t in results["tests"])


def test_results_json_is_gradescope_format(solutions_results):
    assert set(solutions_results) >= {"score", "tests"}
    cases = {case.name: case for m in spec.modules() for case in spec.load(m).cases}
    for test in solutions_results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility",
                             "extra_data"}
        case = cases[results_data.case_id(test)]
        data = dict(test["extra_data"])
        curve = data.pop("curve", None)  # a training curve, for report.html: public cases only
        assert data == {"module": case.module, "case": case.id, "kind": case.kind}
        assert curve is None or case.kind == spec.PUBLIC
        assert test["visibility"] == ("visible" if case.kind == spec.PUBLIC else "after_published")
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "after_published")
        assert isinstance(test["score"], float) and 0 <= test["score"] <= test["max_score"]


PUBLISHED = {
    "trask": [0.00966449, 0.00786506, 0.99358898, 0.99211957, 0.496410031903, 0.00858452565325,
              0.00578945986251, 0.00462917677677, 0.00395876528027, 0.00351012256786],
    "aidan": [0.99089925, 0.006409],
    "zhou": [0.9990889488055994, 0.7216325609518421, 0.5, 0.0214, 0.005, 0.9, 0.1],
    "britz": [0.432387, 0.068947, 0.0688, 0.0694, 0.0707, 0.0714, 0.975],
}


def numbers_in(value):
    if isinstance(value, dict):
        return [n for item in value.values() for n in numbers_in(item)]
    if isinstance(value, list):
        return [n for item in value for n in numbers_in(item)]
    return [value] if isinstance(value, float) else []


@pytest.mark.parametrize("module", sorted(PUBLISHED))
def test_every_published_number_is_a_public_case_that_solutions_pass(module, solutions_results):
    cases = [c for c in spec.load(module).cases if not c.hidden]
    in_spec = {n for case in cases for n in numbers_in(case.expected)}
    assert set(PUBLISHED[module]) <= in_spec
    passed = case_ids(solutions_results, "passed")
    assert all("%s::%s" % (module, case.id) in passed for case in cases)
