"""The grading options that more than one command takes, declared once: the time limits on
student code (pytest graders, python -m graders.batch) and the language of the messages.

A command-line parser gets them from `add_limits`; the kit's own code that starts a grading
run (the batch's children) passes them to pytest as an object, `Given`, not as strings.
"""

import pytest

from graders.sandbox.process import Limits

# (option, field of Limits, help with %g for the default)
LIMIT_OPTIONS = (
    ("--call-timeout", "call_seconds", "time limit for one call into student code: CPU time "
                                       "where a control group measures it (default %g)"),
    ("--time-budget", "tutorial_seconds", "wall-clock limit for all calls into one "
                                          "tutorial's module (default %g)"),
)


def add_limits(add_option):
    """Declares the limit options with `add_option` (pytest's addoption or argparse's
    add_argument, which take the same arguments here)."""
    defaults = Limits()
    for flag, name, text in LIMIT_OPTIONS:
        add_option(flag, type=float, default=getattr(defaults, name), metavar="SECONDS",
                   help=text % getattr(defaults, name))


def limits_from(value_of):
    """Limits from the options' values (`value_of(dest)`); ValueError names one of 0 or less."""
    values = {}
    for flag, name, _text in LIMIT_OPTIONS:
        value = value_of(flag[2:].replace("-", "_"))
        if not value > 0:
            raise ValueError("%s must be a number of seconds above 0, not %g" % (flag, value))
        values[name] = value
    return Limits(**values)


GIVEN = pytest.StashKey()


class Given:
    """A pytest plugin carrying the options of a grading run that the kit starts itself:
    pytest.main([...], plugins=[Given(limits, lang)]). The graders' conftest takes them in
    place of its command line's."""

    def __init__(self, limits, lang):
        self.limits, self.lang = limits, lang

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config):
        config.stash[GIVEN] = self


def given(config):
    """The Given of this run, or None where pytest was started from a command line."""
    return config.stash.get(GIVEN, None)
