"""What one grading run holds, kept in pytest's `config.stash` (never on `config` itself):
the folder graded, the specs with this submission's draws, the limits on its code, and the
student's code once the session starts."""

from dataclasses import dataclass

import pytest


@dataclass
class GradingRun:
    impl: str  # the folder of modules graded
    specs: dict  # {module: spec.Spec}, each case drawn for this submission's file
    limits: object  # sandbox.Limits
    student: object = None  # a sandboxed Submission, or solutions/ in-process (Reference)


KEY = pytest.StashKey()


def of(config):
    """This run's GradingRun (set by graders/conftest.py in pytest_configure)."""
    return config.stash[KEY]


def student_of(config):
    """The student's code of this run, or None before the session starts (or without the
    graders' conftest)."""
    found = config.stash.get(KEY, None)
    return found.student if found is not None else None
