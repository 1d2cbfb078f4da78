"""What a batch writes for people: gradebook.csv, feedback.md and the summary table."""

import csv
import io
import json
import os
from dataclasses import dataclass

from graders.outputs import inert
from graders.outputs.files import write_atomically
from graders.outputs.sentences import root_causes, shown_failure
from graders.model.i18n import N_, _
from graders.model.results import SubmissionResults

STATUS_GRADED, STATUS_WITH_PROBLEMS, STATUS_ERROR = "graded", "graded with problems", "error"


KINDS = (N_("public"), N_("new-numbers"), N_("generality"))  # case kinds, for translation


def problems(results, intake):
    """What went wrong beyond wrong answers: the intake's sentences on the files handed in,
    each module's timeouts, crashes, import errors and limits, cases the kit itself failed
    on, and a grading error (`results`: SubmissionResults)."""
    found = list(intake)
    for module, kinds in sorted(results.problems.items()):
        found.append("%s: %s" % (module, ", ".join(kinds)))
    if results.kit_errors:
        found.append("kit error in %s" % ", ".join(results.kit_errors))
    if results.error:
        found.append("error: " + results.error)
    return found


def status(results, found):
    """`graded`, `graded with problems`, or `error`: not graded (the grading run did not
    finish, or the kit itself failed on a case)."""
    if results.error or results.kit_errors:
        return STATUS_ERROR
    return STATUS_WITH_PROBLEMS if found else STATUS_GRADED


@dataclass
class Graded:
    """A finished submission folder, as the gradebook and class.html read it: its results
    and the intake's sentences on the files handed in (grading.json)."""
    name: str
    results: SubmissionResults
    intake: list

    @property
    def problems(self):
        return problems(self.results, self.intake)

    @property
    def status(self):
        return status(self.results, self.problems)

    def row(self, modules):
        """Its row of gradebook.csv: points per tutorial, total, status, problems."""
        points, _possible = self.results.points(modules)
        return [self.name] + ["%g" % points[m] for m in modules] + [
            "%g" % sum(points.values()), self.status, "; ".join(self.problems)]


def read(out, name, assignment):
    """The Graded of out/name, or None where it is not graded yet or was cut short."""
    try:
        results = assignment.read(os.path.join(out, name, "results.json"))
        with open(os.path.join(out, name, "grading.json"), encoding="utf-8") as handle:
            intake = json.load(handle)["problems"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return Graded(name, results, intake)


def write(out, graded, modules):
    """Rewrites out/gradebook.csv from `graded` ([Graded])."""
    write_atomically(os.path.join(out, "gradebook.csv"), csv_text(graded, modules))


def csv_text(graded, modules):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submission"] + list(modules) + ["total", "status", "problems"])
    writer.writerows([inert.printable(cell) for cell in entry.row(modules)] for entry in graded)
    return out.getvalue()


def summary(graded, modules, possible):
    """A plain-text table of the gradebook (`graded`: [Graded]) for the terminal."""
    width = max([len("submission")] + [len(inert.printable(e.name)) for e in graded])
    lines = ["%-*s %s %8s  %s" % (width, "submission", " ".join("%7s" % m for m in modules),
                                  "total", "status")]
    for entry in graded:
        points, _possible = entry.results.points(modules)
        problems = inert.printable("; ".join(entry.problems))
        lines.append("%-*s %s %8g  %s" % (
            width, inert.printable(entry.name), " ".join("%7g" % points[m] for m in modules),
            sum(points.values()), entry.status + (" (%s)" % problems if problems else "")))
    lines.append("%-*s %s %8g" % (width, "(possible)", " ".join(
        "%7g" % possible[m] for m in modules), sum(possible.values())))
    return "\n".join(lines)


def feedback(name, results, intake, modules):
    """feedback.md: the student's score per tutorial and what to fix, case by case, in the
    language chosen for the student (graders/model/i18n.py)."""
    points, possible = results.points(modules)
    total, most = sum(points.values()), sum(possible.values())
    lines = [_("# Feedback for %s") % name, "",
             _("Score: **%g / %g**") % (total, most), ""]
    if results.error:
        lines += [_("Grading could not finish: %s") % results.error, ""]
    lines += [_("Problems with the files handed in: ") + "; ".join(
        inert.markdown_text(sentence) for sentence in intake), ""] if intake else []
    lines += ["| %s | %s | %s |" % (_("tutorial"), _("points"), _("of")), "|---|---:|---:|"]
    lines += ["| %s | %g | %g |" % (m, points[m], possible[m]) for m in modules]
    lines += roots(results)
    for module, tests in results.by_module(modules).items():
        if not tests:
            continue
        lines += ["", "## %s" % module, ""]
        for test in tests:
            mark = _("passed") if test.passed else _("FAILED")
            lines.append("- %s %s (%s, %g/%g)" % (mark, test.case, _(test.kind), test.score,
                                                  test.max_score))
            if test.root:
                lines.append("  " + test.output)
            if test.passed:
                continue
            if test.visible:
                lines += ["", *inert.fenced(test.output, "  "), ""]
            else:
                lines.append("  " + shown_failure(test))
            if test.diagnosis:
                lines.append("  " + _("Diagnosis code: %s") % test.diagnosis)
    lines += ["", results.output or ""]
    return "\n".join(lines).rstrip() + "\n"


def roots(results):
    """Lines naming each helper that made other cases fail, and those cases (credited)."""
    found = {}
    for test in results.tests:
        for helper in test.root or []:
            found.setdefault(helper, []).append(test.id)
    return [line for sentence in root_causes(found) for line in ("", sentence)]
