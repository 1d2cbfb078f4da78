"""What a batch writes for people: gradebook.csv, feedback.md and the summary table."""

import csv
import io
import json
import os

from graders.outputs import inert
from graders.model import results as results_data
from graders.model import spec
from graders.model.i18n import N_, _
from graders.grading.scoreboard import requirement, root_causes, write_atomically

STATUS_GRADED, STATUS_WITH_PROBLEMS, STATUS_ERROR = "graded", "graded with problems", "error"


KINDS = (N_("public"), N_("new-numbers"), N_("generality"))  # case kinds, for translation


def problems(results, intake):
    """What went wrong beyond wrong answers: the intake's sentences on the files handed in,
    each module's timeouts, crashes, import errors and limits, cases the kit itself failed
    on, and a grading error."""
    found = list(intake)
    for module, kinds in sorted(results.get("extra_data", {}).get("problems", {}).items()):
        found.append("%s: %s" % (module, ", ".join(kinds)))
    if results_data.kit_errors(results):
        found.append("kit error in %s" % ", ".join(results_data.kit_errors(results)))
    if results.get("error"):
        found.append("error: " + results["error"])
    return found


def status(results, found):
    """`graded`, `graded with problems`, or `error`: not graded (the grading run did not
    finish, or the kit itself failed on a case)."""
    if results.get("error") or results_data.kit_errors(results):
        return STATUS_ERROR
    return STATUS_WITH_PROBLEMS if found else STATUS_GRADED


def row(name, results, intake, modules):
    points, _ = results_data.points(results, modules)
    found = problems(results, intake)
    return [name] + ["%g" % points[m] for m in modules] + [
        "%g" % sum(points.values()), status(results, found), "; ".join(found)]


def write(out, names, modules):
    """Rewrites out/gradebook.csv from the finished submission folders among `names`."""
    rows = []
    for name in names:
        try:
            with open(os.path.join(out, name, "results.json"), encoding="utf-8") as handle:
                results = json.load(handle)
            with open(os.path.join(out, name, "grading.json"), encoding="utf-8") as handle:
                intake = json.load(handle)["problems"]
        except (OSError, ValueError, KeyError):
            continue  # not graded yet, or interrupted before its folder was complete
        rows.append(row(name, results, intake, modules))
    write_atomically(os.path.join(out, "gradebook.csv"), csv_text(rows, modules))
    return rows


def csv_text(rows, modules):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submission"] + list(modules) + ["total", "status", "problems"])
    writer.writerows([inert.printable(cell) for cell in r] for r in rows)
    return out.getvalue()


def points_possible(modules):
    return {module: sum(case.points for case in spec.load(module).cases) for module in modules}


def summary(rows, modules, possible):
    """A plain-text table of the gradebook for the terminal."""
    rows = [[inert.printable(cell) for cell in r] for r in rows]
    width = max([len("submission")] + [len(r[0]) for r in rows])
    lines = ["%-*s %s %8s  %s" % (width, "submission", " ".join("%7s" % m for m in modules),
                                  "total", "status")]
    for r in rows:
        lines.append("%-*s %s %8s  %s" % (width, r[0], " ".join("%7s" % p for p in r[1:-3]),
                                          r[-3], r[-2] + (" (%s)" % r[-1] if r[-1] else "")))
    lines.append("%-*s %s %8g" % (width, "(possible)", " ".join(
        "%7g" % possible[m] for m in modules), sum(possible.values())))
    return "\n".join(lines)


def feedback(name, results, intake, modules):
    """feedback.md: the student's score per tutorial and what to fix, case by case, in the
    language chosen for the student (graders/model/i18n.py)."""
    points, possible = results_data.points(results, modules)
    total, most = sum(points.values()), sum(possible.values())
    lines = [_("# Feedback for %s") % name, "",
             _("Score: **%g / %g**") % (total, most), ""]
    if results.get("error"):
        lines += [_("Grading could not finish: %s") % results["error"], ""]
    lines += [_("Problems with the files handed in: ") + "; ".join(
        inert.markdown_text(sentence) for sentence in intake), ""] if intake else []
    lines += ["| %s | %s | %s |" % (_("tutorial"), _("points"), _("of")), "|---|---:|---:|"]
    lines += ["| %s | %g | %g |" % (m, points[m], possible[m]) for m in modules]
    lines += roots(results)
    for module, tests in results_data.by_module(results, modules).items():
        if not tests:
            continue
        lines += ["", "## %s" % module, ""]
        for test in tests:
            case, kind = test["extra_data"]["case"], test["extra_data"]["kind"]
            mark = _("passed") if test["status"] == "passed" else _("FAILED")
            lines.append("- %s %s (%s, %g/%g)" % (mark, case, _(kind), test["score"],
                                                  test["max_score"]))
            if test["extra_data"].get("root"):
                lines.append("  " + test["output"])
            if test["status"] == "passed":
                continue
            if test["visibility"] == "visible":
                lines += ["", *inert.fenced(test["output"], "  "), ""]
            elif kind == spec.GENERALITY:
                lines.append("  " + hidden_requirement(test))
            else:
                lines.append("  " + _("A hidden case (the tutorial's procedure on new numbers): "
                                      "the public checks of the same function show what to fix."))
            if test["extra_data"].get("diagnosis"):
                lines.append("  " + _("Diagnosis code: %s") % test["extra_data"]["diagnosis"])
    lines += ["", results.get("output", "")]
    return "\n".join(lines).rstrip() + "\n"


def roots(results):
    """Lines naming each helper that made other cases fail, and those cases (credited)."""
    found = {}
    for test in results.get("tests", []):
        for helper in test["extra_data"].get("root", []):
            found.setdefault(helper, []).append(results_data.case_id(test))
    return [line for sentence in root_causes(found) for line in ("", sentence)]


def hidden_requirement(test):
    """What a failed hidden generality case shows: its requirement, from the spec, said as
    unmet only where the evidence showed it unmet (graders/grading/scoreboard.py)."""
    module, case_id = results_data.case_id(test).split("::", 1)
    requires = {case.id: case.requires for case in spec.load(module).cases}.get(case_id)
    return requirement(requires, test["extra_data"].get("requirement", "unmet") == "unmet")
