"""A contract helper as a tutorial's grader declares it, in `HELPERS` of graders/test_<module>.py.

A leaf module: the graders import it, and root-cause credit (graders/grading/roots.py) reads
their declarations, so neither has to import the other's module to know the shape.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Helper:
    """A helper of the contract: its stand-in and the contract names whose cases use it."""
    stand_in: object  # a function: exactly what the contract's docstring states; it runs in
    # the sandbox from its source alone (graders/sandbox/stand_ins.py)
    callers: tuple  # the contract's names whose cases use the helper
