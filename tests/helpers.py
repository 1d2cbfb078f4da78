"""Running the graders from the kit's own tests, as a user would: a pytest subprocess."""

import json
import os
import shutil
import subprocess
import sys

KIT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOLUTIONS = os.path.join(KIT, "solutions")


def grade(impl, *options, hidden=True, tmp_path):
    """Grades `impl` and returns (results.json as a dict, the completed process)."""
    results = os.path.join(str(tmp_path), "results-%d.json" % len(os.listdir(str(tmp_path))))
    command = [sys.executable, "-m", "pytest", "graders", "--impl", str(impl), "-q",
               "--results-json", results, *options] + (["--hidden"] if hidden else [])
    run = subprocess.run(command, cwd=KIT, capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), "grading itself failed:\n%s\n%s" % (run.stdout, run.stderr)
    with open(results, encoding="utf-8") as handle:
        return json.load(handle), run


def case_id(test):
    """'module::case' from a results.json test named 'module: case (function)'."""
    module, rest = test["name"].split(": ", 1)
    return "%s::%s" % (module, rest.split(" ")[0])


def module_of(case):
    """The module of a 'module::case' id."""
    return case.split("::", 1)[0]


def case_ids(results, status=None):
    """The ids of the cases in a results.json, or of those with `status` only."""
    return {case_id(t) for t in results["tests"] if status in (None, t["status"])}


def failed(results):
    return case_ids(results, "failed")


def max_score(results):
    return sum(test["max_score"] for test in results["tests"])


def copy_kit(target):
    """Copies the kit's own files (what git tracks or would track) to `target`.

    Whatever else lies in the kit's folder (outputs of the README's examples, venvs, caches)
    stays behind, so a test on the copy does not depend on it.
    """
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=KIT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = os.path.join(KIT, name)
        if os.path.isfile(source):
            os.makedirs(os.path.dirname(os.path.join(target, name)), exist_ok=True)
            shutil.copy2(source, os.path.join(target, name))


def copy_solutions(tmp_path, name="variant"):
    """A copy of solutions/ to break on purpose; returns its folder."""
    folder = os.path.join(str(tmp_path), name)
    shutil.copytree(SOLUTIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder
