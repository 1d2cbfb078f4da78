"""Grading one submission in a forked child of the batch: pytest.main on the kit's graders,
with the run's options passed as an object (graders/grading/options.py)."""

import os
import sys

import pytest

from graders.grading import options
from graders.grading import pytest_command
from graders.sandbox import process as sandbox

# What a grading run does not use from pytest: these plugins (the last two run gc.collect at
# the end) and assertion rewriting (the graders fail cases through graders.grading.checks).
# Leaving them out saves about 0.2 s a submission.
UNUSED_PLUGINS = ("cacheprovider", "doctest", "pastebin", "legacypath", "debugging", "xdist",
                  "setuponly", "setupplan", "stepwise", "warnings", "logging",
                  "unraisableexception", "threadexception")


def arguments(work):
    """pytest's command line for grading the modules in `work`/modules into
    `work`/results.json."""
    return [*pytest_command.options(os.path.join(work, "modules")), "-q", "--assert=plain",
            *("-pno:" + name for name in UNUSED_PLUGINS), "--hidden",
            "--results-json", os.path.join(work, "results.json")]


def grade_in_child(entry, work, limits, lang):
    """Runs in a forked child: grades one submission (collect.Entry) with pytest into `work`
    (results.json, grader.log) under `limits` in `lang`; never returns."""
    code = 3
    try:
        sandbox.die_with_parent()
        os.setpgid(0, 0)
        log = os.open(os.path.join(work, "grader.log"), os.O_WRONLY | os.O_CREAT, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        entry.write(os.path.join(work, "modules"))
        code = pytest.main(arguments(work), plugins=[options.Given(limits, lang)])
        sys.stdout.flush()
    finally:
        os._exit(int(code))
