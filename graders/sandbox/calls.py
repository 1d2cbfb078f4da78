"""How a call into student code is named in messages, and what its failures tell the student.

Every way a call can go wrong (stub, exception, missing name, import or syntax error, timeout,
crash) becomes a `StudentError` naming the call, which fails the case that made it and
nothing else.
"""

import errno

import numpy as np
import pytest

from graders.model.i18n import N_, _


class StudentError(pytest.fail.Exception):
    """A call into student code went wrong; fails the case with `message` and no traceback."""

    def __init__(self, message):
        super().__init__(message, pytrace=False)


def describe(value):
    """A short description of an argument for messages: arrays by shape, numbers by value."""
    if isinstance(value, np.ndarray):
        return "array %s" % (tuple(value.shape),)
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%r: %s" % (k, describe(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)) and len(value) > 4:
        return "%s of %d" % (type(value).__name__, len(value))
    return repr(value)


def describe_call(function, args, kwargs):
    parts = [describe(a) for a in args] + ["%s=%s" % (k, describe(v)) for k, v in kwargs.items()]
    return "%s(%s)" % (function, ", ".join(parts))



# Errors that mean a sandbox limit was reached: (the operating system's error number, problem,
# explanation).
LIMIT_ERRORS = (
    (errno.ENOSPC, "folder size limit",
     N_("the sandbox's writable folders (/work, /tmp) hold a limited number of bytes")),
    (errno.EAGAIN, "process limit",
     N_("a submission may run only a limited number of processes and threads")),
)


def limit_error(error, number):
    """Whether an error reply is the operating system's error `number` (an OSError that
    carries it), not an exception of the student's own."""
    return error.get("type") in ("OSError", "BlockingIOError") and error.get("errno") == number


def explain_error(what, error, where, importing=None):
    """A student-facing sentence for an error reply from the worker to the call described
    as `what`; `where`: the place it names in the student's code, or ""; `importing`: the
    module, where the call imported it."""
    kind, message = error.get("type"), error.get("message", "")
    at = _(" (at %s)") % where if where else ""
    for number, _problem, explanation in LIMIT_ERRORS:
        if limit_error(error, number):
            at += "; %s" % _(explanation)
    if kind == "NotImplementedError":
        return _("%s is not implemented yet: it raises NotImplementedError%s") % (what, at)
    if kind == "missing":
        return _("%s could not run: %s") % (what, message)
    if importing:
        return _("%s.py could not be imported: %s: %s%s") % (importing, kind, message, at)
    return _("%s raised %s: %s%s") % (what, kind, message, at)
