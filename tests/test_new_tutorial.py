"""Adding a tutorial is its four files: zhou's, copied as `ng` with the word zhou replaced,
make a fifth tutorial that the graders, the score table and the kit's own tests pick up."""

import shutil
import subprocess
import sys

import pytest

from tests.helpers import KIT

FOUR_FILES = ("spec/%s.yaml", "exercises/%s.py", "solutions/%s.py", "graders/test_%s.py")
# The kit's tests that read the tutorials from the specs; the others grade whole classes
# and take minutes.
KIT_TESTS = ("tests/test_spec_sanity.py", "tests/test_kit_scores.py", "tests/test_handout.py")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """A copy of the kit with zhou's four files copied as ng's, and no other change."""
    copy = tmp_path_factory.mktemp("clone") / "kit"
    shutil.copytree(KIT, copy, ignore=shutil.ignore_patterns(".git", ".nox", "__pycache__",
                                                             "grades"))
    for pattern in FOUR_FILES:
        text = (copy / (pattern % "zhou")).read_text(encoding="utf-8")
        (copy / (pattern % "ng")).write_text(text.replace("zhou", "ng"), encoding="utf-8")
    return copy


def run(kit, *command):
    return subprocess.run([sys.executable, "-m", *command], cwd=kit, capture_output=True,
                          text=True, timeout=900)


def test_the_reference_scores_every_case_of_the_new_tutorial(kit):
    done = run(kit, "pytest", "graders", "--impl=solutions", "--hidden", "--every-case", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()
            if line.split()[:1] in (["ng"], ["zhou"])}
    assert rows["ng"] == rows["zhou"] and rows["ng"][0] == rows["ng"][1]
    assert "(100.0%)" in done.stdout


def test_the_kits_own_tests_pass_with_the_new_tutorial(kit):
    done = run(kit, "pytest", *KIT_TESTS, "-q", "-p", "no:cacheprovider")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    collected = run(kit, "pytest", *KIT_TESTS, "--collect-only", "-q")
    assert "[ng]" in collected.stdout  # the tests parametrised by tutorial include ng
