"""Credit that follows the root cause: a caller is not failed for a helper's mistake.

When a case of a function that uses one of the contract's helpers fails, and the student's
helper fails one of its own cases (its public ones, and its hidden ones when hidden cases are
graded; all of them, whichever cases this run selected), the case runs once more with the
kit's stand-ins (graders/sandbox/stand_ins.py, which the worker holds) in place of the wrong helpers.
If it then passes, it earns its points, and the results name the helper as the root
(`extra_data["root"]`). So a caller is credited only around a helper that loses points of its
own: a module with a wrong helper never scores full marks.
"""

import importlib
import inspect
import os

import pytest

from graders.grading import curves
from graders.grading import run
from graders.model import spec
from graders.grading.reference import Reference
from graders.sandbox.submission import Submission

# {module: {function a case grades: [the contract helpers it uses]}}
CALLEES = {
    "trask": dict.fromkeys(("two_layer_update", "train_two_layer", "three_layer_updates",
                            "train_three_layer"), ["nonlin"]),
    "zhou": {"Neuron.feedforward": ["sigmoid"],
             "OurNeuralNetwork.feedforward": ["sigmoid"],
             "OurNeuralNetwork.backprop": ["sigmoid", "deriv_sigmoid"],
             "OurNeuralNetwork.train": ["sigmoid", "deriv_sigmoid", "mse_loss"]},
    "aidan": {"NeuralNetwork.feed_forward": ["NeuralNetwork.sigmoid"],
              "NeuralNetwork.backpropagation": ["NeuralNetwork.sigmoid",
                                                "NeuralNetwork.feed_forward"],
              "NeuralNetwork.train": ["NeuralNetwork.sigmoid", "NeuralNetwork.feed_forward"],
              # predictions are made after train(), which calls feed_forward
              "NeuralNetwork.predict": ["NeuralNetwork.sigmoid", "NeuralNetwork.feed_forward"]},
}


class Roots:
    """A pytest plugin: re-runs a failed caller with the contract's helpers standing in."""

    def __init__(self, config):
        self.config = config
        self.wrong = {}  # (module, helper) -> whether the helper fails a case of its own
        self.reference = None  # solutions/, for the helper's hidden cases

    def is_wrong(self, student, module, helper):
        if (module, helper) not in self.wrong:
            hidden = self.config.getoption("hidden")
            own = [case for case in run.of(self.config).specs[module].cases
                   if case.function == helper and (hidden or not case.hidden)]
            self.wrong[module, helper] = any(self.fails(student, case) for case in own)
        return self.wrong[module, helper]

    def fails(self, student, case):
        """Whether `case` (a helper's own) fails: its procedure run as its test would be.

        It runs inside the caller's case, whose output the student may see at once: what the
        helper's calls print, their timeouts and time are dropped, nothing is drawn, and after
        a hidden case the worker is stopped, so no later output can hold what the student's
        code saw of it."""
        procedure = getattr(importlib.import_module("graders.test_" + case.module),
                            "test_" + case.check)
        if self.reference is None:
            self.reference = Reference(os.path.join(spec.KIT, "solutions"),
                                       list(run.of(self.config).specs))
        given = {"case": case, "student": student, "reference": self.reference}
        kept = (student.printed, student.calls, curves.current, dict(student.timed_out),
                dict(student.spent))
        student.printed, student.calls, curves.current = [], [], None
        try:
            procedure(**{name: given[name] for name in inspect.signature(procedure).parameters})
        except pytest.fail.Exception:
            return True
        finally:  # nor a timeout or the time it took, whose message would name its call
            (student.printed, student.calls, curves.current, student.timed_out,
             student.spent) = kept
            if case.hidden:
                student.restart()
        return False

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        outcome = yield
        case = getattr(getattr(item, "callspec", None), "params", {}).get("case")
        student = run.student_of(self.config)
        if (case is None or not isinstance(student, Submission) or outcome.excinfo is None
                or not isinstance(outcome.excinfo[1], pytest.fail.Exception)):
            return
        helpers = [helper for helper in CALLEES.get(case.module, {}).get(case.function, [])
                   if self.is_wrong(student, case.module, helper)]
        if not helpers:
            return
        recording, curves.current = curves.current, None  # the rerun is not the student's
        try:
            student.stand_in(case.module, helpers)
            item.runtest()
            passed = True
        except pytest.fail.Exception:
            passed = False  # wrong for a reason of its own: the first failure stands
        finally:
            curves.current = recording
        try:
            student.stand_in(case.module, [])
        except pytest.fail.Exception:
            pass  # the worker is gone: the next call starts one without stand-ins
        if not passed:
            return
        outcome.force_result(None)
        item.user_properties.append(("root", ["%s.%s" % (case.module, h) for h in helpers]))
