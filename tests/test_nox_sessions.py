"""The nox sessions people run, run as they run them (grade and merge: tests/test_shards.py)."""

import subprocess
import sys

import pytest

from tests.helpers import all_cases, copy_kit


@pytest.fixture(scope="module")
def kit(tmp_path_factory, shared_venvs):
    """A copy of the kit, so that sessions write their outputs there; its venvs are the ones
    every copy of the kit in this run shares (built by the first session that needs one)."""
    copy = tmp_path_factory.mktemp("nox") / "kit"
    copy_kit(copy)
    shared_venvs(copy)
    return copy


def nox(kit, *args):
    return subprocess.run([sys.executable, "-m", "nox", *args], cwd=kit, capture_output=True,
                          text=True, timeout=600)


def test_check_grades_the_stubs_and_says_what_ran(kit):
    run = nox(kit, "-s", "check")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 of %d public checks passed. Hidden checks (random inputs) run when your " \
           "instructor grades." % len(all_cases(hidden=False)) in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert "--at-once=auto" in run.stderr  # the tutorials at once, a CPU each


def test_solutions_score_every_check(kit):
    run = nox(kit, "-s", "solutions")
    assert run.returncode == 0, run.stdout + run.stderr
    count = len(all_cases())
    assert "%d of %d checks passed" % (count, count) in run.stdout and "(100.0%)" in run.stdout


def test_handout_session_writes_the_handout(kit, tmp_path):
    run = nox(kit, "-s", "handout", "--", str(tmp_path / "out"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "out" / "exercises" / "zhou.py").exists()
    assert not (tmp_path / "out" / "solutions").exists()


def test_gradescope_session_writes_the_autograder_zip(kit, tmp_path):
    run = nox(kit, "-s", "gradescope", "--", str(tmp_path / "out"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert (tmp_path / "out" / "autograder.zip").exists()


def test_every_session_has_a_one_line_docstring(kit):
    run = nox(kit, "--list")
    sessions = [line for line in run.stdout.splitlines() if line[:2] in ("* ", "- ")]
    assert {line[2:].split(" -> ")[0] for line in sessions} == {
        "check", "grade", "merge", "handout", "gradescope", "solutions", "tests", "bench",
        "recall"}
    assert all(" -> " in line for line in sessions)


def test_recall_session_installs_fsrs_and_says_what_was_rebuilt(kit):
    run = nox(kit, "-s", "recall", "--", "--status")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "trask: no rebuild yet (start one: python -m nox -s recall -- trask)" in run.stdout
