"""Strict checks of what student code returns, with messages that say call, result, expectation.

Values arrive as plain data (graders/sandbox/wire.py): Python numbers, numpy arrays, lists, tuples,
dicts, or `Unsupported` for anything the worker could not send. Nothing here trusts a value
to compare itself: types, shapes and finiteness are checked before any arithmetic.
"""

import unicodedata

import numpy as np
import pytest

from graders.grading import diagnose
from graders.sandbox import wire
from graders.model.i18n import _


class Failed(pytest.fail.Exception):
    """A failed check; `diagnosis` is the mistake recognised in it (graders/grading/diagnose.py);
    `unmet` says whether the evidence shows a generality case's requirement unmet."""

    def __init__(self, message, diagnosis=None, unmet=False):
        super().__init__(message, pytrace=False)
        self.diagnosis, self.unmet = diagnosis, unmet


def fail(message, diagnosis=None, unmet=False):
    """Fails the current case with `message` (and the diagnosis's sentence) and no traceback.

    unmet: the failure itself shows the contract's form unmet (a wrong type or shape). Where
    a mistake is recognised, its code decides instead: those in diagnose.UNMET (a shape, seed
    or rate not honoured) show the requirement unmet, the others a fault in the numbers.
    """
    if diagnosis is not None:
        message = "%s\n%s" % (message, _("Diagnosis: %s") % diagnosis.sentence)
    raise Failed(message, diagnosis and diagnosis.code,
                 diagnosis.code in diagnose.UNMET if diagnosis else unmet)


def kind_of(value):
    if isinstance(value, np.ndarray):
        return _("an array of shape %s and dtype %s") % (tuple(value.shape), value.dtype)
    if isinstance(value, wire.Unsupported):
        return _("a %s (not plain data)") % value.type_name
    return _("a %s (%s)") % (type(value).__name__, _short(value))


def _short(value):
    """repr(value) cut to 80 characters (an int of 5000 digits, which repr refuses, named)."""
    try:
        text = repr(value)
    except ValueError:
        return _("an integer too long to show")
    return text if len(text) <= 80 else text[:77] + "..."


def real_number(value, what):
    """`value` as a float, if it is a finite real number (a numpy scalar counts)."""
    if type(value) not in (int, float):
        fail(_("%s returned %s, but the tests expected a real number.") % (what, kind_of(value)),
             unmet=True)
    try:
        number = float(value)  # an int such as 10**400 is too large for a float
    except OverflowError:
        number = float("inf")
    if not np.isfinite(number):
        fail(_("%s returned %s, but the tests expected a finite number.") % (what, _short(value)))
    return number


def real_array(value, what, shapes, samples=None, diagnosis=None):
    """`value` as a float64 array, if it is a finite real numpy array of one of `shapes`.

    samples: N, where a shape with N in place of a 1 means (N,) was broadcast against
    (N, 1); diagnosis: a function of the wrong shape that recognises a mistake in it.
    """
    shapes = [tuple(shape) for shape in shapes]
    wanted = _(" or ").join(str(shape) for shape in shapes)
    if not isinstance(value, np.ndarray):
        fail(_("%s returned %s, but the tests expected a numpy array of shape %s.")
             % (what, kind_of(value), wanted), unmet=True)
    if value.dtype.kind not in "fiu":
        fail(_("%s returned an array of dtype %s, but the tests expected real numbers.")
             % (what, value.dtype), unmet=True)
    if value.shape not in shapes:
        fail(_("%s returned an array of shape %s, but the tests expected shape %s.")
             % (what, value.shape, wanted),
             wrong_shape(value, shapes, what, samples) or (diagnosis and diagnosis(value)),
             unmet=True)
    if not np.all(np.isfinite(value)):
        fail(_("%s returned an array with NaN or inf in it: %s")
             % (what, _short(value.tolist())))
    return value.astype(float)


