"""Nothing handed in beside the modules is loaded by the trusted side.

An upload, a folder given to --impl=, a class folder and a Classroom repository each hold
trask.py from solutions/ (so the score is trask's points exactly, neither 0 from a crash nor
full marks from a forged report), the other stubs, and every file that pytest or Python would
run or read if they looked at the folder: a conftest.py that passes every test, pytest.ini,
tox.ini, setup.cfg and pyproject.toml loading a plugin from the folder, sitecustomize.py, a
.pth file and numpy.py. Each of those writes a mark into a lure folder when it runs. Every way
of grading scores exactly trask's points and leaves the lure folder empty.
"""

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from graders.model import spec
from tests import workflow
from tests.helpers import KIT, SOLUTIONS, grade
from tests.test_platforms import run_gradescope, run_prairielearn

STUBS = os.path.join(KIT, "exercises")
MARK = "import pathlib\npathlib.Path(%r, %r).write_text('ran')\n"
CONFTEST = """
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    outcome.get_result().outcome = "passed"
"""


def trask_points():
    return sum(case.points for case in spec.load("trask").cases)


def extras(lure):
    """{file name: text}: what a student could add to be run by the grader."""
    files = {"conftest.py": MARK % (lure, "conftest.py") + CONFTEST,
             "sitecustomize.py": MARK % (lure, "sitecustomize.py"),
             "numpy.py": MARK % (lure, "numpy.py"),
             "nnkit-lure.pth": "import pathlib; pathlib.Path(%r, 'pth').write_text('ran')\n"
                               % lure,
             "pytest.ini": "[pytest]\npythonpath = .\naddopts = -p lure_pytest_ini\n",
             "tox.ini": "[pytest]\npythonpath = .\naddopts = -p lure_tox_ini\n",
             "setup.cfg": "[tool:pytest]\npythonpath = .\naddopts = -p lure_setup_cfg\n",
             "pyproject.toml": "[tool.pytest.ini_options]\npythonpath = [\".\"]\n"
                               "addopts = [\"-p\", \"lure_pyproject\"]\n"}
    for plugin in ("lure_pytest_ini", "lure_tox_ini", "lure_setup_cfg", "lure_pyproject"):
        files[plugin + ".py"] = MARK % (lure, plugin) + CONFTEST
    return files


def write_upload(target, lure, under="", keep=()):
    """trask.py from solutions/, the other stubs and the extras, at the top and beside them;
    files named in `keep` are left as they are at the top."""
    folder = os.path.join(target, under)
    os.makedirs(folder, exist_ok=True)
    for module in spec.modules():
        shutil.copy(os.path.join(SOLUTIONS if module == "trask" else STUBS, module + ".py"),
                    folder)
    for where in {target, folder}:
        for name, text in extras(lure).items():
            if where == target and name in keep:
                continue
            with open(os.path.join(where, name), "w") as handle:
                handle.write(text)


@pytest.fixture
def lure(tmp_path):
    folder = tmp_path / "lure"
    folder.mkdir()
    yield str(folder)
    assert os.listdir(folder) == [], "a file handed in ran in the grader"


def test_gradescope_reads_only_the_modules(lure, tmp_path):
    archive = tmp_path / "zip"
    run = subprocess.run([sys.executable, "-m", "graders.gradescope", "build", str(archive)],
                         cwd=KIT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    results, _root = run_gradescope(archive / "autograder.zip", tmp_path,
                                    lambda target: write_upload(target, lure))
    assert results["score"] == trask_points()


def test_prairielearn_reads_only_the_modules(lure, tmp_path):
    results = run_prairielearn(tmp_path, lambda target: write_upload(target, lure, "exercises"))
    assert results["gradable"] is True
    assert sum(t["points"] for t in results["tests"]) == trask_points()


def test_pytest_with_impl_equals_path_reads_only_the_modules(lure, tmp_path):
    upload = tmp_path / "upload"
    write_upload(str(upload), lure)
    results, _ = grade(upload, tmp_path=tmp_path)
    assert results["score"] == trask_points()


def test_impl_and_its_folder_as_two_arguments_are_refused(tmp_path):
    upload = tmp_path / "upload"  # no conftest.py here: pytest would import it before refusing
    os.makedirs(upload)
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl", str(upload)],
                         cwd=KIT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 4
    assert "give --impl and its folder as one argument, --impl=PATH" in run.stderr


def test_the_batch_reads_only_the_modules(lure, tmp_path):
    submissions = tmp_path / "class"
    write_upload(str(submissions / "mallory"), lure, "exercises")
    run = subprocess.run([sys.executable, "-m", "graders.batch", str(submissions), "--out",
                          str(tmp_path / "grades"), "--jobs", "1"], cwd=KIT,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    with open(tmp_path / "grades" / "gradebook.csv", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert float(row["total"]) == trask_points()


def test_classroom_runs_the_pinned_graders_outside_the_repository(lure, tmp_path):
    repo = tmp_path / "repo"
    run = subprocess.run([sys.executable, "-m", "graders.handout", str(repo)], cwd=KIT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    write_upload(str(repo), lure, "exercises", keep={"pyproject.toml"})  # pinned by its hash
    with open(repo / "graders" / "test_extra.py", "w") as handle:  # not in the manifest
        handle.write(MARK % (lure, "graders/test_extra.py"))
    job = workflow.load(repo / ".github" / "workflows" / "check.yml")["jobs"][
        "run-autograding-tests"]
    for step in job["steps"]:
        if "run" in step:
            done = workflow.run_step(job, step, repo, {}, tmp_path)
            assert done.returncode == 0, done.stdout
    results = json.loads((repo / "results.json").read_text())
    public = sum(case.points for case in spec.load("trask").cases if not case.hidden)
    assert results["score"] == public
