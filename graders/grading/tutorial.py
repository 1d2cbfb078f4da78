"""What a tutorial's grader declares for the rest of the kit, beside its procedures.

graders/test_<module>.py names, for the kit to read (never a table elsewhere):
- `HELPERS`: {contract helper: Helper(stand_in, callers)}, the helpers whose mistakes
  its callers are not failed for (graders/grading/roots.py); {} where the contract has none;
- `CURVE`: (recorded name, x label, y label), the training curve report.html draws
  (graders/outputs/pages.py), or None where the tutorial trains nothing;
- `bare_loops()`: {label: run(module)}, the training runs `nox -s bench` times alone
  (benchmarks/bare_compute.py);
- optionally `boundaries(recorded)`: the decision boundaries report.html draws
  (graders/outputs/figures.py), for a tutorial that classifies points in the plane.
`check` refuses a grader that leaves one out or gets one wrong, with a sentence naming the
file and the name, so a new tutorial cannot silently go without root-cause credit, a curve or
its benchmark line.
"""

import builtins
import dis
import importlib
import inspect
import textwrap
import types

from graders.model import spec
from graders.sandbox import stand_ins

# What a grader declares, and why the kit needs it.
DECLARED = {"HELPERS": "the contract's helpers, each with its stand-in and callers, for "
                       "root-cause credit ({} where there are none)",
            "CURVE": "(recorded name, x label, y label) of the training curve report.html draws, "
                     "or None",
            "bare_loops": "a function returning {label: run(module)}, the training runs the "
                          "benchmark times"}
OPTIONAL = {"boundaries": "a function of what the grading recorded, returning the decision "
                          "boundaries to draw"}
STAND_IN_GLOBALS = set(dir(builtins)) | set(stand_ins.namespace())


def grader(module):
    """graders/test_<module>.py, imported."""
    return importlib.import_module("graders.test_" + module)


def check(loaded):
    """Raises spec.SpecError, naming file and name, unless the grader of the tutorial whose
    spec is `loaded` declares all of DECLARED well."""
    where = "graders/test_%s.py" % loaded.module
    found = grader(loaded.module)

    def bad(name, problem):
        return spec.SpecError("%s, %s: %s" % (where, name, problem))

    for name in DECLARED:
        if not hasattr(found, name):
            raise bad(name, "missing: %s" % DECLARED[name])
    graded = {case.function for case in loaded.cases}
    if not isinstance(found.HELPERS, dict):
        raise bad("HELPERS", "must be a dict {contract helper: Helper(...)} "
                             "(graders/grading/helpers.py)")
    for helper, declared in found.HELPERS.items():
        label = "HELPERS[%r]" % helper
        if helper not in graded:
            raise bad(label, "no case of spec/%s.yaml grades %s, so the kit cannot tell "
                             "whether it is wrong" % (loaded.module, helper))
        if not hasattr(declared, "stand_in") or not hasattr(declared, "callers"):
            raise bad(label, "must be a Helper(stand_in, callers)")
        for caller in declared.callers:
            if caller not in graded or caller == helper:
                raise bad(label, "caller %r is not another name spec/%s.yaml grades"
                          % (caller, loaded.module))
        problem = stand_in_problem(declared.stand_in)
        if problem:
            raise bad(label, problem)
    curve = found.CURVE
    if curve is not None and not (isinstance(curve, tuple) and len(curve) == 3 and all(
            isinstance(part, str) for part in curve)):
        raise bad("CURVE", "must be (recorded name, x label, y label) or None")
    loops = found.bare_loops() if callable(found.bare_loops) else None
    if not isinstance(loops, dict) or not all(callable(run) for run in loops.values()):
        raise bad("bare_loops", "must be a function returning {label: run(module)}")
    for name, what in OPTIONAL.items():
        if hasattr(found, name) and not callable(getattr(found, name)):
            raise bad(name, "must be %s" % what)


def stand_in_problem(function):
    """Why `function` cannot stand in inside the sandbox, or None: it travels as its source
    alone, so it may use numpy (np), stand_ins.py's functions and builtins, nothing else."""
    if not isinstance(function, types.FunctionType) or function.__name__ == "<lambda>":
        return "the stand-in must be a function defined with def"
    source = stand_in_source(function)
    try:
        stand_ins.build(function.__name__, source)
    except Exception as error:  # noqa: BLE001 (any reason it cannot be built is the answer)
        return "the stand-in %s cannot be built from its source: %s" % (function.__name__, error)
    names = set()
    codes = [compile(source, "<stand-in>", "exec")]
    while codes:
        code = codes.pop()
        codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
        names.update(op.argval for op in dis.get_instructions(code)
                     if op.opname in ("LOAD_GLOBAL", "LOAD_NAME"))
    unknown = names - STAND_IN_GLOBALS - {function.__name__}
    if unknown:
        return ("the stand-in %s uses %s, which the sandbox does not have (only np, "
                "stand_ins.py's functions and builtins)" % (function.__name__,
                                                             ", ".join(sorted(unknown))))
    return None


def stand_in_source(function):
    """The text that travels to the worker for `function` (graders/sandbox/stand_ins.build)."""
    return textwrap.dedent(inspect.getsource(function))
