"""argument-ignored: a failed hidden case whose answer is what its argument's default gives.

Every argument with a default is given another value by some case, most of them by a hidden
case (tests/test_spec_sanity.py), so code that keeps the tutorial's constant, or a global, in
its place fails there. This rule names the argument. It takes the case's first call of its
own function (a module-level function: a method's answers stay in the worker) and, for each
argument given a value other than its default, calls solutions/ with that argument set back
to its default. Where that changes the reference's answer, and the student's answer is the
one the default gives, the student's code ignores the argument. Only answers that hold real
numbers count: a class label or a flag can equal the default's answer by chance. The rule is
any grader's last resort: it runs only where the grader's own rules found nothing.

Its reference calls start from one fixed numpy random state and leave the grading process's
state as they found it, so they decide the same way in every run, and solutions/' slow calls
are kept from one run to the next (kept_calls.py): a default of 20000 training passes is
computed once per machine for the spec's fixed inputs.
"""

import numpy as np

from graders.grading import diagnose

STATE = 0  # the numpy seed the rule's reference calls start from


def ignored_argument(case, answers, reference):
    """The argument-ignored Diagnosis of a failed case, or None. answers: the case's calls
    as (function, args, kwargs, value), in the order they were made; reference: solutions/."""
    function = "%s.%s" % (case.module, case.function)
    own = next((answer for answer in answers if answer[0] == function), None)
    if own is None or not informative(own[3]):
        return None
    _, args, kwargs, value = own
    defaults = reference.defaults(function)
    changed = [name for name, given in kwargs.items()
               if name in defaults and repr(defaults[name]) != repr(given)]
    if not changed:
        return None
    kept = np.random.get_state()
    try:
        as_given = answer_of(reference, function, args, kwargs)
        for name in changed:
            with_default = answer_of(reference, function, args,
                                     dict(kwargs, **{name: defaults[name]}))
            if alike(value, with_default) and not alike(as_given, with_default):
                return diagnose.simple("argument-ignored", diagnose.name(case), argument=name,
                                       given=short(kwargs[name]),
                                       default=short(defaults[name]))
    finally:
        np.random.set_state(kept)
    return None


def answer_of(reference, function, args, kwargs):
    np.random.seed(STATE)
    return reference.call(function, *args, **kwargs)


def informative(value):
    """Whether an answer holds a floating-point number anywhere (not only labels or flags)."""
    if isinstance(value, dict):
        return any(informative(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(informative(item) for item in value)
    return isinstance(value, (float, np.floating)) or (
        isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size > 0)


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
    """An argument's value as the sentence shows it: a number or a word (an array, which a
    sentence cannot show, is 'the one given')."""
    if isinstance(value, (bool, str)) or value is None:
        return repr(value)
    if isinstance(value, (int, float, np.number)):
        return "%g" % value
    return "(the array given)"
