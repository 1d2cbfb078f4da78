"""argument-ignored: a failed hidden case whose answer is what its argument's default gives.

Every argument with a default is given another value by some hidden case
(tests/test_spec_sanity.py), so code that keeps the tutorial's constant, or a global, in its
place fails there. This rule names the argument: for each of the case's calls of its own
function that gave an argument a value other than its default, solutions/ is called with that
argument set back to its default. Where that changes the reference's answer, and the
student's answer is the one the default gives, the student's code ignores the argument. The
rule is any grader's last resort: it runs only where the grader's own rules found nothing.
An argument that counts steps (an int whose default is above the value given) is skipped
where the reference's call as given, scaled to the default's count, would take more than
LONGEST seconds: Britz's 20000 passes, say, for each failed case of every submission.
"""

import time

import numpy as np

from graders.grading import diagnose

LONGEST = 0.5  # seconds: the most one reference call of this rule is expected to take


def ignored_argument(case, answers, reference):
    """The argument-ignored Diagnosis of a failed case, or None. answers: the case's calls
    as (function, args, kwargs, value), in the order they were made; reference: solutions/."""
    function = "%s.%s" % (case.module, case.function)
    try:
        defaults = reference.defaults(function)
    except (AttributeError, FileNotFoundError, ValueError, TypeError):
        return None  # a method, or no solutions/ here
    for called, args, kwargs, value in answers:
        if called != function:
            continue
        for argument, given in kwargs.items():
            default = defaults.get(argument, given)
            if repr(default) == repr(given):
                continue
            began = time.perf_counter()
            as_given = reference.call(function, *args, **kwargs)
            if counts(given, default) and \
                    (time.perf_counter() - began) * default / given > LONGEST:
                continue
            with_default = reference.call(function, *args, **dict(kwargs, **{argument: default}))
            if alike(value, with_default) and not alike(as_given, with_default):
                return diagnose.simple("argument-ignored", diagnose.name(case),
                                       argument=argument, given=short(given),
                                       default=short(default))
        return None  # the first such call is the case's own; later ones are the graders'
    return None


def counts(given, default):
    """Whether an argument looks like a count of steps, its default the larger."""
    return all(isinstance(v, int) and not isinstance(v, bool) for v in (given, default)) \
        and default > given > 0


def alike(a, b):
    """Whether two answers are the same to rounding: arrays, numbers, and dicts, lists and
    tuples of them (a student's answer may be anything plain data can hold)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(alike(a[key], b[key]) for key in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) != len(b):
        return False
    try:
        return diagnose.same(a, b)
    except (TypeError, ValueError):
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            return all(alike(x, y) for x, y in zip(a, b))
        return False


def short(value):
    """An argument's value as the sentence shows it."""
    return "%g" % value if isinstance(value, (int, float, np.number)) and \
        not isinstance(value, bool) else repr(value)
