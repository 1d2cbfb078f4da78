"""`nox -s check` grades the tutorials at once (--at-once, a tutorial per forked child at a
time): the same scores, results.json, table and failures, in the same order, as one serial
run; a child that dies leaves the kit's failures, never passes or gaps."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from graders.model import results as results_data
from tests.helpers import KIT, all_cases

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


def running(pid):
    """Whether the process `pid` runs (an ended one may stay a zombie until it is reaped)."""
    try:
        with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("hidden", [(), ("--hidden",)], ids=["public", "hidden"])
def test_parallel_check_says_what_a_serial_run_says(tmp_path, hidden):
    serial, serial_json = grade(tmp_path, "serial", *hidden)
    parallel, parallel_json = grade(tmp_path, "parallel", "--at-once=2", *hidden)
    assert parallel.returncode == serial.returncode == 1, parallel.stdout[-3000:]
    assert parallel_json == serial_json
    assert table(parallel.stdout).split("\n")[:-2] == table(serial.stdout).split("\n")[:-2]
    assert failures(parallel.stdout) == failures(serial.stdout) != []


def test_a_worker_that_dies_leaves_kit_errors_not_passes(tmp_path, monkeypatch):
    """The cases of the tutorial a dead child was grading never reached this process: they
    are the kit's failure (exit status 3), not silently left out of the score."""
    monkeypatch.setenv("NNKIT_TEST_CRASH_AT", "zhou::training-predictions")
    run, text = grade(tmp_path, "crashed", "--at-once=2", "-p", "tests.grading_child")
    results = json.loads(text)
    assert run.returncode == 3, run.stdout[-3000:]
    assert "zhou::training-predictions" in results["extra_data"]["kit_errors"]
    graded = {results_data.case_id(test) for test in results["tests"]}
    lost = set(results["extra_data"]["kit_errors"])
    assert not graded & lost
    assert {name.split("::")[0] for name in lost} == {"zhou"}  # the others were all graded
    assert graded | lost == all_cases(hidden=False)


def test_an_interrupted_run_stops_its_children_and_keeps_what_they_sent(tmp_path):
    """Ctrl-C while a child grades: the run ends (the children ignore the signal; the
    parent stops them), the children and their sandboxed workers with it, and results.json
    holds the tutorials graded before, with no case made up."""
    pids, results = tmp_path / "pids", tmp_path / "results.json"
    env = dict(os.environ, NNKIT_TEST_WAIT_AT="zhou::mse-loss", NNKIT_TEST_PIDS=str(pids))
    run = subprocess.Popen([sys.executable, "-m", "pytest", "graders", "--impl=" + CAROL, "-q",
                            "-p", "no:cacheprovider", "--results-json", str(results),
                            "--at-once=2", "-p", "tests.grading_child"], cwd=KIT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True,  # Ctrl-C reaches its whole group
                           # as a terminal delivers it: a suite started in the background
                           # (`&`) would hand the run SIGINT ignored
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        waited = time.monotonic()
        while not pids.exists():  # the child writes it, then waits for this test
            assert run.poll() is None, run.stdout.read()
            assert time.monotonic() - waited < 600, "the run never reached zhou::mse-loss"
            time.sleep(0.05)
        child, worker = map(int, pids.read_text().split())
        os.killpg(run.pid, signal.SIGINT)  # as Ctrl-C in a terminal
        output = run.communicate(timeout=300)[0]
    finally:
        run.kill()
    assert run.returncode == pytest.ExitCode.INTERRUPTED, output[-3000:]
    for pid in (child, worker):
        assert not running(pid), pid
    graded = json.loads(results.read_text(encoding="utf-8"))
    assert graded["extra_data"]["kit_errors"] == []
    names = {results_data.case_id(test) for test in graded["tests"]}
    assert "zhou::mse-loss" not in names and names < all_cases(hidden=False)
