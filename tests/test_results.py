"""The results model: results.json read into CaseResult and SubmissionResults and written
back is the same file byte for byte, and every format at the edge reads the objects."""

import json
import os
import xml.etree.ElementTree as ElementTree

import pytest

from graders.model import spec
from graders.model.assignment import Assignment
from graders.model.results import SubmissionResults
from graders.outputs import gradebook
from graders.outputs.files import json_text
from graders.platforms import classroom
from graders.platforms import junit
from tests.helpers import GOLDEN_RESULTS, machine_free

GOLDEN = sorted(os.listdir(GOLDEN_RESULTS))


def golden(name):
    with open(os.path.join(GOLDEN_RESULTS, name), encoding="utf-8") as handle:
        return handle.read()


@pytest.mark.parametrize("name", GOLDEN)
def test_a_golden_results_json_reads_and_writes_back_byte_for_byte(name):
    """(The golden files hold this machine's protections as a placeholder.)"""
    text = golden(name)
    written = json_text(Assignment.load().results(json.loads(text)).to_json())
    assert machine_free(written) == text


def test_a_failed_run_is_written_as_its_error_alone():
    assert SubmissionResults.failed("stopped (twice)").to_json() == {
        "score": 0.0, "tests": [], "error": "stopped (twice)"}


def test_each_generality_case_gets_its_requirement_from_the_specs_not_the_file():
    results = Assignment.load().results(json.loads(golden("alice.json")))
    general = [test for test in results.tests if test.kind == spec.GENERALITY]
    cases = {case.name: case for module in spec.modules() for case in spec.load(module).cases}
    assert general and all(test.requires == cases[test.id].requires for test in general)
    assert all(test.requires == "" for test in results.tests if test.kind != spec.GENERALITY)
    assert "requires" not in json_text(results.to_json())


def test_points_possible_of_the_assignment_are_the_specs_sums():
    assignment = Assignment.load()
    for module in spec.modules():
        assert assignment.possible()[module] == sum(c.points for c in spec.load(module).cases)
    assert set(assignment.expected()) == set(assignment.cases)
    assert all(not assignment.cases[name].hidden for name in assignment.expected(False))


@pytest.mark.parametrize("name", GOLDEN)
def test_junit_has_a_testcase_per_case_and_a_failure_per_failed_one(name):
    results = Assignment.load().results(json.loads(golden(name)))
    suite = ElementTree.fromstring(junit.junit_xml(results).encode()).find("testsuite")
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (t.module, t.case) for t in results.tests]
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == [t.case for t in results.tests if not t.passed]
    assert int(suite.get("failures")) == len(failed)


def test_junit_holds_any_student_text_as_valid_xml():
    forged = "\x1b[2J\x00\x07 \ud800 \ufffe ]]> </failure><x>"
    test = {"name": "trask: nonlin", "score": 0.0, "max_score": 1.0, "status": "failed",
            "output": forged, "visibility": "visible",
            "extra_data": {"module": "trask", "case": "nonlin", "kind": "public"}}
    results = SubmissionResults.from_json({"tests": [test], "extra_data": {}})
    text = junit.junit_xml(results)
    text.encode("utf-8")  # no lone surrogate left
    failure = ElementTree.fromstring(text.encode()).find("testsuite/testcase/failure")
    assert "</failure><x>" in failure.text and "\\x1b[2J" in failure.text


def test_the_kit_errors_are_junit_errors_and_the_gradebooks_error_status():
    test = {"name": "zhou: mse-loss (mse_loss)", "score": 0.0, "max_score": 2.0,
            "status": "failed", "output": "kit error: ...", "visibility": "visible",
            "extra_data": {"module": "zhou", "case": "mse-loss", "kind": "public"}}
    results = SubmissionResults.from_json(
        {"tests": [test], "extra_data": {"kit_errors": ["zhou::mse-loss"]}})
    case = ElementTree.fromstring(junit.junit_xml(results).encode()).find("testsuite/testcase")
    assert case.find("error") is not None and case.find("failure") is None
    assert gradebook.Graded("x", results, []).status == gradebook.STATUS_ERROR


def test_classroom_reads_the_objects():
    results = Assignment.load().results(json.loads(golden("alice.json")))
    public = SubmissionResults([t for t in results.tests if t.visible])
    report = classroom.classroom(public)
    assert report["max_score"] == sum(t.max_score for t in public.tests)
    assert [t["name"] for t in report["tests"]] == [t.name for t in public.tests]
