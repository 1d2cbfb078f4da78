"""What one grading run holds, kept in pytest's `config.stash` (never on `config` itself):
the folder graded, the specs with this submission's draws, the limits on its code, the
student's code once the session starts, and solutions/ once a hidden case needs it; and
the spec case a test item grades."""

import os
from dataclasses import dataclass

import pytest


@dataclass
class GradingRun:
    impl: str  # the folder of modules graded
    specs: dict  # {module: spec.Spec}, each case drawn for this submission's file
    limits: object  # sandbox.Limits
    student: object = None  # a sandboxed Submission, or solutions/ in-process (Reference)
    reference: object = None  # solutions/ as the reference (`reference_of`)


KEY = pytest.StashKey()


def of(config):
    """This run's GradingRun (set by graders/conftest.py in pytest_configure)."""
    return config.stash[KEY]


def student_of(config):
    """The student's code of this run, or None before the session starts (or without the
    graders' conftest)."""
    found = config.stash.get(KEY, None)
    return found.student if found is not None else None


def reference_of(config):
    """solutions/ as this run's reference, for hidden cases' expected values, the root-cause
    reruns and the diagnoses: loaded once, when first needed, its slow calls kept."""
    from graders.grading.reference import Reference
    from graders.model import spec
    this = of(config)
    if this.reference is None:
        this.reference = Reference(os.path.join(spec.KIT, "solutions"), list(this.specs),
                                   keep_calls=True)
    return this.reference


def case_of(item):
    """The spec case a test item grades (its `case` parameter), or None."""
    return getattr(getattr(item, "callspec", None), "params", {}).get("case")


def is_hidden(item):
    """True for a hidden case's item (compared with solutions/, run only when graded)."""
    case = case_of(item)
    return case is not None and case.hidden