def wrong_shape(value, shapes, what, samples):
    """transposed or shape-broadcast, from the shape alone, or None."""
    if value.ndim == 2 and value.shape[0] != value.shape[1] and value.shape[::-1] in shapes:
        return diagnose.simple("transposed", what)
    broadcast = samples and samples > 1 and any(
        len(shape) == value.ndim and 1 in shape and all(
            got == want or (want == 1 and got == samples) for got, want in zip(value.shape, shape))
        for shape in shapes)
    if broadcast:
        return diagnose.simple("shape-broadcast", what, got=value.shape, wanted=shapes[0])
    return None


def sequence(value, length, what):
    """`value` as a list, if it is a tuple or list of `length` items."""
    if not isinstance(value, (tuple, list)) or len(value) != length:
        fail(_("%s returned %s, but the tests expected a tuple of %d values.")
             % (what, kind_of(value), length), unmet=True)
    return list(value)


def number_list(value, length, what, diagnosis=None):
    """`value` as a float array, if it is a list of `length` finite real numbers.

    diagnosis: a function of no arguments that recognises the mistake in a list of the wrong
    length (graders/grading/diagnose.py); called only then.
    """
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "fiu":
        value = value.tolist()  # a vector of numbers holds what the list would
    if not isinstance(value, list):
        fail(_("%s returned %s, but the tests expected a list of %d numbers.")
             % (what, kind_of(value), length), unmet=True)
    if len(value) != length:
        fail(_("%s returned a list of %d values, but the tests expected %d.")
             % (what, len(value), length), recognise(diagnosis), unmet=True)
    return np.array([real_number(item, "%s[%d]" % (what, i)) for i, item in enumerate(value)],
                    dtype=float)


def mapping(value, keys, what):
    """`value` as a dict, if it is a dict with exactly `keys`."""
    if not isinstance(value, dict) or set(value) != set(keys):
        got = sorted(value) if isinstance(value, dict) else kind_of(value)
        fail(_("%s returned %s, but the tests expected a dict with keys %s.")
             % (what, got, sorted(keys)), unmet=True)
    return value


def close(actual, expected, tolerance, what, late=None, diagnosis=None, remark=None):
    """Fails unless |actual - expected| <= atol + rtol * |expected| everywhere.

    late: what the tutorial's procedure gives one update later, if known; an output that
    matches it is said to be exactly one update late. remark: a function of no arguments
    giving a sentence to add to the failure (or None), such as what of the training is right.
    """
    actual, expected = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        fail(_("%s has shape %s, but the tests expected shape %s.")
             % (what, actual.shape, expected.shape), unmet=True)
    allowed = tolerance.atol + tolerance.rtol * np.abs(expected)
    excess = np.abs(actual - expected) - allowed
    if np.all(excess <= 0):
        return
    if late is not None and np.allclose(actual, late, rtol=1e-6, atol=1e-12):
        fail(_("%s is one update late: got %s, which is what one more update gives; expected "
               "%s (%s).") % (what, _short(actual.tolist()), _short(expected.tolist()),
                             tolerance), diagnose.simple("one-update-late", what))
    found = recognise(diagnosis)
    extra = recognise(remark)
    extra = "\n" + extra if extra else ""
    if actual.ndim == 0:
        fail(_("%s is %r, but the tests expected %r (%s).")
             % (what, float(actual), float(expected), tolerance) + extra, found)
    worst = np.unravel_index(np.argmax(excess), excess.shape)
    fail(_("%s is wrong at index %s: got %r, expected %r (%s); %d of %d entries are off.\n"
           "  got      %s\n  expected %s") % (
             what, tuple(int(i) for i in worst), float(actual[worst]), float(expected[worst]),
             tolerance, int(np.sum(excess > 0)), excess.size, _short(actual.tolist()),
             _short(expected.tolist())) + extra, found)


def between(value, low, high, what, diagnosis=None):
    """Fails unless low <= value <= high (either bound may be None); diagnosis as for close."""
    if (low is not None and value < low) or (high is not None and value > high):
        band = "[%s, %s]" % ("-inf" if low is None else low, "inf" if high is None else high)
        fail(_("%s is %r, but the tests expected a value in %s.") % (what, float(value), band),
             recognise(diagnosis))


