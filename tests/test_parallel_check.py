"""`nox -s check` grades the tutorials at once (pytest-xdist, a grader file per worker): the
same scores, results.json, table and failures, in the same order, as one serial run."""

import json
import os
import re
import subprocess
import sys

import pytest

from graders.model import results as results_data
from tests.helpers import KIT

CAROL = os.path.join(KIT, "examples", "submissions", "carol")  # failures in two tutorials


def grade(tmp_path, name, *options):
    results = tmp_path / (name + ".json")
    run = subprocess.run([sys.executable, "-m", "pytest", "graders", "--impl=" + CAROL, "-q",
                          "-p", "no:cacheprovider", "--results-json", str(results), *options],
                         cwd=KIT, capture_output=True, text=True, timeout=600)
    return run, results.read_text(encoding="utf-8")


def table(stdout):
    """The score section, from its header to the end."""
    return stdout[stdout.index("score ="):]


def failures(stdout):
    return re.findall(r"^FAILED (\S+)", stdout, flags=re.M)


@pytest.mark.parametrize("hidden", [(), ("--hidden",)], ids=["public", "hidden"])
def test_parallel_check_says_what_a_serial_run_says(tmp_path, hidden):
    serial, serial_json = grade(tmp_path, "serial", *hidden)
    parallel, parallel_json = grade(tmp_path, "parallel", "-n", "2", "--dist", "loadfile",
                                    "--max-worker-restart", "0", *hidden)
    assert parallel.returncode == serial.returncode == 1, parallel.stdout[-3000:]
    assert parallel_json == serial_json
    assert table(parallel.stdout).split("\n")[:-2] == table(serial.stdout).split("\n")[:-2]
    assert failures(parallel.stdout) == failures(serial.stdout) != []


def test_a_worker_that_dies_leaves_kit_errors_not_passes(tmp_path, monkeypatch):
    """The cases a dead xdist worker had graded never reached the controller: they are the
    kit's failure (exit status 3), not silently left out of the score."""
    monkeypatch.setenv("NNKIT_TEST_CRASH_AT", "zhou::training-predictions")
    run, text = grade(tmp_path, "crashed", "-n", "2", "--dist", "loadfile",
                      "--max-worker-restart", "0", "-p", "tests.crash_worker")
    results = json.loads(text)
    assert run.returncode == 3, run.stdout[-3000:]
    assert "zhou::training-predictions" in results["extra_data"]["kit_errors"]
    graded = {results_data.case_id(test) for test in results["tests"]}
    assert not graded & set(results["extra_data"]["kit_errors"])
