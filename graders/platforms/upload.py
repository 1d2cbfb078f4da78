"""Grading one student's upload where a course platform runs the kit (Gradescope, PrairieLearn).

The upload is a folder holding the tutorials' modules (or notebooks) at its top, under exercises/,
or either inside one folder; graders/intake/collect.py reads it. Only the module files are copied out
of it, into a fresh folder, and that folder is graded, hidden cases included, by the graders in
a pytest process of their own; the student's code runs in the sandboxed worker as in any
grading. Nothing else in the upload (a conftest.py, pytest.ini, pyproject.toml,
sitecustomize.py, a .pth file) is read, and the pytest command line (graders/grading/pytest_command.py)
names only the kit's files, so pytest never collects or configures itself from the upload. The
platform modules turn the results into their format.
"""

import os
import subprocess
import sys
import time

from graders.sandbox import bubblewrap
from graders.intake import collect
from graders.grading import pytest_command
from graders.sandbox import process as sandbox
from graders.model import spec
from graders.model.assignment import Assignment

KIT = spec.KIT


class GradingFailed(Exception):
    """The graders themselves could not produce results; the message holds their output."""


def grade(folder, work):
    """(SubmissionResults of `folder`, seconds taken); `work` is a scratch folder.

    The results also say where the kit lies (a protection) and, in `missing`, why each
    module that could not be used was not ({module: sentence})."""
    path = os.path.join(work, "results.json")
    found, missing = collect.read_folder(folder, spec.modules())
    modules = os.path.join(work, "modules")
    collect.write_modules(modules, found)
    command = [sys.executable, "-m", "pytest", *pytest_command.options(modules), "-q", "--hidden",
               "--results-json=" + path]
    start = time.monotonic()
    run = subprocess.run(command, cwd=KIT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, env=dict(os.environ, OPENBLAS_NUM_THREADS="1",
                                             OMP_NUM_THREADS="1"))
    seconds = time.monotonic() - start
    if not os.path.isfile(path):
        raise GradingFailed("the graders wrote no results (exit status %d):\n%s"
                            % (run.returncode, run.stdout[-4000:]))
    results = Assignment.load().read(path)
    results.protections.append(kit_location())
    results.missing = missing
    return results, seconds


def kit_location():
    """A protection phrase: whether the kit (and so solutions/) lies outside every folder
    that student code can read in this container."""
    kit = os.path.realpath(KIT)
    if not sandbox.use_bubblewrap():  # what the fallback's probe found it could open
        return sandbox.fallback_warning() or \
            "the kit (%s, with solutions/) lies outside every folder student code can read" % kit
    shown = bubblewrap.visible_folders()
    exposed = [folder for folder in shown
               if kit == folder or kit.startswith(folder.rstrip(os.sep) + os.sep)]
    if exposed:
        return ("WARNING: the kit (with solutions/) lies under %s, which student code can "
                "read: move it elsewhere" % exposed[0])
    return "the kit (%s, with solutions/) lies outside every folder student code can read" % kit


def summary(results, hidden_note, visible_only=False, plain=False):
    """The whole submission's result in Markdown: points per tutorial, what could not be
    used, `hidden_note` on the hidden cases, and the protections that were active.

    visible_only: count only the tests students see now (Gradescope shows this summary at
    once, and hidden cases only once published), and say how many are still to come.
    plain: plain text, not Markdown (PrairieLearn shows the output as it is)."""
    shown = results.visible() if visible_only else results
    points, possible = shown.points()
    title = "## Public checks: %g / %g points" if visible_only else "## %g / %g points"
    if plain:
        lines = [title[3:] % (sum(points.values()), sum(possible.values())), ""]
        lines += ["%s: %g of %g" % (m, points[m], possible[m]) for m in sorted(points)]
    else:
        lines = [title % (sum(points.values()), sum(possible.values())), "",
                 "| tutorial | points | of |", "|---|---:|---:|"]
        lines += ["| %s | %g | %g |" % (m, points[m], possible[m]) for m in sorted(points)]
    problems = dict(results.missing or {})
    for module, found in results.problems.items():
        problems.setdefault(module, "; ".join(found))
    if problems:
        lines += ["", "Problems beyond wrong answers:", ""]
        lines += ["- %s: %s" % (module, problems[module]) for module in sorted(problems)]
    waiting = len(results.tests) - len(shown.tests)
    if visible_only and waiting:
        hidden_note = "%d hidden case(s) are still to be published. %s" % (waiting, hidden_note)
    lines += ["", hidden_note, "",
              "Protections active while grading: %s."
              % "; ".join(results.protections)]
    return "\n".join(lines) + "\n"
