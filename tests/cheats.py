"""Lookup cheats, generated from the public cases and solutions/: one per name of the contract.

A cheat is solutions/<module>.py with one name wrapped: called with exactly the arguments (and,
for a method, the object's attributes) of a call the public cases make, it gives back what the
reference gave there, as a table typed in from the handout would; called with anything else
it gives a wrong answer (the reference's numbers times 1.1, plus 0.1;
whole numbers plus 1). What the public call
printed is printed again. The table is recorded
by running the name's public cases on solutions/ in this process.
"""

import base64
import contextlib
import importlib
import inspect
import io
import os
import pickle

import numpy as np

from graders.model import draws
from graders.grading import curves
from graders.model import spec
from graders.grading.reference import Reference
from tests.helpers import SOLUTIONS


def key(value):
    """Plain data as something hashable, exact to the bit (what a lookup table is keyed by)."""
    if isinstance(value, np.ndarray):
        return ("array", value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), key(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(key(v) for v in value))
    if isinstance(value, (bool, int, float, str, type(None), np.generic)):
        return (type(value).__name__, repr(value))
    return ("object", type(value).__name__)


def wrong(value):
    """The reference's numbers made wrong: times 1.1, plus 0.1 (whole numbers plus 1)."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return value * 1.1 + 0.1 if value.dtype.kind == "f" else value + 1
    if isinstance(value, float):
        return value * 1.1 + 0.1
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 1
    if isinstance(value, dict):
        return {k: wrong(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(wrong(v) for v in value)
    return value


def lookup(function, table, method):
    """`function` answering from `table` where the call is a public one, wrongly elsewhere."""
    def cheat(*args, **kwargs):
        state = vars(args[0]) if method else {}
        found = table.get(key((args[method:], kwargs, state)))
        if found is not None:
            result, after, printed = found
            state.update(after)
            print(printed, end="")
            return result
        result = function(*args, **kwargs)
        for name, item in list(state.items()):
            state[name] = wrong(item)
        return wrong(result)
    return cheat


def recorder(function, table, method):
    """`function`, noting each call's key and what it gave (and left in the object)."""
    def record(*args, **kwargs):
        state = vars(args[0]) if method else {}
        before = key((args[method:], kwargs, dict(state)))
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            result = function(*args, **kwargs)
        print(printed.getvalue(), end="")
        table.setdefault(before, (result, dict(state), printed.getvalue()))
        return result
    return record


def owner_and_attribute(module, name):
    path, _, attribute = name.rpartition(".")
    return (getattr(module, path) if path else module), attribute, bool(path)


def run_cases(cases, student, reference):
    """{case name: None, or the failure's message} of running `cases` in this process."""
    import pytest
    outcome = {}
    for case in cases:
        procedure = getattr(importlib.import_module("graders.test_" + case.module),
                            "test_" + case.check)
        given = {"case": case, "student": student, "reference": reference,
                 "curve": curves.NOTHING}
        try:
            procedure(**{n: given[n] for n in inspect.signature(procedure).parameters})
            outcome[case.name] = None
        except pytest.fail.Exception as failure:
            outcome[case.name] = str(failure)
    return outcome


def record(module, name):
    """The lookup table of `name`: its public cases run on solutions/."""
    table = {}
    student = Reference(SOLUTIONS, [module])
    loaded = student._load(module)
    owner, attribute, method = owner_and_attribute(loaded, name)
    setattr(owner, attribute, recorder(vars(owner)[attribute], table, method))
    public = [c for c in spec.load(module).cases if c.function == name and not c.hidden]
    outcome = run_cases(public, student, Reference(SOLUTIONS, [module]))
    assert not any(outcome.values()), outcome
    return table


def write(module, name, folder):
    """Writes the lookup cheat of `module`.`name` as <folder>/<module>.py; returns its path."""
    table = record(module, name)
    with open(os.path.join(SOLUTIONS, module + ".py"), encoding="utf-8") as handle:
        source = handle.read()
    owner, _, attribute = name.rpartition(".")
    target = "%s.%s" % (owner, attribute) if owner else attribute
    source += ("\n\n# A lookup cheat (tests/cheats.py)\n"
               "import base64 as _b64\nimport pickle as _pk\n")
    source += "\n\n".join(inspect.getsource(f) for f in (key, wrong, lookup))
    source += "\n\n%s = lookup(%s, _pk.loads(_b64.b64decode(%r)), %r)\n" % (
        target, target, base64.b64encode(pickle.dumps(table)).decode(), bool(owner))
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, module + ".py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(source)
    return path


def grade_name(module, name, folder):
    """({public case: failure or None}, {hidden case: failure or None}) of `name`'s own cases
    for the cheat in `folder`, with the draws that cheat's file gets."""
    with open(os.path.join(folder, module + ".py"), "rb") as handle:
        salt = draws.salt_of(handle.read())
    cases = [c for c in spec.load(module).drawn(salt).cases if c.function == name]
    student, reference = Reference(folder, [module]), Reference(SOLUTIONS, [module])
    outcome = run_cases(cases, student, reference)
    return ({c.name: outcome[c.name] for c in cases if not c.hidden},
            {c.name: outcome[c.name] for c in cases if c.hidden})
