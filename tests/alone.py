"""A pytest plugin for the graders (`-p tests.alone`): every case runs as if alone.

Before each case the student's worker is stopped, so a case's calls meet a fresh worker, as
with `-k` and that case's id; and the cases run in reverse order. Training runs that several
cases share are still made once (they are the same call, whichever case makes it first).
tests/test_drift.py compares the scores with those of a full run.
"""

from graders.grading import run
from graders.sandbox.submission import Submission


def pytest_collection_modifyitems(items):
    items.reverse()


def pytest_runtest_setup(item):
    student = run.student_of(item.config)
    if isinstance(student, Submission):
        student.restart()
