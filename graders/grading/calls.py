"""The call most cases make: one function of the student's, compared with the case's value.

A case's expected value is the spec's, or, for a hidden case compared with solutions/, what
the same call gives in the reference (graders/grading/reference.py).
"""

from graders.grading import checks
from graders.sandbox.submission import describe_call


def expected(case, run, reference):
    """case.expected, or run(reference) for a case whose expected value is 'solutions'."""
    return run(reference) if case.from_solutions else case.expected


def array_call(case, student, reference, function, args, kwargs, shapes):
    """Calls `function`(*args, **kwargs) in the student's code, checks that it returns a real
    array of one of `shapes`, and compares it with the case's expected value."""
    what = describe_call(function, args, kwargs)

    def run(impl):
        return impl.call(function, *args, **kwargs)

    actual = checks.real_array(run(student), what, shapes)
    checks.close(actual, expected(case, run, reference), case.tolerance, what)
