"""A pytest plugin for tests/test_parallel_check.py: the pytest-xdist worker that reaches the
case named by NNKIT_TEST_CRASH_AT dies there, as a worker killed or out of memory would."""

import os


def pytest_runtest_call(item):
    if hasattr(item.config, "workerinput") and item.nodeid.endswith(
            "[%s]" % os.environ["NNKIT_TEST_CRASH_AT"]):
        os._exit(1)
