"""What each grader procedure reads (@spec.reads), handed to the spec loader.

graders/model/spec.py checks a spec as data and never imports the graders; this module, on the
graders' side, imports graders/test_<module>.py, collects what its procedures declare, and
loads the spec with those declarations, so that every case is also checked against the
procedure it names (errors name file, case and key, as the loader's others do).
"""

import functools
import importlib

from graders.model import spec


def declared(module):
    """{check: (input kinds, expected kind), or None where undeclared} for the procedures of
    graders/test_<module>.py."""
    try:
        graders = importlib.import_module("graders.test_" + module)
    except ImportError as error:
        raise spec.SpecError("graders/test_%s.py cannot be imported: %s"
                             % (module, error)) from None
    return {name[5:]: getattr(function, "reads", None) for name, function in vars(graders).items()
            if name.startswith("test_") and callable(function)}


@functools.lru_cache(maxsize=None)
def load(module, spec_dir=spec.SPEC_DIR):
    """spec/<module>.yaml checked as data and against its procedures: the spec as grading
    uses it (once per process). Raises spec.SpecError naming file, case and key."""
    return spec.read(module, spec_dir, declared(module))
