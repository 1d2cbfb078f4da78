"""A pytest plugin for tests/test_parallel_check.py, loaded into runs with --at-once=2, where
only the forked grading children run cases: the child that reaches the case named by
NNKIT_TEST_CRASH_AT dies there, as a child killed or out of memory would; the one that
reaches NNKIT_TEST_WAIT_AT writes its pid and its sandboxed worker's to the file
NNKIT_TEST_PIDS and waits there, so that the test can interrupt the run mid-case."""

import os
import time

from graders.grading import run


def reached(item, variable):
    return variable in os.environ and item.nodeid.endswith("[%s]" % os.environ[variable])


def pytest_runtest_call(item):
    if reached(item, "NNKIT_TEST_CRASH_AT"):
        os._exit(1)
    if reached(item, "NNKIT_TEST_WAIT_AT"):
        worker = run.of(item.config).student.channel.process.process  # started with the child
        pids = "%d %d\n" % (os.getpid(), worker.pid)
        with open(os.environ["NNKIT_TEST_PIDS"] + ".part", "w") as handle:
            handle.write(pids)
        os.rename(os.environ["NNKIT_TEST_PIDS"] + ".part", os.environ["NNKIT_TEST_PIDS"])
        time.sleep(3600)
