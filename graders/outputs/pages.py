"""report.html per submission and class.html per class: static pages, figures inline as SVG.

The curves are what the graders recorded while grading (each public case's `curve`,
graders/grading/curves.py), drawn over the reference's (graders/outputs/reference_curves.py).
Nothing of a hidden case is shown beyond what feedback.md shows. matplotlib draws the figures
(graders/outputs/figures.py) and jinja2 fills the templates (the `report` dependency group);
without them `missing()` says so and grading goes on without pages.
"""

import functools
import json
import os

from graders.model import i18n
from graders.model import spec
from graders.model.i18n import N_, _
from graders.outputs import figures
from graders.outputs.files import write_atomically
from graders.outputs.sentences import shown_failure
from graders.recall import history as recall_history

try:
    import jinja2
    IMPORT_ERROR = figures.IMPORT_ERROR
except ImportError as error:  # grading goes on; the pages are left out, and we say why
    IMPORT_ERROR = error

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
OUTCOMES = {"done": N_("done"), "abandon": N_("abandoned"), "under way": N_("under way")}


def missing():
    """None when pages can be drawn, else a sentence saying what is missing."""
    if IMPORT_ERROR is None:
        return None
    return _("No report.html or class.html: %s (install the report group of pyproject.toml: "
             "pip install matplotlib jinja2).") % IMPORT_ERROR


@functools.lru_cache(maxsize=None)
def _environment():
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                     autoescape=True, trim_blocks=True, lstrip_blocks=True)
    environment.globals["_"] = _
    return environment


def failures(results):
    """[(case id, kind, output shown, diagnosis)] for the failed cases, as feedback.md shows."""
    return [(test.id, _(test.kind), shown_failure(test), test.diagnosis)
            for test in results.tests if not test.passed]


def report_html(name, results, reference, recall=None):
    """The page of one submission (`results` and the `reference`'s: SubmissionResults);
    `recall` is its history of rebuilds from memory (recall_history.summary), if it has one."""
    modules = spec.modules()
    points, possible = results.points(modules)
    recall = recall if recall and (recall["rebuilds"] or recall["problems"]) else None
    return _environment().get_template("report.html").render(
        lang=i18n.language(), name=name, error=results.error,
        total=sum(points.values()), most=sum(possible.values()),
        table=[(m, points[m], possible[m]) for m in modules],
        figures=figures.figures(results, reference), failures=failures(results),
        recall=recall, outcomes=OUTCOMES,
        rebuild_figures=figures.rebuild_figures(recall) if recall else [])


def read_recall(folder):
    """The history of rebuilds the batch kept for a submission (recall.json), or None."""
    try:
        with open(os.path.join(folder, recall_history.SUMMARY), encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_report(folder, graded, reference):
    """Writes folder/report.html of `graded` (gradebook.Graded), with folder/recall.json."""
    write_atomically(os.path.join(folder, "report.html"), report_html(
        graded.name, graded.results, reference, read_recall(folder)))


def rebuilds_done(recall):
    """How many rebuilds from memory a submission's history says were done (advisory)."""
    return sum(r["outcome"] == "done" for r in (recall or {}).get("rebuilds", []))


def class_html(out, graded, assignment, pending=0):
    """class.html of `graded` ([gradebook.Graded], the finished submissions in `out`);
    `pending` submissions are still to grade."""
    rows = [(entry.name, sum(entry.results.points(assignment.modules)[0].values()),
             entry.status, "; ".join(entry.problems),
             os.path.isfile(os.path.join(out, entry.name, "report.html")),
             rebuilds_done(read_recall(os.path.join(out, entry.name)))) for entry in graded]
    most = sum(case.points for case in assignment.cases.values())
    outcomes, diagnoses = {}, {}  # case id -> [passed?]; code -> how many cases show it
    for entry in graded:
        for test in entry.results.tests:
            outcomes.setdefault(test.id, []).append(test.passed)
            if test.diagnosis:
                diagnoses[test.diagnosis] = diagnoses.get(test.diagnosis, 0) + 1
    cases = []
    for name, case in assignment.cases.items():
        found = outcomes.get(name, [])
        cases.append((case, sum(found) / len(found) if found else None, len(found),
                      spec.load(case.module).url))
    cases.sort(key=lambda row: (2 if row[1] is None else row[1], row[0].module))
    return _environment().get_template("class.html").render(
        lang=i18n.language(), rows=rows, most=most, cases=cases,
        diagnoses=sorted(diagnoses.items(), key=lambda item: (-item[1], item[0])),
        troubled=[row for row in rows if row[3]], rebuilt=any(row[5] for row in rows),
        histogram=figures.histogram([row[1] for row in rows], most) if rows else "",
        pending=pending)


def write_class(out, graded, assignment, pending=0):
    write_atomically(os.path.join(out, "class.html"),
                     class_html(out, graded, assignment, pending))
