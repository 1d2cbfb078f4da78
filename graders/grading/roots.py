"""Credit that follows the root cause: a caller is not failed for a helper's mistake.

When a case of a function that uses one of the contract's helpers fails, and the student's
helper fails one of its own cases (its public ones, and its hidden ones when hidden cases are
graded; all of them, whichever cases this run selected), the case runs once more with the
kit's stand-ins in place of the wrong helpers. If it then passes, it earns its points, and the
results name the helper as the root (`extra_data["root"]`). So a caller is credited only
around a helper that loses points of its own: a module with a wrong helper never scores full
marks. The rerun records no curve: it is not the student's training.

Which helpers a tutorial has, what stands in for each and which names use it, its grader
says (`HELPERS` in graders/test_<module>.py, checked by graders/grading/tutorial.py); each
stand-in travels to the worker as its source and is built there
(graders/sandbox/stand_ins.py).
"""

import contextlib
import importlib
import inspect

import pytest

from graders.grading import curves
from graders.grading import run
from graders.grading import tutorial
from graders.sandbox.submission import Submission


def helpers(module):
    """{helper: Helper} that graders/test_<module>.py declares."""
    return tutorial.grader(module).HELPERS


def callees(module):
    """{contract name: [the helpers its cases use]}, in the order the grader declares them."""
    found = {}
    for helper, declared in helpers(module).items():
        for caller in declared.callers:
            found.setdefault(caller, []).append(helper)
    return found


def stand_ins(module, names):
    """{helper: [function name, source]} for the worker, for the helpers `names`."""
    declared = helpers(module)
    return {name: [declared[name].stand_in.__name__,
                   tutorial.stand_in_source(declared[name].stand_in)] for name in names}


@contextlib.contextmanager
def aside(student, accounts=False):
    """Runs calls that are not the student's own check (a helper's case, a rerun with
    stand-ins): what they print and answer is dropped, so a case's output shows the
    student's own run; with `accounts`, so are their timeouts and the time they took (a
    helper's case: no later message names its call). A rerun's are kept: the tutorial's
    budget and a function that timed out bound what reruns can cost."""
    kept = (student.printed, student.calls, student.answers, dict(student.timed_out),
            dict(student.spent))
    student.printed, student.calls, student.answers = [], [], []
    try:
        yield
    finally:
        student.printed, student.calls, student.answers = kept[:3]
        if accounts:
            student.timed_out, student.spent = kept[3:]


class Roots:
    """A pytest plugin: re-runs a failed caller with the contract's helpers standing in."""

    def __init__(self, config):
        self.config = config
        self.wrong = {}  # (module, helper) -> whether the helper fails a case of its own

    def is_wrong(self, student, module, helper):
        if (module, helper) not in self.wrong:
            hidden = self.config.getoption("hidden")
            own = [case for case in run.of(self.config).specs[module].cases
                   if case.function == helper and (hidden or not case.hidden)]
            wrong, hidden_ran = False, False
            try:
                for case in sorted(own, key=lambda case: case.hidden):  # public ones first
                    hidden_ran = hidden_ran or case.hidden
                    wrong = self.fails(student, case)
                    if wrong:
                        break
            finally:  # what the helper's code saw of a hidden case leaves with its worker
                if hidden_ran:
                    student.restart()
            self.wrong[module, helper] = wrong
        return self.wrong[module, helper]

    def fails(self, student, case):
        """Whether `case` (a helper's own) fails: its procedure run as its test would be.

        It runs inside the caller's case, whose output the student may see at once: what the
        helper's calls print, their timeouts and time are dropped, nothing is drawn, and once
        the helper's cases have run, a worker that ran a hidden one is stopped (`is_wrong`),
        so no later output can hold what the student's code saw of it."""
        procedure = getattr(importlib.import_module("graders.test_" + case.module),
                            "test_" + case.check)
        given = {"case": case, "student": student, "reference": run.reference_of(self.config),
                 "curve": curves.NOTHING}
        try:
            with aside(student, accounts=True):
                procedure(**{name: given[name]
                             for name in inspect.signature(procedure).parameters})
        except pytest.fail.Exception:
            return True
        return False

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        outcome = yield
        case = run.case_of(item)
        student = run.student_of(self.config)
        if (case is None or not isinstance(student, Submission) or outcome.excinfo is None
                or not isinstance(outcome.excinfo[1], pytest.fail.Exception)):
            return
        wrong = [helper for helper in callees(case.module).get(case.function, [])
                 if self.is_wrong(student, case.module, helper)]
        if not wrong:
            return
        record = item.funcargs.get("curve")
        try:
            student.stand_in(case.module, stand_ins(case.module, wrong))
            with record.closed() if record else contextlib.nullcontext(), aside(student):
                item.runtest()  # the rerun is not the student's: it records no curve
            passed = True
        except pytest.fail.Exception:
            passed = False  # wrong for a reason of its own: the first failure stands
        try:
            student.stand_in(case.module, {})
        except pytest.fail.Exception:
            pass  # the worker is gone: the next call starts one without stand-ins
        if not passed:
            return
        outcome.force_result(None)
        item.user_properties.append(("root", ["%s.%s" % (case.module, h) for h in wrong]))