def sigmoid(x):
    """The kit's own sigmoid for its trusted losses; the tanh form never overflows."""
    return 0.5 * (1 + np.tanh(0.5 * x))


def numerical_gradient(loss, x, h=1e-5):
    """Central differences of the scalar function `loss` at array `x` (float64, restored)."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + h
        up = loss(x)
        x[index] = saved - h
        down = loss(x)
        x[index] = saved
        grad[index] = (up - down) / (2 * h)
    return grad


def gradients(pairs, tolerance, what, diagnosis=None):
    """Fails unless every analytic gradient matches central differences of the kit's loss.

    pairs: {parameter: (analytic, numeric)}. Passes where |a - n| <= atol + rtol * max(|a|,
    |n|); a failure lists every parameter that is off, with its worst index, both values and
    their ratio, in a small table. diagnosis: a function of no arguments that returns the
    mistake recognised in the failure (graders/grading/diagnose.py), or None; called only on failure.
    """
    rows = []
    for parameter, (analytic, numeric) in pairs.items():
        analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
        allowed = tolerance.atol + tolerance.rtol * np.maximum(np.abs(analytic), np.abs(numeric))
        score = np.abs(analytic - numeric) / allowed
        if np.all(score <= 1):
            continue
        worst = np.unravel_index(np.argmax(score), score.shape)
        a, n = float(analytic[worst]), float(numeric[worst])
        rows.append((parameter, str(tuple(int(i) for i in worst)), "%.6g" % a, "%.6g" % n,
                     "%.4g" % (a / n) if n else _("undefined")))
    if not rows:
        return
    header = (_("parameter"), _("worst index"), _("analytic"), _("numeric"), _("ratio"))
    widths = [max(width(row[i]) for row in rows + [header]) for i in range(len(header))]
    table = "\n".join("  " + "  ".join(cell + " " * (size - width(cell)) for cell, size in zip(
        row, widths)).rstrip() for row in [header] + rows)
    fail(_("%s: the gradient is wrong for %d of %d parameters (%s):\n%s\n"
           "A ratio of 2 or 0.5 means a factor of 2; -1 a flipped sign.")
         % (what, len(rows), len(pairs), tolerance, table), recognise(diagnosis))


def width(text):
    """Columns `text` takes in a terminal: two for each wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def recognise(diagnosis):
    """What the function `diagnosis` recognises, or None. A diagnosis reads what student code
    returns to its extra calls (None, an empty array, 10**400): a failure there, or any error
    while reading it, leaves the failure it explains as it was."""
    try:
        return (diagnosis and diagnosis()) or None  # a rule that finds nothing may say False
    except (Exception, pytest.fail.Exception):  # a failed check is not an Exception
        return None


def trained_right(pairs):
    """The remark of a training check whose losses are off: whether its trained parameters
    (or predictions) `pairs` {name: (actual, expected, tolerance)} all match."""
    for actual, expected, tolerance in pairs.values():
        actual, expected = np.asarray(actual, float), np.asarray(expected, float)
        if actual.shape != expected.shape or not np.all(
                np.abs(actual - expected) <= tolerance.atol + tolerance.rtol * np.abs(expected)):
            return None
    return _("The trained %s match, so the training itself is right: what is wrong is how "
             "the losses are recorded.") % ", ".join(pairs)


def printed_lines(printed, pattern):
    """{iteration: line} of the printed lines that `pattern` matches (its first group the
    iteration, its second the value); each is read as a number only by the case that checks
    it, so a bad line fails that case alone."""
    lines = {}
    for line in printed.splitlines():
        match = pattern.match(line.strip())
        if match:
            try:
                lines[int(match.group(1))] = line
            except ValueError:  # an iteration of more digits than int() reads: no case's
                pass
    return lines


def printed_loss(line, pattern, what):
    """The loss a printed line of printed_lines says, if it is a finite number."""
    try:
        value = float(pattern.match(line.strip()).group(2))
    except ValueError:
        fail(_("%s printed %r, which is not a loss value.") % (what, line[:200]))
    return real_number(value, "%s (printed %r)" % (what, line[:200]))
