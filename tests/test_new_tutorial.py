"""Adding a tutorial is its four files: a one-layer softmax classifier (tests/new_tutorial/),
whose names, helper, curve and spec no shipped tutorial has, is copied into a copy of the kit
as spec/, exercises/, solutions/ and graders/ files and nothing else. The kit grades it, credits
the callers of its wrong helper, draws its curve, times it and passes its own spec checks."""

import html
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from graders.grading import curves
from tests.helpers import KIT

NEW = "onelayer"
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "new_tutorial")
FOUR_FILES = {"spec.yaml": "spec/%s.yaml", "exercise.py": "exercises/%s.py",
              "solution.py": "solutions/%s.py", "grader.py": "graders/test_%s.py"}
# The helper's classic slip: one softmax over the whole array instead of each row.
WRONG_SOFTMAX = ("    return exp / np.sum(exp, axis=1, keepdims=True)",
                 "    return exp / np.sum(exp)")
# The kit's own checks of the tutorials' files; the other test files grade whole classes.
KIT_TESTS = ("tests/test_spec_sanity.py",
             "tests/test_roots.py::test_every_grader_declares_what_the_kit_reads")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """A copy of the kit with the new tutorial's four files added, and no other change."""
    copy = tmp_path_factory.mktemp("kit") / "kit"
    shutil.copytree(KIT, copy, ignore=shutil.ignore_patterns(".git", ".nox", "__pycache__",
                                                             "grades", ".recall"))
    for name, pattern in FOUR_FILES.items():
        shutil.copyfile(os.path.join(HERE, name), copy / (pattern % NEW))
    return copy


def run(kit, *command):
    return subprocess.run([sys.executable, *command], cwd=kit, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def graded(kit, tmp_path_factory):
    """One graded run, shared: the new tutorial's solution with its softmax wrong, graded in
    the sandbox with its hidden cases and report.html. (results.json, report.html, the losses
    its own training gives)"""
    folder = tmp_path_factory.mktemp("student")
    text = (kit / "solutions" / (NEW + ".py")).read_text(encoding="utf-8")
    assert WRONG_SOFTMAX[0] in text
    (folder / (NEW + ".py")).write_text(text.replace(*WRONG_SOFTMAX), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    done = run(kit, "-m", "pytest", "graders", "--impl=%s" % folder, "-k", NEW, "--hidden", "-q",
               "-p", "no:cacheprovider", "--results-json", str(out / "results.json"),
               "--report", str(out / "report.html"))
    assert done.returncode == 1, done.stdout[-5000:] + done.stderr[-2000:]
    sys.path.insert(0, str(folder))
    try:
        broken = __import__(NEW)
        X, y = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0, 1, 1, 2])
        own = broken.train(X, y, 3, epochs=8, rate=0.5)[2]
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(NEW, None)
    with open(out / "results.json", encoding="utf-8") as handle:
        results = json.load(handle)
    report = html.unescape((out / "report.html").read_text(encoding="utf-8"))
    return results, report, own, done.stdout


def by_case(results):
    return {t["extra_data"]["case"]: t for t in results["tests"] if t["extra_data"]["module"] == NEW}


def test_the_reference_scores_every_case_of_the_new_tutorial(kit):
    done = run(kit, "-m", "pytest", "graders", "--impl=solutions", "--hidden", "--every-case",
               "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr
    [row] = [line.split() for line in done.stdout.splitlines() if line.split()[:1] == [NEW]]
    assert row[1] == row[2] == "12" and row[3] == "6/6"  # points, of, checks
    assert "(100.0%)" in done.stdout


def test_a_wrong_helper_costs_its_own_cases_and_credits_its_callers(graded):
    results, _report, _own, stdout = graded
    tests = by_case(results)
    assert {case for case, t in tests.items() if t["status"] == "failed"} == {
        "softmax-rows", "hidden-softmax-drawn"}
    credited = {case: t["extra_data"].get("root") for case, t in tests.items()
                if t["status"] == "passed"}
    assert credited == dict.fromkeys(("probabilities-two-points", "train-losses",
                                      "hidden-probabilities-drawn", "hidden-train-drawn"),
                                     [NEW + ".softmax"])
    assert "Root cause: %s.softmax is wrong" % NEW in stdout


def test_the_curve_is_the_students_own_training_and_the_report_draws_it(graded):
    results, report, own, _stdout = graded
    curve = by_case(results)["train-losses"]["extra_data"]["curve"]
    # what the student's own (wrong) training gave, not the rerun with the stand-in
    assert curve == {"losses": curves.thin(np.asarray(own, float))}
    assert "hidden-train-drawn" not in [case for case, t in by_case(results).items()
                                        if "curve" in t["extra_data"]]
    assert "%s: training curve" % NEW in report
    assert "%s's losses during training: yours (solid, orange) over the reference's" % NEW in report


def test_the_benchmark_times_the_new_tutorials_training(kit):
    done = run(kit, os.path.join("benchmarks", "bare_compute.py"), "solutions")
    assert done.returncode == 0, done.stderr
    assert "%s (2000 epochs)" % NEW in json.loads(done.stdout)["loops"]


def test_the_kits_own_spec_checks_pass_with_the_new_tutorial(kit):
    done = run(kit, "-m", "pytest", *KIT_TESTS, "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    collected = run(kit, "-m", "pytest", *KIT_TESTS, "--collect-only", "-q")
    assert "[%s]" % NEW in collected.stdout  # the checks parametrised by tutorial include it


def test_a_grader_that_leaves_out_its_helpers_is_refused_by_name(kit):
    grader = kit / "graders" / ("test_%s.py" % NEW)
    kept = grader.read_text(encoding="utf-8")
    try:
        grader.write_text(kept.replace("HELPERS = {", "UNUSED = {"), encoding="utf-8")
        done = run(kit, "-m", "pytest", "graders", "--impl=solutions", "-q")
        assert done.returncode == 4  # a usage error: nothing graded
        assert "graders/test_%s.py, HELPERS: missing" % NEW in done.stderr
        bench = run(kit, os.path.join("benchmarks", "bare_compute.py"), "solutions")
        assert bench.returncode != 0 and "HELPERS: missing" in bench.stderr
    finally:
        grader.write_text(kept, encoding="utf-8")
