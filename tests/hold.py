"""A pytest plugin that makes a batch's grader wait for the test that watches it.

A test that must catch a grading process mid-run does not race it: it runs the batch with
PYTEST_ADDOPTS="-p tests.hold" and NNKIT_HOLD=FOLDER, and puts an empty file FOLDER/NAME.hold
for each submission NAME to catch. That submission's grader, once one case has run (so its
results are partial), deletes the .hold file, writes its pid to FOLDER/NAME.pid and waits
until FOLDER/NAME.go exists (or 600 s pass, should the test itself have died). The test reads
the pid, does what it came to do (a signal, a kill -9 of the batch), and the grader that
runs next for NAME is not held again.
"""

import os
import time

import pytest

WAIT_SECONDS = 600
CASES_RUN = pytest.StashKey[int]()


def hold(folder, name):
    """Says where this grader is and waits for the test's word."""
    os.unlink(os.path.join(folder, name + ".hold"))
    written = os.path.join(folder, name + ".pid.tmp")
    with open(written, "w") as handle:
        handle.write(str(os.getpid()))
    os.rename(written, os.path.join(folder, name + ".pid"))  # the test sees it whole
    until = time.monotonic() + WAIT_SECONDS
    while not os.path.exists(os.path.join(folder, name + ".go")) and time.monotonic() < until:
        time.sleep(0.02)


def wait_for_pid(folder, name, timeout=600):
    """The test's side: the pid of NAME's grader once it is held."""
    path = os.path.join(str(folder), name + ".pid")
    until = time.monotonic() + timeout
    while not os.path.exists(path):
        assert time.monotonic() < until, "the grader of %s was never held" % name
        time.sleep(0.02)
    with open(path) as handle:
        return int(handle.read())


def wait_for_end(pid, timeout=120):
    """Waits until the held grader `pid` has ended (its parent, the batch, reaps it at
    once); fails, saying how the process stands with signals, if it outlives `timeout`."""
    until = time.monotonic() + timeout
    while os.path.exists("/proc/%d" % pid):
        if time.monotonic() > until:
            with open("/proc/%d/status" % pid) as handle:
                status = [line.strip() for line in handle
                          if line.startswith(("State", "SigBlk", "SigIgn", "SigCgt"))]
            raise AssertionError("the held grader %d did not end: %s" % (pid, status))
        time.sleep(0.02)


def release(folder, name):
    """Lets NAME's held grader go on (a grader the test meant to end that did not)."""
    open(os.path.join(str(folder), name + ".go"), "w").close()


def environment(folder, *names):
    """The environment variables that hold the graders of `names`, for a batch's env."""
    for name in names:
        open(os.path.join(str(folder), name + ".hold"), "w").close()
    return dict(os.environ, PYTEST_ADDOPTS="-p tests.hold", NNKIT_HOLD=str(folder))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    config = item.config
    config.stash[CASES_RUN] = config.stash.get(CASES_RUN, 0) + 1
    folder = os.environ.get("NNKIT_HOLD")
    if not folder or config.stash[CASES_RUN] != 2:
        return
    # The batch grades a submission from <staging>/<name>/modules.
    name = os.path.basename(os.path.dirname(os.path.abspath(config.getoption("impl"))))
    if os.path.exists(os.path.join(folder, name + ".hold")):
        hold(folder, name)
